"""Read a value out of a source record by a path such as ``addresses[0].line1``."""

from __future__ import annotations

import json
import re
from typing import Any

_STEP = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def parse_path(path: str) -> tuple[str | int, ...]:
    """Split a dotted path with list indexes into its steps: ``a.b[0]`` -> ("a", "b", 0)."""
    steps: list[str | int] = []
    for name, index in _STEP.findall(path):
        steps.append(int(index) if index else name)
    return tuple(steps)


def decoded(value: Any) -> Any:
    """Nested values some taps send as JSON text (hotglue's `lineItems`, `addresses`) as data."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_list(record: Any, path: str) -> list | None:
    """The list at `path` (JSON text decoded); None when absent, ValueError when not a list."""
    value = decoded(read_path(record, path))
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f"{path!r}: expected a list, got {type(value).__name__}")
    return value


def read_first(record: Any, path: str | list[str]) -> tuple[str | list[str], Any]:
    """(the path that gave the value, the value): of several paths, the first non-empty one."""
    if isinstance(path, list):
        for one in path:
            value = read_path(record, one)
            if value not in (None, ""):
                return one, value
        return path, None
    return path, read_path(record, path)


def read_path(record: Any, path: str | list[str]) -> Any:
    """Return the value at `path` (or the first non-empty of several paths), None when absent."""
    if isinstance(path, list):
        for one in path:
            value = read_path(record, one)
            if value not in (None, ""):
                return value
        return None
    value = record
    for step in parse_path(path):
        value = decoded(value)
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(step)
        if value is None:
            return None
    return value
