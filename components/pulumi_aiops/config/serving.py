"""Model serving as a platform capability: models as versioned artifacts and how servers run them.

**Model versions** (``modelRegistry.models[]``): a model version is a manifest naming the model
(``name``, ``version``), its source (a Hugging Face repo pinned to a commit), every file with its
size and SHA-256, its licence and its intended use. The registry stores it beside the weights
(``<prefix><name>/<version>/manifest.json``); a server takes ``model: name@version`` and gets
exactly those bytes, verified before vLLM starts.

**A server's serving options** (fields of ``workloads.modelServers[]`` and of ``ModelServer``):

* ``cache``: where the weights live on the node (``node``: the pod's own ``emptyDir`` on the
  node's local disk; ``shared``: a ReadWriteMany volume every replica mounts);
* ``autoscaling``: KEDA scales the server on vLLM's own metrics read from Prometheus;
* ``multiNode``: a model bigger than one node, served by a LeaderWorkerSet with tensor and
  pipeline parallelism;
* ``network``: who may reach the server (the LLM gateway's namespace, Prometheus).

**Cluster-wide serving add-ons** (``workloads.serving``): the KEDA and LeaderWorkerSet charts
(pinned) and where Prometheus and the gateway live.

Example stack config::

    aiops:platform:
      modelRegistry:
        models:
          - name: qwen2.5-0.5b-instruct
            version: "2024-09-19"
            source: {huggingFace: {repo: Qwen/Qwen2.5-0.5B-Instruct,
                                   revision: 7ae557604adf67be50417f59c2c2f167def9a775}}
            license: apache-2.0
            intendedUse: internal chat assistants; not for medical or legal advice
            files: [{path: model.safetensors, sizeBytes: 988097824, sha256: fdf756fa…}, …]
      workloads:
        modelServers:
          - {name: chat, cluster: eks, pool: l4, model: qwen2.5-0.5b-instruct@2024-09-19,
             autoscaling: {minReplicas: 0, maxReplicas: 4}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import ConfigDict, Field, GetCoreSchemaHandler, field_validator, model_validator
from pydantic_core import core_schema

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known

__all__ = [
    "DEFAULT_GATEWAY_NAMESPACE_LABELS",
    "DEFAULT_PROMETHEUS_ADDRESS",
    "KEDA_CHART",
    "KEDA_CHART_VERSION",
    "KEDA_REPO",
    "LWS_CHART",
    "LWS_CHART_VERSION",
    "MANIFEST_SCHEMA",
    "VLLM_GPU_MEMORY_UTILIZATION",
    "AutoscalingConfig",
    "AutoscalingMetric",
    "CacheMode",
    "HuggingFaceSourceConfig",
    "ModelCacheConfig",
    "ModelFileConfig",
    "ModelRef",
    "ModelRegistryConfig",
    "ModelRegistryRef",
    "ModelRegistryRefInput",
    "ModelSourceConfig",
    "ModelVersionConfig",
    "MultiNodeConfig",
    "PrometheusConfig",
    "RegistryStorage",
    "ServingAddonsConfig",
    "ServingNetworkConfig",
    "parse_model_ref",
]

#: KEDA's official chart (kedacore/charts, ``keda/Chart.yaml`` at tag v2.20.2, commit cbb9bb8;
#: the repository index lists keda-2.20.2.tgz with digest db60b1fa…).
KEDA_REPO = "https://kedacore.github.io/charts"
KEDA_CHART = "keda"
KEDA_CHART_VERSION = "2.20.2"
#: LeaderWorkerSet's official chart, published as an OCI artifact (kubernetes-sigs/lws
#: ``site/content/en/docs/installation/_index.md`` at tag v0.10.0, commit 2161f38:
#: ``helm install lws oci://registry.k8s.io/lws/charts/lws --version=0.10.0``).
LWS_CHART = "oci://registry.k8s.io/lws/charts/lws"
LWS_CHART_VERSION = "0.10.0"
#: Where kube-prometheus-stack's Prometheus answers in-cluster (release ``kube-prometheus-stack`` in
#: namespace ``monitoring``: the chart names the service ``<release>-prometheus``, port 9090).
DEFAULT_PROMETHEUS_ADDRESS = "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090"
#: The label the LLM gateway's namespace carries; only pods of namespaces with it reach a server.
DEFAULT_GATEWAY_NAMESPACE_LABELS: dict[str, str] = {"aiops.io/llm-gateway": "true"}
#: vLLM's default ``--gpu-memory-utilization`` (vllm/config/cache.py ``gpu_memory_utilization: 0.9``).
VLLM_GPU_MEMORY_UTILIZATION = 0.9
MANIFEST_SCHEMA = "aiops.io/model-manifest/v1"

_MODEL_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")
_VERSION_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})?$")
_HF_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_REVISION_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SPDX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
_PREFIX_RE = re.compile(r"^([A-Za-z0-9!_.*'()-]+/)+$")
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_QUANTITY_RE = re.compile(r"^\d+(Mi|Gi|Ti)$")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


def _labels(v: dict[str, str]) -> dict[str, str]:
    for k, val in v.items():
        if not _LABEL_KEY_RE.match(k) or len(k) > 253:
            raise ConfigValueError("is not a valid Kubernetes label key", loc=(k,), value=k)
        if not _LABEL_VALUE_RE.match(val):
            raise ConfigValueError("is not a valid Kubernetes label value", loc=(k,), value=val)
    return v


# -- model versions ---------------------------------------------------------------------------
class HuggingFaceSourceConfig(AiopsModel):
    """A Hugging Face model repository pinned to one commit."""

    repo: str = Field(description="Repository id, e.g. Qwen/Qwen2.5-0.5B-Instruct. Required.")
    revision: str = Field(description="The commit (40 hex digits) the files were taken from; a branch or tag "
                                      "could move. Required.")

    @field_validator("repo")
    @classmethod
    def _repo(cls, v: str) -> str:
        if not _HF_REPO_RE.match(v):
            raise ConfigValueError("is not a Hugging Face repository id (<org>/<name>)")
        return v

    @field_validator("revision")
    @classmethod
    def _revision(cls, v: str) -> str:
        if not _REVISION_RE.match(v):
            raise ConfigValueError("is not a commit id (40 lowercase hex digits); pin the revision the files were "
                                   "taken from, not a branch or tag that can move")
        return v


class ModelSourceConfig(AiopsModel):
    """Where a model version's files came from."""

    hugging_face: HuggingFaceSourceConfig = Field(description="A Hugging Face repo and revision. Required.")


