"""SageMaker Feature Store for personalisation: feature groups, online and offline, KMS-encrypted.

The offline store lives in the data lake's curated bucket under ``offline_prefix`` and is
encrypted with the lake's CMK (the lake's bucket policy refuses any other key); the online
store is encrypted with the same key through its security config. The feature store role
(assumed by SageMaker) carries what AWS's ``AmazonSageMakerFeatureStoreAccess`` managed policy
grants for the offline store, scoped to this store: writes to that prefix only (with the ACL
calls), and ``glue:GetTable``/``glue:UpdateTable`` on the ``sagemaker_featurestore`` database of
this account and region, where SageMaker registers each group's offline table.

Example (``lake`` is a :class:`~pulumi_aiops.data_lake.DataLake`)::

    import pulumi_aws as aws
    from pulumi_aiops.data_lake import DataLake
    from pulumi_aiops.feature_store import FeatureStore

    tags = {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "internal"}
    lake = DataLake("features-lake", {"source": "clickstream", "tags": tags})
    features = FeatureStore("features", {
        "feature_groups": [{"name": "user-profile", "record_identifier": "user_id",
                            "event_time": "event_time",
                            "features": [{"name": "user_id", "type": "String"},
                                         {"name": "event_time", "type": "Fractional"}]}],
        "data_lake": lake, "tags": tags,
    })
    recommender = aws.iam.Role("recommender", assume_role_policy=aws.iam.get_policy_document_output(statements=[{
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["sagemaker.amazonaws.com"]}]}]).json)
    features.grant_read(recommender)   # GetRecord / BatchGetRecord + kms:Decrypt
"""

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, InstanceOf, field_validator

from pulumi_aiops.args import FeatureStoreArgs
from pulumi_aiops.aws.formats import check_tags
from pulumi_aiops.aws.iam import statement
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.data import DataZone, FeatureStoreConfig
from pulumi_aiops.data_lake import READ_KMS_ACTIONS, DataLake, policy_json, stateful

__all__ = ["GLUE_DATABASE", "OLD_TYPE_TOKEN", "TYPE_TOKEN", "FeatureStore", "FeatureStoreArgs", "FeatureStoreArgsModel",
           "glue_table_arns"]

#: The type token Pulumi's component provider hosts this component under.
TYPE_TOKEN = "aiops:index:FeatureStore"
#: The token of 0.1.0 (an alias keeps deployed stacks' URNs).
OLD_TYPE_TOKEN = "aiops:data:FeatureStore"
#: The Glue database SageMaker creates the offline store's tables in (no ``data_catalog_config``).
GLUE_DATABASE = "sagemaker_featurestore"


def glue_table_arns(partition: pulumi.Input[str], region: pulumi.Input[str],
                    account: pulumi.Input[str]) -> list[pulumi.Output[str]]:
    """The catalog, the ``sagemaker_featurestore`` database and its tables, in this account and region
    (``AmazonSageMakerFeatureStoreAccess`` names the same three, in any account and region)."""
    base = pulumi.Output.concat("arn:", partition, ":glue:", region, ":", account, ":")
    return [pulumi.Output.concat(base, "catalog"),
            pulumi.Output.concat(base, "database/", GLUE_DATABASE),
            pulumi.Output.concat(base, "table/", GLUE_DATABASE, "/*")]


