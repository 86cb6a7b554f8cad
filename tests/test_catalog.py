"""The GPU catalogue: its data, ``resolve`` (catalogue rows and types declared by hand with
``gpuSpec``), EC2 names checked against botocore, and the end-to-end path of a hand-declared
type: config → cluster component → GpuCapacity → ``aiops plan`` → the gpu-cost policy."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.catalog import (
    UNVERIFIED_PREFIX,
    Cloud,
    DeclaredSpecConflictError,
    GpuInstanceType,
    UnknownInstanceTypeError,
    catalog,
    known_instance_types,
    resolve,
)
from pulumi_aiops.catalog.ec2 import ec2_instance_type_problem, ec2_instance_types
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.contract import CapacityType, GpuCapacity
from pulumi_aiops.errors import ConfigError

GOVERNANCE = {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"}
T4_METAL = {"gpuModel": "T4", "gpuCount": 8, "gpuMemoryGib": 16}  # g4dn.metal: in EC2, not in the catalogue
GB300 = {"gpuModel": "GB300", "gpuCount": 4, "gpuMemoryGib": 279, "pricePerHourUsd": 60.0}
CA_GPU_TAG = "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"


# -- the data ---------------------------------------------------------------------------------
def test_every_aws_row_is_an_ec2_instance_type_in_botocore() -> None:
    names = known_instance_types(Cloud.AWS)
    assert len(names) >= 40
    assert [n for n in names if n not in ec2_instance_types()] == []


def test_every_row_has_a_price_source_and_date_and_no_price_is_invented() -> None:
    for row in catalog().values():
        assert row.price_source.strip(), row.name
        assert row.price_date and re.fullmatch(r"20\d\d-\d\d(-\d\d)?", row.price_date), row.name
        assert row.declared is False
        if row.price_per_hour_usd is None:
            assert row.price_source.startswith(UNVERIFIED_PREFIX) and len(row.price_source) > 30, row.name
        else:
            assert not row.price_source.startswith(UNVERIFIED_PREFIX), row.name
        assert row.vcpus and row.memory_gib and row.interconnect is not None, row.name


@pytest.mark.parametrize(("cloud", "name", "gpu", "count"), [
    ("aws", "p6-b200.48xlarge", "B200", 8), ("aws", "p5en.48xlarge", "H200", 8), ("aws", "p5e.48xlarge", "H200", 8),
    ("aws", "p5.48xlarge", "H100", 8), ("aws", "p5.4xlarge", "H100", 1), ("aws", "p4d.24xlarge", "A100", 8),
    ("aws", "g6e.12xlarge", "L40S", 4), ("aws", "g6.xlarge", "L4", 1), ("aws", "g5.48xlarge", "A10G", 8),
    ("aws", "g4dn.12xlarge", "T4", 4),
    ("coreweave", "b200-8x", "B200", 8), ("coreweave", "gb200-4x", "GB200", 4),
    ("coreweave", "gd-8xh200ib-i128", "H200", 8), ("coreweave", "gd-8xh100ib-i128", "H100", 8),
    ("coreweave", "gd-8xl40s-i128", "L40S", 8), ("coreweave", "gd-8xl40-i128", "L40", 8),
    ("coreweave", "gd-8xa100-i128", "A100", 8), ("coreweave", "rtxp6000-8x", "RTX PRO 6000", 8),
])
def test_current_generations_are_listed(cloud: str, name: str, gpu: str, count: int) -> None:
    row = resolve(cloud, name)
    assert (row.gpu_model, row.gpu_count, row.declared) == (gpu, count, False)


def test_unverified_rows_are_unpriced_not_zero() -> None:
    row = resolve("aws", "p6-b300.48xlarge")
    assert row.price_per_hour_usd is None and row.price_per_month_usd is None and not row.priced
    assert resolve("aws", "p6-b200.48xlarge").price_per_month_usd == pytest.approx(113.9328 * 730)


def test_a_row_cannot_carry_a_price_marked_unverified_or_lack_one_silently() -> None:
    base: dict[str, Any] = {"cloud": "aws", "name": "x.large", "gpu_model": "L4", "gpu_count": 1,
                            "gpu_memory_gib": 22, "vcpus": 4, "memory_gib": 16, "interconnect": "none",
                            "price_date": "2026-01"}
    with pytest.raises(ValueError, match="must be left out"):
        GpuInstanceType(**base, price_per_hour_usd=1.0, price_source="unverified: guess")
    with pytest.raises(ValueError, match="must start with 'unverified:'"):
        GpuInstanceType(**base, price_source="AWS pricing")
    with pytest.raises(ValueError, match="a catalogue row needs vcpus"):
        GpuInstanceType(**{**base, "vcpus": None}, price_per_hour_usd=1.0, price_source="AWS pricing")


# -- resolve ----------------------------------------------------------------------------------
def test_resolve_returns_the_catalogue_row_or_the_declared_spec() -> None:
    assert resolve(Cloud.AWS, "g6.xlarge") is catalog()[(Cloud.AWS, "g6.xlarge")]
    spec = resolve("aws", "g4dn.metal", T4_METAL)
    assert (spec.declared, spec.gpu_count, spec.gpu_model, spec.priced) == (True, 8, "T4", False)
    assert spec.price_source.startswith(UNVERIFIED_PREFIX) and spec.vcpus is None
    priced = resolve("coreweave", "gb300-4x", {"gpu_model": "GB300", "gpu_count": 4, "gpu_memory_gib": 279,
                                               "price_per_hour_usd": 60.0})
    assert priced.priced and priced.price_per_month_usd == pytest.approx(60.0 * 730)


def test_resolve_refuses_an_unknown_type_and_a_second_source_of_truth() -> None:
    with pytest.raises(UnknownInstanceTypeError) as unknown:
        resolve("aws", "g4dn.metal")
    assert isinstance(unknown.value, KeyError) and "gpuSpec" in str(unknown.value)
    with pytest.raises(DeclaredSpecConflictError) as conflict:
        resolve("aws", "p5.48xlarge", {"gpuModel": "H100", "gpuCount": 8, "gpuMemoryGib": 80})
    assert "already lists aws/p5.48xlarge (8× H100 80 GiB)" in str(conflict.value)


# -- EC2 names against botocore ----------------------------------------------------------------
def test_ec2_names_come_from_botocore_and_typos_get_a_suggestion() -> None:
    assert {"m6i.large", "p6-b200.48xlarge", "g4dn.metal"} <= ec2_instance_types()
    assert ec2_instance_type_problem("m6i.large") is None
    problem = ec2_instance_type_problem("m6i.larg")
    assert problem is not None and "did you mean 'm6i.large'" in problem


def test_importing_the_config_does_not_load_boto() -> None:
    """botocore's EC2 model is loaded on first use, not when the config modules are imported."""
    code = ("import sys, pulumi_aiops.config, pulumi_aiops.config.eks, pulumi_aiops.catalog.ec2; "
            "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- config -----------------------------------------------------------------------------------
def _eks(group: dict[str, Any]) -> dict[str, Any]:
    return {"governance": GOVERNANCE, "eks": {"name": "gpu", "gpuNodeGroups": [{"name": "t4", "maxSize": 3,
                                                                                 **group}]}}


def test_an_unlisted_type_without_gpu_spec_is_a_clear_error() -> None:
    with pytest.raises(ConfigError) as exc:
        load_platform_config(_eks({"instanceType": "g4dn.metal"}))
    assert str(exc.value).startswith(
        "aiops:platform.eks.gpuNodeGroups[0].instanceType: 'g4dn.metal' is not a GPU instance type this "
        "library knows; declare its GPUs with gpuSpec {gpuModel, gpuCount, gpuMemoryGib} to use it; known: ")


def test_an_unlisted_type_with_gpu_spec_is_accepted() -> None:
    cfg = load_platform_config(_eks({"instanceType": "g4dn.metal", "gpuSpec": T4_METAL}))
    assert cfg.eks is not None
    spec = cfg.eks.gpu_node_groups[0].gpu_type()
    assert spec.declared and spec.gpu_count == 8


def test_gpu_spec_for_a_listed_type_is_refused_naming_the_row() -> None:
    with pytest.raises(ConfigError) as exc:
        load_platform_config(_eks({"instanceType": "g4dn.12xlarge",
                                   "gpuSpec": {"gpuModel": "T4", "gpuCount": 4, "gpuMemoryGib": 16}}))
    msg = str(exc.value)
    assert msg.startswith("aiops:platform.eks.gpuNodeGroups[0].gpuSpec: {'gpuModel': 'T4', 'gpuCount': 4, "
                          "'gpuMemoryGib': 16} is declared by hand, but the GPU catalogue already lists "
                          "aws/g4dn.12xlarge (4× T4 16 GiB); remove gpuSpec")


def test_coreweave_pool_errors_name_the_key_path() -> None:
    pool = {"name": "gb3", "instanceType": "gb300-4x", "targetNodes": 1}
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "coreweave": {"name": "cw", "nodePools": [pool]}})
    assert str(exc.value).startswith("aiops:platform.coreweave.nodePools[0].instanceType: 'gb300-4x' is not a "
                                     "CoreWeave GPU instance type this library knows; declare its GPUs with gpuSpec")
    with pytest.raises(ConfigError) as exc:
        load_platform_config({"governance": GOVERNANCE, "coreweave": {"name": "cw", "nodePools": [
            {**pool, "instanceType": "b200-8x", "gpuSpec": GB300}]}})
    assert str(exc.value).startswith("aiops:platform.coreweave.nodePools[0].gpuSpec: ")
    assert "already lists coreweave/b200-8x (8× B200 180 GiB)" in str(exc.value)


