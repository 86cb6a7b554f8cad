"""The Helm charts the observability stack installs, pinned, and the values it passes them.

Chart versions are the defaults of :mod:`pulumi_aiops.config.observability` (each with its
source: the chart's Chart.yaml at a named commit). The values builders are pure functions of the
validated args, so a test can check them (against the chart's ``values.schema.json`` where the
chart ships one: the OpenTelemetry Collector's; kube-prometheus-stack, dcgm-exporter and langfuse
ship none, so their value paths are checked against the charts' ``values.yaml``).

Images: every chart runs its own pinned ``appVersion`` tags; none is pinned by digest here,
because no digest could be verified from a source reachable offline (the
``k8s-image-digest-pinned`` rule reports them; it is advisory).
"""

from __future__ import annotations

from typing import Any

from pulumi_aiops.config.observability import (
    EVALUATION_LABELS,
    KEDA_LABELS,
    MODEL_SERVER_LABELS,
    ObservabilitySpec,
    ReceiverType,
    ScrapeTargetSpec,
)
from pulumi_aiops.images import OTEL_COLLECTOR_CONTRIB
from pulumi_aiops.observability.dashboards import COREWEAVE_METRICS_UID, DASHBOARD_LABEL

__all__ = [
    "CERT_MANAGER_CHART",
    "CLICKHOUSE_OPERATOR_CHART",
    "COREWEAVE_METRICS_URL",
    "DCGM_REPO",
    "KPS_REPO",
    "LANGFUSE_CHART",
    "OTEL_REPO",
    "RELEASE",
    "alertmanager_config",
    "builtin_targets",
    "collector_values",
    "dcgm_values",
    "kube_prometheus_stack_values",
    "langfuse_values",
    "service_monitor",
]

#: prometheus-community's chart repository (kube-prometheus-stack Chart.yaml ``sources``).
KPS_REPO = "https://prometheus-community.github.io/helm-charts"
#: NVIDIA's DCGM exporter chart repository (dcgm-exporter README).
DCGM_REPO = "https://nvidia.github.io/dcgm-exporter/helm-charts"
#: The OpenTelemetry charts repository (opentelemetry-helm-charts README).
OTEL_REPO = "https://open-telemetry.github.io/opentelemetry-helm-charts"
#: Langfuse's chart, published to GHCR (langfuse-k8s README, chart 2.0.0).
LANGFUSE_CHART = "oci://ghcr.io/langfuse/langfuse-k8s/charts/langfuse"
#: The prerequisites of langfuse 2.0.0, as its README installs them.
CERT_MANAGER_CHART = "oci://quay.io/jetstack/charts/cert-manager"
CLICKHOUSE_OPERATOR_CHART = "oci://ghcr.io/clickhouse/clickhouse-operator-helm"
#: CoreWeave's managed metrics, Prometheus-compatible (docs.coreweave.com/observability/
#: logs-metrics/introduction: base URL observe.coreweave.com, bearer API token; no federation).
COREWEAVE_METRICS_URL = "https://observe.coreweave.com"
#: kube-prometheus-stack's release name and ``fullnameOverride``: objects are ``aiops-…``.
RELEASE = "aiops"
#: The Alertmanager service account (``alertmanager.serviceAccount.name``), for Pod Identity.
ALERTMANAGER_SA = "aiops-alertmanager"
#: The Grafana admin Secret's keys (``grafana.admin.userKey``/``passwordKey`` defaults).
ADMIN_USER_KEY, ADMIN_PASSWORD_KEY = "admin-user", "admin-password"


def _place(node_selector: dict[str, str], tolerations: list[dict[str, str]]) -> dict[str, Any]:
    return {"nodeSelector": dict(node_selector), "tolerations": [dict(t) for t in tolerations]}


def _pvc(size: str, storage_class: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"volumeClaimTemplate": {"spec": spec}}


