"""The data layer in the dev and prod stacks, as ``stacks/__main__.py`` builds them."""

from __future__ import annotations

import json

import pytest
from data_helpers import STATEFUL_TYPES, parliament_errors

from pulumi_aiops import data_lake, feature_store, vector_store
from pulumi_aiops.builder import main
from pulumi_aiops.testing import ResourceGraph, load_stack_config, run_program

DATA_COMPONENTS = (data_lake.TYPE_TOKEN, vector_store.TYPE_TOKEN, feature_store.TYPE_TOKEN)


def _run(repo_root, stack: str) -> ResourceGraph:  # type: ignore[no-untyped-def]
    cfg, secrets = load_stack_config(repo_root / "stacks" / f"Pulumi.{stack}.yaml")
    return run_program(main, cfg, secret_keys=secrets, stack=stack)


@pytest.fixture(scope="module")
def prod(repo_root) -> ResourceGraph:  # type: ignore[no-untyped-def]
    return _run(repo_root, "prod")


@pytest.fixture(scope="module")
def dev(repo_root) -> ResourceGraph:  # type: ignore[no-untyped-def]
    return _run(repo_root, "dev")


def _data_resources(graph: ResourceGraph) -> list:  # type: ignore[type-arg]
    out = []
    for c in graph.components():
        if c.type in DATA_COMPONENTS:
            out.extend(graph.descendants(c.urn))
    return out


def test_prod_uses_every_data_capability(prod: ResourceGraph) -> None:
    counts = prod.counts_by_type()
    assert counts["aws:opensearch/serverlessCollection:ServerlessCollection"] == 1
    assert counts["aws:rds/cluster:Cluster"] == 1
    assert counts["aws:sagemaker/featureGroup:FeatureGroup"] == 1
    assert counts["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"] == 1
    assert [r for r in prod.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == "qdrant"]


def test_dev_is_a_cheaper_subset(dev: ResourceGraph) -> None:
    counts = dev.counts_by_type()
    assert "aws:opensearch/serverlessCollection:ServerlessCollection" not in counts
    assert "aws:sagemaker/featureGroup:FeatureGroup" not in counts
    assert "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration" not in counts
    cluster = dev.one("aws:rds/cluster:Cluster").inputs
    assert cluster["serverlessv2ScalingConfiguration"]["minCapacity"] == 0  # pauses when idle
    assert cluster["deletionProtection"] is True  # cheap is not careless


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_stateful_resource_is_protected_and_retained(stack: str, request) -> None:  # type: ignore[no-untyped-def]
    graph: ResourceGraph = request.getfixturevalue(stack)
    stateful = [r for r in graph if r.type in STATEFUL_TYPES]
    assert len(stateful) >= (12 if stack == "prod" else 6)
    # Every one in the stack, not only the data layer's: the promise is stack-wide.
    offenders = [(r.type, r.name) for r in stateful if not (r.protect and r.retain_on_delete)]
    assert not offenders
    for r in graph.of_type("aws:rds/cluster:Cluster"):
        assert r.inputs["deletionProtection"] is True
    for r in graph.of_type("aws:s3/bucket:Bucket"):
        assert r.inputs.get("forceDestroy") is not True, r.name


def test_every_data_iam_document_passes_parliament(prod: ResourceGraph) -> None:
    docs = 0
    for r in _data_resources(prod):
        if r.type in ("aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy",
                      "aws:iam/policy:Policy"):
            assert not parliament_errors(json.loads(r.inputs["policy"])), r.name
            docs += 1
    assert docs >= 8


def test_prod_stack_outputs_expose_the_data_layer(prod: ResourceGraph) -> None:
    out = prod.stack_outputs
    assert set(out["dataLake"]["buckets"]) == {"raw", "curated", "audit"}
    assert {n: v["backend"] for n, v in out["vectorStores"].items()} == {
        "kb-docs": "opensearch-serverless", "kb-pg": "aurora-pgvector", "qdrant-cw": "qdrant"}
    assert out["featureStore"]["offlineS3Uri"].endswith("/feature-store/")


def test_reversing_data_and_bedrock_lists_changes_no_urn(repo_root) -> None:  # type: ignore[no-untyped-def]
    """teams, vectorStores, models, knowledgeBases and featureGroups name their children by a
    stable key: prod with two feature groups, every such list reversed, has the same URNs."""
    import copy

    cfg, secrets = load_stack_config(repo_root / "stacks" / "Pulumi.prod.yaml")
    platform = copy.deepcopy(cfg["aiops:platform"])
    groups = platform["featureStore"]["featureGroups"]
    groups.append({**groups[0], "name": "item-stats"})
    reversed_platform = copy.deepcopy(platform)
    for path in (("dataLake", "teams"), ("featureStore", "featureGroups"), ("bedrock", "models"),
                 ("bedrock", "knowledgeBases")):
        section = reversed_platform[path[0]]
        assert len(section[path[1]]) >= 2, path
        section[path[1]] = list(reversed(section[path[1]]))
    reversed_platform["vectorStores"] = list(reversed(platform["vectorStores"]))

    def urns(p: dict) -> set[str]:  # type: ignore[type-arg]
        return {r.urn for r in run_program(main, {**cfg, "aiops:platform": p}, secret_keys=secrets, stack="prod")}

    before, after = urns(platform), urns(reversed_platform)
    assert any("item-stats" in u for u in before)
    assert before == after, (sorted(before - after), sorted(after - before))