class ModelFileConfig(AiopsModel):
    """One file of a model version."""

    path: str = Field(description="Path relative to the model directory, e.g. model.safetensors. Required.")
    size_bytes: int = Field(ge=0, description="Size in bytes. Required.")
    sha256: str = Field(description="SHA-256 of the file, 64 lowercase hex digits. Required.")

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        p = PurePosixPath(v)
        if not v or p.is_absolute() or ".." in p.parts or "\\" in v or v.startswith(".aiops"):
            raise ConfigValueError("is not a relative path inside the model directory")
        return v

    @field_validator("sha256")
    @classmethod
    def _sha(cls, v: str) -> str:
        if not _SHA256_RE.match(v):
            raise ConfigValueError("is not a SHA-256 digest (64 lowercase hex digits)")
        return v


class ModelVersionConfig(AiopsModel):
    """One version of a model: the manifest the registry stores beside its weights."""

    name: str = Field(description="Model name (lowercase letters, digits, '.', '-'), e.g. qwen2.5-0.5b-instruct. "
                                  "Required.")
    version: str = Field(description="Version label, e.g. 2024-09-19 or 3; name@version is how a server refers to "
                                     "it. Required.")
    source: ModelSourceConfig = Field(description="Where the files came from. Required.")
    license: str = Field(description="The model's licence (an SPDX id or the repo's licence tag, e.g. apache-2.0). "
                                     "Required.")
    intended_use: str = Field(min_length=1, max_length=1000,
                              description="What the model may be used for (and not), as reviewed. Required.")
    files: list[ModelFileConfig] = Field(min_length=1, description="Every file of the version. Required.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _MODEL_NAME_RE.match(v):
            raise ConfigValueError("is not a model name (1-63 lowercase letters, digits, '.' and '-')")
        return v

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if not _VERSION_RE.match(v):
            raise ConfigValueError("is not a version label (1-63 letters, digits, '.', '_' and '-')")
        return v

    @field_validator("license")
    @classmethod
    def _license(cls, v: str) -> str:
        if not _SPDX_RE.match(v):
            raise ConfigValueError("is not a licence id (e.g. apache-2.0, mit, llama3.1)")
        return v

    @field_validator("files")
    @classmethod
    def _files(cls, v: list[ModelFileConfig]) -> list[ModelFileConfig]:
        seen: dict[str, int] = {}
        for i, f in enumerate(v):
            if f.path in seen:
                raise ConfigValueError(f"is already files[{seen[f.path]}]", loc=(i, "path"), value=f.path)
            seen[f.path] = i
        if not any(f.path.endswith(_WEIGHT_SUFFIXES) for f in v):
            raise ConfigValueError(f"lists no weights file ({', '.join(_WEIGHT_SUFFIXES)})",
                                   value=[f.path for f in v])
        return v

    @property
    def ref(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"

    @property
    def total_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def weights_bytes(self) -> int:
        """Bytes of the weight files: what must fit in GPU memory (the declared size)."""
        return sum(f.size_bytes for f in self.files if f.path.endswith(_WEIGHT_SUFFIXES))

    @property
    def weights_gib(self) -> float:
        return self.weights_bytes / 2**30

    def manifest(self) -> dict[str, Any]:
        """The manifest document (what ``model_weights.py`` reads)."""
        hf = self.source.hugging_face
        return {
            "schema": MANIFEST_SCHEMA, "name": self.name, "version": self.version,
            "source": {"type": "huggingface", "repo": hf.repo, "revision": hf.revision},
            "license": self.license, "intendedUse": self.intended_use,
            # Sorted by path: the manifest (and its digest) does not depend on the order files are listed.
            "files": [{"path": f.path, "sizeBytes": f.size_bytes, "sha256": f.sha256}
                      for f in sorted(self.files, key=lambda f: f.path)],
        }

    def manifest_bytes(self) -> bytes:
        """The manifest as stored: JSON, sorted keys, two-space indent, trailing newline."""
        return (json.dumps(self.manifest(), indent=2, sort_keys=True) + "\n").encode()

    def manifest_sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.manifest_bytes()).hexdigest()

    def key_prefix(self, registry_prefix: str) -> str:
        """Where the files live in the registry: ``<prefix><name>/<version>/``."""
        return f"{registry_prefix}{self.name}/{self.version}/"


def _unique_versions(models: list[ModelVersionConfig]) -> list[ModelVersionConfig]:
    seen: dict[str, int] = {}
    for i, m in enumerate(models):
        if m.ref in seen:
            raise ConfigValueError(f"is already models[{seen[m.ref]}] ({m.ref}); a version is immutable, add a new "
                                   "one instead", loc=(i, "version"), value=m.version)
        seen[m.ref] = i
    return models


# -- the registry -----------------------------------------------------------------------------
class RegistryStorage(StrEnum):
    """Where the registry keeps model versions."""

    #: Its own S3 bucket: versioned, SSE-KMS with its own key, TLS-only, protected.
    BUCKET = "bucket"
    #: The ``models/`` prefix of the data lake's curated bucket (the lake's key and policies).
    DATA_LAKE = "data-lake"
    #: A CoreWeave AI Object Storage bucket (S3-compatible), for servers on CKS.
    COREWEAVE = "coreweave"


class RegistrySyncConfig(AiopsModel):
    """Who may write model versions: the sync job that copies pinned files into the registry."""

    trusted_principals: list[Wired[str]] = Field(
        default_factory=list,
        description="IAM role ARNs (or outputs) that may assume the read-write role, e.g. a CI role that runs the "
                    "sync. @default [] (only the sync job's pods, through Pod Identity)")

    @field_validator("trusted_principals")
    @classmethod
    def _principals(cls, v: list[Any]) -> list[Any]:
        for i, a in enumerate(v):
            if is_known(a) and not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$",
                                            str(a)):
                raise ConfigValueError("is not an IAM principal ARN (arn:aws:iam::<account>:role/<name>)", loc=(i,),
                                       value=a)
        return v
    cluster: str | None = Field(
        None, description="An EKS cluster of the stack where the sync job runs as a pod (Pod Identity for "
                          "namespace/serviceAccount below). @default none")
    namespace: str = Field("model-sync", description="Namespace of the sync job's pods. @default model-sync")
    service_account: str = Field("model-sync", description="Service account of the sync job. @default model-sync")


