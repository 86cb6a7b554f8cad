"""Configuration of the governed data layer.

Three sections of ``aiops:platform``: ``dataLake`` (:class:`DataLakeConfig`), ``vectorStores``
(a list of :class:`VectorStoreConfig`) and ``featureStore`` (:class:`FeatureStoreConfig`).
The same models define the component arguments of
:class:`~pulumi_aiops.data_lake.DataLake`, :class:`~pulumi_aiops.vector_store.VectorStore` and
:class:`~pulumi_aiops.feature_store.FeatureStore`: each component module extends its section
with the wiring fields (other components, ``tags``). A vector store's stack entry also names the
cluster it runs on (``qdrant.cluster``, ``opensearch.vpcCluster``, ``aurora.vpcCluster``); the
component takes the cluster or network itself instead (:class:`VectorStoreSpec` and its parts
are what both share).

Example stack file section::

    dataLake:
      classification: confidential
      source: support-tickets
      teams:
        - {name: search, zone: curated, prefixes: [text/], access: read}
    vectorStores:
      - name: kb
        backend: opensearch-serverless
        opensearch: {adminPrincipals: ["arn:aws:iam::123456789012:role/deployer"]}
    featureStore:
      featureGroups:
        - name: user-profile
          recordIdentifier: user_id
          eventTime: event_time
          features:
            - {name: user_id, type: String}
            - {name: event_time, type: Fractional}
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.aws.formats import IAM_PRINCIPAL, IAM_ROLE_OR_USER, KMS_KEY_ARN, check_known, check_known_list
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, refuse_ignored
from pulumi_aiops.config.governance import DataClassification

__all__ = [
    "AossSourceService",
    "AuditConfig",
    "AuroraVectorConfig",
    "AuroraVectorSpec",
    "DataLakeConfig",
    "DataZone",
    "FeatureDefinitionConfig",
    "FeatureGroupConfig",
    "FeatureStoreConfig",
    "FeatureType",
    "LifecycleConfig",
    "Modality",
    "ObjectLockMode",
    "OpenSearchVectorConfig",
    "OpenSearchVectorSpec",
    "QdrantConfig",
    "QdrantResourcesConfig",
    "QdrantSpec",
    "StandbyReplicas",
    "StatementLogging",
    "TeamAccess",
    "TeamConfig",
    "VectorBackend",
    "VectorStoreConfig",
    "VectorStoreSpec",
]


class Modality(StrEnum):
    """A kind of unstructured data; each has its own top-level prefix in every zone."""

    TEXT = "text"
    AUDIO = "audio"
    IMAGES = "images"
    VIDEO = "video"


class DataZone(StrEnum):
    """A data-lake zone, one bucket each. ``audit`` exists only when ``audit`` is configured."""

    RAW = "raw"
    CURATED = "curated"
    AUDIT = "audit"


class TeamAccess(StrEnum):
    """What a team may do under its prefixes."""

    READ = "read"
    WRITE = "write"


class ObjectLockMode(StrEnum):
    """S3 Object Lock default retention mode of the audit bucket."""

    GOVERNANCE = "governance"
    COMPLIANCE = "compliance"


class LifecycleConfig(AiopsModel):
    """Storage tiers of the raw and curated buckets."""

    model_config = ConfigDict(title="DataLakeLifecycleArgs")

    infrequent_access_days: int = Field(
        30, ge=30, description="Move current objects to STANDARD_IA after N days (S3 minimum 30). @default 30"
    )
    glacier_days: int = Field(
        90, ge=31, description="Move current objects to GLACIER_IR after N days. @default 90"
    )
    noncurrent_expiry_days: int = Field(
        90, ge=1, description="Delete non-current versions N days after they become non-current. @default 90"
    )
    abort_multipart_days: int = Field(
        7, ge=1, description="Abort incomplete multipart uploads after N days. @default 7"
    )

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleConfig:
        # S3 keeps objects at least 30 days in STANDARD_IA before a later transition.
        if self.glacier_days < self.infrequent_access_days + 30:
            raise ConfigValueError(
                f"must be at least 30 days after infrequentAccessDays ({self.infrequent_access_days}): "
                "S3 keeps objects 30 days in STANDARD_IA before the next transition",
                loc=("glacierDays",), value=self.glacier_days,
            )
        return self


class AuditConfig(AiopsModel):
    """The audit bucket: write-once (S3 Object Lock) storage for audit evidence."""

    model_config = ConfigDict(title="DataLakeAuditArgs")

    object_lock: ObjectLockMode = Field(
        ObjectLockMode.GOVERNANCE,
        description="Default retention mode; compliance cannot be shortened even by root. @default governance",
    )
    retention_days: int = Field(365, ge=1, le=36500, description="Default lock period. @default 365")


class TeamConfig(AiopsModel):
    """One team's access to the lake: an IAM role with prefix-scoped grants."""

    model_config = ConfigDict(title="DataLakeTeamArgs")

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}$", description="Team name (role suffix). Required.")
    zone: DataZone = Field(DataZone.CURATED, description="The zone the prefixes are in. @default curated")
    prefixes: list[str] = Field(
        min_length=1,
        description="Key prefixes, each starting with a modality, e.g. `text/tickets/`. Required.",
    )
    access: TeamAccess = Field(TeamAccess.READ, description="read or write. @default read")
    trusted_principals: list[Wired[str]] = Field(
        default_factory=list,
        description="IAM ARNs (or a role's `arn` output) that may assume the team role. "
        "@default [] = the account root (IAM decides)",
    )

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, v: list[str]) -> list[str]:
        modalities = [m.value for m in Modality]
        for i, p in enumerate(v):
            head = p.split("/", 1)[0]
            if "*" in p or "?" in p or p.startswith("/") or head not in modalities or "/" not in p:
                raise ConfigValueError(
                    f"is not a key prefix this lake serves; a prefix starts with a modality folder "
                    f"({', '.join(m + '/' for m in modalities)}) and has no wildcards",
                    loc=(i,), value=p,
                )
        return v

    @field_validator("trusted_principals")
    @classmethod
    def _principals(cls, v: list[Any]) -> list[Any]:
        return check_known_list(v, IAM_PRINCIPAL)


