"""``PropagationDelay``: wait for IAM and data-access policies to take effect.

Some AWS services check a role's access at the moment a resource is created, before a policy
that was just written has propagated. Bedrock's ``CreateKnowledgeBase`` on an OpenSearch
Serverless collection is one: a data access policy updated seconds earlier can still answer
"The knowledge base storage configuration provided is invalid". This dynamic resource sleeps
once, when created (or when its ``triggers`` change); resources that depend on it wait.

Example::

    delay = PropagationDelay("kb-aoss-access", seconds=60, triggers=[role.arn],
                             opts=pulumi.ResourceOptions(depends_on=grants))
    aws.bedrock.AgentKnowledgeBase(..., opts=pulumi.ResourceOptions(depends_on=[delay]))
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

__all__ = ["PropagationDelay", "PropagationDelayProvider"]


class PropagationDelayProvider(ResourceProvider):
    """Sleeps ``seconds`` on create; a change of ``triggers`` replaces it (and sleeps again)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        time.sleep(float(props.get("seconds", 0)))
        return CreateResult(id_=f"delay-{uuid.uuid4().hex[:12]}", outs=dict(props))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("triggers") != news.get("triggers")
        return DiffResult(changes=changed, replaces=["triggers"] if changed else [],
                          delete_before_replace=False)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to delete."""


class PropagationDelay(Resource, module="aiops", name="PropagationDelay"):
    """Sleep once, after the resources it depends on, before the resources depending on it."""

    def __init__(self, name: str, *, seconds: float, triggers: list[pulumi.Input[str]] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if not 0 <= seconds <= 600:
            raise ValueError(f"PropagationDelay seconds must be 0..600, got {seconds!r}")
        super().__init__(PropagationDelayProvider(), name,
                         {"seconds": seconds, "triggers": triggers or []}, opts)
