"""Serving configuration mistakes are refused before anything is registered, each with the key
path, the value received and what is allowed: a bad model reference, a model too big for its pool,
GPU sharing on a pool without GPUs, and every check the serving options add."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pulumi_aiops.config import load_platform_config
from pulumi_aiops.errors import ConfigError
from stack_plans import ROOT

BASE: dict[str, Any] = yaml.safe_load((ROOT / "stacks" / "Pulumi.serving.yaml").read_text())["config"][
    "aiops:platform"]
S = "aiops:platform.workloads.modelServers"


def _refused(change: Callable[[dict[str, Any]], Any]) -> str:
    p = copy.deepcopy(BASE)
    change(p)
    with pytest.raises(ConfigError) as err:
        load_platform_config(p)
    return str(err.value)


def _server(i: int, **fields: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda p: p["workloads"]["modelServers"][i].update(fields)


CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    # a bad model reference
    ("malformed reference", _server(0, model="Qwen@"),
     f"{S}[0].model: 'Qwen@' is not a model reference: write name@version"),
    ("unknown version", _server(0, model="qwen2.5-0.5b-instruct@9"),
     f"{S}[0].model: 'qwen2.5-0.5b-instruct@9' is not a version of the model registry; versions of "
     "qwen2.5-0.5b-instruct: qwen2.5-0.5b-instruct@1"),
    ("unknown model", _server(0, model="llama@1"),
     f"{S}[0].model: 'llama@1' is not a version of the model registry; registry versions: "
     "qwen2.5-0.5b-instruct@1, qwen2.5-7b-instruct@1"),
    ("no registry", lambda p: p.pop("modelRegistry"),
     f"{S}[0].model: 'qwen2.5-0.5b-instruct@1' is a model registry version, but no registry is given"),
    ("revision of a registry model", _server(0, revision="a" * 40),
     f"{S}[0].revision: '{'a' * 40}' is only for a Hugging Face repo model"),
    # a model too big for its pool
    ("7B on a time-sliced L4", _server(0, model="qwen2.5-7b-instruct@1"),
     f"{S}[0].model: 'qwen2.5-7b-instruct@1' has 14.2 GiB of weights (15,231,271,888 bytes in its manifest), "
     "more than a replica gets on pool 'l4-shared' (g6.xlarge): 1 GPU(s) × 5.5 GiB (a 1/4 time-sliced share of a 22 "
     "GiB GPU) × 0.9 (vLLM's --gpu-memory-utilization) = 5.0 GiB"),
    ("too many replicas for the pool at max scale",
     lambda p: p["workloads"]["modelServers"][1]["autoscaling"].update(maxReplicas=4),
     f"{S}[1].autoscaling.maxReplicas: 4 (× 2 pods each) × 4 GPU(s) is 32 GPUs, more than the pool(s) can hold at "
     "maxNodes: at most 3 replica(s) (l4x4-efa: 6 node(s) × 1 per node)"),
    ("cache smaller than the model", lambda p: p["workloads"]["modelServers"][0]["cache"].update(size="100Mi"),
     f"{S}[0].cache.size: '100Mi' is smaller than qwen2.5-0.5b-instruct@1 (999,597,690 bytes)"),
    # time-slicing on a pool without GPUs, and other sharing mistakes
    ("time-slicing on the system node group",
     lambda p: p["eks"]["gpuSharing"].update(system={"timeSlicing": {"replicas": 2}}),
     "aiops:platform.eks.gpuSharing.system: 'system' is the system node group, which has no GPUs: time-slicing and "
     "MIG share the GPUs of a GPU pool; GPU pools: l4-shared, l4x4-efa"),
    ("time-slicing on an unknown pool", lambda p: p["eks"]["gpuSharing"].update(h100={"timeSlicing": {"replicas": 2}}),
     "aiops:platform.eks.gpuSharing.h100: 'h100' is not a GPU pool of this cluster; GPU pools: l4-shared, l4x4-efa"),
    ("both sharing modes", lambda p: p["eks"]["gpuSharing"].update(
        {"l4-shared": {"timeSlicing": {"replicas": 2}, "mig": {"profile": "1g.10gb"}}}),
     "aiops:platform.eks.gpuSharing.l4-shared: {'timeSlicing': {'replicas': 2}, 'mig': {'profile': '1g.10gb'}} must "
     "set exactly one of timeSlicing or mig"),
    ("MIG without the GPU Operator",
     lambda p: p["eks"]["gpuSharing"].update({"l4x4-efa": {"mig": {"profile": "1g.10gb"}}}),
     "aiops:platform.eks.gpuSharing.l4x4-efa.mig: '1g.10gb' needs the GPU Operator's MIG manager"),
    ("MIG on a GPU without MIG",
     lambda p: (p["eks"].update(gpuOperator={"enabled": True}),
                p["eks"]["gpuSharing"].update({"l4x4-efa": {"mig": {"profile": "1g.10gb"}}})),
     "aiops:platform.eks.gpuSharing.l4x4-efa.mig.profile: '1g.10gb' is not possible on pool 'l4x4-efa': its L4 (22 "
     "GiB) does not support MIG"),
    ("several GPUs on a shared pool", _server(0, gpus=2),
     f"{S}[0].gpus: 2 must be 1 on pool 'l4-shared': its GPUs are shared (time-slicing, 4 per GPU)"),
    ("a server that names no pool on a cluster sharing GPUs", _server(0, pool=None),
     f"{S}[0].pool: None shares the GPUs of pool(s) l4-shared"),
    # multi-node and EFA
    ("EFA on a type without it", lambda p: p["eks"]["gpuNodeGroups"][0].update(efa=True),
     "aiops:platform.eks.gpuNodeGroups[0].instanceType: 'g6.xlarge' does not support EFA"),
    ("an EFA group over several AZs", lambda p: p["eks"]["gpuNodeGroups"][1].pop("availabilityZones"),
     "aiops:platform.eks.gpuNodeGroups[1].efa: True needs the group in one AZ"),
    ("tensor × pipeline ≠ the group's GPUs",
     lambda p: p["workloads"]["modelServers"][1]["multiNode"].update(tensorParallel=2),
     f"{S}[1].multiNode.tensorParallel: 2 × pipelineParallel (2) is 4, but the group has 2 pods × 4 GPU(s) = 8 GPUs"),
    ("raid0 on Bottlerocket", lambda p: p["eks"]["gpuNodeGroups"][1].update(amiType="BOTTLEROCKET_x86_64_NVIDIA"),
     "aiops:platform.eks.gpuNodeGroups[1].localStorage: 'raid0' is an AL2023 nodeadm setting; Bottlerocket manages "
     "its disks itself"),
    # the cache and the scaling layers
    ("a shared cache without a RWX StorageClass", lambda p: p["eks"].pop("modelCache"),
     f"{S}[1].cache.mode: 'shared' needs a ReadWriteMany StorageClass on cluster 'eks'"),
    ("autoscaling without a node autoscaler", lambda p: p["eks"].update(autoscaler="none"),
     f"{S}[0].autoscaling: 4 needs nodes that follow the replicas, but cluster 'eks' runs no autoscaler"),
    ("replicas and autoscaling", _server(0, replicas=2),
     f"{S}[0].replicas: 2 is set by KEDA when autoscaling is on"),
    ("minReplicas above maxReplicas", lambda p: p["workloads"]["modelServers"][0]["autoscaling"].update(minReplicas=5),
     f"{S}[0].autoscaling.maxReplicas: 4 must be at least minReplicas (5) and 1"),
    ("an empty gateway selector", lambda p: p["workloads"].update(serving={"network": {"gatewayNamespaceLabels": {}}}),
     "aiops:platform.workloads.serving.network.gatewayNamespaceLabels: {} is empty; an empty namespace selector "
     "would admit every namespace"),
    # the registry
    ("a digest that is not SHA-256", lambda p: p["modelRegistry"]["models"][0]["files"][0].update(sha256="abc"),
     "aiops:platform.modelRegistry.models[0].files[0].sha256: 'abc' is not a SHA-256 digest"),
    ("a branch as revision", lambda p: p["modelRegistry"]["models"][0]["source"]["huggingFace"].update(revision="main"),
     "aiops:platform.modelRegistry.models[0].source.huggingFace.revision: 'main' is not a commit id"),
    ("a file outside the model directory",
     lambda p: p["modelRegistry"]["models"][0]["files"][0].update(path="../secrets"),
     "aiops:platform.modelRegistry.models[0].files[0].path: '../secrets' is not a relative path inside the model "
     "directory"),
    ("a version registered twice", lambda p: p["modelRegistry"]["models"].append(
        copy.deepcopy(p["modelRegistry"]["models"][0])),
     "aiops:platform.modelRegistry.models[2].version: '1' is already models[0] (qwen2.5-0.5b-instruct@1); a version is "
     "immutable"),
    ("a manifest without weights", lambda p: p["modelRegistry"]["models"][0].update(
        files=[{"path": "config.json", "sizeBytes": 1, "sha256": "a" * 64}]),
     "aiops:platform.modelRegistry.models[0].files: ['config.json'] lists no weights file (.safetensors, .bin"),
    ("a sync job on no EKS cluster", lambda p: p["modelRegistry"]["sync"].update(cluster="cw"),
     "aiops:platform.modelRegistry.sync.cluster: 'cw' is not an EKS cluster of this stack; EKS clusters: ['eks']"),
    ("a data-lake registry without a lake", lambda p: p["modelRegistry"].update(storage="data-lake"),
     "aiops:platform.modelRegistry.storage: 'data-lake' needs dataLake"),
]


@pytest.mark.parametrize(("change", "expected"), [pytest.param(c, e, id=i) for i, c, e in CASES])
def test_a_serving_mistake_is_refused_with_its_key_path(change: Callable[[dict[str, Any]], Any],
                                                         expected: str) -> None:
    msg = _refused(change)
    assert msg.startswith(expected), msg


def test_gpu_sharing_is_refused_on_coreweave_with_the_reason() -> None:
    platform = {
        "environment": "dev",
        "governance": {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"},
        "coreweave": {"name": "cw", "nodePools": [{"name": "h100", "instanceType": "gd-8xh100ib-i128",
                                                   "targetNodes": 1}],
                      "gpuSharing": {"h100": {"mig": {"profile": "1g.10gb"}}}},
    }
    with pytest.raises(ConfigError) as err:
        load_platform_config(platform)
    assert str(err.value).startswith(
        "aiops:platform.coreweave.gpuSharing.h100: 'h100' cannot be configured on CKS: CoreWeave manages the NVIDIA "
        "device plugin and GPU Operator")


def test_a_registry_on_another_cloud_is_refused() -> None:
    p = copy.deepcopy(BASE)
    p["modelRegistry"].update(storage="coreweave", coreweave={"readers": ["arn:aws:iam::acme:static/serving"]})
    p["modelRegistry"]["sync"] = {}
    with pytest.raises(ConfigError) as err:
        load_platform_config(p)
    assert str(err.value).startswith(
        f"{S}[0].model: 'qwen2.5-0.5b-instruct@1' is kept in CoreWeave AI Object Storage (modelRegistry.storage "
        "coreweave), which a server on cluster 'eks' (aws) cannot read")


def test_a_pool_with_no_room_for_a_rolling_update_is_a_warning() -> None:
    from pulumi_aiops.config.workloads import workload_warnings

    p = copy.deepcopy(BASE)
    p["eks"]["gpuNodeGroups"][1]["maxSize"] = 4
    warnings = [m for m, _ in workload_warnings(load_platform_config(p))]
    assert warnings == [
        f"{S}[1].autoscaling.maxReplicas: 2 fills the pool(s) at maxNodes (l4x4-efa: 4 node(s) × 1 per node): a "
        "rolling update starts each new replica before the old one goes (maxSurge 1, maxUnavailable 0), so at this "
        "scale a rollout waits for room; raise maxNodes by 2 node(s) (or lower the count) to roll without waiting"]


def test_a_sleeping_server_on_a_pool_that_keeps_nodes_is_a_warning() -> None:
    from pulumi_aiops.config.workloads import workload_warnings

    p = copy.deepcopy(BASE)
    p["eks"]["gpuNodeGroups"][0]["minSize"] = 1
    warnings = [m for m, _ in workload_warnings(load_platform_config(p))]
    assert any(m.startswith(f"{S}[0].autoscaling.minReplicas: 0 lets the server sleep, but its pool keeps GPU nodes "
                            "running (l4-shared (minNodes 1))") for m in warnings), warnings
    assert not workload_warnings(load_platform_config(copy.deepcopy(BASE)))
