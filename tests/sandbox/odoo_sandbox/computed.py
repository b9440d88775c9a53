"""Non-stored computed fields whose value changes without the record's `write_date` moving.

Odoo computes them in Python on every read: a product's stock levels come from its quants (a quant
changes, the product row does not), a quant's available quantity from its own quantities, a
variant's sales price from its template's. Stock levels count the quants in internal locations of
the companies the call runs in (`allowed_company_ids`, else the user's company), as Odoo's
`qty_available` does without a location or warehouse in the context; the sandbox has no stock
moves, so the forecast (`virtual_available`) equals the quantity on hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import company_values

if TYPE_CHECKING:
    from .env import Env
    from .orm import Orm
    from .registry import Model

PRODUCT_QUANTITIES = {
    # field -> SQL summed over the quants of the product
    "qty_available": "q.quantity",
    "virtual_available": "q.quantity",
    "free_qty": "q.quantity - q.reserved_quantity",
}
NO_MOVES = ("incoming_qty", "outgoing_qty")


def computed_values(
    orm: Orm, env: Env, model: Model, fname: str, ids: list[int]
) -> dict[int, Any] | None:
    """Values of the computed fields above; None for any other field."""
    compute = COMPUTES.get((model.name, fname))
    return None if compute is None else compute(orm, env, fname, ids)


def _product_quantities(orm: Orm, env: Env, fname: str, ids: list[int]) -> dict[int, Any]:
    out: dict[int, Any] = dict.fromkeys(ids, 0.0)
    if fname in NO_MOVES:
        return out
    companies = company_values.env_companies(orm, env)
    rows = orm.storage.pairs(
        f"SELECT q.product_id, SUM({PRODUCT_QUANTITIES[fname]}) FROM stock_quant q "
        "JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'internal' "
        f"AND q.company_id IN ({', '.join(str(int(c)) for c in companies)}) "
        "AND q.product_id IN ({in}) GROUP BY q.product_id",
        ids,
    )
    out.update((product, float(total or 0.0)) for product, total in rows)
    return out


def _template_quantities(orm: Orm, env: Env, fname: str, ids: list[int]) -> dict[int, Any]:
    variants = orm.storage.pairs(
        "SELECT id, product_tmpl_id FROM product_product WHERE product_tmpl_id IN ({in})", ids
    )
    per_variant = _product_quantities(orm, env, fname, [v for v, _t in variants])
    out: dict[int, Any] = dict.fromkeys(ids, 0.0)
    for variant, template in variants:
        out[template] += per_variant[variant]
    return out


def _available_quantity(orm: Orm, env: Env, fname: str, ids: list[int]) -> dict[int, Any]:
    rows = orm.storage.pairs(
        "SELECT id, quantity, reserved_quantity FROM stock_quant WHERE id IN ({in})", ids
    )
    out: dict[int, Any] = dict.fromkeys(ids, 0.0)
    out.update((i, float((q or 0.0) - (r or 0.0))) for i, q, r in rows)
    return out


def _sales_price(orm: Orm, env: Env, fname: str, ids: list[int]) -> dict[int, Any]:
    """lst_price: the template's list price plus the variant's price extra (none here)."""
    rows = orm.storage.pairs(
        "SELECT p.id, t.list_price FROM product_product p "
        "JOIN product_template t ON t.id = p.product_tmpl_id WHERE p.id IN ({in})",
        ids,
    )
    out: dict[int, Any] = dict.fromkeys(ids, 0.0)
    out.update((i, float(price or 0.0)) for i, price in rows)
    return out


def _template_cost(orm: Orm, env: Env, fname: str, ids: list[int]) -> dict[int, Any]:
    """A template's cost is its variant's (Odoo leaves it empty for several variants)."""
    variants = orm.storage.pairs(
        "SELECT product_tmpl_id, MIN(id), COUNT(*) FROM product_product "
        "WHERE product_tmpl_id IN ({in}) GROUP BY product_tmpl_id",
        ids,
    )
    single = {template: variant for template, variant, count in variants if count == 1}
    product = orm.models["product.product"]
    costs = company_values.read_values(
        orm, env, product, product.fields["standard_price"], sorted(single.values()), False
    )
    return {i: costs[single[i]] if i in single else 0.0 for i in ids}


Compute = Callable[["Orm", "Env", str, list], dict]
COMPUTES: dict[tuple[str, str], Compute] = {
    **{("product.product", name): _product_quantities for name in PRODUCT_QUANTITIES},
    **{("product.product", name): _product_quantities for name in NO_MOVES},
    ("product.template", "qty_available"): _template_quantities,
    ("product.template", "virtual_available"): _template_quantities,
    ("product.template", "incoming_qty"): _template_quantities,
    ("product.template", "outgoing_qty"): _template_quantities,
    ("stock.quant", "available_quantity"): _available_quantity,
    ("product.product", "lst_price"): _sales_price,
    ("product.template", "standard_price"): _template_cost,
}
