"""The EKS pieces :class:`~pulumi_aiops.eks_gpu_cluster.EksGpuCluster` is composed of, each usable
on its own (loaded on first use)::

    from pulumi_aiops.eks import Vpc, EksControlPlane, GpuNodeGroup

* :class:`Vpc` (``pulumi_aiops.eks.vpc``): VPC, subnets, NAT, encrypted flow logs.
* :class:`EksControlPlane` (``pulumi_aiops.eks.control_plane``): cluster, KMS, logs, roles,
  access entries, OIDC, the add-ons that need no nodes, kubeconfig and provider.
* :class:`GpuNodeGroup` and :class:`SystemNodeGroup` (``pulumi_aiops.eks.node_group``): managed
  node groups with hardened launch templates, on any EKS cluster (yours too).
* :class:`ClusterAutoscaler` (``pulumi_aiops.eks.autoscaler``) and :class:`NvidiaDevicePlugin`
  (``pulumi_aiops.eks.device_plugin``).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_aiops.eks.autoscaler import ClusterAutoscaler
    from pulumi_aiops.eks.control_plane import EksControlPlane
    from pulumi_aiops.eks.device_plugin import NvidiaDevicePlugin
    from pulumi_aiops.eks.node_group import GpuNodeGroup, SystemNodeGroup
    from pulumi_aiops.eks.vpc import Vpc

__all__ = ["ClusterAutoscaler", "EksControlPlane", "GpuNodeGroup", "NvidiaDevicePlugin", "SystemNodeGroup", "Vpc"]

_LAZY = {
    "ClusterAutoscaler": "pulumi_aiops.eks.autoscaler",
    "EksControlPlane": "pulumi_aiops.eks.control_plane",
    "GpuNodeGroup": "pulumi_aiops.eks.node_group",
    "NvidiaDevicePlugin": "pulumi_aiops.eks.device_plugin",
    "SystemNodeGroup": "pulumi_aiops.eks.node_group",
    "Vpc": "pulumi_aiops.eks.vpc",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_aiops.eks' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
