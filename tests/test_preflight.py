"""``aiops preflight``: the account checks before ``pulumi up``.

moto answers what it implements (EC2 zones, offerings, instance types, subnets; STS); botocore's
``Stubber`` answers what it does not (Service Quotas for EC2, Bedrock model listing and access,
EC2 capacity reservations). No test reaches the network: credentials are fake or absent, and the
instance metadata service is disabled.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from pulumi_aiops.cli import main
from pulumi_aiops.plan import Project, find_project
from pulumi_aiops.preflight import (
    LEGACY_P5_SPOT,
    QUOTAS,
    PreflightReport,
    Status,
    expected_accounts,
    quota_family,
    run_preflight,
)

REGION = "us-east-1"
MOTO_ACCOUNT = "123456789012"  # the account moto's STS answers with


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, no profiles, no instance metadata: nothing can reach a real endpoint."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def moto(aws_env: None) -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _project(tmp_path: Path, repo_root: Path, stack_yaml: str) -> Project:
    (tmp_path / "proj" / "stacks").mkdir(parents=True)
    shutil.copy(repo_root / "Pulumi.yaml", tmp_path / "proj" / "Pulumi.yaml")
    (tmp_path / "proj" / "stacks" / "Pulumi.x.yaml").write_text(stack_yaml)
    return find_project(tmp_path / "proj")


# A stack like dev: a system group (m6i.large, Standard On-Demand) and an L4 spot group.
DEV_LIKE = """
config:
  aws:region: us-east-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    allowedRegions: [us-east-1]
    eks:
      network: {azCount: 2}
      access: {adminPrincipalArns: ["arn:aws:iam::123456789012:role/ml-admin"]}
      systemNodeGroup: {instanceType: m6i.large, minSize: 1, maxSize: 2}
      gpuNodeGroups:
        - {name: l4, instanceType: g6.xlarge, capacityType: SPOT, maxSize: 2}
    bedrock:
      models: [amazon.nova-micro-v1:0]
      privateEndpoints: {mode: DISABLED}
"""


def _quotas(values: dict[str, float], names: dict[str, str] | None = None) -> tuple[Any, Stubber]:
    """A Service Quotas client answering ``get_service_quota`` for ``values``, in code order."""
    client = boto3.client("service-quotas", region_name=REGION)
    stub = Stubber(client)
    known = {q.code: q.name for q in [*QUOTAS.values(), LEGACY_P5_SPOT]}
    for code in sorted(values):
        stub.add_response(
            "get_service_quota",
            {"Quota": {"ServiceCode": "ec2", "QuotaCode": code, "QuotaName": (names or {}).get(code, known[code]),
                       "Value": values[code]}},
            {"ServiceCode": "ec2", "QuotaCode": code},
        )
    stub.activate()
    return client, stub


def _model_summary(model_id: str, kinds: list[str]) -> dict[str, Any]:
    return {"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{model_id}", "modelId": model_id,
            "modelName": model_id, "providerName": model_id.split(".")[0],
            "inferenceTypesSupported": kinds, "modelLifecycle": {"status": "ACTIVE"}}


def _availability(model_id: str, *, authorized: bool = True, agreement: str = "AVAILABLE") -> dict[str, Any]:
    return {"modelId": model_id, "agreementAvailability": {"status": agreement},
            "authorizationStatus": "AUTHORIZED" if authorized else "NOT_AUTHORIZED",
            "entitlementAvailability": "AVAILABLE", "regionAvailability": "AVAILABLE"}


def _bedrock(listed: list[dict[str, Any]], availability: list[dict[str, Any]]) -> tuple[Any, Stubber]:
    client = boto3.client("bedrock", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("list_foundation_models", {"modelSummaries": listed}, {})
    for a in availability:
        stub.add_response("get_foundation_model_availability", a, {"modelId": a["modelId"]})
    stub.activate()
    return client, stub


def _rows(report: PreflightReport) -> dict[str, tuple[Status, str]]:
    return {c.name: (c.status, c.detail) for c in report.checks}


NOVA = "amazon.nova-micro-v1:0"


def test_everything_in_place_passes(tmp_path: Path, repo_root: Path, moto: boto3.Session) -> None:
    sq, sq_stub = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})  # 8 vCPUs is exactly 2 × g6.xlarge
    br, br_stub = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path, repo_root, DEV_LIKE), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    sq_stub.assert_no_pending_responses()
    br_stub.assert_no_pending_responses()
    rows = _rows(report)
    assert {s for s, _ in rows.values()} == {Status.PASS}, report.render_text()
    assert report.exit_code() == 0
    assert report.account == MOTO_ACCOUNT
    assert "is the expected account" in rows["account"][1]
    # the component's zones: the first azCount (2) available zones of the region
    zones = [z["ZoneName"] for z in moto.client("ec2").describe_availability_zones()["AvailabilityZones"]][:2]
    assert ", ".join(zones) in rows["offering eks/l4"][1]
    assert "8 needed" in rows["quota Spot L-3819A6DF"][1]
    assert "4 needed" in rows["quota On-Demand L-1216C47A"][1]  # m6i.large: 2 vCPUs × maxSize 2


def test_a_quota_too_low_is_a_blocker(tmp_path: Path, repo_root: Path, moto: boto3.Session,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 4})
    br, _ = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path, repo_root, DEV_LIKE), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    status, detail = _rows(report)["quota Spot L-3819A6DF"]
    assert status is Status.FAIL
    assert "All G and VT Spot Instance Requests: 4 vCPUs < 8 needed" in detail
    assert "eks/l4 2 × g6.xlarge (4 vCPUs)" in detail and "request an increase to at least 8" in detail
    assert _rows(report)["quota On-Demand L-1216C47A"][0] is Status.PASS
    assert report.exit_code() == 1
    text = report.render_text()
    assert "FAIL" in text and "1 failed" in text


def _type_with_a_gap(ec2: Any) -> tuple[str, list[str], str]:
    """A GPU type moto's us-east-1 data offers in some zones but not all: (type, offered, missing)."""
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    for t in ("p5en.48xlarge", "g6e.12xlarge", "p4de.24xlarge", "g6e.48xlarge", "p5.48xlarge"):
        got = ec2.describe_instance_type_offerings(
            LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [t]}])
        offered = sorted(o["Location"] for o in got["InstanceTypeOfferings"])
        missing = [z for z in zones if z not in offered]
        if offered and missing:
            return t, offered, missing[0]
    raise AssertionError("moto's data offers every candidate type in every zone; pick other candidates")


