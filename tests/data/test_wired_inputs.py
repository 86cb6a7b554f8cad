"""Components take the outputs of a program's own resources wherever they wire something in:
a VPC, subnets, a security group, a KMS key and IAM roles made with pulumi_aws flow into the
data and Bedrock components' resources, and the engine sees the dependency on them."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from pulumi_aiops.bedrock_access import BedrockAccess
from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.feature_store import FeatureStore
from pulumi_aiops.knowledge_base import KnowledgeBase
from pulumi_aiops.testing import RecordedResource, ResourceGraph, run_program
from pulumi_aiops.vector_store import VectorStore

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]})


def own_resources() -> dict[str, Any]:
    vpc = aws.ec2.Vpc("net", cidr_block="10.9.0.0/16")
    subnets = [aws.ec2.Subnet(f"net-{az}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=az)
               for az, cidr in (("us-east-1a", "10.9.1.0/24"), ("us-east-1b", "10.9.2.0/24"))]
    apps = aws.ec2.SecurityGroup("apps", vpc_id=vpc.id, description="applications")
    key = aws.kms.Key("own-key", description="the team's key", enable_key_rotation=True)
    deployer = aws.iam.Role("deployer", assume_role_policy=TRUST)
    ingest = aws.iam.Role("ingest", assume_role_policy=TRUST)
    return {"vpc": vpc, "subnets": subnets, "apps": apps, "key": key, "deployer": deployer, "ingest": ingest}


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    def program() -> None:
        own = own_resources()
        network = {"vpc_id": own["vpc"].id, "subnet_ids": [s.id for s in own["subnets"]],
                   "client_security_group_ids": [own["apps"].id]}
        lake = DataLake("lake", {
            "kms_key_arn": own["key"].arn, "tags": TAGS,
            "teams": [{"name": "ingest", "zone": "raw", "prefixes": ["text/"], "access": "write",
                       "trusted_principals": [own["ingest"].arn]}]})
        docs = VectorStore("docs", {"backend": "opensearch-serverless", "network": network,
                                    "opensearch": {"admin_principals": [own["deployer"].arn]}, "tags": TAGS})
        VectorStore("pgv", {"backend": "aurora-pgvector", "network": network, "kms_key_arn": own["key"].arn,
                           "tags": TAGS})
        access = BedrockAccess("br", {
            "models": ["amazon.nova-micro-v1:0", "amazon.titan-embed-text-v2:0"],
            "vpc_id": own["vpc"].id, "subnet_ids": [s.id for s in own["subnets"]],
            "security_group_ids": [own["apps"].id], "invocation_logging": {"destinations": []}, "tags": TAGS})
        KnowledgeBase("kb", {"embedding_model": "amazon.titan-embed-text-v2:0", "data_lake_prefix": "text/",
                             "data_lake": lake, "vector_store": docs, "access": access, "tags": TAGS})
        FeatureStore("fs", {"data_lake": lake, "tags": TAGS, "feature_groups": [{
            "name": "users", "record_identifier": "id", "event_time": "ts",
            "features": [{"name": "id", "type": "String"}, {"name": "ts", "type": "Fractional"}]}]})

    return run_program(program, {"aws:region": "us-east-1"})


def own(graph: ResourceGraph, name: str, type_: str) -> RecordedResource:
    return graph.named(name, type_)


def depends(r: RecordedResource, key: str, *on: RecordedResource) -> bool:
    """The engine records ``key`` as depending on each of ``on`` (no other resources needed)."""
    return {o.urn for o in on} <= set(r.property_dependencies.get(key, ()))


VPC, SUBNET, SG, KEY, ROLE = ("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup",
                              "aws:kms/key:Key", "aws:iam/role:Role")


def test_vector_stores_sit_in_the_programs_vpc(graph: ResourceGraph) -> None:
    vpc = own(graph, "net", VPC)
    subnets = [own(graph, f"net-us-east-1{z}", SUBNET) for z in "ab"]
    apps = own(graph, "apps", SG)
    vpce = graph.one("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    assert vpce.inputs["vpcId"] == vpc.outputs["id"]
    assert vpce.inputs["subnetIds"] == [s.outputs["id"] for s in subnets]
    assert depends(vpce, "vpcId", vpc) and depends(vpce, "subnetIds", *subnets)
    rds_subnets = graph.one("aws:rds/subnetGroup:SubnetGroup")
    assert rds_subnets.inputs["subnetIds"] == [s.outputs["id"] for s in subnets]
    assert depends(rds_subnets, "subnetIds", *subnets)
    rules = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert len(rules) == 2
    for rule in rules:
        assert rule.inputs["referencedSecurityGroupId"] == apps.outputs["id"]
        assert depends(rule, "referencedSecurityGroupId", apps)
    for sg in (graph.named("docs-sg", SG), graph.named("pgv-sg", SG)):
        assert sg.inputs["vpcId"] == vpc.outputs["id"] and depends(sg, "vpcId", vpc)


def test_aoss_admin_is_the_programs_role(graph: ResourceGraph) -> None:
    deployer = own(graph, "deployer", ROLE)
    admin = graph.named("docs-admin-access", "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")
    principals = {p for rule in json.loads(admin.inputs["policy"]) for p in rule["Principal"]}
    assert principals == {deployer.outputs["arn"]}
    assert depends(admin, "policy", deployer)


def test_aurora_uses_the_programs_key(graph: ResourceGraph) -> None:
    key = own(graph, "own-key", KEY)
    cluster = graph.one("aws:rds/cluster:Cluster")
    assert cluster.inputs["kmsKeyId"] == key.outputs["arn"] == cluster.inputs["masterUserSecretKmsKeyId"]
    assert depends(cluster, "kmsKeyId", key)
    assert not [k for k in graph.of_type(KEY) if k.name == "pgv-key"]  # no key of its own


def test_bedrock_endpoints_in_the_programs_vpc_with_its_security_group(graph: ResourceGraph) -> None:
    vpc, apps = own(graph, "net", VPC), own(graph, "apps", SG)
    endpoints = [e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.name.startswith("br-")]
    assert len(endpoints) == 3
    for e in endpoints:
        assert e.inputs["vpcId"] == vpc.outputs["id"] and depends(e, "vpcId", vpc)
        assert apps.outputs["id"] in e.inputs["securityGroupIds"] and depends(e, "securityGroupIds", apps)
        assert e.inputs["subnetIds"] == [own(graph, f"net-us-east-1{z}", SUBNET).outputs["id"] for z in "ab"]


def test_data_lake_team_trusts_the_programs_role_and_encrypts_with_its_key(graph: ResourceGraph) -> None:
    ingest, key = own(graph, "ingest", ROLE), own(graph, "own-key", KEY)
    team = graph.named("lake-team-ingest", ROLE)
    trust = json.loads(team.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"AWS": [ingest.outputs["arn"]]}
    assert depends(team, "assumeRolePolicy", ingest)
    sse = graph.named("lake-raw-encryption",
                      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key.outputs["arn"]
    assert depends(sse, "rules", key)
    policy = json.loads(graph.named("lake-raw-policy", "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    other_keys = next(s for s in policy["Statement"] if s["Sid"] == "DenyOtherKmsKeys")
    assert other_keys["Condition"]["StringNotEquals"] == {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": key.outputs["arn"]}
    assert not [k for k in graph.of_type(KEY) if k.name.startswith("lake-")]
    # The feature store and the knowledge base decrypt with the same (brought) key.
    fg = graph.one("aws:sagemaker/featureGroup:FeatureGroup")
    assert fg.inputs["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] == key.outputs["arn"]
    kb_read = [r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("lake-read-kb-kb")]
    doc = json.loads(kb_read[0].inputs["policy"])
    assert next(s for s in doc["Statement"] if s["Sid"] == "UseLakeKey")["Resource"] == key.outputs["arn"]


def test_bad_outputs_fail_with_the_key_path_once_known() -> None:
    """An output of the wrong kind (an internet gateway id for a VPC, a KMS alias) fails the
    deployment with the component's key path, not with an AWS API error later."""
    def program() -> None:
        igw = aws.ec2.InternetGateway("igw")
        VectorStore("docs", {"backend": "aurora-pgvector", "tags": TAGS,
                             "network": {"vpc_id": igw.id, "subnet_ids": ["subnet-0a", "subnet-0b"]}})

    with pytest.raises(ConfigError, match=r"VectorStore\('docs'\)\.network\.vpcId: 'igw-[0-9a-f]+' is not a VPC id"):
        run_program(program, {"aws:region": "us-east-1"})

    def program2() -> None:
        alias = aws.kms.Alias("alias", name="alias/team", target_key_id="k")
        DataLake("lake", {"kms_key_arn": alias.arn})

    with pytest.raises(ConfigError,
                       match=r"DataLake\('lake'\)\.kmsKeyArn: 'arn:aws:kms:.*alias.*' is not a KMS key ARN"):
        run_program(program2, {"aws:region": "us-east-1"})


