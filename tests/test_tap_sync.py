"""tap-odoo sync against the sandbox, checked against the sandbox's own rows (the ground truth)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import jsonschema
import pytest
from singer_run import SingerOutput, discover, parse_messages, run_tap, select_only, tap_command

CONNECTION_KEYS = ("url", "database", "username", "password")
SYNCED_MODELS = [
    "res.partner",
    "res.country",
    "res.currency",
    "product.product",
    "account.move",
    "account.move.line",
    "purchase.order",
    "purchase.order.line",
]


def tap_config(sandbox, login: str = "admin", **settings) -> dict:
    """Connection settings of a sandbox user (the admin by default) plus tap settings."""
    return {key: sandbox.settings_for(login)[key] for key in CONNECTION_KEYS} | settings


def ground_truth(sandbox, model: str, fields: list[str] | None = None) -> dict[int, dict]:
    """Every row of a model as the sandbox holds it (archived ones included), by id."""
    engine = sandbox.engine
    rows = engine.execute(
        engine.users["admin"]["uid"],
        model,
        "search_read",
        [[]],
        {"fields": fields or ["id"], "load": False, "context": {"active_test": False}},
    )
    return {row["id"]: row for row in rows}


def admin_call(sandbox, model: str, method: str, *args, **kwargs):
    """Change the sandbox's data directly, as another Odoo user would."""
    engine = sandbox.engine
    return engine.execute(engine.users["admin"]["uid"], model, method, list(args), kwargs)


# The many2one paths an incremental read of a model's default catalog also looks at: its
# related fields are read through them (tap_odoo/field_kinds.py), so a row whose parent, country,
# order or product changed since the bookmark is read again.
READ_THROUGH = {
    "res.partner": ["country_id", "parent_id"],
    "sale.order.line": [
        "company_id",
        "order_id",
        "product_id",
        "product_id.product_tmpl_id",
        "product_id.product_tmpl_id.uom_id",
    ],
}


def changed_since(sandbox, model: str, since: str) -> set[int]:
    """Ids an incremental read from `since` must emit: rows written since, or whose rows on
    READ_THROUGH were (found by the sandbox's own domain search)."""
    paths = READ_THROUGH.get(model, [])
    leaves = [("write_date", ">=", since)] + [(f"{p}.write_date", ">=", since) for p in paths]
    domain = ["|"] * (len(leaves) - 1) + leaves
    return set(admin_call(sandbox, model, "search", domain, context={"active_test": False}))


