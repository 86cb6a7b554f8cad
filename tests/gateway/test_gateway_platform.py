"""The gateway in a whole platform (stack config → builder → LlmGateway), under mocks: what it
creates on the cluster and in AWS, and the properties that matter (hardening, secrets, network,
Bedrock through the guardrail, the database, teams)."""

from __future__ import annotations

import copy
import json
from typing import Any

import kubernetes_validate
import pytest
import yaml

from pulumi_aiops.builder import main
from pulumi_aiops.gateway.litellm_config import MASTER_KEY_ENV, key_env_name
from pulumi_aiops.testing import RecordedResource, ResourceGraph, is_secret, run_program, unwrap_secret
from pulumi_aiops.testing.policy import evaluate_in_process

OPENAI_KEY = "sk-live-abcdefghijklmnopqrstuvwxyz012345"
STACK_CONFIG = {"aws:region": "us-east-1", "aiops:openaiApiKey": OPENAI_KEY}
SECRET_KEYS = {"aiops:openaiApiKey"}

PLATFORM: dict[str, Any] = {
    "environment": "prod",
    "governance": {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"},
    "eks": {
        "name": "eks", "version": "1.33",
        "network": {"cidr": "10.20.0.0/16", "azCount": 2, "natGateways": "SINGLE"},
        "systemNodeGroup": {"instanceType": "m6i.xlarge", "minSize": 2, "maxSize": 3},
        "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge", "minSize": 0, "maxSize": 2}],
    },
    "workloads": {"modelServers": [
        {"name": "qwen", "cluster": "eks", "model": "Qwen/Qwen2.5-1.5B-Instruct", "maxModelLen": 8192}]},
    "bedrock": {"models": ["amazon.nova-micro-v1:0", "amazon.titan-embed-text-v2:0"],
                "invocationLogging": {"retentionDays": 90},
                "privateEndpoints": {"cluster": "eks", "services": ["bedrock-runtime"]}},
    "gateway": {
        "cluster": "eks",
        "allowedNamespaces": ["apps", "research"],
        "routes": [
            {"name": "chat", "provider": "model-server", "server": "qwen", "rpm": 600},
            {"name": "nova", "provider": "bedrock", "model": "amazon.nova-micro-v1:0"},
            {"name": "gpt", "provider": "openai-compatible", "model": "gpt-4o-mini",
             "apiBase": "https://api.openai.com/v1", "apiKeySecret": "openaiApiKey"},
        ],
        "router": {"fallbacks": {"chat": ["nova"]}, "contextWindowFallbacks": {"chat": ["gpt"]},
                   "contentPolicyFallbacks": {"nova": ["chat"]}},
        "database": {"mode": "aurora"},
        "teams": [{"id": "search", "maxBudgetUsd": 500, "budgetDuration": "30d", "rpmLimit": 600,
                   "models": ["chat", "nova"]}],
        "ingress": {"host": "llm.example.com", "tlsSecretName": "llm-tls", "className": "alb",
                    "sourceCidrs": ["10.20.0.0/16"]},
        "telemetry": {"otlpEndpoint": "http://otel-collector.monitoring.svc:4318/v1/traces",
                      "serviceMonitor": True, "serviceMonitorLabels": {"release": "kube-prometheus-stack"}},
    },
}

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def build(raw: dict[str, Any], config: dict[str, Any] | None = None,
          secret_keys: set[str] | None = None) -> ResourceGraph:
    """The stack's program (``builder.main``: read ``aiops:platform``, build, export) on ``raw``."""
    return run_program(main, {**(config or STACK_CONFIG), "aiops:platform": raw},
                       secret_keys=SECRET_KEYS if secret_keys is None else secret_keys)


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return build(copy.deepcopy(PLATFORM))


def _under_gateway(graph: ResourceGraph) -> list[RecordedResource]:
    gw = graph.named("gateway", "aiops:index:LlmGateway")
    return graph.descendants(gw.urn)


