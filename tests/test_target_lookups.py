"""Lookups see active records only, as Odoo's own forms do: an archived currency fails the
record with a message that says so, an archived partner is never picked over an active one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_target_cli import Odoo, run_target

pytestmark = pytest.mark.e2e

INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "customerName": {"type": ["string", "null"]},
        "customerEmail": {"type": ["string", "null"]},
        "currency": {"type": ["string", "null"]},
        "status": {"type": ["string", "null"]},
        "lineItems": {"type": "array"},
    },
}


def invoices_input(tmp_path: Path, records: list[dict]) -> Path:
    lines = [
        {"type": "SCHEMA", "stream": "Invoices", "schema": INVOICE_SCHEMA, "key_properties": ["id"]}
    ]
    lines += [{"type": "RECORD", "stream": "Invoices", "record": r} for r in records]
    path = tmp_path / "invoices.singer"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def invoice(key: str, **values) -> dict:
    return {
        "id": key,
        "currency": "EUR",
        "status": "POSTED",
        "lineItems": [{"description": "Service", "quantity": 1, "unitPrice": 100.0}],
        **values,
    }


def archived_first(odoo: Odoo) -> tuple[str, int]:
    """A partner name whose oldest holder is archived and a later one active: (name, active id)."""
    rows = odoo(
        "res.partner",
        "search_read",
        [],
        fields=["name", "active"],
        order="id",
        context={"active_test": False},
    )
    holders: dict[str, list[dict]] = {}
    for row in rows:
        holders.setdefault(row["name"], []).append(row)
    for name, same in holders.items():
        if not same[0]["active"] and any(r["active"] for r in same):
            return name, next(r["id"] for r in same if r["active"])
    raise AssertionError("the sandbox seeds no archived partner with an active namesake")


def test_an_inactive_currency_fails_the_record_and_writes_nothing(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    gbp = odoo.one("res.currency", [["name", "=", "GBP"]], ["active"])
    assert gbp["active"] is False  # as the sandbox seeds it
    before = odoo("account.move", "search_count", [])

    run = run_target(
        sandbox.settings,
        tmp_path,
        invoices_input(tmp_path, [invoice("GBP-1", customerName="Pound Buyer", currency="gbp")]),
    )

    (outcome,) = run["outcomes"]
    assert outcome["status"] == "failed"
    assert outcome["error"] == (
        f"currency_id: res.currency 'GBP' (id {gbp['id']}, by name) is not active in Odoo "
        "(archived): activate it there, or send an active one"
    )
    assert odoo("account.move", "search_count", []) == before
    assert odoo("res.partner", "search_count", [["name", "=", "Pound Buyer"]]) == 0


def test_partner_lookups_take_active_partners_only(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    name, active_id = archived_first(odoo)
    archived = odoo(
        "res.partner",
        "search_read",
        [["active", "=", False], ["email", "!=", False]],
        fields=["email", "name"],
        order="id",
        limit=1,
        context={"active_test": False},
    )[0]
    records = [
        invoice("BY-NAME", customerName=name),
        invoice("BY-EMAIL", customerEmail=archived["email"], customerName="Fresh Customer Ltd"),
    ]

    run = run_target(sandbox.settings, tmp_path, invoices_input(tmp_path, records))

    assert {o["key"]: o["status"] for o in run["outcomes"]} == {
        "BY-NAME": "created",
        "BY-EMAIL": "created",
    }
    by_name = odoo.one(
        "account.move", [["id", "=", odoo.xmlid("Invoices_BY-NAME")]], ["partner_id"]
    )
    assert by_name["partner_id"] == active_id
    by_email = odoo.one(
        "account.move", [["id", "=", odoo.xmlid("Invoices_BY-EMAIL")]], ["partner_id", "state"]
    )
    assert by_email["partner_id"] != archived["id"]  # never an archived partner
    partner = odoo.one(
        "res.partner", [["id", "=", by_email["partner_id"]]], ["name", "email", "active"]
    )
    assert partner == {
        "id": by_email["partner_id"],
        "name": "Fresh Customer Ltd",
        "email": archived["email"],
        "active": True,
    }
    assert by_email["state"] == "posted"


def test_a_passthrough_relation_that_matches_nothing_is_left_empty_and_said(
    make_sandbox, tmp_path
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                       "parent_id": {"type": ["integer", "null"]}},
    }  # fmt: skip
    lines = [
        {"type": "SCHEMA", "stream": "res_partner", "schema": schema, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "res_partner", "record": {"id": 1, "name": "Orphan Co"}},
        {
            "type": "RECORD",
            "stream": "res_partner",
            "record": {"id": 2, "name": "Orphan Child", "parent_id": 999999},
        },
    ]
    singer = tmp_path / "partners.singer"
    singer.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    run = run_target(sandbox.settings, tmp_path, singer)
    assert {o["key"]: o["status"] for o in run["outcomes"]} == {"1": "created", "2": "created"}
    (child,) = Odoo(sandbox)("res.partner", "search_read", [["name", "=", "Orphan Child"]],
                             fields=["parent_id"])  # fmt: skip
    assert child["parent_id"] is False
    warning = "parent_id: no res.partner matches parent_id=999999 (external id); left empty"
    assert warning in run["stderr"]
