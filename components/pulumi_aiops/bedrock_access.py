"""Governed access to Amazon Bedrock: model allowlist, guardrail, invocation logging, endpoints.

:class:`BedrockAccess` builds, from a model allowlist:

* an IAM managed policy that allows ``bedrock:InvokeModel`` and
  ``bedrock:InvokeModelWithResponseStream`` on the allowlisted models only. The Converse API is
  authorized through these same actions: the Bedrock API reference says Converse "requires
  permission for the ``bedrock:InvokeModel`` action", and that denying ``InvokeModel`` and
  ``InvokeModelWithResponseStream`` "also denies access … through the Converse API actions
  (Converse and ConverseStream)" (API_runtime_Converse.html,
  API_runtime_InvokeModelWithResponseStream.html). There is no separate IAM action to grant.
  A cross-region inference profile is granted as its profile ARN plus the foundation-model ARN
  in each destination region, the latter fenced by ``bedrock:InferenceProfileArn`` so the
  model cannot be called directly in those regions. No model ARN contains a wildcard.
* a guardrail (:class:`aws.bedrock.Guardrail`) and a published
  :class:`aws.bedrock.GuardrailVersion`, enforced through IAM: the invoke statements for
  generative models require ``bedrock:GuardrailIdentifier`` to equal the version ARN
  (``arn:…:guardrail/<id>:<version>``) and an explicit Deny fires when it does not, so a holder
  of this policy cannot call the allowlisted generative models (profiles, their destination
  models, provisioned throughput) without the guardrail, whatever other policies allow.
  Embedding models (which guardrails do not apply to) are allowed ``bedrock:InvokeModel``
  without that condition.
* model invocation logging (an account-and-region singleton) to a versioned, KMS-encrypted,
  TLS-only S3 bucket and a KMS-encrypted CloudWatch log group with retention, through a
  delivery role that only Bedrock in this account can assume.
* interface VPC endpoints (``bedrock``, ``bedrock-runtime``, ``bedrock-agent-runtime``) with
  private DNS and a security group that admits 443 from the VPC's CIDR blocks only.
* optional provisioned throughput.

Listing models (``bedrock:ListFoundationModels``) needs ``Resource: "*"`` and is deliberately
not granted: the allowlist is enforced on the invoke actions.

Example::

    access = BedrockAccess("bedrock", {
        "models": ["us.anthropic.claude-sonnet-4-20250514-v1:0", "amazon.titan-embed-text-v2:0"],
        "guardrail": {"denied_topics": [{"name": "legal-advice",
                                         "definition": "Advice on specific legal cases."}]},
        "vpc_id": cluster.vpc_id, "subnet_ids": cluster.private_subnet_ids,
        "tags": platform.tags(),
    })
    access.grant_invoke(cluster.workload_role("chat", "apps", "chat"))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from pulumi_aiops.catalog.bedrock import lookup_bedrock
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.bedrock import (
    BedrockAccessConfig,
    CommitmentDuration,
    EndpointMode,
    GuardrailConfig,
    InvocationLoggingConfig,
    LogDestination,
    LoggedData,
    PrivateEndpointsConfig,
    ProvisionedThroughputConfig,
)
from pulumi_aiops.errors import ConfigError

__all__ = [
    "INVOKE_ACTIONS",
    "BedrockAccess",
    "BedrockAccessArgs",
    "foundation_model_arn",
    "guardrail_invoke_statements",
    "inference_profile_arn",
    "invoke_policy_document",
]

#: The IAM actions that authorize InvokeModel, InvokeModelWithResponseStream, Converse and
#: ConverseStream (Converse* are authorized through the two Invoke* actions).
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
_GUARDRAIL_KEY = "bedrock:GuardrailIdentifier"
_PROFILE_KEY = "bedrock:InferenceProfileArn"
#: The CloudWatch log stream Bedrock writes invocation logs to.
_LOG_STREAM = "aws/bedrock/modelinvocations"


class BedrockAccessArgs(TypedDict, total=False):
    """Arguments of :class:`BedrockAccess`; the same keys as ``aiops:platform.bedrock``."""

    models: Sequence[str]
    """Allowlist of foundation model ids and cross-region inference profile ids, checked against
    ``catalog/bedrock_models.toml``. Required."""
    guardrail: GuardrailConfig | Mapping[str, Any]
    """Guardrail filters, PII entities, denied topics, messages. @default the baseline (all
    content filters HIGH, PROMPT_ATTACK input HIGH, common PII anonymized/blocked)"""
    invocation_logging: InvocationLoggingConfig | Mapping[str, Any]
    """Invocation logging destinations and retention. @default S3 + CloudWatch, 365 days"""
    private_endpoints: PrivateEndpointsConfig | Mapping[str, Any]
    """Interface VPC endpoints (``mode``, ``services``; ``cluster`` is read by the builder).
    @default ENABLED: needs ``vpc_id`` and ``subnet_ids``"""
    provisioned_throughput: Sequence[ProvisionedThroughputConfig | Mapping[str, Any]]
    """Provisioned throughput per allowlisted foundation model. @default []"""
    vpc_id: pulumi.Input[str]
    """VPC for the interface endpoints (e.g. ``EksGpuCluster.vpc_id``). @default none (required
    when private endpoints are ENABLED)"""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the endpoint interfaces. @default none (required with ``vpc_id``)"""
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Extra security groups attached to the endpoints, besides the one this component creates
    (443 from the VPC CIDRs). @default []"""
    tags: Mapping[str, str]
    """Tags for every taggable resource (owner, cost-center, data-classification). @default {}"""


# -- ARNs and policy documents (pure functions of plain strings) --------------------------------
def foundation_model_arn(partition: str, region: str, model_id: str) -> str:
    """``arn:<partition>:bedrock:<region>::foundation-model/<id>`` (no account: AWS-owned)."""
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"


def inference_profile_arn(partition: str, region: str, account: str, profile_id: str) -> str:
    """The ARN of a system-defined inference profile as seen from ``region`` and ``account``."""
    return f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile_id}"


def guardrail_invoke_statements(
    models: Sequence[str],
    *,
    partition: str,
    region: str,
    account: str,
    guardrail_version_arn: str | None,
    provisioned_arns: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """IAM statements allowing the invoke actions on ``models`` only.

    Generative models (and their profiles, and ``provisioned_arns``) are allowed with
    ``StringEquals bedrock:GuardrailIdentifier = guardrail_version_arn`` and denied with
    ``StringNotEquals`` on the same key; embedding models get ``bedrock:InvokeModel`` alone.
    ``guardrail_version_arn=None`` (a knowledge-base service role, which only embeds) requires
    that ``models`` be embedding models.
    """
    direct: list[str] = []
    embeddings: list[str] = []
    fenced: list[tuple[str, list[str]]] = []
    for model_id in models:
        entry = lookup_bedrock(model_id)
        if entry.profile is not None:
            profile_arn = inference_profile_arn(partition, region, account, entry.id)
            direct.append(profile_arn)
            fenced.append((profile_arn, [
                foundation_model_arn(partition, r, entry.foundation.id)
                for r in entry.profile.destination_regions
            ]))
        elif entry.is_embedding:
            embeddings.append(foundation_model_arn(partition, region, model_id))
        else:
            direct.append(foundation_model_arn(partition, region, model_id))
    direct.extend(provisioned_arns)
    if guardrail_version_arn is None and (direct or fenced):
        raise ValueError("generative models need a guardrail version ARN")
    guard = {_GUARDRAIL_KEY: guardrail_version_arn}
    stmts: list[dict[str, Any]] = []
    if direct:
        stmts.append({
            "Sid": "InvokeAllowlistedModelsWithGuardrail",
            "Effect": "Allow",
            "Action": list(INVOKE_ACTIONS),
            "Resource": sorted(direct),
            "Condition": {"StringEquals": dict(guard)},
        })
    for i, (profile_arn, fm_arns) in enumerate(fenced):
        stmts.append({
            "Sid": f"InvokeThroughInferenceProfile{i}",
            "Effect": "Allow",
            "Action": list(INVOKE_ACTIONS),
            "Resource": sorted(fm_arns),
            "Condition": {"ArnEquals": {_PROFILE_KEY: profile_arn}, "StringEquals": dict(guard)},
        })
    if direct or fenced:
        every = sorted({*direct, *(a for _, arns in fenced for a in arns)})
        stmts.append({
            "Sid": "DenyInvokeWithoutPlatformGuardrail",
            "Effect": "Deny",
            "Action": list(INVOKE_ACTIONS),
            "Resource": every,
            "Condition": {"StringNotEquals": dict(guard)},
        })
    if embeddings:
        stmts.append({
            "Sid": "InvokeAllowlistedEmbeddingModels",
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel"],
            "Resource": sorted(embeddings),
        })
    return stmts


def invoke_policy_document(
    models: Sequence[str],
    *,
    partition: str,
    region: str,
    account: str,
    guardrail_arn: str,
    guardrail_version_arn: str,
    provisioned_arns: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole invoke policy: allowlisted models behind the guardrail, plus ApplyGuardrail."""
    stmts = guardrail_invoke_statements(
        models, partition=partition, region=region, account=account,
        guardrail_version_arn=guardrail_version_arn, provisioned_arns=provisioned_arns,
    )
    stmts.append({
        "Sid": "ApplyPlatformGuardrail",
        "Effect": "Allow",
        "Action": ["bedrock:ApplyGuardrail"],
        "Resource": [guardrail_arn],
    })
    return {"Version": "2012-10-17", "Statement": stmts}


