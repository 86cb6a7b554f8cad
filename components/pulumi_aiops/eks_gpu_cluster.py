"""``EksGpuCluster``: an EKS cluster with GPU managed node groups, secure by default.

Secure defaults in the manner of terraform-aws-eks, each overridable by name (see
:class:`~pulumi_aiops.config.eks.EksClusterConfig` for every field and default):

* **Network**: a VPC with private and public subnets over >= 2 AZs, NAT, the default security
  group stripped of rules; or bring your own VPC (``network.vpcId`` + ``privateSubnetIds``).
  The control plane and all nodes live in the private subnets.
* **Control plane**: private endpoint on, public endpoint off (on only with explicit CIDRs,
  never ``0.0.0.0/0``); Secrets envelope-encrypted with a KMS key (rotation on, protected);
  all five control-plane log types to a KMS-encrypted, protected log group kept 90 days;
  authentication mode ``API`` with access entries for ``access.adminPrincipalArns``; an IAM
  OIDC provider (IRSA) and the EKS Pod Identity agent.
* **Nodes**: a CPU system node group, plus GPU managed node groups on NVIDIA AMIs
  (``AL2023_x86_64_NVIDIA``), tainted ``nvidia.com/gpu=true:NoSchedule``, able to scale to
  zero, ON_DEMAND / SPOT / CAPACITY_BLOCK, each with a launch template that requires IMDSv2
  (hop limit 1, so pods cannot reach the node's credentials) and an encrypted gp3 root volume.
* **Add-ons**: vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver (with a
  Pod Identity role), the NVIDIA device plugin Helm chart, and the GPU autoscaler.

**Why cluster-autoscaler and not Karpenter.** The GPU capacity here is declared as EKS
*managed node groups*: the launch template (IMDSv2, encrypted volumes), taints, labels and
capacity type stay reviewable in one place, and policies can check them. cluster-autoscaler
scales exactly those groups; Karpenter would replace them with its own NodePools and
provision instances outside them. cluster-autoscaler also handles Capacity Block node groups
(a fixed reservation in one AZ) and scales GPU groups *from zero*, reading the GPU count,
labels and taint from the ASG ``k8s.io/cluster-autoscaler/node-template/...`` tags this
component sets. Its IAM policy is least-privilege: describe calls, and scaling writes only on
ASGs tagged ``k8s.io/cluster-autoscaler/<cluster>=owned``.

**Reaching the API.** With the default private-only endpoint, ``pulumi up`` must run from
inside the VPC (or over VPN/peering) to install the Helm charts; otherwise enable
``endpoint.publicAccess`` with your CIDRs. The identity running ``pulumi up`` is made cluster
admin (``access.bootstrapCreatorAdmin``), since it installs those charts. With a brought
``roleArn`` the role must already allow the KMS key (kms:Encrypt, Decrypt, DescribeKey,
ListGrants).

Example::

    import pulumi
    import pulumi_kubernetes as k8s
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    gpu = EksGpuCluster("gpu", {
        "network": {"az_count": 2, "nat_gateways": "SINGLE"},
        "gpu_node_groups": [
            {"name": "l4", "instance_type": "g6.xlarge", "capacity_type": "SPOT", "max_size": 2},
        ],
        "access": {"admin_principal_arns": ["arn:aws:iam::123456789012:role/platform-admin"]},
        "tags": {"owner": "ml-platform", "cost-center": "cc-4021", "data-classification": "internal"},
    })
    role = gpu.workload_role("vllm", namespace="inference", service_account="vllm")
    k8s.core.v1.Namespace("inference", opts=pulumi.ResourceOptions(provider=gpu.provider))
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.eks import (
    Autoscaler,
    EksCapacityType,
    EksClusterConfig,
    GpuNodeGroupConfig,
    NatGateways,
)
from pulumi_aiops.contract import (
    GPU_TAINT_KEY,
    CapacityType,
    GpuCapacity,
    GpuCluster,
    gpu_toleration,
)

__all__ = [
    "AUTOSCALER_REPO",
    "DEVICE_PLUGIN_LABEL",
    "DEVICE_PLUGIN_REPO",
    "GPU_NODE_LABEL",
    "POOL_LABEL",
    "TYPE_TOKEN",
    "EksAccessArgs",
    "EksEncryptionArgs",
    "EksEndpointArgs",
    "EksGpuCluster",
    "EksGpuClusterArgs",
    "EksGpuNodeGroupArgs",
    "EksLoggingArgs",
    "EksNetworkArgs",
    "EksSystemNodeGroupArgs",
]

TYPE_TOKEN = "aiops:eks:EksGpuCluster"
DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"
AUTOSCALER_REPO = "https://kubernetes.github.io/autoscaler"
#: The label every GPU node carries; also what the NVIDIA device plugin chart's affinity reads.
GPU_NODE_LABEL = "nvidia.com/gpu.present"
#: Label of the node group (pool) a node belongs to.
POOL_LABEL = "aiops.io/node-pool"
#: Set on nodes whose AMI needs the device plugin DaemonSet (Bottlerocket ships its own).
DEVICE_PLUGIN_LABEL = "aiops.io/nvidia-device-plugin"
_CA_NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"


# -- public args ------------------------------------------------------------------------------
class EksNetworkArgs(TypedDict, total=False):
    """The VPC: created, or brought with ``vpc_id`` + ``private_subnet_ids``."""

    vpc_id: str
    """Bring your own VPC. @default none (create one)"""
    private_subnet_ids: list[str]
    """Private subnets (>= 2 AZs) of the brought VPC. @default []"""
    cidr: str
    """CIDR of a created VPC, a private /16../20. @default "10.0.0.0/16\""""
    az_count: int
    """AZs of a created VPC, 2..6. @default 3"""
    availability_zones: list[str]
    """Explicit AZ names (length az_count). @default [] = the first available"""
    nat_gateways: str
    """``ONE_PER_AZ`` or ``SINGLE``. @default "ONE_PER_AZ\""""


