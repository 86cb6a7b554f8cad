"""The Bedrock model catalogue: foundation models and cross-region inference profiles.

The data lives in ``bedrock_models.toml`` beside this module, the single place to add a
model. Example::

    from pulumi_aiops.catalog.bedrock import lookup_bedrock
    entry = lookup_bedrock("us.anthropic.claude-sonnet-4-20250514-v1:0")
    entry.is_profile, entry.destination_regions   # (True, ('us-east-1', 'us-east-2', …))
    entry.profile.destinations_from("us-east-1")  # ('us-east-1', 'us-east-2', 'us-west-2')
    lookup_bedrock("amazon.nova-lite-v1:0").foundation.invocable_in("us-west-2")  # False
    [p.id for p in profiles_of("amazon.nova-lite-v1:0")]  # ['us.amazon.nova-lite-v1:0', 'eu.…', …]
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BEDROCK_CATALOG_PATH",
    "UNVERIFIED",
    "BedrockModel",
    "BedrockModelEntry",
    "InferenceProfile",
    "Modality",
    "bedrock_catalog",
    "known_bedrock_ids",
    "lookup_bedrock",
    "profiles_of",
]

BEDROCK_CATALOG_PATH = Path(__file__).with_name("bedrock_models.toml")


class Modality(StrEnum):
    """What a model takes and produces."""

    TEXT = "TEXT"
    MULTIMODAL = "MULTIMODAL"
    EMBEDDING = "EMBEDDING"
    IMAGE = "IMAGE"


#: How an ``in_region_source`` starts when the in-region data could not be verified.
UNVERIFIED = "unverified"


class BedrockModel(BaseModel):
    """A foundation model row, with the regions where it is served on demand in-region."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    provider: str
    modality: Modality
    embedding: bool
    dimensions: int | None = Field(None, gt=0)
    source: str
    #: Regions where the model can be invoked on demand by its own id (no inference profile).
    in_regions: tuple[str, ...] = ()
    #: Where and when ``in_regions`` was read; starts with "unverified" when it could not be.
    in_region_source: str = UNVERIFIED

    @property
    def in_regions_verified(self) -> bool:
        return not self.in_region_source.lower().startswith(UNVERIFIED)

    def invocable_in(self, region: str) -> bool | None:
        """Whether the model can be invoked in ``region`` without a profile; ``None``: unknown."""
        if not self.in_regions_verified:
            return None
        return region in self.in_regions


class InferenceProfile(BaseModel):
    """A system-defined cross-region inference profile row.

    ``routes`` maps each source region (where the profile may be called) to the destination
    regions Bedrock may route a request from it to (and so process the prompt in): for many
    profiles the destinations depend on the source. A row may instead give ``source_regions``
    and ``destination_regions`` when every source routes alike.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    model: str
    routes: dict[str, tuple[str, ...]] = Field(min_length=1)
    source: str

    @model_validator(mode="before")
    @classmethod
    def _uniform_routes(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("source_regions" in data or "destination_regions" in data):
            if "routes" in data:
                raise ValueError("give either routes or source_regions/destination_regions, not both")
            data = dict(data)
            dests = tuple(data.pop("destination_regions", ()))
            data["routes"] = {s: dests for s in data.pop("source_regions", ())}
        return data

    @model_validator(mode="after")
    def _non_empty(self) -> InferenceProfile:
        for src, dests in self.routes.items():
            if not dests:
                raise ValueError(f"{self.id}: no destination regions from source {src}")
        return self

    @property
    def geography(self) -> str:
        """The id's prefix: ``us``, ``eu``, ``apac``, ``jp``, ``au``, ``ca``, ``us-gov``…"""
        return self.id.split(".", 1)[0]

    @property
    def source_regions(self) -> tuple[str, ...]:
        """Regions the profile may be called from."""
        return tuple(self.routes)

    @property
    def destination_regions(self) -> tuple[str, ...]:
        """Every region a request may be routed to, from any source (sorted)."""
        return tuple(sorted({r for dests in self.routes.values() for r in dests}))

    def destinations_from(self, region: str) -> tuple[str, ...]:
        """Where a request made from ``region`` may be processed; ``()`` if not a source region."""
        return self.routes.get(region, ())


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
        if p.id != f"{p.geography}.{p.model}":
            raise ValueError(f"{BEDROCK_CATALOG_PATH}: profile id {p.id} is not <geography>.{p.model}")
        out[p.id] = BedrockModelEntry(id=p.id, foundation=models[p.model], profile=p)
    return out


def profiles_of(model_id: str) -> list[InferenceProfile]:
    """The catalogue's inference profiles that route to foundation model ``model_id``."""
    return [e.profile for e in bedrock_catalog().values() if e.profile is not None and e.profile.model == model_id]


def known_bedrock_ids(*, embedding: bool | None = None) -> list[str]:
    """Known allowlist ids; ``embedding=True``: embedding models only, ``False``: no embedding."""
    return [
        k for k, e in bedrock_catalog().items() if embedding is None or e.is_embedding == embedding
    ]


def lookup_bedrock(model_id: str) -> BedrockModelEntry:
    """The catalogue entry for ``model_id``; ``KeyError`` when unknown."""
    return bedrock_catalog()[model_id]
