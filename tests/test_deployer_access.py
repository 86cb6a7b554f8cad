"""``deployerAccess``: the deployer (a CI runner, a VPN host) reaches the private endpoints.

The EKS cluster security group (private API endpoint) and each OpenSearch Serverless endpoint's
security group admit the deployer's security groups and CIDRs on 443, with rules named by a hash
of what they admit; the Kubernetes provider and the AOSS index wait for them; 0.0.0.0/0 and
public ranges (unless allowed) are refused before anything is registered.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from pulumi_aiops.aws.deployer_access import rule_key
from pulumi_aiops.builder import main
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program

RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
RUNNER_SG = "sg-0123456789abcdef0"
VPN = "10.100.0.0/24"
VPN6 = "fd00:10::/64"
DEPLOYER = "arn:aws:iam::123456789012:role/deployer"


class CountingMocks(RecordingMocks):
    """Mocks that count resource registrations (to prove errors come before any)."""

    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args.typ)
        return super().new_resource(args)


def _cluster(access: dict[str, Any], name: str = "gpu") -> ResourceGraph:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def program() -> None:
        EksGpuCluster(name, {"tags": dict(TAGS), "deployer_access": access})

    return run_program(program, {"aws:region": "us-east-1"})


def _rules(graph: ResourceGraph, prefix: str) -> dict[str, Any]:
    return {r.name: r for r in graph.of_type(RULE) if r.name.startswith(prefix)}


# -- the EKS cluster security group ------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster() -> ResourceGraph:
    return _cluster({"security_group_ids": [RUNNER_SG], "cidrs": [VPN, VPN6]})


def test_cluster_security_group_admits_the_deployer_on_443(cluster: ResourceGraph) -> None:
    rules = _rules(cluster, "gpu-deployer-")
    cluster_sg = cluster.one("aws:eks/cluster:Cluster").outputs["vpcConfig"]["clusterSecurityGroupId"]
    assert set(rules) == {f"gpu-deployer-{rule_key(v)}" for v in (RUNNER_SG, VPN, VPN6)}
    for r in rules.values():
        assert r.inputs["securityGroupId"] == cluster_sg
        assert (r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) == ("tcp", 443, 443)
        assert r.inputs["tags"]["cost-center"] == "cc-1"
    by_key = {r.name.rsplit("-", 1)[1]: r.inputs for r in rules.values()}
    assert by_key[rule_key(RUNNER_SG)]["referencedSecurityGroupId"] == RUNNER_SG
    assert by_key[rule_key(VPN)]["cidrIpv4"] == VPN
    assert by_key[rule_key(VPN6)]["cidrIpv6"] == VPN6
    assert not any("cidrIpv4" in r.inputs and "referencedSecurityGroupId" in r.inputs for r in rules.values())


def test_rule_names_are_stable_keys_not_positions(cluster: ResourceGraph) -> None:
    # The key is a hash of the CIDR or the id: reordering (or adding) entries renames nothing.
    assert rule_key(VPN) == hashlib.sha256(VPN.encode()).hexdigest()[:10]
    reordered = _cluster({"security_group_ids": [RUNNER_SG], "cidrs": [VPN6, "10.200.0.0/24", VPN]})
    before = set(_rules(cluster, "gpu-deployer-"))
    after = set(_rules(reordered, "gpu-deployer-"))
    assert before <= after and after - before == {f"gpu-deployer-{rule_key('10.200.0.0/24')}"}


def test_the_kubernetes_provider_waits_for_the_rules(cluster: ResourceGraph) -> None:
    # Helm releases and every Kubernetes object go through the provider: without the rules in
    # place first, the first `pulumi up` from a runner would time out on the API.
    provider = cluster.one("pulumi:providers:kubernetes")
    for r in _rules(cluster, "gpu-deployer-").values():
        assert r.urn in provider.depends_on


def test_no_deployer_access_no_rules() -> None:
    assert not _rules(_cluster({}), "gpu-deployer-")


def test_a_security_group_given_as_an_output() -> None:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    def program() -> None:
        runners = aws.ec2.SecurityGroup("ci-runners", vpc_id="vpc-0a1b2c3d4e5f60718", description="CI runners")
        EksGpuCluster("gpu", {"tags": dict(TAGS), "deployer_access": {"security_group_ids": [runners.id]}})

    graph = run_program(program, {"aws:region": "us-east-1"})
    runners = graph.named("ci-runners", "aws:ec2/securityGroup:SecurityGroup")
    [rule] = _rules(graph, "gpu-deployer-").values()
    assert rule.name == "gpu-deployer-output-0"  # no value yet: keyed by its place among the outputs
    assert rule.inputs["referencedSecurityGroupId"] == runners.outputs["id"]
    assert runners.urn in rule.property_dependencies["referencedSecurityGroupId"]


# -- refused before anything is registered ------------------------------------------------------
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("ipv4-anywhere", {"cidrs": ["0.0.0.0/0"]}, "deployerAccess.cidrs[0]: '0.0.0.0/0' would open"),
    ("ipv6-anywhere", {"cidrs": [VPN, "::/0"]}, "deployerAccess.cidrs[1]: '::/0' would open"),
    ("public", {"cidrs": ["203.0.113.0/24"]}, "deployerAccess.cidrs[0]: '203.0.113.0/24' is not a private range"),
    ("anywhere-even-if-public-allowed", {"cidrs": ["0.0.0.0/0"], "allow_public_cidrs": True},
     "deployerAccess.cidrs[0]: '0.0.0.0/0' would open"),
    ("not-a-cidr", {"cidrs": ["10.0.0.1/24"]}, "deployerAccess.cidrs[0]: '10.0.0.1/24' is not a valid CIDR"),
    ("twice", {"cidrs": [VPN, VPN]}, "deployerAccess.cidrs[1]: '10.100.0.0/24' appears twice"),
    ("not-an-sg", {"security_group_ids": ["vpc-0a1b2c3d"]},
     "deployerAccess.securityGroupIds[0]: 'vpc-0a1b2c3d' is not a security group id"),
]


@pytest.mark.parametrize(("access", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_deployer_access_is_refused_before_anything_is_registered(access: dict[str, Any], message: str) -> None:
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as err:
        run_program(lambda: EksGpuCluster("gpu", {"deployer_access": access}), {"aws:region": "us-east-1"},
                    mocks=mocks)
    assert f"EksGpuCluster('gpu').{message}" in str(err.value)
    assert mocks.registered == []


def test_a_public_range_routed_privately_is_accepted_when_allowed() -> None:
    graph = _cluster({"cidrs": ["203.0.113.0/24"], "allow_public_cidrs": True})
    [rule] = _rules(graph, "gpu-deployer-").values()
    assert rule.inputs["cidrIpv4"] == "203.0.113.0/24"


# -- the OpenSearch Serverless endpoint ---------------------------------------------------------
NET = {"vpc_id": "vpc-0abc", "subnet_ids": ["subnet-a", "subnet-b"], "client_security_group_ids": ["sg-0e5c"]}


def test_aoss_endpoint_admits_the_deployer_and_the_index_waits() -> None:
    from pulumi_aiops.vector_store import VectorStore

    def program() -> None:
        VectorStore("docs", {"backend": "opensearch-serverless", "dimensions": 1024,
                             "opensearch": {"admin_principals": [DEPLOYER]}, "network": NET,
                             "deployer_access": {"security_group_ids": [RUNNER_SG], "cidrs": [VPN]},
                             "tags": TAGS})

    graph = run_program(program, {"aws:region": "us-east-1"})
    sg = graph.named("docs-sg", "aws:ec2/securityGroup:SecurityGroup").outputs["id"]
    vpce = graph.one("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    assert vpce.inputs["securityGroupIds"] == [sg]
    rules = _rules(graph, "docs-sg-deployer-")
    assert set(rules) == {f"docs-sg-deployer-{rule_key(RUNNER_SG)}", f"docs-sg-deployer-{rule_key(VPN)}"}
    assert all(r.inputs["securityGroupId"] == sg and r.inputs["fromPort"] == 443 for r in rules.values())
    # The clients' rule is still there, under its own name.
    assert graph.named("docs-sg-in-" + _short("sg-0e5c"), RULE).inputs["referencedSecurityGroupId"] == "sg-0e5c"
    index = graph.one("pulumi-python:dynamic/aiops:AossIndex")
    assert all(r.urn in index.depends_on for r in rules.values())


def _short(value: str) -> str:
    from pulumi_aiops.data_lake import short_hash

    return short_hash(value)


def test_deployer_access_on_a_backend_without_a_private_endpoint_is_refused() -> None:
    from pulumi_aiops.vector_store import VectorStore

    with pytest.raises(ConfigError, match=r"VectorStore\('pgkb'\)\.deployerAccess: .*applies to opensearch-serverless"):
        run_program(lambda: VectorStore("pgkb", {"backend": "aurora-pgvector", "dimensions": 768, "network": NET,
                                              "deployer_access": {"cidrs": [VPN]}}),
                    {"aws:region": "us-east-1"})


# -- the stack config: aiops:platform.deployerAccess -------------------------------------------
def _platform(**more: Any) -> dict[str, Any]:
    return {
        "environment": "dev",
        "governance": {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"},
        "eks": {"name": "gpu", "network": {"azCount": 2, "natGateways": "SINGLE"}},
        "vectorStores": [
            {"name": "kb-docs", "backend": "opensearch-serverless", "dimensions": 1024,
             "opensearch": {"adminPrincipals": [DEPLOYER]}},
            {"name": "kb-pg", "backend": "aurora-pgvector", "dimensions": 768},
        ],
        **more,
    }


def test_platform_deployer_access_reaches_the_cluster_and_the_aoss_store() -> None:
    platform = _platform(deployerAccess={"securityGroupIds": [RUNNER_SG], "cidrs": [VPN]})
    platform["eks"]["deployerAccess"] = {"cidrs": [VPN, "10.101.0.0/24"]}  # the cluster's own, added
    graph = run_program(main, {"aws:region": "us-east-1", "aiops:platform": platform})
    cluster_sg = graph.one("aws:eks/cluster:Cluster").outputs["vpcConfig"]["clusterSecurityGroupId"]
    eks_rules = _rules(graph, "gpu-deployer-")
    assert {r.inputs["securityGroupId"] for r in eks_rules.values()} == {cluster_sg}
    assert set(eks_rules) == {f"gpu-deployer-{rule_key(v)}" for v in (RUNNER_SG, VPN, "10.101.0.0/24")}
    aoss_sg = graph.named("vector-kb-docs-sg", "aws:ec2/securityGroup:SecurityGroup").outputs["id"]
    aoss_rules = _rules(graph, "vector-kb-docs-sg-deployer-")
    assert set(aoss_rules) == {f"vector-kb-docs-sg-deployer-{rule_key(v)}" for v in (RUNNER_SG, VPN)}
    assert {r.inputs["securityGroupId"] for r in aoss_rules.values()} == {aoss_sg}
    # Aurora's schema goes through the RDS Data API: nothing opened on its security group.
    assert not _rules(graph, "vector-kb-pg-sg-deployer-")


def test_platform_deployer_access_refuses_the_internet() -> None:
    from pulumi_aiops.config import load_platform_config

    with pytest.raises(ConfigError, match=r"aiops:platform\.deployerAccess\.cidrs\[0\]: '0\.0\.0\.0/0' would open"):
        load_platform_config(_platform(deployerAccess={"cidrs": ["0.0.0.0/0"]}))
