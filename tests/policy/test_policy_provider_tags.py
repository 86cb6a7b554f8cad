"""Tags set once on the AWS provider count for every resource, as in real programs: the
provider's ``defaultTags`` reach the analyzer JSON-encoded, the way pulumi-aws serializes its
provider config."""

from __future__ import annotations

import json

from conftest import PackPool

TAGS = {"owner": "ml-platform", "cost-center": "cc-9", "data-classification": "confidential"}


def _provider(default_tags: object) -> dict[str, object]:
    return {"type": "pulumi:providers:aws", "name": "tagged",
            "urn": "urn:pulumi:dev::aiops::pulumi:providers:aws::tagged",
            "properties": {"region": "us-east-1", "defaultTags": default_tags}}


def _tag_violations(pack_pool: PackPool, provider: dict[str, object] | None) -> list[str]:
    proc = pack_pool.get("aiops-baseline")
    diags = proc.analyze("aws:sqs/queue:Queue", "jobs", {"name": "jobs"}, provider=provider)
    return [d.message for d in diags if d.policy == "aws-required-tags"]


def test_provider_default_tags_as_the_sdk_sends_them(pack_pool: PackPool) -> None:
    assert _tag_violations(pack_pool, _provider(json.dumps({"tags": TAGS}))) == []


def test_untagged_resource_on_an_untagged_provider_is_reported(pack_pool: PackPool) -> None:
    assert _tag_violations(pack_pool, None)
    assert _tag_violations(pack_pool, _provider(json.dumps({"tags": {"owner": "ml"}})))
