"""Kubernetes NetworkPolicies for the namespaces the platform creates: deny by default, then
allow what each workload needs.

Every namespace the library creates gets :func:`default_deny` (every pod: no ingress, no
egress), :func:`allow_dns` (egress to port 53, so names resolve) and policies that allow exactly
the traffic its workload needs (:func:`allow`). The policy rule ``k8s-namespace-default-deny``
checks the first for every ``Namespace`` a program creates.

Enforcement: on EKS, the VPC CNI enforces NetworkPolicies once its add-on runs with
``enableNetworkPolicy: "true"`` (``EksControlPlane`` sets it); CoreWeave's CKS runs Cilium, which
enforces them. A cluster without an enforcing CNI accepts the objects and ignores them.

Example (in a component)::

    from pulumi_aiops import network_policy as netpol

    ns = k8s.core.v1.Namespace(f"{name}-ns", metadata={"name": "rag"}, opts=child)
    netpol.default_deny(f"{name}-ns", ns.metadata.name, opts=child)
    netpol.allow_dns(f"{name}-ns", ns.metadata.name, opts=child)
    netpol.allow(f"{name}-api", ns.metadata.name, "allow-api", pod_labels={"app": "api"},
                 ingress=[{"from": [netpol.namespaces_labelled({"aiops.io/rag-client": "true"})],
                           "ports": netpol.tcp(8080)}], opts=child)
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

__all__ = [
    "DEFAULT_DENY",
    "allow",
    "allow_dns",
    "default_deny",
    "namespaces_labelled",
    "same_namespace",
    "tcp",
]

#: The name of the default-deny policy in each namespace.
DEFAULT_DENY = "default-deny"
_LABELS = {"app.kubernetes.io/managed-by": "pulumi-aiops"}


def tcp(*ports: int) -> list[dict[str, Any]]:
    """``ports`` entries for TCP ``ports``."""
    return [{"protocol": "TCP", "port": p} for p in ports]


def same_namespace() -> dict[str, Any]:
    """A peer: every pod of the policy's own namespace."""
    return {"podSelector": {}}


def namespaces_labelled(labels: Mapping[str, str]) -> dict[str, Any]:
    """A peer: every pod of the namespaces carrying ``labels``."""
    return {"namespaceSelector": {"matchLabels": dict(labels)}}


def _policy(name: str, namespace: pulumi.Input[str], policy_name: str, spec: Any,
            opts: pulumi.ResourceOptions | None) -> k8s.networking.v1.NetworkPolicy:
    metadata: Any = {"name": policy_name, "namespace": namespace, "labels": dict(_LABELS)}
    return k8s.networking.v1.NetworkPolicy(name, metadata=metadata, spec=spec, opts=opts)


def default_deny(name: str, namespace: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None) -> k8s.networking.v1.NetworkPolicy:
    """``<name>-default-deny``: every pod of ``namespace`` accepts and sends nothing, except what
    another policy allows."""
    return _policy(f"{name}-default-deny", namespace, DEFAULT_DENY,
                   {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, opts)


def allow_dns(name: str, namespace: pulumi.Input[str],
              opts: pulumi.ResourceOptions | None = None) -> k8s.networking.v1.NetworkPolicy:
    """``<name>-allow-dns``: every pod of ``namespace`` may send DNS queries (UDP and TCP 53).

    Any destination on port 53: the cluster DNS service (CoreDNS behind a ClusterIP) and a
    node-local DNS cache (a link-local address on the node) alike; nothing but port 53 leaves."""
    return _policy(f"{name}-allow-dns", namespace, "allow-dns", {
        "podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}],
    }, opts)


def allow(name: str, namespace: pulumi.Input[str], policy_name: str, *,
          pod_labels: Mapping[str, str] | None = None,
          ingress: Sequence[Mapping[str, Any]] = (), egress: Sequence[Mapping[str, Any]] = (),
          opts: pulumi.ResourceOptions | None = None) -> k8s.networking.v1.NetworkPolicy:
    """A policy named ``policy_name`` that allows ``ingress`` and ``egress`` (NetworkPolicy rule
    lists) for the pods matching ``pod_labels`` (all pods of ``namespace`` when ``None``)."""
    types = [t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules]
    if not types:
        raise ValueError(f"{name}: a NetworkPolicy that allows nothing; give ingress or egress rules")
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": dict(pod_labels)} if pod_labels else {},
        "policyTypes": types,
    }
    if ingress:
        spec["ingress"] = [dict(r) for r in ingress]
    if egress:
        spec["egress"] = [dict(r) for r in egress]
    return _policy(name, namespace, policy_name, spec, opts)
