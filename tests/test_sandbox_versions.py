"""What the sandbox answers differently per Odoo version (16 to 19), as real databases do.

Expected texts come from ../shared/unreadable_models.json (recorded from real Odoo 16 to 19) and,
where no recording holds the answer, from Odoo's source (see odoo_sandbox/versions.py).
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest

from odoo_sandbox.cli import build_parser

TRACEBACK = "Traceback (most recent call last):\n  ...\n"
# ../shared/unreadable_models.json: odoo16_account_move_line_search_read_with_load_False
AML_TYPE_ERROR = "AccountMoveLine.search_read() got an unexpected keyword argument 'load'"
TAGS_TYPE_ERROR = "ProjectTags.search_read() got an unexpected keyword argument 'load'"
NARROW = [
    ("sandbox16", "account.move.line", AML_TYPE_ERROR),
    ("sandbox16", "project.tags", TAGS_TYPE_ERROR),
    ("sandbox", "project.tags", TAGS_TYPE_ERROR),
    ("sandbox18", "project.tags", TAGS_TYPE_ERROR),
    ("sandbox19", "project.tags", TAGS_TYPE_ERROR),
]


def _fault(call: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


# ---- narrow search_read overrides ----------------------------------------------------------------
@pytest.mark.parametrize(("which", "model", "message"), NARROW)
def test_narrow_search_read_load_is_a_type_error_over_jsonrpc(
    request, wire, which: str, model: str, message: str
) -> None:
    client = wire(request.getfixturevalue(which))
    body = client.execute_kw(model, "search_read", [[]], {"fields": ["id"], "load": False})
    error = body["error"]
    assert error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "builtins.TypeError"
    assert error["data"]["message"] == message
    assert error["data"]["arguments"] == [message]
    assert error["data"]["debug"].splitlines()[-1] == "TypeError: " + message


@pytest.mark.parametrize(("which", "model", "message"), NARROW)
def test_narrow_search_read_load_is_a_type_error_over_xmlrpc(
    request, wire, which: str, model: str, message: str
) -> None:
    client = wire(request.getfixturevalue(which))
    proxy = client.xmlrpc("object")
    fault = _fault(
        lambda: proxy.execute_kw(
            client.db, client.uid, client.password, model, "search_read", [[]], {"load": False}
        )
    )
    assert fault.faultCode == 1
    assert fault.faultString == TRACEBACK + "TypeError: " + message


def test_narrow_search_read_over_the_web_session_and_with_classic_load(sandbox16, wire) -> None:
    client = wire(sandbox16)
    client.login_session()
    for load in (False, "_classic_read"):
        body = client.call_kw("account.move.line", "search_read", [[]], {"load": load})
        assert body["error"]["data"]["name"] == "builtins.TypeError"
        assert body["error"]["data"]["message"] == AML_TYPE_ERROR


def test_narrow_search_read_without_load_answers_pairs_and_takes_a_context(sandbox16, wire) -> None:
    client = wire(sandbox16)
    kwargs = {"fields": ["account_id"], "limit": 1, "context": {"lang": "en_US"}}
    (row,) = client.result("account.move.line", "search_read", [[]], kwargs)
    # recorded: [{"id": 5, "account_id": [21, "400000 Product Sales"]}]
    assert set(row) == {"id", "account_id"}
    account_id, name = row["account_id"]
    assert isinstance(account_id, int)
    assert isinstance(name, str)
    assert name


def test_narrow_search_read_positional_arguments_still_work(sandbox16, wire) -> None:
    client = wire(sandbox16)
    rows = client.result("account.move.line", "search_read", [[], ["name"], 0, 2, "id"])
    assert [sorted(row) for row in rows] == [["id", "name"], ["id", "name"]]


def test_search_and_read_without_names_still_work_on_narrow_models(sandbox16, wire) -> None:
    client = wire(sandbox16)
    ids = client.result("account.move.line", "search", [[]], {"limit": 3})
    assert len(ids) == 3
    rows = client.result("account.move.line", "read", [ids, ["account_id"]], {"load": False})
    assert all(isinstance(row["account_id"], int) for row in rows)


@pytest.mark.parametrize("which", ["sandbox", "sandbox18", "sandbox19"])
def test_account_move_line_takes_load_false_from_17(request, wire, which: str) -> None:
    client = wire(request.getfixturevalue(which))
    kwargs = {"fields": ["account_id"], "limit": 2, "load": False}
    rows = client.result("account.move.line", "search_read", [[]], kwargs)
    assert all(isinstance(row["account_id"], int) for row in rows)


def test_project_tags_are_seeded_and_ordered_by_name_from_17(sandbox, sandbox16, wire) -> None:
    names = [r["name"] for r in wire(sandbox).result("project.tags", "search_read", [[]], {})]
    assert names == sorted(names)
    assert len(names) >= 3
    ids = [r["id"] for r in wire(sandbox16).result("project.tags", "search_read", [[]], {})]
    assert ids == sorted(ids)  # 16: the default order, id


def test_narrow_search_read_over_json2_is_unprocessable(sandbox19, wire) -> None:
    response = wire(sandbox19).json2("project.tags", "search_read", {"domain": [], "load": False})
    assert response.status_code == 422
    assert "load" in response.json()["message"]


def test_narrow_search_read_declared_by_the_fault_plan(sandbox, wire) -> None:
    client = wire(sandbox)
    kwargs = {"fields": ["name"], "limit": 1, "load": False}
    sandbox.faults.configure(narrow_search_read="res.partner+res.country:CountryOfMine")
    assert "narrow_search_read=res.country:CountryOfMine+res.partner:ResPartner" in (
        sandbox.faults.to_spec()
    )
    partner = client.execute_kw("res.partner", "search_read", [[]], kwargs)["error"]["data"]
    assert (
        partner["message"] == "ResPartner.search_read() got an unexpected keyword argument 'load'"
    )
    country = client.execute_kw("res.country", "search_read", [[]], kwargs)["error"]["data"]
    assert country["message"].startswith("CountryOfMine.search_read() got an unexpected")
    sandbox.faults.reset()
    assert client.result("res.partner", "search_read", [[]], kwargs)


def test_narrow_search_read_declared_when_the_sandbox_is_made(make_sandbox, wire) -> None:
    client = wire(make_sandbox(odoo_version=17, narrow_search_read=["res.country"]))
    kwargs = {"limit": 1, "load": False}
    assert "result" in client.execute_kw("res.partner", "search_read", [[]], kwargs)
    error = client.execute_kw("res.country", "search_read", [[]], kwargs)["error"]
    assert error["data"]["message"].startswith("ResCountry.search_read() got an unexpected")
    made = make_sandbox(odoo_version=17, narrow_search_read={"res.partner": "Partner"})
    error = wire(made).execute_kw("res.partner", "search_read", [[]], kwargs)["error"]
    assert error["data"]["message"] == (
        "Partner.search_read() got an unexpected keyword argument 'load'"
    )


# ---- Odoo 16 -------------------------------------------------------------------------------------
def test_odoo16_version_answers(sandbox16, wire) -> None:
    client = wire(sandbox16)
    assert client.xmlrpc("common").version() == {
        "protocol_version": 1,
        "server_serie": "16.0",
        "server_version": "16.0",
        "server_version_info": [16, 0, 0, "final", 0, ""],
    }
    assert client.call("db", "list")["result"] == ["odoo16"]
    assert client.login_session()["result"]["server_version_info"][0] == 16


@pytest.mark.parametrize("which", ["sandbox16", "sandbox", "sandbox18"])
def test_json2_is_not_there_before_19(request, wire, which: str) -> None:
    client = wire(request.getfixturevalue(which))
    response = client.json2("res.partner", "search_count", {"domain": []})
    assert response.status_code == 404
    assert "<title>404 Not Found</title>" in response.text


def test_odoo16_display_name_is_stored_on_partners(sandbox16, sandbox, wire) -> None:
    fields = wire(sandbox16).result("res.partner", "fields_get", [], {"attributes": ["store"]})
    assert fields["display_name"] == {"store": True}
    (row,) = wire(sandbox16).result(
        "res.partner", "search_read", [[["parent_id", "!=", False]]], {"limit": 1}
    )
    assert row["display_name"].endswith(", " + row["name"])
    assert not wire(sandbox).result("res.partner", "fields_get", [["display_name"]])[
        "display_name"
    ]["store"]


def test_odoo16_last_update_on_every_model(sandbox16, sandbox, wire) -> None:
    client = wire(sandbox16)
    for model in ("res.partner", "account.move", "project.tags"):
        fields = client.result(model, "fields_get", [], {"attributes": ["type", "store"]})
        assert fields["__last_update"] == {"type": "datetime", "store": False}
    (row,) = client.result(
        "res.partner", "search_read", [[]], {"fields": ["write_date", "__last_update"], "limit": 1}
    )
    assert row["__last_update"] == row["write_date"]
    assert "__last_update" not in wire(sandbox).result("res.partner", "fields_get", [])


def test_odoo16_account_move_line_fields(sandbox16, sandbox, wire) -> None:
    on16 = wire(sandbox16).result("account.move.line", "fields_get", [], {"attributes": ["type"]})
    on17 = wire(sandbox).result("account.move.line", "fields_get", [], {"attributes": ["type"]})
    assert {"tax_audit", "discount_percentage"} <= set(on16) - set(on17)
    assert {"invoice_date", "payment_date", "cogs_origin_id"} <= set(on17) - set(on16)
    assert "exclude_from_invoice_tab" not in on16  # Odoo 15's, gone in 16
    body = wire(sandbox16).execute_kw(
        "account.move.line", "search_read", [[]], {"fields": ["invoice_date"]}
    )
    assert body["error"]["data"]["message"] == (
        "Invalid field 'invoice_date' on model 'account.move.line'"
    )


def test_odoo16_posting_still_works_without_line_invoice_date(make_sandbox, wire) -> None:
    client = wire(make_sandbox(odoo_version=16))
    (draft,) = client.result("account.move", "search", [[["state", "=", "draft"]]], {"limit": 1})
    client.result("account.move", "action_post", [[draft]])
    (move,) = client.result("account.move", "read", [[draft], ["state"]])
    assert move["state"] == "posted"


def test_odoo16_search_counts_and_17_refuses_count(sandbox16, sandbox, wire) -> None:
    count = wire(sandbox16).result("res.partner", "search_count", [[]])
    assert wire(sandbox16).result("res.partner", "search", [[]], {"count": True}) == count
    error = wire(sandbox).execute_kw("res.partner", "search", [[]], {"count": True})["error"]
    assert (
        error["data"]["message"] == "BaseModel.search() got an unexpected keyword argument 'count'"
    )


@pytest.mark.parametrize(
    ("which", "method"), [("sandbox16", "BaseModel.read"), ("sandbox", "BaseModel._read_format")]
)
def test_unknown_search_read_keyword(request, wire, which: str, method: str) -> None:
    client = wire(request.getfixturevalue(which))
    body = client.execute_kw("res.partner", "search_read", [[]], {"limit": 1, "bogus": 1})
    assert body["error"]["data"]["message"] == (
        f"{method}() got an unexpected keyword argument 'bogus'"
    )


@pytest.mark.parametrize("which", ["sandbox16", "sandbox"])
def test_has_access_only_from_18(request, wire, which: str) -> None:
    client = wire(request.getfixturevalue(which))
    assert client.result("res.partner", "check_access_rights", ["read"]) is True
    error = client.execute_kw("res.partner", "has_access", [[], "read"])["error"]
    assert error["data"]["name"] == "builtins.AttributeError"


def test_cli_takes_odoo_16() -> None:
    assert build_parser().parse_args(["--odoo-version", "16"]).odoo_version == 16


def test_odoo19_partner_has_no_mobile(sandbox19, sandbox16, sandbox, wire) -> None:
    assert "mobile" not in wire(sandbox19).result("res.partner", "fields_get", [])
    for older in (sandbox16, sandbox):
        assert "mobile" in wire(older).result("res.partner", "fields_get", [])
