"""Formats of the AWS identifiers components take from elsewhere, and checks that work on
plain values and on Pulumi ``Output``\\ s alike.

A wiring field (:data:`~pulumi_aiops.config.base.Wired`) holds either a plain string, checked
when the args are validated, or an ``Output`` of another resource, whose value is unknown then.
:func:`checked` wraps such an ``Output`` so that a bad value, once known, fails the deployment
with a clear message instead of an AWS API error::

    vpc_id = checked(args.vpc_id, VPC_ID, "VectorStore('kb').network.vpcId")
    aws.ec2.SecurityGroup("sg", vpc_id=vpc_id)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from pulumi_aiops.errors import ConfigError

__all__ = [
    "IAM_PRINCIPAL",
    "IAM_ROLE_OR_USER",
    "KMS_KEY_ARN",
    "SECURITY_GROUP_ID",
    "SUBNET_ID",
    "VPC_ID",
    "Format",
    "check_known",
    "check_known_list",
    "check_tags",
    "checked",
    "checked_list",
]


@dataclass(frozen=True)
class Format:
    """A regular expression and how to describe a value that matches it."""

    pattern: re.Pattern[str]
    expected: str

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and self.pattern.fullmatch(value) is not None


#: ``vpc-`` and hexadecimal digits (8 or 17 in AWS).
VPC_ID = Format(re.compile(r"vpc-[0-9a-f]+"), "a VPC id (vpc-0123456789abcdef0)")
#: ``subnet-`` and hexadecimal digits.
SUBNET_ID = Format(re.compile(r"subnet-[0-9a-f]+"), "a subnet id (subnet-0123456789abcdef0)")
#: ``sg-`` and hexadecimal digits.
SECURITY_GROUP_ID = Format(re.compile(r"sg-[0-9a-f]+"), "a security group id (sg-0123456789abcdef0)")
#: A KMS key ARN (not an alias): bucket policies and grants compare against the key ARN.
KMS_KEY_ARN = Format(re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+"),
                     "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)")
#: An IAM role or user ARN (what data access policies of OpenSearch Serverless accept).
IAM_ROLE_OR_USER = Format(re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}"),
                          "an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)")
#: An IAM principal a trust policy can name: an account root, a role or a user.
IAM_PRINCIPAL = Format(re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)"),
                       "an IAM principal ARN (arn:aws:iam::<account>:root|role/…|user/…)")


def is_known(value: Any) -> bool:
    """:func:`pulumi_aiops.config.base.is_known` (imported late: the config models import this module)."""
    from pulumi_aiops.config.base import is_known as known

    return known(value)


def check_known(value: Any, fmt: Format, *, loc: tuple[int | str, ...] = (), more: str = "") -> Any:
    """For pydantic validators: raise :class:`~pulumi_aiops.config.base.ConfigValueError` if a
    *known* value does not match ``fmt``; an ``Output`` passes unchecked."""
    from pulumi_aiops.config.base import ConfigValueError

    if value is not None and is_known(value) and not fmt.ok(value):
        raise ConfigValueError(f"is not {fmt.expected}{more}", loc=loc, value=value)
    return value


def check_known_list(values: Any, fmt: Format, more: str = "") -> Any:
    """:func:`check_known` on each known item of a list (a list that is an ``Output`` passes)."""
    if values is None or not is_known(values):
        return values
    for i, v in enumerate(values):
        check_known(v, fmt, loc=(i,), more=more)
    return values


def _check_resolved(value: Any, fmt: Format, where: str) -> Any:
    if value is not None and not fmt.ok(value):
        raise ConfigError(f"{where}: {value!r} is not {fmt.expected}")
    return value


def checked(value: pulumi.Input[str], fmt: Format, where: str) -> pulumi.Input[str]:
    """``value`` itself when plain (the args validation checked it); for an ``Output``, one that
    fails with ``where: <value> is not <format>`` once its value is known and wrong."""
    if is_known(value):
        return value
    return pulumi.Output.from_input(value).apply(lambda v: _check_resolved(v, fmt, where))


def checked_list(values: Any, fmt: Format, where: str) -> Any:
    """:func:`checked` for a list of ids (the list, or any item, may be an ``Output``)."""
    if is_known(values):
        return [checked(v, fmt, f"{where}[{i}]") for i, v in enumerate(values)]

    def check_all(items: Sequence[Any]) -> list[Any]:
        return [_check_resolved(v, fmt, f"{where}[{i}]") for i, v in enumerate(items)]

    return pulumi.Output.from_input(values).apply(check_all)


def check_tags(tags: Any, *, reserved: int | None = None) -> Any:
    """For pydantic validators of a component's ``tags``: AWS's tag limits (a key at most 128
    characters, a value at most 256, the allowed characters, no ``aws:`` prefix), leaving room
    for the ``reserved`` tags the component adds itself (default: the library's reservation,
    as for the governance tags)."""
    from pulumi_aiops.config.aws_names import MAX_TAGS, RESERVED_TAGS, tag_problems
    from pulumi_aiops.config.base import ConfigValueError

    limit = MAX_TAGS - (RESERVED_TAGS if reserved is None else reserved)
    for key, problem in tag_problems(tags, limit=limit):
        raise ConfigValueError(problem, loc=(key,) if key is not None else (),
                               value=key if key is not None else f"{len(tags)} tags")
    return tags
