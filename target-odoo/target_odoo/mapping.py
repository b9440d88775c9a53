"""Load mapping.json, validate it against mapping.schema.json, and turn it into typed rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

DEFAULT_KEY = ["externalId", "id"]
_MODEL_STREAM = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


class MappingError(ValueError):
    """mapping.json is unreadable or invalid; the message names the stream and key."""


@dataclass(frozen=True)
class Condition:
    """True when the (transformed) source value is one of `values`."""

    path: str | list[str]
    values: tuple
    transform: str | None = None


@dataclass(frozen=True)
class FieldRule:
    """One Odoo field taken from a source path (or a fixed `value`)."""

    path: str | list[str] | None
    transform: str | None = None
    values: dict[str, Any] | None = None
    default: Any = None
    has_default: bool = False
    required: bool = False
    # Only for records this condition holds for (a record shape: v3's snake_case buy orders).
    when: Condition | None = None
    # The number read is divided by the number at this path (a line total per its quantity).
    divide_by: str | list[str] | None = None
    # Used when this rule gives no value; `default` and `required` apply after it.
    otherwise: FieldRule | None = None
    value: Any = None  # with has_value: this value whatever the record says
    has_value: bool = False


@dataclass(frozen=True)
class Match:
    """One way to find the related record: by an Odoo field or by our external ids."""

    path: str | list[str]
    transform: str | None = None
    field: str | None = None
    external_id_streams: tuple[str, ...] = ()


@dataclass(frozen=True)
class LookupRule:
    """Turn source values into a many2one id (or many2many ids)."""

    model: str
    matches: tuple[Match, ...]
    domain: tuple = ()
    many: bool = False
    on_missing: str = "fail"
    create: dict[str, FieldRule] = field(default_factory=dict)
    create_constants: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateGuard:
    """True when an Odoo record's `field` is one of `values`."""

    field: str
    values: tuple


@dataclass(frozen=True)
class LinesRule:
    """A source list written into a one2many field with the header, in the same call.

    Without `match_by`, changed lines of an existing record are replaced (all removed, all
    created). With it, each source line is paired with the existing line that has the same
    values of those fields: changed lines are updated in place, new ones added, lines gone from
    the source removed, or set to `zero` when the header is in a `zero_when` state (Odoo refuses
    to remove lines of a confirmed purchase order); all in the header's one `write`.
    """

    path: str | list[str]
    model: str
    fields: dict[str, FieldRule] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, LookupRule] = field(default_factory=dict)
    match_by: tuple[str, ...] = ()
    always_write: tuple[str, ...] = ()  # written with every change of a line (its price)
    zero_when: StateGuard | None = None
    zero: dict[str, Any] = field(default_factory=dict)
    not_below: dict[str, str] = field(default_factory=dict)  # product_qty -> qty_received
    leave_when: StateGuard | None = None  # existing lines left as they are (sections, notes)
    digits: dict[str, int] = field(default_factory=dict)  # decimals Odoo keeps, per field


@dataclass(frozen=True)
class AfterAction:
    """A business method called on written records (action_post, button_confirm)."""

    method: str
    when: Condition | None = None
    unless: StateGuard | None = None
    unless_setting: str | None = None  # a boolean target setting that turns the action off


@dataclass(frozen=True)
class CancelRule:
    """How a record of a model without `active` is archived: its business cancel action."""

    method: str
    done: StateGuard | None = None
    before_unlink: bool = False


# Models without `active` whose documents are archived by cancelling them (a stream's `cancel`
# in the mapping overrides this). Odoo 17's account.move.button_cancel resets a posted move to
# draft itself; purchase and sale orders are only deleted once cancelled.
DEFAULT_CANCEL = {
    "account.move": CancelRule("button_cancel", StateGuard("state", ("cancel",))),
    "purchase.order": CancelRule("button_cancel", StateGuard("state", ("cancel",)), True),
    "sale.order": CancelRule("action_cancel", StateGuard("state", ("cancel",)), True),
}


