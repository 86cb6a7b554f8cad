"""What a node can give a workload: allocatable CPU and memory per node pool, with sources.

A pod is scheduled only where its requests fit the node's **allocatable** resources minus what
the pods already there request. This module computes, for a node of a pool, every term of

    available to workloads = capacity − kube-reserved − eviction threshold − platform DaemonSets

from the instance type (the GPU catalogue's vCPUs and memory, or the tables below), and writes
the source of every number beside it. The config checks (``config/workloads.py``), the default
requests of a :class:`~pulumi_aiops.workloads.ModelServer`, :class:`~pulumi_aiops.contract.GpuCapacity`
(and so ``aiops plan``) all read it from here.

**EKS (AL2023 and Bottlerocket)**

* *Capacity.* CPU: the instance's vCPUs; memory: the instance's memory (the catalogue's). The
  kubelet actually sees a little less (``MemTotal``: the hypervisor, firmware and kernel keep
  some); AWS publishes no per-type figure, and Karpenter (AWS's own node provisioner) assumes
  ``vmMemoryOverheadPercent`` = 7.5 % (:data:`VM_MEMORY_OVERHEAD`). So two figures: the
  *allocatable* of the AMI's documented formula, an upper bound (a request above it can never be
  scheduled: refused), and the *likely* room once that share is gone (default requests stay
  under it; a request between the two is a warning).
* *kube-reserved*, as nodeadm writes it into the kubelet config on the EKS AL2023 AMIs
  (awslabs/amazon-eks-ami, ``nodeadm/internal/kubelet/config.go`` at commit 6caf831 (2026-02-27),
  ``getCPUMillicoresToReserve`` and ``getMemoryMebibytesToReserve``):
  CPU 6 % of the first core, 1 % of the second, 0.5 % of the third and fourth, 0.25 % of every
  further core; memory ``11 MiB × maxPods + 255 MiB``. ``maxPods`` is nodeadm's own
  ``defaultMaxENIs × (IPv4 addresses per ENI − 1) + 2`` from its instance table
  (``nodeadm/internal/kubelet/eni_max_pods.go`` and ``instance-info.jsonl``), or 110 when the type
  is not known (``defaultMaxPods``). nodeadm computes kube-reserved from its own value even when a
  managed node group caps ``maxPods`` at 110/250 in the drop-in config.
  Bottlerocket reserves the same: ``kube_reserve_cpu`` (60m + 10m + 5m + 5m + 2.5m per further
  core) and ``kube_reserve_memory`` (``max-pods × 11 + 255`` Mi) in bottlerocket-os/
  bottlerocket-core-kit ``sources/api/schnauzer/src/helpers/mod.rs`` (commit a10182f), with
  ``max-pods`` from the same ENI table (pluto) unless the node group sets a lower one; so the
  numbers below hold for both AMI families (on Bottlerocket they may err on the safe side).
* *Eviction threshold*: ``memory.available < 100Mi`` (nodeadm's ``evictionHard``; the kubelet's
  own default on Bottlerocket, which writes none).
* *Platform DaemonSets* (:data:`EKS_DAEMONSETS`): the EKS add-ons this library installs, with
  their upstream default requests; the NVIDIA device plugin on AL2023 GPU nodes.

**CoreWeave CKS**

* *Capacity*: vCPUs and the node memory the kubelet reports, from CoreWeave's node templates in
  the Kubernetes cluster-autoscaler (kubernetes/autoscaler
  ``cluster-autoscaler/cloudprovider/coreweave/coreweave_instance_types.go`` at commit 3092154);
  a type it does not list: its nominal memory, with :data:`VM_MEMORY_OVERHEAD` as the kernel's
  likely share.
* *Reservations*: CoreWeave publishes no kube-reserved, system-reserved or eviction figures for
  CKS nodes (searched docs.coreweave.com for "allocatable" and "reserved", 2026-10). We apply the
  same formula as the EKS AMIs with ``maxPods`` 110 (the cluster-autoscaler templates' value), the
  kubelet's default 100Mi eviction threshold, and keep a **stated margin** of
  :data:`COREWEAVE_MARGIN` (5 %) of CPU and memory for CoreWeave's own node agents (CNI, node
  problem detector, monitoring, HPC verification), whose requests are not published either.
  CoreWeave installs and runs the NVIDIA device plugin on CKS; this library adds no DaemonSet.

Example::

    from pulumi_aiops.capacity import node_budget
    b = node_budget("aws", "g6.xlarge")
    b.available_cpu_millis, b.available_memory_mib      # (3740, 15287): the most a pod can request
    b.likely_available_memory_mib                       # 14058: after the kernel's likely share
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pulumi_aiops.catalog import Cloud, catalog

__all__ = [
    "COREWEAVE_CPU_INSTANCE_TYPES",
    "COREWEAVE_MARGIN",
    "COREWEAVE_NODE_POOL_LABEL",
    "COREWEAVE_SYSTEM_LABEL",
    "DEFAULT_HEADROOM",
    "EKS_DAEMONSETS",
    "EKS_NODE_POOL_LABEL",
    "EVICTION_MEMORY_MIB",
    "VM_MEMORY_OVERHEAD",
    "NodeBudget",
    "PlatformPod",
    "aws_node_types",
    "cpu_quantity",
    "fmt_cpu",
    "fmt_memory",
    "kube_reserved_cpu_millis",
    "kube_reserved_memory_mib",
    "memory_quantity",
    "node_budget",
    "parse_cpu_millis",
    "parse_memory_mib",
    "pool_selector",
    "share_of_node",
]

#: Node label carrying the pool (managed node group) name on EKS; this library sets it on every
#: node group (``aiops.io/node-pool``: the GPU group's name, or ``system``).
EKS_NODE_POOL_LABEL = "aiops.io/node-pool"
#: Node label carrying the NodePool name on CKS; CoreWeave sets it on every node of a NodePool
#: (``compute.coreweave.com/node-pool``, the label CoreWeave's cluster-autoscaler provider puts on
#: its template nodes: kubernetes/autoscaler ``cluster-autoscaler/cloudprovider/coreweave/
#: coreweave_utils.go``, ``coreWeaveNodePoolName``).
COREWEAVE_NODE_POOL_LABEL = "compute.coreweave.com/node-pool"
#: Label this library puts on every node of a CoreWeave cluster's ``cpuNodePools`` (``"true"``):
#: the cluster's system node selector.
COREWEAVE_SYSTEM_LABEL = "pulumi-aiops/system"

#: Memory the hypervisor, firmware and kernel keep from the nominal instance memory: Karpenter's
#: ``vm-memory-overhead-percent`` default, 0.075 (aws/karpenter-provider-aws
#: ``pkg/operator/options/options.go`` at commit 1d92708, 2026-08).
VM_MEMORY_OVERHEAD = 0.075
#: Hard eviction threshold ``memory.available``: nodeadm's ``evictionHard`` (awslabs/amazon-eks-ami
#: ``nodeadm/internal/kubelet/config.go``, ``defaultKubeletSubConfig``) and the kubelet's default.
EVICTION_MEMORY_MIB = 100
#: The kubelet's default ``maxPods`` and nodeadm's fallback when it cannot read the instance type
#: (``defaultMaxPods`` in ``nodeadm/internal/kubelet/eni_max_pods.go``).
DEFAULT_MAX_PODS = 110
#: Stated margin on CoreWeave nodes (no published reservations; see the module docstring).
COREWEAVE_MARGIN = 0.05
#: Share of a node's room that default requests leave free: for DaemonSets added later (the DCGM
#: exporter) and for the difference between this estimate and a real node. A design choice.
DEFAULT_HEADROOM = 0.10


@dataclass(frozen=True)
class PlatformPod:
    """A DaemonSet the platform runs on a node, and what its pod requests."""

    name: str
    cpu_millis: int
    memory_mib: int
    source: str
    #: Only on GPU nodes (the device plugin); else on every node.
    gpu_only: bool = False


#: What the platform itself runs on every EKS node this library creates (requests summed over
#: the pod's containers; init containers run before and do not add).
EKS_DAEMONSETS: tuple[PlatformPod, ...] = (
    PlatformPod("aws-node (vpc-cni)", 50, 0,
                "aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml 1.23.1 (commit b521883): `resources: "
                "requests: cpu: 25m` for aws-node, and the aws-eks-nodeagent container defaults to the same "
                "(templates/daemonset.yaml); config/master/aws-k8s-cni.yaml, the add-on manifest, agrees"),
    PlatformPod("kube-proxy", 100, 0,
                "EKS's kube-proxy DaemonSet requests cpu 100m and no memory (the manifest EKS installs, as "
                "captured in eksctl-io/eksctl pkg/addons/default/testdata/sample-old-kube-proxy-amd.json; "
                "aws/containers-roadmap#1509: no memory request); EKS publishes no chart for it "
                "(aws/containers-roadmap#1503)"),
    PlatformPod("eks-pod-identity-agent", 0, 0,
                "aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml 1.2.0 (commit d4dc0f3): "
                "`resources: {}`"),
    PlatformPod("ebs-csi-node", 30, 104,
                "kubernetes-sigs/aws-ebs-csi-driver chart 2.64.0 (commit 429e202): node container 10m/40Mi "
                "(values.yaml node.resources), node-driver-registrar and liveness-probe 10m/32Mi each "
                "(templates/_node.tpl defaults); deploy/kubernetes/base/node.yaml agrees"),
    PlatformPod("nvidia-device-plugin", 0, 0,
                "NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml v0.17.1: "
                "`resources: {}` (AL2023 GPU nodes only; Bottlerocket runs its own as a host service)",
                gpu_only=True),
    # The DCGM exporter joins here when the observability stack installs it.
)

#: CoreWeave CPU instance types a CKS NodePool takes: ``instanceType`` → (vCPUs, node memory KiB,
#: maxPods), from CoreWeave's node templates in kubernetes/autoscaler
#: ``cluster-autoscaler/cloudprovider/coreweave/coreweave_instance_types.go`` (commit 3092154).
#: turin-gp: docs.coreweave.com/platform/instances/cpu/turin-gp (AMD Turin 9655P, 192 vCPUs,
#: 1536 GB). Availability differs by zone: docs.coreweave.com/platform/instances/availability-matrix.
COREWEAVE_CPU_INSTANCE_TYPES: dict[str, tuple[int, int, int]] = {
    "cd-gp-a192-genoa": (192, 1583811548, 110),      # AMD Genoa 9454, general purpose
    "cd-gp-l-a192-genoa": (192, 1583796048, 110),    # the same, high local storage
    "cd-hp-a96-genoa": (96, 791111968, 110),         # AMD Genoa 9274F, high performance
    "cd-hc-a384-genoa": (384, 1583673336, 300),      # AMD Genoa 9654, high core count
    "cd-hc-a384ib-genoa": (384, 1583672504, 110),    # the same, with InfiniBand
    "cd-gp-i64-erapids": (64, 526674536, 110),       # Intel Emerald Rapids, general purpose
    "cd-gp-l-i64-erapids": (64, 526668108, 110),     # the same, high local storage
    "cd-gp-i96-icelake": (96, 394209340, 110),       # Intel Ice Lake 6342, general purpose
    "turin-gp": (192, 1583297960, 110),              # AMD Turin 9655P, general purpose
    "turin-gp-l": (192, 1583282436, 110),            # the same, high local storage
}
#: CoreWeave GPU instance types in the same file: node memory KiB and maxPods (vCPUs: the catalogue).
_COREWEAVE_GPU_NODES: dict[str, tuple[int, int]] = {
    "b200-8x": (2112277172, 110),
    "gd-1xgh200": (600218240, 110),
    "gd-8xa100-i128": (2112249840, 110),
    "gd-8xh100ib-i128": (2112109804, 110),
    "gd-8xh200ib-i128": (2112109800, 110),
    "gd-8xl40-i128": (1055335508, 110),
    "gd-8xl40s-i128": (1055337468, 110),
    "rtxp6000-8x": (1055335468, 110),
}

#: AWS instance types whose nodes this module can size: ``name → (vCPUs, memory MiB, default
#: ENIs, IPv4 addresses per ENI)``. vCPUs and memory: EC2 DescribeInstanceTypes (the copy in
#: moto 5.2.5 ``ec2/resources/instance_types.json.gz``; ``tests/test_capacity.py`` re-checks them
#: against it and against the GPU catalogue). ENIs and addresses: nodeadm's instance table,
#: awslabs/amazon-eks-ami ``nodeadm/internal/kubelet/instance-info.jsonl`` at commit 4d63a3b
#: (2026-07-01). Covered: every AWS type of the GPU catalogue and the usual system-node families
#: (m5/m5a/m6i/m6a/m7i/m7a/m6g/m7g/m8g, c5/c6i/c6a/c7i/c7a/c6g/c7g, r5/r6i/r6a/r7i/r7a/r6g/r7g,
#: t3/t3a), metal sizes excepted.
_AWS_NODES: dict[str, tuple[int, int, int, int]] = {
    "g4dn.xlarge": (4, 16384, 3, 10), "g4dn.2xlarge": (8, 32768, 3, 10), "g4dn.4xlarge": (16, 65536, 3, 10),
    "g4dn.8xlarge": (32, 131072, 4, 15), "g4dn.12xlarge": (48, 196608, 8, 30), "g4dn.16xlarge": (64, 262144, 4, 15),
    "g5.xlarge": (4, 16384, 4, 15), "g5.2xlarge": (8, 32768, 4, 15), "g5.4xlarge": (16, 65536, 8, 30),
    "g5.8xlarge": (32, 131072, 8, 30), "g5.12xlarge": (48, 196608, 15, 50), "g5.16xlarge": (64, 262144, 8, 30),
    "g5.24xlarge": (96, 393216, 15, 50), "g5.48xlarge": (192, 786432, 7, 50), "g6.xlarge": (4, 16384, 4, 15),
    "g6.2xlarge": (8, 32768, 4, 15), "g6.4xlarge": (16, 65536, 8, 30), "g6.8xlarge": (32, 131072, 8, 30),
    "g6.12xlarge": (48, 196608, 8, 30), "g6.16xlarge": (64, 262144, 15, 50), "g6.24xlarge": (96, 393216, 15, 50),
    "g6.48xlarge": (192, 786432, 15, 50), "g6e.xlarge": (4, 32768, 4, 15), "g6e.2xlarge": (8, 65536, 4, 15),
    "g6e.4xlarge": (16, 131072, 8, 30), "g6e.8xlarge": (32, 262144, 8, 30), "g6e.12xlarge": (48, 393216, 10, 30),
    "g6e.16xlarge": (64, 524288, 15, 50), "g6e.24xlarge": (96, 786432, 10, 50),
    "g6e.48xlarge": (192, 1572864, 10, 50), "g7e.2xlarge": (8, 65536, 4, 64), "g7e.4xlarge": (16, 131072, 8, 64),
    "g7e.8xlarge": (32, 262144, 8, 64), "g7e.12xlarge": (48, 524288, 10, 64), "g7e.24xlarge": (96, 1048576, 10, 64),
    "g7e.48xlarge": (192, 2097152, 10, 64), "p4d.24xlarge": (96, 1179648, 15, 50),
    "p4de.24xlarge": (96, 1179648, 15, 50), "p5.4xlarge": (16, 262144, 4, 30), "p5.48xlarge": (192, 2097152, 2, 50),
    "p5e.48xlarge": (192, 2097152, 2, 50), "p5en.48xlarge": (192, 2097152, 4, 50),
    "p6-b200.48xlarge": (192, 2097152, 4, 50), "p6-b300.48xlarge": (192, 4194304, 4, 50),
    "m5.large": (2, 8192, 3, 10), "m5.xlarge": (4, 16384, 4, 15), "m5.2xlarge": (8, 32768, 4, 15),
    "m5.4xlarge": (16, 65536, 8, 30), "m5.8xlarge": (32, 131072, 8, 30), "m5.12xlarge": (48, 196608, 8, 30),
    "m5.16xlarge": (64, 262144, 15, 50), "m5.24xlarge": (96, 393216, 15, 50), "m5a.large": (2, 8192, 3, 10),
    "m5a.xlarge": (4, 16384, 4, 15), "m5a.2xlarge": (8, 32768, 4, 15), "m5a.4xlarge": (16, 65536, 8, 30),
    "m5a.8xlarge": (32, 131072, 8, 30), "m5a.12xlarge": (48, 196608, 8, 30), "m5a.16xlarge": (64, 262144, 15, 50),
    "m5a.24xlarge": (96, 393216, 15, 50), "m6a.large": (2, 8192, 3, 10), "m6a.xlarge": (4, 16384, 4, 15),
    "m6a.2xlarge": (8, 32768, 4, 15), "m6a.4xlarge": (16, 65536, 8, 30), "m6a.8xlarge": (32, 131072, 8, 30),
    "m6a.12xlarge": (48, 196608, 8, 30), "m6a.16xlarge": (64, 262144, 15, 50), "m6a.24xlarge": (96, 393216, 15, 50),
    "m6a.32xlarge": (128, 524288, 15, 50), "m6a.48xlarge": (192, 786432, 15, 50), "m6i.large": (2, 8192, 3, 10),
    "m6i.xlarge": (4, 16384, 4, 15), "m6i.2xlarge": (8, 32768, 4, 15), "m6i.4xlarge": (16, 65536, 8, 30),
    "m6i.8xlarge": (32, 131072, 8, 30), "m6i.12xlarge": (48, 196608, 8, 30), "m6i.16xlarge": (64, 262144, 15, 50),
    "m6i.24xlarge": (96, 393216, 15, 50), "m6i.32xlarge": (128, 524288, 15, 50), "m7a.medium": (1, 4096, 2, 4),
    "m7a.large": (2, 8192, 3, 10), "m7a.xlarge": (4, 16384, 4, 15), "m7a.2xlarge": (8, 32768, 4, 15),
    "m7a.4xlarge": (16, 65536, 8, 30), "m7a.8xlarge": (32, 131072, 8, 30), "m7a.12xlarge": (48, 196608, 8, 30),
    "m7a.16xlarge": (64, 262144, 15, 50), "m7a.24xlarge": (96, 393216, 15, 50),
    "m7a.32xlarge": (128, 524288, 15, 50), "m7a.48xlarge": (192, 786432, 15, 50), "m7i.large": (2, 8192, 3, 10),
    "m7i.xlarge": (4, 16384, 4, 15), "m7i.2xlarge": (8, 32768, 4, 15), "m7i.4xlarge": (16, 65536, 8, 30),
    "m7i.8xlarge": (32, 131072, 8, 30), "m7i.12xlarge": (48, 196608, 8, 30), "m7i.16xlarge": (64, 262144, 15, 50),
    "m7i.24xlarge": (96, 393216, 15, 50), "m7i.48xlarge": (192, 786432, 15, 50), "m6g.medium": (1, 4096, 2, 4),
    "m6g.large": (2, 8192, 3, 10), "m6g.xlarge": (4, 16384, 4, 15), "m6g.2xlarge": (8, 32768, 4, 15),
    "m6g.4xlarge": (16, 65536, 8, 30), "m6g.8xlarge": (32, 131072, 8, 30), "m6g.12xlarge": (48, 196608, 8, 30),
    "m6g.16xlarge": (64, 262144, 15, 50), "m7g.medium": (1, 4096, 2, 4), "m7g.large": (2, 8192, 3, 10),
    "m7g.xlarge": (4, 16384, 4, 15), "m7g.2xlarge": (8, 32768, 4, 15), "m7g.4xlarge": (16, 65536, 8, 30),
    "m7g.8xlarge": (32, 131072, 8, 30), "m7g.12xlarge": (48, 196608, 8, 30), "m7g.16xlarge": (64, 262144, 15, 50),
    "m8g.medium": (1, 4096, 2, 4), "m8g.large": (2, 8192, 3, 10), "m8g.xlarge": (4, 16384, 4, 15),
    "m8g.2xlarge": (8, 32768, 4, 15), "m8g.4xlarge": (16, 65536, 8, 30), "m8g.8xlarge": (32, 131072, 8, 30),
    "m8g.12xlarge": (48, 196608, 8, 30), "m8g.16xlarge": (64, 262144, 15, 50), "m8g.24xlarge": (96, 393216, 15, 50),
    "m8g.48xlarge": (192, 786432, 15, 50), "c5.large": (2, 4096, 3, 10), "c5.xlarge": (4, 8192, 4, 15),
    "c5.2xlarge": (8, 16384, 4, 15), "c5.4xlarge": (16, 32768, 8, 30), "c5.12xlarge": (48, 98304, 8, 30),
    "c5.24xlarge": (96, 196608, 15, 50), "c6a.large": (2, 4096, 3, 10), "c6a.xlarge": (4, 8192, 4, 15),
    "c6a.2xlarge": (8, 16384, 4, 15), "c6a.4xlarge": (16, 32768, 8, 30), "c6a.8xlarge": (32, 65536, 8, 30),
    "c6a.12xlarge": (48, 98304, 8, 30), "c6a.16xlarge": (64, 131072, 15, 50), "c6a.24xlarge": (96, 196608, 15, 50),
    "c6a.32xlarge": (128, 262144, 15, 50), "c6a.48xlarge": (192, 393216, 15, 50), "c6i.large": (2, 4096, 3, 10),
    "c6i.xlarge": (4, 8192, 4, 15), "c6i.2xlarge": (8, 16384, 4, 15), "c6i.4xlarge": (16, 32768, 8, 30),
    "c6i.8xlarge": (32, 65536, 8, 30), "c6i.12xlarge": (48, 98304, 8, 30), "c6i.16xlarge": (64, 131072, 15, 50),
    "c6i.24xlarge": (96, 196608, 15, 50), "c6i.32xlarge": (128, 262144, 15, 50), "c7a.medium": (1, 2048, 2, 4),
    "c7a.large": (2, 4096, 3, 10), "c7a.xlarge": (4, 8192, 4, 15), "c7a.2xlarge": (8, 16384, 4, 15),
    "c7a.4xlarge": (16, 32768, 8, 30), "c7a.8xlarge": (32, 65536, 8, 30), "c7a.12xlarge": (48, 98304, 8, 30),
    "c7a.16xlarge": (64, 131072, 15, 50), "c7a.24xlarge": (96, 196608, 15, 50),
    "c7a.32xlarge": (128, 262144, 15, 50), "c7a.48xlarge": (192, 393216, 15, 50), "c7i.large": (2, 4096, 3, 10),
    "c7i.xlarge": (4, 8192, 4, 15), "c7i.2xlarge": (8, 16384, 4, 15), "c7i.4xlarge": (16, 32768, 8, 30),
    "c7i.8xlarge": (32, 65536, 8, 30), "c7i.12xlarge": (48, 98304, 8, 30), "c7i.16xlarge": (64, 131072, 15, 50),
    "c7i.24xlarge": (96, 196608, 15, 50), "c7i.48xlarge": (192, 393216, 15, 50), "c6g.medium": (1, 2048, 2, 4),
    "c6g.large": (2, 4096, 3, 10), "c6g.xlarge": (4, 8192, 4, 15), "c6g.2xlarge": (8, 16384, 4, 15),
    "c6g.4xlarge": (16, 32768, 8, 30), "c6g.8xlarge": (32, 65536, 8, 30), "c6g.12xlarge": (48, 98304, 8, 30),
    "c6g.16xlarge": (64, 131072, 15, 50), "c7g.medium": (1, 2048, 2, 4), "c7g.large": (2, 4096, 3, 10),
    "c7g.xlarge": (4, 8192, 4, 15), "c7g.2xlarge": (8, 16384, 4, 15), "c7g.4xlarge": (16, 32768, 8, 30),
    "c7g.8xlarge": (32, 65536, 8, 30), "c7g.12xlarge": (48, 98304, 8, 30), "c7g.16xlarge": (64, 131072, 15, 50),
    "r5.large": (2, 16384, 3, 10), "r5.xlarge": (4, 32768, 4, 15), "r5.2xlarge": (8, 65536, 4, 15),
    "r5.4xlarge": (16, 131072, 8, 30), "r5.8xlarge": (32, 262144, 8, 30), "r5.12xlarge": (48, 393216, 8, 30),
    "r5.16xlarge": (64, 524288, 15, 50), "r5.24xlarge": (96, 786432, 15, 50), "r6a.large": (2, 16384, 3, 10),
    "r6a.xlarge": (4, 32768, 4, 15), "r6a.2xlarge": (8, 65536, 4, 15), "r6a.4xlarge": (16, 131072, 8, 30),
    "r6a.8xlarge": (32, 262144, 8, 30), "r6a.12xlarge": (48, 393216, 8, 30), "r6a.16xlarge": (64, 524288, 15, 50),
    "r6a.24xlarge": (96, 786432, 15, 50), "r6a.32xlarge": (128, 1048576, 15, 50),
    "r6a.48xlarge": (192, 1572864, 15, 50), "r6i.large": (2, 16384, 3, 10), "r6i.xlarge": (4, 32768, 4, 15),
    "r6i.2xlarge": (8, 65536, 4, 15), "r6i.4xlarge": (16, 131072, 8, 30), "r6i.8xlarge": (32, 262144, 8, 30),
    "r6i.12xlarge": (48, 393216, 8, 30), "r6i.16xlarge": (64, 524288, 15, 50), "r6i.24xlarge": (96, 786432, 15, 50),
    "r6i.32xlarge": (128, 1048576, 15, 50), "r7a.medium": (1, 8192, 2, 4), "r7a.large": (2, 16384, 3, 10),
    "r7a.xlarge": (4, 32768, 4, 15), "r7a.2xlarge": (8, 65536, 4, 15), "r7a.4xlarge": (16, 131072, 8, 30),
    "r7a.8xlarge": (32, 262144, 8, 30), "r7a.12xlarge": (48, 393216, 8, 30), "r7a.16xlarge": (64, 524288, 15, 50),
    "r7a.24xlarge": (96, 786432, 15, 50), "r7a.32xlarge": (128, 1048576, 15, 50),
    "r7a.48xlarge": (192, 1572864, 15, 50), "r7i.large": (2, 16384, 3, 10), "r7i.xlarge": (4, 32768, 4, 15),
    "r7i.2xlarge": (8, 65536, 4, 15), "r7i.4xlarge": (16, 131072, 8, 30), "r7i.8xlarge": (32, 262144, 8, 30),
    "r7i.12xlarge": (48, 393216, 8, 30), "r7i.16xlarge": (64, 524288, 15, 50), "r7i.24xlarge": (96, 786432, 15, 50),
    "r7i.48xlarge": (192, 1572864, 15, 50), "r6g.medium": (1, 8192, 2, 4), "r6g.large": (2, 16384, 3, 10),
    "r6g.xlarge": (4, 32768, 4, 15), "r6g.2xlarge": (8, 65536, 4, 15), "r6g.4xlarge": (16, 131072, 8, 30),
    "r6g.8xlarge": (32, 262144, 8, 30), "r6g.12xlarge": (48, 393216, 8, 30), "r6g.16xlarge": (64, 524288, 15, 50),
    "r7g.medium": (1, 8192, 2, 4), "r7g.large": (2, 16384, 3, 10), "r7g.xlarge": (4, 32768, 4, 15),
    "r7g.2xlarge": (8, 65536, 4, 15), "r7g.4xlarge": (16, 131072, 8, 30), "r7g.8xlarge": (32, 262144, 8, 30),
    "r7g.12xlarge": (48, 393216, 8, 30), "r7g.16xlarge": (64, 524288, 15, 50), "t3.medium": (2, 4096, 3, 6),
    "t3.large": (2, 8192, 3, 12), "t3.xlarge": (4, 16384, 4, 15), "t3.2xlarge": (8, 32768, 4, 15),
    "t3a.medium": (2, 4096, 3, 6), "t3a.large": (2, 8192, 3, 12), "t3a.xlarge": (4, 16384, 4, 15),
    "t3a.2xlarge": (8, 32768, 4, 15),
}


def aws_node_types() -> dict[str, tuple[int, int, int, int]]:
    """The AWS node table (a copy): ``name → (vCPUs, memory MiB, default ENIs, IPv4 per ENI)``."""
    return dict(_AWS_NODES)


# -- quantities ------------------------------------------------------------------------------
_QTY_RE = re.compile(r"^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
_MEM_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_MIB = 2**20


def parse_cpu_millis(quantity: str) -> float:
    """A Kubernetes CPU quantity in millicores: ``"8"`` → 8000, ``"500m"`` → 500."""
    m = _QTY_RE.match(str(quantity))
    if not m or m.group(2) not in (None, "m"):
        raise ValueError(f"{quantity!r} is not a CPU quantity (e.g. '4', '3500m')")
    number = float(m.group(1))
    return number if m.group(2) == "m" else number * 1000


def parse_memory_mib(quantity: str) -> float:
    """A Kubernetes memory quantity in MiB: ``"64Gi"`` → 65536, ``"1G"`` → 953.67."""
    m = _QTY_RE.match(str(quantity))
    if not m:
        raise ValueError(f"{quantity!r} is not a memory quantity (e.g. '16Gi', '512Mi')")
    return float(m.group(1)) * _MEM_FACTORS[m.group(2)] / _MIB


def fmt_cpu(millis: float) -> str:
    """``3740`` → ``"3.74 CPU"``; whole cores without decimals."""
    cores = millis / 1000
    return f"{cores:g} CPU" if cores == int(cores) else f"{cores:.2f}".rstrip("0") + " CPU"


def fmt_memory(mib: float) -> str:
    """``14058`` → ``"13.7Gi"``; below 1 GiB in Mi."""
    if mib < 1024:
        return f"{mib:.0f}Mi"
    return f"{mib / 1024:.1f}".removesuffix(".0") + "Gi"


def cpu_quantity(millis: int) -> str:
    """A CPU request as Kubernetes writes it: whole cores as ``"3"``, else ``"3300m"``."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_quantity(mib: int) -> str:
    """A memory request: whole GiB as ``"12Gi"``, else ``"12800Mi"``."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


# -- reservations ------------------------------------------------------------------------------
def kube_reserved_cpu_millis(vcpus: int) -> int:
    """nodeadm's ``getCPUMillicoresToReserve``: 6 % of the first core, 1 % of the second, 0.5 % of
    the third and fourth, 0.25 % of the rest (integer millicores, as nodeadm rounds)."""
    total = vcpus * 1000
    ranges = (0, 1000, 2000, 4000, total)
    per_ten_thousand = (600, 100, 50, 25)
    reserved = 0
    for i, pct in enumerate(per_ten_thousand):
        start, end = ranges[i], ranges[i + 1]
        if total <= start:
            continue
        reserved += (min(total, end) - start) * pct // 10000
    return reserved


def kube_reserved_memory_mib(max_pods: int) -> int:
    """nodeadm's ``getMemoryMebibytesToReserve`` (and Bottlerocket's ``kube_reserve_memory``)."""
    return 11 * max_pods + 255


def eni_max_pods(default_enis: int, ipv4_per_eni: int) -> int:
    """nodeadm's ``calculateStandardMaxPods``: ``ENIs × (IPv4 per ENI − 1) + 2``."""
    return default_enis * (ipv4_per_eni - 1) + 2


