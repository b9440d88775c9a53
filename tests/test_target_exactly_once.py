"""Exactly once when a run stops between creating a record and recording its external id: the
re-run finds the record (by its marker or natural key) and adopts it instead of creating it again.
"""

from __future__ import annotations

import pytest
from test_target_cli import DATA, Odoo, run_target, statuses
from test_target_least_privilege import one_each

pytestmark = pytest.mark.e2e


def test_records_whose_external_id_was_not_recorded_are_adopted_on_rerun(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    # Every external-id write fails (503, no retries): the records exist, their ids do not, as
    # after a crash between the two calls.
    sandbox.faults.fail_next("503", count=50, retry_after=0, when="ir.model.data.create")

    first = run_target(sandbox.settings, tmp_path, DATA / "unified.singer", max_retries=0)

    sandbox.faults.reset()
    failed = {(o["stream"], o["key"]): o["error"] for o in first["outcomes"]}
    assert {o["status"] for o in first["outcomes"]} == {"failed"}
    assert "but its external id was not recorded" in failed[("Invoices", "INV-1")]
    assert "a re-run finds it by its invoice_origin and adopts it" in failed[("Invoices", "INV-1")]
    assert "a re-run finds it by its ref and adopts it" in failed[("Customers", "C-1")]
    assert odoo("ir.model.data", "search_count", [["module", "=", "singer"]]) == 0
    assert set(one_each(odoo).values()) == {1}
    inv1 = odoo.one("account.move", [["ref", "=", "SO-1001"]], ["invoice_origin", "state"])
    assert inv1 == {"id": inv1["id"], "invoice_origin": "singer.Invoices_INV-1", "state": "draft"}

    again = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")

    assert set(one_each(odoo).values()) == {1}
    seen = statuses(again)
    assert "created" not in {s for stream in seen.values() for s in stream.values()}
    assert seen["Invoices"]["INV-1"] == "updated"  # adopted, then posted as the source says
    assert seen["Customers"]["C-1"] == "unchanged"
    notes = {(o["stream"], o["key"]): o.get("note") for o in again["outcomes"]}
    assert notes[("Invoices", "INV-1")].startswith(
        "found by its marker invoice_origin='singer.Invoices_INV-1' (created by an earlier run"
    )
    assert notes[("TaxRates", "T-S21")].startswith(
        "found by its natural key name='VAT 21% (sales)', type_tax_use='sale'"
    )
    assert odoo.xmlid("Invoices_INV-1") == inv1["id"]
    assert odoo.one("account.move", [["id", "=", inv1["id"]]], ["state"])["state"] == "posted"
    third = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")
    assert {s for stream in statuses(third).values() for s in stream.values()} == {"unchanged"}


def test_a_record_someone_else_made_with_the_same_natural_key_is_not_adopted(
    make_sandbox, tmp_path
):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    (theirs,) = odoo("res.partner", "create", [{"name": "Globex (manual)", "ref": "C-3"}])
    demo = sandbox.engine.users["demo"]["uid"]  # made by another login (demo may not create)
    sandbox.engine.storage.execute(
        "UPDATE res_partner SET create_uid = ? WHERE id = ?", (demo, theirs)
    )
    assert odoo.one("res.partner", [["id", "=", theirs]], ["create_uid"])["create_uid"] == demo

    run = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")

    assert statuses(run)["Customers"]["C-3"] == "created"
    ours = odoo.xmlid("Customers_C-3")
    assert ours != theirs
    assert odoo.one("res.partner", [["id", "=", theirs]], ["name"])["name"] == "Globex (manual)"