def test_a_workload_fits_on_a_declared_pool() -> None:
    """Workload placement counts the declared GPUs (2 per g5g.16xlarge node, an Arm type), not 0."""
    group = {"instanceType": "g5g.16xlarge", "amiType": "AL2023_ARM_64_NVIDIA",
             "gpuSpec": {"gpuModel": "T4G", "gpuCount": 2, "gpuMemoryGib": 16}}
    server = {"name": "chat", "cluster": "gpu", "model": "Qwen/Qwen2.5-1.5B-Instruct", "gpus": 2}
    platform = {**_eks(group), "workloads": {"modelServers": [server]}}
    assert load_platform_config(platform).workloads.model_servers[0].gpus == 2
    platform["workloads"]["modelServers"][0]["gpus"] = 3
    with pytest.raises(ConfigError, match=r"modelServers\[0\]\.gpus: 3 is more GPUs per replica .*\(at most 2\)"):
        load_platform_config(platform)


# -- GpuCapacity ------------------------------------------------------------------------------
def _cap(**kw: Any) -> GpuCapacity:
    base: dict[str, Any] = {"cluster": "c", "cloud": Cloud.AWS, "pool": "p", "instance_type": "g6.xlarge",
                            "gpu_model": "L4", "gpus_per_node": 1, "min_nodes": 0, "max_nodes": 2}
    return GpuCapacity(**{**base, **kw})


