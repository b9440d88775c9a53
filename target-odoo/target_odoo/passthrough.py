"""Mappings for streams named like an Odoo model (tap-odoo output): fields pass through,
relational ids go through the external ids this target wrote for the related stream."""

from __future__ import annotations

from typing import Any

from target_odoo.mapping import FieldRule, LookupRule, Match, PassthroughSettings, StreamMapping

_TRANSFORM_BY_TYPE = {
    "date": "date",
    "datetime": "datetime",
    "float": "number",
    "monetary": "number",
}


def model_stream(model: str) -> str:
    """The stream name tap-odoo gives a model: res.partner -> res_partner."""
    return model.replace(".", "_")


def _writable(model: str, name: str, info: dict, settings: PassthroughSettings) -> bool:
    if name.startswith("_sdc_") or name in settings.skip_fields:
        return False
    if f"{model}.{name}" in settings.skip_fields:
        return False
    if not info.get("store", True) or info.get("type") == "one2many":
        return False
    # Readonly in fields_get is a UI hint; required readonly fields (move_type) must be written.
    return not info.get("readonly") or bool(info.get("required"))


def _relation_lookup(
    name: str, info: dict, settings: PassthroughSettings, many: bool
) -> LookupRule:
    relation = info["relation"]
    matches = [Match(path=name, external_id_streams=(model_stream(relation),))]
    if relation in settings.keep_ids_for:
        matches.append(Match(path=name, field="id"))
    return LookupRule(model=relation, matches=tuple(matches), many=many, on_missing="empty")


def passthrough_mapping(
    base: StreamMapping,
    properties: dict[str, Any],
    fields_info: dict[str, dict],
    settings: PassthroughSettings,
) -> StreamMapping:
    """Complete a pass-through mapping with rules for every writable field in the stream schema."""
    fields: dict[str, FieldRule] = {}
    lookups: dict[str, LookupRule] = {}
    for name in properties:
        info = fields_info.get(name)
        if info is None or not _writable(base.model, name, info, settings):
            continue
        kind = info.get("type")
        if kind in ("many2one", "many2many"):
            lookups[name] = _relation_lookup(name, info, settings, many=kind == "many2many")
        else:
            fields[name] = FieldRule(path=name, transform=_TRANSFORM_BY_TYPE.get(kind))
    return StreamMapping(
        stream=base.stream,
        model=base.model,
        key=base.key,
        fields=fields,
        lookups=lookups,
        passthrough=True,
        has_active="active" in fields_info,
    )
