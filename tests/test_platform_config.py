"""Platform-level configuration: every mistake is a ConfigError naming the key path, the value
received and what is allowed, raised before any resource is registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_aiops.config import PlatformConfig, load_platform_config
from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import run_program

BAD: list[tuple[str, dict[str, Any], str, str]] = [
    # (id, patch applied over the base config, key path expected, value expected in message)
    ("environment", {"environment": "production"}, "aiops:platform.environment", "'production'"),
    ("classification", {"governance": {"owner": "a", "costCenter": "b",
                                        "dataClassification": "secret"}},
     "aiops:platform.governance.dataClassification", "'secret'"),
    ("owner-missing", {"governance": {"costCenter": "b"}}, "aiops:platform.governance.owner",
     "required"),
    ("owner-empty", {"governance": {"owner": "", "costCenter": "b"}},
     "aiops:platform.governance.owner", "''"),
    ("unknown-key", {"gpuClusters": []}, "aiops:platform.gpuClusters", "unknown key"),
    ("aws-tag-key", {"governance": {"owner": "a", "costCenter": "b",
                                     "extraTags": {"aws:reserved": "x"}}},
     "aiops:platform.governance.extraTags", "aws:reserved"),
    ("cluster-cloud", {"additionalClusters": [{"cloud": "gcp", "name": "x"}]},
     "aiops:platform.additionalClusters[0]", "'gcp'"),
    ("allowed-regions-type", {"allowedRegions": "us-east-1"}, "aiops:platform.allowedRegions",
     "'us-east-1'"),
]


@pytest.mark.parametrize(("patch", "path", "value"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_platform_config(base_platform: dict[str, Any], patch: dict[str, Any], path: str,
                             value: str) -> None:
    raw = {**base_platform, **patch}
    with pytest.raises(ConfigError) as info:
        load_platform_config(raw)
    msg = str(info.value)
    line = next((ln for ln in msg.splitlines() if path in ln), None)
    assert line is not None, msg
    assert value in line, msg
    assert "Traceback" not in msg


def test_config_must_be_an_object() -> None:
    with pytest.raises(ConfigError, match=r"aiops:platform: \[1, 2\] is not allowed"):
        load_platform_config([1, 2])  # type: ignore[arg-type]


def test_missing_platform_config_is_reported_before_registration() -> None:
    from pulumi_aiops.builder import main

    with pytest.raises(ConfigError, match="aiops:platform: is required"):
        graph = run_program(main, {"aws:region": "us-east-1"})
        assert len(graph) == 0


def test_duplicate_cluster_names(base_platform: dict[str, Any]) -> None:
    raw = {**base_platform, "additionalClusters": [
        {"cloud": "coreweave", "name": "gpu"}, {"cloud": "aws", "name": "gpu"}]}
    with pytest.raises(ConfigError, match=r"additionalClusters\[1\]\.name: 'gpu' is already"):
        load_platform_config(raw)


def test_defaults_are_documented_and_applied(base_platform: dict[str, Any]) -> None:
    cfg = load_platform_config(base_platform)
    assert cfg.eks is None and cfg.coreweave is None and cfg.additional_clusters == []
    for name, field in PlatformConfig.model_fields.items():
        assert field.description, f"PlatformConfig.{name} has no description"
    assert cfg.governance.tags(cfg.environment)["data-classification"] == "internal"


def test_cli_reports_bad_config_without_traceback(tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((repo_root / "Pulumi.yaml").read_text())
    (tmp_path / "stacks" / "__main__.py").write_text((repo_root / "stacks" / "__main__.py").read_text())
    (tmp_path / "stacks" / "Pulumi.bad.yaml").write_text(
        "config:\n  aiops:platform:\n    governance: {owner: a, costCenter: b}\n"
        "    environment: qa\n")
    out = subprocess.run([sys.executable, "-m", "pulumi_aiops.cli", "plan", "--stack", "bad",
                          "--cwd", str(tmp_path), "--no-policy"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "aiops:platform.environment: 'qa' is not allowed" in out.stderr
    assert "Traceback" not in out.stderr and "Future exception" not in out.stderr
    assert out.stdout == ""


def test_every_config_field_is_documented_with_its_default() -> None:
    """terraform-aws-eks style: every input says what it does and its default."""
    import importlib
    import inspect

    from pulumi_aiops.config.base import AiopsModel

    problems = []
    for mod_name in ("platform", "governance", "eks", "coreweave", "gpu_spec", "workloads", "bedrock", "data"):
        mod = importlib.import_module(f"pulumi_aiops.config.{mod_name}")
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if not issubclass(cls, AiopsModel) or cls is AiopsModel or cls.__module__ != mod.__name__:
                continue
            for name, info in cls.model_fields.items():
                doc = info.description or ""
                if not doc or (not info.is_required() and "@default" not in doc):
                    problems.append(f"{cls.__name__}.{name}")
    assert problems == []


def test_configuration_reference_is_up_to_date(repo_root: Path) -> None:
    from pulumi_aiops.config.reference import render_markdown

    doc = (repo_root / "docs" / "configuration.md").read_text()
    assert doc == render_markdown(), (
        "docs/configuration.md is stale: python -m pulumi_aiops.config.reference > docs/configuration.md")
    assert "`aiops:platform.eks.gpuNodeGroups[].instanceType`" in doc
