"""S3: both bucket spellings (``Bucket``, ``BucketV2``) and the split-out resources.

Bucket settings may be inline on the bucket or in a separate resource
(``bucketServerSideEncryptionConfiguration[V2]``, ``bucketVersioning[V2]``, ...), so the
bucket-level rules are stack rules: each bucket is matched with the resources whose ``bucket``
property refers to it (by property dependency, parent, the bucket's explicit name, or its
auto-name prefix), and passes when either place satisfies the rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from aiops_policies._controls import (
    ACCESS_LEAST_PRIVILEGE,
    AUDIT_LOGGING,
    BACKUP_RECOVERY,
    ENCRYPTION_AT_REST,
    ENCRYPTION_IN_TRANSIT,
    KEY_MANAGEMENT,
    NETWORK_BOUNDARY,
    merge,
)
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_bool,
    as_list,
    as_mapping,
    resource_rule,
    safe_get,
    stack_rule,
)
from aiops_policies._iam import statements

__all__ = ["BUCKET_TYPES", "RULES", "bucket_companions"]

F, R = Fixture, FixtureResource


def _both(base: str, name: str) -> tuple[str, str]:
    return (f"aws:s3/{base}:{name}", f"aws:s3/{base}V2:{name}V2")


BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_TYPES = _both("bucketServerSideEncryptionConfiguration",
                  "BucketServerSideEncryptionConfiguration")
VERSIONING_TYPES = _both("bucketVersioning", "BucketVersioning")
LOGGING_TYPES = _both("bucketLogging", "BucketLogging")
LIFECYCLE_TYPES = _both("bucketLifecycleConfiguration", "BucketLifecycleConfiguration")
LOCK_TYPES = _both("bucketObjectLockConfiguration", "BucketObjectLockConfiguration")
ACL_TYPES = _both("bucketAcl", "BucketAcl")
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"

_KIND: dict[str, str] = {}
for _kind, _types in (("sse", SSE_TYPES), ("versioning", VERSIONING_TYPES),
                      ("logging", LOGGING_TYPES), ("lifecycle", LIFECYCLE_TYPES),
                      ("lock", LOCK_TYPES), ("acl", ACL_TYPES), ("pab", (PAB,)),
                      ("policy", (POLICY,))):
    for _t in _types:
        _KIND[_t] = _kind

_PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


class _BucketIndex:
    """The stack's buckets, indexed for resolving references to them in O(1)."""

    def __init__(self, resources: Sequence[Any]) -> None:
        self.buckets = [r for r in resources if r.resource_type in BUCKET_TYPES]
        self.by_urn: dict[str, Any] = {b.urn: b for b in self.buckets}
        self.by_value: dict[str, Any] = {}
        self.by_logical: dict[str, Any] = {}
        self.by_prefix: dict[str, Any] = {}
        for b in self.buckets:
            for key in ("bucket", "id"):
                v = safe_get(b.props, key)
                if isinstance(v, str) and v:
                    self.by_value.setdefault(v, b)
            self.by_logical.setdefault(b.name, b)
            bp = safe_get(b.props, "bucketPrefix")
            if isinstance(bp, str) and bp:
                self.by_prefix.setdefault(bp, b)

    def lookup(self, value: Any) -> Any | None:
        """The bucket named ``value``: explicit name or id, else the longest auto-name match
        (``<logical name>-<random>`` or ``<bucketPrefix>…``)."""
        if not isinstance(value, str) or not value:
            return None
        b = self.by_value.get(value) or self.by_urn.get(value)
        if b is not None:
            return b
        i = value.rfind("-")
        while i > 0:
            b = self.by_logical.get(value[:i])
            if b is not None:
                break
            i = value.rfind("-", 0, i)
        best_len = i + 1 if b is not None else -1
        for p, pb in self.by_prefix.items():
            if len(p) > best_len and value.startswith(p):
                b, best_len = pb, len(p)
        return b

    def resolve(self, ref: Any, key: str) -> Any | None:
        """The bucket that property ``key`` of ``ref`` refers to (dependency, parent, value)."""
        deps = getattr(ref, "property_dependencies", None) or {}
        for d in deps.get(key, ()) or ():
            b = self.by_urn.get(getattr(d, "urn", ""))
            if b is not None:
                return b
        parent = getattr(ref, "parent", None)
        if parent is not None and key == "bucket":
            b = self.by_urn.get(getattr(parent, "urn", ""))
            if b is not None:
                return b
        return self.lookup(safe_get(ref.props, key))