def _stable_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


class BedrockAccess(pulumi.ComponentResource):
    """Governed Bedrock access for the platform. See the module docstring for what it builds.

    Attributes: ``invoke_policy`` (:class:`aws.iam.Policy`), ``invoke_policy_document``
    (``Output[str]``), ``guardrail``, ``guardrail_version``, ``guardrail_version_arn``,
    ``log_bucket``, ``log_group``, ``kms_key``, ``endpoints`` (service → VpcEndpoint),
    ``provisioned`` (name → ProvisionedModelThroughput), ``config``, ``models``.
    """

    def __init__(
        self,
        name: str,
        args: BedrockAccessArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiops:bedrock:BedrockAccess", name, None, opts)
        where = f"BedrockAccess({name!r})"
        plain = {k: v for k, v in dict(args).items()
                 if k not in ("vpc_id", "subnet_ids", "security_group_ids", "tags")}
        cfg = validate_model(BedrockAccessConfig, plain, where)
        self.config = cfg
        self.models: list[str] = list(cfg.models)
        self._check_source_region(cfg, where)
        tags = dict(args.get("tags") or {})
        self._tags = tags
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)

        self.partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        self.region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        # -- guardrail -------------------------------------------------------------------------
        g = cfg.guardrail
        self.guardrail = aws.bedrock.Guardrail(
            f"{name}-guardrail",
            # Guardrail and log-group names are per account and region: include the stack.
            name=f"{name}-{pulumi.get_stack()}-guardrail",
            description="pulumi-aiops platform guardrail (enforced through IAM)",
            blocked_input_messaging=g.blocked_input_message,
            blocked_outputs_messaging=g.blocked_output_message,
            content_policy_config={"filters_configs": [
                {"type": f.type.value, "input_strength": f.input_strength.value,
                 "output_strength": f.output_strength.value}
                for f in g.content_filters
            ]},
            sensitive_information_policy_config={"pii_entities_configs": [
                {"type": p.type.value, "action": p.action.value} for p in g.pii_entities
            ]} if g.pii_entities else None,
            topic_policy_config={"topics_configs": [
                {"name": t.name, "definition": t.definition, "type": "DENY",
                 "examples": list(t.examples)}
                for t in g.denied_topics
            ]} if g.denied_topics else None,
            tags=tags,
            opts=child,
        )
        # A new version is published whenever the guardrail's configuration changes; the IAM
        # condition then pins callers to it. Old versions are kept (skip_destroy) for audit.
        self.guardrail_version = aws.bedrock.GuardrailVersion(
            f"{name}-guardrail-version",
            guardrail_arn=self.guardrail.guardrail_arn,
            description=f"pulumi-aiops config {_stable_hash(g.model_dump(mode='json'))}",
            skip_destroy=True,
            opts=pulumi.ResourceOptions(parent=self, replace_on_changes=["description"]),
        )
        self.guardrail_version_arn: pulumi.Output[str] = pulumi.Output.concat(
            self.guardrail.guardrail_arn, ":", self.guardrail_version.version)

        # -- provisioned throughput --------------------------------------------------------------
        self.provisioned: dict[str, aws.bedrock.ProvisionedModelThroughput] = {}
        for pt in cfg.provisioned_throughput:
            self.provisioned[pt.name] = aws.bedrock.ProvisionedModelThroughput(
                f"{name}-pt-{pt.name}",
                provisioned_model_name=pt.name,
                model_arn=pulumi.Output.concat(
                    "arn:", self.partition, ":bedrock:", self.region, "::foundation-model/", pt.model),
                model_units=pt.model_units,
                commitment_duration=(None if pt.commitment is CommitmentDuration.NONE
                                     else pt.commitment.value),
                tags=tags,
                opts=child,
            )

        # -- the invoke policy -------------------------------------------------------------------
        provisioned_arns = [p.provisioned_model_arn for p in self.provisioned.values()]
        self.invoke_policy_document: pulumi.Output[str] = pulumi.Output.all(
            self.partition, self.region, self.account_id, self.guardrail.guardrail_arn,
            self.guardrail_version_arn, *provisioned_arns,
        ).apply(lambda v: json.dumps(invoke_policy_document(
            self.models, partition=v[0], region=v[1], account=v[2], guardrail_arn=v[3],
            guardrail_version_arn=v[4], provisioned_arns=v[5:]), indent=2))
        self.invoke_policy = aws.iam.Policy(
            f"{name}-invoke",
            description="Invoke the allowlisted Bedrock models, only through the platform guardrail",
            policy=self.invoke_policy_document,
            tags=tags,
            opts=child,
        )

        # -- invocation logging ----------------------------------------------------------------
        log = cfg.invocation_logging
        self.kms_key: aws.kms.Key | None = None
        self.log_bucket: aws.s3.Bucket | None = None
        self.access_log_bucket: aws.s3.Bucket | None = None
        self.log_group: aws.cloudwatch.LogGroup | None = None
        self.log_delivery_role: aws.iam.Role | None = None
        self.logging_configuration: aws.bedrockmodel.InvocationLoggingConfiguration | None = None
        if log.destinations:
            self._build_logging(name, log, tags, child, stateful)

        # -- private endpoints -----------------------------------------------------------------
        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        self.endpoint_security_group: aws.ec2.SecurityGroup | None = None
        ep = cfg.private_endpoints
        if ep.mode is EndpointMode.ENABLED:
            vpc_id = args.get("vpc_id")
            subnet_ids = args.get("subnet_ids")
            if vpc_id is None or subnet_ids is None:
                raise ConfigError(
                    f"{where}.vpc_id/subnet_ids: are required when privateEndpoints.mode is "
                    "ENABLED (the default); pass the cluster VPC and private subnets, or set "
                    "privateEndpoints.mode: DISABLED"
                )
            self._build_endpoints(name, ep, vpc_id, subnet_ids,
                                  args.get("security_group_ids") or [], tags, child)

        self.register_outputs({
            "models": self.models,
            "invokePolicyArn": self.invoke_policy.arn,
            "guardrailId": self.guardrail.guardrail_id,
            "guardrailArn": self.guardrail.guardrail_arn,
            "guardrailVersion": self.guardrail_version.version,
            "guardrailVersionArn": self.guardrail_version_arn,
            "logBucket": self.log_bucket.bucket if self.log_bucket else None,
            "logGroup": self.log_group.name if self.log_group else None,
            "kmsKeyArn": self.kms_key.arn if self.kms_key else None,
            "endpointIds": {s: e.id for s, e in self.endpoints.items()},
            "provisionedModelArns": {n: p.provisioned_model_arn for n, p in self.provisioned.items()},
        })

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _check_source_region(cfg: BedrockAccessConfig, where: str) -> None:
        region = pulumi.Config("aws").get("region")
        if not region:
            return
        for i, model_id in enumerate(cfg.models):
            prof = lookup_bedrock(model_id).profile
            if prof is not None and region not in prof.source_regions:
                raise ConfigError(
                    f"{where}.models[{i}]: {model_id!r} cannot be called from aws:region "
                    f"{region!r}; its source regions are {', '.join(prof.source_regions)}"
                )

    def model_arn(self, model_id: str) -> pulumi.Output[str]:
        """The ARN to invoke ``model_id`` (allowlisted) with, in this stack's region."""
        if model_id not in self.models:
            raise ConfigError(f"{model_id!r} is not in the allowlist ({', '.join(self.models)})")
        entry = lookup_bedrock(model_id)
        if entry.profile is not None:
            return pulumi.Output.all(self.partition, self.region, self.account_id).apply(
                lambda v: inference_profile_arn(v[0], v[1], v[2], model_id))
        return pulumi.Output.all(self.partition, self.region).apply(
            lambda v: foundation_model_arn(v[0], v[1], model_id))

    def grant_invoke(self, role: aws.iam.Role, name: str | None = None) -> aws.iam.RolePolicyAttachment:
        """Attach the invoke policy to ``role`` (a workload's IRSA or pod-identity role).

        ``name`` makes the attachment's logical name (``f"{self}-invoke-{name}"``); it defaults
        to the role's logical name.
        """
        suffix = name or getattr(role, "pulumi_resource_name", None)
        if not suffix:
            raise ConfigError("grant_invoke: pass name=… for a role without a logical name")
        return aws.iam.RolePolicyAttachment(
            f"{self._name}-invoke-{suffix}",
            role=role.name,
            policy_arn=self.invoke_policy.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _build_logging(
        self,
        name: str,
        log: InvocationLoggingConfig,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
        stateful: pulumi.ResourceOptions,
    ) -> None:
        partition, region, account = self.partition, self.region, self.account_id
        log_group_name = f"/aiops/bedrock/{pulumi.get_stack()}/{name}/model-invocations"
        self.kms_key = aws.kms.Key(
            f"{name}-logs-key",
            description="pulumi-aiops: Bedrock model invocation logs (S3 and CloudWatch)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(partition, region, account).apply(
                lambda v: json.dumps(_logs_key_policy(v[0], v[1], v[2], log_group_name), indent=2)),
            tags=tags,
            opts=stateful,
        )
        to_s3 = LogDestination.S3 in log.destinations
        to_cw = LogDestination.CLOUDWATCH in log.destinations
        depends: list[pulumi.Resource] = []
        s3_config: (
            aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigS3ConfigArgsDict | None
        ) = None
        cw_config: (
            aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigCloudwatchConfigArgsDict | None
        ) = None
        if to_s3:
            bucket = aws.s3.Bucket(f"{name}-invocation-logs", force_destroy=False, tags=tags,
                                   opts=stateful)
            self.log_bucket = bucket
            sse = aws.s3.BucketServerSideEncryptionConfiguration(
                f"{name}-invocation-logs-sse",
                bucket=bucket.id,
                rules=[{"apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms", "kms_master_key_id": self.kms_key.arn},
                    "bucket_key_enabled": True}],
                opts=child,
            )
            versioning = aws.s3.BucketVersioning(
                f"{name}-invocation-logs-versioning",
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=child,
            )
            pab = aws.s3.BucketPublicAccessBlock(
                f"{name}-invocation-logs-pab",
                bucket=bucket.id,
                block_public_acls=True, block_public_policy=True,
                ignore_public_acls=True, restrict_public_buckets=True,
                opts=child,
            )
            ownership = aws.s3.BucketOwnershipControls(
                f"{name}-invocation-logs-ownership",
                bucket=bucket.id,
                rule={"object_ownership": "BucketOwnerEnforced"},
                opts=child,
            )
            self.log_bucket_policy_document: pulumi.Output[str] = pulumi.Output.all(
                bucket.arn, partition, region, account,
            ).apply(lambda v: json.dumps(
                _log_bucket_policy(v[0], v[1], v[2], v[3], log.s3_key_prefix), indent=2))
            policy = aws.s3.BucketPolicy(
                f"{name}-invocation-logs-policy",
                bucket=bucket.id,
                policy=self.log_bucket_policy_document,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]),
            )
            lifecycle_rule: Any = {
                "id": "archive-invocation-logs", "status": "Enabled", "filter": {"prefix": ""},
                "transitions": [{"days": log.s3_archive_days, "storage_class": "GLACIER_IR"}],
                "noncurrent_version_expiration": {"noncurrent_days": 30},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
            if log.s3_expire_days is not None:
                lifecycle_rule["expiration"] = {"days": log.s3_expire_days}
            lifecycle = aws.s3.BucketLifecycleConfiguration(
                f"{name}-invocation-logs-lifecycle", bucket=bucket.id, rules=[lifecycle_rule],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))
            access_logs = self._build_access_log_bucket(name, bucket, tags, child, stateful)
            depends += [sse, versioning, pab, ownership, policy, lifecycle, access_logs]
            s3_config = {"bucket_name": bucket.id, "key_prefix": log.s3_key_prefix}
        if to_cw:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-invocation-logs",
                name=log_group_name,
                retention_in_days=log.retention_days,
                kms_key_id=self.kms_key.arn,
                deletion_protection_enabled=True,
                tags=tags,
                opts=stateful,
            )
            self.log_delivery_trust_document: pulumi.Output[str] = pulumi.Output.all(
                partition, region, account).apply(
                lambda v: json.dumps(_bedrock_trust_policy(v[0], v[1], v[2]), indent=2))
            self.log_delivery_role = aws.iam.Role(
                f"{name}-log-delivery",
                description="Bedrock model invocation logging delivery to CloudWatch Logs",
                assume_role_policy=self.log_delivery_trust_document,
                tags=tags,
                opts=child,
            )
            self.log_delivery_policy_document: pulumi.Output[str] = self.log_group.arn.apply(
                lambda arn: json.dumps(_log_delivery_policy(arn), indent=2))
            role_policy = aws.iam.RolePolicy(
                f"{name}-log-delivery",
                role=self.log_delivery_role.name,
                policy=self.log_delivery_policy_document,
                opts=child,
            )
            depends += [self.log_group, role_policy]
            cw_config = {"log_group_name": self.log_group.name,
                         "role_arn": self.log_delivery_role.arn}
        logging_config: aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigArgsDict = {
            "s3_config": s3_config,
            "cloudwatch_config": cw_config,
            "text_data_delivery_enabled": LoggedData.TEXT in log.data,
            "image_data_delivery_enabled": LoggedData.IMAGE in log.data,
            "embedding_data_delivery_enabled": LoggedData.EMBEDDING in log.data,
            "video_data_delivery_enabled": LoggedData.VIDEO in log.data,
        }
        self.logging_configuration = aws.bedrockmodel.InvocationLoggingConfiguration(
            f"{name}-invocation-logging",
            logging_config=logging_config,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

    def _build_access_log_bucket(
        self,
        name: str,
        source: aws.s3.Bucket,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
        stateful: pulumi.ResourceOptions,
    ) -> aws.s3.BucketLogging:
        """Server access logs of the invocation-log bucket, in a bucket of their own.

        S3 delivers access logs only to SSE-S3 buckets, so this one uses AES256; it holds
        request metadata, not prompts. Only ``logging.s3.amazonaws.com`` may write, and only
        for ``source`` in this account.
        """
        logs = aws.s3.Bucket(f"{name}-access-logs", force_destroy=False, tags=tags, opts=stateful)
        self.access_log_bucket = logs
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-access-logs-sse", bucket=logs.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child)
        versioning = aws.s3.BucketVersioning(
            f"{name}-access-logs-versioning", bucket=logs.id,
            versioning_configuration={"status": "Enabled"}, opts=child)
        pab = aws.s3.BucketPublicAccessBlock(
            f"{name}-access-logs-pab", bucket=logs.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=child)
        aws.s3.BucketOwnershipControls(
            f"{name}-access-logs-ownership", bucket=logs.id,
            rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-logs-lifecycle", bucket=logs.id, rules=[{
                "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
                "expiration": {"days": 365},
                "noncurrent_version_expiration": {"noncurrent_days": 30},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))
        self.access_log_bucket_policy_document: pulumi.Output[str] = pulumi.Output.all(
            logs.arn, source.arn, self.account_id,
        ).apply(lambda v: json.dumps(_access_log_bucket_policy(v[0], v[1], v[2]), indent=2))
        policy = aws.s3.BucketPolicy(
            f"{name}-access-logs-policy", bucket=logs.id,
            policy=self.access_log_bucket_policy_document,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]))
        return aws.s3.BucketLogging(
            f"{name}-invocation-logs-logging", bucket=source.id, target_bucket=logs.id,
            target_prefix="invocation-logs/",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))

    def _build_endpoints(
        self,
        name: str,
        ep: PrivateEndpointsConfig,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        extra_sgs: pulumi.Input[Sequence[pulumi.Input[str]]],
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        vpc = aws.ec2.get_vpc_output(id=vpc_id, opts=pulumi.InvokeOutputOptions(parent=self))
        cidrs = pulumi.Output.all(vpc.cidr_block, vpc.cidr_block_associations).apply(
            lambda v: sorted({v[0], *(_cidr_of(a) for a in (v[1] or []))} - {None, ""}))
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            description="Bedrock interface endpoints: HTTPS from the VPC only",
            vpc_id=vpc_id,
            ingress=[{"description": "HTTPS from the VPC", "protocol": "tcp",
                      "from_port": 443, "to_port": 443, "cidr_blocks": cidrs}],
            tags={**tags, "Name": f"{name}-bedrock-endpoints"},
            opts=child,
        )
        sgs = pulumi.Output.all(self.endpoint_security_group.id, extra_sgs).apply(
            lambda v: [v[0], *(v[1] or [])])
        for svc in ep.services:
            self.endpoints[svc.value] = aws.ec2.VpcEndpoint(
                f"{name}-{svc.value}",
                vpc_id=vpc_id,
                service_name=pulumi.Output.concat("com.amazonaws.", self.region, ".", svc.value),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=sgs,
                tags={**tags, "Name": f"{name}-{svc.value}"},
                opts=child,
            )


