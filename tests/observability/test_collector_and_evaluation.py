"""The collector config against the pinned collector's components (no collector binary can be had
here, so this is the check), and the evaluation contract's example exporter over real HTTP."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from pulumi_aiops.observability.evaluation import (
    DRIFT,
    FEEDBACK,
    LAST_RUN,
    QUALITY,
    EvaluationExporter,
    parse_exposition,
)
from pulumi_aiops.observability.metrics import EVALUATION
from pulumi_aiops.observability.otel import COMPONENTS, check_collector_config, collector_config


def _langfuse() -> dict[str, Any]:
    return collector_config("otlp_http/langfuse", {"endpoint": "http://langfuse-web:3000/api/public/otel"})


def test_the_shipped_pipeline_uses_only_components_of_the_pinned_contrib_distribution() -> None:
    config = _langfuse()
    assert check_collector_config(config) == []
    used = {(kind, cid.split("/")[0]) for kind in ("receivers", "processors", "exporters", "extensions")
            for cid in config[kind]}
    assert used <= set(COMPONENTS)
    assert all(v.endswith(" v0.158.0") for v in COMPONENTS.values())


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda c: c["exporters"].update({"otlphttp/old": {"endpoint": "http://x"}})
     or c["service"]["pipelines"]["traces"]["exporters"].append("otlphttp/old"),
     "exporters.otlphttp/old: type 'otlphttp' is deprecated in 0.158.0; use 'otlp_http'"),
    (lambda c: c["receivers"].update({"jaeger": {}}) or c["service"]["pipelines"]["traces"]["receivers"]
     .append("jaeger"), "receivers.jaeger: type 'jaeger' is not a component this library checked"),
    (lambda c: c["service"]["pipelines"]["traces"]["exporters"].append("otlp_http/missing"),
     "service.pipelines.traces.exporters: 'otlp_http/missing' is not defined under exporters"),
    (lambda c: c["exporters"].update({"debug": {}}), "exporters.debug: defined but in no pipeline"),
    (lambda c: c["service"].update({"extensions": ["health_check", "pprof"]}),
     "service.extensions: 'pprof' is not defined under extensions"),
])
def test_a_wrong_pipeline_is_caught(mutate: Any, problem: str) -> None:
    config = _langfuse()
    mutate(config)
    assert problem in "\n".join(check_collector_config(config))


def test_the_example_exporter_serves_the_contract_over_http() -> None:
    exporter = EvaluationExporter()
    exporter.set_drift("chat", 0.31, feature="prompt_length", method="psi")
    exporter.set_quality("chat", 0.87, metric="faithfulness")
    exporter.mark_run("chat", at=1_700_000_000)
    exporter.add_feedback("chat", "down", 2)
    exporter.add_feedback("chat", "down")
    server = exporter.serve("127.0.0.1", 0)
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            text = resp.read().decode()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    samples = {(n, tuple(sorted(lbl.items()))): v for n, lbl, v in parse_exposition(text)}
    assert samples[(DRIFT, (("feature", "prompt_length"), ("method", "psi"), ("model", "chat")))] == 0.31
    assert samples[(QUALITY, (("metric", "faithfulness"), ("model", "chat")))] == 0.87
    assert samples[(LAST_RUN, (("model", "chat"),))] == 1_700_000_000
    assert samples[(FEEDBACK, (("model", "chat"), ("verdict", "down")))] == 3
    assert {n for n, _ in samples} == {DRIFT, QUALITY, LAST_RUN, FEEDBACK} == set(EVALUATION)
    assert "# TYPE aiops_feedback_total counter" in text and "# TYPE aiops_model_drift_score gauge" in text


def test_the_exporter_refuses_what_the_contract_does_not_allow() -> None:
    e = EvaluationExporter()
    with pytest.raises(ValueError, match="outside 0-1"):
        e.set_quality("chat", 1.5, metric="accuracy")
    with pytest.raises(ValueError, match="'meh' is not 'up' or 'down'"):
        e.add_feedback("chat", "meh")
    e.set_drift('a "quoted"\nmodel', 0.1)
    ((_, labels, value),) = parse_exposition(e.render())
    assert labels["model"] == 'a "quoted"\nmodel' and value == 0.1
