"""The sandbox engine's business rules, access rules, generator and persistence."""

from __future__ import annotations

import re
import threading
from datetime import datetime

import pytest

from odoo_sandbox.engine import Engine
from odoo_sandbox.exceptions import OdooServerException
from odoo_sandbox.generator import dataset_sizes

ADMIN = 2


@pytest.fixture
def eng() -> Engine:
    engine = Engine()
    engine.clock = lambda: datetime(2026, 11, 22, 7, 0, 0, 123456)
    return engine


def call(eng: Engine, model: str, method: str, *args, uid: int = ADMIN, **kwargs):
    return eng.execute(uid, model, method, list(args), kwargs)


def error_of(eng: Engine, model: str, method: str, *args, uid: int = ADMIN, **kwargs):
    with pytest.raises(OdooServerException) as info:
        eng.execute(uid, model, method, list(args), kwargs)
    return info.value.name, info.value.message


def sale_tax(eng: Engine, amount: float) -> int:
    return call(
        eng, "account.tax", "search", [("type_tax_use", "=", "sale"), ("amount", "=", amount)]
    )[0]


def new_invoice(eng: Engine, move_type: str = "out_invoice", date: str = "2026-11-22") -> int:
    tax = sale_tax(eng, 15.0)
    return call(
        eng,
        "account.move",
        "create",
        {
            "move_type": move_type,
            "partner_id": 10,
            "date": date,
            "invoice_date": date,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {"name": "Desk", "quantity": 2, "price_unit": 50.0, "tax_ids": [(6, 0, [tax])]},
                ),
                (0, 0, {"name": "Fee", "quantity": 1, "price_unit": 10.0}),
            ],
        },
    )


# ---- invoices -----------------------------------------------------------------------------------
def test_invoice_totals_and_lines(eng):
    move = new_invoice(eng)
    row = call(
        eng,
        "account.move",
        "read",
        [move],
        [
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "amount_residual",
            "amount_total_signed",
            "state",
            "name",
            "display_name",
            "line_ids",
            "invoice_line_ids",
        ],
    )[0]
    assert (row["amount_untaxed"], row["amount_tax"], row["amount_total"]) == (110.0, 15.0, 125.0)
    assert row["amount_residual"] == 125.0
    assert row["amount_total_signed"] == 125.0
    assert (row["state"], row["name"]) == ("draft", "/")
    assert row["display_name"] == f"Draft Invoice (* {move})"
    lines = call(
        eng,
        "account.move.line",
        "read",
        row["line_ids"],
        ["display_type", "debit", "credit", "price_subtotal", "account_id", "parent_state"],
        load=False,
    )
    by_type = {}
    for line in lines:
        by_type.setdefault(line["display_type"], []).append(line)
    assert sorted(by_type) == ["payment_term", "product", "tax"]
    assert [x["credit"] for x in by_type["product"]] == [100.0, 10.0]
    assert by_type["tax"][0]["credit"] == 15.0
    assert by_type["payment_term"][0]["debit"] == 125.0
    assert {x["parent_state"] for x in lines} == {"draft"}
    receivable = call(eng, "account.account", "search", [("account_type", "=", "asset_receivable")])
    assert by_type["payment_term"][0]["account_id"] in receivable


def test_editing_lines_recomputes_totals(eng):
    move = new_invoice(eng)
    line = call(eng, "account.move", "read", [move], ["invoice_line_ids"])[0]["invoice_line_ids"][1]
    call(
        eng,
        "account.move",
        "write",
        [move],
        {"invoice_line_ids": [(1, line, {"price_unit": 30.0})]},
    )
    total = call(eng, "account.move", "read", [move], ["amount_total"])[0]["amount_total"]
    assert total == 145.0
    call(eng, "account.move.line", "write", [line], {"quantity": 2})
    assert call(eng, "account.move", "read", [move], ["amount_total"])[0]["amount_total"] == 175.0
    call(eng, "account.move", "write", [move], {"invoice_line_ids": [(2, line)]})
    assert call(eng, "account.move", "read", [move], ["amount_total"])[0]["amount_total"] == 115.0


