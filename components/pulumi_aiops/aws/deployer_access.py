"""Security-group rules that let the deployer (a CI runner, a VPN host) reach a private endpoint.

:func:`admit_deployer` adds one ``aws.vpc.SecurityGroupIngressRule`` on 443 per security group and
per CIDR of a :class:`~pulumi_aiops.config.deployer_access.DeployerAccessConfig`, to the group of
a private endpoint (the EKS cluster security group, an OpenSearch Serverless VPC endpoint's
group). Each rule is named by a short hash of what it admits, so adding or reordering entries
renames nothing; a security group given as an output (no value yet) is named by its place among
the outputs. Example::

    from pulumi_aiops.aws.deployer_access import admit_deployer
    from pulumi_aiops.config.deployer_access import DeployerAccessConfig

    access = DeployerAccessConfig.model_validate({"cidrs": ["10.100.0.0/24"]})
    admit_deployer("kb", endpoint_sg.id, access, where="VectorStore('kb').deployerAccess",
                   what="the OpenSearch Serverless endpoint of kb", opts=pulumi.ResourceOptions(parent=self))
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from pulumi_aiops.aws.formats import SECURITY_GROUP_ID, checked
from pulumi_aiops.config.deployer_access import DeployerAccessConfig, parse_cidr

__all__ = ["HTTPS", "admit_deployer", "rule_key"]

#: The port both private endpoints listen on (the Kubernetes API, the AOSS collection endpoint).
HTTPS = 443


def rule_key(value: str) -> str:
    """The stable part of a rule's name: a short hash of the CIDR (normalised) or security group id."""
    if not value.startswith("sg-"):
        value = str(parse_cidr(value))
    return hashlib.sha256(value.encode()).hexdigest()[:10]


def admit_deployer(
    name: str,
    security_group_id: pulumi.Input[str],
    access: DeployerAccessConfig,
    *,
    where: str,
    what: str,
    opts: pulumi.ResourceOptions,
    tags: Mapping[str, pulumi.Input[str]] | None = None,
) -> list[aws.vpc.SecurityGroupIngressRule]:
    """Ingress rules on ``security_group_id`` (443/tcp) for every security group and CIDR of
    ``access``, named ``<name>-deployer-<key>``; ``where`` is the key path used in errors about
    an output's value, ``what`` goes into each rule's description."""
    rules: list[aws.vpc.SecurityGroupIngressRule] = []
    description = f"deployer (pulumi up) to {what}"[:255]
    outputs = 0
    for i, sg in enumerate(access.security_group_ids):
        if isinstance(sg, str):
            child = f"{name}-deployer-{rule_key(sg)}"
        else:
            child = f"{name}-deployer-output-{outputs}"
            outputs += 1
        rules.append(aws.vpc.SecurityGroupIngressRule(
            child, security_group_id=security_group_id, ip_protocol="tcp", from_port=HTTPS, to_port=HTTPS,
            referenced_security_group_id=checked(sg, SECURITY_GROUP_ID, f"{where}.securityGroupIds[{i}]"),
            description=description, tags=dict(tags or {}), opts=opts))
    for cidr in access.cidrs:
        net = parse_cidr(cidr)
        family = {"cidr_ipv4": str(net)} if net.version == 4 else {"cidr_ipv6": str(net)}
        rules.append(aws.vpc.SecurityGroupIngressRule(
            f"{name}-deployer-{rule_key(cidr)}", security_group_id=security_group_id, ip_protocol="tcp",
            from_port=HTTPS, to_port=HTTPS, description=description, tags=dict(tags or {}), opts=opts,
            **family))
    return rules
