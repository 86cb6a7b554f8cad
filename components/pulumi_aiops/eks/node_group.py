"""EKS managed node groups, each with a hardened launch template: ``GpuNodeGroup`` and
``SystemNodeGroup``.

Both work on any EKS cluster: the one an :class:`~pulumi_aiops.eks.control_plane.EksControlPlane`
creates, or one a team already runs (give its name, a node role and subnets, as values or
outputs; like pulumi-eks's ``ManagedNodeGroup(cluster=…)``, but with plain wiring values so it is
usable from any language). Every launch template requires IMDSv2 and an encrypted gp3 root
volume. GPU nodes get a hop limit of 1, so no pod reaches the node's credentials; system nodes 2
(``metadataHopLimit``), so the EBS CSI node driver can read instance metadata (with Kubernetes
metadata instead it assumes one ENI and one volume attached when it computes the node's volume
limit: aws-ebs-csi-driver ``docs/install.md``, "Metadata"); their launch template carries the tag
``aiops.io/node-kind=system`` that the ``ec2-imdsv2-hop-limit`` policy reads.

A GPU group runs an NVIDIA AMI, carries the ``nvidia.com/gpu=true:NoSchedule`` taint and the
``nvidia.com/gpu.present=true`` label, buys ON_DEMAND, SPOT or CAPACITY_BLOCK capacity (the
instance type and reservation then live in the launch template), and can scale to zero: with
cluster-autoscaler, a group whose ``minSize`` is 0 gets the ASG ``node-template`` tags that tell
the autoscaler what a node would look like (GPU count, labels, taint). Each tag is named by its
key, so adding a label renames no other.

Example, on a cluster the program already has::

    from pulumi_aiops.eks import GpuNodeGroup

    GpuNodeGroup("research-l4", {
        "name": "l4", "instance_type": "g6.xlarge", "capacity_type": "SPOT", "max_size": 4,
        "cluster_name": cluster.name, "node_role_arn": node_role.arn,
        "subnet_ids": [subnet_a.id, subnet_b.id],
        "tags": {"owner": "research", "cost-center": "cc-77", "data-classification": "internal"},
    })
"""

import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.args import GpuNodeGroupArgs, SystemNodeGroupArgs
from pulumi_aiops.aws.formats import SUBNET_ID, checked, checked_list
from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.eks import GPU_HOP_LIMIT, Autoscaler, EksCapacityType, GpuNodeGroupConfig
from pulumi_aiops.config.eks_pieces import GpuNodeGroupPieceConfig, SystemNodeGroupPieceConfig
from pulumi_aiops.config.gpu_nodes import (
    EFA_INTERFACES,
    GpuSharingConfig,
    LocalStorage,
    device_plugin_config_name,
    nodeadm_local_storage_user_data,
    pool_sharing,
)
from pulumi_aiops.contract import GPU_TAINT_KEY
from pulumi_aiops.eks._common import (
    CA_NODE_TEMPLATE,
    DEVICE_PLUGIN_LABEL,
    EFA_LABEL,
    EFA_RESOURCE,
    GPU_NODE_LABEL,
    MIG_CONFIG_LABEL,
    NODE_KIND_TAG,
    POOL_LABEL,
    ROLE_ARN,
    SHARING_CONFIG_LABEL,
    EksPiece,
)
from pulumi_aiops.errors import ConfigError

__all__ = [
    "GPU_TYPE_TOKEN",
    "SYSTEM_TYPE_TOKEN",
    "GpuNodeGroup",
    "GpuNodeGroupArgs",
    "SystemNodeGroup",
    "SystemNodeGroupArgs",
    "gpu_labels",
    "node_template_tags",
]

GPU_TYPE_TOKEN = "aiops:index:GpuNodeGroup"
SYSTEM_TYPE_TOKEN = "aiops:index:SystemNodeGroup"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def gpu_labels(g: GpuNodeGroupConfig, sharing: GpuSharingConfig | None = None) -> dict[str, str]:
    """The node labels of a GPU group: its own, the GPU label, its pool, the device-plugin switch,
    and (serving) the GPU-sharing configuration it selects and its EFA marker."""
    labels = {**g.labels, GPU_NODE_LABEL: "true", POOL_LABEL: g.name}
    if not g.ami_type.value.startswith("BOTTLEROCKET"):
        labels[DEVICE_PLUGIN_LABEL] = "daemonset"
    if sharing is not None and sharing.time_slicing is not None:
        labels[SHARING_CONFIG_LABEL] = device_plugin_config_name(sharing)
    elif sharing is not None and sharing.mig is not None:
        labels[MIG_CONFIG_LABEL] = f"all-{sharing.mig.profile}"
    if g.efa:
        labels[EFA_LABEL] = "true"
    return labels


