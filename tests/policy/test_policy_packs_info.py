"""``GetAnalyzerInfo`` of every pack, launched as the CLI launches it: each policy with its
severity, compliance framework, remediation steps, config schema and enforcement level."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import repo_packs, rule_library

LIB = rule_library()
PACKS = repo_packs()
EXPECTED_PACKS = {"aiops-baseline", "hipaa", "gdpr", "pci-dss", "soc2", "nist-800-53",
                  "nist-ai-rmf", "gpu-cost", "aiops-all"}
FRAMEWORK_PACKS = {"hipaa", "gdpr", "pci-dss", "soc2", "nist-800-53", "nist-ai-rmf"}
needs_lib = pytest.mark.skipif(LIB is None, reason="aiops_policies is not importable yet")


@needs_lib
def test_every_pack_is_shipped() -> None:
    assert set(PACKS) >= EXPECTED_PACKS, f"missing packs: {EXPECTED_PACKS - set(PACKS)}"
    assert set(LIB.PACKS) >= EXPECTED_PACKS


@needs_lib
@pytest.mark.parametrize("pack", sorted(set(PACKS) & set(LIB.PACKS) if LIB else ()))
def test_analyzer_info_lists_policies_with_metadata(pack: str, pack_pool: Any) -> None:
    proc = pack_pool.get(pack)
    info = proc.info()
    spec = LIB.PACKS[pack]
    assert info.name == pack
    assert info.version == spec.version  # PulumiPolicy.yaml agrees with the library
    assert info.names == list(spec.rules)
    assert info.policies, f"{pack} has no policies"
    for p in info.policies:
        rule = LIB.RULES_BY_NAME[p.name]
        where = f"{pack}/{p.name}"
        assert p.description == rule.description, where
        assert p.severity == rule.severity and p.severity in ("low", "medium", "high",
                                                              "critical"), where
        assert p.remediation_steps.strip() == rule.remediation.strip() != "", where
        assert p.framework is not None and p.framework.name, where
        assert p.policy_type == rule.kind, where
        assert p.enforcement_level == spec.level_of(p.name), where
        if p.name in LIB.PENDING_MANDATORY:
            assert p.enforcement_level == "advisory", where
        if rule.config_schema:
            assert p.config_schema is not None, where
            assert set(p.config_schema["properties"]) == set(rule.config_schema), where
            assert p.schema_defaults() == _engine(rule.defaults()), where
        if pack in FRAMEWORK_PACKS:
            # a framework pack holds only rules mapped to it, and reports their control ids
            controls = rule.frameworks.get(pack)
            assert controls, f"{where}: rule not mapped to {pack}"
            assert all(c in p.framework.reference for c in controls), (where, p.framework)


def _engine(v: Any) -> Any:
    """Integers come back from the protobuf round-trip as floats."""
    from pulumi_aiops.testing.policy import to_engine_value

    return to_engine_value(v)


@needs_lib
def test_baseline_is_mandatory() -> None:
    assert LIB.PACKS["aiops-baseline"].enforcement_level == "mandatory"


@needs_lib
def test_pending_rules_are_advisory_in_every_pack_and_the_rest_keep_the_pack_level() -> None:
    """The mechanism, with a rule made pending for the test (the shipped list is empty)."""
    LIB.PENDING_MANDATORY.append("kms-key-explicit-policy")
    try:
        _check_pending_levels()
    finally:
        LIB.PENDING_MANDATORY.remove("kms-key-explicit-policy")


def _check_pending_levels() -> None:
    pending = set(LIB.PENDING_MANDATORY)
    assert pending <= set(LIB.RULES_BY_NAME)
    served = set()
    for spec in LIB.PACKS.values():
        for name, policy in zip(spec.rules, LIB.make_policies(spec.name), strict=True):
            level = policy.enforcement_level.value
            if name in pending:
                served.add(name)
                assert level == "advisory", (spec.name, name)
            else:
                assert level == spec.enforcement_level, (spec.name, name)
    assert served == pending, "a pending rule is served by no pack"


@needs_lib
def test_the_aggregate_pack_serves_every_rule_once_with_all_its_controls(pack_pool: Any) -> None:
    """``aiops-all`` = every rule once; each policy reports every framework's control ids, and
    together the other packs serve exactly the same rules."""
    spec = LIB.PACKS[LIB.AGGREGATE_PACK]
    assert spec.aggregate and list(spec.rules) == [r.name for r in LIB.RULES]
    others = {n for s in LIB.PACKS.values() if not s.aggregate for n in s.rules}
    assert others == set(spec.rules)
    info = pack_pool.get(LIB.AGGREGATE_PACK).info()
    assert info.names == list(spec.rules)
    for p in info.policies:
        rule = LIB.RULES_BY_NAME[p.name]
        assert p.framework is not None
        for fw, controls in rule.frameworks.items():
            assert f"{fw}: {', '.join(controls)}" in p.framework.reference, (p.name, fw)
