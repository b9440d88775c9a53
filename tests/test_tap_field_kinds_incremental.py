"""Incremental runs with related and computed fields (tap-odoo/README.md, "Incremental sync of
related and computed fields"): a row whose parent changed is read again though its own
write_date stayed; a computed field no write_date tracks is warned about, and read right when
the stream is read in full. The sandbox's clock is set explicitly: run 1 at START, changes an
hour later, so nothing depends on how fast the runs go.
"""

from __future__ import annotations

import datetime as dt

import pytest
from singer_run import discover, run_tap
from test_tap_field_kinds import entry_of, select_properties
from test_tap_sync import admin_call, tap_config
from test_tap_sync_values import frozen_clock, truth_rows

START = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
LATER = START + dt.timedelta(hours=1)
WARNING = "reads computed fields whose changes leave write_date as it is"


def spy_on_domains(sandbox, monkeypatch, model: str) -> list[list]:
    """The domains of the search_read calls on `model` the sandbox serves from now on."""
    domains: list[list] = []
    original = sandbox.engine.execute

    def execute(uid, called, method, args, kwargs):
        if called == model and method == "search_read":
            domains.append((kwargs or {}).get("domain", args[0] if args else []))
        return original(uid, called, method, args, kwargs)

    monkeypatch.setattr(sandbox.engine, "execute", execute)
    return domains


def as_lists(domain: list) -> list:
    return [list(term) if isinstance(term, (list, tuple)) else term for term in domain]


def test_a_renamed_template_brings_its_variants_into_the_next_run(make_sandbox, monkeypatch):
    sandbox = make_sandbox()
    frozen_clock(sandbox, START)
    config = tap_config(sandbox, models=["product.product"])
    first = run_tap(config)
    variants = truth_rows(sandbox, "product.product", ["product_tmpl_id", "write_date"])
    renamed = sorted(variants)[3]
    template = variants[renamed]["product_tmpl_id"]

    frozen_clock(sandbox, LATER)
    admin_call(sandbox, "product.template", "write", [template], {"name": "Renamed chair"})
    domains = spy_on_domains(sandbox, monkeypatch, "product.product")
    second = run_tap(config, state=first.state)

    (record,) = second.records["product_product"]
    assert (record["id"], record["name"]) == (renamed, "Renamed chair")
    assert record["write_date"] == first_write_date(first, renamed)  # its own row: untouched
    since = (START - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    assert ["product_tmpl_id.write_date", ">=", since] in as_lists(domains[0])
    assert WARNING not in second.stderr


def first_write_date(output, record_id: int) -> str:
    (record,) = [r for r in output.records["product_product"] if r["id"] == record_id]
    return record["write_date"]


def test_a_stream_of_stored_fields_sends_the_same_domain_as_before(make_sandbox, monkeypatch):
    sandbox = make_sandbox()
    frozen_clock(sandbox, START)
    config = tap_config(sandbox, models=["product.product"])
    catalog = discover(config)
    entry = entry_of(catalog, "product_product")
    stored = {"id", "default_code", "barcode", "active", "write_date", "_sdc_deleted_at"}
    assert stored <= set(entry["schema"]["properties"])
    select_properties(catalog, "product_product", stored)
    first = run_tap(config, catalog=catalog)
    domains = spy_on_domains(sandbox, monkeypatch, "product.product")
    run_tap(config, catalog=catalog, state=first.state)
    since = (START - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    assert as_lists(domains[0]) == [["write_date", ">=", since]]


def test_a_changed_location_and_a_changed_stock_level_are_in_the_next_stock_run(make_sandbox):
    sandbox = make_sandbox()
    frozen_clock(sandbox, START)
    config = tap_config(sandbox, models=[], use_hotglue_streams=True)
    first = run_tap(config)
    quants = truth_rows(sandbox, "stock.quant", ["location_id", "reserved_quantity"])
    in_chicago = {i for i, q in quants.items() if q["location_id"] == 10}
    counted = min(i for i, q in quants.items() if q["location_id"] == 8 and q["reserved_quantity"])

    frozen_clock(sandbox, LATER)
    admin_call(sandbox, "stock.location", "write", [10], {"name": "Main shelf"})
    admin_call(sandbox, "stock.quant", "write", [counted], {"quantity": 999.0})
    second = run_tap(config, state=first.state)

    emitted = {r["id"]: r for r in second.records["stock"]}
    assert set(emitted) == in_chicago | {counted}  # the location's quants: their warehouse_id
    assert emitted[counted]["quantity"] == 999.0
    assert emitted[counted]["available_quantity"] == 999.0 - quants[counted]["reserved_quantity"]
    assert "Stream 'stock'" not in second.stderr  # available_quantity: tracked, no warning


@pytest.mark.parametrize("full", ["none", "full_sync_streams", "catalog"])
def test_a_stock_level_no_write_date_shows(make_sandbox, full):
    sandbox = make_sandbox()
    frozen_clock(sandbox, START)
    settings = {"full_sync_streams": ["product_product"]} if full == "full_sync_streams" else {}
    config = tap_config(sandbox, models=["product.product"], **settings)
    catalog = discover(config)
    wanted = {"id", "name", "qty_available", "write_date", "_sdc_deleted_at"}
    select_properties(catalog, "product_product", wanted)
    if full == "catalog":  # Meltano: metadata: {product_product: {replication-method: FULL_TABLE}}
        entry_of(catalog, "product_product")["replication_method"] = "FULL_TABLE"
    first = run_tap(config, catalog=catalog)
    quant = min(truth_rows(sandbox, "stock.quant", ["id"], domain=[("location_id", "=", 8)]))
    product = truth_rows(sandbox, "stock.quant", ["product_id"])[quant]["product_id"]

    frozen_clock(sandbox, LATER)
    admin_call(sandbox, "stock.quant", "write", [quant], {"quantity": 5000.0})
    second = run_tap(config, catalog=catalog, state=first.state)
    expected = truth_rows(sandbox, "product.product", ["qty_available"])[product]["qty_available"]

    emitted = {r["id"]: r for r in second.records["product_product"]}
    if full == "none":
        assert product not in emitted  # the documented limit...
        assert second.stderr.count(WARNING) == 1  # ...said once
        assert "Stream 'product_product' reads computed fields" in second.stderr
        assert "(qty_available)" in second.stderr
    else:
        assert emitted[product]["qty_available"] == expected
        assert len(emitted) == len(first.records["product_product"])  # every row, each run
        assert WARNING not in second.stderr
