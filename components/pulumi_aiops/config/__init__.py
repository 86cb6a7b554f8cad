"""Stack configuration models. See :class:`PlatformConfig`."""

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, validate_model
from pulumi_aiops.config.governance import DataClassification, Environment, GovernanceConfig
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
