"""Purchase and sale orders: names (P00012, S00003), line and order totals, confirmation, and
the rules Odoo keeps on the lines of a confirmed purchase order.

Purchase order lines, from Odoo's source (addons/purchase and purchase_stock,
models/purchase_order_line.py of 17.0, 18.0 and 19.0):
- `_unlink_except_purchase_or_done` (17, 18) / `_unlink_except_purchase` (19): a line of an
  order in state purchase (17, 18: or done) cannot be deleted; 19 spares sections and notes.
  17 words it with %r ('Purchase Order'), 18 and 19 with curly quotes (“Purchase Order”).
- purchase_stock `_create_or_update_picking` (17: consumable and storable products, 18:
  consumable): a confirmed line's quantity cannot go below what was received ("You cannot
  decrease the ordered quantity below the received quantity. Create a return first."); 19 has
  no such check (the message is gone from its code).
- `_compute_price_unit_and_date_planned_and_name` depends on product_qty: writing the quantity
  of a line whose product has a vendor price (product.supplierinfo) for the order's vendor, at
  that quantity, sets the unit price to it, unless the price is written in the same call.
  (Odoo also falls back to the product's cost when the vendor has prices whose conditions do
  not match; the sandbox keeps no cost, so it keeps the price then.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounting import fetch, line_taxes, money, tax_amount
from .exceptions import USER_ERROR, OdooServerException
from .registry import Model
from .storage import quote

if TYPE_CHECKING:
    from .env import Env
    from .orm import Orm

ORDER_PREFIX = {"purchase.order": "P", "sale.order": "S"}


def next_order_name(orm: Orm, model: Model) -> str:
    key = f"sequence.{model.name}"
    current = int(orm.storage.get_meta(key) or 0) + 1
    orm.storage.set_meta(key, str(current))
    return f"{ORDER_PREFIX[model.name]}{current:05d}"


def recompute_orders(orm: Orm, env: Env, model: Model, ids: list[int]) -> None:
    """Line subtotals/taxes/totals and the order's amount_untaxed/amount_tax/amount_total."""
    if not ids:
        return
    line_model = orm.models[f"{model.name}.line"]
    qty_col = "product_qty" if model.name == "purchase.order" else "product_uom_qty"
    tax_field = "taxes_id" if model.name == "purchase.order" else "tax_id"
    has_discount = "discount" in line_model.fields
    discount = "COALESCE(discount, 0)" if has_discount else "0"
    lines = orm.storage.pairs(
        f"SELECT id, order_id, COALESCE({qty_col}, 0), COALESCE(price_unit, 0), {discount} "
        f"FROM {quote(line_model.table)} WHERE order_id IN ({{in}}) AND display_type IS NULL",
        ids,
    )
    taxes = line_taxes(orm, line_model.m2m_table(tax_field), [r[0] for r in lines])
    totals = {i: [0.0, 0.0] for i in ids}
    for lid, oid, qty, price, disc in lines:
        subtotal = money(qty * price * (1 - disc / 100.0))
        tax = money(sum(tax_amount(subtotal, qty, t) for t in taxes[lid]))
        orm.storage.execute(
            f"UPDATE {quote(line_model.table)} SET price_subtotal = ?, price_tax = ?, "
            "price_total = ? WHERE id = ?",
            (subtotal, tax, money(subtotal + tax), lid),
        )
        totals[oid][0] += subtotal
        totals[oid][1] += tax
    for oid, (untaxed, tax) in totals.items():
        orm.storage.execute(
            f"UPDATE {quote(model.table)} SET amount_untaxed = ?, amount_tax = ?, "
            "amount_total = ? WHERE id = ?",
            (money(untaxed), money(tax), money(untaxed + tax), oid),
        )