class DataLakeConfig(AiopsModel):
    """The multimodal data lake: raw, curated and (optional) audit buckets, one KMS key."""

    classification: DataClassification | None = Field(
        None, description="`data-classification` tag of the lake. @default governance.dataClassification"
    )
    source: str = Field("mixed", min_length=1, description="Lineage `source` tag. @default mixed")
    retention_days: int = Field(
        730, ge=1, description="Retention the owner commits to (`retention` tag). @default 730"
    )
    modalities: list[Modality] = Field(
        default_factory=lambda: list(Modality),
        min_length=1,
        description="Modality prefixes the lake serves. @default [text, audio, images, video]",
    )
    lifecycle: LifecycleConfig = Field(default_factory=LifecycleConfig, description="@default tiers above")
    audit: AuditConfig | None = Field(
        None, description="Create the object-locked audit bucket. @default none"
    )
    teams: list[TeamConfig] = Field(default_factory=list, description="Per-team roles. @default []")
    key_rotation_days: int = Field(
        365, ge=90, le=2560, description="Rotation period of the lake's KMS key. @default 365"
    )
    kms_key_arn: Wired[str] | None = Field(
        None, description="Bring your own KMS key (its ARN) for every lake bucket; its key policy must let "
        "the account's IAM policies use it. @default none (create a rotating key)",
    )

    @field_validator("kms_key_arn")
    @classmethod
    def _key(cls, v: Any) -> Any:
        return check_known(v, KMS_KEY_ARN)

    @model_validator(mode="after")
    def _byo_key(self) -> DataLakeConfig:
        if self.kms_key_arn is not None:
            refuse_ignored(self, ("key_rotation_days",),
                           "with kmsKeyArn: rotation is set on a key this library creates; rotate yours where "
                           "it is created; remove it")
        return self

    @model_validator(mode="after")
    def _teams(self) -> DataLakeConfig:
        served = {m.value for m in self.modalities}
        seen: set[str] = set()
        for i, t in enumerate(self.teams):
            if t.name in seen:
                raise ConfigValueError("is already a team name; names must be unique",
                                       loc=("teams", i, "name"), value=t.name)
            seen.add(t.name)
            if t.zone is DataZone.AUDIT and self.audit is None:
                raise ConfigValueError("needs dataLake.audit to be configured",
                                       loc=("teams", i, "zone"), value=t.zone.value)
            for j, p in enumerate(t.prefixes):
                if p.split("/", 1)[0] not in served:
                    raise ConfigValueError(
                        f"names a modality this lake does not serve; modalities: {sorted(served)}",
                        loc=("teams", i, "prefixes", j), value=p,
                    )
        return self


# -- vector stores -----------------------------------------------------------------------------
class VectorBackend(StrEnum):
    """Which vector database backs a :class:`~pulumi_aiops.vector_store.VectorStore`."""

    OPENSEARCH_SERVERLESS = "opensearch-serverless"
    AURORA_PGVECTOR = "aurora-pgvector"
    QDRANT = "qdrant"


