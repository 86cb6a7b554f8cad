"""EksGpuCluster under mocks: the secure defaults, asserted on the inputs the engine would receive."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from eks_helpers import (
    ADMIN,
    CLUSTER,
    CR_ID,
    H100_CB,
    L4_SPOT,
    LAUNCH_TEMPLATE,
    NODE_GROUP,
    RELEASE,
    TAGS,
    UNTAGGABLE,
    by_name,
    run_cluster,
)

from pulumi_aiops.contract import GPU_TAINT_KEY
from pulumi_aiops.testing import ResourceGraph, is_secret, unwrap_secret

ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_cluster(
        {"gpu_node_groups": [L4_SPOT, H100_CB], "access": {"admin_principal_arns": [ADMIN]}},
        workload=True,
    )


@pytest.fixture(scope="module")
def cluster(graph: ResourceGraph) -> dict[str, Any]:
    return graph.one(CLUSTER).inputs


def _gpu_groups(graph: ResourceGraph) -> dict[str, Any]:
    return {n: r for n, r in by_name(graph, NODE_GROUP).items() if "-gpu-" in n}


def _lt_of(graph: ResourceGraph, ng_inputs: dict[str, Any]) -> dict[str, Any]:
    lt_id = ng_inputs["launchTemplate"]["id"]
    return next(r.inputs for r in graph.of_type(LAUNCH_TEMPLATE) if r.outputs.get("id") == lt_id)


# -- control plane ------------------------------------------------------------------------------
def test_endpoint_private_only(cluster: dict[str, Any]) -> None:
    vpc = cluster["vpcConfig"]
    assert vpc["endpointPublicAccess"] is False
    assert vpc["endpointPrivateAccess"] is True
    assert not vpc.get("publicAccessCidrs")


def test_secrets_encrypted_with_the_created_rotating_key(graph: ResourceGraph, cluster: dict[str, Any]) -> None:
    key = graph.named("gpu-kms", "aws:kms/key:Key")
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster["encryptionConfig"]["provider"]["keyArn"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    assert key.protect and key.retain_on_delete


def test_all_control_plane_logs_kept_90_days_in_protected_encrypted_group(
    graph: ResourceGraph, cluster: dict[str, Any]
) -> None:
    assert sorted(cluster["enabledClusterLogTypes"]) == sorted(ALL_LOG_TYPES)
    lg = graph.named("gpu-logs", "aws:cloudwatch/logGroup:LogGroup")
    assert lg.inputs["retentionInDays"] == 90
    assert lg.inputs["name"] == f"/aws/eks/{cluster['name']}/cluster"
    assert lg.inputs["kmsKeyId"] == graph.named("gpu-kms", "aws:kms/key:Key").outputs["arn"]
    assert lg.protect and lg.retain_on_delete
    # EKS creates the group itself if it does not exist first: the cluster must wait for ours.
    assert lg.urn in graph.one(CLUSTER).depends_on


def test_key_policy_lets_cloudwatch_logs_use_it_for_this_log_group_only(graph: ResourceGraph) -> None:
    policy = json.loads(graph.named("gpu-kms", "aws:kms/key:Key").inputs["policy"])
    logs = next(s for s in policy["Statement"] if s["Principal"].get("Service", "").startswith("logs."))
    ctx = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert ctx.endswith(":log-group:/aws/eks/gpu-dev/cluster")


def test_authentication_mode_api_with_admin_access_entry(graph: ResourceGraph, cluster: dict[str, Any]) -> None:
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    entry = graph.one("aws:eks/accessEntry:AccessEntry")
    assoc = graph.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert entry.inputs["principalArn"] == ADMIN == assoc.inputs["principalArn"]
    assert assoc.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert assoc.inputs["accessScope"] == {"type": "cluster"}
    assert entry.urn in assoc.depends_on


def test_oidc_provider_for_irsa(graph: ResourceGraph) -> None:
    oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    issuer = graph.one(CLUSTER).outputs["identities"][0]["oidcs"][0]["issuer"]
    assert oidc.inputs["url"] == issuer
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_core_addons_and_ebs_csi_pod_identity(graph: ResourceGraph) -> None:
    addons = {r.inputs["addonName"]: r for r in graph.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"}
    (pia,) = addons["aws-ebs-csi-driver"].inputs["podIdentityAssociations"]
    assert pia["serviceAccount"] == "ebs-csi-controller-sa"
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == pia["roleArn"])
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert addons["eks-pod-identity-agent"].urn in addons["aws-ebs-csi-driver"].depends_on


# -- network --------------------------------------------------------------------------------------
def test_vpc_private_and_public_subnets_over_three_azs_with_nat_per_az(graph: ResourceGraph) -> None:
    subnets = by_name(graph, "aws:ec2/subnet:Subnet")
    private = [s for n, s in subnets.items() if "-private-" in n]
    public = [s for n, s in subnets.items() if "-public-" in n]
    assert len(private) == len(public) == 3
    assert len({s.inputs["availabilityZone"] for s in private}) == 3
    assert all(s.inputs.get("mapPublicIpOnLaunch") is False for s in public)
    vpc = ipaddress.ip_network(graph.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    nets = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in private + public]
    assert all(n.subnet_of(vpc) for n in nets)  # type: ignore[arg-type]
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == 3
    # the control plane lives in the private subnets only
    assert sorted(graph.one(CLUSTER).inputs["vpcConfig"]["subnetIds"]) == sorted(s.outputs["id"] for s in private)


def test_default_security_group_has_no_rules(graph: ResourceGraph) -> None:
    sg = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")


# -- GPU node groups ------------------------------------------------------------------------------
def test_gpu_groups_tainted_nvidia_ami_scale_to_zero(graph: ResourceGraph) -> None:
    groups = _gpu_groups(graph)
    assert set(groups) == {"gpu-gpu-l4", "gpu-gpu-h100"}
    for ng in groups.values():
        i = ng.inputs
        assert {"key": GPU_TAINT_KEY, "value": "true", "effect": "NO_SCHEDULE"} in i["taints"]
        assert i["amiType"] == "AL2023_x86_64_NVIDIA"
        assert i["scalingConfig"]["minSize"] == 0
        assert i["labels"]["nvidia.com/gpu.present"] == "true"
        assert "scalingConfig.desiredSize" in ng.ignore_changes  # the autoscaler owns it
    assert groups["gpu-gpu-l4"].inputs["capacityType"] == "SPOT"
    assert groups["gpu-gpu-l4"].inputs["instanceTypes"] == ["g6.xlarge"]


def test_every_launch_template_requires_imdsv2_encrypted_gp3_hop_limit_by_group_kind(graph: ResourceGraph) -> None:
    lts = graph.of_type(LAUNCH_TEMPLATE)
    assert len(lts) == 3  # system + 2 GPU groups
    groups = by_name(graph, NODE_GROUP)
    system_lt = _lt_of(graph, groups["gpu-system"].inputs)
    for lt in lts:
        md = lt.inputs["metadataOptions"]
        assert md["httpTokens"] == "required"
        if lt.inputs is system_lt:
            # System nodes: 2, so the EBS CSI node driver reads IMDS; tagged for the policy rule.
            assert md["httpPutResponseHopLimit"] == 2
            assert lt.inputs["tags"]["aiops.io/node-kind"] == "system"
        else:
            # GPU nodes: 1, no pod reaches the node's credentials; never tagged as system.
            assert md["httpPutResponseHopLimit"] == 1
            assert "aiops.io/node-kind" not in lt.inputs["tags"]
        (bdm,) = lt.inputs["blockDeviceMappings"]
        assert bdm["ebs"]["encrypted"] == "true"
        assert bdm["ebs"]["volumeType"] == "gp3"
    for ng in by_name(graph, NODE_GROUP).values():
        assert ng.inputs["launchTemplate"]["id"] in {lt.outputs["id"] for lt in lts}


def test_gpu_root_volume_large_enough_for_weights(graph: ResourceGraph) -> None:
    groups = _gpu_groups(graph)
    assert _lt_of(graph, groups["gpu-gpu-l4"].inputs)["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 200
    assert _lt_of(graph, groups["gpu-gpu-h100"].inputs)["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 1000


def test_capacity_block_group_targets_the_reservation_in_its_launch_template(graph: ResourceGraph) -> None:
    ng = _gpu_groups(graph)["gpu-gpu-h100"].inputs
    assert ng["capacityType"] == "CAPACITY_BLOCK"
    assert not ng.get("instanceTypes")  # the instance type lives in the launch template
    lt = _lt_of(graph, ng)
    assert lt["instanceType"] == "p5.48xlarge"
    assert lt["instanceMarketOptions"] == {"marketType": "capacity-block"}
    target = lt["capacityReservationSpecification"]["capacityReservationTarget"]
    assert target["capacityReservationId"] == CR_ID


def test_system_group_is_not_gpu(graph: ResourceGraph) -> None:
    ng = by_name(graph, NODE_GROUP)["gpu-system"].inputs
    assert ng["amiType"] == "AL2023_x86_64_STANDARD"
    assert not ng.get("taints")
    assert ng["scalingConfig"]["minSize"] >= 1


# -- device plugin and autoscaler -----------------------------------------------------------------
def test_device_plugin_from_official_chart_tolerates_gpu_taint(graph: ResourceGraph) -> None:
    rel = next(r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "nvidia-device-plugin")
    assert rel.inputs["repositoryOpts"]["repo"] == "https://nvidia.github.io/k8s-device-plugin"
    assert {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"} in rel.inputs["values"]["tolerations"]
    # it lands on the GPU nodes: its node selector is a subset of the GPU groups' labels
    for ng in _gpu_groups(graph).values():
        assert rel.inputs["values"]["nodeSelector"].items() <= ng.inputs["labels"].items()
    provider = graph.one("pulumi:providers:kubernetes")
    assert rel.provider == provider.urn


def test_cluster_autoscaler_least_privilege_policy(graph: ResourceGraph) -> None:
    rel = next(r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "cluster-autoscaler")
    assert rel.inputs["values"]["autoDiscovery"]["clusterName"] == "gpu-dev"
    policy = json.loads(graph.one("aws:iam/policy:Policy").inputs["policy"])
    writes = [s for s in policy["Statement"] if "autoscaling:SetDesiredCapacity" in s["Action"]]
    assert len(writes) == 1
    assert writes[0]["Condition"]["StringEquals"] == {"aws:ResourceTag/k8s.io/cluster-autoscaler/gpu-dev": "owned"}
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not any(a.endswith("*") for a in actions)
    assoc = next(
        r
        for r in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if r.inputs["serviceAccount"] == "cluster-autoscaler"
    )
    assert assoc.inputs["namespace"] == "kube-system"


def test_scale_from_zero_node_template_tags(graph: ResourceGraph) -> None:
    tags = {
        r.inputs["tag"]["key"]: r.inputs["tag"]["value"]
        for r in graph.of_type("aws:autoscaling/tag:Tag")
        if r.name.startswith("gpu-gpu-h100-")
    }
    prefix = "k8s.io/cluster-autoscaler/node-template"
    assert tags[f"{prefix}/taint/{GPU_TAINT_KEY}"] == "true:NoSchedule"
    assert tags[f"{prefix}/resources/nvidia.com/gpu"] == "8"
    assert tags[f"{prefix}/label/nvidia.com/gpu.present"] == "true"


# -- contract, tags, structure --------------------------------------------------------------------
def test_every_taggable_resource_carries_governance_tags(graph: ResourceGraph) -> None:
    aws = [r for r in graph if r.custom and r.type.startswith("aws:") and r.type not in UNTAGGABLE]
    assert len(aws) > 30
    for r in aws:
        assert TAGS.items() <= (r.inputs.get("tags") or {}).items(), r.name


def test_every_resource_is_a_child_of_the_component(graph: ResourceGraph) -> None:
    comp = next(r for r in graph.components() if r.type == "aiops:index:EksGpuCluster")
    assert {r.urn for r in graph.descendants(comp.urn)} == {r.urn for r in graph if r.urn != comp.urn}


def test_contract_outputs(graph: ResourceGraph) -> None:
    comp = next(r for r in graph.components() if r.type == "aiops:index:EksGpuCluster")
    out = graph.outputs_of(comp)
    assert out["cloud"] == "aws" and out["clusterName"] == "gpu"
    assert is_secret(out["kubeconfig"]), "kubeconfig must be a secret output"
    kubeconfig = json.loads(unwrap_secret(out["kubeconfig"]))
    user = kubeconfig["users"][0]["user"]["exec"]
    assert user["command"] == "aws" and "get-token" in user["args"] and "gpu-dev" in user["args"]
    caps = {c["pool"]: c for c in out["gpuCapacity"]}
    assert caps["h100"]["gpusPerNode"] == 8 and caps["h100"]["capacityType"] == "CAPACITY_BLOCK"
    assert caps["l4"]["minNodes"] == 0 and caps["l4"]["maxNodes"] == 2
    # the selector and tolerations of the contract actually land a pod on the GPU nodes
    for ng in _gpu_groups(graph).values():
        assert out["gpuNodeSelector"].items() <= ng.inputs["labels"].items()
    assert {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"} in out["gpuTolerations"]
    for key in ("vpcId", "privateSubnetIds", "clusterSecurityGroupId", "oidcProviderArn", "kmsKeyArn"):
        assert out[key], key


def test_workload_role_uses_pod_identity(graph: ResourceGraph) -> None:
    assoc = next(
        r
        for r in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if r.inputs["serviceAccount"] == "litellm"
    )
    assert assoc.inputs["namespace"] == "ai-gateway"
    assert assoc.inputs["clusterName"] == "gpu-dev"
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == assoc.inputs["roleArn"])
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(trust["Action"]) == {"sts:AssumeRole", "sts:TagSession"}


def test_default_storage_class_is_encrypted_gp3_and_retained() -> None:
    """EKS >= 1.30 ships no default StorageClass; PVCs without one would stay Pending."""
    from eks_helpers import run_cluster

    g = run_cluster({"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}]})
    sc = g.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc.inputs["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc.inputs["provisioner"] == "ebs.csi.aws.com"
    assert sc.inputs["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert sc.inputs["reclaimPolicy"] == "Retain"
    addon = next(r for r in g.of_type("aws:eks/addon:Addon") if r.inputs["addonName"] == "aws-ebs-csi-driver")
    assert addon.urn in sc.depends_on
    assert sc.provider is not None and "kubernetes" in sc.provider


def test_the_deployer_gets_no_second_access_entry() -> None:
    """EKS bootstraps the creator's access entry; listing the same role again would fail."""
    from eks_helpers import run_cluster

    from pulumi_aiops.testing import RecordingMocks

    class AssumedRole(RecordingMocks):
        CALLS = {"aws:index/getCallerIdentity:getCallerIdentity": lambda m, a: {
            "accountId": m.account_id, "id": m.account_id, "userId": "AROA:ci",
            "arn": f"arn:aws:sts::{m.account_id}:assumed-role/platform-admin/ci"}}

    admin = "arn:aws:iam::123456789012:role/platform-admin"
    other = "arn:aws:iam::123456789012:role/breakglass"
    g = run_cluster({"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}],
                     "access": {"admin_principal_arns": [admin, other]}}, mocks=AssumedRole())
    assert [r.inputs["principalArn"] for r in g.of_type("aws:eks/accessEntry:AccessEntry")] == [other]
    g = run_cluster({"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}],
                     "access": {"admin_principal_arns": [admin, other], "bootstrap_creator_admin": False}},
                    mocks=AssumedRole())
    assert len(g.of_type("aws:eks/accessEntry:AccessEntry")) == 2
