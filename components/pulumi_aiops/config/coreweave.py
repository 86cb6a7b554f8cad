"""Configuration of a CoreWeave CKS GPU cluster (``aiops:platform.coreweave``, and the args of
:class:`~pulumi_aiops.coreweave_gpu_cluster.CoreWeaveGpuCluster`).

Secure defaults, each overridable by name:

* ``vpc``: a new CoreWeave VPC in the cluster's zone with pod, service and internal-LB prefixes
  (the fields mirror ``pulumi_coreweave.NetworkingVpc``), or your own (``vpc.vpcId``, which takes
  an output such as ``my_vpc.id``);
* ``cks``: the API server is private (``apiAccess: private``) and an audit policy is on
  (``auditPolicy: default``); optional OIDC single sign-on;
* ``tokenConfigKey``: the CoreWeave API token is read from SECRET stack config
  (``coreweave:token`` by default); a cluster without it is a configuration error;
* ``nodePools``: CKS NodePools of catalogue instance types (or others, with their GPUs declared
  by hand in ``gpuSpec``), carrying the GPU taint ``nvidia.com/gpu=true:NoSchedule``;
  ``targetNodes`` must lie within ``minNodes..maxNodes``;
* ``cpuNodePools``: CKS NodePools of CoreWeave CPU instance types, without the GPU taint: the
  cluster's system nodes, where Qdrant, the gateway and observability run (a workload that
  needs no GPU is refused on a CoreWeave cluster without one);
* ``datasets``: optional AI Object Storage buckets, versioned, with a bucket policy;
* ``tags``: put on the taggable CoreWeave resources (the dataset buckets).

The same model is the ``aiops:platform.coreweave`` (or ``additionalClusters[]``) section and the
args of :class:`~pulumi_aiops.coreweave_gpu_cluster.CoreWeaveGpuCluster` (the generated
``CoreWeaveGpuClusterArgs``).

Example stack config::

    aiops:platform:
      coreweave:
        name: cw-gpu
        cks: {zone: US-EAST-04A, version: v1.35}
        nodePools:
          - {name: h100, instanceType: gd-8xh100ib-i128, targetNodes: 1, minNodes: 0, maxNodes: 2,
             autoscaling: enabled}
        cpuNodePools:
          - {name: cpu, instanceType: cd-gp-i64-erapids, targetNodes: 1}
        datasets:
          - {name: acme-training-data, readers: ["arn:aws:iam::acme:static/trainer"]}
"""

from __future__ import annotations

import base64
import ipaddress
import re
from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import ConfigDict, Field, ModelWrapValidatorHandler, field_validator, model_validator

from pulumi_aiops.catalog import Cloud, GpuInstanceType, known_instance_types, resolve
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known
from pulumi_aiops.config.gpu_nodes import GpuSharingConfig
from pulumi_aiops.config.gpu_spec import GpuSpecConfig, check_gpu_instance_type

__all__ = [
    "CKS_CONTROL_PLANE_NODES",
    "CKS_DEPRECATED_VERSIONS",
    "CKS_MAX_NODES",
    "CKS_SUPPORTED_VERSIONS",
    "DEFAULT_AUDIT_POLICY_YAML",
    "DEFAULT_ZONE",
    "GB200_RACK_NODES",
    "KNOWN_ZONES",
    "ApiAccess",
    "AuditPolicyMode",
    "Autoscaling",
    "CksConfig",
    "CoreWeaveClusterConfig",
    "CpuNodePoolConfig",
    "DatasetBucketConfig",
    "HostPrefixConfig",
    "HostPrefixIpamConfig",
    "HostPrefixType",
    "NodePoolConfig",
    "NodeTaintConfig",
    "OidcConfig",
    "ScaleDownStrategy",
    "TaintEffect",
    "VersioningStatus",
    "VpcConfig",
    "VpcPrefixConfig",
]

