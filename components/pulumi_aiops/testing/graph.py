"""The resource graph a program registers, as recorded offline (or exported from a live stack).

The graph is the hand-off point between components and the policy packs: inputs use the
engine's camelCase property names, exactly what a CrossGuard policy sees in ``args.props``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RecordedResource", "ResourceGraph"]


def _jsonable(value: Any) -> Any:
    """Convert recorded values into plain JSON data (resource references become URNs)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    urn = getattr(value, "urn", None)
    if urn is not None and hasattr(urn, "future"):
        return f"<resource {type(value).__name__}>"
    return str(value)


@dataclass(frozen=True)
class RecordedResource:
    """One resource registration, with the options the engine would see.

    ``inputs`` and ``outputs`` use engine (camelCase) names; numbers are floats, as in policies.
    ``parent`` and ``depends_on`` hold URNs; ``provider`` is the provider's URN or ``None``
    when the default provider is used. ``depends_on`` is what the engine records as the
    resource's dependencies: the explicit ``depends_on`` plus those implied by its inputs
    (``property_dependencies`` says which input brought which).
    """

    urn: str
    type: str
    name: str
    custom: bool
    id: str | None = None
    parent: str | None = None
    provider: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    depends_on: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: int = 0

    @property
    def is_provider(self) -> bool:
        """True for explicit provider resources (``pulumi:providers:…``)."""
        return self.type.startswith("pulumi:providers:")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of this record."""
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


class ResourceGraph:
    """An ordered, queryable set of :class:`RecordedResource`, deterministic across runs.

    Example::

        graph = run_program(my_program, {"aws:region": "us-east-1"})
        cluster = graph.one("aws:eks/cluster:Cluster")
        assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    """

    def __init__(
        self,
        resources: Iterable[RecordedResource],
        stack_outputs: dict[str, Any] | None = None,
        component_outputs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.resources: tuple[RecordedResource, ...] = tuple(sorted(resources, key=lambda r: r.urn))
        self.stack_outputs: dict[str, Any] = dict(stack_outputs or {})
        self.component_outputs: dict[str, dict[str, Any]] = dict(component_outputs or {})
        self._by_urn = {r.urn: r for r in self.resources}

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __contains__(self, urn: object) -> bool:
        return urn in self._by_urn

    def get(self, urn: str) -> RecordedResource:
        """The resource with this URN (``KeyError`` if absent)."""
        return self._by_urn[urn]

    def of_type(self, *types: str) -> list[RecordedResource]:
        """Every resource whose type token is one of ``types``."""
        return [r for r in self.resources if r.type in types]

    def named(self, name: str, type_: str | None = None) -> RecordedResource:
        """The single resource with this logical name (and type, if given)."""
        hits = [r for r in self.resources if r.name == name and (type_ is None or r.type == type_)]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} resources named {name!r}" + (f" of type {type_}" if type_ else ""))
        return hits[0]

    def one(self, type_: str) -> RecordedResource:
        """The single resource of ``type_``; ``AssertionError`` when there are 0 or several."""
        hits = self.of_type(type_)
        assert len(hits) == 1, f"expected one {type_}, found {len(hits)}: {[h.name for h in hits]}"
        return hits[0]

    def children(self, urn: str) -> list[RecordedResource]:
        """Direct children of the resource ``urn``."""
        return [r for r in self.resources if r.parent == urn]

    def descendants(self, urn: str) -> list[RecordedResource]:
        """Children, grandchildren, … of ``urn``."""
        out: list[RecordedResource] = []
        frontier = [urn]
        while frontier:
            kids = [r for p in frontier for r in self.children(p)]
            out.extend(kids)
            frontier = [k.urn for k in kids]
        return out

    def components(self) -> list[RecordedResource]:
        """Component resources (not custom, not the stack)."""
        return [r for r in self.resources if not r.custom and r.type != "pulumi:pulumi:Stack"]

    def top_component(self, r: RecordedResource) -> RecordedResource | None:
        """The outermost component that contains ``r`` (``r`` itself if it is one)."""
        top: RecordedResource | None = None
        cur: RecordedResource | None = r
        while cur is not None:
            if not cur.custom and cur.type != "pulumi:pulumi:Stack":
                top = cur
            cur = self._by_urn.get(cur.parent) if cur.parent else None
        return top

    def counts_by_type(self, custom_only: bool = True) -> dict[str, int]:
        """How many resources of each type token (custom resources only by default)."""
        c = Counter(r.type for r in self.resources if r.custom or not custom_only)
        return dict(sorted(c.items()))

    def to_json(self) -> dict[str, Any]:
        """The whole graph as JSON-ready data."""
        return {
            "resources": [r.to_dict() for r in self.resources],
            "stackOutputs": _jsonable(self.stack_outputs),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: equal for equal graphs."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()