@dataclass(frozen=True)
class AttachmentRule:
    """Files from a source list attached to the written record."""

    path: str
    name: str = "name"
    content: str = "content"
    file: str = "path"
    mimetype: str = "mimetype"
    # A file in the folder of the `input_path` setting, named from the item's fields
    # ("{id}_{name}", as hotglue stages them), for items without content or path.
    input_file: str | None = None


@dataclass(frozen=True)
class StreamMapping:
    """Everything the target needs to write one stream."""

    stream: str
    model: str
    key: str | list[str] = field(default_factory=lambda: list(DEFAULT_KEY))
    fields: dict[str, FieldRule] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    on_create: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, LookupRule] = field(default_factory=dict)
    lines: dict[str, LinesRule] = field(default_factory=dict)
    after: tuple[AfterAction, ...] = ()
    locked_when: StateGuard | None = None
    attachments: AttachmentRule | None = None
    passthrough: bool = False
    cancel: CancelRule | None = None
    marker: str | None = None
    natural_key: tuple[str, ...] = ()
    identity_field: str | None = None  # holds the record's identity when external ids cannot
    has_active: bool = True
    # Pass-through: `after` actions wait for the end of the input (a copied move is posted once
    # its lines, a later stream, are in); records matching `skip_when` are not written.
    after_at_end: bool = False
    skip_when: Condition | None = None
    skip_note: str = ""
    digits: dict[str, int] = field(default_factory=dict)  # decimals Odoo keeps, per field

    def __post_init__(self) -> None:
        if self.cancel is None and self.model in DEFAULT_CANCEL:
            object.__setattr__(self, "cancel", DEFAULT_CANCEL[self.model])


@dataclass(frozen=True)
class PassthroughSettings:
    """How streams named like an Odoo model are written."""

    enabled: bool = True
    keep_ids_for: tuple[str, ...] = ()
    skip_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    """The whole validated mapping."""

    streams: dict[str, StreamMapping]
    passthrough: PassthroughSettings

    def canonical(self, stream: str) -> str:
        """The mapped stream name `stream` stands for: itself, or the one it names in another
        case (`buyorders` -> `BuyOrders`, as hotglue's targets match stream names)."""
        if stream in self.streams:
            return stream
        same = [name for name in self.streams if name.lower() == stream.lower()]
        return same[0] if len(same) == 1 else stream

    def switches(self) -> set[str]:
        """The boolean target settings the mapping's actions name (`unless_setting`)."""
        return {
            action.unless_setting
            for spec in self.streams.values()
            for action in spec.after
            if action.unless_setting
        }

    def for_stream(self, stream: str) -> StreamMapping:
        """The mapping of `stream` (in any case); a pass-through one for streams named like a
        model."""
        stream = self.canonical(stream)
        if stream in self.streams:
            return self.streams[stream]
        if self.passthrough.enabled and _MODEL_STREAM.match(stream):
            return StreamMapping(
                stream=stream, model=stream.replace("_", "."), key=["id"], passthrough=True
            )
        known = ", ".join(sorted(self.streams))
        raise MappingError(
            f"stream {stream!r}: no mapping. Add it under 'streams' in mapping.json "
            f"(known: {known}) or name the stream like an Odoo model (res_partner)."
        )


def _schema() -> dict:
    text = resources.files("target_odoo").joinpath("mapping.schema.json").read_text("utf-8")
    return json.loads(text)


def default_mapping_document() -> dict:
    """The mapping.json shipped with the package."""
    return json.loads(resources.files("target_odoo").joinpath("mapping.json").read_text("utf-8"))


def _describe(error: jsonschema.ValidationError) -> str:
    while error.context:  # oneOf/anyOf: say what is wrong in the closest alternative
        error = max(error.context, key=lambda sub: len(sub.absolute_path))
    where = list(error.absolute_path)
    if len(where) >= 2 and where[0] == "streams":
        place = f"stream {where[1]!r}"
        if len(where) > 2:
            place += f", key {'.'.join(str(step) for step in where[2:])!r}"
    else:
        place = f"key {'.'.join(str(step) for step in where) or '(top)'!r}"
    return f"{place}: {error.message}"


