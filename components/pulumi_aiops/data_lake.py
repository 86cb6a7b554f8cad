"""The governed multimodal data lake: raw, curated and audit buckets under one rotating CMK.

Every bucket gets versioning, SSE-KMS with the lake's customer-managed key (bucket key on), a
public access block with all four settings true, a bucket policy that denies non-TLS requests
and uploads encrypted with anything but the lake's key, access logging to a log bucket, and
lifecycle tiers (uploads may omit the SSE headers — the bucket default applies — or name the
lake key by its ARN; any other key is refused). Each modality (text, audio, images, video) has its own top-level prefix.
Lineage and governance tags (``data-classification``, ``owner``, ``source``, ``retention``,
``data-zone``) go on every bucket.

Example::

    lake = DataLake("lake", {
        "classification": "confidential", "source": "support-tickets",
        "teams": [{"name": "search", "prefixes": ["text/"], "access": "read"}],
        "tags": platform.tags(),
    })
    lake.grant_read(indexer_role, prefix="text/tickets/")          # S3 read + kms:Decrypt
    lake.grant_write(ingest_role, prefix="audio/", zone="raw")     # + kms:GenerateDataKey
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.data import (
    AuditConfig,
    DataLakeConfig,
    DataZone,
    LifecycleConfig,
    Modality,
    TeamAccess,
    TeamConfig,
)
from pulumi_aiops.config.governance import DataClassification
from pulumi_aiops.errors import ConfigError

__all__ = [
    "READ_KMS_ACTIONS",
    "WRITE_KMS_ACTIONS",
    "DataLake",
    "DataLakeArgs",
    "policy_json",
    "short_hash",
    "stateful",
]

#: KMS actions a reader of SSE-KMS objects needs.
READ_KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"]
#: KMS actions a writer of SSE-KMS objects needs (multipart uploads also decrypt).
WRITE_KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                     "kms:ReEncryptFrom", "kms:ReEncryptTo"]

_S3_READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
_S3_WRITE = ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:AbortMultipartUpload",
             "s3:ListMultipartUploadParts"]


def short_hash(*parts: object, n: int = 6) -> str:
    """A short stable hash, for logical names derived from free text."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


def stateful(parent: pulumi.Resource, **more: Any) -> pulumi.ResourceOptions:
    """Options of a stateful child: protected, retained on delete, parented."""
    return pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True, **more)


