"""The shipped stacks are compliant by construction.

Every ``stacks/Pulumi.<stack>.yaml`` is evaluated offline (``stacks/__main__.py`` under mocks)
and the resulting graph runs through every pack under ``policy-packs/``, each launched as the
Pulumi CLI launches it: there must be 0 mandatory violations. A failure lists each violation
with the component that created the resource.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.testing import ResourceGraph
from pulumi_aiops.testing.policy import (
    Diagnostic,
    PolicyReport,
    evaluate_graph,
    evaluate_in_process,
    list_packs,
)
from stack_plans import planned

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
STACK_FILES = sorted(STACKS.glob("Pulumi.*.yaml"))


def evaluate_stack(stack_file: Path) -> tuple[ResourceGraph, dict[str, Any]]:
    """Evaluate this stack exactly as ``aiops plan`` does; return the graph and config."""
    stack = stack_file.name[len("Pulumi."):-len(".yaml")]
    result = planned(stack)
    return result.graph, result.config


@functools.cache
def grpc_report(stack_file: Path) -> PolicyReport:
    """The stack through every pack over gRPC (once per session: two tests read it)."""
    graph, config = evaluate_stack(stack_file)
    return evaluate_graph(graph, stack_config=config)


def explain(graph: ResourceGraph, diags: list[Diagnostic]) -> str:
    """One line per (policy, resource), with the component that owns the resource."""
    seen: dict[tuple[str, str], list[str]] = {}
    for d in diags:
        seen.setdefault((d.policy, d.urn or "(stack)"), []).append(d.pack)
    lines = []
    for (policy, urn), packs in sorted(seen.items()):
        owner = "(stack)"
        if urn in graph:
            top = graph.top_component(graph.get(urn))
            owner = f"{top.type} {top.name}" if top is not None else "(no component)"
        msg = next(d.message.splitlines()[-1] for d in diags
                   if d.policy == policy and (d.urn or "(stack)") == urn)
        lines.append(f"- {policy} [{', '.join(sorted(packs))}] on {urn.rsplit('::', 1)[-1]} "
                     f"from {owner}: {msg}")
    return "\n".join(lines)


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=[f.name for f in STACK_FILES])
def test_stack_passes_every_mandatory_policy_of_every_pack(stack_file: Path) -> None:
    graph, _config = evaluate_stack(stack_file)
    report = grpc_report(stack_file)
    assert len(list_packs()) >= 8, "the policy packs went missing"
    assert set(report.packs) == set(list_packs())
    assert report.resources == sum(1 for r in graph if r.custom) > 0
    mandatory = report.mandatory()
    assert not mandatory, (
        f"{stack_file.name}: {len(mandatory)} mandatory violations "
        f"over {report.resources} resources:\n{explain(graph, mandatory)}")


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=[f.name for f in STACK_FILES])
def test_in_process_gives_the_diagnostics_of_the_packs_over_grpc(stack_file: Path) -> None:
    """``aiops plan`` evaluates in-process by default: on every shipped stack it must give
    exactly what the packs launched as the CLI launches them give (every field, every pack)."""
    graph, config = evaluate_stack(stack_file)
    over_grpc = grpc_report(stack_file)
    local = evaluate_in_process(graph, stack_config=config)
    assert local.packs == over_grpc.packs and local.resources == over_grpc.resources
    # (While rules are pending the stacks have advisory findings to compare; once they are
    # clean, tests/policy/test_policy_in_process.py still compares on misconfigured resources.)

    def rows(report: PolicyReport) -> list[str]:
        return sorted(json.dumps(d.to_dict(), sort_keys=True) for d in report.diagnostics)

    assert rows(local) == rows(over_grpc)
    assert [v.to_dict() for v in local.violations()] == [v.to_dict()
                                                        for v in over_grpc.violations()]


def test_there_are_stacks_to_check() -> None:
    assert {f.name for f in STACK_FILES} >= {"Pulumi.dev.yaml", "Pulumi.prod.yaml"}


@pytest.mark.skipif(not list_packs(), reason="no policy packs yet")
def test_a_broken_stack_graph_is_caught() -> None:
    """Control: the same pipeline reports a stack resource that is made non-compliant."""
    graph, config = evaluate_stack(STACKS / "Pulumi.dev.yaml")
    keys = graph.of_type("aws:kms/key:Key")
    if not keys:
        pytest.skip("the dev stack has no KMS key yet")
    key = keys[0]
    broken = dataclasses.replace(key, inputs={**key.inputs, "enableKeyRotation": False})
    graph2 = ResourceGraph([broken if r.urn == key.urn else r for r in graph],
                           graph.stack_outputs)
    report = evaluate_graph(graph2, packs=["aiops-baseline"], stack_config=config)
    assert [(d.policy, d.urn) for d in report.mandatory()] == [("kms-key-rotation", key.urn)]
