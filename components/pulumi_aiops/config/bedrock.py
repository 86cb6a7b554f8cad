"""Configuration of Bedrock access and knowledge bases (``aiops:platform.bedrock``).

Example stack config::

    bedrock:
      models:
        - us.anthropic.claude-sonnet-4-20250514-v1:0   # cross-region inference profile
        - amazon.nova-micro-v1:0                       # foundation model
        - amazon.titan-embed-text-v2:0                 # embedding model
      guardrail:
        piiEntities:
          - {type: EMAIL, action: ANONYMIZE}
          - {type: US_SOCIAL_SECURITY_NUMBER, action: BLOCK}
        deniedTopics:
          - {name: investment-advice, definition: "Advice on buying or selling securities."}
      invocationLogging: {retentionDays: 365}
      privateEndpoints: {cluster: gpu}
      knowledgeBases:
        - {name: handbook, embeddingModel: amazon.titan-embed-text-v2:0,
           dataLakePrefix: handbook/, vectorStore: kb}

Every model id is checked against ``catalog/bedrock_models.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.catalog.bedrock import (
    BedrockModel,
    InferenceProfile,
    bedrock_catalog,
    known_bedrock_ids,
    lookup_bedrock,
    profiles_of,
)
from pulumi_aiops.config.base import CLOUDWATCH_RETENTION_DAYS, AiopsModel, ConfigValueError, refuse_ignored

__all__ = [
    "CLOUDWATCH_RETENTION_DAYS",
    "BedrockAccessConfig",
    "BedrockConfig",
    "BedrockEndpointService",
    "ChunkingConfig",
    "ChunkingStrategy",
    "CommitmentDuration",
    "ContentFilter",
    "ContentFilterType",
    "DataDeletionPolicy",
    "DeniedTopic",
    "EndpointMode",
    "FilterStrength",
    "GuardrailConfig",
    "InvocationLoggingConfig",
    "KnowledgeBaseConfig",
    "KnowledgeBaseSpec",
    "LogDestination",
    "LoggedData",
    "PiiAction",
    "PiiEntity",
    "PiiEntityType",
    "PrivateEndpointsConfig",
    "PrivateEndpointsSpec",
    "ProvisionedThroughputConfig",
    "check_bedrock_references",
    "check_bedrock_region",
]


# -- guardrail ---------------------------------------------------------------------------------
class FilterStrength(StrEnum):
    """Strength of a guardrail content filter."""

    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ContentFilterType(StrEnum):
    """Bedrock guardrail content filter categories."""

    SEXUAL = "SEXUAL"
    VIOLENCE = "VIOLENCE"
    HATE = "HATE"
    INSULTS = "INSULTS"
    MISCONDUCT = "MISCONDUCT"
    PROMPT_ATTACK = "PROMPT_ATTACK"


class ContentFilter(AiopsModel):
    """One content filter. ``PROMPT_ATTACK`` applies to input only: its output must be NONE."""

    type: ContentFilterType = Field(description="The category, e.g. PROMPT_ATTACK. Required.")
    input_strength: FilterStrength = Field(FilterStrength.HIGH, description="@default HIGH")
    output_strength: FilterStrength = Field(FilterStrength.HIGH, description="@default HIGH (NONE for PROMPT_ATTACK)")

    @model_validator(mode="before")
    @classmethod
    def _prompt_attack_output_default(cls, data: object) -> object:
        if (
            isinstance(data, dict)
            and data.get("type") == ContentFilterType.PROMPT_ATTACK.value
            and "outputStrength" not in data
            and "output_strength" not in data
        ):
            return {**data, "outputStrength": FilterStrength.NONE.value}
        return data


def _default_filters() -> list[ContentFilter]:
    return [ContentFilter(type=t) for t in ContentFilterType if t is not ContentFilterType.PROMPT_ATTACK] + [
        ContentFilter(type=ContentFilterType.PROMPT_ATTACK, output_strength=FilterStrength.NONE)
    ]


class PiiAction(StrEnum):
    """What the guardrail does with a detected PII entity."""

    ANONYMIZE = "ANONYMIZE"
    BLOCK = "BLOCK"


class PiiEntityType(StrEnum):
    """PII entity types Bedrock guardrails detect."""

    ADDRESS = "ADDRESS"
    AGE = "AGE"
    AWS_ACCESS_KEY = "AWS_ACCESS_KEY"
    AWS_SECRET_KEY = "AWS_SECRET_KEY"
    CA_HEALTH_NUMBER = "CA_HEALTH_NUMBER"
    CA_SOCIAL_INSURANCE_NUMBER = "CA_SOCIAL_INSURANCE_NUMBER"
    CREDIT_DEBIT_CARD_CVV = "CREDIT_DEBIT_CARD_CVV"
    CREDIT_DEBIT_CARD_EXPIRY = "CREDIT_DEBIT_CARD_EXPIRY"
    CREDIT_DEBIT_CARD_NUMBER = "CREDIT_DEBIT_CARD_NUMBER"
    DRIVER_ID = "DRIVER_ID"
    EMAIL = "EMAIL"
    INTERNATIONAL_BANK_ACCOUNT_NUMBER = "INTERNATIONAL_BANK_ACCOUNT_NUMBER"
    IP_ADDRESS = "IP_ADDRESS"
    LICENSE_PLATE = "LICENSE_PLATE"
    MAC_ADDRESS = "MAC_ADDRESS"
    NAME = "NAME"
    PASSWORD = "PASSWORD"
    PHONE = "PHONE"
    PIN = "PIN"
    SWIFT_CODE = "SWIFT_CODE"
    UK_NATIONAL_HEALTH_SERVICE_NUMBER = "UK_NATIONAL_HEALTH_SERVICE_NUMBER"
    UK_NATIONAL_INSURANCE_NUMBER = "UK_NATIONAL_INSURANCE_NUMBER"
    UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER = "UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER"
    URL = "URL"
    USERNAME = "USERNAME"
    US_BANK_ACCOUNT_NUMBER = "US_BANK_ACCOUNT_NUMBER"
    US_BANK_ROUTING_NUMBER = "US_BANK_ROUTING_NUMBER"
    US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER = "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER"
    US_PASSPORT_NUMBER = "US_PASSPORT_NUMBER"
    US_SOCIAL_SECURITY_NUMBER = "US_SOCIAL_SECURITY_NUMBER"
    VEHICLE_IDENTIFICATION_NUMBER = "VEHICLE_IDENTIFICATION_NUMBER"


class PiiEntity(AiopsModel):
    """One PII entity type and what to do with it."""

    type: PiiEntityType = Field(description="The PII entity type, e.g. EMAIL. Required.")
    action: PiiAction = Field(PiiAction.ANONYMIZE, description="@default ANONYMIZE")


def _default_pii() -> list[PiiEntity]:
    anonymize = (
        PiiEntityType.NAME,
        PiiEntityType.EMAIL,
        PiiEntityType.PHONE,
        PiiEntityType.ADDRESS,
    )
    block = (
        PiiEntityType.US_SOCIAL_SECURITY_NUMBER,
        PiiEntityType.CREDIT_DEBIT_CARD_NUMBER,
        PiiEntityType.AWS_ACCESS_KEY,
        PiiEntityType.AWS_SECRET_KEY,
        PiiEntityType.PASSWORD,
    )
    return [PiiEntity(type=t, action=PiiAction.ANONYMIZE) for t in anonymize] + [
        PiiEntity(type=t, action=PiiAction.BLOCK) for t in block
    ]


class DeniedTopic(AiopsModel):
    """A topic the guardrail refuses, in input and output."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[0-9a-zA-Z\-_ !?.]+$",
        description="Topic name. Required.",
    )
    definition: str = Field(min_length=1, max_length=200, description="What the topic covers. Required.")
    examples: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="Up to 5 example phrases (100 chars each). @default []",
    )

    @field_validator("examples")
    @classmethod
    def _example_length(cls, v: list[str]) -> list[str]:
        for i, e in enumerate(v):
            if not 0 < len(e) <= 100:
                raise ConfigValueError("must be 1-100 characters long", loc=(i,), value=e)
        return v


