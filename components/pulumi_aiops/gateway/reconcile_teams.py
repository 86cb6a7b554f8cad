"""Reconcile declared teams into a LiteLLM proxy through its admin API (idempotent).

Runs as the gateway's post-deploy Job (``python3 /reconcile/reconcile_teams.py``, in the LiteLLM
image, standard library only) and anywhere else with::

    GATEWAY_URL=http://llm-gateway.llm-gateway.svc:4000 AIOPS_GATEWAY_MASTER_KEY=sk-… \\
        TEAMS_FILE=teams.json python3 reconcile_teams.py

``TEAMS_FILE`` holds a JSON list of teams: ``{"team_id", "team_alias", "max_budget",
"budget_duration", "rpm_limit", "tpm_limit", "models"}``. For each team: ``GET /team/info``; 404
→ ``POST /team/new``; found → ``POST /team/update`` with the declared fields, only when one
differs. A second run with the same file changes nothing. Teams that are not declared are left
alone (they may have been created by hand; removing one is an explicit ``/team/delete``).

Exit status: 0 when every team matches, 1 on an API error (the Job then fails and ``pulumi up``
reports it).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

FIELDS = ("team_alias", "max_budget", "budget_duration", "rpm_limit", "tpm_limit", "models")


def _call(base: str, key: str, method: str, path: str, body: dict[str, Any] | None = None,
          timeout: float = 30.0) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base.rstrip('/')}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        text = exc.read()
        try:
            return exc.code, json.loads(text or b"null")
        except ValueError:
            return exc.code, text.decode(errors="replace")


def _current(info: Any) -> dict[str, Any]:
    """The team's fields from a ``/team/info`` answer (``{"team_info": {...}}``)."""
    team = info.get("team_info", info) if isinstance(info, dict) else {}
    return team if isinstance(team, dict) else {}


def _differs(want: dict[str, Any], have: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in FIELDS:
        if k not in want:
            continue
        a, b = want[k], have.get(k)
        if k == "models":
            a, b = sorted(a or []), sorted(b or [])
        if isinstance(a, int | float) and isinstance(b, int | float):
            if float(a) != float(b):
                out[k] = want[k]
        elif a != b:
            out[k] = want[k]
    return out


def reconcile(base: str, key: str, teams: list[dict[str, Any]]) -> list[str]:
    """Bring every team of ``teams`` to its declared fields; return what was done, one line per team."""
    done: list[str] = []
    for team in teams:
        tid = team["team_id"]
        want = {k: team[k] for k in FIELDS if k in team and team[k] is not None}
        status, info = _call(base, key, "GET", f"/team/info?team_id={urllib.parse.quote(tid)}")
        if status == 404:
            status, answer = _call(base, key, "POST", "/team/new", {"team_id": tid, **want})
            if status >= 300:
                raise RuntimeError(f"/team/new {tid}: HTTP {status}: {answer}")
            done.append(f"created {tid}")
            continue
        if status >= 300:
            raise RuntimeError(f"/team/info {tid}: HTTP {status}: {info}")
        change = _differs(want, _current(info))
        if not change:
            done.append(f"unchanged {tid}")
            continue
        status, answer = _call(base, key, "POST", "/team/update", {"team_id": tid, **change})
        if status >= 300:
            raise RuntimeError(f"/team/update {tid}: HTTP {status}: {answer}")
        done.append(f"updated {tid}: {', '.join(sorted(change))}")
    return done


def wait_ready(base: str, attempts: int = 60, delay: float = 5.0) -> None:
    """Wait (bounded) for the proxy's readiness endpoint."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(f"{base.rstrip('/')}/health/readiness", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(delay)
    raise RuntimeError(f"{base} is not ready after {attempts * delay:.0f} s")


def main() -> int:
    base = os.environ["GATEWAY_URL"]
    key = os.environ["AIOPS_GATEWAY_MASTER_KEY"]
    with open(os.environ.get("TEAMS_FILE", "/reconcile/teams.json")) as f:
        teams = json.load(f)
    try:
        wait_ready(base, attempts=int(os.environ.get("READY_ATTEMPTS", "60")))
        for line in reconcile(base, key, teams):
            print(line, flush=True)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
