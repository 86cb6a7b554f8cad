"""Benchmark: wall time to evaluate the shipped stacks offline, against the import floor.

For each stack it runs fresh interpreters (so import caches do not flatter the numbers):

* **floor**: import ``pulumi`` and exactly the provider modules the stack touches: the module of
  every resource type it registers (resolved through each provider package's own registration
  table, so ``kubernetes:storage.k8s.io/v1:StorageClass`` is ``pulumi_kubernetes.storage.v1``
  and a CRD is ``pulumi_kubernetes.apiextensions``) and of every function it invokes;
* **evaluation**: import pulumi-aiops, read and validate the config, run the program under the
  harness and record the graph (policies excluded).

* **plan**: ``aiops plan --stack <stack>`` as a user runs it (text output discarded), without
  policies (``--no-policy``) and with the default packs (in-process; ``--policy-mode grpc``
  too with ``--grpc``).

It prints the median of ``--repeat`` runs of each, the ratio evaluation/floor and the overhead,
and the plan's times with the ratio with policies / without (target: ≤ 1.5).
``run_program`` pauses the cyclic garbage collector during a run (the provider modules it imports
lazily would otherwise be rescanned again and again), so the floor is also printed with the
collector off, and the overhead against that stricter floor.
Usage::

    .venv/bin/python benchmarks/eval_stacks.py --stacks dev prod --repeat 3
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROVIDER_PKG = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes",
                 "random": "pulumi_random", "coreweave": "pulumi_coreweave"}

_EVAL = r"""
import sys, time, json
t0 = time.perf_counter()
from pulumi_aiops.plan import find_project, plan_stack
from pulumi_aiops.testing import mocks
calls = set()
_call = mocks.RecordingMocks.call
def call(self, args):
    calls.add(args.token)
    return _call(self, args)
mocks.RecordingMocks.call = call
res = plan_stack(find_project(sys.argv[1]), sys.argv[2])
t1 = time.perf_counter()
types = sorted({r.type for r in res.graph})
imported = sorted(m for m in sys.modules
                  if m.split(".")[0] in ("pulumi_aws", "pulumi_kubernetes", "pulumi_coreweave",
                                         "pulumi_random") and m.count(".") <= 2
                  and not m.rsplit(".", 1)[-1].startswith("_"))
print(json.dumps({"seconds": t1 - t0, "resources": len(res.graph), "types": types,
                  "calls": sorted(calls), "imported": imported}))
"""

_PLAN = r"""
import contextlib, io, json, sys, time
t0 = time.perf_counter()
from pulumi_aiops.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["plan", "--cwd", sys.argv[1], "--stack", sys.argv[2], *sys.argv[3:]])
print(json.dumps({"seconds": time.perf_counter() - t0, "code": code}))
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


@functools.cache
def _registered(pkg: str) -> tuple[dict[str, str], dict[str, str]]:
    """``({type token: module}, {module token prefix: module})`` from the provider package's own
    ``_utilities.register(resource_modules=…, resource_packages=…)`` table (read from its
    ``__init__.py``, without importing it)."""
    spec = importlib.util.find_spec(pkg)
    if spec is None or spec.origin is None:
        return {}, {}
    src = Path(spec.origin).read_text()
    by_type: dict[str, str] = {}
    by_mod: dict[str, str] = {}
    for key in ("resource_modules", "resource_packages"):
        m = re.search(key + r'="""(.*?)"""', src, flags=re.S)
        for entry in json.loads(m.group(1)) if m else []:
            if "token" in entry:  # the provider resource
                by_type[entry["token"]] = entry["fqn"]
                continue
            by_mod.setdefault(entry["mod"].split("/")[0], entry["fqn"])
            for token in entry.get("classes", {}):
                by_type[token] = entry["fqn"]
    return by_type, by_mod