def node_template_tags(g: GpuNodeGroupConfig, sharing: GpuSharingConfig | None = None) -> dict[str, str]:
    """The ASG tags cluster-autoscaler reads to scale ``g`` from zero: what a node would look like
    (its ``nvidia.com/gpu`` count is GPUs × slices when the GPUs are shared, so the autoscaler and
    the scheduler agree on how many pods a new node takes)."""
    template = {f"{CA_NODE_TEMPLATE}/label/{k}": v for k, v in gpu_labels(g, sharing).items()}
    template[f"{CA_NODE_TEMPLATE}/taint/{GPU_TAINT_KEY}"] = "true:NoSchedule"
    spec = resolve(Cloud.AWS, g.instance_type, g.gpu_spec)
    _, slices, _ = pool_sharing(sharing, spec.gpu_model, spec.gpu_memory_gib)
    template[f"{CA_NODE_TEMPLATE}/resources/nvidia.com/gpu"] = str(spec.gpu_count * slices)
    if g.efa:
        template[f"{CA_NODE_TEMPLATE}/resources/{EFA_RESOURCE}"] = str(EFA_INTERFACES[g.instance_type])
    return template


def efa_network_interfaces(instance_type: str, security_group_ids: list[Any]) -> list[dict[str, Any]]:
    """One EFA interface per network card of ``instance_type`` (EC2's MaximumEfaInterfaces): device
    index 0 on card 0, 1 on the others, as terraform-aws-eks's ``enable_efa_support`` builds them."""
    return [{"network_card_index": i, "device_index": 0 if i == 0 else 1, "interface_type": "efa",
             "delete_on_termination": "true", "associate_public_ip_address": "false",
             "security_groups": list(security_group_ids)}
            for i in range(EFA_INTERFACES[instance_type])]


def _tag_slug(key: str) -> str:
    """The stable part of a node-template tag's child name: its key, prefix dropped, '/' as '-'."""
    return _UNSAFE.sub("-", key.removeprefix(f"{CA_NODE_TEMPLATE}/"))


