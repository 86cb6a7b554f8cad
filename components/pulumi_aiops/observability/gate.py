"""Gate a rollout on SLOs: quality, drift and business signals included.

A pipeline step asks the platform's Prometheus whether the SLOs it names still have error budget
and no burn-rate page is firing; a model rollout (or a canary's promotion) stops when not::

    python -m pulumi_aiops.observability.gate --prometheus http://aiops-prometheus.monitoring:9090 \\
        --slo chat-drift --slo chat-quality --slo gateway-availability --min-budget 0.1

Exit codes: 0 pass, 1 an SLO fails the gate, 2 Prometheus could not be asked. An SLO without data
(no series yet) passes unless ``--require-data``. Reads ``slo:error_budget_remaining:ratio`` and the
``ALERTS`` series of ``SLOBurnRateFast`` (the recording rules and alerts of
:mod:`pulumi_aiops.observability.slo`).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

__all__ = ["check", "main"]


def _query(prometheus: str, promql: str, timeout: float) -> list[dict[str, Any]]:
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        body = json.loads(resp.read())
    if body.get("status") != "success":
        raise RuntimeError(f"query {promql!r} failed: {body}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def _who(metric: dict[str, str]) -> str:
    extra = {k: v for k, v in metric.items() if k not in ("__name__", "slo", "alertname", "alertstate", "severity")}
    return metric.get("slo", "?") + (f" {extra}" if extra else "")


def check(prometheus: str, slos: Sequence[str], *, min_budget: float = 0.0, require_data: bool = False,
          timeout: float = 10.0) -> list[str]:
    """Why the rollout must stop: one line per SLO (series) out of budget or paging; empty to go."""
    if not slos:
        raise ValueError("name at least one SLO")
    names = "|".join(s.replace("|", "") for s in slos)
    problems: list[str] = []
    budgets = _query(prometheus, f'slo:error_budget_remaining:ratio{{slo=~"{names}"}}', timeout)
    seen = {r["metric"].get("slo") for r in budgets}
    for r in budgets:
        value = float(r["value"][1])
        if value < min_budget:
            problems.append(f"{_who(r['metric'])}: {value:.3g} of the error budget left, below {min_budget:g}")
    for r in _query(prometheus, f'ALERTS{{alertname="SLOBurnRateFast",alertstate="firing",slo=~"{names}"}}',
                    timeout):
        problems.append(f"{_who(r['metric'])}: burning its error budget fast (page firing)")
    if require_data:
        problems += [f"{s}: no data" for s in slos if s not in seen]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_aiops.observability.gate", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", required=True, help="Prometheus base URL")
    parser.add_argument("--slo", action="append", required=True, help="an SLO name (repeatable)")
    parser.add_argument("--min-budget", type=float, default=0.0,
                        help="smallest share of error budget left that passes (default 0)")
    parser.add_argument("--require-data", action="store_true", help="fail an SLO that has no series yet")
    args = parser.parse_args(argv)
    try:
        problems = check(args.prometheus, args.slo, min_budget=args.min_budget, require_data=args.require_data)
    except (urllib.error.URLError, OSError, RuntimeError, ValueError) as exc:
        print(f"gate: cannot ask {args.prometheus}: {exc}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"FAIL {p}")
    if not problems:
        print(f"PASS {', '.join(args.slo)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
