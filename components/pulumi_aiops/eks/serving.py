"""EKS pieces for model serving: ``GpuOperator``, ``EfaDevicePlugin`` and ``EfsModelCache``.

* :class:`GpuOperator`: the NVIDIA GPU Operator (NGC chart ``gpu-operator``) in the mode the EKS
  NVIDIA AMIs need: ``driver.enabled`` and ``toolkit.enabled`` false (the AMI ships both), the
  operator's own device plugin (the standalone ``NvidiaDevicePlugin`` is then not installed: one
  plugin per node), GPU feature discovery, and the MIG manager, which partitions the GPUs of a node
  labelled ``nvidia.com/mig.config=all-<profile>`` (single strategy: each slice is one
  ``nvidia.com/gpu``). Time-slicing configurations go into the operator's device-plugin ConfigMap,
  selected per node by ``nvidia.com/device-plugin.config`` exactly as with the standalone chart.
  The DCGM exporter stays off (the observability stack runs its own). Its namespace
  ``gpu-operator`` gets a default-deny NetworkPolicy with DNS and API-server egress.
* :class:`EfaDevicePlugin`: the EFA device plugin (aws/eks-charts ``aws-efa-k8s-device-plugin``)
  on nodes labelled ``aiops.io/efa=true`` (EFA groups), advertising ``vpc.amazonaws.com/efa``; the
  EKS AL2023 NVIDIA and Bottlerocket AMIs carry the EFA host components but not the plugin (EKS
  user guide, "Manage EFA devices on Amazon EKS").
* :class:`EfsModelCache`: an EFS file system for shared model caches (encrypted with its own KMS
  key, elastic throughput), a mount target per private subnet behind a security group that admits
  NFS (2049) from the cluster security group only, the ``aws-efs-csi-driver`` add-on with a Pod
  Identity role (``AmazonEFSCSIDriverPolicy``), and the StorageClass ``aiops-efs-models`` (dynamic
  access points, owner uid/gid 1000: the model servers' user). A model server with
  ``cache: {mode: shared}`` claims a ReadWriteMany volume of it.

Each works on any EKS cluster (``providers=[...]`` for the in-cluster parts); ``EksGpuCluster``
creates them from ``gpuOperator``, the EFA groups and ``modelCache.efs``.
"""

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from pulumi_aiops.args import EfaDevicePluginArgs, EfsModelCacheArgs, GpuOperatorArgs
from pulumi_aiops.aws.kms import kms_key
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.eks_pieces import EfaDevicePluginConfig, EfsModelCachePieceConfig, GpuOperatorPieceConfig
from pulumi_aiops.config.gpu_nodes import EFA_PLUGIN_REPO, GPU_OPERATOR_REPO
from pulumi_aiops.contract import gpu_toleration
from pulumi_aiops.eks._common import EFA_LABEL, EksPiece, managed_policy_arn
from pulumi_aiops.eks.device_plugin import time_slicing_config
from pulumi_aiops.workloads.network import allow, allow_apiserver, allow_dns, default_deny

__all__ = [
    "EFS_STORAGE_CLASS",
    "GPU_OPERATOR_NAMESPACE",
    "EfaDevicePlugin",
    "EfaDevicePluginArgs",
    "EfsModelCache",
    "EfsModelCacheArgs",
    "GpuOperator",
    "GpuOperatorArgs",
    "gpu_operator_values",
]

GPU_OPERATOR_TYPE = "aiops:index:GpuOperator"
EFA_TYPE = "aiops:index:EfaDevicePlugin"
EFS_TYPE = "aiops:index:EfsModelCache"
GPU_OPERATOR_NAMESPACE = "gpu-operator"
#: The StorageClass of shared model caches on EKS.
EFS_STORAGE_CLASS = "aiops-efs-models"
_POD_TRUST_SERVICE = "pods.eks.amazonaws.com"


def gpu_operator_values(cfg: GpuOperatorPieceConfig) -> dict[str, Any]:
    """The operator's chart values (v25.10.1 keys: driver, toolkit, devicePlugin.config, mig,
    migManager.config, dcgmExporter, operator, node-feature-discovery)."""
    values: dict[str, Any] = {
        "driver": {"enabled": False},
        "toolkit": {"enabled": False},
        "devicePlugin": {"enabled": True},
        "mig": {"strategy": cfg.mig_strategy.value},
        "migManager": {"enabled": True, "config": {"default": "all-disabled"}},
        "dcgmExporter": {"enabled": False},
    }
    if cfg.time_slicing_replicas:
        data = {"default": "version: v1\nflags:\n  migStrategy: none\n"}
        for r in cfg.time_slicing_replicas:
            data[f"time-slicing-{r}"] = time_slicing_config(r)
        values["devicePlugin"]["config"] = {"create": True, "name": "aiops-device-plugin-config",
                                            "default": "default", "data": data}
    if cfg.system_node_selector:
        values["operator"] = {"nodeSelector": dict(cfg.system_node_selector)}
        values["node-feature-discovery"] = {"master": {"nodeSelector": dict(cfg.system_node_selector)},
                                            "gc": {"nodeSelector": dict(cfg.system_node_selector)}}
    return values


def _args(model: Any, raw: Any, where: str) -> Any:
    return raw if isinstance(raw, model) else validate_model(model, dict(raw or {}), where)


