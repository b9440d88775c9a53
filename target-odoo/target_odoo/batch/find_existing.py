"""Step 3: which records Odoo already has, by their identity: external ids of the namespace
(one ir.model.data search per batch) or, for a user who may not use them, the identity field
each record carries (one search_read per batch; target_odoo.identity)."""

from __future__ import annotations

from target_odoo.batch.items import BatchContext, Item


def find_existing(ctx: BatchContext, items: list[Item]) -> None:
    """Set each item's Odoo id (and `existing`); an item whose identity cannot be kept or is
    claimed by several records fails saying so."""
    existing = ctx.external_ids.find(ctx.model, [i.name for i in items])
    for item in items:
        item.outcome.odoo_id = existing.get(item.name)
        item.outcome.existing = item.outcome.odoo_id is not None
        problem = ctx.external_ids.problem(item.name)
        if problem:
            item.fail(problem)
