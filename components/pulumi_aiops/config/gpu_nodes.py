"""What a GPU node offers a model server beyond its GPUs: sharing, fabric, local disks.

**GPU sharing** (``eks.gpuSharing``, keyed by GPU node group name):

* *time-slicing* through the NVIDIA device plugin's configuration (``sharing.timeSlicing``): each
  GPU of a node of the group is advertised ``replicas`` times as ``nvidia.com/gpu``. No memory or
  fault isolation: every pod on the GPU sees all its memory, so a server on a time-sliced pool gets
  ``--gpu-memory-utilization`` of ``0.9 / replicas`` and must fit in that share. The plugin runs with
  ``failRequestsGreaterThanOne``, so such a server asks for exactly one GPU
  (NVIDIA/k8s-device-plugin README v0.17.1, "With CUDA Time-Slicing").
* *MIG* (Multi-Instance GPU), on the GPUs that support it (A100, H100, H200, B200 here), through
  the NVIDIA GPU Operator's MIG manager (``eks.gpuOperator``, the operator's device plugin with the
  ``single`` strategy): every GPU of a node of the group is split into identical instances of a
  profile, each with isolated memory and compute, advertised as ``nvidia.com/gpu``.

The node group carries the label that selects its configuration (``nvidia.com/device-plugin.config``
for time-slicing, ``nvidia.com/mig.config`` for MIG), so the setting is per pool, by label.

**EFA** (``efa: true`` on an EKS GPU group): the launch template attaches one EFA interface per
network card the instance type has, in a cluster placement group. ``EFA_INTERFACES`` is EC2's
``NetworkInfo.EfaInfo.MaximumEfaInterfaces`` per type.

**Local instance store** (``localStorage: raid0`` on an EKS GPU group on AL2023): nodeadm stripes
the instance's NVMe instance-store disks into one array and puts the kubelet and containerd
directories on it, so the pods' ``emptyDir`` volumes (the per-node weight cache) live on local
NVMe (nodeadm ``NodeConfig.spec.instance.localStorage.strategy: RAID0``, awslabs/amazon-eks-ami).
``INSTANCE_STORE_GB`` is EC2's ``InstanceStorageInfo.TotalSizeInGB`` per type.

Sources: the EC2 figures are DescribeInstanceTypes data (the copy in moto 5.2.5,
``ec2/resources/instance_types.json.gz``; ``tests/test_serving_hardware.py`` re-checks every row
against it). MIG profiles: NVIDIA/gpu-operator ``assets/state-mig-manager/0400_configmap.yaml`` at
tag v26.7.0 (the MIG manager's default ``mig-parted`` configuration), by the GPU it lists for each.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError

__all__ = [
    "EFA_INTERFACES",
    "EFA_PLUGIN_CHART_VERSION",
    "EFA_PLUGIN_REPO",
    "GPU_OPERATOR_CHART_VERSION",
    "GPU_OPERATOR_REPO",
    "INSTANCE_STORE_GB",
    "MIG_PROFILES",
    "ClusterModelCacheConfig",
    "EfsModelCacheConfig",
    "GpuOperatorConfig",
    "GpuSharingConfig",
    "LocalStorage",
    "MigConfig",
    "MigStrategy",
    "PoolSharing",
    "TimeSlicingConfig",
    "check_pool_sharing",
    "device_plugin_config_name",
    "mig_profiles_for",
    "nodeadm_local_storage_user_data",
    "pool_sharing",
]

#: EC2 ``MaximumEfaInterfaces`` of the AWS GPU types of the catalogue that support EFA.
EFA_INTERFACES: dict[str, int] = {
    "g4dn.8xlarge": 1, "g4dn.12xlarge": 1, "g4dn.16xlarge": 1,
    "g5.8xlarge": 1, "g5.12xlarge": 1, "g5.16xlarge": 1, "g5.24xlarge": 1, "g5.48xlarge": 1,
    "g6.8xlarge": 1, "g6.12xlarge": 1, "g6.16xlarge": 1, "g6.24xlarge": 1, "g6.48xlarge": 1,
    "g6e.8xlarge": 1, "g6e.12xlarge": 1, "g6e.16xlarge": 1, "g6e.24xlarge": 2, "g6e.48xlarge": 4,
    "g7e.8xlarge": 1, "g7e.12xlarge": 1, "g7e.24xlarge": 2, "g7e.48xlarge": 4,
    "p4d.24xlarge": 4, "p4de.24xlarge": 4, "p5.4xlarge": 1, "p5.48xlarge": 32, "p5e.48xlarge": 32,
    "p5en.48xlarge": 16, "p6-b200.48xlarge": 8, "p6-b300.48xlarge": 16,
}
#: EC2 ``InstanceStorageInfo.TotalSizeInGB`` (NVMe instance store) of the catalogue's AWS GPU types.
INSTANCE_STORE_GB: dict[str, int] = {
    "g4dn.xlarge": 125, "g4dn.2xlarge": 225, "g4dn.4xlarge": 225, "g4dn.8xlarge": 900, "g4dn.12xlarge": 900,
    "g4dn.16xlarge": 900, "g5.xlarge": 250, "g5.2xlarge": 450, "g5.4xlarge": 600, "g5.8xlarge": 900,
    "g5.12xlarge": 3800, "g5.16xlarge": 1900, "g5.24xlarge": 3800, "g5.48xlarge": 7600, "g6.xlarge": 250,
    "g6.2xlarge": 450, "g6.4xlarge": 600, "g6.8xlarge": 900, "g6.12xlarge": 3760, "g6.16xlarge": 1880,
    "g6.24xlarge": 3760, "g6.48xlarge": 7520, "g6e.xlarge": 250, "g6e.2xlarge": 450, "g6e.4xlarge": 600,
    "g6e.8xlarge": 900, "g6e.12xlarge": 3800, "g6e.16xlarge": 1900, "g6e.24xlarge": 3800, "g6e.48xlarge": 7600,
    "g7e.2xlarge": 1900, "g7e.4xlarge": 1900, "g7e.8xlarge": 1900, "g7e.12xlarge": 3800, "g7e.24xlarge": 7600,
    "g7e.48xlarge": 15200, "p4d.24xlarge": 8000, "p4de.24xlarge": 8000, "p5.4xlarge": 3800,
    "p5.48xlarge": 30400, "p5e.48xlarge": 30400, "p5en.48xlarge": 30400, "p6-b200.48xlarge": 30400,
    "p6-b300.48xlarge": 30400,
}

#: MIG profiles of the ``all-<profile>`` configurations of the GPU Operator's MIG manager, by GPU
#: (catalogue ``gpu_model`` and per-GPU memory GiB): profile → (instances per GPU, GiB each).
MIG_PROFILES: dict[tuple[str, int], dict[str, tuple[int, float]]] = {
    # A100-40GB (p4d): all-1g.5gb … all-7g.40gb; all-1g.10gb gives 4 instances on this GPU
    ("A100", 40): {"1g.5gb": (7, 5), "1g.10gb": (4, 10), "2g.10gb": (3, 10), "3g.20gb": (2, 20),
                   "4g.20gb": (1, 20), "7g.40gb": (1, 40)},
    # A100-80GB (p4de, CoreWeave gd-8xa100-i128) and H100-80GB (p5, p5.4xlarge, CoreWeave H100)
    ("A100", 80): {"1g.10gb": (7, 10), "1g.20gb": (4, 20), "2g.20gb": (3, 20), "3g.40gb": (2, 40),
                   "4g.40gb": (1, 40), "7g.80gb": (1, 80)},
    ("H100", 80): {"1g.10gb": (7, 10), "1g.20gb": (4, 20), "2g.20gb": (3, 20), "3g.40gb": (2, 40),
                   "4g.40gb": (1, 40), "7g.80gb": (1, 80)},
    # H200-141GB (p5e, p5en, CoreWeave H200)
    ("H200", 141): {"1g.18gb": (7, 18), "1g.35gb": (4, 35), "2g.35gb": (3, 35), "3g.71gb": (2, 71),
                    "4g.71gb": (1, 71), "7g.141gb": (1, 141)},
    # B200 (p6-b200: 179 GiB as AWS states it; CoreWeave b200-8x: 180)
    ("B200", 179): {"1g.23gb": (7, 23), "1g.45gb": (4, 45), "2g.45gb": (3, 45), "3g.90gb": (2, 90),
                    "4g.90gb": (1, 90), "7g.180gb": (1, 180)},
}
MIG_PROFILES[("B200", 180)] = MIG_PROFILES[("B200", 179)]


def mig_profiles_for(gpu_model: str, gpu_memory_gib: int) -> dict[str, tuple[int, float]]:
    """The MIG profiles of a GPU (empty when it does not support MIG or is not listed)."""
    return MIG_PROFILES.get((gpu_model, gpu_memory_gib), {})


class TimeSlicingConfig(AiopsModel):
    """CUDA time-slicing of every GPU of a pool's nodes."""

    replicas: int = Field(ge=2, le=48, description="How many pods may share each GPU. Required.")


