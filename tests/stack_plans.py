"""The shipped stacks, each evaluated once per test session exactly as ``aiops plan`` does.

Several test modules check different properties of the same stacks; they share these plans
instead of evaluating every stack again.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pulumi_aiops.plan import PlanResult, find_project, plan_stack

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
_SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the engine's marker of a secret value


@functools.cache
def planned(stack: str) -> PlanResult:
    """``stack`` evaluated offline (cached: treat the result as read-only)."""
    return plan_stack(find_project(ROOT), stack)


def as_api_value(value: Any) -> Any:
    """A recorded input as the API server would see it: secrets unwrapped, whole floats as ints
    (the engine carries numbers as floats)."""
    if isinstance(value, dict) and _SECRET_SIG in value:
        return as_api_value(value["value"])
    if isinstance(value, dict):
        return {k: as_api_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_api_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
