"""A vLLM OpenAI-compatible model server on any GPU cluster, through the GPU-cluster contract.

:class:`ModelServer` takes a :class:`~pulumi_aiops.contract.GpuCluster` (never a cloud-specific
class) and creates the same Kubernetes objects on EKS or CoreWeave; only the provider, the GPU node
selector and the registry access come from the cluster:

* a Namespace enforcing the ``restricted`` Pod Security Standard, with a **default-deny
  NetworkPolicy** and explicit allows only: DNS; the LLM gateway's namespace (by its labels,
  ``network.gatewayNamespaceLabels``) and the Prometheus pods (for ``/metrics``) to the server's port;
  the weight fetch to the registry (443; EKS Pod Identity's agent; CoreWeave's LOTA on 80); a
  multi-node group's pods to one another. No other namespace reaches a server. A NetworkPolicy
  applies to a whole pod, so vLLM's container could reach what the fetch may: serving stays offline
  by ``HF_HUB_OFFLINE=1`` and a local ``--model``; to make it a network guarantee too, give the VPC an
  S3 interface endpoint and narrow ``network.egressCidrs`` to the VPC's CIDR;
* a ServiceAccount without an automounted token;
* a Deployment (or, with ``multiNode``, a LeaderWorkerSet): non-root, no privilege escalation, all
  capabilities dropped, read-only root filesystem, seccomp ``RuntimeDefault``, Guaranteed resources
  including ``nvidia.com/gpu``, a pinned image from an allowed registry; rolling updates start the
  new replica before the old one goes (``maxSurge: 1``, ``maxUnavailable: 0``);
* a ClusterIP Service (never a LoadBalancer: expose it through the gateway);
* a PodDisruptionBudget allowing one replica down at a time;
* with ``autoscaling``, a KEDA ``ScaledObject``.

**Models from the registry** (``model: name@version``, with ``registry``: a
:class:`~pulumi_aiops.model_registry.ModelRegistry` or its ref). The version's manifest goes into an
immutable ConfigMap (``<server>-model-<version>``), pinned by its SHA-256 in the pod template; two
init containers run the registry tool (``model_weights.py``, shipped in the ConfigMap
``<server>-weights-tool``) in the server's own image: ``fetch-weights`` downloads the files missing
from the cache (S3 with a read-only role through EKS Pod Identity, mounted for that container only;
CoreWeave Object Storage through LOTA with a reader's access key), hashing each as it streams and
moving it into place only when its digest matches; ``verify-weights`` then re-hashes the cache,
mounted read-only, against the manifest, and fails the pod on any mismatch, missing or extra file.
vLLM then serves the verified directory with ``HF_HUB_OFFLINE=1``: serving never reaches the
internet. Changing ``model`` to another version changes the Deployment's pod template and the
manifest ConfigMap only, and rolls out one replica at a time with no capacity lost. A Hugging Face
repo id (``model: org/name``, ``revision``) is still accepted for development: vLLM downloads it at
every start (egress on 443).

**The weight cache** (``cache.mode``): ``node``, the pod's own ``emptyDir`` on the node's local disk
(local NVMe where the GPU group sets ``localStorage: raid0``; every CoreWeave node puts ``emptyDir``
on local NVMe): the fastest reads and nothing shared to pay for, kept across container restarts, but
a new pod fills it again from the registry. Kubernetes' ``restricted`` profile forbids ``hostPath``,
so a cache that outlives the pod on the node would need local PersistentVolumes. ``shared``, one
ReadWriteMany claim for all replicas (EFS ``aiops-efs-models`` on EKS from ``eks.modelCache.efs``,
or FSx for Lustre through your own ``storageClass``; ``shared-vast`` on CoreWeave): filled once;
later pods, rollouts and new nodes only verify it; costs the file system and reads at its
throughput.

**Autoscaling on inference load** (``autoscaling``): KEDA scales the server on vLLM's own metrics
from Prometheus: ``vllm:num_requests_waiting`` per replica (``metric: queue``) or the p90 of
``vllm:time_to_first_token_seconds`` (``metric: ttft``), with a cooldown before each scale-down.
``minReplicas: 0`` lets a server sleep; the gateway's requests for it (``litellm_deployment_total_requests``
by ``api_base``) wake it. The GPU pools follow: a Pending replica makes cluster-autoscaler (EKS,
node-template tags count shared GPUs as the device plugin advertises them) or CKS's autoscaler add a
node; the config check refuses ``maxReplicas`` the pool cannot hold. **Cold start** of a sleeping
server, in order: a GPU node from zero (instance launch and boot, minutes), the image pull (vLLM's
image is several GB; once per node), filling the cache (nothing with a warm shared cache; else the
model's size at the registry's throughput), verifying it (hashing the model, about a second per
GB per core), then vLLM loading the weights and capturing CUDA graphs. The startup probe allows 30
minutes. Requests sent meanwhile fail or wait at the gateway (its retries and fallbacks decide).

**GPU sharing.** On a pool whose GPUs are time-sliced, a server gets one slice and
``--gpu-memory-utilization`` of 0.9 divided by the replicas per GPU (no memory isolation); on a MIG
pool, one MIG instance. **Multi-node** (``multiNode``): a LeaderWorkerSet of ``nodes`` pods per
replica, vLLM's tensor parallelism inside a pod and pipeline parallelism across, Ray as the
executor; each pod requests the pool's fabric (``vpc.amazonaws.com/efa`` interfaces on an EFA
group, ``rdma/ib`` on a CoreWeave InfiniBand pool). The stock vLLM image runs NCCL over TCP; an
image with the fabric's NCCL plugin (aws-ofi-nccl for EFA) goes in ``multiNode.image``.

**Fitting the node.** ``pool`` pins the server to one GPU pool of the cluster (a node selector on
the pool label); without it the server may land on any GPU pool with enough GPUs per node, so it
must fit the smallest of them. CPU and memory requests left out of ``resources`` are the
server's share of what a node of that pool leaves for workloads (``gpus / gpusPerNode`` of the
node's allocatable after the platform's DaemonSets, less 10 % headroom:
:mod:`pulumi_aiops.capacity`); given ones are checked against it, and ``replicas × gpus`` (or
``autoscaling.maxReplicas``) against the pool's ``maxNodes``; a registry model's weights must fit the
GPU memory a replica gets. A request that cannot fit is a :class:`ConfigError` naming the pool, what
its node offers and the request, before anything is registered; a pool whose ``maxNodes`` is 0 is a
warning (``aiops plan --strict`` makes it an error).

Tags (``args["tags"]``, the governance tags in a stack) go on every object's metadata: as
labels where key and value are valid Kubernetes label syntax (so cost tools can aggregate by
them, e.g. by Namespace label), else as annotations; a key that is not a valid label key is
skipped with a warning. They are not put on the pod template, so changing a tag never restarts
the GPU pods; the component's own labels win over a tag of the same key.

The cluster (``args["cluster"]``) is a :class:`~pulumi_aiops.contract.GpuCluster` object, or a
:class:`~pulumi_aiops.contract.GpuClusterRef` (the contract's values and a kubeconfig, e.g. from
another program); with a ref the server creates its own Kubernetes provider (``<name>-k8s``).
The Namespace waits for the cluster's readiness resources
(:meth:`~pulumi_aiops.contract.GpuCluster.workload_dependencies`: the control plane and GPU pools),
not for the whole cluster component. With an S3 registry on an ``EksGpuCluster``, the server adds
the Pod Identity association of its namespace and service account with the registry's reader role.

Example::

    from pulumi_aiops.model_registry import ModelRegistry
    from pulumi_aiops.workloads import ModelServer

    ModelServer("chat", {"cluster": cluster, "registry": registry, "model": "qwen2.5-0.5b-instruct@2024-09-19",
                         "pool": "l4",  # optional: pin to the cluster's "l4" GPU pool
                         "autoscaling": {"min_replicas": 0, "max_replicas": 4},
                         "tags": {"owner": "ml-platform", "cost-center": "cc-1"}})
    # reach it in-cluster at http://chat.chat.svc.cluster.local:8000/v1 (from the gateway's namespace)
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import hashlib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops import diagnostics
from pulumi_aiops.args import ModelServerArgs
from pulumi_aiops.catalog import Cloud
from pulumi_aiops.config.base import ConfigValueError, component_args
from pulumi_aiops.config.placement import FALLBACK_CPU, FALLBACK_MEMORY, ServerPlacement, place_server
from pulumi_aiops.config.serving import (
    AutoscalingMetric,
    CacheMode,
    ModelRegistryRef,
    ModelVersionConfig,
    RegistryStorage,
    ServingNetworkConfig,
    cache_size,
    check_cache_size,
    check_model_fits,
    gpu_memory_utilization,
    resolve_model,
)
from pulumi_aiops.config.workloads import ModelServerArgsModel, ModelServerSpec, ResourceRequests
from pulumi_aiops.contract import GPU_TAINT_KEY, GpuCapacity, GpuCluster, resolve_cluster
from pulumi_aiops.workloads.network import allow, allow_dns, default_deny

__all__ = ["GPU_RESOURCE", "TYPE_TOKEN", "ModelServer", "ModelServerArgs", "ServingPlan", "model_server_manifests",
           "tag_metadata", "weights_tool_source"]

TYPE_TOKEN = "aiops:index:ModelServer"
#: The type token of 0.1.0, kept as an alias so no URN of a deployed stack changes.
OLD_TYPE_TOKEN = "aiops:workloads:ModelServer"
#: The extended resource the NVIDIA device plugin advertises (on EKS and on CKS).
GPU_RESOURCE = GPU_TAINT_KEY
#: What the EFA device plugin advertises; what a CoreWeave InfiniBand pod requests (the RDMA device
#: plugin's slot, ``rdma/ib: 1`` grants the node's HCAs; a common convention on CKS, not confirmed in
#: CoreWeave's documentation: check ``kubectl describe node`` on an InfiniBand node).
EFA_RESOURCE = "vpc.amazonaws.com/efa"
IB_RESOURCE = "rdma/ib"
#: EKS Pod Identity: the agent's credentials endpoint (link-local, on every node), the token's
#: audience, and where the EKS webhook mounts the token (EKS user guide, "EKS Pod Identity").
POD_IDENTITY_AGENT_URI = "http://169.254.170.23/v1/credentials"
POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32"
POD_IDENTITY_AUDIENCE = "pods.eks.amazonaws.com"
_POD_TOKEN_DIR = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"
_POD_TOKEN_FILE = "eks-pod-identity-token"
#: LeaderWorkerSet's API and the label marking a group's leader (the Service selects it).
LWS_API_VERSION = "leaderworkerset.x-k8s.io/v1"
LWS_ROLE_LABEL = "aiops.io/lws-role"
#: vLLM's multi-node launcher in the vllm-openai image (/vllm-workspace is the image's workdir; the
#: LWS vLLM example, kubernetes-sigs/lws docs/examples/vllm/GPU/lws.yaml at v0.10.0, runs it).
_MULTI_NODE_SCRIPT = "/vllm-workspace/examples/online_serving/multi-node-serving.sh"
_UID = 1000
_CACHE = "/cache"
_MODELS = "/models"
_TOOL_DIR = "/opt/aiops"
_MANIFEST_DIR = "/etc/aiops/model"
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


@cache
def weights_tool_source() -> str:
    """The registry tool (``model_weights.py``) as shipped in the ``<server>-weights-tool`` ConfigMap."""
    return resources.files("pulumi_aiops.workloads").joinpath("model_weights.py").read_text()


def tag_metadata(tags: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Split ``tags`` into Kubernetes ``(labels, annotations, skipped keys)``.

    A tag is a label when its key is a valid label key (optional DNS-subdomain prefix, at most
    253 characters) and its value a valid label value (at most 63 characters, alphanumerics,
    ``-_.``); an annotation when only the key is valid; skipped otherwise.
    """
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    skipped: list[str] = []
    for key, value in tags.items():
        prefix, _, short = key.rpartition("/")
        if len(key) > 253 or len(prefix) > 253 or len(short) > 63 or not _LABEL_KEY_RE.match(key):
            skipped.append(key)
        elif _LABEL_VALUE_RE.match(value):
            labels[key] = value
        else:
            annotations[key] = value
    return labels, annotations, skipped


