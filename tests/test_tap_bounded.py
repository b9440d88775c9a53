"""Every loop of tap-odoo that talks to Odoo is bounded: against a sandbox that fails the same way
forever, each ends with one clear error after a number of calls the SANDBOX counts (never the
client's own counters), and the other streams of the run still complete.

The bounds: retries `max_retries` (+1 first try); field isolation 1 id-only probe, at most
MAX_PROBES_PER_PAGE per page and MAX_PROBES_PER_STREAM per stream; a narrowed search_read one
extra call per refused keyword, once per model; discovery one probe per model.
"""

from __future__ import annotations

import pytest
from singer_run import run_tap

from tap_odoo.isolation import MAX_PROBES_PER_PAGE

pytestmark = pytest.mark.e2e

CONNECTION_KEYS = ("url", "database", "username", "password")


def tap_config(sandbox, **settings: object) -> dict:
    fast = {"retry_initial_wait": 0.01, "retry_max_wait": 0.05}
    return {key: sandbox.settings[key] for key in CONNECTION_KEYS} | fast | settings


def calls(sandbox, target: str) -> int:
    return sandbox.stats.snapshot()["calls"].get(target, 0)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_retries_end_after_max_retries_plus_one_calls(make_sandbox) -> None:
    sandbox = make_sandbox()
    sandbox.faults.fail_next("503", count=10_000, retry_after=0, when="res.partner.search_read")
    output = run_tap(tap_config(sandbox, models=["res.partner"], max_retries=3), check=False)
    assert output.returncode == 7
    assert sandbox.stats.snapshot()["faults"]["503"] == 4  # the first try and three retries
    (line,) = error_lines(output.stderr)
    assert "ServerUnavailableError" in line
    assert "gave up after 4 attempts" in line


def test_a_stream_no_field_can_save_fails_after_two_calls_and_the_others_complete(
    make_sandbox,
) -> None:
    sandbox = make_sandbox()
    sandbox.faults.configure(poison_field="res.partner:id")  # every read of res.partner fails
    output = run_tap(tap_config(sandbox, models=["res.partner", "res.country"]), check=False)
    assert calls(sandbox, "res.partner.search_read") == 2  # the page, then id alone
    assert output.returncode == 9
    (line,) = error_lines(output.stderr)
    assert "1 of 2 streams failed: res_partner (FieldIsolationError" in line
    assert "fails with no field but id" in line
    countries = sandbox.engine.execute(
        sandbox.engine.users["admin"]["uid"], "res.country", "search_count", [[]], {}
    )
    assert output.stdout.count('"stream":"res_country"') >= countries
    summary = output.stderr[output.stderr.rindex("skipped fields") :].splitlines()
    statuses = {line.split()[0]: line.split()[1] for line in summary[1:3]}
    assert statuses == {"res_country": "ok", "res_partner": "FAILED"}


def test_many_failing_fields_stop_the_stream_within_the_page_limit(make_sandbox) -> None:
    sandbox = make_sandbox()
    fields = ["comment", "street", "street2", "city", "zip", "phone", "email", "website"]
    sandbox.faults.configure(poison_field="+".join(f"res.partner:{f}" for f in fields))
    output = run_tap(tap_config(sandbox, models=["res.partner"]), check=False)
    assert output.returncode == 9
    # The page itself, then at most the page's probes.
    assert calls(sandbox, "res.partner.search_read") <= 1 + MAX_PROBES_PER_PAGE
    (line,) = error_lines(output.stderr)
    assert "ignore_fields" in line or "every field fails" in line


def test_a_field_failing_on_every_page_is_isolated_once(make_sandbox) -> None:
    sandbox = make_sandbox()
    sandbox.faults.configure(poison_field="res.partner:comment")
    output = run_tap(tap_config(sandbox, models=["res.partner"], page_size=10))
    pages = -(-len(output.ids("res_partner")) // 10)
    probes = calls(sandbox, "res.partner.search_read") - pages
    assert 0 < probes <= MAX_PROBES_PER_PAGE  # found on the first page, skipped on the others


def test_a_narrowed_search_read_costs_one_extra_call_per_run(make_sandbox) -> None:
    sandbox = make_sandbox(faults="narrow_search_read=res.partner:ResPartner")
    output = run_tap(tap_config(sandbox, models=["res.partner"], page_size=10))
    rows = output.records["res_partner"]
    pages = len(rows) // 10 + 1
    assert calls(sandbox, "res.partner.search_read") == pages + 1  # the refused first call
    assert "does not take the keyword 'load'" in output.stderr
    assert "Skipping field" not in output.stderr
    engine = sandbox.engine
    truth = engine.execute(
        engine.users["admin"]["uid"],
        "res.partner",
        "search_read",
        [[]],
        {"fields": ["parent_id"], "context": {"active_test": False}},
    )
    assert {row["id"]: (row["parent_id"] or [None])[0] for row in truth} == {
        row["id"]: row["parent_id"] for row in rows if row.get("_sdc_deleted_at") is None
    }
