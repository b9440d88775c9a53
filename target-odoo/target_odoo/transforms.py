"""Value transforms named in mapping.json: turn a source value into what Odoo expects."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

_TRUE = {"true", "yes", "y", "1", "on", "t"}
_FALSE = {"false", "no", "n", "0", "off", "f", ""}


def to_date(value: Any) -> str:
    """A date as Odoo writes it: ``YYYY-MM-DD``; accepts ISO dates and datetimes."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise ValueError(f"not a valid ISO date (YYYY-MM-DD): {text!r}") from None


def to_datetime(value: Any) -> str:
    """A datetime as Odoo writes it: ``YYYY-MM-DD HH:MM:SS`` in UTC (naive input counts as UTC)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a valid ISO datetime: {str(value)!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def to_number(value: Any) -> float:
    """A float; accepts numbers and numeric text."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None


def to_integer(value: Any) -> int:
    """An integer; accepts integral numbers and numeric text."""
    number = to_number(value)
    if number != int(number):
        raise ValueError(f"not an integer: {value!r}")
    return int(number)


def to_boolean(value: Any) -> bool:
    """A boolean; accepts booleans, 0/1 and yes/no/true/false text."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_string(value: Any) -> str:
    """Text, surrounding blanks removed."""
    return str(value).strip()


def round_half_up(value: float, decimals: int) -> float:
    """`value` rounded as Odoo stores a float field with digits (float_round, HALF-UP: 2.675 ->
    2.68, -2.5 -> -3): what the database will hold."""
    factor = 10**decimals
    scaled = abs(value) * factor
    # a few ulps up, as Odoo's float_round does, so 2.675 (2.67499999...) rounds up
    rounded = math.floor(scaled + 0.5 + scaled * 2**-50) / factor
    return math.copysign(rounded, value) if rounded else 0.0


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "string": to_string,
    "date": to_date,
    "datetime": to_datetime,
    "number": to_number,
    "integer": to_integer,
    "boolean": to_boolean,
    "lowercase": lambda value: to_string(value).lower(),
    "uppercase": lambda value: to_string(value).upper(),
    "not_empty": lambda value: value not in (None, "", [], {}),
}


def apply_transform(name: str | None, value: Any) -> Any:
    """Apply the named transform; None (absent) stays None except for `not_empty`."""
    if name is None:
        return value
    if value is None and name != "not_empty":
        return None
    return TRANSFORMS[name](value)
