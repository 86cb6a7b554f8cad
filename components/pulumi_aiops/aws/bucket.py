"""One way to make an S3 bucket: the standard secure set of resources, under a parent.

:func:`secure_bucket` creates, for a bucket ``name`` (``aws.s3.Bucket``, the pulumi-aws 7 bucket,
with its settings as the split-out resources the policy packs check):

* the bucket, ``protect`` and ``retain_on_delete``, never ``force_destroy``; object lock
  enabled at creation when asked (it cannot be turned on later);
* ``BucketOwnershipControls`` (BucketOwnerEnforced: ACLs off);
* ``BucketPublicAccessBlock`` with all four settings true;
* ``BucketVersioning`` (Enabled);
* ``BucketServerSideEncryptionConfiguration``: SSE-KMS with the given key (bucket key on), or
  SSE-S3 (AES256) when no key is given — what an access-log target needs, since S3 server
  access logging delivers only to SSE-S3 buckets;
* ``BucketLifecycleConfiguration`` with the given rules (after versioning), by default
  :func:`housekeeping_rule` (old versions expire, incomplete uploads are aborted);
* ``BucketObjectLockConfiguration`` (default retention) when ``object_lock`` is given;
* ``BucketPolicy`` denying every request without TLS, merged with the caller's statements
  (now, or later with :meth:`SecureBucket.attach_policy` when the statements need resources
  created after the bucket);
* ``BucketLogging`` to a log bucket (:meth:`SecureBucket.log_to`, or ``log_to=`` at creation).

Logical names are ``f"{name}{suffix}"`` with the suffixes of :class:`BucketNaming`, so a
component that adopts this helper keeps the names (and URNs) it had. Example (in a component
of your own)::

    import pulumi
    from pulumi_aiops.aws.bucket import secure_bucket
    from pulumi_aiops.aws.iam import statement
    from pulumi_aiops.aws.kms import kms_key

    class Archive(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("example:index:Archive", name)
            key = kms_key(f"{name}-key", parent=self, description="archive objects")
            expire = {"id": "expire", "status": "Enabled", "filter": {"prefix": ""},
                      "expiration": {"days": 365}}
            logs = secure_bucket(f"{name}-logs", parent=self, lifecycle_rules=[expire])  # SSE-S3
            self.data = secure_bucket(
                f"{name}-data", parent=self, kms_key_arn=key.arn, log_to=logs, log_prefix="data/",
                policy_statements=[])                         # TLS-only, nothing else
            logs.attach_policy([statement(
                "Allow", "s3:PutObject", pulumi.Output.concat(logs.arn, "/*"), sid="S3ServerAccessLogs",
                principal={"Service": "logging.s3.amazonaws.com"},
                condition={"ArnLike": {"aws:SourceArn": self.data.arn}})])

    Archive("archive")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.aws.iam import document, statement

__all__ = [
    "DEFAULT_NAMING",
    "SHORT_NAMING",
    "BucketNaming",
    "ObjectLock",
    "SecureBucket",
    "abort_multipart_rule",
    "deny_insecure_transport",
    "housekeeping_rule",
    "secure_bucket",
]


@dataclass(frozen=True)
class BucketNaming:
    """Suffixes of the companion resources' logical names (``f"{bucket name}{suffix}"``)."""

    ownership: str = "-ownership"
    public_access_block: str = "-public-access-block"
    versioning: str = "-versioning"
    encryption: str = "-encryption"
    logging: str = "-logging"
    lifecycle: str = "-lifecycle"
    object_lock: str = "-object-lock"
    policy: str = "-policy"


#: The suffixes the data lake uses.
DEFAULT_NAMING = BucketNaming()
#: The shorter suffixes BedrockAccess's log buckets use (``-pab``, ``-sse``).
SHORT_NAMING = BucketNaming(public_access_block="-pab", encryption="-sse")


