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
from pulumi_aiops.config.governance import (
    DataClassification,
    Environment,
)
from pulumi_aiops.contract import GpuClusterLike

if TYPE_CHECKING:
    from pulumi_aiops.bedrock_access import BedrockAccess
    from pulumi_aiops.data_lake import DataLake
    from pulumi_aiops.vector_store import VectorStore

__all__ = [
    "BedrockAccessArgs",
    "BedrockPrivateEndpointsArgs",
    "ChunkingArgs",
    "ClusterAutoscalerArgs",
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
    "CoreWeaveVpcArgs",
    "CoreWeaveVpcPrefixArgs",
    "DataLakeArgs",
    "DataLakeAuditArgs",
    "DataLakeLifecycleArgs",
    "DataLakeTeamArgs",
    "DeniedTopicArgs",
    "EksAccessArgs",
    "EksControlPlaneArgs",
    "EksEncryptionArgs",
    "EksEndpointArgs",
    "EksGpuClusterArgs",
    "EksGpuNodeGroupArgs",
    "EksLoggingArgs",
    "EksNetworkArgs",
    "EksSystemNodeGroupArgs",
    "FeatureDefinitionArgs",
    "FeatureGroupArgs",
    "FeatureStoreArgs",
    "GpuNodeGroupArgs",
    "GpuSpecArgs",
    "GuardrailArgs",
    "InvocationLoggingArgs",
    "KnowledgeBaseArgs",
    "ModelServerArgs",
    "ModelServerResourcesArgs",
    "NvidiaDevicePluginArgs",
    "PiiEntityArgs",
    "ProvisionedThroughputArgs",
    "SystemNodeGroupArgs",
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


class ModelServerArgs(TypedDict, total=False):
    """A vLLM OpenAI-compatible server on a GPU cluster: the args of ModelServer."""

    name: str
    """Kubernetes name of the server (DNS label). @default the component's name"""
    model: Required[str]
    """Hugging Face model id or path, e.g. meta-llama/Llama-3.1-8B-Instruct. Required."""
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
    tags: dict[str, str]
    """Governance tags (owner, cost-center, …), put on the server's Kubernetes objects: as labels where key and value are valid label syntax, else as annotations; never on the pod template (a tag change must not restart GPU pods). In stack config they add to the governance tags. @default {}"""
    cluster: Required[GpuClusterLike]
    """The GPU cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object. At run time a GpuClusterRef (or a mapping of one: cloud, clusterName, kubeconfig, gpuNodeSelector, …) is accepted too, for a cluster from another program; the server then creates its own Kubernetes provider from the kubeconfig. Required."""


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