class CoreWeaveRegistryConfig(AiopsModel):
    """A registry in CoreWeave AI Object Storage."""

    zone: str = Field("US-EAST-04A", description="Availability zone of the bucket. @default US-EAST-04A")
    readers: list[str] = Field(
        default_factory=list,
        description="CoreWeave principals (e.g. arn:aws:iam::<org>:static/serving) whose access keys the servers "
                    "use to read. @default []")
    writers: list[str] = Field(default_factory=list, description="Principals of the sync job. @default []")
    credentials_secret: str = Field(
        "model-registry-credentials",
        description="Name of the Secret (keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) holding a reader's access "
                    "key, created in each serving namespace out of band (Cloud Console → Object Storage → Keys). "
                    "@default model-registry-credentials")


class ModelRegistryConfig(AiopsModel):
    """The model registry: model versions and the roles that read and write them
    (``aiops:platform.modelRegistry``)."""

    storage: RegistryStorage = Field(RegistryStorage.BUCKET, description="@default bucket")
    prefix: str = Field("models/", description="Key prefix of every version. @default models/")
    models: list[ModelVersionConfig] = Field(default_factory=list, description="Model versions. @default []")
    sync: RegistrySyncConfig = Field(default_factory=RegistrySyncConfig,
                                     description="Who may write versions. @default the account's IAM policies")
    coreweave: CoreWeaveRegistryConfig | None = Field(
        None, description="The CoreWeave bucket (storage coreweave). @default none")

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        if not _PREFIX_RE.match(v):
            raise ConfigValueError("is not a key prefix ending in '/', e.g. models/")
        return v

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[ModelVersionConfig]) -> list[ModelVersionConfig]:
        return _unique_versions(v)

    @model_validator(mode="after")
    def _storage(self) -> ModelRegistryConfig:
        if self.storage is RegistryStorage.COREWEAVE and self.coreweave is None:
            raise ConfigValueError("needs the coreweave section (zone, readers, writers)", loc=("storage",),
                                   value=self.storage.value)
        if self.storage is not RegistryStorage.COREWEAVE and self.coreweave is not None:
            raise ConfigValueError("is only used with storage coreweave", loc=("coreweave",), value="{…}")
        return self

    def find(self, ref: str) -> ModelVersionConfig | None:
        return next((m for m in self.models if m.ref == ref), None)


