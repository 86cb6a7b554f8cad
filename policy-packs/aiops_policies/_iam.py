"""IAM policy document helpers: statements, actions, principals (wildcards included)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from aiops_policies._core import as_list, as_mapping, parse_json_doc

__all__ = [
    "POLICY_DOC_PROPS",
    "Statement",
    "action_matches",
    "iter_policy_documents",
    "statements",
]

#: Resource types holding identity-based policy documents, and where the document is.
POLICY_DOC_PROPS: dict[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:iam/role:Role": "inlinePolicies",
    "aws:iam/user:User": "",
    "aws:iam/group:Group": "",
}


@dataclass(frozen=True)
class Statement:
    """One normalised statement; action and principal strings are kept verbatim."""

    index: int
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: tuple[str, ...]
    has_principal: bool
    condition: Mapping[str, Any]

    @property
    def allow(self) -> bool:
        return self.effect.lower() == "allow"

    def condition_keys(self) -> set[str]:
        """Every condition key (lower-case), across operators."""
        keys: set[str] = set()
        for block in self.condition.values():
            for k in as_mapping(block):
                keys.add(str(k).lower())
        return keys


def _principals(p: Any) -> tuple[str, ...]:
    if p is None:
        return ()
    if isinstance(p, str):
        return (p,)
    if isinstance(p, Mapping):
        out: list[str] = []
        for v in p.values():
            out.extend(str(x) for x in as_list(v))
        return tuple(out)
    return tuple(str(x) for x in as_list(p))


def statements(doc: Any) -> list[Statement]:
    """The statements of a policy document (a JSON string or a parsed mapping)."""
    if isinstance(doc, str):
        return _statements_of_text(doc)
    return _statements(doc)


@lru_cache(maxsize=1024)
def _statements_of_text(doc: str) -> list[Statement]:
    return _statements(doc)


def _statements(doc: Any) -> list[Statement]:
    parsed = parse_json_doc(doc)
    if not isinstance(parsed, Mapping):
        return []
    out = []
    for i, s in enumerate(as_list(parsed.get("Statement"))):
        if not isinstance(s, Mapping):
            continue
        principal = s.get("Principal", s.get("NotPrincipal"))
        out.append(Statement(
            index=i,
            effect=str(s.get("Effect", "")),
            actions=tuple(str(a) for a in as_list(s.get("Action"))),
            not_actions=tuple(str(a) for a in as_list(s.get("NotAction"))),
            resources=tuple(str(r) for r in as_list(s.get("Resource"))),
            not_resources=tuple(str(r) for r in as_list(s.get("NotResource"))),
            principals=_principals(principal),
            has_principal=principal is not None,
            condition=as_mapping(s.get("Condition")),
        ))
    return out


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern (``bedrock:Invoke*``, ``*``) grants ``action``."""
    return fnmatchcase(action.lower(), pattern.lower())


def iter_policy_documents(resource_type: str, props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(where, document)`` for every identity policy document a resource carries."""
    if resource_type == "aws:iam/role:Role":
        for i, p in enumerate(as_list(props.get("inlinePolicies"))):
            pol = as_mapping(p).get("policy")
            if pol:
                yield f"inlinePolicies[{i}]", pol
        return
    key = POLICY_DOC_PROPS.get(resource_type)
    if key:
        doc = props.get(key)
        if doc:
            yield key, doc
