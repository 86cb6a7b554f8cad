"""``aiops plan --json``: the full plan document, schema version 1 (docs/plan-format.md)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pulumi
import pytest

from pulumi_aiops.cli import main
from pulumi_aiops.plan import PlanResult, find_project
from pulumi_aiops.plan_format import SECRET, build_plan, get_path, join_path, leaves, split_path
from pulumi_aiops.testing import is_secret, run_program, unwrap_secret
from stack_plans import ROOT, STACKS, planned

SCHEMA = json.loads((ROOT / "docs" / "plan-format.schema.json").read_text())


@functools.cache
def plan_doc(stack: str) -> dict[str, Any]:
    return build_plan(planned(stack))


def secret_leaves(value: Any, inside: bool = False) -> set[str]:
    """Every string (and long number) held in a secret anywhere in ``value``."""
    out: set[str] = set()
    if is_secret(value):
        return secret_leaves(unwrap_secret(value), True)
    if isinstance(value, dict):
        for v in value.values():
            out |= secret_leaves(v, inside)
    elif isinstance(value, list):
        for v in value:
            out |= secret_leaves(v, inside)
    elif inside and isinstance(value, str) and len(value) >= 6:
        out.add(value)
    return out


def graph_secrets(result: PlanResult) -> set[str]:
    """The secret values resources receive (kubeconfigs, tokens, API keys), and the placeholder a
    ``secure:`` config value reads as offline."""
    from pulumi_aiops.testing import OFFLINE_SECRET

    found: set[str] = {OFFLINE_SECRET}
    for r in result.graph:
        found |= secret_leaves(r.inputs)
    # A value the program also passes in the clear elsewhere (a Langfuse org name that a
    # Kubernetes Secret's stringData holds, and a dashboard folder shows) is not a secret's leak.
    return found - _plain_leaves([r.inputs for r in result.graph])


def _plain_leaves(value: Any) -> set[str]:
    """String values outside any secret."""
    if is_secret(value):
        return set()
    if isinstance(value, dict):
        return {x for v in value.values() for x in _plain_leaves(v)}
    if isinstance(value, list):
        return {x for v in value for x in _plain_leaves(v)}
    return {value} if isinstance(value, str) else set()


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_plan_matches_the_schema(stack: str) -> None:
    doc = plan_doc(stack)
    jsonschema.validate(doc, SCHEMA)
    assert doc["schemaVersion"] == 1
    # the summary keys `aiops plan --json` always had are still there, unchanged
    summary = planned(stack).summary()
    assert {k: doc[k] for k in summary} == json.loads(json.dumps(summary, default=str))


def test_the_schema_is_closed_so_a_new_key_fails_the_test() -> None:
    doc = json.loads(json.dumps(plan_doc("dev")))
    doc["resources"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_in_the_plan_with_its_options(stack: str) -> None:
    result, doc = planned(stack), plan_doc(stack)
    by_urn = {r["urn"]: r for r in doc["resources"]}
    graph = result.graph
    assert set(by_urn) == {r.urn for r in graph if r.type != "pulumi:pulumi:Stack"}
    for r in graph:
        if r.type == "pulumi:pulumi:Stack":
            continue
        entry = by_urn[r.urn]
        assert (entry["type"], entry["name"], entry["custom"], entry["provider"]) == \
            (r.type, r.name, r.custom, r.provider)
        opts = entry["options"]
        assert (opts["protect"], opts["retainOnDelete"]) == (r.protect, r.retain_on_delete)
        assert opts["dependsOn"] == sorted(r.depends_on)
        assert opts["ignoreChanges"] == list(r.ignore_changes)
        assert set(opts["aliases"]) == graph.alias_urns(r)
        if not r.custom:
            continue
        # every input, secret or not, is in the plan at its path
        for path, value in leaves(r.inputs):
            got = get_path(entry["inputs"], path)
            if path in entry["secretInputs"] or any(path.startswith(p) for p in entry["secretInputs"]):
                continue
            assert got == value, (r.urn, path)
    assert doc["protectedResources"] == sorted(e["urn"] for e in doc["resources"]
                                               if e["custom"] and (e["options"]["protect"]
                                                                   or e["options"]["retainOnDelete"]))


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_value_appears_in_the_plan(stack: str) -> None:
    result, doc = planned(stack), plan_doc(stack)
    blob = json.dumps(doc)
    secrets = graph_secrets(result)
    leaked = sorted(s for s in secrets if s in blob)
    assert not leaked, leaked
    masked = [(e["urn"], p) for e in doc["resources"] for p in e["secretInputs"]]
    recorded = [(r.urn, p) for r in result.graph if r.custom
                for p, v in _secret_paths(r.inputs)]
    assert sorted(masked) == sorted(recorded)
    for urn, path in masked:
        assert get_path(next(e for e in doc["resources"] if e["urn"] == urn)["inputs"], path) == SECRET


def _secret_paths(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if is_secret(value):
        return [(path, value)]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _secret_paths(v, join_path(path, str(k)))]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _secret_paths(v, join_path(path, i))]
    return []


def test_the_secret_shipped_stacks_hold_are_masked() -> None:
    """prod holds a CoreWeave token, kubeconfigs and a Qdrant API key: all [secret], with digests."""
    doc = plan_doc("prod")
    kinds = {(e["type"], p) for e in doc["resources"] for p in e["secretInputs"]}
    assert ("pulumi:providers:coreweave", "token") in kinds
    assert ("pulumi:providers:kubernetes", "kubeconfig") in kinds
    assert ("kubernetes:core/v1:Secret", "stringData") in kinds


def test_a_secret_that_reached_an_input_unmarked_is_scrubbed(tmp_path: Path) -> None:
    """A program that reads a secure config value with config.get puts it in a plain input: the plan
    still never shows it."""
    import pulumi_aws as aws

    value = "CW-SECRET-do-not-print-7731"

    def program() -> None:
        cfg = pulumi.Config("team")
        aws.s3.Bucket("b", tags={"token": cfg.get("token") or ""})

    config = {"team:token": value}
    graph = run_program(program, config, secret_keys={"team:token"})
    assert graph.one("aws:s3/bucket:Bucket").inputs["tags"]["token"] == value  # it did leak into the input
    result = PlanResult(project=find_project(ROOT), stack="dev", graph=graph, config=config,
                        secret_keys={"team:token"})
    blob = json.dumps(build_plan(result))
    assert value not in blob and SECRET in blob


def test_paths_round_trip() -> None:
    for path in ("scalingConfig.maxSize", "spec.nodeTaints[0].key", 'tags["cost-center"]',
                 'metadata.labels["app.kubernetes.io/name"]', "rules[2]"):
        assert "".join(f"[{s}]" if isinstance(s, int) else ("" if i == 0 else ".") + s
                       if str(s).isidentifier() else f"[{json.dumps(s)}]"
                       for i, s in enumerate(split_path(path))) == path
    doc = {"tags": {"cost-center": "cc-1"}, "a": [{"b": 1}]}
    assert get_path(doc, 'tags["cost-center"]') == "cc-1" and get_path(doc, "a[0].b") == 1


def test_cli_json_is_the_full_plan_with_policy_and_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "prod", "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["policy"]["violations"] == [] and doc["policy"]["mandatory"] == 0 and doc["cost"]["items"]
    assert not [s for s in graph_secrets(planned("prod")) if s in out]


def test_no_secret_in_the_markdown_plan_or_the_all_report(capsys: pytest.CaptureFixture[str]) -> None:
    secrets = set().union(*(graph_secrets(planned(s)) for s in STACKS))
    assert main(["plan", "--stack", "prod", "--markdown"]) == 0
    assert main(["plan", "--all", "--json", "--no-policy"]) == 0
    assert main(["plan", "--all", "--markdown", "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert "| monthly cost |" in out and '"kind": "aiops-plan-all"' in out
    assert not [s for s in secrets if s in out]
