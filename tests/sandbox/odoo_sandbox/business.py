"""Business rules of the models the target depends on, with the exact messages Odoo gives.

Partners (complete_name, commercial partner, hierarchy checks), invoices and bills (lines, taxes,
receivable/payable line, totals, posting with journal sequences), purchase and sale orders (totals,
confirmation), users, external ids. The ORM calls the hooks below; `METHODS` lists the public
business methods per model.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .exceptions import USER_ERROR, VALIDATION_ERROR, OdooServerException
from .registry import Model
from .storage import quote

if TYPE_CHECKING:
    from .orm import Env, Orm

POSTED_UNLINK = (
    "You can't delete a posted journal item. Don\u2019t play games with your "
    "accounting records; reset the journal entry to draft before deleting it."
)
ADMIN_UNLINK = (
    "You cannot delete the admin user because it is utilized in various places (such "
    "as security configurations,...). Instead, archive it."
)
PARTNER_IN_ACCOUNTING = "The partner cannot be deleted because it is used in Accounting"
RECURSIVE_PARTNER = "You cannot create recursive Partner hierarchies."
DRAFT_MOVE_LABELS = {
    "out_invoice": "Draft Invoice",
    "out_refund": "Draft Credit Note",
    "in_invoice": "Draft Bill",
    "in_refund": "Draft Vendor Credit Note",
    "out_receipt": "Draft Sales Receipt",
    "in_receipt": "Draft Purchase Receipt",
    "entry": "Draft Entry",
}
JOURNAL_TYPE = {
    "out_invoice": "sale",
    "out_refund": "sale",
    "out_receipt": "sale",
    "in_invoice": "purchase",
    "in_refund": "purchase",
    "in_receipt": "purchase",
    "entry": "general",
}
PARTNER_LABEL = {
    "out_invoice": ("Customer", "Customer Invoice"),
    "out_refund": ("Customer", "Customer Credit Note"),
    "in_invoice": ("Vendor", "Vendor Bill"),
    "in_refund": ("Vendor", "Vendor Credit Note"),
}
# Context key set while a document writes its lines through x2many commands.
PARENT_RECOMPUTES = "_sandbox_parent_recomputes"
ORDER_PREFIX = {"purchase.order": "P", "sale.order": "S"}
# Required many2one fields the sandbox enforces (others get defaults or stay empty).
REQUIRED_M2O = {
    "purchase.order": ("partner_id",),
    "sale.order": ("partner_id",),
    "purchase.order.line": ("order_id",),
    "sale.order.line": ("order_id",),
    "account.move.line": ("move_id",),
    "res.users": ("partner_id",),
    "product.product": ("product_tmpl_id",),
}


def money(value: float) -> float:
    """Round half-up to cents, like Odoo's float_round on a 0.01 currency."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _error(name: str, message: str) -> OdooServerException:
    return OdooServerException(name, message)


def _today(env: Env) -> str:
    return env.timestamp[:10]


def _rows(orm: Orm, sql: str, params: Any = ()) -> list[tuple]:
    return orm.storage.execute(sql, params).fetchall()


def _company_currency(orm: Orm) -> int | None:
    row = _rows(orm, "SELECT currency_id FROM res_company ORDER BY id LIMIT 1")
    return row[0][0] if row else None


# ---- defaults and constraints ---------------------------------------------------------------
def defaults(orm: Orm, env: Env, model: Model) -> dict[str, Any]:
    """Default values per model (callables are evaluated at create time)."""
    now = env.timestamp[:19]
    currency = lambda: _company_currency(orm)  # noqa: E731
    table: dict[str, dict[str, Any]] = {
        "res.partner": {"type": "contact", "lang": "en_US", "is_company": False},
        "account.move": {
            "sequence_prefix": "",
            "sequence_number": 0,
            "state": "draft",
            "move_type": "entry",
            "payment_state": "not_paid",
            "name": "/" if orm.version < 19 else False,
            "company_id": 1,
            "currency_id": currency,
            "date": lambda: _today(env),
        },
        "account.move.line": {
            "display_type": "product",
            "quantity": 1.0,
            "company_id": 1,
            "currency_id": currency,
        },
        "purchase.order": {
            "state": "draft",
            "company_id": 1,
            "currency_id": currency,
            "date_order": now,
            "priority": "0",
        },
        "purchase.order.line": {"product_qty": 1.0, "price_unit": 0.0, "date_planned": now},
        "sale.order": {
            "state": "draft",
            "company_id": 1,
            "currency_id": currency,
            "date_order": now,
        },
        "sale.order.line": {"product_uom_qty": 1.0, "price_unit": 0.0},
        "product.template": {
            "type": "consu",
            "detailed_type": "consu",
            "sale_ok": True,
            "purchase_ok": True,
            "list_price": 1.0,
            "uom_id": 1,
            "uom_po_id": 1,
        },
        "res.users": {"company_id": 1},
        "ir.model.data": {"noupdate": False},
    }
    return table.get(model.name, {})