def alertmanager_config(spec: ObservabilitySpec, *, topic_arn: Any = None, region: Any = None,
                        webhook_url: Any = None) -> dict[str, Any]:
    """Alertmanager's config: pages and tickets to the receiver, Watchdog to nowhere.

    ``topic_arn``/``region`` (SNS) and ``webhook_url`` may be outputs; the caller resolves them."""
    r = spec.alertmanager.receiver
    receiver: dict[str, Any] = {"name": "platform"}
    if r.type is ReceiverType.SNS:
        sns: dict[str, Any] = {"topic_arn": topic_arn, "send_resolved": r.send_resolved,
                               "sigv4": {"region": region},
                               "subject": '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} '
                                          '{{ .CommonLabels.slo }}',
                               "attributes": {"severity": "{{ .CommonLabels.severity }}"}}
        if r.role_arn is not None:
            sns["sigv4"]["role_arn"] = r.role_arn
        receiver["sns_configs"] = [sns]
    elif r.type is ReceiverType.WEBHOOK:
        receiver["webhook_configs"] = [{"url": webhook_url, "send_resolved": r.send_resolved}]
    routes: list[dict[str, Any]] = [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}]
    if r.type is not ReceiverType.NONE:
        routes.append({"receiver": "platform", "matchers": ['severity =~ "page|ticket|critical|warning"'],
                       "continue": False})
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {"group_by": ["alertname", "slo", "namespace"], "group_wait": "30s", "group_interval": "5m",
                  "repeat_interval": "4h", "receiver": "null", "routes": routes},
        "inhibit_rules": [{"source_matchers": ['severity = "page"'], "target_matchers": ['severity = "ticket"'],
                           "equal": ["slo", "alertname"]}],
        "receivers": [{"name": "null"}, receiver] if r.type is not ReceiverType.NONE else [{"name": "null"}],
        "templates": ["/etc/alertmanager/config/*.tmpl"],
    }


