"""A stack's monthly cost range, from what its program registers: ``aiops plan`` prints it, ``--json`` carries it.

* **GPU pools** (``gpuCapacity``): the minimum prices each pool at its ``minNodes``, the maximum at
  its ``maxNodes``, at the GPU catalogue's on-demand price (``catalog/gpu_instances.toml``), 730
  hours a month. A pool whose type has no price (declared by hand without one, or a catalogue
  row whose price could not be verified) is listed as *unpriced*, never counted as $0.
* **Fixed items**, each with its assumption: EKS control planes, NAT gateways, VPC interface
  endpoints (per Availability Zone), OpenSearch Serverless OCUs (the idle floor), Aurora
  Serverless v2 ACUs (at ``minCapacity`` for the minimum, ``maxCapacity`` for the maximum, per
  instance). Unit prices come from ``catalog/fixed_costs.toml``, with their sources; an item or a
  region without a verified price is listed as unpriced with the reason (CoreWeave CKS, system
  nodes).

Not estimated: usage (data transfer and processing, requests, Bedrock tokens), storage (S3, EBS,
Aurora, OpenSearch), logs, KMS keys. Example::

    from pulumi_aiops.cost import estimate_cost
    cost = estimate_cost(plan_stack(find_project(), "dev"))
    cost["minMonthlyUsd"], cost["maxMonthlyUsd"], [u["name"] for u in cost["unpriced"]]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_aiops.catalog import HOURS_PER_MONTH

if TYPE_CHECKING:
    from pulumi_aiops.plan import PlanResult
    from pulumi_aiops.testing.graph import RecordedResource, ResourceGraph

__all__ = ["FIXED_COSTS_PATH", "UnitPrice", "estimate_cost", "fixed_prices", "render_cost", "unit_price"]

FIXED_COSTS_PATH = Path(__file__).with_name("catalog") / "fixed_costs.toml"

#: What no estimate here includes.
EXCLUDES = ("data transfer and per-GB processing (NAT, endpoints)", "storage (S3, EBS, Aurora, OpenSearch)",
            "requests and Bedrock model tokens", "CloudWatch logs and metrics", "KMS keys and requests",
            "discounts, savings plans and reserved capacity")


@dataclass(frozen=True)
class UnitPrice:
    """One row of ``fixed_costs.toml``."""

    id: str
    description: str
    unit: str
    usd: float
    regions: tuple[str, ...]
    source: str
    source_date: str

    def for_region(self, region: str | None) -> float | None:
        """The price in ``region``, ``None`` where it was not verified."""
        return self.usd if "*" in self.regions or (region in self.regions) else None


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(FIXED_COSTS_PATH.read_text())


def fixed_prices() -> dict[str, UnitPrice]:
    """Every priced row by id."""
    out = {}
    for row in _data().get("price", []):
        out[row["id"]] = UnitPrice(row["id"], row["description"], row["unit"], float(row["usd"]),
                                   tuple(row["regions"]), row["source"], row["source_date"])
    return out


def _unpriced_reason(item: str) -> str:
    for row in _data().get("unpriced", []):
        if row["id"] == item:
            return str(row["reason"])
    raise KeyError(item)


def unit_price(item: str, region: str | None) -> tuple[UnitPrice, float | None]:
    """The row ``item`` and its price in ``region`` (``None``: not verified there)."""
    row = fixed_prices()[item]
    return row, row.for_region(region)


def _money(v: float) -> float:
    return round(v, 2)


class _Estimate:
    def __init__(self, region: str | None) -> None:
        self.region = region
        self.items: list[dict[str, Any]] = []
        self.unpriced: list[dict[str, Any]] = []

    def fixed(self, item: str, name: str, qty_min: float, qty_max: float, qty_unit: str, assumption: str,
              urns: list[str]) -> None:
        row, price = unit_price(item, self.region)
        if price is None:
            self.unpriced.append({"id": item, "kind": "fixed", "name": name, "quantity": qty_max,
                                  "urns": urns, "reason": f"no verified price of {row.unit} in {self.region} "
                                  f"(fixed_costs.toml has {item!r} for {', '.join(row.regions)} only)"})
            return
        self.items.append({
            "id": item, "kind": "fixed", "name": name, "quantity": {"min": qty_min, "max": qty_max},
            "quantityUnit": qty_unit, "unit": row.unit, "unitPriceUsd": price,
            "minMonthlyUsd": _money(price * qty_min * HOURS_PER_MONTH),
            "maxMonthlyUsd": _money(price * qty_max * HOURS_PER_MONTH),
            "assumption": assumption, "source": row.source, "sourceDate": row.source_date, "urns": urns})


def _eks_items(est: _Estimate, graph: ResourceGraph) -> None:
    clusters = graph.of_type("aws:eks/cluster:Cluster")
    if clusters:
        versions = sorted({str(c.inputs.get("version", "default")) for c in clusters})
        ext = fixed_prices()["eks-control-plane-extended"]
        est.fixed("eks-control-plane", "EKS control plane", len(clusters), len(clusters), "clusters",
                  f"Kubernetes {', '.join(versions)} in standard support; a version in extended support "
                  f"bills {ext.usd:.2f} USD per cluster-hour", [c.urn for c in clusters])


def _nat_items(est: _Estimate, graph: ResourceGraph) -> None:
    nats = graph.of_type("aws:ec2/natGateway:NatGateway")
    if nats:
        est.fixed("nat-gateway", "NAT gateways", len(nats), len(nats), "gateways",
                  "provisioned all month; data processed through them is billed per GB on top (not estimated)",
                  [n.urn for n in nats])


def _endpoint_items(est: _Estimate, graph: ResourceGraph) -> None:
    eps = [e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
           if e.inputs.get("vpcEndpointType") == "Interface"]
    if eps:
        azs = sum(max(1, len(e.inputs.get("subnetIds") or [])) for e in eps)
        services = sorted({str(e.inputs.get("serviceName", "?")).rsplit(".", 1)[-1] for e in eps})
        est.fixed("vpc-interface-endpoint", "VPC interface endpoints", azs, azs, "endpoint-AZs",
                  f"{len(eps)} endpoints ({', '.join(services)}), one network interface per subnet given; "
                  "data processed billed per GB on top (not estimated)", [e.urn for e in eps])
    aoss_eps = graph.of_type("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    if aoss_eps:
        est.unpriced.append({"id": "opensearch-serverless-vpc-endpoint", "kind": "fixed",
                             "name": "OpenSearch Serverless VPC endpoints", "quantity": len(aoss_eps),
                             "urns": [e.urn for e in aoss_eps],
                             "reason": _unpriced_reason("opensearch-serverless-vpc-endpoint")})


def _aoss_items(est: _Estimate, graph: ResourceGraph) -> None:
    cols = graph.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")
    if not cols:
        return
    ocus = 0.0
    for c in cols:
        ocus += 1.0 if c.inputs.get("standbyReplicas") == "DISABLED" else 2.0
    est.fixed("opensearch-serverless-ocu", "OpenSearch Serverless OCUs", ocus, ocus, "OCUs",
              f"the idle floor of {len(cols)} collection(s), each with its own KMS key and so its own OCUs: "
              "standby replicas ENABLED scale down to 1 indexing + 1 search OCU (0.5 OCU x 2 each), DISABLED to "
              "0.5 + 0.5; more with data and queries (not estimated, also in the maximum)", [c.urn for c in cols])


def _serverless_instances(graph: ResourceGraph, cluster: RecordedResource) -> int:
    n = 0
    for inst in graph.of_type("aws:rds/clusterInstance:ClusterInstance"):
        deps = inst.property_dependencies.get("clusterIdentifier", ())
        if cluster.urn in deps and inst.inputs.get("instanceClass") == "db.serverless":
            n += 1
    return n


def _aurora_items(est: _Estimate, graph: ResourceGraph) -> None:
    acu_min = acu_max = 0.0
    urns, notes = [], []
    for c in graph.of_type("aws:rds/cluster:Cluster"):
        scaling = c.inputs.get("serverlessv2ScalingConfiguration")
        if not isinstance(scaling, dict):
            continue
        n = _serverless_instances(graph, c)
        lo, hi = float(scaling.get("minCapacity", 0.0)), float(scaling.get("maxCapacity", 0.0))
        acu_min += lo * n
        acu_max += hi * n
        urns.append(c.urn)
        pause = " (pauses when idle)" if lo == 0 else ""
        notes.append(f"{c.name}: {n} instance(s) × {lo:g}..{hi:g} ACU{pause}")
    if urns:
        est.fixed("aurora-serverless-v2-acu", "Aurora Serverless v2 ACUs", acu_min, acu_max, "ACUs",
                  "minimum at minCapacity, maximum at maxCapacity, all month, per db.serverless instance: "
                  + "; ".join(notes) + "; storage and I/O billed on top (not estimated)", urns)


def _coreweave_items(est: _Estimate, graph: ResourceGraph) -> None:
    cks = graph.of_type("coreweave:index/cksCluster:CksCluster")
    if cks:
        est.unpriced.append({"id": "coreweave-cks", "kind": "fixed", "name": "CoreWeave CKS control plane",
                             "quantity": len(cks), "urns": [c.urn for c in cks],
                             "reason": _unpriced_reason("coreweave-cks")})


def estimate_cost(result: PlanResult) -> dict[str, Any]:
    """The monthly cost range of the evaluated stack (see the module docstring for the model)."""
    region = result.config.get("aws:region")
    region = str(region) if region is not None else None
    est = _Estimate(region)
    graph = result.graph
    pools = []
    for r in result.gpu_capacity():
        name = f"{r['cluster']}/{r['pool']}"
        if not r["priced"]:
            why = ("declared by hand (gpuSpec) without a price" if r.get("declared")
                   else "the catalogue has no verified price for it")
            est.unpriced.append({"id": "gpu-pool", "kind": "gpu-pool", "name": name, "cloud": r["cloud"],
                                 "instanceType": r["instanceType"], "quantity": int(r["maxNodes"]),
                                 "reason": f"{r['instanceType']}: {why}"})
            continue
        price = float(r["pricePerHourUsd"])
        basis = {"SPOT": "spot priced at the on-demand list price (an upper bound)",
                 "CAPACITY_BLOCK": "a Capacity Block priced at the on-demand list price (blocks are priced "
                                   "per reservation)"}.get(str(r.get("capacityType")), "on-demand list price")
        where = "" if r["cloud"] != "aws" or region in (None, "us-east-1") else \
            f"; the catalogue's AWS prices are us-east-1 list prices, the stack is in {region}"
        pools.append({
            "id": "gpu-pool", "kind": "gpu-pool", "name": name, "cloud": r["cloud"],
            "instanceType": r["instanceType"], "capacityType": r.get("capacityType"),
            "quantity": {"min": int(r["minNodes"]), "max": int(r["maxNodes"])}, "quantityUnit": "nodes",
            "unit": "instance-hour", "unitPriceUsd": price,
            "minMonthlyUsd": _money(price * int(r["minNodes"]) * HOURS_PER_MONTH),
            "maxMonthlyUsd": _money(price * int(r["maxNodes"]) * HOURS_PER_MONTH),
            "assumption": f"minimum at minNodes, maximum at maxNodes, {basis}{where}",
            "source": "catalog/gpu_instances.toml", "sourceDate": None})
    _eks_items(est, graph)
    _nat_items(est, graph)
    _endpoint_items(est, graph)
    _aoss_items(est, graph)
    _aurora_items(est, graph)
    _coreweave_items(est, graph)
    for r in result.system_capacity():
        est.unpriced.append({"id": "system-nodes", "kind": "system-pool", "name": f"{r['cluster']}/{r['pool']}",
                             "cloud": r.get("cloud"), "instanceType": r["instanceType"],
                             "quantity": int(r["maxNodes"]),
                             "reason": f"{r['instanceType']} ({r['minNodes']}..{r['maxNodes']} nodes): "
                                       + _unpriced_reason("system-nodes")})
    items = pools + est.items
    return {
        "currency": "USD",
        "hoursPerMonth": HOURS_PER_MONTH,
        "region": region,
        "minMonthlyUsd": _money(sum(i["minMonthlyUsd"] for i in items)),
        "maxMonthlyUsd": _money(sum(i["maxMonthlyUsd"] for i in items)),
        "items": items,
        "unpriced": est.unpriced,
        "excludes": list(EXCLUDES),
    }


def _usd(v: float) -> str:
    return f"${v:,.0f}" if v >= 100 else f"${v:,.2f}"


def _range(lo: float, hi: float) -> str:
    """``$lo – $hi``; "up to $hi" when the minimum is nothing (a pool at 0 nodes, an Aurora cluster
    that pauses), so that no $0 appears beside an amount: unpriced items are never shown as $0."""
    if lo == hi:
        return _usd(lo)
    return f"up to {_usd(hi)}" if lo == 0 else f"{_usd(lo)} – {_usd(hi)}"


def render_cost(cost: dict[str, Any]) -> list[str]:
    """The cost part of the text plan."""
    n_unpriced = len(cost["unpriced"])
    more = f", plus {n_unpriced} unpriced item{'s' if n_unpriced != 1 else ''}" if n_unpriced else ""
    lines = [f"Monthly cost (list prices, {cost['hoursPerMonth']:g} h/month): "
             f"{_range(cost['minMonthlyUsd'], cost['maxMonthlyUsd'])}{more}"]
    for kind, title in (("gpu-pool", "GPU pools"), ("fixed", "fixed items")):
        rows = [i for i in cost["items"] if i["kind"] == kind]
        if not rows:
            continue
        lines.append(f"  {title}:")
        for i in rows:
            q = i["quantity"]
            qty = f"{q['min']:g}" if q["min"] == q["max"] else f"{q['min']:g}..{q['max']:g}"
            unit = i["quantityUnit"][:-1] if q["max"] == 1 and i["quantityUnit"].endswith("s") else i["quantityUnit"]
            lines.append(f"    {i['name']}: {qty} {unit} × {i['unitPriceUsd']:g} USD/{i['unit']} → "
                         f"{_range(i['minMonthlyUsd'], i['maxMonthlyUsd'])}")
            lines.append(f"      assumes {i['assumption']}")
    if cost["unpriced"]:
        lines.append("  unpriced (not counted, never shown as zero):")
        for u in cost["unpriced"]:
            lines.append(f"    {u['name']}: {u['reason']}")
    lines.append("  not included: " + "; ".join(cost["excludes"]))
    return lines
