"""Step 5: new records. First, records of ours a stopped run created without recording their
external id are looked for by marker or natural key and adopted (then compared and updated like
any existing record). The others are created in one `create` call, each header with its lines;
Odoo refusing the call, one by one to isolate the refused one. Their external ids are recorded
in one call; a create whose answer was lost is never sent again: what it made is looked for.
Once the external id is recorded, the create marker is cleared."""

from __future__ import annotations

from typing import Any

from odoo_client.errors import AccessDeniedError, OdooError, WriteOutcomeUnknownError
from target_odoo.batch.items import BatchContext, Item, error_text, mark
from target_odoo.bounds import isolate, raise_if_run_ending
from target_odoo.results import CREATED
from target_odoo.rights import is_access_rights_refusal
from target_odoo.stopping import finishing

LOST_ANSWER = (
    "Odoo's answer to the create was lost and the records it may have made could not be told "
    "apart; check for duplicates before re-running"
)
LOST_NOTHING_MADE = "Odoo's answer to the create was lost and nothing was created; re-run"
ADOPTED = (
    "found by its {what} (created by an earlier run that stopped before recording its external "
    "id); external id recorded"
)


def create_values(ctx: BatchContext, item: Item) -> dict[str, Any]:
    """The values of the item's `create`: header, identity or marker, lines as (0, 0, vals)."""
    mapping = ctx.mapping
    vals = {**mapping.on_create, **item.prepared.header.resolved()}
    vals.update(ctx.external_ids.create_values(mapping.stream, item.name))
    if mapping.marker:
        vals[mapping.marker] = ctx.unrecorded.marker_value(item.name)
    for one2many, lines in item.prepared.lines.items():
        vals[one2many] = [(0, 0, line.resolved()) for line in lines]
    return vals


def _identities(ctx: BatchContext, items: list[Item]) -> dict[str, tuple]:
    found = {}
    for item in items:
        identity = ctx.unrecorded.identity(item.name, create_values(ctx, item))
        if identity is not None:
            found[item.name] = identity
    return found


def adopt_unrecorded(ctx: BatchContext, items: list[Item]) -> None:
    """Records of ours without external id (a run stopped between create and external-id
    write) are adopted, then compared and updated like any existing record."""
    if not items or not ctx.unrecorded.enabled:
        return
    identities = _identities(ctx, items)
    found = ctx.unrecorded.find(identities)  # refused (access rights): the run stops
    claims: dict[int, int] = {}
    for ids in found.values():
        for res_id in ids:
            claims[res_id] = claims.get(res_id, 0) + 1
    adopted = []
    for item in items:
        ids = found.get(item.name, [])
        if len(ids) > 1:
            what = ctx.unrecorded.describe(identities[item.name])
            item.fail(
                f"{len(ids)} records of {ctx.model} created by this user carry {what} and "
                f"have no external id (ids {ids}): keep one, give it the external id "
                f"{ctx.unrecorded.marker_value(item.name)} or delete the others, and re-run"
            )
        elif ids and claims[ids[0]] == 1:  # a natural key two records share proves nothing
            item.outcome.odoo_id, item.outcome.existing = ids[0], True
            what = "marker" if ctx.mapping.marker else "natural key"
            item.outcome.note = ADOPTED.format(
                what=f"{what} {ctx.unrecorded.describe(identities[item.name])}"
            )
            adopted.append(item)
    if adopted and not ctx.settings.dry_run:
        record_external_ids(ctx, adopted, adopting=True)


def create(ctx: BatchContext, items: list[Item]) -> None:
    """Create the items in one call and record their identities."""
    if not items:
        return
    if ctx.settings.dry_run:
        mark(items, "would_create")
        return
    recognisable = ctx.unrecorded.enabled or ctx.external_ids.on_records
    floor = None if recognisable else ctx.unrecorded.highest_id()
    try:
        ids = ctx.client.create(ctx.model, [create_values(ctx, i) for i in items])
    except WriteOutcomeUnknownError:
        _recover_lost_create(ctx, items, floor)
        return
    except OdooError as error:
        raise_if_run_ending(error)
        if len(items) == 1 or is_access_rights_refusal(error):  # the model refuses them all
            for item in items:
                item.fail(error_text(error))
            return
        # one bad record fails the whole call: isolate it
        isolate(items, f"{ctx.model}.create", error, lambda i: create(ctx, [i]))
        return
    for item, res_id in zip(items, ids, strict=True):
        item.outcome.odoo_id = res_id
    mark(items, CREATED)
    with finishing(ctx.client):  # part of the create: runs even once stopping (the grace)
        record_external_ids(ctx, items)


