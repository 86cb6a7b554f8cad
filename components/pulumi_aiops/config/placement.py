"""Where a workload runs, and whether it fits there.

A model server runs on a GPU pool of its cluster (the one it names with ``pool``, or any GPU
pool with enough GPUs per node); Qdrant, and later the gateway and observability, run on the
cluster's *system* nodes (EKS's system node group, a CoreWeave cluster's ``cpuNodePools``).
:func:`place_server` and :func:`check_system_requests` decide, from the node budgets of
:mod:`pulumi_aiops.capacity`:

* a server's default requests: its share of a node of its pool (of the smallest eligible pool
  when it names none), so the default always fits;
* whether given requests fit what one node can offer a workload, naming the pool, what its node
  offers (with the terms it is made of) and the request when they do not;
* whether ``replicas × gpus`` fit the pool's maximum size;
* warnings: a pool that can never run the server because its ``maxNodes`` is 0.

The stack-config check (:func:`~pulumi_aiops.config.workloads.check_workload_placement`) and the
components (:class:`~pulumi_aiops.workloads.ModelServer`, :class:`~pulumi_aiops.vector_store.VectorStore`)
use the same functions: the first with pools read from the cluster configs, the second with the
cluster's ``gpu_capacity``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_aiops.capacity import (
    COREWEAVE_SYSTEM_LABEL,
    EKS_NODE_POOL_LABEL,
    VM_MEMORY_OVERHEAD,
    NodeBudget,
    cpu_quantity,
    fmt_cpu,
    fmt_memory,
    memory_quantity,
    node_budget,
    parse_cpu_millis,
    parse_memory_mib,
    pool_selector,
    share_of_node,
)
from pulumi_aiops.catalog import Cloud, resolve
from pulumi_aiops.config.base import ConfigValueError
from pulumi_aiops.contract import CapacityType, GpuCapacity

__all__ = [
    "FALLBACK_CPU",
    "FALLBACK_MEMORY",
    "Finding",
    "ServerPlacement",
    "SystemPool",
    "check_qdrant_placement",
    "check_system_requests",
    "gpu_pools_of",
    "place_server",
    "system_pools_of",
    "system_selector",
]

#: Requests of a server whose cluster declares no GPU capacity (a ``GpuClusterRef`` without
#: ``gpuCapacity``), or whose pool's node size is unknown: small enough for any GPU node the
#: catalogue lists, and reported as unchecked.
FALLBACK_CPU = "2"
FALLBACK_MEMORY = "8Gi"
_MAX_DEFAULT_SHM_MIB = 16 * 1024


@dataclass(frozen=True)
class Finding:
    """A warning at a key path relative to the workload (``("pool",)``)."""

    loc: tuple[int | str, ...]
    value: Any
    msg: str
    key: Hashable


@dataclass(frozen=True)
class SystemPool:
    """A pool of non-GPU nodes where Qdrant, the gateway and observability run."""

    cluster: str
    cloud: Cloud
    pool: str
    instance_type: str
    min_nodes: int
    max_nodes: int

    @property
    def budget(self) -> NodeBudget | None:
        return node_budget(self.cloud, self.instance_type, gpu=False)

    def to_output(self) -> dict[str, Any]:
        b = self.budget
        return {"cluster": self.cluster, "cloud": self.cloud.value, "pool": self.pool,
                "instanceType": self.instance_type, "minNodes": self.min_nodes, "maxNodes": self.max_nodes,
                "vcpus": b and b.vcpus, "memoryGib": b and round(b.memory_mib / 1024, 1),
                "allocatableCpuMillis": b and b.allocatable_cpu_millis,
                "allocatableMemoryMib": b and b.allocatable_memory_mib,
                "platformPodsCpuMillis": b and b.platform_cpu_millis,
                "platformPodsMemoryMib": b and b.platform_memory_mib,
                "availableCpuMillis": b and b.available_cpu_millis,
                "availableMemoryMib": b and b.available_memory_mib,
                "likelyAvailableMemoryMib": b and b.likely_available_memory_mib}


@dataclass(frozen=True)
class ServerPlacement:
    """The outcome of :func:`place_server`: concrete requests and the node selector to add."""

    cpu: str
    memory: str
    shm: str
    pool_selector: dict[str, str]
    pools: tuple[GpuCapacity, ...] = ()
    warnings: tuple[Finding, ...] = field(default=())

    def resources(self) -> dict[str, str]:
        return {"cpu": self.cpu, "memory": self.memory, "shm": self.shm}


# -- pools from the cluster configs -------------------------------------------------------------
def gpu_pools_of(cluster: Any) -> list[GpuCapacity]:
    """The GPU capacity an ``EksClusterConfig`` or ``CoreWeaveClusterConfig`` declares (as the
    cluster components build it, with the node size of a ``gpuSpec``)."""
    from pulumi_aiops.config.gpu_nodes import EFA_INTERFACES, pool_sharing

    if cluster.cloud == "coreweave":
        rows = [(Cloud.COREWEAVE, p.name, p.instance_type, p.gpu_spec, p.effective_min, p.effective_max,
                 CapacityType.ON_DEMAND, False) for p in cluster.node_pools]
    else:
        rows = [(Cloud.AWS, g.name, g.instance_type, g.gpu_spec, g.min_size, g.max_size,
                 CapacityType(g.capacity_type.value), g.efa) for g in getattr(cluster, "gpu_node_groups", [])]
    sharing = getattr(cluster, "gpu_sharing", {}) or {}
    out = []
    for cloud, name, itype, declared, lo, hi, ctype, efa in rows:
        try:
            spec = resolve(cloud, itype, declared)
        except (KeyError, ValueError):  # the cluster's own validation reports unknown types
            continue
        mode, slices, slice_gib = pool_sharing(sharing.get(name), spec.gpu_model, spec.gpu_memory_gib)
        rdma, devices = ("efa", EFA_INTERFACES.get(itype, 0)) if efa else (
            ("infiniband", 1) if spec.interconnect is not None and spec.interconnect.value == "infiniband"
            else ("none", 0))
        out.append(GpuCapacity(
            cluster=cluster.name, cloud=cloud, pool=name, instance_type=itype, gpu_model=spec.gpu_model,
            gpus_per_node=spec.gpu_count, min_nodes=lo, max_nodes=hi, capacity_type=ctype,
            declared=spec.declared, price_per_hour_usd=spec.price_per_hour_usd,
            vcpus=spec.vcpus, memory_gib=spec.memory_gib, gpu_memory_gib=spec.gpu_memory_gib,
            gpu_sharing=mode, gpu_slices_per_gpu=slices, gpu_slice_memory_gib=slice_gib,
            rdma=rdma, rdma_devices=devices))
    return out


def system_pools_of(cluster: Any) -> list[SystemPool]:
    """The non-GPU pools of an ``EksClusterConfig`` (its system node group) or a
    ``CoreWeaveClusterConfig`` (its ``cpuNodePools``)."""
    if cluster.cloud == "coreweave":
        return [SystemPool(cluster.name, Cloud.COREWEAVE, p.name, p.instance_type, p.effective_min, p.effective_max)
                for p in getattr(cluster, "cpu_node_pools", [])]
    s = cluster.system_node_group
    return [SystemPool(cluster.name, Cloud.AWS, "system", s.instance_type, s.min_size, s.max_size)]


def system_selector(cloud: Cloud | str) -> dict[str, str]:
    """The node selector of a cluster's system nodes on ``cloud``."""
    if Cloud(cloud) is Cloud.AWS:
        return {EKS_NODE_POOL_LABEL: "system"}
    return {COREWEAVE_SYSTEM_LABEL: "true"}


