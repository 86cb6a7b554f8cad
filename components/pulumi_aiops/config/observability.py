"""Configuration of the observability stack (``aiops:platform.observability``) and its SLOs.

One model defines :class:`~pulumi_aiops.observability.Observability`'s args
(:class:`ObservabilityArgsModel`) and the stack-config section (:class:`ObservabilityConfig`);
:class:`AwsMonitoringArgsModel` defines :class:`~pulumi_aiops.observability.AwsMonitoring`'s.

**SLOs as code.** An :class:`SloSpec` is an objective, a window (``28d`` or ``30d``) and an SLI:

* ``kind: ratio``: ``sli.good`` or ``sli.bad``, and ``sli.total``, as PromQL giving events per
  second over ``{{window}}`` (the renderer substitutes each burn-rate window), e.g.
  ``sum(rate(litellm_proxy_total_requests_metric_total[{{window}}]))``;
* ``kind: threshold``: ``sli.gauge`` (an instant vector) and ``sli.threshold``: a minute is bad
  when the gauge is above (``badWhen: above``) or below the threshold, aggregated over the
  series with ``sli.aggregate`` (``avg``: the share of series that are bad; ``max``: any);
* ``kind: drift``: a threshold SLI on the evaluation contract's gauge
  ``aiops_model_drift_score`` (:mod:`pulumi_aiops.observability.evaluation`), per ``model``:
  a window in which a model's drift passes ``sli.threshold`` burns that model's error budget.

Each renders multi-window, multi-burn-rate rules (:mod:`pulumi_aiops.observability.slo`).

Example stack config::

    aiops:platform:
      observability:
        alertmanager: {receiver: {type: webhook, webhookUrl: https://hooks.example.com/alerts}}
        slos:
          - name: chat-drift
            kind: drift
            objective: 0.95
            window: 28d
            sli: {threshold: 0.2, selector: {model: chat}}
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known
from pulumi_aiops.contract import GpuClusterInput

__all__ = [
    "SLO_WINDOWS",
    "WINDOW_PLACEHOLDER",
    "AlertReceiverSpec",
    "AlertmanagerSpec",
    "AwsMonitoringArgsModel",
    "AwsMonitoringSpec",
    "BedrockAlarmThresholds",
    "DcgmExporterSpec",
    "GrafanaSpec",
    "LangfuseSpec",
    "ObservabilityArgsModel",
    "ObservabilityConfig",
    "ObservabilitySpec",
    "OtlpExporterSpec",
    "PrometheusSpec",
    "ReceiverType",
    "ScrapeSpec",
    "ScrapeTargetSpec",
    "SecretKeyRef",
    "SliAggregate",
    "SliSpec",
    "SloKind",
    "SloSpec",
    "SnsSubscription",
    "TracingBackend",
    "TracingSpec",
]

#: The SLO windows the burn-rate factors are defined for (SRE workbook, ch. 5: 28 or 30 days).
SLO_WINDOWS: tuple[str, ...] = ("28d", "30d")
#: What a ratio SLI's PromQL writes where the range of ``rate()`` goes.
WINDOW_PLACEHOLDER = "{{window}}"

_SLUG_RE = re.compile(r"^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$")
_LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_DURATION_RE = re.compile(r"^[1-9]\d*(ms|s|m|h|d|w|y)$")
_QUANTITY_RE = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$")
_SIZE_RE = re.compile(r"^(\d+(\.\d+)?)(B|KB|MB|GB|TB|PB)$")
_DNS_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_CHART_VERSION_RE = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")


def _gib(quantity: str) -> float:
    value, unit = re.match(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)$", quantity).groups()  # type: ignore[union-attr]
    return float(value) * {"Ki": 2**-20, "Mi": 2**-10, "Gi": 1.0, "Ti": 1024.0}[unit]


def _size_gib(size: str) -> float:
    m = _SIZE_RE.match(size)
    assert m is not None
    return float(m.group(1)) * {"B": 1e-9, "KB": 1e-6, "MB": 1e-3, "GB": 1.0, "TB": 1e3, "PB": 1e6}[m.group(3)] \
        * (1e9 / 2**30)


def _check(pattern: re.Pattern[str], what: str) -> Any:
    def check(cls: Any, v: Any) -> Any:
        if v is not None and not pattern.match(str(v)):
            raise ConfigValueError(f"is not {what}")
        return v

    return classmethod(check)


# -- SLOs --------------------------------------------------------------------------------------
class SloKind(StrEnum):
    """How an SLO's indicator is measured."""

    RATIO = "ratio"
    THRESHOLD = "threshold"
    DRIFT = "drift"


