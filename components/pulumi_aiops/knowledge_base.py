"""A Bedrock knowledge base over a data-lake prefix, stored in a vector store.

:class:`KnowledgeBase` creates:

* a service role that only Bedrock, acting for this account's knowledge bases, can assume, with
  least privilege: ``bedrock:InvokeModel`` on the one embedding model's ARN, read of the one
  data-lake prefix with ``kms:Decrypt`` on the lake key (through ``DataLake.grant_read``), and
  write access to the vector store (through ``VectorStore.grant_write``);
* an ``aws.bedrock.AgentKnowledgeBase`` of type ``VECTOR`` whose embedding model comes from the
  allowlist, stored as the vector store's ``bedrock_storage_configuration()`` says (OpenSearch
  Serverless or Aurora PostgreSQL);
* an ``aws.bedrock.AgentDataSource`` of type ``S3`` over the prefix, with the chunking
  configuration (FIXED_SIZE, HIERARCHICAL, SEMANTIC or NONE) and ``RETAIN`` data deletion.

Ingestion runs with ``aws bedrock-agent start-ingestion-job`` (or on a schedule); creating the
data source does not ingest.

The data lake and the vector store are duck-typed, so any object with the same methods works:

* data lake: ``bucket_arn(zone) -> Output[str]`` and ``grant_read(role, prefix=, zone=)``;
* vector store: ``bedrock_storage_configuration() -> dict`` (the ``storage_configuration`` of
  ``AgentKnowledgeBase``) and ``grant_write(role)``.

Example::

    kb = KnowledgeBase("handbook", {
        "embedding_model": "amazon.titan-embed-text-v2:0",
        "data_lake_prefix": "text/handbook/",
        "chunking": {"strategy": "HIERARCHICAL"},
        "data_lake": lake, "vector_store": store, "access": bedrock,
        "tags": platform.tags(),
    })
    kb.grant_retrieve(cluster.workload_role("chat", "apps", "chat"))  # Retrieve(AndGenerate)
    pulumi.export("kbId", kb.knowledge_base.id)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, TypedDict, runtime_checkable

import pulumi
import pulumi_aws as aws

from pulumi_aiops.bedrock_access import (
    BedrockAccess,
    foundation_model_arn,
    guardrail_invoke_statements,
)
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.bedrock import (
    ChunkingConfig,
    ChunkingStrategy,
    DataDeletionPolicy,
    KnowledgeBaseConfig,
)
from pulumi_aiops.errors import AiopsError, ConfigError

__all__ = [
    "KnowledgeBase",
    "KnowledgeBaseArgs",
    "KnowledgeBaseDataLake",
    "KnowledgeBaseVectorStore",
    "chunking_configuration",
    "knowledge_base_trust_policy",
]

#: Seconds to let a new OpenSearch Serverless data access policy take effect.
AOSS_POLICY_PROPAGATION_SECONDS = 60.0


@runtime_checkable
class KnowledgeBaseDataLake(Protocol):
    """What :class:`KnowledgeBase` needs of a data lake (``pulumi_aiops.data_lake.DataLake``)."""

    def bucket_arn(self, zone: Any = ...) -> pulumi.Output[str]: ...

    def grant_read(self, role: aws.iam.Role, prefix: str | None = None, zone: Any = ...) -> Any: ...


@runtime_checkable
class KnowledgeBaseVectorStore(Protocol):
    """What :class:`KnowledgeBase` needs of a vector store (``pulumi_aiops.vector_store``)."""

    def bedrock_storage_configuration(self) -> Any: ...

    def grant_write(self, role: aws.iam.Role) -> Any: ...


class KnowledgeBaseArgs(TypedDict, total=False):
    """Arguments of :class:`KnowledgeBase` (the config keys of ``bedrock.knowledgeBases[]``)."""

    embedding_model: str
    """An embedding model id from the catalogue (and from ``access``'s allowlist). Required."""
    data_lake_prefix: str
    """The S3 key prefix the data source reads, e.g. ``text/handbook/``. Required."""
    data_lake_bucket: str
    """The data-lake zone (bucket) holding the prefix. @default curated"""
    dimensions: int
    """Embedding vector size, when the model supports a choice. @default the model's default"""
    chunking: ChunkingConfig | Mapping[str, Any]
    """Chunking strategy and sizes. @default FIXED_SIZE, 300 tokens, 20% overlap"""
    data_deletion_policy: str
    """RETAIN or DELETE the vectors when the data source is deleted. @default RETAIN"""
    data_lake: KnowledgeBaseDataLake
    """The data lake holding the documents. Required."""
    vector_store: KnowledgeBaseVectorStore
    """The vector store (OpenSearch Serverless or Aurora PostgreSQL backend). Required."""
    access: BedrockAccess
    """The platform's Bedrock access; when given, the embedding model must be on its allowlist.
    @default none"""
    tags: Mapping[str, str]
    """Tags for every taggable resource. @default {}"""


def knowledge_base_trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Trust policy: Bedrock may assume the role for this account's knowledge bases only."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "BedrockKnowledgeBasesOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn":
                            f"arn:{partition}:bedrock:{region}:{account}:knowledge-base/*"},
            },
        }],
    }


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


