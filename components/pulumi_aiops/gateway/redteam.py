"""``aiops redteam``: NVIDIA's garak against a gateway endpoint, and a verdict garak does not give.

garak (``pip install 'pulumi-aiops[redteam]'``, best in a venv of its own: it brings torch and
transformers) sends a curated set of attack probes through an OpenAI-compatible endpoint
(``openai.OpenAICompatible``), and writes ``<prefix>.report.jsonl``. Its exit code is 0 even when
attacks succeed, so this module reads the report's ``eval`` entries and prints, per probe:

* the **attack success rate**: outputs a detector flagged, over the outputs garak processed (an
  attempt the gateway refused, HTTP 400 from the guardrail, has no output and counts as a failed
  attack);
* the **blocked** share: outputs that never came back (refused by the gateway).

With ``--max-asr`` it exits 1 when any probe's rate is above it. The default probes work offline
(no Hugging Face model or NLTK data): ``promptinject``, ``dan.Dan_11_0``, ``encoding.InjectBase64``,
``latentinjection.LatentInjectionReport``, ``web_injection.MarkdownImageExfil``.

Example (a real gateway; the key comes from an environment variable, never the command line)::

    export GATEWAY_KEY=sk-…
    aiops redteam --endpoint https://llm.example.com/v1 --model chat --api-key-env GATEWAY_KEY --max-asr 0.05
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_PROBES", "ProbeResult", "add_arguments", "garak_config", "parse_report", "run", "summarise"]

#: The probes that run offline against any OpenAI-compatible endpoint (garak 0.17.1).
DEFAULT_PROBES: tuple[str, ...] = (
    "promptinject",
    "dan.Dan_11_0",
    "encoding.InjectBase64",
    "latentinjection.LatentInjectionReport",
    "web_injection.MarkdownImageExfil",
)
#: Exit codes: 0 every probe at or under the threshold; 1 a probe above it; 2 bad arguments or
#: report; 3 garak did not run.
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_GARAK = 0, 1, 2, 3


@dataclass(frozen=True)
class ProbeResult:
    """One probe's outcome, over its detectors (the worst detector counts)."""

    probe: str
    processed: int
    failed: int
    blocked: int
    detectors: tuple[str, ...]

    @property
    def asr(self) -> float | None:
        """Attack success rate: outputs a detector flagged / outputs processed (``None`` if none)."""
        return self.failed / self.processed if self.processed else None

    @property
    def blocked_rate(self) -> float | None:
        return self.blocked / self.processed if self.processed else None


def garak_config(endpoint: str, model: str, *, api_key: str, report_dir: Path, prefix: str,
                 generations: int = 1, parallel_attempts: int = 4, seed: int = 2024) -> dict[str, Any]:
    """garak's YAML config for an OpenAI-compatible gateway."""
    uri = endpoint if endpoint.endswith("/") else endpoint + "/"
    return {
        "system": {"parallel_attempts": parallel_attempts, "lite": True, "narrow_output": True},
        "run": {"generations": generations, "seed": seed},
        "plugins": {
            "target_type": "openai.OpenAICompatible",
            "target_name": model,
            "generators": {"openai": {"OpenAICompatible": {
                "uri": uri, "api_key": api_key, "model": model, "max_tokens": 256,
                # The gateway is not a rate-limited SaaS: do not back off on its refusals.
                "retry_json": False}}},
        },
        "reporting": {"report_dir": str(report_dir), "report_prefix": prefix},
    }


def parse_report(path: Path) -> list[ProbeResult]:
    """Per-probe results from garak's ``report.jsonl`` (its ``eval`` entries)."""
    by_probe: dict[str, list[dict[str, Any]]] = {}
    with path.open() as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            if entry.get("entry_type") == "eval":
                by_probe.setdefault(str(entry["probe"]), []).append(entry)
    out: list[ProbeResult] = []
    for probe, evals in sorted(by_probe.items()):
        worst = max(evals, key=lambda e: (_fails(e) / max(_processed(e), 1), _fails(e)))
        out.append(ProbeResult(probe=probe, processed=_processed(worst), failed=_fails(worst),
                               blocked=int(worst.get("nones") or 0),
                               detectors=tuple(sorted(str(e["detector"]) for e in evals))))
    return out


def _processed(e: dict[str, Any]) -> int:
    if "total_processed" in e:
        return int(e["total_processed"])
    return int(e.get("total", 0))  # older garak: total, passed


def _fails(e: dict[str, Any]) -> int:
    if "fails" in e:
        return int(e["fails"])
    return int(e.get("total", 0)) - int(e.get("passed", 0))


