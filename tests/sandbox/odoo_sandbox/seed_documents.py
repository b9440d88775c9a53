"""Seeded documents: invoices and bills (some posted), purchase and sale orders, stock."""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from . import accounting
from .bulk import ADMIN, ANCHOR, Stamps, insert_rows, link_rows, magic
from .env import Env
from .orders import recompute_orders
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine


def _customer_ids(engine: Engine, limit: int = 400) -> list[int]:
    return [
        r[0]
        for r in engine.storage.execute(
            "SELECT id FROM res_partner WHERE is_company = 1 AND active = 1 ORDER BY id LIMIT ?",
            (limit,),
        )
    ]


def seed_moves(
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
                **magic(stamp),
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
                    **magic(stamp),
                }
            )
            tax = (
                rng.choice((1, 1, 4, 3, 6))
                if move_type.startswith("out")
                else rng.choice((2, 2, 5))
            )
            taxes.append((line_id, tax))
    insert_rows(engine, "account.move", moves)
    insert_rows(engine, "account.move.line", lines)
    link_rows(engine, "account.move.line", "tax_ids", taxes)
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


def seed_orders(
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
            **magic(stamp),
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
                **magic(stamp),
            }
            line["product_qty" if purchase else "product_uom_qty"] = float(rng.randint(1, 20))
            if purchase:
                line["date_planned"] = stamp[:19]
            else:
                line["discount"] = 0.0
            lines.append(line)
            taxes.append((line_id, rng.choice((2, 5)) if purchase else rng.choice((1, 4))))
    insert_rows(engine, model, orders)
    insert_rows(engine, f"{model}.line", lines)
    link_rows(engine, f"{model}.line", "taxes_id" if purchase else "tax_id", taxes)
    engine.storage.set_meta(f"sequence.{model}", str(count))
    env = Env(ADMIN, {}, db_timestamp(ANCHOR))
    recompute_orders(engine.orm, env, engine.models[model], [o["id"] for o in orders])


def seed_stock(engine: Engine, rng: random.Random, stamp: str, products: list[tuple]) -> None:
    m = magic(stamp)
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
    insert_rows(
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
    insert_rows(
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
    insert_rows(engine, "stock.quant", quants)


def seed_invoice_report(engine: Engine) -> None:
    engine.storage.execute(
        "INSERT INTO account_invoice_report (id, move_id, partner_id, invoice_date, move_type, "
        "state, price_subtotal, currency_id) SELECT l.id, m.id, m.partner_id, m.invoice_date, "
        "m.move_type, m.state, l.price_subtotal, m.currency_id FROM account_move_line l "
        "JOIN account_move m ON m.id = l.move_id WHERE l.display_type = 'product'"
    )


def seed_attachments(engine: Engine, stamp: str, count: int = 3) -> None:
    """The scanned PDFs of the first vendor bills, as a purchase clerk attaches them."""
    bills = engine.storage.execute(
        "SELECT id, name FROM account_move WHERE move_type = 'in_invoice' ORDER BY id LIMIT ?",
        (count,),
    ).fetchall()
    rows = []
    for move_id, name in bills:
        content = f"%PDF-1.4 scanned bill {name}".encode()
        rows.append(
            {
                "name": f"{(name or str(move_id)).replace('/', '_')}.pdf",
                "res_model": "account.move",
                "res_id": move_id,
                "type": "binary",
                "datas": base64.b64encode(content).decode(),
                "mimetype": "application/pdf",
                "file_size": len(content),
                "company_id": 1,
                **magic(stamp),
            }
        )
    insert_rows(engine, "ir.attachment", rows)
