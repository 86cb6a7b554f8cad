"""One LLM gateway in front of every model: the LiteLLM proxy on any GPU cluster's system nodes.

:class:`LlmGateway` takes a :class:`~pulumi_aiops.contract.GpuCluster` (EKS or CoreWeave, or a
``GpuClusterRef``) and *routes*: model names clients ask for, each sent to

* a Bedrock model from :class:`~pulumi_aiops.bedrock_access.BedrockAccess`'s allowlist, through an
  IAM role that ``BedrockAccess.grant_invoke`` authorises (EKS Pod Identity on an
  ``EksGpuCluster``, IRSA elsewhere), with the platform guardrail's identifier and version on
  every call (the invoke policy denies calls without them);
* a self-hosted :class:`~pulumi_aiops.workloads.ModelServer` (its in-cluster endpoint, served
  model name and context length);
* an OpenAI-compatible outside API, whose key comes from secret config into a Kubernetes Secret.

It creates, in its own namespace (``restricted`` Pod Security Standard):

* a ConfigMap with LiteLLM's ``config.yaml`` (:mod:`pulumi_aiops.gateway.litellm_config`): routes,
  router (strategy, retries, timeouts, per-route rpm/tpm, fallbacks incl. context-window and
  content-policy ones, cooldowns), the ``litellm_content_filter`` prompt-injection guardrail in
  ``pre_call`` mode, Prometheus and OpenTelemetry callbacks. No secret is in it;
* a Secret: the master key (pulumi-random, ``sk-…``, generated once and kept), outside API keys,
  the database password;
* a Deployment on the cluster's system nodes: non-root, read-only root filesystem (``emptyDir`` at
  ``/tmp`` for LiteLLM's caches, UI copy, migrations and Prometheus files), all capabilities
  dropped, seccomp ``RuntimeDefault``, no service-account token, pinned image
  (``ghcr.io/berriai/litellm-database``, the same LiteLLM release the tests run);
* a ClusterIP Service (API 4000, metrics), a HorizontalPodAutoscaler, a PodDisruptionBudget, an
  optional Ingress with TLS, an optional ServiceMonitor;
* NetworkPolicies: default-deny for the namespace, then the gateway admits only the allowed
  namespaces (and the ingress sources) on the API port and the monitoring namespaces on the
  metrics port, and reaches only DNS, its backends, its database and the telemetry endpoint;
* with ``database.mode: aurora``: an encrypted, protected Aurora PostgreSQL Serverless v2
  (:mod:`pulumi_aiops.gateway.database`); the image runs LiteLLM's migrations before it serves;
* with ``teams``: a Job after each deploy that reconciles them through the admin API
  (:mod:`pulumi_aiops.gateway.reconcile_teams`, idempotent).

Example (an EKS cluster, a vLLM server on it, Bedrock, an outside API whose key is the secret
config value ``aiops:openaiApiKey``)::

    import pulumi
    from pulumi_aiops.bedrock_access import BedrockAccess
    from pulumi_aiops.eks_gpu_cluster import EksGpuCluster
    from pulumi_aiops.llm_gateway import LlmGateway
    from pulumi_aiops.workloads import ModelServer

    tags = {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "internal"}
    cluster = EksGpuCluster("eks", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge", "max_size": 2}],
                                    "tags": tags})
    access = BedrockAccess("bedrock", {"models": ["amazon.nova-pro-v1:0"], "vpc_id": cluster.vpc_id,
                                       "subnet_ids": cluster.private_subnet_ids, "tags": tags})
    chat = ModelServer("chat", {"cluster": cluster, "model": "Qwen/Qwen2.5-1.5B-Instruct", "max_model_len": 8192})
    gateway = LlmGateway("gateway", {
        "cluster": cluster,
        "bedrock": access,
        "allowed_namespaces": ["apps"],
        "routes": [
            {"name": "chat", "provider": "model-server", "server": chat, "context_length": 8192},
            {"name": "nova", "provider": "bedrock", "model": "amazon.nova-pro-v1:0"},
            {"name": "gpt", "provider": "openai-compatible", "model": "gpt-4o-mini",
             "api_base": "https://api.openai.com/v1",
             "api_key": pulumi.Config().require_secret("openaiApiKey")},
        ],
        "router": {"fallbacks": {"chat": ["nova"]}, "context_window_fallbacks": {"chat": ["gpt"]}},
        "database": {"mode": "aurora"},
        "teams": [{"id": "search", "max_budget_usd": 500, "budget_duration": "30d", "models": ["chat", "nova"]}],
        "tags": tags,
    })
    pulumi.export("gateway", gateway.endpoint)  # http://gateway.llm-gateway.svc.cluster.local:4000/v1
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib import resources as importlib_resources
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops.args import LlmGatewayArgs
from pulumi_aiops.config.base import _render_path, _short, component_args
from pulumi_aiops.config.gateway import (
    BedrockRef,
    DatabaseMode,
    GatewayRouteArgsModel,
    LlmGatewayArgsModel,
    ModelServerRef,
    RouteProvider,
    in_cluster_host,
    url_host,
)
from pulumi_aiops.config.serving import DEFAULT_GATEWAY_NAMESPACE_LABELS
from pulumi_aiops.contract import GpuCluster, resolve_cluster
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.gateway.litellm_config import (
    LOCAL_DATA_ENV,
    MASTER_KEY_ENV,
    Deployment,
    deployment,
    key_env_name,
    render_config,
    telemetry_env,
    to_yaml,
)
from pulumi_aiops.workloads.model_server import tag_metadata

__all__ = ["API_PORT", "TYPE_TOKEN", "LlmGateway", "LlmGatewayArgs", "LlmGatewayArgsModel"]

TYPE_TOKEN = "aiops:index:LlmGateway"
#: The proxy's API port.
API_PORT = 4000
_UID = 1000
_CONFIG_DIR = "/etc/litellm"
_TMP = "/tmp"
#: EKS Pod Identity's node agent (link-local; IPv4), which hands pods their credentials.
_POD_IDENTITY_AGENT = "169.254.170.23/32"


def _any(value: Any) -> Any:
    """A manifest fragment as ``Any`` (the SDK's TypedDicts do not take plain dict literals)."""
    return value


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _served_name_from_endpoint(endpoint: str) -> str:
    # ModelServer's Service is named after the server, which is also --served-model-name.
    return url_host(endpoint)[1].split(".", 1)[0]


def _egress_to(url: str) -> dict[str, Any]:
    """A NetworkPolicy egress rule reaching ``url``: the service's namespace for an in-cluster
    host (the URL's port must be the pod's port, as for ModelServer), else any address on the port."""
    _scheme, host, port = url_host(url)
    svc = in_cluster_host(host)
    ports = [{"protocol": "TCP", "port": port}]
    if svc is not None:
        return {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": svc[1]}}}],
                "ports": ports}
    return {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": ports}


def _dedupe(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for r in rules:
        seen.setdefault(json.dumps(r, sort_keys=True), dict(r))
    return list(seen.values())


class LlmGateway(pulumi.ComponentResource):
    """The LiteLLM proxy on a GPU cluster's system nodes. See the module docstring.

    Python attributes: ``config`` (the validated args), ``namespace``, ``deployment``,
    ``service``, ``config_map``, ``secret``, ``network_policies``, ``hpa``, ``pdb``, ``ingress``,
    ``service_monitor``, ``teams_job``, ``database`` (:class:`~pulumi_aiops.gateway.database.AuroraDatabase`
    or ``None``), ``bedrock_role`` (the IAM role of Bedrock routes, or ``None``), ``config_yaml``
    (``Output[str]``: the rendered ``config.yaml``), ``service_monitor_spec()`` (for an
    observability stack that creates the ServiceMonitor itself).
    """

    endpoint: pulumi.Output[str]
    """The in-cluster OpenAI-compatible base URL, ``http://<name>.<namespace>.svc.cluster.local:4000/v1``."""
    master_key: pulumi.Output[str]
    """The proxy's master key (secret): admin API, and a key for trusted callers."""
    master_key_secret_name: pulumi.Output[str]
    """The Kubernetes Secret (in the gateway's namespace) holding the master key under AIOPS_GATEWAY_MASTER_KEY."""

    def __init__(self, name: str, args: LlmGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        where = f"LlmGateway({name!r})"
        raw: Any = args
        cfg = component_args(LlmGatewayArgsModel, raw, where)
        self._check_before_registering(cfg, where)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = cfg
        self._name = name
        gw = cfg.name or name
        ns = cfg.namespace
        tags = dict(cfg.tags)
        tag_labels, tag_annotations, skipped = tag_metadata(tags)
        for key in skipped:
            pulumi.log.warn(f"{where}.tags: {key!r} is not a valid Kubernetes label key; not put on the objects")
        cluster = resolve_cluster(cfg.cluster, self, name)
        self.cluster_name = cluster.cluster_name
        self._node_selector = dict(cluster.system_node_selector)
        self._tolerations = [dict(t) for t in cluster.system_tolerations]
        k = pulumi.ResourceOptions(parent=self, provider=cluster.provider)

        labels = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": gw,
                  "app.kubernetes.io/component": "llm-gateway", "app.kubernetes.io/managed-by": "pulumi-aiops"}
        selector = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": gw}
        admin_labels = {"app.kubernetes.io/name": "litellm-admin", "app.kubernetes.io/instance": gw,
                        "app.kubernetes.io/component": "llm-gateway-admin",
                        "app.kubernetes.io/managed-by": "pulumi-aiops"}

        def meta(obj_name: str, extra_labels: Mapping[str, str] | None = None) -> Any:
            m: dict[str, Any] = {"name": obj_name, "namespace": ns,
                                 "labels": {**tag_labels, **labels, **(extra_labels or {})}}
            if tag_annotations:
                m["annotations"] = dict(tag_annotations)
            return m

        # -- namespace, service accounts ------------------------------------------------------
        ns_meta: Any = {"name": ns, "labels": {
            **tag_labels, **labels, "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            # ModelServers admit traffic only from namespaces carrying this label.
            **DEFAULT_GATEWAY_NAMESPACE_LABELS}}
        if tag_annotations:
            ns_meta["annotations"] = dict(tag_annotations)
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-ns", metadata=ns_meta,
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=cluster.depends_on)))
        after_ns = pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[self.namespace]))
        self.network_policies: dict[str, k8s.networking.v1.NetworkPolicy] = {}
        # Default-deny first: nothing in the namespace talks until an allow names it.
        self.network_policies["default-deny"] = k8s.networking.v1.NetworkPolicy(
            f"{name}-default-deny", metadata=meta("default-deny"),
            spec=_any({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}), opts=after_ns)
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa", metadata=meta(gw), automount_service_account_token=False, opts=after_ns)

        # -- identity for Bedrock routes -------------------------------------------------------
        bedrock_routes = [r for r in cfg.routes if r.provider is RouteProvider.BEDROCK]
        self.bedrock_role: Any = None
        pod_identity = False
        deploy_after: list[pulumi.Resource] = []
        region: pulumi.Output[str] | None = None
        if bedrock_routes:
            import pulumi_aws as aws

            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
            pod_identity, deploy_after = self._bedrock_identity(cfg, name, ns, gw, tags)

        # -- database -------------------------------------------------------------------------
        self.database: Any = None
        db_env: list[dict[str, Any]] = []
        secret_data: dict[str, pulumi.Input[str]] = {}
        db_egress: pulumi.Input[list[dict[str, Any]]] = []
        if cfg.database.mode is DatabaseMode.AURORA:
            from pulumi_aiops.gateway.database import DB_USER, aurora_database

            net = self._aurora_network(cfg)
            self.database = aurora_database(
                name, cfg.database.aurora, parent=self, vpc_id=net["vpc_id"], subnet_ids=net["subnet_ids"],
                client_security_group_ids=net["client_security_group_ids"], tags=tags)
            secret_data["DATABASE_PASSWORD"] = self.database.password
            db_env = [{"name": "DATABASE_HOST", "value": self.database.host},
                      {"name": "DATABASE_USERNAME", "value": DB_USER},
                      {"name": "DATABASE_NAME", "value": self.database.database_name}]
            db_egress = self.database.vpc_cidrs.apply(lambda cidrs: [{
                "to": [{"ipBlock": {"cidr": c}} for c in cidrs], "ports": [{"protocol": "TCP", "port": 5432}]}])
            deploy_after += self.database.resources
        elif cfg.database.mode is DatabaseMode.EXISTING:
            ex = cfg.database.existing
            assert ex is not None and cfg.existing_password is not None
            secret_data["DATABASE_PASSWORD"] = pulumi.Output.secret(cfg.existing_password)
            db_env = [{"name": "DATABASE_HOST", "value": pulumi.Output.concat(ex.host, ":", str(ex.port))},
                      {"name": "DATABASE_USERNAME", "value": ex.username},
                      {"name": "DATABASE_NAME", "value": ex.database_name}]
            db_egress = [{"to": [{"ipBlock": {"cidr": c}} for c in ex.cidrs],
                          "ports": [{"protocol": "TCP", "port": ex.port}]}]
        database = cfg.database.mode is not DatabaseMode.NONE
        if database:
            db_env += [{"name": "DATABASE_SSLMODE", "value": "require"},
                       {"name": "DATABASE_PASSWORD", "valueFrom": {"secretKeyRef": {
                           "name": f"{gw}-secrets", "key": "DATABASE_PASSWORD"}}},
                       # LiteLLM copies its migrations here (the root filesystem is read-only).
                       {"name": "LITELLM_MIGRATION_DIR", "value": f"{_TMP}/litellm-migrations"}]

        # -- secrets: master key, outside API keys ---------------------------------------------
        import pulumi_random as random

        master = random.RandomPassword(
            f"{name}-master-key", length=48, special=False,
            # Generated once and kept: nothing in the config is an input, so no re-render changes it.
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["result"]))
        self.master_key = pulumi.Output.secret(pulumi.Output.concat("sk-", master.result))
        secret_data[MASTER_KEY_ENV] = self.master_key
        key_env: list[dict[str, Any]] = []
        for r in cfg.routes:
            if r.provider is RouteProvider.OPENAI_COMPATIBLE and r.api_key is not None:
                var = key_env_name(r)
                if var not in secret_data:
                    secret_data[var] = pulumi.Output.secret(r.api_key)
                    key_env.append({"name": var, "valueFrom": {"secretKeyRef": {"name": f"{gw}-secrets", "key": var}}})
        self.secret = k8s.core.v1.Secret(
            f"{name}-secrets", metadata=meta(f"{gw}-secrets"), type="Opaque", string_data=secret_data, opts=after_ns)
        self.master_key_secret_name = pulumi.Output.from_input(f"{gw}-secrets")

        # -- config.yaml ------------------------------------------------------------------------
        resolved = [self._resolve_route(r, region) for r in cfg.routes]

        def render(deployments: list[Deployment]) -> str:
            return to_yaml(render_config(deployments, cfg.router, cfg.guardrails, cfg.telemetry,
                                         master_key_env=MASTER_KEY_ENV, database=database))

        self.config_yaml: pulumi.Output[str] = pulumi.Output.all(*[d for d, _ in resolved]).apply(
            lambda ds: render(list(ds)))
        self.config_map = k8s.core.v1.ConfigMap(
            f"{name}-config", metadata=meta(f"{gw}-config"), data={"config.yaml": self.config_yaml}, opts=after_ns)

        # -- the Deployment ---------------------------------------------------------------------
        tel = cfg.telemetry
        env: list[dict[str, Any]] = [
            {"name": MASTER_KEY_ENV, "valueFrom": {"secretKeyRef": {"name": f"{gw}-secrets", "key": MASTER_KEY_ENV}}},
            *key_env, *db_env,
            *({"name": k_, "value": v} for k_, v in LOCAL_DATA_ENV.items()),
            *({"name": k_, "value": v} for k_, v in telemetry_env(tel, gw).items()),
            {"name": "HOME", "value": _TMP},
            {"name": "XDG_CACHE_HOME", "value": f"{_TMP}/.cache"},
            {"name": "LITELLM_UI_PATH", "value": f"{_TMP}/litellm-ui"},
            {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
            {"name": "JSON_LOGS", "value": "True"},
            {"name": "NO_DOCS", "value": "True"},
            {"name": "NO_REDOC", "value": "True"},
        ]
        if not cfg.admin_ui:
            env.append({"name": "DISABLE_ADMIN_UI", "value": "True"})
        if region is not None:
            env += [{"name": "AWS_REGION", "value": region}, {"name": "AWS_DEFAULT_REGION", "value": region},
                    {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"}]
        volumes: list[dict[str, Any]] = [
            {"name": "config", "configMap": {"name": f"{gw}-config"}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
        ]
        mounts: list[dict[str, Any]] = [
            {"name": "config", "mountPath": _CONFIG_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": _TMP},
        ]
        if self.bedrock_role is not None and not pod_identity:
            # IRSA without the EKS webhook: an STS-audience token (not a Kubernetes API credential).
            volumes.append({"name": "aws-token", "projected": {"sources": [{"serviceAccountToken": {
                "audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}})
            mounts.append({"name": "aws-token", "mountPath": "/var/run/secrets/aws", "readOnly": True})
            env += [{"name": "AWS_ROLE_ARN", "value": self.bedrock_role.arn},
                    {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/aws/token"}]
        args_ = ["--config", f"{_CONFIG_DIR}/config.yaml", "--host", "0.0.0.0", "--port", str(API_PORT)]
        ports = [{"name": "http", "containerPort": API_PORT, "protocol": "TCP"}]
        if tel.prometheus:
            args_ += ["--prometheus_metrics_port", str(tel.metrics_port)]
            ports.append({"name": "metrics", "containerPort": tel.metrics_port, "protocol": "TCP"})
        amount = {"cpu": cfg.resources.cpu, "memory": cfg.resources.memory}
        container = {
            "name": "litellm", "image": cfg.image, "imagePullPolicy": "IfNotPresent", "args": args_,
            "env": env, "ports": ports,
            "resources": {"requests": dict(amount), "limits": dict(amount)},
            # Migrations run before the proxy listens: allow them 10 minutes.
            "startupProbe": {"httpGet": {"path": "/health/liveliness", "port": "http"},
                             "periodSeconds": 10, "failureThreshold": 60},
            "readinessProbe": {"httpGet": {"path": "/health/readiness", "port": "http"},
                               "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 5},
            "livenessProbe": {"httpGet": {"path": "/health/liveliness", "port": "http"},
                              "periodSeconds": 20, "failureThreshold": 3, "timeoutSeconds": 5},
            "securityContext": {
                "runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID, "allowPrivilegeEscalation": False,
                "privileged": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"}},
            "volumeMounts": mounts,
        }
        pod_spec = {
            "serviceAccountName": gw,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID, "fsGroup": _UID,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "nodeSelector": dict(cluster.system_node_selector),
            "tolerations": [dict(t) for t in cluster.system_tolerations],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                           "whenUnsatisfiable": "ScheduleAnyway",
                                           "labelSelector": {"matchLabels": selector}}],
            "terminationGracePeriodSeconds": 30,
            "containers": [container],
            "volumes": volumes,
        }
        template_meta = {"labels": labels, "annotations": {
            # A changed config or key set rolls the pods (a ConfigMap change alone does not).
            "aiops.io/config-hash": self.config_yaml.apply(_sha),
            "aiops.io/secret-keys": ",".join(sorted(secret_data))}}
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment", metadata=meta(gw),
            spec=_any({"replicas": cfg.min_replicas, "revisionHistoryLimit": 5,
                       "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                       "selector": {"matchLabels": selector},
                       "template": {"metadata": template_meta, "spec": pod_spec}}),
            opts=pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(
                depends_on=[self.service_account, self.config_map, self.secret, *deploy_after],
                # The HorizontalPodAutoscaler owns the replica count after the first deploy.
                ignore_changes=["spec.replicas"])))
        svc_ports: list[dict[str, Any]] = [{"name": "http", "port": API_PORT, "targetPort": "http", "protocol": "TCP"}]
        if tel.prometheus:
            svc_ports.append({"name": "metrics", "port": tel.metrics_port, "targetPort": "metrics", "protocol": "TCP"})
        svc_spec: Any = {"type": "ClusterIP", "selector": selector, "ports": svc_ports}
        self.service = k8s.core.v1.Service(f"{name}-svc", metadata=meta(gw), spec=svc_spec, opts=after_ns)
        hpa_spec: Any = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": gw},
            "minReplicas": cfg.min_replicas, "maxReplicas": cfg.max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": cfg.target_cpu_percent}}}]}
        self.hpa = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa", metadata=meta(gw), spec=hpa_spec,
            opts=pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(depends_on=[self.deployment])))
        pdb_spec: Any = {"maxUnavailable": 1, "selector": {"matchLabels": selector}}
        self.pdb = k8s.policy.v1.PodDisruptionBudget(f"{name}-pdb", metadata=meta(gw), spec=pdb_spec, opts=after_ns)
        self.ingress: k8s.networking.v1.Ingress | None = None
        if cfg.ingress is not None:
            ing = cfg.ingress
            ing_meta = meta(gw)
            if ing.annotations:
                ing_meta["annotations"] = {**ing_meta.get("annotations", {}), **ing.annotations}
            ing_spec: Any = {
                "tls": [{"hosts": [ing.host], "secretName": ing.tls_secret_name}],
                "rules": [{"host": ing.host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                    "service": {"name": gw, "port": {"name": "http"}}}}]}}]}
            if ing.class_name:
                ing_spec["ingressClassName"] = ing.class_name
            self.ingress = k8s.networking.v1.Ingress(f"{name}-ingress", metadata=ing_meta, spec=ing_spec, opts=after_ns)
        self.service_monitor: k8s.apiextensions.CustomResource | None = None
        if tel.service_monitor:
            sm = self.service_monitor_spec()
            self.service_monitor = k8s.apiextensions.CustomResource(
                f"{name}-servicemonitor", api_version="monitoring.coreos.com/v1", kind="ServiceMonitor",
                metadata={**meta(gw, tel.service_monitor_labels)}, spec=sm, opts=after_ns)

        # -- NetworkPolicies: who may call, what the gateway may reach ---------------------------
        ingress_rules: list[dict[str, Any]] = []
        api_port = [{"protocol": "TCP", "port": API_PORT}]
        callers: list[dict[str, Any]] = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
                   for n in cfg.allowed_namespaces]
        if cfg.ingress is not None:
            callers += [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
                        for n in cfg.ingress.source_namespaces]
            callers += [{"ipBlock": {"cidr": c}} for c in cfg.ingress.source_cidrs]
        if cfg.teams:
            callers.append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "litellm-admin",
                                                            "app.kubernetes.io/instance": gw}}})
        if callers:
            ingress_rules.append({"from": callers, "ports": api_port})
        if tel.prometheus and tel.monitoring_namespaces:
            scrapers: list[dict[str, Any]] = []
            for n in tel.monitoring_namespaces:
                peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
                if tel.monitoring_pod_labels:
                    peer["podSelector"] = {"matchLabels": dict(tel.monitoring_pod_labels)}
                scrapers.append(peer)
            ingress_rules.append({"from": scrapers, "ports": [{"protocol": "TCP", "port": tel.metrics_port}]})
        # DNS to any address on port 53, as pulumi_aiops.network_policy.allow_dns: CoreDNS behind its
        # ClusterIP and a node-local DNS cache on a link-local address alike; nothing else on 53.
        dns: dict[str, Any] = {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
        fixed: list[dict[str, Any]] = [dns]
        if bedrock_routes:
            # Bedrock runtime and STS over HTTPS (regional endpoints, or interface endpoints in the VPC).
            fixed.append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]})
            if pod_identity:
                fixed.append({"to": [{"ipBlock": {"cidr": _POD_IDENTITY_AGENT}}],
                              "ports": [{"protocol": "TCP", "port": 80}]})
        if tel.otlp_endpoint:
            fixed.append(_egress_to(tel.otlp_endpoint))
        backend_urls = [u for _, u in resolved if u is not None]
        egress = pulumi.Output.all(pulumi.Output.all(*backend_urls), db_egress).apply(
            lambda v: _dedupe([*fixed, *(_egress_to(u) for u in v[0]), *v[1]]))
        np_spec: Any = {"podSelector": {"matchLabels": selector}, "policyTypes": ["Ingress", "Egress"],
                        "ingress": ingress_rules, "egress": egress}
        self.network_policies["gateway"] = k8s.networking.v1.NetworkPolicy(
            f"{name}-netpol", metadata=meta(gw), spec=np_spec, opts=after_ns)

        # -- teams: reconciled after each deploy ---------------------------------------------------
        self.teams_job: k8s.batch.v1.Job | None = None
        if cfg.teams:
            self._teams_job(cfg, name, gw, ns, meta, admin_labels, selector, dns, after_ns)

        self.endpoint = pulumi.Output.from_input(f"http://{gw}.{ns}.svc.cluster.local:{API_PORT}/v1")
        self.register_outputs({
            "cluster": cluster.cluster_name, "namespace": ns, "endpoint": self.endpoint,
            "routes": sorted({r.name for r in cfg.routes}), "masterKey": self.master_key,
            "masterKeySecretName": self.master_key_secret_name,
            "databaseEndpoint": self.database.cluster.endpoint if self.database is not None else None,
            "bedrockRoleArn": self.bedrock_role.arn if self.bedrock_role is not None else None,
        })

    # -- helpers ----------------------------------------------------------------------------------
    def service_monitor_spec(self) -> dict[str, Any]:
        """The ServiceMonitor ``spec`` that scrapes this gateway (for an observability stack that
        creates it in its own program)."""
        gw, ns = self.config.name or self._name, self.config.namespace
        return {"selector": {"matchLabels": {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": gw}},
                "namespaceSelector": {"matchNames": [ns]},
                "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}]}

    @staticmethod
    def _check_before_registering(cfg: LlmGatewayArgsModel, where: str) -> None:
        """Checks that need the cluster and wiring objects (before anything is registered)."""
        c: Any = cfg.cluster
        selector = c.system_node_selector if isinstance(c, GpuCluster) else getattr(c, "system_node_selector", None)
        if not selector:
            raise ConfigError(
                f"{where}.cluster: {c.cluster_name!r} declares no system nodes: the gateway runs on non-GPU nodes "
                "(EKS's system node group, a CoreWeave cluster's cpuNodePools); add them, or give the ref its "
                "systemNodeSelector")
        if isinstance(c, GpuCluster):
            from pulumi_aiops.config.base import ConfigValueError
            from pulumi_aiops.config.placement import check_system_requests, system_pools_of

            ccfg = getattr(c, "config", None)
            pools = system_pools_of(ccfg) if ccfg is not None and hasattr(ccfg, "cloud") else []
            try:
                check_system_requests(cfg.resources.cpu, cfg.resources.memory, pools, cluster=c.cluster_name,
                                      loc_cpu=("resources", "cpu"), loc_mem=("resources", "memory"),
                                      what="a gateway pod")
            except ConfigValueError as exc:
                raise ConfigError(f"{_render_path(where, exc.loc)}: {_short(exc.value)} {exc.msg}") from None
        if any(r.provider is RouteProvider.BEDROCK for r in cfg.routes) and cfg.irsa is None \
                and not hasattr(c, "workload_role"):
            raise ConfigError(
                f"{where}.irsa: is required: Bedrock routes need an IAM role the gateway's pods assume; on "
                f"{c.cluster_name!r} (not an EksGpuCluster object) give irsa: {{oidcProviderArn, oidcIssuerUrl}} of "
                "the cluster's service-account issuer")
        if cfg.database.mode is DatabaseMode.AURORA and cfg.aurora_network is None \
                and not all(hasattr(c, a) for a in ("vpc_id", "private_subnet_ids", "cluster_security_group_id")):
            raise ConfigError(
                f"{where}.auroraNetwork: is required with database.mode aurora on {c.cluster_name!r} (not an "
                "EksGpuCluster object): give vpcId, subnetIds and clientSecurityGroupIds")

    def _aurora_network(self, cfg: LlmGatewayArgsModel) -> dict[str, Any]:
        if cfg.aurora_network is not None:
            n = cfg.aurora_network
            return {"vpc_id": n.vpc_id, "subnet_ids": n.subnet_ids,
                    "client_security_group_ids": list(n.client_security_group_ids)}
        c: Any = cfg.cluster
        return {"vpc_id": c.vpc_id, "subnet_ids": c.private_subnet_ids,
                "client_security_group_ids": [c.cluster_security_group_id]}

    def _bedrock_identity(self, cfg: LlmGatewayArgsModel, name: str, ns: str, sa: str,
                          tags: dict[str, str]) -> tuple[bool, list[pulumi.Resource]]:
        """The IAM role of the Bedrock routes, authorised by BedrockAccess; ``(pod identity?, what
        the Deployment waits for)``."""
        import pulumi_aws as aws

        from pulumi_aiops.aws.iam import document_json, statement

        c: Any = cfg.cluster
        after: list[pulumi.Resource] = []
        if cfg.irsa is None:
            # EKS Pod Identity: the cluster's role for this namespace/service account. The Deployment
            # waits for the control plane's children, the association among them (pods created before
            # it get no credentials).
            role = c.workload_role(f"gateway-{name}", ns, sa)
            pod_identity = True
            cp = getattr(c, "control_plane", None)
            if cp is not None:
                after.append(cp)
        else:
            irsa = cfg.irsa

            def trust(v: list[Any]) -> str:
                arn, issuer = v
                host = str(issuer).removeprefix("https://")
                return document_json([statement(
                    "Allow", "sts:AssumeRoleWithWebIdentity", principal={"Federated": arn},
                    condition={"StringEquals": {f"{host}:sub": f"system:serviceaccount:{ns}:{sa}",
                                                f"{host}:aud": "sts.amazonaws.com"}})])

            trust_doc = pulumi.Output.all(irsa.oidc_provider_arn, irsa.oidc_issuer_url).apply(trust)
            role = aws.iam.Role(f"{name}-bedrock", assume_role_policy=trust_doc,
                                description=f"LLM gateway {name}: Bedrock routes (IRSA)", tags=tags,
                                opts=pulumi.ResourceOptions(parent=self))
            pod_identity = False
        self.bedrock_role = role
        access: Any = cfg.bedrock
        if isinstance(access, BedrockRef):
            after.append(aws.iam.RolePolicyAttachment(
                f"{name}-bedrock-invoke", role=role.name, policy_arn=access.invoke_policy_arn,
                opts=pulumi.ResourceOptions(parent=self)))
        else:
            after.append(access.grant_invoke(role, name=f"gateway-{name}"))
        return pod_identity, after

    def _resolve_route(self, r: GatewayRouteArgsModel, region: pulumi.Output[str] | None
                       ) -> tuple[pulumi.Output[Deployment], pulumi.Output[str] | None]:
        """``(deployment, backend URL for the NetworkPolicy)`` of one route, wiring resolved."""
        if r.provider is RouteProvider.BEDROCK:
            from pulumi_aiops.catalog.bedrock import lookup_bedrock

            assert r.model is not None
            access: Any = self.config.bedrock
            if isinstance(access, BedrockRef):
                arn, version = access.guardrail_arn, access.guardrail_version
            else:
                arn, version = access.guardrail.guardrail_arn, access.guardrail_version.version
            embedding = lookup_bedrock(r.model).is_embedding
            dep = pulumi.Output.all(region, arn, version).apply(lambda v: deployment(
                r, region=v[0], guardrail_arn=v[1], guardrail_version=v[2], embedding=embedding))
            return dep, None
        if r.provider is RouteProvider.MODEL_SERVER:
            srv: Any = r.server
            if isinstance(srv, ModelServerRef):
                endpoint: Any = srv.endpoint
                served: Any = srv.served_model_name
                window = srv.context_length
            else:
                endpoint = srv.endpoint
                served = getattr(srv, "served_model_name", None) or pulumi.Output.from_input(endpoint).apply(
                    _served_name_from_endpoint)
                window = getattr(srv, "max_model_len", None)
            url = pulumi.Output.from_input(endpoint)
            dep = pulumi.Output.all(url, served).apply(lambda v: deployment(
                r, api_base=v[0], served_model_name=v[1], context_length=window))
            return dep, url
        url = pulumi.Output.from_input(r.api_base)
        return url.apply(lambda u: deployment(r, api_base=u)), url

    def _teams_job(self, cfg: LlmGatewayArgsModel, name: str, gw: str, ns: str, meta: Any,
                   admin_labels: dict[str, str], selector: dict[str, str], dns: dict[str, Any],
                   after_ns: pulumi.ResourceOptions) -> None:
        teams = [{k: v for k, v in {
            "team_id": t.id, "team_alias": t.alias or t.id, "max_budget": t.max_budget_usd,
            "budget_duration": t.budget_duration, "rpm_limit": t.rpm_limit, "tpm_limit": t.tpm_limit,
            "models": list(t.models)}.items() if v is not None} for t in cfg.teams]
        teams_json = json.dumps(teams, indent=2, sort_keys=True)
        script = importlib_resources.files("pulumi_aiops.gateway").joinpath("reconcile_teams.py").read_text()
        admin = f"{gw}-admin"
        cm = k8s.core.v1.ConfigMap(
            f"{name}-teams", metadata=meta(f"{gw}-teams", admin_labels),
            data={"teams.json": teams_json, "reconcile_teams.py": script}, opts=after_ns)
        sa = k8s.core.v1.ServiceAccount(
            f"{name}-admin-sa", metadata=meta(admin, admin_labels), automount_service_account_token=False,
            opts=after_ns)
        admin_selector = {"app.kubernetes.io/name": "litellm-admin", "app.kubernetes.io/instance": gw}
        admin_np: Any = {
            "podSelector": {"matchLabels": admin_selector}, "policyTypes": ["Ingress", "Egress"], "ingress": [],
            "egress": [dns, {"to": [{"podSelector": {"matchLabels": selector}}],
                             "ports": [{"protocol": "TCP", "port": API_PORT}]}]}
        self.network_policies["admin"] = k8s.networking.v1.NetworkPolicy(
            f"{name}-admin-netpol", metadata=meta(admin, admin_labels), spec=admin_np, opts=after_ns)
        sc = {"runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID, "allowPrivilegeEscalation": False,
              "privileged": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}
        pod = {
            "serviceAccountName": admin, "automountServiceAccountToken": False, "enableServiceLinks": False,
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "runAsUser": _UID, "runAsGroup": _UID,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "nodeSelector": dict(self._node_selector), "tolerations": [dict(t) for t in self._tolerations],
            "containers": [{
                "name": "reconcile-teams", "image": cfg.image, "imagePullPolicy": "IfNotPresent",
                "command": ["python3", "/reconcile/reconcile_teams.py"],
                "env": [{"name": "GATEWAY_URL", "value": f"http://{gw}.{ns}.svc.cluster.local:{API_PORT}"},
                        {"name": MASTER_KEY_ENV, "valueFrom": {"secretKeyRef": {
                            "name": f"{gw}-secrets", "key": MASTER_KEY_ENV}}},
                        {"name": "TEAMS_FILE", "value": "/reconcile/teams.json"},
                        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                              "limits": {"cpu": "100m", "memory": "128Mi"}},
                "securityContext": sc,
                "volumeMounts": [{"name": "reconcile", "mountPath": "/reconcile", "readOnly": True}]}],
            "volumes": [{"name": "reconcile", "configMap": {"name": f"{gw}-teams"}}],
        }
        # The Job has no fixed name (Pulumi names it), and its template carries the teams' hash: a
        # change in the teams replaces the Job, which runs again.
        job_meta: Any = {"namespace": ns, "labels": dict(meta(admin, admin_labels)["labels"])}
        job_spec: Any = {"backoffLimit": 3, "activeDeadlineSeconds": 900, "template": {
            "metadata": {"labels": admin_labels, "annotations": {"aiops.io/teams-hash": _sha(teams_json)}},
            "spec": pod}}
        self.teams_job = k8s.batch.v1.Job(
            f"{name}-teams-job", metadata=job_meta, spec=job_spec,
            opts=pulumi.ResourceOptions.merge(after_ns, pulumi.ResourceOptions(
                depends_on=[cm, sa, self.deployment, self.service, self.network_policies["admin"],
                            self.network_policies["gateway"]])))
