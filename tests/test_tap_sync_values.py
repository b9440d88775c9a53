"""tap-odoo sync, value by value, against the sandbox's own rows (the ground truth).

One generic check (`assert_stream_matches`) drives everything: for every record of a stream, every
property of its SCHEMA is compared with the row the sandbox holds, normalized the way
tap-odoo/README.md ("Type mapping") documents for the field's Odoo type (from the sandbox's
`fields_get`). The settings tests then show each setting changes what is read, and the last tests
that changes between runs (behind the keyset cursor, new rows, rows committed late within the
look-back) are all in the next run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from singer_run import SingerOutput, discover, parse_messages, run_tap, select_only, tap_command
from test_tap_sync import admin_call, as_utc, changed_since, tap_config

DELETED_AT = "_sdc_deleted_at"
NAME_SUFFIX = "_name"
BINARY_TYPES = {"binary", "image"}
# The models most syncs need; the full sync covers every model the sandbox has, these included.
CORE_MODELS = {
    "res.partner",
    "res.users",
    "res.company",
    "res.country",
    "res.currency",
    "product.product",
    "product.template",
    "account.account",
    "account.tax",
    "account.journal",
    "account.move",
    "account.move.line",
    "purchase.order",
    "purchase.order.line",
    "sale.order",
    "sale.order.line",
}

# tap-odoo/README.md, "Type mapping": Odoo type -> JSON type of its property (always nullable but
# `id`), its format and its items. Types not listed become strings.
JSON_TYPE = {
    "char": "string",
    "text": "string",
    "html": "string",
    "selection": "string",
    "reference": "string",
    "binary": "string",
    "image": "string",
    "date": "string",
    "datetime": "string",
    "integer": "integer",
    "many2one": "integer",
    "many2one_reference": "integer",
    "float": "number",
    "monetary": "number",
    "boolean": "boolean",
    "one2many": "array",
    "many2many": "array",
    "json": "object",
    "properties": "object",
    "properties_definition": "array",
}
JSON_FORMAT = {"date": "date", "datetime": "date-time"}
JSON_ITEMS = {
    "one2many": {"type": "integer"},
    "many2many": {"type": "integer"},
    "properties_definition": {"type": "object"},
}
# What an emitted non-null value must be, per JSON type (bool is an int in Python: excluded).
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MISSING = object()
READS = ("search_read", "search_count", "search")


# Ground truth


def uid(sandbox) -> int:
    return sandbox.engine.users["admin"]["uid"]


def fields_get(sandbox, model: str) -> dict[str, dict]:
    """The sandbox's own description of a model's fields."""
    attributes = ["type", "store", "relation", "related", "company_dependent"]
    return sandbox.engine.execute(uid(sandbox), model, "fields_get", [], {"attributes": attributes})


def truth_rows(
    sandbox,
    model: str,
    fields: list[str],
    *,
    bin_size: bool = True,
    domain: list | None = None,
    context: dict | None = None,
) -> dict[int, dict]:
    """The rows the sandbox holds (archived ones included), as Odoo answers them, by id
    (`context`: the tap's, such as allowed_company_ids or lang)."""
    context = {"active_test": False, "bin_size": bin_size, **(context or {})}
    engine = sandbox.engine
    # search + read: a narrowed search_read (project.tags) refuses `load`; read never does.
    ids = engine.execute(uid(sandbox), model, "search", [domain or []], {"context": context})
    read = {"fields": fields, "load": False, "context": context}
    rows = engine.execute(uid(sandbox), model, "read", [ids], read)
    return {row["id"]: row for row in rows}


def readable_models(sandbox) -> list[str]:
    """Every non-transient model of the sandbox's ir.model that the admin may read and search
    (ir.model also lists models whose every search fails, as real Odoo does: unreadable_models)."""
    engine = sandbox.engine
    fields = {"fields": ["model", "transient"]}
    rows = engine.execute(uid(sandbox), "ir.model", "search_read", [[]], fields)
    unreadable = unreadable_models(sandbox)
    readable = []
    for row in rows:
        model = row["model"]
        if model in unreadable or row["transient"]:
            continue
        access = (
            ("has_access", [[], "read"], {})
            if engine.version >= 18
            else ("check_access_rights", ["read"], {"raise_exception": False})
        )
        if engine.execute(uid(sandbox), model, *access):
            readable.append(model)
    return sorted(readable)


def unreadable_models(sandbox) -> set[str]:
    """The models of ir.model whose `search` fails on this sandbox's version."""
    failing = set()
    engine = sandbox.engine
    for row in engine.execute(uid(sandbox), "ir.model", "search_read", [[]], {"fields": ["model"]}):
        try:
            engine.execute(uid(sandbox), row["model"], "search", [[]], {"limit": 1})
        except Exception:
            failing.add(row["model"])
    return failing


def stream_of(model: str) -> str:
    return model.replace(".", "_")


# The documented normalization, as one comparison driven by the field types


def expected_value(odoo_type: str, raw: Any) -> Any:
    """What the README says the tap emits for a value Odoo answered (with `load=False`)."""
    if odoo_type == "boolean":
        return raw
    if raw is False or raw is None:
        return None
    if odoo_type == "many2one":
        return raw[0] if isinstance(raw, list) else raw
    if odoo_type == "json":
        return raw if isinstance(raw, dict) else {"value": raw}
    if odoo_type == "properties" and not isinstance(raw, dict):
        return {
            item["name"]: None
            if item.get("value") is False and item.get("type") != "boolean"
            else item.get("value")
            for item in raw
        }
    return raw


def value_problem(odoo_type: str, emitted: Any, raw: Any) -> str | None:
    """Why an emitted value is not the documented form of the sandbox's value; None if it is."""
    if emitted is MISSING:
        return "not emitted"
    expected = expected_value(odoo_type, raw)
    if expected is None:
        return None if emitted is None else f"{emitted!r} for Odoo's empty value {raw!r}"
    json_type = JSON_TYPE.get(odoo_type, "string")
    kinds = PYTHON_TYPES[json_type]
    if not isinstance(emitted, kinds) or (json_type != "boolean" and isinstance(emitted, bool)):
        return f"{emitted!r} is not a JSON {json_type} (Odoo: {raw!r})"
    if odoo_type == "datetime":
        if not RFC3339_UTC.fullmatch(emitted):
            return f"{emitted!r} is not RFC 3339 UTC"
        return None if as_utc(emitted) == as_utc(expected) else f"{emitted!r} != {raw!r}"
    if odoo_type == "date" and not ISO_DATE.fullmatch(emitted):
        return f"{emitted!r} is not YYYY-MM-DD"
    if odoo_type in ("one2many", "many2many") and not all(type(i) is int for i in emitted):
        return f"{emitted!r} is not a list of ids"
    return None if emitted == expected else f"{emitted!r} != {expected!r} (Odoo: {raw!r})"


def schema_problems(schema: dict, fields: dict[str, dict], relation_names: bool) -> list[str]:
    """Properties whose type, format or items differ from the README's mapping of their field."""
    problems = []
    for name, prop in schema["properties"].items():
        if name == DELETED_AT:
            expected = {"type": ["string", "null"], "format": "date-time"}
            if {k: prop.get(k) for k in expected} != expected:
                problems.append(f"{name}: {prop}")
            continue
        if name not in fields:
            base = name.removesuffix(NAME_SUFFIX)
            derived = relation_names and fields.get(base, {}).get("type") == "many2one"
            if not derived or prop.get("type") != ["string", "null"]:
                problems.append(f"{name}: not a field of the model ({prop})")
            continue
        odoo_type = fields[name]["type"]
        json_type = "integer" if name == "id" else [JSON_TYPE.get(odoo_type, "string"), "null"]
        if prop.get("type") != json_type:
            problems.append(f"{name} ({odoo_type}): type {prop.get('type')} != {json_type}")
        if prop.get("format") != JSON_FORMAT.get(odoo_type):
            problems.append(f"{name} ({odoo_type}): format {prop.get('format')}")
        if prop.get("items") != JSON_ITEMS.get(odoo_type):
            problems.append(f"{name} ({odoo_type}): items {prop.get('items')}")
    return problems


def assert_stream_matches(
    sandbox,
    output: SingerOutput,
    stream: str,
    model: str,
    *,
    bin_size: bool = True,
    relation_names: bool = False,
    expected_ids: set[int] | None = None,
    covered: Counter | None = None,
    context: dict | None = None,
) -> dict[int, dict]:
    """Every record of `stream` is the sandbox's row, value by value, as the README documents.

    Checks the SCHEMA against the field types, that each record holds exactly the SCHEMA's
    properties, no id twice, the ids (all rows, or `expected_ids`) and every value. Counts the
    non-null values compared per Odoo type into `covered`. Returns the ground truth used.
    """
    fields = fields_get(sandbox, model)
    schema = output.schemas[stream]
    problems = schema_problems(schema, fields, relation_names)
    assert not problems, f"{stream}: SCHEMA differs from the type mapping: {problems[:5]}"
    names = [name for name in schema["properties"] if name in fields]
    truth = truth_rows(sandbox, model, names, bin_size=bin_size, context=context)
    records = output.records.get(stream, [])
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)), f"{stream}: a row was emitted twice"
    assert set(ids) == (set(truth) if expected_ids is None else expected_ids), stream

    properties = set(schema["properties"])
    differences = []
    for record in records:
        assert set(record) == properties, (stream, record["id"], set(record) ^ properties)
        if DELETED_AT in properties:
            assert record[DELETED_AT] is None, (stream, record["id"])
        row = truth[record["id"]]
        for name in names:
            odoo_type = fields[name]["type"]
            problem = value_problem(odoo_type, record.get(name, MISSING), row[name])
            if problem:
                differences.append(f"{record['id']}.{name} ({odoo_type}): {problem}")
            elif covered is not None and record.get(name) not in (None, [], {}):
                covered[odoo_type] += 1
    assert not differences, f"{stream}: {len(differences)} values differ: {differences[:5]}"
    return truth


