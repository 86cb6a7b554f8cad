"""Stack configuration models. See :class:`PlatformConfig`.

``PlatformConfig`` and ``load_platform_config`` load on first use: the platform model imports
every section, and some sections type fields with component classes (``pulumi_aiops.contract``),
which themselves build on :mod:`pulumi_aiops.config.base`; loading them lazily keeps that from
being an import cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, validate_model
from pulumi_aiops.config.governance import DataClassification, Environment, GovernanceConfig

if TYPE_CHECKING:
    from pulumi_aiops.config.platform import CONFIG_KEY, PlatformConfig, load_platform_config

__all__ = [
    "CONFIG_KEY",
    "AiopsModel",
    "ConfigValueError",
    "DataClassification",
    "Environment",
    "GovernanceConfig",
    "PlatformConfig",
    "load_platform_config",
    "validate_model",
]

_LAZY = {"CONFIG_KEY", "PlatformConfig", "load_platform_config"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("pulumi_aiops.config.platform"), name)
    raise AttributeError(f"module 'pulumi_aiops.config' has no attribute {name!r}")
