"""The AOSS index dynamic provider against a loopback HTTP server (no network, no AWS)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.credentials import Credentials

from pulumi_aiops.vector_stores import aoss_index
from pulumi_aiops.vector_stores.aoss_index import AossIndexProvider, AossRequestError, AossUnreachableError


class FakeCollection:
    """Records requests; answers from a script of (status, body) per request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append({"method": self.command, "path": self.path,
                                      "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status, payload = fake.script.pop(0) if fake.script else (200, {"acknowledged": True})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_PUT = do_DELETE = do_GET = _answer

            def do_HEAD(self) -> None:
                fake.requests.append({"method": "HEAD", "path": self.path})
                status = fake.script.pop(0)[0] if fake.script else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCollection:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def collection(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCollection]:
    monkeypatch.setattr(aoss_index, "RETRY_DELAYS", (0, 0, 0))
    with FakeCollection() as fake:
        yield fake


def _props(endpoint: str, **more: Any) -> dict[str, Any]:
    return {"endpoint": endpoint, "region": "us-east-1", "index_name": "bedrock-kb-index",
            "dimensions": 1024, **aoss_index.DEFAULT_FIELDS, "space_type": "l2", **more}


PROVIDER = AossIndexProvider(credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG"))


def test_create_puts_a_faiss_mapping_signed_for_aoss(collection: FakeCollection) -> None:
    result = PROVIDER.create(_props(collection.endpoint))
    [req] = collection.requests
    assert req["method"] == "PUT" and req["path"] == "/bedrock-kb-index"
    auth = req["headers"]["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/aoss/aws4_request" in auth
    assert "x-amz-content-sha256" in auth  # the header is signed, as AOSS requires
    assert req["headers"]["x-amz-content-sha256"] == hashlib.sha256(req["body"]).hexdigest()
    body = json.loads(req["body"])
    assert body["settings"]["index"]["knn"] is True
    vec = body["mappings"]["properties"]["bedrock-knowledge-base-default-vector"]
    assert vec["type"] == "knn_vector" and vec["dimension"] == 1024
    assert vec["method"]["engine"] == "faiss" and vec["method"]["name"] == "hnsw"
    assert body["mappings"]["properties"]["AMAZON_BEDROCK_METADATA"]["index"] is False
    assert result.id == f"{collection.endpoint}/bedrock-kb-index"
    assert result.outs["dimensions"] == 1024


def test_create_retries_while_the_access_policy_propagates(collection: FakeCollection) -> None:
    collection.script = [(403, {"status": 403}), (503, {}), (200, {"acknowledged": True})]
    PROVIDER.create(_props(collection.endpoint))
    assert [r["method"] for r in collection.requests] == ["PUT", "PUT", "PUT"]


def test_create_gives_up_with_the_status(collection: FakeCollection) -> None:
    collection.script = [(403, {"error": "forbidden"})] * 4
    with pytest.raises(AossRequestError, match="HTTP 403"):
        PROVIDER.create(_props(collection.endpoint))
    assert len(collection.requests) == 4  # first try + 3 retries


def test_create_adopts_a_retained_index(collection: FakeCollection) -> None:
    collection.script = [(400, {"error": {"type": "resource_already_exists_exception"}})]
    result = PROVIDER.create(_props(collection.endpoint))
    assert result.id.endswith("/bedrock-kb-index")


def test_bad_mapping_is_not_retried(collection: FakeCollection) -> None:
    collection.script = [(400, {"error": {"type": "mapper_parsing_exception"}})]
    with pytest.raises(AossRequestError, match="mapper_parsing_exception"):
        PROVIDER.create(_props(collection.endpoint))
    assert len(collection.requests) == 1


def test_delete_tolerates_a_missing_index(collection: FakeCollection) -> None:
    collection.script = [(404, {"error": "index_not_found_exception"})]
    PROVIDER.delete("x", _props(collection.endpoint))
    assert collection.requests[0]["method"] == "DELETE"
    assert collection.requests[0]["path"] == "/bedrock-kb-index"


def test_dimension_change_replaces_the_index() -> None:
    old = _props("https://c.aoss")
    diff = PROVIDER.diff("id", old, {**old, "dimensions": 1536})
    assert diff.changes and diff.replaces == ["dimensions"] and diff.delete_before_replace
    assert not PROVIDER.diff("id", old, dict(old)).changes


# -- an endpoint the deployer cannot reach (loopback only, short timeouts) ---------------------
class SilentEndpoint:
    """A loopback port that accepts connections (the kernel completes the handshake) and never
    answers: what a request sees when the answer never comes back. Counts connections."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[Any] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # held open, never answered

    def __enter__(self) -> SilentEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join()
        for c in self.accepted:
            c.close()
        self.sock.close()


def _refused_endpoint() -> str:
    """A loopback port nobody listens on: connections are refused at once."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


FAST = AossIndexProvider(credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG"),
                         timeout=0.2, retry_delays=(0.01, 0.01))


def test_refused_connections_are_retried_then_name_the_endpoint_and_the_grant() -> None:
    endpoint = _refused_endpoint()
    with pytest.raises(AossUnreachableError) as err:
        FAST.create(_props(endpoint))
    text = str(err.value)
    assert f"could not reach the collection endpoint {endpoint}" in text
    assert "after 3 attempts" in text  # first try + one per retry delay
    assert "refused" in text
    # How to grant access: the setting that opens the endpoint's security group, and the alternative.
    assert "aiops:platform.deployerAccess" in text and "deployer_access" in text
    assert "from a pod in the EKS cluster" in text


def test_timeouts_are_retried_then_name_the_endpoint() -> None:
    with SilentEndpoint() as silent:
        with pytest.raises(AossUnreachableError) as err:
            FAST.create(_props(silent.endpoint))
        attempts = len(silent.accepted)
    text = str(err.value)
    assert attempts == 3  # every attempt connected and then waited for an answer that never came
    assert f"could not reach the collection endpoint {silent.endpoint}" in text
    assert "timed out" in text and "deployerAccess" in text


def test_an_unreachable_endpoint_on_refresh_says_so_too() -> None:
    endpoint = _refused_endpoint()
    with pytest.raises(AossUnreachableError, match=r"read index bedrock-kb-index: could not reach"):
        FAST.read("id", _props(endpoint))


def test_a_lasting_403_says_what_it_can_mean(collection: FakeCollection) -> None:
    collection.script = [(403, {"error": "forbidden"})] * 4
    with pytest.raises(AossRequestError) as err:
        PROVIDER.create(_props(collection.endpoint))
    assert not isinstance(err.value, AossUnreachableError)
    assert "opensearch.adminPrincipals" in str(err.value) and "VPC endpoint" in str(err.value)