class EksEndpointArgs(TypedDict, total=False):
    """Who reaches the Kubernetes API."""

    private_access: bool
    """Endpoint reachable inside the VPC. @default True"""
    public_access: bool
    """Endpoint reachable from the internet. @default False"""
    public_access_cidrs: list[str]
    """Required with public_access; 0.0.0.0/0 refused. @default []"""


class EksEncryptionArgs(TypedDict, total=False):
    """Envelope encryption of Secrets (always on)."""

    kms_key_arn: str
    """Bring your own KMS key. @default none (create one, rotation on)"""
    deletion_window_days: int
    """Of a created key, 7..30. @default 30"""


class EksLoggingArgs(TypedDict, total=False):
    """Control-plane logging."""

    types: list[str]
    """Log types; must include audit. @default all five"""
    retention_days: int
    """Log group retention (a CloudWatch value). @default 90"""


class EksAccessArgs(TypedDict, total=False):
    """Cluster access (authentication mode API)."""

    admin_principal_arns: list[str]
    """IAM roles/users given AmazonEKSClusterAdminPolicy. @default []"""
    bootstrap_creator_admin: bool
    """Make the identity running ``pulumi up`` cluster admin. @default True"""


class EksSystemNodeGroupArgs(TypedDict, total=False):
    """The CPU system node group."""

    instance_type: str
    """@default "m6i.large\""""
    ami_type: str
    """@default "AL2023_x86_64_STANDARD\""""
    min_size: int
    """@default 2"""
    max_size: int
    """@default 4"""
    desired_size: int
    """@default min_size"""
    root_volume_gib: int
    """@default 50"""


class EksGpuNodeGroupArgs(TypedDict, total=False):
    """One GPU managed node group. ``name`` and ``instance_type`` are required."""

    name: str
    """Group name, lowercase, unique. Required."""
    instance_type: str
    """A GPU instance type from :mod:`pulumi_aiops.catalog` (aws), or any EC2 type with ``gpu_spec``.
    Required."""
    gpu_spec: dict[str, Any]
    """GPUs of a type the catalogue does not list: ``gpu_model``, ``gpu_count`` (per node),
    ``gpu_memory_gib`` (per GPU), optional ``vcpus``, ``memory_gib``, ``price_per_hour_usd``.
    Refused for a listed type. @default none (the catalogue row)"""
    capacity_type: str
    """``ON_DEMAND``, ``SPOT`` or ``CAPACITY_BLOCK``. @default "ON_DEMAND\""""
    min_size: int
    """0 scales to zero. @default 0"""
    max_size: int
    """@default 2"""
    desired_size: int
    """Within min..max. @default min_size"""
    ami_type: str
    """An NVIDIA AMI type. @default "AL2023_x86_64_NVIDIA\""""
    root_volume_gib: int
    """Encrypted gp3 root volume, >= 100. @default 200"""
    labels: dict[str, str]
    """Extra node labels. @default {}"""
    capacity_reservation_id: str
    """Capacity Block reservation; required for CAPACITY_BLOCK. @default none"""
    subnet_ids: list[str]
    """Subnets of this group (brought VPC only). @default [] = all private subnets"""
    availability_zones: list[str]
    """AZs of this group in a created VPC with explicit AZs (a Capacity Block's AZ). @default [] = all"""