def summarise(results: Sequence[ProbeResult], max_asr: float | None) -> tuple[str, bool]:
    """A table of the results, and whether every probe is at or under ``max_asr``."""
    rows = [("PROBE", "ATTACK SUCCESS", "BLOCKED", "OUTPUTS", "")]
    ok = True
    for r in results:
        asr = r.asr
        over = max_asr is not None and asr is not None and asr > max_asr
        ok = ok and not over
        rows.append((r.probe, "n/a" if asr is None else f"{asr:6.1%}",
                     "n/a" if r.blocked_rate is None else f"{r.blocked_rate:6.1%}", str(r.processed),
                     "ABOVE THRESHOLD" if over else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    if max_asr is not None:
        lines.append(f"threshold: attack success rate at most {max_asr:.1%} per probe: {'pass' if ok else 'FAIL'}")
    return "\n".join(lines), ok


def _garak_command(garak: str | None) -> list[str]:
    if garak:
        return shlex.split(garak)
    exe = shutil.which("garak")
    return [exe] if exe else [sys.executable, "-m", "garak"]


def run(endpoint: str, model: str, *, api_key: str, probes: Iterable[str] = DEFAULT_PROBES,
        report_dir: Path | None = None, generations: int = 1, garak: str | None = None,
        env: dict[str, str] | None = None, timeout_s: float = 3600, parallel_attempts: int = 4) -> Path:
    """Run garak; return the path of its ``report.jsonl``. Raises :class:`RuntimeError` when garak
    fails or writes no report."""
    report_dir = Path(report_dir or tempfile.mkdtemp(prefix="aiops-redteam-"))
    report_dir.mkdir(parents=True, exist_ok=True)
    prefix = "aiops-redteam"
    cfg_path = report_dir / "garak.yaml"
    cfg = garak_config(endpoint, model, api_key=api_key, report_dir=report_dir, prefix=prefix,
                       generations=generations, parallel_attempts=parallel_attempts)
    cfg_path.write_text(yaml.safe_dump(cfg))
    os.chmod(cfg_path, 0o600)  # it holds the key
    spec = ",".join(p if p.startswith("probes.") else f"probes.{p}" for p in probes)
    cmd = [*_garak_command(garak), "--config", str(cfg_path), "--spec", spec]
    run_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    done = subprocess.run(cmd, env=run_env, cwd=report_dir, capture_output=True, text=True, timeout=timeout_s)
    (report_dir / "garak.log").write_text(done.stdout + "\n" + done.stderr)
    reports = sorted(report_dir.rglob(f"{prefix}*.report.jsonl"))
    if done.returncode != 0 or not reports:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise RuntimeError(f"garak exited with {done.returncode} and {len(reports)} report(s):\n{tail}")
    return reports[-1]


# -- the CLI --------------------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", help="the gateway's OpenAI-compatible base URL, e.g. https://llm.example.com/v1")
    p.add_argument("--model", help="the route (model name) to attack, e.g. chat")
    p.add_argument("--api-key-env", metavar="VAR", default="GATEWAY_API_KEY",
                   help="environment variable holding the gateway key (default: GATEWAY_API_KEY)")
    p.add_argument("--probe", action="append", metavar="NAME",
                   help=f"garak probe (repeatable; default: {', '.join(DEFAULT_PROBES)})")
    p.add_argument("--generations", type=int, default=1, help="outputs per prompt (default: 1)")
    p.add_argument("--max-asr", type=float, default=None, metavar="RATE",
                   help="fail (exit 1) when a probe's attack success rate is above RATE (0..1), e.g. 0.05")
    p.add_argument("--report-dir", type=Path, help="where garak writes its reports (default: a temp dir)")
    p.add_argument("--report", type=Path, help="read an existing garak report.jsonl instead of running garak")
    p.add_argument("--garak", help="the garak command (default: `garak` on PATH, else `python -m garak`), e.g. "
                                   "'/opt/garak/bin/python -m garak'")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def main(ns: argparse.Namespace) -> int:
    if ns.max_asr is not None and not 0 <= ns.max_asr <= 1:
        print("error: --max-asr is a rate between 0 and 1", file=sys.stderr)
        return EXIT_USAGE
    if ns.report is not None:
        report = Path(ns.report)
        if not report.is_file():
            print(f"error: --report {report}: no such file", file=sys.stderr)
            return EXIT_USAGE
    else:
        if not ns.endpoint or not ns.model:
            print("error: --endpoint and --model are required (or --report)", file=sys.stderr)
            return EXIT_USAGE
        key = os.environ.get(ns.api_key_env)
        if not key:
            print(f"error: the environment variable {ns.api_key_env} (--api-key-env) holds no key", file=sys.stderr)
            return EXIT_USAGE
        try:
            report = run(ns.endpoint, ns.model, api_key=key, probes=ns.probe or DEFAULT_PROBES,
                         report_dir=ns.report_dir, generations=ns.generations, garak=ns.garak)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            print(f"error: garak did not run: {exc}\n(install it with `pip install 'pulumi-aiops[redteam]'`, or "
                  "point --garak at its interpreter)", file=sys.stderr)
            return EXIT_GARAK
    try:
        results = parse_report(report)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {report} is not a garak report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not results:
        print(f"error: {report} has no eval entries (did every probe fail to load?)", file=sys.stderr)
        return EXIT_USAGE
    table, ok = summarise(results, ns.max_asr)
    if ns.json:
        print(json.dumps({"report": str(report), "maxAsr": ns.max_asr, "pass": ok, "probes": [
            {"probe": r.probe, "attackSuccessRate": r.asr, "blockedRate": r.blocked_rate, "outputs": r.processed,
             "failed": r.failed, "blocked": r.blocked, "detectors": list(r.detectors)} for r in results]}, indent=2))
    else:
        print(f"garak report: {report}")
        print(table)
    return EXIT_OK if ok else EXIT_FAIL
