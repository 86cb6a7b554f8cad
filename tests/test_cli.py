"""``aiops plan``: the offline plan of the shipped stacks."""

from __future__ import annotations

import json

import pytest

from pulumi_aiops.cli import main


def test_unknown_stack_lists_the_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "nope", "--no-policy"]) == 2
    err = capsys.readouterr().err
    assert "stack 'nope'" in err and "dev" in err and "prod" in err


def test_plan_json_has_components_counts_and_capacity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--json", "--no-policy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stack"] == "dev"
    assert data["resourceCount"] == sum(data["countsByType"].values())
    assert sum(c["resourceCount"] for c in data["components"]) == data["resourceCount"]
    for row in data["gpuCapacity"]:
        assert row["maxGpus"] == row["gpusPerNode"] * row["maxNodes"]


def test_plan_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Stack aiops/dev:")
    assert "GPU capacity by cloud" in out