def test_gpu_capacity_is_unpriced_not_zero() -> None:
    assert _cap().max_monthly_usd == pytest.approx(0.8048 * 2 * 730)  # the catalogue price, when not given
    unpriced = _cap(instance_type="g4dn.metal", gpu_model="T4", gpus_per_node=8, declared=True)
    assert unpriced.max_monthly_usd is None and not unpriced.priced
    assert unpriced.to_output()["declared"] is True and unpriced.to_output()["pricePerHourUsd"] is None
    assert _cap(instance_type="p6-b300.48xlarge", gpu_model="B300", gpus_per_node=8).max_monthly_usd is None
    declared = _cap(instance_type="g4dn.metal", declared=True, price_per_hour_usd=7.0)
    assert declared.max_monthly_usd == pytest.approx(7.0 * 2 * 730)


# -- components -------------------------------------------------------------------------------
def test_eks_group_of_a_declared_type_uses_the_declared_gpus() -> None:
    sys.path.insert(0, str(Path(__file__).parent / "eks"))
    from eks_helpers import run_cluster  # type: ignore[import-not-found]

    group = {"name": "t4", "instance_type": "g4dn.metal", "min_size": 0, "max_size": 3, "gpu_spec": T4_METAL}
    graph = run_cluster({"gpu_node_groups": [group]})
    ng = next(r for r in graph.of_type("aws:eks/nodeGroup:NodeGroup") if "t4" in r.name)
    lt = {r.urn: r for r in graph.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    types = ng.inputs.get("instanceTypes") or [lt_r.inputs.get("instanceType") for lt_r in lt.values()
                                                if "t4" in lt_r.name]
    assert "g4dn.metal" in types
    tags = {r.inputs["tag"]["key"]: r.inputs["tag"]["value"] for r in graph.of_type("aws:autoscaling/tag:Tag")
            if "-gpu-t4-" in r.name}
    assert tags[CA_GPU_TAG] == "8"  # scale from zero knows a node has 8 GPUs
    out = graph.outputs_of(graph.named("gpu", "aiops:index:EksGpuCluster"))  # not one of its pieces
    cap = out["gpuCapacity"][0]
    # an unpriced pool carries no price (the engine drops a None output value)
    assert (cap["gpusPerNode"], cap["maxGpus"], cap["declared"], cap.get("pricePerHourUsd")) == (8, 24, True, None)


def test_coreweave_pool_of_a_declared_type_uses_the_declared_gpus() -> None:
    sys.path.insert(0, str(Path(__file__).parent / "coreweave"))
    from cw_helpers import run_cluster  # type: ignore[import-not-found]

    pool = {"name": "gb3", "instanceType": "gb300-4x", "targetNodes": 2, "gpuSpec": GB300}
    graph = run_cluster({"node_pools": [pool]})
    np_ = next(r for r in graph if r.type.endswith(":NodePool"))
    assert np_.inputs["spec"]["instanceType"] == "gb300-4x"
    cap = next(iter(graph.component_outputs.values()))["gpuCapacity"][0]
    assert (cap["gpusPerNode"], cap["maxGpus"], cap["declared"], cap["pricePerHourUsd"]) == (4, 8, True, 60.0)


# -- aiops plan and the gpu-cost policy --------------------------------------------------------
_STACK = """
config:
  aws:region: us-east-1
  coreweave:token:
    secure: v1:placeholder
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1, dataClassification: internal}
    allowedRegions: [us-east-1]
    eks:
      name: eks-gpu
      network: {azCount: 2, natGateways: SINGLE}
      gpuNodeGroups:
        - {name: l4, instanceType: g6.xlarge, minSize: 0, maxSize: 2}
        - name: t4
          instanceType: g4dn.metal
          maxSize: 3
          gpuSpec: {gpuModel: T4, gpuCount: 8, gpuMemoryGib: 16}
    coreweave:
      name: cw-gpu
      nodePools:
        - name: gb3
          instanceType: gb300-4x
          targetNodes: 1
          gpuSpec: {gpuModel: GB300, gpuCount: 4, gpuMemoryGib: 279, pricePerHourUsd: 60.0}
"""


@pytest.fixture
def declared_project(tmp_path: Path, repo_root: Path) -> Path:
    (tmp_path / "stacks").mkdir()
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(repo_root / "stacks" / "__main__.py", tmp_path / "stacks" / "__main__.py")
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(_STACK)
    return tmp_path


def test_plan_shows_declared_pools_and_never_prices_them_at_zero(
        declared_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pulumi_aiops.cli import main

    assert main(["plan", "--stack", "x", "--cwd", str(declared_project), "--no-policy"]) == 0
    text = capsys.readouterr().out
    assert "eks-gpu/t4: g4dn.metal (8× T4, declared by hand), 0..3 nodes, ON_DEMAND, unpriced" in text
    assert "eks-gpu/l4: g6.xlarge (1× L4), 0..2 nodes, ON_DEMAND, ≤ $1,175/month" in text
    assert "cw-gpu/gb3: gb300-4x (4× GB300, declared by hand), 1..1 nodes, ON_DEMAND, ≤ $43,800/month" in text
    assert "aws        2 pools, up to 5 nodes / 26 GPUs (2× L4, 24× T4), ≤ $1,175/month + 1 unpriced pool" in text
    assert "$0" not in text

    assert main(["plan", "--stack", "x", "--cwd", str(declared_project), "--no-policy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["pool"]: r for r in data["gpuCapacity"]}
    assert (rows["t4"]["priced"], rows["t4"]["declared"], rows["t4"]["maxMonthlyUsd"]) == (False, True, None)
    assert (rows["gb3"]["priced"], rows["gb3"]["declared"]) == (True, True)
    assert rows["gb3"]["maxMonthlyUsd"] == pytest.approx(60.0 * 730)
    assert (rows["l4"]["priced"], rows["l4"]["declared"]) == (True, False)
    aws = data["gpuCapacityByCloud"]["aws"]
    assert (aws["unpricedPools"], aws["declaredPools"]) == (1, 1)
    assert aws["maxMonthlyUsd"] == pytest.approx(round(0.8048 * 2 * 730, 2))


def test_gpu_cost_policy_reads_declared_prices_and_reports_unpriced_types(
        declared_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real pack (gRPC, PULUMI_CONFIG from the stack): the declared CoreWeave price
    counts against the budget, the declared AWS type without a price is reported, not $0."""
    from pulumi_aiops.cli import main

    cfg = tmp_path / "policy.json"
    cfg.write_text(json.dumps({"gpu-cost-budget": {"maxMonthlyUsd": 40000}}))
    code = main(["plan", "--stack", "x", "--cwd", str(declared_project), "--policy-pack", "gpu-cost", "--json",
                 "--policy-pack-config", str(cfg)])
    data = json.loads(capsys.readouterr().out)
    msgs = [d["message"] for d in data["policy"]["diagnostics"] if d["policy"] == "gpu-cost-budget"]
    assert code == 1
    assert any("'g4dn.metal' is declared by hand (gpuSpec) in aiops:platform without pricePerHourUsd" in m
               and "not counted (never as $0)" in m for m in msgs), msgs
    over = [m for m in msgs if "exceeds the budget $40,000" in m]
    assert over and "NodePool" in over[0] and "1 x gb300-4x = $43,800" in over[0], msgs


def test_gpu_cost_prices_declared_types_from_the_platform_config() -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "policy-packs"))
    from aiops_policies.rules_cost import declared_gpu_prices, monthly_gpu_cost

    platform = {"eks": {"gpuNodeGroups": [{"name": "t4", "instanceType": "g4dn.metal",
                                           "gpuSpec": {**T4_METAL, "pricePerHourUsd": 7.0}}]},
                "additionalClusters": [{"cloud": "coreweave", "name": "cw2", "nodePools": [
                    {"name": "gb3", "instanceType": "gb300-4x", "gpuSpec": {"gpuModel": "GB300", "gpuCount": 4,
                                                                          "gpuMemoryGib": 279}}]}]}
    assert declared_gpu_prices(platform) == {"g4dn.metal": 7.0, "gb300-4x": None}

    class Res:
        def __init__(self, type_: str, name: str, props: dict[str, Any]) -> None:
            self.resource_type, self.name, self.props, self.urn = type_, name, props, f"urn:{name}"

    resources = [Res("aws:eks/nodeGroup:NodeGroup", "t4", {"instanceTypes": ["g4dn.metal"],
                                                            "scalingConfig": {"maxSize": 2.0}}),
                 Res("kubernetes:compute.coreweave.com/v1alpha1:NodePool", "gb3",
                     {"spec": {"instanceType": "gb300-4x", "maxNodes": 18.0}})]
    total, items, unpriced = monthly_gpu_cost(resources, {}, platform=platform)
    assert total == pytest.approx(7.0 * 2 * 730) and len(items) == 1
    assert unpriced == [("urn:gb3", "gb300-4x",
                         "is declared by hand (gpuSpec) in aiops:platform without pricePerHourUsd")]
    # without the stack config (a program declaring gpu_spec in component args), the rule says so
    _, _, unpriced = monthly_gpu_cost(resources[:1], {}, platform={})
    assert "not visible to policies" in unpriced[0][2]


def test_capacity_type_is_kept() -> None:
    assert _cap(capacity_type=CapacityType.SPOT).to_output()["capacityType"] == "SPOT"
