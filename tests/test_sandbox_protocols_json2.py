"""Odoo 19: JSON-2, the version routes and the legacy protocols, against recorded Odoo 19 answers.

Expected values are copied from ../shared/odoo19/{00_versions,10_json2_errors,11_legacy_rpc}.json.
"""

from __future__ import annotations

import pytest

VERSION_19 = {
    "server_version": "19.0",
    "server_version_info": [19, 0, 0, "final", 0, ""],
    "server_serie": "19.0",
    "protocol_version": 1,
}
NOT_AUTHENTICATED = "User not authenticated, use an API Key with a Bearer Authorization header."
NO_DATABASE_PAGE = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is "
    "selected and the requested URL was not found in the server-wide controllers.</p>\n"
    "<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n"
    "<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)
UNSUPPORTED_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
    "[&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is "
    "type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try again."
    "</p>\n"
)
RAW_VERSION_19 = (
    '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n'
    "<name>server_version</name>\n<value><string>19.0</string></value>\n</member>\n<member>\n"
    "<name>server_version_info</name>\n<value><array><data>\n<value><int>19</int></value>\n"
    "<value><int>0</int></value>\n<value><int>0</int></value>\n"
    "<value><string>final</string></value>\n<value><int>0</int></value>\n"
    "<value><string></string></value>\n</data></array></value>\n</member>\n<member>\n"
    "<name>server_serie</name>\n<value><string>19.0</string></value>\n</member>\n<member>\n"
    "<name>protocol_version</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n"
    "</param>\n</params>\n\n</methodResponse>\n"
)


def werkzeug_body(kind: str, status: int, reason: str, message: str) -> dict:
    """A JSON-2 body for an HTTP error raised by Odoo's controller."""
    return {
        "name": f"werkzeug.exceptions.{kind}",
        "message": message,
        "arguments": [message, status],
        "context": {},
        "debug": f"werkzeug.exceptions.{kind}: {status} {reason}: {message}",
    }


def odoo_body(name: str, message: str) -> dict:
    """A JSON-2 body for an exception raised by the ORM."""
    short = name.removeprefix("builtins.")
    return {
        "name": name,
        "message": message,
        "arguments": [message],
        "context": {},
        "debug": f"{short}: {message.splitlines()[0]}",
    }


def test_search_read_answers_the_raw_result(sandbox19, wire) -> None:
    client = wire(sandbox19)
    answer = client.json2(
        "res.partner", "search_read", {"domain": [], "fields": ["name"], "limit": 3}
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    rows = answer.json()
    assert len(rows) == 3
    assert all(set(row) == {"id", "name"} for row in rows)
    assert client.json2("res.partner", "search_count", {"domain": []}).json() == len(
        client.json2("res.partner", "search", {"domain": []}).json()
    )


def test_database_header_is_optional_with_one_database(sandbox19, wire) -> None:
    client = wire(sandbox19)
    answer = client.http.post(
        f"{sandbox19.url}/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": f"bearer {client.api_key}"},
    )
    assert answer.status_code == 200
    assert isinstance(answer.json(), int)


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, NOT_AUTHENTICATED),
        ("Basic YWRtaW46YWRtaW4=", NOT_AUTHENTICATED),
        ("bearer not-a-key", "Invalid apikey"),
        ("bearer {password}", "Invalid apikey"),
    ],
)
def test_bad_keys_are_401(sandbox19, wire, authorization: str | None, message: str) -> None:
    client = wire(sandbox19)
    headers = {"X-Odoo-Database": client.db}
    if authorization:
        headers["Authorization"] = authorization.format(password=client.password)
    answer = client.http.post(
        f"{sandbox19.url}/json/2/res.partner/search_read", json={"domain": []}, headers=headers
    )
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer "
    assert answer.json() == werkzeug_body("Unauthorized", 401, "Unauthorized", message)


