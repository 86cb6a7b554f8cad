"""The Helm values of the serving charts validate against the chart's ``values.schema.json`` where
the chart ships one. At the pinned versions none does (``fixtures/crds/README.md`` records each
chart's file list): a chart bumped to a version that ships a schema must vendor it under
``fixtures/charts/<chart>-<version>/values.schema.json``, and this test then validates against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stack_plans import ROOT, as_api_value, planned

CHARTS = ROOT / "tests" / "fixtures" / "charts"
README = (ROOT / "tests" / "fixtures" / "crds" / "README.md").read_text()
#: (chart, version) of every chart the serving capability installs → shipped a values schema?
SERVING_CHARTS: dict[tuple[str, str], bool] = {
    ("keda", "2.20.2"): False,
    ("oci://registry.k8s.io/lws/charts/lws", "0.10.0"): False,
    ("nvidia-device-plugin", "0.17.1"): False,
    ("gpu-operator", "v25.10.1"): False,
    ("aws-efa-k8s-device-plugin", "v0.5.30"): False,
}


def _releases() -> list[dict[str, Any]]:
    from serving_programs import gpu_operator_graph

    graphs = [planned("serving").graph, gpu_operator_graph()]
    return [as_api_value(r.inputs) for g in graphs for r in g.of_type("kubernetes:helm.sh/v3:Release")
            if (r.inputs["chart"], r.inputs["version"]) in SERVING_CHARTS
            or r.inputs["chart"] in {c for c, _ in SERVING_CHARTS}]


def test_every_serving_chart_is_recorded_with_whether_it_ships_a_schema() -> None:
    seen = {(r["chart"], r["version"]) for r in _releases()}
    assert seen == set(SERVING_CHARTS), "a serving chart changed version: record whether it ships a values schema"
    for (chart, version), shipped in SERVING_CHARTS.items():
        name = chart.rsplit("/", 1)[-1]
        assert f"| `{name}`" in README and version in README, (chart, version)
        assert (CHARTS / f"{name}-{version}" / "values.schema.json").is_file() == shipped


@pytest.mark.parametrize("release", _releases(), ids=lambda r: f"{r['chart']}-{r['version']}")
def test_values_validate_against_the_charts_schema(release: dict[str, Any]) -> None:
    name = release["chart"].rsplit("/", 1)[-1]
    schema_file = CHARTS / f"{name}-{release['version']}" / "values.schema.json"
    if not SERVING_CHARTS[(release["chart"], release["version"])]:
        assert not schema_file.exists()
        pytest.skip(f"{name} {release['version']} ships no values.schema.json")
    schema = json.loads(schema_file.read_text())
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(release.get("values") or {}))
    assert not errors, [e.message for e in errors]


def test_a_values_schema_would_be_enforced(tmp_path: Path) -> None:
    """The validation the test above applies, on a schema of the chart's shape: it catches a typo."""
    schema = {"type": "object", "properties": {"nodeSelector": {"type": "object"}}, "additionalProperties": False}
    v = jsonschema.validators.validator_for(schema)(schema)
    assert not list(v.iter_errors({"nodeSelector": {"a": "b"}}))
    assert [e.message for e in v.iter_errors({"nodeSelectr": {}})] == [
        "Additional properties are not allowed ('nodeSelectr' was unexpected)"]