@dataclass(frozen=True)
class ServingPlan:
    """What a server's manifests need beyond its spec, resolved by :class:`ModelServer` before
    anything is registered (pure data: :func:`model_server_manifests` builds dicts from it)."""

    #: The registry version the server runs (``None``: a Hugging Face repo model, development).
    model: ModelVersionConfig | None = None
    registry: ModelRegistryRef | None = None
    cloud: Cloud = Cloud.AWS
    #: The pool the server is pinned to (its GPU sharing and fabric), if any.
    pool: GpuCapacity | None = None
    network: ServingNetworkConfig = field(default_factory=ServingNetworkConfig)
    #: StorageClass of a shared cache; the cache volume's size.
    storage_class: str | None = None
    cache_size: str | None = None
    #: The region (AWS) or zone (CoreWeave) of the registry, for the S3 client (may be an Output).
    registry_region: Any = None

    @property
    def gpu_memory_utilization(self) -> float | None:
        return gpu_memory_utilization(self.pool) if self.pool is not None and self.pool.gpu_sharing != "none" else None

    @property
    def rdma(self) -> tuple[str, int] | None:
        """The fabric device a multi-node pod requests: EFA interfaces, or the InfiniBand HCA slot."""
        if self.pool is None:
            return None
        if self.pool.rdma == "efa" and self.pool.rdma_devices:
            return (EFA_RESOURCE, self.pool.rdma_devices)
        if self.pool.rdma == "infiniband":
            return (IB_RESOURCE, 1)
        return None


