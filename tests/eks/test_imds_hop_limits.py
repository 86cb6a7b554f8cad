"""IMDS hop limits by node-group kind, and the policy rule that checks them.

System nodes get a hop limit of 2 so the EBS CSI node driver (not host-network) reads instance
metadata: with Kubernetes metadata instead it assumes one ENI and one volume attached when it
computes the node's volume limit (aws-ebs-csi-driver docs/install.md, "Metadata"). GPU nodes keep
1, so no pod there reaches the node role's credentials. The ``ec2-imdsv2-hop-limit`` rule allows 2
only on launch templates tagged ``aiops.io/node-kind=system``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eks_helpers import L4_SPOT, LAUNCH_TEMPLATE, NODE_GROUP, CountingMocks, by_name, run_cluster

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordedResource, ResourceGraph, run_program
from pulumi_aiops.testing.policy import evaluate_in_process

RULE = "ec2-imdsv2-hop-limit"


def _templates(graph: ResourceGraph) -> dict[str, RecordedResource]:
    """Launch template by the name of its node group."""
    lts = {lt.outputs["id"]: lt for lt in graph.of_type(LAUNCH_TEMPLATE)}
    return {name: lts[ng.inputs["launchTemplate"]["id"]] for name, ng in by_name(graph, NODE_GROUP).items()}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_cluster({"gpu_node_groups": [L4_SPOT]})


def test_system_nodes_get_2_and_gpu_nodes_1(graph: ResourceGraph) -> None:
    lts = _templates(graph)
    assert set(lts) == {"gpu-system", "gpu-gpu-l4"}
    assert lts["gpu-system"].inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert lts["gpu-system"].inputs["tags"]["aiops.io/node-kind"] == "system"
    assert lts["gpu-gpu-l4"].inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert "aiops.io/node-kind" not in lts["gpu-gpu-l4"].inputs["tags"]
    for lt in lts.values():
        assert lt.inputs["metadataOptions"]["httpTokens"] == "required"


def test_system_nodes_can_keep_1() -> None:
    lts = _templates(run_cluster({"system_node_group": {"metadata_hop_limit": 1}, "gpu_node_groups": [L4_SPOT]}))
    assert {n: lt.inputs["metadataOptions"]["httpPutResponseHopLimit"] for n, lt in lts.items()} == {
        "gpu-system": 1, "gpu-gpu-l4": 1}


@pytest.mark.parametrize("hop", [0, 3])
def test_a_hop_limit_outside_1_2_is_refused(hop: int) -> None:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    mocks = CountingMocks()
    with pytest.raises(ConfigError, match=rf"EksGpuCluster\('gpu'\)\.systemNodeGroup\.metadataHopLimit: {hop} "):
        run_program(lambda: EksGpuCluster("gpu", {"system_node_group": {"metadata_hop_limit": hop}}),
                    {"aws:region": "us-east-1"}, mocks=mocks)
    assert mocks.registered == []


# -- the policy rule, on the launch templates the component records ------------------------------
def _violations(resources: list[RecordedResource]) -> list[Any]:
    report = evaluate_in_process(ResourceGraph(resources), packs=["aiops-baseline"],
                                 stack_config={"aws:region": "us-east-1"})
    return [d for d in report.diagnostics if d.policy == RULE]


def _with(lt: RecordedResource, hop: float | None = None, tags: dict[str, str] | None = None) -> RecordedResource:
    inputs = dict(lt.inputs)
    if hop is not None:
        inputs["metadataOptions"] = {**inputs["metadataOptions"], "httpPutResponseHopLimit": hop}
    if tags is not None:
        inputs["tags"] = tags
    return dataclasses.replace(lt, inputs=inputs)


def test_the_rule_accepts_system_2_and_gpu_1(graph: ResourceGraph) -> None:
    assert not _violations(list(_templates(graph).values()))


def test_the_rule_refuses_a_gpu_template_with_2(graph: ResourceGraph) -> None:
    gpu = _templates(graph)["gpu-gpu-l4"]
    [v] = _violations([_with(gpu, hop=2.0)])
    assert "httpPutResponseHopLimit is 2" in v.message and "limit for this template is 1" in v.message


def test_the_rule_refuses_2_without_the_system_tag(graph: ResourceGraph) -> None:
    system = _templates(graph)["gpu-system"]
    untagged = {k: v for k, v in system.inputs["tags"].items() if k != "aiops.io/node-kind"}
    assert _violations([_with(system, tags=untagged)])


def test_the_rule_refuses_3_even_on_system_nodes(graph: ResourceGraph) -> None:
    [v] = _violations([_with(_templates(graph)["gpu-system"], hop=3.0)])
    assert "limit for system node templates (aiops.io/node-kind=system) is 2" in v.message
