"""VectorStore: the three backends and the one interface."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from data_helpers import DEPLOYER, TAGS, ContractCluster, parliament_errors

from pulumi_aiops.errors import AiopsError
from pulumi_aiops.testing import ResourceGraph, is_secret, run_program, unwrap_secret
from pulumi_aiops.vector_store import QDRANT_REPO, VectorStore

NET = {"vpc_id": "vpc-0abc", "subnet_ids": ["subnet-a", "subnet-b"],
       "client_security_group_ids": ["sg-0e5c"]}
AOSS = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ACCESS = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    def program() -> None:
        kb_role = aws.iam.Role("kb-role", assume_role_policy="{}")
        app_role = aws.iam.Role("app-role", assume_role_policy="{}")
        os_store = VectorStore("docs", {"backend": "opensearch-serverless", "dimensions": 1024,
                                        "opensearch": {"admin_principals": [DEPLOYER]},
                                        "network": NET, "environment": "prod", "tags": TAGS})
        pg = VectorStore("pgkb", {"backend": "aurora-pgvector", "dimensions": 768,
                                  "network": NET, "tags": TAGS})
        qd = VectorStore("qdr", {"backend": "qdrant",
                                 "qdrant": {"replicas": 3, "storage_size": "50Gi"},
                                 "cluster": ContractCluster("cw"), "tags": TAGS})
        os_store.grant_write(kb_role)
        os_store.grant_read(app_role)
        pg.grant_read(app_role)
        os_cfg = os_store.bedrock_storage_configuration()
        pg_cfg = pg.bedrock_storage_configuration()
        pulumi.export("os", os_cfg)
        pulumi.export("pg", pg_cfg)
        # Stand-ins for a knowledge base: consumers of the storage configuration.
        aws.ssm.Parameter("kb-os", type="String",
                          value=os_cfg["opensearch_serverless_configuration"]["vector_index_name"])
        aws.ssm.Parameter("kb-pg", type="String", value=pg_cfg["rds_configuration"]["table_name"])
        pulumi.export("endpoints", {"os": os_store.endpoint, "pg": pg.endpoint, "qd": qd.endpoint})
        pulumi.export("pgSecret", pg.credentials_secret_arn)

    return run_program(program, {"aws:region": "us-east-1"})


def _policy(graph: ResourceGraph, type_: str, name: str) -> Any:
    return json.loads(graph.named(name, type_).inputs["policy"])


# -- OpenSearch Serverless --------------------------------------------------------------------
def test_aoss_encryption_policy_uses_the_cmk(graph: ResourceGraph) -> None:
    enc = graph.named("docs-encryption", AOSS)
    assert enc.inputs["type"] == "encryption"
    doc = json.loads(enc.inputs["policy"])
    assert doc["AWSOwnedKey"] is False
    assert doc["KmsARN"] == graph.named("docs-key", "aws:kms/key:Key").outputs["arn"]
    assert doc["Rules"] == [{"ResourceType": "collection", "Resource": ["collection/docs"]}]


def test_aoss_network_policy_is_private_through_the_vpce(graph: ResourceGraph) -> None:
    net = graph.named("docs-network", AOSS)
    assert net.inputs["type"] == "network"
    vpce = graph.one("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    assert vpce.inputs["vpcId"] == "vpc-0abc"
    for rule in json.loads(net.inputs["policy"]):
        assert rule["AllowFromPublic"] is False
        assert rule["SourceVPCEs"] == [vpce.outputs["id"]]
        assert rule.get("SourceServices", []) == ["bedrock.amazonaws.com"]


def test_aoss_endpoint_security_group_admits_only_clients(graph: ResourceGraph) -> None:
    vpce = graph.one("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    sg = graph.named("docs-sg", "aws:ec2/securityGroup:SecurityGroup")
    assert vpce.inputs["securityGroupIds"] == [sg.outputs["id"]]
    [rule] = [r for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
              if r.name.startswith("docs-")]
    assert rule.inputs["referencedSecurityGroupId"] == "sg-0e5c"
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (443, 443)
    assert "cidrIpv4" not in rule.inputs


def test_aoss_data_access_names_only_given_principals(graph: ResourceGraph) -> None:
    principals = set()
    for r in graph.of_type(ACCESS):
        assert r.inputs["type"] == "data"
        for rule in json.loads(r.inputs["policy"]):
            assert all("*" not in p for p in rule["Principal"])
            principals.update(rule["Principal"])
    roles = {graph.named(n, "aws:iam/role:Role").outputs["arn"] for n in ("kb-role", "app-role")}
    assert principals == {DEPLOYER, *roles}


def test_aoss_read_grant_is_read_only(graph: ResourceGraph) -> None:
    [read] = [r for r in graph.of_type(ACCESS) if r.name.startswith("docs-read-app-role")]
    perms = {p for rule in json.loads(read.inputs["policy"])[0]["Rules"] for p in rule["Permission"]}
    assert perms == {"aoss:DescribeCollectionItems", "aoss:DescribeIndex", "aoss:ReadDocument"}
    assert len(read.inputs["name"]) <= 32


def test_collection_is_vectorsearch_with_standby_in_prod(graph: ResourceGraph) -> None:
    coll = graph.one("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert coll.inputs["type"] == "VECTORSEARCH"
    assert coll.inputs["standbyReplicas"] == "ENABLED"
    assert coll.protect and coll.retain_on_delete
    deps = set(coll.depends_on)
    assert {graph.named("docs-encryption", AOSS).urn, graph.named("docs-network", AOSS).urn} <= deps


def test_aoss_index_is_faiss_and_waits_for_access(graph: ResourceGraph) -> None:
    idx = graph.one("pulumi-python:dynamic/aiops:AossIndex")
    coll = graph.one("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert idx.inputs["endpoint"] == coll.outputs["collectionEndpoint"]
    assert idx.inputs["dimensions"] == 1024 and idx.inputs["region"] == "us-east-1"
    assert graph.named("docs-admin-access", ACCESS).urn in idx.depends_on
    assert idx.protect and idx.retain_on_delete


def test_aoss_iam_grant(graph: ResourceGraph) -> None:
    doc = _policy(graph, "aws:iam/rolePolicy:RolePolicy", "docs-write-kb-role")
    coll = graph.one("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert doc["Statement"] == [{"Sid": "AossApiAccess", "Effect": "Allow",
                                 "Action": "aoss:APIAccessAll", "Resource": coll.outputs["arn"]}]


def test_bedrock_storage_configurations(graph: ResourceGraph) -> None:
    os_cfg = graph.stack_outputs["os"]
    assert os_cfg["type"] == "OPENSEARCH_SERVERLESS"
    inner = os_cfg["opensearch_serverless_configuration"]
    assert inner["collection_arn"] == graph.one(
        "aws:opensearch/serverlessCollection:ServerlessCollection").outputs["arn"]
    assert inner["vector_index_name"] == "bedrock-kb-index"
    pg_cfg = graph.stack_outputs["pg"]
    assert pg_cfg["type"] == "RDS"
    rds = pg_cfg["rds_configuration"]
    cluster = graph.one("aws:rds/cluster:Cluster")
    assert rds["resource_arn"] == cluster.outputs["arn"]
    assert rds["credentials_secret_arn"] == cluster.outputs["masterUserSecrets"][0]["secretArn"]
    assert rds["table_name"] == "bedrock_integration.bedrock_kb"

    assert rds["field_mapping"]["vector_field"] == "embedding"


def test_knowledge_bases_wait_for_the_index_and_the_table(graph: ResourceGraph) -> None:
    index = graph.one("pulumi-python:dynamic/aiops:AossIndex").urn
    schema = graph.one("pulumi-python:dynamic/aiops:PgvectorSchema").urn
    assert index in graph.named("kb-os", "aws:ssm/parameter:Parameter").depends_on
    assert schema in graph.named("kb-pg", "aws:ssm/parameter:Parameter").depends_on


# -- Aurora pgvector --------------------------------------------------------------------------
def test_aurora_is_encrypted_protected_and_iam_authenticated(graph: ResourceGraph) -> None:
    c = graph.one("aws:rds/cluster:Cluster").inputs
    key = graph.named("pgkb-key", "aws:kms/key:Key").outputs["arn"]
    assert c["engine"] == "aurora-postgresql" and c["engineMode"] == "provisioned"
    assert c["storageEncrypted"] is True and c["kmsKeyId"] == key
    assert c["deletionProtection"] is True
    assert c["iamDatabaseAuthenticationEnabled"] is True
    assert c["manageMasterUserPassword"] is True and c["masterUserSecretKmsKeyId"] == key
    assert "masterPassword" not in c
    assert c["enableHttpEndpoint"] is True
    assert c["skipFinalSnapshot"] is False and c["backupRetentionPeriod"] == 7
    assert c["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 4}
    cluster = graph.one("aws:rds/cluster:Cluster")
    assert cluster.protect and cluster.retain_on_delete


def test_aurora_writer_is_serverless_and_private(graph: ResourceGraph) -> None:
    inst = graph.one("aws:rds/clusterInstance:ClusterInstance").inputs
    assert inst["instanceClass"] == "db.serverless"
    assert inst["publiclyAccessible"] is False
    subnets = graph.one("aws:rds/subnetGroup:SubnetGroup").inputs
    assert subnets["subnetIds"] == ["subnet-a", "subnet-b"]


def test_pgvector_schema_runs_after_the_writer(graph: ResourceGraph) -> None:
    schema = graph.one("pulumi-python:dynamic/aiops:PgvectorSchema")
    cluster = graph.one("aws:rds/cluster:Cluster")
    assert schema.inputs["resource_arn"] == cluster.outputs["arn"]
    assert schema.inputs["secret_arn"] == graph.stack_outputs["pgSecret"]
    assert schema.inputs["dimensions"] == 768
    assert graph.one("aws:rds/clusterInstance:ClusterInstance").urn in schema.depends_on
    assert schema.protect and schema.retain_on_delete


def test_aurora_grant_reads_secret_and_decrypts(graph: ResourceGraph) -> None:
    doc = _policy(graph, "aws:iam/rolePolicy:RolePolicy", "pgkb-read-app-role")
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ReadMasterSecret"]["Resource"] == graph.stack_outputs["pgSecret"]
    assert by_sid["DecryptSecret"]["Resource"] == graph.named("pgkb-key", "aws:kms/key:Key").outputs["arn"]
    assert "rds-data:ExecuteStatement" in by_sid["DataApi"]["Action"]


# -- Qdrant -----------------------------------------------------------------------------------
def test_qdrant_release_is_private_and_uses_the_secret(graph: ResourceGraph) -> None:
    rel = graph.one("kubernetes:helm.sh/v3:Release")
    v = rel.inputs["values"]
    assert rel.inputs["chart"] == "qdrant" and rel.inputs["repositoryOpts"]["repo"] == QDRANT_REPO
    assert v["service"]["type"] == "ClusterIP"
    assert v["ingress"]["enabled"] is False
    secret = graph.one("kubernetes:core/v1:Secret")
    name = secret.inputs["metadata"]["name"]
    assert v["apiKey"] == {"valueFrom": {"secretKeyRef": {"name": name, "key": "api-key"}}}
    assert v["readOnlyApiKey"]["valueFrom"]["secretKeyRef"] == {"name": name, "key": "read-only-api-key"}
    assert v["persistence"]["size"] == "50Gi"
    assert secret.urn in rel.depends_on


def test_qdrant_secret_holds_random_keys(graph: ResourceGraph) -> None:
    secret = graph.one("kubernetes:core/v1:Secret")
    wrapped = secret.inputs["stringData"]
    # The keys travel as a Pulumi secret.
    assert is_secret(wrapped)
    data = unwrap_secret(wrapped)
    passwords = {r.name: r.outputs["result"]
                 for r in graph.of_type("random:index/randomPassword:RandomPassword")}
    assert data["api-key"] == passwords["qdr-api-key"]
    assert data["read-only-api-key"] == passwords["qdr-read-only-api-key"]
    assert len(data["api-key"]) == 48 and data["api-key"] != data["read-only-api-key"]


def test_qdrant_pdb_keeps_a_quorum(graph: ResourceGraph) -> None:
    pdb = graph.one("kubernetes:policy/v1:PodDisruptionBudget").inputs
    assert pdb["spec"]["minAvailable"] == 2
    assert pdb["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant-qdr"}


def test_qdrant_runs_on_the_given_cluster_provider(graph: ResourceGraph) -> None:
    provider = graph.one("pulumi:providers:kubernetes").urn
    for t in ("kubernetes:helm.sh/v3:Release", "kubernetes:core/v1:Secret",
              "kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:core/v1:Namespace"):
        assert graph.one(t).provider == provider, t
    assert not [r for r in graph if r.inputs.get("spec", {}).get("type") == "LoadBalancer"]


def test_endpoints(graph: ResourceGraph) -> None:
    eps = graph.stack_outputs["endpoints"]
    assert eps["os"].startswith("https://") and eps["os"].endswith(".aoss.amazonaws.com")
    assert ".rds.amazonaws.com" in eps["pg"]
    assert eps["qd"] == "http://qdrant-qdr.qdrant.svc.cluster.local:6333"


def test_qdrant_has_no_iam_grant_or_bedrock_config() -> None:
    def program() -> None:
        qd = VectorStore("qdr", {"backend": "qdrant", "qdrant": {},
                                 "cluster": ContractCluster("cw")})
        with pytest.raises(AiopsError, match="API keys"):
            qd.grant_read(aws.iam.Role("r", assume_role_policy="{}"))
        with pytest.raises(AiopsError, match="cannot use the qdrant backend"):
            qd.bedrock_storage_configuration()
        assert not qd.supports_bedrock

    graph = run_program(program, {"aws:region": "us-east-1"})
    assert graph.one("kubernetes:policy/v1:PodDisruptionBudget").inputs["spec"]["maxUnavailable"] == 1


def test_dev_collection_has_no_standby() -> None:
    def program() -> None:
        VectorStore("docs", {"backend": "opensearch-serverless",
                             "opensearch": {"admin_principals": [DEPLOYER]}, "network": NET})

    graph = run_program(program, {"aws:region": "us-east-1"})
    coll = graph.one("aws:opensearch/serverlessCollection:ServerlessCollection")
    assert coll.inputs["standbyReplicas"] == "DISABLED"


# -- IAM --------------------------------------------------------------------------------------
def test_every_iam_document_passes_parliament(graph: ResourceGraph) -> None:
    policies = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    assert len(policies) == 3
    for r in policies:
        assert not parliament_errors(json.loads(r.inputs["policy"])), r.name


def _ints(value: Any) -> Any:
    """Recorded numbers are floats (as policies see them); manifests want integers."""
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_qdrant_manifests_validate_against_kubernetes_1_31(graph: ResourceGraph) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for t in ("kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:core/v1:Namespace"):
        doc = _ints(graph.one(t).inputs)
        kubernetes_validate.validate(doc, "1.31.0", strict=True)
    secret = _ints(graph.one("kubernetes:core/v1:Secret").inputs)
    secret["stringData"] = secret["stringData"]["value"]  # unwrap the Pulumi secret
    kubernetes_validate.validate(secret, "1.31.0", strict=True)


def test_longest_store_name_fits_aoss_name_limits() -> None:
    name = "k" + "b" * 27  # 28 characters, the longest the config allows

    def program() -> None:
        VectorStore(name, {"backend": "opensearch-serverless", "network": NET,
                           "opensearch": {"admin_principals": [DEPLOYER]}}).grant_read(
            aws.iam.Role("role-with-a-long-logical-name", assume_role_policy="{}"))

    graph = run_program(program, {"aws:region": "us-east-1"})
    names = [r.inputs["name"] for r in graph if r.type.startswith("aws:opensearch/")]
    assert len(names) == 6 and len(set(names)) == 6
    assert all(3 <= len(n) <= 32 and n == n.lower() for n in names), names


def test_client_rules_are_named_by_their_security_group() -> None:
    """A known client security group names its ingress rule (the 0.1.0 name by position stays an
    alias), so reordering the list keeps every rule with its group."""
    def program(sgs: list[str]) -> None:
        VectorStore("docs", {"backend": "aurora-pgvector",
                             "network": {**NET, "client_security_group_ids": sgs}})

    rule_type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    runs = [run_program(lambda s=s: program(s), {"aws:region": "us-east-1"})  # type: ignore[misc]
            for s in (["sg-0a1", "sg-0b2"], ["sg-0b2", "sg-0a1"])]
    named = [{r.urn: r.inputs["referencedSecurityGroupId"] for r in g.of_type(rule_type)} for g in runs]
    assert named[0] == named[1] and len(named[0]) == 2
    first = runs[0]
    for i, r in enumerate(sorted(first.of_type(rule_type), key=lambda r: ["sg-0a1", "sg-0b2"].index(
            r.inputs["referencedSecurityGroupId"]))):
        assert r.name != f"docs-sg-in-{i}"
        assert any(u.endswith(f"::docs-sg-in-{i}") for u in first.alias_urns(r))


def test_qdrant_on_a_cluster_of_another_program() -> None:
    """A GpuClusterRef (e.g. from a stack reference) works like a cluster object: the store
    builds its own Kubernetes provider on the ref's kubeconfig, kept secret."""
    from pulumi_aiops.contract import GpuClusterRef

    kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"

    def program() -> None:
        ref = GpuClusterRef.of_platform_cluster("coreweave", "cw-prod", pulumi.Output.secret(kubeconfig))
        VectorStore("qdr", {"backend": "qdrant", "qdrant": {}, "cluster": ref})

    graph = run_program(program, {"aws:region": "us-east-1"})
    provider = graph.one("pulumi:providers:kubernetes")
    assert provider.name == "qdr-k8s" and provider.parent == graph.one("aiops:index:VectorStore").urn
    assert is_secret(provider.inputs["kubeconfig"]) and unwrap_secret(provider.inputs["kubeconfig"]) == kubeconfig
    for t in ("kubernetes:helm.sh/v3:Release", "kubernetes:core/v1:Secret", "kubernetes:core/v1:Namespace"):
        assert graph.one(t).provider == provider.urn, t


