"""Types and helpers of the rule library: ``Rule``, ``Fixture``, ``FixtureResource``.

Rules are plain data plus a pulumi-policy ``validate`` callable, so one rule can be served by
several packs (each with its own enforcement level and framework) and run in-process by a test
harness. Only ``pulumi_policy`` and the standard library are imported here. Example::

    from aiops_policies._core import resource_rule

    def _check(props, cfg, args):
        if props.get("publiclyAccessible") is True:
            yield "the database is publicly accessible"

    RULE = resource_rule(
        "rds-not-public", "RDS instances are not publicly accessible.", "critical",
        remediation="Set publiclyAccessible: false.",
        frameworks={"soc2": ("CC6.6",)},
        resource_types=("aws:rds/instance:Instance",),
        check=_check,
        fixtures=(...),
    )
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _is_unknown, _ListProxy

__all__ = [
    "FRAMEWORKS",
    "SEVERITIES",
    "Fixture",
    "FixtureResource",
    "ResourceCheck",
    "Rule",
    "StackCheck",
    "as_bool",
    "as_list",
    "as_mapping",
    "as_number",
    "get_path",
    "parse_json_doc",
    "plain_props",
    "resource_rule",
    "safe_get",
    "stack_rule",
]

#: Framework ids → display names used in the packs and in the compliance matrix.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "hipaa": ("HIPAA Security Rule", "45 CFR 164 Subpart C"),
    "gdpr": ("GDPR", "Regulation (EU) 2016/679"),
    "pci-dss": ("PCI DSS", "v4.0"),
    "soc2": ("SOC 2", "2017 TSC (rev. 2022)"),
    "nist-800-53": ("NIST SP 800-53", "Rev. 5"),
    "nist-ai-rmf": ("NIST AI RMF", "1.0"),
}

SEVERITIES = ("low", "medium", "high", "critical")

Severity = Literal["low", "medium", "high", "critical"]


@dataclass(frozen=True)
class FixtureResource:
    """One resource of a fixture, as a policy would see it.

    ``props`` use engine camelCase names. ``options`` holds resource options
    (e.g. ``{"protect": True}``). ``parent`` is the ``name`` of another resource of the same
    fixture, or ``None``. For stack rules, a companion resource that references another one
    (an S3 ``bucketVersioningV2`` whose ``bucket`` is the bucket's name) carries the referenced
    value literally, so matching works with or without property dependencies; where the engine
    knows no literal value (a VPC's id, an auto-named resource), ``property_dependencies`` maps a
    property to the ``name`` of the resources it depends on, as the engine sends them.
    """

    type: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Fixture:
    """A resource (resource rules) or a set of resources (stack rules) and the expected outcome.

    ``expect="fail"`` means the rule reports at least one violation; ``"pass"`` means none.
    ``config`` is the rule's config for this fixture (merged over the schema defaults).
    """

    expect: Literal["fail", "pass"]
    resource: FixtureResource | None = None
    resources: tuple[FixtureResource, ...] = ()
    config: dict[str, Any] | None = None
    note: str = ""


ResourceCheck = Callable[[Mapping[str, Any], Mapping[str, Any], Any], Iterable[str]]
"""``check(props, config, args) -> messages``: one message per violation."""

StackCheck = Callable[[Sequence[Any], Mapping[str, Any]], Iterable[tuple[str, str | None]]]
"""``check(resources, config) -> (message, urn or None)`` pairs."""


@dataclass(frozen=True)
class Rule:
    """One CrossGuard rule with its metadata and fixtures.

    ``validate`` is the pulumi-policy callable ``(args, report_violation)``; it filters by
    ``resource_types`` itself and applies ``config_schema`` defaults, so it works whether or
    not the caller fills defaults. ``baseline`` marks rules of the mandatory ``aiops-baseline``.
    """

    name: str
    description: str
    severity: Severity
    remediation: str
    frameworks: dict[str, tuple[str, ...]]
    kind: Literal["resource", "stack"]
    validate: Callable[..., None]
    resource_types: tuple[str, ...] = ()
    config_schema: dict[str, dict[str, Any]] | None = None
    fixtures: tuple[Fixture, ...] = ()
    baseline: bool = True

    def defaults(self) -> dict[str, Any]:
        """The schema defaults of the rule's config."""
        return _defaults(self.config_schema)


def _defaults(schema: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    if not schema:
        return {}
    return {k: v["default"] for k, v in schema.items() if "default" in v}


def _merged_config(given: Mapping[str, Any] | None, defaults: Mapping[str, Any]) -> dict[str, Any]:
    cfg = dict(defaults)
    if given:
        for k, v in given.items():
            if k != "enforcementLevel" and v is not None:
                cfg[k] = v
    return cfg


def resource_rule(
    name: str,
    description: str,
    severity: Severity,
    *,
    remediation: str,
    frameworks: dict[str, tuple[str, ...]],
    resource_types: Sequence[str],
    check: ResourceCheck,
    fixtures: Sequence[Fixture],
    config_schema: dict[str, dict[str, Any]] | None = None,
    baseline: bool = True,
    type_prefix: str | None = None,
) -> Rule:
    """Build a resource rule whose ``validate`` runs ``check`` on the matching types only.

    ``type_prefix`` (e.g. ``"aws:"``) widens the match to every type with that prefix; the
    check then decides which of them it applies to.
    """
    types = frozenset(resource_types)
    defaults = _defaults(config_schema)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        t = args.resource_type
        if t not in types and not (type_prefix and t.startswith(type_prefix)):
            return
        cfg = _merged_config(args.get_config(), defaults) if defaults else (args.get_config() or {})
        props = plain_props(args.props)
        for msg in check(args.props if props is None else props, cfg, args):
            report_violation(msg, None)

    return Rule(name, description, severity, remediation, frameworks, "resource", validate,
                tuple(resource_types), config_schema, tuple(fixtures), baseline)


def stack_rule(
    name: str,
    description: str,
    severity: Severity,
    *,
    remediation: str,
    frameworks: dict[str, tuple[str, ...]],
    check: StackCheck,
    fixtures: Sequence[Fixture],
    config_schema: dict[str, dict[str, Any]] | None = None,
    resource_types: Sequence[str] = (),
    baseline: bool = True,
) -> Rule:
    """Build a stack rule; ``check`` sees every resource (``PolicyResource``) of the stack."""
    defaults = _defaults(config_schema)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        cfg = _merged_config(args.get_config(), defaults)
        for msg, urn in check(args.resources, cfg):
            report_violation(msg, urn)

    return Rule(name, description, severity, remediation, frameworks, "stack", validate,
                tuple(resource_types), config_schema, tuple(fixtures), baseline)


# --- property helpers -------------------------------------------------------------------------

class _HasUnknown(Exception):
    pass


def _unwrap(v: Any) -> Any:
    t = type(v)
    if t is _DictProxy:
        return {k: _unwrap(x) for k, x in v["__target"].items()}
    if t is _ListProxy:
        return [_unwrap(x) for x in v["__target"]]
    if t is dict:
        return {k: _unwrap(x) for k, x in v.items()}
    if t is list:
        return [_unwrap(x) for x in v]
    if t is str and _is_unknown(v):
        raise _HasUnknown
    return v


_last_plain: tuple[Any, Any] = (None, None)


def plain_props(props: Any) -> dict[str, Any] | None:
    """``props`` (a read-only unknown-checking proxy) as plain dicts and lists, or ``None`` when
    it holds an unknown (preview) value, in which case rules read the proxy and the SDK reports
    "can't run policy during preview" only if a rule touches the unknown value.

    The last conversion is cached, so several rules on one resource convert it once.
    """
    global _last_plain
    last = _last_plain
    if last[0] is props:
        return last[1]
    try:
        plain = _unwrap(props)
    except _HasUnknown:
        plain = None
    if plain is not None and not isinstance(plain, dict):
        plain = None
    _last_plain = (props, plain)
    return plain

_MISSING: Any = object()


def safe_get(props: Any, key: str, default: Any = None) -> Any:
    """``props.get(key)`` that answers ``default`` for unknown (preview) values."""
    if not isinstance(props, Mapping):
        return default
    try:
        v = props.get(key, default)
    except UnknownValueError:
        return default
    return v


def get_path(props: Any, path: str, default: Any = None) -> Any:
    """Read ``a.b.c`` from nested mappings; ``default`` when any step is missing."""
    cur = props
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return default
        cur = cur.get(part, _MISSING)
        if cur is _MISSING or cur is None:
            return default
    return cur


def as_list(v: Any) -> list[Any]:
    """A sequence (not a string) as a list; a scalar as ``[v]``; ``None`` as ``[]``."""
    if v is None:
        return []
    if isinstance(v, (str, bytes, Mapping)):
        return [v]
    if isinstance(v, Sequence):
        return list(v)
    return [v]


def as_mapping(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def as_bool(v: Any) -> bool | None:
    """``True``/``False`` for booleans and the strings "true"/"false"; ``None`` otherwise."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        s = v.strip().lower()
        if s == "true":
            return True
        if s == "false":
            return False
    return None


def as_number(v: Any) -> float | None:
    """A number (engine numbers are floats; numeric strings accepted), else ``None``."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def parse_json_doc(v: Any) -> Any:
    """A JSON document given as a string or as an already-parsed mapping/sequence."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return None
    if isinstance(v, (Mapping, Sequence)):
        return v
    return None


def iter_resources(resources: Iterable[Any], types: frozenset[str]) -> Iterator[Any]:
    for r in resources:
        if r.resource_type in types:
            yield r


def policy_resource_ref_matches(companion: PolicyResource, key: str, target: PolicyResource,
                                target_names: Iterable[Any]) -> bool:
    """Whether ``companion``'s property ``key`` refers to ``target``.

    True when the property depends on ``target`` (property dependencies), when ``target`` is
    the companion's parent, or when the property value equals one of ``target_names`` (the
    target's physical name or id, when known).
    """
    deps = getattr(companion, "property_dependencies", None) or {}
    for d in deps.get(key, ()) or ():
        if getattr(d, "urn", None) == target.urn:
            return True
    parent = getattr(companion, "parent", None)
    if parent is not None and getattr(parent, "urn", None) == target.urn:
        return True
    value = safe_get(companion.props, key)
    if isinstance(value, str) and value:
        for n in target_names:
            if isinstance(n, str) and n and n == value:
                return True
    return False