class GuardrailConfig(AiopsModel):
    """The guardrail every model invocation must carry (enforced through IAM)."""

    content_filters: list[ContentFilter] = Field(
        default_factory=_default_filters,
        description="Content filters. PROMPT_ATTACK is always present at input HIGH / output NONE. "
        "@default SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT at HIGH; PROMPT_ATTACK HIGH/NONE",
    )
    pii_entities: list[PiiEntity] = Field(
        default_factory=_default_pii,
        description="PII entities to ANONYMIZE or BLOCK. @default names, emails, phones, addresses "
        "anonymized; SSNs, card numbers, AWS keys, passwords blocked",
    )
    denied_topics: list[DeniedTopic] = Field(default_factory=list, description="@default []")
    blocked_input_message: str = Field(
        "This request was blocked by the platform's content policy.",
        min_length=1,
        max_length=500,
        description="Returned when the input is blocked. @default a generic refusal",
    )
    blocked_output_message: str = Field(
        "The response was blocked by the platform's content policy.",
        min_length=1,
        max_length=500,
        description="Returned when the output is blocked. @default a generic refusal",
    )

    @field_validator("content_filters")
    @classmethod
    def _filters(cls, v: list[ContentFilter]) -> list[ContentFilter]:
        seen: set[ContentFilterType] = set()
        for i, f in enumerate(v):
            if f.type in seen:
                raise ConfigValueError("appears twice; give each filter type once", loc=(i, "type"), value=f.type.value)
            seen.add(f.type)
            if f.type is ContentFilterType.PROMPT_ATTACK:
                if f.output_strength is not FilterStrength.NONE:
                    raise ConfigValueError(
                        "is not allowed: the PROMPT_ATTACK filter applies to input only, its "
                        "outputStrength must be NONE",
                        loc=(i, "outputStrength"),
                        value=f.output_strength.value,
                    )
                if f.input_strength is not FilterStrength.HIGH:
                    raise ConfigValueError(
                        "is not allowed: the platform baseline is PROMPT_ATTACK inputStrength HIGH",
                        loc=(i, "inputStrength"),
                        value=f.input_strength.value,
                    )
        if ContentFilterType.PROMPT_ATTACK not in seen:
            v = [
                *v,
                ContentFilter(type=ContentFilterType.PROMPT_ATTACK, output_strength=FilterStrength.NONE),
            ]
        return v

    @field_validator("pii_entities")
    @classmethod
    def _pii(cls, v: list[PiiEntity]) -> list[PiiEntity]:
        seen: set[PiiEntityType] = set()
        for i, p in enumerate(v):
            if p.type in seen:
                raise ConfigValueError("appears twice; give each PII type once", loc=(i, "type"), value=p.type.value)
            seen.add(p.type)
        return v

    @field_validator("denied_topics")
    @classmethod
    def _topics(cls, v: list[DeniedTopic]) -> list[DeniedTopic]:
        if len(v) > 30:
            raise ConfigValueError("has more than 30 topics, the Bedrock limit", value=len(v))
        names = [t.name for t in v]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise ConfigValueError("appears twice; topic names must be unique", loc=(i, "name"), value=n)
        return v


