"""Bring-your-own switches and overrides of EksGpuCluster, and the EKS part of the builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eks_helpers import CLUSTER, H100_CB, L4_SPOT, LAUNCH_TEMPLATE, NODE_GROUP, RELEASE, TAGS, by_name, run_cluster

from pulumi_aiops.builder import main
from pulumi_aiops.testing import ResourceGraph, load_stack_config, run_program

VPC = "vpc-0a1b2c3d4e5f60718"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"]
ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-nodes"
KMS = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@pytest.fixture(scope="module")
def byo() -> ResourceGraph:
    return run_cluster(
        {
            "network": {"vpc_id": VPC, "private_subnet_ids": SUBNETS},
            "role_arn": ROLE,
            "node_role_arn": NODE_ROLE,
            "encryption": {"kms_key_arn": KMS},
            "gpu_node_groups": [L4_SPOT],
        }
    )


def test_byo_vpc_creates_no_network(byo: ResourceGraph) -> None:
    assert not [r for r in byo if r.type.startswith("aws:ec2/") and r.type != LAUNCH_TEMPLATE]
    assert byo.one(CLUSTER).inputs["vpcConfig"]["subnetIds"] == SUBNETS
    for ng in byo.of_type(NODE_GROUP):
        assert ng.inputs["subnetIds"] == SUBNETS
    comp = next(r for r in byo.components() if r.type == "aiops:index:EksGpuCluster")
    assert byo.component_outputs[comp.urn]["vpcId"] == VPC


def test_byo_roles_used_and_not_created(byo: ResourceGraph) -> None:
    assert byo.one(CLUSTER).inputs["roleArn"] == ROLE
    for ng in byo.of_type(NODE_GROUP):
        assert ng.inputs["nodeRoleArn"] == NODE_ROLE
    role_names = {r.name for r in byo.of_type("aws:iam/role:Role")}
    assert not {"gpu-cluster-role", "gpu-node-role"} & role_names
    assert "gpu-ebs-csi-role" in role_names  # add-on roles are still the component's own


def test_byo_kms_key_encrypts_secrets_and_no_key_created(byo: ResourceGraph) -> None:
    assert not byo.of_type("aws:kms/key:Key")
    assert byo.one(CLUSTER).inputs["encryptionConfig"]["provider"]["keyArn"] == KMS
    assert not byo.one("aws:cloudwatch/logGroup:LogGroup").inputs.get("kmsKeyId")


def test_created_cluster_role_may_use_a_byo_key() -> None:
    graph = run_cluster({"encryption": {"kms_key_arn": KMS}})
    policy = json.loads(graph.named("gpu-cluster-role-kms", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == KMS
    assert "kms:Decrypt" in policy["Statement"][0]["Action"]


def test_public_endpoint_only_with_listed_cidrs() -> None:
    graph = run_cluster({"endpoint": {"public_access": True, "public_access_cidrs": ["203.0.113.0/24"]}})
    vpc = graph.one(CLUSTER).inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert vpc["endpointPrivateAccess"] is True


def test_overrides_by_name() -> None:
    graph = run_cluster(
        {
            "version": "1.32",
            "cluster_name": "ml-gpu",
            "network": {"az_count": 2, "nat_gateways": "SINGLE", "cidr": "10.50.0.0/16"},
            "logging": {"retention_days": 365},
            "autoscaler": "none",
            "gpu_node_groups": [
                {
                    **L4_SPOT,
                    "min_size": 1,
                    "desired_size": 2,
                    "ami_type": "BOTTLEROCKET_x86_64_NVIDIA",
                    "labels": {"team": "search"},
                }
            ],
        }
    )
    c = graph.one(CLUSTER).inputs
    assert (c["name"], c["version"]) == ("ml-gpu", "1.32")
    assert graph.named("gpu-logs", "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 365
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert graph.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.50.0.0/16"
    # no autoscaler: no chart, no ASG tags, and desired size is managed here
    assert [r.inputs["chart"] for r in graph.of_type(RELEASE)] == ["nvidia-device-plugin"]
    assert not graph.of_type("aws:autoscaling/tag:Tag")
    ng = by_name(graph, NODE_GROUP)["gpu-gpu-l4"]
    assert ng.ignore_changes == ()
    assert ng.inputs["scalingConfig"] == {"minSize": 1, "maxSize": 2, "desiredSize": 2}
    assert ng.inputs["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert ng.inputs["labels"]["team"] == "search"
    # Bottlerocket ships the device plugin: the DaemonSet must not land there; its data volume is xvdb
    assert "aiops.io/nvidia-device-plugin" not in ng.inputs["labels"]
    lt = next(r for r in graph.of_type(LAUNCH_TEMPLATE) if r.name == "gpu-gpu-l4-lt")
    assert lt.inputs["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"


# -- builder --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stacks(repo_root: Path) -> dict[str, ResourceGraph]:
    out = {}
    for name in ("dev", "prod"):
        cfg, secrets = load_stack_config(repo_root / "stacks" / f"Pulumi.{name}.yaml")
        out[name] = run_program(main, cfg, secret_keys=secrets, stack=name)
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_builds_eks_with_governance_tags(stack: str, stacks: dict[str, ResourceGraph]) -> None:
    graph = stacks[stack]
    cluster = graph.one(CLUSTER)
    assert cluster.inputs["name"] == f"eks-{stack}"
    assert cluster.inputs["tags"]["owner"] == "ml-platform"
    assert cluster.inputs["tags"]["environment"] == stack
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    gpu = [ng for ng in graph.of_type(NODE_GROUP) if ng.inputs.get("taints")]
    assert gpu and any(ng.inputs["scalingConfig"]["minSize"] == 0 for ng in gpu)
    clusters = graph.stack_outputs["clusters"]  # secret as a whole: it holds kubeconfigs
    assert "eks" in clusters.get("value", clusters)


def test_prod_has_capacity_block_and_admins(stacks: dict[str, ResourceGraph]) -> None:
    graph = stacks["prod"]
    types = {ng.inputs["capacityType"] for ng in graph.of_type(NODE_GROUP)}
    assert {"ON_DEMAND", "SPOT", "CAPACITY_BLOCK"} <= types
    assert len(graph.of_type("aws:eks/accessEntry:AccessEntry")) >= 1


def test_additional_aws_cluster_is_built() -> None:
    platform = {
        "governance": {"owner": "ml-platform", "costCenter": "cc-1"},
        "eks": {"name": "eks", "network": {"azCount": 2, "natGateways": "SINGLE"}},
        "additionalClusters": [
            {
                "cloud": "aws",
                "name": "eks-b",
                "autoscaler": "none",
                "network": {"azCount": 2, "natGateways": "SINGLE", "cidr": "10.1.0.0/16"},
            }
        ],
    }
    graph = run_program(main, {"aiops:platform": platform})
    assert sorted(c.inputs["name"] for c in graph.of_type(CLUSTER)) == ["eks-b-dev", "eks-dev"]
    for r in graph.of_type(CLUSTER, "aws:ec2/vpc:Vpc"):
        assert TAGS.keys() <= r.inputs["tags"].keys()


def test_capacity_block_group_pinned_to_its_az_and_templates_only_for_scale_from_zero() -> None:
    graph = run_cluster(
        {
            "network": {"az_count": 2, "availability_zones": ["us-east-1a", "us-east-1b"], "nat_gateways": "SINGLE"},
            "gpu_node_groups": [{**H100_CB, "availability_zones": ["us-east-1b"]}, {**L4_SPOT, "min_size": 1}],
        }
    )
    subnets = by_name(graph, "aws:ec2/subnet:Subnet")
    in_b = [
        s.outputs["id"] for n, s in subnets.items() if "-private-" in n and s.inputs["availabilityZone"] == "us-east-1b"
    ]
    groups = by_name(graph, NODE_GROUP)
    assert groups["gpu-gpu-h100"].inputs["subnetIds"] == in_b
    assert len(groups["gpu-gpu-l4"].inputs["subnetIds"]) == 2
    tagged = {r.name.rsplit("-ca-", 1)[0] for r in graph.of_type("aws:autoscaling/tag:Tag")}
    assert tagged == {"gpu-gpu-h100"}  # l4 never scales to zero
