"""The GPU instance catalogue: one typed table of both clouds' GPU instance types.

The data lives in ``gpu_instances.toml`` beside this module, the single place to update
prices and types. A type the catalogue does not list can still be used when the config
declares its GPUs by hand (``gpuSpec``); :func:`resolve` is the one lookup every component,
config check and cost estimate goes through. Example::

    from pulumi_aiops.catalog import resolve
    spec = resolve("aws", "p5.48xlarge")
    spec.gpu_count, spec.gpu_model, spec.price_per_hour_usd   # (8, 'H100', 55.04)

    spec = resolve("aws", "g4dn.metal", {"gpu_model": "T4", "gpu_count": 8, "gpu_memory_gib": 16})
    spec.declared, spec.priced                                 # (True, False)

A catalogue row whose price could not be verified carries no price (``price_per_hour_usd`` is
``None``, ``price_source`` starts with ``"unverified:"``): cost estimates show it as *unpriced*,
never as $0.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CATALOG_PATH",
    "HOURS_PER_MONTH",
    "UNVERIFIED_PREFIX",
    "Cloud",
    "DeclaredGpuSpec",
    "DeclaredSpecConflictError",
    "GpuInstanceType",
    "Interconnect",
    "UnknownInstanceTypeError",
    "catalog",
    "known_instance_types",
    "lookup",
    "resolve",
]

CATALOG_PATH = Path(__file__).with_name("gpu_instances.toml")
HOURS_PER_MONTH = 730.0
#: ``price_source`` of a row whose price could not be verified (and so is left out).
UNVERIFIED_PREFIX = "unverified:"


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
    """One GPU instance type: a catalogue row, or a type declared by hand (``declared``).

    Catalogue rows always carry ``vcpus``, ``memory_gib``, ``interconnect`` and ``price_date``;
    a declared type carries what its ``gpuSpec`` states and ``None`` for the rest.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cloud: Cloud
    name: str
    gpu_model: str = Field(min_length=1)
    gpu_count: int = Field(gt=0)
    gpu_memory_gib: int = Field(gt=0, description="Memory per GPU, GiB (as the cloud states it).")
    vcpus: int | None = Field(None, gt=0)
    memory_gib: int | None = Field(None, gt=0)
    interconnect: Interconnect | None = None
    price_per_hour_usd: float | None = Field(None, gt=0, description="On-demand USD per instance-hour.")
    price_source: str
    price_date: str | None = None
    declared: bool = Field(False, description="Declared by hand in the config (gpuSpec), not a catalogue row.")

    @model_validator(mode="after")
    def _consistent(self) -> GpuInstanceType:
        unverified = self.price_source.startswith(UNVERIFIED_PREFIX)
        if self.price_per_hour_usd is None and not (unverified or self.declared):
            raise ValueError(f"{self.name}: no price_per_hour_usd, so price_source must start with "
                             f"{UNVERIFIED_PREFIX!r} and say why")
        if self.price_per_hour_usd is not None and unverified:
            raise ValueError(f"{self.name}: a price marked {UNVERIFIED_PREFIX!r} must be left out")
        if not self.declared:
            missing = [k for k in ("vcpus", "memory_gib", "interconnect", "price_date") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"{self.name}: a catalogue row needs {', '.join(missing)}")
        return self

    @property
    def priced(self) -> bool:
        """Whether an on-demand price is known (a verified catalogue price or a declared one)."""
        return self.price_per_hour_usd is not None

    @property
    def price_per_month_usd(self) -> float | None:
        """On-demand price for one instance running a whole month (730 h); ``None`` when unpriced."""
        return None if self.price_per_hour_usd is None else self.price_per_hour_usd * HOURS_PER_MONTH

    @property
    def total_gpu_memory_gib(self) -> int:
        return self.gpu_count * self.gpu_memory_gib


class DeclaredGpuSpec(Protocol):
    """What a hand-declared GPU spec offers (the ``gpuSpec`` config model satisfies it)."""

    @property
    def gpu_model(self) -> str: ...
    @property
    def gpu_count(self) -> int: ...
    @property
    def gpu_memory_gib(self) -> int: ...
    @property
    def vcpus(self) -> int | None: ...
    @property
    def memory_gib(self) -> int | None: ...
    @property
    def price_per_hour_usd(self) -> float | None: ...


