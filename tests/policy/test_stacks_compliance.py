"""The shipped stacks are compliant by construction.

Every ``stacks/Pulumi.<stack>.yaml`` is evaluated offline (``stacks/__main__.py`` under mocks)
and the resulting graph runs through every pack under ``policy-packs/``, each launched as the
Pulumi CLI launches it: there must be 0 mandatory violations. A failure lists each violation
with the component that created the resource.
"""

from __future__ import annotations

import dataclasses
import functools
import runpy
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.testing import ResourceGraph, load_stack_config, run_program
from pulumi_aiops.testing.policy import Diagnostic, evaluate_graph, list_packs

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
STACK_FILES = sorted(STACKS.glob("Pulumi.*.yaml"))


def _project_name() -> str:
    """The project name from ``Pulumi.yaml`` (repository root, or ``stacks/``)."""
    import yaml

    for f in (ROOT / "Pulumi.yaml", STACKS / "Pulumi.yaml"):
        if f.is_file():
            return str((yaml.safe_load(f.read_text()) or {}).get("name") or "aiops")
    return "aiops"


@functools.cache
def evaluate_stack(stack_file: Path) -> tuple[ResourceGraph, dict[str, Any]]:
    """Run ``stacks/__main__.py`` with this stack's config; return the graph and config."""
    project = _project_name()
    config, secrets = load_stack_config(stack_file, project=project)
    stack = stack_file.name[len("Pulumi."):-len(".yaml")]

    def program() -> None:
        runpy.run_path(str(STACKS / "__main__.py"), run_name="__main__")

    graph = run_program(program, config, project=project, stack=stack, secret_keys=secrets)
    return graph, config


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


@pytest.mark.skipif(not list_packs(), reason="no policy packs yet")
@pytest.mark.parametrize("stack_file", STACK_FILES, ids=[f.name for f in STACK_FILES])
def test_stack_passes_every_mandatory_policy_of_every_pack(stack_file: Path) -> None:
    graph, config = evaluate_stack(stack_file)
    report = evaluate_graph(graph, stack_config=config)
    assert set(report.packs) == set(list_packs())
    assert report.resources == sum(1 for r in graph if r.custom) > 0
    mandatory = report.mandatory()
    assert not mandatory, (
        f"{stack_file.name}: {len(mandatory)} mandatory violations "
        f"over {report.resources} resources:\n{explain(graph, mandatory)}")


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
