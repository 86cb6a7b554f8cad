"""The ``aiops`` command line of pulumi-aiops.

``aiops plan --stack dev`` evaluates ``stacks/`` with ``stacks/Pulumi.dev.yaml`` offline, under
mocks (no Pulumi CLI, no credentials), and prints what the stack would create: a resource tree
grouped by component with counts by type, the GPU capacity by cloud, and policy results.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pulumi_aiops.errors import AiopsError

__all__ = ["main"]


def _fmt_usd(v: float | None) -> str:
    return "n/a" if v is None else f"${v:,.0f}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cloud_cost(c: dict[str, Any]) -> str:
    """The cloud's monthly ceiling over its priced pools, naming the unpriced ones; "unpriced" when
    no pool has a price (an unpriced pool never counts as $0)."""
    unpriced = int(c.get("unpricedPools", 0))
    if c["maxMonthlyUsd"] is None:
        return "unpriced"
    return f"≤ {_fmt_usd(c['maxMonthlyUsd'])}/month" + (f" + {_n(unpriced, 'unpriced pool')}" if unpriced else "")


_SERVER_WORKLOADS = {"kubernetes:apps/v1:Deployment": ("template",),
                     "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": ("leaderWorkerTemplate",
                                                                                "leaderTemplate")}


def model_servers(doc: dict[str, Any]) -> dict[str, str]:
    """Each ModelServer of a plan document (by component name) and the model it runs: the
    ``aiops.io/model`` annotation of its pod template (``name@version`` from the registry, or a
    pinned repo), else the ``--model`` it serves (a Hugging Face repo id, unpinned)."""
    kinds = {r["urn"]: r["type"] for r in doc.get("resources", [])}
    out: dict[str, str] = {}
    for r in doc.get("resources", []):
        path = _SERVER_WORKLOADS.get(r["type"])
        if path is None or kinds.get(r.get("parent")) != "aiops:index:ModelServer":
            continue
        tpl: Any = r["inputs"].get("spec", {})
        for key in path:
            tpl = tpl.get(key, {}) if isinstance(tpl, dict) else {}
        model = (tpl.get("metadata") or {}).get("annotations", {}).get("aiops.io/model")
        if model is None:
            containers = (tpl.get("spec") or {}).get("containers") or [{}]
            args = containers[0].get("args") or []
            model = args[args.index("--model") + 1] if "--model" in args else "?"
        out[r["parent"].rsplit("::", 1)[-1]] = str(model)
    return out


def render_text(summary: dict[str, Any]) -> str:
    """The human-readable plan."""
    lines = [f"Stack {summary['project']}/{summary['stack']}: "
             f"{summary['resourceCount']} resources in {summary['componentCount']} components "
             f"(offline evaluation, nothing deployed)", ""]
    comps = summary["components"]
    for i, c in enumerate(comps):
        last = i == len(comps) - 1
        lines.append(f"{'└─' if last else '├─'} {c['type']}  {c['name']}  ({c['resourceCount']} resources)")
        pad = "   " if last else "│  "
        items = list(c["countsByType"].items())
        for j, (t, n) in enumerate(items):
            lines.append(f"{pad}{'└─' if j == len(items) - 1 else '├─'} {n:>3} × {t}")
    lines += ["", "GPU capacity by cloud (max nodes at on-demand list price, 730 h/month):"]
    by_cloud = summary["gpuCapacityByCloud"]
    if not by_cloud:
        lines.append("  (none declared)")
    for cloud, c in sorted(by_cloud.items()):
        models = ", ".join(f"{n}× {m}" for m, n in sorted(c["gpuModels"].items()))
        lines.append(f"  {cloud:<10} {_n(c['pools'], 'pool')}, up to {_n(c['maxNodes'], 'node')} / "
                     f"{_n(c['maxGpus'], 'GPU')} ({models}), {_cloud_cost(c)}")
    for r in summary["gpuCapacity"]:
        cost = "unpriced" if r["maxMonthlyUsd"] is None else f"≤ {_fmt_usd(r['maxMonthlyUsd'])}/month"
        declared = ", declared by hand" if r.get("declared") else ""
        lines.append(f"    {r['cluster']}/{r['pool']}: {r['instanceType']} ({r['gpusPerNode']}× "
                     f"{r['gpuModel']}{declared}), {r['minNodes']}..{r['maxNodes']} nodes, "
                     f"{r['capacityType']}, {cost}")
        lines.append(_node_line(r))
    if summary.get("systemCapacity"):
        lines.append("  system nodes (no GPU: Qdrant, gateway, observability):")
        for r in summary["systemCapacity"]:
            lines.append(f"    {r['cluster']}/{r['pool']}: {r['instanceType']}, {r['minNodes']}..{r['maxNodes']} nodes")
            lines.append(_node_line(r))
    servers = model_servers(summary)
    if servers:
        lines += ["", "Model servers (the model version each runs):"]
        width = max(len(n) for n in servers)
        lines += [f"  {n:<{width}}  {m}" for n, m in sorted(servers.items())]
    if summary.get("warnings"):
        lines += ["", f"Warnings ({len(summary['warnings'])}; --strict makes them errors):"]
        lines += [f"  {w}" for w in summary["warnings"]]
    if summary.get("cost"):
        from pulumi_aiops.cost import render_cost

        lines += ["", *render_cost(summary["cost"])]
    lines += ["", f"Protected or retained on delete: {len(summary['protectedResources'])} resources"]
    pol = summary.get("policy")
    if pol is not None:
        lines += ["", *render_policy(pol)]
    return "\n".join(lines)


_WIDTH = 100


def _wrapped(label: str, text: str, indent: str = "      ", hang: int | None = None) -> list[str]:
    """``text`` wrapped to the plan's width under ``indent``, the first line after ``label``,
    the next ones aligned after it (or ``hang`` columns in)."""
    import textwrap

    more = indent + " " * (len(label) if hang is None else hang)
    return textwrap.wrap(" ".join(text.split()), _WIDTH, initial_indent=indent + label,
                         subsequent_indent=more, break_on_hyphens=False,
                         break_long_words=False) or [indent + label.rstrip()]


def _reported_by(v: dict[str, Any]) -> str:
    """The packs that report a violation, each framework pack with its control ids."""
    fws = v.get("frameworks") or {}
    return ", ".join(f"{p} ({', '.join(fws[p])})" if fws.get(p) else p for p in v["packs"])


def render_policy(pol: dict[str, Any]) -> list[str]:
    """The policy part of the plan.

    Each violation is printed once, however many packs report it: under its policy (level,
    name, severity and what the policy requires), one line per resource with the message, then
    the policy's remediation and the packs that report it with their control ids (all the
    rule's control ids when no framework pack reports it, as with ``aiops-all``).
    """
    lines = [f"Policy packs ({', '.join(pol['packs'])}): {pol['mandatory']} mandatory "
             f"violations, {pol['advisory']} advisory"]
    violations = pol.get("violations") or []
    if not violations:
        return lines
    lines.append(f"  ({pol.get('mode', 'in-process')}: each violation once, with the packs that "
                 "report it; all diagnostics: --json)")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for v in violations:  # already ordered: mandatory first, then by severity and policy
        groups.setdefault((v["enforcementLevel"], v["policy"]), []).append(v)
    for (level, policy), vs in groups.items():
        first = vs[0]
        sev = f" ({first['severity']})" if first.get("severity") else ""
        lines.append("")
        lines += _wrapped(f"[{level}] {policy}{sev}: ", first.get("description") or "",
                          indent="  ", hang=4)
        for v in vs:
            where = v.get("resource") or "(the stack)"
            if v.get("urn"):
                where += f" ({v['urn'].rsplit('::', 2)[-2].rsplit('$', 1)[-1]})"
            lines += _wrapped(f"{where}: ", v.get("message") or "", hang=2)
        if first.get("remediation"):
            lines += _wrapped("remediation: ", first["remediation"])
        reported = sorted({_reported_by(v) for v in vs})
        lines += _wrapped("reported by: ", "; ".join(reported))
        fws = first.get("frameworks") or {}
        if fws and not any(p in fws for v in vs for p in v["packs"]):
            # no framework pack among the reporters (e.g. aiops-all): show every control id
            lines += _wrapped("controls: ", "; ".join(f"{fw} {', '.join(ids)}"
                                                     for fw, ids in sorted(fws.items())))
    return lines


def _node_line(r: dict[str, Any]) -> str:
    """Per node of a pool: allocatable, what the platform's own pods take, what is left."""
    if r.get("allocatableCpuMillis") is None:
        return "      per node: size unknown here (a GPU pool: declare vcpus and memoryGib in gpuSpec); not checked"
    from pulumi_aiops.capacity import fmt_cpu, fmt_memory

    margin = " (less a 5% margin: CoreWeave publishes no reservations)" if r.get("cloud") == "coreweave" else ""
    alloc = f"{fmt_cpu(r['allocatableCpuMillis'])} / {fmt_memory(r['allocatableMemoryMib'])}"
    pods = f"{r['platformPodsCpuMillis']}m / {r['platformPodsMemoryMib']}Mi"
    left = f"{fmt_cpu(r['availableCpuMillis'])} / {fmt_memory(r['availableMemoryMib'])}"
    likely = r.get("likelyAvailableMemoryMib")
    if likely is not None and likely != r["availableMemoryMib"]:
        left += f" (~{fmt_memory(likely)} once the kernel takes its share)"
    return f"      per node: allocatable {alloc}{margin}, platform pods {pods}, left for workloads {left}"


