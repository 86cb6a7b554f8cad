"""``aiops plan --diff BASE.json``: what a change does to a stack, resource by resource, against a saved plan.

Both sides are plan documents (:mod:`pulumi_aiops.plan_format`): the base is a saved ``aiops plan
--json``, the head the plan just evaluated. :func:`diff_plans` matches resources as the engine
does: by URN, or by one of the head resource's aliases (its own and those it inherits from its
parents, ``ResourceGraph.alias_urns``), so an aliased rename is the same resource, not a delete
and a create. Then, per resource:

* **create** / **delete**: only on one side. A deleted resource that was protected is flagged:
  ``pulumi up`` refuses to delete it (retained on delete: it stays in the cloud, unmanaged).
* **update**: the input paths that differ, old → new. A secret shows only as ``changed``
  (its digests differ; values are never in a plan).
* **replace**: an input the provider cannot update in place changed (:mod:`pulumi_aiops.replacements`,
  the resource's own ``replaceOnChanges``, or another provider), or a resource was renamed without
  an alias (same type under the same parent, deleted and created). A protected one is flagged.
* A change under the resource's ``ignoreChanges`` is shown as ignored and changes nothing.

It also compares the cost estimates and the policy results (violations that appear or go).
A base written before schema version 1 has no resources: only counts, protected URNs, cost and
policy are compared, and the output says so. Example::

    from pulumi_aiops.plan_diff import diff_plans, render_markdown
    d = diff_plans(json.load(open("base.json")), build_plan(plan_stack(find_project(), "dev")))
    d["summary"]          # {'create': 0, 'update': 2, 'replace': 0, 'delete': 0, ...}
    print(render_markdown(d))
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_aiops.errors import AiopsError
from pulumi_aiops.plan_format import MISSING, SCHEMA_VERSION, SECRET, leaves
from pulumi_aiops.replacements import path_covers, replacement_rule

__all__ = ["DIFF_KIND", "PlanDiffError", "diff_plans", "load_base", "render_markdown", "render_text"]

DIFF_KIND = "aiops-plan-diff"
#: The options compared (``dependsOn`` and ``aliases`` follow from the inputs and the code).
_OPTIONS = ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges")
_ACTION_ORDER = {"replace": 0, "delete": 1, "create": 2, "update": 3}


class PlanDiffError(AiopsError):
    """The base is not a plan ``aiops plan --diff`` can read."""


def load_base(path: Any) -> dict[str, Any]:
    """Read a saved plan (``aiops plan --json`` output), with a clear error for anything else."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as exc:
        raise PlanDiffError(f"--diff {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise PlanDiffError(f"--diff {path}: not JSON ({exc}); pass a file written by `aiops plan --json`") from None
    if not isinstance(doc, dict) or "stack" not in doc or "resourceCount" not in doc:
        raise PlanDiffError(f"--diff {path}: not a plan written by `aiops plan --json` (no 'stack' and "
                            "'resourceCount')")
    version = doc.get("schemaVersion")
    if version is not None and (not isinstance(version, int) or version > SCHEMA_VERSION):
        raise PlanDiffError(f"--diff {path}: schemaVersion {version!r} is newer than this aiops reads "
                            f"({SCHEMA_VERSION}); upgrade pulumi-aiops")
    return doc


# -- matching ---------------------------------------------------------------------------------------
def _match(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> dict[str, str]:
    """``{base URN: head URN}`` for every head resource found in the base by its URN or an alias."""
    by_urn = {r["urn"]: r for r in base}
    out: dict[str, str] = {}
    taken: set[str] = set()
    # Exact URNs first, so an alias never steals a resource that kept its URN.
    for r in head:
        if r["urn"] in by_urn:
            out[r["urn"]] = r["urn"]
            taken.add(r["urn"])
    for r in head:
        if r["urn"] in taken and out.get(r["urn"]) == r["urn"]:
            continue
        for alias in r.get("options", {}).get("aliases", ()):
            if alias in by_urn and alias not in out:
                out[alias] = r["urn"]
                break
    return out


def _depth(urn: str) -> int:
    return urn.split("::")[2].count("$")


def _pair_renames(removed: list[dict[str, Any]], added: list[dict[str, Any]],
                  matched: dict[str, str]) -> dict[str, str]:
    """``{base URN: head URN}`` of resources renamed without an alias: same type, same (matched) parent.

    Parents go first, so the children of a renamed component pair up under it. Among several
    candidates the one whose inputs differ least wins."""
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for old in sorted(removed, key=lambda r: (_depth(r["urn"]), r["urn"])):
        parent = old.get("parent")
        want = matched.get(parent) or pairs.get(parent) or parent if parent else None
        cands = [n for n in added if n["urn"] not in used and n["type"] == old["type"]
                 and (n.get("parent") or None) == want]
        if not cands:
            continue
        best = min(cands, key=lambda n: (len(_leaf_diffs(old.get("inputs", {}), n.get("inputs", {}))),
                                         -_common_prefix(old["name"], n["name"]), n["urn"]))
        pairs[old["urn"]] = best["urn"]
        used.add(best["urn"])
    return pairs


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# -- input diffs --------------------------------------------------------------------------------------
def _leaf_diffs(old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    a, b = dict(leaves(old)), dict(leaves(new))
    out = []
    for path in sorted(set(a) | set(b)):
        va, vb = a.get(path, MISSING), b.get(path, MISSING)
        if not _same(va, vb):
            out.append((path, va, vb))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return bool(a == b)


def _json_container(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "{[":
        try:
            doc = json.loads(v)
        except ValueError:
            return None
        return doc if isinstance(doc, (dict, list)) else None
    return None


def _effect(res: Mapping[str, Any], path: str, base_inputs: Any, head_inputs: Any) -> dict[str, Any]:
    opts = res.get("options", {})
    for ic in opts.get("ignoreChanges", ()):
        if ic == "*" or path_covers(ic, path):
            return {"effect": "ignored", "reason": f"ignoreChanges: {ic}"}
    for roc in opts.get("replaceOnChanges", ()):
        if roc == "*" or path_covers(roc, path) or path_covers(path, roc):
            return {"effect": "replace", "reason": f"replaceOnChanges: {roc}"}
    rule = replacement_rule(res["type"], path, base_inputs, head_inputs)
    if rule is not None:
        return {"effect": "replace", "reason": rule.reason, "source": rule.source}
    return {"effect": "update"}


def _input_diffs(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[dict[str, Any]]:
    bi, hi = base.get("inputs", {}), head.get("inputs", {})
    out: list[dict[str, Any]] = []
    for path, old, new in _leaf_diffs(bi, hi):
        eff = _effect(head, path, bi, hi)
        jo, jn = _json_container(old), _json_container(new)
        if jo is not None and jn is not None:
            for jpath, o, n in _leaf_diffs(jo, jn):
                out.append({"path": path, "jsonPath": jpath, "old": o, "new": n, "secret": False, **eff})
            continue
        out.append({"path": path, "old": old, "new": new, "secret": False, **eff})
    bs, hs = base.get("secretInputs", {}), head.get("secretInputs", {})
    for path in sorted(set(bs) | set(hs)):
        if bs.get(path) != hs.get(path):
            eff = _effect(head, path, bi, hi)
            out.append({"path": path, "old": SECRET if path in bs else MISSING,
                        "new": SECRET if path in hs else MISSING, "secret": True, **eff})
    bo, ho = base.get("options", {}), head.get("options", {})
    for key in _OPTIONS:
        if key in bo and key in ho and bo[key] != ho[key]:
            out.append({"path": f"(options).{key}", "old": bo[key], "new": ho[key], "secret": False,
                        "effect": "option"})
    return out


# -- the diff -----------------------------------------------------------------------------------------
def _protection(base: Mapping[str, Any] | None, head: Mapping[str, Any] | None) -> tuple[bool, bool]:
    bo = (base or {}).get("options", {})
    ho = (head or {}).get("options", {})
    return (bool(bo.get("protect")) or bool(ho.get("protect")),
            bool(bo.get("retainOnDelete")) or bool(ho.get("retainOnDelete")))


def _change(action: str, base: Mapping[str, Any] | None, head: Mapping[str, Any] | None,
            diffs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    ref = head or base
    assert ref is not None
    protect, retain = _protection(base, head)
    at_risk = action in ("replace", "delete") and protect
    return {"action": action, "urn": (head or {}).get("urn"), "oldUrn": (base or {}).get("urn"),
            "type": ref["type"], "name": ref["name"], "protect": protect, "retainOnDelete": retain,
            "protectedAtRisk": at_risk, "diffs": diffs, **extra}


def _resource_changes(base_res: list[dict[str, Any]], head_res: list[dict[str, Any]]
                      ) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    matched = _match(base_res, head_res)
    base_by = {r["urn"]: r for r in base_res}
    head_by = {r["urn"]: r for r in head_res}
    back = {h: b for b, h in matched.items()}
    removed = [r for r in base_res if r["urn"] not in matched]
    added = [r for r in head_res if r["urn"] not in back]
    renames = _pair_renames(removed, added, matched)
    mapping = {**matched, **renames}
    changes: list[dict[str, Any]] = []
    unchanged = 0
    for b_urn, h_urn in sorted(matched.items(), key=lambda kv: kv[1]):
        b, h = base_by[b_urn], head_by[h_urn]
        if not h.get("custom", True):
            continue
        diffs = _input_diffs(b, h)
        bp, hp = b.get("provider"), h.get("provider")
        if bp != hp and mapping.get(bp or "", bp) != hp:
            diffs.append({"path": "(provider)", "old": bp, "new": hp, "secret": False, "effect": "replace",
                          "reason": "the resource moves to another provider: the engine replaces it"})
        effects = {d["effect"] for d in diffs}
        if "replace" in effects:
            action = "replace"
        elif effects - {"ignored"}:
            action = "update"
        else:
            unchanged += 1
            continue
        changes.append(_change(action, b, h, diffs, aliased=b_urn != h_urn))
    for b_urn, h_urn in sorted(renames.items(), key=lambda kv: kv[1]):
        b, h = base_by[b_urn], head_by[h_urn]
        if not h.get("custom", True):
            continue
        diffs = _input_diffs(b, h)
        changes.append(_change("replace", b, h, diffs, renamedFrom=b["name"],
                               reason="renamed without an alias: the engine creates the new resource and "
                                      "deletes the old one"))
    paired_new = set(renames.values())
    for r in added:
        if r["urn"] not in paired_new and r.get("custom", True):
            changes.append(_change("create", None, r, []))
    for r in removed:
        if r["urn"] not in renames and r.get("custom", True):
            changes.append(_change("delete", r, None, []))
    changes.sort(key=lambda c: (not c["protectedAtRisk"], _ACTION_ORDER[c["action"]], c["type"], c["name"]))
    return changes, mapping, unchanged


def _cost_delta(base: Mapping[str, Any] | None, head: Mapping[str, Any] | None) -> dict[str, Any]:
    def rng(c: Mapping[str, Any] | None) -> dict[str, Any] | None:
        return None if not c else {"minMonthlyUsd": c["minMonthlyUsd"], "maxMonthlyUsd": c["maxMonthlyUsd"],
                                   "unpriced": len(c.get("unpriced", []))}

    out: dict[str, Any] = {"base": rng(base), "head": rng(head), "items": []}
    if base and head:
        out["deltaMinMonthlyUsd"] = round(head["minMonthlyUsd"] - base["minMonthlyUsd"], 2)
        out["deltaMaxMonthlyUsd"] = round(head["maxMonthlyUsd"] - base["maxMonthlyUsd"], 2)
        bi = {(i["id"], i["name"]): i for i in base.get("items", [])}
        hi = {(i["id"], i["name"]): i for i in head.get("items", [])}
        for key in sorted(set(bi) | set(hi)):
            b, h = bi.get(key), hi.get(key)
            pair = [(x["minMonthlyUsd"], x["maxMonthlyUsd"]) if x else None for x in (b, h)]
            if pair[0] != pair[1]:
                out["items"].append({"name": key[1], "base": pair[0], "head": pair[1]})
        bu = {(u["id"], u["name"]) for u in base.get("unpriced", [])}
        hu = {(u["id"], u["name"]) for u in head.get("unpriced", [])}
        out["newlyUnpriced"] = sorted(n for _, n in hu - bu)
        out["noLongerUnpriced"] = sorted(n for _, n in bu - hu)
    return out


def _policy_delta(base: Mapping[str, Any] | None, head: Mapping[str, Any] | None,
                  mapping: Mapping[str, str]) -> dict[str, Any] | None:
    if head is None and base is None:
        return None

    def counts(p: Mapping[str, Any] | None) -> dict[str, int] | None:
        return None if p is None else {"mandatory": int(p.get("mandatory", 0)), "advisory": int(p.get("advisory", 0))}

    def key(v: Mapping[str, Any], remap: bool) -> tuple[Any, ...]:
        urn = v.get("urn")
        if remap and urn:
            urn = mapping.get(urn, urn)
        return (v.get("policy"), urn, v.get("message"))

    out: dict[str, Any] = {"base": counts(base), "head": counts(head), "new": [], "resolved": []}
    if base is not None and head is not None:
        bv = {key(v, True): v for v in base.get("violations", [])}
        hv = {key(v, False): v for v in head.get("violations", [])}
        out["new"] = [hv[k] for k in hv if k not in bv]
        out["resolved"] = [bv[k] for k in bv if k not in hv]
    return out


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """The diff of ``head`` against ``base`` (both plan documents); see the module docstring."""
    legacy = "resources" not in base
    out: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION, "kind": DIFF_KIND, "project": head.get("project"),
        "stack": head.get("stack"), "baseStack": base.get("stack"),
        "base": {"schemaVersion": base.get("schemaVersion"), "generator": base.get("generator"),
                 "resourceCount": base.get("resourceCount")},
        "head": {"schemaVersion": head.get("schemaVersion"), "generator": head.get("generator"),
                 "resourceCount": head.get("resourceCount")},
        "legacyBase": legacy,
    }
    mapping: dict[str, str] = {}
    if legacy:
        bc, hc = base.get("countsByType", {}), head.get("countsByType", {})
        out["countsByType"] = {t: {"base": bc.get(t, 0), "head": hc.get(t, 0)}
                               for t in sorted(set(bc) | set(hc)) if bc.get(t, 0) != hc.get(t, 0)}
        gone = sorted(set(base.get("protectedResources", [])) - set(head.get("protectedResources", [])))
        out["protectedNoLongerInPlan"] = gone
        out["changes"] = []
        out["summary"] = {"create": None, "update": None, "replace": None, "delete": None, "unchanged": None,
                          "protectedAtRisk": len(gone)}
    else:
        changes, mapping, unchanged = _resource_changes(base["resources"], head.get("resources", []))
        out["changes"] = changes
        summary = {a: sum(1 for c in changes if c["action"] == a) for a in ("create", "update", "replace", "delete")}
        summary["unchanged"] = unchanged
        summary["protectedAtRisk"] = sum(1 for c in changes if c["protectedAtRisk"])
        out["summary"] = summary
    out["cost"] = _cost_delta(base.get("cost"), head.get("cost"))
    out["policy"] = _policy_delta(base.get("policy"), head.get("policy"), mapping)
    return _jsonable(out)


def _jsonable(v: Any) -> Any:
    if v is MISSING:
        return None
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v


# -- rendering ------------------------------------------------------------------------------------------
_VALUE_WIDTH = 90


def _fmt(v: Any, secret: bool = False) -> str:
    if v is None or v is MISSING:
        return "(absent)"
    if secret or v == SECRET:
        return SECRET
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = json.dumps(v, sort_keys=True, ensure_ascii=False) if not isinstance(v, (int, float, bool)) else \
        json.dumps(v)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _diff_line(d: Mapping[str, Any]) -> str:
    path = d["path"] + (f" ⟨json⟩ {d['jsonPath']}" if d.get("jsonPath") else "")
    if d.get("secret"):
        if d["old"] is None:
            change = "[secret] added"
        elif d["new"] is None:
            change = "[secret] removed"
        else:
            change = "[secret] changed"
    else:
        change = f"{_fmt(d['old'])} → {_fmt(d['new'])}"
    tail = ""
    if d["effect"] == "replace":
        tail = f"  (forces replacement: {d.get('reason', '')})"
    elif d["effect"] == "ignored":
        tail = f"  (ignored, {d.get('reason', 'ignoreChanges')})"
    return f"{path}: {change}{tail}"


_SYMBOL = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


def _risk(c: Mapping[str, Any]) -> str:
    if not c["protectedAtRisk"]:
        return ""
    verb = "replaced" if c["action"] == "replace" else "deleted"
    retained = (" It is also retained on delete: the old one would stay in the cloud, unmanaged."
                if c["retainOnDelete"] else "")
    return (f"PROTECTED resource would be {verb}: `pulumi up` refuses (protect) until you unprotect it or "
            f"add an alias.{retained}")


def _cost_line(cost: Mapping[str, Any]) -> str | None:
    def rng(r: Mapping[str, Any] | None) -> str:
        if r is None:
            return "not estimated"
        s = _money_range(r["minMonthlyUsd"], r["maxMonthlyUsd"])
        return s + (f" (+{r['unpriced']} unpriced)" if r.get("unpriced") else "")

    if cost["head"] is None and cost["base"] is None:
        return None
    line = f"{rng(cost['base'])} → {rng(cost['head'])}"
    if "deltaMinMonthlyUsd" in cost:
        line += f" (Δ min {cost['deltaMinMonthlyUsd']:+,.0f}, Δ max {cost['deltaMaxMonthlyUsd']:+,.0f} USD/month)"
    return line


def _policy_line(pol: Mapping[str, Any] | None) -> str | None:
    if pol is None:
        return None
    b, h = pol["base"], pol["head"]
    if h is None:
        return "not evaluated on this side (--no-policy)"
    if b is None:
        return f"{h['mandatory']} mandatory, {h['advisory']} advisory (the base has no policy results)"
    return (f"mandatory {b['mandatory']} → {h['mandatory']}, advisory {b['advisory']} → {h['advisory']}"
            f" ({len(pol['new'])} new, {len(pol['resolved'])} resolved)")


def _summary_phrase(s: Mapping[str, Any]) -> str:
    return (f"{s['create']} to create, {s['update']} to update, {s['replace']} to replace, "
            f"{s['delete']} to delete, {s['unchanged']} unchanged")


def render_text(d: Mapping[str, Any]) -> str:
    """The diff for a terminal."""
    lines = [f"Stack {d['project']}/{d['stack']}: changes against the base plan "
             f"({d['base'].get('generator') or 'an older aiops plan'})"]
    if d.get("baseStack") and d["baseStack"] != d["stack"]:
        lines.append(f"  note: the base plan is of stack {d['baseStack']!r}")
    s = d["summary"]
    if d["legacyBase"]:
        lines.append("  the base plan has no resource list (written before plan schema version 1): only counts, "
                     "protected resources, cost and policy are compared")
        for t, c in d["countsByType"].items():
            lines.append(f"    {t}: {c['base']} → {c['head']}")
        for urn in d["protectedNoLongerInPlan"]:
            lines.append(f"  !! PROTECTED resource no longer in the plan (deleted or renamed): {urn}")
    else:
        lines.append(f"  {_summary_phrase(s)}")
        if s["protectedAtRisk"]:
            lines.append(f"  !! {s['protectedAtRisk']} PROTECTED resource(s) would be replaced or deleted")
        for c in d["changes"]:
            lines.append("")
            lines.append(f"  {_SYMBOL[c['action']]:>2} {c['action']:<7} {c['type']}  {c['name']}"
                         + (f"  (renamed from {c['renamedFrom']})" if c.get("renamedFrom") else "")
                         + ("  (matched by alias)" if c.get("aliased") else ""))
            if c["protectedAtRisk"]:
                lines.append(f"      !! {_risk(c)}")
            if c.get("reason"):
                lines.append(f"      {c['reason']}")
            lines += [f"      {_diff_line(x)}" for x in c["diffs"]]
    cost = _cost_line(d["cost"])
    if cost:
        lines += ["", f"Monthly cost: {cost}"]
        for i in d["cost"].get("items", []):
            lines.append(f"  {i['name']}: {_pair(i['base'])} → {_pair(i['head'])}")
    pol = _policy_line(d["policy"])
    if pol:
        lines += ["", f"Policy: {pol}"]
        for v in d["policy"].get("new", []):
            lines.append(f"  + [{v['enforcementLevel']}] {v['policy']}: {v.get('resource') or '(stack)'}: "
                         f"{v.get('message', '')}")
        for v in d["policy"].get("resolved", []):
            lines.append(f"  - [{v['enforcementLevel']}] {v['policy']}: {v.get('resource') or '(stack)'}")
    return "\n".join(lines)


def _money_range(lo: float, hi: float) -> str:
    if lo == hi:
        return f"${lo:,.0f}"
    return f"up to ${hi:,.0f}" if lo == 0 else f"${lo:,.0f} – ${hi:,.0f}"


def _pair(p: Any) -> str:
    return "(none)" if p is None else _money_range(*p)


def _md(text: str) -> str:
    """Text for a Markdown table cell or list item (pipes and backticks escaped)."""
    return text.replace("|", "\\|").replace("`", "'")


#: At most this many changed resources are detailed in Markdown (a PR comment holds 65,536 characters).
MD_MAX_CHANGES = 60
MD_MAX_DIFFS = 12


def render_markdown(d: Mapping[str, Any]) -> str:
    """The diff for a PR comment: a summary table first, the details folded in ``<details>``.

    It starts below a heading of the caller's (no heading of its own above level 4)."""
    s = d["summary"]
    out: list[str] = []
    if d["legacyBase"]:
        out.append("_The base plan has no resource list (written before plan schema version 1): counts, protected "
                   "resources, cost and policy are compared; resource changes show from the next pull request on._")
        out.append("")
    if s["protectedAtRisk"]:
        out.append(f"> [!CAUTION]\n> **{s['protectedAtRisk']} protected resource(s) would be replaced or deleted.** "
                   "`pulumi up` refuses until the resource is unprotected or the change is undone (or aliased).")
        for c in d["changes"]:
            if c["protectedAtRisk"]:
                out.append(f"> - **{c['action']}** `{c['type']}` `{_md(c['name'])}`"
                           + (f" (renamed from `{_md(c['renamedFrom'])}`)" if c.get("renamedFrom") else ""))
        for urn in d.get("protectedNoLongerInPlan", []):
            out.append(f"> - no longer in the plan: `{_md(urn)}`")
        out.append("")
    out += ["| | resources |", "| --- | ---: |"]
    if d["legacyBase"]:
        out.append(f"| resources | {d['base'].get('resourceCount')} → {d['head'].get('resourceCount')} |")
    else:
        for label, key in (("➕ create", "create"), ("✏️ update", "update"), ("🔁 replace", "replace"),
                           ("➖ delete", "delete"), ("unchanged", "unchanged")):
            out.append(f"| {label} | {s[key]} |")
    out.append(f"| ⚠️ protected at risk | {s['protectedAtRisk']} |")
    cost = _cost_line(d["cost"])
    pol = _policy_line(d["policy"])
    out.append("")
    if cost:
        out.append(f"**Monthly cost:** {_md(cost)}  ")
    if pol:
        out.append(f"**Policy:** {_md(pol)}")
    details: list[str] = []
    if d["legacyBase"] and d.get("countsByType"):
        details += ["<details><summary>Resource counts by type</summary>", "", "| type | base | head |",
                    "| --- | ---: | ---: |"]
        details += [f"| `{t}` | {c['base']} | {c['head']} |" for t, c in d["countsByType"].items()]
        details += ["", "</details>"]
    if d["changes"]:
        details += [f"<details><summary>Changes ({len(d['changes'])} resources)</summary>", ""]
        for c in d["changes"][:MD_MAX_CHANGES]:
            head = f"- **{c['action']}** `{c['type']}` `{_md(c['name'])}`"
            if c.get("renamedFrom"):
                head += f" (renamed from `{_md(c['renamedFrom'])}`, no alias)"
            if c.get("aliased"):
                head += " (matched by alias)"
            if c["protectedAtRisk"]:
                head += " ⚠️ **protected**"
            details.append(head)
            for x in c["diffs"][:MD_MAX_DIFFS]:
                details.append(f"  - `{_md(_diff_line(x))}`")
            if len(c["diffs"]) > MD_MAX_DIFFS:
                details.append(f"  - … {len(c['diffs']) - MD_MAX_DIFFS} more (`aiops plan --diff --json`)")
        if len(d["changes"]) > MD_MAX_CHANGES:
            details.append(f"- … {len(d['changes']) - MD_MAX_CHANGES} more resources (`aiops plan --diff --json`)")
        details += ["", "</details>"]
    if d["cost"].get("items") or d["cost"].get("newlyUnpriced") or d["cost"].get("noLongerUnpriced"):
        details += ["<details><summary>Cost by item (USD/month)</summary>", "", "| item | base | head |",
                    "| --- | ---: | ---: |"]
        details += [f"| {_md(i['name'])} | {_pair(i['base'])} | {_pair(i['head'])} |" for i in d["cost"]["items"]]
        details += [f"| {_md(n)} | priced | unpriced |" for n in d["cost"].get("newlyUnpriced", [])]
        details += [f"| {_md(n)} | unpriced | priced |" for n in d["cost"].get("noLongerUnpriced", [])]
        details += ["", "</details>"]
    pol_d = d["policy"] or {}
    if pol_d.get("new") or pol_d.get("resolved"):
        details += ["<details><summary>Policy changes</summary>", ""]
        details += [f"- ➕ **{v['enforcementLevel']}** `{v['policy']}` on `{_md(v.get('resource') or '(stack)')}`: "
                    f"{_md(v.get('message') or '')}" for v in pol_d.get("new", [])]
        details += [f"- ✅ resolved `{v['policy']}` on `{_md(v.get('resource') or '(stack)')}`"
                    for v in pol_d.get("resolved", [])]
        details += ["", "</details>"]
    if details:
        out += ["", *details]
    return "\n".join(out)
