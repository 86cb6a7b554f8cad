"""The shipped stacks: prod has a CoreWeave cluster beside EKS; multicloud places the same model
server on each cloud and `aiops plan` shows both clouds with their GPU capacity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_aiops.plan import PlanResult, find_project, plan_stack
from pulumi_aiops.testing import OFFLINE_SECRET, load_stack_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def multicloud() -> PlanResult:
    return plan_stack(find_project(ROOT), "multicloud")


def test_multicloud_shows_both_clouds_and_their_gpu_capacity(multicloud: PlanResult) -> None:
    by_cloud = multicloud.gpu_capacity_by_cloud()
    assert set(by_cloud) == {"aws", "coreweave"}
    assert by_cloud["coreweave"]["gpuModels"] == {"L40S": 8}
    assert by_cloud["aws"]["maxGpus"] >= 1
    rows = {(r["cluster"], r["cloud"]) for r in multicloud.gpu_capacity()}
    assert {("eks-gpu", "aws"), ("cw-gpu", "coreweave")} <= rows
    assert all(r["maxMonthlyUsd"] and r["maxMonthlyUsd"] > 0 for r in multicloud.gpu_capacity())


def test_multicloud_places_a_model_server_on_each_cloud(multicloud: PlanResult) -> None:
    g = multicloud.graph
    servers = {r.name: r for r in g.of_type("aiops:index:ModelServer")}
    assert set(servers) == {"eks-gpu-chat", "cw-gpu-chat"}
    clouds = {g.component_outputs[s.urn]["cloud"] for s in servers.values()}
    assert clouds == {"aws", "coreweave"}
    deployments = {}
    for name, s in servers.items():
        (d,) = [r for r in g.descendants(s.urn) if r.type == "kubernetes:apps/v1:Deployment"]
        doc = json.loads(json.dumps(d.inputs))
        doc["spec"]["template"]["spec"].pop("nodeSelector")
        deployments[name] = (doc, d.provider)
    (a, pa), (b, pb) = deployments.values()
    assert a == b and pa != pb
    out = g.stack_outputs["modelServers"]
    assert set(out) == {"eks-gpu/chat", "cw-gpu/chat"}


def test_stack_token_is_a_secret_placeholder() -> None:
    for stack in ("prod", "multicloud"):
        config, secrets = load_stack_config(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
        assert "coreweave:token" in secrets
        assert config["coreweave:token"] == OFFLINE_SECRET  # never a plaintext token in the file
        assert "CW-SECRET-" not in (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text().replace(
            "CW-SECRET-…", "")


def test_prod_has_coreweave_beside_eks() -> None:
    config, _ = load_stack_config(ROOT / "stacks" / "Pulumi.prod.yaml")
    platform = config["aiops:platform"]
    assert platform["coreweave"]["name"] != platform["eks"]["name"]
    from pulumi_aiops.config import load_platform_config

    cfg = load_platform_config(platform)
    assert {c.cloud for c in cfg.clusters()} == {"aws", "coreweave"}
    assert cfg.coreweave is not None and cfg.coreweave.node_pools
    assert all(s.cluster in cfg.cluster_names() for s in cfg.workloads.model_servers)
