"""The pulumi-aiops component provider: the components for TypeScript, Go, C#, Java and YAML.

``components/`` is a Pulumi plugin folder (``PulumiPlugin.yaml``, ``__main__.py``,
``requirements.txt``). Pulumi's component provider (``pulumi.provider.experimental``) infers the
package schema from the components' ``args`` TypedDicts (:mod:`pulumi_aiops.args`) and their
``pulumi.Output`` annotations. Another program adds the package with::

    pulumi package add /path/to/pulumi-aiops/components      # or a git URL of this repository

and then uses ``aiops.EksGpuCluster``, ``aiops.ModelServer``, … (README: "From other
languages"). :func:`schema` runs the same inference in-process; a test compares it with the
committed snapshot ``tests/fixtures/provider-schema.json`` and fails on an incompatible change.
"""

from __future__ import annotations

import importlib
from typing import Any

import pulumi

__all__ = ["COMPONENTS", "PACKAGE", "components", "incompatible_changes", "schema"]

#: The package name other languages import (``@pulumi/aiops`` style SDKs are generated from it).
PACKAGE = "aiops"

#: ``"module:Class"`` of every component the provider hosts.
COMPONENTS: tuple[str, ...] = (
    "pulumi_aiops.coreweave_gpu_cluster:CoreWeaveGpuCluster",
    "pulumi_aiops.workloads:ModelServer",
    "pulumi_aiops.eks_gpu_cluster:EksGpuCluster",
    "pulumi_aiops.eks.vpc:Vpc",
    "pulumi_aiops.eks.control_plane:EksControlPlane",
    "pulumi_aiops.eks.node_group:GpuNodeGroup",
    "pulumi_aiops.eks.node_group:SystemNodeGroup",
    "pulumi_aiops.eks.autoscaler:ClusterAutoscaler",
    "pulumi_aiops.eks.device_plugin:NvidiaDevicePlugin",
    "pulumi_aiops.eks.serving:GpuOperator",
    "pulumi_aiops.eks.serving:EfaDevicePlugin",
    "pulumi_aiops.eks.serving:EfsModelCache",
    "pulumi_aiops.workloads.serving_addons:Keda",
    "pulumi_aiops.workloads.serving_addons:LeaderWorkerSetController",
    "pulumi_aiops.data_lake:DataLake",
    "pulumi_aiops.bedrock_access:BedrockAccess",
    "pulumi_aiops.vector_store:VectorStore",
    "pulumi_aiops.llm_gateway:LlmGateway",
    "pulumi_aiops.observability:Observability",
    "pulumi_aiops.observability:AwsMonitoring",
)
# Not hosted: KnowledgeBase and FeatureStore take other components (a DataLake, a VectorStore,
# BedrockAccess) as objects, which a schema cannot carry by value; use them from Python. Nor is
# ModelRegistry (it may take a DataLake); a ModelServer takes a registry by value (its ref).


def components() -> list[type[pulumi.ComponentResource]]:
    """The component classes the provider hosts."""
    out: list[type[pulumi.ComponentResource]] = []
    for ref in COMPONENTS:
        module, _, name = ref.partition(":")
        out.append(getattr(importlib.import_module(module), name))
    return out


def schema(version: str | None = None) -> dict[str, Any]:
    """The package schema, inferred exactly as ``component_provider_host`` infers it."""
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    from pulumi_aiops import __version__

    result = Analyzer(PACKAGE).analyze(components())
    doc = generate_schema(PACKAGE, version or __version__, None, result["component_definitions"],
                          result["type_definitions"],
                          sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}"))
    out: dict[str, Any] = doc.to_json()
    return out


def _props(node: dict[str, Any], key: str) -> dict[str, Any]:
    return dict(node.get(key) or {})


def _kind(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"])
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"array<{_kind(prop.get('items') or {})}>"
    if kind == "object" and "additionalProperties" in prop:
        return f"map<{_kind(prop['additionalProperties'])}>"
    return kind


def _compare(where: str, old: dict[str, Any], new: dict[str, Any], *, inputs: bool) -> list[str]:
    problems: list[str] = []
    old_props, new_props = _props(old, "inputProperties" if inputs else "properties"), \
        _props(new, "inputProperties" if inputs else "properties")
    old_req = set(old.get("requiredInputs" if inputs else "required") or [])
    new_req = set(new.get("requiredInputs" if inputs else "required") or [])
    for name, prop in sorted(old_props.items()):
        if name not in new_props:
            problems.append(f"{where}.{name}: removed (or renamed)")
        elif _kind(prop) != _kind(new_props[name]):
            problems.append(f"{where}.{name}: type changed from {_kind(prop)} to {_kind(new_props[name])}")
        elif inputs and prop.get("plain") is not True and new_props[name].get("plain") is True:
            problems.append(f"{where}.{name}: no longer takes an Input (now plain)")
    if inputs:
        for name in sorted(new_req - old_req):
            problems.append(f"{where}.{name}: newly required")
    else:
        for name in sorted(old_req - new_req):
            problems.append(f"{where}.{name}: no longer always set")
    return problems


def incompatible_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in ``new`` breaks a program written against ``old``: a removed or renamed resource,
    input, output or type property, a changed type, a newly required input, an input that no
    longer takes outputs, a removed enum value. Additions are compatible."""
    problems: list[str] = []
    for token, res in sorted(_props(old, "resources").items()):
        now = _props(new, "resources").get(token)
        if now is None:
            problems.append(f"{token}: removed (or renamed)")
            continue
        problems += _compare(f"{token} input", res, now, inputs=True)
        problems += _compare(f"{token} output", res, now, inputs=False)
    for token, typ in sorted(_props(old, "types").items()):
        now = _props(new, "types").get(token)
        if now is None:
            problems.append(f"{token}: type removed (or renamed)")
            continue
        if "enum" in typ:
            values = {e.get("value") for e in now.get("enum") or []}
            problems += [f"{token}: enum value {e.get('value')!r} removed" for e in typ["enum"]
                         if e.get("value") not in values]
            continue
        problems += _compare(token, {"inputProperties": typ.get("properties"), "requiredInputs": typ.get("required")},
                             {"inputProperties": now.get("properties"), "requiredInputs": now.get("required")},
                             inputs=True)
    return problems


if __name__ == "__main__":
    import json

    print(json.dumps(schema(), indent=1, sort_keys=True))
