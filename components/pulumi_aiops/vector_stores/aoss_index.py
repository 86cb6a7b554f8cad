"""The OpenSearch Serverless vector index, as a Pulumi dynamic resource.

pulumi-aws has no AOSS index resource (pulumi-aws-native's ``opensearchserverless.Index``
exists, but that provider is not part of this library). The index is created the way the AWS
console and the Bedrock quick-create flow do it: ``PUT https://<collection-endpoint>/<index>``
with a ``knn_vector`` mapping, signed with SigV4 for service ``aoss`` (which also needs the
``x-amz-content-sha256`` header). The deployer's credentials come from the usual boto3 chain.

Requirements at ``pulumi up`` time:

* the deploying principal is named in the collection's data access policy (``adminPrincipals``);
* the deployer can reach the collection endpoint: the network policy admits only the VPC
  endpoint, so run the deployment from inside the VPC (a CI runner there, or a VPN host) whose
  address resolves the endpoint through the VPC's DNS, and admit it on the endpoint's security
  group with ``deployerAccess`` (security groups or CIDRs) — see README "Deploy for real".

Data access policies take up to a minute to propagate, so 403, 429 and 5xx answers are retried;
so are refused connections and timeouts (the endpoint's DNS and security group rules settle in
the same minute). When the attempts run out, the error names the endpoint and what to grant.

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
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

__all__ = [
    "DEFAULT_FIELDS",
    "RETRY_DELAYS",
    "AossIndex",
    "AossIndexProvider",
    "AossRequestError",
    "AossUnreachableError",
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
#: Seconds one request may take (connect and answer) before it counts as a timeout.
REQUEST_TIMEOUT = 30.0
#: What to do when the endpoint cannot be reached (appended to the error).
_GRANT_NETWORK = (
    "The collection admits only its VPC endpoint, and the endpoint's security group admits only the "
    "groups and networks it is given. Run `pulumi up` from inside the VPC (or a network routed into it "
    "that resolves *.aoss.<region>.amazonaws.com through the VPC's DNS) and admit that runner on 443: "
    "aiops:platform.deployerAccess (securityGroupIds or cidrs), or the VectorStore arg deployer_access; "
    "or run the deployment from a pod in the EKS cluster. See README 'Deploy for real'.")
_GRANT_ACCESS = (
    "A 403 that outlasts policy propagation means the deployer is not named in the collection's data "
    "access policy (opensearch.adminPrincipals), or the request did not come through the VPC endpoint "
    "(the name resolved to public addresses, which the private network policy refuses).")
#: Inputs whose change needs a new index (OpenSearch mappings of knn fields are immutable).
_REPLACE_KEYS = ("endpoint", "index_name", "dimensions", "vector_field", "text_field",
                 "metadata_field", "space_type")


class AossRequestError(Exception):
    """The collection answered with an error status."""

    def __init__(self, status: int, body: str, what: str, hint: str = "") -> None:
        super().__init__(f"OpenSearch Serverless {what}: HTTP {status}: {body[:500]}" + (f"\n{hint}" if hint else ""))
        self.status = status
        self.body = body


class AossUnreachableError(AossRequestError):
    """No answer from the collection endpoint: refused, timed out, or its name did not resolve."""

    def __init__(self, endpoint: str, reason: str, what: str, attempts: int) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        port = parts.port or (80 if parts.scheme == "http" else 443)
        where = f"tcp {parts.hostname}:{port}" if parts.hostname else endpoint
        Exception.__init__(
            self,
            f"OpenSearch Serverless {what}: could not reach the collection endpoint {endpoint} ({where} from "
            f"this machine) after {attempts} attempt{'s' if attempts != 1 else ''}: {reason}.\n{_GRANT_NETWORK}")
        self.status = 0
        self.body = reason
        self.endpoint = endpoint


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


def _reason(err: OSError) -> str:
    """What went wrong with a connection, in words (``URLError`` wraps the socket error)."""
    inner: Any = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(inner, TimeoutError):
        return "the connection timed out (a security group or network ACL dropping the packets?)"
    if isinstance(inner, ConnectionRefusedError):
        return "the connection was refused"
    return f"{type(inner).__name__}: {inner}"


class AossIndexProvider(ResourceProvider):
    """Create, compare and delete an AOSS index.

    ``credentials``, ``timeout`` (seconds per request) and ``retry_delays`` (seconds between
    attempts; default :data:`RETRY_DELAYS`) are for tests."""

    serialize_as_secret_always = False

    def __init__(self, credentials: Any = None, *, timeout: float = REQUEST_TIMEOUT,
                 retry_delays: Sequence[float] | None = None) -> None:
        super().__init__()
        self.credentials = credentials
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays) if retry_delays is not None else None

    def _url(self, props: dict[str, Any]) -> str:
        return f"{str(props['endpoint']).rstrip('/')}/{props['index_name']}"

    def _request(self, method: str, props: dict[str, Any], body: bytes = b"") -> tuple[int, str]:
        return signed_request(method, self._url(props), str(props["region"]), body,
                              credentials=self.credentials, timeout=self.timeout)

    def _send(self, method: str, props: dict[str, Any], body: bytes, what: str,
              ok: tuple[int, ...]) -> tuple[int, str]:
        status, text = 0, ""
        unreachable: OSError | None = None
        delays = self.retry_delays if self.retry_delays is not None else RETRY_DELAYS
        attempts = 0
        for delay in (*delays, None):
            attempts += 1
            try:
                status, text = self._request(method, props, body)
            except OSError as err:  # refused, timed out, name not resolved (HTTP errors are answers)
                unreachable = err
                if delay is not None:
                    time.sleep(delay)
                    continue
                break
            unreachable = None
            if status in ok:
                return status, text
            if (status == 403 or status == 429 or status >= 500) and delay is not None:
                time.sleep(delay)
                continue
            break
        if unreachable is not None:
            raise AossUnreachableError(str(props["endpoint"]), _reason(unreachable), what, attempts)
        raise AossRequestError(status, text, what, _GRANT_ACCESS if status == 403 else "")

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
        try:
            status, _ = self._request("HEAD", props)
        except OSError as err:
            raise AossUnreachableError(str(props["endpoint"]), _reason(err),
                                       f"read index {props['index_name']}", 1) from None
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