def prepare_create(orm: Orm, env: Env, model: Model, vals: dict) -> dict:
    """Fill values Odoo computes before insert; enforce SQL-level constraints Odoo has."""
    name = model.name
    if name == "res.partner":
        if vals.get("type", "contact") == "contact" and not vals.get("name"):
            raise _error(
                VALIDATION_ERROR, "The operation cannot be completed: Contacts require a name"
            )
    elif name == "account.move":
        move_type = vals.get("move_type") or "entry"
        if not vals.get("journal_id") and move_type in JOURNAL_TYPE:
            rows = _rows(
                orm,
                "SELECT id FROM account_journal WHERE type = ? ORDER BY sequence, id LIMIT 1",
                (JOURNAL_TYPE[move_type],),
            )
            if rows:
                vals["journal_id"] = rows[0][0]
    elif name in ORDER_PREFIX and not vals.get("name"):
        vals["name"] = _next_order_name(orm, model)
    elif name == "sale.order" and vals.get("partner_id"):
        vals.setdefault("partner_invoice_id", vals["partner_id"])
        vals.setdefault("partner_shipping_id", vals["partner_id"])
    elif name in ("purchase.order.line", "sale.order.line", "account.move.line"):
        _line_from_product(orm, env, name, vals)
    elif name == "product.product":
        vals = _split_template_vals(orm, env, model, vals)
    elif name == "res.users" and not vals.get("partner_id"):
        partner = orm.models["res.partner"]
        pvals = {"name": vals.get("name") or vals.get("login")}
        vals["partner_id"] = orm.create(env, partner, [pvals])[0]
        vals.pop("name", None)
    if name == "sale.order" and vals.get("partner_id"):
        vals.setdefault("partner_invoice_id", vals["partner_id"])
        vals.setdefault("partner_shipping_id", vals["partner_id"])
    return vals


def _line_from_product(orm: Orm, env: Env, model_name: str, vals: dict) -> None:
    """Label, unit price and unit of a document line taken from its product, as onchanges do."""
    product = vals.get("product_id")
    if product and isinstance(product, int):
        if not vals.get("name"):
            vals["name"] = _product_name(orm, env, product) or "/"
        row = orm.storage.execute(
            "SELECT t.list_price, t.uom_id, t.id FROM product_product p "
            "JOIN product_template t ON t.id = p.product_tmpl_id WHERE p.id = ?",
            (product,),
        ).fetchone()
        if row:
            list_price, uom, template = row
            uom_field = "product_uom_id" if model_name == "account.move.line" else "product_uom"
            vals.setdefault(uom_field, uom)
            if "price_unit" not in vals:
                vals["price_unit"] = _default_price(orm, model_name, vals, list_price, template)
    if not vals.get("name") and model_name != "account.move.line":
        vals["name"] = "/"


def _default_price(
    orm: Orm, model_name: str, vals: dict, list_price: float, template: int
) -> float:
    """Sales price for sales documents, the vendor's price (else 0) for purchases."""
    buying = model_name == "purchase.order.line"
    if model_name == "account.move.line" and vals.get("move_id"):
        row = orm.storage.execute(
            "SELECT move_type FROM account_move WHERE id = ?", (vals["move_id"],)
        ).fetchone()
        buying = bool(row and row[0] and row[0].startswith("in_"))
    if not buying:
        return list_price or 0.0
    row = orm.storage.execute(
        "SELECT price FROM product_supplierinfo WHERE product_tmpl_id = ? "
        "ORDER BY sequence, min_qty DESC, price, id LIMIT 1",
        (template,),
    ).fetchone()
    return row[0] if row else 0.0


