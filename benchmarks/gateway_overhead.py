"""Benchmark: what the LLM gateway adds to a request, with and without its guardrail.

Runs the real LiteLLM proxy (``litellm[proxy]``, the version the gateway's image runs) on
loopback with the ``config.yaml`` :class:`~pulumi_aiops.llm_gateway.LlmGateway` renders, in front
of a stub OpenAI-compatible server that answers after a fixed latency, and sends the same bounded
load three ways: straight to the stub, through the gateway, and through the gateway with the
prompt-injection guardrail taken out of the config. It prints p50 and p99 latency and the
requests per second sustained for each (a keep-alive connection per client thread).

Usage::

    .venv/bin/python benchmarks/gateway_overhead.py                       # 300 requests, 8 clients, 50 ms
    .venv/bin/python benchmarks/gateway_overhead.py --requests 1000 --concurrency 16 --latency-ms 20 --json

Everything listens on 127.0.0.1; nothing leaves the machine (the proxy's HTTP(S)_PROXY point at a
closed loopback port, and LiteLLM reads its bundled data: ``LITELLM_LOCAL_*``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "components"))
sys.path.insert(0, str(ROOT / "tests" / "gateway"))

from gateway_helpers import (  # noqa: E402
    ContractCluster,
    RenderedGateway,
    Stub,
    litellm_available,
    render_gateway,
    start_proxy,
    stop_proxy,
    wait_ready,
)

from pulumi_aiops.gateway.litellm_config import MASTER_KEY_ENV  # noqa: E402

PROMPT = "Summarise the history of the printing press in two sentences."


def load(port: int, path: str, body: dict[str, Any], headers: dict[str, str], requests: int,
         concurrency: int) -> dict[str, float]:
    """Send ``requests`` POSTs over ``concurrency`` keep-alive connections; latency percentiles (ms),
    requests per second, and errors."""
    payload = json.dumps(body).encode()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine: list[float] = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            t0 = time.perf_counter()
            conn.request("POST", path, body=payload, headers={"Content-Type": "application/json", **headers})
            resp = conn.getresponse()
            resp.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": q[49], "p99_ms": q[98], "rps": len(latencies) / wall, "requests": len(latencies),
            "errors": errors[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=300, help="requests per measurement (default: 300)")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads (default: 8)")
    ap.add_argument("--latency-ms", type=float, default=50.0, help="the stub's answer latency (default: 50)")
    ap.add_argument("--warmup", type=int, default=30, help="requests before each measurement (default: 30)")
    ap.add_argument("--json", action="store_true")
    ns = ap.parse_args()
    if not litellm_available():
        print("litellm[proxy] is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    stub = Stub("model", latency_s=ns.latency_ms / 1000).start()
    rendered: RenderedGateway = render_gateway(lambda: {
        "cluster": ContractCluster("cw"), "allowed_namespaces": ["apps"],
        "routes": [{"name": "chat", "provider": "model-server",
                    "server": {"endpoint": stub.base, "served_model_name": "model"}}]})
    key = rendered.env[MASTER_KEY_ENV]
    body = {"model": "chat", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 64}
    auth = {"Authorization": f"Bearer {key}"}
    results: dict[str, dict[str, float]] = {}
    root = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    try:
        load(stub.port, "/v1/chat/completions", {**body, "model": "model"}, {}, ns.warmup, ns.concurrency)
        results["direct to the stub"] = load(stub.port, "/v1/chat/completions", {**body, "model": "model"}, {},
                                             ns.requests, ns.concurrency)
        no_rail = rendered.config
        no_rail.pop("guardrails", None)
        import yaml

        for label, text in (("gateway, guardrail on", rendered.config_yaml),
                            ("gateway, no guardrail", yaml.safe_dump(no_rail))):
            proxy = start_proxy(rendered, root / label.replace(" ", "-").replace(",", ""), config_text=text,
                                metrics=False)
            try:
                wait_ready(proxy)
                load(proxy.port, "/v1/chat/completions", body, auth, ns.warmup, ns.concurrency)
                results[label] = load(proxy.port, "/v1/chat/completions", body, auth, ns.requests, ns.concurrency)
            finally:
                stop_proxy(proxy)
    finally:
        stub.stop()
    if ns.json:
        print(json.dumps({"requests": ns.requests, "concurrency": ns.concurrency, "stubLatencyMs": ns.latency_ms,
                          "results": results}, indent=2))
        return 0
    print(f"{ns.requests} requests, {ns.concurrency} clients, stub latency {ns.latency_ms:g} ms (loopback)")
    print(f"{'path':<24} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
    for label, r in results.items():
        print(f"{label:<24} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['rps']:8.1f} {int(r['errors']):7d}")
    direct = results["direct to the stub"]["p50_ms"]
    for label in ("gateway, guardrail on", "gateway, no guardrail"):
        print(f"{label}: +{results[label]['p50_ms'] - direct:.1f} ms at p50 over the stub")
    return 0


if __name__ == "__main__":
    sys.exit(main())