class MigConfig(AiopsModel):
    """MIG partitioning of every GPU of a pool's nodes into identical instances."""

    profile: str = Field(description="A MIG profile of the pool's GPU, e.g. 1g.10gb (H100/A100-80GB), "
                                     "1g.18gb (H200), 1g.23gb (B200). Required.")

    @field_validator("profile")
    @classmethod
    def _profile(cls, v: str) -> str:
        known = sorted({p for table in MIG_PROFILES.values() for p in table})
        if v.removeprefix("all-") not in known:
            raise ConfigValueError(f"is not a MIG profile this library knows; known: {', '.join(known)}")
        return v.removeprefix("all-")


class GpuSharingConfig(AiopsModel):
    """How the GPUs of one pool are shared: time-slicing or MIG (one of them)."""

    time_slicing: TimeSlicingConfig | None = Field(None, description="CUDA time-slicing. @default none")
    mig: MigConfig | None = Field(None, description="MIG partitions (needs gpuOperator). @default none")

    @model_validator(mode="after")
    def _one(self) -> GpuSharingConfig:
        if (self.time_slicing is None) == (self.mig is None):
            raise ConfigValueError("must set exactly one of timeSlicing or mig", value=self.model_dump(
                by_alias=True, exclude_none=True))
        return self


#: How the GPUs of a pool are shared, as workloads see it: ``(mode, slices per GPU, GiB per slice)``.
PoolSharing = tuple[str, int, float | None]


