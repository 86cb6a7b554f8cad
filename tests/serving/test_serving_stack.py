"""The shipped ``serving`` stack: a model registry, a time-sliced server that sleeps, a multi-node
server on EFA, KEDA. What matters: only the gateway's namespace (and Prometheus) reaches a server,
no server takes weights from anywhere but the registry (verified, served offline), a version change
touches only the pod template and the manifest reference, and the scaling layers agree."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from netpol import Pod, policies_of, reachable

from pulumi_aiops.testing import ResourceGraph, run_program
from stack_plans import ROOT, as_api_value, planned

SERVERS = {"eks-chat-small": "chat-small", "eks-chat-large": "chat-large"}
METRICS = Path("/work/shared/reference/metrics")


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return planned("serving").graph


def _children(graph: ResourceGraph, component: str, type_: str) -> list[Any]:
    top = graph.named(component, "aiops:index:ModelServer")
    return [r for r in graph.descendants(top.urn) if r.type == type_]


def _pods(graph: ResourceGraph, component: str) -> list[dict[str, Any]]:
    """Each pod template of a server: its Deployment's, or its LeaderWorkerSet's leader and worker."""
    deps = _children(graph, component, "kubernetes:apps/v1:Deployment")
    if deps:
        return [as_api_value(deps[0].inputs["spec"]["template"])]
    (lws,) = _children(graph, component, "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    t = as_api_value(lws.inputs["spec"]["leaderWorkerTemplate"])
    return [t["leaderTemplate"], t["workerTemplate"]]


def test_the_stack_plans_with_no_mandatory_violation() -> None:
    from pulumi_aiops.testing.policy import evaluate_in_process

    result = planned("serving")
    report = evaluate_in_process(result.graph, stack_config=result.config)
    mandatory = [v for v in report.violations() if v.enforcement_level == "mandatory"]
    assert not mandatory, [v.to_dict() for v in mandatory]
    types = result.graph.counts_by_type()
    assert types["kubernetes:keda.sh/v1alpha1:ScaledObject"] == 2
    assert types["kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"] == 1
    assert types["aws:s3/bucketObjectv2:BucketObjectv2"] == 2  # one manifest per version


# -- isolation ------------------------------------------------------------------------------------
def test_no_namespace_but_the_gateways_reaches_a_server(graph: ResourceGraph) -> None:
    policies = policies_of(graph)
    gateway = Pod("ai-gateway", {"app.kubernetes.io/name": "litellm"}, {"aiops.io/llm-gateway": "true"})
    prometheus = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})
    grafana = Pod("monitoring", {"app.kubernetes.io/name": "grafana"})
    strangers = [Pod("default", {"app": "curl"}), Pod("kube-system", {"k8s-app": "kube-dns"}),
                 Pod("team-a", {"app": "notebook"}, {"aiops.io/llm-gateway": "false"}),
                 Pod("keda", {"app": "keda-operator"}), grafana]
    for component, name in SERVERS.items():
        for pod in _pods(graph, component):
            target = Pod(name, pod["metadata"]["labels"], ports={"http": 8000})
            if pod["metadata"]["labels"].get("aiops.io/lws-role") == "worker":
                assert not reachable(policies, gateway, target, 8000)  # workers serve no API
                continue
            assert reachable(policies, gateway, target, 8000), component
            assert reachable(policies, prometheus, target, 8000), component
            assert not reachable(policies, gateway, target, 22), "only the server's port"
            for s in strangers:
                assert not reachable(policies, s, target, 8000), (component, s)
        # the other server's pods are strangers too
        other = next(n for c, n in SERVERS.items() if c != component)
        neighbour = Pod(other, {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": other})
        assert not reachable(policies, neighbour, Pod(name, _pods(graph, component)[0]["metadata"]["labels"]), 8000)


def test_a_multi_node_groups_pods_reach_each_other_and_nothing_else(graph: ResourceGraph) -> None:
    policies = policies_of(graph)
    leader, worker = (_pods(graph, "eks-chat-large")[i]["metadata"]["labels"] for i in (0, 1))
    lp, wp = Pod("chat-large", leader), Pod("chat-large", worker)
    assert reachable(policies, wp, lp, 6379) and reachable(policies, lp, wp, 41000)  # Ray, NCCL
    assert not reachable(policies, Pod("chat-large", {"app": "debug"}), lp, 6379)
    small = Pod("chat-small", _pods(graph, "eks-chat-small")[0]["metadata"]["labels"])
    assert not reachable(policies, wp, small, 8000) and not reachable(policies, small, wp, 6379)


def test_every_serving_namespace_denies_by_default(graph: ResourceGraph) -> None:
    namespaces = {r.inputs["metadata"]["name"] for r in graph.of_type("kubernetes:core/v1:Namespace")}
    deny = {r.inputs["metadata"]["namespace"] for r in graph.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            if r.inputs["spec"]["podSelector"] == {} and set(r.inputs["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not r.inputs["spec"].get("ingress") and not r.inputs["spec"].get("egress")}
    assert {"chat-small", "chat-large", "keda", "lws-system"} <= namespaces
    assert namespaces <= deny


def test_no_server_has_a_kubernetes_api_token(graph: ResourceGraph) -> None:
    for component in SERVERS:
        for pod in _pods(graph, component):
            assert pod["spec"]["automountServiceAccountToken"] is False
            for v in pod["spec"]["volumes"]:
                for src in v.get("projected", {}).get("sources", []):
                    # the only projected token is Pod Identity's, for an audience the API server refuses
                    assert src["serviceAccountToken"]["audience"] == "pods.eks.amazonaws.com"
            vllm = next(c for c in pod["spec"]["containers"] if c["name"] == "vllm")
            assert all(m["name"] != "registry-token" for m in vllm["volumeMounts"])
        (sa,) = _children(graph, component, "kubernetes:core/v1:ServiceAccount")
        assert sa.inputs["automountServiceAccountToken"] is False


# -- weights: only from the registry, verified, served offline ----------------------------------
def test_no_server_takes_weights_from_the_internet(graph: ResourceGraph) -> None:
    registry = graph.named("model-registry", "aiops:index:ModelRegistry")
    bucket = graph.named("model-registry-models", "aws:s3/bucket:Bucket")
    for component, _name in SERVERS.items():
        for pod in _pods(graph, component):
            spec = pod["spec"]
            init = [c["name"] for c in spec["initContainers"]]
            assert init == ["fetch-weights", "verify-weights"]  # both finish before vLLM starts
            fetch, verify = spec["initContainers"]
            cmd = fetch["command"]
            assert cmd[:3] == ["python3", "/opt/aiops/model_weights.py", "fetch"]
            assert cmd[cmd.index("--bucket") + 1] == bucket.outputs["bucket"]
            assert not any("huggingface" in str(a) for a in cmd)
            assert verify["command"][2] == "verify"
            assert {m["name"]: m.get("readOnly", False) for m in verify["volumeMounts"]}["models"] is True
            vllm = next(c for c in spec["containers"] if c["name"] == "vllm")
            env = {e["name"]: e.get("value") for e in vllm["env"]}
            assert env["HF_HUB_OFFLINE"] == "1" and env["TRANSFORMERS_OFFLINE"] == "1"
            assert "HF_TOKEN" not in env
            text = " ".join(vllm.get("args") or vllm["command"])
            model = re.search(r"--model (\S+)", text)
            ref = pod["metadata"]["annotations"]["aiops.io/model"]
            if model is not None:  # the leader and single-pod servers run the API server
                assert model.group(1) == "/models/" + ref.replace("@", "/")
            assert {m["mountPath"]: m.get("readOnly") for m in vllm["volumeMounts"]}["/models"] is True
    assert graph.outputs_of(registry)["storage"] == "bucket"


def test_the_pod_template_pins_the_manifest_its_configmap_holds(graph: ResourceGraph) -> None:
    for component in SERVERS:
        (cm,) = [r for r in _children(graph, component, "kubernetes:core/v1:ConfigMap")
                 if r.name.endswith("-model-manifest")]
        text = cm.inputs["data"]["manifest.json"]
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert cm.inputs["immutable"] is True
        for pod in _pods(graph, component):
            assert pod["metadata"]["annotations"]["aiops.io/model-manifest-sha256"] == digest
            for c in pod["spec"]["initContainers"]:
                assert c["command"][c["command"].index("--manifest-sha256") + 1] == digest
            (vol,) = [v for v in pod["spec"]["volumes"] if v["name"] == "manifest"]
            assert vol["configMap"]["name"] == cm.inputs["metadata"]["name"]
        # the registry stores the same manifest beside the weights
        doc = json.loads(text)
        obj = graph.named(f"model-registry-manifest-{doc['name']}-{doc['version']}")
        assert obj.inputs["content"] == text
        assert obj.inputs["key"] == f"models/{doc['name']}/{doc['version']}/manifest.json"
        assert obj.inputs["serverSideEncryption"] == "aws:kms"


def test_registry_roles_read_only_for_servers_read_write_for_the_sync_job(graph: ResourceGraph) -> None:
    reader = graph.named("model-registry-reader-access", "aws:iam/rolePolicy:RolePolicy")
    writer = graph.named("model-registry-writer-access", "aws:iam/rolePolicy:RolePolicy")
    read_actions = {a for s in json.loads(reader.inputs["policy"])["Statement"] for a in _list(s["Action"])}
    write_actions = {a for s in json.loads(writer.inputs["policy"])["Statement"] for a in _list(s["Action"])}
    assert not any(a.startswith("s3:Put") or a.startswith("s3:Delete") for a in read_actions)
    assert "s3:PutObject" in write_actions and "kms:GenerateDataKey" in write_actions
    for stmt in json.loads(reader.inputs["policy"])["Statement"]:
        for res in _list(stmt.get("Resource", [])):
            assert res.endswith("/models/*") or ":kms:" in res or res.startswith("arn:aws:s3:::"), res
    assocs = {r.inputs["namespace"]: r for r in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")}
    reader_role = graph.named("model-registry-reader", "aws:iam/role:Role")
    for ns in ("chat-small", "chat-large"):
        assert assocs[ns].inputs["serviceAccount"] == ns
        assert assocs[ns].inputs["roleArn"] == reader_role.outputs["arn"]
    sync = assocs["model-sync"]
    assert sync.inputs["roleArn"] == graph.named("model-registry-writer", "aws:iam/role:Role").outputs["arn"]
    bucket = graph.named("model-registry-models", "aws:s3/bucket:Bucket")
    assert bucket.protect and bucket.retain_on_delete


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


# -- a version change -----------------------------------------------------------------------------
def _serving_config() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "stacks" / "Pulumi.serving.yaml").read_text())["config"]


def _with_two_versions(version: str) -> dict[str, Any]:
    cfg = copy.deepcopy(_serving_config())
    p = cfg["aiops:platform"]
    v1 = p["modelRegistry"]["models"][0]
    v2 = copy.deepcopy(v1)
    v2["version"] = "2"  # a re-sync of the same repo at another commit (test data)
    v2["source"]["huggingFace"]["revision"] = "1" * 40
    v2["files"][3]["sha256"] = "2" * 64
    p["modelRegistry"]["models"].append(v2)
    p["workloads"]["modelServers"][0]["model"] = f"qwen2.5-0.5b-instruct@{version}"
    return cfg


def _run(cfg: dict[str, Any]) -> ResourceGraph:
    from pulumi_aiops.builder import main as build

    return run_program(build, cfg)


def test_changing_the_version_changes_only_the_pod_template_and_the_manifest_reference() -> None:
    before, after = _run(_with_two_versions("1")), _run(_with_two_versions("2"))
    changed = {r.urn for r in before if r.urn in {a.urn for a in after}
               and json.dumps(r.inputs, sort_keys=True) != json.dumps(after.get(r.urn).inputs, sort_keys=True)}
    assert {before.get(u).name for u in changed} == {"eks-chat-small-deployment", "eks-chat-small-model-manifest"}
    assert {r.urn for r in before} == {r.urn for r in after}  # nothing added or removed
    d0, d1 = before.named("eks-chat-small-deployment"), after.named("eks-chat-small-deployment")
    assert {k: v for k, v in d0.inputs["spec"].items() if k != "template"} == {
        k: v for k, v in d1.inputs["spec"].items() if k != "template"}
    assert d0.inputs["metadata"] == d1.inputs["metadata"]
    assert d1.inputs["spec"]["strategy"] == {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxSurge": 1.0, "maxUnavailable": 0.0}}
    m0, m1 = before.named("eks-chat-small-model-manifest"), after.named("eks-chat-small-model-manifest")
    assert m0.inputs["metadata"]["name"] != m1.inputs["metadata"]["name"]  # an immutable ConfigMap per version
    assert json.loads(m1.inputs["data"]["manifest.json"])["version"] == "2"
    outs = after.outputs_of(after.named("eks-chat-small", "aiops:index:ModelServer"))
    assert outs["model"] == "qwen2.5-0.5b-instruct@2"


def test_the_plan_shows_which_version_each_server_runs() -> None:
    from pulumi_aiops.cli import render_text
    from pulumi_aiops.plan_format import build_plan

    result = planned("serving")
    servers = result.model_servers()
    assert {(s["name"], s["model"]) for s in servers} == {
        ("eks/chat-small", "qwen2.5-0.5b-instruct@1"), ("eks/chat-large", "qwen2.5-7b-instruct@1")}
    text = render_text(build_plan(result, cost=False))
    assert "  eks-chat-small  qwen2.5-0.5b-instruct@1" in text
    assert "  eks-chat-large  qwen2.5-7b-instruct@1" in text
    # a development server shows the repo it downloads
    assert "  eks-gpu-chat  Qwen/Qwen2.5-1.5B-Instruct" in render_text(build_plan(planned("multicloud"), cost=False))


# -- scaling: KEDA on vLLM's metrics, and the pools follow ---------------------------------------
def test_each_server_scales_on_vllms_own_metrics(graph: ResourceGraph) -> None:
    small = _children(graph, "eks-chat-small", "kubernetes:keda.sh/v1alpha1:ScaledObject")[0].inputs["spec"]
    large = _children(graph, "eks-chat-large", "kubernetes:keda.sh/v1alpha1:ScaledObject")[0].inputs["spec"]
    assert small["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "chat-small"}
    assert large["scaleTargetRef"] == {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet",
                                       "name": "chat-large"}
    assert (small["minReplicaCount"], small["maxReplicaCount"], small["cooldownPeriod"]) == (0, 4, 900)
    assert small["triggers"][0]["metadata"]["query"] == (
        'sum(vllm:num_requests_waiting{namespace="chat-small",model_name="chat-small"})')
    # asleep, the server exports nothing: the gateway's requests wake it
    assert small["triggers"][1]["name"] == "gateway-requests"
    assert "litellm_deployment_total_requests_total" in small["triggers"][1]["metadata"]["query"]
    assert "vllm:time_to_first_token_seconds_bucket" in large["triggers"][0]["metadata"]["query"]
    assert large["triggers"][0]["metricType"] == "Value" and len(large["triggers"]) == 1
    for so in (small, large):
        assert so["triggers"][0]["metadata"]["serverAddress"].startswith("http://kube-prometheus-stack-prometheus.")
    deployment = graph.named("eks-chat-small-deployment").inputs["spec"]
    assert "replicas" not in deployment  # KEDA owns it
    keda = graph.named("eks-keda-keda", "kubernetes:helm.sh/v3:Release").inputs
    assert (keda["chart"], keda["version"], keda["repositoryOpts"]["repo"]) == (
        "keda", "2.20.2", "https://kedacore.github.io/charts")


@pytest.mark.skipif(not METRICS.is_dir(), reason="the exporters' metric lists are not on this machine")
def test_the_scaling_queries_name_metrics_the_exporters_export(graph: ResourceGraph) -> None:
    vllm = set((METRICS / "vllm.txt").read_text().split())
    litellm = set((METRICS / "litellm.txt").read_text().split())
    for so in graph.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject"):
        for t in so.inputs["spec"]["triggers"]:
            for name in re.findall(r"(vllm:[a-z_]+|litellm_[a-z_]+)", t["metadata"]["query"]):
                base = re.sub(r"_(bucket|sum|count|total)$", "", name)
                assert base in vllm | litellm or name in vllm | litellm, name


def test_the_pools_grow_from_zero_with_the_replicas(graph: ResourceGraph) -> None:
    tags = {r.inputs["tag"]["key"]: r.inputs["tag"]["value"] for r in graph.of_type("aws:autoscaling/tag:Tag")
            if "eks-gpu-l4-shared" in r.name}
    # a time-sliced node advertises 4 × nvidia.com/gpu: cluster-autoscaler must count the same
    assert tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "4"
    assert tags["k8s.io/cluster-autoscaler/node-template/label/nvidia.com/device-plugin.config"] == "time-slicing-4"
    efa = {r.inputs["tag"]["key"]: r.inputs["tag"]["value"] for r in graph.of_type("aws:autoscaling/tag:Tag")
           if "eks-gpu-l4x4-efa" in r.name}
    assert efa["k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa"] == "1"
    assert efa["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "4"


# -- GPU sharing and multi-node --------------------------------------------------------------------
def test_the_small_model_gets_one_time_sliced_gpu_and_its_share_of_memory(graph: ResourceGraph) -> None:
    (pod,) = _pods(graph, "eks-chat-small")
    vllm = pod["spec"]["containers"][0]
    assert vllm["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert vllm["args"][vllm["args"].index("--gpu-memory-utilization") + 1] == "0.225"
    assert pod["spec"]["nodeSelector"]["aiops.io/node-pool"] == "l4-shared"
    plugin = graph.named("eks-nvidia-device-plugin", "kubernetes:helm.sh/v3:Release").inputs["values"]
    assert plugin["config"]["default"] == "default"
    assert "replicas: 4" in plugin["config"]["map"]["time-slicing-4"]
    assert "failRequestsGreaterThanOne: true" in plugin["config"]["map"]["time-slicing-4"]
    group = graph.named("eks-gpu-l4-shared", "aws:eks/nodeGroup:NodeGroup").inputs
    assert group["labels"]["nvidia.com/device-plugin.config"] == "time-slicing-4"


def test_the_large_model_spans_two_efa_nodes(graph: ResourceGraph) -> None:
    (lws,) = _children(graph, "eks-chat-large", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    spec = as_api_value(lws.inputs["spec"])
    assert spec["leaderWorkerTemplate"]["size"] == 2
    assert spec["rolloutStrategy"]["rollingUpdateConfiguration"] == {"maxSurge": 1, "maxUnavailable": 0}
    leader = spec["leaderWorkerTemplate"]["leaderTemplate"]["spec"]["containers"][0]
    worker = spec["leaderWorkerTemplate"]["workerTemplate"]["spec"]["containers"][0]
    cmd = leader["command"][2]
    assert "multi-node-serving.sh leader --ray_cluster_size=$(LWS_GROUP_SIZE)" in cmd
    assert "--tensor-parallel-size 4 --pipeline-parallel-size 2 --distributed-executor-backend ray" in cmd
    assert "multi-node-serving.sh worker --ray_address=$(LWS_LEADER_ADDRESS)" in worker["command"][2]
    for c in (leader, worker):
        assert c["resources"]["limits"]["vpc.amazonaws.com/efa"] == "1"
        assert c["resources"]["limits"]["nvidia.com/gpu"] == "4"
    svc = graph.named("eks-chat-large-svc").inputs["spec"]
    assert svc["selector"]["aiops.io/lws-role"] == "leader"
    lt = graph.named("eks-gpu-l4x4-efa-lt", "aws:ec2/launchTemplate:LaunchTemplate").inputs
    (nic,) = lt["networkInterfaces"]
    assert (nic["interfaceType"], nic["deviceIndex"], nic["networkCardIndex"]) == ("efa", 0, 0)
    assert lt["placement"]["groupName"] == graph.named("eks-gpu-l4x4-efa-pg").outputs["name"]
    assert nic["securityGroups"] == [graph.one("aws:eks/cluster:Cluster").outputs["vpcConfig"][
        "clusterSecurityGroupId"]]
    assert graph.named("eks-gpu-l4x4-efa-pg").inputs["strategy"] == "cluster"
    assert "userData" in lt  # nodeadm RAID0 of the instance store
    efa = graph.named("eks-efa-device-plugin", "kubernetes:helm.sh/v3:Release").inputs
    assert (efa["chart"], efa["version"], efa["values"]["nodeSelector"]) == (
        "aws-efa-k8s-device-plugin", "v0.5.30", {"aiops.io/efa": "true"})
    lws_release = graph.named("eks-lws-lws", "kubernetes:helm.sh/v3:Release").inputs
    assert (lws_release["chart"], lws_release["version"]) == ("oci://registry.k8s.io/lws/charts/lws", "0.10.0")


def test_the_shared_cache_is_an_efs_claim(graph: ResourceGraph) -> None:
    (pvc,) = _children(graph, "eks-chat-large", "kubernetes:core/v1:PersistentVolumeClaim")
    assert pvc.inputs["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvc.inputs["spec"]["storageClassName"] == "aiops-efs-models"
    sc = graph.named("eks-efs-models", "kubernetes:storage.k8s.io/v1:StorageClass").inputs
    assert sc["provisioner"] == "efs.csi.aws.com" and sc["metadata"]["name"] == "aiops-efs-models"
    fs = graph.one("aws:efs/fileSystem:FileSystem").inputs
    assert fs["encrypted"] is True and fs["kmsKeyId"]
    sg = graph.named("eks-efs-sg").inputs
    assert [(r["fromPort"], r["toPort"]) for r in sg["ingress"]] == [(2049, 2049)]
    assert all("cidrBlocks" not in r for r in sg["ingress"])
    (pod,) = _pods(graph, "eks-chat-small")
    (models,) = [v for v in pod["spec"]["volumes"] if v["name"] == "models"]
    assert models["emptyDir"]["sizeLimit"] == "2Gi"  # node cache: the model + 20 %, whole GiB
