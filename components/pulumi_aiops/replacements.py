"""Which input changes replace a resource instead of updating it: the one table ``aiops plan --diff`` reads.

The engine replaces a resource when its provider says a changed input cannot be updated in place
(``ForceNew`` in the Terraform schema that pulumi-aws and pulumi-coreweave bridge,
``RequiresReplace`` in the plugin framework), or when the resource's own ``replaceOnChanges``
option names the input. Offline there is no provider to ask, so this module states it for the
resources the library creates, each rule with the provider source it was read from. A change
the table does not know is shown as an update: the table is a floor, not a promise; ``pulumi
preview`` with the real provider has the last word.

Paths use the engine's camelCase input names, ``.`` between keys and ``[i]`` for list items,
as :mod:`pulumi_aiops.plan_format` writes them. A rule's ``path`` covers that input and
everything under it. ``when`` narrows a rule: ``"changed"`` (any change), ``"downgrade"`` (a
version string that goes down), ``"removed"`` (the input was set and is now absent).

Example::

    from pulumi_aiops.replacements import replacement_rule
    rule = replacement_rule("aws:eks/nodeGroup:NodeGroup", "instanceTypes[0]",
                            {"instanceTypes": ["g6.xlarge"]}, {"instanceTypes": ["g6.2xlarge"]})
    rule.reason   # "instance_types is ForceNew: EKS cannot change a node group's instance types in place"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["RULES", "ReplacementRule", "path_covers", "replacement_rule"]

# Sources: the schema files of the Terraform AWS provider that pulumi-aws 7.x bridges
# (hashicorp/terraform-provider-aws, read 2026-11-30), and the AWS documentation named per rule.
_TF = "hashicorp/terraform-provider-aws internal/service/"


@dataclass(frozen=True)
class ReplacementRule:
    """One input of one resource type whose change replaces the resource."""

    type: str
    path: str
    reason: str
    source: str
    when: str = "changed"  # "changed" | "downgrade" | "removed"

    def applies(self, old: Any, new: Any) -> bool:
        """Whether the change ``old`` → ``new`` of the input this rule covers triggers it."""
        if self.when == "removed":
            return old not in (None, [], {}) and new in (None, [], {})
        if self.when == "downgrade":
            o, n = _version(old), _version(new)
            return o is not None and n is not None and n < o
        return old != new


def _version(v: Any) -> tuple[int, ...] | None:
    if not isinstance(v, str):
        return None
    nums = re.findall(r"\d+", v)
    return tuple(int(x) for x in nums) if nums else None


def _r(type_: str, path: str, reason: str, source: str, when: str = "changed") -> ReplacementRule:
    return ReplacementRule(type_, path, reason, source, when)


_EKS = "aws:eks/cluster:Cluster"
_NG = "aws:eks/nodeGroup:NodeGroup"

#: Every rule, grouped by resource type. Add a rule only with the provider source it comes from.
RULES: tuple[ReplacementRule, ...] = (
    # EKS cluster (eks/cluster.go)
    _r(_EKS, "name", "name is ForceNew: a renamed EKS cluster is a new cluster", _TF + "eks/cluster.go"),
    _r(_EKS, "roleArn", "role_arn is ForceNew", _TF + "eks/cluster.go"),
    _r(_EKS, "version", "EKS cannot downgrade a cluster's Kubernetes version in place (\"Once you upgrade a "
       "cluster, you can't downgrade to a previous version\"): the update fails, only a new cluster goes back",
       "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html", when="downgrade"),
    _r(_EKS, "encryptionConfig", "encryption_config cannot be removed once set (ForceNewIfChange: envelope "
       "encryption is irreversible)", _TF + "eks/cluster.go", when="removed"),
    _r(_EKS, "kubernetesNetworkConfig.serviceIpv4Cidr", "service_ipv4_cidr is ForceNew", _TF + "eks/cluster.go"),
    _r(_EKS, "kubernetesNetworkConfig.ipFamily", "ip_family is ForceNew", _TF + "eks/cluster.go"),
    _r(_EKS, "accessConfig.bootstrapClusterCreatorAdminPermissions",
       "bootstrap_cluster_creator_admin_permissions is ForceNew", _TF + "eks/cluster.go"),
    _r(_EKS, "bootstrapSelfManagedAddons", "bootstrap_self_managed_addons is ForceNew", _TF + "eks/cluster.go"),
    # EKS managed node group (eks/node_group.go)
    _r(_NG, "instanceTypes", "instance_types is ForceNew: EKS cannot change a node group's instance types in place",
       _TF + "eks/node_group.go"),
    _r(_NG, "amiType", "ami_type is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "capacityType", "capacity_type is ForceNew (ON_DEMAND, SPOT, CAPACITY_BLOCK)", _TF + "eks/node_group.go"),
    _r(_NG, "clusterName", "cluster_name is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "diskSize", "disk_size is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "nodeGroupName", "node_group_name is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "nodeGroupNamePrefix", "node_group_name_prefix is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "nodeRoleArn", "node_role_arn is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "subnetIds", "subnet_ids is ForceNew: a node group cannot move to other subnets in place",
       _TF + "eks/node_group.go"),
    _r(_NG, "remoteAccess", "remote_access is ForceNew", _TF + "eks/node_group.go"),
    _r(_NG, "launchTemplate.id", "launch_template.id is ForceNew (a new version of the same template updates "
       "in place)", _TF + "eks/node_group.go"),
    _r(_NG, "launchTemplate.name", "launch_template.name is ForceNew", _TF + "eks/node_group.go"),
    # S3 buckets (s3/bucket.go): the name is the bucket's identity
    _r("aws:s3/bucket:Bucket", "bucket", "bucket (the name) is ForceNew: S3 cannot rename a bucket",
       _TF + "s3/bucket.go"),
    _r("aws:s3/bucket:Bucket", "bucketPrefix", "bucket_prefix is ForceNew", _TF + "s3/bucket.go"),
    _r("aws:s3/bucket:Bucket", "objectLockEnabled", "object_lock_enabled is ForceNew", _TF + "s3/bucket.go"),
    _r("aws:s3/bucketV2:BucketV2", "bucket", "bucket (the name) is ForceNew: S3 cannot rename a bucket",
       _TF + "s3/bucket.go"),
    # KMS keys (kms/key.go)
    _r("aws:kms/key:Key", "customerMasterKeySpec", "customer_master_key_spec is ForceNew: a key's spec is fixed "
       "at creation", _TF + "kms/key.go"),
    _r("aws:kms/key:Key", "keyUsage", "key_usage is ForceNew", _TF + "kms/key.go"),
    _r("aws:kms/key:Key", "multiRegion", "multi_region is ForceNew", _TF + "kms/key.go"),
    _r("aws:kms/key:Key", "customKeyStoreId", "custom_key_store_id is ForceNew", _TF + "kms/key.go"),
    # Subnets (ec2/vpc_subnet.go)
    _r("aws:ec2/subnet:Subnet", "cidrBlock", "cidr_block is ForceNew: a subnet's CIDR is fixed",
       _TF + "ec2/vpc_subnet.go"),
    _r("aws:ec2/subnet:Subnet", "availabilityZone", "availability_zone is ForceNew: a subnet cannot move AZ",
       _TF + "ec2/vpc_subnet.go"),
    _r("aws:ec2/subnet:Subnet", "availabilityZoneId", "availability_zone_id is ForceNew", _TF + "ec2/vpc_subnet.go"),
    _r("aws:ec2/subnet:Subnet", "vpcId", "vpc_id is ForceNew", _TF + "ec2/vpc_subnet.go"),
    # Aurora (rds/cluster.go)
    _r("aws:rds/cluster:Cluster", "engine", "engine is ForceNew: a cluster cannot change engine in place",
       _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "engineMode", "engine_mode is ForceNew", _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "clusterIdentifier", "cluster_identifier is ForceNew", _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "clusterIdentifierPrefix", "cluster_identifier_prefix is ForceNew",
       _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "databaseName", "database_name is ForceNew", _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "masterUsername", "master_username is ForceNew", _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "kmsKeyId", "kms_key_id is ForceNew: storage encryption keys are fixed",
       _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "dbSubnetGroupName", "db_subnet_group_name is ForceNew", _TF + "rds/cluster.go"),
    _r("aws:rds/cluster:Cluster", "availabilityZones", "availability_zones is ForceNew", _TF + "rds/cluster.go"),
    # OpenSearch Serverless (opensearchserverless/collection.go, plugin framework RequiresReplace)
    _r("aws:opensearch/serverlessCollection:ServerlessCollection", "name",
       "name has RequiresReplace: a renamed collection is a new, empty collection",
       _TF + "opensearchserverless/collection.go"),
    _r("aws:opensearch/serverlessCollection:ServerlessCollection", "type",
       "type has RequiresReplace (SEARCH, TIMESERIES, VECTORSEARCH)", _TF + "opensearchserverless/collection.go"),
    _r("aws:opensearch/serverlessCollection:ServerlessCollection", "standbyReplicas",
       "standby_replicas has RequiresReplace", _TF + "opensearchserverless/collection.go"),
)

_BY_TYPE: dict[str, list[ReplacementRule]] = {}
for _rule in RULES:
    _BY_TYPE.setdefault(_rule.type, []).append(_rule)


def path_covers(prefix: str, path: str) -> bool:
    """Whether the input path ``prefix`` is ``path`` or one of its ancestors
    (``scalingConfig`` covers ``scalingConfig.maxSize``; ``tags`` covers ``tags["owner"]``)."""
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def replacement_rule(type_: str, path: str, old_inputs: Any, new_inputs: Any) -> ReplacementRule | None:
    """The rule that makes a change at ``path`` of a ``type_`` resource a replacement, or ``None``.

    ``old_inputs``/``new_inputs`` are the resource's whole inputs before and after (a rule on a
    parent path compares the values at its own path).
    """
    from pulumi_aiops.plan_format import MISSING, get_path

    for rule in _BY_TYPE.get(type_, ()):
        if path_covers(rule.path, path) or path_covers(path, rule.path):
            old, new = get_path(old_inputs, rule.path), get_path(new_inputs, rule.path)
            if rule.applies(None if old is MISSING else old, None if new is MISSING else new):
                return rule
    return None
