"""The benchmarks measure what they say: ``eval_stacks.py``'s import floor holds the class of
every resource a shipped stack registers, and ``eval_scale.py``'s synthetic stacks have the
sizes it prints."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from stack_plans import STACKS, planned

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_floor_maps_kubernetes_groups_to_their_modules() -> None:
    bench = _load("eval_stacks")
    assert bench.provider_modules(["kubernetes:storage.k8s.io/v1:StorageClass"]) == [
        "pulumi_kubernetes.storage.v1"]
    assert bench.provider_modules(["kubernetes:networking.k8s.io/v1:NetworkPolicy",
                                   "kubernetes:compute.coreweave.com/v1alpha1:NodePool"]) == [
        "pulumi_kubernetes.apiextensions", "pulumi_kubernetes.networking.v1"]
    assert bench.provider_modules([], ["aws:ssm/getParameter:getParameter",
                                       "aws:index/getCallerIdentity:getCallerIdentity"]) == [
        "pulumi_aws", "pulumi_aws.ssm"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_floor_holds_the_class_of_every_resource_of_the_stack(stack: str) -> None:
    bench = _load("eval_stacks")
    types = sorted({r.type for r in planned(stack).graph if r.custom})
    mods = bench.provider_modules(types)
    for t in types:
        if t.startswith("pulumi-python:dynamic"):
            assert "pulumi.dynamic" in mods
            continue
        cls = t.rsplit(":", 1)[-1] if not t.startswith("pulumi:providers:") else "Provider"
        homes = [m for m in mods if hasattr(importlib.import_module(m), cls)]
        crd = t.startswith("kubernetes:") and t not in bench._registered("pulumi_kubernetes")[0]
        if not homes and crd:  # a custom resource: pulumi_kubernetes.apiextensions.CustomResource
            homes = [m for m in mods if hasattr(importlib.import_module(m), "CustomResource")]
        assert homes, f"{t}: no floor module defines {cls} ({', '.join(mods)})"


def test_the_scale_benchmark_grows_by_its_unit() -> None:
    bench = _load("eval_scale")
    small, more = bench.child(0, 1, False), bench.child(3, 1, False)
    assert more["resources"] - small["resources"] == 3 * bench.PER_SERVER
    assert more["peakRss"] > 0 and more["eval"] > 0
