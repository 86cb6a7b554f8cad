"""BedrockAccess under mocks: the IAM documents themselves (allowlist, guardrail enforcement,
profile fencing), the guardrail, invocation logging, private endpoints, parliament."""

from __future__ import annotations

import json
import re

import pytest
from bedrock_helpers import (
    ACCOUNT,
    ATTACH,
    BUCKET,
    DIRECT,
    EMBED,
    ENDPOINT,
    ERROR_SEVERITIES,
    GUARDRAIL,
    GUARDRAIL_VERSION,
    KEY,
    LOG_GROUP,
    LOGGING,
    MODELS,
    PAB,
    POLICY,
    PROFILE,
    PROFILE_DESTINATIONS,
    PROFILE_MODEL,
    REGION,
    ROLE,
    SG,
    SSE,
    TAGS,
    THROUGHPUT,
    VERSIONING,
    as_list,
    iam_documents,
    invoke_document,
    parliament_findings,
    run_access,
    statements,
)

from pulumi_aiops.bedrock_access import INVOKE_ACTIONS, profile_statement_sid
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph

GUARD_KEY = "bedrock:GuardrailIdentifier"
FM = "arn:aws:bedrock:{region}::foundation-model/{model}"
PROFILE_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{PROFILE}"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_access(with_role=True, provisioned_throughput=[
        {"name": "nova-pt", "model": DIRECT, "model_units": 1, "commitment": "OneMonth"}])


def version_arn(graph: ResourceGraph) -> str:
    g = graph.one(GUARDRAIL)
    return f"{g.outputs['guardrailArn']}:{graph.one(GUARDRAIL_VERSION).outputs['version']}"


# -- the invoke policy --------------------------------------------------------------------------
def test_invoke_policy_names_only_allowlisted_models(graph: ResourceGraph) -> None:
    doc = invoke_document(graph)
    pt_arn = graph.one(THROUGHPUT).outputs["provisionedModelArn"]
    allowed = {PROFILE_ARN, FM.format(region=REGION, model=DIRECT), FM.format(region=REGION, model=EMBED),
               pt_arn, *(FM.format(region=r, model=PROFILE_MODEL) for r in PROFILE_DESTINATIONS)}
    seen: set[str] = set()
    for s in doc["Statement"]:
        if set(as_list(s["Action"])) & set(INVOKE_ACTIONS):
            for arn in as_list(s["Resource"]):
                assert "*" not in arn, f"wildcard model ARN in {s['Sid']}: {arn}"
                assert arn in allowed, f"{s['Sid']} names {arn}, not on the allowlist"
                seen.add(arn)
    assert seen == allowed  # every allowlisted model is usable
    models_named = {re.sub(r"^.*(foundation-model|inference-profile)/", "", a) for a in seen if a != pt_arn}
    assert models_named == {PROFILE, PROFILE_MODEL, DIRECT, EMBED}


def test_no_other_actions_and_no_star_resources(graph: ResourceGraph) -> None:
    doc = invoke_document(graph)
    actions = {a for s in doc["Statement"] for a in as_list(s["Action"])}
    assert actions == {*INVOKE_ACTIONS, "bedrock:ApplyGuardrail"}
    assert all("*" not in r for s in doc["Statement"] for r in as_list(s["Resource"]))


def test_every_generative_allow_requires_the_guardrail_version(graph: ResourceGraph) -> None:
    doc = invoke_document(graph)
    varn = version_arn(graph)
    assert re.fullmatch(rf"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/[a-z0-9]+:1", varn)
    embed_arn = FM.format(region=REGION, model=EMBED)
    for s in doc["Statement"]:
        if s["Effect"] == "Allow" and set(as_list(s["Action"])) & set(INVOKE_ACTIONS):
            if as_list(s["Resource"]) == [embed_arn]:
                assert as_list(s["Action"]) == ["bedrock:InvokeModel"]
                continue
            assert s["Condition"]["StringEquals"][GUARD_KEY] == varn, s["Sid"]


