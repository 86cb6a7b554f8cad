"""ModelServer(name, args, opts): the cluster inside args, as a GpuCluster object or by value
(a GpuClusterRef: the contract's values and a kubeconfig), tags in args, and the normalisation
both go through (``resolve_cluster``)."""

from __future__ import annotations

import inspect
import json
from typing import Any, cast

import pulumi
import pytest

from pulumi_aiops.contract import GpuCapacity, GpuClusterRef, gpu_toleration
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program

TOKEN = "CW-SECRET-ref-test"
CONFIG = {"coreweave:token": TOKEN}
SECRETS = {"coreweave:token"}
SERVER: dict[str, Any] = {"name": "chat", "model": "Qwen/Qwen2.5-1.5B-Instruct", "gpus": 1, "max_model_len": 8192}
K8S_KINDS = {
    "kubernetes:core/v1:Namespace": "Namespace",
    "kubernetes:core/v1:ServiceAccount": "ServiceAccount",
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:policy/v1:PodDisruptionBudget": "PodDisruptionBudget",
}
TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}


class CountingMocks(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        self.registered.append(args.typ)
        return super().new_resource(args)


def _objects(graph: ResourceGraph, component: str) -> dict[str, Any]:
    top = graph.named(component, "aiops:index:ModelServer")
    return {K8S_KINDS[r.type]: r for r in graph.descendants(top.urn) if r.type in K8S_KINDS}


def _ref_program() -> None:
    """A user's own CKS cluster and kubeconfig (e.g. another program's), and a CoreWeaveGpuCluster."""
    import pulumi_coreweave as coreweave

    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster, build_kubeconfig
    from pulumi_aiops.workloads import ModelServer

    token = pulumi.Config("coreweave").require_secret("token")
    mine = coreweave.Provider("my-coreweave", token=token)
    my_vpc = coreweave.NetworkingVpc("my-vpc", name="byo", zone="US-EAST-04A",
                                     opts=pulumi.ResourceOptions(provider=mine))
    my_cks = coreweave.CksCluster("my-cks", name="byo", version="v1.35", zone="US-EAST-04A", vpc_id=my_vpc.id,
                                  pod_cidr_name="pod-cidr", service_cidr_name="service-cidr",
                                  internal_lb_cidr_names=["internal-lb-cidr"],
                                  opts=pulumi.ResourceOptions(provider=mine))
    my_kubeconfig = build_kubeconfig("byo", my_cks.api_server_endpoint, token)

    cw = CoreWeaveGpuCluster("cw", {"node_pools": [
        {"name": "l40s", "instance_type": "gd-8xl40s-i128", "target_nodes": 1}]})
    ModelServer("by-object", cast(Any, {**SERVER, "cluster": cw, "tags": TAGS}))
    # The ref carries the same GPU capacity (the requests follow the pool), as another program's
    # cluster exports it (gpuCapacity output).
    ref = GpuClusterRef(cloud="coreweave", cluster_name="byo", kubeconfig=my_kubeconfig,
                        gpu_node_selector=dict(cw.gpu_node_selector), gpu_capacity=list(cw.gpu_capacity))
    ModelServer("by-ref", cast(Any, {**SERVER, "cluster": ref, "tags": TAGS}))
    # a mapping (camelCase, the shape another language sends) works the same
    ModelServer("by-mapping", cast(Any, {**SERVER, "tags": TAGS, "cluster": {
        "cloud": "coreweave", "clusterName": "byo", "kubeconfig": my_kubeconfig,
        "gpuNodeSelector": {"pulumi-aiops/gpu": "true"}, "gpuTolerations": [gpu_toleration()],
        "gpuCapacity": [c.to_output() for c in cw.gpu_capacity]}}))


@pytest.fixture(scope="module")
def ref_graph() -> ResourceGraph:
    return run_program(_ref_program, CONFIG, secret_keys=SECRETS)


def test_a_ref_gets_its_own_provider_on_the_users_kubeconfig(ref_graph: ResourceGraph) -> None:
    g = ref_graph
    my_cks = g.named("my-cks")
    for component in ("by-ref", "by-mapping"):
        top = g.named(component, "aiops:index:ModelServer")
        (provider,) = [r for r in g.descendants(top.urn) if r.type == "pulumi:providers:kubernetes"]
        assert provider.name == f"{component}-k8s" and provider.parent == top.urn
        kc = provider.inputs["kubeconfig"]
        assert isinstance(kc, dict) and "value" in kc  # kept secret
        doc = json.loads(kc["value"])
        assert doc["clusters"][0]["cluster"]["server"] == my_cks.outputs["apiServerEndpoint"]
        assert doc["users"][0]["user"] == {"token": TOKEN}
        # the provider waits for the user's cluster through the kubeconfig output
        assert my_cks.urn in provider.property_dependencies["kubeconfig"]
        assert {r.provider for r in _objects(g, component).values()} == {provider.urn}
        assert g.component_outputs[top.urn]["cluster"] == "byo"


def test_a_ref_gives_the_same_manifests_as_the_object(ref_graph: ResourceGraph) -> None:
    by_object, by_ref = _objects(ref_graph, "by-object"), _objects(ref_graph, "by-ref")
    by_mapping = _objects(ref_graph, "by-mapping")
    assert set(by_object) == set(by_ref) == set(K8S_KINDS.values())
    for kind in K8S_KINDS.values():
        assert by_ref[kind].inputs == by_object[kind].inputs, kind
        assert by_mapping[kind].inputs == by_object[kind].inputs, kind
        assert by_ref[kind].provider != by_object[kind].provider


def test_the_object_form_waits_for_cluster_readiness_and_the_ref_for_its_provider(ref_graph: ResourceGraph) -> None:
    g = ref_graph
    ns = _objects(g, "by-object")["Namespace"]
    assert set(ns.depends_on) == {g.named("cw-cks").urn, g.named("cw-pool-l40s").urn}
    # a ref has no readiness resources: its provider's kubeconfig carries the dependency
    assert _objects(g, "by-ref")["Namespace"].depends_on == ()


def test_tags_in_args_label_the_objects_but_not_the_pods(ref_graph: ResourceGraph) -> None:
    objs = _objects(ref_graph, "by-object")
    for kind, r in objs.items():
        labels = r.inputs["metadata"]["labels"]
        assert {k: labels[k] for k in TAGS} == TAGS, kind
    pod_labels = objs["Deployment"].inputs["spec"]["template"]["metadata"]["labels"]
    assert not set(TAGS) & set(pod_labels)
    assert objs["Namespace"].inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_tags_that_are_not_labels_become_annotations_or_are_skipped() -> None:
    from pulumi_aiops.workloads import tag_metadata

    labels, annotations, skipped = tag_metadata({
        "owner": "ml-platform", "owner-name": "ML Platform Team", "Cost Center": "cc-1",
        "app.kubernetes.io/name": "other", "example.com/team": "search"})
    assert labels == {"owner": "ml-platform", "app.kubernetes.io/name": "other", "example.com/team": "search"}
    assert annotations == {"owner-name": "ML Platform Team"}
    assert skipped == ["Cost Center"]


def test_the_components_own_labels_win_over_tags() -> None:
    from pulumi_aiops.config.workloads import ModelServerSpec
    from pulumi_aiops.workloads import model_server_manifests

    spec = ModelServerSpec.model_validate({"model": "m", "tags": {
        "app.kubernetes.io/name": "spoof", "pod-security.kubernetes.io/enforce": "privileged",
        "owner-name": "ML Platform"}})
    docs = model_server_manifests(spec, "chat", {"a": "b"}, [])
    assert docs["Deployment"]["metadata"]["labels"]["app.kubernetes.io/name"] == "vllm"
    assert docs["Namespace"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert docs["Deployment"]["metadata"]["annotations"] == {
        "owner-name": "ML Platform", "pulumi.com/timeoutSeconds": "2700"}
    assert docs["Service"]["metadata"]["annotations"] == {"owner-name": "ML Platform"}


@pytest.mark.parametrize(("cluster", "expected"), [
    ({"cloud": "coreweave", "clusterName": "x", "kubeconfig": "just text",
      "gpuNodeSelector": {"pulumi-aiops/gpu": "true"}},
     "ModelServer('x').cluster.kubeconfig: '<secret>' is not a kubeconfig"),
    ({"cloud": "coreweave", "clusterName": "x", "kubeconfig": '{"clusters": [{"name": "x"}]}',
      "gpuNodeSelector": {}},
     "ModelServer('x').cluster.gpuNodeSelector: {} is empty"),
    ({"cloud": "gcp", "clusterName": "x", "kubeconfig": '{"clusters": [{"name": "x"}]}',
      "gpuNodeSelector": {"a": "b"}},
     "ModelServer('x').cluster.cloud: 'gcp' is not allowed"),
    ({"cloud": "aws", "clusterName": "x"},
     "invalid configuration:\n  ModelServer('x').cluster.kubeconfig: is required but missing\n"
     "  ModelServer('x').cluster.gpuNodeSelector: is required but missing"),
    ("eks-gpu", "ModelServer('x').cluster: '<str>' is not a GpuCluster (EksGpuCluster, CoreWeaveGpuCluster) or a "
                "GpuClusterRef; pass the cluster object, not its name"),
])
def test_bad_refs_are_config_errors_before_any_resource(cluster: Any, expected: str) -> None:
    from pulumi_aiops.workloads import ModelServer

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_program(lambda: ModelServer("x", cast(Any, {"model": "m", "cluster": cluster})), {}, mocks=mocks)
    msg = str(info.value)
    assert msg.startswith(expected), msg
    assert "just text" not in msg  # a kubeconfig never appears in an error
    assert mocks.registered == []


def test_a_cluster_ref_round_trips_its_capacity() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

        cw = CoreWeaveGpuCluster("cw", {"node_pools": [
            {"name": "l40s", "instance_type": "gd-8xl40s-i128", "target_nodes": 1}]})
        ref = cw.ref()
        seen["ref"] = ref
        seen["capacity"] = cw.gpu_capacity
        # the exported camelCase shape (other languages see it) reads back into equal objects
        seen["again"] = GpuClusterRef.model_validate({
            "cloud": "coreweave", "clusterName": "cw", "kubeconfig": cw.kubeconfig,
            "gpuNodeSelector": cw.gpu_node_selector, "gpuCapacity": [c.to_output() for c in cw.gpu_capacity]})

    run_program(program, CONFIG, secret_keys=SECRETS)
    ref = seen["ref"]
    assert (ref.cloud.value, ref.cluster_name) == ("coreweave", "cw")
    assert ref.gpu_node_selector == {"pulumi-aiops/gpu": "true"}
    assert ref.gpu_tolerations == [gpu_toleration()]
    assert ref.gpu_capacity == seen["capacity"] == seen["again"].gpu_capacity
    assert isinstance(ref.kubeconfig, pulumi.Output)
    with pytest.raises(ValueError, match="typo"):
        GpuCapacity.model_validate({**seen["capacity"][0].to_output(), "typo": 1})


def test_model_server_signature_and_args_in_one_place() -> None:
    from pulumi_aiops.args import ModelServerArgs
    from pulumi_aiops.config.workloads import ModelServerArgsModel, ModelServerSpec
    from pulumi_aiops.workloads import ModelServer

    assert list(inspect.signature(ModelServer.__init__).parameters) == ["self", "name", "args", "opts"]
    assert issubclass(ModelServerArgsModel, ModelServerSpec)
    assert set(ModelServerArgs.__required_keys__) == {"model", "cluster"}
    assert "tags" in ModelServerArgs.__optional_keys__


def test_stack_config_tags_reach_the_servers_objects(base_platform: dict[str, Any]) -> None:
    from pulumi_aiops.builder import main

    platform = {**base_platform,
                "governance": {**base_platform["governance"], "extraTags": {"Project Name": "Chat Bot"}},
                "coreweave": {"name": "cw", "nodePools": [
                    {"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}]},
                "workloads": {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m",
                                                "tags": {"team": "search", "owner": "search-team"}}]}}
    g = run_program(main, {"aws:region": "us-east-1", "aiops:platform": platform, **CONFIG}, secret_keys=SECRETS)
    objs = _objects(g, "cw-chat")
    labels = objs["Deployment"].inputs["metadata"]["labels"]
    # governance tags, the server's own over them; a key that is no label key is left out
    assert (labels["cost-center"], labels["team"], labels["owner"]) == ("cc-1", "search", "search-team")
    text = json.dumps([r.inputs for r in objs.values()])
    assert "Project Name" not in text and "Chat Bot" not in text