def policy_json(statements: Sequence[dict[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document (JSON string) from statements that may hold Outputs."""
    return pulumi.Output.from_input({"Version": "2012-10-17", "Statement": list(statements)}).apply(
        lambda d: json.dumps(d, sort_keys=True)
    )


class DataLakeArgs(TypedDict, total=False):
    """Arguments of :class:`DataLake` (same keys as the ``dataLake`` config section)."""

    classification: str
    """Data classification (public, internal, confidential, phi, pci).
    @default the `data-classification` entry of ``tags``, else internal"""
    source: str
    """Lineage: where the data comes from (the `source` tag). @default mixed"""
    retention_days: int
    """Retention commitment in days (the `retention` tag; log expiry). @default 730"""
    modalities: list[str]
    """Modality prefixes served. @default [text, audio, images, video]"""
    lifecycle: dict[str, Any]
    """Storage tiers: ``infrequent_access_days``, ``glacier_days``, ``noncurrent_expiry_days``,
    ``abort_multipart_days``. @default 30 / 90 / 90 / 7"""
    audit: dict[str, Any] | None
    """Object-locked audit bucket: ``object_lock`` (governance|compliance), ``retention_days``.
    @default none (no audit bucket)"""
    teams: list[dict[str, Any]]
    """Per-team roles: ``name``, ``zone``, ``prefixes``, ``access`` (read|write),
    ``trusted_principals``. @default []"""
    key_rotation_days: int
    """KMS key rotation period in days (90-2560). @default 365"""
    tags: dict[str, str]
    """Governance tags for every taggable resource (owner, cost-center, data-classification).
    @default {}"""


class DataLake(pulumi.ComponentResource):
    """Raw, curated and optional audit buckets with governance, lineage tags and per-team RBAC.

    Attributes: ``buckets`` (zone name → bucket), ``log_bucket``, ``kms_key``, ``team_roles``
    (team → role), ``config``. Use :meth:`bucket_arn`, :meth:`grant_read`, :meth:`grant_write`.
    """

    buckets: dict[str, aws.s3.Bucket]
    log_bucket: aws.s3.Bucket
    kms_key: aws.kms.Key
    team_roles: dict[str, aws.iam.Role]
    config: DataLakeConfig

    def __init__(self, name: str, args: DataLakeArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        raw: dict[str, Any] = dict(args or {})
        base_tags: dict[str, str] = dict(raw.pop("tags", None) or {})
        cfg = validate_model(DataLakeConfig, raw, f"DataLakeArgs({name!r})")
        if name != name.lower() or not name[:1].isalpha():
            raise ConfigError(f"DataLake name: {name!r} is not allowed; S3 bucket names derive from "
                              "it, so use lowercase letters, digits and hyphens, starting with a letter")
        super().__init__("aiops:data:DataLake", name, {}, opts)
        self.config = cfg
        classification = cfg.classification or DataClassification(
            base_tags.get("data-classification", DataClassification.INTERNAL.value))
        self.tags = {
            **base_tags,
            "data-classification": classification.value,
            "source": cfg.source,
            "retention": f"{cfg.retention_days}d",
        }
        self._grants: set[str] = set()
        self._public_access_blocks: dict[str, aws.s3.BucketPublicAccessBlock] = {}

        self.kms_key = aws.kms.Key(
            f"{name}-key",
            description=f"pulumi-aiops data lake {name}: SSE-KMS of every lake bucket",
            enable_key_rotation=True,
            rotation_period_in_days=cfg.key_rotation_days,
            deletion_window_in_days=30,
            tags=self.tags,
            opts=stateful(self),
        )
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/aiops/{name}-lake",
                      target_key_id=self.kms_key.key_id, opts=pulumi.ResourceOptions(parent=self))

        # Server access logs: S3 delivers them only to SSE-S3 buckets (SSE-KMS is unsupported
        # for log targets), so the log bucket uses AES256 and holds no lake data.
        self.log_bucket = self._bucket("logs", kms=False, object_lock=None, lifecycle=None,
                                       log_to=None, expire_days=cfg.retention_days)
        self.buckets = {}
        for zone in (DataZone.RAW, DataZone.CURATED):
            self.buckets[zone.value] = self._bucket(zone.value, kms=True, object_lock=None,
                                                    lifecycle=cfg.lifecycle, log_to=self.log_bucket)
        if cfg.audit is not None:
            self.buckets[DataZone.AUDIT.value] = self._bucket(
                DataZone.AUDIT.value, kms=True, object_lock=cfg.audit, lifecycle=None,
                log_to=self.log_bucket)
        self._log_delivery_policy()

        self.team_roles = {}
        for team in cfg.teams:
            self.team_roles[team.name] = self._team_role(team)

        self.register_outputs({
            "bucketNames": {z: b.bucket for z, b in self.buckets.items()},
            "bucketArns": {z: b.arn for z, b in self.buckets.items()},
            "logBucketName": self.log_bucket.bucket,
            "kmsKeyArn": self.kms_key.arn,
            "teamRoleArns": {t: r.arn for t, r in self.team_roles.items()},
            "modalities": [m.value for m in cfg.modalities],
        })

    # -- public API ---------------------------------------------------------------------------
    def bucket(self, zone: DataZone | str) -> aws.s3.Bucket:
        """The bucket of ``zone`` (raw, curated, audit)."""
        try:
            key = DataZone(zone).value
        except ValueError:
            key = str(zone)
        if key not in self.buckets:
            raise ConfigError(f"DataLake {self._name!r}: zone {key!r} is not allowed; zones: "
                              f"{sorted(self.buckets)} (audit needs dataLake.audit)")
        return self.buckets[key]

    def bucket_arn(self, zone: DataZone | str = DataZone.CURATED) -> pulumi.Output[str]:
        """The ARN of the bucket of ``zone``."""
        return self.bucket(zone).arn

    def bucket_name(self, zone: DataZone | str = DataZone.CURATED) -> pulumi.Output[str]:
        """The name of the bucket of ``zone``."""
        return self.bucket(zone).bucket

    def prefix(self, modality: Modality | str) -> str:
        """The key prefix of a modality, e.g. ``text/``."""
        return f"{Modality(modality).value}/"

    def read_statements(self, prefix: str | None = None,
                        zone: DataZone | str = DataZone.CURATED) -> list[dict[str, Any]]:
        """IAM statements to read ``prefix`` (or the whole bucket) of ``zone``, with KMS."""
        return self._statements(prefix, zone, write=False)

    def write_statements(self, prefix: str | None = None,
                         zone: DataZone | str = DataZone.CURATED) -> list[dict[str, Any]]:
        """IAM statements to read and write ``prefix`` of ``zone``, with KMS."""
        return self._statements(prefix, zone, write=True)

    def grant_read(self, role: aws.iam.Role, prefix: str | None = None,
                   zone: DataZone | str = DataZone.CURATED) -> aws.iam.RolePolicy:
        """Attach a policy letting ``role`` read ``prefix`` of ``zone`` and decrypt with the key.

        Like AWS CDK's ``grantRead``: S3 object reads scoped to the prefix, ``s3:ListBucket``
        fenced by ``s3:prefix``, and ``kms:Decrypt`` on the lake key.
        """
        return self._grant(role, prefix, zone, write=False)

    def grant_write(self, role: aws.iam.Role, prefix: str | None = None,
                    zone: DataZone | str = DataZone.CURATED) -> aws.iam.RolePolicy:
        """Attach a policy letting ``role`` read and write ``prefix`` of ``zone`` (S3 + KMS)."""
        return self._grant(role, prefix, zone, write=True)

    # -- internals ----------------------------------------------------------------------------
    def _statements(self, prefix: str | None, zone: DataZone | str, *, write: bool) -> list[dict[str, Any]]:
        bucket = self.bucket(zone)
        if prefix is not None and (prefix.startswith("/") or "*" in prefix or ".." in prefix):
            raise ConfigError(f"DataLake {self._name!r} grant prefix: {prefix!r} is not allowed; "
                              "use a plain key prefix such as 'text/tickets/'")
        keys = prefix or ""
        objects = bucket.arn.apply(lambda a: f"{a}/{keys}*")
        list_stmt: dict[str, Any] = {"Sid": "ListBucket", "Effect": "Allow",
                                     "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                                     "Resource": bucket.arn}
        if prefix:
            list_stmt["Action"] = "s3:ListBucket"
            list_stmt["Condition"] = {"StringLike": {"s3:prefix": [f"{keys}*"]}}
        stmts: list[dict[str, Any]] = [
            {"Sid": "ReadObjects", "Effect": "Allow", "Action": _S3_READ, "Resource": objects},
            list_stmt,
            {"Sid": "UseLakeKey", "Effect": "Allow",
             "Action": WRITE_KMS_ACTIONS if write else READ_KMS_ACTIONS, "Resource": self.kms_key.arn},
        ]
        if prefix:
            stmts.append({"Sid": "BucketLocation", "Effect": "Allow", "Action": "s3:GetBucketLocation",
                          "Resource": bucket.arn})
        if write:
            stmts.insert(1, {"Sid": "WriteObjects", "Effect": "Allow", "Action": _S3_WRITE,
                             "Resource": objects})
        return stmts

    def _grant(self, role: aws.iam.Role, prefix: str | None, zone: DataZone | str, *,
               write: bool) -> aws.iam.RolePolicy:
        self.bucket(zone)  # validates the zone
        zone_v = DataZone(zone).value
        kind = "write" if write else "read"
        rname = getattr(role, "pulumi_resource_name", None) or "role"
        logical = f"{self._name}-{kind}-{rname}-{zone_v}-{short_hash(prefix or '*')}"
        if logical in self._grants:
            raise ConfigError(f"DataLake {self._name!r}: {kind} on {zone_v}/{prefix or '*'} is "
                              f"already granted to role {rname!r}")
        self._grants.add(logical)
        return aws.iam.RolePolicy(
            logical,
            role=role.name,
            policy=policy_json(self._statements(prefix, zone_v, write=write)),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _bucket(self, zone: str, *, kms: bool, object_lock: AuditConfig | None,
                lifecycle: LifecycleConfig | None, log_to: aws.s3.Bucket | None,
                expire_days: int | None = None) -> aws.s3.Bucket:
        n = f"{self._name}-{zone}"
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            n,
            object_lock_enabled=True if object_lock is not None else None,
            force_destroy=False,
            tags={**self.tags, "data-zone": zone},
            opts=stateful(self),
        )
        aws.s3.BucketOwnershipControls(f"{n}-ownership", bucket=bucket.id,
                                       rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        pab = aws.s3.BucketPublicAccessBlock(
            f"{n}-public-access-block", bucket=bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=child)
        versioning = aws.s3.BucketVersioning(
            f"{n}-versioning", bucket=bucket.id,
            versioning_configuration={"status": "Enabled"}, opts=child)
        if kms:
            sse: Any = {"sse_algorithm": "aws:kms", "kms_master_key_id": self.kms_key.arn}
        else:
            sse = {"sse_algorithm": "AES256"}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{n}-encryption", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": sse, "bucket_key_enabled": kms}],
            opts=child)
        if log_to is not None:
            aws.s3.BucketLogging(f"{n}-logging", bucket=bucket.id, target_bucket=log_to.id,
                                 target_prefix=f"{zone}/", opts=child)
        rules: list[Any] = []
        if lifecycle is not None:
            rules.append({
                "id": "tiering", "status": "Enabled", "filter": {"prefix": ""},
                "transitions": [
                    {"days": lifecycle.infrequent_access_days, "storage_class": "STANDARD_IA"},
                    {"days": lifecycle.glacier_days, "storage_class": "GLACIER_IR"},
                ],
                "noncurrent_version_expiration": {"noncurrent_days": lifecycle.noncurrent_expiry_days},
                "abort_incomplete_multipart_upload": {
                    "days_after_initiation": lifecycle.abort_multipart_days},
            })
        elif expire_days is not None:
            rules.append({"id": "expire-logs", "status": "Enabled", "filter": {"prefix": ""},
                          "expiration": {"days": expire_days},
                          "noncurrent_version_expiration": {"noncurrent_days": 30}})
        elif object_lock is not None:
            rules.append({"id": "archive", "status": "Enabled", "filter": {"prefix": ""},
                          "transitions": [{"days": 90, "storage_class": "GLACIER_IR"}],
                          "abort_incomplete_multipart_upload": {"days_after_initiation": 7}})
        aws.s3.BucketLifecycleConfiguration(
            f"{n}-lifecycle", bucket=bucket.id, rules=rules,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))
        if object_lock is not None:
            aws.s3.BucketObjectLockConfiguration(
                f"{n}-object-lock", bucket=bucket.id, object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": object_lock.object_lock.value.upper(),
                                            "days": object_lock.retention_days}},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))
        if kms:
            aws.s3.BucketPolicy(f"{n}-policy", bucket=bucket.id,
                                policy=policy_json(self._data_bucket_policy(bucket)),
                                opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]))
        self._public_access_blocks[zone] = pab
        return bucket

    @staticmethod
    def _deny_insecure_transport(bucket: aws.s3.Bucket) -> dict[str, Any]:
        return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [bucket.arn, bucket.arn.apply(lambda a: f"{a}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

    def _data_bucket_policy(self, bucket: aws.s3.Bucket) -> list[dict[str, Any]]:
        objects = bucket.arn.apply(lambda a: f"{a}/*")
        return [
            self._deny_insecure_transport(bucket),
            {"Sid": "DenyNonKmsUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": objects,
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                           "Null": {"s3:x-amz-server-side-encryption": "false"}}},
            {"Sid": "DenyOtherKmsKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": objects,
             "Condition": {"StringNotEquals": {
                 "s3:x-amz-server-side-encryption-aws-kms-key-id": self.kms_key.arn},
                 "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}},
        ]

    def _log_delivery_policy(self) -> None:
        lb = self.log_bucket
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        doc = policy_json([
            self._deny_insecure_transport(lb),
            {"Sid": "S3ServerAccessLogs", "Effect": "Allow",
             "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": lb.arn.apply(lambda a: f"{a}/*"),
             "Condition": {"StringEquals": {"aws:SourceAccount": account},
                           "ArnLike": {"aws:SourceArn": [b.arn for b in self.buckets.values()]}}},
        ])
        aws.s3.BucketPolicy(f"{self._name}-logs-policy", bucket=lb.id, policy=doc,
                            opts=pulumi.ResourceOptions(parent=self,
                                                        depends_on=[self._public_access_blocks["logs"]]))

    def _team_role(self, team: TeamConfig) -> aws.iam.Role:
        if team.trusted_principals:
            principals: Any = team.trusted_principals
        else:
            invoke = pulumi.InvokeOutputOptions(parent=self)
            principals = [pulumi.Output.all(aws.get_partition_output(opts=invoke).partition,
                                            aws.get_caller_identity_output(opts=invoke).account_id).apply(
                lambda pa: f"arn:{pa[0]}:iam::{pa[1]}:root")]
        trust = policy_json([{"Effect": "Allow", "Principal": {"AWS": principals},
                              "Action": "sts:AssumeRole"}])
        role = aws.iam.Role(
            f"{self._name}-team-{team.name}",
            description=f"Data lake {self._name}: team {team.name} ({team.access.value} on "
                        f"{team.zone.value}: {', '.join(team.prefixes)})",
            assume_role_policy=trust,
            max_session_duration=3600,
            tags={**self.tags, "team": team.name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        statements: list[dict[str, Any]] = []
        for p in team.prefixes:
            got = self._statements(p, team.zone, write=team.access is TeamAccess.WRITE)
            for i, s in enumerate(got):
                statements.append({**s, "Sid": f"{s['Sid']}{short_hash(p)}{i}"})
        aws.iam.RolePolicy(f"{self._name}-team-{team.name}-access", role=role.name,
                           policy=policy_json(statements), opts=pulumi.ResourceOptions(parent=self))
        return role