def test_post_sequences_draft_and_repost(eng):
    first, second = new_invoice(eng), new_invoice(eng)
    bill = new_invoice(eng, "in_invoice")
    refund = new_invoice(eng, "out_refund")
    existing = call(
        eng,
        "account.move",
        "search_read",
        [("name", "=like", "INV/2026/%")],
        fields=["sequence_number"],
        order="sequence_number desc",
        limit=1,
    )
    last = existing[0]["sequence_number"] if existing else 0
    assert call(eng, "account.move", "action_post", [first, second]) is False
    names = call(
        eng,
        "account.move",
        "read",
        [
            first,
            second,
        ],
        ["name", "state"],
    )
    assert [r["name"] for r in names] == [f"INV/2026/{last + 1:05d}", f"INV/2026/{last + 2:05d}"]
    call(eng, "account.move", "action_post", [bill, refund])
    bill_name, refund_name = (
        r["name"] for r in call(eng, "account.move", "read", [bill, refund], ["name"])
    )
    assert re.fullmatch(r"BILL/2026/11/\d{4}", bill_name)
    assert re.fullmatch(r"RINV/2026/\d{5}", refund_name)
    assert error_of(eng, "account.move", "action_post", [first]) == (
        "odoo.exceptions.UserError",
        f"The entry INV/2026/{last + 1:05d} (id {first}) is already posted.",
    )
    assert call(eng, "account.move", "button_draft", [first]) is None
    assert call(eng, "account.move", "read", [first], ["state", "name"])[0] == {
        "id": first,
        "state": "draft",
        "name": f"INV/2026/{last + 1:05d}",
    }
    call(eng, "account.move", "action_post", [first])
    assert (
        call(eng, "account.move", "read", [first], ["name"])[0]["name"]
        == f"INV/2026/{last + 1:05d}"
    )
    states = call(
        eng,
        "account.move.line",
        "search_read",
        [("move_id", "=", first)],
        fields=["parent_state", "move_name"],
    )
    assert {(r["parent_state"], r["move_name"]) for r in states} == {
        ("posted", f"INV/2026/{last + 1:05d}")
    }


def test_post_needs_lines_and_partner(eng):
    empty = call(eng, "account.move", "create", {"move_type": "out_invoice", "partner_id": 10})
    assert error_of(eng, "account.move", "action_post", [empty]) == (
        "odoo.exceptions.UserError",
        "You need to add a line before posting.",
    )
    nobody = call(
        eng,
        "account.move",
        "create",
        {"move_type": "out_invoice", "invoice_line_ids": [(0, 0, {"name": "x", "price_unit": 1})]},
    )
    assert error_of(eng, "account.move", "action_post", [nobody]) == (
        "odoo.exceptions.UserError",
        "The field 'Customer' is required, please complete it to validate the Customer Invoice.",
    )


def test_posted_move_accepts_writes_but_refuses_unlink(eng):
    move = new_invoice(eng)
    call(eng, "account.move", "action_post", [move])
    assert call(eng, "account.move", "write", [move], {"ref": "changed"}) is True
    assert error_of(eng, "account.move", "unlink", [move])[0] == "odoo.exceptions.UserError"
    assert call(eng, "account.move", "write", [move], {"state": "draft"}) is True
    lines = call(eng, "account.move", "read", [move], ["line_ids"])[0]["line_ids"]
    assert call(eng, "account.move", "unlink", [move]) is True
    assert call(eng, "account.move.line", "read", lines, ["name"]) == []


def test_partner_with_posted_invoice_cannot_be_deleted(eng):
    partner = call(eng, "res.partner", "create", {"name": "Billed Co", "is_company": True})
    move = call(
        eng,
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner,
            "invoice_line_ids": [(0, 0, {"name": "x", "price_unit": 5.0})],
        },
    )
    call(eng, "account.move", "action_post", [move])
    assert error_of(eng, "res.partner", "unlink", [partner]) == (
        "odoo.exceptions.UserError",
        "The partner cannot be deleted because it is used in Accounting",
    )
    unused = call(eng, "res.partner", "create", {"name": "Unused"})
    assert call(eng, "res.partner", "unlink", [unused]) is True