def test_an_instance_type_not_offered_in_a_zone_is_a_blocker(tmp_path: Path, repo_root: Path,
                                                             moto: boto3.Session) -> None:
    itype, offered, missing = _type_with_a_gap(moto.client("ec2"))
    zones = sorted({offered[0], missing})
    family = quota_family(itype)
    stack = f"""
config:
  aws:region: us-east-1
  aiops:platform:
    governance: {{owner: ml, costCenter: cc-1}}
    eks:
      network: {{azCount: 2, availabilityZones: [{", ".join(zones)}]}}
      gpuNodeGroups:
        - {{name: big, instanceType: {itype}, maxSize: 1}}
"""
    code = QUOTAS[(family, "On-Demand")].code  # type: ignore[index]
    sq, _ = _quotas({"L-1216C47A": 1000, code: 1000})
    report = run_preflight(_project(tmp_path, repo_root, stack), "x", session=moto,
                           account=MOTO_ACCOUNT, clients={"service-quotas": sq})
    status, detail = _rows(report)["offering eks/big"]
    assert status is Status.FAIL
    assert f"{itype} is not offered in {missing} (network.availabilityZones)" in detail
    assert f"offers it in {', '.join(offered)}" in detail
    assert _rows(report)["offering eks/system"][0] is Status.PASS  # m6i.large is everywhere
    assert report.exit_code() == 1


