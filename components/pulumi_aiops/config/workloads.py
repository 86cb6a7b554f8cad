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
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError
from pulumi_aiops.contract import GpuClusterInput

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
]

#: The vLLM OpenAI-compatible server image, pinned.
DEFAULT_VLLM_IMAGE = "docker.io/vllm/vllm-openai:v0.11.0"
#: Registry prefixes model-server images may come from (after normalising Docker Hub names).
ALLOWED_REGISTRIES: tuple[str, ...] = ("docker.io/vllm/", "nvcr.io/nvidia/", "nvcr.io/nim/")

_DNS_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY_RE = re.compile(r"^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
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
    """CPU and memory per replica (requests = limits, Guaranteed QoS)."""

    model_config = ConfigDict(title="ModelServerResourcesArgs")

    cpu: str = Field("8", description="CPU cores. @default 8")
    memory: str = Field("64Gi", description="Memory. @default 64Gi")
    shm: str = Field("16Gi", description="/dev/shm size (tensor-parallel NCCL). @default 16Gi")

    @field_validator("cpu", "memory", "shm")
    @classmethod
    def _quantity(cls, v: str) -> str:
        if not _QUANTITY_RE.match(str(v)):
            raise ConfigValueError("is not a Kubernetes quantity, e.g. '8', '500m', '64Gi'")
        return str(v)


class ModelServerSpec(AiopsModel):
    """What a vLLM model server runs: the stack-config fields of a server, and (with ``cluster``)
    the args of :class:`~pulumi_aiops.workloads.ModelServer` (:class:`ModelServerArgsModel`)."""

    name: str | None = Field(
        None, description="Kubernetes name of the server (DNS label). @default the component's name")
    model: str = Field(description="Hugging Face model id or path, e.g. meta-llama/Llama-3.1-8B-Instruct. Required.")
    gpus: int = Field(1, ge=1, le=8, description="GPUs per replica (= tensor parallel size). @default 1")
    replicas: int = Field(1, ge=1, le=64, description="@default 1")
    image: str = Field(DEFAULT_VLLM_IMAGE, description=f"Pinned image. @default {DEFAULT_VLLM_IMAGE}")
    namespace: str | None = Field(None, description="Namespace created for the server. @default its name")
    port: int = Field(8000, ge=1024, le=65535, description="Container/service port. @default 8000")
    max_model_len: int | None = Field(None, ge=256, description="--max-model-len. @default the model's")
    extra_args: list[str] = Field(default_factory=list, description="More vLLM CLI args. @default []")
    hf_token_secret: str | None = Field(
        None, description="Existing Secret (key HF_TOKEN) for gated models. @default none")
    resources: ResourceRequests = Field(default_factory=ResourceRequests, description="@default 8 CPU, 64Gi")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Governance tags (owner, cost-center, …), put on the server's Kubernetes objects: as labels "
                    "where key and value are valid label syntax, else as annotations; never on the pod template "
                    "(a tag change must not restart GPU pods). In stack config they add to the governance tags. "
                    "@default {}")

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
                 "--download-dir", "--max-model-len")
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


class ModelServerConfig(ModelServerSpec):
    """A model server placed on a named cluster (``workloads.modelServers[]``)."""

    name: str = Field(description="Server name (DNS label), unique per cluster. Required.")
    cluster: str = Field(description="Name of a declared cluster (eks, coreweave, additionalClusters). Required.")


class WorkloadsConfig(AiopsModel):
    """Workloads, each placed on a named cluster."""

    model_servers: list[ModelServerConfig] = Field(
        default_factory=list, description="vLLM OpenAI-compatible servers. @default []")

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


def _max_gpus_per_node(cluster: Any) -> int:
    """The most GPUs one node of ``cluster``'s GPU pools has (0 without GPU pools)."""
    from pulumi_aiops.catalog import resolve

    if cluster.cloud == "coreweave":
        pools = [("coreweave", p.instance_type, p.gpu_spec) for p in cluster.node_pools]
    else:
        pools = [("aws", g.instance_type, g.gpu_spec) for g in getattr(cluster, "gpu_node_groups", [])]
    counts = []
    for cloud, itype, declared in pools:
        try:
            counts.append(resolve(cloud, itype, declared).gpu_count)
        except (KeyError, ValueError):  # the cluster's own validation reports unknown types
            continue
    return max(counts, default=0)


def check_workload_placement(platform: Any) -> None:
    """Every workload of ``platform`` (a ``PlatformConfig``) names a declared cluster whose GPU
    pools can hold one replica. Raises :class:`ConfigValueError` at the workload's key path."""
    clusters = {c.name: c for c in platform.clusters()}
    for i, s in enumerate(platform.workloads.model_servers):
        where = ("workloads", "modelServers", i)
        cluster = clusters.get(s.cluster)
        if cluster is None:
            raise ConfigValueError(
                f"is not a declared cluster; declared: {', '.join(clusters) or 'none'}",
                loc=(*where, "cluster"), value=s.cluster)
        per_node = _max_gpus_per_node(cluster)
        if per_node == 0:
            raise ConfigValueError(
                f"has no GPU node pools/groups, so the server could never be scheduled; add one to "
                f"cluster {s.cluster!r}", loc=(*where, "cluster"), value=s.cluster)
        if s.gpus > per_node:
            raise ConfigValueError(
                f"is more GPUs per replica than one node of cluster {s.cluster!r} has "
                f"(at most {per_node}); lower gpus or add a larger GPU pool",
                loc=(*where, "gpus"), value=s.gpus)
