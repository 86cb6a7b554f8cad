"""Shared pydantic base for configuration models, and error formatting.

Configuration arrives from Pulumi stack config in camelCase (``gpuNodeGroups``); the models
use snake_case attributes with camelCase aliases. Validation errors are turned into
:class:`~pulumi_aiops.errors.ConfigError` messages that name the full key path.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, Union

import pulumi
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

from pulumi_aiops.errors import ConfigError

__all__ = [
    "CLOUDWATCH_RETENTION_DAYS",
    "AiopsModel",
    "ConfigValueError",
    "Wired",
    "component_args",
    "config_error_from_validation",
    "is_known",
    "refuse_ignored",
    "validate_model",
]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

#: Retention values (days) the CloudWatch Logs API accepts.
CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
_UNSET: Any = object()


class ConfigValueError(ValueError):
    """Raise from a validator to report a problem at a sub-path, with the value received.

    ``msg`` reads after the value, e.g. ``"is not a GPU instance type this library knows;
    known: g5.xlarge, …"``. ``loc`` is relative to the model being validated, in the
    config's camelCase spelling, e.g. ``("gpuNodeGroups", 0, "desiredSize")``.

    Example::

        raise ConfigValueError("must lie within minNodes..maxNodes (0..4)",
                               loc=("nodePools", 1, "targetNodes"), value=7)
    """

    def __init__(self, msg: str, *, loc: tuple[int | str, ...] = (), value: Any = _UNSET):
        super().__init__(msg)
        self.msg = msg
        self.loc = loc
        self.value = value


def is_known(value: Any) -> bool:
    """False for a Pulumi ``Output`` or awaitable (a value another resource will produce).

    Validators of :data:`Wired` fields check formats only on known values::

        @field_validator("vpc_id")
        @classmethod
        def _vpc(cls, v):
            if is_known(v) and v is not None and not _VPC_RE.match(v):
                raise ValueError("is not a VPC id (vpc-0123456789abcdef0)")
            return v
    """
    return not isinstance(value, pulumi.Output) and not inspect.isawaitable(value)


class _WiredMarker:
    """pydantic schema of a :data:`Wired` field: an ``Output``/awaitable passes through, a plain
    value is validated as ``inner``. ``inner`` is kept for the Args generator and the docs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        inner_schema = handler.generate_schema(self.inner)

        def wrap(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
            return value if not is_known(value) else validate(value)

        return core_schema.no_info_wrap_validator_function(wrap, inner_schema)

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> Any:
        return handler(schema)


if TYPE_CHECKING:
    #: A field that wires in something created elsewhere: a plain value, or a Pulumi ``Output``
    #: (``pulumi.Input[T]``), e.g. ``vpc_id: Wired[str] | None``. Format checks run on plain
    #: values (see :func:`is_known`); the Args generator renders it as ``pulumi.Input[T]``.
    Wired: TypeAlias = Union[T, pulumi.Output[T]]  # noqa: UP007 (a generic alias needs Union)
else:

    class Wired:
        """``Wired[T]``: a plain ``T`` or a Pulumi ``Output`` of one (``pulumi.Input[T]``)."""

        def __class_getitem__(cls, inner: Any) -> Any:
            from typing import Annotated

            return Annotated[Any, _WiredMarker(inner)]


def wired_inner(annotation: Any) -> Any | None:
    """The ``T`` of a ``Wired[T]`` annotation, else ``None``."""
    import typing

    if typing.get_origin(annotation) is typing.Annotated:
        for meta in typing.get_args(annotation)[1:]:
            if isinstance(meta, _WiredMarker):
                return meta.inner
    return None


class AiopsModel(BaseModel):
    """Base of every config model: camelCase aliases, unknown keys rejected, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_enum_values=False,
        str_strip_whitespace=True,
    )


def refuse_ignored(model: BaseModel, fields: tuple[str, ...], why: str) -> None:
    """Raise :class:`ConfigValueError` for the first of ``fields`` given explicitly on ``model``:
    a setting another setting makes moot, which would otherwise be silently ignored.

    ``why`` reads after "is ignored", e.g. ``"with vpcId: no VPC is created; remove it"``::

        if self.vpc_id is not None:
            refuse_ignored(self, ("cidr", "nat_gateways"), "with vpcId: no VPC is created; remove it")
    """
    for name in fields:
        if name not in model.model_fields_set:
            continue
        alias = type(model).model_fields[name].alias or name
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json", by_alias=True)
        elif isinstance(value, list):
            value = [v.model_dump(mode="json", by_alias=True) if isinstance(v, BaseModel) else v for v in value]
        raise ConfigValueError(f"is ignored {why}", loc=(alias,), value=value)


#: Discriminator tag values of tagged unions; pydantic puts them in error locations after a
#: list index, but they are not config keys. Modules defining tagged unions add theirs.
UNION_TAGS: set[str] = {"aws", "coreweave"}


def _render_path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    prev: int | str | None = None
    for part in loc:
        skip_tag = isinstance(prev, int) and part in UNION_TAGS
        prev = part
        if skip_tag:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "tagged-union[")) or part in {"list", "dict"}:
            # pydantic inserts validator/union names into loc; they are not config keys.
            continue
        else:
            out += f".{part}" if out else part
    return out


def _unwrap(ann: Any) -> tuple[Any, list[Any]]:
    """``ann`` without ``Annotated``/``Optional`` layers, and the metadata met on the way."""
    import typing

    meta: list[Any] = []
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            ann, *more = typing.get_args(ann)
            meta.extend(more)
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if len(args) != 1:
                return ann, meta
            ann = args[0]
        else:
            return ann, meta


def _models_in(ann: Any) -> list[type[BaseModel]]:
    import typing

    ann, meta = _unwrap(ann)
    wired = next((m.inner for m in meta if isinstance(m, _WiredMarker)), None)
    if wired is not None:
        return _models_in(wired)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(ann) for m in _models_in(a)]
    return []


def _element(ann: Any, index: bool) -> Any:
    """The item type of a list (``index``) or the value type of a dict, else ``ann`` itself."""
    import typing

    ann, meta = _unwrap(ann)
    wired = next((m.inner for m in meta if isinstance(m, _WiredMarker)), None)
    if wired is not None:
        return _element(wired, index)
    origin = typing.get_origin(ann)
    if index and origin in (list, tuple, set, frozenset):
        return typing.get_args(ann)[0]
    if not index and origin is dict:
        return typing.get_args(ann)[1]
    return ann


def camel_loc(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``loc`` with every field of ``model`` (and its nested models) spelled by its camelCase
    alias, whichever spelling the caller used; dict keys and unknown keys stay as given."""
    out: list[int | str] = []
    ann: Any = model
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            ann = _element(ann, index=True)
            continue
        hit = None
        for m in _models_in(ann):
            info = m.model_fields.get(part) or next(
                (f for f in m.model_fields.values() if f.alias == part), None)
            if info is not None:
                hit = (info.alias or part, info)
                break
        if hit is None:
            out.append(part)
            if not _models_in(ann):
                ann = _element(ann, index=False)
            continue
        out.append(hit[0])
        info = hit[1]
        ann = typing_annotated(info.annotation, info.metadata)
    return tuple(out)


def typing_annotated(ann: Any, metadata: list[Any]) -> Any:
    """``Annotated[ann, *metadata]`` (pydantic moves a top-level ``Annotated``'s metadata off the
    annotation), or ``ann`` when there is none."""
    import typing

    return typing.Annotated[(ann, *metadata)] if metadata else ann


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def config_error_from_validation(prefix: str, exc: ValidationError,
                                 model: type[BaseModel] | None = None) -> ConfigError:
    """Turn a pydantic ``ValidationError`` into a :class:`ConfigError` naming each key path
    (camelCase, whether the caller wrote ``gpu_node_groups`` or ``gpuNodeGroups``)."""
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _render_path(prefix, camel_loc(model, loc) if model is not None else loc)
        msg = str(err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigValueError):
            full = loc + tuple(cause.loc)
            path = _render_path(prefix, camel_loc(model, full) if model is not None else full)
            value = err["input"] if cause.value is _UNSET else cause.value
            problems.append(f"{path}: {_short(value)} {cause.msg}")
        elif err["type"] == "value_error":
            problems.append(f"{path}: {_short(err['input'])} {msg}")
        elif err["type"] == "missing":
            problems.append(f"{path}: is required but missing")
        elif err["type"] == "extra_forbidden":
            problems.append(f"{path}: unknown key (value {_short(err['input'])}); check the spelling")
        else:
            problems.append(f"{path}: {_short(err['input'])} is not allowed; {msg}")
    return ConfigError(problems)


def component_args(model: type[M], args: Any, where: str, defaults: dict[str, Any] | None = None) -> M:
    """A component's ``args`` as its validated model: the model itself as given (the builder passes
    validated ones), or a mapping validated with ``defaults`` under it (e.g. ``{"name": name}``),
    errors prefixed ``where`` (``DataLake('lake')``). ``None`` reads as no args. Example::

        cfg = component_args(DataLakeArgsModel, args, f"DataLake({name!r})")
    """
    if isinstance(args, model):
        return args
    if args is not None and not isinstance(args, Mapping):
        raise ConfigError(f"{where}: args must be a mapping ({args_name_of(model)}), got {type(args).__name__}")
    return validate_model(model, {**(defaults or {}), **dict(args or {})}, where)


def args_name_of(model: type[BaseModel]) -> str:
    """The public Args name of ``model`` (its ``title``, else its class name)."""
    return str(model.model_config.get("title") or model.__name__)


def validate_model(model: type[M], data: Any, prefix: str) -> M:
    """Validate ``data`` into ``model``; raise :class:`ConfigError` with key paths on failure.

    ``prefix`` is the key path of ``data`` itself, e.g. ``"aiops:platform"`` or
    ``"EksGpuClusterArgs"`` for component arguments.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error_from_validation(prefix, exc, model) from None
