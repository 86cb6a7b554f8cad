"""Offline testing for pulumi-aiops and for product teams' programs that use it.

* :func:`run_program` runs a Pulumi program under mocks and returns a :class:`ResourceGraph`
  with every resource's type, name, parent, provider, inputs, resource options and aliases,
  the stack's exports and each component's registered outputs.
* :func:`is_secret` and :func:`unwrap_secret` read the secrets recorded in a graph.
* :class:`RecordingMocks` answers the usual invokes with realistic values.
* :class:`PolicyPackProcess` and :func:`evaluate_graph` run CrossGuard packs as the CLI does.
"""

from pulumi_aiops.testing.graph import AliasSpec, RecordedResource, ResourceGraph, is_secret, unwrap_secret
from pulumi_aiops.testing.mocks import RecordingMocks, render_policy_document
from pulumi_aiops.testing.policy import (
    AnalyzerInfo,
    Diagnostic,
    PolicyHarnessError,
    PolicyInfo,
    PolicyPackProcess,
    PolicyReport,
    evaluate_graph,
    evaluate_in_process,
    run_packs_for_plan,
)
from pulumi_aiops.testing.program import (
    OFFLINE_SECRET,
    RecordingMonitor,
    load_stack_config,
    run_program,
)

__all__ = [
    "OFFLINE_SECRET",
    "AliasSpec",
    "AnalyzerInfo",
    "Diagnostic",
    "PolicyHarnessError",
    "PolicyInfo",
    "PolicyPackProcess",
    "PolicyReport",
    "RecordedResource",
    "RecordingMocks",
    "RecordingMonitor",
    "ResourceGraph",
    "evaluate_graph",
    "evaluate_in_process",
    "is_secret",
    "load_stack_config",
    "render_policy_document",
    "run_packs_for_plan",
    "run_program",
    "unwrap_secret",
]
