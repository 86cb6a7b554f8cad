"""One way to make a customer-managed KMS key: explicit key policy, rotation on, protected.

Every key the library creates comes from :func:`kms_key`:

* an explicit key policy: the account root administers the key (which lets the account's IAM
  policies grant its use, as AWS's own default key policy does), plus one statement per AWS
  service that must use the key itself, each fenced by conditions (:class:`KeyUser`);
* automatic rotation on (optionally with a rotation period), a 30-day deletion window;
* ``protect`` and ``retain_on_delete``: a configuration mistake cannot delete a key that
  encrypts data (README, "Removing stateful resources");
* optionally an alias (``alias/…``).

Example (in a component of your own)::

    import pulumi
    from pulumi_aiops.aws.kms import KeyUser, kms_key

    class AuditLogs(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("example:index:AuditLogs", name)
            group = f"arn:aws:logs:us-east-1:123456789012:log-group:/{name}"
            self.key = kms_key(
                f"{name}-key", parent=self, description="audit log group",
                users=[KeyUser("CloudWatchLogs", service="logs.us-east-1.amazonaws.com",
                               actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                               condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group}})],
                alias=f"alias/{name}", tags={"owner": "security"})

    AuditLogs("audit")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.aws.iam import document, statement

__all__ = [
    "AWS_DEFAULT_KEY_POLICY_ID",
    "AWS_DEFAULT_ROOT_SID",
    "DELETION_WINDOW_DAYS",
    "KeyUser",
    "key_policy",
    "kms_key",
]

#: Days a deleted key waits before AWS destroys it (the maximum; the minimum is 7).
DELETION_WINDOW_DAYS = 30
#: The ``Sid`` and policy ``Id`` of the key policy AWS KMS applies when a key is created through
#: the API without one (AWS KMS Developer Guide, "Default key policy", statement "Allows access
#: to the AWS account and enables IAM policies"; the ``Id`` as GetKeyPolicy returns it, and as
#: moto's ``_get_default_key_policy`` reproduces it). A key that used to have that default gets
#: the same document written explicitly, so the provider sees no change on upgrade.
AWS_DEFAULT_ROOT_SID = "Enable IAM User Permissions"
AWS_DEFAULT_KEY_POLICY_ID = "key-default-1"


@dataclass(frozen=True)
class KeyUser:
    """An AWS service principal allowed to use the key, and the conditions that fence it.

    ``service`` and the condition values may be ``Output``\\ s (e.g. a log group ARN)."""

    sid: str
    service: pulumi.Input[str]
    actions: Sequence[str]
    condition: Mapping[str, Any] | None = field(default=None)

    def statement(self) -> dict[str, Any]:
        return statement("Allow", list(self.actions), "*", sid=self.sid,
                         principal={"Service": self.service}, condition=self.condition)


def key_policy(
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    users: Sequence[KeyUser] = (),
    *,
    root_sid: str = AWS_DEFAULT_ROOT_SID,
    policy_id: str | None = AWS_DEFAULT_KEY_POLICY_ID,
    indent: int | None = None,
) -> pulumi.Output[str]:
    """The key policy: the account root administers the key (``kms:*``: IAM policies decide who
    in the account may use it), then each :class:`KeyUser`."""
    root = pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")
    stmts = [statement("Allow", "kms:*", "*", sid=root_sid, principal={"AWS": root}),
             *(u.statement() for u in users)]
    return document(stmts, indent=indent, policy_id=policy_id)


def kms_key(
    name: str,
    *,
    parent: pulumi.Resource,
    description: str,
    tags: Mapping[str, str] | None = None,
    users: Sequence[KeyUser] = (),
    rotation_period_days: int | None = None,
    alias: str | None = None,
    alias_resource_name: str | None = None,
    policy: pulumi.Input[str] | None = None,
    account_id: pulumi.Input[str] | None = None,
    partition: pulumi.Input[str] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.kms.Key:
    """A customer-managed symmetric key under ``parent`` (see the module docstring).

    ``policy`` replaces the default :func:`key_policy` (for keys whose policy text predates this
    helper); ``alias`` (``alias/…``) adds an ``aws.kms.Alias`` named ``alias_resource_name``
    (default ``f"{name}-alias"``). The caller's account and partition are looked up unless given.
    """
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    if policy is None:
        if account_id is None:
            account_id = aws.get_caller_identity_output(opts=invoke).account_id
        if partition is None:
            partition = aws.get_partition_output(opts=invoke).partition
        policy = key_policy(account_id, partition, users)
    base = pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True)
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        rotation_period_in_days=rotation_period_days,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        policy=policy,
        tags=dict(tags) if tags is not None else None,
        opts=pulumi.ResourceOptions.merge(base, opts),
    )
    if alias is not None:
        if not alias.startswith("alias/") or alias.startswith("alias/aws/"):
            raise ValueError(f"KMS alias {alias!r} must start with 'alias/' and not 'alias/aws/'")
        aws.kms.Alias(alias_resource_name or f"{name}-alias", name=alias, target_key_id=key.key_id,
                      opts=pulumi.ResourceOptions(parent=parent))
    return key
