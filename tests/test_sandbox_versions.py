"""What the sandbox answers differently per Odoo version (16 to 19), as real databases do.

Expected texts come from ../shared/unreadable_models.json (recorded from real Odoo 16 to 19) and,
where no recording holds the answer, from Odoo's source (see odoo_sandbox/versions.py).
"""

from __future__ import annotations

import json
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from odoo_sandbox.cli import build_parser
from odoo_sandbox.unreadable import RECORDING

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


# ---- models that ir.model lists but that fail when searched or read ----------------------------
RECORDED = json.loads(RECORDING.read_text(encoding="utf-8"))["unreadable_models"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "unreadable_models.json"
FIXTURE = {16: "sandbox16", 17: "sandbox", 18: "sandbox18", 19: "sandbox19"}
UNREADABLE = [
    (version, model, text)
    for version in (16, 17, 18, 19)
    for model, text in RECORDED[f"ODOO{version}"].items()
]
UNREADABLE_IDS = [f"{version}-{model}" for version, model, _text in UNREADABLE]
COUNT_WORKS = {"hr.employee.skill.history.report"}  # SELECT COUNT(*) needs no id column


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared (the recordings' source) not beside it")
def test_the_sandbox_copy_equals_the_shared_recording() -> None:
    assert RECORDING.read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize(("version", "model", "text"), UNREADABLE, ids=UNREADABLE_IDS)
def test_unreadable_models_are_listed_and_allowed(
    request, wire, version: int, model: str, text: str
) -> None:
    client = wire(request.getfixturevalue(FIXTURE[version]))
    rows = client.result(
        "ir.model", "search_read", [[["model", "=", model]]], {"fields": ["transient"]}
    )
    assert [row["transient"] for row in rows] == [False]
    if version < 18:
        assert client.result(model, "check_access_rights", ["read"], {"raise_exception": False})
    else:
        assert client.result(model, "has_access", [[], "read"]) is True
    assert isinstance(client.result(model, "fields_get", [], {"attributes": ["type"]}), dict)


@pytest.mark.parametrize(("version", "model", "text"), UNREADABLE, ids=UNREADABLE_IDS)
def test_unreadable_models_fail_over_jsonrpc_with_the_recorded_error(
    request, wire, version: int, model: str, text: str
) -> None:
    client = wire(request.getfixturevalue(FIXTURE[version]))
    name, _, message = text.partition(": ")
    calls = [
        ("search_read", [[]], {"fields": ["id"] if model != "publisher_warranty.contract" else []})
    ]
    calls += [("search", [[]], {"limit": 1})]
    if model not in COUNT_WORKS:
        calls.append(("search_count", [[]], {}))
    for method, args, kwargs in calls:
        error = client.execute_kw(model, method, args, kwargs)["error"]
        assert (error["data"]["name"], error["data"]["message"]) == (name, message), method
        assert error["code"] == (200 if version < 19 else 0)


def test_unreadable_errors_over_xmlrpc(sandbox18, sandbox19, wire) -> None:
    client = wire(sandbox19)
    proxy = client.xmlrpc("object")

    def search_count(model: str) -> xmlrpc.client.Fault:
        return _fault(
            lambda: proxy.execute_kw(
                client.db, client.uid, client.password, model, "search_count", [[]]
            )
        )

    root = search_count("account.root")
    assert (root.faultCode, root.faultString) == (
        2,
        "Filter on the Account or its Display Name instead",
    )
    table = search_count("publisher_warranty.contract")
    assert table.faultCode == 1
    # faultString: the traceback cut to its last line, here the cut caret line of PostgreSQL's
    last_line = RECORDED["ODOO19"]["publisher_warranty.contract"].rstrip("\n").rsplit("\n", 1)[-1]
    assert table.faultString == TRACEBACK + last_line
    client18 = wire(sandbox18)
    proxy18 = client18.xmlrpc("object")
    fault = _fault(
        lambda: proxy18.execute_kw(
            client18.db, client18.uid, client18.password, "account.code.mapping", "search", [[]]
        )
    )
    assert (fault.faultCode, fault.faultString) == (1, TRACEBACK + "NotImplementedError")


def test_unreadable_errors_over_json2(sandbox19, wire) -> None:
    client = wire(sandbox19)
    mapping = client.json2("account.code.mapping", "search_read", {"domain": []})
    assert mapping.status_code == 422
    assert mapping.json()["name"] == "odoo.exceptions.UserError"
    alarm = client.json2("calendar.alarm_manager", "search_count", {"domain": []})
    assert alarm.status_code == 500
    assert alarm.json()["name"] == "psycopg2.errors.UndefinedTable"


def test_which_calls_fail_on_unreadable_models(sandbox19, wire) -> None:
    client = wire(sandbox19)
    # a model without a table: reading ids fails, reading no ids does not query
    assert client.execute_kw("res.users.apikeys.show", "read", [[1], ["key"]])["error"]
    assert client.result("res.users.apikeys.show", "read", [[], ["key"]]) == []
    # a refusing _search: searches fail, reading ids is no search
    assert client.execute_kw("account.root", "name_search", ["40"])["error"]
    assert client.result("account.root", "read", [[1], ["name"]]) == []
    # the report view without an id column: COUNT(*) works, selecting ids fails
    assert client.result("hr.employee.skill.history.report", "search_count", [[]]) == 0
    body = client.execute_kw("hr.employee.skill.history.report", "read", [[1]])
    assert body["error"]["data"]["name"] == "psycopg2.errors.UndefinedColumn"


def test_odoo19_marks_abstract_models_abstract(sandbox19, wire) -> None:
    rows = wire(sandbox19).result(
        "ir.model",
        "search_read",
        [[["model", "in", list(RECORDED["ODOO19"])]]],
        {"fields": ["model", "abstract"]},
    )
    abstract = {row["model"] for row in rows if row["abstract"]}
    assert abstract == {
        "publisher_warranty.contract",
        "res.users.apikeys.show",
        "calendar.alarm_manager",
        "hr.employee.skill.history.report",
    }
    assert {row["model"] for row in rows} == set(RECORDED["ODOO19"])


def test_unreadable_models_follow_their_access_rows(sandbox, sandbox18, wire) -> None:
    demo = wire(sandbox, user="demo")
    assert demo.result("res.users.apikeys.show", "check_access_rights", ["read"]) is True
    denied = demo.execute_kw("publisher_warranty.contract", "search_count", [[]])["error"]
    assert denied["data"]["name"] == "odoo.exceptions.AccessError"
    assert wire(sandbox18, user="demo").result("account.root", "has_access", [[], "read"]) is False
    admin = wire(sandbox18)
    assert admin.result("account.root", "has_access", [[], "write"]) is False
    assert admin.result("account.code.mapping", "has_access", [[], "write"]) is True
