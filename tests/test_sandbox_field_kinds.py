"""The three kinds of non-stored field, as the sandbox answers them (from the recordings):
related (`_inherits` and many2one), company-dependent (a value per company; `store` false up to
17, true from 18) and computed (values that change while the record's `write_date` does not).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from odoo_sandbox.engine import Engine
from odoo_sandbox.exceptions import OdooServerException

ADMIN = 2
RECORDINGS = Path(__file__).resolve().parent / "recordings" / "odoo17"
KIND_ATTRIBUTES = ["type", "store", "related", "company_dependent", "depends", "sortable"]


def call(eng: Engine, model: str, method: str, *args, **kwargs):
    return eng.execute(ADMIN, model, method, list(args), kwargs)


def read(eng: Engine, model: str, ids: list[int], fields: list[str], **context) -> dict:
    rows = call(eng, model, "read", ids, fields=fields, load=False, context=context)
    return {row["id"]: row for row in rows}


@pytest.fixture(scope="module")
def eng() -> Engine:
    engine = Engine()
    engine.clock = lambda: datetime(2026, 3, 2, 8, 0, 0)
    return engine


@pytest.fixture(scope="module")
def eng18() -> Engine:
    return Engine(odoo_version=18)


def recorded(model: str) -> dict[str, dict]:
    return json.loads((RECORDINGS / f"fields_get.{model}.json").read_text())


@pytest.mark.parametrize("model", ["product.product", "res.partner", "res.users", "stock.quant"])
def test_fields_get_tells_the_kinds_as_recorded(eng, model):
    answered = call(eng, model, "fields_get", attributes=KIND_ATTRIBUTES)
    answered = {name: field for name, field in answered.items() if not name.startswith("x_")}
    expected = {
        name: {k: v for k, v in field.items() if k in KIND_ATTRIBUTES}
        for name, field in recorded(model).items()
    }
    assert answered == expected


def test_company_dependent_fields_are_stored_from_odoo_18(eng, eng18):
    for engine, stored in ((eng, False), (eng18, True)):
        fields = call(engine, "res.partner", "fields_get", attributes=["store", "sortable"])
        for name in ("credit_limit", "property_payment_term_id", "trust"):
            assert fields[name] == {"store": stored, "sortable": stored}, (engine.version, name)
        cost = call(engine, "product.product", "fields_get", ["standard_price"], ["store"])
        assert cost == {"standard_price": {"store": stored}}


def test_inherited_fields_read_the_parent_row_whose_change_leaves_the_child_write_date(eng):
    product = read(eng, "product.product", [5], ["product_tmpl_id", "name", "write_date"])[5]
    template = product["product_tmpl_id"]
    call(eng, "product.template", "write", [template], {"name": "Renamed Template"})
    after = read(eng, "product.product", [5], ["name", "list_price", "write_date"])[5]
    assert after["name"] == "Renamed Template"
    assert after["write_date"] == product["write_date"]
    assert read(eng, "product.template", [template], ["write_date"])[template]["write_date"] == (
        "2026-03-02 08:00:00"
    )
    variants = call(eng, "product.product", "search_read", [], ["product_tmpl_id", "seller_ids"],
                    load=False)  # fmt: skip
    infos = call(eng, "product.supplierinfo", "search_read", [], ["product_tmpl_id"], load=False)
    for variant in variants:  # a one2many read through the template
        expected = [i["id"] for i in infos if i["product_tmpl_id"] == variant["product_tmpl_id"]]
        assert sorted(variant["seller_ids"]) == sorted(expected)
    assert any(variant["seller_ids"] for variant in variants)
    users = read(eng, "res.users", [2], ["partner_id", "name", "email"])[2]
    partner = read(eng, "res.partner", [users["partner_id"]], ["name", "email"])
    assert (users["name"], users["email"]) == (
        partner[users["partner_id"]]["name"],
        partner[users["partner_id"]]["email"],
    )


def test_company_dependent_values_follow_the_first_allowed_company(eng):
    costs = {
        company: read(eng, "product.product", [2, 3], ["standard_price"], **context)
        for company, context in (
            ("user's", {}),
            (1, {"allowed_company_ids": [1]}),
            (2, {"allowed_company_ids": [2, 1]}),
        )
    }
    assert costs["user's"] == costs[1]
    assert costs[1][2]["standard_price"] > 0
    assert costs[1][3]["standard_price"] > 0
    assert costs[2][2]["standard_price"] == round(costs[1][2]["standard_price"] * 1.08, 2)
    assert costs[2][3]["standard_price"] == 0.0  # no value for company 2: empty


def test_writing_a_company_dependent_value_sets_that_company_and_moves_write_date(eng):
    before = read(eng, "product.product", [7], ["standard_price"], allowed_company_ids=[1])[7]
    call(eng, "product.product", "write", [7], {"standard_price": 12.5}, context={
        "allowed_company_ids": [2]
    })  # fmt: skip
    company1 = read(eng, "product.product", [7], ["standard_price", "write_date"])[7]
    company2 = read(eng, "product.product", [7], ["standard_price"], allowed_company_ids=[2])[7]
    assert company1["standard_price"] == before["standard_price"]
    assert company2["standard_price"] == 12.5
    assert company1["write_date"] == "2026-03-02 08:00:00"


def test_stock_levels_change_with_the_quants_not_the_product_write_date(eng):
    # A product of the first warehouse with some of its stock reserved (seed_kinds.py).
    fields = ["product_id", "quantity", "reserved_quantity", "available_quantity"]
    quants = call(eng, "stock.quant", "search_read", [("location_id", "=", 8)], fields, load=False)
    quant = next(q for q in quants if q["reserved_quantity"] and q["product_id"] % 4)
    product = quant["product_id"]
    before = read(eng, "product.product", [product], ["qty_available", "free_qty", "write_date"])
    assert quant["available_quantity"] == quant["quantity"] - quant["reserved_quantity"]
    assert before[product]["free_qty"] == before[product]["qty_available"] - 1.0  # reserved 1
    call(eng, "stock.quant", "write", [quant["id"]], {"quantity": quant["quantity"] + 10})
    after = read(eng, "product.product", [product], ["qty_available", "free_qty", "write_date"])
    assert after[product]["qty_available"] == before[product]["qty_available"] + 10
    assert after[product]["write_date"] == before[product]["write_date"]


def test_stock_levels_count_the_allowed_companies_warehouses(eng):
    four = {
        company: read(eng, "product.product", [4], ["qty_available"], allowed_company_ids=[company])
        for company in (1, 2)
    }
    quants = call(eng, "stock.quant", "search_read", [("product_id", "=", 4)],
                  ["company_id", "quantity", "warehouse_id"], load=False)  # fmt: skip
    for company in (1, 2):
        expected = sum(q["quantity"] for q in quants if q["company_id"] == company)
        assert four[company][4]["qty_available"] == expected
    assert {q["warehouse_id"] for q in quants} == {1, 2}


def test_product_names_are_translated_when_asked(eng):
    english = read(eng, "product.product", [8], ["name"])[8]["name"]
    french = read(eng, "product.product", [8], ["name"], lang="fr_FR")[8]["name"]
    assert french != english
    template = read(eng, "product.product", [8], ["product_tmpl_id"])[8]["product_tmpl_id"]
    call(eng, "product.template", "write", [template], {"name": "Nouveau nom"},
         context={"lang": "fr_FR"})  # fmt: skip
    assert read(eng, "product.product", [8], ["name"], lang="fr_FR")[8]["name"] == "Nouveau nom"
    assert read(eng, "product.product", [8], ["name"])[8]["name"] == english


def test_odoo_19_accepts_an_installed_language_and_refuses_another():
    engine = Engine(odoo_version=19)
    names = call(engine, "product.product", "search_read", [("id", "=", 1)], ["name"],
                 context={"lang": "fr_FR"})  # fmt: skip
    assert names[0]["name"]
    with pytest.raises(OdooServerException, match="Invalid language code: de_DE"):
        call(engine, "product.product", "search_read", [], ["name"], context={"lang": "de_DE"})
