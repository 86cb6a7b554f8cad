"""``pulumi_aiops.images``: one place for every image, each digest well-formed and sourced, and a
bump helper that talks to a registry only when run by hand (here: a fake opener, no network)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

import pytest

from pulumi_aiops import images
from pulumi_aiops.config.workloads import DEFAULT_VLLM_IMAGE


def test_every_image_has_a_digest_and_a_source_or_a_reason() -> None:
    names = [i.name for i in images.ALL]
    assert len(names) == len(set(names))
    for i in images.ALL:
        if i.digest is None:
            assert i.note, i.name
        else:
            assert i.digest.startswith("sha256:") and len(i.digest) == 71, i.name
            assert i.source, i.name
        assert i.reference.startswith(f"{i.repository}:{i.tag}")


def test_a_digest_must_be_a_sha256_and_a_missing_one_must_say_why() -> None:
    with pytest.raises(ValueError, match="is not a sha256 digest"):
        images.Image("x", "docker.io/x/y", "1", "sha256:abc", source="s")
    with pytest.raises(ValueError, match="needs the reason"):
        images.Image("x", "docker.io/x/y", "1", None, source="")


def test_the_model_server_default_is_pinned_by_digest() -> None:
    assert DEFAULT_VLLM_IMAGE == (
        "docker.io/vllm/vllm-openai:v0.11.0@sha256:014a95f21c9edf6abe0aea6b07353f96baa4ec291c427bb1176dc7c93a85845c")


def test_unpinned_lists_exactly_the_images_without_an_applied_digest() -> None:
    assert {i.name for i in images.UNPINNED} == {
        "cluster-autoscaler-1.34", "cluster-autoscaler-1.35", "cluster-autoscaler-1.36", "qdrant-1.15.4",
        "litellm-database"}
    # Qdrant: recorded, but the chart cannot take it (the release keeps the chart default).
    assert images.QDRANT["1.15.4"].digest and "semverCompare" in images.QDRANT["1.15.4"].note


def test_every_supported_eks_version_has_an_autoscaler_entry() -> None:
    from pulumi_aiops.config.eks import SUPPORTED_VERSIONS

    assert set(images.CLUSTER_AUTOSCALER) == set(SUPPORTED_VERSIONS)


def test_unknown_versions_stay_on_their_tag() -> None:
    assert images.nvidia_device_plugin("0.18.0").reference == "nvcr.io/nvidia/k8s-device-plugin:v0.18.0"
    assert images.cluster_autoscaler("1.99").pinned_tag == "v1.99.0"


def test_www_authenticate_challenge() -> None:
    h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:vllm/vllm-openai:pull"'
    assert images.parse_www_authenticate(h) == {"realm": "https://auth.docker.io/token",
                                                "service": "registry.docker.io",
                                                "scope": "repository:vllm/vllm-openai:pull"}
    assert images.parse_www_authenticate('Basic realm="x"') == {}


class _Resp:
    def __init__(self, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.headers = Message()
        for k, v in (headers or {}).items():
            self.headers[k] = v
        self._body = body

    def read(self) -> bytes:
        return self._body


def test_registry_digest_follows_the_token_flow_without_network() -> None:
    seen: list[tuple[str, str, str | None]] = []
    digest = "sha256:" + "5" * 64

    def opener(req: urllib.request.Request) -> Any:
        seen.append((req.get_method(), req.full_url, req.get_header("Authorization")))
        if req.full_url.startswith("https://auth.example/token"):
            return _Resp(body=json.dumps({"token": "T"}).encode())
        if req.get_header("Authorization") != "Bearer T":
            hdrs = Message()
            hdrs["WWW-Authenticate"] = 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"'
            raise urllib.error.HTTPError(req.full_url, 401, "Unauthorized", hdrs, io.BytesIO())
        assert "application/vnd.oci.image.index.v1+json" in req.get_header("Accept")
        return _Resp(headers={"Docker-Content-Digest": digest})

    assert images.registry_digest("docker.io/a/b", "v1", opener=opener) == digest
    assert seen[0] == ("HEAD", "https://registry-1.docker.io/v2/a/b/manifests/v1", None)
    assert seen[1][1] == "https://auth.example/token?service=reg&scope=repository%3Aa/b%3Apull"
    assert seen[2] == ("HEAD", "https://registry-1.docker.io/v2/a/b/manifests/v1", "Bearer T")