def _split_template_vals(orm: Orm, env: Env, model: Model, vals: dict) -> dict:
    """product.product inherits product.template: template fields go to a new template."""
    template_vals = {}
    for fname in list(vals):
        fld = model.fields.get(fname)
        if fld is not None and not fld.store and fld.related == f"product_tmpl_id.{fname}":
            template_vals[fname] = vals.pop(fname)
    if not vals.get("product_tmpl_id"):
        template = orm.models["product.template"]
        if "default_code" in vals:
            template_vals.setdefault("default_code", vals["default_code"])
        vals["product_tmpl_id"] = orm.create(env, template, [template_vals])[0]
        vals["_sandbox_template_created"] = True
    elif template_vals:
        orm.write(env, orm.models["product.template"], [vals["product_tmpl_id"]], template_vals)
    vals.pop("_sandbox_template_created", None)
    return vals


def _product_name(orm: Orm, env: Env, product_id: int) -> str | None:
    names = orm.display_names(env, orm.models["product.product"], {product_id})
    return names.get(product_id)


def _next_order_name(orm: Orm, model: Model) -> str:
    key = f"sequence.{model.name}"
    current = int(orm.storage.get_meta(key) or 0) + 1
    orm.storage.set_meta(key, str(current))
    return f"{ORDER_PREFIX[model.name]}{current:05d}"


def check_required(orm: Orm, model: Model, columns: dict) -> None:
    """Odoo's NOT NULL violations for required text fields and a few required links."""
    for fld in model.fields.values():
        if not fld.is_column or not fld.attrs.get("required") or fld.name == "id":
            continue
        enforced = fld.type in ("char", "text") or fld.name in REQUIRED_M2O.get(model.name, ())
        if enforced and columns.get(fld.name) in (None, ""):
            raise _error(VALIDATION_ERROR, _not_null_message(orm, model, fld.name))


def _not_null_message(orm: Orm, model: Model, fname: str) -> str:
    label = model.fields[fname].attrs.get("string", fname)
    if orm.version >= 19:
        return (
            f"The operation cannot be completed: Missing required value for the field "
            f"'{label}' ({fname}).\nModel: '{model.description}' ({model.name})\n"
            "- create/update: a mandatory field is not set\n"
            "- delete: another model requires the record being deleted, you can archive it "
            "instead\n"
        )
    return (
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it "
        "instead.\n\n"
        f"Model: {model.description} ({model.name})\nField: {label} ({fname})\n"
    )


def integrity_error(
    model: Model, columns: dict, exc: sqlite3.IntegrityError
) -> OdooServerException:
    """A SQLite constraint violation as Odoo's ValidationError (psycopg2's text)."""
    if model.name == "ir.model.data":
        return _error(
            VALIDATION_ERROR,
            "The operation cannot be completed: duplicate key value violates unique constraint "
            '"ir_model_data_module_name_uniq_index"\nDETAIL:  Key (module, name)=('
            f"{columns.get('module')}, {columns.get('name')}) already exists.\n",
        )
    return _error(VALIDATION_ERROR, f"The operation cannot be completed: {exc}")


def check_write(orm: Orm, env: Env, model: Model, ids: list[int], vals: dict) -> None:
    if model.name == "res.partner" and vals.get("parent_id"):
        parent = vals["parent_id"]
        descendants = _partner_descendants(orm, ids)
        if parent in descendants:
            raise _error(VALIDATION_ERROR, RECURSIVE_PARTNER)
    if model.name == "product.product":
        template_vals = {
            k: vals.pop(k)
            for k in list(vals)
            if k in model.fields
            and not model.fields[k].store
            and model.fields[k].related == f"product_tmpl_id.{k}"
        }
        if template_vals:
            rows = orm.storage.select_by_ids(model.table, ["product_tmpl_id"], ids)
            orm.write(
                env, orm.models["product.template"], [r[1] for r in rows if r[1]], template_vals
            )


