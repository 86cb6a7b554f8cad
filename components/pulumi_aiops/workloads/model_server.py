"""A vLLM OpenAI-compatible model server on any GPU cluster, through the GPU-cluster contract.

:class:`ModelServer` takes a :class:`~pulumi_aiops.contract.GpuCluster` (never a cloud-specific
class) and creates the same Kubernetes objects on EKS or CoreWeave; only the provider and the
GPU node selector come from the cluster:

* a Namespace enforcing the ``restricted`` Pod Security Standard;
* a ServiceAccount without an automounted token;
* a Deployment: non-root, no privilege escalation, all capabilities dropped, read-only root
  filesystem (emptyDir volumes for caches and ``/dev/shm``), seccomp ``RuntimeDefault``,
  Guaranteed resources including ``nvidia.com/gpu``, a pinned image from an allowed registry;
* a ClusterIP Service (never a LoadBalancer: expose it through the gateway);
* a PodDisruptionBudget allowing one replica down at a time.

Example::

    from pulumi_aiops.workloads import ModelServer

    ModelServer("chat", cluster, {"model": "meta-llama/Llama-3.1-8B-Instruct", "gpus": 1})
    # reach it in-cluster at http://chat.chat.svc.cluster.local:8000/v1
"""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.workloads import ModelServerSpec, ResourceRequests
from pulumi_aiops.contract import GPU_TAINT_KEY, GpuCluster

__all__ = ["GPU_RESOURCE", "ModelServer", "ModelServerArgs", "model_server_manifests"]

#: The extended resource the NVIDIA device plugin advertises (on EKS and on CKS).
GPU_RESOURCE = GPU_TAINT_KEY
_UID = 1000
_CACHE = "/cache"


class ModelServerArgs(TypedDict, total=False):
    """Arguments of :class:`ModelServer` (snake_case or camelCase keys), validated with
    :class:`~pulumi_aiops.config.workloads.ModelServerSpec`."""

    name: str
    """Kubernetes name of the server (DNS label). @default the component's resource name"""
    model: str
    """Hugging Face model id or path. Required."""
    gpus: int
    """GPUs per replica, also vLLM's tensor parallel size. @default 1"""
    replicas: int
    """@default 1"""
    image: str
    """Pinned vLLM image from an allowed registry. @default docker.io/vllm/vllm-openai:v0.11.0"""
    namespace: str
    """Namespace the component creates for the server. @default the server name"""
    port: int
    """@default 8000"""
    max_model_len: int
    """vLLM --max-model-len. @default the model's"""
    extra_args: list[str]
    """More vLLM CLI arguments. @default []"""
    hf_token_secret: str
    """Name of an existing Secret in the namespace with key HF_TOKEN. @default none"""
    resources: dict[str, str] | ResourceRequests
    """CPU, memory and /dev/shm per replica. @default {cpu: 8, memory: 64Gi, shm: 16Gi}"""