class FeatureStoreArgsModel(FeatureStoreConfig):
    """Arguments of :class:`FeatureStore`: feature groups, the data lake, tags.

    The ``featureStore`` config section, plus the data lake that holds the offline store, and
    ``tags``."""

    model_config = ConfigDict(title="FeatureStoreArgs")

    data_lake: InstanceOf[DataLake] = Field(
        description="The data lake holding the offline store (its curated bucket and key). Required.")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Governance tags for every taggable resource (over the lake's). @default {}")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)


class FeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups with encrypted online and offline stores, and their role.

    Python attributes: ``feature_groups`` (name → ``aws.sagemaker.FeatureGroup``), ``role``,
    ``kms_key`` (the lake's, ``None`` when the lake brings its key), ``config``.
    """

    offline_s3_uri: pulumi.Output[str]
    """Where the offline store writes (``s3://<curated bucket>/<offline prefix>``)."""
    role_arn: pulumi.Output[str]
    """The role SageMaker assumes to write the offline store."""
    kms_key_arn: pulumi.Output[str]
    """The key of both stores (the lake's)."""

    def __init__(self, name: str, args: FeatureStoreArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        cfg = component_args(FeatureStoreArgsModel, args, f"FeatureStore({name!r})")
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self.config: FeatureStoreArgsModel = cfg
        lake = cfg.data_lake
        self.kms_key: aws.kms.Key | None = lake.kms_key
        self.kms_key_arn = lake.kms_key_arn
        self.tags: dict[str, str] = {**lake.tags, **cfg.tags, "data-classification": lake.tags["data-classification"]}
        bucket = lake.bucket(DataZone.CURATED)
        prefix = cfg.offline_prefix
        self.offline_s3_uri = pulumi.Output.concat("s3://", bucket.bucket, "/", prefix)
        child = pulumi.ResourceOptions(parent=self)

        inv = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=inv).account_id
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region
        # Trust: the SageMaker execution-role trust of the Feature Store guide (sagemaker.amazonaws.com,
        # sts:AssumeRole). The fence is "IfExists": SageMaker's confused-deputy page lists the features
        # that send aws:SourceAccount (training, processing, inference, pipelines, …) and Feature Store
        # is not among them; a plain StringEquals on a key the request lacks would refuse the offline
        # store's AssumeRole.
        trust = policy_json([statement("Allow", "sts:AssumeRole", principal={"Service": "sagemaker.amazonaws.com"},
                                       condition={"StringEqualsIfExists": {"aws:SourceAccount": account}})])
        self.role: aws.iam.Role = aws.iam.Role(
            f"{name}-role", assume_role_policy=trust,
            description=f"SageMaker Feature Store {name}: offline store writes", tags=self.tags, opts=child)
        self.role_arn = self.role.arn
        # What AmazonSageMakerFeatureStoreAccess (AWS managed policy, v3) grants for the offline store,
        # scoped to this store's prefix, bucket and Glue database:
        # - s3:PutObject (and the offline store's reads: its s3:GetObject on "*/metadata/*" falls under
        #   the prefix, where SageMaker keeps each group's data and metadata), with the lake key;
        statements = lake.write_statements(prefix, DataZone.CURATED)
        # - s3:GetBucketAcl and s3:PutObjectAcl;
        statements.append(statement("Allow", ["s3:GetBucketAcl", "s3:PutObjectAcl"],
                                    [bucket.arn, pulumi.Output.concat(bucket.arn, "/", prefix, "*")],
                                    sid="OfflineStoreAcl"))
        # - glue:GetTable and glue:UpdateTable on the catalog, the sagemaker_featurestore database and
        #   its tables (the offline store's table of each group; disable_glue_table_creation is false).
        statements.append(statement("Allow", ["glue:GetTable", "glue:UpdateTable"],
                                    glue_table_arns(partition, region, account), sid="OfflineStoreGlueTable"))
        policy = aws.iam.RolePolicy(f"{name}-role-policy", role=self.role.name,
                                    policy=policy_json(statements), opts=child)

        self.feature_groups: dict[str, aws.sagemaker.FeatureGroup] = {}
        for g in cfg.feature_groups:
            online: Any = {"enable_online_store": True, "storage_type": "Standard",
                           "security_config": {"kms_key_id": self.kms_key_arn}}
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
                                          "kms_key_id": self.kms_key_arn},
                    "disable_glue_table_creation": False,
                },
                tags=self.tags,
                opts=stateful(self, depends_on=[policy]),
            )
        self.register_outputs({
            "featureGroupArns": {n: fg.arn for n, fg in self.feature_groups.items()},
            "roleArn": self.role_arn,
            "offlineS3Uri": self.offline_s3_uri,
        })

    def grant_read(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` read online records of every feature group (and decrypt them)."""
        rname = getattr(role, "pulumi_resource_name", None) or "role"
        return aws.iam.RolePolicy(
            f"{self._name}-read-{rname}", role=role.name,
            policy=policy_json([
                statement("Allow", ["sagemaker:GetRecord", "sagemaker:BatchGetRecord",
                                    "sagemaker:DescribeFeatureGroup"],
                          [self.feature_groups[n].arn for n in sorted(self.feature_groups)], sid="OnlineRecords"),
                statement("Allow", READ_KMS_ACTIONS, self.kms_key_arn, sid="DecryptRecords"),
            ]),
            opts=pulumi.ResourceOptions(parent=self))