# -- what a node offers -------------------------------------------------------------------------
def _offer(b: NodeBudget, dim: str) -> str:
    """What one node offers a workload in ``dim`` (cpu/memory), with the terms it is made of."""
    if dim == "cpu":
        kept = f"{b.kube_reserved_cpu_millis}m kube-reserved"
        if b.margin_cpu_millis:
            kept += f" and a {fmt_cpu(b.margin_cpu_millis)} margin"
        return (f"{fmt_cpu(b.available_cpu_millis)} ({b.vcpus} vCPU; allocatable {fmt_cpu(b.allocatable_cpu_millis)} "
                f"after {kept}; {b.platform_cpu_millis}m taken by the platform's own pods)")
    kept = f"{b.kube_reserved_memory_mib}Mi kube-reserved, {b.eviction_memory_mib}Mi eviction threshold"
    if b.margin_memory_mib:
        kept += f", a {fmt_memory(b.margin_memory_mib)} margin"
    seen = ("" if b.capacity_memory_mib == b.memory_mib
            else f", {fmt_memory(b.capacity_memory_mib)} seen by the kubelet")
    return (f"{fmt_memory(b.available_memory_mib)} ({fmt_memory(b.memory_mib)} node{seen}; allocatable "
            f"{fmt_memory(b.allocatable_memory_mib)} after {kept}; "
            f"{b.platform_memory_mib}Mi taken by the platform's own pods)")