def schema_messages(output: SingerOutput) -> dict[str, dict]:
    """The whole SCHEMA messages (key and bookmark properties too), by stream."""
    messages = (json.loads(line) for line in output.stdout.splitlines() if line.strip())
    return {m["stream"]: m for m in messages if m["type"] == "SCHEMA"}


def summary_rows(stderr: str) -> tuple[dict[str, list[str]], str]:
    """The end-of-run summary table on stderr: {stream: [rows, deleted, seconds, retries,
    skipped]} and its last line; every stream's status must be ok."""
    lines = stderr[stderr.rindex("skipped fields") :].splitlines()[1:]
    table = {}
    for line in lines[:-1]:
        name, status, *cells = line.split(maxsplit=6)
        assert status == "ok", line
        table[name] = cells
    return table, lines[-1]


# 1. A full sync of every model


@pytest.fixture(scope="module")
def full_sync(sandbox) -> SingerOutput:
    """One default full sync of every model of the shared sandbox."""
    return run_tap(tap_config(sandbox))


def test_full_sync_of_every_model_holds_exactly_the_sandbox_values(sandbox, full_sync) -> None:
    models = readable_models(sandbox)
    assert set(models) >= CORE_MODELS, CORE_MODELS - set(models)
    assert set(full_sync.schemas) == {stream_of(model) for model in models}

    covered: Counter = Counter()
    for model in models:
        fields = fields_get(sandbox, model)
        stream = stream_of(model)
        # By default: every stored, related and company-dependent field but binary ones, no
        # computed one (a related field ending in a computed one is computed too).
        plain = {n: f for n, f in fields.items() if f["type"] not in BINARY_TYPES}
        stored = {n for n, f in plain.items() if f.get("store") or f.get("company_dependent")}
        computed = {n for n, f in plain.items() if not f.get("related") and n not in stored}
        properties = set(full_sync.schemas[stream]["properties"])
        assert properties >= stored | {"id", DELETED_AT}, model
        assert properties <= set(plain) | {DELETED_AT}, model
        assert not properties & computed, model
        truth = assert_stream_matches(sandbox, full_sync, stream, model, covered=covered)
        assert truth, f"{model}: the sandbox holds no rows, nothing was compared"

    # Every kind of value the sandbox holds was compared at least once with a non-null value.
    common = {"char", "text", "html", "selection", "integer", "float", "monetary", "boolean"}
    common |= {"date", "datetime", "many2one", "one2many", "many2many", "many2one_reference"}
    assert common <= set(covered), common - set(covered)
    assert covered["boolean"] > 1000
    assert covered["datetime"] > 1000


