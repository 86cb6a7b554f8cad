"""EKS clusters, node groups, launch templates, security groups, VPC flow logs and CoreWeave CKS
clusters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aiops_policies._controls import (
    ACCESS_LEAST_PRIVILEGE,
    AUDIT_LOGGING,
    ENCRYPTION_AT_REST,
    KEY_MANAGEMENT,
    NETWORK_BOUNDARY,
    PATCHING,
    SECURE_CONFIG,
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
    policy_resource_ref_matches,
    resource_rule,
    safe_get,
    stack_rule,
)

__all__ = ["RULES"]

F, R = Fixture, FixtureResource
EKS = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
CKS = "coreweave:index/cksCluster:CksCluster"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})

_GOOD_VPC = {"subnetIds": ["subnet-a", "subnet-b"], "endpointPrivateAccess": True,
             "endpointPublicAccess": False}
_GOOD_EKS = {
    "roleArn": "arn:aws:iam::123456789012:role/eks",
    "version": "1.33",
    "vpcConfig": _GOOD_VPC,
    "encryptionConfig": {"resources": ["secrets"],
                         "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/abc"}},
    "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
}


def _eks(**over: Any) -> FixtureResource:
    return R(EKS, "cluster", {**_GOOD_EKS, **over})


# --- EKS cluster -----------------------------------------------------------------------------

def _public_endpoint(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    vpc = as_mapping(props.get("vpcConfig"))
    public = as_bool(vpc.get("endpointPublicAccess"))
    if public is False:
        return
    if not cfg.get("allowPublicEndpoint", True):
        yield "the EKS API endpoint is public (vpcConfig.endpointPublicAccess is not false)"
        return
    cidrs = [str(c) for c in as_list(vpc.get("publicAccessCidrs"))]
    if not cidrs:
        yield ("the EKS API endpoint is public to 0.0.0.0/0: vpcConfig.publicAccessCidrs is "
               "unset (the default is 0.0.0.0/0)")
    for c in cidrs:
        if c in OPEN_CIDRS:
            yield f"the EKS API endpoint is public to {c} (vpcConfig.publicAccessCidrs)"


def _private_endpoint(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if as_bool(get_path(props, "vpcConfig.endpointPrivateAccess")) is not True:
        yield "vpcConfig.endpointPrivateAccess is not true: nodes reach the API over the internet"


def _secrets_encryption(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    enc = props.get("encryptionConfig")
    configs = as_list(enc)
    ok = any(
        "secrets" in [str(r) for r in as_list(as_mapping(e).get("resources"))]
        and get_path(e, "provider.keyArn")
        for e in configs
    )
    if not ok:
        yield ("Kubernetes secrets are not envelope-encrypted with a KMS key "
               "(encryptionConfig.resources must include 'secrets' with provider.keyArn)")


_ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def _control_plane_logging(props: Mapping[str, Any], cfg: Mapping[str, Any],
                           _a: Any) -> Iterator[str]:
    enabled = {str(t) for t in as_list(props.get("enabledClusterLogTypes"))}
    missing = [t for t in cfg["requiredLogTypes"] if t not in enabled]
    if missing:
        yield f"control-plane log types not enabled: {', '.join(missing)} (enabledClusterLogTypes)"


def _version_tuple(v: Any) -> tuple[int, ...] | None:
    s = str(v).strip().lstrip("vV")
    try:
        return tuple(int(p) for p in s.split(".")[:2])
    except ValueError:
        return None


def _supported_version(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    v = props.get("version")
    if v is None:
        return  # EKS picks the current default version
    got, floor = _version_tuple(v), _version_tuple(cfg["minimumVersion"])
    if got is None or floor is None:
        yield f"Kubernetes version {v!r} is not a valid version"
    elif got < floor:
        yield (f"Kubernetes version {v} is older than the minimum supported "
               f"{cfg['minimumVersion']} (out of standard support)")


# --- node groups, launch templates, instances, security groups -------------------------------

def _nodegroup_remote_access(props: Mapping[str, Any], _c: Mapping[str, Any],
                             _a: Any) -> Iterator[str]:
    ra = props.get("remoteAccess")
    if not isinstance(ra, Mapping) or not ra:
        return
    if not as_list(ra.get("sourceSecurityGroupIds")):
        yield ("remoteAccess without sourceSecurityGroupIds opens SSH (port 22) to 0.0.0.0/0 "
               "on every node")
    else:
        yield "remoteAccess enables SSH to the nodes; use SSM Session Manager instead"


def _nodegroup_launch_template(props: Mapping[str, Any], _c: Mapping[str, Any],
                               _a: Any) -> Iterator[str]:
    lt = as_mapping(props.get("launchTemplate"))
    if not (lt.get("id") or lt.get("name")):
        yield ("the node group uses the EKS default launch template (IMDSv2 optional, hop limit 2); "
               "set launchTemplate {id|name, version} to a template that enforces IMDSv2")


#: The tag pulumi-aiops puts on a system node group's launch template (value ``system``). Those
#: nodes may use a hop limit of 2 (``systemMaxHopLimit``) so the EBS CSI node driver reads IMDS;
#: every other template (GPU nodes, untagged ones) keeps ``maxHopLimit``.
NODE_KIND_TAG = "aiops.io/node-kind"


def _imdsv2(props: Mapping[str, Any], cfg: Mapping[str, Any], _a: Any) -> Iterator[str]:
    md = as_mapping(props.get("metadataOptions"))
    if str(md.get("httpEndpoint", "enabled")).lower() == "disabled":
        return
    if str(md.get("httpTokens", "optional")).lower() != "required":
        yield "IMDSv2 is not required (metadataOptions.httpTokens must be 'required')"
    hop = as_number(md.get("httpPutResponseHopLimit"))
    system = str(as_mapping(props.get("tags")).get(NODE_KIND_TAG, "")) == "system"
    limit = int(cfg["systemMaxHopLimit"] if system else cfg["maxHopLimit"])
    kind = f"for system node templates ({NODE_KIND_TAG}=system)" if system else "for this template"
    if hop is None:
        yield f"metadataOptions.httpPutResponseHopLimit is unset; set it to {limit}"
    elif hop > limit:
        yield (f"metadataOptions.httpPutResponseHopLimit is {hop:g}: pods can reach "
               f"the node's instance role; the limit {kind} is {limit}")


def _volumes_encrypted(props: Mapping[str, Any], _c: Mapping[str, Any], args: Any) -> Iterator[str]:
    t = getattr(args, "resource_type", "")
    if t == "aws:ebs/volume:Volume":
        if as_bool(props.get("encrypted")) is not True:
            yield "the EBS volume is not encrypted (encrypted: true)"
        return
    if t == INSTANCE:
        root = as_mapping(props.get("rootBlockDevice"))
        if as_bool(root.get("encrypted")) is not True:
            yield "the root volume is not encrypted (rootBlockDevice.encrypted: true)"
        for i, d in enumerate(as_list(props.get("ebsBlockDevices"))):
            if as_bool(as_mapping(d).get("encrypted")) is not True:
                yield f"ebsBlockDevices[{i}] is not encrypted"
        return
    for i, m in enumerate(as_list(props.get("blockDeviceMappings"))):
        ebs = as_mapping(as_mapping(m).get("ebs"))
        if ebs and as_bool(ebs.get("encrypted")) is not True:
            yield (f"blockDeviceMappings[{i}] ({as_mapping(m).get('deviceName', '?')}) is not "
                   "encrypted (ebs.encrypted must be \"true\")")


def _port_in(rule: Mapping[str, Any], port: int) -> bool:
    proto = str(rule.get("protocol", rule.get("ipProtocol", "tcp"))).lower()
    if proto in ("-1", "all"):
        return True
    if proto not in ("tcp", "6"):
        return False
    lo, hi = as_number(rule.get("fromPort")), as_number(rule.get("toPort"))
    return lo is not None and hi is not None and lo <= port <= hi


def _open_cidrs(rule: Mapping[str, Any]) -> list[str]:
    found = [str(c) for c in as_list(rule.get("cidrBlocks")) + as_list(rule.get("ipv6CidrBlocks"))
             if str(c) in OPEN_CIDRS]
    for k in ("cidrIpv4", "cidrIpv6"):
        if str(rule.get(k)) in OPEN_CIDRS:
            found.append(str(rule.get(k)))
    return found


def _no_ssh_anywhere(props: Mapping[str, Any], cfg: Mapping[str, Any], args: Any) -> Iterator[str]:
    t = getattr(args, "resource_type", "")
    ports = [int(p) for p in cfg["adminPorts"]]
    if t == "aws:ec2/securityGroup:SecurityGroup":
        rules = [as_mapping(r) for r in as_list(props.get("ingress"))]
    elif t == "aws:ec2/securityGroupRule:SecurityGroupRule":
        rules = [props] if str(props.get("type")) == "ingress" else []
    else:
        rules = [props]
    for r in rules:
        cidrs = _open_cidrs(r)
        for p in ports:
            if cidrs and _port_in(r, p):
                yield f"ingress allows port {p} from {', '.join(cidrs)}"


# --- CoreWeave CKS ---------------------------------------------------------------------------

def _vpc_flow_logs(resources: Sequence[Any],
                   cfg: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    vpcs = [r for r in resources if r.resource_type == VPC]
    if not vpcs:
        return
    accepted = {str(t).upper() for t in cfg["acceptedTrafficTypes"]}
    logs = [r for r in resources if r.resource_type == FLOW_LOG]
    for v in vpcs:
        names = [safe_get(v.props, "id")]
        mine = [fl for fl in logs if policy_resource_ref_matches(fl, "vpcId", v, names)]
        if not mine:
            yield (f"VPC {v.name} has no flow log (add aws.ec2.FlowLog with vpcId set to the "
                   "VPC's id and trafficType ALL)", v.urn)
        elif not any(str(safe_get(fl.props, "trafficType") or "").upper() in accepted
                     for fl in mine):
            got = sorted({str(safe_get(fl.props, "trafficType")) for fl in mine})
            yield (f"VPC {v.name} flow logs capture trafficType {', '.join(got)}, not "
                   f"{' or '.join(sorted(accepted))}", v.urn)


def _cks_public(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if as_bool(props.get("public")) is True:
        yield "the CKS cluster API server is public (public: true); use the private endpoint"


def _cks_audit(props: Mapping[str, Any], _c: Mapping[str, Any], _a: Any) -> Iterator[str]:
    if not str(props.get("auditPolicy") or "").strip():
        yield "the CKS cluster has no audit policy (auditPolicy, base64 of an audit.k8s.io Policy)"


_LT_GOOD = {
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0,
                        "httpEndpoint": "enabled"},
    "blockDeviceMappings": [{"deviceName": "/dev/xvda",
                             "ebs": {"encrypted": "true", "volumeSize": 200.0,
                                     "deleteOnTermination": "true"}}],
}

RULES: list[Rule] = [
    resource_rule(
        "eks-public-endpoint-restricted",
        "An EKS API endpoint that is public is restricted to known CIDRs, never 0.0.0.0/0.",
        "high",
        remediation=("1. Set vpcConfig.endpointPublicAccess: false and reach the API through "
                     "the VPC (VPN, bastion via SSM).\n2. Or list the admin networks in "
                     "vpcConfig.publicAccessCidrs, never 0.0.0.0/0."),
        frameworks=merge(NETWORK_BOUNDARY, {"nist-800-53": ("AC-17",)}),
        resource_types=(EKS,),
        check=_public_endpoint,
        config_schema={"allowPublicEndpoint": {
            "type": "boolean", "default": True,
            "description": "Allow a public endpoint restricted by publicAccessCidrs."}},
        fixtures=(
            F("fail", _eks(vpcConfig={"subnetIds": ["s"], "endpointPublicAccess": True,
                                       "endpointPrivateAccess": True})),
            F("fail", _eks(vpcConfig={"subnetIds": ["s"], "endpointPublicAccess": True,
                                       "publicAccessCidrs": ["0.0.0.0/0"]})),
            F("fail", _eks(vpcConfig={"subnetIds": ["s"], "endpointPublicAccess": True,
                                       "publicAccessCidrs": ["203.0.113.0/24"]}),
              config={"allowPublicEndpoint": False}),
            F("pass", _eks()),
            F("pass", _eks(vpcConfig={"subnetIds": ["s"], "endpointPublicAccess": True,
                                       "endpointPrivateAccess": True,
                                       "publicAccessCidrs": ["203.0.113.0/24"]})),
        ),
    ),
    resource_rule(
        "eks-private-endpoint-enabled",
        "The EKS API has its private endpoint enabled, so nodes reach it inside the VPC.",
        "medium",
        remediation="Set vpcConfig.endpointPrivateAccess: true.",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(EKS,),
        check=_private_endpoint,
        fixtures=(
            F("fail", _eks(vpcConfig={"subnetIds": ["s"], "endpointPublicAccess": False})),
            F("pass", _eks()),
        ),
    ),
    resource_rule(
        "eks-secrets-encryption",
        "EKS envelope-encrypts Kubernetes secrets with a customer-managed KMS key.",
        "high",
        remediation=("Set encryptionConfig {resources: ['secrets'], provider: {keyArn: <CMK "
                     "ARN>}} with a KMS key that has rotation enabled."),
        frameworks=merge(ENCRYPTION_AT_REST, KEY_MANAGEMENT),
        resource_types=(EKS,),
        check=_secrets_encryption,
        fixtures=(
            F("fail", R(EKS, "cluster", {k: v for k, v in _GOOD_EKS.items()
                                         if k != "encryptionConfig"})),
            F("fail", _eks(encryptionConfig={"resources": ["configmaps"],
                                             "provider": {"keyArn": "arn:aws:kms:k"}})),
            F("pass", _eks()),
        ),
    ),
    resource_rule(
        "eks-control-plane-logging",
        "EKS sends every control-plane log type (api, audit, authenticator, controllerManager, "
        "scheduler) to CloudWatch.",
        "medium",
        remediation="Set enabledClusterLogTypes to all five types.",
        frameworks=AUDIT_LOGGING,
        resource_types=(EKS,),
        check=_control_plane_logging,
        config_schema={"requiredLogTypes": {
            "type": "array", "items": {"type": "string", "enum": _ALL_LOG_TYPES},
            "default": _ALL_LOG_TYPES, "description": "Log types that must be enabled."}},
        fixtures=(
            F("fail", _eks(enabledClusterLogTypes=["api"])),
            F("fail", R(EKS, "cluster", {k: v for k, v in _GOOD_EKS.items()
                                         if k != "enabledClusterLogTypes"})),
            F("pass", _eks()),
            F("pass", _eks(enabledClusterLogTypes=["audit"]),
              config={"requiredLogTypes": ["audit"]}),
        ),
    ),
    resource_rule(
        "eks-supported-version",
        "EKS runs a Kubernetes version in standard support.",
        "medium",
        remediation="Upgrade the cluster (version) one minor version at a time to at least the "
                    "configured minimumVersion, node groups after the control plane.",
        frameworks=PATCHING,
        resource_types=(EKS,),
        check=_supported_version,
        config_schema={"minimumVersion": {
            "type": "string", "default": "1.30", "pattern": r"^\d+\.\d+$",
            "description": "The oldest Kubernetes minor version allowed."}},
        fixtures=(
            F("fail", _eks(version="1.27")),
            F("pass", _eks(version="1.33")),
            F("pass", _eks(version="1.29"), config={"minimumVersion": "1.29"}),
        ),
    ),
    resource_rule(
        "eks-nodegroup-no-remote-access",
        "EKS managed node groups do not open SSH (remoteAccess); SSM is the way in.",
        "high",
        remediation="Remove remoteAccess from the node group; use SSM Session Manager. If SSH is "
                    "unavoidable, restrict it with sourceSecurityGroupIds.",
        frameworks=merge(NETWORK_BOUNDARY, {"pci-dss": ("2.2.7", "8.2.1"),
                                            "nist-800-53": ("AC-17",)}),
        resource_types=(NODE_GROUP,),
        check=_nodegroup_remote_access,
        fixtures=(
            F("fail", R(NODE_GROUP, "gpu", {"clusterName": "c", "remoteAccess":
                                            {"ec2SshKey": "ops"},
                                            "scalingConfig": {"maxSize": 2.0}})),
            F("pass", R(NODE_GROUP, "gpu", {"clusterName": "c",
                                            "scalingConfig": {"maxSize": 2.0},
                                            "launchTemplate": {"id": "lt-1", "version": "1"}})),
        ),
    ),
    resource_rule(
        "eks-nodegroup-launch-template",
        "EKS managed node groups use a launch template, so IMDSv2 and encrypted volumes are "
        "enforced (the EKS default template allows IMDSv1 with hop limit 2).",
        "medium",
        remediation="Create an aws.ec2.LaunchTemplate with metadataOptions {httpTokens: "
                    "required, httpPutResponseHopLimit: 1} and encrypted blockDeviceMappings, "
                    "and set the node group's launchTemplate {id, version}.",
        frameworks=merge(SECURE_CONFIG, {"nist-800-53": ("AC-6",)}),
        resource_types=(NODE_GROUP,),
        check=_nodegroup_launch_template,
        fixtures=(
            F("fail", R(NODE_GROUP, "gpu", {"clusterName": "c",
                                            "instanceTypes": ["g6.xlarge"]})),
            F("pass", R(NODE_GROUP, "gpu", {"clusterName": "c",
                                            "launchTemplate": {"name": "gpu-lt",
                                                               "version": "$Latest"}})),
        ),
    ),
    resource_rule(
        "ec2-imdsv2-hop-limit",
        "Launch templates and instances require IMDSv2 with a hop limit of 1 (2 on system node "
        "templates tagged aiops.io/node-kind=system, for the EBS CSI node driver), so pods on GPU "
        "and other nodes cannot steal the node's instance-role credentials.",
        "high",
        remediation="Set metadataOptions {httpTokens: 'required', httpPutResponseHopLimit: 1, "
                    "httpEndpoint: 'enabled'} (at most 2 on system node templates); give pods IAM "
                    "through IRSA or EKS Pod Identity.",
        frameworks=merge(ACCESS_LEAST_PRIVILEGE, {"nist-800-53": ("SC-7",)}),
        resource_types=(LAUNCH_TEMPLATE, INSTANCE),
        check=_imdsv2,
        config_schema={"maxHopLimit": {"type": "integer", "minimum": 1, "default": 1,
                                       "description": "Highest allowed hop limit."},
                       "systemMaxHopLimit": {"type": "integer", "minimum": 1, "default": 2,
                                             "description": "Highest hop limit of launch templates tagged "
                                                            "aiops.io/node-kind=system."}},
        fixtures=(
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpTokens": "optional",
                                                                    "httpPutResponseHopLimit": 1.0}})),
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpTokens": "required",
                                                                    "httpPutResponseHopLimit": 2.0}})),
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpTokens": "required",
                                                                    "httpPutResponseHopLimit": 3.0},
                                                "tags": {NODE_KIND_TAG: "system"}})),
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpTokens": "required",
                                                                    "httpPutResponseHopLimit": 2.0},
                                                "tags": {NODE_KIND_TAG: "system"}}),
              config={"systemMaxHopLimit": 1}),
            F("fail", R(INSTANCE, "vm", {"instanceType": "t3.micro"})),
            F("pass", R(LAUNCH_TEMPLATE, "lt", dict(_LT_GOOD))),
            F("pass", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpTokens": "required",
                                                                    "httpPutResponseHopLimit": 2.0},
                                                "tags": {NODE_KIND_TAG: "system"}})),
            F("pass", R(LAUNCH_TEMPLATE, "lt", {"metadataOptions": {"httpEndpoint": "disabled"}})),
        ),
    ),
    resource_rule(
        "ec2-volumes-encrypted",
        "EBS volumes of launch templates, instances and standalone volumes are encrypted.",
        "high",
        remediation="Set ebs.encrypted \"true\" (and kmsKeyId to a CMK) on every "
                    "blockDeviceMappings entry; rootBlockDevice.encrypted for instances; "
                    "encrypted: true for aws.ebs.Volume.",
        frameworks=ENCRYPTION_AT_REST,
        resource_types=(LAUNCH_TEMPLATE, INSTANCE, "aws:ebs/volume:Volume"),
        check=_volumes_encrypted,
        fixtures=(
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "false", "volumeSize": 100.0}}]})),
            F("fail", R(LAUNCH_TEMPLATE, "lt", {"blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0}}]})),
            F("fail", R("aws:ebs/volume:Volume", "v", {"availabilityZone": "us-east-1a",
                                                       "size": 10.0})),
            F("pass", R(LAUNCH_TEMPLATE, "lt", dict(_LT_GOOD))),
        ),
    ),
    resource_rule(
        "ec2-no-admin-ports-from-anywhere",
        "No security group opens SSH or RDP to 0.0.0.0/0 or ::/0.",
        "critical",
        remediation="Remove the ingress rule; use SSM Session Manager, or restrict the source to "
                    "a known CIDR or security group.",
        frameworks=merge(NETWORK_BOUNDARY, {"pci-dss": ("1.3.1", "1.3.2")}),
        resource_types=("aws:ec2/securityGroup:SecurityGroup",
                        "aws:ec2/securityGroupRule:SecurityGroupRule",
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
        check=_no_ssh_anywhere,
        config_schema={"adminPorts": {"type": "array", "items": {"type": "integer"},
                                      "default": [22, 3389],
                                      "description": "Ports never open to the internet."}},
        fixtures=(
            F("fail", R("aws:ec2/securityGroup:SecurityGroup", "sg", {"ingress": [
                {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0,
                 "cidrBlocks": ["0.0.0.0/0"]}]})),
            F("fail", R("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", {
                "securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"})),
            F("fail", R("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
                "type": "ingress", "protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0,
                "cidrBlocks": ["0.0.0.0/0"], "securityGroupId": "sg-1"})),
            F("pass", R("aws:ec2/securityGroup:SecurityGroup", "sg", {"ingress": [
                {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0,
                 "cidrBlocks": ["0.0.0.0/0"]},
                {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0,
                 "cidrBlocks": ["10.0.0.0/16"]}]})),
        ),
    ),
    resource_rule(
        "cks-not-public",
        "CoreWeave CKS clusters do not expose a public API server.",
        "high",
        remediation="Set public: false on the CksCluster and reach the API over the VPC "
                    "(CoreWeave Direct Connect, VPN or a bastion).",
        frameworks=NETWORK_BOUNDARY,
        resource_types=(CKS,),
        check=_cks_public,
        fixtures=(
            F("fail", R(CKS, "cks", {"name": "c", "zone": "US-EAST-04A", "version": "v1.33",
                                     "public": True, "auditPolicy": "YQ=="})),
            F("pass", R(CKS, "cks", {"name": "c", "zone": "US-EAST-04A", "version": "v1.33",
                                     "public": False, "auditPolicy": "YQ=="})),
        ),
    ),
    resource_rule(
        "cks-audit-policy",
        "CoreWeave CKS clusters set a Kubernetes audit policy.",
        "medium",
        remediation="Set auditPolicy to the base64 of an audit.k8s.io/v1 Policy that logs "
                    "Metadata for all requests and RequestResponse for secrets and RBAC.",
        frameworks=AUDIT_LOGGING,
        resource_types=(CKS,),
        check=_cks_audit,
        fixtures=(
            F("fail", R(CKS, "cks", {"name": "c", "zone": "US-EAST-04A", "public": False})),
            F("pass", R(CKS, "cks", {"name": "c", "zone": "US-EAST-04A", "public": False,
                                     "auditPolicy": "YXBpVmVyc2lvbjogYXVkaXQuazhzLmlvL3Yx"})),
        ),
    ),
    stack_rule(
        "vpc-flow-logs",
        "Every VPC the program creates has a flow log of all traffic (an aws.ec2.FlowLog whose "
        "vpcId is the VPC).",
        "medium",
        remediation="Add aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type=\"ALL\") delivering to a "
                    "KMS-encrypted CloudWatch log group (with an IAM role for "
                    "vpc-flow-logs.amazonaws.com) or to an S3 bucket, with a retention period.",
        frameworks=merge(AUDIT_LOGGING, {"nist-800-53": ("SI-4",), "soc2": ("CC7.2",)}),
        resource_types=(VPC, FLOW_LOG),
        check=_vpc_flow_logs,
        config_schema={"acceptedTrafficTypes": {
            "type": "array", "items": {"type": "string"}, "default": ["ALL"],
            "description": "Flow-log traffic types that count (ALL, ACCEPT, REJECT)."}},
        fixtures=(
            F("fail", resources=(R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),)),
            F("fail", resources=(
                R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
                R(VPC, "other", {"cidrBlock": "10.1.0.0/16"}),
                R(FLOW_LOG, "fl", {"vpcId": "vpc-0other", "trafficType": "ALL",
                                   "logDestination": "arn:aws:s3:::flow-logs"},
                  property_dependencies={"vpcId": ("other",)})),
              note="the flow log belongs to the other VPC"),
            F("fail", resources=(
                R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
                R(FLOW_LOG, "fl", {"vpcId": "vpc-0abc", "trafficType": "REJECT",
                                   "logDestination": "arn:aws:s3:::flow-logs"},
                  property_dependencies={"vpcId": ("vpc",)}))),
            F("pass", resources=(
                R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
                R(FLOW_LOG, "fl", {"vpcId": "vpc-0abc", "trafficType": "ALL",
                                   "logDestination": "arn:aws:s3:::flow-logs"},
                  property_dependencies={"vpcId": ("vpc",)}))),
            F("pass", resources=(
                R(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
                R(FLOW_LOG, "fl", {"vpcId": "vpc-0abc", "trafficType": "ALL"}, parent="vpc")),
              note="a flow log parented to its VPC"),
            F("pass", resources=(R(FLOW_LOG, "fl", {"vpcId": "vpc-0existing",
                                                    "trafficType": "ALL"}),),
              note="no VPC created by the program"),
        ),
    ),
]