def _template_names(name: str, template: Mapping[str, str]) -> dict[str, str]:
    """Tag key → child name; an error (before anything is registered) if two keys collide."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for k in template:
        slug = _tag_slug(k)
        if slug in seen:
            raise ConfigError(
                f"GpuNodeGroup({name!r}).labels: {seen[slug]!r} and {k!r} name the same autoscaler tag "
                f"child ({slug!r}); rename one of the labels"
            )
        seen[slug] = k
        names[k] = f"{name}-ca-{slug}"
    return names


class _ManagedGroup(EksPiece):
    """A launch template and an EKS managed node group using it."""

    def _group(
        self,
        name: str,
        short: str,
        cfg: GpuNodeGroupPieceConfig | SystemNodeGroupPieceConfig,
        *,
        ami_type: str,
        root_volume_gib: int,
        hop_limit: int,
        lt_tags: dict[str, str] | None = None,
        lt_extra: dict[str, Any] | None = None,
        **group: Any,
    ) -> tuple[aws.ec2.LaunchTemplate, aws.eks.NodeGroup]:
        tags = dict(cfg.tags)
        # Bottlerocket keeps images and data on its second volume; AL2023 on the root volume.
        device = "/dev/xvdb" if ami_type.startswith("BOTTLEROCKET") else "/dev/xvda"
        node_tags: dict[str, pulumi.Input[str]] = {**tags, "Name": pulumi.Output.concat(cfg.cluster_name, "-", short)}
        lt = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=pulumi.Output.concat("EKS ", cfg.cluster_name, " node group ", short),
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": hop_limit,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": device,
                    "ebs": {
                        "volume_size": root_volume_gib,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": rt, "tags": node_tags} for rt in ("instance", "volume", "network-interface")
            ],
            tags={**tags, **(lt_tags or {})},
            opts=self._opts(),
            **(lt_extra or {}),
        )
        ignore = ["scalingConfig.desiredSize"] if cfg.autoscaler is not Autoscaler.NONE else []
        where = f"{type(self).__name__}({name!r})"  # outputs are checked once known
        ng = aws.eks.NodeGroup(
            name,
            cluster_name=cfg.cluster_name,
            node_role_arn=checked(cfg.node_role_arn, ROLE_ARN, f"{where}.nodeRoleArn"),
            subnet_ids=checked_list(cfg.subnet_ids, SUBNET_ID, f"{where}.subnetIds"),
            launch_template={"id": lt.id, "version": lt.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            ami_type=ami_type,
            tags=tags,
            opts=self._opts(ignore_changes=ignore),
            **group,
        )
        return lt, ng

    def _outputs(self, lt: aws.ec2.LaunchTemplate, ng: aws.eks.NodeGroup) -> None:
        self.launch_template = lt
        self.node_group = ng
        self.node_group_name = ng.node_group_name
        self.node_group_arn = ng.arn
        self.launch_template_id = lt.id
        self.register_outputs({
            "nodeGroupName": self.node_group_name,
            "nodeGroupArn": self.node_group_arn,
            "launchTemplateId": self.launch_template_id,
        })


class GpuNodeGroup(_ManagedGroup):
    """A GPU managed node group (NVIDIA AMI, GPU taint, scale to zero) on an EKS cluster.

    See the module docstring for what it sets and an example.
    """

    node_group_name: pulumi.Output[str]
    node_group_arn: pulumi.Output[str]
    launch_template_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: GpuNodeGroupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        g = component_args(GpuNodeGroupPieceConfig, raw, f"GpuNodeGroup({name!r})")
        scale_from_zero = g.autoscaler is Autoscaler.CLUSTER_AUTOSCALER and g.min_size == 0
        template = node_template_tags(g, g.gpu_sharing) if scale_from_zero else {}
        tag_names = _template_names(name, template)
        super().__init__(GPU_TYPE_TOKEN, name, opts)
        self.config = g
        self.labels = gpu_labels(g, g.gpu_sharing)

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
        # Serving: EFA interfaces in a cluster placement group (multi-node models), the instance store
        # under the kubelet (per-node weight caches). New children only; nothing changes without them.
        self.placement_group: aws.ec2.PlacementGroup | None = None
        if g.efa:
            self.placement_group = aws.ec2.PlacementGroup(
                f"{name}-pg", strategy="cluster", tags=dict(g.tags), opts=self._opts(new=True))
            extra["placement"] = {"group_name": self.placement_group.name}
            extra["network_interfaces"] = efa_network_interfaces(g.instance_type, list(g.security_group_ids))
        if g.local_storage is LocalStorage.RAID0:
            extra["user_data"] = nodeadm_local_storage_user_data()
        lt, ng = self._group(
            name,
            f"gpu-{g.name}",
            g,
            ami_type=g.ami_type.value,
            root_volume_gib=g.root_volume_gib,
            hop_limit=GPU_HOP_LIMIT,
            lt_extra=extra,
            capacity_type=g.capacity_type.value,
            instance_types=None if cb else [g.instance_type],
            scaling_config={"min_size": g.min_size, "max_size": g.max_size, "desired_size": g.desired},
            labels=self.labels,
            taints=[{"key": GPU_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"}],
        )

        # Scale from zero: tell cluster-autoscaler what a node of this group looks like. Groups
        # that never reach zero always have a live node for it to copy, so they need no template.
        self.node_template_tags: list[aws.autoscaling.Tag] = []
        if template:
            asg = ng.resources.apply(lambda rs: rs[0].autoscaling_groups[0].name)  # type: ignore[index]
            for j, (k, v) in enumerate(sorted(template.items())):
                self.node_template_tags.append(aws.autoscaling.Tag(
                    tag_names[k],
                    autoscaling_group_name=asg,
                    tag={"key": k, "value": v, "propagate_at_launch": False},
                    opts=self._opts(old_name=f"{name}-ca-{j}"),  # 0.1.0: by position in sorted keys
                ))
        self._outputs(lt, ng)


class SystemNodeGroup(_ManagedGroup):
    """The CPU node group for cluster add-ons (CoreDNS, the autoscaler, controllers).

    Example::

        SystemNodeGroup("ml-system", {"cluster_name": cp.cluster_name, "node_role_arn": cp.node_role_arn,
                                      "subnet_ids": vpc.private_subnet_ids, "instance_type": "m6i.large"},
                        opts=pulumi.ResourceOptions(depends_on=cp.compute_dependencies))
    """

    node_group_name: pulumi.Output[str]
    node_group_arn: pulumi.Output[str]
    launch_template_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: SystemNodeGroupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        s = component_args(SystemNodeGroupPieceConfig, raw, f"SystemNodeGroup({name!r})")
        super().__init__(SYSTEM_TYPE_TOKEN, name, opts)
        self.config = s
        lt, ng = self._group(
            name,
            "system",
            s,
            ami_type=s.ami_type.value,
            root_volume_gib=s.root_volume_gib,
            # An in-place update: a new launch-template version, which EKS rolls out node by node.
            hop_limit=s.metadata_hop_limit,
            lt_tags={NODE_KIND_TAG: "system"},
            capacity_type="ON_DEMAND",
            instance_types=[s.instance_type],
            scaling_config={
                "min_size": s.min_size,
                "max_size": s.max_size,
                "desired_size": s.min_size if s.desired_size is None else s.desired_size,
            },
            labels={POOL_LABEL: "system"},
        )
        self._outputs(lt, ng)
