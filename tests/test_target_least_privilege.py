"""target-odoo as the administrator and as a least-privilege integration user (no Settings, no
Access Rights: ir.model.data is closed to it). Both write every record exactly once, over two
runs and over a run killed between a create and what follows it: the admin by external ids, the
integration user by the identity each record carries in its own identity_field."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from test_target_cli import BIN, DATA, Odoo, run_target, statuses

pytestmark = pytest.mark.e2e

TAXES = [("VAT 21% (sales)", "sale"), ("VAT 21% (purchases)", "purchase")]
IDENTITY_FIELDS = {
    "Customers": ("res.partner", "ref"),
    "Vendors": ("res.partner", "ref"),
    "Suppliers": ("res.partner", "ref"),
    "Invoices": ("account.move", "payment_reference"),
    "Bills": ("account.move", "payment_reference"),
    "BuyOrders": ("purchase.order", "origin"),
    "PurchaseInvoices": ("purchase.order", "origin"),
}
TAX_REFUSED = 'account.tax create: grant "Invoicing: Billing Administrator"; Odoo: You are not'


def prepared(make_sandbox, user: str, version: int = 17):
    """A fresh sandbox as the company has it: taxes are set up by its accountant, not by the
    integration (which may not create taxes); the admin's run creates them itself."""
    sandbox = make_sandbox(odoo_version=version, scale=1)
    if user == "integration":
        odoo = Odoo(sandbox)
        for name, use in TAXES:
            vals = {"name": name, "amount": 21.0, "amount_type": "percent", "type_tax_use": use}
            odoo("account.tax", "create", [vals])
    return sandbox


def one_each(odoo: Odoo) -> dict[str, int]:
    """How many records hold each value the unified records write (1 each when exactly once)."""
    found = {}
    for name in ["Acme Corp", "Jane Doe", "Globex", "Paper Supplies Ltd", "Office Depot"]:
        found[name] = odoo("res.partner", "search_count", [["name", "=", name]])
    for ref in ["SO-1001", "SO-1002", "CN-1001", "SO-1003", "PS-778", "OD-31", "PS-R-9"]:
        found[ref] = odoo("account.move", "search_count", [["ref", "=", ref]])
    for ref in ["REQ-55", "REQ-56", "REQ-57"]:
        found[ref] = odoo("purchase.order", "search_count", [["partner_ref", "=", ref]])
    for name, _ in TAXES:
        found[name] = odoo("account.tax", "search_count", [["name", "=", name]])
    return found


def only_customers(tmp_path):
    """The Customers messages of unified.singer, as a file."""
    lines = (DATA / "unified.singer").read_text().splitlines()
    path = tmp_path / "customers.singer"
    kept = [line for line in lines if json.loads(line).get("stream") == "Customers"]
    path.write_text("\n".join(kept) + "\n")
    return path


def written(odoo: Odoo, user: str, stream: str, key: str) -> int:
    """The Odoo id of a source record: by its external id (admin) or its identity (integration)."""
    if user == "admin":
        return odoo.xmlid(f"{stream}_{key}")
    model, field = IDENTITY_FIELDS[stream]
    return odoo.one(model, [[field, "=", f"singer.{stream}:{key}"]], ["id"])["id"]


def expected_first_run(user: str) -> dict[str, dict[str, str]]:
    taxes = "created" if user == "admin" else "failed"
    return {
        "TaxRates": {"T-S21": taxes, "T-P21": taxes},
        "Customers": {"C-1": "created", "C-2": "created", "C-3": "created"},
        "Vendors": {"V-1": "created", "V-2": "created"},
        "Invoices": {"INV-1": "created", "INV-2": "created", "CN-1": "created", "INV-3": "created"},
        "Bills": {"BILL-1": "created", "BILL-2": "created", "BILL-3": "created"},
        "BuyOrders": {"PO-1": "created", "PO-2": "created"},
        "PurchaseInvoices": {"PI-1": "created"},
        "Suppliers": {"S-1": "created"},
    }