class ModelRegistryRef(AiopsModel):
    """A model registry by value: what a server needs to fetch and verify a version."""

    model_config = ConfigDict(title="ModelRegistryRefArgs")

    storage: RegistryStorage = Field(RegistryStorage.BUCKET, description="@default bucket")
    bucket: Wired[str] = Field(description="The bucket (an output of the registry is fine). Required.")
    prefix: str = Field("models/", description="Key prefix of every version. @default models/")
    region: Wired[str] | None = Field(
        None, description="The bucket's region (AWS) or zone (CoreWeave), for the S3 client. @default the pod's")
    endpoint_url: str | None = Field(
        None, description="S3 endpoint for a non-AWS store (CoreWeave in-cluster: http://cwlota.com). @default AWS")
    reader_role_arn: Wired[str] | None = Field(
        None, description="The read-only IAM role (AWS): the server's pods get it through EKS Pod Identity. "
                          "@default none")
    credentials_secret: str | None = Field(
        None, description="Secret with a reader's access key in each serving namespace (CoreWeave). @default none")
    models: list[ModelVersionConfig] = Field(default_factory=list, description="The versions. @default []")

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[ModelVersionConfig]) -> list[ModelVersionConfig]:
        return _unique_versions(v)

    def find(self, ref: str) -> ModelVersionConfig | None:
        return next((m for m in self.models if m.ref == ref), None)