def test_an_inaccessible_model_is_a_blocker(tmp_path: Path, repo_root: Path, moto: boto3.Session) -> None:
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})
    br, br_stub = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])],
                           [_availability(NOVA, authorized=False, agreement="PENDING")])
    report = run_preflight(_project(tmp_path, repo_root, DEV_LIKE), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    br_stub.assert_no_pending_responses()
    status, detail = _rows(report)[f"bedrock {NOVA}"]
    assert status is Status.FAIL
    assert "not accessible" in detail
    assert "authorizationStatus NOT_AUTHORIZED" in detail and "agreementAvailability PENDING" in detail
    assert report.exit_code() == 1


def test_a_model_missing_or_not_on_demand_is_a_blocker(tmp_path: Path, repo_root: Path,
                                                       moto: boto3.Session) -> None:
    sonnet = "anthropic.claude-sonnet-4-20250514-v1:0"
    stack = DEV_LIKE.replace(f"models: [{NOVA}]", f"models: [{NOVA}, {sonnet}]")
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})
    # Nova is not offered in the region at all; Sonnet 4 only through an inference profile.
    br, br_stub = _bedrock([_model_summary(sonnet, ["INFERENCE_PROFILE"])], [])
    report = run_preflight(_project(tmp_path, repo_root, stack), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    br_stub.assert_no_pending_responses()  # no access call for a model that failed already
    rows = _rows(report)
    assert rows[f"bedrock {NOVA}"] == (Status.FAIL, f"{NOVA} is not offered in us-east-1")
    status, detail = rows[f"bedrock {sonnet}"]
    assert status is Status.FAIL
    assert "cannot be invoked on demand" in detail and "INFERENCE_PROFILE" in detail


def test_an_inference_profile_is_looked_up_and_its_model_checked(tmp_path: Path, repo_root: Path,
                                                                  moto: boto3.Session) -> None:
    profile = "us.anthropic.claude-sonnet-4-20250514-v1:0"
    model = "anthropic.claude-sonnet-4-20250514-v1:0"
    stack = DEV_LIKE.replace("    allowedRegions: [us-east-1]\n", "").replace(f"models: [{NOVA}]",
                                                                              f"models: [{profile}]")
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})
    br = boto3.client("bedrock", region_name=REGION)
    stub = Stubber(br)
    stub.add_response("list_foundation_models", {"modelSummaries": [_model_summary(model, ["INFERENCE_PROFILE"])]})
    stub.add_response("list_inference_profiles", {"inferenceProfileSummaries": [{
        "inferenceProfileName": "US Claude Sonnet 4", "inferenceProfileArn":
            f"arn:aws:bedrock:{REGION}:{MOTO_ACCOUNT}:inference-profile/{profile}",
        "models": [{"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{model}"}],
        "inferenceProfileId": profile, "status": "ACTIVE", "type": "SYSTEM_DEFINED"}]},
        {"typeEquals": "SYSTEM_DEFINED"})
    stub.add_response("get_foundation_model_availability", _availability(model), {"modelId": model})
    stub.activate()
    report = run_preflight(_project(tmp_path, repo_root, stack), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    stub.assert_no_pending_responses()
    assert _rows(report)[f"bedrock {profile}"] == (Status.PASS, f"offered and accessible via {model}")


def test_no_credentials_says_so_without_a_traceback(tmp_path: Path, repo_root: Path, no_credentials: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, repo_root, DEV_LIKE)
    code = main(["preflight", "--stack", "x", "--cwd", str(proj.root)])
    out, err = capsys.readouterr()
    assert code == 3
    assert "No AWS credentials found (botocore NoCredentialsError)" in out
    assert "Traceback" not in out + err
    lines = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert "pass" in lines["region"]  # the local check still runs
    assert "cannot check  no AWS credentials" in lines["quotas"]
    assert "cannot check  no AWS credentials" in lines[f"bedrock {NOVA}"]


def test_no_credentials_json(tmp_path: Path, repo_root: Path, no_credentials: None,
                             capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, repo_root, DEV_LIKE)
    assert main(["preflight", "--stack", "x", "--cwd", str(proj.root), "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["credentials"] is False
    assert data["counts"] == {"pass": 1, "fail": 0, "cannot check": len(data["checks"]) - 1}


def test_the_wrong_account_is_a_blocker(tmp_path: Path, repo_root: Path, moto: boto3.Session) -> None:
    stack = DEV_LIKE.replace("arn:aws:iam::123456789012:role/ml-admin", "arn:aws:iam::210987654321:role/ml-admin")
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})
    br, _ = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path, repo_root, stack), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    status, detail = _rows(report)["account"]
    assert status is Status.FAIL
    assert f"caller {MOTO_ACCOUNT}" in detail and "not the expected account 210987654321" in detail
    # --account wins over the config's ARNs
    sq, _ = _quotas({"L-1216C47A": 32, "L-3819A6DF": 8})
    br, _ = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path / "2", repo_root, stack), "x", session=moto, account=MOTO_ACCOUNT,
                           clients={"service-quotas": sq, "bedrock": br})
    assert _rows(report)["account"][0] is Status.PASS


