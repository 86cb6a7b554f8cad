"""The offline harness: options recorded from the real registration requests, realistic
invoke answers, determinism, and errors surfacing cleanly."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import RecordingMocks, render_policy_document, run_program


def _program() -> None:
    key = aws.kms.Key("key", enable_key_rotation=True,
                      opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    bucket = aws.s3.Bucket("data", opts=pulumi.ResourceOptions(depends_on=[key],
                                                                ignore_changes=["tags"]))
    ident = aws.get_caller_identity_output()
    azs = aws.get_availability_zones_output(state="available")
    doc = aws.iam.get_policy_document_output(statements=[{
        "actions": ["s3:GetObject"],
        "resources": [bucket.arn.apply(lambda a: f"{a}/*")],
        "principals": [{"type": "AWS", "identifiers": [ident.account_id.apply(
            lambda a: f"arn:aws:iam::{a}:root")]}],
    }])
    aws.s3.BucketPolicy("data-policy", bucket=bucket.id, policy=doc.json)
    pulumi.export("azs", azs.names)
    pulumi.export("account", ident.account_id)


def test_records_options_from_the_registration_request() -> None:
    graph = run_program(_program, {"aws:region": "eu-west-1"})
    key = graph.named("key")
    bucket = graph.named("data")
    assert key.protect and key.retain_on_delete
    assert not bucket.protect
    assert key.urn in bucket.depends_on
    assert bucket.ignore_changes == ("tags",)
    assert key.inputs == {"enableKeyRotation": True}  # engine camelCase names
    assert key.parent is not None and key.parent.endswith("::aiops-dev")


def test_invokes_get_realistic_answers() -> None:
    graph = run_program(_program, {"aws:region": "eu-west-1"})
    assert graph.stack_outputs["account"] == "123456789012"
    assert graph.stack_outputs["azs"][:2] == ["eu-west-1a", "eu-west-1b"]
    policy = json.loads(graph.named("data-policy").inputs["policy"])
    stmt = policy["Statement"][0]
    assert stmt["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert stmt["Resource"].startswith("arn:aws:s3:::data-") and stmt["Resource"].endswith("/*")


def test_graph_is_deterministic() -> None:
    a = run_program(_program, {"aws:region": "eu-west-1"})
    b = run_program(_program, {"aws:region": "eu-west-1"})
    assert a.fingerprint() == b.fingerprint()
    c = run_program(_program, {"aws:region": "us-west-2"})
    assert c.fingerprint() != a.fingerprint()


def test_program_errors_are_reraised_and_nothing_leaks_into_the_next_run() -> None:
    def bad() -> None:
        aws.kms.Key("k")
        raise ConfigError("aiops:platform.x: 1 is not allowed; expected 2")

    with pytest.raises(ConfigError, match=r"aiops:platform\.x"):
        run_program(bad)
    graph = run_program(_program)
    assert {r.name for r in graph} == {"key", "data", "data-policy"}


def test_unanswered_invokes_are_recorded() -> None:
    mocks = RecordingMocks()

    def prog() -> None:
        aws.get_caller_identity()

    run_program(prog, mocks=mocks)
    assert mocks.unanswered_calls == []
    assert mocks.calls[0][0] == "aws:index/getCallerIdentity:getCallerIdentity"


def test_policy_document_rendering_matches_provider_shape() -> None:
    doc = json.loads(render_policy_document({"statements": [{
        "sid": "Deny", "effect": "Deny", "actions": ["bedrock:InvokeModel"], "resources": ["*"],
        "conditions": [{"test": "StringNotEquals", "variable": "bedrock:GuardrailIdentifier",
                        "values": ["arn:aws:bedrock:us-east-1:1:guardrail/g:1"]}]}]}))
    assert doc["Version"] == "2012-10-17"
    assert doc["Statement"][0]["Condition"] == {
        "StringNotEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:1:guardrail/g:1"}}


def test_public_surface_is_importable_from_the_package() -> None:
    import pulumi_aiops

    for name in pulumi_aiops.__all__:
        obj = getattr(pulumi_aiops, name)
        assert obj.__name__ == name
    with pytest.raises(AttributeError):
        pulumi_aiops.NoSuchThing  # noqa: B018