def test_archived_rows_are_synced_by_default(sandbox, full_sync) -> None:
    for model in ("res.partner", "res.currency", "res.users"):
        archived = set(truth_rows(sandbox, model, ["id"], domain=[("active", "=", False)]))
        assert archived, f"{model}: no archived row to check"
        assert archived <= set(full_sync.ids(stream_of(model))), model


def test_progress_and_summary_of_every_stream_are_on_stderr(sandbox, full_sync) -> None:
    counts = {
        stream_of(model): len(truth_rows(sandbox, model, ["id"]))
        for model in readable_models(sandbox)
    }
    for stream, count in counts.items():
        progress = rf"\b{stream}: {count} / {count} rows, \d+ rows/s, time left 0 s"
        assert re.search(progress, full_sync.stderr), f"no final progress line for {stream}"
    assert "rows/s" not in full_sync.stdout
    table, last = summary_rows(full_sync.stderr)
    assert {stream: int(cells[0]) for stream, cells in table.items()} == counts
    for stream, (_rows, deleted, seconds, retries, skipped) in table.items():
        assert (deleted, retries, skipped) == ("0", "0", "-"), stream
        assert float(seconds) >= 0
    assert last == "retries: 0"


def test_json_and_properties_values_are_emitted_as_documented(make_sandbox) -> None:
    # The seed leaves these empty: give them values of each documented shape first.
    sandbox = make_sandbox()
    size_definition = {"name": "size", "type": "char", "string": "Size"}
    admin_call(sandbox, "product.template", "write", [1], {"product_properties": {"size": "XL"}})
    as_read = [  # how Odoo 17 reads properties: the definitions with their values
        {**size_definition, "value": "M"},
        {"name": "fragile", "type": "boolean", "string": "Fragile", "value": False},
        {"name": "note", "type": "char", "string": "Note", "value": False},
    ]
    admin_call(sandbox, "product.template", "write", [2], {"product_properties": as_read})
    admin_call(
        sandbox, "product.product", "write", [1], {"lot_properties_definition": [size_definition]}
    )
    admin_call(sandbox, "account.move", "write", [1], {"send_and_print_values": [1, 2]})
    admin_call(sandbox, "account.move", "write", [2], {"send_and_print_values": {"sp": True}})
    line = admin_call(sandbox, "account.move.line", "search", [], limit=1)
    admin_call(sandbox, "account.move.line", "write", line, {"analytic_distribution": {"1": 100}})

    models = ["product.template", "product.product", "account.move", "account.move.line"]
    output = run_tap(tap_config(sandbox, models=models))
    covered: Counter = Counter()
    for model in models:
        assert_stream_matches(sandbox, output, stream_of(model), model, covered=covered)
    assert {"json", "properties", "properties_definition"} <= set(covered)
    by_id = {stream: {r["id"]: r for r in output.records[stream]} for stream in output.records}
    templates, moves = by_id["product_template"], by_id["account_move"]
    assert templates[1]["product_properties"] == {"size": "XL"}
    assert templates[2]["product_properties"] == {"size": "M", "fragile": False, "note": None}
    assert moves[1]["send_and_print_values"] == {"value": [1, 2]}
    assert moves[2]["send_and_print_values"] == {"sp": True}
    assert by_id["product_product"][1]["lot_properties_definition"] == [size_definition]