def _manifest(r: RecordedResource) -> dict[str, Any]:
    group_version, kind = r.type.split(":")[1], r.type.split(":")[2]
    group, _, version = group_version.partition("/")
    api_version = version if group == "core" else f"{group}/{version}"
    body = {k: v for k, v in unwrap_secret(r.inputs).items() if k not in ("apiVersion", "kind")}
    return _ints({"apiVersion": api_version, "kind": kind, **body})


def _ints(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_ints(x) for x in v]
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _pod(graph: ResourceGraph, name: str = "gateway-deployment") -> dict[str, Any]:
    return _manifest(graph.named(name, DEPLOYMENT))["spec"]["template"]["spec"]


# -- Kubernetes objects -------------------------------------------------------------------------
def test_every_kubernetes_object_validates_strictly(graph: ResourceGraph) -> None:
    objects = [r for r in _under_gateway(graph) if r.type.startswith("kubernetes:") and r.custom
               and not r.type.startswith("kubernetes:monitoring.coreos.com")]
    kinds = {r.type.rsplit(":", 1)[1] for r in objects}
    assert {"Namespace", "ServiceAccount", "ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "Ingress", "NetworkPolicy", "Job"} <= kinds
    for r in objects:
        kubernetes_validate.validate(_manifest(r), "1.33.0", strict=True)


def test_the_pod_is_hardened_and_on_system_nodes(graph: ResourceGraph) -> None:
    pod = _pod(graph)
    assert pod["automountServiceAccountToken"] is False
    assert pod["nodeSelector"] == {"aiops.io/node-pool": "system"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    (c,) = pod["containers"]
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c["image"] == "ghcr.io/berriai/litellm-database:v1.108.7"
    # LiteLLM writes only under /tmp (an emptyDir): caches, UI copy, migrations, Prometheus files.
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert set(mounts) == {"/etc/litellm", "/tmp"} and mounts["/etc/litellm"]["readOnly"] is True
    env = {e["name"]: e for e in c["env"]}
    for name in ("HOME", "XDG_CACHE_HOME", "LITELLM_UI_PATH", "LITELLM_MIGRATION_DIR"):
        assert env[name]["value"].startswith("/tmp"), name
    for name in ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "LITELLM_LOCAL_BLOG_POSTS",
                 "LITELLM_LOCAL_AUTOROUTER_PRESETS", "LITELLM_LOCAL_POLICY_TEMPLATES"):
        assert env[name]["value"] == "True"
    assert c["resources"]["requests"] == c["resources"]["limits"]
    hpa = _manifest(graph.named("gateway-hpa"))["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    assert graph.named("gateway-deployment").ignore_changes == ("spec.replicas",)


def test_secrets_never_reach_the_configmap_or_plain_env(graph: ResourceGraph) -> None:
    config_yaml = _manifest(graph.named("gateway-config"))["data"]["config.yaml"]
    secret = graph.named("gateway-secrets")
    data = unwrap_secret(secret.inputs["stringData"])
    master = data[MASTER_KEY_ENV]
    assert master.startswith("sk-")
    for value in data.values():
        assert value not in config_yaml
    assert OPENAI_KEY in data.values()
    env = {e["name"]: e for e in _pod(graph)["containers"][0]["env"]}
    for name in (MASTER_KEY_ENV, "DATABASE_PASSWORD"):
        assert "value" not in env[name] and env[name]["valueFrom"]["secretKeyRef"]["name"] == "gateway-secrets"
    gpt_env = [n for n in env if n.startswith("AIOPS_KEY_GPT")]
    assert len(gpt_env) == 1 and "valueFrom" in env[gpt_env[0]]
    assert f"os.environ/{gpt_env[0]}" in config_yaml
    # The master key is a pulumi-random password whose inputs are constants: nothing in the config
    # can change it, so no re-render regenerates it.
    pw = graph.named("gateway-master-key", "random:index/randomPassword:RandomPassword")
    assert pw.inputs == {"length": 48.0, "special": False}


def test_the_master_key_does_not_change_with_the_config(graph: ResourceGraph) -> None:
    raw = copy.deepcopy(PLATFORM)
    raw["gateway"]["routes"].append({"name": "chat-2", "provider": "model-server", "server": "qwen"})
    raw["gateway"]["router"]["fallbacks"] = {"chat": ["chat-2", "nova"]}
    other = build(raw)
    a = graph.named("gateway-master-key", "random:index/randomPassword:RandomPassword")
    b = other.named("gateway-master-key", "random:index/randomPassword:RandomPassword")
    assert (a.urn, a.inputs) == (b.urn, b.inputs)
    # while the rendered config (and so the pods' config hash) did change
    assert _manifest(graph.named("gateway-config")) != _manifest(other.named("gateway-config"))


def test_rendered_routes_and_router(graph: ResourceGraph) -> None:
    cfg = yaml.safe_load(_manifest(graph.named("gateway-config"))["data"]["config.yaml"])
    by_name = {m["model_name"]: m for m in cfg["model_list"]}
    chat = by_name["chat"]
    assert chat["litellm_params"]["model"] == "hosted_vllm/qwen"
    assert chat["litellm_params"]["api_base"] == "http://qwen.qwen.svc.cluster.local:8000/v1"
    assert chat["litellm_params"]["rpm"] == 600 and chat["model_info"]["max_input_tokens"] == 8192
    gpt = by_name["gpt"]["litellm_params"]
    assert gpt["model"] == "openai/gpt-4o-mini" and gpt["api_base"] == "https://api.openai.com/v1"
    rs = cfg["router_settings"]
    assert rs["fallbacks"] == [{"chat": ["nova"]}]
    assert rs["context_window_fallbacks"] == [{"chat": ["gpt"]}]
    assert rs["content_policy_fallbacks"] == [{"nova": ["chat"]}]
    assert rs["enable_pre_call_checks"] is True
    rail = cfg["guardrails"][0]["litellm_params"]
    assert rail["guardrail"] == "litellm_content_filter" and rail["mode"] == "pre_call" and rail["default_on"]
    assert {c["category"] for c in rail["categories"]} >= {"prompt_injection_jailbreak",
                                                           "prompt_injection_system_prompt"}
    assert cfg["litellm_settings"]["callbacks"] == ["prometheus", "otel"]


def test_bedrock_routes_carry_the_guardrail_through_an_authorised_pod_identity_role(graph: ResourceGraph) -> None:
    cfg = yaml.safe_load(_manifest(graph.named("gateway-config"))["data"]["config.yaml"])
    nova = next(m for m in cfg["model_list"] if m["model_name"] == "nova")["litellm_params"]
    assert nova["model"] == "bedrock/converse/amazon.nova-micro-v1:0"
    assert nova["aws_region_name"] == "us-east-1"
    guardrail = graph.named("bedrock-guardrail", "aws:bedrock/guardrail:Guardrail")
    version = graph.named("bedrock-guardrail-version", "aws:bedrock/guardrailVersion:GuardrailVersion")
    assert nova["guardrailConfig"]["guardrailIdentifier"] == guardrail.outputs["guardrailArn"]
    assert nova["guardrailConfig"]["guardrailVersion"] == str(version.outputs["version"])
    # The role: EKS Pod Identity for the gateway's namespace and service account, with BedrockAccess's policy.
    assoc = next(r for r in graph.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                 if r.inputs.get("namespace") == "llm-gateway")
    assert assoc.inputs["serviceAccount"] == "gateway"
    attach = graph.named("bedrock-invoke-gateway-gateway", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.outputs.get("arn") == assoc.inputs["roleArn"])
    assert attach.inputs["role"] == role.outputs["name"]
    assert attach.inputs["policyArn"] == graph.named("bedrock-invoke", "aws:iam/policy:Policy").outputs["arn"]
    # Pods wait for the association (a pod created before it gets no credentials).
    dep = graph.named("gateway-deployment", DEPLOYMENT)
    assert any(u.endswith("::eks-cp") or "EksControlPlane" in u for u in dep.depends_on)


def test_network_policy_admits_only_what_the_config_allows(graph: ResourceGraph) -> None:
    pols = {r.name: _manifest(r) for r in _under_gateway(graph) if r.type == NETPOL}
    deny = pols["gateway-default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    spec = pols["gateway-netpol"]["spec"]
    sources = {json.dumps(f, sort_keys=True) for rule in spec["ingress"] for f in rule["from"]}

    def ns(n: str) -> str:
        return json.dumps({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}, sort_keys=True)

    prometheus = json.dumps({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                             "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}, sort_keys=True)
    assert sources == {ns("apps"), ns("research"), prometheus,
                       json.dumps({"ipBlock": {"cidr": "10.20.0.0/16"}}, sort_keys=True),
                       json.dumps({"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "gateway",
                                                                   "app.kubernetes.io/name": "litellm-admin"}}},
                                  sort_keys=True)}
    monitoring = next(r for r in spec["ingress"] if json.loads(prometheus) in r["from"])
    assert monitoring["ports"] == [{"protocol": "TCP", "port": 9090}] and len(monitoring["from"]) == 1
    egress = {(json.dumps(r.get("to"), sort_keys=True), json.dumps(r["ports"], sort_keys=True))
              for r in spec["egress"]}
    want = [
        (None, [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]),  # DNS, nothing else on 53
        ([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "qwen"}}}],
         [{"protocol": "TCP", "port": 8000}]),                                   # the model server
        ([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
         [{"protocol": "TCP", "port": 4318}]),                                   # the OTLP collector
        ([{"ipBlock": {"cidr": "0.0.0.0/0"}}], [{"protocol": "TCP", "port": 443}]),  # Bedrock, STS, OpenAI
        ([{"ipBlock": {"cidr": "169.254.170.23/32"}}], [{"protocol": "TCP", "port": 80}]),  # Pod Identity agent
    ]
    want_set = {(json.dumps(t, sort_keys=True), json.dumps(p, sort_keys=True)) for t, p in want}
    db = [e for e in egress if "5432" in e[1]]
    assert len(db) == 1 and "ipBlock" in db[0][0]  # the database, in the VPC's address ranges
    assert egress - set(db) == want_set


def test_aurora_is_protected_encrypted_and_reached_through_the_secret(graph: ResourceGraph) -> None:
    db = graph.named("gateway-db", "aws:rds/cluster:Cluster")
    assert db.protect and db.retain_on_delete
    assert db.inputs["storageEncrypted"] is True and db.inputs["deletionProtection"] is True
    key = graph.named("gateway-db-key", "aws:kms/key:Key")
    assert db.inputs["kmsKeyId"] == key.outputs["arn"]
    writer = graph.named("gateway-db-writer", "aws:rds/clusterInstance:ClusterInstance")
    assert writer.inputs["performanceInsightsKmsKeyId"] == key.outputs["arn"]
    assert writer.inputs["publiclyAccessible"] is False
    env = {e["name"]: e for e in _pod(graph)["containers"][0]["env"]}
    assert env["DATABASE_HOST"]["value"].endswith(":5432")
    assert env["DATABASE_SSLMODE"]["value"] == "require"
    password = unwrap_secret(graph.named("gateway-secrets").inputs["stringData"])["DATABASE_PASSWORD"]
    assert password == unwrap_secret(db.inputs["masterPassword"])
    sg_in = [r for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.name.startswith("gateway-db-in")]
    assert [r.inputs["fromPort"] for r in sg_in] == [5432]


def test_teams_are_reconciled_by_a_job_after_the_deployment(graph: ResourceGraph) -> None:
    teams = json.loads(_manifest(graph.named("gateway-teams", "kubernetes:core/v1:ConfigMap"))["data"]["teams.json"])
    assert teams == [{"budget_duration": "30d", "max_budget": 500, "models": ["chat", "nova"], "rpm_limit": 600,
                      "team_alias": "search", "team_id": "search"}]
    job = graph.named("gateway-teams-job", "kubernetes:batch/v1:Job")
    assert graph.named("gateway-deployment").urn in job.depends_on
    pod = _manifest(job)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and pod["restartPolicy"] == "Never"
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["GATEWAY_URL"]["value"] == "http://gateway.llm-gateway.svc.cluster.local:4000"
    assert "valueFrom" in env[MASTER_KEY_ENV]


def test_service_monitor_scrapes_the_metrics_port(graph: ResourceGraph) -> None:
    sm = graph.named("gateway-servicemonitor")
    assert sm.inputs["kind"] == "ServiceMonitor"
    assert sm.inputs["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert sm.inputs["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]


def test_outputs_and_the_policy_packs(graph: ResourceGraph) -> None:
    out = graph.exports["gateway"]
    assert out["endpoint"] == "http://gateway.llm-gateway.svc.cluster.local:4000/v1"
    assert out["routes"] == ["chat", "gpt", "nova"]
    assert is_secret(graph.exports["gatewayMasterKey"])
    report = evaluate_in_process(graph, ["aiops-all"], stack_config={
        "aiops:platform": json.dumps(PLATFORM), **STACK_CONFIG})
    mine = {r.urn for r in _under_gateway(graph)}
    hits = [d for d in report.diagnostics if d.urn in mine]
    # The one finding: the default image is pinned by tag (no digest could be verified, see images.py).
    assert {d.policy for d in hits} == {"k8s-image-digest-pinned"}, [(d.policy, d.message) for d in hits]


def test_an_image_pinned_by_digest_passes_every_policy() -> None:
    raw = copy.deepcopy(PLATFORM)
    raw["gateway"]["image"] = "ghcr.io/berriai/litellm-database@sha256:" + "0" * 64  # a test value
    g = build(raw)
    report = evaluate_in_process(g, ["aiops-all"], stack_config={"aiops:platform": json.dumps(raw), **STACK_CONFIG})
    mine = {r.urn for r in _under_gateway(g)}
    assert [(d.policy, d.message) for d in report.diagnostics if d.urn in mine] == []


# -- stack-config errors: clear, at the key path, before anything is registered ------------------
def _bad(mutate: Any) -> str:
    raw = copy.deepcopy(PLATFORM)
    mutate(raw)
    from pulumi_aiops.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        build(raw)
    return str(exc.value)


def test_unknown_provider() -> None:
    msg = _bad(lambda r: r["gateway"]["routes"][0].update(provider="anthropic"))
    assert "aiops:platform.gateway.routes[0].provider: 'anthropic'" in msg and "model-server" in msg


def test_unknown_server() -> None:
    msg = _bad(lambda r: r["gateway"]["routes"][0].update(server="llama"))
    assert "aiops:platform.gateway.routes[0].server: 'llama' is not a model server on cluster 'eks'" in msg
    assert "qwen" in msg


def test_fallback_to_an_unrouted_model() -> None:
    msg = _bad(lambda r: r["gateway"]["router"].update(fallbacks={"chat": ["claude"]}))
    assert "aiops:platform.gateway.router.fallbacks.chat[0]: 'claude' is not a route" in msg


def test_bedrock_route_outside_the_allowlist() -> None:
    msg = _bad(lambda r: r["gateway"]["routes"][1].update(model="amazon.nova-pro-v1:0"))
    assert "aiops:platform.gateway.routes[1].model: 'amazon.nova-pro-v1:0' is not in bedrock.models" in msg


def test_budgets_without_a_database() -> None:
    msg = _bad(lambda r: r["gateway"].update(database={"mode": "none"}))
    assert "aiops:platform.gateway.teams[0].maxBudgetUsd: 500" in msg and "needs a database" in msg


def test_outside_api_key_in_plain_text_in_the_stack_file() -> None:
    msg = _bad(lambda r: r["gateway"]["routes"][2].update(apiKey=OPENAI_KEY))
    assert "aiops:platform.gateway.routes[2].apiKey: '<redacted>' is an outside API key in plain text" in msg
    assert OPENAI_KEY not in msg


def test_api_key_config_value_must_be_a_secret() -> None:
    from pulumi_aiops.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        build(copy.deepcopy(PLATFORM), secret_keys=set())
    assert "aiops:platform.gateway.routes[2].apiKeySecret: aiops:openaiApiKey is set in plain text" in str(exc.value)
    assert OPENAI_KEY not in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        build(copy.deepcopy(PLATFORM), config={"aws:region": "us-east-1"})
    assert "'openaiApiKey' names no config value" in str(exc.value)


def test_gateway_on_a_cluster_without_system_nodes() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["coreweave"] = {"name": "cw", "cks": {"zone": "US-EAST-04A", "version": "v1.33"},
                          "nodePools": [{"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 1,
                                         "minNodes": 1, "maxNodes": 1}]}
        r["gateway"]["cluster"] = "cw"
    msg = _bad(mutate)
    assert "aiops:platform.gateway.cluster: 'cw' declares no system nodes" in msg


def test_key_env_names_do_not_depend_on_route_order() -> None:
    from pulumi_aiops.config.gateway import GatewayRouteConfig

    a = GatewayRouteConfig.model_validate({"name": "gpt", "provider": "openai-compatible", "model": "x",
                                           "apiBase": "https://e.example/v1", "apiKeySecret": "k"})
    assert key_env_name(a) == key_env_name(a.model_copy())
    assert key_env_name(a).startswith("AIOPS_KEY_GPT_")


# -- with the platform's observability and model serving ------------------------------------------
def test_observability_scrapes_the_metrics_port_and_receives_the_traces() -> None:
    raw = copy.deepcopy(PLATFORM)
    del raw["gateway"]["telemetry"]
    raw["observability"] = {"clusters": ["eks"]}
    g = build(raw)
    sm = next(r for r in g.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
              if r.inputs["metadata"]["name"] == "aiops-llm-gateway")
    svc = _manifest(g.named("gateway-svc", "kubernetes:core/v1:Service"))
    selector = sm.inputs["spec"]["selector"]["matchLabels"]
    assert selector.items() <= svc["metadata"]["labels"].items()
    (endpoint,) = sm.inputs["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in svc["spec"]["ports"]} and endpoint["port"] == "metrics"
    env = {e["name"]: e.get("value") for e in _pod(g)["containers"][0]["env"]}
    assert env["OTEL_ENDPOINT"] == "http://otel-collector.monitoring.svc.cluster.local:4318/v1/traces"
    assert not [r for r in _under_gateway(g) if r.type.endswith(":ServiceMonitor")]  # no second scrape


def test_a_second_service_monitor_beside_observability_is_refused() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["observability"] = {"clusters": ["eks"]}
    msg = _bad(mutate)
    assert "aiops:platform.gateway.telemetry.serviceMonitor: True would scrape the gateway twice" in msg


def test_model_servers_admit_the_gateways_namespace(graph: ResourceGraph) -> None:
    ns_labels = _manifest(graph.named("gateway-ns", "kubernetes:core/v1:Namespace"))["metadata"]["labels"]
    allow = next(r for r in graph.of_type(NETPOL) if r.inputs["metadata"]["namespace"] == "qwen"
                 and r.inputs["metadata"]["name"] == "allow-gateway")
    (rule,) = allow.inputs["spec"]["ingress"]
    want = rule["from"][0]["namespaceSelector"]["matchLabels"]
    assert want.items() <= ns_labels.items()
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000.0}]
