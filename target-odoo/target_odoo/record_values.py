"""Build Odoo values from one source record by its stream mapping (lookups left pending)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from target_odoo.lookups import LookupRequest
from target_odoo.mapping import Condition, FieldRule, LinesRule, LookupRule, StreamMapping
from target_odoo.paths import decoded, read_first, read_list, read_path
from target_odoo.transforms import apply_transform, round_half_up, to_number

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


def holds(condition: Condition, record: dict) -> bool:
    """Whether the record's (transformed) value at the condition's path is one it lists."""
    value = read_path(record, condition.path)
    try:
        value = apply_transform(condition.transform, value)
    except ValueError:
        return False
    return value in condition.values


def _where(rule: FieldRule) -> str:
    """Where a rule reads its value, for messages: 'unitPrice' or 'sub_total_price' / 'quantity'."""
    here = repr(rule.path) if not rule.has_value else "a fixed value"
    if rule.divide_by is not None:
        here += f" / {rule.divide_by!r}"
    if rule.otherwise is not None:
        here += f", else {_where(rule.otherwise)}"
    return here


def _divided(record: dict, name: str, rule: FieldRule, value: Any) -> float | None:
    divisor = read_path(record, rule.divide_by)
    if divisor in _EMPTY:
        return None
    try:
        number, by = to_number(value), to_number(divisor)
    except ValueError as error:
        raise RecordError(f"field {name!r} from {_where(rule)}: {error}") from None
    if by == 0:
        if number == 0:
            return 0.0  # a line of quantity 0 and total 0
        raise RecordError(
            f"field {name!r} from {_where(rule)}: {number:g} cannot be divided by "
            f"{rule.divide_by!r} = 0"
        )
    return number / by


def _given(record: dict, name: str, rule: FieldRule) -> Any:
    """The rule's own value (None when the source has none), before defaults."""
    if rule.has_value:
        return rule.value
    where, raw = read_first(record, rule.path)
    if raw in _EMPTY:
        return None
    try:
        value = apply_transform(rule.transform, raw)
    except ValueError as error:
        raise RecordError(f"field {name!r} from {where!r}: {error}") from None
    if rule.divide_by is not None:
        value = _divided(record, name, rule, value)
        if value is None:
            return None
    if rule.values is not None:
        if str(value) not in rule.values:
            allowed = ", ".join(sorted(rule.values))
            raise RecordError(f"field {name!r} from {where!r}: {value!r} is not one of {allowed}")
        value = rule.values[str(value)]
    return value


def field_value(record: dict, name: str, rule: FieldRule) -> Any:
    """The value of Odoo field `name`, or None when the source has none (and no default)."""
    if rule.when is not None and not holds(rule.when, record):
        return None
    value = _given(record, name, rule)
    if value is None and rule.otherwise is not None:
        value = field_value(record, name, rule.otherwise)
    if value is not None:
        return value
    if rule.has_default:
        return rule.default
    if rule.required:
        raise RecordError(f"field {name!r}: required value missing at {_where(rule)}")
    return None


def mapped_values(
    record: dict, fields: dict[str, FieldRule], digits: dict[str, int] | None = None
) -> dict[str, Any]:
    """All present mapped fields of `record`; numbers rounded to the decimals Odoo keeps of
    their field (`digits`), so what Odoo stores compares equal on the next run."""
    vals = {}
    for name, rule in fields.items():
        value = field_value(record, name, rule)
        if value is not None:
            if digits and name in digits and isinstance(value, float):
                value = round_half_up(value, digits[name])
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
    record: dict,
    fields: dict[str, FieldRule],
    constants: dict,
    lookups: dict[str, LookupRule],
    digits: dict[str, int] | None = None,
) -> PendingValues:
    """Mapped fields, constants and pending lookups of one record or line."""
    pending = PendingValues(vals={**mapped_values(record, fields, digits), **constants})
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
            lines.append(
                pending_values(item, rule.fields, rule.constants, rule.lookups, rule.digits)
            )
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
    header = pending_values(
        record, mapping.fields, mapping.constants, mapping.lookups, mapping.digits
    )
    lines = {}
    for name, rule in mapping.lines.items():
        values = line_values(record, rule)
        if values is not None:
            lines[name] = values
    return PreparedRecord(header=header, lines=lines)