# 2. Settings: each one changes what is read


def test_include_archived_false_leaves_archived_rows_out(sandbox) -> None:
    models = ["res.partner", "res.currency", "res.users", "res.country"]
    output = run_tap(tap_config(sandbox, models=models, include_archived=False))
    for model in models:
        has_active = "active" in fields_get(sandbox, model)  # res.country has none: every row
        truth = truth_rows(sandbox, model, ["active"] if has_active else ["id"])
        active = {i for i, row in truth.items() if row.get("active", True)}
        if has_active:
            assert active != set(truth), f"{model}: no archived row to leave out"
        assert_stream_matches(sandbox, output, stream_of(model), model, expected_ids=active)


def test_stream_domains_narrow_only_their_stream(sandbox) -> None:
    domains = {
        "res_partner": [["is_company", "=", True]],
        "account_move": [["move_type", "in", ["out_invoice", "in_invoice"]]],
    }
    models = ["res.partner", "account.move", "res.country"]
    output = run_tap(tap_config(sandbox, models=models, stream_domains=domains))
    for model in models:
        stream = stream_of(model)
        domain = [tuple(term) for term in domains.get(stream, [])]
        expected = set(truth_rows(sandbox, model, ["id"], domain=domain))
        if domain:
            assert 0 < len(expected) < len(truth_rows(sandbox, model, ["id"])), stream
        assert_stream_matches(sandbox, output, stream, model, expected_ids=expected)