# -- invocation logging ------------------------------------------------------------------------
#: Retention values CloudWatch Logs accepts (days).


class LogDestination(StrEnum):
    """Where model invocation logs go."""

    S3 = "S3"
    CLOUDWATCH = "CLOUDWATCH"


class LoggedData(StrEnum):
    """Which payloads invocation logging delivers."""

    TEXT = "TEXT"
    IMAGE = "IMAGE"
    EMBEDDING = "EMBEDDING"
    VIDEO = "VIDEO"


class InvocationLoggingConfig(AiopsModel):
    """Model invocation logging (the account-region setting) to KMS-encrypted S3 and CloudWatch."""

    destinations: list[LogDestination] = Field(
        default_factory=lambda: [LogDestination.S3, LogDestination.CLOUDWATCH],
        description="Destinations; [] disables invocation logging. @default [S3, CLOUDWATCH]",
    )
    retention_days: int = Field(365, description="CloudWatch log retention. @default 365")
    s3_key_prefix: str = Field(
        "bedrock-invocations",
        min_length=1,
        description="Key prefix in the log bucket. @default bedrock-invocations",
    )
    s3_archive_days: int = Field(
        90, ge=1, description="Days before S3 logs move to Glacier Instant Retrieval. @default 90"
    )
    s3_expire_days: int | None = Field(
        None, ge=1, description="Days before S3 logs expire. @default none (kept)"
    )
    data: list[LoggedData] = Field(
        default_factory=lambda: [LoggedData.TEXT, LoggedData.IMAGE, LoggedData.EMBEDDING],
        description="Payload kinds delivered. @default [TEXT, IMAGE, EMBEDDING]",
    )

    @field_validator("s3_key_prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        # Bedrock writes <prefix>/AWSLogs/...: a leading or trailing '/' would make the bucket
        # policy's resource ('prefix//AWSLogs') miss what Bedrock writes.
        stripped = v.strip("/")
        if not stripped or not re.fullmatch(r"[A-Za-z0-9!_.*'()/-]+", stripped):
            raise ConfigValueError("is not a usable S3 key prefix; use letters, digits and !_.*'()-/")
        return stripped

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in CLOUDWATCH_RETENTION_DAYS:
            raise ConfigValueError(
                f"is not a CloudWatch Logs retention period; allowed: {', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))}",
                value=v,
            )
        return v

    @field_validator("destinations")
    @classmethod
    def _unique_dest(cls, v: list[LogDestination]) -> list[LogDestination]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _unused(self) -> InvocationLoggingConfig:
        if LogDestination.CLOUDWATCH not in self.destinations:
            refuse_ignored(self, ("retention_days",), "without CLOUDWATCH in destinations; remove it")
        if LogDestination.S3 not in self.destinations:
            refuse_ignored(self, ("s3_key_prefix", "s3_archive_days", "s3_expire_days"),
                           "without S3 in destinations; remove it")
        return self


# -- private endpoints -------------------------------------------------------------------------
class EndpointMode(StrEnum):
    """Whether Bedrock is reached through interface VPC endpoints."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class BedrockEndpointService(StrEnum):
    """Bedrock interface endpoint services (``com.amazonaws.<region>.<value>``)."""

    BEDROCK = "bedrock"
    BEDROCK_RUNTIME = "bedrock-runtime"
    BEDROCK_AGENT = "bedrock-agent"
    BEDROCK_AGENT_RUNTIME = "bedrock-agent-runtime"


class PrivateEndpointsSpec(AiopsModel):
    """Interface VPC endpoints with private DNS (the component takes the VPC as ``vpcId``)."""

    model_config = ConfigDict(title="BedrockPrivateEndpointsArgs")

    mode: EndpointMode = Field(EndpointMode.ENABLED, description="@default ENABLED")
    services: list[BedrockEndpointService] = Field(
        default_factory=lambda: [
            BedrockEndpointService.BEDROCK,
            BedrockEndpointService.BEDROCK_RUNTIME,
            BedrockEndpointService.BEDROCK_AGENT_RUNTIME,
        ],
        min_length=1,
        description="@default [bedrock, bedrock-runtime, bedrock-agent-runtime]",
    )

    @model_validator(mode="after")
    def _unused(self) -> PrivateEndpointsSpec:
        if self.mode is EndpointMode.DISABLED:
            refuse_ignored(self, ("services",), "with mode DISABLED: no endpoint is created; remove it")
        return self


class PrivateEndpointsConfig(PrivateEndpointsSpec):
    """The ``bedrock.privateEndpoints`` section: the endpoints, and the cluster whose VPC gets them."""

    cluster: str | None = Field(
        None,
        description="The EKS cluster (config name) whose VPC gets the endpoints. @default the stack's `eks` cluster",
    )


# -- provisioned throughput --------------------------------------------------------------------
class CommitmentDuration(StrEnum):
    """Provisioned throughput commitment term."""

    NONE = "NONE"
    ONE_MONTH = "OneMonth"
    SIX_MONTHS = "SixMonths"


class ProvisionedThroughputConfig(AiopsModel):
    """Provisioned throughput for one allowlisted foundation model."""

    name: str = Field(
        min_length=1,
        max_length=63,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*$",
        description="Provisioned model name. Required.",
    )
    model: str = Field(description="A foundation model id from `models` (not a profile). Required.")
    model_units: int = Field(ge=1, description="Model units. Required.")
    commitment: CommitmentDuration = Field(CommitmentDuration.NONE, description="@default NONE")


# -- knowledge bases ---------------------------------------------------------------------------
class ChunkingStrategy(StrEnum):
    """How a knowledge base data source splits documents."""

    FIXED_SIZE = "FIXED_SIZE"
    HIERARCHICAL = "HIERARCHICAL"
    SEMANTIC = "SEMANTIC"
    NONE = "NONE"


class ChunkingConfig(AiopsModel):
    """Chunking of a knowledge base data source; the fields used depend on ``strategy``."""

    strategy: ChunkingStrategy = Field(ChunkingStrategy.FIXED_SIZE, description="@default FIXED_SIZE")
    max_tokens: int = Field(300, ge=1, le=8192, description="FIXED_SIZE and SEMANTIC: tokens per chunk. @default 300")
    overlap_percentage: int = Field(20, ge=1, le=99, description="FIXED_SIZE: overlap between chunks, %. @default 20")
    parent_max_tokens: int = Field(1500, ge=1, le=8192, description="HIERARCHICAL: parent chunk tokens. @default 1500")
    child_max_tokens: int = Field(300, ge=1, le=8192, description="HIERARCHICAL: child chunk tokens. @default 300")
    overlap_tokens: int = Field(60, ge=1, description="HIERARCHICAL: overlap tokens. @default 60")
    buffer_size: int = Field(0, ge=0, le=1, description="SEMANTIC: sentences around each sentence. @default 0")
    breakpoint_percentile_threshold: int = Field(
        95, ge=50, le=99, description="SEMANTIC: dissimilarity percentile that splits. @default 95"
    )

    @model_validator(mode="after")
    def _hierarchy(self) -> ChunkingConfig:
        if self.strategy is ChunkingStrategy.HIERARCHICAL and self.child_max_tokens > self.parent_max_tokens:
            raise ConfigValueError(
                f"must not exceed parentMaxTokens ({self.parent_max_tokens})",
                loc=("childMaxTokens",),
                value=self.child_max_tokens,
            )
        return self


class DataDeletionPolicy(StrEnum):
    """What happens to vectors when the data source is deleted."""

    RETAIN = "RETAIN"
    DELETE = "DELETE"


class KnowledgeBaseSpec(AiopsModel):
    """A Bedrock knowledge base over a data-lake prefix: what the stack entry and the component's
    arguments (:class:`~pulumi_aiops.knowledge_base.KnowledgeBaseArgsModel`) share."""

    embedding_model: str = Field(description="An embedding model id from `models`. Required.")
    data_lake_prefix: str = Field(min_length=1, description="S3 prefix in the data lake, e.g. `handbook/`. Required.")
    data_lake_bucket: str = Field(
        "curated", min_length=1, description="Which data-lake bucket (zone). @default curated"
    )
    dimensions: int | None = Field(None, gt=0, description="Embedding dimensions. @default the model's default")
    chunking: ChunkingConfig = Field(default_factory=ChunkingConfig, description="@default FIXED_SIZE 300/20%")
    data_deletion_policy: DataDeletionPolicy = Field(DataDeletionPolicy.RETAIN, description="@default RETAIN")

    @field_validator("embedding_model")
    @classmethod
    def _embedding(cls, v: str) -> str:
        embeddings = known_bedrock_ids(embedding=True)
        if v not in embeddings:
            what = (
                "is not an embedding model" if v in known_bedrock_ids() else "is not a Bedrock model this library knows"
            )
            raise ConfigValueError(f"{what}; known embedding models: {', '.join(embeddings)}", value=v)
        return v

    @field_validator("data_lake_prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        if v.startswith("/") or "*" in v or ".." in v:
            raise ConfigValueError("is not a plain S3 key prefix (no leading '/', '*' or '..')", value=v)
        return v if v.endswith("/") else v + "/"


class KnowledgeBaseConfig(KnowledgeBaseSpec):
    """A ``bedrock.knowledgeBases[]`` entry: a knowledge base, named, stored in a named vector store."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[0-9a-zA-Z][_\-0-9a-zA-Z]*$",
        description="Knowledge base name. Required.",
    )
    vector_store: str = Field(min_length=1, description="The vector store's config name. Required.")