_cache: tuple[Any, Any] = (None, None)


def _analysis(resources: Sequence[Any]) -> tuple[_BucketIndex, list[tuple[Any, dict[str, list[Any]]]],
                                                 set[str]]:
    """(index, buckets with companions, urns of server-access-log target buckets), cached for
    the last ``resources`` list (the S3 rules run one after another on the same stack)."""
    global _cache
    if _cache[0] is resources and _cache[1][0] == len(resources):
        return _cache[1][1]
    index = _BucketIndex(resources)
    comps: dict[str, dict[str, list[Any]]] = {b.urn: {} for b in index.buckets}
    targets: set[str] = set()
    for r in resources:
        t = r.resource_type
        kind = _KIND.get(t)
        if kind is not None:
            b = index.resolve(r, "bucket")
            if b is not None:
                comps[b.urn].setdefault(kind, []).append(r)
            if kind == "logging":
                tb = index.resolve(r, "targetBucket")
                if tb is not None:
                    targets.add(tb.urn)
        elif t in BUCKET_TYPES:
            for lg in as_list(safe_get(r.props, "logging")) + as_list(safe_get(r.props,
                                                                                "loggings")):
                tb = index.lookup(safe_get(lg, "targetBucket"))
                if tb is not None:
                    targets.add(tb.urn)
    result = (index, [(b, comps[b.urn]) for b in index.buckets], targets)
    _cache = (resources, (len(resources), result))
    return result


def bucket_companions(resources: Sequence[Any]) -> list[tuple[Any, dict[str, list[Any]]]]:
    """Each bucket with its split-out resources by kind (sse, versioning, logging, ...)."""
    return _analysis(resources)[1]


def _log_targets(resources: Sequence[Any]) -> set[str]:
    """URNs of the buckets that receive server access logs."""
    return _analysis(resources)[2]


def _is_log_target(b: Any, targets: set[str]) -> bool:
    return b.urn in targets


def _find_all(v: Any, key: str) -> Iterator[Mapping[str, Any]]:
    if isinstance(v, Mapping):
        for k, x in v.items():
            if k == key and isinstance(x, Mapping):
                yield x
            else:
                yield from _find_all(x, key)
    elif isinstance(v, Sequence) and not isinstance(v, str):
        for x in v:
            yield from _find_all(x, key)


def _sse_defaults(bucket: Any, comps: Mapping[str, list[Any]]) -> list[Mapping[str, Any]]:
    """The bucket's default-encryption settings: the split-out configuration when there is
    one (a bucket's own outputs may still show the SSE-S3 default S3 applied at creation),
    else the inline one."""
    found: list[Mapping[str, Any]] = []
    for c in comps.get("sse", []):
        found.extend(_find_all(c.props.get("rules"), "applyServerSideEncryptionByDefault"))
    if found:
        return found
    for key in ("serverSideEncryptionConfiguration", "serverSideEncryptionConfigurations"):
        found.extend(_find_all(bucket.props.get(key), "applyServerSideEncryptionByDefault"))
    return found


def _is_cmk(d: Mapping[str, Any]) -> bool:
    return str(d.get("sseAlgorithm", "")).startswith("aws:kms") and bool(d.get("kmsMasterKeyId"))


