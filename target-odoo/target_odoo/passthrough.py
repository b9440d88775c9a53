"""Mappings for streams named like an Odoo model (tap-odoo output): fields pass through,
relational ids go through the external ids this target wrote for the related stream."""

from __future__ import annotations

from typing import Any

from target_odoo.mapping import (
    AfterAction,
    Condition,
    FieldRule,
    LookupRule,
    Match,
    PassthroughSettings,
    StateGuard,
    StreamMapping,
)

_TRANSFORM_BY_TYPE = {
    "date": "date",
    "datetime": "datetime",
    "float": "number",
    "monetary": "number",
}


# The source's business state is never written: it is reached by the model's own action, called
# once the input has ended (a move's lines come in a later stream than the move).
_STATE_ACTIONS = {
    "account.move": AfterAction(
        "action_post",
        when=Condition(path="state", values=("posted",)),
        unless=StateGuard("state", ("posted", "cancel")),
    ),
    "purchase.order": AfterAction(
        "button_confirm",
        when=Condition(path="state", values=("purchase", "done")),
        unless=StateGuard("state", ("purchase", "done", "cancel")),
    ),
}

# Journal items Odoo makes itself from a move's product lines (taxes, receivable/payable,
# cash rounding, early payment discount, anglo-saxon cost lines): copying them would count them
# twice. Product lines, sections and notes are copied; Odoo recomputes the rest.
COMPUTED_LINES = ("tax", "payment_term", "rounding", "epd", "cogs", "discount")


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
        after=(_STATE_ACTIONS[base.model],) if base.model in _STATE_ACTIONS else (),
        after_at_end=base.model in _STATE_ACTIONS,
        **_computed_lines(base.model, properties),
    )


def _computed_lines(model: str, properties: dict[str, Any]) -> dict[str, Any]:
    if model != "account.move.line" or "display_type" not in properties:
        return {}
    return {
        "skip_when": Condition(path="display_type", values=COMPUTED_LINES),
        "skip_note": "computed by Odoo from the move's product lines: not copied",
    }
