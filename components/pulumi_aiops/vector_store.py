"""Vector stores for RAG: one interface, three backends chosen by :class:`VectorBackend`.

* ``opensearch-serverless``: a VECTORSEARCH collection encrypted with a CMK, reachable only
  through an AOSS VPC endpoint (and Bedrock), a data access policy naming principals, and the
  FAISS vector index Bedrock needs (:class:`~pulumi_aiops.vector_stores.AossIndex`).
* ``aurora-pgvector``: Aurora PostgreSQL Serverless v2, CMK-encrypted, deletion-protected, IAM
  auth, master secret in Secrets Manager, Data API on; statement logging (``log_statement``, ddl
  by default, through a cluster parameter group, exported to CloudWatch), enhanced monitoring
  every 60 s and Performance Insights encrypted with the cluster's key; pgvector schema through
  the Data API (:class:`~pulumi_aiops.vector_stores.PgvectorSchema`).
* ``qdrant``: the official Qdrant Helm chart on any :class:`~pulumi_aiops.contract.GpuCluster` (or a
  :class:`~pulumi_aiops.contract.GpuClusterRef` to a cluster of another program),
  API keys from pulumi-random in a Kubernetes Secret, persistence, a PodDisruptionBudget, a
  ClusterIP service only, and NetworkPolicies: deny by default, DNS out, Qdrant reachable from its
  own namespace and from namespaces labelled ``aiops.io/qdrant-<store>: client``
  (``client_namespace_labels``).

The OpenSearch Serverless index is created by ``pulumi up`` through the collection's VPC endpoint,
whose security group admits ``network.clientSecurityGroupIds`` and ``deployerAccess`` (the
deployer's security groups and CIDRs) on 443: list the CI runner or VPN host there.

Every backend exposes ``endpoint``, ``credentials_secret_arn`` (AWS backends) or
``api_key_secret_name`` (Qdrant), :meth:`VectorStore.grant_read`,
:meth:`VectorStore.grant_write` and :meth:`VectorStore.bedrock_storage_configuration`. The
AWS backends take their VPC as ``network`` (ids, or outputs of your own resources); the key
comes from :func:`~pulumi_aiops.aws.kms.kms_key` unless ``kms_key_arn`` brings one.

Example::

    import pulumi_aws as aws
    from pulumi_aiops.vector_store import VectorStore

    vpc = aws.ec2.Vpc("rag", cidr_block="10.20.0.0/16")
    subnets = [aws.ec2.Subnet(f"rag-{az}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=az)
               for az, cidr in (("us-east-1a", "10.20.1.0/24"), ("us-east-1b", "10.20.2.0/24"))]
    apps = aws.ec2.SecurityGroup("rag-apps", vpc_id=vpc.id, description="RAG applications")
    runners = aws.ec2.SecurityGroup("ci-runners", vpc_id=vpc.id, description="CI runners (pulumi up)")
    deployer = "arn:aws:iam::123456789012:role/deployer"   # runs `pulumi up`; creates the index
    store = VectorStore("kb-docs", {
        "backend": "opensearch-serverless", "dimensions": 1024,
        "opensearch": {"admin_principals": [deployer]},
        "network": {"vpc_id": vpc.id, "subnet_ids": [s.id for s in subnets],
                    "client_security_group_ids": [apps.id]},
        "deployer_access": {"security_group_ids": [runners.id]},  # the runners reach the endpoint on 443
        "tags": {"owner": "ml-platform", "cost-center": "cc-1234", "data-classification": "internal"},
    })
    writer = aws.iam.Role("kb-writer", assume_role_policy=aws.iam.get_policy_document_output(statements=[{
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["bedrock.amazonaws.com"]}]}]).json)
    store.grant_write(writer)                      # IAM + the collection's data access policy
    storage = store.bedrock_storage_configuration()  # for aws.bedrock.AgentKnowledgeBase
"""

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.args import VectorStoreArgs, VectorStoreNetworkArgs
from pulumi_aiops.aws.deployer_access import admit_deployer
from pulumi_aiops.aws.formats import (
    IAM_ROLE_OR_USER,
    KMS_KEY_ARN,
    SECURITY_GROUP_ID,
    SUBNET_ID,
    VPC_ID,
    check_known,
    check_known_list,
    check_tags,
    checked,
    checked_list,
)
from pulumi_aiops.aws.iam import service_trust, statement
from pulumi_aiops.aws.kms import kms_key
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known, validate_model
from pulumi_aiops.config.data import StandbyReplicas, VectorBackend, VectorStoreSpec
from pulumi_aiops.config.deployer_access import DeployerAccessConfig
from pulumi_aiops.config.governance import Environment
from pulumi_aiops.contract import GpuCluster, GpuClusterInput, GpuClusterRef, resolve_cluster
from pulumi_aiops.data_lake import policy_json, short_hash, stateful
from pulumi_aiops.errors import AiopsError, ConfigError
from pulumi_aiops.vector_stores.aoss_index import DEFAULT_FIELDS, AossIndex
from pulumi_aiops.vector_stores.pgvector_schema import BEDROCK_COLUMNS, PgvectorSchema

