"""The rendered config speaks the installed LiteLLM's language, a Bedrock route's request carries
the guardrail on the wire, and the teams reconciler is idempotent against an admin API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from gateway_helpers import ContractCluster, litellm_available, render_gateway

from pulumi_aiops.config.gateway import CONTENT_FILTER_CATEGORIES, RoutingStrategy
from pulumi_aiops.gateway import reconcile_teams

needs_litellm = pytest.mark.skipif(not litellm_available(), reason="litellm[proxy] is not installed")

BEDROCK_REF = {"models": ["amazon.nova-micro-v1:0", "amazon.titan-embed-text-v2:0"],
               "guardrail_arn": "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
               "guardrail_version": "3", "invoke_policy_arn": "arn:aws:iam::123456789012:policy/invoke"}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    rendered = render_gateway(lambda: {
        "cluster": ContractCluster("cw"), "bedrock": BEDROCK_REF, "allowed_namespaces": ["apps"],
        "irsa": {"oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/o.example/x",
                 "oidc_issuer_url": "https://o.example/x"},
        "routes": [
            {"name": "nova", "provider": "bedrock", "model": "amazon.nova-micro-v1:0", "rpm": 10, "tpm": 1000,
             "timeout_seconds": 30},
            {"name": "embed", "provider": "bedrock", "model": "amazon.titan-embed-text-v2:0"},
            {"name": "chat", "provider": "model-server",
             "server": {"endpoint": "http://chat.models.svc:8000/v1", "served_model_name": "chat"}},
        ],
        "router": {"routing_strategy": "latency-based-routing", "fallbacks": {"chat": ["nova"]},
                   "context_window_fallbacks": {"chat": ["nova"]}, "content_policy_fallbacks": {"nova": ["chat"]}},
        "guardrails": {"prompt_injection": {"categories": [c.value for c in CONTENT_FILTER_CATEGORIES],
                                            "blocked_phrases": ["open the pod bay doors"]}},
        "telemetry": {"otlp_endpoint": "https://otlp.example.com/v1/traces"},
    })
    return rendered.config


@needs_litellm
def test_every_key_is_one_litellm_reads(config: dict[str, Any]) -> None:
    import litellm
    from litellm.types.guardrails import LitellmParams
    from litellm.types.proxy.guardrails.guardrail_hooks.litellm_content_filter import ContentFilterCategoryConfig

    assert set(config["router_settings"]) <= set(litellm.Router.get_valid_args())
    for key in config["litellm_settings"]:
        assert hasattr(litellm, key), key
    for rail in config["guardrails"]:
        params = rail["litellm_params"]
        assert set(params) <= set(LitellmParams.model_fields), set(params) - set(LitellmParams.model_fields)
        for c in params["categories"]:
            ContentFilterCategoryConfig(**c)
    for m in config["model_list"]:
        # every deployment parameter is a litellm_params field LiteLLM's router knows
        from litellm.types.router import GenericLiteLLMParams

        known = set(GenericLiteLLMParams.model_fields) | {"model", "guardrailConfig"}
        assert set(m["litellm_params"]) <= known, set(m["litellm_params"]) - known


@needs_litellm
def test_the_tests_run_the_release_the_image_runs() -> None:
    from importlib.metadata import version

    from pulumi_aiops import images
    from pulumi_aiops.config.gateway import LITELLM_IMAGE, LITELLM_VERSION

    assert version("litellm") == LITELLM_VERSION != "1.107.0"
    assert images.LITELLM_DATABASE.tag == f"v{LITELLM_VERSION}" and LITELLM_IMAGE.startswith(
        "ghcr.io/berriai/litellm-database:")


@needs_litellm
def test_enums_match_litellm() -> None:
    import typing

    from litellm.types.litellm_params import RoutingStrategyName

    assert {s.value for s in RoutingStrategy} <= set(typing.get_args(RoutingStrategyName))
    data = resources.files("litellm") / "proxy" / "guardrails" / "content_filter_data" / "categories"
    for c in CONTENT_FILTER_CATEGORIES:
        assert (data / f"{c.value}.yaml").is_file(), c


def test_bedrock_routes(config: dict[str, Any]) -> None:
    by_name = {m["model_name"]: m["litellm_params"] for m in config["model_list"]}
    assert by_name["nova"] == {
        "model": "bedrock/converse/amazon.nova-micro-v1:0", "aws_region_name": "us-east-1",
        "guardrailConfig": {"guardrailIdentifier": BEDROCK_REF["guardrail_arn"], "guardrailVersion": "3",
                            "trace": "disabled"},
        "rpm": 10, "tpm": 1000, "timeout": 30}
    # Guardrails do not apply to embeddings; the invoke policy allows those without one.
    assert by_name["embed"] == {"model": "bedrock/amazon.titan-embed-text-v2:0", "aws_region_name": "us-east-1"}


class _Capture(ThreadingHTTPServer):
    def __init__(self, answer: dict[str, Any]) -> None:
        self.seen: list[dict[str, Any]] = []
        server = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                server.seen.append({"path": self.path, "body": json.loads(self.rfile.read(n) or b"{}")})
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(("127.0.0.1", 0), H)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@needs_litellm
@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic on LiteLLM's ReadOnly TypedDicts, at import
def test_a_bedrock_call_carries_the_guardrail_on_the_wire(config: dict[str, Any]) -> None:
    """LiteLLM turns the route's ``guardrailConfig`` into the Converse request's ``guardrailConfig``
    (what ``bedrock:GuardrailIdentifier`` is evaluated on); the endpoint is a loopback stub."""
    import litellm

    stub = _Capture({"output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
                     "stopReason": "end_turn", "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
                     "metrics": {"latencyMs": 1}})
    try:
        params = dict(next(m for m in config["model_list"] if m["model_name"] == "nova")["litellm_params"])
        for k in ("rpm", "tpm"):
            params.pop(k)
        resp = litellm.completion(messages=[{"role": "user", "content": "hello"}],
                                  api_base=f"http://127.0.0.1:{stub.server_address[1]}",
                                  aws_access_key_id="AKIAEXAMPLEEXAMPLE12", aws_secret_access_key="not-a-secret",
                                  **params)
        assert resp.choices[0].message.content == "hi"
        (call,) = stub.seen
        assert call["path"] == "/model/amazon.nova-micro-v1%3A0/converse"
        assert call["body"]["guardrailConfig"] == {"guardrailIdentifier": BEDROCK_REF["guardrail_arn"],
                                                   "guardrailVersion": "3", "trace": "disabled"}
    finally:
        stub.shutdown()
        stub.server_close()


# -- the teams reconciler ---------------------------------------------------------------------------
class FakeAdmin(ThreadingHTTPServer):
    """LiteLLM's team endpoints, as far as the reconciler uses them."""

    def __init__(self, key: str) -> None:
        self.teams: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        admin = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _send(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("authorization") != f"Bearer {key}":
                    self._send(401, {"error": "no"})
                    return False
                return True

            def do_GET(self) -> None:
                if self.path.startswith("/health/readiness"):
                    self._send(200, {"status": "healthy"})
                    return
                if not self._authorised():
                    return
                admin.calls.append("info")
                tid = self.path.split("team_id=", 1)[1]
                if tid not in admin.teams:
                    self._send(404, {"detail": {"message": f"Team not found, passed team id: {tid}."}})
                else:
                    self._send(200, {"team_id": tid, "team_info": admin.teams[tid]})

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                admin.calls.append(self.path.rsplit("/", 1)[1])
                if self.path == "/team/new":
                    admin.teams[body["team_id"]] = {**body, "spend": 0.0}
                else:
                    admin.teams[body["team_id"]].update(body)
                self._send(200, admin.teams[body["team_id"]])

        super().__init__(("127.0.0.1", 0), H)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def admin() -> Iterator[FakeAdmin]:
    a = FakeAdmin("sk-master")
    yield a
    a.shutdown()
    a.server_close()


TEAMS = [{"team_id": "search", "team_alias": "search", "max_budget": 500, "budget_duration": "30d",
          "rpm_limit": 600, "models": ["chat", "nova"]},
         {"team_id": "research", "team_alias": "research", "models": []}]


def test_reconcile_creates_then_changes_nothing_then_updates_only_what_changed(admin: FakeAdmin) -> None:
    assert reconcile_teams.reconcile(admin.url, "sk-master", TEAMS) == ["created search", "created research"]
    assert reconcile_teams.reconcile(admin.url, "sk-master", TEAMS) == ["unchanged search", "unchanged research"]
    assert admin.calls.count("new") == 2 and "update" not in admin.calls
    changed = [{**TEAMS[0], "max_budget": 750.0, "models": ["nova", "chat"]}, TEAMS[1]]
    assert reconcile_teams.reconcile(admin.url, "sk-master", changed) == ["updated search: max_budget",
                                                                           "unchanged research"]
    assert admin.teams["search"]["max_budget"] == 750.0


def test_reconcile_fails_loudly_on_api_errors(admin: FakeAdmin) -> None:
    with pytest.raises(RuntimeError, match="HTTP 401"):
        reconcile_teams.reconcile(admin.url, "sk-wrong", TEAMS)


def test_the_job_entrypoint(admin: FakeAdmin, tmp_path: Path) -> None:
    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps(TEAMS))
    script = Path(reconcile_teams.__file__)
    env = {**os.environ, "GATEWAY_URL": admin.url, "AIOPS_GATEWAY_MASTER_KEY": "sk-master", "TEAMS_FILE": str(teams),
           "READY_ATTEMPTS": "3"}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["created search", "created research"]
    env["AIOPS_GATEWAY_MASTER_KEY"] = "sk-wrong"
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "HTTP 401" in done.stderr
