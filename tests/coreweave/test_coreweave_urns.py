"""No URN of a shipped 0.1.0 stack that belongs to a CoreWeaveGpuCluster or a ModelServer is
lost: the components moved to ``aiops:index:…`` and alias their old type tokens, and each child
answers to its old URN through the alias it inherits (``ResourceGraph.alias_urns`` derives them
as the engine does). ``tests/test_urn_stability.py`` checks every URN of every stack; this
module pins the two components of this area and that their URNs really moved."""

from __future__ import annotations

import json

import pytest

from stack_plans import ROOT, planned

FIXTURE = ROOT / "tests" / "fixtures" / "urns-0.1.0.json"
OLD_TOKENS = {"aiops:coreweave:CoreWeaveGpuCluster": "aiops:index:CoreWeaveGpuCluster",
              "aiops:workloads:ModelServer": "aiops:index:ModelServer"}


@pytest.mark.parametrize("stack", ["multicloud", "prod"])
def test_every_old_coreweave_and_model_server_urn_is_present_or_aliased(stack: str) -> None:
    old = {u for u in json.loads(FIXTURE.read_text())[stack] if any(t in u for t in OLD_TOKENS)}
    assert old, f"the fixture has no CoreWeave/ModelServer URNs for {stack}"
    graph = planned(stack).graph
    claimed: dict[str, list[str]] = {}
    for r in graph:
        for u in {r.urn, *graph.alias_urns(r)}:
            claimed.setdefault(u, []).append(r.urn)
    assert not sorted(old - set(claimed))
    assert all(len(claimed[u]) == 1 for u in old)  # the engine rejects an old URN claimed twice
    # The URNs did move (new type tokens): the aliases, not luck, keep them; and the resource
    # that claims an old URN is the one of the same name under the new token.
    now = {r.urn for r in graph}
    assert not old & now
    for u in old:
        new = u
        for before, after in OLD_TOKENS.items():
            new = new.replace(before, after)
        assert claimed[u] == [new], u