def validate_mapping(document: Any) -> None:
    """Raise MappingError listing every schema violation, each naming its stream and key."""
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        details = "; ".join(dict.fromkeys(_describe(error) for error in errors[:10]))
        raise MappingError(f"invalid mapping: {details}")


def _condition(spec: dict | None) -> Condition | None:
    if spec is None:
        return None
    return Condition(path=spec["path"], values=tuple(spec["in"]), transform=spec.get("transform"))


def _field_rule(spec: Any) -> FieldRule:
    if isinstance(spec, (str, list)):
        return FieldRule(path=spec)
    return FieldRule(
        path=spec.get("path"),
        transform=spec.get("transform"),
        values=spec.get("values"),
        default=spec.get("default"),
        has_default="default" in spec,
        required=spec.get("required", False),
        when=_condition(spec.get("when")),
        divide_by=spec.get("divide_by"),
        otherwise=_field_rule(spec["otherwise"]) if "otherwise" in spec else None,
        value=spec.get("value"),
        has_value="value" in spec,
    )


def _fields(specs: dict | None) -> dict[str, FieldRule]:
    return {name: _field_rule(spec) for name, spec in (specs or {}).items()}


def _lookup(spec: dict) -> LookupRule:
    matches = tuple(
        Match(
            path=one["path"],
            transform=one.get("transform"),
            field=one.get("field"),
            external_id_streams=tuple(one.get("external_id", ())),
        )
        for one in spec["match"]
    )
    return LookupRule(
        model=spec["model"],
        matches=matches,
        domain=tuple(
            tuple(leaf) if isinstance(leaf, list) else leaf for leaf in spec.get("domain", [])
        ),
        many=spec.get("many", False),
        on_missing=spec.get("on_missing", "fail"),
        create=_fields(spec.get("create")),
        create_constants=dict(spec.get("create_constants", {})),
    )


def _lookups(specs: dict | None) -> dict[str, LookupRule]:
    return {name: _lookup(spec) for name, spec in (specs or {}).items()}


def _guard(spec: dict | None) -> StateGuard | None:
    return StateGuard(field=spec["field"], values=tuple(spec["in"])) if spec else None


def _after(spec: dict) -> AfterAction:
    return AfterAction(
        method=spec["method"],
        when=_condition(spec.get("when")),
        unless=_guard(spec.get("unless")),
        unless_setting=spec.get("unless_setting"),
    )


def _cancel(spec: dict | None) -> CancelRule | None:
    if spec is None:
        return None
    return CancelRule(
        method=spec["method"],
        done=_guard(spec.get("done")),
        before_unlink=spec.get("before_unlink", False),
    )


def _stream(name: str, spec: dict) -> StreamMapping:
    lines = {
        one2many: LinesRule(
            path=line["path"],
            model=line["model"],
            fields=_fields(line.get("fields")),
            constants=dict(line.get("constants", {})),
            lookups=_lookups(line.get("lookups")),
            match_by=tuple(line.get("match_by", ())),
            always_write=tuple(line.get("always_write", ())),
            zero_when=_guard(line.get("zero_when")),
            zero=dict(line.get("zero", {})),
            not_below=dict(line.get("not_below", {})),
            leave_when=_guard(line.get("leave_when")),
        )
        for one2many, line in spec.get("lines", {}).items()
    }
    return StreamMapping(
        stream=name,
        model=spec["model"],
        key=spec.get("key", list(DEFAULT_KEY)),
        fields=_fields(spec.get("fields")),
        constants=dict(spec.get("constants", {})),
        on_create=dict(spec.get("on_create", {})),
        lookups=_lookups(spec.get("lookups")),
        lines=lines,
        after=tuple(_after(one) for one in spec.get("after", [])),
        locked_when=_guard(spec.get("locked_when")),
        attachments=AttachmentRule(**spec["attachments"]) if "attachments" in spec else None,
        cancel=_cancel(spec.get("cancel")),
        marker=spec.get("marker"),
        natural_key=tuple(spec.get("natural_key", ())),
        identity_field=spec.get("identity_field"),
    )