class _RegistryOrRef:
    """pydantic schema of a server's ``registry`` field: a ``ModelRegistry`` component (anything
    with ``ref()``) becomes its :class:`ModelRegistryRef`; a ref or a mapping validates as one."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        ref_schema = handler.generate_schema(ModelRegistryRef)

        def check(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
            to_ref = getattr(value, "ref", None)
            if callable(to_ref) and not isinstance(value, Mapping | ModelRegistryRef):
                value = to_ref()
            if isinstance(value, ModelRegistryRef | Mapping):
                return validate(value)
            raise ConfigValueError("is not a ModelRegistry or a ModelRegistryRef", value=f"<{type(value).__name__}>")

        return core_schema.no_info_wrap_validator_function(check, ref_schema)


#: The type of a server's ``registry`` field: a ``ModelRegistry`` or its ref (by value).
ModelRegistryRefInput = Annotated[ModelRegistryRef, _RegistryOrRef()]


# -- model references -------------------------------------------------------------------------
class ModelRef(AiopsModel):
    """A server's ``model``, parsed: a registry version or a Hugging Face repo (development)."""

    registry_name: str | None = None
    registry_version: str | None = None
    hf_repo: str | None = None

    @property
    def is_registry(self) -> bool:
        return self.registry_name is not None

    @property
    def ref(self) -> str:
        return f"{self.registry_name}@{self.registry_version}" if self.is_registry else str(self.hf_repo)


def parse_model_ref(value: str) -> ModelRef:
    """``name@version`` (a registry version) or ``org/name`` (a Hugging Face repo); a
    :class:`ConfigValueError` for anything else."""
    if "@" in value:
        name, _, version = value.partition("@")
        if not _MODEL_NAME_RE.match(name) or not _VERSION_RE.match(version):
            raise ConfigValueError(
                "is not a model reference: write name@version for a version of the model registry (lowercase name, "
                "e.g. qwen2.5-0.5b-instruct@2024-09-19), or a Hugging Face repo id with revision for development")
        return ModelRef(registry_name=name, registry_version=version)
    # Anything else is what vLLM's --model takes: a Hugging Face repo id or a path.
    return ModelRef(hf_repo=value)


# -- how a server runs ------------------------------------------------------------------------
class CacheMode(StrEnum):
    """Where a server's weights live on its nodes.

    ``node``: the pod's own ``emptyDir`` on the node's local disk (NVMe instance store where the
    node group sets ``localStorage: raid0``; CoreWeave nodes put every ``emptyDir`` on local NVMe,
    /mnt/local). Fastest reads and nothing shared to pay for, but the cache lives as long as the pod:
    a container restart keeps it, a new pod fills it again from the registry (never the internet).

    ``shared``: one ReadWriteMany volume for every replica (EFS or FSx for Lustre on AWS; CoreWeave
    Distributed File Storage, ``shared-vast``). The first pod fills it, later pods and node
    replacements only verify it: the cold start loses the download. Costs the file system, and reads
    at its throughput (EFS elastic throughput, FSx per-TiB throughput).
    """

    NODE = "node"
    SHARED = "shared"


