"""Bad data-layer config fails with a ConfigError naming the key path, before any resource."""

from __future__ import annotations

import copy
from typing import Any

import pulumi_aws as aws
import pytest
from data_helpers import DEPLOYER, ContractCluster

from pulumi_aiops.config import load_platform_config
from pulumi_aiops.data_lake import DataLake
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program
from pulumi_aiops.vector_store import VectorStore

BASE: dict[str, Any] = {
    "environment": "prod",
    "governance": {"owner": "ml", "costCenter": "cc-1"},
    "eks": {"name": "eks"},
}
OS_STORE = {"name": "kb-docs", "backend": "opensearch-serverless",
            "opensearch": {"adminPrincipals": [DEPLOYER]}}
FG = {"name": "users", "recordIdentifier": "user_id", "eventTime": "ts",
      "features": [{"name": "user_id", "type": "String"}, {"name": "ts", "type": "Fractional"}]}

CASES = [
    ("unknown classification", {"dataLake": {"classification": "secret"}},
     "aiops:platform.dataLake.classification: 'secret' is not allowed",
     "'public', 'internal', 'confidential', 'phi' or 'pci'"),
    ("unknown vector backend", {"vectorStores": [{"name": "kb-x", "backend": "pinecone"}]},
     "aiops:platform.vectorStores[0].backend: 'pinecone' is not allowed",
     "'opensearch-serverless', 'aurora-pgvector' or 'qdrant'"),
    ("qdrant on an unknown cluster",
     {"vectorStores": [{"name": "kb-q", "backend": "qdrant", "qdrant": {"cluster": "gke"}}]},
     "aiops:platform.vectorStores[0].qdrant.cluster: 'gke' is not a cluster of this stack",
     "clusters: ['eks']"),
    ("wildcard AOSS principal",
     {"vectorStores": [{**OS_STORE, "opensearch": {"adminPrincipals": ["*"]}}]},
     "aiops:platform.vectorStores[0].opensearch.adminPrincipals[0]: '*' is not an IAM role",
     "no wildcards"),
    ("team prefix outside the modalities",
     {"dataLake": {"teams": [{"name": "t", "prefixes": ["docs/"]}]}},
     "aiops:platform.dataLake.teams[0].prefixes[0]: 'docs/' is not a key prefix", "text/, audio/"),
    ("team prefix of a modality not served",
     {"dataLake": {"modalities": ["text"], "teams": [{"name": "t", "prefixes": ["video/"]}]}},
     "aiops:platform.dataLake.teams[0].prefixes[0]: 'video/' names a modality", "['text']"),
    ("audit team without audit bucket",
     {"dataLake": {"teams": [{"name": "t", "zone": "audit", "prefixes": ["text/"]}]}},
     "aiops:platform.dataLake.teams[0].zone: 'audit' needs dataLake.audit", ""),
    ("glacier before infrequent access",
     {"dataLake": {"lifecycle": {"infrequentAccessDays": 60, "glacierDays": 45}}},
     "aiops:platform.dataLake.lifecycle.glacierDays: 45 must be at least 30 days after", "(60)"),
    ("glacier too soon after infrequent access",
     {"dataLake": {"lifecycle": {"infrequentAccessDays": 30, "glacierDays": 45}}},
     "aiops:platform.dataLake.lifecycle.glacierDays: 45 must be at least 30 days after", "STANDARD_IA"),
    ("feature store without a lake", {"featureStore": {"featureGroups": [FG]}},
     "aiops:platform.featureStore: '{…}' needs dataLake", ""),
    ("event time not a feature",
     {"dataLake": {}, "featureStore": {"featureGroups": [{**FG, "eventTime": "when"}]}},
     "aiops:platform.featureStore.featureGroups[0].eventTime: 'when' is not one of the features",
     "['ts', 'user_id']"),
    ("pgvector beyond HNSW dimensions",
     {"vectorStores": [{"name": "kb-pg", "backend": "aurora-pgvector", "dimensions": 3072}]},
     "aiops:platform.vectorStores[0].dimensions: 3072 exceeds 2000", ""),
    ("section of another backend",
     {"vectorStores": [{**OS_STORE, "aurora": {}}]},
     "aiops:platform.vectorStores[0].aurora:", "remove it"),
    ("duplicate store names", {"vectorStores": [OS_STORE, OS_STORE]},
     "aiops:platform.vectorStores[1].name: 'kb-docs' is already a vector store name", ""),
    ("VPC backend on a CoreWeave-only stack",
     {"eks": None, "coreweave": {"name": "cw"},
      "vectorStores": [{"name": "kb-pg", "backend": "aurora-pgvector"}]},
     "aiops:platform.vectorStores[0].backend: 'aurora-pgvector' needs an EKS cluster's VPC", ""),
    ("aurora capacity inverted",
     {"vectorStores": [{"name": "kb-pg", "backend": "aurora-pgvector",
                        "aurora": {"minCapacity": 8, "maxCapacity": 2}}]},
     "aiops:platform.vectorStores[0].aurora.maxCapacity: 2", "at least minCapacity"),
    ("auto-pause on an engine that cannot",
     {"vectorStores": [{"name": "kb-pg", "backend": "aurora-pgvector",
                        "aurora": {"minCapacity": 0, "engineVersion": "15.4"}}]},
     "aiops:platform.vectorStores[0].aurora.engineVersion: '15.4' needs an engine that can pause",
     "15.7 or later"),
]


