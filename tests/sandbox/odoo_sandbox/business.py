"""Business rules behind the ORM hooks, with the exact messages Odoo gives.

The ORM calls the hooks here (defaults, checks before writes, recomputations after them, copy,
display names); `methods_of` lists the public business methods per model. Rules of one family live
in `accounting`, `orders` and `partners`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .accounting import (
    DRAFT_MOVE_LABELS,
    POSTED_UNLINK,
    action_post,
    button_cancel,
    button_draft,
    fetch,
    recompute_moves,
)
from .exceptions import USER_ERROR, VALIDATION_ERROR, OdooServerException
from .orders import (
    ORDER_PREFIX,
    action_confirm,
    action_draft,
    button_confirm,
    check_purchase_line_quantity,
    check_purchase_line_unlink,
    next_order_name,
    recompute_orders,
    reprice_purchase_lines,
)
from .partners import RECURSIVE_PARTNER, partner_descendants, refresh_partners
from .registry import Model
from .storage import quote

if TYPE_CHECKING:
    from .env import Env
    from .orm import Orm

ADMIN_UNLINK = (
    "You cannot delete the admin user because it is utilized in various places (such "
    "as security configurations,...). Instead, archive it."
)


PARTNER_IN_ACCOUNTING = "The partner cannot be deleted because it is used in Accounting"


JOURNAL_TYPE = {
    "out_invoice": "sale",
    "out_refund": "sale",
    "out_receipt": "sale",
    "in_invoice": "purchase",
    "in_refund": "purchase",
    "in_receipt": "purchase",
    "entry": "general",
}


# Context key set while a document writes its lines through x2many commands.
PARENT_RECOMPUTES = "_sandbox_parent_recomputes"


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


def _today(env: Env) -> str:
    return env.timestamp[:10]


def _company_currency(orm: Orm) -> int | None:
    row = fetch(orm, "SELECT currency_id FROM res_company ORDER BY id LIMIT 1")
    return row[0][0] if row else None


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
            raise OdooServerException(
                VALIDATION_ERROR, "The operation cannot be completed: Contacts require a name"
            )
    elif name == "account.move":
        move_type = vals.get("move_type") or "entry"
        if not vals.get("journal_id") and move_type in JOURNAL_TYPE:
            rows = fetch(
                orm,
                "SELECT id FROM account_journal WHERE type = ? ORDER BY sequence, id LIMIT 1",
                (JOURNAL_TYPE[move_type],),
            )
            if rows:
                vals["journal_id"] = rows[0][0]
    elif name in ORDER_PREFIX and not vals.get("name"):
        vals["name"] = next_order_name(orm, model)
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


def check_required(orm: Orm, model: Model, columns: dict) -> None:
    """Odoo's NOT NULL violations for required text fields and a few required links."""
    for fld in model.fields.values():
        if not fld.is_column or not fld.attrs.get("required") or fld.name == "id":
            continue
        enforced = fld.type in ("char", "text") or fld.name in REQUIRED_M2O.get(model.name, ())
        if enforced and columns.get(fld.name) in (None, ""):
            raise OdooServerException(VALIDATION_ERROR, _not_null_message(orm, model, fld.name))


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
        return OdooServerException(
            VALIDATION_ERROR,
            "The operation cannot be completed: duplicate key value violates unique constraint "
            '"ir_model_data_module_name_uniq_index"\nDETAIL:  Key (module, name)=('
            f"{columns.get('module')}, {columns.get('name')}) already exists.\n",
        )
    return OdooServerException(VALIDATION_ERROR, f"The operation cannot be completed: {exc}")


def check_write(orm: Orm, env: Env, model: Model, ids: list[int], vals: dict) -> None:
    if model.name == "purchase.order.line":
        check_purchase_line_quantity(orm, ids, vals)
    if model.name == "res.partner" and vals.get("parent_id"):
        parent = vals["parent_id"]
        descendants = partner_descendants(orm, ids)
        if parent in descendants:
            raise OdooServerException(VALIDATION_ERROR, RECURSIVE_PARTNER)
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
        if fetch(
            orm,
            f"SELECT 1 FROM account_move WHERE id IN ({marks}) AND state = 'posted' LIMIT 1",
            ids,
        ):
            raise OdooServerException(USER_ERROR, POSTED_UNLINK)
    elif model.name == "res.partner":
        if fetch(
            orm,
            f"SELECT 1 FROM account_move WHERE partner_id IN ({marks}) "
            "AND state NOT IN ('draft', 'cancel') LIMIT 1",
            ids,
        ):
            raise OdooServerException(USER_ERROR, PARTNER_IN_ACCOUNTING)
    elif model.name == "res.users" and (1 in ids or 2 in ids):
        raise OdooServerException(USER_ERROR, ADMIN_UNLINK)
    elif model.name == "purchase.order.line":
        check_purchase_line_unlink(orm, ids)


def after_unlink(orm: Orm, env: Env, model: Model, ids: list[int]) -> None:
    """Nothing to recompute: lines are deleted with their headers (cascade)."""


def after_change(
    orm: Orm, env: Env, model: Model, ids: list[int], fnames: set[str], created: bool
) -> None:
    """Recompute stored computed values after a create or write."""
    name = model.name
    repriced = "product_qty" in fnames and "price_unit" not in fnames  # a price sent is kept
    if name == "purchase.order.line" and not created and repriced:
        reprice_purchase_lines(orm, ids)
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
