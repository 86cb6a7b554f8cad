"""Build the whole platform from a validated :class:`PlatformConfig`.

``stacks/__main__.py`` calls :func:`main`. Data flows one way: stack config → pydantic
models → components → resource graph. Each capability has its own ``_build_*`` function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from pulumi_aiops.config import PlatformConfig, load_platform_config
from pulumi_aiops.contract import GpuCluster

__all__ = ["Platform", "build_platform", "main"]


@dataclass
class Platform:
    """What :func:`build_platform` created, by capability."""

    config: PlatformConfig
    clusters: dict[str, GpuCluster] = field(default_factory=dict)
    components: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def tags(self, **more: str) -> dict[str, str]:
        """The governance tag set for this stack."""
        return self.config.governance.tags(self.config.environment, **more)


def _model_args(model: Any) -> Any:
    """Pass a validated args model where a component's ``args`` TypedDict is expected: every
    component takes its own args model too (already validated, so it is not checked again)."""
    return model


def _coreweave_clusters(p: Platform) -> list[tuple[str, Any]]:
    """``(config path, CoreWeaveClusterConfig)`` of every declared CoreWeave cluster."""
    out: list[tuple[str, Any]] = []
    if p.config.coreweave is not None:
        out.append(("aiops:platform.coreweave", p.config.coreweave))
    out.extend((f"aiops:platform.additionalClusters[{i}]", c)
               for i, c in enumerate(p.config.additional_clusters) if c.cloud == "coreweave")
    return out


def _build_clusters(p: Platform) -> None:
    """GPU clusters on both clouds, keyed by their config name."""
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster, require_token

    coreweave = _coreweave_clusters(p)
    for path, cfg in coreweave:  # token config checked before any resource is registered
        require_token(cfg, path)
    # EKS and CoreWeave components plug in here.
    eks = [c for c in [p.config.eks, *p.config.additional_clusters] if c is not None and c.cloud == "aws"]
    if eks:
        from pulumi_aiops.config.eks import EksClusterConfig
        from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

        for ecfg in eks:
            assert isinstance(ecfg, EksClusterConfig)
            # A validated model: the stack's tags under the cluster's own, the stack's deployerAccess
            # plus the cluster's own.
            tagged: Any = ecfg.model_copy(update={
                "tags": {**p.tags(), **ecfg.tags},
                "deployer_access": p.config.deployer_access.merged(ecfg.deployer_access)})
            p.clusters[ecfg.name] = EksGpuCluster(ecfg.name, tagged)
    for _path, cfg in coreweave:
        # A validated model (tags in args, the stack's governance tags under the cluster's own).
        cw_args: Any = cfg.model_copy(update={"tags": {**p.tags(), **cfg.tags}})
        p.clusters[cfg.name] = CoreWeaveGpuCluster(cfg.name, cw_args)


def _build_data(p: Platform) -> None:
    """Data lake, vector stores, feature store.

    Sets ``p.components["dataLake"]`` (:class:`~pulumi_aiops.data_lake.DataLake`),
    ``p.components["vectorStores"]`` (config name → :class:`~pulumi_aiops.vector_store.VectorStore`)
    and ``p.components["featureStore"]``; the config guarantees every reference resolves. Each
    component gets its validated args model: the config section plus the wiring (the cluster or
    network a store runs in, the lake, the stack's tags), never a JSON dump.
    """
    cfg = p.config
    if cfg.data_lake is None and not cfg.vector_stores and cfg.feature_store is None:
        return
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.data import VectorBackend
    from pulumi_aiops.data_lake import DataLake, DataLakeArgsModel
    from pulumi_aiops.feature_store import FeatureStore, FeatureStoreArgsModel
    from pulumi_aiops.vector_store import VectorStore, VectorStoreArgsModel

    lake = None
    if cfg.data_lake is not None:
        lake_args = validate_model(DataLakeArgsModel, {**dict(cfg.data_lake), "tags": p.tags()},
                                   "aiops:platform.dataLake")
        lake = DataLake("data-lake", _model_args(lake_args))
        p.components["dataLake"] = lake
        p.outputs["dataLake"] = {"buckets": lake.bucket_names, "kmsKeyArn": lake.kms_key_arn,
                                 "teamRoleArns": lake.team_role_arns}
    stores: dict[str, VectorStore] = {}
    for i, vs in enumerate(cfg.vector_stores):
        wiring: dict[str, Any] = {"environment": cfg.environment, "tags": p.tags()}
        if vs.backend is VectorBackend.QDRANT:
            assert vs.qdrant is not None
            wiring["cluster"] = p.clusters[vs.qdrant.cluster]  # the config checked the name
        else:
            host: Any = p.clusters[vs.network_cluster() or (cfg.eks.name if cfg.eks else "")]
            wiring["network"] = {"vpc_id": host.vpc_id, "subnet_ids": host.private_subnet_ids,
                                 "client_security_group_ids": [host.cluster_security_group_id]}
            if vs.backend is VectorBackend.OPENSEARCH_SERVERLESS:  # `pulumi up` creates its index
                wiring["deployer_access"] = cfg.deployer_access
        store_args = validate_model(VectorStoreArgsModel, {**dict(vs.spec()), **wiring},
                                    f"aiops:platform.vectorStores[{i}]")
        stores[vs.name] = VectorStore(f"vector-{vs.name}", _model_args(store_args))
    if stores:
        p.components["vectorStores"] = stores
        p.outputs["vectorStores"] = {n: {"backend": s.backend.value, "endpoint": s.endpoint}
                                     for n, s in stores.items()}
    if cfg.feature_store is not None:
        assert lake is not None  # the config requires the lake
        fs_args = validate_model(FeatureStoreArgsModel,
                                 {**dict(cfg.feature_store), "data_lake": lake, "tags": p.tags()},
                                 "aiops:platform.featureStore")
        fs = FeatureStore("feature-store", _model_args(fs_args))
        p.components["featureStore"] = fs
        p.outputs["featureStore"] = {"featureGroupArns": {n: g.arn for n, g in fs.feature_groups.items()},
                                     "offlineS3Uri": fs.offline_s3_uri}


def _build_bedrock(p: Platform) -> None:
    """Bedrock access and knowledge bases.

    Sets ``p.components["bedrock"]`` (:class:`~pulumi_aiops.bedrock_access.BedrockAccess`; call
    its ``grant_invoke(role)`` for a workload) and ``p.components["knowledgeBases"]`` (config
    name → :class:`~pulumi_aiops.knowledge_base.KnowledgeBase`). The interface endpoints go in
    the VPC of ``privateEndpoints.cluster`` (default: the ``eks`` cluster); the config
    guarantees that cluster, the data lake and every vector store exist.
    """
    b = p.config.bedrock
    if b is None:
        return
    from pulumi_aiops.bedrock_access import BedrockAccess, BedrockAccessArgsModel
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.bedrock import EndpointMode, KnowledgeBaseSpec
    from pulumi_aiops.knowledge_base import KnowledgeBase, KnowledgeBaseArgsModel

    wiring: dict[str, Any] = {"tags": p.tags()}
    if b.private_endpoints.mode is EndpointMode.ENABLED:
        assert b.private_endpoints.cluster is not None or p.config.eks is not None
        host: Any = p.clusters[b.private_endpoints.cluster or p.config.eks.name]  # type: ignore[union-attr]
        wiring["vpc_id"] = host.vpc_id
        wiring["subnet_ids"] = host.private_subnet_ids
    access_args = validate_model(BedrockAccessArgsModel, {**dict(b.access()), **wiring}, "aiops:platform.bedrock")
    access = BedrockAccess("bedrock", _model_args(access_args))
    p.components["bedrock"] = access
    kbs: dict[str, KnowledgeBase] = {}
    for i, kb in enumerate(b.knowledge_bases):
        spec = {k: getattr(kb, k) for k in KnowledgeBaseSpec.model_fields}
        kb_args = validate_model(KnowledgeBaseArgsModel, {
            **spec,
            "data_lake": p.components["dataLake"],
            "vector_store": p.components["vectorStores"][kb.vector_store],
            "access": access,
            "tags": p.tags(),
        }, f"aiops:platform.bedrock.knowledgeBases[{i}]")
        kbs[kb.name] = KnowledgeBase(f"kb-{kb.name}", _model_args(kb_args))
    if kbs:
        p.components["knowledgeBases"] = kbs
    p.outputs["bedrock"] = {
        "models": list(access.models),
        "invokePolicyArn": access.invoke_policy_arn,
        "guardrailId": access.guardrail_id,
        "guardrailVersionArn": access.guardrail_version_arn,
        "knowledgeBases": {n: k.knowledge_base_id for n, k in kbs.items()},
    }


def _build_registry(p: Platform) -> None:
    """The model registry (``modelRegistry``): sets ``p.components["modelRegistry"]``."""
    r = p.config.model_registry
    if r is None:
        return
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.model_registry import ModelRegistry, ModelRegistryArgsModel

    wiring: dict[str, Any] = {"tags": p.tags()}
    if r.storage.value == "data-lake":
        wiring["data_lake"] = p.components["dataLake"]  # the config requires the lake
    if r.sync.cluster is not None:
        host: Any = p.clusters[r.sync.cluster]  # an EKS cluster (checked)
        wiring["sync_eks_cluster_name"] = host.control_plane.cluster_name
    args = validate_model(ModelRegistryArgsModel, {**dict(r), **wiring}, "aiops:platform.modelRegistry")
    registry = ModelRegistry("model-registry", _model_args(args))
    p.components["modelRegistry"] = registry
    p.outputs["modelRegistry"] = {"bucket": registry.bucket_name, "prefix": registry.prefix,
                                  "readerRoleArn": registry.reader_role_arn,
                                  "writerRoleArn": registry.writer_role_arn, "manifests": registry.manifests}


def _build_serving_addons(p: Platform) -> None:
    """KEDA on each cluster with an autoscaled server, LeaderWorkerSet on each with a multi-node one."""
    from pulumi_aiops.workloads.serving_addons import Keda, LeaderWorkerSetController

    serving = p.config.workloads.serving
    servers = p.config.workloads.model_servers
    addons: dict[str, Any] = {}
    for cluster in sorted({s.cluster for s in servers if s.autoscaling is not None}):
        keda_args: Any = {"cluster": p.clusters[cluster], "chart_version": serving.keda_chart_version,
                          "prometheus": serving.network.prometheus}
        addons[f"{cluster}/keda"] = Keda(f"{cluster}-keda", keda_args)
    for cluster in sorted({s.cluster for s in servers if s.multi_node is not None}):
        addons[f"{cluster}/lws"] = LeaderWorkerSetController(f"{cluster}-lws", {
            "cluster": p.clusters[cluster], "chart_version": serving.lws_chart_version})
    if addons:
        p.components["servingAddons"] = addons


def _build_workloads(p: Platform) -> None:
    """Workloads, each on a named cluster through the GPU-cluster contract."""
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.workloads import ModelServerArgsModel, placements
    from pulumi_aiops.workloads import ModelServer

    _build_serving_addons(p)
    addons = p.components.get("servingAddons", {})
    registry = p.components.get("modelRegistry")
    servers: dict[str, ModelServer] = {}
    placed = placements(p.config)
    for i, ms in enumerate(p.config.workloads.model_servers):
        # The config guarantees the cluster is declared and the server fits. The stack-config fields
        # (python mode: no Outputs to lose), the requests the config check resolved (from the pool's
        # node size, gpuSpec's included) and the cluster object give the component's validated args.
        fields = {**ms.model_dump(exclude={"cluster", "tags"}), "resources": placed[i].resources()}
        if ms.network is None:
            fields["network"] = p.config.workloads.serving.network.model_dump()
        if registry is not None and "@" in ms.model:
            fields["registry"] = registry.ref()
        args: Any = validate_model(
            ModelServerArgsModel,
            {**fields, "cluster": p.clusters[ms.cluster], "tags": {**p.tags(), **ms.tags}},
            f"aiops:platform.workloads.modelServers[{i}]")
        # A ScaledObject or a LeaderWorkerSet needs its controller's CRDs first.
        needs = [addons[k] for k in (f"{ms.cluster}/keda" if ms.autoscaling else "",
                                     f"{ms.cluster}/lws" if ms.multi_node else "") if k in addons]
        servers[f"{ms.cluster}/{ms.name}"] = ModelServer(
            f"{ms.cluster}-{ms.name}", args, opts=pulumi.ResourceOptions(depends_on=needs) if needs else None)
    if servers:
        p.components["modelServers"] = servers
        p.outputs["modelServers"] = {
            key: {"cluster": s.cluster_name, "endpoint": s.endpoint,
                  "model": s.model.ref if s.model is not None else args_model(p, key)}
            for key, s in servers.items()}


def args_model(p: Platform, key: str) -> str:
    """The ``model`` a server of the stack config names (a Hugging Face repo id, for development)."""
    cluster, _, name = key.partition("/")
    ms = next(m for m in p.config.workloads.model_servers if m.cluster == cluster and m.name == name)
    return f"{ms.model}@{ms.revision}" if ms.revision else ms.model


def _build_observability(p: Platform) -> None:
    """Observability on every declared cluster (or ``observability.clusters``), and CloudWatch alarms.

    Sets ``p.components["awsMonitoring"]`` (:class:`~pulumi_aiops.observability.AwsMonitoring`:
    Bedrock alarms for the allowlisted models and the EKS GPU node groups' health, created when the
    stack has Bedrock or an EKS cluster, or declares ``observability.aws``) and
    ``p.components["observability"]`` (cluster name → :class:`~pulumi_aiops.observability.Observability`).
    Each stack gets wired: the cluster object, Qdrant stores on that cluster as scrape targets (their
    read-only API key), on CoreWeave the stack's API token for the CoreWeave Metrics data source, and
    on EKS, unless the config names a receiver, Alertmanager paging through the AwsMonitoring topic
    with a Pod Identity role allowed to publish to it.
    """
    cfg = p.config.observability
    if cfg is None:
        return
    from pulumi_aiops.catalog import Cloud
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.data import VectorBackend
    from pulumi_aiops.config.observability import AwsMonitoringArgsModel, AwsMonitoringSpec, ObservabilityArgsModel
    from pulumi_aiops.observability import AwsMonitoring, Observability
    from pulumi_aiops.observability.charts import ALERTMANAGER_SA

    eks = {n: c for n, c in p.clusters.items() if c.cloud is Cloud.AWS}
    monitor: AwsMonitoring | None = None
    if cfg.aws is not None or p.config.bedrock is not None or eks:
        groups: dict[str, Any] = {}
        for cname, eks_cluster in sorted(eks.items()):
            for gname, group in sorted(getattr(eks_cluster, "gpu_node_groups", {}).items()):
                groups[f"{cname}-{gname}"] = group.node_group.resources.apply(
                    lambda rs: rs[0].autoscaling_groups[0].name)
        access = p.components.get("bedrock")
        spec = cfg.aws or AwsMonitoringSpec()
        mon_args = validate_model(AwsMonitoringArgsModel, {
            **{k: getattr(spec, k) for k in AwsMonitoringSpec.model_fields},
            "bedrock_models": list(access.models) if access is not None else [],
            "autoscaling_groups": groups, "tags": p.tags()}, "aiops:platform.observability.aws")
        monitor = AwsMonitoring("aws-monitoring", _model_args(mon_args))
        p.components["awsMonitoring"] = monitor
        p.outputs["alarms"] = {"topicArn": monitor.topic_arn, "dashboard": monitor.dashboard_name}

    stacks: dict[str, Observability] = {}
    fields = {k: getattr(cfg, k) for k in cfg.model_fields if k not in ("clusters", "aws")}
    for cname in cfg.clusters or p.config.cluster_names():
        cluster: Any = p.clusters[cname]
        wiring: dict[str, Any] = {"cluster": cluster, "tags": {**p.tags(), **cfg.tags}}
        qdrant = [{"name": f"qdrant-{vs.name}", "namespace": vs.qdrant.namespace, "port": "http",
                   "match_labels": {"app.kubernetes.io/name": "qdrant",
                                    "app.kubernetes.io/instance": f"qdrant-{vs.name}",
                                    "app.kubernetes.io/component": "cluster-discovery"},
                   "bearer_token": {"name": f"qdrant-{vs.name}-api-keys", "key": "read-only-api-key"}}
                  for vs in p.config.vector_stores
                  if vs.backend is VectorBackend.QDRANT and vs.qdrant is not None and vs.qdrant.cluster == cname]
        if qdrant:  # the stack-config fields (python mode: no Outputs) plus the stores on this cluster
            scrape = cfg.scrape.model_dump()
            wiring["scrape"] = {**scrape, "qdrant": [*scrape["qdrant"], *qdrant]}
        if cluster.cloud is Cloud.COREWEAVE:
            from pulumi_aiops.coreweave_gpu_cluster import require_token

            path, ccfg = next((pth, c) for pth, c in _coreweave_clusters(p) if c.name == cname)
            wiring["coreweave_metrics_token"] = require_token(ccfg, path)
        receiver_given = "receiver" in cfg.alertmanager.model_fields_set
        if monitor is not None and cluster.cloud is Cloud.AWS and not receiver_given:
            wiring["alertmanager"] = {**cfg.alertmanager.model_dump(exclude={"receiver"}),
                                      "receiver": {"type": "sns", "topic_arn": monitor.topic_arn}}
            _alertmanager_publisher(cluster, cfg.namespace, ALERTMANAGER_SA, monitor)
        obs_args = validate_model(ObservabilityArgsModel, {**fields, **wiring},
                                  "aiops:platform.observability")
        stacks[cname] = Observability(f"{cname}-observability", _model_args(obs_args))
    if stacks:
        p.components["observability"] = stacks
        p.outputs["observability"] = {
            n: {"grafanaUrl": o.grafana_url, "prometheusUrl": o.prometheus_url,
                "otlpHttpEndpoint": o.otlp_http_endpoint, "grafanaAdminPassword": o.grafana_admin_password,
                "slos": [s.name for s in o.slos]}
            for n, o in stacks.items()}


def _alertmanager_publisher(cluster: Any, namespace: str, service_account: str, monitor: Any) -> None:
    """A Pod Identity role for Alertmanager on an EKS cluster, allowed to publish to the alarm topic."""
    import pulumi_aws as aws

    from pulumi_aiops.aws.iam import document, statement

    role = cluster.control_plane.workload_role("alertmanager", namespace, service_account)
    aws.iam.RolePolicy(f"{cluster.cluster_name}-alertmanager-sns", role=role.id, policy=document([
        statement("Allow", "sns:Publish", monitor.topic_arn, sid="PublishAlerts"),
        statement("Allow", ["kms:GenerateDataKey*", "kms:Decrypt"], monitor.kms_key_arn, sid="EncryptedTopic"),
    ]), opts=pulumi.ResourceOptions(parent=cluster))


def _gateway_secrets(config: PlatformConfig) -> dict[str, pulumi.Output[str]]:
    """The gateway's secrets from secret config (outside API keys, an existing database's password),
    checked before anything is registered: each must be set, and set with ``--secret``."""
    from pulumi_aiops.errors import ConfigError

    gw = config.gateway
    if gw is None:
        return {}
    wanted = [(f"routes[{i}].apiKeySecret", r.api_key_secret) for i, r in enumerate(gw.routes)
              if r.api_key_secret is not None]
    if gw.existing_password_secret is not None:
        wanted.append(("existingPasswordSecret", gw.existing_password_secret))
    cfg = pulumi.Config("aiops")
    out: dict[str, pulumi.Output[str]] = {}
    problems: list[str] = []
    for path, key in wanted:
        where = f"aiops:platform.gateway.{path}"
        if cfg.get(key) is None:
            problems.append(f"{where}: {key!r} names no config value; set it with "
                            f"`pulumi config set --secret aiops:{key} …`")
        elif not pulumi.runtime.is_config_secret(f"aiops:{key}"):
            problems.append(f"{where}: aiops:{key} is set in plain text in the stack file; a credential must be "
                            f"a secret: `pulumi config set --secret aiops:{key} …`")
        else:
            out[key] = cfg.require_secret(key)
    if problems:
        raise ConfigError(problems)
    return out


def _build_gateway(p: Platform, secrets: dict[str, pulumi.Output[str]]) -> None:
    """The LLM gateway (:class:`~pulumi_aiops.llm_gateway.LlmGateway`) on its cluster's system nodes.

    Model-server routes get the :class:`~pulumi_aiops.workloads.ModelServer` objects, Bedrock routes
    the :class:`~pulumi_aiops.bedrock_access.BedrockAccess`, outside APIs their keys from secret
    config; an Aurora database lives in the (EKS) cluster's VPC. Sets ``p.components["gateway"]``:
    an observability stack can call its ``service_monitor_spec()``, or the config sets
    ``telemetry.serviceMonitor``.
    """
    gw = p.config.gateway
    if gw is None:
        return
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.gateway import DatabaseMode, GatewayRouteSpec, LlmGatewayArgsModel, RouteProvider
    from pulumi_aiops.llm_gateway import LlmGateway

    cluster: Any = p.clusters[gw.cluster]
    servers = p.components.get("modelServers", {})
    routes: list[dict[str, Any]] = []
    for r in gw.routes:
        route: dict[str, Any] = {k: getattr(r, k) for k in GatewayRouteSpec.model_fields}
        if r.provider is RouteProvider.MODEL_SERVER:
            route["server"] = servers[f"{gw.cluster}/{r.server}"]  # the config checked the name
            ms = next(m for m in p.config.workloads.model_servers if m.cluster == gw.cluster and m.name == r.server)
            # vLLM serves the model under the server's name; its context window is maxModelLen.
            route["model"] = r.model or ms.name
            if r.context_length is None and ms.max_model_len is not None:
                route["context_length"] = ms.max_model_len
        if r.api_key_secret is not None:
            route["api_key"] = secrets[r.api_key_secret]
        routes.append(route)
    fields = {k: getattr(gw, k) for k in gw.model_fields if k in LlmGatewayArgsModel.model_fields
              and k not in ("cluster", "routes", "tags")}
    obs = p.config.observability
    if obs is not None and (not obs.clusters or gw.cluster in obs.clusters):
        # The platform's observability on the gateway's cluster: its Prometheus scrapes the gateway
        # (scrape.gateway); traces go to its collector unless the config names an endpoint.
        tel = gw.telemetry
        update: dict[str, Any] = {}
        if "monitoring_namespaces" not in tel.model_fields_set:
            update["monitoring_namespaces"] = [obs.namespace]
        if "otlp_endpoint" not in tel.model_fields_set and obs.tracing.backend.value != "none":
            update["otlp_endpoint"] = f"http://otel-collector.{obs.namespace}.svc.cluster.local:4318/v1/traces"
        fields["telemetry"] = tel.model_copy(update=update)
    wiring: dict[str, Any] = {"cluster": cluster, "routes": routes, "tags": {**p.tags(), **gw.tags}}
    if any(r.provider is RouteProvider.BEDROCK for r in gw.routes):
        wiring["bedrock"] = p.components["bedrock"]
    if gw.database.mode is DatabaseMode.AURORA:
        wiring["aurora_network"] = {"vpc_id": cluster.vpc_id, "subnet_ids": cluster.private_subnet_ids,
                                    "client_security_group_ids": [cluster.cluster_security_group_id]}
    if gw.existing_password_secret is not None:
        wiring["existing_password"] = secrets[gw.existing_password_secret]
    args: Any = validate_model(LlmGatewayArgsModel, {**fields, **wiring}, "aiops:platform.gateway")
    gateway = LlmGateway("gateway", args)
    p.components["gateway"] = gateway
    p.outputs["gateway"] = {"cluster": gw.cluster, "endpoint": gateway.endpoint, "namespace": gw.namespace,
                            "routes": sorted({r.name for r in gw.routes}),
                            "masterKeySecretName": gateway.master_key_secret_name}
    # Its own output: a secret inside the map above would make the whole map secret.
    p.outputs["gatewayMasterKey"] = gateway.master_key


def build_platform(config: PlatformConfig) -> Platform:
    """Create every component the config declares; return them."""
    from pulumi_aiops import diagnostics
    from pulumi_aiops.config.placement import system_pools_of
    from pulumi_aiops.config.workloads import workload_warnings

    for message, key in workload_warnings(config):
        diagnostics.warn(message, key=key)
    gateway_secrets = _gateway_secrets(config)
    p = Platform(config)
    _build_clusters(p)
    _build_data(p)
    _build_registry(p)
    _build_bedrock(p)
    _build_workloads(p)
    _build_observability(p)
    _build_gateway(p, gateway_secrets)
    p.outputs["clusters"] = {n: c.contract_outputs() for n, c in p.clusters.items()}
    p.outputs["gpuCapacity"] = [g.to_output() for c in p.clusters.values() for g in c.gpu_capacity]
    # The non-GPU pools (EKS system node groups, CoreWeave cpuNodePools), sized like the GPU ones.
    p.outputs["systemCapacity"] = [s.to_output() for c in config.clusters() for s in system_pools_of(c)]
    return p


def main() -> Platform:
    """Entry point of ``stacks/__main__.py``: read config, build, export outputs."""
    config = load_platform_config()
    platform = build_platform(config)
    for key, value in platform.outputs.items():
        pulumi.export(key, value)
    return platform