# -- Aurora: statement logging, enhanced monitoring, Performance Insights (issue 9) ----------
def test_aurora_logs_ddl_statements_through_its_own_parameter_group(graph: ResourceGraph) -> None:
    pg = graph.one("aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert pg.inputs["family"] == "aurora-postgresql16"  # the engine's major (16.6 by default)
    assert pg.inputs["parameters"] == [{"name": "log_statement", "value": "ddl"}]
    cluster = graph.one("aws:rds/cluster:Cluster")
    assert cluster.inputs["dbClusterParameterGroupName"] == pg.outputs["name"]
    assert pg.urn in cluster.property_dependencies["dbClusterParameterGroupName"]
    assert cluster.inputs["enabledCloudwatchLogsExports"] == ["postgresql"]


def test_aurora_writer_has_enhanced_monitoring_and_insights_with_the_cluster_key(graph: ResourceGraph) -> None:
    writer = graph.one("aws:rds/clusterInstance:ClusterInstance")
    role = graph.named("pgkb-monitoring", "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]
    att = graph.named("pgkb-monitoring", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert att.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    assert att.inputs["role"] == role.outputs["name"]
    w = writer.inputs
    assert w["monitoringInterval"] == 60 and w["monitoringRoleArn"] == role.outputs["arn"]
    # The role's policy is attached before RDS is told to use it.
    assert att.urn in writer.depends_on
    key = graph.named("pgkb-key", "aws:kms/key:Key").outputs["arn"]
    assert w["performanceInsightsEnabled"] is True
    assert w["performanceInsightsKmsKeyId"] == key == graph.one("aws:rds/cluster:Cluster").inputs["kmsKeyId"]
    assert w["performanceInsightsRetentionPeriod"] == 7


def test_aurora_statement_logging_level_is_configurable() -> None:
    def program() -> None:
        VectorStore("pgall", {"backend": "aurora-pgvector", "network": NET, "tags": TAGS,
                              "aurora": {"engine_version": "15.7", "log_statement": "mod"}})

    g = run_program(program, {"aws:region": "us-east-1"})
    pg = g.one("aws:rds/clusterParameterGroup:ClusterParameterGroup").inputs
    assert pg["family"] == "aurora-postgresql15"
    assert pg["parameters"] == [{"name": "log_statement", "value": "mod"}]


def test_aurora_statement_logging_refuses_none() -> None:
    with pytest.raises(Exception, match=r"VectorStore\('pgx'\)\.aurora\.logStatement: 'none'"):
        run_program(lambda: VectorStore("pgx", {"backend": "aurora-pgvector", "network": NET,
                                                "aurora": {"log_statement": "none"}}),
                    {"aws:region": "us-east-1"})


def test_aurora_with_a_brought_key_encrypts_insights_with_that_key() -> None:
    brought = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"

    def program() -> None:
        VectorStore("pgbyo", {"backend": "aurora-pgvector", "network": NET, "tags": TAGS,
                              "kms_key_arn": brought})

    g = run_program(program, {"aws:region": "us-east-1"})
    assert g.one("aws:rds/clusterInstance:ClusterInstance").inputs["performanceInsightsKmsKeyId"] == brought
    assert g.one("aws:rds/cluster:Cluster").inputs["kmsKeyId"] == brought


def test_the_aurora_rules_pass_on_the_store_and_are_mandatory(graph: ResourceGraph) -> None:
    """The three Aurora rules of the packs, in process, over this graph: no finding; and they
    are served at the mandatory level (their rule fixtures show each one failing)."""
    from aiops_policies import PACKS
    from pulumi_aiops.testing.policy import evaluate_in_process

    rules = {"rds-enhanced-monitoring", "rds-performance-insights-cmk", "rds-aurora-statement-logging"}
    report = evaluate_in_process(graph, packs=["aiops-all"], stack_config={"aws:region": "us-east-1"})
    assert not [d for d in report.diagnostics if d.policy in rules]
    assert {PACKS["aiops-all"].level_of(r) for r in rules} == {"mandatory"}


# -- Qdrant: NetworkPolicies (issue 9) -----------------------------------------------------------
def _policies(graph: ResourceGraph) -> dict[str, Any]:
    return {r.inputs["metadata"]["name"]: r for r in graph.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")}


def test_qdrant_namespace_denies_by_default(graph: ResourceGraph) -> None:
    pols = _policies(graph)
    ns = graph.one("kubernetes:core/v1:Namespace")
    deny = pols["default-deny"]
    assert deny.inputs["metadata"]["namespace"] == "qdrant"
    assert deny.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    # Tied to the namespace resource (created after it, and the rule sees which it covers).
    assert ns.urn in deny.property_dependencies["metadata"]
    provider = graph.one("pulumi:providers:kubernetes").urn
    assert all(p.provider == provider for p in pols.values())
    dns = pols["allow-dns"].inputs["spec"]
    assert dns == {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [
        {"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}


def test_qdrant_is_reachable_only_from_its_namespace_and_labelled_clients(graph: ResourceGraph) -> None:
    spec = _policies(graph)["allow-qdrant-clients"].inputs["spec"]
    assert spec["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "qdrant",
                                                   "app.kubernetes.io/instance": "qdrant-qdr"}}
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["ingress"] == [
        {"from": [{"podSelector": {}}]},
        {"from": [{"namespaceSelector": {"matchLabels": {"aiops.io/qdrant-qdr": "client"}}}],
         "ports": [{"protocol": "TCP", "port": 6333}, {"protocol": "TCP", "port": 6334}]},
    ]
    # Out: its peers only (no internet, no other namespace).
    assert spec["egress"] == [{"to": [{"podSelector": {}}]}]


def test_qdrant_client_label_is_exported_as_an_attribute() -> None:
    holder: dict[str, Any] = {}

    def program() -> None:
        holder["store"] = VectorStore("docsq", {"backend": "qdrant", "qdrant": {}, "cluster": ContractCluster("c2")})

    run_program(program, {"aws:region": "us-east-1"})
    assert holder["store"].client_namespace_labels == {"aiops.io/qdrant-docsq": "client"}


def test_qdrant_network_policies_validate_and_satisfy_the_rule(graph: ResourceGraph) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for p in _policies(graph).values():
        doc = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", **_ints(p.inputs)}
        kubernetes_validate.validate(doc, "1.31.0", strict=True)
    from pulumi_aiops.testing.policy import evaluate_in_process

    report = evaluate_in_process(graph, packs=["aiops-all"], stack_config={"aws:region": "us-east-1"})
    assert not [d for d in report.diagnostics if d.policy == "k8s-namespace-default-deny"]