def model_server_manifests(
    spec: ModelServerSpec, name: str, node_selector: dict[str, str],
    tolerations: list[dict[str, str]],
) -> dict[str, dict[str, Any]]:
    """The Kubernetes manifests of a model server, by kind (pure data, no resources).

    The only inputs that depend on the cluster are ``node_selector`` and ``tolerations``.
    """
    ns = spec.namespace or name
    labels = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name,
              "app.kubernetes.io/component": "model-server",
              "app.kubernetes.io/managed-by": "pulumi-aiops"}
    selector = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name}
    res = spec.resources
    amount = {"cpu": res.cpu, "memory": res.memory, GPU_RESOURCE: str(spec.gpus)}
    args = ["--model", spec.model, "--served-model-name", name, "--host", "0.0.0.0",
            "--port", str(spec.port), "--tensor-parallel-size", str(spec.gpus),
            "--download-dir", f"{_CACHE}/huggingface"]
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
    if spec.hf_token_secret:
        env.append({"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {
            "name": spec.hf_token_secret, "key": "HF_TOKEN"}}})
    probe_http = {"path": "/health", "port": "http"}
    container = {
        "name": "vllm",
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "args": args,
        "env": env,
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "resources": {"requests": dict(amount), "limits": dict(amount)},
        "startupProbe": {"httpGet": probe_http, "periodSeconds": 10, "failureThreshold": 180},
        "readinessProbe": {"httpGet": probe_http, "periodSeconds": 10, "failureThreshold": 3},
        "livenessProbe": {"httpGet": probe_http, "periodSeconds": 20, "failureThreshold": 3},
        "securityContext": {
            "runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID,
            "allowPrivilegeEscalation": False, "privileged": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "cache", "mountPath": _CACHE},
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "shm", "mountPath": "/dev/shm"},
        ],
    }
    pod_spec = {
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
        "volumes": [
            {"name": "cache", "emptyDir": {}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
            {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": res.shm}},
        ],
    }
    meta = {"name": name, "namespace": ns, "labels": labels}
    return {
        "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {
            **labels,
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest"}}},
        "ServiceAccount": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta,
                           "automountServiceAccountToken": False},
        "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {**meta, "annotations": {"pulumi.com/timeoutSeconds": "2700"}},
                       "spec": {
                           "replicas": spec.replicas,
                           "revisionHistoryLimit": 5,
                           # GPUs are scarce: replace in place rather than surge an extra replica.
                           "strategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
                           "selector": {"matchLabels": selector},
                           "template": {"metadata": {"labels": labels}, "spec": pod_spec}}},
        "Service": {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {
            "type": "ClusterIP", "selector": selector,
            "ports": [{"name": "http", "port": spec.port, "targetPort": "http", "protocol": "TCP"}]}},
        "PodDisruptionBudget": {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                "metadata": meta, "spec": {
                                    "maxUnavailable": 1, "selector": {"matchLabels": selector}}},
    }


class ModelServer(pulumi.ComponentResource):
    """A vLLM OpenAI-compatible server on a :class:`GpuCluster`, identical on every cloud.

    Attributes: :attr:`namespace`, :attr:`deployment`, :attr:`service`, :attr:`endpoint`
    (the in-cluster ``http://<svc>.<ns>.svc.cluster.local:<port>/v1`` URL).
    """

    def __init__(self, name: str, cluster: GpuCluster, args: ModelServerArgs | ModelServerSpec,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(cluster, GpuCluster):
            raise TypeError(f"ModelServer({name!r}): cluster must be a GpuCluster, got {type(cluster).__name__}")
        spec = args if isinstance(args, ModelServerSpec) else validate_model(
            ModelServerSpec, dict(args), f"ModelServer({name!r})")
        server = spec.name or name
        super().__init__("aiops:workloads:ModelServer", name, None, opts)
        self.cluster_name = cluster.cluster_name
        docs = model_server_manifests(spec, server, cluster.gpu_node_selector, cluster.gpu_tolerations)
        k = pulumi.ResourceOptions(parent=self, provider=cluster.provider)

        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns", metadata=docs["Namespace"]["metadata"],
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[cluster])))
        after_ns = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.namespace]))
        sa = docs["ServiceAccount"]
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa", metadata=sa["metadata"],
            automount_service_account_token=sa["automountServiceAccountToken"], opts=after_ns)
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment", metadata=docs["Deployment"]["metadata"],
            spec=docs["Deployment"]["spec"],
            opts=pulumi.ResourceOptions.merge(
                after_ns, pulumi.ResourceOptions(depends_on=[self.service_account])))
        self.service = k8s.core.v1.Service(
            f"{name}-svc", metadata=docs["Service"]["metadata"], spec=docs["Service"]["spec"],
            opts=after_ns)
        self.pdb = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb", metadata=docs["PodDisruptionBudget"]["metadata"],
            spec=docs["PodDisruptionBudget"]["spec"], opts=after_ns)
        ns = docs["Namespace"]["metadata"]["name"]
        self.endpoint = f"http://{server}.{ns}.svc.cluster.local:{spec.port}/v1"
        self.register_outputs({"cluster": cluster.cluster_name, "cloud": cluster.cloud.value,
                               "namespace": ns, "endpoint": self.endpoint, "model": spec.model,
                               "gpus": spec.gpus * spec.replicas})
