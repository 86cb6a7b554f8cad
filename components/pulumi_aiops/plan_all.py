"""Evaluate one stack, or every stack in parallel processes, as ``aiops plan`` and ``aiops plan --all`` do.

:func:`evaluate_stack` is the whole of one ``aiops plan``: the program under mocks, the policy
packs, the plan document (:func:`pulumi_aiops.plan_format.build_plan`). :func:`evaluate_all`
runs it for many stacks in a process pool sized to the machine (``os.cpu_count()``, at most
one process per stack): each program runs under the SDK's global mocks, so stacks cannot share a
process, and a pool keeps a laptop's cores busy. Each stack's result is either its plan
document or the configuration error it raised; one bad stack does not hide the others.

Example::

    from pulumi_aiops.plan_all import PlanOptions, evaluate_all
    results = evaluate_all("/path/to/project", ["dev", "prod"], PlanOptions(no_policy=True))
    results["dev"].doc["resourceCount"], results["prod"].error
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_aiops.errors import AiopsError

__all__ = ["PlanOptions", "StackResult", "evaluate_all", "evaluate_stack", "exit_code", "pool_size"]


@dataclass(frozen=True)
class PlanOptions:
    """The ``aiops plan`` options that shape an evaluation."""

    policy_packs: tuple[str, ...] = ()
    policy_pack_config: str | None = None
    policy_mode: str = "in-process"
    no_policy: bool = False
    strict: bool = False


@dataclass
class StackResult:
    """One stack's plan document, or the configuration error that stopped it."""

    stack: str
    doc: dict[str, Any] | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 a mandatory policy violation, 2 a configuration error."""
        if self.error is not None or self.doc is None:
            return 2
        pol = self.doc.get("policy")
        return 1 if pol and pol.get("mandatory") else 0


def evaluate_stack(cwd: str | Path | None, stack: str, opts: PlanOptions) -> dict[str, Any]:
    """The plan document of ``stack`` (raises :class:`~pulumi_aiops.errors.AiopsError` on bad config)."""
    from pulumi_aiops.plan import find_project, plan_stack
    from pulumi_aiops.plan_format import build_plan

    project = find_project(cwd)
    result = plan_stack(project, stack)
    if not opts.no_policy:
        from pulumi_aiops.testing.policy import run_packs_for_plan

        pack_config = None
        if opts.policy_pack_config is not None:
            try:
                pack_config = json.loads(Path(opts.policy_pack_config).read_text())
            except (OSError, ValueError) as exc:
                raise AiopsError(f"--policy-pack-config {opts.policy_pack_config}: {exc}") from None
        result.policy = run_packs_for_plan(result.graph, packs=list(opts.policy_packs) or None,
                                           config=pack_config, stack_config=result.config,
                                           mode=opts.policy_mode)
    if opts.strict and result.warnings:
        raise AiopsError("--strict: the plan has warnings:\n" + "\n".join(f"  {w}" for w in result.warnings))
    return build_plan(result)


def _worker(job: tuple[str | None, str, PlanOptions]) -> StackResult:
    cwd, stack, opts = job
    try:
        return StackResult(stack, doc=evaluate_stack(cwd, stack, opts))
    except AiopsError as exc:
        return StackResult(stack, error=str(exc))


def pool_size(n_stacks: int, jobs: int | None = None) -> int:
    """Processes for ``n_stacks``: ``jobs`` if given, else the CPU count, never more than the stacks."""
    want = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(want, n_stacks))


def _context() -> multiprocessing.context.BaseContext:
    # fork is cheap (the SDKs are already imported) but unsafe once threads run (gRPC servers of
    # an earlier evaluation); then start clean interpreters.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def evaluate_all(cwd: str | Path | None, stacks: list[str], opts: PlanOptions,
                 jobs: int | None = None) -> dict[str, StackResult]:
    """Every stack of ``stacks`` evaluated in a pool of :func:`pool_size` processes, by stack name."""
    cwd_s = None if cwd is None else str(cwd)
    size = pool_size(len(stacks), jobs)
    if size == 1 or len(stacks) == 1:
        results = [_worker((cwd_s, s, opts)) for s in stacks]
    else:
        with ProcessPoolExecutor(max_workers=size, mp_context=_context()) as pool:
            results = list(pool.map(_worker, [(cwd_s, s, opts) for s in stacks]))
    return {r.stack: r for r in results}


def exit_code(results: dict[str, StackResult]) -> int:
    """The combined exit code: 2 if any stack has a configuration error, else 1 if any violates a
    mandatory policy, else 0."""
    codes = [r.exit_code for r in results.values()]
    return max(codes) if codes else 0
