"""The shared AWS building blocks (``pulumi_aiops.aws``): each secure by default, and each
check on wired values working on plain values and on Outputs."""

from __future__ import annotations

import json
from typing import Any

import parliament
import pulumi
import pytest

from pulumi_aiops.aws.bucket import SHORT_NAMING, ObjectLock, secure_bucket
from pulumi_aiops.aws.formats import VPC_ID, checked
from pulumi_aiops.aws.iam import statement
from pulumi_aiops.aws.kms import KeyUser, kms_key
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph, run_program

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KEY = "aws:kms/key:Key"
ACCOUNT = "123456789012"


class Parent(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Parent", name)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    def program() -> None:
        p = Parent("p")
        key = kms_key("p-key", parent=p, description="data", rotation_period_days=180, alias="alias/test/p",
                      users=[KeyUser("LogsUse", service="logs.us-east-1.amazonaws.com",
                                     actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                                     condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                                                              "arn:aws:logs:us-east-1:123456789012:log-group:/x"}})])
        kms_key("p-plain-key", parent=p, description="no service uses it")
        logs = secure_bucket("p-logs", parent=p, tags={"owner": "t"},
                             lifecycle_rules=[{"id": "expire", "status": "Enabled", "filter": {"prefix": ""},
                                               "expiration": {"days": 30}}])
        data = secure_bucket(
            "p-data", parent=p, kms_key_arn=key.arn, log_to=logs, log_prefix="data/",
            object_lock=ObjectLock("GOVERNANCE", 30), naming=SHORT_NAMING,
            policy_statements=lambda b: [statement("Deny", "s3:DeleteObject", pulumi.Output.concat(b.arn, "/*"),
                                                   sid="NoDeletes", principal="*")])
        logs.attach_policy([])
        pulumi.export("dataResources", [r.urn for r in data.resources])

    return run_program(program, {"aws:region": "us-east-1"})


# -- secure_bucket ------------------------------------------------------------------------------
def test_buckets_are_protected_retained_and_never_force_destroyed(graph: ResourceGraph) -> None:
    for b in graph.of_type(BUCKET):
        assert b.protect and b.retain_on_delete, b.name
        assert b.inputs["forceDestroy"] is False


def test_public_access_fully_blocked_and_acls_off(graph: ResourceGraph) -> None:
    pabs = graph.of_type(PAB)
    assert {p.name for p in pabs} == {"p-logs-public-access-block", "p-data-pab"}
    for p in pabs:
        assert all(p.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                 "restrictPublicBuckets"))
    for o in graph.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls"):
        assert o.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_versioning_on(graph: ResourceGraph) -> None:
    versions = graph.of_type("aws:s3/bucketVersioning:BucketVersioning")
    assert len(versions) == 2 and all(v.inputs["versioningConfiguration"] == {"status": "Enabled"} for v in versions)


def test_sse_kms_with_the_key_or_sse_s3_for_log_targets(graph: ResourceGraph) -> None:
    sse = {r.name: r.inputs["rules"][0] for r in graph.of_type(SSE)}
    key = graph.named("p-key", KEY).outputs["arn"]
    assert sse["p-data-sse"] == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                                         "kmsMasterKeyId": key},
                                 "bucketKeyEnabled": True}
    # S3 server access logging delivers only to SSE-S3 buckets.
    assert sse["p-logs-encryption"] == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}


