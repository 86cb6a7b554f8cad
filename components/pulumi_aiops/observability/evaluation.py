"""The evaluation contract: what a drift or quality job must export for its SLOs to work.

An evaluation job (a CronJob scoring a model against a reference set, an online drift monitor,
or the application itself) serves these series in the Prometheus text format on ``/metrics``,
from a Service labelled ``aiops.io/evaluation: "true"`` with a port named ``metrics`` (the
observability stack scrapes every such Service):

``aiops_model_drift_score{model, feature, method}`` (gauge)
    How far the model's inputs or outputs have drifted from the reference, higher is worse:
    for example the population stability index or Jensen-Shannon distance of ``feature``
    (``feature="_all"`` for a whole-model score) computed by ``method`` (``psi``, ``js``, ``ks``,
    …). ``model`` is the served model name (a ModelServer's ``name``, the gateway's model alias).
    A drift SLO (:func:`~pulumi_aiops.observability.defaults.drift_slo`) counts each minute in
    which a model's highest score is above its threshold as bad.
``aiops_model_quality_score{model, metric}`` (gauge, 0–1, higher is better)
    An offline or online evaluation result (``metric``: ``accuracy``, ``faithfulness``, …);
    :func:`~pulumi_aiops.observability.defaults.quality_slo` counts minutes below a threshold.
``aiops_evaluation_last_run_timestamp_seconds{model}`` (gauge, Unix seconds)
    When the last evaluation of ``model`` finished; ``ModelEvaluationStale`` fires when it is
    older than two hours, so a dead job does not read as a healthy model.
``aiops_feedback_total{model, verdict}`` (counter, ``verdict`` = ``up`` or ``down``)
    User feedback from the application; :func:`~pulumi_aiops.observability.defaults.feedback_slo`.

Label values are free text but must not carry user data (prompts, ids): they become series.
A gauge keeps its last value between runs; a job that evaluates every N minutes therefore holds
a model "in drift" for N minutes per bad run, which is what the SLO counts.

:class:`EvaluationExporter` is a dependency-free example exporter (the tests scrape it with a real
Prometheus)::

    from pulumi_aiops.observability.evaluation import EvaluationExporter

    exporter = EvaluationExporter()
    exporter.set_drift("chat", 0.31, feature="prompt_length", method="psi")
    exporter.set_quality("chat", 0.87, metric="faithfulness")
    exporter.mark_run("chat")
    server = exporter.serve("0.0.0.0", 9108)   # a thread; server.shutdown() stops it
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "DRIFT",
    "FEEDBACK",
    "LAST_RUN",
    "QUALITY",
    "EvaluationExporter",
    "parse_exposition",
]

DRIFT = "aiops_model_drift_score"
QUALITY = "aiops_model_quality_score"
LAST_RUN = "aiops_evaluation_last_run_timestamp_seconds"
FEEDBACK = "aiops_feedback_total"

_HELP = {
    DRIFT: ("gauge", "Drift of a model's inputs or outputs from the reference (higher is worse)."),
    QUALITY: ("gauge", "Evaluation score of a model, 0-1 (higher is better)."),
    LAST_RUN: ("gauge", "Unix time the last evaluation of a model finished."),
    FEEDBACK: ("counter", "User feedback on a model's answers, by verdict (up or down)."),
}
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


class EvaluationExporter:
    """Holds the contract's series and serves them; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[str, dict[tuple[tuple[str, str], ...], float]] = {name: {} for name in _HELP}

    def _set(self, name: str, labels: Mapping[str, str], value: float, *, add: bool = False) -> None:
        for k in labels:
            if not _LABEL_NAME.match(k):
                raise ValueError(f"{k!r} is not a Prometheus label name")
        key = tuple(sorted((k, str(v)) for k, v in labels.items()))
        with self._lock:
            series = self._series[name]
            series[key] = series.get(key, 0.0) + value if add else float(value)

    def set_drift(self, model: str, score: float, *, feature: str = "_all", method: str = "psi") -> None:
        """Set ``aiops_model_drift_score`` for ``model`` (and ``feature``, ``method``)."""
        self._set(DRIFT, {"model": model, "feature": feature, "method": method}, score)

    def set_quality(self, model: str, score: float, *, metric: str) -> None:
        """Set ``aiops_model_quality_score``; ``score`` must lie in 0–1."""
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"quality score {score} is outside 0-1")
        self._set(QUALITY, {"model": model, "metric": metric}, score)

    def mark_run(self, model: str, at: float | None = None) -> None:
        """Record that an evaluation of ``model`` finished (now, or at ``at``)."""
        self._set(LAST_RUN, {"model": model}, time.time() if at is None else at)

    def add_feedback(self, model: str, verdict: str, count: int = 1) -> None:
        """Count user feedback (``verdict`` = ``up`` or ``down``)."""
        if verdict not in ("up", "down"):
            raise ValueError(f"verdict {verdict!r} is not 'up' or 'down'")
        self._set(FEEDBACK, {"model": model, "verdict": verdict}, float(count), add=True)

    def render(self) -> str:
        """The Prometheus text exposition (format 0.0.4)."""
        lines: list[str] = []
        with self._lock:
            snapshot = {n: dict(s) for n, s in self._series.items()}
        for name, series in snapshot.items():
            if not series:
                continue
            kind, help_text = _HELP[name]
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            for key, value in sorted(series.items()):
                labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key)
                lines.append(f"{name}{{{labels}}} {_fmt(value)}")
        return "\n".join(lines) + "\n"

    def serve(self, host: str = "127.0.0.1", port: int = 9108) -> ThreadingHTTPServer:
        """Serve ``/metrics`` from a daemon thread; returns the server (``server_address`` has the
        bound port when ``port`` is 0; ``shutdown()`` stops it)."""
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404)
                    return
                body = exporter.render().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=server.serve_forever, name="evaluation-exporter", daemon=True).start()
        return server


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text: str) -> list[tuple[str, dict[str, str], float]]:
    """``(name, labels, value)`` of each sample of a text exposition (comments skipped)."""
    out: list[tuple[str, dict[str, str], float]] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m is None:
            raise ValueError(f"not a sample line: {line!r}")
        labels = {k: v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                  for k, v in _PAIR.findall(m.group(2) or "")}
        out.append((m.group(1), labels, float(m.group(3))))
    return out