def _stack_name(value: str) -> str:
    """Refuse a file name where a stack name is expected, saying what to pass instead."""
    name = Path(value).name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")):
        stack = name[len("Pulumi."):].rsplit(".", 1)[0]
        raise AiopsError(f"--stack {value!r} is a stack file; pass the stack name: --stack {stack}")
    if "/" in value or value.endswith((".yaml", ".yml")):
        raise AiopsError(f"--stack {value!r} is a path; pass the stack name (the <name> of stacks/Pulumi.<name>.yaml)")
    return value


def _plan_options(ns: argparse.Namespace) -> Any:
    from pulumi_aiops.plan_all import PlanOptions

    return PlanOptions(policy_packs=tuple(ns.policy_pack or ()),
                       policy_pack_config=None if ns.policy_pack_config is None else str(ns.policy_pack_config),
                       policy_mode=ns.policy_mode, no_policy=ns.no_policy, strict=ns.strict)


def _cmd_plan(ns: argparse.Namespace) -> int:
    from pulumi_aiops.plan_all import evaluate_stack
    from pulumi_aiops.plan_diff import diff_plans, load_base

    if ns.json and ns.markdown:
        raise AiopsError("--json and --markdown: pick one output format")
    if ns.all:
        if ns.stack:
            raise AiopsError("--all evaluates every stack: leave out --stack")
        return _cmd_plan_all(ns)
    if not ns.stack:
        raise AiopsError("pass --stack NAME (or --all for every stack)")
    ns.stack = _stack_name(ns.stack)
    base = load_base(ns.diff) if ns.diff is not None else None  # a bad base fails before the evaluation
    doc = evaluate_stack(ns.cwd, ns.stack, _plan_options(ns))
    if base is not None:
        d = diff_plans(base, doc)
        print(_dump(d) if ns.json else render_markdown_diff(d) if ns.markdown else _diff_text(d))
    elif ns.json:
        print(_dump(doc))
    else:
        print(render_markdown_plan(doc) if ns.markdown else render_text(doc))
    pol = doc.get("policy")
    return 1 if pol and pol["mandatory"] else 0


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def _diff_text(d: dict[str, Any]) -> str:
    from pulumi_aiops.plan_diff import render_text as render_diff_text

    return render_diff_text(d)


