"""Benchmark: how many times pulumi-policy decodes each resource, 8 packs against ``aiops-all``.

The pulumi-policy analyzer server decodes a resource's properties (``MessageToDict`` then
``deserialize_properties``) once per enabled policy: in ``Analyze`` once per resource policy,
in ``AnalyzeStack`` once per stack policy for every resource of the stack, plus the provider's
properties each time. This script launches the packs exactly as the Pulumi CLI does (the
harness's :class:`~pulumi_aiops.testing.policy.PolicyPackProcess`), with a ``sitecustomize``
on the pack's ``PYTHONPATH`` that counts those decodes inside the pack process, runs a shipped
stack's graph through them, and prints per resource:

* ``analyze``: resource decodes in ``Analyze`` (what ``pulumi preview`` does per resource);
* ``stack``: resource decodes in ``AnalyzeStack``;
* ``provider``: provider decodes (one per policy that runs on a resource with a provider);
* the wall time of the gRPC evaluation.

Usage::

    .venv/bin/python benchmarks/policy_decodes.py                  # prod
    .venv/bin/python benchmarks/policy_decodes.py --stack dev
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "components"))

from pulumi_aiops.plan import find_project, plan_stack  # noqa: E402
from pulumi_aiops.testing.policy import (  # noqa: E402
    PolicyPackProcess,
    default_plan_packs,
    graph_to_inputs,
    policy_packs_dir,
)

_SITECUSTOMIZE = r'''
import json, os

_OUT = os.environ.get("AIOPS_COUNT_DECODES")
if _OUT:
    import pulumi_policy.policy as _pp

    _counts = {"analyze": 0, "stack": 0, "provider": 0, "analyzeRequests": 0,
               "stackResources": 0}
    _where = ["analyze"]
    _deserialize = _pp.deserialize_properties

    def _counting(*a, **kw):
        _counts[_where[-1]] += 1
        return _deserialize(*a, **kw)

    _pp.deserialize_properties = _counting
    S = _pp._PolicyAnalyzerServicer
    _provider, _analyze, _stack = S._get_provider_resource, S.Analyze, S.AnalyzeStack

    def _get_provider_resource(self, request):
        _where.append("provider")
        try:
            return _provider(self, request)
        finally:
            _where.pop()

    def _dump():
        with open(_OUT, "w") as f:
            json.dump(_counts, f)

    def Analyze(self, request, context):
        _where.append("analyze")
        try:
            return _analyze(self, request, context)
        finally:
            _where.pop()
            _counts["analyzeRequests"] += 1
            _dump()

    def AnalyzeStack(self, request, context):
        _where.append("stack")
        try:
            return _stack(self, request, context)
        finally:
            _where.pop()
            _counts["stackResources"] += len(request.resources)
            _dump()

    S._get_provider_resource = _get_provider_resource
    S.Analyze, S.AnalyzeStack = Analyze, AnalyzeStack
'''


def count_decodes(packs: list[str], graph: Any, config: dict[str, Any],
                  stack: str = "bench") -> dict[str, Any]:
    """Run ``graph`` through ``packs`` over gRPC, counting decodes in each pack process."""
    root = policy_packs_dir()
    inputs = graph_to_inputs(graph, config)
    states = {r.urn: {**r.inputs, **r.outputs} for r in graph}
    totals = {"analyze": 0, "stack": 0, "provider": 0}
    per_pack: dict[str, dict[str, int]] = {}
    analyzed = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sitecustomize.py").write_text(_SITECUSTOMIZE)
        for pack in packs:
            out = Path(tmp) / f"{pack}.json"
            os.environ["AIOPS_COUNT_DECODES"] = str(out)
            try:
                with PolicyPackProcess(pack, stack_config=config, stack=stack,
                                       extra_path=[tmp, root]) as proc:
                    proc.configure()
                    analyzed = 0
                    for r in inputs:
                        if r.custom and r.type != "pulumi:pulumi:Stack":
                            proc.analyze_resource(r)
                            analyzed += 1
                    proc.analyze_stack(inputs, states=states)
            finally:
                os.environ.pop("AIOPS_COUNT_DECODES", None)
            counts = json.loads(out.read_text())
            per_pack[pack] = counts
            for k in totals:
                totals[k] += counts[k]
    seconds = time.perf_counter() - t0
    stack_resources = len(inputs)
    return {
        "packs": packs, "analyzedResources": analyzed, "stackResources": stack_resources,
        "analyzePerResource": totals["analyze"] / max(analyzed, 1),
        "stackPerResource": totals["stack"] / max(stack_resources, 1),
        "providerDecodes": totals["provider"], "seconds": seconds, "perPack": per_pack,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--stack", default="prod")
    ns = ap.parse_args()
    result = plan_stack(find_project(ROOT), ns.stack)
    graph, config = result.graph, result.config
    runs = [("8 packs", default_plan_packs()), ("aiops-all", ["aiops-all"])]
    print(f"stack {ns.stack}: decodes of each resource's properties by pulumi-policy "
          "(packs launched as the Pulumi CLI launches them)")
    print(f"{'packs':<12}{'Analyze/resource':>18}{'AnalyzeStack/resource':>23}"
          f"{'provider decodes':>18}{'gRPC s':>9}")
    for label, packs in runs:
        r = count_decodes(packs, graph, config, stack=ns.stack)
        print(f"{label:<12}{r['analyzePerResource']:>18.1f}{r['stackPerResource']:>23.1f}"
              f"{r['providerDecodes']:>18}{r['seconds']:>9.2f}")
        if label == "8 packs":
            print("  " + ", ".join(f"{p}: {c['analyze'] / max(r['analyzedResources'], 1):.0f}"
                                   f"+{c['stack'] / max(r['stackResources'], 1):.0f}"
                                   for p, c in r["perPack"].items()))
    print("(Analyze decodes a resource once per resource policy, whether or not the policy "
          "applies to its type; AnalyzeStack once per stack policy for every resource.)")


if __name__ == "__main__":
    main()
