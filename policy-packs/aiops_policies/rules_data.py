"""KMS, CloudWatch Logs, RDS/Aurora, OpenSearch domains and OpenSearch Serverless (AOSS)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aiops_policies._controls import (
    ACCESS_LEAST_PRIVILEGE,
    AUDIT_LOGGING,
    BACKUP_RECOVERY,
    ENCRYPTION_AT_REST,
    ENCRYPTION_IN_TRANSIT,
    KEY_MANAGEMENT,
    LOG_PROTECTION,
    NETWORK_BOUNDARY,
    merge,
)
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_bool,
    as_list,
    as_mapping,
    as_number,
    get_path,
    parse_json_doc,
    policy_resource_ref_matches,
    resource_rule,
    safe_get,
    stack_rule,
)
from aiops_policies._iam import statements

__all__ = ["RULES"]

F, R = Fixture, FixtureResource
KMS_KEY = "aws:kms/key:Key"
KMS_POLICY = "aws:kms/keyPolicy:KeyPolicy"
KMS_REPLICA = "aws:kms/replicaKey:ReplicaKey"
KMS_EXTERNAL = "aws:kms/externalKey:ExternalKey"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_CLUSTER_PG = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
OS_DOMAIN = "aws:opensearch/domain:Domain"
ES_DOMAIN = "aws:elasticsearch/domain:Domain"
AOSS_SECURITY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
AOSS_ACCESS = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
CMK = "arn:aws:kms:us-east-1:123456789012:key/0000-1111"


# --- KMS -------------------------------------------------------------------------------------

def _kms_rotation(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    spec = str(props.get("customerMasterKeySpec") or props.get("keySpec") or "SYMMETRIC_DEFAULT")
    usage = str(props.get("keyUsage") or "ENCRYPT_DECRYPT")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return  # AWS supports automatic rotation for symmetric encryption keys only
    if as_bool(props.get("enableKeyRotation")) is not True:
        yield "automatic key rotation is off (enableKeyRotation: true)"


def _kms_wildcard_principal(props: Mapping[str, Any], _c: Mapping[str, Any],
                            _a: Any) -> Iterator[str]:
    for s in statements(props.get("policy")):
        if s.allow and "*" in s.principals and not s.condition:
            yield (f"key policy statement {s.index} allows Principal '*' without a condition: "
                   "anyone in any account may use the key")


def _kms_explicit_policy(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if not str(props.get("policy") or "").strip():
        yield ("the key has no explicit key policy (policy unset): AWS applies the default "
               "policy, which lets every principal of the account whose IAM policies allow kms:* "
               "use and administer the key")


# --- CloudWatch Logs -------------------------------------------------------------------------

def _log_retention(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    days = as_number(props.get("retentionInDays"))
    minimum = int(cfg["minRetentionDays"])
    if days is None or days == 0:
        if not cfg["allowNeverExpire"]:
            yield f"retentionInDays is unset (logs never expire); set at least {minimum}"
    elif days < minimum:
        yield f"retentionInDays is {days:g}, below the minimum {minimum}"


def _log_kms(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if not props.get("kmsKeyId"):
        yield "the log group is not encrypted with a KMS key (kmsKeyId)"


# --- RDS / Aurora ----------------------------------------------------------------------------

def _rds_encrypted(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if props.get("replicateSourceDb"):
        return  # a replica inherits the source's encryption
    if as_bool(props.get("storageEncrypted")) is not True:
        yield "storage is not encrypted (storageEncrypted: true)"
    elif cfg["requireCustomerManagedKey"] and not props.get("kmsKeyId"):
        yield "storage uses the AWS-managed key; set kmsKeyId to a customer-managed key"


def _rds_deletion_protection(props: Mapping[str, Any], _c: Mapping[str, Any],
                             _a: Any) -> Iterator[str]:
    if as_bool(props.get("deletionProtection")) is not True:
        yield "deletionProtection is not true: one API call can delete the database"


_IAM_AUTH_ENGINES = ("mysql", "postgres", "mariadb", "aurora", "aurora-mysql", "aurora-postgresql")


def _rds_iam_auth(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    engine = str(props.get("engine") or "").lower()
    if engine and engine not in _IAM_AUTH_ENGINES:
        return
    if as_bool(props.get("iamDatabaseAuthenticationEnabled")) is not True:
        yield ("IAM database authentication is off (iamDatabaseAuthenticationEnabled: true); "
               "long-lived passwords are the only way in")


def _rds_public(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if as_bool(props.get("publiclyAccessible")) is True:
        yield "the database is publicly accessible (publiclyAccessible: true)"


# --- Aurora: monitoring, Performance Insights, statement logging ------------------------------

def _rds_enhanced_monitoring(props: Mapping[str, Any], cfg: Mapping[str, Any],
                             _a: Any) -> Iterator[str]:
    interval = as_number(props.get("monitoringInterval"))
    if interval is None or interval <= 0:
        yield "enhanced monitoring is off (monitoringInterval > 0 with a monitoringRoleArn)"
        return
    if interval > float(cfg["maxIntervalSeconds"]):
        yield (f"monitoringInterval is {interval:g} s, longer than maxIntervalSeconds "
               f"{cfg['maxIntervalSeconds']}")
    if not props.get("monitoringRoleArn"):
        yield ("monitoringInterval is set without a monitoringRoleArn (a role trusted by "
               "monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole)")


def _key_refs(r: Any, key: str) -> set[str]:
    """Identifiers of the KMS key property ``key`` of ``r`` names: its value (ARN or key id) and
    the URNs of the resources the property depends on."""
    out: set[str] = set()
    v = safe_get(r.props, key)
    if isinstance(v, str) and v:
        out.add(v)
        out.add(v.rsplit("/", 1)[-1])  # arn:aws:kms:…:key/<id> and <id> name the same key
    for d in (getattr(r, "property_dependencies", None) or {}).get(key, ()) or ():
        if getattr(d, "resource_type", "") in (KMS_KEY, KMS_REPLICA, KMS_EXTERNAL):
            out.add(str(d.urn))
    return out


def _cluster_of(instance: Any, clusters: Sequence[Any]) -> Any | None:
    for c in clusters:
        names = [safe_get(c.props, "clusterIdentifier"), safe_get(c.props, "id")]
        if policy_resource_ref_matches(instance, "clusterIdentifier", c, names):
            return c
    return None


def _pi_enabled(r: Any) -> bool:
    return as_bool(safe_get(r.props, "performanceInsightsEnabled")) is True


def _performance_insights_cmk(resources: Sequence[Any],
                              _cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    clusters = [r for r in resources if r.resource_type == RDS_CLUSTER]
    for r in resources:
        t = r.resource_type
        if t not in (RDS_INSTANCE, RDS_CLUSTER_INSTANCE):
            continue
        owner = _cluster_of(r, clusters) if t == RDS_CLUSTER_INSTANCE else r
        source = r
        if not _pi_enabled(r) and owner is not None and owner is not r and _pi_enabled(owner):
            source = owner  # Performance Insights configured on the cluster
        if not _pi_enabled(source):
            yield ("Performance Insights is off (performanceInsightsEnabled: true "
                   "with performanceInsightsKmsKeyId)", r.urn)
            continue
        pi_key = _key_refs(source, "performanceInsightsKmsKeyId")
        if not pi_key:
            yield ("Performance Insights data is encrypted with the AWS-managed key; "
                   "set performanceInsightsKmsKeyId to the database's key", r.urn)
            continue
        if owner is None:
            continue
        db_key = _key_refs(owner, "kmsKeyId")
        if db_key and not (db_key & pi_key):
            yield ("Performance Insights is encrypted with "
                   f"{safe_get(source.props, 'performanceInsightsKmsKeyId')}, not the key of "
                   f"{owner.name} ({safe_get(owner.props, 'kmsKeyId')})", r.urn)


_STATEMENT_LEVELS = ("ddl", "mod", "all")


def _params(pg: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in as_list(safe_get(pg.props, "parameters")):
        m = as_mapping(p)
        if m.get("name") is not None:
            out[str(m["name"]).lower()] = str(m.get("value", "")).strip()
    return out


def _logs_statements(engine: str, params: Mapping[str, str]) -> bool:
    if "mysql" in engine:
        return params.get("server_audit_logging") == "1" or params.get("general_log") == "1"
    if params.get("log_statement", "").lower() in _STATEMENT_LEVELS:
        return True
    libs = [x.strip().lower() for x in params.get("shared_preload_libraries", "").split(",")]
    audit = params.get("pgaudit.log", "").lower()
    return "pgaudit" in libs and audit not in ("", "none")


def _aurora_statement_logging(resources: Sequence[Any],
                              cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    groups = [r for r in resources if r.resource_type == RDS_CLUSTER_PG]
    for c in resources:
        if c.resource_type != RDS_CLUSTER:
            continue
        engine = str(safe_get(c.props, "engine") or "").lower()
        if not engine.startswith("aurora"):
            continue
        pg = next((g for g in groups if policy_resource_ref_matches(
            c, "dbClusterParameterGroupName", g,
            [safe_get(g.props, "name"), safe_get(g.props, "id")])), None)
        setting = ("server_audit_logging = 1 (or general_log = 1)" if "mysql" in engine else
                   "log_statement = ddl|mod|all, or pgaudit in shared_preload_libraries with "
                   "pgaudit.log")
        if pg is None:
            yield (f"Aurora cluster {c.name} has no cluster parameter group of the program "
                   f"(dbClusterParameterGroupName): the default group logs no statements; set "
                   f"{setting}", c.urn)
            continue
        if not _logs_statements(engine, _params(pg)):
            yield (f"Aurora cluster {c.name}: its parameter group {pg.name} does not log "
                   f"statements; set {setting}", c.urn)
        if cfg["requireLogExport"]:
            want = "audit" if "mysql" in engine else "postgresql"
            exports = [str(x) for x in as_list(safe_get(c.props, "enabledCloudwatchLogsExports"))]
            if want not in exports:
                yield (f"Aurora cluster {c.name} does not export its {want} log to CloudWatch "
                       f"(enabledCloudwatchLogsExports: [{want}])", c.urn)


# --- OpenSearch domains ----------------------------------------------------------------------

def _os_cmk(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    ear = as_mapping(props.get("encryptAtRest"))
    if as_bool(ear.get("enabled")) is not True:
        yield "encryption at rest is off (encryptAtRest.enabled: true)"
    elif not ear.get("kmsKeyId"):
        yield "encryption at rest uses the AWS-owned key; set encryptAtRest.kmsKeyId to a CMK"


def _os_private(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if not as_list(get_path(props, "vpcOptions.subnetIds")):
        yield "the domain has a public endpoint; place it in a VPC (vpcOptions.subnetIds)"


_TLS12 = ("Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10")


def _os_tls(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if as_bool(get_path(props, "nodeToNodeEncryption.enabled")) is not True:
        yield "node-to-node encryption is off (nodeToNodeEncryption.enabled: true)"
    ep = as_mapping(props.get("domainEndpointOptions"))
    if as_bool(ep.get("enforceHttps")) is not True:
        yield "HTTPS is not enforced (domainEndpointOptions.enforceHttps: true)"
    if str(ep.get("tlsSecurityPolicy", "")) not in _TLS12:
        yield ("TLS 1.2 is not the minimum (domainEndpointOptions.tlsSecurityPolicy: "
               "Policy-Min-TLS-1-2-PFS-2023-10)")


def _os_access_policy(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    for s in statements(props.get("accessPolicies")):
        if s.allow and "*" in s.principals and not s.condition:
            yield (f"access policy statement {s.index} allows Principal '*' without a condition: "
                   "anyone who reaches the endpoint may read and write")


# --- OpenSearch Serverless -------------------------------------------------------------------

def _aoss_cmk(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if str(props.get("type")) != "encryption":
        return
    doc = as_mapping(parse_json_doc(props.get("policy")))
    if as_bool(doc.get("AWSOwnedKey")) is not False or not doc.get("KmsARN"):
        yield ("the encryption policy uses the AWS-owned key; set AWSOwnedKey: false and "
               "KmsARN to a customer-managed key")


def _aoss_private(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if str(props.get("type")) != "network":
        return
    for i, entry in enumerate(as_list(parse_json_doc(props.get("policy")))):
        e = as_mapping(entry)
        if as_bool(e.get("AllowFromPublic")) is not True:
            continue
        types = {str(as_mapping(r).get("ResourceType", "")).lower()
                 for r in as_list(e.get("Rules"))}
        if cfg["allowPublicDashboards"] and types == {"dashboard"}:
            continue
        yield (f"network policy entry {i} allows public access (AllowFromPublic: true); use "
               "SourceVPCEs")


def _aoss_data_access(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if str(props.get("type")) != "data":
        return
    for i, entry in enumerate(as_list(parse_json_doc(props.get("policy")))):
        for p in as_list(as_mapping(entry).get("Principal")):
            s = str(p)
            if s == "*" or s.startswith("arn:aws:iam::*:"):
                yield f"data access policy entry {i} grants principal {s!r}: anyone may read"


def _json(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


_KEY_POLICY_OK = _json({"Version": "2012-10-17", "Statement": [
    {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*"], "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                               "arn:aws:logs:us-east-1:123456789012:*"}}},
]})
_KEY_POLICY_BAD = _json({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]})

_RDS_OK = {"engine": "postgres", "storageEncrypted": True, "kmsKeyId": CMK,
           "deletionProtection": True, "iamDatabaseAuthenticationEnabled": True,
           "publiclyAccessible": False, "instanceClass": "db.r6g.large"}
_AURORA_OK = {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": CMK,
              "deletionProtection": True, "iamDatabaseAuthenticationEnabled": True}
_MON_ROLE = "arn:aws:iam::123456789012:role/rds-monitoring"
OTHER_CMK = "arn:aws:kms:us-east-1:123456789012:key/2222-3333"
CMK_ID = CMK.rsplit("/", 1)[-1]
_WRITER = {"clusterIdentifier": "kb-aurora", "instanceClass": "db.serverless",
           "engine": "aurora-postgresql", "publiclyAccessible": False}
_WRITER_OK = {**_WRITER, "monitoringInterval": 15.0, "monitoringRoleArn": _MON_ROLE,
              "performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": CMK}
_AURORA_ID = {**_AURORA_OK, "clusterIdentifier": "kb-aurora"}
_AURORA_LOGGED = {**_AURORA_ID,
                  "dbClusterParameterGroupName": "kb-aurora-params",
                  "enabledCloudwatchLogsExports": ["postgresql"]}
_PG = R(RDS_CLUSTER_PG, "pg", {"name": "kb-aurora-params", "family": "aurora-postgresql16",
                               "parameters": [{"name": "log_statement", "value": "ddl"},
                                              {"name": "log_min_duration_statement",
                                               "value": "1000"}]})
_OS_OK = {"engineVersion": "OpenSearch_2.13",
          "encryptAtRest": {"enabled": True, "kmsKeyId": CMK},
          "nodeToNodeEncryption": {"enabled": True},
          "domainEndpointOptions": {"enforceHttps": True,
                                    "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
          "vpcOptions": {"subnetIds": ["subnet-a"], "securityGroupIds": ["sg-1"]}}

RULES: list[Rule] = [
    resource_rule(
        "kms-key-rotation",
        "Customer-managed symmetric KMS keys rotate automatically.",
        "medium",
        remediation="Set enableKeyRotation: true (and rotationPeriodInDays, 90-2560) on the key.",
        frameworks=KEY_MANAGEMENT,
        resource_types=(KMS_KEY,),
        check=_kms_rotation,
        fixtures=(
            F("fail", R(KMS_KEY, "key", {"description": "data", "enableKeyRotation": False})),
            F("fail", R(KMS_KEY, "key", {"description": "data"})),
            F("pass", R(KMS_KEY, "key", {"description": "data", "enableKeyRotation": True,
                                         "deletionWindowInDays": 30.0})),
            F("pass", R(KMS_KEY, "sign", {"keyUsage": "SIGN_VERIFY",
                                          "customerMasterKeySpec": "ECC_NIST_P256"})),
        ),
    ),
    resource_rule(
        "kms-no-wildcard-principal",
        "KMS key policies never allow Principal '*' without a condition.",
        "critical",
        remediation="Name the account root, roles or service principals in the key policy; if a "
                    "wildcard is unavoidable, constrain it with kms:CallerAccount or "
                    "kms:ViaService conditions.",
        frameworks=merge(KEY_MANAGEMENT, ACCESS_LEAST_PRIVILEGE),
        resource_types=(KMS_KEY, KMS_POLICY),
        check=_kms_wildcard_principal,
        fixtures=(
            F("fail", R(KMS_KEY, "key", {"enableKeyRotation": True, "policy": _KEY_POLICY_BAD})),
            F("fail", R(KMS_POLICY, "kp", {"keyId": "k", "policy": _json(
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*",
                               "Resource": "*"}})})),
            F("pass", R(KMS_KEY, "key", {"enableKeyRotation": True, "policy": _KEY_POLICY_OK})),
        ),
    ),
    resource_rule(
        "kms-key-explicit-policy",
        "KMS keys carry an explicit key policy (policy set), not the account-wide default.",
        "medium",
        remediation="Set policy on the key: the account root for administration (with "
                    "kms:* limited to key administrators), the roles and service principals that "
                    "use it (with kms:ViaService / kms:EncryptionContext conditions), nothing "
                    "else.",
        frameworks=merge(KEY_MANAGEMENT, ACCESS_LEAST_PRIVILEGE),
        resource_types=(KMS_KEY, KMS_REPLICA, KMS_EXTERNAL),
        check=_kms_explicit_policy,
        fixtures=(
            F("fail", R(KMS_KEY, "key", {"description": "data", "enableKeyRotation": True})),
            F("fail", R(KMS_REPLICA, "replica", {"primaryKeyArn": CMK, "policy": ""})),
            F("pass", R(KMS_KEY, "key", {"enableKeyRotation": True, "policy": _KEY_POLICY_OK})),
        ),
    ),
    resource_rule(
        "logs-retention",
        "CloudWatch log groups keep logs for at least the configured number of days.",
        "medium",
        remediation="Set retentionInDays to at least minRetentionDays (PCI DSS 10.5.1: 365; keep "
                    "audit logs 6 years for HIPAA documentation via export to S3 object lock).",
        frameworks=merge(LOG_PROTECTION, {"gdpr": ("Art. 5(1)(e)",)}),
        resource_types=(LOG_GROUP,),
        check=_log_retention,
        config_schema={
            "minRetentionDays": {"type": "integer", "minimum": 1, "default": 90,
                                 "description": "The shortest allowed retention."},
            "allowNeverExpire": {"type": "boolean", "default": False,
                                 "description": "Accept log groups that never expire."},
        },
        fixtures=(
            F("fail", R(LOG_GROUP, "lg", {"retentionInDays": 7.0, "kmsKeyId": CMK})),
            F("fail", R(LOG_GROUP, "lg", {"kmsKeyId": CMK})),
            F("pass", R(LOG_GROUP, "lg", {"retentionInDays": 365.0, "kmsKeyId": CMK})),
            F("pass", R(LOG_GROUP, "lg", {"retentionInDays": 30.0}),
              config={"minRetentionDays": 30}),
        ),
    ),
    resource_rule(
        "logs-kms-encryption",
        "CloudWatch log groups are encrypted with a customer-managed KMS key.",
        "medium",
        remediation="Set kmsKeyId to a CMK whose policy allows logs.<region>.amazonaws.com with "
                    "the kms:EncryptionContext:aws:logs:arn condition.",
        frameworks=merge(ENCRYPTION_AT_REST, LOG_PROTECTION),
        resource_types=(LOG_GROUP,),
        check=_log_kms,
        fixtures=(
            F("fail", R(LOG_GROUP, "lg", {"retentionInDays": 365.0})),
            F("pass", R(LOG_GROUP, "lg", {"retentionInDays": 365.0, "kmsKeyId": CMK})),
        ),
    ),
    resource_rule(
        "rds-storage-encrypted",
        "RDS instances and Aurora clusters encrypt their storage.",
        "high",
        remediation="Set storageEncrypted: true and kmsKeyId to a CMK. An existing unencrypted "
                    "database must be restored from an encrypted snapshot copy.",
        frameworks=ENCRYPTION_AT_REST,
        resource_types=(RDS_INSTANCE, RDS_CLUSTER),
        check=_rds_encrypted,
        config_schema={"requireCustomerManagedKey": {
            "type": "boolean", "default": False,
            "description": "Also require kmsKeyId (a customer-managed key)."}},
        fixtures=(
            F("fail", R(RDS_INSTANCE, "db", {**_RDS_OK, "storageEncrypted": False})),
            F("fail", R(RDS_CLUSTER, "aurora", {k: v for k, v in _AURORA_OK.items()
                                                if k != "storageEncrypted"})),
            F("fail", R(RDS_INSTANCE, "db", {k: v for k, v in _RDS_OK.items() if k != "kmsKeyId"}),
              config={"requireCustomerManagedKey": True}),
            F("pass", R(RDS_INSTANCE, "db", dict(_RDS_OK))),
            F("pass", R(RDS_CLUSTER, "aurora", dict(_AURORA_OK))),
        ),
    ),
    resource_rule(
        "rds-deletion-protection",
        "RDS instances and Aurora clusters have deletion protection.",
        "medium",
        remediation="Set deletionProtection: true (and protect: true, retainOnDelete: true).",
        frameworks=BACKUP_RECOVERY,
        resource_types=(RDS_INSTANCE, RDS_CLUSTER),
        check=_rds_deletion_protection,
        fixtures=(
            F("fail", R(RDS_CLUSTER, "aurora", {**_AURORA_OK, "deletionProtection": False})),
            F("pass", R(RDS_CLUSTER, "aurora", dict(_AURORA_OK))),
        ),
    ),
    resource_rule(
        "rds-iam-authentication",
        "RDS and Aurora (MySQL, MariaDB, PostgreSQL) enable IAM database authentication.",
        "medium",
        remediation="Set iamDatabaseAuthenticationEnabled: true and grant rds-db:connect to "
                    "roles; keep the master password in Secrets Manager (manageMasterUserPassword).",
        frameworks=merge(ACCESS_LEAST_PRIVILEGE, {"hipaa": ("§164.312(d)",),
                                                  "pci-dss": ("8.3.1",),
                                                  "nist-800-53": ("IA-2", "IA-5")}),
        resource_types=(RDS_INSTANCE, RDS_CLUSTER),
        check=_rds_iam_auth,
        fixtures=(
            F("fail", R(RDS_INSTANCE, "db", {**_RDS_OK,
                                             "iamDatabaseAuthenticationEnabled": False})),
            F("pass", R(RDS_INSTANCE, "db", dict(_RDS_OK))),
            F("pass", R(RDS_INSTANCE, "mssql", {**_RDS_OK, "engine": "sqlserver-se",
                                                "iamDatabaseAuthenticationEnabled": False})),
        ),
    ),
    resource_rule(
        "rds-not-public",
        "RDS instances and Aurora cluster instances are not publicly accessible.",
        "critical",
        remediation="Set publiclyAccessible: false and use private subnets in the DB subnet "
                    "group.",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
        check=_rds_public,
        fixtures=(
            F("fail", R(RDS_INSTANCE, "db", {**_RDS_OK, "publiclyAccessible": True})),
            F("fail", R(RDS_CLUSTER_INSTANCE, "ci", {"clusterIdentifier": "c",
                                                     "instanceClass": "db.r6g.large",
                                                     "engine": "aurora-postgresql",
                                                     "publiclyAccessible": True})),
            F("pass", R(RDS_INSTANCE, "db", dict(_RDS_OK))),
        ),
    ),
    resource_rule(
        "rds-enhanced-monitoring",
        "RDS and Aurora instances have enhanced monitoring (monitoringInterval > 0 with a "
        "monitoringRoleArn).",
        "low",
        remediation="Set monitoringInterval (1, 5, 10, 15, 30 or 60 seconds) and "
                    "monitoringRoleArn to a role trusted by monitoring.rds.amazonaws.com with the "
                    "AmazonRDSEnhancedMonitoringRole managed policy.",
        frameworks={"soc2": ("CC7.2", "A1.1"), "nist-800-53": ("SI-4", "CA-7"),
                    "pci-dss": ("10.7.2",), "hipaa": ("§164.308(a)(1)(ii)(D)",)},
        resource_types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
        check=_rds_enhanced_monitoring,
        config_schema={"maxIntervalSeconds": {
            "type": "integer", "minimum": 1, "default": 60,
            "description": "The longest allowed monitoringInterval."}},
        fixtures=(
            F("fail", R(RDS_CLUSTER_INSTANCE, "writer", {**_WRITER})),
            F("fail", R(RDS_CLUSTER_INSTANCE, "writer", {**_WRITER, "monitoringInterval": 60.0})),
            F("fail", R(RDS_INSTANCE, "db", {**_RDS_OK, "monitoringInterval": 0.0,
                                             "monitoringRoleArn": _MON_ROLE})),
            F("fail", R(RDS_CLUSTER_INSTANCE, "writer", {**_WRITER_OK,
                                                         "monitoringInterval": 60.0}),
              config={"maxIntervalSeconds": 15}),
            F("pass", R(RDS_CLUSTER_INSTANCE, "writer", dict(_WRITER_OK))),
        ),
    ),
    stack_rule(
        "rds-performance-insights-cmk",
        "RDS and Aurora instances have Performance Insights encrypted with the database's own "
        "KMS key (performanceInsightsEnabled with performanceInsightsKmsKeyId).",
        "medium",
        remediation="Set performanceInsightsEnabled: true and performanceInsightsKmsKeyId to the "
                    "same customer-managed key as the cluster's kmsKeyId (on each instance, or on "
                    "the cluster); the key cannot be changed once Performance Insights is on.",
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT, {"nist-800-53": ("SI-4",)}),
        resource_types=(RDS_INSTANCE, RDS_CLUSTER, RDS_CLUSTER_INSTANCE),
        check=_performance_insights_cmk,
        fixtures=(
            F("fail", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_ID)),
                                 R(RDS_CLUSTER_INSTANCE, "writer", dict(_WRITER)))),
            F("fail", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_ID)),
                                 R(RDS_CLUSTER_INSTANCE, "writer", {
                                     **_WRITER, "performanceInsightsEnabled": True}))),
            F("fail", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_ID)),
                                 R(RDS_CLUSTER_INSTANCE, "writer", {
                                     **_WRITER_OK, "performanceInsightsKmsKeyId": OTHER_CMK})),
              note="encrypted, but with another key than the cluster's"),
            F("fail", resources=(R(RDS_INSTANCE, "db", {**_RDS_OK,
                                                        "performanceInsightsEnabled": True,
                                                        "performanceInsightsKmsKeyId": OTHER_CMK}),)),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_ID)),
                                 R(RDS_CLUSTER_INSTANCE, "writer", dict(_WRITER_OK)))),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", {
                **_AURORA_ID, "performanceInsightsEnabled": True,
                "performanceInsightsKmsKeyId": CMK}),
                R(RDS_CLUSTER_INSTANCE, "writer", dict(_WRITER))),
              note="Performance Insights configured on the cluster"),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", {**_AURORA_ID, "kmsKeyId": CMK_ID}),
                                 R(RDS_CLUSTER_INSTANCE, "writer", dict(_WRITER_OK))),
              note="a key id and the same key's ARN"),
        ),
    ),
    stack_rule(
        "rds-aurora-statement-logging",
        "Aurora clusters log SQL statements through a cluster parameter group (log_statement or "
        "pgaudit for PostgreSQL, server_audit_logging for MySQL) and export the log to "
        "CloudWatch.",
        "medium",
        remediation="Create aws.rds.ClusterParameterGroup for the engine family with "
                    "log_statement = ddl (or pgaudit: shared_preload_libraries = pgaudit, "
                    "pgaudit.log = ddl,role; MySQL: server_audit_logging = 1), set the cluster's "
                    "dbClusterParameterGroupName to it, and enabledCloudwatchLogsExports "
                    "[postgresql] (MySQL: [audit]).",
        frameworks=merge(AUDIT_LOGGING, {"pci-dss": ("10.2.1.2",), "nist-800-53": ("AU-12",)}),
        resource_types=(RDS_CLUSTER, RDS_CLUSTER_PG),
        check=_aurora_statement_logging,
        config_schema={"requireLogExport": {
            "type": "boolean", "default": True,
            "description": "Also require the statement log in enabledCloudwatchLogsExports."}},
        fixtures=(
            F("fail", resources=(R(RDS_CLUSTER, "aurora", {**_AURORA_OK,
                                                           "enabledCloudwatchLogsExports": [
                                                               "postgresql"]}),)),
            F("fail", resources=(R(RDS_CLUSTER, "aurora", {**_AURORA_LOGGED,
                                                           "enabledCloudwatchLogsExports": []}),
                                 _PG)),
            F("fail", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_LOGGED)),
                                 R(RDS_CLUSTER_PG, "pg", {**_PG.props, "parameters": [
                                     {"name": "log_statement", "value": "none"}]}))),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_LOGGED)), _PG)),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", dict(_AURORA_LOGGED)),
                                 R(RDS_CLUSTER_PG, "pg", {**_PG.props, "parameters": [
                                     {"name": "shared_preload_libraries",
                                      "value": "pg_stat_statements,pgaudit"},
                                     {"name": "pgaudit.log", "value": "ddl,role"}]}))),
            F("pass", resources=(R(RDS_CLUSTER, "aurora", {
                **_AURORA_LOGGED, "engine": "aurora-mysql", "dbClusterParameterGroupName": "auto",
                "enabledCloudwatchLogsExports": ["audit"]},
                property_dependencies={"dbClusterParameterGroupName": ("pg",)}),
                R(RDS_CLUSTER_PG, "pg", {"family": "aurora-mysql8.0", "parameters": [
                    {"name": "server_audit_logging", "value": "1"}]})),
              note="matched through the property dependency"),
            F("pass", resources=(R(RDS_INSTANCE, "db", dict(_RDS_OK)),),
              note="not Aurora"),
        ),
    ),
    resource_rule(
        "opensearch-domain-cmk",
        "OpenSearch domains encrypt data at rest with a customer-managed KMS key.",
        "high",
        remediation="Set encryptAtRest {enabled: true, kmsKeyId: <CMK>} (a new domain is "
                    "needed to change the key).",
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT),
        resource_types=(OS_DOMAIN, ES_DOMAIN),
        check=_os_cmk,
        fixtures=(
            F("fail", R(OS_DOMAIN, "search", {**_OS_OK, "encryptAtRest": {"enabled": False}})),
            F("fail", R(OS_DOMAIN, "search", {**_OS_OK, "encryptAtRest": {"enabled": True}})),
            F("pass", R(OS_DOMAIN, "search", dict(_OS_OK))),
        ),
    ),
    resource_rule(
        "opensearch-domain-private",
        "OpenSearch domains are deployed in a VPC, not on a public endpoint.",
        "high",
        remediation="Set vpcOptions {subnetIds, securityGroupIds} (a new domain is needed).",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(OS_DOMAIN, ES_DOMAIN),
        check=_os_private,
        fixtures=(
            F("fail", R(OS_DOMAIN, "search", {k: v for k, v in _OS_OK.items()
                                              if k != "vpcOptions"})),
            F("pass", R(OS_DOMAIN, "search", dict(_OS_OK))),
        ),
    ),
    resource_rule(
        "opensearch-domain-tls",
        "OpenSearch domains enforce HTTPS with TLS 1.2+ and node-to-node encryption.",
        "high",
        remediation="Set nodeToNodeEncryption.enabled: true and domainEndpointOptions "
                    "{enforceHttps: true, tlsSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10}.",
        frameworks=ENCRYPTION_IN_TRANSIT,
        resource_types=(OS_DOMAIN, ES_DOMAIN),
        check=_os_tls,
        fixtures=(
            F("fail", R(OS_DOMAIN, "search", {**_OS_OK, "domainEndpointOptions":
                                              {"enforceHttps": False}})),
            F("fail", R(OS_DOMAIN, "search", {**_OS_OK, "nodeToNodeEncryption":
                                              {"enabled": False}})),
            F("pass", R(OS_DOMAIN, "search", dict(_OS_OK))),
        ),
    ),
    resource_rule(
        "opensearch-domain-no-public-access",
        "OpenSearch domain access policies never allow Principal '*' without a condition.",
        "critical",
        remediation="Name the IAM roles in accessPolicies (and enable fine-grained access "
                    "control); never Allow '*' on es:* without an IP or VPC condition.",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=(OS_DOMAIN, ES_DOMAIN, "aws:opensearch/domainPolicy:DomainPolicy",
                        "aws:elasticsearch/domainPolicy:DomainPolicy"),
        check=_os_access_policy,
        fixtures=(
            F("fail", R(OS_DOMAIN, "search", {**_OS_OK, "accessPolicies": _json({
                "Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                     "Resource": "arn:aws:es:us-east-1:123456789012:domain/search/*"}]})})),
            F("pass", R(OS_DOMAIN, "search", {**_OS_OK, "accessPolicies": _json({
                "Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow",
                     "Principal": {"AWS": "arn:aws:iam::123456789012:role/search-app"},
                     "Action": "es:ESHttp*",
                     "Resource": "arn:aws:es:us-east-1:123456789012:domain/search/*"}]})})),
            F("pass", R(OS_DOMAIN, "search", dict(_OS_OK))),
        ),
    ),
    resource_rule(
        "aoss-encryption-cmk",
        "OpenSearch Serverless encryption policies use a customer-managed KMS key.",
        "high",
        remediation="Write the encryption policy with \"AWSOwnedKey\": false and \"KmsARN\": "
                    "<CMK ARN> before creating the collection.",
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT),
        resource_types=(AOSS_SECURITY,),
        check=_aoss_cmk,
        fixtures=(
            F("fail", R(AOSS_SECURITY, "enc", {"type": "encryption", "name": "vec-enc",
                                               "policy": _json({"Rules": [
                                                   {"ResourceType": "collection",
                                                    "Resource": ["collection/vec"]}],
                                                   "AWSOwnedKey": True})})),
            F("pass", R(AOSS_SECURITY, "enc", {"type": "encryption", "name": "vec-enc",
                                               "policy": _json({"Rules": [
                                                   {"ResourceType": "collection",
                                                    "Resource": ["collection/vec"]}],
                                                   "AWSOwnedKey": False, "KmsARN": CMK})})),
        ),
    ),
    resource_rule(
        "aoss-network-private",
        "OpenSearch Serverless network policies do not allow access from the public internet.",
        "high",
        remediation="Set \"AllowFromPublic\": false and list the VPC endpoints in "
                    "\"SourceVPCEs\" (aws.opensearch.ServerlessVpcEndpoint).",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(AOSS_SECURITY,),
        check=_aoss_private,
        config_schema={"allowPublicDashboards": {
            "type": "boolean", "default": False,
            "description": "Accept public entries that cover only dashboards."}},
        fixtures=(
            F("fail", R(AOSS_SECURITY, "net", {"type": "network", "name": "vec-net",
                                               "policy": _json([{"Rules": [
                                                   {"ResourceType": "collection",
                                                    "Resource": ["collection/vec"]}],
                                                   "AllowFromPublic": True}])})),
            F("pass", R(AOSS_SECURITY, "net", {"type": "network", "name": "vec-net",
                                               "policy": _json([{"Rules": [
                                                   {"ResourceType": "collection",
                                                    "Resource": ["collection/vec"]}],
                                                   "AllowFromPublic": False,
                                                   "SourceVPCEs": ["vpce-0123"]}])})),
        ),
    ),
    resource_rule(
        "aoss-no-public-data-access",
        "OpenSearch Serverless data access policies name principals, never '*'.",
        "critical",
        remediation="List the IAM role ARNs that need index/collection permissions in "
                    "\"Principal\".",
        frameworks=ACCESS_LEAST_PRIVILEGE,
        resource_types=(AOSS_ACCESS,),
        check=_aoss_data_access,
        fixtures=(
            F("fail", R(AOSS_ACCESS, "data", {"type": "data", "name": "vec-data",
                                              "policy": _json([{"Rules": [
                                                  {"ResourceType": "index",
                                                   "Resource": ["index/vec/*"],
                                                   "Permission": ["aoss:*"]}],
                                                  "Principal": ["*"]}])})),
            F("pass", R(AOSS_ACCESS, "data", {"type": "data", "name": "vec-data",
                                              "policy": _json([{"Rules": [
                                                  {"ResourceType": "index",
                                                   "Resource": ["index/vec/*"],
                                                   "Permission": ["aoss:ReadDocument"]}],
                                                  "Principal": [
                                                      "arn:aws:iam::123456789012:role/rag"]}])})),
        ),
    ),
]