def provider_modules(types: Sequence[str], calls: Sequence[str] = ()) -> list[str]:
    """Python modules that hold the resource classes of these type tokens and the functions of
    these invoke tokens."""
    mods: set[str] = set()
    for t in types:
        pkg, _, rest = t.partition(":")
        if pkg == "pulumi-python" and rest.startswith("dynamic"):
            mods.add("pulumi.dynamic")
            continue
        provider = rest.split(":", 1)[1] if pkg == "pulumi" and rest.startswith("providers:") else pkg
        base = _PROVIDER_PKG.get(provider)
        if base is None:
            continue  # a component (aiops:…) or the stack
        by_type, _ = _registered(base)
        if t in by_type:
            mods.add(by_type[t])
        elif provider == "kubernetes":
            mods.add(f"{base}.apiextensions")  # a custom resource (CRD): CustomResource
        else:
            raise SystemExit(f"{t}: not in {base}'s registration table")
    for c in calls:
        pkg, _, rest = c.partition(":")
        base = _PROVIDER_PKG.get(pkg)
        if base is None:
            continue
        mod = rest.split("/", 1)[0]
        mods.add(base if mod in ("index", "") else _registered(base)[1].get(
            mod, f"{base}.{mod.replace('-', '_')}"))
    return sorted(mods)


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
    ap.add_argument("--grpc", action="store_true", help="also time --policy-mode grpc")
    ns = ap.parse_args()
    med = statistics.median
    print(f"{'stack':<12}{'resources':>10}{'floor s':>9}{'floor-nogc s':>14}{'eval s':>9}"
          f"{'ratio':>8}{'overhead':>10}{'vs nogc floor':>15}")
    plans: list[str] = []
    for stack in ns.stacks:
        evals = [_run(_EVAL, str(ROOT), stack) for _ in range(ns.repeat)]
        mods = provider_modules(evals[0]["types"], evals[0]["calls"])
        floors = [_run(_FLOOR, json.dumps(mods), "gc") for _ in range(ns.repeat)]
        floors_nogc = [_run(_FLOOR, json.dumps(mods), "nogc") for _ in range(ns.repeat)]
        e = med(x["seconds"] for x in evals)
        f = med(x["seconds"] for x in floors)
        fn = med(x["seconds"] for x in floors_nogc)
        print(f"{stack:<12}{evals[0]['resources']:>10}{f:>9.2f}{fn:>14.2f}{e:>9.2f}{e / f:>8.2f}"
              f"{(e - f) / f:>10.0%}{(e - fn) / fn:>15.0%}")
        print(f"  floor modules: {', '.join(mods)}")
        extra = [m for m in evals[0]["imported"] if m not in mods
                 and not any(m.startswith(f"{x}.") for x in mods)
                 and not any(x.startswith(f"{m}.") for x in mods)]
        if extra:
            print(f"  also imported by the evaluation (not needed by the stack): {', '.join(extra)}")
        # the plan as a user runs it, interleaved so that load on the machine hits all alike
        modes = [("--no-policy",), (), *((("--policy-mode", "grpc"),) if ns.grpc else ())]
        times: dict[tuple[str, ...], list[float]] = {m: [] for m in modes}
        for _ in range(ns.repeat):
            for m in modes:
                times[m].append(_run(_PLAN, str(ROOT), stack, *m)["seconds"])
        bare, pol = med(times[("--no-policy",)]), med(times[()])
        row = (f"{stack:<12}{bare:>12.2f}{pol:>14.2f}{pol / bare:>8.2f}{bare / f:>10.2f}"
               f"{pol / f:>10.2f}")
        if ns.grpc:
            g = med(times[("--policy-mode", "grpc")])
            row += f"{g:>10.2f}{g / bare:>8.2f}"
        plans.append(row)
    print()
    print("aiops plan (whole command, median of runs): without policies, with the default packs "
          "in-process (target: with/without <= 1.5)")
    print(f"{'stack':<12}{'no-policy s':>12}{'policies s':>14}{'ratio':>8}{'vs floor':>10}"
          f"{'pol/floor':>10}" + (f"{'grpc s':>10}{'ratio':>8}" if ns.grpc else ""))
    for row in plans:
        print(row)


if __name__ == "__main__":
    main()
