"""Realistic mocks for offline runs: invokes answered, computed outputs filled in.

:class:`RecordingMocks` is a :class:`pulumi.runtime.Mocks` that product teams can use in their
own tests; subclass it and extend :attr:`RecordingMocks.OUTPUTS` or :attr:`RecordingMocks.CALLS`
for resource types or invokes it does not know yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pulumi

from pulumi_aiops.aws.iam import POLICY_VERSION

__all__ = ["RecordingMocks", "render_policy_document"]

OutputFn = Callable[["RecordingMocks", pulumi.runtime.MockResourceArgs], dict[str, Any]]
CallFn = Callable[["RecordingMocks", dict[str, Any]], dict[str, Any]]


def _h(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:n]


def render_policy_document(args: dict[str, Any]) -> str:
    """Render ``aws.iam.get_policy_document`` arguments (camelCase) the way the provider does."""
    stmts = []
    for s in args.get("statements") or []:
        st: dict[str, Any] = {}
        if s.get("sid"):
            st["Sid"] = s["sid"]
        st["Effect"] = s.get("effect", "Allow")
        for key, out in (("actions", "Action"), ("notActions", "NotAction"),
                         ("resources", "Resource"), ("notResources", "NotResource")):
            vals = s.get(key)
            if vals:
                vals = sorted(vals, reverse=False)
                st[out] = vals[0] if len(vals) == 1 else vals
        for key, out in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            ps = s.get(key)
            if ps:
                pmap: dict[str, Any] = {}
                for p in ps:
                    ids = sorted(p.get("identifiers") or [])
                    if p.get("type") == "*":
                        pmap = "*"  # type: ignore[assignment]
                        break
                    pmap[p["type"]] = ids[0] if len(ids) == 1 else ids
                st[out] = pmap
        conds = s.get("conditions")
        if conds:
            cmap: dict[str, dict[str, Any]] = {}
            for c in conds:
                vals = list(c.get("values") or [])
                cmap.setdefault(c["test"], {})[c["variable"]] = vals[0] if len(vals) == 1 else vals
            st["Condition"] = cmap
        stmts.append(st)
    doc = {"Version": args.get("version") or POLICY_VERSION, "Statement": stmts}
    return json.dumps(doc, indent=2)


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks with realistic answers for the invokes and computed outputs components use.

    Example::

        mocks = RecordingMocks(region="eu-west-1", account_id="210987654321")
        graph = run_program(program, {"aws:region": "eu-west-1"}, mocks=mocks)

    ``stack_references`` answers ``pulumi.StackReference(name)`` with that stack's outputs
    (a product team's program that reads the platform stack)::

        RecordingMocks(stack_references={"acme/aiops/prod": {"clusters": {...}}})
    """

    #: Extra computed outputs per resource type token, merged over the inputs.
    OUTPUTS: dict[str, OutputFn] = {}
    #: Answers per invoke token.
    CALLS: dict[str, CallFn] = {}

    def __init__(self, region: str = "us-east-1", account_id: str = "123456789012",
                 stack_references: dict[str, dict[str, Any]] | None = None) -> None:
        self.region = region
        self.account_id = account_id
        self.stack_references = dict(stack_references or {})
        self.unanswered_calls: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    # -- helpers ---------------------------------------------------------------------------
    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        """An ARN in this mock's partition, region and account."""
        return (f"arn:aws:{service}:{self.region if region else ''}:"
                f"{self.account_id if account else ''}:{resource}")

    def physical_name(self, args: pulumi.runtime.MockResourceArgs) -> str:
        """The auto-name the AWS provider would give: logical name plus a stable suffix."""
        return f"{args.name}-{_h(args.typ + args.name, 7)}"

    # -- Mocks API ---------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        state = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            name = str(state.get("name") or args.name)
            if name not in self.stack_references:
                raise KeyError(f"StackReference {name!r}: no outputs given; pass "
                               f"RecordingMocks(stack_references={{{name!r}: {{...}}}})")
            return name, {"name": name, "outputs": self.stack_references[name], "secretOutputNames": []}
        fn = self.OUTPUTS.get(args.typ) or _DEFAULT_OUTPUTS.get(args.typ)
        if fn is not None:
            state.update(fn(self, args))
        elif args.typ.startswith("aws:") and "arn" not in state:
            mod = args.typ.split(":")[1].split("/")[0]
            state["arn"] = self.arn(mod, f"{args.typ.rsplit(':', 1)[1].lower()}/{args.name}")
        if not args.custom:
            return None, state
        rid = state.get("id") or f"{args.name}-{_h(args.typ + args.name)}"
        return str(rid), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        a = dict(args.args)
        self.calls.append((args.token, a))
        fn = self.CALLS.get(args.token) or _DEFAULT_CALLS.get(args.token)
        if fn is None:
            self.unanswered_calls.append(args.token)
            return {}
        return fn(self, a)


