"""One contract across clouds: EksGpuCluster and CoreWeaveGpuCluster expose outputs of the same
shape, and a ModelServer placed on either yields the same Kubernetes objects except for the
provider and the GPU node selector."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import kubernetes_validate
import pytest

from pulumi_aiops.contract import GpuCluster
from pulumi_aiops.testing import ResourceGraph, run_program

TOKEN = "CW-SECRET-contract-test"
# Requests given (they fit a g6.xlarge and an L40S node): left out, each server would get its share
# of its own pool's node, which differs by cloud (tests/test_fit.py checks that).
SERVER: dict[str, Any] = {"model": "Qwen/Qwen2.5-1.5B-Instruct", "gpus": 1, "replicas": 2, "max_model_len": 8192,
                          "resources": {"cpu": "3", "memory": "12Gi"}}
K8S_KINDS = {
    "kubernetes:core/v1:Namespace": "Namespace",
    "kubernetes:core/v1:ServiceAccount": "ServiceAccount",
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:policy/v1:PodDisruptionBudget": "PodDisruptionBudget",
}


def _program() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster
    from pulumi_aiops.workloads import ModelServer

    eks = EksGpuCluster("eks", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}]})
    cw = CoreWeaveGpuCluster("cw", {"node_pools": [
        {"name": "l40s", "instance_type": "gd-8xl40s-i128", "target_nodes": 0, "max_nodes": 1,
         "min_nodes": 0, "autoscaling": "enabled"}],
        "cpu_node_pools": [{"name": "cpu", "instance_type": "cd-gp-i64-erapids", "target_nodes": 1}]})
    for cluster in (eks, cw):
        ModelServer(f"{cluster.cluster_name}-chat", cast(Any, {"cluster": cluster, "name": "chat", **SERVER}))


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_program(_program, {"aws:region": "us-east-1", "coreweave:token": TOKEN},
                       secret_keys={"coreweave:token"})


def _component(graph: ResourceGraph, name: str) -> Any:
    # The top-level one: EksGpuCluster's pieces (Vpc, EksControlPlane, …) carry its name too.
    return next(r for r in graph.components() if r.name == name and graph.top_component(r) is r)


def _shape(value: Any, *, free_keys: bool = False) -> Any:
    """The structure of an output: keys and value types, not values (``free_keys``: a label map,
    whose keys are data)."""
    if isinstance(value, Mapping) and free_keys:
        return ["map", sorted({f"{type(k).__name__}:{type(v).__name__}" for k, v in value.items()})]
    if isinstance(value, Mapping):
        return {k: _shape(v, free_keys=k == "poolSelector") for k, v in sorted(value.items())}
    if isinstance(value, list):
        shapes = {json.dumps(_shape(v), sort_keys=True) for v in value}
        return ["list", sorted(shapes)]
    return type(value).__name__


def test_contract_outputs_have_the_same_shape(graph: ResourceGraph) -> None:
    outs = {}
    for name in ("eks", "cw"):
        outs[name] = graph.component_outputs[_component(graph, name).urn]
    contract = ("cloud", "clusterName", "kubeconfig", "gpuNodeSelector", "gpuTolerations", "gpuCapacity",
                "systemNodeSelector", "systemTolerations")
    for name, out in outs.items():
        assert set(contract) <= set(out), name
    def shape(out: dict[str, Any]) -> dict[str, Any]:
        return {k: _shape(out[k], free_keys=k in ("gpuNodeSelector", "systemNodeSelector")) for k in contract}

    assert shape(outs["eks"]) == shape(outs["cw"])
    # the kubeconfig is a secret on both clouds
    for out in outs.values():
        assert isinstance(out["kubeconfig"], dict) and "value" in out["kubeconfig"]
    assert (outs["eks"]["cloud"], outs["cw"]["cloud"]) == ("aws", "coreweave")
    assert outs["eks"]["gpuTolerations"] == outs["cw"]["gpuTolerations"]
    assert outs["eks"]["gpuCapacity"][0]["gpuModel"] == "L4"
    assert outs["cw"]["gpuCapacity"][0]["gpuModel"] == "L40S"


def test_contract_attributes_are_the_same_types() -> None:
    seen: dict[str, tuple[bool, set[str], dict[str, str], list[dict[str, str]]]] = {}

    def program() -> None:
        from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
        from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

        clusters = {"eks": EksGpuCluster("eks", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}]}),
                    "cw": CoreWeaveGpuCluster("cw", {})}
        for key, c in clusters.items():
            seen[key] = (isinstance(c, GpuCluster), set(c.contract_outputs()),
                         c.gpu_node_selector, c.gpu_tolerations)

    run_program(program, {"coreweave:token": TOKEN}, secret_keys={"coreweave:token"})
    assert set(seen) == {"eks", "cw"}
    for is_contract, keys, selector, tolerations in seen.values():
        assert is_contract
        assert keys == {"cloud", "clusterName", "kubeconfig", "gpuNodeSelector", "gpuTolerations", "gpuCapacity",
                        "systemNodeSelector", "systemTolerations"}
        assert selector and all(isinstance(k, str) and isinstance(v, str) for k, v in selector.items())
        assert tolerations == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def _server_objects(graph: ResourceGraph, component: str) -> dict[str, Any]:
    top = _component(graph, component)
    return {K8S_KINDS[r.type]: r for r in graph.descendants(top.urn) if r.type in K8S_KINDS}


def _without_node_selector(inputs: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(inputs))
    pod = doc.get("spec", {}).get("template", {}).get("spec")
    if pod is not None:
        pod.pop("nodeSelector", None)
    return doc


def test_model_server_is_identical_on_both_clouds_but_provider_and_selector(graph: ResourceGraph) -> None:
    eks, cw = _server_objects(graph, "eks-chat"), _server_objects(graph, "cw-chat")
    assert set(eks) == set(cw) == set(K8S_KINDS.values())
    for kind in K8S_KINDS.values():
        assert _without_node_selector(eks[kind].inputs) == _without_node_selector(cw[kind].inputs), kind
        assert eks[kind].provider != cw[kind].provider
    eks_sel = eks["Deployment"].inputs["spec"]["template"]["spec"]["nodeSelector"]
    cw_sel = cw["Deployment"].inputs["spec"]["template"]["spec"]["nodeSelector"]
    assert eks_sel != cw_sel
    assert cw_sel == {"pulumi-aiops/gpu": "true"}
    # each object goes through its own cluster's provider
    eks_top, cw_top = _component(graph, "eks"), _component(graph, "cw")
    eks_prov = {r.urn for r in graph.descendants(eks_top.urn) if r.type == "pulumi:providers:kubernetes"}
    cw_prov = {r.urn for r in graph.descendants(cw_top.urn) if r.type == "pulumi:providers:kubernetes"}
    assert {r.provider for r in eks.values()} == eks_prov
    assert {r.provider for r in cw.values()} == cw_prov


def _manifest(kind: str, inputs: dict[str, Any]) -> dict[str, Any]:
    api = {"Deployment": "apps/v1", "PodDisruptionBudget": "policy/v1"}.get(kind, "v1")
    return {"apiVersion": api, "kind": kind, **{k: v for k, v in inputs.items()
                                                 if k not in ("apiVersion", "kind")}}


def _ints(value: Any) -> Any:
    """Mock inputs carry numbers as floats; Kubernetes schemas want integers."""
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@pytest.mark.parametrize("component", ["eks-chat", "cw-chat"])
@pytest.mark.parametrize("k8s_version", ["1.31.0", "1.33.0"])
def test_model_server_manifests_validate(graph: ResourceGraph, component: str, k8s_version: str) -> None:
    for kind, r in _server_objects(graph, component).items():
        kubernetes_validate.validate(_ints(_manifest(kind, r.inputs)), k8s_version, strict=True)


def test_model_server_pod_is_hardened(graph: ResourceGraph) -> None:
    objs = _server_objects(graph, "cw-chat")
    pod = objs["Deployment"].inputs["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    sc = c["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] != 0
    assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert objs["ServiceAccount"].inputs["automountServiceAccountToken"] is False
    # every writable path is an emptyDir
    vols = {v["name"]: v for v in pod["volumes"]}
    assert all("emptyDir" in v for v in vols.values())
    assert vols["shm"]["emptyDir"]["medium"] == "Memory"
    assert {m["mountPath"] for m in c["volumeMounts"]} == {"/cache", "/tmp", "/dev/shm"}
    # Guaranteed resources, GPUs in limits
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert c["resources"]["requests"] == c["resources"]["limits"]
    # pinned image from an allowed registry
    assert c["image"].startswith("docker.io/vllm/vllm-openai:v") and not c["image"].endswith(":latest")
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    # no LoadBalancer; restricted pod security on the namespace
    assert objs["Service"].inputs["spec"]["type"] == "ClusterIP"
    labels = objs["Namespace"].inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert objs["PodDisruptionBudget"].inputs["spec"]["maxUnavailable"] == 1


def test_model_server_takes_only_the_contract() -> None:
    from pulumi_aiops.errors import ConfigError
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        ModelServer("x", {"cluster": object(), "model": "m"})  # type: ignore[typeddict-item]

    with pytest.raises(ConfigError) as info:
        run_program(program, {})
    assert str(info.value) == ("ModelServer('x').cluster: '<object>' is not a GpuCluster "
                               "(EksGpuCluster, CoreWeaveGpuCluster) or a GpuClusterRef")
