"""``aiops preflight --stack X``: check the AWS account can take a stack, before ``pulumi up``.

``aiops plan`` proves a stack is well-formed offline; it cannot know whether the account behind
the credentials can run it. The preflight asks the account, read-only, with boto3:

* **region** - the stack's ``aws:region`` is in ``allowedRegions`` (a local check);
* **account** - ``sts:GetCallerIdentity`` names the expected account (``--account``, else the one
  account every ARN in the stack config names);
* **offering** - each node group's instance type is offered in each availability zone the group
  uses (``ec2:DescribeInstanceTypeOfferings`` with ``LocationType=availability-zone``); zones
  come from ``network.availabilityZones``, the group's ``availabilityZones``, the subnets of a
  brought VPC (``ec2:DescribeSubnets``) or, as the component does, the first ``azCount``
  available zones (``ec2:DescribeAvailabilityZones``);
* **quota** - the EC2 vCPU quotas (``servicequotas:GetServiceQuota``) of each instance family
  and purchase option cover every node group at its ``maxSize`` (vCPUs of GPU types from the
  GPU catalogue, of the system group's type from ``ec2:DescribeInstanceTypes``), summed per
  quota; Capacity Block groups are checked against their reservation
  (``ec2:DescribeCapacityReservations``) instead;
* **bedrock** - each allowlisted model is offered in the region (``bedrock:ListFoundationModels``)
  on demand, each inference profile exists (``bedrock:ListInferenceProfiles``), and the account
  may use the model (``bedrock:GetFoundationModelAvailability``: region, entitlement,
  authorization and agreement).

Each check passes, fails (a blocker: exit code 1) or cannot be checked (the API refused or is
unreachable; the reason is shown). Without AWS credentials it says so and exits 3, without a
traceback. CoreWeave clusters are not checked (no CoreWeave quota API is used).

The EC2 quota codes (service code ``ec2``), and where they were read:

=============  ==========  ================================================================
quota          code        name
=============  ==========  ================================================================
On-Demand G    L-DB2E81BA  Running On-Demand G and VT instances
On-Demand P    L-417A185B  Running On-Demand P instances
On-Demand std  L-1216C47A  Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances
Spot G         L-3819A6DF  All G and VT Spot Instance Requests
Spot P         L-7212CCBC  All P Spot Instance Requests (was "All P4, P3 and P2 ...")
Spot P5        L-C4BD4855  All P5 Spot Instance Requests (only while L-7212CCBC is the P4/P3/P2 one)
Spot std       L-34B43A08  All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests
=============  ==========  ================================================================

Sources: the table of EC2 quotas with names and codes in gruntwork-io/terraform-aws-utilities
``docs/quotas.md`` (2024-02, commit 04f58839c5610804899dfcd815df374aea681ffd), where the P spot
quota was still split into "All P4, P3 and P2" (L-7212CCBC) and "All P5" (L-C4BD4855); the EC2
user guide "Spot Instance quotas" (now one "All P Spot Instance Requests" quota); public tools
that read these codes live (L-7212CCBC as "All P Spot Instance Requests"). The quota name the
API returns is printed beside each value, so a renamed quota shows.

Example::

    from pulumi_aiops.plan import find_project
    from pulumi_aiops.preflight import run_preflight

    report = run_preflight(find_project(), "dev")
    print(report.render_text())
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pulumi_aiops.catalog import lookup
from pulumi_aiops.catalog.bedrock import lookup_bedrock
from pulumi_aiops.config import PlatformConfig, load_platform_config
from pulumi_aiops.config.eks import EksCapacityType, EksClusterConfig
from pulumi_aiops.errors import AiopsError, ConfigError
from pulumi_aiops.plan import Project
from pulumi_aiops.stack_file import read_stack_file

__all__ = [
    "EXIT_BLOCKER",
    "EXIT_NO_CREDENTIALS",
    "EXIT_OK",
    "QUOTAS",
    "Check",
    "PreflightReport",
    "QuotaCode",
    "Status",
    "expected_accounts",
    "quota_family",
    "run_preflight",
]

EXIT_OK = 0
EXIT_BLOCKER = 1
EXIT_NO_CREDENTIALS = 3


class Status(StrEnum):
    """The outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    CANNOT_CHECK = "cannot check"