def _flatten(items: Any) -> list[Any]:
    """Grant helpers return a resource, a list of resources, or None."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, (list, tuple)):
            out.extend(_flatten(item))
        elif item is not None:
            out.append(item)
    return out


class KnowledgeBase(pulumi.ComponentResource):
    """A Bedrock VECTOR knowledge base with an S3 data source over one data-lake prefix.

    Attributes: ``role``, ``role_trust_document``, ``embedding_policy_document``,
    ``knowledge_base``, ``data_source``, ``embedding_model_arn``, ``config``.
    """

    def __init__(
        self,
        name: str,
        args: KnowledgeBaseArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiops:bedrock:KnowledgeBase", name, None, opts)
        where = f"KnowledgeBase({name!r})"
        raw: dict[str, Any] = dict(args)
        lake: Any = raw.pop("data_lake", None)
        store: Any = raw.pop("vector_store", None)
        access: BedrockAccess | None = raw.pop("access", None)
        tags = dict(raw.pop("tags", None) or {})
        if lake is None or store is None:
            raise ConfigError(f"{where}: data_lake and vector_store are required")
        if not isinstance(store, KnowledgeBaseVectorStore):
            raise ConfigError(f"{where}.vector_store: {type(store).__name__} has no "
                              "bedrock_storage_configuration()/grant_write(); Qdrant is not a "
                              "Bedrock knowledge-base backend, use OpenSearch Serverless or Aurora")
        store_name = str(getattr(getattr(store, "config", None), "name", None)
                         or getattr(store, "pulumi_resource_name", None) or "store")
        cfg = validate_model(KnowledgeBaseConfig, {"name": name, "vector_store": store_name, **raw},
                             where)
        if access is not None and cfg.embedding_model not in access.models:
            raise ConfigError(
                f"{where}.embedding_model: {cfg.embedding_model!r} is not in the Bedrock "
                f"allowlist ({', '.join(access.models)}); add it to bedrock.models first")
        self.config = cfg
        child = pulumi.ResourceOptions(parent=self)
        inv = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region
        account = aws.get_caller_identity_output(opts=inv).account_id

        self.embedding_model_arn: pulumi.Output[str] = pulumi.Output.all(partition, region).apply(
            lambda v: foundation_model_arn(v[0], v[1], cfg.embedding_model))
        self.role_trust_document: pulumi.Output[str] = pulumi.Output.all(
            partition, region, account).apply(
            lambda v: json.dumps(knowledge_base_trust_policy(v[0], v[1], v[2]), indent=2))
        self.role = aws.iam.Role(
            f"{name}-kb",
            description=f"Bedrock knowledge base {name}: embed, read its data-lake prefix, "
            "write its vector store",
            assume_role_policy=self.role_trust_document,
            tags=tags,
            opts=child,
        )
        self.embedding_policy_document: pulumi.Output[str] = pulumi.Output.all(
            partition, region, account).apply(lambda v: json.dumps({
                "Version": "2012-10-17",
                "Statement": guardrail_invoke_statements(
                    [cfg.embedding_model], partition=v[0], region=v[1], account=v[2],
                    guardrail_version_arn=None),
            }, indent=2))
        embed = aws.iam.RolePolicy(
            f"{name}-kb-embed",
            role=self.role.name,
            policy=self.embedding_policy_document,
            opts=child,
        )
        read = lake.grant_read(self.role, prefix=cfg.data_lake_prefix, zone=cfg.data_lake_bucket)
        try:
            storage = store.bedrock_storage_configuration()
            write = store.grant_write(self.role)
        except AiopsError as exc:
            raise ConfigError(f"{where}.vector_store: {exc}") from None
        grants: list[pulumi.Resource] = [
            g for g in _flatten([embed, read, write]) if isinstance(g, pulumi.Resource)]
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
        self.register_outputs({
            "knowledgeBaseId": self.knowledge_base.id,
            "knowledgeBaseArn": self.knowledge_base.arn,
            "dataSourceId": self.data_source.data_source_id,
            "roleArn": self.role.arn,
            "embeddingModelArn": self.embedding_model_arn,
            "retainVectors": cfg.data_deletion_policy is DataDeletionPolicy.RETAIN,
        })

    def retrieve_policy_document(self) -> pulumi.Output[str]:
        """IAM policy allowing ``bedrock:Retrieve`` and ``bedrock:RetrieveAndGenerate`` on this KB.

        RetrieveAndGenerate also invokes a generation model with the caller's permissions, so
        the caller needs :meth:`BedrockAccess.grant_invoke` too (and passes the guardrail).
        """
        return self.knowledge_base.arn.apply(lambda arn: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "QueryKnowledgeBase",
                "Effect": "Allow",
                "Action": ["bedrock:Retrieve", "bedrock:RetrieveAndGenerate"],
                "Resource": arn,
            }],
        }, indent=2))

    def grant_retrieve(self, role: aws.iam.Role, name: str | None = None) -> aws.iam.RolePolicy:
        """Let ``role`` (a workload's IRSA or pod-identity role) query this knowledge base."""
        suffix = name or getattr(role, "pulumi_resource_name", None)
        if not suffix:
            raise ConfigError("grant_retrieve: pass name=… for a role without a logical name")
        if suffix in self._retrieve_grants:
            raise ConfigError(f"KnowledgeBase {self._name!r}: retrieve is already granted to {suffix!r}")
        self._retrieve_grants.add(suffix)
        return aws.iam.RolePolicy(
            f"{self._name}-retrieve-{suffix}",
            role=role.name,
            policy=self.retrieve_policy_document(),
            opts=pulumi.ResourceOptions(parent=self),
        )
