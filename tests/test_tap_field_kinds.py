"""The catalog holds every field the user may read; what is selected by default, and the values a
sync emits, follow the field's kind (tap-odoo/README.md, "Field kinds"): related and
company-dependent fields as Odoo shows them (cost per company, names in a language), computed
ones only when selected.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from singer_run import discover, run_tap, select_only
from test_tap_sync import tap_config
from test_tap_sync_values import assert_stream_matches, truth_rows

from odoo_client import ConnectionSettings, OdooClient
from tap_odoo.discovery import discover as discover_specs
from tap_odoo.field_kinds import COMPANY_DEPENDENT, COMPUTED, RELATED, STORED, classify_models

RECORDINGS = Path(__file__).resolve().parent / "recordings" / "odoo17"
MODELS = ["product.product", "stock.quant", "res.partner", "res.users"]
# Recorded Odoo 17 examples of each kind (tap-odoo/README.md, "Field kinds")
KINDS = {
    "product.product": {
        "default_code": STORED,
        "barcode": STORED,
        "name": RELATED,  # _inherits product.template
        "list_price": RELATED,
        "type": RELATED,
        "categ_id": RELATED,
        "uom_id": RELATED,
        "sale_ok": RELATED,
        "standard_price": COMPANY_DEPENDENT,
        "qty_available": COMPUTED,
        "virtual_available": COMPUTED,
        "free_qty": COMPUTED,
        "lst_price": COMPUTED,
        "display_name": COMPUTED,
    },
    "stock.quant": {"warehouse_id": RELATED, "available_quantity": COMPUTED},
    "res.partner": {"credit_limit": COMPANY_DEPENDENT, "country_code": RELATED, "credit": COMPUTED},
    "res.users": {"name": RELATED, "email": RELATED, "login": STORED},  # _inherits res.partner
}
LOGGER = logging.getLogger("test_tap_field_kinds")


def entry_of(catalog: dict, stream: str) -> dict:
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == stream]
    return entry


def property_metadata(entry: dict) -> dict[str, dict]:
    return {
        item["breadcrumb"][1]: item["metadata"]
        for item in entry["metadata"]
        if len(item["breadcrumb"]) == 2
    }


def select_properties(catalog: dict, stream: str, names: set[str]) -> dict:
    """Select the stream and exactly these properties (as `meltano select` with names does)."""
    select_only(catalog, {stream})
    for item in entry_of(catalog, stream)["metadata"]:
        if len(item["breadcrumb"]) == 2:
            item["metadata"]["selected"] = item["breadcrumb"][1] in names
    return catalog


def test_the_recorded_kinds_are_classified_as_documented():
    recorded = {
        model: json.loads((RECORDINGS / f"fields_get.{model}.json").read_text())
        for model in RECORDINGS.glob("fields_get.*.json")
        for model in [model.name[len("fields_get.") : -len(".json")]]
    }
    kinds = classify_models(recorded, MODELS, recorded.get)
    for model, expected in KINDS.items():
        assert {name: kinds[model][name].kind for name in expected} == expected, model
    product = kinds["product.product"]
    assert product["name"].via == ("product_tmpl_id",)
    assert product["uom_name"].via == ("product_tmpl_id", "product_tmpl_id.uom_id")  # 2 steps
    assert not product["qty_available"].tracked  # depends on stock_move_ids (a one2many)
    assert product["display_name"].tracked  # its code, its template's name
    quant = kinds["stock.quant"]
    assert quant["available_quantity"].tracked  # quantity - reserved_quantity, of the row
    assert quant["product_categ_id"].via == ("product_id", "product_id.product_tmpl_id")
    assert kinds["res.users"]["email"].via == ("partner_id",)


def test_catalog_selects_stored_related_and_company_dependent_fields_not_computed(sandbox):
    catalog = discover(tap_config(sandbox, models=MODELS))
    for model, expected in KINDS.items():
        metadata = property_metadata(entry_of(catalog, model.replace(".", "_")))
        for name, kind in expected.items():
            default = metadata[name].get("selected-by-default", True)
            assert default is (kind != COMPUTED), (model, name)
    everything = discover(tap_config(sandbox, models=MODELS, include_computed_fields=True))
    for entry in everything["streams"]:
        assert all(m.get("selected-by-default", True) for m in property_metadata(entry).values())


def test_a_default_sync_emits_what_odoo_shows_and_no_computed_field(sandbox):
    output = run_tap(tap_config(sandbox, models=["product.product", "res.users"]))
    for stream, model in (("product_product", "product.product"), ("res_users", "res.users")):
        properties = set(output.schemas[stream]["properties"])
        assert {n for n, kind in KINDS[model].items() if kind != COMPUTED} <= properties
        assert not {n for n, kind in KINDS[model].items() if kind == COMPUTED} & properties
        assert_stream_matches(sandbox, output, stream, model)  # every value as Odoo reads it
    names = {r["id"]: r["name"] for r in output.records["product_product"]}
    templates = truth_rows(sandbox, "product.template", ["name"])
    variants = truth_rows(sandbox, "product.product", ["product_tmpl_id"])
    assert names == {i: templates[v["product_tmpl_id"]]["name"] for i, v in variants.items()}


def test_a_computed_field_selected_by_name_is_read(sandbox):
    catalog = discover(tap_config(sandbox, models=["product.product"]))
    wanted = {"id", "name", "qty_available", "free_qty", "write_date", "_sdc_deleted_at"}
    select_properties(catalog, "product_product", wanted)
    output = run_tap(tap_config(sandbox, models=["product.product"]), catalog=catalog)
    assert set(output.schemas["product_product"]["properties"]) == wanted
    truth = truth_rows(sandbox, "product.product", ["qty_available", "free_qty"])
    for record in output.records["product_product"]:
        assert record["qty_available"] == truth[record["id"]]["qty_available"]
        assert record["free_qty"] == truth[record["id"]]["free_qty"]
    assert any(r["free_qty"] < r["qty_available"] for r in output.records["product_product"])


@pytest.mark.parametrize("company", [1, 2])
def test_company_dependent_values_are_those_of_the_company_asked_for(sandbox, company):
    config = tap_config(sandbox, models=["product.product", "res.partner"], company_ids=[company])
    output = run_tap(config)
    context = {"allowed_company_ids": [company]}
    for stream, model in (("product_product", "product.product"), ("res_partner", "res.partner")):
        assert_stream_matches(
            sandbox,
            output,
            stream,
            model,
            context=context,
            expected_ids=set(truth_rows(sandbox, model, ["id"], domain=company_domain(company))),
        )
    costs = {r["id"]: r["standard_price"] for r in output.records["product_product"]}
    other = truth_rows(sandbox, "product.product", ["standard_price"], context={
        "allowed_company_ids": [3 - company]
    })  # fmt: skip
    assert any(costs[i] != other[i]["standard_price"] for i in costs), "costs differ per company"


def company_domain(company: int) -> list:
    return ["|", ("company_id", "=", False), ("company_id", "in", [company])]


def test_several_companies_read_the_first_ones_values_and_say_so(sandbox):
    output = run_tap(tap_config(sandbox, models=["product.product"], company_ids=[2, 1]))
    costs = {r["id"]: r["standard_price"] for r in output.records["product_product"]}
    second = truth_rows(sandbox, "product.product", ["standard_price"], context={
        "allowed_company_ids": [2]
    })  # fmt: skip
    assert costs == {i: second[i]["standard_price"] for i in costs}
    assert (
        "Stream 'product_product': company-dependent fields (property_account_creditor_price_"
        in output.stderr
    )
    assert "hold the values of company 2, the first of company_ids" in output.stderr


def test_names_are_read_in_the_configured_language(sandbox):
    output = run_tap(tap_config(sandbox, models=["product.product"], lang="fr_FR"))
    french = truth_rows(sandbox, "product.product", ["name"], context={"lang": "fr_FR"})
    english = truth_rows(sandbox, "product.product", ["name"])
    names = {r["id"]: r["name"] for r in output.records["product_product"]}
    assert names == {i: row["name"] for i, row in french.items()}
    assert all(names[i] != english[i]["name"] for i in names)


def test_a_narrowed_discovery_classifies_as_a_full_one(sandbox):
    client = OdooClient(ConnectionSettings.from_config(sandbox.settings))
    full = {s.name: s for s in discover_specs(client, {}, LOGGER)}
    narrow = discover_specs(client, {"models": ["product.product", "stock.quant"]}, LOGGER)
    for spec in narrow:
        assert spec.kinds == full[spec.name].kinds
        assert spec.unselected == full[spec.name].unselected


@pytest.mark.parametrize("version", [18, 19])
def test_company_dependent_fields_stored_from_odoo_18_are_read_per_company(make_sandbox, version):
    sandbox = make_sandbox(odoo_version=version)
    client = OdooClient(ConnectionSettings.from_config(sandbox.settings))
    answered = client.fields_get("res.partner", attributes=["store", "company_dependent"])
    assert answered["credit_limit"] == {"store": True, "company_dependent": True}
    (partner,) = discover_specs(client, {"models": ["res.partner"]}, LOGGER)
    assert partner.kinds["credit_limit"].kind == COMPANY_DEPENDENT
    assert "credit_limit" not in partner.unselected
    output = run_tap(tap_config(sandbox, models=["res.partner"], company_ids=[2]))
    expected = set(truth_rows(sandbox, "res.partner", ["id"], domain=company_domain(2)))
    assert_stream_matches(
        sandbox,
        output,
        "res_partner",
        "res.partner",
        context={"allowed_company_ids": [2]},
        expected_ids=expected,
    )
    assert {r["credit_limit"] for r in output.records["res_partner"]} == {0.0, 750.0}


def test_a_related_field_through_a_model_the_user_may_not_read_counts_as_computed(sandbox):
    # res.company.account_opening_journal_id is account_opening_move_id.journal_id: the
    # restricted user may not read account.move, and Odoo refuses a domain through it (an
    # incremental run could not ask for the moves changed since): computed, not selected.
    def company(login: str):
        user = sandbox.users[login]
        settings = {**sandbox.settings, "username": login, "password": user["password"]}
        client = OdooClient(ConnectionSettings.from_config(settings))
        (spec,) = discover_specs(client, {"models": ["res.company"]}, LOGGER)
        return spec

    admin, demo = company("admin"), company("demo")
    assert admin.kinds["account_opening_journal_id"].kind == RELATED
    assert admin.kinds["account_opening_journal_id"].via == ("account_opening_move_id",)
    assert demo.kinds["account_opening_journal_id"].kind == COMPUTED
    assert not demo.kinds["account_opening_journal_id"].tracked
    assert "account_opening_journal_id" in demo.unselected
    assert demo.kinds["partner_id"].kind == STORED
