"""The rules for what an independent scanner (Checkov) found in the shipped stacks (issue 9),
checked on a product team's own program written with plain ``pulumi_aws`` and
``pulumi_kubernetes`` (not pulumi-aiops components), run under mocks and through the
``aiops-all`` pack launched as the Pulumi CLI launches it.

The program is written twice: as teams often write it (every new rule reports it, at the
advisory level while the rule is in ``PENDING_MANDATORY``), and fixed (none reports it). The
fixed version uses the SDKs' real argument names, so a rule that reads a property under the
wrong name fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_helpers import rule_library

from pulumi_aiops.testing import RecordingMocks, run_program
from pulumi_aiops.testing.policy import Diagnostic, evaluate_graph, fixture_inputs

LIB = rule_library()
NEW_RULES = {"vpc-flow-logs", "kms-key-explicit-policy", "rds-enhanced-monitoring",
             "rds-performance-insights-cmk", "rds-aurora-statement-logging",
             "s3-versioning-configuration-enabled", "k8s-image-digest-pinned",
             "k8s-namespace-default-deny"}
CFG = {"aws:region": "us-east-1"}
TAGS = {"owner": "search", "cost-center": "cc-7", "data-classification": "internal"}
#: A made-up digest: the rules check the shape of the reference, not the registry.
DIGEST = "sha256:" + "3" * 64
ACCOUNT = "123456789012"


def _key_policy() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}]})


def team_program(fixed: bool, insights_key: str = "cluster") -> None:
    import pulumi
    import pulumi_aws as aws
    import pulumi_kubernetes as k8s

    vpc = aws.ec2.Vpc("search-vpc", cidr_block="10.20.0.0/16", tags=TAGS)
    subnets = [aws.ec2.Subnet(f"search-{az}", vpc_id=vpc.id, cidr_block=cidr,
                              availability_zone=f"us-east-1{az}", tags=TAGS)
               for az, cidr in (("a", "10.20.1.0/24"), ("b", "10.20.2.0/24"))]
    key = aws.kms.Key("search-key", enable_key_rotation=True, deletion_window_in_days=30,
                      policy=_key_policy() if fixed else None, tags=TAGS)
    bucket = aws.s3.BucketV2("search-docs", tags=TAGS)
    aws.s3.BucketVersioningV2("search-docs-versioning", bucket=bucket.id,
                              versioning_configuration={
                                  "status": "Enabled" if fixed else "Suspended"})
    if fixed:
        logs = aws.cloudwatch.LogGroup("search-flow-logs", retention_in_days=365,
                                       kms_key_id=key.arn, tags=TAGS)
        role = aws.iam.Role("search-flow-logs-role", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}), tags=TAGS)
        aws.ec2.FlowLog("search-vpc-flow-log", vpc_id=vpc.id, traffic_type="ALL",
                        log_destination=logs.arn, iam_role_arn=role.arn, tags=TAGS)
    params = None
    if fixed:
        params = aws.rds.ClusterParameterGroup(
            "search-pg", family="aurora-postgresql16", tags=TAGS,
            parameters=[{"name": "log_statement", "value": "ddl"},
                        {"name": "log_min_duration_statement", "value": "1000"}])
    subnet_group = aws.rds.SubnetGroup("search-db", subnet_ids=[s.id for s in subnets],
                                       tags=TAGS)
    cluster = aws.rds.Cluster(
        "search-db", engine="aurora-postgresql", engine_version="16.4",
        db_subnet_group_name=subnet_group.name, storage_encrypted=True, kms_key_id=key.arn,
        deletion_protection=True, iam_database_authentication_enabled=True,
        manage_master_user_password=True, master_username="search",
        serverlessv2_scaling_configuration={"min_capacity": 0.5, "max_capacity": 4},
        db_cluster_parameter_group_name=params.name if params is not None else None,
        enabled_cloudwatch_logs_exports=["postgresql"] if fixed else None, tags=TAGS)
    monitoring: dict[str, Any] = {}
    if fixed:
        mon_role = aws.iam.Role("search-db-monitoring", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}), tags=TAGS)
        pi_key = key if insights_key == "cluster" else aws.kms.Key(
            "search-insights-key", enable_key_rotation=True, policy=_key_policy(), tags=TAGS)
        monitoring = {"monitoring_interval": 15, "monitoring_role_arn": mon_role.arn,
                      "performance_insights_enabled": True,
                      "performance_insights_kms_key_id": pi_key.arn}
    aws.rds.ClusterInstance("search-db-writer", cluster_identifier=cluster.id,
                            instance_class="db.serverless", engine="aurora-postgresql",
                            publicly_accessible=False, tags=TAGS, **monitoring)

    ns = k8s.core.v1.Namespace("search", metadata={"name": "search"})
    if fixed:
        k8s.networking.v1.NetworkPolicy(
            "search-default-deny",
            metadata={"name": "default-deny", "namespace": ns.metadata["name"]},
            spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]})
    image = "public.ecr.aws/docker/library/nginx:1.27.2" + (f"@{DIGEST}" if fixed else "")
    k8s.apps.v1.Deployment(
        "search-api",
        metadata={"name": "search-api", "namespace": ns.metadata["name"]},
        spec={"selector": {"match_labels": {"app": "search-api"}}, "replicas": 2,
              "template": {"metadata": {"labels": {"app": "search-api"}}, "spec": {
                  "containers": [{"name": "api", "image": image}]}}})
    k8s.helm.v3.Release(
        "search-cache", chart="redis", namespace="search",
        repository_opts={"repo": "https://charts.bitnami.com/bitnami"}, version="20.6.0",
        values={"image": {"registry": "docker.io", "repository": "bitnami/redis",
                          "tag": "7.4.1", **({"digest": DIGEST} if fixed else {})}})
    pulumi.export("vpc", vpc.id)


class TeamMocks(RecordingMocks):
    """The AWS provider auto-names a cluster parameter group (logical name + suffix)."""

    OUTPUTS = {"aws:rds/clusterParameterGroup:ClusterParameterGroup":
               lambda m, a: {"name": a.inputs.get("name") or m.physical_name(a)}}


def _new_rule_findings(fixed: bool, **kw: Any) -> dict[str, list[Diagnostic]]:
    graph = run_program(lambda: team_program(fixed, **kw), CFG, mocks=TeamMocks())
    report = evaluate_graph(graph, packs=[LIB.AGGREGATE_PACK], stack_config=CFG)
    out: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        if d.policy in NEW_RULES:
            out.setdefault(d.policy, []).append(d)
    return out


needs_lib = pytest.mark.skipif(LIB is None, reason="aiops_policies is not importable")


@needs_lib
def test_the_new_rules_are_in_the_library_and_only_they_are_pending() -> None:
    assert set(LIB.RULES_BY_NAME) >= NEW_RULES
    # the lead removes names from PENDING_MANDATORY as the stacks comply; nothing else joins it
    assert set(LIB.PENDING_MANDATORY) <= NEW_RULES


@needs_lib
def test_a_team_program_as_often_written_is_reported_by_every_new_rule() -> None:
    found = _new_rule_findings(fixed=False)
    assert set(found) == NEW_RULES, f"not reported: {sorted(NEW_RULES - set(found))}"
    for name, diags in found.items():
        for d in diags:
            level = "advisory" if name in LIB.PENDING_MANDATORY else "mandatory"
            assert d.enforcement_level == level, (name, d)
            assert d.frameworks == LIB.RULES_BY_NAME[name].frameworks, name
    images = sorted(d.message.splitlines()[-1] for d in found["k8s-image-digest-pinned"])
    assert len(images) == 2, images  # the Deployment's container and the Helm values
    assert any("values.image" in m and "bitnami/redis:7.4.1" in m for m in images), images
    assert any("nginx:1.27.2" in m for m in images), images
    assert {d.resource_name for d in found["kms-key-explicit-policy"]} == {"search-key"}
    assert {d.resource_name for d in found["vpc-flow-logs"]} == {"search-vpc"}
    assert {d.resource_name for d in found["k8s-namespace-default-deny"]} == {"search"}
    assert {d.resource_name for d in found["s3-versioning-configuration-enabled"]} == {
        "search-docs-versioning"}


@needs_lib
def test_the_fixed_team_program_passes_every_new_rule() -> None:
    found = _new_rule_findings(fixed=True)
    assert not found, {k: [d.message.splitlines()[-1] for d in v] for k, v in found.items()}


@needs_lib
def test_performance_insights_with_another_key_than_the_clusters_is_reported() -> None:
    found = _new_rule_findings(fixed=True, insights_key="other")
    assert set(found) == {"rds-performance-insights-cmk"}
    [d] = found["rds-performance-insights-cmk"]
    assert d.resource_name == "search-db-writer" and "not the key of search-db" in d.message


@needs_lib
def test_split_out_s3_resources_are_reported_on_their_own(pack_pool: Any) -> None:
    """A weakening BucketVersioning, SSE configuration or public access block is reported by
    ``Analyze`` on that resource alone, with no bucket in sight (as a product team's program
    that configures a bucket created elsewhere)."""
    proc = pack_pool.get(LIB.AGGREGATE_PACK)
    proc.configure()
    cases = {
        "s3-versioning-configuration-enabled": (
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            {"bucket": "shared-raw", "versioningConfiguration": {"status": "Suspended"}}),
        "s3-sse-configuration-kms": (
            "aws:s3/bucketServerSideEncryptionConfigurationV2:"
            "BucketServerSideEncryptionConfigurationV2",
            {"bucket": "shared-raw", "rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}),
        "s3-public-access-block-settings": (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            {"bucket": "shared-raw", "blockPublicAcls": True, "blockPublicPolicy": False,
             "ignorePublicAcls": True, "restrictPublicBuckets": True}),
    }
    for rule, (type_, props) in cases.items():
        diags = [d for d in proc.analyze(type_, "companion", props) if d.policy == rule]
        assert len(diags) == 1, (rule, diags)
        assert diags[0].urn and diags[0].urn.endswith("::companion")


@needs_lib
def test_a_default_deny_policy_covers_only_its_own_cluster(pack_pool: Any) -> None:
    """Two clusters each have a namespace "chat"; the deny policy in one does not cover the
    namespace of the same name in the other."""
    proc = pack_pool.get(LIB.AGGREGATE_PACK)
    proc.configure()

    def provider(name: str) -> dict[str, Any]:
        return {"type": "pulumi:providers:kubernetes", "name": name, "properties": {},
                "urn": f"urn:pulumi:dev::aiops::pulumi:providers:kubernetes::{name}"}

    resources = [
        {"type": "kubernetes:core/v1:Namespace", "name": "eks-chat",
         "props": {"metadata": {"name": "chat"}}, "provider": provider("eks")},
        {"type": "kubernetes:core/v1:Namespace", "name": "cw-chat",
         "props": {"metadata": {"name": "chat"}}, "provider": provider("cw")},
        {"type": "kubernetes:networking.k8s.io/v1:NetworkPolicy", "name": "eks-chat-deny",
         "props": {"metadata": {"name": "deny", "namespace": "chat"},
                   "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
         "provider": provider("eks")},
    ]
    diags = [d for d in proc.analyze_stack(fixture_inputs(resources))
             if d.policy == "k8s-namespace-default-deny"]
    assert [d.resource_name for d in diags] == ["cw-chat"]


@needs_lib
@pytest.mark.parametrize(("values", "expected"), [
    ({"image": {"repository": "qdrant/qdrant", "tag": "v1.15.4"}},
     [("values.image", "qdrant/qdrant:v1.15.4", False)]),
    ({"image": {"tag": "v1.33.0"}}, [("values.image", "(chart default):v1.33.0", False)]),
    ({"image": {"repository": "qdrant/qdrant", "tag": "v1.15.4", "digest": DIGEST}},
     [("values.image", "qdrant/qdrant:v1.15.4", True)]),
    ({"image": {"repository": "qdrant/qdrant", "tag": "v1", "digest": "sha256:abc"}},
     [("values.image", "qdrant/qdrant:v1@sha256:abc", False)]),
    ({"controller": {"sidecarImage": f"busybox:1.36@{DIGEST}"}},
     [("values.controller.sidecarImage", f"busybox:1.36@{DIGEST}", True)]),
    ({"extra": [{"repository": "x/y", "tag": "1"}]}, [("values.extra[0]", "x/y:1", False)]),
    ({"imagePullPolicy": "IfNotPresent", "service": {"type": "ClusterIP"}}, []),
])
def test_helm_values_images(values: dict[str, Any], expected: list[Any]) -> None:
    from aiops_policies.rules_k8s import helm_value_images

    assert list(helm_value_images(values)) == expected
