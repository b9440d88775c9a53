"""Purchase and sale orders: names (P00012, S00003), line and order totals, confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounting import line_taxes, money, tax_amount
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
