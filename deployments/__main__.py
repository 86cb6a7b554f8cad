"""Configure Pulumi Deployments for every stack of the platform project (see pulumi_aiops.deployments).

Settings come from this program's stack config, key ``aiops-deployments:settings``. When it lists
no ``stacks``, every ``../stacks/Pulumi.<stack>.yaml`` is taken::

    config:
      aiops-deployments:settings:
        organization: acme
        repoUrl: https://github.com/acme/ai-platform.git
        awsRoleArn: arn:aws:iam::123456789012:role/pulumi-deployments
        driftSchedule: "0 6 * * *"
        stacks:
          - {stack: dev}
          - {stack: prod, driftSchedule: "0 */6 * * *"}
"""

from pathlib import Path

import pulumi

from pulumi_aiops.deployments import configure_deployments, load_deployments_config

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"

raw = dict(pulumi.Config("aiops-deployments").require_object("settings"))
if not raw.get("stacks"):
    raw["stacks"] = [{"stack": p.name[len("Pulumi."):-len(".yaml")]} for p in sorted(STACKS_DIR.glob("Pulumi.*.yaml"))]
created = configure_deployments(load_deployments_config(raw))
pulumi.export("stacks", sorted(created))
