"""Every rule's fixtures, run through the packs launched as the Pulumi CLI launches them.

A failing fixture must be reported (at the pack's enforcement level, with the rule's severity);
a passing fixture must not be. Each pack process is started once for the session and
reconfigured per fixture (the fixture's config, on top of the schema defaults).
"""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import pack_for_rule, rule_library

from pulumi_aiops.testing.policy import Diagnostic, PolicyPackProcess, fixture_inputs

LIB = rule_library()
_SKIP = pytest.mark.skip(reason="aiops_policies is not importable yet")


def _cases() -> list[Any]:
    if LIB is None:
        return [pytest.param(None, None, marks=_SKIP)]
    out = []
    for rule in LIB.RULES:
        pack = pack_for_rule(LIB, rule.name) or "(no pack)"
        for i, fx in enumerate(rule.fixtures):
            out.append(pytest.param(rule.name, i, id=f"{pack}:{rule.name}-{i}-{fx.expect}"))
    # group by pack: nothing restarts, and the pool fills in one pass
    return sorted(out, key=lambda p: (pack_for_rule(LIB, p.values[0]) or "", p.id or ""))


def run_fixture(proc: PolicyPackProcess, rule: Any, fx: Any) -> list[Diagnostic]:
    """Run one fixture through ``proc``; return the diagnostics of ``rule``."""
    proc.configure({rule.name: {**(fx.config or {}), "enforcementLevel": "mandatory"}})
    items = ([fx.resource] if fx.resource is not None else []) + list(fx.resources)
    inputs = fixture_inputs(items)
    if rule.kind == "resource":
        diags = [d for r in inputs for d in proc.analyze_resource(r)]
    else:
        diags = proc.analyze_stack(inputs)
    return [d for d in diags if d.policy == rule.name]


@pytest.mark.parametrize(("rule_name", "index"), _cases())
def test_rule_fixture(rule_name: str, index: int, pack_pool: Any) -> None:
    rule = LIB.RULES_BY_NAME[rule_name]
    fx = rule.fixtures[index]
    pack = pack_for_rule(LIB, rule_name)
    assert pack is not None, f"rule {rule_name} is in no pack"
    diags = run_fixture(pack_pool.get(pack), rule, fx)
    where = f"{pack}/{rule_name} fixture {index} ({fx.note or fx.expect})"
    if fx.expect == "fail":
        assert diags, f"{where}: expected a violation, got none"
        for d in diags:
            assert d.enforcement_level == "mandatory", (where, d)
            assert d.severity == rule.severity, (where, d)
            assert d.message.startswith(rule.description), (where, d.message)
            assert d.pack == pack
    else:
        assert not diags, f"{where}: expected no violation, got " + \
            "; ".join(d.message.replace("\n", " ") for d in diags)


@pytest.mark.skipif(LIB is None, reason="aiops_policies is not importable yet")
def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    missing = [r.name for r in LIB.RULES
               if {f.expect for f in r.fixtures} != {"fail", "pass"}]
    assert not missing, f"rules without both a failing and a passing fixture: {missing}"
