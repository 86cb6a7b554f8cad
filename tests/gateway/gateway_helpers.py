"""Helpers of the gateway tests: a contract-only cluster, the rendered gateway (config.yaml and
the pod's environment exactly as the component records them), OpenAI-compatible stub servers,
and the real LiteLLM proxy on loopback.

Network: everything listens on 127.0.0.1 and every request loop is bounded. The proxy runs with
every ``LITELLM_LOCAL_*`` switch set (the Deployment sets them too), and with ``HTTP(S)_PROXY``
pointed at a closed loopback port, so an attempt to reach anything but loopback fails at once.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from pulumi_aiops.catalog import Cloud
from pulumi_aiops.contract import GpuCapacity, GpuCluster, gpu_toleration
from pulumi_aiops.testing import ResourceGraph, run_program, unwrap_secret

#: Where LiteLLM's console script lives (the venv's bin, beside this interpreter).
LITELLM = Path(sys.executable).parent / "litellm"
READY_TIMEOUT_S = 120
#: A loopback port nothing listens on: the proxy's HTTP(S)_PROXY, so no request leaves the machine.
_BLACKHOLE = "http://127.0.0.1:9"


def litellm_available() -> bool:
    """Whether ``litellm[proxy]`` is installed (without importing it: an import outside the proxy
    would fetch LiteLLM's model cost map unless the local switches are set)."""
    import importlib.util

    return importlib.util.find_spec("litellm") is not None and LITELLM.exists()


class ContractCluster(GpuCluster):
    """A GPU cluster that implements only the contract, with system nodes."""

    def __init__(self, name: str, cloud: Cloud = Cloud.COREWEAVE, system: bool = True) -> None:
        super().__init__("test:index:ContractCluster", name, {}, None)
        self.cloud = cloud
        self.cluster_name = name
        self.kubeconfig = pulumi.Output.secret("apiVersion: v1\nkind: Config\n")
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig,
                                     opts=pulumi.ResourceOptions(parent=self))
        self.gpu_node_selector = {"nvidia.com/gpu.present": "true"}
        self.gpu_tolerations = [gpu_toleration()]
        # One CoreWeave L40S pool, so a ModelServer can be placed on the cluster.
        self.gpu_capacity = [GpuCapacity(cluster=name, cloud=Cloud.COREWEAVE, pool="l40s",
                                         instance_type="gd-8xl40s-i128", gpu_model="L40S", gpus_per_node=8,
                                         min_nodes=0, max_nodes=1)]
        self.system_node_selector = {"pulumi-aiops/system": "true"} if system else {}
        self._register_contract_outputs()


# -- the rendered gateway ------------------------------------------------------------------------
@dataclass
class RenderedGateway:
    """What the component recorded: the ``config.yaml`` text, the container's args and env (secret
    references resolved from the recorded Secret), and the whole graph."""

    config_yaml: str
    args: list[str]
    env: dict[str, str]
    graph: ResourceGraph

    @property
    def config(self) -> dict[str, Any]:
        return yaml.safe_load(self.config_yaml)


def render_gateway(args_fn: Callable[[], dict[str, Any]], name: str = "gw") -> RenderedGateway:
    """Build :class:`LlmGateway` under mocks with the args ``args_fn()`` returns (called inside the
    program, so it may create outputs), and read back what it recorded."""
    from pulumi_aiops.llm_gateway import LlmGateway

    def program() -> None:
        LlmGateway(name, args_fn())

    graph = run_program(program, {"aws:region": "us-east-1"})
    return rendered_from(graph, name)


