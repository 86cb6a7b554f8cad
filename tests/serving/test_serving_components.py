"""The serving components in a program of one's own: a registry over the data lake wired to the
user's roles, a server given its cluster and registry by value, CoreWeave's registry and
InfiniBand, the GPU Operator's MIG mode on EKS."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from pulumi_aiops import diagnostics
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
TOKEN = "CW-SECRET-test-token-0123456789"
SHA = "ab" * 32


def _model(name: str = "tiny", version: str = "1", size: int = 2 * 2**30) -> dict[str, Any]:
    return {"name": name, "version": version,
            "source": {"hugging_face": {"repo": "acme/tiny", "revision": "c" * 40}},
            "license": "apache-2.0", "intended_use": "tests",
            "files": [{"path": "config.json", "size_bytes": 100, "sha256": SHA},
                      {"path": "model.safetensors", "size_bytes": size, "sha256": SHA}]}


def _ref_cluster(cloud: str, pools: list[dict[str, Any]]) -> dict[str, Any]:
    kubeconfig = json.dumps({"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "c", "cluster": {
        "server": "https://c"}}], "users": [], "contexts": []})
    selector = {"aws": {"nvidia.com/gpu.present": "true"}, "coreweave": {"pulumi-aiops/gpu": "true"}}[cloud]
    return {"cloud": cloud, "cluster_name": "c", "kubeconfig": kubeconfig, "gpu_node_selector": selector,
            "gpu_capacity": pools}


L4 = {"cluster": "c", "cloud": "aws", "pool": "l4", "instanceType": "g6.xlarge", "gpuModel": "L4", "gpusPerNode": 1,
      "minNodes": 0, "maxNodes": 2}


def test_a_registry_over_the_data_lake_wired_to_the_users_role() -> None:
    import pulumi_aws as aws

    from pulumi_aiops.data_lake import DataLake
    from pulumi_aiops.model_registry import ModelRegistry
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        ci = aws.iam.Role("ci", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
        lake = DataLake("lake", {"source": "models", "tags": TAGS})
        registry = ModelRegistry("reg", {"storage": "data-lake", "data_lake": lake, "models": [_model()],
                                         "sync": {"trusted_principals": [ci.arn]}, "tags": TAGS})
        ModelServer("chat", {"cluster": _ref_cluster("aws", [L4]), "registry": registry.ref(),
                             "model": "tiny@1", "pool": "l4", "tags": TAGS})

    with diagnostics.collecting() as warnings:
        graph = run_program(program, {"aws:region": "us-east-1"})
    curated = graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["bucket"]
    reader = json.loads(graph.named("reg-reader-access").inputs["policy"])
    objects = [s["Resource"] for s in reader["Statement"] if s["Sid"] == "ReadObjects"]
    assert objects == [f"arn:aws:s3:::{curated}/models/*"]
    writer_trust = json.loads(graph.named("reg-writer", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    ci_arn = graph.named("ci", "aws:iam/role:Role").outputs["arn"]
    assert {"AWS": [ci_arn]} in [s["Principal"] for s in writer_trust["Statement"]]
    manifest = graph.named("reg-manifest-tiny-1")
    assert manifest.inputs["bucket"] == graph.named("lake-curated", "aws:s3/bucket:Bucket").outputs["id"]
    assert manifest.inputs["kmsKeyId"] == graph.named("lake-key", "aws:kms/key:Key").outputs["arn"]
    # the server got the registry by value: the lake's bucket in its fetch command
    pod = graph.named("chat-deployment").inputs["spec"]["template"]["spec"]
    fetch = pod["initContainers"][0]["command"]
    assert fetch[fetch.index("--bucket") + 1] == curated
    assert fetch[fetch.index("--prefix") + 1] == "models/tiny/1/"
    # a cluster by value: the server cannot create the Pod Identity association and says so
    assert not graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert any("ModelServer('chat').registry: the cluster is given by value" in w for w in warnings)


def test_a_version_without_a_registry_is_refused_before_anything_is_registered() -> None:
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        ModelServer("chat", {"cluster": _ref_cluster("aws", [L4]), "model": "tiny@1", "tags": TAGS})

    with pytest.raises(ConfigError) as err:
        run_program(program, {"aws:region": "us-east-1"})
    assert str(err.value).startswith("ModelServer('chat').model: 'tiny@1' is a model registry version, but no "
                                     "registry is given (registry)")


def test_coreweave_reads_its_own_object_storage_through_lota_and_uses_infiniband() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.model_registry import ModelRegistry
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        cw = CoreWeaveGpuCluster("cw", cast(Any, {"tags": TAGS, "node_pools": [
            {"name": "h100", "instance_type": "gd-8xh100ib-i128", "target_nodes": 0, "min_nodes": 0,
             "max_nodes": 4, "autoscaling": "enabled"}]}))
        registry = ModelRegistry("reg", {"storage": "coreweave", "models": [_model(size=200 * 2**30)],
                                         "coreweave": {"readers": ["arn:aws:iam::acme:static/serving"]},
                                         "tags": TAGS})
        ModelServer("big", {"cluster": cw, "registry": registry, "model": "tiny@1", "pool": "h100", "gpus": 8,
                            "multi_node": {"nodes": 2}, "cache": {"mode": "shared"}, "tags": TAGS})

    graph = run_program(program, {"coreweave:token": TOKEN}, secret_keys={"coreweave:token"})
    bucket = graph.one("coreweave:index/objectStorageBucket:ObjectStorageBucket")
    assert bucket.protect
    lws = graph.named("big-lws").inputs["spec"]["leaderWorkerTemplate"]
    for role in ("leaderTemplate", "workerTemplate"):
        spec = lws[role]["spec"]
        fetch = spec["initContainers"][0]
        env = {e["name"]: e["value"] for e in fetch["env"]}
        assert env["AIOPS_REGISTRY_ENDPOINT"] == "http://cwlota.com"
        assert env["AIOPS_REGISTRY_ADDRESSING"] == "virtual" and env["AWS_REGION"] == "US-EAST-04A"
        assert fetch["envFrom"] == [{"secretRef": {"name": "model-registry-credentials"}}]
        assert "--pod-identity-uri" not in fetch["command"]
        assert spec["containers"][0]["resources"]["limits"]["rdma/ib"] == "1"
    pvc = graph.named("big-models").inputs["spec"]
    assert pvc["storageClassName"] == "shared-vast" and pvc["accessModes"] == ["ReadWriteMany"]
    egress = graph.named("big-np-allow-registry").inputs["spec"]["egress"][0]["ports"]
    assert {"protocol": "TCP", "port": 80} in egress  # LOTA is plain HTTP inside CKS
    assert not graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")


def _mig_cluster(groups: list[dict[str, Any]], sharing: dict[str, Any]) -> Any:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    return EksGpuCluster("gpu", cast(Any, {"gpu_node_groups": groups, "gpu_operator": {"enabled": True},
                                           "gpu_sharing": sharing, "tags": TAGS}))


P5 = {"name": "h100", "instance_type": "p5.48xlarge", "max_size": 1}


def test_mig_through_the_gpu_operator_replaces_the_standalone_device_plugin() -> None:
    def program() -> None:
        _mig_cluster([P5], {"h100": {"mig": {"profile": "1g.10gb"}}})

    graph = run_program(program, {"aws:region": "us-east-1"})
    releases = {r.inputs["chart"]: r.inputs for r in graph.of_type("kubernetes:helm.sh/v3:Release")}
    assert "nvidia-device-plugin" not in releases  # one device plugin per node: the operator's
    op = releases["gpu-operator"]
    assert (op["version"], op["repositoryOpts"]["repo"]) == ("v25.10.1", "https://helm.ngc.nvidia.com/nvidia")
    values = op["values"]
    assert values["driver"] == {"enabled": False} and values["toolkit"] == {"enabled": False}
    assert values["mig"] == {"strategy": "single"} and values["migManager"]["enabled"] is True
    group = graph.named("gpu-gpu-h100", "aws:eks/nodeGroup:NodeGroup").inputs
    assert group["labels"]["nvidia.com/mig.config"] == "all-1g.10gb"
    tags = {r.inputs["tag"]["key"]: r.inputs["tag"]["value"] for r in graph.of_type("aws:autoscaling/tag:Tag")}
    assert tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "56"  # 8 GPUs × 7 slices
    out = graph.outputs_of(graph.named("gpu", "aiops:index:EksGpuCluster"))
    (cap,) = out["gpuCapacity"]
    assert (cap["gpuSharing"], cap["gpuSlicesPerGpu"], cap["gpuSliceMemoryGib"]) == ("mig", 7, 10)
    assert graph.named("gpu-gpu-operator-ns").inputs["metadata"]["name"] == "gpu-operator"


def test_a_model_bigger_than_a_mig_slice_is_refused() -> None:
    from pulumi_aiops.model_registry import ModelRegistry
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        cluster = _mig_cluster([P5], {"h100": {"mig": {"profile": "1g.10gb"}}})
        registry = ModelRegistry("reg", {"models": [_model(size=12 * 2**30)], "tags": TAGS})
        ModelServer("chat", {"cluster": cluster, "registry": registry, "model": "tiny@1", "pool": "h100",
                             "tags": TAGS})

    with pytest.raises(ConfigError) as err:
        run_program(program, {"aws:region": "us-east-1"})
    assert str(err.value).startswith(
        "ModelServer('chat').model: 'tiny@1' has 12.0 GiB of weights (12,884,901,888 bytes in its manifest), more "
        "than a replica gets on pool 'h100' (p5.48xlarge): 1 GPU(s) × 10.0 GiB (one MIG slice) × 0.9")


def test_a_server_on_an_eks_cluster_object_gets_the_registrys_reader_through_pod_identity() -> None:
    from pulumi_aiops.model_registry import ModelRegistry
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        cluster = _mig_cluster([P5], {})
        registry = ModelRegistry("reg", {"models": [_model()], "tags": TAGS})
        ModelServer("chat", {"cluster": cluster, "registry": registry, "model": "tiny@1", "pool": "h100",
                             "tags": TAGS})

    graph = run_program(program, {"aws:region": "us-east-1"})
    (assoc,) = [a for a in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                if a.inputs["namespace"] == "chat"]
    assert assoc.inputs["serviceAccount"] == "chat" and assoc.name == "chat-registry-read"
    assert assoc.inputs["roleArn"] == graph.named("reg-reader", "aws:iam/role:Role").outputs["arn"]
    assert assoc.inputs["clusterName"] == graph.one("aws:eks/cluster:Cluster").outputs["name"]
    trust = json.loads(graph.named("reg-reader", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Action": ["sts:AssumeRole", "sts:TagSession"], "Effect": "Allow",
                                   "Principal": {"Service": "pods.eks.amazonaws.com"}}]


def test_wired_registry_bucket_reaches_the_server_unresolved(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry ref from another program carries outputs: the server takes them as inputs."""
    from pulumi_aiops.workloads import ModelServer

    def program() -> None:
        import pulumi_aws as aws

        bucket = aws.s3.Bucket("their-models")
        role = aws.iam.Role("their-reader", assume_role_policy="{}")
        ModelServer("chat", {"cluster": _ref_cluster("aws", [L4]), "model": "tiny@1", "pool": "l4", "tags": TAGS,
                             "registry": {"bucket": bucket.bucket, "reader_role_arn": role.arn,
                                          "models": [_model()]}})

    graph = run_program(program, {"aws:region": "us-east-1"})
    fetch = graph.named("chat-deployment").inputs["spec"]["template"]["spec"]["initContainers"][0]["command"]
    assert fetch[fetch.index("--bucket") + 1] == graph.named("their-models").outputs["bucket"]
    deps = graph.named("chat-deployment").property_dependencies.get("spec", [])
    assert graph.named("their-models").urn in deps



