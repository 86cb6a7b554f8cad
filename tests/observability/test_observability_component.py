"""Observability(name, args, opts) on EKS and CoreWeave through the contract: what it deploys, what
it selects, what it keeps secret and protected, and the errors it raises before registering."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from pulumi_aiops.config.observability import GATEWAY_LABELS, KEDA_LABELS, MODEL_SERVER_LABELS
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program, unwrap_secret

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
CW = {"coreweave:token": "CW-SECRET-observability-test"}
RELEASE = "kubernetes:helm.sh/v3:Release"
SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def _eks(**obs: Any) -> Any:
    def program() -> None:
        import pulumi_aws as aws

        from pulumi_aiops.eks_gpu_cluster import EksGpuCluster
        from pulumi_aiops.observability import Observability

        topic = aws.sns.Topic("my-alerts")  # the user's own topic, wired in as an output
        cluster = EksGpuCluster("gpu", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge",
                                                             "max_size": 2}], "tags": TAGS})
        args: dict[str, Any] = {"cluster": cluster, "tags": TAGS,
                                "alertmanager": {"receiver": {"type": "sns", "topic_arn": topic.arn}}, **obs}
        Observability("obs", args)

    return program


def _coreweave(**obs: Any) -> Any:
    def program() -> None:
        from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
        from pulumi_aiops.observability import Observability

        cw = CoreWeaveGpuCluster("cw", {
            "node_pools": [{"name": "h100", "instance_type": "gd-8xh100ib-i128", "target_nodes": 1}],
            "cpu_node_pools": [{"name": "cpu", "instance_type": "cd-gp-i64-erapids", "target_nodes": 2}],
            "tags": TAGS})
        Observability("obs", {"cluster": cw, "tags": TAGS, **obs})

    return program


@pytest.fixture(scope="module")
def eks() -> ResourceGraph:
    return run_program(_eks(), {"aws:region": "us-east-1"})


@pytest.fixture(scope="module")
def coreweave() -> ResourceGraph:
    return run_program(_coreweave(coreweave_metrics_token=CW["coreweave:token"]), CW, secret_keys=set(CW))


def _mine(graph: ResourceGraph, type_: str) -> list[Any]:
    top = graph.named("obs", "aiops:index:Observability")
    return [r for r in graph.descendants(top.urn) if r.type == type_]


def _release(graph: ResourceGraph, chart: str) -> Any:
    return next(r for r in _mine(graph, RELEASE) if chart in str(r.inputs["chart"]))


def test_prometheus_picks_up_every_namespaces_rules_and_monitors_and_keeps_its_data(eks: ResourceGraph) -> None:
    kps = _release(eks, "kube-prometheus-stack")
    assert kps.inputs["version"] == "88.5.3" and kps.inputs["repositoryOpts"]["repo"].endswith("helm-charts")
    spec = kps.inputs["values"]["prometheus"]["prometheusSpec"]
    for kind in ("rule", "serviceMonitor", "podMonitor"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
        assert spec[f"{kind}Selector"] == {} and spec[f"{kind}NamespaceSelector"] == {}
    assert (spec["retention"], spec["retentionSize"]) == ("15d", "45GB")
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "50Gi"
    # the volume's class is an encrypted gp3 class the component creates itself
    sc = next(r for r in _mine(eks, "kubernetes:storage.k8s.io/v1:StorageClass")
              if r.inputs["metadata"]["name"] == claim["storageClassName"])
    assert sc.inputs["parameters"] == {"type": "gp3", "encrypted": "true"} and sc.inputs["reclaimPolicy"] == "Retain"
    am = kps.inputs["values"]["alertmanager"]["alertmanagerSpec"]
    assert am["storage"]["volumeClaimTemplate"]["spec"]["storageClassName"] == claim["storageClassName"]
    # on the system nodes
    assert spec["nodeSelector"] == {"aiops.io/node-pool": "system"}


def test_alertmanager_pages_through_the_users_topic(eks: ResourceGraph) -> None:
    kps = _release(eks, "kube-prometheus-stack")
    topic = eks.named("my-alerts", "aws:sns/topic:Topic")
    config = kps.inputs["values"]["alertmanager"]["config"]
    sns = next(r for r in config["receivers"] if r["name"] == "platform")["sns_configs"][0]
    assert sns["topic_arn"] == topic.outputs["arn"] and sns["sigv4"]["region"] == "us-east-1"
    assert topic.urn in kps.property_dependencies.get("values", ())
    routes = {r["receiver"]: r for r in config["route"]["routes"]}
    assert routes["platform"]["matchers"] == ['severity =~ "page|ticket|critical|warning"']
    assert kps.inputs["values"]["alertmanager"]["serviceAccount"]["name"] == "aiops-alertmanager"


def test_grafana_admin_password_is_generated_and_kept_in_a_secret(eks: ResourceGraph) -> None:
    kps = _release(eks, "kube-prometheus-stack")
    admin = kps.inputs["values"]["grafana"]["admin"]
    secret = next(r for r in _mine(eks, "kubernetes:core/v1:Secret")
                  if r.inputs["metadata"]["name"] == admin["existingSecret"])
    password = eks.named("obs-grafana-admin", "random:index/randomPassword:RandomPassword")
    assert password.inputs["length"] == 32
    data = unwrap_secret(secret.inputs["stringData"])
    assert set(data) == {admin["userKey"], admin["passwordKey"]}
    assert password.urn in secret.property_dependencies["stringData"]
    assert "adminPassword" not in kps.inputs["values"]["grafana"]  # never in the Helm values
    sidecar = kps.inputs["values"]["grafana"]["sidecar"]["dashboards"]
    assert (sidecar["label"], sidecar["labelValue"], sidecar["searchNamespace"]) == ("grafana_dashboard", "1", "ALL")


def test_dcgm_exporter_runs_on_the_gpu_nodes_only_with_pod_labels(eks: ResourceGraph) -> None:
    dcgm = _release(eks, "dcgm-exporter")
    assert (dcgm.inputs["version"], dcgm.inputs["repositoryOpts"]["repo"]) == (
        "4.8.2", "https://nvidia.github.io/dcgm-exporter/helm-charts")
    v = dcgm.inputs["values"]
    assert v["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert v["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"} in v["extraEnv"]
    assert v["kubernetes"]["enablePodLabels"] is True
    assert v["serviceMonitor"]["honorLabels"] is True  # keep the GPU's pod/namespace, not exported_pod


def test_scrape_targets_select_what_the_platform_components_label(eks: ResourceGraph) -> None:
    from pulumi_aiops.config.workloads import ModelServerSpec
    from pulumi_aiops.workloads.model_server import model_server_manifests

    monitors = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in _mine(eks, SM)}
    assert set(monitors) == {"aiops-model-servers", "aiops-keda", "aiops-evaluation", "aiops-llm-gateway"}
    # the model-server monitor matches the Service a ModelServer really creates, on its port
    svc = model_server_manifests(ModelServerSpec(model="Qwen/Qwen2.5-1.5B-Instruct"), "chat", {}, [])["Service"]
    ms = monitors["aiops-model-servers"]
    assert ms["selector"]["matchLabels"] == MODEL_SERVER_LABELS
    assert set(MODEL_SERVER_LABELS.items()) <= set(svc["metadata"]["labels"].items())
    assert ms["endpoints"][0]["port"] in {p["name"] for p in svc["spec"]["ports"]}
    assert ms["endpoints"][0]["path"] == "/metrics" and ms["namespaceSelector"] == {"any": True}
    assert monitors["aiops-llm-gateway"]["selector"]["matchLabels"] == GATEWAY_LABELS
    assert monitors["aiops-keda"]["selector"]["matchLabels"] == KEDA_LABELS
    assert monitors["aiops-keda"]["endpoints"][0]["port"] == "metrics"


def test_one_prometheus_rule_per_slo_holds_the_rendered_group(eks: ResourceGraph) -> None:
    from pulumi_aiops.observability.defaults import default_slos
    from pulumi_aiops.observability.slo import rule_groups

    rules = {r.inputs["metadata"]["name"]: r.inputs["spec"]["groups"] for r in _mine(eks, RULE)}
    expected = {g["name"]: g for g in rule_groups(default_slos("aws"))}
    assert set(rules) == set(expected)
    for name, groups in rules.items():
        assert json.loads(json.dumps(groups)) == json.loads(json.dumps([expected[name]])), name


def test_dashboards_are_config_maps_the_sidecar_loads(eks: ResourceGraph) -> None:
    maps = [r for r in _mine(eks, "kubernetes:core/v1:ConfigMap")]
    assert {r.inputs["metadata"]["name"] for r in maps} == {
        "aiops-dashboard-gpus", "aiops-dashboard-model-servers", "aiops-dashboard-gateway", "aiops-dashboard-slos"}
    for r in maps:
        assert r.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
        (body,) = r.inputs["data"].values()
        assert json.loads(body)["schemaVersion"] == 41


def test_every_namespace_it_creates_denies_ingress_by_default(eks: ResourceGraph) -> None:
    namespaces = {r.inputs["metadata"]["name"] for r in _mine(eks, "kubernetes:core/v1:Namespace")}
    assert namespaces == {"monitoring", "langfuse"}
    policies = _mine(eks, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    for ns in namespaces:
        deny = [p for p in policies if p.inputs["metadata"]["namespace"] == ns
                and p.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}]
        assert deny, ns
    otlp = next(p for p in policies if p.inputs["metadata"]["name"] == "allow-otlp")
    assert {p["port"] for p in otlp.inputs["spec"]["ingress"][0]["ports"]} == {4317.0, 4318.0}


def test_langfuse_credentials_are_generated_protected_and_never_plain(eks: ResourceGraph) -> None:
    lf = _release(eks, "langfuse")
    assert lf.inputs["chart"] == "oci://ghcr.io/langfuse/langfuse-k8s/charts/langfuse" and lf.protect
    passwords = [r for r in _mine(eks, "random:index/randomPassword:RandomPassword") if "langfuse" in r.name]
    assert len(passwords) >= 8 and all(r.protect for r in passwords)
    key = eks.named("obs-langfuse-encryption-key", "random:index/randomId:RandomId")
    assert key.protect and key.inputs["byteLength"] == 32
    v = lf.inputs["values"]
    for path in (("postgresql", "auth", "password"), ("redis", "auth", "password"),
                 ("clickhouse", "auth", "password"), ("s3", "auth", "rootPassword")):
        node: Any = v
        for p in path:
            node = node[p]
        assert node, path  # given, so nothing is generated by Helm's lookup
    assert v["langfuse"]["features"] == {"telemetryEnabled": False, "signUpDisabled": True}
    init = next(r for r in _mine(eks, "kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == "langfuse-init")
    keys = unwrap_secret(init.inputs["stringData"])
    assert keys["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"].startswith("pk-lf-")
    assert keys["LANGFUSE_INIT_PROJECT_SECRET_KEY"].startswith("sk-lf-")
    assert v["langfuse"]["additionalEnvFrom"] == [{"secretRef": {"name": "langfuse-init"}}]


def test_the_collector_receives_otlp_and_exports_to_langfuse(eks: ResourceGraph) -> None:
    from pulumi_aiops.observability.otel import check_collector_config

    col = _release(eks, "opentelemetry-collector")
    v = col.inputs["values"]
    assert v["mode"] == "deployment" and v["image"]["repository"] == "otel/opentelemetry-collector-contrib"
    effective = v["alternateConfig"]  # used as is by the chart
    assert check_collector_config(effective) == []
    assert set(effective["receivers"]) == {"otlp"}
    assert effective["service"]["pipelines"] == {"traces": {
        "receivers": ["otlp"], "processors": ["memory_limiter", "batch"], "exporters": ["otlp_http/langfuse"]}}
    exporter = effective["exporters"]["otlp_http/langfuse"]
    assert exporter["endpoint"] == "http://langfuse-web.langfuse.svc.cluster.local:3000/api/public/otel"
    assert exporter["headers"]["Authorization"] == "Basic ${env:LANGFUSE_AUTH}"
    auth = next(r for r in _mine(eks, "kubernetes:core/v1:Secret")
                if r.inputs["metadata"]["name"] == "otel-exporter-auth")
    assert set(unwrap_secret(auth.inputs["stringData"])) == {"LANGFUSE_AUTH"}
    assert v["extraEnvsFrom"] == [{"secretRef": {"name": "otel-exporter-auth"}}]


def test_on_coreweave_the_gpu_metrics_come_from_coreweave(coreweave: ResourceGraph) -> None:
    assert not [r for r in _mine(coreweave, RELEASE) if r.inputs["chart"] == "dcgm-exporter"]
    kps = _release(coreweave, "kube-prometheus-stack")
    grafana = kps.inputs["values"]["grafana"]
    (ds,) = grafana["additionalDataSources"]
    assert (ds["url"], ds["uid"]) == ("https://observe.coreweave.com", "coreweave-metrics")
    assert "CW-SECRET" not in json.dumps(kps.inputs)  # the token stays in its Secret
    secret = next(r for r in _mine(coreweave, "kubernetes:core/v1:Secret")
                  if r.inputs["metadata"]["name"] == "coreweave-metrics-token")
    assert unwrap_secret(secret.inputs["stringData"])["token"] == CW["coreweave:token"]
    assert grafana["envValueFrom"]["CW_METRICS_TOKEN"]["secretKeyRef"]["name"] == "coreweave-metrics-token"
    gpus = next(r for r in _mine(coreweave, "kubernetes:core/v1:ConfigMap")
                if r.inputs["metadata"]["name"] == "aiops-dashboard-gpus")
    board = json.loads(next(iter(gpus.inputs["data"].values())))
    assert next(v for v in board["templating"]["list"] if v["name"] == "datasource")["current"]["value"] == \
        "coreweave-metrics"
    # no StorageClass of its own on CKS; the system pools (cpuNodePools) host the stack
    assert not _mine(coreweave, "kubernetes:storage.k8s.io/v1:StorageClass")
    system = coreweave.outputs_of(coreweave.named("cw", "aiops:index:CoreWeaveGpuCluster"))["systemNodeSelector"]
    assert system and kps.inputs["values"]["prometheus"]["prometheusSpec"]["nodeSelector"] == system
    saturation = next(r for r in _mine(coreweave, RULE) if r.inputs["metadata"]["name"] == "slo-gpu-saturation")
    assert "vllm:kv_cache_usage_perc" in json.dumps(saturation.inputs["spec"])


def test_a_cluster_by_value_gets_its_own_provider() -> None:
    from pulumi_aiops.contract import GpuClusterRef

    def program() -> None:
        from pulumi_aiops.observability import Observability

        kubeconfig = json.dumps({"apiVersion": "v1", "clusters": [{"name": "c", "cluster": {"server": "https://x"}}],
                                 "users": [], "contexts": []})
        ref = GpuClusterRef(cloud="aws", cluster_name="other", kubeconfig=kubeconfig,
                            gpu_node_selector={"nvidia.com/gpu.present": "true"},
                            system_node_selector={"aiops.io/node-pool": "system"})
        Observability("obs", {"cluster": ref, "tracing": {"backend": "none"}, "tags": TAGS})

    graph = run_program(program, {"aws:region": "us-east-1"})
    provider = graph.named("obs-k8s", "pulumi:providers:kubernetes")
    assert all(r.provider and r.provider.startswith(provider.urn) for r in _mine(graph, RELEASE))
    assert not [r for r in _mine(graph, RELEASE) if r.inputs["chart"] == "opentelemetry-collector"]


class CountingMocks(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        self.registered.append(args.typ)
        return super().new_resource(args)


@pytest.mark.parametrize(("slo", "message"), [
    ({"name": "x", "objective": 1.0, "sli": {"bad": "a[{{window}}]", "total": "b[{{window}}]"}},
     "Observability('obs').slos[0].objective: 1.0 must lie strictly between 0 and 1"),
    ({"name": "x", "objective": 0, "sli": {"bad": "a[{{window}}]", "total": "b[{{window}}]"}},
     "Observability('obs').slos[0].objective: 0 must lie strictly between 0 and 1"),
    ({"name": "x", "objective": 0.99, "window": "7d", "sli": {"bad": "a[{{window}}]", "total": "b[{{window}}]"}},
     "Observability('obs').slos[0].window: '7d' is not a known SLO window; allowed: 28d, 30d"),
    ({"name": "x", "objective": 0.99, "sli": {"good": "a[{{window}}]"}},
     "Observability('obs').slos[0].sli.total: None is required but missing: a ratio SLI is good/total or bad/total"),
    ({"name": "x", "kind": "drift", "objective": 0.95, "sli": {"selector": {"model": "chat"}}},
     "Observability('obs').slos[0].sli.threshold: None is required but missing: a drift SLO counts a window as bad"),
    ({"name": "x", "objective": 0.99, "sli": {"bad": "a[5m]", "total": "b[{{window}}]"}},
     "Observability('obs').slos[0].sli.bad: 'a[5m]' has no {{window}}"),
])
def test_bad_slos_fail_before_anything_is_registered(slo: dict[str, Any], message: str) -> None:
    mocks = CountingMocks()

    def program() -> None:
        from pulumi_aiops.contract import GpuClusterRef
        from pulumi_aiops.observability import Observability

        ref = GpuClusterRef(cloud="aws", cluster_name="c", kubeconfig=pulumi.Output.from_input("k"),
                            gpu_node_selector={"a": "b"})
        Observability("obs", {"cluster": ref, "slos": [slo]})

    with pytest.raises(ConfigError) as err:
        run_program(program, {"aws:region": "us-east-1"}, mocks=mocks)
    assert message in str(err.value)
    assert mocks.registered == []


def test_the_coreweave_token_is_refused_on_an_eks_cluster() -> None:
    with pytest.raises(ConfigError, match=r"Observability\('obs'\)\.coreweaveMetricsToken: is for CoreWeave"):
        run_program(_eks(coreweave_metrics_token="CW-SECRET-x"), {"aws:region": "us-east-1"})


def test_an_slo_reading_dcgm_on_coreweave_is_warned_about() -> None:
    from pulumi_aiops import diagnostics

    with diagnostics.collecting() as warnings:
        run_program(_coreweave(default_slos=False, tracing={"backend": "none"}, slos=[{
            "name": "gpu-hot", "kind": "threshold", "objective": 0.99,
            "sli": {"gauge": "DCGM_FI_DEV_GPU_TEMP", "threshold": 85}}]), CW, secret_keys=set(CW))
    assert any("gpu-hot" in w and "DCGM_FI_DEV_GPU_TEMP" in w and "no data" in w for w in warnings)
