"""IAM least privilege and Bedrock: guardrails, guardrail-enforcing invoke policies, model
resources and invocation logging."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from aiops_policies._controls import (
    ACCESS_LEAST_PRIVILEGE,
    AI_SECURITY,
    AUDIT_LOGGING,
    merge,
)
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_bool,
    as_list,
    as_mapping,
    get_path,
    resource_rule,
    safe_get,
    stack_rule,
)
from aiops_policies._iam import (
    POLICY_DOC_PROPS,
    Statement,
    action_matches,
    iter_policy_documents,
    statements,
)

__all__ = ["INVOKE_ACTIONS", "RULES", "grants_invoke"]

F, R = Fixture, FixtureResource
ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
DOC_TYPES = tuple(t for t, k in POLICY_DOC_PROPS.items() if k)
ATTACH_TYPES = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                "aws:iam/policyAttachment:PolicyAttachment")
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
GUARDRAIL_KEY = "bedrock:guardrailidentifier"
_MODEL_ARN = re.compile(
    r"^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:"
    r"(foundation-model|inference-profile|application-inference-profile|provisioned-model|"
    r"custom-model|imported-model|default-prompt-router|prompt-router)/(?P<id>.*)$")


def _docs(args: Any, props: Mapping[str, Any]) -> Iterator[tuple[str, list[Statement]]]:
    for where, doc in iter_policy_documents(getattr(args, "resource_type", ""), props):
        yield where, statements(doc)


def _grants(s: Statement, action: str) -> bool:
    if s.not_actions:
        return not any(action_matches(p, action) for p in s.not_actions)
    return any(action_matches(p, action) for p in s.actions)


def grants_invoke(s: Statement) -> bool:
    """Whether an Allow statement grants a Bedrock model-invoke action."""
    return s.allow and any(_grants(s, a) for a in INVOKE_ACTIONS)


# --- IAM -------------------------------------------------------------------------------------

def _star_on_star(props: Mapping[str, Any], _c: Mapping[str, Any], args: Any) -> Iterator[str]:
    for where, sts in _docs(args, props):
        for s in sts:
            if not s.allow or "*" not in s.resources:
                continue
            if "*" in s.actions or "*:*" in s.actions:
                yield f"{where} statement {s.index} allows Action '*' on Resource '*' (admin)"
            elif s.not_actions:
                yield (f"{where} statement {s.index} allows NotAction on Resource '*': it grants "
                       "every other action")


def _sensitive_wildcards(props: Mapping[str, Any], cfg: Mapping[str, Any],
                         args: Any) -> Iterator[str]:
    services = [str(x).lower() for x in cfg["sensitiveServices"]]
    for where, sts in _docs(args, props):
        for s in sts:
            if not s.allow:
                continue
            for a in s.actions:
                svc, _, act = a.lower().partition(":")
                if a.strip() == "*":
                    yield f"{where} statement {s.index} allows every action ('*')"
                elif svc in services and act in ("*", "*:*"):
                    yield (f"{where} statement {s.index} allows every {svc} action ({a}); list "
                           "the actions needed")


def _admin_attachment(props: Mapping[str, Any], cfg: Mapping[str, Any],
                      args: Any) -> Iterator[str]:
    denied = {str(x) for x in cfg["deniedPolicyArns"]}
    arns = [str(a) for a in as_list(props.get("managedPolicyArns"))]
    if getattr(args, "resource_type", "") != ROLE:
        arns = [str(props.get("policyArn") or "")]
    for a in arns:
        name = a.rsplit("/", 1)[-1]
        if a in denied or any(d.rsplit("/", 1)[-1] == name and ":aws:policy/" in a
                              for d in denied):
            yield f"the AWS managed policy {name} grants administrator-level access"


def _trust_wildcard(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    for s in statements(props.get("assumeRolePolicy")):
        if s.allow and "*" in s.principals and not s.condition:
            yield (f"the trust policy statement {s.index} lets any principal ('*') assume the "
                   "role without a condition")


# --- Bedrock ---------------------------------------------------------------------------------

_STRENGTHS = ["NONE", "LOW", "MEDIUM", "HIGH"]


def _guardrail_prompt_attack(props: Mapping[str, Any], cfg: Mapping[str, Any],
                             _a: Any) -> Iterator[str]:
    filters: list[Mapping[str, Any]] = []
    for cp in as_list(props.get("contentPolicyConfig")):
        filters.extend(as_mapping(f) for f in as_list(as_mapping(cp).get("filtersConfigs")))
    pa = [f for f in filters if str(f.get("type", "")).upper() == "PROMPT_ATTACK"]
    minimum = str(cfg["minimumInputStrength"]).upper()
    if not pa:
        yield ("the guardrail has no PROMPT_ATTACK content filter "
               "(contentPolicyConfig.filtersConfigs)")
        return
    f = pa[0]
    strength = str(f.get("inputStrength", "NONE")).upper()
    got = _STRENGTHS.index(strength) if strength in _STRENGTHS else 0
    if got < _STRENGTHS.index(minimum):
        yield f"the PROMPT_ATTACK filter inputStrength is {strength}; at least {minimum}"
    if as_bool(f.get("inputEnabled")) is False:
        yield "the PROMPT_ATTACK filter is disabled on input (inputEnabled: false)"
    if str(f.get("inputAction", "BLOCK")).upper() == "NONE":
        yield "the PROMPT_ATTACK filter only detects (inputAction NONE); set BLOCK"


def _exempt(s: Statement, patterns: Sequence[str]) -> bool:
    res = [r for r in s.resources if r != "*"]
    return bool(res) and len(res) == len(s.resources) and all(
        any(fnmatchcase(r.lower(), p.lower()) for p in patterns) for r in res)


def _denies_without_guardrail(sts: Sequence[Statement]) -> bool:
    for s in sts:
        if s.effect.lower() != "deny" or not any(_grants(s, a) for a in INVOKE_ACTIONS):
            continue
        for op, block in s.condition.items():
            if "not" in str(op).lower() and any(str(k).lower() == GUARDRAIL_KEY
                                                for k in as_mapping(block)):
                return True
    return False


def _invoke_requires_guardrail(props: Mapping[str, Any], cfg: Mapping[str, Any],
                               args: Any) -> Iterator[str]:
    patterns = [str(p) for p in cfg["exemptResourcePatterns"]]
    for where, sts in _docs(args, props):
        if _denies_without_guardrail(sts):
            continue
        for s in sts:
            if not grants_invoke(s) or _exempt(s, patterns):
                continue
            if GUARDRAIL_KEY not in s.condition_keys():
                yield (f"{where} statement {s.index} allows bedrock:InvokeModel without "
                       "requiring a guardrail (Condition StringEquals "
                       "bedrock:GuardrailIdentifier, or a Deny with StringNotEquals)")


def _wildcard_models(props: Mapping[str, Any], _c: Mapping[str, Any], args: Any) -> Iterator[str]:
    for where, sts in _docs(args, props):
        for s in sts:
            if not grants_invoke(s):
                continue
            for r in s.resources:
                m = _MODEL_ARN.match(r)
                if r == "*" or (m and m.group("id") in ("*", "")) or r.endswith(":*"):
                    yield (f"{where} statement {s.index} allows model invocation on {r!r}: "
                           "name the approved model and inference-profile ARNs")


def _uses_bedrock(r: Any) -> bool:
    t = r.resource_type
    if t.startswith("aws:bedrock") and t != LOGGING:
        return True
    if t in DOC_TYPES:
        props = r.props
        for _w, doc in iter_policy_documents(t, props):
            if any(grants_invoke(s) for s in statements(doc)):
                return True
    return False


def _invocation_logging(resources: Sequence[Any],
                        cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    users = [r for r in resources if _uses_bedrock(r)]
    if not users:
        return
    ok = False
    for r in resources:
        if r.resource_type != LOGGING:
            continue
        lc = as_mapping(safe_get(r.props, "loggingConfig"))
        dest = get_path(lc, "cloudwatchConfig.logGroupName") or get_path(lc, "s3Config.bucketName")
        text = as_bool(safe_get(lc, "textDataDeliveryEnabled"))
        if dest and (text is True or not cfg["requireTextDelivery"]):
            ok = True
    if not ok:
        names = ", ".join(sorted({u.name for u in users})[:5])
        yield (f"the stack uses Bedrock ({names}) but configures no model invocation logging "
               "(aws.bedrockmodel.InvocationLoggingConfiguration with a CloudWatch or S3 "
               "destination and textDataDeliveryEnabled)", None)


# --- fixtures --------------------------------------------------------------------------------

def _j(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


def _doc(*sts: dict[str, Any]) -> str:
    return _j({"Version": "2012-10-17", "Statement": list(sts)})


MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
GR = "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123:1"
_INVOKE_OK = _doc(
    {"Sid": "Invoke", "Effect": "Allow", "Action": list(INVOKE_ACTIONS), "Resource": [MODEL],
     "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": GR}}},
    {"Sid": "DenyWithoutGuardrail", "Effect": "Deny", "Action": list(INVOKE_ACTIONS),
     "Resource": "*", "Condition": {"StringNotEquals": {"bedrock:GuardrailIdentifier": GR}}},
    {"Sid": "Apply", "Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": GR[:-2]},
    {"Sid": "List", "Effect": "Allow", "Action": "bedrock:ListFoundationModels", "Resource": "*"},
)
_INVOKE_NO_GR = _doc({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": [MODEL]})
_INVOKE_STAR = _doc({"Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                     "Resource": "arn:aws:bedrock:*::foundation-model/*",
                     "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": GR}}})
_S3_READ = _doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]})
_TRUST_EC2 = _j({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
_GUARDRAIL_OK = {
    "name": "gr", "blockedInputMessaging": "Blocked.", "blockedOutputsMessaging": "Blocked.",
    "contentPolicyConfig": {"filtersConfigs": [
        {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"},
        {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"}]},
}
_LOGGING_OK = {"loggingConfig": {"textDataDeliveryEnabled": True,
                                 "cloudwatchConfig": {"logGroupName": "/aws/bedrock/invocations",
                                                      "roleArn": "arn:aws:iam::1:role/l"}}}

RULES: list[Rule] = [
    resource_rule(
        "iam-no-star-on-star",
        "No IAM policy allows every action on every resource ('*' on '*', or NotAction on '*').",
        "critical",
        remediation="Replace the statement with the specific actions and resource ARNs the "
                    "principal needs; use IAM Access Analyzer policy generation.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=DOC_TYPES,
        check=_star_on_star,
        fixtures=(
            F("fail", R(IAM_POLICY, "admin", {"policy": _doc(
                {"Effect": "Allow", "Action": "*", "Resource": "*"})})),
            F("fail", R(ROLE, "r", {"assumeRolePolicy": _TRUST_EC2, "inlinePolicies": [
                {"name": "x", "policy": _doc({"Effect": "Allow", "NotAction": "iam:*",
                                              "Resource": "*"})}]})),
            F("pass", R(IAM_POLICY, "read", {"policy": _S3_READ})),
        ),
    ),
    resource_rule(
        "iam-no-wildcard-sensitive-actions",
        "IAM policies do not allow service-wide wildcards (iam:*, kms:*, s3:*, ...) on "
        "sensitive services.",
        "high",
        remediation="List the actions needed (e.g. s3:GetObject, kms:Decrypt) instead of "
                    "'<service>:*'.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=DOC_TYPES,
        check=_sensitive_wildcards,
        config_schema={"sensitiveServices": {
            "type": "array", "items": {"type": "string"},
            "default": ["iam", "sts", "kms", "s3", "secretsmanager", "ssm", "bedrock",
                        "sagemaker", "eks", "ec2", "rds", "dynamodb", "organizations",
                        "cloudtrail", "logs", "lambda", "aoss", "es"],
            "description": "Services where '<service>:*' is not allowed."}},
        fixtures=(
            F("fail", R(ROLE_POLICY, "p", {"role": "r", "policy": _doc(
                {"Effect": "Allow", "Action": ["kms:*"], "Resource": "arn:aws:kms:*:*:key/1"})})),
            F("fail", R(IAM_POLICY, "p", {"policy": _doc(
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*"})})),
            F("pass", R(IAM_POLICY, "p", {"policy": _S3_READ})),
            F("pass", R(IAM_POLICY, "p", {"policy": _doc(
                {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"})})),
        ),
    ),
    resource_rule(
        "iam-no-admin-managed-policy",
        "Roles, users and groups are not given AWS-managed administrator policies.",
        "critical",
        remediation="Detach AdministratorAccess / PowerUserAccess / IAMFullAccess and grant a "
                    "customer-managed least-privilege policy.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=(*ATTACH_TYPES, ROLE),
        check=_admin_attachment,
        config_schema={"deniedPolicyArns": {
            "type": "array", "items": {"type": "string"},
            "default": ["arn:aws:iam::aws:policy/AdministratorAccess",
                        "arn:aws:iam::aws:policy/PowerUserAccess",
                        "arn:aws:iam::aws:policy/IAMFullAccess"]}},
        fixtures=(
            F("fail", R(ATTACH_TYPES[0], "att", {
                "role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
            F("fail", R(ROLE, "r", {"assumeRolePolicy": _TRUST_EC2, "managedPolicyArns": [
                "arn:aws:iam::aws:policy/PowerUserAccess"]})),
            F("pass", R(ATTACH_TYPES[0], "att", {
                "role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"})),
        ),
    ),
    resource_rule(
        "iam-trust-no-wildcard-principal",
        "Role trust policies never let Principal '*' assume the role without a condition.",
        "critical",
        remediation="Name the trusted service, account or OIDC provider, and add "
                    "sts:ExternalId / aws:SourceArn / OIDC sub conditions.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=(ROLE,),
        check=_trust_wildcard,
        fixtures=(
            F("fail", R(ROLE, "r", {"assumeRolePolicy": _doc(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})})),
            F("pass", R(ROLE, "r", {"assumeRolePolicy": _TRUST_EC2})),
        ),
    ),
    resource_rule(
        "bedrock-guardrail-prompt-attack",
        "Bedrock guardrails block prompt attacks (a PROMPT_ATTACK content filter on input).",
        "high",
        remediation="Add {type: PROMPT_ATTACK, inputStrength: HIGH, outputStrength: NONE} to "
                    "contentPolicyConfig.filtersConfigs (output strength must be NONE).",
        frameworks=merge(AI_SECURITY, {"nist-ai-rmf": ("MAP 4.2",)}),
        resource_types=(GUARDRAIL,),
        check=_guardrail_prompt_attack,
        config_schema={"minimumInputStrength": {
            "type": "string", "enum": ["LOW", "MEDIUM", "HIGH"], "default": "MEDIUM",
            "description": "The weakest accepted PROMPT_ATTACK input strength."}},
        fixtures=(
            F("fail", R(GUARDRAIL, "gr", {**_GUARDRAIL_OK, "contentPolicyConfig": {
                "filtersConfigs": [{"type": "HATE", "inputStrength": "HIGH",
                                    "outputStrength": "HIGH"}]}})),
            F("fail", R(GUARDRAIL, "gr", {**_GUARDRAIL_OK, "contentPolicyConfig": {
                "filtersConfigs": [{"type": "PROMPT_ATTACK", "inputStrength": "LOW",
                                    "outputStrength": "NONE"}]}})),
            F("fail", R(GUARDRAIL, "gr", {k: v for k, v in _GUARDRAIL_OK.items()
                                          if k != "contentPolicyConfig"})),
            F("pass", R(GUARDRAIL, "gr", dict(_GUARDRAIL_OK))),
        ),
    ),
    resource_rule(
        "bedrock-invoke-requires-guardrail",
        "IAM policies that allow bedrock:InvokeModel enforce a guardrail through the "
        "bedrock:GuardrailIdentifier condition (embedding models exempt).",
        "high",
        remediation=("1. Add Condition {StringEquals: {bedrock:GuardrailIdentifier: "
                     "<guardrail ARN>:<version>}} to the Allow of bedrock:InvokeModel and "
                     "bedrock:InvokeModelWithResponseStream.\n2. Add an explicit Deny of the "
                     "same actions with StringNotEquals on the same key.\n3. Allow "
                     "bedrock:ApplyGuardrail on the guardrail."),
        frameworks=merge(AI_SECURITY, ACCESS_LEAST_PRIVILEGE,
                         {"nist-ai-rmf": ("GOVERN 1.1",)}),
        resource_types=DOC_TYPES,
        check=_invoke_requires_guardrail,
        config_schema={"exemptResourcePatterns": {
            "type": "array", "items": {"type": "string"},
            "default": ["arn:aws*:bedrock:*::foundation-model/*embed*"],
            "description": "Resource ARN patterns (fnmatch) that need no guardrail: embedding "
                           "models, which guardrails do not apply to."}},
        fixtures=(
            F("fail", R(IAM_POLICY, "invoke", {"policy": _INVOKE_NO_GR})),
            F("fail", R(ROLE, "app", {"assumeRolePolicy": _TRUST_EC2, "inlinePolicies": [
                {"name": "bedrock", "policy": _doc(
                    {"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": [MODEL]})}]})),
            F("pass", R(IAM_POLICY, "invoke", {"policy": _INVOKE_OK})),
            F("pass", R(ROLE_POLICY, "kb", {"role": "kb", "policy": _doc(
                {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": [
                    "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"]})}),
              note="embedding model for a knowledge base"),
        ),
    ),
    resource_rule(
        "bedrock-no-wildcard-model-resources",
        "IAM policies grant model invocation on named models, never on '*' or foundation-model/*.",
        "high",
        remediation="List the approved foundation-model and inference-profile ARNs (with "
                    "bedrock:InferenceProfileArn for the destination-region models).",
        frameworks=merge(ACCESS_LEAST_PRIVILEGE, {"nist-ai-rmf": ("GOVERN 6.1", "MAP 4.1")}),
        resource_types=DOC_TYPES,
        check=_wildcard_models,
        fixtures=(
            F("fail", R(IAM_POLICY, "invoke", {"policy": _INVOKE_STAR})),
            F("fail", R(IAM_POLICY, "invoke", {"policy": _doc(
                {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"})})),
            F("pass", R(IAM_POLICY, "invoke", {"policy": _INVOKE_OK})),
        ),
    ),
    stack_rule(
        "bedrock-invocation-logging",
        "A stack that uses Bedrock configures model invocation logging to CloudWatch or S3.",
        "high",
        remediation="Add aws.bedrockmodel.InvocationLoggingConfiguration with loggingConfig "
                    "{textDataDeliveryEnabled: true, cloudwatchConfig {logGroupName, roleArn} "
                    "and/or s3Config {bucketName}}; the role must trust bedrock.amazonaws.com.",
        frameworks=merge(AUDIT_LOGGING, {"nist-ai-rmf": ("MEASURE 2.8", "MANAGE 4.1")}),
        resource_types=(LOGGING, GUARDRAIL, *DOC_TYPES),
        check=_invocation_logging,
        config_schema={"requireTextDelivery": {
            "type": "boolean", "default": True,
            "description": "Require textDataDeliveryEnabled (prompts and completions)."}},
        fixtures=(
            F("fail", resources=(R(GUARDRAIL, "gr", dict(_GUARDRAIL_OK)),)),
            F("fail", resources=(R(IAM_POLICY, "invoke", {"policy": _INVOKE_OK}),
                                 R(LOGGING, "log", {"loggingConfig": {
                                     "textDataDeliveryEnabled": False,
                                     "s3Config": {"bucketName": "logs"}}}))),
            F("pass", resources=(R(GUARDRAIL, "gr", dict(_GUARDRAIL_OK)),
                                 R(LOGGING, "log", dict(_LOGGING_OK)))),
            F("pass", resources=(R(IAM_POLICY, "read", {"policy": _S3_READ}),),
              note="no Bedrock in the stack"),
        ),
    ),
]
