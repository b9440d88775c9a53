"""Seeded values that do not live in a model's row: company-dependent values (a cost and a credit
limit per company), French names of the products, and a second company's warehouse with stock.

Everything here is derived from ids and the values seeded before (no random draws), so the data
seeded earlier stays the same for a given seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import company_values, translations
from .bulk import insert_rows, magic

if TYPE_CHECKING:
    from .engine import Engine

LANG = "fr_FR"
FRENCH_NOUNS = {
    "Desk": "Bureau",
    "Chair": "Chaise",
    "Lamp": "Lampe",
    "Cabinet": "Armoire",
    "Monitor": "Écran",
    "Keyboard": "Clavier",
    "Shelf": "Étagère",
    "Table": "Table",
    "Drawer": "Tiroir",
    "Sofa": "Canapé",
    "Printer": "Imprimante",
    "Cable": "Câble",
    "Router": "Routeur",
    "Bin": "Corbeille",
    "Board": "Planche",
    "Stool": "Tabouret",
}
FRENCH_ADJECTIVES = {
    "Large": "grand",
    "Small": "petit",
    "Ergonomic": "ergonomique",
    "Corner": "d'angle",
    "Office": "de bureau",
    "Wireless": "sans fil",
    "Steel": "en acier",
    "Oak": "en chêne",
    "Glass": "en verre",
}
SECOND_COMPANY = 2
# (id, name, complete name, parent, usage, warehouse) of the second company's locations
SECOND_LOCATIONS = [(9, "CH", "CH", 1, "view", 2), (10, "Stock", "CH/Stock", 9, "internal", 2)]


def french_name(name: str) -> str:
    """`Large Desk` -> `Bureau grand` (noun first, as French puts it)."""
    adjective, _, noun = name.partition(" ")
    return f"{FRENCH_NOUNS.get(noun, noun)} {FRENCH_ADJECTIVES.get(adjective, adjective)}"


def seed_field_kinds(engine: Engine, stamp: str, products: list[tuple]) -> None:
    """Costs per company, credit limits, French product names, stock of the second company."""
    costs = []
    for pid, _name, _price, cost, _code in products:
        costs.append(("product.product", "standard_price", pid, 1, cost))
        if pid % 2 == 0:
            costs.append(("product.product", "standard_price", pid, SECOND_COMPANY, cost * 1.08))
    company_values.set_rows(engine.storage, [(*row[:4], round(row[4], 2)) for row in costs])
    customers = engine.storage.execute(
        "SELECT id FROM res_partner WHERE customer_rank > 0 ORDER BY id LIMIT 200"
    ).fetchall()
    limits = []
    for (partner,) in customers[::4]:
        limits.append(("res.partner", "credit_limit", partner, 1, float(1000 * (partner % 5 + 1))))
        limits.append(("res.partner", "credit_limit", partner, SECOND_COMPANY, 750.0))
        limits.append(("res.partner", "property_payment_term_id", partner, 1, partner % 4 + 1))
    company_values.set_rows(engine.storage, limits)
    template_names = engine.storage.execute("SELECT id, name FROM product_template").fetchall()
    translations.set_rows(
        engine.storage,
        [
            ("product.template", "name", tid, LANG, french_name(name))
            for tid, name in template_names
        ],
    )
    _seed_second_warehouse(engine, stamp, [pid for pid, *_ in products])


def _seed_second_warehouse(engine: Engine, stamp: str, product_ids: list[int]) -> None:
    m = magic(stamp)
    engine.storage.execute("UPDATE stock_location SET warehouse_id = 1 WHERE id IN (6, 8)")
    insert_rows(
        engine,
        "stock.location",
        [
            {
                "id": lid,
                "name": name,
                "complete_name": complete,
                "location_id": parent,
                "usage": usage,
                "warehouse_id": warehouse,
                "company_id": SECOND_COMPANY,
                "active": True,
                **m,
            }
            for lid, name, complete, parent, usage, warehouse in SECOND_LOCATIONS
        ],
    )
    insert_rows(
        engine,
        "stock.warehouse",
        [
            {
                "id": 2,
                "name": "Chicago",
                "code": "CH",
                "company_id": SECOND_COMPANY,
                "partner_id": 4,
                "lot_stock_id": 10,
                "view_location_id": 9,
                "active": True,
                "sequence": 20,
                **m,
            }
        ],
    )
    insert_rows(
        engine,
        "stock.quant",
        [
            {
                "product_id": pid,
                "location_id": 10,
                "quantity": float(pid % 37 + 3),
                "reserved_quantity": float(pid % 3),
                "company_id": SECOND_COMPANY,
                "in_date": stamp[:19],
                **m,
            }
            for pid in product_ids
            if pid % 4 == 0
        ],
    )
    # Some stock of the first warehouse is reserved: free quantity < quantity on hand.
    engine.storage.execute(
        "UPDATE stock_quant SET reserved_quantity = 1.0 "
        "WHERE location_id = 8 AND product_id % 6 = 0 AND quantity >= 1"
    )
