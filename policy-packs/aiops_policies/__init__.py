"""aiops_policies: the CrossGuard rule library of pulumi-aiops.

It depends only on ``pulumi_policy`` and the standard library, and applies to any Pulumi
program (AWS, EKS, Kubernetes, CoreWeave), not only to pulumi-aiops components.

- ``RULES``: every rule (``Rule``: metadata, framework mappings, ``validate``, fixtures);
- ``PACKS``: the packs (``PackSpec``) and the rules each holds; ``aiops-all`` holds them all;
- ``PENDING_MANDATORY``: rules every pack serves as advisory until the shipped stacks comply;
- ``make_policies(pack)``: the pulumi-policy policies of a pack;
- ``serve(pack)``: build the ``PolicyPack`` (serves gRPC, blocks) — what each pack's
  ``__main__.py`` calls.

Example::

    from aiops_policies import PACKS, RULES, make_policies
    len(RULES), sorted(PACKS)
    policies = make_policies("aiops-baseline")
"""

from __future__ import annotations

from aiops_policies._core import FRAMEWORKS, SEVERITIES, Fixture, FixtureResource, Rule
from aiops_policies.packs import (
    AGGREGATE_PACK,
    PACKS,
    PENDING_MANDATORY,
    PackSpec,
    make_policies,
    make_policy,
    serve,
)
from aiops_policies.registry import RULES, RULES_BY_NAME

__all__ = [
    "AGGREGATE_PACK",
    "FRAMEWORKS",
    "PACKS",
    "PENDING_MANDATORY",
    "RULES",
    "RULES_BY_NAME",
    "SEVERITIES",
    "Fixture",
    "FixtureResource",
    "PackSpec",
    "Rule",
    "make_policies",
    "make_policy",
    "serve",
]