def _version_slug(version: str) -> str:
    """A version label as a DNS-label fragment (lowercase, '.'/'_' as '-'), with a short hash when
    that changed it (so 1.0 and 1-0 stay distinct)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", version.lower()).strip("-")[:40] or "v"
    if slug != version:
        slug = f"{slug}-{hashlib.sha256(version.encode()).hexdigest()[:6]}"
    return slug


def _security_context() -> dict[str, Any]:
    return {"runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID, "allowPrivilegeEscalation": False,
            "privileged": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}


def _weights_containers(spec: ModelServerSpec, plan: ServingPlan, model: ModelVersionConfig,
                        image: str) -> list[dict[str, Any]]:
    """The init containers of a registry model: fetch into the cache, then verify it."""
    reg = plan.registry
    assert reg is not None
    target = f"{_MODELS}/{model.name}/{model.version}"
    manifest = f"{_MANIFEST_DIR}/manifest.json"
    small = {"cpu": "1", "memory": "2Gi"}
    base_mounts = [{"name": "weights-tool", "mountPath": _TOOL_DIR, "readOnly": True},
                   {"name": "manifest", "mountPath": _MANIFEST_DIR, "readOnly": True},
                   {"name": "tmp", "mountPath": "/tmp"}]
    env: list[dict[str, Any]] = [{"name": "HOME", "value": "/tmp"}, {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"}]
    if plan.registry_region is not None:
        env.append({"name": "AWS_REGION", "value": plan.registry_region})
    fetch_mounts = [{"name": "models", "mountPath": _MODELS}, *base_mounts]
    env_from: list[dict[str, Any]] = []
    pod_identity: list[str] = []
    if reg.storage is RegistryStorage.COREWEAVE:
        env += [{"name": "AIOPS_REGISTRY_ENDPOINT", "value": reg.endpoint_url or ""},
                {"name": "AIOPS_REGISTRY_ADDRESSING", "value": "virtual"}]
        env_from = [{"secretRef": {"name": reg.credentials_secret}}]
    elif plan.cloud is Cloud.AWS:
        # EKS Pod Identity, for this container only: an audience-bound token (pods.eks.amazonaws.com,
        # useless against the Kubernetes API) exchanged with the node's Pod Identity agent.
        pod_identity = ["--pod-identity-uri", POD_IDENTITY_AGENT_URI,
                        "--pod-identity-token-file", f"{_POD_TOKEN_DIR}/{_POD_TOKEN_FILE}"]
        fetch_mounts.append({"name": "registry-token", "mountPath": _POD_TOKEN_DIR, "readOnly": True})
    fetch: dict[str, Any] = {
        "name": "fetch-weights", "image": image, "imagePullPolicy": "IfNotPresent",
        "command": ["python3", f"{_TOOL_DIR}/model_weights.py", "fetch", "--manifest", manifest,
                    "--manifest-sha256", model.manifest_sha256(), "--dir", target,
                    "--bucket", reg.bucket, "--prefix", model.key_prefix(reg.prefix), *pod_identity],
        "env": env, "resources": {"requests": dict(small), "limits": dict(small)},
        "securityContext": _security_context(), "volumeMounts": fetch_mounts}
    if env_from:
        fetch["envFrom"] = env_from
    verify = {
        "name": "verify-weights", "image": image, "imagePullPolicy": "IfNotPresent",
        "command": ["python3", f"{_TOOL_DIR}/model_weights.py", "verify", "--manifest", manifest,
                    "--manifest-sha256", model.manifest_sha256(), "--dir", target],
        "env": [{"name": "HOME", "value": "/tmp"}, {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"}],
        "resources": {"requests": dict(small), "limits": dict(small)},
        "securityContext": _security_context(),
        "volumeMounts": [{"name": "models", "mountPath": _MODELS, "readOnly": True}, *base_mounts]}
    return [fetch, verify]


def _network_policies(name: str, ns: str, spec: ModelServerSpec, plan: ServingPlan,
                      meta_labels: dict[str, str], selector: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Default deny in the server's namespace, then: DNS; the gateway's namespace and Prometheus
    to the server's port; the weight fetch to the registry; a multi-node group's pods to each other."""
    net = plan.network
    port = [{"protocol": "TCP", "port": spec.port}]
    gateway = {"namespaceSelector": {"matchLabels": dict(net.gateway_namespace_labels)}}
    prometheus = {"namespaceSelector": {"matchLabels": dict(net.prometheus.namespace_labels)},
                  "podSelector": {"matchLabels": dict(net.prometheus.pod_labels)}}
    # A multi-node group serves (and exports metrics) from its leader only.
    serving = {**selector, LWS_ROLE_LABEL: "leader"} if spec.multi_node is not None else selector
    docs = [
        default_deny(ns, meta_labels), allow_dns(ns, meta_labels),
        allow("allow-gateway", ns, pod_labels=serving, ingress=[{"from": [gateway], "ports": port}],
              labels=meta_labels),
        allow("allow-prometheus", ns, pod_labels=serving, ingress=[{"from": [prometheus], "ports": port}],
              labels=meta_labels),
    ]
    egress: list[dict[str, Any]] = [{"to": [{"ipBlock": {"cidr": c}} for c in net.egress_cidrs],
                                     "ports": [{"protocol": "TCP", "port": 443}]}]
    reg = plan.registry
    if plan.model is not None and reg is not None:
        if reg.storage is RegistryStorage.COREWEAVE:  # LOTA answers plain HTTP inside CKS
            egress[0]["ports"].append({"protocol": "TCP", "port": 80})
        elif plan.cloud is Cloud.AWS:
            egress.append({"to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT_CIDR}}],
                           "ports": [{"protocol": "TCP", "port": 80}]})
    docs.append(allow("allow-registry" if plan.model is not None else "allow-model-download", ns,
                      pod_labels=selector, egress=egress, labels=meta_labels))
    if spec.multi_node is not None:
        group = [{"podSelector": {"matchLabels": dict(selector)}}]
        docs.append(allow("allow-group", ns, pod_labels=selector, ingress=[{"from": group}],
                          egress=[{"to": group}], labels=meta_labels))
    return {f"NetworkPolicy/{d['metadata']['name']}": d for d in docs}