def _resolve_same_as(streams: dict) -> dict:
    resolved = {}
    for name, spec in streams.items():
        base = spec.get("same_as")
        if base is None:
            resolved[name] = spec
            continue
        if base not in streams or "same_as" in streams[base]:
            raise MappingError(
                f"invalid mapping: stream {name!r}, key 'same_as': {base!r} is not a stream "
                "with its own rules"
            )
        merged = {**streams[base], **spec}
        merged.pop("same_as")
        resolved[name] = merged
    return resolved


_ACTION_ONLY = ("state", "payment_state")


def _check_action_only_fields(streams: dict) -> None:
    for name, spec in streams.items():
        parts = [("", spec)] + [(f"lines.{k}.", v) for k, v in spec.get("lines", {}).items()]
        for prefix, part in parts:
            for section in ("fields", "constants", "on_create"):
                for field_name in _ACTION_ONLY:
                    if field_name in part.get(section, {}):
                        raise MappingError(
                            f"invalid mapping: stream {name!r}, key "
                            f"'{prefix}{section}.{field_name}': {field_name} is changed by "
                            "business actions (use 'after'), never written directly"
                        )


def _check_references(streams: dict) -> None:
    for name, spec in streams.items():
        all_lookups = list(spec.get("lookups", {}).items())
        for one2many, line in spec.get("lines", {}).items():
            all_lookups += [
                (f"lines.{one2many}.{k}", v) for k, v in line.get("lookups", {}).items()
            ]
        for where, lookup in all_lookups:
            for match in lookup["match"]:
                for other in match.get("external_id", []):
                    if other not in streams:
                        raise MappingError(
                            f"invalid mapping: stream {name!r}, key 'lookups.{where}': "
                            f"external_id names unknown stream {other!r}"
                        )


def _check_recovery_keys(streams: dict) -> None:
    for name, spec in streams.items():
        mapped = {
            field_name
            for section in ("fields", "constants", "on_create", "lookups")
            for field_name in spec.get(section, {})
        }
        marker = spec.get("marker")
        if marker in mapped and marker not in spec.get("fields", {}):
            raise MappingError(
                f"invalid mapping: stream {name!r}, key 'marker': {marker!r} is a constant or a "
                "lookup; the marker field must be free or mapped from the source under 'fields' "
                "(it holds the external id until that is recorded, then the mapped value)"
            )
        for field_name in spec.get("natural_key", ()):
            if field_name not in mapped:
                raise MappingError(
                    f"invalid mapping: stream {name!r}, key 'natural_key': {field_name!r} is "
                    "not a mapped field (fields, constants, on_create or lookups)"
                )


def parse_mapping(document: Any) -> Mapping:
    """Validate a mapping document (already parsed JSON) and build the typed rules."""
    validate_mapping(document)
    streams = _resolve_same_as(document["streams"])
    _check_references(streams)
    _check_action_only_fields(streams)
    _check_recovery_keys(streams)
    passthrough = document.get("passthrough", {})
    return Mapping(
        streams={name: _stream(name, spec) for name, spec in streams.items()},
        passthrough=PassthroughSettings(
            enabled=passthrough.get("enabled", True),
            keep_ids_for=tuple(passthrough.get("keep_ids_for", ())),
            skip_fields=tuple(passthrough.get("skip_fields", ())),
        ),
    )


def load_mapping(setting: str | dict | None = None) -> Mapping:
    """Load the `mapping` setting: None (the shipped default), a file path or an inline object."""
    if setting is None:
        return parse_mapping(default_mapping_document())
    if isinstance(setting, dict):
        return parse_mapping(setting)
    path = Path(setting)
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise MappingError(f"mapping file not found: {path}") from None
    except json.JSONDecodeError as error:
        raise MappingError(f"mapping file {path} is not valid JSON: {error}") from None
    return parse_mapping(document)
