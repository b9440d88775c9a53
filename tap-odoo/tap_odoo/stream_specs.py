"""Stream specs: what a stream holds and selects, built from a model's described fields.

A stream holds every field the user may read, but binary fields not asked for (`binary_fields`)
and ignored ones (`ignore_fields`); its computed fields (field_kinds.py) are not selected by
default unless `include_computed_fields`, a named stream's field list or a preset's picks select
them. A named stream's field list narrows the stream to those fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from odoo_client import errors
from tap_odoo.field_kinds import FieldKind
from tap_odoo.presets import NamedStream
from tap_odoo.schema import BINARY_TYPES, RELATION_NAME_SUFFIX, field_schema, relation_name_schema

if TYPE_CHECKING:
    from tap_odoo.discovery import _Settings

# Only the attributes the schema and the sync use: full fields_get answers are large.
KEPT_ATTRIBUTES = [
    "type",
    "string",
    "help",
    "store",
    "searchable",
    "relation",
    "selection",
    "required",
    "readonly",
]
REPLICATION_KEY = "write_date"


def stream_name(model: str) -> str:
    """The stream name of a model: dots become underscores (`res.partner` -> `res_partner`)."""
    return model.replace(".", "_")


@dataclass(frozen=True)
class StreamSpec:
    """What the tap needs to read one stream: model, schema, fields to request, domain, key."""

    name: str
    model: str
    schema: dict
    fields: dict[str, dict]
    domain: list
    replication_key: str | None
    description: str
    key_properties: tuple = ("id",)
    company_field: str | None = None  # the model's company many2one, whether this stream reads it
    kinds: Mapping[str, FieldKind] = dataclasses.field(default_factory=dict)  # field_kinds.py
    unselected: frozenset[str] = frozenset()  # properties in the catalog, not selected by default


def model_stream(
    model: str, label: str, fields: dict, kinds: Mapping[str, FieldKind], settings: _Settings
) -> StreamSpec:
    kept = _catalog_fields(model, fields, settings)
    unselected = _unselected(model, kept, kinds, settings, chosen=())
    name = stream_name(model)
    replication_key = _default_replication_key(fields)
    company = _company_field(fields)
    return _spec(
        name, model, label, kept, [], replication_key, settings, company, kinds, unselected
    )


def named_stream(
    stream: NamedStream,
    label: str,
    fields: dict,
    kinds: Mapping[str, FieldKind],
    settings: _Settings,
) -> StreamSpec:
    replication_key = stream.replication_key or _default_replication_key(fields)
    if stream.replication_key:
        _check_replication_key(stream, fields)
    if stream.fields is None:
        kept = _catalog_fields(stream.model, fields, settings)
        unselected = _unselected(stream.model, kept, kinds, settings, chosen=stream.select)
    else:
        unknown = [name for name in stream.fields if name not in fields]
        if unknown:
            raise errors.ConfigurationError(
                f"Stream '{stream.name}': model '{stream.model}' has no field(s) "
                f"{', '.join(repr(name) for name in unknown)} (or this user may not read them).",
                setting="streams",
            )
        ignored = set(settings.ignore_fields.get(stream.model, ()))
        chosen = {"id", *stream.fields} - ignored
        if replication_key:
            chosen.add(replication_key)
        kept = {name: _kept_attributes(fields[name]) for name in fields if name in chosen}
        unselected = frozenset()  # the fields a user names are the ones wanted
    if stream.full_table:
        replication_key = None
    domain = list(stream.domain)
    company = _company_field(fields)
    return _spec(
        stream.name,
        stream.model,
        label,
        kept,
        domain,
        replication_key,
        settings,
        company,
        kinds,
        unselected,
    )


def _company_field(fields: Mapping[str, dict]) -> str | None:
    """`company_id` when the model has a searchable many2one of that name to res.company (stored,
    or related as on product.product), so `company_ids` can filter on it."""
    field = fields.get("company_id") or {}
    is_company = field.get("type") == "many2one" and field.get("relation") == "res.company"
    return "company_id" if is_company and (field.get("store") or field.get("searchable")) else None


def _spec(
    name: str,
    model: str,
    label: str,
    fields: dict[str, dict],
    domain: list,
    replication_key: str | None,
    settings: _Settings,
    company_field: str | None,
    kinds: Mapping[str, FieldKind],
    unselected: frozenset[str],
) -> StreamSpec:
    fields.setdefault("id", {"type": "integer", "string": "ID", "store": True})
    ordered = {"id": fields["id"], **{k: fields[k] for k in sorted(fields) if k != "id"}}
    schema = _stream_schema(ordered, settings.relation_names)
    if settings.relation_names:  # a many2one not selected by default: nor is its name
        unselected |= {n + RELATION_NAME_SUFFIX for n in unselected} & set(schema["properties"])
    return StreamSpec(
        name=name,
        model=model,
        schema=schema,
        fields=ordered,
        domain=domain,
        replication_key=None if name in settings.full_sync else replication_key,
        description=label,
        company_field=company_field,
        kinds={n: kinds[n] for n in ordered if n in kinds},
        unselected=frozenset(unselected),
    )


def _stream_schema(fields: Mapping[str, dict], relation_names: bool) -> dict:
    properties: dict[str, dict] = {}
    for name, field in fields.items():
        properties[name] = field_schema(name, field)
    if relation_names:
        for name, field in fields.items():
            derived = name + RELATION_NAME_SUFFIX
            if field.get("type") == "many2one" and derived not in properties:
                properties[derived] = relation_name_schema(field)
    return {"type": "object", "properties": properties}


def _catalog_fields(model: str, fields: Mapping[str, dict], settings: _Settings) -> dict:
    """Every field the user may read, but those ignored and binary fields not asked for."""
    return {
        name: _kept_attributes(field)
        for name, field in fields.items()
        if _in_catalog(model, name, field, settings)
    }


def _in_catalog(model: str, name: str, field: dict, settings: _Settings) -> bool:
    if name == "id":
        return True
    if name in settings.ignore_fields.get(model, ()):
        return False
    if field.get("type") in BINARY_TYPES:
        return any(fnmatchcase(f"{model}.{name}", p) for p in settings.binary_fields)
    return True


def _unselected(
    model: str,
    kept: Mapping[str, dict],
    kinds: Mapping[str, FieldKind],
    settings: _Settings,
    chosen: Collection[str],
) -> frozenset[str]:
    """The computed fields among `kept`, unless `include_computed_fields` or `chosen` (a
    preset's picks) selects them; a binary field named exactly in `binary_fields` is selected."""
    if settings.include_computed:
        return frozenset()
    named = set(settings.binary_fields)
    return frozenset(
        name
        for name in kept
        if name in kinds
        and not kinds[name].selected_by_default
        and name not in chosen
        and f"{model}.{name}" not in named
    )


def _kept_attributes(field: Mapping[str, Any]) -> dict:
    return {key: field[key] for key in KEPT_ATTRIBUTES if key in field}


def _default_replication_key(fields: Mapping[str, dict]) -> str | None:
    write_date = fields.get(REPLICATION_KEY)
    if write_date and write_date.get("store"):
        return REPLICATION_KEY
    return None


def _check_replication_key(stream: NamedStream, fields: Mapping[str, dict]) -> None:
    field = fields.get(stream.replication_key or "")
    if not field or field.get("type") not in ("date", "datetime") or not field.get("store"):
        raise errors.ConfigurationError(
            f"Stream '{stream.name}': replication_key '{stream.replication_key}' must be a "
            f"stored date or datetime field of '{stream.model}'.",
            setting="streams",
        )
