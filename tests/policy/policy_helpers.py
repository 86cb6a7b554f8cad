"""Helpers shared by the policy tests (imported as a plain module)."""

from __future__ import annotations

from typing import Any

from pulumi_aiops.testing.policy import list_packs, policy_packs_dir

__all__ = ["pack_for_rule", "repo_packs", "rule_library"]


def repo_packs() -> list[str]:
    """The repository's packs (empty while the rule engineer has not landed them)."""
    try:
        return list_packs(policy_packs_dir())
    except Exception:
        return []


def rule_library() -> Any:
    """``aiops_policies`` or ``None`` when it is not importable yet."""
    try:
        from pulumi_aiops.testing.policy import _import_rule_library

        lib = _import_rule_library()
        lib.RULES  # noqa: B018
        lib.PACKS  # noqa: B018
        return lib
    except Exception:
        return None


def pack_for_rule(lib: Any, rule_name: str) -> str | None:
    """The first pack (in name order, ``aiops-baseline`` first) that serves ``rule_name``."""
    names = sorted(lib.PACKS, key=lambda n: (n != "aiops-baseline", n))
    for n in names:
        if any(getattr(r, "name", r) == rule_name for r in lib.PACKS[n].rules):
            return n
    return None
