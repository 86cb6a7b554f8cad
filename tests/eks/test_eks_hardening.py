"""EKS pieces after issue 9: images pinned by digest (from ``pulumi_aiops.images``), the device
plugin's namespace denied by default, NetworkPolicies enforced by the VPC CNI."""

from __future__ import annotations

import json

import pytest
from eks_helpers import L4_SPOT, RELEASE, run_cluster

from pulumi_aiops import images
from pulumi_aiops.testing import ResourceGraph
from pulumi_aiops.testing.policy import evaluate_in_process

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
CFG = {"aws:region": "us-east-1"}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_cluster({"gpu_node_groups": [L4_SPOT]})


def _release(graph: ResourceGraph, chart: str) -> dict:
    return next(r for r in graph.of_type(RELEASE) if r.inputs["chart"] == chart).inputs


def test_cluster_autoscaler_image_is_pinned_by_digest(graph: ResourceGraph) -> None:
    image = _release(graph, "cluster-autoscaler")["values"]["image"]
    assert image == {"repository": "registry.k8s.io/autoscaling/cluster-autoscaler",
                     "tag": "v1.33.0@sha256:6ef10d108e0e45ecd883e074682330bbd4a3403e767ad56804800f2f4ee816da"}


def test_device_plugin_image_is_pinned_by_digest(graph: ResourceGraph) -> None:
    image = _release(graph, "nvidia-device-plugin")["values"]["image"]
    assert image == {"repository": "nvcr.io/nvidia/k8s-device-plugin",
                     "tag": "v0.17.1@sha256:af31e2b7c7f89834c4e5219860def7ac2e49a207b3d4e8610d5a26772b7738e5"}


def test_no_image_rule_finding_on_the_default_cluster(graph: ResourceGraph) -> None:
    report = evaluate_in_process(graph, packs=["aiops-baseline"], stack_config=CFG)
    assert not [d for d in report.diagnostics if d.policy == "k8s-image-digest-pinned"]


def test_an_autoscaler_without_a_recorded_digest_keeps_its_tag_and_is_reported() -> None:
    """Kubernetes 1.34: the promoter manifest read here stops at v1.33.1, so the tag stays
    unpinned (no invented digest), and the mandatory rule says so."""
    assert images.cluster_autoscaler("1.34").digest is None
    g = run_cluster({"version": "1.34", "gpu_node_groups": [L4_SPOT]})
    assert _release(g, "cluster-autoscaler")["values"]["image"]["tag"] == "v1.34.0"
    found = [d for d in evaluate_in_process(g, packs=["aiops-baseline"], stack_config=CFG).diagnostics
             if d.policy == "k8s-image-digest-pinned"]
    assert len(found) == 1 and found[0].enforcement_level == "mandatory"
    assert "cluster-autoscaler:v1.34.0" in found[0].message


def test_device_plugin_namespace_denies_by_default(graph: ResourceGraph) -> None:
    rel = next(r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "nvidia-device-plugin")
    pols = {r.inputs["metadata"]["name"]: r for r in graph.of_type(NETPOL)}
    assert set(pols) == {"default-deny", "allow-dns", "allow-kube-api"}
    for p in pols.values():
        assert p.inputs["metadata"]["namespace"] == "nvidia-device-plugin"
        # from the release's namespace output: created once the release has created the namespace
        assert rel.urn in p.property_dependencies["metadata"]
        assert p.provider == rel.provider
    assert pols["default-deny"].inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert pols["allow-kube-api"].inputs["spec"] == {
        "podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"protocol": "TCP", "port": 443}]}]}
    assert "ingress" not in pols["allow-dns"].inputs["spec"]


def test_vpc_cni_enforces_network_policies(graph: ResourceGraph) -> None:
    addons = {r.inputs["addonName"]: r.inputs for r in graph.of_type("aws:eks/addon:Addon")}
    assert json.loads(addons["vpc-cni"]["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert "configurationValues" not in addons["kube-proxy"]
