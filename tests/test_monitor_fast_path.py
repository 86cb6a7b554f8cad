"""``RecordingMonitor`` completes the SDK's serialization coroutine directly instead of pumping an
event loop per registration (issue 9): the graph of every shipped stack is identical either way,
and a coroutine that does suspend still completes, through the SDK's ``_sync_await``."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from pulumi_aiops.plan import find_project, plan_stack
from pulumi_aiops.testing import program
from pulumi_aiops.testing.program import RecordingMonitor, complete, run_program
from stack_plans import ROOT, STACKS, planned


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_stack_records_the_same_graph_either_way(stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = planned(stack).graph
    monkeypatch.setattr(RecordingMonitor, "complete_directly", False)
    sdk = plan_stack(find_project(ROOT), stack).graph  # the same program and config, the SDK's way
    assert len(fast.resources) == len(sdk.resources) > 0
    assert fast.fingerprint() == sdk.fingerprint()


def test_a_coroutine_that_never_suspends_completes_in_place() -> None:
    async def plain() -> int:
        return 42

    assert complete(plain()) == 42


def test_a_coroutine_that_suspends_falls_back_to_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = program._sync_await

    def spy(awaitable: Any) -> Any:
        calls.append(awaitable)
        return real(awaitable)

    monkeypatch.setattr(program, "_sync_await", spy)

    async def suspends() -> str:
        await asyncio.sleep(0)  # a bare yield
        fut = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(fut.set_result, "done")
        return await fut  # a future the driving task must wait for

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        assert complete(suspends()) == "done"
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert len(calls) == 1


def test_errors_come_through_both_ways() -> None:
    async def fails_at_once() -> None:
        raise ValueError("at once")

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise KeyError("later")

    with pytest.raises(ValueError, match="at once"):
        complete(fails_at_once())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with pytest.raises(KeyError, match="later"):
            complete(fails_later())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_the_collector_settings_come_back_after_a_run() -> None:
    before = (gc.isenabled(), gc.get_threshold())
    run_program(lambda: None)
    assert (gc.isenabled(), gc.get_threshold()) == before
