"""Every rule of the library, in a stable order (the order of the packs and the matrix)."""

from __future__ import annotations

from aiops_policies import rules_cost, rules_data, rules_eks, rules_governance, rules_iam, rules_k8s, rules_s3
from aiops_policies._core import SEVERITIES, Rule

__all__ = ["RULES", "RULES_BY_NAME"]

RULES: list[Rule] = [
    *rules_eks.RULES,
    *rules_data.RULES,
    *rules_s3.RULES,
    *rules_iam.RULES,
    *rules_k8s.RULES,
    *rules_governance.RULES,
    *rules_cost.RULES,
]

RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def _check() -> None:
    if len(RULES_BY_NAME) != len(RULES):
        dup = sorted({r.name for r in RULES if [x.name for x in RULES].count(r.name) > 1})
        raise ValueError(f"duplicate rule names: {dup}")
    for r in RULES:
        if r.severity not in SEVERITIES:
            raise ValueError(f"rule {r.name}: bad severity {r.severity!r}")


_check()
