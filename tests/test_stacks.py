"""Every shipped stack evaluates offline, and no configuration mistake can destroy its data:
every stateful resource is protected and retained on delete."""

from __future__ import annotations

import runpy

import pytest

from pulumi_aiops.plan import find_project
from pulumi_aiops.testing import RecordingMocks, load_stack_config, run_program
from stack_plans import ROOT, STACKS, planned

#: Resource types that hold data (or the keys to it) on either cloud.
STATEFUL = {
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:rds/cluster:Cluster",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "coreweave:index/objectStorageBucket:ObjectStorageBucket",
    "pulumi-python:dynamic/aiops:AossIndex",
    "pulumi-python:dynamic/aiops:PgvectorSchema",
}


def test_the_expected_stacks_ship() -> None:
    assert {"dev", "staging", "prod", "multicloud"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_stateful_resources_are_protected_and_retained(stack: str) -> None:
    graph = planned(stack).graph
    stateful = [r for r in graph if r.type in STATEFUL]
    assert stateful, f"{stack}: no stateful resources found; is STATEFUL out of date?"
    offenders = [f"{r.type} {r.name}" for r in stateful if not (r.protect and r.retain_on_delete)]
    assert not offenders, offenders
    for r in graph.of_type("aws:rds/cluster:Cluster"):
        assert r.inputs["deletionProtection"] is True
    for r in graph.of_type("aws:kms/key:Key"):
        assert r.inputs["enableKeyRotation"] is True
        assert r.inputs["deletionWindowInDays"] >= 7


@pytest.mark.parametrize("stack", STACKS)
def test_every_gpu_pool_is_in_the_capacity_summary(stack: str) -> None:
    result = planned(stack)
    graph = result.graph
    groups = graph.of_type("aws:eks/nodeGroup:NodeGroup")
    pools = len(groups) - len([r for r in groups if "system" in r.name])
    node_pools = [r for r in graph if r.type.endswith(":NodePool")]
    gpu_node_pools = [r for r in node_pools
                      if any(t["key"] == "nvidia.com/gpu" for t in r.inputs["spec"]["nodeTaints"])]
    pools += len(gpu_node_pools)
    assert len(result.gpu_capacity()) == pools
    for row in result.gpu_capacity():
        assert row["maxMonthlyUsd"] and row["maxMonthlyUsd"] > 0, row
    # every other pool (EKS system groups, CoreWeave CPU pools) is in the system capacity, sized
    systems = len([r for r in groups if "system" in r.name]) + len(node_pools) - len(gpu_node_pools)
    assert len(result.system_capacity()) == systems
    for row in result.system_capacity():
        assert row["availableCpuMillis"] > 0 and row["availableMemoryMib"] > 0, row


@pytest.mark.parametrize("stack", STACKS)
def test_every_invoke_a_stack_makes_gets_a_realistic_answer(stack: str) -> None:
    """An unanswered invoke would come back empty and hide a wrong value in the plan."""
    project = find_project(ROOT)
    config, secrets = load_stack_config(project.stack_file(stack))
    mocks = RecordingMocks(region=str(config.get("aws:region", "us-east-1")))
    run_program(lambda: runpy.run_path(str(ROOT / "stacks" / "__main__.py"), run_name="__main__"),
                config, stack=stack, secret_keys=secrets, mocks=mocks)
    assert mocks.calls, "expected the stack to look up its account and region"
    assert mocks.unanswered_calls == []
