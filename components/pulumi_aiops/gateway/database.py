"""LiteLLM's Postgres on Aurora PostgreSQL Serverless v2, for :class:`~pulumi_aiops.llm_gateway.LlmGateway`.

The same shape as the pgvector store's Aurora (:mod:`pulumi_aiops.vector_store`): its own
rotating customer-managed key (storage, Performance Insights), deletion protection, protected and
retained, private subnets, a security group that admits only the given client groups on 5432,
CloudWatch export of the PostgreSQL log; plus what the baseline's Aurora rules ask for: enhanced
monitoring (15 s, through a role only RDS monitoring can assume), Performance Insights with the
database's key, and a cluster parameter group that logs DDL (``log_statement = ddl``) and forces TLS.

One difference: the master password comes from pulumi-random (a secret in the state), not from
RDS-managed Secrets Manager rotation, because the gateway reads it from a Kubernetes Secret and a
rotated password would lock it out until the next ``pulumi up``. It is generated once and kept
(a re-render never changes it); rotate it by replacing ``<name>-db-password``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.aws.iam import service_trust
from pulumi_aiops.aws.kms import kms_key
from pulumi_aiops.config.base import is_known
from pulumi_aiops.config.gateway import GatewayAuroraSpec
from pulumi_aiops.data_lake import short_hash

__all__ = ["DB_PORT", "DB_USER", "AuroraDatabase", "aurora_database"]

DB_PORT = 5432
#: The database user LiteLLM connects as (the cluster's master user: LiteLLM's migrations create
#: and alter its tables).
DB_USER = "litellm"
_MONITORING_POLICY = "policy/service-role/AmazonRDSEnhancedMonitoringRole"


@dataclass
class AuroraDatabase:
    """What :func:`aurora_database` created, and how to reach it."""

    cluster: aws.rds.Cluster
    writer: aws.rds.ClusterInstance
    security_group: aws.ec2.SecurityGroup
    kms_key: aws.kms.Key
    password: pulumi.Output[str]
    host: pulumi.Output[str]
    vpc_cidrs: pulumi.Output[list[str]]
    database_name: str
    resources: list[pulumi.Resource]


def aurora_database(name: str, spec: GatewayAuroraSpec, *, parent: pulumi.Resource, vpc_id: pulumi.Input[str],
                    subnet_ids: Any, client_security_group_ids: Sequence[pulumi.Input[str]],
                    tags: dict[str, str]) -> AuroraDatabase:
    """An Aurora PostgreSQL Serverless v2 cluster and writer for LiteLLM under ``parent``."""
    import pulumi_random as random

    child = pulumi.ResourceOptions(parent=parent)
    stateful = pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True)
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    partition = aws.get_partition_output(opts=invoke).partition
    key = kms_key(f"{name}-db-key", parent=parent, tags=tags,
                  description=f"pulumi-aiops LLM gateway {name}: Aurora storage and Performance Insights")
    password = random.RandomPassword(
        f"{name}-db-password", length=40, special=False,
        # Generated once; nothing in the config changes it (a re-render keeps it).
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["result"]))
    sg = aws.ec2.SecurityGroup(
        f"{name}-db", vpc_id=vpc_id, description=f"pulumi-aiops LLM gateway {name}: Postgres from the gateway's nodes",
        tags={**tags, "Name": f"{name}-gateway-db"}, opts=child)
    for i, client in enumerate(client_security_group_ids):
        # A known id names its rule (reordering keeps every rule); an output keeps its position.
        rule = f"{name}-db-in-{short_hash(client)}" if is_known(client) else f"{name}-db-in-{i}"
        aws.vpc.SecurityGroupIngressRule(
            rule, security_group_id=sg.id, ip_protocol="tcp", from_port=DB_PORT, to_port=DB_PORT,
            referenced_security_group_id=client, description="the gateway's nodes", tags=tags, opts=child)
    subnets = aws.rds.SubnetGroup(
        f"{name}-db-subnets", subnet_ids=subnet_ids, description=f"private subnets of the {name} gateway database",
        tags=tags, opts=child)
    major = spec.engine_version.split(".", 1)[0]
    params = aws.rds.ClusterParameterGroup(
        f"{name}-db-params", family=f"aurora-postgresql{major}",
        description=f"pulumi-aiops LLM gateway {name}: DDL statement logging, TLS only",
        parameters=[{"name": "log_statement", "value": "ddl"},
                    {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"}],
        tags=tags, opts=child)
    cluster = aws.rds.Cluster(
        f"{name}-db",
        engine="aurora-postgresql", engine_mode="provisioned", engine_version=spec.engine_version,
        database_name=spec.database_name, master_username=DB_USER, master_password=password.result,
        storage_encrypted=True, kms_key_id=key.arn, deletion_protection=True,
        iam_database_authentication_enabled=True,
        serverlessv2_scaling_configuration={"min_capacity": spec.min_capacity, "max_capacity": spec.max_capacity},
        backup_retention_period=spec.backup_retention_days, preferred_backup_window="03:00-04:00",
        copy_tags_to_snapshot=True, skip_final_snapshot=False, final_snapshot_identifier=f"{name}-gateway-final",
        db_subnet_group_name=subnets.name, vpc_security_group_ids=[sg.id],
        # The group's id is its name.
        db_cluster_parameter_group_name=params.id, enabled_cloudwatch_logs_exports=["postgresql"],
        tags=tags, opts=stateful)
    monitoring = aws.iam.Role(
        f"{name}-db-monitoring", assume_role_policy=service_trust("monitoring.rds.amazonaws.com"),
        description=f"RDS enhanced monitoring of the {name} gateway database", tags=tags, opts=child)
    attach = aws.iam.RolePolicyAttachment(
        f"{name}-db-monitoring", role=monitoring.name,
        policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:", _MONITORING_POLICY), opts=child)
    writer = aws.rds.ClusterInstance(
        f"{name}-db-writer", cluster_identifier=cluster.id, instance_class="db.serverless",
        engine=aws.rds.EngineType.AURORA_POSTGRESQL, engine_version=cluster.engine_version,
        publicly_accessible=False, db_subnet_group_name=subnets.name,
        monitoring_interval=15, monitoring_role_arn=monitoring.arn,
        performance_insights_enabled=True, performance_insights_kms_key_id=key.arn,
        tags=tags, opts=pulumi.ResourceOptions(parent=parent, depends_on=[attach]))
    vpc = aws.ec2.get_vpc_output(id=vpc_id, opts=invoke)
    cidrs = pulumi.Output.all(vpc.cidr_block, vpc.cidr_block_associations).apply(
        lambda v: sorted({v[0], *(_cidr_of(a) for a in (v[1] or []))} - {None, ""}))
    return AuroraDatabase(
        cluster=cluster, writer=writer, security_group=sg, kms_key=key,
        password=pulumi.Output.secret(password.result),
        host=pulumi.Output.concat(cluster.endpoint, ":", str(DB_PORT)), vpc_cidrs=cidrs,
        database_name=spec.database_name, resources=[cluster, writer])


def _cidr_of(assoc: Any) -> str | None:
    if isinstance(assoc, dict):
        return assoc.get("cidr_block") or assoc.get("cidrBlock")
    return getattr(assoc, "cidr_block", None)
