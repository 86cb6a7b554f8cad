"""Every AWS IAM document (identity, resource and key policies) in every shipped stack passes
``parliament`` with no finding of error severity (HIGH or CRITICAL). MEDIUM findings must be
one of the known gaps in parliament's own AWS data listed here, each with the reason it is
wrong; anything else fails."""

from __future__ import annotations

import functools
import json
from typing import Any

import parliament
import pytest

from stack_plans import STACKS, planned

ERROR_SEVERITIES = {"HIGH", "CRITICAL"}
#: parliament rates these LOW, but a misspelt action or service silently grants nothing.
ERROR_ISSUES = {"UNKNOWN_ACTION", "UNKNOWN_PREFIX", "UNKNOWN_OPERATOR"}


def _is_error(issue: str, severity: str) -> bool:
    return severity in ERROR_SEVERITIES or issue in ERROR_ISSUES

#: (issue, a substring of the finding's detail) → why parliament is wrong there.
KNOWN_PARLIAMENT_GAPS: dict[tuple[str, str], str] = {
    ("UNKNOWN_CONDITION_FOR_ACTION", "bedrock:GuardrailIdentifier"):
        "the key is documented for InvokeModel* (Bedrock user guide, guardrails through IAM)",
    ("RESOURCE_MISMATCH", "bedrock:InvokeModel"):
        "parliament's Bedrock resource list predates foundation-model / inference-profile ARNs",
    ("UNKNOWN_CONDITION_FOR_ACTION", "kms:EncryptionContext:aws:logs:arn"):
        "the CloudWatch Logs key-policy pattern from the CloudWatch Logs user guide",
    ("MISMATCHED_TYPE", "ArnEquals requires a value of type Arn but given String"):
        "same pattern: ArnEquals on kms:EncryptionContext:aws:logs:arn is AWS's documented form",
}


def _documents(stack: str) -> list[tuple[str, str, str]]:
    graph = planned(stack).graph
    out = []
    for r in graph:
        if not r.type.startswith("aws:") or r.type.startswith("aws:opensearch/"):
            continue  # AOSS policies and CoreWeave bucket policies are not IAM documents
        for key in ("policy", "assumeRolePolicy"):
            raw = r.inputs.get(key)
            if isinstance(raw, str) and raw.lstrip().startswith("{") and "Statement" in json.loads(raw):
                out.append((f"{r.type} {r.name}", key, raw))
    return out


@functools.cache
def _findings(stack: str) -> list[tuple[str, str, str, Any]]:
    found = []
    for where, key, raw in _documents(stack):
        for f in parliament.analyze_policy_string(raw).findings:
            f = parliament.enhance_finding(f)
            if key == "assumeRolePolicy" and f.issue == "MALFORMED" and "Resource" in str(f.detail):
                continue  # a trust policy has no Resource element, by definition
            found.append((where, f.issue, f.severity, f.detail))
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_no_error_severity_findings(stack: str) -> None:
    assert len(_documents(stack)) >= 5
    errors = [f for f in _findings(stack) if _is_error(f[1], f[2])]
    assert not errors, "\n".join(map(str, errors))


@pytest.mark.parametrize("stack", STACKS)
def test_medium_findings_are_known_parliament_gaps(stack: str) -> None:
    unexplained = [
        f for f in _findings(stack)
        if f[2] == "MEDIUM"
        and not any(issue == f[1] and text in str(f[3]) for issue, text in KNOWN_PARLIAMENT_GAPS)
    ]
    assert not unexplained, "\n".join(map(str, unexplained))


def test_the_checks_are_live() -> None:
    """A malformed statement and a misspelt action count as errors; a wrong resource type is
    a MEDIUM finding that no known gap explains."""

    def issues(statement: dict[str, Any]) -> set[tuple[str, str]]:
        doc = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        return {(e.issue, e.severity) for e in map(parliament.enhance_finding,
                                                    parliament.analyze_policy_string(doc).findings)}

    assert any(_is_error(*i) for i in issues({"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}))
    assert any(_is_error(*i) for i in issues({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}))
    assert ("INVALID_ARN", "MEDIUM") in issues(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:iam::1:role/x"})
