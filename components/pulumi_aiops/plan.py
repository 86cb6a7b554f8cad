"""The offline plan: evaluate a stack's program under mocks and summarise what it would create.

Used by ``aiops plan`` and by tests. Example::

    from pulumi_aiops.plan import find_project, plan_stack
    result = plan_stack(find_project(), "dev")
    print(result.summary()["resourceCount"])
"""

from __future__ import annotations

import runpy
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pulumi_aiops import diagnostics
from pulumi_aiops.catalog import HOURS_PER_MONTH, catalog
from pulumi_aiops.errors import AiopsError
from pulumi_aiops.testing import ResourceGraph, load_stack_config, run_program

__all__ = ["PlanResult", "Project", "UnknownStackError", "find_project", "plan_stack"]

#: Per-node figures of a pool row (CPU in millicores, memory in MiB): see ``pulumi_aiops.capacity``.
_NODE_KEYS = ("allocatableCpuMillis", "allocatableMemoryMib", "platformPodsCpuMillis", "platformPodsMemoryMib",
              "availableCpuMillis", "availableMemoryMib", "likelyAvailableMemoryMib")


class UnknownStackError(AiopsError):
    """The stack named has no ``Pulumi.<stack>.yaml``."""


@dataclass(frozen=True)
class Project:
    """A Pulumi project on disk: its name, program directory and stack config directory."""

    root: Path
    name: str
    main: Path
    stack_config_dir: Path

    def stacks(self) -> list[str]:
        """Stack names that have a ``Pulumi.<stack>.yaml``, sorted."""
        return sorted(p.name[len("Pulumi.") : -len(".yaml")]
                      for p in self.stack_config_dir.glob("Pulumi.*.yaml"))

    def stack_file(self, stack: str) -> Path:
        path = self.stack_config_dir / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            known = ", ".join(self.stacks()) or "none"
            raise UnknownStackError(
                f"stack {stack!r} has no {path.relative_to(self.root)}; known stacks: {known}"
            )
        return path