def test_the_registry_docstring_example_runs_and_trusts_the_ci_role() -> None:
    import re
    import textwrap

    import pulumi_aiops.model_registry as mod

    found = re.search(r"Example::\n\n((?:    [^\n]*\n|\n)+)", mod.__doc__ or "")
    assert found
    code = textwrap.dedent(found.group(1))

    def program() -> None:
        exec(compile(code, "<model_registry docstring>", "exec"), {})

    graph = run_program(program, {"aws:region": "us-east-1"})
    ci = graph.named("model-sync-ci", "aws:iam/role:Role").outputs["arn"]
    trust = json.loads(graph.named("models-writer", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert {"AWS": [ci]} in [s["Principal"] for s in trust["Statement"]]
    assert graph.named("models-manifest-qwen2.5-0.5b-instruct-2024-09-19").inputs["key"] == (
        "models/qwen2.5-0.5b-instruct/2024-09-19/manifest.json")


def test_the_gpu_operator_offers_time_slicing_per_pool_and_denies_by_default() -> None:
    from serving_programs import gpu_operator_graph

    graph = gpu_operator_graph()
    op = graph.named("gpu-gpu-operator").inputs["values"]["devicePlugin"]["config"]
    assert (op["create"], op["default"]) == (True, "default") and "replicas: 2" in op["data"]["time-slicing-2"]
    labels = graph.named("gpu-gpu-l4", "aws:eks/nodeGroup:NodeGroup").inputs["labels"]
    assert labels["nvidia.com/device-plugin.config"] == "time-slicing-2"
    assert "nvidia.com/mig.config" not in labels
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in graph.of_type(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy") if r.inputs["metadata"]["namespace"] == "gpu-operator"}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert {"allow-dns", "allow-apiserver", "allow-intra-namespace"} <= set(policies)
