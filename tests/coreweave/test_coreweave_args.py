"""CoreWeaveGpuCluster(name, args, opts): tags and wiring inside args, errors named by where they
come from (a program or stack config), stable child names, the narrow readiness dependency a
workload takes, and a schema Pulumi's analyzer can infer."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any, cast

import pulumi
import pytest
from cw_helpers import POOL_H100, SECRET_CFG, SECRET_KEYS, TAGS, TOKEN, CountingMocks, run_cluster, run_platform

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program

CKS = "coreweave:index/cksCluster:CksCluster"
VPC = "coreweave:index/networkingVpc:NetworkingVpc"
BUCKET = "coreweave:index/objectStorageBucket:ObjectStorageBucket"
BUCKET_POLICY = "coreweave:index/objectStorageBucketPolicy:ObjectStorageBucketPolicy"
L40S = {"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1}


def test_tags_live_in_args_and_reach_the_buckets() -> None:
    g = run_cluster({"datasets": [{"name": "acme-train"}], "tags": {**TAGS, "team": "search"}})
    assert g.one(BUCKET).inputs["tags"] == {**TAGS, "team": "search"}


def test_the_old_keyword_arguments_are_gone() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    params = list(inspect.signature(CoreWeaveGpuCluster.__init__).parameters)
    assert params == ["self", "name", "args", "opts"]

    def program() -> None:
        CoreWeaveGpuCluster("cw", {}, tags=TAGS)  # type: ignore[call-arg]

    with pytest.raises(TypeError, match="tags"):
        run_program(program, SECRET_CFG, secret_keys=SECRET_KEYS)


def test_governance_tags_reach_the_buckets_from_stack_config(base_platform: dict[str, Any]) -> None:
    platform = {**base_platform, "coreweave": {"name": "cw", "datasets": [{"name": "acme-train"}],
                                               "tags": {"team": "search", "owner": "search-team"}}}
    g = run_platform(platform)
    tags = g.one(BUCKET).inputs["tags"]
    # the stack's governance tags, with the cluster's own tags over them
    assert tags["cost-center"] == "cc-1" and tags["data-classification"] == "internal"
    assert tags["team"] == "search" and tags["owner"] == "search-team"


def test_args_may_be_the_validated_model() -> None:
    from pulumi_aiops.config.coreweave import CoreWeaveClusterConfig
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    cfg = CoreWeaveClusterConfig.model_validate({"name": "cw-model", "nodePools": [POOL_H100], "tags": TAGS})
    seen: list[str] = []

    def program() -> None:
        seen.append(CoreWeaveGpuCluster("cw", cast(Any, cfg)).cluster_name)

    g = run_program(program, SECRET_CFG, secret_keys=SECRET_KEYS)
    assert seen == ["cw-model"]
    assert g.one("kubernetes:compute.coreweave.com/v1alpha1:NodePool").name == "cw-pool-h100"


def test_program_errors_name_the_component_and_come_before_any_resource() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    def bad_pool() -> None:
        CoreWeaveGpuCluster("gpu", {"nodePools": [{**POOL_H100, "targetNodes": 5}]})

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_program(bad_pool, SECRET_CFG, secret_keys=SECRET_KEYS, mocks=mocks)
    assert str(info.value).startswith(
        "CoreWeaveGpuCluster('gpu').nodePools[0].targetNodes: 5 must lie within minNodes..maxNodes (0..2)")
    assert mocks.registered == []

    def no_token() -> None:
        CoreWeaveGpuCluster("gpu", {})

    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_program(no_token, {}, mocks=mocks)
    assert str(info.value).startswith("CoreWeaveGpuCluster('gpu').tokenConfigKey: 'coreweave:token' has no value")
    assert mocks.registered == []


def test_stack_config_errors_keep_the_config_path(base_platform: dict[str, Any]) -> None:
    platform = {**base_platform, "coreweave": {"name": "cw", "nodePools": [{**POOL_H100, "targetNodes": 5}]}}
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_platform(platform, mocks=mocks)
    assert str(info.value).startswith("aiops:platform.coreweave.nodePools[0].targetNodes: 5 must lie within")
    assert mocks.registered == []


# -- wiring -----------------------------------------------------------------------------------
def test_a_brought_vpc_is_wired_by_output_and_none_is_created() -> None:
    import pulumi_coreweave as coreweave

    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    def program() -> None:
        token = pulumi.Config("coreweave").require_secret("token")
        cw_provider = coreweave.Provider("mine", token=token)
        mine = coreweave.NetworkingVpc(
            "my-vpc", name="shared-vpc", zone="US-EAST-04A",
            vpc_prefixes=[{"name": "pods", "value": "10.0.0.0/13"}, {"name": "svc", "value": "10.16.0.0/22"},
                          {"name": "lb", "value": "10.32.4.0/22"}],
            opts=pulumi.ResourceOptions(provider=cw_provider))
        CoreWeaveGpuCluster("cw", {
            "vpc": {"vpc_id": mine.id},
            "cks": {"pod_cidr_name": "pods", "service_cidr_name": "svc", "internal_lb_cidr_names": ["lb"]},
            "tags": TAGS,
        })

    g = run_program(program, SECRET_CFG, secret_keys=SECRET_KEYS)
    (vpc,) = g.of_type(VPC)
    assert vpc.name == "my-vpc"  # only the user's VPC exists
    cks = g.one(CKS)
    assert cks.inputs["vpcId"] == vpc.id
    assert cks.property_dependencies["vpcId"] == (vpc.urn,)
    assert (cks.inputs["podCidrName"], cks.inputs["serviceCidrName"], cks.inputs["internalLbCidrNames"]) == (
        "pods", "svc", ["lb"])
    top = g.named("cw", "aiops:index:CoreWeaveGpuCluster")
    assert g.component_outputs[top.urn]["vpcId"] == vpc.id


@pytest.mark.parametrize(("vpc", "expected"), [
    ({"vpcId": "vpc-1", "vpcPrefixes": [{"name": "pod-cidr", "value": "10.0.0.0/13"}]},
     "CoreWeaveGpuCluster('cw').vpc.vpcPrefixes: [{'name': 'pod-cidr', 'value': '10.0.0.0/13'}] is ignored "
     "with vpcId"),
    ({"vpcId": "vpc-1", "disablePublicServices": False},
     "CoreWeaveGpuCluster('cw').vpc.disablePublicServices: False is ignored with vpcId"),
    ({"vpcId": "  "}, "CoreWeaveGpuCluster('cw').vpc.vpcId: '  ' is not a VPC id"),
])
def test_a_brought_vpc_refuses_settings_it_would_ignore(vpc: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        run_cluster({"vpc": vpc})
    assert str(info.value).startswith(expected)


def test_dataset_principals_may_be_outputs() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    def program() -> None:
        org = pulumi.Output.from_input("acme-org")
        reader = pulumi.Output.concat("arn:aws:iam::", org, ":static/reader")
        CoreWeaveGpuCluster("cw", {"datasets": [{"name": "acme-train", "readers": [reader],
                                                 "writers": ["arn:aws:iam::acme-org:static/ingest"]}]})

    g = run_program(program, SECRET_CFG, secret_keys=SECRET_KEYS)
    doc = json.loads(g.one(BUCKET_POLICY).inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["DatasetRead"]["Principal"] == {
        "CW": ["arn:aws:iam::acme-org:static/ingest", "arn:aws:iam::acme-org:static/reader"]}
    assert by_sid["DatasetWrite"]["Principal"] == {"CW": ["arn:aws:iam::acme-org:static/ingest"]}


# -- stable names -----------------------------------------------------------------------------
def test_reordering_node_pools_and_datasets_changes_no_urn() -> None:
    pools = [POOL_H100, L40S]
    datasets = [{"name": "acme-train"}, {"name": "acme-eval", "writers": ["ingest-key"]}]
    a = run_cluster({"nodePools": pools, "datasets": datasets})
    b = run_cluster({"nodePools": pools[::-1], "datasets": datasets[::-1]})
    assert {r.urn for r in a} == {r.urn for r in b}
    assert len({r.urn for r in a}) == len(list(a))
    # and each child keeps its inputs: no update either
    for r in a:
        assert b.get(r.urn).inputs == r.inputs, r.name


# -- the contract as a workload sees it -------------------------------------------------------
def test_workloads_wait_for_the_control_plane_and_pools_not_the_whole_component(
        base_platform: dict[str, Any]) -> None:
    platform = {**base_platform,
                "coreweave": {"name": "cw", "nodePools": [POOL_H100, L40S], "datasets": [{"name": "acme-train"}]},
                "workloads": {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m"}]}}
    g = run_platform(platform)
    ns = g.named("cw-chat-ns")
    expected = {g.one(CKS).urn, *(r.urn for r in g if r.type.endswith(":NodePool"))}
    assert set(ns.depends_on) == expected
    # not the buckets, the VPC or the component: depending on the component expands to all of them
    assert g.one(BUCKET).urn not in ns.depends_on and g.one(VPC).urn not in ns.depends_on
    # the objects still go through the cluster's provider, which itself waits for the CKS cluster
    provider = g.one("pulumi:providers:kubernetes")
    assert ns.provider == provider.urn and g.one(CKS).urn in provider.depends_on


def test_pulumi_schema_inference_accepts_the_component() -> None:
    from pulumi.provider.experimental.analyzer import Analyzer

    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    result = Analyzer("aiops").analyze([CoreWeaveGpuCluster])
    comp = result["component_definitions"]["CoreWeaveGpuCluster"]
    assert {"nodePools", "datasets", "vpc", "cks", "tags", "tokenConfigKey"} <= set(comp.inputs)
    assert set(comp.outputs) == {"kubeconfig", "apiServerEndpoint", "serviceAccountOidcIssuerUrl", "vpcId"}
    assert "vpcId" in result["type_definitions"]["CoreWeaveVpcArgs"].properties


def test_class_level_annotations_are_only_outputs() -> None:
    from pulumi_aiops.contract import GpuCluster
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.workloads import ModelServer

    for cls in (GpuCluster, CoreWeaveGpuCluster, ModelServer):
        ann = inspect.get_annotations(cls)
        assert ann, cls
        for name, typ in ann.items():
            assert typing.get_origin(typ) is pulumi.Output, f"{cls.__name__}.{name}: {typ!r}"


def test_the_token_stays_config() -> None:
    from pulumi_aiops.args import CoreWeaveGpuClusterArgs

    hints = CoreWeaveGpuClusterArgs.__annotations__
    assert hints["token_config_key"] is str  # a config key, not an input: the secret never enters args
    assert TOKEN not in json.dumps(run_cluster({}).one(CKS).inputs)
