"""The whole stack configuration: one pydantic model read from ``aiops:platform``.

Example stack file (``stacks/Pulumi.dev.yaml``)::

    config:
      aws:region: us-east-1
      aiops:platform:
        environment: dev
        governance: {owner: ml-platform, costCenter: cc-1234}
        eks:
          gpuNodeGroups:
            - {name: l4, instanceType: g6.xlarge, maxSize: 2}
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, validate_model
from pulumi_aiops.config.bedrock import BedrockConfig
from pulumi_aiops.config.coreweave import CoreWeaveClusterConfig
from pulumi_aiops.config.data import DataLakeConfig, FeatureStoreConfig, VectorStoreConfig
from pulumi_aiops.config.deployer_access import DeployerAccessConfig
from pulumi_aiops.config.eks import EksClusterConfig
from pulumi_aiops.config.gateway import GatewayConfig
from pulumi_aiops.config.governance import Environment, GovernanceConfig
from pulumi_aiops.config.observability import ObservabilityConfig
from pulumi_aiops.config.serving import ModelRegistryConfig, RegistryStorage
from pulumi_aiops.config.workloads import WorkloadsConfig
from pulumi_aiops.errors import ConfigError

__all__ = ["CONFIG_KEY", "ClusterConfig", "PlatformConfig", "load_platform_config"]

#: The Pulumi config key the platform reads: namespace ``aiops``, key ``platform``.
CONFIG_KEY = "aiops:platform"

ClusterConfig = Annotated[EksClusterConfig | CoreWeaveClusterConfig, Field(discriminator="cloud")]


class PlatformConfig(AiopsModel):
    """Everything a stack declares. Sections are optional unless noted."""

    environment: Environment = Field(Environment.DEV, description="@default dev")
    governance: GovernanceConfig = Field(description="Ownership and classification. Required.")
    allowed_regions: list[str] = Field(
        default_factory=list,
        description="Regions data may reside in (data residency). @default [] = the stack's aws:region only",
    )
    eks: EksClusterConfig | None = Field(None, description="The primary EKS GPU cluster. @default none")
    coreweave: CoreWeaveClusterConfig | None = Field(
        None, description="The primary CoreWeave CKS cluster. @default none"
    )
    additional_clusters: list[ClusterConfig] = Field(
        default_factory=list,
        description="More clusters on either cloud, each with `cloud: aws|coreweave`. @default []",
    )
    workloads: WorkloadsConfig = Field(default_factory=WorkloadsConfig, description="@default none")
    bedrock: BedrockConfig | None = Field(None, description="Bedrock access. @default none")
    data_lake: DataLakeConfig | None = Field(None, description="The data lake. @default none")
    vector_stores: list[VectorStoreConfig] = Field(
        default_factory=list, description="Vector stores for RAG, any backend. @default []"
    )
    feature_store: FeatureStoreConfig | None = Field(
        None, description="SageMaker Feature Store. @default none"
    )
    gateway: GatewayConfig | None = Field(
        None, description="The LLM gateway (LiteLLM) in front of every model. @default none"
    )
    deployer_access: DeployerAccessConfig = Field(
        default_factory=DeployerAccessConfig,
        description="Where `pulumi up` runs from: security groups and/or private CIDRs that every EKS cluster's "
        "security group (private API endpoint) and every opensearch-serverless store's VPC-endpoint security "
        "group admit on 443 (README 'Deploy for real'). @default none (only the nodes)",
    )
    observability: ObservabilityConfig | None = Field(
        None, description="Prometheus, Grafana, GPU metrics, traces and SLOs on the clusters; CloudWatch alarms. "
                          "@default none"
    )
    model_registry: ModelRegistryConfig | None = Field(
        None, description="Model versions as deployable artifacts (manifests beside the weights) and the roles that "
        "write and read them; servers refer to a version as name@version. @default none"
    )

    @field_validator("allowed_regions")
    @classmethod
    def _real_regions(cls, v: list[str]) -> list[str]:
        from pulumi_aiops.config.aws_names import check_region

        for i, region in enumerate(v):
            check_region(region, loc=(i,))
        if len(set(v)) != len(v):
            raise ValueError("lists a region twice")
        return v

    def check_region(self, region: str, prefix: str = CONFIG_KEY) -> None:
        """Checks that need the stack's ``aws:region``: it is a real region, within
        ``allowedRegions``, every availability zone declared for an EKS cluster is in it, and every
        allowlisted Bedrock model can be invoked from it (``check_bedrock_region``)."""
        from pulumi_aiops.config.aws_names import check_availability_zone
        from pulumi_aiops.config.aws_names import check_region as real_region

        try:
            real_region(region)
        except ConfigValueError as exc:
            raise ConfigError(f"aws:region: {region!r} {exc.msg}") from None
        if self.allowed_regions and region not in self.allowed_regions:
            raise ConfigError(f"aws:region: {region!r} is not in {prefix}.allowedRegions "
                              f"{self.allowed_regions}; deploy to an allowed region or widen the list")
        problems: list[str] = []
        for path, c in self._cluster_paths():
            if not isinstance(c, EksClusterConfig):
                continue
            zones: list[tuple[tuple[str | int, ...], str]] = [
                (("network", "availabilityZones", i), az) for i, az in enumerate(c.network.availability_zones)]
            for g, group in enumerate(c.gpu_node_groups):
                zones += [(("gpuNodeGroups", g, "availabilityZones", i), az)
                          for i, az in enumerate(group.availability_zones)]
            for loc, az in zones:
                try:
                    check_availability_zone(az, region)
                except ConfigValueError as exc:
                    where = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*path, *loc))
                    problems.append(f"{where}: {az!r} {exc.msg}")
        from pulumi_aiops.config.bedrock import check_bedrock_region

        problems += check_bedrock_region(self, region, prefix)
        if problems:
            raise ConfigError(problems)

    def _cluster_paths(self) -> list[tuple[tuple[str | int, ...], EksClusterConfig | CoreWeaveClusterConfig]]:
        paths: list[tuple[str | int, ...]] = []
        if self.eks is not None:
            paths.append(("eks",))
        if self.coreweave is not None:
            paths.append(("coreweave",))
        paths.extend(("additionalClusters", i) for i in range(len(self.additional_clusters)))
        return list(zip(paths, self.clusters(), strict=True))

    def clusters(self) -> list[EksClusterConfig | CoreWeaveClusterConfig]:
        """Every declared cluster: ``eks``, ``coreweave``, then ``additionalClusters``."""
        out: list[EksClusterConfig | CoreWeaveClusterConfig] = []
        if self.eks is not None:
            out.append(self.eks)
        if self.coreweave is not None:
            out.append(self.coreweave)
        out.extend(self.additional_clusters)
        return out

    def cluster_names(self) -> list[str]:
        return [c.name for c in self.clusters()]

    @model_validator(mode="after")
    def _unique_cluster_names(self) -> PlatformConfig:
        seen: dict[str, str] = {}
        for path, c in self._cluster_paths():
            where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
            if c.name in seen:
                raise ConfigValueError(
                    f"is already the name of the cluster at {seen[c.name]}; cluster names must be unique",
                    loc=(*path, "name"), value=c.name,
                )
            seen[c.name] = where
        return self

    @model_validator(mode="after")
    def _registry_references(self) -> PlatformConfig:
        """The model registry's lake and sync cluster exist (checked before the servers using it)."""
        r = self.model_registry
        if r is None:
            return self
        if r.storage is RegistryStorage.DATA_LAKE and self.data_lake is None:
            raise ConfigValueError("needs dataLake: the versions live under the lake's curated bucket",
                                   loc=("modelRegistry", "storage"), value=r.storage.value)
        eks = [c.name for c in self.clusters() if c.cloud == "aws"]
        if r.sync.cluster is not None and r.sync.cluster not in eks:
            raise ConfigValueError(f"is not an EKS cluster of this stack; EKS clusters: {eks}",
                                   loc=("modelRegistry", "sync", "cluster"), value=r.sync.cluster)
        return self

    @model_validator(mode="after")
    def _workload_clusters(self) -> PlatformConfig:
        """Every workload names a declared cluster that can hold it (owned by the workloads section)."""
        from pulumi_aiops.config.workloads import check_workload_placement

        check_workload_placement(self)
        return self

    @model_validator(mode="after")
    def _vector_store_references(self) -> PlatformConfig:
        """Vector stores name existing clusters: qdrant any cluster, AWS-VPC backends an EKS one."""
        from pulumi_aiops.config.data import VectorBackend

        names = self.cluster_names()
        eks = [c.name for c in self.clusters() if c.cloud == "aws"]
        seen: set[str] = set()
        for i, vs in enumerate(self.vector_stores):
            if vs.name in seen:
                raise ConfigValueError("is already a vector store name; names must be unique",
                                       loc=("vectorStores", i, "name"), value=vs.name)
            seen.add(vs.name)
            if vs.qdrant is not None and vs.qdrant.cluster not in names:
                raise ConfigValueError(f"is not a cluster of this stack; clusters: {names}",
                                       loc=("vectorStores", i, "qdrant", "cluster"), value=vs.qdrant.cluster)
            if vs.backend is VectorBackend.QDRANT:
                continue
            section = "opensearch" if vs.opensearch is not None else "aurora"
            wanted = vs.network_cluster()
            if wanted is None and self.eks is None:
                raise ConfigValueError(
                    f"needs an EKS cluster's VPC; set {section}.vpcCluster to one of {eks} "
                    "or declare `eks`", loc=("vectorStores", i, "backend"), value=vs.backend.value)
            if wanted is not None and wanted not in eks:
                raise ConfigValueError(f"is not an EKS cluster of this stack; EKS clusters: {eks}",
                                       loc=("vectorStores", i, section, "vpcCluster"), value=wanted)
        if self.feature_store is not None and self.data_lake is None:
            raise ConfigValueError("needs dataLake: the offline store lives in the lake's curated bucket",
                                   loc=("featureStore",), value="{…}")
        return self

    @model_validator(mode="after")
    def _gateway_references(self) -> PlatformConfig:
        """The gateway's cluster, model servers, Bedrock models and database (owned by the gateway section)."""
        from pulumi_aiops.config.gateway import check_gateway_references

        check_gateway_references(self)
        return self

    @model_validator(mode="after")
    def _observability_clusters(self) -> PlatformConfig:
        """``observability.clusters`` names declared clusters, each once."""
        if self.observability is None:
            return self
        names = self.cluster_names()
        for i, c in enumerate(self.observability.clusters):
            if c not in names:
                raise ConfigValueError(f"is not a cluster of this stack; clusters: {names}",
                                       loc=("observability", "clusters", i), value=c)
            if c in self.observability.clusters[:i]:
                raise ConfigValueError("is listed twice", loc=("observability", "clusters", i), value=c)
        if not names and self.observability.clusters == [] and self.observability.aws is None \
                and self.bedrock is None:
            raise ConfigValueError("has nothing to observe: declare a cluster or bedrock",
                                   loc=("observability",), value="{…}")
        return self

    @model_validator(mode="after")
    def _bedrock_references(self) -> PlatformConfig:
        """Bedrock names existing clusters, stores, lake zones; profiles respect allowedRegions."""
        from pulumi_aiops.config.bedrock import check_bedrock_references

        check_bedrock_references(self)
        return self


def load_platform_config(raw: Any | None = None) -> PlatformConfig:
    """Validate ``raw`` (or read ``aiops:platform`` from Pulumi config) into :class:`PlatformConfig`.

    Raises :class:`~pulumi_aiops.errors.ConfigError` naming the key path, value and what is
    allowed, before any resource is registered.
    """
    region = None
    if raw is None:
        import pulumi

        raw = pulumi.Config("aiops").get_object("platform")
        region = pulumi.Config("aws").get("region")
        if raw is None:
            raise ConfigError(f"{CONFIG_KEY}: is required but missing; see README 'Configuration'")
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_KEY}: {raw!r} is not allowed; expected an object")
    config = validate_model(PlatformConfig, raw, CONFIG_KEY)
    if region:
        config.check_region(region)
    return config
