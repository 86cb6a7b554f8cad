"""The deployments/ program: Pulumi Deployments settings and drift schedules per stack, under mocks."""

from __future__ import annotations

import runpy
from typing import Any

import pytest

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph, run_program
from stack_plans import ROOT, STACKS

PROGRAM = ROOT / "deployments" / "__main__.py"
ROLE = "arn:aws:iam::123456789012:role/pulumi-deployments"
SETTINGS = "pulumiservice:index:DeploymentSettings"
DRIFT = "pulumiservice:index:DriftSchedule"


def _run(settings: dict[str, Any]) -> ResourceGraph:
    return run_program(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"),
                       {"aiops-deployments:settings": settings}, project="aiops-deployments", stack="ops")


def _base(**extra: Any) -> dict[str, Any]:
    return {"organization": "acme", "repoUrl": "https://github.com/acme/ai-platform.git", "awsRoleArn": ROLE,
            **extra}


def test_every_shipped_stack_gets_git_source_oidc_and_a_drift_schedule() -> None:
    graph = _run(_base())
    settings = {r.inputs["stack"]: r for r in graph.of_type(SETTINGS)}
    drift = {r.inputs["stack"]: r for r in graph.of_type(DRIFT)}
    assert sorted(settings) == sorted(drift) == STACKS
    for stack, s in settings.items():
        assert (s.inputs["organization"], s.inputs["project"]) == ("acme", "aiops")
        assert s.inputs["sourceContext"]["git"] == {"repoUrl": "https://github.com/acme/ai-platform.git",
                                                    "branch": "main", "repoDir": "."}
        assert s.inputs["operationContext"]["oidc"]["aws"] == {"roleARN": ROLE, "sessionName": "pulumi-deployments"}
        assert "vcs" not in s.inputs
        d = drift[stack]
        assert (d.inputs["scheduleCron"], d.inputs["autoRemediate"]) == ("0 6 * * *", False)
        assert s.urn in d.depends_on
    assert graph.exports["stacks"] == STACKS


def test_per_stack_overrides_and_vcs() -> None:
    prod_role = "arn:aws:iam::210987654321:role/prod-deployments"
    graph = _run(_base(vcs={"provider": "github", "repository": "acme/ai-platform", "paths": ["stacks/**"]},
                       stacks=[{"stack": "dev"},
                               {"stack": "prod", "branch": "release", "awsRoleArn": prod_role,
                                "driftSchedule": "0 */6 * * *", "autoRemediate": True}]))
    prod = next(r for r in graph.of_type(SETTINGS) if r.inputs["stack"] == "prod")
    assert prod.inputs["sourceContext"]["git"]["branch"] == "release"
    assert prod.inputs["operationContext"]["oidc"]["aws"]["roleARN"] == prod_role
    assert prod.inputs["vcs"]["repository"] == "acme/ai-platform" and prod.inputs["vcs"]["paths"] == ["stacks/**"]
    assert prod.inputs["vcs"]["previewPullRequests"] is True and prod.inputs["vcs"]["deployCommits"] is False
    drift = next(r for r in graph.of_type(DRIFT) if r.inputs["stack"] == "prod")
    assert (drift.inputs["scheduleCron"], drift.inputs["autoRemediate"]) == ("0 */6 * * *", True)
    assert len(graph.of_type(SETTINGS)) == 2


@pytest.mark.parametrize(("settings", "message"), [
    (_base(awsRoleArn="arn:aws:iam::123:user/x"),
     "aiops-deployments:settings.awsRoleArn: 'arn:aws:iam::123:user/x' is not an IAM role ARN"),
    (_base(driftSchedule="daily"), "aiops-deployments:settings.driftSchedule: 'daily' is not a cron expression"),
    (_base(repoUrl="github.com/acme/x"), "aiops-deployments:settings.repoUrl: 'github.com/acme/x' is not a git URL"),
    (_base(stacks=[{"stack": "dev"}, {"stack": "dev"}]), "aiops-deployments:settings.stacks"),
])
def test_bad_settings_fail_before_anything_is_registered(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _run(settings)
    assert message in str(exc.value)
