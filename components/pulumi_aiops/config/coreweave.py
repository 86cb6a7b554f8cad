"""Configuration of a CoreWeave CKS GPU cluster (``aiops:platform.coreweave``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pulumi_aiops.config.base import AiopsModel

__all__ = ["CoreWeaveClusterConfig"]


class CoreWeaveClusterConfig(AiopsModel):
    """A CKS cluster with NodePools. (Stub: the CoreWeave component fills this in.)"""

    cloud: Literal["coreweave"] = "coreweave"
    name: str = Field("coreweave", description="Logical cluster name. @default coreweave")
