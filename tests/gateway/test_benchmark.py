"""``benchmarks/gateway_overhead.py`` measures what it says: every request of the bounded load is
sent and timed, and none is faster than the stub's fixed latency."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from gateway_helpers import Stub

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gateway_overhead", ROOT / "benchmarks" / "gateway_overhead.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_load_sends_every_request_and_times_it() -> None:
    bench = _bench()
    stub = Stub("m", latency_s=0.02).start()
    try:
        r = bench.load(stub.port, "/v1/chat/completions", {"model": "m", "messages": []}, {}, requests=24,
                       concurrency=3)
    finally:
        stub.stop()
    assert r["requests"] == 24 and r["errors"] == 0 and len(stub.requests) == 24
    assert r["p50_ms"] >= 20 and r["p99_ms"] >= r["p50_ms"]
