"""Read a ``Pulumi.<stack>.yaml`` strictly: a broken file is a clear error, never a traceback.

The Pulumi CLI reads stack files itself on ``pulumi up``; ``aiops plan`` and the test harness
read them here, and refuse what the CLI would refuse or silently misread:

* a YAML syntax error (a tab in the indentation, an unclosed bracket, …), reported with the
  file name, line and column where YAML found it;
* a key given twice in one mapping (YAML's "last one wins" would silently drop the first);
* a top level that is not a mapping, ``config:`` that is not a mapping, or ``aiops:platform``
  that is not a mapping;
* a key under the ``aiops:`` namespace other than ``aiops:platform`` (a typo there would
  otherwise be lost), unless the platform config names it (``tokenConfigKey``).

Example::

    from pulumi_aiops.stack_file import read_stack_file

    config, secret_keys = read_stack_file("stacks/Pulumi.dev.yaml", project="aiops")
    config["aiops:platform"]["environment"]   # 'dev'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from pulumi_aiops.errors import AiopsError

__all__ = ["OFFLINE_SECRET", "StackFileError", "read_stack_file"]

#: What a ``secure:`` config value reads as offline, where it cannot be decrypted.
OFFLINE_SECRET = "offline-placeholder-secret"
_PLATFORM_KEY = "platform"


class StackFileError(AiopsError):
    """A stack file that is not valid YAML, or not a Pulumi stack config."""


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys and remembers where each mapping key stands."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # the base class reports unhashable keys itself
            if key in seen:
                first = seen[key].start_mark
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"key {key!r} is given twice in the same mapping (first on line {first.line + 1}); "
                    "remove one of them",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _where(path: Path, mark: Any) -> str:
    try:
        shown: Path | str = path.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = path
    if mark is None:
        return str(shown)
    return f"{shown}:{mark.line + 1}:{mark.column + 1}"


def _locate(text: str, *keys: str, key_mark: bool = False) -> Any:
    """The start mark of the value at ``keys`` (a path of mapping keys), or of its key with
    ``key_mark``; ``None`` when not found."""
    try:
        node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    key_node: Any = node
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        key_node, node = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), (None, None))
        if node is None:
            return None
    return (key_node if key_mark else node).start_mark


def _strings_named(value: Any, key: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _strings_named(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _strings_named(v, key)


def read_stack_file(path: str | Path, project: str = "aiops") -> tuple[dict[str, Any], set[str]]:
    """Read a stack file; return ``(config, secret_keys)``.

    Keys without a namespace get ``project`` as namespace, as the CLI does. ``secure:`` values
    cannot be decrypted offline and read as :data:`OFFLINE_SECRET`. Raises
    :class:`StackFileError` naming the file (and line and column where known).
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise StackFileError(f"{_where(path, None)}: cannot be read: {exc.strerror or exc}") from None
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "\\t" in problem or "'\\t'" in problem:
            problem += " (YAML indentation must use spaces, not tabs)"
        raise StackFileError(f"{_where(path, mark)}: {problem}") from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{_where(path, None)}: invalid YAML: {exc}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise StackFileError(f"{_where(path, _locate(text))}: the top level is a {type(doc).__name__}; "
                             "a stack file is a mapping with a `config:` key")
    raw = doc.get("config") or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{_where(path, _locate(text, 'config'))}: `config` is a {type(raw).__name__}; "
                             "it must be a mapping of `namespace:key: value`")
    config: dict[str, Any] = {}
    secrets: set[str] = set()
    spelled: dict[str, str] = {}
    for key, value in raw.items():
        full = str(key) if ":" in str(key) else f"{project}:{key}"
        if full in config:
            where = _where(path, _locate(text, "config", str(key), key_mark=True))
            raise StackFileError(f"{where}: config key {full!r} is given twice "
                                 f"(as {spelled[full]!r} and {key!r}); remove one")
        spelled[full] = str(key)
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            value = OFFLINE_SECRET
            secrets.add(full)
        config[full] = value
    platform_key = f"{project}:{_PLATFORM_KEY}"
    platform = config.get(platform_key)
    if platform is not None and not isinstance(platform, dict):
        where = _where(path, _locate(text, "config", spelled[platform_key]))
        raise StackFileError(f"{where}: {platform_key} is {platform!r}; it must be a mapping "
                             "(see docs/configuration.md)")
    named = set(_strings_named(platform or {}, "tokenConfigKey"))
    unknown = sorted(k for k in config if k.startswith(f"{project}:") and k != platform_key and k not in named)
    if unknown:
        where = _where(path, _locate(text, "config", spelled[unknown[0]], key_mark=True))
        raise StackFileError(f"{where}: unknown config {'key' if len(unknown) == 1 else 'keys'} "
                             f"{', '.join(unknown)}; everything of this project goes under {platform_key} "
                             "(check the spelling)")
    return config, secrets
