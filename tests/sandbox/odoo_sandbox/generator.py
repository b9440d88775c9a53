"""Deterministic seeded data: companies, people, products, taxes, accounts, invoices, orders.

Sizes grow with `scale` (partners = 1000 * scale). Rows are bulk-inserted in "import batches" whose
rows share one write_date (with microseconds), spread over the year before ANCHOR.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from .bulk import ANCHOR, Stamps
from .seed_base import seed_base_data
from .seed_contacts import seed_partners, seed_products
from .seed_documents import (
    seed_attachments,
    seed_invoice_report,
    seed_moves,
    seed_orders,
    seed_stock,
)
from .seed_kinds import seed_field_kinds
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine


def dataset_sizes(scale: int) -> dict[str, int]:
    """How many generated records of each kind a scale gives (partners = 1000 * scale)."""
    scale = max(1, int(scale))
    return {
        "partners": 1000 * scale,
        "products": 20 * scale + 30,
        "invoices": 40 * scale + 10,
        "bills": 20 * scale + 6,
        "purchase_orders": 20 * scale + 6,
        "sale_orders": 20 * scale + 6,
    }


def generate(engine: Engine, scale: int = 1, seed: int = 42) -> None:
    """Fill an empty database (deterministic for a given scale and seed)."""
    rng = random.Random(seed)
    sizes = dataset_sizes(scale)
    start, span = ANCHOR - timedelta(days=365), timedelta(days=360)

    def stamps(rows: int) -> Stamps:
        return Stamps(rng, start, span, rows)

    base = db_timestamp(ANCHOR - timedelta(days=366))
    seed_base_data(engine, base)
    seed_partners(engine, rng, stamps(sizes["partners"]), sizes["partners"])
    for model in engine.models.values():
        engine.storage.create_indexes(model)
    products = seed_products(engine, rng, stamps(sizes["products"]), sizes["products"])
    moves = sizes["invoices"] + sizes["bills"]
    seed_moves(engine, rng, stamps(moves), products, sizes["invoices"], sizes["bills"])
    for model in ("purchase.order", "sale.order"):
        count = sizes[model.replace(".", "_") + "s"]
        seed_orders(engine, rng, stamps(count), products, model, count)
    seed_stock(engine, rng, base, products)
    seed_field_kinds(engine, base, products)
    seed_invoice_report(engine)
    seed_attachments(engine, base)
