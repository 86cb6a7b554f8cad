"""The README's product-team examples run as written (offline, under the harness)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pulumi_aiops.testing import run_program

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_examples_run_and_hold_what_they_claim() -> None:
    blocks = _python_blocks()
    program_blocks = [b for b in blocks if "from pulumi_aiops." in b and "run_program" not in b]
    test_blocks = [b for b in blocks if "run_program(" in b and "my_program" in b]
    assert program_blocks and test_blocks, "README lost its component examples"

    def my_program() -> None:
        ns: dict[str, Any] = {}
        for block in program_blocks:  # later blocks reuse names from earlier ones (`cluster`)
            exec(compile(block, str(README), "exec"), ns)

    config = {"aws:region": "us-east-1", "coreweave:token": "CW-SECRET-example"}
    graph = run_program(my_program, config, secret_keys={"coreweave:token"})
    # What the examples promise: an EKS cluster with a GPU group that scales to zero, a
    # CoreWeave cluster, the same model server on each cloud, and one more on a cluster given by
    # value (a GpuClusterRef), through its own provider on that kubeconfig.
    groups = graph.of_type("aws:eks/nodeGroup:NodeGroup")
    assert any(g.inputs["scalingConfig"]["minSize"] == 0 for g in groups)
    assert graph.of_type("coreweave:index/cksCluster:CksCluster")
    deployments = {d.name: d for d in graph.of_type("kubernetes:apps/v1:Deployment")}
    assert set(deployments) == {"research-chat-deployment", "cw-gpu-chat-deployment", "shared-chat-deployment"}
    assert len({d.provider for d in deployments.values()}) == 3
    by_urn = {r.urn: r for r in graph}
    shared = by_urn[deployments["shared-chat-deployment"].provider]
    cw = by_urn[deployments["cw-gpu-chat-deployment"].provider]
    assert shared.parent == graph.named("shared-chat", "aiops:index:ModelServer").urn
    assert shared.inputs["kubeconfig"] == cw.inputs["kubeconfig"]  # the ref's kubeconfig, kept secret
    # tags in args: labels on the server's objects, not on its pods
    labels = deployments["cw-gpu-chat-deployment"].inputs["metadata"]["labels"]
    assert labels["cost-center"] == "cc-77"
    assert "cost-center" not in deployments["cw-gpu-chat-deployment"].inputs["spec"]["template"]["metadata"]["labels"]
    # The data-layer example: the vector store sits in the cluster's VPC and subnets.
    vpc = graph.one("aws:ec2/vpc:Vpc").outputs["id"]
    assert graph.named("research-vectors-sg", "aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == vpc
    private = {s.outputs["id"] for s in graph.of_type("aws:ec2/subnet:Subnet") if "private" in s.name}
    assert set(graph.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]) == private

    for block in test_blocks:
        exec(compile(block, str(README), "exec"), {"my_program": my_program})