class ModelCacheConfig(AiopsModel):
    """The weight cache of a server (see :class:`CacheMode` for the trade-offs)."""

    mode: CacheMode = Field(CacheMode.NODE, description="node or shared. @default node")
    size: str | None = Field(
        None, description="Volume size (Gi/Ti), e.g. 100Gi. @default the model's size + 20 %, rounded up to a GiB")
    storage_class: str | None = Field(
        None, description="StorageClass of the shared volume (ReadWriteMany). @default the cluster's: aiops-efs-models "
                          "on EKS (eks.modelCache.efs), shared-vast on CoreWeave")

    @field_validator("size")
    @classmethod
    def _size(cls, v: str | None) -> str | None:
        if v is not None and not _QUANTITY_RE.match(v):
            raise ConfigValueError("is not a size in Mi, Gi or Ti, e.g. 100Gi")
        return v


class AutoscalingMetric(StrEnum):
    """The vLLM metric a server scales on (names as vLLM 0.11 exports them)."""

    #: ``vllm:num_requests_waiting``: requests queued, averaged per replica.
    QUEUE = "queue"
    #: p90 of ``vllm:time_to_first_token_seconds`` over the last two minutes.
    TTFT = "ttft"


class AutoscalingConfig(AiopsModel):
    """KEDA scaling of a server on inference load.

    **Scale to zero** (``minReplicas: 0``) suits servers that may sleep: KEDA wakes the server when
    the gateway sends it requests (``litellm_deployment_total_requests`` for the server's address in
    Prometheus), and removes the last replica ``cooldownSeconds`` after the last request. The first
    request after sleep pays the cold start (see the ModelServer docstring): a GPU node from zero
    (the pool scales from zero), the image pull, filling the cache, loading the model.
    """

    min_replicas: int = Field(1, ge=0, le=64, description="0 lets the server sleep. @default 1")
    max_replicas: int = Field(ge=1, le=64, description="Required.")
    metric: AutoscalingMetric = Field(AutoscalingMetric.QUEUE, description="@default queue")
    target: float | None = Field(
        None, gt=0, description="Queue: waiting requests per replica; ttft: seconds at p90. @default 5 (queue), "
                                "1.0 (ttft)")
    cooldown_seconds: int = Field(
        900, ge=60, le=86400,
        description="How long load must stay low before a replica goes (and before the last one goes, with "
                    "minReplicas 0). @default 900")
    polling_seconds: int = Field(30, ge=5, le=600, description="KEDA's polling interval. @default 30")

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingConfig:
        if self.max_replicas < max(1, self.min_replicas):
            raise ConfigValueError(f"must be at least minReplicas ({self.min_replicas}) and 1", loc=("maxReplicas",),
                                   value=self.max_replicas)
        return self

    @property
    def effective_target(self) -> float:
        if self.target is not None:
            return self.target
        return 5.0 if self.metric is AutoscalingMetric.QUEUE else 1.0


class MultiNodeConfig(AiopsModel):
    """A model bigger than one node: one replica is a group of ``nodes`` pods (a LeaderWorkerSet),
    each using ``gpus`` GPUs, with vLLM's tensor parallelism inside a node and pipeline
    parallelism across nodes (``tensorParallel × pipelineParallel = nodes × gpus``)."""

    nodes: int = Field(ge=2, le=64, description="Pods (nodes) per replica. Required.")
    tensor_parallel: int | None = Field(None, ge=1, description="@default gpus (one node)")
    pipeline_parallel: int | None = Field(None, ge=1, description="@default nodes")
    image: str | None = Field(
        None, description="An image with the fabric's NCCL plugin (aws-ofi-nccl for EFA); the stock vLLM image "
                          "falls back to NCCL over TCP. @default the server's image")


