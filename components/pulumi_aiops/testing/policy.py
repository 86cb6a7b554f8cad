"""A CrossGuard policy-pack harness for Python packs, faithful to what the Pulumi CLI does.

There is no official test harness for Python policy packs, so this module runs a pack the way
``pulumi preview --policy-pack DIR`` runs it, without the CLI:

* :class:`PolicyPackProcess` starts the pack in its folder as
  ``<python> -u -m pulumi.policy <engine-address> .`` with ``PULUMI_CONFIG``,
  ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_ORGANIZATION`` and ``PULUMI_DRY_RUN`` set,
  reads the gRPC port the pack prints on stdout, and talks ``pulumirpc.Analyzer`` to it:
  ``Handshake`` (UNIMPLEMENTED in the Python SDK; like the CLI, the harness falls back),
  ``GetAnalyzerInfo``, ``Configure`` (with an explicit enforcement level for every policy and
  the schema defaults filled in, as the CLI does; the SDK does neither), ``ConfigureStack``,
  ``Analyze`` and ``AnalyzeStack``. The harness also serves a minimal ``pulumirpc.Engine``
  (``Log``) on loopback and passes its address, as the CLI does; pulumi-policy 1.21 parses the
  address but logs to stderr, so :attr:`PolicyPackProcess.logs` is usually empty.
* :func:`evaluate_graph` runs a :class:`~pulumi_aiops.testing.ResourceGraph` (from
  :func:`~pulumi_aiops.testing.run_program` or ``aiops plan``) through packs under
  ``policy-packs/``: every custom resource through ``Analyze`` and the whole graph, with
  parents, dependencies and resource options, through ``AnalyzeStack``.
* :func:`evaluate_in_process` does the same by calling the policies' ``validate`` functions
  directly with arguments shaped exactly like pulumi-policy's (read-only proxies, floats). It is
  fast (used by ``benchmarks/policy_throughput.py``); the gRPC path is the source of truth.

Example::

    from pulumi_aiops.testing import PolicyPackProcess, evaluate_graph, run_program

    with PolicyPackProcess("policy-packs/aiops-baseline") as pack:
        pack.configure({"all": "mandatory"})
        diags = pack.analyze("aws:kms/key:Key", "key", {"enableKeyRotation": False})
        assert any(d.policy == "kms-key-rotation" for d in diags)

    cfg = {"aws:region": "us-east-1"}
    report = evaluate_graph(run_program(program, cfg), stack_config=cfg)
    assert report.mandatory() == []
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import importlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pulumi_aiops.errors import AiopsError

__all__ = [
    "AnalyzerInfo",
    "Diagnostic",
    "FrameworkInfo",
    "PolicyHarnessError",
    "PolicyInfo",
    "PolicyPackProcess",
    "PolicyReport",
    "PolicyResourceInput",
    "Violation",
    "default_plan_packs",
    "evaluate_graph",
    "evaluate_in_process",
    "list_packs",
    "pack_dir",
    "policy_packs_dir",
    "run_packs_for_plan",
]

_MAX_MSG = 1024 * 1024 * 400
_GRPC_OPTIONS = [("grpc.max_receive_message_length", _MAX_MSG),
                 ("grpc.max_send_message_length", _MAX_MSG)]
_LEVELS = ("advisory", "mandatory", "disabled", "remediate")  # proto enum order
_SEVERITIES = (None, "low", "medium", "high", "critical")  # proto enum order
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel


class PolicyHarnessError(AiopsError, RuntimeError):
    """The pack could not be started, configured or called (the message says which and why)."""


# -- where the packs are --------------------------------------------------------------------------
def policy_packs_dir() -> Path:
    """The ``policy-packs/`` folder of this repository.

    ``AIOPS_POLICY_PACKS_DIR`` overrides it; otherwise the folder is searched upwards from this
    source file, then from the current directory.
    """
    env = os.environ.get("AIOPS_POLICY_PACKS_DIR")
    if env:
        p = Path(env).expanduser().resolve()
        if not p.is_dir():
            raise PolicyHarnessError(f"AIOPS_POLICY_PACKS_DIR={env!r} is not a directory")
        return p
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for d in (start, *start.parents):
            cand = d / "policy-packs"
            if cand.is_dir():
                return cand
    raise PolicyHarnessError(
        "no policy-packs/ folder found above the pulumi_aiops sources or the current directory; "
        "set AIOPS_POLICY_PACKS_DIR")


def list_packs(root: str | Path | None = None) -> list[str]:
    """Names of the packs (folders with a ``PulumiPolicy.yaml``) under ``root``, sorted."""
    base = Path(root) if root is not None else policy_packs_dir()
    return sorted(p.parent.name for p in base.glob("*/PulumiPolicy.yaml"))


def pack_dir(name_or_path: str | Path, root: str | Path | None = None) -> Path:
    """The folder of a pack given its name (under ``root``) or its path."""
    p = Path(name_or_path)
    if (p / "PulumiPolicy.yaml").is_file():
        return p.resolve()
    base = Path(root) if root is not None else policy_packs_dir()
    cand = base / str(name_or_path)
    if (cand / "PulumiPolicy.yaml").is_file():
        return cand.resolve()
    raise PolicyHarnessError(
        f"policy pack {str(name_or_path)!r} not found (no PulumiPolicy.yaml); "
        f"known packs under {base}: {', '.join(list_packs(base)) or '(none)'}")


def _pack_version(d: Path, default: str = "0.0.1") -> str:
    """The ``version`` of ``PulumiPolicy.yaml`` in ``d`` (what the CLI reports)."""
    with contextlib.suppress(Exception):
        import yaml

        doc = yaml.safe_load((d / "PulumiPolicy.yaml").read_text()) or {}
        if doc.get("version"):
            return str(doc["version"])
    return default


# -- typed results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FrameworkInfo:
    """The compliance framework of a policy, as ``GetAnalyzerInfo`` reports it."""

    name: str
    version: str = ""
    reference: str = ""
    specification: str = ""


@dataclass(frozen=True)
class PolicyInfo:
    """One policy of a pack, as ``GetAnalyzerInfo`` reports it."""

    name: str
    description: str
    enforcement_level: str
    policy_type: str  # "resource" | "stack" | "unknown"
    severity: str | None = None
    framework: FrameworkInfo | None = None
    remediation_steps: str = ""
    config_schema: dict[str, Any] | None = None
    display_name: str = ""
    tags: tuple[str, ...] = ()
    url: str = ""

    def schema_defaults(self) -> dict[str, Any]:
        """``{property: default}`` for every schema property that declares a default."""
        props = (self.config_schema or {}).get("properties") or {}
        return {k: v["default"] for k, v in props.items()
                if isinstance(v, Mapping) and "default" in v}


@dataclass(frozen=True)
class AnalyzerInfo:
    """What a pack's ``GetAnalyzerInfo`` returns."""

    name: str
    version: str
    policies: tuple[PolicyInfo, ...]
    description: str = ""
    initial_config: dict[str, dict[str, Any]] = field(default_factory=dict)

    def policy(self, name: str) -> PolicyInfo:
        """The policy called ``name`` (``KeyError`` if the pack has none)."""
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(f"pack {self.name!r} has no policy {name!r}")

    @property
    def names(self) -> list[str]:
        """The policy names, in pack order."""
        return [p.name for p in self.policies]


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation.

    ``enforcement_level`` and ``severity`` are lower-case strings ("mandatory", "high").
    ``urn`` is the resource's URN, or ``None`` for a violation of the stack as a whole.
    ``frameworks`` maps framework names to control ids when the rule library is importable.
    ``remediation`` is the policy's remediation steps (``GetAnalyzerInfo``).
    """

    pack: str
    policy: str
    message: str
    enforcement_level: str
    severity: str | None = None
    urn: str | None = None
    pack_version: str = ""
    description: str = ""
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    remediation: str = ""

    @property
    def resource_name(self) -> str | None:
        """The resource's logical name (the last URN segment)."""
        return self.urn.rsplit("::", 1)[-1] if self.urn else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"pack": self.pack, "packVersion": self.pack_version, "policy": self.policy,
                "enforcementLevel": self.enforcement_level, "severity": self.severity,
                "urn": self.urn, "message": self.message, "remediation": self.remediation,
                "frameworks": {k: list(v) for k, v in self.frameworks.items()}}


