"""mapping.json: the shipped default loads, errors name the stream and key, paths and transforms."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from target_odoo.compare import same_value
from target_odoo.mapping import MappingError, default_mapping_document, load_mapping
from target_odoo.model_fields import fit_mapping
from target_odoo.paths import read_path
from target_odoo.record_values import RecordError, prepare_record
from target_odoo.transforms import apply_transform

UNIFIED_STREAMS = [
    "Bills",
    "BuyOrders",
    "Customers",
    "Invoices",
    "PurchaseInvoices",
    "PurchaseOrder",
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
        "PurchaseOrder": "purchase.order",
        "Suppliers": "res.partner",
        "TaxRates": "account.tax",
        "Vendors": "res.partner",
    }
    assert mapping.streams["Suppliers"].fields == mapping.streams["Vendors"].fields
    assert [a.method for a in mapping.streams["Invoices"].after] == ["action_post"]
    # the unified shape is confirmed when its status says so, v3's shape always
    assert [a.method for a in mapping.streams["BuyOrders"].after] == ["button_confirm"] * 2


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


# ---- target-odoo-v3's shapes: conditions, fixed values, divisions, fallbacks -------------------
def test_v3_buy_orders_and_the_unified_shape_share_a_stream():
    stream = load_mapping().streams["BuyOrders"]
    v3 = {
        "id": "BO-1",
        "supplier_remoteId": "34",
        "transaction_date": "2026-02-03",
        "origin": "Planner",
        "line_items": json.dumps([{"product_remoteId": 3, "quantity": 3, "sub_total_price": 100}]),
    }
    unified = {"id": "PO-1", "orderNumber": "REQ-1", "transactionDate": "2026-02-03T10:00:00Z"}

    mapped = prepare_record(v3, stream)
    other = prepare_record(unified, stream)

    assert mapped.header.vals == {
        "name": "BO-1",  # only for v3's shape (`when`): the unified id is not an order name
        "origin": "Planner",
        "date_order": "2026-02-03 00:00:00",
    }
    assert mapped.header.lookups["partner_id"].keys[1] == 34  # supplier_remoteId, by id
    (line,) = mapped.lines["order_line"]
    assert line.vals == {"product_qty": 3.0, "price_unit": 33.333333333333336}
    assert line.lookups["product_id"].keys[0] == 3
    assert other.header.vals == {"partner_ref": "REQ-1", "date_order": "2026-02-03 10:00:00"}


@pytest.mark.parametrize(
    ("item", "price"),
    [
        ({"unitPrice": 12.5, "quantity": 4, "sub_total_price": 1}, 12.5),  # unitPrice wins
        ({"quantity": 4, "sub_total_price": 50}, 12.5),  # otherwise: the total per quantity
        ({"quantity": 0, "sub_total_price": 0}, 0.0),  # a zero line has a zero price
    ],
)
def test_a_price_from_a_line_total(item, price):
    stream = load_mapping().streams["BuyOrders"]

    prepared = prepare_record({"id": "BO-1", "line_items": [item]}, stream)

    assert prepared.lines["order_line"][0].vals["price_unit"] == price


def test_a_price_that_cannot_be_had_fails_the_record():
    stream = load_mapping().streams["BuyOrders"]

    with pytest.raises(RecordError, match=r"50 cannot be divided by 'quantity' = 0"):
        prepare_record({"id": "B", "line_items": [{"quantity": 0, "sub_total_price": 50}]}, stream)
    with pytest.raises(
        RecordError,
        match=r"'price_unit': required value missing at 'unitPrice', else 'sub_total_price' / "
        "'quantity'",
    ):
        prepare_record({"id": "B", "line_items": [{"quantity": 2}]}, stream)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"name": "VAT 9%", "value": 9, "is_percent": True}, ("purchase", "percent", 9.0)),
        ({"name": "Fee", "value": 2, "is_percent": False}, ("purchase", "fixed", 2.0)),
        ({"name": "VAT 9%", "value": 9, "type": "sales"}, ("sale", "percent", 9.0)),
        ({"id": "T", "name": "VAT 21%", "rate": 21}, ("sale", "percent", 21.0)),  # unified
    ],
)
def test_tax_rates_in_both_shapes(record, expected):
    stream = load_mapping().streams["TaxRates"]

    vals = prepare_record(record, stream).header.vals

    assert (vals["type_tax_use"], vals["amount_type"], vals["amount"]) == expected
    assert read_path(record, stream.key) in (record.get("id"), record["name"])  # key: id or name


def test_purchase_orders_in_v3s_camel_case_shape():
    stream = load_mapping().streams["PurchaseOrder"]
    record = {
        "invoiceNumber": "PO-V3-1",
        "supplierName": "Cedar Labs",
        "createdAt": "2026-02-04T10:00:00Z",
        "dueDate": "2026-02-18",
        "lineItems": [{"productName": "Small Bin", "unitPrice": 12.5, "quantity": 4}],
    }

    prepared = prepare_record(record, stream)

    assert read_path(record, stream.key) == "PO-V3-1"
    assert prepared.header.vals == {
        "name": "PO-V3-1",
        "date_order": "2026-02-04 10:00:00",
        "date_planned": "2026-02-18 00:00:00",
    }
    assert prepared.header.lookups["partner_id"].keys[-1] == "Cedar Labs"
    assert [a.unless_setting for a in stream.after] == [None]  # always confirmed, as v3 did
    assert prepared.lines["order_line"][0].vals == {
        "name": "Small Bin",
        "product_qty": 4.0,
        "price_unit": 12.5,
    }


def test_stream_names_in_another_case_are_the_mapped_streams():
    mapping = load_mapping()

    assert mapping.canonical("buyorders") == "BuyOrders"
    assert mapping.for_stream("TAXRATES").stream == "TaxRates"
    assert mapping.canonical("res_partner") == "res_partner"
    assert mapping.switches() == {"export_buy_orders_as_draft"}


def test_a_marker_may_be_a_mapped_field_but_not_a_constant():
    document = default_mapping_document()
    assert document["streams"]["BuyOrders"]["fields"]["origin"]  # v3's origin, and the marker
    load_mapping(document)

    document["streams"]["Invoices"]["constants"] = {"invoice_origin": "x"}
    with pytest.raises(MappingError, match=r"'marker': 'invoice_origin' is a constant or a lookup"):
        load_mapping(document)


def test_numbers_are_rounded_as_odoo_keeps_them():
    stream = load_mapping().streams["BuyOrders"]
    fields = {
        "purchase.order": {"name": {}, "origin": {}, "date_order": {}, "order_line": {}},
        "purchase.order.line": {
            "product_id": {},
            "product_qty": {"digits": [16, 2]},
            "price_unit": {"digits": [16, 2]},
            "qty_received": {"digits": [16, 2]},
        },
    }
    fitted, _ = fit_mapping(stream, fields.get)
    record = {"id": "B", "line_items": [{"quantity": 3, "sub_total_price": 100}]}

    (line,) = prepare_record(record, fitted).lines["order_line"]

    assert line.vals["price_unit"] == 33.33
    rule = fitted.lines["order_line"]
    assert (rule.match_by, rule.always_write, rule.not_below) == (
        ("product_id",),
        ("price_unit",),
        {"product_qty": "qty_received"},
    )
    assert rule.leave_when is None  # the line model has no display_type here
