"""Governance settings shared by every component: environment, ownership, classification."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError

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
    extra_tags: dict[str, str] = Field(
        default_factory=dict,
        description="More tags, within AWS's tag limits (with the governance tags at most "
                    "50 minus the few the library adds itself). @default {}")

    @model_validator(mode="after")
    def _tag_limits(self) -> GovernanceConfig:
        """The whole governance tag set must be valid AWS tags, with room for the library's own."""
        from pulumi_aiops.config.aws_names import MAX_TAGS, RESERVED_TAGS, tag_problems

        fields = {"owner": "owner", "cost-center": "costCenter"}
        limit = MAX_TAGS - RESERVED_TAGS
        for key, problem in tag_problems(self.tags(Environment.PROD), limit=limit):
            if key is None:
                raise ConfigValueError(f"{problem} (the 5 governance tags and {RESERVED_TAGS} the library adds "
                                       "count too)", loc=("extraTags",), value=f"{len(self.extra_tags)} tags")
            if key in fields and key not in self.extra_tags:
                raise ConfigValueError(problem.replace("tag value", "value"), loc=(fields[key],),
                                       value=getattr(self, fields[key].replace("costCenter", "cost_center")))
            value = key if problem.startswith("tag key") else self.extra_tags.get(key, key)
            raise ConfigValueError(problem, loc=("extraTags", key), value=value)
        return self

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
