"""mapping.json: the shipped default loads, errors name the stream and key, paths and transforms."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from target_odoo.compare import same_value
from target_odoo.mapping import MappingError, default_mapping_document, load_mapping
from target_odoo.paths import read_path
from target_odoo.record_values import RecordError, prepare_record
from target_odoo.transforms import apply_transform

UNIFIED_STREAMS = [
    "Bills",
    "BuyOrders",
    "Customers",
    "Invoices",
    "PurchaseInvoices",
    "Suppliers",
    "TaxRates",
    "Vendors",
]


def test_default_mapping_covers_the_unified_streams():
    mapping = load_mapping()

    assert sorted(mapping.streams) == UNIFIED_STREAMS
    models = {name: stream.model for name, stream in mapping.streams.items()}
    assert models == {
        "Bills": "account.move",
        "BuyOrders": "purchase.order",
        "Customers": "res.partner",
        "Invoices": "account.move",
        "PurchaseInvoices": "purchase.order",
        "Suppliers": "res.partner",
        "TaxRates": "account.tax",
        "Vendors": "res.partner",
    }
    assert mapping.streams["Suppliers"].fields == mapping.streams["Vendors"].fields
    assert [a.method for a in mapping.streams["Invoices"].after] == ["action_post"]
    assert [a.method for a in mapping.streams["BuyOrders"].after] == ["button_confirm"]


def test_streams_named_like_a_model_pass_through():
    stream = load_mapping().for_stream("account_move_line")

    assert (stream.model, stream.passthrough, stream.key) == ("account.move.line", True, ["id"])


def test_unknown_stream_says_what_to_do():
    with pytest.raises(MappingError, match=r"stream 'Widgets': no mapping.*res_partner"):
        load_mapping().for_stream("Widgets")


def test_schema_errors_name_the_stream_and_key():
    document = default_mapping_document()
    document["streams"]["Invoices"]["lookups"]["partner_id"]["on_missing"] = "sometimes"

    with pytest.raises(MappingError) as raised:
        load_mapping(document)

    message = str(raised.value)
    assert "stream 'Invoices', key 'lookups.partner_id.on_missing'" in message
    assert "'sometimes' is not one of" in message


def test_unknown_transform_and_missing_model_are_reported():
    document = {"streams": {"Things": {"fields": {"name": {"path": "n", "transform": "rot13"}}}}}

    with pytest.raises(MappingError) as raised:
        load_mapping(document)

    message = str(raised.value)
    assert "stream 'Things', key 'fields.name.transform': 'rot13' is not one of" in message
    assert "stream 'Things': 'model' is a required property" in message


def test_external_id_of_an_unknown_stream_is_rejected():
    document = {
        "streams": {
            "Orders": {
                "model": "sale.order",
                "lookups": {
                    "partner_id": {
                        "model": "res.partner",
                        "match": [{"path": "c", "external_id": ["Clients"]}],
                    }
                },
            }
        }
    }

    with pytest.raises(MappingError, match=r"stream 'Orders'.*unknown stream 'Clients'"):
        load_mapping(document)


def test_mapping_from_a_file_and_bad_files(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(
        json.dumps(
            {"streams": {"Tags": {"model": "res.partner.category", "fields": {"name": "label"}}}}
        )
    )
    assert load_mapping(str(path)).streams["Tags"].fields["name"].path == "label"

    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(MappingError, match="not valid JSON"):
        load_mapping(str(tmp_path / "broken.json"))
    with pytest.raises(MappingError, match="not found"):
        load_mapping(str(tmp_path / "absent.json"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("addresses[0].city", "Ghent"),
        ("addresses[1].city", None),
        ("addresses[-1].zip", "9000"),
        ("phones", None),
        (["missing", "name"], "Acme"),
        ("name.first", None),
    ],
)
def test_read_path(path, expected):
    record = {"name": "Acme", "addresses": [{"city": "Ghent", "zip": "9000"}]}
    as_text = {**record, "addresses": json.dumps(record["addresses"])}  # as hotglue sends them

    assert read_path(record, path) == expected
    assert read_path(as_text, path) == expected


def test_lines_sent_as_json_text_are_read():
    stream = load_mapping().streams["Invoices"]
    items = [{"description": "Desk", "quantity": 2, "unitPrice": 100}]

    prepared = prepare_record({"id": "I-1", "lineItems": json.dumps(items)}, stream)

    assert [line.vals for line in prepared.lines["invoice_line_ids"]] == [
        {"name": "Desk", "quantity": 2.0, "price_unit": 100.0}
    ]
    with pytest.raises(RecordError, match="'lineItems': expected a list, got dict"):
        prepare_record({"id": "I-1", "lineItems": {"a": 1}}, stream)


@pytest.mark.parametrize(
    ("transform", "value", "expected"),
    [
        ("date", "2026-01-05T10:00:00Z", "2026-01-05"),
        ("date", dt.date(2026, 1, 5), "2026-01-05"),
        ("datetime", "2026-01-05T10:00:00+02:00", "2026-01-05 08:00:00"),
        ("datetime", dt.datetime(2026, 1, 5, 10, 0), "2026-01-05 10:00:00"),
        ("number", "12.50", 12.5),
        ("integer", 3.0, 3),
        ("boolean", "Yes", True),
        ("boolean", 0, False),
        ("lowercase", " POSTED ", "posted"),
        ("uppercase", "eur", "EUR"),
        ("not_empty", "", False),
    ],
)
def test_transforms(transform, value, expected):
    assert apply_transform(transform, value) == expected


@pytest.mark.parametrize(
    ("transform", "value"),
    [("date", "31/12/2026"), ("datetime", "yesterday"), ("number", "12,5"), ("boolean", "maybe")],
)
def test_bad_values_raise(transform, value):
    with pytest.raises(ValueError, match=repr(value)):
        apply_transform(transform, value)


def test_value_maps_reject_unlisted_values():
    stream = load_mapping().streams["Invoices"]
    record = {"id": "I-1", "type": "CREDIT_NOTE", "lineItems": []}
    assert prepare_record(record, stream).header.vals["move_type"] == "out_refund"

    with pytest.raises(RecordError, match=r"'move_type'.*'receipt' is not one of"):
        prepare_record({**record, "type": "receipt"}, stream)


@pytest.mark.parametrize(
    ("desired", "current", "same"),
    [
        (5, [5, "Acme"], True),
        (5, False, False),
        ([(6, 0, [2, 1])], [1, 2], True),
        ([(6, 0, [1])], [1, 2], False),
        (10.0, 10, True),
        (False, False, True),
        (True, False, False),
        ("x", False, False),
        (None, False, True),
        ("Pays late", "<p>Pays late</p>", True),
        ("A & B", "<p>A &amp; B</p>", True),
        ("Pays late", "<p>Pays on time</p>", False),
    ],
)
def test_same_value(desired, current, same):
    assert same_value(desired, current) is same


def test_state_is_never_mapped_directly():
    document = default_mapping_document()
    document["streams"]["Invoices"]["fields"]["state"] = "status"

    with pytest.raises(MappingError, match=r"stream 'Invoices', key 'fields.state': state is"):
        load_mapping(document)
