"""``aiops plan --all``: every stack, in parallel processes, one combined report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pulumi_aiops.cli import main
from pulumi_aiops.plan_all import PlanOptions, evaluate_all, pool_size
from stack_plans import ROOT, STACKS
from test_plan_diff import copy_project
from test_plan_format import plan_doc


def test_pool_size_follows_the_cpu_count() -> None:
    assert pool_size(4) == min(4, os.cpu_count() or 1)
    assert pool_size(1) == 1
    assert pool_size(10, jobs=3) == 3
    assert pool_size(2, jobs=8) == 2


def test_all_stacks_in_one_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--all", "--json", "--no-policy"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "aiops-plan-all" and report["processes"] == pool_size(len(STACKS))
    assert sorted(report["stacks"]) == STACKS
    for s in STACKS:
        # each stack's plan is the one a single `aiops plan --stack s --json` gives
        assert report["stacks"][s]["resources"] == plan_doc(s)["resources"]
        assert report["stacks"][s]["cost"] == plan_doc(s)["cost"]
    assert report["totals"]["maxMonthlyUsd"] == pytest.approx(
        sum(plan_doc(s)["cost"]["maxMonthlyUsd"] for s in STACKS), abs=0.05)


def test_one_bad_stack_does_not_hide_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    copy_project(proj, "dev", lambda t: t + "\n")
    (proj / "stacks" / "Pulumi.broken.yaml").write_text(
        "config:\n  aiops:platform:\n    governance: {owner: ml, costCenter: cc-1}\n    eks: {nope: 1}\n")
    code = main(["plan", "--all", "--cwd", str(proj), "--no-policy"])
    out = capsys.readouterr().out
    assert code == 2
    assert "==== stack broken ====" in out and "aiops:platform.eks.nope" in out
    assert "==== stack dev ====" in out and "Monthly cost" in out
    assert "All stacks (2, evaluated in" in out


def test_all_with_a_base_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base"
    base.mkdir()
    for s in STACKS[:-1]:  # the last stack is new on this side
        (base / f"{s}.json").write_text(json.dumps(plan_doc(s)))
    (base / "retired.json").write_text(json.dumps(plan_doc("dev")))
    assert main(["plan", "--all", "--diff", str(base), "--markdown", "--no-policy"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("| stack | resources | monthly cost | policy |")
    for s in STACKS:
        assert f"### Stack `{s}`" in md
    assert md.count("| ➕ create | 0 |") == len(STACKS) - 1
    assert f"_a new stack: {base / (STACKS[-1] + '.json')} does not exist_" in md
    assert "### Stack `retired`" in md and "this project has no Pulumi.retired.yaml" in md


def test_evaluate_all_runs_in_processes() -> None:
    results = evaluate_all(ROOT, ["dev", "multicloud"], PlanOptions(no_policy=True), jobs=2)
    assert {s: r.doc["resourceCount"] for s, r in results.items() if r.doc} == \
        {s: plan_doc(s)["resourceCount"] for s in ("dev", "multicloud")}


def test_all_and_stack_together_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--all", "--stack", "dev"]) == 2
    assert "leave out --stack" in capsys.readouterr().err
    assert main(["plan"]) == 2
    assert "--stack NAME (or --all" in capsys.readouterr().err