#: CoreWeave Availability Zones (General and Dedicated Access, CoreWeave regions pages, 2026-10).
KNOWN_ZONES: tuple[str, ...] = (
    "CA-EAST-01A",
    "EU-NORTH-01A", "EU-NORTH-02A", "EU-NORTH-04A", "EU-NORTH-05A",
    "EU-SOUTH-01A", "EU-SOUTH-03B", "EU-SOUTH-04A",
    "EU-WEST-01A", "EU-WEST-02A",
    "RNO2A",
    "US-CENTRAL-01A", "US-CENTRAL-02A", "US-CENTRAL-03A", "US-CENTRAL-04A", "US-CENTRAL-05A",
    "US-CENTRAL-06A", "US-CENTRAL-07A", "US-CENTRAL-08A", "US-CENTRAL-08B", "US-CENTRAL-09A",
    "US-CENTRAL-10A", "US-CENTRAL-11A",
    "US-EAST-01A", "US-EAST-02A", "US-EAST-02B", "US-EAST-03A", "US-EAST-04A", "US-EAST-04B",
    "US-EAST-05A", "US-EAST-06A", "US-EAST-07A", "US-EAST-08A", "US-EAST-09A", "US-EAST-10A",
    "US-EAST-11A", "US-EAST-12A", "US-EAST-13A", "US-EAST-14A", "US-EAST-15A", "US-EAST-17A",
    "US-WEST-01A", "US-WEST-02A", "US-WEST-02B", "US-WEST-03A", "US-WEST-04A", "US-WEST-05A",
    "US-WEST-06A", "US-WEST-07A", "US-WEST-08A", "US-WEST-09B", "US-WEST-10A",
)
#: The zone every CoreWeave instance type in the catalogue is offered in.
DEFAULT_ZONE = "US-EAST-04A"
DEFAULT_VERSION = "v1.35"
#: Kubernetes versions CKS creates clusters at ("CKS supports the three latest Kubernetes
#: versions": CoreWeave docs, CKS reference, "Cluster components", Kubernetes versions table, read
#: 2026-11-30).
CKS_SUPPORTED_VERSIONS: tuple[str, ...] = ("v1.34", "v1.35", "v1.36")
#: Versions the same page lists as deprecated: no new cluster, existing clusters may stay (a warning).
CKS_DEPRECATED_VERSIONS: tuple[str, ...] = ("v1.29", "v1.30", "v1.31", "v1.32", "v1.33")
#: The most nodes a CKS cluster may have, ours: CoreWeave documents no per-pool or per-cluster node
#: maximum (node counts are account quotas, raised through support; CKS "Node Pools": a pool
#: "contains any number of Nodes"), so the bound is Kubernetes' own: v1.35 supports clusters of up
#: to 5,000 nodes (kubernetes.io, "Considerations for large clusters"). It counts every NodePool's
#: maxNodes plus the two CPU nodes of the cluster's cpu-control-plane pool.
CKS_MAX_NODES = 5000
#: Nodes of the cpu-control-plane pool CKS creates with every cluster (CKS "Node Pools").
CKS_CONTROL_PLANE_NODES = 2
#: GB200 NVL72 nodes are deployed in whole racks of 18 nodes (CKS enforces it).
GB200_RACK_NODES = 18
_RACK_SCALE_TYPES = frozenset({"gb200-4x"})

