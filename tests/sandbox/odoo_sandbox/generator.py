"""Deterministic seeded data: companies, people, products, taxes, accounts, invoices, orders.

Sizes grow with `scale` (partners = 1000 * scale). Rows are bulk-inserted in "import batches" whose
rows share one write_date (with microseconds), spread over the year before ANCHOR.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import accounting
from .orders import recompute_orders
from .orm import Env
from .storage import quote
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine

ANCHOR = datetime(2026, 1, 1, 9, 0, 0)
ADMIN = 2

# (id as in a real Odoo database, code, name, currency code, phone code, cities)
COUNTRIES = [
    (233, "US", "United States", "USD", 1, ["San Francisco", "Chicago", "New York", "Austin"]),
    (20, "BE", "Belgium", "EUR", 32, ["Brussels", "Antwerp", "Ghent", "Namur"]),
    (57, "DE", "Germany", "EUR", 49, ["Berlin", "Munich", "Hamburg", "Cologne"]),
    (75, "FR", "France", "EUR", 33, ["Paris", "Lyon", "Lille", "Nantes"]),
    (231, "GB", "United Kingdom", "GBP", 44, ["London", "Leeds", "Bristol", "Glasgow"]),
    (165, "NL", "Netherlands", "EUR", 31, ["Amsterdam", "Utrecht", "Rotterdam", "Delft"]),
    (68, "ES", "Spain", "EUR", 34, ["Madrid", "Barcelona", "Valencia", "Seville"]),
    (38, "CA", "Canada", "CAD", 1, ["Toronto", "Montreal", "Vancouver", "Calgary"]),
    (104, "IN", "India", "INR", 91, ["Mumbai", "Bangalore", "Pune", "Chennai"]),
    (156, "MX", "Mexico", "MXN", 52, ["Mexico City", "Monterrey", "Puebla", "Guadalajara"]),
]
# (id as in a real Odoo database, code, symbol, full name)
CURRENCIES = [
    (1, "EUR", "\u20ac", "Euro"),
    (2, "USD", "$", "United States dollar"),
    (3, "GBP", "\u00a3", "Pound sterling"),
    (4, "CAD", "$", "Canadian dollar"),
    (5, "INR", "\u20b9", "Indian rupee"),
    (6, "MXN", "$", "Mexican peso"),
]
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
TAGS = [
    "Prospects",
    "Services",
    "Consulting",
    "Office",
    "Vendor",
    "Employees",
    "Gold",
    "Silver",
    "Distributor",
    "Retail",
]
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


class Stamps:
    """Import batches: consecutive rows share one write_date until the batch is full."""

    BATCH_SIZES = (1, 1, 3, 20, 200, 500)

    def __init__(self, rng: random.Random, start: datetime, span: timedelta, rows: int) -> None:
        self.rng = rng
        self.current = start
        self.left = 0
        self.sizes = [b for b in self.BATCH_SIZES if b <= max(1, rows // 10)]
        batches = max(1, rows * len(self.sizes) // sum(self.sizes))
        self.max_step = max(2, int(2 * span.total_seconds() / batches))

    def next(self) -> str:
        if self.left <= 0:
            self.current += timedelta(
                seconds=self.rng.randint(1, self.max_step),
                microseconds=self.rng.randint(1, 999_999),
            )
            self.left = self.rng.choice(self.sizes)
        self.left -= 1
        return db_timestamp(self.current)


def _insert(engine: Engine, model: str, rows: list[dict]) -> None:
    if not rows:
        return
    mdl = engine.models[model]
    keys = dict.fromkeys(k for r in rows for k in r)
    cols = [c for c in keys if c in mdl.fields and mdl.fields[c].is_column]
    engine.storage.insert_many(mdl.table, cols, ([r.get(c) for c in cols] for r in rows))


def _link(engine: Engine, model: str, fname: str, pairs: list[tuple[int, int]]) -> None:
    table = engine.models[model].m2m_table(fname)
    engine.storage.conn.executemany(
        f"INSERT OR IGNORE INTO {quote(table)} (id1, id2) VALUES (?, ?)", pairs
    )


def _magic(stamp: str, uid: int = ADMIN) -> dict:
    return {"create_uid": uid, "create_date": stamp, "write_uid": uid, "write_date": stamp}


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
    _base_data(engine, base)
    _partners(engine, rng, stamps(sizes["partners"]), sizes["partners"])
    for model in engine.models.values():
        engine.storage.create_indexes(model)
    products = _products(engine, rng, stamps(sizes["products"]), sizes["products"])
    moves = sizes["invoices"] + sizes["bills"]
    _moves(engine, rng, stamps(moves), products, sizes["invoices"], sizes["bills"])
    for model in ("purchase.order", "sale.order"):
        count = sizes[model.replace(".", "_") + "s"]
        _orders(engine, rng, stamps(count), products, model, count)
    _stock(engine, rng, base, products)
    _invoice_report(engine)


def _base_data(engine: Engine, stamp: str) -> None:
    m = _magic(stamp)
    _insert(
        engine,
        "res.currency",
        [
            {
                "id": cid,
                "name": code,
                "symbol": sym,
                "full_name": full,
                "active": code in ("EUR", "USD"),
                "rounding": 0.01,
                "decimal_places": 2,
                "position": "before" if code == "USD" else "after",
                **m,
            }
            for cid, code, sym, full in CURRENCIES
        ],
    )
    currency_ids = {code: cid for cid, code, *_ in CURRENCIES}
    _insert(
        engine,
        "res.country",
        [
            {
                "id": cid,
                "code": code,
                "name": name,
                "currency_id": currency_ids[cur],
                "phone_code": phone,
                "address_format": "%(street)s\n%(city)s %(zip)s\n%(country_name)s",
                "name_position": "before",
                **m,
            }
            for cid, code, name, cur, phone, _c in COUNTRIES
        ],
    )
    companies = [(1, "My Company (San Francisco)"), (2, "My Company (Chicago)")]
    partners = [
        {
            "id": 1,
            "name": companies[0][1],
            "is_company": True,
            "country_id": 233,
            "email": "info@yourcompany.com",
            "city": "San Francisco",
        },
        {"id": 2, "name": "OdooBot", "active": False, "email": "odoobot@example.com"},
        {
            "id": 3,
            "name": "Mitchell Admin",
            "email": "admin@yourcompany.example.com",
            "country_id": 233,
            "city": "Scranton",
        },
        {
            "id": 4,
            "name": companies[1][1],
            "is_company": True,
            "country_id": 233,
            "city": "Chicago",
        },
        {"id": 7, "name": "Marc Demo", "email": "mark.brown23@example.com", "country_id": 233},
    ]
    rows = []
    for p in partners:
        row = {
            "type": "contact",
            "lang": "en_US",
            "active": True,
            "is_company": False,
            "customer_rank": 0,
            "supplier_rank": 0,
            **m,
            **p,
        }
        row["complete_name"] = row["name"]
        row["commercial_partner_id"] = row["id"]
        rows.append(row)
    _insert(engine, "res.partner", rows)
    _insert(
        engine,
        "res.company",
        [
            {
                "id": cid,
                "name": name,
                "partner_id": 1 if cid == 1 else 4,
                "currency_id": 2,
                "sequence": 0 if cid == 1 else 10,
                "active": True,
                "email": "info@yourcompany.com",
                **m,
            }
            for cid, name in companies
        ],
    )
    _insert(
        engine,
        "res.users",
        [
            {
                "id": 1,
                "login": "__system__",
                "partner_id": 2,
                "company_id": 1,
                "active": False,
                "share": False,
                **m,
            },
            {
                "id": ADMIN,
                "login": "admin",
                "partner_id": 3,
                "company_id": 1,
                "active": True,
                "share": False,
                **m,
            },
            {
                "id": 6,
                "login": "demo",
                "partner_id": 7,
                "company_id": 1,
                "active": True,
                "share": False,
                **m,
            },
        ],
    )
    _link(engine, "res.users", "company_ids", [(1, 1), (2, 1), (2, 2), (6, 1)])
    _insert(
        engine,
        "res.partner.category",
        [
            {"id": i + 1, "name": name, "active": True, "color": i % 11, **m}
            for i, name in enumerate(TAGS)
        ],
    )
    _insert(
        engine,
        "uom.uom",
        [
            {
                "id": 1,
                "name": "Units",
                "factor": 1.0,
                "rounding": 0.01,
                "uom_type": "reference",
                "active": True,
                **m,
            },
            {
                "id": 2,
                "name": "Dozens",
                "factor": 1 / 12,
                "rounding": 0.01,
                "uom_type": "bigger",
                "active": True,
                **m,
            },
            {
                "id": 3,
                "name": "kg",
                "factor": 1.0,
                "rounding": 0.01,
                "uom_type": "reference",
                "active": True,
                **m,
            },
            {
                "id": 4,
                "name": "Hours",
                "factor": 8.0,
                "rounding": 0.01,
                "uom_type": "smaller",
                "active": True,
                **m,
            },
        ],
    )
    accounts = [
        (1, "121000", "Account Receivable", "asset_receivable", True),
        (2, "211000", "Account Payable", "liability_payable", True),
        (3, "400000", "Product Sales", "income", False),
        (4, "600000", "Expenses", "expense", False),
        (5, "251000", "Tax Received", "liability_current", False),
        (6, "131000", "Tax Paid", "asset_current", False),
        (7, "101401", "Bank", "asset_cash", False),
        (8, "101501", "Cash", "asset_cash", False),
        (9, "999999", "Undistributed Profits/Losses", "equity_unaffected", False),
    ]
    _insert(
        engine,
        "account.account",
        [
            {
                "id": aid,
                "code": code,
                "name": name,
                "account_type": atype,
                "reconcile": rec,
                "company_id": 1,
                "currency_id": None,
                "deprecated": False,
                "internal_group": atype.split("_")[0],
                **m,
            }
            for aid, code, name, atype, rec in accounts
        ],
    )
    taxes = [
        (1, "15%", "sale", 15.0),
        (2, "15%", "purchase", 15.0),
        (3, "0% EXEMPT", "sale", 0.0),
        (4, "21%", "sale", 21.0),
        (5, "21%", "purchase", 21.0),
        (6, "6%", "sale", 6.0),
    ]
    _insert(
        engine,
        "account.tax",
        [
            {
                "id": tid,
                "name": name,
                "type_tax_use": use,
                "amount": amount,
                "amount_type": "percent",
                "active": True,
                "company_id": 1,
                "sequence": tid,
                "price_include": False,
                "tax_exigibility": "on_invoice",
                "description": name,
                "invoice_label": name,
                **m,
            }
            for tid, name, use, amount in taxes
        ],
    )
    journals = [
        (1, "Customer Invoices", "INV", "sale", 5),
        (2, "Vendor Bills", "BILL", "purchase", 6),
        (3, "Miscellaneous Operations", "MISC", "general", 7),
        (4, "Bank", "BNK1", "bank", 8),
        (5, "Cash", "CSH1", "cash", 9),
    ]
    _insert(
        engine,
        "account.journal",
        [
            {
                "id": jid,
                "name": name,
                "code": code,
                "type": jtype,
                "sequence": seq,
                "active": True,
                "company_id": 1,
                **m,
            }
            for jid, name, code, jtype, seq in journals
        ],
    )
    terms = [
        (1, "Immediate Payment"),
        (2, "15 Days"),
        (3, "30 Days"),
        (4, "End of Following Month"),
    ]
    _insert(
        engine,
        "account.payment.term",
        [
            {"id": tid, "name": name, "active": True, "sequence": tid, "company_id": None, **m}
            for tid, name in terms
        ],
    )
    xmlids = [
        ("base", "main_company", "res.company", 1),
        ("base", "main_partner", "res.partner", 1),
        ("base", "partner_root", "res.partner", 2),
        ("base", "partner_admin", "res.partner", 3),
        ("base", "user_root", "res.users", 1),
        ("base", "user_admin", "res.users", ADMIN),
        ("base", "user_demo", "res.users", 6),
        ("base", "partner_demo", "res.partner", 7),
        ("uom", "product_uom_unit", "uom.uom", 1),
        ("uom", "product_uom_dozen", "uom.uom", 2),
    ]
    xmlids += [("base", code.lower(), "res.country", cid) for cid, code, *_ in COUNTRIES]
    xmlids += [("base", code, "res.currency", cid) for cid, code, *_ in CURRENCIES]
    _insert(
        engine,
        "ir.model.data",
        [
            {"module": mod, "name": name, "model": model, "res_id": rid, "noupdate": True, **m}
            for mod, name, model, rid in xmlids
        ],
    )


def _partners(engine: Engine, rng: random.Random, stamps: Stamps, count: int) -> None:
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
                **_magic(stamp),
            }
        )
        if is_company:
            companies.append((pid, name, country[0]))
        if num % 3 == 0:
            tags.append((pid, num // 3 % len(TAGS) + 1))
            if num % 9 == 0:
                tags.append((pid, (num // 27 + 3) % len(TAGS) + 1))
        if len(rows) >= 5000:
            _insert(engine, "res.partner", rows)
            rows = []
    _insert(engine, "res.partner", rows)
    _link(engine, "res.partner", "category_id", tags)


def _products(engine: Engine, rng: random.Random, stamps: Stamps, count: int) -> list[tuple]:
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
                **_magic(stamp),
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
                **_magic(stamp),
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
                    **_magic(stamp),
                }
            )
        out.append((i, name, price, cost, code))
    _insert(engine, "product.template", templates)
    _insert(engine, "product.product", variants)
    _insert(engine, "product.supplierinfo", infos)
    return out


def _customer_ids(engine: Engine, limit: int = 400) -> list[int]:
    return [
        r[0]
        for r in engine.storage.execute(
            "SELECT id FROM res_partner WHERE is_company = 1 AND active = 1 ORDER BY id LIMIT ?",
            (limit,),
        )
    ]


def _moves(
    engine: Engine,
    rng: random.Random,
    stamps: Stamps,
    products: list[tuple],
    invoices: int,
    bills: int,
) -> None:
    partners = _customer_ids(engine)
    kinds = (
        ["out_invoice"] * invoices
        + ["in_invoice"] * bills
        + ["out_refund"] * max(1, invoices // 20)
        + ["in_refund"] * max(1, bills // 20)
    )
    rng.shuffle(kinds)
    moves, lines, taxes = [], [], []
    line_id = 0
    for move_id, move_type in enumerate(kinds, start=1):
        stamp = stamps.next()
        date = stamp[:10]
        journal = 1 if move_type.startswith("out") else 2
        moves.append(
            {
                "id": move_id,
                "move_type": move_type,
                "partner_id": rng.choice(partners),
                "commercial_partner_id": None,
                "journal_id": journal,
                "date": date,
                "invoice_date": date,
                "state": "draft",
                "name": "/",
                "currency_id": 2,
                "company_id": 1,
                "payment_state": "not_paid",
                "ref": None,
                "invoice_payment_term_id": rng.choice((1, 2, 3, 4)),
                "invoice_origin": None,
                "sequence_prefix": "",
                "sequence_number": 0,
                **_magic(stamp),
            }
        )
        for seq in range(rng.randint(1, 4)):
            line_id += 1
            pid, name, price, cost, code = rng.choice(products)
            unit = price if move_type.startswith("out") else cost
            lines.append(
                {
                    "id": line_id,
                    "move_id": move_id,
                    "product_id": pid,
                    "name": f"[{code}] {name}",
                    "quantity": float(rng.randint(1, 12)),
                    "price_unit": unit,
                    "discount": 0.0,
                    "display_type": "product",
                    "sequence": 10 + seq,
                    "company_id": 1,
                    "currency_id": 2,
                    "product_uom_id": 1,
                    **_magic(stamp),
                }
            )
            tax = (
                rng.choice((1, 1, 4, 3, 6))
                if move_type.startswith("out")
                else rng.choice((2, 2, 5))
            )
            taxes.append((line_id, tax))
    _insert(engine, "account.move", moves)
    _insert(engine, "account.move.line", lines)
    _link(engine, "account.move.line", "tax_ids", taxes)
    env = Env(ADMIN, {}, db_timestamp(ANCHOR - timedelta(days=1)))
    orm = engine.orm
    for move in moves:
        env.timestamp = move["write_date"]
        accounting.recompute_moves(orm, env, [move["id"]])
    _post_moves(engine, [m for m in moves if rng.random() < 0.6])
    engine.storage.execute("UPDATE account_move SET commercial_partner_id = partner_id")


def _post_moves(engine: Engine, moves: list[dict]) -> None:
    """Post in date order with per-journal yearly sequences (what action_post does, in bulk)."""
    counters: dict[str, int] = {}
    updates = []
    for move in sorted(moves, key=lambda m: (m["date"], m["id"])):
        code = "INV" if move["move_type"].startswith("out_") else "BILL"
        prefix, digits = accounting.sequence_format(move["move_type"], code, move["date"])
        counters[prefix] = number = counters.get(prefix, 0) + 1
        updates.append((f"{prefix}{number:0{digits}d}", prefix, number, move["id"]))
    engine.storage.conn.executemany(
        "UPDATE account_move SET state = 'posted', name = ?, sequence_prefix = ?, "
        "sequence_number = ? WHERE id = ?",
        updates,
    )
    engine.storage.execute(
        "UPDATE account_move_line SET parent_state = (SELECT m.state FROM account_move m "
        "WHERE m.id = account_move_line.move_id), move_name = (SELECT m.name FROM account_move m "
        "WHERE m.id = account_move_line.move_id)"
    )


def _orders(
    engine: Engine,
    rng: random.Random,
    stamps: Stamps,
    products: list[tuple],
    model: str,
    count: int,
) -> None:
    partners = _customer_ids(engine)
    purchase = model == "purchase.order"
    orders, lines, taxes = [], [], []
    line_id = 0
    confirmed_state = "purchase" if purchase else "sale"
    for oid in range(1, count + 1):
        stamp = stamps.next()
        partner = rng.choice(partners)
        state = confirmed_state if rng.random() < 0.45 else "draft"
        order = {
            "id": oid,
            "name": f"{'P' if purchase else 'S'}{oid:05d}",
            "partner_id": partner,
            "state": state,
            "date_order": stamp[:19],
            "currency_id": 2,
            "company_id": 1,
            "user_id": ADMIN,
            **_magic(stamp),
        }
        if purchase:
            order.update(priority="0", date_approve=stamp[:19] if state == "purchase" else None)
        else:
            order.update(partner_invoice_id=partner, partner_shipping_id=partner)
        orders.append(order)
        for seq in range(rng.randint(1, 3)):
            line_id += 1
            pid, name, price, cost, code = rng.choice(products)
            line = {
                "id": line_id,
                "order_id": oid,
                "product_id": pid,
                "name": f"[{code}] {name}",
                "price_unit": cost if purchase else price,
                "sequence": 10 + seq,
                "product_uom": 1,
                "company_id": 1,
                "currency_id": 2,
                **_magic(stamp),
            }
            line["product_qty" if purchase else "product_uom_qty"] = float(rng.randint(1, 20))
            if purchase:
                line["date_planned"] = stamp[:19]
            else:
                line["discount"] = 0.0
            lines.append(line)
            taxes.append((line_id, rng.choice((2, 5)) if purchase else rng.choice((1, 4))))
    _insert(engine, model, orders)
    _insert(engine, f"{model}.line", lines)
    _link(engine, f"{model}.line", "taxes_id" if purchase else "tax_id", taxes)
    engine.storage.set_meta(f"sequence.{model}", str(count))
    env = Env(ADMIN, {}, db_timestamp(ANCHOR))
    recompute_orders(engine.orm, env, engine.models[model], [o["id"] for o in orders])


def _stock(engine: Engine, rng: random.Random, stamp: str, products: list[tuple]) -> None:
    m = _magic(stamp)
    locations = [
        (1, "Physical Locations", None, "view"),
        (2, "Partners", None, "view"),
        (3, "Virtual Locations", None, "view"),
        (4, "Vendors", 2, "supplier"),
        (5, "Customers", 2, "customer"),
        (6, "WH", 1, "view"),
        (8, "WH/Stock", 6, "internal"),
    ]
    names = {lid: name for lid, name, *_ in locations}
    _insert(
        engine,
        "stock.location",
        [
            {
                "id": lid,
                "name": name.split("/")[-1],
                "complete_name": name,
                "location_id": parent,
                "usage": usage,
                "active": True,
                "company_id": 1 if lid >= 6 else None,
                **m,
            }
            for lid, name, parent, usage in locations
        ],
    )
    del names
    _insert(
        engine,
        "stock.warehouse",
        [
            {
                "id": 1,
                "name": "YourCompany",
                "code": "WH",
                "company_id": 1,
                "partner_id": 1,
                "lot_stock_id": 8,
                "view_location_id": 6,
                "active": True,
                "sequence": 10,
                **m,
            }
        ],
    )
    quants = [
        {
            "product_id": pid,
            "location_id": 8,
            "quantity": float(rng.randint(0, 200)),
            "reserved_quantity": 0.0,
            "company_id": 1,
            "in_date": stamp[:19],
            **m,
        }
        for pid, *_ in products
        if rng.random() < 0.7
    ]
    _insert(engine, "stock.quant", quants)


def _invoice_report(engine: Engine) -> None:
    engine.storage.execute(
        "INSERT INTO account_invoice_report (id, move_id, partner_id, invoice_date, move_type, "
        "state, price_subtotal, currency_id) SELECT l.id, m.id, m.partner_id, m.invoice_date, "
        "m.move_type, m.state, l.price_subtotal, m.currency_id FROM account_move_line l "
        "JOIN account_move m ON m.id = l.move_id WHERE l.display_type = 'product'"
    )


# ---- synthetic benchmark models (x_bench.model_<i>): a few rows each -----------------------
BENCH_VALUES = {
    "char": lambda i: f"value {i}",
    "text": lambda i: f"Some longer text {i}",
    "integer": lambda i: i * 7,
    "float": lambda i: i * 1.5,
    "monetary": lambda i: i * 10.25,
    "boolean": lambda i: i % 2,
    "date": lambda i: f"2025-0{i % 9 + 1}-1{i % 9}",
    "datetime": lambda i: f"2025-0{i % 9 + 1}-1{i % 9} 10:00:00.000000",
    "selection": lambda i: "ab"[i % 2],
    "many2one": lambda i: 8 + i,
}


def ensure_bench_rows(engine: Engine, rows_per_model: int = 5) -> None:
    """Give every synthetic benchmark model a few rows (kept when the database is reused)."""
    stamp = db_timestamp(ANCHOR - timedelta(days=30))
    for model in engine.models.values():
        if not model.name.startswith("x_bench."):
            continue
        if engine.storage.execute(f"SELECT 1 FROM {quote(model.table)} LIMIT 1").fetchone():
            continue
        rows = []
        for i in range(1, rows_per_model + 1):
            row = {"name": f"{model.name} #{i}", "currency_id": 2, **_magic(stamp)}
            for fname, fld in model.fields.items():
                if fname.startswith("x_") and fld.type in BENCH_VALUES:
                    row[fname] = BENCH_VALUES[fld.type](i)
            rows.append(row)
        _insert(engine, model.name, rows)


# ---- ir.model / ir.model.fields (rebuilt at every start: extra_models may differ) ----------
def write_ir_model(engine: Engine) -> None:
    """Rows of ir.model and ir.model.fields consistent with the registry's fields_get."""
    storage = engine.storage
    stamp = db_timestamp(ANCHOR - timedelta(days=366))
    storage.execute("DELETE FROM ir_model")
    storage.execute("DELETE FROM ir_model_fields")
    ir_model = engine.models["ir.model"]
    model_rows, field_rows = [], []
    field_id = 1
    for model in sorted(engine.models.values(), key=lambda m: m.ir_id):
        row = {
            "id": model.ir_id,
            "model": model.name,
            "name": model.description,
            "transient": model.transient,
            "abstract": model.abstract,
            "info": f"{model.description} ({model.name})",
            "state": "manual" if model.name.startswith("x_") else "base",
            "order": model.order,
            **_magic(stamp),
        }
        model_rows.append(row)
        for fname, fld in model.fields.items():
            attrs = fld.attrs
            field_rows.append(
                {
                    "id": field_id,
                    "name": fname,
                    "model": model.name,
                    "model_id": model.ir_id,
                    "field_description": attrs.get("string", fname),
                    "ttype": fld.type,
                    "relation": fld.relation,
                    "relation_field": fld.relation_field,
                    "required": bool(attrs.get("required")),
                    "readonly": bool(attrs.get("readonly")),
                    "store": bool(attrs.get("store")),
                    "index": False,
                    "related": fld.related,
                    "compute": None,
                    "state": "manual" if fname.startswith("x_") else "base",
                    "help": attrs.get("help"),
                    "translate": bool(attrs.get("translate")),
                    "groups": None,
                    "selectable": True,
                    "copied": not attrs.get("readonly"),
                    "sanitize": False,
                    "on_delete": "set null" if fld.type == "many2one" else None,
                    "column1": None,
                    "column2": None,
                    "complete_name": f"{model.name}.{fname}",
                    "selection": json.dumps(attrs.get("selection"))
                    if isinstance(attrs.get("selection"), list)
                    else None,
                    **_magic(stamp),
                }
            )
            field_id += 1
    _insert_known(engine, ir_model.name, model_rows)
    _insert_known(engine, "ir.model.fields", field_rows)


def _insert_known(engine: Engine, model: str, rows: list[dict[str, Any]]) -> None:
    """Insert only the keys that are columns of the model in this version."""
    mdl = engine.models[model]
    if not rows:
        return
    cols = [c for c in rows[0] if c in mdl.fields and mdl.fields[c].is_column]
    values = []
    for r in rows:
        values.append([_column_value(mdl.fields[c].type, r.get(c)) for c in cols])
    engine.storage.insert_many(mdl.table, cols, values)


def _column_value(ftype: str, value: Any) -> Any:
    if ftype == "boolean":
        return 1 if value else 0
    if ftype == "many2one" and isinstance(value, str):
        return None
    return value
