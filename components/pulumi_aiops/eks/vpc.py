"""``Vpc``: a VPC for EKS (or anything else) with private and public subnets, NAT and flow logs.

* Private subnets (one /19 of a /16 per AZ, ``kubernetes.io/role/internal-elb``) and small
  public ones for the NAT gateways and internet-facing load balancers (``kubernetes.io/role/elb``;
  no public IPs on launch); the default security group is stripped of rules.
* NAT: one per AZ (``ONE_PER_AZ``, no cross-AZ dependency) or one for the VPC (``SINGLE``).
* **Flow logs** of all traffic to a CloudWatch log group ``/aws/vpc/<nameTag>/flow-logs``,
  protected and retained, encrypted with a KMS key (rotation on) whose key policy lets only
  ``logs.<region>.amazonaws.com`` use it, for that log group (``kms:EncryptionContext:aws:logs:arn``).
  Delivery goes through a role that only ``vpc-flow-logs.amazonaws.com`` may assume, for flow
  logs of this account (``aws:SourceAccount``, ``aws:SourceArn``), as the VPC user guide
  recommends ("IAM role for publishing flow logs to CloudWatch Logs").
* Names: with explicit ``availabilityZones`` the subnets, route tables and (one per AZ) NAT
  gateways are named by AZ (``<name>-private-us-east-1a``), so reordering or removing a zone
  renames nothing else; with zones from the ``getAvailabilityZones`` invoke only their position
  is known, so they are named by position (``<name>-private-0``). Subnet CIDR blocks follow the
  position in the list: add zones at the end.

Example::

    from pulumi_aiops.eks import Vpc

    vpc = Vpc("ml", {"az_count": 2, "availability_zones": ["us-east-1a", "us-east-1b"],
                     "nat_gateways": "SINGLE", "flow_logs": {"retention_days": 365},
                     "tags": {"owner": "ml-platform", "cost-center": "cc-4021"}})
    pulumi.export("subnets", vpc.private_subnet_ids)
"""

import ipaddress
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.args import VpcArgs
from pulumi_aiops.aws.iam import document, service_trust, statement
from pulumi_aiops.aws.kms import KeyUser, kms_key
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.eks import NatGateways
from pulumi_aiops.config.eks_pieces import VpcConfig
from pulumi_aiops.eks._common import LOGS_KEY_ACTIONS, EksPiece
from pulumi_aiops.errors import ConfigError

__all__ = ["TYPE_TOKEN", "Vpc", "VpcArgs", "subnet_cidrs"]

TYPE_TOKEN = "aiops:index:Vpc"


def subnet_cidrs(cidr: str, count: int) -> tuple[list[str], list[str]]:
    """Private /(p+3) blocks 0..count-1; public /(p+6) blocks carved from the last /(p+3)."""
    blocks: list[ipaddress.IPv4Network] = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=3))
    public: list[ipaddress.IPv4Network] = list(blocks[-1].subnets(prefixlen_diff=3))
    return [str(b) for b in blocks[:count]], [str(b) for b in public[:count]]


def _nth(i: int) -> Any:
    def pick(names: list[str]) -> str:
        return names[i]

    return pick