def test_two_runs_write_every_record_once(make_sandbox, tmp_path, odoo_user):
    sandbox = prepared(make_sandbox, odoo_user)
    odoo = Odoo(sandbox)
    settings = sandbox.settings_for(odoo_user)

    first = run_target(settings, tmp_path, DATA / "unified.singer")
    second = run_target(settings, tmp_path, DATA / "unified.singer")

    assert statuses(first) == expected_first_run(odoo_user)
    seen = statuses(second)
    seen.pop("TaxRates")
    assert {s for stream in seen.values() for s in stream.values()} == {"unchanged"}
    assert set(one_each(odoo).values()) == {1}
    acme = written(odoo, odoo_user, "Customers", "C-1")
    assert odoo.one("res.partner", [["name", "=", "Acme Corp"]], ["id"])["id"] == acme
    inv1 = odoo.one("account.move", [["ref", "=", "SO-1001"]], ["partner_id", "state", "id"])
    assert inv1 == {"id": written(odoo, odoo_user, "Invoices", "INV-1"), "partner_id": acme,
                    "state": "posted"}  # fmt: skip
    po1 = odoo.one("purchase.order", [["partner_ref", "=", "REQ-55"]], ["partner_id", "state"])
    assert po1["partner_id"] == written(odoo, odoo_user, "Vendors", "V-1")
    assert po1["state"] == "purchase"
    external_ids = odoo("ir.model.data", "search_count", [["module", "=", "singer"]])
    if odoo_user == "admin":
        assert external_ids == 18
        assert "Identity: external ids (ir.model.data, module 'singer')" in first["stderr"]
    else:
        assert external_ids == 0
        assert "Identity: kept on the records" in first["stderr"]
        refused = {o["key"]: o["error"] for o in first["outcomes"] if o["stream"] == "TaxRates"}
        assert all(error.startswith(TAX_REFUSED) for error in refused.values())
        partner = odoo.one("res.partner", [["id", "=", acme]], ["ref", "create_uid"])
        assert partner == {"id": acme, "ref": "singer.Customers:C-1",
                           "create_uid": sandbox.users["integration"]["uid"]}  # fmt: skip
    assert first["stderr"].count("Identity: ") == 1


