"""``aiops:platform.observability``: the stack-config section, the builder's wiring (prod stack), and
the errors a bad section gets."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from pulumi_aiops.config import load_platform_config
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import unwrap_secret
from stack_plans import ROOT, planned

RELEASE = "kubernetes:helm.sh/v3:Release"


def _prod_config() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "stacks/Pulumi.prod.yaml").read_text())
    return dict(doc["config"]["aiops:platform"])


def _in(graph: Any, component: str, type_: str) -> list[Any]:
    top = graph.named(component, "aiops:index:Observability")
    return [r for r in graph.descendants(top.urn) if r.type == type_]


def test_prod_observes_both_clusters_and_bedrock() -> None:
    graph = planned("prod").graph
    assert {c.name for c in graph.of_type("aiops:index:Observability")} == {"eks-observability",
                                                                            "cw-prod-observability"}
    mon = graph.named("aws-monitoring", "aiops:index:AwsMonitoring")
    alarms = [r for r in graph.descendants(mon.urn) if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    models = set(_prod_config()["bedrock"]["models"])
    assert {a.inputs["dimensions"]["ModelId"] for a in alarms if "ModelId" in a.inputs["dimensions"]} == models
    groups = {g["name"] for g in _prod_config()["eks"]["gpuNodeGroups"]}
    assert {a.name for a in alarms if a.inputs["namespace"] == "AWS/EC2"} == {
        f"aws-monitoring-nodegroup-eks-{g}-status" for g in groups}
    # the drift SLO of the stack file is rendered on both clusters
    for obs in ("eks-observability", "cw-prod-observability"):
        rules = {r.inputs["metadata"]["name"] for r in _in(graph, obs, "kubernetes:monitoring.coreos.com/v1:"
                                                                      "PrometheusRule")}
        assert {"slo-qwen-7b-drift", "slo-gateway-availability", "aiops-platform"} <= rules


def test_eks_alertmanager_pages_through_the_platform_topic_with_a_pod_identity_role() -> None:
    graph = planned("prod").graph
    topic = graph.named("aws-monitoring-alarms", "aws:sns/topic:Topic").outputs["arn"]
    kps = next(r for r in _in(graph, "eks-observability", RELEASE) if r.inputs["chart"] == "kube-prometheus-stack")
    receivers = kps.inputs["values"]["alertmanager"]["config"]["receivers"]
    assert next(r for r in receivers if r["name"] == "platform")["sns_configs"][0]["topic_arn"] == topic
    assoc = next(r for r in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                 if r.inputs["serviceAccount"] == "aiops-alertmanager")
    assert assoc.inputs["namespace"] == "monitoring"
    policy = json.loads(graph.named("eks-alertmanager-sns", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    publish = next(s for s in policy["Statement"] if s["Sid"] == "PublishAlerts")
    assert publish["Action"] == "sns:Publish" and publish["Resource"] == topic
    # CoreWeave's Alertmanager has no AWS identity: no receiver unless the config names one
    cw = next(r for r in _in(graph, "cw-prod-observability", RELEASE) if r.inputs["chart"] == "kube-prometheus-stack")
    assert cw.inputs["values"]["alertmanager"]["config"]["receivers"] == [{"name": "null"}]


def test_qdrant_stores_are_scraped_with_their_read_only_key() -> None:
    graph = planned("prod").graph
    monitors = {r.inputs["metadata"]["name"]: r for r in _in(
        graph, "cw-prod-observability", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")}
    q = monitors["aiops-qdrant-qdrant-cw"]
    assert q.inputs["metadata"]["namespace"] == "qdrant"
    assert q.inputs["spec"]["namespaceSelector"] == {"matchNames": ["qdrant"]}
    assert q.inputs["spec"]["endpoints"][0]["authorization"] == {
        "type": "Bearer", "credentials": {"name": "qdrant-qdrant-cw-api-keys", "key": "read-only-api-key"}}
    assert q.inputs["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "qdrant-qdrant-cw"
    # the store's Secret is the one VectorStore creates
    secret = next(r for r in graph.of_type("kubernetes:core/v1:Secret")
                  if r.inputs["metadata"]["name"] == "qdrant-qdrant-cw-api-keys")
    assert "read-only-api-key" in unwrap_secret(secret.inputs["stringData"])
    assert "aiops-qdrant-qdrant-cw" not in {r.inputs["metadata"]["name"] for r in _in(
        graph, "eks-observability", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")}


def test_prod_outputs_the_endpoints_and_keeps_passwords_secret() -> None:
    from pulumi_aiops.testing import is_secret

    exported = planned("prod").graph.exports["observability"]
    assert is_secret(exported)  # it holds the Grafana admin passwords: the whole export is secret
    obs = unwrap_secret(exported)
    assert set(obs) == {"eks", "cw-prod"}
    assert obs["eks"]["prometheusUrl"] == "http://aiops-prometheus.monitoring.svc.cluster.local:9090"
    assert "gpu-saturation" in obs["eks"]["slos"] and "qwen-7b-drift" in obs["cw-prod"]["slos"]


@pytest.mark.parametrize(("patch", "message"), [
    ({"slos": [{"name": "x", "objective": 100, "sli": {"bad": "a[{{window}}]", "total": "b[{{window}}]"}}]},
     "aiops:platform.observability.slos[0].objective: 100 must lie strictly between 0 and 1"),
    ({"slos": [{"name": "x", "objective": 0.99, "window": "1w",
                "sli": {"bad": "a[{{window}}]", "total": "b[{{window}}]"}}]},
     "aiops:platform.observability.slos[0].window: '1w' is not a known SLO window; allowed: 28d, 30d"),
    ({"slos": [{"name": "x", "objective": 0.99, "sli": {"bad": "a[{{window}}]"}}]},
     "aiops:platform.observability.slos[0].sli.total: None is required but missing"),
    ({"slos": [{"name": "x", "kind": "drift", "objective": 0.95}]},
     "aiops:platform.observability.slos[0].sli.threshold: None is required but missing: a drift SLO"),
    ({"clusters": ["eks", "nope"]},
     "aiops:platform.observability.clusters[1]: 'nope' is not a cluster of this stack; clusters: ['eks', 'cw-prod']"),
    ({"tracing": {"backend": "otlp"}},
     "aiops:platform.observability.tracing.otlp: None is required but missing for backend otlp"),
    ({"alertmanager": {"receiver": {"type": "webhook"}}},
     "aiops:platform.observability.alertmanager.receiver.webhookUrl: None is required but missing"),
])
def test_bad_observability_config(patch: dict[str, Any], message: str) -> None:
    raw = _prod_config()
    raw["observability"] = {**raw["observability"], **patch}
    with pytest.raises(ConfigError) as err:
        load_platform_config(raw)
    assert message in str(err.value)