class UnknownInstanceTypeError(KeyError):
    """The catalogue does not list the type and no GPU spec was declared for it."""

    def __init__(self, cloud: Cloud, name: str) -> None:
        super().__init__(name)
        self.cloud, self.name = cloud, name

    def __str__(self) -> str:
        return (f"{self.name!r} is not a {self.cloud.value} GPU instance type this library knows; declare "
                "its GPUs with gpuSpec {gpuModel, gpuCount, gpuMemoryGib} to use it")


class DeclaredSpecConflictError(ValueError):
    """A GPU spec was declared for a type the catalogue already lists (one source of truth)."""

    def __init__(self, row: GpuInstanceType) -> None:
        super().__init__(
            f"is declared by hand, but the GPU catalogue already lists {row.cloud.value}/{row.name} "
            f"({row.gpu_count}× {row.gpu_model} {row.gpu_memory_gib} GiB); remove gpuSpec, the catalogue row "
            "is used (to price an unpriced row, use the gpu-cost policy's 'prices' config)")
        self.row = row


@cache
def catalog() -> dict[tuple[Cloud, str], GpuInstanceType]:
    """All catalogue rows keyed by ``(cloud, name)``, in file order."""
    data = tomllib.loads(CATALOG_PATH.read_text())
    out: dict[tuple[Cloud, str], GpuInstanceType] = {}
    for raw in data.get("instance", []):
        if "declared" in raw:
            raise ValueError(f"{CATALOG_PATH}: {raw.get('name')}: 'declared' is not a catalogue field")
        r = GpuInstanceType.model_validate(raw)
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
    """The catalogue row for ``name`` on ``cloud``; ``KeyError`` when unknown.

    Components and config use :func:`resolve`, which also accepts a hand-declared spec.
    """
    return catalog()[(Cloud(cloud), name)]


_SPEC_KEYS = {
    "gpu_model": ("gpu_model", "gpuModel"),
    "gpu_count": ("gpu_count", "gpuCount"),
    "gpu_memory_gib": ("gpu_memory_gib", "gpuMemoryGib"),
    "vcpus": ("vcpus",),
    "memory_gib": ("memory_gib", "memoryGib"),
    "price_per_hour_usd": ("price_per_hour_usd", "pricePerHourUsd"),
}


def _declared_fields(declared: DeclaredGpuSpec | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(declared, Mapping):
        out = {}
        for field, keys in _SPEC_KEYS.items():
            out[field] = next((declared[k] for k in keys if k in declared), None)
        return out
    return {field: getattr(declared, field, None) for field in _SPEC_KEYS}


def resolve(cloud: Cloud | str, name: str,
            declared: DeclaredGpuSpec | Mapping[str, Any] | None = None) -> GpuInstanceType:
    """The GPU spec of instance type ``name`` on ``cloud``: its catalogue row, or, for a type the
    catalogue does not list, the spec declared by hand (``declared``, a ``gpuSpec`` config model
    or a mapping with its snake_case or camelCase keys), returned with ``declared=True``.

    Raises :class:`UnknownInstanceTypeError` (a ``KeyError``) for an unlisted type without a
    declared spec, and :class:`DeclaredSpecConflictError` (a ``ValueError``) when a spec is
    declared for a listed type: the catalogue is the one source of truth for the types it lists.
    """
    c = Cloud(cloud)
    row = catalog().get((c, name))
    if row is not None:
        if declared is not None:
            raise DeclaredSpecConflictError(row)
        return row
    if declared is None:
        raise UnknownInstanceTypeError(c, name)
    fields = _declared_fields(declared)
    priced = fields["price_per_hour_usd"] is not None
    return GpuInstanceType(
        cloud=c, name=name, declared=True, **fields,
        price_source="declared by hand (gpuSpec.pricePerHourUsd)" if priced
        else f"{UNVERIFIED_PREFIX} declared by hand without gpuSpec.pricePerHourUsd",
    )
