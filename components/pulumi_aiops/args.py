"""The public arguments of every pulumi-aiops component, as TypedDicts.

Generated from the pydantic models in :mod:`pulumi_aiops.config` by
``python -m pulumi_aiops.config.args_gen --write``; do not edit.
Keys are snake_case (camelCase is accepted too); ``pulumi.Input`` fields take outputs of
your own resources. Each component validates its args before it registers anything.
"""

# ruff: noqa: E501
# No `from __future__ import annotations`: Pulumi's schema inference reads these annotations
# as objects at run time.
from typing import TYPE_CHECKING, Required, TypedDict

import pulumi

from pulumi_aiops.config.bedrock import (
    BedrockEndpointService,
    ChunkingStrategy,
    CommitmentDuration,
    ContentFilterType,
    DataDeletionPolicy,
    EndpointMode,
    FilterStrength,
    LogDestination,
    LoggedData,
    PiiAction,
    PiiEntityType,
)
from pulumi_aiops.config.coreweave import (
    ApiAccess,
    AuditPolicyMode,
    Autoscaling,
    HostPrefixType,
    ScaleDownStrategy,
    TaintEffect,
    VersioningStatus,
)
from pulumi_aiops.config.data import (
    AossSourceService,
    DataZone,
    FeatureType,
    Modality,
    ObjectLockMode,
    StandbyReplicas,
    StatementLogging,
    TeamAccess,
    VectorBackend,
)
from pulumi_aiops.config.eks import (
    Autoscaler,
    ControlPlaneLogType,
    EksCapacityType,
    GpuAmiType,
    NatGateways,
    SystemAmiType,
)
from pulumi_aiops.config.gateway import (
    BedrockAccessLike,
    ContentFilterCategory,
    DatabaseMode,
    ModelServerLike,
    OtlpProtocol,
    RouteProvider,
    RoutingStrategy,
)
from pulumi_aiops.config.governance import (
    DataClassification,
    Environment,
)
from pulumi_aiops.config.gpu_nodes import (
    LocalStorage,
    MigStrategy,
)
from pulumi_aiops.config.observability import (
    BadWhen,
    ReceiverType,
    SliAggregate,
    SloKind,
    TracingBackend,
)
from pulumi_aiops.config.serving import (
    AutoscalingMetric,
    CacheMode,
    RegistryStorage,
)
from pulumi_aiops.contract import GpuClusterLike

if TYPE_CHECKING:
    from pulumi_aiops.bedrock_access import BedrockAccess
    from pulumi_aiops.data_lake import DataLake
    from pulumi_aiops.vector_store import VectorStore

__all__ = [
    "AlertReceiverArgs",
    "AlertmanagerArgs",
    "AutoscalingArgs",
    "AwsMonitoringArgs",
    "BedrockAccessArgs",
    "BedrockAlarmThresholdsArgs",
    "BedrockPrivateEndpointsArgs",
    "ChunkingArgs",
    "ClusterAutoscalerArgs",
    "ClusterModelCacheArgs",
    "ContentFilterArgs",
    "CoreWeaveCksArgs",
    "CoreWeaveCpuNodePoolArgs",
    "CoreWeaveDatasetArgs",
    "CoreWeaveGpuClusterArgs",
    "CoreWeaveHostPrefixArgs",
    "CoreWeaveHostPrefixIpamArgs",
    "CoreWeaveNodePoolArgs",
    "CoreWeaveNodeTaintArgs",
    "CoreWeaveOidcArgs",
    "CoreWeaveRegistryArgs",
    "CoreWeaveVpcArgs",
    "CoreWeaveVpcPrefixArgs",
    "DataLakeArgs",
    "DataLakeAuditArgs",
    "DataLakeLifecycleArgs",
    "DataLakeTeamArgs",
    "DcgmExporterArgs",
    "DeniedTopicArgs",
    "DeployerAccessArgs",
    "EfaDevicePluginArgs",
    "EfsModelCacheArgs",
    "EksAccessArgs",
    "EksControlPlaneArgs",
    "EksEfsModelCacheArgs",
    "EksEncryptionArgs",
    "EksEndpointArgs",
    "EksGpuClusterArgs",
    "EksGpuNodeGroupArgs",
    "EksGpuOperatorArgs",
    "EksLoggingArgs",
    "EksNetworkArgs",
    "EksSystemNodeGroupArgs",
    "FeatureDefinitionArgs",
    "FeatureGroupArgs",
    "FeatureStoreArgs",
    "GatewayAuroraArgs",
    "GatewayAuroraNetworkArgs",
    "GatewayDatabaseArgs",
    "GatewayExistingDatabaseArgs",
    "GatewayGuardrailsArgs",
    "GatewayIngressArgs",
    "GatewayIrsaArgs",
    "GatewayPromptInjectionArgs",
    "GatewayResourcesArgs",
    "GatewayRouteArgs",
    "GatewayRouterArgs",
    "GatewayTeamArgs",
    "GatewayTelemetryArgs",
    "GpuNodeGroupArgs",
    "GpuOperatorArgs",
    "GpuSharingArgs",
    "GpuSpecArgs",
    "GrafanaArgs",
    "GuardrailArgs",
    "HuggingFaceSourceArgs",
    "InvocationLoggingArgs",
    "KedaArgs",
    "KnowledgeBaseArgs",
    "LangfuseArgs",
    "LeaderWorkerSetControllerArgs",
    "LlmGatewayArgs",
    "MigArgs",
    "ModelCacheArgs",
    "ModelFileArgs",
    "ModelRegistryArgs",
    "ModelRegistryRefArgs",
    "ModelServerArgs",
    "ModelServerResourcesArgs",
    "ModelSourceArgs",
    "ModelVersionArgs",
    "MultiNodeArgs",
    "NvidiaDevicePluginArgs",
    "ObservabilityArgs",
    "ObservabilityPrometheusArgs",
    "OtlpExporterArgs",
    "PiiEntityArgs",
    "PrometheusArgs",
    "ProvisionedThroughputArgs",
    "RegistrySyncArgs",
    "ScrapeArgs",
    "ScrapeTargetArgs",
    "SecretKeyRefArgs",
    "ServingNetworkArgs",
    "SliArgs",
    "SloArgs",
    "SnsSubscriptionArgs",
    "SystemNodeGroupArgs",
    "TimeSlicingArgs",
    "TracingArgs",
    "VectorStoreArgs",
    "VectorStoreAuroraArgs",
    "VectorStoreNetworkArgs",
    "VectorStoreOpenSearchArgs",
    "VectorStoreQdrantArgs",
    "VectorStoreQdrantResourcesArgs",
    "VpcArgs",
    "VpcFlowLogsArgs",
]

class VpcFlowLogsArgs(TypedDict, total=False):
    """VPC flow logs of a created VPC: all traffic, to a KMS-encrypted CloudWatch log group."""

    retention_days: int
    """Retention of the flow-log group, days. @default 90"""


class EksNetworkArgs(TypedDict, total=False):
    """The VPC: created (default) or brought (``vpcId`` + ``privateSubnetIds``)."""

    cidr: str
    """CIDR of a created VPC, /16../20. @default 10.0.0.0/16"""
    az_count: int
    """AZs of a created VPC. @default 3"""
    availability_zones: list[str]
    """Explicit AZ names for a created VPC (length azCount); subnets, NAT gateways and route tables are then named by AZ. @default [] = the first available"""
    nat_gateways: NatGateways
    """@default ONE_PER_AZ"""
    flow_logs: VpcFlowLogsArgs
    """Flow logs of a created VPC (always on). @default 90 days"""
    vpc_id: pulumi.Input[str]
    """Bring your own VPC: its id, or an output of it. @default none (create one)"""
    private_subnet_ids: pulumi.Input[list[pulumi.Input[str]]]
    """Private subnets (>= 2 AZs) of the brought VPC, for control plane and nodes: ids, outputs, or an output of the whole list. @default []"""


class EksEndpointArgs(TypedDict, total=False):
    """Who can reach the Kubernetes API endpoint."""

    private_access: bool
    """Endpoint reachable from inside the VPC. @default true"""
    public_access: bool
    """Endpoint reachable from the internet. @default false"""
    public_access_cidrs: list[str]
    """CIDRs allowed on the public endpoint; required with publicAccess, never 0.0.0.0/0. @default []"""


class EksEncryptionArgs(TypedDict, total=False):
    """Envelope encryption of Kubernetes Secrets (always on)."""

    kms_key_arn: pulumi.Input[str]
    """Bring your own KMS key: its ARN, or an output of it. @default none (create one)"""
    deletion_window_days: int
    """Of a created key. @default 30"""


class EksLoggingArgs(TypedDict, total=False):
    """Control-plane logs to CloudWatch."""

    types: list[ControlPlaneLogType]
    """@default all five: api, audit, authenticator, controllerManager, scheduler"""
    retention_days: int
    """Log group retention, days. @default 90"""


class EksAccessArgs(TypedDict, total=False):
    """Cluster access: authentication mode API, with access entries."""

    admin_principal_arns: list[pulumi.Input[str]]
    """IAM role/user ARNs (or outputs of them) given AmazonEKSClusterAdminPolicy; each access entry is named by a hash of its ARN, an output one by its place among the outputs. @default []"""
    bootstrap_creator_admin: bool
    """Give the identity running `pulumi up` cluster admin (it installs the Helm charts). @default true"""


class DeployerAccessArgs(TypedDict, total=False):
    """The deployer's security groups and networks, admitted on 443 by the private endpoints."""

    security_group_ids: list[pulumi.Input[str]]
    """Security groups of the deployer (a CI runner's, a VPN endpoint's), in the endpoints' VPC or a peered one: ids or outputs; each rule is named by a hash of the id (an output one by its place among the outputs). @default []"""
    cidrs: list[str]
    """Networks of the deployer (IPv4 or IPv6): private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) unless allowPublicCidrs; never 0.0.0.0/0 or ::/0. Each rule is named by a hash of the CIDR. @default []"""
    allow_public_cidrs: bool
    """Accept public ranges in cidrs (e.g. a corporate range routed over Direct Connect or VPN). @default false"""


class EksSystemNodeGroupArgs(TypedDict, total=False):
    """The CPU node group for cluster add-ons (CoreDNS, autoscaler, controllers)."""

    instance_type: str
    """@default m6i.large"""
    ami_type: SystemAmiType
    """@default AL2023_x86_64_STANDARD"""
    min_size: int
    """@default 2"""
    max_size: int
    """@default 4"""
    desired_size: int
    """@default minSize"""
    root_volume_gib: int
    """@default 50"""
    metadata_hop_limit: int
    """IMDSv2 hop limit of the system nodes. 2 lets the pods there (the EBS CSI node driver) read instance metadata, which also puts the node role's credentials within their reach; 1 keeps every pod off IMDS and the EBS CSI driver falls back to Kubernetes metadata, which cannot count the ENIs and volumes attached when it computes a node's volume limit. GPU nodes always get 1. @default 2"""


