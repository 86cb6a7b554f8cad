"""Hand-made resources, unlike the rules' own fixtures, through the packs launched as the CLI
launches them: misconfigured ones are reported by the mandatory baseline, secure ones are not.

Values are written the way real programs produce them: integers (the engine turns them into
floats), launch-template booleans as strings, IAM and AOSS documents as JSON strings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_helpers import rule_library

from pulumi_aiops.testing.policy import fixture_inputs

LIB = rule_library()
BASELINE = "aiops-baseline"
TAGS = {"owner": "ml-platform", "cost-center": "cc-9", "data-classification": "confidential"}
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0f0e0d0c-aaaa-bbbb-cccc-111122223333"


def _covered(type_: str) -> set[str]:
    """Baseline rules whose resource types include ``type_``."""
    if LIB is None:
        return set()
    names = set(LIB.PACKS[BASELINE].rules)
    return {r.name for r in LIB.RULES if r.name in names and type_ in r.resource_types
            and r.kind == "resource"}


# (id, type, props, rules expected to fire when they exist in the library)
MISCONFIGURED: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("eks-wide-open", "aws:eks/cluster:Cluster", {
        "roleArn": "arn:aws:iam::111122223333:role/c", "version": "1.23",
        "vpcConfig": {"subnetIds": ["s-1"], "endpointPublicAccess": True,
                      "publicAccessCidrs": ["0.0.0.0/0"]},
        "enabledClusterLogTypes": ["api"], "tags": TAGS},
     {"eks-public-endpoint-restricted", "eks-secrets-encryption", "eks-control-plane-logging",
      "eks-supported-version"}),
    ("lt-imdsv1-unencrypted", "aws:ec2/launchTemplate:LaunchTemplate", {
        "namePrefix": "gpu-", "metadataOptions": {"httpTokens": "optional",
                                                  "httpPutResponseHopLimit": 3},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda",
                                 "ebs": {"encrypted": "false", "volumeSize": 500}}],
        "tags": TAGS},
     {"ec2-imdsv2-hop-limit", "ec2-volumes-encrypted"}),
    ("sg-rule-ssh-ipv6-anywhere", "aws:ec2/securityGroupRule:SecurityGroupRule", {
        "type": "ingress", "protocol": "tcp", "fromPort": 20, "toPort": 25,
        "ipv6CidrBlocks": ["::/0"], "securityGroupId": "sg-1"},
     {"ec2-no-admin-ports-from-anywhere"}),
    ("kms-star-principal-no-rotation", "aws:kms/key:Key", {
        "enableKeyRotation": False, "tags": TAGS,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:Decrypt",
            "Resource": "*"}]})},
     {"kms-key-rotation", "kms-no-wildcard-principal"}),
    ("logs-forever-plaintext", "aws:cloudwatch/logGroup:LogGroup", {
        "name": "/aiops/audit", "retentionInDays": 0, "tags": TAGS},
     {"logs-retention", "logs-kms-encryption"}),
    ("aurora-open", "aws:rds/cluster:Cluster", {
        "engine": "aurora-postgresql", "storageEncrypted": False, "deletionProtection": False,
        "masterUsername": "admin", "tags": TAGS},
     {"rds-storage-encrypted", "rds-deletion-protection", "rds-iam-authentication"}),
    ("rds-instance-public", "aws:rds/instance:Instance", {
        "engine": "postgres", "instanceClass": "db.r6g.large", "publiclyAccessible": True,
        "storageEncrypted": True, "kmsKeyId": KEY_ARN, "deletionProtection": True,
        "iamDatabaseAuthenticationEnabled": True, "tags": TAGS},
     {"rds-not-public"}),
    ("cks-public-no-audit", "coreweave:index/cksCluster:CksCluster", {
        "name": "gpu-prod", "version": "v1.33", "zone": "US-EAST-04A", "vpcId": "vpc-1",
        "public": True, "podCidrName": "pod", "serviceCidrName": "svc",
        "internalLbCidrNames": ["lb"]},
     {"cks-not-public", "cks-audit-policy"}),
    ("aoss-network-public", "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", {
        "name": "vectors-net", "type": "network",
        "policy": json.dumps([{"Rules": [{"ResourceType": "collection",
                                          "Resource": ["collection/vectors"]}],
                               "AllowFromPublic": True}])},
     {"aoss-network-private"}),
    ("aoss-data-everyone", "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy", {
        "name": "vectors-data", "type": "data",
        "policy": json.dumps([{"Rules": [{"ResourceType": "index",
                                          "Resource": ["index/vectors/*"],
                                          "Permission": ["aoss:*"]}],
                               "Principal": ["*"]}])},
     {"aoss-no-public-data-access"}),
    ("opensearch-domain-plain", "aws:opensearch/domain:Domain", {
        "domainName": "search", "engineVersion": "OpenSearch_2.13",
        "encryptAtRest": {"enabled": False}, "nodeToNodeEncryption": {"enabled": False},
        "domainEndpointOptions": {"enforceHttps": False}, "tags": TAGS},
     {"opensearch-domain-cmk", "opensearch-domain-private", "opensearch-domain-tls"}),
    ("iam-admin-policy", "aws:iam/policy:Policy", {
        "name": "ops", "tags": TAGS,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["*"], "Resource": "*"}]})},
     {"iam-no-star-on-star"}),
    ("iam-role-policy-s3-star", "aws:iam/rolePolicy:RolePolicy", {
        "role": "r", "policy": json.dumps({"Version": "2012-10-17", "Statement": {
            "Effect": "Allow", "Action": "s3:*", "Resource": "*"}})},
     {"iam-no-wildcard-sensitive-actions"}),
    ("bucket-untagged", "aws:s3/bucketV2:BucketV2", {"bucket": "raw-data-untagged"},
     {"aws-required-tags"}),
    ("public-access-block-off", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        "bucket": "raw", "blockPublicAcls": False, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": False},
     {"s3-public-access-block-settings"}),
    ("guardrail-no-prompt-attack", "aws:bedrock/guardrail:Guardrail", {
        "name": "g", "blockedInputMessaging": "no", "blockedOutputsMessaging": "no",
        "contentPolicyConfig": {"filtersConfigs": [
            {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"}]},
        "tags": TAGS}, {"bedrock-guardrail-prompt-attack"}),
    ("statefulset-privileged-latest", "kubernetes:apps/v1:StatefulSet", {
        "metadata": {"name": "vllm", "namespace": "serving"},
        "spec": {"serviceName": "vllm", "selector": {"matchLabels": {"app": "vllm"}},
                 "template": {"metadata": {"labels": {"app": "vllm"}}, "spec": {
                     "hostPID": True,
                     "containers": [{"name": "vllm", "image": "docker.io/vllm/vllm-openai:latest",
                                     "securityContext": {"privileged": True},
                                     "env": [{"name": "HF_TOKEN", "value": "hf_abcdef"}]}]}}}},
     {"k8s-no-privileged-containers", "k8s-no-host-namespaces", "k8s-no-latest-tag",
      "k8s-no-plain-secret-env"}),
    ("cronjob-hostpath-root", "kubernetes:batch/v1:CronJob", {
        "metadata": {"name": "eval", "namespace": "ml"},
        "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
            "containers": [{"name": "eval", "image": "evil.example.com/eval",
                            "volumeMounts": [{"name": "root", "mountPath": "/host"}],
                            "securityContext": {"runAsUser": 0,
                                                "allowPrivilegeEscalation": True}}]}}}}}},
     {"k8s-host-path-allowlist", "k8s-run-as-non-root", "k8s-no-privilege-escalation",
      "k8s-image-registry-allowlist"}),
    ("service-lb", "kubernetes:core/v1:Service", {
        "metadata": {"name": "api", "namespace": "serving"},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}},
     {"k8s-no-public-load-balancer"}),
]


def _cases() -> list[Any]:
    out = []
    for case in MISCONFIGURED:
        cid, type_ = case[0], case[1]
        marks = [] if _covered(type_) else [pytest.mark.skip(
            reason=f"no baseline rule covers {type_} yet" if LIB else "no rule library")]
        out.append(pytest.param(*case, id=cid, marks=marks))
    return out


@pytest.mark.parametrize(("case_id", "type_", "props", "expected"), _cases())
def test_misconfigured_resource_is_reported(case_id: str, type_: str, props: dict[str, Any],
                                            expected: set[str], pack_pool: Any) -> None:
    proc = pack_pool.get(BASELINE)
    proc.configure()
    diags = proc.analyze(type_, case_id, props)
    fired = {d.policy for d in diags if d.enforcement_level == "mandatory"}
    assert fired, f"{case_id}: no mandatory violation for a misconfigured {type_}"
    want = expected & _covered(type_)
    assert want <= fired, f"{case_id}: expected {sorted(want)}, got {sorted(fired)}"
    assert all(d.urn and d.urn.endswith(f"::{case_id}") for d in diags)


SECURE: list[tuple[str, str, dict[str, Any]]] = [
    ("eks-private", "aws:eks/cluster:Cluster", {
        "roleArn": "arn:aws:iam::111122223333:role/c", "version": "1.32",
        "vpcConfig": {"subnetIds": ["s-1", "s-2", "s-3"], "endpointPrivateAccess": True,
                      "endpointPublicAccess": False},
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}},
        "enabledClusterLogTypes": ["audit", "api", "authenticator", "scheduler",
                                   "controllerManager"],
        "accessConfig": {"authenticationMode": "API"}, "tags": TAGS}),
    ("lt-hardened", "aws:ec2/launchTemplate:LaunchTemplate", {
        "namePrefix": "gpu-", "metadataOptions": {"httpTokens": "required",
                                                  "httpPutResponseHopLimit": 1,
                                                  "httpEndpoint": "enabled"},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
            "encrypted": "true", "kmsKeyId": KEY_ARN, "volumeSize": 500,
            "volumeType": "gp3", "deleteOnTermination": "true"}}],
        "tags": TAGS}),
    ("kms-rotating", "aws:kms/key:Key", {
        "enableKeyRotation": True, "deletionWindowInDays": 30, "tags": TAGS,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*", "Resource": "*"}]})}),
    ("logs-year-cmk", "aws:cloudwatch/logGroup:LogGroup", {
        "name": "/aiops/audit", "retentionInDays": 365, "kmsKeyId": KEY_ARN, "tags": TAGS}),
    ("aurora-locked", "aws:rds/cluster:Cluster", {
        "engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": KEY_ARN,
        "deletionProtection": True, "iamDatabaseAuthenticationEnabled": True,
        "masterUsername": "admin", "manageMasterUserPassword": True, "tags": TAGS}),
    ("cks-private-audited", "coreweave:index/cksCluster:CksCluster", {
        "name": "gpu-prod", "version": "v1.33", "zone": "US-EAST-04A", "vpcId": "vpc-1",
        "public": False, "auditPolicy": "YXBpVmVyc2lvbjogYXVkaXQuazhzLmlvL3YxCmtpbmQ6IFBvbGljeQ==",
        "podCidrName": "pod", "serviceCidrName": "svc", "internalLbCidrNames": ["lb"]}),
    ("aoss-network-vpce", "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", {
        "name": "vectors-net", "type": "network",
        "policy": json.dumps([{"Rules": [{"ResourceType": "collection",
                                          "Resource": ["collection/vectors"]}],
                               "AllowFromPublic": False, "SourceVPCEs": ["vpce-0abc"]}])}),
    ("iam-least-privilege", "aws:iam/policy:Policy", {
        "name": "reader", "tags": TAGS, "policy": json.dumps({"Version": "2012-10-17",
                                                              "Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::datasets", "arn:aws:s3:::datasets/*"]}]})}),
    ("guardrail-prompt-attack", "aws:bedrock/guardrail:Guardrail", {
        "name": "g", "blockedInputMessaging": "no", "blockedOutputsMessaging": "no",
        "contentPolicyConfig": {"filtersConfigs": [
            {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"},
            {"type": "VIOLENCE", "inputStrength": "MEDIUM", "outputStrength": "MEDIUM"}]},
        "tags": TAGS}),
    ("pab-all-on", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        "bucket": "raw", "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}),
    ("deployment-hardened", "kubernetes:apps/v1:Deployment", {
        "metadata": {"name": "embedder", "namespace": "serving"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "embedder"}},
                 "template": {"metadata": {"labels": {"app": "embedder"}}, "spec": {
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                         "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{
                         "name": "embedder",
                         "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/embedder:2.4.1@sha256:"
                                  + "0" * 64,  # a made-up digest: the shape is what counts
                         "env": [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {
                             "name": "hf", "key": "token"}}}],
                         "securityContext": {"allowPrivilegeEscalation": False,
                                             "readOnlyRootFilesystem": True,
                                             "capabilities": {"drop": ["ALL"]}},
                         "resources": {"requests": {"cpu": "2", "memory": "8Gi",
                                                    "nvidia.com/gpu": 1},
                                       "limits": {"memory": "8Gi", "nvidia.com/gpu": 1}}}]}}}}),
    ("service-internal", "kubernetes:core/v1:Service", {
        "metadata": {"name": "api", "namespace": "serving"},
        "spec": {"type": "ClusterIP", "ports": [{"port": 443}]}}),
]


def _secure_cases() -> list[Any]:
    return [pytest.param(*c, id=c[0], marks=[] if _covered(c[1]) else [pytest.mark.skip(
        reason=f"no baseline rule covers {c[1]} yet")]) for c in SECURE]


@pytest.mark.parametrize(("case_id", "type_", "props"), _secure_cases())
def test_secure_resource_is_not_reported(case_id: str, type_: str, props: dict[str, Any],
                                         pack_pool: Any) -> None:
    proc = pack_pool.get(BASELINE)
    proc.configure()
    diags = proc.analyze(type_, case_id, props)
    assert not diags, "; ".join(f"{d.policy}: {d.message}" for d in diags)


@pytest.mark.skipif(LIB is None or "gpu-cost" not in (LIB.PACKS if LIB else {}),
                    reason="no gpu-cost pack yet")
def test_gpu_fleet_over_budget_is_reported_by_the_stack_policy(pack_pool: Any) -> None:
    proc = pack_pool.get("gpu-cost")
    proc.configure({"gpu-cost-budget": {"maxMonthlyUsd": 50000}})
    big = [
        {"type": "aws:eks/nodeGroup:NodeGroup", "name": "h100s",
         "props": {"clusterName": "gpu", "instanceTypes": ["p5.48xlarge"],
                   "scalingConfig": {"minSize": 0, "desiredSize": 0, "maxSize": 8}}},
    ]
    diags = proc.analyze_stack(fixture_inputs(big))
    assert [d.policy for d in diags] == ["gpu-cost-budget"]
    assert diags[0].enforcement_level == "mandatory"
    small = [{**big[0], "props": {**big[0]["props"], "instanceTypes": ["g5.xlarge"],
                                  "scalingConfig": {"minSize": 0, "maxSize": 2}}}]
    assert proc.analyze_stack(fixture_inputs(small)) == []