def test_unknown_database_header_is_the_html_404(sandbox19, wire) -> None:
    answer = wire(sandbox19).json2("res.partner", "search_read", {}, X_Odoo_Database="no_such_db")
    assert (answer.status_code, answer.text) == (404, NO_DATABASE_PAGE)
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


def test_route_errors(sandbox19, wire) -> None:
    client = wire(sandbox19)
    did_you_mean = werkzeug_body(
        "NotFound", 404, "Not Found", "Did you mean POST /json/2/<model>/<method>?"
    )
    get = client.http.get(f"{sandbox19.url}/json/2/res.partner/search_read")
    assert (get.status_code, get.json()) == (404, did_you_mean)
    no_method = client.http.post(
        f"{sandbox19.url}/json/2/res.partner",
        json={},
        headers={"Authorization": f"bearer {client.api_key}"},
    )
    assert (no_method.status_code, no_method.json()) == (404, did_you_mean)


def test_body_errors(sandbox19, wire) -> None:
    client = wire(sandbox19)
    headers = {"Authorization": f"bearer {client.api_key}", "Content-Type": "application/json"}
    url = f"{sandbox19.url}/json/2/res.partner/search_read"
    invalid = client.http.post(url, data=b'{"domain": [', headers=headers)
    assert invalid.status_code == 400
    assert invalid.json() == werkzeug_body(
        "BadRequest",
        400,
        "Bad Request",
        "could not parse the body as json: Expecting value: line 1 column 13 (char 12)",
    )
    text = client.http.post(
        url, data=b'{"domain": []}', headers={**headers, "Content-Type": "text/plain"}
    )
    assert (text.status_code, text.text) == (415, UNSUPPORTED_PAGE)


def test_model_and_method_errors(sandbox19, wire) -> None:
    client = wire(sandbox19)
    unknown_model = client.json2("no.such.model", "search_read", {"domain": [], "limit": 1})
    assert (unknown_model.status_code, unknown_model.json()) == (
        404,
        werkzeug_body("NotFound", 404, "Not Found", "the model 'no.such.model' does not exist"),
    )
    unknown_method = client.json2("res.partner", "no_such_method", {})
    assert (unknown_method.status_code, unknown_method.json()) == (
        404,
        werkzeug_body(
            "NotFound", 404, "Not Found", "The method 'res.partner.no_such_method' does not exist"
        ),
    )
    private = client.json2("res.partner", "_search", {"domain": []})
    assert (private.status_code, private.json()) == (
        403,
        odoo_body(
            "odoo.exceptions.AccessError",
            "Private methods (such as 'res.partner._search') cannot be called remotely.",
        ),
    )


@pytest.mark.parametrize(
    ("method", "body", "status", "name", "message"),
    [
        (
            "search_read",
            {"domain": [], "fields": ["name", "no_such_field"], "limit": 1},
            500,
            "builtins.ValueError",
            "Invalid field 'no_such_field' on 'res.partner'",
        ),
        (
            "search_read",
            {"domain": [["no_such_field", "=", 1]], "fields": ["name"]},
            500,
            "builtins.ValueError",
            "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)",
        ),
        (
            "search_read",
            {"domain": [["name", "~~", "x"]], "fields": ["name"]},
            500,
            "builtins.ValueError",
            "Invalid operator in condition ('name', '~~', 'x')",
        ),
        (
            "search_count",
            {"domain": "name = x"},
            500,
            "builtins.TypeError",
            "Domain() invalid argument type for domain: 'name = x'",
        ),
        (
            "write",
            {"ids": [99999999], "vals": {"name": "x"}},
            404,
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.\n"
            "(Record: res.partner(99999999,), User: {uid})",
        ),
    ],
)
def test_orm_errors_have_their_statuses(
    sandbox19, wire, method: str, body: dict, status: int, name: str, message: str
) -> None:
    client = wire(sandbox19)
    answer = client.json2("res.partner", method, body)
    assert answer.status_code == status
    assert answer.json() == odoo_body(name, message.format(uid=client.uid))