_LEVEL_RANK = {"mandatory": 0, "remediate": 0, "advisory": 1, "disabled": 2}
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, None: 4}


@dataclass(frozen=True)
class Violation:
    """One violation, however many packs report it: the same policy, resource and message.

    ``enforcement_level`` is the strictest level any of the ``packs`` reports it at;
    ``frameworks`` maps framework ids to the rule's control ids.
    """

    policy: str
    message: str
    enforcement_level: str
    packs: tuple[str, ...]
    severity: str | None = None
    urn: str | None = None
    description: str = ""
    remediation: str = ""
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def resource_name(self) -> str | None:
        """The resource's logical name (the last URN segment)."""
        return self.urn.rsplit("::", 1)[-1] if self.urn else None

    @property
    def resource_type(self) -> str | None:
        """The resource's type token (from the URN)."""
        return _qualified_type(self.urn).rsplit("$", 1)[-1] if self.urn else None

    @property
    def detail(self) -> str:
        """The message without the policy description pulumi-policy puts on its first line."""
        if self.description and self.message.startswith(self.description):
            return self.message[len(self.description):].strip()
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"policy": self.policy, "enforcementLevel": self.enforcement_level,
                "severity": self.severity, "urn": self.urn, "resource": self.resource_name,
                "description": self.description, "message": self.detail,
                "remediation": self.remediation, "packs": list(self.packs),
                "frameworks": {k: list(v) for k, v in self.frameworks.items()}}


