"""The ``Example::`` blocks in the data, Bedrock and AWS building-block modules run as written
(offline, under the harness), like the README's, and build what they say."""

from __future__ import annotations

import importlib
import json
import re
import textwrap
from typing import Any

import pytest

from pulumi_aiops.testing import ResourceGraph, run_program

#: Modules whose examples form one program, in this order: later examples reuse the names of
#: earlier ones (the knowledge base uses the lake, the store and the Bedrock access).
CHAINED = ["pulumi_aiops.data_lake", "pulumi_aiops.vector_store", "pulumi_aiops.bedrock_access",
           "pulumi_aiops.knowledge_base", "pulumi_aiops.feature_store"]
#: Modules whose example stands alone.
STANDALONE = ["pulumi_aiops.aws.kms", "pulumi_aiops.aws.bucket", "pulumi_aiops.vector_stores.aoss_index",
              "pulumi_aiops.vector_stores.pgvector_schema"]


def example(module: str) -> str:
    doc = importlib.import_module(module).__doc__ or ""
    found = re.search(r"Example.*?::\n\n((?:    [^\n]*\n|\n)+)", doc, flags=re.S)
    assert found, f"{module} has no Example:: block"
    return textwrap.dedent(found.group(1))


def run(blocks: list[tuple[str, str]]) -> ResourceGraph:
    def program() -> None:
        ns: dict[str, Any] = {}
        for module, code in blocks:
            exec(compile(code, f"<{module} docstring>", "exec"), ns)

    return run_program(program, {"aws:region": "us-east-1"})


@pytest.fixture(scope="module")
def chained() -> ResourceGraph:
    return run([(m, example(m)) for m in CHAINED])


def test_the_data_lake_example_trusts_the_roles_it_names(chained: ResourceGraph) -> None:
    ci = chained.named("ingest-ci", "aws:iam/role:Role").outputs["arn"]
    trust = json.loads(chained.named("lake-team-ingest", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"AWS": [ci]}
    assert chained.named("lake-read-indexer-curated-" + _hash("text/tickets/"), "aws:iam/rolePolicy:RolePolicy")


def test_the_vector_store_example_lives_in_its_own_vpc(chained: ResourceGraph) -> None:
    vpc = chained.named("rag", "aws:ec2/vpc:Vpc").outputs["id"]
    vpce = chained.one("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    assert vpce.inputs["vpcId"] == vpc
    assert vpce.inputs["subnetIds"] == [chained.named(f"rag-us-east-1{z}", "aws:ec2/subnet:Subnet").outputs["id"]
                                        for z in "ab"]
    apps = chained.named("rag-apps", "aws:ec2/securityGroup:SecurityGroup").outputs["id"]
    runners = chained.named("ci-runners", "aws:ec2/securityGroup:SecurityGroup").outputs["id"]
    endpoint_sg = chained.named("kb-docs-sg", "aws:ec2/securityGroup:SecurityGroup").outputs["id"]
    rules = chained.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # The applications and the deployer's runners, both on 443 of the endpoint's group.
    assert sorted(r.inputs["referencedSecurityGroupId"] for r in rules) == sorted([apps, runners])
    assert all(r.inputs["securityGroupId"] == endpoint_sg and r.inputs["fromPort"] == 443 for r in rules)


def test_the_bedrock_example_puts_endpoints_in_its_vpc(chained: ResourceGraph) -> None:
    vpc = chained.named("apps", "aws:ec2/vpc:Vpc").outputs["id"]
    endpoints = chained.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoints and all(e.inputs["vpcId"] == vpc for e in endpoints)
    chat = chained.named("chat", "aws:iam/role:Role").outputs["name"]
    assert chained.named("bedrock-invoke-chat", "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs[
        "role"] == chat


def test_the_knowledge_base_example_wires_lake_store_and_access(chained: ResourceGraph) -> None:
    kb = chained.one("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase")
    coll = chained.one("aws:opensearch/serverlessCollection:ServerlessCollection").outputs["arn"]
    assert kb.inputs["storageConfiguration"]["opensearchServerlessConfiguration"]["collectionArn"] == coll
    source = chained.one("aws:bedrock/agentDataSource:AgentDataSource").inputs
    assert source["dataSourceConfiguration"]["s3Configuration"]["inclusionPrefixes"] == ["text/handbook/"]
    assert chained.named("handbook-retrieve-chat", "aws:iam/rolePolicy:RolePolicy")


def test_the_feature_store_example_uses_its_lake(chained: ResourceGraph) -> None:
    fg = chained.one("aws:sagemaker/featureGroup:FeatureGroup")
    key = chained.named("features-lake-key", "aws:kms/key:Key").outputs["arn"]
    assert fg.inputs["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] == key


@pytest.mark.parametrize("module", STANDALONE)
def test_standalone_examples_run(module: str) -> None:
    graph = run([(module, example(module))])
    assert [r for r in graph if r.custom], f"{module}'s example created nothing"


def test_the_bucket_example_is_secure() -> None:
    module = "pulumi_aiops.aws.bucket"
    graph = run([(module, example(module))])
    data = graph.named("archive-data", "aws:s3/bucket:Bucket")
    assert data.protect and data.retain_on_delete
    key = graph.named("archive-key", "aws:kms/key:Key")
    sse = {r.name: r for r in graph.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}
    assert sse["archive-data-encryption"].inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.outputs["arn"]}
    assert sse["archive-logs-encryption"].inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "AES256"}


def _hash(prefix: str) -> str:
    from pulumi_aiops.data_lake import short_hash

    return short_hash(prefix)