# -- the section -------------------------------------------------------------------------------
class BedrockAccessConfig(AiopsModel):
    """What :class:`~pulumi_aiops.bedrock_access.BedrockAccess` configures (its arguments add the
    VPC wiring and tags: :class:`~pulumi_aiops.bedrock_access.BedrockAccessArgsModel`)."""

    models: list[str] = Field(
        min_length=1,
        description="The model allowlist: foundation model ids and cross-region inference profile ids. Required.",
    )
    guardrail: GuardrailConfig = Field(default_factory=GuardrailConfig, description="@default baseline")
    invocation_logging: InvocationLoggingConfig = Field(
        default_factory=InvocationLoggingConfig, description="@default S3 + CloudWatch, 365 days"
    )
    private_endpoints: PrivateEndpointsSpec = Field(
        default_factory=PrivateEndpointsSpec, description="@default ENABLED"
    )
    provisioned_throughput: list[ProvisionedThroughputConfig] = Field(default_factory=list, description="@default []")

    @field_validator("models")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        known = known_bedrock_ids()
        for i, m in enumerate(v):
            if m not in known:
                raise ConfigValueError(
                    f"is not a Bedrock model or inference profile this library knows; known: "
                    f"{', '.join(known)} (add rows to catalog/bedrock_models.toml)",
                    loc=(i,),
                    value=m,
                )
            if m in v[:i]:
                raise ConfigValueError("appears twice in the allowlist", loc=(i,), value=m)
        return v

    @model_validator(mode="after")
    def _throughput_models(self) -> BedrockAccessConfig:
        names: list[str] = []
        for i, pt in enumerate(self.provisioned_throughput):
            if pt.model not in self.models:
                raise ConfigValueError(
                    f"is not in the allowlist `models` ({', '.join(self.models)})",
                    loc=("provisionedThroughput", i, "model"),
                    value=pt.model,
                )
            if lookup_bedrock(pt.model).is_profile:
                raise ConfigValueError(
                    "is an inference profile; provisioned throughput needs a foundation model id",
                    loc=("provisionedThroughput", i, "model"),
                    value=pt.model,
                )
            if pt.name in names:
                raise ConfigValueError("appears twice", loc=("provisionedThroughput", i, "name"), value=pt.name)
            names.append(pt.name)
        return self