class BadWhen(StrEnum):
    """Which side of a threshold SLI's threshold is bad."""

    ABOVE = "above"
    BELOW = "below"


class SliAggregate(StrEnum):
    """How a threshold SLI combines its series' bad/good states into one per group."""

    AVG = "avg"
    MAX = "max"
    MIN = "min"


class SliSpec(AiopsModel):
    """A service-level indicator: good/total or bad/total PromQL, or a gauge and a threshold."""

    model_config = ConfigDict(title="SliArgs")

    good: str | None = Field(
        None, description="Ratio SLIs: PromQL of good events per second over {{window}} (the renderer puts each "
                          "burn-rate window there), e.g. "
                          "sum(rate(litellm_request_total_latency_metric_bucket{le=\"5.0\"}[{{window}}])). Give good "
                          "or bad. @default none")
    bad: str | None = Field(None, description="Ratio SLIs: PromQL of bad events per second over {{window}}. "
                                              "@default none")
    total: str | None = Field(None, description="Ratio SLIs: PromQL of all events per second over {{window}}; "
                                                "required with good or bad. @default none")
    gauge: str | None = Field(
        None, description="Threshold SLIs: PromQL instant vector of a gauge, e.g. DCGM_FI_DEV_GPU_UTIL. Drift SLOs: "
                          "@default aiops_model_drift_score with selector's labels")
    threshold: float | None = Field(
        None, description="Threshold and drift SLIs: the gauge value past which a minute is bad. @default none "
                          "(required for threshold and drift SLOs)")
    bad_when: BadWhen = Field(BadWhen.ABOVE, description="Threshold SLIs: above or below. @default above")
    aggregate: SliAggregate = Field(
        SliAggregate.AVG, description="Threshold SLIs: how the series' bad (1) or good (0) states combine per group: "
                                      "avg (the share of series that are bad), max (any), min (all). @default avg, "
                                      "max for drift")
    by: list[str] = Field(
        default_factory=list, description="Threshold SLIs: labels kept (one budget and alert per value). @default [], "
                                          "[model] for drift")
    selector: dict[str, str] = Field(
        default_factory=dict, description="Drift SLOs: label matchers on aiops_model_drift_score, e.g. "
                                          "{model: chat}. @default {} (every model)")

    @field_validator("by")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        for i, name in enumerate(v):
            if not _LABEL_NAME_RE.match(name):
                raise ConfigValueError("is not a Prometheus label name", loc=(i,), value=name)
        return v

    @field_validator("selector")
    @classmethod
    def _selector(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if not _LABEL_NAME_RE.match(name):
                raise ConfigValueError("is not a Prometheus label name", loc=(name,), value=name)
            if '"' in value or "\\" in value:
                raise ConfigValueError("may not contain quotes or backslashes", loc=(name,), value=value)
        return v


class SloSpec(AiopsModel):
    """A service-level objective: objective, window and indicator, rendered as burn-rate rules."""

    model_config = ConfigDict(title="SloArgs")

    name: str = Field(description="SLO name (lowercase, digits, -), the `slo` label of its series and alerts. "
                                  "Required.")
    kind: SloKind = Field(SloKind.RATIO, description="ratio, threshold or drift. @default ratio")
    objective: float = Field(description="Target share of good events or minutes, strictly between 0 and 1, e.g. "
                                         "0.999. Required.")
    window: str = Field("30d", description="The SLO window: 28d or 30d. @default 30d")
    description: str = Field("", description="What the SLO promises, shown in alerts. @default ''")
    sli: SliSpec = Field(default_factory=SliSpec, description="The indicator. @default {} (drift SLOs need only "
                                                              "sli.threshold)")
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="Extra labels on the alerts, e.g. {team: ml-platform}. @default {}")

    _name = field_validator("name")(_check(_SLUG_RE, "an SLO name (lowercase letters, digits and -, at most 48)"))

    @field_validator("objective")
    @classmethod
    def _objective(cls, v: float) -> float:
        if not 0 < v < 1:
            raise ConfigValueError("must lie strictly between 0 and 1 (e.g. 0.999 for 99.9 %): an objective of 1 "
                                   "leaves no error budget to burn, 0 promises nothing")
        return v

    @field_validator("window")
    @classmethod
    def _window(cls, v: str) -> str:
        if v not in SLO_WINDOWS:
            raise ConfigValueError(f"is not a known SLO window; allowed: {', '.join(SLO_WINDOWS)} (the windows the "
                                   "SRE workbook's burn-rate factors are defined for)")
        return v

    @field_validator("labels")
    @classmethod
    def _alert_labels(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if not _LABEL_NAME_RE.match(name):
                raise ConfigValueError("is not a Prometheus label name", loc=(name,), value=name)
            if name in {"slo", "severity", "alertname"}:
                raise ConfigValueError("is set by the SLO renderer", loc=(name,), value=name)
        return v

    @model_validator(mode="after")
    def _indicator(self) -> SloSpec:
        s = self.sli
        if self.kind is SloKind.RATIO:
            if s.total is None:
                raise ConfigValueError(
                    "is required but missing: a ratio SLI is good/total or bad/total PromQL; give the PromQL of all "
                    f"events per second, e.g. sum(rate(x_total[{WINDOW_PLACEHOLDER}]))",
                    loc=("sli", "total"), value=None)
            if (s.good is None) == (s.bad is None):
                raise ConfigValueError("needs exactly one of good or bad (with total)", loc=("sli",),
                                       value={"good": s.good, "bad": s.bad})
            for key in ("good", "bad", "total"):
                expr = getattr(s, key)
                if expr is not None and WINDOW_PLACEHOLDER not in expr:
                    raise ConfigValueError(
                        f"has no {WINDOW_PLACEHOLDER}: write the range of rate() as [{WINDOW_PLACEHOLDER}] so each "
                        "burn-rate window (5m … 3d) can be rendered", loc=("sli", key), value=expr)
            stray = [k for k in ("gauge", "threshold") if getattr(s, k) is not None]
            if stray:
                raise ConfigValueError(f"is for threshold and drift SLOs, not ratio ones (kind: {self.kind.value})",
                                       loc=("sli", stray[0]), value=getattr(s, stray[0]))
            return self
        if s.threshold is None:
            why = ("a drift SLO counts a window as bad when the model's drift score (aiops_model_drift_score) passes "
                   "its threshold" if self.kind is SloKind.DRIFT else
                   "a threshold SLI counts a minute as bad when the gauge passes its threshold")
            raise ConfigValueError(f"is required but missing: {why}", loc=("sli", "threshold"), value=None)
        if self.kind is SloKind.THRESHOLD and s.gauge is None:
            raise ConfigValueError("is required but missing: the PromQL of the gauge a threshold SLI compares",
                                   loc=("sli", "gauge"), value=None)
        for key in ("good", "bad", "total"):
            if getattr(s, key) is not None:
                raise ConfigValueError(f"is for ratio SLOs, not {self.kind.value} ones", loc=("sli", key),
                                       value=getattr(s, key))
        if self.kind is not SloKind.DRIFT and s.selector:
            raise ConfigValueError("is for drift SLOs; put matchers in sli.gauge", loc=("sli", "selector"),
                                   value=s.selector)
        return self

    @property
    def error_budget(self) -> float:
        """``1 - objective``: the share of events (or minutes) that may be bad."""
        return round(1.0 - self.objective, 12)  # 1 - 0.95 is 0.050000000000000044 in floats


# -- the in-cluster stack ----------------------------------------------------------------------
class SecretKeyRef(AiopsModel):
    """A key of a Kubernetes Secret in the scrape target's namespace."""

    model_config = ConfigDict(title="SecretKeyRefArgs")

    name: str = Field(description="Secret name. Required.")
    key: str = Field(description="Key in the Secret. Required.")


class ScrapeTargetSpec(AiopsModel):
    """Services to scrape, selected by labels (a ServiceMonitor)."""

    model_config = ConfigDict(title="ScrapeTargetArgs")

    name: str = Field(description="Target name (DNS label): the ServiceMonitor is <name>. Required.")
    namespace: str | None = Field(
        None, description="Namespace of the services; the ServiceMonitor is created there. @default none (any "
                          "namespace; the ServiceMonitor goes in the monitoring namespace)")
    match_labels: dict[str, str] = Field(description="Labels the services carry. Required.")
    port: str = Field("http", description="Name of the service port serving metrics. @default http")
    path: str = Field("/metrics", description="@default /metrics")
    interval: str | None = Field(None, description="Scrape interval. @default the stack's scrape interval")
    bearer_token: SecretKeyRef | None = Field(
        None, description="A Secret key holding a bearer token for the scrape (needs namespace). @default none")

    _name = field_validator("name")(_check(_DNS_LABEL_RE, "a DNS label"))
    _ns = field_validator("namespace")(_check(_DNS_LABEL_RE, "a DNS label"))
    _interval = field_validator("interval")(_check(_DURATION_RE, "a Prometheus duration (e.g. 30s)"))

    @field_validator("match_labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ConfigValueError("is empty; an empty selector would scrape every service")
        return v

    @model_validator(mode="after")
    def _token_needs_namespace(self) -> ScrapeTargetSpec:
        if self.bearer_token is not None and self.namespace is None:
            raise ConfigValueError("needs namespace: a ServiceMonitor reads Secrets from its own namespace",
                                   loc=("bearerToken",), value=self.bearer_token.model_dump(by_alias=True))
        return self


#: Labels a ModelServer puts on its Service (``pulumi_aiops.workloads.model_server``).
MODEL_SERVER_LABELS = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/component": "model-server"}
#: Labels the LLM gateway's Service is selected by (the gateway sets them).
GATEWAY_LABELS = {"app.kubernetes.io/component": "llm-gateway"}
#: KEDA's operator Service (kedacore/charts keda/templates/manager/service.yaml, chart 2.20.2:
#: ``app.kubernetes.io/name: {{ .Values.operator.name }}`` = keda-operator, port ``metrics`` when
#: ``prometheus.operator.enabled``).
KEDA_LABELS = {"app.kubernetes.io/name": "keda-operator"}
#: Label of a Service exporting the evaluation contract (drift and quality gauges).
EVALUATION_LABELS = {"aiops.io/evaluation": "true"}


def _gateway_target() -> ScrapeTargetSpec:
    # LiteLLM answers /metrics on its API port only with the master key; the gateway serves them on
    # the port named metrics instead (--prometheus_metrics_port), to Prometheus only.
    return ScrapeTargetSpec(name="llm-gateway", match_labels=dict(GATEWAY_LABELS), port="metrics")


class ScrapeSpec(AiopsModel):
    """What the stack scrapes besides Kubernetes itself."""

    model_config = ConfigDict(title="ScrapeArgs")

    model_servers: bool = Field(True, description="Every ModelServer's vLLM /metrics (selected by the labels "
                                                  "ModelServer sets). @default true")
    gateway: ScrapeTargetSpec | None = Field(
        default_factory=_gateway_target,
        description="The LLM gateway (LiteLLM /metrics). @default services labelled "
                    "app.kubernetes.io/component=llm-gateway, port metrics, in any namespace")
    autoscaling: bool = Field(True, description="KEDA's operator metrics (service app.kubernetes.io/name="
                                                "keda-operator, port metrics). @default true")
    evaluation: bool = Field(True, description="Services labelled aiops.io/evaluation=true, port metrics: "
                                               "evaluation jobs exporting the drift/quality contract. @default true")
    qdrant: list[ScrapeTargetSpec] = Field(default_factory=list,
                                           description="Qdrant stores (the platform adds its own). @default []")
    extra: list[ScrapeTargetSpec] = Field(default_factory=list, description="More targets. @default []")

    @model_validator(mode="after")
    def _unique(self) -> ScrapeSpec:
        seen: dict[tuple[str | None, str], str] = {}
        targets = [("gateway", self.gateway)] if self.gateway else []
        targets += [(f"qdrant[{i}]", t) for i, t in enumerate(self.qdrant)]
        targets += [(f"extra[{i}]", t) for i, t in enumerate(self.extra)]
        reserved = {"model-servers", "keda", "evaluation"}
        for where, t in targets:
            assert t is not None
            key = (t.namespace, t.name)
            loc: tuple[str | int, ...] = tuple(int(p) if p.isdigit() else p
                                               for p in where.replace("]", "").replace("[", ".").split("."))
            if t.name in reserved:
                raise ConfigValueError(f"is reserved for the built-in targets {sorted(reserved)}",
                                       loc=(*loc, "name"), value=t.name)
            if key in seen:
                raise ConfigValueError(f"is already the name of {seen[key]} in the same namespace",
                                       loc=(*loc, "name"), value=t.name)
            seen[key] = where
        return self


class PrometheusSpec(AiopsModel):
    """Prometheus: storage, retention, scraping."""

    model_config = ConfigDict(title="ObservabilityPrometheusArgs")

    retention: str = Field("15d", description="How long samples are kept. @default 15d")
    retention_size: str = Field("45GB", description="Prometheus deletes old blocks past this size (units B, KB, MB, "
                                                     "GB, TB). @default 45GB")
    storage_size: str = Field("50Gi", description="Persistent volume per replica. @default 50Gi")
    replicas: int = Field(1, ge=1, le=5, description="@default 1")
    scrape_interval: str = Field("30s", description="@default 30s")
    evaluation_interval: str = Field("30s", description="Rule evaluation interval. @default 30s")
    cpu: str = Field("500m", description="CPU request. @default 500m")
    memory: str = Field("4Gi", description="Memory request and limit. @default 4Gi")

    _durations = field_validator("retention", "scrape_interval", "evaluation_interval")(
        _check(_DURATION_RE, "a Prometheus duration (e.g. 15d, 30s)"))
    _size = field_validator("retention_size")(_check(_SIZE_RE, "a size in B, KB, MB, GB or TB (e.g. 45GB)"))
    _quantities = field_validator("storage_size", "memory")(_check(_QUANTITY_RE, "a quantity in Ki, Mi, Gi or Ti"))

    @model_validator(mode="after")
    def _fits(self) -> PrometheusSpec:
        if _size_gib(self.retention_size) >= _gib(self.storage_size):
            raise ConfigValueError(f"must be below storageSize ({self.storage_size}): Prometheus needs room to "
                                   "compact before it deletes", loc=("retentionSize",), value=self.retention_size)
        return self


class ReceiverType(StrEnum):
    """Where Alertmanager sends alerts."""

    NONE = "none"
    SNS = "sns"
    WEBHOOK = "webhook"


class AlertReceiverSpec(AiopsModel):
    """Alertmanager's receiver: an SNS topic, a webhook, or none."""

    model_config = ConfigDict(title="AlertReceiverArgs")

    type: ReceiverType = Field(ReceiverType.NONE, description="none, sns or webhook. @default none (alerts show in "
                                                             "Alertmanager only)")
    topic_arn: Wired[str] | None = Field(None, description="sns: the topic (e.g. AwsMonitoring's topic_arn). "
                                                           "@default none")
    role_arn: Wired[str] | None = Field(
        None, description="sns: a role Alertmanager assumes to publish (sigv4.role_arn); without it Alertmanager "
                          "uses its pod's credentials (EKS Pod Identity). @default none")
    webhook_url: Wired[str] | None = Field(None, description="webhook: the URL (kept secret). @default none")
    send_resolved: bool = Field(True, description="Also notify when an alert resolves. @default true")

    @field_validator("topic_arn")
    @classmethod
    def _arn(cls, v: Any) -> Any:
        if is_known(v) and v is not None and not _ARN_RE.match(str(v)):
            raise ConfigValueError("is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
        return v

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, v: Any) -> Any:
        if is_known(v) and v is not None and not str(v).startswith(("https://", "http://")):
            raise ConfigValueError("is not an http(s) URL", value="<secret>")
        return v

    @model_validator(mode="after")
    def _complete(self) -> AlertReceiverSpec:
        if self.type is ReceiverType.SNS and self.topic_arn is None:
            raise ConfigValueError("is required but missing for an sns receiver", loc=("topicArn",), value=None)
        if self.type is ReceiverType.WEBHOOK and self.webhook_url is None:
            raise ConfigValueError("is required but missing for a webhook receiver", loc=("webhookUrl",), value=None)
        return self


class AlertmanagerSpec(AiopsModel):
    """Alertmanager: its receiver and storage."""

    model_config = ConfigDict(title="AlertmanagerArgs")

    receiver: AlertReceiverSpec = Field(default_factory=AlertReceiverSpec, description="@default none")
    storage_size: str = Field("10Gi", description="@default 10Gi")
    retention: str = Field("120h", description="How long silences and notification state are kept. @default 120h")

    _q = field_validator("storage_size")(_check(_QUANTITY_RE, "a quantity in Ki, Mi, Gi or Ti"))
    _d = field_validator("retention")(_check(_DURATION_RE, "a duration (e.g. 120h)"))


class GrafanaSpec(AiopsModel):
    """Grafana: the admin user (password from pulumi-random), persistence, dashboards."""

    model_config = ConfigDict(title="GrafanaArgs")

    admin_user: str = Field("admin", description="@default admin")
    storage_size: str = Field("10Gi", description="@default 10Gi")
    default_dashboards: bool = Field(True, description="kube-prometheus-stack's own dashboards too. @default true")

    _q = field_validator("storage_size")(_check(_QUANTITY_RE, "a quantity in Ki, Mi, Gi or Ti"))


#: kube-prometheus-stack, prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml
#: ``version: 88.5.3`` at commit ea930baeebeba39f56d6b44e351f23b2a072a600 (2026-08-21).
KUBE_PROMETHEUS_STACK_VERSION = "88.5.3"
#: dcgm-exporter, NVIDIA/dcgm-exporter deployment/Chart.yaml ``version: "4.8.2"`` at commit
#: 691c92762eb551313c825f6efe4ceeee20982801 (2026-05-06, "DCGM-Exporter 4.5.3-4.8.2").
DCGM_EXPORTER_CHART_VERSION = "4.8.2"
#: opentelemetry-collector, open-telemetry/opentelemetry-helm-charts
#: charts/opentelemetry-collector/Chart.yaml ``version: 0.170.0`` (appVersion 0.158.0) at commit
#: dd5665c06f376c00a5e2147aa84b70c3d105ecfb (2026-08-20).
OTEL_COLLECTOR_CHART_VERSION = "0.170.0"
#: langfuse, langfuse/langfuse-k8s charts/langfuse/Chart.yaml ``version: 2.0.0`` (appVersion
#: 4.4.0) at commit 330ec918239092873563f7d41dd036ec7348420b (2026-08-18).
LANGFUSE_CHART_VERSION = "2.0.0"
#: The prerequisites langfuse-k8s README.md (same commit) installs for chart 2.0.0.
CERT_MANAGER_VERSION = "v1.20.2"
CLICKHOUSE_OPERATOR_VERSION = "0.0.5"


class DcgmExporterSpec(AiopsModel):
    """NVIDIA's DCGM exporter on the GPU nodes (EKS)."""

    model_config = ConfigDict(title="DcgmExporterArgs")

    enabled: bool | None = Field(
        None, description="Install the exporter. @default true on EKS; false on CoreWeave, where CKS exports the "
                          "DCGM metrics itself")
    chart_version: str = Field(DCGM_EXPORTER_CHART_VERSION, description=f"@default {DCGM_EXPORTER_CHART_VERSION}")
    pod_label_allowlist: list[str] = Field(
        default_factory=lambda: [r"^app\.kubernetes\.io/(name|instance|component)$"],
        description="Regexes of pod labels copied onto GPU metrics. @default app.kubernetes.io/name, instance, "
                    "component")

    _v = field_validator("chart_version")(_check(_CHART_VERSION_RE, "a chart version (x.y.z)"))


class TracingBackend(StrEnum):
    """Where the OpenTelemetry Collector exports traces."""

    LANGFUSE = "langfuse"
    OTLP = "otlp"
    NONE = "none"


class OtlpExporterSpec(AiopsModel):
    """Any OTLP/HTTP endpoint."""

    model_config = ConfigDict(title="OtlpExporterArgs")

    endpoint: str = Field(description="Base URL; /v1/traces is appended. Required.")
    headers: dict[str, Wired[str]] = Field(
        default_factory=dict, description="Headers (e.g. Authorization), kept in a Secret. @default {}")

    @field_validator("endpoint")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ConfigValueError("is not an http(s) URL")
        return v


class LangfuseSpec(AiopsModel):
    """Self-hosted Langfuse: its chart, with every credential generated by pulumi-random."""

    model_config = ConfigDict(title="LangfuseArgs")

    chart_version: str = Field(LANGFUSE_CHART_VERSION, description=f"@default {LANGFUSE_CHART_VERSION}")
    namespace: str = Field("langfuse", description="@default langfuse")
    install_prerequisites: bool = Field(
        True, description="Install cert-manager and the ClickHouse operator the chart needs (skip when the cluster "
                          "has them). @default true")
    postgres_storage_size: str = Field("20Gi", description="@default 20Gi")
    clickhouse_storage_size: str = Field("100Gi", description="@default 100Gi")
    blob_storage_size: str = Field("50Gi", description="SeaweedFS (S3-compatible) volume. @default 50Gi")
    clickhouse_replicas: int = Field(1, ge=1, description="@default 1")
    keeper_replicas: int = Field(3, description="ClickHouse Keeper replicas: 1, 3 or 5. @default 3")
    admin_email: str = Field(
        "admin@aiops.local", description="Email of the first Langfuse user (owner of the initial organisation; "
                                         "its password is generated and exported as a secret). @default "
                                         "admin@aiops.local")

    _v = field_validator("chart_version")(_check(_CHART_VERSION_RE, "a chart version (x.y.z)"))
    _ns = field_validator("namespace")(_check(_DNS_LABEL_RE, "a DNS label"))
    _q = field_validator("postgres_storage_size", "clickhouse_storage_size", "blob_storage_size")(
        _check(_QUANTITY_RE, "a quantity in Ki, Mi, Gi or Ti"))

    @field_validator("admin_email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not re.match(r"^[^@\s]+@[^@\s]+$", v):
            raise ConfigValueError("is not an email address")
        return v

    @field_validator("keeper_replicas")
    @classmethod
    def _odd(cls, v: int) -> int:
        if v not in (1, 3, 5):
            raise ConfigValueError("must be 1, 3 or 5 (a Keeper quorum)")
        return v


class TracingSpec(AiopsModel):
    """LLM traces: an OpenTelemetry Collector receiving OTLP, exporting to Langfuse or any OTLP endpoint."""

    model_config = ConfigDict(title="TracingArgs")

    backend: TracingBackend = Field(TracingBackend.LANGFUSE, description="langfuse, otlp or none. @default langfuse")
    otlp: OtlpExporterSpec | None = Field(None, description="otlp: the endpoint. @default none")
    langfuse: LangfuseSpec = Field(default_factory=LangfuseSpec, description="langfuse: the deployment. @default {}")
    collector_chart_version: str = Field(OTEL_COLLECTOR_CHART_VERSION,
                                         description=f"@default {OTEL_COLLECTOR_CHART_VERSION}")
    collector_replicas: int = Field(2, ge=1, description="@default 2")

    _v = field_validator("collector_chart_version")(_check(_CHART_VERSION_RE, "a chart version (x.y.z)"))

    @model_validator(mode="after")
    def _endpoint(self) -> TracingSpec:
        if self.backend is TracingBackend.OTLP and self.otlp is None:
            raise ConfigValueError("is required but missing for backend otlp", loc=("otlp",), value=None)
        return self


class ObservabilitySpec(AiopsModel):
    """What the observability stack deploys on a cluster: shared by the args and the stack config."""

    namespace: str = Field("monitoring", description="@default monitoring")
    chart_version: str = Field(KUBE_PROMETHEUS_STACK_VERSION,
                               description=f"kube-prometheus-stack chart. @default {KUBE_PROMETHEUS_STACK_VERSION}")
    storage_class: str | None = Field(
        None, description="StorageClass of every volume. @default gp3-encrypted on EKS (EksGpuCluster's encrypted "
                          "class), the cluster default on CoreWeave")
    prometheus: PrometheusSpec = Field(default_factory=PrometheusSpec, description="@default {}")
    alertmanager: AlertmanagerSpec = Field(default_factory=AlertmanagerSpec, description="@default {}")
    grafana: GrafanaSpec = Field(default_factory=GrafanaSpec, description="@default {}")
    dcgm: DcgmExporterSpec = Field(default_factory=DcgmExporterSpec, description="@default {}")
    scrape: ScrapeSpec = Field(default_factory=ScrapeSpec, description="@default {}")
    tracing: TracingSpec = Field(default_factory=TracingSpec, description="@default {}")
    default_slos: bool = Field(True, description="Add the platform's SLOs (gateway availability and latency, "
                                                 "model-server TTFT, GPU saturation). @default true")
    slos: list[SloSpec] = Field(default_factory=list, description="More SLOs; one named like a default SLO "
                                                                  "replaces it. @default []")
    tags: dict[str, str] = Field(default_factory=dict, description="Governance tags, as labels. @default {}")

    _ns = field_validator("namespace")(_check(_DNS_LABEL_RE, "a DNS label"))
    _v = field_validator("chart_version")(_check(_CHART_VERSION_RE, "a chart version (x.y.z)"))

    @field_validator("slos")
    @classmethod
    def _unique_slos(cls, v: list[SloSpec]) -> list[SloSpec]:
        seen: dict[str, int] = {}
        for i, s in enumerate(v):
            if s.name in seen:
                raise ConfigValueError(f"is already the name of slos[{seen[s.name]}]", loc=(i, "name"), value=s.name)
            seen[s.name] = i
        return v


class ObservabilityArgsModel(ObservabilitySpec):
    """Prometheus, Alertmanager, Grafana, GPU metrics, traces and SLOs on a GPU cluster: the args of Observability."""

    model_config = ConfigDict(title="ObservabilityArgs")

    cluster: GpuClusterInput = Field(
        description="The cluster to observe: an EksGpuCluster or CoreWeaveGpuCluster (or a GpuClusterRef). The "
                    "stack runs on its system nodes; the DCGM exporter on its GPU nodes. Required.")
    coreweave_metrics_token: Wired[str] | None = Field(
        None, description="CoreWeave clusters: an API access token (secret) for the CoreWeave Metrics data source "
                          "Grafana gets (DCGM metrics on CKS). @default none (no such data source)")


class ObservabilityConfig(ObservabilitySpec):
    """The stack-config section ``aiops:platform.observability``."""

    clusters: list[str] = Field(default_factory=list,
                                description="Clusters to observe, by name. @default [] = every declared cluster")
    aws: AwsMonitoringSpec | None = Field(
        None, description="CloudWatch alarms for Bedrock and the GPU node groups. @default created with defaults when "
                          "the stack has Bedrock or an EKS cluster")


# -- the AWS side ------------------------------------------------------------------------------
class BedrockAlarmThresholds(AiopsModel):
    """Per-model Bedrock alarm thresholds (5-minute periods). Design defaults: tune to your traffic."""

    model_config = ConfigDict(title="BedrockAlarmThresholdsArgs")

    latency_p90_ms: float = Field(20000, gt=0, description="InvocationLatency p90, milliseconds. @default 20000")
    throttles: float = Field(10, ge=0, description="InvocationThrottles per period. @default 10")
    server_errors: float = Field(5, ge=0, description="InvocationServerErrors per period. @default 5")
    client_errors: float = Field(50, ge=0, description="InvocationClientErrors per period. @default 50")
    evaluation_periods: int = Field(3, ge=1, description="Consecutive breaching periods. @default 3")


class SnsSubscription(AiopsModel):
    """A subscriber of the alarm topic."""

    model_config = ConfigDict(title="SnsSubscriptionArgs")

    protocol: str = Field(description="email, https, sqs, lambda, … Required.")
    endpoint: str = Field(description="Address, URL or ARN (a plain value: it names the subscription). Required.")


class AwsMonitoringSpec(AiopsModel):
    """CloudWatch alarms and a dashboard for Bedrock and GPU node groups, to a KMS-encrypted SNS topic."""

    thresholds: BedrockAlarmThresholds = Field(default_factory=BedrockAlarmThresholds, description="@default {}")
    group_metrics_enabled: bool = Field(
        False, description="The node groups' ASGs publish group metrics (EnableMetricsCollection, done outside "
                           "Pulumi): add an in-service < desired alarm. @default false")
    subscriptions: list[SnsSubscription] = Field(default_factory=list, description="@default []")


class AwsMonitoringArgsModel(AwsMonitoringSpec):
    """CloudWatch alarms and a dashboard for Bedrock models and GPU node groups: the args of AwsMonitoring."""

    model_config = ConfigDict(title="AwsMonitoringArgs")

    bedrock_models: list[str] = Field(default_factory=list,
                                      description="Model ids to watch (ModelId dimension). @default []")
    autoscaling_groups: dict[str, Wired[str]] = Field(
        default_factory=dict, description="GPU node groups: group name → its ASG's name (e.g. an EKS node group's "
                                          "resources[0].autoscalingGroups[0].name). @default {}")
    kms_key_arn: Wired[str] | None = Field(
        None, description="Key of the SNS topic; its policy must let cloudwatch.amazonaws.com use it. @default a new "
                          "key with that policy")
    tags: dict[str, str] = Field(default_factory=dict, description="@default {}")

    @field_validator("bedrock_models")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ConfigValueError("lists a model twice")
        return v


ObservabilityConfig.model_rebuild()
