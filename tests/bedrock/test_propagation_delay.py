"""A knowledge base on OpenSearch Serverless waits for the data access policy to take effect."""

from __future__ import annotations

import time

from pulumi_aiops.propagation_delay import PropagationDelayProvider
from stack_plans import planned

DELAY = "pulumi-python:dynamic/aiops:PropagationDelay"


def test_provider_sleeps_on_create_and_replaces_when_triggers_change() -> None:
    p = PropagationDelayProvider()
    t = time.perf_counter()
    out = p.create({"seconds": 0.2, "triggers": ["arn:a"]})
    assert time.perf_counter() - t >= 0.2
    assert out.id.startswith("delay-")
    assert p.diff(out.id, {"triggers": ["arn:a"]}, {"triggers": ["arn:a"]}).changes is False
    d = p.diff(out.id, {"triggers": ["arn:a"]}, {"triggers": ["arn:b"]})
    assert d.changes is True and d.replaces == ["triggers"]


def test_only_the_aoss_knowledge_base_waits_and_after_its_grants() -> None:
    graph = planned("prod").graph
    kbs = {r.name: r for r in graph.of_type("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase")}
    (delay,) = graph.of_type(DELAY)
    assert delay.inputs["seconds"] == 60
    docs = next(r for n, r in kbs.items() if "product-docs" in n)
    tickets = next(r for n, r in kbs.items() if "support-tickets" in n)
    assert delay.urn in docs.depends_on          # OpenSearch Serverless: waits
    assert delay.urn not in tickets.depends_on   # Aurora pgvector: nothing to wait for
    # The delay starts only after the role's grants, the AOSS data access policy among them.
    access = [u for u in delay.depends_on if "serverlessAccessPolicy:ServerlessAccessPolicy" in u]
    assert len(access) == 1 and access[0].endswith("-data-access"), delay.depends_on