def test_access_error_is_403(sandbox19, wire) -> None:
    demo = wire(sandbox19, "demo")
    answer = demo.json2(
        "account.move", "search_read", {"domain": [], "fields": ["name"], "limit": 3}
    )
    assert answer.status_code == 403
    assert answer.json()["name"] == "odoo.exceptions.AccessError"
    assert answer.json()["debug"] == (
        "odoo.exceptions.AccessError: You are not allowed to access 'Journal Entry' "
        "(account.move) records."
    )


def test_version_routes(sandbox19, wire) -> None:
    client = wire(sandbox19)
    expected = {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
    for path in ("/web/version", "/json/version"):
        answer = client.http.get(sandbox19.url + path)
        assert (answer.status_code, answer.json()) == (200, expected)
    assert client.post_json("/web/webclient/version_info", {}).json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": VERSION_19,
    }


def test_legacy_protocols_still_work_on_19(sandbox19, wire) -> None:
    client = wire(sandbox19)
    raw = client.http.post(
        sandbox19.url + "/xmlrpc/2/common",
        data="<?xml version='1.0'?>\n<methodCall>\n<methodName>version</methodName>\n<params>\n"
        "</params>\n</methodCall>\n",
        headers={"Content-Type": "text/xml"},
    )
    assert raw.text == RAW_VERSION_19
    assert (
        client.call("common", "login", client.db, "admin", client.password)["result"] == client.uid
    )
    demo = wire(sandbox19, "demo")
    error = demo.execute_kw("account.move", "search_read", [[]], {"fields": ["name"], "limit": 1})
    assert error["error"]["code"] == 0
    assert error["error"]["data"]["name"] == "odoo.exceptions.AccessError"


SESSION_INFO_19_KEYS = {
    "active_ids_limit", "bundle_params", "can_insert_in_spreadsheet", "currencies",
    "current_tour", "db", "groups", "home_action_id", "iap_company_enrich", "is_admin",
    "is_internal_user", "is_public", "is_system", "max_file_upload_size", "name",
    "partner_display_name", "partner_id", "partner_write_date", "profile_collectors",
    "profile_params", "profile_session", "quick_login", "registry_hash", "server_version",
    "server_version_info", "show_effect", "storeData", "support_url", "test_mode", "tour_enabled",
    "uid", "user_companies", "user_context", "user_settings", "username", "view_info",
    "web.base.url", "websocket_worker_version",
}  # fmt: skip


def test_web_session_on_19_has_the_recorded_keys(sandbox19, wire) -> None:
    client = wire(sandbox19)
    info = client.login_session()["result"]
    assert set(info) == SESSION_INFO_19_KEYS
    assert (info["uid"], info["db"], info["server_version"]) == (client.uid, "odoo19", "19.0")
    assert client.call_kw("res.partner", "search_count", [[]])["result"] == (
        client.json2("res.partner", "search_count", {"domain": []}).json()
    )


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        ("search_count", None, "missing a required argument: 'domain'"),
        ("search_count", {"args": [[]]}, "missing a required argument: 'domain'"),
        ("search_count", {"domain": [], "no_such_kwarg": 1},
         "got an unexpected keyword argument 'no_such_kwarg'"),
        ("write", {"ids": [1]}, "missing a required argument: 'vals'"),
        ("search_read", {"ids": [1], "domain": [], "limit": 1},
         "cannot call res.partner.search_read with ids"),
    ],
)  # fmt: skip
def test_signature_errors_are_422(
    sandbox19, wire, method: str, body: dict | None, message: str
) -> None:
    client = wire(sandbox19)
    if body is None:  # no body and no content type at all
        headers = {"Authorization": f"bearer {client.api_key}"}
        answer = client.http.post(f"{sandbox19.url}/json/2/res.partner/{method}", headers=headers)
    else:
        answer = client.json2("res.partner", method, body)
    assert answer.status_code == 422
    assert answer.json() == werkzeug_body(
        "UnprocessableEntity", 422, "Unprocessable Entity", message
    )
