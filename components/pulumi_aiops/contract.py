"""The GPU-cluster contract: what every workload may rely on, whichever cloud runs it.

:class:`GpuCluster` is the base both :class:`~pulumi_aiops.eks_gpu_cluster.EksGpuCluster`
and :class:`~pulumi_aiops.coreweave_gpu_cluster.CoreWeaveGpuCluster` implement. Workload
components (the gateway, model servers, in-cluster vector DBs, observability) take a
``GpuCluster`` and never a cloud-specific class. Example::

    def deploy(cluster: GpuCluster) -> None:
        k8s.apps.v1.Deployment(
            "vllm",
            spec={... "nodeSelector": cluster.gpu_node_selector,
                      "tolerations": cluster.gpu_tolerations ...},
            opts=pulumi.ResourceOptions(provider=cluster.provider),
        )
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from pulumi_aiops.catalog import HOURS_PER_MONTH, Cloud, lookup

__all__ = ["GPU_TAINT_KEY", "CapacityType", "GpuCapacity", "GpuCluster", "gpu_toleration"]

#: The taint key every GPU node carries, on both clouds (``nvidia.com/gpu=true:NoSchedule``).
GPU_TAINT_KEY = "nvidia.com/gpu"


def gpu_toleration() -> dict[str, str]:
    """The toleration of the standard GPU taint, as a Kubernetes manifest fragment."""
    return {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}


class CapacityType(StrEnum):
    """How GPU capacity is bought."""

    ON_DEMAND = "ON_DEMAND"
    SPOT = "SPOT"
    CAPACITY_BLOCK = "CAPACITY_BLOCK"
    RESERVED = "RESERVED"


class GpuCapacity(BaseModel):
    """GPU capacity a cluster declares: one node group or node pool."""

    model_config = ConfigDict(frozen=True)

    cluster: str
    cloud: Cloud
    pool: str
    instance_type: str
    gpu_model: str
    gpus_per_node: int
    min_nodes: int
    max_nodes: int
    capacity_type: CapacityType = CapacityType.ON_DEMAND

    @property
    def max_gpus(self) -> int:
        return self.gpus_per_node * self.max_nodes

    @property
    def max_monthly_usd(self) -> float:
        """On-demand catalogue price of ``max_nodes`` running all month."""
        return lookup(self.cloud, self.instance_type).price_per_hour_usd * self.max_nodes * HOURS_PER_MONTH

    def to_output(self) -> dict[str, Any]:
        """A camelCase dict, the shape exported as a stack/component output."""
        return {
            "cluster": self.cluster, "cloud": self.cloud.value, "pool": self.pool,
            "instanceType": self.instance_type, "gpuModel": self.gpu_model,
            "gpusPerNode": self.gpus_per_node, "minNodes": self.min_nodes,
            "maxNodes": self.max_nodes, "maxGpus": self.max_gpus,
            "capacityType": self.capacity_type.value,
        }


class GpuCluster(pulumi.ComponentResource):
    """Base class and contract of a GPU cluster on any cloud.

    Subclasses set every attribute below before calling :meth:`_register_contract_outputs`.
    """

    #: Which cloud runs the cluster.
    cloud: Cloud
    #: The logical cluster name (unique within a stack's config).
    cluster_name: str
    #: A kubeconfig for the cluster, as a secret output.
    kubeconfig: pulumi.Output[str]
    #: A Kubernetes provider that deploys onto the cluster.
    provider: k8s.Provider
    #: Node selector that lands a pod on GPU nodes.
    gpu_node_selector: dict[str, str]
    #: Tolerations a GPU pod needs (the GPU taint).
    gpu_tolerations: list[dict[str, str]]
    #: The GPU capacity the cluster declares.
    gpu_capacity: list[GpuCapacity]

    def contract_outputs(self) -> dict[str, Any]:
        """The outputs every GPU cluster exposes, identical in shape across clouds."""
        return {
            "cloud": self.cloud.value,
            "clusterName": self.cluster_name,
            "kubeconfig": pulumi.Output.secret(self.kubeconfig),
            "gpuNodeSelector": dict(self.gpu_node_selector),
            "gpuTolerations": [dict(t) for t in self.gpu_tolerations],
            "gpuCapacity": [c.to_output() for c in self.gpu_capacity],
        }

    def _register_contract_outputs(self, extra: dict[str, Any] | None = None) -> None:
        """Register the contract outputs plus cloud-specific ``extra`` ones; call last."""
        self.register_outputs({**self.contract_outputs(), **(extra or {})})