def kube_prometheus_stack_values(
    spec: ObservabilitySpec, *, cluster_name: str, node_selector: dict[str, str],
    tolerations: list[dict[str, str]], storage_class: str | None, admin_secret: str,
    alertmanager: dict[str, Any], coreweave_metrics_secret: str | None = None,
) -> dict[str, Any]:
    """Values of kube-prometheus-stack (chart 88.5.3): every rule and monitor of every namespace
    selected, persistent volumes, retention, Alertmanager's receiver, Grafana's admin from a Secret
    and its dashboard sidecar; everything on the system nodes."""
    place = _place(node_selector, tolerations)
    p = spec.prometheus
    prometheus_spec: dict[str, Any] = {
        **place,
        "replicas": p.replicas,
        "retention": p.retention,
        "retentionSize": p.retention_size,
        "scrapeInterval": p.scrape_interval,
        "evaluationInterval": p.evaluation_interval,
        "externalLabels": {"cluster": cluster_name},
        "storageSpec": _pvc(p.storage_size, storage_class),
        "resources": {"requests": {"cpu": p.cpu, "memory": p.memory}, "limits": {"memory": p.memory}},
        # Pick up the platform's rules and monitors in every namespace, not only this release's.
        "ruleSelectorNilUsesHelmValues": False, "ruleSelector": {}, "ruleNamespaceSelector": {},
        "serviceMonitorSelectorNilUsesHelmValues": False, "serviceMonitorSelector": {},
        "serviceMonitorNamespaceSelector": {},
        "podMonitorSelectorNilUsesHelmValues": False, "podMonitorSelector": {}, "podMonitorNamespaceSelector": {},
        "probeSelectorNilUsesHelmValues": False,
        "scrapeConfigSelectorNilUsesHelmValues": False,
    }
    grafana: dict[str, Any] = {
        **place,
        "admin": {"existingSecret": admin_secret, "userKey": ADMIN_USER_KEY, "passwordKey": ADMIN_PASSWORD_KEY},
        "defaultDashboardsEnabled": spec.grafana.default_dashboards,
        "persistence": {"enabled": True, "type": "pvc", "accessModes": ["ReadWriteOnce"],
                        "size": spec.grafana.storage_size,
                        **({"storageClassName": storage_class} if storage_class else {})},
        "sidecar": {"dashboards": {"enabled": True, "label": DASHBOARD_LABEL[0], "labelValue": DASHBOARD_LABEL[1],
                                   "searchNamespace": "ALL", "folderAnnotation": "grafana_folder",
                                   "provider": {"foldersFromFilesStructure": True}}},
    }
    if coreweave_metrics_secret is not None:
        grafana["envValueFrom"] = {"CW_METRICS_TOKEN": {"secretKeyRef": {"name": coreweave_metrics_secret,
                                                                          "key": "token"}}}
        grafana["additionalDataSources"] = [{
            "name": "CoreWeave Metrics", "uid": COREWEAVE_METRICS_UID, "type": "prometheus", "access": "proxy",
            "url": COREWEAVE_METRICS_URL, "editable": False,
            "jsonData": {"httpMethod": "GET", "httpHeaderName1": "Authorization"},
            # Grafana expands $__env{…} in provisioning files; the token stays in the Secret.
            "secureJsonData": {"httpHeaderValue1": "Bearer $__env{CW_METRICS_TOKEN}"},
        }]
    a = spec.alertmanager
    return {
        "fullnameOverride": RELEASE,
        "crds": {"enabled": True},
        "defaultRules": {"create": True},
        "prometheusOperator": {**place, "admissionWebhooks": {"patch": place}},
        "prometheus": {"prometheusSpec": prometheus_spec},
        "alertmanager": {
            "serviceAccount": {"create": True, "name": ALERTMANAGER_SA},
            "config": alertmanager,
            "alertmanagerSpec": {**place, "retention": a.retention,
                                 "storage": _pvc(a.storage_size, storage_class)},
        },
        "grafana": grafana,
        "kube-state-metrics": place,
    }


def dcgm_values(spec: ObservabilitySpec, *, node_selector: dict[str, str],
                tolerations: list[dict[str, str]]) -> dict[str, Any]:
    """Values of dcgm-exporter (chart 4.8.2): on GPU nodes only, pod and namespace labels
    (the chart always sets ``DCGM_EXPORTER_KUBERNETES=true``; ``kubernetes.enablePodLabels`` adds
    the allow-listed pod labels), scraped with ``honorLabels`` so the GPU's pod and namespace are
    kept, not renamed ``exported_pod``."""
    return {
        **_place(node_selector, tolerations),
        "kubernetes": {"enablePodLabels": True, "podLabelAllowlistRegex": list(spec.dcgm.pod_label_allowlist),
                       "rbac": {"create": True}},
        "extraEnv": [{"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"}],
        "serviceMonitor": {"enabled": True, "honorLabels": True, "interval": "15s"},
    }


def service_monitor(name: str, namespace: str, target: ScrapeTargetSpec, labels: dict[str, str],
                    any_namespace: bool) -> dict[str, Any]:
    """A ``monitoring.coreos.com/v1`` ServiceMonitor for ``target``."""
    endpoint: dict[str, Any] = {"port": target.port, "path": target.path, "scheme": "http"}
    if target.interval:
        endpoint["interval"] = target.interval
    if target.bearer_token is not None:
        endpoint["authorization"] = {"type": "Bearer", "credentials": {"name": target.bearer_token.name,
                                                                       "key": target.bearer_token.key}}
    spec: dict[str, Any] = {"selector": {"matchLabels": dict(target.match_labels)}, "endpoints": [endpoint]}
    spec["namespaceSelector"] = {"any": True} if any_namespace else {"matchNames": [namespace]}
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)}, "spec": spec}


