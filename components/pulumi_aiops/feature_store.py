"""SageMaker Feature Store for personalisation: feature groups, online and offline, KMS-encrypted.

The offline store lives in the data lake's curated bucket under ``offline_prefix`` and is
encrypted with the lake's CMK (the lake's bucket policy refuses any other key); the online
store is encrypted with the same key through its security config. The feature store role
(assumed by SageMaker, fenced by ``aws:SourceAccount``) may write only that prefix.

Example::

    fs = FeatureStore("features", {
        "feature_groups": [{"name": "user-profile", "record_identifier": "user_id",
                            "event_time": "event_time",
                            "features": [{"name": "user_id", "type": "String"},
                                         {"name": "event_time", "type": "Fractional"}]}],
        "data_lake": lake, "tags": platform.tags(),
    })
    fs.grant_read(recommender_role)   # GetRecord / BatchGetRecord + kms:Decrypt
"""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.data import DataZone, FeatureStoreConfig
from pulumi_aiops.data_lake import READ_KMS_ACTIONS, DataLake, policy_json, stateful
from pulumi_aiops.errors import ConfigError

__all__ = ["FeatureStore", "FeatureStoreArgs"]


class FeatureStoreArgs(TypedDict, total=False):
    """Arguments of :class:`FeatureStore` (the ``featureStore`` config section plus wiring)."""

    feature_groups: list[dict[str, Any]]
    """Feature groups: ``name``, ``record_identifier``, ``event_time``, ``features``
    ([{name, type}]), ``online_ttl_days``, ``description``. Required."""
    offline_prefix: str
    """Prefix of the offline store in the curated bucket. @default feature-store/"""
    data_lake: DataLake
    """The data lake holding the offline store (its curated bucket and key). Required."""
    tags: dict[str, str]
    """Governance tags for every taggable resource. @default {}"""


class FeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups with encrypted online and offline stores, and their role.

    Attributes: ``feature_groups`` (name → ``aws.sagemaker.FeatureGroup``), ``role``,
    ``kms_key`` (the lake's), ``offline_s3_uri``, ``config``.
    """

    feature_groups: dict[str, aws.sagemaker.FeatureGroup]
    role: aws.iam.Role
    kms_key: aws.kms.Key
    config: FeatureStoreConfig

    def __init__(self, name: str, args: FeatureStoreArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        raw: dict[str, Any] = dict(args)
        lake = raw.pop("data_lake", None)
        tags: dict[str, str] = dict(raw.pop("tags", None) or {})
        where = f"FeatureStoreArgs({name!r})"
        cfg = validate_model(FeatureStoreConfig, raw, where)
        if not isinstance(lake, DataLake):
            raise ConfigError(f"{where}.data_lake: {lake!r} is not allowed; the offline store needs "
                              "a DataLake (configure aiops:platform.dataLake)")
        super().__init__("aiops:data:FeatureStore", name, {}, opts)
        self.config = cfg
        self.kms_key = lake.kms_key
        self.tags = {**lake.tags, **tags, "data-classification": lake.tags["data-classification"]}
        bucket = lake.bucket(DataZone.CURATED)
        prefix = cfg.offline_prefix
        self.offline_s3_uri = bucket.bucket.apply(lambda b: f"s3://{b}/{prefix}")
        child = pulumi.ResourceOptions(parent=self)

        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        trust = policy_json([{
            "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": account}}}])
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=trust,
                                 description=f"SageMaker Feature Store {name}: offline store writes",
                                 tags=self.tags, opts=child)
        statements = lake.write_statements(prefix, DataZone.CURATED)
        statements.append({"Sid": "OfflineStoreAcl", "Effect": "Allow",
                           "Action": ["s3:GetBucketAcl", "s3:PutObjectAcl"],
                           "Resource": [bucket.arn, bucket.arn.apply(lambda a: f"{a}/{prefix}*")]})
        policy = aws.iam.RolePolicy(f"{name}-role-policy", role=self.role.name,
                                    policy=policy_json(statements), opts=child)

        self.feature_groups = {}
        for g in cfg.feature_groups:
            online: Any = {"enable_online_store": True, "storage_type": "Standard",
                                      "security_config": {"kms_key_id": self.kms_key.arn}}
            if g.online_ttl_days:
                online["ttl_duration"] = {"unit": "Days", "value": g.online_ttl_days}
            self.feature_groups[g.name] = aws.sagemaker.FeatureGroup(
                f"{name}-{g.name}",
                feature_group_name=g.name,
                description=g.description or f"pulumi-aiops feature group {g.name}",
                record_identifier_feature_name=g.record_identifier,
                event_time_feature_name=g.event_time,
                feature_definitions=[{"feature_name": f.name, "feature_type": f.type.value}
                                     for f in g.features],
                role_arn=self.role.arn,
                online_store_config=online,
                offline_store_config={
                    "s3_storage_config": {"s3_uri": self.offline_s3_uri,
                                          "kms_key_id": self.kms_key.arn},
                    "disable_glue_table_creation": False,
                },
                tags=self.tags,
                opts=stateful(self, depends_on=[policy]),
            )
        self.register_outputs({
            "featureGroupArns": {n: fg.arn for n, fg in self.feature_groups.items()},
            "roleArn": self.role.arn,
            "offlineS3Uri": self.offline_s3_uri,
        })

    def grant_read(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` read online records of every feature group (and decrypt them)."""
        rname = getattr(role, "pulumi_resource_name", None) or "role"
        return aws.iam.RolePolicy(
            f"{self._name}-read-{rname}", role=role.name,
            policy=policy_json([
                {"Sid": "OnlineRecords", "Effect": "Allow",
                 "Action": ["sagemaker:GetRecord", "sagemaker:BatchGetRecord",
                            "sagemaker:DescribeFeatureGroup"],
                 "Resource": [fg.arn for fg in self.feature_groups.values()]},
                {"Sid": "DecryptRecords", "Effect": "Allow", "Action": READ_KMS_ACTIONS,
                 "Resource": self.kms_key.arn},
            ]),
            opts=pulumi.ResourceOptions(parent=self))
