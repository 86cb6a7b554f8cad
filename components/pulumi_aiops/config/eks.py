"""Configuration of an EKS GPU cluster (``aiops:platform.eks``, and the args of ``EksGpuCluster``).

Secure defaults in the manner of terraform-aws-eks, each overridable by name:

* ``network``: a new VPC with private and public subnets over ``azCount`` (>= 2) AZs, NAT and
  flow logs (all traffic, to a KMS-encrypted log group), or bring your own ``vpcId`` +
  ``privateSubnetIds`` (plain ids or outputs of your own resources);
* ``endpoint``: private API endpoint on, public off; public access needs explicit CIDRs and
  never ``0.0.0.0/0``;
* ``encryption``: a KMS key (rotation on) for envelope encryption of Secrets, or ``kmsKeyArn``;
* ``logging``: all five control-plane log types to a CloudWatch log group kept 90 days;
* ``access``: authentication mode API, access entries for ``adminPrincipalArns``;
* ``roleArn`` / ``nodeRoleArn``: bring your own IAM roles;
* ``gpuNodeGroups``: NVIDIA AMIs, the GPU taint, scale to zero, IMDSv2, encrypted root volumes;
  an instance type the GPU catalogue does not list needs ``gpuSpec`` (its GPUs, declared by hand).

Every instance type (system and GPU groups) must exist in botocore's EC2 model; a typo is refused
with a "did you mean" suggestion.

Fields that name something created elsewhere (``network.vpcId``, ``network.privateSubnetIds``,
``encryption.kmsKeyArn``, ``roleArn``, ``nodeRoleArn``, ``access.adminPrincipalArns[]``, a GPU
group's ``subnetIds``) are :data:`~pulumi_aiops.config.base.Wired`: a plain value (format-checked)
or a Pulumi output of your own resource (checked by AWS when it is used).

Example stack config::

    aiops:platform:
      eks:
        name: gpu
        network: {azCount: 2, natGateways: SINGLE}
        gpuNodeGroups:
          - {name: l4, instanceType: g6.xlarge, capacityType: SPOT, maxSize: 2}
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, ModelWrapValidatorHandler, field_validator, model_validator

from pulumi_aiops.catalog import Cloud, GpuInstanceType, catalog, resolve
from pulumi_aiops.catalog.ec2 import ec2_instance_type_problem
from pulumi_aiops.config.base import (
    CLOUDWATCH_RETENTION_DAYS,
    AiopsModel,
    ConfigValueError,
    Wired,
    is_known,
    refuse_ignored,
)
from pulumi_aiops.config.deployer_access import DeployerAccessConfig
from pulumi_aiops.config.gpu_nodes import (
    EFA_INTERFACES,
    INSTANCE_STORE_GB,
    ClusterModelCacheConfig,
    GpuOperatorConfig,
    GpuSharingConfig,
    LocalStorage,
    check_pool_sharing,
)
from pulumi_aiops.config.gpu_spec import GpuSpecConfig, check_gpu_instance_type

__all__ = [
    "CALENDAR_AS_OF",
    "CAPACITY_BLOCK_FAMILIES",
    "DEFAULT_NODES_PER_GROUP_QUOTA",
    "EKS_CALENDAR",
    "GPU_HOP_LIMIT",
    "LOG_RETENTION_DAYS",
    "MAX_NODES_PER_GROUP",
    "SUPPORTED_VERSIONS",
    "SYSTEM_HOP_LIMIT",
    "AccessConfig",
    "Autoscaler",
    "ControlPlaneLogType",
    "EksCapacityType",
    "EksClusterConfig",
    "EncryptionConfig",
    "EndpointConfig",
    "FlowLogsConfig",
    "GpuAmiType",
    "GpuNodeGroupConfig",
    "LoggingConfig",
    "NatGateways",
    "NetworkConfig",
    "SystemAmiType",
    "SystemNodeGroupConfig",
    "VpcShape",
]

#: The Amazon EKS Kubernetes release calendar: version -> (Amazon EKS release, end of standard
#: support, end of extended support), UTC. 1.29 to 1.34: the EKS user guide, "Understand the
#: Kubernetes version lifecycle on EKS", release calendar table (awsdocs/amazon-eks-user-guide,
#: latest/ug/versioning/kubernetes-versions.adoc). 1.35: endoflife.date/amazon-eks (released
#: 2026-01-28; standard to 2027-03-27, extended to 2028-03-27). 1.36: released on EKS 2026-06-02,
#: standard support to 2027-08-02 (a 2026-08 write-up of the release, not the calendar itself;
#: extended support is the user guide's rule, 12 months after standard). Read on CALENDAR_AS_OF.
EKS_CALENDAR: dict[str, tuple[date, date, date]] = {
    "1.29": (date(2024, 1, 23), date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": (date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": (date(2025, 1, 23), date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2026, 1, 28), date(2027, 3, 27), date(2028, 3, 27)),
    "1.36": (date(2026, 6, 2), date(2027, 8, 2), date(2028, 8, 2)),
}
#: The day the calendar above was read; SUPPORTED_VERSIONS is the window on that day.
CALENDAR_AS_OF = date(2026, 11, 30)
#: Kubernetes versions EKS supports (standard or extended support) on CALENDAR_AS_OF: a cluster
#: can be created at them. Past its end of extended support, EKS upgrades a control plane on its
#: own and creates none at that version.
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(
    v for v, (released, _std, ext) in EKS_CALENDAR.items() if released <= CALENDAR_AS_OF < ext)
DEFAULT_VERSION = "1.33"

#: The most nodes this library lets one managed node group have (its ``maxSize``), ours: above
#: the account's default "Nodes per managed node group" quota, which is adjustable.
MAX_NODES_PER_GROUP = 1000
#: The default "Nodes per managed node group" quota of an AWS account (Service Quotas, Amazon EKS,
#: L-BD136A63; adjustable).
DEFAULT_NODES_PER_GROUP_QUOTA = 450

#: CloudWatch Logs retention values the API accepts.
LOG_RETENTION_DAYS = CLOUDWATCH_RETENTION_DAYS

#: Instance families EC2 Capacity Blocks for ML are sold for (of those in the catalogue). The
#: family is the part before the dot: ``p6-b200`` for ``p6-b200.48xlarge`` (P6-B200 launched in
#: May 2025 through Capacity Blocks).
CAPACITY_BLOCK_FAMILIES: frozenset[str] = frozenset({"p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"})

#: IMDSv2 hop limits of the node launch templates. GPU nodes: 1, so no pod reaches the node's
#: instance-role credentials. System nodes: 2, so the EBS CSI node driver (not host-network) reads
#: IMDS: with Kubernetes metadata instead it "will assume one ENI and one EBS volume (the root
#: volume) is attached" when computing volume limits (aws-ebs-csi-driver docs/install.md, "Metadata").
GPU_HOP_LIMIT = 1
SYSTEM_HOP_LIMIT = 2

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$")
_ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")
_PRINCIPAL_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
_KMS_ARN_RE = re.compile(
    r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$|"
    r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/mrk-[0-9a-f]{32}$"
)
_VPC_RE = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
_SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
_AZ_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-?[0-9]+[a-z]$")
_CR_RE = re.compile(r"^cr-[0-9a-f]{17}$")
_SEMVER_RE = re.compile(r"^v?\d+\.\d+\.\d+$")
_EC2_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
#: Label prefixes the library sets itself or that the kubelet reserves.
_RESERVED_LABEL_PREFIXES = ("kubernetes.io/", "k8s.io/", "eks.amazonaws.com/", "nvidia.com/")
_EKS_NAME_RE = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


# -- value types shared by the cluster config and the EKS pieces (pulumi_aiops.eks) ----------
def _role_arn(v: Any) -> Any:
    if v is not None and is_known(v) and not _ROLE_ARN_RE.match(v):
        raise ValueError("is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    return v


def _eks_name(v: Any) -> Any:
    if v is not None and is_known(v) and not _EKS_NAME_RE.match(v):
        raise ValueError("is not a valid EKS cluster name (alphanumerics, '-', '_', <= 100 chars)")
    return v


def _k8s_version(v: str) -> str:
    if v in SUPPORTED_VERSIONS:
        return v
    window = (f"supported on {CALENDAR_AS_OF.isoformat()} (standard or extended support): "
              f"{', '.join(SUPPORTED_VERSIONS)}")
    if v in EKS_CALENDAR and EKS_CALENDAR[v][2] <= CALENDAR_AS_OF:
        raise ValueError(f"is past its end of extended support on EKS ({EKS_CALENDAR[v][2].isoformat()}): EKS "
                         f"creates no cluster at it and upgrades existing ones; upgrade one minor version at a "
                         f"time; {window}")
    raise ValueError(f"is not a Kubernetes version EKS supports; {window}")


def _chart_version(v: str) -> str:
    if not _SEMVER_RE.match(v):
        raise ValueError("is not a chart version (e.g. 0.17.1)")
    return v


def _tag_keys(v: dict[str, str]) -> dict[str, str]:
    for k in v:
        if k.startswith("aws:") or not 0 < len(k) <= 128:
            raise ConfigValueError("is not an allowed tag key: 1-128 chars, no 'aws:' prefix", loc=(k,), value=k)
    return v


def _subnet_ids(v: Any) -> Any:
    """Format of the known ids of a ``Wired[list[Wired[str]]]`` subnet list."""
    if not is_known(v):
        return v
    for i, s in enumerate(v):
        if is_known(s) and not _SUBNET_RE.match(s):
            raise ConfigValueError("is not a subnet id (subnet-0123456789abcdef0)", loc=(i,), value=s)
    known = [s for s in v if is_known(s)]
    if len(set(known)) != len(known):
        raise ValueError("lists a subnet twice")
    return v


#: An IAM role ARN, or an output of one (format checked on plain values).
RoleArn = Annotated[Wired[str], AfterValidator(_role_arn)]
#: The physical name of an EKS cluster, or an output of one (e.g. ``aws.eks.Cluster.name``).
EksName = Annotated[Wired[str], AfterValidator(_eks_name)]
#: A Kubernetes minor version EKS supports.
KubernetesVersion = Annotated[str, AfterValidator(_k8s_version)]
#: A Helm chart version.
ChartVersion = Annotated[str, AfterValidator(_chart_version)]
#: AWS tags (no ``aws:`` keys).
Tags = Annotated[dict[str, str], AfterValidator(_tag_keys)]
#: Subnet ids: a list of plain ids and/or outputs, or an output of a whole list.
SubnetIds = Annotated[Wired[list[Wired[str]]], AfterValidator(_subnet_ids)]


def given(value: Any) -> bool:
    """True when a wired list or value is set: an output (unknown here) or a non-empty value."""
    return not is_known(value) or bool(value)


class NatGateways(StrEnum):
    """How many NAT gateways a created VPC gets."""

    #: One per AZ: no cross-AZ dependency (production).
    ONE_PER_AZ = "ONE_PER_AZ"
    #: One for the whole VPC: cheaper, a single AZ failure cuts egress (dev).
    SINGLE = "SINGLE"


class ControlPlaneLogType(StrEnum):
    """EKS control-plane log types."""

    API = "api"
    AUDIT = "audit"
    AUTHENTICATOR = "authenticator"
    CONTROLLER_MANAGER = "controllerManager"
    SCHEDULER = "scheduler"


class EksCapacityType(StrEnum):
    """How an EKS managed node group buys its instances."""

    ON_DEMAND = "ON_DEMAND"
    SPOT = "SPOT"
    #: EC2 Capacity Blocks for ML; needs ``capacityReservationId``.
    CAPACITY_BLOCK = "CAPACITY_BLOCK"


class GpuAmiType(StrEnum):
    """EKS-optimised AMI types with the NVIDIA driver (the only ones GPU groups accept)."""

    AL2023_X86_64_NVIDIA = "AL2023_x86_64_NVIDIA"
    AL2023_ARM_64_NVIDIA = "AL2023_ARM_64_NVIDIA"
    BOTTLEROCKET_X86_64_NVIDIA = "BOTTLEROCKET_x86_64_NVIDIA"
    BOTTLEROCKET_ARM_64_NVIDIA = "BOTTLEROCKET_ARM_64_NVIDIA"


class SystemAmiType(StrEnum):
    """EKS-optimised AMI types for the (CPU) system node group."""

    AL2023_X86_64_STANDARD = "AL2023_x86_64_STANDARD"
    AL2023_ARM_64_STANDARD = "AL2023_ARM_64_STANDARD"
    BOTTLEROCKET_X86_64 = "BOTTLEROCKET_x86_64"
    BOTTLEROCKET_ARM_64 = "BOTTLEROCKET_ARM_64"


class Autoscaler(StrEnum):
    """Which GPU autoscaler the cluster runs.

    cluster-autoscaler is the choice: it scales EKS *managed* node groups (so the launch
    template, IMDSv2, taints and labels stay declared here), supports Capacity Block node groups,
    and scales GPU groups from zero through the ASG ``node-template`` tags this library sets.
    """

    CLUSTER_AUTOSCALER = "cluster-autoscaler"
    #: No autoscaler: node groups stay at ``desiredSize``.
    NONE = "none"


def _cidr(value: str, loc: tuple[int | str, ...] = ()) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigValueError("is not a valid CIDR block (e.g. 203.0.113.0/24)", loc=loc, value=value) from None


class FlowLogsConfig(AiopsModel):
    """VPC flow logs of a created VPC: all traffic, to a KMS-encrypted CloudWatch log group."""

    model_config = ConfigDict(title="VpcFlowLogsArgs")

    retention_days: int = Field(90, description="Retention of the flow-log group, days. @default 90")

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise ValueError("is not a CloudWatch retention value; allowed: " + ", ".join(map(str, LOG_RETENTION_DAYS)))
        return v


class VpcShape(AiopsModel):
    """The shape of a VPC the library creates (shared by ``network`` and the ``Vpc`` args)."""

    cidr: str = Field("10.0.0.0/16", description="CIDR of a created VPC, /16../20. @default 10.0.0.0/16")
    az_count: int = Field(3, ge=2, le=6, description="AZs of a created VPC. @default 3")
    availability_zones: list[str] = Field(
        default_factory=list,
        description="Explicit AZ names for a created VPC (length azCount); subnets, NAT gateways and "
        "route tables are then named by AZ. @default [] = the first available",
    )
    nat_gateways: NatGateways = Field(NatGateways.ONE_PER_AZ, description="@default ONE_PER_AZ")
    flow_logs: FlowLogsConfig = Field(
        default_factory=FlowLogsConfig, description="Flow logs of a created VPC (always on). @default 90 days"
    )

    @field_validator("cidr")
    @classmethod
    def _vpc_cidr(cls, v: str) -> str:
        net = _cidr(v)
        if net.version != 4 or not 16 <= net.prefixlen <= 20 or not net.is_private:
            raise ValueError("is not allowed; the VPC CIDR must be a private IPv4 block from /16 to /20")
        return v

    @field_validator("availability_zones")
    @classmethod
    def _azs(cls, v: list[str]) -> list[str]:
        for i, az in enumerate(v):
            if not _AZ_RE.match(az):
                raise ConfigValueError("is not an availability zone name (e.g. us-east-1a)", loc=(i,), value=az)
        if len(set(v)) != len(v):
            raise ValueError("lists a zone twice")
        return v

    @model_validator(mode="after")
    def _az_count(self) -> VpcShape:
        if self.availability_zones and len(self.availability_zones) != self.az_count:
            raise ConfigValueError(
                f"must list exactly azCount ({self.az_count}) zones",
                loc=("availabilityZones",),
                value=self.availability_zones,
            )
        return self


class NetworkConfig(VpcShape):
    """The VPC: created (default) or brought (``vpcId`` + ``privateSubnetIds``)."""

    model_config = ConfigDict(title="EksNetworkArgs")

    vpc_id: Wired[str] | None = Field(
        None, description="Bring your own VPC: its id, or an output of it. @default none (create one)"
    )
    private_subnet_ids: SubnetIds = Field(
        default_factory=list,
        description="Private subnets (>= 2 AZs) of the brought VPC, for control plane and nodes: ids, "
        "outputs, or an output of the whole list. @default []",
    )

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, v: Any) -> Any:
        if v is not None and is_known(v) and not _VPC_RE.match(v):
            raise ValueError("is not a VPC id (vpc-0123456789abcdef0)")
        return v

    @model_validator(mode="after")
    def _byo(self) -> NetworkConfig:
        if self.vpc_id is not None:
            refuse_ignored(self, ("cidr", "az_count", "availability_zones", "nat_gateways", "flow_logs"),
                           "with vpcId: no VPC is created, so its CIDR, zones, NAT gateways and flow logs are "
                           "those of your VPC; remove it")
        subnets = self.private_subnet_ids
        if self.vpc_id is not None and isinstance(subnets, list) and len(subnets) < 2:
            raise ConfigValueError(
                "needs at least 2 private subnets in different AZs when vpcId is set",
                loc=("privateSubnetIds",),
                value=subnets,
            )
        if self.vpc_id is None and given(subnets):
            raise ConfigValueError(
                "needs vpcId as well (the VPC they belong to)",
                loc=("privateSubnetIds",),
                value=subnets,
            )
        return self

    @property
    def create_vpc(self) -> bool:
        return self.vpc_id is None


class EndpointConfig(AiopsModel):
    """Who can reach the Kubernetes API endpoint."""

    model_config = ConfigDict(title="EksEndpointArgs")

    private_access: bool = Field(True, description="Endpoint reachable from inside the VPC. @default true")
    public_access: bool = Field(False, description="Endpoint reachable from the internet. @default false")
    public_access_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs allowed on the public endpoint; required with publicAccess, never 0.0.0.0/0. @default []",
    )

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        for i, c in enumerate(v):
            net = _cidr(c, (i,))
            if net.prefixlen == 0:
                raise ConfigValueError(
                    "opens the API endpoint to the whole internet; list your office/VPN CIDRs",
                    loc=(i,),
                    value=c,
                )
        return v

    @model_validator(mode="after")
    def _consistent(self) -> EndpointConfig:
        if self.public_access and not self.public_access_cidrs:
            raise ConfigValueError(
                "must list at least one CIDR when publicAccess is true",
                loc=("publicAccessCidrs",),
                value=self.public_access_cidrs,
            )
        if not self.public_access and self.public_access_cidrs:
            raise ConfigValueError(
                "are only used with publicAccess: true",
                loc=("publicAccessCidrs",),
                value=self.public_access_cidrs,
            )
        if not self.private_access and not self.public_access:
            raise ConfigValueError(
                "leaves the API with no endpoint; enable privateAccess or publicAccess",
                loc=("privateAccess",),
                value=False,
            )
        return self


class EncryptionConfig(AiopsModel):
    """Envelope encryption of Kubernetes Secrets (always on)."""

    model_config = ConfigDict(title="EksEncryptionArgs")

    kms_key_arn: Wired[str] | None = Field(
        None, description="Bring your own KMS key: its ARN, or an output of it. @default none (create one)"
    )
    deletion_window_days: int = Field(30, ge=7, le=30, description="Of a created key. @default 30")

    @field_validator("kms_key_arn")
    @classmethod
    def _arn(cls, v: Any) -> Any:
        if v is not None and is_known(v) and not _KMS_ARN_RE.match(v):
            raise ValueError("is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)")
        return v

    @model_validator(mode="after")
    def _byo(self) -> EncryptionConfig:
        if self.kms_key_arn is not None:
            refuse_ignored(self, ("deletion_window_days",),
                           "with kmsKeyArn: it applies to a key this library creates; remove it")
        return self


class LoggingConfig(AiopsModel):
    """Control-plane logs to CloudWatch."""

    model_config = ConfigDict(title="EksLoggingArgs")

    types: list[ControlPlaneLogType] = Field(
        default_factory=lambda: list(ControlPlaneLogType),
        description="@default all five: api, audit, authenticator, controllerManager, scheduler",
    )
    retention_days: int = Field(90, description="Log group retention, days. @default 90")

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise ValueError("is not a CloudWatch retention value; allowed: " + ", ".join(map(str, LOG_RETENTION_DAYS)))
        return v

    @field_validator("types")
    @classmethod
    def _audit(cls, v: list[ControlPlaneLogType]) -> list[ControlPlaneLogType]:
        if ControlPlaneLogType.AUDIT not in v:
            raise ValueError("must include 'audit' (the audit trail of the cluster)")
        return list(dict.fromkeys(v))


class AccessConfig(AiopsModel):
    """Cluster access: authentication mode API, with access entries."""

    model_config = ConfigDict(title="EksAccessArgs")

    admin_principal_arns: list[Wired[str]] = Field(
        default_factory=list,
        description="IAM role/user ARNs (or outputs of them) given AmazonEKSClusterAdminPolicy; each "
        "access entry is named by a hash of its ARN, an output one by its place among the outputs. @default []",
    )
    bootstrap_creator_admin: bool = Field(
        True,
        description="Give the identity running `pulumi up` cluster admin (it installs the Helm charts). @default true",
    )

    @field_validator("admin_principal_arns")
    @classmethod
    def _arns(cls, v: list[Any]) -> list[Any]:
        for i, a in enumerate(v):
            if is_known(a) and not _PRINCIPAL_ARN_RE.match(a):
                raise ConfigValueError(
                    "is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)",
                    loc=(i,),
                    value=a,
                )
        known = [a for a in v if is_known(a)]
        if len(set(known)) != len(known):
            raise ValueError("lists a principal twice")
        return v


def _ec2_type(v: str) -> str:
    """An EC2 instance type name that exists (botocore's EC2 model), else a ConfigValueError."""
    if not _EC2_TYPE_RE.match(v):
        raise ConfigValueError("is not an EC2 instance type name (e.g. m6i.large, g6e.2xlarge)")
    if (Cloud.AWS, v) in catalog():  # every catalogue row is in botocore's model (a test checks it)
        return v
    problem = ec2_instance_type_problem(v)
    if problem:
        raise ConfigValueError(problem)
    return v


def _is_arm(family: str) -> bool:
    """Graviton families end in ``g`` (g5g); Grace-Blackwell ones carry ``-gb`` (p6e-gb200)."""
    return family.endswith("g") or "-gb" in family


def _labels(v: dict[str, str]) -> dict[str, str]:
    for k, val in v.items():
        if not _LABEL_KEY_RE.match(k) or len(k) > 253:
            raise ConfigValueError("is not a valid Kubernetes label key", loc=(k,), value=k)
        if k.startswith(_RESERVED_LABEL_PREFIXES) or "kubernetes.io/" in k:
            raise ConfigValueError(f"uses a reserved prefix ({', '.join(_RESERVED_LABEL_PREFIXES)})", loc=(k,), value=k)
        if not _LABEL_VALUE_RE.match(val):
            raise ConfigValueError(
                "is not a valid Kubernetes label value (<= 63 chars, alphanumeric, -_.)",
                loc=(k,),
                value=val,
            )
    return v


class SystemNodeGroupConfig(AiopsModel):
    """The CPU node group for cluster add-ons (CoreDNS, autoscaler, controllers)."""

    model_config = ConfigDict(title="EksSystemNodeGroupArgs")

    instance_type: str = Field("m6i.large", description="@default m6i.large")
    ami_type: SystemAmiType = Field(SystemAmiType.AL2023_X86_64_STANDARD, description="@default AL2023_x86_64_STANDARD")
    min_size: int = Field(2, ge=1, le=100, description="@default 2")
    max_size: int = Field(4, ge=1, le=100, description="@default 4")
    desired_size: int | None = Field(None, description="@default minSize")
    root_volume_gib: int = Field(50, ge=20, le=16384, description="@default 50")
    metadata_hop_limit: int = Field(
        SYSTEM_HOP_LIMIT,
        ge=1,
        le=2,
        description="IMDSv2 hop limit of the system nodes. 2 lets the pods there (the EBS CSI node driver) read "
        "instance metadata, which also puts the node role's credentials within their reach; 1 keeps every pod off "
        "IMDS and the EBS CSI driver falls back to Kubernetes metadata, which cannot count the ENIs and volumes "
        "attached when it computes a node's volume limit. GPU nodes always get 1. @default 2",
    )

    @field_validator("instance_type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _ec2_type(v)

    @model_validator(mode="after")
    def _sizes(self) -> SystemNodeGroupConfig:
        _check_sizes(self.min_size, self.max_size, self.desired_size)
        return self


def _check_sizes(lo: int, hi: int, desired: int | None) -> None:
    if hi < lo:
        raise ConfigValueError(f"must be >= minSize ({lo})", loc=("maxSize",), value=hi)
    if desired is not None and not lo <= desired <= hi:
        raise ConfigValueError(f"must lie within minSize..maxSize ({lo}..{hi})", loc=("desiredSize",), value=desired)


class GpuNodeGroupConfig(AiopsModel):
    """One GPU managed node group."""

    model_config = ConfigDict(title="EksGpuNodeGroupArgs")

    name: str = Field(description="Group name, lowercase, unique in the cluster. Required.")
    instance_type: str = Field(
        description="An EC2 GPU instance type: one the GPU catalogue lists, or any other with gpuSpec. Required.")
    gpu_spec: GpuSpecConfig | None = Field(
        None,
        description="The GPUs of an instance type the catalogue does not list, declared by hand; refused "
        "for a listed type. @default none (the catalogue row)")
    capacity_type: EksCapacityType = Field(EksCapacityType.ON_DEMAND, description="@default ON_DEMAND")
    min_size: int = Field(0, ge=0, le=MAX_NODES_PER_GROUP, description="0 = scale to zero. @default 0")
    max_size: int = Field(
        2, ge=1, le=MAX_NODES_PER_GROUP,
        description=f"At most {MAX_NODES_PER_GROUP}; above the account's 'Nodes per managed node group' quota "
        f"({DEFAULT_NODES_PER_GROUP_QUOTA} by default) a warning. @default 2")
    desired_size: int | None = Field(None, description="@default minSize")
    ami_type: GpuAmiType = Field(GpuAmiType.AL2023_X86_64_NVIDIA, description="@default AL2023_x86_64_NVIDIA")
    root_volume_gib: int = Field(
        200,
        ge=100,
        le=16384,
        description="Encrypted gp3 root volume (model weights, images). @default 200",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels. @default {}")
    capacity_reservation_id: str | None = Field(
        None,
        description="The Capacity Block reservation (cr-…); required for CAPACITY_BLOCK. @default none",
    )
    subnet_ids: SubnetIds = Field(
        default_factory=list,
        description="Subnets of this group (e.g. the reservation's AZ), in the brought VPC: ids, outputs, "
        "or an output of the whole list. @default [] = all private subnets",
    )
    availability_zones: list[str] = Field(
        default_factory=list,
        description="AZs of this group in a created VPC (e.g. a Capacity Block's AZ); needs "
        "network.availabilityZones. @default [] = all AZs",
    )
    efa: bool = Field(
        False,
        description="Attach an EFA interface per network card of the instance type, in a cluster placement group, "
        "for multi-node serving (the EFA device plugin advertises vpc.amazonaws.com/efa); the group must sit in one "
        "AZ (one availabilityZones entry, or its subnetIds). @default false",
    )
    local_storage: LocalStorage = Field(
        LocalStorage.NONE,
        description="raid0: nodeadm stripes the NVMe instance store and puts the kubelet and containerd on it, so "
        "pods' emptyDir volumes (the per-node model cache) are local NVMe (AL2023 AMIs, instance types with an "
        "instance store). @default none",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("is not a valid group name: lowercase letters, digits and '-', 1-32 chars")
        return v

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, v: str) -> str:
        return _ec2_type(v)

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        return _labels(v)

    @field_validator("capacity_reservation_id")
    @classmethod
    def _cr(cls, v: str | None) -> str | None:
        if v is not None and not _CR_RE.match(v):
            raise ValueError("is not a capacity reservation id (cr-0123456789abcdef0)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> GpuNodeGroupConfig:
        _check_sizes(self.min_size, self.max_size, self.desired_size)
        if self.max_size > DEFAULT_NODES_PER_GROUP_QUOTA:
            from pulumi_aiops.diagnostics import warn

            warn(f"GPU node group {self.name!r}: maxSize {self.max_size} is above the default quota 'Nodes per managed "
                 f"node group' ({DEFAULT_NODES_PER_GROUP_QUOTA}, Service Quotas code L-BD136A63): EKS will not scale "
                 "the group past the account's quota; request an increase first",
                 key=("eks-nodes-per-group-quota", self.name, self.max_size))
        family = self.instance_type.split(".", 1)[0]
        if self.capacity_type is EksCapacityType.CAPACITY_BLOCK:
            if self.capacity_reservation_id is None:
                raise ConfigValueError(
                    "is required when capacityType is CAPACITY_BLOCK",
                    loc=("capacityReservationId",),
                    value=None,
                )
            if family not in CAPACITY_BLOCK_FAMILIES:
                raise ConfigValueError(
                    f"is not sold as Capacity Blocks; CAPACITY_BLOCK needs one of the families "
                    f"{', '.join(sorted(CAPACITY_BLOCK_FAMILIES))}",
                    loc=("instanceType",),
                    value=self.instance_type,
                )
            if self.desired > 0:
                # The node group must not ask for nodes before the block is active, and EKS
                # requires desired 0 to upgrade it; the autoscaler scales it up in the window.
                raise ConfigValueError(
                    "must be 0 for a CAPACITY_BLOCK group (set minSize 0 and leave scaling to the "
                    "autoscaler): EKS can neither launch before the block starts nor upgrade it above 0",
                    loc=("desiredSize" if self.desired_size is not None else "minSize",),
                    value=self.desired,
                )
        elif self.capacity_reservation_id is not None:
            raise ConfigValueError(
                "is only used with capacityType CAPACITY_BLOCK",
                loc=("capacityReservationId",),
                value=self.capacity_reservation_id,
            )
        if self.efa and self.instance_type not in EFA_INTERFACES and self.gpu_spec is None:
            raise ConfigValueError(
                f"does not support EFA; EFA GPU types: {', '.join(sorted(EFA_INTERFACES))}",
                loc=("instanceType",), value=self.instance_type)
        if self.efa and self.gpu_spec is not None:
            raise ConfigValueError("needs a catalogue instance type (the EFA interface count comes from EC2's data)",
                                   loc=("efa",), value=True)
        if self.local_storage is LocalStorage.RAID0:
            if not self.ami_type.value.startswith("AL2023"):
                raise ConfigValueError("is an AL2023 nodeadm setting; Bottlerocket manages its disks itself",
                                       loc=("localStorage",), value=self.local_storage.value)
            if INSTANCE_STORE_GB.get(self.instance_type, 0) == 0:
                raise ConfigValueError(f"needs an instance store, and {self.instance_type} has none (or is not in the "
                                       "EC2 table of this library)", loc=("localStorage",),
                                       value=self.local_storage.value)
        if "ARM_64" in self.ami_type.value and not _is_arm(family):
            raise ConfigValueError(
                f"is an Arm AMI and {self.instance_type} is x86_64; "
                "use AL2023_x86_64_NVIDIA or BOTTLEROCKET_x86_64_NVIDIA",
                loc=("amiType",),
                value=self.ami_type.value,
            )
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _gpu_type(cls, data: Any, handler: ModelWrapValidatorHandler[GpuNodeGroupConfig]) -> GpuNodeGroupConfig:
        group = handler(data)
        check_gpu_instance_type(Cloud.AWS, group.instance_type, group.gpu_spec, raw=data)
        return group

    @property
    def desired(self) -> int:
        return self.min_size if self.desired_size is None else self.desired_size

    def gpu_type(self) -> GpuInstanceType:
        """The GPU spec of the group's instance type: its catalogue row, or the declared gpuSpec."""
        return resolve(Cloud.AWS, self.instance_type, self.gpu_spec)


#: Field definitions shared by :class:`EksClusterConfig` and the EKS pieces' args (one default each).
VERSION_FIELD: Any = Field(DEFAULT_VERSION, description=f"Kubernetes version. @default {DEFAULT_VERSION}")
ROLE_ARN_FIELD: Any = Field(
    None, description="Bring your own cluster IAM role: its ARN, or an output of it. @default none (create one)"
)
NODE_ROLE_ARN_FIELD: Any = Field(
    None, description="Bring your own node IAM role: its ARN, or an output of it. @default none (create one)"
)
AUTOSCALER_CHART_FIELD: Any = Field("9.46.6", description="cluster-autoscaler chart. @default 9.46.6")
DEVICE_PLUGIN_CHART_FIELD: Any = Field("0.17.1", description="nvidia-device-plugin chart. @default 0.17.1")
DEPLOYER_ACCESS_FIELD: Any = Field(
    default_factory=DeployerAccessConfig,
    description="Security groups and CIDRs of the deployer (a CI runner or VPN host in the VPC) that the cluster "
    "security group admits on 443, so `pulumi up` reaches the private API endpoint (the stack's "
    "aiops:platform.deployerAccess is added to it). @default none (only the nodes)",
)


class EksClusterConfig(AiopsModel):
    """An EKS cluster with GPU node groups: the ``aiops:platform.eks`` section and the
    validation model of :class:`~pulumi_aiops.eks_gpu_cluster.EksGpuClusterArgs`."""

    model_config = ConfigDict(title="EksGpuClusterArgs")

    cloud: Literal["aws"] = Field("aws", description="The cloud; set it in additionalClusters. @default aws")
    name: str = Field("eks", description="Logical cluster name, unique in the stack. @default eks")
    cluster_name: str | None = Field(None, description="The EKS cluster's physical name. @default <name>-<stack>")
    version: KubernetesVersion = VERSION_FIELD
    network: NetworkConfig = Field(default_factory=NetworkConfig, description="@default create a VPC")
    endpoint: EndpointConfig = Field(default_factory=EndpointConfig, description="@default private only")
    encryption: EncryptionConfig = Field(default_factory=EncryptionConfig, description="@default create a KMS key")
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="@default all types, 90 days")
    access: AccessConfig = Field(default_factory=AccessConfig, description="@default API mode, no extra admins")
    deployer_access: DeployerAccessConfig = DEPLOYER_ACCESS_FIELD
    role_arn: RoleArn | None = ROLE_ARN_FIELD
    node_role_arn: RoleArn | None = NODE_ROLE_ARN_FIELD
    system_node_group: SystemNodeGroupConfig = Field(
        default_factory=SystemNodeGroupConfig, description="@default 2x m6i.large"
    )
    gpu_node_groups: list[GpuNodeGroupConfig] = Field(
        default_factory=list, description="GPU managed node groups. @default []"
    )
    autoscaler: Autoscaler = Field(Autoscaler.CLUSTER_AUTOSCALER, description="@default cluster-autoscaler")
    autoscaler_chart_version: ChartVersion = AUTOSCALER_CHART_FIELD
    device_plugin_version: ChartVersion = DEVICE_PLUGIN_CHART_FIELD
    gpu_sharing: dict[str, GpuSharingConfig] = Field(
        default_factory=dict,
        description="How the GPUs of a GPU node group are shared, by group name: timeSlicing (replicas per GPU, "
        "through the device plugin's config, selected by the node label nvidia.com/device-plugin.config) or mig "
        "(a MIG profile, through the GPU Operator's MIG manager, label nvidia.com/mig.config). "
        "@default {} (whole GPUs)",
    )
    gpu_operator: GpuOperatorConfig = Field(
        default_factory=GpuOperatorConfig,
        description="The NVIDIA GPU Operator (drivers and toolkit off: the AMI's), providing the device plugin and the "
        "MIG manager instead of the standalone device plugin chart. @default off",
    )
    model_cache: ClusterModelCacheConfig = Field(
        default_factory=ClusterModelCacheConfig,
        description="Shared storage for model servers' weight caches (EFS). @default none",
    )
    tags: Tags = Field(default_factory=dict, description="Extra tags on every taggable resource. @default {}")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("is not a valid cluster name: lowercase letters, digits and '-', 1-32 chars")
        return v

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, v: str | None) -> str | None:
        return _eks_name(v)

    @model_validator(mode="after")
    def _groups(self) -> EksClusterConfig:
        seen: set[str] = set()
        for i, g in enumerate(self.gpu_node_groups):
            if g.name in seen:
                raise ConfigValueError(
                    "is already the name of another GPU node group",
                    loc=("gpuNodeGroups", i, "name"),
                    value=g.name,
                )
            seen.add(g.name)
            if given(g.subnet_ids) and self.network.create_vpc:
                raise ConfigValueError(
                    "need network.vpcId (they must belong to the brought VPC)",
                    loc=("gpuNodeGroups", i, "subnetIds"),
                    value=g.subnet_ids,
                )
            if g.efa and len(g.availability_zones) != 1 and not given(g.subnet_ids):
                raise ConfigValueError(
                    "needs the group in one AZ: its nodes share a cluster placement group, which lives in one AZ; set "
                    "availabilityZones to one zone (or subnetIds to that zone's subnets)",
                    loc=("gpuNodeGroups", i, "efa"), value=True)
            if g.availability_zones:
                where = ("gpuNodeGroups", i, "availabilityZones")
                if not self.network.create_vpc or not self.network.availability_zones:
                    raise ConfigValueError(
                        "need a created VPC with explicit network.availabilityZones: the AZ of each "
                        "subnet is known only for subnets this component creates in named AZs (with a "
                        "brought VPC, list the group's subnets of those AZs in subnetIds)",
                        loc=where,
                        value=g.availability_zones,
                    )
                for j, az in enumerate(g.availability_zones):
                    if az not in self.network.availability_zones:
                        raise ConfigValueError(
                            f"is not one of network.availabilityZones ({', '.join(self.network.availability_zones)})",
                            loc=(*where, j),
                            value=az,
                        )
        gpu_pools = {g.name: g.gpu_type() for g in self.gpu_node_groups}
        for pool, sharing in self.gpu_sharing.items():
            check_pool_sharing(pool, sharing, gpu_pools=gpu_pools, other_pools={"system": "the system node group"},
                               gpu_operator=self.gpu_operator.enabled, loc=("gpuSharing", pool))
            group = next(g for g in self.gpu_node_groups if g.name == pool)
            if group.ami_type.value.startswith("BOTTLEROCKET"):
                raise ConfigValueError(
                    "runs a Bottlerocket AMI, whose device plugin is Bottlerocket's own (not configured by this "
                    "library); share GPUs on an AL2023 group", loc=("gpuSharing", pool), value=group.ami_type.value)
        return self
