"""NetworkPolicy manifests the platform's namespaces share: default deny, then explicit allows.

Every namespace the serving capability creates (each server's, KEDA's, LeaderWorkerSet's, the GPU
Operator's) gets :func:`default_deny` (no ingress, no egress for any pod) and only the allows its
pods need. Pure data (dicts), so tests can reason about reachability without a cluster.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "KUBE_DNS",
    "allow",
    "allow_apiserver",
    "allow_dns",
    "default_deny",
]

#: CoreDNS's pods: ``k8s-app: kube-dns`` in ``kube-system`` on EKS (the coredns add-on) and CKS.
KUBE_DNS: dict[str, Any] = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}


def _np(name: str, ns: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = dict(labels)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": spec}


def default_deny(ns: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Every pod of ``ns``: no ingress, no egress (until another policy allows some)."""
    return _np("default-deny", ns, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, labels)


def allow_dns(ns: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Every pod of ``ns`` may query cluster DNS (UDP and TCP 53 to CoreDNS)."""
    return _np("allow-dns", ns, {
        "podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"to": [KUBE_DNS], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}],
    }, labels)


def allow_apiserver(ns: str, pod_labels: dict[str, str] | None = None,
                    labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Pods of ``ns`` (all, or those with ``pod_labels``) may reach the Kubernetes API server
    (TCP 443 and 6443). Its address is outside the pod network and not known to the program (EKS's
    private endpoint ENIs, CKS's API server), so the peer is any address on those ports."""
    return _np("allow-apiserver", ns, {
        "podSelector": {"matchLabels": dict(pod_labels)} if pod_labels else {}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                    "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6443}]}],
    }, labels)


def allow(name: str, ns: str, *, pod_labels: dict[str, str] | None = None,
          ingress: list[dict[str, Any]] | None = None, egress: list[dict[str, Any]] | None = None,
          labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A policy allowing ``ingress`` and/or ``egress`` rules for the pods with ``pod_labels``."""
    spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(pod_labels)} if pod_labels else {},
                            "policyTypes": []}
    if ingress is not None:
        spec["policyTypes"].append("Ingress")
        spec["ingress"] = ingress
    if egress is not None:
        spec["policyTypes"].append("Egress")
        spec["egress"] = egress
    return _np(name, ns, spec, labels)