def test_policies_deny_plain_http_first_and_keep_extra_statements(graph: ResourceGraph) -> None:
    policies = {r.name: r for r in graph.of_type(POLICY)}
    assert set(policies) == {"p-data-policy", "p-logs-policy"}
    for name, bucket in (("p-data-policy", "p-data"), ("p-logs-policy", "p-logs")):
        doc = json.loads(policies[name].inputs["policy"])
        tls = doc["Statement"][0]
        arn = graph.named(bucket, BUCKET).outputs["arn"]
        assert tls == {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        assert graph.named(f"{bucket}-pab" if bucket == "p-data" else f"{bucket}-public-access-block",
                           PAB).urn in policies[name].depends_on
    data_doc = json.loads(policies["p-data-policy"].inputs["policy"])
    assert [s["Sid"] for s in data_doc["Statement"]] == ["DenyInsecureTransport", "NoDeletes"]


def test_access_logs_object_lock_and_lifecycle(graph: ResourceGraph) -> None:
    logging = graph.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.name == "p-data-logging"
    assert logging.inputs["targetBucket"] == graph.named("p-logs", BUCKET).outputs["id"]
    assert logging.inputs["targetPrefix"] == "data/"
    assert graph.named("p-data", BUCKET).inputs["objectLockEnabled"] is True
    assert "objectLockEnabled" not in graph.named("p-logs", BUCKET).inputs
    lock = graph.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}
    lifecycles = {r.name: r for r in graph.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")}
    assert lifecycles["p-logs-lifecycle"].inputs["rules"][0]["expiration"] == {"days": 30}
    assert graph.named("p-logs-versioning", "aws:s3/bucketVersioning:BucketVersioning").urn in \
        lifecycles["p-logs-lifecycle"].depends_on
    # Without rules of its own, a bucket still expires old versions and aborts stale uploads.
    assert lifecycles["p-data-lifecycle"].inputs["rules"] == [{
        "id": "housekeeping", "status": "Enabled", "filter": {"prefix": ""},
        "noncurrentVersionExpiration": {"noncurrentDays": 90},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]
    resources = graph.stack_outputs["dataResources"]
    assert logging.urn in resources and lock.urn in resources and graph.named("p-data-policy", POLICY).urn in resources


def test_a_bucket_gets_one_policy_and_one_log_target() -> None:
    def program() -> None:
        p = Parent("p")
        b = secure_bucket("p-b", parent=p, policy_statements=[])
        with pytest.raises(ValueError, match="already has its policy"):
            b.attach_policy([])
        b.log_to(b.bucket, "self/")
        with pytest.raises(ValueError, match="already logs"):
            b.log_to(b.bucket, "again/")
        with pytest.raises(ValueError, match="at least one lifecycle rule"):
            secure_bucket("p-c", parent=p, lifecycle_rules=[])

    run_program(program, {"aws:region": "us-east-1"})


def test_the_s3_policy_rules_pass_on_a_secure_bucket(graph: ResourceGraph) -> None:
    from pulumi_aiops.testing.policy import evaluate_graph

    report = evaluate_graph(graph, packs=["aiops-baseline"], stack_config={"aws:region": "us-east-1"})
    s3 = [d for d in report.diagnostics if d.policy.startswith("s3-")]
    assert not s3, [(d.policy, d.urn, d.message) for d in s3]


# -- kms_key ------------------------------------------------------------------------------------
def test_keys_rotate_wait_30_days_and_are_protected(graph: ResourceGraph) -> None:
    for k in graph.of_type(KEY):
        assert k.inputs["enableKeyRotation"] is True
        assert k.inputs["deletionWindowInDays"] == 30
        assert k.protect and k.retain_on_delete
    assert graph.named("p-key", KEY).inputs["rotationPeriodInDays"] == 180
    assert "rotationPeriodInDays" not in graph.named("p-plain-key", KEY).inputs
    alias = graph.one("aws:kms/alias:Alias")
    assert alias.name == "p-key-alias" and alias.inputs["name"] == "alias/test/p"
    assert alias.inputs["targetKeyId"] == graph.named("p-key", KEY).outputs["keyId"]


def test_key_policy_is_root_admin_plus_fenced_service_users(graph: ResourceGraph) -> None:
    doc = json.loads(graph.named("p-key", KEY).inputs["policy"])
    root, logs = doc["Statement"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} and root["Action"] == "kms:*"
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnEquals": {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/x"}}
    findings = [(f.issue, f.severity) for f in map(parliament.enhance_finding,
                                                    parliament.analyze_policy_string(json.dumps(doc)).findings)]
    assert not [f for f in findings if f[1] in ("HIGH", "CRITICAL")], findings


def test_a_key_without_users_gets_exactly_the_default_key_policy_of_aws(graph: ResourceGraph) -> None:
    """Written out, so it is reviewable; identical to what KMS applies to a key created without a
    policy (moto reproduces that default), so adopting the helper changes nothing in AWS."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        default = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    ours = json.loads(graph.named("p-plain-key", KEY).inputs["policy"])
    assert ours == default


def test_an_alias_must_be_a_customer_alias() -> None:
    def program() -> None:
        kms_key("k", parent=Parent("p"), description="x", alias="alias/aws/s3")

    with pytest.raises(ValueError, match="must start with 'alias/' and not 'alias/aws/'"):
        run_program(program, {"aws:region": "us-east-1"})


# -- checks on wired values ---------------------------------------------------------------------
def test_checked_passes_plain_values_and_good_outputs_through() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        p = Parent("p")
        import pulumi_aws as aws

        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(parent=p))
        seen["plain"] = checked("vpc-0abc", VPC_ID, "X.vpcId")
        aws.ec2.SecurityGroup("sg", vpc_id=checked(vpc.id, VPC_ID, "X.vpcId"))

    graph = run_program(program, {"aws:region": "us-east-1"})
    assert seen["plain"] == "vpc-0abc"
    sg = graph.named("sg", "aws:ec2/securityGroup:SecurityGroup")
    vpc = graph.named("v", "aws:ec2/vpc:Vpc")
    assert sg.inputs["vpcId"] == vpc.outputs["id"]
    assert sg.property_dependencies["vpcId"] == (vpc.urn,)


def test_checked_fails_a_bad_output_once_known() -> None:
    def program() -> None:
        import pulumi_aws as aws

        igw = aws.ec2.InternetGateway("igw")
        aws.ec2.SecurityGroup("sg", vpc_id=checked(igw.id, VPC_ID, "VectorStore('kb').network.vpcId"))

    with pytest.raises(ConfigError, match=r"VectorStore\('kb'\)\.network\.vpcId: 'igw-[0-9a-f]+' is not a VPC id"):
        run_program(program, {"aws:region": "us-east-1"})
