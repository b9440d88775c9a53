"""Build Odoo values from one source record by its stream mapping (lookups left pending)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from target_odoo.lookups import LookupRequest
from target_odoo.mapping import FieldRule, LinesRule, LookupRule, StreamMapping
from target_odoo.paths import decoded, read_list, read_path
from target_odoo.transforms import apply_transform

_EMPTY = (None, "", [])


class RecordError(ValueError):
    """The source record cannot be written; the message names the Odoo field and source path."""


@dataclass
class PendingValues:
    """Values of one Odoo record (header or line) plus the lookups still to resolve."""

    vals: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, LookupRequest] = field(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """The values with every resolved lookup filled in (empty lookups left out)."""
        vals = dict(self.vals)
        for name, request in self.lookups.items():
            if request.rule.many:
                vals[name] = [(6, 0, request.result or [])]
            elif request.result is not None:
                vals[name] = request.result
        return vals


def field_value(record: dict, name: str, rule: FieldRule) -> Any:
    """The value of Odoo field `name`, or None when the source has none (and no default)."""
    raw = read_path(record, rule.path)
    if raw in _EMPTY:
        if rule.has_default:
            return rule.default
        if rule.required:
            raise RecordError(f"field {name!r}: required value missing at {rule.path!r}")
        return None
    try:
        value = apply_transform(rule.transform, raw)
    except ValueError as error:
        raise RecordError(f"field {name!r} from {rule.path!r}: {error}") from None
    if rule.values is not None:
        if str(value) not in rule.values:
            allowed = ", ".join(sorted(rule.values))
            raise RecordError(
                f"field {name!r} from {rule.path!r}: {value!r} is not one of {allowed}"
            )
        value = rule.values[str(value)]
    return value


def mapped_values(record: dict, fields: dict[str, FieldRule]) -> dict[str, Any]:
    """All present mapped fields of `record`."""
    vals = {}
    for name, rule in fields.items():
        value = field_value(record, name, rule)
        if value is not None:
            vals[name] = value
    return vals


def lookup_request(record: dict, name: str, rule: LookupRule) -> LookupRequest | None:
    """A pending lookup, or None when the source gives no value to look up."""
    keys = []
    for match in rule.matches:
        raw = read_path(record, match.path)
        if rule.many:
            raw = decoded(raw)
        if raw in _EMPTY:
            keys.append(None)
            continue
        values = raw if isinstance(raw, list) else [raw]
        try:
            values = [apply_transform(match.transform, value) for value in values]
        except ValueError as error:
            raise RecordError(f"lookup {name!r} from {match.path!r}: {error}") from None
        keys.append(values if rule.many else values[0])
    if all(key is None for key in keys):
        return None
    request = LookupRequest(label=name, rule=rule, keys=keys)
    if rule.on_missing == "create":
        try:
            request.create_values = mapped_values(record, rule.create)
        except RecordError as error:  # only matters if nothing is found
            request.create_error = str(error)
    return request


def pending_values(
    record: dict, fields: dict[str, FieldRule], constants: dict, lookups: dict[str, LookupRule]
) -> PendingValues:
    """Mapped fields, constants and pending lookups of one record or line."""
    pending = PendingValues(vals={**mapped_values(record, fields), **constants})
    for name, rule in lookups.items():
        request = lookup_request(record, name, rule)
        if request is not None:
            pending.lookups[name] = request
    return pending


def line_values(record: dict, rule: LinesRule) -> list[PendingValues] | None:
    """One PendingValues per item of the source list; None when the source has no such list."""
    try:
        items = read_list(record, rule.path)
    except ValueError as error:
        raise RecordError(f"lines from {error}") from None
    if items is None:
        return None
    lines = []
    for position, item in enumerate(items):
        try:
            lines.append(pending_values(item, rule.fields, rule.constants, rule.lookups))
        except RecordError as error:
            raise RecordError(f"{rule.path}[{position}]: {error}") from None
    return lines


@dataclass
class PreparedRecord:
    """A source record turned into Odoo values, before lookups are resolved."""

    header: PendingValues
    lines: dict[str, list[PendingValues]]

    def lookup_requests(self) -> list[LookupRequest]:
        """Every pending lookup of the header and its lines."""
        requests = list(self.header.lookups.values())
        for lines in self.lines.values():
            for line in lines:
                requests.extend(line.lookups.values())
        return requests

    def lookup_error(self) -> str | None:
        """The first failed lookup, if any."""
        return next((r.error for r in self.lookup_requests() if r.error), None)


def prepare_record(record: dict, mapping: StreamMapping) -> PreparedRecord:
    """Map a source record (raises RecordError naming the field when it cannot be mapped)."""
    header = pending_values(record, mapping.fields, mapping.constants, mapping.lookups)
    lines = {}
    for name, rule in mapping.lines.items():
        values = line_values(record, rule)
        if values is not None:
            lines[name] = values
    return PreparedRecord(header=header, lines=lines)
