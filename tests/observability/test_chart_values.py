"""The values passed to each pinned chart, checked against the chart itself at its pinned commit.

* opentelemetry-collector ships a ``values.schema.json``: the values (merged over the chart's
  defaults, as Helm validates them) must satisfy it;
* kube-prometheus-stack (with its grafana and kube-state-metrics subcharts), dcgm-exporter and
  langfuse ship none: every key the library sets must be a key of the chart's ``values.yaml`` (or
  sit under a free-form map or list there, like ``nodeSelector``);
* the ServiceMonitors and PrometheusRules of the prod stack validate against the CRDs that
  kube-prometheus-stack 88.5.3 installs.

The charts are read from git snapshots of their repositories (``$AIOPS_CHART_MIRROR``, default
``/work/.mirror``: ``<owner>+<repo>/repo``), never committed here; without them these tests skip.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

MIRROR = Path(os.environ.get("AIOPS_CHART_MIRROR", "/work/.mirror"))
#: (repository, commit, path of the chart) of every pinned chart.
KPS = ("prometheus-community/helm-charts", "ea930baeebeba39f56d6b44e351f23b2a072a600", "charts/kube-prometheus-stack")
KSM = ("prometheus-community/helm-charts", "1982f1c5828920f5d4ea5d04956169e81f8c5129", "charts/kube-state-metrics")
GRAFANA = ("grafana-community/helm-charts", "864f7794683680e5100a38670e103c4fa6e37e29", "charts/grafana")
DCGM = ("NVIDIA/dcgm-exporter", "691c92762eb551313c825f6efe4ceeee20982801", "deployment")
OTEL = ("open-telemetry/opentelemetry-helm-charts", "f5178cb97987004b474867a99e081be59b7f9bab",
        "charts/opentelemetry-collector")
LANGFUSE = ("langfuse/langfuse-k8s", "330ec918239092873563f7d41dd036ec7348420b", "charts/langfuse")
#: Keys the charts document in comments only (present in their values.yaml as ``# key: …``).
COMMENTED = {("grafana", "persistence", "storageClassName")}


def chart_file(chart: tuple[str, str, str], name: str) -> str:
    repo, commit, path = chart
    git_dir = MIRROR / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        pytest.skip(f"no snapshot of {repo} under {MIRROR} (fetch it to check the chart's values)")
    out = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}/{name}"], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        pytest.skip(f"{repo}@{commit[:8]}:{path}/{name} is not in the snapshot: {out.stderr.strip()}")
    return out.stdout


def chart_defaults(chart: tuple[str, str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(chart_file(chart, "values.yaml"))
    return doc


def _version(chart: tuple[str, str, str]) -> str:
    return str(yaml.safe_load(chart_file(chart, "Chart.yaml"))["version"])


def unknown_keys(ours: Any, defaults: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths of ``ours`` that ``defaults`` does not have (below a free-form map or a list, any key goes)."""
    if not isinstance(ours, Mapping) or not isinstance(defaults, Mapping):
        return []
    if not defaults and path:  # `{}` in values.yaml: a free-form map (nodeSelector, resources, …)
        return []
    out: list[tuple[str, ...]] = []
    for key, value in ours.items():
        here = (*path, str(key))
        if key not in defaults:
            if here not in COMMENTED:
                out.append(here)
            continue
        out += unknown_keys(value, defaults[key], here)
    return out


def _eks_values() -> dict[str, dict[str, Any]]:
    """The values of every chart, as Observability passes them on EKS with Langfuse."""
    from pulumi_aiops.config.observability import ObservabilityArgsModel
    from pulumi_aiops.contract import GpuClusterRef
    from pulumi_aiops.observability import charts
    from pulumi_aiops.observability.otel import collector_config

    ref = GpuClusterRef(cloud="aws", cluster_name="eks", kubeconfig="clusters: [x]",
                        gpu_node_selector={"nvidia.com/gpu.present": "true"},
                        system_node_selector={"aiops.io/node-pool": "system"})
    cfg = ObservabilityArgsModel(cluster=ref, alertmanager={"receiver": {
        "type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:alarms"}})
    sel, tol = dict(ref.system_node_selector), list(ref.system_tolerations)
    am = charts.alertmanager_config(cfg, topic_arn="arn:aws:sns:us-east-1:123456789012:alarms", region="us-east-1")
    secrets = dict.fromkeys(("salt", "encryption_key", "nextauth_secret", "postgres_password", "redis_password",
                             "clickhouse_password", "s3_password"), "x")
    return {
        "kps": charts.kube_prometheus_stack_values(
            cfg, cluster_name="eks", node_selector=sel, tolerations=tol, storage_class="gp3",
            admin_secret="admin", alertmanager=am, coreweave_metrics_secret="cw"),
        "dcgm": charts.dcgm_values(cfg, node_selector=dict(ref.gpu_node_selector), tolerations=ref.gpu_tolerations),
        "otel": {"fullnameOverride": "otel-collector", **charts.collector_values(
            cfg, config=collector_config("otlp_http/langfuse", {"endpoint": "http://x"}), node_selector=sel,
            tolerations=tol, auth_secret="auth")},
        "langfuse": charts.langfuse_values(cfg, secrets=secrets, init_secret="init", node_selector=sel,
                                           tolerations=tol, storage_class="gp3"),
    }