def device_plugin_config_name(sharing: GpuSharingConfig) -> str:
    """The device plugin configuration (and node label value) of a time-slicing setting."""
    assert sharing.time_slicing is not None
    return f"time-slicing-{sharing.time_slicing.replicas}"


def check_pool_sharing(pool: str, sharing: GpuSharingConfig, *, gpu_pools: dict[str, Any],
                       other_pools: dict[str, str], gpu_operator: bool, loc: tuple[int | str, ...]) -> None:
    """``sharing`` for ``pool`` is possible: the pool is a GPU pool, MIG has the GPU Operator and a
    profile of the pool's GPU. ``gpu_pools`` maps GPU pool names to their resolved GPU spec
    (``GpuInstanceType``); ``other_pools`` names the pools without GPUs (name → what they are)."""
    if pool not in gpu_pools:
        if pool in other_pools:
            raise ConfigValueError(
                f"is {other_pools[pool]}, which has no GPUs: time-slicing and MIG share the GPUs of a GPU pool; GPU "
                f"pools: {', '.join(gpu_pools) or 'none'}", loc=loc, value=pool)
        raise ConfigValueError(f"is not a GPU pool of this cluster; GPU pools: {', '.join(gpu_pools) or 'none'}",
                               loc=loc, value=pool)
    if sharing.mig is not None:
        spec = gpu_pools[pool]
        if not gpu_operator:
            raise ConfigValueError(
                "needs the GPU Operator's MIG manager: set gpuOperator.enabled true (the operator then provides the "
                "device plugin; drivers and toolkit stay the AMI's)", loc=(*loc, "mig"), value=sharing.mig.profile)
        profiles = mig_profiles_for(spec.gpu_model, spec.gpu_memory_gib)
        if not profiles:
            raise ConfigValueError(
                f"is not possible on pool {pool!r}: its {spec.gpu_model} ({spec.gpu_memory_gib} GiB) does not support "
                "MIG; MIG GPUs: A100, H100, H200, B200 (use timeSlicing instead)",
                loc=(*loc, "mig", "profile"), value=sharing.mig.profile)
        if sharing.mig.profile not in profiles:
            raise ConfigValueError(
                f"is not a MIG profile of the {spec.gpu_model} ({spec.gpu_memory_gib} GiB) of pool {pool!r}; its "
                f"profiles: {', '.join(profiles)}", loc=(*loc, "mig", "profile"), value=sharing.mig.profile)


