"""pulumi-aiops: a governed AI platform on AWS and CoreWeave, as Pulumi components."""

from pulumi_aiops.errors import AiopsError, ConfigError

__all__ = ["AiopsError", "ConfigError"]
__version__ = "0.1.0"
