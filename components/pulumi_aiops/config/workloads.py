"""Configuration of workloads placed on GPU clusters (``aiops:platform.workloads``)."""

from __future__ import annotations

from pulumi_aiops.config.base import AiopsModel

__all__ = ["WorkloadsConfig"]


class WorkloadsConfig(AiopsModel):
    """Workloads, each placed on a named cluster. (Stub.)"""
