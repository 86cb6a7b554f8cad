"""Cluster-wide add-ons of model serving: ``Keda`` and ``LeaderWorkerSetController``.

* :class:`Keda` installs KEDA's official chart (``keda`` 2.20.2 from kedacore/charts) in namespace
  ``keda``: the operator that turns each server's ``ScaledObject`` into an HPA and scales to and
  from zero, the metrics API server the HPA reads, and the admission webhooks. Its namespace gets a
  default-deny NetworkPolicy and only what KEDA needs: DNS, the API server, Prometheus (the
  operator's queries), the metrics server ↔ operator gRPC (9666), and the API server's calls to the
  metrics API (6443) and the webhooks (9443).
* :class:`LeaderWorkerSetController` installs LeaderWorkerSet's official chart (``lws`` 0.10.0,
  ``oci://registry.k8s.io/lws/charts/lws``) in ``lws-system``: the controller of the
  ``LeaderWorkerSet`` custom resource a multi-node server runs as (one leader pod and its workers
  per replica, created, scaled and restarted as a group). Default deny plus DNS, the API server, and
  the API server's calls to its webhook (9443).

Both run on the cluster's system nodes (the contract's ``system_node_selector``) and wait for the
cluster's readiness resources. The builder installs them on a cluster that runs a server needing
them; a program can create them itself::

    Keda("gpu-keda", {"cluster": cluster})
    LeaderWorkerSetController("gpu-lws", {"cluster": cluster})
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import ConfigDict, Field

from pulumi_aiops.args import KedaArgs, LeaderWorkerSetControllerArgs
from pulumi_aiops.config.base import AiopsModel, component_args
from pulumi_aiops.config.serving import (
    KEDA_CHART,
    KEDA_CHART_VERSION,
    KEDA_REPO,
    LWS_CHART,
    LWS_CHART_VERSION,
    PrometheusConfig,
)
from pulumi_aiops.contract import GpuClusterInput, resolve_cluster
from pulumi_aiops.workloads.network import allow, allow_apiserver, allow_dns, default_deny

__all__ = ["KEDA_NAMESPACE", "LWS_NAMESPACE", "Keda", "KedaArgs", "KedaArgsModel", "LeaderWorkerSetController",
           "LeaderWorkerSetControllerArgs", "LeaderWorkerSetControllerArgsModel", "keda_network_policies",
           "keda_values", "lws_network_policies", "lws_values"]

KEDA_NAMESPACE = "keda"
LWS_NAMESPACE = "lws-system"
_MANAGED = {"app.kubernetes.io/managed-by": "pulumi-aiops"}
_ANY = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]


class KedaArgsModel(AiopsModel):
    """KEDA on a GPU cluster, for the model servers' ScaledObjects."""

    model_config = ConfigDict(title="KedaArgs")

    cluster: GpuClusterInput = Field(description="The cluster (a GpuCluster or a GpuClusterRef). Required.")
    chart_version: str = Field(KEDA_CHART_VERSION, description=f"@default {KEDA_CHART_VERSION}")
    prometheus: PrometheusConfig = Field(default_factory=PrometheusConfig,
                                         description="Where the operator's queries go. @default kube-prometheus-stack")


class LeaderWorkerSetControllerArgsModel(AiopsModel):
    """The LeaderWorkerSet controller on a GPU cluster, for multi-node model servers."""

    model_config = ConfigDict(title="LeaderWorkerSetControllerArgs")

    cluster: GpuClusterInput = Field(description="The cluster (a GpuCluster or a GpuClusterRef). Required.")
    chart_version: str = Field(LWS_CHART_VERSION, description=f"@default {LWS_CHART_VERSION}")


