"""Deletes of documents (account.move, purchase.order have no `active`): archive mode cancels
them through Odoo's own action, unlink mode deletes what Odoo lets go and reports the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_target_cli import DATA, Odoo, run_target, statuses

pytestmark = pytest.mark.e2e

DELETED_AT = "2026-11-22T08:00:00+00:00"


def deleted_input(tmp_path: Path, keys: dict[str, set[str]], name: str) -> Path:
    """unified.singer with only the streams in `keys`, those records marked deleted."""
    lines = []
    for line in (DATA / "unified.singer").read_text().splitlines():
        message = json.loads(line)
        if message.get("stream") not in keys:
            continue
        if message["type"] == "RECORD" and message["record"]["id"] in keys[message["stream"]]:
            message["record"]["_sdc_deleted_at"] = DELETED_AT
        lines.append(json.dumps(message))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def written(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    run_target(sandbox.settings, tmp_path, DATA / "unified.singer")
    return sandbox, Odoo(sandbox)


def test_archive_mode_cancels_invoices_bills_and_orders(written, tmp_path):
    sandbox, odoo = written
    keys = {
        "Invoices": {"INV-1", "INV-2"},  # posted, draft
        "Bills": {"BILL-1"},  # posted
        "BuyOrders": {"PO-1", "PO-2"},  # confirmed, draft
        "PurchaseInvoices": {"PI-1"},
    }
    singer = deleted_input(tmp_path, keys, "deleted.singer")
    sandbox.stats.reset()  # the calls of this run only (the first one cleared its markers)

    run = run_target(sandbox.settings, tmp_path, singer)

    seen = statuses(run)
    assert {(s, k): seen[s][k] for s, ks in keys.items() for k in ks} == {
        (s, k): "deleted" for s, ks in keys.items() for k in ks
    }
    assert seen["Invoices"]["CN-1"] == "unchanged"
    moves = ["Invoices_INV-1", "Invoices_INV-2", "Bills_BILL-1", "Invoices_CN-1"]
    orders = ["BuyOrders_PO-1", "BuyOrders_PO-2", "PurchaseInvoices_PI-1"]
    assert {
        name: odoo.one("account.move", [["id", "=", odoo.xmlid(name)]], ["state"])["state"]
        for name in moves
    } == {
        "Invoices_INV-1": "cancel",
        "Invoices_INV-2": "cancel",
        "Bills_BILL-1": "cancel",
        "Invoices_CN-1": "posted",
    }
    assert {
        odoo.one("purchase.order", [["id", "=", odoo.xmlid(name)]], ["state"])["state"]
        for name in orders
    } == {"cancel"}
    calls = sandbox.stats.snapshot()["calls"]
    assert calls["account.move.button_cancel"] == 2  # one per stream batch
    assert "account.move.write" not in calls  # no {"active": False}

    again = run_target(sandbox.settings, tmp_path, singer)

    notes = {(o["stream"], o["key"]): (o["status"], o.get("note")) for o in again["outcomes"]}
    assert notes[("Invoices", "INV-1")] == ("deleted", "already cancel in Odoo")
    assert notes[("BuyOrders", "PO-1")] == ("deleted", "already cancel in Odoo")
    assert sandbox.stats.snapshot()["calls"]["account.move.button_cancel"] == 2


def test_unlink_mode_deletes_drafts_and_reports_a_posted_move_odoo_refuses(written, tmp_path):
    sandbox, odoo = written
    credit_note, draft = odoo.xmlid("Invoices_CN-1"), odoo.xmlid("Invoices_INV-3")
    order = odoo.xmlid("BuyOrders_PO-2")
    keys = {"Invoices": {"CN-1", "INV-3"}, "BuyOrders": {"PO-2"}}
    singer = deleted_input(tmp_path, keys, "unlinked.singer")

    run = run_target(sandbox.settings, tmp_path, singer, delete_mode="unlink")

    outcomes = {(o["stream"], o["key"]): o for o in run["outcomes"]}
    assert outcomes[("Invoices", "INV-3")]["status"] == "deleted"
    assert outcomes[("BuyOrders", "PO-2")]["status"] == "deleted"
    refused = outcomes[("Invoices", "CN-1")]
    assert refused["status"] == "failed"
    assert refused["error"] == (
        "delete (unlink) failed: Odoo rejected account.move.unlink: You can't delete a posted "
        "journal item. Don\u2019t play games with your accounting records; reset the journal "
        "entry to draft before deleting it. The record is kept (delete_mode=archive would cancel "
        "it with button_cancel)."
    )
    ctx = {"context": {"active_test": False}}
    assert odoo("account.move", "search_count", [["id", "in", [credit_note, draft]]], **ctx) == 1
    assert odoo("purchase.order", "search_count", [["id", "=", order]], **ctx) == 0
    assert odoo.xmlid("Invoices_CN-1") == credit_note  # kept, so a re-run still knows it
    assert (
        odoo(
            "ir.model.data", "search_count", [["name", "in", ["Invoices_INV-3", "BuyOrders_PO-2"]]]
        )
        == 0
    )