def render_markdown_diff(d: dict[str, Any]) -> str:
    """The Markdown diff of one stack (``aiops plan --diff BASE --markdown``)."""
    from pulumi_aiops.plan_diff import render_markdown

    return render_markdown(d)


def _cost_phrase(cost: dict[str, Any] | None) -> str:
    if not cost:
        return "not estimated"
    lo, hi = cost["minMonthlyUsd"], cost["maxMonthlyUsd"]
    text = f"${lo:,.0f}" if lo == hi else f"up to ${hi:,.0f}" if lo == 0 else f"${lo:,.0f} – ${hi:,.0f}"
    n = len(cost.get("unpriced", []))
    return text + (f" + {_n(n, 'unpriced item')}" if n else "")


def render_markdown_plan(doc: dict[str, Any]) -> str:
    """The plan of one stack in Markdown (``aiops plan --markdown``): a summary, details folded."""
    from pulumi_aiops.cost import render_cost

    pol = doc.get("policy")
    lines = ["| | |", "| --- | --- |",
             f"| resources | {doc['resourceCount']} in {doc['componentCount']} components |",
             f"| protected or retained | {len(doc['protectedResources'])} |",
             f"| monthly cost | {_cost_phrase(doc.get('cost'))} |"]
    if pol is not None:
        lines.append(f"| policy | {pol['mandatory']} mandatory, {pol['advisory']} advisory |")
    lines += ["", "<details><summary>Resources by type</summary>", "", "| type | count |", "| --- | ---: |"]
    lines += [f"| `{t}` | {n} |" for t, n in doc["countsByType"].items()]
    lines += ["", "</details>"]
    if doc.get("cost"):
        lines += ["<details><summary>Cost and its assumptions</summary>", "", "```text",
                  *render_cost(doc["cost"]), "```", "", "</details>"]
    if pol and pol.get("violations"):
        lines += ["<details><summary>Policy violations</summary>", ""]
        lines += [f"- **{v['enforcementLevel']}** `{v['policy']}` on `{v.get('resource') or '(stack)'}`: "
                  f"{(v.get('message') or '').replace('|', '/')}" for v in pol["violations"]]
        lines += ["", "</details>"]
    return "\n".join(lines)


