"""Issue 9, group 3 on the component side: the shipped stacks satisfy the scanner rules, so the
packs enforce them all; CoreWeave's VPC, which has no flow-log API, is not what the flow-log rule
checks."""

from __future__ import annotations

from functools import cache

import pytest
from policy_helpers import rule_library

from pulumi_aiops.testing.policy import PolicyReport, evaluate_in_process
from stack_plans import STACKS, planned

LIB = rule_library()
SCANNER_RULES = {"vpc-flow-logs", "kms-key-explicit-policy", "rds-enhanced-monitoring",
                 "rds-performance-insights-cmk", "rds-aurora-statement-logging",
                 "s3-versioning-configuration-enabled", "k8s-image-digest-pinned",
                 "k8s-namespace-default-deny"}
pytestmark = pytest.mark.skipif(LIB is None, reason="aiops_policies is not importable")


@cache
def _report(stack: str) -> PolicyReport:
    plan = planned(stack)
    return evaluate_in_process(plan.graph, packs=[LIB.AGGREGATE_PACK], stack_config=plan.config)


def test_every_scanner_rule_is_enforced() -> None:
    assert LIB.PENDING_MANDATORY == []
    for name in SCANNER_RULES:
        for pack in (LIB.AGGREGATE_PACK, "aiops-baseline"):
            if name in LIB.PACKS[pack].rules:
                assert LIB.PACKS[pack].level_of(name) == "mandatory", (pack, name)


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_satisfy_the_scanner_rules(stack: str) -> None:
    found = [d for d in _report(stack).diagnostics if d.policy in SCANNER_RULES]
    assert not found, [(d.policy, d.resource_name, d.message) for d in found]


def test_the_coreweave_vpc_is_not_a_flow_log_finding() -> None:
    graph = planned("prod").graph
    assert graph.of_type("coreweave:index/networkingVpc:NetworkingVpc")  # there is one
    assert not [d for d in _report("prod").diagnostics if d.policy == "vpc-flow-logs"]
    assert "coreweave:index/networkingVpc:NetworkingVpc" not in LIB.RULES_BY_NAME["vpc-flow-logs"].resource_types


def test_every_kms_key_of_the_shipped_stacks_has_an_explicit_policy() -> None:
    for stack in STACKS:
        for key in planned(stack).graph.of_type("aws:kms/key:Key"):
            assert key.inputs.get("policy"), (stack, key.name)


def test_every_image_of_the_shipped_stacks_is_pinned_or_a_chart_default() -> None:
    from aiops_policies.rules_k8s import DIGEST_RE, helm_value_images

    for stack in STACKS:
        graph = planned(stack).graph
        for rel in graph.of_type("kubernetes:helm.sh/v3:Release"):
            for path, image, pinned in helm_value_images(rel.inputs.get("values")):
                assert pinned, (stack, rel.name, path, image)
        for dep in graph.of_type("kubernetes:apps/v1:Deployment"):
            for c in dep.inputs["spec"]["template"]["spec"]["containers"]:
                assert DIGEST_RE.search(c["image"]), (stack, dep.name, c["image"])