class GpuSpecArgs(TypedDict, total=False):
    """The GPUs of one node of an instance type the catalogue does not list."""

    gpu_model: Required[str]
    """GPU model, e.g. H100, L40S, B200. Required."""
    gpu_count: Required[int]
    """GPUs per node. Required."""
    gpu_memory_gib: Required[int]
    """Memory per GPU, GiB. Required."""
    vcpus: int
    """vCPUs per node. @default unknown"""
    memory_gib: int
    """Memory per node, GiB. @default unknown"""
    price_per_hour_usd: float
    """On-demand USD per node-hour, for cost estimates. @default none (shown as unpriced, never as $0)"""


class EksGpuNodeGroupArgs(TypedDict, total=False):
    """One GPU managed node group."""

    name: Required[str]
    """Group name, lowercase, unique in the cluster. Required."""
    instance_type: Required[str]
    """An EC2 GPU instance type: one the GPU catalogue lists, or any other with gpuSpec. Required."""
    gpu_spec: GpuSpecArgs
    """The GPUs of an instance type the catalogue does not list, declared by hand; refused for a listed type. @default none (the catalogue row)"""
    capacity_type: EksCapacityType
    """@default ON_DEMAND"""
    min_size: int
    """0 = scale to zero. @default 0"""
    max_size: int
    """At most 1000; above the account's 'Nodes per managed node group' quota (450 by default) a warning. @default 2"""
    desired_size: int
    """@default minSize"""
    ami_type: GpuAmiType
    """@default AL2023_x86_64_NVIDIA"""
    root_volume_gib: int
    """Encrypted gp3 root volume (model weights, images). @default 200"""
    labels: dict[str, str]
    """Extra node labels. @default {}"""
    capacity_reservation_id: str
    """The Capacity Block reservation (cr-…); required for CAPACITY_BLOCK. @default none"""
    subnet_ids: pulumi.Input[list[pulumi.Input[str]]]
    """Subnets of this group (e.g. the reservation's AZ), in the brought VPC: ids, outputs, or an output of the whole list. @default [] = all private subnets"""
    availability_zones: list[str]
    """AZs of this group in a created VPC (e.g. a Capacity Block's AZ); needs network.availabilityZones. @default [] = all AZs"""
    efa: bool
    """Attach an EFA interface per network card of the instance type, in a cluster placement group, for multi-node serving (the EFA device plugin advertises vpc.amazonaws.com/efa); the group must sit in one AZ (one availabilityZones entry, or its subnetIds). @default false"""
    local_storage: LocalStorage
    """raid0: nodeadm stripes the NVMe instance store and puts the kubelet and containerd on it, so pods' emptyDir volumes (the per-node model cache) are local NVMe (AL2023 AMIs, instance types with an instance store). @default none"""


class TimeSlicingArgs(TypedDict, total=False):
    """CUDA time-slicing of every GPU of a pool's nodes."""

    replicas: Required[int]
    """How many pods may share each GPU. Required."""


class MigArgs(TypedDict, total=False):
    """MIG partitioning of every GPU of a pool's nodes into identical instances."""

    profile: Required[str]
    """A MIG profile of the pool's GPU, e.g. 1g.10gb (H100/A100-80GB), 1g.18gb (H200), 1g.23gb (B200). Required."""


class GpuSharingArgs(TypedDict, total=False):
    """How the GPUs of one pool are shared: time-slicing or MIG (one of them)."""

    time_slicing: TimeSlicingArgs
    """CUDA time-slicing. @default none"""
    mig: MigArgs
    """MIG partitions (needs gpuOperator). @default none"""


class EksGpuOperatorArgs(TypedDict, total=False):
    """The NVIDIA GPU Operator in the mode EKS's NVIDIA AMIs need: drivers and the container toolkit"""

    enabled: bool
    """Install the GPU Operator (needed for MIG). @default false"""
    chart_version: str
    """@default v25.10.1"""
    mig_strategy: MigStrategy
    """@default single"""


class EksEfsModelCacheArgs(TypedDict, total=False):
    """An EFS file system for shared model caches: encrypted with its own KMS key, mount targets in"""

    enabled: bool
    """@default false"""
    throughput_mode: str
    """EFS throughput mode: elastic or bursting. @default elastic"""


class ClusterModelCacheArgs(TypedDict, total=False):
    """Shared model-cache storage the cluster provides to its model servers."""

    efs: EksEfsModelCacheArgs
    """@default off"""


class EksGpuClusterArgs(TypedDict, total=False):
    """An EKS cluster with GPU node groups: the ``aiops:platform.eks`` section and the"""

    cloud: str
    """The cloud; set it in additionalClusters. @default aws"""
    name: str
    """Logical cluster name, unique in the stack. @default eks"""
    cluster_name: str
    """The EKS cluster's physical name. @default <name>-<stack>"""
    version: str
    """Kubernetes version. @default 1.33"""
    network: EksNetworkArgs
    """@default create a VPC"""
    endpoint: EksEndpointArgs
    """@default private only"""
    encryption: EksEncryptionArgs
    """@default create a KMS key"""
    logging: EksLoggingArgs
    """@default all types, 90 days"""
    access: EksAccessArgs
    """@default API mode, no extra admins"""
    deployer_access: DeployerAccessArgs
    """Security groups and CIDRs of the deployer (a CI runner or VPN host in the VPC) that the cluster security group admits on 443, so `pulumi up` reaches the private API endpoint (the stack's aiops:platform.deployerAccess is added to it). @default none (only the nodes)"""
    role_arn: pulumi.Input[str]
    """Bring your own cluster IAM role: its ARN, or an output of it. @default none (create one)"""
    node_role_arn: pulumi.Input[str]
    """Bring your own node IAM role: its ARN, or an output of it. @default none (create one)"""
    system_node_group: EksSystemNodeGroupArgs
    """@default 2x m6i.large"""
    gpu_node_groups: list[EksGpuNodeGroupArgs]
    """GPU managed node groups. @default []"""
    autoscaler: Autoscaler
    """@default cluster-autoscaler"""
    autoscaler_chart_version: str
    """cluster-autoscaler chart. @default 9.46.6"""
    device_plugin_version: str
    """nvidia-device-plugin chart. @default 0.17.1"""
    gpu_sharing: dict[str, GpuSharingArgs]
    """How the GPUs of a GPU node group are shared, by group name: timeSlicing (replicas per GPU, through the device plugin's config, selected by the node label nvidia.com/device-plugin.config) or mig (a MIG profile, through the GPU Operator's MIG manager, label nvidia.com/mig.config). @default {} (whole GPUs)"""
    gpu_operator: EksGpuOperatorArgs
    """The NVIDIA GPU Operator (drivers and toolkit off: the AMI's), providing the device plugin and the MIG manager instead of the standalone device plugin chart. @default off"""
    model_cache: ClusterModelCacheArgs
    """Shared storage for model servers' weight caches (EFS). @default none"""
    tags: dict[str, str]
    """Extra tags on every taggable resource. @default {}"""


class VpcArgs(TypedDict, total=False):
    """A VPC over ``azCount`` AZs: private and public subnets, NAT, flow logs (all traffic)."""

    cidr: str
    """CIDR of a created VPC, /16../20. @default 10.0.0.0/16"""
    az_count: int
    """AZs of a created VPC. @default 3"""
    availability_zones: list[str]
    """Explicit AZ names for a created VPC (length azCount); subnets, NAT gateways and route tables are then named by AZ. @default [] = the first available"""
    nat_gateways: NatGateways
    """@default ONE_PER_AZ"""
    flow_logs: VpcFlowLogsArgs
    """Flow logs of a created VPC (always on). @default 90 days"""
    name_tag: str
    """Base of the Name tags (`<nameTag>-private-0`, …) and of the flow-log group `/aws/vpc/<nameTag>/flow-logs`. @default the resource name"""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""


class EksControlPlaneArgs(TypedDict, total=False):
    """An EKS control plane in a VPC you pass in (ids or outputs)."""

    vpc_id: Required[pulumi.Input[str]]
    """The VPC: its id, or an output of it (`Vpc.vpc_id`). Required."""
    subnet_ids: Required[pulumi.Input[list[pulumi.Input[str]]]]
    """Private subnets (>= 2 AZs) for the control plane: ids, outputs, or an output of the whole list (`Vpc.private_subnet_ids`). Required."""
    cluster_name: str
    """The EKS cluster's physical name. @default <resource name>-<stack>"""
    version: str
    """Kubernetes version. @default 1.33"""
    endpoint: EksEndpointArgs
    """@default private only"""
    encryption: EksEncryptionArgs
    """@default create a KMS key"""
    logging: EksLoggingArgs
    """@default all types, 90 days"""
    access: EksAccessArgs
    """@default API mode, no extra admins"""
    deployer_access: DeployerAccessArgs
    """Security groups and CIDRs of the deployer (a CI runner or VPN host in the VPC) that the cluster security group admits on 443, so `pulumi up` reaches the private API endpoint (the stack's aiops:platform.deployerAccess is added to it). @default none (only the nodes)"""
    role_arn: pulumi.Input[str]
    """Bring your own cluster IAM role: its ARN, or an output of it. @default none (create one)"""
    node_role_arn: pulumi.Input[str]
    """Bring your own node IAM role: its ARN, or an output of it. @default none (create one)"""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""