__all__ = [
    "ENHANCED_MONITORING_SECONDS",
    "OLD_TYPE_TOKEN",
    "PERFORMANCE_INSIGHTS_DAYS",
    "QDRANT_CHART",
    "QDRANT_GRPC_PORT",
    "QDRANT_HTTP_PORT",
    "QDRANT_REPO",
    "TYPE_TOKEN",
    "VectorBackend",
    "VectorStore",
    "VectorStoreArgs",
    "VectorStoreArgsModel",
    "VectorStoreNetwork",
    "VectorStoreNetworkArgs",
    "VectorStoreNetworkModel",
    "qdrant_client_label",
]

#: The type token Pulumi's component provider hosts this component under.
TYPE_TOKEN = "aiops:index:VectorStore"
#: The token of 0.1.0 (an alias keeps deployed stacks' URNs).
OLD_TYPE_TOKEN = "aiops:data:VectorStore"

#: The official Qdrant Helm chart.
QDRANT_REPO = "https://qdrant.github.io/qdrant-helm"
QDRANT_CHART = "qdrant"
#: Qdrant's REST and gRPC ports (clients); peers use 6335.
QDRANT_HTTP_PORT = 6333
QDRANT_GRPC_PORT = 6334


#: Enhanced monitoring granularity of Aurora instances, seconds (1, 5, 10, 15, 30 or 60).
ENHANCED_MONITORING_SECONDS = 60
#: Performance Insights retention, days (7 is the free tier).
PERFORMANCE_INSIGHTS_DAYS = 7


def qdrant_client_label(store_name: str) -> str:
    """The namespace label key that lets a namespace's pods reach Qdrant store ``store_name``
    (value ``client``): ``aiops.io/qdrant-<store>``."""
    return f"aiops.io/qdrant-{store_name}"


_AOSS_READ = ["aoss:DescribeIndex", "aoss:ReadDocument"]
_AOSS_WRITE = [*_AOSS_READ, "aoss:CreateIndex", "aoss:UpdateIndex", "aoss:WriteDocument"]
_AOSS_COLLECTION_READ = ["aoss:DescribeCollectionItems"]
_AOSS_COLLECTION_WRITE = [*_AOSS_COLLECTION_READ, "aoss:CreateCollectionItems",
                          "aoss:UpdateCollectionItems"]

#: The 0.1.0 name of the public TypedDict of ``network`` (same keys).
VectorStoreNetwork = VectorStoreNetworkArgs