def button_confirm(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    rows = orm.storage.pairs("SELECT id, state FROM purchase_order WHERE id IN ({in})", ids)
    todo = [rid for rid, state in rows if state in ("draft", "sent")]
    if todo:
        orm.write(
            env, model, todo, {"state": "purchase", "date_approve": env.timestamp[:19]}, check=False
        )
    return True


def action_confirm(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    orm.write(env, model, ids, {"state": "sale"}, check=False)
    return True


def action_draft(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    orm.write(env, model, ids, {"state": "draft"}, check=False)
    return True


SECTION_TYPES = ("line_section", "line_subsection", "line_note")
BELOW_RECEIVED = (
    "You cannot decrease the ordered quantity below the received quantity.\nCreate a return first."
)


def _state_label(orm: Orm, state: str) -> str:
    selection = orm.models["purchase.order"].fields["state"].attrs.get("selection") or []
    return dict((key, label) for key, label in selection).get(state, state)


def check_purchase_line_unlink(orm: Orm, ids: list[int]) -> None:
    """Odoo refuses to delete the lines of a confirmed order."""
    rows = orm.storage.pairs(
        "SELECT l.id, o.state, l.display_type FROM purchase_order_line l "
        "JOIN purchase_order o ON o.id = l.order_id WHERE l.id IN ({in})",
        ids,
    )
    for _lid, state, display_type in rows:
        if orm.version >= 19:
            blocked = state == "purchase" and display_type not in SECTION_TYPES
        else:
            blocked = state in ("purchase", "done")
        if not blocked:
            continue
        label = _state_label(orm, state)
        shown = repr(label) if orm.version < 18 else f"\u201c{label}\u201d"
        raise OdooServerException(
            USER_ERROR, f"Cannot delete a purchase order line which is in state {shown}."
        )


def check_purchase_line_quantity(orm: Orm, ids: list[int], vals: dict) -> None:
    """purchase_stock (17, 18): a confirmed line never goes below what was received."""
    if orm.version >= 19 or "product_qty" not in vals:
        return
    kinds = ("consu", "product") if orm.version < 18 else ("consu",)
    rows = orm.storage.pairs(
        "SELECT l.id, COALESCE(l.qty_received, 0), t.type FROM purchase_order_line l "
        "JOIN purchase_order o ON o.id = l.order_id "
        "LEFT JOIN product_product p ON p.id = l.product_id "
        "LEFT JOIN product_template t ON t.id = p.product_tmpl_id "
        "WHERE o.state = 'purchase' AND l.display_type IS NULL AND l.id IN ({in})",
        ids,
    )
    wanted = float(vals["product_qty"] or 0.0)
    for _lid, received, kind in rows:
        if kind in kinds and wanted < received:
            raise OdooServerException(USER_ERROR, BELOW_RECEIVED)


def reprice_purchase_lines(orm: Orm, ids: list[int]) -> None:
    """A quantity written without a price: the vendor's price for that quantity, if any."""
    rows = orm.storage.pairs(
        "SELECT l.id, l.product_qty, p.product_tmpl_id, l.product_id, o.partner_id, "
        "COALESCE(r.parent_id, o.partner_id) FROM purchase_order_line l "
        "JOIN purchase_order o ON o.id = l.order_id "
        "JOIN product_product p ON p.id = l.product_id "
        "LEFT JOIN res_partner r ON r.id = o.partner_id WHERE l.id IN ({in})",
        ids,
    )
    for lid, qty, template, product, partner, commercial in rows:
        seller = fetch(
            orm,
            "SELECT price FROM product_supplierinfo WHERE product_tmpl_id = ? "
            "AND partner_id IN (?, ?) AND COALESCE(min_qty, 0) <= ? "
            "AND (product_id IS NULL OR product_id = ?) "
            "ORDER BY sequence, min_qty DESC, price, id LIMIT 1",
            (template, partner, commercial, qty or 0.0, product),
        )
        if seller:
            orm.storage.execute(
                "UPDATE purchase_order_line SET price_unit = ? WHERE id = ?", (seller[0][0], lid)
            )
