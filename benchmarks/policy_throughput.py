"""Benchmark: policy evaluation throughput over a synthetic 5,000-resource graph, all packs.

The graph mixes the resource types the rules cover (S3 buckets and their split-out resources,
KMS keys, EKS clusters, node groups and launch templates, security groups, log groups, RDS,
IAM, OpenSearch Serverless, Bedrock, CoreWeave, Kubernetes workloads), one resource in seven
misconfigured, grouped under components with dependencies, as a real program registers them.

It prints, for every pack under ``policy-packs/``:

* **in-process** (:func:`~pulumi_aiops.testing.policy.evaluate_in_process`): resources/s
  checked against all packs, and resource×pack evaluations/s (target: ≥ 5,000 resources/s);
* **gRPC** (:func:`~pulumi_aiops.testing.policy.evaluate_graph`): the same, each pack launched as
  the Pulumi CLI launches it (``--grpc-resources`` limits the graph for this part; ``0`` skips).

Usage::

    .venv/bin/python benchmarks/policy_throughput.py                    # 5,000 resources
    .venv/bin/python benchmarks/policy_throughput.py --resources 20000 --grpc-resources 0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "components"))

from pulumi_aiops.testing.graph import RecordedResource, ResourceGraph  # noqa: E402
from pulumi_aiops.testing.policy import (  # noqa: E402
    PolicyReport,
    evaluate_graph,
    evaluate_in_process,
    list_packs,
)

__all__ = ["synthetic_graph"]

PROJECT, STACK = "aiops", "bench"
TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "confidential"}
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0f0e0d0c-aaaa-bbbb-cccc-111122223333"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"


def _iam_doc(action: str, resource: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]})


def _pod_spec(i: int, bad: bool) -> dict[str, Any]:
    sc = ({"privileged": True} if bad else
          {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
           "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
           "seccompProfile": {"type": "RuntimeDefault"}})
    return {"containers": [{
        "name": "app", "image": ("nginx:latest" if bad else
                                 f"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.{i}"),
        "securityContext": sc,
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"},
                      "limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}}}]}


# (type, props(i, bad)) — mixed, roughly in the proportions a large platform has
_KINDS: list[tuple[str, Any]] = [
    ("aws:s3/bucketV2:BucketV2", lambda i, bad: {"bucket": f"data-{i}",
                                                 **({} if bad else {"tags": TAGS})}),
    ("aws:s3/bucketVersioningV2:BucketVersioningV2", lambda i, bad: {
        "bucket": f"data-{i}", "versioningConfiguration": {
            "status": "Suspended" if bad else "Enabled"}}),
    ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
     lambda i, bad: {"bucket": f"data-{i}", "rules": [{"applyServerSideEncryptionByDefault": {
         "sseAlgorithm": "AES256" if bad else "aws:kms",
         **({} if bad else {"kmsMasterKeyId": KEY_ARN})}, "bucketKeyEnabled": True}]}),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", lambda i, bad: {
        "bucket": f"data-{i}", "blockPublicAcls": not bad, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}),
    ("aws:kms/key:Key", lambda i, bad: {"enableKeyRotation": not bad, "tags": TAGS,
                                        "deletionWindowInDays": 30}),
    ("aws:eks/cluster:Cluster", lambda i, bad: {
        "roleArn": "arn:aws:iam::111122223333:role/eks", "version": "1.33",
        "vpcConfig": {"subnetIds": ["s-1", "s-2"], "endpointPrivateAccess": True,
                      "endpointPublicAccess": bad,
                      **({"publicAccessCidrs": ["0.0.0.0/0"]} if bad else {})},
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}},
        "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager",
                                   "scheduler"], "tags": TAGS}),
    ("aws:eks/nodeGroup:NodeGroup", lambda i, bad: {
        "clusterName": "gpu", "instanceTypes": ["g5.2xlarge"], "amiType": "AL2023_x86_64_NVIDIA",
        "scalingConfig": {"minSize": 0, "desiredSize": 0, "maxSize": 2},
        "launchTemplate": {"id": "lt-1", "version": "1"}, "tags": TAGS,
        **({"remoteAccess": {"ec2SshKey": "k"}} if bad else {})}),
    ("aws:ec2/launchTemplate:LaunchTemplate", lambda i, bad: {
        "metadataOptions": {"httpTokens": "optional" if bad else "required",
                            "httpPutResponseHopLimit": 1},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
            "encrypted": "false" if bad else "true", "volumeSize": 200}}], "tags": TAGS}),
    ("aws:ec2/securityGroup:SecurityGroup", lambda i, bad: {
        "vpcId": "vpc-1", "tags": TAGS, "ingress": [{
            "protocol": "tcp", "fromPort": 22 if bad else 443, "toPort": 22 if bad else 443,
            "cidrBlocks": ["0.0.0.0/0"] if bad else ["10.0.0.0/8"]}]}),
    ("aws:cloudwatch/logGroup:LogGroup", lambda i, bad: {
        "name": f"/aiops/{i}", "retentionInDays": 0 if bad else 365, "tags": TAGS,
        **({} if bad else {"kmsKeyId": KEY_ARN})}),
    ("aws:rds/cluster:Cluster", lambda i, bad: {
        "engine": "aurora-postgresql", "storageEncrypted": not bad, "kmsKeyId": KEY_ARN,
        "deletionProtection": True, "iamDatabaseAuthenticationEnabled": True, "tags": TAGS}),
    ("aws:iam/policy:Policy", lambda i, bad: {
        "name": f"p{i}", "tags": TAGS,
        "policy": _iam_doc("*" if bad else "s3:GetObject",
                           "*" if bad else f"arn:aws:s3:::data-{i}/*")}),
    ("aws:iam/role:Role", lambda i, bad: {"name": f"r{i}", "tags": TAGS,
                                          "assumeRolePolicy": json.dumps({
                                              "Version": "2012-10-17", "Statement": [{
                                                  "Effect": "Allow", "Action": "sts:AssumeRole",
                                                  "Principal": {"Service": "ec2.amazonaws.com"}}]})}),
    ("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", lambda i, bad: {
        "name": f"net-{i}", "type": "network", "policy": json.dumps([{
            "Rules": [{"ResourceType": "collection", "Resource": [f"collection/c{i}"]}],
            "AllowFromPublic": bad, **({} if bad else {"SourceVPCEs": ["vpce-1"]})}])}),
    ("aws:bedrock/guardrail:Guardrail", lambda i, bad: {
        "name": f"g{i}", "blockedInputMessaging": "no", "blockedOutputsMessaging": "no",
        "tags": TAGS, "contentPolicyConfig": {"filtersConfigs": [
            {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
            *([] if bad else [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH",
                               "outputStrength": "NONE"}])]}}),
    ("coreweave:index/cksCluster:CksCluster", lambda i, bad: {
        "name": f"cks-{i}", "version": "v1.33", "zone": "US-EAST-04A", "vpcId": "vpc-1",
        "public": bad, **({} if bad else {"auditPolicy": "YXVkaXQ="})}),
    ("kubernetes:apps/v1:Deployment", lambda i, bad: {
        "metadata": {"name": f"app-{i}", "namespace": "serving"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"a{i}"}},
                 "template": {"metadata": {"labels": {"app": f"a{i}"}},
                              "spec": _pod_spec(i, bad)}}}),
    ("kubernetes:core/v1:Service", lambda i, bad: {
        "metadata": {"name": f"svc-{i}", "namespace": "serving"},
        "spec": {"type": "LoadBalancer" if bad else "ClusterIP", "ports": [{"port": 443}]}}),
]


def synthetic_graph(n: int = 5000, bad_every: int = 7) -> ResourceGraph:
    """``n`` custom resources of mixed types under components (one per 50), with dependencies.

    Every ``bad_every``-th resource is misconfigured. Deterministic.
    """
    recs: list[RecordedResource] = []
    comp_urn = ""
    prev = ""
    for i in range(n):
        if i % 50 == 0:
            comp_urn = f"urn:pulumi:{STACK}::{PROJECT}::aiops:bench:Group::group-{i // 50}"
            recs.append(RecordedResource(urn=comp_urn, type="aiops:bench:Group",
                                         name=f"group-{i // 50}", custom=False,
                                         parent=STACK_URN))
        type_, make = _KINDS[i % len(_KINDS)]
        name = f"r{i}"
        urn = f"urn:pulumi:{STACK}::{PROJECT}::aiops:bench:Group${type_}::{name}"
        stateful = type_ in ("aws:s3/bucketV2:BucketV2", "aws:kms/key:Key",
                             "aws:rds/cluster:Cluster")
        deps = (prev,) if prev and i % 3 == 0 else ()
        recs.append(RecordedResource(
            urn=urn, type=type_, name=name, custom=True, id=f"id-{i}", parent=comp_urn,
            inputs=make(i, i % bad_every == 0), protect=stateful, retain_on_delete=stateful,
            depends_on=deps, property_dependencies={"bucket": deps} if deps else {}))
        prev = urn
    return ResourceGraph(recs)


def _summary(label: str, report: PolicyReport, n: int, packs: int, seconds: float,
             cpu: float | None = None) -> str:
    c = Counter(d.enforcement_level for d in report.diagnostics)
    cpu_s = (f" [CPU {cpu:.2f} s: {n / cpu:,.0f} resources/s]" if cpu else "")
    return (f"{label:<11} {n:>6} resources × {packs} packs in {seconds:7.2f} s wall: "
            f"{n / seconds:>9,.0f} resources/s (all packs), "
            f"{n * packs / seconds:>10,.0f} resource×pack evaluations/s{cpu_s}; "
            f"{c.get('mandatory', 0)} mandatory / {c.get('advisory', 0)} advisory diagnostics")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--resources", type=int, default=5000)
    ap.add_argument("--grpc-resources", type=int, default=None,
                    help="graph size for the gRPC run (default: same as --resources; 0 skips)")
    ap.add_argument("--packs", nargs="*", default=None, help="default: every pack")
    ap.add_argument("--repeat", type=int, default=3, help="in-process runs (best is printed)")
    ns = ap.parse_args(argv)

    packs = ns.packs or list_packs()
    cfg = {"aws:region": "us-east-1"}
    graph = synthetic_graph(ns.resources)
    n = sum(1 for r in graph if r.custom)
    types = len({r.type for r in graph if r.custom})
    print(f"synthetic graph: {n} custom resources of {types} types, "
          f"{len(graph) - n} components; packs: {', '.join(packs)}")

    best, best_cpu = float("inf"), float("inf")
    report = None
    for _ in range(max(1, ns.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        report = evaluate_in_process(graph, packs=packs, stack_config=cfg)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    assert report is not None
    print(_summary("in-process", report, n, len(packs), best, best_cpu))
    rate = n / best
    print(f"  target ≥ 5,000 resources/s in-process: {'met' if rate >= 5000 else 'NOT met'} "
          f"(wall; {n / best_cpu:,.0f}/s by CPU time on a shared machine)")

    g_n = ns.resources if ns.grpc_resources is None else ns.grpc_resources
    if g_n > 0:
        g_graph = graph if g_n == ns.resources else synthetic_graph(g_n)
        t0 = time.perf_counter()
        g_report = evaluate_graph(g_graph, packs=packs, stack_config=cfg)
        secs = time.perf_counter() - t0
        gn = sum(1 for r in g_graph if r.custom)
        print(_summary("gRPC", g_report, gn, len(packs), secs)
              + " (includes starting each pack)")
        if g_n == ns.resources:
            key = lambda d: (d.pack, d.policy, d.urn or "", d.enforcement_level)  # noqa: E731
            same = sorted(map(key, report.diagnostics)) == sorted(map(key, g_report.diagnostics))
            print(f"  in-process and gRPC diagnostics agree: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