# ---- purchase / sale ---------------------------------------------------------------------------
def test_purchase_order_confirm_and_totals(eng):
    po = call(
        eng,
        "purchase.order",
        "create",
        {
            "partner_id": 10,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": 1,
                        "product_qty": 3,
                        "price_unit": 10.0,
                        "taxes_id": [(6, 0, [2])],
                    },
                ),
                (0, 0, {"product_id": 2, "product_qty": 1, "price_unit": 0.5}),
            ],
        },
    )
    row = call(
        eng,
        "purchase.order",
        "read",
        [po],
        ["name", "state", "amount_untaxed", "amount_tax", "amount_total", "order_line"],
    )[0]
    assert re.fullmatch(r"P\d{5}", row["name"])
    assert (row["amount_untaxed"], row["amount_tax"], row["amount_total"]) == (30.5, 4.5, 35.0)
    product_name = call(eng, "product.product", "read", [1], ["display_name"])[0]["display_name"]
    lines = call(
        eng,
        "purchase.order.line",
        "read",
        row["order_line"],
        ["name", "price_subtotal", "price_total"],
    )
    assert lines[0] == {
        "id": row["order_line"][0],
        "name": product_name,
        "price_subtotal": 30.0,
        "price_total": 34.5,
    }
    assert call(eng, "purchase.order", "button_confirm", [po]) is True
    after = call(eng, "purchase.order", "read", [po], ["state", "date_approve"])[0]
    assert after == {"id": po, "state": "purchase", "date_approve": "2026-11-22 07:00:00"}
    other = call(eng, "purchase.order", "create", {"partner_id": 10})
    number = int(row["name"][1:])
    assert call(eng, "purchase.order", "read", [other], ["name"])[0]["name"] == f"P{number + 1:05d}"


def test_sale_order_confirm(eng):
    so = call(
        eng,
        "sale.order",
        "create",
        {
            "partner_id": 10,
            "order_line": [
                (
                    0,
                    0,
                    {"product_id": 1, "product_uom_qty": 2, "price_unit": 20.0, "discount": 10.0},
                )
            ],
        },
    )
    row = call(
        eng,
        "sale.order",
        "read",
        [so],
        ["name", "state", "amount_total", "partner_invoice_id"],
        load=False,
    )[0]
    assert re.fullmatch(r"S\d{5}", row["name"])
    assert (row["state"], row["amount_total"], row["partner_invoice_id"]) == ("draft", 36.0, 10)
    assert call(eng, "sale.order", "action_confirm", [so]) is True
    assert call(eng, "sale.order", "read", [so], ["state"])[0]["state"] == "sale"


def test_product_variant_creates_its_template(eng):
    pid = call(
        eng,
        "product.product",
        "create",
        {"name": "Gadget", "default_code": "GAD-1", "list_price": 12.5},
    )
    row = call(
        eng,
        "product.product",
        "read",
        [pid],
        ["name", "list_price", "display_name", "product_tmpl_id"],
        load=False,
    )[0]
    assert row["name"] == "Gadget"
    assert row["list_price"] == 12.5
    assert row["display_name"] == "[GAD-1] Gadget"
    template = call(eng, "product.template", "read", [row["product_tmpl_id"]], ["name"])[0]
    assert template["name"] == "Gadget"
    call(eng, "product.product", "write", [pid], {"name": "Gizmo"})
    assert (
        call(eng, "product.template", "read", [row["product_tmpl_id"]], ["name"])[0]["name"]
        == "Gizmo"
    )


def test_partner_hierarchy_names(eng):
    company = call(eng, "res.partner", "create", {"name": "Hier Co", "is_company": True})
    person = call(eng, "res.partner", "create", {"name": "Ann", "parent_id": company})
    call(eng, "res.partner", "write", [company], {"name": "Hier Group"})
    row = call(
        eng,
        "res.partner",
        "read",
        [person],
        ["complete_name", "display_name", "commercial_partner_id"],
        load=False,
    )[0]
    assert row == {
        "id": person,
        "complete_name": "Hier Group, Ann",
        "display_name": "Hier Group, Ann",
        "commercial_partner_id": company,
    }
    assert error_of(eng, "res.partner", "write", [company], {"parent_id": person}) == (
        "odoo.exceptions.ValidationError",
        "You cannot create recursive Partner hierarchies.",
    )


# ---- access rules -------------------------------------------------------------------------------
def test_demo_user_access(eng):
    demo = eng.users["demo"]["uid"]
    assert call(eng, "res.partner", "search_count", [], uid=demo) > 0
    assert call(eng, "res.partner", "write", [10], {"phone": "1"}, uid=demo) is True
    for model in ("account.move", "account.account", "account.tax", "purchase.order"):
        assert (
            call(eng, model, "check_access_rights", "read", raise_exception=False, uid=demo)
            is False
        )
        name, message = error_of(eng, model, "search_read", [], uid=demo)
        assert name == "odoo.exceptions.AccessError"
        assert message.startswith("You are not allowed to access '")
        assert f"({model}) records." in message
    assert error_of(eng, "account.move", "write", [1], {"ref": "x"}, uid=demo)[1].startswith(
        "You are not allowed to modify 'Journal Entry' (account.move) records."
    )
    assert error_of(eng, "res.users", "write", [ADMIN], {"login": "x"}, uid=demo) == (
        "odoo.exceptions.AccessError",
        "You are not allowed to modify 'User' (res.users) records.\n\nThis operation is allowed "
        "for the following groups:\n\t- Administration/Access Rights\n\nContact your "
        "administrator to request access if necessary.",
    )
    assert (
        error_of(eng, "res.partner", "unlink", [10], uid=demo)[0] == "odoo.exceptions.AccessError"
    )
    assert call(eng, "account.move", "check_access_rights", "write") is True


