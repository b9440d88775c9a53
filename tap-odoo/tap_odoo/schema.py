"""Odoo field types -> JSON schema, and Odoo rows -> the records the tap emits.

Odoo answers `False` for an empty value of any type, many2one as `[id, "name"]` (a bare id with
`load=False`), datetimes as naive UTC text. `field_schema` and `make_normalizer` agree on one
mapping (the table in tap-odoo/README.md):

| Odoo type | JSON schema | value emitted |
| --- | --- | --- |
| char, text, html, selection | string | as read |
| integer, many2one_reference | integer | as read |
| float, monetary | number | as read |
| boolean | boolean | as read (`False` stays false) |
| date | string, format date | "YYYY-MM-DD" |
| datetime | string, format date-time | "YYYY-MM-DDTHH:MM:SS+00:00" |
| many2one | integer (+ `<field>_name` string) | the id (and the display name) |
| one2many, many2many | array of integers | the ids |
| reference | string | "model,id" |
| json | object | the object (any other JSON value as `{"value": ...}`) |
| properties | object | property name -> value |
| properties_definition | array of objects | the definitions |
| binary (image too) | string | base64 text, or the size text under `bin_size` |
| anything newer | string | text, or the value as JSON text |

Every property is nullable except `id`; `False` becomes null for every type but boolean.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RELATION_NAME_SUFFIX = "_name"

_STRING = {"type": ["string", "null"]}
_JSON_SCHEMAS: dict[str, dict[str, Any]] = {
    "char": _STRING,
    "text": _STRING,
    "html": _STRING,
    "selection": _STRING,
    "reference": _STRING,
    "binary": _STRING,
    "image": _STRING,
    "integer": {"type": ["integer", "null"]},
    "many2one_reference": {"type": ["integer", "null"]},
    "many2one": {"type": ["integer", "null"]},
    "float": {"type": ["number", "null"]},
    "monetary": {"type": ["number", "null"]},
    "boolean": {"type": ["boolean", "null"]},
    "date": {"type": ["string", "null"], "format": "date"},
    "datetime": {"type": ["string", "null"], "format": "date-time"},
    "one2many": {"type": ["array", "null"], "items": {"type": "integer"}},
    "many2many": {"type": ["array", "null"], "items": {"type": "integer"}},
    "json": {"type": ["object", "null"]},
    "properties": {"type": ["object", "null"]},
    "properties_definition": {"type": ["array", "null"], "items": {"type": "object"}},
}
BINARY_TYPES = frozenset({"binary", "image"})


def field_schema(name: str, field: dict) -> dict:
    """Return the JSON schema of one `fields_get` field (`name` is the field's name)."""
    odoo_type = field.get("type", "")
    schema = dict(_JSON_SCHEMAS.get(odoo_type, _STRING))
    if name == "id":
        schema["type"] = "integer"
    description = field_description(field)
    if description:
        schema["description"] = description
    return schema


def relation_name_schema(field: dict) -> dict:
    """JSON schema of the `<field>_name` property that carries a many2one's display name."""
    label = field.get("string") or ""
    return {"type": ["string", "null"], "description": f"{label} (display name)".strip()}


def field_description(field: dict) -> str:
    """Label, help text and (for selections) the allowed values, as sentences."""
    parts = []
    label = field.get("string")
    if isinstance(label, str) and label.strip():
        parts.append(_sentence(label))
    help_text = field.get("help")
    if isinstance(help_text, str) and help_text.strip():
        parts.append(_sentence(help_text))
    selection = field.get("selection")
    if field.get("type") == "selection" and isinstance(selection, list) and selection:
        values = ", ".join(_selection_value(option) for option in selection)
        parts.append(f"Values: {values}.")
    return " ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _selection_value(option: Any) -> str:
    if isinstance(option, (list, tuple)) and len(option) == 2:
        key, label = option
        return f"{key} ({label})" if label and label != key else str(key)
    return str(option)


# Normalization: a stream's fields are sorted once into the few kinds that need more than
# `False -> None`, so the per-row work is one pass over the row plus a short loop per kind.
# Measured on 83-field partner rows: a converter call per field cost 2.5 times as much.


def make_normalizer(fields: dict[str, dict], relation_names: bool) -> Callable[[dict], dict]:
    """Return a function turning one `search_read` row into the record the tap emits.

    The row itself is turned into the record (it is the caller's to give away). Only the keys
    present in the row are emitted (plus `<field>_name` of a many2one when `relation_names` is
    on), so rows read with a narrowed field list stay narrow.
    """
    booleans: list[str] = []
    many2ones: list[str] = []
    named_many2ones: list[tuple[str, str]] = []
    converted: list[tuple[str, Callable[[Any], Any]]] = []
    for name, field in fields.items():
        odoo_type = field.get("type", "")
        if odoo_type == "boolean":
            booleans.append(name)
        elif odoo_type == "many2one":
            # A real field already named `<field>_name` wins over the derived display name.
            if relation_names and name + RELATION_NAME_SUFFIX not in fields:
                named_many2ones.append((name, name + RELATION_NAME_SUFFIX))
            else:
                many2ones.append(name)
        else:
            convert = _VALUE_CONVERTERS.get(odoo_type)
            if convert is None and odoo_type and odoo_type not in _JSON_SCHEMAS:
                convert = _as_text
            if convert is not None:
                converted.append((name, convert))

    def normalize(row: dict) -> dict:
        kept = [name for name in booleans if row.get(name) is False]
        for name, value in row.items():
            if value is False:
                row[name] = None  # same keys: changing values while iterating is allowed
        for name in kept:
            row[name] = False
        for name in many2ones:
            value = row.get(name)
            if type(value) is list:  # [id, "display name"]: read without load=False
                row[name] = value[0]
        for name, name_key in named_many2ones:
            if name in row:
                row[name], row[name_key] = _id_and_name(row[name])
        for name, convert in converted:
            value = row.get(name)
            if value is not None:
                row[name] = convert(value)
        return row

    return normalize


def _id_and_name(value: Any) -> tuple[Any, Any]:
    """A many2one as read (`[id, "name"]`, a bare id, or empty) -> (id, display name)."""
    if type(value) is list:
        name = value[1] if len(value) > 1 and value[1] is not False else None
        return value[0], name
    return value, None


def _utc_timestamp(value: str) -> str:
    """Odoo's naive UTC "YYYY-MM-DD HH:MM:SS" as RFC 3339."""
    if len(value) >= 19 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return value


def _json_object(value: Any) -> dict:
    return value if type(value) is dict else {"value": value}


def _properties(value: Any) -> dict:
    """Odoo reads properties as a list of definitions with their values: emit name -> value."""
    if type(value) is dict:
        return value
    return {
        item["name"]: _property_value(item)
        for item in value
        if isinstance(item, dict) and "name" in item
    }


def _property_value(item: dict) -> Any:
    value = item.get("value")
    if value is False and item.get("type") != "boolean":
        return None
    return value


def _binary_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return _as_text(value)


def _as_text(value: Any) -> str:
    """Text as is; anything else (computed "binary" widgets hold JSON) as JSON text."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


_VALUE_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "datetime": _utc_timestamp,
    "json": _json_object,
    "properties": _properties,
    "binary": _binary_text,
    "image": _binary_text,
}
