"""Offline testing for pulumi-aiops and for product teams' programs that use it.

* :func:`run_program` runs a Pulumi program under mocks and returns a :class:`ResourceGraph`
  with every resource's type, name, parent, provider, inputs and resource options.
* :class:`RecordingMocks` answers the usual invokes with realistic values.
"""

from pulumi_aiops.testing.graph import RecordedResource, ResourceGraph
from pulumi_aiops.testing.mocks import RecordingMocks, render_policy_document
from pulumi_aiops.testing.program import (
    OFFLINE_SECRET,
    RecordingMonitor,
    load_stack_config,
    run_program,
)

__all__ = [
    "OFFLINE_SECRET",
    "RecordedResource",
    "RecordingMocks",
    "RecordingMonitor",
    "ResourceGraph",
    "load_stack_config",
    "render_policy_document",
    "run_program",
]
