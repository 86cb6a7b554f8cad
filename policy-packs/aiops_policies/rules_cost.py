"""GPU cost: the maximum monthly GPU spend of a stack stays within a budget.

Prices come, in this order, from the rule's ``prices`` config (USD per instance-hour), the GPU
catalogue data file of pulumi-aiops (``components/pulumi_aiops/catalog/gpu_instances.toml``,
read with ``tomllib``; ``catalogPath`` points to another file) and the prices declared by hand
in the stack's ``aiops:platform`` config (``gpuSpec.pricePerHourUsd`` of an EKS GPU node group
or a CoreWeave node pool, read from ``PULUMI_CONFIG``). A GPU type with none of these is never
counted as $0: it is reported, saying why (a catalogue row without a verified price, a
``gpuSpec`` without ``pricePerHourUsd``, or a type unknown to both, for instance one a program
declares in component args, which policies cannot see).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from aiops_policies._controls import merge
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_list,
    as_mapping,
    as_number,
    safe_get,
    stack_rule,
)

__all__ = ["RULES", "catalog_path", "catalog_prices", "declared_gpu_prices", "monthly_gpu_cost"]

F, R = Fixture, FixtureResource
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
INSTANCE = "aws:ec2/instance:Instance"
NODE_POOL = "kubernetes:compute.coreweave.com/v1alpha1:NodePool"
HOURS_PER_MONTH = 730.0
_CATALOG_REL = Path("components") / "pulumi_aiops" / "catalog" / "gpu_instances.toml"
#: AWS instance families with GPUs or ML accelerators: unknown ones must be priced in config.
_AWS_ACCEL = re.compile(r"^(p\d|g\d|gr\d|trn\d|inf\d|dl\d)[a-z0-9-]*\.", re.IGNORECASE)
#: CoreWeave CPU instance types (cd-gp-…, cd-hp-…, cd-hc-…, turin-gp…: CoreWeave's node templates in
#: kubernetes/autoscaler cluster-autoscaler/cloudprovider/coreweave): no GPU, not in the GPU budget.
_COREWEAVE_CPU = re.compile(r"^(cd-|turin-)", re.IGNORECASE)


def catalog_path() -> Path | None:
    """The GPU catalogue file: ``$AIOPS_GPU_CATALOG``, the repository copy, or the installed one."""
    env = os.environ.get("AIOPS_GPU_CATALOG")
    if env:
        return Path(env)
    bundled = Path(__file__).resolve().parent / "gpu_instances.toml"  # a vendored, publishable pack
    if bundled.is_file():
        return bundled
    repo = Path(__file__).resolve().parent.parent.parent / _CATALOG_REL
    if repo.is_file():
        return repo
    # Installed as a package: find pulumi_aiops's folder without importing it.
    spec = importlib.util.find_spec("pulumi_aiops")
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            p = Path(loc) / "catalog" / "gpu_instances.toml"
            if p.is_file():
                return p
    return None


@cache
def _load(path: str) -> tuple[dict[str, float], frozenset[str]]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    rows = data.get("instance", [])
    priced = {str(r["name"]): float(r["price_per_hour_usd"]) for r in rows if "price_per_hour_usd" in r}
    return priced, frozenset(str(r["name"]) for r in rows if "price_per_hour_usd" not in r)


def catalog_prices(path: str | None = None) -> dict[str, float]:
    """Instance type → on-demand USD per hour, from the catalogue file (empty when absent).
    Rows without a verified price are left out (see :func:`_catalog_unpriced`)."""
    p = path or (str(catalog_path()) if catalog_path() else None)
    return dict(_load(p)[0]) if p else {}


def _catalog_unpriced(path: str | None = None) -> frozenset[str]:
    """Instance types the catalogue lists without a verified price."""
    p = path or (str(catalog_path()) if catalog_path() else None)
    return _load(p)[1] if p else frozenset()


def _platform_config() -> Mapping[str, Any]:
    """``aiops:platform`` of the stack config the CLI passes in ``PULUMI_CONFIG`` (or ``{}``)."""
    try:
        cfg = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        platform = cfg.get("aiops:platform") if isinstance(cfg, dict) else None
        if isinstance(platform, str):
            platform = json.loads(platform)
    except ValueError:
        return {}
    return platform if isinstance(platform, Mapping) else {}


def _get(m: Mapping[str, Any], camel: str, snake: str) -> Any:
    return m.get(camel, m.get(snake))


def declared_gpu_prices(platform: Mapping[str, Any] | None = None) -> dict[str, float | None]:
    """Instance type → the ``gpuSpec.pricePerHourUsd`` declared by hand in ``aiops:platform``
    (``None``: declared without a price), over EKS GPU node groups and CoreWeave node pools of
    the primary clusters and ``additionalClusters``. Several declarations of one type keep the
    highest price (the budget check stays conservative)."""
    platform = _platform_config() if platform is None else platform
    clusters = [as_mapping(platform.get("eks")), as_mapping(platform.get("coreweave")),
                *(as_mapping(c) for c in as_list(_get(platform, "additionalClusters", "additional_clusters")))]
    out: dict[str, float | None] = {}
    for c in clusters:
        pools = [*as_list(_get(c, "gpuNodeGroups", "gpu_node_groups")), *as_list(_get(c, "nodePools", "node_pools"))]
        for pool in map(as_mapping, pools):
            itype, spec = _get(pool, "instanceType", "instance_type"), as_mapping(_get(pool, "gpuSpec", "gpu_spec"))
            if not isinstance(itype, str) or not spec:
                continue
            p = as_number(_get(spec, "pricePerHourUsd", "price_per_hour_usd"))
            prev = out.get(itype)
            out[itype] = p if prev is None else (prev if p is None else max(prev, p))
    return out


def _lt_index(templates: Sequence[Any]) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for lt in templates:
        index.setdefault(lt.urn, lt)
        for v in (safe_get(lt.props, "name"), safe_get(lt.props, "id"), lt.name):
            if isinstance(v, str) and v:
                index.setdefault(v, lt)
    return index


def _lt_instance_type(ng: Any, templates: Mapping[str, Any]) -> str | None:
    deps = getattr(ng, "property_dependencies", None) or {}
    refs = [getattr(d, "urn", None) for d in deps.get("launchTemplate", ()) or ()]
    ref = as_mapping(safe_get(ng.props, "launchTemplate"))
    refs += [safe_get(ref, "name"), safe_get(ref, "id")]
    for k in refs:
        lt = templates.get(k) if isinstance(k, str) else None
        if lt is not None:
            it = safe_get(lt.props, "instanceType")
            return str(it) if it else None
    return None


def _unpriced_reason(itype: str, declared: Mapping[str, float | None], unverified: frozenset[str]) -> str:
    if itype in unverified:
        return "is in the GPU catalogue without a verified price"
    if itype in declared:
        return "is declared by hand (gpuSpec) in aiops:platform without pricePerHourUsd"
    return ("has no price in the catalogue, the 'prices' config or a gpuSpec of aiops:platform (a gpuSpec "
            "given in a program's component args is not visible to policies)")


def monthly_gpu_cost(resources: Sequence[Any], cfg: Mapping[str, Any], *,
                     platform: Mapping[str, Any] | None = None,
                     ) -> tuple[float, list[tuple[str, str, float]], list[tuple[str, str, str]]]:
    """(total USD/month over the priced types, [(urn, description, usd)],
    [(urn, unpriced instance type, why it is unpriced)]).

    ``platform`` is the stack's ``aiops:platform`` config (default: from ``PULUMI_CONFIG``).
    """
    catalogue = cfg.get("catalogPath") or None
    declared = declared_gpu_prices(platform)
    unverified = _catalog_unpriced(catalogue)
    prices = {k: v for k, v in declared.items() if v is not None and k not in unverified}
    prices.update(catalog_prices(catalogue))
    prices.update({str(k): float(v) for k, v in as_mapping(cfg.get("prices")).items()})
    hours = float(cfg.get("hoursPerMonth", HOURS_PER_MONTH))
    templates = _lt_index([r for r in resources if r.resource_type == LAUNCH_TEMPLATE])
    items: list[tuple[str, str, float]] = []
    unpriced: list[tuple[str, str, str]] = []

    def price(urn: str, itype: str, aws: bool) -> float | None:
        if itype in prices:
            return prices[itype]
        if not aws or _AWS_ACCEL.match(itype) or itype in declared or itype in unverified:
            unpriced.append((urn, itype, _unpriced_reason(itype, declared, unverified)))
        return None

    def add_aws(r: Any, label: str, count_: Any, types: list[str]) -> None:
        count = as_number(count_)
        if count is None or not types:
            return
        known = [p for t in types if (p := price(r.urn, t, True)) is not None]
        if known:
            usd = float(count) * max(known) * hours
            items.append((r.urn, f"{label} {r.name}: {int(float(count))} x {'/'.join(types)}",
                          usd))

    for r in resources:
        t = r.resource_type
        if t == NODE_GROUP:
            max_size = safe_get(as_mapping(safe_get(r.props, "scalingConfig")), "maxSize")
            types = [str(x) for x in as_list(safe_get(r.props, "instanceTypes"))]
            if not types:
                lt_type = _lt_instance_type(r, templates)
                types = [lt_type] if lt_type else []
            add_aws(r, "node group", max_size, types)
        elif t == ASG:
            mip = as_mapping(safe_get(as_mapping(safe_get(r.props, "mixedInstancesPolicy")),
                                      "launchTemplate"))
            types = [str(as_mapping(o).get("instanceType")) for o in as_list(mip.get("overrides"))
                     if as_mapping(o).get("instanceType")]
            if not types:
                lt_type = _lt_instance_type(r, templates)
                types = [lt_type] if lt_type else []
            add_aws(r, "auto scaling group", safe_get(r.props, "maxSize"), types)
        elif t == INSTANCE:
            itype = safe_get(r.props, "instanceType")
            add_aws(r, "instance", 1.0, [str(itype)] if itype else [])
        elif t == NODE_POOL:
            spec = as_mapping(safe_get(r.props, "spec"))
            itype = safe_get(spec, "instanceType")
            n = safe_get(spec, "maxNodes")
            if n is None:
                n = safe_get(spec, "targetNodes")
            n = as_number(n)
            if not itype or n is None or _COREWEAVE_CPU.match(str(itype)):
                continue
            p = price(r.urn, str(itype), False)
            if p is not None:
                usd = n * p * hours
                items.append((r.urn, f"NodePool {r.name}: {int(float(n))} x {itype}", usd))
    return sum(i[2] for i in items), items, unpriced


def _gpu_budget(resources: Sequence[Any], cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    total, items, unpriced = monthly_gpu_cost(resources, cfg)
    for urn, itype, why in unpriced:
        yield (f"GPU instance type {itype!r} {why}, so it is not counted (never as $0) and the GPU budget "
               "cannot be checked; price it in the 'prices' config (USD per instance-hour) or, for a type "
               "declared by hand, with gpuSpec.pricePerHourUsd", urn)
    budget = float(cfg["maxMonthlyUsd"])
    if total > budget:
        top = sorted(items, key=lambda i: -i[2])[:5]
        detail = "; ".join(f"{d} = ${u:,.0f}" for _, d, u in top)
        yield (f"the maximum monthly GPU spend ${total:,.0f} exceeds the budget ${budget:,.0f} "
               f"(max nodes x hourly price x {cfg.get('hoursPerMonth', HOURS_PER_MONTH):g} h): "
               f"{detail}", None)


_SCHEMA: dict[str, dict[str, Any]] = {
    "maxMonthlyUsd": {"type": "number", "minimum": 0, "default": 250000,
                      "description": "The monthly GPU budget in USD (at maximum scale)."},
    "prices": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0},
               "default": {},
               "description": "Instance type → USD per hour, overriding the catalogue."},
    "hoursPerMonth": {"type": "number", "minimum": 1, "default": 730},
    "catalogPath": {"type": "string", "default": "",
                    "description": "Another catalogue TOML file (empty: the shipped one)."},
}

RULES: list[Rule] = [
    stack_rule(
        "gpu-cost-budget",
        "The maximum monthly GPU spend (max nodes x hourly price x 730 h, on EKS node groups, auto "
        "scaling groups, instances and CoreWeave NodePools; prices from the 'prices' config, the GPU "
        "catalogue or a gpuSpec declared in aiops:platform) stays within the configured budget; a GPU "
        "type without a price is reported, never counted as $0.",
        "high",
        remediation=("1. Lower scalingConfig.maxSize of EKS node groups or spec.maxNodes of "
                     "CoreWeave NodePools, or choose cheaper instance types.\n2. Or raise "
                     "maxMonthlyUsd in the gpu-cost pack config after budget approval.\n"
                     "3. Price unpriced GPU types in the 'prices' config, or with "
                     "gpuSpec.pricePerHourUsd where aiops:platform declares them by hand."),
        frameworks=merge({"nist-ai-rmf": ("MANAGE 2.1", "MAP 3.2"),
                          "soc2": ("A1.1",),
                          "nist-800-53": ("SA-2", "PM-3")}),
        resource_types=(NODE_GROUP, NODE_POOL, LAUNCH_TEMPLATE, ASG, INSTANCE),
        check=_gpu_budget,
        config_schema=_SCHEMA,
        baseline=False,
        fixtures=(
            F("fail", resources=(
                R(NODE_POOL, "h100", {"apiVersion": "compute.coreweave.com/v1alpha1",
                                      "kind": "NodePool",
                                      "spec": {"instanceType": "gd-8xh100ib-i128",
                                               "minNodes": 0.0, "maxNodes": 8.0}}),
                R(NODE_GROUP, "p5", {"clusterName": "c", "instanceTypes": ["p5.48xlarge"],
                                     "scalingConfig": {"minSize": 0.0, "maxSize": 2.0,
                                                       "desiredSize": 0.0}}),
            ), config={"maxMonthlyUsd": 100000}),
            F("fail", resources=(
                R(LAUNCH_TEMPLATE, "gpu-lt", {"name": "gpu-lt", "instanceType": "p5.48xlarge"}),
                R(NODE_GROUP, "p5", {"clusterName": "c",
                                     "launchTemplate": {"name": "gpu-lt", "version": "1"},
                                     "scalingConfig": {"maxSize": 4.0}}),
            ), config={"maxMonthlyUsd": 50000}),
            F("fail", resources=(
                R(LAUNCH_TEMPLATE, "lt", {"name": "gpu", "instanceType": "g6e.48xlarge"}),
                R(ASG, "asg", {"maxSize": 4.0, "minSize": 0.0,
                               "launchTemplate": {"name": "gpu", "version": "$Latest"}}),
                R(INSTANCE, "vm", {"instanceType": "p5.48xlarge"}),
            ), config={"maxMonthlyUsd": 50000}),
            F("fail", resources=(
                R(NODE_GROUP, "x", {"clusterName": "c", "instanceTypes": ["p6-b300.48xlarge"],
                                    "scalingConfig": {"maxSize": 1.0}}),
            ), note="a catalogue GPU type without a verified price"),
            F("fail", resources=(
                R(NODE_GROUP, "x", {"clusterName": "c", "instanceTypes": ["g6f.4xlarge"],
                                    "scalingConfig": {"maxSize": 1.0}}),
            ), note="a GPU type the catalogue does not list (declared by hand in a program)"),
            F("pass", resources=(
                R(NODE_GROUP, "x", {"clusterName": "c", "instanceTypes": ["g6f.4xlarge"],
                                    "scalingConfig": {"maxSize": 1.0}}),
            ), config={"prices": {"g6f.4xlarge": 1.0}}, note="priced in config"),
            F("pass", resources=(
                R(NODE_GROUP, "l4", {"clusterName": "c", "instanceTypes": ["g6.xlarge"],
                                     "scalingConfig": {"minSize": 0.0, "maxSize": 2.0}}),
                R(NODE_GROUP, "system", {"clusterName": "c", "instanceTypes": ["m7i.large"],
                                         "scalingConfig": {"maxSize": 3.0}}),
            ), config={"maxMonthlyUsd": 2000}),
            F("pass", resources=(
                R(NODE_POOL, "h100", {"spec": {"instanceType": "gd-8xh100ib-i128",
                                               "maxNodes": 2.0}}),
            ), config={"maxMonthlyUsd": 10000, "prices": {"gd-8xh100ib-i128": 6.0}}),
            F("pass", resources=(
                R(NODE_POOL, "cpu", {"spec": {"instanceType": "cd-gp-i64-erapids", "maxNodes": 3.0}}),
            ), config={"maxMonthlyUsd": 10000}, note="a CoreWeave CPU pool is not GPU spend"),
        ),
    ),
]