def _scaled_object(name: str, ns: str, spec: ModelServerSpec, plan: ServingPlan, meta: dict[str, Any],
                   target: dict[str, str]) -> dict[str, Any]:
    """The KEDA ScaledObject of an autoscaled server (keda.sh/v1alpha1)."""
    a = spec.autoscaling
    assert a is not None
    who = f'namespace="{ns}",model_name="{name}"'
    if a.metric is AutoscalingMetric.QUEUE:
        trigger = {"type": "prometheus", "name": "vllm-queue", "metricType": "AverageValue", "metadata": {
            "serverAddress": plan.network.prometheus.address,
            "query": f"sum(vllm:num_requests_waiting{{{who}}})",
            "threshold": f"{a.effective_target:g}"}}
    else:
        trigger = {"type": "prometheus", "name": "vllm-ttft", "metricType": "Value", "metadata": {
            "serverAddress": plan.network.prometheus.address,
            "query": (f"histogram_quantile(0.9, sum by (le) "
                      f"(rate(vllm:time_to_first_token_seconds_bucket{{{who}}}[2m])))"),
            "threshold": f"{a.effective_target:g}"}}
    triggers = [trigger]
    if a.min_replicas == 0:
        # Asleep, the server exports nothing: the gateway's requests for it wake it.
        triggers.append({"type": "prometheus", "name": "gateway-requests", "metricType": "AverageValue", "metadata": {
            "serverAddress": plan.network.prometheus.address,
            "query": (f'sum(rate(litellm_deployment_total_requests_total{{api_base=~"http://{name}\\\\.{ns}\\\\.svc.*"}}'
                      "[2m]))"),
            "threshold": "1", "activationThreshold": "0"}})
    return {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": meta, "spec": {
        "scaleTargetRef": target,
        "minReplicaCount": a.min_replicas, "maxReplicaCount": a.max_replicas,
        "pollingInterval": a.polling_seconds, "cooldownPeriod": a.cooldown_seconds,
        "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {
            "scaleDown": {"stabilizationWindowSeconds": a.cooldown_seconds,
                          "policies": [{"type": "Pods", "value": 1, "periodSeconds": 120}]},
            "scaleUp": {"stabilizationWindowSeconds": 0,
                        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}},
        "triggers": triggers}}


