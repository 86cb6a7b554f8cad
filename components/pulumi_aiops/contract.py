"""The GPU-cluster contract: what every workload may rely on, whichever cloud runs it.

:class:`GpuCluster` is the base both :class:`~pulumi_aiops.eks_gpu_cluster.EksGpuCluster`
and :class:`~pulumi_aiops.coreweave_gpu_cluster.CoreWeaveGpuCluster` implement. Workload
components (the gateway, model servers, in-cluster vector DBs, observability) take a cluster
and never a cloud-specific class. A workload's ``cluster`` argument accepts either

* a :class:`GpuCluster` object (a Python program that created the cluster), or
* a :class:`GpuClusterRef` (or a mapping of its fields): the contract's plain values plus the
  cluster's ``kubeconfig`` (a plain string or an output), so a cluster created in another
  program, stack or language can be handed over by value. The workload then creates its own
  ``kubernetes.Provider`` from that kubeconfig.

Workloads normalise both with :func:`resolve_cluster`, which returns a :class:`ClusterHandle`
(provider, node selectors, tolerations, capacity, and what the first object must depend on).
A GPU workload uses ``gpu_node_selector``/``gpu_tolerations``; a workload that needs no GPU (Qdrant,
the gateway, observability) uses ``system_node_selector``/``system_tolerations``, the cluster's
system nodes (EKS's system node group, a CoreWeave cluster's ``cpuNodePools``)::

    class MyWorkload(pulumi.ComponentResource):
        def __init__(self, name, args, opts=None):
            cfg = validate_model(MyArgsModel, args, f"MyWorkload({name!r})")  # cluster: GpuClusterInput
            super().__init__("aiops:index:MyWorkload", name, None, opts)
            c = resolve_cluster(cfg.cluster, self, name)
            k8s.apps.v1.Deployment(
                f"{name}-deployment",
                spec={... "nodeSelector": c.gpu_node_selector, "tolerations": c.gpu_tolerations ...},
                opts=pulumi.ResourceOptions(parent=self, provider=c.provider, depends_on=c.depends_on),
            )

A ref from another program::

    ModelServer("chat", {
        "cluster": GpuClusterRef(cloud="coreweave", cluster_name="cw-gpu", kubeconfig=other.kubeconfig,
                                 gpu_node_selector={"pulumi-aiops/gpu": "true"}),
        "model": "Qwen/Qwen2.5-7B-Instruct",
    })
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Protocol

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    InstanceOf,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

from pulumi_aiops.capacity import NodeBudget, node_budget, pool_selector
from pulumi_aiops.catalog import HOURS_PER_MONTH, Cloud, catalog
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known, validate_model

__all__ = [
    "GPU_TAINT_KEY",
    "STANDARD_GPU_NODE_SELECTORS",
    "CapacityType",
    "ClusterHandle",
    "GpuCapacity",
    "GpuCluster",
    "GpuClusterInput",
    "GpuClusterLike",
    "GpuClusterRef",
    "gpu_toleration",
    "resolve_cluster",
]

#: The taint key every GPU node carries, on both clouds (``nvidia.com/gpu=true:NoSchedule``).
GPU_TAINT_KEY = "nvidia.com/gpu"


def gpu_toleration() -> dict[str, str]:
    """The toleration of the standard GPU taint, as a Kubernetes manifest fragment."""
    return {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}


class CapacityType(StrEnum):
    """How GPU capacity is bought."""

    ON_DEMAND = "ON_DEMAND"
    SPOT = "SPOT"
    CAPACITY_BLOCK = "CAPACITY_BLOCK"
    RESERVED = "RESERVED"


class GpuCapacity(BaseModel):
    """GPU capacity a cluster declares: one node group or node pool.

    Build it from the resolved spec (:func:`pulumi_aiops.catalog.resolve`): ``declared`` and
    ``price_per_hour_usd`` come from it. When ``price_per_hour_usd`` is not given for a catalogue
    type, the catalogue's price is used; a type without a known price is *unpriced* and
    :attr:`max_monthly_usd` is ``None``, never $0.

    Accepts snake_case or camelCase keys, so the exported shape (:meth:`to_output`, which adds
    the derived ``maxGpus``) reads back into an equal object.
    """

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="forbid")

    cluster: str
    cloud: Cloud
    pool: str
    instance_type: str
    gpu_model: str
    gpus_per_node: int
    min_nodes: int
    max_nodes: int
    capacity_type: CapacityType = CapacityType.ON_DEMAND
    #: The instance type's GPUs were declared by hand (``gpuSpec``), not read from the catalogue.
    declared: bool = False
    #: On-demand USD per node-hour; ``None`` when unpriced.
    price_per_hour_usd: float | None = Field(None, gt=0)
    #: vCPUs and memory (GiB) of one node: the catalogue's, or a ``gpuSpec``'s; ``None`` when unknown.
    vcpus: int | None = Field(None, gt=0)
    memory_gib: int | None = Field(None, gt=0)
    #: Node selector that lands a pod on this pool's nodes (EKS ``aiops.io/node-pool``, CKS
    #: ``compute.coreweave.com/node-pool``); derived from ``cloud`` and ``pool`` when not given.
    pool_selector: dict[str, str] = Field(default_factory=dict)
    #: Memory of one GPU, GiB (the catalogue's, or a ``gpuSpec``'s); ``None`` when unknown.
    gpu_memory_gib: int | None = Field(None, gt=0)
    #: How the pool's GPUs are shared (:mod:`pulumi_aiops.config.gpu_nodes`): ``none``,
    #: ``time-slicing`` or ``mig``; each GPU is advertised ``gpu_slices_per_gpu`` times as
    #: ``nvidia.com/gpu``, each MIG slice with ``gpu_slice_memory_gib`` of memory.
    gpu_sharing: str = "none"
    gpu_slices_per_gpu: int = Field(1, ge=1)
    gpu_slice_memory_gib: float | None = Field(None, gt=0)
    #: Node-to-node fabric a pod of the pool can request: ``none``, ``efa`` (the extended resource
    #: ``vpc.amazonaws.com/efa``) or ``infiniband``; ``rdma_devices`` per node.
    rdma: str = "none"
    rdma_devices: int = Field(0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _catalogue_price(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        # Derived keys (to_output adds them) are accepted so the exported shape reads back.
        data = {k: v for k, v in data.items() if k not in _DERIVED_CAPACITY_KEYS}
        try:
            cloud = Cloud(data["cloud"])
            itype = data["instance_type"] if "instance_type" in data else data["instanceType"]
            row = catalog().get((cloud, str(itype)))
        except (KeyError, ValueError):
            return data  # field validation reports it
        if not {"pool_selector", "poolSelector"} & set(data) and isinstance(data.get("pool"), str):
            data["pool_selector"] = pool_selector(cloud, data["pool"])
        if row is None:
            return data
        if not {"vcpus"} & set(data):
            data["vcpus"] = row.vcpus
        if not {"gpu_memory_gib", "gpuMemoryGib"} & set(data):
            data["gpu_memory_gib"] = row.gpu_memory_gib
        if not {"memory_gib", "memoryGib"} & set(data):
            data["memory_gib"] = row.memory_gib
        if {"price_per_hour_usd", "pricePerHourUsd"} & set(data) or data.get("declared"):
            return data
        return {**data, "price_per_hour_usd": row.price_per_hour_usd}

    @property
    def max_gpus(self) -> int:
        return self.gpus_per_node * self.max_nodes

    @property
    def schedulable_gpus_per_node(self) -> int:
        """How many ``nvidia.com/gpu`` one node advertises (GPUs × slices when shared)."""
        return self.gpus_per_node * self.gpu_slices_per_gpu

    @property
    def memory_per_schedulable_gpu_gib(self) -> float | None:
        """GPU memory behind one ``nvidia.com/gpu`` of the pool: a MIG slice's, a time-sliced GPU's
        share (no isolation: the share the servers keep to), or a whole GPU's; ``None`` when unknown."""
        if self.gpu_slice_memory_gib is not None:
            return self.gpu_slice_memory_gib
        if self.gpu_memory_gib is None:
            return None
        return self.gpu_memory_gib / self.gpu_slices_per_gpu

    @property
    def priced(self) -> bool:
        return self.price_per_hour_usd is not None

    @property
    def max_monthly_usd(self) -> float | None:
        """On-demand price of ``max_nodes`` running all month; ``None`` when unpriced."""
        if self.price_per_hour_usd is None:
            return None
        return self.price_per_hour_usd * self.max_nodes * HOURS_PER_MONTH

    @property
    def budget(self) -> NodeBudget | None:
        """What one node of the pool keeps and leaves for workloads (:mod:`pulumi_aiops.capacity`);
        ``None`` when the node's vCPUs or memory are unknown."""
        return node_budget(self.cloud, self.instance_type, gpu=True, vcpus=self.vcpus, memory_gib=self.memory_gib)

    def to_output(self) -> dict[str, Any]:
        """A camelCase dict, the shape exported as a stack/component output."""
        b = self.budget
        return {
            "cluster": self.cluster, "cloud": self.cloud.value, "pool": self.pool,
            "instanceType": self.instance_type, "gpuModel": self.gpu_model,
            "gpusPerNode": self.gpus_per_node, "minNodes": self.min_nodes,
            "maxNodes": self.max_nodes, "maxGpus": self.max_gpus,
            "capacityType": self.capacity_type.value,
            "declared": self.declared, "pricePerHourUsd": self.price_per_hour_usd,
            "vcpus": self.vcpus, "memoryGib": self.memory_gib, "poolSelector": dict(self.pool_selector),
            "gpuMemoryGib": self.gpu_memory_gib, "gpuSharing": self.gpu_sharing,
            "gpuSlicesPerGpu": self.gpu_slices_per_gpu, "gpuSliceMemoryGib": self.gpu_slice_memory_gib,
            "rdma": self.rdma, "rdmaDevices": self.rdma_devices,
            # derived, per node (CPU in millicores, memory in MiB); None when the node size is unknown
            "allocatableCpuMillis": b and b.allocatable_cpu_millis,
            "allocatableMemoryMib": b and b.allocatable_memory_mib,
            "platformPodsCpuMillis": b and b.platform_cpu_millis,
            "platformPodsMemoryMib": b and b.platform_memory_mib,
            "availableCpuMillis": b and b.available_cpu_millis,
            "availableMemoryMib": b and b.available_memory_mib,
            "likelyAvailableMemoryMib": b and b.likely_available_memory_mib,
        }


