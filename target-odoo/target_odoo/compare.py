"""Decide whether a value we would write equals what Odoo already holds (as `read` answers it)."""

from __future__ import annotations

import html
import re
from typing import Any

_EMPTY = (None, False, "", [])
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """Html fields come back wrapped (<p>text</p>): compare their text."""
    return html.unescape(_TAG.sub("", text)).strip()


def _ids_of(value: Any) -> list | None:
    """x2many values as a sorted id list: from read ([1, 2]) or from a (6, 0, ids) command."""
    if isinstance(value, list) and value and isinstance(value[0], (list, tuple)):
        if len(value) == 1 and value[0][0] == 6:
            return sorted(value[0][2])
        return None
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return sorted(value)
    return None


def same_value(desired: Any, current: Any) -> bool:
    """True when writing `desired` would not change `current`."""
    if desired in _EMPTY and current in _EMPTY and not isinstance(desired, bool):
        return True
    if isinstance(desired, bool) or isinstance(current, bool):
        return desired is current or (desired in _EMPTY and current is False)
    if isinstance(current, list) and len(current) == 2 and isinstance(current[1], str):
        current = current[0]  # many2one read as [id, display name]
    if isinstance(desired, list) or isinstance(current, list):
        return _ids_of(desired) is not None and _ids_of(desired) == _ids_of(current)
    if isinstance(desired, (int, float)) and isinstance(current, (int, float)):
        return abs(float(desired) - float(current)) < 1e-6
    if isinstance(desired, str) and isinstance(current, str) and current.startswith("<"):
        return _plain(desired) == _plain(current)
    return desired == current


def changed_values(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The subset of `desired` that differs from `current`."""
    return {
        name: value for name, value in desired.items() if not same_value(value, current.get(name))
    }


def same_lines(desired: list[dict[str, Any]], current: list[dict[str, Any]]) -> bool:
    """True when the existing lines already hold the desired values, in order."""
    return len(desired) == len(current) and all(
        not changed_values(want, have) for want, have in zip(desired, current, strict=True)
    )