def test_explicit_deny_without_the_guardrail(graph: ResourceGraph) -> None:
    doc = invoke_document(graph)
    denies = [s for s in doc["Statement"] if s["Effect"] == "Deny"]
    assert len(denies) == 1
    deny = denies[0]
    assert set(as_list(deny["Action"])) == set(INVOKE_ACTIONS)
    assert deny["Condition"] == {"StringNotEquals": {GUARD_KEY: version_arn(graph)}}
    # The deny covers every generative resource the policy allows.
    generative = {r for s in doc["Statement"] if s["Effect"] == "Allow" and "Condition" in s
                  for r in as_list(s["Resource"])}
    assert generative and generative <= set(as_list(deny["Resource"]))


def test_profile_destination_models_are_fenced_by_the_profile(graph: ResourceGraph) -> None:
    st = statements(invoke_document(graph))
    # Named by the profile (a stable hash of its id), not by its position in the allowlist.
    fenced = st[profile_statement_sid(PROFILE_ARN)]
    assert set(as_list(fenced["Resource"])) == {
        FM.format(region=r, model=PROFILE_MODEL) for r in PROFILE_DESTINATIONS}
    assert fenced["Condition"]["ArnEquals"] == {"bedrock:InferenceProfileArn": PROFILE_ARN}
    # The profile's foundation models are not allowed anywhere without the fence.
    for s in st.values():
        if s["Effect"] == "Allow" and s is not fenced:
            assert not any(PROFILE_MODEL in r and "foundation-model" in r for r in as_list(s["Resource"]))
    assert PROFILE_ARN in as_list(st["InvokeAllowlistedModelsWithGuardrail"]["Resource"])


def test_apply_guardrail_on_the_guardrail(graph: ResourceGraph) -> None:
    st = statements(invoke_document(graph))["ApplyPlatformGuardrail"]
    assert as_list(st["Resource"]) == [graph.one(GUARDRAIL).outputs["guardrailArn"]]


def test_grant_invoke_attaches_the_policy(graph: ResourceGraph) -> None:
    attach = graph.one(ATTACH)
    assert attach.inputs["policyArn"] == graph.named("br-invoke").outputs["arn"]
    assert attach.inputs["role"] == graph.named("chat", ROLE).outputs["name"]


def test_provisioned_throughput(graph: ResourceGraph) -> None:
    pt = graph.one(THROUGHPUT)
    assert pt.inputs["modelArn"] == FM.format(region=REGION, model=DIRECT)
    assert pt.inputs["commitmentDuration"] == "OneMonth"
    assert pt.inputs["modelUnits"] == 1


# -- the guardrail ----------------------------------------------------------------------------
def test_guardrail_prompt_attack_and_content_filters(graph: ResourceGraph) -> None:
    filters = {f["type"]: f for f in graph.one(GUARDRAIL).inputs["contentPolicyConfig"]["filtersConfigs"]}
    assert filters["PROMPT_ATTACK"]["inputStrength"] == "HIGH"
    assert filters["PROMPT_ATTACK"]["outputStrength"] == "NONE"
    for t in ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT"):
        assert (filters[t]["inputStrength"], filters[t]["outputStrength"]) == ("HIGH", "HIGH")


def test_guardrail_pii_and_topics() -> None:
    g = run_access(guardrail={
        "pii_entities": [{"type": "EMAIL", "action": "ANONYMIZE"},
                         {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "BLOCK"}],
        "denied_topics": [{"name": "investment-advice", "definition": "Advice on securities.",
                           "examples": ["Which stock should I buy?"]}],
    }).one(GUARDRAIL).inputs
    pii = {p["type"]: p["action"] for p in g["sensitiveInformationPolicyConfig"]["piiEntitiesConfigs"]}
    assert pii == {"EMAIL": "ANONYMIZE", "US_SOCIAL_SECURITY_NUMBER": "BLOCK"}
    (topic,) = g["topicPolicyConfig"]["topicsConfigs"]
    assert topic["type"] == "DENY" and topic["name"] == "investment-advice"