def _base_for(base_dir: Path, stack: str) -> Path:
    return base_dir / f"{stack}.json"


def _cmd_plan_all(ns: argparse.Namespace) -> int:
    from pulumi_aiops.plan import find_project
    from pulumi_aiops.plan_all import evaluate_all, exit_code, pool_size
    from pulumi_aiops.plan_diff import PlanDiffError, diff_plans, load_base

    project = find_project(ns.cwd)
    stacks = project.stacks()
    if not stacks:
        raise AiopsError(f"no stacks: {project.stack_config_dir} has no Pulumi.<stack>.yaml")
    base_dir: Path | None = ns.diff
    if base_dir is not None and not base_dir.is_dir():
        raise AiopsError(f"--all --diff {base_dir}: pass a directory holding <stack>.json plans "
                         "(as `aiops plan --all --json` writes them apart, or one `aiops plan --json` per stack)")
    jobs = pool_size(len(stacks), ns.jobs)
    results = evaluate_all(project.root, stacks, _plan_options(ns), jobs=ns.jobs)
    diffs: dict[str, dict[str, Any] | None] = {}
    notes: dict[str, str] = {}
    if base_dir is not None:
        for s, r in results.items():
            path = _base_for(base_dir, s)
            if r.doc is None:
                continue
            if not path.is_file():
                diffs[s], notes[s] = None, f"a new stack: {path} does not exist"
                continue
            try:
                diffs[s] = diff_plans(load_base(path), r.doc)
            except PlanDiffError as exc:
                diffs[s], notes[s] = None, str(exc)
        for p in sorted(base_dir.glob("*.json")):
            if p.stem not in results:
                notes[p.stem] = f"removed: the base has {p.name}, this project has no Pulumi.{p.stem}.yaml"
    if ns.json:
        print(_dump(_all_json(project.name, results, diffs, notes, jobs)))
    elif ns.markdown:
        print(_all_markdown(results, diffs, notes))
    else:
        print(_all_text(results, diffs, notes, jobs))
    return exit_code(results) if results else 0


def _all_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for s, r in sorted(results.items()):
        if r.doc is None:
            rows.append((s, "configuration error", "-", "-"))
            continue
        pol = r.doc.get("policy")
        rows.append((s, str(r.doc["resourceCount"]), _cost_phrase(r.doc.get("cost")),
                     "-" if pol is None else f"{pol['mandatory']} mandatory, {pol['advisory']} advisory"))
    return rows


def _all_json(project: str, results: dict[str, Any], diffs: dict[str, Any], notes: dict[str, str],
              jobs: int) -> dict[str, Any]:
    from pulumi_aiops.plan_format import SCHEMA_VERSION

    stacks: dict[str, Any] = {}
    for s, r in sorted(results.items()):
        if r.doc is None:
            stacks[s] = {"error": r.error}
        elif s in diffs:
            stacks[s] = diffs[s] if diffs[s] is not None else {"note": notes.get(s), "plan": r.doc}
        else:
            stacks[s] = r.doc
    ok = [r.doc for r in results.values() if r.doc is not None and r.doc.get("cost")]
    return {"schemaVersion": SCHEMA_VERSION, "kind": "aiops-plan-all" + ("-diff" if diffs else ""),
            "project": project, "processes": jobs, "stacks": stacks,
            "notes": dict(sorted(notes.items())),
            "totals": {"minMonthlyUsd": round(sum(d["cost"]["minMonthlyUsd"] for d in ok), 2),
                       "maxMonthlyUsd": round(sum(d["cost"]["maxMonthlyUsd"] for d in ok), 2),
                       "mandatory": sum((r.doc.get("policy") or {}).get("mandatory", 0)
                                        for r in results.values() if r.doc is not None),
                       "errors": sorted(s for s, r in results.items() if r.doc is None)}}