def test_a_region_outside_allowed_regions_is_a_blocker(tmp_path: Path, repo_root: Path,
                                                        moto: boto3.Session) -> None:
    stack = """
config:
  aws:region: eu-west-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    allowedRegions: [us-east-1]
"""
    report = run_preflight(_project(tmp_path, repo_root, stack), "x", session=moto, account=MOTO_ACCOUNT)
    status, detail = _rows(report)["region"]
    assert status is Status.FAIL
    assert "eu-west-1 is not in allowedRegions [us-east-1]" in detail
    assert report.region == "eu-west-1" and report.exit_code() == 1


def test_access_denied_cannot_check_with_the_reason(tmp_path: Path, repo_root: Path, moto: boto3.Session) -> None:
    sq = boto3.client("service-quotas", region_name=REGION)
    sq_stub = Stubber(sq)
    for _ in range(2):
        sq_stub.add_client_error("get_service_quota", "AccessDeniedException", "not authorized to GetServiceQuota")
    sq_stub.activate()
    br, _ = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path, repo_root, DEV_LIKE), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    status, detail = _rows(report)["quota Spot L-3819A6DF"]
    assert status is Status.CANNOT_CHECK
    assert "needs 8 vCPUs" in detail and "AccessDeniedException on GetServiceQuota" in detail
    assert report.exit_code() == 0
    assert report.exit_code(strict=True) == 3


def test_the_default_quota_is_read_when_the_account_has_no_applied_value(tmp_path: Path, repo_root: Path,
                                                                          moto: boto3.Session) -> None:
    sq = boto3.client("service-quotas", region_name=REGION)
    stub = Stubber(sq)
    stub.add_response("get_service_quota", {"Quota": {"QuotaCode": "L-1216C47A", "QuotaName": "Standard",
                                                      "Value": 32.0}})
    stub.add_client_error("get_service_quota", "NoSuchResourceException", "no applied value")
    stub.add_response("get_aws_default_service_quota",
                      {"Quota": {"QuotaCode": "L-3819A6DF", "QuotaName": "All G and VT Spot Instance Requests",
                                 "Value": 0.0}},
                      {"ServiceCode": "ec2", "QuotaCode": "L-3819A6DF"})
    stub.activate()
    br, _ = _bedrock([_model_summary(NOVA, ["ON_DEMAND"])], [_availability(NOVA)])
    report = run_preflight(_project(tmp_path, repo_root, DEV_LIKE), "x", session=moto,
                           clients={"service-quotas": sq, "bedrock": br})
    stub.assert_no_pending_responses()
    status, detail = _rows(report)["quota Spot L-3819A6DF"]
    assert status is Status.FAIL
    assert "AWS default: 0 vCPUs < 8 needed" in detail


P5_SPOT = """
config:
  aws:region: us-east-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    eks:
      network: {azCount: 2}
      gpuNodeGroups:
        - {name: h100, instanceType: p5.48xlarge, capacityType: SPOT, maxSize: 1}
        - {name: a100, instanceType: p4d.24xlarge, capacityType: SPOT, maxSize: 1}
"""


def test_p5_spot_uses_the_p5_quota_where_the_account_still_splits_it(tmp_path: Path, repo_root: Path,
                                                                      moto: boto3.Session) -> None:
    split = {"L-7212CCBC": "All P4, P3 and P2 Spot Instance Requests"}
    sq, stub = _quotas({"L-1216C47A": 1000, "L-7212CCBC": 96, "L-C4BD4855": 192}, split)
    report = run_preflight(_project(tmp_path, repo_root, P5_SPOT), "x", session=moto, account=MOTO_ACCOUNT,
                           clients={"service-quotas": sq})
    stub.assert_no_pending_responses()
    rows = _rows(report)
    assert rows["quota Spot L-C4BD4855"][0] is Status.PASS and "192 needed" in rows["quota Spot L-C4BD4855"][1]
    assert rows["quota Spot L-7212CCBC"][0] is Status.PASS and "96 needed" in rows["quota Spot L-7212CCBC"][1]
    # where the quota is one "All P Spot Instance Requests", both groups count against it
    sq, _ = _quotas({"L-1216C47A": 1000, "L-7212CCBC": 96})
    report = run_preflight(_project(tmp_path / "2", repo_root, P5_SPOT), "x", session=moto, account=MOTO_ACCOUNT,
                           clients={"service-quotas": sq})
    status, detail = _rows(report)["quota Spot L-7212CCBC"]
    assert status is Status.FAIL and "96 vCPUs < 288 needed" in detail


