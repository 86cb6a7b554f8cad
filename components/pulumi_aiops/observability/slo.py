"""SLOs as code: an :class:`~pulumi_aiops.config.observability.SloSpec` → Prometheus rule groups.

Multi-window, multi-burn-rate alerting as in the Google SRE workbook ("Alerting on SLOs", ch. 5,
recommendation 6): with error budget ``e = 1 - objective``,

* **page** when the error ratio is above ``14.4 × e`` over both 1h and 5m, or above ``6 × e`` over
  both 6h and 30m (2 % and 5 % of a 30-day budget spent in an hour, in six hours);
* **ticket** when it is above ``3 × e`` over both 1d and 2h, or above ``1 × e`` over both 3d and 6h.

Each SLO is one rule group ``slo-<name>``:

* ``slo:sli_error:ratio_rate<W>`` for W in 5m, 30m, 1h, 2h, 6h, 1d, 3d: the error ratio over W.
  Ratio SLIs: ``bad/total`` (or ``1 - good/total``) with ``{{window}}`` replaced by W. Threshold
  and drift SLIs first record ``slo:sli_bad:indicator`` (1 when the gauge is past its threshold,
  aggregated per ``sli.by``), and W's error ratio is its average over W: the share of bad minutes;
* ``slo:sli_error:ratio_rate<window>`` over the SLO window (28d/30d), the average of the 5m
  ratio (as Sloth does, so no 30-day ``rate()`` is evaluated);
* ``slo:objective:ratio``, ``slo:error_budget:ratio``, ``slo:error_budget_remaining:ratio``
  (1 = untouched, 0 = spent, negative = overspent) and ``slo:burn_rate:ratio_rate1h`` /
  ``…6h`` (error ratio / budget) for the SLO dashboard;
* alerts ``SLOBurnRateFast`` (``severity: page``) and ``SLOBurnRateSlow`` (``severity: ticket``),
  labelled ``slo``, the SLO's ``labels`` and any labels the SLI keeps (``model`` for drift).

Every series carries the label ``slo``. :func:`platform_rule_group` adds the platform's own
alerts (GPU XID errors, a stale evaluation job). The groups are checked with ``promtool check
rules`` and unit-tested with ``promtool test rules`` (``tests/observability``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_aiops.config.observability import WINDOW_PLACEHOLDER, SloKind, SloSpec

__all__ = [
    "BURN_WINDOWS",
    "PAGE",
    "RECORDED",
    "TICKET",
    "BurnRateAlert",
    "platform_rule_group",
    "prometheus_rule_spec",
    "rule_groups",
    "slo_rule_group",
]


@dataclass(frozen=True)
class BurnRateAlert:
    """One multi-window condition: error ratio above ``factor × budget`` over both windows."""

    factor: float
    long: str
    short: str


#: SRE workbook, table 5-8 (recommended for a 30-day SLO; used unchanged for 28 days).
PAGE: tuple[BurnRateAlert, ...] = (BurnRateAlert(14.4, "1h", "5m"), BurnRateAlert(6, "6h", "30m"))
TICKET: tuple[BurnRateAlert, ...] = (BurnRateAlert(3, "1d", "2h"), BurnRateAlert(1, "3d", "6h"))
#: Every window an alert reads, shortest first.
BURN_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

ERROR_RATIO = "slo:sli_error:ratio_rate"
INDICATOR = "slo:sli_bad:indicator"
#: The recording rules every SLO group defines (the SLO window's ratio is ``ratio_rate28d``/``30d``).
RECORDED: tuple[str, ...] = (
    *(f"{ERROR_RATIO}{w}" for w in BURN_WINDOWS), f"{ERROR_RATIO}28d", f"{ERROR_RATIO}30d", INDICATOR,
    "slo:objective:ratio", "slo:error_budget:ratio", "slo:error_budget_remaining:ratio",
    "slo:burn_rate:ratio_rate1h", "slo:burn_rate:ratio_rate6h",
)
#: The evaluation contract's drift gauge (:mod:`pulumi_aiops.observability.evaluation`).
DRIFT_METRIC = "aiops_model_drift_score"


def _num(x: float) -> str:
    """A float as PromQL reads it back exactly (``repr`` round-trips)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _sel(slo: str) -> str:
    return f'{{slo="{slo}"}}'


def _by(labels: Sequence[str]) -> str:
    return f" by ({', '.join(labels)})" if labels else ""


def _gauge(spec: SloSpec) -> str:
    if spec.sli.gauge is not None:
        return spec.sli.gauge
    matchers = ", ".join(f'{k}="{v}"' for k, v in sorted(spec.sli.selector.items()))
    return f"{DRIFT_METRIC}{{{matchers}}}" if matchers else DRIFT_METRIC


def _indicator_expr(spec: SloSpec) -> str:
    s = spec.sli
    op = ">" if s.bad_when.value == "above" else "<"
    by = list(s.by) or (["model"] if spec.kind is SloKind.DRIFT else [])
    aggregate = s.aggregate.value
    if spec.kind is SloKind.DRIFT and "aggregate" not in s.model_fields_set:
        aggregate = "max"  # a model is drifting when any of its scores is past the threshold
    return f"{aggregate}{_by(by)} (({_gauge(spec)}) {op} bool {_num(s.threshold or 0.0)})"


def _ratio_expr(spec: SloSpec, window: str) -> str:
    s = spec.sli
    total = str(s.total).replace(WINDOW_PLACEHOLDER, window)
    if s.bad is not None:
        return f"({s.bad.replace(WINDOW_PLACEHOLDER, window)})\n/\n({total})"
    return f"1 - (\n  ({str(s.good).replace(WINDOW_PLACEHOLDER, window)})\n  /\n  ({total})\n)"