@dataclass(frozen=True)
class ObjectLock:
    """S3 Object Lock default retention: ``mode`` GOVERNANCE or COMPLIANCE, for ``days``."""

    mode: str
    days: int

    def __post_init__(self) -> None:
        if self.mode not in ("GOVERNANCE", "COMPLIANCE") or self.days < 1:
            raise ValueError(f"object lock {self.mode!r}/{self.days}: mode must be GOVERNANCE or "
                             "COMPLIANCE and days at least 1")


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The statement that denies every S3 request to the bucket (and its objects) without TLS."""
    objects = pulumi.Output.concat(bucket_arn, "/*")
    return statement("Deny", "s3:*", [bucket_arn, objects], sid="DenyInsecureTransport", principal="*",
                     condition={"Bool": {"aws:SecureTransport": "false"}})


def abort_multipart_rule(days: int = 7) -> dict[str, Any]:
    """The ``abort_incomplete_multipart_upload`` part of a lifecycle rule."""
    return {"abort_incomplete_multipart_upload": {"days_after_initiation": days}}


def housekeeping_rule(noncurrent_days: int = 90, abort_multipart_days: int = 7) -> dict[str, Any]:
    """The default lifecycle rule: non-current versions expire after ``noncurrent_days``, and
    incomplete multipart uploads are aborted (nothing current is ever deleted)."""
    return {"id": "housekeeping", "status": "Enabled", "filter": {"prefix": ""},
            "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
            **abort_multipart_rule(abort_multipart_days)}


Statements = Sequence[Mapping[str, Any]]


@dataclass
class SecureBucket:
    """What :func:`secure_bucket` created. ``resources`` lists every one (for ``depends_on``)."""

    name: str
    parent: pulumi.Resource
    naming: BucketNaming
    bucket: aws.s3.Bucket
    ownership: aws.s3.BucketOwnershipControls
    public_access_block: aws.s3.BucketPublicAccessBlock
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    lifecycle: aws.s3.BucketLifecycleConfiguration | None = None  # set by secure_bucket
    object_lock: aws.s3.BucketObjectLockConfiguration | None = None
    policy: aws.s3.BucketPolicy | None = None
    logging: aws.s3.BucketLogging | None = None
    policy_document: pulumi.Output[str] | None = None
    _policy_format: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.bucket.arn

    @property
    def id(self) -> pulumi.Output[str]:
        return self.bucket.id

    @property
    def resources(self) -> list[pulumi.Resource]:
        return [r for r in (self.encryption, self.versioning, self.public_access_block, self.ownership,
                            self.policy, self.lifecycle, self.object_lock, self.logging) if r is not None]

    def attach_policy(
        self,
        statements: Statements | Callable[[aws.s3.Bucket], Statements] = (),
        *,
        tls_first: bool = True,
        sort_keys: bool | None = None,
        indent: int | None = None,
        resource_name: str | None = None,
    ) -> aws.s3.BucketPolicy:
        """The bucket policy: :func:`deny_insecure_transport` merged with ``statements`` (TLS
        first unless ``tls_first=False``), after the public access block."""
        if self.policy is not None:
            raise ValueError(f"bucket {self.name!r} already has its policy")
        extra = list(statements(self.bucket) if callable(statements) else statements)
        tls = deny_insecure_transport(self.bucket.arn)
        stmts = [tls, *extra] if tls_first else [*extra, tls]
        fmt = dict(self._policy_format)
        if sort_keys is not None:
            fmt["sort_keys"] = sort_keys
        if indent is not None:
            fmt["indent"] = indent
        self.policy_document = document(stmts, **fmt)
        self.policy = aws.s3.BucketPolicy(
            resource_name or f"{self.name}{self.naming.policy}", bucket=self.bucket.id,
            policy=self.policy_document,
            opts=pulumi.ResourceOptions(parent=self.parent, depends_on=[self.public_access_block]))
        return self.policy

    def log_to(self, target: SecureBucket | aws.s3.Bucket, prefix: str,
               depends_on: Sequence[pulumi.Resource] = ()) -> aws.s3.BucketLogging:
        """Server access logs of this bucket into ``target`` under ``prefix`` (the target's
        policy must admit ``logging.s3.amazonaws.com`` for this bucket)."""
        if self.logging is not None:
            raise ValueError(f"bucket {self.name!r} already logs")
        target_bucket = target.bucket if isinstance(target, SecureBucket) else target
        self.logging = aws.s3.BucketLogging(
            f"{self.name}{self.naming.logging}", bucket=self.bucket.id, target_bucket=target_bucket.id,
            target_prefix=prefix,
            opts=pulumi.ResourceOptions(parent=self.parent, depends_on=list(depends_on) or None))
        return self.logging


def secure_bucket(
    name: str,
    *,
    parent: pulumi.Resource,
    tags: Mapping[str, str] | None = None,
    kms_key_arn: pulumi.Input[str] | None = None,
    bucket_key_enabled: bool | None = None,
    lifecycle_rules: Sequence[Mapping[str, Any]] | None = None,
    object_lock: ObjectLock | None = None,
    log_to: SecureBucket | aws.s3.Bucket | None = None,
    log_prefix: str | None = None,
    policy_statements: Statements | Callable[[aws.s3.Bucket], Statements] | None = None,
    policy_tls_first: bool = True,
    policy_sort_keys: bool = False,
    policy_indent: int | None = None,
    naming: BucketNaming = DEFAULT_NAMING,
) -> SecureBucket:
    """Create the secure bucket set ``name`` under ``parent`` (see the module docstring).

    ``kms_key_arn`` None means SSE-S3 (for access-log targets only); ``bucket_key_enabled``
    defaults to on with a KMS key and is left out otherwise. ``policy_statements`` (or a
    function of the bucket returning them) creates the bucket policy now; pass ``None`` and
    call :meth:`SecureBucket.attach_policy` later when the statements name resources created
    afterwards. ``lifecycle_rules`` are ``BucketLifecycleConfiguration`` rules (snake_case
    dicts); ``None`` means ``[housekeeping_rule()]``. Every bucket gets at least one rule.
    """
    rules = [housekeeping_rule()] if lifecycle_rules is None else [dict(r) for r in lifecycle_rules]
    if not rules:
        raise ValueError(f"bucket {name!r}: give at least one lifecycle rule (or None for housekeeping_rule())")
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        name,
        object_lock_enabled=True if object_lock is not None else None,
        force_destroy=False,
        tags=dict(tags) if tags is not None else None,
        opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True),
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{name}{naming.ownership}", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child)
    pab = aws.s3.BucketPublicAccessBlock(
        f"{name}{naming.public_access_block}", bucket=bucket.id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, opts=child)
    versioning = aws.s3.BucketVersioning(
        f"{name}{naming.versioning}", bucket=bucket.id, versioning_configuration={"status": "Enabled"},
        opts=child)
    bucket_key: bool | None
    if kms_key_arn is not None:
        default: Any = {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}
        bucket_key = True if bucket_key_enabled is None else bucket_key_enabled
    else:
        default = {"sse_algorithm": "AES256"}
        bucket_key = bucket_key_enabled
    rule: Any = {"apply_server_side_encryption_by_default": default}
    if bucket_key is not None:
        rule["bucket_key_enabled"] = bucket_key
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}{naming.encryption}", bucket=bucket.id, rules=[rule], opts=child)
    out = SecureBucket(name=name, parent=parent, naming=naming, bucket=bucket, ownership=ownership,
                       public_access_block=pab, versioning=versioning, encryption=encryption,
                       _policy_format={"sort_keys": policy_sort_keys, "indent": policy_indent})
    if log_to is not None:
        if log_prefix is None:
            raise ValueError("log_to needs log_prefix")
        out.log_to(log_to, log_prefix)
    out.lifecycle = aws.s3.BucketLifecycleConfiguration(
        f"{name}{naming.lifecycle}", bucket=bucket.id, rules=rules,  # type: ignore[arg-type]
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]))
    if object_lock is not None:
        out.object_lock = aws.s3.BucketObjectLockConfiguration(
            f"{name}{naming.object_lock}", bucket=bucket.id, object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": object_lock.mode, "days": object_lock.days}},
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]))
    if policy_statements is not None:
        out.attach_policy(policy_statements, tls_first=policy_tls_first)
    return out
