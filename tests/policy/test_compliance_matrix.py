"""docs/compliance-matrix.md is generated from the rule library and kept in sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiops_policies import FRAMEWORKS, PACKS, RULES
from aiops_policies.matrix import render

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "docs" / "compliance-matrix.md"


def test_matrix_is_up_to_date() -> None:
    assert MATRIX.is_file(), "run: python -m aiops_policies.matrix > docs/compliance-matrix.md"
    assert MATRIX.read_text() == render(), (
        "docs/compliance-matrix.md is out of date; regenerate it with "
        "`python -m aiops_policies.matrix > docs/compliance-matrix.md`")


def test_matrix_lists_every_rule_and_framework() -> None:
    text = render()
    for r in RULES:
        assert f"`{r.name}`" in text
    for title, _version in FRAMEWORKS.values():
        assert f"## {title}" in text


def test_every_rule_maps_to_a_framework_control() -> None:
    unmapped = [r.name for r in RULES if not any(r.frameworks.values())]
    assert not unmapped
    unknown = {fw for r in RULES for fw in r.frameworks} - set(FRAMEWORKS)
    assert not unknown


@pytest.mark.parametrize("fw", sorted(FRAMEWORKS))
def test_every_framework_pack_holds_its_mapped_rules(fw: str) -> None:
    mapped = {r.name for r in RULES if fw in r.frameworks}
    assert mapped, f"no rule maps to {fw}"
    assert set(PACKS[fw].rules) == mapped


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_pack_folder_matches_its_spec(pack: str) -> None:
    import yaml

    folder = ROOT / "policy-packs" / pack
    meta = yaml.safe_load((folder / "PulumiPolicy.yaml").read_text())
    runtime = meta["runtime"]
    assert runtime == "python" or (runtime["name"] == "python" and runtime["options"]["virtualenv"])
    assert str(meta["version"]) == PACKS[pack].version
    assert f'serve("{pack}")' in (folder / "__main__.py").read_text()
