"""Configuration of workloads placed on GPU clusters (``aiops:platform.workloads``).

Each workload names the cluster it runs on (``cluster``: the ``name`` of a cluster declared in
``eks``, ``coreweave`` or ``additionalClusters``); the platform config rejects unknown names.

Example stack config::

    aiops:platform:
      workloads:
        modelServers:
          - {name: chat, cluster: cw-gpu, model: meta-llama/Llama-3.1-8B-Instruct, gpus: 1}
          - {name: chat, cluster: eks-gpu, model: meta-llama/Llama-3.1-8B-Instruct, gpus: 1}
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.capacity import parse_cpu_millis, parse_memory_mib
from pulumi_aiops.config.base import AiopsModel, ConfigValueError
from pulumi_aiops.config.serving import (
    AutoscalingConfig,
    ModelCacheConfig,
    ModelRegistryRefInput,
    MultiNodeConfig,
    ServingAddonsConfig,
    ServingNetworkConfig,
    parse_model_ref,
)
from pulumi_aiops.contract import GpuClusterInput
from pulumi_aiops.images import VLLM_OPENAI

if TYPE_CHECKING:
    from pulumi_aiops.config.placement import ServerPlacement

__all__ = [
    "ALLOWED_REGISTRIES",
    "DEFAULT_VLLM_IMAGE",
    "ModelServerArgsModel",
    "ModelServerConfig",
    "ModelServerSpec",
    "ResourceRequests",
    "WorkloadsConfig",
    "check_image",
    "check_workload_placement",
    "placements",
    "workload_warnings",
]

#: The vLLM OpenAI-compatible server image, pinned by digest (``pulumi_aiops.images``).
DEFAULT_VLLM_IMAGE = VLLM_OPENAI.reference
#: Registry prefixes model-server images may come from (after normalising Docker Hub names).
ALLOWED_REGISTRIES: tuple[str, ...] = ("docker.io/vllm/", "nvcr.io/nvidia/", "nvcr.io/nim/")

_DNS_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY_RE = re.compile(r"^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
_CPU_RE = re.compile(r"^\d+(\.\d+)?m?$")
_DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}$")


def _normalise_image(image: str) -> str:
    first = image.split("/", 1)[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{image}"
    return image


def check_image(image: str, allowed: tuple[str, ...] | list[str] = ALLOWED_REGISTRIES) -> str:
    """``image`` normalised, if it is pinned (a tag other than latest, or a digest) and comes from
    an allowed registry; :class:`ConfigValueError` otherwise."""
    full = _normalise_image(image)
    if not any(full.startswith(p) for p in allowed):
        raise ConfigValueError(f"is not from an allowed registry; allowed: {', '.join(allowed)}")
    if _DIGEST_RE.search(full):
        return full
    name = full.rsplit("/", 1)[1]
    if ":" not in name:
        raise ConfigValueError("is not pinned; give an explicit version tag or @sha256 digest")
    if name.rsplit(":", 1)[1] in {"latest", "nightly", "main"}:
        raise ConfigValueError("uses a moving tag; pin an explicit version tag or @sha256 digest")
    return full


class ResourceRequests(AiopsModel):
    """CPU and memory per replica (requests = limits, Guaranteed QoS).

    Left out, each follows the pool the server runs on: its share of what one node leaves for
    workloads (``gpus / gpusPerNode`` of the node's allocatable CPU and memory after the
    platform's own DaemonSets, less 10 % headroom; see :mod:`pulumi_aiops.capacity`). Given, they
    are checked against what a node of the pool can offer.
    """

    model_config = ConfigDict(title="ModelServerResourcesArgs")

    cpu: str | None = Field(
        None, description="CPU cores, e.g. '4' or '3500m'. @default the server's share of a node of its pool")
    memory: str | None = Field(
        None, description="Memory, e.g. '16Gi'. @default the server's share of a node of its pool")
    shm: str | None = Field(
        None, description="/dev/shm size (tensor-parallel NCCL); memory-backed, so it counts against memory. "
                          "@default a quarter of memory, at most 16Gi")

    @field_validator("cpu", "memory", "shm")
    @classmethod
    def _quantity(cls, v: str | None) -> str | None:
        if v is not None and not _QUANTITY_RE.match(str(v)):
            raise ConfigValueError("is not a Kubernetes quantity, e.g. '8', '500m', '64Gi'")
        return None if v is None else str(v)

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v: str | None) -> str | None:
        if v is not None and (not _CPU_RE.match(v) or parse_cpu_millis(v) <= 0):
            raise ConfigValueError("is not a CPU quantity above 0, e.g. '4' or '3500m'")
        return v

    @field_validator("memory", "shm")
    @classmethod
    def _memory(cls, v: str | None) -> str | None:
        if v is not None and parse_memory_mib(v) < 1:
            raise ConfigValueError("is not a memory quantity of at least 1Mi, e.g. '16Gi'")
        return v


class ModelServerSpec(AiopsModel):
    """What a vLLM model server runs: the stack-config fields of a server, and (with ``cluster``)
    the args of :class:`~pulumi_aiops.workloads.ModelServer` (:class:`ModelServerArgsModel`)."""

    name: str | None = Field(
        None, description="Kubernetes name of the server (DNS label). @default the component's name")
    model: str = Field(
        description="The model: name@version, a version of the model registry (weights fetched from the registry, "
                    "verified, served offline); or, for development, a Hugging Face repo id such as "
                    "Qwen/Qwen2.5-7B-Instruct (downloaded from the internet at each start; pin revision). Required.")
    revision: str | None = Field(
        None, description="The commit (40 hex digits) of a Hugging Face repo model (development only). "
                          "@default none (the repo's main branch, a warning)")
    pool: str | None = Field(
        None,
        description="The GPU pool (EKS GPU node group or CKS NodePool name) the server runs on: pins it there with a "
                    "node selector (EKS aiops.io/node-pool, CKS compute.coreweave.com/node-pool). @default any GPU "
                    "pool of the cluster with enough GPUs per node; requests must then fit the smallest of them")
    gpus: int = Field(1, ge=1, le=8, description="GPUs per replica (= tensor parallel size). @default 1")
    replicas: int = Field(1, ge=1, le=64, description="@default 1")
    image: str = Field(
        DEFAULT_VLLM_IMAGE,
        description="Image: from an allowed registry, pinned by a version tag; give <tag>@sha256:<digest> "
        f"(policy k8s-image-digest-pinned refuses tag-only images). @default {DEFAULT_VLLM_IMAGE}")
    namespace: str | None = Field(None, description="Namespace created for the server. @default its name")
    port: int = Field(8000, ge=1024, le=65535, description="Container/service port. @default 8000")
    max_model_len: int | None = Field(None, ge=256, description="--max-model-len. @default the model's")
    extra_args: list[str] = Field(default_factory=list, description="More vLLM CLI args. @default []")
    hf_token_secret: str | None = Field(
        None, description="Existing Secret (key HF_TOKEN) for gated models. @default none")
    resources: ResourceRequests = Field(
        default_factory=ResourceRequests,
        description="CPU, memory and /dev/shm per replica. @default the server's share of a node of its pool")
    cache: ModelCacheConfig = Field(
        default_factory=ModelCacheConfig,
        description="Where a registry model's weights are cached on the nodes: node (the pod's local disk) or "
                    "shared (a ReadWriteMany volume). @default node")
    autoscaling: AutoscalingConfig | None = Field(
        None, description="Scale on inference load with KEDA (vLLM metrics from Prometheus); minReplicas 0 lets the "
                          "server sleep. @default none (replicas, fixed)")
    multi_node: MultiNodeConfig | None = Field(
        None, description="Serve a model bigger than one node: a LeaderWorkerSet of nodes pods per replica, tensor "
                          "parallel within a node and pipeline parallel across. @default none (one pod per replica)")
    network: ServingNetworkConfig | None = Field(
        None, description="Who may reach the server (the gateway's namespace, Prometheus) and where the weight fetch "
                          "may go. @default workloads.serving.network (stack config), else the defaults")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Governance tags (owner, cost-center, …), put on the server's Kubernetes objects: as labels "
                    "where key and value are valid label syntax, else as annotations; never on the pod template "
                    "(a tag change must not restart GPU pods). In stack config they add to the governance tags. "
                    "@default {}")

    @field_validator("model")
    @classmethod
    def _model(cls, v: str) -> str:
        if not v:
            raise ConfigValueError("is empty; give name@version (a model registry version) or a Hugging Face repo "
                                   "id, e.g. Qwen/Qwen2.5-7B-Instruct")
        parse_model_ref(v)
        return v

    @field_validator("revision")
    @classmethod
    def _revision(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[0-9a-f]{40}$", v):
            raise ConfigValueError("is not a commit id (40 lowercase hex digits); pin the exact revision")
        return v

    @model_validator(mode="after")
    def _serving(self) -> ModelServerSpec:
        ref = parse_model_ref(self.model)
        if ref.is_registry:
            if self.revision is not None:
                raise ConfigValueError("is only for a Hugging Face repo model; a registry version is pinned already",
                                       loc=("revision",), value=self.revision)
            if self.hf_token_secret is not None:
                raise ConfigValueError("is only for a Hugging Face repo model; a registry version never reaches "
                                       "Hugging Face", loc=("hfTokenSecret",), value=self.hf_token_secret)
        elif self.cache.mode.value != "node" or self.cache.size or self.cache.storage_class:
            raise ConfigValueError("is only for a registry model (name@version); a Hugging Face repo model downloads "
                                   "into the pod", loc=("cache",), value=self.cache.model_dump(by_alias=True))
        if self.autoscaling is not None and self.replicas != 1:
            raise ConfigValueError("is set by KEDA when autoscaling is on; set autoscaling.minReplicas and "
                                   "maxReplicas instead", loc=("replicas",), value=self.replicas)
        mn = self.multi_node
        if mn is not None:
            tp = mn.tensor_parallel or self.gpus
            pp = mn.pipeline_parallel or mn.nodes
            if tp * pp != mn.nodes * self.gpus:
                raise ConfigValueError(
                    f"× pipelineParallel ({pp}) is {tp * pp}, but the group has {mn.nodes} pods × {self.gpus} GPU(s) = "
                    f"{mn.nodes * self.gpus} GPUs; vLLM needs tensorParallel × pipelineParallel = nodes × gpus",
                    loc=("multiNode", "tensorParallel"), value=tp)
        return self

    def scale_limits(self) -> tuple[int, tuple[int | str, ...], int]:
        """``(replicas at most, key path of that number, pods per replica)``, for the capacity check."""
        nodes = self.multi_node.nodes if self.multi_node is not None else 1
        if self.autoscaling is not None:
            return self.autoscaling.max_replicas, ("autoscaling", "maxReplicas"), nodes
        return self.replicas, ("replicas",), nodes

    @field_validator("name", "namespace", "hf_token_secret")
    @classmethod
    def _dns(cls, v: str | None) -> str | None:
        if v is not None and (len(v) > 53 or not _DNS_LABEL_RE.match(v)):
            raise ConfigValueError("is not a DNS label of at most 53 lowercase letters, digits and '-'")
        return v

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        return check_image(v)

    @field_validator("extra_args")
    @classmethod
    def _args(cls, v: list[str]) -> list[str]:
        owned = ("--model", "--port", "--host", "--tensor-parallel-size", "--served-model-name",
                 "--download-dir", "--max-model-len", "--revision", "--pipeline-parallel-size",
                 "--gpu-memory-utilization", "--distributed-executor-backend")
        for i, a in enumerate(v):
            if a.split("=", 1)[0] in owned:
                raise ConfigValueError(f"is set by the component; remove it (owned flags: {', '.join(owned)})",
                                       loc=(i,), value=a)
        return v


class ModelServerArgsModel(ModelServerSpec):
    """A vLLM OpenAI-compatible server on a GPU cluster: the args of ModelServer."""

    model_config = ConfigDict(title="ModelServerArgs")

    cluster: GpuClusterInput = Field(
        description="The GPU cluster to run on: an EksGpuCluster or CoreWeaveGpuCluster object. At run time a "
                    "GpuClusterRef (or a mapping of one: cloud, clusterName, kubeconfig, gpuNodeSelector, …) is "
                    "accepted too, for a cluster from another program; the server then creates its own "
                    "Kubernetes provider from the kubeconfig. Required.")
    registry: ModelRegistryRefInput | None = Field(
        None, description="The model registry of a name@version model: a ModelRegistry, or its ref (registry.ref(), "
                          "by value: bucket, prefix, reader role, versions). @default none (required for name@version)")


class ModelServerConfig(ModelServerSpec):
    """A model server placed on a named cluster (``workloads.modelServers[]``)."""

    name: str = Field(description="Server name (DNS label), unique per cluster. Required.")
    cluster: str = Field(description="Name of a declared cluster (eks, coreweave, additionalClusters). Required.")


class WorkloadsConfig(AiopsModel):
    """Workloads, each placed on a named cluster."""

    model_servers: list[ModelServerConfig] = Field(
        default_factory=list, description="vLLM OpenAI-compatible servers. @default []")
    serving: ServingAddonsConfig = Field(
        default_factory=ServingAddonsConfig,
        description="Cluster-wide serving add-ons (KEDA, LeaderWorkerSet) and network boundaries of the servers. "
                    "@default the pinned charts, kube-prometheus-stack in monitoring, the gateway label")

    @model_validator(mode="after")
    def _unique(self) -> WorkloadsConfig:
        names: dict[tuple[str, str], int] = {}
        spaces: dict[tuple[str, str], int] = {}
        for i, s in enumerate(self.model_servers):
            key = (s.cluster, s.name)
            if key in names:
                raise ConfigValueError(
                    f"is already the name of modelServers[{names[key]}] on cluster {s.cluster!r}",
                    loc=("modelServers", i, "name"), value=s.name)
            names[key] = i
            ns = (s.cluster, s.namespace or s.name)
            if ns in spaces:
                raise ConfigValueError(
                    f"is already the namespace of modelServers[{spaces[ns]}] on cluster {s.cluster!r}; "
                    "each server gets its own namespace",
                    loc=("modelServers", i, "namespace"), value=ns[1])
            spaces[ns] = i
        return self


def _server_path(i: int, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    return ("workloads", "modelServers", i, *loc)


def check_workload_placement(platform: Any) -> None:
    """Every workload of ``platform`` (a ``PlatformConfig``) names a declared cluster and fits the
    nodes it is placed on (:mod:`pulumi_aiops.config.placement`): a model server's pool exists
    and can hold ``replicas × gpus``, its requests fit a node of the pool; a Qdrant store has
    system nodes to run on and its requests fit them. Raises :class:`ConfigValueError` at the
    workload's key path; warnings: :func:`workload_warnings`."""
    placements(platform)


def workload_warnings(platform: Any) -> list[tuple[str, Hashable]]:
    """``(message, key)`` of each warning of the workloads of a valid ``platform``, with the
    stack-config key path (``aiops:platform.workloads.modelServers[0].pool: …``)."""
    from pulumi_aiops.config.base import _render_path, _short
    from pulumi_aiops.config.placement import check_system_requests, system_pools_of

    out = []
    for i, placement in enumerate(placements(platform)):
        for f in placement.warnings:
            path = _render_path("aiops:platform", _server_path(i, f.loc))
            out.append((f"{path}: {_short(f.value)} {f.msg}", f.key))
        s = platform.workloads.model_servers[i]
        a = s.autoscaling
        if a is not None and a.min_replicas == 0:
            kept = [p for p in placement.pools if p.min_nodes > 0]
            if kept:
                path = _render_path("aiops:platform", _server_path(i, ("autoscaling", "minReplicas")))
                names = ", ".join(f"{p.pool} (minNodes {p.min_nodes})" for p in kept)
                out.append((f"{path}: 0 lets the server sleep, but its pool keeps GPU nodes running ({names}): set the "
                            "pool's minimum to 0 so the nodes follow the server down", ("asleep-on-warm-pool", s.name)))
    clusters = {c.name: c for c in platform.clusters()}
    for i, vs in enumerate(platform.vector_stores):
        q = getattr(vs, "qdrant", None)
        if q is None or q.cluster not in clusters:
            continue
        pools = system_pools_of(clusters[q.cluster])
        for msg in check_system_requests(q.resources.cpu, q.resources.memory, pools, cluster=q.cluster,
                                         loc_cpu=(), loc_mem=(), what="a Qdrant pod"):
            path = _render_path("aiops:platform", ("vectorStores", i, "qdrant", "resources", "memory"))
            out.append((f"{path}: {_short(q.resources.memory)} {msg}", ("tight-qdrant", q.cluster, vs.name)))
        unsized = [p for p in pools if p.budget is None]
        if unsized:
            path = _render_path("aiops:platform", ("vectorStores", i, "qdrant", "cluster"))
            names = ", ".join(f"{p.pool} ({p.instance_type})" for p in unsized)
            out.append((f"{path}: {q.cluster!r} has system nodes of a size this library does not know ({names}): "
                        "the Qdrant pod's requests are not checked against them", ("unsized-qdrant", vs.name)))
    return out


def check_serving(platform: Any, s: ModelServerConfig, placement: ServerPlacement, cluster: Any) -> None:
    """The serving options of server ``s`` agree with the stack: its registry version exists and fits the
    GPUs, the registry is on the server's cloud, a shared cache has a ReadWriteMany StorageClass, and
    KEDA only adds replicas a node pool can grow to take. Raises :class:`ConfigValueError` at the
    server's key."""
    from pulumi_aiops.config.serving import (
        CacheMode,
        RegistryStorage,
        check_cache_size,
        check_model_fits,
        resolve_model,
    )

    registry = platform.model_registry
    model = resolve_model(s, registry, "modelRegistry")
    if model is not None:
        check_model_fits(s, model, list(placement.pools))
        check_cache_size(s, model)
        on_cw = registry.storage is RegistryStorage.COREWEAVE
        if on_cw != (cluster.cloud == "coreweave"):
            where = "CoreWeave AI Object Storage" if on_cw else "S3"
            raise ConfigValueError(
                f"is kept in {where} (modelRegistry.storage {registry.storage.value}), which a server on cluster "
                f"{s.cluster!r} ({cluster.cloud}) cannot read with the platform's credentials; run the server on the "
                "registry's cloud", loc=("model",), value=s.model)
        if (s.cache.mode is CacheMode.SHARED and cluster.cloud == "aws" and s.cache.storage_class is None
                and not cluster.model_cache.efs.enabled):
            raise ConfigValueError(
                f"needs a ReadWriteMany StorageClass on cluster {s.cluster!r}: enable modelCache.efs on it, or set "
                "cache.storageClass (e.g. an FSx for Lustre class you run)", loc=("cache", "mode"), value="shared")
    if s.autoscaling is not None and cluster.cloud == "aws" and cluster.autoscaler.value == "none":
        raise ConfigValueError(
            f"needs nodes that follow the replicas, but cluster {s.cluster!r} runs no autoscaler (autoscaler: none): "
            "replicas KEDA adds beyond the groups' fixed size would stay Pending; set the cluster's autoscaler "
            "to cluster-autoscaler or drop autoscaling", loc=("autoscaling",), value=s.autoscaling.max_replicas)


def placements(platform: Any) -> list[ServerPlacement]:
    """The placement of each model server of ``platform``, in order (raises like
    :func:`check_workload_placement`)."""
    from pulumi_aiops.config.placement import check_system_requests, gpu_pools_of, place_server, system_pools_of

    clusters = {c.name: c for c in platform.clusters()}
    out = []
    for i, s in enumerate(platform.workloads.model_servers):
        cluster = clusters.get(s.cluster)
        if cluster is None:
            raise ConfigValueError(
                f"is not a declared cluster; declared: {', '.join(clusters) or 'none'}",
                loc=_server_path(i, ("cluster",)), value=s.cluster)
        try:
            placement = place_server(s, gpu_pools_of(cluster), cluster=s.cluster, cloud=cluster.cloud)
            check_serving(platform, s, placement, cluster)
            out.append(placement)
        except ConfigValueError as exc:
            raise ConfigValueError(exc.msg, loc=_server_path(i, exc.loc), value=exc.value) from None
    for i, vs in enumerate(platform.vector_stores):
        q = getattr(vs, "qdrant", None)
        if q is None or q.cluster not in clusters:
            continue  # the vector-store checks report a missing cluster
        cluster = clusters[q.cluster]
        where = ("vectorStores", i, "qdrant")
        pools = system_pools_of(cluster)
        if not pools:
            raise ConfigValueError(
                "is a CoreWeave cluster without cpuNodePools: every GPU NodePool carries the GPU taint, so Qdrant "
                f"would find no node; add a CPU pool to cluster {q.cluster!r} (cpuNodePools, e.g. "
                "{name: cpu, instanceType: cd-gp-i64-erapids, targetNodes: 1})",
                loc=(*where, "cluster"), value=q.cluster)
        check_system_requests(q.resources.cpu, q.resources.memory, pools, cluster=q.cluster,
                              loc_cpu=(*where, "resources", "cpu"), loc_mem=(*where, "resources", "memory"),
                              what="a Qdrant pod")
    return out
