"""Bedrock models are served where they are called: the catalogue's in-region and profile-route
data, the config check that runs with the stack's ``aws:region``, and the invoke policy's ARNs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from bedrock_helpers import as_list, invoke_document, run_access

from pulumi_aiops.catalog.bedrock import BEDROCK_CATALOG_PATH, bedrock_catalog, lookup_bedrock, profiles_of
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.config.aws_names import regions
from pulumi_aiops.config.bedrock import check_bedrock_region
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
GOVERNANCE = {"owner": "ml-platform", "costCenter": "cc-1"}
NOVA_LITE = "amazon.nova-lite-v1:0"
US_NOVA_LITE = "us.amazon.nova-lite-v1:0"


def platform(models: list[str], allowed: list[str] | None = None) -> dict[str, Any]:
    """An ``aiops:platform`` value with only a Bedrock allowlist (no endpoints, no knowledge bases)."""
    p: dict[str, Any] = {"governance": dict(GOVERNANCE),
                         "bedrock": {"models": models, "privateEndpoints": {"mode": "DISABLED"}}}
    if allowed is not None:
        p["allowedRegions"] = allowed
    return p


def load_in_stack(raw: dict[str, Any], region: str) -> None:
    """``load_platform_config()`` as the stack program runs it, with ``aws:region`` set."""
    run_program(load_platform_config, {"aws:region": region, "aiops:platform": raw})


def problems_of(raw: dict[str, Any], region: str) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    return check_bedrock_region(load_platform_config(raw), region, warn=notes.append), notes


# -- the catalogue's data ---------------------------------------------------------------------
def test_every_row_states_where_it_is_served_and_the_source() -> None:
    raw = tomllib.loads(BEDROCK_CATALOG_PATH.read_text())
    for row in raw["model"]:
        assert "in_regions" in row and row.get("in_region_source"), row["id"]
        assert row["in_region_source"].startswith("unverified") or re.search(r"20\d\d-\d\d", row["in_region_source"])
    for row in raw["profile"]:
        assert row.get("routes") or row.get("source_regions"), row["id"]
        assert re.search(r"20\d\d-\d\d", row["source"]), row["id"]


def test_every_region_in_the_catalogue_is_a_real_region() -> None:
    real = set(regions())
    for entry in bedrock_catalog().values():
        named = set(entry.foundation.in_regions)
        if entry.profile is not None:
            named |= set(entry.profile.source_regions) | set(entry.profile.destination_regions)
        assert named <= real, (entry.id, sorted(named - real))
        assert len(set(entry.foundation.in_regions)) == len(entry.foundation.in_regions), entry.id


def test_profiles_route_within_their_geography() -> None:
    prefixes = {"us": ("us-", "ca-"), "eu": ("eu-", "il-"), "apac": ("ap-", "me-"), "jp": ("ap-northeast-",),
                "au": ("ap-southeast-",), "ca": ("ca-",), "us-gov": ("us-gov-",)}
    for entry in bedrock_catalog().values():
        p = entry.profile
        if p is None:
            continue
        assert p.id == f"{p.geography}.{entry.foundation.id}"
        for src in p.source_regions:
            dests = p.destinations_from(src)
            assert dests and len(set(dests)) == len(dests), (p.id, src)
            # A source outside the geography's own regions only adds itself (ca-central-1 → us.*).
            foreign = [d for d in dests if not d.startswith(prefixes[p.geography])]
            assert foreign in ([], [src]), (p.id, src, foreign)


@pytest.mark.parametrize(("model", "region", "served"), [
    # Bedrock user guide, Supported foundation models, copy fetched 2026-02-15.
    (NOVA_LITE, "us-west-2", False),  # the case the issue names: us-west-2 only through us.*
    (NOVA_LITE, "us-east-1", True),
    ("amazon.nova-micro-v1:0", "us-east-1", True),
    ("amazon.nova-pro-v1:0", "us-east-2", False),
    ("anthropic.claude-3-haiku-20240307-v1:0", "us-west-2", True),
    ("anthropic.claude-sonnet-4-20250514-v1:0", "us-east-1", False),
    ("meta.llama3-3-70b-instruct-v1:0", "us-east-2", True),
    ("meta.llama3-3-70b-instruct-v1:0", "us-east-1", False),
    ("amazon.titan-embed-text-v2:0", "us-west-1", False),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", "us-east-1", None),  # unverified
])
def test_in_region_data_as_read(model: str, region: str, served: bool | None) -> None:
    assert lookup_bedrock(model).foundation.invocable_in(region) is served


def test_profile_routes_depend_on_the_source_region() -> None:
    # Supported Regions and models for inference profiles: US Nova Lite, US Anthropic Claude 3 Haiku.
    p = lookup_bedrock(US_NOVA_LITE).profile
    assert p is not None
    assert p.destinations_from("us-west-2") == ("us-east-1", "us-east-2", "us-west-2")
    assert p.destinations_from("us-west-1") == ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
    assert p.destinations_from("eu-west-1") == ()
    haiku = lookup_bedrock("us.anthropic.claude-3-haiku-20240307-v1:0").profile
    assert haiku is not None and haiku.destinations_from("us-east-1") == ("us-east-1", "us-west-2")
    assert [q.id for q in profiles_of(NOVA_LITE)] == [US_NOVA_LITE, "eu.amazon.nova-lite-v1:0",
                                                     "apac.amazon.nova-lite-v1:0", "ca.amazon.nova-lite-v1:0"]


# -- the config check -------------------------------------------------------------------------
def test_in_region_model_is_accepted() -> None:
    load_in_stack(platform(["amazon.nova-micro-v1:0", "amazon.titan-embed-text-v2:0"], ["us-east-1"]), "us-east-1")


def test_model_not_served_in_region_is_refused_with_the_profile() -> None:
    raw = platform([NOVA_LITE], ["us-east-1", "us-east-2", "us-west-2"])
    with pytest.raises(ConfigError) as err:
        load_in_stack(raw, "us-west-2")
    msg = str(err.value)
    assert f"aiops:platform.bedrock.models[0]: '{NOVA_LITE}' cannot be invoked on demand in aws:region 'us-west-2'" \
        in msg
    assert "in-region only in ap-northeast-1, ap-southeast-2, ap-southeast-3, eu-north-1, eu-west-2, " \
        "me-central-1, us-east-1, us-gov-west-1" in msg
    assert f"Use the inference profile '{US_NOVA_LITE}': called from us-west-2 it routes to us-east-1, " \
        "us-east-2, us-west-2 (all within allowedRegions)" in msg
    # The suggestion works: the same stack with the profile loads.
    load_in_stack(platform([US_NOVA_LITE], ["us-east-1", "us-east-2", "us-west-2"]), "us-west-2")


def test_profile_is_suggested_only_when_allowed_regions_hold_its_destinations() -> None:
    with pytest.raises(ConfigError) as err:
        load_in_stack(platform([NOVA_LITE], ["us-west-2"]), "us-west-2")
    msg = str(err.value)
    assert "Use the inference profile" not in msg
    assert f"Its inference profile '{US_NOVA_LITE}' would route requests from us-west-2 to us-east-1, us-east-2, " \
        "us-west-2, of which us-east-1, us-east-2 are outside allowedRegions (us-west-2)" in msg
    assert "anthropic.claude-3-haiku-20240307-v1:0" in msg  # a model served in us-west-2


def test_model_served_only_through_profiles() -> None:
    problems, _ = problems_of(platform(["anthropic.claude-sonnet-4-20250514-v1:0"]), "eu-west-1")
    (p,) = problems
    assert "only through inference profiles" in p
    assert "Use the inference profile 'eu.anthropic.claude-sonnet-4-20250514-v1:0': called from eu-west-1" in p


def test_no_profile_from_the_region() -> None:
    problems, _ = problems_of(platform(["amazon.nova-micro-v1:0"]), "sa-east-1")
    (p,) = problems
    assert "No inference profile of it can be called from sa-east-1" in p
    assert "anthropic.claude-3-haiku-20240307-v1:0" in p and "amazon.titan" not in p  # same kind only


def test_profile_called_outside_its_source_regions_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        load_in_stack(platform(["us.amazon.nova-pro-v1:0"]), "eu-west-1")
    msg = str(err.value)
    assert "aiops:platform.bedrock.models[0]: 'us.amazon.nova-pro-v1:0' cannot be called from aws:region " \
        "'eu-west-1': its source regions are us-east-1, us-east-2, us-west-1, us-west-2" in msg
    assert "Use the inference profile 'eu.amazon.nova-pro-v1:0': called from eu-west-1 it routes to eu-central-1, " \
        "eu-north-1, eu-west-1, eu-west-3" in msg
    # With allowedRegions set, no region of the stack could call it: refused before the region is known.
    eu = ["eu-west-1", "eu-central-1", "eu-north-1", "eu-west-3"]
    with pytest.raises(ConfigError) as err:
        load_platform_config(platform(["us.amazon.nova-pro-v1:0"], eu))
    assert "bedrock.models[0]: 'us.amazon.nova-pro-v1:0' cannot be called from any region of allowedRegions " \
        "(eu-west-1, eu-central-1, eu-north-1, eu-west-3): its source regions are us-east-1, us-east-2, " \
        "us-west-1, us-west-2; use 'eu.amazon.nova-pro-v1:0'" in str(err.value)
    load_in_stack(platform(["eu.amazon.nova-pro-v1:0"], eu), "eu-west-1")


def test_profile_called_outside_its_sources_points_to_the_in_region_id() -> None:
    problems, _ = problems_of(platform(["us.amazon.nova-micro-v1:0"]), "eu-west-2")
    (p,) = problems
    assert "cannot be called from aws:region 'eu-west-2'" in p
    assert "Use the foundation model id 'amazon.nova-micro-v1:0', served in-region in eu-west-2" in p


def test_knowledge_base_embedding_model_is_checked() -> None:
    dev = yaml.safe_load((ROOT / "stacks/Pulumi.dev.yaml").read_text())["config"]["aiops:platform"]
    problems, _ = problems_of(dev, "us-west-1")  # Titan Text Embeddings V2 is not served there
    (kb,) = [p for p in problems if ".knowledgeBases[0].embeddingModel: 'amazon.titan-embed-text-v2:0'" in p]
    assert kb.startswith("aiops:platform.bedrock.knowledgeBases[0].embeddingModel:")
    assert "cannot be invoked on demand in aws:region 'us-west-1'" in kb
    assert "No inference profile of it can be called from us-west-1" in kb
    assert any(p.startswith("aiops:platform.bedrock.models[1]: 'amazon.titan-embed-text-v2:0'") for p in problems)


def test_unverified_rows_warn_and_do_not_refuse() -> None:
    model = "anthropic.claude-3-7-sonnet-20250219-v1:0"
    problems, notes = problems_of(platform([model]), "us-east-1")
    assert problems == []
    (note,) = notes
    assert f"cannot confirm that '{model}' can be invoked on demand in aws:region 'us-east-1'" in note
    assert "us.anthropic.claude-3-7-sonnet-20250219-v1:0" in note
    load_in_stack(platform([model]), "us-east-1")  # no ConfigError


def test_allowed_regions_check_counts_routes_from_allowed_sources() -> None:
    sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"  # from ca-central-1/us-west-1 it reaches more
    load_in_stack(platform([sonnet], ["us-east-1", "us-east-2", "us-west-2"]), "us-east-1")
    with pytest.raises(ConfigError, match=r"bedrock\.models\[0\]: '.*' routes requests to us-east-2, us-west-2, "
                       r"outside allowedRegions \(us-east-1, us-west-1\)"):
        load_platform_config(platform([sonnet], ["us-east-1", "us-west-1"]))


def _suggested(problem: str) -> str | None:
    m = re.search(r"Use the (?:inference profile|foundation model id) '([^']+)'", problem)
    return m.group(1) if m else None


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                                    "eu-central-1", "eu-west-2", "ap-northeast-1", "ap-southeast-2",
                                    "ca-central-1", "sa-east-1"])
def test_every_suggestion_loads(region: str) -> None:
    """Whatever the check suggests, from any region, with allowedRegions unset or the geography,
    is accepted when applied; whatever it accepts is served from that region."""
    geography = sorted({d for e in bedrock_catalog().values() if e.profile and region in e.profile.routes
                        for d in e.profile.destinations_from(region)} | {region})
    for allowed in ([], [region], geography):
        for model_id, entry in bedrock_catalog().items():
            if not entry.foundation.in_regions_verified:
                continue
            try:
                problems, _ = problems_of(platform([model_id], allowed), region)
            except ConfigError:
                continue  # the allowedRegions check refuses it before the region is known
            if not problems:
                assert (entry.profile is not None and region in entry.profile.routes) or \
                    entry.foundation.invocable_in(region), (model_id, region)
                continue
            fix = _suggested(problems[0])
            if fix is not None:
                assert problems_of(platform([fix], allowed), region)[0] == [], (model_id, region, allowed, fix)


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_stack_invokes_its_models_where_they_are_served(stack: str) -> None:
    cfg = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    platform_cfg = load_platform_config(cfg["aiops:platform"])
    notes: list[str] = []
    assert check_bedrock_region(platform_cfg, cfg["aws:region"], warn=notes.append) == []
    assert notes == []  # no shipped stack relies on an unverified row
    load_in_stack(cfg["aiops:platform"], cfg["aws:region"])


# -- the invoke policy grants the foundation model where it is invoked ------------------------
def test_invoke_policy_grants_the_model_in_the_stack_region() -> None:
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    doc = invoke_document(run_access(region="us-west-2", models=[haiku, "amazon.titan-embed-text-v2:0"]))
    granted = {r for s in doc["Statement"] if s["Effect"] == "Allow" for r in as_list(s["Resource"])}
    assert f"arn:aws:bedrock:us-west-2::foundation-model/{haiku}" in granted
    assert "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0" in granted


def test_invoke_policy_grants_every_destination_of_a_profile_from_the_stack_region() -> None:
    doc = invoke_document(run_access(region="us-west-1", models=[US_NOVA_LITE]))
    granted = {r for s in doc["Statement"] if s["Effect"] == "Allow" for r in as_list(s["Resource"])}
    profile = lookup_bedrock(US_NOVA_LITE).profile
    assert profile is not None
    for dest in profile.destinations_from("us-west-1"):
        assert f"arn:aws:bedrock:{dest}::foundation-model/{NOVA_LITE}" in granted
    assert any(r.startswith("arn:aws:bedrock:us-west-1:") and r.endswith(f"inference-profile/{US_NOVA_LITE}")
               for r in granted)
