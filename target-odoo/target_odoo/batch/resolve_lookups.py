"""Step 2: the lookups of the whole batch (partner, product, currency, ...), in one search per
model and field (target_odoo.lookups); then the records lookups create (a customer named on an
invoice), only for records nothing else fails, so a failed record leaves nothing behind."""

from __future__ import annotations

from target_odoo.batch.items import BatchContext, Item


def resolve_lookups(ctx: BatchContext, items: list[Item]) -> None:
    """Resolve the items' lookups; an item whose lookup fails fails with its reason."""
    requests = [r for item in items for r in item.prepared.lookup_requests()]
    ctx.resolver.resolve(requests, create=False)
    for item in items:
        error = item.prepared.lookup_error()
        if error:
            item.fail(error)
    ok = [item for item in items if item.live]
    ctx.resolver.create_missing([r for item in ok for r in item.prepared.lookup_requests()])
    for item in ok:
        error = item.prepared.lookup_error()
        if error:
            item.fail(error)
