"""A Bedrock knowledge base over a data-lake prefix, stored in a vector store.

:class:`KnowledgeBase` creates:

* a service role that only Bedrock, acting for this account's knowledge bases, can assume, with
  what the Bedrock user guide's "Create a service role for Amazon Bedrock Knowledge Bases" lists,
  scoped: ``bedrock:InvokeModel`` on the one embedding model's ARN (plus the two model-listing
  actions, which take no resource), read of the one data-lake prefix with ``kms:Decrypt`` on the
  lake key (through ``DataLake.grant_read``), and write access to the vector store (through
  ``VectorStore.grant_write``: ``aoss:APIAccessAll`` on the collection, or the RDS Data API,
  ``rds:DescribeDBClusters`` and the master secret);
* an ``aws.bedrock.AgentKnowledgeBase`` of type ``VECTOR`` whose embedding model comes from the
  allowlist, stored as the vector store's ``bedrock_storage_configuration()`` says (OpenSearch
  Serverless or Aurora PostgreSQL);
* an ``aws.bedrock.AgentDataSource`` of type ``S3`` over the prefix, with the chunking
  configuration (FIXED_SIZE, HIERARCHICAL, SEMANTIC or NONE) and ``RETAIN`` data deletion.

Ingestion runs with ``aws bedrock-agent start-ingestion-job`` (or on a schedule); creating the
data source does not ingest.

Example (continues the :mod:`~pulumi_aiops.data_lake`, :mod:`~pulumi_aiops.vector_store` and
:mod:`~pulumi_aiops.bedrock_access` examples: ``lake``, ``store``, ``access``, ``chat``)::

    from pulumi_aiops.knowledge_base import KnowledgeBase

    kb = KnowledgeBase("handbook", {
        "embedding_model": "amazon.titan-embed-text-v2:0",
        "data_lake_prefix": "text/handbook/",
        "chunking": {"strategy": "HIERARCHICAL"},
        "data_lake": lake, "vector_store": store, "access": access,
        "tags": {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "internal"},
    })
    kb.grant_retrieve(chat)   # Retrieve and RetrieveAndGenerate on this knowledge base
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, InstanceOf, field_validator

from pulumi_aiops.args import KnowledgeBaseArgs
from pulumi_aiops.aws.formats import check_tags
from pulumi_aiops.aws.iam import document, document_dict, statement
from pulumi_aiops.bedrock_access import (
    BedrockAccess,
    foundation_model_arn,
    guardrail_invoke_statements,
)
from pulumi_aiops.catalog.bedrock import lookup_bedrock
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.bedrock import (
    ChunkingConfig,
    ChunkingStrategy,
    DataDeletionPolicy,
    KnowledgeBaseSpec,
)
from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.errors import AiopsError, ConfigError
from pulumi_aiops.vector_store import VectorStore

__all__ = [
    "LIST_MODELS_STATEMENT",
    "OLD_TYPE_TOKEN",
    "TYPE_TOKEN",
    "KnowledgeBase",
    "KnowledgeBaseArgs",
    "KnowledgeBaseArgsModel",
    "chunking_configuration",
    "knowledge_base_trust_policy",
]

#: The type token Pulumi's component provider hosts this component under.
TYPE_TOKEN = "aiops:index:KnowledgeBase"
#: The token of 0.1.0 (an alias keeps deployed stacks' URNs).
OLD_TYPE_TOKEN = "aiops:bedrock:KnowledgeBase"

#: Seconds to let a new OpenSearch Serverless data access policy take effect.
AOSS_POLICY_PROPAGATION_SECONDS = 60.0


class KnowledgeBaseArgsModel(KnowledgeBaseSpec):
    """Arguments of :class:`KnowledgeBase`: model, prefix, chunking, lake, store, access, tags.

    A ``bedrock.knowledgeBases[]`` entry without its names, plus the data lake, vector store
    and Bedrock access it uses, and ``tags``."""

    model_config = ConfigDict(title="KnowledgeBaseArgs")

    data_lake: InstanceOf[DataLake] = Field(description="The data lake holding the documents. Required.")
    vector_store: InstanceOf[VectorStore] = Field(
        description="The vector store (opensearch-serverless or aurora-pgvector backend). Required.")
    access: InstanceOf[BedrockAccess] | None = Field(
        None, description="The platform's Bedrock access; the embedding model must be on its allowlist. "
        "@default none")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags for every taggable resource. @default {}")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)


#: "Permissions to access Amazon Bedrock models" of the Bedrock user guide's knowledge-base
#: service role: the two listing actions, which have no resource type (Service Authorization
#: Reference), so "*"; they list model metadata only.
LIST_MODELS_STATEMENT = statement("Allow", ["bedrock:ListFoundationModels", "bedrock:ListCustomModels"], "*",
                                  sid="ListModels")


def _trust_statement(partition: pulumi.Input[str], region: pulumi.Input[str],
                     account: pulumi.Input[str]) -> dict[str, Any]:
    # The trust of the same guide's "Trust relationship": bedrock.amazonaws.com, aws:SourceAccount,
    # and aws:SourceArn on this account's knowledge bases.
    return statement(
        "Allow", "sts:AssumeRole", sid="BedrockKnowledgeBasesOfThisAccount",
        principal={"Service": "bedrock.amazonaws.com"},
        condition={"StringEquals": {"aws:SourceAccount": account},
                   "ArnLike": {"aws:SourceArn": pulumi.Output.concat(
                       "arn:", partition, ":bedrock:", region, ":", account, ":knowledge-base/*")}})


def knowledge_base_trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Trust policy: Bedrock may assume the role for this account's knowledge bases only."""
    return document_dict([statement(
        "Allow", "sts:AssumeRole", sid="BedrockKnowledgeBasesOfThisAccount",
        principal={"Service": "bedrock.amazonaws.com"},
        condition={"StringEquals": {"aws:SourceAccount": account},
                   "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock:{region}:{account}:knowledge-base/*"}})])


