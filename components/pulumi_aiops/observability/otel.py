"""The OpenTelemetry Collector's pipeline, and a check of it against the pinned collector's components.

No collector binary can be had here (nothing in Debian or npm; the one PyPI wheel is unofficial and
lacks the OTLP receiver), so ``otelcol validate`` cannot run. Instead :func:`check_collector_config`
checks the config (the chart's ``alternateConfig``: used as is, never merged with the chart's
defaults) against :data:`COMPONENTS`: the type name of every
component the pipeline uses, in the collector version the chart pins, with the Go module that
provides it in the ``otelcol-contrib`` distribution. It catches a component the distribution does
not ship, a type renamed in that version (``otlphttp`` became ``otlp_http`` in core's
exporter/otlphttpexporter metadata.yaml, ``deprecated_type: otlphttp``), a pipeline naming an
undefined component, and an unused receiver.

Sources, for collector v0.158.0 (``appVersion`` of chart opentelemetry-collector 0.170.0):
open-telemetry/opentelemetry-collector-releases ``distributions/otelcol-contrib/manifest.yaml`` at
tag v0.158.0 (commit 218a54bfdf9f9e5411fcd7da68bb896efd38e647) lists the modules; each type name is
the ``type:`` of the module's metadata.yaml (open-telemetry/opentelemetry-collector at tag v0.158.0
for the core modules; opentelemetry-collector-contrib ``extension/healthcheckextension/metadata.yaml``
for ``health_check``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "COLLECTOR_VERSION",
    "COMPONENTS",
    "check_collector_config",
    "collector_config",
]

COLLECTOR_VERSION = "0.158.0"

#: ``(kind, type) → Go module`` of every component this library's pipeline may use, as the
#: otelcol-contrib 0.158.0 distribution ships it.
COMPONENTS: dict[tuple[str, str], str] = {
    ("receivers", "otlp"): "go.opentelemetry.io/collector/receiver/otlpreceiver v0.158.0",
    ("processors", "batch"): "go.opentelemetry.io/collector/processor/batchprocessor v0.158.0",
    ("processors", "memory_limiter"): "go.opentelemetry.io/collector/processor/memorylimiterprocessor v0.158.0",
    ("exporters", "otlp_http"): "go.opentelemetry.io/collector/exporter/otlphttpexporter v0.158.0",
    ("exporters", "otlp_grpc"): "go.opentelemetry.io/collector/exporter/otlpexporter v0.158.0",
    ("exporters", "debug"): "go.opentelemetry.io/collector/exporter/debugexporter v0.158.0",
    ("extensions", "health_check"):
        "github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension v0.158.0",
}
#: Types renamed before 0.158.0: the old name still loads with a deprecation warning; this library
#: writes the new one.
DEPRECATED_TYPES: dict[tuple[str, str], str] = {
    ("exporters", "otlphttp"): "otlp_http",
    ("exporters", "otlp"): "otlp_grpc",
}

_KINDS = ("receivers", "processors", "exporters", "extensions", "connectors")

def collector_config(exporter_name: str, exporter: Mapping[str, Any]) -> dict[str, Any]:
    """The collector's whole config, given to the chart as ``alternateConfig`` (used as is, not
    merged with the chart's default receivers and pipelines): OTLP in (gRPC 4317, HTTP 4318), traces
    out through ``exporter``, the health check the chart's probes call (13133) and the collector's
    own metrics on 8888 for its ServiceMonitor."""
    return {
        "extensions": {"health_check": {"endpoint": "${env:MY_POD_IP}:13133"}},
        "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "${env:MY_POD_IP}:4317"},
                                             "http": {"endpoint": "${env:MY_POD_IP}:4318"}}}},
        "processors": {"memory_limiter": {"check_interval": "5s", "limit_percentage": 80,
                                          "spike_limit_percentage": 25},
                       "batch": {}},
        "exporters": {exporter_name: dict(exporter)},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"readers": [{"pull": {"exporter": {"prometheus": {
                "host": "${env:MY_POD_IP}", "port": 8888}}}}]}},
            "pipelines": {"traces": {"receivers": ["otlp"], "processors": ["memory_limiter", "batch"],
                                     "exporters": [exporter_name]}},
        },
    }


def _type(component_id: str) -> str:
    return component_id.split("/", 1)[0]


def check_collector_config(config: Mapping[str, Any]) -> list[str]:
    """Problems of an effective collector config (empty when it loads in otelcol-contrib 0.158.0
    as far as component names and pipeline wiring go)."""
    problems: list[str] = []
    for kind in _KINDS:
        for cid in (config.get(kind) or {}):
            t = _type(cid)
            if (kind, t) in DEPRECATED_TYPES:
                problems.append(f"{kind}.{cid}: type {t!r} is deprecated in {COLLECTOR_VERSION}; "
                                f"use {DEPRECATED_TYPES[(kind, t)]!r}")
            elif (kind, t) not in COMPONENTS:
                problems.append(f"{kind}.{cid}: type {t!r} is not a component this library checked in "
                                f"otelcol-contrib {COLLECTOR_VERSION}")
    service = config.get("service") or {}
    for ext in service.get("extensions") or []:
        if ext not in (config.get("extensions") or {}):
            problems.append(f"service.extensions: {ext!r} is not defined under extensions")
    pipelines = service.get("pipelines") or {}
    if not pipelines:
        problems.append("service.pipelines: no pipeline")
    used: dict[str, set[str]] = {k: set() for k in ("receivers", "processors", "exporters")}
    for name, p in pipelines.items():
        if p is None:
            continue
        for kind in ("receivers", "processors", "exporters"):
            ids = list(p.get(kind) or [])
            if kind != "processors" and not ids:
                problems.append(f"service.pipelines.{name}.{kind}: empty")
            for cid in ids:
                used[kind].add(cid)
                if cid not in (config.get(kind) or {}):
                    problems.append(f"service.pipelines.{name}.{kind}: {cid!r} is not defined under {kind}")
    for kind in ("receivers", "exporters"):
        for cid in (config.get(kind) or {}):
            if cid not in used[kind]:
                problems.append(f"{kind}.{cid}: defined but in no pipeline")
    return problems
