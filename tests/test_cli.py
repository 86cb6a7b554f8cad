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


# The config check refuses an aws:region outside allowedRegions before anything runs, so the
# policy packs are what catches a CoreWeave cluster placed outside the allowed geography.
_OUT_OF_REGION = """
config:
  aws:region: us-east-1
  coreweave:token:
    secure: v1:placeholder
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    allowedRegions: [us-east-1]
    coreweave:
      name: cw-gpu
      cks: {zone: EU-SOUTH-04A}
      nodePools:
        - {name: l40s, instanceType: gd-8xl40s-i128, targetNodes: 0, minNodes: 0, maxNodes: 1}
"""


@pytest.mark.parametrize("mode", ["in-process", "grpc"])
def test_plan_passes_the_stack_config_to_the_packs(tmp_path: Path, repo_root: Path, mode: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """allowedRegions comes from the stack config: an EU CoreWeave zone breaks residency."""
    proj = _project(tmp_path, repo_root, _OUT_OF_REGION)
    code = main(["plan", "--stack", "x", "--cwd", str(proj), "--policy-pack", "gdpr", "--json",
                 "--policy-mode", mode])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["policy"]["mode"] == mode
    residency = [v for v in data["policy"]["violations"] if v["policy"] == "data-residency"]
    assert {v["resource"] for v in residency} == {"cw-gpu-cks", "cw-gpu-vpc"}
    assert all(v["enforcementLevel"] == "mandatory" and "EU-SOUTH-04A" in v["message"]
               for v in residency)


def test_policy_pack_config_file_is_applied(tmp_path: Path, repo_root: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, repo_root, _OUT_OF_REGION)
    cfg = tmp_path / "policy.json"
    cfg.write_text(json.dumps({"data-residency": {"allowedCoreweaveZones": ["EU-*", "US-*"]}}))
    code = main(["plan", "--stack", "x", "--cwd", str(proj), "--policy-pack", "gdpr", "--json",
                 "--policy-pack-config", str(cfg)])
    data = json.loads(capsys.readouterr().out)
    assert "data-residency" not in {d["policy"] for d in data["policy"]["diagnostics"]}
    assert code == 0


_AWS_OUT_OF_REGION = """
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
    proj = _project(tmp_path, repo_root, _AWS_OUT_OF_REGION)
    code = main(["plan", "--stack", "x", "--cwd", str(proj), "--policy-pack", "gdpr", "--json"])
    assert code == 2
    assert "aws:region: 'eu-west-1' is not in aiops:platform.allowedRegions ['us-east-1']" in capsys.readouterr().err


def test_unknown_policy_pack_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--policy-pack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "aiops-baseline" in err and "Traceback" not in err


# -- the policy part of the plan --------------------------------------------------------------
def _plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(["plan", *args, "--json"])
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def findings(tmp_path: Path, repo_root: Path) -> list[str]:
    """`--stack x --cwd <project>` of a stack with findings several packs share (a CoreWeave
    cluster outside allowedRegions: data residency, reported by five framework packs). The
    shipped stacks have none."""
    return ["--stack", "x", "--cwd", str(_project(tmp_path, repo_root, _OUT_OF_REGION))]


def test_a_violation_reported_by_several_packs_is_printed_once(
        capsys: pytest.CaptureFixture[str], findings: list[str]) -> None:
    """The text plan prints each (policy, resource, message) once, with every pack that reports
    it and each framework pack's control ids; --json keeps every pack's diagnostic."""
    data = _plan_json(capsys, *findings)
    pol = data["policy"]
    assert "aiops-all" not in pol["packs"] and len(pol["packs"]) == 8
    keys = [(d["policy"], d["urn"], d["message"]) for d in pol["diagnostics"]]
    assert len(set(keys)) < len(keys), "the stack should have findings several packs share"
    assert len(pol["violations"]) == len(set(keys))
    assert pol["mandatory"] + pol["advisory"] == len(pol["violations"])
    for v in pol["violations"]:
        packs = sorted({d["pack"] for d in pol["diagnostics"]
                        if (d["policy"], d["urn"]) == (v["policy"], v["urn"])})
        assert v["packs"] == packs

    main(["plan", *findings])
    out = capsys.readouterr().out
    text = out[out.index("Policy packs ("):]
    for v in pol["violations"]:
        # the resource line appears once for each violation of that resource under its policy
        label = f"      {v['resource']} ("
        assert text.count(label + v["urn"].rsplit("::", 2)[-2].rsplit("$", 1)[-1] + "): "
                          + v["message"].split()[0]) >= 1
        for pack in v["packs"]:
            controls = v["frameworks"].get(pack)
            assert (f"{pack} ({', '.join(controls)})" if controls else pack) in \
                " ".join(text.split())
    assert text.count(f"[{pol['violations'][0]['enforcementLevel']}] "
                      f"{pol['violations'][0]['policy']} ") == 1


def test_each_violation_prints_its_message_under_the_policy_then_the_remediation(
        capsys: pytest.CaptureFixture[str], findings: list[str]) -> None:
    pol = _plan_json(capsys, *findings)["policy"]
    assert pol["violations"], "the stack has findings"
    assert main(["plan", *findings]) == 1
    out = capsys.readouterr().out
    lines = out[out.index("Policy packs ("):].splitlines()
    assert all(len(ln) <= 100 or " " not in ln.strip()[:100] for ln in lines[1:]), "wrapped"
    heads = [i for i, ln in enumerate(lines) if ln.startswith("  [")]
    blocks = {lines[h].split("] ", 1)[1].split(" ", 1)[0]: lines[h:e]
              for h, e in zip(heads, [*heads[1:], len(lines)], strict=True)}
    assert set(blocks) == {v["policy"] for v in pol["violations"]}
    for v in pol["violations"]:
        block = blocks[v["policy"]]
        body = [ln for ln in block[1:] if ln.strip()]
        assert all(ln.startswith("      ") for ln in body), block  # indented under the policy
        flat = [" ".join(ln.split()) for ln in body]
        joined = " ".join(flat)
        kind = v["urn"].rsplit("::", 2)[-2].rsplit("$", 1)[-1]
        entry = f"{v['resource']} ({kind}): {' '.join(v['message'].split())}"
        assert entry in joined, (entry, block)
        rem = next(i for i, ln in enumerate(flat) if ln.startswith("remediation: "))
        at = next(i for i, ln in enumerate(flat) if ln.startswith(f"{v['resource']} ({kind}): "))
        assert at < rem, "the message comes before the remediation"
        assert f"remediation: {' '.join(v['remediation'].split())}" in joined
        assert any(ln.startswith("reported by: ") for ln in flat[rem:])


def test_grpc_mode_reports_what_the_default_in_process_mode_reports(
        capsys: pytest.CaptureFixture[str]) -> None:
    local = _plan_json(capsys, "--stack", "dev")["policy"]
    grpc = _plan_json(capsys, "--stack", "dev", "--policy-mode", "grpc")["policy"]
    assert (local["mode"], grpc["mode"]) == ("in-process", "grpc")
    assert local["violations"] == grpc["violations"]
    assert sorted(map(json.dumps, local["diagnostics"])) == sorted(map(json.dumps,
                                                                       grpc["diagnostics"]))


def test_the_aggregate_pack_reports_each_violation_once_with_every_frameworks_controls(
        capsys: pytest.CaptureFixture[str], findings: list[str]) -> None:
    both = _plan_json(capsys, *findings)["policy"]
    one = _plan_json(capsys, *findings, "--policy-pack", "aiops-all")["policy"]
    assert one["packs"] == ["aiops-all"]
    key = [(v["policy"], v["urn"], v["message"], v["enforcementLevel"]) for v in one["violations"]]
    assert key == [(v["policy"], v["urn"], v["message"], v["enforcementLevel"])
                   for v in both["violations"]]
    assert len(one["diagnostics"]) == len(one["violations"])  # one pack: nothing to merge
    assert one["violations"], "the stack has findings"
    main(["plan", *findings, "--policy-pack", "aiops-all"])
    text = " ".join(capsys.readouterr().out.split())
    for v in one["violations"]:
        assert v["frameworks"], v["policy"]
        assert "controls: " + "; ".join(f"{fw} {', '.join(ids)}"
                                        for fw, ids in v["frameworks"].items()) in text


def test_a_pack_outside_the_rule_library_needs_grpc_mode(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "custom"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.1.0\n")
    (pack / "__main__.py").write_text("from pulumi_policy import PolicyPack\nPolicyPack('custom', [])\n")
    assert main(["plan", "--stack", "dev", "--policy-pack", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "--policy-mode grpc" in err and "Traceback" not in err