_FAKE_CA = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lH"
    "OXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJMk1URXlOREF3TURB"
    "d01Gb1hEVE0yTVRFeU1qQXdNREF3TUZvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FT"
    "SXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBS1lQCi0tLS0tRU5EIENFUlRJRklD"
    "QVRFLS0tLS0K"
)


# -- default computed outputs -----------------------------------------------------------------
def _eks_cluster(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name = a.inputs.get("name") or m.physical_name(a)
    oidc_id = _h(name, 32).upper()
    vpc = dict(a.inputs.get("vpcConfig") or {})
    vpc.setdefault("clusterSecurityGroupId", f"sg-{_h(name + 'cluster', 17)}")
    vpc.setdefault("vpcId", "vpc-0a1b2c3d4e5f60718")
    return {
        "name": name,
        "arn": m.arn("eks", f"cluster/{name}"),
        "endpoint": f"https://{oidc_id}.gr7.{m.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": _FAKE_CA},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{m.region}.amazonaws.com/id/{oidc_id}"}]}],
        "vpcConfig": vpc,
        "status": "ACTIVE",
        "platformVersion": "eks.1",
    }


def _named_arn(service: str, kind: str, key: str = "name", region: bool = True) -> OutputFn:
    def fn(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
        name = a.inputs.get(key) or m.physical_name(a)
        return {key: name, "arn": m.arn(service, f"{kind}{name}", region=region)}
    return fn


def _kms_key(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    kid = f"{_h(a.name, 8)}-{_h(a.name + '1', 4)}-{_h(a.name + '2', 4)}-{_h(a.name + '3', 4)}-{_h(a.name + '4', 12)}"
    return {"id": kid, "keyId": kid, "arn": m.arn("kms", f"key/{kid}")}


def _s3_bucket(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name = a.inputs.get("bucket") or m.physical_name(a)
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{m.region}.amazonaws.com",
            "region": m.region}


def _prefixed_id(prefix: str) -> OutputFn:
    def fn(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
        rid = f"{prefix}-{_h(a.typ + a.name, 17)}"
        return {"id": rid, "arn": m.arn("ec2", f"{prefix}/{rid}")}
    return fn


def _log_group(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name = a.inputs.get("name") or m.physical_name(a)
    return {"name": name, "arn": m.arn("logs", f"log-group:{name}")}


def _oidc_provider(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    url = str(a.inputs.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{m.account_id}:oidc-provider/{url}"}


def _random_password(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    length = int(a.inputs.get("length", 32))
    return {"result": (_h(a.name, 40) * 4)[:length]}


def _cks_cluster(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name = a.inputs.get("name") or a.name
    zone = str(a.inputs.get("zone", "US-EAST-04A")).lower()
    cid = _h(name, 12)
    return {"id": cid, "apiServerEndpoint": f"https://{cid}.k8s.{zone}.coreweave.com",
            "serviceAccountOidcIssuerUrl": f"https://oidc.cks.coreweave.com/id/{cid}",
            "status": "RUNNING"}


def _launch_template(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    return {**_prefixed_id("lt")(m, a), "latestVersion": 1, "defaultVersion": 1}


def _eks_node_group(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    cluster = a.inputs.get("clusterName") or "cluster"
    name = a.inputs.get("nodeGroupName") or m.physical_name(a)
    uid = f"{_h(name, 8)}-{_h(name + '1', 4)}-{_h(name + '2', 4)}-{_h(name + '3', 4)}-{_h(name + '4', 12)}"
    return {"nodeGroupName": name, "status": "ACTIVE",
            "arn": m.arn("eks", f"nodegroup/{cluster}/{name}/{uid}"),
            "resources": [{"autoscalingGroups": [{"name": f"eks-{name}-{uid}"}]}]}


_DEFAULT_OUTPUTS: dict[str, OutputFn] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:kms/key:Key": _kms_key,
    "aws:iam/role:Role": _named_arn("iam", "role/", region=False),
    "aws:iam/policy:Policy": _named_arn("iam", "policy/", region=False),
    "aws:iam/instanceProfile:InstanceProfile": _named_arn("iam", "instance-profile/", region=False),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:ec2/vpc:Vpc": _prefixed_id("vpc"),
    "aws:ec2/subnet:Subnet": _prefixed_id("subnet"),
    "aws:ec2/securityGroup:SecurityGroup": _prefixed_id("sg"),
    "aws:ec2/internetGateway:InternetGateway": _prefixed_id("igw"),
    "aws:ec2/natGateway:NatGateway": _prefixed_id("nat"),
    "aws:ec2/eip:Eip": _prefixed_id("eipalloc"),
    "aws:ec2/routeTable:RouteTable": _prefixed_id("rtb"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/placementGroup:PlacementGroup": _named_arn("ec2", "placement-group/"),
    "aws:efs/fileSystem:FileSystem": _prefixed_id("fs"),
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _prefixed_id("vpce"),
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "random:index/randomPassword:RandomPassword": _random_password,
    "coreweave:index/cksCluster:CksCluster": _cks_cluster,
}


# -- default invoke answers -------------------------------------------------------------------
def _azs(m: RecordingMocks, a: dict[str, Any]) -> dict[str, Any]:
    names = [f"{m.region}{s}" for s in "abcdef"]
    return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 7)], "id": m.region,
            "groupNames": [m.region]}


def _session_context(arn: str) -> dict[str, Any]:
    """``arn:aws:sts::<acct>:assumed-role/<role>/<session>`` → the role's IAM ARN."""
    issuer = arn
    if ":assumed-role/" in arn:
        head, _, rest = arn.partition(":assumed-role/")
        issuer = head.replace(":sts::", ":iam::") + ":role/" + rest.split("/")[0]
    return {"arn": arn, "issuerArn": issuer, "id": arn}


def _ami(a: dict[str, Any]) -> str:
    return f"ami-0{_h(json.dumps(a, sort_keys=True), 16)}"


def _ssm_parameter(m: RecordingMocks, a: dict[str, Any]) -> dict[str, Any]:
    name = a.get("name", "")
    value = f"ami-0{_h(name, 16)}" if "ami" in name.lower() else f"value-of-{name}"
    return {"name": name, "value": value, "insecureValue": value, "type": "String",
            "arn": m.arn("ssm", f"parameter{name}")}


_DEFAULT_CALLS: dict[str, CallFn] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda m, a: {
        "accountId": m.account_id, "arn": f"arn:aws:iam::{m.account_id}:user/ci",
        "userId": "AIDAEXAMPLEUSERID", "id": m.account_id},
    "aws:index/getRegion:getRegion": lambda m, a: {
        "name": m.region, "region": m.region, "id": m.region,
        "description": m.region, "endpoint": f"ec2.{m.region}.amazonaws.com"},
    "aws:index/getPartition:getPartition": lambda m, a: {
        "partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
        "reverseDnsPrefix": "com.amazonaws"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda m, a: {
        "json": render_policy_document(a),
        "minifiedJson": json.dumps(json.loads(render_policy_document(a)), separators=(",", ":")),
        "id": _h(json.dumps(a, sort_keys=True))},
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:iam/getSessionContext:getSessionContext": lambda m, a: _session_context(a.get("arn", "")),
    "aws:eks/getAddonVersion:getAddonVersion": lambda m, a: {
        "version": "v1.0.0-eksbuild.1", "addonName": a.get("addonName"), "id": a.get("addonName")},
    "aws:ec2/getAmi:getAmi": lambda m, a: {"id": _ami(a), "imageId": _ami(a)},
}


# -- Bedrock (BedrockAccess, KnowledgeBase) ----------------------------------------------------
def _bedrock_guardrail(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    gid = _h(a.name, 12)
    return {"guardrailId": gid, "guardrailArn": m.arn("bedrock", f"guardrail/{gid}"),
            "version": "DRAFT", "status": "READY", "createdAt": "2026-01-01T00:00:00Z"}


def _bedrock_provisioned(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    pid = _h(a.name, 12)
    return {"provisionedModelArn": m.arn("bedrock", f"provisioned-model/{pid}")}


def _bedrock_kb(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    kid = _h(a.name, 10).upper()
    return {"id": kid, "arn": m.arn("bedrock", f"knowledge-base/{kid}"),
            "createdAt": "2026-01-01T00:00:00Z"}


def _bedrock_data_source(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    did = _h(a.name, 10).upper()
    return {"dataSourceId": did, "id": f"{did},{a.inputs.get('knowledgeBaseId', '')}"}


_DEFAULT_OUTPUTS.update({
    "aws:bedrock/guardrail:Guardrail": _bedrock_guardrail,
    "aws:bedrock/guardrailVersion:GuardrailVersion": lambda m, a: {"version": "1"},
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput": _bedrock_provisioned,
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase": _bedrock_kb,
    "aws:bedrock/agentDataSource:AgentDataSource": _bedrock_data_source,
})
_DEFAULT_CALLS.setdefault("aws:ec2/getVpc:getVpc", lambda m, a: {
    "id": a.get("id") or "vpc-0a1b2c3d4e5f60718", "cidrBlock": "10.0.0.0/16",
    "cidrBlockAssociations": [{"associationId": "vpc-cidr-assoc-0a1b2c3d", "cidrBlock": "10.0.0.0/16",
                               "state": "associated"}],
    "arn": m.arn("ec2", f"vpc/{a.get('id') or 'vpc-0a1b2c3d4e5f60718'}"), "state": "available"})


# -- Data layer (VectorStore, FeatureStore) ----------------------------------------------------
def _aoss_collection(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    cid = _h(a.name, 20)
    name = a.inputs.get("name") or m.physical_name(a)
    return {"id": cid, "name": name, "arn": m.arn("aoss", f"collection/{cid}"),
            "collectionEndpoint": f"https://{cid}.{m.region}.aoss.amazonaws.com",
            "dashboardEndpoint": f"https://{cid}.{m.region}.aoss.amazonaws.com/_dashboards",
            "kmsKeyArn": m.arn("kms", f"key/{_h(cid, 8)}")}


def _rds_cluster(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    ident = a.inputs.get("clusterIdentifier") or m.physical_name(a)
    host = f"{ident}.cluster-{_h(ident, 12)}.{m.region}.rds.amazonaws.com"
    secret = m.arn("secretsmanager", f"secret:rds!cluster-{_h(ident, 8)}-{_h(ident + 's', 6)}")
    return {"id": ident, "clusterIdentifier": ident, "arn": m.arn("rds", f"cluster:{ident}"),
            "endpoint": host, "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
            "port": 5432, "clusterResourceId": f"cluster-{_h(ident, 26).upper()}",
            "masterUserSecrets": [{"secretArn": secret, "secretStatus": "active",
                                   "kmsKeyId": a.inputs.get("masterUserSecretKmsKeyId", "")}]}


def _rds_instance(m: RecordingMocks, a: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    ident = a.inputs.get("identifier") or m.physical_name(a)
    return {"id": ident, "identifier": ident, "arn": m.arn("rds", f"db:{ident}"),
            "endpoint": f"{ident}.{_h(ident, 12)}.{m.region}.rds.amazonaws.com"}


_DEFAULT_OUTPUTS.update({
    "aws:opensearch/serverlessCollection:ServerlessCollection": _aoss_collection,
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint":
        lambda m, a: {"id": f"vpce-{_h(a.name, 17)}"},
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named_arn("rds", "subgrp:"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _named_arn("rds", "cluster-pg:"),
    "aws:sagemaker/featureGroup:FeatureGroup": lambda m, a: {
        "arn": m.arn("sagemaker", f"feature-group/{str(a.inputs.get('featureGroupName', a.name)).lower()}")},
})
