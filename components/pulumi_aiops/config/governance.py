"""Governance settings shared by every component: environment, ownership, classification."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from pulumi_aiops.config.base import AiopsModel

__all__ = ["DataClassification", "Environment", "GovernanceConfig"]


class Environment(StrEnum):
    """The stage a stack serves."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class DataClassification(StrEnum):
    """Data classification tag values (the ``data-classification`` tag)."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    PHI = "phi"
    PCI = "pci"


class GovernanceConfig(AiopsModel):
    """Ownership and classification, stamped as tags on every taggable resource."""

    owner: str = Field(min_length=1, description="Owning team, the `owner` tag. Required.")
    cost_center: str = Field(min_length=1, description="The `cost-center` tag. Required.")
    data_classification: DataClassification = Field(
        DataClassification.INTERNAL,
        description="Default `data-classification` tag. @default internal",
    )
    extra_tags: dict[str, str] = Field(default_factory=dict, description="More tags. @default {}")

    @field_validator("extra_tags")
    @classmethod
    def _tag_keys(cls, v: dict[str, str]) -> dict[str, str]:
        for k in v:
            if k.startswith("aws:") or not 0 < len(k) <= 128:
                raise ValueError(f"tag key {k!r} is not allowed: 1-128 chars, no 'aws:' prefix")
        return v

    def tags(self, environment: Environment, **more: str) -> dict[str, str]:
        """The tag set for a resource: owner, cost-center, data-classification, environment."""
        return {
            "owner": self.owner,
            "cost-center": self.cost_center,
            "data-classification": self.data_classification.value,
            "environment": environment.value,
            "managed-by": "pulumi-aiops",
            **self.extra_tags,
            **more,
        }
