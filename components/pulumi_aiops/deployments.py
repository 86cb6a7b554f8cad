"""Pulumi Deployments for every stack, as code (``pulumi-pulumiservice``): the engine for many stacks.

``aiops plan --all`` evaluates every stack offline; to deploy them, use the engines that exist.
This module configures `Pulumi Deployments` for each stack of the platform project with the
``pulumi-pulumiservice`` provider (``pip install 'pulumi-aiops[deployments]'``):

* a ``pulumiservice.DeploymentSettings`` per stack: the git source (repository URL, branch, the
  project's folder), AWS credentials through OIDC (a role to assume, no stored keys), optional
  pre-run commands and VCS integration (push to deploy, previews on pull requests);
* a ``pulumiservice.DriftSchedule`` per stack: drift detection on a cron schedule, optionally
  remediating (``pulumi up``) what drifted.

The program under ``deployments/`` runs it with the settings from its own stack config::

    from pulumi_aiops.deployments import DeploymentsConfig, configure_deployments
    configure_deployments(DeploymentsConfig.model_validate({
        "organization": "acme", "repoUrl": "https://github.com/acme/ai-platform.git",
        "awsRoleArn": "arn:aws:iam::123456789012:role/pulumi-deployments",
        "stacks": [{"stack": "dev"}, {"stack": "prod", "driftSchedule": "0 */6 * * *"}],
    }))
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
from pydantic import Field, field_validator

from pulumi_aiops.config.base import AiopsModel, ConfigValueError, validate_model
from pulumi_aiops.errors import ConfigError

__all__ = ["CONFIG_KEY", "DeploymentsConfig", "StackDeployment", "VcsSettings", "configure_deployments",
           "load_deployments_config"]

#: The stack-config key of the deployments program (``deployments/Pulumi.<stack>.yaml``).
CONFIG_KEY = "aiops-deployments:settings"

_CRON = re.compile(r"^\S+( \S+){4}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_STACK = re.compile(r"^[A-Za-z0-9_.-]+$")


def _cron(v: str | None) -> str | None:
    if v is not None and not _CRON.match(v):
        raise ConfigValueError("is not a cron expression of five fields (minute hour day month weekday)", value=v)
    return v


class VcsSettings(AiopsModel):
    """The VCS integration of a stack's deployments (Pulumi Cloud's GitHub or Azure DevOps app)."""

    provider: str = Field(description="The VCS provider type, as Pulumi Cloud names it. Required.")
    repository: str = Field(description="The repository, e.g. 'org/repo' on GitHub. Required.")
    deploy_commits: bool = Field(False, description="Run `pulumi up` on a push to the branch. @default false")
    preview_pull_requests: bool = Field(True, description="Run `pulumi preview` on pull requests. @default true")
    paths: list[str] = Field(default_factory=list, description="Only changes under these paths trigger. "
                             "@default [] (every change)")


class StackDeployment(AiopsModel):
    """One stack's deployment settings; unset fields take the program-wide ones."""

    stack: str = Field(description="The stack name (stacks/Pulumi.<stack>.yaml). Required.")
    branch: str | None = Field(None, description="The branch to deploy. @default the program's branch")
    aws_role_arn: str | None = Field(None, description="The role assumed through OIDC. @default the program's")
    drift_schedule: str | None = Field(None, description="Cron for drift detection. @default the program's")
    auto_remediate: bool | None = Field(None, description="Run `pulumi up` when drift is found. "
                                        "@default the program's")

    @field_validator("stack")
    @classmethod
    def _stack(cls, v: str) -> str:
        if not _STACK.match(v):
            raise ConfigValueError("is not a stack name (letters, digits, '_', '.', '-')", value=v)
        return v

    @field_validator("drift_schedule")
    @classmethod
    def _schedule(cls, v: str | None) -> str | None:
        return _cron(v)