def check_unlink(orm: Orm, env: Env, model: Model, ids: list[int]) -> None:
    marks = ", ".join("?" * len(ids))
    if model.name == "account.move":
        if _rows(
            orm,
            f"SELECT 1 FROM account_move WHERE id IN ({marks}) AND state = 'posted' LIMIT 1",
            ids,
        ):
            raise _error(USER_ERROR, POSTED_UNLINK)
    elif model.name == "res.partner":
        if _rows(
            orm,
            f"SELECT 1 FROM account_move WHERE partner_id IN ({marks}) "
            "AND state NOT IN ('draft', 'cancel') LIMIT 1",
            ids,
        ):
            raise _error(USER_ERROR, PARTNER_IN_ACCOUNTING)
    elif model.name == "res.users" and (1 in ids or 2 in ids):
        raise _error(USER_ERROR, ADMIN_UNLINK)


def after_unlink(orm: Orm, env: Env, model: Model, ids: list[int]) -> None:
    """Nothing to recompute: lines are deleted with their headers (cascade)."""


# ---- recomputations -------------------------------------------------------------------------
def after_change(
    orm: Orm, env: Env, model: Model, ids: list[int], fnames: set[str], created: bool
) -> None:
    """Recompute stored computed values after a create or write."""
    name = model.name
    if name == "res.partner" and (
        created or fnames & {"name", "parent_id", "is_company", "type", "company_name"}
    ):
        refresh_partners(orm, ids)
    elif name == "account.move":
        recompute_moves(orm, env, ids)
    elif env.context.get(PARENT_RECOMPUTES):
        return  # lines written through their document: the document recomputes once
    elif name == "account.move.line":
        moves = _parents(orm, "account_move_line", "move_id", ids)
        recompute_moves(orm, env, moves)
    elif name in ("purchase.order", "sale.order"):
        recompute_orders(orm, env, model, ids)
    elif name in ("purchase.order.line", "sale.order.line"):
        orders = _parents(orm, model.table, "order_id", ids)
        recompute_orders(orm, env, orm.models[name.rsplit(".", 1)[0]], orders)


def _parents(orm: Orm, table: str, column: str, ids: list[int]) -> list[int]:
    rows = orm.storage.pairs(
        f"SELECT DISTINCT {quote(column)} FROM {quote(table)} WHERE id IN ({{in}})", ids
    )
    return [r[0] for r in rows if r[0]]


def _partner_descendants(orm: Orm, ids: list[int]) -> set[int]:
    found, frontier = set(ids), list(ids)
    while frontier:
        rows = orm.storage.pairs("SELECT id FROM res_partner WHERE parent_id IN ({in})", frontier)
        frontier = [r[0] for r in rows if r[0] not in found]
        found.update(frontier)
    return found


def refresh_partners(orm: Orm, ids: list[int]) -> None:
    """complete_name, commercial_partner_id and commercial_company_name of partners and their
    descendants, parents first."""
    todo = _partner_descendants(orm, ids)
    cache: dict[int, tuple] = {}

    def info(pid: int) -> tuple:
        if pid not in cache:
            row = orm.storage.execute(
                "SELECT id, name, parent_id, is_company, type, company_name FROM res_partner "
                "WHERE id = ?",
                (pid,),
            ).fetchone()
            cache[pid] = row
        return cache[pid]

    def commercial(pid: int, depth: int = 0) -> int:
        row = info(pid)
        if row is None or row[3] or not row[2] or depth > 50:
            return pid
        return commercial(row[2], depth + 1)

    for pid in todo:
        row = info(pid)
        if row is None:
            continue
        _, name, parent_id, is_company, _ptype, company_name = row
        comm = commercial(pid)
        comm_row = info(comm)
        comm_name = comm_row[1] if comm_row and comm_row[3] else company_name
        full = name or ""
        if (company_name or parent_id) and not is_company:
            parent_name = comm_name or (info(parent_id)[1] if parent_id and info(parent_id) else "")
            full = f"{parent_name}, {full}"
        orm.storage.execute(
            "UPDATE res_partner SET complete_name = ?, commercial_partner_id = ?, "
            "commercial_company_name = ? WHERE id = ?",
            (full.strip(), comm, comm_name or None, pid),
        )


def _taxes(orm: Orm, rel_table: str, line_ids: list[int]) -> dict[int, list[tuple]]:
    """line id -> [(tax id, amount_type, amount, name)]."""
    out: dict[int, list[tuple]] = {i: [] for i in line_ids}
    if not line_ids:
        return out
    rows = orm.storage.pairs(
        f"SELECT r.id1, t.id, t.amount_type, t.amount, t.name FROM {quote(rel_table)} r "
        "JOIN account_tax t ON t.id = r.id2 WHERE r.id1 IN ({in}) ORDER BY r.id1, t.sequence, t.id",
        line_ids,
    )
    for line, *tax in rows:
        out[line].append(tuple(tax))
    return out


