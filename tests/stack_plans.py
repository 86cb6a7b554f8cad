"""The shipped stacks, each evaluated once per test session exactly as ``aiops plan`` does.

Several test modules check different properties of the same stacks; they share these plans
instead of evaluating every stack again.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pulumi_aiops.plan import PlanResult, find_project, plan_stack
from pulumi_aiops.testing import unwrap_secret

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@functools.cache
def planned(stack: str) -> PlanResult:
    """``stack`` evaluated offline (cached: treat the result as read-only)."""
    return plan_stack(find_project(ROOT), stack)


def as_api_value(value: Any) -> Any:
    """A recorded input as the API server would see it: secrets unwrapped, whole floats as ints
    (the engine carries numbers as floats)."""
    return _whole_floats_as_ints(unwrap_secret(value))


def _whole_floats_as_ints(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