def test_demo_user_cannot_read_group_restricted_fields(eng):
    demo = eng.users["demo"]["uid"]
    assert "credit_limit" not in call(eng, "res.partner", "fields_get", uid=demo)
    name, message = error_of(eng, "res.partner", "read", [10], ["credit_limit"], uid=demo)
    assert name == "odoo.exceptions.AccessError"
    assert '"credit_limit"' in message
    row = call(eng, "res.partner", "read", [10], uid=demo)[0]
    assert "credit_limit" not in row
    assert "name" in row


def test_abstract_transient_and_report_models(eng):
    models = {
        r["model"]: r
        for r in call(eng, "ir.model", "search_read", [], fields=["model", "transient"])
    }
    assert models["base.language.install"]["transient"] is True
    assert call(eng, "mail.thread", "check_access_rights", "read", raise_exception=False) is False
    assert call(eng, "base.language.install", "check_access_rights", "read") is True
    report = call(eng, "account.invoice.report", "fields_get", attributes=["type"])
    assert "write_date" not in report
    rows = call(eng, "account.invoice.report", "search_read", [], limit=3)
    assert len(rows) == 3
    assert error_of(eng, "account.invoice.report", "create", {})[0] == "odoo.exceptions.AccessError"


def test_credentials(eng):
    admin, demo = eng.users["admin"], eng.users["demo"]
    assert re.fullmatch(r"[0-9a-f]{40}", admin["api_key"])
    assert admin["api_key"] != demo["api_key"]
    assert eng.authenticate("admin", admin["password"]) == ADMIN
    assert eng.authenticate("admin", admin["api_key"]) == ADMIN
    assert eng.authenticate("demo", demo["password"]) == demo["uid"]
    assert eng.authenticate("admin", "wrong") is None
    assert eng.authenticate("nobody", admin["password"]) is None
    assert eng.uid_for_api_key(demo["api_key"]) == demo["uid"]
    assert eng.uid_for_api_key("0" * 40) is None
    assert admin["api_key"] not in repr(eng) + repr(eng.security)


# ---- generator, persistence, threads ------------------------------------------------------------
def snapshot(eng: Engine) -> list:
    return [
        eng.storage.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
        for t in ("res_partner", "account_move", "account_move_line", "purchase_order")
    ]


def test_generator_is_deterministic_and_seeded():
    assert snapshot(Engine(seed=7)) == snapshot(Engine(seed=7))
    assert snapshot(Engine(seed=7)) != snapshot(Engine(seed=8))


def test_generator_sizes_and_variety():
    eng = Engine(scale=2)
    sizes = dataset_sizes(2)
    count = lambda sql: eng.storage.execute(sql).fetchone()[0]  # noqa: E731
    partners = count("SELECT COUNT(*) FROM res_partner WHERE id >= 8")
    assert partners == sizes["partners"] == 2000
    archived = count("SELECT COUNT(*) FROM res_partner WHERE active = 0 AND id >= 8")
    assert 0.02 < archived / partners < 0.08
    assert count("SELECT COUNT(DISTINCT country_id) FROM res_partner") >= 5
    assert count("SELECT COUNT(*) FROM res_partner WHERE parent_id IS NOT NULL") > 100
    assert (
        count("SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice'")
        == sizes["invoices"]
    )
    assert count("SELECT COUNT(*) FROM account_move WHERE state = 'posted'") > 0
    assert count("SELECT COUNT(*) FROM account_move WHERE state = 'draft'") > 0
    assert count("SELECT COUNT(*) FROM purchase_order WHERE state = 'purchase'") > 0
    assert count("SELECT COUNT(*) FROM sale_order_line") >= sizes["sale_orders"]
    shared = count("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM res_partner GROUP BY write_date)")
    assert shared >= 20
    unbalanced = count(
        "SELECT COUNT(*) FROM (SELECT move_id FROM account_move_line GROUP BY "
        "move_id HAVING ROUND(SUM(debit) - SUM(credit), 2) != 0)"
    )
    assert unbalanced == 0