def _tax_amount(base: float, qty: float, tax: tuple) -> float:
    _tid, amount_type, amount, _name = tax
    if amount_type == "fixed":
        return (amount or 0.0) * qty
    return base * (amount or 0.0) / 100.0


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
    taxes = _taxes(orm, line_model.m2m_table(tax_field), [r[0] for r in lines])
    totals = {i: [0.0, 0.0] for i in ids}
    for lid, oid, qty, price, disc in lines:
        subtotal = money(qty * price * (1 - disc / 100.0))
        tax = money(sum(_tax_amount(subtotal, qty, t) for t in taxes[lid]))
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


def _account(orm: Orm, account_type: str) -> int | None:
    row = _rows(
        orm,
        "SELECT id FROM account_account WHERE account_type = ? ORDER BY code LIMIT 1",
        (account_type,),
    )
    return row[0][0] if row else None


def recompute_moves(orm: Orm, env: Env, ids: list[int]) -> None:
    """Invoice lines, one tax line per tax, the receivable/payable line, and the move totals."""
    for move_id in ids:
        move = orm.storage.execute(
            "SELECT move_type, partner_id, date, journal_id, currency_id, state, name, "
            "invoice_date, payment_state FROM account_move WHERE id = ?",
            (move_id,),
        ).fetchone()
        if move is None:
            continue
        move_type = move[0]
        if move_type == "entry":
            _recompute_entry(orm, move_id)
            continue
        _recompute_invoice(orm, env, move_id, move)


def _recompute_entry(orm: Orm, move_id: int) -> None:
    row = orm.storage.execute(
        "SELECT COALESCE(SUM(debit), 0) FROM account_move_line WHERE move_id = ?", (move_id,)
    ).fetchone()
    total = money(row[0])
    orm.storage.execute(
        "UPDATE account_move SET amount_untaxed = ?, amount_tax = 0, amount_total = ?, "
        "amount_residual = 0, amount_untaxed_signed = ?, amount_tax_signed = 0, "
        "amount_total_signed = ?, amount_total_in_currency_signed = ?, "
        "amount_residual_signed = 0 WHERE id = ?",
        (total, total, total, total, total, move_id),
    )


