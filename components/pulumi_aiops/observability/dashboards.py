"""Dashboards as code (grafana-foundation-sdk, Grafana 11.6 schema, ``schemaVersion`` 41).

Four dashboards, each provisioned as a ConfigMap labelled ``grafana_dashboard: "1"`` that
kube-prometheus-stack's Grafana sidecar loads (folder from the ``grafana_folder`` annotation):

* **GPUs** (``aiops-gpus``): utilisation, framebuffer memory, temperature, power, XID errors and
  tensor-core activity per node and per pod (DCGM). A ``datasource`` variable picks the data
  source: the cluster's Prometheus on EKS; on CoreWeave it defaults to "CoreWeave Metrics"
  (CKS's own DCGM metrics) when that data source is configured;
* **Model servers** (``aiops-model-servers``): vLLM requests running and waiting, time to first
  token, inter-token latency, tokens per second, KV-cache usage, preemptions, per served model;
* **LLM gateway** (``aiops-gateway``): LiteLLM request rate, latency, errors, tokens and spend per
  team and per model, fallbacks, guardrail interventions;
* **SLOs** (``aiops-slos``): each SLO's error budget remaining, burn rates (1h, 6h) and error
  ratio against its budget, from the recording rules of :mod:`pulumi_aiops.observability.slo`.

Every query names only metrics of :mod:`pulumi_aiops.observability.metrics` or the recording
rules of :mod:`~pulumi_aiops.observability.slo` (a test reads each dashboard back with the SDK's
``Dashboard.from_json`` and checks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableOption, VariableRefresh

__all__ = [
    "COREWEAVE_METRICS_UID",
    "DASHBOARD_LABEL",
    "FOLDER",
    "PROMETHEUS_UID",
    "dashboard_json",
    "dashboards",
]

#: The uid of the Prometheus data source kube-prometheus-stack provisions
#: (``grafana.sidecar.datasources.uid``, values.yaml of chart 88.5.3).
PROMETHEUS_UID = "prometheus"
#: The uid this library gives CoreWeave's managed metrics data source.
COREWEAVE_METRICS_UID = "coreweave-metrics"
#: The label the Grafana sidecar looks for (``grafana.sidecar.dashboards.label``/``labelValue``).
DASHBOARD_LABEL = ("grafana_dashboard", "1")
FOLDER = "AI platform"
RATE = "$__rate_interval"

_PROM = DataSourceRef(type_val="prometheus", uid=PROMETHEUS_UID)
_VAR_DS = DataSourceRef(type_val="prometheus", uid="${datasource}")


def _q(expr: str, legend: str = "", ref: str = "A") -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(expr).ref_id(ref)
    if legend:
        q = q.legend_format(legend)
    return q


def _ts(title: str, unit: str, *queries: prometheus.Dataquery, ds: DataSourceRef = _PROM, desc: str = "",
        width: int = 12) -> timeseries.Panel:
    p = timeseries.Panel().title(title).unit(unit).datasource(ds).span(width).height(8)
    if desc:
        p = p.description(desc)
    for q in queries:
        p = p.with_target(q)
    return p


def _stat(title: str, unit: str, *queries: prometheus.Dataquery, ds: DataSourceRef = _PROM, desc: str = "",
          width: int = 6) -> stat.Panel:
    p = stat.Panel().title(title).unit(unit).datasource(ds).span(width).height(6)
    if desc:
        p = p.description(desc)
    for q in queries:
        p = p.with_target(q)
    return p


def _refs(*queries: tuple[str, str]) -> list[prometheus.Dataquery]:
    return [_q(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(queries)]


def _base(uid: str, title: str, description: str) -> db.Dashboard:
    return (db.Dashboard(title).uid(uid).description(description).tags(["aiops", "pulumi-aiops"])
            .editable().refresh("1m").time("now-6h", "now").timezone("utc"))


def _label_var(name: str, label: str, query: str, ds: DataSourceRef = _PROM) -> db.QueryVariable:
    return (db.QueryVariable(name).label(label).datasource(ds)
            .query({"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"})
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED).multi(True).include_all(True).all_value(".*")
            .current(VariableOption(text="All", value="$__all", selected=True)))


def gpus(default_datasource: str = PROMETHEUS_UID) -> db.Dashboard:
    """GPU health and use, per node and per pod (DCGM)."""
    ds_var = (db.DatasourceVariable("datasource").label("Data source").type("prometheus")
              .current(VariableOption(text=default_datasource, value=default_datasource, selected=True)))
    by_pod = '{pod!=""}'
    d = _base("aiops-gpus", "AI platform / GPUs",
              "NVIDIA DCGM metrics: dcgm-exporter on EKS, CoreWeave Metrics on CKS.").with_variable(ds_var)
    d = d.with_row(db.Row("Per node"))
    d = d.with_panel(_ts("GPU utilisation by node", "percent", *_refs(
        ("avg by (hostname) (DCGM_FI_DEV_GPU_UTIL)", "{{hostname}}")), ds=_VAR_DS))
    d = d.with_panel(_ts("Framebuffer memory used by node", "percentunit", *_refs(
        ("sum by (hostname) (DCGM_FI_DEV_FB_USED) / (sum by (hostname) (DCGM_FI_DEV_FB_USED) "
         "+ sum by (hostname) (DCGM_FI_DEV_FB_FREE))", "{{hostname}}")), ds=_VAR_DS,
        desc="vLLM reserves most GPU memory at start (gpu-memory-utilization): high and flat is normal."))
    d = d.with_panel(_ts("GPU temperature", "celsius", *_refs(
        ("max by (hostname, gpu) (DCGM_FI_DEV_GPU_TEMP)", "{{hostname}} GPU {{gpu}}")), ds=_VAR_DS))
    d = d.with_panel(_ts("Power draw by node", "watt", *_refs(
        ("sum by (hostname) (DCGM_FI_DEV_POWER_USAGE)", "{{hostname}}")), ds=_VAR_DS))
    d = d.with_panel(_stat("GPUs with an XID error", "none", *_refs(
        ("count(DCGM_FI_DEV_XID_ERRORS > 0) or vector(0)", "")), ds=_VAR_DS,
        desc="DCGM_FI_DEV_XID_ERRORS holds the last XID the driver reported per GPU."))
    d = d.with_panel(_ts("Last XID error by GPU", "none", *_refs(
        ("max by (hostname, gpu) (DCGM_FI_DEV_XID_ERRORS)", "{{hostname}} GPU {{gpu}}")), ds=_VAR_DS, width=18))
    d = d.with_row(db.Row("Per pod"))
    d = d.with_panel(_ts("GPU utilisation by pod", "percent", *_refs(
        (f"avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{by_pod})", "{{namespace}}/{{pod}}")), ds=_VAR_DS))
    d = d.with_panel(_ts("Framebuffer memory used by pod", "decmbytes", *_refs(
        (f"sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{by_pod})", "{{namespace}}/{{pod}}")), ds=_VAR_DS))
    d = d.with_panel(_ts("Tensor-core activity by pod", "percentunit", *_refs(
        (f"avg by (namespace, pod) (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{by_pod})", "{{namespace}}/{{pod}}")),
        ds=_VAR_DS, desc="Share of cycles the tensor cores were busy: the real work, where utilisation "
                         "only says a kernel ran."))
    d = d.with_panel(_ts("Power draw by pod", "watt", *_refs(
        (f"sum by (namespace, pod) (DCGM_FI_DEV_POWER_USAGE{by_pod})", "{{namespace}}/{{pod}}")), ds=_VAR_DS))
    return d


def model_servers() -> db.Dashboard:
    """vLLM servers, per served model."""
    sel = '{model_name=~"$model"}'
    d = _base("aiops-model-servers", "AI platform / Model servers", "vLLM's Prometheus metrics (/metrics).")
    d = d.with_variable(_label_var("model", "Model", "label_values(vllm:num_requests_running, model_name)"))
    d = d.with_panel(_ts("Requests running", "short", *_refs(
        (f"sum by (model_name) (vllm:num_requests_running{sel})", "{{model_name}}"))))
    d = d.with_panel(_ts("Requests waiting", "short", *_refs(
        (f"sum by (model_name) (vllm:num_requests_waiting{sel})", "{{model_name}}")),
        desc="Queued requests: a steady queue means the servers are saturated."))
    d = d.with_panel(_ts("Time to first token", "s", *_refs(
        (f"histogram_quantile(0.5, sum by (le, model_name) (rate(vllm:time_to_first_token_seconds_bucket{sel}"
         f"[{RATE}])))", "p50 {{model_name}}"),
        (f"histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:time_to_first_token_seconds_bucket{sel}"
         f"[{RATE}])))", "p95 {{model_name}}"))))
    d = d.with_panel(_ts("Inter-token latency", "s", *_refs(
        (f"histogram_quantile(0.5, sum by (le, model_name) (rate(vllm:inter_token_latency_seconds_bucket{sel}"
         f"[{RATE}])))", "p50 {{model_name}}"),
        (f"histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:inter_token_latency_seconds_bucket{sel}"
         f"[{RATE}])))", "p95 {{model_name}}"))))
    d = d.with_panel(_ts("Tokens per second", "short", *_refs(
        (f"sum by (model_name) (rate(vllm:generation_tokens_total{sel}[{RATE}]))", "generated {{model_name}}"),
        (f"sum by (model_name) (rate(vllm:prompt_tokens_total{sel}[{RATE}]))", "prompt {{model_name}}"))))
    d = d.with_panel(_ts("KV-cache usage", "percentunit", *_refs(
        (f"max by (model_name, pod) (vllm:kv_cache_usage_perc{sel})", "{{model_name}} {{pod}}")),
        desc="1 is full: new requests wait or earlier ones are preempted."))
    d = d.with_panel(_ts("Preemptions per second", "short", *_refs(
        (f"sum by (model_name) (rate(vllm:num_preemptions_total{sel}[{RATE}]))", "{{model_name}}"))))
    d = d.with_panel(_ts("End-to-end request latency p95", "s", *_refs(
        (f"histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket{sel}"
         f"[{RATE}])))", "{{model_name}}"))))
    return d


def gateway() -> db.Dashboard:
    """The LiteLLM gateway: traffic, latency, errors, tokens and spend per team and model."""
    d = _base("aiops-gateway", "AI platform / LLM gateway", "LiteLLM's Prometheus metrics.")
    d = d.with_variable(_label_var("team", "Team", "label_values(litellm_spend_metric_total, team)"))
    team = '{team=~"$team"}'
    d = d.with_row(db.Row("Traffic"))
    d = d.with_panel(_ts("Requests per second by model", "reqps", *_refs(
        (f"sum by (requested_model) (rate(litellm_proxy_total_requests_metric_total{team}[{RATE}]))",
         "{{requested_model}}"))))
    d = d.with_panel(_ts("Failed requests per second by status", "reqps", *_refs(
        (f"sum by (exception_status) (rate(litellm_proxy_failed_requests_metric_total{team}[{RATE}]))",
         "{{exception_status}}"))))
    d = d.with_panel(_ts("Error ratio (5xx)", "percentunit", *_refs(
        (f'sum(rate(litellm_proxy_failed_requests_metric_total{{team=~"$team",exception_status=~"5.."}}[{RATE}]))'
         f" / sum(rate(litellm_proxy_total_requests_metric_total{team}[{RATE}]))", "5xx"))))
    d = d.with_panel(_ts("Request latency by model", "s", *_refs(
        (f"histogram_quantile(0.5, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket"
         f"{team}[{RATE}])))", "p50 {{requested_model}}"),
        (f"histogram_quantile(0.95, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket"
         f"{team}[{RATE}])))", "p95 {{requested_model}}"))))
    d = d.with_panel(_ts("Time to first token from the provider, p95", "s", *_refs(
        ("histogram_quantile(0.95, sum by (le, model) (rate(litellm_llm_api_time_to_first_token_metric_bucket"
         f"[{RATE}])))", "{{model}}"))))
    d = d.with_row(db.Row("Tokens and spend"))
    d = d.with_panel(_ts("Tokens per second by team and model", "short", *_refs(
        (f"sum by (team, model) (rate(litellm_input_tokens_metric_total{team}[{RATE}]))", "in {{team}} {{model}}"),
        (f"sum by (team, model) (rate(litellm_output_tokens_metric_total{team}[{RATE}]))",
         "out {{team}} {{model}}"))))
    d = d.with_panel(_ts("Spend per hour by team", "currencyUSD", *_refs(
        (f"sum by (team) (increase(litellm_spend_metric_total{team}[1h]))", "{{team}}"))))
    d = d.with_panel(_ts("Spend per hour by model", "currencyUSD", *_refs(
        (f"sum by (model) (increase(litellm_spend_metric_total{team}[1h]))", "{{model}}"))))
    d = d.with_panel(_stat("Spend today", "currencyUSD", *_refs(
        (f"sum(increase(litellm_spend_metric_total{team}[1d]))", "")), width=12))
    d = d.with_row(db.Row("Fallbacks and guardrails"))
    d = d.with_panel(_ts("Fallbacks per second", "short", *_refs(
        (f"sum by (requested_model, fallback_model) (rate(litellm_deployment_successful_fallbacks_total{team}"
         f"[{RATE}]))", "ok {{requested_model}} → {{fallback_model}}"),
        (f"sum by (requested_model, fallback_model) (rate(litellm_deployment_failed_fallbacks_total{team}"
         f"[{RATE}]))", "failed {{requested_model}} → {{fallback_model}}"))))
    d = d.with_panel(_ts("Guardrail interventions per second", "short", *_refs(
        (f'sum by (guardrail_name) (rate(litellm_guardrail_requests_total{{status="intervened"}}[{RATE}]))',
         "{{guardrail_name}}"))))
    return d


def slos() -> db.Dashboard:
    """Every SLO's error budget and burn rates (the SLO recording rules)."""
    sel = '{slo=~"$slo"}'
    d = _base("aiops-slos", "AI platform / SLOs",
              "Error budgets and burn rates of the platform's SLOs (multi-window, multi-burn-rate).")
    d = d.with_variable(_label_var("slo", "SLO", "label_values(slo:objective:ratio, slo)"))
    d = d.with_panel(_stat("Error budget remaining", "percentunit", *_refs(
        (f"slo:error_budget_remaining:ratio{sel}", "{{slo}} {{model}}{{model_name}}")), width=24,
        desc="Share of the window's error budget left: 1 untouched, 0 spent, below 0 overspent."))
    d = d.with_panel(_ts("Burn rate, 1h", "short", *_refs(
        (f"slo:burn_rate:ratio_rate1h{sel}", "{{slo}} {{model}}{{model_name}}")),
        desc="1 spends the budget exactly over the window; the page fires above 14.4 (1h and 5m)."))
    d = d.with_panel(_ts("Burn rate, 6h", "short", *_refs(
        (f"slo:burn_rate:ratio_rate6h{sel}", "{{slo}} {{model}}{{model_name}}")),
        desc="The page fires above 6 (6h and 30m), the ticket above 3 (1d and 2h) or 1 (3d and 6h)."))
    d = d.with_panel(_ts("Error ratio (5m) against the budget", "percentunit", *_refs(
        (f"slo:sli_error:ratio_rate5m{sel}", "errors {{slo}} {{model}}{{model_name}}"),
        (f"slo:error_budget:ratio{sel}", "budget {{slo}}")), width=24))
    return d


def dashboards(*, gpu_datasource: str = PROMETHEUS_UID) -> dict[str, db.Dashboard]:
    """Every dashboard builder, by ConfigMap key stem."""
    builders: dict[str, Callable[[], db.Dashboard]] = {
        "gpus": lambda: gpus(gpu_datasource), "model-servers": model_servers, "gateway": gateway, "slos": slos,
    }
    return {name: make() for name, make in builders.items()}


def dashboard_json(builder: db.Dashboard) -> dict[str, Any]:
    """The dashboard as Grafana's JSON model (a plain dict)."""
    out: dict[str, Any] = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    return out
