"""Step 1: each source record mapped (mapping.json) into Odoo values, one Item per record; a
record that cannot be mapped fails alone, naming the field and source path."""

from __future__ import annotations

from target_odoo.attachments import source_attachments
from target_odoo.batch.items import BatchContext, Item
from target_odoo.paths import read_path
from target_odoo.record_values import RecordError, prepare_record
from target_odoo.results import UNCHANGED, Outcome, record_hash


def map_record(ctx: BatchContext, record: dict) -> Item:
    """The record's Item: its source key and identity, its mapped values and files (or why it
    cannot be written)."""
    mapping = ctx.mapping
    key = read_path(record, mapping.key)
    outcome = Outcome(
        stream=mapping.stream,
        key=None if key is None else str(key),
        status=UNCHANGED,
        model=ctx.model,
        hash=record_hash(record),
        dry_run=ctx.settings.dry_run,
    )
    item = Item(record=record, outcome=outcome, deleted=record.get("_sdc_deleted_at") is not None)
    if key in (None, ""):
        item.fail(f"no source key at {mapping.key!r}")
        return item
    skip = mapping.skip_when
    if skip and read_path(record, skip.path) in skip.values:
        item.outcome.note = mapping.skip_note
        return item  # no name: never written
    item.name = ctx.external_ids.identity_name(mapping.stream, key)
    if not item.deleted:
        try:
            item.prepared = prepare_record(record, mapping)
            if mapping.attachments:
                item.files, missing = source_attachments(
                    record, mapping.attachments, ctx.settings.input_path
                )
                if missing:
                    item.outcome.note = f"not attached: {'; '.join(missing)}"
        except RecordError as error:
            item.fail(str(error))
    return item


def drop_superseded(items: list[Item]) -> None:
    """Of several records with the same key in one batch, the last one is written."""
    last = {item.name: item for item in items if item.live}
    for item in items:
        if item.live and last[item.name] is not item:
            item.outcome.status = UNCHANGED
            item.outcome.note = "superseded by a later record with the same key in this batch"
            item.name = ""