def _recompute_invoice(orm: Orm, env: Env, move_id: int, move: tuple) -> None:
    move_type, partner_id, date, journal_id, currency_id, state, name, invoice_date, _ps = move
    inbound = move_type in ("out_invoice", "in_refund", "out_receipt")
    sign = -1.0 if inbound else 1.0  # balance sign of product and tax lines
    lines = orm.storage.execute(
        "SELECT id, COALESCE(quantity, 0), COALESCE(price_unit, 0), COALESCE(discount, 0), "
        "account_id FROM account_move_line WHERE move_id = ? AND display_type = 'product' "
        "ORDER BY sequence, id",
        (move_id,),
    ).fetchall()
    if not lines:
        # Without product lines Odoo keeps no tax or receivable/payable line either.
        orm.storage.execute(
            "DELETE FROM account_move_line WHERE move_id = ? AND display_type IN "
            "('tax', 'payment_term')",
            (move_id,),
        )
        _recompute_entry(orm, move_id)
        return
    taxes = _taxes(orm, "rel__account_move_line__tax_ids", [r[0] for r in lines])
    income = _account(orm, "income" if move_type.startswith("out") else "expense")
    tax_totals: dict[int, list] = {}
    untaxed = 0.0
    common = (partner_id, date, journal_id, currency_id, state, name, invoice_date)
    for lid, qty, price, disc, account_id in lines:
        subtotal = money(qty * price * (1 - disc / 100.0))
        tax = 0.0
        for t in taxes[lid]:
            amount = _tax_amount(subtotal, qty, t)
            tax += amount
            tax_totals.setdefault(t[0], [t[3], 0.0, 0.0])
            tax_totals[t[0]][1] += amount
            tax_totals[t[0]][2] += subtotal
        untaxed += subtotal
        _set_line_amounts(
            orm,
            lid,
            sign * subtotal,
            common,
            account_id or income,
            subtotal=subtotal,
            total=money(subtotal + tax),
        )
    existing_tax = dict(
        orm.storage.execute(
            "SELECT tax_line_id, id FROM account_move_line "
            "WHERE move_id = ? AND display_type = 'tax'",
            (move_id,),
        ).fetchall()
    )
    tax_account = _account(orm, "liability_current" if inbound else "asset_current")
    total_tax = 0.0
    for tax_id, (tax_name, raw_amount, base) in tax_totals.items():
        amount = money(raw_amount)
        total_tax += amount
        lid = existing_tax.pop(tax_id, None) or _new_line(
            orm, env, move_id, "tax", tax_name, tax_line_id=tax_id
        )
        _set_line_amounts(
            orm,
            lid,
            sign * amount,
            common,
            tax_account,
            subtotal=amount,
            total=amount,
            tax_base=money(base),
        )
    if existing_tax:
        orm.storage.delete("account_move_line", list(existing_tax.values()))
    total = money(untaxed + total_tax)
    term = orm.storage.execute(
        "SELECT id FROM account_move_line WHERE move_id = ? AND display_type = 'payment_term'",
        (move_id,),
    ).fetchone()
    term_account = _account(
        orm, "asset_receivable" if move_type.startswith("out") else "liability_payable"
    )
    term_id = term[0] if term else _new_line(orm, env, move_id, "payment_term", name or "")
    _set_line_amounts(
        orm,
        term_id,
        -sign * total,
        common,
        term_account,
        subtotal=-sign * total,
        total=-sign * total,
    )
    orm.storage.execute(
        "UPDATE account_move_line SET date_maturity = ? WHERE id = ?",
        (invoice_date or date, term_id),
    )
    signed = 1.0 if inbound else -1.0
    residual = 0.0 if _ps == "paid" else total
    orm.storage.execute(
        "UPDATE account_move SET amount_untaxed = ?, amount_tax = ?, amount_total = ?, "
        "amount_residual = ?, amount_untaxed_signed = ?, amount_tax_signed = ?, "
        "amount_total_signed = ?, amount_total_in_currency_signed = ?, "
        "amount_residual_signed = ? WHERE id = ?",
        (
            money(untaxed),
            money(total_tax),
            total,
            residual,
            signed * money(untaxed),
            signed * money(total_tax),
            signed * total,
            signed * total,
            signed * residual,
            move_id,
        ),
    )


def _new_line(
    orm: Orm, env: Env, move_id: int, display_type: str, label: str, tax_line_id: int | None = None
) -> int:
    return orm.storage.insert(
        "account_move_line",
        {
            "move_id": move_id,
            "display_type": display_type,
            "name": label,
            "tax_line_id": tax_line_id,
            "company_id": 1,
            "quantity": 1.0,
            "create_uid": env.uid,
            "create_date": env.timestamp,
            "write_uid": env.uid,
            "write_date": env.timestamp,
        },
    )


def _set_line_amounts(
    orm: Orm,
    line_id: int,
    balance: float,
    common: tuple,
    account_id: int | None,
    subtotal: float,
    total: float,
    tax_base: float = 0.0,
) -> None:
    partner_id, date, journal_id, currency_id, state, name, invoice_date = common
    balance = money(balance)
    orm.storage.execute(
        "UPDATE account_move_line SET balance = ?, amount_currency = ?, debit = ?, credit = ?, "
        "price_subtotal = ?, price_total = ?, tax_base_amount = ?, account_id = ?, "
        "partner_id = ?, date = ?, journal_id = ?, currency_id = ?, company_currency_id = ?, "
        "parent_state = ?, move_name = ?, invoice_date = ?, amount_residual = ?, "
        "amount_residual_currency = ? WHERE id = ?",
        (
            balance,
            balance,
            max(balance, 0.0),
            max(-balance, 0.0),
            subtotal,
            total,
            tax_base,
            account_id,
            partner_id,
            date,
            journal_id,
            currency_id,
            currency_id,
            state,
            name,
            invoice_date,
            balance,
            balance,
            line_id,
        ),
    )


# ---- copy ---------------------------------------------------------------------------------
# Lines Odoo copies with their document (copy=True one2many fields).
COPIED_LINES = {
    "account.move": "invoice_line_ids",
    "purchase.order": "order_line",
    "sale.order": "order_line",
}


