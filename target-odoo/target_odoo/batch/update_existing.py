"""Step 4: existing records read (one call, plus one per line field), compared with the mapped
values, and only what changed written, header and lines in one call (records with the same
changes share it). Lines become commands in target_odoo.line_commands (replaced, or updated in
place with `match_by`). A record whose document is locked (`locked_when`: posted invoice) is
never rewritten."""

from __future__ import annotations

import json
from typing import Any

from odoo_client.errors import OdooError, WriteOutcomeUnknownError
from target_odoo.batch.items import BatchContext, Item, error_text, mark
from target_odoo.bounds import isolate, raise_if_run_ending
from target_odoo.compare import changed_values
from target_odoo.line_commands import line_commands
from target_odoo.mapping import LinesRule
from target_odoo.record_values import RecordError
from target_odoo.results import UPDATED
from target_odoo.rights import is_access_rights_refusal


def fields_to_read(ctx: BatchContext) -> list[str]:
    """The fields of an existing record the batch compares or guards on."""
    mapping = ctx.mapping
    names = set(mapping.fields) | set(mapping.constants) | set(mapping.lookups)
    names |= set(mapping.lines)
    names |= {rule.zero_when.field for rule in mapping.lines.values() if rule.zero_when}
    if mapping.locked_when:
        names.add(mapping.locked_when.field)
    names |= {a.unless.field for a in mapping.after if a.unless}
    if mapping.marker:
        names.add(mapping.marker)
    return sorted(names)


def read_current(ctx: BatchContext, items: list[Item]) -> None:
    """Read the existing records (`item.current`), their lines too. A record deleted in Odoo
    meanwhile is created again: its identity is forgotten."""
    if not items:
        return
    try:
        rows = ctx.client.read(ctx.model, [i.outcome.odoo_id for i in items], fields_to_read(ctx))
    except OdooError as error:
        raise_if_run_ending(error)
        for item in items:
            item.fail(f"reading the existing record failed: {error_text(error)}")
        return
    by_id = {row["id"]: row for row in rows}
    dangling = [i for i in items if i.outcome.odoo_id not in by_id]
    for item in dangling:  # the record was deleted in Odoo: create it again
        item.outcome.odoo_id, item.outcome.existing = None, False
    if dangling and not ctx.settings.dry_run:
        ctx.external_ids.forget(ctx.model, [i.name for i in dangling])
    for item in items:
        item.current = by_id.get(item.outcome.odoo_id, {})
    _read_current_lines(ctx, [i for i in items if i.current])


def _line_fields(rule: LinesRule) -> set[str]:
    """The fields of existing lines the comparison reads."""
    names = set(rule.fields) | set(rule.constants) | set(rule.lookups)
    names |= set(rule.match_by) | set(rule.always_write)
    names |= set(rule.not_below) | set(rule.not_below.values())
    if rule.leave_when:
        names.add(rule.leave_when.field)
    return names


def _read_current_lines(ctx: BatchContext, items: list[Item]) -> None:
    for one2many, rule in ctx.mapping.lines.items():
        line_ids = [
            lid
            for i in items
            if one2many in i.prepared.lines
            for lid in i.current.get(one2many) or []
        ]
        if not line_ids:
            continue
        fields = sorted(_line_fields(rule))
        try:
            rows = {row["id"]: row for row in ctx.client.read(rule.model, line_ids, fields)}
        except OdooError as error:
            raise_if_run_ending(error)
            for item in items:
                item.fail(f"reading the existing {one2many} failed: {error_text(error)}")
            return
        for item in items:
            ids = item.current.get(one2many) or []
            item.current[one2many] = [rows[lid] for lid in ids if lid in rows]


def _changes(ctx: BatchContext, item: Item) -> dict[str, Any]:
    """What to write: changed header values, and line commands (target_odoo.line_commands).
    Raises RecordError when the source asks for what a lines rule forbids."""
    changes = changed_values(item.prepared.header.resolved(), item.current)
    for one2many, lines in item.prepared.lines.items():
        desired = [line.resolved() for line in lines]
        current = item.current.get(one2many) or []
        rule = ctx.mapping.lines[one2many]
        commands = line_commands(one2many, rule, desired, current, item.current)
        if commands:
            changes[one2many] = commands
    return changes


def update(ctx: BatchContext, items: list[Item]) -> None:
    """Write what changed: one call per distinct change set (Odoo refusing it, one per record)."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        state = ctx.locked_state(item)
        try:
            changes = _changes(ctx, item)
        except RecordError as error:
            if state is None:
                item.fail(str(error))
            else:  # a locked document is not rewritten, whatever the source asks
                _leave_locked(ctx, item, state)
            continue
        if not changes:
            continue
        if state is not None:
            _leave_locked(ctx, item, state)
            continue
        groups.setdefault(json.dumps(changes, sort_keys=True, default=str), []).append(item)
    for changes_json, same in groups.items():
        changes = json.loads(changes_json)
        if ctx.settings.dry_run:
            mark(same, "would_update")
            continue
        _write_group(ctx, same, changes)


def _leave_locked(ctx: BatchContext, item: Item, state: str) -> None:
    message = f"{ctx.model} {item.outcome.odoo_id} is {state}: not rewritten"
    if ctx.settings.posted_documents == "fail":
        item.fail(message + " (posted_documents=fail)")
    else:
        item.outcome.note = message


def _write_group(ctx: BatchContext, items: list[Item], changes: dict) -> None:
    try:
        ctx.client.write(ctx.model, [i.outcome.odoo_id for i in items], changes)
        mark(items, UPDATED)
    except WriteOutcomeUnknownError:
        for item in items:
            item.fail("Odoo's answer to the update was lost; re-run to reconcile")
    except OdooError as error:
        raise_if_run_ending(error)
        if len(items) == 1 or is_access_rights_refusal(error):
            for item in items:
                item.fail(error_text(error))
            return
        # isolate the record Odoo refused
        isolate(items, f"{ctx.model}.write", error, lambda i: _write_group(ctx, [i], changes))
