"""Configuration of the governed data layer (``aiops:platform.dataLake`` and friends)."""

from __future__ import annotations

from pulumi_aiops.config.base import AiopsModel

__all__ = ["DataLakeConfig"]


class DataLakeConfig(AiopsModel):
    """The multimodal data lake. (Stub.)"""
