"""``EksGpuCluster``: an EKS cluster with GPU managed node groups, secure by default.

Secure defaults in the manner of terraform-aws-eks, each overridable by name (see
:class:`~pulumi_aiops.config.eks.EksClusterConfig` for every field and default):

* **Network**: a VPC with private and public subnets over >= 2 AZs, NAT, the default security
  group stripped of rules, and flow logs of all traffic to a KMS-encrypted, protected log group;
  or bring your own VPC (``network.vpcId`` + ``privateSubnetIds``, as ids or outputs).
  The control plane and all nodes live in the private subnets.
* **Control plane**: private endpoint on, public endpoint off (on only with explicit CIDRs,
  never ``0.0.0.0/0``); Secrets envelope-encrypted with a KMS key (rotation on, protected);
  all five control-plane log types to a KMS-encrypted, protected log group kept 90 days;
  authentication mode ``API`` with access entries for ``access.adminPrincipalArns``; an IAM
  OIDC provider (IRSA) and the EKS Pod Identity agent.
* **Nodes**: a CPU system node group, plus GPU managed node groups on NVIDIA AMIs
  (``AL2023_x86_64_NVIDIA``), tainted ``nvidia.com/gpu=true:NoSchedule``, able to scale to
  zero, ON_DEMAND / SPOT / CAPACITY_BLOCK, each with a launch template that requires IMDSv2
  (hop limit 1, so pods cannot reach the node's credentials) and an encrypted gp3 root volume;
  the system nodes' template allows hop limit 2 (``systemNodeGroup.metadataHopLimit``), so the
  EBS CSI node driver reads instance metadata.
* **Add-ons**: vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver (with a
  Pod Identity role), the NVIDIA device plugin Helm chart, and the GPU autoscaler
  (cluster-autoscaler; why not Karpenter: :mod:`pulumi_aiops.eks.autoscaler`).

**Composed of pieces** you can also use on their own (:mod:`pulumi_aiops.eks`):
:class:`~pulumi_aiops.eks.vpc.Vpc`, :class:`~pulumi_aiops.eks.control_plane.EksControlPlane`,
:class:`~pulumi_aiops.eks.node_group.SystemNodeGroup`,
:class:`~pulumi_aiops.eks.node_group.GpuNodeGroup` (one per group),
:class:`~pulumi_aiops.eks.autoscaler.ClusterAutoscaler` and
:class:`~pulumi_aiops.eks.device_plugin.NvidiaDevicePlugin`. A stack deployed with 0.1.0 (one
class, type ``aiops:eks:EksGpuCluster``) upgrades without replacing anything: the component keeps
its old type as an alias, and every child that moved under a piece, or was renamed from a list
position to a stable key, carries an alias to its 0.1.0 URN.

**Reaching the API.** With the default private-only endpoint, ``pulumi up`` must run from
inside the VPC (or over VPN/peering) to install the Helm charts, and the cluster security group
must admit it: list the runner's security group or network in ``deployerAccess`` (rules on 443,
named by a hash of each entry); otherwise enable ``endpoint.publicAccess`` with your CIDRs.
The identity running ``pulumi up`` is made cluster admin (``access.bootstrapCreatorAdmin``),
since it installs those charts. With a brought ``roleArn`` the role must already allow the KMS
key (kms:Encrypt, Decrypt, DescribeKey, ListGrants).

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

In your own VPC, with outputs of your resources::

    gpu = EksGpuCluster("gpu", {
        "network": {"vpc_id": vpc.id, "private_subnet_ids": [a.id, b.id]},
        "encryption": {"kms_key_arn": key.arn},
        "gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}],
    })
"""

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel

from pulumi_aiops.args import (
    EksAccessArgs,
    EksEncryptionArgs,
    EksEndpointArgs,
    EksGpuClusterArgs,
    EksGpuNodeGroupArgs,
    EksLoggingArgs,
    EksNetworkArgs,
    EksSystemNodeGroupArgs,
)
from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.eks import Autoscaler, EksClusterConfig, GpuNodeGroupConfig, given
from pulumi_aiops.config.eks_pieces import (
    ClusterAutoscalerConfig,
    EfaDevicePluginConfig,
    EfsModelCachePieceConfig,
    EksControlPlaneConfig,
    GpuNodeGroupPieceConfig,
    GpuOperatorPieceConfig,
    NvidiaDevicePluginConfig,
    SystemNodeGroupPieceConfig,
    VpcConfig,
)
from pulumi_aiops.config.gpu_nodes import EFA_INTERFACES, pool_sharing
from pulumi_aiops.contract import (
    CapacityType,
    GpuCapacity,
    GpuCluster,
    gpu_toleration,
)
from pulumi_aiops.eks._common import (
    AUTOSCALER_REPO,
    DEVICE_PLUGIN_LABEL,
    DEVICE_PLUGIN_REPO,
    GPU_NODE_LABEL,
    LEGACY_CLUSTER_TYPE,
    POOL_LABEL,
)
from pulumi_aiops.eks.autoscaler import ClusterAutoscaler
from pulumi_aiops.eks.control_plane import EksControlPlane
from pulumi_aiops.eks.device_plugin import NvidiaDevicePlugin
from pulumi_aiops.eks.node_group import GpuNodeGroup, SystemNodeGroup
from pulumi_aiops.eks.serving import EfaDevicePlugin, EfsModelCache, GpuOperator
from pulumi_aiops.eks.vpc import Vpc
from pulumi_aiops.errors import ConfigError

