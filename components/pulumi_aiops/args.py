"""The public arguments of every pulumi-aiops component, as TypedDicts.

Generated from the pydantic models in :mod:`pulumi_aiops.config` by
``python -m pulumi_aiops.config.args_gen > components/pulumi_aiops/args.py``; do not edit.
Keys are snake_case (camelCase is accepted too); ``pulumi.Input`` fields take outputs of
your own resources. Each component validates its args before it registers anything.
"""

# ruff: noqa: E501
# No `from __future__ import annotations`: Pulumi's schema inference reads these annotations
# as objects at run time.
from typing import TYPE_CHECKING, Required, TypedDict

import pulumi

from pulumi_aiops.config.coreweave import (
    ApiAccess,
    AuditPolicyMode,
    Autoscaling,
    HostPrefixType,
    ScaleDownStrategy,
    TaintEffect,
    VersioningStatus,
)
from pulumi_aiops.config.eks import (
    Autoscaler,
    ControlPlaneLogType,
    EksCapacityType,
    GpuAmiType,
    NatGateways,
    SystemAmiType,
)

if TYPE_CHECKING:
    from pulumi_aiops.contract import GpuCluster

__all__ = [
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
    "EksAccessArgs",
    "EksEncryptionArgs",
    "EksEndpointArgs",
    "EksGpuClusterArgs",
    "EksGpuNodeGroupArgs",
    "EksLoggingArgs",
    "EksNetworkArgs",
    "EksSystemNodeGroupArgs",
    "GpuSpecArgs",
    "ModelServerArgs",
    "ModelServerResourcesArgs",
]

class EksNetworkArgs(TypedDict, total=False):
    """The VPC: created (default) or brought (``vpcId`` + ``privateSubnetIds``)."""

    vpc_id: str
    """Bring your own VPC. @default none (create one)"""
    private_subnet_ids: list[str]
    """Private subnets (>= 2 AZs) of the brought VPC, for control plane and nodes. @default []"""
    cidr: str
    """CIDR of a created VPC, /16../20. @default 10.0.0.0/16"""
    az_count: int
    """AZs of a created VPC. @default 3"""
    availability_zones: list[str]
    """Explicit AZ names for a created VPC (length azCount). @default [] = the first available"""
    nat_gateways: NatGateways
    """@default ONE_PER_AZ"""


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

    kms_key_arn: str
    """Bring your own KMS key ARN. @default none (create one)"""
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

    admin_principal_arns: list[str]
    """IAM role/user ARNs given AmazonEKSClusterAdminPolicy. @default []"""
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
    """@default 2"""
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
    subnet_ids: list[str]
    """Subnets of this group (e.g. the reservation's AZ), in the brought VPC. @default [] = all private subnets"""
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
    role_arn: str
    """Bring your own cluster IAM role. @default none (create one)"""
    node_role_arn: str
    """Bring your own node IAM role. @default none (create one)"""
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
    """Kubernetes minor, e.g. v1.35. @default v1.35"""
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
    """Pinned image. @default docker.io/vllm/vllm-openai:v0.11.0"""
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
    cluster: Required["GpuCluster"]
    """The GPU cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object. At run time a GpuClusterRef (or a mapping of one: cloud, clusterName, kubeconfig, gpuNodeSelector, …) is accepted too, for a cluster from another program; the server then creates its own Kubernetes provider from the kubeconfig. Required."""
