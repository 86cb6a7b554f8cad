"""No URN of a shipped 0.1.0 stack that belongs to a CoreWeaveGpuCluster or a ModelServer is
lost: each is still registered, or answered by an alias (the components moved to
``aiops:index:…`` and alias their old type tokens; children inherit the alias, as the engine
derives child aliases from parent aliases).

The alias URNs are computed here as the engine would, from the alias specs each registration
sends, with the mock monitor's URN scheme the fixture was recorded with."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

import pulumi_aiops.testing.program as program_mod
from pulumi_aiops.testing import load_stack_config, run_program

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "urns-0.1.0.json"
OURS = ("CoreWeaveGpuCluster", "ModelServer")


class _AliasRecordingMonitor(program_mod.RecordingMonitor):
    """Also keeps each registration's alias specs, ``(name, type)`` with ``None`` for unset."""

    specs: dict[str, list[tuple[str | None, str | None]]]

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        specs = type(self).specs.setdefault(response.urn, [])
        for alias in request.aliases:
            assert alias.WhichOneof("alias") == "spec", "alias URNs are not expected here"
            assert not alias.spec.parentUrn and not alias.spec.noParent
            specs.append((alias.spec.name or None, alias.spec.type or None))
        return response


def _make_urn(stack: str, parent: str | None, type_: str, name: str) -> str:
    """The mock monitor's URN (``pulumi.runtime.mocks.MockMonitor.make_urn``)."""
    if parent:
        type_ = parent.split("::")[2].split("$")[-1] + "$" + type_
    return "urn:pulumi:" + "::".join([stack, "aiops", type_, name])


def _evaluate(stack: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, list[Any]]]:
    _AliasRecordingMonitor.specs = {}
    monkeypatch.setattr(program_mod, "RecordingMonitor", _AliasRecordingMonitor)
    config, secrets = load_stack_config(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    graph = run_program(lambda: runpy.run_path(str(ROOT / "stacks" / "__main__.py"), run_name="__main__"),
                        config, stack=stack, secret_keys=secrets)
    return graph, _AliasRecordingMonitor.specs


def _answered_urns(stack: str, graph: Any, specs: dict[str, list[Any]]) -> set[str]:
    """Every URN a resource of ``graph`` answers to: its own and its aliases, inherited ones included."""
    by_urn = {r.urn: r for r in graph}
    memo: dict[str, set[str]] = {}

    def urns(urn: str) -> set[str]:
        if urn not in by_urn:  # the stack
            return {urn}
        if urn in memo:
            return memo[urn]
        r = by_urn[urn]
        names = {(r.name, r.type)} | {(n or r.name, t or r.type) for n, t in specs.get(urn, [])}
        parents = urns(r.parent) if r.parent else {None}
        memo[urn] = {_make_urn(stack, p, t, n) for p in parents for n, t in names}
        return memo[urn]

    return {u for urn in by_urn for u in urns(urn)}


@pytest.mark.parametrize("stack", ["multicloud", "prod"])
def test_every_old_coreweave_and_model_server_urn_is_present_or_aliased(
        stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old = [u for u in json.loads(FIXTURE.read_text())[stack] if any(f":{c}" in u for c in OURS)]
    assert old, f"the fixture has no CoreWeave/ModelServer URNs for {stack}"
    graph, specs = _evaluate(stack, monkeypatch)
    now = {r.urn for r in graph}
    answered = _answered_urns(stack, graph, specs)
    missing = sorted(set(old) - answered)
    assert not missing, missing
    # The URNs did move (new type tokens): the aliases, not luck, keep them.
    assert set(old) - now
    tops = [r for r in graph if r.type in ("aiops:index:CoreWeaveGpuCluster", "aiops:index:ModelServer")]
    assert tops and all(specs[r.urn] for r in tops)


def test_alias_emulation_would_catch_a_renamed_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above is not vacuous: a URN the stack no longer answers to is reported."""
    graph, specs = _evaluate("multicloud", monkeypatch)
    answered = _answered_urns("multicloud", graph, specs)
    renamed = ("urn:pulumi:multicloud::aiops::aiops:coreweave:CoreWeaveGpuCluster$"
               "kubernetes:compute.coreweave.com/v1alpha1:NodePool::cw-gpu-pool-0")
    assert renamed not in answered
    assert renamed.replace("pool-0", "pool-l40s") in answered