class BedrockConfig(BedrockAccessConfig):
    """The ``bedrock`` section: allowlist, guardrail, logging, endpoints, knowledge bases."""

    private_endpoints: PrivateEndpointsConfig = Field(
        default_factory=PrivateEndpointsConfig, description="@default ENABLED"
    )
    knowledge_bases: list[KnowledgeBaseConfig] = Field(default_factory=list, description="@default []")

    def access(self) -> BedrockAccessConfig:
        """The part :class:`BedrockAccess` configures (no knowledge bases, no cluster name)."""
        return BedrockAccessConfig.model_validate(self.model_dump(
            exclude={"knowledge_bases": True, "private_endpoints": {"cluster"}}))

    @model_validator(mode="after")
    def _kb_models(self) -> BedrockConfig:
        names: list[str] = []
        for i, kb in enumerate(self.knowledge_bases):
            if kb.embedding_model not in self.models:
                raise ConfigValueError(
                    f"is not in the allowlist `models` ({', '.join(self.models)}); add it there first",
                    loc=("knowledgeBases", i, "embeddingModel"),
                    value=kb.embedding_model,
                )
            if kb.name in names:
                raise ConfigValueError(
                    "appears twice; knowledge base names must be unique",
                    loc=("knowledgeBases", i, "name"),
                    value=kb.name,
                )
            names.append(kb.name)
        return self


