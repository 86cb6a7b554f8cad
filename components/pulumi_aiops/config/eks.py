"""Configuration of an EKS GPU cluster (``aiops:platform.eks``).

Owned by the EKS component; see :mod:`pulumi_aiops.eks_gpu_cluster`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pulumi_aiops.config.base import AiopsModel

__all__ = ["EksClusterConfig"]


class EksClusterConfig(AiopsModel):
    """An EKS cluster with GPU node groups. (Stub: the EKS component fills this in.)"""

    cloud: Literal["aws"] = "aws"
    name: str = Field("eks", description="Logical cluster name. @default eks")