def _placement(selector: dict[str, str], tolerations: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if selector:
        out["nodeSelector"] = dict(selector)
    if tolerations:
        out["tolerations"] = [dict(t) for t in tolerations]
    return out


def keda_values(selector: dict[str, str], tolerations: list[dict[str, str]]) -> dict[str, Any]:
    """The KEDA chart's values: on the system nodes; the chart's own NetworkPolicies off (ours apply)."""
    place = _placement(selector, tolerations)
    return {"crds": {"install": True}, "networkPolicy": {"enabled": False},
            "operator": dict(place), "metricsServer": dict(place), "webhooks": dict(place)}


def lws_values(selector: dict[str, str], tolerations: list[dict[str, str]]) -> dict[str, Any]:
    """The LeaderWorkerSet chart's values: on the system nodes, pinned image tag."""
    return _placement(selector, tolerations)


def keda_network_policies(prometheus: PrometheusConfig) -> list[dict[str, Any]]:
    ns = KEDA_NAMESPACE
    prom_peer = {"namespaceSelector": {"matchLabels": dict(prometheus.namespace_labels)},
                 "podSelector": {"matchLabels": dict(prometheus.pod_labels)}}
    port = int(prometheus.address.rsplit(":", 1)[1].split("/")[0]) if prometheus.address.count(":") == 2 else 80
    return [
        default_deny(ns, _MANAGED), allow_dns(ns, _MANAGED), allow_apiserver(ns, labels=_MANAGED),
        allow("allow-operator", ns, pod_labels={"app": "keda-operator"}, labels=_MANAGED,
              ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "keda-operator-metrics-apiserver"}}}],
                        "ports": [{"protocol": "TCP", "port": 9666}]}],
              egress=[{"to": [prom_peer], "ports": [{"protocol": "TCP", "port": port}]}]),
        allow("allow-metrics-apiserver", ns, pod_labels={"app": "keda-operator-metrics-apiserver"}, labels=_MANAGED,
              ingress=[{"from": _ANY, "ports": [{"protocol": "TCP", "port": 6443}]}],
              egress=[{"to": [{"podSelector": {"matchLabels": {"app": "keda-operator"}}}],
                       "ports": [{"protocol": "TCP", "port": 9666}]}]),
        allow("allow-admission-webhooks", ns, pod_labels={"app": "keda-admission-webhooks"}, labels=_MANAGED,
              ingress=[{"from": _ANY, "ports": [{"protocol": "TCP", "port": 9443}]}]),
    ]


def lws_network_policies() -> list[dict[str, Any]]:
    ns = LWS_NAMESPACE
    return [default_deny(ns, _MANAGED), allow_dns(ns, _MANAGED), allow_apiserver(ns, labels=_MANAGED),
            allow("allow-webhook", ns, pod_labels={"control-plane": "controller-manager"}, labels=_MANAGED,
                  ingress=[{"from": _ANY, "ports": [{"protocol": "TCP", "port": 9443}]}])]


def _namespace_and_policies(parent: pulumi.Resource, name: str, ns: str, pss: str, policies: list[dict[str, Any]],
                            opts: pulumi.ResourceOptions) -> tuple[k8s.core.v1.Namespace, list[pulumi.Resource]]:
    namespace = k8s.core.v1.Namespace(
        f"{name}-ns", metadata={"name": ns, "labels": {**_MANAGED, "pod-security.kubernetes.io/enforce": pss,
                                                        "pod-security.kubernetes.io/warn": "restricted"}},
        opts=opts)
    after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[namespace]))
    nps: list[pulumi.Resource] = [
        k8s.networking.v1.NetworkPolicy(f"{name}-np-{doc['metadata']['name']}", metadata=doc["metadata"],
                                        spec=doc["spec"], opts=after)
        for doc in policies]
    return namespace, nps


class Keda(pulumi.ComponentResource):
    """KEDA on a cluster. See the module docstring."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: KedaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        cfg = component_args(KedaArgsModel, raw, f"Keda({name!r})")
        super().__init__("aiops:index:Keda", name, None, opts)
        c = resolve_cluster(cfg.cluster, self, name)
        k = pulumi.ResourceOptions(parent=self, provider=c.provider, depends_on=c.depends_on)
        ns, nps = _namespace_and_policies(self, name, KEDA_NAMESPACE, "restricted",
                                          keda_network_policies(cfg.prometheus), k)
        self.release = k8s.helm.v3.Release(
            f"{name}-keda", name="keda", chart=KEDA_CHART, version=cfg.chart_version,
            repository_opts={"repo": KEDA_REPO}, namespace=KEDA_NAMESPACE,
            values=keda_values(c.system_node_selector, c.system_tolerations),
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[ns, *nps])))
        self.namespace = pulumi.Output.from_input(KEDA_NAMESPACE)
        self.register_outputs({"namespace": self.namespace, "chartVersion": cfg.chart_version})


class LeaderWorkerSetController(pulumi.ComponentResource):
    """The LeaderWorkerSet controller on a cluster. See the module docstring."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: LeaderWorkerSetControllerArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        cfg = component_args(LeaderWorkerSetControllerArgsModel, raw, f"LeaderWorkerSetController({name!r})")
        super().__init__("aiops:index:LeaderWorkerSetController", name, None, opts)
        c = resolve_cluster(cfg.cluster, self, name)
        k = pulumi.ResourceOptions(parent=self, provider=c.provider, depends_on=c.depends_on)
        ns, nps = _namespace_and_policies(self, name, LWS_NAMESPACE, "baseline", lws_network_policies(), k)
        self.release = k8s.helm.v3.Release(
            f"{name}-lws", name="lws", chart=LWS_CHART, version=cfg.chart_version, namespace=LWS_NAMESPACE,
            values=lws_values(c.system_node_selector, c.system_tolerations),
            opts=pulumi.ResourceOptions.merge(k, pulumi.ResourceOptions(depends_on=[ns, *nps])))
        self.namespace = pulumi.Output.from_input(LWS_NAMESPACE)
        self.register_outputs({"namespace": self.namespace, "chartVersion": cfg.chart_version})