def spy_on_calls(sandbox, monkeypatch) -> list[tuple[str, str, dict]]:
    """Record (model, method, kwargs) of every ORM call the sandbox serves from now on."""
    seen: list[tuple[str, str, dict]] = []
    original = sandbox.engine.execute

    def execute(uid, model, method, args, kwargs):
        seen.append((model, method, dict(kwargs or {})))
        return original(uid, model, method, args, kwargs)

    monkeypatch.setattr(sandbox.engine, "execute", execute)
    return seen


def company_rows(sandbox) -> None:
    """Rows of company 2 next to company 1 and company-less ones (the seed has company 1 only)."""
    admin_call(
        sandbox,
        "res.partner",
        "create",
        [{"name": f"Company {c} contact", "company_id": c} for c in (1, 2, 2)],
    )
    admin_call(sandbox, "stock.location", "create", [{"name": "Chicago", "company_id": 2}])
    admin_call(sandbox, "product.template", "create", [{"name": "Chicago only", "company_id": 2}])
    admin_call(sandbox, "product.template", "create", [{"name": "SF only", "company_id": 1}])


def test_company_ids_reads_those_companies_and_company_less_rows(make_sandbox, monkeypatch):
    sandbox = make_sandbox()
    company_rows(sandbox)
    models = ["res.partner", "stock.location", "product.template", "account.move", "res.country"]
    seen = spy_on_calls(sandbox, monkeypatch)
    output = run_tap(tap_config(sandbox, models=models, company_ids=[2]))
    monkeypatch.undo()

    for model in models:
        has_company = "company_id" in fields_get(sandbox, model)  # res.country: every row
        truth = truth_rows(sandbox, model, ["company_id"] if has_company else ["id"])
        kept = {i for i, row in truth.items() if row.get("company_id") in (None, False, 2)}
        if has_company:
            assert kept != set(truth), f"{model}: no row of another company to leave out"
        assert_stream_matches(
            sandbox,
            output,
            stream_of(model),
            model,
            expected_ids=kept,
            context={"allowed_company_ids": [2]},  # company 2's credit limits, for one
        )
    assert any(record["company_id"] == 2 for record in output.records["res_partner"])

    reads = [(m, kw.get("context") or {}) for m, method, kw in seen if method in READS]
    assert {model for model, _ in reads} >= set(models)
    for model, context in reads:
        assert context.get("allowed_company_ids") == [2], (model, context)


def test_company_ids_also_filters_a_named_stream_without_company_id_in_its_fields(make_sandbox):
    sandbox = make_sandbox()
    company_rows(sandbox)
    streams = [{"name": "contacts", "model": "res.partner", "fields": ["name", "email"]}]
    output = run_tap(tap_config(sandbox, models=[], streams=streams, company_ids=[2]))
    truth = truth_rows(sandbox, "res.partner", ["company_id"])
    other_company = {i for i, row in truth.items() if row["company_id"] == 1}
    assert other_company
    emitted = set(output.ids("contacts"))
    assert emitted == {i for i, row in truth.items() if row["company_id"] in (False, 2)}


@pytest.fixture(scope="module")
def names_and_binaries(sandbox) -> SingerOutput:
    config = tap_config(
        sandbox,
        models=["res.partner", "product.template", "sale.order", "sale.order.line", "res.users"],
        relation_names=True,
        binary_fields=["res.partner.image_128", "product.template.image_*"],
    )
    return run_tap(config)


def display_names(sandbox, relation: str, ids: set[int]) -> dict[int, str]:
    rows = sandbox.engine.execute(
        uid(sandbox),
        relation,
        "read",
        [sorted(ids)],
        {"fields": ["display_name"], "context": {"active_test": False}},
    )
    return {row["id"]: row["display_name"] for row in rows}


def test_relation_names_carry_the_display_name_of_every_many2one(sandbox, names_and_binaries):
    output = names_and_binaries
    compared = 0
    for model in ("res.partner", "sale.order", "sale.order.line", "res.users"):
        stream = stream_of(model)
        fields = fields_get(sandbox, model)
        records = output.records[stream]
        assert_stream_matches(sandbox, output, stream, model, relation_names=True)
        many2ones = [
            name
            for name, field in fields.items()
            if field["type"] == "many2one"
            and name in output.schemas[stream]["properties"]
            and name + NAME_SUFFIX not in fields
        ]
        assert many2ones, stream
        for name in many2ones:
            ids = {record[name] for record in records if record[name]}
            names = display_names(sandbox, fields[name]["relation"], ids) if ids else {}
            for record in records:
                expected = names[record[name]] if record[name] else None
                assert record[name + NAME_SUFFIX] == expected, (stream, record["id"], name)
                compared += expected is not None
    assert compared > 1000


