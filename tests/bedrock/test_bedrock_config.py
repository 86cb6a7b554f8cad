"""BedrockConfig: the allowlist is checked against the catalogue, the guardrail baseline holds,
and every bad value gives a ConfigError naming the key path, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from bedrock_helpers import DIRECT, EMBED, MODELS, PROFILE, run_access

from pulumi_aiops.catalog.bedrock import bedrock_catalog, known_bedrock_ids, lookup_bedrock
from pulumi_aiops.config import load_platform_config
from pulumi_aiops.config.base import validate_model
from pulumi_aiops.config.bedrock import (
    BedrockConfig,
    ContentFilterType,
    FilterStrength,
)
from pulumi_aiops.errors import ConfigError

P = "aiops:platform.bedrock"


def validate(section: dict[str, Any]) -> BedrockConfig:
    return validate_model(BedrockConfig, section, P)


def error_of(section: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        validate(section)
    return str(info.value)


def kb(**more: Any) -> dict[str, Any]:
    return {"name": "handbook", "embeddingModel": EMBED, "dataLakePrefix": "text/handbook/",
            "vectorStore": "kb", **more}


def test_catalogue_profiles_route_to_known_models_with_destinations() -> None:
    for entry in bedrock_catalog().values():
        if entry.profile is not None:
            assert entry.profile.model == entry.foundation.id
            assert entry.profile.destination_regions, entry.id
            assert entry.id.split(".", 1)[1] == entry.foundation.id  # us.<model id>
    assert lookup_bedrock(EMBED).is_embedding and not lookup_bedrock(DIRECT).is_embedding


def test_unknown_model_id_names_path_and_lists_known_ids() -> None:
    msg = error_of({"models": [DIRECT, "anthropic.claude-9-opus"]})
    assert f"{P}.models[1]: 'anthropic.claude-9-opus' is not a Bedrock model" in msg
    for known in (PROFILE, DIRECT, EMBED):
        assert known in msg


def test_embedding_model_not_in_allowlist() -> None:
    msg = error_of({"models": [DIRECT], "knowledgeBases": [kb()]})
    assert f"{P}.knowledgeBases[0].embeddingModel: '{EMBED}' is not in the allowlist" in msg


def test_knowledge_base_model_must_be_an_embedding_model() -> None:
    msg = error_of({"models": [DIRECT], "knowledgeBases": [kb(embeddingModel=DIRECT)]})
    assert f"{P}.knowledgeBases[0].embeddingModel: '{DIRECT}' is not an embedding model" in msg
    assert EMBED in msg  # lists the embedding models


def test_bad_guardrail_strength() -> None:
    msg = error_of({"models": [DIRECT], "guardrail": {
        "contentFilters": [{"type": "HATE", "inputStrength": "EXTREME"}]}})
    assert f"{P}.guardrail.contentFilters[0].inputStrength: 'EXTREME' is not allowed" in msg
    assert "'HIGH'" in msg


def test_prompt_attack_output_must_be_none() -> None:
    msg = error_of({"models": [DIRECT], "guardrail": {
        "contentFilters": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "LOW"}]}})
    assert f"{P}.guardrail.contentFilters[0].outputStrength: 'LOW'" in msg
    assert "must be NONE" in msg


def test_prompt_attack_input_must_be_high() -> None:
    msg = error_of({"models": [DIRECT], "guardrail": {
        "contentFilters": [{"type": "PROMPT_ATTACK", "inputStrength": "MEDIUM"}]}})
    assert f"{P}.guardrail.contentFilters[0].inputStrength: 'MEDIUM'" in msg


def test_prompt_attack_is_added_when_omitted() -> None:
    cfg = validate({"models": [DIRECT], "guardrail": {"contentFilters": [{"type": "HATE"}]}})
    pa = [f for f in cfg.guardrail.content_filters if f.type is ContentFilterType.PROMPT_ATTACK]
    assert len(pa) == 1
    assert (pa[0].input_strength, pa[0].output_strength) == (FilterStrength.HIGH, FilterStrength.NONE)


@pytest.mark.parametrize(("section", "path", "value"), [
    ({"guardrail": {"piiEntities": [{"type": "EMAIL", "action": "REDACT"}]}},
     "guardrail.piiEntities[0].action", "'REDACT'"),
    ({"guardrail": {"piiEntities": [{"type": "SHOE_SIZE"}]}}, "guardrail.piiEntities[0].type",
     "'SHOE_SIZE'"),
    ({"invocationLogging": {"retentionDays": 10}}, "invocationLogging.retentionDays", "10"),
    ({"provisionedThroughput": [{"name": "pt", "model": "amazon.nova-pro-v1:0", "modelUnits": 1}]},
     "provisionedThroughput[0].model", "'amazon.nova-pro-v1:0'"),
    ({"provisionedThroughput": [{"name": "pt", "model": PROFILE, "modelUnits": 1}]},
     "provisionedThroughput[0].model", f"'{PROFILE}'"),
    ({"knowledgeBases": [kb(chunking={"strategy": "SEMANTIC", "breakpointPercentileThreshold": 20})]},
     "knowledgeBases[0].chunking.breakpointPercentileThreshold", "20"),
    ({"knowledgeBases": [kb(chunking={"strategy": "HIERARCHICAL", "parentMaxTokens": 100})]},
     "knowledgeBases[0].chunking.childMaxTokens", "300"),
    ({"knowledgeBases": [kb(dataLakePrefix="/etc/")]}, "knowledgeBases[0].dataLakePrefix", "'/etc/'"),
    ({"privateEndpoints": {"mode": "MAYBE"}}, "privateEndpoints.mode", "'MAYBE'"),
])
def test_bad_values_name_the_key_path(section: dict[str, Any], path: str, value: str) -> None:
    models = [*MODELS, "amazon.nova-micro-v1:0"] if "provisionedThroughput" in section else MODELS
    msg = error_of({"models": list(dict.fromkeys(models)), **section})
    assert f"{P}.{path}: {value}" in msg


def test_platform_config_reads_the_section_in_camel_case(base_platform: dict[str, Any]) -> None:
    base_platform["bedrock"] = {"models": [PROFILE, EMBED], "privateEndpoints": {"mode": "DISABLED"},
                                "invocationLogging": {"retentionDays": 731}}
    cfg = load_platform_config(base_platform)
    assert cfg.bedrock is not None
    assert cfg.bedrock.models == [PROFILE, EMBED]
    assert cfg.bedrock.invocation_logging.retention_days == 731


def test_platform_config_error_path(base_platform: dict[str, Any]) -> None:
    base_platform["bedrock"] = {"models": ["gpt-4"]}
    with pytest.raises(ConfigError, match=r"aiops:platform\.bedrock\.models\[0\]: 'gpt-4'"):
        load_platform_config(base_platform)


def test_component_args_error_before_any_resource() -> None:
    with pytest.raises(ConfigError, match=r"BedrockAccess\('br'\)\.models\[0\]: 'nope'"):
        run_access(models=["nope"])


def test_known_ids_split_embedding() -> None:
    assert EMBED in known_bedrock_ids(embedding=True)
    assert EMBED not in known_bedrock_ids(embedding=False)
    assert set(known_bedrock_ids()) == set(bedrock_catalog())


def test_log_prefix_slashes_are_trimmed_so_the_bucket_policy_matches() -> None:
    from pulumi_aiops.config.bedrock import InvocationLoggingConfig

    assert InvocationLoggingConfig(s3_key_prefix="/logs/bedrock/").s3_key_prefix == "logs/bedrock"
    with pytest.raises(ValueError, match="usable S3 key prefix"):
        InvocationLoggingConfig(s3_key_prefix="//")