@dataclass(frozen=True)
class Check:
    """One row of the preflight table."""

    name: str
    status: Status
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class QuotaCode:
    """An EC2 vCPU quota in Service Quotas."""

    code: str
    name: str


ON_DEMAND = "On-Demand"
SPOT = "Spot"

#: (quota family, purchase option) -> quota. Sources in the module docstring.
QUOTAS: dict[tuple[str, str], QuotaCode] = {
    ("G and VT", ON_DEMAND): QuotaCode("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("P", ON_DEMAND): QuotaCode("L-417A185B", "Running On-Demand P instances"),
    ("Standard", ON_DEMAND): QuotaCode("L-1216C47A",
                                       "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"),
    ("G and VT", SPOT): QuotaCode("L-3819A6DF", "All G and VT Spot Instance Requests"),
    ("P", SPOT): QuotaCode("L-7212CCBC", "All P Spot Instance Requests"),
    ("Standard", SPOT): QuotaCode("L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"),
}
#: The P5 spot quota of accounts where L-7212CCBC still covers only P4, P3 and P2.
LEGACY_P5_SPOT = QuotaCode("L-C4BD4855", "All P5 Spot Instance Requests")

_STANDARD_PREFIXES = frozenset({"a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "z"})
_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[^:]*:[^:]*:(\d{12}):")
#: Capacity reservation states in which a Capacity Block can (or will) run instances.
_RESERVATION_OK = frozenset({"active", "scheduled", "payment-pending", "pending", "assessing", "delayed"})


def quota_family(instance_type: str) -> str | None:
    """The EC2 vCPU quota family of ``instance_type`` ("G and VT", "P", "Standard"), or ``None``
    when this module knows no quota for it (e.g. inf2, trn1, x2idn)."""
    m = re.match(r"[a-z]+", instance_type)
    prefix = m.group(0) if m else ""
    if prefix in ("g", "gr", "vt"):
        return "G and VT"
    if prefix == "p":
        return "P"
    if prefix in _STANDARD_PREFIXES:
        return "Standard"
    return None


def expected_accounts(value: Any) -> set[str]:
    """Every 12-digit account id named by an ARN anywhere inside ``value`` (the stack config)."""
    found: set[str] = set()
    if isinstance(value, str):
        m = _ARN_ACCOUNT.match(value)
        if m:
            found.add(m.group(1))
    elif isinstance(value, Mapping):
        for v in value.values():
            found |= expected_accounts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= expected_accounts(v)
    return found


@dataclass
class PreflightReport:
    """The checks of one stack, with the exit code and renderings for people and machines."""

    project: str
    stack: str
    region: str
    account: str | None = None
    credentials: bool = True
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, status: Status, detail: str) -> None:
        self.checks.append(Check(name, status, detail))

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for c in self.checks if c.status is s) for s in Status}

    def exit_code(self, strict: bool = False) -> int:
        """1 when a check failed; 3 without credentials (or, with ``strict``, when any check could
        not run); else 0."""
        if any(c.status is Status.FAIL for c in self.checks):
            return EXIT_BLOCKER
        if not self.credentials:
            return EXIT_NO_CREDENTIALS
        if strict and any(c.status is Status.CANNOT_CHECK for c in self.checks):
            return EXIT_NO_CREDENTIALS
        return EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        return {"project": self.project, "stack": self.stack, "region": self.region, "account": self.account,
                "credentials": self.credentials, "counts": self.counts(), "notes": list(self.notes),
                "checks": [c.as_dict() for c in self.checks]}

    def render_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=True)

    def render_text(self) -> str:
        account = f"account {self.account}" if self.account else "account unknown"
        lines = [f"Preflight {self.project}/{self.stack} in {self.region} ({account})", ""]
        if not self.credentials:
            lines += ["No AWS credentials found (botocore NoCredentialsError): nothing in the account was checked.",
                      "Set AWS_PROFILE (or pass --profile), export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run",
                      "`aws sso login`, or in CI assume a role with aws-actions/configure-aws-credentials.", ""]
        width = max([len("CHECK"), *(len(c.name) for c in self.checks)])
        lines.append(f"{'CHECK':<{width}}  {'STATUS':<12}  DETAIL")
        for c in self.checks:
            status = "FAIL" if c.status is Status.FAIL else c.status.value
            lines.append(f"{c.name:<{width}}  {status:<12}  {c.detail}")
        n = self.counts()
        lines += ["", f"{n['pass']} passed, {n['fail']} failed, {n['cannot check']} could not be checked"]
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