class GpuOperator(EksPiece):
    """The NVIDIA GPU Operator (device plugin, GFD, MIG manager; no driver or toolkit). See the
    module docstring."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: GpuOperatorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = _args(GpuOperatorPieceConfig, args, f"GpuOperator({name!r})")
        super().__init__(GPU_OPERATOR_TYPE, name, opts)
        self.config = cfg
        ns = GPU_OPERATOR_NAMESPACE
        self.ns = k8s.core.v1.Namespace(
            f"{name}-gpu-operator-ns",
            metadata={"name": ns, "labels": {"app.kubernetes.io/managed-by": "pulumi-aiops",
                                             "pod-security.kubernetes.io/enforce": "privileged"}},
            opts=self._opts(new=True))
        after = self._opts(new=True, depends_on=[self.ns])
        for doc in (default_deny(ns), allow_dns(ns), allow_apiserver(ns),
                    allow("allow-intra-namespace", ns, ingress=[{"from": [{"podSelector": {}}]}],
                          egress=[{"to": [{"podSelector": {}}]}])):
            k8s.networking.v1.NetworkPolicy(f"{name}-gpu-operator-np-{doc['metadata']['name']}",
                                            metadata=doc["metadata"], spec=doc["spec"], opts=after)
        self.release = k8s.helm.v3.Release(
            f"{name}-gpu-operator",
            name="gpu-operator",
            chart="gpu-operator",
            version=cfg.chart_version,
            repository_opts={"repo": GPU_OPERATOR_REPO},
            namespace=ns,
            values=gpu_operator_values(cfg),
            opts=after,
        )
        self.namespace = pulumi.Output.from_input(ns)
        self.register_outputs({"namespace": self.namespace})


class EfaDevicePlugin(EksPiece):
    """The EFA device plugin on EFA nodes. See the module docstring."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: EfaDevicePluginArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = _args(EfaDevicePluginConfig, args, f"EfaDevicePlugin({name!r})")
        super().__init__(EFA_TYPE, name, opts)
        self.config = cfg
        self.release = k8s.helm.v3.Release(
            f"{name}-efa-device-plugin",
            name="aws-efa-k8s-device-plugin",
            chart="aws-efa-k8s-device-plugin",
            version=cfg.chart_version,
            repository_opts={"repo": EFA_PLUGIN_REPO},
            namespace="kube-system",
            values={"nodeSelector": {EFA_LABEL: "true"}, "tolerations": [gpu_toleration()]},
            opts=self._opts(new=True),
        )
        self.namespace = pulumi.Output.from_input("kube-system")
        self.register_outputs({"namespace": self.namespace})


class EfsModelCache(EksPiece):
    """EFS for shared model caches, with its CSI driver and StorageClass. See the module docstring."""

    file_system_id: pulumi.Output[str]
    storage_class_name: pulumi.Output[str]

    def __init__(self, name: str, args: EfsModelCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = _args(EfsModelCachePieceConfig, args, f"EfsModelCache({name!r})")
        super().__init__(EFS_TYPE, name, opts)
        self.config = cfg
        tags = dict(cfg.tags)
        child = self._opts(new=True)
        key = kms_key(f"{name}-efs-key", parent=self, description=f"pulumi-aiops {name}: EFS model cache",
                      tags=tags, opts=pulumi.ResourceOptions(depends_on=self._deps or None))
        self.file_system = aws.efs.FileSystem(
            f"{name}-efs", encrypted=True, kms_key_id=key.arn, performance_mode="generalPurpose",
            throughput_mode=cfg.throughput_mode, tags={**tags, "Name": f"{name}-models"}, opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-efs-sg", vpc_id=cfg.vpc_id, description="NFS from the EKS cluster's nodes to the model cache",
            ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049,
                      "security_groups": [cfg.client_security_group_id], "description": "NFS from cluster nodes"}],
            tags={**tags, "Name": f"{name}-efs"}, opts=child)
        self.mount_targets = {
            k: aws.efs.MountTarget(f"{name}-efs-mt-{k}", file_system_id=self.file_system.id, subnet_id=subnet,
                                   security_groups=[self.security_group.id], opts=child)
            for k, subnet in sorted(cfg.subnet_ids.items())}
        role = aws.iam.Role(f"{name}-efs-csi-role", assume_role_policy=_pod_trust(), tags=tags, opts=child)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        aws.iam.RolePolicyAttachment(
            f"{name}-efs-csi-AmazonEFSCSIDriverPolicy", role=role.name,
            policy_arn=managed_policy_arn(partition, "service-role/AmazonEFSCSIDriverPolicy"), opts=child)
        self.csi_driver = aws.eks.Addon(
            f"{name}-aws-efs-csi-driver", cluster_name=cfg.cluster_name, addon_name="aws-efs-csi-driver",
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE",
            pod_identity_associations=[aws.eks.AddonPodIdentityAssociationArgs(
                role_arn=role.arn, service_account="efs-csi-controller-sa")],
            tags=tags, opts=self._opts(new=True, depends_on=list(self.mount_targets.values())))
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-efs-models",
            metadata={"name": EFS_STORAGE_CLASS, "labels": {"app.kubernetes.io/managed-by": "pulumi-aiops"}},
            provisioner="efs.csi.aws.com",
            parameters={"provisioningMode": "efs-ap", "fileSystemId": self.file_system.id, "directoryPerms": "750",
                        "uid": "1000", "gid": "1000", "basePath": "/models"},
            reclaim_policy="Delete", volume_binding_mode="Immediate",
            opts=self._opts(new=True, depends_on=[self.csi_driver]))
        self.file_system_id = self.file_system.id
        self.storage_class_name = pulumi.Output.from_input(EFS_STORAGE_CLASS)
        self.register_outputs({"fileSystemId": self.file_system_id, "storageClassName": self.storage_class_name})


def _pod_trust() -> str:
    from pulumi_aiops.aws.iam import service_trust

    return service_trust(_POD_TRUST_SERVICE, tag_session=True)
