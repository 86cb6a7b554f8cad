"""The ``Example::`` blocks of the observability modules run as written (under the harness, with the
names they assume defined first), and the stack-config example validates."""

from __future__ import annotations

import importlib
import re
import textwrap
from typing import Any

import yaml

from pulumi_aiops.testing import run_program

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}


def example(module: str) -> str:
    doc = importlib.import_module(module).__doc__ or ""
    found = re.search(r"Example.*?::\n\n((?:    [^\n]*\n|\n)+)", doc, flags=re.S)
    assert found, f"{module} has no Example:: block"
    return textwrap.dedent(found.group(1))


def test_the_component_examples_build_what_they_say() -> None:
    def program() -> None:
        import pulumi_aws as aws

        from pulumi_aiops.eks_gpu_cluster import EksGpuCluster

        ns: dict[str, Any] = {
            "cluster": EksGpuCluster("gpu", {"gpu_node_groups": [{"name": "l4", "instance_type": "g6.xlarge"}],
                                             "tags": TAGS}),
            "asg_name_output": aws.autoscaling.Group("asg", name="gpu-l4", max_size=1, min_size=0,
                                                     availability_zones=["us-east-1a"]).name,
        }
        for module in ("pulumi_aiops.observability.component", "pulumi_aiops.observability.aws"):
            exec(compile(example(module), f"<{module} docstring>", "exec"), ns)

    graph = run_program(program, {"aws:region": "us-east-1"})
    assert graph.named("obs", "aiops:index:Observability")
    rules = {r.inputs["metadata"]["name"] for r in graph.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")}
    assert "slo-chat-drift" in rules
    assert graph.named("platform", "aiops:index:AwsMonitoring")
    assert "otlp" in graph.exports


def test_the_stack_config_example_validates() -> None:
    from pulumi_aiops.config.base import validate_model
    from pulumi_aiops.config.observability import ObservabilityConfig

    text = example("pulumi_aiops.config.observability")
    section = yaml.safe_load(text)["aiops:platform"]["observability"]
    cfg = validate_model(ObservabilityConfig, section, "aiops:platform.observability")
    assert cfg.slos[0].kind.value == "drift" and cfg.slos[0].sli.threshold == 0.2