class GpuNodeGroupArgs(TypedDict, total=False):
    """A GPU managed node group on an EKS cluster you name (yours or an ``EksControlPlane``)."""

    cluster_name: Required[pulumi.Input[str]]
    """The EKS cluster's name, or an output of it (e.g. `aws.eks.Cluster.name`). Required."""
    node_role_arn: Required[pulumi.Input[str]]
    """The node IAM role (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryPullOnly): its ARN, or an output. Required."""
    autoscaler: Autoscaler
    """Who sets the group's size: with cluster-autoscaler, desiredSize is left to it (ignored on updates) and a group scaling from zero gets the node-template ASG tags. @default cluster-autoscaler"""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""
    name: Required[str]
    """Group name, lowercase, unique in the cluster. Required."""
    instance_type: Required[str]
    """An EC2 GPU instance type: one the GPU catalogue lists, or any other with gpuSpec. Required."""
    gpu_spec: GpuSpecArgs
    """The GPUs of an instance type the catalogue does not list, declared by hand; refused for a listed type. @default none (the catalogue row)"""
    capacity_type: EksCapacityType
    """@default ON_DEMAND"""
    min_size: int
    """0 = scale to zero. @default 0"""
    max_size: int
    """At most 1000; above the account's 'Nodes per managed node group' quota (450 by default) a warning. @default 2"""
    desired_size: int
    """@default minSize"""
    ami_type: GpuAmiType
    """@default AL2023_x86_64_NVIDIA"""
    root_volume_gib: int
    """Encrypted gp3 root volume (model weights, images). @default 200"""
    labels: dict[str, str]
    """Extra node labels. @default {}"""
    capacity_reservation_id: str
    """The Capacity Block reservation (cr-…); required for CAPACITY_BLOCK. @default none"""
    subnet_ids: Required[pulumi.Input[list[pulumi.Input[str]]]]
    """Subnets of the group (private; for a Capacity Block, those of its AZ): ids, outputs, or an output of the whole list. Required."""
    availability_zones: list[str]
    """Not used on its own (it knows no subnet's AZ): put the AZ's subnets in subnetIds. @default [] (must stay empty)"""
    efa: bool
    """Attach an EFA interface per network card of the instance type, in a cluster placement group, for multi-node serving (the EFA device plugin advertises vpc.amazonaws.com/efa); the group must sit in one AZ (one availabilityZones entry, or its subnetIds). @default false"""
    local_storage: LocalStorage
    """raid0: nodeadm stripes the NVMe instance store and puts the kubelet and containerd on it, so pods' emptyDir volumes (the per-node model cache) are local NVMe (AL2023 AMIs, instance types with an instance store). @default none"""
    gpu_sharing: GpuSharingArgs
    """How this group's GPUs are shared (time-slicing or MIG): the node label that selects the device plugin's or the MIG manager's configuration. @default none (whole GPUs)"""
    security_group_ids: list[pulumi.Input[str]]
    """Security groups of the EFA interfaces (efa: true): the cluster security group (EKS adds none of its own when the launch template names network interfaces); it must admit all traffic from itself. @default [] (required with efa)"""


class SystemNodeGroupArgs(TypedDict, total=False):
    """The CPU node group for cluster add-ons, on an EKS cluster you name."""

    cluster_name: Required[pulumi.Input[str]]
    """The EKS cluster's name, or an output of it (e.g. `aws.eks.Cluster.name`). Required."""
    node_role_arn: Required[pulumi.Input[str]]
    """The node IAM role (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryPullOnly): its ARN, or an output. Required."""
    autoscaler: Autoscaler
    """Who sets the group's size: with cluster-autoscaler, desiredSize is left to it (ignored on updates) and a group scaling from zero gets the node-template ASG tags. @default cluster-autoscaler"""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""
    instance_type: str
    """@default m6i.large"""
    ami_type: SystemAmiType
    """@default AL2023_x86_64_STANDARD"""
    min_size: int
    """@default 2"""
    max_size: int
    """@default 4"""
    desired_size: int
    """@default minSize"""
    root_volume_gib: int
    """@default 50"""
    metadata_hop_limit: int
    """IMDSv2 hop limit of the system nodes. 2 lets the pods there (the EBS CSI node driver) read instance metadata, which also puts the node role's credentials within their reach; 1 keeps every pod off IMDS and the EBS CSI driver falls back to Kubernetes metadata, which cannot count the ENIs and volumes attached when it computes a node's volume limit. GPU nodes always get 1. @default 2"""
    subnet_ids: Required[pulumi.Input[list[pulumi.Input[str]]]]
    """Private subnets of the group: ids, outputs, or an output. Required."""


class ClusterAutoscalerArgs(TypedDict, total=False):
    """cluster-autoscaler on an EKS cluster: least-privilege IAM via Pod Identity, Helm release."""

    cluster_name: Required[pulumi.Input[str]]
    """The EKS cluster's name, or an output of it (e.g. `aws.eks.Cluster.name`). Required."""
    kubernetes_version: Required[str]
    """The cluster's Kubernetes version (the autoscaler image is v<version>.0). Required."""
    chart_version: str
    """cluster-autoscaler chart. @default 9.46.6"""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""


class NvidiaDevicePluginArgs(TypedDict, total=False):
    """The NVIDIA device plugin DaemonSet on nodes labelled ``aiops.io/nvidia-device-plugin=daemonset``."""

    version: str
    """nvidia-device-plugin chart. @default 0.17.1"""
    time_slicing_replicas: list[int]
    """Time-slicing configurations to offer (replicas per GPU); a node selects one with the label nvidia.com/device-plugin.config=time-slicing-<replicas> (GpuNodeGroup gpuSharing sets it). @default [] (whole GPUs only)"""


class GpuOperatorArgs(TypedDict, total=False):
    """The NVIDIA GPU Operator on an EKS cluster, in the EKS-AMI mode (drivers and toolkit off)."""

    enabled: bool
    """Install the GPU Operator (needed for MIG). @default false"""
    chart_version: str
    """@default v25.10.1"""
    mig_strategy: MigStrategy
    """@default single"""
    time_slicing_replicas: list[int]
    """Time-slicing configurations the operator's device plugin offers (time-slicing-<replicas>), selected per node by the label nvidia.com/device-plugin.config. @default []"""
    system_node_selector: dict[str, str]
    """Where the operator and NFD master run. @default anywhere"""


class EfaDevicePluginArgs(TypedDict, total=False):
    """The EFA device plugin (aws/eks-charts) on nodes labelled ``aiops.io/efa=true``."""

    chart_version: str
    """@default v0.5.30"""


class EfsModelCacheArgs(TypedDict, total=False):
    """An EFS file system, its mount targets, the EFS CSI driver and a StorageClass for shared"""

    enabled: bool
    """@default true"""
    throughput_mode: str
    """EFS throughput mode: elastic or bursting. @default elastic"""
    cluster_name: Required[pulumi.Input[str]]
    """The EKS cluster's name, or an output of it (e.g. `aws.eks.Cluster.name`). Required."""
    vpc_id: Required[pulumi.Input[str]]
    """The cluster's VPC (id or output). Required."""
    subnet_ids: Required[dict[str, pulumi.Input[str]]]
    """Private subnets for the mount targets, by a stable key (the AZ, or the subnet id): one mount target each. Required."""
    client_security_group_id: Required[pulumi.Input[str]]
    """The security group of the nodes that mount it (the cluster security group). Required."""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""


class CoreWeaveHostPrefixIpamArgs(TypedDict, total=False):
    """``NetworkingVpc.hostPrefixes[].ipam``."""

    prefix_length: Required[int]
    """Per-node allocation length. Required."""
    gateway_address_policy: str
    """@default provider default"""


class CoreWeaveHostPrefixArgs(TypedDict, total=False):
    """``NetworkingVpc.hostPrefixes[]``."""

    name: Required[str]
    """Host prefix name. Required."""
    type: HostPrefixType
    """@default PRIMARY"""
    prefixes: Required[list[str]]
    """VPC-wide aggregates. Required."""
    ipam: CoreWeaveHostPrefixIpamArgs
    """@default none"""


class CoreWeaveVpcPrefixArgs(TypedDict, total=False):
    """A named VPC prefix (``NetworkingVpc.vpcPrefixes[]``), referenced by the CKS CIDR names."""

    name: Required[str]
    """Prefix name, referenced by cks.podCidrName etc. Required."""
    value: Required[str]
    """The CIDR block. Required."""


class CoreWeaveVpcArgs(TypedDict, total=False):
    """The CoreWeave VPC of the cluster: created (default) or brought (``vpcId``)."""

    vpc_id: pulumi.Input[str]
    """Bring your own CoreWeave VPC (an id, or an output such as my_vpc.id): no VPC is created, and cks.podCidrName, serviceCidrName and internalLbCidrNames must name prefixes of that VPC, which must be in cks.zone. @default none (create one)"""
    name: str
    """VPC name (<= 30 chars). @default the CKS cluster name"""
    zone: str
    """Must equal cks.zone. @default cks.zone"""
    host_prefix: str
    """Primary host CIDR. @default CoreWeave's"""
    host_prefixes: list[CoreWeaveHostPrefixArgs]
    """@default []"""
    vpc_prefixes: list[CoreWeaveVpcPrefixArgs]
    """@default pod-cidr 10.0.0.0/13, service-cidr 10.16.0.0/22, internal-lb-cidr 10.32.4.0/22"""
    disable_public_egress: bool
    """egress.disablePublicAccess: block internet egress. @default false"""
    disable_public_services: bool
    """ingress.disablePublicServices: no public LoadBalancers. @default true"""
    dns_servers: list[str]
    """dhcp.dns.servers. @default []"""


class CoreWeaveOidcArgs(TypedDict, total=False):
    """OIDC single sign-on for the API server (``CksCluster.oidc``)."""

    issuer_url: Required[str]
    """https URL of the OIDC issuer. Required."""
    client_id: Required[str]
    """The OIDC client id. Required."""
    admin_group_binding: str
    """Group bound to cluster-admin. @default none"""
    ca: str
    """Base64 PEM CA of the issuer. @default none"""
    groups_claim: str
    """@default none"""
    groups_prefix: str
    """@default none"""
    required_claim: str
    """@default none"""
    signing_algs: list[str]
    """@default []"""
    username_claim: str
    """@default none"""
    username_prefix: str
    """@default none"""


class CoreWeaveCksArgs(TypedDict, total=False):
    """The CKS control plane (``pulumi_coreweave.CksCluster``)."""

    name: str
    """CKS cluster name (<= 30 chars). @default '<cluster name>-<stack>'"""
    version: str
    """Kubernetes minor CKS supports (v1.34, v1.35, v1.36; a deprecated one warns). @default v1.35"""
    zone: str
    """Availability Zone. @default US-EAST-04A"""
    pod_cidr_name: str
    """A vpc.vpcPrefixes name. @default pod-cidr"""
    service_cidr_name: str
    """A vpc.vpcPrefixes name. @default service-cidr"""
    internal_lb_cidr_names: list[str]
    """vpc.vpcPrefixes names. @default [internal-lb-cidr]"""
    api_access: ApiAccess
    """@default private (public: false)"""
    audit_policy: AuditPolicyMode
    """@default default"""
    custom_audit_policy: str
    """Audit policy YAML, when auditPolicy is custom. @default none"""
    oidc: CoreWeaveOidcArgs
    """OIDC single sign-on. @default none"""
    additional_server_sans: list[str]
    """Extra API server SANs. @default []"""


class CoreWeaveNodeTaintArgs(TypedDict, total=False):
    """A taint on every node of a pool (``NodePool.spec.nodeTaints[]``)."""

    key: Required[str]
    """Taint key, e.g. nvidia.com/gpu. Required."""
    value: str
    """Taint value. @default ''"""
    effect: TaintEffect
    """@default NoSchedule"""


