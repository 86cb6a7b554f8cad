"""Helpers of the Bedrock tests: run the components under mocks, read their IAM documents,
lint them with parliament."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import parliament
import pulumi
import pulumi_aws as aws

from pulumi_aiops.catalog import Cloud
from pulumi_aiops.contract import GpuCluster, gpu_toleration
from pulumi_aiops.testing import ResourceGraph, run_program

REGION = "us-east-1"
ACCOUNT = "123456789012"
PROFILE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
PROFILE_MODEL = "anthropic.claude-sonnet-4-20250514-v1:0"
PROFILE_DESTINATIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
DIRECT = "amazon.nova-micro-v1:0"
EMBED = "amazon.titan-embed-text-v2:0"
MODELS = [PROFILE, DIRECT, EMBED]
TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
GUARDRAIL_VERSION = "aws:bedrock/guardrailVersion:GuardrailVersion"
LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SG = "aws:ec2/securityGroup:SecurityGroup"
ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KB = "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase"
DATA_SOURCE = "aws:bedrock/agentDataSource:AgentDataSource"
THROUGHPUT = "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput"

#: parliament severities that count as errors (its scale: MUTE INFO LOW MEDIUM HIGH CRITICAL).
ERROR_SEVERITIES = {"HIGH", "CRITICAL"}


def base_args(**more: Any) -> dict[str, Any]:
    """BedrockAccess arguments: the three test models, in a VPC, tagged."""
    return {"models": list(MODELS), "vpc_id": "vpc-0123", "subnet_ids": ["subnet-a", "subnet-b"],
            "tags": dict(TAGS), **more}


def run(program: Callable[[], Any], region: str = REGION) -> ResourceGraph:
    return run_program(program, {"aws:region": region})


def run_access(region: str = REGION, with_role: bool = False, **args: Any) -> ResourceGraph:
    """Run one BedrockAccess (plus, optionally, a workload role granted invoke)."""
    from pulumi_aiops.bedrock_access import BedrockAccess

    def program() -> None:
        access = BedrockAccess("br", base_args(**args))  # type: ignore[arg-type]
        if with_role:
            role = aws.iam.Role("chat", assume_role_policy=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "ec2.amazonaws.com"}}]}))
            access.grant_invoke(role)

    return run(program, region)


def invoke_document(graph: ResourceGraph) -> dict[str, Any]:
    return json.loads(graph.named("br-invoke", POLICY).inputs["policy"])


def statements(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Statements by Sid."""
    return {s["Sid"]: s for s in doc["Statement"]}


def as_list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else [v]


def iam_documents(graph: ResourceGraph) -> dict[str, tuple[str, bool]]:
    """Every IAM policy document in the graph: name → (json, is_trust_policy)."""
    out: dict[str, tuple[str, bool]] = {}
    for r in graph:
        for key in ("policy", "assumeRolePolicy"):
            doc = r.inputs.get(key)
            if isinstance(doc, str) and doc.lstrip().startswith("{") and r.type != KB:
                out[f"{r.type.rsplit(':', 1)[1]}/{r.name}.{key}"] = (doc, key == "assumeRolePolicy")
    return out


def parliament_findings(doc: str, trust: bool) -> list[tuple[str, str, Any]]:
    """parliament's findings as (issue, severity, detail).

    A trust policy has no Resource by definition; parliament reports that as MALFORMED, which
    is dropped here for trust policies only.
    """
    policy = parliament.analyze_policy_string(doc)
    out = []
    for f in policy.findings:
        f = parliament.enhance_finding(f)
        if trust and f.issue == "MALFORMED" and "Resource" in str(f.detail):
            continue
        out.append((f.issue, f.severity, f.detail))
    return out


DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
NETWORK = {"vpc_id": "vpc-0123", "subnet_ids": ["subnet-a", "subnet-b"]}


def aoss_store(name: str = "kbstore", dimensions: int = 1024) -> Any:
    """A real OpenSearch Serverless VectorStore, for KnowledgeBase tests."""
    from pulumi_aiops.vector_store import VectorStore

    return VectorStore(name, {"backend": "opensearch-serverless", "dimensions": dimensions,
                              "opensearch": {"admin_principals": [DEPLOYER]}, "network": NETWORK})


class StubCluster(GpuCluster):
    """A GPU cluster that implements only the contract (for a Qdrant store)."""

    def __init__(self, name: str) -> None:
        import pulumi_kubernetes as k8s

        super().__init__("test:index:StubCluster", name, {}, None)
        self.cloud = Cloud.COREWEAVE
        self.cluster_name = name
        self.kubeconfig = pulumi.Output.secret("apiVersion: v1\nkind: Config\n")
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig,
                                     opts=pulumi.ResourceOptions(parent=self))
        self.gpu_node_selector = {}
        self.gpu_tolerations = [gpu_toleration()]
        self.gpu_capacity = []
        self.system_node_selector = {"pulumi-aiops/system": "true"}  # a CPU pool for Qdrant
        self._register_contract_outputs()