def check_bedrock_references(platform: Any) -> None:
    """Check ``bedrock`` against the rest of a :class:`PlatformConfig` (called by its validator).

    * private endpoints name an EKS cluster of the stack (or the stack has an ``eks`` cluster);
    * each knowledge base has a data lake, a zone that exists, and a declared vector store with
      a Bedrock-capable backend and the embedding model's dimensions;
    * with ``allowedRegions`` set, every inference profile routes only to allowed regions (a
      cross-region profile processes prompts in each destination region).

    Raises :class:`ConfigValueError` with a location under ``bedrock``.
    """
    b: BedrockConfig | None = platform.bedrock
    if b is None:
        return
    eks = [c.name for c in platform.clusters() if c.cloud == "aws"]
    ep = b.private_endpoints
    if ep.mode is EndpointMode.ENABLED:
        if ep.cluster is None and platform.eks is None:
            raise ConfigValueError(
                f"needs an EKS cluster's VPC; set privateEndpoints.cluster to one of {eks} or "
                "privateEndpoints.mode: DISABLED",
                loc=("bedrock", "privateEndpoints", "mode"),
                value=ep.mode.value,
            )
        if ep.cluster is not None and ep.cluster not in eks:
            raise ConfigValueError(
                f"is not an EKS cluster of this stack; EKS clusters: {eks}",
                loc=("bedrock", "privateEndpoints", "cluster"),
                value=ep.cluster,
            )
    allowed = list(platform.allowed_regions or [])
    if allowed:
        for i, model_id in enumerate(b.models):
            prof = lookup_bedrock(model_id).profile
            if prof is None:
                continue
            # The stack's region is one of allowedRegions: what matters is where the profile
            # routes from those.
            callers = [r for r in prof.source_regions if r in allowed]
            fm = lookup_bedrock(prof.model).foundation
            served = [r for r in allowed if fm.invocable_in(r)]
            if not callers:
                fits = [p.id for p in profiles_of(prof.model) if any(
                    set(p.destinations_from(r)) <= set(allowed) for r in allowed if r in p.source_regions)]
                if fits:
                    instead = f"use {fits[0]!r}"
                elif served:
                    instead = f"use the in-region model id {prof.model!r} (served in {', '.join(served)})"
                else:
                    instead = f"choose a model served in-region in {', '.join(allowed)}"
                raise ConfigValueError(
                    f"cannot be called from any region of allowedRegions ({', '.join(allowed)}): its source "
                    f"regions are {', '.join(prof.source_regions)}; {instead}",
                    loc=("bedrock", "models", i),
                    value=model_id,
                )
            reach = sorted({d for r in callers for d in prof.destinations_from(r)})
            outside = [r for r in reach if r not in allowed]
            if outside:
                instead = (f"use the in-region model id {prof.model!r} (served in {', '.join(served)})" if served
                           else f"choose a model served in-region in {', '.join(allowed)}")
                raise ConfigValueError(
                    f"routes requests to {', '.join(outside)}, outside allowedRegions "
                    f"({', '.join(allowed)}); allow those regions or {instead}",
                    loc=("bedrock", "models", i),
                    value=model_id,
                )
    stores = {vs.name: vs for vs in platform.vector_stores}
    for i, kb in enumerate(b.knowledge_bases):
        where = ("bedrock", "knowledgeBases", i)
        if platform.data_lake is None:
            raise ConfigValueError(
                "needs the dataLake section: the data source reads a lake prefix",
                loc=(*where, "dataLakePrefix"),
                value=kb.data_lake_prefix,
            )
        zones = ["raw", "curated"] + (["audit"] if platform.data_lake.audit is not None else [])
        if kb.data_lake_bucket not in zones:
            raise ConfigValueError(
                f"is not a data-lake zone of this stack; zones: {zones}",
                loc=(*where, "dataLakeBucket"),
                value=kb.data_lake_bucket,
            )
        store = stores.get(kb.vector_store)
        if store is None:
            raise ConfigValueError(
                f"is not a vector store of this stack; vectorStores: {sorted(stores)}",
                loc=(*where, "vectorStore"),
                value=kb.vector_store,
            )
        backend = getattr(store.backend, "value", store.backend)
        if backend not in ("opensearch-serverless", "aurora-pgvector"):
            raise ConfigValueError(
                f"uses backend {backend}, which Bedrock knowledge bases cannot use; use an "
                "opensearch-serverless or aurora-pgvector store",
                loc=(*where, "vectorStore"),
                value=kb.vector_store,
            )
        dims = kb.dimensions or lookup_bedrock(kb.embedding_model).foundation.dimensions
        if dims != store.dimensions:
            raise ConfigValueError(
                f"embeds {dims}-dimension vectors but vector store {store.name!r} has dimensions "
                f"{store.dimensions}; make them equal",
                loc=(*where, "embeddingModel"),
                value=kb.embedding_model,
            )