class CoreWeaveNodePoolArgs(TypedDict, total=False):
    """A CKS NodePool (``compute.coreweave.com/v1alpha1`` ``NodePool``)."""

    name: Required[str]
    """NodePool name (Kubernetes name). Required."""
    instance_type: Required[str]
    """A CoreWeave GPU instance type: one the GPU catalogue lists, or any other with gpuSpec. Required."""
    gpu_spec: GpuSpecArgs
    """The GPUs of an instance type the catalogue does not list, declared by hand; refused for a listed type. @default none (the catalogue row)"""
    target_nodes: Required[int]
    """Desired node count. Required."""
    min_nodes: int
    """@default targetNodes"""
    max_nodes: int
    """@default targetNodes"""
    autoscaling: Autoscaling
    """@default disabled"""
    node_labels: dict[str, str]
    """@default {}"""
    node_taints: list[CoreWeaveNodeTaintArgs]
    """@default [nvidia.com/gpu=true:NoSchedule]"""
    scale_down_strategy: ScaleDownStrategy
    """@default IdleOnly"""


class CoreWeaveCpuNodePoolArgs(TypedDict, total=False):
    """A CKS NodePool of CPU instances, without the GPU taint: where the workloads that need no"""

    name: Required[str]
    """NodePool name (Kubernetes name, unique among nodePools and cpuNodePools). Required."""
    instance_type: Required[str]
    """A CoreWeave CPU instance type, e.g. cd-gp-i64-erapids (64 vCPU) or cd-gp-a192-genoa (192 vCPU); availability differs by zone (CoreWeave's instance availability matrix). Required."""
    target_nodes: Required[int]
    """Desired node count. Required."""
    min_nodes: int
    """@default targetNodes"""
    max_nodes: int
    """@default targetNodes"""
    autoscaling: Autoscaling
    """@default disabled"""
    node_labels: dict[str, str]
    """@default {}"""
    node_taints: list[CoreWeaveNodeTaintArgs]
    """Taints; the system workloads tolerate them (systemTolerations). @default [] (no GPU taint)"""
    scale_down_strategy: ScaleDownStrategy
    """@default IdleOnly"""


class CoreWeaveDatasetArgs(TypedDict, total=False):
    """A CoreWeave AI Object Storage bucket for datasets: versioned, with a bucket policy."""

    name: Required[str]
    """Bucket name, globally unique (3-63 chars). Required."""
    zone: str
    """@default the cluster's cks.zone"""
    versioning: VersioningStatus
    """@default Enabled"""
    readers: list[pulumi.Input[str]]
    """Principals with read access. @default []"""
    writers: list[pulumi.Input[str]]
    """Principals with write access. @default []"""


class CoreWeaveGpuClusterArgs(TypedDict, total=False):
    """A CoreWeave CKS cluster with GPU NodePools and optional dataset buckets."""

    cloud: str
    """The cloud; set it in additionalClusters. @default coreweave"""
    name: str
    """Logical cluster name. @default coreweave"""
    token_config_key: str
    """The SECRET stack config key holding the CoreWeave API token (CW-SECRET-…). @default coreweave:token"""
    vpc: CoreWeaveVpcArgs
    """@default a new VPC, see VpcConfig"""
    cks: CoreWeaveCksArgs
    """@default see CksConfig"""
    node_pools: list[CoreWeaveNodePoolArgs]
    """GPU NodePools. @default []"""
    cpu_node_pools: list[CoreWeaveCpuNodePoolArgs]
    """CPU NodePools without the GPU taint, for the workloads that need no GPU (Qdrant, the gateway, observability): the cluster's system nodes. @default [] (none: such workloads are refused)"""
    datasets: list[CoreWeaveDatasetArgs]
    """@default []"""
    gpu_sharing: dict[str, GpuSharingArgs]
    """Not available on CKS: CoreWeave manages the NVIDIA device plugin and GPU Operator and documents no per-NodePool time-slicing or MIG setting; any entry is refused. @default {} (whole GPUs)"""
    tags: dict[str, str]
    """Tags on the taggable CoreWeave resources (the dataset buckets); in stack config they add to the governance tags. @default {}"""


class ModelServerResourcesArgs(TypedDict, total=False):
    """CPU and memory per replica (requests = limits, Guaranteed QoS)."""

    cpu: str
    """CPU cores, e.g. '4' or '3500m'. @default the server's share of a node of its pool"""
    memory: str
    """Memory, e.g. '16Gi'. @default the server's share of a node of its pool"""
    shm: str
    """/dev/shm size (tensor-parallel NCCL); memory-backed, so it counts against memory. @default a quarter of memory, at most 16Gi"""


class ModelCacheArgs(TypedDict, total=False):
    """The weight cache of a server (see :class:`CacheMode` for the trade-offs)."""

    mode: CacheMode
    """node or shared. @default node"""
    size: str
    """Volume size (Gi/Ti), e.g. 100Gi. @default the model's size + 20 %, rounded up to a GiB"""
    storage_class: str
    """StorageClass of the shared volume (ReadWriteMany). @default the cluster's: aiops-efs-models on EKS (eks.modelCache.efs), shared-vast on CoreWeave"""


class AutoscalingArgs(TypedDict, total=False):
    """KEDA scaling of a server on inference load."""

    min_replicas: int
    """0 lets the server sleep. @default 1"""
    max_replicas: Required[int]
    """Required."""
    metric: AutoscalingMetric
    """@default queue"""
    target: float
    """Queue: waiting requests per replica; ttft: seconds at p90. @default 5 (queue), 1.0 (ttft)"""
    cooldown_seconds: int
    """How long load must stay low before a replica goes (and before the last one goes, with minReplicas 0). @default 900"""
    polling_seconds: int
    """KEDA's polling interval. @default 30"""


class MultiNodeArgs(TypedDict, total=False):
    """A model bigger than one node: one replica is a group of ``nodes`` pods (a LeaderWorkerSet),"""

    nodes: Required[int]
    """Pods (nodes) per replica. Required."""
    tensor_parallel: int
    """@default gpus (one node)"""
    pipeline_parallel: int
    """@default nodes"""
    image: str
    """An image with the fabric's NCCL plugin (aws-ofi-nccl for EFA); the stock vLLM image falls back to NCCL over TCP. @default the server's image"""


class PrometheusArgs(TypedDict, total=False):
    """Where Prometheus is, for KEDA's queries and for the server's NetworkPolicy."""

    address: str
    """@default http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090"""
    namespace_labels: dict[str, str]
    """Labels of Prometheus's namespace. @default {kubernetes.io/metadata.name: monitoring}"""
    pod_labels: dict[str, str]
    """Labels of the Prometheus pods (prometheus-operator sets app.kubernetes.io/name: prometheus). @default {app.kubernetes.io/name: prometheus}"""


class ServingNetworkArgs(TypedDict, total=False):
    """Who may reach a server: the LLM gateway's namespace and Prometheus, nobody else."""

    gateway_namespace_labels: dict[str, str]
    """Labels of the LLM gateway's namespace. @default {aiops.io/llm-gateway: 'true'}"""
    prometheus: PrometheusArgs
    """@default kube-prometheus-stack"""
    egress_cidrs: list[str]
    """Where the weight fetch may reach on 443 (the registry: S3 or CoreWeave Object Storage; narrow it to your VPC with an S3 interface endpoint). @default [0.0.0.0/0]"""


class HuggingFaceSourceArgs(TypedDict, total=False):
    """A Hugging Face model repository pinned to one commit."""

    repo: Required[str]
    """Repository id, e.g. Qwen/Qwen2.5-0.5B-Instruct. Required."""
    revision: Required[str]
    """The commit (40 hex digits) the files were taken from; a branch or tag could move. Required."""


class ModelSourceArgs(TypedDict, total=False):
    """Where a model version's files came from."""

    hugging_face: Required[HuggingFaceSourceArgs]
    """A Hugging Face repo and revision. Required."""


class ModelFileArgs(TypedDict, total=False):
    """One file of a model version."""

    path: Required[str]
    """Path relative to the model directory, e.g. model.safetensors. Required."""
    size_bytes: Required[int]
    """Size in bytes. Required."""
    sha256: Required[str]
    """SHA-256 of the file, 64 lowercase hex digits. Required."""


class ModelVersionArgs(TypedDict, total=False):
    """One version of a model: the manifest the registry stores beside its weights."""

    name: Required[str]
    """Model name (lowercase letters, digits, '.', '-'), e.g. qwen2.5-0.5b-instruct. Required."""
    version: Required[str]
    """Version label, e.g. 2024-09-19 or 3; name@version is how a server refers to it. Required."""
    source: Required[ModelSourceArgs]
    """Where the files came from. Required."""
    license: Required[str]
    """The model's licence (an SPDX id or the repo's licence tag, e.g. apache-2.0). Required."""
    intended_use: Required[str]
    """What the model may be used for (and not), as reviewed. Required."""
    files: Required[list[ModelFileArgs]]
    """Every file of the version. Required."""


class ModelRegistryRefArgs(TypedDict, total=False):
    """A model registry by value: what a server needs to fetch and verify a version."""

    storage: RegistryStorage
    """@default bucket"""
    bucket: Required[pulumi.Input[str]]
    """The bucket (an output of the registry is fine). Required."""
    prefix: str
    """Key prefix of every version. @default models/"""
    region: pulumi.Input[str]
    """The bucket's region (AWS) or zone (CoreWeave), for the S3 client. @default the pod's"""
    endpoint_url: str
    """S3 endpoint for a non-AWS store (CoreWeave in-cluster: http://cwlota.com). @default AWS"""
    reader_role_arn: pulumi.Input[str]
    """The read-only IAM role (AWS): the server's pods get it through EKS Pod Identity. @default none"""
    credentials_secret: str
    """Secret with a reader's access key in each serving namespace (CoreWeave). @default none"""
    models: list[ModelVersionArgs]
    """The versions. @default []"""


