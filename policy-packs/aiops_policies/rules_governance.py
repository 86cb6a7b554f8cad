"""Governance: ownership tags on taggable AWS resources, and data residency (a stack rule)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from aiops_policies._controls import INVENTORY_TAGS
from aiops_policies._core import (
    Fixture,
    FixtureResource,
    Rule,
    as_mapping,
    parse_json_doc,
    resource_rule,
    safe_get,
    stack_rule,
)

__all__ = ["RULES", "TAGGABLE_TYPES", "allowed_regions"]

F, R = Fixture, FixtureResource

#: AWS resource types that take ``tags`` (the rule also checks any ``aws:`` resource whose
#: props carry a ``tags`` key).
TAGGABLE_TYPES: frozenset[str] = frozenset({
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet",
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/instance:Instance", "aws:ec2/eip:Eip",
    "aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ebs/volume:Volume",
    "aws:rds/instance:Instance", "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance", "aws:rds/subnetGroup:SubnetGroup",
    "aws:opensearch/domain:Domain",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/user:User",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:sagemaker/featureGroup:FeatureGroup", "aws:sagemaker/domain:Domain",
    "aws:sagemaker/endpoint:Endpoint", "aws:sagemaker/model:Model",
    "aws:bedrock/guardrail:Guardrail",
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput",
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "aws:bedrock/agentAgent:AgentAgent",
    "aws:dynamodb/table:Table", "aws:ecr/repository:Repository",
    "aws:secretsmanager/secret:Secret", "aws:sns/topic:Topic", "aws:sqs/queue:Queue",
    "aws:lambda/function:Function", "aws:efs/fileSystem:FileSystem",
    "aws:fsx/lustreFileSystem:LustreFileSystem", "aws:lb/loadBalancer:LoadBalancer",
    "aws:cloudtrail/trail:Trail", "aws:elasticache/replicationGroup:ReplicationGroup",
})

_REQUIRED = ["owner", "cost-center", "data-classification"]
_CLASSES = ["public", "internal", "confidential", "restricted", "pii", "phi", "pci"]


def _tags(props: Mapping[str, Any], cfg: Mapping[str, Any], args: Any) -> Iterator[str]:
    t = getattr(args, "resource_type", "")
    extra = {str(x) for x in cfg["additionalTaggableTypes"]}
    if t not in TAGGABLE_TYPES and t not in extra and not (t.startswith("aws:") and "tags" in props):
        return
    tags: dict[str, Any] = {}
    provider = getattr(args, "provider", None)
    if provider is not None:
        # The AWS provider's config arrives JSON-encoded (the SDK serializes it with to_json).
        default_tags = as_mapping(parse_json_doc(safe_get(as_mapping(provider.props), "defaultTags")))
        tags.update(as_mapping(safe_get(default_tags, "tags")))
    tags.update(as_mapping(props.get("tags")))
    missing = [k for k in cfg["requiredTags"] if not str(tags.get(k) or "").strip()]
    if missing:
        yield f"missing required tags: {', '.join(missing)}"
    cls = tags.get("data-classification")
    allowed = [str(x) for x in cfg["allowedClassifications"]]
    if cls and allowed and str(cls) not in allowed:
        yield (f"data-classification {cls!r} is not one of {', '.join(allowed)}")


# --- data residency --------------------------------------------------------------------------

def _stack_config() -> dict[str, Any]:
    raw = os.environ.get("PULUMI_CONFIG")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def allowed_regions(cfg: Mapping[str, Any]) -> list[str]:
    """The allowed AWS regions: the rule config, else ``aiops:platform.allowedRegions``, else the
    stack's ``aws:region`` (from ``PULUMI_CONFIG``)."""
    regions = [str(r) for r in cfg.get("allowedRegions") or []]
    if regions:
        return regions
    sc = _stack_config()
    platform = sc.get("aiops:platform")
    if isinstance(platform, str):
        try:
            platform = json.loads(platform)
        except ValueError:
            platform = None
    if isinstance(platform, Mapping):
        regions = [str(r) for r in platform.get("allowedRegions") or []]
        if regions:
            return regions
    region = sc.get("aws:region")
    return [str(region)] if region else []


def _zone_patterns(cfg: Mapping[str, Any], regions: Sequence[str]) -> list[str]:
    zones = [str(z) for z in cfg.get("allowedCoreweaveZones") or []]
    if zones:
        return zones
    geos = sorted({r.split("-", 1)[0].upper() for r in regions if "-" in r})
    return [f"{g}-*" for g in geos]


_CW_ZONE_TYPES = ("coreweave:index/cksCluster:CksCluster",
                  "coreweave:index/networkingVpc:NetworkingVpc")