#: The audit policy a CKS cluster gets unless told otherwise: no secret payloads in the log,
#: full bodies for RBAC changes, request bodies for other writes, metadata for everything else,
#: and none of the high-volume health, lease and kube-proxy watch noise.
DEFAULT_AUDIT_POLICY_YAML = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics", "/openapi*"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services", "services/status"]
  - level: None
    resources:
      - group: "coordination.k8s.io"
        resources: ["leases"]
      - group: ""
        resources: ["events"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: "authentication.k8s.io"
        resources: ["tokenreviews"]
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
    resources:
      - group: "rbac.authorization.k8s.io"
  - level: Request
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: Metadata
"""

_K8S_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_VERSION_RE = re.compile(r"^v1\.\d{2}$")
_CONFIG_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$")
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def _check_labels(v: dict[str, str]) -> dict[str, str]:
    for k, val in v.items():
        if not _LABEL_KEY_RE.match(k) or len(k) > 253:
            raise ConfigValueError("is not a valid Kubernetes label key", loc=(k,), value=k)
        if not _LABEL_VALUE_RE.match(val):
            raise ConfigValueError("is not a valid Kubernetes label value", loc=(k,), value=val)
    return v


def _zone(value: str) -> str:
    if value not in KNOWN_ZONES:
        raise ConfigValueError(
            f"is not a CoreWeave Availability Zone this library knows; known: {', '.join(KNOWN_ZONES)}"
        )
    return value


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as exc:
        raise ConfigValueError(f"is not a CIDR block ({exc})") from None


def _resource_name(value: str, limit: int) -> str:
    if len(value) > limit or not _K8S_NAME_RE.match(value):
        raise ConfigValueError(
            f"is not a valid name; use at most {limit} lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return value


# -- enums ------------------------------------------------------------------------------------
class ApiAccess(StrEnum):
    """Who can reach the CKS API server (the ``public`` flag of ``CksCluster``)."""

    #: Reachable from inside the cluster's VPC and connected networks only.
    PRIVATE = "private"
    #: Reachable from the internet (still authenticated).
    PUBLIC = "public"


class AuditPolicyMode(StrEnum):
    """Which Kubernetes audit policy the CKS API server runs with."""

    #: :data:`DEFAULT_AUDIT_POLICY_YAML`.
    DEFAULT = "default"
    #: The policy in ``customAuditPolicy``.
    CUSTOM = "custom"
    #: No audit policy (not recommended; needs an explicit choice).
    OFF = "off"


class Autoscaling(StrEnum):
    """Whether the CKS cluster autoscaler may move ``targetNodes`` within min..max."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class ScaleDownStrategy(StrEnum):
    """CKS NodePool ``lifecycle.scaleDownStrategy``."""

    #: Only remove nodes that run no workload.
    IDLE_ONLY = "IdleOnly"
    #: Prefer idle nodes, but drain busy ones if needed to reach the target.
    PREFER_IDLE = "PreferIdle"


class TaintEffect(StrEnum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class HostPrefixType(StrEnum):
    """``NetworkingVpc.hostPrefixes[].type``."""

    PRIMARY = "PRIMARY"
    ROUTED = "ROUTED"
    ATTACHED = "ATTACHED"


class VersioningStatus(StrEnum):
    """Object versioning of a dataset bucket."""

    ENABLED = "Enabled"
    SUSPENDED = "Suspended"


# -- VPC --------------------------------------------------------------------------------------
class VpcPrefixConfig(AiopsModel):
    """A named VPC prefix (``NetworkingVpc.vpcPrefixes[]``), referenced by the CKS CIDR names."""

    model_config = ConfigDict(title="CoreWeaveVpcPrefixArgs")

    name: str = Field(description="Prefix name, referenced by cks.podCidrName etc. Required.")
    value: str = Field(description="The CIDR block. Required.")

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        return _cidr(v)


class HostPrefixIpamConfig(AiopsModel):
    """``NetworkingVpc.hostPrefixes[].ipam``."""

    model_config = ConfigDict(title="CoreWeaveHostPrefixIpamArgs")

    prefix_length: int = Field(ge=1, le=128, description="Per-node allocation length. Required.")
    gateway_address_policy: Literal["UNSPECIFIED", "EUI64", "FIRST_IP", "LAST_IP"] | None = Field(
        None, description="@default provider default")


class HostPrefixConfig(AiopsModel):
    """``NetworkingVpc.hostPrefixes[]``."""

    model_config = ConfigDict(title="CoreWeaveHostPrefixArgs")

    name: str = Field(description="Host prefix name. Required.")
    type: HostPrefixType = Field(HostPrefixType.PRIMARY, description="@default PRIMARY")
    prefixes: list[str] = Field(min_length=1, description="VPC-wide aggregates. Required.")
    ipam: HostPrefixIpamConfig | None = Field(None, description="@default none")

    @field_validator("prefixes")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        out = []
        for i, p in enumerate(v):
            try:
                out.append(_cidr(p))
            except ConfigValueError as exc:
                raise ConfigValueError(exc.msg, loc=(i,), value=p) from None
        return out


def _default_vpc_prefixes() -> list[VpcPrefixConfig]:
    return [
        VpcPrefixConfig(name="pod-cidr", value="10.0.0.0/13"),
        VpcPrefixConfig(name="service-cidr", value="10.16.0.0/22"),
        VpcPrefixConfig(name="internal-lb-cidr", value="10.32.4.0/22"),
    ]


class VpcConfig(AiopsModel):
    """The CoreWeave VPC of the cluster: created (default) or brought (``vpcId``).

    The fields of a created VPC mirror ``pulumi_coreweave.NetworkingVpc``.
    """

    model_config = ConfigDict(title="CoreWeaveVpcArgs")

    vpc_id: Wired[str] | None = Field(
        None,
        description="Bring your own CoreWeave VPC (an id, or an output such as my_vpc.id): no VPC is created, and "
                    "cks.podCidrName, serviceCidrName and internalLbCidrNames must name prefixes of that VPC, which "
                    "must be in cks.zone. @default none (create one)")
    name: str | None = Field(None, description="VPC name (<= 30 chars). @default the CKS cluster name")
    zone: str | None = Field(None, description="Must equal cks.zone. @default cks.zone")
    host_prefix: str | None = Field(None, description="Primary host CIDR. @default CoreWeave's")
    host_prefixes: list[HostPrefixConfig] = Field(default_factory=list, description="@default []")
    vpc_prefixes: list[VpcPrefixConfig] = Field(
        default_factory=_default_vpc_prefixes,
        description="@default pod-cidr 10.0.0.0/13, service-cidr 10.16.0.0/22, internal-lb-cidr 10.32.4.0/22",
    )
    disable_public_egress: bool = Field(
        False, description="egress.disablePublicAccess: block internet egress. @default false")
    disable_public_services: bool = Field(
        True, description="ingress.disablePublicServices: no public LoadBalancers. @default true")
    dns_servers: list[str] = Field(default_factory=list, description="dhcp.dns.servers. @default []")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else _resource_name(v, 30)

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        return None if v is None else _zone(v)

    @field_validator("host_prefix")
    @classmethod
    def _host_prefix(cls, v: str | None) -> str | None:
        return None if v is None else _cidr(v)

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, v: Any) -> Any:
        if is_known(v) and v is not None and (not isinstance(v, str) or not v.strip()):
            raise ConfigValueError("is not a VPC id; give the id of an existing CoreWeave VPC (e.g. my_vpc.id)")
        return v

    @model_validator(mode="after")
    def _brought(self) -> VpcConfig:
        if self.vpc_id is None:
            return self
        for name in sorted(self.model_fields_set - {"vpc_id", "zone"}):
            alias = type(self).model_fields[name].alias or name
            value = getattr(self, name)
            if isinstance(value, list):
                value = [v.model_dump(mode="json", by_alias=True) if isinstance(v, AiopsModel) else v for v in value]
            raise ConfigValueError(
                "is ignored with vpcId (a brought VPC is configured where it is created); remove it",
                loc=(alias,), value=value)
        return self

    @model_validator(mode="after")
    def _prefixes(self) -> VpcConfig:
        seen: dict[str, int] = {}
        nets: list[tuple[int, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
        for i, p in enumerate(self.vpc_prefixes):
            if p.name in seen:
                raise ConfigValueError(
                    f"is already the name of vpcPrefixes[{seen[p.name]}]; prefix names must be unique",
                    loc=("vpcPrefixes", i, "name"), value=p.name)
            seen[p.name] = i
            net = ipaddress.ip_network(p.value)
            for j, other in nets:
                if net.overlaps(other):
                    raise ConfigValueError(
                        f"overlaps vpcPrefixes[{j}] ({other}); VPC prefixes must not overlap",
                        loc=("vpcPrefixes", i, "value"), value=p.value)
            nets.append((i, net))
        return self


# -- CKS --------------------------------------------------------------------------------------
class OidcConfig(AiopsModel):
    """OIDC single sign-on for the API server (``CksCluster.oidc``)."""

    model_config = ConfigDict(title="CoreWeaveOidcArgs")

    issuer_url: str = Field(description="https URL of the OIDC issuer. Required.")
    client_id: str = Field(description="The OIDC client id. Required.")
    admin_group_binding: str | None = Field(None, description="Group bound to cluster-admin. @default none")
    ca: str | None = Field(None, description="Base64 PEM CA of the issuer. @default none")
    groups_claim: str | None = Field(None, description="@default none")
    groups_prefix: str | None = Field(None, description="@default none")
    required_claim: str | None = Field(None, description="@default none")
    signing_algs: list[str] = Field(default_factory=list, description="@default []")
    username_claim: str | None = Field(None, description="@default none")
    username_prefix: str | None = Field(None, description="@default none")

    @field_validator("issuer_url")
    @classmethod
    def _https(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ConfigValueError("is not allowed; the OIDC issuer URL must use https://")
        return v


class CksConfig(AiopsModel):
    """The CKS control plane (``pulumi_coreweave.CksCluster``)."""

    model_config = ConfigDict(title="CoreWeaveCksArgs")

    name: str | None = Field(
        None, description="CKS cluster name (<= 30 chars). @default '<cluster name>-<stack>'")
    version: str = Field(
        DEFAULT_VERSION,
        description=f"Kubernetes minor CKS supports ({', '.join(CKS_SUPPORTED_VERSIONS)}; a deprecated one warns). "
        f"@default {DEFAULT_VERSION}")
    zone: str = Field(DEFAULT_ZONE, description=f"Availability Zone. @default {DEFAULT_ZONE}")
    pod_cidr_name: str = Field("pod-cidr", description="A vpc.vpcPrefixes name. @default pod-cidr")
    service_cidr_name: str = Field("service-cidr", description="A vpc.vpcPrefixes name. @default service-cidr")
    internal_lb_cidr_names: list[str] = Field(
        default_factory=lambda: ["internal-lb-cidr"],
        description="vpc.vpcPrefixes names. @default [internal-lb-cidr]")
    api_access: ApiAccess = Field(ApiAccess.PRIVATE, description="@default private (public: false)")
    audit_policy: AuditPolicyMode = Field(AuditPolicyMode.DEFAULT, description="@default default")
    custom_audit_policy: str | None = Field(
        None, description="Audit policy YAML, when auditPolicy is custom. @default none")
    oidc: OidcConfig | None = Field(None, description="OIDC single sign-on. @default none")
    additional_server_sans: list[str] = Field(
        default_factory=list, max_length=10, description="Extra API server SANs. @default []")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else _resource_name(v, 30)

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if not _VERSION_RE.match(v):
            raise ConfigValueError("is not a CKS Kubernetes version; use the minor form, e.g. 'v1.35'")
        supported = ", ".join(CKS_SUPPORTED_VERSIONS)
        if v in CKS_DEPRECATED_VERSIONS:
            from pulumi_aiops.diagnostics import warn

            warn(f"cks.version {v!r} is deprecated on CKS: an existing cluster may stay on it, but CKS creates no "
                 f"new cluster at it; upgrade one minor version at a time to one of {supported}",
                 key=("cks-deprecated-version", v))
        elif v not in CKS_SUPPORTED_VERSIONS:
            raise ConfigValueError(f"is not a Kubernetes version CKS supports; supported: {supported} "
                                   f"(deprecated, existing clusters only: {', '.join(CKS_DEPRECATED_VERSIONS)})")
        return v

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _zone(v)

    @field_validator("custom_audit_policy")
    @classmethod
    def _audit_yaml(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            doc = yaml.safe_load(v)
        except yaml.YAMLError as exc:
            raise ConfigValueError(f"is not valid YAML ({exc})", value=v[:60]) from None
        if not isinstance(doc, dict) or doc.get("kind") != "Policy" or not str(
                doc.get("apiVersion", "")).startswith("audit.k8s.io/"):
            raise ConfigValueError(
                "is not a Kubernetes audit policy; expected apiVersion audit.k8s.io/v1, kind Policy",
                value=v[:60])
        return v

    @model_validator(mode="after")
    def _audit_mode(self) -> CksConfig:
        if self.audit_policy is AuditPolicyMode.CUSTOM and self.custom_audit_policy is None:
            raise ConfigValueError("needs customAuditPolicy (the policy YAML)",
                                   loc=("auditPolicy",), value=self.audit_policy.value)
        if self.audit_policy is not AuditPolicyMode.CUSTOM and self.custom_audit_policy is not None:
            raise ConfigValueError("is ignored unless auditPolicy is 'custom'; set auditPolicy: custom",
                                   loc=("customAuditPolicy",), value=self.custom_audit_policy[:60])
        return self

    def audit_policy_yaml(self) -> str | None:
        """The audit policy YAML in force, or ``None`` when off."""
        if self.audit_policy is AuditPolicyMode.OFF:
            return None
        if self.audit_policy is AuditPolicyMode.CUSTOM:
            return self.custom_audit_policy
        return DEFAULT_AUDIT_POLICY_YAML

    def audit_policy_b64(self) -> str | None:
        """The audit policy base64-encoded, as ``CksCluster.audit_policy`` wants it."""
        text = self.audit_policy_yaml()
        return None if text is None else base64.b64encode(text.encode()).decode()


# -- node pools -------------------------------------------------------------------------------
class NodeTaintConfig(AiopsModel):
    """A taint on every node of a pool (``NodePool.spec.nodeTaints[]``)."""

    model_config = ConfigDict(title="CoreWeaveNodeTaintArgs")

    key: str = Field(description="Taint key, e.g. nvidia.com/gpu. Required.")
    value: str = Field("", description="Taint value. @default ''")
    effect: TaintEffect = Field(TaintEffect.NO_SCHEDULE, description="@default NoSchedule")


def _check_pool_sizes(target: int, min_nodes: int | None, max_nodes: int | None, autoscaling: Autoscaling) -> None:
    """A pool's node counts: within bounds, ``minNodes <= targetNodes <= maxNodes`` (each defaulting to
    ``targetNodes``), and both bounds set when it autoscales (GPU and CPU pools alike)."""
    _check_node_counts(target, min_nodes, max_nodes)
    lo = target if min_nodes is None else min_nodes
    hi = target if max_nodes is None else max_nodes
    if lo > hi:
        raise ConfigValueError(f"must not exceed maxNodes ({hi})", loc=("minNodes",), value=lo)
    if not lo <= target <= hi:
        raise ConfigValueError(f"must lie within minNodes..maxNodes ({lo}..{hi})", loc=("targetNodes",), value=target)
    if autoscaling is Autoscaling.ENABLED and (min_nodes is None or max_nodes is None):
        raise ConfigValueError("needs both minNodes and maxNodes", loc=("autoscaling",), value=autoscaling.value)


def _check_node_counts(target: int, lo: int | None, hi: int | None) -> None:
    cap = CKS_MAX_NODES - CKS_CONTROL_PLANE_NODES
    for key, n in (("targetNodes", target), ("minNodes", lo), ("maxNodes", hi)):
        if n is not None and n > cap:
            raise ConfigValueError(
                f"is above {cap}: a CKS cluster holds at most {CKS_MAX_NODES} nodes (Kubernetes' supported "
                f"maximum; CoreWeave documents no larger pool), {CKS_CONTROL_PLANE_NODES} of them its "
                "cpu-control-plane pool", loc=(key,), value=n)


def _gpu_taint() -> list[NodeTaintConfig]:
    return [NodeTaintConfig(key="nvidia.com/gpu", value="true", effect=TaintEffect.NO_SCHEDULE)]


class NodePoolConfig(AiopsModel):
    """A CKS NodePool (``compute.coreweave.com/v1alpha1`` ``NodePool``)."""

    model_config = ConfigDict(title="CoreWeaveNodePoolArgs")

    name: str = Field(description="NodePool name (Kubernetes name). Required.")
    instance_type: str = Field(
        description="A CoreWeave GPU instance type: one the GPU catalogue lists, or any other with gpuSpec. "
        "Required.")
    gpu_spec: GpuSpecConfig | None = Field(
        None,
        description="The GPUs of an instance type the catalogue does not list, declared by hand; refused "
        "for a listed type. @default none (the catalogue row)")
    target_nodes: int = Field(ge=0, description="Desired node count. Required.")
    min_nodes: int | None = Field(None, ge=0, description="@default targetNodes")
    max_nodes: int | None = Field(None, ge=0, description="@default targetNodes")
    autoscaling: Autoscaling = Field(Autoscaling.DISABLED, description="@default disabled")
    node_labels: dict[str, str] = Field(default_factory=dict, description="@default {}")
    node_taints: list[NodeTaintConfig] = Field(
        default_factory=_gpu_taint, description="@default [nvidia.com/gpu=true:NoSchedule]")
    scale_down_strategy: ScaleDownStrategy = Field(ScaleDownStrategy.IDLE_ONLY, description="@default IdleOnly")

    @field_validator("autoscaling", mode="before")
    @classmethod
    def _bool_ok(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return Autoscaling.ENABLED if v else Autoscaling.DISABLED
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _resource_name(v, 63)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, v: str) -> str:
        if len(v) > 63 or not _K8S_NAME_RE.match(v):
            raise ConfigValueError(
                "is not a CoreWeave GPU instance type id (lowercase letters, digits and '-', e.g. "
                f"gd-8xh100ib-i128); known: {', '.join(known_instance_types(Cloud.COREWEAVE))}")
        return v

    @field_validator("node_labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_labels(v)

    @property
    def effective_min(self) -> int:
        return self.target_nodes if self.min_nodes is None else self.min_nodes

    @property
    def effective_max(self) -> int:
        return self.target_nodes if self.max_nodes is None else self.max_nodes

    @model_validator(mode="after")
    def _sizes(self) -> NodePoolConfig:
        _check_pool_sizes(self.target_nodes, self.min_nodes, self.max_nodes, self.autoscaling)
        if self.instance_type in _RACK_SCALE_TYPES and self.autoscaling is Autoscaling.ENABLED:
            raise ConfigValueError(
                f"is not supported for {self.instance_type}: CKS does not autoscale rack-scale "
                "(NVL72) node pools; set autoscaling: disabled and size the pool in racks",
                loc=("autoscaling",), value=self.autoscaling.value)
        if self.instance_type in _RACK_SCALE_TYPES:
            for key, n in (("targetNodes", self.target_nodes), ("minNodes", self.effective_min),
                           ("maxNodes", self.effective_max)):
                if n % GB200_RACK_NODES:
                    raise ConfigValueError(
                        f"must be a multiple of {GB200_RACK_NODES}: {self.instance_type} (NVL72) nodes "
                        "are deployed in whole racks", loc=(key,), value=n)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _gpu_type(cls, data: Any, handler: ModelWrapValidatorHandler[NodePoolConfig]) -> NodePoolConfig:
        pool = handler(data)
        check_gpu_instance_type(Cloud.COREWEAVE, pool.instance_type, pool.gpu_spec, "CoreWeave GPU instance type",
                                raw=data)
        return pool

    def gpu_type(self) -> GpuInstanceType:
        """The GPU spec of the pool's instance type: its catalogue row, or the declared gpuSpec."""
        return resolve(Cloud.COREWEAVE, self.instance_type, self.gpu_spec)

    @property
    def gpus_per_node(self) -> int:
        return self.gpu_type().gpu_count


class CpuNodePoolConfig(AiopsModel):
    """A CKS NodePool of CPU instances, without the GPU taint: where the workloads that need no
    GPU run (Qdrant, the gateway, observability). Its nodes carry ``pulumi-aiops/system: "true"``,
    the cluster's system node selector."""

    model_config = ConfigDict(title="CoreWeaveCpuNodePoolArgs")

    name: str = Field(description="NodePool name (Kubernetes name, unique among nodePools and cpuNodePools). "
                                  "Required.")
    instance_type: str = Field(
        description="A CoreWeave CPU instance type, e.g. cd-gp-i64-erapids (64 vCPU) or cd-gp-a192-genoa "
                    "(192 vCPU); availability differs by zone (CoreWeave's instance availability matrix). Required.")
    target_nodes: int = Field(ge=0, description="Desired node count. Required.")
    min_nodes: int | None = Field(None, ge=0, description="@default targetNodes")
    max_nodes: int | None = Field(None, ge=0, description="@default targetNodes")
    autoscaling: Autoscaling = Field(Autoscaling.DISABLED, description="@default disabled")
    node_labels: dict[str, str] = Field(default_factory=dict, description="@default {}")
    node_taints: list[NodeTaintConfig] = Field(
        default_factory=list,
        description="Taints; the system workloads tolerate them (systemTolerations). @default [] (no GPU taint)")
    scale_down_strategy: ScaleDownStrategy = Field(ScaleDownStrategy.IDLE_ONLY, description="@default IdleOnly")

    @field_validator("autoscaling", mode="before")
    @classmethod
    def _bool_ok(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return Autoscaling.ENABLED if v else Autoscaling.DISABLED
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _resource_name(v, 63)

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, v: str) -> str:
        from pulumi_aiops.capacity import COREWEAVE_CPU_INSTANCE_TYPES

        if v not in COREWEAVE_CPU_INSTANCE_TYPES:
            gpu = " (a GPU type: put it in nodePools)" if v in known_instance_types(Cloud.COREWEAVE) else ""
            raise ConfigValueError(f"is not a CoreWeave CPU instance type this library knows{gpu}; known: "
                                   f"{', '.join(COREWEAVE_CPU_INSTANCE_TYPES)}")
        return v

    @field_validator("node_labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_labels(v)

    @property
    def effective_min(self) -> int:
        return self.target_nodes if self.min_nodes is None else self.min_nodes

    @property
    def effective_max(self) -> int:
        return self.target_nodes if self.max_nodes is None else self.max_nodes

    @model_validator(mode="after")
    def _sizes(self) -> CpuNodePoolConfig:
        _check_pool_sizes(self.target_nodes, self.min_nodes, self.max_nodes, self.autoscaling)
        return self


# -- datasets ---------------------------------------------------------------------------------
class DatasetBucketConfig(AiopsModel):
    """A CoreWeave AI Object Storage bucket for datasets: versioned, with a bucket policy.

    The policy grants ``readers`` read and ``writers`` read/write, and denies deleting object
    versions to everyone, so the dataset history survives mistakes. Principals are CoreWeave
    short-form identifiers (e.g. ``arn:aws:iam::<org-id>:static/<key-name>``); each may be an
    output of another resource.
    """

    model_config = ConfigDict(title="CoreWeaveDatasetArgs")

    name: str = Field(description="Bucket name, globally unique (3-63 chars). Required.")
    zone: str | None = Field(None, description="@default the cluster's cks.zone")
    versioning: VersioningStatus = Field(VersioningStatus.ENABLED, description="@default Enabled")
    readers: list[Wired[str]] = Field(default_factory=list, description="Principals with read access. @default []")
    writers: list[Wired[str]] = Field(default_factory=list, description="Principals with write access. @default []")

    @field_validator("readers", "writers")
    @classmethod
    def _principals(cls, v: list[Any]) -> list[Any]:
        for i, p in enumerate(v):
            if is_known(p) and (not isinstance(p, str) or not p.strip()):
                raise ConfigValueError("is not a principal; use a CoreWeave identifier, "
                                       "e.g. arn:aws:iam::<org-id>:static/<key-name>", loc=(i,), value=p)
        return v

    @field_validator("name")
    @classmethod
    def _bucket(cls, v: str) -> str:
        from pulumi_aiops.config.aws_names import bucket_name_problem

        problem = bucket_name_problem(v)
        if problem:
            raise ConfigValueError(f"is not a valid bucket name: it {problem} (S3 bucket naming rules, "
                                   "which CoreWeave AI Object Storage follows)")
        return v

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        return None if v is None else _zone(v)


# -- the cluster ------------------------------------------------------------------------------
class CoreWeaveClusterConfig(AiopsModel):
    """A CoreWeave CKS cluster with GPU NodePools and optional dataset buckets.

    The ``aiops:platform.coreweave`` section, and the args of ``CoreWeaveGpuCluster``.
    """

    model_config = ConfigDict(title="CoreWeaveGpuClusterArgs")

    cloud: Literal["coreweave"] = Field(
        "coreweave", description="The cloud; set it in additionalClusters. @default coreweave")
    name: str = Field("coreweave", description="Logical cluster name. @default coreweave")
    token_config_key: str = Field(
        "coreweave:token",
        description="The SECRET stack config key holding the CoreWeave API token (CW-SECRET-…). "
                    "@default coreweave:token")
    vpc: VpcConfig = Field(default_factory=VpcConfig, description="@default a new VPC, see VpcConfig")
    cks: CksConfig = Field(default_factory=CksConfig, description="@default see CksConfig")
    node_pools: list[NodePoolConfig] = Field(default_factory=list, description="GPU NodePools. @default []")
    cpu_node_pools: list[CpuNodePoolConfig] = Field(
        default_factory=list,
        description="CPU NodePools without the GPU taint, for the workloads that need no GPU (Qdrant, the gateway, "
                    "observability): the cluster's system nodes. @default [] (none: such workloads are refused)")
    datasets: list[DatasetBucketConfig] = Field(default_factory=list, description="@default []")
    gpu_sharing: dict[str, GpuSharingConfig] = Field(
        default_factory=dict,
        description="Not available on CKS: CoreWeave manages the NVIDIA device plugin and GPU Operator and documents "
        "no per-NodePool time-slicing or MIG setting; any entry is refused. @default {} (whole GPUs)")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags on the taggable CoreWeave resources (the dataset buckets); in stack config they add to "
                    "the governance tags. @default {}")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _resource_name(v, 30)

    @field_validator("token_config_key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _CONFIG_KEY_RE.match(v):
            raise ConfigValueError("is not a Pulumi config key; use 'namespace:key', e.g. 'coreweave:token'")
        return v

    @field_validator("gpu_sharing")
    @classmethod
    def _no_sharing(cls, v: dict[str, GpuSharingConfig]) -> dict[str, GpuSharingConfig]:
        for pool in v:
            raise ConfigValueError(
                "cannot be configured on CKS: CoreWeave manages the NVIDIA device plugin and GPU Operator (its "
                "documentation says not to install them) and documents no per-NodePool time-slicing or MIG setting "
                "(docs.coreweave.com, searched 2026); give small models whole GPUs (gpus: 1, several replicas per "
                "node), or share GPUs on an EKS cluster (eks.gpuSharing)", loc=(pool,), value=pool)
        return v

    @model_validator(mode="after")
    def _cross(self) -> CoreWeaveClusterConfig:
        if self.vpc.zone is not None and self.vpc.zone != self.cks.zone:
            raise ConfigValueError(
                f"must equal cks.zone ({self.cks.zone}); a CKS cluster lives in its VPC's zone",
                loc=("vpc", "zone"), value=self.vpc.zone)
        names = [p.name for p in self.vpc.vpc_prefixes]
        # A brought VPC's prefixes are not known here: the CIDR names must match them (documented).
        refs: list[tuple[tuple[int | str, ...], str]] = [
            (("cks", "podCidrName"), self.cks.pod_cidr_name),
            (("cks", "serviceCidrName"), self.cks.service_cidr_name),
            *((("cks", "internalLbCidrNames", i), n) for i, n in enumerate(self.cks.internal_lb_cidr_names)),
        ]
        for loc, ref in refs:
            if self.vpc.vpc_id is None and ref not in names:
                raise ConfigValueError(
                    f"is not the name of a vpc.vpcPrefixes entry; known: {', '.join(names) or 'none'}",
                    loc=loc, value=ref)
        seen: dict[str, str] = {}
        pools = [("nodePools", i, p.name) for i, p in enumerate(self.node_pools)]
        pools += [("cpuNodePools", i, p.name) for i, p in enumerate(self.cpu_node_pools)]
        for key, i, name in pools:
            if name in seen:
                raise ConfigValueError(f"is already the name of {seen[name]}; pool names must be unique",
                                       loc=(key, i, "name"), value=name)
            seen[name] = f"{key}[{i}]"
        total = (CKS_CONTROL_PLANE_NODES + sum(p.effective_max for p in self.node_pools)
                 + sum(p.effective_max for p in self.cpu_node_pools))
        if total > CKS_MAX_NODES:
            key = "nodePools" if self.node_pools else "cpuNodePools"
            raise ConfigValueError(
                f"add up to {total} nodes at their maxNodes (with the {CKS_CONTROL_PLANE_NODES} cpu-control-plane "
                f"nodes), above the {CKS_MAX_NODES} a Kubernetes cluster supports; split the capacity across "
                "clusters", loc=(key,), value=f"{len(self.node_pools) + len(self.cpu_node_pools)} pools")
        buckets: dict[str, int] = {}
        for i, d in enumerate(self.datasets):
            if d.name in buckets:
                raise ConfigValueError(f"is already the name of datasets[{buckets[d.name]}]",
                                       loc=("datasets", i, "name"), value=d.name)
            buckets[d.name] = i
        return self
