"""Gateway tests: LiteLLM reads its bundled data, never GitHub.

``import litellm`` fetches the model cost map from raw.githubusercontent.com unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set; the switches are set here, before any test module of this
folder imports LiteLLM in the test process (the proxy subprocesses get them from the rendered
Deployment's environment)."""

from __future__ import annotations

import os

import pytest

from pulumi_aiops.gateway.litellm_config import LOCAL_DATA_ENV

for _k, _v in LOCAL_DATA_ENV.items():
    os.environ.setdefault(_k, _v)

#: A loopback port nothing listens on.
BLACKHOLE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any HTTP(S) client in a test of this folder that tries to leave loopback goes to a closed
    loopback port (proxies are honoured by httpx, requests, urllib and aiohttp with trust_env)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, BLACKHOLE)
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