def _alert_expr(name: str, budget: float, conditions: Iterable[BurnRateAlert]) -> str:
    parts = []
    for c in conditions:
        threshold = f"({_num(c.factor)} * {_num(budget)})"
        parts.append(f"(\n  {ERROR_RATIO}{c.long}{_sel(name)} > {threshold}\n"
                     f"  and\n  {ERROR_RATIO}{c.short}{_sel(name)} > {threshold}\n)")
    return "\nor\n".join(parts)


def slo_rule_group(spec: SloSpec) -> dict[str, Any]:
    """The rule group of one SLO (a Prometheus ``groups[]`` entry)."""
    name, budget = spec.name, spec.error_budget
    labels = {"slo": name}
    rules: list[dict[str, Any]] = []
    if spec.kind is SloKind.RATIO:
        for w in BURN_WINDOWS:
            rules.append({"record": f"{ERROR_RATIO}{w}", "expr": _ratio_expr(spec, w), "labels": dict(labels)})
    else:
        rules.append({"record": INDICATOR, "expr": _indicator_expr(spec), "labels": dict(labels)})
        for w in BURN_WINDOWS:
            rules.append({"record": f"{ERROR_RATIO}{w}",
                          "expr": f"avg_over_time({INDICATOR}{_sel(name)}[{w}])", "labels": dict(labels)})
    rules += [
        {"record": f"{ERROR_RATIO}{spec.window}",
         "expr": f"avg_over_time({ERROR_RATIO}5m{_sel(name)}[{spec.window}])", "labels": dict(labels)},
        {"record": "slo:objective:ratio", "expr": f"vector({_num(spec.objective)})", "labels": dict(labels)},
        {"record": "slo:error_budget:ratio", "expr": f"vector({_num(budget)})", "labels": dict(labels)},
        {"record": "slo:error_budget_remaining:ratio",
         "expr": f"1 - {ERROR_RATIO}{spec.window}{_sel(name)} / {_num(budget)}", "labels": dict(labels)},
        {"record": "slo:burn_rate:ratio_rate1h",
         "expr": f"{ERROR_RATIO}1h{_sel(name)} / {_num(budget)}", "labels": dict(labels)},
        {"record": "slo:burn_rate:ratio_rate6h",
         "expr": f"{ERROR_RATIO}6h{_sel(name)} / {_num(budget)}", "labels": dict(labels)},
    ]
    what = spec.description or f"SLO {name}"
    pct = f"{spec.objective * 100:g} %"
    for alert, severity, conditions, speed in (("SLOBurnRateFast", "page", PAGE, "fast"),
                                               ("SLOBurnRateSlow", "ticket", TICKET, "slow")):
        windows = " or ".join(f"{_num(c.factor)}x over {c.long} and {c.short}" for c in conditions)
        rules.append({
            "alert": alert,
            "expr": _alert_expr(name, budget, conditions),
            "labels": {**spec.labels, "slo": name, "severity": severity},
            # Static text (no query templates): what an alert says does not depend on the data.
            "annotations": {
                "summary": f"{what}: error budget burning {speed}",
                "description": (f"SLO {name} ({pct} over {spec.window}) is spending its error budget at "
                                f"{windows} the sustainable rate; see the SLO dashboard's burn rates."),
            },
        })
    return {"name": f"slo-{name}", "rules": rules}


#: How long the evaluation job may stay silent before its drift gauge is called stale.
EVALUATION_STALE_AFTER = "2h"


def platform_rule_group() -> dict[str, Any]:
    """The platform's own alerts: GPU XID errors and a silent evaluation job."""
    return {"name": "aiops-platform", "rules": [
        {"alert": "GpuXidError",
         "expr": "max by (hostname, gpu, UUID) (DCGM_FI_DEV_XID_ERRORS) > 0",
         "for": "1m",
         "labels": {"severity": "ticket"},
         "annotations": {"summary": "GPU {{ $labels.gpu }} on {{ $labels.hostname }} reported XID error "
                                    "{{ $value }}",
                         "description": "DCGM_FI_DEV_XID_ERRORS holds the last XID the driver reported; see "
                                        "NVIDIA's XID catalogue for what it means (drain the node for 48, 63, 64, "
                                        "74, 79, 94, 95)."}},
        {"alert": "ModelEvaluationStale",
         "expr": f"time() - max by (model) (aiops_evaluation_last_run_timestamp_seconds) > "
                 f"{_seconds(EVALUATION_STALE_AFTER)}",
         "for": "10m",
         "labels": {"severity": "ticket"},
         "annotations": {"summary": "No evaluation of {{ $labels.model }} for over " + EVALUATION_STALE_AFTER,
                         "description": "The drift and quality SLOs of this model read stale gauges: check the "
                                        "evaluation job."}},
    ]}


def _seconds(duration: str) -> int:
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[duration[-1]]
    return int(duration[:-1]) * unit


def rule_groups(slos: Sequence[SloSpec], *, platform: bool = True) -> list[dict[str, Any]]:
    """Every group: one per SLO (in order), then the platform group."""
    groups = [slo_rule_group(s) for s in slos]
    if platform:
        groups.append(platform_rule_group())
    return groups


def prometheus_rule_spec(group: dict[str, Any]) -> dict[str, Any]:
    """The ``spec`` of a ``PrometheusRule`` holding ``group`` (``promtool check rules`` reads the
    same ``{groups: [...]}`` document)."""
    return {"groups": [group]}