def test_binary_fields_are_read_as_size_text_by_default(sandbox, names_and_binaries) -> None:
    output = names_and_binaries
    partner = output.schemas["res_partner"]["properties"]
    assert "image_128" in partner
    assert not {"image_1920", "image_256", "avatar_128"} & set(partner), "only the listed one"
    template = output.schemas["product_template"]["properties"]
    assert {"image_128", "image_256", "image_512", "image_1024", "image_1920"} <= set(template)

    truth = assert_stream_matches(
        sandbox, output, "res_partner", "res.partner", bin_size=True, relation_names=True
    )
    sizes = [r["image_128"] for r in output.records["res_partner"] if r["image_128"]]
    assert len(sizes) == sum(1 for row in truth.values() if row["image_128"]) > 10
    assert all(re.fullmatch(r"[\d.]+ (bytes|Kb|Mb)", size) for size in sizes), sizes[:3]
    assert_stream_matches(
        sandbox, output, "product_template", "product.template", bin_size=True, relation_names=True
    )


def test_binary_content_emits_the_base64_content(sandbox) -> None:
    config = tap_config(
        sandbox,
        models=["res.partner"],
        binary_fields=["res.partner.image_128"],
        binary_content=True,
    )
    output = run_tap(config)
    assert_stream_matches(sandbox, output, "res_partner", "res.partner", bin_size=False)
    images = [r["image_128"] for r in output.records["res_partner"] if r["image_128"]]
    assert len(images) > 10
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)


def test_full_sync_streams_have_no_replication_key_and_emit_every_row_each_run(sandbox) -> None:
    config = tap_config(
        sandbox, models=["res.country", "res.partner"], full_sync_streams=["res_country"]
    )
    first = run_tap(config)
    schemas = schema_messages(first)
    assert not schemas["res_country"].get("bookmark_properties")
    assert schemas["res_partner"]["bookmark_properties"] == ["write_date"]
    bookmarks = first.state["bookmarks"]
    assert "replication_key_value" not in bookmarks["res_country"]
    assert "replication_key" not in bookmarks["res_country"]
    bookmark = as_utc(bookmarks["res_partner"]["replication_key_value"])

    countries = truth_rows(sandbox, "res.country", ["write_date"])
    assert any(as_utc(row["write_date"]) < bookmark for row in countries.values()), (
        "nothing to re-read"
    )
    second = run_tap(config, state=first.state)
    assert_stream_matches(sandbox, second, "res_country", "res.country")  # every row, again
    # The control: the incremental stream of the same run reads only what changed since.
    partners = truth_rows(sandbox, "res.partner", ["write_date"])
    changed = {i for i, row in partners.items() if as_utc(row["write_date"]) >= bookmark}
    assert set(second.ids("res_partner")) == changed
    assert len(changed) < len(partners)


def test_deselected_fields_are_neither_read_nor_emitted(sandbox, monkeypatch) -> None:
    config = tap_config(
        sandbox, models=["res.partner"], relation_names=True, binary_fields=["res.partner.*"]
    )
    catalog = select_only(discover(config), {"res_partner"})
    (entry,) = catalog["streams"]
    deselected = {"email", "comment", "country_id_name", "image_128", "x_loyalty_tier"}
    for item in entry["metadata"]:
        if item["breadcrumb"][-1:] and item["breadcrumb"][-1] in deselected:
            item["metadata"]["selected"] = False
    assert deselected <= set(entry["schema"]["properties"])

    seen = spy_on_calls(sandbox, monkeypatch)
    output = run_tap(config, catalog=catalog)
    monkeypatch.undo()
    requested = {
        name
        for model, method, kwargs in seen
        if (model, method) == ("res.partner", "search_read")
        for name in kwargs["fields"]
    }
    assert requested, "no page read"
    assert not deselected & requested
    properties = set(output.schemas["res_partner"]["properties"])
    assert not deselected & properties
    assert {"country_id", "parent_id_name", "image_1920"} <= properties
    assert_stream_matches(sandbox, output, "res_partner", "res.partner", relation_names=True)