# -- where the allowlisted models are served ------------------------------------------------------
def check_bedrock_region(
    platform: Any,
    region: str,
    prefix: str = "aiops:platform",
    warn: Callable[[str], None] | None = None,
) -> list[str]:
    """Problems with invoking the allowlisted models from the stack's region ``region``.

    * a foundation model id (``bedrock.models[i]``, a knowledge base's ``embeddingModel``) must be
      served on demand in-region there (``in_regions`` of ``catalog/bedrock_models.toml``); if it
      is not, the problem names where it is served and suggests an inference profile callable
      from ``region`` whose destinations ``allowedRegions`` holds (or says which are outside);
    * an inference profile must list ``region`` among its source regions.

    A model whose in-region data the catalogue marks unverified is not refused: ``warn`` (default
    ``pulumi.log.warn``) gets a note that it cannot be confirmed. Returns the problems, each
    ``"<key path>: '<value>' <what is wrong and what to do>"``.
    """
    b: BedrockConfig | None = platform.bedrock
    if b is None:
        return []
    if warn is None:
        import pulumi

        warn = pulumi.log.warn
    allowed = list(platform.allowed_regions or [])
    problems: list[str] = []
    warned: set[str] = set()
    uses = [(f"{prefix}.bedrock.models[{i}]", m) for i, m in enumerate(b.models)]
    uses += [(f"{prefix}.bedrock.knowledgeBases[{i}].embeddingModel", kb.embedding_model)
             for i, kb in enumerate(b.knowledge_bases)]
    for where, model_id in uses:
        entry = lookup_bedrock(model_id)
        if entry.profile is not None:
            if region not in entry.profile.source_regions:
                problems.append(
                    f"{where}: {model_id!r} cannot be called from aws:region {region!r}: its source regions are "
                    f"{', '.join(entry.profile.source_regions)} ({_cite(entry.profile.source)}). "
                    + _alternatives(entry.foundation, region, allowed))
            continue
        served = entry.foundation.invocable_in(region)
        if served is None:
            if model_id not in warned:
                warned.add(model_id)
                warn(f"{where}: cannot confirm that {model_id!r} can be invoked on demand in aws:region {region!r} "
                     f"({entry.foundation.in_region_source}); if Bedrock answers \"on-demand throughput isn't "
                     f"supported\", {_lower_first(_alternatives(entry.foundation, region, allowed))}")
        elif not served:
            fm = entry.foundation
            where_served = (f"in-region only in {', '.join(fm.in_regions)}" if fm.in_regions
                            else "only through inference profiles, in no region by its own id")
            problems.append(
                f"{where}: {model_id!r} cannot be invoked on demand in aws:region {region!r}: Bedrock serves it "
                f"{where_served} ({_cite(fm.in_region_source)}). " + _alternatives(fm, region, allowed))
    return problems


