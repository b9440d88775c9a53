"""Reference data every database starts with: currencies, countries, companies, users, tags,
units, chart of accounts, taxes, journals, payment terms and their external ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bulk import ADMIN, insert_rows, link_rows, magic

if TYPE_CHECKING:
    from .engine import Engine

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


def seed_base_data(engine: Engine, stamp: str) -> None:
    m = magic(stamp)
    insert_rows(
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
    insert_rows(
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
    insert_rows(engine, "res.partner", rows)
    insert_rows(
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
    insert_rows(
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
    link_rows(engine, "res.users", "company_ids", [(1, 1), (2, 1), (2, 2), (6, 1)])
    insert_rows(
        engine,
        "res.partner.category",
        [
            {"id": i + 1, "name": name, "active": True, "color": i % 11, **m}
            for i, name in enumerate(TAGS)
        ],
    )
    insert_rows(
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
    insert_rows(
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
    # Tax groups as Odoo's chart templates make them ("Tax 15%" is the generic chart's,
    # account.tax.group-generic_coa.csv), one per rate of the seeded taxes.
    groups = {15.0: (1, "Tax 15%"), 0.0: (2, "Tax 0%"), 21.0: (3, "Tax 21%"), 6.0: (4, "Tax 6%")}
    insert_rows(
        engine,
        "account.tax.group",
        [
            {"id": gid, "name": name, "sequence": 10, "company_id": 1, **m}
            for gid, name in groups.values()
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
    insert_rows(
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
                "tax_group_id": groups[amount][0],
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
    insert_rows(
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
    insert_rows(
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
    insert_rows(
        engine,
        "ir.model.data",
        [
            {"module": mod, "name": name, "model": model, "res_id": rid, "noupdate": True, **m}
            for mod, name, model, rid in xmlids
        ],
    )
