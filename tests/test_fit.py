"""Every workload fits the nodes it is placed on, and workloads that need no GPU have nodes.

Held-out stacks size model servers and Qdrant near and over what one node of their pool offers:
the oversized ones are refused before anything is registered, naming the pool, what its node
offers and the request; the ones that fit plan cleanly. Default requests follow the pool. A
server may name its pool. CoreWeave clusters get CPU pools, and Qdrant lands on each cloud's
system nodes through the contract. ``aiops plan`` shows each pool's allocatable and what the
platform's own pods take; ``--strict`` turns warnings into errors.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from pulumi_aiops import diagnostics
from pulumi_aiops.capacity import node_budget, parse_cpu_millis, parse_memory_mib
from pulumi_aiops.cli import main
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program
from stack_plans import STACKS, planned

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "CW-SECRET-fit-test"
CW_CONFIG = {"aws:region": "us-east-1", "coreweave:token": TOKEN}
SECRETS = {"coreweave:token"}
G6 = node_budget("aws", "g6.xlarge")          # 4 vCPU / 16 GiB, 1× L4
A10G = node_budget("aws", "g5.2xlarge")       # 8 vCPU / 32 GiB, 1× A10G
L40S_CW = node_budget("coreweave", "gd-8xl40s-i128")
M6I_LARGE = node_budget("aws", "m6i.large", gpu=False)
assert G6 and A10G and L40S_CW and M6I_LARGE


class CountingMocks(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: Any) -> tuple[str | None, dict]:
        self.registered.append(args.typ)
        return super().new_resource(args)


def _stack(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"])


def _platform(name: str) -> dict[str, Any]:
    return copy.deepcopy(_stack(name)["aiops:platform"])


def _refused(platform: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        load_platform_config(platform)
    return str(err.value)


def _deployment(graph: ResourceGraph, component: str) -> dict[str, Any]:
    top = graph.named(component, "aiops:index:ModelServer")
    (d,) = [r for r in graph.descendants(top.urn) if r.type == "kubernetes:apps/v1:Deployment"]
    return cast(dict[str, Any], json.loads(json.dumps(d.inputs))["spec"]["template"]["spec"])


def _pod_specs(graph: ResourceGraph, component: str) -> list[dict[str, Any]]:
    """The pod specs of a server: its Deployment's, or its LeaderWorkerSet's leader and worker."""
    top = graph.named(component, "aiops:index:ModelServer")
    kids = list(graph.descendants(top.urn))
    deps = [r for r in kids if r.type == "kubernetes:apps/v1:Deployment"]
    if deps:
        return [_deployment(graph, component)]
    (lws,) = [r for r in kids if r.type == "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"]
    tpl = json.loads(json.dumps(lws.inputs))["spec"]["leaderWorkerTemplate"]
    return [tpl["leaderTemplate"]["spec"], tpl["workerTemplate"]["spec"]]


def _run_stack(platform: dict[str, Any], config: dict[str, Any] | None = None,
               mocks: RecordingMocks | None = None) -> ResourceGraph:
    from pulumi_aiops.builder import main as build

    return run_program(build, {**(config or CW_CONFIG), "aiops:platform": platform}, secret_keys=SECRETS,
                       mocks=mocks)


# -- held-out stacks: near and over a node's allocatable ------------------------------------------
def test_staging_chat_at_the_old_defaults_is_refused_naming_pool_allocatable_and_request() -> None:
    p = _platform("staging")
    p["workloads"]["modelServers"][0]["resources"] = {"cpu": "8", "memory": "64Gi"}
    msg = _refused(p)
    assert msg.startswith("aiops:platform.workloads.modelServers[0].resources.cpu: '8' exceeds what a node of "
                          "pool eks/a10g (g5.2xlarge) can offer a workload: 7.73 CPU (8 vCPU; allocatable 7.91 CPU")
    assert "180m taken by the platform's own pods" in msg
    p["workloads"]["modelServers"][0]["resources"] = {"cpu": "4", "memory": "64Gi"}
    msg = _refused(p)
    assert msg.startswith("aiops:platform.workloads.modelServers[0].resources.memory: '64Gi' exceeds what a node "
                          "of pool eks/a10g (g5.2xlarge) can offer a workload: 30.9Gi (32Gi node; allocatable 31Gi "
                          "after 893Mi kube-reserved, 100Mi eviction threshold; 104Mi taken by the platform's own "
                          "pods)")
    assert "the server names no pool" in msg  # unpinned: it must fit the smallest eligible pool


def test_multicloud_chat_at_the_old_defaults_is_refused_on_the_g6_xlarge() -> None:
    p = _platform("multicloud")
    p["workloads"]["modelServers"][0]["resources"] = {"cpu": "8", "memory": "64Gi"}
    msg = _refused(p)
    assert msg.startswith("aiops:platform.workloads.modelServers[0].resources.cpu: '8' exceeds what a node of "
                          "pool eks-gpu/l4 (g6.xlarge) can offer a workload: 3.74 CPU")


@pytest.mark.parametrize(("cpu", "memory", "refused_key", "warned"), [
    # what the node likely leaves: fits, no warning
    (f"{G6.available_cpu_millis}m", f"{G6.likely_available_memory_mib}Mi", None, False),
    # exactly what the AMI's formula leaves: fits on paper, a warning (the kernel's share)
    (f"{G6.available_cpu_millis}m", f"{G6.available_memory_mib}Mi", None, True),
    (f"{G6.available_cpu_millis + 1}m", "8Gi", "resources.cpu", False),                # one millicore over
    ("2", f"{G6.available_memory_mib + 1}Mi", "resources.memory", False),              # one MiB over
])
def test_a_server_sized_near_a_g6_xlarge_fits_exactly_up_to_what_it_leaves(cpu: str, memory: str,
                                                                           refused_key: str | None,
                                                                           warned: bool) -> None:
    p = _platform("multicloud")
    p["workloads"]["modelServers"] = [{"name": "chat", "cluster": "eks-gpu", "model": "Qwen/Qwen2.5-1.5B-Instruct",
                                       "resources": {"cpu": cpu, "memory": memory, "shm": "1Gi"}}]
    if refused_key is None:
        with diagnostics.collecting() as warnings:
            g = _run_stack(p)
        (c,) = _deployment(g, "eks-gpu-chat")["containers"]
        assert c["resources"]["requests"]["cpu"] == cpu and c["resources"]["requests"]["memory"] == memory
        assert [w.split(": ", 1)[0] for w in warnings] == (
            ["aiops:platform.workloads.modelServers[0].resources.memory"] if warned else [])
        if warned:
            assert "leaving ~13.7Gi: the pod may stay Pending" in warnings[0]
        return
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as err:
        _run_stack(p, mocks=mocks)
    assert str(err.value).startswith(f"aiops:platform.workloads.modelServers[0].{refused_key}: ")
    assert "pool eks-gpu/l4 (g6.xlarge)" in str(err.value)
    assert mocks.registered == []  # refused before anything is registered


@pytest.mark.parametrize(("cpu", "memory", "ok"), [
    (f"{M6I_LARGE.available_cpu_millis}m", "2Gi", True),
    (f"{M6I_LARGE.available_cpu_millis + 1}m", "2Gi", False),
    ("1", f"{M6I_LARGE.likely_available_memory_mib}Mi", True),
    ("1", f"{M6I_LARGE.available_memory_mib}Mi", True),
    ("1", f"{M6I_LARGE.available_memory_mib + 1}Mi", False),
])
def test_qdrant_sized_near_the_eks_system_nodes(base_platform: dict[str, Any], cpu: str, memory: str,
                                                ok: bool) -> None:
    p = {**base_platform, "eks": {"name": "eks", "network": {"azCount": 2, "natGateways": "SINGLE"},
                                  "systemNodeGroup": {"instanceType": "m6i.large"},
                                  "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge"}]},
         "vectorStores": [{"name": "qd-eks", "backend": "qdrant",
                           "qdrant": {"cluster": "eks", "resources": {"cpu": cpu, "memory": memory}}}]}
    if ok:
        load_platform_config(p)
        return
    msg = _refused(p)
    key = "cpu" if cpu.endswith("m") else "memory"
    assert msg.startswith(f"aiops:platform.vectorStores[0].qdrant.resources.{key}: ")
    assert "exceeds what a node of pool eks/system (m6i.large) can offer a workload" in msg
    assert "a Qdrant pod runs on the cluster's system nodes" in msg


def test_qdrant_on_system_nodes_of_unknown_size_is_a_warning(base_platform: dict[str, Any]) -> None:
    from pulumi_aiops.config.workloads import workload_warnings

    p = {**base_platform, "eks": {"systemNodeGroup": {"instanceType": "m6in.large"},
                                  "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge"}]},
         "vectorStores": [{"name": "qd-eks", "backend": "qdrant", "qdrant": {"cluster": "eks"}}]}
    (message, _), = workload_warnings(load_platform_config(p))
    assert message.startswith("aiops:platform.vectorStores[0].qdrant.cluster: 'eks' has system nodes of a size this "
                              "library does not know (system (m6in.large))")


def test_replicas_beyond_the_pools_maximum_are_refused() -> None:
    p = _platform("multicloud")
    p["workloads"]["modelServers"][0]["replicas"] = 3  # l4: 2 nodes × 1 GPU
    assert _refused(p).startswith(
        "aiops:platform.workloads.modelServers[0].replicas: 3 × 1 GPU(s) is 3 GPUs, more than the pool(s) can hold "
        "at maxNodes: at most 2 replica(s) (l4: 2 node(s) × 1 per node)")
    p["workloads"]["modelServers"][0]["replicas"] = 2
    load_platform_config(p)


def test_an_empty_model_name_is_refused() -> None:
    p = _platform("multicloud")
    p["workloads"]["modelServers"][0]["model"] = " "
    assert "aiops:platform.workloads.modelServers[0].model: ' ' is empty" in _refused(p)


def test_shm_above_memory_is_refused() -> None:
    p = _platform("multicloud")
    p["workloads"]["modelServers"][0]["resources"] = {"cpu": "2", "memory": "8Gi", "shm": "16Gi"}
    assert _refused(p).startswith("aiops:platform.workloads.modelServers[0].resources.shm: '16Gi' is more than "
                                  "resources.memory (8Gi)")


# -- defaults follow the pool ---------------------------------------------------------------------
def test_default_requests_are_a_share_of_the_pools_node() -> None:
    p = _platform("multicloud")
    for s in p["workloads"]["modelServers"]:
        s.pop("resources")
    g = _run_stack(p)
    eks = _deployment(g, "eks-gpu-chat")["containers"][0]["resources"]["requests"]
    cw = _deployment(g, "cw-gpu-chat")["containers"][0]["resources"]["requests"]
    # a g6.xlarge holds one 1-GPU server: 90 % of what the node leaves (3.74 CPU, 13.7Gi)
    assert parse_cpu_millis(eks["cpu"]) == 3300 and parse_memory_mib(eks["memory"]) == 12 * 1024
    # an 8× L40S node holds eight: an eighth of it each
    assert parse_cpu_millis(cw["cpu"]) * 8 <= L40S_CW.available_cpu_millis
    assert parse_cpu_millis(cw["cpu"]) > 4 * parse_cpu_millis(eks["cpu"])
    assert parse_memory_mib(cw["memory"]) * 8 <= L40S_CW.available_memory_mib
    # /dev/shm is a quarter of memory (it is memory-backed)
    shm = {v["name"]: v for v in _deployment(g, "eks-gpu-chat")["volumes"]}["shm"]["emptyDir"]["sizeLimit"]
    assert parse_memory_mib(shm) == parse_memory_mib(eks["memory"]) / 4


def test_an_unpinned_server_gets_the_share_of_the_smallest_eligible_pool_and_a_pinned_one_of_its_pool() -> None:
    p = _platform("staging")  # a10g: g5.2xlarge (32 GiB), l40s: g6e.2xlarge (64 GiB)
    p["workloads"]["modelServers"].append({"name": "big", "cluster": "eks", "model": "Qwen/Qwen2.5-7B-Instruct",
                                           "pool": "l40s"})
    g = _run_stack(p, {"aws:region": "us-west-2"})
    chat, big = _deployment(g, "eks-chat"), _deployment(g, "eks-big")
    chat_mem = parse_memory_mib(chat["containers"][0]["resources"]["requests"]["memory"])
    big_mem = parse_memory_mib(big["containers"][0]["resources"]["requests"]["memory"])
    assert chat_mem <= A10G.available_memory_mib * 0.9 < big_mem
    assert chat["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert big["nodeSelector"] == {"nvidia.com/gpu.present": "true", "aiops.io/node-pool": "l40s"}
    # the EKS node group carries the label the selector names
    group = g.named("eks-gpu-l40s", "aws:eks/nodeGroup:NodeGroup")
    assert group.inputs["labels"]["aiops.io/node-pool"] == "l40s"


def test_an_unknown_pool_is_refused() -> None:
    p = _platform("staging")
    p["workloads"]["modelServers"][0]["pool"] = "h100"
    assert _refused(p) == ("aiops:platform.workloads.modelServers[0].pool: 'h100' is not a GPU pool of cluster "
                           "'eks'; its GPU pools: a10g, l40s")


# -- component args ---------------------------------------------------------------------------------
def test_component_args_are_checked_against_the_clusters_capacity() -> None:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        eks = EksGpuCluster("eks", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}]})
        ModelServer("chat", cast(Any, {"cluster": eks, "model": "m", "resources": {"cpu": "8", "memory": "64Gi"}}))

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as err:
        run_program(program, {"aws:region": "us-east-1"}, mocks=mocks)
    assert str(err.value).startswith("ModelServer('chat').resources.cpu: '8' exceeds what a node of pool eks/l4 "
                                     "(g6.xlarge) can offer a workload: 3.74 CPU")
    assert "aiops:index:ModelServer" not in mocks.registered


def test_a_pinned_server_on_coreweave_selects_the_nodepool_label() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        cw = CoreWeaveGpuCluster("cw", {"node_pools": [
            {"name": "l40s", "instance_type": "gd-8xl40s-i128", "target_nodes": 1},
            {"name": "h100", "instance_type": "gd-8xh100ib-i128", "target_nodes": 1}]})
        ModelServer("chat", cast(Any, {"cluster": cw, "model": "m", "gpus": 2, "pool": "h100"}))

    g = run_program(program, CW_CONFIG, secret_keys=SECRETS)
    pod = _deployment(g, "chat")
    assert pod["nodeSelector"] == {"pulumi-aiops/gpu": "true", "compute.coreweave.com/node-pool": "h100"}
    h100 = node_budget("coreweave", "gd-8xh100ib-i128")
    assert h100 is not None
    assert parse_cpu_millis(pod["containers"][0]["resources"]["requests"]["cpu"]) * 4 <= h100.available_cpu_millis


def test_a_ref_without_capacity_gets_unchecked_fallback_requests_and_a_warning() -> None:
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        ModelServer("chat", cast(Any, {"model": "m", "cluster": {
            "cloud": "coreweave", "clusterName": "byo", "kubeconfig": '{"clusters": [{"name": "x"}]}',
            "gpuNodeSelector": {"pulumi-aiops/gpu": "true"}}}))

    with diagnostics.collecting() as warnings:
        g = run_program(program, {})
    assert _deployment(g, "chat")["containers"][0]["resources"]["requests"]["cpu"] == "2"
    assert warnings == ["ModelServer('chat').cluster: 'byo' declares no GPU capacity (gpuCapacity): requests "
                        "default to 2 CPU / 8Gi and are not checked; pass the cluster's gpuCapacity or set resources"]


# -- maxNodes 0: a warning, --strict makes it an error -----------------------------------------------
def _project(tmp_path: Path, platform: dict[str, Any], extra: dict[str, Any] | None = None) -> Path:
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", tmp_path / "stacks" / "__main__.py")
    doc = {"config": {"aws:region": "us-east-1", **(extra or {}), "aiops:platform": platform}}
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(yaml.safe_dump(doc))
    return tmp_path


def _multicloud_with_cw_pool_max_zero() -> tuple[dict[str, Any], dict[str, Any]]:
    cfg = _stack("multicloud")
    p = copy.deepcopy(cfg["aiops:platform"])
    p["coreweave"]["nodePools"][0].update({"maxNodes": 0, "autoscaling": "disabled"})
    return p, {"coreweave:token": cfg["coreweave:token"]}


def test_a_pool_with_max_zero_is_a_warning_and_strict_makes_it_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    platform, extra = _multicloud_with_cw_pool_max_zero()
    proj = _project(tmp_path, platform, extra)
    expected = ("aiops:platform.workloads.modelServers[1].cluster: 'cw-gpu' has no GPU pool with at least 1 GPU(s) "
                "per node and maxNodes above 0 (pools l40s): the server's pods stay Pending until the pool may "
                "scale up")
    assert main(["plan", "--stack", "x", "--cwd", str(proj), "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert "Warnings (1; --strict makes them errors):" in out and expected in out
    assert main(["plan", "--stack", "x", "--cwd", str(proj), "--no-policy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [expected]  # once, not again by the component
    assert main(["plan", "--stack", "x", "--cwd", str(proj), "--no-policy", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --strict: the plan has warnings:") and expected in err


def test_the_shipped_stacks_plan_without_warnings() -> None:
    for stack in STACKS:
        assert planned(stack).warnings == [], stack


# -- plan output: per pool, allocatable and what the platform takes --------------------------------
def test_plan_shows_each_pools_allocatable_and_platform_pods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "multicloud", "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert ("    eks-gpu/l4: g6.xlarge (1× L4), 0..2 nodes, ON_DEMAND, ≤ $1,175/month\n"
            "      per node: allocatable 3.92 CPU / 15Gi, platform pods 180m / 104Mi, left for workloads "
            "3.74 CPU / 14.9Gi (~13.7Gi once the kernel takes its share)\n") in out
    assert "    cw-gpu/l40s: gd-8xl40s-i128 (8× L40S)" in out
    assert "  system nodes (no GPU: Qdrant, gateway, observability):\n    eks-gpu/system: m6i.large, 2..4 nodes" in out
    assert main(["plan", "--stack", "multicloud", "--no-policy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    l4 = next(r for r in data["gpuCapacity"] if r["pool"] == "l4")
    assert (l4["allocatableCpuMillis"], l4["platformPodsCpuMillis"], l4["availableCpuMillis"]) == (3920, 180, 3740)
    assert (l4["platformPodsMemoryMib"], l4["availableMemoryMib"]) == (104, G6.available_memory_mib)
    assert l4["poolSelector"] == {"aiops.io/node-pool": "l4"}
    assert [r["pool"] for r in data["systemCapacity"]] == ["system"]
    assert data["systemCapacity"][0]["availableCpuMillis"] == M6I_LARGE.available_cpu_millis


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_server_fits_every_pool_it_may_land_on(stack: str) -> None:
    result = planned(stack)
    g = result.graph
    pools = result.gpu_capacity()
    for top in g.of_type("aiops:index:ModelServer"):
        out = g.component_outputs[top.urn]
        for pod in _pod_specs(g, top.name):  # a multi-node server's leader and worker pods too
            (c,) = pod["containers"]
            gpus = int(c["resources"]["requests"]["nvidia.com/gpu"])
            eligible = [r for r in pools if r["cluster"] == out["cluster"] and r["gpusPerNode"] >= gpus
                        and all(r["poolSelector"].get(k, v) == v for k, v in pod["nodeSelector"].items())]
            assert eligible, top.name
            for r in eligible:
                assert parse_cpu_millis(c["resources"]["requests"]["cpu"]) <= r["availableCpuMillis"], (top.name, r)
                assert parse_memory_mib(c["resources"]["requests"]["memory"]) <= r["availableMemoryMib"], (top.name, r)


# -- CoreWeave CPU pools and Qdrant on both clouds ---------------------------------------------------
def test_qdrant_on_coreweave_without_a_cpu_pool_is_refused() -> None:
    p = _platform("prod")
    p["coreweave"].pop("cpuNodePools")
    msg = _refused(p)
    assert msg.startswith("aiops:platform.vectorStores[2].qdrant.cluster: 'cw-prod' is a CoreWeave cluster "
                          "without cpuNodePools")


def test_coreweave_cpu_pools_have_no_gpu_taint_and_carry_the_system_label() -> None:
    g = planned("prod").graph
    cpu = g.named("cw-prod-pool-cpu")
    spec = cpu.inputs["spec"]
    assert spec["instanceType"] == "cd-gp-i64-erapids" and spec["nodeTaints"] == []
    assert spec["nodeLabels"] == {"pulumi-aiops/system": "true"}
    assert cpu.provider == g.named("cw-prod-pool-h100").provider
    out = g.component_outputs[g.named("cw-prod", "aiops:index:CoreWeaveGpuCluster").urn]
    assert (out["systemNodeSelector"], out["systemTolerations"]) == ({"pulumi-aiops/system": "true"}, [])
    gpu = g.named("cw-prod-pool-h100").inputs["spec"]
    assert "pulumi-aiops/system" not in gpu["nodeLabels"]  # GPU pools are not system nodes


def test_qdrant_lands_on_each_clouds_system_nodes(base_platform: dict[str, Any]) -> None:
    p = {**base_platform,
         "eks": {"name": "eks", "network": {"azCount": 2, "natGateways": "SINGLE"},
                 "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge"}]},
         "coreweave": {"name": "cw",
                       "nodePools": [{"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}],
                       "cpuNodePools": [{"name": "cpu", "instanceType": "cd-gp-i64-erapids", "targetNodes": 1,
                                         "nodeTaints": [{"key": "dedicated", "value": "system"}]}]},
         "vectorStores": [{"name": "qd-eks", "backend": "qdrant", "qdrant": {"cluster": "eks"}},
                          {"name": "qd-cw", "backend": "qdrant", "qdrant": {"cluster": "cw"}}]}
    g = _run_stack(p)
    values = {r.name: r.inputs["values"] for r in g.of_type("kubernetes:helm.sh/v3:Release") if "qdrant" in r.name}
    eks, cw = values["vector-qd-eks-qdrant"], values["vector-qd-cw-qdrant"]
    assert (eks["nodeSelector"], eks["tolerations"]) == ({"aiops.io/node-pool": "system"}, [])
    assert cw["nodeSelector"] == {"pulumi-aiops/system": "true"}
    assert cw["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "system", "effect": "NoSchedule"}]
    assert eks["resources"]["requests"] == {"cpu": "1", "memory": "2Gi"} == eks["resources"]["limits"]
    # the selectors exist: EKS's system node group and CoreWeave's CPU pool carry those labels
    assert g.named("eks-system", "aws:eks/nodeGroup:NodeGroup").inputs["labels"] == {"aiops.io/node-pool": "system"}
    assert g.named("cw-pool-cpu").inputs["spec"]["nodeLabels"]["pulumi-aiops/system"] == "true"
    # GPU pools keep their taint, so Qdrant (without the GPU toleration) never lands there
    assert "nvidia.com/gpu" not in json.dumps(cw["tolerations"])


def test_a_gpu_type_in_cpu_node_pools_and_a_pool_name_used_twice_are_refused(base_platform: dict[str, Any]) -> None:
    cw = {"name": "cw", "nodePools": [{"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}],
          "cpuNodePools": [{"name": "cpu", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}]}
    msg = _refused({**base_platform, "coreweave": cw})
    assert msg.startswith("aiops:platform.coreweave.cpuNodePools[0].instanceType: 'gd-8xl40s-i128' is not a "
                          "CoreWeave CPU instance type this library knows (a GPU type: put it in nodePools)")
    cw["cpuNodePools"] = [{"name": "l40s", "instanceType": "cd-gp-i64-erapids", "targetNodes": 1}]
    assert _refused({**base_platform, "coreweave": cw}) == (
        "aiops:platform.coreweave.cpuNodePools[0].name: 'l40s' is already the name of nodePools[0]; pool names "
        "must be unique")


def test_a_qdrant_vector_store_component_needs_system_nodes() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.vector_store import VectorStore

    def program() -> None:
        cw = CoreWeaveGpuCluster("cw", {"node_pools": [
            {"name": "l40s", "instance_type": "gd-8xl40s-i128", "target_nodes": 1}]})
        VectorStore("qdr", cast(Any, {"backend": "qdrant", "qdrant": {}, "cluster": cw}))

    with pytest.raises(ConfigError, match=r"^VectorStore\('qdr'\)\.cluster: 'cw' declares no system nodes"):
        run_program(program, CW_CONFIG, secret_keys=SECRETS)


def test_a_declared_eks_pool_is_sized_from_its_gpu_spec_in_the_program_too() -> None:
    """An EKS group of an unlisted type sizes its servers from gpuSpec's vcpus and memoryGib, in the
    component path as in the config check (no fallback to an unchecked 2 CPU / 8Gi)."""
    p = _platform("multicloud")
    p["eks"]["gpuNodeGroups"] = [{"name": "t4", "instanceType": "g4dn.metal", "maxSize": 1,
                                  "gpuSpec": {"gpuModel": "T4", "gpuCount": 8, "gpuMemoryGib": 16,
                                              "vcpus": 96, "memoryGib": 384}}]
    for s in p["workloads"]["modelServers"]:
        s.pop("resources")
    with diagnostics.collecting() as warnings:
        g = _run_stack(p)
    eks = _deployment(g, "eks-gpu-chat")["containers"][0]["resources"]["requests"]
    assert parse_cpu_millis(eks["cpu"]) > 8000  # an eighth of a 96-vCPU node, not the 2 CPU fallback
    assert not [w for w in warnings if "eks-gpu" in str(w) and "size" in str(w)]