def find_project(start: Path | str | None = None) -> Project:
    """Find ``Pulumi.yaml`` in ``start`` or its parents (default: the current directory)."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        f = d / "Pulumi.yaml"
        if f.is_file():
            doc = yaml.safe_load(f.read_text()) or {}
            return Project(
                root=d,
                name=str(doc.get("name", d.name)),
                main=d / str(doc.get("main", ".")),
                stack_config_dir=d / str(doc.get("stackConfigDir", ".")),
            )
    raise AiopsError(f"no Pulumi.yaml in {here} or its parents; run from the project, or pass --cwd")


@dataclass
class PlanResult:
    """A stack evaluated offline: the graph, plus summaries for people and machines."""

    project: Project
    stack: str
    graph: ResourceGraph
    config: dict[str, Any] = field(default_factory=dict)
    policy: Any = None  # a PolicyReport when policies were run
    #: Warnings the program gave (``pulumi_aiops.diagnostics``), e.g. a server on a pool of maxNodes 0.
    warnings: list[str] = field(default_factory=list)
    #: The config keys the stack file marks ``secure:`` (their values never reach a plan's output).
    secret_keys: set[str] = field(default_factory=set)

    def gpu_capacity(self) -> list[dict[str, Any]]:
        """GPU capacity rows (stack output ``gpuCapacity``) with monthly list-price ceilings.

        Each row carries ``declared`` (GPUs declared by hand with ``gpuSpec``), ``priced`` and
        ``maxMonthlyUsd``, which is ``None`` for an unpriced pool (never 0).
        """
        rows = []
        for row in self.graph.stack_outputs.get("gpuCapacity") or []:
            r = dict(row)
            for k in ("gpusPerNode", "minNodes", "maxNodes", "maxGpus", "vcpus", "memoryGib", *_NODE_KEYS):
                if isinstance(r.get(k), float):
                    r[k] = int(r[k])  # the engine carries numbers as floats
            r["declared"] = bool(r.get("declared", False))
            if "pricePerHourUsd" in r:
                price = r["pricePerHourUsd"]
            else:  # an output of an older component: price it from the catalogue, if listed
                known = catalog().get((r["cloud"], r["instanceType"]))
                price = known.price_per_hour_usd if known is not None else None
            r["pricePerHourUsd"] = None if price is None else float(price)
            r["priced"] = price is not None
            r["maxMonthlyUsd"] = (None if price is None
                                  else round(float(price) * float(r["maxNodes"]) * HOURS_PER_MONTH, 2))
            rows.append(r)
        return rows

    def gpu_capacity_by_cloud(self) -> dict[str, dict[str, Any]]:
        """Per cloud: pools, max nodes and GPUs, GPU models, and ``maxMonthlyUsd`` over the priced
        pools (``None`` when none is priced), with ``unpricedPools`` and ``declaredPools`` counts."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.gpu_capacity():
            c = out.setdefault(r["cloud"], {"pools": 0, "maxNodes": 0, "maxGpus": 0, "maxMonthlyUsd": None,
                                             "unpricedPools": 0, "declaredPools": 0, "gpuModels": {}})
            c["pools"] += 1
            c["maxNodes"] += int(r["maxNodes"])
            c["maxGpus"] += int(r["maxGpus"])
            if r["maxMonthlyUsd"] is None:
                c["unpricedPools"] += 1
            else:
                c["maxMonthlyUsd"] = round((c["maxMonthlyUsd"] or 0.0) + r["maxMonthlyUsd"], 2)
            c["declaredPools"] += int(r["declared"])
            c["gpuModels"][r["gpuModel"]] = c["gpuModels"].get(r["gpuModel"], 0) + int(r["maxGpus"])
        return out

    def system_capacity(self) -> list[dict[str, Any]]:
        """The non-GPU pools (stack output ``systemCapacity``: EKS system node groups, CoreWeave
        ``cpuNodePools``), with the same per-node allocatable and platform-pod figures."""
        rows = []
        for row in self.graph.stack_outputs.get("systemCapacity") or []:
            r = dict(row)
            for k in ("minNodes", "maxNodes", "vcpus", *_NODE_KEYS):
                if isinstance(r.get(k), float) and r[k].is_integer():
                    r[k] = int(r[k])
            rows.append(r)
        return rows

    def model_servers(self) -> list[dict[str, Any]]:
        """Each model server (stack output ``modelServers``) with the model version it runs
        (``name@version`` from the registry, or a Hugging Face repo id) and its endpoint."""
        servers = self.graph.stack_outputs.get("modelServers") or {}
        return [{"name": key, "model": v.get("model"), "endpoint": v.get("endpoint"), "cluster": v.get("cluster")}
                for key, v in sorted(servers.items())]

    def components(self) -> list[dict[str, Any]]:
        """Top-level components with the count by type of the custom resources under each."""
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        loose: Counter[str] = Counter()
        for r in self.graph:
            if not r.custom:
                continue
            top = self.graph.top_component(r)
            if top is None:
                loose[r.type] += 1
            else:
                groups[top.urn][r.type] += 1
        out = []
        for top in self.graph.components():
            if self.graph.top_component(top) is not top:
                continue
            nested = [c.name for c in self.graph.descendants(top.urn) if not c.custom]
            counts = groups.get(top.urn, Counter())
            out.append({"type": top.type, "name": top.name, "urn": top.urn,
                        "resourceCount": sum(counts.values()), "nestedComponents": nested,
                        "countsByType": dict(sorted(counts.items()))})
        if loose:
            out.append({"type": "(stack)", "name": "(no component)", "urn": None,
                        "resourceCount": sum(loose.values()), "nestedComponents": [],
                        "countsByType": dict(sorted(loose.items()))})
        return out

    def summary(self) -> dict[str, Any]:
        """Everything ``aiops plan --json`` prints."""
        custom = [r for r in self.graph if r.custom]
        data: dict[str, Any] = {
            "project": self.project.name,
            "stack": self.stack,
            "resourceCount": len(custom),
            "componentCount": len(self.graph.components()),
            "components": self.components(),
            "countsByType": self.graph.counts_by_type(),
            "protectedResources": sorted(r.urn for r in custom if r.protect or r.retain_on_delete),
            "gpuCapacity": self.gpu_capacity(),
            "gpuCapacityByCloud": self.gpu_capacity_by_cloud(),
            "systemCapacity": self.system_capacity(),
            "warnings": list(self.warnings),
        }
        if self.policy is not None:
            data["policy"] = self.policy_summary()
        return data

    def policy_summary(self) -> dict[str, Any]:
        """The policy results: each violation once (``violations``, with the packs and control
        ids that report it, counted in ``mandatory``/``advisory``) and every pack's diagnostic
        (``diagnostics``, the full detail)."""
        rep = self.policy
        violations = rep.violations()
        return {
            "packs": list(rep.packs),
            "mode": rep.mode,
            "mandatory": sum(1 for v in violations if v.enforcement_level == "mandatory"),
            "advisory": sum(1 for v in violations if v.enforcement_level == "advisory"),
            "violations": [v.to_dict() for v in violations],
            "diagnostics": [d.to_dict() for d in rep.diagnostics],
        }


def plan_stack(project: Project, stack: str) -> PlanResult:
    """Evaluate ``stack`` of ``project`` offline and return the :class:`PlanResult`.

    Raises :class:`UnknownStackError` for a stack without a config file, and
    :class:`~pulumi_aiops.errors.ConfigError` for bad configuration.
    """
    config, secrets = load_stack_config(project.stack_file(stack), project=project.name)
    program_file = project.main / "__main__.py" if project.main.is_dir() else project.main

    def program() -> None:
        runpy.run_path(str(program_file), run_name="__main__")

    with diagnostics.collecting() as warnings:
        graph = run_program(program, config, project=project.name, stack=stack, secret_keys=secrets)
    return PlanResult(project=project, stack=stack, graph=graph, config=config, warnings=warnings,
                      secret_keys=set(secrets))
