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
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pulumi_aiops.catalog import HOURS_PER_MONTH, Cloud, catalog

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
    """GPU capacity a cluster declares: one node group or node pool.

    Build it from the resolved spec (:func:`pulumi_aiops.catalog.resolve`): ``declared`` and
    ``price_per_hour_usd`` come from it. When ``price_per_hour_usd`` is not given for a catalogue
    type, the catalogue's price is used; a type without a known price is *unpriced* and
    :attr:`max_monthly_usd` is ``None``, never $0.
    """

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
    #: The instance type's GPUs were declared by hand (``gpuSpec``), not read from the catalogue.
    declared: bool = False
    #: On-demand USD per node-hour; ``None`` when unpriced.
    price_per_hour_usd: float | None = Field(None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _catalogue_price(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "price_per_hour_usd" in data or data.get("declared"):
            return data
        try:
            row = catalog().get((Cloud(data["cloud"]), str(data["instance_type"])))
        except (KeyError, ValueError):
            return data  # field validation reports it
        return data if row is None else {**data, "price_per_hour_usd": row.price_per_hour_usd}

    @property
    def max_gpus(self) -> int:
        return self.gpus_per_node * self.max_nodes

    @property
    def priced(self) -> bool:
        return self.price_per_hour_usd is not None

    @property
    def max_monthly_usd(self) -> float | None:
        """On-demand price of ``max_nodes`` running all month; ``None`` when unpriced."""
        if self.price_per_hour_usd is None:
            return None
        return self.price_per_hour_usd * self.max_nodes * HOURS_PER_MONTH

    def to_output(self) -> dict[str, Any]:
        """A camelCase dict, the shape exported as a stack/component output."""
        return {
            "cluster": self.cluster, "cloud": self.cloud.value, "pool": self.pool,
            "instanceType": self.instance_type, "gpuModel": self.gpu_model,
            "gpusPerNode": self.gpus_per_node, "minNodes": self.min_nodes,
            "maxNodes": self.max_nodes, "maxGpus": self.max_gpus,
            "capacityType": self.capacity_type.value,
            "declared": self.declared, "pricePerHourUsd": self.price_per_hour_usd,
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
