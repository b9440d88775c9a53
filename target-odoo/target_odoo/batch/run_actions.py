"""Step 6: after writing, files attached, then the business actions (`after`: action_post,
button_confirm), one call per batch; Odoo refusing it, one per record. An action whose answer
was lost is never sent again: its `unless` state is read back."""

from __future__ import annotations

from dataclasses import replace

from odoo_client.errors import OdooError, WriteOutcomeUnknownError
from target_odoo.attachments import attach
from target_odoo.batch.items import BatchContext, Item, error_text
from target_odoo.bounds import isolate, raise_if_run_ending
from target_odoo.mapping import AfterAction
from target_odoo.record_values import holds
from target_odoo.results import UNCHANGED, UPDATED


def attach_files(ctx: BatchContext, items: list[Item]) -> None:
    """Attach the items' files (those not yet on the record), in one call."""
    if not items or ctx.settings.dry_run:
        return
    try:
        attach(ctx.client, ctx.model, {i.outcome.odoo_id: i.files for i in items})
    except OdooError as error:
        raise_if_run_ending(error)
        for item in items:
            item.fail(f"attaching files failed: {error_text(error)}")


def wants(action: AfterAction, item: Item) -> bool:
    """Whether the action applies: its `when` holds for the source record and the Odoo record
    is not yet in an `unless` state."""
    if action.when is not None and not holds(action.when, item.record):
        return False
    unless = action.unless
    return not (unless and item.current.get(unless.field) in unless.values)


def run_after(ctx: BatchContext, action: AfterAction, items: list[Item]) -> None:
    """Call the action on the items that want it (one call; refused, one per record), unless
    the setting it names is on (export_buy_orders_as_draft)."""
    if action.unless_setting in ctx.settings.switches:
        return
    targets = [i for i in items if wants(action, i) and ctx.locked_state(i) is None]
    if not targets or ctx.settings.dry_run:
        return
    try:
        ctx.client.call(ctx.model, action.method, [i.outcome.odoo_id for i in targets])
    except WriteOutcomeUnknownError as error:
        _settle_after(ctx, action, targets, error)  # never re-sent blindly
        return
    except OdooError as error:
        raise_if_run_ending(error)
        if len(targets) == 1:
            targets[0].fail(f"{action.method} failed: {error_text(error)}")
            return
        # Odoo refused the call (rolled back): isolate the record
        what = f"{ctx.model}.{action.method}"
        isolate(targets, what, error, lambda i: run_after(ctx, action, [i]))
        return
    _acted(targets)


def _acted(items: list[Item]) -> None:
    for item in items:
        if item.outcome.status == UNCHANGED:
            item.outcome.status = UPDATED


def _settle_after(
    ctx: BatchContext, action: AfterAction, items: list[Item], error: OdooError
) -> None:
    """An action whose answer was lost: read the state back; records now in an `unless`
    state (posted, confirmed) were acted on, the others fail with "re-run"."""
    lost = f"{action.method}: Odoo's answer was lost ({error_text(error)})"
    guard = action.unless
    if guard is None:
        for item in items:
            item.fail(f"{lost}; whether it ran is unknown: check the record in Odoo")
        return
    try:
        states = ctx.states(items, guard.field)
    except OdooError as read_error:
        raise_if_run_ending(read_error)
        for item in items:
            item.fail(
                f"{lost} and reading {guard.field} back failed ({error_text(read_error)}); "
                "check the record in Odoo, a re-run does what is missing"
            )
        return
    done = [i for i in items if states.get(i.outcome.odoo_id) in guard.values]
    _acted(done)
    for item in items:
        if all(item is not d for d in done):
            state = states.get(item.outcome.odoo_id)
            item.fail(f"{lost} and it did not happen ({guard.field} is {state!r}); re-run")


def waiting(ctx: BatchContext, items: list[Item]) -> list[Item]:
    """The items an `after` action wants, kept light (the source fields its condition reads,
    the state its guard reads) with their own outcome: the record's is reported. They wait for
    the end of the input (`after_at_end`: a copied move is posted once its lines are in)."""
    after = ctx.mapping.after
    paths = {a.when.path for a in after if a.when}
    keep_all = any(not isinstance(path, str) for path in paths)
    kept = []
    for item in items:
        if not any(wants(action, item) for action in after):
            continue
        record = item.record if keep_all else {p: item.record.get(p) for p in paths}
        kept.append(
            Item(
                record=record,
                outcome=replace(item.outcome, status=UNCHANGED, note=None),
                name=item.name,
                current=dict(item.current),
            )
        )
    return kept