def _tight(mem_q: str, label: str, b: NodeBudget) -> str:
    """Why a memory request within the documented allocatable may still not be scheduled."""
    return (f"is within the {fmt_memory(b.available_memory_mib)} a node of pool {label} leaves on paper, but the "
            f"hypervisor, firmware and kernel keep part of its memory ({VM_MEMORY_OVERHEAD:.1%} assumed, as "
            f"Karpenter does), leaving ~{fmt_memory(b.likely_available_memory_mib)}: the pod may stay Pending; "
            f"request at most {fmt_memory(b.likely_available_memory_mib)}")


def _check_fit(cpu_m: float, mem_mib: float, cpu_q: str, mem_q: str,
               sized: Sequence[tuple[str, NodeBudget]], loc_cpu: tuple[int | str, ...],
               loc_mem: tuple[int | str, ...], hint: str) -> list[tuple[str, NodeBudget]]:
    """Raise at the first dimension a request exceeds on a node of one of ``sized`` pools; return
    the pools where the memory request fits only on paper (above the likely room)."""
    for label, b in sized:
        if cpu_m > b.available_cpu_millis:
            raise ConfigValueError(f"exceeds what a node of pool {label} can offer a workload: {_offer(b, 'cpu')}; "
                                   f"{hint}", loc=loc_cpu, value=cpu_q)
    for label, b in sized:
        if mem_mib > b.available_memory_mib:
            raise ConfigValueError(f"exceeds what a node of pool {label} can offer a workload: "
                                   f"{_offer(b, 'memory')}; {hint}", loc=loc_mem, value=mem_q)
    return [(label, b) for label, b in sized if mem_mib > b.likely_available_memory_mib]


