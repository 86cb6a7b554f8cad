"""The full, machine-readable plan (``aiops plan --json``), schema version 1: see ``docs/plan-format.md``.

:func:`build_plan` turns a :class:`~pulumi_aiops.plan.PlanResult` into one JSON-ready dict: the
summary keys ``aiops plan --json`` always had (counts, components, capacity, protected URNs,
policy), the monthly cost estimate (:mod:`pulumi_aiops.cost`) and every resource the program
registers, with its URN, type, name, parent, provider, inputs and options.

Secrets never leave: an input the engine marks secret is written ``"[secret]"``, and beside it,
in ``secretInputs``, a salted digest (``sha256:`` and 16 hex digits of SHA-256 over the stack,
URN, path and value) so that two plans can tell a changed secret from an unchanged one without
holding it. Then every string of the document is scrubbed of every secret value the graph or
the stack config holds, should one have reached an input unmarked. Example::

    from pulumi_aiops.plan import find_project, plan_stack
    from pulumi_aiops.plan_format import build_plan
    doc = build_plan(plan_stack(find_project(), "dev"))
    doc["schemaVersion"], len(doc["resources"])     # (1, 133): every component and resource
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pulumi_aiops.testing.graph import ROOT_STACK_TYPE, RecordedResource, ResourceGraph, is_secret, unwrap_secret

if TYPE_CHECKING:
    from pulumi_aiops.plan import PlanResult

__all__ = ["MISSING", "SCHEMA_VERSION", "SECRET", "build_plan", "get_path", "join_path", "leaves",
           "mask_secrets", "split_path"]

#: The version of the document's layout; bumped on any change a reader could trip on.
SCHEMA_VERSION = 1
#: What a secret value is written as.
SECRET = "[secret]"
#: :func:`get_path` answer for a path that is not there.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
#: Secret strings shorter than this are not scrubbed from other strings (too likely to clash with
#: ordinary words; tokens, keys, passwords and kubeconfigs are longer).
_MIN_SCRUB = 12

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def join_path(parent: str, key: str | int) -> str:
    """``parent`` extended by a map key or a list index, in Pulumi's property-path syntax
    (``spec.nodeTaints[0]``, ``tags["cost-center"]``) as ``ignoreChanges`` takes it."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _IDENT.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key)}]"


_SEGMENT = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def split_path(path: str) -> list[str | int]:
    """The keys and indexes of ``path`` (the inverse of :func:`join_path`)."""
    out: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _SEGMENT.match(path, pos)
        if m is None:
            raise ValueError(f"not a property path: {path!r}")
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(json.loads(m.group(3)))
        pos = m.end()
    return out


def get_path(value: Any, path: str) -> Any:
    """The value at ``path`` inside ``value``, or :data:`MISSING`."""
    cur = value
    for seg in split_path(path):
        in_list = isinstance(seg, int) and isinstance(cur, list) and 0 <= seg < len(cur)
        in_map = isinstance(seg, str) and isinstance(cur, Mapping) and seg in cur
        if not (in_list or in_map):
            return MISSING
        cur = cur[seg]
    return cur


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``(path, leaf)`` of ``value``; an empty map or list is a leaf, and so is ``"[secret]"``."""
    if isinstance(value, Mapping) and value:
        for k in sorted(value):
            yield from leaves(value[k], join_path(path, str(k)))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaves(v, join_path(path, i))
    else:
        yield path, value


def _digest(salt: str, path: str, value: Any) -> str:
    blob = json.dumps([salt, path, unwrap_secret(value)], sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()[:16]


def mask_secrets(value: Any, salt: str, path: str = "") -> tuple[Any, dict[str, str]]:
    """``value`` with each secret replaced by ``"[secret]"``, and ``{path: digest}`` of those secrets.

    ``salt`` (the stack and the resource's URN) keeps equal secrets of different resources from
    having equal digests.
    """
    digests: dict[str, str] = {}

    def walk(v: Any, p: str) -> Any:
        if is_secret(v):
            digests[p] = _digest(salt, p, v)
            return SECRET
        if isinstance(v, Mapping):
            return {str(k): walk(x, join_path(p, str(k))) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x, join_path(p, i)) for i, x in enumerate(v)]
        if v is None or isinstance(v, (str, int, float, bool)):
            return v
        return str(v)

    return walk(value, path), digests


def _secret_strings(value: Any, inside: bool = False) -> Iterator[str]:
    """Every string held in a secret anywhere in ``value`` (JSON strings: also their parts)."""
    if is_secret(value):
        yield from _secret_strings(value.get("value"), True)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _secret_strings(v, inside)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _secret_strings(v, inside)
    elif inside and isinstance(value, str):
        yield value
    elif inside and isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= 8:
        yield str(value)


def secret_values(graph: ResourceGraph, config: Mapping[str, Any] | None = None,
                  secret_keys: set[str] | None = None) -> set[str]:
    """The secret strings resources receive as inputs, and the values of the stack's secret config keys.

    (Exports are not searched: a secret export such as ``clusters`` is secret as a whole because it
    holds a kubeconfig, but its other strings are pool and cluster names.)"""
    found: set[str] = set()
    for r in graph:
        found.update(_secret_strings(r.inputs))
    for key in secret_keys or ():
        v = (config or {}).get(key)
        found.update(_secret_strings(v, inside=True))
    return {s for s in found if len(s) >= _MIN_SCRUB}


def scrub(value: Any, secrets: set[str]) -> Any:
    """``value`` with every occurrence of a secret string replaced by ``"[secret]"``."""
    if not secrets:
        return value
    ordered = sorted(secrets, key=len, reverse=True)

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            for s in ordered:
                if s in v:
                    v = v.replace(s, SECRET)
            return v
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)


def resource_entry(graph: ResourceGraph, r: RecordedResource, stack: str) -> dict[str, Any]:
    """One resource of the plan (see ``docs/plan-format.md``)."""
    inputs, digests = mask_secrets(r.inputs, f"{stack}\x00{r.urn}")
    parent = r.parent if r.parent and graph._by_urn.get(r.parent, None) is not None else None
    return {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "custom": r.custom,
        "parent": parent,
        "provider": r.provider,
        "inputs": inputs if r.custom else {},
        "secretInputs": dict(sorted(digests.items())) if r.custom else {},
        "options": {
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "deleteBeforeReplace": r.delete_before_replace,
            "dependsOn": sorted(r.depends_on),
            "ignoreChanges": list(r.ignore_changes),
            "replaceOnChanges": list(r.replace_on_changes),
            "aliases": sorted(graph.alias_urns(r)),
        },
    }


def build_plan(result: PlanResult, *, cost: bool = True) -> dict[str, Any]:
    """The whole plan document of ``result`` (schema version :data:`SCHEMA_VERSION`)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        generator = f"pulumi-aiops {version('pulumi-aiops')}"
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        generator = "pulumi-aiops"
    doc: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, "generator": generator}
    doc.update(result.summary())
    if cost:
        from pulumi_aiops.cost import estimate_cost

        doc["cost"] = estimate_cost(result)
    graph = result.graph
    doc["resources"] = [resource_entry(graph, r, result.stack) for r in graph
                        if r.type != ROOT_STACK_TYPE]
    return scrub(doc, secret_values(graph, result.config, result.secret_keys))