def prepare_copy(orm: Orm, model: Model, rid: int, vals: dict, default: dict) -> dict:
    """Adjust copied values as Odoo's copy() does: new name/state, lines copied along."""
    if model.name == "res.partner" and "name" in vals and "name" not in default:
        vals["name"] = f"{vals['name']} (copy)"
    if model.name == "account.move":
        vals.update(
            state="draft",
            name="/" if orm.version < 19 else False,
            sequence_prefix="",
            sequence_number=0,
        )
    if model.name in ORDER_PREFIX:
        vals.pop("name", None)
        vals["state"] = "draft"
    lines_field = COPIED_LINES.get(model.name)
    if lines_field and lines_field not in default:
        fld = model.fields[lines_field]
        comodel = orm.models[fld.relation or ""]
        domain = fld.attrs.get("domain")
        where, params = orm.domains.compile(
            comodel, domain if isinstance(domain, list) else [], active_test=False
        )
        rows = orm.storage.execute(
            f"SELECT id FROM {quote(comodel.table)} WHERE {quote(fld.relation_field or '')} = ? "
            f"AND ({where}) ORDER BY id",
            [rid, *params],
        ).fetchall()
        commands = []
        for (line_id,) in rows:
            line_vals = orm.copyable_values(comodel, line_id)
            line_vals.pop(fld.relation_field or "", None)
            commands.append((0, 0, line_vals))
        vals[lines_field] = commands
    return vals


