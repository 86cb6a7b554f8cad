"""The builder wires Bedrock from stack config: dev and prod build, prod's Bedrock IAM passes
parliament, and config cross-references (stores, lake, clusters, residency) fail cleanly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from bedrock_helpers import ENDPOINT, ERROR_SEVERITIES, KB, iam_documents, parliament_findings

from pulumi_aiops.builder import main
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph, load_stack_config, run_program

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def run_stack(name: str) -> ResourceGraph:
    cfg, secrets = load_stack_config(STACKS / f"Pulumi.{name}.yaml")
    return run_program(main, cfg, secret_keys=secrets, stack=name)


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return run_stack("prod")


def platform_of(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())
    return copy.deepcopy(doc["config"]["aiops:platform"])


def test_prod_builds_bedrock_in_the_eks_vpc(prod: ResourceGraph) -> None:
    eks_vpc = prod.one("aws:ec2/vpc:Vpc").outputs["id"]
    eps = prod.of_type(ENDPOINT)
    bedrock_eps = [e for e in eps if ".bedrock" in str(e.inputs["serviceName"])]
    assert len(bedrock_eps) == 3
    assert all(e.inputs["vpcId"] == eks_vpc and e.inputs["privateDnsEnabled"] for e in bedrock_eps)
    kbs = {k.inputs["name"]: k.inputs for k in prod.of_type(KB)}
    types = {n: k["storageConfiguration"]["type"] for n, k in kbs.items()}
    assert types == {"kb-product-docs-prod": "OPENSEARCH_SERVERLESS", "kb-support-tickets-prod": "RDS"}
    assert prod.stack_outputs["bedrock"]["models"] == [
        "amazon.nova-pro-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-embed-text-v2:0"]


def test_prod_bedrock_policies_pass_parliament(prod: ResourceGraph) -> None:
    docs = {k: v for k, v in iam_documents(prod).items()
            if k.split("/", 1)[1].startswith(("bedrock-", "kb-", "data-lake-read-kb-",
                                                "vector-kb-docs-write-kb-", "vector-kb-pg-write-kb-"))}
    assert len(docs) >= 10
    for name, (doc, trust) in docs.items():
        errors = [f for f in parliament_findings(doc, trust) if f[1] in ERROR_SEVERITIES]
        assert not errors, f"{name}: {errors}"


def test_dev_builds_one_runtime_endpoint_and_a_pgvector_knowledge_base() -> None:
    g = run_stack("dev")
    eps = [e for e in g.of_type(ENDPOINT) if ".bedrock" in str(e.inputs["serviceName"])]
    assert [e.inputs["serviceName"] for e in eps] == ["com.amazonaws.us-east-1.bedrock-runtime"]
    (kb,) = g.of_type(KB)
    assert kb.inputs["storageConfiguration"]["type"] == "RDS"
    invoke = json.loads(g.named("bedrock-invoke").inputs["policy"])
    assert any(s["Effect"] == "Deny" for s in invoke["Statement"])


@pytest.mark.parametrize(("edit", "path", "fragment"), [
    (lambda b: b["knowledgeBases"][0].update(vectorStore="nope"),
     "bedrock.knowledgeBases[0].vectorStore: 'nope'", "is not a vector store of this stack"),
    (lambda b: b["knowledgeBases"][0].update(vectorStore="qdrant-cw"),
     "bedrock.knowledgeBases[0].vectorStore: 'qdrant-cw'", "Bedrock knowledge bases cannot use"),
    (lambda b: b["knowledgeBases"][0].update(dimensions=512),
     "bedrock.knowledgeBases[0].embeddingModel: 'amazon.titan-embed-text-v2:0'", "512-dimension"),
    (lambda b: b["knowledgeBases"][0].update(dataLakeBucket="gold"),
     "bedrock.knowledgeBases[0].dataLakeBucket: 'gold'", "is not a data-lake zone"),
    (lambda b: b["privateEndpoints"].update(cluster="cw-prod"),
     "bedrock.privateEndpoints.cluster: 'cw-prod'", "is not an EKS cluster"),
    (lambda b: b["models"].append("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
     "bedrock.models[3]: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'",
     "routes requests to us-east-2, outside allowedRegions"),
])
def test_cross_reference_errors(edit: Any, path: str, fragment: str) -> None:
    platform = platform_of("prod")
    edit(platform["bedrock"])
    with pytest.raises(ConfigError) as info:
        load_platform_config(platform)
    msg = str(info.value)
    assert f"aiops:platform.{path}" in msg and fragment in msg, msg


def test_knowledge_base_needs_the_data_lake() -> None:
    platform = platform_of("dev")
    del platform["dataLake"]
    with pytest.raises(ConfigError, match=r"aiops:platform\.bedrock\.knowledgeBases\[0\]\.dataLakePrefix"
                       r": 'text/' needs the dataLake section"):
        load_platform_config(platform)