class StandbyReplicas(StrEnum):
    """OpenSearch Serverless standby replicas (multi-AZ)."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class AossSourceService(StrEnum):
    """AWS services the private network policy lets reach the collection."""

    BEDROCK = "bedrock.amazonaws.com"


class OpenSearchVectorSpec(AiopsModel):
    """An OpenSearch Serverless VECTORSEARCH collection, private through a VPC endpoint."""

    model_config = ConfigDict(title="VectorStoreOpenSearchArgs")

    admin_principals: list[Wired[str]] = Field(
        min_length=1,
        description="IAM role/user ARNs (or a role's `arn` output) with full data access (must include "
        "the deployer, which creates the index). Required.",
    )
    index_name: str = Field(
        "bedrock-kb-index", pattern=r"^[a-z0-9][a-z0-9_-]{0,254}$", description="@default bedrock-kb-index"
    )
    standby_replicas: StandbyReplicas | None = Field(
        None, description="@default ENABLED in prod, DISABLED otherwise"
    )
    source_services: list[AossSourceService] = Field(
        default_factory=lambda: [AossSourceService.BEDROCK],
        description="Services allowed through the private network policy. @default [bedrock.amazonaws.com]",
    )

    @field_validator("admin_principals")
    @classmethod
    def _principals(cls, v: list[Any]) -> list[Any]:
        return check_known_list(
            v, IAM_ROLE_OR_USER, more="; data access policies name principals only, no wildcards")


class OpenSearchVectorConfig(OpenSearchVectorSpec):
    """The ``opensearch`` section of a ``vectorStores[]`` entry: the collection, and the cluster
    whose VPC hosts its endpoint."""

    vpc_cluster: str | None = Field(
        None, description="EKS cluster whose VPC hosts the endpoint. @default the `eks` cluster"
    )


class StatementLogging(StrEnum):
    """PostgreSQL ``log_statement``: which statements the database log records."""

    DDL = "ddl"
    MOD = "mod"
    ALL = "all"


#: Aurora PostgreSQL minor versions (per major) from which Serverless v2 can pause at 0 ACUs.
_AUTO_PAUSE_MIN_MINOR = {13: 15, 14: 12, 15: 7, 16: 3}


class AuroraVectorSpec(AiopsModel):
    """Aurora PostgreSQL Serverless v2 with pgvector, schema created through the RDS Data API."""

    model_config = ConfigDict(title="VectorStoreAuroraArgs")

    engine_version: str = Field("16.6", pattern=r"^1[3-7]\.\d+$", description="@default 16.6")
    min_capacity: float = Field(0.5, ge=0, le=256, description="Minimum ACUs. @default 0.5")
    max_capacity: float = Field(4, ge=1, le=256, description="Maximum ACUs. @default 4")
    database_name: str = Field("vectors", pattern=r"^[a-z][a-z0-9_]{0,62}$", description="@default vectors")
    table_name: str = Field(
        "bedrock_integration.bedrock_kb",
        pattern=r"^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$",
        description="schema.table holding the vectors. @default bedrock_integration.bedrock_kb",
    )
    backup_retention_days: int = Field(7, ge=1, le=35, description="@default 7")
    log_statement: StatementLogging = Field(
        StatementLogging.DDL,
        description="Which SQL statements PostgreSQL logs (log_statement, in the cluster parameter group; the "
        "log goes to CloudWatch): ddl (schema changes: CREATE, ALTER, DROP), mod (also INSERT, UPDATE, DELETE, "
        "COPY: the log then holds the vectors and source text written, often personal data), all (also every "
        "SELECT: query text and query vectors). @default ddl")

    @model_validator(mode="after")
    def _capacity(self) -> AuroraVectorSpec:
        if self.max_capacity < self.min_capacity:
            raise ConfigValueError(f"must be at least minCapacity ({self.min_capacity})",
                                   loc=("maxCapacity",), value=self.max_capacity)
        if self.min_capacity == 0:
            major, minor = (int(p) for p in self.engine_version.split("."))
            if minor < _AUTO_PAUSE_MIN_MINOR.get(major, 0):
                raise ConfigValueError(
                    "needs an engine that can pause at 0 ACUs; minCapacity 0 needs "
                    f"{major}.{_AUTO_PAUSE_MIN_MINOR[major]} or later (13.15, 14.12, 15.7, 16.3)",
                    loc=("engineVersion",), value=self.engine_version)
        return self


class AuroraVectorConfig(AuroraVectorSpec):
    """The ``aurora`` section of a ``vectorStores[]`` entry: the database, and the cluster whose
    VPC hosts it."""

    vpc_cluster: str | None = Field(
        None, description="EKS cluster whose VPC hosts the database. @default the `eks` cluster"
    )


class QdrantResourcesConfig(AiopsModel):
    """CPU and memory of each Qdrant pod (requests = limits); checked against the cluster's system nodes."""

    model_config = ConfigDict(title="VectorStoreQdrantResourcesArgs")

    cpu: str = Field("1", pattern=r"^\d+(\.\d+)?m?$", description="CPU, e.g. '2' or '500m'. @default 1")
    memory: str = Field("2Gi", pattern=r"^\d+(Mi|Gi|Ti)$", description="Memory, e.g. '8Gi'. @default 2Gi")


