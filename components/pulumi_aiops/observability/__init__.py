"""Observability: Prometheus, Grafana, GPU metrics, LLM traces and SLOs as code.

* :class:`Observability` (:mod:`.component`): the in-cluster stack on any GPU cluster;
* :class:`AwsMonitoring` (:mod:`.aws`): CloudWatch alarms and a dashboard for Bedrock and the GPU
  node groups, to a KMS-encrypted SNS topic;
* :mod:`.slo` (SLOs → burn-rate rules), :mod:`.defaults` (the platform's SLOs, drift/quality/
  business-signal SLOs), :mod:`.dashboards`, :mod:`.evaluation` (the evaluation contract and an
  example exporter), :mod:`.charts` and :mod:`.otel` (chart values, the collector pipeline).

The components load on first use, so the pure modules import without the cloud SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_aiops.observability.aws import AwsMonitoring, AwsMonitoringArgs
    from pulumi_aiops.observability.component import Observability, ObservabilityArgs

__all__ = ["AwsMonitoring", "AwsMonitoringArgs", "Observability", "ObservabilityArgs"]

_LAZY = {"Observability": "component", "ObservabilityArgs": "component", "AwsMonitoring": "aws",
         "AwsMonitoringArgs": "aws"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"pulumi_aiops.observability.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'pulumi_aiops.observability' has no attribute {name!r}")