def pool_sharing(sharing: GpuSharingConfig | None, gpu_model: str, gpu_memory_gib: int) -> PoolSharing:
    """``(mode, slices per GPU, GiB per slice)`` of a pool (``("none", 1, None)`` unshared)."""
    if sharing is None:
        return ("none", 1, None)
    if sharing.time_slicing is not None:
        r = sharing.time_slicing.replicas
        return ("time-slicing", r, None)
    assert sharing.mig is not None
    count, gib = mig_profiles_for(gpu_model, gpu_memory_gib)[sharing.mig.profile]
    return ("mig", count, gib)


# -- cluster-level options (EKS) ----------------------------------------------------------------
#: The GPU Operator's chart (NGC Helm repository; the version NVIDIA's GPU Operator documentation
#: installs, docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest, "GPU Operator with MIG").
GPU_OPERATOR_REPO = "https://helm.ngc.nvidia.com/nvidia"
GPU_OPERATOR_CHART_VERSION = "v25.10.1"
#: The EFA device plugin's chart (aws/eks-charts, gh-pages index.yaml: aws-efa-k8s-device-plugin
#: v0.5.30, app v0.5.20, digest 43b3d666…, created 2026-08-03).
EFA_PLUGIN_REPO = "https://aws.github.io/eks-charts"
EFA_PLUGIN_CHART_VERSION = "v0.5.30"


class MigStrategy(StrEnum):
    """How the device plugin advertises MIG devices (the operator's ``mig.strategy``)."""

    #: Every MIG slice is an ``nvidia.com/gpu``; all GPUs of a node use one profile (what this
    #: library configures per pool).
    SINGLE = "single"


class GpuOperatorConfig(AiopsModel):
    """The NVIDIA GPU Operator in the mode EKS's NVIDIA AMIs need: drivers and the container toolkit
    stay the AMI's (off in the operator); the operator provides the device plugin (instead of the
    standalone chart), GPU feature discovery and the MIG manager."""

    model_config = ConfigDict(title="EksGpuOperatorArgs")

    enabled: bool = Field(False, description="Install the GPU Operator (needed for MIG). @default false")
    chart_version: str = Field(GPU_OPERATOR_CHART_VERSION, description=f"@default {GPU_OPERATOR_CHART_VERSION}")
    mig_strategy: MigStrategy = Field(MigStrategy.SINGLE, description="@default single")

    @field_validator("chart_version")
    @classmethod
    def _v(cls, v: str) -> str:
        if not re.match(r"^v\d+\.\d+\.\d+$", v):
            raise ConfigValueError("is not a GPU Operator chart version (vYY.MM.P, e.g. v25.10.1)")
        return v


class EfsModelCacheConfig(AiopsModel):
    """An EFS file system for shared model caches: encrypted with its own KMS key, mount targets in
    the private subnets, the EFS CSI driver add-on (Pod Identity role), and the StorageClass
    ``aiops-efs-models`` (one access point per volume)."""

    model_config = ConfigDict(title="EksEfsModelCacheArgs")

    enabled: bool = Field(False, description="@default false")
    throughput_mode: str = Field("elastic", description="EFS throughput mode: elastic or bursting. @default elastic")

    @field_validator("throughput_mode")
    @classmethod
    def _mode(cls, v: str) -> str:
        if v not in ("elastic", "bursting"):
            raise ConfigValueError("is not an EFS throughput mode this library configures; allowed: elastic, bursting")
        return v


class ClusterModelCacheConfig(AiopsModel):
    """Shared model-cache storage the cluster provides to its model servers."""

    efs: EfsModelCacheConfig = Field(default_factory=EfsModelCacheConfig, description="@default off")


class LocalStorage(StrEnum):
    """What a GPU group does with the instance's NVMe instance store."""

    #: Nothing: the kubelet and containerd stay on the EBS root volume.
    NONE = "none"
    #: nodeadm RAID0s the instance-store disks and moves the kubelet and containerd onto them (AL2023).
    RAID0 = "raid0"


def nodeadm_local_storage_user_data() -> str:
    """Launch-template user data (MIME multi-part, base64) with the nodeadm ``NodeConfig`` that puts
    the kubelet and containerd on a RAID0 of the instance store. EKS merges it with its own
    bootstrap part for managed node groups on AL2023."""
    import base64

    text = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n\n"
            "--//\nContent-Type: application/node.eks.aws\n\n"
            "---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  instance:\n    localStorage:\n"
            "      strategy: RAID0\n\n--//--\n")
    return base64.b64encode(text.encode()).decode()
