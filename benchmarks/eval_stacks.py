"""Benchmark: wall time to evaluate the shipped stacks offline, against the import floor.

For each stack it runs fresh interpreters (so import caches do not flatter the numbers):

* **floor**: import ``pulumi`` and exactly the provider submodules the stack's resources use;
* **evaluation**: import pulumi-aiops, read and validate the config, run the program under the
  harness and record the graph (policies excluded).

It prints the median of ``--repeat`` runs of each, the ratio evaluation/floor and the overhead.
``run_program`` pauses the cyclic garbage collector during a run (the provider modules it imports
lazily would otherwise be rescanned again and again), so the floor is also printed with the
collector off, and the overhead against that stricter floor.
Usage::

    .venv/bin/python benchmarks/eval_stacks.py --stacks dev prod --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROVIDER_PKG = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes",
                 "random": "pulumi_random", "coreweave": "pulumi_coreweave"}

_EVAL = r"""
import sys, time, json
t0 = time.perf_counter()
from pulumi_aiops.plan import find_project, plan_stack
res = plan_stack(find_project(sys.argv[1]), sys.argv[2])
t1 = time.perf_counter()
types = sorted({r.type for r in res.graph})
print(json.dumps({"seconds": t1 - t0, "resources": len(res.graph), "types": types}))
"""

_FLOOR = r"""
import sys, time, json, importlib, gc
if sys.argv[2] == "nogc":
    gc.disable()
t0 = time.perf_counter()
import pulumi
for m in json.loads(sys.argv[1]):
    mod = importlib.import_module(m)
    hasattr(mod, "__all__")  # provider SDK submodules load lazily: touch one to load it
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def provider_modules(types: list[str]) -> list[str]:
    """Python modules that hold the resource classes of these type tokens."""
    mods: set[str] = set()
    for t in types:
        pkg, _, rest = t.partition(":")
        if pkg == "pulumi" and rest.startswith("providers:"):
            provider = rest.split(":", 1)[1]
            if provider in _PROVIDER_PKG:
                mods.add(f"{_PROVIDER_PKG[provider]}.provider")
            continue
        if pkg == "pulumi-python" and rest.startswith("dynamic"):
            mods.add("pulumi.dynamic")
            continue
        if pkg not in _PROVIDER_PKG:
            continue
        token_mod = rest.split(":")[0]
        base = _PROVIDER_PKG[pkg]
        if pkg == "kubernetes":
            # kubernetes:apps/v1:Deployment -> pulumi_kubernetes.apps.v1; CRDs -> apiextensions
            group, _, version = token_mod.partition("/")
            group = {"helm.sh": "helm"}.get(group, group)
            candidate = f"{base}.{group}.{version}" if version else f"{base}.{group}"
            mods.add(candidate if _exists(candidate) else f"{base}.apiextensions")
        elif token_mod.split("/")[0] in ("index", ""):
            mods.add(base)
        else:
            mods.add(f"{base}.{token_mod.split('/')[0].replace('-', '_')}")
    return sorted(mods)


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()
    print(f"{'stack':<12}{'resources':>10}{'floor s':>9}{'floor-nogc s':>14}{'eval s':>9}"
          f"{'ratio':>8}{'overhead':>10}{'vs nogc floor':>15}")
    for stack in ns.stacks:
        evals = [_run(_EVAL, str(ROOT), stack) for _ in range(ns.repeat)]
        mods = provider_modules(evals[0]["types"])
        floors = [_run(_FLOOR, json.dumps(mods), "gc") for _ in range(ns.repeat)]
        floors_nogc = [_run(_FLOOR, json.dumps(mods), "nogc") for _ in range(ns.repeat)]
        e = statistics.median(x["seconds"] for x in evals)
        f = statistics.median(x["seconds"] for x in floors)
        fn = statistics.median(x["seconds"] for x in floors_nogc)
        print(f"{stack:<12}{evals[0]['resources']:>10}{f:>9.2f}{fn:>14.2f}{e:>9.2f}{e / f:>8.2f}"
              f"{(e - f) / f:>10.0%}{(e - fn) / fn:>15.0%}")
        print(f"  floor modules: {', '.join(mods)}")


if __name__ == "__main__":
    main()