def _s3_cmk(resources: Sequence[Any], cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    targets = _log_targets(resources) if cfg["exemptLogTargets"] else set()
    for b, comps in bucket_companions(resources):
        defaults = _sse_defaults(b, comps)
        if not defaults:
            yield (f"bucket {b.name} has no default encryption with a KMS key (add an "
                   "aws.s3.BucketServerSideEncryptionConfiguration with aws:kms and a CMK)", b.urn)
        elif targets and _is_log_target(b, targets):
            # S3 server access logs are delivered only to SSE-S3 (AES256) buckets.
            if not all(str(d.get("sseAlgorithm", "")) == "AES256" for d in defaults):
                yield (f"log bucket {b.name} is a server access log target: S3 delivers access "
                       "logs only to buckets whose default encryption is SSE-S3 (AES256)", b.urn)
        elif not all(_is_cmk(d) for d in defaults):
            yield (f"bucket {b.name} default encryption is not SSE-KMS with a customer-managed "
                   "key (sseAlgorithm aws:kms and kmsMasterKeyId)", b.urn)


def _pab_ok(props: Mapping[str, Any]) -> list[str]:
    return [f for f in _PAB_FLAGS if as_bool(props.get(f)) is not True]


def _s3_pab(resources: Sequence[Any], _cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    account_ok = any(r.resource_type == ACCOUNT_PAB and not _pab_ok(r.props) for r in resources)
    for b, comps in bucket_companions(resources):
        if account_ok:
            continue
        pabs = comps.get("pab", [])
        if not pabs:
            yield f"bucket {b.name} has no aws.s3.BucketPublicAccessBlock", b.urn
            continue
        missing = _pab_ok(pabs[0].props)
        if missing:
            yield (f"bucket {b.name} public access block does not set "
                   f"{', '.join(missing)} to true", b.urn)


def _policy_docs(b: Any, comps: Mapping[str, list[Any]]) -> list[Any]:
    docs = [b.props.get("policy")] if b.props.get("policy") else []
    docs.extend(c.props.get("policy") for c in comps.get("policy", []))
    return docs


def _denies_insecure_transport(docs: Sequence[Any]) -> bool:
    for doc in docs:
        for s in statements(doc):
            if s.effect.lower() != "deny":
                continue
            if not any(a in ("*", "s3:*") for a in (x.lower() for x in s.actions)):
                continue
            for op, block in s.condition.items():
                if str(op).lower() != "bool":
                    continue
                for k, v in as_mapping(block).items():
                    vals = [str(x).lower() for x in as_list(v)]
                    if str(k).lower() == "aws:securetransport" and "false" in vals:
                        return True
    return False


def _s3_tls(resources: Sequence[Any], _cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for b, comps in bucket_companions(resources):
        if not _denies_insecure_transport(_policy_docs(b, comps)):
            yield (f"bucket {b.name} policy does not deny requests without TLS (a Deny of s3:* "
                   "with Condition Bool aws:SecureTransport = false)", b.urn)


def _s3_versioning(resources: Sequence[Any],
                   _cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for b, comps in bucket_companions(resources):
        inline = [as_mapping(v) for v in as_list(b.props.get("versioning"))
                  + as_list(b.props.get("versionings"))]
        ok = any(as_bool(v.get("enabled")) is True for v in inline)
        for c in comps.get("versioning", []):
            status = str(as_mapping(c.props.get("versioningConfiguration")).get("status", ""))
            ok = ok or status == "Enabled"
        if not ok:
            yield (f"bucket {b.name} does not have versioning enabled (add "
                   "aws.s3.BucketVersioning with versioningConfiguration.status Enabled)", b.urn)


def _s3_logging(resources: Sequence[Any],
                cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    targets = _log_targets(resources) if cfg["exemptLogTargets"] else set()
    for b, comps in bucket_companions(resources):
        inline = as_list(b.props.get("logging")) + as_list(b.props.get("loggings"))
        if any(as_mapping(x).get("targetBucket") for x in inline) or comps.get("logging"):
            continue
        if _is_log_target(b, targets):
            continue
        yield (f"bucket {b.name} has no server access logging (add aws.s3.BucketLogging with a "
               "targetBucket)", b.urn)


def _s3_lifecycle(resources: Sequence[Any],
                  _cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for b, comps in bucket_companions(resources):
        ok = any(as_bool(as_mapping(r).get("enabled")) is True
                 for r in as_list(b.props.get("lifecycleRules")))
        for c in comps.get("lifecycle", []):
            ok = ok or any(str(as_mapping(r).get("status")) == "Enabled"
                           for r in as_list(c.props.get("rules")))
        if not ok:
            yield (f"bucket {b.name} has no enabled lifecycle rule (expire noncurrent versions, "
                   "abort incomplete multipart uploads, transition cold data)", b.urn)


def _needs_lock(b: Any, cfg: Mapping[str, Any]) -> bool:
    tags = as_mapping(safe_get(b.props, "tags"))
    v = tags.get(cfg["tagKey"])
    if v is not None and str(v).lower() in [str(x).lower() for x in cfg["tagValues"]]:
        return True
    cls = tags.get("data-classification")
    return cls is not None and str(cls) in [str(x) for x in cfg["classifications"]]


def _s3_object_lock(resources: Sequence[Any],
                    cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for b, comps in bucket_companions(resources):
        if not _needs_lock(b, cfg):
            continue
        olc = as_mapping(b.props.get("objectLockConfiguration"))
        enabled = (as_bool(b.props.get("objectLockEnabled")) is True
                   or str(olc.get("objectLockEnabled", "")) == "Enabled")
        if not enabled:
            yield (f"bucket {b.name} is tagged as needing object lock but objectLockEnabled is "
                   "not true (it can only be set when the bucket is created)", b.urn)
            continue
        retention = [as_mapping(as_mapping(olc.get("rule")).get("defaultRetention"))]
        retention += [as_mapping(as_mapping(c.props.get("rule")).get("defaultRetention"))
                      for c in comps.get("lock", [])]
        if not any(r.get("mode") and (r.get("days") or r.get("years")) for r in retention):
            yield (f"bucket {b.name} has object lock without a default retention (add "
                   "aws.s3.BucketObjectLockConfiguration rule.defaultRetention {mode, days})",
                   b.urn)


# --- resource rules --------------------------------------------------------------------------

def _sse_resource(props: Mapping[str, Any], cfg: Mapping[str, Any], args: Any) -> Iterator[str]:
    if getattr(args, "resource_type", "") in BUCKET_TYPES:
        inline = [props.get(k) for k in ("serverSideEncryptionConfiguration",
                                         "serverSideEncryptionConfigurations")]
        if not any(inline):
            return  # split-out configuration: checked on that resource and by the stack rule
        defaults = list(_find_all(inline, "applyServerSideEncryptionByDefault"))
    else:
        defaults = list(_find_all(props.get("rules"), "applyServerSideEncryptionByDefault"))
    bucket = str(props.get("bucket") or "")
    if defaults and all(str(d.get("sseAlgorithm", "")) == "AES256" for d in defaults) and any(
            fnmatchcase(bucket, str(p)) for p in cfg["sseS3BucketPatterns"]):
        return  # a server-access-log bucket: S3 delivers logs only to SSE-S3 buckets
    if not defaults or not all(_is_cmk(d) for d in defaults):
        yield ("the encryption configuration is not SSE-KMS with a customer-managed key "
               "(applyServerSideEncryptionByDefault {sseAlgorithm: aws:kms, kmsMasterKeyId})")


def _versioning_resource(props: Mapping[str, Any], _c: Mapping[str, Any],
                         _a: Any) -> Iterator[str]:
    status = str(as_mapping(props.get("versioningConfiguration")).get("status") or "")
    if status != "Enabled":
        yield (f"the versioning configuration sets status {status or '(unset)'}: new object "
               "versions are not kept, so an overwrite or delete loses data (status: Enabled)")


def _pab_resource(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    missing = _pab_ok(props)
    if missing:
        yield f"the public access block does not set {', '.join(missing)} to true"


_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
_ALL_USERS = ("http://acs.amazonaws.com/groups/global/AllUsers",
              "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _acl_resource(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    acl = props.get("acl")
    if acl is not None and str(acl) in _PUBLIC_ACLS:
        yield f"the canned ACL {acl!r} makes the bucket public"
    grants = [as_mapping(g) for g in as_list(props.get("grants"))]
    policy = as_mapping(props.get("accessControlPolicy"))
    grants += [as_mapping(g) for g in as_list(policy.get("grants"))]
    for g in grants:
        uri = str(as_mapping(g.get("grantee")).get("uri") or g.get("uri") or "")
        if uri in _ALL_USERS:
            yield f"an ACL grant gives {uri.rsplit('/', 1)[-1]} access"


def _policy_public(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    for s in statements(props.get("policy")):
        if s.allow and "*" in s.principals and not s.condition:
            yield (f"bucket policy statement {s.index} allows Principal '*' without a condition: "
                   "the bucket is public")


# --- fixtures --------------------------------------------------------------------------------

def _j(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


CMK = "arn:aws:kms:us-east-1:123456789012:key/0000-1111"
_TLS_POLICY = _j({"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::data-bkt", "arn:aws:s3:::data-bkt/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
_TAGS = {"owner": "ml", "cost-center": "cc-1", "data-classification": "internal"}


def _bucket(v2: bool = True, name: str = "data", **props: Any) -> FixtureResource:
    merged = {"bucket": f"{name}-bkt", "tags": _TAGS, **props}
    return R(BUCKET_TYPES[1 if v2 else 0], name, {k: v for k, v in merged.items() if v is not None})


def _sse(bucket: str = "data-bkt", algo: str = "aws:kms", key: str | None = CMK,
         v2: bool = False, name: str = "sse") -> FixtureResource:
    d: dict[str, Any] = {"sseAlgorithm": algo}
    if key:
        d["kmsMasterKeyId"] = key
    return R(SSE_TYPES[1 if v2 else 0], name, {"bucket": bucket, "rules": [
        {"applyServerSideEncryptionByDefault": d, "bucketKeyEnabled": True}]})


def _pab(bucket: str = "data-bkt", **over: Any) -> FixtureResource:
    return R(PAB, "pab", {"bucket": bucket, **{f: True for f in _PAB_FLAGS}, **over})


def _versioning(bucket: str = "data-bkt", status: str = "Enabled") -> FixtureResource:
    return R(VERSIONING_TYPES[0], "ver", {"bucket": bucket,
                                          "versioningConfiguration": {"status": status}})


_SECURE = (
    _bucket(), _sse(), _pab(), R(POLICY, "pol", {"bucket": "data-bkt", "policy": _TLS_POLICY}),
    _versioning(),
    R(LOGGING_TYPES[1], "log", {"bucket": "data-bkt", "targetBucket": "logs-bkt",
                                "targetPrefix": "data/"}),
    R(LIFECYCLE_TYPES[0], "lc", {"bucket": "data-bkt", "rules": [
        {"id": "noncurrent", "status": "Enabled",
         "noncurrentVersionExpiration": {"noncurrentDays": 90.0}}]}),
)

_LOCK_TAGS = {**_TAGS, "object-lock": "required"}


def _fixtures_for(kind: str, bad: tuple[Fixture, ...]) -> tuple[Fixture, ...]:
    del kind
    return (*bad, F("pass", resources=_SECURE))


RULES: list[Rule] = [
    stack_rule(
        "s3-bucket-encryption-cmk",
        "Every S3 bucket has default encryption with SSE-KMS and a customer-managed key "
        "(inline or an aws.s3.BucketServerSideEncryptionConfiguration).",
        "high",
        remediation="Add aws.s3.BucketServerSideEncryptionConfiguration (or V2) for the bucket "
                    "with rules[0].applyServerSideEncryptionByDefault {sseAlgorithm: aws:kms, "
                    "kmsMasterKeyId: <CMK ARN>} and bucketKeyEnabled: true.",
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT),
        resource_types=BUCKET_TYPES + SSE_TYPES + LOGGING_TYPES,
        check=_s3_cmk,
        config_schema={"exemptLogTargets": {
            "type": "boolean", "default": True,
            "description": "Accept SSE-S3 (AES256) on buckets that receive server access logs "
                           "(S3 log delivery does not support SSE-KMS)."}},
        fixtures=_fixtures_for("sse", (
            F("fail", resources=(_bucket(),)),
            F("fail", resources=(_bucket(v2=False), _sse(algo="AES256", key=None))),
            F("fail", resources=(_bucket(), _sse(bucket="other-bkt"))),
            F("pass", resources=(_bucket(v2=False, serverSideEncryptionConfiguration={
                "rule": {"applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms", "kmsMasterKeyId": CMK}}}),)),
            F("pass", resources=(_bucket(serverSideEncryptionConfigurations=[{"rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}]), _sse()),
              note="the bucket's outputs show the S3 default; the split-out CMK config wins"),
            F("pass", resources=(_bucket(name="auto", bucket=None),
                                 _sse(bucket="auto-1a2b3c4", v2=True)),
              note="auto-named bucket matched by its logical-name prefix"),
            F("pass", resources=(
                _bucket(), _sse(), _bucket(name="access"), _sse(bucket="access-bkt",
                                                                algo="AES256", key=None,
                                                                name="sse-access"),
                R(LOGGING_TYPES[0], "log", {"bucket": "data-bkt", "targetBucket": "access-bkt"}),
            ), note="the access-log target bucket may use SSE-S3"),
            F("fail", resources=(_bucket(), _sse(), _bucket(name="access"),
                                 _sse(bucket="access-bkt", algo="AES256", key=None,
                                      name="sse-access"),
                                 R(LOGGING_TYPES[0], "log", {"bucket": "data-bkt",
                                                             "targetBucket": "access-bkt"})),
              config={"exemptLogTargets": False}),
            F("fail", resources=(_bucket(), _sse(), _bucket(name="access"),
                                 _sse(bucket="access-bkt", name="sse-access"),
                                 R(LOGGING_TYPES[0], "log", {"bucket": "data-bkt",
                                                             "targetBucket": "access-bkt"})),
              note="an SSE-KMS log target never receives the access logs"),
        )),
    ),
    stack_rule(
        "s3-bucket-public-access-block",
        "Every S3 bucket has a public access block with all four settings true (or the "
        "account-level block does).",
        "critical",
        remediation="Add aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, "
                    "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(*BUCKET_TYPES, PAB, ACCOUNT_PAB),
        check=_s3_pab,
        fixtures=_fixtures_for("pab", (
            F("fail", resources=(_bucket(),)),
            F("fail", resources=(_bucket(), _pab(restrictPublicBuckets=False))),
            F("pass", resources=(_bucket(), R(ACCOUNT_PAB, "acct",
                                              {f: True for f in _PAB_FLAGS}))),
        )),
    ),
    stack_rule(
        "s3-bucket-tls-only",
        "Every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport).",
        "high",
        remediation="Add aws.s3.BucketPolicy with a statement {Effect: Deny, Principal: '*', "
                    "Action: 's3:*', Resource: [bucket ARN, bucket ARN/*], Condition: {Bool: "
                    "{'aws:SecureTransport': 'false'}}}.",
        frameworks=ENCRYPTION_IN_TRANSIT,
        resource_types=(*BUCKET_TYPES, POLICY),
        check=_s3_tls,
        fixtures=_fixtures_for("policy", (
            F("fail", resources=(_bucket(),)),
            F("fail", resources=(_bucket(), R(POLICY, "pol", {"bucket": "data-bkt", "policy": _j(
                {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                "Action": "s3:GetObject", "Resource": "*"}]})}))),
            F("pass", resources=(_bucket(v2=False, policy=_TLS_POLICY),)),
        )),
    ),
    stack_rule(
        "s3-bucket-versioning",
        "Every S3 bucket has versioning enabled.",
        "medium",
        remediation="Add aws.s3.BucketVersioning (or V2) with versioningConfiguration "
                    "{status: Enabled}.",
        frameworks=BACKUP_RECOVERY,
        resource_types=(*BUCKET_TYPES, *VERSIONING_TYPES),
        check=_s3_versioning,
        fixtures=_fixtures_for("versioning", (
            F("fail", resources=(_bucket(),)),
            F("fail", resources=(_bucket(), _versioning(status="Suspended"))),
            F("pass", resources=(_bucket(versionings=[{"enabled": True}]),)),
        )),
    ),
    stack_rule(
        "s3-bucket-access-logging",
        "Every S3 bucket has server access logging, except the buckets that receive the logs.",
        "medium",
        remediation="Add aws.s3.BucketLogging (or V2) with targetBucket set to the log bucket "
                    "and a targetPrefix.",
        frameworks=AUDIT_LOGGING,
        resource_types=(*BUCKET_TYPES, *LOGGING_TYPES),
        check=_s3_logging,
        config_schema={"exemptLogTargets": {
            "type": "boolean", "default": True,
            "description": "Do not require logging on buckets that are logging targets."}},
        fixtures=_fixtures_for("logging", (
            F("fail", resources=(_bucket(),)),
            F("pass", resources=(
                _bucket(), _bucket(name="logs"),
                R(LOGGING_TYPES[0], "log", {"bucket": "data-bkt", "targetBucket": "logs-bkt"}),
            ), note="the log bucket itself is exempt"),
            F("fail", resources=(
                _bucket(), _bucket(name="logs"),
                R(LOGGING_TYPES[0], "log", {"bucket": "data-bkt", "targetBucket": "logs-bkt"}),
            ), config={"exemptLogTargets": False}),
        )),
    ),
    stack_rule(
        "s3-bucket-lifecycle",
        "Every S3 bucket has at least one enabled lifecycle rule.",
        "low",
        remediation="Add aws.s3.BucketLifecycleConfiguration (or V2) with rules that expire "
                    "noncurrent versions and abort incomplete multipart uploads.",
        frameworks={"gdpr": ("Art. 5(1)(e)",), "soc2": ("C1.2",),
                    "nist-800-53": ("SI-12",)},
        resource_types=(*BUCKET_TYPES, *LIFECYCLE_TYPES),
        check=_s3_lifecycle,
        fixtures=_fixtures_for("lifecycle", (
            F("fail", resources=(_bucket(),)),
            F("fail", resources=(_bucket(), R(LIFECYCLE_TYPES[1], "lc", {
                "bucket": "data-bkt", "rules": [{"id": "x", "status": "Disabled"}]}))),
            F("pass", resources=(_bucket(v2=False, lifecycleRules=[
                {"enabled": True, "abortIncompleteMultipartUploadDays": 7.0}]),)),
        )),
    ),
    stack_rule(
        "s3-object-lock-when-required",
        "S3 buckets tagged as needing object lock (tag object-lock=required, or a configured "
        "data classification) have object lock with a default retention.",
        "high",
        remediation="Create the bucket with objectLockEnabled: true (it cannot be enabled "
                    "later) and add aws.s3.BucketObjectLockConfiguration with rule."
                    "defaultRetention {mode: COMPLIANCE|GOVERNANCE, days}.",
        frameworks=merge(BACKUP_RECOVERY, {"hipaa": ("§164.312(c)(1)",),
                                           "pci-dss": ("10.3.2",),
                                           "nist-800-53": ("AU-9",)}),
        resource_types=(*BUCKET_TYPES, *LOCK_TYPES),
        check=_s3_object_lock,
        config_schema={
            "tagKey": {"type": "string", "default": "object-lock",
                       "description": "The tag that marks a bucket as needing object lock."},
            "tagValues": {"type": "array", "items": {"type": "string"},
                          "default": ["required", "true", "enabled", "compliance", "governance"]},
            "classifications": {"type": "array", "items": {"type": "string"}, "default": [],
                                "description": "data-classification values that need it too."},
        },
        fixtures=(
            F("fail", resources=(_bucket(tags=_LOCK_TAGS),)),
            F("fail", resources=(_bucket(tags=_LOCK_TAGS, objectLockEnabled=True),)),
            F("fail", resources=(_bucket(tags={**_TAGS, "data-classification": "phi"}),),
              config={"classifications": ["phi"]}),
            F("pass", resources=(_bucket(tags=_LOCK_TAGS, objectLockEnabled=True),
                                 R(LOCK_TYPES[1], "lock", {"bucket": "data-bkt", "rule": {
                                     "defaultRetention": {"mode": "COMPLIANCE", "days": 365.0}}}))),
            F("pass", resources=(_bucket(),)),
        ),
    ),
    resource_rule(
        "s3-sse-configuration-kms",
        "S3 server-side encryption configurations (split-out or inline on the bucket) use "
        "SSE-KMS with a customer-managed key.",
        "high",
        remediation="Set rules[].applyServerSideEncryptionByDefault {sseAlgorithm: aws:kms "
                    "(or aws:kms:dsse), kmsMasterKeyId: <CMK ARN>}.",
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT),
        resource_types=SSE_TYPES + BUCKET_TYPES,
        check=_sse_resource,
        config_schema={"sseS3BucketPatterns": {
            "type": "array", "items": {"type": "string"}, "default": ["*log*"],
            "description": "Bucket names (fnmatch) that may use SSE-S3: server-access-log "
                           "buckets, since S3 log delivery does not support SSE-KMS."}},
        fixtures=(
            F("fail", _sse(algo="AES256", key=None)),
            F("fail", _sse(key=None, v2=True)),
            F("pass", _sse()),
            F("pass", _sse(bucket="platform-access-logs-1a2b", algo="AES256", key=None)),
            F("fail", _bucket(v2=True, serverSideEncryptionConfigurations=[{"rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}])),
            F("pass", _bucket(v2=False, serverSideEncryptionConfiguration={"rule": {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                       "kmsMasterKeyId": CMK}}})),
            F("pass", _bucket(), note="no inline configuration: the stack rule decides"),
        ),
    ),
    resource_rule(
        "s3-versioning-configuration-enabled",
        "S3 versioning configurations (split-out BucketVersioning) set status Enabled, never "
        "Suspended.",
        "medium",
        remediation="Set versioningConfiguration.status: Enabled on the aws.s3.BucketVersioning "
                    "(or V2); to stop keeping old versions, expire them with a lifecycle rule "
                    "instead of suspending versioning.",
        frameworks=BACKUP_RECOVERY,
        resource_types=VERSIONING_TYPES,
        check=_versioning_resource,
        fixtures=(
            F("fail", _versioning(status="Suspended")),
            F("fail", R(VERSIONING_TYPES[1], "ver", {"bucket": "b", "versioningConfiguration": {
                "status": "Disabled"}})),
            F("pass", _versioning()),
        ),
    ),
    resource_rule(
        "s3-public-access-block-settings",
        "S3 public access blocks (bucket and account level) set all four settings to true.",
        "critical",
        remediation="Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and "
                    "restrictPublicBuckets to true.",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(PAB, ACCOUNT_PAB),
        check=_pab_resource,
        fixtures=(
            F("fail", _pab(blockPublicPolicy=False)),
            F("fail", R(ACCOUNT_PAB, "acct", {"blockPublicAcls": True})),
            F("pass", _pab()),
        ),
    ),
    resource_rule(
        "s3-no-public-acl",
        "S3 buckets and bucket ACLs grant nothing to AllUsers or AuthenticatedUsers.",
        "critical",
        remediation="Remove public canned ACLs (public-read, public-read-write, "
                    "authenticated-read) and grants to the global groups; prefer "
                    "BucketOwnershipControls BucketOwnerEnforced (ACLs disabled).",
        frameworks=merge(NETWORK_BOUNDARY, ACCESS_LEAST_PRIVILEGE),
        resource_types=(*BUCKET_TYPES, *ACL_TYPES),
        check=_acl_resource,
        fixtures=(
            F("fail", _bucket(acl="public-read")),
            F("fail", R(ACL_TYPES[1], "acl", {"bucket": "b", "accessControlPolicy": {
                "owner": {"id": "o"}, "grants": [{"permission": "READ", "grantee": {
                    "type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}})),
            F("pass", R(ACL_TYPES[0], "acl", {"bucket": "b", "acl": "private"})),
            F("pass", _bucket()),
        ),
    ),
    resource_rule(
        "s3-bucket-policy-not-public",
        "S3 bucket policies never allow Principal '*' without a condition.",
        "critical",
        remediation="Name the principals (roles, accounts, service principals with "
                    "aws:SourceArn / aws:SourceAccount conditions) instead of '*'.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=(*BUCKET_TYPES, POLICY),
        check=_policy_public,
        fixtures=(
            F("fail", R(POLICY, "pol", {"bucket": "b", "policy": _j({"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b/*"}]})})),
            F("pass", R(POLICY, "pol", {"bucket": "b", "policy": _TLS_POLICY})),
        ),
    ),
]