def test_extra_models_for_discovery_benchmarks():
    eng = Engine(extra_models=5)
    names = call(eng, "ir.model", "search", [("model", "=like", "x_bench.%")])
    assert len(names) == 5
    fields = call(eng, "x_bench.model_3", "fields_get", attributes=["type"])
    assert len(fields) >= 40
    assert len({f["type"] for f in fields.values()}) >= 8
    rows = call(eng, "x_bench.model_3", "search_read", [], order="id")
    assert len(rows) == 5
    assert rows[0]["x_integer_1"] == 7
    assert rows[1]["x_many2one_8"][0] == 10


def test_persistent_database_is_reused(tmp_path):
    path = str(tmp_path / "sandbox.sqlite")
    first = Engine(db_path=path)
    pid = call(first, "res.partner", "create", {"name": "Persisted"})
    keys = first.users
    first.storage.close()
    second = Engine(db_path=path, seed=99)
    assert call(second, "res.partner", "read", [pid], ["name"]) == [
        {"id": pid, "name": "Persisted"}
    ]
    assert second.users == keys
    second.storage.close()
    with pytest.raises(ValueError, match="holds an Odoo 17 database"):
        Engine(odoo_version=19, db_path=path)


def test_calls_from_many_threads(eng):
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            for i in range(20):
                pid = call(eng, "res.partner", "create", {"name": f"T{n}-{i}"})
                call(eng, "res.partner", "read", [pid], ["name"])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert call(eng, "res.partner", "search_count", [("name", "=like", "T%-%")]) == 160


def test_copy_documents_with_their_lines(eng):
    move = new_invoice(eng)
    call(eng, "account.move", "action_post", [move])
    copy = call(eng, "account.move", "copy", [move])
    fields = ["state", "name", "move_type", "amount_total", "invoice_line_ids", "line_ids"]
    original, copied = call(eng, "account.move", "read", [move, copy], fields)
    assert (copied["state"], copied["name"], copied["move_type"]) == ("draft", "/", "out_invoice")
    assert copied["amount_total"] == original["amount_total"] == 125.0
    assert len(copied["invoice_line_ids"]) == 2
    assert len(copied["line_ids"]) == len(original["line_ids"]) == 4
    assert not set(copied["line_ids"]) & set(original["line_ids"])
    partner = call(eng, "res.partner", "copy", [10], default={"email": "copy@example.com"})
    row = call(eng, "res.partner", "read", [10, partner], ["name", "email"])
    assert row[1] == {
        "id": partner,
        "name": f"{row[0]['name']} (copy)",
        "email": "copy@example.com",
    }


def test_generated_values_respect_the_schema():
    eng = Engine()
    problems = []
    for model in eng.models.values():
        for fld in model.fields.values():
            if not fld.is_column:
                continue
            column, table = f'"{fld.name}"', f'"{model.table}"'
            if fld.type == "selection" and isinstance(fld.attrs.get("selection"), list):
                keys = {k for k, _label in fld.attrs["selection"]}
                found = {
                    r[0]
                    for r in eng.storage.execute(
                        f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
                    )
                }
                if found - keys:
                    problems.append((model.name, fld.name, found - keys))
            if fld.type == "many2one":
                comodel = eng.models.get(fld.relation or "")
                target = f'SELECT id FROM "{comodel.table}"' if comodel else "SELECT NULL"
                dangling = eng.storage.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL "
                    f"AND {column} NOT IN ({target})"
                ).fetchone()[0]
                if dangling:
                    problems.append((model.name, fld.name, dangling))
    assert problems == []


def test_lines_take_label_price_and_unit_from_the_product(eng):
    product = call(
        eng, "product.product", "read", [1], ["display_name", "list_price", "uom_id"], load=False
    )[0]
    move = call(
        eng,
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": 10,
            "invoice_line_ids": [(0, 0, {"product_id": 1, "quantity": 2})],
        },
    )
    line = call(
        eng,
        "account.move.line",
        "search_read",
        [("move_id", "=", move), ("display_type", "=", "product")],
        fields=["name", "price_unit", "product_uom_id"],
        load=False,
    )[0]
    assert line["name"] == product["display_name"]
    assert line["price_unit"] == product["list_price"]
    assert line["product_uom_id"] == product["uom_id"]
    so = call(
        eng, "sale.order", "create", {"partner_id": 10, "order_line": [(0, 0, {"product_id": 1})]}
    )
    total = call(eng, "sale.order", "read", [so], ["amount_untaxed"])[0]["amount_untaxed"]
    assert total == product["list_price"]