# ---- business methods -----------------------------------------------------------------------
def action_post(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    for move_id in ids:
        row = orm.storage.execute(
            "SELECT state, name, move_type, journal_id, date, invoice_date, partner_id "
            "FROM account_move WHERE id = ?",
            (move_id,),
        ).fetchone()
        state, name, move_type, journal_id, date, invoice_date, partner_id = row
        if state != "draft":
            if orm.version >= 19:
                raise _error(USER_ERROR, f"The entry {name} (id {move_id}) must be in draft.")
            raise _error(USER_ERROR, f"The entry {name} (id {move_id}) is already posted.")
        count = orm.storage.execute(
            "SELECT COUNT(*) FROM account_move_line WHERE move_id = ?", (move_id,)
        ).fetchone()[0]
        if not count:
            raise _error(USER_ERROR, "You need to add a line before posting.")
        if move_type in PARTNER_LABEL and not partner_id:
            who, what = PARTNER_LABEL[move_type]
            raise _error(
                USER_ERROR,
                f"The field '{who}' is required, please complete it to validate the {what}.",
            )
        values: dict[str, Any] = {"state": "posted"}
        if not name or name == "/":
            values.update(_sequence(orm, move_type, journal_id, invoice_date or date))
        if move_type != "entry" and not invoice_date:
            values["invoice_date"] = date
        orm.write(env, model, [move_id], values, check=False)
    return False


def sequence_format(move_type: str, journal_code: str, date: str) -> tuple[str, int]:
    """Prefix and digits of a move's name: INV/2026/00005 yearly for sales, BILL/2026/11/0001
    monthly for purchases, "R" before the journal code for refunds (as recorded on Odoo 17)."""
    code = f"R{journal_code}" if move_type in ("out_refund", "in_refund") else journal_code
    if move_type.startswith("in_"):
        return f"{code}/{date[:4]}/{date[5:7]}/", 4
    return f"{code}/{date[:4]}/", 5


def _sequence(orm: Orm, move_type: str, journal_id: int | None, date: str) -> dict[str, Any]:
    code = "MISC"
    if journal_id:
        row = orm.storage.execute(
            "SELECT code FROM account_journal WHERE id = ?", (journal_id,)
        ).fetchone()
        code = row[0] if row and row[0] else "MISC"
    prefix, digits = sequence_format(move_type, code, date or "2026-01-01")
    row = orm.storage.execute(
        "SELECT MAX(sequence_number) FROM account_move WHERE sequence_prefix = ?", (prefix,)
    ).fetchone()
    number = (row[0] or 0) + 1
    return {
        "name": f"{prefix}{number:0{digits}d}",
        "sequence_prefix": prefix,
        "sequence_number": number,
    }


def button_draft(orm: Orm, env: Env, model: Model, ids: list[int]) -> None:
    orm.write(env, model, ids, {"state": "draft"}, check=False)


def button_cancel(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    orm.write(env, model, ids, {"state": "cancel"}, check=False)
    return True


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


def action_archive(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    orm.write(env, model, ids, {"active": False})
    return True


def action_unarchive(orm: Orm, env: Env, model: Model, ids: list[int]) -> bool:
    orm.write(env, model, ids, {"active": True})
    return True


ARCHIVE_METHODS = {"action_archive": action_archive, "action_unarchive": action_unarchive}


def methods_of(model: Model) -> dict[str, Callable]:
    """The public business methods a model answers (archiving on every model with `active`)."""
    found = dict(METHODS.get(model.name, {}))
    if model.has_active:
        found.update(ARCHIVE_METHODS)
    return found


BusinessMethod = Callable[["Orm", "Env", Model, list], Any]
METHODS: dict[str, dict[str, BusinessMethod]] = {
    "account.move": {
        "action_post": action_post,
        "button_draft": button_draft,
        "button_cancel": button_cancel,
    },
    "purchase.order": {
        "button_confirm": button_confirm,
        "button_cancel": button_cancel,
        "button_draft": action_draft,
    },
    "sale.order": {
        "action_confirm": action_confirm,
        "action_cancel": button_cancel,
        "action_draft": action_draft,
    },
}


# ---- non-stored computed fields worth a value ---------------------------------------------
def computed_values(orm: Orm, model: Model, fname: str, ids: list[int]) -> dict[int, Any] | None:
    """Values of a few non-stored computed fields clients read; None for the others."""
    key = (model.name, fname)
    if key == ("ir.model.data", "complete_name"):
        rows = orm.storage.pairs(
            "SELECT id, module, name FROM ir_model_data WHERE id IN ({in})", ids
        )
        return {i: f"{module}.{name}" for i, module, name in rows}
    if key == ("ir.model.data", "reference"):
        rows = orm.storage.pairs(
            "SELECT id, model, res_id FROM ir_model_data WHERE id IN ({in})", ids
        )
        return {i: f"{m},{r}" if m and r else False for i, m, r in rows}
    if key == ("res.partner", "email_formatted"):
        rows = orm.storage.pairs("SELECT id, name, email FROM res_partner WHERE id IN ({in})", ids)
        return {i: f'"{n}" <{e}>' if e else False for i, n, e in rows}
    if key == ("res.partner", "company_type"):
        rows = orm.storage.pairs("SELECT id, is_company FROM res_partner WHERE id IN ({in})", ids)
        return {i: "company" if c else "person" for i, c in rows}
    return None


# ---- display names --------------------------------------------------------------------------
def display_names(orm: Orm, env: Env, model: Model, ids: list[int]) -> dict[int, str] | None:
    """display_name for models whose name is not just their `_rec_name`; None otherwise."""
    if model.name == "res.partner":
        rows = orm.storage.pairs(
            "SELECT id, complete_name, name FROM res_partner WHERE id IN ({in})", ids
        )
        return {i: (c or n or "") for i, c, n in rows}
    if model.name == "account.account":
        rows = orm.storage.pairs(
            "SELECT id, code, name FROM account_account WHERE id IN ({in})", ids
        )
        return {i: f"{c} {n}" if c else (n or "") for i, c, n in rows}
    if model.name == "account.move":
        rows = orm.storage.pairs(
            "SELECT id, state, move_type, name FROM account_move WHERE id IN ({in})", ids
        )
        out = {}
        for i, state, move_type, name in rows:
            label = (
                f"{DRAFT_MOVE_LABELS.get(move_type, 'Draft Entry')} " if state == "draft" else ""
            )
            out[i] = label + (f"(* {i})" if not name or name == "/" else name)
        return out
    if model.name == "product.product":
        rows = orm.storage.pairs(
            "SELECT p.id, p.default_code, t.name FROM product_product p "
            "LEFT JOIN product_template t ON t.id = p.product_tmpl_id WHERE p.id IN ({in})",
            ids,
        )
        return {i: f"[{c}] {n or ''}" if c else (n or "") for i, c, n in rows}
    if model.name == "product.template":
        rows = orm.storage.pairs(
            "SELECT id, default_code, name FROM product_template WHERE id IN ({in})", ids
        )
        return {i: f"[{c}] {n or ''}" if c else (n or "") for i, c, n in rows}
    return None