def _all_text(results: dict[str, Any], diffs: dict[str, Any], notes: dict[str, str], jobs: int) -> str:
    out: list[str] = []
    for s, r in sorted(results.items()):
        out += [f"==== stack {s} ====", ""]
        if r.doc is None:
            out.append(f"error: {r.error}")
        elif diffs.get(s) is not None:
            out.append(_diff_text(diffs[s]))
        else:
            if s in notes:
                out.append(f"({notes[s]})")
            out.append(render_text(r.doc))
        out.append("")
    for s, note in sorted(notes.items()):
        if s not in results:
            out += [f"==== stack {s} ====", "", note, ""]
    out.append(f"All stacks ({len(results)}, evaluated in {jobs} process{'' if jobs == 1 else 'es'}):")
    width = max(len(s) for s in results)
    for s, res, cost, pol in _all_rows(results):
        out.append(f"  {s:<{width}}  {res:>5} resources  {cost:<32}  {pol}")
    return "\n".join(out)


def _all_markdown(results: dict[str, Any], diffs: dict[str, Any], notes: dict[str, str]) -> str:
    out = ["| stack | resources | monthly cost | policy |", "| --- | ---: | --- | --- |"]
    out += [f"| `{s}` | {res} | {cost} | {pol} |" for s, res, cost, pol in _all_rows(results)]
    for s, r in sorted(results.items()):
        out += ["", f"### Stack `{s}`", ""]
        if r.doc is None:
            out += ["**Configuration error**: nothing was evaluated.", "```text", str(r.error), "```"]
            continue
        if s in notes:
            out += [f"_{notes[s]}_", ""]
        out.append(render_markdown_diff(diffs[s]) if diffs.get(s) is not None else render_markdown_plan(r.doc))
    for s, note in sorted(notes.items()):
        if s not in results:
            out += ["", f"### Stack `{s}`", "", f"_{note}_"]
    return "\n".join(out)


def _account_id(value: str) -> str:
    if not (len(value) == 12 and value.isdigit()):
        raise argparse.ArgumentTypeError(f"{value!r} is not an AWS account id (12 digits)")
    return value


def _cmd_preflight(ns: argparse.Namespace) -> int:
    from pulumi_aiops.plan import find_project
    from pulumi_aiops.preflight import run_preflight

    ns.stack = _stack_name(ns.stack)
    report = run_preflight(find_project(ns.cwd), ns.stack, account=ns.account, profile=ns.profile)
    print(report.render_json() if ns.json else report.render_text())
    return report.exit_code(strict=ns.strict)


