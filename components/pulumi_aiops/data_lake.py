"""The governed multimodal data lake: raw, curated and audit buckets under one rotating CMK.

Every bucket is a :func:`~pulumi_aiops.aws.bucket.secure_bucket`: versioning, SSE-KMS with the
lake's customer-managed key (bucket key on), a public access block with all four settings true,
a bucket policy that denies non-TLS requests and uploads encrypted with anything but the lake's
key, access logging to a log bucket, and lifecycle tiers (uploads may omit the SSE headers — the
bucket default applies — or name the lake key by its ARN; any other key is refused). Each
modality (text, audio, images, video) has its own top-level prefix. Lineage and governance tags
(``data-classification``, ``owner``, ``source``, ``retention``, ``data-zone``) go on every
bucket. The key comes from :func:`~pulumi_aiops.aws.kms.kms_key` (or bring your own:
``kms_key_arn``).

Example::

    import pulumi_aws as aws
    from pulumi_aiops.data_lake import DataLake

    tags = {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "confidential"}
    ci = aws.iam.Role("ingest-ci", assume_role_policy=aws.iam.get_policy_document_output(statements=[{
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["codebuild.amazonaws.com"]}]}]).json)
    lake = DataLake("lake", {
        "classification": "confidential", "source": "support-tickets",
        "teams": [{"name": "search", "prefixes": ["text/"], "access": "read"},
                  {"name": "ingest", "zone": "raw", "prefixes": ["audio/"], "access": "write",
                   "trusted_principals": [ci.arn]}],          # any role's ARN output
        "tags": tags,
    })
    indexer = aws.iam.Role("indexer", assume_role_policy=ci.assume_role_policy)
    lake.grant_read(indexer, prefix="text/tickets/")           # S3 read + kms:Decrypt
    lake.grant_write(ci, prefix="audio/", zone="raw")          # + kms:GenerateDataKey
"""

import hashlib
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, field_validator

from pulumi_aiops.args import DataLakeArgs
from pulumi_aiops.aws.bucket import ObjectLock, SecureBucket, abort_multipart_rule, secure_bucket
from pulumi_aiops.aws.formats import IAM_PRINCIPAL, KMS_KEY_ARN, check_tags, checked
from pulumi_aiops.aws.iam import document, statement
from pulumi_aiops.aws.kms import kms_key
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.data import (
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
    "OLD_TYPE_TOKEN",
    "READ_KMS_ACTIONS",
    "TYPE_TOKEN",
    "WRITE_KMS_ACTIONS",
    "DataLake",
    "DataLakeArgs",
    "DataLakeArgsModel",
    "policy_json",
    "short_hash",
    "stateful",
]

#: The type token Pulumi's component provider hosts this component under.
TYPE_TOKEN = "aiops:index:DataLake"
#: The token of 0.1.0 (an alias keeps deployed stacks' URNs).
OLD_TYPE_TOKEN = "aiops:data:DataLake"

#: KMS actions a reader of SSE-KMS objects needs.
READ_KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"]
#: KMS actions a writer of SSE-KMS objects needs (multipart uploads also decrypt).
WRITE_KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                     "kms:ReEncryptFrom", "kms:ReEncryptTo"]

_S3_READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
_S3_WRITE = ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:AbortMultipartUpload",
             "s3:ListMultipartUploadParts"]
#: Longest component name: ``<name>-curated`` plus the 8 characters of Pulumi's auto-name suffix
#: must fit the 63 characters of an S3 bucket name.
_MAX_NAME = 63 - len("-curated") - 8


def short_hash(*parts: object, n: int = 6) -> str:
    """A short stable hash, for logical names derived from free text."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


def stateful(parent: pulumi.Resource, **more: Any) -> pulumi.ResourceOptions:
    """Options of a stateful child: protected, retained on delete, parented."""
    return pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True, **more)


def policy_json(statements: Sequence[dict[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document (JSON string, keys sorted) from statements that may hold Outputs."""
    return document(statements, sort_keys=True)


class DataLakeArgsModel(DataLakeConfig):
    """Arguments of :class:`DataLake`: the ``dataLake`` config section, plus ``tags``."""

    model_config = ConfigDict(title="DataLakeArgs")

    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Governance tags for every taggable resource (owner, cost-center, "
        "data-classification, …). @default {}",
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)


#: The default args: every data-lake setting has a default (read-only, never mutated).
_DEFAULTS: DataLakeArgs = {}


