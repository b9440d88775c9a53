"""What the sandbox answers differently per Odoo version (16 to 19), as real databases do.

Expected texts come from ../shared/unreadable_models.json (recorded from real Odoo 16 to 19) and,
where no recording holds the answer, from Odoo's source (see odoo_sandbox/versions.py).
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest

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
