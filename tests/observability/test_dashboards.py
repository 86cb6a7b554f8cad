"""Dashboards as code: each dashboard reads back with the SDK's own ``Dashboard.from_json``, and
every panel query (and variable query) names only metrics the platform exports or recording rules
the stack defines."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import prometheus as prom_models
from grafana_foundation_sdk.models.dashboard import Dashboard, Panel, RowPanel

from pulumi_aiops.observability import metrics
from pulumi_aiops.observability.dashboards import COREWEAVE_METRICS_UID, dashboard_json, dashboards
from pulumi_aiops.observability.defaults import default_slos
from pulumi_aiops.observability.promql import metric_names
from pulumi_aiops.observability.slo import RECORDED, rule_groups

register_default_plugins()  # so targets decode as prometheus.Dataquery

_HISTOGRAMS = {"vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds",
               "vllm:e2e_request_latency_seconds", "litellm_request_total_latency_metric",
               "litellm_llm_api_time_to_first_token_metric"}


def known_names() -> set[str]:
    """Exported series (histograms with their suffixes) and the SLO recording rules."""
    names = set(metrics.EXPORTED) - _HISTOGRAMS
    for h in _HISTOGRAMS:
        names |= {f"{h}_bucket", f"{h}_sum", f"{h}_count"}
    recorded = {r["record"] for g in rule_groups(default_slos("aws")) for r in g["rules"] if "record" in r}
    return names | recorded | set(RECORDED)


def _queries(board: Dashboard) -> list[tuple[str, str]]:
    """``(where, expr)`` of every panel target and every query variable."""
    out: list[tuple[str, str]] = []
    for panel in board.panels or []:
        if isinstance(panel, RowPanel):
            continue
        assert isinstance(panel, Panel)
        for t in panel.targets or []:
            assert isinstance(t, prom_models.Dataquery), f"{panel.title}: target decoded as {type(t).__name__}"
            assert t.ref_id, f"{panel.title}: a target without refId"
            out.append((f"{board.title} / {panel.title} [{t.ref_id}]", t.expr))
    for var in (board.templating.list_val if board.templating and board.templating.list_val else []):
        if var.type_val == "query":
            q = var.query if isinstance(var.query, str) else dict(var.query or {}).get("query", "")
            out.append((f"{board.title} / ${var.name}", str(q)))
    return out


@pytest.mark.parametrize("gpu_ds", ["prometheus", COREWEAVE_METRICS_UID])
def test_every_dashboard_reads_back_and_queries_only_real_metrics(gpu_ds: str) -> None:
    known = known_names()
    built = dashboards(gpu_datasource=gpu_ds)
    assert set(built) == {"gpus", "model-servers", "gateway", "slos"}
    seen_metrics: set[str] = set()
    for name, builder in built.items():
        text = json.dumps(dashboard_json(builder))
        board = Dashboard.from_json(json.loads(text))
        assert board.schema_version == 41, name
        assert board.uid == f"aiops-{name}"
        queries = _queries(board)
        assert queries, name
        for where, expr in queries:
            names = metric_names(expr)
            assert names, f"{where}: {expr!r} names no metric"
            unknown = names - known
            assert not unknown, f"{where}: {sorted(unknown)} are not exported by the platform nor recorded"
            seen_metrics |= names
        refs = [t.ref_id for p in board.panels or [] if isinstance(p, Panel) for t in p.targets or []]
        assert all(refs)
    # what the issue asks each dashboard to show is there
    for needed in ("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
                   "DCGM_FI_DEV_XID_ERRORS", "vllm:num_requests_running", "vllm:num_requests_waiting",
                   "vllm:time_to_first_token_seconds_bucket", "vllm:inter_token_latency_seconds_bucket",
                   "vllm:generation_tokens_total", "vllm:kv_cache_usage_perc",
                   "litellm_proxy_total_requests_metric_total", "litellm_request_total_latency_metric_bucket",
                   "litellm_proxy_failed_requests_metric_total", "litellm_spend_metric_total",
                   "litellm_input_tokens_metric_total", "litellm_output_tokens_metric_total",
                   "litellm_deployment_successful_fallbacks_total", "slo:error_budget_remaining:ratio",
                   "slo:burn_rate:ratio_rate1h"):
        assert needed in seen_metrics, needed


def test_gpu_dashboard_data_source_follows_the_cloud() -> None:
    for uid in ("prometheus", COREWEAVE_METRICS_UID):
        j = dashboard_json(dashboards(gpu_datasource=uid)["gpus"])
        var = next(v for v in j["templating"]["list"] if v["name"] == "datasource")
        assert var["current"]["value"] == uid
        panels = [p for p in j["panels"] if p["type"] != "row"]
        assert panels and all(p["datasource"]["uid"] == "${datasource}" for p in panels)


def test_a_panel_naming_an_unknown_metric_is_caught() -> None:
    j = dashboard_json(dashboards()["model-servers"])
    j["panels"][0]["targets"][0]["expr"] = "sum(vllm:gpu_utilisation_made_up)"
    board = Dashboard.from_json(j)
    bad = [(w, e) for w, e in _queries(board) if metric_names(e) - known_names()]
    assert len(bad) == 1 and "made_up" in bad[0][1]


REFERENCE = Path(os.environ.get("AIOPS_METRICS_REFERENCE", "/work/shared/reference/metrics"))


def test_the_library_names_are_in_the_exporters_reference_lists() -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"no reference metric lists at {REFERENCE}")
    ref: set[str] = set()
    for f in REFERENCE.glob("*.txt"):
        if f.name == "dcgm-optional.txt":
            continue
        ref |= {line.strip() for line in f.read_text().splitlines() if line.strip() and not line.startswith("#")}

    def exported(name: str) -> bool:  # counters gain _total, histograms _bucket/_sum/_count
        return name in ref or any(name.endswith(s) and name[: -len(s)] in ref for s in ("_total", "_bucket"))

    for name in metrics.DCGM | metrics.VLLM | metrics.LITELLM:
        assert exported(name), f"{name} is not in the reference lists of {REFERENCE}"