def chunking_configuration(c: ChunkingConfig) -> dict[str, Any]:
    """``vector_ingestion_configuration.chunking_configuration`` of ``AgentDataSource``."""
    if c.strategy is ChunkingStrategy.FIXED_SIZE:
        return {"chunking_strategy": "FIXED_SIZE", "fixed_size_chunking_configuration": {
            "max_tokens": c.max_tokens, "overlap_percentage": c.overlap_percentage}}
    if c.strategy is ChunkingStrategy.HIERARCHICAL:
        return {"chunking_strategy": "HIERARCHICAL", "hierarchical_chunking_configuration": {
            "overlap_tokens": c.overlap_tokens,
            "level_configurations": [{"max_tokens": c.parent_max_tokens},
                                     {"max_tokens": c.child_max_tokens}]}}
    if c.strategy is ChunkingStrategy.SEMANTIC:
        return {"chunking_strategy": "SEMANTIC", "semantic_chunking_configuration": {
            "max_token": c.max_tokens, "buffer_size": c.buffer_size,
            "breakpoint_percentile_threshold": c.breakpoint_percentile_threshold}}
    return {"chunking_strategy": "NONE"}


class KnowledgeBase(pulumi.ComponentResource):
    """A Bedrock VECTOR knowledge base with an S3 data source over one data-lake prefix.

    Python attributes: ``role``, ``role_trust_document``, ``embedding_policy_document``,
    ``knowledge_base``, ``data_source``, ``embedding_model_arn``, ``config``.
    """

    knowledge_base_id: pulumi.Output[str]
    """The knowledge base (for Retrieve and RetrieveAndGenerate)."""
    knowledge_base_arn: pulumi.Output[str]
    """Its ARN."""
    role_arn: pulumi.Output[str]
    """The service role Bedrock assumes to embed, read the prefix and write the store."""

    def __init__(
        self,
        name: str,
        args: KnowledgeBaseArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        where = f"KnowledgeBase({name!r})"
        cfg = component_args(KnowledgeBaseArgsModel, args, where)
        lake, store, access = cfg.data_lake, cfg.vector_store, cfg.access
        if not store.supports_bedrock:
            raise ConfigError(f"{where}.vectorStore: {store.store_name!r} uses the {store.backend.value} backend, "
                              "which is not a Bedrock knowledge-base backend; use opensearch-serverless or "
                              "aurora-pgvector")
        if access is not None and cfg.embedding_model not in access.models:
            raise ConfigError(
                f"{where}.embeddingModel: {cfg.embedding_model!r} is not in the Bedrock "
                f"allowlist ({', '.join(access.models)}); add it to bedrock.models first")
        dims = cfg.dimensions or lookup_bedrock(cfg.embedding_model).foundation.dimensions
        if dims != store.dimensions:
            raise ConfigError(f"{where}.embeddingModel: {cfg.embedding_model!r} embeds {dims}-dimension vectors "
                              f"but vector store {store.store_name!r} has dimensions {store.dimensions}; "
                              "make them equal")
        lake.bucket(cfg.data_lake_bucket)  # the zone exists (ConfigError otherwise)
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self.config: KnowledgeBaseArgsModel = cfg
        tags = dict(cfg.tags)
        child = pulumi.ResourceOptions(parent=self)
        inv = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region
        account = aws.get_caller_identity_output(opts=inv).account_id

        self.embedding_model_arn: pulumi.Output[str] = pulumi.Output.all(partition, region).apply(
            lambda v: foundation_model_arn(v[0], v[1], cfg.embedding_model))
        self.role_trust_document: pulumi.Output[str] = document(
            [_trust_statement(partition, region, account)], indent=2)
        self.role = aws.iam.Role(
            f"{name}-kb",
            description=f"Bedrock knowledge base {name}: embed, read its data-lake prefix, "
            "write its vector store",
            assume_role_policy=self.role_trust_document,
            tags=tags,
            opts=child,
        )
        self.role_arn = self.role.arn
        self.embedding_policy_document: pulumi.Output[str] = pulumi.Output.all(
            partition, region, account).apply(lambda v: json.dumps(document_dict([*guardrail_invoke_statements(
                [cfg.embedding_model], partition=v[0], region=v[1], account=v[2], guardrail_version_arn=None),
                LIST_MODELS_STATEMENT]), indent=2))
        embed = aws.iam.RolePolicy(
            f"{name}-kb-embed",
            role=self.role.name,
            policy=self.embedding_policy_document,
            opts=child,
        )
        read = lake.grant_read(self.role, prefix=cfg.data_lake_prefix, zone=cfg.data_lake_bucket)
        try:
            storage: Any = store.bedrock_storage_configuration()
            write = store.grant_write(self.role)
        except AiopsError as exc:
            raise ConfigError(f"{where}.vectorStore: {exc}") from None
        grants: list[pulumi.Resource] = [embed, read, *write]
        if storage.get("type") == "OPENSEARCH_SERVERLESS":
            # Bedrock checks the role against the collection's data access policy at creation;
            # a policy written seconds earlier may not have propagated yet.
            from pulumi_aiops.propagation_delay import PropagationDelay

            grants.append(PropagationDelay(
                f"{name}-aoss-access-propagation", seconds=AOSS_POLICY_PROPAGATION_SECONDS,
                triggers=[self.role.arn],
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(grants))))

        vector_cfg: dict[str, Any] = {"embedding_model_arn": self.embedding_model_arn}
        if cfg.dimensions is not None:
            vector_cfg["embedding_model_configuration"] = {"bedrock_embedding_model_configuration": {
                "dimensions": cfg.dimensions, "embedding_data_type": "FLOAT32"}}
        kb_config: Any = {"type": "VECTOR", "vector_knowledge_base_configuration": vector_cfg}
        self.knowledge_base = aws.bedrock.AgentKnowledgeBase(
            f"{name}-kb",
            name=f"{name}-{pulumi.get_stack()}",
            description=f"pulumi-aiops knowledge base over {cfg.data_lake_bucket}/"
            f"{cfg.data_lake_prefix}",
            role_arn=self.role.arn,
            knowledge_base_configuration=kb_config,
            storage_configuration=storage,
            tags=tags,
            # Bedrock checks the role's access to the store and model when the KB is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        source_config: Any = {"type": "S3", "s3_configuration": {
            "bucket_arn": lake.bucket_arn(cfg.data_lake_bucket),
            "inclusion_prefixes": [cfg.data_lake_prefix],
        }}
        ingestion: Any = {"chunking_configuration": chunking_configuration(cfg.chunking)}
        self.data_source = aws.bedrock.AgentDataSource(
            f"{name}-source",
            name=f"{name}-s3",
            knowledge_base_id=self.knowledge_base.id,
            data_deletion_policy=cfg.data_deletion_policy.value,
            data_source_configuration=source_config,
            vector_ingestion_configuration=ingestion,
            opts=child,
        )
        self._retrieve_grants: set[str] = set()
        self.knowledge_base_id = self.knowledge_base.id
        self.knowledge_base_arn = self.knowledge_base.arn
        self.register_outputs({
            "knowledgeBaseId": self.knowledge_base_id,
            "knowledgeBaseArn": self.knowledge_base_arn,
            "dataSourceId": self.data_source.data_source_id,
            "roleArn": self.role_arn,
            "embeddingModelArn": self.embedding_model_arn,
            "retainVectors": cfg.data_deletion_policy is DataDeletionPolicy.RETAIN,
        })

    def retrieve_policy_document(self) -> pulumi.Output[str]:
        """IAM policy allowing ``bedrock:Retrieve`` and ``bedrock:RetrieveAndGenerate`` on this KB.

        RetrieveAndGenerate also invokes a generation model with the caller's permissions, so
        the caller needs :meth:`BedrockAccess.grant_invoke` too (and passes the guardrail).
        """
        return document([statement("Allow", ["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"],
                                   self.knowledge_base.arn, sid="QueryKnowledgeBase")], indent=2)

    def grant_retrieve(self, role: aws.iam.Role, name: str | None = None) -> aws.iam.RolePolicy:
        """Let ``role`` (a workload's IRSA or pod-identity role) query this knowledge base."""
        suffix = name or getattr(role, "pulumi_resource_name", None)
        if not suffix:
            raise ConfigError("grant_retrieve: pass name=… for a role without a logical name")
        if suffix in self._retrieve_grants:
            raise ConfigError(f"KnowledgeBase({self._name!r}): retrieve is already granted to {suffix!r}")
        self._retrieve_grants.add(suffix)
        return aws.iam.RolePolicy(
            f"{self._name}-retrieve-{suffix}",
            role=role.name,
            policy=self.retrieve_policy_document(),
            opts=pulumi.ResourceOptions(parent=self),
        )
