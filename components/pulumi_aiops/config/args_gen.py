"""Generate ``pulumi_aiops/args.py``: the public ``…Args`` TypedDicts, from the pydantic models.

Each component's arguments are defined once, as a pydantic model in :mod:`pulumi_aiops.config`
(the same model validates stack config). This module renders those models as ``TypedDict``\\ s,
the shape Python users type-check against and Pulumi's component provider infers a schema
from. Field docstrings are the models' descriptions (with their ``@default``); wiring fields
(:data:`~pulumi_aiops.config.base.Wired`) become ``pulumi.Input[...]``; component references
(``pydantic.InstanceOf[X]``) keep their class.

Regenerate after changing a model (``--write`` renders first, then replaces the file; a shell
redirect would empty ``args.py`` before the component modules that import it are loaded)::

    python -m pulumi_aiops.config.args_gen --write

A test fails when the file is stale.

Naming: a model's TypedDict is named by ``model_config["title"]`` when set (use it to avoid
clashes, e.g. ``ConfigDict(title="EksNetworkArgs")``), else by its class name with a trailing
``Config``/``Spec``/``Model`` replaced by ``Args``.
"""

from __future__ import annotations

import enum
import importlib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pulumi_aiops.config.base import wired_inner

__all__ = ["COMPONENT_ARGS", "args_name", "render"]

#: Public Args name → ``"module:Model"`` of the pydantic model that defines it. Order is kept.
COMPONENT_ARGS: dict[str, str] = {
    "EksGpuClusterArgs": "pulumi_aiops.config.eks:EksClusterConfig",
    "VpcArgs": "pulumi_aiops.config.eks_pieces:VpcConfig",
    "EksControlPlaneArgs": "pulumi_aiops.config.eks_pieces:EksControlPlaneConfig",
    "GpuNodeGroupArgs": "pulumi_aiops.config.eks_pieces:GpuNodeGroupPieceConfig",
    "SystemNodeGroupArgs": "pulumi_aiops.config.eks_pieces:SystemNodeGroupPieceConfig",
    "ClusterAutoscalerArgs": "pulumi_aiops.config.eks_pieces:ClusterAutoscalerConfig",
    "NvidiaDevicePluginArgs": "pulumi_aiops.config.eks_pieces:NvidiaDevicePluginConfig",
    "GpuOperatorArgs": "pulumi_aiops.config.eks_pieces:GpuOperatorPieceConfig",
    "EfaDevicePluginArgs": "pulumi_aiops.config.eks_pieces:EfaDevicePluginConfig",
    "EfsModelCacheArgs": "pulumi_aiops.config.eks_pieces:EfsModelCachePieceConfig",
    "CoreWeaveGpuClusterArgs": "pulumi_aiops.config.coreweave:CoreWeaveClusterConfig",
    "ModelServerArgs": "pulumi_aiops.config.workloads:ModelServerArgsModel",
    "ModelRegistryArgs": "pulumi_aiops.model_registry:ModelRegistryArgsModel",
    "KedaArgs": "pulumi_aiops.workloads.serving_addons:KedaArgsModel",
    "LeaderWorkerSetControllerArgs": "pulumi_aiops.workloads.serving_addons:LeaderWorkerSetControllerArgsModel",
    "DataLakeArgs": "pulumi_aiops.data_lake:DataLakeArgsModel",
    "VectorStoreArgs": "pulumi_aiops.vector_store:VectorStoreArgsModel",
    "FeatureStoreArgs": "pulumi_aiops.feature_store:FeatureStoreArgsModel",
    "BedrockAccessArgs": "pulumi_aiops.bedrock_access:BedrockAccessArgsModel",
    "KnowledgeBaseArgs": "pulumi_aiops.knowledge_base:KnowledgeBaseArgsModel",
    "LlmGatewayArgs": "pulumi_aiops.config.gateway:LlmGatewayArgsModel",
    "ObservabilityArgs": "pulumi_aiops.config.observability:ObservabilityArgsModel",
    "AwsMonitoringArgs": "pulumi_aiops.config.observability:AwsMonitoringArgsModel",
}

_SUFFIXES = ("Config", "Spec", "Model")


def args_name(model: type[BaseModel]) -> str:
    """The TypedDict name of ``model``."""
    title = model.model_config.get("title")
    if title:
        return str(title)
    name = model.__name__
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "Args"
    return name + "Args"


def _load(ref: str) -> type[BaseModel]:
    module, _, attr = ref.partition(":")
    model = getattr(importlib.import_module(module), attr)
    assert isinstance(model, type) and issubclass(model, BaseModel), ref
    return model