class VectorStoreNetworkModel(AiopsModel):
    """Where an AWS-VPC backend lives: ids, or outputs of your own resources.

    For example an ``EksGpuCluster``'s ``vpc_id``, ``private_subnet_ids`` and
    ``cluster_security_group_id``."""

    model_config = ConfigDict(title="VectorStoreNetworkArgs")

    vpc_id: Wired[str] = Field(description="The VPC. Required.")
    subnet_ids: Wired[list[Wired[str]]] = Field(
        description="Private subnets of the VPC, in at least two AZs. Required.")
    client_security_group_ids: list[Wired[str]] = Field(
        default_factory=list, description="Security groups whose members may connect. @default []")

    @field_validator("vpc_id")
    @classmethod
    def _vpc(cls, v: Any) -> Any:
        return check_known(v, VPC_ID)

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, v: Any) -> Any:
        if is_known(v) and not v:
            raise ConfigValueError("is empty; give the VPC's private subnets", value=v)
        return check_known_list(v, SUBNET_ID)

    @field_validator("client_security_group_ids")
    @classmethod
    def _sgs(cls, v: list[Any]) -> list[Any]:
        check_known_list(v, SECURITY_GROUP_ID)
        known = [s for s in v if is_known(s)]
        for i, sg in enumerate(v):
            if is_known(sg) and known.count(sg) > 1 and v.index(sg) != i:
                raise ConfigValueError("appears twice", loc=(i,), value=sg)
        return v


class VectorStoreArgsModel(VectorStoreSpec):
    """Arguments of :class:`VectorStore`: the store, and where it runs (network or cluster).

    A ``vectorStores[]`` entry without the stack's cluster names, plus ``network`` (AWS
    backends) or ``cluster`` (qdrant), ``environment`` and ``tags``."""

    model_config = ConfigDict(title="VectorStoreArgs")

    network: VectorStoreNetworkModel | None = Field(
        None, description="The VPC of the AWS backends (required for them). @default none")
    cluster: GpuClusterInput | None = Field(
        None, description="The GPU cluster (either cloud) that runs Qdrant: an EksGpuCluster or CoreWeaveGpuCluster, "
        "or a GpuClusterRef for a cluster of another program (required for qdrant). @default none")
    environment: Environment = Field(
        Environment.DEV, description="dev, staging or prod: AOSS standby replicas default to ENABLED in prod. "
        "@default dev")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Governance tags for every taggable resource. @default {}")
    deployer_access: DeployerAccessConfig = Field(
        default_factory=DeployerAccessConfig,
        description="opensearch-serverless: security groups and CIDRs of the deployer that the VPC endpoint's "
        "security group admits on 443, so `pulumi up` can create the index (the builder passes "
        "aiops:platform.deployerAccess). @default none (only clientSecurityGroupIds)")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        return check_tags(v)

    @model_validator(mode="after")
    def _deployer(self) -> "VectorStoreArgsModel":
        if not self.deployer_access.empty and self.backend is not VectorBackend.OPENSEARCH_SERVERLESS:
            raise ConfigValueError(
                f"applies to opensearch-serverless only: the {self.backend.value} backend is set up without a "
                "connection from the deployer (Aurora through the RDS Data API, Qdrant through the cluster's API)",
                loc=("deployerAccess",), value="{…}")
        return self

    @model_validator(mode="after")
    def _placement(self) -> "VectorStoreArgsModel":
        if self.backend is VectorBackend.QDRANT:
            if self.cluster is None:
                raise ConfigValueError("is not allowed; the qdrant backend needs a GpuCluster "
                                       "(EksGpuCluster or CoreWeaveGpuCluster)", loc=("cluster",), value=None)
            if self.network is not None:
                raise ConfigValueError("applies to the AWS backends; qdrant runs on `cluster`",
                                       loc=("network",), value="{…}")
            return self
        if self.network is None:
            raise ConfigValueError(
                f"is not allowed; the {self.backend.value} backend lives in a VPC: pass network "
                "{vpcId, subnetIds} (e.g. an EksGpuCluster's vpc_id and private_subnet_ids)",
                loc=("network",), value=None)
        if self.cluster is not None:
            raise ConfigValueError(f"applies to qdrant only; the {self.backend.value} backend uses `network`",
                                   loc=("cluster",), value=f"<{type(self.cluster).__name__}>")
        subnets = self.network.subnet_ids
        if self.backend is VectorBackend.AURORA_PGVECTOR and is_known(subnets) and len(list(subnets)) < 2:
            raise ConfigValueError("has fewer than two subnets; an Aurora DB subnet group spans at least two AZs",
                                   loc=("network", "subnetIds"), value=subnets)
        return self