def test_pinned_versions_are_the_charts_at_the_recorded_commits() -> None:
    from pulumi_aiops.config import observability as c

    assert _version(KPS) == c.KUBE_PROMETHEUS_STACK_VERSION
    assert _version(DCGM) == c.DCGM_EXPORTER_CHART_VERSION
    assert _version(OTEL) == c.OTEL_COLLECTOR_CHART_VERSION
    assert _version(LANGFUSE) == c.LANGFUSE_CHART_VERSION
    deps = {d["name"]: str(d["version"]) for d in yaml.safe_load(chart_file(KPS, "Chart.yaml"))["dependencies"]}
    assert deps["grafana"] == _version(GRAFANA) and deps["kube-state-metrics"] == _version(KSM)
    otel_app = yaml.safe_load(chart_file(OTEL, "Chart.yaml"))["appVersion"]
    from pulumi_aiops.observability.otel import COLLECTOR_VERSION

    assert otel_app == COLLECTOR_VERSION


def test_collector_values_satisfy_the_charts_values_schema() -> None:
    schema = json.loads(chart_file(OTEL, "values.schema.json"))
    ours = _eks_values()["otel"]
    merged = _merge(chart_defaults(OTEL), ours)
    jsonschema.validate(merged, schema)
    # and the schema is not a rubber stamp: a mode it does not know is refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**merged, "mode": "sidecar-ish"}, schema)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def test_kube_prometheus_stack_values_are_keys_of_the_chart_and_its_subcharts() -> None:
    ours = _eks_values()["kps"]
    defaults = chart_defaults(KPS)
    defaults["grafana"] = _merge(chart_defaults(GRAFANA), defaults["grafana"])
    defaults["kube-state-metrics"] = _merge(chart_defaults(KSM), defaults["kube-state-metrics"])
    assert unknown_keys(ours, defaults) == []


def test_dcgm_and_langfuse_values_are_keys_of_their_charts() -> None:
    values = _eks_values()
    assert unknown_keys(values["dcgm"], chart_defaults(DCGM)) == []
    assert unknown_keys(values["langfuse"], chart_defaults(LANGFUSE)) == []


def test_the_key_check_is_not_a_rubber_stamp() -> None:
    defaults = chart_defaults(DCGM)
    assert unknown_keys({"serviceMonitor": {"honourLabels": True}}, defaults) == [("serviceMonitor", "honourLabels")]


def _crd_schema(kind: str) -> dict[str, Any]:
    doc = yaml.safe_load(chart_file(KPS, f"charts/crds/crds/crd-{kind}.yaml"))
    version = next(v for v in doc["spec"]["versions"] if v["name"] == "v1")
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def test_the_prod_stacks_monitors_and_rules_validate_against_the_crds() -> None:
    from stack_plans import as_api_value, planned

    # The CRDs' patterns are Go regexes (`^(?i)…`); the validator compiles only those of fields present.
    schemas = {k: jsonschema.Draft7Validator(_crd_schema(f)) for k, f in (("ServiceMonitor", "servicemonitors"),
                                                                           ("PrometheusRule", "prometheusrules"))}
    objects = [r for r in planned("prod").graph if r.type.startswith("kubernetes:monitoring.coreos.com/v1:")]
    assert {r.type.rsplit(":", 1)[1] for r in objects} == set(schemas)
    for r in objects:
        kind = r.type.rsplit(":", 1)[1]
        doc = as_api_value({"apiVersion": "monitoring.coreos.com/v1", "kind": kind, **r.inputs})
        schemas[kind].validate(doc)
    with pytest.raises(jsonschema.ValidationError):  # e.g. a rule without expr
        schemas["PrometheusRule"].validate({"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                                            "metadata": {}, "spec": {"groups": [{"name": "g",
                                                                                 "rules": [{"record": "x"}]}]}})
