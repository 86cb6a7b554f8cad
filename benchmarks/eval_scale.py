"""Benchmark: evaluation time and peak memory of synthetic stacks at 200 to 10,000 resources.

A synthetic stack is a stack config (``aiops:platform``) with one EKS cluster (``--node-groups``
GPU node groups) and as many model servers on it as it takes to reach the size (each adds five
Kubernetes resources), evaluated by the platform program (``pulumi_aiops.builder.main``, what
``stacks/__main__.py`` runs) as ``aiops plan`` evaluates a stack. Each size runs in a fresh
interpreter, which prints:

* **eval**: ``run_program`` (validate the config, register every resource under the SDK's
  mocks, record the graph);
* **summary**: the plan's summary (``PlanResult.summary()``: components, counts, capacity);
* **policy**: every default pack's rules in-process (``evaluate_in_process``);
* **cpu s**: the CPU time of eval (all threads; what a loaded machine does not inflate);
* **ms/res**, **cpu ms/res**: eval + summary, and eval's CPU, per resource (flat when
  evaluation is linear);
* **peak RSS**: the interpreter's peak resident memory (``resource.getrusage``), and what it
  held after the imports; ``--tracemalloc`` adds the Python heap's peak (slower).

It ends with the ratios of the 5,000- and 10,000-resource runs to the 1,000-resource run
(5× and 10× when linear). Targets (reported, not asserted): linear up to 10,000 resources,
under 1 GB.

Usage::

    .venv/bin/python benchmarks/eval_scale.py
    .venv/bin/python benchmarks/eval_scale.py --sizes 200 1000 --node-groups 4 --tracemalloc
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = "Qwen/Qwen2.5-1.5B-Instruct"  # as in stacks/Pulumi.multicloud.yaml
PER_SERVER = 10  # Namespace, ServiceAccount, Deployment, Service, PodDisruptionBudget, 5 NetworkPolicies


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(servers: int, node_groups: int, trace: bool) -> dict[str, Any]:
    """One size, in this (fresh) interpreter."""
    import resource
    import time
    import tracemalloc

    t0 = time.perf_counter()
    from pulumi_aiops.builder import main as platform_program
    from pulumi_aiops.plan import PlanResult, find_project
    from pulumi_aiops.testing import run_program
    from pulumi_aiops.testing.policy import default_plan_packs, evaluate_in_process

    packs = default_plan_packs()
    imports = time.perf_counter() - t0
    rss_after_imports = _rss_mb()
    platform = {
        "environment": "dev",
        "governance": {"owner": "ml-platform", "costCenter": "cc-1",
                       "dataClassification": "internal"},
        "eks": {"name": "scale", "gpuNodeGroups": [
            {"name": f"l4-{i}", "instanceType": "g6.xlarge", "minSize": 0, "maxSize": 100}
            for i in range(node_groups)]},
        "workloads": {"modelServers": [
            {"name": f"chat-{i}", "cluster": "scale", "model": MODEL, "gpus": 1}
            for i in range(servers)]},
    }

    def program() -> None:
        platform_program()

    cfg: dict[str, Any] = {"aws:region": "us-east-1", "aiops:platform": platform}
    if trace:
        tracemalloc.start()
    t1, c1 = time.perf_counter(), time.process_time()
    graph = run_program(program, cfg, stack="scale")
    t2, c2 = time.perf_counter(), time.process_time()
    result = PlanResult(project=find_project(ROOT), stack="scale", graph=graph, config=cfg)
    summary = result.summary()
    t3 = time.perf_counter()
    report = evaluate_in_process(graph, packs=packs, stack_config=cfg)
    t4 = time.perf_counter()
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {"resources": summary["resourceCount"], "servers": servers, "imports": imports,
            "eval": t2 - t1, "evalCpu": c2 - c1, "summary": t3 - t2, "policy": t4 - t3,
            "diagnostics": len(report.diagnostics), "rssAfterImports": rss_after_imports,
            "peakRss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "heapPeak": heap}


def _run(servers: int, node_groups: int, trace: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(servers), "--node-groups", str(node_groups)]
    out = subprocess.run(cmd + (["--tracemalloc"] if trace else []), capture_output=True,
                         text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise SystemExit(f"the {servers}-server run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", nargs="+", type=int, default=[200, 1000, 5000, 10000])
    ap.add_argument("--node-groups", type=int, default=2)
    ap.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child is not None:
        print(json.dumps(child(ns.child, ns.node_groups, ns.tracemalloc)))
        return
    base = _run(0, ns.node_groups, False)["resources"]
    print(f"a stack with one EKS cluster ({ns.node_groups} GPU node groups, {base} resources) + N "
          f"model servers ({PER_SERVER} resources each); fresh interpreter per size")
    print(f"{'resources':>10}{'servers':>9}{'eval s':>9}{'cpu s':>8}{'summary s':>11}{'policy s':>10}"
          f"{'ms/res':>8}{'cpu ms/res':>11}{'peak RSS MB':>13}{'after imports':>15}"
          + (f"{'heap peak MB':>14}" if ns.tracemalloc else ""))
    rows: dict[int, dict[str, Any]] = {}
    for size in ns.sizes:
        servers = max(0, round((size - base) / PER_SERVER))
        r = _run(servers, ns.node_groups, ns.tracemalloc)
        rows[size] = r
        per = (r["eval"] + r["summary"]) / max(r["resources"], 1) * 1000
        cpu_per = r["evalCpu"] / max(r["resources"], 1) * 1000
        print(f"{r['resources']:>10}{servers:>9}{r['eval']:>9.2f}{r['evalCpu']:>8.2f}{r['summary']:>11.2f}"
              f"{r['policy']:>10.2f}{per:>8.2f}{cpu_per:>11.2f}{r['peakRss']:>13.0f}{r['rssAfterImports']:>15.0f}"
              + (f"{r['heapPeak']:>14.0f}" if ns.tracemalloc else ""), flush=True)
    if 1000 in rows:
        ref = rows[1000]
        for size in (5000, 10000):
            if size in rows:
                r = rows[size]
                n = r["resources"] / ref["resources"]
                t = (r["eval"] + r["summary"]) / (ref["eval"] + ref["summary"])
                c = r["evalCpu"] / ref["evalCpu"]
                print(f"{size:,} vs 1,000 resources: {n:.1f}× the resources, {t:.1f}× the "
                      f"evaluation time (eval + summary), {c:.1f}× its CPU time, "
                      f"{r['policy'] / ref['policy']:.1f}× the policy time, "
                      f"{r['peakRss'] / ref['peakRss']:.1f}× the peak RSS")


if __name__ == "__main__":
    main()