class QdrantSpec(AiopsModel):
    """Qdrant from its official Helm chart, on a GPU cluster of either cloud: on its system nodes
    (EKS's system node group, a CoreWeave cluster's cpuNodePools), never on GPU nodes."""

    model_config = ConfigDict(title="VectorStoreQdrantArgs")

    chart_version: str = Field("1.15.4", description="qdrant chart version. @default 1.15.4")
    namespace: str = Field("qdrant", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", description="@default qdrant")
    replicas: int = Field(1, ge=1, le=9, description="StatefulSet replicas. @default 1")
    storage_size: str = Field("20Gi", pattern=r"^\d+(Mi|Gi|Ti)$", description="PVC size. @default 20Gi")
    storage_class: str | None = Field(None, description="StorageClass. @default the cluster default")
    resources: QdrantResourcesConfig = Field(
        default_factory=QdrantResourcesConfig, description="Per pod. @default 1 CPU, 2Gi")


class QdrantConfig(QdrantSpec):
    """The ``qdrant`` section of a ``vectorStores[]`` entry: the chart, and the cluster it runs on."""

    cluster: str = Field(min_length=1, description="Name of the cluster (any cloud) to run on. Required.")


_STORE_NAME = re.compile(r"^[a-z][a-z0-9-]{2,27}$")
_SECTIONS = {VectorBackend.OPENSEARCH_SERVERLESS: "opensearch", VectorBackend.AURORA_PGVECTOR: "aurora",
             VectorBackend.QDRANT: "qdrant"}


class VectorStoreSpec(AiopsModel):
    """One vector store; ``backend`` picks the implementation, its section configures it.

    The part a stack entry (:class:`VectorStoreConfig`) and the component's arguments
    (:class:`~pulumi_aiops.vector_store.VectorStoreArgsModel`) share.
    """

    name: str | None = Field(
        None,
        description="Store name (3-28 chars, lowercase; the collection/cluster name). @default the component name",
    )
    backend: VectorBackend = Field(description="opensearch-serverless, aurora-pgvector or qdrant. Required.")
    dimensions: int = Field(1024, ge=1, le=16000, description="Embedding dimensions. @default 1024")
    kms_key_arn: Wired[str] | None = Field(
        None, description="Bring your own KMS key (its ARN) for the collection or the database and its "
        "master secret (AWS backends). @default none (create one)",
    )
    opensearch: OpenSearchVectorSpec | None = Field(
        None, description="When backend is opensearch-serverless. @default none")
    aurora: AuroraVectorSpec | None = Field(None, description="When backend is aurora-pgvector. @default {}")
    qdrant: QdrantSpec | None = Field(None, description="When backend is qdrant (then required). @default none")

    @field_validator("kms_key_arn")
    @classmethod
    def _key(cls, v: Any) -> Any:
        return check_known(v, KMS_KEY_ARN)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and not _STORE_NAME.match(v):
            raise ConfigValueError("is not a store name: 3 to 28 lowercase letters, digits and hyphens, "
                                   "starting with a letter (it names the collection or cluster)")
        return v

    @model_validator(mode="before")
    @classmethod
    def _default_aurora(cls, data: object) -> object:
        if (isinstance(data, dict) and data.get("backend") in (VectorBackend.AURORA_PGVECTOR,
                                                              VectorBackend.AURORA_PGVECTOR.value)
                and data.get("aurora") is None):
            data = {**data, "aurora": {}}
        return data

    @model_validator(mode="after")
    def _sections(self) -> VectorStoreSpec:
        wanted = _SECTIONS[self.backend]
        if getattr(self, wanted) is None:
            raise ConfigValueError(f"needs the `{wanted}` section", loc=("backend",), value=self.backend.value)
        for backend, key in _SECTIONS.items():
            if key != wanted and getattr(self, key) is not None:
                raise ConfigValueError(
                    f"configures backend {backend.value}, but backend is {self.backend.value}; remove it",
                    loc=(key,), value="{…}",
                )
        if self.backend is VectorBackend.AURORA_PGVECTOR and self.dimensions > 2000:
            raise ConfigValueError("exceeds 2000, the most pgvector can index with HNSW",
                                   loc=("dimensions",), value=self.dimensions)
        if self.kms_key_arn is not None and self.backend is VectorBackend.QDRANT:
            raise ConfigValueError("applies to the AWS backends only; Qdrant stores its data on the "
                                   "cluster's volumes", loc=("kmsKeyArn",), value=self.kms_key_arn)
        return self


class VectorStoreConfig(VectorStoreSpec):
    """One ``vectorStores[]`` entry: a store, and the cluster it runs on (qdrant) or whose VPC
    hosts it (the AWS backends)."""

    name: str = Field(description="Store name (3-28 chars, lowercase; the collection/cluster name). Required.")
    opensearch: OpenSearchVectorConfig | None = Field(
        None, description="When backend is opensearch-serverless. @default none")
    aurora: AuroraVectorConfig | None = Field(None, description="When backend is aurora-pgvector. @default {}")
    qdrant: QdrantConfig | None = Field(None, description="When backend is qdrant (then required). @default none")

    def network_cluster(self) -> str | None:
        """The EKS cluster whose VPC an AWS-VPC backend uses (None = the primary ``eks``)."""
        if self.opensearch is not None:
            return self.opensearch.vpc_cluster
        if self.aurora is not None:
            return self.aurora.vpc_cluster
        return None

    def spec(self) -> VectorStoreSpec:
        """This entry without the stack-level cluster names: what the component configures."""
        return VectorStoreSpec.model_validate(self.model_dump(exclude={
            "opensearch": {"vpc_cluster"}, "aurora": {"vpc_cluster"}, "qdrant": {"cluster"}}))


# -- feature store -----------------------------------------------------------------------------
class FeatureType(StrEnum):
    """SageMaker Feature Store feature types."""

    STRING = "String"
    INTEGRAL = "Integral"
    FRACTIONAL = "Fractional"


class FeatureDefinitionConfig(AiopsModel):
    """One feature: name and type."""

    name: str = Field(pattern=r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$", description="Required.")
    type: FeatureType = Field(description="String, Integral or Fractional. Required.")


class FeatureGroupConfig(AiopsModel):
    """A feature group with online and offline stores."""

    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}$", description="Required.")
    record_identifier: str = Field(description="Feature naming the record. Required.")
    event_time: str = Field(description="Feature holding the event time (Fractional or String). Required.")
    features: list[FeatureDefinitionConfig] = Field(min_length=2, description="Required.")
    online_ttl_days: int | None = Field(None, ge=1, le=36500, description="Online record TTL. @default none")
    description: str = Field("", description="@default ''")

    @model_validator(mode="after")
    def _keys(self) -> FeatureGroupConfig:
        names = {f.name: f for f in self.features}
        if len(names) != len(self.features):
            raise ConfigValueError("has duplicate feature names", loc=("features",),
                                   value=[f.name for f in self.features])
        for key, val in (("recordIdentifier", self.record_identifier), ("eventTime", self.event_time)):
            if val not in names:
                raise ConfigValueError(f"is not one of the features {sorted(names)}", loc=(key,), value=val)
        if names[self.event_time].type is FeatureType.INTEGRAL:
            raise ConfigValueError("must be a Fractional or String feature", loc=("eventTime",),
                                   value=self.event_time)
        return self


class FeatureStoreConfig(AiopsModel):
    """SageMaker Feature Store: feature groups, one KMS key, offline data in the lake."""

    feature_groups: list[FeatureGroupConfig] = Field(min_length=1, description="Required.")
    offline_prefix: str = Field(
        "feature-store/", pattern=r"^[a-z0-9][a-z0-9/_-]*/$",
        description="Prefix of the offline store in the curated bucket. @default feature-store/",
    )

    @model_validator(mode="after")
    def _unique(self) -> FeatureStoreConfig:
        seen: set[str] = set()
        for i, g in enumerate(self.feature_groups):
            if g.name in seen:
                raise ConfigValueError("is already a feature group name", loc=("featureGroups", i, "name"),
                                       value=g.name)
            seen.add(g.name)
        return self
