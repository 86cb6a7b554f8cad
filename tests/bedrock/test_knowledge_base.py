"""KnowledgeBase under mocks: VECTOR knowledge base on the allowlisted embedding model, S3 data
source over one data-lake prefix with the chunking configuration, least-privilege service role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bedrock_helpers import (
    ACCOUNT,
    DATA_SOURCE,
    DIRECT,
    EMBED,
    ERROR_SEVERITIES,
    KB,
    REGION,
    ROLE,
    ROLE_POLICY,
    TAGS,
    StubCluster,
    aoss_store,
    as_list,
    iam_documents,
    parliament_findings,
    run,
)

from pulumi_aiops.bedrock_access import BedrockAccess
from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.knowledge_base import KnowledgeBase
from pulumi_aiops.testing import ResourceGraph

PREFIX = "text/handbook/"
COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"


def run_kb(models: list[str] | None = None, store: Any = None, **kb_args: Any) -> ResourceGraph:
    def program() -> None:
        lake = DataLake("lake", {"source": "handbook", "tags": dict(TAGS)})
        access = BedrockAccess("br", {"models": models or [DIRECT, EMBED],
                                      "private_endpoints": {"mode": "DISABLED"},
                                      "invocation_logging": {"destinations": []}})
        args: dict[str, Any] = {"embedding_model": EMBED, "data_lake_prefix": PREFIX,
                                "data_lake": lake, "access": access, "tags": dict(TAGS),
                                "vector_store": store() if store is not None else aoss_store(),
                                **kb_args}
        KnowledgeBase("handbook", args)  # type: ignore[arg-type]

    return run(program)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_kb()


def kb_role_policies(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    role_name = graph.named("handbook-kb", ROLE).outputs["name"]
    return {r.name: json.loads(r.inputs["policy"]) for r in graph.of_type(ROLE_POLICY)
            if r.inputs["role"] == role_name}


def test_vector_knowledge_base_on_the_embedding_model(graph: ResourceGraph) -> None:
    kb = graph.one(KB).inputs
    assert kb["knowledgeBaseConfiguration"]["type"] == "VECTOR"
    vc = kb["knowledgeBaseConfiguration"]["vectorKnowledgeBaseConfiguration"]
    assert vc["embeddingModelArn"] == f"arn:aws:bedrock:{REGION}::foundation-model/{EMBED}"
    assert kb["storageConfiguration"]["type"] == "OPENSEARCH_SERVERLESS"
    assert kb["storageConfiguration"]["opensearchServerlessConfiguration"]["collectionArn"] == \
        graph.one(COLLECTION).outputs["arn"]
    assert kb["roleArn"] == graph.named("handbook-kb", ROLE).outputs["arn"]
    assert kb["tags"]["owner"] == TAGS["owner"]


def test_knowledge_base_waits_for_its_grants(graph: ResourceGraph) -> None:
    kb = graph.one(KB)
    grants = {r.urn for r in graph.of_type(ROLE_POLICY) if r.name != "br-log-delivery"}
    assert grants and grants <= set(kb.depends_on)


def test_s3_data_source_over_the_prefix(graph: ResourceGraph) -> None:
    ds = graph.one(DATA_SOURCE).inputs
    assert ds["knowledgeBaseId"] == graph.one(KB).outputs["id"]
    s3 = ds["dataSourceConfiguration"]
    assert s3["type"] == "S3"
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket")
    assert s3["s3Configuration"] == {"bucketArn": curated.outputs["arn"], "inclusionPrefixes": [PREFIX]}
    assert ds["dataDeletionPolicy"] == "RETAIN"


@pytest.mark.parametrize(("chunking", "expected"), [
    ({}, {"chunkingStrategy": "FIXED_SIZE",
          "fixedSizeChunkingConfiguration": {"maxTokens": 300, "overlapPercentage": 20}}),
    ({"strategy": "HIERARCHICAL", "parent_max_tokens": 1000, "child_max_tokens": 200},
     {"chunkingStrategy": "HIERARCHICAL", "hierarchicalChunkingConfiguration": {
         "overlapTokens": 60, "levelConfigurations": [{"maxTokens": 1000}, {"maxTokens": 200}]}}),
    ({"strategy": "SEMANTIC", "max_tokens": 512},
     {"chunkingStrategy": "SEMANTIC", "semanticChunkingConfiguration": {
         "maxToken": 512, "bufferSize": 0, "breakpointPercentileThreshold": 95}}),
    ({"strategy": "NONE"}, {"chunkingStrategy": "NONE"}),
])
def test_chunking_configuration(chunking: dict[str, Any], expected: dict[str, Any]) -> None:
    ds = run_kb(chunking=chunking).one(DATA_SOURCE).inputs
    assert ds["vectorIngestionConfiguration"]["chunkingConfiguration"] == expected


def test_service_role_trust_is_bedrock_knowledge_bases_of_this_account(graph: ResourceGraph) -> None:
    (st,) = json.loads(graph.named("handbook-kb", ROLE).inputs["assumeRolePolicy"])["Statement"]
    assert st["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert st["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert st["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:knowledge-base/*"}


def test_service_role_is_least_privilege(graph: ResourceGraph) -> None:
    policies = kb_role_policies(graph)
    stmts = [s for doc in policies.values() for s in doc["Statement"]]
    by_action: dict[str, set[str]] = {}
    for s in stmts:
        assert s["Effect"] == "Allow"
        for a in as_list(s["Action"]):
            by_action.setdefault(a, set()).update(as_list(s["Resource"]))
    # Embedding: the one model, InvokeModel only.
    assert by_action["bedrock:InvokeModel"] == {f"arn:aws:bedrock:{REGION}::foundation-model/{EMBED}"}
    assert "bedrock:InvokeModelWithResponseStream" not in by_action
    # Data lake: objects under the prefix only, and the lake key for decryption.
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["arn"]
    assert by_action["s3:GetObject"] == {f"{curated}/{PREFIX}*"}
    lake_key = graph.named("lake-key", "aws:kms/key:Key").outputs["arn"]
    assert by_action["kms:Decrypt"] == {lake_key}
    assert not any(a.startswith("s3:Put") or a.startswith("s3:Delete") for a in by_action)
    # Vector store: what the store grants.
    assert by_action["aoss:APIAccessAll"] == {graph.one(COLLECTION).outputs["arn"]}
    # "*" only where the action takes no resource: the guide's two model-listing actions.
    assert {a for a, rs in by_action.items() if "*" in rs} == {"bedrock:ListFoundationModels",
                                                               "bedrock:ListCustomModels"}
    assert all(rs == {"*"} for a, rs in by_action.items() if a.startswith("bedrock:List"))


def test_every_policy_document_passes_parliament(graph: ResourceGraph) -> None:
    docs = {k: v for k, v in iam_documents(graph).items() if "handbook" in k or "lake-read" in k}
    assert {"Role/handbook-kb.assumeRolePolicy", "RolePolicy/handbook-kb-embed.policy"} <= set(docs)
    for name, (doc, trust) in docs.items():
        errors = [f for f in parliament_findings(doc, trust) if f[1] in ERROR_SEVERITIES]
        assert not errors, f"{name}: {errors}"


def test_embedding_model_must_be_on_the_access_allowlist() -> None:
    with pytest.raises(ConfigError, match=rf"KnowledgeBase\('handbook'\)\.embeddingModel: '{EMBED}' "
                       r"is not in the Bedrock allowlist"):
        run_kb(models=[DIRECT])


def test_embedding_model_must_be_an_embedding_model() -> None:
    with pytest.raises(ConfigError, match=rf"KnowledgeBase\('handbook'\)\.embeddingModel: '{DIRECT}' "
                       r"is not an embedding model"):
        run_kb(embedding_model=DIRECT)


def test_store_without_bedrock_support_is_rejected() -> None:
    def qdrant() -> Any:
        from pulumi_aiops.vector_store import VectorStore

        return VectorStore("kbq", {"backend": "qdrant", "qdrant": {}, "cluster": StubCluster("cw")})

    with pytest.raises(ConfigError, match=r"KnowledgeBase\('handbook'\)\.vectorStore: 'kbq' uses the qdrant "
                       r"backend, which is not a Bedrock knowledge-base backend"):
        run_kb(store=qdrant)


def test_store_dimensions_must_match_the_embedding_model() -> None:
    with pytest.raises(ConfigError, match=rf"KnowledgeBase\('handbook'\)\.embeddingModel: '{EMBED}' embeds "
                       r"1024-dimension vectors but vector store 'kbstore' has dimensions 768"):
        run_kb(store=lambda: aoss_store(dimensions=768))


def test_only_real_components_are_wired_in() -> None:
    class LookAlike:
        def bedrock_storage_configuration(self) -> dict[str, Any]:
            return {}

        def grant_write(self, role: Any) -> None: ...

    with pytest.raises(ConfigError, match=r"KnowledgeBase\('handbook'\)\.vectorStore: <.*LookAlike.*> is not "
                       r"allowed; Input should be an instance of VectorStore"):
        run_kb(store=LookAlike)


def test_grant_retrieve_scopes_queries_to_the_knowledge_base() -> None:
    def program() -> None:
        import pulumi_aws as aws

        lake = DataLake("lake", {"source": "handbook"})
        kb = KnowledgeBase("handbook", {"embedding_model": EMBED, "data_lake_prefix": PREFIX,
                                        "data_lake": lake, "vector_store": aoss_store()})
        kb.grant_retrieve(aws.iam.Role("chat", assume_role_policy="{}"))

    g = run(program)
    grant = g.named("handbook-retrieve-chat", ROLE_POLICY)
    assert grant.inputs["role"] == g.named("chat", ROLE).outputs["name"]
    doc = grant.inputs["policy"]
    (st,) = json.loads(doc)["Statement"]
    assert st["Action"] == ["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"]
    assert st["Resource"] == g.one(KB).outputs["arn"]
    assert not [f for f in parliament_findings(doc, False) if f[1] in ERROR_SEVERITIES]
