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

from pydantic import Field, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, validate_model
from pulumi_aiops.config.bedrock import BedrockConfig
from pulumi_aiops.config.coreweave import CoreWeaveClusterConfig
from pulumi_aiops.config.data import DataLakeConfig
from pulumi_aiops.config.eks import EksClusterConfig
from pulumi_aiops.config.governance import Environment, GovernanceConfig
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
        paths = []
        if self.eks is not None:
            paths.append(("eks",))
        if self.coreweave is not None:
            paths.append(("coreweave",))
        paths.extend(("additionalClusters", i) for i in range(len(self.additional_clusters)))
        for path, c in zip(paths, self.clusters(), strict=True):
            where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
            if c.name in seen:
                raise ConfigValueError(
                    f"is already the name of the cluster at {seen[c.name]}; cluster names must be unique",
                    loc=(*path, "name"), value=c.name,
                )
            seen[c.name] = where
        return self


def load_platform_config(raw: Any | None = None) -> PlatformConfig:
    """Validate ``raw`` (or read ``aiops:platform`` from Pulumi config) into :class:`PlatformConfig`.

    Raises :class:`~pulumi_aiops.errors.ConfigError` naming the key path, value and what is
    allowed, before any resource is registered.
    """
    if raw is None:
        import pulumi

        raw = pulumi.Config("aiops").get_object("platform")
        if raw is None:
            raise ConfigError(f"{CONFIG_KEY}: is required but missing; see README 'Configuration'")
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_KEY}: {raw!r} is not allowed; expected an object")
    return validate_model(PlatformConfig, raw, CONFIG_KEY)