def model_server_manifests(
    spec: ModelServerSpec, name: str, node_selector: dict[str, str],
    tolerations: list[dict[str, str]], plan: ServingPlan | None = None,
) -> dict[str, dict[str, Any]]:
    """The Kubernetes manifests of a model server, by kind (pure data, no resources).

    The only inputs that depend on the cluster are ``node_selector``, ``tolerations`` and ``plan``
    (the registry version, the pool's sharing and fabric, network boundaries, the cache); ``spec.tags``
    go on each object's metadata (see :func:`tag_metadata`), not on the pod template. Requests are
    ``spec.resources``, resolved against the pool by :class:`ModelServer` (a spec given here without
    them gets the unchecked fallback, 2 CPU / 8Gi / 2Gi shm). Keys are kinds, ``Kind/name`` where a
    server has several (``NetworkPolicy/default-deny``, ``ConfigMap/manifest``).
    """
    plan = plan or ServingPlan()
    model = plan.model
    ns = spec.namespace or name
    labels = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name,
              "app.kubernetes.io/component": "model-server",
              "app.kubernetes.io/managed-by": "pulumi-aiops"}
    tag_labels, tag_annotations, _ = tag_metadata(spec.tags)
    selector = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name}
    res = spec.resources
    cpu, memory = res.cpu or FALLBACK_CPU, res.memory or FALLBACK_MEMORY
    amount = {"cpu": cpu, "memory": memory, GPU_RESOURCE: str(spec.gpus)}
    mn = spec.multi_node
    if mn is not None and plan.rdma is not None:
        amount[plan.rdma[0]] = str(plan.rdma[1])
    if model is not None:
        model_path = f"{_MODELS}/{model.name}/{model.version}"
        args = ["--model", model_path, "--served-model-name", name, "--host", "0.0.0.0", "--port", str(spec.port)]
    else:
        args = ["--model", spec.model, "--served-model-name", name, "--host", "0.0.0.0",
                "--port", str(spec.port), "--download-dir", f"{_CACHE}/huggingface"]
        if spec.revision is not None:
            args += ["--revision", spec.revision]
    if mn is not None:
        args += ["--tensor-parallel-size", str(mn.tensor_parallel or spec.gpus),
                 "--pipeline-parallel-size", str(mn.pipeline_parallel or mn.nodes),
                 "--distributed-executor-backend", "ray"]
    else:
        args += ["--tensor-parallel-size", str(spec.gpus)]
    if plan.gpu_memory_utilization is not None:
        args += ["--gpu-memory-utilization", f"{plan.gpu_memory_utilization:g}"]
    if spec.max_model_len is not None:
        args += ["--max-model-len", str(spec.max_model_len)]
    args += spec.extra_args
    env: list[dict[str, Any]] = [
        {"name": "HOME", "value": "/tmp"},
        {"name": "HF_HOME", "value": f"{_CACHE}/huggingface"},
        {"name": "XDG_CACHE_HOME", "value": _CACHE},
        {"name": "VLLM_CACHE_ROOT", "value": f"{_CACHE}/vllm"},
        {"name": "TRITON_CACHE_DIR", "value": f"{_CACHE}/triton"},
        {"name": "TORCHINDUCTOR_CACHE_DIR", "value": f"{_CACHE}/torchinductor"},
        {"name": "NUMBA_CACHE_DIR", "value": f"{_CACHE}/numba"},
        {"name": "OUTLINES_CACHE_DIR", "value": f"{_CACHE}/outlines"},
        {"name": "HF_HUB_DISABLE_TELEMETRY", "value": "1"},
        {"name": "VLLM_NO_USAGE_STATS", "value": "1"},
        {"name": "DO_NOT_TRACK", "value": "1"},
    ]
    if model is not None:
        # The weights are verified on local disk: serving never reaches the internet.
        env += [{"name": "HF_HUB_OFFLINE", "value": "1"}, {"name": "TRANSFORMERS_OFFLINE", "value": "1"}]
    if spec.hf_token_secret:
        env.append({"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {
            "name": spec.hf_token_secret, "key": "HF_TOKEN"}}})
    image = spec.image
    probe_http = {"path": "/health", "port": "http"}
    mounts: list[dict[str, Any]] = [
        {"name": "cache", "mountPath": _CACHE},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "shm", "mountPath": "/dev/shm"},
    ]
    if model is not None:
        mounts.insert(0, {"name": "models", "mountPath": _MODELS, "readOnly": True})
    container = {
        "name": "vllm",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": args,
        "env": env,
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "resources": {"requests": dict(amount), "limits": dict(amount)},
        "startupProbe": {"httpGet": probe_http, "periodSeconds": 10, "failureThreshold": 180},
        "readinessProbe": {"httpGet": probe_http, "periodSeconds": 10, "failureThreshold": 3},
        "livenessProbe": {"httpGet": probe_http, "periodSeconds": 20, "failureThreshold": 3},
        "securityContext": _security_context(),
        "volumeMounts": mounts,
    }
    volumes: list[dict[str, Any]] = [
        {"name": "cache", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": res.shm or "2Gi"}},
    ]
    init: list[dict[str, Any]] = []
    docs: dict[str, dict[str, Any]] = {}
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": {**tag_labels, **labels}}
    if tag_annotations:
        meta["annotations"] = dict(tag_annotations)
    pod_annotations: dict[str, str] = {}
    if model is not None:
        assert plan.registry is not None
        tool_name, manifest_name = f"{name}-weights-tool", f"{name}-model-{_version_slug(model.version)}"
        init = _weights_containers(spec, plan, model, image)
        if spec.cache.mode is CacheMode.SHARED:
            volumes.append({"name": "models", "persistentVolumeClaim": {"claimName": f"{name}-models"}})
            docs["PersistentVolumeClaim"] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
                                             "spec": {"accessModes": ["ReadWriteMany"],
                                                      "storageClassName": plan.storage_class,
                                                      "resources": {"requests": {"storage": plan.cache_size}}}}
        else:
            volumes.append({"name": "models", "emptyDir": {"sizeLimit": plan.cache_size}})
        volumes += [{"name": "weights-tool", "configMap": {"name": tool_name}},
                    {"name": "manifest", "configMap": {"name": manifest_name}}]
        if plan.registry.storage is not RegistryStorage.COREWEAVE and plan.cloud is Cloud.AWS:
            volumes.append({"name": "registry-token", "projected": {"sources": [{"serviceAccountToken": {
                "audience": POD_IDENTITY_AUDIENCE, "expirationSeconds": 86400, "path": _POD_TOKEN_FILE}}]}})
        docs["ConfigMap/weights-tool"] = {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {**meta, "name": tool_name},
                                          "data": {"model_weights.py": weights_tool_source()}}
        docs["ConfigMap/manifest"] = {
            "apiVersion": "v1", "kind": "ConfigMap", "immutable": True,
            "metadata": {**meta, "name": manifest_name, "annotations": {
                **meta.get("annotations", {}), "aiops.io/model": model.ref,
                "aiops.io/model-manifest-sha256": model.manifest_sha256()}},
            "data": {"manifest.json": model.manifest_bytes().decode()}}
        pod_annotations = {"aiops.io/model": model.ref, "aiops.io/model-manifest-sha256": model.manifest_sha256()}
    elif spec.revision is not None:
        pod_annotations = {"aiops.io/model": f"{spec.model}@{spec.revision}"}
    pod_spec: dict[str, Any] = {
        "serviceAccountName": name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID, "fsGroup": _UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "nodeSelector": dict(node_selector),
        "tolerations": [dict(t) for t in tolerations],
        "terminationGracePeriodSeconds": 60,
        "containers": [container],
        "volumes": volumes,
    }
    if init:
        pod_spec["initContainers"] = init
    ns_meta: dict[str, Any] = {"name": ns, "labels": {
        **tag_labels, **labels,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest"}}
    if tag_annotations:
        ns_meta["annotations"] = dict(tag_annotations)
    template_meta: dict[str, Any] = {"labels": labels}
    if pod_annotations:
        template_meta["annotations"] = pod_annotations
    workload_meta = {**meta, "annotations": {**tag_annotations, "pulumi.com/timeoutSeconds": "2700"}}
    docs["Namespace"] = {"apiVersion": "v1", "kind": "Namespace", "metadata": ns_meta}
    docs["ServiceAccount"] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta,
                              "automountServiceAccountToken": False}
    if mn is None:
        dep_spec: dict[str, Any] = {
            "revisionHistoryLimit": 5,
            # A version change starts the new replica before the old one goes: no capacity lost
            # (the pool needs room for one more replica while it rolls).
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "selector": {"matchLabels": selector},
            "template": {"metadata": template_meta, "spec": pod_spec}}
        if spec.autoscaling is None:
            dep_spec = {"replicas": spec.replicas, **dep_spec}
        docs["Deployment"] = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": workload_meta,
                              "spec": dep_spec}
        service_selector = selector
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    else:
        docs["LeaderWorkerSet"] = _leader_worker_set(spec, name, workload_meta, labels, template_meta, pod_spec,
                                                     container)
        service_selector = {**selector, LWS_ROLE_LABEL: "leader"}
        target = {"apiVersion": LWS_API_VERSION, "kind": "LeaderWorkerSet", "name": name}
    docs["Service"] = {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {
        "type": "ClusterIP", "selector": service_selector,
        "ports": [{"name": "http", "port": spec.port, "targetPort": "http", "protocol": "TCP"}]}}
    docs["PodDisruptionBudget"] = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                   "metadata": meta, "spec": {
                                       "maxUnavailable": 1, "selector": {"matchLabels": selector}}}
    docs.update(_network_policies(name, ns, spec, plan, {**tag_labels, **labels}, selector))
    if spec.autoscaling is not None:
        docs["ScaledObject"] = _scaled_object(name, ns, spec, plan, meta, target)
    return docs


