"""``aiops plan --diff BASE.json``: resource-level diff against a saved plan."""

from __future__ import annotations

import copy
import functools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.cli import main
from pulumi_aiops.plan import find_project, plan_stack
from pulumi_aiops.plan_diff import diff_plans, render_markdown, render_text
from pulumi_aiops.plan_format import build_plan, get_path
from stack_plans import ROOT
from test_plan_format import graph_secrets, plan_doc

PR_WORKFLOW = ROOT / ".github" / "workflows" / "pr.yml"


def copy_project(tmp_path: Path, stack: str, edit: Any) -> Path:
    """The project in ``tmp_path`` with ``stacks/Pulumi.<stack>.yaml`` rewritten by ``edit(text)``."""
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", tmp_path / "stacks" / "__main__.py")
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    new = edit(text)
    assert new != text, "the edit changed nothing"
    (tmp_path / "stacks" / f"Pulumi.{stack}.yaml").write_text(new)
    return tmp_path


def _edited_dev(text: str) -> str:
    # one node group's size (the l4 group: maxSize 2 → 3) and one bucket setting (the lake's
    # lifecycle: to Glacier after 90 days instead of 60)
    text = text.replace("          minSize: 0\n          maxSize: 2\n", "          minSize: 0\n          maxSize: 3\n")
    return text.replace("glacierDays: 60", "glacierDays: 90")


@functools.cache
def _edited_dev_doc(tmp: str) -> dict[str, Any]:
    return build_plan(plan_stack(find_project(copy_project(Path(tmp), "dev", _edited_dev)), "dev"))


@pytest.fixture
def edited_dev(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _edited_dev_doc(str(tmp_path_factory.mktemp("edited-dev")))


def _changes(d: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["type"], c["name"]): c for c in d["changes"]}


