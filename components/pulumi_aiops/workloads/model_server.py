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

**Fitting the node.** ``pool`` pins the server to one GPU pool of the cluster (a node selector on
the pool label); without it the server may land on any GPU pool with enough GPUs per node, so it
must fit the smallest of them. CPU and memory requests left out of ``resources`` are the
server's share of what a node of that pool leaves for workloads (``gpus / gpusPerNode`` of the
node's allocatable after the platform's DaemonSets, less 10 % headroom:
:mod:`pulumi_aiops.capacity`); given ones are checked against it, and ``replicas × gpus``
against the pool's ``maxNodes``. A request that cannot fit is a :class:`ConfigError` naming the
pool, what its node offers and the request, before anything is registered; a pool whose
``maxNodes`` is 0 is a warning (``aiops plan --strict`` makes it an error).

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
not for the whole cluster component.

Example::

    from pulumi_aiops.workloads import ModelServer

    ModelServer("chat", {"cluster": cluster, "model": "meta-llama/Llama-3.1-8B-Instruct", "gpus": 1,
                         "pool": "l4",  # optional: pin to the cluster's "l4" GPU pool
                         "tags": {"owner": "ml-platform", "cost-center": "cc-1"}})
    # reach it in-cluster at http://chat.chat.svc.cluster.local:8000/v1
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops import diagnostics
from pulumi_aiops.args import ModelServerArgs
from pulumi_aiops.config.base import ConfigValueError, validate_model
from pulumi_aiops.config.placement import FALLBACK_CPU, FALLBACK_MEMORY, ServerPlacement, place_server
from pulumi_aiops.config.workloads import ModelServerArgsModel, ModelServerSpec, ResourceRequests
from pulumi_aiops.contract import GPU_TAINT_KEY, GpuCluster, resolve_cluster

__all__ = ["GPU_RESOURCE", "TYPE_TOKEN", "ModelServer", "ModelServerArgs", "model_server_manifests", "tag_metadata"]

TYPE_TOKEN = "aiops:index:ModelServer"
#: The type token of 0.1.0, kept as an alias so no URN of a deployed stack changes.
OLD_TYPE_TOKEN = "aiops:workloads:ModelServer"
#: The extended resource the NVIDIA device plugin advertises (on EKS and on CKS).
GPU_RESOURCE = GPU_TAINT_KEY
_UID = 1000
_CACHE = "/cache"
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


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


def model_server_manifests(
    spec: ModelServerSpec, name: str, node_selector: dict[str, str],
    tolerations: list[dict[str, str]],
) -> dict[str, dict[str, Any]]:
    """The Kubernetes manifests of a model server, by kind (pure data, no resources).

    The only inputs that depend on the cluster are ``node_selector`` and ``tolerations``;
    ``spec.tags`` go on each object's metadata (see :func:`tag_metadata`), not on the pod template.
    Requests are ``spec.resources``, resolved against the pool by :class:`ModelServer` (a spec
    given here without them gets the unchecked fallback, 2 CPU / 8Gi / 2Gi shm).
    """
    ns = spec.namespace or name
    labels = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name,
              "app.kubernetes.io/component": "model-server",
              "app.kubernetes.io/managed-by": "pulumi-aiops"}
    tag_labels, tag_annotations, _ = tag_metadata(spec.tags)
    selector = {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name}
    res = spec.resources
    cpu, memory = res.cpu or FALLBACK_CPU, res.memory or FALLBACK_MEMORY
    amount = {"cpu": cpu, "memory": memory, GPU_RESOURCE: str(spec.gpus)}
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
            {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": res.shm or "2Gi"}},
        ],
    }
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": {**tag_labels, **labels}}
    if tag_annotations:
        meta["annotations"] = dict(tag_annotations)
    ns_meta: dict[str, Any] = {"name": ns, "labels": {
        **tag_labels, **labels,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest"}}
    if tag_annotations:
        ns_meta["annotations"] = dict(tag_annotations)
    return {
        "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": ns_meta},
        "ServiceAccount": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta,
                           "automountServiceAccountToken": False},
        "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {**meta, "annotations": {
                           **tag_annotations, "pulumi.com/timeoutSeconds": "2700"}},
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


class ModelServer(pulumi.ComponentResource):
    """A vLLM OpenAI-compatible server on a GPU cluster, identical on every cloud.

    Attributes: :attr:`namespace`, :attr:`deployment`, :attr:`service`, :attr:`endpoint`
    (the in-cluster ``http://<svc>.<ns>.svc.cluster.local:<port>/v1`` URL), ``cluster_name``,
    ``provider`` (the cluster's, or the one created from a ``GpuClusterRef``) and ``resources``
    (the requests per replica the server got: ``cpu``, ``memory``, ``shm``).
    """

    endpoint: pulumi.Output[str]
    """The in-cluster OpenAI-compatible URL, ``http://<server>.<namespace>.svc.cluster.local:<port>/v1``."""

    def __init__(self, name: str, args: ModelServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        if isinstance(raw, ModelServerArgsModel):
            spec = raw
        else:
            if not isinstance(raw, Mapping):
                from pulumi_aiops.errors import ConfigError

                raise ConfigError(f"ModelServer({name!r}): args must be a mapping (ModelServerArgs), "
                                  f"got {type(raw).__name__}")
            spec = validate_model(ModelServerArgsModel, dict(raw), f"ModelServer({name!r})")
        server = spec.name or name
        _, _, skipped = tag_metadata(spec.tags)
        for key in skipped:
            pulumi.log.warn(f"ModelServer({name!r}).tags: {key!r} is not a valid Kubernetes label key; "
                            "this tag is not put on the Kubernetes objects")
        # Before anything is registered: the pool exists and the requests fit a node of it.
        placement = _place(spec, f"ModelServer({name!r})")
        spec = spec.model_copy(update={"resources": ResourceRequests.model_validate(placement.resources())})
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self.resources = placement.resources()
        cluster = resolve_cluster(spec.cluster, self, name)
        self.cluster_name = cluster.cluster_name
        self.provider = cluster.provider
        docs = model_server_manifests(spec, server, {**cluster.gpu_node_selector, **placement.pool_selector},
                                      cluster.gpu_tolerations)
        k = pulumi.ResourceOptions(parent=self, provider=cluster.provider)

        # The first object waits for the cluster's readiness resources (control plane, GPU pools),
        # not for the whole cluster component; the rest wait for the Namespace.
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns", metadata=docs["Namespace"]["metadata"],
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=cluster.depends_on)))
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
        self.endpoint = pulumi.Output.from_input(f"http://{server}.{ns}.svc.cluster.local:{spec.port}/v1")
        self.register_outputs({"cluster": cluster.cluster_name, "cloud": cluster.cloud.value,
                               "namespace": ns, "endpoint": self.endpoint, "model": spec.model,
                               "gpus": spec.gpus * spec.replicas})
