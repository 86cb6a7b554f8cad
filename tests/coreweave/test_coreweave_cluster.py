"""CoreWeaveGpuCluster under mocks: the CKS inputs, the NodePool manifests, the kubeconfig, the
dataset buckets, and that nothing installs NVIDIA drivers or the GPU Operator on CKS."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest
import yaml
from cw_helpers import POOL_H100, TOKEN, run_cluster, run_platform

from pulumi_aiops.config.coreweave import DEFAULT_AUDIT_POLICY_YAML

CKS = "coreweave:index/cksCluster:CksCluster"
VPC = "coreweave:index/networkingVpc:NetworkingVpc"
NODEPOOL = "kubernetes:compute.coreweave.com/v1alpha1:NodePool"
BUCKET = "coreweave:index/objectStorageBucket:ObjectStorageBucket"
VERSIONING = "coreweave:index/objectStorageBucketVersioning:ObjectStorageBucketVersioning"
BUCKET_POLICY = "coreweave:index/objectStorageBucketPolicy:ObjectStorageBucketPolicy"

#: CoreWeave's NodePool spec schema (docs.coreweave.com, CKS "Node Pool reference"), the fields
#: this library sets. additionalProperties false: a misspelt field fails the test.
NODEPOOL_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "compute.coreweave.com/v1alpha1"},
        "kind": {"const": "NodePool"},
        "metadata": {"type": "object", "required": ["name"], "not": {"required": ["namespace"]}},
        "spec": {
            "type": "object",
            "required": ["instanceType", "targetNodes"],
            "additionalProperties": False,
            "properties": {
                "computeClass": {"enum": ["default"]},
                "instanceType": {"type": "string"},
                "targetNodes": {"type": "number", "minimum": 0},
                "minNodes": {"type": "number", "minimum": 0},
                "maxNodes": {"type": "number", "minimum": 0},
                "autoscaling": {"type": "boolean"},
                "nodeLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                "nodeAnnotations": {"type": "object", "additionalProperties": {"type": "string"}},
                "nodeTaints": {"type": "array", "items": {
                    "type": "object", "required": ["key", "effect"], "additionalProperties": False,
                    "properties": {"key": {"type": "string"}, "value": {"type": "string"},
                                   "effect": {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]}}}},
                "lifecycle": {"type": "object", "additionalProperties": False, "properties": {
                    "scaleDownStrategy": {"enum": ["IdleOnly", "PreferIdle"]}}},
            },
        },
    },
}


def test_cks_cluster_is_private_audited_and_wired_to_its_vpc() -> None:
    g = run_cluster({"node_pools": [POOL_H100]})
    cks, vpc = g.one(CKS).inputs, g.one(VPC)
    assert cks["public"] is False
    assert cks["zone"] == "US-EAST-04A" and vpc.inputs["zone"] == "US-EAST-04A"
    assert cks["version"] == "v1.35"
    assert cks["vpcId"] == vpc.id
    assert vpc.urn in g.one(CKS).property_dependencies["vpcId"]
    prefixes = {p["name"] for p in vpc.inputs["vpcPrefixes"]}
    assert cks["podCidrName"] == "pod-cidr" and cks["serviceCidrName"] == "service-cidr"
    assert cks["internalLbCidrNames"] == ["internal-lb-cidr"]
    assert {cks["podCidrName"], cks["serviceCidrName"], *cks["internalLbCidrNames"]} <= prefixes
    assert len(cks["name"]) <= 30 and len(vpc.inputs["name"]) <= 30
    # audit policy on by default: base64 of an audit.k8s.io Policy that never logs secret bodies
    policy = yaml.safe_load(base64.b64decode(cks["auditPolicy"]))
    assert policy["apiVersion"] == "audit.k8s.io/v1" and policy["kind"] == "Policy"
    secret_rules = [r for r in policy["rules"]
                    if any("secrets" in res.get("resources", []) for res in r.get("resources", []))]
    assert secret_rules and secret_rules[0]["level"] == "Metadata"
    first_match = next(r for r in policy["rules"] if r.get("resources") and any(
        "secrets" in res.get("resources", []) for res in r["resources"]))
    assert policy["rules"].index(first_match) < next(
        i for i, r in enumerate(policy["rules"]) if r["level"] in ("Request", "RequestResponse"))
    # the VPC keeps public LoadBalancers off
    assert vpc.inputs["ingress"] == {"disablePublicServices": True}


def test_cks_options_reach_the_provider_inputs() -> None:
    custom = DEFAULT_AUDIT_POLICY_YAML.replace("omitStages:", "# custom\nomitStages:")
    g = run_cluster({
        "cks": {"zone": "US-WEST-04A", "version": "v1.34", "apiAccess": "public", "name": "ml-cks",
                "auditPolicy": "custom", "customAuditPolicy": custom,
                "oidc": {"issuerUrl": "https://login.example.com", "clientId": "cks",
                         "adminGroupBinding": "platform-admins", "groupsClaim": "groups"}},
        "vpc": {"hostPrefixes": [{"name": "hosts", "type": "ROUTED", "prefixes": ["172.16.0.0/16"],
                                  "ipam": {"prefixLength": 24}}],
                "dnsServers": ["10.0.0.53"]},
    })
    cks, vpc = g.one(CKS).inputs, g.one(VPC).inputs
    assert cks["public"] is True and cks["zone"] == "US-WEST-04A" and cks["name"] == "ml-cks"
    assert base64.b64decode(cks["auditPolicy"]).decode() == custom.strip()
    assert cks["oidc"] == {"issuerUrl": "https://login.example.com", "clientId": "cks",
                           "adminGroupBinding": "platform-admins", "groupsClaim": "groups"}
    assert vpc["zone"] == "US-WEST-04A"
    assert vpc["hostPrefixes"] == [{"name": "hosts", "type": "ROUTED",
                                    "prefixes": ["172.16.0.0/16"], "ipam": {"prefixLength": 24.0}}]
    assert vpc["dhcp"] == {"dns": {"servers": ["10.0.0.53"]}}


def test_audit_policy_off_only_when_asked() -> None:
    g = run_cluster({"cks": {"auditPolicy": "off"}})
    assert "auditPolicy" not in g.one(CKS).inputs


def test_nodepools_match_coreweave_schema_and_use_the_cluster_provider() -> None:
    l40s = {"name": "l40s", "instanceType": "gd-8xl40s-i128", "targetNodes": 2,
            "nodeLabels": {"team": "search"}, "scaleDownStrategy": "PreferIdle"}
    g = run_cluster({"node_pools": [POOL_H100, l40s]})
    pools = {r.inputs["metadata"]["name"]: r for r in g.of_type(NODEPOOL)}
    assert set(pools) == {"h100", "l40s"}
    k8s_provider = g.one("pulumi:providers:kubernetes")
    for r in pools.values():
        jsonschema.validate(r.inputs, NODEPOOL_SCHEMA)
        assert r.provider == k8s_provider.urn
        assert r.inputs["spec"]["nodeTaints"] == [
            {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
        assert r.inputs["spec"]["nodeLabels"]["pulumi-aiops/gpu"] == "true"
    h100 = pools["h100"].inputs["spec"]
    assert (h100["instanceType"], h100["targetNodes"], h100["minNodes"], h100["maxNodes"]) == (
        "gd-8xh100ib-i128", 1.0, 0.0, 2.0)
    assert h100["autoscaling"] is True
    assert h100["lifecycle"] == {"scaleDownStrategy": "IdleOnly"}
    l40 = pools["l40s"].inputs["spec"]
    assert (l40["targetNodes"], l40["minNodes"], l40["maxNodes"], l40["autoscaling"]) == (2.0, 2.0, 2.0, False)
    assert l40["nodeLabels"] == {"team": "search", "pulumi-aiops/gpu": "true"}
    assert l40["lifecycle"] == {"scaleDownStrategy": "PreferIdle"}


def test_no_gpu_operator_drivers_or_helm_on_coreweave() -> None:
    g = run_cluster({"node_pools": [POOL_H100], "datasets": [{"name": "acme-train"}]})
    top = g.named("cw", "aiops:index:CoreWeaveGpuCluster")
    kinds = {r.type for r in g.descendants(top.urn)}
    assert kinds == {
        "pulumi:providers:coreweave", "pulumi:providers:kubernetes", VPC, CKS, NODEPOOL,
        BUCKET, VERSIONING, BUCKET_POLICY,
    }
    text = json.dumps([r.to_dict() for r in g]).lower()
    for banned in ("gpu-operator", "nvidia-device-plugin", "helm.sh", "kubernetes:helm"):
        assert banned not in text


def test_kubeconfig_is_secret_and_built_from_endpoint_and_token() -> None:
    g = run_cluster({"node_pools": [POOL_H100]})
    endpoint = g.one(CKS).outputs["apiServerEndpoint"]
    prov = g.one("pulumi:providers:kubernetes").inputs["kubeconfig"]
    assert isinstance(prov, dict) and "value" in prov  # a secret value, not plain text
    kc = json.loads(prov["value"])
    assert kc["clusters"][0]["cluster"]["server"] == endpoint
    assert kc["users"][0]["user"] == {"token": TOKEN}
    assert kc["current-context"] == kc["contexts"][0]["name"]
    cw_prov = g.one("pulumi:providers:coreweave").inputs["token"]
    assert isinstance(cw_prov, dict) and cw_prov["value"] == TOKEN
    out = next(iter(g.component_outputs.values()))
    assert isinstance(out["kubeconfig"], dict)  # the contract output is a secret too
    assert out["apiServerEndpoint"] == endpoint


def test_dataset_buckets_are_versioned_protected_and_policy_bound() -> None:
    g = run_cluster({"datasets": [{"name": "acme-train", "readers": ["reader-key"],
                                   "writers": ["ingest-key"]}]},
                    )
    bucket, ver, pol = g.one(BUCKET), g.one(VERSIONING), g.one(BUCKET_POLICY)
    for r in (bucket, ver, pol):
        assert r.protect and r.retain_on_delete
    assert bucket.inputs["zone"] == "US-EAST-04A"
    assert bucket.inputs["tags"]["cost-center"] == "cc-1"
    assert ver.inputs == {"bucket": "acme-train", "versioningConfiguration": {"status": "Enabled"}}
    doc = json.loads(pol.inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["DenyVersionDeletion"]["Effect"] == "Deny"
    assert by_sid["DenyVersionDeletion"]["Action"] == ["s3:DeleteObjectVersion"]
    assert by_sid["DatasetRead"]["Principal"] == {"CW": ["ingest-key", "reader-key"]}
    assert not any(a.startswith(("s3:Put", "s3:Delete")) for a in by_sid["DatasetRead"]["Action"])
    assert by_sid["DatasetWrite"]["Principal"] == {"CW": ["ingest-key"]}
    assert "s3:PutObject" in by_sid["DatasetWrite"]["Action"]
    assert all(r.startswith("arn:aws:s3:::acme-train") for s in doc["Statement"] for r in s["Resource"])


def test_gpu_capacity_contract_outputs() -> None:
    g = run_cluster({"node_pools": [POOL_H100, {"name": "gb", "instanceType": "gb200-4x",
                                                "targetNodes": 18}]})
    out = next(iter(g.component_outputs.values()))
    rows = {r["pool"]: r for r in out["gpuCapacity"]}
    assert rows["h100"]["maxGpus"] == 16 and rows["h100"]["gpuModel"] == "H100"
    assert rows["gb"]["gpusPerNode"] == 4 and rows["gb"]["maxGpus"] == 72
    assert out["cloud"] == "coreweave" and out["clusterName"] == "cw"
    assert out["gpuNodeSelector"] == {"pulumi-aiops/gpu": "true"}
    assert out["gpuTolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_builder_creates_every_coreweave_cluster_with_its_own_providers(base_platform: dict) -> None:
    platform = {**base_platform,
                "coreweave": {"name": "cw-east", "nodePools": [POOL_H100]},
                "additionalClusters": [{"cloud": "coreweave", "name": "cw-west",
                                        "cks": {"zone": "US-WEST-04A"},
                                        "nodePools": [{**POOL_H100, "instanceType": "gd-8xh200ib-i128"}]}]}
    g = run_platform(platform)
    assert {r.name for r in g.of_type("aiops:index:CoreWeaveGpuCluster")} == {"cw-east", "cw-west"}
    assert {r.inputs["zone"] for r in g.of_type(CKS)} == {"US-EAST-04A", "US-WEST-04A"}
    assert len(g.of_type("pulumi:providers:kubernetes")) == 2
    cap = g.stack_outputs["gpuCapacity"]
    assert {(r["cluster"], r["gpuModel"]) for r in cap} == {("cw-east", "H100"), ("cw-west", "H200")}
    clusters = g.stack_outputs["clusters"]
    clusters = clusters.get("value", clusters)  # the whole output is secret: it holds kubeconfigs
    assert set(clusters) == {"cw-east", "cw-west"}


@pytest.mark.parametrize("stack_name", ["prod", "dev"])
def test_stack_names_keep_cks_names_short(stack_name: str) -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.testing import run_program

    def program() -> None:
        CoreWeaveGpuCluster("a-very-long-cluster-name-here", {})

    g = run_program(program, {"coreweave:token": TOKEN}, stack=stack_name,
                    secret_keys={"coreweave:token"})
    assert len(g.one(CKS).inputs["name"]) <= 30
    assert not g.one(CKS).inputs["name"].endswith("-")


def test_stack_names_are_made_valid_cks_names() -> None:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster
    from pulumi_aiops.testing import run_program

    g = run_program(lambda: CoreWeaveGpuCluster("cw", {}), {"coreweave:token": TOKEN},
                    stack="Team_A.Prod", secret_keys={"coreweave:token"})
    assert g.one(CKS).inputs["name"] == "cw-team-a-prod"


def test_autoscaled_pools_leave_target_nodes_to_the_cks_autoscaler() -> None:
    fixed = {**POOL_H100, "name": "fixed", "autoscaling": "disabled"}
    g = run_cluster({"node_pools": [POOL_H100, fixed]})
    pools = {r.inputs["metadata"]["name"]: r for r in g if r.type.endswith(":NodePool")}
    assert pools["h100"].ignore_changes == ("spec.targetNodes",)
    assert pools["fixed"].ignore_changes == ()


def test_kubeconfig_adds_https_to_a_bare_endpoint() -> None:
    from pulumi_aiops.testing import RecordingMocks

    class BareEndpoint(RecordingMocks):
        OUTPUTS = {CKS: lambda m, a: {"apiServerEndpoint": "org1-abc123.k8s.us-east-04a.coreweave.com"}}

    g = run_cluster({}, mocks=BareEndpoint())
    kc = json.loads(g.one("pulumi:providers:kubernetes").inputs["kubeconfig"]["value"])
    assert kc["clusters"][0]["cluster"]["server"] == "https://org1-abc123.k8s.us-east-04a.coreweave.com"
