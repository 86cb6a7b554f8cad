"""Helpers for CoreWeave tests: run a CoreWeaveGpuCluster (or the whole platform) under mocks."""

from __future__ import annotations

from typing import Any, cast

import pulumi

from pulumi_aiops.testing import RecordingMocks, ResourceGraph, run_program

TOKEN = "CW-SECRET-test-token-0123456789"
SECRET_CFG = {"coreweave:token": TOKEN}
SECRET_KEYS = {"coreweave:token"}

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}

POOL_H100: dict[str, Any] = {
    "name": "h100", "instanceType": "gd-8xh100ib-i128", "targetNodes": 1,
    "minNodes": 0, "maxNodes": 2, "autoscaling": "enabled",
}


class CountingMocks(RecordingMocks):
    """Mocks that count resource registrations (to prove errors come before any)."""

    def __init__(self) -> None:
        super().__init__()
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        self.registered.append(args.typ)
        return super().new_resource(args)


def run_cluster(args: dict[str, Any], *, name: str = "cw",
                config: dict[str, Any] | None = None,
                secret_keys: set[str] | None = None,
                mocks: RecordingMocks | None = None) -> ResourceGraph:
    from pulumi_aiops.coreweave_gpu_cluster import CoreWeaveGpuCluster

    def program() -> None:
        CoreWeaveGpuCluster(name, cast(Any, {"tags": TAGS, **args}))

    return run_program(program, SECRET_CFG if config is None else config,
                       secret_keys=SECRET_KEYS if secret_keys is None else secret_keys,
                       mocks=mocks)


def run_platform(platform: dict[str, Any], *, config: dict[str, Any] | None = None,
                 secret_keys: set[str] | None = None,
                 mocks: RecordingMocks | None = None) -> ResourceGraph:
    from pulumi_aiops.builder import main

    cfg = {"aws:region": "us-east-1", "aiops:platform": platform,
           **(SECRET_CFG if config is None else config)}
    return run_program(main, cfg, secret_keys=SECRET_KEYS if secret_keys is None else secret_keys,
                       mocks=mocks)