class ModelServerArgs(TypedDict, total=False):
    """A vLLM OpenAI-compatible server on a GPU cluster: the args of ModelServer."""

    name: str
    """Kubernetes name of the server (DNS label). @default the component's name"""
    model: Required[str]
    """The model: name@version, a version of the model registry (weights fetched from the registry, verified, served offline); or, for development, a Hugging Face repo id such as Qwen/Qwen2.5-7B-Instruct (downloaded from the internet at each start; pin revision). Required."""
    revision: str
    """The commit (40 hex digits) of a Hugging Face repo model (development only). @default none (the repo's main branch, a warning)"""
    pool: str
    """The GPU pool (EKS GPU node group or CKS NodePool name) the server runs on: pins it there with a node selector (EKS aiops.io/node-pool, CKS compute.coreweave.com/node-pool). @default any GPU pool of the cluster with enough GPUs per node; requests must then fit the smallest of them"""
    gpus: int
    """GPUs per replica (= tensor parallel size). @default 1"""
    replicas: int
    """@default 1"""
    image: str
    """Image: from an allowed registry, pinned by a version tag; give <tag>@sha256:<digest> (policy k8s-image-digest-pinned refuses tag-only images). @default docker.io/vllm/vllm-openai:v0.11.0@sha256:014a95f21c9edf6abe0aea6b07353f96baa4ec291c427bb1176dc7c93a85845c"""
    namespace: str
    """Namespace created for the server. @default its name"""
    port: int
    """Container/service port. @default 8000"""
    max_model_len: int
    """--max-model-len. @default the model's"""
    extra_args: list[str]
    """More vLLM CLI args. @default []"""
    hf_token_secret: str
    """Existing Secret (key HF_TOKEN) for gated models. @default none"""
    resources: ModelServerResourcesArgs
    """CPU, memory and /dev/shm per replica. @default the server's share of a node of its pool"""
    cache: ModelCacheArgs
    """Where a registry model's weights are cached on the nodes: node (the pod's local disk) or shared (a ReadWriteMany volume). @default node"""
    autoscaling: AutoscalingArgs
    """Scale on inference load with KEDA (vLLM metrics from Prometheus); minReplicas 0 lets the server sleep. @default none (replicas, fixed)"""
    multi_node: MultiNodeArgs
    """Serve a model bigger than one node: a LeaderWorkerSet of nodes pods per replica, tensor parallel within a node and pipeline parallel across. @default none (one pod per replica)"""
    network: ServingNetworkArgs
    """Who may reach the server (the gateway's namespace, Prometheus) and where the weight fetch may go. @default workloads.serving.network (stack config), else the defaults"""
    tags: dict[str, str]
    """Governance tags (owner, cost-center, …), put on the server's Kubernetes objects: as labels where key and value are valid label syntax, else as annotations; never on the pod template (a tag change must not restart GPU pods). In stack config they add to the governance tags. @default {}"""
    cluster: Required[GpuClusterLike]
    """The GPU cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object. At run time a GpuClusterRef (or a mapping of one: cloud, clusterName, kubeconfig, gpuNodeSelector, …) is accepted too, for a cluster from another program; the server then creates its own Kubernetes provider from the kubeconfig. Required."""
    registry: ModelRegistryRefArgs
    """The model registry of a name@version model: a ModelRegistry, or its ref (registry.ref(), by value: bucket, prefix, reader role, versions). @default none (required for name@version)"""


class RegistrySyncArgs(TypedDict, total=False):
    """Who may write model versions: the sync job that copies pinned files into the registry."""

    trusted_principals: list[pulumi.Input[str]]
    """IAM role ARNs (or outputs) that may assume the read-write role, e.g. a CI role that runs the sync. @default [] (only the sync job's pods, through Pod Identity)"""
    cluster: str
    """An EKS cluster of the stack where the sync job runs as a pod (Pod Identity for namespace/serviceAccount below). @default none"""
    namespace: str
    """Namespace of the sync job's pods. @default model-sync"""
    service_account: str
    """Service account of the sync job. @default model-sync"""


class CoreWeaveRegistryArgs(TypedDict, total=False):
    """A registry in CoreWeave AI Object Storage."""

    zone: str
    """Availability zone of the bucket. @default US-EAST-04A"""
    readers: list[str]
    """CoreWeave principals (e.g. arn:aws:iam::<org>:static/serving) whose access keys the servers use to read. @default []"""
    writers: list[str]
    """Principals of the sync job. @default []"""
    credentials_secret: str
    """Name of the Secret (keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) holding a reader's access key, created in each serving namespace out of band (Cloud Console → Object Storage → Keys). @default model-registry-credentials"""


class ModelRegistryArgs(TypedDict, total=False):
    """Arguments of :class:`ModelRegistry`: the ``modelRegistry`` config section plus wiring."""

    storage: RegistryStorage
    """@default bucket"""
    prefix: str
    """Key prefix of every version. @default models/"""
    models: list[ModelVersionArgs]
    """Model versions. @default []"""
    sync: RegistrySyncArgs
    """Who may write versions. @default the account's IAM policies"""
    coreweave: CoreWeaveRegistryArgs
    """The CoreWeave bucket (storage coreweave). @default none"""
    data_lake: "DataLake"
    """The data lake whose curated bucket holds the versions (storage data-lake). @default none"""
    sync_eks_cluster_name: pulumi.Input[str]
    """The EKS cluster (its name or output) where the sync job runs as a pod; the read-write role gets a Pod Identity association for sync.namespace/sync.serviceAccount there. @default none"""
    tags: dict[str, str]
    """Governance tags on every taggable resource. @default {}"""


class KedaArgs(TypedDict, total=False):
    """KEDA on a GPU cluster, for the model servers' ScaledObjects."""

    cluster: Required[GpuClusterLike]
    """The cluster (a GpuCluster or a GpuClusterRef). Required."""
    chart_version: str
    """@default 2.20.2"""
    prometheus: PrometheusArgs
    """Where the operator's queries go. @default kube-prometheus-stack"""


class LeaderWorkerSetControllerArgs(TypedDict, total=False):
    """The LeaderWorkerSet controller on a GPU cluster, for multi-node model servers."""

    cluster: Required[GpuClusterLike]
    """The cluster (a GpuCluster or a GpuClusterRef). Required."""
    chart_version: str
    """@default 0.10.0"""


class DataLakeLifecycleArgs(TypedDict, total=False):
    """Storage tiers of the raw and curated buckets."""

    infrequent_access_days: int
    """Move current objects to STANDARD_IA after N days (S3 minimum 30). @default 30"""
    glacier_days: int
    """Move current objects to GLACIER_IR after N days. @default 90"""
    noncurrent_expiry_days: int
    """Delete non-current versions N days after they become non-current. @default 90"""
    abort_multipart_days: int
    """Abort incomplete multipart uploads after N days. @default 7"""


class DataLakeAuditArgs(TypedDict, total=False):
    """The audit bucket: write-once (S3 Object Lock) storage for audit evidence."""

    object_lock: ObjectLockMode
    """Default retention mode; compliance cannot be shortened even by root. @default governance"""
    retention_days: int
    """Default lock period. @default 365"""


class DataLakeTeamArgs(TypedDict, total=False):
    """One team's access to the lake: an IAM role with prefix-scoped grants."""

    name: Required[str]
    """Team name (role suffix). Required."""
    zone: DataZone
    """The zone the prefixes are in. @default curated"""
    prefixes: Required[list[str]]
    """Key prefixes, each starting with a modality, e.g. `text/tickets/`. Required."""
    access: TeamAccess
    """read or write. @default read"""
    trusted_principals: list[pulumi.Input[str]]
    """IAM ARNs (or a role's `arn` output) that may assume the team role. @default [] = the account root (IAM decides)"""


class DataLakeArgs(TypedDict, total=False):
    """Arguments of :class:`DataLake`: the ``dataLake`` config section, plus ``tags``."""

    classification: DataClassification
    """`data-classification` tag of the lake. @default governance.dataClassification"""
    source: str
    """Lineage `source` tag. @default mixed"""
    retention_days: int
    """Retention the owner commits to (`retention` tag). @default 730"""
    modalities: list[Modality]
    """Modality prefixes the lake serves. @default [text, audio, images, video]"""
    lifecycle: DataLakeLifecycleArgs
    """@default tiers above"""
    audit: DataLakeAuditArgs
    """Create the object-locked audit bucket. @default none"""
    teams: list[DataLakeTeamArgs]
    """Per-team roles. @default []"""
    key_rotation_days: int
    """Rotation period of the lake's KMS key. @default 365"""
    kms_key_arn: pulumi.Input[str]
    """Bring your own KMS key (its ARN) for every lake bucket; its key policy must let the account's IAM policies use it. @default none (create a rotating key)"""
    tags: dict[str, str]
    """Governance tags for every taggable resource (owner, cost-center, data-classification, …). @default {}"""


class VectorStoreOpenSearchArgs(TypedDict, total=False):
    """An OpenSearch Serverless VECTORSEARCH collection, private through a VPC endpoint."""

    admin_principals: Required[list[pulumi.Input[str]]]
    """IAM role/user ARNs (or a role's `arn` output) with full data access (must include the deployer, which creates the index). Required."""
    index_name: str
    """@default bedrock-kb-index"""
    standby_replicas: StandbyReplicas
    """@default ENABLED in prod, DISABLED otherwise"""
    source_services: list[AossSourceService]
    """Services allowed through the private network policy. @default [bedrock.amazonaws.com]"""


class VectorStoreAuroraArgs(TypedDict, total=False):
    """Aurora PostgreSQL Serverless v2 with pgvector, schema created through the RDS Data API."""

    engine_version: str
    """@default 16.6"""
    min_capacity: float
    """Minimum ACUs. @default 0.5"""
    max_capacity: float
    """Maximum ACUs. @default 4"""
    database_name: str
    """@default vectors"""
    table_name: str
    """schema.table holding the vectors. @default bedrock_integration.bedrock_kb"""
    backup_retention_days: int
    """@default 7"""
    log_statement: StatementLogging
    """Which SQL statements PostgreSQL logs (log_statement, in the cluster parameter group; the log goes to CloudWatch): ddl (schema changes: CREATE, ALTER, DROP), mod (also INSERT, UPDATE, DELETE, COPY: the log then holds the vectors and source text written, often personal data), all (also every SELECT: query text and query vectors). @default ddl"""


class VectorStoreQdrantResourcesArgs(TypedDict, total=False):
    """CPU and memory of each Qdrant pod (requests = limits); checked against the cluster's system nodes."""

    cpu: str
    """CPU, e.g. '2' or '500m'. @default 1"""
    memory: str
    """Memory, e.g. '8Gi'. @default 2Gi"""


class VectorStoreQdrantArgs(TypedDict, total=False):
    """Qdrant from its official Helm chart, on a GPU cluster of either cloud: on its system nodes"""

    chart_version: str
    """qdrant chart version. @default 1.15.4"""
    namespace: str
    """@default qdrant"""
    replicas: int
    """StatefulSet replicas. @default 1"""
    storage_size: str
    """PVC size. @default 20Gi"""
    storage_class: str
    """StorageClass. @default the cluster default"""
    resources: VectorStoreQdrantResourcesArgs
    """Per pod. @default 1 CPU, 2Gi"""


class VectorStoreNetworkArgs(TypedDict, total=False):
    """Where an AWS-VPC backend lives: ids, or outputs of your own resources."""

    vpc_id: Required[pulumi.Input[str]]
    """The VPC. Required."""
    subnet_ids: Required[pulumi.Input[list[pulumi.Input[str]]]]
    """Private subnets of the VPC, in at least two AZs. Required."""
    client_security_group_ids: list[pulumi.Input[str]]
    """Security groups whose members may connect. @default []"""


