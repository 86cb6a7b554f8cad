"""LlmGateway from Python: the component convention, references by object or by value, IRSA off
EKS, and the errors of bad args (before anything is registered)."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from gateway_helpers import ContractCluster, render_gateway

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.llm_gateway import TYPE_TOKEN, LlmGateway
from pulumi_aiops.testing import ResourceGraph, run_program, unwrap_secret

KEY = pulumi.Output.secret
SERVER = {"endpoint": "http://chat.models.svc.cluster.local:8000/v1", "served_model_name": "chat",
          "context_length": 4096}
BEDROCK_REF = {"models": ["amazon.nova-micro-v1:0"],
               "guardrail_arn": "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
               "guardrail_version": "3",
               "invoke_policy_arn": "arn:aws:iam::123456789012:policy/bedrock-invoke"}
OIDC = {"oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/oidc.cw.example/abc",
        "oidc_issuer_url": "https://oidc.cw.example/abc"}


def _run(args: dict[str, Any] | Any, name: str = "gw") -> ResourceGraph:
    def program() -> None:
        a = args() if callable(args) else args
        LlmGateway(name, {"cluster": ContractCluster("cw"), **a})

    return run_program(program, {"aws:region": "us-east-1"})


def _error(args: dict[str, Any] | Any) -> str:
    with pytest.raises(ConfigError) as exc:
        _run(args)
    return str(exc.value)


def test_type_token_and_outputs() -> None:
    g = _run({"routes": [{"name": "chat", "provider": "model-server", "server": SERVER}], "allowed_namespaces": ["a"]})
    comp = g.named("gw", TYPE_TOKEN)
    assert comp.type == "aiops:index:LlmGateway"
    out = g.outputs_of(comp)
    assert out["endpoint"] == "http://gw.llm-gateway.svc.cluster.local:4000/v1"
    assert out["masterKeySecretName"] == "gw-secrets"


def test_bedrock_by_value_on_coreweave_uses_irsa() -> None:
    rendered = render_gateway(lambda: {
        "cluster": ContractCluster("cw"), "bedrock": BEDROCK_REF, "irsa": OIDC, "allowed_namespaces": ["apps"],
        "routes": [{"name": "nova", "provider": "bedrock", "model": "amazon.nova-micro-v1:0"}]})
    g = rendered.graph
    nova = rendered.config["model_list"][0]["litellm_params"]
    assert nova["guardrailConfig"] == {"guardrailIdentifier": BEDROCK_REF["guardrail_arn"],
                                       "guardrailVersion": "3", "trace": "disabled"}
    role = g.named("gw-bedrock", "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {"Federated": OIDC["oidc_provider_arn"]}
    assert trust["Condition"]["StringEquals"] == {
        "oidc.cw.example/abc:sub": "system:serviceaccount:llm-gateway:gw",
        "oidc.cw.example/abc:aud": "sts.amazonaws.com"}
    attach = g.named("gw-bedrock-invoke", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attach.inputs["policyArn"] == BEDROCK_REF["invoke_policy_arn"]
    # The pod gets an STS-audience token (not a Kubernetes API token) and the role to assume.
    assert rendered.env["AWS_ROLE_ARN"] == role.outputs["arn"]
    assert rendered.env["AWS_WEB_IDENTITY_TOKEN_FILE"] == "/var/run/secrets/aws/token"
    pod = unwrap_secret(g.named("gw-deployment").inputs)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    token = next(v for v in pod["volumes"] if v["name"] == "aws-token")
    assert token["projected"]["sources"][0]["serviceAccountToken"]["audience"] == "sts.amazonaws.com"


def test_a_model_server_object_is_routed_by_its_endpoint() -> None:
    from pulumi_aiops.workloads import ModelServer

    def args() -> dict[str, Any]:
        cluster = ContractCluster("cw")
        server = ModelServer("chat", {"cluster": cluster, "model": "Qwen/Qwen2.5-1.5B-Instruct", "namespace": "models",
                                      "resources": {"cpu": "4", "memory": "16Gi"}})
        return {"cluster": cluster, "allowed_namespaces": ["apps"],
                "routes": [{"name": "chat", "provider": "model-server", "server": server}]}

    rendered = render_gateway(args)
    params = rendered.config["model_list"][0]["litellm_params"]
    assert params == {"model": "hosted_vllm/chat", "api_base": "http://chat.models.svc.cluster.local:8000/v1"}


def test_inputs_of_the_users_own_resources_are_wired() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("net", cidr_block="10.9.0.0/16")
        subnets = [aws.ec2.Subnet(f"net-{az}", vpc_id=vpc.id, cidr_block=c, availability_zone=az)
                   for az, c in (("us-east-1a", "10.9.1.0/24"), ("us-east-1b", "10.9.2.0/24"))]
        nodes = aws.ec2.SecurityGroup("nodes", vpc_id=vpc.id)
        LlmGateway("gw", {"cluster": ContractCluster("cw"), "allowed_namespaces": ["apps"],
                          "routes": [{"name": "chat", "provider": "model-server", "server": SERVER}],
                          "database": {"mode": "aurora"},
                          "aurora_network": {"vpc_id": vpc.id, "subnet_ids": [s.id for s in subnets],
                                             "client_security_group_ids": [nodes.id]}})

    g = run_program(program, {"aws:region": "us-east-1"})
    sg = g.named("gw-db", "aws:ec2/securityGroup:SecurityGroup")
    assert sg.inputs["vpcId"] == g.named("net", "aws:ec2/vpc:Vpc").outputs["id"]
    assert g.named("net", "aws:ec2/vpc:Vpc").urn in sg.property_dependencies["vpcId"]
    (rule,) = [r for r in g.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    assert rule.inputs["referencedSecurityGroupId"] == g.named("nodes").outputs["id"]
    subnets = g.named("gw-db-subnets", "aws:rds/subnetGroup:SubnetGroup")
    assert len(subnets.inputs["subnetIds"]) == 2


# -- errors ---------------------------------------------------------------------------------------
ROUTE = {"name": "chat", "provider": "model-server", "server": SERVER}


def test_plain_text_api_key_is_refused_and_not_echoed() -> None:
    msg = _error({"routes": [{"name": "gpt", "provider": "openai-compatible", "model": "gpt-4o",
                              "api_base": "https://api.openai.com/v1", "api_key": "sk-plain-0123456789abcdef"}]})
    assert "LlmGateway('gw').routes[0].apiKey: '<redacted>' is an outside API key in plain text" in msg
    assert "sk-plain" not in msg


def test_outside_api_over_plain_http_is_refused() -> None:
    msg = _error(lambda: {"routes": [{"name": "gpt", "provider": "openai-compatible", "model": "gpt-4o",
                                      "api_base": "http://api.example.com/v1", "api_key": KEY("k")}]})
    assert "routes[0].apiBase: 'http://api.example.com/v1' sends prompts and the API key in clear text" in msg


def test_unknown_provider() -> None:
    msg = _error({"routes": [{"name": "c", "provider": "cohere", "model": "x"}]})
    assert "LlmGateway('gw').routes[0].provider: 'cohere' is not allowed" in msg
    assert "'bedrock', 'model-server' or 'openai-compatible'" in msg


def test_server_given_by_name_instead_of_object() -> None:
    msg = _error({"routes": [{"name": "c", "provider": "model-server", "server": "chat"}]})
    assert "routes[0].server" in msg and "pass the component object, not its name" in msg


def test_fallback_to_an_unrouted_model() -> None:
    msg = _error({"routes": [ROUTE], "router": {"context_window_fallbacks": {"chat": ["big"]}}})
    assert "LlmGateway('gw').router.contextWindowFallbacks.chat[0]: 'big' is not a route" in msg


def test_bedrock_route_outside_the_allowlist() -> None:
    msg = _error({"bedrock": BEDROCK_REF, "irsa": OIDC,
                  "routes": [{"name": "c", "provider": "bedrock", "model": "anthropic.claude-3-haiku-20240307-v1:0"}]})
    assert ("LlmGateway('gw').routes[0].model: 'anthropic.claude-3-haiku-20240307-v1:0' is not in BedrockAccess's "
            "allowlist (amazon.nova-micro-v1:0)") in msg


def test_bedrock_route_without_bedrock_access() -> None:
    msg = _error({"routes": [{"name": "c", "provider": "bedrock", "model": "amazon.nova-micro-v1:0"}]})
    assert "LlmGateway('gw').bedrock: None is required" in msg


def test_bedrock_off_eks_needs_irsa() -> None:
    msg = _error({"bedrock": BEDROCK_REF,
                  "routes": [{"name": "c", "provider": "bedrock", "model": "amazon.nova-micro-v1:0"}]})
    assert "LlmGateway('gw').irsa: is required" in msg


def test_budgets_with_no_database() -> None:
    msg = _error({"routes": [ROUTE], "teams": [{"id": "t1", "max_budget_usd": 100}]})
    assert "LlmGateway('gw').teams[0].maxBudgetUsd: 100" in msg and "needs a database" in msg


def test_budget_duration_without_a_budget() -> None:
    msg = _error(lambda: {"routes": [ROUTE], "existing_password": KEY("pw"),
                          "database": {"mode": "existing", "existing": {"host": "db", "cidrs": ["10.0.0.0/8"]}},
                          "teams": [{"id": "t1", "budget_duration": "30d"}]})
    assert "teams[0].budgetDuration: '30d' is set without maxBudgetUsd" in msg


def test_a_cluster_without_system_nodes() -> None:
    with pytest.raises(ConfigError) as exc:
        run_program(lambda: LlmGateway("gw", {"cluster": ContractCluster("cw", system=False), "routes": [ROUTE]}))
    assert "LlmGateway('gw').cluster: 'cw' declares no system nodes" in str(exc.value)


def test_compromised_or_moving_images_are_refused() -> None:
    assert "compromised" in _error({"routes": [ROUTE], "image": "ghcr.io/berriai/litellm-database:v1.107.0"})
    assert "moving tag" in _error({"routes": [ROUTE], "image": "ghcr.io/berriai/litellm-database:main-latest"})


def test_nothing_is_registered_before_the_error() -> None:
    registered: list[str] = []

    class Spy(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            registered.append(args.typ)
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            return {}, []

    with pytest.raises(ConfigError):
        run_program(lambda: LlmGateway("gw", {"cluster": {"cloud": "coreweave", "cluster_name": "cw",
                                                          "kubeconfig": "apiVersion: v1\nclusters: [{name: a}]\n",
                                                          "gpu_node_selector": {"a": "b"},
                                                          "system_node_selector": {"s": "t"}},
                                              "routes": [ROUTE], "router": {"fallbacks": {"chat": ["x"]}}}),
                    mocks=Spy())
    assert registered == []


def test_the_docstring_example_runs_and_builds_what_it_says() -> None:
    import importlib
    import re
    import textwrap

    doc = importlib.import_module("pulumi_aiops.llm_gateway").__doc__ or ""
    found = re.search(r"Example.*?::\n\n((?:    [^\n]*\n|\n)+)", doc, flags=re.S)
    assert found
    code = textwrap.dedent(found.group(1))
    g = run_program(lambda: exec(compile(code, "<llm_gateway docstring>", "exec"), {}),
                    {"aws:region": "us-east-1", "aiops:openaiApiKey": "sk-example-0123456789"},
                    secret_keys={"aiops:openaiApiKey"})
    assert g.exports["gateway"] == "http://gateway.llm-gateway.svc.cluster.local:4000/v1"
    cfg = unwrap_secret(g.named("gateway-config").inputs["data"])["config.yaml"]
    assert "hosted_vllm/chat" in cfg and "bedrock/converse/amazon.nova-pro-v1:0" in cfg
    assert g.named("gateway-db", "aws:rds/cluster:Cluster").protect
    assert g.named("gateway-teams-job", "kubernetes:batch/v1:Job")
