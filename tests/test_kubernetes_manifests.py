"""Every Kubernetes object any shipped stack creates (other than Helm releases and custom
resources, which have no upstream schema) validates against the Kubernetes API schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from pulumi_aiops.plan import find_project, plan_stack

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


_SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the engine's marker of a secret value


def _ints(value: Any) -> Any:
    """The engine carries numbers as floats and secrets wrapped; the API server sees neither."""
    if isinstance(value, dict) and _SECRET_SIG in value:
        return _ints(value["value"])
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _manifest(type_: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # kubernetes:apps/v1:Deployment -> apiVersion apps/v1, kind Deployment (core group: v1)
    group_version, kind = type_.split(":")[1], type_.split(":")[2]
    group, _, version = group_version.partition("/")
    api_version = version if group == "core" else f"{group}/{version}"
    body = {k: v for k, v in inputs.items() if k not in ("apiVersion", "kind")}
    return _ints({"apiVersion": api_version, "kind": kind, **body})


@pytest.mark.parametrize("stack", STACKS)
def test_manifests_validate_against_the_kubernetes_schema(stack: str) -> None:
    graph = plan_stack(find_project(ROOT), stack).graph
    objects = [r for r in graph if r.type.startswith("kubernetes:") and r.custom
               and not r.type.startswith(("kubernetes:helm.sh", "kubernetes:compute.coreweave.com"))]
    for r in objects:
        doc = _manifest(r.type, r.inputs)
        try:
            kubernetes_validate.validate(doc, "1.33.0", strict=True)
        except kubernetes_validate.ValidationError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{stack}: {r.type} {r.name}: {exc}")
    if stack in ("multicloud", "prod", "staging"):
        assert objects, f"{stack} should create Kubernetes objects"
