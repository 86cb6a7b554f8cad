"""Warnings of the configuration checks: shown by ``pulumi up`` and ``aiops plan``.

A check that finds something legal but almost certainly unintended (a model server on a GPU
pool whose ``maxNodes`` is 0) calls :func:`warn`. The message goes to the Pulumi engine's log
(``pulumi up``/``preview`` print it) and to every :func:`collecting` block, which is how
``aiops plan`` lists warnings and how ``aiops plan --strict`` turns them into errors::

    from pulumi_aiops import diagnostics

    with diagnostics.collecting() as warnings:
        graph = run_program(program, config)
    assert warnings == []

A warning with a ``key`` is given once per program run: the stack-config check and the
component it configures may both find the same problem, and the first message (the one with
the stack-config key path) is the one shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager

import pulumi

__all__ = ["collecting", "warn"]

_collectors: list[list[str]] = []
_seen: dict[int, set[Hashable]] = {}


def _run_id() -> int:
    """Identifies the current program run (its root stack resource), so keys do not leak between
    runs in one process (tests, ``aiops plan`` of several stacks)."""
    from pulumi.runtime.settings import get_root_resource

    root = get_root_resource()
    return id(root) if root is not None else 0


def warn(message: str, *, key: Hashable | None = None) -> None:
    """Report ``message`` as a warning (once per run for a given ``key``)."""
    if key is not None:
        seen = _seen.setdefault(_run_id(), set())
        if key in seen:
            return
        seen.add(key)
    for sink in _collectors:
        sink.append(message)
    pulumi.log.warn(message)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the warnings given inside the block into the yielded list."""
    sink: list[str] = []
    _collectors.append(sink)
    try:
        yield sink
    finally:
        _collectors.remove(sink)
