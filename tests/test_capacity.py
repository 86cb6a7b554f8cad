"""The node budgets of ``pulumi_aiops.capacity``: the reservation formulas reproduce the AMIs'
own test vectors, the vendored node tables agree with EC2's instance data and the GPU
catalogue, and every term of a budget adds up."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import moto
import pytest

from pulumi_aiops.capacity import (
    COREWEAVE_CPU_INSTANCE_TYPES,
    COREWEAVE_MARGIN,
    EKS_DAEMONSETS,
    VM_MEMORY_OVERHEAD,
    aws_node_types,
    eni_max_pods,
    kube_reserved_cpu_millis,
    kube_reserved_memory_mib,
    node_budget,
    parse_cpu_millis,
    parse_memory_mib,
    share_of_node,
)
from pulumi_aiops.catalog import Cloud, catalog


@pytest.mark.parametrize(("vcpus", "millicores"), [
    # bottlerocket-core-kit sources/api/schnauzer/src/helpers/mod.rs, kube_cpu_helper_ok; the same
    # ranges as nodeadm's getCPUMillicoresToReserve (6 % / 1 % / 0.5 % / 0.25 %)
    (1, 60), (2, 70), (3, 75), (4, 80), (5, 82), (6, 85), (47, 187), (48, 190),
])
def test_kube_reserved_cpu_follows_the_amis(vcpus: int, millicores: int) -> None:
    assert kube_reserved_cpu_millis(vcpus) == millicores


def test_kube_reserved_memory_and_max_pods_follow_nodeadm() -> None:
    # nodeadm eni_max_pods_test.go TestCalcMaxPods: (3 ENIs, 6 IPs) → 17, (6, 12) → 68
    assert eni_max_pods(3, 6) == 17 and eni_max_pods(6, 12) == 68
    # bottlerocket test_kube_reserve_memory: 29 pods → 574Mi (11 × 29 + 255); 0 pods → 255Mi
    assert kube_reserved_memory_mib(29) == 574 and kube_reserved_memory_mib(0) == 255


def _moto_instance_types() -> dict[str, Any]:
    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def test_the_aws_node_table_matches_ec2s_instance_data() -> None:
    """vCPUs and memory are EC2's (DescribeInstanceTypes as moto ships it), and nodeadm's ENI count
    is the default network card's interface limit."""
    ec2 = _moto_instance_types()
    table = aws_node_types()
    assert len(table) > 200
    for name, (vcpus, mem_mib, enis, ips) in table.items():
        info = ec2[name]
        assert (vcpus, mem_mib) == (info["VCpuInfo"]["DefaultVCpus"], info["MemoryInfo"]["SizeInMiB"]), name
        net = info["NetworkInfo"]
        card = next(c for c in net["NetworkCards"] if c["NetworkCardIndex"] == net.get("DefaultNetworkCardIndex", 0))
        assert (enis, ips) == (card["MaximumNetworkInterfaces"], net["Ipv4AddressesPerInterface"]), name


def test_every_aws_gpu_type_of_the_catalogue_is_sized_consistently() -> None:
    table = aws_node_types()
    for (cloud, name), row in catalog().items():
        if cloud is not Cloud.AWS:
            continue
        vcpus, mem_mib, _, _ = table[name]
        assert (row.vcpus, row.memory_gib) == (vcpus, mem_mib // 1024), name
        assert node_budget(cloud, name) is not None


def test_every_coreweave_gpu_type_of_the_catalogue_has_a_budget() -> None:
    for (cloud, name), _row in catalog().items():
        if cloud is Cloud.COREWEAVE:
            b = node_budget(cloud, name)
            assert b is not None and b.available_cpu_millis > 0 and b.available_memory_mib > 0, name


def test_an_eks_gpu_node_budget_adds_up() -> None:
    b = node_budget("aws", "g6.xlarge")
    assert b is not None
    # 4 vCPU, 16 GiB; maxPods 4 ENIs × (15 − 1) + 2 = 58 (nodeadm's table)
    assert (b.vcpus, b.memory_mib, b.max_pods) == (4, 16384, 58)
    assert b.capacity_memory_mib == 16384
    assert b.kube_reserved_cpu_millis == 80 and b.kube_reserved_memory_mib == 11 * 58 + 255
    assert b.allocatable_cpu_millis == 4000 - 80
    assert b.allocatable_memory_mib == 16384 - (11 * 58 + 255) - 100
    # aws-node 50m, kube-proxy 100m, pod identity 0, EBS CSI node 30m/104Mi, device plugin 0
    assert {p.name for p in b.platform_pods} == {p.name for p in EKS_DAEMONSETS}
    assert (b.platform_cpu_millis, b.platform_memory_mib) == (180, 104)
    assert (b.available_cpu_millis, b.available_memory_mib) == (3740, b.allocatable_memory_mib - 104)
    # what the kernel likely keeps (Karpenter's 7.5 %) comes off the room default requests use
    assert b.likely_available_memory_mib == b.available_memory_mib - math.ceil(16384 * VM_MEMORY_OVERHEAD)
    for pod in EKS_DAEMONSETS:
        assert pod.source  # every number has its source beside it


def test_system_nodes_run_no_device_plugin_and_coreweave_keeps_a_margin() -> None:
    system = node_budget("aws", "m6i.large", gpu=False)
    assert system is not None and "nvidia-device-plugin" not in {p.name for p in system.platform_pods}
    cw = node_budget("coreweave", "gd-8xl40s-i128")
    assert cw is not None and cw.platform_pods == ()
    assert cw.margin_cpu_millis == int(128_000 * COREWEAVE_MARGIN)
    # node memory from CoreWeave's node template (kubernetes/autoscaler), not the nominal 1024 GiB
    assert cw.capacity_memory_mib == 1055337468 // 1024
    cpu = node_budget("coreweave", "cd-gp-i64-erapids", gpu=False)
    assert cpu is not None and cpu.vcpus == COREWEAVE_CPU_INSTANCE_TYPES["cd-gp-i64-erapids"][0] == 64


def test_a_hand_declared_type_is_sized_only_from_its_gpu_spec() -> None:
    assert node_budget("aws", "g4dn.metal") is None  # not in the catalogue, no gpuSpec sizes
    b = node_budget("aws", "g4dn.metal", vcpus=96, memory_gib=384)
    assert b is not None and (b.vcpus, b.memory_mib) == (96, 384 * 1024)
    assert node_budget("coreweave", "b300-8x") is None
    assert node_budget("coreweave", "b300-8x", vcpus=128, memory_gib=2048) is not None


def test_the_default_share_leaves_headroom_and_fits() -> None:
    b = node_budget("aws", "p5.48xlarge")
    assert b is not None
    cpu, mem = share_of_node(b, 1, 8)
    assert 0 < cpu * 8 <= b.available_cpu_millis * 0.9 and 0 < mem * 8 <= b.likely_available_memory_mib * 0.9
    assert cpu % 100 == 0 and mem % 512 == 0


@pytest.mark.parametrize(("q", "millis"), [("8", 8000), ("500m", 500), ("1.5", 1500)])
def test_cpu_quantities(q: str, millis: float) -> None:
    assert parse_cpu_millis(q) == millis


@pytest.mark.parametrize(("q", "mib"), [("64Gi", 65536), ("512Mi", 512), ("1G", 1e9 / 2**20)])
def test_memory_quantities(q: str, mib: float) -> None:
    assert parse_memory_mib(q) == pytest.approx(mib)