class EksGpuClusterArgs(TypedDict, total=False):
    """Arguments of :class:`EksGpuCluster`; validated by :class:`EksClusterConfig`."""

    name: str
    """Logical cluster name (the contract's ``cluster_name``). @default the resource name"""
    cluster_name: str
    """Physical EKS cluster name. @default "<name>-<stack>\""""
    version: str
    """Kubernetes version, one of ``SUPPORTED_VERSIONS``. @default "1.33\""""
    network: EksNetworkArgs
    """@default create a VPC over 3 AZs"""
    endpoint: EksEndpointArgs
    """@default private endpoint only"""
    encryption: EksEncryptionArgs
    """@default create a KMS key"""
    logging: EksLoggingArgs
    """@default all log types, 90 days"""
    access: EksAccessArgs
    """@default API mode, creator admin, no extra admins"""
    role_arn: str
    """Bring your own cluster role. @default none (create one)"""
    node_role_arn: str
    """Bring your own node role. @default none (create one)"""
    system_node_group: EksSystemNodeGroupArgs
    """@default 2x m6i.large"""
    gpu_node_groups: list[EksGpuNodeGroupArgs]
    """@default []"""
    autoscaler: str
    """``cluster-autoscaler`` or ``none``. @default "cluster-autoscaler\""""
    autoscaler_chart_version: str
    """@default "9.46.6\""""
    device_plugin_version: str
    """nvidia-device-plugin chart version. @default "0.17.1\""""
    tags: dict[str, str]
    """Tags on every taggable resource (owner, cost-center, data-classification). @default {}"""


# -- helpers ----------------------------------------------------------------------------------
def _trust(service: str, *, tag_session: bool = False) -> str:
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}],
        }
    )


def _subnet_cidrs(cidr: str, count: int) -> tuple[list[str], list[str]]:
    """Private /(p+3) blocks 0..count-1; public /(p+6) blocks carved from the last /(p+3)."""
    blocks: list[ipaddress.IPv4Network] = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=3))
    public: list[ipaddress.IPv4Network] = list(blocks[-1].subnets(prefixlen_diff=3))
    return [str(b) for b in blocks[:count]], [str(b) for b in public[:count]]


def _nth(i: int) -> Any:
    def pick(names: list[str]) -> str:
        return names[i]

    return pick


