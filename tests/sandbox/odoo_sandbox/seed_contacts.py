"""Seeded contacts (companies and their people) and products."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .bulk import Stamps, insert_rows, link_rows, magic
from .seed_base import COUNTRIES, TAGS

if TYPE_CHECKING:
    from .engine import Engine

FIRST = [
    "Addison",
    "Douglas",
    "Marc",
    "Mitchell",
    "Lucille",
    "Jesse",
    "Floyd",
    "Kim",
    "Edwin",
    "Toni",
    "Colleen",
    "Sandra",
    "Theodore",
    "Oscar",
    "Nadia",
    "Ines",
    "Pierre",
    "Anna",
    "Lars",
    "Sofia",
    "Ravi",
    "Mei",
    "Carlos",
    "Elena",
    "Tom",
    "Julia",
    "Ahmed",
    "Chloe",
]


LAST = [
    "Olson",
    "Fletcher",
    "Demo",
    "Admin",
    "Campbell",
    "Brown",
    "Steward",
    "Tyler",
    "Shaw",
    "Rhodes",
    "Diaz",
    "Hansen",
    "Peeters",
    "Dubois",
    "Schmidt",
    "Garcia",
    "Rossi",
    "Patel",
    "Nguyen",
    "Kowalski",
    "Jensen",
    "Martin",
    "Janssens",
    "Moreau",
    "Weber",
    "Lopez",
]


WORDS = [
    "Deco",
    "Azure",
    "Wood",
    "Ready",
    "Gemini",
    "Lumber",
    "Acme",
    "Nordic",
    "Bright",
    "Solar",
    "Blue",
    "Pioneer",
    "Summit",
    "Vertex",
    "Harbor",
    "Maple",
    "Quantum",
    "Cedar",
]


SUFFIX = [
    "Addict",
    "Interior",
    "Corner",
    "Mat",
    "Furniture",
    "Inc",
    "Trading",
    "Logistics",
    "Supplies",
    "Systems",
    "Partners",
    "Works",
    "Labs",
    "Group",
    "Studio",
    "Foods",
]


STREETS = [
    "Main Street",
    "Market Street",
    "Oak Avenue",
    "Station Road",
    "Rue Royale",
    "Hauptstrasse",
    "Calle Mayor",
    "High Street",
    "Church Lane",
    "Park Avenue",
]


JOBS = ["CEO", "CFO", "Accountant", "Purchasing Manager", "Sales Manager", "Engineer", False]


PRODUCTS = [
    "Desk",
    "Chair",
    "Lamp",
    "Cabinet",
    "Monitor",
    "Keyboard",
    "Shelf",
    "Table",
    "Drawer",
    "Sofa",
    "Printer",
    "Cable",
    "Router",
    "Bin",
    "Board",
    "Stool",
]


ADJ = ["Large", "Small", "Ergonomic", "Corner", "Office", "Wireless", "Steel", "Oak", "Glass"]


TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
    "rkJggg=="
)


def seed_partners(engine: Engine, rng: random.Random, stamps: Stamps, count: int) -> None:
    """Companies and their contacts (plus independent people), ~5% archived."""
    u = [[rng.random() for _ in range(count)] for _ in range(16)]
    first, last = rng.choices(FIRST, k=count), rng.choices(LAST, k=count)
    words, suffix = rng.choices(WORDS, k=count), rng.choices(SUFFIX, k=count)
    countries = rng.choices(COUNTRIES, k=count)
    ints = [rng.randrange(1_000_000_000) for _ in range(count)]
    by_id = {c[0]: c for c in COUNTRIES}
    rows: list[dict] = []
    tags: list[tuple[int, int]] = []
    companies: list[tuple[int, str, int]] = []
    for k in range(count):
        pid = k + 8
        stamp = stamps.next()
        country = countries[k] if u[0][k] < 0.6 else COUNTRIES[0]
        is_company = not companies or u[1][k] < 0.25
        parent = None
        if not is_company and u[2][k] >= 0.35:
            parent = companies[-1 - int(u[3][k] * min(50, len(companies)))]
            country = by_id[parent[2]]
        name = f"{words[k]} {suffix[k]}" if is_company else f"{first[k]} {last[k]}"
        slug = name.lower().replace(" ", ".")
        num = ints[k]
        ptype = "contact"
        if parent and u[4][k] >= 0.85:
            ptype = "invoice" if u[4][k] < 0.93 else "delivery"
        rows.append(
            {
                "id": pid,
                "name": name,
                "is_company": is_company,
                "type": ptype,
                "parent_id": parent[0] if parent else None,
                "complete_name": f"{parent[1]}, {name}" if parent else name,
                "commercial_partner_id": parent[0] if parent else pid,
                "commercial_company_name": parent[1] if parent else (name if is_company else None),
                "email": f"{slug}{pid}@example.com" if u[5][k] < 0.9 else None,
                "phone": f"+{country[4]} {num % 900 + 100} {num // 1000 % 9000 + 1000}"
                if u[6][k] < 0.8
                else None,
                "mobile": f"+{country[4]} 4{num % 90 + 10} {num // 100 % 900000 + 100000}"
                if u[7][k] < 0.3
                else None,
                "street": f"{num % 250 + 1} {STREETS[num % len(STREETS)]}",
                "street2": f"Floor {num % 9 + 1}" if u[8][k] < 0.2 else None,
                "city": country[5][num % len(country[5])],
                "zip": f"{num % 98999 + 1000}",
                "country_id": country[0],
                "vat": f"{country[1]}{num % 900000000 + 100000000}"
                if is_company and u[9][k] < 0.7
                else None,
                "ref": f"C{pid:06d}" if u[10][k] < 0.4 else None,
                "website": f"https://{slug}.example.com" if is_company and u[11][k] < 0.5 else None,
                "function": None if is_company else JOBS[num % len(JOBS)] or None,
                "lang": "en_US",
                "tz": "Europe/Brussels",
                "active": u[12][k] >= 0.05,
                "customer_rank": (0, 0, 1, 2, 5)[num % 5],
                "supplier_rank": int(u[13][k] < 0.25),
                "color": num % 12,
                "employee": False,
                "partner_share": True,
                "comment": "<p>Key account</p>" if u[14][k] < 0.05 else None,
                "x_studio_customer_code": f"CUST-{pid:06d}" if u[15][k] < 0.5 else None,
                "x_loyalty_tier": (None, None, "bronze", "silver", "gold")[num // 7 % 5],
                "credit_limit": float((0, 0, 1000, 5000, 25000)[num // 11 % 5]),
                "image_128": TINY_PNG if is_company and u[14][k] > 0.8 else None,
                **magic(stamp),
            }
        )
        if is_company:
            companies.append((pid, name, country[0]))
        if num % 3 == 0:
            tags.append((pid, num // 3 % len(TAGS) + 1))
            if num % 9 == 0:
                tags.append((pid, (num // 27 + 3) % len(TAGS) + 1))
        if len(rows) >= 5000:
            insert_rows(engine, "res.partner", rows)
            rows = []
    insert_rows(engine, "res.partner", rows)
    link_rows(engine, "res.partner", "category_id", tags)


def seed_products(engine: Engine, rng: random.Random, stamps: Stamps, count: int) -> list[tuple]:
    """Templates and variants; returns [(product id, name, list price, cost)]."""
    templates, variants, out, infos = [], [], [], []
    vendors = [
        r[0]
        for r in engine.storage.execute(
            "SELECT id FROM res_partner WHERE is_company = 1 AND active = 1 LIMIT 50"
        )
    ]
    for i in range(1, count + 1):
        stamp = stamps.next()
        name = f"{rng.choice(ADJ)} {rng.choice(PRODUCTS)}"
        price = round(rng.uniform(5, 900), 2)
        cost = round(price * rng.uniform(0.4, 0.8), 2)
        code = f"FURN_{i:04d}"
        ptype = "service" if i % 7 == 0 else rng.choice(("consu", "product"))
        templates.append(
            {
                "id": i,
                "name": name,
                "default_code": code,
                "list_price": price,
                "type": ptype,
                "detailed_type": ptype,
                "sale_ok": True,
                "purchase_ok": True,
                "uom_id": 1,
                "uom_po_id": 1,
                "active": True,
                "priority": "0",
                "sequence": 1,
                "description_sale": None,
                **magic(stamp),
            }
        )
        variants.append(
            {
                "id": i,
                "product_tmpl_id": i,
                "default_code": code,
                "active": True,
                "barcode": f"{5400000000000 + i}",
                "weight": round(rng.uniform(0, 40), 2),
                "volume": 0.0,
                **magic(stamp),
            }
        )
        if vendors and rng.random() < 0.5:
            infos.append(
                {
                    "partner_id": rng.choice(vendors),
                    "product_tmpl_id": i,
                    "price": cost,
                    "min_qty": 1.0,
                    "delay": rng.randint(1, 14),
                    "sequence": 1,
                    "currency_id": 2,
                    "company_id": 1,
                    **magic(stamp),
                }
            )
        out.append((i, name, price, cost, code))
    insert_rows(engine, "product.template", templates)
    insert_rows(engine, "product.product", variants)
    insert_rows(engine, "product.supplierinfo", infos)
    return out
