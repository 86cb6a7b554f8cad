"""``aiops plan``'s monthly cost range: GPU pools from the catalogue, fixed items from fixed_costs.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from pulumi_aiops.catalog import HOURS_PER_MONTH
from pulumi_aiops.cli import main
from pulumi_aiops.cost import FIXED_COSTS_PATH, estimate_cost, fixed_prices
from pulumi_aiops.plan import find_project, plan_stack
from stack_plans import STACKS, planned
from test_plan_diff import copy_project


def test_every_price_has_a_source_and_a_date_and_every_unpriced_item_a_reason() -> None:
    data = tomllib.loads(FIXED_COSTS_PATH.read_text())
    for row in data["price"]:
        assert row["usd"] > 0 and row["regions"], row["id"]
        assert len(row["source"]) > 40 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["source_date"]), row["id"]
    for row in data["unpriced"]:
        assert "usd" not in row and len(row["reason"]) > 20, row["id"]
    assert {"eks-control-plane", "nat-gateway", "vpc-interface-endpoint", "aurora-serverless-v2-acu",
            "opensearch-serverless-ocu"} <= set(fixed_prices())
    assert "coreweave-cks" in {r["id"] for r in data["unpriced"]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_range_adds_up(stack: str) -> None:
    cost = estimate_cost(planned(stack))
    assert 0 < cost["minMonthlyUsd"] <= cost["maxMonthlyUsd"]
    assert cost["minMonthlyUsd"] == pytest.approx(sum(i["minMonthlyUsd"] for i in cost["items"]), abs=0.05)
    assert cost["maxMonthlyUsd"] == pytest.approx(sum(i["maxMonthlyUsd"] for i in cost["items"]), abs=0.05)
    for item in cost["items"]:
        q = item["quantity"]
        assert item["minMonthlyUsd"] == pytest.approx(item["unitPriceUsd"] * q["min"] * HOURS_PER_MONTH, abs=0.01)
        assert item["maxMonthlyUsd"] == pytest.approx(item["unitPriceUsd"] * q["max"] * HOURS_PER_MONTH, abs=0.01)
        assert item["assumption"] and item["source"]
    for u in cost["unpriced"]:
        assert u["reason"] and u["name"] not in {i["name"] for i in cost["items"]}


@pytest.mark.parametrize("stack", STACKS)
def test_gpu_pools_are_priced_at_min_and_max_nodes(stack: str) -> None:
    result = planned(stack)
    pools = {i["name"]: i for i in estimate_cost(result)["items"] if i["kind"] == "gpu-pool"}
    for row in result.gpu_capacity():
        item = pools[f"{row['cluster']}/{row['pool']}"]
        assert item["quantity"] == {"min": row["minNodes"], "max": row["maxNodes"]}
        assert item["unitPriceUsd"] == row["pricePerHourUsd"]


def test_dev_fixed_items_and_their_assumptions() -> None:
    cost = estimate_cost(planned("dev"))
    items = {i["id"]: i for i in cost["items"] if i["kind"] == "fixed"}
    assert set(items) == {"eks-control-plane", "nat-gateway", "vpc-interface-endpoint", "aurora-serverless-v2-acu"}
    assert items["eks-control-plane"]["minMonthlyUsd"] == 73.0          # 1 cluster × $0.10 × 730 h
    assert items["nat-gateway"]["quantity"] == {"min": 1, "max": 1}     # natGateways: SINGLE
    assert items["vpc-interface-endpoint"]["quantity"]["min"] == 2      # bedrock-runtime in 2 AZs
    aurora = items["aurora-serverless-v2-acu"]
    assert aurora["quantity"] == {"min": 0, "max": 2} and "pauses when idle" in aurora["assumption"]
    assert [u["id"] for u in cost["unpriced"]] == ["system-nodes"]


def test_prod_prices_the_opensearch_floor_and_lists_coreweave_cks_as_unpriced() -> None:
    cost = estimate_cost(planned("prod"))
    aoss = next(i for i in cost["items"] if i["id"] == "opensearch-serverless-ocu")
    assert aoss["quantity"] == {"min": 2, "max": 2}  # standby replicas ENABLED: 1 indexing + 1 search OCU
    assert aoss["minMonthlyUsd"] == pytest.approx(2 * 0.24 * 730)
    aurora = next(i for i in cost["items"] if i["id"] == "aurora-serverless-v2-acu")
    assert aurora["quantity"] == {"min": 2, "max": 32}
    unpriced = {u["id"] for u in cost["unpriced"]}
    assert {"coreweave-cks", "system-nodes", "opensearch-serverless-vpc-endpoint"} <= unpriced


def test_a_region_without_a_verified_price_is_unpriced_not_zero() -> None:
    cost = estimate_cost(planned("staging"))  # us-west-2
    unpriced = {u["id"]: u for u in cost["unpriced"]}
    assert "nat-gateway" in unpriced and "us-west-2" in unpriced["nat-gateway"]["reason"]
    assert "nat-gateway" not in {i["id"] for i in cost["items"]}


_DECLARED = """
config:
  aws:region: us-east-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    allowedRegions: [us-east-1]
    eks:
      gpuNodeGroups:
        - {name: l4, instanceType: g6.xlarge, minSize: 1, maxSize: 2}
        - name: metal
          instanceType: g4dn.metal
          gpuSpec: {gpuModel: T4, gpuCount: 8, gpuMemoryGib: 16}
          maxSize: 3
"""


def test_a_hand_declared_type_without_a_price_is_unpriced_never_zero(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    proj = copy_project(tmp_path, "dev", lambda _: _DECLARED)
    cost = estimate_cost(plan_stack(find_project(proj), "dev"))
    (metal,) = [u for u in cost["unpriced"] if u["name"].endswith("/metal")]
    assert "declared by hand" in metal["reason"] and metal["quantity"] == 3
    assert not [i for i in cost["items"] if i["name"].endswith("/metal")]
    assert main(["plan", "--stack", "dev", "--cwd", str(proj), "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"unpriced \(not counted, never shown as zero\):\n(.*\n)*"
                     r"\s+eks/metal: g4dn\.metal: declared by hand", out)


@pytest.mark.parametrize("stack", STACKS)
def test_the_plan_prints_the_range_with_its_assumptions(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", stack, "--no-policy"]) == 0
    out = capsys.readouterr().out
    cost = estimate_cost(planned(stack))
    line = next(ln for ln in out.splitlines() if ln.startswith("Monthly cost"))
    assert f"${cost['maxMonthlyUsd']:,.0f}" in line
    for item in cost["items"]:
        assert f"    {item['name']}: " in out
        assert f"      assumes {item['assumption']}" in out
    for u in cost["unpriced"]:
        assert f"    {u['name']}: {u['reason']}" in out
    assert "  not included: " in out
    assert "$0" not in out, "an unpriced item never reads as $0, and a zero minimum reads 'up to'"
