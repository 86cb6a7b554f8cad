"""Who runs ``pulumi up``: the networks the deployer reaches the private endpoints from.

The EKS API endpoint is private by default and the OpenSearch Serverless collection accepts only
its VPC endpoint; both endpoints carry security groups that admit, by default, only the EKS
cluster security group (which only the nodes carry). A CI runner or VPN host "in the VPC" is
therefore refused until those groups admit it. ``deployerAccess`` lists the deployer's security
groups and/or networks; the EKS cluster security group and each AOSS endpoint's security group
then admit them on 443 (the EKS user guide, "Accessing a private only API server": "ensure that
your Amazon EKS control plane security group contains rules to allow ingress traffic on port
443 from your connected network").

Stack config (``aiops:platform.deployerAccess``, applied to every EKS cluster and every
opensearch-serverless vector store)::

    aiops:platform:
      deployerAccess:
        securityGroupIds: [sg-0123456789abcdef0]   # the CI runners' group, same VPC (or peered)
        cidrs: [10.100.0.0/24]                     # a VPN's client range, routed into the VPC

Component args: ``deployer_access`` of ``EksGpuCluster``, ``EksControlPlane`` and ``VectorStore``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from pulumi_aiops.aws.formats import SECURITY_GROUP_ID, check_known_list
from pulumi_aiops.config.base import AiopsModel, ConfigValueError, Wired, is_known

__all__ = ["PRIVATE_NETWORKS", "DeployerAccessConfig", "parse_cidr"]

#: What counts as a private network here: RFC 1918, RFC 6598 shared address space (VPCs may use
#: it as a secondary CIDR) and IPv6 unique local addresses. (Python's ``is_private`` also calls
#: documentation and loopback ranges private, which a security group rule has no use for.)
PRIVATE_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.ip_network("10.0.0.0/8"),
    ipaddress.ip_network("172.16.0.0/12"),
    ipaddress.ip_network("192.168.0.0/16"),
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("fc00::/7"),
)


def parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``value`` as a network (host bits must be zero), else a ConfigValueError."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigValueError("is not a valid CIDR block (e.g. 10.100.0.0/24)", value=value) from None


def _is_private(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(net.version == p.version and net.subnet_of(p) for p in PRIVATE_NETWORKS)  # type: ignore[arg-type]


class DeployerAccessConfig(AiopsModel):
    """The deployer's security groups and networks, admitted on 443 by the private endpoints."""

    model_config = ConfigDict(title="DeployerAccessArgs")

    security_group_ids: list[Wired[str]] = Field(
        default_factory=list,
        description="Security groups of the deployer (a CI runner's, a VPN endpoint's), in the endpoints' VPC or a "
        "peered one: ids or outputs; each rule is named by a hash of the id (an output one by its place among "
        "the outputs). @default []",
    )
    cidrs: list[str] = Field(
        default_factory=list,
        description="Networks of the deployer (IPv4 or IPv6): private ranges (10/8, 172.16/12, 192.168/16, "
        "100.64/10, fc00::/7) unless allowPublicCidrs; never 0.0.0.0/0 or ::/0. Each rule is named by a hash "
        "of the CIDR. @default []",
    )
    allow_public_cidrs: bool = Field(
        False,
        description="Accept public ranges in cidrs (e.g. a corporate range routed over Direct Connect or VPN). "
        "@default false",
    )

    @field_validator("security_group_ids")
    @classmethod
    def _sgs(cls, v: list[Any]) -> list[Any]:
        check_known_list(v, SECURITY_GROUP_ID)
        seen: set[str] = set()
        for i, sg in enumerate(v):
            if is_known(sg):
                if sg in seen:
                    raise ConfigValueError("appears twice", loc=(i,), value=sg)
                seen.add(sg)
        return v

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for i, c in enumerate(v):
            try:
                net = parse_cidr(c)
            except ConfigValueError as exc:
                raise ConfigValueError(exc.msg, loc=(i,), value=c) from None
            if net.prefixlen == 0:
                raise ConfigValueError(
                    "would open the private endpoints to every address; list the runner's or VPN's own range "
                    "(e.g. 10.100.0.0/24), or its security group in securityGroupIds",
                    loc=(i,), value=c)
            if str(net) in seen:
                raise ConfigValueError("appears twice", loc=(i,), value=c)
            seen.add(str(net))
        return v

    @model_validator(mode="after")
    def _private(self) -> DeployerAccessConfig:
        if self.allow_public_cidrs:
            return self
        for i, c in enumerate(self.cidrs):
            if not _is_private(parse_cidr(c)):
                raise ConfigValueError(
                    "is not a private range (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); a deployer inside "
                    "the VPC or behind a VPN has a private address. Set allowPublicCidrs: true only for a public "
                    "range routed privately (Direct Connect, VPN)",
                    loc=("cidrs", i), value=c)
        return self

    @property
    def empty(self) -> bool:
        """True when nothing is admitted."""
        return not self.security_group_ids and not self.cidrs

    def merged(self, other: DeployerAccessConfig) -> DeployerAccessConfig:
        """Both lists, ``self``'s first; known duplicates dropped (the platform's setting plus a cluster's own)."""
        if other.empty:
            return self
        if self.empty:
            return other
        sgs: list[Any] = list(self.security_group_ids)
        sgs += [s for s in other.security_group_ids if not is_known(s) or s not in sgs]
        nets = {str(parse_cidr(c)) for c in self.cidrs}
        cidrs = [*self.cidrs, *(c for c in other.cidrs if str(parse_cidr(c)) not in nets)]
        return DeployerAccessConfig.model_validate({
            "security_group_ids": sgs, "cidrs": cidrs,
            "allow_public_cidrs": self.allow_public_cidrs or other.allow_public_cidrs})