def test_plain_values_are_checked_before_anything_is_registered() -> None:
    caught: list[str] = []

    def program() -> None:
        for make in (
            lambda: BedrockAccess("br", {"models": ["amazon.nova-micro-v1:0"], "vpc_id": "vpc-0a",
                                         "subnet_ids": ["sg-0a"]}),
            lambda: DataLake("lake", {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/x"}),
            lambda: VectorStore("docs", {"backend": "opensearch-serverless",
                                         "opensearch": {"admin_principals": ["arn:aws:iam::123456789012:root"]},
                                         "network": {"vpc_id": "vpc-0a", "subnet_ids": ["subnet-0a"]}}),
        ):
            try:
                make()
            except ConfigError as e:
                caught.append(str(e))

    graph = run_program(program, {"aws:region": "us-east-1"})
    assert len(graph) == 0
    assert caught[0].startswith("BedrockAccess('br').subnet_ids[0]: 'sg-0a' is not a subnet id")
    assert caught[1].startswith("DataLake('lake').kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:alias/x' "
                                "is not a KMS key ARN")
    assert caught[2].startswith("VectorStore('docs').opensearch.admin_principals[0]: "
                                "'arn:aws:iam::123456789012:root' is not an IAM role or user ARN")


def test_outputs_keep_their_secrecy() -> None:
    """A secret output wired in stays secret in the resource that uses it."""
    def program() -> None:
        secret_vpc = pulumi.Output.secret("vpc-0abc")
        VectorStore("docs", {"backend": "aurora-pgvector",
                             "network": {"vpc_id": secret_vpc, "subnet_ids": ["subnet-0a", "subnet-0b"]}})

    graph = run_program(program, {"aws:region": "us-east-1"})
    sg = graph.named("docs-sg", SG)
    assert isinstance(sg.inputs["vpcId"], dict) and sg.inputs["vpcId"].get("value") == "vpc-0abc"
