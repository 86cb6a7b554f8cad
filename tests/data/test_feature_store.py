"""FeatureStore: online + offline, encrypted with the lake key, a least-privilege role."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest
from data_helpers import TAGS, parliament_errors

from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.feature_store import FeatureStore
from pulumi_aiops.testing import ResourceGraph, run_program

GROUP = {"name": "user-profile", "record_identifier": "user_id", "event_time": "event_time",
         "online_ttl_days": 30,
         "features": [{"name": "user_id", "type": "String"},
                      {"name": "event_time", "type": "Fractional"},
                      {"name": "sessions_7d", "type": "Integral"}]}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    def program() -> None:
        lake = DataLake("lake", {"tags": TAGS})
        fs = FeatureStore("fs", {"feature_groups": [GROUP], "data_lake": lake, "tags": TAGS})
        fs.grant_read(aws.iam.Role("recommender", assume_role_policy="{}"))

    return run_program(program, {"aws:region": "us-east-1"})


def test_online_and_offline_stores_use_the_lake_key(graph: ResourceGraph) -> None:
    fg = graph.one("aws:sagemaker/featureGroup:FeatureGroup")
    key = graph.named("lake-key", "aws:kms/key:Key").outputs["arn"]
    online = fg.inputs["onlineStoreConfig"]
    assert online["enableOnlineStore"] is True
    assert online["securityConfig"]["kmsKeyId"] == key
    assert online["ttlDuration"] == {"unit": "Days", "value": 30}
    s3 = fg.inputs["offlineStoreConfig"]["s3StorageConfig"]
    assert s3["kmsKeyId"] == key
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["bucket"]
    assert s3["s3Uri"] == f"s3://{curated}/feature-store/"


def test_feature_group_definition(graph: ResourceGraph) -> None:
    fg = graph.one("aws:sagemaker/featureGroup:FeatureGroup").inputs
    assert fg["featureGroupName"] == "user-profile"
    assert fg["recordIdentifierFeatureName"] == "user_id"
    assert fg["eventTimeFeatureName"] == "event_time"
    assert {f["featureName"]: f["featureType"] for f in fg["featureDefinitions"]} == {
        "user_id": "String", "event_time": "Fractional", "sessions_7d": "Integral"}
    assert fg["tags"]["data-classification"] == "confidential"


def test_feature_group_is_protected_and_waits_for_its_policy(graph: ResourceGraph) -> None:
    fg = graph.one("aws:sagemaker/featureGroup:FeatureGroup")
    assert fg.protect and fg.retain_on_delete
    assert graph.named("fs-role-policy", "aws:iam/rolePolicy:RolePolicy").urn in fg.depends_on


def test_role_is_sagemaker_only_and_scoped_to_the_prefix(graph: ResourceGraph) -> None:
    role = graph.named("fs-role", "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    # Fenced to this account when SageMaker sends aws:SourceAccount; Feature Store is not among the
    # features SageMaker documents as sending it, and a plain StringEquals would then refuse it.
    assert trust["Condition"] == {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}
    assert graph.one("aws:sagemaker/featureGroup:FeatureGroup").inputs["roleArn"] == role.outputs["arn"]
    doc = json.loads(graph.named("fs-role-policy", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["arn"]
    writes = next(s for s in doc["Statement"] if s["Sid"] == "WriteObjects")
    assert writes["Resource"] == f"{curated}/feature-store/*"
    kms = next(s for s in doc["Statement"] if s["Sid"] == "UseLakeKey")
    assert "kms:GenerateDataKey" in kms["Action"]


def test_grant_read_online_records(graph: ResourceGraph) -> None:
    doc = json.loads(graph.named("fs-read-recommender", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert "sagemaker:GetRecord" in by_sid["OnlineRecords"]["Action"]
    assert by_sid["OnlineRecords"]["Resource"] == [
        graph.one("aws:sagemaker/featureGroup:FeatureGroup").outputs["arn"]]
    assert "kms:Decrypt" in by_sid["DecryptRecords"]["Action"]


def test_policies_pass_parliament(graph: ResourceGraph) -> None:
    for name in ("fs-role-policy", "fs-read-recommender"):
        doc = json.loads(graph.named(name, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
        assert not parliament_errors(doc), name


def test_role_reads_and_updates_only_the_offline_stores_glue_tables(graph: ResourceGraph) -> None:
    """What AmazonSageMakerFeatureStoreAccess grants for Glue, scoped to this account and region."""
    doc = json.loads(graph.named("fs-role-policy", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    glue = [s for s in doc["Statement"] if any(str(a).startswith("glue:") for a in _as_list(s["Action"]))]
    assert len(glue) == 1, glue
    (st,) = glue
    assert st["Effect"] == "Allow" and "Condition" not in st
    assert sorted(_as_list(st["Action"])) == ["glue:GetTable", "glue:UpdateTable"]
    base = "arn:aws:glue:us-east-1:123456789012:"
    assert sorted(_as_list(st["Resource"])) == sorted([
        f"{base}catalog", f"{base}database/sagemaker_featurestore", f"{base}table/sagemaker_featurestore/*"])
    # The S3 half of the managed policy: object writes and the ACL calls, on the offline prefix only.
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["arn"]
    assert "s3:PutObject" in by_sid["WriteObjects"]["Action"]
    assert sorted(by_sid["OfflineStoreAcl"]["Action"]) == ["s3:GetBucketAcl", "s3:PutObjectAcl"]
    assert by_sid["OfflineStoreAcl"]["Resource"] == [curated, f"{curated}/feature-store/*"]
    assert not parliament_errors(doc)


def _as_list(v: object) -> list[object]:
    return v if isinstance(v, list) else [v]
