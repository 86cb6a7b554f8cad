"""Values only the real world can refuse: regions and partitions from botocore's endpoint data,
availability zones of the stack's region, S3 bucket naming rules, AWS tag limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_aiops.config import load_platform_config
from pulumi_aiops.config.aws_names import bucket_name_problem, partition_of, regions, tag_problems
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program
from stack_plans import STACKS, planned


def _load_in_stack(platform: dict[str, Any], region: str) -> None:
    """Run ``load_platform_config()`` as the stack program does, with ``aws:region`` set."""
    run_program(load_platform_config, {"aws:region": region, "aiops:platform": platform})


def test_regions_and_partitions_come_from_botocore() -> None:
    assert partition_of("us-east-1") == "aws"
    assert partition_of("cn-north-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    assert partition_of("us-east-9") is None
    assert len(regions()) > 30


@pytest.mark.parametrize(("regions_", "path", "text"), [
    (["eu-central-1", "eu-centrall-1"], "aiops:platform.allowedRegions[1]",
     "'eu-centrall-1' is not an AWS region (botocore's endpoint data lists none by that name); did you mean"),
    (["us-east-1", "us-east-1"], "aiops:platform.allowedRegions", "lists a region twice"),
])
def test_allowed_regions_are_real(base_platform: dict[str, Any], regions_: list[str], path: str, text: str) -> None:
    base_platform["allowedRegions"] = regions_
    with pytest.raises(ConfigError) as err:
        load_platform_config(base_platform)
    assert f"{path}: " in str(err.value) and text in str(err.value)


def test_stack_region_must_be_allowed_and_real(base_platform: dict[str, Any]) -> None:
    base_platform["allowedRegions"] = ["eu-central-1", "eu-west-1"]
    with pytest.raises(ConfigError, match=r"aws:region: 'us-east-1' is not in aiops:platform.allowedRegions"):
        _load_in_stack(base_platform, "us-east-1")
    _load_in_stack(base_platform, "eu-west-1")  # allowed: no error
    with pytest.raises(ConfigError, match=r"aws:region: 'eu-west-9' is not an AWS region"):
        _load_in_stack({**base_platform, "allowedRegions": []}, "eu-west-9")


def test_availability_zones_belong_to_the_stack_region(base_platform: dict[str, Any]) -> None:
    p = copy.deepcopy(base_platform)
    p["eks"] = {"network": {"azCount": 2, "availabilityZones": ["us-east-1a", "us-west-2b"]},
                "gpuNodeGroups": [{"name": "l4", "instanceType": "g6.xlarge",
                                   "availabilityZones": ["us-east-1a"]}]}
    with pytest.raises(ConfigError) as err:
        _load_in_stack(p, "us-east-1")
    msg = str(err.value)
    assert "aiops:platform.eks.network.availabilityZones[1]: 'us-west-2b' is not an availability zone of the " \
           "stack's region us-east-1" in msg
    # A Local Zone of the region is an AZ of it.
    p["eks"]["network"]["availabilityZones"] = ["us-east-1a", "us-east-1-bos-1a"]
    p["eks"]["gpuNodeGroups"][0]["availabilityZones"] = ["us-east-1a"]
    _load_in_stack(p, "us-east-1")


@pytest.mark.parametrize(("name", "problem"), [
    ("ab", "is 2 characters long"),
    ("a" * 64, "is 64 characters long"),
    ("My-Bucket", "uses characters other than lowercase"),
    ("data_lake", "uses characters other than lowercase"),
    ("-data", "must begin and end"),
    ("data.", "must begin and end"),
    ("data..lake", "two adjacent periods"),
    ("192.168.5.4", "formatted as an IP address"),
    ("xn--data", "reserved prefix 'xn--'"),
    ("sthree-data", "reserved prefix 'sthree-'"),
    ("amzn-s3-demo-data", "reserved prefix 'amzn-s3-demo-'"),
    ("data-s3alias", "reserved suffix '-s3alias'"),
    ("data--ol-s3", "reserved suffix '--ol-s3'"),
    ("data.mrap", "reserved suffix '.mrap'"),
    ("data--x-s3", "reserved suffix '--x-s3'"),
    ("data--table-s3", "reserved suffix '--table-s3'"),
])
def test_bucket_names_that_s3_refuses(name: str, problem: str) -> None:
    assert problem in (bucket_name_problem(name) or "")


@pytest.mark.parametrize("name", ["abc", "a" * 63, "ml-platform.prod-datasets-2026", "192.168.5.4a"])
def test_bucket_names_that_s3_accepts(name: str) -> None:
    assert bucket_name_problem(name) is None


def test_coreweave_dataset_bucket_names_follow_the_s3_rules(base_platform: dict[str, Any]) -> None:
    base_platform["coreweave"] = {"name": "cw", "datasets": [{"name": "ok-datasets"}, {"name": "datasets-s3alias"}]}
    with pytest.raises(ConfigError, match=r"aiops:platform\.coreweave\.datasets\[1\]\.name: 'datasets-s3alias' is "
                                          r"not a valid bucket name: it ends with the reserved suffix '-s3alias'"):
        load_platform_config(base_platform)


def test_governance_tags_stay_within_aws_limits(base_platform: dict[str, Any]) -> None:
    ok = copy.deepcopy(base_platform)
    ok["governance"]["extraTags"] = {f"k{i}": "v" for i in range(41)}  # 5 governance + 41 + 4 reserved = 50
    load_platform_config(ok)
    over = copy.deepcopy(base_platform)
    over["governance"]["extraTags"] = {f"k{i}": "v" for i in range(42)}
    with pytest.raises(ConfigError, match=r"aiops:platform\.governance\.extraTags: '42 tags' has 47 tags; at most 46"):
        load_platform_config(over)
    for tags, path, text in [
        ({"aws:team": "x"}, "extraTags.aws:team: 'aws:team'", "reserved prefix 'aws:'"),
        ({"team": "a" * 257}, "extraTags.team: ", "tag value is 257 characters long"),
        ({"team#": "x"}, "extraTags.team#: 'team#'", "tag key uses characters"),
        ({"k" * 129: "x"}, "extraTags.kkk", "tag key is 129 characters long"),
    ]:
        bad = copy.deepcopy(base_platform)
        bad["governance"]["extraTags"] = tags
        with pytest.raises(ConfigError) as err:
            load_platform_config(bad)
        assert f"aiops:platform.governance.{path}" in str(err.value) and text in str(err.value)
    bad = copy.deepcopy(base_platform)
    bad["governance"]["owner"] = "ml<platform>"
    with pytest.raises(ConfigError, match=r"aiops:platform\.governance\.owner: 'ml<platform>' value uses"):
        load_platform_config(bad)


@pytest.mark.parametrize("stack", STACKS)
def test_every_tag_set_and_bucket_name_of_the_shipped_stacks_is_valid(stack: str) -> None:
    graph = planned(stack).graph
    checked = 0
    for r in graph:
        tags = r.inputs.get("tags")
        if isinstance(tags, dict):
            assert tag_problems(tags) == [], (r.urn, tag_problems(tags))
            checked += 1
        if r.type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            name = r.inputs.get("bucket")
            # Pulumi auto-names a bucket '<logical name>-<7 random hex>' when no name is given.
            candidate = name if isinstance(name, str) else f"{r.name}-0a1b2c3"
            assert bucket_name_problem(candidate) is None, (r.urn, candidate, bucket_name_problem(candidate))
    assert checked > 10
