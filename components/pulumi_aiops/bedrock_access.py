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

    import pulumi_aws as aws
    from pulumi_aiops.bedrock_access import BedrockAccess

    vpc = aws.ec2.Vpc("apps", cidr_block="10.30.0.0/16")
    subnets = [aws.ec2.Subnet(f"apps-{az}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=az)
               for az, cidr in (("us-east-1a", "10.30.1.0/24"), ("us-east-1b", "10.30.2.0/24"))]
    access = BedrockAccess("bedrock", {
        "models": ["us.anthropic.claude-sonnet-4-20250514-v1:0", "amazon.titan-embed-text-v2:0"],
        "guardrail": {"denied_topics": [{"name": "legal-advice",
                                         "definition": "Advice on specific legal cases."}]},
        "vpc_id": vpc.id, "subnet_ids": [s.id for s in subnets],     # the interface endpoints
        "tags": {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "internal"},
    })
    chat = aws.iam.Role("chat", assume_role_policy=aws.iam.get_policy_document_output(statements=[{
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}]).json)
    access.grant_invoke(chat)   # the invoke policy: allowlisted models, only with the guardrail
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.args import BedrockAccessArgs
from pulumi_aiops.aws.bucket import SHORT_NAMING, abort_multipart_rule, secure_bucket
from pulumi_aiops.aws.formats import (
    SECURITY_GROUP_ID,
    SUBNET_ID,
    VPC_ID,
    check_known,
    check_known_list,
    check_tags,
    checked,
    checked_list,
)
from pulumi_aiops.aws.iam import document, document_dict, statement
from pulumi_aiops.aws.kms import KeyUser, key_policy, kms_key
from pulumi_aiops.catalog.bedrock import lookup_bedrock
from pulumi_aiops.config.base import ConfigValueError, Wired, component_args, is_known
from pulumi_aiops.config.bedrock import (
    BedrockAccessConfig,
    CommitmentDuration,
    EndpointMode,
    InvocationLoggingConfig,
    LogDestination,
    LoggedData,
    PrivateEndpointsSpec,
)
from pulumi_aiops.errors import ConfigError

__all__ = [
    "INVOKE_ACTIONS",
    "OLD_TYPE_TOKEN",
    "TYPE_TOKEN",
    "BedrockAccess",
    "BedrockAccessArgs",
    "BedrockAccessArgsModel",
    "foundation_model_arn",
    "guardrail_invoke_statements",
    "inference_profile_arn",
    "invoke_policy_document",
]

#: The type token Pulumi's component provider hosts this component under.
TYPE_TOKEN = "aiops:index:BedrockAccess"
#: The token of 0.1.0 (an alias keeps deployed stacks' URNs).
OLD_TYPE_TOKEN = "aiops:bedrock:BedrockAccess"

#: The IAM actions that authorize InvokeModel, InvokeModelWithResponseStream, Converse and
#: ConverseStream (Converse* are authorized through the two Invoke* actions).
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
_GUARDRAIL_KEY = "bedrock:GuardrailIdentifier"
_PROFILE_KEY = "bedrock:InferenceProfileArn"
#: The CloudWatch log stream Bedrock writes invocation logs to.
_LOG_STREAM = "aws/bedrock/modelinvocations"


class BedrockAccessArgsModel(BedrockAccessConfig):
    """Arguments of :class:`BedrockAccess`: allowlist, guardrail, logging, endpoints, tags.

    The ``bedrock`` config section (without knowledge bases and the cluster name), plus the VPC
    of the interface endpoints and ``tags``."""

    model_config = ConfigDict(title="BedrockAccessArgs")

    vpc_id: Wired[str] | None = Field(
        None, description="VPC of the interface endpoints (e.g. EksGpuCluster.vpc_id). "
        "@default none (required when privateEndpoints.mode is ENABLED)")
    subnet_ids: Wired[list[Wired[str]]] | None = Field(
        None, description="Private subnets of the endpoint interfaces. @default none (required with vpcId)")
    security_group_ids: Wired[list[Wired[str]]] = Field(
        default_factory=list, description="Extra security groups on the endpoints, besides the one this "
        "component creates (443 from the VPC's CIDR blocks). @default []")
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags for every taggable resource (owner, cost-center, data-classification). @default {}")

    @field_validator("vpc_id")
    @classmethod
    def _vpc(cls, v: Any) -> Any:
        return check_known(v, VPC_ID)

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, v: Any) -> Any:
        if v is not None and is_known(v) and not v:
            raise ConfigValueError("is empty; give the VPC's private subnets", value=v)
        return check_known_list(v, SUBNET_ID)

    @field_validator("security_group_ids")
    @classmethod
    def _sgs(cls, v: Any) -> Any:
        return check_known_list(v, SECURITY_GROUP_ID)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)

    @model_validator(mode="after")
    def _endpoint_wiring(self) -> "BedrockAccessArgsModel":
        enabled = self.private_endpoints.mode is EndpointMode.ENABLED
        for key, value in (("vpcId", self.vpc_id), ("subnetIds", self.subnet_ids)):
            if enabled and value is None:
                raise ConfigValueError(
                    "is not allowed; privateEndpoints.mode is ENABLED (the default): pass the VPC and its "
                    "private subnets (vpcId and subnetIds), or set privateEndpoints.mode: DISABLED",
                    loc=(key,), value=None)
            if not enabled and value is not None:
                raise ConfigValueError("is not used: privateEndpoints.mode is DISABLED; remove it or enable "
                                       "the endpoints", loc=(key,), value=value)
        return self


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
        stmts.append(statement("Allow", list(INVOKE_ACTIONS), sorted(direct),
                               sid="InvokeAllowlistedModelsWithGuardrail",
                               condition={"StringEquals": dict(guard)}))
    # One statement per profile, named by the profile (not its position in the allowlist).
    for profile_arn, fm_arns in sorted(fenced):
        stmts.append(statement(
            "Allow", list(INVOKE_ACTIONS), sorted(fm_arns), sid=profile_statement_sid(profile_arn),
            condition={"ArnEquals": {_PROFILE_KEY: profile_arn}, "StringEquals": dict(guard)}))
    if direct or fenced:
        every = sorted({*direct, *(a for _, arns in fenced for a in arns)})
        stmts.append(statement("Deny", list(INVOKE_ACTIONS), every, sid="DenyInvokeWithoutPlatformGuardrail",
                               condition={"StringNotEquals": dict(guard)}))
    if embeddings:
        stmts.append(statement("Allow", ["bedrock:InvokeModel"], sorted(embeddings),
                               sid="InvokeAllowlistedEmbeddingModels"))
    return stmts