def _aoss_name(base: str, suffix: str) -> str:
    """An AOSS policy/endpoint name: at most 32 chars, lowercase."""
    return f"{base[: 31 - len(suffix)]}-{suffix}"


class VectorStore(pulumi.ComponentResource):
    """A vector database for RAG, whichever backend (see module docstring).

    Python attributes: ``backend``, ``credentials_secret_arn`` (``None`` for Qdrant),
    ``api_key_secret_name`` (Qdrant only), ``kms_key`` (a created key), ``kms_key_arn`` (AWS
    backends), ``dimensions``, ``tags``, ``config``; backend resources ``collection``/``index``,
    ``db_cluster``/``schema`` (and ``parameter_group``, ``monitoring_role``), or
    ``release``/``pdb``/``network_policies``; Qdrant's ``client_namespace_labels`` (label a
    namespace with them to let its pods reach the store).
    """

    endpoint: pulumi.Output[str]
    """Where clients connect: the collection endpoint, the cluster endpoint, or Qdrant's service URL."""

    def __init__(self, name: str, args: VectorStoreArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        where = f"VectorStore({name!r})"
        if isinstance(args, VectorStoreArgsModel) and args.name is not None:
            cfg = args
        else:
            fields: dict[str, Any] = dict(args)
            if fields.get("name") is None:
                fields["name"] = name
            cfg = validate_model(VectorStoreArgsModel, fields, where)
        assert cfg.name is not None
        if cfg.qdrant is not None and isinstance(cfg.cluster, GpuCluster):  # on its system nodes, and fits them
            from pulumi_aiops.config.placement import check_qdrant_placement

            check_qdrant_placement(cfg.cluster, cfg.qdrant, f"{where}.qdrant", cfg.name,
                                   cluster_path=f"{where}.cluster")
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=OLD_TYPE_TOKEN)]), opts))
        self._where = where
        self.config: VectorStoreArgsModel = cfg
        self.store_name: str = cfg.name
        self.backend: VectorBackend = cfg.backend
        self.dimensions: int = cfg.dimensions
        self.tags: dict[str, str] = {**cfg.tags, "vector-store": cfg.name}
        self.credentials_secret_arn: pulumi.Output[str] | None = None
        self.api_key_secret_name: pulumi.Output[str] | None = None
        #: Qdrant: the label a namespace carries to reach the store (``{"aiops.io/qdrant-<store>": "client"}``).
        self.client_namespace_labels: dict[str, str] | None = None
        self.network_policies: list[pulumi.CustomResource] = []
        self.kms_key: aws.kms.Key | None = None
        self.kms_key_arn: pulumi.Output[str] | None = None
        self._grants: set[str] = set()
        #: The rules admitting ``deployerAccess`` to the AOSS endpoint (opensearch-serverless only).
        self.deployer_rules: list[aws.vpc.SecurityGroupIngressRule] = []
        if cfg.backend is VectorBackend.OPENSEARCH_SERVERLESS:
            assert cfg.network is not None
            self._opensearch(cfg.network, cfg.environment)
        elif cfg.backend is VectorBackend.AURORA_PGVECTOR:
            assert cfg.network is not None
            self._aurora(cfg.network)
        else:
            assert cfg.cluster is not None
            self._qdrant(cfg.cluster)
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
        raise AiopsError(f"{self._where}: Bedrock knowledge bases cannot use "
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
                f"{self._where}: Qdrant authenticates with API keys, not IAM; "
                f"mount the Kubernetes Secret {self._qdrant_secret_name!r} (key 'api-key' to write, "
                "'read-only-api-key' to read) into the workload instead")
        if logical in self._grants:
            raise ConfigError(f"{self._where}: {kind} is already granted to role {rname!r}")
        self._grants.add(logical)
        child = pulumi.ResourceOptions(parent=self)
        out: list[pulumi.Resource] = []
        assert self.kms_key_arn is not None
        if self.backend is VectorBackend.OPENSEARCH_SERVERLESS:
            stmts: list[dict[str, Any]] = [
                statement("Allow", "aoss:APIAccessAll", self.collection.arn, sid="AossApiAccess")]
            out.append(aws.opensearch.ServerlessAccessPolicy(
                f"{logical}-data-access",
                name=_aoss_name(self.store_name, f"{kind[0]}{short_hash(self._name, rname)}"),
                type="data",
                description=f"{kind} access for {rname}",
                policy=self._data_access_policy([role.arn], write=write),
                opts=child))
        else:
            assert self.credentials_secret_arn is not None
            stmts = [
                statement("Allow", ["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement"],
                          self.db_cluster.arn, sid="DataApi"),
                statement("Allow", "rds:DescribeDBClusters", self.db_cluster.arn, sid="DescribeCluster"),
                statement("Allow", "secretsmanager:GetSecretValue", self.credentials_secret_arn,
                          sid="ReadMasterSecret"),
                statement("Allow", "kms:Decrypt", self.kms_key_arn, sid="DecryptSecret"),
            ]
        out.insert(0, aws.iam.RolePolicy(logical, role=role.name, policy=policy_json(stmts), opts=child))
        return out

    def _data_access_policy(self, principals: Sequence[pulumi.Input[str]], *,
                            write: bool) -> pulumi.Output[str]:
        coll = self.store_name
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
    def _key(self, what: str) -> pulumi.Output[str]:
        """The store's key ARN: the brought one, or a new :func:`~pulumi_aiops.aws.kms.kms_key`."""
        if self.config.kms_key_arn is not None:
            self.kms_key_arn = pulumi.Output.from_input(
                checked(self.config.kms_key_arn, KMS_KEY_ARN, f"{self._where}.kmsKeyArn"))
        else:
            self.kms_key = kms_key(f"{self._name}-key", parent=self, tags=self.tags,
                                   description=f"pulumi-aiops vector store {self.store_name}: {what}")
            self.kms_key_arn = self.kms_key.arn
        return self.kms_key_arn

    def _vpc_id(self, network: VectorStoreNetworkModel) -> pulumi.Input[str]:
        return checked(network.vpc_id, VPC_ID, f"{self._where}.network.vpcId")

    def _subnet_ids(self, network: VectorStoreNetworkModel) -> Any:
        return checked_list(network.subnet_ids, SUBNET_ID, f"{self._where}.network.subnetIds")

    def _client_sg(self, network: VectorStoreNetworkModel, port: int, what: str) -> aws.ec2.SecurityGroup:
        sg = aws.ec2.SecurityGroup(
            f"{self._name}-sg", vpc_id=self._vpc_id(network),
            description=f"pulumi-aiops {what} {self.store_name}: clients on {port}",
            tags={**self.tags, "Name": f"{self.store_name}-{what}"},
            opts=pulumi.ResourceOptions(parent=self))
        for i, client in enumerate(network.client_security_group_ids):
            # A known id names its rule (a reorder keeps every rule); an output has no value yet,
            # so its rule keeps its position (the referenced group is then updated in place).
            opts = pulumi.ResourceOptions(parent=self)
            if is_known(client):
                rule_name = f"{self._name}-sg-in-{short_hash(client)}"
                opts = pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(name=f"{self._name}-sg-in-{i}")])
            else:
                rule_name = f"{self._name}-sg-in-{i}"
            aws.vpc.SecurityGroupIngressRule(
                rule_name, security_group_id=sg.id, ip_protocol="tcp", from_port=port, to_port=port,
                referenced_security_group_id=checked(
                    client, SECURITY_GROUP_ID, f"{self._where}.network.clientSecurityGroupIds[{i}]"),
                description=f"clients of {self.store_name}", tags=self.tags, opts=opts)
        return sg

    def _opensearch(self, network: VectorStoreNetworkModel, env: Environment) -> None:
        os_cfg = self.config.opensearch
        assert os_cfg is not None
        coll = self.store_name
        child = pulumi.ResourceOptions(parent=self)
        key_arn = self._key("OpenSearch Serverless collection encryption")
        sg = self._client_sg(network, 443, "aoss")
        # The deployer creates the index through this endpoint (see AossIndex): admit it too.
        self.deployer_rules = admit_deployer(
            f"{self._name}-sg", sg.id, self.config.deployer_access, where=f"{self._where}.deployerAccess",
            what=f"the OpenSearch Serverless endpoint of {coll}", tags=self.tags, opts=child)
        self.vpc_endpoint = aws.opensearch.ServerlessVpcEndpoint(
            f"{self._name}-vpce", name=_aoss_name(coll, "vpce"), vpc_id=self._vpc_id(network),
            subnet_ids=self._subnet_ids(network), security_group_ids=[sg.id], opts=child)
        encryption = aws.opensearch.ServerlessSecurityPolicy(
            f"{self._name}-encryption", name=_aoss_name(coll, "enc"), type="encryption",
            description=f"CMK encryption of {coll}",
            policy=key_arn.apply(lambda arn: json.dumps({
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
            policy=self._data_access_policy(
                [checked(p, IAM_ROLE_OR_USER, f"{self._where}.opensearch.adminPrincipals[{i}]")
                 for i, p in enumerate(os_cfg.admin_principals)], write=True), opts=child)
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
            opts=stateful(self, depends_on=[admin, self.collection, *self.deployer_rules]))
        self.endpoint = self.collection.collection_endpoint

    def _aurora(self, network: VectorStoreNetworkModel) -> None:
        au = self.config.aurora
        assert au is not None
        child = pulumi.ResourceOptions(parent=self)
        key_arn = self._key("Aurora storage and master secret encryption")
        sg = self._client_sg(network, 5432, "aurora")
        subnets = aws.rds.SubnetGroup(
            f"{self._name}-subnets", subnet_ids=self._subnet_ids(network),
            description=f"private subnets of {self.store_name}", tags=self.tags, opts=child)
        # Statement logging (cluster parameter group, exported to CloudWatch), enhanced monitoring
        # and Performance Insights with the cluster's key: Aurora audit and monitoring, always on.
        major = au.engine_version.split(".", 1)[0]
        self.parameter_group = aws.rds.ClusterParameterGroup(
            f"{self._name}-params", family=f"aurora-postgresql{major}",
            description=f"pulumi-aiops vector store {self.store_name}: statement logging",
            parameters=[{"name": "log_statement", "value": au.log_statement.value}],
            tags=self.tags, opts=child)
        self.monitoring_role = aws.iam.Role(
            f"{self._name}-monitoring", assume_role_policy=service_trust("monitoring.rds.amazonaws.com"),
            description=f"RDS enhanced monitoring of {self.store_name}", tags=self.tags, opts=child)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        monitoring = aws.iam.RolePolicyAttachment(
            f"{self._name}-monitoring", role=self.monitoring_role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
            opts=child)
        self.db_cluster = aws.rds.Cluster(
            f"{self._name}-aurora",
            engine="aurora-postgresql", engine_mode="provisioned", engine_version=au.engine_version,
            database_name=au.database_name, master_username="vectoradmin",
            manage_master_user_password=True, master_user_secret_kms_key_id=key_arn,
            storage_encrypted=True, kms_key_id=key_arn,
            deletion_protection=True, iam_database_authentication_enabled=True,
            enable_http_endpoint=True,
            serverlessv2_scaling_configuration={"min_capacity": au.min_capacity,
                                                "max_capacity": au.max_capacity},
            backup_retention_period=au.backup_retention_days,
            preferred_backup_window="03:00-04:00", copy_tags_to_snapshot=True,
            skip_final_snapshot=False, final_snapshot_identifier=f"{self.store_name}-final",
            db_subnet_group_name=subnets.name, vpc_security_group_ids=[sg.id],
            enabled_cloudwatch_logs_exports=["postgresql"],
            db_cluster_parameter_group_name=self.parameter_group.name,
            tags=self.tags, opts=stateful(self))
        self.db_instance = aws.rds.ClusterInstance(
            f"{self._name}-writer", cluster_identifier=self.db_cluster.id,
            instance_class="db.serverless", engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            engine_version=self.db_cluster.engine_version, publicly_accessible=False,
            db_subnet_group_name=subnets.name,
            monitoring_interval=ENHANCED_MONITORING_SECONDS, monitoring_role_arn=self.monitoring_role.arn,
            performance_insights_enabled=True, performance_insights_kms_key_id=key_arn,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS,
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[monitoring]))
        secret_arn: pulumi.Output[str] = self.db_cluster.master_user_secrets.apply(
            lambda s: str(s[0].secret_arn) if s else "")
        self.credentials_secret_arn = secret_arn
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.schema = PgvectorSchema(
            f"{self._name}-schema", resource_arn=self.db_cluster.arn, secret_arn=secret_arn,
            database=au.database_name, table=au.table_name, dimensions=self.config.dimensions,
            region=region, opts=stateful(self, depends_on=[self.db_instance]))
        self.endpoint = self.db_cluster.endpoint

    def _qdrant(self, given: GpuCluster | GpuClusterRef) -> None:
        import pulumi_kubernetes as k8s
        import pulumi_random as random

        from pulumi_aiops import network_policy as netpol

        q = self.config.qdrant
        assert q is not None
        cluster = resolve_cluster(given, self, self._name)  # a ref gets its own provider
        release = f"qdrant-{self.store_name}"
        ns = q.namespace
        labels = {"app.kubernetes.io/part-of": "pulumi-aiops", "vector-store": self.store_name}
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-ns", metadata={"name": ns, "labels": labels},
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider,
                                        depends_on=cluster.depends_on or None))
        # Deny by default; Qdrant answers its own namespace and the namespaces labelled for it.
        ns_name = namespace.metadata.name
        np_opts = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        self.client_namespace_labels = {qdrant_client_label(self.store_name): "client"}
        selector = {"app.kubernetes.io/name": QDRANT_CHART, "app.kubernetes.io/instance": release}
        self.network_policies = [
            netpol.default_deny(f"{self._name}-ns", ns_name, opts=np_opts),
            netpol.allow_dns(f"{self._name}-ns", ns_name, opts=np_opts),
            netpol.allow(
                f"{self._name}-allow-clients", ns_name, "allow-qdrant-clients", pod_labels=selector,
                ingress=[
                    # Peers (p2p 6335) and clients in the namespace.
                    {"from": [netpol.same_namespace()]},
                    # REST 6333 and gRPC 6334 from the namespaces labelled as its clients.
                    {"from": [netpol.namespaces_labelled(self.client_namespace_labels)],
                     "ports": netpol.tcp(QDRANT_HTTP_PORT, QDRANT_GRPC_PORT)},
                ],
                # Peers only: no internet (telemetry stays off the wire), no other namespace.
                egress=[{"to": [netpol.same_namespace()]}],
                opts=np_opts),
        ]
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
        self.endpoint = pulumi.Output.from_input(f"http://{release}.{ns}.svc.cluster.local:{QDRANT_HTTP_PORT}")