def _leader_worker_set(spec: ModelServerSpec, name: str, meta: dict[str, Any], labels: dict[str, str],
                       template_meta: dict[str, Any], pod_spec: dict[str, Any],
                       container: dict[str, Any]) -> dict[str, Any]:
    """A LeaderWorkerSet (leaderworkerset.x-k8s.io/v1): per replica, a leader that runs the Ray head
    and the OpenAI server, and ``nodes - 1`` workers that join its Ray cluster (vLLM's
    examples/online_serving/multi-node-serving.sh, as LWS's vLLM example runs it)."""
    mn = spec.multi_node
    assert mn is not None
    image = mn.image or spec.image
    serve = shlex.join(["python3", "-m", "vllm.entrypoints.openai.api_server", *container["args"]])
    leader_c = {**container, "image": image, "args": None, "command": [
        "sh", "-c", f"bash {_MULTI_NODE_SCRIPT} leader --ray_cluster_size=$(LWS_GROUP_SIZE); exec {serve}"]}
    leader_c = {k: v for k, v in leader_c.items() if v is not None}
    worker_c = {k: v for k, v in container.items() if k not in ("args", "startupProbe", "readinessProbe",
                                                                "livenessProbe", "ports")}
    worker_c["image"] = image
    worker_c["command"] = ["sh", "-c", f"bash {_MULTI_NODE_SCRIPT} worker --ray_address=$(LWS_LEADER_ADDRESS)"]

    def template(role: str, c: dict[str, Any]) -> dict[str, Any]:
        init = [{**i, "image": image} for i in pod_spec.get("initContainers", [])]
        spec_ = {**pod_spec, "containers": [c]}
        if init:
            spec_["initContainers"] = init
        return {"metadata": {**template_meta, "labels": {**labels, LWS_ROLE_LABEL: role}}, "spec": spec_}

    body: dict[str, Any] = {
        "startupPolicy": "LeaderCreated",
        "rolloutStrategy": {"type": "RollingUpdate",
                            "rollingUpdateConfiguration": {"maxSurge": 1, "maxUnavailable": 0}},
        "leaderWorkerTemplate": {
            "size": mn.nodes, "restartPolicy": "RecreateGroupOnPodRestart",
            "leaderTemplate": template("leader", leader_c),
            "workerTemplate": template("worker", worker_c)}}
    if spec.autoscaling is None:
        body = {"replicas": spec.replicas, **body}
    return {"apiVersion": LWS_API_VERSION, "kind": "LeaderWorkerSet", "metadata": meta, "spec": body}


def _place(spec: ModelServerArgsModel, where: str) -> ServerPlacement:
    """:func:`~pulumi_aiops.config.placement.place_server` on the cluster's capacity, with
    errors as :class:`ConfigError` under ``where`` and warnings given once per run."""
    from pulumi_aiops.config.base import _render_path, _short
    from pulumi_aiops.errors import ConfigError

    value: Any = spec.cluster
    pools = list(value.gpu_capacity)
    known = isinstance(value, GpuCluster) or bool(pools)
    name = value.cluster_name
    try:
        placement = place_server(spec, pools, cluster=name, cloud=value.cloud, capacity_known=known)
    except ConfigValueError as exc:
        raise ConfigError(f"{_render_path(where, exc.loc)}: {_short(exc.value)} {exc.msg}") from None
    for f in placement.warnings:
        diagnostics.warn(f"{_render_path(where, f.loc)}: {_short(f.value)} {f.msg}", key=f.key)
    return placement