def profile_statement_sid(profile_arn: str) -> str:
    """The ``Sid`` of the statement fencing one inference profile's destination models: a stable
    hash of the profile id, so reordering the allowlist changes nothing."""
    profile_id = profile_arn.rsplit("/", 1)[-1]
    return f"InvokeThroughInferenceProfile{hashlib.sha256(profile_id.encode()).hexdigest()[:8]}"


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
    stmts.append(statement("Allow", ["bedrock:ApplyGuardrail"], [guardrail_arn], sid="ApplyPlatformGuardrail"))
    return document_dict(stmts)


def _stable_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


class BedrockAccess(pulumi.ComponentResource):
    """Governed Bedrock access for the platform. See the module docstring for what it builds.

    Python attributes: ``invoke_policy`` (:class:`aws.iam.Policy`), ``invoke_policy_document``
    (``Output[str]``), ``guardrail``, ``guardrail_version``, ``guardrail_version_arn``,
    ``log_bucket``, ``log_group``, ``kms_key``, ``endpoints`` (service → VpcEndpoint),
    ``provisioned`` (name → ProvisionedModelThroughput), ``config``, ``models``.
    """

    invoke_policy_arn: pulumi.Output[str]
    """The managed policy that allows the allowlisted models, only through the guardrail."""
    guardrail_id: pulumi.Output[str]
    """The platform guardrail."""
    guardrail_version_arn: pulumi.Output[str]
    """The published guardrail version every invocation must name (``arn:…:guardrail/<id>:<n>``)."""

    def __init__(
        self,
        name: str,
        args: BedrockAccessArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        where = f"BedrockAccess({name!r})"
        cfg = component_args(BedrockAccessArgsModel, args, where)
        self._check_source_region(cfg, where)
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self._where = where
        self.config: BedrockAccessArgsModel = cfg
        self.models: list[str] = list(cfg.models)
        tags = dict(cfg.tags)
        self._tags = tags
        child = pulumi.ResourceOptions(parent=self)

        self.partition: pulumi.Output[str] = aws.get_partition_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).partition
        self.region: pulumi.Output[str] = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.account_id: pulumi.Output[str] = aws.get_caller_identity_output(
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
        self.guardrail_id = self.guardrail.guardrail_id
        self.guardrail_version_arn = pulumi.Output.concat(
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
        self.invoke_policy_arn = self.invoke_policy.arn

        # -- invocation logging ----------------------------------------------------------------
        log = cfg.invocation_logging
        self.kms_key: aws.kms.Key | None = None
        self.log_bucket: aws.s3.Bucket | None = None
        self.access_log_bucket: aws.s3.Bucket | None = None
        self.log_group: aws.cloudwatch.LogGroup | None = None
        self.log_delivery_role: aws.iam.Role | None = None
        self.logging_configuration: aws.bedrockmodel.InvocationLoggingConfiguration | None = None
        if log.destinations:
            self._build_logging(name, log, tags, child)

        # -- private endpoints -----------------------------------------------------------------
        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        self.endpoint_security_group: aws.ec2.SecurityGroup | None = None
        ep = cfg.private_endpoints
        if ep.mode is EndpointMode.ENABLED:
            assert cfg.vpc_id is not None and cfg.subnet_ids is not None  # the model checked
            self._build_endpoints(
                name, ep, checked(cfg.vpc_id, VPC_ID, f"{where}.vpcId"),
                checked_list(cfg.subnet_ids, SUBNET_ID, f"{where}.subnetIds"),
                checked_list(cfg.security_group_ids, SECURITY_GROUP_ID, f"{where}.securityGroupIds"),
                tags, child)

        self.register_outputs({
            "models": self.models,
            "invokePolicyArn": self.invoke_policy_arn,
            "guardrailId": self.guardrail_id,
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
        """Every inference profile can be called from the stack's region (checked before anything
        is registered)."""
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
    ) -> None:
        partition, region, account = self.partition, self.region, self.account_id
        log_group_name = f"/aiops/bedrock/{pulumi.get_stack()}/{name}/model-invocations"
        from_bedrock = _source_conditions(partition, region, account)
        key_users = [
            KeyUser("CloudWatchLogsUseForInvocationLogGroup",
                    service=pulumi.Output.concat("logs.", region, ".amazonaws.com"),
                    # DescribeKey carries no encryption context, so it is not listed here.
                    actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
                             "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"],
                    condition={"StringEquals": {"kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                        "arn:", partition, ":logs:", region, ":", account, ":log-group:", log_group_name)}}),
            KeyUser("BedrockWritesEncryptedInvocationLogs", service="bedrock.amazonaws.com",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"], condition=from_bedrock),
        ]
        self.kms_key = kms_key(
            f"{name}-logs-key", parent=self, tags=tags,
            description="pulumi-aiops: Bedrock model invocation logs (S3 and CloudWatch)",
            # The policy text of 0.1.0: the account administers the key; Logs and Bedrock use it.
            policy=key_policy(account, partition, key_users, root_sid="AccountAdministersKey",
                              policy_id=None, indent=2))
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
            lifecycle_rule: Any = {
                "id": "archive-invocation-logs", "status": "Enabled", "filter": {"prefix": ""},
                "transitions": [{"days": log.s3_archive_days, "storage_class": "GLACIER_IR"}],
                "noncurrent_version_expiration": {"noncurrent_days": 30},
                **abort_multipart_rule(7),
            }
            if log.s3_expire_days is not None:
                lifecycle_rule["expiration"] = {"days": log.s3_expire_days}

            def bedrock_puts(bucket: aws.s3.Bucket) -> list[dict[str, Any]]:
                logs_arn = pulumi.Output.concat(bucket.arn, f"/{log.s3_key_prefix}/AWSLogs/", account,
                                                "/BedrockModelInvocationLogs/*")
                return [statement("Allow", "s3:PutObject", logs_arn, sid="BedrockPutsInvocationLogs",
                                  principal={"Service": "bedrock.amazonaws.com"}, condition=from_bedrock)]

            logs = secure_bucket(
                f"{name}-invocation-logs", parent=self, tags=tags, kms_key_arn=self.kms_key.arn,
                lifecycle_rules=[lifecycle_rule], naming=SHORT_NAMING, policy_statements=bedrock_puts,
                policy_tls_first=False, policy_indent=2)
            self.log_bucket = logs.bucket
            self.log_bucket_policy_document = logs.policy_document
            self._build_access_log_bucket(name, logs, tags)
            depends += logs.resources
            s3_config = {"bucket_name": logs.bucket.id, "key_prefix": log.s3_key_prefix}
        if to_cw:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-invocation-logs",
                name=log_group_name,
                retention_in_days=log.retention_days,
                kms_key_id=self.kms_key.arn,
                deletion_protection_enabled=True,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
            )
            # The Bedrock user guide, "Monitor model invocation using CloudWatch Logs and Amazon S3"
            # (set up a CloudWatch Logs destination): trust bedrock.amazonaws.com fenced by
            # aws:SourceAccount and aws:SourceArn; logs:CreateLogStream and logs:PutLogEvents on the
            # log stream aws/bedrock/modelinvocations of the group.
            self.log_delivery_trust_document = document([statement(
                "Allow", "sts:AssumeRole", sid="BedrockAssumesForThisAccount",
                principal={"Service": "bedrock.amazonaws.com"}, condition=from_bedrock)], indent=2)
            self.log_delivery_role = aws.iam.Role(
                f"{name}-log-delivery",
                description="Bedrock model invocation logging delivery to CloudWatch Logs",
                assume_role_policy=self.log_delivery_trust_document,
                tags=tags,
                opts=child,
            )
            stream = pulumi.Output.concat(self.log_group.arn.apply(lambda arn: arn.removesuffix(":*")),
                                          f":log-stream:{_LOG_STREAM}")
            self.log_delivery_policy_document = document([statement(
                "Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], stream, sid="DeliverInvocationLogs")],
                indent=2)
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

    def _build_access_log_bucket(self, name: str, source: Any, tags: dict[str, str]) -> aws.s3.BucketLogging:
        """Server access logs of the invocation-log bucket, in a bucket of their own.

        S3 delivers access logs only to SSE-S3 buckets, so this one uses AES256; it holds
        request metadata, not prompts. Only ``logging.s3.amazonaws.com`` may write, and only
        for ``source`` in this account.
        """

        def s3_logging_puts(bucket: aws.s3.Bucket) -> list[dict[str, Any]]:
            return [statement(
                "Allow", "s3:PutObject", pulumi.Output.concat(bucket.arn, "/invocation-logs/*"),
                sid="S3ServerAccessLogs", principal={"Service": "logging.s3.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": self.account_id},
                           "ArnLike": {"aws:SourceArn": source.arn}})]

        logs = secure_bucket(
            f"{name}-access-logs", parent=self, tags=tags, naming=SHORT_NAMING,
            lifecycle_rules=[{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
                              "expiration": {"days": 365}, "noncurrent_version_expiration": {"noncurrent_days": 30},
                              **abort_multipart_rule(7)}],
            policy_statements=s3_logging_puts, policy_tls_first=False, policy_indent=2)
        self.access_log_bucket = logs.bucket
        self.access_log_bucket_policy_document = logs.policy_document
        assert logs.policy is not None
        return source.log_to(logs, "invocation-logs/", depends_on=[logs.policy])

    def _build_endpoints(
        self,
        name: str,
        ep: PrivateEndpointsSpec,
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
def _source_conditions(partition: pulumi.Input[str], region: pulumi.Input[str],
                       account: pulumi.Input[str]) -> dict[str, Any]:
    """Conditions fencing a Bedrock service principal to this account and region."""
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": pulumi.Output.concat("arn:", partition, ":bedrock:", region, ":", account, ":*")},
    }