class _NoCredentials(Exception):
    """botocore found no credentials."""


class _CannotCheck(Exception):
    """An API call failed for a reason other than the answer itself (access denied, network)."""


def _describe_error(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        op = getattr(exc, "operation_name", "")
        return f"{err.get('Code', 'error')} on {op}: {err.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


@dataclass
class _Group:
    """A node group as the preflight sees it."""

    label: str  # e.g. "eks/l4"
    instance_type: str
    option: str  # ON_DEMAND, SPOT or "Capacity Block"
    max_nodes: int
    zones: list[str] | None  # None: could not be resolved
    zone_note: str
    reservation: str | None = None
    gpu: bool = True


class _Preflight:
    def __init__(self, session: Any, region: str, clients: Mapping[str, Any] | None) -> None:
        self.session = session
        self.region = region
        self._clients: dict[str, Any] = dict(clients or {})

    # -- plumbing ------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            cfg = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=20)
            self._clients[service] = self.session.client(service, region_name=self.region, config=cfg)
        return self._clients[service]

    def call(self, service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One API call; credentials missing -> :class:`_NoCredentials`; any other failure that is
        not a ``ClientError`` -> :class:`_CannotCheck`. ``ClientError`` propagates (callers decide
        whether it is an answer or a reason)."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return dict(getattr(self.client(service), operation)(**kwargs))
        except NoCredentialsError:
            raise _NoCredentials from None
        except ClientError:
            raise
        except (BotoCoreError, OSError) as exc:
            raise _CannotCheck(_describe_error(exc)) from None
        except Exception as exc:  # a checker reports what it could not check; it does not crash
            raise _CannotCheck(f"{operation} failed: {_describe_error(exc)}") from None

    def pages(self, service: str, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item under ``key`` across pages (``NextToken``/``nextToken``)."""
        token: str | None = None
        while True:
            args = dict(kwargs)
            if token:
                args["NextToken" if service == "ec2" else "nextToken"] = token
            page = self.call(service, operation, **args)
            yield from page.get(key, [])
            token = page.get("NextToken") or page.get("nextToken")
            if not token:
                return

    def guarded_pages(self, service: str, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
        """:meth:`pages`, with a ``ClientError`` turned into :class:`_CannotCheck`."""
        from botocore.exceptions import ClientError

        try:
            return list(self.pages(service, operation, key, **kwargs))
        except ClientError as exc:
            raise _CannotCheck(_describe_error(exc)) from None

    def guarded(self, service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        """:meth:`call`, with a ``ClientError`` turned into :class:`_CannotCheck`."""
        from botocore.exceptions import ClientError

        try:
            return self.call(service, operation, **kwargs)
        except ClientError as exc:
            raise _CannotCheck(_describe_error(exc)) from None


def _platform(project: Project, stack: str) -> tuple[dict[str, Any], PlatformConfig, dict[str, Any]]:
    path = project.stack_file(stack)
    config, _secrets = read_stack_file(path, project=project.name)
    raw = config.get(f"{project.name}:platform")
    if raw is None:
        raise ConfigError(f"{path.relative_to(project.root)}: has no {project.name}:platform; "
                          "the preflight checks stacks configured through aiops:platform")
    return config, load_platform_config(raw), raw


def run_preflight(project: Project, stack: str, *, account: str | None = None, profile: str | None = None,
                  session: Any = None, clients: Mapping[str, Any] | None = None) -> PreflightReport:
    """Check the account behind the current AWS credentials against ``stack`` of ``project``.

    ``session`` (a ``boto3.Session``) and ``clients`` (service name -> client, e.g. a client with a
    botocore ``Stubber``) are for tests and embedding. Raises :class:`ConfigError` for a stack
    whose config is invalid, and :class:`AiopsError` for an unknown AWS profile.
    """
    config, platform, raw = _platform(project, stack)
    if session is None:
        import boto3
        from botocore.exceptions import ProfileNotFound

        try:
            session = boto3.Session(profile_name=profile)
        except ProfileNotFound as exc:
            raise AiopsError(f"--profile {profile!r}: {exc}") from None
    region = config.get("aws:region") or session.region_name
    if not region:
        raise ConfigError(f"aws:region: is not set in {project.stack_file(stack).name} and no default region is "
                          "configured; set it with `pulumi config set aws:region <region>`")
    report = PreflightReport(project=project.name, stack=stack, region=str(region))
    _check_region(report, platform)
    pf = _Preflight(session, str(region), clients)
    if session.get_credentials() is None:
        report.credentials = False  # nothing to sign with: ask nothing (and never reach for the network)
    steps = [lambda: _check_account(pf, report, account, raw),
             lambda: _check_node_groups(pf, report, platform),
             lambda: _check_bedrock(pf, report, platform)]
    for step in steps if report.credentials else []:
        try:
            step()
        except _NoCredentials:
            report.credentials = False
            break
    if not report.credentials:
        _no_credentials_rows(report, platform)
    if any(c.cloud == "coreweave" for c in platform.clusters()):
        report.notes.append("CoreWeave clusters are not checked (the preflight asks AWS only)")
    return report


def _no_credentials_rows(report: PreflightReport, platform: PlatformConfig) -> None:
    done = {c.name for c in report.checks}
    wanted = ["account", *(f"offering {g}" for g in _group_labels(platform)), "quotas"]
    wanted += [f"capacity block {c.name}/{g.name}" for c in platform.clusters() if isinstance(c, EksClusterConfig)
               for g in c.gpu_node_groups if g.capacity_reservation_id]
    if platform.bedrock is not None:
        wanted += [f"bedrock {m}" for m in platform.bedrock.models]
    for name in wanted:
        if name not in done:
            report.add(name, Status.CANNOT_CHECK, "no AWS credentials")


def _group_labels(platform: PlatformConfig) -> list[str]:
    out = []
    for c in platform.clusters():
        if isinstance(c, EksClusterConfig):
            out += [f"{c.name}/{g.name}" for g in c.gpu_node_groups] + [f"{c.name}/system"]
    return out


# -- region and account --------------------------------------------------------------------------
def _check_region(report: PreflightReport, platform: PlatformConfig) -> None:
    allowed = platform.allowed_regions
    if not allowed:
        report.add("region", Status.PASS, f"{report.region}; allowedRegions is not set, so the stack's own region "
                                          "is the only allowed one")
    elif report.region in allowed:
        report.add("region", Status.PASS, f"{report.region} is in allowedRegions [{', '.join(allowed)}]")
    else:
        report.add("region", Status.FAIL, f"{report.region} is not in allowedRegions [{', '.join(allowed)}]; "
                                          "deploy to an allowed region or widen the list")


def _check_account(pf: _Preflight, report: PreflightReport, account: str | None, raw: Any) -> None:
    try:
        ident = pf.guarded("sts", "get_caller_identity")
    except _CannotCheck as exc:
        report.add("account", Status.CANNOT_CHECK, str(exc))
        return
    actual = str(ident.get("Account", ""))
    report.account = actual or None
    who = f"caller {actual} ({ident.get('Arn', '?')})"
    if account is not None:
        expected, source = {account}, "--account"
    else:
        expected, source = expected_accounts(raw), "the account in the stack config's ARNs"
    if not expected:
        report.add("account", Status.CANNOT_CHECK, f"{who}; no expected account: pass --account or name the "
                                                   "account in an ARN of the stack config")
    elif len(expected) > 1:
        report.add("account", Status.CANNOT_CHECK, f"{who}; the stack config names several accounts "
                                                   f"({', '.join(sorted(expected))}): pass --account")
    elif actual in expected:
        report.add("account", Status.PASS, f"{who} is the expected account ({source})")
    else:
        hint = "" if account is not None else " (or pass --account if the stack deploys elsewhere)"
        report.add("account", Status.FAIL, f"{who} is not the expected account {next(iter(expected))} ({source}); "
                                           f"use the credentials of that account{hint}")


# -- node groups: zones, offerings, quotas, capacity blocks ----------------------------------------
def _cluster_zones(pf: _Preflight, cluster: EksClusterConfig) -> tuple[list[str] | None, str]:
    """The zones of the cluster's private subnets, resolved as the component resolves them."""
    net = cluster.network
    if not net.create_vpc:
        try:
            subnets = pf.guarded_pages("ec2", "describe_subnets", "Subnets", SubnetIds=list(net.private_subnet_ids))
        except _CannotCheck as exc:
            return None, f"the zones of privateSubnetIds could not be read: {exc}"
        return sorted({s["AvailabilityZone"] for s in subnets}), "the zones of network.privateSubnetIds"
    if net.availability_zones:
        return list(net.availability_zones), "network.availabilityZones"
    try:
        zones = pf.guarded("ec2", "describe_availability_zones",
                           Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]
    except _CannotCheck as exc:
        return None, f"the available zones could not be listed: {exc}"
    names = [z["ZoneName"] for z in zones][: net.az_count]
    return names, f"the first {net.az_count} available zones"


def _groups(pf: _Preflight, platform: PlatformConfig) -> list[_Group]:
    out: list[_Group] = []
    for c in platform.clusters():
        if not isinstance(c, EksClusterConfig):
            continue
        zones, note = _cluster_zones(pf, c)
        for g in c.gpu_node_groups:
            g_zones, g_note = zones, note
            if g.availability_zones:
                g_zones, g_note = list(g.availability_zones), f"gpuNodeGroups[{g.name}].availabilityZones"
            elif g.subnet_ids:
                try:
                    subnets = pf.guarded_pages("ec2", "describe_subnets", "Subnets", SubnetIds=list(g.subnet_ids))
                    g_zones, g_note = sorted({s["AvailabilityZone"] for s in subnets}), "the zones of its subnetIds"
                except _CannotCheck as exc:
                    g_zones, g_note = None, f"the zones of its subnetIds could not be read: {exc}"
            option = {EksCapacityType.ON_DEMAND: ON_DEMAND, EksCapacityType.SPOT: SPOT}.get(
                g.capacity_type, "Capacity Block")
            out.append(_Group(f"{c.name}/{g.name}", g.instance_type, option, g.max_size, g_zones, g_note,
                              reservation=g.capacity_reservation_id))
        s = c.system_node_group
        out.append(_Group(f"{c.name}/system", s.instance_type, ON_DEMAND, s.max_size, zones, note, gpu=False))
    return out


def _check_node_groups(pf: _Preflight, report: PreflightReport, platform: PlatformConfig) -> None:
    groups = _groups(pf, platform)
    if not groups:
        return
    _check_offerings(pf, report, groups)
    _check_quotas(pf, report, groups)
    for g in groups:
        if g.reservation is not None:
            _check_reservation(pf, report, g)


def _check_offerings(pf: _Preflight, report: PreflightReport, groups: list[_Group]) -> None:
    types = sorted({g.instance_type for g in groups})
    offered: dict[str, set[str]] = defaultdict(set)
    try:
        for o in pf.guarded_pages("ec2", "describe_instance_type_offerings", "InstanceTypeOfferings",
                                  LocationType="availability-zone",
                                  Filters=[{"Name": "instance-type", "Values": types}]):
            offered[o["InstanceType"]].add(o["Location"])
    except _CannotCheck as exc:
        for g in groups:
            report.add(f"offering {g.label}", Status.CANNOT_CHECK, str(exc))
        return
    for g in groups:
        name = f"offering {g.label}"
        if g.zones is None:
            report.add(name, Status.CANNOT_CHECK, f"{g.instance_type}: {g.zone_note}")
            continue
        missing = [z for z in g.zones if z not in offered[g.instance_type]]
        where = sorted(offered[g.instance_type])
        if not missing:
            report.add(name, Status.PASS, f"{g.instance_type} is offered in {', '.join(g.zones)} ({g.zone_note})")
        else:
            report.add(name, Status.FAIL,
                       f"{g.instance_type} is not offered in {', '.join(missing)} ({g.zone_note}); "
                       f"{report.region} offers it in {', '.join(where) if where else 'no zone'}: "
                       "choose zones that offer it or another instance type")


def _vcpus(pf: _Preflight, groups: list[_Group]) -> dict[str, int | str]:
    """vCPUs per instance type: GPU types from the catalogue, others from DescribeInstanceTypes
    (a string is the reason it could not be read)."""
    out: dict[str, int | str] = {}
    other: list[str] = []
    for g in groups:
        try:
            vcpus = lookup("aws", g.instance_type).vcpus
        except KeyError:
            vcpus = None
        if vcpus is None:
            other.append(g.instance_type)
        else:
            out[g.instance_type] = vcpus
    if other:
        try:
            for info in pf.guarded_pages("ec2", "describe_instance_types", "InstanceTypes",
                                         InstanceTypes=sorted(set(other))):
                out[info["InstanceType"]] = int(info["VCpuInfo"]["DefaultVCpus"])
        except _CannotCheck as exc:
            for name in other:
                out.setdefault(name, f"vCPUs of {name} unknown: {exc}")
    return out


def _check_quotas(pf: _Preflight, report: PreflightReport, groups: list[_Group]) -> None:
    vcpus = _vcpus(pf, groups)
    needs: dict[tuple[str, str], list[tuple[_Group, int]]] = defaultdict(list)
    for g in groups:
        if g.option not in (ON_DEMAND, SPOT):
            report.notes.append(f"{g.label} runs in Capacity Block {g.reservation}: checked against the "
                                "reservation, not against a vCPU quota")
            continue
        family = quota_family(g.instance_type)
        n = vcpus.get(g.instance_type)
        if family is None:
            report.add(f"quota {g.label}", Status.CANNOT_CHECK,
                       f"no EC2 vCPU quota code is known for {g.instance_type}'s family")
        elif not isinstance(n, int):
            report.add(f"quota {g.label}", Status.CANNOT_CHECK, str(n))
        else:
            needs[(family, g.option)].append((g, n))
    for family, option in sorted(needs, key=lambda k: QUOTAS[k].code):
        quota = QUOTAS[(family, option)]
        rows = needs[(family, option)]
        if (family, option) == ("P", SPOT):
            value, name, reason = _quota_value(pf, quota)
            if name is not None and "P4, P3 and P2" in name:  # the account still has the split P spot quotas
                p5 = [(g, n) for g, n in rows if g.instance_type.startswith("p5")]
                rows = [(g, n) for g, n in rows if not g.instance_type.startswith("p5")]
                if p5:
                    _quota_row(report, LEGACY_P5_SPOT, option, p5, *_quota_value(pf, LEGACY_P5_SPOT))
                if not rows:
                    continue
            _quota_row(report, quota, option, rows, value, name, reason)
        else:
            _quota_row(report, quota, option, rows, *_quota_value(pf, quota))


def _quota_value(pf: _Preflight, quota: QuotaCode) -> tuple[float | None, str | None, str]:
    """(value, name the API gives, reason when unknown). Falls back to the AWS default value when
    the account has no applied value (``NoSuchResourceException``)."""
    from botocore.exceptions import ClientError

    try:
        q = pf.call("service-quotas", "get_service_quota", ServiceCode="ec2", QuotaCode=quota.code)["Quota"]
        return float(q["Value"]), str(q.get("QuotaName") or quota.name), ""
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchResourceException":
            return None, None, _describe_error(exc)
    except _CannotCheck as exc:
        return None, None, str(exc)
    try:
        q = pf.guarded("service-quotas", "get_aws_default_service_quota", ServiceCode="ec2",
                       QuotaCode=quota.code)["Quota"]
        return float(q["Value"]), f"{q.get('QuotaName') or quota.name}, AWS default", ""
    except _CannotCheck as exc:
        return None, None, str(exc)


def _quota_row(report: PreflightReport, quota: QuotaCode, option: str, rows: list[tuple[_Group, int]],
               value: float | None, name: str | None, reason: str) -> None:
    need = sum(g.max_nodes * n for g, n in rows)
    parts = ", ".join(f"{g.label} {g.max_nodes} × {g.instance_type} ({n} vCPUs)" for g, n in rows)
    label = f"quota {option} {quota.code}"
    if value is None:
        report.add(label, Status.CANNOT_CHECK, f"needs {need} vCPUs ({parts}); the quota could not be read: {reason}")
    elif need <= value:
        report.add(label, Status.PASS, f"{name}: {value:g} vCPUs ≥ {need} needed at maxSize ({parts})")
    else:
        report.add(label, Status.FAIL,
                   f"{name}: {value:g} vCPUs < {need} needed at maxSize ({parts}); request an increase to at "
                   f"least {need} (Service Quotas → Amazon EC2 → {quota.code}) or lower maxSize")


def _check_reservation(pf: _Preflight, report: PreflightReport, g: _Group) -> None:
    from botocore.exceptions import ClientError

    name = f"capacity block {g.label}"
    try:
        found = pf.call("ec2", "describe_capacity_reservations",
                        CapacityReservationIds=[g.reservation]).get("CapacityReservations", [])
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "NotFound" in code or "Malformed" in code:
            report.add(name, Status.FAIL, f"{g.reservation} does not exist in this account and region ({code})")
        else:
            report.add(name, Status.CANNOT_CHECK, _describe_error(exc))
        return
    except _CannotCheck as exc:
        report.add(name, Status.CANNOT_CHECK, str(exc))
        return
    if not found:
        report.add(name, Status.FAIL, f"{g.reservation} does not exist in this account and region")
        return
    r = found[0]
    problems = []
    if r.get("InstanceType") != g.instance_type:
        problems.append(f"it reserves {r.get('InstanceType')}, the group asks for {g.instance_type}")
    if g.zones is not None and r.get("AvailabilityZone") not in g.zones:
        problems.append(f"it is in {r.get('AvailabilityZone')}, the group uses {', '.join(g.zones)}")
    state = str(r.get("State", ""))
    if state not in _RESERVATION_OK:
        problems.append(f"its state is {state}")
    total = int(r.get("TotalInstanceCount", 0))
    if total < g.max_nodes:
        problems.append(f"it holds {total} instances, maxSize is {g.max_nodes}")
    if problems:
        report.add(name, Status.FAIL, f"{g.reservation}: " + "; ".join(problems))
    else:
        report.add(name, Status.PASS, f"{g.reservation}: {total} × {g.instance_type} in {r.get('AvailabilityZone')}, "
                                      f"{state}" + (f", ends {r['EndDate']}" if r.get("EndDate") else ""))


# -- Bedrock -------------------------------------------------------------------------------------
def _check_bedrock(pf: _Preflight, report: PreflightReport, platform: PlatformConfig) -> None:
    b = platform.bedrock
    if b is None:
        return
    models: dict[str, dict[str, Any]] | None = None
    profiles: dict[str, dict[str, Any]] | None = None
    reason = ""
    try:
        models = {m["modelId"]: m for m in pf.guarded("bedrock", "list_foundation_models").get("modelSummaries", [])}
        if any(lookup_bedrock(m).is_profile for m in b.models):
            profiles = {p["inferenceProfileId"]: p for p in
                        pf.guarded_pages("bedrock", "list_inference_profiles", "inferenceProfileSummaries",
                                         typeEquals="SYSTEM_DEFINED")}
    except _CannotCheck as exc:
        reason = str(exc)
    provisioned = {pt.model for pt in b.provisioned_throughput}
    for model_id in b.models:
        name = f"bedrock {model_id}"
        if models is None:
            report.add(name, Status.CANNOT_CHECK, reason)
            continue
        entry = lookup_bedrock(model_id)
        problems: list[str] = []
        if entry.profile is not None:
            if profiles is None:
                report.add(name, Status.CANNOT_CHECK, reason or "inference profiles could not be listed")
                continue
            prof = profiles.get(model_id)
            if prof is None:
                problems.append(f"inference profile {model_id} does not exist in {report.region}")
            elif prof.get("status") not in (None, "ACTIVE"):
                problems.append(f"inference profile status is {prof.get('status')}")
            if entry.profile.source_regions and report.region not in entry.profile.source_regions:
                problems.append(f"the profile cannot be called from {report.region} (source regions: "
                                f"{', '.join(entry.profile.source_regions)})")
        else:
            fm = models.get(model_id)
            if fm is None:
                problems.append(f"{model_id} is not offered in {report.region}")
            else:
                kinds = list(fm.get("inferenceTypesSupported") or [])
                if "ON_DEMAND" not in kinds and model_id not in provisioned:
                    problems.append(f"{model_id} cannot be invoked on demand in {report.region} (it supports "
                                    f"{', '.join(kinds) or 'nothing'}); allowlist an inference profile id instead")
        if problems:
            report.add(name, Status.FAIL, "; ".join(problems))
            continue
        status, detail = _model_access(pf, entry.foundation.id)
        via = f" via {entry.foundation.id}" if entry.profile is not None else ""
        report.add(name, status, f"{detail}{via}")


def _model_access(pf: _Preflight, model_id: str) -> tuple[Status, str]:
    """Whether the account may invoke ``model_id`` here, from GetFoundationModelAvailability."""
    if not hasattr(pf.client("bedrock"), "get_foundation_model_availability"):
        return Status.CANNOT_CHECK, ("offered; access not checked: this botocore has no "
                                     "GetFoundationModelAvailability (upgrade boto3)")
    try:
        a = pf.guarded("bedrock", "get_foundation_model_availability", modelId=model_id)
    except _CannotCheck as exc:
        return Status.CANNOT_CHECK, f"offered; access could not be read: {exc}"
    agreement = (a.get("agreementAvailability") or {}).get("status")
    fields = {"regionAvailability": a.get("regionAvailability"),
              "entitlementAvailability": a.get("entitlementAvailability"),
              "authorizationStatus": a.get("authorizationStatus"),
              "agreementAvailability": agreement}
    ok = {"regionAvailability": "AVAILABLE", "entitlementAvailability": "AVAILABLE",
          "authorizationStatus": "AUTHORIZED", "agreementAvailability": "AVAILABLE"}
    bad = [f"{k} {v}" for k, v in fields.items() if v is not None and v != ok[k]]
    if bad:
        msg = (a.get("agreementAvailability") or {}).get("errorMessage")
        return Status.FAIL, (f"not accessible: {', '.join(bad)}" + (f" ({msg})" if msg else "")
                             + "; enable access in the Bedrock console (Model access) or accept the model's "
                               "agreement, and check the caller's IAM permissions")
    return Status.PASS, "offered and accessible"
