"""The type mapping (field_schema) and the row normalizer, against recorded Odoo 17 answers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tap_odoo.schema import field_description, field_schema, make_normalizer

# ../shared/odoo17 next to the repository: what a real Odoo 17 answered.
RECORDINGS = Path(__file__).resolve().parent / "recordings" / "odoo17"


def recorded(name: str):
    return json.loads((RECORDINGS / name).read_text())


def sample_rows(model: str) -> list[dict]:
    return recorded(f"search_read.{model}.sample3.json")["rows"]


def fields_of(model: str) -> dict[str, dict]:
    return recorded(f"fields_get.{model}.json")


# The type mapping table, one row per Odoo field type.
TYPE_TABLE = [
    ("char", {"type": ["string", "null"]}),
    ("text", {"type": ["string", "null"]}),
    ("html", {"type": ["string", "null"]}),
    ("selection", {"type": ["string", "null"]}),
    ("integer", {"type": ["integer", "null"]}),
    ("float", {"type": ["number", "null"]}),
    ("monetary", {"type": ["number", "null"]}),
    ("boolean", {"type": ["boolean", "null"]}),
    ("date", {"type": ["string", "null"], "format": "date"}),
    ("datetime", {"type": ["string", "null"], "format": "date-time"}),
    ("many2one", {"type": ["integer", "null"]}),
    ("many2one_reference", {"type": ["integer", "null"]}),
    ("one2many", {"type": ["array", "null"], "items": {"type": "integer"}}),
    ("many2many", {"type": ["array", "null"], "items": {"type": "integer"}}),
    ("reference", {"type": ["string", "null"]}),
    ("json", {"type": ["object", "null"]}),
    ("properties", {"type": ["object", "null"]}),
    ("properties_definition", {"type": ["array", "null"], "items": {"type": "object"}}),
    ("binary", {"type": ["string", "null"]}),
    ("some_future_type", {"type": ["string", "null"]}),
]


@pytest.mark.parametrize(("odoo_type", "expected"), TYPE_TABLE)
def test_every_odoo_type_maps_to_its_json_schema(odoo_type, expected):
    assert field_schema("x_field", {"type": odoo_type}) == expected


def test_every_type_in_the_recordings_is_in_the_table():
    seen = {
        f["type"] for path in RECORDINGS.glob("fields_get.*.json") for f in _load(path).values()
    }
    assert seen <= {odoo_type for odoo_type, _ in TYPE_TABLE}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_id_is_the_only_non_nullable_property():
    partner = fields_of("res.partner")
    assert field_schema("id", partner["id"]) == {"type": "integer", "description": "ID."}
    nullable = [name for name, f in partner.items() if "null" in field_schema(name, f)["type"]]
    assert sorted(set(partner) - set(nullable)) == ["id"]


def test_description_has_label_help_and_selection_values():
    partner = fields_of("res.partner")
    assert field_schema("company_type", partner["company_type"])["description"] == (
        "Company Type. Values: person (Individual), company (Company)."
    )
    credit = field_schema("credit", partner["credit"])
    assert credit["description"] == "Total Receivable. Total amount this customer owes you."
    assert field_schema("is_company", partner["is_company"])["description"] == (
        "Is a Company. Check if the contact is a company, otherwise it is a person."
    )
    assert field_description({"type": "char"}) == ""


def test_recorded_types_of_res_partner():
    partner = fields_of("res.partner")
    expected = {
        "name": ["string", "null"],
        "country_id": ["integer", "null"],
        "category_id": ["array", "null"],
        "partner_latitude": ["number", "null"],
        "credit": ["number", "null"],
        "is_company": ["boolean", "null"],
        "write_date": ["string", "null"],
        "date": ["string", "null"],
    }
    got = {name: field_schema(name, partner[name])["type"] for name in expected}
    assert got == expected
    assert field_schema("write_date", partner["write_date"])["format"] == "date-time"
    assert field_schema("date", partner["date"])["format"] == "date"


# The normalizer


def test_res_partner_row_read_with_names():
    row = sample_rows("res.partner")[0]
    record = make_normalizer(fields_of("res.partner"), relation_names=True)(row)
    assert record["id"] == 14
    assert record["country_id"] == 233
    assert record["country_id_name"] == "United States"
    assert record["state_id"] == 13
    assert record["state_id_name"] == "California (US)"
    assert record["parent_id"] is None
    assert record["parent_id_name"] is None
    assert record["category_id"] == [5]
    assert record["is_company"] is True
    assert record["date"] is None
    assert record["write_date"] == "2026-11-22T06:49:00+00:00"
    assert record["create_date"] == "2026-11-22T06:48:07+00:00"
    assert record["company_type"] == "company"
    assert record["credit"] == 0.0


def test_res_partner_row_without_names_has_bare_ids_and_no_name_properties():
    row = sample_rows("res.partner")[0]
    record = make_normalizer(fields_of("res.partner"), relation_names=False)(row)
    assert record["country_id"] == 233
    assert record["commercial_partner_id"] == 14
    assert not any(key.endswith("_id_name") for key in record)
    assert set(record) == set(row)


def test_row_read_with_load_false():
    rows = recorded("cases.json")["search_read_load_false"]["result"]
    normalize = make_normalizer(fields_of("res.partner"), relation_names=False)
    assert [normalize(row) for row in rows] == [
        {
            "active": True,
            "category_id": [],
            "comment": None,
            "country_id": 233,
            "email": "info@yourcompany.com",
            "id": 1,
            "parent_id": None,
            "write_date": "2026-11-22T06:48:51+00:00",
        },
        {
            "active": True,
            "category_id": [],
            "comment": None,
            "country_id": 233,
            "email": "admin@yourcompany.example.com",
            "id": 3,
            "parent_id": None,
            "write_date": "2026-11-22T06:49:13+00:00",
        },
    ]


def test_load_false_with_names_requested_gives_null_names():
    rows = recorded("cases.json")["search_read_load_false"]["result"]
    record = make_normalizer(fields_of("res.partner"), relation_names=True)(rows[0])
    assert record["country_id"] == 233
    assert record["country_id_name"] is None


def test_account_move_and_purchase_order_rows():
    move = make_normalizer(fields_of("account.move"), True)(sample_rows("account.move")[0])
    assert move["name"] == "RBILL/2026/11/0001"
    assert (move["partner_id"], move["partner_id_name"]) == (14, "Azure Interior")
    assert move["amount_total"] == 34.5
    assert move["invoice_date"] == "2026-11-01"
    assert move["line_ids"] == [18, 19, 35, 48]
    assert move["send_and_print_values"] is None  # json, empty
    order = make_normalizer(fields_of("purchase.order"), False)(sample_rows("purchase.order")[0])
    assert order["date_order"] == "2026-11-24T06:49:07+00:00"
    assert order["partner_id"] == 12
    assert order["order_line"] == [22]
    assert order["effective_date"] is None


@pytest.mark.parametrize("model", ["res.partner", "account.move", "purchase.order"])
def test_no_false_survives_outside_booleans(model):
    fields = fields_of(model)
    normalize = make_normalizer(fields, relation_names=True)
    for row in sample_rows(model):
        record = normalize(row)
        leftovers = [
            name
            for name, value in record.items()
            if value is False and fields.get(name, {}).get("type") != "boolean"
        ]
        assert leftovers == []


@pytest.mark.parametrize("model", ["res.partner", "account.move", "purchase.order"])
def test_records_validate_against_their_schema(model):
    fields = fields_of(model)
    properties = {name: field_schema(name, field) for name, field in fields.items()}
    for name, field in fields.items():
        if field["type"] == "many2one":
            properties[f"{name}_name"] = {"type": ["string", "null"]}
    validator = jsonschema.Draft7Validator(
        {"type": "object", "properties": properties, "additionalProperties": False},
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    normalize = make_normalizer(fields, relation_names=True)
    for row in sample_rows(model):
        errors = [f"{e.path}: {e.message}" for e in validator.iter_errors(normalize(row))]
        assert errors == []


def test_special_values():
    fields = {
        "id": {"type": "integer"},
        "ref": {"type": "reference"},
        "data": {"type": "json"},
        "listed": {"type": "json"},
        "props": {"type": "properties"},
        "image": {"type": "binary"},
        "totals": {"type": "binary"},
        "flag": {"type": "boolean"},
        "count": {"type": "integer"},
        "odd": {"type": "some_future_type"},
        "stamp": {"type": "datetime"},
    }
    row = {
        "id": 7,
        "ref": "res.partner,3",
        "data": {"1": 100.0},
        "listed": [1, 2],
        "props": [
            {"name": "size", "type": "char", "string": "Size", "value": "XL"},
            {"name": "empty", "type": "char", "string": "Empty", "value": False},
            {"name": "ok", "type": "boolean", "string": "OK", "value": False},
        ],
        "image": "14.85 Kb",
        "totals": {"amount_total": 34.5},
        "flag": False,
        "count": 0,
        "odd": {"b": 1, "a": 2},
        "stamp": "2026-11-22 06:49:00",
    }
    assert make_normalizer(fields, relation_names=False)(row) == {
        "id": 7,
        "ref": "res.partner,3",
        "data": {"1": 100.0},
        "listed": {"value": [1, 2]},
        "props": {"size": "XL", "empty": None, "ok": False},
        "image": "14.85 Kb",
        "totals": '{"amount_total": 34.5}',
        "flag": False,
        "count": 0,
        "odd": '{"a": 2, "b": 1}',
        "stamp": "2026-11-22T06:49:00+00:00",
    }


def test_false_becomes_null_for_every_non_boolean_type():
    types = [odoo_type for odoo_type, _ in TYPE_TABLE]
    fields = {f"f_{odoo_type}": {"type": odoo_type} for odoo_type in types}
    row = dict.fromkeys(fields, False)
    record = make_normalizer(fields, relation_names=True)(row)
    expected = {name: (False if name == "f_boolean" else None) for name in fields}
    expected["f_many2one_name"] = None
    assert record == expected


def test_a_real_field_named_like_a_display_name_is_kept():
    fields = {"partner_id": {"type": "many2one"}, "partner_id_name": {"type": "char"}}
    row = {"partner_id": [7, "Azure Interior"], "partner_id_name": "stored text"}
    record = make_normalizer(fields, relation_names=True)(row)
    assert record == {"partner_id": 7, "partner_id_name": "stored text"}
