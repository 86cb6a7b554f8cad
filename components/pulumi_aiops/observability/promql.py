"""The metric names a PromQL expression (or a Grafana variable query) reads.

Good enough for the expressions this library writes and checks (no full parser): string
literals, label matchers, grouping clauses, ranges and Grafana variables are removed; what is
left that is an identifier and not a function call or keyword is a metric name. Grafana's
``label_values(metric, label)`` reads ``metric``.
"""

from __future__ import annotations

import re

__all__ = ["metric_names"]

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_VARIABLES = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
_LABEL_VALUES = re.compile(r"\blabel_values\s*\(\s*([^,()]+?)\s*(?:,[^()]*)?\)")
_IDENT = re.compile(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(\s*\()?")
_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                       "offset", "inf", "nan", "Inf", "NaN", "atan2"})


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects (recording-rule names included)."""
    text = _STRINGS.sub('""', expr)
    text = _LABEL_VALUES.sub(lambda m: f" {_MATCHERS.sub(' ', m.group(1))} ", text)
    while True:  # nested braces cannot occur in PromQL, but be safe
        new = _MATCHERS.sub(" ", text)
        if new == text:
            break
        text = new
    text = _GROUPING.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _VARIABLES.sub(" ", text)
    names: set[str] = set()
    for m in _IDENT.finditer(text):
        name, call = m.group(1), m.group(2)
        if call or name in _KEYWORDS:
            continue
        names.add(name)
    return names
