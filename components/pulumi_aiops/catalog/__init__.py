"""The GPU instance catalogue: one typed table of both clouds' GPU instance types.

The data lives in ``gpu_instances.toml`` beside this module, the single place to update
prices and types. Example::

    from pulumi_aiops.catalog import lookup
    spec = lookup("aws", "p5.48xlarge")
    spec.gpu_count, spec.gpu_model, spec.price_per_hour_usd   # (8, 'H100', 55.04)
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CATALOG_PATH",
    "Cloud",
    "GpuInstanceType",
    "Interconnect",
    "catalog",
    "known_instance_types",
    "lookup",
]

CATALOG_PATH = Path(__file__).with_name("gpu_instances.toml")
HOURS_PER_MONTH = 730.0


class Cloud(StrEnum):
    """The clouds pulumi-aiops deploys GPU clusters to."""

    AWS = "aws"
    COREWEAVE = "coreweave"


class Interconnect(StrEnum):
    """The node-to-node fabric of a GPU instance type."""

    NONE = "none"
    EFA = "efa"
    INFINIBAND = "infiniband"


class GpuInstanceType(BaseModel):
    """One row of the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cloud: Cloud
    name: str
    gpu_model: str
    gpu_count: int = Field(gt=0)
    gpu_memory_gib: int = Field(gt=0, description="Memory per GPU, GiB.")
    vcpus: int = Field(gt=0)
    memory_gib: int = Field(gt=0)
    interconnect: Interconnect
    price_per_hour_usd: float = Field(gt=0)
    price_source: str
    price_date: str

    @property
    def price_per_month_usd(self) -> float:
        """On-demand price for one instance running a whole month (730 h)."""
        return self.price_per_hour_usd * HOURS_PER_MONTH

    @property
    def total_gpu_memory_gib(self) -> int:
        return self.gpu_count * self.gpu_memory_gib


@cache
def catalog() -> dict[tuple[Cloud, str], GpuInstanceType]:
    """All catalogue rows keyed by ``(cloud, name)``, in file order."""
    data = tomllib.loads(CATALOG_PATH.read_text())
    rows = [GpuInstanceType.model_validate(r) for r in data.get("instance", [])]
    out: dict[tuple[Cloud, str], GpuInstanceType] = {}
    for r in rows:
        key = (r.cloud, r.name)
        if key in out:
            raise ValueError(f"{CATALOG_PATH}: duplicate instance type {r.cloud}/{r.name}")
        out[key] = r
    return out


def known_instance_types(cloud: Cloud | str) -> list[str]:
    """The instance type names the catalogue knows for ``cloud``, in catalogue order."""
    c = Cloud(cloud)
    return [name for (cl, name) in catalog() if cl is c]


def lookup(cloud: Cloud | str, name: str) -> GpuInstanceType:
    """The catalogue row for ``name`` on ``cloud``; ``KeyError`` when unknown."""
    return catalog()[(Cloud(cloud), name)]
