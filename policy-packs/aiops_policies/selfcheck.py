"""Run every rule's fixtures in-process (no gRPC): ``python -m aiops_policies.selfcheck``.

A quick check for rule authors; the faithful check is the gRPC harness in
``pulumi_aiops.testing`` that launches the packs as the CLI does. Example::

    from aiops_policies.selfcheck import run_fixture
    violations = run_fixture(rule, rule.fixtures[0])
"""

from __future__ import annotations

import sys
from typing import Any

from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import unknown_checking_proxy

from aiops_policies._core import Fixture, FixtureResource, Rule
from aiops_policies.registry import RULES

__all__ = ["main", "run_fixture"]


def _urn(r: FixtureResource) -> str:
    return f"urn:pulumi:test::test::{r.type}::{r.name}"


def _opts(r: FixtureResource, parent: str | None) -> PolicyResourceOptions:
    o = r.options
    return PolicyResourceOptions(bool(o.get("protect", False)), list(o.get("ignoreChanges", [])),
                                 o.get("deleteBeforeReplace"), [], PolicyCustomTimeouts(0, 0, 0),
                                 [], parent)


def run_fixture(rule: Rule, fx: Fixture) -> list[str]:
    """The violation messages ``rule`` reports on ``fx``."""
    out: list[str] = []

    def report(msg: str, urn: Any = None) -> None:
        out.append(msg)

    if rule.kind == "resource":
        r = fx.resource
        assert r is not None, f"{rule.name}: resource fixture without resource"
        args = ResourceValidationArgs(r.type, unknown_checking_proxy(dict(r.props)), _urn(r),
                                      r.name, _opts(r, None), None, fx.config or {})
        rule.validate(args, report)
        return out
    by_name: dict[str, PolicyResource] = {}
    for r in fx.resources:
        by_name[r.name] = PolicyResource(r.type, unknown_checking_proxy(dict(r.props)), _urn(r),
                                         r.name, _opts(r, None), None, None, [], {})
    for r in fx.resources:
        if r.parent is not None:
            by_name[r.name].parent = by_name[r.parent]
        by_name[r.name].property_dependencies = {
            k: [by_name[d] for d in v] for k, v in r.property_dependencies.items()}
    rule.validate(StackValidationArgs(list(by_name.values()), fx.config or {}), report)
    return out


def main() -> int:
    bad = 0
    for rule in RULES:
        kinds = {f.expect for f in rule.fixtures}
        if kinds != {"fail", "pass"}:
            print(f"{rule.name}: needs a failing and a passing fixture, has {sorted(kinds)}")
            bad += 1
        for i, fx in enumerate(rule.fixtures):
            names = [r.name for r in fx.resources]
            if len(set(names)) != len(names):
                print(f"{rule.name} fixture {i}: resource names are not unique: {names}")
                bad += 1
            v = run_fixture(rule, fx)
            if (fx.expect == "fail") != bool(v):
                print(f"{rule.name} fixture {i} expected {fx.expect}, got {v}")
                bad += 1
    print(f"{len(RULES)} rules, {sum(len(r.fixtures) for r in RULES)} fixtures, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
