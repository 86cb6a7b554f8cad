"""The product-team template (`templates/gpu-inference`): rendered as `pulumi new` renders it, run
offline against a mocked platform stack, and checked by the policy packs."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_aiops.contract import STANDARD_GPU_NODE_SELECTORS
from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program
from pulumi_aiops.testing.policy import evaluate_graph
from stack_plans import planned

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "gpu-inference"
PLATFORM = "acme/aiops/prod"
KUBECONFIG = json.dumps({"apiVersion": "v1", "kind": "Config",
                         "clusters": [{"name": "eks", "cluster": {"server": "https://eks.example"}}],
                         "users": [{"name": "eks", "user": {}}],
                         "contexts": [{"name": "eks", "context": {"cluster": "eks", "user": "eks"}}],
                         "current-context": "eks"})


def _render(project: str) -> dict[str, Any]:
    """Pulumi.yaml as `pulumi new` writes it: placeholders replaced."""
    text = (TEMPLATE / "Pulumi.yaml").read_text()
    doc = yaml.safe_load(text.replace("${PROJECT}", project).replace("${DESCRIPTION}", "chat for support"))
    assert doc["name"] == project and doc["runtime"]["name"] == "python"
    return doc


def _stack_config(doc: dict[str, Any], project: str, **values: str) -> dict[str, Any]:
    """The config `pulumi new` asks for: each template key's default, or the value given."""
    config: dict[str, Any] = {}
    for key, spec in doc["template"]["config"].items():
        value = values.get(key, spec.get("default"))
        if value is None:
            raise AssertionError(f"template config {key!r} has no default and no value was given")
        config[f"{project}:{key}"] = value
    return config


def _run(project: str, **values: str) -> ResourceGraph:
    doc = _render(project)
    config = _stack_config(doc, project, platformStack=PLATFORM, owner="support-ml", costCenter="cc-77",
                           **values)
    mocks = RecordingMocks(stack_references={PLATFORM: {"clusters": {"eks": {"kubeconfig": KUBECONFIG},
                                                                     "cw-prod": {"kubeconfig": KUBECONFIG}}}})
    return run_program(lambda: runpy.run_path(str(TEMPLATE / "__main__.py"), run_name="__main__"),
                       {"aws:region": "us-east-1", **config}, project=project, stack="dev", mocks=mocks)


def test_template_renders_and_runs_on_the_platform_cluster() -> None:
    graph = _run("team-chat")
    deployment = graph.one("kubernetes:apps/v1:Deployment")
    spec = deployment.inputs["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == STANDARD_GPU_NODE_SELECTORS["aws"]
    assert spec["containers"][0]["args"][spec["containers"][0]["args"].index("--model") + 1] == \
        "Qwen/Qwen2.5-7B-Instruct"
    provider = graph.one("pulumi:providers:kubernetes")
    assert deployment.provider == provider.urn  # the server's own provider, on the platform's kubeconfig
    assert "endpoint" in graph.exports
    assert deployment.inputs["metadata"]["labels"]["owner"] == "support-ml"


def test_template_runs_on_a_coreweave_cluster_too() -> None:
    graph = _run("team-chat", cluster="cw-prod", cloud="coreweave")
    spec = graph.one("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == STANDARD_GPU_NODE_SELECTORS["coreweave"]


def test_template_passes_the_policy_packs() -> None:
    report = evaluate_graph(_run("team-chat"), packs=["aiops-baseline", "soc2"])
    assert report.mandatory() == [], [(d.policy, d.message) for d in report.mandatory()]


def test_template_requires_the_platform_stack() -> None:
    doc = _render("team-chat")
    assert "default" not in doc["template"]["config"]["platformStack"]
    with pytest.raises(AssertionError, match="platformStack"):
        _stack_config(doc, "team-chat")


def test_standard_selectors_are_what_the_cluster_components_set() -> None:
    graph = planned("multicloud").graph
    clouds = []
    for comp in graph.components():
        outputs = graph.outputs_of(comp)
        if "gpuNodeSelector" in outputs:
            assert outputs["gpuNodeSelector"] == STANDARD_GPU_NODE_SELECTORS[outputs["cloud"]]
            clouds.append(outputs["cloud"])
    assert sorted(clouds) == ["aws", "coreweave"]
