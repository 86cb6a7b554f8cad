"""Args of the EKS pieces (:mod:`pulumi_aiops.eks`): ``Vpc``, ``EksControlPlane``,
``GpuNodeGroup``, ``SystemNodeGroup``, ``ClusterAutoscaler`` and ``NvidiaDevicePlugin``.

Each model is the stack-config shape it comes from (:mod:`pulumi_aiops.config.eks`) plus the
wiring fields that connect a piece to the others, or to resources a team already has
(``cluster_name``, ``node_role_arn``, ``subnet_ids``, ``vpc_id`` take plain values or outputs).
:class:`~pulumi_aiops.eks_gpu_cluster.EksGpuCluster` builds these models from its own config;
a program composing the pieces itself passes dicts.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known
from pulumi_aiops.config.deployer_access import DeployerAccessConfig
from pulumi_aiops.config.eks import (
    _VPC_RE,
    AUTOSCALER_CHART_FIELD,
    DEPLOYER_ACCESS_FIELD,
    DEVICE_PLUGIN_CHART_FIELD,
    NODE_ROLE_ARN_FIELD,
    ROLE_ARN_FIELD,
    VERSION_FIELD,
    AccessConfig,
    Autoscaler,
    ChartVersion,
    EksName,
    EncryptionConfig,
    EndpointConfig,
    GpuNodeGroupConfig,
    KubernetesVersion,
    LoggingConfig,
    RoleArn,
    SubnetIds,
    SystemNodeGroupConfig,
    Tags,
    VpcShape,
    _eks_name,
)
from pulumi_aiops.config.gpu_nodes import (
    EFA_PLUGIN_CHART_VERSION,
    EfsModelCacheConfig,
    GpuOperatorConfig,
    GpuSharingConfig,
    check_pool_sharing,
)

__all__ = [
    "ClusterAutoscalerConfig",
    "EfaDevicePluginConfig",
    "EfsModelCachePieceConfig",
    "EksControlPlaneConfig",
    "GpuNodeGroupPieceConfig",
    "GpuOperatorPieceConfig",
    "NvidiaDevicePluginConfig",
    "SystemNodeGroupPieceConfig",
    "VpcConfig",
]

_TAGS_DOC = "Tags on every taggable resource (owner, cost-center, data-classification). @default {}"
_CLUSTER_NAME_DOC = "The EKS cluster's name, or an output of it (e.g. `aws.eks.Cluster.name`). Required."
_AUTOSCALER_DOC = (
    "Who sets the group's size: with cluster-autoscaler, desiredSize is left to it (ignored on "
    "updates) and a group scaling from zero gets the node-template ASG tags. @default cluster-autoscaler"
)


class VpcConfig(VpcShape):
    """A VPC over ``azCount`` AZs: private and public subnets, NAT, flow logs (all traffic)."""

    model_config = ConfigDict(title="VpcArgs")

    name_tag: str | None = Field(
        None,
        description="Base of the Name tags (`<nameTag>-private-0`, …) and of the flow-log group "
        "`/aws/vpc/<nameTag>/flow-logs`. @default the resource name",
    )
    tags: Tags = Field(default_factory=dict, description=_TAGS_DOC)

    @field_validator("name_tag")
    @classmethod
    def _name_tag(cls, v: str | None) -> str | None:
        if v is not None and not 0 < len(v) <= 200:
            raise ValueError("must be 1-200 characters")
        return v


class EksControlPlaneConfig(AiopsModel):
    """An EKS control plane in a VPC you pass in (ids or outputs)."""

    model_config = ConfigDict(title="EksControlPlaneArgs")

    vpc_id: Wired[str] = Field(description="The VPC: its id, or an output of it (`Vpc.vpc_id`). Required.")
    subnet_ids: SubnetIds = Field(
        description="Private subnets (>= 2 AZs) for the control plane: ids, outputs, or an output of "
        "the whole list (`Vpc.private_subnet_ids`). Required."
    )
    cluster_name: str | None = Field(
        None, description="The EKS cluster's physical name. @default <resource name>-<stack>"
    )
    version: KubernetesVersion = VERSION_FIELD
    endpoint: EndpointConfig = Field(default_factory=EndpointConfig, description="@default private only")
    encryption: EncryptionConfig = Field(default_factory=EncryptionConfig, description="@default create a KMS key")
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="@default all types, 90 days")
    access: AccessConfig = Field(default_factory=AccessConfig, description="@default API mode, no extra admins")
    deployer_access: DeployerAccessConfig = DEPLOYER_ACCESS_FIELD
    role_arn: RoleArn | None = ROLE_ARN_FIELD
    node_role_arn: RoleArn | None = NODE_ROLE_ARN_FIELD
    tags: Tags = Field(default_factory=dict, description=_TAGS_DOC)

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, v: Any) -> Any:
        if is_known(v) and not _VPC_RE.match(v):
            raise ValueError("is not a VPC id (vpc-0123456789abcdef0)")
        return v

    @field_validator("subnet_ids")
    @classmethod
    def _two_subnets(cls, v: Any) -> Any:
        if is_known(v) and len(v) < 2:
            raise ValueError("needs at least 2 private subnets in different AZs")
        return v

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, v: str | None) -> str | None:
        return _eks_name(v)


class _Wiring(AiopsModel):
    """Where a managed node group goes: the cluster, the node role, the subnets."""

    cluster_name: EksName = Field(description=_CLUSTER_NAME_DOC)
    node_role_arn: RoleArn = Field(
        description="The node IAM role (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, "
        "AmazonEC2ContainerRegistryPullOnly): its ARN, or an output. Required."
    )
    autoscaler: Autoscaler = Field(Autoscaler.CLUSTER_AUTOSCALER, description=_AUTOSCALER_DOC)
    tags: Tags = Field(default_factory=dict, description=_TAGS_DOC)


class GpuNodeGroupPieceConfig(GpuNodeGroupConfig, _Wiring):
    """A GPU managed node group on an EKS cluster you name (yours or an ``EksControlPlane``)."""

    model_config = ConfigDict(title="GpuNodeGroupArgs")

    gpu_sharing: GpuSharingConfig | None = Field(
        None,
        description="How this group's GPUs are shared (time-slicing or MIG): the node label that selects the device "
        "plugin's or the MIG manager's configuration. @default none (whole GPUs)",
    )
    security_group_ids: list[Wired[str]] = Field(
        default_factory=list,
        description="Security groups of the EFA interfaces (efa: true): the cluster security group (EKS adds none "
        "of its own when the launch template names network interfaces); it must admit all traffic from itself. "
        "@default [] (required with efa)",
    )

    subnet_ids: SubnetIds = Field(
        description="Subnets of the group (private; for a Capacity Block, those of its AZ): ids, outputs, "
        "or an output of the whole list. Required."
    )
    availability_zones: list[str] = Field(
        default_factory=list,
        description="Not used on its own (it knows no subnet's AZ): put the AZ's subnets in subnetIds. "
        "@default [] (must stay empty)",
    )

    @model_validator(mode="after")
    def _no_azs(self) -> GpuNodeGroupPieceConfig:
        if self.availability_zones:
            raise ConfigValueError(
                "cannot be resolved here (no subnet's AZ is known); list the subnets of those AZs in subnetIds",
                loc=("availabilityZones",),
                value=self.availability_zones,
            )
        if is_known(self.subnet_ids) and not self.subnet_ids:
            raise ConfigValueError("must list at least one subnet", loc=("subnetIds",), value=self.subnet_ids)
        if self.efa and not self.security_group_ids:
            raise ConfigValueError("must name the security groups of the EFA interfaces (the cluster security "
                                   "group)", loc=("securityGroupIds",), value=[])
        if self.gpu_sharing is not None:
            check_pool_sharing(self.name, self.gpu_sharing, gpu_pools={self.name: self.gpu_type()}, other_pools={},
                               gpu_operator=True, loc=("gpuSharing",))
        return self


class SystemNodeGroupPieceConfig(SystemNodeGroupConfig, _Wiring):
    """The CPU node group for cluster add-ons, on an EKS cluster you name."""

    model_config = ConfigDict(title="SystemNodeGroupArgs")

    subnet_ids: SubnetIds = Field(description="Private subnets of the group: ids, outputs, or an output. Required.")

    @model_validator(mode="after")
    def _some_subnets(self) -> SystemNodeGroupPieceConfig:
        if is_known(self.subnet_ids) and not self.subnet_ids:
            raise ConfigValueError("must list at least one subnet", loc=("subnetIds",), value=self.subnet_ids)
        return self


class ClusterAutoscalerConfig(AiopsModel):
    """cluster-autoscaler on an EKS cluster: least-privilege IAM via Pod Identity, Helm release."""

    model_config = ConfigDict(title="ClusterAutoscalerArgs")

    cluster_name: EksName = Field(description=_CLUSTER_NAME_DOC)
    kubernetes_version: KubernetesVersion = Field(
        description="The cluster's Kubernetes version (the autoscaler image is v<version>.0). Required."
    )
    chart_version: ChartVersion = AUTOSCALER_CHART_FIELD
    tags: Tags = Field(default_factory=dict, description=_TAGS_DOC)


class NvidiaDevicePluginConfig(AiopsModel):
    """The NVIDIA device plugin DaemonSet on nodes labelled ``aiops.io/nvidia-device-plugin=daemonset``."""

    model_config = ConfigDict(title="NvidiaDevicePluginArgs")

    version: ChartVersion = DEVICE_PLUGIN_CHART_FIELD
    time_slicing_replicas: list[int] = Field(
        default_factory=list,
        description="Time-slicing configurations to offer (replicas per GPU); a node selects one with the label "
        "nvidia.com/device-plugin.config=time-slicing-<replicas> (GpuNodeGroup gpuSharing sets it). @default [] "
        "(whole GPUs only)",
    )

    @field_validator("time_slicing_replicas")
    @classmethod
    def _replicas(cls, v: list[int]) -> list[int]:
        for i, r in enumerate(v):
            if not 2 <= r <= 48:
                raise ConfigValueError("is not a replica count from 2 to 48", loc=(i,), value=r)
        return sorted(set(v))


class GpuOperatorPieceConfig(GpuOperatorConfig):
    """The NVIDIA GPU Operator on an EKS cluster, in the EKS-AMI mode (drivers and toolkit off)."""

    model_config = ConfigDict(title="GpuOperatorArgs")

    time_slicing_replicas: list[int] = Field(
        default_factory=list,
        description="Time-slicing configurations the operator's device plugin offers (time-slicing-<replicas>), "
        "selected per node by the label nvidia.com/device-plugin.config. @default []",
    )
    system_node_selector: dict[str, str] = Field(
        default_factory=dict, description="Where the operator and NFD master run. @default anywhere")


class EfaDevicePluginConfig(AiopsModel):
    """The EFA device plugin (aws/eks-charts) on nodes labelled ``aiops.io/efa=true``."""

    model_config = ConfigDict(title="EfaDevicePluginArgs")

    chart_version: str = Field(EFA_PLUGIN_CHART_VERSION, description=f"@default {EFA_PLUGIN_CHART_VERSION}")


class EfsModelCachePieceConfig(EfsModelCacheConfig):
    """An EFS file system, its mount targets, the EFS CSI driver and a StorageClass for shared
    model caches, on an EKS cluster you name."""

    model_config = ConfigDict(title="EfsModelCacheArgs")

    enabled: bool = Field(True, description="@default true")
    cluster_name: EksName = Field(description=_CLUSTER_NAME_DOC)
    vpc_id: Wired[str] = Field(description="The cluster's VPC (id or output). Required.")
    subnet_ids: dict[str, Wired[str]] = Field(
        description="Private subnets for the mount targets, by a stable key (the AZ, or the subnet id): one mount "
        "target each. Required.")
    client_security_group_id: Wired[str] = Field(
        description="The security group of the nodes that mount it (the cluster security group). Required.")
    tags: Tags = Field(default_factory=dict, description=_TAGS_DOC)

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not v:
            raise ConfigValueError("must name at least one subnet (one mount target per AZ the nodes use)")
        return v