__all__ = [
    "AUTOSCALER_REPO",
    "DEVICE_PLUGIN_LABEL",
    "DEVICE_PLUGIN_REPO",
    "GPU_NODE_LABEL",
    "LEGACY_TYPE_TOKEN",
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

TYPE_TOKEN = "aiops:index:EksGpuCluster"
#: The type token of 0.1.0; kept as an alias, so deployed stacks keep their URNs.
LEGACY_TYPE_TOKEN = LEGACY_CLUSTER_TYPE


#: No args: every default (a plain annotation, not ``| None``: Pulumi's schema inference reads it).
_DEFAULTS: EksGpuClusterArgs = {}


def _legacy_urn(urn: str) -> str:
    """This component's URN as 0.1.0 wrote it: the same, with the old type token."""
    stack, project, qualified, name = urn.split("::", 3)
    types = qualified.split("$")
    types[-1] = LEGACY_TYPE_TOKEN
    return "::".join([stack, project, "$".join(types), name])


def _args(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """A piece's validated args model, built from this cluster's (validated) config."""
    return model.model_validate(data)


def _fields(model: BaseModel) -> dict[str, Any]:
    """A validated model's fields as they are (nested models, enums and outputs kept)."""
    return {k: getattr(model, k) for k in type(model).model_fields}


class EksGpuCluster(GpuCluster):
    """An EKS cluster with GPU managed node groups; implements :class:`GpuCluster`.

    Besides the contract (``cloud``, ``cluster_name``, ``kubeconfig``, ``provider``,
    ``gpu_node_selector``, ``gpu_tolerations``, ``gpu_capacity``) it exposes ``vpc_id``,
    ``private_subnet_ids``, ``cluster_security_group_id``, ``oidc_provider_arn``,
    ``oidc_issuer_url``, ``kms_key_arn``, ``node_role_arn``, ``eks_cluster``, ``storage_class``,
    ``device_plugin`` and ``autoscaler`` (the Helm releases; ``None`` without an autoscaler),
    :meth:`workload_role`, and its pieces (``network``: the :class:`Vpc` or ``None`` with a brought
    VPC, ``control_plane``, ``system_node_group``, ``gpu_node_groups`` by group name,
    ``nvidia_device_plugin``, ``cluster_autoscaler``). See the module docstring for examples.
    """

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    cluster_security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: EksGpuClusterArgs = _DEFAULTS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (the builder passes one)
        cfg = component_args(EksClusterConfig, raw, f"EksGpuCluster({name!r})", {"name": name})
        super().__init__(
            TYPE_TOKEN,
            name,
            None,
            pulumi.ResourceOptions.merge(
                pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=LEGACY_TYPE_TOKEN)]), opts
            ),
        )
        # The pieces alias their children to this (0.1.0) parent: see EksPiece.
        self._legacy_urn = self.urn.apply(_legacy_urn)
        self.config = cfg
        self.cloud = Cloud.AWS
        self.cluster_name = cfg.name
        eks_name = cfg.cluster_name or f"{cfg.name}-{pulumi.get_stack()}"
        tags = dict(cfg.tags)
        child = pulumi.ResourceOptions(parent=self)

        # -- network -------------------------------------------------------------------------
        net = cfg.network
        self.network: Vpc | None = None
        subnets: Any  # a list of ids and/or outputs, or an output of the list
        if net.create_vpc:
            self.network = Vpc(
                name,
                _args(VpcConfig, {
                    "cidr": net.cidr, "az_count": net.az_count, "availability_zones": net.availability_zones,
                    "nat_gateways": net.nat_gateways, "flow_logs": net.flow_logs, "name_tag": eks_name,
                    "tags": tags,
                }),
                opts=child,
            )
            vpc_id: pulumi.Input[str] = self.network.vpc_id
            subnets = self.network.private_subnet_ids
        else:
            assert net.vpc_id is not None
            vpc_id, subnets = net.vpc_id, net.private_subnet_ids

        # -- control plane -------------------------------------------------------------------
        cp = EksControlPlane(
            name,
            _args(EksControlPlaneConfig, {
                "vpc_id": vpc_id, "subnet_ids": subnets, "cluster_name": eks_name, "version": cfg.version,
                "endpoint": cfg.endpoint, "encryption": cfg.encryption, "logging": cfg.logging,
                "access": cfg.access, "role_arn": cfg.role_arn, "node_role_arn": cfg.node_role_arn,
                "deployer_access": cfg.deployer_access,
                "tags": tags,
            }),
            opts=child,
        )
        self.control_plane = cp
        wiring = {"cluster_name": cp.cluster_name, "node_role_arn": cp.node_role_arn,
                  "autoscaler": cfg.autoscaler, "tags": tags}
        compute = pulumi.ResourceOptions(parent=self, depends_on=cp.compute_dependencies)

        # -- nodes ---------------------------------------------------------------------------
        system = SystemNodeGroup(
            f"{name}-system",
            _args(SystemNodeGroupPieceConfig, {**_fields(cfg.system_node_group), **wiring, "subnet_ids": subnets}),
            opts=compute,
        )
        self.system_node_group = system
        core = cp.core_addons(after=[system])
        self.gpu_node_groups: dict[str, GpuNodeGroup] = {}
        for g in cfg.gpu_node_groups:
            serving: dict[str, Any] = {"gpu_sharing": cfg.gpu_sharing.get(g.name)}
            if g.efa:  # EFA interfaces carry the cluster security group (EKS adds none of its own then)
                serving["security_group_ids"] = [cp.cluster_security_group_id]
            self.gpu_node_groups[g.name] = GpuNodeGroup(
                f"{name}-gpu-{g.name}",
                _args(GpuNodeGroupPieceConfig, {
                    **_fields(g), **wiring, "subnet_ids": self._group_subnets(g, subnets), "availability_zones": [],
                    **serving,
                }),
                opts=compute,
            )

        # -- contract ------------------------------------------------------------------------
        self.kubeconfig = cp.kubeconfig
        self.provider = cp.provider
        self.gpu_node_selector = {GPU_NODE_LABEL: "true"}
        self.gpu_tolerations = [gpu_toleration()]
        self.system_node_selector, self.system_tolerations = {POOL_LABEL: "system"}, []  # the system node group
        self.gpu_capacity = [self._capacity(g) for g in cfg.gpu_node_groups]

        # -- in the cluster ------------------------------------------------------------------
        k8s_deps: list[pulumi.Resource] = [system, *cp.admin_access]
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
            opts=pulumi.ResourceOptions(parent=self, provider=cp.provider,
                                        depends_on=[*k8s_deps, core.ebs_csi_driver]),
        )
        in_cluster = pulumi.ResourceOptions(parent=self, providers=[cp.provider], depends_on=k8s_deps)
        # Serving: one device plugin per node (the standalone chart, or the GPU Operator's), the
        # time-slicing configurations the groups select, EFA's plugin, a shared model cache.
        sliced = sorted({s.time_slicing.replicas for s in cfg.gpu_sharing.values() if s.time_slicing is not None})
        self.nvidia_device_plugin: NvidiaDevicePlugin | None = None
        self.gpu_operator: GpuOperator | None = None
        if cfg.gpu_operator.enabled:
            self.gpu_operator = GpuOperator(name, _args(GpuOperatorPieceConfig, {
                **_fields(cfg.gpu_operator), "time_slicing_replicas": sliced,
                "system_node_selector": {POOL_LABEL: "system"}}), opts=in_cluster)
            self.device_plugin = self.gpu_operator.release
        else:
            self.nvidia_device_plugin = NvidiaDevicePlugin(
                name, _args(NvidiaDevicePluginConfig, {"version": cfg.device_plugin_version,
                                                       "time_slicing_replicas": sliced}), opts=in_cluster
            )
            self.device_plugin = self.nvidia_device_plugin.release
        self.efa_device_plugin: EfaDevicePlugin | None = None
        if any(g.efa for g in cfg.gpu_node_groups):
            self.efa_device_plugin = EfaDevicePlugin(name, _args(EfaDevicePluginConfig, {}), opts=in_cluster)
        self.model_cache: EfsModelCache | None = None
        if cfg.model_cache.efs.enabled:
            self.model_cache = EfsModelCache(name, _args(EfsModelCachePieceConfig, {
                **_fields(cfg.model_cache.efs), "cluster_name": cp.cluster_name, "vpc_id": vpc_id,
                "subnet_ids": self._cache_subnets(net, subnets), "client_security_group_id":
                cp.cluster_security_group_id, "tags": tags}),
                opts=pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(depends_on=[system])))
        self.cluster_autoscaler: ClusterAutoscaler | None = None
        self.autoscaler: k8s.helm.v3.Release | None = None
        if cfg.autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
            self.cluster_autoscaler = ClusterAutoscaler(
                name,
                _args(ClusterAutoscalerConfig, {
                    "cluster_name": cp.cluster_name, "kubernetes_version": cfg.version,
                    "chart_version": cfg.autoscaler_chart_version, "tags": tags,
                }),
                opts=pulumi.ResourceOptions.merge(
                    in_cluster, pulumi.ResourceOptions(depends_on=[cp.pod_identity_agent])
                ),
            )
            self.autoscaler = self.cluster_autoscaler.release
        # What a workload waits for: API access, the GPU groups and the device plugin (which
        # makes `nvidia.com/gpu` schedulable), the default StorageClass; not the VPC's flow logs,
        # the autoscaler's IAM or anything else under this component.
        self.ready = [*cp.admin_access, *self.gpu_node_groups.values(), self.device_plugin, self.storage_class]
        if self.efa_device_plugin is not None:
            self.ready.append(self.efa_device_plugin.release)
        if self.model_cache is not None:
            self.ready.append(self.model_cache.storage_class)

        # -- outputs -------------------------------------------------------------------------
        self.eks_cluster: aws.eks.Cluster = cp.cluster
        self.vpc_id = pulumi.Output.from_input(vpc_id)
        self.private_subnet_ids = pulumi.Output.from_input(subnets)
        self.cluster_security_group_id = cp.cluster_security_group_id
        self.oidc_provider_arn = cp.oidc_provider_arn
        self.oidc_issuer_url = cp.oidc_issuer_url
        self.kms_key_arn = cp.kms_key_arn
        self.node_role_arn = cp.node_role_arn
        self._register_contract_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "oidcProviderArn": self.oidc_provider_arn,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "kmsKeyArn": self.kms_key_arn,
                "nodeRoleArn": self.node_role_arn,
                "eksClusterName": cp.cluster_name,
                "eksClusterArn": cp.cluster_arn,
            }
        )

    # -- public ---------------------------------------------------------------------------------
    def workload_role(self, name: str, namespace: str, service_account: str) -> aws.iam.Role:
        """An IAM role assumed by pods of ``namespace/service_account`` through EKS Pod Identity.

        Attach policies to the returned role (e.g. a Bedrock invoke grant). Example::

            role = cluster.workload_role("gateway", "ai-gateway", "litellm")
            aws.iam.RolePolicy("gateway-bedrock", role=role.id, policy=doc)
        """
        return self.control_plane.workload_role(name, namespace, service_account)

    # -- pieces ---------------------------------------------------------------------------------
    def _group_subnets(self, g: GpuNodeGroupConfig, all_private: pulumi.Input[list[str]]) -> Any:
        """A GPU group's subnets: its own, those of its AZs (created VPC), or all private ones."""
        if given(g.subnet_ids):
            return g.subnet_ids
        if g.availability_zones:  # e.g. pinned to the AZ of a Capacity Block reservation
            assert self.network is not None  # the config allows AZs only with a created VPC
            return self.network.private_subnets_in(g.availability_zones)
        return all_private

    def _cache_subnets(self, net: Any, subnets: Any) -> dict[str, Any]:
        """The private subnets for the EFS mount targets, by stable key (see ``Vpc.private_subnets_by_key``)."""
        if self.network is not None:
            return dict(self.network.private_subnets_by_key)
        ids = net.private_subnet_ids
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ConfigError(f"EksGpuCluster({self.cluster_name!r}).modelCache.efs: needs network.privateSubnetIds as "
                              "plain ids (one EFS mount target is created per subnet, named by its id)")
        return {i: i for i in ids}

    def _capacity(self, g: GpuNodeGroupConfig) -> GpuCapacity:
        spec = resolve(Cloud.AWS, g.instance_type, g.gpu_spec)
        mode, slices, slice_gib = pool_sharing(self.config.gpu_sharing.get(g.name), spec.gpu_model, spec.gpu_memory_gib)
        return GpuCapacity(
            gpu_memory_gib=spec.gpu_memory_gib, gpu_sharing=mode, gpu_slices_per_gpu=slices,
            gpu_slice_memory_gib=slice_gib, rdma="efa" if g.efa else "none",
            rdma_devices=EFA_INTERFACES.get(g.instance_type, 0) if g.efa else 0,
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
            vcpus=spec.vcpus, memory_gib=spec.memory_gib,
        )