# -- model servers ------------------------------------------------------------------------------
def place_server(spec: Any, pools: Sequence[GpuCapacity], *, cluster: str, cloud: Cloud | str,
                 capacity_known: bool = True) -> ServerPlacement:
    """Place a model server (a ``ModelServerSpec``) on ``pools``, the GPU capacity of its cluster.

    Returns its concrete requests and the pool node selector; raises :class:`ConfigValueError` at
    the server's key (``pool``, ``gpus``, ``replicas``, ``resources.cpu`` …) when it cannot fit.
    ``capacity_known`` False (a cluster ref without ``gpuCapacity``): nothing can be checked;
    given requests are kept, missing ones fall back to :data:`FALLBACK_CPU`/``MEMORY``.
    """
    res = spec.resources
    warnings: list[Finding] = []
    selector = pool_selector(cloud, spec.pool) if spec.pool else {}
    if not capacity_known:
        if res.cpu is None or res.memory is None:
            warnings.append(Finding(("cluster",), cluster, (
                f"declares no GPU capacity (gpuCapacity): requests default to {FALLBACK_CPU} CPU / "
                f"{FALLBACK_MEMORY} and are not checked; pass the cluster's gpuCapacity or set resources"),
                ("unchecked", cluster, spec.name or spec.model)))
        return _finish(spec, res.cpu or FALLBACK_CPU, res.memory or FALLBACK_MEMORY, selector, (), warnings)

    names = ", ".join(p.pool for p in pools) or "none"
    if spec.pool is not None:
        targets = [p for p in pools if p.pool == spec.pool]
        if not targets:
            raise ConfigValueError(f"is not a GPU pool of cluster {cluster!r}; its GPU pools: {names}",
                                   loc=("pool",), value=spec.pool)
        if targets[0].gpu_sharing != "none" and spec.gpus != 1:
            t = targets[0]
            raise ConfigValueError(
                f"must be 1 on pool {spec.pool!r}: its GPUs are shared ({t.gpu_sharing}, "
                f"{t.gpu_slices_per_gpu} per GPU) "
                "and a replica gets one slice (the device plugin refuses a request for more than one shared GPU); "
                "set gpus 1 or pick a pool with whole GPUs", loc=("gpus",), value=spec.gpus)
        if targets[0].schedulable_gpus_per_node < spec.gpus:
            raise ConfigValueError(
                f"is more GPUs per replica than a node of pool {spec.pool!r} ({targets[0].instance_type}) has "
                f"({targets[0].gpus_per_node}); lower gpus or pick a pool with larger nodes",
                loc=("gpus",), value=spec.gpus)
        selector = dict(targets[0].pool_selector) or selector
        hint = "lower the request or pick a pool with larger nodes"
    else:
        if not pools:
            raise ConfigValueError(f"has no GPU node pools/groups, so the server could never be scheduled; add one "
                                   f"to cluster {cluster!r}", loc=("cluster",), value=cluster)
        shared = [p.pool for p in pools if p.gpu_sharing != "none"]
        if shared:
            raise ConfigValueError(
                f"shares the GPUs of pool(s) {', '.join(shared)} (time-slicing or MIG): a server on it must name its "
                "pool, so it lands on whole or shared GPUs on purpose; set pool", loc=("pool",), value=None)
        targets = [p for p in pools if p.gpus_per_node >= spec.gpus]
        if not targets:
            most = max(p.gpus_per_node for p in pools)
            raise ConfigValueError(f"is more GPUs per replica than one node of cluster {cluster!r} has (at most "
                                   f"{most}); lower gpus or add a larger GPU pool", loc=("gpus",), value=spec.gpus)
        hint = (f"the server names no pool, so it must fit every GPU pool with at least {spec.gpus} GPU(s) per "
                f"node ({', '.join(p.pool for p in targets)}); lower the request, or set pool to a larger one")

    live = [p for p in targets if p.max_nodes > 0]
    if not live:
        zero = ", ".join(p.pool for p in targets)
        where, value = (("pool",), spec.pool) if spec.pool else (("cluster",), cluster)
        warnings.append(Finding(where, value, (
            f"has maxNodes 0 (pool {zero})" if spec.pool else
            f"has no GPU pool with at least {spec.gpus} GPU(s) per node and maxNodes above 0 (pools {zero})")
            + ": the server's pods stay Pending until the pool may scale up",
            ("max0", cluster, spec.name or spec.model)))
    placed = live or targets
    sized = [(f"{cluster}/{p.pool} ({p.instance_type})", p, b) for p in placed if (b := p.budget) is not None]
    if len(sized) < len(placed):
        unknown = ", ".join(p.pool for p in placed if p.budget is None)
        if res.cpu is None or res.memory is None or sized == []:
            warnings.append(Finding(("pool",) if spec.pool else ("cluster",), spec.pool or cluster, (
                f"has GPU pools whose node size is unknown ({unknown}: declare vcpus and memoryGib in gpuSpec); "
                f"requests on them are not checked"), ("unsized", cluster, spec.name or spec.model)))

    # requests: given, or the share of the smallest sized pool
    if res.cpu is not None:
        cpu_q = res.cpu
    elif sized:
        cpu_q = cpu_quantity(min(share_of_node(b, spec.gpus, p.schedulable_gpus_per_node)[0] for _, p, b in sized))
    else:
        cpu_q = FALLBACK_CPU
    if res.memory is not None:
        mem_q = res.memory
    elif sized:
        mem_q = memory_quantity(min(share_of_node(b, spec.gpus, p.schedulable_gpus_per_node)[1] for _, p, b in sized))
    else:
        mem_q = FALLBACK_MEMORY
    cpu_m, mem_mib = parse_cpu_millis(cpu_q), parse_memory_mib(mem_q)
    tight = _check_fit(cpu_m, mem_mib, cpu_q, mem_q, [(label, b) for label, _, b in sized],
                       ("resources", "cpu"), ("resources", "memory"), hint)
    if tight:
        label, b = min(tight, key=lambda t: t[1].likely_available_memory_mib)
        warnings.append(Finding(("resources", "memory"), mem_q, _tight(mem_q, label, b),
                                ("tight", cluster, spec.name or spec.model)))

    # replicas × gpus within the pools' maximum size
    if live:
        slots = 0
        per_node_text = []
        for p in live:
            b = p.budget
            per_node = p.schedulable_gpus_per_node // spec.gpus
            if b is not None:
                per_node = min(per_node, int(b.available_cpu_millis // cpu_m), int(b.available_memory_mib // mem_mib))
            slots += p.max_nodes * per_node
            per_node_text.append(f"{p.pool}: {p.max_nodes} node(s) × {per_node} per node")
        # A server that autoscales may grow to maxReplicas; a multi-node replica is `nodes` pods.
        scale = getattr(spec, "scale_limits", None)
        replicas, loc, nodes = scale() if callable(scale) else (spec.replicas, ("replicas",), 1)
        pods = replicas * nodes
        if slots >= pods and pods + nodes > slots:
            warnings.append(Finding(loc, replicas, (
                f"fills the pool(s) at maxNodes ({'; '.join(per_node_text)}): a rolling update starts each new "
                "replica before the old one goes (maxSurge 1, maxUnavailable 0), so at this scale a rollout waits "
                f"for room; raise maxNodes by {nodes} node(s) (or lower the count) to roll without waiting"),
                ("no-surge-room", cluster, spec.name or spec.model)))
        if pods > slots:
            group = f"(× {nodes} pods each) " if nodes > 1 else ""
            what = "replicas" if loc == ("replicas",) else "it"
            raise ConfigValueError(
                f"{group}× {spec.gpus} GPU(s) is {pods * spec.gpus} GPUs, more than the pool(s) can hold at "
                f"maxNodes: at most {slots // nodes} replica(s) ({'; '.join(per_node_text)}); lower {what} or raise "
                "maxNodes", loc=loc, value=replicas)
    return _finish(spec, cpu_q, mem_q, selector, tuple(placed), warnings)


def _finish(spec: Any, cpu_q: str, mem_q: str, selector: dict[str, str], pools: tuple[GpuCapacity, ...],
            warnings: list[Finding]) -> ServerPlacement:
    mem_mib = parse_memory_mib(mem_q)
    shm_q = spec.resources.shm
    if shm_q is None:
        shm_q = memory_quantity(min(_MAX_DEFAULT_SHM_MIB, int(mem_mib // 4) // 256 * 256) or 256)
    elif parse_memory_mib(shm_q) > mem_mib:
        raise ConfigValueError(f"is more than resources.memory ({mem_q}): /dev/shm is memory-backed and counts "
                               "against the memory limit; lower shm or raise memory",
                               loc=("resources", "shm"), value=shm_q)
    return ServerPlacement(cpu_q, mem_q, shm_q, selector, pools, tuple(warnings))


# -- system workloads ---------------------------------------------------------------------------
def check_system_requests(cpu_q: str, mem_q: str, pools: Sequence[SystemPool], *, cluster: str,
                          loc_cpu: tuple[int | str, ...], loc_mem: tuple[int | str, ...], what: str) -> list[str]:
    """Raise :class:`ConfigValueError` when ``what`` (e.g. "a Qdrant pod") requesting ``cpu_q`` and
    ``mem_q`` does not fit a node of every system pool; return warnings (``msg`` read after the
    memory value): a memory request that fits only on paper."""
    sized = [(f"{cluster}/{p.pool} ({p.instance_type})", b) for p in pools if (b := p.budget) is not None]
    hint = (f"{what} runs on the cluster's system nodes and must fit the smallest of them; lower the request or "
            "use a larger instance type for the system nodes")
    tight = _check_fit(parse_cpu_millis(cpu_q), parse_memory_mib(mem_q), cpu_q, mem_q, sized, loc_cpu, loc_mem, hint)
    if not tight:
        return []
    label, b = min(tight, key=lambda t: t[1].likely_available_memory_mib)
    return [_tight(mem_q, label, b)]


def check_qdrant_placement(cluster: Any, qdrant: Any, where: str, store: str,
                           cluster_path: str | None = None) -> None:
    """Component-args form of the Qdrant check: ``cluster`` (a ``GpuCluster``) has system nodes
    and ``qdrant``'s requests fit them. Raises :class:`~pulumi_aiops.errors.ConfigError` under
    ``where`` (e.g. ``VectorStore('kb').qdrant``); ``store`` names the store in warnings' keys."""
    from pulumi_aiops.config.base import _render_path, _short
    from pulumi_aiops.errors import ConfigError

    if not getattr(cluster, "system_node_selector", None):
        raise ConfigError(
            f"{cluster_path or where + '.cluster'}: {cluster.cluster_name!r} declares no system nodes: "
            "on CoreWeave every GPU NodePool "
            "carries the GPU taint, so Qdrant would find no node; add cpuNodePools to the cluster")
    cfg = getattr(cluster, "config", None)
    pools = system_pools_of(cfg) if cfg is not None and hasattr(cfg, "cloud") else []
    try:
        tight = check_system_requests(qdrant.resources.cpu, qdrant.resources.memory, pools,
                                      cluster=cluster.cluster_name, loc_cpu=("resources", "cpu"),
                                      loc_mem=("resources", "memory"), what="a Qdrant pod")
    except ConfigValueError as exc:
        raise ConfigError(f"{_render_path(where, exc.loc)}: {_short(exc.value)} {exc.msg}") from None
    from pulumi_aiops import diagnostics

    for msg in tight:
        diagnostics.warn(f"{where}.resources.memory: {_short(qdrant.resources.memory)} {msg}",
                         key=("tight-qdrant", cluster.cluster_name, store))
