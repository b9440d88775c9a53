"""TargetOdoo through the Singer SDK with an in-memory Odoo: message flow, stream order,
deletes with metadata off, state output, on_error, batch size."""

from __future__ import annotations

import io
import json
import logging

import pytest
from singer_sdk.exceptions import InvalidJSONSchema, RecordsWithoutSchemaException
from singer_sdk.singerlib.exceptions import InvalidInputLine
from test_target_upsert import MemoryOdoo, customers, invoice

from target_odoo.mapping import MappingError
from target_odoo.sinks import TargetWriteError
from target_odoo.target import TargetOdoo

CONFIG = {"url": "http://odoo.invalid", "database": "db", "username": "admin", "password": "pw"}
PARTY = {"type": "object", "properties": {"id": {"type": "string"}}}
MOVE = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "issueDate": {"type": "string", "format": "date"}},
}


def schema(stream: str, body: dict) -> str:
    return json.dumps(
        {"type": "SCHEMA", "stream": stream, "schema": body, "key_properties": ["id"]}
    )


def record(stream: str, body: dict) -> str:
    return json.dumps({"type": "RECORD", "stream": stream, "record": body})


def run(lines: list[str], odoo: MemoryOdoo, capsys, **settings) -> list[dict]:
    """Feed messages to the target; answer the JSON lines it printed on stdout."""
    target = TargetOdoo(config={**CONFIG, **settings}, validate_config=True, client=odoo)
    target.listen(file_input=io.StringIO("\n".join(lines) + "\n"))
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def test_invoices_sent_before_their_customers_still_find_them(capsys):
    odoo = MemoryOdoo()
    lines = [
        schema("Invoices", MOVE),
        record("Invoices", invoice("I-1", "C-0")),
        schema("Customers", PARTY),
        *[record("Customers", c) for c in customers(2)],
    ]

    state = run(lines, odoo, capsys)[-1]

    partners = odoo.rows("res.partner")
    assert [p["name"] for p in partners] == ["Customer 0", "Customer 1"]
    assert odoo.rows("account.move")[0]["partner_id"] == partners[0]["id"]
    assert state["summary"] == {
        "Customers": {"success": 2, "fail": 0, "existing": 0, "updated": 0},
        "Invoices": {"success": 1, "fail": 0, "existing": 0, "updated": 0},
    }


def test_deleted_at_survives_without_add_record_metadata(capsys):
    odoo = MemoryOdoo()
    run([schema("Customers", PARTY), *[record("Customers", c) for c in customers(2)]], odoo, capsys)
    gone = {**customers(1)[0], "_sdc_deleted_at": "2026-11-22T08:00:00+00:00"}

    state = run(
        [schema("Customers", PARTY), record("Customers", gone)],
        odoo,
        capsys,
        add_record_metadata=False,
    )[-1]

    assert state["bookmarks"]["Customers"][0]["success"] is True
    assert [p["active"] for p in odoo.rows("res.partner")] == [False, True]


def test_passthrough_state_output_repeats_the_tap_state(capsys):
    odoo = MemoryOdoo()
    tap_state = {"bookmarks": {"Customers": {"replication_key_value": "2026-01-01"}}}
    lines = [
        schema("Customers", PARTY),
        record("Customers", customers(1)[0]),
        json.dumps({"type": "STATE", "value": tap_state}),
    ]

    printed = run(lines, odoo, capsys, state_output="passthrough")

    assert printed == [tap_state]


def test_on_error_fail_stops_with_the_reason(capsys):
    odoo = MemoryOdoo()
    bad = invoice("I-1", "C-404")

    with pytest.raises(TargetWriteError, match=r"stream 'Invoices', record 'I-1': partner_id"):
        run([schema("Invoices", MOVE), record("Invoices", bad)], odoo, capsys, on_error="fail")


def test_a_record_off_its_schema_fails_alone(capsys):
    odoo = MemoryOdoo()
    lines = [
        schema("Customers", PARTY),
        record("Customers", {**customers(1)[0], "id": 5}),
        record("Customers", customers(2)[1]),
    ]

    state = run(lines, odoo, capsys)[-1]

    first, second = state["bookmarks"]["Customers"]
    assert first["success"] is False
    assert "does not match the stream schema" in first["error"]
    assert second["success"] is True
    assert [p["name"] for p in odoo.rows("res.partner")] == ["Customer 1"]


def test_batch_size_sets_records_per_create(capsys):
    odoo = MemoryOdoo()

    run(
        [schema("Customers", PARTY), *[record("Customers", c) for c in customers(5)]],
        odoo,
        capsys,
        batch_size=2,
    )

    assert odoo.calls[("res.partner", "create")] == 3


def test_fields_the_database_lacks_are_left_out(capsys, caplog):
    odoo = MemoryOdoo()
    odoo.missing_fields = {"res.partner.mobile"}  # Odoo 19 has no res.partner.mobile
    customer = {**customers(1)[0], "phoneNumbers": [{"number": "1"}, {"number": "2"}]}

    state = run([schema("Customers", PARTY), record("Customers", customer)], odoo, capsys)[-1]

    assert state["summary"]["Customers"]["success"] == 1
    (partner,) = odoo.rows("res.partner")
    assert (partner["phone"], "mobile" in partner) == ("1", False)
    assert "fields this database does not have are not written: res.partner.mobile" in caplog.text


def test_a_bad_mapping_or_an_unmapped_stream_stops_before_any_write(capsys):
    odoo = MemoryOdoo()
    with pytest.raises(MappingError, match="stream 'X', key 'model'"):
        TargetOdoo(config={**CONFIG, "mapping": {"streams": {"X": {"model": "Partner"}}}})
    with pytest.raises(MappingError, match="stream 'Widgets': no mapping"):
        run([schema("Widgets", PARTY), record("Widgets", {"id": "1"})], odoo, capsys)
    assert odoo.writes() == 0