def builtin_targets(spec: ObservabilitySpec) -> list[ScrapeTargetSpec]:
    """The scrape targets the stack always considers (model servers, KEDA, evaluation jobs)."""
    s = spec.scrape
    out: list[ScrapeTargetSpec] = []
    if s.model_servers:  # vLLM serves /metrics on its API port, named http by ModelServer
        out.append(ScrapeTargetSpec(name="model-servers", match_labels=dict(MODEL_SERVER_LABELS), port="http"))
    if s.autoscaling:
        out.append(ScrapeTargetSpec(name="keda", match_labels=dict(KEDA_LABELS), port="metrics"))
    if s.evaluation:
        out.append(ScrapeTargetSpec(name="evaluation", match_labels=dict(EVALUATION_LABELS), port="metrics"))
    return out


def collector_values(spec: ObservabilitySpec, *, config: dict[str, Any], node_selector: dict[str, str],
                     tolerations: list[dict[str, str]], auth_secret: str | None) -> dict[str, Any]:
    """Values of opentelemetry-collector (chart 0.170.0, collector 0.158.0): a Deployment of the
    contrib distribution receiving OTLP on 4317/4318, its own metrics scraped, a PDB; credentials
    for the exporter come from ``auth_secret`` as environment variables."""
    values: dict[str, Any] = {
        "mode": "deployment",
        "image": OTEL_COLLECTOR_CONTRIB.helm_values(),  # by digest (pulumi_aiops.images)
        "replicaCount": spec.tracing.collector_replicas,
        **_place(node_selector, tolerations),
        "alternateConfig": config,  # the whole config: the chart's default pipelines are not merged in
        "ports": {name: {"enabled": False} for name in ("jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin")}
                 | {"metrics": {"enabled": True}},
        "serviceMonitor": {"enabled": True},
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"}},
    }
    if auth_secret is not None:
        values["extraEnvsFrom"] = [{"secretRef": {"name": auth_secret}}]
    return values


def langfuse_values(spec: ObservabilitySpec, *, secrets: dict[str, Any], init_secret: str,
                    node_selector: dict[str, str], tolerations: list[dict[str, str]],
                    storage_class: str | None) -> dict[str, Any]:
    """Values of langfuse (chart 2.0.0): every credential given (``secrets``: outputs of
    pulumi-random, so nothing depends on Helm's ``lookup``), the first organisation, project and
    API keys created headless from ``init_secret`` (LANGFUSE_INIT_*), sign-up disabled, telemetry
    off, on the system nodes."""
    lf = spec.tracing.langfuse
    place = _place(node_selector, tolerations)
    sc = storage_class or ""
    return {
        "langfuse": {
            **place,
            "salt": {"value": secrets["salt"]},
            "encryptionKey": {"value": secrets["encryption_key"]},
            "nextauth": {"secret": {"value": secrets["nextauth_secret"]}},
            "features": {"telemetryEnabled": False, "signUpDisabled": True},
            "additionalEnv": [],
            "additionalEnvFrom": [{"secretRef": {"name": init_secret}}],
        },
        "postgresql": {"deploy": True, **place, "auth": {"password": secrets["postgres_password"]},
                       "storage": {"requestedSize": lf.postgres_storage_size, "className": sc}},
        "redis": {"deploy": True, "auth": {"password": secrets["redis_password"]},
                  "dataStorage": {"enabled": True, "requestedSize": "8Gi", "className": sc}},
        "clickhouse": {
            "deploy": True, "auth": {"password": secrets["clickhouse_password"]},
            "cluster": {"replicas": lf.clickhouse_replicas, **place,
                        "storage": {"size": lf.clickhouse_storage_size, "className": sc}},
            "keeper": {"replicas": lf.keeper_replicas, **place, "storage": {"className": sc}},
        },
        "s3": {"deploy": True, "auth": {"rootPassword": secrets["s3_password"]},
               "allInOne": {"data": {"size": lf.blob_storage_size, "storageClass": sc}}},
    }
