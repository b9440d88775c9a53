"""XML-RPC, JSON-RPC and the web-session routes of the sandbox, against recorded Odoo 17 answers.

Expected values are copied from ../shared/odoo17/{cases,jsonrpc_errors,xmlrpc_faults,version}.json.
Driven with requests and xmlrpc.client only (not our odoo_client).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import xmlrpc.client
from email.utils import parsedate_to_datetime

import pytest
import requests

from odoo_sandbox.exceptions import OdooServerException
from odoo_sandbox.protocols.xmlrpc import dumps_result, plain

VERSION_17 = {
    "protocol_version": 1,
    "server_serie": "17.0",
    "server_version": "17.0",
    "server_version_info": [17, 0, 0, "final", 0, ""],
}
TRACEBACK = "Traceback (most recent call last):\n  ...\n"
SESSION_EXPIRED = {
    "error": {
        "code": 100,
        "data": {
            "arguments": ["Session expired"],
            "context": {},
            "debug": TRACEBACK + "odoo.http.SessionExpiredException: Session expired",
            "message": "Session expired",
            "name": "odoo.http.SessionExpiredException",
        },
        "message": "Odoo Session Expired",
    },
    "id": None,
    "jsonrpc": "2.0",
}
RAW_ACCESS_DENIED = (
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n"
    "<name>faultCode</name>\n<value><int>3</int></value>\n</member>\n<member>\n"
    "<name>faultString</name>\n<value><string>Access Denied</string></value>\n</member>\n"
    "</struct></value>\n</fault>\n</methodResponse>\n"
)
RAW_EMPTY_LIST = (
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"
    "<value><array><data>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n"
)


def error_data(name: str, message: str, last_line: str | None = None) -> dict:
    """A recorded JSON-RPC error `data` member."""
    short = name.removeprefix("builtins.")
    return {
        "name": name,
        "message": message,
        "arguments": [message],
        "context": {},
        "debug": TRACEBACK + (last_line or f"{short}: {message}"),
    }


# ---- XML-RPC --------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True])
def test_xmlrpc_version(sandbox, wire, legacy: bool) -> None:
    assert wire(sandbox).xmlrpc("common", legacy).version() == VERSION_17


def test_xmlrpc_authenticate_and_login(sandbox, wire) -> None:
    client = wire(sandbox)
    common = client.xmlrpc("common")
    assert common.authenticate(client.db, "admin", client.password, {}) == client.uid
    assert common.authenticate(client.db, "admin", client.api_key, {}) == client.uid
    assert common.authenticate(client.db, "admin", "WRONG", {}) is False
    assert common.login(client.db, "admin", "WRONG") is False


def test_xmlrpc_db_service(sandbox, wire) -> None:
    db = wire(sandbox).xmlrpc("db")
    assert db.list() == [sandbox.database]
    assert db.server_version() == "17.0"


def test_xmlrpc_execute_kw_reads(sandbox, wire) -> None:
    client = wire(sandbox)
    expected = client.result("res.partner", "search_read", [[]], {"fields": ["name"], "limit": 3})
    obj = client.xmlrpc("object")
    args = [[]]
    kwargs = {"fields": ["name"], "limit": 3}
    got = obj.execute_kw(
        client.db, client.uid, client.password, "res.partner", "search_read", args, kwargs
    )
    assert got == expected
    assert obj.execute(
        client.db, client.uid, client.password, "res.partner", "search_count", []
    ) == (client.result("res.partner", "search_count", [[]]))


def test_xmlrpc_wrong_password_raw_body(sandbox, wire) -> None:
    client = wire(sandbox)
    body = xmlrpc.client.dumps(
        (client.db, client.uid, "WRONG", "res.partner", "search_count", [[]]), "execute_kw"
    )
    answer = client.http.post(sandbox.url + "/xmlrpc/2/object", data=body)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert answer.text == RAW_ACCESS_DENIED


def test_xmlrpc_read_of_a_missing_id_is_an_empty_list(sandbox, wire) -> None:
    client = wire(sandbox)
    body = xmlrpc.client.dumps(
        (client.db, client.uid, client.password, "res.partner", "read", [[999999]]), "execute_kw"
    )
    assert client.http.post(sandbox.url + "/xmlrpc/2/object", data=body).text == RAW_EMPTY_LIST


@pytest.mark.parametrize(
    ("model", "method", "args", "code", "fault_string"),
    [
        ("no.such.model", "search_read", [[]], 2, "Object no.such.model doesn't exist"),
        (
            "res.partner",
            "write",
            [[999999], {"name": "x"}],
            2,
            "Record does not exist or has been deleted.\n"
            "(Record: res.partner(999999,), User: {uid})",
        ),
        (
            "res.partner",
            "search_count",
            [[["no_such_field", "=", 1]]],
            1,
            TRACEBACK + "ValueError: Invalid field res.partner.no_such_field in leaf "
            "('no_such_field', '=', 1)",
        ),
        (
            "account.move",
            "create",
            [{"move_type": "bogus_type"}],
            1,
            TRACEBACK + "ValueError: Wrong value for account.move.move_type: 'bogus_type'",
        ),
    ],
)
def test_xmlrpc_faults(sandbox, wire, model, method, args, code, fault_string) -> None:
    client = wire(sandbox)
    obj = client.xmlrpc("object")
    with pytest.raises(xmlrpc.client.Fault) as raised:
        obj.execute_kw(client.db, client.uid, client.password, model, method, args)
    assert raised.value.faultCode == code
    assert raised.value.faultString == fault_string.format(uid=client.uid)


def test_xmlrpc_access_error_as_the_restricted_user(sandbox, wire) -> None:
    demo = wire(sandbox, "demo")
    obj = demo.xmlrpc("object")
    with pytest.raises(xmlrpc.client.Fault) as raised:
        obj.execute_kw(demo.db, demo.uid, demo.password, "account.move", "search_read", [[]])
    assert raised.value.faultCode == 4
    assert raised.value.faultString.startswith(
        "You are not allowed to access 'Journal Entry' (account.move) records."
    )


def test_legacy_xmlrpc_string_fault_codes(sandbox, wire) -> None:
    client = wire(sandbox)
    obj = client.xmlrpc("object", legacy=True)
    with pytest.raises(xmlrpc.client.Fault) as denied:
        obj.execute(client.db, client.uid, "WRONG", "res.partner", "search_count", [])
    assert (denied.value.faultCode, denied.value.faultString) == ("AccessDenied", "Access Denied")
    with pytest.raises(xmlrpc.client.Fault) as missing:
        obj.execute(client.db, client.uid, client.password, "res.partner", "write", [999999], {})
    assert missing.value.faultCode == (
        "warning -- MissingError\n\nRecord does not exist or has been deleted.\n"
        f"(Record: res.partner(999999,), User: {client.uid})"
    )
    assert missing.value.faultString == ""


def test_xmlrpc_cannot_carry_big_ints_or_none() -> None:
    with pytest.raises(OdooServerException) as big:
        dumps_result({"id": 2**40}, 17)
    assert (big.value.name, big.value.message) == (
        "builtins.OverflowError",
        "int exceeds XML-RPC limits",
    )
    with pytest.raises(OdooServerException) as none:
        dumps_result([None], 17)
    assert none.value.message == "cannot marshal None unless allow_none is enabled"
    stamp = dumps_result([dt.datetime(2026, 11, 22, 6, 48, 51), dt.date(2026, 1, 2)], 17)
    assert xmlrpc.client.loads(stamp)[0] == (["2026-11-22 06:48:51", "2026-01-02"],)


def test_xmlrpc_big_int_read_is_an_overflow_fault(make_sandbox, wire) -> None:
    client = wire(make_sandbox())
    partner = client.result("res.partner", "create", [{"name": "Big Color", "color": 2**40}])
    obj = client.xmlrpc("object")
    with pytest.raises(xmlrpc.client.Fault) as raised:
        obj.execute_kw(client.db, client.uid, client.password, "res.partner", "read", [[partner]])
    assert raised.value.faultCode == 1
    assert raised.value.faultString == TRACEBACK + "OverflowError: int exceeds XML-RPC limits"


def test_xmlrpc_malformed_body_is_a_500_page(sandbox, wire) -> None:
    answer = wire(sandbox).http.post(sandbox.url + "/xmlrpc/2/object", data=b"<methodCall><oops")
    assert answer.status_code == 500
    assert "<title>500 Internal Server Error</title>" in answer.text


# ---- JSON-RPC /jsonrpc ----------------------------------------------------------------------


def test_jsonrpc_version_and_db_list(sandbox, wire) -> None:
    client = wire(sandbox)
    assert client.call("common", "version") == {"jsonrpc": "2.0", "id": 1, "result": VERSION_17}
    assert client.call("db", "list")["result"] == [sandbox.database]


def test_jsonrpc_echoes_the_request_id_in_results_and_errors(sandbox, wire) -> None:
    client = wire(sandbox)
    version = {"service": "common", "method": "version", "args": []}
    assert client.post_json("/jsonrpc", version, request_id=30).json()["id"] == 30
    bad = {"service": "object", "method": "execute_kw", "args": [client.db, client.uid, "W"]}
    assert client.post_json("/jsonrpc", bad, request_id="abc").json()["id"] == "abc"


def test_jsonrpc_wrong_password(sandbox, wire) -> None:
    client = wire(sandbox)
    assert client.call("common", "authenticate", client.db, "admin", "WRONG", {})["result"] is False
    assert client.call("common", "login", client.db, "admin", "WRONG")["result"] is False
    args = [client.db, client.uid, "WRONG", "res.partner", "search_count", [[]]]
    assert client.call("object", "execute_kw", *args) == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": error_data(
                "odoo.exceptions.AccessDenied",
                "Access Denied",
                "odoo.exceptions.AccessDenied: Access Denied",
            ),
        },
    }


def test_jsonrpc_unknown_database_and_uid(sandbox, wire) -> None:
    client = wire(sandbox)
    message = (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "no_such_db" '
        "does not exist\n"
    )
    error = client.call("common", "authenticate", "no_such_db", "admin", "admin", {})["error"]
    assert error["data"] == error_data("psycopg2.OperationalError", message, None) | {
        "debug": TRACEBACK + "psycopg2.OperationalError: " + message.rstrip("\n")
    }
    args = [client.db, 999, client.password, "res.partner", "search_count", [[]]]
    unknown_uid = client.call("object", "execute_kw", *args)["error"]["data"]
    missing = "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)"
    assert unknown_uid == error_data(
        "odoo.exceptions.MissingError", missing, "(Record: res.users(999,), User: 999)"
    )


RECORDED_ERRORS = [
    (
        "res.partner",
        "search_read",
        [[]],
        {"fields": ["no_such_field"], "limit": 1},
        "builtins.ValueError",
        "Invalid field 'no_such_field' on model 'res.partner'",
    ),
    (
        "res.partner",
        "search_read",
        [[["no_such_field", "=", 1]]],
        {"limit": 1},
        "builtins.ValueError",
        "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)",
    ),
    (
        "res.partner",
        "search_count",
        [[["name", "bogus_op", "x"]]],
        None,
        "builtins.ValueError",
        "Invalid leaf ('name', 'bogus_op', 'x')",
    ),
    (
        "res.partner",
        "no_such_method",
        [[]],
        None,
        "builtins.AttributeError",
        "The method 'no_such_method' does not exist on the model 'res.partner'",
    ),
    (
        "res.partner",
        "_compute_display_name",
        [[1]],
        None,
        "odoo.exceptions.AccessError",
        "Private methods (such as _compute_display_name) cannot be called remotely.",
    ),
    (
        "no.such.model",
        "search_read",
        [[]],
        {"limit": 1},
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    ),
    (
        "account.move",
        "create",
        [{"move_type": "bogus_type"}],
        None,
        "builtins.ValueError",
        "Wrong value for account.move.move_type: 'bogus_type'",
    ),
]


@pytest.mark.parametrize(
    ("model", "method", "args", "kwargs", "name", "message"),
    RECORDED_ERRORS,
    ids=[f"{case[0]}.{case[1]}" for case in RECORDED_ERRORS],
)
def test_jsonrpc_recorded_errors(sandbox, wire, model, method, args, kwargs, name, message) -> None:
    body = wire(sandbox).execute_kw(model, method, args, kwargs)
    assert set(body) == {"jsonrpc", "id", "error"}
    assert body["error"]["code"] == 200
    assert body["error"]["message"] == "Odoo Server Error"
    assert body["error"]["data"] == error_data(name, message)


def test_jsonrpc_missing_records(sandbox, wire) -> None:
    client = wire(sandbox)
    assert client.result("res.partner", "read", [[999999]], {"fields": ["name"]}) == []
    missing = (
        "Record does not exist or has been deleted.\n"
        f"(Record: res.partner(999999,), User: {client.uid})"
    )
    last_line = f"(Record: res.partner(999999,), User: {client.uid})"
    for method, args in (("write", [[999999], {"name": "x"}]), ("unlink", [[999999]])):
        data = client.execute_kw("res.partner", method, args)["error"]["data"]
        assert data == error_data("odoo.exceptions.MissingError", missing, last_line)


def test_jsonrpc_access_error_as_the_restricted_user(sandbox, wire) -> None:
    demo = wire(sandbox, "demo")
    error = demo.execute_kw("account.move", "search_read", [[]], {"fields": ["name"], "limit": 1})
    data = error["error"]["data"]
    assert data["name"] == "odoo.exceptions.AccessError"
    assert data["message"].startswith(
        "You are not allowed to access 'Journal Entry' (account.move) records.\n\n"
    )
    assert data["debug"] == TRACEBACK + "Contact your administrator to request access if necessary."


@pytest.mark.parametrize(
    "args",
    [
        ["odoo17"],
        ["{db}", "{uid}", "{password}", "res.partner"],
        ["{db}", "{uid}", "{password}", "res.partner", "search", 5],
        ["{db}", "{uid}", "{password}", "res.partner", "search", [[]], [1]],
    ],
)
def test_jsonrpc_wrong_arity_is_an_odoo_error_not_our_traceback(sandbox, wire, args) -> None:
    client = wire(sandbox)
    filled = [
        a.format(db=client.db, uid=client.uid, password=client.password)
        if isinstance(a, str)
        else a
        for a in args
    ]
    filled = [int(a) if isinstance(a, str) and a.isdigit() else a for a in filled]
    data = client.call("object", "execute_kw", *filled)["error"]["data"]
    assert data["name"] in ("builtins.TypeError", "builtins.IndexError")
    assert data["debug"].startswith(TRACEBACK)
    assert 'File "' not in data["debug"]


def test_jsonrpc_invalid_json_and_content_type(sandbox, wire) -> None:
    client = wire(sandbox)
    bad = client.http.post(
        sandbox.url + "/jsonrpc", data=b'{"jsonrpc": ', headers={"Content-Type": "application/json"}
    )
    assert (bad.status_code, bad.text) == (400, "Invalid JSON data")
    listed = client.http.post(sandbox.url + "/jsonrpc", json=[1, 2])
    assert (listed.status_code, listed.text) == (400, "Invalid JSON-RPC data")
    form = client.http.post(sandbox.url + "/jsonrpc", data=b"{}")
    assert form.status_code == 415
    assert "is type=&#39;json&#39;" in form.text


# ---- web session and version routes ----------------------------------------------------------


def test_web_session_flow(sandbox, wire) -> None:
    client = wire(sandbox)
    answer = client.post_json(
        "/web/session/authenticate",
        {"db": client.db, "login": "admin", "password": client.password},
    )
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("session_id=")
    assert cookie.endswith("; Max-Age=604800; HttpOnly; Path=/")
    info = answer.json()["result"]
    assert set(info) == {
        "db",
        "is_admin",
        "server_version",
        "server_version_info",
        "uid",
        "user_companies",
        "user_context",
        "username",
    }
    assert (info["db"], info["uid"], info["username"], info["is_admin"]) == (
        sandbox.database,
        client.uid,
        "admin",
        True,
    )
    assert set(info["user_companies"]) == {
        "allowed_companies",
        "current_company",
        "disallowed_ancestor_companies",
    }
    assert set(info["user_context"]) == {"lang", "tz", "uid"}
    count = client.result("res.partner", "search_count", [[]])
    assert client.call_kw("res.partner", "search_count", [[]]) == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": count,
    }


def test_call_kw_without_a_session(sandbox, wire) -> None:
    assert wire(sandbox).call_kw("res.partner", "search_count", [[]]) == SESSION_EXPIRED


def test_web_session_wrong_password_and_database(sandbox, wire) -> None:
    client = wire(sandbox)
    wrong = client.post_json(
        "/web/session/authenticate", {"db": client.db, "login": "admin", "password": "WRONG"}, 99
    ).json()
    assert wrong == {
        "jsonrpc": "2.0",
        "id": 99,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": error_data(
                "odoo.exceptions.AccessDenied",
                "Access Denied",
                "odoo.exceptions.AccessDenied: Access Denied",
            ),
        },
    }
    assert "session_id" not in client.http.cookies
    other = client.post_json(
        "/web/session/authenticate", {"db": "nope", "login": "admin", "password": "x"}
    ).json()
    assert other["error"]["data"]["message"] == "Database not found."


def test_webclient_version_info_and_database_list(sandbox, wire) -> None:
    client = wire(sandbox)
    assert client.post_json("/web/webclient/version_info", {}).json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": VERSION_17,
    }
    assert client.post_json("/web/database/list", {}).json()["result"] == [sandbox.database]


@pytest.mark.parametrize(
    "path", ["/nope", "/json/2/res.partner/search_read", "/web/version", "/xmlrpc/2/object"]
)
def test_unknown_routes_are_404_pages(sandbox, wire, path: str) -> None:
    answer = wire(sandbox).http.get(sandbox.url + path)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>404 Not Found</title>" in answer.text


# ---- HTTP behaviour -----------------------------------------------------------------------------


def test_headers_follow_the_engine_clock(sandbox, wire) -> None:
    answer = wire(sandbox).post_json("/web/webclient/version_info", {})
    assert answer.headers["Server"].startswith("Werkzeug/")
    served = parsedate_to_datetime(answer.headers["Date"])
    now = sandbox.engine.now()
    now = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    assert abs((served - now).total_seconds()) <= 2


def test_keep_alive_serves_many_requests_on_one_connection(sandbox) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
    try:
        for _ in range(3):
            connection.request(
                "POST", "/web/webclient/version_info", body, {"Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            assert json.loads(answer.read())["result"] == VERSION_17
            assert not answer.will_close
    finally:
        connection.close()


def test_chunked_request_bodies_are_read(sandbox, wire) -> None:
    client = wire(sandbox)

    def chunks():
        yield b'{"jsonrpc": "2.0", "method": "call", '
        yield b'"params": {"service": "db", "method": "list", "args": []}, "id": 3}'

    answer = client.http.post(
        sandbox.url + "/jsonrpc", data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.json() == {"jsonrpc": "2.0", "id": 3, "result": [sandbox.database]}
    assert client.call("db", "list")["result"] == [sandbox.database]  # connection still in sync


def test_unreadable_content_length_is_a_400_page(sandbox) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        connection.putrequest("POST", "/jsonrpc")
        connection.putheader("Content-Length", "twelve")
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 400
        assert b"<title>400 Bad Request</title>" in answer.read()
    finally:
        connection.close()


def test_stop_closes_kept_alive_connections(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    client = wire(fresh)
    assert client.call("db", "list")["result"] == [fresh.database]
    fresh.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.call("db", "list")


@pytest.mark.parametrize(
    ("domain", "name", "message"),
    [
        ("name = x", "builtins.IndexError", "string index out of range"),  # recorded
        ([["name", "~~", "x"]], "builtins.ValueError", "Invalid leaf ('name', '~~', 'x')"),
        (["|", ["name", "=", "x"]], None, None),
        ([["name"]], None, None),
        (5, None, None),
    ],
)  # fmt: skip
def test_malformed_domains_are_odoo_errors(sandbox, wire, domain, name, message) -> None:
    data = wire(sandbox).execute_kw("res.partner", "search_count", [domain])["error"]["data"]
    assert data["name"].startswith("builtins.")
    assert data["debug"] == TRACEBACK + f"{data['name'][len('builtins.') :]}: {data['message']}"
    if name:
        assert (data["name"], data["message"]) == (name, message)


def test_unexpected_errors_of_ours_still_answer_like_odoo(make_sandbox, wire, caplog) -> None:
    fresh = make_sandbox(odoo_version=19)
    client = wire(fresh)

    def broken(*_args: object) -> None:
        raise RuntimeError("sandbox bug")

    fresh.engine.execute = broken
    fresh.engine.execute_named = broken
    data = client.execute_kw("res.partner", "search_count", [[]])["error"]["data"]
    assert (data["name"], data["message"]) == ("builtins.RuntimeError", "sandbox bug")
    assert data["debug"] == "RuntimeError: sandbox bug"  # Odoo 19 cut, no traceback of ours
    with pytest.raises(xmlrpc.client.Fault) as fault:
        client.xmlrpc("object").execute_kw(
            client.db, client.uid, client.password, "res.partner", "search_count", [[]]
        )
    assert fault.value.faultCode == 1
    assert fault.value.faultString == TRACEBACK + "RuntimeError: sandbox bug"
    answer = client.json2("res.partner", "search_count", {"domain": []})
    assert (answer.status_code, answer.json()["name"]) == (500, "builtins.RuntimeError")
    assert "sandbox bug" in caplog.text  # the real traceback goes to the log


def test_a_crash_in_routing_is_a_500_page_not_a_hang(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    client = wire(fresh)

    def crash(_request: object) -> None:
        raise RuntimeError("router bug")

    fresh._router.prepare = crash
    answer = client.post_json("/jsonrpc", {"service": "db", "method": "list", "args": []})
    assert answer.status_code == 500
    assert "<title>500 Internal Server Error</title>" in answer.text


def test_xmlrpc_binary_and_datetime_arguments_arrive_as_odoo_strings() -> None:
    sent = [xmlrpc.client.Binary(b"\x89PNG"), xmlrpc.client.DateTime("20261122T06:48:51")]
    assert plain({"image_1920": sent[0], "when": [sent[1]]}) == {
        "image_1920": "iVBORw==",
        "when": ["2026-11-22 06:48:51"],
    }


def test_session_info_and_logout(sandbox, wire) -> None:
    client = wire(sandbox)
    client.login_session()
    info = client.post_json("/web/session/get_session_info", {}).json()["result"]
    assert (info["uid"], info["username"]) == (client.uid, "admin")
    assert client.post_json("/web/session/destroy", {}).json()["result"] is None
    assert client.call_kw("res.partner", "search_count", [[]]) == SESSION_EXPIRED


def test_parallel_clients_are_all_served_and_counted(sandbox, wire) -> None:
    clients = [wire(sandbox) for _ in range(8)]
    expected = clients[0].result("res.partner", "search_count", [[]])
    sandbox.stats.reset()
    answers: list[int] = []

    def work(client) -> None:
        answers.extend(client.result("res.partner", "search_count", [[]]) for _ in range(20))

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [expected] * 160
    assert sandbox.stats.calls == {("res.partner", "search_count"): 160}
    assert sandbox.stats.requests == 160
