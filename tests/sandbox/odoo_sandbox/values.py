"""Conversions between Odoo's wire values and SQLite column values, with Odoo's error messages."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .exceptions import VALUE_ERROR, OdooServerException
from .registry import Field, Model

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def db_timestamp(moment: datetime) -> str:
    """How PostgreSQL prints a timestamp: microseconds kept, none shown when zero. Stored this
    way, text comparisons order like timestamps do (the write_date trap depends on it)."""
    if moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.strftime(DATETIME_FORMAT)


def human_size(b64: str | None) -> str | bool:
    """Odoo's human_size of a base64 payload's decoded length ("14.85 Kb")."""
    if not b64:
        return False
    size = len(b64) * 3 // 4 - b64[-2:].count("=")
    units = ("bytes", "Kb", "Mb", "Gb", "Tb")
    value, i = float(size), 0
    while value >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    return f"{value:0.2f} {units[i]}"


def empty_value(field: Field) -> Any:
    """What Odoo answers for a field without a value."""
    if field.type in ("one2many", "many2many"):
        return []
    if field.type == "integer":
        return 0
    if field.type in ("float", "monetary"):
        return 0.0
    return False


def convert_column(field: Field, values: Sequence, bin_size: bool) -> list:
    """Stored values of one column turned into what `read` answers (many2one as a bare id).

    One list comprehension per type: this runs for every value of every page."""
    ftype = field.type
    if ftype == "datetime":
        return [v[:19] if v else False for v in values]
    if ftype == "integer":
        return [v or 0 for v in values]
    if ftype in ("float", "monetary"):
        return [0.0 if v is None else float(v) for v in values]
    if ftype == "boolean":
        return [v == 1 for v in values]
    if ftype in ("json", "properties", "properties_definition"):
        return [json.loads(v) if v else False for v in values]
    if ftype == "binary" and bin_size:
        return [human_size(v) for v in values]
    if ftype in ("many2one", "many2one_reference"):
        return [v or False for v in values]
    return [False if v is None else v for v in values]


def invalid_field(model: Model, fname: str, version: int) -> OdooServerException:
    if version >= 19:
        return OdooServerException(VALUE_ERROR, f"Invalid field {fname!r} on {model.name!r}")
    return OdooServerException(VALUE_ERROR, f"Invalid field {fname!r} on model {model.name!r}")


def _parse(value: str, fmt: str) -> datetime:
    try:
        return datetime.strptime(value, fmt)
    except ValueError as exc:
        raise OdooServerException(VALUE_ERROR, str(exc)) from None


def to_date(value: Any) -> str | None:
    """Odoo's Date.to_date: a 'YYYY-MM-DD' text, checked."""
    if value is False or value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)[:10]
    return _parse(text, DATE_FORMAT).date().isoformat()


def to_datetime(value: Any) -> str | None:
    """Odoo's Datetime.to_datetime: a 'YYYY-MM-DD HH:MM:SS' text, checked."""
    if value is False or value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat() + " 00:00:00"
    text = str(value)
    if len(text) == 10:
        return _parse(text, DATE_FORMAT).strftime(DATETIME_FORMAT)
    return _parse(text[:19], DATETIME_FORMAT[: len(text[:19]) - 2]).strftime(DATETIME_FORMAT)


def selection_keys(field: Field) -> list | None:
    sel = field.attrs.get("selection")
    if isinstance(sel, list):
        return [item[0] for item in sel]
    return None


def float_round(value: float, decimals: int) -> float:
    """Odoo's float_round (HALF-UP, a few ulps of tolerance): 2.675 -> 2.68."""
    factor = 10**decimals
    scaled = abs(value) * factor
    rounded = math.floor(scaled + 0.5 + scaled * 2**-50) / factor
    return math.copysign(rounded, value) if rounded else 0.0


def to_column(model: Model, field: Field, value: Any) -> Any:
    """The SQLite value stored for `value` written to `field` (Odoo's convert_to_column)."""
    ftype = field.type
    if ftype in ("char", "text", "html"):
        return None if value is False or value is None else str(value)
    if ftype == "selection":
        if value is False or value is None:
            return None
        keys = selection_keys(field)
        if keys is not None and value not in keys:
            raise OdooServerException(
                VALUE_ERROR, f"Wrong value for {model.name}.{field.name}: {value!r}"
            )
        return value
    if ftype == "integer":
        try:
            return int(value or 0)
        except (TypeError, ValueError):
            raise OdooServerException(
                VALUE_ERROR, f"invalid literal for int() with base 10: {value!r}"
            ) from None
    if ftype in ("float", "monetary"):
        try:
            number = float(value or 0.0)
        except (TypeError, ValueError):
            raise OdooServerException(
                VALUE_ERROR, f"could not convert string to float: {value!r}"
            ) from None
        digits = field.attrs.get("digits")
        if ftype == "float" and isinstance(digits, list) and len(digits) == 2:
            return float_round(number, digits[1])  # Float.convert_to_column rounds to digits
        return number
    if ftype == "boolean":
        return 1 if value else 0
    if ftype == "date":
        return to_date(value)
    if ftype == "datetime":
        return to_datetime(value)
    if ftype == "many2one":
        if isinstance(value, (list, tuple)) and value:
            value = value[0]
        # A non-integer (e.g. a name) silently empties the field, as recorded on Odoo 19.
        return value if isinstance(value, int) and not isinstance(value, bool) and value else None
    if ftype == "many2one_reference":
        return value or None
    if ftype in ("json", "properties", "properties_definition"):
        return None if value is False or value is None else json.dumps(value)
    if ftype == "binary":
        if value is False or value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
    return value if value is not False else None