# -- a node ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeBudget:
    """What one node of a pool has, keeps, and leaves for workloads (CPU in millicores, memory
    in MiB). ``allocatable`` is what the kubelet reports; ``available`` is what is left after
    the platform's own DaemonSets, i.e. what one workload pod may request at most."""

    cloud: Cloud
    instance_type: str
    vcpus: int
    memory_mib: int
    #: Memory the kubelet reports at most: the node template's figure (CoreWeave) or the nominal one.
    capacity_memory_mib: int
    max_pods: int
    kube_reserved_cpu_millis: int
    kube_reserved_memory_mib: int
    eviction_memory_mib: int
    margin_cpu_millis: int = 0
    margin_memory_mib: int = 0
    #: What the hypervisor, firmware and kernel likely keep of ``capacity_memory_mib`` (0 where the
    #: capacity is a measured node figure).
    kernel_memory_mib: int = 0
    platform_pods: tuple[PlatformPod, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def allocatable_cpu_millis(self) -> int:
        return self.vcpus * 1000 - self.kube_reserved_cpu_millis - self.margin_cpu_millis

    @property
    def allocatable_memory_mib(self) -> int:
        return (self.capacity_memory_mib - self.kube_reserved_memory_mib - self.eviction_memory_mib
                - self.margin_memory_mib)

    @property
    def platform_cpu_millis(self) -> int:
        return sum(p.cpu_millis for p in self.platform_pods)

    @property
    def platform_memory_mib(self) -> int:
        return sum(p.memory_mib for p in self.platform_pods)

    @property
    def available_cpu_millis(self) -> int:
        return self.allocatable_cpu_millis - self.platform_cpu_millis

    @property
    def available_memory_mib(self) -> int:
        return self.allocatable_memory_mib - self.platform_memory_mib

    @property
    def likely_available_memory_mib(self) -> int:
        """``available_memory_mib`` less the kernel's likely share: what default requests stay under."""
        return self.available_memory_mib - self.kernel_memory_mib

    def describe(self) -> str:
        """One line: the node, its allocatable and what is left for workloads."""
        return (f"{self.instance_type}: {self.vcpus} vCPU / {fmt_memory(self.memory_mib)}, allocatable "
                f"{fmt_cpu(self.allocatable_cpu_millis)} / {fmt_memory(self.allocatable_memory_mib)}, platform pods "
                f"{self.platform_cpu_millis}m / {self.platform_memory_mib}Mi, left for workloads "
                f"{fmt_cpu(self.available_cpu_millis)} / {fmt_memory(self.available_memory_mib)} "
                f"(~{fmt_memory(self.likely_available_memory_mib)} after the kernel's share)")


def _catalogue_sizes(cloud: Cloud, instance_type: str) -> tuple[int | None, int | None]:
    row = catalog().get((cloud, instance_type))
    if row is None:
        return None, None
    return row.vcpus, None if row.memory_gib is None else row.memory_gib * 1024


def node_budget(cloud: Cloud | str, instance_type: str, *, gpu: bool = True, vcpus: int | None = None,
                memory_gib: int | None = None) -> NodeBudget | None:
    """The budget of one node of ``instance_type`` on ``cloud``; ``None`` when its vCPUs or
    memory are unknown (a hand-declared ``gpuSpec`` without ``vcpus``/``memoryGib``, or a type
    none of the tables lists). ``vcpus``/``memory_gib`` (a ``gpuSpec``'s) are used when the
    catalogue does not list the type. ``gpu``: a GPU node (runs the device plugin on EKS)."""
    c = Cloud(cloud)
    cat_vcpus, cat_mem = _catalogue_sizes(c, instance_type)
    n_vcpus = cat_vcpus or vcpus
    mem = cat_mem or (None if memory_gib is None else memory_gib * 1024)
    notes: list[str] = []
    if c is Cloud.AWS:
        if instance_type in _AWS_NODES:
            t_vcpus, t_mem, enis, ips = _AWS_NODES[instance_type]
            n_vcpus, mem = n_vcpus or t_vcpus, mem or t_mem
            max_pods = eni_max_pods(enis, ips)
        else:
            max_pods = DEFAULT_MAX_PODS
            notes.append(f"{instance_type} is not in nodeadm's instance table here: maxPods {DEFAULT_MAX_PODS} assumed")
        if n_vcpus is None or mem is None:
            return None
        pods = tuple(p for p in EKS_DAEMONSETS if gpu or not p.gpu_only)
        return NodeBudget(c, instance_type, n_vcpus, mem, mem, max_pods,
                          kube_reserved_cpu_millis(n_vcpus), kube_reserved_memory_mib(max_pods),
                          EVICTION_MEMORY_MIB, kernel_memory_mib=math.ceil(mem * VM_MEMORY_OVERHEAD),
                          platform_pods=pods, notes=tuple(notes))
    kernel = 0
    if instance_type in COREWEAVE_CPU_INSTANCE_TYPES:
        t_vcpus, kib, max_pods = COREWEAVE_CPU_INSTANCE_TYPES[instance_type]
        n_vcpus, capacity_mem = n_vcpus or t_vcpus, kib // 1024
        mem = mem or capacity_mem
    elif instance_type in _COREWEAVE_GPU_NODES and mem is not None:
        kib, max_pods = _COREWEAVE_GPU_NODES[instance_type]
        capacity_mem = kib // 1024
    elif mem is not None:
        max_pods = DEFAULT_MAX_PODS
        capacity_mem, kernel = mem, math.ceil(mem * VM_MEMORY_OVERHEAD)
        notes.append(f"{instance_type} has no CoreWeave node template here: the kernel's share assumed "
                     f"{VM_MEMORY_OVERHEAD:.1%}, maxPods {DEFAULT_MAX_PODS} assumed")
    else:
        return None
    if n_vcpus is None:
        return None
    return NodeBudget(c, instance_type, n_vcpus, mem, capacity_mem, max_pods,
                      kube_reserved_cpu_millis(n_vcpus), kube_reserved_memory_mib(max_pods),
                      EVICTION_MEMORY_MIB,
                      margin_cpu_millis=math.ceil(n_vcpus * 1000 * COREWEAVE_MARGIN),
                      margin_memory_mib=math.ceil(capacity_mem * COREWEAVE_MARGIN), kernel_memory_mib=kernel,
                      notes=(f"CoreWeave publishes no node reservations: EKS formula and a "
                             f"{COREWEAVE_MARGIN:.0%} margin assumed", *notes))


def pool_selector(cloud: Cloud | str, pool: str) -> dict[str, str]:
    """The node selector that lands a pod on the nodes of ``pool`` of a cluster on ``cloud``."""
    label = EKS_NODE_POOL_LABEL if Cloud(cloud) is Cloud.AWS else COREWEAVE_NODE_POOL_LABEL
    return {label: pool}


def share_of_node(budget: NodeBudget, gpus: int, gpus_per_node: int,
                  headroom: float = DEFAULT_HEADROOM) -> tuple[int, int]:
    """Default requests of a pod using ``gpus`` of a node's ``gpus_per_node``: that share of what
    the node likely leaves for workloads, less ``headroom``, rounded down to 100m CPU and 512Mi."""
    frac = gpus / gpus_per_node * (1 - headroom)
    cpu = int(budget.available_cpu_millis * frac) // 100 * 100
    mem = int(budget.likely_available_memory_mib * frac) // 512 * 512
    return cpu, mem