_DERIVED_CAPACITY_KEYS = frozenset({
    "maxGpus", "max_gpus", "allocatableCpuMillis", "allocatableMemoryMib", "platformPodsCpuMillis",
    "platformPodsMemoryMib", "availableCpuMillis", "availableMemoryMib", "likelyAvailableMemoryMib"})


class GpuCluster(pulumi.ComponentResource):
    """Base class and contract of a GPU cluster on any cloud.

    Public outputs (class-level annotations, what Pulumi's schema inference reads):

    * :attr:`kubeconfig`: a kubeconfig for the cluster, a secret output.

    Plain attributes every subclass sets in ``__init__`` before calling
    :meth:`_register_contract_outputs` (known when the program runs, so a workload can build
    manifests from them):

    * ``cloud`` (:class:`~pulumi_aiops.catalog.Cloud`): which cloud runs the cluster;
    * ``cluster_name`` (``str``): the logical cluster name, unique within a stack's config;
    * ``provider`` (``kubernetes.Provider``): deploys onto the cluster;
    * ``gpu_node_selector`` (``dict[str, str]``): lands a pod on GPU nodes;
    * ``gpu_tolerations`` (``list[dict[str, str]]``): what a GPU pod tolerates (the GPU taint);
    * ``gpu_capacity`` (``list[GpuCapacity]``): the GPU capacity the cluster declares;
    * ``system_node_selector`` (``dict[str, str]``) and ``system_tolerations``: where a workload that
      needs no GPU runs (Qdrant, the gateway, observability): EKS's system node group
      (``aiops.io/node-pool: system``), a CoreWeave cluster's ``cpuNodePools``. An empty selector
      means the cluster declares no such nodes (a CoreWeave cluster without CPU pools);
    * ``ready`` (``list[pulumi.Resource]``, optional): what a workload's first object must wait
      for (see :meth:`workload_dependencies`).

    :meth:`ref` gives the same values as a :class:`GpuClusterRef`, the by-value form a cluster
    takes across programs and languages.
    """

    kubeconfig: pulumi.Output[str]
    """A kubeconfig for the cluster (secret)."""

    def __init__(self, t: str, name: str, props: pulumi.Inputs | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(t, name, props, opts)
        # Declared here, set by each subclass (instance attributes, not schema outputs).
        self.cloud: Cloud
        self.cluster_name: str
        self.provider: k8s.Provider
        self.gpu_node_selector: dict[str, str]
        self.gpu_tolerations: list[dict[str, str]]
        self.gpu_capacity: list[GpuCapacity]
        self.system_node_selector: dict[str, str] = {}
        self.system_tolerations: list[dict[str, str]] = []
        self.ready: list[pulumi.Resource]

    def workload_dependencies(self) -> list[pulumi.Resource]:
        """What a workload's first object on this cluster must ``depends_on``.

        A subclass sets ``self.ready`` to the few resources that make the cluster usable (the
        control plane, the GPU pools, the device plugin): depending on those is narrow, while
        depending on the component itself expands to every resource under it. A subclass that
        sets no ``ready`` gets the whole component (correct, but broad).
        """
        ready = getattr(self, "ready", None)
        return list(ready) if ready is not None else [self]

    def ref(self) -> "GpuClusterRef":
        """This cluster's contract as plain values plus the kubeconfig output."""
        return GpuClusterRef(
            cloud=self.cloud, cluster_name=self.cluster_name, kubeconfig=self.kubeconfig,
            gpu_node_selector=dict(self.gpu_node_selector),
            gpu_tolerations=[dict(t) for t in self.gpu_tolerations],
            gpu_capacity=list(self.gpu_capacity),
            system_node_selector=dict(self.system_node_selector),
            system_tolerations=[dict(t) for t in self.system_tolerations])

    def contract_outputs(self) -> dict[str, Any]:
        """The outputs every GPU cluster exposes, identical in shape across clouds."""
        return {
            "cloud": self.cloud.value,
            "clusterName": self.cluster_name,
            "kubeconfig": pulumi.Output.secret(self.kubeconfig),
            "gpuNodeSelector": dict(self.gpu_node_selector),
            "gpuTolerations": [dict(t) for t in self.gpu_tolerations],
            "gpuCapacity": [c.to_output() for c in self.gpu_capacity],
            "systemNodeSelector": dict(self.system_node_selector),
            "systemTolerations": [dict(t) for t in self.system_tolerations],
        }

    def _register_contract_outputs(self, extra: dict[str, Any] | None = None) -> None:
        """Register the contract outputs plus cloud-specific ``extra`` ones; call last."""
        self.register_outputs({**self.contract_outputs(), **(extra or {})})


# -- a cluster by value -----------------------------------------------------------------------
_TOLERATION_KEYS = frozenset({"key", "operator", "value", "effect", "tolerationSeconds"})


def _check_kubeconfig(text: str) -> str:
    try:
        doc = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError:
        doc = None
    if not isinstance(doc, dict) or not doc.get("clusters"):
        # The value is a secret: never echo it.
        raise ConfigValueError("is not a kubeconfig (YAML or JSON with `clusters`, `users`, `contexts`)",
                               value="<secret>")
    return text


#: The GPU node selector each cloud's cluster component sets on its GPU nodes.
STANDARD_GPU_NODE_SELECTORS: dict[Cloud, dict[str, str]] = {
    Cloud.AWS: {"nvidia.com/gpu.present": "true"},
    Cloud.COREWEAVE: {"pulumi-aiops/gpu": "true"},
}


class GpuClusterRef(AiopsModel):
    """A GPU cluster by value: the contract's plain values and a kubeconfig.

    What a workload needs from a cluster it did not create in the same Python program: a
    cluster of another stack or program (the kubeconfig of a stack reference), or, once
    pulumi-aiops is served as a component provider, a cluster created in another language.
    ``GpuCluster.ref()`` builds one from a cluster object.
    """

    cloud: Cloud = Field(description="Which cloud runs the cluster (aws or coreweave). Required.")
    cluster_name: str = Field(min_length=1, description="The logical cluster name. Required.")
    kubeconfig: Wired[str] = Field(
        description="A kubeconfig for the cluster (an output of the cluster's program is fine); the workload "
                    "builds its own Kubernetes provider from it and keeps it secret. Required.")
    gpu_node_selector: dict[str, str] = Field(
        description="Node selector that lands a pod on the cluster's GPU nodes (the cluster's gpuNodeSelector "
                    "output). Required.")
    gpu_tolerations: list[dict[str, str]] = Field(
        default_factory=lambda: [gpu_toleration()],
        description="Tolerations a GPU pod needs. @default [nvidia.com/gpu Exists NoSchedule]")
    gpu_capacity: list[GpuCapacity] = Field(
        default_factory=list,
        description="The GPU capacity the cluster declares (the cluster's gpuCapacity output): a model server "
                    "derives its default requests from it and is checked against it. @default []")
    system_node_selector: dict[str, str] = Field(
        default_factory=dict,
        description="Node selector of the cluster's non-GPU nodes, where Qdrant, the gateway and observability run "
                    "(the cluster's systemNodeSelector output). @default {} (none declared)")
    system_tolerations: list[dict[str, str]] = Field(
        default_factory=list, description="Tolerations a pod on those nodes needs. @default []")

    @classmethod
    def of_platform_cluster(cls, cloud: Cloud | str, cluster_name: str,
                            kubeconfig: pulumi.Input[str]) -> "GpuClusterRef":
        """A ref to a cluster made by this library in another stack, from its kubeconfig output.

        The node selector and tolerations are the ones ``EksGpuCluster``/``CoreWeaveGpuCluster``
        set, so a product team needs only the platform stack's kubeconfig::

            platform = pulumi.StackReference("acme/aiops/prod")
            kubeconfig = platform.require_output("clusters").apply(lambda c: c["eks"]["kubeconfig"])
            ref = GpuClusterRef.of_platform_cluster("aws", "eks", kubeconfig)
        """
        c = Cloud(cloud)
        return cls(cloud=c, cluster_name=cluster_name, kubeconfig=kubeconfig,
                   gpu_node_selector=dict(STANDARD_GPU_NODE_SELECTORS[c]))

    @field_validator("kubeconfig")
    @classmethod
    def _kubeconfig(cls, v: Any) -> Any:
        if is_known(v):
            if not isinstance(v, str):
                raise ConfigValueError("is not a kubeconfig string", value=type(v).__name__)
            return _check_kubeconfig(v)
        return v

    @field_validator("gpu_node_selector")
    @classmethod
    def _selector(cls, v: dict[str, str]) -> dict[str, str]:
        if not v:
            raise ConfigValueError("is empty; a GPU workload needs the cluster's GPU node selector "
                                   "(e.g. {'pulumi-aiops/gpu': 'true'} on CoreWeave)")
        return v

    @field_validator("gpu_tolerations", "system_tolerations")
    @classmethod
    def _tolerations(cls, v: list[dict[str, str]]) -> list[dict[str, str]]:
        for i, t in enumerate(v):
            unknown = sorted(set(t) - _TOLERATION_KEYS)
            if unknown:
                raise ConfigValueError(f"has unknown toleration keys {unknown}; allowed: {sorted(_TOLERATION_KEYS)}",
                                       loc=(i,), value=t)
        return v


class GpuClusterLike(Protocol):
    """A GPU cluster as a workload's ``cluster`` argument shows it.

    In Python, pass a :class:`GpuCluster` (``EksGpuCluster``, ``CoreWeaveGpuCluster``) or a
    :class:`GpuClusterRef`. From another language (the component provider), pass the cluster's
    contract values: ``cloud``, ``clusterName``, ``kubeconfig`` (the cluster's output),
    ``gpuNodeSelector`` and ``gpuTolerations``; the workload builds its own Kubernetes provider.
    This protocol is what Pulumi's schema inference reads for that argument.
    """

    cloud: Cloud
    """Which cloud runs the cluster (aws or coreweave)."""
    cluster_name: str
    """The logical cluster name."""
    kubeconfig: pulumi.Output[str]
    """A kubeconfig for the cluster (secret): the cluster's ``kubeconfig`` output."""
    gpu_node_selector: dict[str, str]
    """Node selector that lands a pod on GPU nodes: the cluster's ``gpuNodeSelector``."""
    gpu_tolerations: list[dict[str, str]]
    """Tolerations a GPU pod needs: the cluster's ``gpuTolerations``."""


class _ClusterOrRef:
    """pydantic schema of a workload's ``cluster`` field: a :class:`GpuCluster` passes as is; a
    :class:`GpuClusterRef` or a mapping validates as a ``GpuClusterRef`` (errors at their key).
    The generated Args show the field as :class:`GpuClusterLike`."""

    args_type = GpuClusterLike

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        ref_schema = handler.generate_schema(GpuClusterRef)

        def check(value: Any, validate_ref: core_schema.ValidatorFunctionWrapHandler) -> Any:
            if isinstance(value, GpuCluster):
                return value
            if isinstance(value, GpuClusterRef | Mapping):
                return validate_ref(value)
            # The value itself is not echoed: a string here may well be a kubeconfig.
            hint = "; pass the cluster object, not its name" if isinstance(value, str) else ""
            raise ConfigValueError(
                f"is not a GpuCluster (EksGpuCluster, CoreWeaveGpuCluster) or a GpuClusterRef{hint}",
                value=f"<{type(value).__name__}>")

        return core_schema.no_info_wrap_validator_function(check, ref_schema)


#: The type of a workload's ``cluster`` field: ``pydantic.InstanceOf[GpuCluster]`` for the
#: generated Args (and mypy), accepting a :class:`GpuClusterRef` (or a mapping of one) at run time.
GpuClusterInput = Annotated[InstanceOf[GpuCluster], _ClusterOrRef()]


@dataclass(frozen=True)
class ClusterHandle:
    """A cluster as a workload uses it, whichever way it was given (see :func:`resolve_cluster`)."""

    cloud: Cloud
    cluster_name: str
    provider: k8s.Provider
    gpu_node_selector: dict[str, str]
    gpu_tolerations: list[dict[str, str]]
    gpu_capacity: list[GpuCapacity] = field(default_factory=list)
    system_node_selector: dict[str, str] = field(default_factory=dict)
    system_tolerations: list[dict[str, str]] = field(default_factory=list)
    #: What the workload's first object must ``depends_on`` (the cluster's readiness resources;
    #: empty for a ref, whose kubeconfig output carries its own dependencies into the provider).
    depends_on: list[pulumi.Resource] = field(default_factory=list)


def resolve_cluster(value: "GpuCluster | GpuClusterRef | Mapping[str, Any]", parent: pulumi.Resource,
                    name: str) -> ClusterHandle:
    """Normalise a workload's ``cluster`` argument into a :class:`ClusterHandle`.

    * a :class:`GpuCluster`: its provider, selectors and :meth:`GpuCluster.workload_dependencies`;
    * a :class:`GpuClusterRef` (or a mapping of one): a new ``kubernetes.Provider`` named
      ``f"{name}-k8s"``, child of ``parent``, on the ref's kubeconfig (kept secret).

    Call it after the workload's ``super().__init__`` (it may register the provider), and
    validate the workload's args first (:data:`GpuClusterInput` does) so bad input stops the
    program before anything is registered.
    """
    where = f"{type(parent).__name__}({name!r}).cluster"
    if isinstance(value, GpuCluster):
        return ClusterHandle(
            cloud=value.cloud, cluster_name=value.cluster_name, provider=value.provider,
            gpu_node_selector=dict(value.gpu_node_selector),
            gpu_tolerations=[dict(t) for t in value.gpu_tolerations],
            gpu_capacity=list(value.gpu_capacity),
            system_node_selector=dict(getattr(value, "system_node_selector", {})),
            system_tolerations=[dict(t) for t in getattr(value, "system_tolerations", [])],
            depends_on=value.workload_dependencies())
    if isinstance(value, Mapping):
        value = validate_model(GpuClusterRef, dict(value), where)
    if not isinstance(value, GpuClusterRef):
        from pulumi_aiops.errors import ConfigError

        raise ConfigError(f"{where}: <{type(value).__name__}> is not a GpuCluster (EksGpuCluster, "
                          "CoreWeaveGpuCluster) or a GpuClusterRef")
    provider = k8s.Provider(
        f"{name}-k8s", kubeconfig=pulumi.Output.secret(value.kubeconfig),
        opts=pulumi.ResourceOptions(parent=parent))
    return ClusterHandle(
        cloud=value.cloud, cluster_name=value.cluster_name, provider=provider,
        gpu_node_selector=dict(value.gpu_node_selector),
        gpu_tolerations=[dict(t) for t in value.gpu_tolerations],
        gpu_capacity=list(value.gpu_capacity),
        system_node_selector=dict(value.system_node_selector),
        system_tolerations=[dict(t) for t in value.system_tolerations], depends_on=[])
