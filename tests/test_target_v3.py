"""target-odoo as a drop-in for hotglue's target-odoo-v3: every stream v3 takes, in the shape v3
reads (tests/data/target/v3/<stream>.singer, one file per stream), lands on Odoo 17 and 19 at
least as v3 lands it, and a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_target_cli import DATA, Odoo, run_target, statuses

from odoo_sandbox import Sandbox
from target_odoo.external_ids import external_id_name

pytestmark = pytest.mark.e2e

V3 = DATA / "v3"
# The streams target-odoo-v3 registers (target.py SINK_TYPES: TaxRates, Vendors, Suppliers,
# BuyOrders, Invoices, Bills) and PurchaseOrder, the sink its sinks.py defines.
V3_STREAMS = ["TaxRates", "Vendors", "Suppliers", "BuyOrders", "PurchaseOrder", "Invoices", "Bills"]
FILES = {"att-1_V3-INV-1.pdf": b"%PDF-1.4 invoice V3-INV-1", "att-2_bill.pdf": b"%PDF-1.4 bill"}


def v3_input(tmp_path: Path) -> Path:
    """All v3 fixtures in one input, in the order a hotglue job sends them."""
    path = tmp_path / "v3.singer"
    path.write_text("".join((V3 / f"{stream}.singer").read_text() for stream in V3_STREAMS))
    return path


def staged_files(tmp_path: Path) -> Path:
    """The attachment files as hotglue stages them (input_path/<id>_<name>)."""
    folder = tmp_path / "input"
    folder.mkdir(exist_ok=True)
    for name, content in FILES.items():
        (folder / name).write_bytes(content)
    return folder


@pytest.fixture(scope="module", params=[17, 19], ids=["odoo17", "odoo19"])
def landed(request, tmp_path_factory):
    """A fresh sandbox with every v3 fixture written twice, as a v3 job's config sets it up
    (`db` for the database; on 19 over JSON-2 with an API key)."""
    sandbox = Sandbox(odoo_version=request.param, scale=1).start()
    tmp_path = tmp_path_factory.mktemp(f"v3-{request.param}")
    settings = dict(sandbox.settings)
    if request.param >= 19:
        settings["password"] = settings["api_key"]
    connection = {k: v for k, v in settings.items() if k != "database"}
    input_path = str(staged_files(tmp_path))
    extra = {"db": settings["database"], "input_path": input_path, "verify_ref": True}
    first = run_target(connection, tmp_path, v3_input(tmp_path), **extra)
    counts = Odoo(sandbox).counts()
    second = run_target(connection, tmp_path, v3_input(tmp_path), **extra)
    yield sandbox, first, second, counts
    sandbox.stop()


def written(odoo: Odoo, stream: str, key: str) -> int:
    """The Odoo id of a source record, by its external id."""
    return odoo.xmlid(external_id_name(stream, key))


def oldest(odoo: Odoo, model: str, name: str) -> int:
    """What a lookup by name finds: the oldest active record with that name."""
    return odoo(model, "search", [["name", "=", name]], order="id", limit=1)[0]


def test_every_v3_record_is_created_then_left_unchanged(landed):
    sandbox, first, second, counts = landed

    assert statuses(first) == {
        "TaxRates": {
            "VAT 9% (v3)": "created",
            "VAT 21% (v3)": "created",
            "Eco fee (v3)": "created",
        },
        "Vendors": {"V3-V-1": "created", "V3-V-2": "created"},
        "Suppliers": {"V3-S-1": "created"},
        "BuyOrders": {"BO-1001": "created", "BO-1002": "created"},
        "PurchaseOrder": {"PO-V3-1": "created"},
        "Invoices": {"V3-INV-1": "created", "V3-INV-2": "created"},
        "Bills": {"V3-BILL-1": "created"},
    }
    assert {s for stream in statuses(second).values() for s in stream.values()} == {"unchanged"}
    assert Odoo(sandbox).counts() == counts
    # the state hotglue reads after a v3 run: per stream, one bookmark per record
    summary = first["state"]["summary"]
    assert summary["BuyOrders"] == {"success": 2, "fail": 0, "existing": 0, "updated": 0}
    assert {b["externalId"] for b in first["state"]["bookmarks"]["BuyOrders"]} == {
        "BO-1001",
        "BO-1002",
    }


def test_tax_rates_are_purchase_taxes_percent_or_fixed_in_their_group(landed):
    sandbox, _, _, _ = landed
    odoo = Odoo(sandbox)
    fields = ["amount", "amount_type", "type_tax_use", "tax_group_id"]

    taxes = {
        name: odoo.one("account.tax", [["id", "=", written(odoo, "TaxRates", name)]], fields)
        for name in ("VAT 9% (v3)", "VAT 21% (v3)", "Eco fee (v3)")
    }

    group_21 = odoo.one("account.tax.group", [["name", "=", "Tax 21%"]], ["id"])["id"]
    assert {name: tuple(t[f] for f in fields) for name, t in taxes.items()} == {
        "VAT 9% (v3)": (9.0, "percent", "purchase", False),  # no group 'VAT 9%': left empty
        "VAT 21% (v3)": (21.0, "percent", "purchase", group_21),  # tax_type names the group
        "Eco fee (v3)": (2.5, "fixed", "purchase", False),  # is_percent false
    }


def test_vendors_and_suppliers_have_v3s_values(landed):
    sandbox, _, _, _ = landed
    odoo = Odoo(sandbox)
    fields = ["name", "email", "street", "street2", "city", "country_id", "phone"]
    fields += ["supplier_rank", "is_company"]
    belgium = odoo.one("res.country", [["code", "=", "BE"]], ["id"])["id"]
    netherlands = odoo.one("res.country", [["code", "=", "NL"]], ["id"])["id"]

    nordic = odoo.one("res.partner", [["id", "=", written(odoo, "Vendors", "V3-V-1")]], fields)
    polder = odoo.one("res.partner", [["id", "=", written(odoo, "Vendors", "V3-V-2")]], fields)
    atlas = odoo.one("res.partner", [["id", "=", written(odoo, "Suppliers", "V3-S-1")]], fields)

    assert {k: v for k, v in nordic.items() if k != "id"} == {
        "name": "Nordic Timber",
        "email": "orders@nordic-timber.example",
        "street": "Kaai 12",
        "street2": "Dock 3",
        "city": "Antwerpen",
        "country_id": belgium,
        "phone": "+32 3 555 12 34",
        "supplier_rank": 1,
        "is_company": True,
    }
    # addresses and phoneNumbers sent as JSON text, as hotglue does
    assert (polder["city"], polder["country_id"], polder["phone"]) == (
        "Delft",
        netherlands,
        "+31 15 555 0000",
    )
    assert (atlas["name"], atlas["supplier_rank"], atlas["country_id"]) == (
        "Atlas Fasteners",
        1,
        belgium,
    )


def order_lines(odoo: Odoo, order: dict) -> list[tuple]:
    lines = odoo(
        "purchase.order.line",
        "read",
        order["order_line"],
        fields=["product_id", "product_qty", "price_unit"],
        load=False,
    )
    return [(ln["product_id"], ln["product_qty"], ln["price_unit"]) for ln in lines]


def test_buy_orders_in_v3s_shape_are_confirmed_purchase_orders(landed):
    sandbox, _, _, _ = landed
    odoo = Odoo(sandbox)
    fields = ["name", "partner_id", "date_order", "origin", "state", "order_line"]

    bo1 = odoo.one("purchase.order", [["id", "=", written(odoo, "BuyOrders", "BO-1001")]], fields)
    bo2 = odoo.one("purchase.order", [["id", "=", written(odoo, "BuyOrders", "BO-1002")]], fields)

    # id -> name, supplier_remoteId -> partner_id, transaction_date -> date_order, origin kept
    assert {k: v for k, v in bo1.items() if k not in ("id", "order_line")} == {
        "name": "BO-1001",
        "partner_id": 34,
        "date_order": "2026-02-02 08:00:00",
        "origin": "Planner run 2026-02-02",
        "state": "purchase",
    }
    # price_unit = sub_total_price / quantity, rounded as Odoo keeps it (2 decimals)
    assert order_lines(odoo, bo1) == [(3, 10.0, 80.0), (4, 3.0, 33.33)]
    # supplier_name (no remote id) matched on the name; line_items sent as a JSON string
    assert bo2["partner_id"] == oldest(odoo, "res.partner", "Cedar Labs")
    assert (bo2["name"], bo2["date_order"], bo2["state"]) == (
        "BO-1002",
        "2026-02-03 00:00:00",
        "purchase",
    )
    assert order_lines(odoo, bo2) == [(1, 24.0, 7.5)]


def test_purchase_orders_in_v3s_camel_case_shape(landed):
    sandbox, _, _, _ = landed
    odoo = Odoo(sandbox)
    fields = ["name", "partner_id", "date_order", "date_planned", "state", "order_line"]

    po = odoo.one(
        "purchase.order", [["id", "=", written(odoo, "PurchaseOrder", "PO-V3-1")]], fields
    )

    assert {k: v for k, v in po.items() if k not in ("id", "order_line")} == {
        "name": "PO-V3-1",
        "partner_id": oldest(odoo, "res.partner", "Cedar Labs"),
        "date_order": "2026-02-04 10:00:00",
        "date_planned": "2026-02-18 00:00:00",
        "state": "purchase",
    }
    small_bin = oldest(odoo, "product.product", "Small Bin")
    corner_lamp = oldest(odoo, "product.product", "Corner Lamp")
    assert order_lines(odoo, po) == [(small_bin, 4.0, 12.5), (corner_lamp, 2.0, 30.0)]


def test_invoices_and_bills_in_v3s_shape_with_their_attachments(landed):
    sandbox, _, _, _ = landed
    odoo = Odoo(sandbox)
    fields = ["move_type", "state", "partner_id", "currency_id", "invoice_date"]
    fields += ["invoice_date_due", "ref", "invoice_line_ids"]
    sales, expenses = (
        odoo.one("account.account", [["code", "=", code]], ["id"])["id"]
        for code in ("400000", "600000")
    )
    sale_15, purchase_15 = (
        odoo.one("account.tax", [["name", "=", "15%"], ["type_tax_use", "=", use]], ["id"])["id"]
        for use in ("sale", "purchase")
    )

    inv1 = odoo.one("account.move", [["id", "=", written(odoo, "Invoices", "V3-INV-1")]], fields)
    inv2 = odoo.one("account.move", [["id", "=", written(odoo, "Invoices", "V3-INV-2")]], fields)
    bill = odoo.one("account.move", [["id", "=", written(odoo, "Bills", "V3-BILL-1")]], fields)

    assert (inv1["move_type"], inv1["state"], inv1["ref"]) == ("out_invoice", "posted", "V3-INV-1")
    assert (inv1["invoice_date"], inv1["invoice_date_due"]) == ("2026-01-15", "2026-02-14")
    assert inv1["partner_id"] == oldest(odoo, "res.partner", "Wood Trading")
    lines = odoo(
        "account.move.line",
        "read",
        inv1["invoice_line_ids"],
        fields=["name", "quantity", "price_unit", "account_id", "tax_ids"],
        load=False,
    )
    assert [
        (ln["name"], ln["quantity"], ln["price_unit"], ln["account_id"], ln["tax_ids"])
        for ln in lines
    ] == [
        ("Small Bin", 5.0, 20.0, sales, [sale_15]),  # accountNumber, taxCode by name
        ("Installation", 1.0, 80.0, sales, []),  # accountName
    ]
    usd = odoo.one("res.currency", [["name", "=", "USD"]], ["id"])["id"]
    assert (inv2["state"], inv2["currency_id"]) == ("draft", usd)
    assert (bill["move_type"], bill["state"], bill["invoice_date"]) == (
        "in_invoice",
        "posted",
        "2026-01-20",
    )
    bill_line = odoo(
        "account.move.line", "read", bill["invoice_line_ids"], ["account_id", "tax_ids"], load=False
    )
    assert [(ln["account_id"], ln["tax_ids"]) for ln in bill_line] == [(expenses, [purchase_15])]
    # the files hotglue staged in input_path, named <id>_<name>, attached once
    attached = odoo(
        "ir.attachment",
        "search_read",
        [["res_model", "=", "account.move"], ["res_id", "in", [inv1["id"], bill["id"]]]],
        fields=["name", "res_id"],
    )
    assert sorted((a["res_id"], a["name"]) for a in attached) == sorted(
        [(inv1["id"], "att-1_V3-INV-1.pdf"), (bill["id"], "att-2_bill.pdf")]
    )


def test_a_missing_staged_file_is_noted_and_the_invoice_written(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    empty = tmp_path / "empty"
    empty.mkdir()

    run = run_target(sandbox.settings, tmp_path, V3 / "Invoices.singer", input_path=str(empty))

    outcome = next(o for o in run["outcomes"] if o["key"] == "V3-INV-1")
    assert outcome["status"] == "created"
    assert outcome["note"] == (
        f"not attached: attachments[0]: no file 'att-1_V3-INV-1.pdf' in input_path {str(empty)!r}"
    )


def test_stream_names_in_another_case_are_v3s_streams(make_sandbox, tmp_path):
    """hotglue's targets match stream names in any case (target_hotglue's get_sink_class)."""
    sandbox = make_sandbox(odoo_version=17, scale=1)
    lines = []
    for line in (V3 / "BuyOrders.singer").read_text().splitlines():
        message = json.loads(line)
        message.get("value", {}).get("bookmarks", {}).pop("BuyOrders", None)
        if "stream" in message:
            message["stream"] = "buyorders"
        lines.append(json.dumps(message))
    singer = tmp_path / "lower.singer"
    singer.write_text("\n".join(lines) + "\n")

    run = run_target(sandbox.settings, tmp_path, singer)

    assert statuses(run) == {"BuyOrders": {"BO-1001": "created", "BO-1002": "created"}}
    odoo = Odoo(sandbox)
    assert odoo("purchase.order", "search_count", [["name", "in", ["BO-1001", "BO-1002"]]]) == 2


def test_the_least_privilege_user_lands_them_too(make_sandbox, tmp_path):
    """As the integration user (identities on the records; no right to create taxes)."""
    sandbox = make_sandbox(odoo_version=17, scale=1)
    settings = sandbox.settings_for("integration")
    input_path = str(staged_files(tmp_path))

    first = run_target(settings, tmp_path, v3_input(tmp_path), input_path=input_path)
    second = run_target(settings, tmp_path, v3_input(tmp_path), input_path=input_path)

    seen = statuses(first)
    assert set(seen.pop("TaxRates").values()) == {"failed"}  # account.tax create: not granted
    assert {s for stream in seen.values() for s in stream.values()} == {"created"}
    again = statuses(second)
    again.pop("TaxRates")
    assert {s for stream in again.values() for s in stream.values()} == {"unchanged"}
    odoo = Odoo(sandbox)
    order = odoo.one("purchase.order", [["name", "=", "BO-1001"]], ["origin", "state"])
    assert order == {"id": order["id"], "origin": "singer.BuyOrders:BO-1001", "state": "purchase"}
    assert odoo("ir.attachment", "search_count", [["name", "=", "att-1_V3-INV-1.pdf"]]) == 1


def test_a_buy_order_naming_an_unknown_supplier_creates_it_once(make_sandbox, tmp_path):
    """Found on a real Odoo 17: v3's `supplier_name` matched vendors but was not used to create
    one, so an order from a vendor Odoo lacks failed ('required value missing')."""
    sandbox = make_sandbox(odoo_version=17, scale=1)
    record = {
        "id": "BO-NEW-1",
        "supplier_name": "Brand New Supplier Ltd",
        "transaction_date": "2026-02-05",
        "line_items": json.dumps([{"product_remoteId": 1, "quantity": 2, "sub_total_price": 30.0}]),
    }
    schema = json.loads((V3 / "BuyOrders.singer").read_text().splitlines()[0])
    singer = tmp_path / "new_supplier.singer"
    lines = [schema, {"type": "RECORD", "stream": "BuyOrders", "record": record}]
    singer.write_text("".join(json.dumps(line) + "\n" for line in lines))

    first = run_target(sandbox.settings, tmp_path, singer)
    second = run_target(sandbox.settings, tmp_path, singer)

    assert statuses(first) == {"BuyOrders": {"BO-NEW-1": "created"}}
    assert statuses(second) == {"BuyOrders": {"BO-NEW-1": "unchanged"}}
    odoo = Odoo(sandbox)
    vendors = odoo("res.partner", "search_read", [["name", "=", "Brand New Supplier Ltd"]])
    assert len(vendors) == 1
    order = odoo.one("purchase.order", [["name", "=", "BO-NEW-1"]], ["partner_id", "state"])
    assert order["partner_id"] == vendors[0]["id"]