EXIT_CODES = """exit codes:
  0  clean: no mandatory policy violation
  1  a mandatory policy is violated
  2  a configuration error (stack file, config value, unknown stack); nothing was evaluated"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pulumi-aiops")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _stacks_epilog(cwd: Path | None = None) -> str:
    """The stacks of the project in ``cwd`` (or here), for the help text."""
    from pulumi_aiops.plan import find_project

    try:
        stacks = find_project(cwd).stacks()
    except AiopsError:
        return "stacks: (no Pulumi.yaml here; run from the project, or pass --cwd)"
    return "stacks: " + (", ".join(stacks) or "(none)")


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="aiops", formatter_class=fmt,
        description="pulumi-aiops: evaluate the platform's stacks offline (no Pulumi CLI, no credentials).",
        epilog=f"{_stacks_epilog()}\n\n{EXIT_CODES}\n\nRun `aiops plan --help` for the plan's options.")
    parser.add_argument("--version", action="version", version=f"aiops (pulumi-aiops) {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = sub.add_parser(
        "plan", formatter_class=fmt, help="evaluate a stack offline and show what it would create",
        description="Evaluate stacks/ with stacks/Pulumi.<stack>.yaml under the Pulumi SDK's mocks and print "
                    "the resources\nby component, the GPU capacity, the monthly cost range with its assumptions, "
                    "and the policy results.\n--diff BASE.json compares with a saved plan.",
        epilog=f"{_stacks_epilog()}\n\n{EXIT_CODES}")
    plan.add_argument("--stack", "-s", help="stack name, e.g. dev (reads stacks/Pulumi.<stack>.yaml)")
    plan.add_argument("--all", action="store_true",
                      help="every stack of the project, evaluated in parallel processes, in one report")
    plan.add_argument("--jobs", "-j", type=int, metavar="N",
                      help="with --all: processes to use (default: the CPU count, at most one per stack)")
    plan.add_argument("--json", action="store_true",
                      help="machine-readable output: the full plan (schemaVersion 1, docs/plan-format.md) "
                           "with every resource, its inputs (secrets as [secret]) and options, the cost and "
                           "the policy results")
    plan.add_argument("--markdown", action="store_true",
                      help="Markdown for a pull-request comment (a summary table, details folded)")
    plan.add_argument("--diff", type=Path, metavar="BASE",
                      help="compare with a saved plan (a file written by `aiops plan --json`; with --all, "
                           "a directory of <stack>.json): resources created, updated, replaced, deleted, "
                           "protected resources at risk, cost and policy deltas")
    plan.add_argument("--policy-pack", action="append", metavar="NAME",
                      help="run only this policy pack (repeatable); default: every pack but "
                           "aiops-all, which serves the same rules once")
    plan.add_argument("--policy-pack-config", type=Path, metavar="FILE",
                      help="policy config JSON, as for `pulumi up --policy-pack-config`")
    plan.add_argument("--policy-mode", choices=("in-process", "grpc"), default="in-process",
                      help="in-process (default): evaluate the packs' rules in this process, with "
                           "the diagnostics the packs give; grpc: launch each pack as `pulumi "
                           "preview --policy-pack` does and call it over gRPC (slower)")
    plan.add_argument("--no-policy", action="store_true", help="skip the policy packs")
    plan.add_argument("--strict", action="store_true",
                      help="treat warnings (e.g. a model server on a pool with maxNodes 0) as errors (exit 2)")
    plan.add_argument("--cwd", type=Path, default=None, help="project directory (default: here)")
    plan.set_defaults(func=_cmd_plan)
    preflight = sub.add_parser(
        "preflight", formatter_class=fmt, help="check the AWS account can take a stack, before `pulumi up`",
        description="Ask the AWS account behind the current credentials (read-only, boto3) whether it can take the "
                    "stack:\nregion in allowedRegions, expected account, instance types offered in the zones, EC2 "
                    "vCPU quotas\nat maxSize, Capacity Block reservations, Bedrock models offered and accessible.",
        epilog=f"{_stacks_epilog()}\n\nexit codes:\n  0  no check failed\n  1  a check failed (a blocker)\n"
               "  2  a configuration error; nothing was checked\n"
               "  3  no AWS credentials (or, with --strict, a check could not run)")
    preflight.add_argument("--stack", "-s", required=True,
                           help="stack name, e.g. dev (reads stacks/Pulumi.<stack>.yaml)")
    preflight.add_argument("--account", type=_account_id, metavar="ID",
                           help="the expected AWS account id (default: the account in the stack config's ARNs)")
    preflight.add_argument("--profile", metavar="NAME", help="AWS profile (default: the usual boto3 chain)")
    preflight.add_argument("--json", action="store_true", help="machine-readable output")
    preflight.add_argument("--strict", action="store_true", help="exit 3 when a check could not run")
    preflight.add_argument("--cwd", type=Path, default=None, help="project directory (default: here)")
    preflight.set_defaults(func=_cmd_preflight)
    redteam = sub.add_parser(
        "redteam", formatter_class=fmt, help="attack an LLM gateway with garak and judge the attack success rates",
        description="Run NVIDIA's garak (the `redteam` extra) against an OpenAI-compatible gateway endpoint with "
                    "offline probes\n(prompt injection, DAN, encoding, latent and web injection), read its "
                    "report.jsonl and print the\nattack success rate per probe; --max-asr makes a probe above it "
                    "fail the run.",
        epilog="exit codes:\n  0  every probe at or under --max-asr\n  1  a probe above --max-asr\n"
               "  2  bad arguments or report\n  3  garak did not run")
    from pulumi_aiops.gateway import redteam as _redteam

    _redteam.add_arguments(redteam)
    redteam.set_defaults(func=_redteam.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (2 for configuration errors, with no traceback)."""
    ns = build_parser().parse_args(argv)
    try:
        return int(ns.func(ns))
    except AiopsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