def rendered_from(graph: ResourceGraph, name: str = "gw") -> RenderedGateway:
    cm = graph.named(f"{name}-config", "kubernetes:core/v1:ConfigMap")
    secret = unwrap_secret(graph.named(f"{name}-secrets", "kubernetes:core/v1:Secret").inputs["stringData"])
    dep = unwrap_secret(graph.named(f"{name}-deployment", "kubernetes:apps/v1:Deployment").inputs)
    container = dep["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, str] = {}
    for e in container["env"]:
        if "value" in e:
            env[e["name"]] = str(e["value"])
        else:
            ref = e["valueFrom"]["secretKeyRef"]
            env[e["name"]] = str(secret[ref["key"]])
    return RenderedGateway(config_yaml=unwrap_secret(cm.inputs["data"])["config.yaml"],
                           args=[str(a) for a in container["args"]], env=env, graph=graph)


# -- stub OpenAI-compatible servers ----------------------------------------------------------------
@dataclass
class Stub:
    """An OpenAI-compatible chat server on loopback.

    ``mode``: ``ok`` answers ``from <name>``; ``500`` answers HTTP 500; ``echo`` answers with the
    request's messages (a model that does whatever a prompt says: the worst case for a guardrail).
    ``required_key``: answer 401 unless ``Authorization: Bearer <key>``. ``latency_s``: sleep before
    answering."""

    name: str
    mode: str = "ok"
    required_key: str | None = None
    latency_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> Stub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without TCP_NODELAY, Nagle's algorithm and
            # the client's delayed ACK add ~40 ms to every keep-alive answer.
            disable_nagle_algorithm = True

            def log_message(self, *a: Any) -> None:
                pass

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": stub.name, "object": "model"}]})

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                stub.requests.append({"path": self.path, "auth": self.headers.get("authorization"), "body": body})
                if stub.latency_s:
                    time.sleep(stub.latency_s)
                if stub.required_key is not None and self.headers.get("authorization") != f"Bearer {stub.required_key}":
                    self._send(401, {"error": {"message": "bad key", "type": "invalid_request_error"}})
                    return
                if stub.mode == "500":
                    self._send(500, {"error": {"message": "primary is broken", "type": "server_error"}})
                    return
                content = f"from {stub.name}"
                if stub.mode == "echo":
                    content = "\n".join(_text(m.get("content")) for m in body.get("messages", []))
                self._send(200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def prompts(self) -> list[str]:
        return [m.get("content", "") for r in self.requests for m in r["body"].get("messages", [])]


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


class OtlpSink:
    """An OTLP/HTTP traces receiver on loopback; keeps every span's name and attributes."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

                n = int(self.headers.get("content-length") or 0)
                req = ExportTraceServiceRequest()
                req.ParseFromString(self.rfile.read(n))
                for rs in req.resource_spans:
                    for ss in rs.scope_spans:
                        for sp in ss.spans:
                            attrs = {a.key: _any_value(a.value) for a in sp.attributes}
                            sink.spans.append({"name": sp.name, "attributes": attrs})
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _any_value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (a backend that is down)."""
    return free_port()


# -- the real proxy -------------------------------------------------------------------------------
@dataclass
class Proxy:
    """A running ``litellm`` proxy on loopback."""

    port: int
    metrics_port: int | None
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, n: int = 60) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


def proxy_command(rendered: RenderedGateway, config_path: Path, port: int, metrics_port: int | None) -> list[str]:
    """The Deployment's container args, on loopback ports and the local config path."""
    args = list(rendered.args)
    out: list[str] = [str(LITELLM)]
    i = 0
    while i < len(args):
        flag = args[i]
        value = args[i + 1] if i + 1 < len(args) else ""
        if flag == "--config":
            out += [flag, str(config_path)]
        elif flag == "--host":
            out += [flag, "127.0.0.1"]
        elif flag == "--port":
            out += [flag, str(port)]
        elif flag == "--prometheus_metrics_port":
            if metrics_port is not None:
                out += [flag, str(metrics_port)]
        else:
            out += [flag, value]
        i += 2
    return out


def proxy_env(rendered: RenderedGateway, workdir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The pod's environment (secrets resolved) with ``/tmp`` paths moved under ``workdir``, plus
    the loopback-only network settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LITELLM_", "OTEL_", "AIOPS_", "DATABASE_", "PROMETHEUS_"))}
    for k, v in rendered.env.items():
        env[k] = str(workdir) + v[len("/tmp"):] if v.startswith("/tmp") else v
    env.update({"HTTP_PROXY": _BLACKHOLE, "HTTPS_PROXY": _BLACKHOLE, "http_proxy": _BLACKHOLE,
                "https_proxy": _BLACKHOLE, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "TMPDIR": str(workdir), "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra or {})
    return env


@contextmanager
def running_proxy(rendered: RenderedGateway, workdir: Path, *, config_text: str | None = None,
                  extra_env: Mapping[str, str] | None = None, files: Mapping[str, str] | None = None,
                  metrics: bool = True) -> Iterator[Proxy]:
    """Start the proxy on ``rendered``'s config (or ``config_text``); stop it afterwards."""
    proxy = start_proxy(rendered, workdir, config_text=config_text, extra_env=extra_env, files=files,
                        metrics=metrics)
    try:
        wait_ready(proxy)
        yield proxy
    finally:
        stop_proxy(proxy)


def start_proxy(rendered: RenderedGateway, workdir: Path, *, config_text: str | None = None,
                extra_env: Mapping[str, str] | None = None, files: Mapping[str, str] | None = None,
                metrics: bool = True) -> Proxy:
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.yaml"
    config_path.write_text(config_text if config_text is not None else rendered.config_yaml)
    for rel, text in (files or {}).items():
        (workdir / rel).write_text(text)
    port = free_port()
    metrics_port = free_port() if metrics else None
    log = workdir / "proxy.log"
    cmd = proxy_command(rendered, config_path, port, metrics_port)
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=workdir, env=proxy_env(rendered, workdir, extra_env), stdout=out,
                                   stderr=subprocess.STDOUT)
    return Proxy(port=port, metrics_port=metrics_port, process=process, log=log)


def wait_ready(proxy: Proxy, timeout_s: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise RuntimeError(f"litellm exited with {proxy.process.returncode}:\n{proxy.log_tail()}")
        try:
            with urllib.request.urlopen(f"{proxy.base}/health/liveliness", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"litellm not ready after {timeout_s} s:\n{proxy.log_tail()}")


def stop_proxy(proxy: Proxy) -> None:
    if proxy.process.poll() is None:
        proxy.process.terminate()
        try:
            proxy.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proxy.process.kill()
            proxy.process.wait(timeout=15)


# -- requests -------------------------------------------------------------------------------------
def post(url: str, body: Mapping[str, Any], key: str | None = None, timeout: float = 60) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        text = exc.read()
        try:
            return exc.code, json.loads(text or b"null")
        except ValueError:
            return exc.code, text.decode(errors="replace")


def get(url: str, key: str | None = None, timeout: float = 30) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def chat(proxy: Proxy, model: str, content: str, key: str | None) -> tuple[int, Any]:
    return post(f"{proxy.base}/v1/chat/completions",
                {"model": model, "messages": [{"role": "user", "content": content}]}, key=key)


def answer(body: Any) -> str:
    return str(body["choices"][0]["message"]["content"])


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