def shared_cache_size(spec: ModelServerSpec, model: ModelVersionConfig, registry: ModelRegistryRef) -> str:
    """A shared cache's size: ``cache.size``, or room for two versions of the model's largest
    version in the registry (a rollout holds old and new), so changing the version a server runs
    never resizes its volume."""
    if spec.cache.size:
        return str(spec.cache.size)
    largest = max(m.total_bytes for m in registry.models if m.name == model.name)
    return f"{max(-(-int(largest * 2.2) // 2**30), 1)}Gi"


def plan_serving(spec: ModelServerSpec, placement: ServerPlacement, *, cloud: Cloud | str,
                 registry: ModelRegistryRef | None, network: ServingNetworkConfig | None = None,
                 registry_path: str = "registry") -> ServingPlan:
    """Resolve what the manifests need and check it, before anything is registered: the model
    version exists in the registry and fits the GPU memory a replica gets, the cache is big enough,
    the registry can be read from this cloud, a shared cache has a StorageClass. Raises
    :class:`ConfigValueError` at the server's key."""
    c = Cloud(cloud)
    model = resolve_model(spec, registry, registry_path)
    pool = placement.pools[0] if spec.pool is not None and placement.pools else None
    if model is not None:
        assert registry is not None
        check_model_fits(spec, model, list(placement.pools))
        check_cache_size(spec, model)
        on_cw = registry.storage is RegistryStorage.COREWEAVE
        if on_cw != (c is Cloud.COREWEAVE):
            where = "CoreWeave AI Object Storage" if on_cw else "S3"
            raise ConfigValueError(
                f"is kept in {where}, which a server on {c.value} cannot read with the platform's credentials (EKS Pod "
                "Identity on AWS, an object-storage access key on CoreWeave); use a registry on the server's cloud",
                loc=("model",), value=spec.model)
    storage_class = spec.cache.storage_class
    size: str | None = None
    if model is not None and registry is not None:
        if spec.cache.mode is CacheMode.SHARED:
            storage_class = storage_class or (SHARED_STORAGE_CLASS[c])
            size = shared_cache_size(spec, model, registry)
        else:
            size = cache_size(spec, model)
    if spec.multi_node is not None and pool is not None and pool.rdma == "none":
        diagnostics.warn(
            f"{spec.name or spec.model}: multiNode on pool {pool.pool!r} ({pool.instance_type}) without EFA or "
            "InfiniBand: NCCL runs over TCP between the nodes (set efa: true on an EKS group, or use an InfiniBand "
            "CoreWeave type)",
            key=("no-rdma", spec.name or spec.model))
    return ServingPlan(model=model, registry=registry, cloud=c, pool=pool,
                       network=spec.network or network or ServingNetworkConfig(), storage_class=storage_class,
                       cache_size=size, registry_region=registry.region if registry is not None else None)


#: The ReadWriteMany StorageClass a shared cache uses by default on each cloud: the EFS class of
#: ``eks.modelCache.efs``, CoreWeave Distributed File Storage (docs.coreweave.com, "Manage Storage
#: Volumes": ``storageClassName: shared-vast`` on CKS).
SHARED_STORAGE_CLASS: dict[Cloud, str] = {Cloud.AWS: "aiops-efs-models", Cloud.COREWEAVE: "shared-vast"}