def test_a_bad_date_fails_its_record_whatever_the_schema_style(capsys):
    odoo = MemoryOdoo()
    run([schema("Customers", PARTY), record("Customers", customers(1)[0])], odoo, capsys)
    dated = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "issueDate": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        },
    }
    good, bad = invoice("I-1", "C-0"), invoice("I-2", "C-0", issueDate="2026-02-30")

    state = run(
        [schema("Invoices", dated), record("Invoices", good), record("Invoices", bad)], odoo, capsys
    )[-1]

    first, second = state["bookmarks"]["Invoices"]
    assert (first["success"], second["success"]) == (True, False)
    assert "'invoice_date' from 'issueDate': not a valid ISO date" in second["error"]


def test_why_records_failed_is_logged_for_the_first_twenty_per_stream(capsys, caplog, tmp_path):
    odoo = MemoryOdoo()
    bad = [invoice(f"I-{i}", "C-404", customerName=None) for i in range(25)]
    results = tmp_path / "results.jsonl"
    caplog.set_level(logging.INFO, logger="target-odoo")

    run(
        [schema("Invoices", MOVE), *[record("Invoices", b) for b in bad]],
        odoo,
        capsys,
        results_path=str(results),
    )

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    failed = [w for w in warnings if w.startswith("Stream Invoices: record ")]
    assert len(failed) == 20
    assert failed[0].startswith("Stream Invoices: record 'I-0' failed: partner_id: no res.partner")
    assert "Stream Invoices: 25 failed records (the first 20 are logged above)" in warnings
    assert f"Outcome of every record (one JSON line each): {results}" in caplog.text


def test_a_line_that_is_not_json_stops_after_the_records_before_it_are_written(capsys, tmp_path):
    odoo = MemoryOdoo()
    results = tmp_path / "results.jsonl"
    lines = [schema("Customers", PARTY), *[record("Customers", c) for c in customers(2)], "{oops"]

    with pytest.raises(InvalidInputLine, match=r"^line 4: not JSON \("):
        run(lines, odoo, capsys, results_path=str(results))

    assert [p["name"] for p in odoo.rows("res.partner")] == ["Customer 0", "Customer 1"]
    assert [json.loads(line)["status"] for line in results.read_text().splitlines()] == [
        "created",
        "created",
    ]
    state = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert state["summary"]["Customers"]["success"] == 2


CUSTOMERS_SCHEMA = schema("Customers", PARTY)
MALFORMED = [
    pytest.param("[1]", InvalidInputLine, "not a Singer message (a list", id="not-an-object"),
    pytest.param('{"type": 5}', InvalidInputLine, "unknown message type 5", id="type-not-text"),
    pytest.param('{"type": "STATE"}', InvalidInputLine, "STATE message without 'value'", id="st"),
    pytest.param(
        '{"type": "RECORD", "stream": "Customers", "record": [1]}',
        InvalidInputLine,
        "'record' is not an object (list)",
        id="record-a-list",
    ),
    pytest.param(
        '{"type": "ACTIVATE_VERSION", "stream": "Nope", "version": 1}',
        RecordsWithoutSchemaException,
        "ACTIVATE_VERSION message of stream 'Nope' before the stream's SCHEMA",
        id="activate-unknown-stream",
    ),
    pytest.param(
        schema("Customers", {"type": "object"}),
        InvalidInputLine,
        "schema has no 'properties' object",
        id="schema-without-properties",
    ),
    pytest.param(
        json.dumps(
            {"type": "SCHEMA", "stream": "Vendors", "schema": {"properties": {"id": {"type": 1}}}}
        ),
        InvalidJSONSchema,
        "the SCHEMA of stream 'Vendors' is not a valid JSON schema",
        id="schema-not-json-schema",
    ),
    pytest.param(
        json.dumps({**json.loads(CUSTOMERS_SCHEMA), "key_properties": "id"}),
        InvalidInputLine,
        "'key_properties' is not a list of field names ('id')",
        id="key-properties-text",
    ),
]


@pytest.mark.parametrize(("line", "kind", "words"), MALFORMED)
def test_a_malformed_line_stops_on_one_line_naming_it(capsys, line, kind, words):
    odoo = MemoryOdoo()
    lines = [CUSTOMERS_SCHEMA, record("Customers", customers(1)[0]), "", line]

    with pytest.raises(kind) as raised:
        run(lines, odoo, capsys)

    assert str(raised.value).startswith("line 4: ")
    assert "\n" not in str(raised.value)
    assert words in str(raised.value)
    assert [p["name"] for p in odoo.rows("res.partner")] == ["Customer 0"]  # the line before


def test_results_keep_only_counts_when_no_state_lists_the_outcomes(tmp_path) -> None:
    from target_odoo.results import Outcome, ResultsLog  # noqa: PLC0415

    kept, counted = ResultsLog(), ResultsLog(str(tmp_path / "r.jsonl"), keep_outcomes=False)
    outcomes = [
        Outcome(stream="Customers", key=f"C-{i}", status="created" if i % 3 else "failed")
        for i in range(30)
    ]
    for log in (kept, counted):
        log.add(outcomes)
    assert counted.summary() == kept.summary() == {"Customers": {"created": 20, "failed": 10}}
    assert counted.total == kept.total == 30
    assert counted.outcomes == {}
    assert len(kept.outcomes["Customers"]) == 30
    counted.close()
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 30  # the file keeps them all
