"""A vendored pack is self-contained: launched from a folder with no repository around it, it
serves its policies and the gpu-cost rule still finds its prices."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pulumi_aiops.testing.policy import PolicyPackProcess


def test_vendored_gpu_cost_pack_runs_outside_the_repository(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "policy-packs"))
    from aiops_policies.vendor import vendor_pack

    dest = vendor_pack("gpu-cost", tmp_path / "dist")
    assert (dest / "aiops_policies" / "gpu_instances.toml").is_file()
    # Nothing of the repository is reachable from there: copy it away from its parent too.
    alone = tmp_path / "elsewhere" / "gpu-cost"
    shutil.copytree(dest, alone)
    # Run from the pack's folder, as the CLI does, the vendored library is the one imported.
    where = subprocess.run([sys.executable, "-c", "import aiops_policies.rules_cost as r; "
                            "print(r.__file__); print(r.catalog_path())"],
                           cwd=alone, capture_output=True, text=True, check=True).stdout.split()
    assert [Path(w).resolve().is_relative_to(alone.resolve()) for w in where] == [True, True]
    with PolicyPackProcess(alone, stack_config={"aws:region": "us-east-1"}) as proc:
        assert [p.name for p in proc.info().policies] == ["gpu-cost-budget"]
        diags = proc.analyze_stack([{
            "type": "aws:eks/nodeGroup:NodeGroup", "name": "h100",
            "props": {"instanceTypes": ["p5.48xlarge"], "scalingConfig": {"maxSize": 10.0}}}])
        assert [d.policy for d in diags] == ["gpu-cost-budget"]  # 10 × p5 is over the default budget