class VectorStoreArgs(TypedDict, total=False):
    """Arguments of :class:`VectorStore`: the store, and where it runs (network or cluster)."""

    name: str
    """Store name (3-28 chars, lowercase; the collection/cluster name). @default the component name"""
    backend: Required[VectorBackend]
    """opensearch-serverless, aurora-pgvector or qdrant. Required."""
    dimensions: int
    """Embedding dimensions. @default 1024"""
    kms_key_arn: pulumi.Input[str]
    """Bring your own KMS key (its ARN) for the collection or the database and its master secret (AWS backends). @default none (create one)"""
    opensearch: VectorStoreOpenSearchArgs
    """When backend is opensearch-serverless. @default none"""
    aurora: VectorStoreAuroraArgs
    """When backend is aurora-pgvector. @default {}"""
    qdrant: VectorStoreQdrantArgs
    """When backend is qdrant (then required). @default none"""
    network: VectorStoreNetworkArgs
    """The VPC of the AWS backends (required for them). @default none"""
    cluster: GpuClusterLike
    """The GPU cluster (either cloud) that runs Qdrant: an EksGpuCluster or CoreWeaveGpuCluster, or a GpuClusterRef for a cluster of another program (required for qdrant). @default none"""
    environment: Environment
    """dev, staging or prod: AOSS standby replicas default to ENABLED in prod. @default dev"""
    tags: dict[str, str]
    """Governance tags for every taggable resource. @default {}"""
    deployer_access: DeployerAccessArgs
    """opensearch-serverless: security groups and CIDRs of the deployer that the VPC endpoint's security group admits on 443, so `pulumi up` can create the index (the builder passes aiops:platform.deployerAccess). @default none (only clientSecurityGroupIds)"""


class FeatureDefinitionArgs(TypedDict, total=False):
    """One feature: name and type."""

    name: Required[str]
    """Required."""
    type: Required[FeatureType]
    """String, Integral or Fractional. Required."""


class FeatureGroupArgs(TypedDict, total=False):
    """A feature group with online and offline stores."""

    name: Required[str]
    """Required."""
    record_identifier: Required[str]
    """Feature naming the record. Required."""
    event_time: Required[str]
    """Feature holding the event time (Fractional or String). Required."""
    features: Required[list[FeatureDefinitionArgs]]
    """Required."""
    online_ttl_days: int
    """Online record TTL. @default none"""
    description: str
    """@default ''"""


class FeatureStoreArgs(TypedDict, total=False):
    """Arguments of :class:`FeatureStore`: feature groups, the data lake, tags."""

    feature_groups: Required[list[FeatureGroupArgs]]
    """Required."""
    offline_prefix: str
    """Prefix of the offline store in the curated bucket. @default feature-store/"""
    data_lake: Required["DataLake"]
    """The data lake holding the offline store (its curated bucket and key). Required."""
    tags: dict[str, str]
    """Governance tags for every taggable resource (over the lake's). @default {}"""


class ContentFilterArgs(TypedDict, total=False):
    """One content filter. ``PROMPT_ATTACK`` applies to input only: its output must be NONE."""

    type: Required[ContentFilterType]
    """The category, e.g. PROMPT_ATTACK. Required."""
    input_strength: FilterStrength
    """@default HIGH"""
    output_strength: FilterStrength
    """@default HIGH (NONE for PROMPT_ATTACK)"""


class PiiEntityArgs(TypedDict, total=False):
    """One PII entity type and what to do with it."""

    type: Required[PiiEntityType]
    """The PII entity type, e.g. EMAIL. Required."""
    action: PiiAction
    """@default ANONYMIZE"""


class DeniedTopicArgs(TypedDict, total=False):
    """A topic the guardrail refuses, in input and output."""

    name: Required[str]
    """Topic name. Required."""
    definition: Required[str]
    """What the topic covers. Required."""
    examples: list[str]
    """Up to 5 example phrases (100 chars each). @default []"""


class GuardrailArgs(TypedDict, total=False):
    """The guardrail every model invocation must carry (enforced through IAM)."""

    content_filters: list[ContentFilterArgs]
    """Content filters. PROMPT_ATTACK is always present at input HIGH / output NONE. @default SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT at HIGH; PROMPT_ATTACK HIGH/NONE"""
    pii_entities: list[PiiEntityArgs]
    """PII entities to ANONYMIZE or BLOCK. @default names, emails, phones, addresses anonymized; SSNs, card numbers, AWS keys, passwords blocked"""
    denied_topics: list[DeniedTopicArgs]
    """@default []"""
    blocked_input_message: str
    """Returned when the input is blocked. @default a generic refusal"""
    blocked_output_message: str
    """Returned when the output is blocked. @default a generic refusal"""


class InvocationLoggingArgs(TypedDict, total=False):
    """Model invocation logging (the account-region setting) to KMS-encrypted S3 and CloudWatch."""

    destinations: list[LogDestination]
    """Destinations; [] disables invocation logging. @default [S3, CLOUDWATCH]"""
    retention_days: int
    """CloudWatch log retention. @default 365"""
    s3_key_prefix: str
    """Key prefix in the log bucket. @default bedrock-invocations"""
    s3_archive_days: int
    """Days before S3 logs move to Glacier Instant Retrieval. @default 90"""
    s3_expire_days: int
    """Days before S3 logs expire. @default none (kept)"""
    data: list[LoggedData]
    """Payload kinds delivered. @default [TEXT, IMAGE, EMBEDDING]"""


class BedrockPrivateEndpointsArgs(TypedDict, total=False):
    """Interface VPC endpoints with private DNS (the component takes the VPC as ``vpcId``)."""

    mode: EndpointMode
    """@default ENABLED"""
    services: list[BedrockEndpointService]
    """@default [bedrock, bedrock-runtime, bedrock-agent-runtime]"""


class ProvisionedThroughputArgs(TypedDict, total=False):
    """Provisioned throughput for one allowlisted foundation model."""

    name: Required[str]
    """Provisioned model name. Required."""
    model: Required[str]
    """A foundation model id from `models` (not a profile). Required."""
    model_units: Required[int]
    """Model units. Required."""
    commitment: CommitmentDuration
    """@default NONE"""


class BedrockAccessArgs(TypedDict, total=False):
    """Arguments of :class:`BedrockAccess`: allowlist, guardrail, logging, endpoints, tags."""

    models: Required[list[str]]
    """The model allowlist: foundation model ids and cross-region inference profile ids. Required."""
    guardrail: GuardrailArgs
    """@default baseline"""
    invocation_logging: InvocationLoggingArgs
    """@default S3 + CloudWatch, 365 days"""
    private_endpoints: BedrockPrivateEndpointsArgs
    """@default ENABLED"""
    provisioned_throughput: list[ProvisionedThroughputArgs]
    """@default []"""
    vpc_id: pulumi.Input[str]
    """VPC of the interface endpoints (e.g. EksGpuCluster.vpc_id). @default none (required when privateEndpoints.mode is ENABLED)"""
    subnet_ids: pulumi.Input[list[pulumi.Input[str]]]
    """Private subnets of the endpoint interfaces. @default none (required with vpcId)"""
    security_group_ids: pulumi.Input[list[pulumi.Input[str]]]
    """Extra security groups on the endpoints, besides the one this component creates (443 from the VPC's CIDR blocks). @default []"""
    tags: dict[str, str]
    """Tags for every taggable resource (owner, cost-center, data-classification). @default {}"""


class ChunkingArgs(TypedDict, total=False):
    """Chunking of a knowledge base data source; the fields used depend on ``strategy``."""

    strategy: ChunkingStrategy
    """@default FIXED_SIZE"""
    max_tokens: int
    """FIXED_SIZE and SEMANTIC: tokens per chunk. @default 300"""
    overlap_percentage: int
    """FIXED_SIZE: overlap between chunks, %. @default 20"""
    parent_max_tokens: int
    """HIERARCHICAL: parent chunk tokens. @default 1500"""
    child_max_tokens: int
    """HIERARCHICAL: child chunk tokens. @default 300"""
    overlap_tokens: int
    """HIERARCHICAL: overlap tokens. @default 60"""
    buffer_size: int
    """SEMANTIC: sentences around each sentence. @default 0"""
    breakpoint_percentile_threshold: int
    """SEMANTIC: dissimilarity percentile that splits. @default 95"""


class KnowledgeBaseArgs(TypedDict, total=False):
    """Arguments of :class:`KnowledgeBase`: model, prefix, chunking, lake, store, access, tags."""

    embedding_model: Required[str]
    """An embedding model id from `models`. Required."""
    data_lake_prefix: Required[str]
    """S3 prefix in the data lake, e.g. `handbook/`. Required."""
    data_lake_bucket: str
    """Which data-lake bucket (zone). @default curated"""
    dimensions: int
    """Embedding dimensions. @default the model's default"""
    chunking: ChunkingArgs
    """@default FIXED_SIZE 300/20%"""
    data_deletion_policy: DataDeletionPolicy
    """@default RETAIN"""
    data_lake: Required["DataLake"]
    """The data lake holding the documents. Required."""
    vector_store: Required["VectorStore"]
    """The vector store (opensearch-serverless or aurora-pgvector backend). Required."""
    access: "BedrockAccess"
    """The platform's Bedrock access; the embedding model must be on its allowlist. @default none"""
    tags: dict[str, str]
    """Tags for every taggable resource. @default {}"""


class GatewayResourcesArgs(TypedDict, total=False):
    """CPU and memory per gateway pod (requests = limits)."""

    cpu: str
    """CPU, e.g. '1' or '500m'. @default 1"""
    memory: str
    """Memory, e.g. '2Gi'. @default 2Gi"""


class GatewayRouterArgs(TypedDict, total=False):
    """LiteLLM's router: strategy, retries, timeouts, fallbacks and cooldowns (``router_settings``)."""

    routing_strategy: RoutingStrategy
    """How a route's deployments share traffic. @default simple-shuffle"""
    num_retries: int
    """Retries of a failed call on the same route before its fallbacks. LiteLLM backs off before retrying a route with one deployment (about 2 s per retry, measured with 1.108.7), so every request pays it while that backend is down; fallbacks answer at once. Raise it for routes with several deployments or no fallback. @default 0"""
    timeout_seconds: float
    """Timeout of one call. @default 120"""
    allowed_fails: int
    """Failures per minute before a deployment cools down. @default 3"""
    cooldown_seconds: float
    """How long a failing deployment rests. @default 30"""
    fallbacks: dict[str, list[str]]
    """Route → routes tried in order when it fails (errors, 5xx, timeouts, rate limits). @default {}"""
    context_window_fallbacks: dict[str, list[str]]
    """Route → routes with a larger context window, tried when the prompt is too long. @default {}"""
    content_policy_fallbacks: dict[str, list[str]]
    """Route → routes tried when the provider refuses on content policy. @default {}"""
    pre_call_checks: bool
    """Check rpm/tpm and context windows before calling a deployment (LiteLLM's enable_pre_call_checks; per-route rpm is enforced only with it). @default true"""