def _kubeconfig(endpoint: str, ca: str, cluster: str, region: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster, "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
            "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": cluster}}],
            "current-context": cluster,
            "users": [
                {
                    "name": cluster,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "--region",
                                region,
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster,
                                "--output",
                                "json",
                            ],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


class EksGpuCluster(GpuCluster):
    """An EKS cluster with GPU managed node groups; implements :class:`GpuCluster`.

    Besides the contract (``cloud``, ``cluster_name``, ``kubeconfig``, ``provider``,
    ``gpu_node_selector``, ``gpu_tolerations``, ``gpu_capacity``) it exposes ``vpc_id``,
    ``private_subnet_ids``, ``cluster_security_group_id``, ``oidc_provider_arn``,
    ``oidc_issuer_url``, ``kms_key_arn``, ``node_role_arn``, ``eks_cluster`` and
    :meth:`workload_role`. See the module docstring for an example.
    """

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    cluster_security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]
    eks_cluster: aws.eks.Cluster
    config: EksClusterConfig

    def __init__(
        self,
        name: str,
        args: EksGpuClusterArgs | EksClusterConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if isinstance(args, EksClusterConfig):
            cfg = args
        else:
            data: dict[str, Any] = {"name": name, **dict(args or {})}
            cfg = validate_model(EksClusterConfig, data, f"EksGpuCluster({name!r})")
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = cfg
        self._name = name
        self._tags = dict(cfg.tags)
        self.cloud = Cloud.AWS
        self.cluster_name = cfg.name
        self._eks_name = cfg.cluster_name or f"{cfg.name}-{pulumi.get_stack()}"
        child = pulumi.ResourceOptions(parent=self)

        caller = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self)).partition
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region
        self._partition = partition

        self._private_by_az: dict[str, pulumi.Output[str]] = {}
        self._network(cfg, child)
        key_arn = self._kms(cfg, caller.account_id, partition, region, child)
        log_group = self._log_group(cfg, key_arn, child)
        cluster_role_arn, cluster_role_deps = self._cluster_role(cfg, key_arn, partition, child)

        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=self._eks_name,
            version=cfg.version,
            role_arn=cluster_role_arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=self.private_subnet_ids,
                endpoint_private_access=cfg.endpoint.private_access,
                endpoint_public_access=cfg.endpoint.public_access,
                public_access_cidrs=cfg.endpoint.public_access_cidrs if cfg.endpoint.public_access else None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key_arn), resources=["secrets"]
            ),
            enabled_cluster_log_types=[t.value for t in cfg.logging.types],
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=cfg.access.bootstrap_creator_admin,
            ),
            bootstrap_self_managed_addons=False,
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, *cluster_role_deps]),
        )
        self.eks_cluster = cluster
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        admin_deps = self._admins(cfg, cluster, partition)

        self.oidc_issuer_url = cluster.identities[0].oidcs[0].issuer.apply(lambda u: u or "")
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.oidc_issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=self._t(),
            opts=child,
        )
        self.oidc_provider_arn = oidc.arn

        node_role_arn, node_role_deps = self._node_role(cfg, partition, child)
        self.node_role_arn = node_role_arn

        pre = {a: self._addon(cluster, a) for a in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")}
        self._pod_identity_agent = pre["eks-pod-identity-agent"]
        compute_deps: list[pulumi.Resource] = [*pre.values(), *node_role_deps]

        system = self._system_group(cfg, cluster, node_role_arn, compute_deps)
        ebs_role = self._pod_identity_role("ebs-csi", partition, ["service-role/AmazonEBSCSIDriverPolicy"])
        self._addon(cluster, "coredns", depends_on=[system])
        ebs_csi = self._addon(
            cluster,
            "aws-ebs-csi-driver",
            depends_on=[system, self._pod_identity_agent],
            pod_identity=[
                aws.eks.AddonPodIdentityAssociationArgs(role_arn=ebs_role.arn, service_account="ebs-csi-controller-sa")
            ],
        )

        gpu_groups = [
            self._gpu_group(cfg, i, g, cluster, node_role_arn, compute_deps) for i, g in enumerate(cfg.gpu_node_groups)
        ]

        # -- contract -------------------------------------------------------------------------
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.endpoint,
                cluster.certificate_authority.data,
                cluster.name,
                region,
            ).apply(lambda a: _kubeconfig(a[0], a[1], a[2], a[3]))
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=admin_deps),
        )
        self.gpu_node_selector = {GPU_NODE_LABEL: "true"}
        self.gpu_tolerations = [gpu_toleration()]
        self.system_node_selector, self.system_tolerations = {POOL_LABEL: "system"}, []  # the system node group
        self.gpu_capacity = [self._capacity(g) for g in cfg.gpu_node_groups]

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[system, *admin_deps])
        # Since EKS 1.30 a new cluster has no default StorageClass: without one, a PVC with no
        # class (Qdrant, model caches) stays Pending. Encrypted gp3, retained on PVC deletion.
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={"name": "gp3-encrypted",
                      "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer",
            reclaim_policy="Retain",
            allow_volume_expansion=True,
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[ebs_csi])),
        )
        self.device_plugin = k8s.helm.v3.Release(
            f"{name}-nvidia-device-plugin",
            name="nvidia-device-plugin",
            chart="nvidia-device-plugin",
            version=cfg.device_plugin_version,
            repository_opts={"repo": DEVICE_PLUGIN_REPO},
            namespace="nvidia-device-plugin",
            create_namespace=True,
            values={
                "nodeSelector": {DEVICE_PLUGIN_LABEL: "daemonset"},
                "tolerations": [gpu_toleration(), {"key": "CriticalAddonsOnly", "operator": "Exists"}],
                "priorityClassName": "system-node-critical",
            },
            opts=k8s_opts,
        )
        if cfg.autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
            self._cluster_autoscaler(cfg, cluster, caller.account_id, partition, region, gpu_groups, k8s_opts)

        self._register_contract_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "oidcProviderArn": self.oidc_provider_arn,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "kmsKeyArn": self.kms_key_arn,
                "nodeRoleArn": self.node_role_arn,
                "eksClusterName": cluster.name,
                "eksClusterArn": cluster.arn,
            }
        )

    # -- public ---------------------------------------------------------------------------------
    def workload_role(self, name: str, namespace: str, service_account: str) -> aws.iam.Role:
        """An IAM role assumed by pods of ``namespace/service_account`` through EKS Pod Identity.

        Attach policies to the returned role (e.g. a Bedrock invoke grant). Example::

            role = cluster.workload_role("gateway", "ai-gateway", "litellm")
            aws.iam.RolePolicy("gateway-bedrock", role=role.id, policy=doc)
        """
        role = aws.iam.Role(
            f"{self._name}-{name}-role",
            assume_role_policy=_trust("pods.eks.amazonaws.com", tag_session=True),
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.eks.PodIdentityAssociation(
            f"{self._name}-{name}-pod-identity",
            cluster_name=self.eks_cluster.name,
            namespace=namespace,
            service_account=service_account,
            role_arn=role.arn,
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._pod_identity_agent]),
        )
        return role

    # -- pieces ---------------------------------------------------------------------------------
    def _t(self, **more: str) -> dict[str, str]:
        return {**self._tags, **more}

    def _network(self, cfg: EksClusterConfig, child: pulumi.ResourceOptions) -> None:
        net = cfg.network
        if not net.create_vpc:
            self.vpc_id = pulumi.Output.from_input(net.vpc_id or "")
            self.private_subnet_ids = pulumi.Output.from_input(list(net.private_subnet_ids))
            return
        n = self._name
        vpc = aws.ec2.Vpc(
            f"{n}-vpc",
            cidr_block=net.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self._t(Name=f"{self._eks_name}"),
            opts=child,
        )
        # No rules on the default security group: nothing uses it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{n}-default-sg", vpc_id=vpc.id, tags=self._t(Name=f"{self._eks_name}-default"), opts=child
        )
        igw = aws.ec2.InternetGateway(f"{n}-igw", vpc_id=vpc.id, tags=self._t(Name=self._eks_name), opts=child)
        if net.availability_zones:
            azs: pulumi.Output[list[str]] = pulumi.Output.from_input(list(net.availability_zones))
        else:
            azs = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOptions(parent=self)).names
        private_cidrs, public_cidrs = _subnet_cidrs(net.cidr, net.az_count)
        public_rt = aws.ec2.RouteTable(
            f"{n}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=self._t(Name=f"{self._eks_name}-public"),
            opts=child,
        )
        public, private = [], []
        for i in range(net.az_count):
            az = azs.apply(_nth(i))
            pub = aws.ec2.Subnet(
                f"{n}-public-{i}",
                vpc_id=vpc.id,
                cidr_block=public_cidrs[i],
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags=self._t(Name=f"{self._eks_name}-public-{i}", **{"kubernetes.io/role/elb": "1"}),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{n}-public-{i}", subnet_id=pub.id, route_table_id=public_rt.id, opts=child)
            priv = aws.ec2.Subnet(
                f"{n}-private-{i}",
                vpc_id=vpc.id,
                cidr_block=private_cidrs[i],
                availability_zone=az,
                tags=self._t(Name=f"{self._eks_name}-private-{i}", **{"kubernetes.io/role/internal-elb": "1"}),
                opts=child,
            )
            public.append(pub)
            private.append(priv)
        nat_count = 1 if net.nat_gateways is NatGateways.SINGLE else net.az_count
        nats = []
        for i in range(nat_count):
            eip = aws.ec2.Eip(f"{n}-nat-{i}", domain="vpc", tags=self._t(Name=f"{self._eks_name}-nat-{i}"), opts=child)
            nats.append(
                aws.ec2.NatGateway(
                    f"{n}-nat-{i}",
                    allocation_id=eip.id,
                    subnet_id=public[i].id,
                    tags=self._t(Name=f"{self._eks_name}-nat-{i}"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        for i in range(nat_count):
            rt = aws.ec2.RouteTable(
                f"{n}-private-rt-{i}",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[i].id}],
                tags=self._t(Name=f"{self._eks_name}-private-{i}"),
                opts=child,
            )
            for j in range(net.az_count):
                if nat_count == 1 or i == j:
                    aws.ec2.RouteTableAssociation(
                        f"{n}-private-{j}", subnet_id=private[j].id, route_table_id=rt.id, opts=child
                    )
        self.vpc_id = vpc.id
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private])
        self._private_by_az = dict(zip(net.availability_zones, [s.id for s in private], strict=False))

    def _kms(
        self,
        cfg: EksClusterConfig,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
        region: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        if cfg.encryption.kms_key_arn is not None:
            self.kms_key_arn = pulumi.Output.from_input(cfg.encryption.kms_key_arn)
            self._own_key = False
            return self.kms_key_arn
        eks_name = self._eks_name

        def policy(a: list[str]) -> str:
            acct, part, reg = a
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdmin",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:{part}:iam::{acct}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "ControlPlaneLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": f"logs.{reg}.amazonaws.com"},
                            "Action": [
                                "kms:Encrypt*",
                                "kms:Decrypt*",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:Describe*",
                            ],
                            "Resource": "*",
                            "Condition": {
                                "ArnEquals": {
                                    "kms:EncryptionContext:aws:logs:arn": (
                                        f"arn:{part}:logs:{reg}:{acct}:log-group:/aws/eks/{eks_name}/cluster"
                                    )
                                }
                            },
                        },
                    ],
                }
            )

        key = aws.kms.Key(
            f"{self._name}-kms",
            description=f"EKS {eks_name}: envelope encryption of Secrets and control-plane logs",
            enable_key_rotation=True,
            deletion_window_in_days=cfg.encryption.deletion_window_days,
            policy=pulumi.Output.all(account, partition, region).apply(policy),
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        aws.kms.Alias(f"{self._name}-kms", name=f"alias/eks/{eks_name}", target_key_id=key.key_id, opts=child)
        self.kms_key_arn = key.arn
        self._own_key = True
        return key.arn

    def _log_group(
        self, cfg: EksClusterConfig, key_arn: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> aws.cloudwatch.LogGroup:
        # Holds the audit log: protected, retained, and encrypted with our key when we own it.
        return aws.cloudwatch.LogGroup(
            f"{self._name}-logs",
            name=f"/aws/eks/{self._eks_name}/cluster",
            retention_in_days=cfg.logging.retention_days,
            kms_key_id=key_arn if self._own_key else None,
            deletion_protection_enabled=True,
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )

    def _managed(self, partition: pulumi.Output[str], policy: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy)

    def _cluster_role(
        self,
        cfg: EksClusterConfig,
        key_arn: pulumi.Output[str],
        partition: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        if cfg.role_arn is not None:
            return pulumi.Output.from_input(cfg.role_arn), []
        role = aws.iam.Role(
            f"{self._name}-cluster-role",
            assume_role_policy=_trust("eks.amazonaws.com", tag_session=True),
            tags=self._t(),
            opts=child,
        )
        att = aws.iam.RolePolicyAttachment(
            f"{self._name}-cluster-role-eks",
            role=role.name,
            policy_arn=self._managed(partition, "AmazonEKSClusterPolicy"),
            opts=child,
        )
        kms = aws.iam.RolePolicy(
            f"{self._name}-cluster-role-kms",
            role=role.name,
            policy=key_arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Resource": arn,
                                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        return role.arn, [att, kms]

    def _node_role(
        self, cfg: EksClusterConfig, partition: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        if cfg.node_role_arn is not None:
            return pulumi.Output.from_input(cfg.node_role_arn), []
        role = aws.iam.Role(
            f"{self._name}-node-role", assume_role_policy=_trust("ec2.amazonaws.com"), tags=self._t(), opts=child
        )
        deps: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{self._name}-node-{p}", role=role.name, policy_arn=self._managed(partition, p), opts=child
            )
            for p in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")
        ]
        return role.arn, deps

    def _pod_identity_role(self, short: str, partition: pulumi.Output[str], managed: list[str]) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{self._name}-{short}-role",
            assume_role_policy=_trust("pods.eks.amazonaws.com", tag_session=True),
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for p in managed:
            aws.iam.RolePolicyAttachment(
                f"{self._name}-{short}-{p.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=self._managed(partition, p),
                opts=pulumi.ResourceOptions(parent=self),
            )
        return role

    def _admins(
        self, cfg: EksClusterConfig, cluster: aws.eks.Cluster, partition: pulumi.Output[str]
    ) -> list[pulumi.Resource]:
        out: list[pulumi.Resource] = []
        creator = self._creator_arn() if cfg.access.bootstrap_creator_admin else None
        for i, arn in enumerate(cfg.access.admin_principal_arns):
            if arn == creator:
                # EKS already made the creator's access entry (bootstrap); a second one would
                # fail with ResourceInUseException.
                continue
            entry = aws.eks.AccessEntry(
                f"{self._name}-admin-{i}",
                cluster_name=cluster.name,
                principal_arn=arn,
                type="STANDARD",
                tags=self._t(),
                opts=pulumi.ResourceOptions(parent=self),
            )
            out.append(
                aws.eks.AccessPolicyAssociation(
                    f"{self._name}-admin-{i}",
                    cluster_name=cluster.name,
                    principal_arn=arn,
                    policy_arn=pulumi.Output.concat(
                        "arn:", partition, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
                    ),
                    access_scope={"type": "cluster"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
                )
            )
        return out

    def _creator_arn(self) -> str | None:
        """The IAM principal running ``pulumi up`` (an assumed role resolves to its role ARN)."""
        opts = pulumi.InvokeOptions(parent=self)
        arn = aws.get_caller_identity(opts=opts).arn
        if not arn:
            return None
        return aws.iam.get_session_context(arn=arn, opts=opts).issuer_arn or arn

    def _addon(
        self,
        cluster: aws.eks.Cluster,
        addon: str,
        *,
        depends_on: list[pulumi.Resource] | None = None,
        pod_identity: list[aws.eks.AddonPodIdentityAssociationArgs] | None = None,
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{self._name}-{addon}",
            cluster_name=cluster.name,
            addon_name=addon,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            pod_identity_associations=pod_identity,
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []),
        )

    def _launch_template(
        self, short: str, ami_type: str, root_gib: int, extra: dict[str, Any] | None = None
    ) -> aws.ec2.LaunchTemplate:
        # Bottlerocket keeps images and data on its second volume; AL2023 on the root volume.
        device = "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"
        node_tags = self._t(Name=f"{self._eks_name}-{short}")
        return aws.ec2.LaunchTemplate(
            f"{self._name}-{short}-lt",
            description=f"EKS {self._eks_name} node group {short}",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": device,
                    "ebs": {
                        "volume_size": root_gib,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": rt, "tags": node_tags} for rt in ("instance", "volume", "network-interface")
            ],
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self),
            **(extra or {}),
        )

    def _node_group(
        self,
        short: str,
        cluster: aws.eks.Cluster,
        node_role_arn: pulumi.Output[str],
        lt: aws.ec2.LaunchTemplate,
        subnet_ids: pulumi.Input[list[str]],
        deps: list[pulumi.Resource],
        **kw: Any,
    ) -> aws.eks.NodeGroup:
        ignore = ["scalingConfig.desiredSize"] if self.config.autoscaler is not Autoscaler.NONE else []
        return aws.eks.NodeGroup(
            f"{self._name}-{short}",
            cluster_name=cluster.name,
            node_role_arn=node_role_arn,
            subnet_ids=subnet_ids,
            launch_template={"id": lt.id, "version": lt.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps, ignore_changes=ignore),
            **kw,
        )

    def _system_group(
        self,
        cfg: EksClusterConfig,
        cluster: aws.eks.Cluster,
        node_role_arn: pulumi.Output[str],
        deps: list[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        s = cfg.system_node_group
        lt = self._launch_template("system", s.ami_type.value, s.root_volume_gib)
        return self._node_group(
            "system",
            cluster,
            node_role_arn,
            lt,
            self.private_subnet_ids,
            deps,
            ami_type=s.ami_type.value,
            capacity_type="ON_DEMAND",
            instance_types=[s.instance_type],
            scaling_config={
                "min_size": s.min_size,
                "max_size": s.max_size,
                "desired_size": s.min_size if s.desired_size is None else s.desired_size,
            },
            labels={POOL_LABEL: "system"},
        )

    def _gpu_labels(self, g: GpuNodeGroupConfig) -> dict[str, str]:
        labels = {**g.labels, GPU_NODE_LABEL: "true", POOL_LABEL: g.name}
        if not g.ami_type.value.startswith("BOTTLEROCKET"):
            labels[DEVICE_PLUGIN_LABEL] = "daemonset"
        return labels

    def _gpu_group(
        self,
        cfg: EksClusterConfig,
        i: int,
        g: GpuNodeGroupConfig,
        cluster: aws.eks.Cluster,
        node_role_arn: pulumi.Output[str],
        deps: list[pulumi.Resource],
    ) -> tuple[GpuNodeGroupConfig, aws.eks.NodeGroup]:
        short = f"gpu-{g.name}"
        cb = g.capacity_type is EksCapacityType.CAPACITY_BLOCK
        extra: dict[str, Any] = {}
        if cb:
            # Capacity Blocks: the instance type and the reservation live in the launch template.
            extra = {
                "instance_type": g.instance_type,
                "instance_market_options": {"market_type": "capacity-block"},
                "capacity_reservation_specification": {
                    "capacity_reservation_target": {"capacity_reservation_id": g.capacity_reservation_id}
                },
            }
        lt = self._launch_template(short, g.ami_type.value, g.root_volume_gib, extra)
        subnets: pulumi.Input[list[str]] = self.private_subnet_ids
        if g.subnet_ids:
            subnets = list(g.subnet_ids)
        elif g.availability_zones:  # e.g. pinned to the AZ of a Capacity Block reservation
            subnets = pulumi.Output.all(*[self._private_by_az[az] for az in g.availability_zones])
        ng = self._node_group(
            short,
            cluster,
            node_role_arn,
            lt,
            subnets,
            deps,
            ami_type=g.ami_type.value,
            capacity_type=g.capacity_type.value,
            instance_types=None if cb else [g.instance_type],
            scaling_config={"min_size": g.min_size, "max_size": g.max_size, "desired_size": g.desired},
            labels=self._gpu_labels(g),
            taints=[{"key": GPU_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"}],
        )
        return g, ng

    def _capacity(self, g: GpuNodeGroupConfig) -> GpuCapacity:
        spec = resolve(Cloud.AWS, g.instance_type, g.gpu_spec)
        return GpuCapacity(
            cluster=self.cluster_name,
            cloud=Cloud.AWS,
            pool=g.name,
            instance_type=g.instance_type,
            gpu_model=spec.gpu_model,
            gpus_per_node=spec.gpu_count,
            min_nodes=g.min_size,
            max_nodes=g.max_size,
            capacity_type=CapacityType(g.capacity_type.value),
            declared=spec.declared, price_per_hour_usd=spec.price_per_hour_usd,
        )

    def _cluster_autoscaler(
        self,
        cfg: EksClusterConfig,
        cluster: aws.eks.Cluster,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
        region: pulumi.Output[str],
        groups: list[tuple[GpuNodeGroupConfig, aws.eks.NodeGroup]],
        k8s_opts: pulumi.ResourceOptions,
    ) -> None:
        n, eks_name = self._name, self._eks_name

        # Scale from zero: tell cluster-autoscaler what a node of each GPU group looks like. Groups
        # that never reach zero always have a live node for it to copy, so they need no template.
        for g, ng in groups:
            if g.min_size > 0:
                continue
            asg = ng.resources.apply(lambda rs: rs[0].autoscaling_groups[0].name)  # type: ignore[index]
            template = {f"{_CA_NODE_TEMPLATE}/label/{k}": v for k, v in self._gpu_labels(g).items()}
            template[f"{_CA_NODE_TEMPLATE}/taint/{GPU_TAINT_KEY}"] = "true:NoSchedule"
            template[f"{_CA_NODE_TEMPLATE}/resources/nvidia.com/gpu"] = str(
                resolve(Cloud.AWS, g.instance_type, g.gpu_spec).gpu_count
            )
            for j, (k, v) in enumerate(sorted(template.items())):
                aws.autoscaling.Tag(
                    f"{n}-gpu-{g.name}-ca-{j}",
                    autoscaling_group_name=asg,
                    tag={"key": k, "value": v, "propagate_at_launch": False},
                    opts=pulumi.ResourceOptions(parent=self),
                )

        def policy(a: list[str]) -> str:
            acct, part, reg = a
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Describe",
                            "Effect": "Allow",
                            "Resource": "*",
                            "Action": [
                                "autoscaling:DescribeAutoScalingGroups",
                                "autoscaling:DescribeAutoScalingInstances",
                                "autoscaling:DescribeLaunchConfigurations",
                                "autoscaling:DescribeScalingActivities",
                                "autoscaling:DescribeTags",
                                "ec2:DescribeImages",
                                "ec2:DescribeInstanceTypes",
                                "ec2:DescribeLaunchTemplateVersions",
                                "ec2:GetInstanceTypesFromInstanceRequirements",
                            ],
                        },
                        {
                            "Sid": "DescribeNodegroups",
                            "Effect": "Allow",
                            "Action": "eks:DescribeNodegroup",
                            "Resource": f"arn:{part}:eks:{reg}:{acct}:nodegroup/{eks_name}/*/*",
                        },
                        {
                            "Sid": "ScaleOwnGroups",
                            "Effect": "Allow",
                            "Action": [
                                "autoscaling:SetDesiredCapacity",
                                "autoscaling:TerminateInstanceInAutoScalingGroup",
                            ],
                            "Resource": (
                                f"arn:{part}:autoscaling:{reg}:{acct}:autoScalingGroup:*:autoScalingGroupName/*"
                            ),
                            "Condition": {
                                "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{eks_name}": "owned"}
                            },
                        },
                    ],
                }
            )

        role = aws.iam.Role(
            f"{n}-cluster-autoscaler-role",
            assume_role_policy=_trust("pods.eks.amazonaws.com", tag_session=True),
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        pol = aws.iam.Policy(
            f"{n}-cluster-autoscaler",
            description=f"cluster-autoscaler of EKS {eks_name} (least privilege)",
            policy=pulumi.Output.all(account, partition, region).apply(policy),
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        att = aws.iam.RolePolicyAttachment(
            f"{n}-cluster-autoscaler", role=role.name, policy_arn=pol.arn, opts=pulumi.ResourceOptions(parent=self)
        )
        assoc = aws.eks.PodIdentityAssociation(
            f"{n}-cluster-autoscaler",
            cluster_name=cluster.name,
            namespace="kube-system",
            service_account="cluster-autoscaler",
            role_arn=role.arn,
            tags=self._t(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._pod_identity_agent]),
        )
        self.autoscaler = k8s.helm.v3.Release(
            f"{n}-cluster-autoscaler",
            name="cluster-autoscaler",
            chart="cluster-autoscaler",
            version=cfg.autoscaler_chart_version,
            repository_opts={"repo": AUTOSCALER_REPO},
            namespace="kube-system",
            values={
                "cloudProvider": "aws",
                "awsRegion": region,
                "autoDiscovery": {"clusterName": eks_name},
                "rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler"}},
                "image": {"tag": f"v{cfg.version}.0"},
                "priorityClassName": "system-cluster-critical",
                "extraArgs": {
                    "expander": "least-waste",
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "scale-down-unneeded-time": "10m",
                },
            },
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[assoc, att])),
        )
