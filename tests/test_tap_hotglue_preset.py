"""The hotglue preset on a demo database: its catalog selects by default what the hotglue jobs
read (prices, cost, stock levels, received quantities, ...), a sync emits the values Odoo shows
(cost of the company asked for, names in the chosen language, stock levels), and the jobs'
filters are settings (tap-odoo/README.md, `use_hotglue_streams`).
"""

from __future__ import annotations

import pytest
from singer_run import discover, run_tap
from test_tap_field_kinds import property_metadata
from test_tap_field_kinds_incremental import LATER, START
from test_tap_sync import admin_call, tap_config
from test_tap_sync_values import assert_stream_matches, fields_get, frozen_clock, truth_rows

from tap_odoo.presets import HOTGLUE_STREAMS, JOB_FIELDS

PRESET = {"models": [], "use_hotglue_streams": True}
# What the issue asks the jobs to find, per stream (all selected by default)
ASKED = {
    "products": {
        "name", "default_code", "barcode", "list_price", "lst_price", "standard_price",
        "qty_available", "free_qty", "type", "active", "product_tmpl_id", "seller_ids",
    },
    "stock": {
        "product_id", "location_id", "warehouse_id", "quantity", "reserved_quantity",
        "available_quantity",
    },
    "product_suppliers": {
        "partner_id", "product_id", "product_tmpl_id", "delay", "min_qty", "price", "currency_id",
        "sequence",
    },
    "sale_orders": {"amount_total", "amount_untaxed", "date_order", "state"},
    "sale_order_line": {"price_unit", "price_subtotal", "product_uom_qty", "state"},
    "purchase_orders": {"amount_total", "date_order", "date_planned", "state"},
    "purchase_order_lines": {"qty_received", "date_planned", "price_unit", "state"},
    "customers": {"display_name", "email_normalized", "customer_rank", "supplier_rank"},
    "suppliers": {"display_name", "email_normalized", "customer_rank", "supplier_rank"},
    "invoices_bills": {"amount_total", "invoice_date", "state", "payment_state"},
    "invoice_bill_lines": {"price_unit", "quantity", "price_subtotal", "product_id"},
}  # fmt: skip


@pytest.fixture(scope="module")
def preset_catalog(sandbox) -> dict:
    return discover(tap_config(sandbox, **PRESET))


def test_the_catalog_selects_what_the_jobs_read(sandbox, preset_catalog):
    streams = {entry["tap_stream_id"]: entry for entry in preset_catalog["streams"]}
    for stream, asked in ASKED.items():
        assert asked <= set(JOB_FIELDS[stream]), stream
        metadata = property_metadata(streams[stream])
        unselected = {n for n, m in metadata.items() if m.get("selected-by-default") is False}
        assert asked <= set(metadata), (stream, asked - set(metadata))
        assert not asked & unselected, (stream, asked & unselected)
    for preset in HOTGLUE_STREAMS:  # every job field the model has, wherever it is installed
        if preset.name not in streams:
            continue
        model_fields = fields_get(sandbox, preset.model)
        metadata = property_metadata(streams[preset.name])
        for name in set(preset.select) & set(model_fields):
            assert metadata[name].get("selected-by-default", True), (preset.name, name)
    assert streams["products"]["replication_method"] == "FULL_TABLE"
    assert streams["stock"]["replication_method"] == "INCREMENTAL"


def test_a_sync_emits_what_odoo_shows_for_a_company_and_a_language(sandbox):
    config = tap_config(sandbox, **PRESET, company_ids=[2], lang="fr_FR")
    output = run_tap(config)
    context = {"allowed_company_ids": [2], "lang": "fr_FR"}
    company = ["|", ("company_id", "=", False), ("company_id", "in", [2])]
    for stream, model, domain in (
        ("products", "product.product", company),
        ("stock", "stock.quant", [("location_id.usage", "=", "internal"), *company]),
        ("customers", "res.partner", [("customer_rank", ">", 0), *company]),
        ("purchase_order_lines", "purchase.order.line", company),
    ):
        expected = set(truth_rows(sandbox, model, ["id"], domain=domain, context=context))
        assert_stream_matches(
            sandbox, output, stream, model, context=context, expected_ids=expected
        )
    products = {r["id"]: r for r in output.records["products"]}
    french = truth_rows(sandbox, "product.product", ["name"], context={"lang": "fr_FR"})
    assert {i: r["name"] for i, r in products.items()} == {i: french[i]["name"] for i in products}
    assert any(r["qty_available"] and r["standard_price"] for r in products.values())
    assert any(r["credit_limit"] for r in output.records["customers"])


def test_warehouse_ids_narrow_the_stock(sandbox):
    every = run_tap(tap_config(sandbox, **PRESET))
    chicago = run_tap(tap_config(sandbox, **PRESET, hotglue_warehouse_ids=[2]))
    warehouses = {r["warehouse_id"] for r in every.records["stock"]}
    assert warehouses == {1, 2}
    assert chicago.records["stock"]
    assert {r["warehouse_id"] for r in chicago.records["stock"]} == {2}
    assert set(chicago.ids("stock")) == {
        r["id"] for r in every.records["stock"] if r["warehouse_id"] == 2
    }


def test_only_confirmed_sell_orders_unless_all_are_wanted(sandbox):
    confirmed = run_tap(tap_config(sandbox, **PRESET))
    everything = run_tap(tap_config(sandbox, **PRESET, hotglue_all_sell_orders=True))
    orders = truth_rows(sandbox, "sale.order", ["state"])
    assert {r["state"] for r in orders.values()} > {"sale"}
    assert set(confirmed.ids("sale_orders")) == {
        i for i, r in orders.items() if r["state"] == "sale"
    }
    assert set(everything.ids("sale_orders")) == set(orders)
    lines = truth_rows(sandbox, "sale.order.line", ["order_id"])
    assert set(confirmed.ids("sale_order_line")) == {
        i for i, r in lines.items() if orders[r["order_id"]]["state"] == "sale"
    }
    assert set(everything.ids("sale_order_line")) == set(lines)


def test_products_are_read_in_full_so_stock_levels_stay_exact(make_sandbox):
    sandbox = make_sandbox()
    frozen_clock(sandbox, START)
    config = tap_config(sandbox, **PRESET)
    first = run_tap(config)
    quant = min(truth_rows(sandbox, "stock.quant", ["id"], domain=[("location_id", "=", 8)]))
    product = truth_rows(sandbox, "stock.quant", ["product_id"])[quant]["product_id"]
    frozen_clock(sandbox, LATER)
    admin_call(sandbox, "stock.quant", "write", [quant], {"quantity": 4321.0})
    second = run_tap(config, state=first.state)
    levels = truth_rows(sandbox, "product.product", ["qty_available", "free_qty"])
    emitted = {r["id"]: r for r in second.records["products"]}
    assert set(emitted) == set(first.ids("products"))
    assert {i: (r["qty_available"], r["free_qty"]) for i, r in emitted.items()} == {
        i: (levels[i]["qty_available"], levels[i]["free_qty"]) for i in emitted
    }
    assert emitted[product]["qty_available"] >= 4321.0
    assert [r["id"] for r in second.records["stock"]] == [quant]  # incremental: the one quant
    assert "reads computed fields" not in second.stderr