def test_a_node_group_size_and_a_bucket_setting_show_exactly(edited_dev: dict[str, Any]) -> None:
    d = diff_plans(plan_doc("dev"), edited_dev)
    changes = _changes(d)
    assert set(changes) == {
        ("aws:eks/nodeGroup:NodeGroup", "eks-gpu-l4"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lake-raw-lifecycle"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lake-curated-lifecycle"),
    }
    ng = changes[("aws:eks/nodeGroup:NodeGroup", "eks-gpu-l4")]
    assert ng["action"] == "update"
    assert [(x["path"], x["old"], x["new"], x["effect"]) for x in ng["diffs"]] == \
        [("scalingConfig.maxSize", 2.0, 3.0, "update")]
    for name in ("data-lake-raw-lifecycle", "data-lake-curated-lifecycle"):
        lc = changes[("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name)]
        assert lc["action"] == "update"
        assert [(x["path"], x["old"], x["new"]) for x in lc["diffs"]] == [("rules[0].transitions[1].days", 60, 90)]
    assert d["summary"] == {"create": 0, "update": 3, "replace": 0, "delete": 0,
                            "unchanged": d["summary"]["unchanged"], "protectedAtRisk": 0}
    # one more l4 node at most: the maximum grows by one g6.xlarge-month, the minimum not at all
    l4 = next(i for i in edited_dev["cost"]["items"] if i["name"] == "eks/l4")
    assert d["cost"]["deltaMinMonthlyUsd"] == 0
    assert d["cost"]["deltaMaxMonthlyUsd"] == pytest.approx(l4["unitPriceUsd"] * 730, abs=0.02)
    text = render_text(d)
    assert "scalingConfig.maxSize: 2 → 3" in text and "rules[0].transitions[1].days: 60 → 90" in text


def test_the_markdown_starts_with_the_summary_table_and_folds_the_details(edited_dev: dict[str, Any]) -> None:
    md = render_markdown(diff_plans(plan_doc("dev"), edited_dev))
    table = md.index("| ✏️ update | 3 |")
    assert table < md.index("<details>")
    assert "`scalingConfig.maxSize: 2 → 3`" in md[md.index("<details><summary>Changes (3 resources)"):]
    assert not re.search(r"^#{1,3} ", md, flags=re.M), "no heading above the caller's level 3"


def _rename(doc: dict[str, Any], urn: str, new_name: str) -> dict[str, Any]:
    """``doc`` with the resource ``urn`` renamed (its URN and name), as a plan from before a rename."""
    doc = copy.deepcopy(doc)
    for r in doc["resources"]:
        if r["urn"] == urn:
            r["urn"] = urn.rsplit("::", 1)[0] + "::" + new_name
            r["name"] = new_name
    return doc


def test_a_renamed_bucket_is_a_replacement_of_a_protected_resource() -> None:
    head = plan_doc("dev")
    bucket = next(r for r in head["resources"] if r["type"] == "aws:s3/bucket:Bucket" and r["name"] == "data-lake-raw")
    assert bucket["options"]["protect"]
    base = _rename(head, bucket["urn"], "datalake-raw")  # the base called it datalake-raw
    d = diff_plans(base, head)
    c = _changes(d)[("aws:s3/bucket:Bucket", "data-lake-raw")]
    assert c["action"] == "replace" and c["renamedFrom"] == "datalake-raw"
    assert c["protectedAtRisk"] and c["retainOnDelete"]
    assert d["summary"]["protectedAtRisk"] == 1 and d["summary"]["replace"] == 1
    assert d["summary"]["create"] == d["summary"]["delete"] == 0
    assert d["changes"][0] is c, "protected resources at risk come first"
    assert "!! PROTECTED resource would be replaced" in render_text(d)
    md = render_markdown(d)
    assert md.startswith("> [!CAUTION]") and "`data-lake-raw`" in md.split("\n\n")[0]


def test_a_bucket_renamed_in_the_config_is_a_protected_replacement(tmp_path: Path) -> None:
    """prod's CoreWeave dataset bucket, renamed in Pulumi.prod.yaml: the engine would create the new
    bucket and delete the protected old one."""
    proj = copy_project(tmp_path, "prod", lambda t: t.replace("- name: ml-platform-prod-datasets",
                                                                "- name: ml-platform-prod-data"))
    d = diff_plans(plan_doc("prod"), build_plan(plan_stack(find_project(proj), "prod")))
    buckets = [c for c in d["changes"] if c["type"] == "coreweave:index/objectStorageBucket:ObjectStorageBucket"]
    assert len(buckets) == 1
    b = buckets[0]
    assert (b["action"], b["renamedFrom"], b["protectedAtRisk"]) == \
        ("replace", "cw-prod-ds-ml-platform-prod-datasets", True)
    assert ("name", "ml-platform-prod-datasets", "ml-platform-prod-data") in \
        [(x["path"], x["old"], x["new"]) for x in b["diffs"]]
    assert d["summary"]["delete"] == 0, "the bucket's companions pair up as renames too"


def _with_input(doc: dict[str, Any], type_: str, path: list[str | int], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    r = next(r for r in doc["resources"] if r["type"] == type_)
    cur = r["inputs"]
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return doc


@pytest.mark.parametrize(("type_", "path", "base_value", "action"), [
    ("aws:eks/nodeGroup:NodeGroup", ["instanceTypes", 0], "g6.2xlarge", "replace"),
    ("aws:eks/cluster:Cluster", ["version"], "1.34", "replace"),   # 1.34 → 1.33: a downgrade
    ("aws:eks/cluster:Cluster", ["version"], "1.32", "update"),    # 1.32 → 1.33: an upgrade
    ("aws:eks/cluster:Cluster", ["name"], "eks-old", "replace"),
    ("aws:ec2/subnet:Subnet", ["cidrBlock"], "10.20.224.0/19", "replace"),
    ("aws:rds/cluster:Cluster", ["engine"], "aurora-mysql", "replace"),
    ("aws:rds/cluster:Cluster", ["backupRetentionPeriod"], 7.0, "update"),
    ("aws:eks/nodeGroup:NodeGroup", ["scalingConfig", "desiredSize"], 1.0, None),  # ignoreChanges
])
def test_replace_on_change_inputs(type_: str, path: list[str | int], base_value: Any, action: str | None) -> None:
    head = plan_doc("dev")
    d = diff_plans(_with_input(head, type_, path, base_value), head)
    got = [c for c in d["changes"] if c["type"] == type_]
    if action is None:
        assert got == [] and d["summary"]["update"] == 0
        return
    assert [c["action"] for c in got] == [action]
    if action == "replace":
        (diff,) = got[0]["diffs"]
        assert diff["effect"] == "replace" and diff["reason"] and diff["source"]


def test_a_changed_secret_shows_as_changed_and_never_its_value(tmp_path: Path) -> None:
    """Renaming dev's EKS cluster changes the kubeconfig the Kubernetes provider gets (a secret) and
    replaces the cluster (name is ForceNew)."""
    proj = copy_project(tmp_path, "dev", lambda t: t.replace("    eks:\n      name: eks\n",
                                                               "    eks:\n      name: eks2\n")
                        .replace("privateEndpoints: {cluster: eks,", "privateEndpoints: {cluster: eks2,"))
    edited = plan_stack(find_project(proj), "dev")
    d = diff_plans(plan_doc("dev"), build_plan(edited))
    provider = next(c for c in d["changes"] if c["type"] == "pulumi:providers:kubernetes")
    kube = next(x for x in provider["diffs"] if x["path"] == "kubeconfig")
    assert kube["secret"] and "[secret] changed" in render_text(d)
    cluster = next(c for c in d["changes"] if c["type"] == "aws:eks/cluster:Cluster")
    assert cluster["action"] == "replace"
    from stack_plans import planned

    secrets = graph_secrets(planned("dev")) | graph_secrets(edited)
    for out in (json.dumps(d), render_text(d), render_markdown(d)):
        assert not [s for s in secrets if s in out]


def test_an_aliased_resource_is_the_same_resource() -> None:
    """A base whose URNs are the old ones the head's aliases name (a stack deployed before a type
    token was renamed): nothing is created or deleted."""
    head = plan_doc("dev")
    base = copy.deepcopy(head)
    renamed = 0
    for r in base["resources"]:
        if r["options"]["aliases"]:
            r["urn"] = r["options"]["aliases"][0]
            renamed += 1
    assert renamed > 50
    d = diff_plans(base, head)
    assert d["summary"] == {"create": 0, "update": 0, "replace": 0, "delete": 0,
                            "unchanged": head["resourceCount"], "protectedAtRisk": 0}


def test_a_deleted_protected_resource_is_flagged() -> None:
    head = plan_doc("dev")
    base = copy.deepcopy(head)
    extra = copy.deepcopy(next(r for r in head["resources"] if r["type"] == "aws:kms/key:Key"))
    extra["urn"] += "-old"
    extra["name"] += "-old"
    extra["parent"] = None  # top level: no sibling to pair with
    base["resources"].append(extra)
    d = diff_plans(base, head)
    (c,) = d["changes"]
    assert (c["action"], c["protectedAtRisk"]) == ("delete", True)


def test_policy_and_cost_deltas() -> None:
    head = copy.deepcopy(plan_doc("dev"))
    urn = head["resources"][-1]["urn"]
    v_old = {"policy": "p-old", "urn": urn, "message": "m", "enforcementLevel": "advisory", "resource": "r"}
    v_new = {"policy": "p-new", "urn": urn, "message": "m", "enforcementLevel": "mandatory", "resource": "r"}
    head["policy"] = {"mandatory": 1, "advisory": 0, "violations": [v_new]}
    base = copy.deepcopy(plan_doc("dev"))
    base["policy"] = {"mandatory": 0, "advisory": 1, "violations": [v_old]}
    base["cost"]["maxMonthlyUsd"] -= 100
    d = diff_plans(base, head)
    assert [v["policy"] for v in d["policy"]["new"]] == ["p-new"]
    assert [v["policy"] for v in d["policy"]["resolved"]] == ["p-old"]
    assert d["cost"]["deltaMaxMonthlyUsd"] == 100
    assert "mandatory 0 → 1" in render_text(d) and "`p-new`" in render_markdown(d)


def test_a_base_from_before_schema_version_1_is_compared_on_what_it_has(capsys: pytest.CaptureFixture[str],
                                                                        tmp_path: Path) -> None:
    old = {k: v for k, v in plan_doc("dev").items() if k not in ("schemaVersion", "resources", "cost", "generator")}
    old["protectedResources"] = [*old["protectedResources"], "urn:pulumi:dev::aiops::aws:s3/bucket:Bucket::gone"]
    base = tmp_path / "old.json"
    base.write_text(json.dumps(old))
    assert main(["plan", "--stack", "dev", "--diff", str(base), "--markdown", "--no-policy"]) == 0
    md = capsys.readouterr().out
    assert "written before plan schema version 1" in md and "::gone" in md


# -- the CLI, as .github/workflows/pr.yml calls it ---------------------------------------------------
def test_the_pr_workflow_call_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pr.yml greps `aiops plan --help` for --diff and --markdown, then runs
    `aiops plan --stack S --diff $PWD/plans/base/S.json --markdown --cwd head` and keeps the
    output when the exit code is 0 or 1 and the output is not empty."""
    workflow = PR_WORKFLOW.read_text()
    call = re.search(r'"\$aiops" plan --stack "\$s" --diff "\$PWD/plans/base/\$s\.json" --markdown --cwd head',
                     workflow)
    assert call, "pr.yml no longer calls aiops plan as this test assumes"
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    help_text = capsys.readouterr().out
    assert "--diff" in help_text and "--markdown" in help_text
    base = tmp_path / "plans" / "base" / "dev.json"
    base.parent.mkdir(parents=True)
    assert main(["plan", "--stack", "dev", "--json", "--cwd", str(ROOT)]) == 0
    base.write_text(capsys.readouterr().out)
    code = main(["plan", "--stack", "dev", "--diff", str(base), "--markdown", "--cwd", str(ROOT)])
    out = capsys.readouterr().out
    assert code <= 1 and out.strip()
    assert "| unchanged |" in out and "**Policy:**" in out


def test_a_missing_or_foreign_base_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--diff", str(tmp_path / "nope.json"), "--no-policy"]) == 2
    assert "nope.json" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    assert main(["plan", "--stack", "dev", "--diff", str(other), "--no-policy"]) == 2
    err = capsys.readouterr().err
    assert "not a plan written by `aiops plan --json`" in err and "Traceback" not in err


def test_diff_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "dev.json"
    base.write_text(json.dumps(_with_input(plan_doc("dev"), "aws:eks/nodeGroup:NodeGroup",
                                           ["instanceTypes", 0], "g6.2xlarge")))
    assert main(["plan", "--stack", "dev", "--diff", str(base), "--json", "--no-policy"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["kind"] == "aiops-plan-diff" and d["schemaVersion"] == 1
    (c,) = d["changes"]
    assert get_path(c, "diffs[0].reason").startswith("instance_types is ForceNew")