class Vpc(EksPiece):
    """A VPC with private/public subnets over ``azCount`` AZs, NAT and encrypted flow logs.

    Outputs: ``vpc_id``, ``private_subnet_ids``, ``public_subnet_ids`` and
    ``private_subnet_ids_by_az`` (AZ name → private subnet id). See the module docstring.
    """

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids_by_az: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: VpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args  # or the validated model (EksGpuCluster passes one)
        cfg = component_args(VpcConfig, raw, f"Vpc({name!r})")
        super().__init__(TYPE_TOKEN, name, opts)
        self.config = cfg
        tag_base = cfg.name_tag or name
        tags = dict(cfg.tags)
        n = name

        def t(**more: str) -> dict[str, str]:
            return {**tags, **more}

        vpc = aws.ec2.Vpc(
            f"{n}-vpc",
            cidr_block=cfg.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=t(Name=tag_base),
            opts=self._opts(),
        )
        # No rules on the default security group: nothing uses it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{n}-default-sg", vpc_id=vpc.id, tags=t(Name=f"{tag_base}-default"), opts=self._opts()
        )
        igw = aws.ec2.InternetGateway(f"{n}-igw", vpc_id=vpc.id, tags=t(Name=tag_base), opts=self._opts())

        named_azs = list(cfg.availability_zones)
        if named_azs:
            azs: pulumi.Output[list[str]] = pulumi.Output.from_input(named_azs)
        else:
            azs = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOptions(parent=self)).names

        def key(i: int) -> str:
            """The stable part of a per-AZ child's name: the AZ when named, else its position."""
            return named_azs[i] if named_azs else str(i)

        def renamed(old: str) -> str | None:
            """The 0.1.0 name (by position) of a child now named by AZ."""
            return old if named_azs else None

        private_cidrs, public_cidrs = subnet_cidrs(cfg.cidr, cfg.az_count)
        public_rt = aws.ec2.RouteTable(
            f"{n}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=t(Name=f"{tag_base}-public"),
            opts=self._opts(),
        )
        public: list[aws.ec2.Subnet] = []
        private: list[aws.ec2.Subnet] = []
        for i in range(cfg.az_count):
            az = azs.apply(_nth(i))
            pub = aws.ec2.Subnet(
                f"{n}-public-{key(i)}",
                vpc_id=vpc.id,
                cidr_block=public_cidrs[i],
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags=t(Name=f"{tag_base}-public-{i}", **{"kubernetes.io/role/elb": "1"}),
                opts=self._opts(old_name=renamed(f"{n}-public-{i}")),
            )
            aws.ec2.RouteTableAssociation(
                f"{n}-public-{key(i)}",
                subnet_id=pub.id,
                route_table_id=public_rt.id,
                opts=self._opts(old_name=renamed(f"{n}-public-{i}")),
            )
            priv = aws.ec2.Subnet(
                f"{n}-private-{key(i)}",
                vpc_id=vpc.id,
                cidr_block=private_cidrs[i],
                availability_zone=az,
                tags=t(Name=f"{tag_base}-private-{i}", **{"kubernetes.io/role/internal-elb": "1"}),
                opts=self._opts(old_name=renamed(f"{n}-private-{i}")),
            )
            public.append(pub)
            private.append(priv)

        # One NAT per AZ is named by its AZ; a single NAT is the VPC's one, named as in 0.1.0.
        per_az = cfg.nat_gateways is NatGateways.ONE_PER_AZ
        nat_count = cfg.az_count if per_az else 1

        def nat_key(i: int) -> str:
            return key(i) if per_az else "0"

        def nat_old(old: str) -> str | None:
            return renamed(old) if per_az else None

        nats: list[aws.ec2.NatGateway] = []
        for i in range(nat_count):
            eip = aws.ec2.Eip(
                f"{n}-nat-{nat_key(i)}",
                domain="vpc",
                tags=t(Name=f"{tag_base}-nat-{i}"),
                opts=self._opts(old_name=nat_old(f"{n}-nat-{i}")),
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{n}-nat-{nat_key(i)}",
                    allocation_id=eip.id,
                    subnet_id=public[i].id,
                    tags=t(Name=f"{tag_base}-nat-{i}"),
                    opts=self._opts(old_name=nat_old(f"{n}-nat-{i}"), depends_on=[igw]),
                )
            )
        for i in range(nat_count):
            rt = aws.ec2.RouteTable(
                f"{n}-private-rt-{nat_key(i)}",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[i].id}],
                tags=t(Name=f"{tag_base}-private-{i}"),
                opts=self._opts(old_name=nat_old(f"{n}-private-rt-{i}")),
            )
            for j in range(cfg.az_count):
                if nat_count == 1 or i == j:
                    aws.ec2.RouteTableAssociation(
                        f"{n}-private-{key(j)}",
                        subnet_id=private[j].id,
                        route_table_id=rt.id,
                        opts=self._opts(old_name=renamed(f"{n}-private-{j}")),
                    )

        self.flow_log = self._flow_logs(n, tag_base, cfg, vpc, t)

        self.vpc_id = vpc.id
        #: Private subnet ids by the stable key their children are named by (the AZ, else the position).
        self.private_subnets_by_key: dict[str, pulumi.Output[str]] = {key(i): s.id for i, s in enumerate(private)}
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private])
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public])
        self.private_subnet_ids_by_az = pulumi.Output.all(azs, self.private_subnet_ids).apply(
            lambda a: dict(zip(a[0], a[1], strict=False))
        )
        self._private_by_named_az: dict[str, pulumi.Output[str]] = dict(
            zip(named_azs, [s.id for s in private], strict=False)
        )
        self.register_outputs({
            "vpcId": self.vpc_id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIdsByAz": self.private_subnet_ids_by_az,
        })

    def private_subnets_in(self, zones: Sequence[str]) -> pulumi.Output[list[str]]:
        """The private subnet ids of ``zones`` (e.g. a Capacity Block's AZ).

        Needs explicit ``availabilityZones``: zones from the invoke are not known by name while
        the program runs, so no child could be wired to one of them."""
        missing = [z for z in zones if z not in self._private_by_named_az]
        if missing:
            known = ", ".join(self._private_by_named_az) or "none (availabilityZones not set)"
            raise ConfigError(
                f"Vpc({self._name!r}).availabilityZones: {missing!r} not among the VPC's named zones ({known})"
            )
        return pulumi.Output.all(*[self._private_by_named_az[z] for z in zones])

    def _flow_logs(
        self,
        n: str,
        tag_base: str,
        cfg: VpcConfig,
        vpc: aws.ec2.Vpc,
        t: Any,
    ) -> aws.ec2.FlowLog:
        """All traffic of the VPC to a protected, KMS-encrypted log group."""
        inv = pulumi.InvokeOptions(parent=self)
        account = aws.get_caller_identity_output(opts=inv).account_id
        partition = aws.get_partition_output(opts=inv).partition
        region = aws.get_region_output(opts=inv).region
        group_name = f"/aws/vpc/{tag_base}/flow-logs"

        # The library's standard key (explicit key policy, rotation, protected); only CloudWatch
        # Logs of this region may use it, and only for this log group.
        key = kms_key(
            f"{n}-flow-logs-kms",
            parent=self,
            description=f"VPC {tag_base}: flow logs",
            users=[KeyUser(
                "FlowLogs",
                service=pulumi.Output.concat("logs.", region, ".amazonaws.com"),
                actions=LOGS_KEY_ACTIONS,
                condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                    "arn:", partition, ":logs:", region, ":", account, ":log-group:", group_name)}},
            )],
            account_id=account,
            partition=partition,
            tags=t(),
            opts=self._opts(new=True),
        )
        # Network metadata of every connection: kept, protected, encrypted.
        group = aws.cloudwatch.LogGroup(
            f"{n}-flow-logs",
            name=group_name,
            retention_in_days=cfg.flow_logs.retention_days,
            kms_key_id=key.arn,
            deletion_protection_enabled=True,
            tags=t(),
            opts=self._opts(new=True, protect=True, retain_on_delete=True),
        )
        # The VPC user guide, "IAM role for publishing flow logs to CloudWatch Logs": trust
        # vpc-flow-logs.amazonaws.com with the confused-deputy conditions it shows (aws:SourceAccount,
        # aws:SourceArn on this account's flow logs); its five logs actions, scoped to this log group
        # but DescribeLogGroups (which takes no log-group resource).
        role = aws.iam.Role(
            f"{n}-flow-logs-role",
            assume_role_policy=pulumi.Output.all(account, partition, region).apply(
                lambda a: service_trust(
                    "vpc-flow-logs.amazonaws.com",
                    condition={
                        "StringEquals": {"aws:SourceAccount": a[0]},
                        "ArnLike": {"aws:SourceArn": f"arn:{a[1]}:ec2:{a[2]}:{a[0]}:vpc-flow-log/*"},
                    },
                )
            ),
            tags=t(),
            opts=self._opts(new=True),
        )
        delivery = aws.iam.RolePolicy(
            f"{n}-flow-logs",
            role=role.id,
            policy=document([
                statement(
                    "Allow",
                    ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [group.arn, pulumi.Output.concat(group.arn, ":*")],
                    sid="DeliverToTheFlowLogGroup",
                ),
                # DescribeLogGroups lists groups: it takes no log-group resource of its own.
                statement("Allow", "logs:DescribeLogGroups", "*", sid="FindTheGroup"),
            ]),
            opts=self._opts(new=True),
        )
        return aws.ec2.FlowLog(
            f"{n}-flow-logs",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags=t(Name=f"{tag_base}-flow-logs"),
            opts=self._opts(new=True, depends_on=[delivery]),
        )
