"""IAM policy documents: the one place that writes an IAM ``Version``.

Every policy, trust policy, key policy and bucket policy the library creates is built here, so a
document is always well formed and statements may hold Pulumi ``Output``\\ s. Example::

    from pulumi_aiops.aws.iam import document, service_trust, statement

    doc = document([statement("Allow", ["s3:GetObject"], [pulumi.Output.concat(bucket.arn, "/*")])])
    aws.iam.RolePolicy("read", role=role.id, policy=doc)
    aws.iam.Role("r", assume_role_policy=service_trust("eks.amazonaws.com", tag_session=True))
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

__all__ = ["POLICY_VERSION", "document", "document_dict", "document_json", "service_trust", "statement"]

#: The IAM policy language version every document uses.
POLICY_VERSION = "2012-10-17"


def statement(
    effect: str,
    actions: str | Sequence[str],
    resources: pulumi.Input[str] | Sequence[pulumi.Input[str]] | None = None,
    *,
    sid: str | None = None,
    principal: Mapping[str, Any] | str | None = None,
    condition: Mapping[str, Any] | None = None,
    not_actions: bool = False,
) -> dict[str, Any]:
    """One IAM statement. ``resources`` is omitted for key and trust policies that name none;
    ``principal`` is a mapping (``{"Service": …}``) or ``"*"`` (resource policies that fence
    everyone with a condition)."""
    if effect not in ("Allow", "Deny"):
        raise ValueError(f"effect must be Allow or Deny, not {effect!r}")
    out: dict[str, Any] = {}
    if sid:
        out["Sid"] = sid
    out["Effect"] = effect
    if principal is not None:
        out["Principal"] = principal if isinstance(principal, str) else dict(principal)
    out["NotAction" if not_actions else "Action"] = actions if isinstance(actions, str) else list(actions)
    if resources is not None:
        if isinstance(resources, Sequence) and not isinstance(resources, str):
            out["Resource"] = list(resources)
        else:
            out["Resource"] = resources
    if condition:
        out["Condition"] = dict(condition)
    return out


def document_dict(statements: Sequence[Mapping[str, Any]], *, policy_id: str | None = None) -> dict[str, Any]:
    """A policy document as a dict (``Version``, optional ``Id``, ``Statement``), from plain statements."""
    doc: dict[str, Any] = {"Version": POLICY_VERSION}
    if policy_id is not None:
        doc["Id"] = policy_id
    doc["Statement"] = [dict(s) for s in statements]
    return doc


def document_json(statements: Sequence[Mapping[str, Any]], *, sort_keys: bool = False,
                  indent: int | None = None, policy_id: str | None = None) -> str:
    """A policy document as a JSON string, from plain statements (no Outputs).

    ``sort_keys`` and ``indent`` keep the text of documents that were written that way before
    (an unchanged text means no update on ``pulumi up``); ``policy_id`` sets the ``Id``."""
    return json.dumps(document_dict(statements, policy_id=policy_id), sort_keys=sort_keys, indent=indent)


def document(
    statements: Sequence[Mapping[str, Any]] | pulumi.Output[Sequence[Mapping[str, Any]]],
    *,
    sort_keys: bool = False,
    indent: int | None = None,
    policy_id: str | None = None,
) -> pulumi.Output[str]:
    """A policy document as an ``Output[str]``; statements may hold ``Output``\\ s anywhere."""
    return pulumi.Output.from_input(statements).apply(
        lambda s: document_json(s, sort_keys=sort_keys, indent=indent, policy_id=policy_id))


def service_trust(
    services: str | Sequence[str],
    *,
    tag_session: bool = False,
    condition: Mapping[str, Any] | None = None,
) -> str:
    """A trust policy letting AWS ``services`` assume the role (``sts:TagSession`` too when asked,
    as EKS Pod Identity and the EKS cluster role require)."""
    principal = {"Service": services if isinstance(services, str) else list(services)}
    actions: str | list[str] = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return document_json([statement("Allow", actions, principal=principal, condition=condition)])