def test_guardrail_version_is_republished_when_the_guardrail_changes() -> None:
    a = run_access().one(GUARDRAIL_VERSION)
    b = run_access(guardrail={"denied_topics": [{"name": "t", "definition": "d"}]}).one(GUARDRAIL_VERSION)
    assert a.inputs["description"] != b.inputs["description"]
    assert "description" in a.replace_on_changes
    assert a.inputs["skipDestroy"] is True


# -- invocation logging -------------------------------------------------------------------------
def test_logging_goes_to_the_kms_encrypted_bucket_and_log_group(graph: ResourceGraph) -> None:
    cfg = graph.one(LOGGING).inputs["loggingConfig"]
    key = graph.one(KEY)
    bucket = graph.named("br-invocation-logs", BUCKET)
    assert cfg["s3Config"]["bucketName"] == bucket.outputs["id"]
    sse = graph.named("br-invocation-logs-sse", SSE).inputs
    assert sse["bucket"] == bucket.outputs["id"]
    rule = sse["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.outputs["arn"]}
    assert key.inputs["enableKeyRotation"] is True
    group = graph.one(LOG_GROUP)
    assert cfg["cloudwatchConfig"]["logGroupName"] == group.inputs["name"]
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    role = graph.named("br-log-delivery", ROLE)
    assert cfg["cloudwatchConfig"]["roleArn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_log_bucket_policy_admits_bedrock_from_this_account_over_tls_only(graph: ResourceGraph) -> None:
    doc = statements(json.loads(graph.named("br-invocation-logs-policy").inputs["policy"]))
    put = doc["BedrockPutsInvocationLogs"]
    assert put["Principal"] == {"Service": "bedrock.amazonaws.com"} and put["Action"] == "s3:PutObject"
    assert put["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert put["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"}
    tls = doc["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for b in ("br-invocation-logs", "br-access-logs"):
        assert graph.named(f"{b}-versioning", VERSIONING).inputs["versioningConfiguration"] == {
            "status": "Enabled"}
        pab = graph.named(f"{b}-pab", PAB).inputs
        assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                            "ignorePublicAcls", "restrictPublicBuckets"))


def test_log_bucket_has_access_logging_and_lifecycle(graph: ResourceGraph) -> None:
    bucket = graph.named("br-invocation-logs", BUCKET).outputs["id"]
    access = graph.named("br-access-logs", BUCKET)
    logging = graph.named("br-invocation-logs-logging").inputs
    assert (logging["bucket"], logging["targetBucket"]) == (bucket, access.outputs["id"])
    (rule,) = graph.named("br-invocation-logs-lifecycle").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["transitions"] == [{"days": 90, "storageClass": "GLACIER_IR"}]
    assert "expiration" not in rule  # kept unless s3ExpireDays is set
    put = statements(json.loads(graph.named("br-access-logs-policy").inputs["policy"]))[
        "S3ServerAccessLogs"]
    assert put["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert put["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}


def test_logs_key_policy_scopes_cloudwatch_to_the_log_group(graph: ResourceGraph) -> None:
    doc = statements(json.loads(graph.one(KEY).inputs["policy"]))
    cond = doc["CloudWatchLogsUseForInvocationLogGroup"]["Condition"]["StringEquals"]
    assert cond == {"kms:EncryptionContext:aws:logs:arn":
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{graph.one(LOG_GROUP).inputs['name']}"}


def test_stateful_resources_are_protected_and_retained(graph: ResourceGraph) -> None:
    stateful = [*graph.of_type(KEY, BUCKET), graph.one(LOG_GROUP)]
    assert len(stateful) == 4
    for r in stateful:
        assert r.protect and r.retain_on_delete, r.name
    assert graph.one(LOG_GROUP).inputs["deletionProtectionEnabled"] is True
    assert graph.one(KEY).inputs["deletionWindowInDays"] == 30


def test_logging_can_be_disabled() -> None:
    g = run_access(invocation_logging={"destinations": []})
    assert not g.of_type(LOGGING) and not g.of_type(BUCKET)


# -- private endpoints --------------------------------------------------------------------------
def test_interface_endpoints_with_private_dns_in_the_vpc(graph: ResourceGraph) -> None:
    eps = {e.inputs["serviceName"]: e.inputs for e in graph.of_type(ENDPOINT)}
    assert set(eps) == {f"com.amazonaws.{REGION}.{s}" for s in
                        ("bedrock", "bedrock-runtime", "bedrock-agent-runtime")}
    sg = graph.one(SG)
    for ep in eps.values():
        assert ep["privateDnsEnabled"] is True
        assert ep["vpcEndpointType"] == "Interface"
        assert ep["vpcId"] == "vpc-0123"
        assert ep["securityGroupIds"] == [sg.outputs["id"]]
    (rule,) = sg.inputs["ingress"]
    assert (rule["fromPort"], rule["toPort"], rule["protocol"]) == (443, 443, "tcp")
    assert rule["cidrBlocks"] == ["10.0.0.0/16"]  # the VPC's CIDR (mocked getVpc), nothing wider
    assert not sg.inputs.get("egress")


def test_endpoints_need_a_vpc() -> None:
    with pytest.raises(ConfigError, match=r"BedrockAccess\('br'\)\.vpcId: None is not allowed; "
                       r"privateEndpoints.mode is ENABLED \(the default\)"):
        run_access(vpc_id=None, subnet_ids=None)
    with pytest.raises(ConfigError, match=r"BedrockAccess\('br'\)\.vpcId: 'vpc-0123' is not used: "
                       r"privateEndpoints.mode is DISABLED"):
        run_access(private_endpoints={"mode": "DISABLED"})


def test_endpoints_can_be_disabled() -> None:
    assert not run_access(private_endpoints={"mode": "DISABLED"}, vpc_id=None,
                          subnet_ids=None).of_type(ENDPOINT)


def test_profile_must_be_callable_from_the_stack_region() -> None:
    with pytest.raises(ConfigError, match=rf"BedrockAccess\('br'\)\.models\[0\]: '{re.escape(PROFILE)}' "
                       r"cannot be called from aws:region 'eu-west-1'"):
        run_access(region="eu-west-1")


# -- tags and parliament ----------------------------------------------------------------------
def test_taggable_resources_carry_the_governance_tags(graph: ResourceGraph) -> None:
    taggable = (GUARDRAIL, KEY, BUCKET, LOG_GROUP, ENDPOINT, SG, THROUGHPUT, POLICY, ROLE)
    checked = 0
    for r in graph.of_type(*taggable):
        if r.name == "chat":  # the test's own workload role
            continue
        checked += 1
        for k, v in TAGS.items():
            assert r.inputs["tags"].get(k) == v, (r.type, r.name)
    assert checked >= 10


def test_every_policy_document_passes_parliament(graph: ResourceGraph) -> None:
    docs = iam_documents(graph)
    assert {"Policy/br-invoke.policy", "Key/br-logs-key.policy",
            "BucketPolicy/br-invocation-logs-policy.policy",
            "Role/br-log-delivery.assumeRolePolicy", "RolePolicy/br-log-delivery.policy"} <= set(docs)
    for name, (doc, trust) in docs.items():
        findings = parliament_findings(doc, trust)
        errors = [f for f in findings if f[1] in ERROR_SEVERITIES]
        assert not errors, f"{name}: {errors}"
        # What remains is parliament's stale Bedrock data (it predates inference profiles and
        # bedrock:GuardrailIdentifier) or Resource "*" in the key policy, where it is required.
        for issue, _sev, detail in findings:
            assert issue in {"RESOURCE_MISMATCH", "UNKNOWN_CONDITION_FOR_ACTION", "RESOURCE_STAR"}, (
                name, issue, detail)
            if issue == "UNKNOWN_CONDITION_FOR_ACTION":
                assert GUARD_KEY in str(detail)
            if issue == "RESOURCE_STAR":
                assert name.startswith("Key/"), name


def test_models_fixture_is_the_allowlist(graph: ResourceGraph) -> None:
    assert graph.component_outputs  # registered outputs exist
    outs = next(o for o in graph.component_outputs.values() if "invokePolicyArn" in o)
    assert outs["models"] == MODELS