@dataclass(frozen=True)
class PolicyReport:
    """All diagnostics from a set of packs over one stack."""

    diagnostics: tuple[Diagnostic, ...]
    packs: tuple[str, ...] = ()
    resources: int = 0
    mode: str = "grpc"  # "grpc" | "in-process"

    def mandatory(self) -> list[Diagnostic]:
        """The violations that block a deployment."""
        return [d for d in self.diagnostics if d.enforcement_level == "mandatory"]

    def advisory(self) -> list[Diagnostic]:
        """The violations that only warn."""
        return [d for d in self.diagnostics if d.enforcement_level == "advisory"]

    @property
    def ok(self) -> bool:
        """True when no mandatory policy is violated."""
        return not self.mandatory()

    def counts_by_pack(self) -> dict[str, dict[str, int]]:
        """``{pack: {"mandatory": n, "advisory": m, ...}}`` for every evaluated pack."""
        out: dict[str, dict[str, int]] = {p: {"mandatory": 0, "advisory": 0} for p in self.packs}
        for d in self.diagnostics:
            row = out.setdefault(d.pack, {"mandatory": 0, "advisory": 0})
            row[d.enforcement_level] = row.get(d.enforcement_level, 0) + 1
        return out

    def by_policy(self) -> dict[tuple[str, str], list[Diagnostic]]:
        """Diagnostics grouped by ``(pack, policy)``."""
        out: dict[tuple[str, str], list[Diagnostic]] = {}
        for d in self.diagnostics:
            out.setdefault((d.pack, d.policy), []).append(d)
        return out

    def violations(self) -> list[Violation]:
        """The diagnostics with each violation once (same policy, resource and message), with
        every pack that reports it; mandatory first, then by severity, policy and resource."""
        groups: dict[tuple[str, str, str], list[Diagnostic]] = {}
        for d in self.diagnostics:
            groups.setdefault((d.policy, d.urn or "", d.message), []).append(d)
        out = []
        for (policy, urn, message), ds in groups.items():
            level = min((d.enforcement_level for d in ds), key=lambda x: _LEVEL_RANK.get(x, 3))
            first = ds[0]
            out.append(Violation(
                policy=policy, message=message, enforcement_level=level,
                packs=tuple(sorted({d.pack for d in ds})), severity=first.severity,
                urn=urn or None, description=first.description,
                remediation=next((d.remediation for d in ds if d.remediation), ""),
                frameworks=next((d.frameworks for d in ds if d.frameworks), {})))
        out.sort(key=lambda v: (_LEVEL_RANK.get(v.enforcement_level, 3),
                                _SEVERITY_RANK.get(v.severity, 4), v.policy, v.urn or ""))
        return out

    def format(self) -> str:
        """A short human-readable summary (one line per violation)."""
        lines = [f"{len(self.mandatory())} mandatory, {len(self.advisory())} advisory violations "
                 f"from {len(self.packs)} packs over {self.resources} resources ({self.mode})"]
        for d in sorted(self.diagnostics, key=lambda d: (d.enforcement_level != "mandatory",
                                                         d.pack, d.policy, d.urn or "")):
            first = d.message.splitlines()[-1] if d.message else ""
            lines.append(f"  [{d.enforcement_level}] {d.pack}/{d.policy} "
                         f"{d.resource_name or '(stack)'}: {first}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"packs": list(self.packs), "resources": self.resources, "mode": self.mode,
                "counts": self.counts_by_pack(),
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


# -- resources as the engine sends them -----------------------------------------------------------
@dataclass(frozen=True)
class PolicyResourceInput:
    """One resource as the engine hands it to an analyzer (camelCase ``props``).

    ``options`` uses the proto's names: ``protect``, ``ignoreChanges``, ``deleteBeforeReplace``,
    ``aliases``, ``additionalSecretOutputs``, ``customTimeouts``. ``provider`` is
    ``{"type", "name", "urn", "properties"}`` or ``None``.
    """

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    provider: Mapping[str, Any] | None = None
    custom: bool = True


def make_urn(type_: str, name: str, *, project: str = "aiops", stack: str = "dev",
             parent_type: str | None = None) -> str:
    """A URN as the engine builds it (``parent_type`` is the parent's qualified type)."""
    qual = f"{parent_type}${type_}" if parent_type and parent_type != "pulumi:pulumi:Stack" \
        else type_
    return f"urn:pulumi:{stack}::{project}::{qual}::{name}"


def _qualified_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[2] if len(parts) >= 4 else ""


def _urn_stack_project(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    return parts[0].rsplit(":", 1)[-1], parts[1]


def to_engine_value(value: Any) -> Any:
    """A value as it reaches a policy after the engine's protobuf round-trip.

    Integers become floats (protobuf ``Struct`` has only doubles), tuples become lists, keys
    become strings; anything not JSON-like becomes its ``str``.
    """
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_engine_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_engine_value(v) for v in value]
    return str(value)


_SIG_KEY = "4dabf18193072939515e22adb298388d"  # the engine's special-signature key


def _policy_view(value: Mapping[str, Any]) -> dict[str, Any]:
    """Properties as a policy sees them after the engine round-trip and pulumi-policy's
    ``deserialize_properties`` (which is only needed, and only called, when a secret, asset or
    archive signature is present: decoding plain values is the identity)."""
    found = False

    def conv(v: Any) -> Any:
        nonlocal found
        if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
            return v
        if isinstance(v, int):
            return float(v)
        if isinstance(v, Mapping):
            if _SIG_KEY in v:
                found = True
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return str(v)

    out: dict[str, Any] = conv(value)
    if found:
        from pulumi_policy.deserialize import deserialize_properties

        out = deserialize_properties(out)
    return out


def _default_provider(type_: str, stack_config: Mapping[str, Any], project: str,
                      stack: str) -> dict[str, Any] | None:
    pkg = type_.split(":", 1)[0]
    if not pkg or pkg == "pulumi":
        return None
    props = {k.split(":", 1)[1]: v for k, v in stack_config.items()
             if k.startswith(pkg + ":")}
    props = {k: _maybe_json(v) for k, v in props.items()}
    name = "default"
    return {"type": f"pulumi:providers:{pkg}", "name": name,
            "urn": f"urn:pulumi:{stack}::{project}::pulumi:providers:{pkg}::{name}",
            "properties": props}


def _maybe_json(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(v)
    return v


def graph_to_inputs(graph: Any, stack_config: Mapping[str, Any] | None = None,
                    ) -> list[PolicyResourceInput]:
    """Turn a :class:`~pulumi_aiops.testing.ResourceGraph` into what the engine sends.

    Resources that use the default provider get a synthesized default provider
    (``pulumi:providers:<pkg>``, name ``default``) whose properties are the stack config of
    that package (``aws:region`` → ``region``), as the engine's default providers have; those
    providers and the ``pulumi:pulumi:Stack`` root are part of the ``AnalyzeStack`` resources.
    Stack policies see the resource state (``{**inputs, **outputs}``), resource policies the
    inputs.
    """
    cfg = dict(stack_config or {})
    resources = list(graph)
    if not resources:
        return []
    stack, project = _urn_stack_project(resources[0].urn)
    by_urn = {r.urn: r for r in resources}
    out: list[PolicyResourceInput] = []
    default_providers: dict[str, dict[str, Any]] = {}
    stack_urns: set[str] = set()

    def provider_of(r: Any) -> dict[str, Any] | None:
        if r.provider:
            p = by_urn.get(r.provider)
            if p is not None:
                return {"type": p.type, "name": p.name, "urn": p.urn, "properties": p.inputs}
            return {"type": _qualified_type(r.provider).rsplit("$", 1)[-1],
                    "name": r.provider.rsplit("::", 1)[-1], "urn": r.provider, "properties": {}}
        if not r.custom or r.type.startswith("pulumi:providers:"):
            return None
        pkg = r.type.split(":", 1)[0]
        if pkg not in default_providers:
            dp = _default_provider(r.type, cfg, project, stack)
            if dp is None:
                return None
            default_providers[pkg] = dp
        return default_providers[pkg]

    for r in resources:
        if r.parent and "pulumi:pulumi:Stack::" in r.parent:
            stack_urns.add(r.parent)
        opts = {"protect": r.protect, "ignoreChanges": list(r.ignore_changes),
                "deleteBeforeReplace": r.delete_before_replace,
                "deleteBeforeReplaceDefined": r.delete_before_replace,
                "additionalSecretOutputs": list(r.additional_secret_outputs),
                "parent": r.parent or ""}
        out.append(PolicyResourceInput(
            type=r.type, name=r.name, urn=r.urn, props=dict(r.inputs), parent=r.parent,
            dependencies=tuple(r.depends_on),
            property_dependencies={k: tuple(v) for k, v in r.property_dependencies.items()},
            options=opts, provider=provider_of(r), custom=r.custom))
    root = next(iter(stack_urns), None)
    for dp in default_providers.values():
        out.append(PolicyResourceInput(type=dp["type"], name=dp["name"], urn=dp["urn"],
                                       props=dp["properties"], parent=root,
                                       options={"parent": root or ""}, custom=True))
    for su in sorted(stack_urns):
        out.append(PolicyResourceInput(type="pulumi:pulumi:Stack", name=su.rsplit("::", 1)[-1],
                                       urn=su, props=dict(getattr(graph, "stack_outputs", {})),
                                       custom=False))
    return out


def _stack_state(graph: Any) -> dict[str, dict[str, Any]]:
    return {r.urn: {**r.inputs, **r.outputs} for r in graph}


def fixture_inputs(resources: Iterable[Any], *, project: str = "aiops", stack: str = "dev",
                   ) -> list[PolicyResourceInput]:
    """Resources given as ``FixtureResource``-like objects or mappings, as the engine sends them.

    Each item has ``type``, ``name``, ``props`` (camelCase), optional ``options`` (proto names)
    and ``parent`` (another item's name or a URN), ``dependencies``, ``provider``, ``urn``.
    URNs are built as the engine builds them, including the parent's type chain.
    """
    items = [_as_mapping(r) for r in resources]
    by_name: dict[str, dict[str, Any]] = {}
    urns: dict[str, str] = {}

    def urn_of(item: dict[str, Any], seen: tuple[str, ...] = ()) -> str:
        if item.get("urn"):
            return str(item["urn"])
        name = str(item["name"])
        if name in urns:
            return urns[name]
        parent = item.get("parent")
        ptype = None
        if parent:
            if str(parent).startswith("urn:"):
                ptype = _qualified_type(str(parent))
            elif parent in by_name and parent not in seen:
                ptype = _qualified_type(urn_of(by_name[parent], (*seen, name)))
        urns[name] = make_urn(str(item["type"]), name, project=project, stack=stack,
                              parent_type=ptype)
        return urns[name]

    for it in items:
        by_name.setdefault(str(it["name"]), it)

    def resolve(ref: Any) -> str:
        s = str(ref)
        return s if s.startswith("urn:") or s not in by_name else urn_of(by_name[s])

    out = []
    for it in items:
        parent = resolve(it["parent"]) if it.get("parent") else None
        opts = dict(it.get("options") or {})
        if parent:
            opts.setdefault("parent", parent)
        out.append(PolicyResourceInput(
            type=str(it["type"]), name=str(it["name"]), urn=urn_of(it),
            props=dict(it.get("props") or {}), parent=parent,
            dependencies=tuple(resolve(d) for d in it.get("dependencies") or ()),
            property_dependencies={k: tuple(resolve(d) for d in v)
                                   for k, v in (it.get("property_dependencies") or {}).items()},
            options=opts, provider=it.get("provider"), custom=bool(it.get("custom", True))))
    return out


def _as_mapping(r: Any) -> dict[str, Any]:
    if isinstance(r, PolicyResourceInput):
        return {"type": r.type, "name": r.name, "urn": r.urn, "props": r.props,
                "parent": r.parent, "dependencies": r.dependencies,
                "property_dependencies": r.property_dependencies, "options": r.options,
                "provider": r.provider, "custom": r.custom}
    if isinstance(r, Mapping):
        d = dict(r)
        if "props" not in d and "inputs" in d:
            d["props"] = d["inputs"]
        return d
    d = {k: getattr(r, k) for k in ("type", "name", "parent", "options", "urn", "provider",
                                    "dependencies", "property_dependencies", "custom")
         if hasattr(r, k)}
    d["props"] = getattr(r, "props", None) if hasattr(r, "props") else getattr(r, "inputs", {})
    return d


def pulumi_env(stack_config: Mapping[str, Any] | None, *, project: str = "aiops",
               stack: str = "dev", organization: str = "organization",
               dry_run: bool = True) -> dict[str, str]:
    """The ``PULUMI_*`` variables the CLI gives a policy pack (``PULUMI_CONFIG`` is a JSON
    object of full keys to strings, structured values JSON-encoded)."""
    return {
        "PULUMI_CONFIG": json.dumps({k: v if isinstance(v, str) else json.dumps(v)
                                     for k, v in (stack_config or {}).items()}),
        "PULUMI_PROJECT": project,
        "PULUMI_STACK": stack,
        "PULUMI_ORGANIZATION": organization,
        "PULUMI_DRY_RUN": "true" if dry_run else "false",
    }


@contextlib.contextmanager
def _pulumi_env_set(values: Mapping[str, str]) -> Any:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -- the minimal Engine the CLI serves ------------------------------------------------------------
class _EngineServer:
    """``pulumirpc.Engine`` on loopback that records ``Log`` calls (what the CLI provides)."""

    def __init__(self) -> None:
        import grpc
        from google.protobuf import empty_pb2
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

        logs = self.logs = []  # type: list[tuple[int, str]]

        class Servicer(engine_pb2_grpc.EngineServicer):
            def Log(self, request: Any, context: Any) -> Any:
                logs.append((int(request.severity), str(request.message)))
                return empty_pb2.Empty()

            def GetRootResource(self, request: Any, context: Any) -> Any:
                return engine_pb2.GetRootResourceResponse()

            def SetRootResource(self, request: Any, context: Any) -> Any:
                return engine_pb2.SetRootResourceResponse()

        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=1),
                                   options=_GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(Servicer(), self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.stop(0)


_LIVE: weakref.WeakSet[PolicyPackProcess] = weakref.WeakSet()


@atexit.register
def _close_live_packs() -> None:
    """Stop packs still running when the interpreter exits (a pack otherwise serves forever)."""
    for proc in list(_LIVE):
        with contextlib.suppress(Exception):
            proc.close()


# -- one pack process -----------------------------------------------------------------------------
class PolicyPackProcess:
    """A policy pack running as a subprocess, exactly as the Pulumi CLI launches it.

    Use it as a context manager; the process is terminated (then killed) and reaped on exit.
    Packs still running when the interpreter exits are stopped too (``atexit``).

    :param pack: the pack folder, or a pack name under :func:`policy_packs_dir`.
    :param stack_config: the stack's config (``{"aws:region": "us-east-1"}``), passed as
        ``PULUMI_CONFIG`` JSON.
    :param python: the interpreter (the CLI uses the pack's virtualenv; default: this one).
    :param extra_path: folders prepended to ``PYTHONPATH`` (default: the ``policy-packs`` root,
        so packs can import the shared rule library).

    Example::

        with PolicyPackProcess("aiops-baseline") as pack:
            info = pack.info()
            pack.configure()            # explicit levels + schema defaults
            diags = pack.analyze("aws:kms/key:Key", "k", {"enableKeyRotation": False})
    """

    def __init__(self, pack: str | Path, *, stack_config: Mapping[str, Any] | None = None,
                 project: str = "aiops", stack: str = "dev", organization: str = "organization",
                 dry_run: bool = True, python: str | None = None,
                 extra_path: Sequence[str | Path] | None = None,
                 startup_timeout: float = 90.0, rpc_timeout: float = 120.0) -> None:
        self.dir = pack_dir(pack)
        self.stack_config = dict(stack_config or {})
        self.project, self.stack, self.organization = project, stack, organization
        self.dry_run = dry_run
        self.python = python or sys.executable
        if extra_path is None:
            extra_path = [self.dir.parent]
        self.extra_path = [str(Path(p).resolve()) for p in extra_path]
        self.startup_timeout, self.rpc_timeout = startup_timeout, rpc_timeout
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._engine: _EngineServer | None = None
        self._channel: Any = None
        self._stub: Any = None
        self._info: AnalyzerInfo | None = None
        self._frameworks: dict[str, dict[str, tuple[str, ...]]] | None = None
        self.version = _pack_version(self.dir, default="")
        self.handshake_supported: bool | None = None

    # lifecycle
    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("PULUMI_") and k not in ("PULUMI_HOME",):
                env.pop(k)
        env.update(pulumi_env(self.stack_config, project=self.project, stack=self.stack,
                              organization=self.organization, dry_run=self.dry_run))
        env["PYTHONUNBUFFERED"] = "1"
        if self.extra_path:
            env["PYTHONPATH"] = os.pathsep.join(
                [*self.extra_path, *filter(None, [env.get("PYTHONPATH")])])
        return env

    def start(self) -> None:
        """Launch the pack, read its port, open the channel (idempotent)."""
        if self._proc is not None:
            return
        import grpc

        self._engine = _EngineServer()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        try:
            self._proc = subprocess.Popen(
                [self.python, "-u", "-m", "pulumi.policy", self._engine.address, "."],
                cwd=self.dir, env=self._env(), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=self._stderr)
            _LIVE.add(self)
            self.port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_GRPC_OPTIONS)
            grpc.channel_ready_future(self._channel).result(timeout=self.startup_timeout)
            from pulumi.runtime.proto import analyzer_pb2_grpc
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
            self.handshake_supported = self._handshake()
        except BaseException:
            self.close()
            raise

    def _handshake(self) -> bool:
        """``Handshake`` as the CLI sends it; the Python SDK answers UNIMPLEMENTED, and the CLI
        (like this harness) then carries on with the command-line protocol."""
        from pulumi.runtime.proto import analyzer_pb2

        assert self._engine is not None
        req = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=self._engine.address, root_directory=str(self.dir),
            program_directory=str(self.dir))
        try:
            self._call("Handshake", req)
        except PolicyHarnessError as e:
            if "UNIMPLEMENTED" in str(e):
                return False
            raise
        return True

    def _read_port(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self._proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + self.startup_timeout
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PolicyHarnessError(
                        f"policy pack {self.dir.name}: no port on stdout after "
                        f"{self.startup_timeout:.0f}s\n{self.stderr_text()}")
                if not sel.select(timeout=min(left, 0.5)):
                    if self._proc.poll() is not None:
                        break
                    continue
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
        finally:
            sel.close()
        line = buf.split(b"\n", 1)[0].strip()
        if not line.isdigit():
            self._proc.poll()
            raise PolicyHarnessError(
                f"policy pack {self.dir.name} did not start (exit code {self._proc.returncode}, "
                f"stdout {buf[:200]!r}):\n{self.stderr_text()}")
        return int(line)

    def stderr_text(self, limit: int = 8000) -> str:
        """What the pack wrote on stderr so far (its last ``limit`` characters)."""
        if self._stderr is None:
            return ""
        with contextlib.suppress(Exception):
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read().decode(errors="replace")[-limit:]
        return ""

    @property
    def logs(self) -> list[tuple[int, str]]:
        """``(severity, message)`` of every ``Engine.Log`` call the pack made."""
        return list(self._engine.logs) if self._engine else []

    @property
    def pid(self) -> int | None:
        """The pack process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        """Close the channel, stop the pack (SIGTERM, then SIGKILL) and reap it."""
        if self._channel is not None:
            with contextlib.suppress(Exception):
                self._channel.close()
            self._channel = self._stub = None
        proc, self._proc = self._proc, None
        _LIVE.discard(self)
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    proc.wait(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()
        if self._engine is not None:
            self._engine.stop()
            self._engine = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    # RPCs
    def _call(self, method: str, request: Any) -> Any:
        import grpc

        if self._stub is None:
            raise PolicyHarnessError("policy pack process is not running; use it as a context "
                                     "manager or call start()")
        try:
            return getattr(self._stub, method)(request, timeout=self.rpc_timeout)
        except grpc.RpcError as e:
            raise PolicyHarnessError(
                f"{self.dir.name}: {method} failed: {e.code()} {e.details()}\n"
                f"{self.stderr_text()}") from e

    def info(self) -> AnalyzerInfo:
        """``GetAnalyzerInfo``, typed (cached)."""
        if self._info is None:
            from google.protobuf import empty_pb2, json_format

            r = self._call("GetAnalyzerInfo", empty_pb2.Empty())
            policies = []
            for p in r.policies:
                schema = None
                if p.HasField("configSchema"):
                    schema = {"properties": json_format.MessageToDict(p.configSchema.properties),
                              "required": list(p.configSchema.required)}
                fw = None
                if p.HasField("framework") and p.framework.name:
                    fw = FrameworkInfo(p.framework.name, p.framework.version,
                                       p.framework.reference, p.framework.specification)
                sev = int(p.severity)
                policies.append(PolicyInfo(
                    name=p.name, description=p.description,
                    enforcement_level=_LEVELS[int(p.enforcementLevel)],
                    policy_type={1: "resource", 2: "stack"}.get(int(p.policy_type), "unknown"),
                    severity=_SEVERITIES[sev] if 0 <= sev < len(_SEVERITIES) else None,
                    framework=fw, remediation_steps=p.remediation_steps, config_schema=schema,
                    display_name=p.displayName, tags=tuple(p.tags), url=p.url))
            initial = {}
            for k, v in r.initialConfig.items():
                entry: dict[str, Any] = json_format.MessageToDict(v.properties)
                entry["enforcementLevel"] = _LEVELS[int(v.enforcementLevel)]
                initial[k] = entry
            # The SDK always answers 0.0.1; the CLI takes the version from PulumiPolicy.yaml.
            self.version = _pack_version(self.dir, default=r.version)
            self._info = AnalyzerInfo(name=r.name, version=self.version, policies=tuple(policies),
                                      description=r.description, initial_config=initial)
        return self._info

    def resolved_config(self, config: Mapping[str, Any] | None = None,
                        ) -> dict[str, dict[str, Any]]:
        """The per-policy config :meth:`configure` sends (see :func:`resolve_policy_config`)."""
        return resolve_policy_config(self.info(), config)

    def configure(self, config: Mapping[str, Any] | None = None,
                  stack_tags: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
        """``ConfigureStack`` then ``Configure`` with every policy's level and config, as the CLI.

        ``config`` is the policy-pack config file's content: ``{"all": "mandatory"}`` and/or
        ``{policy: "advisory" | {"enforcementLevel": ..., prop: value}}``. Every policy gets an
        explicit enforcement level (the proto default would silently make it advisory) and its
        schema defaults. Returns the config sent.
        """
        from google.protobuf import struct_pb2
        from pulumi.runtime.proto import analyzer_pb2

        resolved = self.resolved_config(config)
        self.configure_stack(stack_tags)
        req = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in resolved.items():
            props = struct_pb2.Struct()
            props.update(to_engine_value({k: v for k, v in entry.items()
                                          if k != "enforcementLevel"}))
            req.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
                enforcementLevel=_LEVELS.index(entry["enforcementLevel"]),  # type: ignore[arg-type]
                properties=props))
        self._call("Configure", req)
        return resolved

    def configure_stack(self, tags: Mapping[str, str] | None = None) -> None:
        """``ConfigureStack`` (stack, project, organization, dry-run, config, tags)."""
        from pulumi.runtime.proto import analyzer_pb2

        req = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack, project=self.project, organization=self.organization,
            dry_run=self.dry_run,
            config={k: v if isinstance(v, str) else json.dumps(v)
                    for k, v in self.stack_config.items()},
            tags=dict(tags or {}))
        try:
            self._call("ConfigureStack", req)
        except PolicyHarnessError as e:  # older SDKs: the CLI ignores UNIMPLEMENTED
            if "UNIMPLEMENTED" not in str(e):
                raise

    def analyze(self, type: str, name: str, props: Mapping[str, Any],
                options: Mapping[str, Any] | None = None,
                provider: Mapping[str, Any] | None = None,
                urn: str | None = None) -> list[Diagnostic]:
        """``Analyze`` one resource; diagnostics without a URN get the resource's, as the engine.

        ``options`` uses the proto names (``protect``, ``ignoreChanges``, ``parent``, …);
        ``provider`` is ``{"type", "name", "urn", "properties"}``.
        """
        urn = urn or make_urn(type, name, project=self.project, stack=self.stack)
        return self.analyze_resource(PolicyResourceInput(
            type=type, name=name, urn=urn, props=dict(props), options=dict(options or {}),
            provider=provider, parent=(options or {}).get("parent") or None))

    def analyze_resource(self, r: PolicyResourceInput) -> list[Diagnostic]:
        """``Analyze`` one :class:`PolicyResourceInput`."""
        from pulumi.runtime.proto import analyzer_pb2

        req = analyzer_pb2.AnalyzeRequest(type=r.type, name=r.name, urn=r.urn,
                                          options=_options_msg(r.options, r.parent))
        req.properties.update(to_engine_value(r.props))
        if r.provider:
            req.provider.CopyFrom(_provider_msg(r.provider))
        resp = self._call("Analyze", req)
        return [self._diag(d, default_urn=r.urn) for d in resp.diagnostics]

    def analyze_stack(self, resources: Iterable[Any],
                      states: Mapping[str, Mapping[str, Any]] | None = None) -> list[Diagnostic]:
        """``AnalyzeStack`` over ``resources`` (:class:`PolicyResourceInput`, fixture-like
        objects or mappings; see :func:`fixture_inputs`). ``states`` optionally maps URNs to the
        properties stack policies see (default: each resource's ``props``)."""
        from pulumi.runtime.proto import analyzer_pb2

        given = list(resources)
        items: list[PolicyResourceInput] = (
            given if all(isinstance(r, PolicyResourceInput) for r in given)
            else fixture_inputs(given, project=self.project, stack=self.stack))
        req = analyzer_pb2.AnalyzeStackRequest()
        for r in items:
            m = req.resources.add()
            m.type, m.name, m.urn = r.type, r.name, r.urn
            m.parent = r.parent or ""
            m.properties.update(to_engine_value(
                states[r.urn] if states is not None and r.urn in states else r.props))
            m.options.CopyFrom(_options_msg(r.options, r.parent))
            m.dependencies.extend(r.dependencies)
            for k, v in r.property_dependencies.items():
                m.propertyDependencies[k].urns.extend(v)
            if r.provider:
                m.provider.CopyFrom(_provider_msg(r.provider))
        resp = self._call("AnalyzeStack", req)
        return [self._diag(d, default_urn=None) for d in resp.diagnostics]

    def _diag(self, d: Any, default_urn: str | None) -> Diagnostic:
        sev = int(d.severity)
        fws = self._framework_map().get(d.policyName)
        remediation = ""
        with contextlib.suppress(KeyError, PolicyHarnessError):
            info = self.info().policy(d.policyName)
            remediation = info.remediation_steps
            if fws is None and info.framework is not None:
                fw = info.framework
                fws = {fw.name: (fw.reference,) if fw.reference else ()}
        return Diagnostic(
            pack=d.policyPackName, pack_version=self.version or d.policyPackVersion,
            policy=d.policyName,
            message=d.message, description=d.description,
            enforcement_level=_LEVELS[int(d.enforcementLevel)],
            severity=_SEVERITIES[sev] if 0 <= sev < len(_SEVERITIES) else None,
            urn=d.urn or default_urn, frameworks=fws or {}, remediation=remediation)

    def _framework_map(self) -> dict[str, dict[str, tuple[str, ...]]]:
        if self._frameworks is None:
            self._frameworks = rule_frameworks(self.dir.parent)
        return self._frameworks


def _options_msg(options: Mapping[str, Any], parent: str | None) -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    o = dict(options or {})
    msg = analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(o.get("protect", False)),
        ignoreChanges=[str(x) for x in o.get("ignoreChanges") or ()],
        deleteBeforeReplace=bool(o.get("deleteBeforeReplace", False)),
        deleteBeforeReplaceDefined=bool(o.get("deleteBeforeReplaceDefined",
                                              "deleteBeforeReplace" in o)),
        additionalSecretOutputs=[str(x) for x in o.get("additionalSecretOutputs") or ()],
        aliases=[str(x) for x in o.get("aliases") or ()],
        parent=str(o.get("parent") or parent or ""))
    ct = o.get("customTimeouts")
    if ct:
        msg.customTimeouts.CopyFrom(analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=float(ct.get("create", 0)), update=float(ct.get("update", 0)),
            delete=float(ct.get("delete", 0))))
    return msg