CAPACITY_BLOCK = """
config:
  aws:region: us-east-1
  aiops:platform:
    governance: {owner: ml, costCenter: cc-1}
    eks:
      network: {azCount: 2, availabilityZones: [us-east-1a, us-east-1b]}
      systemNodeGroup: {instanceType: m6i.large, minSize: 1, maxSize: 2}
      gpuNodeGroups:
        - {name: h100, instanceType: p5.48xlarge, capacityType: CAPACITY_BLOCK, minSize: 0, maxSize: 2,
           capacityReservationId: cr-0a1b2c3d4e5f67890, availabilityZones: [us-east-1a]}
"""


def test_a_capacity_block_is_checked_against_its_reservation(tmp_path: Path, repo_root: Path,
                                                              aws_env: None) -> None:
    """moto has no DescribeCapacityReservations: EC2 is stubbed whole here."""
    ec2 = boto3.client("ec2", region_name=REGION)
    stub = Stubber(ec2)
    stub.add_response("describe_instance_type_offerings", {"InstanceTypeOfferings": [
        {"InstanceType": t, "LocationType": "availability-zone", "Location": z}
        for t in ("m6i.large", "p5.48xlarge") for z in ("us-east-1a", "us-east-1b")]})
    stub.add_response("describe_instance_types", {"InstanceTypes": [
        {"InstanceType": "m6i.large", "VCpuInfo": {"DefaultVCpus": 2}}]}, {"InstanceTypes": ["m6i.large"]})
    stub.add_response("describe_capacity_reservations", {"CapacityReservations": [{
        "CapacityReservationId": "cr-0a1b2c3d4e5f67890", "InstanceType": "p5.48xlarge",
        "AvailabilityZone": "us-east-1b", "TotalInstanceCount": 1, "State": "scheduled"}]},
        {"CapacityReservationIds": ["cr-0a1b2c3d4e5f67890"]})
    stub.activate()
    sts = boto3.client("sts", region_name=REGION)
    sts_stub = Stubber(sts)
    sts_stub.add_response("get_caller_identity", {"Account": MOTO_ACCOUNT, "Arn": "arn:aws:iam::123456789012:user/x",
                                                  "UserId": "x"})
    sts_stub.activate()
    sq, sq_stub = _quotas({"L-1216C47A": 32})  # the block's p5 is not summed into an On-Demand quota
    report = run_preflight(_project(tmp_path, repo_root, CAPACITY_BLOCK), "x", account=MOTO_ACCOUNT,
                           session=boto3.Session(region_name=REGION),
                           clients={"ec2": ec2, "sts": sts, "service-quotas": sq})
    stub.assert_no_pending_responses()
    sq_stub.assert_no_pending_responses()
    status, detail = _rows(report)["capacity block eks/h100"]
    assert status is Status.FAIL
    assert "it is in us-east-1b, the group uses us-east-1a" in detail
    assert "it holds 1 instances, maxSize is 2" in detail
    assert "quota On-Demand L-417A185B" not in _rows(report)
    assert any("Capacity Block cr-0a1b2c3d4e5f67890" in n for n in report.notes)


def test_quota_families() -> None:
    assert quota_family("g6e.12xlarge") == quota_family("g5.xlarge") == quota_family("vt1.3xlarge") == "G and VT"
    assert quota_family("p5en.48xlarge") == quota_family("p4d.24xlarge") == "P"
    assert quota_family("m6i.large") == quota_family("c7gn.xlarge") == quota_family("r7iz.large") == "Standard"
    assert quota_family("inf2.xlarge") is None and quota_family("trn1.32xlarge") is None
    assert quota_family("x2idn.16xlarge") is None


def test_expected_accounts_come_from_arns_anywhere_in_the_config() -> None:
    cfg = {"eks": {"access": {"adminPrincipalArns": ["arn:aws:iam::111122223333:role/a"]}},
           "vectorStores": [{"opensearch": {"adminPrincipals": ["arn:aws-us-gov:iam::444455556666:role/b"]}}],
           "note": "arn:aws:s3:::bucket-without-account", "n": 123456789012}
    assert expected_accounts(cfg) == {"111122223333", "444455556666"}


def test_the_shipped_prod_stack_expects_its_account(repo_root: Path) -> None:
    """prod names one account in its ARNs: that is the account the preflight expects."""
    from pulumi_aiops.stack_file import read_stack_file

    config, _ = read_stack_file(repo_root / "stacks" / "Pulumi.prod.yaml")
    assert expected_accounts(config["aiops:platform"]) == {"123456789012"}