class GatewayPromptInjectionArgs(TypedDict, total=False):
    """LiteLLM's ``litellm_content_filter`` guardrail, in ``pre_call`` mode on every request."""

    enabled: bool
    """@default true"""
    categories: list[ContentFilterCategory]
    """Content-filter categories that block the request. @default prompt_injection_jailbreak, prompt_injection_system_prompt, prompt_injection_data_exfiltration"""
    blocked_phrases: list[str]
    """More phrases that block a request (case-insensitive), on top of the library's own (see pulumi_aiops.gateway.litellm_config). @default []"""


class GatewayGuardrailsArgs(TypedDict, total=False):
    """Prompt-injection protection of every route (Bedrock routes also carry BedrockAccess's guardrail)."""

    prompt_injection: GatewayPromptInjectionArgs
    """@default on, three prompt-injection categories"""


class GatewayTeamArgs(TypedDict, total=False):
    """A team with its own budget and limits, reconciled into LiteLLM's database after each deploy."""

    id: Required[str]
    """LiteLLM team_id (stable; keys are issued under it). Required."""
    alias: str
    """Display name. @default the id"""
    max_budget_usd: float
    """Spend limit per budget period. @default unlimited"""
    budget_duration: str
    """Budget period: 30s, 30m, 30h, 30d or 1mo. @default none (the budget never resets)"""
    rpm_limit: int
    """Requests per minute for the team. @default unlimited"""
    tpm_limit: int
    """Tokens per minute for the team. @default unlimited"""
    models: list[str]
    """Routes the team may call. @default [] (all)"""


class GatewayAuroraArgs(TypedDict, total=False):
    """Aurora PostgreSQL Serverless v2 for LiteLLM: encrypted with its own key, protected, private."""

    engine_version: str
    """@default 16.6"""
    min_capacity: float
    """Minimum ACUs. @default 0.5"""
    max_capacity: float
    """Maximum ACUs. @default 4"""
    database_name: str
    """@default litellm"""
    backup_retention_days: int
    """@default 7"""


class GatewayExistingDatabaseArgs(TypedDict, total=False):
    """A PostgreSQL database you run, by reference."""

    host: Required[pulumi.Input[str]]
    """Host name or address. Required."""
    port: int
    """@default 5432"""
    database_name: str
    """@default litellm"""
    username: str
    """@default litellm"""
    cidrs: Required[list[str]]
    """Address ranges the database answers from (the gateway's NetworkPolicy lets it reach only these, on port). Required."""


class GatewayDatabaseArgs(TypedDict, total=False):
    """LiteLLM's Postgres: virtual keys, teams, budgets and spend live there."""

    mode: DatabaseMode
    """none, aurora or existing. @default none"""
    aurora: GatewayAuroraArgs
    """mode aurora. @default 0.5-4 ACU"""
    existing: GatewayExistingDatabaseArgs
    """mode existing. @default none"""


class GatewayIngressArgs(TypedDict, total=False):
    """An Ingress with TLS in front of the gateway's Service."""

    host: Required[str]
    """DNS name, e.g. llm.example.com. Required."""
    tls_secret_name: Required[str]
    """Secret (kubernetes.io/tls) in the gateway's namespace. Required."""
    class_name: str
    """IngressClass, e.g. alb or nginx. @default the cluster's default"""
    annotations: dict[str, str]
    """Controller annotations. @default {}"""
    source_namespaces: list[str]
    """Namespaces of in-cluster proxies (e.g. ingress-nginx) the NetworkPolicy admits. @default []"""
    source_cidrs: list[str]
    """Address ranges the load balancer connects from (e.g. the VPC CIDR with the AWS Load Balancer Controller in IP mode). @default []"""


class GatewayTelemetryArgs(TypedDict, total=False):
    """Prometheus metrics and OpenTelemetry traces."""

    prometheus: bool
    """LiteLLM's Prometheus metrics, on metricsPort. @default true"""
    metrics_port: int
    """Port of /metrics (no auth). @default 9090"""
    monitoring_namespaces: list[str]
    """Namespaces whose Prometheus may scrape metricsPort. @default [monitoring]"""
    monitoring_pod_labels: dict[str, str]
    """Labels of the Prometheus pods in those namespaces (the Prometheus Operator's); {} admits every pod of the namespaces. @default {app.kubernetes.io/name: prometheus}"""
    service_monitor: bool
    """Create the gateway's own ServiceMonitor (needs the Prometheus Operator's CRDs). Not with the platform's observability on the cluster: its scrape.gateway target already scrapes the gateway's metrics port. @default false"""
    service_monitor_labels: dict[str, str]
    """Labels the Prometheus selects ServiceMonitors by (e.g. release: kube-prometheus-stack). @default {}"""
    otlp_endpoint: str
    """OTLP traces endpoint, e.g. http://otel-collector.monitoring.svc:4318/v1/traces (or Langfuse's /api/public/otel/v1/traces); spans follow the gen_ai semantic conventions. @default none (no traces)"""
    otlp_protocol: OtlpProtocol
    """http/protobuf or grpc. @default http/protobuf"""
    capture_message_content: bool
    """Put prompts and completions on spans (gen_ai.input/output.messages). @default false"""


class GatewayRouteArgs(TypedDict, total=False):
    """One route of LlmGateway: a model name clients ask for, and where it goes."""

    name: Required[str]
    """The model name clients ask for (`model` in the request). Required."""
    provider: Required[RouteProvider]
    """bedrock, model-server or openai-compatible. Required."""
    model: str
    """bedrock: the model id (in BedrockAccess's allowlist); openai-compatible: the upstream model name; model-server: overrides the server's served model name. @default the server's"""
    api_base: pulumi.Input[str]
    """openai-compatible: the API's base URL (https; http only for an in-cluster service). Required for openai-compatible, not allowed otherwise. @default none"""
    context_length: int
    """Context window in tokens (LiteLLM's max_input_tokens), used by context-window fallbacks and pre-call checks. @default the server's maxModelLen; unknown otherwise"""
    rpm: int
    """Requests per minute this deployment takes. @default unlimited"""
    tpm: int
    """Tokens per minute this deployment takes. @default unlimited"""
    timeout_seconds: float
    """Per-request timeout of this deployment. @default router.timeoutSeconds"""
    server: ModelServerLike
    """model-server: the ModelServer object (in Python), or its values: endpoint, servedModelName, contextLength. @default none"""
    api_key: pulumi.Input[str]
    """openai-compatible: the API key, as a secret output (pulumi.Config().require_secret(…)); a plain string is refused. It goes into a Kubernetes Secret, never the ConfigMap. @default none"""


class GatewayIrsaArgs(TypedDict, total=False):
    """IRSA for Bedrock routes on a cluster that is not an EksGpuCluster object."""

    oidc_provider_arn: Required[pulumi.Input[str]]
    """The IAM OIDC provider of the cluster's issuer. Required."""
    oidc_issuer_url: Required[pulumi.Input[str]]
    """The issuer URL (https://…). Required."""


class GatewayAuroraNetworkArgs(TypedDict, total=False):
    """Where the gateway's Aurora database lives."""

    vpc_id: Required[pulumi.Input[str]]
    """The VPC (e.g. EksGpuCluster.vpc_id). Required."""
    subnet_ids: Required[pulumi.Input[list[pulumi.Input[str]]]]
    """Private subnets (at least two AZs). Required."""
    client_security_group_ids: Required[list[pulumi.Input[str]]]
    """Security groups of the nodes the gateway runs on (e.g. the EKS cluster security group): only they may connect on 5432. Required."""


class LlmGatewayArgs(TypedDict, total=False):
    """The LiteLLM gateway on a GPU cluster's system nodes: the args of LlmGateway."""

    name: str
    """Kubernetes name of the gateway (DNS label). @default the component's name"""
    namespace: str
    """Namespace created for the gateway. @default llm-gateway"""
    image: str
    """LiteLLM image (with its database tooling). @default ghcr.io/berriai/litellm-database:v1.108.7"""
    min_replicas: int
    """HorizontalPodAutoscaler minimum. @default 2"""
    max_replicas: int
    """HorizontalPodAutoscaler maximum. @default 6"""
    target_cpu_percent: int
    """HPA CPU utilisation target. @default 70"""
    resources: GatewayResourcesArgs
    """@default 1 CPU, 2Gi"""
    allowed_namespaces: list[str]
    """Namespaces whose pods may call the gateway (its NetworkPolicy admits no one else, except the ingress below). @default []"""
    router: GatewayRouterArgs
    """@default simple-shuffle, no retries, 120 s timeout, no fallbacks"""
    guardrails: GatewayGuardrailsArgs
    """@default prompt-injection filter on"""
    teams: list[GatewayTeamArgs]
    """Teams, budgets and limits (need a database). @default []"""
    database: GatewayDatabaseArgs
    """@default none"""
    ingress: GatewayIngressArgs
    """@default none (in-cluster callers only)"""
    telemetry: GatewayTelemetryArgs
    """@default Prometheus metrics, no traces"""
    admin_ui: bool
    """Serve LiteLLM's admin UI (needs the database). @default false"""
    tags: dict[str, str]
    """Governance tags: labels (or annotations) on the Kubernetes objects, tags on the AWS resources. In stack config they add to the governance tags. @default {}"""
    cluster: Required[GpuClusterLike]
    """The cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object (or a GpuClusterRef); the gateway runs on its system nodes. Required."""
    routes: Required[list[GatewayRouteArgs]]
    """Routes: model names and where they go. Required."""
    bedrock: BedrockAccessLike
    """BedrockAccess (object, or its values) whose allowlist and guardrail the Bedrock routes use. Required with bedrock routes. @default none"""
    irsa: GatewayIrsaArgs
    """With bedrock routes on a cluster that is not an EksGpuCluster object: the cluster's OIDC provider, for an IRSA role. @default EKS Pod Identity on an EksGpuCluster"""
    aurora_network: GatewayAuroraNetworkArgs
    """database.mode aurora: the VPC, subnets and client security groups. @default from an EksGpuCluster object"""
    existing_password: pulumi.Input[str]
    """database.mode existing: the password, as a secret output. @default none"""


class ObservabilityPrometheusArgs(TypedDict, total=False):
    """Prometheus: storage, retention, scraping."""

    retention: str
    """How long samples are kept. @default 15d"""
    retention_size: str
    """Prometheus deletes old blocks past this size (units B, KB, MB, GB, TB). @default 45GB"""
    storage_size: str
    """Persistent volume per replica. @default 50Gi"""
    replicas: int
    """@default 1"""
    scrape_interval: str
    """@default 30s"""
    evaluation_interval: str
    """Rule evaluation interval. @default 30s"""
    cpu: str
    """CPU request. @default 500m"""
    memory: str
    """Memory request and limit. @default 4Gi"""


