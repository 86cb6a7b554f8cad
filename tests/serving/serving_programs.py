"""Programs the serving tests share (each evaluated once per session)."""

from __future__ import annotations

import functools
from typing import Any, cast

from pulumi_aiops.testing import ResourceGraph, run_program

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}


@functools.cache
def gpu_operator_graph() -> ResourceGraph:
    """An EKS cluster in GPU Operator mode: H100s split by MIG, L4s time-sliced."""
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def program() -> None:
        EksGpuCluster("gpu", cast(Any, {
            "gpu_node_groups": [{"name": "h100", "instance_type": "p5.48xlarge", "max_size": 1},
                                {"name": "l4", "instance_type": "g6.xlarge", "max_size": 2}],
            "gpu_operator": {"enabled": True},
            "gpu_sharing": {"h100": {"mig": {"profile": "1g.10gb"}}, "l4": {"time_slicing": {"replicas": 2}}},
            "tags": TAGS}))

    return run_program(program, {"aws:region": "us-east-1"})
