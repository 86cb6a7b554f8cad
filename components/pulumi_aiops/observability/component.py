"""``Observability``: metrics, dashboards, alerts, LLM traces and SLOs on any GPU cluster.

Through the GPU-cluster contract (:mod:`pulumi_aiops.contract`), on EKS and CoreWeave alike:

* **kube-prometheus-stack** (prometheus-community chart, pinned) in the ``monitoring`` namespace on
  the cluster's system nodes: Prometheus with persistent volumes (on EKS an encrypted gp3
  StorageClass of its own), retention by time and size, and rule, ServiceMonitor and PodMonitor
  selectors that take every namespace's objects (so the platform's ``PrometheusRule``\\ s and
  ``ServiceMonitor``\\ s, and any other component's, are picked up); Alertmanager routing pages and
  tickets to an SNS topic or a webhook; Grafana with its admin password from pulumi-random in a
  Secret and a sidecar loading the dashboards;
* **GPU metrics**: NVIDIA's dcgm-exporter chart (pinned) on EKS, on the GPU nodes only (the
  contract's GPU node selector and tolerations), with the pod and namespace of each GPU; on
  CoreWeave, CKS exports the DCGM metrics itself to CoreWeave Metrics: give
  ``coreweave_metrics_token`` and Grafana gets that data source (the GPU dashboard defaults to it);
* **scrape targets** selected by labels: every ModelServer (vLLM ``/metrics``), the LLM gateway,
  KEDA's operator, evaluation jobs (``aiops.io/evaluation=true``), Qdrant stores, your own;
* **LLM traces**: an OpenTelemetry Collector (collector chart, contrib distribution) receiving OTLP
  (gRPC 4317, HTTP 4318) and exporting to a self-hosted Langfuse (its chart, every credential from
  pulumi-random, protected) or any OTLP/HTTP endpoint;
* **dashboards** (:mod:`~pulumi_aiops.observability.dashboards`) as ConfigMaps;
* **SLOs as code** (:mod:`~pulumi_aiops.observability.slo`): one ``PrometheusRule`` per SLO with
  multi-window, multi-burn-rate alerts, plus the platform's alerts.

Every namespace it creates gets a default-deny NetworkPolicy and explicit allows. Example::

    import pulumi
    from pulumi_aiops.observability import Observability
    from pulumi_aiops.observability.defaults import drift_slo

    obs = Observability("obs", {
        "cluster": cluster,                                    # an EksGpuCluster or CoreWeaveGpuCluster
        "alertmanager": {"receiver": {"type": "webhook", "webhook_url": "https://hooks.example.com/x"}},
        "slos": [drift_slo("chat-drift", threshold=0.2, model="chat")],
        "tags": {"owner": "ml-platform", "cost-center": "cc-1"},
    })
    pulumi.export("otlp", obs.otlp_http_endpoint)
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import base64
import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops import diagnostics
from pulumi_aiops.args import ObservabilityArgs
from pulumi_aiops.catalog import Cloud
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.observability import (
    ObservabilityArgsModel,
    ReceiverType,
    ScrapeTargetSpec,
    SloSpec,
    TracingBackend,
)
from pulumi_aiops.contract import resolve_cluster
from pulumi_aiops.errors import AiopsError, ConfigError
from pulumi_aiops.observability import charts
from pulumi_aiops.observability.dashboards import COREWEAVE_METRICS_UID, FOLDER, PROMETHEUS_UID, dashboard_json
from pulumi_aiops.observability.dashboards import dashboards as build_dashboards
from pulumi_aiops.observability.defaults import default_slos, merge_slos
from pulumi_aiops.observability.otel import check_collector_config, collector_config
from pulumi_aiops.observability.promql import metric_names
from pulumi_aiops.observability.slo import PAGE, rule_groups

__all__ = ["TYPE_TOKEN", "Observability", "ObservabilityArgs", "effective_slos"]

TYPE_TOKEN = "aiops:index:Observability"
#: The StorageClass the EKS cluster component creates (encrypted gp3): the default volume class on EKS.
EKS_ENCRYPTED_CLASS = "aiops-monitoring-gp3"
_LABELS = {"app.kubernetes.io/part-of": "pulumi-aiops", "app.kubernetes.io/managed-by": "pulumi-aiops"}


def effective_slos(cfg: ObservabilityArgsModel, cloud: Cloud) -> list[SloSpec]:
    """The SLOs a stack gets: the defaults for ``cloud`` (unless ``default_slos`` is off) with any
    of the same name replaced by ``cfg.slos``, then the rest of ``cfg.slos``."""
    return merge_slos(default_slos(cloud) if cfg.default_slos else [], list(cfg.slos))


def _slo_warnings(slos: list[SloSpec], cloud: Cloud, where: str) -> None:
    for s in slos:
        if 1 - PAGE[0].factor * s.error_budget <= 0:
            diagnostics.warn(f"{where}.slos: {s.name!r} has objective {s.objective:g}: its fastest page condition "
                             f"(error ratio above {PAGE[0].factor:g}x the budget) can never hold; only the 6x one can",
                             key=("slo-page", where, s.name))
        if cloud is Cloud.COREWEAVE:
            exprs = [e for e in (s.sli.good, s.sli.bad, s.sli.total, s.sli.gauge) if e]
            dcgm = sorted({n for e in exprs for n in metric_names(e) if n.startswith("DCGM_")})
            if dcgm:
                diagnostics.warn(f"{where}.slos: {s.name!r} reads {dcgm}: on CoreWeave the DCGM metrics live in "
                                 "CoreWeave Metrics, not in the cluster's Prometheus, so this SLO has no data",
                                 key=("slo-dcgm", where, s.name))


def _cloud_of(cluster: Any) -> Cloud:
    return Cloud(cluster.cloud)


class Observability(pulumi.ComponentResource):
    """Prometheus, Alertmanager, Grafana, GPU metrics, traces and SLOs on a GPU cluster.

    Attributes besides the outputs: ``slos`` (the SLO specs), ``rule_groups`` (the rendered
    Prometheus rule groups), ``dashboards`` (uid → Grafana JSON), ``collector_config`` (the
    collector's effective config, or ``None``), ``namespace``, ``release`` (kube-prometheus-stack),
    ``dcgm_release``, ``collector_release``, ``langfuse_release`` (each ``None`` when not installed).
    """

    prometheus_url: pulumi.Output[str]
    """In-cluster URL of Prometheus (``http://aiops-prometheus.<ns>.svc.cluster.local:9090``)."""
    alertmanager_url: pulumi.Output[str]
    """In-cluster URL of Alertmanager."""
    grafana_url: pulumi.Output[str]
    """In-cluster URL of Grafana (reach it with ``kubectl port-forward``)."""
    grafana_admin_password: pulumi.Output[str]
    """Grafana's admin password (secret)."""
    otlp_http_endpoint: pulumi.Output[str]
    """The collector's OTLP/HTTP endpoint (empty when tracing is off)."""
    otlp_grpc_endpoint: pulumi.Output[str]
    """The collector's OTLP/gRPC endpoint (empty when tracing is off)."""

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        where = f"Observability({name!r})"
        cfg = component_args(ObservabilityArgsModel, raw, where)
        cloud = _cloud_of(cfg.cluster)
        self.slos = effective_slos(cfg, cloud)
        _slo_warnings(self.slos, cloud, where)
        dcgm_on = cfg.dcgm.enabled if cfg.dcgm.enabled is not None else cloud is Cloud.AWS
        if dcgm_on and cloud is Cloud.COREWEAVE:
            diagnostics.warn(f"{where}.dcgm.enabled: true on CoreWeave: CKS already runs DCGM for its own metrics; "
                             "a second exporter may fail to take the GPUs' profiling counters", key=("dcgm-cw", name))
        if cfg.coreweave_metrics_token is not None and cloud is not Cloud.COREWEAVE:
            raise ConfigError(f"{where}.coreweaveMetricsToken: is for CoreWeave clusters; this cluster runs on "
                              f"{cloud.value}")
        self.rule_groups = rule_groups(self.slos)
        gpu_ds = COREWEAVE_METRICS_UID if cfg.coreweave_metrics_token is not None else PROMETHEUS_UID
        self.dashboards = {k: dashboard_json(b) for k, b in build_dashboards(gpu_datasource=gpu_ds).items()}
        self.collector_config: dict[str, Any] | None = None
        exporter = self._exporter(cfg)
        if exporter is not None:
            self.collector_config = collector_config(*exporter)
            problems = check_collector_config(self.collector_config)
            if problems:  # a library bug, caught before anything is registered
                raise AiopsError(f"{where}: the collector config does not load: {problems}")

        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        cluster = resolve_cluster(cfg.cluster, self, name)
        self.cluster_name = cluster.cluster_name
        ns = cfg.namespace
        k = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        sys_sel, sys_tol = cluster.system_node_selector, cluster.system_tolerations
        labels = {**_LABELS, **{t: v for t, v in _tag_labels(cfg.tags).items() if t not in _LABELS}}

        # -- namespace, isolation, storage, secrets -------------------------------------------
        # node-exporter (hostNetwork, hostPID, hostPath) and dcgm-exporter (root, SYS_ADMIN) need the
        # privileged Pod Security level; warn/audit at restricted shows what else would not pass.
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns", metadata={"name": ns, "labels": {
                **labels, "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/warn": "baseline", "pod-security.kubernetes.io/audit": "baseline"}},
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=cluster.depends_on)))
        in_ns = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.namespace]))
        self._network_policies(ns, labels, in_ns, otlp=exporter is not None)
        storage_class = cfg.storage_class
        deps: list[pulumi.Resource] = [self.namespace]
        if storage_class is None and cloud is Cloud.AWS:
            sc = k8s.storage.v1.StorageClass(
                f"{name}-gp3", metadata={"name": EKS_ENCRYPTED_CLASS, "labels": labels},
                provisioner="ebs.csi.aws.com", parameters={"type": "gp3", "encrypted": "true"},
                volume_binding_mode="WaitForFirstConsumer", reclaim_policy="Retain", allow_volume_expansion=True,
                opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=cluster.depends_on)))
            storage_class = EKS_ENCRYPTED_CLASS
            deps.append(sc)

        import pulumi_random as random

        password = random.RandomPassword(f"{name}-grafana-admin", length=32, special=False,
                                         opts=pulumi.ResourceOptions(parent=self))
        admin_secret = "aiops-grafana-admin"
        deps.append(k8s.core.v1.Secret(
            f"{name}-grafana-admin", metadata={"name": admin_secret, "namespace": ns, "labels": labels},
            type="Opaque", string_data={charts.ADMIN_USER_KEY: cfg.grafana.admin_user,
                                        charts.ADMIN_PASSWORD_KEY: password.result},
            opts=in_ns))
        self.grafana_admin_password = pulumi.Output.secret(password.result)
        cw_secret = None
        if cfg.coreweave_metrics_token is not None:
            cw_secret = "coreweave-metrics-token"
            deps.append(k8s.core.v1.Secret(
                f"{name}-coreweave-metrics", metadata={"name": cw_secret, "namespace": ns, "labels": labels},
                type="Opaque", string_data={"token": pulumi.Output.secret(cfg.coreweave_metrics_token)},
                opts=in_ns))

        # -- kube-prometheus-stack ----------------------------------------------------------------
        values = charts.kube_prometheus_stack_values(
            cfg, cluster_name=cluster.cluster_name, node_selector=sys_sel, tolerations=sys_tol,
            storage_class=storage_class, admin_secret=admin_secret, alertmanager=self._alertmanager(cfg),
            coreweave_metrics_secret=cw_secret)
        self.release = k8s.helm.v3.Release(
            f"{name}-kube-prometheus-stack", name=charts.RELEASE, chart="kube-prometheus-stack",
            version=cfg.chart_version, repository_opts={"repo": charts.KPS_REPO}, namespace=ns,
            values=values, atomic=False, timeout=900,
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=deps)))
        after_stack = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.release]))

        self.dcgm_release: k8s.helm.v3.Release | None = None
        if dcgm_on:
            self.dcgm_release = k8s.helm.v3.Release(
                f"{name}-dcgm-exporter", name="dcgm-exporter", chart="dcgm-exporter", version=cfg.dcgm.chart_version,
                repository_opts={"repo": charts.DCGM_REPO}, namespace=ns,
                values=charts.dcgm_values(cfg, node_selector=cluster.gpu_node_selector,
                                          tolerations=cluster.gpu_tolerations),
                atomic=False, opts=after_stack)

        # -- scrape targets, rules, dashboards ----------------------------------------------------
        self.service_monitors: dict[str, k8s.apiextensions.CustomResource] = {}
        targets = charts.builtin_targets(cfg)
        if cfg.scrape.gateway is not None:
            targets.append(cfg.scrape.gateway)
        targets += [*cfg.scrape.qdrant, *cfg.scrape.extra]
        for t in targets:
            self._service_monitor(t, ns, labels, after_stack)
        self.prometheus_rules: dict[str, k8s.apiextensions.CustomResource] = {}
        for group in self.rule_groups:
            self.prometheus_rules[group["name"]] = k8s.apiextensions.CustomResource(
                f"{name}-rules-{group['name']}", api_version="monitoring.coreos.com/v1", kind="PrometheusRule",
                metadata={"name": group["name"], "namespace": ns, "labels": {**labels, "aiops.io/rules": "slo"}},
                spec={"groups": [group]}, opts=after_stack)
        self.dashboard_config_maps: dict[str, k8s.core.v1.ConfigMap] = {}
        for key, board in self.dashboards.items():
            self.dashboard_config_maps[key] = k8s.core.v1.ConfigMap(
                f"{name}-dashboard-{key}",
                metadata={"name": f"aiops-dashboard-{key}", "namespace": ns,
                          "labels": {**labels, "grafana_dashboard": "1"}, "annotations": {"grafana_folder": FOLDER}},
                data={f"aiops-{key}.json": json.dumps(board, sort_keys=True)}, opts=in_ns)

        # -- traces ---------------------------------------------------------------------------------
        self.collector_release: k8s.helm.v3.Release | None = None
        self.langfuse_release: k8s.helm.v3.Release | None = None
        self.langfuse_admin_password: pulumi.Output[str] | None = None
        self.otlp_http_endpoint = pulumi.Output.from_input("")
        self.otlp_grpc_endpoint = pulumi.Output.from_input("")
        if exporter is not None:
            assert self.collector_config is not None
            auth = self._tracing_backend(cfg, ns, labels, k, in_ns, sys_sel, sys_tol, storage_class)
            self.collector_release = k8s.helm.v3.Release(
                f"{name}-otel-collector", name="otel-collector", chart="opentelemetry-collector",
                version=cfg.tracing.collector_chart_version, repository_opts={"repo": charts.OTEL_REPO},
                namespace=ns,
                values={"fullnameOverride": "otel-collector",
                        **charts.collector_values(cfg, config=self.collector_config, node_selector=sys_sel,
                                                  tolerations=sys_tol, auth_secret=auth[0] if auth else None)},
                atomic=False,
                opts=pulumi.ResourceOptions.merge(after_stack, pulumi.ResourceOptions(
                    depends_on=[self.release, *(auth[1:] if auth else [])])))
            base = f"otel-collector.{ns}.svc.cluster.local"
            self.otlp_http_endpoint = pulumi.Output.from_input(f"http://{base}:4318")
            self.otlp_grpc_endpoint = pulumi.Output.from_input(f"http://{base}:4317")

        svc = f"{ns}.svc.cluster.local"
        self.prometheus_url = pulumi.Output.from_input(f"http://{charts.RELEASE}-prometheus.{svc}:9090")
        self.alertmanager_url = pulumi.Output.from_input(f"http://{charts.RELEASE}-alertmanager.{svc}:9093")
        self.grafana_url = pulumi.Output.from_input(f"http://{charts.RELEASE}-grafana.{svc}:80")
        self.register_outputs({
            "cluster": cluster.cluster_name, "namespace": ns, "prometheusUrl": self.prometheus_url,
            "alertmanagerUrl": self.alertmanager_url, "grafanaUrl": self.grafana_url,
            "grafanaAdminPassword": self.grafana_admin_password, "otlpHttpEndpoint": self.otlp_http_endpoint,
            "otlpGrpcEndpoint": self.otlp_grpc_endpoint, "slos": [s.name for s in self.slos],
            "dashboards": sorted(b["uid"] for b in self.dashboards.values()),
        })

    # -- pieces --------------------------------------------------------------------------------
    @staticmethod
    def _exporter(cfg: ObservabilityArgsModel) -> tuple[str, dict[str, Any]] | None:
        t = cfg.tracing
        if t.backend is TracingBackend.NONE:
            return None
        if t.backend is TracingBackend.LANGFUSE:
            endpoint = f"http://langfuse-web.{t.langfuse.namespace}.svc.cluster.local:3000/api/public/otel"
            # Basic auth with the project's public:secret key; Langfuse v4 wants the ingestion version header.
            return "otlp_http/langfuse", {"endpoint": endpoint, "headers": {
                "Authorization": "Basic ${env:LANGFUSE_AUTH}", "x-langfuse-ingestion-version": "4"}}
        assert t.otlp is not None
        headers = {h: f"${{env:OTLP_HEADER_{i}}}" for i, h in enumerate(sorted(t.otlp.headers))}
        return "otlp_http/backend", {"endpoint": t.otlp.endpoint, **({"headers": headers} if headers else {})}

    def _alertmanager(self, cfg: ObservabilityArgsModel) -> dict[str, Any]:
        r = cfg.alertmanager.receiver
        if r.type is ReceiverType.SNS:
            topic = pulumi.Output.from_input(r.topic_arn)
            region = topic.apply(lambda arn: str(arn).split(":")[3])
            return charts.alertmanager_config(cfg, topic_arn=topic, region=region)
        if r.type is ReceiverType.WEBHOOK:
            return charts.alertmanager_config(cfg, webhook_url=pulumi.Output.secret(r.webhook_url))
        return charts.alertmanager_config(cfg)

    def _network_policies(self, ns: str, labels: dict[str, str], opts: pulumi.ResourceOptions,
                          *, otlp: bool) -> None:
        n = self._name

        def policy(key: str, spec: Any) -> None:
            k8s.networking.v1.NetworkPolicy(
                f"{n}-netpol-{key}", metadata={"name": key, "namespace": ns, "labels": labels}, spec=spec, opts=opts)

        policy("default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]})
        # Prometheus, Alertmanager, Grafana, the operator and the exporters talk to each other.
        policy("allow-same-namespace", {"podSelector": {}, "policyTypes": ["Ingress"],
                                        "ingress": [{"from": [{"podSelector": {}}]}]})
        # The operator's admission webhook is called by the API server, which has no pod address.
        policy("allow-operator-webhook", {
            "podSelector": {"matchLabels": {"app": "kube-prometheus-stack-operator"}}, "policyTypes": ["Ingress"],
            "ingress": [{"ports": [{"port": 10250, "protocol": "TCP"}]}]})
        if otlp:  # the gateway and the model servers send traces from their own namespaces
            policy("allow-otlp", {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "opentelemetry-collector"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"namespaceSelector": {}}],
                             "ports": [{"port": 4317, "protocol": "TCP"}, {"port": 4318, "protocol": "TCP"}]}]})

    def _service_monitor(self, target: ScrapeTargetSpec, ns: str, labels: dict[str, str],
                         opts: pulumi.ResourceOptions) -> None:
        where = target.namespace or ns
        key = f"{target.namespace}-{target.name}" if target.namespace else target.name
        doc = charts.service_monitor(f"aiops-{target.name}", where, target, labels,
                                     any_namespace=target.namespace is None)
        self.service_monitors[key] = k8s.apiextensions.CustomResource(
            f"{self._name}-sm-{key}", api_version=doc["apiVersion"], kind=doc["kind"], metadata=doc["metadata"],
            spec=doc["spec"], opts=opts)

    def _tracing_backend(self, cfg: ObservabilityArgsModel, ns: str, labels: dict[str, str],
                         k: pulumi.ResourceOptions, in_ns: pulumi.ResourceOptions, sys_sel: dict[str, str],
                         sys_tol: list[dict[str, str]], storage_class: str | None) -> list[Any] | None:
        """The exporter's credentials Secret (name first, then resources to wait for), or ``None``."""
        import pulumi_random as random

        n, t = self._name, cfg.tracing
        if t.backend is TracingBackend.OTLP:
            assert t.otlp is not None
            if not t.otlp.headers:
                return None
            data = {f"OTLP_HEADER_{i}": pulumi.Output.secret(t.otlp.headers[h])
                    for i, h in enumerate(sorted(t.otlp.headers))}
            secret = k8s.core.v1.Secret(
                f"{n}-otlp-headers", metadata={"name": "otel-exporter-auth", "namespace": ns, "labels": labels},
                type="Opaque", string_data=data, opts=in_ns)
            return ["otel-exporter-auth", secret]

        lf = t.langfuse
        protected = pulumi.ResourceOptions(parent=self, protect=True)

        def password(key: str, length: int = 32) -> pulumi.Output[str]:
            return random.RandomPassword(f"{n}-langfuse-{key}", length=length, special=False, opts=protected).result

        secrets: dict[str, Any] = {
            "salt": password("salt"),
            # 256 bits as 64 hex characters, what Langfuse's ENCRYPTION_KEY must be
            "encryption_key": random.RandomId(f"{n}-langfuse-encryption-key", byte_length=32, opts=protected).hex,
            "nextauth_secret": password("nextauth-secret"),
            "postgres_password": password("postgres"),
            "redis_password": password("redis"),
            "clickhouse_password": password("clickhouse"),
            "s3_password": password("s3"),
        }
        # The project's API key pair, in Langfuse's pk-lf-/sk-lf- form.
        public_key = pulumi.Output.concat("pk-lf-", password("public-key", 36))
        secret_key = pulumi.Output.concat("sk-lf-", password("secret-key", 36))
        admin_password = password("admin")
        self.langfuse_admin_password = pulumi.Output.secret(admin_password)
        lns = lf.namespace
        lf_labels = {**labels, "pod-security.kubernetes.io/enforce": "baseline"}
        namespace = k8s.core.v1.Namespace(
            f"{n}-langfuse-ns", metadata={"name": lns, "labels": lf_labels},
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.namespace])))
        lf_opts = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[namespace]))
        lf_policies: list[tuple[str, Any]] = [
            ("default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]}),
            ("allow-same-namespace", {"podSelector": {}, "policyTypes": ["Ingress"],
                                      "ingress": [{"from": [{"podSelector": {}}]}]}),
            # the collector exports to the web service; Grafana/people reach the UI by port-forward
            ("allow-collector", {"podSelector": {}, "policyTypes": ["Ingress"],
                                 "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                                     "kubernetes.io/metadata.name": ns}}}],
                                     "ports": [{"port": 3000, "protocol": "TCP"}]}]}),
        ]
        for key, spec in lf_policies:
            k8s.networking.v1.NetworkPolicy(f"{n}-langfuse-netpol-{key}",
                                            metadata={"name": key, "namespace": lns, "labels": labels},
                                            spec=spec, opts=lf_opts)
        init = k8s.core.v1.Secret(
            f"{n}-langfuse-init", metadata={"name": "langfuse-init", "namespace": lns, "labels": labels},
            type="Opaque", string_data={
                "LANGFUSE_INIT_ORG_ID": "aiops", "LANGFUSE_INIT_ORG_NAME": "AI platform",
                "LANGFUSE_INIT_PROJECT_ID": "platform", "LANGFUSE_INIT_PROJECT_NAME": "Platform traces",
                "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": public_key, "LANGFUSE_INIT_PROJECT_SECRET_KEY": secret_key,
                "LANGFUSE_INIT_USER_EMAIL": lf.admin_email, "LANGFUSE_INIT_USER_NAME": "Platform admin",
                "LANGFUSE_INIT_USER_PASSWORD": admin_password},
            opts=lf_opts)
        prereqs: list[pulumi.Resource] = []
        if lf.install_prerequisites:
            from pulumi_aiops.config.observability import CERT_MANAGER_VERSION, CLICKHOUSE_OPERATOR_VERSION

            cert_manager = k8s.helm.v3.Release(
                f"{n}-cert-manager", name="cert-manager", chart=charts.CERT_MANAGER_CHART,
                version=CERT_MANAGER_VERSION, namespace="cert-manager", create_namespace=True,
                values={"crds": {"enabled": True}}, atomic=False, opts=k)
            prereqs.append(k8s.helm.v3.Release(
                f"{n}-clickhouse-operator", name="clickhouse-operator", chart=charts.CLICKHOUSE_OPERATOR_CHART,
                version=CLICKHOUSE_OPERATOR_VERSION, namespace="clickhouse-operator", create_namespace=True,
                atomic=False, opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[cert_manager]))))
        self.langfuse_release = k8s.helm.v3.Release(
            f"{n}-langfuse", name="langfuse", chart=charts.LANGFUSE_CHART, version=lf.chart_version, namespace=lns,
            values=charts.langfuse_values(cfg, secrets=secrets, init_secret="langfuse-init", node_selector=sys_sel,
                                          tolerations=sys_tol, storage_class=storage_class),
            atomic=False, timeout=1200,
            opts=pulumi.ResourceOptions.merge(lf_opts, pulumi.ResourceOptions(
                protect=True, depends_on=[namespace, init, *prereqs])))
        auth: Any = pulumi.Output.all(public_key, secret_key).apply(
            lambda ks: base64.b64encode(f"{ks[0]}:{ks[1]}".encode()).decode())
        secret = k8s.core.v1.Secret(
            f"{n}-langfuse-exporter-auth", metadata={"name": "otel-exporter-auth", "namespace": ns, "labels": labels},
            type="Opaque", string_data={"LANGFUSE_AUTH": pulumi.Output.secret(auth)}, opts=in_ns)
        return ["otel-exporter-auth", secret, self.langfuse_release]


def _tag_labels(tags: Mapping[str, str]) -> dict[str, str]:
    from pulumi_aiops.workloads.model_server import tag_metadata

    labels, _, _ = tag_metadata(tags)
    return labels
