"""Run a Pulumi program offline under mocks and record the resource graph it registers."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pulumi
import pulumi.runtime
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, _resolve_callbacks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from pulumi_aiops.stack_file import OFFLINE_SECRET
from pulumi_aiops.testing.graph import ROOT_STACK_TYPE, AliasSpec, RecordedResource, ResourceGraph, new_urn
from pulumi_aiops.testing.mocks import RecordingMocks

__all__ = ["OFFLINE_SECRET", "RecordingMonitor", "complete", "load_stack_config", "run_program"]

T = TypeVar("T")
#: The collector's thresholds during a run: a young collection every 10,000 net allocations,
#: the middle generation every 20 of them, the old generation never (see run_program).
_RUN_GC_THRESHOLD = (10_000, 20, 1_000_000_000)


def _strip_id(ref: str) -> str | None:
    if not ref:
        return None
    return ref.rsplit("::", 1)[0] if ref.count("::") > 3 else ref


def _alias_spec(alias: Any) -> AliasSpec:
    """An ``Alias`` protobuf (``urn`` or ``spec``) as an :class:`AliasSpec`."""
    if alias.WhichOneof("alias") == "urn":
        return AliasSpec(urn=alias.urn)
    spec = alias.spec
    which = spec.WhichOneof("parent")
    return AliasSpec(
        name=spec.name, type=spec.type, project=spec.project, stack=spec.stack,
        parent=spec.parentUrn if which == "parentUrn" else "",
        no_parent=bool(spec.noParent) if which == "noParent" else False,
    )


def _rest(coro: Coroutine[Any, Any, T], first: Any) -> Generator[Any, Any, T]:
    """The rest of a coroutine that has suspended once, yielding ``first``: every later yield
    and send passes through unchanged, so the task that drives it sees what the coroutine
    awaits (the future, its ``_asyncio_future_blocking`` flag) as if it drove the coroutine
    from the start."""
    yielded = first
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # thrown in by the task (cancellation): hand it on
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
            continue
        try:
            yielded = coro.send(sent)
        except StopIteration as stop:
            return stop.value


class _Resumed(Awaitable[T]):
    def __init__(self, coro: Coroutine[Any, Any, T], first: Any) -> None:
        self._coro, self._first = coro, first

    def __await__(self) -> Generator[Any, Any, T]:
        return _rest(self._coro, self._first)


def complete(coro: Coroutine[Any, Any, T]) -> T:
    """``coro``'s result: computed right here when it never suspends, as
    ``rpc.serialize_properties`` of a mock's plain state does not; if it does suspend, what is
    left runs through the SDK's ``_sync_await`` (which pumps an event loop until it is done),
    exactly as the SDK would have run it.

    The SDK's ``MockMonitor.RegisterResource`` passes that coroutine to ``_sync_await`` on every
    registration, which runs an event loop until it is done: 2.2 ms (1,000 resources) to 3.0 ms
    (5,000) of wall time per registration measured here, against 0.55 to 0.67 ms completed
    directly (issue 9). No value changes: the tests compare the graphs of both ways."""
    try:
        first = coro.send(None)
    except StopIteration as stop:
        return stop.value
    return _sync_await(_Resumed(coro, first))


class RecordingMonitor(MockMonitor):
    """A mock resource monitor that also records each registration's resource options.

    It sees the real ``RegisterResourceRequest`` the SDK sends to the engine, so ``protect``,
    ``retainOnDelete``, ``dependencies``, ``ignoreChanges``, the parent and the aliases are
    exactly what a live ``pulumi up`` would receive.

    Two things follow the engine rather than the SDK's plain ``MockMonitor``:

    * **URNs.** The engine builds a URN from the parent's whole qualified type, and leaves the
      root stack out (``…::aiops:eks:EksGpuCluster::eks``, ``…::aiops:eks:EksGpuCluster$aws:eks/
      cluster:Cluster::eks``); ``MockMonitor`` keeps only the parent's last type and writes the
      stack type in (``…::pulumi:pulumi:Stack$aiops:eks:EksGpuCluster::eks``). An alias is
      checked against the URNs a real stack holds, so the graph uses the engine's.
    * **Aliases.** The mock monitor advertises ``aliasSpecs``, as the engine does, so the SDK
      sends each alias as a spec (``{name, type, stack, project, parentUrn | noParent}``) or a
      URN and leaves parent-inherited aliases to the engine. Each is resolved to the URN it
      stands for as the engine does (``RecordedResource.aliases``); inherited ones come from
      :meth:`ResourceGraph.alias_urns`.
    """

    #: Complete the SDK's serialization coroutines directly (:func:`complete`) instead of
    #: pumping an event loop per registration; ``False`` runs the SDK's own ``RegisterResource``
    #: (the tests compare the two graphs).
    complete_directly: bool = True

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.records: dict[str, RecordedResource] = {}
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self.stack_urn: str | None = None

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives a resource (``Deployment.generateURN``)."""
        stack, project = pulumi.get_stack(), pulumi.get_project()
        parent_type = parent[len("urn:pulumi:"):].split("::", 3)[2] if parent else ""
        return new_urn(stack, project, parent_type, type_, name)

    def _register(self, request: Any) -> Any:
        """``MockMonitor.RegisterResource`` (pulumi 3.x), with its ``_sync_await`` replaced by
        :func:`complete`."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == ROOT_STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()  # deserializing resource references needs a loop on this thread
        inputs = rpc.deserialize_properties(request.object)
        resource_args = MockResourceArgs(
            typ=request.type, name=request.name, inputs=inputs, provider=request.provider,
            resource_id=request.importId, custom=request.custom or False,
            transforms=_resolve_callbacks(request.transforms),
        )
        id_: Any
        id_, state = self.mocks.new_resource(resource_args)
        obj_proto = complete(rpc.serialize_properties(state, {}))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj_proto)

    def RegisterResource(self, request: Any) -> Any:
        response = self._register(request) if self.complete_directly else super().RegisterResource(request)
        urn = response.urn
        if request.type == ROOT_STACK_TYPE:
            self.stack_urn = urn
            return response
        reg = self.resources.get(urn)
        inputs = rpc.deserialize_properties(request.object)
        # The engine reads aliasURNs first, then aliases (resmon.RegisterResource).
        specs = tuple(AliasSpec(urn=u) for u in request.aliasURNs) + tuple(
            _alias_spec(a) for a in request.aliases)
        stack, project = urn[len("urn:pulumi:"):].split("::", 2)[:2]
        parent = request.parent or None
        aliases = dict.fromkeys(s.collapse(request.name, request.type, parent, project, stack) for s in specs)
        self.records[urn] = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            id=reg.id if reg is not None and request.custom else None,
            parent=parent,
            provider=_strip_id(request.provider),
            inputs=_plain(inputs),
            outputs=_plain(reg.state) if reg is not None else {},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            depends_on=tuple(sorted(set(request.dependencies))),
            property_dependencies={
                k: tuple(sorted(set(v.urns))) for k, v in sorted(request.propertyDependencies.items())
            },
            ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            aliases=tuple(aliases),
            alias_specs=specs,
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = _plain(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    return value


def load_stack_config(path: str | Path, project: str = "aiops") -> tuple[dict[str, Any], set[str]]:
    """Read ``Pulumi.<stack>.yaml``; return ``(config, secret_keys)``.

    Keys without a namespace get ``project`` as namespace, as the CLI does. ``secure:``
    values cannot be decrypted offline and read as :data:`OFFLINE_SECRET`. A broken file raises
    :class:`~pulumi_aiops.stack_file.StackFileError` (see :func:`~pulumi_aiops.stack_file.read_stack_file`).
    """
    from pulumi_aiops.stack_file import read_stack_file

    return read_stack_file(path, project=project)


def _silence_asyncio(loop: asyncio.AbstractEventLoop) -> None:
    """Keep 'Future exception was never retrieved' from flooding stderr after a failed run."""

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is None:
            _loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def run_program(
    program: Callable[[], Any],
    stack_config: Mapping[str, Any] | None = None,
    *,
    project: str = "aiops",
    stack: str = "dev",
    mocks: pulumi.runtime.Mocks | None = None,
    secret_keys: set[str] | None = None,
    preview: bool = False,
) -> ResourceGraph:
    """Run ``program`` under mocks with ``stack_config`` and return the :class:`ResourceGraph`.

    ``stack_config`` maps full keys (``"aws:region"``, ``"aiops:platform"``) to values;
    structured values (dicts, lists) are passed as JSON, as the CLI does. An exception the
    program raises (for instance a :class:`~pulumi_aiops.errors.ConfigError`) is re-raised.

    Example::

        from pulumi_aiops.testing import run_program

        def program():
            EksGpuCluster("gpu", {"gpu_node_groups": [{"name": "a10g", "instance_type": "g5.2xlarge"}]})

        graph = run_program(program, {"aws:region": "us-east-1"})
        assert graph.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]["endpointPublicAccess"] is False
    """
    cfg = dict(stack_config or {})
    region = str(cfg.get("aws:region", "us-east-1"))
    mocks = mocks if mocks is not None else RecordingMocks(region=region)
    monitor = RecordingMonitor(mocks)

    # Provider SDK modules leave hundreds of thousands of long-lived objects on the heap, and
    # lazily imported ones arrive during the run: a full collection would rescan them over and
    # over. Freeze what exists and collect only the young generations during the run: the
    # short-lived cycles of every registration (tasks, frames, protobuf wrappers) are freed as
    # the program goes (a 10,000-resource stack peaks about 20% lower than with the collector
    # off), while nothing rescans the growing old generation. Restored after the run.
    gc.freeze()
    gc_was_enabled = gc.isenabled()
    gc_threshold = gc.get_threshold()
    gc.set_threshold(*_RUN_GC_THRESHOLD)
    gc.enable()
    loop = asyncio.new_event_loop()
    _silence_asyncio(loop)
    asyncio.set_event_loop(loop)
    logging.getLogger("pulumi").setLevel(logging.CRITICAL)
    try:
        settings.SETTINGS.rpc_manager.clear()
        settings.SETTINGS.outputs.clear()
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview,
                                 monitor=monitor)
        # run_in_stack registers this run's own Stack: drop any root left by set_mocks or an
        # earlier run.
        settings.set_root_resource(None)  # type: ignore[arg-type]
        pulumi.runtime.set_all_config(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in cfg.items()},
            sorted(secret_keys or ()),
        )
        loop.run_until_complete(run_in_stack(program))
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()
        gc.set_threshold(*gc_threshold)
        if not gc_was_enabled:
            gc.disable()
    stack_outputs = monitor.registered_outputs.get(monitor.stack_urn or "", {})
    component_outputs = {u: o for u, o in monitor.registered_outputs.items() if u != monitor.stack_urn}
    return ResourceGraph(monitor.records.values(), stack_outputs, component_outputs)
