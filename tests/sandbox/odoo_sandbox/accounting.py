"""Journal entries: invoice and bill lines, taxes, the receivable/payable line, totals, posting.

Amounts follow Odoo 17's recorded invoices: one tax line per tax, one payment-term line, totals and
signed totals on the move; posting gives INV/2026/00005 (sales, yearly) or BILL/2026/11/0001
(purchases, monthly) names, "R" before the journal code for refunds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .exceptions import USER_ERROR, OdooServerException
from .registry import Model
from .storage import quote

if TYPE_CHECKING:
    from .env import Env
    from .orm import Orm

POSTED_UNLINK = (
    "You can't delete a posted journal item. Don\u2019t play games with your "
    "accounting records; reset the journal entry to draft before deleting it."
)


DRAFT_MOVE_LABELS = {
    "out_invoice": "Draft Invoice",
    "out_refund": "Draft Credit Note",
    "in_invoice": "Draft Bill",
    "in_refund": "Draft Vendor Credit Note",
    "out_receipt": "Draft Sales Receipt",
    "in_receipt": "Draft Purchase Receipt",
    "entry": "Draft Entry",
}


PARTNER_LABEL = {
    "out_invoice": ("Customer", "Customer Invoice"),
    "out_refund": ("Customer", "Customer Credit Note"),
    "in_invoice": ("Vendor", "Vendor Bill"),
    "in_refund": ("Vendor", "Vendor Credit Note"),
}


def fetch(orm: Orm, sql: str, params: Any = ()) -> list[tuple]:
    """All rows of one SQL query on the sandbox database."""
    return orm.storage.execute(sql, params).fetchall()


def money(value: float) -> float:
    """Round half-up to cents, like Odoo's float_round on a 0.01 currency."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def line_taxes(orm: Orm, rel_table: str, line_ids: list[int]) -> dict[int, list[tuple]]:
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


def tax_amount(base: float, qty: float, tax: tuple) -> float:
    _tid, amount_type, amount, _name = tax
    if amount_type == "fixed":
        return (amount or 0.0) * qty
    return base * (amount or 0.0) / 100.0


def account_of_type(orm: Orm, account_type: str) -> int | None:
    row = fetch(
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
    taxes = line_taxes(orm, "rel__account_move_line__tax_ids", [r[0] for r in lines])
    income = account_of_type(orm, "income" if move_type.startswith("out") else "expense")
    tax_totals: dict[int, list] = {}
    untaxed = 0.0
    common = (partner_id, date, journal_id, currency_id, state, name, invoice_date)
    for lid, qty, price, disc, account_id in lines:
        subtotal = money(qty * price * (1 - disc / 100.0))
        tax = 0.0
        for t in taxes[lid]:
            amount = tax_amount(subtotal, qty, t)
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
    tax_account = account_of_type(orm, "liability_current" if inbound else "asset_current")
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
    term_account = account_of_type(
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
                raise OdooServerException(
                    USER_ERROR, f"The entry {name} (id {move_id}) must be in draft."
                )
            raise OdooServerException(
                USER_ERROR, f"The entry {name} (id {move_id}) is already posted."
            )
        count = orm.storage.execute(
            "SELECT COUNT(*) FROM account_move_line WHERE move_id = ?", (move_id,)
        ).fetchone()[0]
        if not count:
            raise OdooServerException(USER_ERROR, "You need to add a line before posting.")
        if move_type in PARTNER_LABEL and not partner_id:
            who, what = PARTNER_LABEL[move_type]
            raise OdooServerException(
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