def _alternatives(fm: BedrockModel, region: str, allowed: list[str]) -> str:
    """What to use instead of ``fm`` (or one of its profiles) from ``region``."""
    callable_here: list[tuple[InferenceProfile, tuple[str, ...]]] = [
        (p, p.destinations_from(region)) for p in profiles_of(fm.id) if region in p.source_regions]
    fits = [(p, d) for p, d in callable_here if not allowed or set(d) <= set(allowed)]
    if fm.invocable_in(region):
        return f"Use the foundation model id {fm.id!r}, served in-region in {region}."
    if fits:
        p, dests = fits[0]
        within = "all within allowedRegions" if allowed else "allowedRegions is not set"
        return (f"Use the inference profile {p.id!r}: called from {region} it routes to "
                f"{', '.join(dests)} ({within}).")
    kin = [m.id for m in _served_in(region) if m.embedding == fm.embedding and m.id != fm.id]
    others = (f"choose a model served in-region in {region} ({', '.join(kin)})" if kin
              else f"no other catalogued {'embedding ' if fm.embedding else ''}model is served in-region in {region}")
    if callable_here:
        p, dests = callable_here[0]
        outside = [r for r in dests if r not in allowed]
        return (f"Its inference profile {p.id!r} would route requests from {region} to {', '.join(dests)}, of which "
                f"{', '.join(outside)} are outside allowedRegions ({', '.join(allowed)}): allow them, or {others}.")
    return f"No inference profile of it can be called from {region}: {others}."


def _cite(source: str) -> str:
    """The first clause of a catalogue ``source`` (the document and its date)."""
    first = source.split(";")[0]
    head, sep, _ = first.partition("): ")
    return head + ")" if sep else first


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _served_in(region: str) -> list[BedrockModel]:
    seen: dict[str, BedrockModel] = {}
    for e in bedrock_catalog().values():
        if e.profile is None and e.foundation.invocable_in(region):
            seen[e.foundation.id] = e.foundation
    return list(seen.values())
