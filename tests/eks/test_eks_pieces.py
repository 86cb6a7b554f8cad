"""The EKS pieces (pulumi_aiops.eks) on their own and inside EksGpuCluster: flow logs, Inputs from a
user's own resources, stable child names under reordering, and the aliases of 0.1.0's URNs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from eks_helpers import ADMIN, CLUSTER, H100_CB, L4_SPOT, NODE_GROUP, RELEASE, TAGS, CountingMocks, by_name, run_cluster

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph, run_program

FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ENTRY = "aws:eks/accessEntry:AccessEntry"
CA_TAG = "aws:autoscaling/tag:Tag"
SUBNET = "aws:ec2/subnet:Subnet"
BREAKGLASS = "arn:aws:iam::123456789012:role/breakglass"
AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"]
WIRING: dict[str, Any] = {"clusterName": "c", "nodeRoleArn": "arn:aws:iam::123456789012:role/n",
                          "subnetIds": ["subnet-0a1b2c3d4e5f60718"]}


def _component(graph: ResourceGraph, type_: str, name: str) -> Any:
    return graph.named(name, f"aiops:index:{type_}")


def _doc(raw: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(raw)
    return out


# -- flow logs on every VPC the library creates ---------------------------------------------------
@pytest.fixture(scope="module")
def created() -> ResourceGraph:
    return run_cluster({"gpu_node_groups": [L4_SPOT], "network": {"flow_logs": {"retention_days": 365}}})


def test_flow_logs_capture_all_traffic_of_the_created_vpc(created: ResourceGraph) -> None:
    fl = created.one(FLOW_LOG)
    vpc = created.one("aws:ec2/vpc:Vpc")
    group = created.named("gpu-flow-logs", LOG_GROUP)
    role = created.named("gpu-flow-logs-role", ROLE)
    assert fl.inputs["trafficType"] == "ALL"
    assert fl.inputs["vpcId"] == vpc.outputs["id"]
    assert fl.inputs["logDestinationType"] == "cloud-watch-logs"
    assert fl.inputs["logDestination"] == group.outputs["arn"]
    assert fl.inputs["iamRoleArn"] == role.outputs["arn"]
    # the delivery role's policy exists before the flow log starts delivering
    assert created.named("gpu-flow-logs", "aws:iam/rolePolicy:RolePolicy").urn in fl.depends_on


def test_flow_log_group_is_encrypted_protected_retained_and_kept_as_configured(created: ResourceGraph) -> None:
    group = created.named("gpu-flow-logs", LOG_GROUP)
    key = created.named("gpu-flow-logs-kms", KEY)
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["name"] == "/aws/vpc/gpu-dev/flow-logs"
    assert group.protect and group.retain_on_delete and group.inputs["deletionProtectionEnabled"] is True
    assert key.protect and key.retain_on_delete and key.inputs["enableKeyRotation"] is True


def test_flow_log_key_policy_lets_only_cloudwatch_logs_use_it_for_that_group(created: ResourceGraph) -> None:
    policy = _doc(created.named("gpu-flow-logs-kms", KEY).inputs["policy"])
    admin, logs = policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/gpu-dev/flow-logs"
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}}
    assert created.named("gpu-flow-logs", LOG_GROUP).outputs["arn"] == group_arn
    assert not any(a in ("kms:*", "*") for a in logs["Action"])


def test_flow_log_role_trusts_only_this_accounts_flow_logs_and_writes_only_its_group(created: ResourceGraph) -> None:
    trust = _doc(created.named("gpu-flow-logs-role", ROLE).inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{
        "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                      "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}}]
    group_arn = created.named("gpu-flow-logs", LOG_GROUP).outputs["arn"]
    deliver, describe = _doc(created.named("gpu-flow-logs", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])[
        "Statement"]
    assert deliver["Resource"] == [group_arn, f"{group_arn}:*"]
    assert "logs:PutLogEvents" in deliver["Action"]
    assert describe["Action"] == "logs:DescribeLogGroups"  # a list call: no log-group resource of its own


def test_a_brought_vpc_gets_no_flow_logs_from_the_library() -> None:
    graph = run_cluster({"network": {"vpc_id": "vpc-0a1b2c3d4e5f60718",
                                     "private_subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"]}})
    assert not graph.of_type(FLOW_LOG)
    assert [r.name for r in graph.of_type(LOG_GROUP)] == ["gpu-logs"]


# -- a piece on its own: a GPU node group on a cluster the program already has ----------------
def test_gpu_node_group_on_a_plain_eks_cluster_with_the_programs_own_role_and_subnets() -> None:
    from pulumi_aiops.eks import GpuNodeGroup

    def program() -> None:
        vpc = aws.ec2.Vpc("team-vpc", cidr_block="10.9.0.0/16")
        a = aws.ec2.Subnet("team-a", vpc_id=vpc.id, cidr_block="10.9.0.0/20", availability_zone="us-east-1a")
        b = aws.ec2.Subnet("team-b", vpc_id=vpc.id, cidr_block="10.9.16.0/20", availability_zone="us-east-1b")
        role = aws.iam.Role("team-nodes", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
        cluster = aws.eks.Cluster("team", role_arn="arn:aws:iam::123456789012:role/eks",
                                  vpc_config={"subnet_ids": [a.id, b.id]})
        GpuNodeGroup("team-l4", {**L4_SPOT, "cluster_name": cluster.name, "node_role_arn": role.arn,
                                 "subnet_ids": [a.id, b.id], "tags": dict(TAGS)})

    graph = run_program(program, {"aws:region": "us-east-1"})
    ng = graph.named("team-l4", NODE_GROUP)
    cluster, role = graph.named("team", CLUSTER), graph.named("team-nodes", ROLE)
    subnets = [graph.named(n, SUBNET) for n in ("team-a", "team-b")]
    assert ng.inputs["clusterName"] == cluster.outputs["name"]
    assert ng.inputs["nodeRoleArn"] == role.outputs["arn"]
    assert ng.inputs["subnetIds"] == [s.outputs["id"] for s in subnets]
    # the engine knows the group waits for the program's own resources
    assert cluster.urn in ng.property_dependencies["clusterName"]
    assert role.urn in ng.property_dependencies["nodeRoleArn"]
    assert {s.urn for s in subnets} <= set(ng.property_dependencies["subnetIds"])
    # the hardened launch template, named after the program's cluster
    lt = graph.named("team-l4-lt", "aws:ec2/launchTemplate:LaunchTemplate")
    assert lt.inputs["metadataOptions"]["httpTokens"] == "required"
    assert lt.inputs["description"] == f"EKS {cluster.outputs['name']} node group gpu-l4"
    # scale from zero: one ASG tag per node-template key, named by the key (no list position)
    tags = {r.name: r.inputs["tag"]["key"] for r in graph.of_type(CA_TAG)}
    assert tags["team-l4-ca-taint-nvidia.com-gpu"] == "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"
    assert tags["team-l4-ca-resources-nvidia.com-gpu"].endswith("/resources/nvidia.com/gpu")
    # nothing of a control plane, and no 0.1.0 aliases outside an EksGpuCluster
    assert not graph.of_type("aws:eks/addon:Addon", KEY, "aws:ec2/flowLog:FlowLog")
    assert all(not r.aliases for r in graph)


def test_pieces_compose_into_a_cluster_without_eks_gpu_cluster() -> None:
    """The docstring examples: Vpc → EksControlPlane → node groups → add-ons, autoscaler, device plugin."""
    from pulumi_aiops.eks import (
        ClusterAutoscaler,
        EksControlPlane,
        GpuNodeGroup,
        NvidiaDevicePlugin,
        SystemNodeGroup,
        Vpc,
    )

    def program() -> None:
        vpc = Vpc("ml", {"az_count": 2, "availability_zones": ["us-east-1a", "us-east-1b"],
                         "nat_gateways": "SINGLE", "tags": dict(TAGS)})
        cp = EksControlPlane("ml", {"vpc_id": vpc.vpc_id, "subnet_ids": vpc.private_subnet_ids,
                                    "access": {"admin_principal_arns": [ADMIN]}, "tags": dict(TAGS)})
        wiring = {"cluster_name": cp.cluster_name, "node_role_arn": cp.node_role_arn, "tags": dict(TAGS)}
        after_cp = pulumi.ResourceOptions(depends_on=cp.compute_dependencies)
        system = SystemNodeGroup("ml-system", {**wiring, "subnet_ids": vpc.private_subnet_ids}, opts=after_cp)
        GpuNodeGroup("ml-h100", {**H100_CB, **wiring, "subnet_ids": vpc.private_subnets_in(["us-east-1b"])},
                     opts=after_cp)
        cp.core_addons(after=[system])
        in_cluster = pulumi.ResourceOptions(providers=[cp.provider], depends_on=[system, *cp.admin_access])
        NvidiaDevicePlugin("ml", opts=in_cluster)
        ClusterAutoscaler("ml", {"cluster_name": cp.cluster_name, "kubernetes_version": "1.33"},
                          opts=pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(
                              depends_on=[cp.pod_identity_agent])))
        pulumi.export("byAz", vpc.private_subnet_ids_by_az)

    graph = run_program(program, {"aws:region": "us-east-1"})
    cluster = graph.one(CLUSTER)
    subnets = by_name(graph, SUBNET)
    private = {n: s for n, s in subnets.items() if "-private-" in n}
    assert set(private) == {"ml-private-us-east-1a", "ml-private-us-east-1b"}  # named by AZ
    assert sorted(cluster.inputs["vpcConfig"]["subnetIds"]) == sorted(s.outputs["id"] for s in private.values())
    assert graph.exports["byAz"] == {"us-east-1a": private["ml-private-us-east-1a"].outputs["id"],
                                     "us-east-1b": private["ml-private-us-east-1b"].outputs["id"]}
    h100 = graph.named("ml-h100", NODE_GROUP)
    assert h100.inputs["subnetIds"] == [private["ml-private-us-east-1b"].outputs["id"]]
    assert h100.inputs["clusterName"] == cluster.outputs["name"] == "ml-dev"
    # every in-cluster object goes through the control plane's provider
    provider = graph.one("pulumi:providers:kubernetes")
    assert {r.inputs["chart"]: r.provider for r in graph.of_type(RELEASE)} == {
        "nvidia-device-plugin": provider.urn, "cluster-autoscaler": provider.urn}
    # a piece's depends_on reaches its children (the release waits for the system group's nodes)
    release = next(r for r in graph.of_type(RELEASE) if r.inputs["chart"] == "nvidia-device-plugin")
    assert graph.named("ml-system", NODE_GROUP).urn in release.depends_on
    coredns = next(r for r in graph.of_type("aws:eks/addon:Addon") if r.inputs["addonName"] == "coredns")
    assert graph.named("ml-system", NODE_GROUP).urn in coredns.depends_on


# -- Inputs: the user's own VPC, subnets, KMS key and roles flow into EksGpuCluster ------------
@pytest.fixture(scope="module")
def wired() -> ResourceGraph:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def program() -> None:
        vpc = aws.ec2.Vpc("user-vpc", cidr_block="10.7.0.0/16")
        a = aws.ec2.Subnet("user-a", vpc_id=vpc.id, cidr_block="10.7.0.0/19", availability_zone="us-east-1a")
        b = aws.ec2.Subnet("user-b", vpc_id=vpc.id, cidr_block="10.7.32.0/19", availability_zone="us-east-1b")
        key = aws.kms.Key("user-key", enable_key_rotation=True)
        trust = json.dumps({"Version": "2012-10-17", "Statement": []})
        role = aws.iam.Role("user-cluster-role", assume_role_policy=trust)
        nodes = aws.iam.Role("user-node-role", assume_role_policy=trust)
        admin = aws.iam.Role("user-admin", assume_role_policy=trust)
        EksGpuCluster("gpu", {
            "network": {"vpc_id": vpc.id, "private_subnet_ids": [a.id, b.id]},
            "encryption": {"kms_key_arn": key.arn},
            "role_arn": role.arn,
            "node_role_arn": nodes.arn,
            "access": {"admin_principal_arns": [admin.arn, BREAKGLASS]},
            "gpu_node_groups": [{**H100_CB, "subnet_ids": [b.id]}, L4_SPOT],
            "tags": dict(TAGS),
        })

    return run_program(program, {"aws:region": "us-east-1"})


def test_user_vpc_and_subnets_flow_into_the_cluster_and_groups(wired: ResourceGraph) -> None:
    cluster = wired.one(CLUSTER)
    a, b = wired.named("user-a", SUBNET), wired.named("user-b", SUBNET)
    assert cluster.inputs["vpcConfig"]["subnetIds"] == [a.outputs["id"], b.outputs["id"]]
    assert {a.urn, b.urn} <= set(cluster.property_dependencies["vpcConfig"])
    groups = by_name(wired, NODE_GROUP)
    assert groups["gpu-gpu-h100"].inputs["subnetIds"] == [b.outputs["id"]]
    assert b.urn in groups["gpu-gpu-h100"].property_dependencies["subnetIds"]
    assert groups["gpu-gpu-l4"].inputs["subnetIds"] == [a.outputs["id"], b.outputs["id"]]
    # the library creates no network (and so no flow logs) in a brought VPC
    assert [r.name for r in wired.of_type("aws:ec2/vpc:Vpc")] == ["user-vpc"]
    assert not wired.of_type(FLOW_LOG)
    top = wired.named("gpu", "aiops:index:EksGpuCluster")
    assert wired.outputs_of(top)["vpcId"] == wired.named("user-vpc", "aws:ec2/vpc:Vpc").outputs["id"]


def test_user_key_and_roles_are_used_and_nothing_replaces_them(wired: ResourceGraph) -> None:
    cluster = wired.one(CLUSTER)
    key, role = wired.named("user-key", KEY), wired.named("user-cluster-role", ROLE)
    assert cluster.inputs["encryptionConfig"]["provider"]["keyArn"] == key.outputs["arn"]
    assert key.urn in cluster.property_dependencies["encryptionConfig"]
    assert cluster.inputs["roleArn"] == role.outputs["arn"]
    assert role.urn in cluster.property_dependencies["roleArn"]
    nodes = wired.named("user-node-role", ROLE)
    for ng in wired.of_type(NODE_GROUP):
        assert ng.inputs["nodeRoleArn"] == nodes.outputs["arn"]
        assert nodes.urn in ng.property_dependencies["nodeRoleArn"]
    assert [k.name for k in wired.of_type(KEY)] == ["user-key"]  # no key of its own
    assert not {"gpu-cluster-role", "gpu-node-role"} & {r.name for r in wired.of_type(ROLE)}
    # a brought key is not assumed to allow CloudWatch Logs: the log group stays with AWS's key
    assert not wired.named("gpu-logs", LOG_GROUP).inputs.get("kmsKeyId")


def test_admin_given_as_an_output_gets_an_access_entry(wired: ResourceGraph) -> None:
    admin = wired.named("user-admin", ROLE)
    entries = {r.name: r for r in wired.of_type(ENTRY)}
    out = entries.pop("gpu-admin-output-0")
    assert out.inputs["principalArn"] == admin.outputs["arn"]
    assert admin.urn in out.property_dependencies["principalArn"]
    (known,) = entries.values()  # the plain ARN is named by a hash of itself
    assert known.inputs["principalArn"] == BREAKGLASS and known.name.startswith("gpu-admin-")


# -- stable names: reordering config lists changes no URN --------------------------------------
REORDERABLE: dict[str, Any] = {
    "network": {"az_count": 3, "availability_zones": AZS, "nat_gateways": "ONE_PER_AZ"},
    "access": {"admin_principal_arns": [ADMIN, BREAKGLASS]},
    "gpu_node_groups": [{**H100_CB, "availability_zones": ["us-east-1b"]}, L4_SPOT,
                        {"name": "a10g", "instance_type": "g5.2xlarge", "labels": {"team": "search"}}],
}


def _reversed(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "network": {**args["network"], "availability_zones": args["network"]["availability_zones"][::-1]},
        "access": {"admin_principal_arns": args["access"]["admin_principal_arns"][::-1]},
        "gpu_node_groups": args["gpu_node_groups"][::-1],
    }


def test_reversing_groups_zones_and_admins_changes_no_urn() -> None:
    before, after = run_cluster(REORDERABLE), run_cluster(_reversed(REORDERABLE))
    assert {r.urn for r in after} == {r.urn for r in before}
    # each name keeps naming the same thing: the same principal, AZ, group and tag key
    for type_, field in ((ENTRY, "principalArn"), (SUBNET, "availabilityZone"), (CA_TAG, "tag")):
        assert {r.urn: r.inputs[field] for r in before.of_type(type_)} == {
            r.urn: r.inputs[field] for r in after.of_type(type_)}, type_
    assert {r.urn: r.inputs["labels"] for r in before.of_type(NODE_GROUP)} == {
        r.urn: r.inputs["labels"] for r in after.of_type(NODE_GROUP)}


def test_children_named_by_az_principal_and_tag_key() -> None:
    graph = run_cluster(REORDERABLE)
    names = {r.name for r in graph}
    assert {f"gpu-private-{az}" for az in AZS} | {f"gpu-public-{az}" for az in AZS} <= names
    assert {f"gpu-nat-{az}" for az in AZS} | {f"gpu-private-rt-{az}" for az in AZS} <= names
    assert not any(n.endswith(("-0", "-1", "-2")) for n in names if not n.startswith("gpu-admin-output"))
    assert "gpu-gpu-h100-ca-label-team" not in names and "gpu-gpu-a10g-ca-label-team" in names


def test_zones_from_the_invoke_keep_the_names_of_0_1_0() -> None:
    graph = run_cluster({"network": {"az_count": 2, "nat_gateways": "SINGLE"}})
    subnets = sorted(r.name for r in graph.of_type(SUBNET))
    assert subnets == ["gpu-private-0", "gpu-private-1", "gpu-public-0", "gpu-public-1"]
    assert [r.name for r in graph.of_type("aws:ec2/natGateway:NatGateway")] == ["gpu-nat-0"]


# -- aliases: a 0.1.0 stack upgrades without replacing anything ------------------------------
U = "urn:pulumi:dev::aiops::"
OLD = U + "aiops:eks:EksGpuCluster"


def test_moved_and_renamed_children_answer_to_their_0_1_0_urns() -> None:
    graph = run_cluster(REORDERABLE)
    top = graph.named("gpu", "aiops:index:EksGpuCluster")
    assert graph.alias_urns(top) == {OLD + "::gpu"}
    # moved under a piece, same name: an alias whose parent is the old cluster
    cluster = graph.one(CLUSTER)
    assert cluster.parent == graph.named("gpu", "aiops:index:EksControlPlane").urn
    assert OLD + "$aws:eks/cluster:Cluster::gpu-cluster" in graph.alias_urns(cluster)
    # renamed from a list position: the position it had in the list
    entry = next(r for r in graph.of_type(ENTRY) if r.inputs["principalArn"] == BREAKGLASS)
    assert OLD + "$aws:eks/accessEntry:AccessEntry::gpu-admin-1" in graph.alias_urns(entry)
    subnet = graph.named("gpu-private-us-east-1c", SUBNET)
    assert OLD + "$aws:ec2/subnet:Subnet::gpu-private-2" in graph.alias_urns(subnet)
    # left directly under the cluster: its type alias is enough
    sc = graph.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert OLD + "$kubernetes:storage.k8s.io/v1:StorageClass::gpu-gp3" in graph.alias_urns(sc)
    # a resource 0.1.0 did not have claims no old URN
    assert graph.one(FLOW_LOG).aliases == ()


# -- bad input to a piece: the key path, before anything is registered -------------------------
PIECE_CASES = [
    # camelCase keys, as another language or stack config writes them: the path says the same
    pytest.param("Vpc", {"availabilityZones": ["us-east-1a", "us-east-1a", "us-east-1b"]},
                 "Vpc('x').availabilityZones: ['us-east-1a', 'us-east-1a', 'us-east-1b'] lists a zone twice",
                 id="vpc-duplicate-az"),
    pytest.param("Vpc", {"azCount": 2, "availabilityZones": ["us-east-1a", "east"]},
                 "Vpc('x').availabilityZones[1]: 'east' is not an availability zone name", id="vpc-bad-az"),
    pytest.param("Vpc", {"flowLogs": {"retentionDays": 42}},
                 "Vpc('x').flowLogs.retentionDays: 42 is not a CloudWatch retention value", id="vpc-retention"),
    pytest.param("EksControlPlane", {"vpcId": "vpc-0a1b2c3d4e5f60718", "subnetIds": ["subnet-0a1b2c3d4e5f60718"]},
                 "EksControlPlane('x').subnetIds: ['subnet-0a1b2c3d4e5f60718'] needs at least 2 private subnets",
                 id="control-plane-one-subnet"),
    pytest.param("EksControlPlane", {"vpcId": "igw-1", "subnetIds": SUBNETS},
                 "EksControlPlane('x').vpcId: 'igw-1' is not a VPC id", id="control-plane-bad-vpc"),
    pytest.param("EksControlPlane", {"vpcId": "vpc-0a1b2c3d4e5f60718", "subnetIds": SUBNETS,
                                     "access": {"adminPrincipalArns": ["alice"]}},
                 "EksControlPlane('x').access.adminPrincipalArns[0]: 'alice' is not an IAM role or user ARN",
                 id="control-plane-bad-admin"),
    pytest.param("GpuNodeGroup", {**L4_SPOT, **WIRING, "availability_zones": ["us-east-1a"]},
                 "GpuNodeGroup('x').availabilityZones: ['us-east-1a'] cannot be resolved here", id="group-azs"),
    pytest.param("GpuNodeGroup", {**L4_SPOT, **WIRING, "nodeRoleArn": "nodes"},
                 "GpuNodeGroup('x').nodeRoleArn: 'nodes' is not an IAM role ARN", id="group-role"),
    pytest.param("GpuNodeGroup", {**L4_SPOT, **WIRING, "subnetIds": []},
                 "GpuNodeGroup('x').subnetIds: [] must list at least one subnet", id="group-no-subnets"),
    pytest.param("GpuNodeGroup", {**L4_SPOT, **WIRING, "labels": {"team/x": "a", "team-x": "b"}},
                 "GpuNodeGroup('x').labels: 'k8s.io/cluster-autoscaler/node-template/label/team/x' and "
                 "'k8s.io/cluster-autoscaler/node-template/label/team-x' name the same autoscaler tag child",
                 id="tag-clash"),
    pytest.param("SystemNodeGroup", {**WIRING, "clusterName": "bad name"},
                 "SystemNodeGroup('x').clusterName: 'bad name' is not a valid EKS cluster name", id="system-name"),
    pytest.param("ClusterAutoscaler", {"clusterName": "c", "kubernetesVersion": "1.20"},
                 "ClusterAutoscaler('x').kubernetesVersion: '1.20' is not a Kubernetes version EKS supports",
                 id="ca-version"),
    pytest.param("NvidiaDevicePlugin", {"version": "latest"},
                 "NvidiaDevicePlugin('x').version: 'latest' is not a chart version", id="plugin-version"),
    # snake_case keys (Python args): the path is still camelCase, as from stack config
    pytest.param("Vpc", {"nat_gateways": "TWO"},
                 "Vpc('x').natGateways: 'TWO' is not allowed; Input should be 'ONE_PER_AZ' or 'SINGLE'",
                 id="vpc-snake-key"),
]


@pytest.mark.parametrize(("piece", "args", "text"), PIECE_CASES)
def test_piece_rejects_bad_args_before_registering_anything(piece: str, args: dict[str, Any], text: str) -> None:
    import pulumi_aiops.eks as eks

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as exc:
        run_program(lambda: getattr(eks, piece)("x", args), {"aws:region": "us-east-1"}, mocks=mocks)
    assert text in str(exc.value)
    assert mocks.registered == []


def test_plain_values_in_a_wired_list_are_still_checked() -> None:
    """An output next to a bad plain id: the output passes, the plain id is refused at its index."""
    from pulumi_aiops.eks import GpuNodeGroup

    mocks = CountingMocks()

    def program() -> None:
        out = pulumi.Output.from_input("subnet-anything")
        GpuNodeGroup("x", {**L4_SPOT, "cluster_name": "c", "node_role_arn": "arn:aws:iam::123456789012:role/n",
                           "subnet_ids": [out, "sub-1"]})

    with pytest.raises(ConfigError, match=r"GpuNodeGroup\('x'\)\.subnetIds\[1\]: 'sub-1' is not a subnet id"):
        run_program(program, {"aws:region": "us-east-1"}, mocks=mocks)
    assert mocks.registered == []


def test_a_group_pinned_to_azs_in_a_brought_vpc_is_told_to_list_subnets() -> None:
    with pytest.raises(ConfigError) as exc:
        run_cluster({"network": {"vpc_id": "vpc-0a1b2c3d4e5f60718",
                                 "private_subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"]},
                     "gpu_node_groups": [{**H100_CB, "availability_zones": ["us-east-1a"]}]})
    msg = str(exc.value)
    assert msg.startswith("EksGpuCluster('gpu').gpuNodeGroups[0].availabilityZones: ['us-east-1a'] need a created VPC")
    assert "list the group's subnets of those AZs in subnetIds" in msg


# -- the component API: what Pulumi's schema inference reads ---------------------------------
def test_class_level_annotations_are_only_outputs() -> None:
    import inspect
    import typing

    from pulumi_aiops.eks import (
        ClusterAutoscaler,
        EksControlPlane,
        GpuNodeGroup,
        NvidiaDevicePlugin,
        SystemNodeGroup,
        Vpc,
    )
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    for cls in (EksGpuCluster, Vpc, EksControlPlane, GpuNodeGroup, SystemNodeGroup, ClusterAutoscaler,
                NvidiaDevicePlugin):
        ann = inspect.get_annotations(cls)
        assert ann, cls
        for name, typ in ann.items():
            assert typing.get_origin(typ) is pulumi.Output, f"{cls.__name__}.{name}: {typ!r}"


def test_schema_inference_sees_wired_fields_as_inputs_and_the_outputs() -> None:
    from pulumi_aiops.provider import schema

    res = schema()["resources"]
    cp = res["aiops:index:EksControlPlane"]
    assert set(cp["requiredInputs"]) == {"vpcId", "subnetIds"}
    assert cp["inputProperties"]["subnetIds"]["type"] == "array"
    assert {"clusterName", "kubeconfig", "nodeRoleArn", "oidcProviderArn"} <= set(cp["properties"])
    group = res["aiops:index:GpuNodeGroup"]
    assert {"clusterName", "nodeRoleArn", "subnetIds", "name", "instanceType"} <= set(group["requiredInputs"])
    assert set(res["aiops:index:Vpc"]["properties"]) == {
        "vpcId", "privateSubnetIds", "publicSubnetIds", "privateSubnetIdsByAz"}
    eks = res["aiops:index:EksGpuCluster"]
    assert not eks.get("requiredInputs")  # every arg has a default, as before
    assert {"vpcId", "privateSubnetIds", "kubeconfig", "kmsKeyArn"} <= set(eks["properties"])


def test_an_output_with_a_bad_value_fails_once_known_naming_the_key() -> None:
    """Outputs pass the args validation (their value is unknown then) and are checked once known."""
    from pulumi_aiops.eks import GpuNodeGroup
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def group() -> None:
        GpuNodeGroup("x", {**L4_SPOT, "cluster_name": "c", "subnet_ids": SUBNETS,
                           "node_role_arn": pulumi.Output.from_input("not-a-role")})

    with pytest.raises(ConfigError, match=r"GpuNodeGroup\('x'\)\.nodeRoleArn: 'not-a-role' is not an IAM role ARN"):
        run_program(group, {"aws:region": "us-east-1"})

    def cluster() -> None:
        EksGpuCluster("gpu", {"network": {"vpc_id": pulumi.Output.from_input("vpc-0a1b2c3d4e5f60718"),
                                          "private_subnet_ids": [pulumi.Output.from_input("igw-0a1b2c3d"),
                                                                 "subnet-1a2b3c4d5e6f70819"]}})

    with pytest.raises(ConfigError, match=r"EksControlPlane\('gpu'\)\.subnetIds\[0\]: 'igw-0a1b2c3d' is not a subnet"):
        run_program(cluster, {"aws:region": "us-east-1"})
