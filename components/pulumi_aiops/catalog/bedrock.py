"""The Bedrock model catalogue: foundation models and cross-region inference profiles.

The data lives in ``bedrock_models.toml`` beside this module, the single place to add a
model. Example::

    from pulumi_aiops.catalog.bedrock import lookup_bedrock
    entry = lookup_bedrock("us.anthropic.claude-sonnet-4-20250514-v1:0")
    entry.is_profile, entry.destination_regions   # (True, ('us-east-1', 'us-east-2', …))
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BEDROCK_CATALOG_PATH",
    "BedrockModel",
    "BedrockModelEntry",
    "InferenceProfile",
    "Modality",
    "bedrock_catalog",
    "known_bedrock_ids",
    "lookup_bedrock",
]

BEDROCK_CATALOG_PATH = Path(__file__).with_name("bedrock_models.toml")


class Modality(StrEnum):
    """What a model takes and produces."""

    TEXT = "TEXT"
    MULTIMODAL = "MULTIMODAL"
    EMBEDDING = "EMBEDDING"
    IMAGE = "IMAGE"


class BedrockModel(BaseModel):
    """A foundation model row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    provider: str
    modality: Modality
    embedding: bool
    dimensions: int | None = Field(None, gt=0)
    source: str


class InferenceProfile(BaseModel):
    """A system-defined cross-region inference profile row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    model: str
    source_regions: tuple[str, ...]
    destination_regions: tuple[str, ...] = Field(min_length=1)
    source: str


class BedrockModelEntry(BaseModel):
    """What an allowlist id resolves to: a foundation model, possibly behind a profile."""

    model_config = ConfigDict(frozen=True)

    id: str
    foundation: BedrockModel
    profile: InferenceProfile | None = None

    @property
    def is_profile(self) -> bool:
        return self.profile is not None

    @property
    def is_embedding(self) -> bool:
        return self.foundation.embedding

    @property
    def provider(self) -> str:
        return self.foundation.provider

    @property
    def destination_regions(self) -> tuple[str, ...]:
        """Regions a request may be processed in (profiles only; empty for a plain model)."""
        return self.profile.destination_regions if self.profile else ()


@cache
def bedrock_catalog() -> dict[str, BedrockModelEntry]:
    """Every known allowlist id (foundation models first, then profiles), in file order."""
    data = tomllib.loads(BEDROCK_CATALOG_PATH.read_text())
    out: dict[str, BedrockModelEntry] = {}
    models: dict[str, BedrockModel] = {}
    for raw in data.get("model", []):
        m = BedrockModel.model_validate(raw)
        if m.id in out:
            raise ValueError(f"{BEDROCK_CATALOG_PATH}: duplicate model id {m.id}")
        if m.embedding != (m.modality is Modality.EMBEDDING) or (m.embedding and not m.dimensions):
            raise ValueError(
                f"{BEDROCK_CATALOG_PATH}: {m.id}: embedding/modality/dimensions disagree"
            )
        models[m.id] = m
        out[m.id] = BedrockModelEntry(id=m.id, foundation=m)
    for raw in data.get("profile", []):
        p = InferenceProfile.model_validate(raw)
        if p.id in out:
            raise ValueError(f"{BEDROCK_CATALOG_PATH}: duplicate id {p.id}")
        if p.model not in models:
            raise ValueError(
                f"{BEDROCK_CATALOG_PATH}: profile {p.id} routes to unknown model {p.model}"
            )
        out[p.id] = BedrockModelEntry(id=p.id, foundation=models[p.model], profile=p)
    return out


def known_bedrock_ids(*, embedding: bool | None = None) -> list[str]:
    """Known allowlist ids; ``embedding=True``: embedding models only, ``False``: no embedding."""
    return [
        k for k, e in bedrock_catalog().items() if embedding is None or e.is_embedding == embedding
    ]


def lookup_bedrock(model_id: str) -> BedrockModelEntry:
    """The catalogue entry for ``model_id``; ``KeyError`` when unknown."""
    return bedrock_catalog()[model_id]