def test_archive_and_unarchive(eng):
    assert call(eng, "res.partner", "action_archive", [10]) is True
    assert call(eng, "res.partner", "search", [("id", "=", 10)]) == []
    assert call(eng, "res.partner", "action_unarchive", [10]) is True
    assert call(eng, "res.partner", "search", [("id", "=", 10)]) == [10]
    assert error_of(eng, "account.move", "action_archive", [1])[0] == "builtins.AttributeError"


# ---- the lines of a confirmed purchase order (odoo_sandbox/orders.py, from Odoo's source) ------
def confirmed_order(eng: Engine, product: int = 3, partner: int = 34) -> tuple[int, list[int]]:
    """An order of `partner` (a vendor with a price of 73.98 for product 3), confirmed."""
    lines = [
        (0, 0, {"product_id": product, "product_qty": 10, "price_unit": 80.0}),
        (0, 0, {"display_type": "line_note", "name": "Deliver to dock 3"}),
    ]
    po = call(eng, "purchase.order", "create", {"partner_id": partner, "order_line": lines})
    call(eng, "purchase.order", "button_confirm", [po])
    return po, call(eng, "purchase.order", "read", [po], ["order_line"])[0]["order_line"]


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (17, "Cannot delete a purchase order line which is in state 'Purchase Order'."),
        (18, "Cannot delete a purchase order line which is in state \u201cPurchase Order\u201d."),
        (19, "Cannot delete a purchase order line which is in state \u201cPurchase Order\u201d."),
    ],
)
def test_confirmed_purchase_lines_cannot_be_deleted(version, message):
    eng = Engine(odoo_version=version)
    po, (product_line, note) = confirmed_order(eng)

    assert error_of(eng, "purchase.order.line", "unlink", [product_line]) == (
        "odoo.exceptions.UserError",
        message,
    )
    through_the_order = {"order_line": [(2, product_line)]}
    assert error_of(eng, "purchase.order", "write", [po], through_the_order)[1] == message
    # 19 lets a note go; 17 and 18 keep every line of a confirmed order
    if version >= 19:
        assert call(eng, "purchase.order.line", "unlink", [note]) is True
    else:
        assert error_of(eng, "purchase.order.line", "unlink", [note])[1] == message
    call(eng, "purchase.order", "button_cancel", [po])
    assert call(eng, "purchase.order.line", "unlink", [product_line]) is True


@pytest.mark.parametrize("version", [17, 18, 19])
def test_a_received_quantity_is_a_floor_up_to_odoo_18(version):
    eng = Engine(odoo_version=version)
    _, (product_line, _) = confirmed_order(eng)
    call(eng, "purchase.order.line", "write", [product_line], {"qty_received": 8.0})

    lowered = {"product_qty": 5}
    if version <= 18:  # purchase_stock's _create_or_update_picking
        assert error_of(eng, "purchase.order.line", "write", [product_line], lowered)[1] == (
            "You cannot decrease the ordered quantity below the received quantity.\n"
            "Create a return first."
        )
    else:  # Odoo 19 dropped the check
        assert call(eng, "purchase.order.line", "write", [product_line], lowered)
    assert call(eng, "purchase.order.line", "write", [product_line], {"product_qty": 9})


def test_a_quantity_written_alone_takes_the_vendors_price(eng):
    _, (product_line, _) = confirmed_order(eng)

    def price() -> float:
        (row,) = call(eng, "purchase.order.line", "read", [product_line], ["price_unit"])
        return row["price_unit"]

    call(eng, "purchase.order.line", "write", [product_line], {"product_qty": 12, "price_unit": 81})
    assert price() == 81.0  # written with the quantity: kept
    call(eng, "purchase.order.line", "write", [product_line], {"product_qty": 11})
    assert price() == 73.98  # the vendor's price for product 3


def test_floats_are_kept_to_their_digits(eng):
    _, (product_line, _) = confirmed_order(eng)

    call(eng, "purchase.order.line", "write", [product_line], {"price_unit": 100 / 3})

    row = call(eng, "purchase.order.line", "read", [product_line], ["price_unit", "price_subtotal"])
    assert (row[0]["price_unit"], row[0]["price_subtotal"]) == (33.33, 333.3)
