"""Vector stores for RAG: one interface, three backends chosen by :class:`VectorBackend`.

* ``opensearch-serverless``: a VECTORSEARCH collection encrypted with a CMK, reachable only
  through an AOSS VPC endpoint (and Bedrock), a data access policy naming principals, and the
  FAISS vector index Bedrock needs (:class:`~pulumi_aiops.vector_stores.AossIndex`).
* ``aurora-pgvector``: Aurora PostgreSQL Serverless v2, CMK-encrypted, deletion-protected, IAM
  auth, master secret in Secrets Manager, Data API on; pgvector schema through the Data API
  (:class:`~pulumi_aiops.vector_stores.PgvectorSchema`).
* ``qdrant``: the official Qdrant Helm chart on any :class:`~pulumi_aiops.contract.GpuCluster`,
  API keys from pulumi-random in a Kubernetes Secret, persistence, a PodDisruptionBudget and
  a ClusterIP service only.

Every backend exposes ``endpoint``, ``credentials_secret_arn`` (AWS backends) or
``api_key_secret_name`` (Qdrant), :meth:`VectorStore.grant_read`,
:meth:`VectorStore.grant_write` and :meth:`VectorStore.bedrock_storage_configuration`.

Example::

    kb = VectorStore("kb", {
        "backend": "opensearch-serverless", "dimensions": 1024,
        "opensearch": {"admin_principals": ["arn:aws:iam::123456789012:role/deployer"]},
        "network": {"vpc_id": eks.vpc_id, "subnet_ids": eks.private_subnet_ids,
                    "client_security_group_ids": [eks.cluster_security_group_id]},
        "tags": platform.tags(),
    })
    kb.grant_write(bedrock_kb_role)
    aws.bedrock.AgentKnowledgeBase(..., storage_configuration=kb.bedrock_storage_configuration())
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.data import StandbyReplicas, VectorBackend, VectorStoreConfig
from pulumi_aiops.config.governance import Environment
from pulumi_aiops.contract import GpuCluster
from pulumi_aiops.data_lake import policy_json, short_hash, stateful
from pulumi_aiops.errors import AiopsError, ConfigError
from pulumi_aiops.vector_stores.aoss_index import DEFAULT_FIELDS, AossIndex
from pulumi_aiops.vector_stores.pgvector_schema import BEDROCK_COLUMNS, PgvectorSchema

__all__ = [
    "QDRANT_CHART",
    "QDRANT_REPO",
    "VectorBackend",
    "VectorStore",
    "VectorStoreArgs",
    "VectorStoreNetwork",
]

#: The official Qdrant Helm chart.
QDRANT_REPO = "https://qdrant.github.io/qdrant-helm"
QDRANT_CHART = "qdrant"

_AOSS_READ = ["aoss:DescribeIndex", "aoss:ReadDocument"]
_AOSS_WRITE = [*_AOSS_READ, "aoss:CreateIndex", "aoss:UpdateIndex", "aoss:WriteDocument"]
_AOSS_COLLECTION_READ = ["aoss:DescribeCollectionItems"]
_AOSS_COLLECTION_WRITE = [*_AOSS_COLLECTION_READ, "aoss:CreateCollectionItems",
                          "aoss:UpdateCollectionItems"]


class VectorStoreNetwork(TypedDict, total=False):
    """Where an AWS-VPC backend lives (from ``EksGpuCluster``)."""

    vpc_id: pulumi.Input[str]
    """The VPC. Required for opensearch-serverless and aurora-pgvector."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets (at least two AZs). Required for opensearch-serverless and aurora-pgvector."""
    client_security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups allowed to connect (e.g. the EKS cluster SG). @default []"""


class VectorStoreArgs(TypedDict, total=False):
    """Arguments of :class:`VectorStore` (the ``vectorStores[]`` config entry plus wiring)."""

    name: str
    """Store name (collection / cluster name). @default the component name"""
    backend: str
    """opensearch-serverless, aurora-pgvector or qdrant. Required."""
    dimensions: int
    """Embedding dimensions. @default 1024"""
    opensearch: dict[str, Any]
    """OpenSearch settings (``admin_principals`` required, ``index_name``,
    ``standby_replicas``). @default none"""
    aurora: dict[str, Any]
    """Aurora settings (``engine_version``, ``min_capacity``, ``max_capacity``,
    ``database_name``, ``table_name``, ``backup_retention_days``). @default {}"""
    qdrant: dict[str, Any]
    """Qdrant settings (``cluster`` required, ``chart_version``, ``namespace``, ``replicas``,
    ``storage_size``, ``storage_class``). @default none"""
    network: VectorStoreNetwork
    """VPC wiring for the AWS backends. @default none"""
    cluster: GpuCluster
    """The GPU cluster (either cloud) that runs Qdrant. Required for qdrant."""
    environment: str
    """dev, staging or prod: standby replicas of AOSS default to ENABLED in prod. @default dev"""
    tags: dict[str, str]
    """Governance tags for every taggable resource. @default {}"""


def _aoss_name(base: str, suffix: str) -> str:
    """An AOSS policy/endpoint name: at most 32 chars, lowercase."""
    return f"{base[: 31 - len(suffix)]}-{suffix}"


class VectorStore(pulumi.ComponentResource):
    """A vector database for RAG, whichever backend (see module docstring).

    Attributes: ``backend``, ``endpoint``, ``credentials_secret_arn`` (``None`` for Qdrant),
    ``api_key_secret_name`` (Qdrant only), ``kms_key`` (AWS backends), ``dimensions``,
    ``config``; backend resources ``collection``/``index``, ``db_cluster``/``schema``, or
    ``release``/``pdb``.
    """

    backend: VectorBackend
    endpoint: pulumi.Output[str]
    credentials_secret_arn: pulumi.Output[str] | None
    api_key_secret_name: pulumi.Output[str] | None
    kms_key: aws.kms.Key | None
    config: VectorStoreConfig

    def __init__(self, name: str, args: VectorStoreArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        raw: dict[str, Any] = dict(args)
        network: VectorStoreNetwork = raw.pop("network", None) or VectorStoreNetwork()
        cluster: GpuCluster | None = raw.pop("cluster", None)
        env_raw = raw.pop("environment", Environment.DEV.value)
        tags: dict[str, str] = dict(raw.pop("tags", None) or {})
        raw.setdefault("name", name)
        where = f"VectorStoreArgs({name!r})"
        try:
            env = Environment(env_raw)
        except ValueError:
            raise ConfigError(f"{where}.environment: {env_raw!r} is not allowed; "
                              f"one of {[e.value for e in Environment]}") from None
        cfg = validate_model(VectorStoreConfig, raw, where)
        if cfg.backend is VectorBackend.QDRANT and not isinstance(cluster, GpuCluster):
            raise ConfigError(f"{where}.cluster: {cluster!r} is not allowed; the qdrant backend needs "
                              "a GpuCluster (EksGpuCluster or CoreWeaveGpuCluster)")
        if cfg.qdrant is not None and isinstance(cluster, GpuCluster):  # on its system nodes, and fits them
            from pulumi_aiops.config.placement import check_qdrant_placement

            check_qdrant_placement(cluster, cfg.qdrant, f"{where}.qdrant", cfg.name)
        if cfg.backend is not VectorBackend.QDRANT:
            missing = [k for k in ("vpc_id", "subnet_ids") if network.get(k) is None]
            if missing:
                raise ConfigError(f"{where}.network: missing {missing}; the {cfg.backend.value} "
                                  "backend lives in a VPC (pass the EKS cluster's vpc_id and "
                                  "private_subnet_ids)")
        super().__init__("aiops:data:VectorStore", name, {}, opts)
        self.config = cfg
        self.backend = cfg.backend
        self.dimensions = cfg.dimensions
        self.tags = {**tags, "vector-store": cfg.name}
        self.credentials_secret_arn = None
        self.api_key_secret_name = None
        self.kms_key = None
        self._grants: set[str] = set()
        if cfg.backend is VectorBackend.OPENSEARCH_SERVERLESS:
            self._opensearch(network, env)
        elif cfg.backend is VectorBackend.AURORA_PGVECTOR:
            self._aurora(network)
        else:
            assert cluster is not None
            self._qdrant(cluster)
        self.register_outputs({
            "backend": cfg.backend.value,
            "endpoint": self.endpoint,
            "credentialsSecretArn": self.credentials_secret_arn,
            "apiKeySecretName": self.api_key_secret_name,
            "dimensions": cfg.dimensions,
        })

    # -- the interface ------------------------------------------------------------------------
    @property
    def supports_bedrock(self) -> bool:
        """True when Bedrock knowledge bases can store vectors here."""
        return self.backend is not VectorBackend.QDRANT

    def bedrock_storage_configuration(self) -> dict[str, Any]:
        """The ``storage_configuration`` argument of ``aws.bedrock.AgentKnowledgeBase``.

        The knowledge base's role also needs :meth:`grant_write`.
        """
        if self.backend is VectorBackend.OPENSEARCH_SERVERLESS:
            return {"type": "OPENSEARCH_SERVERLESS", "opensearch_serverless_configuration": {
                # From the index resource, so a knowledge base waits until the index exists.
                "collection_arn": self.collection.arn, "vector_index_name": self.index.index_name,
                "field_mapping": dict(DEFAULT_FIELDS)}}
        if self.backend is VectorBackend.AURORA_PGVECTOR:
            au = self.config.aurora
            assert au is not None and self.credentials_secret_arn is not None
            return {"type": "RDS", "rds_configuration": {
                "resource_arn": self.db_cluster.arn,
                "credentials_secret_arn": self.credentials_secret_arn,
                # From the schema resource, so a knowledge base waits until the table exists.
                "database_name": au.database_name, "table_name": self.schema.table,
                "field_mapping": dict(BEDROCK_COLUMNS)}}
        raise AiopsError(f"VectorStore {self.config.name!r}: Bedrock knowledge bases cannot use "
                         "the qdrant backend; use opensearch-serverless or aurora-pgvector")

    def grant_read(self, role: aws.iam.Role) -> list[pulumi.Resource]:
        """Let ``role`` query the store (IAM policy, plus an AOSS data access policy)."""
        return self._grant(role, write=False)

    def grant_write(self, role: aws.iam.Role) -> list[pulumi.Resource]:
        """Let ``role`` create indexes and write vectors (what a Bedrock KB role needs)."""
        return self._grant(role, write=True)

    # -- grants -------------------------------------------------------------------------------
    def _grant(self, role: aws.iam.Role, *, write: bool) -> list[pulumi.Resource]:
        kind = "write" if write else "read"
        rname = getattr(role, "pulumi_resource_name", None) or "role"
        logical = f"{self._name}-{kind}-{rname}"
        if self.backend is VectorBackend.QDRANT:
            raise AiopsError(
                f"VectorStore {self.config.name!r}: Qdrant authenticates with API keys, not IAM; "
                f"mount the Kubernetes Secret {self._qdrant_secret_name!r} (key 'api-key' to write, "
                "'read-only-api-key' to read) into the workload instead")
        if logical in self._grants:
            raise ConfigError(f"VectorStore {self.config.name!r}: {kind} is already granted to "
                              f"role {rname!r}")
        self._grants.add(logical)
        child = pulumi.ResourceOptions(parent=self)
        out: list[pulumi.Resource] = []
        assert self.kms_key is not None
        if self.backend is VectorBackend.OPENSEARCH_SERVERLESS:
            stmts: list[dict[str, Any]] = [
                {"Sid": "AossApiAccess", "Effect": "Allow", "Action": "aoss:APIAccessAll",
                 "Resource": self.collection.arn}]
            out.append(aws.opensearch.ServerlessAccessPolicy(
                f"{logical}-data-access",
                name=_aoss_name(self.config.name, f"{kind[0]}{short_hash(self._name, rname)}"),
                type="data",
                description=f"{kind} access for {rname}",
                policy=self._data_access_policy([role.arn], write=write),
                opts=child))
        else:
            assert self.credentials_secret_arn is not None
            stmts = [
                {"Sid": "DataApi", "Effect": "Allow",
                 "Action": ["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement"],
                 "Resource": self.db_cluster.arn},
                {"Sid": "DescribeCluster", "Effect": "Allow", "Action": "rds:DescribeDBClusters",
                 "Resource": self.db_cluster.arn},
                {"Sid": "ReadMasterSecret", "Effect": "Allow",
                 "Action": "secretsmanager:GetSecretValue", "Resource": self.credentials_secret_arn},
                {"Sid": "DecryptSecret", "Effect": "Allow", "Action": "kms:Decrypt",
                 "Resource": self.kms_key.arn},
            ]
        out.insert(0, aws.iam.RolePolicy(logical, role=role.name, policy=policy_json(stmts), opts=child))
        return out

    def _data_access_policy(self, principals: Sequence[pulumi.Input[str]], *,
                            write: bool) -> pulumi.Output[str]:
        coll = self.config.name
        rules = [
            {"ResourceType": "collection", "Resource": [f"collection/{coll}"],
             "Permission": _AOSS_COLLECTION_WRITE if write else _AOSS_COLLECTION_READ},
            {"ResourceType": "index", "Resource": [f"index/{coll}/*"],
             "Permission": _AOSS_WRITE if write else _AOSS_READ},
        ]
        return pulumi.Output.all(*principals).apply(
            lambda ps: json.dumps([{"Rules": rules, "Principal": sorted(ps),
                                    "Description": "pulumi-aiops named principals"}], sort_keys=True))

    # -- backends -----------------------------------------------------------------------------
    def _key(self, what: str) -> aws.kms.Key:
        self.kms_key = aws.kms.Key(
            f"{self._name}-key", description=f"pulumi-aiops vector store {self.config.name}: {what}",
            enable_key_rotation=True, deletion_window_in_days=30, tags=self.tags,
            opts=stateful(self))
        return self.kms_key

    def _client_sg(self, network: VectorStoreNetwork, port: int, what: str) -> aws.ec2.SecurityGroup:
        sg = aws.ec2.SecurityGroup(
            f"{self._name}-sg", vpc_id=network["vpc_id"],
            description=f"pulumi-aiops {what} {self.config.name}: clients on {port}",
            tags={**self.tags, "Name": f"{self.config.name}-{what}"},
            opts=pulumi.ResourceOptions(parent=self))
        for i, client in enumerate(network.get("client_security_group_ids") or []):
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-sg-in-{i}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=port, to_port=port, referenced_security_group_id=client,
                description=f"clients of {self.config.name}", tags=self.tags,
                opts=pulumi.ResourceOptions(parent=self))
        return sg

    def _opensearch(self, network: VectorStoreNetwork, env: Environment) -> None:
        os_cfg = self.config.opensearch
        assert os_cfg is not None
        coll = self.config.name
        child = pulumi.ResourceOptions(parent=self)
        key = self._key("OpenSearch Serverless collection encryption")
        sg = self._client_sg(network, 443, "aoss")
        self.vpc_endpoint = aws.opensearch.ServerlessVpcEndpoint(
            f"{self._name}-vpce", name=_aoss_name(coll, "vpce"), vpc_id=network["vpc_id"],
            subnet_ids=network["subnet_ids"], security_group_ids=[sg.id], opts=child)
        encryption = aws.opensearch.ServerlessSecurityPolicy(
            f"{self._name}-encryption", name=_aoss_name(coll, "enc"), type="encryption",
            description=f"CMK encryption of {coll}",
            policy=key.arn.apply(lambda arn: json.dumps({
                "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{coll}"]}],
                "AWSOwnedKey": False, "KmsARN": arn}, sort_keys=True)),
            opts=child)
        services = [s.value for s in os_cfg.source_services]

        def network_doc(vpce: str) -> str:
            rule: dict[str, Any] = {
                "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{coll}"]}],
                "AllowFromPublic": False, "SourceVPCEs": [vpce]}
            if services:
                rule["SourceServices"] = services
            return json.dumps([rule], sort_keys=True)

        net = aws.opensearch.ServerlessSecurityPolicy(
            f"{self._name}-network", name=_aoss_name(coll, "net"), type="network",
            description=f"private access to {coll} through its VPC endpoint",
            policy=self.vpc_endpoint.id.apply(network_doc), opts=child)
        admin = aws.opensearch.ServerlessAccessPolicy(
            f"{self._name}-admin-access", name=_aoss_name(coll, "admin"), type="data",
            description="administrators (the deployer creates the index)",
            policy=self._data_access_policy(os_cfg.admin_principals, write=True), opts=child)
        standby = os_cfg.standby_replicas or (
            StandbyReplicas.ENABLED if env is Environment.PROD else StandbyReplicas.DISABLED)
        self.collection = aws.opensearch.ServerlessCollection(
            f"{self._name}-collection", name=coll, type="VECTORSEARCH",
            standby_replicas=standby.value, description=f"pulumi-aiops vector store {coll}",
            tags=self.tags, opts=stateful(self, depends_on=[encryption, net]))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.index = AossIndex(
            f"{self._name}-index", endpoint=self.collection.collection_endpoint, region=region,
            index_name=os_cfg.index_name, dimensions=self.config.dimensions,
            opts=stateful(self, depends_on=[admin, self.collection]))
        self.endpoint = self.collection.collection_endpoint

    def _aurora(self, network: VectorStoreNetwork) -> None:
        au = self.config.aurora
        assert au is not None
        child = pulumi.ResourceOptions(parent=self)
        key = self._key("Aurora storage and master secret encryption")
        sg = self._client_sg(network, 5432, "aurora")
        subnets = aws.rds.SubnetGroup(
            f"{self._name}-subnets", subnet_ids=network["subnet_ids"],
            description=f"private subnets of {self.config.name}", tags=self.tags, opts=child)
        self.db_cluster = aws.rds.Cluster(
            f"{self._name}-aurora",
            engine="aurora-postgresql", engine_mode="provisioned", engine_version=au.engine_version,
            database_name=au.database_name, master_username="vectoradmin",
            manage_master_user_password=True, master_user_secret_kms_key_id=key.arn,
            storage_encrypted=True, kms_key_id=key.arn,
            deletion_protection=True, iam_database_authentication_enabled=True,
            enable_http_endpoint=True,
            serverlessv2_scaling_configuration={"min_capacity": au.min_capacity,
                                                "max_capacity": au.max_capacity},
            backup_retention_period=au.backup_retention_days,
            preferred_backup_window="03:00-04:00", copy_tags_to_snapshot=True,
            skip_final_snapshot=False, final_snapshot_identifier=f"{self.config.name}-final",
            db_subnet_group_name=subnets.name, vpc_security_group_ids=[sg.id],
            enabled_cloudwatch_logs_exports=["postgresql"],
            tags=self.tags, opts=stateful(self))
        self.db_instance = aws.rds.ClusterInstance(
            f"{self._name}-writer", cluster_identifier=self.db_cluster.id,
            instance_class="db.serverless", engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            engine_version=self.db_cluster.engine_version, publicly_accessible=False,
            db_subnet_group_name=subnets.name, tags=self.tags, opts=child)
        secret_arn: pulumi.Output[str] = self.db_cluster.master_user_secrets.apply(
            lambda s: str(s[0].secret_arn) if s else "")
        self.credentials_secret_arn = secret_arn
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.schema = PgvectorSchema(
            f"{self._name}-schema", resource_arn=self.db_cluster.arn, secret_arn=secret_arn,
            database=au.database_name, table=au.table_name, dimensions=self.config.dimensions,
            region=region, opts=stateful(self, depends_on=[self.db_instance]))
        self.endpoint = self.db_cluster.endpoint

    def _qdrant(self, cluster: GpuCluster) -> None:
        import pulumi_kubernetes as k8s
        import pulumi_random as random

        q = self.config.qdrant
        assert q is not None
        release = f"qdrant-{self.config.name}"
        ns = q.namespace
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        labels = {"app.kubernetes.io/part-of": "pulumi-aiops", "vector-store": self.config.name}
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-ns", metadata={"name": ns, "labels": labels}, opts=k8s_opts)
        keys = {
            "api-key": random.RandomPassword(f"{self._name}-api-key", length=48, special=False,
                                             opts=pulumi.ResourceOptions(parent=self)),
            "read-only-api-key": random.RandomPassword(
                f"{self._name}-read-only-api-key", length=48, special=False,
                opts=pulumi.ResourceOptions(parent=self)),
        }
        self._qdrant_secret_name = f"{release}-api-keys"
        secret = k8s.core.v1.Secret(
            f"{self._name}-api-keys",
            metadata={"name": self._qdrant_secret_name, "namespace": ns, "labels": labels},
            type="Opaque",
            string_data={k: v.result for k, v in keys.items()},
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider,
                                        depends_on=[namespace]))
        persistence: dict[str, Any] = {"size": q.storage_size, "accessModes": ["ReadWriteOnce"]}
        if q.storage_class:
            persistence["storageClassName"] = q.storage_class
        values: dict[str, Any] = {
            "replicaCount": q.replicas,
            "service": {"type": "ClusterIP"},
            "ingress": {"enabled": False},
            "apiKey": {"valueFrom": {"secretKeyRef": {"name": self._qdrant_secret_name,
                                                      "key": "api-key"}}},
            "readOnlyApiKey": {"valueFrom": {"secretKeyRef": {"name": self._qdrant_secret_name,
                                                              "key": "read-only-api-key"}}},
            "persistence": persistence,
            "podDisruptionBudget": {"enabled": False},  # ours, below, is recorded and tested
            "config": {"cluster": {"enabled": q.replicas > 1}},
            "podLabels": labels,
            # The cluster's system nodes (EKS system node group, CoreWeave cpuNodePools), never GPU nodes.
            "nodeSelector": dict(cluster.system_node_selector),
            "tolerations": [dict(t) for t in cluster.system_tolerations],
            "resources": {"requests": {"cpu": q.resources.cpu, "memory": q.resources.memory},
                          "limits": {"cpu": q.resources.cpu, "memory": q.resources.memory}},
        }
        self.release = k8s.helm.v3.Release(
            f"{self._name}-qdrant", name=release, chart=QDRANT_CHART, version=q.chart_version,
            repository_opts={"repo": QDRANT_REPO}, namespace=ns, values=values,
            atomic=False, wait_for_jobs=True,
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider,
                                        depends_on=[secret]))
        # A quorum stays up during drains; one replica cannot be protected without blocking them.
        spec: Any = {"selector": {"matchLabels": {
            "app.kubernetes.io/name": QDRANT_CHART, "app.kubernetes.io/instance": release}}}
        if q.replicas > 1:
            spec["minAvailable"] = q.replicas // 2 + 1
        else:
            spec["maxUnavailable"] = 1
        metadata: Any = {"name": release, "namespace": ns, "labels": labels}
        self.pdb = k8s.policy.v1.PodDisruptionBudget(
            f"{self._name}-pdb", metadata=metadata,
            spec=spec, opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider,
                                                   depends_on=[namespace]))
        self.api_key_secret_name = pulumi.Output.from_input(self._qdrant_secret_name)
        self.endpoint = pulumi.Output.from_input(f"http://{release}.{ns}.svc.cluster.local:6333")
