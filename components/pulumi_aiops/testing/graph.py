"""The resource graph a program registers, as recorded offline (or exported from a live stack).

The graph is the hand-off point between components and the policy packs: inputs use the
engine's camelCase property names, exactly what a CrossGuard policy sees in ``args.props``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

__all__ = ["AliasSpec", "RecordedResource", "ResourceGraph", "is_secret", "unwrap_secret"]

#: The type of the stack resource, the root every top-level resource hangs from.
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
_URN_PREFIX = "urn:pulumi:"


def is_secret(value: Any) -> bool:
    """True when ``value`` is a Pulumi secret, as recorded in a :class:`ResourceGraph`.

    The graph keeps values as the engine receives them, so a secret is still marked as one
    (the marker is the engine's, not something a test should spell out). A stack export or a
    component output built from a secret is secret as a whole; test that level::

        graph = run_program(my_program)
        assert is_secret(graph.exports["kubeconfig"])
        assert not is_secret(graph.exports["clusterName"])
    """
    return isinstance(value, Mapping) and value.get(_special_sig_key) == _special_secret_sig


def unwrap_secret(value: Any) -> Any:
    """``value`` with every secret marker removed, at any depth (other values unchanged).

    Use it to compare a recorded value with what the API or a reader would see::

        kubeconfig = json.loads(unwrap_secret(graph.exports["kubeconfig"]))
        assert kubeconfig["kind"] == "Config"
    """
    if is_secret(value):
        return unwrap_secret(value.get("value"))
    if isinstance(value, Mapping):
        return {k: unwrap_secret(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secret(v) for v in value]
    if isinstance(value, tuple):
        return tuple(unwrap_secret(v) for v in value)
    return value


# URNs, as the engine builds and reads them (sdk/go/common/resource/urn.go and alias.go):
# urn:pulumi:<stack>::<project>::<qualified type>::<name>, the qualified type being the parent's
# qualified type, "$", and the resource's own type (no parent part under the root stack).


def _urn_parts(urn: str) -> list[str]:
    """``[stack, project, qualified type, name]`` (the name may itself hold ``::``)."""
    return urn[len(_URN_PREFIX):].split("::", 3)


def _qualified_type(urn: str) -> str:
    return _urn_parts(urn)[2]


def _urn_type(urn: str) -> str:
    return _qualified_type(urn).rsplit("$", 1)[-1]


def _urn_name(urn: str) -> str:
    return _urn_parts(urn)[3]


def new_urn(stack: str, project: str, parent_type: str, type_: str, name: str) -> str:
    """The URN the engine gives a resource (Go ``resource.NewURN``).

    ``parent_type`` is the parent's *qualified* type (its whole ``$``-chain), empty or
    ``pulumi:pulumi:Stack`` for a top-level resource::

        new_urn("dev", "aiops", "aiops:eks:EksGpuCluster", "aws:eks/cluster:Cluster", "eks")
        # 'urn:pulumi:dev::aiops::aiops:eks:EksGpuCluster$aws:eks/cluster:Cluster::eks'
    """
    qualified = type_
    if parent_type and parent_type != ROOT_STACK_TYPE:
        qualified = f"{parent_type}${type_}"
    return f"{_URN_PREFIX}{stack}::{project}::{qualified}::{name}"


def _create_urn(name: str, type_: str, parent: str, project: str, stack: str) -> str:
    """Go ``resource.CreateURN``: the URN of a resource named ``name`` under the parent URN
    ``parent`` (empty: top level), as the engine builds an alias's URN."""
    if not parent:
        return f"{_URN_PREFIX}{stack}::{project}::{type_}::{name}"
    return f"{parent[: parent.rindex('::')]}${type_}::{name}"


@dataclass(frozen=True)
class AliasSpec:
    """One alias exactly as the SDK sent it in the ``RegisterResourceRequest``.

    Either ``urn`` (an alias given as a URN) or the spec fields: an empty ``name``/``type``/
    ``project``/``stack`` means "the resource's own"; an empty ``parent`` means the resource's
    own parent, unless ``no_parent`` says the resource used to be top-level.
    """

    urn: str = ""
    name: str = ""
    type: str = ""
    project: str = ""
    stack: str = ""
    parent: str = ""
    no_parent: bool = False

    def collapse(self, name: str, type_: str, parent: str | None, project: str, stack: str,
                 *, parent_urn: str | None = None) -> str:
        """The URN this alias stands for, for a resource ``name`` of ``type_`` under ``parent``
        in ``project``/``stack`` (the engine's ``collapseAliasToUrn``).

        ``parent_urn`` replaces the alias's own parent: the engine uses the old URN of an
        alias parent that was itself aliased.

        Example::

            AliasSpec(type="aiops:eks:EksGpuCluster").collapse(
                "eks", "aiops:index:EksGpuCluster", None, "aiops", "dev")
            # 'urn:pulumi:dev::aiops::aiops:eks:EksGpuCluster::eks'
        """
        if self.urn:
            return self.urn
        p = parent_urn if parent_urn is not None else (self.parent or parent or "")
        if self.no_parent or (p and _qualified_type(p) == ROOT_STACK_TYPE):
            p = ""
        return _create_urn(self.name or name, self.type or type_, p,
                           self.project or project, self.stack or stack)


def _inherited_child_alias(child_type: str, child_name: str, parent_name: str, parent_alias: str,
                           project: str, stack: str) -> str:
    """The engine's ``inheritedChildAlias``: the child's URN under its parent's alias ``parent_alias``,
    its name prefix renamed when it starts with the parent's current name (``{name}-…``)."""
    alias_name = child_name
    if child_name.startswith(parent_name):
        alias_name = _urn_name(parent_alias) + child_name[len(parent_name):]
    return new_urn(stack, project, _qualified_type(parent_alias), child_type, alias_name)


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

    ``aliases`` holds the URNs the resource's own ``aliases`` option stands for, resolved as the
    engine resolves them (``alias_specs`` keeps what the SDK sent). Aliases a resource inherits
    from its ancestors' aliases are not stored here: ask :meth:`ResourceGraph.alias_urns`.
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
    aliases: tuple[str, ...] = ()
    alias_specs: tuple[AliasSpec, ...] = ()

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
        assert is_secret(graph.exports["kubeconfig"])
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
        # parent URN -> children, each list in graph (URN) order: one pass, so that
        # descendants() is linear in the size of the subtree instead of rescanning the graph.
        self._children: dict[str, list[RecordedResource]] = {}
        for r in self.resources:
            if r.parent is not None:
                self._children.setdefault(r.parent, []).append(r)
        self._alias_cache: dict[str, frozenset[str]] = {}

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __contains__(self, urn: object) -> bool:
        return urn in self._by_urn

    def get(self, urn: str) -> RecordedResource:
        """The resource with this URN (``KeyError`` if absent)."""
        return self._by_urn[urn]

    def _resource(self, r: RecordedResource | str) -> RecordedResource:
        return self._by_urn[r] if isinstance(r, str) else r

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
        return list(self._children.get(urn, ()))

    def descendants(self, urn: str) -> list[RecordedResource]:
        """Children, grandchildren, … of ``urn`` (generation by generation)."""
        out: list[RecordedResource] = []
        frontier = [urn]
        while frontier:
            kids = [r for p in frontier for r in self._children.get(p, ())]
            out.extend(kids)
            frontier = [k.urn for k in kids]
        return out

    def components(self) -> list[RecordedResource]:
        """Component resources (not custom, not the stack)."""
        return [r for r in self.resources if not r.custom and r.type != ROOT_STACK_TYPE]

    def top_component(self, r: RecordedResource) -> RecordedResource | None:
        """The outermost component that contains ``r`` (``r`` itself if it is one)."""
        top: RecordedResource | None = None
        cur: RecordedResource | None = r
        while cur is not None:
            if not cur.custom and cur.type != ROOT_STACK_TYPE:
                top = cur
            cur = self._by_urn.get(cur.parent) if cur.parent else None
        return top

    @property
    def exports(self) -> dict[str, Any]:
        """The stack's exports (``pulumi.export``), by name; secrets stay marked as secrets.

        Example::

            graph = run_program(my_program)
            assert is_secret(graph.exports["kubeconfig"])
            assert unwrap_secret(graph.exports["kubeconfig"]).startswith("{")
        """
        return self.stack_outputs

    def outputs_of(self, r: RecordedResource | str) -> dict[str, Any]:
        """What the resource ``r`` (a record or a URN) shows a program.

        For a component, the outputs it registered (``register_outputs``; empty if it registered
        none); for a custom resource, its recorded output state. ``KeyError`` for a URN that is not
        in the graph. Secrets stay marked (see :func:`is_secret`).

        Example::

            eks = graph.named("research", "aiops:eks:EksGpuCluster")
            assert graph.outputs_of(eks)["clusterName"] == "research"
            assert is_secret(graph.outputs_of(eks.urn)["kubeconfig"])
        """
        res = self._resource(r)
        if res.custom:
            return res.outputs
        return self.component_outputs.get(res.urn, {})

    def alias_urns(self, r: RecordedResource | str) -> set[str]:
        """Every URN the engine would take for ``r``'s old URN: its own aliases, and the aliases
        it inherits through every ancestor's aliases (``r``'s own URN excluded).

        The engine derives a child's alias from its parent's alias: the child's URN rebuilt with
        the parent alias's qualified type and, when the child's name starts with the parent's
        name (``{name}-…``), that prefix renamed to the parent alias's name. It does so for the
        child's own aliases too. So renaming a component's type keeps all its children::

            class Cluster(pulumi.ComponentResource):
                def __init__(self, name):
                    super().__init__("aiops:index:Cluster", name, None,
                                     pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="aiops:eks:Cluster")]))
                    aws.s3.Bucket(f"{name}-logs", opts=pulumi.ResourceOptions(parent=self))

            graph = run_program(lambda: Cluster("gpu"))
            old = "urn:pulumi:dev::aiops::aiops:eks:Cluster$aws:s3/bucket:Bucket::gpu-logs"
            assert old in graph.alias_urns(graph.named("gpu-logs"))

        The engine follows the one alias its parent actually matched in the stack's state; with
        no state offline, this is the set of every candidate.
        """
        res = self._resource(r)
        return set(self._aliases_of(res, set())[0])

    def _aliases_of(self, r: RecordedResource, visiting: set[str]) -> tuple[frozenset[str], bool]:
        """``(aliases, complete)``; incomplete when a cycle through alias parents was cut."""
        cached = self._alias_cache.get(r.urn)
        if cached is not None:
            return cached, True
        if r.urn in visiting:  # an alias parent that is this resource's own descendant
            return frozenset(), False
        visiting.add(r.urn)
        complete = True
        stack, project = _urn_parts(r.urn)[:2]
        own = list(r.aliases)
        # An alias naming another parent: when that parent was itself aliased, the engine uses
        # the parent's old URN.
        for spec in r.alias_specs:
            alias_parent = self._by_urn.get(spec.parent) if spec.parent and not spec.urn else None
            if alias_parent is None or spec.no_parent:
                continue
            parent_aliases, ok = self._aliases_of(alias_parent, visiting)
            complete = complete and ok
            for pa in sorted(parent_aliases):
                own.append(spec.collapse(r.name, r.type, r.parent, project, stack, parent_urn=pa))
        out = set(own)
        parent = self._by_urn.get(r.parent) if r.parent else None
        if parent is not None:
            parent_aliases, ok = self._aliases_of(parent, visiting)
            complete = complete and ok
            for pa in parent_aliases:
                out.add(_inherited_child_alias(r.type, r.name, parent.name, pa, project, stack))
                for alias in own:
                    out.add(_inherited_child_alias(_urn_type(alias), _urn_name(alias), parent.name, pa,
                                                   project, stack))
        visiting.discard(r.urn)
        out.discard(r.urn)
        result = frozenset(out)
        if complete:
            self._alias_cache[r.urn] = result
        return result, complete

    def counts_by_type(self, custom_only: bool = True) -> dict[str, int]:
        """How many resources of each type token (custom resources only by default)."""
        c = Counter(r.type for r in self.resources if r.custom or not custom_only)
        return dict(sorted(c.items()))

    def to_json(self) -> dict[str, Any]:
        """The whole graph as JSON-ready data: resources, the stack's exports and every
        component's registered outputs (by URN)."""
        return {
            "resources": [r.to_dict() for r in self.resources],
            "exports": _jsonable(self.stack_outputs),
            "componentOutputs": _jsonable(dict(sorted(self.component_outputs.items()))),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: equal for equal graphs."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()