def test_a_selected_display_name_is_emitted_when_its_many2one_is_deselected(sandbox) -> None:
    config = tap_config(sandbox, models=["res.partner"], relation_names=True)
    catalog = select_only(discover(config), {"res_partner"})
    for item in catalog["streams"][0]["metadata"]:
        if item["breadcrumb"][-1:] == ["parent_id"]:
            item["metadata"]["selected"] = False
    output = run_tap(config, catalog=catalog)
    properties = output.schemas["res_partner"]["properties"]
    assert "parent_id" not in properties
    assert "parent_id_name" in properties  # announced...
    truth = truth_rows(sandbox, "res.partner", ["parent_id"])
    parents = {row["parent_id"] for row in truth.values() if row["parent_id"]}
    names = display_names(sandbox, "res.partner", parents)
    for record in output.records["res_partner"]:  # ...so every record must carry it
        parent = truth[record["id"]]["parent_id"]
        assert record.get("parent_id_name", MISSING) == (names[parent] if parent else None)


# 3. No loss across runs


def odoo_time(moment: dt.datetime) -> str:
    """An aware datetime as Odoo's domains take it (UTC, no zone)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def frozen_clock(sandbox, moment: dt.datetime) -> None:
    """Set the sandbox's clock (write_date of what it writes, and its HTTP Date) to `moment`."""
    sandbox.engine.clock = lambda: moment


def change_early_rows_and_add_rows(sandbox, early: list[int]) -> tuple[list[int], list[int]]:
    """Update partners `early` (values of many types) and create new ones; the ids touched."""
    tag = admin_call(sandbox, "res.partner.category", "search", [])[0]
    for index, partner_id in enumerate(early):
        admin_call(
            sandbox,
            "res.partner",
            "write",
            [partner_id],
            {
                "ref": f"changed-{index}",
                "comment": f"<p>changed {index}</p>",
                "x_loyalty_tier": "gold",
                "category_id": [(6, 0, [tag])],
                "active": index % 2 == 0,
            },
        )
    new = admin_call(
        sandbox,
        "res.partner",
        "create",
        [{"name": f"New after run 1 #{i}", "ref": f"new-{i}"} for i in range(3)],
    )
    return early, new


@pytest.mark.parametrize("clock", ["real", "frozen", "advanced"])
def test_rows_changed_behind_the_cursor_and_new_rows_are_in_the_next_run(make_sandbox, clock):
    sandbox = make_sandbox()
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    if clock != "real":
        frozen_clock(sandbox, start)
    config = tap_config(sandbox, models=["res.partner", "sale.order.line"], page_size=100)
    first = run_tap(config)
    assert_stream_matches(sandbox, first, "res_partner", "res.partner")
    cursors = [
        s["bookmarks"]["res_partner"]["resume"]["after_id"]
        for s in first.states
        if "resume" in s.get("bookmarks", {}).get("res_partner", {})
    ]
    assert len(cursors) > 5, "several keyset pages"
    early = [i for i in first.ids("res_partner") if i <= cursors[0]][:6]  # first page's ids
    bookmark = as_utc(first.state["bookmarks"]["res_partner"]["replication_key_value"])

    if clock == "advanced":
        frozen_clock(sandbox, start + dt.timedelta(hours=1))
    changed, new = change_early_rows_and_add_rows(sandbox, early)
    line = admin_call(sandbox, "sale.order.line", "search", [], limit=1)
    admin_call(
        sandbox, "sale.order.line", "write", line, {"analytic_distribution": {"1": 60.0, "2": 40.0}}
    )

    second = run_tap(config, state=first.state)
    since = changed_since(sandbox, "res.partner", odoo_time(bookmark))
    assert set(changed) | set(new) <= since
    assert_stream_matches(sandbox, second, "res_partner", "res.partner", expected_ids=since)
    emitted = {record["id"]: record for record in second.records["res_partner"]}
    assert [emitted[i]["ref"] for i in changed] == [f"changed-{n}" for n in range(len(changed))]
    assert {emitted[i]["ref"] for i in new} == {"new-0", "new-1", "new-2"}
    lines_since = changed_since(sandbox, "sale.order.line", odoo_time(bookmark))
    assert set(line) <= lines_since
    assert_stream_matches(
        sandbox, second, "sale_order_line", "sale.order.line", expected_ids=lines_since
    )
    (changed_line,) = (r for r in second.records["sale_order_line"] if r["id"] == line[0])
    assert changed_line["analytic_distribution"] == {"1": 60.0, "2": 40.0}