def _cidr_of(assoc: Any) -> str | None:
    """The CIDR of a ``cidr_block_associations`` item (a typed result, or a dict under mocks)."""
    if isinstance(assoc, Mapping):
        return assoc.get("cidr_block") or assoc.get("cidrBlock")
    return getattr(assoc, "cidr_block", None)


# -- the other policy documents ------------------------------------------------------------------
def _source_conditions(partition: str, region: str, account: str) -> dict[str, Any]:
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock:{region}:{account}:*"},
    }


def _logs_key_policy(partition: str, region: str, account: str, log_group: str) -> dict[str, Any]:
    """Key policy: the account administers; CloudWatch Logs (this log group) and Bedrock use it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsUseForInvocationLogGroup",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                # DescribeKey carries no encryption context, so it is not listed here.
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
                           "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn":
                    f"arn:{partition}:logs:{region}:{account}:log-group:{log_group}"}},
            },
            {
                "Sid": "BedrockWritesEncryptedInvocationLogs",
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": "*",
                "Condition": _source_conditions(partition, region, account),
            },
        ],
    }


def _deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """Deny every S3 request to the bucket that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _log_bucket_policy(
    bucket_arn: str, partition: str, region: str, account: str, prefix: str
) -> dict[str, Any]:
    """Bedrock may put invocation logs under its prefix; nothing may use plain HTTP."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "BedrockPutsInvocationLogs",
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{prefix}/AWSLogs/{account}/BedrockModelInvocationLogs/*",
                "Condition": _source_conditions(partition, region, account),
            },
            _deny_insecure_transport(bucket_arn),
        ],
    }


def _access_log_bucket_policy(bucket_arn: str, source_arn: str, account: str) -> dict[str, Any]:
    """S3 server access logging may write for the one source bucket; TLS only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/invocation-logs/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account},
                              "ArnLike": {"aws:SourceArn": source_arn}},
            },
            _deny_insecure_transport(bucket_arn),
        ],
    }


def _bedrock_trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Only Bedrock, acting for this account and region, may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "BedrockAssumesForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": _source_conditions(partition, region, account),
        }],
    }


def _log_delivery_policy(log_group_arn: str) -> dict[str, Any]:
    """Write to the invocation log stream of the one log group."""
    base = log_group_arn.removesuffix(":*")
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DeliverInvocationLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{base}:log-stream:{_LOG_STREAM}",
        }],
    }