class ModelServer(pulumi.ComponentResource):
    """A vLLM OpenAI-compatible server on a GPU cluster, identical on every cloud.

    Attributes: :attr:`namespace`, :attr:`deployment` (``None`` with ``multiNode``: see
    ``leader_worker_set``), :attr:`service`, :attr:`endpoint` (the in-cluster
    ``http://<svc>.<ns>.svc.cluster.local:<port>/v1`` URL), ``cluster_name``, ``provider`` (the
    cluster's, or the one created from a ``GpuClusterRef``), ``resources`` (the requests per replica
    the server got: ``cpu``, ``memory``, ``shm``), ``network_policies`` (by name), ``scaled_object``,
    ``model`` (the :class:`~pulumi_aiops.config.serving.ModelVersionConfig` it runs, or ``None``).
    """

    endpoint: pulumi.Output[str]
    """The in-cluster OpenAI-compatible URL, ``http://<server>.<namespace>.svc.cluster.local:<port>/v1``."""

    def __init__(self, name: str, args: ModelServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        from pulumi_aiops.config.base import _render_path, _short
        from pulumi_aiops.errors import ConfigError

        raw: Any = args
        where = f"ModelServer({name!r})"
        spec = component_args(ModelServerArgsModel, raw, where)
        server = spec.name or name
        _, _, skipped = tag_metadata(spec.tags)
        for key in skipped:
            pulumi.log.warn(f"{where}.tags: {key!r} is not a valid Kubernetes label key; "
                            "this tag is not put on the Kubernetes objects")
        # Before anything is registered: the pool exists, the requests fit a node of it, the model
        # version exists and fits the GPUs.
        placement = _place(spec, where)
        try:
            plan = plan_serving(spec, placement, cloud=spec.cluster.cloud, registry=spec.registry)
        except ConfigValueError as exc:
            raise ConfigError(f"{_render_path(where, exc.loc)}: {_short(exc.value)} {exc.msg}") from None
        spec = spec.model_copy(update={"resources": ResourceRequests.model_validate(placement.resources())})
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self.resources = placement.resources()
        self.model = plan.model
        cluster = resolve_cluster(spec.cluster, self, name)
        self.cluster_name = cluster.cluster_name
        self.provider = cluster.provider
        docs = model_server_manifests(spec, server, {**cluster.gpu_node_selector, **placement.pool_selector},
                                      cluster.gpu_tolerations, plan)
        k = pulumi.ResourceOptions(parent=self, provider=cluster.provider)

        # The first object waits for the cluster's readiness resources (control plane, GPU pools),
        # not for the whole cluster component; the rest wait for the Namespace.
        # A component's depends_on does not reach its children: pass it to the first one (everything
        # else waits for the Namespace), e.g. the KEDA or LeaderWorkerSet controller whose CRDs we use.
        given: Any = opts.depends_on if opts is not None else None
        extra = [given] if isinstance(given, pulumi.Resource) else [
            r for r in (given if isinstance(given, list | tuple) else []) if isinstance(r, pulumi.Resource)]
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns", metadata=docs["Namespace"]["metadata"],
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[*cluster.depends_on, *extra])))
        after_ns = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.namespace]))
        sa = docs["ServiceAccount"]
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa", metadata=sa["metadata"],
            automount_service_account_token=sa["automountServiceAccountToken"], opts=after_ns)
        # Default deny first: the server's pods never exist without their policies.
        self.network_policies: dict[str, k8s.networking.v1.NetworkPolicy] = {}
        for key, doc in docs.items():
            if key.startswith("NetworkPolicy/"):
                np_name = doc["metadata"]["name"]
                self.network_policies[np_name] = k8s.networking.v1.NetworkPolicy(
                    f"{name}-np-{np_name}", metadata=doc["metadata"], spec=doc["spec"], opts=after_ns)
        workload_deps: list[pulumi.Resource] = [self.service_account, *self.network_policies.values()]
        if "ConfigMap/weights-tool" in docs:
            tool, manifest = docs["ConfigMap/weights-tool"], docs["ConfigMap/manifest"]
            workload_deps.append(k8s.core.v1.ConfigMap(
                f"{name}-weights-tool", metadata=tool["metadata"], data=tool["data"], opts=after_ns))
            # Named by the version (immutable): a version change creates the new one before the old goes.
            self.manifest_config_map = k8s.core.v1.ConfigMap(
                f"{name}-model-manifest", metadata=manifest["metadata"], data=manifest["data"], immutable=True,
                opts=after_ns)
            workload_deps.append(self.manifest_config_map)
        if "PersistentVolumeClaim" in docs:
            pvc = docs["PersistentVolumeClaim"]
            workload_deps.append(k8s.core.v1.PersistentVolumeClaim(
                f"{name}-models", metadata=pvc["metadata"], spec=pvc["spec"],
                opts=pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(
                    custom_timeouts=pulumi.CustomTimeouts(create="30m")))))
        if plan.model is not None and plan.registry is not None and plan.registry.reader_role_arn is not None:
            self._registry_access(name, spec, docs["Namespace"]["metadata"]["name"], server, plan.registry, where)
        workload = pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(depends_on=workload_deps))
        self.deployment: k8s.apps.v1.Deployment | None = None
        self.leader_worker_set: k8s.apiextensions.CustomResource | None = None
        if "Deployment" in docs:
            self.deployment = k8s.apps.v1.Deployment(
                f"{name}-deployment", metadata=docs["Deployment"]["metadata"],
                spec=docs["Deployment"]["spec"], opts=workload)
            target: pulumi.Resource = self.deployment
        else:
            lws = docs["LeaderWorkerSet"]
            self.leader_worker_set = k8s.apiextensions.CustomResource(
                f"{name}-lws", api_version=lws["apiVersion"], kind=lws["kind"], metadata=lws["metadata"],
                spec=lws["spec"], opts=workload)
            target = self.leader_worker_set
        self.service = k8s.core.v1.Service(
            f"{name}-svc", metadata=docs["Service"]["metadata"], spec=docs["Service"]["spec"],
            opts=after_ns)
        self.pdb = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb", metadata=docs["PodDisruptionBudget"]["metadata"],
            spec=docs["PodDisruptionBudget"]["spec"], opts=after_ns)
        self.scaled_object: k8s.apiextensions.CustomResource | None = None
        if "ScaledObject" in docs:
            so = docs["ScaledObject"]
            self.scaled_object = k8s.apiextensions.CustomResource(
                f"{name}-scaledobject", api_version=so["apiVersion"], kind=so["kind"], metadata=so["metadata"],
                spec=so["spec"], opts=pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(
                    depends_on=[target])))
        ns = docs["Namespace"]["metadata"]["name"]
        self.endpoint = pulumi.Output.from_input(f"http://{server}.{ns}.svc.cluster.local:{spec.port}/v1")
        model_ref = plan.model.ref if plan.model is not None else (
            f"{spec.model}@{spec.revision}" if spec.revision else spec.model)
        nodes = spec.multi_node.nodes if spec.multi_node is not None else 1
        self.register_outputs({"cluster": cluster.cluster_name, "cloud": cluster.cloud.value,
                               "namespace": ns, "endpoint": self.endpoint, "model": model_ref,
                               "modelManifestSha256": plan.model.manifest_sha256() if plan.model else None,
                               "gpus": spec.gpus * spec.replicas * nodes,
                               "autoscaling": spec.autoscaling.model_dump(by_alias=True, mode="json")
                               if spec.autoscaling else None})

    def _registry_access(self, name: str, spec: ModelServerArgsModel, ns: str, sa: str, registry: ModelRegistryRef,
                         where: str) -> None:
        """The registry's read-only role for this server's pods, through EKS Pod Identity."""
        cluster: Any = spec.cluster
        control_plane = getattr(cluster, "control_plane", None)
        if control_plane is None:
            diagnostics.warn(
                f"{where}.registry: the cluster is given by value, so the server cannot create the EKS Pod Identity "
                f"association itself: associate the registry's reader role with {ns}/{sa} on the cluster "
                "(EksGpuCluster.workload_role or aws.eks.PodIdentityAssociation)", key=("pod-identity", name))
            return
        import pulumi_aws as aws

        self.registry_access = aws.eks.PodIdentityAssociation(
            f"{name}-registry-read", cluster_name=control_plane.cluster_name, namespace=ns, service_account=sa,
            role_arn=registry.reader_role_arn, tags={k: v for k, v in spec.tags.items()} or None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[control_plane.pod_identity_agent]))
