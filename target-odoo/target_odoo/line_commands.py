"""How the lines of an existing record are brought to what the source says: one2many commands
for the header's one `write`.

Without `match_by` in the lines rule, changed lines are replaced: every existing line removed
(2, id), every source line created (0, 0, vals). With it (purchase order lines, by product), each
source line is paired with the existing line that has the same values of those fields, in order:

- a paired line whose values differ is updated in place (1, id, changed values plus the rule's
  `always_write` fields: a purchase line's price goes with its quantity, since Odoo recomputes the
  price from the vendor's pricelist when the quantity is written alone);
- a source line without a pair is added (0, 0, vals);
- an existing line without a pair is removed (2, id), or, when the header is in a `zero_when`
  state (a confirmed order, whose lines Odoo refuses to delete), set to `zero` (quantity 0);
- existing lines matching `leave_when` (sections and notes added in Odoo) are left alone;
- a line never goes below its `not_below` floor (what was received): the record fails, saying so.
"""

from __future__ import annotations

from typing import Any

from target_odoo.compare import changed_values, same_lines, same_value
from target_odoo.mapping import LinesRule
from target_odoo.record_values import RecordError


def _plain(value: Any) -> Any:
    """A many2one read as [id, name] is its id."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        return value[0]
    return value


def _label(rule: LinesRule, row: dict) -> str:
    """The existing line, for messages: `line 7 (Desk)`."""
    names = [row[f][1] for f in rule.match_by if isinstance(row.get(f), list) and len(row[f]) == 2]
    return f"line {row['id']}" + (f" ({', '.join(names)})" if names else "")


def _check_floor(one2many: str, rule: LinesRule, row: dict, vals: dict | None) -> None:
    """Raise when the line would go below one of its floors (`vals` None: it is gone from the
    source, to be removed or zeroed)."""
    for name, floor_field in rule.not_below.items():
        floor = row.get(floor_field) or 0
        if floor <= 0:
            continue
        if vals is None:
            raise RecordError(
                f"{one2many}: {_label(rule, row)} is gone from the source but has {floor_field} "
                f"{floor:g}: it cannot be removed nor go below that; keep it in the source with "
                f"{name} >= {floor:g} (or return the goods in Odoo first)"
            )
        wanted = vals.get(name)
        if isinstance(wanted, (int, float)) and wanted < floor - 1e-9:
            raise RecordError(
                f"{one2many}: {_label(rule, row)} has {floor_field} {floor:g}; its {name} cannot "
                f"go below that (the source asks {wanted:g}): send {name} >= {floor:g} (or "
                "return the goods in Odoo first)"
            )


def _key(rule: LinesRule, values: dict) -> tuple:
    """What pairs a source line with an existing one (empty as Odoo reads it, False, is None)."""
    return tuple(
        None if values.get(name) in (None, False) else _plain(values[name])
        for name in rule.match_by
    )


def line_commands(
    one2many: str, rule: LinesRule, desired: list[dict], current: list[dict], header: dict
) -> list | None:
    """The commands that make the existing lines (`current`, as read) hold the `desired` values;
    None when they already do. `header` is the existing record (its state, for `zero_when`).
    Raises RecordError when the source asks what the rule forbids (below a floor)."""
    if not rule.match_by:
        if same_lines(desired, current):
            return None
        return [(2, row["id"]) for row in current] + [(0, 0, vals) for vals in desired]
    leave = rule.leave_when
    unpaired = [row for row in current if not (leave and row.get(leave.field) in leave.values)]
    updates, added = [], []
    for want in desired:
        row = next((r for r in unpaired if _key(rule, r) == _key(rule, want)), None)
        if row is None:
            added.append((0, 0, want))
            continue
        unpaired.remove(row)
        changed = changed_values(want, row)
        if changed:
            _check_floor(one2many, rule, row, want)
            kept = {name: want[name] for name in rule.always_write if name in want}
            updates.append((1, row["id"], {**changed, **kept}))
    guard = rule.zero_when
    zeroing = guard is not None and header.get(guard.field) in guard.values
    removed = []
    for row in unpaired:
        if not zeroing:
            _check_floor(one2many, rule, row, None)
            removed.append((2, row["id"]))
            continue
        zero = {k: v for k, v in rule.zero.items() if not same_value(v, row.get(k))}
        if zero:
            _check_floor(one2many, rule, row, None)
            kept = {name: _plain(row[name]) for name in rule.always_write if name in row}
            updates.append((1, row["id"], {**zero, **kept}))
    return [*updates, *removed, *added] or None
