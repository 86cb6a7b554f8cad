"""Bad CoreWeave and workload config: a clean ConfigError naming the key path, the value and what
is allowed, raised before any resource is registered."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cw_helpers import POOL_H100, TOKEN, CountingMocks, run_platform

from pulumi_aiops.errors import ConfigError

BASE: dict[str, Any] = {
    "environment": "dev",
    "governance": {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"},
    "coreweave": {"name": "cw", "nodePools": [POOL_H100]},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """BASE with ``value`` set at dotted ``path`` (list indices as numbers)."""
    doc = copy.deepcopy(BASE)
    keys = path.split(".")
    cur: Any = doc
    for k in keys[:-1]:
        cur = cur[int(k)] if k.isdigit() else cur.setdefault(k, {})
    cur[keys[-1]] = value
    return doc


CASES = [
    pytest.param(_with("coreweave.cks", {"zone": "US-EAST-99Z"}),
                 "aiops:platform.coreweave.cks.zone: 'US-EAST-99Z' is not a CoreWeave Availability Zone",
                 "US-EAST-04A", id="unknown-zone"),
    pytest.param(_with("coreweave.vpc", {"zone": "US-WEST-04A"}),
                 "aiops:platform.coreweave.vpc.zone: 'US-WEST-04A' must equal cks.zone (US-EAST-04A)",
                 None, id="vpc-zone-differs"),
    pytest.param(_with("coreweave.nodePools.0.instanceType", "gd-8xh100-typo"),
                 "aiops:platform.coreweave.nodePools[0].instanceType: 'gd-8xh100-typo' is not a CoreWeave "
                 "GPU instance type", "gd-8xh100ib-i128", id="unknown-instance-type"),
    pytest.param(_with("coreweave.nodePools.0.instanceType", "p5.48xlarge"),
                 "aiops:platform.coreweave.nodePools[0].instanceType: 'p5.48xlarge' is not a CoreWeave",
                 "gb200-4x", id="aws-type-on-coreweave"),
    pytest.param(_with("coreweave.nodePools.0.targetNodes", 3),
                 "aiops:platform.coreweave.nodePools[0].targetNodes: 3 must lie within minNodes..maxNodes (0..2)",
                 None, id="target-above-max"),
    pytest.param(_with("coreweave.nodePools.0.minNodes", 2),
                 "aiops:platform.coreweave.nodePools[0].targetNodes: 1 must lie within minNodes..maxNodes (2..2)",
                 None, id="target-below-min"),
    pytest.param(_with("coreweave.nodePools", [{"name": "gb", "instanceType": "gb200-4x", "targetNodes": 4}]),
                 "aiops:platform.coreweave.nodePools[0].targetNodes: 4 must be a multiple of 18",
                 None, id="gb200-partial-rack"),
    pytest.param(_with("coreweave.nodePools", [{"name": "gb", "instanceType": "gb200-4x", "targetNodes": 18,
                                                "minNodes": 18, "maxNodes": 36, "autoscaling": "enabled"}]),
                 "aiops:platform.coreweave.nodePools[0].autoscaling: 'enabled' is not supported for gb200-4x",
                 "racks", id="gb200-autoscaling"),
    pytest.param(_with("additionalClusters", [{"cloud": "coreweave", "name": "cw"}]),
                 "aiops:platform.additionalClusters[0].name: 'cw' is already the name of the cluster at "
                 "coreweave", "unique", id="duplicate-cluster-name"),
    pytest.param(_with("workloads", {"modelServers": [{"name": "chat", "cluster": "cw-typo", "model": "m"}]}),
                 "aiops:platform.workloads.modelServers[0].cluster: 'cw-typo' is not a declared cluster",
                 "declared: cw", id="workload-unknown-cluster"),
    pytest.param(_with("workloads", {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m",
                                                       "image": "vllm/vllm-openai:latest"}]}),
                 "aiops:platform.workloads.modelServers[0].image: 'vllm/vllm-openai:latest' uses a moving tag",
                 None, id="workload-latest-image"),
    pytest.param(_with("workloads", {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m",
                                                       "image": "quay.io/someone/vllm:1.0"}]}),
                 "aiops:platform.workloads.modelServers[0].image: 'quay.io/someone/vllm:1.0' is not from an "
                 "allowed registry", "docker.io/vllm/", id="workload-registry"),
    pytest.param(_with("workloads", {"modelServers": [
        {"name": "chat", "cluster": "cw", "model": "m"}, {"name": "chat", "cluster": "cw", "model": "n"}]}),
                 "aiops:platform.workloads.modelServers[1].name: 'chat' is already the name of modelServers[0]",
                 None, id="workload-duplicate"),
    pytest.param(_with("workloads", {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m", "gpus": 9}]}),
                 "aiops:platform.workloads.modelServers[0].gpus: 9 is not allowed", "less than or equal to 8",
                 id="workload-gpus-above-8"),
    pytest.param({**_with("additionalClusters", [{"cloud": "aws", "name": "eks",
                                                  "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge"}]}]),
                  "workloads": {"modelServers": [{"name": "chat", "cluster": "eks", "model": "m", "gpus": 4}]}},
                 "aiops:platform.workloads.modelServers[0].gpus: 4 is more GPUs per replica than one node of "
                 "cluster 'eks' has (at most 1)", None, id="workload-gpus-exceed-node"),
    pytest.param({**_with("coreweave.nodePools", []),
                  "workloads": {"modelServers": [{"name": "chat", "cluster": "cw", "model": "m"}]}},
                 "aiops:platform.workloads.modelServers[0].cluster: 'cw' has no GPU node pools/groups",
                 None, id="workload-on-cluster-without-gpus"),
    pytest.param(_with("coreweave.cks", {"podCidrName": "pods"}),
                 "aiops:platform.coreweave.cks.podCidrName: 'pods' is not the name of a vpc.vpcPrefixes entry",
                 "pod-cidr", id="cidr-name-unknown"),
    pytest.param(_with("coreweave.cks", {"auditPolicy": "custom", "customAuditPolicy": "kind: Pod"}),
                 "aiops:platform.coreweave.cks.customAuditPolicy: 'kind: Pod' is not a Kubernetes audit policy",
                 None, id="audit-policy-not-a-policy"),
]


@pytest.mark.parametrize(("platform", "expected", "also"), CASES)
def test_bad_config_is_a_clean_config_error(platform: dict[str, Any], expected: str, also: str | None) -> None:
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_platform(platform, mocks=mocks)
    msg = str(info.value)
    assert expected in msg
    if also:
        assert also in msg
    assert "Traceback" not in msg
    assert mocks.registered == []  # nothing was registered before the error


def test_cluster_without_token_config() -> None:
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_platform(copy.deepcopy(BASE), config={}, secret_keys=set(), mocks=mocks)
    msg = str(info.value)
    assert msg.startswith("aiops:platform.coreweave.tokenConfigKey: 'coreweave:token' has no value")
    assert "pulumi config set --secret coreweave:token" in msg
    assert mocks.registered == []


def test_token_in_plain_text_is_refused() -> None:
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as info:
        run_platform(copy.deepcopy(BASE), config={"coreweave:token": TOKEN}, secret_keys=set(), mocks=mocks)
    assert "aiops:platform.coreweave.tokenConfigKey: 'coreweave:token' is stored in plain text" in str(info.value)
    assert TOKEN not in str(info.value)
    assert mocks.registered == []


def test_additional_cluster_token_key_is_named_in_the_error() -> None:
    platform = _with("additionalClusters", [{"cloud": "coreweave", "name": "cw2",
                                             "tokenConfigKey": "aiops:cwOtherOrgToken"}])
    with pytest.raises(ConfigError) as info:
        run_platform(platform)
    assert str(info.value).startswith(
        "aiops:platform.additionalClusters[0].tokenConfigKey: 'aiops:cwOtherOrgToken' has no value")


def test_second_org_token_is_used_for_its_cluster() -> None:
    platform = _with("additionalClusters", [{"cloud": "coreweave", "name": "cw2",
                                             "tokenConfigKey": "aiops:cwOtherOrgToken"}])
    g = run_platform(platform, config={"coreweave:token": TOKEN, "aiops:cwOtherOrgToken": "CW-SECRET-other"},
                     secret_keys={"coreweave:token", "aiops:cwOtherOrgToken"})
    tokens = {r.name: r.inputs["token"]["value"] for r in g.of_type("pulumi:providers:coreweave")}
    assert tokens == {"cw-coreweave": TOKEN, "cw2-coreweave": "CW-SECRET-other"}


def test_component_args_errors_name_the_component() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.testing import run_program

    def program() -> None:
        CoreWeaveGpuCluster("gpu", {"node_pools": [{"name": "x", "instance_type": "nope", "target_nodes": 1}]})

    with pytest.raises(ConfigError) as info:
        run_program(program, {"coreweave:token": TOKEN}, secret_keys={"coreweave:token"})
    # the path uses the spelling the caller used (snake_case args here)
    assert str(info.value).startswith("CoreWeaveGpuCluster('gpu').nodePools[0].instanceType: 'nope'")


def test_missing_token_stops_before_the_eks_cluster_too() -> None:
    platform = copy.deepcopy(BASE)
    platform["eks"] = {"name": "eks", "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge"}]}
    mocks = CountingMocks()
    with pytest.raises(ConfigError, match=r"^aiops:platform\.coreweave\.tokenConfigKey: "):
        run_platform(platform, config={}, secret_keys=set(), mocks=mocks)
    assert mocks.registered == []