def _wait(condition, what: str, seconds: float = 60.0) -> None:
    """Wait for a condition of the sandbox (not for a duration); fail naming it."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_run_killed_between_create_and_bookkeeping_duplicates_nothing(
    make_sandbox, tmp_path, odoo_user
):
    sandbox = prepared(make_sandbox, odoo_user)
    odoo = Odoo(sandbox)
    settings = sandbox.settings_for(odoo_user)
    config = {key: settings[key] for key in ("url", "database", "username", "password")}
    config_path = tmp_path / "killed.json"
    config_path.write_text(json.dumps(config))
    # The invoices' create runs and its answer is held: the target is killed while it waits
    # for it, so the invoices exist but the killed run recorded nothing about them (no external
    # id, no after action).
    sandbox.faults.fail_next("block_after", when="account.move.create")
    command = [str(BIN / "target-odoo"), "--config", str(config_path)]
    with (DATA / "unified.singer").open() as singer:
        target = subprocess.Popen(
            command, stdin=singer, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            assert sandbox.faults.wait_held(1, timeout=60), "the create was never held"
        finally:
            os.kill(target.pid, signal.SIGKILL)
            target.wait(timeout=30)
    sandbox.faults.release()
    invoices = [["ref", "in", ["SO-1001", "SO-1002", "CN-1001", "SO-1003"]]]
    _wait(lambda: odoo("account.move", "search_count", invoices) == 4, "the held create")
    assert odoo("ir.model.data", "search_count", [["model", "=", "account.move"]]) == 0
    assert odoo("account.move", "search_count", [*invoices, ["state", "=", "posted"]]) == 0

    again = run_target(settings, tmp_path, DATA / "unified.singer")
    third = run_target(settings, tmp_path, DATA / "unified.singer")

    assert set(one_each(odoo).values()) == {1}
    seen = statuses(again)
    assert set(seen["Invoices"].values()) <= {"updated", "unchanged"}  # found, not created
    assert seen["Invoices"]["INV-1"] == "updated"  # then posted, as the source says
    assert seen["Bills"] == {"BILL-1": "created", "BILL-2": "created", "BILL-3": "created"}
    inv1 = odoo.one("account.move", [["ref", "=", "SO-1001"]], ["state", "id"])
    assert inv1 == {"id": written(odoo, odoo_user, "Invoices", "INV-1"), "state": "posted"}
    rest = statuses(third)
    rest.pop("TaxRates")
    assert {s for stream in rest.values() for s in stream.values()} == {"unchanged"}


def test_two_sources_never_take_each_others_records(make_sandbox, tmp_path):
    sandbox = prepared(make_sandbox, "integration")
    odoo = Odoo(sandbox)
    settings = sandbox.settings_for("integration")
    (theirs,) = odoo("res.partner", "create", [{"name": "Acme (by hand)", "ref": "C-1"}])
    customers = only_customers(tmp_path)

    shop = run_target(settings, tmp_path, customers, external_id_namespace="shop")
    crm = run_target(settings, tmp_path, customers, external_id_namespace="crm")
    shop_again = run_target(settings, tmp_path, customers, external_id_namespace="shop")

    assert set(statuses(shop)["Customers"].values()) == {"created"}
    assert set(statuses(crm)["Customers"].values()) == {"created"}
    assert set(statuses(shop_again)["Customers"].values()) == {"unchanged"}
    refs = odoo("res.partner", "search_read", [["name", "=", "Acme Corp"]], fields=["ref"])
    assert sorted(row["ref"] for row in refs) == ["crm.Customers:C-1", "shop.Customers:C-1"]
    assert odoo.one("res.partner", [["id", "=", theirs]], ["ref"])["ref"] == "C-1"


def test_identity_settings_choose_and_say_once(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    customers = only_customers(tmp_path)
    # An admin may keep identities on the records too (identity: field): no external id.
    run = run_target(sandbox.settings, tmp_path, customers, identity="field")
    assert "Identity: kept on the records" in run["stderr"]
    assert odoo("ir.model.data", "search_count", [["module", "=", "singer"]]) == 0
    assert odoo.one("res.partner", [["name", "=", "Jane Doe"]], ["ref"])["ref"] == (
        "singer.Customers:C-2"
    )
    # identity: external_id for a user who may not use them stops at the start, saying why.
    settings = sandbox.settings_for("integration")
    config = {key: settings[key] for key in ("url", "database", "username", "password")}
    config_path = tmp_path / "external.json"
    config_path.write_text(json.dumps({**config, "identity": "external_id"}))
    done = subprocess.run(
        [str(BIN / "target-odoo"), "--config", str(config_path), "--input", str(customers)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 5
    (line,) = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith(
        'error: AccessDeniedError: identity is external_id, but ir.model.data read: grant "'
    )
    assert "Set identity to auto or field" in line


def test_a_missing_right_fails_the_records_naming_it_and_nothing_else(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    customers = only_customers(tmp_path)
    # demo: an internal user without Contact Creation (it may not create partners).
    run = run_target(sandbox.settings_for("demo"), tmp_path, customers)
    errors = {o["key"]: o["error"] for o in run["outcomes"]}
    assert set(errors) == {"C-1", "C-2", "C-3"}
    for error in errors.values():
        assert error.startswith(
            'res.partner create: grant "Contact Creation" (or: Inventory: Administrator, '
            "Purchase: Administrator, Sales: Administrator); Odoo: You are not allowed to create "
            "'Contact' (res.partner) records"
        )
    warnings = [line for line in run["stderr"].splitlines() if "| WARNING" in line]
    assert warnings  # the failed records, and nothing about rights the target does not need
    assert all("Stream Customers: record 'C-" in line for line in warnings), warnings
    assert sandbox.stats.snapshot()["calls"].get("res.partner.create") == 1  # not one per record


def test_odoo19_over_json2_with_the_integration_users_api_key(make_sandbox, tmp_path):
    sandbox = prepared(make_sandbox, "integration", version=19)
    settings = sandbox.settings_for("integration")
    keyed = {**settings, "password": settings["api_key"]}

    first = run_target(keyed, tmp_path, DATA / "unified.singer")
    again = run_target(keyed, tmp_path, DATA / "unified.singer")

    assert statuses(first) == expected_first_run("integration")
    assert statuses(first)["TaxRates"] == {"T-S21": "failed", "T-P21": "failed"}
    taxes = {o["error"] for o in first["outcomes"] if o["stream"] == "TaxRates"}
    assert {e.split(";")[0] for e in taxes} == {
        'account.tax create: grant "Accounting: Administrator"'
    }
    seen = statuses(again)
    seen.pop("TaxRates")
    assert {s for stream in seen.values() for s in stream.values()} == {"unchanged"}
    assert set(one_each(Odoo(sandbox)).values()) == {1}


def test_lost_answers_are_settled_by_identity(make_sandbox, tmp_path):
    sandbox = prepared(make_sandbox, "integration")
    sandbox.faults.fail_next("drop_after", when="res.partner.create")  # created, answer lost
    sandbox.faults.fail_next("drop_after", when="account.move.create")
    sandbox.faults.fail_next("503", count=2, retry_after=0, when="purchase.order.create")
    odoo = Odoo(sandbox)

    run = run_target(sandbox.settings_for("integration"), tmp_path, DATA / "unified.singer")

    seen = statuses(run)
    seen.pop("TaxRates")
    assert {s for stream in seen.values() for s in stream.values()} == {"created"}
    assert set(one_each(odoo).values()) == {1}
    assert sandbox.stats.snapshot()["faults"] == {"503": 2, "drop_after": 2}