def test_rows_changed_during_a_long_run_behind_its_cursor_are_in_the_next_run(make_sandbox):
    # Run 1 begins at `start`; after a few pages, rows it has passed change (at start + 1 min),
    # and the run goes on past the look-back (its clock at start + 20 min). Its bookmark must come
    # from its beginning: one taken at its end, minus the look-back, would be after the change.
    sandbox = make_sandbox()
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    frozen_clock(sandbox, start)
    config = tap_config(sandbox, models=["res.partner"], page_size=100, lookback_minutes=5)
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory))
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        received: list[bytes] = []
        changed: list[int] = []
        new: list[int] = []
        for line in process.stdout:
            received.append(line)
            message = json.loads(line)
            resume = message.get("value", {}).get("bookmarks", {}).get("res_partner", {})
            if not changed and message["type"] == "STATE" and resume.get("resume"):
                cursor = resume["resume"]["after_id"]
                if cursor > 300:  # a few pages read: change rows the run has passed
                    emitted = parse_messages(b"".join(received).decode(), SingerOutput())
                    early = [i for i in emitted.ids("res_partner") if i < cursor][:6]
                    frozen_clock(sandbox, start + dt.timedelta(minutes=1))
                    changed, new = change_early_rows_and_add_rows(sandbox, early)
                    frozen_clock(sandbox, start + dt.timedelta(minutes=20))
        assert process.wait(timeout=120) == 0
    first = parse_messages(b"".join(received).decode(), SingerOutput())
    assert changed, "the run ended before the rows were changed"
    before = {r["id"]: r["ref"] for r in first.records["res_partner"] if r["id"] in changed}
    assert not any((ref or "").startswith("changed") for ref in before.values()), before
    bookmark = as_utc(first.state["bookmarks"]["res_partner"]["replication_key_value"])
    assert bookmark == start - dt.timedelta(minutes=5)

    second = run_tap(config, state=first.state)
    emitted = {record["id"]: record for record in second.records["res_partner"]}
    assert set(changed) | set(new) <= set(emitted)
    assert [emitted[i]["ref"] for i in changed] == [f"changed-{n}" for n in range(len(changed))]
    partners = truth_rows(sandbox, "res.partner", ["write_date"])
    assert set(first.ids("res_partner")) | set(emitted) == set(partners)
    since = changed_since(sandbox, "res.partner", odoo_time(bookmark))
    assert_stream_matches(sandbox, second, "res_partner", "res.partner", expected_ids=since)


def test_a_row_committed_late_within_the_look_back_is_in_the_next_run(make_sandbox) -> None:
    sandbox = make_sandbox()
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    frozen_clock(sandbox, start)
    config = tap_config(sandbox, models=["res.partner"], lookback_minutes=5)
    first = run_tap(config)
    bookmark = first.state["bookmarks"]["res_partner"]["replication_key_value"]
    assert as_utc(bookmark) == start - dt.timedelta(minutes=5)  # the server's clock, not ours

    late, too_late = sorted(truth_rows(sandbox, "res.partner", ["id"]))[:2]
    # A transaction that began 2 minutes before run 1 and committed after it read the row...
    frozen_clock(sandbox, start - dt.timedelta(minutes=2))
    admin_call(sandbox, "res.partner", "write", [late], {"ref": "committed late"})
    # ...and one that began before the look-back window (documented as beyond its reach).
    frozen_clock(sandbox, start - dt.timedelta(minutes=10))
    admin_call(sandbox, "res.partner", "write", [too_late], {"ref": "committed too late"})
    frozen_clock(sandbox, start + dt.timedelta(minutes=1))

    second = run_tap(config, state=first.state)
    emitted = {record["id"]: record for record in second.records["res_partner"]}
    assert emitted[late]["ref"] == "committed late"
    assert as_utc(emitted[late]["write_date"]) == start - dt.timedelta(minutes=2)
    assert too_late not in emitted, "run 2 re-read everything: the test shows no look-back"
    assert_stream_matches(sandbox, second, "res_partner", "res.partner", expected_ids={late})
    next_bookmark = second.state["bookmarks"]["res_partner"]["replication_key_value"]
    assert as_utc(next_bookmark) == start + dt.timedelta(minutes=1) - dt.timedelta(minutes=5)
