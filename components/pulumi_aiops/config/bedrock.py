"""Configuration of Bedrock access and knowledge bases (``aiops:platform.bedrock``)."""

from __future__ import annotations

from pulumi_aiops.config.base import AiopsModel

__all__ = ["BedrockConfig"]


class BedrockConfig(AiopsModel):
    """Bedrock model access. (Stub.)"""
