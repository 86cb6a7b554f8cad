"""A NetworkPolicy evaluator for tests: may a pod reach another pod on a port?

It follows the Kubernetes NetworkPolicy semantics (networking.k8s.io/v1): a pod is isolated for
ingress (egress) when some policy of its namespace selects it with that policy type; an isolated
pod admits a connection only when a rule of one of those policies matches the peer and the port.
A peer with only ``podSelector`` means pods of the policy's namespace; with ``namespaceSelector``
(and an optional ``podSelector``) pods of the matching namespaces; ``ipBlock`` peers are treated as
addresses outside the cluster (they never match a pod here). Named ports match by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Pod", "Policy", "policies_of", "reachable"]


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    #: Named container ports: name → number.
    ports: Mapping[str, int] = field(default_factory=dict)

    def ns_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace, **self.namespace_labels}


@dataclass(frozen=True)
class Policy:
    namespace: str
    spec: Mapping[str, Any]

    def types(self) -> set[str]:
        t = self.spec.get("policyTypes")
        if t:
            return {str(x) for x in t}
        return {"Ingress", "Egress"} if "egress" in self.spec else {"Ingress"}


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _peer_matches(peer: Mapping[str, Any], policy_ns: str, other: Pod) -> bool:
    if "ipBlock" in peer:
        return False
    ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
    in_ns = other.namespace == policy_ns if ns_sel is None else selects(ns_sel, other.ns_labels())
    return in_ns and (pod_sel is None or selects(pod_sel, other.labels))


def _port_matches(ports: list[Mapping[str, Any]] | None, port: int, target: Pod) -> bool:
    if not ports:
        return True
    for p in ports:
        want = p.get("port")
        if want is None or want == port or (isinstance(want, str) and target.ports.get(want) == port):
            return True
    return False


def _admits(policies: Iterable[Policy], kind: str, subject: Pod, other: Pod, port: int, target: Pod) -> bool:
    """Whether ``subject``'s policies of ``kind`` (Ingress/Egress) admit traffic with ``other``."""
    mine = [p for p in policies if p.namespace == subject.namespace and kind in p.types()
            and selects(p.spec.get("podSelector", {}), subject.labels)]
    if not mine:
        return True
    key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    for p in mine:
        for rule in p.spec.get(key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(peer, p.namespace, other) for peer in peers)) and _port_matches(
                    rule.get("ports"), port, target):
                return True
    return False


def reachable(policies: list[Policy], source: Pod, target: Pod, port: int) -> bool:
    """Whether ``source`` may open a connection to ``target`` on ``port``."""
    return (_admits(policies, "Egress", source, target, port, target)
            and _admits(policies, "Ingress", target, source, port, target))


def policies_of(graph: Any) -> list[Policy]:
    """Every NetworkPolicy a planned graph creates."""
    return [Policy(str(r.inputs["metadata"]["namespace"]), r.inputs["spec"])
            for r in graph.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")]
