"""The public arguments of every pulumi-aiops component, as TypedDicts.

Generated from the pydantic models in :mod:`pulumi_aiops.config` by
``python -m pulumi_aiops.config.args_gen > components/pulumi_aiops/args.py``; do not edit.
Keys are snake_case (camelCase is accepted too); ``pulumi.Input`` fields take outputs of
your own resources. Each component validates its args before it registers anything.
"""

# ruff: noqa: E501
# No `from __future__ import annotations`: Pulumi's schema inference reads these annotations
# as objects at run time.
from typing import Required, TypedDict

from pulumi_aiops.config.eks import (
    Autoscaler,
    ControlPlaneLogType,
    EksCapacityType,
    GpuAmiType,
    NatGateways,
    SystemAmiType,
)

__all__ = [
    "EksAccessArgs",
    "EksEncryptionArgs",
    "EksEndpointArgs",
    "EksGpuClusterArgs",
    "EksGpuNodeGroupArgs",
    "EksLoggingArgs",
    "EksNetworkArgs",
    "EksSystemNodeGroupArgs",
    "GpuSpecArgs",
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