def _provider_msg(p: Mapping[str, Any]) -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    msg = analyzer_pb2.AnalyzerProviderResource(type=str(p.get("type", "")),
                                                name=str(p.get("name", "")),
                                                urn=str(p.get("urn", "")))
    msg.properties.update(to_engine_value(dict(p.get("properties") or {})))
    return msg


# -- policy config as the CLI resolves it ---------------------------------------------------------
def resolve_policy_config(info: AnalyzerInfo, config: Mapping[str, Any] | None = None,
                          ) -> dict[str, dict[str, Any]]:
    """Every policy's effective ``{"enforcementLevel": ..., **properties}``, as the CLI builds it.

    Order of precedence (lowest first): the policy's own level (or the pack's), the pack's
    ``initial_config``, ``config["all"]``, ``config[policy]``. Properties: schema defaults, then
    ``initial_config`` properties, then ``config[policy]``. Keys of ``config`` that name no
    policy of this pack are ignored (the same config is shared by several packs). A required
    property that ends up missing raises :class:`PolicyHarnessError`.
    """
    cfg = dict(config or {})
    all_level = cfg.get("all")
    if isinstance(all_level, Mapping):
        all_level = all_level.get("enforcementLevel")
    out: dict[str, dict[str, Any]] = {}
    for p in info.policies:
        entry: dict[str, Any] = dict(p.schema_defaults())
        level = p.enforcement_level
        init = dict(info.initial_config.get(p.name) or {})
        level = init.pop("enforcementLevel", None) or level
        entry.update(init)
        if all_level:
            level = str(all_level)
        user = cfg.get(p.name)
        if isinstance(user, str):
            level = user
        elif isinstance(user, Mapping):
            u = dict(user)
            level = str(u.pop("enforcementLevel", None) or level)
            entry.update(u)
        level = str(getattr(level, "value", level)).lower()
        if level not in _LEVELS:
            raise PolicyHarnessError(f"{info.name}/{p.name}: enforcementLevel {level!r} is not "
                                     f"one of {', '.join(_LEVELS)}")
        for req in (p.config_schema or {}).get("required") or ():
            if req not in entry:
                raise PolicyHarnessError(f"{info.name}/{p.name}: config property {req!r} is "
                                         "required by the policy's schema and has no value")
        out[p.name] = {"enforcementLevel": level, **entry}
    return out