class PrometheusConfig(AiopsModel):
    """Where Prometheus is, for KEDA's queries and for the server's NetworkPolicy."""

    address: str = Field(DEFAULT_PROMETHEUS_ADDRESS, description=f"@default {DEFAULT_PROMETHEUS_ADDRESS}")
    namespace_labels: dict[str, str] = Field(
        default_factory=lambda: {"kubernetes.io/metadata.name": "monitoring"},
        description="Labels of Prometheus's namespace. @default {kubernetes.io/metadata.name: monitoring}")
    pod_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "prometheus"},
        description="Labels of the Prometheus pods (prometheus-operator sets app.kubernetes.io/name: prometheus). "
                    "@default {app.kubernetes.io/name: prometheus}")

    @field_validator("address")
    @classmethod
    def _address(cls, v: str) -> str:
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/.*)?$", v):
            raise ConfigValueError("is not an http(s) URL, e.g. http://prometheus.monitoring.svc:9090")
        return v

    @field_validator("namespace_labels", "pod_labels")
    @classmethod
    def _l(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ConfigValueError("is empty; name the labels (an empty selector would admit everything)")
        return _labels(v)


class ServingNetworkConfig(AiopsModel):
    """Who may reach a server: the LLM gateway's namespace and Prometheus, nobody else."""

    gateway_namespace_labels: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_GATEWAY_NAMESPACE_LABELS),
        description="Labels of the LLM gateway's namespace. @default {aiops.io/llm-gateway: 'true'}")
    prometheus: PrometheusConfig = Field(default_factory=PrometheusConfig, description="@default kube-prometheus-stack")
    egress_cidrs: list[str] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Where the weight fetch may reach on 443 (the registry: S3 or CoreWeave Object Storage; narrow it "
                    "to your VPC with an S3 interface endpoint). @default [0.0.0.0/0]")

    @field_validator("gateway_namespace_labels")
    @classmethod
    def _gw(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ConfigValueError("is empty; an empty namespace selector would admit every namespace")
        return _labels(v)

    @field_validator("egress_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        import ipaddress

        for i, c in enumerate(v):
            try:
                ipaddress.ip_network(c, strict=True)
            except ValueError:
                raise ConfigValueError("is not a CIDR block", loc=(i,), value=c) from None
        return v


class ServingAddonsConfig(AiopsModel):
    """Cluster-wide serving add-ons (``workloads.serving``), installed on a cluster that runs a
    server needing them: KEDA for ``autoscaling``, LeaderWorkerSet for ``multiNode``."""

    keda_chart_version: str = Field(KEDA_CHART_VERSION, description=f"KEDA chart. @default {KEDA_CHART_VERSION}")
    lws_chart_version: str = Field(LWS_CHART_VERSION,
                                   description=f"LeaderWorkerSet chart. @default {LWS_CHART_VERSION}")
    network: ServingNetworkConfig = Field(
        default_factory=ServingNetworkConfig,
        description="Gateway and Prometheus of every server (a server's own network overrides). @default the defaults")

    @field_validator("keda_chart_version", "lws_chart_version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not re.match(r"^\d+\.\d+\.\d+$", v):
            raise ConfigValueError("is not a chart version (x.y.z)")
        return v


def bucket_known(value: Any) -> bool:
    """Whether a (possibly wired) bucket value is a plain string."""
    return is_known(value) and isinstance(value, str)


# -- checks shared by the stack config and the components -------------------------------------
def gpu_memory_utilization(pool: Any) -> float:
    """vLLM's ``--gpu-memory-utilization`` on ``pool`` (a ``GpuCapacity``): 0.9, or its share of a
    time-sliced GPU (no memory isolation, so each server keeps to ``0.9 / replicas``)."""
    if getattr(pool, "gpu_sharing", "none") == "time-slicing":
        return round(VLLM_GPU_MEMORY_UTILIZATION / pool.gpu_slices_per_gpu, 4)
    return VLLM_GPU_MEMORY_UTILIZATION


def check_model_fits(spec: Any, model: ModelVersionConfig, pools: list[Any]) -> None:
    """The weights of ``model`` fit the GPU memory a replica of ``spec`` gets on every pool it may
    land on (``pools``: ``GpuCapacity``). Raises :class:`ConfigValueError` at ``model``."""
    nodes = spec.multi_node.nodes if spec.multi_node is not None else 1
    need = model.weights_gib
    for p in pools:
        per = p.memory_per_schedulable_gpu_gib
        if per is None:
            continue
        gpus = spec.gpus * nodes
        usable = per * gpus * VLLM_GPU_MEMORY_UTILIZATION
        if need > usable:
            what = {"time-slicing": f" (a 1/{p.gpu_slices_per_gpu} time-sliced share of a {p.gpu_memory_gib} GiB GPU)",
                    "mig": " (one MIG slice)"}.get(p.gpu_sharing, "")
            spread = f"{nodes} pods × {spec.gpus}" if nodes > 1 else f"{spec.gpus}"
            raise ConfigValueError(
                f"has {need:.1f} GiB of weights ({model.weights_bytes:,} bytes in its manifest), more than a replica "
                f"gets on pool {p.pool!r} ({p.instance_type}): {spread} GPU(s) × {per:.1f} GiB{what} × "
                f"{VLLM_GPU_MEMORY_UTILIZATION} (vLLM's --gpu-memory-utilization) = {usable:.1f} GiB, and the KV "
                "cache needs room too; give the server more GPUs (gpus, multiNode) or a pool with larger GPUs",
                loc=("model",), value=model.ref)


def resolve_model(spec: Any, registry: ModelRegistryRef | ModelRegistryConfig | None,
                  registry_path: str = "registry") -> ModelVersionConfig | None:
    """The registry version a server's ``model`` names (``None`` for a Hugging Face model);
    :class:`ConfigValueError` at ``model`` for a reference the registry does not hold."""
    ref = parse_model_ref(spec.model)
    if not ref.is_registry:
        return None
    if registry is None:
        raise ConfigValueError(
            f"is a model registry version, but no registry is given ({registry_path}); declare the registry and the "
            "version in it, or use a Hugging Face repo id for development", loc=("model",), value=spec.model)
    found = registry.find(ref.ref)
    if found is None:
        same = [m.ref for m in registry.models if m.name == ref.registry_name]
        known = ", ".join(m.ref for m in registry.models) or "none"
        hint = f"versions of {ref.registry_name}: {', '.join(same)}" if same else f"registry versions: {known}"
        raise ConfigValueError(f"is not a version of the model registry; {hint}", loc=("model",), value=spec.model)
    return found


def cache_size(spec: Any, model: ModelVersionConfig) -> str:
    """The cache volume's size: ``cache.size``, or the model's bytes + 20 %, in whole GiB."""
    if spec.cache.size:
        return str(spec.cache.size)
    gib = -(-int(model.total_bytes * 1.2) // 2**30)
    return f"{max(gib, 1)}Gi"


def _quantity_bytes(q: str) -> int:
    n, unit = int(q[:-2]), q[-2:]
    return n * {"Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[unit]


def check_cache_size(spec: Any, model: ModelVersionConfig) -> None:
    if spec.cache.size and _quantity_bytes(spec.cache.size) < model.total_bytes:
        raise ConfigValueError(
            f"is smaller than {model.ref} ({model.total_bytes:,} bytes); the cache holds the whole model",
            loc=("cache", "size"), value=spec.cache.size)
