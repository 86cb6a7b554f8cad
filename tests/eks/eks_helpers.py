"""Helpers for EKS tests: run an EksGpuCluster (or the whole platform) under mocks."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_aiops.testing import RecordedResource, RecordingMocks, ResourceGraph, run_program

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
CR_ID = "cr-0123456789abcdef0"

L4_SPOT: dict[str, Any] = {"name": "l4", "instance_type": "g6.xlarge", "capacity_type": "SPOT", "max_size": 2}
H100_CB: dict[str, Any] = {
    "name": "h100",
    "instance_type": "p5.48xlarge",
    "capacity_type": "CAPACITY_BLOCK",
    "capacity_reservation_id": CR_ID,
    "max_size": 2,
    "root_volume_gib": 1000,
}

#: AWS resource types that carry no tags of their own.
UNTAGGABLE = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:kms/alias:Alias",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:autoscaling/tag:Tag",
}

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
RELEASE = "kubernetes:helm.sh/v3:Release"


class CountingMocks(RecordingMocks):
    """Mocks that count resource registrations (to prove errors come before any)."""

    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        self.registered.append(args.typ)
        return super().new_resource(args)


def run_cluster(
    args: dict[str, Any], *, name: str = "gpu", mocks: RecordingMocks | None = None, workload: bool = False
) -> ResourceGraph:
    """Run one ``EksGpuCluster(name, {**args, tags})`` and return the graph."""
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def program() -> None:
        c = EksGpuCluster(name, {"tags": dict(TAGS), **args})  # type: ignore[arg-type]
        if workload:
            c.workload_role("gateway", namespace="ai-gateway", service_account="litellm")

    return run_program(program, {"aws:region": "us-east-1"}, mocks=mocks)


def by_name(graph: ResourceGraph, type_: str) -> dict[str, RecordedResource]:
    return {r.name: r for r in graph.of_type(type_)}
