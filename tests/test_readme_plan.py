"""What the README quotes from ``aiops plan`` and about the policy packs holds.

* the abridged ``aiops plan --stack multicloud`` output: every line it shows (resource and
  component counts, counts by type, GPU capacity) is a line of the real output, and its policy
  line names the same packs and the same number of violations;
* the ``policy-config.json`` example of "Policy packs" names real rules and config keys, and
  every shipped stack passes with it;
* the decode counts "Which to use" quotes are what the packs serve.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from aiops_policies import PACKS, PENDING_MANDATORY, RULES_BY_NAME
from pulumi_aiops.cli import render_text
from pulumi_aiops.plan import PlanResult
from pulumi_aiops.testing.policy import default_plan_packs, run_packs_for_plan
from stack_plans import STACKS, planned

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text()
_POLICY_LINE = re.compile(r"^Policy packs \((?P<packs>[^)]*)\): (?P<mandatory>\d+) mandatory "
                          r"violations, (?P<advisory>\d+) advisory$")


def _section(title: str) -> str:
    start = TEXT.index(title)
    nxt = re.search(r"^#{2,3} ", TEXT[start + len(title):], flags=re.M)
    return TEXT[start:start + len(title) + (nxt.start() if nxt else len(TEXT))]


def _quoted_plan() -> tuple[str, list[str]]:
    """The stack and the lines of the README's abridged ``aiops plan`` output."""
    m = re.search(r"What `aiops plan --stack (\w+)` prints \(abridged\):\n\n```\n(.*?)```",
                  TEXT, flags=re.S)
    assert m, "the README lost its aiops plan example"
    return m.group(1), m.group(2).rstrip("\n").splitlines()


def _plan_with_policy(stack: str, config: dict[str, Any] | None = None) -> PlanResult:
    base = planned(stack)
    result = PlanResult(project=base.project, stack=stack, graph=base.graph, config=base.config)
    result.policy = run_packs_for_plan(base.graph, config=config, stack_config=base.config)
    return result


def test_the_quoted_plan_output_is_what_aiops_plan_prints() -> None:
    stack, quoted = _quoted_plan()
    result = _plan_with_policy(stack)
    actual = render_text(result.summary()).splitlines()
    policy_line = next(ln for ln in quoted if ln.startswith("Policy packs ("))
    for line in quoted:
        if not line.strip() or line.strip().lstrip("│├└─ ") == "…" or line == policy_line:
            continue  # an abridgement mark
        assert line in actual, (f"README line not in `aiops plan --stack {stack}`:\n  {line}\n"
                                "the real output:\n" + "\n".join(actual))
    quoted_policy = _POLICY_LINE.match(policy_line)
    real_policy = next(_POLICY_LINE.match(ln) for ln in actual if ln.startswith("Policy packs ("))
    assert quoted_policy and real_policy
    assert quoted_policy["packs"] == real_policy["packs"]
    assert quoted_policy["mandatory"] == real_policy["mandatory"]
    # Rules still in PENDING_MANDATORY report the shipped stacks at the advisory level until
    # the components comply; every other advisory finding must be in the README's count.
    settled = [v for v in result.policy.violations()
               if v.enforcement_level == "advisory" and v.policy not in PENDING_MANDATORY]
    assert int(quoted_policy["advisory"]) == len(settled), [v.policy for v in settled]


def _policy_config_example() -> dict[str, Any]:
    section = _section("### Policy packs")
    m = re.search(r"`policy-config\.json`.*?```json\n(.*?)```", section, flags=re.S)
    assert m, "the Policy packs section lost its policy-config.json example"
    config: dict[str, Any] = json.loads(m.group(1))
    return config


def test_the_policy_config_example_names_real_rules_and_keys() -> None:
    config = _policy_config_example()
    assert config
    for name, value in config.items():
        assert name in RULES_BY_NAME, f"{name} is not a rule"
        schema = RULES_BY_NAME[name].config_schema or {}
        unknown = set(value) - set(schema) - {"enforcementLevel"}
        assert not unknown, f"{name}: {sorted(unknown)} are not config keys of the rule"


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_stack_passes_with_the_policy_config_example(stack: str) -> None:
    result = _plan_with_policy(stack, _policy_config_example())
    mandatory = [(v.policy, v.resource_name, v.detail) for v in result.policy.violations()
                 if v.enforcement_level == "mandatory"]
    assert not mandatory, mandatory


def test_the_quoted_decode_counts_are_what_the_packs_serve() -> None:
    """pulumi-policy decodes a resource once per resource policy of each pack in ``Analyze``
    (``benchmarks/policy_decodes.py`` counts it in the pack processes)."""
    m = re.search(r"decode each resource (\d+) times\s+\(`Analyze`\) where `aiops-all` decodes it "
                  r"(\d+) times", _section("### Policy packs"))
    assert m, "the Policy packs section lost its decode counts"

    def resource_policies(pack: str) -> int:
        return sum(1 for n in PACKS[pack].rules if RULES_BY_NAME[n].kind == "resource")

    eight = default_plan_packs()
    assert len(eight) == 8 and "aiops-all" not in eight
    assert int(m.group(1)) == sum(resource_policies(p) for p in eight)
    assert int(m.group(2)) == resource_policies("aiops-all")
