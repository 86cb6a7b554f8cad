"""Issue 9, group 2 leftovers: upper bounds on both clouds, the supported Kubernetes version
windows of EKS and CKS, and settings that another setting makes moot refused (never silently
ignored), each error naming its key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_aiops import diagnostics
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.config.coreweave import (
    CKS_DEPRECATED_VERSIONS,
    CKS_MAX_NODES,
    CKS_SUPPORTED_VERSIONS,
)
from pulumi_aiops.config.coreweave import (
    DEFAULT_VERSION as CKS_DEFAULT,
)
from pulumi_aiops.config.eks import CALENDAR_AS_OF, DEFAULT_VERSION, EKS_CALENDAR, SUPPORTED_VERSIONS
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program
from stack_plans import STACKS, planned

L4 = {"name": "l4", "instanceType": "g6.xlarge"}
L40S = {"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}


def _refused(platform: dict[str, Any], path: str, text: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_platform_config(platform)
    assert f"{path}: " in str(err.value) and text in str(err.value), str(err.value)


def _warnings(platform: dict[str, Any]) -> list[str]:
    with diagnostics.collecting() as seen:
        run_program(lambda: load_platform_config(platform), {"aws:region": "us-east-1"})
    return seen


# -- version windows -------------------------------------------------------------------------------
def test_eks_window_is_the_calendar_on_the_day_it_was_read() -> None:
    for v in SUPPORTED_VERSIONS:
        released, _std, extended = EKS_CALENDAR[v]
        assert released <= CALENDAR_AS_OF < extended, v
    gone = [v for v, (_r, _s, ext) in EKS_CALENDAR.items() if ext <= CALENDAR_AS_OF]
    assert set(gone) == {"1.29", "1.30", "1.31"}
    assert DEFAULT_VERSION in SUPPORTED_VERSIONS


@pytest.mark.parametrize(("version", "text"), [
    ("1.31", "'1.31' is past its end of extended support on EKS (2026-11-26)"),
    ("1.37", "'1.37' is not a Kubernetes version EKS supports; supported on 2026-11-30"),
])
def test_eks_versions_outside_the_window_are_refused(base_platform: dict[str, Any], version: str, text: str) -> None:
    base_platform["eks"] = {"version": version, "gpuNodeGroups": [L4]}
    _refused(base_platform, "aiops:platform.eks.version", text)


def test_the_newest_eks_version_is_accepted(base_platform: dict[str, Any]) -> None:
    base_platform["eks"] = {"version": "1.36", "gpuNodeGroups": [L4]}
    assert load_platform_config(base_platform).eks.version == "1.36"


def test_cks_window(base_platform: dict[str, Any]) -> None:
    assert CKS_DEFAULT in CKS_SUPPORTED_VERSIONS and len(CKS_SUPPORTED_VERSIONS) == 3
    base_platform["coreweave"] = {"name": "cw", "cks": {"version": "v1.37"}, "nodePools": [L40S]}
    _refused(base_platform, "aiops:platform.coreweave.cks.version",
             "'v1.37' is not a Kubernetes version CKS supports; supported: v1.34, v1.35, v1.36")
    base_platform["coreweave"]["cks"]["version"] = "v1.36"
    assert _warnings(base_platform) == []


def test_a_deprecated_cks_version_warns_and_passes(base_platform: dict[str, Any]) -> None:
    assert "v1.33" in CKS_DEPRECATED_VERSIONS
    base_platform["coreweave"] = {"name": "cw", "cks": {"version": "v1.33"}, "nodePools": [L40S]}
    [w] = _warnings(base_platform)
    assert "'v1.33' is deprecated on CKS" in w and "upgrade one minor version at a time" in w


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_are_inside_both_windows(stack: str) -> None:
    platform = load_platform_config(planned(stack).config["aiops:platform"])
    versions = [(c.cloud, c.cks.version if c.cloud == "coreweave" else c.version) for c in platform.clusters()]
    assert versions, stack
    for cloud, v in versions:
        assert v in (CKS_SUPPORTED_VERSIONS if cloud == "coreweave" else SUPPORTED_VERSIONS), (stack, cloud, v)


# -- upper bounds ------------------------------------------------------------------------------------
def test_cks_pools_stop_at_the_kubernetes_cluster_limit(base_platform: dict[str, Any]) -> None:
    cap = CKS_MAX_NODES - 2  # the cpu-control-plane pool's two nodes
    base_platform["coreweave"] = {"name": "cw", "nodePools": [{**L40S, "targetNodes": 1, "maxNodes": cap + 1,
                                                                "minNodes": 0, "autoscaling": "enabled"}]}
    _refused(base_platform, "aiops:platform.coreweave.nodePools[0].maxNodes",
             f"{cap + 1} is above {cap}: a CKS cluster holds at most 5000 nodes")
    base_platform["coreweave"]["nodePools"][0]["maxNodes"] = cap
    load_platform_config(base_platform)  # the edge passes
    base_platform["coreweave"]["cpuNodePools"] = [{"name": "sys", "instanceType": "cd-gp-i64-erapids",
                                                   "targetNodes": 1}]
    _refused(base_platform, "aiops:platform.coreweave.nodePools",
             f"add up to {CKS_MAX_NODES + 1} nodes at their maxNodes")


def test_whole_gb200_racks_up_to_the_limit_pass(base_platform: dict[str, Any]) -> None:
    racks = (CKS_MAX_NODES - 2) // 18 * 18  # 4986: 277 racks of 18
    base_platform["coreweave"] = {"name": "cw", "nodePools": [
        {"name": "nvl72", "instanceType": "gb200-4x", "targetNodes": racks}]}
    assert load_platform_config(base_platform).coreweave.node_pools[0].target_nodes == racks


def test_eks_gpu_groups_stop_at_1000_and_warn_above_the_default_quota(base_platform: dict[str, Any]) -> None:
    base_platform["eks"] = {"gpuNodeGroups": [{**L4, "maxSize": 1001}]}
    _refused(base_platform, "aiops:platform.eks.gpuNodeGroups[0].maxSize", "less than or equal to 1000")
    base_platform["eks"]["gpuNodeGroups"][0]["maxSize"] = 1000
    [w] = _warnings(copy.deepcopy(base_platform))
    assert "maxSize 1000 is above the default quota 'Nodes per managed node group' (450" in w
    base_platform["eks"]["gpuNodeGroups"][0]["maxSize"] = 450
    assert _warnings(base_platform) == []


# -- settings a bring-your-own switch makes moot -----------------------------------------------------
BYO_VPC = {"vpcId": "vpc-0123456789abcdef0",
           "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}


@pytest.mark.parametrize(("section", "extra", "path", "text"), [
    ("eks", {"network": {**BYO_VPC, "cidr": "10.1.0.0/16"}}, "eks.network.cidr",
     "'10.1.0.0/16' is ignored with vpcId: no VPC is created"),
    ("eks", {"network": {**BYO_VPC, "natGateways": "SINGLE"}}, "eks.network.natGateways", "is ignored with vpcId"),
    ("eks", {"network": {**BYO_VPC, "azCount": 2}}, "eks.network.azCount", "2 is ignored with vpcId"),
    ("eks", {"network": {**BYO_VPC, "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"]}},
     "eks.network.availabilityZones", "is ignored with vpcId"),
    ("eks", {"network": {**BYO_VPC, "flowLogs": {"retentionDays": 30}}}, "eks.network.flowLogs",
     "is ignored with vpcId"),
    ("eks", {"encryption": {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-"
                                         "555555555555", "deletionWindowDays": 7}},
     "eks.encryption.deletionWindowDays", "7 is ignored with kmsKeyArn"),
    ("dataLake", {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
                  "keyRotationDays": 180}, "dataLake.keyRotationDays", "180 is ignored with kmsKeyArn"),
])
def test_a_setting_a_brought_resource_makes_moot_is_refused(base_platform: dict[str, Any], section: str,
                                                            extra: dict[str, Any], path: str, text: str) -> None:
    base_platform[section] = ({"gpuNodeGroups": [L4], **extra} if section == "eks" else extra)
    _refused(base_platform, f"aiops:platform.{path}", text)


def test_the_same_fields_without_the_switch_pass(base_platform: dict[str, Any]) -> None:
    base_platform["eks"] = {"gpuNodeGroups": [L4], "network": {"cidr": "10.1.0.0/16", "natGateways": "SINGLE"},
                            "encryption": {"deletionWindowDays": 7}}
    base_platform["dataLake"] = {"keyRotationDays": 180}
    cfg = load_platform_config(base_platform)
    assert cfg.eks.network.cidr == "10.1.0.0/16"


def test_component_args_name_the_component(base_platform: dict[str, Any]) -> None:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    with pytest.raises(ConfigError, match=r"EksGpuCluster\('ml'\)\.network\.cidr: '10\.9\.0\.0/16' is ignored "
                                          r"with vpcId"):
        run_program(lambda: EksGpuCluster("ml", {"network": {**BYO_VPC, "cidr": "10.9.0.0/16"}}),
                    {"aws:region": "us-east-1"})


@pytest.mark.parametrize(("bedrock", "path", "text"), [
    ({"invocationLogging": {"destinations": ["S3"], "retentionDays": 30}},
     "bedrock.invocationLogging.retentionDays", "30 is ignored without CLOUDWATCH in destinations"),
    ({"invocationLogging": {"destinations": ["CLOUDWATCH"], "s3ExpireDays": 30}},
     "bedrock.invocationLogging.s3ExpireDays", "30 is ignored without S3 in destinations"),
    ({"privateEndpoints": {"mode": "DISABLED", "services": ["bedrock-runtime"]}},
     "bedrock.privateEndpoints.services", "is ignored with mode DISABLED"),
])
def test_bedrock_settings_its_switches_make_moot_are_refused(bedrock: dict[str, Any], path: str,
                                                             text: str) -> None:
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.bedrock import InvocationLoggingConfig, PrivateEndpointsConfig

    section, value = next(iter(bedrock.items()))
    model = InvocationLoggingConfig if section == "invocationLogging" else PrivateEndpointsConfig
    with pytest.raises(ConfigError) as err:
        validate_model(model, value, f"aiops:platform.bedrock.{section}")
    assert f"aiops:platform.{path}: " in str(err.value) and text in str(err.value)
