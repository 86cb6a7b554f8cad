"""Every Kubernetes object any shipped stack creates validates: core objects against the Kubernetes
API schema (kubernetes-validate), custom resources against their CRD's own schema vendored from the
official chart (``fixtures/crds``: KEDA's ScaledObject, LeaderWorkerSet). Helm releases are checked
by the charts; CoreWeave's NodePool has no published schema."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from crd_schemas import SCHEMAS, validate_custom_resource
from stack_plans import STACKS, as_api_value, planned


def _manifest(type_: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # kubernetes:apps/v1:Deployment -> apiVersion apps/v1, kind Deployment (core group: v1)
    group_version, kind = type_.split(":")[1], type_.split(":")[2]
    group, _, version = group_version.partition("/")
    api_version = version if group == "core" else f"{group}/{version}"
    body = {k: v for k, v in inputs.items() if k not in ("apiVersion", "kind")}
    return as_api_value({"apiVersion": api_version, "kind": kind, **body})


@pytest.mark.parametrize("stack", STACKS)
def test_manifests_validate_against_the_kubernetes_schema(stack: str) -> None:
    graph = planned(stack).graph
    objects = [r for r in graph if r.type.startswith("kubernetes:") and r.custom
               and not r.type.startswith(("kubernetes:helm.sh", "kubernetes:compute.coreweave.com",
                                          "kubernetes:monitoring.coreos.com"))]
    for r in objects:
        doc = _manifest(r.type, r.inputs)
        if (doc["apiVersion"], doc["kind"]) in SCHEMAS:
            errors = validate_custom_resource(doc)
            assert not errors, f"{stack}: {r.type} {r.name}: " + "; ".join(errors)
            continue
        try:
            kubernetes_validate.validate(doc, "1.33.0", strict=True)
        except kubernetes_validate.ValidationError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{stack}: {r.type} {r.name}: {exc}")
    if stack in ("multicloud", "prod", "staging"):
        assert objects, f"{stack} should create Kubernetes objects"
