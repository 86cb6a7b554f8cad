"""``gpuSpec``: the GPUs of an instance type the catalogue does not list, declared by hand.

Used by EKS GPU node groups (``eks.gpuNodeGroups[].gpuSpec``) and CoreWeave node pools
(``coreweave.nodePools[].gpuSpec``). Without it an unlisted instance type is refused; with it,
the type is accepted and its spec is used for the GPU count (autoscaler scale-from-zero tags,
``GpuCapacity``, workload placement) and, when ``pricePerHourUsd`` is given, for cost. A
``gpuSpec`` for a type the catalogue lists is refused, naming the catalogue row, so there is
one source of truth per type. Example stack config::

    gpuNodeGroups:
      - name: t4
        instanceType: g4dn.metal
        gpuSpec: {gpuModel: T4, gpuCount: 8, gpuMemoryGib: 16, pricePerHourUsd: 7.824}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from pulumi_aiops.catalog import Cloud, DeclaredSpecConflictError, catalog, known_instance_types
from pulumi_aiops.config.base import AiopsModel, ConfigValueError

__all__ = ["GpuSpecConfig", "check_gpu_instance_type"]

_GPU_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,39}$")


class GpuSpecConfig(AiopsModel):
    """The GPUs of one node of an instance type the catalogue does not list."""

    gpu_model: str = Field(description="GPU model, e.g. H100, L40S, B200. Required.")
    gpu_count: int = Field(ge=1, le=16, description="GPUs per node. Required.")
    gpu_memory_gib: int = Field(ge=1, le=1024, description="Memory per GPU, GiB. Required.")
    vcpus: int | None = Field(None, ge=1, le=4096, description="vCPUs per node. @default unknown")
    memory_gib: int | None = Field(None, ge=1, le=65536, description="Memory per node, GiB. @default unknown")
    price_per_hour_usd: float | None = Field(
        None, gt=0, le=1000,
        description="On-demand USD per node-hour, for cost estimates. @default none (shown as unpriced, "
                    "never as $0)")

    @field_validator("gpu_model")
    @classmethod
    def _model(cls, v: str) -> str:
        if not _GPU_MODEL_RE.match(v):
            raise ConfigValueError("is not a GPU model name (letters, digits, ' ._+-', e.g. 'H100')")
        return v


def spelled(data: Any, snake: str, camel: str) -> str:
    """The key as the caller spelled it in ``data`` (snake_case component args or camelCase config)."""
    return snake if isinstance(data, Mapping) and snake in data and camel not in data else camel


def check_gpu_instance_type(cloud: Cloud | str, instance_type: str, spec: GpuSpecConfig | None,
                            what: str = "GPU instance type", *, raw: Any = None) -> None:
    """The instance type of a GPU group or pool is listed in the catalogue, or declared by hand.

    Raises :class:`ConfigValueError` at ``instanceType`` for an unlisted type without ``gpuSpec``,
    and at ``gpuSpec`` for a ``gpuSpec`` given for a listed type (naming the catalogue row). Call
    it from the group's wrap model validator with ``raw``, the input, so the locations (relative
    to the group) use the caller's spelling.
    """
    c = Cloud(cloud)
    row = catalog().get((c, instance_type))
    if row is not None and spec is not None:
        raise ConfigValueError(str(DeclaredSpecConflictError(row)), loc=(spelled(raw, "gpu_spec", "gpuSpec"),),
                               value=spec.model_dump(by_alias=True, exclude_none=True))
    if row is None and spec is None:
        raise ConfigValueError(
            f"is not a {what} this library knows; declare its GPUs with gpuSpec "
            f"{{gpuModel, gpuCount, gpuMemoryGib}} to use it; known: {', '.join(known_instance_types(c))}",
            loc=(spelled(raw, "instance_type", "instanceType"),), value=instance_type)