def as_utc(value: str) -> dt.datetime:
    """Parse an emitted RFC 3339 or an Odoo datetime into an aware UTC datetime."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def test_full_sync_returns_exactly_the_sandbox_rows(sandbox, odoo_user) -> None:
    output = run_tap(tap_config(sandbox, odoo_user, models=SYNCED_MODELS))
    for model in SYNCED_MODELS:
        stream = model.replace(".", "_")
        emitted = output.ids(stream)
        assert len(emitted) == len(set(emitted)), f"{stream}: a row was emitted twice"
        assert set(emitted) == set(ground_truth(sandbox, model)), stream

    fields = ["name", "email", "active", "is_company", "parent_id", "category_id", "write_date"]
    truth = ground_truth(sandbox, "res.partner", fields)
    for record in output.records["res_partner"]:
        expected = truth[record["id"]]
        assert record["name"] == (expected["name"] or None)
        assert record["email"] == (expected["email"] or None)  # Odoo's False -> null
        assert record["active"] is expected["active"]  # booleans stay booleans
        assert record["is_company"] is expected["is_company"]
        assert record["parent_id"] == (expected["parent_id"] or None)  # bare many2one id
        assert record["category_id"] == expected["category_id"]
        assert as_utc(record["write_date"]) == as_utc(expected["write_date"])
    assert any(not r["active"] for r in output.records["res_partner"]), "archived rows are synced"


def test_every_record_matches_its_schema_and_holds_only_schema_fields(sandbox) -> None:
    # The tap turns the SDK's own per-value conformance off (its normalizer does that work):
    # this is what holds it to the schema it announces.
    output = run_tap(tap_config(sandbox, models=SYNCED_MODELS, relation_names=True))
    for stream, schema in output.schemas.items():
        validator = jsonschema.Draft7Validator(schema)
        timestamps = [
            name for name, prop in schema["properties"].items() if prop.get("format") == "date-time"
        ]
        assert output.records[stream], stream
        for record in output.records[stream]:
            assert set(record) <= set(schema["properties"]), (stream, record["id"])
            errors = [error.message for error in validator.iter_errors(record)]
            assert not errors, (stream, record["id"], errors[:3])
            for name in timestamps:
                if record.get(name) is not None:
                    assert as_utc(record[name]).tzinfo is not None, (stream, name)


def test_stream_maps_take_the_sdks_path_and_see_the_same_records(sandbox) -> None:
    # Without stream maps, records are written straight from the page; with them, through the
    # SDK's RecordMessage path. Both must give the same records.
    models = ["res.partner", "account.move.line"]
    plain = run_tap(tap_config(sandbox, models=models))
    maps = {"res_partner": {"__alias__": "contacts"}, "account_move_line": {"name": None}}
    mapped = run_tap(tap_config(sandbox, models=models, stream_maps=maps))
    assert mapped.records["contacts"] == plain.records["res_partner"]
    assert "res_partner" not in mapped.records
    lines = plain.records["account_move_line"]
    assert lines
    assert mapped.records["account_move_line"] == [
        {key: value for key, value in line.items() if key != "name"} for line in lines
    ]
    flat = run_tap(
        tap_config(sandbox, models=["res.partner"], flattening_enabled=True, flattening_max_depth=3)
    )
    assert flat.records["res_partner"] == [  # the SDK's flattening writes arrays as JSON text
        {
            key: json.dumps(v, separators=(",", ":")) if isinstance(v, list) else v
            for key, v in r.items()
        }
        for r in plain.records["res_partner"]
    ]
    for output in (plain, mapped, flat):
        records = [json.loads(line) for line in output.stdout.splitlines() if '"RECORD"' in line]
        assert all(message.get("time_extracted") for message in records)


def test_deselected_fields_and_display_names_are_not_emitted(sandbox) -> None:
    config = tap_config(sandbox, models=["res.partner"], relation_names=True)
    catalog = select_only(discover(config), {"res_partner"})
    (entry,) = catalog["streams"]
    deselected = {"email", "country_id_name"}
    for item in entry["metadata"]:
        if item["breadcrumb"][-1:] and item["breadcrumb"][-1] in deselected:
            item["metadata"]["selected"] = False
    records = run_tap(config, catalog=catalog).records["res_partner"]
    assert records
    for record in records:
        assert not deselected & set(record)
        assert {"country_id", "parent_id", "parent_id_name"} <= set(record)
    assert any(record["parent_id_name"] for record in records)


def test_incremental_run_emits_changed_new_and_deleted_rows(make_sandbox) -> None:
    sandbox = make_sandbox()
    config = tap_config(sandbox, models=["res.partner"], lookback_minutes=5)
    first = run_tap(config)
    state = first.state
    bookmark = state["bookmarks"]["res_partner"]["replication_key_value"]
    assert "resume" not in state["bookmarks"]["res_partner"]
    assert not any(r.get("_sdc_deleted_at") for r in first.records["res_partner"])
    # Time passes before the changes and the second run. The tap's clock is the server's Date
    # header, to the second: without this, two runs within one second got equal bookmarks.
    sandbox.engine.advance_clock(60)

    all_ids = sorted(ground_truth(sandbox, "res.partner"))
    changed = all_ids[10:15]
    archived = all_ids[20:23]
    deleted = [i for i in reversed(all_ids) if not is_referenced(sandbox, i)][:2]
    admin_call(sandbox, "res.partner", "write", changed, {"comment": "changed"})
    admin_call(sandbox, "res.partner", "write", archived, {"active": False})
    admin_call(sandbox, "res.partner", "unlink", deleted)
    new = admin_call(sandbox, "res.partner", "create", [{"name": f"New {i}"} for i in range(3)])

    second = run_tap(config, state=state)
    rows = second.records["res_partner"]
    since = dt.datetime.fromisoformat(bookmark).astimezone(dt.timezone.utc)
    expected = changed_since(sandbox, "res.partner", since.strftime("%Y-%m-%d %H:%M:%S"))
    assert expected >= set(changed) | set(archived) | set(new)  # and their contacts
    assert {r["id"] for r in rows if not r.get("_sdc_deleted_at")} == expected
    assert {r["id"] for r in rows if r.get("_sdc_deleted_at")} == set(deleted)
    new_bookmark = second.state["bookmarks"]["res_partner"]["replication_key_value"]
    assert as_utc(new_bookmark) >= as_utc(bookmark) + dt.timedelta(seconds=60)

    third = run_tap(config, state=second.state)
    # Nothing changed since: at most the look-back window (rows changed just before run 2).
    assert {r["id"] for r in third.records["res_partner"]} <= expected
    assert not any(r.get("_sdc_deleted_at") for r in third.records["res_partner"])


def test_start_date_is_applied_by_the_domain(make_sandbox) -> None:
    sandbox = make_sandbox()
    truth = ground_truth(sandbox, "res.partner", ["write_date"])
    dates = sorted({row["write_date"] for row in truth.values()})
    cut = dates[len(dates) // 2]
    start_date = as_utc(cut).isoformat()
    output = run_tap(tap_config(sandbox, models=["res.partner"], start_date=start_date))
    expected = {i for i, row in truth.items() if row["write_date"] >= cut}
    assert set(output.ids("res_partner")) == expected


def test_killed_run_resumes_at_its_last_page(make_sandbox) -> None:
    sandbox = make_sandbox()
    config = tap_config(sandbox, models=["res.partner"], page_size=100)
    truth = set(ground_truth(sandbox, "res.partner"))
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory))
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        received: list[bytes] = []
        pages_done = 0
        for line in process.stdout:
            received.append(line)
            message = json.loads(line)
            if message["type"] == "STATE" and "resume" in json.dumps(message["value"]):
                pages_done += 1
                if pages_done == 3:
                    os.kill(process.pid, signal.SIGKILL)
                    break
        process.wait()
    killed = parse_messages(b"".join(received).decode(), SingerOutput())
    resume = killed.state["bookmarks"]["res_partner"]["resume"]
    assert resume["after_id"] == killed.ids("res_partner")[-1]
    assert len(killed.ids("res_partner")) == 300

    resumed = run_tap(config, state=killed.state)
    assert resumed.ids("res_partner")[0] > resume["after_id"], "restarted from zero"
    assert set(killed.ids("res_partner")) | set(resumed.ids("res_partner")) == truth


@pytest.mark.parametrize("prefetch", [False, True])
def test_keyset_never_skips_rows_changed_during_the_sync(make_sandbox, prefetch: bool) -> None:
    sandbox = make_sandbox()
    initial, emitted, deleted = sync_while_changing(sandbox, "keyset", prefetch=prefetch)
    assert len(emitted) == len(set(emitted)), "keyset paging emitted a row twice"
    missing = initial - deleted - set(emitted)
    assert not missing, f"keyset paging skipped {len(missing)} rows"


def test_offset_paging_skips_rows_when_rows_vanish(make_sandbox, caplog) -> None:
    sandbox = make_sandbox()
    initial, emitted, deleted = sync_while_changing(sandbox, "offset", prefetch=False)
    missing = initial - deleted - set(emitted)
    assert missing, "offset paging is documented to skip rows here; it did not"
    assert "uses offset pagination" in caplog.text


def sync_while_changing(sandbox, pagination: str, *, prefetch: bool) -> tuple[set, list, set]:
    """Sync res.partner in-process, changing rows between pages as other users would.

    Returns the ids present before the sync, the ids emitted and the ids deleted meanwhile; rows
    created during the sync may or may not be emitted (the next run's write_date bound has them).
    """
    from tap_odoo.tap import TapOdoo  # noqa: PLC0415

    config = tap_config(
        sandbox, models=["res.partner"], page_size=50, pagination=pagination, prefetch=prefetch
    )
    tap = TapOdoo(config=config, validate_config=True)
    stream = tap.streams["res_partner"]
    ids = sorted(ground_truth(sandbox, "res.partner"))
    emitted: list[int] = []
    deleted: set[int] = set()
    for record in stream.get_records(None):
        emitted.append(record["id"])
        if len(emitted) % 50 == 0:
            done = emitted[-1]
            read_before = [i for i in ids if i <= done and i not in deleted]
            ahead = [i for i in ids if i > done and i not in deleted]
            # Update rows already read and rows ahead, archive one ahead, delete two already read.
            admin_call(sandbox, "res.partner", "write", read_before[-3:] + ahead[:3], {"ref": "x"})
            admin_call(sandbox, "res.partner", "write", ahead[5:6], {"active": False})
            gone = [i for i in read_before if not is_referenced(sandbox, i)][:2]
            if gone:
                admin_call(sandbox, "res.partner", "unlink", gone)
                deleted.update(gone)
            admin_call(sandbox, "res.partner", "create", [{"name": "Added during sync"}])
    return set(ids), emitted, deleted


def is_referenced(sandbox, partner_id: int) -> bool:
    """Partners used by documents cannot be deleted (Odoo refuses); leave those alone."""
    for model in ("account.move", "purchase.order", "sale.order", "res.users"):
        if admin_call(sandbox, model, "search_count", [("partner_id", "=", partner_id)]):
            return True
    return bool(
        admin_call(sandbox, "res.partner", "search_count", [("parent_id", "=", partner_id)])
    )


def test_a_field_the_server_fails_to_read_is_skipped_and_named(make_sandbox) -> None:
    sandbox = make_sandbox(faults="poison_field=res.partner:comment")
    output = run_tap(tap_config(sandbox, models=["res.partner"]))
    truth = ground_truth(sandbox, "res.partner")
    assert set(output.ids("res_partner")) == set(truth)
    assert not any("comment" in record for record in output.records["res_partner"])
    assert "Skipping field 'comment' of model 'res.partner'" in output.stderr
    summary = output.stderr[output.stderr.index("skipped fields") :]
    assert "res_partner" in summary
    assert "comment" in summary


def test_a_field_failing_on_one_row_of_a_later_page_is_found_and_skipped(make_sandbox) -> None:
    sandbox = make_sandbox()
    truth = sorted(ground_truth(sandbox, "res.partner"))
    bad_row = truth[len(truth) // 2 + 3]  # not the first row of its page
    sandbox.faults.configure(poison_field="res.partner:comment", poison_ids=str(bad_row))
    output = run_tap(tap_config(sandbox, models=["res.partner"], page_size=50))
    assert sorted(output.ids("res_partner")) == truth
    assert "Skipping field 'comment' of model 'res.partner'" in output.stderr
    first_page = output.records["res_partner"][:50]
    assert all("comment" in record for record in first_page), "read before the failure"


def test_summary_counts_retries_per_stream(make_sandbox) -> None:
    sandbox = make_sandbox()
    sandbox.faults.fail_next("503", count=2, retry_after=0, when="res.partner.search_read")
    config = tap_config(
        sandbox, models=["res.partner", "res.country"], retry_initial_wait=0.01, page_size=500
    )
    output = run_tap(config)
    assert set(output.ids("res_partner")) == set(ground_truth(sandbox, "res.partner"))
    summary = output.stderr[output.stderr.index("skipped fields") :].splitlines()
    retries = {line.split()[0]: int(line.split()[5]) for line in summary[1:3]}
    assert retries == {"res_country": 0, "res_partner": 2}
    assert "retries: 2" in summary[3]