def _residency(resources: Sequence[Any], cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    regions = allowed_regions(cfg)
    zones = _zone_patterns(cfg, regions)
    seen_providers: set[str] = set()

    def check_provider(p: Any) -> Iterator[tuple[str, str | None]]:
        if p is None or p.urn in seen_providers or not str(p.resource_type).endswith(":aws"):
            return
        seen_providers.add(p.urn)
        region = safe_get(as_mapping(p.props), "region")
        if region and regions and str(region) not in regions:
            yield (f"AWS provider {p.name} deploys to {region}, outside the allowed regions "
                   f"{', '.join(regions)}", p.urn)

    for r in resources:
        t = r.resource_type
        if t == "pulumi:providers:aws":
            yield from check_provider(r)
            continue
        if t.startswith("aws:"):
            yield from check_provider(getattr(r, "provider", None))
            region = safe_get(r.props, "region")
            if region and regions and str(region) not in regions:
                yield (f"{r.name} ({t.split(':')[-1]}) is placed in {region}, outside the "
                       f"allowed regions {', '.join(regions)}", r.urn)
        elif t in _CW_ZONE_TYPES:
            zone = safe_get(r.props, "zone")
            if zone and zones and not any(fnmatchcase(str(zone).upper(), z.upper())
                                          for z in zones):
                yield (f"{r.name} is in CoreWeave zone {zone}, outside the allowed zones "
                       f"{', '.join(zones)}", r.urn)


_TAGS = {"owner": "ml-platform", "cost-center": "cc-4021", "data-classification": "internal"}

RULES: list[Rule] = [
    resource_rule(
        "aws-required-tags",
        "Taggable AWS resources carry the owner, cost-center and data-classification tags "
        "(directly or through the provider's defaultTags), with a known classification.",
        "medium",
        remediation="Add tags {owner, cost-center, data-classification} to the resource, or set "
                    "defaultTags.tags on the AWS provider; data-classification takes one of the "
                    "allowedClassifications.",
        frameworks=INVENTORY_TAGS,
        resource_types=tuple(sorted(TAGGABLE_TYPES)),
        type_prefix="aws:",
        check=_tags,
        config_schema={
            "requiredTags": {"type": "array", "items": {"type": "string"}, "default": _REQUIRED},
            "allowedClassifications": {"type": "array", "items": {"type": "string"},
                                       "default": _CLASSES},
            "additionalTaggableTypes": {"type": "array", "items": {"type": "string"},
                                        "default": []},
        },
        fixtures=(
            F("fail", R("aws:s3/bucketV2:BucketV2", "raw", {"bucket": "raw"})),
            F("fail", R("aws:kms/key:Key", "k", {"enableKeyRotation": True,
                                                 "tags": {"owner": "ml"}})),
            F("fail", R("aws:eks/cluster:Cluster", "c", {"tags": {**_TAGS,
                                                                  "data-classification": "x"}})),
            F("pass", R("aws:s3/bucketV2:BucketV2", "raw", {"bucket": "raw", "tags": _TAGS})),
            F("pass", R("aws:ec2/vpc:Vpc", "v", {"cidrBlock": "10.0.0.0/16", "tags": {
                **_TAGS, "Name": "v"}})),
            F("fail", R("aws:glue/catalogDatabase:CatalogDatabase", "db", {"tags": {"owner": "ml"}}),
              note="any AWS resource that takes tags, beyond the listed types"),
            F("pass", R("aws:glue/catalogDatabase:CatalogDatabase", "db", {"tags": _TAGS})),
        ),
    ),
    stack_rule(
        "data-residency",
        "AWS providers, region-pinned AWS resources and CoreWeave clusters stay in the allowed "
        "regions and zones (from config; default: aiops:platform.allowedRegions or aws:region).",
        "high",
        remediation="Deploy to an allowed region (provider region / resource region) or CoreWeave "
                    "zone, or extend allowedRegions after a transfer impact assessment (GDPR "
                    "Chapter V).",
        frameworks={"gdpr": ("Art. 44", "Art. 46"), "hipaa": ("§164.308(b)(1)",),
                    "soc2": ("C1.1",), "nist-800-53": ("SA-9(5)",),
                    "nist-ai-rmf": ("GOVERN 1.1", "MAP 4.1")},
        resource_types=("pulumi:providers:aws", *_CW_ZONE_TYPES),
        check=_residency,
        baseline=False,
        config_schema={
            "allowedRegions": {"type": "array", "items": {"type": "string"}, "default": [],
                               "description": "Allowed AWS regions; [] = aiops:platform."
                                              "allowedRegions, else the stack's aws:region."},
            "allowedCoreweaveZones": {"type": "array", "items": {"type": "string"},
                                      "default": [],
                                      "description": "Zone patterns (US-EAST-*); [] = the "
                                                     "geographies of the allowed regions."},
        },
        fixtures=(
            F("fail", resources=(R("pulumi:providers:aws", "eu", {"region": "eu-west-1"}),),
              config={"allowedRegions": ["us-east-1"]}),
            F("fail", resources=(R("aws:s3/bucketV2:BucketV2", "b", {"region": "ap-south-1"}),),
              config={"allowedRegions": ["us-east-1", "us-west-2"]}),
            F("fail", resources=(R("coreweave:index/cksCluster:CksCluster", "cks",
                                   {"zone": "EU-SOUTH-04A"}),),
              config={"allowedRegions": ["us-east-1"]}),
            F("pass", resources=(R("pulumi:providers:aws", "us", {"region": "us-west-2"}),
                                 R("coreweave:index/cksCluster:CksCluster", "cks",
                                   {"zone": "US-EAST-04A"})),
              config={"allowedRegions": ["us-east-1", "us-west-2"]}),
        ),
    ),
]
