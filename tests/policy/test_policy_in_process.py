"""The in-process evaluator (used by the benchmark) agrees with the gRPC path, which is the
source of truth: same diagnostics, same levels, same messages, on a mixed graph with good and
misconfigured resources of every kind the benchmark generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from policy_helpers import pack_for_rule, repo_packs, rule_library

from pulumi_aiops.testing.policy import Diagnostic, evaluate_graph, evaluate_in_process

ROOT = Path(__file__).resolve().parents[2]
LIB = rule_library()


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "policy_throughput", ROOT / "benchmarks" / "policy_throughput.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _key(d: Diagnostic) -> tuple[str, ...]:
    return (d.pack, d.policy, d.urn or "", d.enforcement_level, d.severity or "", d.message)


@pytest.mark.skipif(LIB is None or not repo_packs(), reason="no rule library or packs yet")
def test_in_process_matches_grpc_on_a_mixed_graph() -> None:
    bench = _bench()
    # 126 = lcm(18 kinds, 1 bad in 7): every kind appears both misconfigured and secure
    graph = bench.synthetic_graph(126)
    cfg = {"aws:region": "us-east-1"}
    grpc_report = evaluate_graph(graph, stack_config=cfg)
    local = evaluate_in_process(graph, stack_config=cfg)
    assert grpc_report.packs == local.packs
    assert grpc_report.mandatory(), "the misconfigured resources must be reported"
    assert sorted(map(_key, local.diagnostics)) == sorted(map(_key, grpc_report.diagnostics))
    # policy config reaches both paths the same way
    some = grpc_report.mandatory()[0].policy
    off = {some: "disabled"}
    assert not [d for d in evaluate_in_process(graph, config=off, stack_config=cfg).diagnostics
                if d.policy == some]


@pytest.mark.skipif(LIB is None or "data-residency" not in getattr(LIB, "RULES_BY_NAME", {}),
                    reason="no data-residency rule yet")
def test_stack_config_reaches_rules_on_both_paths() -> None:
    """Rules may read PULUMI_CONFIG (data residency reads aiops:platform.allowedRegions)."""
    from pulumi_aiops.testing.graph import RecordedResource, ResourceGraph

    stack = "urn:pulumi:dev::aiops::pulumi:pulumi:Stack::aiops-dev"
    eu = "urn:pulumi:dev::aiops::pulumi:providers:aws::eu"
    graph = ResourceGraph([
        RecordedResource(urn=eu, type="pulumi:providers:aws", name="eu", custom=True,
                         parent=stack, inputs={"region": "eu-west-1"}),
        RecordedResource(urn="urn:pulumi:dev::aiops::aws:sqs/queue:Queue::q",
                         type="aws:sqs/queue:Queue", name="q", custom=True, parent=stack,
                         provider=eu, inputs={"name": "q"}),
    ])
    cfg = {"aws:region": "us-east-1", "aiops:platform": {"allowedRegions": ["us-east-1"]}}
    packs = [pack_for_rule(LIB, "data-residency")]

    def residency(report: object) -> list[tuple[str | None, str]]:
        return sorted((d.urn, d.enforcement_level) for d in report.diagnostics  # type: ignore[attr-defined]
                      if d.policy == "data-residency")

    over_grpc = residency(evaluate_graph(graph, packs=packs, stack_config=cfg))
    assert over_grpc == [(eu, "mandatory")]
    assert residency(evaluate_in_process(graph, packs=packs, stack_config=cfg)) == over_grpc
    # allowed once eu-west-1 is in the platform's regions
    ok = {**cfg, "aiops:platform": {"allowedRegions": ["us-east-1", "eu-west-1"]}}
    assert residency(evaluate_in_process(graph, packs=packs, stack_config=ok)) == []
