"""The rendered SLO rules, checked and unit-tested with the real ``promtool`` (Debian's prometheus).

Every rendered group passes ``promtool check rules``; ``promtool test rules`` shows, for every
default SLO and for drift, quality, feedback and guardrail SLOs, the page alert firing on a fast
burn, the ticket alert (and not the page) on a slow burn, and neither on a healthy series; a
broken expression makes the same checks fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from obs_helpers import alert_test, run_promtool, scenario, unit_test_file, write_rules

from pulumi_aiops.config.observability import SloSpec
from pulumi_aiops.observability.defaults import (
    default_slos,
    drift_slo,
    feedback_slo,
    guardrail_block_slo,
    quality_slo,
)
from pulumi_aiops.observability.slo import PAGE, TICKET, platform_rule_group, rule_groups, slo_rule_group


def _slos() -> dict[str, SloSpec]:
    """Scenario key → SLO: every default on both clouds, plus the signal SLOs."""
    out = {s.name: s for s in default_slos("aws")}
    out["gpu-saturation-aws"] = out.pop("gpu-saturation")
    out["gpu-saturation-coreweave"] = next(s for s in default_slos("coreweave") if s.name == "gpu-saturation")
    out["chat-drift"] = drift_slo("chat-drift", threshold=0.2, objective=0.95)
    out["chat-quality"] = quality_slo("chat-quality", threshold=0.8, objective=0.95, metric="faithfulness")
    out["feedback"] = feedback_slo("feedback", objective=0.95)
    out["guardrails"] = guardrail_block_slo("guardrails", objective=0.98)
    return out


SLOS = _slos()


def test_burn_rate_windows_are_the_sre_workbooks() -> None:
    assert [(a.factor, a.long, a.short) for a in PAGE] == [(14.4, "1h", "5m"), (6, "6h", "30m")]
    assert [(a.factor, a.long, a.short) for a in TICKET] == [(3, "1d", "2h"), (1, "3d", "6h")]


def test_every_rendered_group_passes_promtool_check_rules(tmp_path: Path) -> None:
    groups = {key: slo_rule_group(spec) for key, spec in SLOS.items()}
    groups["platform"] = platform_rule_group()
    assert [g["name"] for g in rule_groups(default_slos("aws"))] == [
        "slo-gateway-availability", "slo-gateway-latency", "slo-model-server-ttft", "slo-gpu-saturation",
        "aiops-platform"]
    for key, g in groups.items():  # one file per group, as each PrometheusRule holds one
        path = write_rules(tmp_path / f"{key}.yaml", [g])
        result = run_promtool(["check", "rules", str(path)], tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"SUCCESS: {len(g['rules'])} rules found" in result.stdout


def _burn_tests(key: str, spec: SloSpec) -> list[dict[str, Any]]:
    group = slo_rule_group(spec)
    tests = []
    for mode, checks in (
        ("healthy", [("SLOBurnRateFast", "30m", False), ("SLOBurnRateSlow", "30m", False),
                     ("SLOBurnRateFast", "8h", False), ("SLOBurnRateSlow", "8h", False)]),
        ("fast", [("SLOBurnRateFast", "30m", True)]),
        ("slow", [("SLOBurnRateSlow", "3h", True), ("SLOBurnRateFast", "3h", False),
                  ("SLOBurnRateFast", "8h", False)]),
    ):
        series, labels = scenario(key, spec.error_budget, mode)
        tests.append({
            "name": f"{key} {mode}",
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [alert_test(group, a, t, labels, fires) for a, t, fires in checks],
        })
    return tests


@pytest.mark.parametrize("key", sorted(SLOS))
def test_burn_rate_alerts_fire_on_an_outage_and_stay_silent_when_healthy(key: str, tmp_path: Path) -> None:
    spec = SLOS[key]
    write_rules(tmp_path / "rules.yaml", [slo_rule_group(spec)])
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(unit_test_file("rules.yaml", _burn_tests(key, spec)),
                                                       sort_keys=False))
    result = run_promtool(["test", "rules", "test.yaml"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_drift_over_its_threshold_burns_the_budget_of_that_model_only(tmp_path: Path) -> None:
    spec = SLOS["chat-drift"]
    write_rules(tmp_path / "rules.yaml", [slo_rule_group(spec)])
    series, _ = scenario("chat-drift", spec.error_budget, "fast")
    test = {
        "interval": "1m", "input_series": series,
        "promql_expr_test": [
            # chat drifted every minute: its 5m error ratio is 1, the other model's 0
            {"expr": 'slo:sli_error:ratio_rate5m{slo="chat-drift"}', "eval_time": "1h",
             "exp_samples": [{"labels": 'slo:sli_error:ratio_rate5m{model="chat",slo="chat-drift"}', "value": 1},
                             {"labels": 'slo:sli_error:ratio_rate5m{model="search",slo="chat-drift"}',
                              "value": 0}]},
            # the budget is overspent for chat (remaining < 0) and untouched for search (1)
            {"expr": 'slo:error_budget_remaining:ratio{slo="chat-drift"} < bool 0', "eval_time": "1h",
             "exp_samples": [{"labels": '{model="chat",slo="chat-drift"}', "value": 1},
                             {"labels": '{model="search",slo="chat-drift"}', "value": 0}]},
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(unit_test_file("rules.yaml", [test]), sort_keys=False))
    result = run_promtool(["test", "rules", "test.yaml"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_platform_alerts(tmp_path: Path) -> None:
    group = platform_rule_group()
    write_rules(tmp_path / "rules.yaml", [group])
    xid = next(r for r in group["rules"] if r["alert"] == "GpuXidError")
    stale = next(r for r in group["rules"] if r["alert"] == "ModelEvaluationStale")
    gpu = {"gpu": "3", "UUID": "GPU-3", "hostname": "node-a"}
    test = {
        "interval": "1m",
        "input_series": [
            {"series": 'DCGM_FI_DEV_XID_ERRORS{gpu="3",UUID="GPU-3",hostname="node-a"}', "values": "0x10 79x10"},
            # last run at t=0 and never again: stale once two hours have passed (plus the 10m for)
            {"series": 'aiops_evaluation_last_run_timestamp_seconds{model="chat"}', "values": "0x200"},
        ],
        "alert_rule_test": [
            {"eval_time": "5m", "alertname": "GpuXidError", "exp_alerts": []},
            {"eval_time": "15m", "alertname": "GpuXidError",
             "exp_alerts": [{"exp_labels": {**gpu, **xid["labels"]},
                             "exp_annotations": {**xid["annotations"],
                                                 "summary": "GPU 3 on node-a reported XID error 79"}}]},
            {"eval_time": "60m", "alertname": "ModelEvaluationStale", "exp_alerts": []},
            {"eval_time": "140m", "alertname": "ModelEvaluationStale",
             "exp_alerts": [{"exp_labels": {"model": "chat", **stale["labels"]},
                             "exp_annotations": {**stale["annotations"],
                                                 "summary": "No evaluation of chat for over 2h"}}]},
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(unit_test_file("rules.yaml", [test]), sort_keys=False))
    result = run_promtool(["test", "rules", "test.yaml"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _break(group: dict[str, Any], how: str) -> dict[str, Any]:
    rules = []
    for r in group["rules"]:
        r = dict(r)
        if how == "syntax" and r.get("record") == "slo:sli_error:ratio_rate1h":
            r["expr"] = r["expr"].replace("(", "((", 1)  # unbalanced parenthesis
        if how == "comparison" and r.get("alert") == "SLOBurnRateFast":
            r["expr"] = r["expr"].replace(" > (14.4", " < (14.4").replace(" > (6", " < (6")
        rules.append(r)
    return {**group, "rules": rules}


def test_a_broken_expression_fails_the_checks(tmp_path: Path) -> None:
    spec = SLOS["gateway-availability"]
    broken = write_rules(tmp_path / "syntax.yaml", [_break(slo_rule_group(spec), "syntax")])
    result = run_promtool(["check", "rules", str(broken)], tmp_path)
    assert result.returncode != 0 and "FAILED" in (result.stdout + result.stderr)

    # a valid but wrong expression: promtool check passes it, the unit tests catch it
    write_rules(tmp_path / "rules.yaml", [_break(slo_rule_group(spec), "comparison")])
    assert run_promtool(["check", "rules", "rules.yaml"], tmp_path).returncode == 0
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(
        unit_test_file("rules.yaml", _burn_tests("gateway-availability", spec)), sort_keys=False))
    result = run_promtool(["test", "rules", "test.yaml"], tmp_path)
    assert result.returncode != 0 and "FAILED" in result.stdout + result.stderr
