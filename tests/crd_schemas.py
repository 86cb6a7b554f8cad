"""Validate custom resources against the CRD schemas vendored in ``fixtures/crds`` (see its README).

The API server prunes fields a structural schema does not declare, silently; a test should not,
so validation is strict: every object schema that lists ``properties`` (and neither preserves unknown
fields nor declares ``additionalProperties``) refuses keys it does not list.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

__all__ = ["SCHEMAS", "validate_custom_resource"]

_DIR = Path(__file__).resolve().parent / "fixtures" / "crds"

#: ``(apiVersion, kind)`` → vendored schema file.
SCHEMAS: dict[tuple[str, str], str] = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda-2.20.2_scaledobjects.keda.sh_v1alpha1.json",
    ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"): "lws-0.10.0_leaderworkersets.leaderworkerset.x-k8s.io_v1.json",
}


def _strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


@functools.cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads((_DIR / SCHEMAS[(api_version, kind)]).read_text())
    # ObjectMeta is validated by the API server itself (the CRD schema says only "type: object").
    schema = _strict(schema)
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema)


def validate_custom_resource(doc: dict[str, Any]) -> list[str]:
    """Every schema error of ``doc`` (a custom resource with apiVersion and kind), as ``path: message``."""
    v = _validator(doc["apiVersion"], doc["kind"])
    return [f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
