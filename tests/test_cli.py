"""``aiops plan``: the offline plan of the shipped stacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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


def _project(tmp_path: Path, repo_root: Path, stack_yaml: str) -> Path:
    (tmp_path / "stacks").mkdir()
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(repo_root / "stacks" / "__main__.py", tmp_path / "stacks" / "__main__.py")
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(stack_yaml)
    return tmp_path


_OUT_OF_REGION = """
config:
  aws:region: eu-west-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    allowedRegions: [us-east-1]
    eks:
      gpuNodeGroups: [{name: l4, instanceType: g6.xlarge, maxSize: 1}]
"""


def test_stack_region_outside_allowed_regions_is_a_config_error(tmp_path: Path, repo_root: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The config check itself refuses a stack region outside allowedRegions (exit 2)."""
    proj = _project(tmp_path, repo_root, _OUT_OF_REGION)
    code = main(["plan", "--stack", "x", "--cwd", str(proj), "--policy-pack", "gdpr", "--json"])
    assert code == 2
    assert "aws:region: 'eu-west-1' is not in aiops:platform.allowedRegions ['us-east-1']" in capsys.readouterr().err


_IN_REGION = _OUT_OF_REGION.replace("eu-west-1", "us-east-1")


def test_plan_passes_the_stack_config_to_the_packs(tmp_path: Path, repo_root: Path) -> None:
    """allowedRegions reaches the packs from the stack config (PULUMI_CONFIG), as on `pulumi up`."""
    from pulumi_aiops.plan import find_project, plan_stack
    from pulumi_aiops.testing.policy import run_packs_for_plan

    proj = _project(tmp_path, repo_root, _IN_REGION)
    result = plan_stack(find_project(proj), "x")
    clean = run_packs_for_plan(result.graph, packs=["gdpr"], stack_config=result.config)
    assert "data-residency" not in {d.policy for d in clean.diagnostics}
    platform = {**result.config["aiops:platform"], "allowedRegions": ["eu-west-1"]}
    elsewhere = {**result.config, "aiops:platform": platform}
    report = run_packs_for_plan(result.graph, packs=["gdpr"], stack_config=elsewhere)
    assert "data-residency" in {d.policy for d in report.mandatory()}


def test_policy_pack_config_file_is_applied(tmp_path: Path, repo_root: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, repo_root, _IN_REGION)
    cfg = tmp_path / "policy.json"
    cfg.write_text(json.dumps({"data-residency": {"allowedRegions": ["eu-west-1"]}}))
    code = main(["plan", "--stack", "x", "--cwd", str(proj), "--policy-pack", "gdpr", "--json",
                 "--policy-pack-config", str(cfg)])
    data = json.loads(capsys.readouterr().out)
    assert "data-residency" in {d["policy"] for d in data["policy"]["diagnostics"]}
    assert code == 1


def test_unknown_policy_pack_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--policy-pack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "aiops-baseline" in err and "Traceback" not in err