class DeploymentsConfig(AiopsModel):
    """The deployments program's settings (``aiops-deployments:settings``)."""

    organization: str = Field(description="The Pulumi Cloud organization. Required.")
    project: str = Field("aiops", description="The platform's Pulumi project name. @default aiops")
    repo_url: str = Field(description="The git URL of the platform repository (https://…). Required.")
    branch: str = Field("main", description="The branch deployments check out. @default main")
    repo_dir: str = Field(".", description="The project's folder in the repository (where Pulumi.yaml is). "
                          "@default .")
    aws_role_arn: str = Field(description="The IAM role Pulumi Deployments assumes through OIDC. Required.")
    session_name: str = Field("pulumi-deployments", description="The OIDC session name. "
                              "@default pulumi-deployments")
    session_duration: str | None = Field(None, description="The OIDC session duration (e.g. '1h0m0s'). "
                                         "@default the service's")
    pre_run_commands: list[str] = Field(default_factory=list, description="Commands before each operation. "
                                        "@default []")
    vcs: VcsSettings | None = Field(None, description="The VCS integration. @default none (git source only)")
    drift_schedule: str = Field("0 6 * * *", description="Cron for drift detection. @default 0 6 * * * (daily)")
    auto_remediate: bool = Field(False, description="Run `pulumi up` when drift is found. @default false")
    stacks: list[StackDeployment] = Field(description="The stacks to configure. Required.", min_length=1)

    @field_validator("repo_url")
    @classmethod
    def _repo_url(cls, v: str) -> str:
        if not v.startswith(("https://", "git@", "ssh://")):
            raise ConfigValueError("is not a git URL (https://…, git@…, ssh://…)", value=v)
        return v

    @field_validator("aws_role_arn")
    @classmethod
    def _role(cls, v: str) -> str:
        if not _ROLE_ARN.match(v):
            raise ConfigValueError("is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", value=v)
        return v

    @field_validator("drift_schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        _cron(v)
        return v

    @field_validator("stacks")
    @classmethod
    def _unique(cls, v: list[StackDeployment]) -> list[StackDeployment]:
        names = [s.stack for s in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigValueError(f"names a stack twice: {', '.join(dup)}", value=names)
        return v


def load_deployments_config(raw: Any) -> DeploymentsConfig:
    """Validate ``raw`` (the ``aiops-deployments:settings`` object) with key paths in errors."""
    return validate_model(DeploymentsConfig, raw, CONFIG_KEY)


def _service() -> Any:
    try:
        import pulumi_pulumiservice as ps
    except ImportError:  # pragma: no cover - the optional extra is missing
        raise ConfigError("the deployments program needs pulumi-pulumiservice: "
                          "pip install 'pulumi-aiops[deployments]'") from None
    return ps


def configure_deployments(cfg: DeploymentsConfig, opts: pulumi.ResourceOptions | None = None
                          ) -> dict[str, dict[str, pulumi.CustomResource]]:
    """Create each stack's ``DeploymentSettings`` and ``DriftSchedule``; returns them by stack."""
    ps = _service()
    out: dict[str, dict[str, pulumi.CustomResource]] = {}
    for s in cfg.stacks:
        role = s.aws_role_arn or cfg.aws_role_arn
        if not _ROLE_ARN.match(role):
            raise ConfigError(f"{CONFIG_KEY}.stacks[{s.stack}].awsRoleArn: {role!r} is not an IAM role ARN")
        oidc_aws = ps.AWSOIDCConfigurationArgs(role_arn=role, session_name=cfg.session_name,
                                               duration=cfg.session_duration)
        vcs = None
        if cfg.vcs is not None:
            vcs = ps.DeploymentSettingsVcsArgs(
                provider=cfg.vcs.provider, repository=cfg.vcs.repository, deploy_commits=cfg.vcs.deploy_commits,
                preview_pull_requests=cfg.vcs.preview_pull_requests, paths=cfg.vcs.paths or None)
        settings = ps.DeploymentSettings(
            f"{s.stack}-deployment-settings",
            organization=cfg.organization,
            project=cfg.project,
            stack=s.stack,
            source_context=ps.DeploymentSettingsSourceContextArgs(
                git=ps.DeploymentSettingsGitSourceArgs(repo_url=cfg.repo_url, branch=s.branch or cfg.branch,
                                                       repo_dir=cfg.repo_dir)),
            operation_context=ps.DeploymentSettingsOperationContextArgs(
                oidc=ps.OperationContextOIDCArgs(aws=oidc_aws),
                pre_run_commands=list(cfg.pre_run_commands) or None),
            vcs=vcs,
            opts=opts,
        )
        drift = ps.DriftSchedule(
            f"{s.stack}-drift",
            organization=cfg.organization,
            project=cfg.project,
            stack=s.stack,
            schedule_cron=s.drift_schedule or cfg.drift_schedule,
            auto_remediate=cfg.auto_remediate if s.auto_remediate is None else s.auto_remediate,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[settings])),
        )
        out[s.stack] = {"settings": settings, "drift": drift}
    return out
