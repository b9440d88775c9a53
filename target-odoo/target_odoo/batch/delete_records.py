"""Step 7: records deleted in the source (`_sdc_deleted_at`), per `delete_mode`: archived
(`active = False`), or cancelled by the model's cancel action (invoices, orders), or unlinked.
One call per batch; Odoo refusing it, one per record. A cancel whose answer was lost or refused
is checked by reading the state back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from odoo_client.errors import OdooError, WriteOutcomeUnknownError
from target_odoo.batch.items import BatchContext, Item, error_text, mark
from target_odoo.bounds import isolate, raise_if_run_ending
from target_odoo.results import DELETED, UNCHANGED


def delete(ctx: BatchContext, items: list[Item]) -> None:
    """Delete the items' Odoo records as `delete_mode` says."""
    present = [i for i in items if i.outcome.existing]
    for item in items:
        if not item.outcome.existing:
            item.outcome.note = "deleted in the source; not in Odoo"
    if not present:
        return
    if ctx.settings.dry_run:
        mark(present, "would_delete")
        return
    if ctx.settings.delete_mode == "unlink":
        _unlink(ctx, present)
    elif ctx.mapping.has_active:
        archive = {"active": False}
        _delete_call(ctx, present, "archive", lambda ids: ctx.client.write(ctx.model, ids, archive))
    elif ctx.mapping.cancel:
        _cancel(ctx, present)
    else:
        for item in present:
            item.fail(
                f"delete (archive) failed: {ctx.model} has no 'active' field and no cancel "
                f"action to archive it with; set delete_mode=unlink, or give stream "
                f"{ctx.mapping.stream!r} a 'cancel' rule in the mapping"
            )


def _unlink(ctx: BatchContext, items: list[Item]) -> None:
    rule = ctx.mapping.cancel
    if rule and rule.before_unlink:  # Odoo deletes orders only once cancelled
        items = _cancel(ctx, items)
        for item in items:
            item.outcome.status = UNCHANGED
    hint = ""
    if rule and rule.before_unlink:
        hint = f"It is cancelled ({rule.method}) but still in Odoo."
    elif rule:
        hint = f"The record is kept (delete_mode=archive would cancel it with {rule.method})."
    done = _delete_call(
        ctx, items, "unlink", lambda ids: ctx.client.unlink(ctx.model, ids), hint=hint
    )
    if done:
        ctx.external_ids.forget(ctx.model, [i.name for i in done])


def _cancel(ctx: BatchContext, items: list[Item]) -> list[Item]:
    """Archive by the model's cancel action; answer the items now cancelled."""
    rule = ctx.mapping.cancel
    guard = rule.done
    todo = items
    if guard:
        try:
            states = ctx.states(items, guard.field)
        except OdooError as error:
            raise_if_run_ending(error)
            for item in items:
                item.fail(f"delete (archive) failed: reading {guard.field}: {error}")
            return []
        todo = []
        for item in items:
            state = states.get(item.outcome.odoo_id)
            if state in guard.values:
                item.outcome.status = DELETED
                item.outcome.note = f"already {state} in Odoo"
            else:
                todo.append(item)
    what = f"archive: {rule.method}"
    _delete_call(
        ctx,
        todo,
        what,
        lambda ids: ctx.client.call(ctx.model, rule.method, ids),
        settled=(lambda items: _cancelled(ctx, items)) if guard else None,
    )
    return [i for i in items if i.outcome.status == DELETED]


def _cancelled(ctx: BatchContext, items: list[Item]) -> list[Item]:
    """After a cancel call failed or lost its answer: the items Odoo cancelled anyway."""
    guard = ctx.mapping.cancel.done
    try:
        states = ctx.states(items, guard.field)
    except OdooError as error:
        raise_if_run_ending(error)
        return []
    return [i for i in items if states.get(i.outcome.odoo_id) in guard.values]


def _delete_call(
    ctx: BatchContext,
    items: list[Item],
    what: str,
    action: Callable[[list[int]], Any],
    hint: str = "",
    settled: Callable[[list[Item]], list[Item]] | None = None,
) -> list[Item]:
    """One call for all; Odoo refusing it, one by one. Answer the items deleted."""
    if not items:
        return []
    try:
        action([i.outcome.odoo_id for i in items])
    except OdooError as error:
        raise_if_run_ending(error)
        done = settled(items) if settled else []
        mark(done, DELETED)
        gone = {id(i) for i in done}
        rest = [i for i in items if id(i) not in gone]
        if isinstance(error, WriteOutcomeUnknownError) or len(rest) <= 1:
            text = f"delete ({what}) failed: {error_text(error)}"
            if hint:
                text = f"{text.rstrip('.')}. {hint}"
            for item in rest:
                item.fail(text)
            return done
        isolate(
            rest,
            f"delete ({what}) of {ctx.model}",
            error,
            lambda i: done.extend(_delete_call(ctx, [i], what, action, hint, settled)),
        )
        return done
    mark(items, DELETED)
    return items