class _Renderer:
    def __init__(self) -> None:
        self.classes: dict[str, str] = {}  # TypedDict name -> source
        self.owners: dict[str, type[BaseModel]] = {}
        self.imports: dict[str, dict[str, bool]] = {}  # module -> {name: needed at run time}
        self.order: list[str] = []
        self.uses_any = False
        self.uses_input = False

    def _import(self, obj: type, *, runtime: bool) -> str:
        names = self.imports.setdefault(obj.__module__, {})
        names[obj.__name__] = names.get(obj.__name__, False) or runtime
        return obj.__name__

    def type_of(self, ann: Any) -> str:
        inner = wired_inner(ann)
        if inner is not None:
            self.uses_input = True
            return f"pulumi.Input[{self.type_of(inner)}]"
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            base, *meta = typing.get_args(ann)
            # A field type may name the type its Args show (e.g. a workload's ``cluster`` field
            # validates a GpuCluster or a ref, and shows the ``GpuClusterLike`` protocol).
            shown = next((m.args_type for m in meta if isinstance(getattr(m, "args_type", None), type)), None)
            if shown is not None:
                return self._import(shown, runtime=True)
            return self.type_of(base)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if len(args) == 1:
                return self.type_of(args[0])
            raise TypeError(f"union {ann!r} cannot be an Args field (the component schema has no unions)")
        if origin is typing.Literal:
            values = typing.get_args(ann)
            return type(values[0]).__name__
        if origin in (list, tuple, set, frozenset):
            (item,) = [a for a in typing.get_args(ann) if a is not Ellipsis][:1]
            return f"list[{self.type_of(item)}]"
        if origin is dict:
            k, v = typing.get_args(ann)
            return f"dict[{self.type_of(k)}, {self.type_of(v)}]"
        if ann is Any:
            self.uses_any = True
            return "Any"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return self.model(ann)
        if isinstance(ann, type) and issubclass(ann, enum.Enum):
            return self._import(ann, runtime=True)
        if ann in (str, int, float, bool):
            return ann.__name__
        if isinstance(ann, type):  # a component class (pydantic.InstanceOf[...])
            return f'"{self._import(ann, runtime=False)}"'
        raise TypeError(f"cannot render {ann!r} as an Args field type")

    def model(self, model: type[BaseModel]) -> str:
        name = args_name(model)
        owner = self.owners.get(name)
        if owner is not None:
            if owner is not model:
                raise TypeError(f"{model.__module__}.{model.__name__} and {owner.__module__}.{owner.__name__} "
                                f"both render as {name}; give one a model_config title")
            return name
        self.owners[name] = model
        lines: list[str] = []
        for field, info in model.model_fields.items():
            lines.append(self._field(field, info))
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name
        body = "\n".join(lines) if lines else "    pass"
        self.classes[name] = f'class {name}(TypedDict, total=False):\n    """{doc}"""\n\n{body}\n'
        self.order.append(name)
        return name

    def _field(self, field: str, info: FieldInfo) -> str:
        # pydantic moves the metadata of a top-level ``Annotated`` (``Wired[T]``) to ``metadata``.
        ann: Any = info.annotation
        if info.metadata:
            ann = typing.Annotated[(ann, *info.metadata)]
        typ = self.type_of(ann)
        if info.is_required():
            typ = f"Required[{typ}]"
        desc = (info.description or "").strip().replace('"""', "'''").replace("\\", "\\\\")
        if info.is_required() and "Required" not in desc:
            desc = f"{desc} Required.".strip()
        return f'    {field}: {typ}\n    """{desc}"""'


def render() -> str:
    """The source of ``pulumi_aiops/args.py``."""
    r = _Renderer()
    for public, ref in COMPONENT_ARGS.items():
        model = _load(ref)
        got = r.model(model)
        if got != public:
            raise TypeError(f"{ref} renders as {got}, registered as {public}; set its model_config title")
    head = [
        '"""The public arguments of every pulumi-aiops component, as TypedDicts.',
        "",
        "Generated from the pydantic models in :mod:`pulumi_aiops.config` by",
        "``python -m pulumi_aiops.config.args_gen --write``; do not edit.",
        "Keys are snake_case (camelCase is accepted too); ``pulumi.Input`` fields take outputs of",
        "your own resources. Each component validates its args before it registers anything.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "# No `from __future__ import annotations`: Pulumi's schema inference reads these annotations",
        "# as objects at run time.",
        "from typing import {typing_names}",
        "",
        "{import_pulumi}",
    ]
    runtime_imports: list[str] = []
    typing_imports: list[str] = []
    def line(module: str, names: list[str]) -> str:
        return f"from {module} import " + (names[0] if len(names) == 1 else
                                           "(\n" + "".join(f"    {n},\n" for n in names) + ")")

    for module in sorted(r.imports):
        now = sorted(n for n, runtime in r.imports[module].items() if runtime)
        later = sorted(n for n, runtime in r.imports[module].items() if not runtime)
        if now:
            runtime_imports.append(line(module, now))
        if later:
            typing_imports.append(line(module, later))
    head += runtime_imports
    if typing_imports:
        indented = ["\n".join(f"    {x}" for x in line.splitlines()) for line in typing_imports]
        head += ["", "if TYPE_CHECKING:", *indented]
    names = sorted(r.order)
    head += ["", "__all__ = [", *[f'    "{n}",' for n in names], "]", "", ""]
    # Nested types come before the types that use them: fields are rendered (and their models
    # appended to ``order``) before the model that holds them.
    body = "\n\n".join(r.classes[n] for n in r.order)
    wanted = {"TypedDict"}
    if typing_imports:
        wanted.add("TYPE_CHECKING")
    if "Required[" in body:
        wanted.add("Required")
    if r.uses_any:
        wanted.add("Any")
    text = "\n".join(head).replace("{import_pulumi}\n", "import pulumi\n\n" if r.uses_input else "") + body
    return text.replace("{typing_names}", ", ".join(sorted(wanted, key=lambda n: (n != "TYPE_CHECKING", n))))


def write() -> Path:
    """Render, then write ``pulumi_aiops/args.py`` (rendering imports the component modules, which
    import ``args.py``: so never truncate it before the new text is ready)."""
    target = Path(__file__).resolve().parent.parent / "args.py"
    text = render()
    target.write_text(text)
    return target


if __name__ == "__main__":
    import sys

    if "--write" in sys.argv[1:]:
        print(f"wrote {write()}")
    else:
        print(render(), end="")
