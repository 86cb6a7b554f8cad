"""Shared fixtures. Every test that runs a program goes through ``run_program``, which sets the
mocks itself (``set_mocks`` is global), so tests do not leak state into each other."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

BASE_PLATFORM: dict[str, Any] = {
    "environment": "dev",
    "governance": {"owner": "ml-platform", "costCenter": "cc-1", "dataClassification": "internal"},
}


@pytest.fixture
def base_platform() -> dict[str, Any]:
    """A minimal valid ``aiops:platform`` value (a fresh copy per test)."""
    return copy.deepcopy(BASE_PLATFORM)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
