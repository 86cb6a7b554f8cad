"""What the EKS pieces share: labels, chart repositories, the piece base class and the
aliases that keep the URNs of stacks deployed with the one-class ``EksGpuCluster`` (0.1.0)."""

import re
from collections.abc import Sequence
from typing import Any

import pulumi

from pulumi_aiops.aws.formats import Format

__all__ = [
    "AUTOSCALER_REPO",
    "CA_NODE_TEMPLATE",
    "DEVICE_PLUGIN_LABEL",
    "DEVICE_PLUGIN_REPO",
    "EFA_LABEL",
    "EFA_RESOURCE",
    "GPU_NODE_LABEL",
    "LEGACY_CLUSTER_TYPE",
    "LOGS_KEY_ACTIONS",
    "MIG_CONFIG_LABEL",
    "NODE_KIND_TAG",
    "POOL_LABEL",
    "ROLE_ARN",
    "SHARING_CONFIG_LABEL",
    "EksPiece",
    "managed_policy_arn",
]

DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"
AUTOSCALER_REPO = "https://kubernetes.github.io/autoscaler"
#: The label every GPU node carries; also what the NVIDIA device plugin chart's affinity reads.
GPU_NODE_LABEL = "nvidia.com/gpu.present"
#: Label of the node group (pool) a node belongs to.
POOL_LABEL = "aiops.io/node-pool"
#: Set on nodes whose AMI needs the device plugin DaemonSet (Bottlerocket ships its own).
DEVICE_PLUGIN_LABEL = "aiops.io/nvidia-device-plugin"
#: The node label that selects a named device-plugin configuration (time-slicing) on a node
#: (NVIDIA/k8s-device-plugin README v0.17.1, "Updating Per-Node Configuration With a Node Label").
SHARING_CONFIG_LABEL = "nvidia.com/device-plugin.config"
#: The node label the GPU Operator's MIG manager reads (``all-<profile>``).
MIG_CONFIG_LABEL = "nvidia.com/mig.config"
#: Set on nodes of an EFA group: where the EFA device plugin runs.
EFA_LABEL = "aiops.io/efa"
#: The extended resource the EFA device plugin advertises.
EFA_RESOURCE = "vpc.amazonaws.com/efa"
#: Tag on a system node group's launch template (value ``system``): the policy rule
#: ``ec2-imdsv2-hop-limit`` allows hop limit 2 only on templates that carry it.
NODE_KIND_TAG = "aiops.io/node-kind"
#: Prefix of the ASG tags cluster-autoscaler reads to scale a group from zero.
CA_NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"
#: The type token of ``EksGpuCluster`` in 0.1.0, when it created every resource itself.
LEGACY_CLUSTER_TYPE = "aiops:eks:EksGpuCluster"
#: What CloudWatch Logs does with a log group's KMS key (the CloudWatch Logs user guide's key policy).
LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
#: An IAM role ARN (what EKS takes as a cluster or node role).
ROLE_ARN = Format(re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+"),
                  "an IAM role ARN (arn:aws:iam::<account>:role/<name>)")


def managed_policy_arn(partition: pulumi.Input[str], policy: str) -> pulumi.Output[str]:
    """The ARN of the AWS managed IAM policy ``policy`` (e.g. ``AmazonEKSClusterPolicy``)."""
    return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy)


def _resources(value: Any) -> list[pulumi.Resource]:
    if value is None:
        return []
    if isinstance(value, pulumi.Resource):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [r for r in value if isinstance(r, pulumi.Resource)]
    return []


class EksPiece(pulumi.ComponentResource):
    """Base of the EKS pieces.

    * ``depends_on`` given to a piece applies to each of its children too (a component's
      dependencies are not inherited by its children otherwise).
    * Inside an :class:`~pulumi_aiops.eks_gpu_cluster.EksGpuCluster`, the children lived directly
      under the cluster in 0.1.0 (type ``aiops:eks:EksGpuCluster``): :meth:`_opts` gives each
      child an alias whose parent is that old cluster URN, under its old name when it was renamed,
      so ``pulumi up`` after an upgrade moves them instead of replacing them.
    """

    def __init__(self, type_token: str, name: str, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(type_token, name, None, opts)
        parent = opts.parent if opts is not None else None
        # Set by EksGpuCluster on itself: the URN it had in 0.1.0.
        self._moved_from: pulumi.Output[str] | None = getattr(parent, "_legacy_urn", None)
        self._deps: list[pulumi.Resource] = _resources(opts.depends_on if opts is not None else None)

    @property
    def moved_from_legacy_cluster(self) -> bool:
        """True inside an ``EksGpuCluster`` (whose 0.1.0 children this piece now holds)."""
        return self._moved_from is not None

    def _opts(
        self,
        *,
        old_name: str | None = None,
        new: bool = False,
        depends_on: Sequence[pulumi.Resource] = (),
        **kw: Any,
    ) -> pulumi.ResourceOptions:
        """Options of a child: parent, the piece's dependencies plus ``depends_on``, and the
        0.1.0 alias (``old_name``: the child's name then, when it changed; ``new``: a child
        0.1.0 did not have, so no alias)."""
        aliases: list[pulumi.Alias] = []
        if self._moved_from is not None and not new:
            if old_name is None:
                aliases.append(pulumi.Alias(parent=self._moved_from))
            else:
                aliases.append(pulumi.Alias(name=old_name, parent=self._moved_from))
        deps = [*self._deps, *depends_on]
        return pulumi.ResourceOptions(
            parent=self, aliases=aliases or None, depends_on=deps or None, **kw
        )