@pytest.mark.parametrize("why,patch,path,allowed", CASES, ids=[c[0] for c in CASES])
def test_bad_platform_config(why: str, patch: dict[str, Any], path: str, allowed: str) -> None:
    raw = copy.deepcopy(BASE)
    raw.update(copy.deepcopy(patch))
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ConfigError) as err:
        load_platform_config(raw)
    message = str(err.value)
    assert path in message, message
    assert allowed in message, message


def test_component_errors_come_before_any_resource() -> None:
    caught: list[str] = []

    def program() -> None:
        for make in (
            lambda: DataLake("lake", {"classification": "top-secret"}),  # type: ignore[typeddict-item]
            lambda: DataLake("Lake", {}),
            lambda: VectorStore("kbq", {"backend": "qdrant", "qdrant": {}}),
            lambda: VectorStore("kbpg", {"backend": "aurora-pgvector"}),
            # The stack config names the cluster; the component takes the cluster itself.
            lambda: VectorStore("kbc", {"backend": "qdrant", "qdrant": {"cluster": "cw"},  # type: ignore[typeddict-unknown-key]
                                        "cluster": ContractCluster("cw")}),
            lambda: VectorStore("kbn", {"backend": "aurora-pgvector", "network": {
                "vpc_id": "vpc-0abc", "subnet_ids": ["subnet-0a"]}}),
            lambda: VectorStore("kbs", {"backend": "aurora-pgvector", "network": {
                "vpc_id": "igw-0abc", "subnet_ids": ["subnet-0a", "subnet-0b"],
                "client_security_group_ids": ["sg-01", "sg-01"]}}),
            lambda: DataLake("lake", {"teams": [{"name": "t", "prefixes": ["text/"],
                                                 "trusted_principals": ["arn:aws:iam::1:role/x"]}]}),
        ):
            try:
                make()
            except ConfigError as e:
                caught.append(str(e))

    graph = run_program(program, {"aws:region": "us-east-1"})
    # ContractCluster registers itself (a component and its provider); nothing else may.
    assert {r.type for r in graph} <= {"test:index:ContractCluster", "pulumi:providers:kubernetes"}
    assert caught[0].startswith("DataLake('lake').classification: 'top-secret' is not allowed")
    assert caught[1].startswith("DataLake('Lake'): the name is not allowed; S3 bucket names derive from it")
    assert caught[2].startswith("VectorStore('kbq').cluster: None is not allowed; the qdrant backend needs "
                                "a GpuCluster")
    assert caught[3].startswith("VectorStore('kbpg').network: None is not allowed; the aurora-pgvector backend "
                                "lives in a VPC")
    assert caught[4].startswith("VectorStore('kbc').qdrant.cluster: unknown key")
    assert caught[5].startswith("VectorStore('kbn').network.subnetIds: ['subnet-0a'] has fewer than two subnets")
    assert "VectorStore('kbs').network.vpc_id: 'igw-0abc' is not a VPC id" in caught[6]
    assert "VectorStore('kbs').network.client_security_group_ids[1]: 'sg-01' appears twice" in caught[6]
    assert caught[7].startswith("DataLake('lake').teams[0].trusted_principals[0]: 'arn:aws:iam::1:role/x' "
                                "is not an IAM principal ARN")
    assert len(caught) == 8


def test_grant_errors_name_the_zone_and_prefix() -> None:
    caught: list[str] = []

    def program() -> None:
        lake = DataLake("lake", {})
        role = aws.iam.Role("r", assume_role_policy="{}")
        for zone, prefix in (("audit", None), ("curated", "text/*")):
            try:
                lake.grant_read(role, prefix=prefix, zone=zone)
            except ConfigError as e:
                caught.append(str(e))
        lake.grant_read(role, prefix="text/")
        try:
            lake.grant_read(role, prefix="text/")
        except ConfigError as e:
            caught.append(str(e))

    run_program(program, {"aws:region": "us-east-1"})
    assert "DataLake('lake'): zone 'audit' is not allowed; zones: ['curated', 'raw']" in caught[0]
    assert "grant prefix: 'text/*' is not allowed" in caught[1]
    assert "already granted to role 'r'" in caught[2]