class AlertReceiverArgs(TypedDict, total=False):
    """Alertmanager's receiver: an SNS topic, a webhook, or none."""

    type: ReceiverType
    """none, sns or webhook. @default none (alerts show in Alertmanager only)"""
    topic_arn: pulumi.Input[str]
    """sns: the topic (e.g. AwsMonitoring's topic_arn). @default none"""
    role_arn: pulumi.Input[str]
    """sns: a role Alertmanager assumes to publish (sigv4.role_arn); without it Alertmanager uses its pod's credentials (EKS Pod Identity). @default none"""
    webhook_url: pulumi.Input[str]
    """webhook: the URL (kept secret). @default none"""
    send_resolved: bool
    """Also notify when an alert resolves. @default true"""


class AlertmanagerArgs(TypedDict, total=False):
    """Alertmanager: its receiver and storage."""

    receiver: AlertReceiverArgs
    """@default none"""
    storage_size: str
    """@default 10Gi"""
    retention: str
    """How long silences and notification state are kept. @default 120h"""


class GrafanaArgs(TypedDict, total=False):
    """Grafana: the admin user (password from pulumi-random), persistence, dashboards."""

    admin_user: str
    """@default admin"""
    storage_size: str
    """@default 10Gi"""
    default_dashboards: bool
    """kube-prometheus-stack's own dashboards too. @default true"""


class DcgmExporterArgs(TypedDict, total=False):
    """NVIDIA's DCGM exporter on the GPU nodes (EKS)."""

    enabled: bool
    """Install the exporter. @default true on EKS; false on CoreWeave, where CKS exports the DCGM metrics itself"""
    chart_version: str
    """@default 4.8.2"""
    pod_label_allowlist: list[str]
    """Regexes of pod labels copied onto GPU metrics. @default app.kubernetes.io/name, instance, component"""


class SecretKeyRefArgs(TypedDict, total=False):
    """A key of a Kubernetes Secret in the scrape target's namespace."""

    name: Required[str]
    """Secret name. Required."""
    key: Required[str]
    """Key in the Secret. Required."""


class ScrapeTargetArgs(TypedDict, total=False):
    """Services to scrape, selected by labels (a ServiceMonitor)."""

    name: Required[str]
    """Target name (DNS label): the ServiceMonitor is <name>. Required."""
    namespace: str
    """Namespace of the services; the ServiceMonitor is created there. @default none (any namespace; the ServiceMonitor goes in the monitoring namespace)"""
    match_labels: Required[dict[str, str]]
    """Labels the services carry. Required."""
    port: str
    """Name of the service port serving metrics. @default http"""
    path: str
    """@default /metrics"""
    interval: str
    """Scrape interval. @default the stack's scrape interval"""
    bearer_token: SecretKeyRefArgs
    """A Secret key holding a bearer token for the scrape (needs namespace). @default none"""


class ScrapeArgs(TypedDict, total=False):
    """What the stack scrapes besides Kubernetes itself."""

    model_servers: bool
    """Every ModelServer's vLLM /metrics (selected by the labels ModelServer sets). @default true"""
    gateway: ScrapeTargetArgs
    """The LLM gateway (LiteLLM /metrics). @default services labelled app.kubernetes.io/component=llm-gateway, port metrics, in any namespace"""
    autoscaling: bool
    """KEDA's operator metrics (service app.kubernetes.io/name=keda-operator, port metrics). @default true"""
    evaluation: bool
    """Services labelled aiops.io/evaluation=true, port metrics: evaluation jobs exporting the drift/quality contract. @default true"""
    qdrant: list[ScrapeTargetArgs]
    """Qdrant stores (the platform adds its own). @default []"""
    extra: list[ScrapeTargetArgs]
    """More targets. @default []"""


class OtlpExporterArgs(TypedDict, total=False):
    """Any OTLP/HTTP endpoint."""

    endpoint: Required[str]
    """Base URL; /v1/traces is appended. Required."""
    headers: dict[str, pulumi.Input[str]]
    """Headers (e.g. Authorization), kept in a Secret. @default {}"""


class LangfuseArgs(TypedDict, total=False):
    """Self-hosted Langfuse: its chart, with every credential generated by pulumi-random."""

    chart_version: str
    """@default 2.0.0"""
    namespace: str
    """@default langfuse"""
    install_prerequisites: bool
    """Install cert-manager and the ClickHouse operator the chart needs (skip when the cluster has them). @default true"""
    postgres_storage_size: str
    """@default 20Gi"""
    clickhouse_storage_size: str
    """@default 100Gi"""
    blob_storage_size: str
    """SeaweedFS (S3-compatible) volume. @default 50Gi"""
    clickhouse_replicas: int
    """@default 1"""
    keeper_replicas: int
    """ClickHouse Keeper replicas: 1, 3 or 5. @default 3"""
    admin_email: str
    """Email of the first Langfuse user (owner of the initial organisation; its password is generated and exported as a secret). @default admin@aiops.local"""


class TracingArgs(TypedDict, total=False):
    """LLM traces: an OpenTelemetry Collector receiving OTLP, exporting to Langfuse or any OTLP endpoint."""

    backend: TracingBackend
    """langfuse, otlp or none. @default langfuse"""
    otlp: OtlpExporterArgs
    """otlp: the endpoint. @default none"""
    langfuse: LangfuseArgs
    """langfuse: the deployment. @default {}"""
    collector_chart_version: str
    """@default 0.170.0"""
    collector_replicas: int
    """@default 2"""


class SliArgs(TypedDict, total=False):
    """A service-level indicator: good/total or bad/total PromQL, or a gauge and a threshold."""

    good: str
    """Ratio SLIs: PromQL of good events per second over {{window}} (the renderer puts each burn-rate window there), e.g. sum(rate(litellm_request_total_latency_metric_bucket{le="5.0"}[{{window}}])). Give good or bad. @default none"""
    bad: str
    """Ratio SLIs: PromQL of bad events per second over {{window}}. @default none"""
    total: str
    """Ratio SLIs: PromQL of all events per second over {{window}}; required with good or bad. @default none"""
    gauge: str
    """Threshold SLIs: PromQL instant vector of a gauge, e.g. DCGM_FI_DEV_GPU_UTIL. Drift SLOs: @default aiops_model_drift_score with selector's labels"""
    threshold: float
    """Threshold and drift SLIs: the gauge value past which a minute is bad. @default none (required for threshold and drift SLOs)"""
    bad_when: BadWhen
    """Threshold SLIs: above or below. @default above"""
    aggregate: SliAggregate
    """Threshold SLIs: how the series' bad (1) or good (0) states combine per group: avg (the share of series that are bad), max (any), min (all). @default avg, max for drift"""
    by: list[str]
    """Threshold SLIs: labels kept (one budget and alert per value). @default [], [model] for drift"""
    selector: dict[str, str]
    """Drift SLOs: label matchers on aiops_model_drift_score, e.g. {model: chat}. @default {} (every model)"""


class SloArgs(TypedDict, total=False):
    """A service-level objective: objective, window and indicator, rendered as burn-rate rules."""

    name: Required[str]
    """SLO name (lowercase, digits, -), the `slo` label of its series and alerts. Required."""
    kind: SloKind
    """ratio, threshold or drift. @default ratio"""
    objective: Required[float]
    """Target share of good events or minutes, strictly between 0 and 1, e.g. 0.999. Required."""
    window: str
    """The SLO window: 28d or 30d. @default 30d"""
    description: str
    """What the SLO promises, shown in alerts. @default ''"""
    sli: SliArgs
    """The indicator. @default {} (drift SLOs need only sli.threshold)"""
    labels: dict[str, str]
    """Extra labels on the alerts, e.g. {team: ml-platform}. @default {}"""


class ObservabilityArgs(TypedDict, total=False):
    """Prometheus, Alertmanager, Grafana, GPU metrics, traces and SLOs on a GPU cluster: the args of Observability."""

    namespace: str
    """@default monitoring"""
    chart_version: str
    """kube-prometheus-stack chart. @default 88.5.3"""
    storage_class: str
    """StorageClass of every volume. @default gp3-encrypted on EKS (EksGpuCluster's encrypted class), the cluster default on CoreWeave"""
    prometheus: ObservabilityPrometheusArgs
    """@default {}"""
    alertmanager: AlertmanagerArgs
    """@default {}"""
    grafana: GrafanaArgs
    """@default {}"""
    dcgm: DcgmExporterArgs
    """@default {}"""
    scrape: ScrapeArgs
    """@default {}"""
    tracing: TracingArgs
    """@default {}"""
    default_slos: bool
    """Add the platform's SLOs (gateway availability and latency, model-server TTFT, GPU saturation). @default true"""
    slos: list[SloArgs]
    """More SLOs; one named like a default SLO replaces it. @default []"""
    tags: dict[str, str]
    """Governance tags, as labels. @default {}"""
    cluster: Required[GpuClusterLike]
    """The cluster to observe: an EksGpuCluster or CoreWeaveGpuCluster (or a GpuClusterRef). The stack runs on its system nodes; the DCGM exporter on its GPU nodes. Required."""
    coreweave_metrics_token: pulumi.Input[str]
    """CoreWeave clusters: an API access token (secret) for the CoreWeave Metrics data source Grafana gets (DCGM metrics on CKS). @default none (no such data source)"""


class BedrockAlarmThresholdsArgs(TypedDict, total=False):
    """Per-model Bedrock alarm thresholds (5-minute periods). Design defaults: tune to your traffic."""

    latency_p90_ms: float
    """InvocationLatency p90, milliseconds. @default 20000"""
    throttles: float
    """InvocationThrottles per period. @default 10"""
    server_errors: float
    """InvocationServerErrors per period. @default 5"""
    client_errors: float
    """InvocationClientErrors per period. @default 50"""
    evaluation_periods: int
    """Consecutive breaching periods. @default 3"""


class SnsSubscriptionArgs(TypedDict, total=False):
    """A subscriber of the alarm topic."""

    protocol: Required[str]
    """email, https, sqs, lambda, … Required."""
    endpoint: Required[str]
    """Address, URL or ARN (a plain value: it names the subscription). Required."""


class AwsMonitoringArgs(TypedDict, total=False):
    """CloudWatch alarms and a dashboard for Bedrock models and GPU node groups: the args of AwsMonitoring."""

    thresholds: BedrockAlarmThresholdsArgs
    """@default {}"""
    group_metrics_enabled: bool
    """The node groups' ASGs publish group metrics (EnableMetricsCollection, done outside Pulumi): add an in-service < desired alarm. @default false"""
    subscriptions: list[SnsSubscriptionArgs]
    """@default []"""
    bedrock_models: list[str]
    """Model ids to watch (ModelId dimension). @default []"""
    autoscaling_groups: dict[str, pulumi.Input[str]]
    """GPU node groups: group name → its ASG's name (e.g. an EKS node group's resources[0].autoscalingGroups[0].name). @default {}"""
    kms_key_arn: pulumi.Input[str]
    """Key of the SNS topic; its policy must let cloudwatch.amazonaws.com use it. @default a new key with that policy"""
    tags: dict[str, str]
    """@default {}"""
