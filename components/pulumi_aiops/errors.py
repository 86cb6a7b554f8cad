"""The one error hierarchy of pulumi-aiops.

Every error the library raises on purpose derives from :class:`AiopsError`.
Errors caused by configuration also derive from :class:`pulumi.RunError`, so the
Pulumi language host prints the message alone, with no traceback, and exits non-zero.
"""

from __future__ import annotations

import pulumi

__all__ = ["AiopsError", "ConfigError"]


class AiopsError(Exception):
    """Base class of every error raised by pulumi-aiops."""


class ConfigError(AiopsError, pulumi.RunError):
    """A configuration value is invalid.

    The message names the config key path, the value received and what is allowed, e.g.::

        aiops:platform.eks.gpuNodeGroups[0].instanceType: 'p9.huge' is not a GPU instance
        type this library knows; known: g5.xlarge … p5.48xlarge
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        head = "invalid configuration" if len(self.problems) > 1 else ""
        body = "\n".join(f"  {p}" for p in self.problems) if head else self.problems[0]
        super().__init__(f"{head}:\n{body}" if head else body)
