"""Bad EKS config: a clean ConfigError naming the full key path, the value and what is allowed,
raised before any resource is registered (through the stack config and through component args)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eks_helpers import ADMIN, CR_ID, CountingMocks, run_cluster

from pulumi_aiops.builder import main
from pulumi_aiops.catalog import known_instance_types
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program

GOVERNANCE = {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"}
GROUP: dict[str, Any] = {"name": "l4", "instanceType": "g6.xlarge", "maxSize": 2}
BASE_EKS: dict[str, Any] = {"name": "gpu", "gpuNodeGroups": [GROUP]}


def _eks(path: str, value: Any) -> dict[str, Any]:
    """BASE_EKS with ``value`` set at dotted ``path`` (list indices as numbers)."""
    doc = copy.deepcopy(BASE_EKS)
    keys = path.split(".")
    cur: Any = doc
    for k in keys[:-1]:
        cur = cur[int(k)] if k.isdigit() else cur.setdefault(k, {})
    cur[keys[-1]] = value
    return doc


def _group(**kw: Any) -> dict[str, Any]:
    return _eks("gpuNodeGroups", [{**GROUP, **kw}])


#: (eks section, key path below the section, text the message must contain)
CASES = [
    pytest.param(
        _eks("gpuNodeGroups.0.instanceType", "p9.huge"),
        ".gpuNodeGroups[0].instanceType",
        "'p9.huge' is not an EC2 instance type (not in the EC2 model of botocore",
        id="unknown-type",
    ),
    pytest.param(
        _eks("gpuNodeGroups.0.instanceType", "m6i.large"),
        ".gpuNodeGroups[0].instanceType",
        "'m6i.large' is not a GPU instance type this library knows; declare its GPUs with gpuSpec",
        id="cpu-type-in-gpu-group",
    ),
    pytest.param(
        _eks("systemNodeGroup", {"instanceType": "m6i.larg"}),
        ".systemNodeGroup.instanceType",
        "'m6i.larg' is not an EC2 instance type",
        id="system-type-typo",
    ),
    pytest.param(
        _group(instanceType="g6e.2xlarge", gpuSpec={"gpuModel": "L40S", "gpuCount": 1, "gpuMemoryGib": 44}),
        ".gpuNodeGroups[0].gpuSpec",
        "is declared by hand, but the GPU catalogue already lists aws/g6e.2xlarge (1× L40S 44 GiB); remove gpuSpec",
        id="gpu-spec-for-listed-type",
    ),
    pytest.param(
        _group(instanceType="g6f.4xlarge", gpuSpec={"gpuModel": "L4", "gpuCount": 0, "gpuMemoryGib": 11}),
        ".gpuNodeGroups[0].gpuSpec.gpuCount",
        "0 is not allowed; Input should be greater than or equal to 1",
        id="gpu-spec-zero-gpus",
    ),
    pytest.param(
        _group(desiredSize=5),
        ".gpuNodeGroups[0].desiredSize",
        "5 must lie within minSize..maxSize (0..2)",
        id="desired-above-max",
    ),
    pytest.param(_group(minSize=3), ".gpuNodeGroups[0].maxSize", "2 must be >= minSize (3)", id="max-below-min"),
    pytest.param(_group(minSize=-1), ".gpuNodeGroups[0].minSize", "-1 is not allowed", id="negative-min"),
    pytest.param(
        _eks("endpoint", {"publicAccess": True}),
        ".endpoint.publicAccessCidrs",
        "must list at least one CIDR when publicAccess is true",
        id="public-without-cidrs",
    ),
    pytest.param(
        _eks("endpoint", {"publicAccess": True, "publicAccessCidrs": ["203.0.113.0/24", "0.0.0.0/0"]}),
        ".endpoint.publicAccessCidrs[1]",
        "'0.0.0.0/0' opens the API endpoint to the whole internet",
        id="public-to-world",
    ),
    pytest.param(
        _eks("endpoint", {"publicAccess": True, "publicAccessCidrs": ["203.0.113.0/33"]}),
        ".endpoint.publicAccessCidrs[0]",
        "'203.0.113.0/33' is not a valid CIDR block",
        id="bad-cidr",
    ),
    pytest.param(
        _eks("endpoint", {"publicAccessCidrs": ["203.0.113.0/24"]}),
        ".endpoint.publicAccessCidrs",
        "are only used with publicAccess: true",
        id="cidrs-without-public",
    ),
    pytest.param(
        _eks("endpoint", {"privateAccess": False}),
        ".endpoint.privateAccess",
        "leaves the API with no endpoint",
        id="no-endpoint",
    ),
    pytest.param(
        _group(instanceType="p5.48xlarge", capacityType="CAPACITY_BLOCK"),
        ".gpuNodeGroups[0].capacityReservationId",
        "is required when capacityType is CAPACITY_BLOCK",
        id="capacity-block-without-reservation",
    ),
    pytest.param(
        _group(capacityType="CAPACITY_BLOCK", capacityReservationId=CR_ID),
        ".gpuNodeGroups[0].instanceType",
        "'g6.xlarge' is not sold as Capacity Blocks",
        id="capacity-block-wrong-family",
    ),
    pytest.param(
        _group(instanceType="p5.48xlarge", capacityType="CAPACITY_BLOCK", capacityReservationId=CR_ID,
               minSize=1),
        ".gpuNodeGroups[0].minSize",
        "1 must be 0 for a CAPACITY_BLOCK group",
        id="capacity-block-min-above-zero",
    ),
    pytest.param(
        _group(capacityType="SPOT", capacityReservationId=CR_ID),
        ".gpuNodeGroups[0].capacityReservationId",
        "is only used with capacityType CAPACITY_BLOCK",
        id="reservation-on-spot",
    ),
    pytest.param(
        _group(capacityType="RESERVED"),
        ".gpuNodeGroups[0].capacityType",
        "'RESERVED' is not allowed; Input should be 'ON_DEMAND', 'SPOT' or 'CAPACITY_BLOCK'",
        id="unknown-capacity-type",
    ),
    pytest.param(
        _group(amiType="AL2023_x86_64_STANDARD"),
        ".gpuNodeGroups[0].amiType",
        "'AL2023_x86_64_STANDARD' is not allowed; Input should be 'AL2023_x86_64_NVIDIA'",
        id="non-nvidia-ami",
    ),
    pytest.param(
        _group(amiType="AL2023_ARM_64_NVIDIA"),
        ".gpuNodeGroups[0].amiType",
        "'AL2023_ARM_64_NVIDIA' is an Arm AMI and g6.xlarge is x86_64",
        id="arm-ami-on-x86",
    ),
    pytest.param(
        _group(rootVolumeGib=50),
        ".gpuNodeGroups[0].rootVolumeGib",
        "50 is not allowed; Input should be greater than or equal to 100",
        id="root-volume-too-small",
    ),
    pytest.param(
        _group(labels={"nvidia.com/gpu.present": "false"}),
        ".gpuNodeGroups[0].labels.nvidia.com/gpu.present",
        "uses a reserved prefix",
        id="reserved-label",
    ),
    pytest.param(
        _eks("gpuNodeGroups", [GROUP, GROUP]),
        ".gpuNodeGroups[1].name",
        "'l4' is already the name of another GPU node group",
        id="duplicate-group",
    ),
    pytest.param(
        _group(name="L4_Group"), ".gpuNodeGroups[0].name", "'L4_Group' is not a valid group name", id="bad-group-name"
    ),
    pytest.param(
        _eks("version", "1.20"),
        ".version",
        "'1.20' is not a Kubernetes version EKS supports; supported on 2026-11-30 (standard or extended "
        "support): 1.32, 1.33, 1.34, 1.35, 1.36",
        id="unsupported-version",
    ),
    pytest.param(
        _eks("version", "1.31"),
        ".version",
        "'1.31' is past its end of extended support on EKS (2026-11-26): EKS creates no cluster at it",
        id="version-past-extended-support",
    ),
    pytest.param(
        _eks("logging", {"retentionDays": 42}),
        ".logging.retentionDays",
        "42 is not a CloudWatch retention value; allowed: 1, 3",
        id="bad-retention",
    ),
    pytest.param(
        _eks("logging", {"types": ["api", "scheduler"]}), ".logging.types", "must include 'audit'", id="audit-log-off"
    ),
    pytest.param(
        _eks("logging", {"types": ["api", "audit", "kubelet"]}),
        ".logging.types[2]",
        "'kubelet' is not allowed",
        id="unknown-log-type",
    ),
    pytest.param(
        _eks("network", {"vpcId": "vpc-0a1b2c3d4e5f60718"}),
        ".network.privateSubnetIds",
        "needs at least 2 private subnets",
        id="vpc-without-subnets",
    ),
    pytest.param(
        _eks("network", {"privateSubnetIds": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]}),
        ".network.privateSubnetIds",
        "needs vpcId as well",
        id="subnets-without-vpc",
    ),
    pytest.param(
        _eks("network", {"cidr": "8.8.0.0/16"}),
        ".network.cidr",
        "'8.8.0.0/16' is not allowed; the VPC CIDR must be a private IPv4 block",
        id="public-vpc-cidr",
    ),
    pytest.param(
        _eks("network", {"azCount": 1}),
        ".network.azCount",
        "1 is not allowed; Input should be greater than or equal to 2",
        id="single-az",
    ),
    pytest.param(
        _eks("encryption", {"kmsKeyArn": "alias/my-key"}),
        ".encryption.kmsKeyArn",
        "'alias/my-key' is not a KMS key ARN",
        id="bad-kms-arn",
    ),
    pytest.param(
        _eks("roleArn", "my-cluster-role"), ".roleArn", "'my-cluster-role' is not an IAM role ARN", id="bad-role-arn"
    ),
    pytest.param(
        _eks("access", {"adminPrincipalArns": [ADMIN, "alice"]}),
        ".access.adminPrincipalArns[1]",
        "'alice' is not an IAM role or user ARN",
        id="bad-admin-arn",
    ),
    pytest.param(_eks("gpuNodeGroup", [GROUP]), ".gpuNodeGroup", "unknown key", id="typo-key"),
    pytest.param(
        _group(availabilityZones=["us-east-1a"]),
        ".gpuNodeGroups[0].availabilityZones",
        "need a created VPC with explicit network.availabilityZones",
        id="group-az-without-vpc-azs",
    ),
    pytest.param(
        {
            **_group(availabilityZones=["us-east-1d"]),
            "network": {"azCount": 2, "availabilityZones": ["us-east-1a", "us-east-1b"]},
        },
        ".gpuNodeGroups[0].availabilityZones[0]",
        "'us-east-1d' is not one of network.availabilityZones (us-east-1a, us-east-1b)",
        id="group-az-unknown",
    ),
    pytest.param(
        _eks("network", {"azCount": 3, "availabilityZones": ["us-east-1a", "us-east-1b"]}),
        ".network.availabilityZones",
        "must list exactly azCount (3) zones",
        id="az-list-length",
    ),
]


@pytest.mark.parametrize(("eks", "path", "text"), CASES)
def test_stack_config_error_names_key_path(eks: dict[str, Any], path: str, text: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "eks": eks})
    assert f"aiops:platform.eks{path}: " in str(exc.value)
    assert text in str(exc.value)


@pytest.mark.parametrize(("eks", "path", "text"), CASES)
def test_component_args_error_names_key_path_and_registers_nothing(eks: dict[str, Any], path: str, text: str) -> None:
    mocks = CountingMocks()
    args = {k: v for k, v in eks.items() if k != "name"}
    with pytest.raises(ConfigError) as exc:
        run_cluster(args, name="gpu", mocks=mocks)
    assert f"EksGpuCluster('gpu'){path}: " in str(exc.value)
    assert text in str(exc.value)
    assert mocks.registered == []


@pytest.mark.parametrize(("eks", "path", "text"), CASES[:6])
def test_stack_program_stops_before_any_resource(eks: dict[str, Any], path: str, text: str) -> None:
    mocks = CountingMocks()
    with pytest.raises(ConfigError, match=r"aiops:platform\.eks"):
        run_program(main, {"aiops:platform": {"governance": GOVERNANCE, "eks": eks}}, mocks=mocks)
    assert mocks.registered == []


def test_unlisted_instance_type_message_says_gpu_spec_and_lists_the_whole_catalogue() -> None:
    """g6f.4xlarge exists in EC2 but not in the catalogue: the message says how to declare it."""
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "eks": _eks("gpuNodeGroups.0.instanceType", "g6f.4xlarge")})
    known = known_instance_types("aws")
    assert str(exc.value) == (
        "aiops:platform.eks.gpuNodeGroups[0].instanceType: 'g6f.4xlarge' is not a GPU instance type this "
        "library knows; declare its GPUs with gpuSpec {gpuModel, gpuCount, gpuMemoryGib} to use it; "
        f"known: {', '.join(known)}"
    )
    assert known[0] == "g4dn.xlarge" and known[-1] == "p6-b300.48xlarge"


def test_instance_type_that_does_not_exist_gets_a_suggestion() -> None:
    """A typo in the system group (not a GPU type) is caught against botocore's EC2 model."""
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "eks": _eks("systemNodeGroup", {"instanceType": "m6i.larg"})})
    msg = str(exc.value)
    assert msg.startswith("aiops:platform.eks.systemNodeGroup.instanceType: 'm6i.larg' is not an EC2 instance type")
    assert msg.endswith("did you mean 'm6i.large' or 'm6in.large' or 'm6id.large'?")
    # the same for a GPU group, where the suggestion is a real GPU type
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "eks": _eks("gpuNodeGroups.0.instanceType", "p5.48xlrage")})
    assert "aiops:platform.eks.gpuNodeGroups[0].instanceType: 'p5.48xlrage' is not an EC2" in str(exc.value)
    assert "did you mean 'p5.48xlarge'" in str(exc.value)


def test_a_real_system_instance_type_that_is_not_a_gpu_type_is_fine() -> None:
    system = {"instanceType": "c7g.xlarge", "amiType": "AL2023_ARM_64_STANDARD"}
    cfg = load_platform_config({"governance": GOVERNANCE, "eks": _eks("systemNodeGroup", system)})
    assert cfg.eks is not None and cfg.eks.system_node_group.instance_type == "c7g.xlarge"


def test_at_least_twelve_distinct_bad_configs() -> None:
    assert len({c.id for c in CASES}) >= 12
    assert len({p for _, p, _ in (c.values for c in CASES)}) >= 12  # distinct key paths
