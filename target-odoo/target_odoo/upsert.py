"""Write one batch of one stream: idempotent upsert by external id, lines with their header,
business actions after, deletes; one outcome per source record.

BatchWriter only runs the steps in order; each step lives in its own module of
`target_odoo.batch` (README "How a batch is written" lists them)."""

from __future__ import annotations

from typing import Any

from target_odoo.batch import (
    create_new,
    delete_records,
    find_existing,
    map_records,
    resolve_lookups,
    run_actions,
    update_existing,
)
from target_odoo.batch.items import BatchContext, Item, WriteSettings
from target_odoo.batch_order import split_self_references
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import StreamMapping
from target_odoo.recovery import Unrecorded
from target_odoo.results import Outcome

__all__ = ["BatchWriter", "Item", "WriteSettings"]


class BatchWriter:
    """Writes batches of one stream by its mapping."""

    def __init__(
        self,
        client: Any,
        mapping: StreamMapping,
        external_ids: ExternalIds,  # or identity.FieldIdentities (identities on the records)
        resolver: LookupResolver,
        settings: WriteSettings,
        deferred: list[Item] | None = None,
    ) -> None:
        self.client = client
        self.deferred = deferred  # where `after_at_end` actions wait for the end of the input
        self.mapping = mapping
        self.external_ids = external_ids
        self.resolver = resolver
        self.settings = settings
        self.model = mapping.model
        self.unrecorded = Unrecorded(client, mapping, settings.namespace)
        self.context = BatchContext(
            client, mapping, external_ids, resolver, settings, self.unrecorded
        )
        # id(record) -> its item, and the records whose batch ran to the end: what a run that
        # ends mid-batch reports (unfinished.py)
        self.items: dict[int, Item] = {}
        self.completed: set[int] = set()

    def write(self, records: list[dict]) -> list[Outcome]:
        """Write a batch; never raises for a bad record, only for an unusable connection.

        Records pointing at another record of the same batch (a contact's parent company) are
        written after it, so the lookup finds its external id.
        """
        first, later = split_self_references(records, self.mapping)
        if not later or not first:
            return self._write(records)
        done = {id(r): o for r, o in zip(first, self._write(first), strict=True)}
        done.update({id(r): o for r, o in zip(later, self.write(later), strict=True)})
        return [done[id(record)] for record in records]

    def _write(self, records: list[dict]) -> list[Outcome]:
        ctx = self.context
        items = [self._item(record) for record in records]
        map_records.drop_superseded(items)
        resolve_lookups.resolve_lookups(ctx, [i for i in items if i.live and not i.deleted])
        find_existing.find_existing(ctx, [i for i in items if i.live])
        live = [i for i in items if i.live]
        delete_records.delete(ctx, [i for i in live if i.deleted])
        upserts = [i for i in live if not i.deleted]
        create_new.adopt_unrecorded(ctx, [i for i in upserts if i.live and not i.outcome.existing])
        update_existing.read_current(ctx, [i for i in upserts if i.live and i.outcome.existing])
        update_existing.update(ctx, [i for i in upserts if i.live and i.outcome.existing])
        create_new.create(ctx, [i for i in upserts if i.live and not i.outcome.existing])
        run_actions.attach_files(
            ctx, [i for i in upserts if i.live and i.outcome.odoo_id and i.files]
        )
        create_new.clear_markers(ctx, [i for i in upserts if i.live and i.outcome.odoo_id])
        written = [i for i in upserts if i.live and i.outcome.odoo_id]
        if self.mapping.after_at_end and self.deferred is not None:
            self.deferred.extend(run_actions.waiting(ctx, written))
        else:
            for action in self.mapping.after:
                run_actions.run_after(ctx, action, written)
        self.completed.update(id(item.record) for item in items)
        return [item.outcome for item in items]

    def _item(self, record: dict) -> Item:
        item = map_records.map_record(self.context, record)
        self.items[id(record)] = item
        return item

    def run_deferred(self, items: list[Item]) -> list[Outcome]:
        """Run the `after` actions that waited for the end of the input; answer an outcome for
        each record an action failed on (the record's own outcome was reported when written)."""
        for action in self.mapping.after:
            run_actions.run_after(self.context, action, [i for i in items if i.live])
        failed = [i.outcome for i in items if not i.outcome.success]
        for outcome in failed:
            outcome.note = "the record was written; this action ran at the end of the input"
        return failed