class DataLake(pulumi.ComponentResource):
    """Raw, curated and optional audit buckets with governance, lineage tags and per-team RBAC.

    Python attributes: ``buckets`` (zone name → bucket), ``log_bucket``, ``kms_key`` (``None``
    with a brought key), ``team_roles`` (team → role), ``tags``, ``config``. Use
    :meth:`bucket_arn`, :meth:`grant_read`, :meth:`grant_write`.
    """

    bucket_names: pulumi.Output[dict[str, str]]
    """Bucket name by zone (raw, curated, audit)."""
    bucket_arns: pulumi.Output[dict[str, str]]
    """Bucket ARN by zone."""
    log_bucket_name: pulumi.Output[str]
    """The access-log bucket."""
    kms_key_arn: pulumi.Output[str]
    """The key every lake bucket is encrypted with."""
    team_role_arns: pulumi.Output[dict[str, str]]
    """Team role ARN by team name."""

    def __init__(self, name: str, args: DataLakeArgs = _DEFAULTS,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        where = f"DataLake({name!r})"
        cfg = component_args(DataLakeArgsModel, args, where)
        if name != name.lower() or not name[:1].isalpha() or len(name) > _MAX_NAME:
            raise ConfigError(f"{where}: the name is not allowed; S3 bucket names derive from it, so use "
                              f"at most {_MAX_NAME} lowercase letters, digits and hyphens, starting with a letter")
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self.config: DataLakeArgsModel = cfg
        base_tags = dict(cfg.tags)
        classification = cfg.classification or DataClassification(
            base_tags.get("data-classification", DataClassification.INTERNAL.value))
        self.tags: dict[str, str] = {
            **base_tags,
            "data-classification": classification.value,
            "source": cfg.source,
            "retention": f"{cfg.retention_days}d",
        }
        self._grants: set[str] = set()

        self.kms_key: aws.kms.Key | None = None
        if cfg.kms_key_arn is None:
            self.kms_key = kms_key(
                f"{name}-key", parent=self,
                description=f"pulumi-aiops data lake {name}: SSE-KMS of every lake bucket",
                rotation_period_days=cfg.key_rotation_days, tags=self.tags,
                alias=f"alias/aiops/{name}-lake", alias_resource_name=f"{name}-key-alias")
            self.kms_key_arn = self.kms_key.arn
        else:
            self.kms_key_arn = pulumi.Output.from_input(
                checked(cfg.kms_key_arn, KMS_KEY_ARN, f"{where}.kmsKeyArn"))

        # Server access logs: S3 delivers them only to SSE-S3 buckets (SSE-KMS is unsupported
        # for log targets), so the log bucket uses AES256 and holds no lake data.
        logs = secure_bucket(
            f"{name}-logs", parent=self, tags={**self.tags, "data-zone": "logs"}, bucket_key_enabled=False,
            lifecycle_rules=[{"id": "expire-logs", "status": "Enabled", "filter": {"prefix": ""},
                              "expiration": {"days": cfg.retention_days},
                              "noncurrent_version_expiration": {"noncurrent_days": 30}}],
            policy_sort_keys=True)
        self.log_bucket: aws.s3.Bucket = logs.bucket
        self.secure_buckets: dict[str, SecureBucket] = {}
        for zone in (DataZone.RAW, DataZone.CURATED):
            self.secure_buckets[zone.value] = self._data_bucket(zone.value, logs, [_tiering(cfg.lifecycle)])
        if cfg.audit is not None:
            archive = {"id": "archive", "status": "Enabled", "filter": {"prefix": ""},
                       "transitions": [{"days": 90, "storage_class": "GLACIER_IR"}], **abort_multipart_rule(7)}
            self.secure_buckets[DataZone.AUDIT.value] = self._data_bucket(
                DataZone.AUDIT.value, logs, [archive],
                ObjectLock(cfg.audit.object_lock.value.upper(), cfg.audit.retention_days))
        self.buckets: dict[str, aws.s3.Bucket] = {z: sb.bucket for z, sb in self.secure_buckets.items()}
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        logs.attach_policy([statement(
            "Allow", "s3:PutObject", pulumi.Output.concat(logs.arn, "/*"), sid="S3ServerAccessLogs",
            principal={"Service": "logging.s3.amazonaws.com"},
            condition={"StringEquals": {"aws:SourceAccount": account},
                       "ArnLike": {"aws:SourceArn": [b.arn for b in self.buckets.values()]}})])

        self.team_roles: dict[str, aws.iam.Role] = {}
        for i, team in enumerate(cfg.teams):  # the index only locates errors; names come from the team
            self.team_roles[team.name] = self._team_role(team, f"{where}.teams[{i}]")

        self.bucket_names = _output_dict({z: b.bucket for z, b in self.buckets.items()})
        self.bucket_arns = _output_dict({z: b.arn for z, b in self.buckets.items()})
        self.log_bucket_name = self.log_bucket.bucket
        self.team_role_arns = _output_dict({t: r.arn for t, r in self.team_roles.items()})
        self.register_outputs({
            "bucketNames": self.bucket_names,
            "bucketArns": self.bucket_arns,
            "logBucketName": self.log_bucket_name,
            "kmsKeyArn": self.kms_key_arn,
            "teamRoleArns": self.team_role_arns,
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
            raise ConfigError(f"DataLake({self._name!r}): zone {key!r} is not allowed; zones: "
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
            raise ConfigError(f"DataLake({self._name!r}) grant prefix: {prefix!r} is not allowed; "
                              "use a plain key prefix such as 'text/tickets/'")
        keys = prefix or ""
        objects = pulumi.Output.concat(bucket.arn, "/", keys, "*")
        if prefix:
            list_stmt = statement("Allow", "s3:ListBucket", bucket.arn, sid="ListBucket",
                                  condition={"StringLike": {"s3:prefix": [f"{keys}*"]}})
        else:
            list_stmt = statement("Allow", ["s3:ListBucket", "s3:GetBucketLocation"], bucket.arn, sid="ListBucket")
        stmts: list[dict[str, Any]] = [
            statement("Allow", _S3_READ, objects, sid="ReadObjects"),
            list_stmt,
            statement("Allow", WRITE_KMS_ACTIONS if write else READ_KMS_ACTIONS, self.kms_key_arn,
                      sid="UseLakeKey"),
        ]
        if prefix:
            stmts.append(statement("Allow", "s3:GetBucketLocation", bucket.arn, sid="BucketLocation"))
        if write:
            stmts.insert(1, statement("Allow", _S3_WRITE, objects, sid="WriteObjects"))
        return stmts

    def _grant(self, role: aws.iam.Role, prefix: str | None, zone: DataZone | str, *,
               write: bool) -> aws.iam.RolePolicy:
        self.bucket(zone)  # validates the zone
        zone_v = DataZone(zone).value
        kind = "write" if write else "read"
        rname = getattr(role, "pulumi_resource_name", None) or "role"
        logical = f"{self._name}-{kind}-{rname}-{zone_v}-{short_hash(prefix or '*')}"
        if logical in self._grants:
            raise ConfigError(f"DataLake({self._name!r}): {kind} on {zone_v}/{prefix or '*'} is "
                              f"already granted to role {rname!r}")
        self._grants.add(logical)
        return aws.iam.RolePolicy(
            logical,
            role=role.name,
            policy=policy_json(self._statements(prefix, zone_v, write=write)),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _data_bucket(self, zone: str, logs: SecureBucket, rules: list[dict[str, Any]],
                     lock: ObjectLock | None = None) -> SecureBucket:
        """A lake bucket: SSE-KMS with the lake key; the policy refuses any other key."""
        key_arn = self.kms_key_arn

        def deny_other_keys(bucket: aws.s3.Bucket) -> list[dict[str, Any]]:
            objects = pulumi.Output.concat(bucket.arn, "/*")
            return [
                statement("Deny", "s3:PutObject", objects, sid="DenyNonKmsUploads", principal="*",
                          condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                                     "Null": {"s3:x-amz-server-side-encryption": "false"}}),
                statement("Deny", "s3:PutObject", objects, sid="DenyOtherKmsKeys", principal="*",
                          condition={"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn},
                                     "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}),
            ]

        return secure_bucket(
            f"{self._name}-{zone}", parent=self, tags={**self.tags, "data-zone": zone}, kms_key_arn=key_arn,
            lifecycle_rules=rules, object_lock=lock, log_to=logs, log_prefix=f"{zone}/",
            policy_statements=deny_other_keys, policy_sort_keys=True)

    def _team_role(self, team: TeamConfig, where: str) -> aws.iam.Role:
        if team.trusted_principals:
            principals: list[Any] = [checked(p, IAM_PRINCIPAL, f"{where}.trustedPrincipals[{j}]")
                                     for j, p in enumerate(team.trusted_principals)]
        else:
            invoke = pulumi.InvokeOutputOptions(parent=self)
            principals = [pulumi.Output.concat("arn:", aws.get_partition_output(opts=invoke).partition, ":iam::",
                                               aws.get_caller_identity_output(opts=invoke).account_id, ":root")]
        # Not a service role: the IAM user guide's "Create a role to give permissions to an IAM user"
        # (trust the named principals, or the account root so its IAM policies decide); permissions as
        # grant_read/grant_write (the S3 user guide's object and ListBucket/s3:prefix patterns, KMS on
        # the lake key).
        trust = policy_json([statement("Allow", "sts:AssumeRole", principal={"AWS": principals})])
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
            for k, s in enumerate(got):
                statements.append({**s, "Sid": f"{s['Sid']}{short_hash(p)}{k}"})
        aws.iam.RolePolicy(f"{self._name}-team-{team.name}-access", role=role.name,
                           policy=policy_json(statements), opts=pulumi.ResourceOptions(parent=self))
        return role


def _output_dict(values: dict[str, pulumi.Output[str]]) -> pulumi.Output[dict[str, str]]:
    """One output of a dict of outputs."""
    return pulumi.Output.all(**values) if values else pulumi.Output.from_input({})


def _tiering(lc: LifecycleConfig) -> dict[str, Any]:
    """The raw and curated buckets' rule: STANDARD_IA, then GLACIER_IR; old versions expire."""
    return {
        "id": "tiering", "status": "Enabled", "filter": {"prefix": ""},
        "transitions": [
            {"days": lc.infrequent_access_days, "storage_class": "STANDARD_IA"},
            {"days": lc.glacier_days, "storage_class": "GLACIER_IR"},
        ],
        "noncurrent_version_expiration": {"noncurrent_days": lc.noncurrent_expiry_days},
        **abort_multipart_rule(lc.abort_multipart_days),
    }
