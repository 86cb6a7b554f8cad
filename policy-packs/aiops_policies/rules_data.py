"""KMS, CloudWatch Logs, RDS/Aurora, OpenSearch domains and OpenSearch Serverless (AOSS)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from aiops_policies._controls import (
    ACCESS_LEAST_PRIVILEGE,
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
    resource_rule,
)
from aiops_policies._iam import statements

__all__ = ["RULES"]

F, R = Fixture, FixtureResource
KMS_KEY = "aws:kms/key:Key"
KMS_POLICY = "aws:kms/keyPolicy:KeyPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
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
