"""Helpers of the data-layer tests: a contract-only GPU cluster, IAM linting, constants."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from pulumi_aiops.catalog import Cloud
from pulumi_aiops.contract import GpuCluster, gpu_toleration
from pulumi_aiops.testing import ResourceGraph

#: Parliament severities that count as errors (parliament has CRITICAL/HIGH/MEDIUM/LOW).
ERROR_SEVERITIES = {"CRITICAL", "HIGH", "MEDIUM"}
#: LOW findings we also refuse: they mean a misspelt action or service prefix.
STRICT_ISSUES = {"UNKNOWN_ACTION", "UNKNOWN_PREFIX"}

#: Types whose instances hold data and must be protected and retained.
STATEFUL_TYPES = {
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:rds/cluster:Cluster",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "pulumi-python:dynamic/aiops:AossIndex",
    "pulumi-python:dynamic/aiops:PgvectorSchema",
}

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "confidential"}
DEPLOYER = "arn:aws:iam::123456789012:role/deployer"


class ContractCluster(GpuCluster):
    """A GPU cluster that implements only the contract: what VectorStore may rely on."""

    def __init__(self, name: str, cloud: Cloud = Cloud.COREWEAVE) -> None:
        super().__init__("test:index:ContractCluster", name, {}, None)
        self.cloud = cloud
        self.cluster_name = name
        self.kubeconfig = pulumi.Output.secret("apiVersion: v1\nkind: Config\n")
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig,
                                     opts=pulumi.ResourceOptions(parent=self))
        self.gpu_node_selector = {"nvidia.com/gpu.present": "true"}
        self.gpu_tolerations = [gpu_toleration()]
        self.gpu_capacity = []
        self.system_node_selector = {"pulumi-aiops/system": "true"}  # where a non-GPU workload runs
        self._register_contract_outputs()


def iam_documents(graph: ResourceGraph) -> list[tuple[str, str, dict[str, Any]]]:
    """Every identity/resource policy document in the graph: (resource name, type, doc)."""
    out = []
    for r in graph:
        for key in ("policy", "assumeRolePolicy"):
            raw = r.inputs.get(key)
            if not isinstance(raw, str) or r.type.startswith("aws:opensearch/"):
                continue
            doc = json.loads(raw)
            if isinstance(doc, dict) and "Statement" in doc:
                out.append((r.name, key, doc))
    return out


def parliament_errors(doc: dict[str, Any]) -> list[str]:
    """Parliament findings of error severity for one document."""
    import parliament

    policy = parliament.analyze_policy_string(json.dumps(doc), include_community_auditors=False)
    errors = []
    for f in policy.findings:
        sev = parliament.config.get(f.issue, {}).get("severity", "HIGH")
        if sev in ERROR_SEVERITIES or f.issue in STRICT_ISSUES:
            errors.append(f"{f.issue} ({sev}): {f.detail}")
    return errors