# -- the rule library (optional, for framework mappings and in-process runs) ----------------------
def _import_rule_library(root: Path | None = None) -> Any:
    try:
        return importlib.import_module("aiops_policies")
    except ImportError:
        base = str(root or policy_packs_dir())
        if base not in sys.path:
            sys.path.insert(0, base)
        return importlib.import_module("aiops_policies")


@functools.lru_cache(maxsize=4)
def _rule_frameworks_cached(root: str) -> dict[str, dict[str, tuple[str, ...]]]:
    try:
        lib = _import_rule_library(Path(root))
    except Exception:  # the rule library is optional for the harness
        return {}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for rule in getattr(lib, "RULES", ()):
        fw = getattr(rule, "frameworks", None) or {}
        out[str(rule.name)] = {str(k): tuple(v) for k, v in fw.items()}
    return out


def rule_frameworks(root: str | Path | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{rule name: {framework: control ids}}`` from ``aiops_policies.RULES`` ({} if absent)."""
    try:
        base = Path(root) if root is not None else policy_packs_dir()
    except PolicyHarnessError:
        return {}
    return _rule_frameworks_cached(str(base.resolve()))


# -- whole graphs ---------------------------------------------------------------------------------
def _select_packs(packs: Sequence[str] | None, root: Path) -> list[str]:
    known = list_packs(root)
    if not packs:
        return known
    unknown = [p for p in packs if p not in known and not (Path(p) / "PulumiPolicy.yaml").exists()]
    if unknown:
        raise PolicyHarnessError(f"unknown policy pack(s) {', '.join(map(repr, unknown))}; "
                                 f"known: {', '.join(known) or '(none)'}")
    return list(packs)


def _run_one_pack(pack: str, root: Path, inputs: list[PolicyResourceInput],
                  states: Mapping[str, Mapping[str, Any]], config: Mapping[str, Any] | None,
                  stack_config: Mapping[str, Any], project: str, stack: str,
                  stack_tags: Mapping[str, str] | None) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    with PolicyPackProcess(pack_dir(pack, root), stack_config=stack_config, project=project,
                           stack=stack) as proc:
        proc.configure(config, stack_tags=stack_tags)
        for r in inputs:
            if r.custom and r.type != "pulumi:pulumi:Stack":
                diags.extend(proc.analyze_resource(r))
        diags.extend(proc.analyze_stack(inputs, states=states))
    return diags


def evaluate_graph(graph: Any, packs: Sequence[str] | None = None,
                   config: Mapping[str, Any] | None = None, *,
                   stack_config: Mapping[str, Any] | None = None,
                   stack_tags: Mapping[str, str] | None = None,
                   packs_dir: str | Path | None = None, max_workers: int = 2) -> PolicyReport:
    """Run ``graph`` through policy packs over gRPC, each launched as the CLI launches it.

    :param graph: a :class:`~pulumi_aiops.testing.ResourceGraph`.
    :param packs: pack names under ``policy-packs/`` (default: every pack).
    :param config: policy config shared by all packs (``{"all": ..., policy: ...}``).
    :param stack_config: the stack config (``aws:region`` …): ``PULUMI_CONFIG`` and the
        default providers' properties.
    :param max_workers: packs evaluated concurrently (each is one process).

    Custom resources go through ``Analyze`` (component resources are not analyzed, as by the
    engine); all resources, plus default providers and the stack root, through
    ``AnalyzeStack``.

    Example::

        report = evaluate_graph(graph, packs=["aiops-baseline"], stack_config=cfg)
        for d in report.mandatory():
            print(d.pack, d.policy, d.urn, d.message)
    """
    root = Path(packs_dir) if packs_dir is not None else policy_packs_dir()
    names = _select_packs(packs, root)
    resources = list(graph)
    stack, project = _urn_stack_project(resources[0].urn) if resources else ("dev", "aiops")
    inputs = graph_to_inputs(graph, stack_config)
    states = _stack_state(graph)
    results: dict[str, list[Diagnostic]] = {}
    workers = max(1, min(max_workers, len(names)))
    with futures.ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = {pool.submit(_run_one_pack, n, root, inputs, states, config,
                            dict(stack_config or {}), project, stack, stack_tags): n
                for n in names}
        for fut in futures.as_completed(jobs):
            results[jobs[fut]] = fut.result()
    diags = tuple(d for n in names for d in results[n])
    return PolicyReport(diagnostics=diags, packs=tuple(Path(n).name for n in names),
                        resources=sum(1 for r in resources if r.custom), mode="grpc")


def default_plan_packs(root: str | Path | None = None) -> list[str]:
    """The packs ``aiops plan`` runs by default: every pack under ``root`` except the aggregate
    pack (``aiops-all``), which serves the same rules again."""
    base = Path(root) if root is not None else policy_packs_dir()
    names = list_packs(base)
    try:
        specs = getattr(_import_rule_library(base), "PACKS", {})
    except ImportError:
        return names
    return [n for n in names if not getattr(specs.get(n), "aggregate", False)]


PLAN_MODES = ("in-process", "grpc")


def run_packs_for_plan(graph: Any, packs: Sequence[str] | None = None,
                       config: Mapping[str, Any] | None = None,
                       stack_config: Mapping[str, Any] | None = None,
                       mode: str = "in-process") -> PolicyReport:
    """What ``aiops plan`` calls: the :func:`default_plan_packs` (or ``packs``), evaluated
    in this process (:func:`evaluate_in_process`, the default: the same diagnostics as the
    packs give over gRPC, without a process per pack) or over gRPC as the CLI runs them
    (``mode="grpc"``, :func:`evaluate_graph`)."""
    if mode not in PLAN_MODES:
        raise PolicyHarnessError(f"policy mode {mode!r} is not one of {', '.join(PLAN_MODES)}")
    root = policy_packs_dir()
    names = _select_packs(packs, root) if packs else default_plan_packs(root)
    if mode == "grpc":
        return evaluate_graph(graph, packs=names, config=config, stack_config=stack_config)
    return evaluate_in_process(graph, packs=names, config=config, stack_config=stack_config)


# -- in-process evaluation ------------------------------------------------------------------------
@dataclass
class _InProcessPack:
    name: str
    version: str
    policies: list[tuple[Any, str, dict[str, Any], str | None]]  # policy, level, config, severity




def _in_process_packs(names: list[str], root: Path, config: Mapping[str, Any] | None,
                      ) -> list[_InProcessPack]:
    from pulumi_policy import EnforcementLevel

    lib = _import_rule_library(root)
    packs_spec = getattr(lib, "PACKS", {})
    out = []
    for n in names:
        spec = packs_spec.get(n)
        if spec is None:
            raise PolicyHarnessError(f"policy pack {n!r} is not built from the aiops_policies "
                                     "rule library, so it cannot run in-process; run it as the "
                                     "Pulumi CLI does (aiops plan --policy-mode grpc)")
        policies = list(lib.make_policies(n))
        pack_level = getattr(spec, "enforcement_level", None) or EnforcementLevel.ADVISORY
        pack_level = str(getattr(pack_level, "value", pack_level)).lower()
        initial = dict(getattr(spec, "initial_config", None) or {})
        pinfos = []
        for pol in policies:
            lvl = pol.enforcement_level
            schema = None
            if pol.config_schema is not None:
                schema = {"properties": pol.config_schema.properties,
                          "required": list(pol.config_schema.required or [])}
            sev = getattr(pol.severity, "value", None)
            pinfos.append(PolicyInfo(
                name=pol.name, description=pol.description,
                enforcement_level=str(getattr(lvl, "value", lvl)).lower() if lvl else pack_level,
                policy_type="stack" if type(pol).__name__.startswith("Stack") else "resource",
                severity=sev, config_schema=schema))
        init_norm = {k: ({"enforcementLevel": str(getattr(v, "value", v)).lower()}
                         if not isinstance(v, Mapping) else dict(v)) for k, v in initial.items()}
        info = AnalyzerInfo(name=n, version=_pack_version(root / n), policies=tuple(pinfos),
                            initial_config=init_norm)
        resolved = resolve_policy_config(info, config)
        out.append(_InProcessPack(n, info.version, [
            (pol, resolved[pol.name]["enforcementLevel"],
             {k: to_engine_value(v) for k, v in resolved[pol.name].items()
              if k != "enforcementLevel"}, pi.severity)
            for pol, pi in zip(policies, pinfos, strict=True)]))
    return out


def _lazy_policy_resource_class() -> type:
    """A ``pulumi_policy.policy.PolicyResource`` whose read-only ``props`` proxy is built on
    first access (stack rules skip most resources by type)."""
    from pulumi_policy.policy import PolicyResource
    from pulumi_policy.proxy import unknown_checking_proxy

    class LazyPolicyResource(PolicyResource):
        __slots__ = ()

        @property
        def props(self) -> Any:
            d = self.__dict__
            if "_proxy" not in d:
                d["_proxy"] = unknown_checking_proxy(d.pop("_make")())
            return d["_proxy"]

        @props.setter
        def props(self, make: Any) -> None:
            self.__dict__.pop("_proxy", None)
            self.__dict__["_make"] = make

    LazyPolicyResource.__name__ = LazyPolicyResource.__qualname__ = "PolicyResource"
    return LazyPolicyResource


def evaluate_in_process(graph: Any, packs: Sequence[str] | None = None,
                        config: Mapping[str, Any] | None = None, *,
                        stack_config: Mapping[str, Any] | None = None,
                        packs_dir: str | Path | None = None) -> PolicyReport:
    """Like :func:`evaluate_graph`, in this process (see :func:`_evaluate_in_process`).

    The ``PULUMI_*`` variables a pack process would have (``PULUMI_CONFIG`` from
    ``stack_config``, project, stack) are set in ``os.environ`` for the duration of the call,
    since rules may read them (e.g. data residency reads ``aiops:platform.allowedRegions``).
    """
    resources = list(graph)
    stack, project = _urn_stack_project(resources[0].urn) if resources else ("dev", "aiops")
    # The graph and the provider SDKs are hundreds of thousands of long-lived objects; a cyclic
    # collection during the (short, bounded) evaluation would rescan them again and again, which
    # makes large stacks superlinear. Pause the collector, as run_program does.
    gc.freeze()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with _pulumi_env_set(pulumi_env(stack_config, project=project, stack=stack)):
            return _evaluate_in_process(graph, packs, config, stack_config=stack_config,
                                        packs_dir=packs_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def _evaluate_in_process(graph: Any, packs: Sequence[str] | None = None,
                         config: Mapping[str, Any] | None = None, *,
                         stack_config: Mapping[str, Any] | None = None,
                         packs_dir: str | Path | None = None) -> PolicyReport:
    """Like :func:`evaluate_graph`, but calling the policies in this process (fast).

    Policies come from ``aiops_policies.make_policies(pack)``; arguments are built as
    pulumi-policy builds them (``ResourceValidationArgs`` / ``StackValidationArgs`` with
    read-only ``unknown_checking_proxy`` props, integers as floats, secrets, assets and the
    unknown sentinel decoded by pulumi-policy's ``deserialize_properties``, ``not_applicable`` and
    unknown-value handling), with the config :func:`resolve_policy_config` resolves. A rule
    shared by several packs with the same config runs once per resource and is reported by each
    pack at that pack's level; resource rules with ``resource_types`` only see those types (the
    library's ``validate`` filters the same way). The gRPC path (:func:`evaluate_graph`) is
    the source of truth; tests check that both agree.
    """
    from pulumi_policy.policy import (
        PolicyCustomTimeouts,
        PolicyProviderResource,
        PolicyResourceOptions,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
        _NotApplicableError,
    )
    from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

    _LazyPolicyResource = _lazy_policy_resource_class()
    root = Path(packs_dir) if packs_dir is not None else policy_packs_dir()
    names = _select_packs(packs, root)
    specs = _in_process_packs(names, root, config)
    lib = _import_rule_library(root)
    rules_by_name = {r.name: r for r in getattr(lib, "RULES", ())}
    inputs = graph_to_inputs(graph, stack_config)
    states = _stack_state(graph)
    fw_map = rule_frameworks(root)

    # One check per distinct (policy, config); each pack entry points at its check.
    checks: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    entries: list[tuple[_InProcessPack, Any, str, str | None, tuple[str, str]]] = []
    for pk in specs:
        for pol, lvl, cfg, sev in pk.policies:
            if lvl == "disabled":
                continue
            key = (pol.name, json.dumps(cfg, sort_keys=True, default=str))
            checks.setdefault(key, (pol, cfg))
            entries.append((pk, pol, "mandatory" if lvl == "remediate" else lvl, sev, key))
    entries_by_key: dict[tuple[str, str], list[tuple[_InProcessPack, Any, str, str | None]]] = {}
    for pk, pol, lvl, sev, key in entries:
        entries_by_key.setdefault(key, []).append((pk, pol, lvl, sev))
    by_type: dict[str, list[tuple[str, str]]] = {}
    any_type: list[tuple[str, str]] = []
    stack_keys: list[tuple[str, str]] = []
    for key, (pol, _cfg) in checks.items():
        if isinstance(pol, StackValidationPolicy):
            stack_keys.append(key)
        elif isinstance(pol, ResourceValidationPolicy) and pol.has_validation():
            rule = rules_by_name.get(pol.name)
            types = tuple(getattr(rule, "resource_types", ()) or ()) \
                if getattr(rule, "kind", "") == "resource" else ()
            if types:
                for t in types:
                    by_type.setdefault(t, []).append(key)
            else:
                any_type.append(key)

    opts_cache: dict[str, Any] = {}

    def opts_of(r: PolicyResourceInput) -> Any:
        if r.urn in opts_cache:
            return opts_cache[r.urn]
        o = r.options
        opts_cache[r.urn] = PolicyResourceOptions(
            bool(o.get("protect", False)), list(o.get("ignoreChanges") or ()),
            bool(o["deleteBeforeReplace"]) if o.get("deleteBeforeReplaceDefined") else None,
            list(o.get("aliases") or ()), PolicyCustomTimeouts(0, 0, 0),
            list(o.get("additionalSecretOutputs") or ()), r.parent or None)
        return opts_cache[r.urn]

    prov_cache: dict[str, Any] = {}
    engine_cache: dict[str, Any] = {}

    def engine_props(r: PolicyResourceInput) -> Any:
        if r.urn not in engine_cache:
            engine_cache[r.urn] = _policy_view(r.props)
        return engine_cache[r.urn]

    def engine_state(r: PolicyResourceInput) -> Any:
        state = states.get(r.urn)
        if state is None or state == r.props:
            return engine_props(r)
        return _policy_view(state)

    def provider_of(r: PolicyResourceInput) -> Any:
        if not r.provider:
            return None
        p = r.provider
        urn = str(p.get("urn", ""))
        if urn not in prov_cache:
            prov_cache[urn] = PolicyProviderResource(
                str(p.get("type", "")),
                unknown_checking_proxy(_policy_view(dict(p.get("properties") or {}))),
                urn, str(p.get("name", "")))
        return prov_cache[urn]

    # A check's outcome: None (no violation) or a list of (message, urn, unknown?)
    Outcome = list[tuple[str, str | None, bool]]

    def run(policy: Any, args: Any) -> Outcome:
        out: Outcome = []

        def report(message: str, u: str | None = None) -> None:
            out.append((message, u, False))

        try:
            result = policy.validate(args, report)
            if result is not None and hasattr(result, "__await__"):
                import asyncio

                asyncio.run(result)
        except UnknownValueError as e:
            out.append((e.message, None, True))
        except _NotApplicableError:
            pass
        return out

    diags: list[Diagnostic] = []

    def emit(outcomes: Mapping[tuple[str, str], Outcome], default_urn: str | None) -> None:
        for key, found in outcomes.items():
            for (pk, pol, lvl, sev), (message, u, unknown) in (
                    (e, f) for e in entries_by_key[key] for f in found):
                if unknown:
                    diags.append(Diagnostic(
                        pack=pk.name, pack_version=pk.version, policy=pol.name,
                        message=(f"can't run policy '{pol.name}' from policy pack "
                                 f"'{pk.name}@v{pk.version}' during preview: {message}"),
                        description=pol.description, enforcement_level="advisory",
                        severity=None, urn=default_urn))
                    continue
                diags.append(Diagnostic(
                    pack=pk.name, pack_version=pk.version, policy=pol.name,
                    message=pol.description + (f"\n{message}" if message else ""),
                    description=pol.description, enforcement_level=lvl, severity=sev,
                    urn=u or default_urn, frameworks=fw_map.get(pol.name, {}),
                    remediation=pol.remediation_steps or ""))

    for r in inputs:
        if not r.custom or r.type == "pulumi:pulumi:Stack":
            continue
        keys = by_type.get(r.type, []) + any_type
        if not keys:
            continue
        # one read-only proxy per resource, shared by the checks (they cannot mutate it)
        props = unknown_checking_proxy(engine_props(r))
        opts, prov = opts_of(r), provider_of(r)
        outcomes: dict[tuple[str, str], Outcome] = {}
        for key in keys:
            pol, cfg = checks[key]
            args = ResourceValidationArgs(r.type, props, r.urn, r.name, opts, prov, dict(cfg))
            res = run(pol, args)
            if res:
                outcomes[key] = res
        if outcomes:
            emit(outcomes, r.urn)

    if stack_keys:
        stack_outcomes: dict[tuple[str, str], Outcome] = {}
        # built once and shared by the stack checks (read-only proxies, as the server's)
        objs = {r.urn: _LazyPolicyResource(
            r.type, (lambda r=r: engine_state(r)), r.urn, r.name, opts_of(r), provider_of(r),
            None, [], {}) for r in inputs}
        for r in inputs:
            o = objs[r.urn]
            o.parent = objs.get(r.parent) if r.parent else None
            o.dependencies = [objs[d] for d in r.dependencies if d in objs]
            o.property_dependencies = {k: [objs[d] for d in v if d in objs]
                                       for k, v in r.property_dependencies.items()}
        for key in stack_keys:
            pol, cfg = checks[key]
            res = run(pol, StackValidationArgs(list(objs.values()), dict(cfg)))
            if res:
                stack_outcomes[key] = res
        emit(stack_outcomes, None)
    return PolicyReport(diagnostics=tuple(diags), packs=tuple(names),
                        resources=sum(1 for r in graph if r.custom), mode="in-process")
