"""The OpenSearch Serverless vector index, as a Pulumi dynamic resource.

pulumi-aws has no AOSS index resource (pulumi-aws-native's ``opensearchserverless.Index``
exists, but that provider is not part of this library). The index is created the way the AWS
console and the Bedrock quick-create flow do it: ``PUT https://<collection-endpoint>/<index>``
with a ``knn_vector`` mapping, signed with SigV4 for service ``aoss`` (which also needs the
``x-amz-content-sha256`` header). The deployer's credentials come from the usual boto3 chain.

Requirements at ``pulumi up`` time:

* the deploying principal is named in the collection's data access policy (``adminPrincipals``);
* the deployer can reach the collection endpoint: the network policy is private, so run the
  deployment from inside the VPC (a CI runner there, or a VPN) — see README.

Data access policies take up to a minute to propagate, so 403 and 5xx answers are retried.

Example (``VectorStore`` does this for its collection)::

    from pulumi_aiops.vector_stores.aoss_index import AossIndex

    AossIndex("kb-index", endpoint="https://0123456789abcdef.us-east-1.aoss.amazonaws.com",
              region="us-east-1", index_name="bedrock-kb-index", dimensions=1024)
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

__all__ = [
    "DEFAULT_FIELDS",
    "RETRY_DELAYS",
    "AossIndex",
    "AossIndexProvider",
    "AossRequestError",
    "bedrock_index_body",
    "signed_request",
]

#: Field names Bedrock knowledge bases use by default.
DEFAULT_FIELDS = {
    "vector_field": "bedrock-knowledge-base-default-vector",
    "text_field": "AMAZON_BEDROCK_TEXT_CHUNK",
    "metadata_field": "AMAZON_BEDROCK_METADATA",
}
#: Seconds to wait between attempts while the data access policy propagates.
RETRY_DELAYS: tuple[float, ...] = (5, 10, 15, 20, 30, 30, 30)
#: Inputs whose change needs a new index (OpenSearch mappings of knn fields are immutable).
_REPLACE_KEYS = ("endpoint", "index_name", "dimensions", "vector_field", "text_field",
                 "metadata_field", "space_type")


class AossRequestError(Exception):
    """The collection answered with an error status."""

    def __init__(self, status: int, body: str, what: str) -> None:
        super().__init__(f"OpenSearch Serverless {what}: HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def bedrock_index_body(dimensions: int, vector_field: str, text_field: str, metadata_field: str,
                       space_type: str = "l2") -> dict[str, Any]:
    """The index settings and mapping Bedrock knowledge bases need (FAISS HNSW)."""
    return {
        "settings": {"index": {"knn": True, "knn.algo_param.ef_search": 512}},
        "mappings": {"properties": {
            vector_field: {
                "type": "knn_vector", "dimension": int(dimensions),
                "method": {"name": "hnsw", "engine": "faiss", "space_type": space_type,
                           "parameters": {"ef_construction": 512, "m": 16}},
            },
            text_field: {"type": "text", "index": True},
            metadata_field: {"type": "text", "index": False},
        }},
    }


def signed_request(method: str, url: str, region: str, body: bytes = b"",
                   credentials: Any = None, timeout: float = 30.0) -> tuple[int, str]:
    """Send ``method url`` signed with SigV4 for ``aoss``; return ``(status, body)``."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    if credentials is None:
        import boto3

        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise RuntimeError("no AWS credentials found to sign the OpenSearch Serverless request")
    headers = {"Content-Type": "application/json",
               "x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(credentials, "aoss", region).add_auth(req)
    prepared = req.prepare()
    http_req = urllib.request.Request(prepared.url, data=body or None, method=method,
                                      headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(http_req, timeout=timeout) as resp:
            return int(resp.status), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return int(err.code), err.read().decode("utf-8", "replace")


class AossIndexProvider(ResourceProvider):
    """Create, compare and delete an AOSS index. ``credentials`` is for tests only."""

    serialize_as_secret_always = False

    def __init__(self, credentials: Any = None) -> None:
        super().__init__()
        self.credentials = credentials

    def _url(self, props: dict[str, Any]) -> str:
        return f"{str(props['endpoint']).rstrip('/')}/{props['index_name']}"

    def _send(self, method: str, props: dict[str, Any], body: bytes, what: str,
              ok: tuple[int, ...]) -> tuple[int, str]:
        status, text = 0, ""
        for delay in (*RETRY_DELAYS, None):
            status, text = signed_request(method, self._url(props), str(props["region"]), body,
                                          credentials=self.credentials)
            if status in ok:
                return status, text
            if (status == 403 or status == 429 or status >= 500) and delay is not None:
                time.sleep(delay)
                continue
            break
        raise AossRequestError(status, text, what)

    def create(self, props: dict[str, Any]) -> CreateResult:
        body = json.dumps(bedrock_index_body(
            int(props["dimensions"]), props["vector_field"], props["text_field"],
            props["metadata_field"], props.get("space_type", "l2"))).encode()
        try:
            self._send("PUT", props, body, f"create index {props['index_name']}", ok=(200, 201))
        except AossRequestError as err:
            # A retained index from an earlier deployment is adopted, not overwritten.
            if err.status != 400 or "resource_already_exists_exception" not in err.body:
                raise
        return CreateResult(id_=self._url(props), outs=dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        status, _ = signed_request("HEAD", self._url(props), str(props["region"]),
                                   credentials=self.credentials)
        return ReadResult(id_=id_ if status == 200 else "", outs=dict(props))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in _REPLACE_KEYS if str(olds.get(k)) != str(news.get(k))]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=True)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._send("DELETE", props, b"", f"delete index {props['index_name']}", ok=(200, 404))


class AossIndex(Resource, module="aiops", name="AossIndex"):
    """A vector index in an OpenSearch Serverless collection (see module docstring)."""

    endpoint: pulumi.Output[str]
    index_name: pulumi.Output[str]

    def __init__(self, name: str, *, endpoint: pulumi.Input[str], region: pulumi.Input[str],
                 index_name: str, dimensions: int, vector_field: str = DEFAULT_FIELDS["vector_field"],
                 text_field: str = DEFAULT_FIELDS["text_field"],
                 metadata_field: str = DEFAULT_FIELDS["metadata_field"], space_type: str = "l2",
                 opts: pulumi.ResourceOptions | None = None,
                 provider: AossIndexProvider | None = None) -> None:
        super().__init__(provider or AossIndexProvider(), name, {
            "endpoint": endpoint, "region": region, "index_name": index_name,
            "dimensions": dimensions, "vector_field": vector_field, "text_field": text_field,
            "metadata_field": metadata_field, "space_type": space_type,
        }, opts)
