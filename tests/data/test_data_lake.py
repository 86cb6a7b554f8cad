"""DataLake: encryption with the CMK, public access block, TLS/KMS deny policy, versioning,
logging, lifecycle, object lock, governance tags, and grants that include the KMS key."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws
import pytest
from data_helpers import TAGS, parliament_errors

from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.testing import ResourceGraph, run_program

LAKE_ARGS: dict[str, Any] = {
    "classification": "phi",
    "source": "clinical-notes",
    "retention_days": 3650,
    "audit": {"object_lock": "compliance", "retention_days": 2555},
    "teams": [{"name": "search", "prefixes": ["text/", "images/"], "access": "read"},
              {"name": "ingest", "zone": "raw", "prefixes": ["audio/"], "access": "write",
               "trusted_principals": ["arn:aws:iam::123456789012:role/ingest-ci"]}],
    "tags": TAGS,
}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    def program() -> None:
        lake = DataLake("lake", dict(LAKE_ARGS))  # type: ignore[arg-type]
        reader = aws.iam.Role("reader", assume_role_policy="{}")
        writer = aws.iam.Role("writer", assume_role_policy="{}")
        lake.grant_read(reader, prefix="text/tickets/")
        lake.grant_write(writer, prefix="video/", zone="raw")

    return run_program(program, {"aws:region": "us-east-1"})


def _key(graph: ResourceGraph) -> Any:
    return graph.named("lake-key", "aws:kms/key:Key")


def _data_buckets(graph: ResourceGraph) -> list[Any]:
    return [graph.named(f"lake-{z}", "aws:s3/bucket:Bucket") for z in ("raw", "curated", "audit")]


def _by_bucket(graph: ResourceGraph, type_: str) -> dict[str, Any]:
    return {r.inputs["bucket"]: r for r in graph.of_type(type_)}


def test_kms_key_rotates_and_is_retained(graph: ResourceGraph) -> None:
    key = _key(graph)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    assert key.protect and key.retain_on_delete


def test_every_data_bucket_uses_the_cmk_with_bucket_key(graph: ResourceGraph) -> None:
    sse = _by_bucket(graph, "aws:s3/bucketServerSideEncryptionConfiguration:"
                            "BucketServerSideEncryptionConfiguration")
    key_arn = _key(graph).outputs["arn"]
    for b in _data_buckets(graph):
        rule = sse[b.outputs["bucket"]].inputs["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"] == {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn}
        assert rule["bucketKeyEnabled"] is True


def test_public_access_block_all_true_on_every_bucket(graph: ResourceGraph) -> None:
    pabs = _by_bucket(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    buckets = graph.of_type("aws:s3/bucket:Bucket")
    assert len(buckets) == 4  # raw, curated, audit, logs
    for b in buckets:
        pab = pabs[b.outputs["bucket"]].inputs
        assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                            "ignorePublicAcls", "restrictPublicBuckets")), b.name


def test_versioning_enabled_everywhere(graph: ResourceGraph) -> None:
    vers = _by_bucket(graph, "aws:s3/bucketVersioning:BucketVersioning")
    for b in graph.of_type("aws:s3/bucket:Bucket"):
        assert vers[b.outputs["bucket"]].inputs["versioningConfiguration"]["status"] == "Enabled"


def test_bucket_policies_deny_non_tls_and_foreign_keys(graph: ResourceGraph) -> None:
    policies = _by_bucket(graph, "aws:s3/bucketPolicy:BucketPolicy")
    key_arn = _key(graph).outputs["arn"]
    for b in graph.of_type("aws:s3/bucket:Bucket"):
        doc = json.loads(policies[b.outputs["bucket"]].inputs["policy"])
        tls = [s for s in doc["Statement"] if s["Effect"] == "Deny"
               and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
        assert tls and tls[0]["Action"] == "s3:*" and tls[0]["Principal"] == "*", b.name
        if b.name == "lake-logs":
            continue
        kms = {s["Sid"]: s for s in doc["Statement"]}
        assert kms["DenyNonKmsUploads"]["Condition"]["StringNotEquals"] == {
            "s3:x-amz-server-side-encryption": "aws:kms"}
        assert kms["DenyOtherKmsKeys"]["Condition"]["StringNotEquals"] == {
            "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}


def test_access_logging_to_the_log_bucket(graph: ResourceGraph) -> None:
    logs = graph.named("lake-logs", "aws:s3/bucket:Bucket").outputs["bucket"]
    logging = _by_bucket(graph, "aws:s3/bucketLogging:BucketLogging")
    for b in _data_buckets(graph):
        assert logging[b.outputs["bucket"]].inputs["targetBucket"] == logs
    policy = json.loads(_by_bucket(graph, "aws:s3/bucketPolicy:BucketPolicy")[logs].inputs["policy"])
    allow = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_lifecycle_tiers_and_noncurrent_expiry(graph: ResourceGraph) -> None:
    lc = _by_bucket(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    raw = graph.named("lake-raw", "aws:s3/bucket:Bucket").outputs["bucket"]
    rule = lc[raw].inputs["rules"][0]
    assert [(t["storageClass"], t["days"]) for t in rule["transitions"]] == [
        ("STANDARD_IA", 30), ("GLACIER_IR", 90)]
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 90


def test_audit_bucket_is_object_locked(graph: ResourceGraph) -> None:
    audit = graph.named("lake-audit", "aws:s3/bucket:Bucket")
    assert audit.inputs["objectLockEnabled"] is True
    lock = graph.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["bucket"] == audit.outputs["bucket"]
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 2555}
    assert graph.named("lake-raw", "aws:s3/bucket:Bucket").inputs.get("objectLockEnabled") is not True


def test_buckets_and_key_protected_and_retained(graph: ResourceGraph) -> None:
    for r in [*graph.of_type("aws:s3/bucket:Bucket"), _key(graph)]:
        assert r.protect and r.retain_on_delete, r.name
        assert r.inputs.get("forceDestroy") is not True


def test_governance_and_lineage_tags(graph: ResourceGraph) -> None:
    for b in _data_buckets(graph):
        tags = b.inputs["tags"]
        assert tags["data-classification"] == "phi"  # the lake's, over the stack default
        assert tags["owner"] == "ml-platform" and tags["cost-center"] == "cc-1"
        assert tags["source"] == "clinical-notes" and tags["retention"] == "3650d"
    assert _key(graph).inputs["tags"]["data-classification"] == "phi"


def _policy_of(graph: ResourceGraph, name: str) -> dict[str, Any]:
    return json.loads(graph.named(name, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])


def test_grant_read_is_prefix_scoped_and_grants_the_key(graph: ResourceGraph) -> None:
    [read] = [r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("lake-read-reader")]
    doc = json.loads(read.inputs["policy"])
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["arn"]
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ReadObjects"]["Resource"] == f"{curated}/text/tickets/*"
    assert by_sid["ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": ["text/tickets/*"]}}
    assert by_sid["UseLakeKey"]["Resource"] == _key(graph).outputs["arn"]
    assert "kms:Decrypt" in by_sid["UseLakeKey"]["Action"]
    assert "kms:GenerateDataKey" not in by_sid["UseLakeKey"]["Action"]
    assert not any(a.startswith("s3:Put") for s in doc["Statement"] for a in
                   ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))


def test_grant_write_grants_generate_data_key_on_raw(graph: ResourceGraph) -> None:
    [write] = [r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("lake-write-writer")]
    doc = json.loads(write.inputs["policy"])
    raw = graph.named("lake-raw", "aws:s3/bucket:Bucket").outputs["arn"]
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert "s3:PutObject" in by_sid["WriteObjects"]["Action"]
    assert by_sid["WriteObjects"]["Resource"] == f"{raw}/video/*"
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(by_sid["UseLakeKey"]["Action"])


def test_team_roles(graph: ResourceGraph) -> None:
    search = _policy_of(graph, "lake-team-search-access")
    resources = {s["Resource"] for s in search["Statement"] if s["Sid"].startswith("ReadObjects")}
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["arn"]
    assert resources == {f"{curated}/text/*", f"{curated}/images/*"}
    ingest_trust = json.loads(graph.named("lake-team-ingest", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert ingest_trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:role/ingest-ci"]}
    search_trust = json.loads(graph.named("lake-team-search", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert search_trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root"]}


def test_every_policy_document_passes_parliament(graph: ResourceGraph) -> None:
    checked = 0
    for r in graph.of_type("aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy"):
        errors = parliament_errors(json.loads(r.inputs["policy"]))
        assert not errors, (r.name, errors)
        checked += 1
    assert checked == 8  # 4 bucket policies, 2 team policies, 2 grants


def test_parliament_would_flag_a_broken_grant() -> None:
    """The lint is live: an object action on a bucket ARN, or a misspelt action, is an error."""
    mismatch = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b"}]}
    typo = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypts", "Resource": "*"}]}
    assert any("RESOURCE_MISMATCH" in e for e in parliament_errors(mismatch))
    assert any("UNKNOWN_ACTION" in e for e in parliament_errors(typo))