def record_external_ids(ctx: BatchContext, items: list[Item], adopting: bool = False) -> None:
    """Record the items' external ids (nothing to write for identities on the records); a
    failure fails the items, saying what a re-run does."""
    try:
        ctx.external_ids.record(ctx.model, {i.name: i.outcome.odoo_id for i in items})
    except OdooError as error:  # even Odoo unavailable: the records fail, saying why
        how = "found" if adopting else "created"
        then = (
            f"a re-run finds it by its {', '.join(ctx.unrecorded.fields)} and adopts it"
            if ctx.unrecorded.enabled
            else "a re-run would create it again"
        )
        for item in items:
            item.fail(
                f"{how} as {ctx.model} {item.outcome.odoo_id} but its external id was not "
                f"recorded ({error_text(error)}); {then}"
            )


def _recover_lost_create(ctx: BatchContext, items: list[Item], floor: int | None) -> None:
    """A create whose answer was lost: adopt what it made, never send it blindly again."""
    try:
        if floor is None and ctx.external_ids.on_records:  # the create wrote the identity
            found_ids = ctx.external_ids.find(ctx.model, [i.name for i in items])
            ids = [found_ids.get(i.name) for i in items]
            made = any(ids)
        elif floor is None:
            identities = _identities(ctx, items)
            found = ctx.unrecorded.find(identities)
            ids = [found[i.name][0] if len(found.get(i.name, [])) == 1 else None for i in items]
            made = any(found.values())
        else:
            wanted = [
                {
                    k: v
                    for k, v in i.prepared.header.resolved().items()
                    if isinstance(v, (str, float))
                }
                for i in items
            ]
            matched = ctx.unrecorded.created_since(floor, wanted)
            made = matched is not None
            ids = matched or [None] * len(items)
    except AccessDeniedError:
        raise
    except OdooError as error:
        raise_if_run_ending(error)
        for item in items:
            item.fail(f"{LOST_ANSWER} (looking for them failed: {error_text(error)})")
        return
    found_items = []
    for item, res_id in zip(items, ids, strict=True):
        if res_id is None:
            item.fail(LOST_ANSWER if made else LOST_NOTHING_MADE)
        else:
            item.outcome.odoo_id = res_id
            found_items.append(item)
    mark(found_items, CREATED)
    if found_items:
        record_external_ids(ctx, found_items)


def clear_markers(ctx: BatchContext, items: list[Item]) -> None:
    """The create marker has done its work once the external id is recorded: it is cleared
    before any `after` action, so a customer never sees it (Odoo prints invoice_origin as
    "Source" on the invoice). A marker a stopped run left behind is cleared by the next run
    that finds the record; a value that is not our marker is never touched. Cleared means the
    value the mapping gives that field (v3's buy orders map `origin`), else empty: one call
    per value."""
    marker = ctx.mapping.marker
    if not marker or ctx.settings.dry_run:
        return
    todo: dict[Any, list[Item]] = {}
    for item in items:
        if item.outcome.status == CREATED or item.current.get(
            marker
        ) == ctx.unrecorded.marker_value(item.name):
            value = item.prepared.header.vals.get(marker, False)
            todo.setdefault(value, []).append(item)
    for value, same in todo.items():
        try:
            ctx.client.write(ctx.model, [i.outcome.odoo_id for i in same], {marker: value})
        except OdooError as error:  # the record is written and recorded: note it, go on
            raise_if_run_ending(error)
            note = f"its marker {marker} was not cleared ({error_text(error)}); the next run does"
            for item in same:
                item.outcome.note = f"{item.outcome.note}; {note}" if item.outcome.note else note
