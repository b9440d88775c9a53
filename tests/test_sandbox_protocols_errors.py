"""Error shapes of each protocol, checked against bodies recorded from real Odoo 17 and 19.

The expected values are copied from ../shared/odoo17/{jsonrpc_errors,xmlrpc_faults}.json and
../shared/odoo19/{10_json2_errors,11_legacy_rpc}.json.
"""

from __future__ import annotations

import pytest

from odoo_sandbox.exceptions import (
    ACCESS_DENIED,
    ACCESS_ERROR,
    MISSING_ERROR,
    USER_ERROR,
    VALIDATION_ERROR,
    VALUE_ERROR,
    OdooServerException,
)
from odoo_sandbox.protocols import errors

MISSING = "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)"
ACCESS = (
    "You are not allowed to access 'Journal Entry' (account.move) records.\n\nThis operation is "
    "allowed for the following groups:\n\t- Invoicing/Billing\n\nContact your administrator to "
    "request access if necessary."
)
TRACEBACK = "Traceback (most recent call last):\n  ...\n"


def test_jsonrpc_access_denied_17() -> None:
    error = OdooServerException(ACCESS_DENIED, "Access Denied")
    assert errors.jsonrpc_error(error, 17) == {
        "code": 200,
        "message": "Odoo Server Error",
        "data": {
            "name": "odoo.exceptions.AccessDenied",
            "message": "Access Denied",
            "arguments": ["Access Denied"],
            "context": {},
            "debug": TRACEBACK + "odoo.exceptions.AccessDenied: Access Denied",
        },
    }


def test_jsonrpc_debug_keeps_the_last_line_of_a_multiline_message() -> None:
    data = errors.jsonrpc_error(OdooServerException(MISSING_ERROR, MISSING), 17)["data"]
    assert data["debug"] == TRACEBACK + "(Record: res.partner(999999,), User: 2)"
    access = errors.jsonrpc_error(OdooServerException(ACCESS_ERROR, ACCESS), 17)["data"]
    assert (
        access["debug"] == TRACEBACK + "Contact your administrator to request access if necessary."
    )


def test_jsonrpc_builtins_print_without_module_and_trailing_newline() -> None:
    message = (
        'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "no_such_db" '
        "does not exist\n"
    )
    data = errors.jsonrpc_error(OdooServerException("psycopg2.OperationalError", message), 17)
    assert data["data"]["debug"] == TRACEBACK + "psycopg2.OperationalError: " + message[:-1]
    invalid = OdooServerException(VALUE_ERROR, "Invalid leaf ('name', 'bogus_op', 'x')")
    debug = errors.jsonrpc_error(invalid, 17)["data"]["debug"]
    assert debug == TRACEBACK + "ValueError: Invalid leaf ('name', 'bogus_op', 'x')"


def test_jsonrpc_session_expired_and_odoo19_code() -> None:
    expired = OdooServerException("odoo.http.SessionExpiredException", "Session expired")
    shaped = errors.jsonrpc_error(expired, 17)
    assert (shaped["code"], shaped["message"]) == (100, "Odoo Session Expired")
    odoo19 = errors.jsonrpc_error(OdooServerException(ACCESS_ERROR, ACCESS), 19)
    assert odoo19["code"] == 0
    assert odoo19["data"]["debug"] == (
        "odoo.exceptions.AccessError: You are not allowed to access 'Journal Entry' "
        "(account.move) records."
    )


@pytest.mark.parametrize(
    ("name", "message", "code", "fault_string"),
    [
        (ACCESS_DENIED, "Access Denied", 3, "Access Denied"),
        (ACCESS_ERROR, ACCESS, 4, ACCESS),
        (MISSING_ERROR, MISSING, 2, MISSING),
        (VALIDATION_ERROR, "You cannot create recursive Partner hierarchies.", 2, None),
        (USER_ERROR, "Object no.such.model doesn't exist", 2, None),
        (
            VALUE_ERROR,
            "Wrong value for account.move.move_type: 'bogus_type'",
            1,
            TRACEBACK + "ValueError: Wrong value for account.move.move_type: 'bogus_type'",
        ),
    ],
)
def test_xmlrpc_fault_codes(name: str, message: str, code: int, fault_string: str | None) -> None:
    fault = errors.xmlrpc_fault(OdooServerException(name, message), 17, legacy=False)
    assert fault.faultCode == code
    assert fault.faultString == (fault_string or message)


def test_legacy_xmlrpc_string_fault_codes() -> None:
    denied = errors.xmlrpc_fault(OdooServerException(ACCESS_DENIED, "Access Denied"), 17, True)
    assert (denied.faultCode, denied.faultString) == ("AccessDenied", "Access Denied")
    access = errors.xmlrpc_fault(OdooServerException(ACCESS_ERROR, ACCESS), 17, True)
    assert (access.faultCode, access.faultString) == ("warning -- AccessError\n\n" + ACCESS, "")
    missing = errors.xmlrpc_fault(OdooServerException(MISSING_ERROR, MISSING), 17, True)
    assert (missing.faultCode, missing.faultString) == ("warning -- MissingError\n\n" + MISSING, "")


@pytest.mark.parametrize(
    ("name", "message", "status", "arguments", "debug"),
    [
        (
            "werkzeug.exceptions.Unauthorized",
            "Invalid apikey",
            401,
            ["Invalid apikey", 401],
            "werkzeug.exceptions.Unauthorized: 401 Unauthorized: Invalid apikey",
        ),
        (
            "werkzeug.exceptions.NotFound",
            "the model 'no.such.model' does not exist",
            404,
            ["the model 'no.such.model' does not exist", 404],
            "werkzeug.exceptions.NotFound: 404 Not Found: the model 'no.such.model' does not exist",
        ),
        (
            "werkzeug.exceptions.UnprocessableEntity",
            "missing a required argument: 'vals'",
            422,
            ["missing a required argument: 'vals'", 422],
            "werkzeug.exceptions.UnprocessableEntity: 422 Unprocessable Entity: missing a "
            "required argument: 'vals'",
        ),
        (
            MISSING_ERROR,
            MISSING,
            404,
            [MISSING],
            "odoo.exceptions.MissingError: Record does not exist or has been deleted.",
        ),
        (
            VALIDATION_ERROR,
            "You cannot create recursive Partner hierarchies.",
            422,
            ["You cannot create recursive Partner hierarchies."],
            "odoo.exceptions.ValidationError: You cannot create recursive Partner hierarchies.",
        ),
        (
            "builtins.TypeError",
            "Domain() invalid argument type for domain: 'name = x'",
            500,
            ["Domain() invalid argument type for domain: 'name = x'"],
            "TypeError: Domain() invalid argument type for domain: 'name = x'",
        ),
    ],
)
def test_json2_error_bodies(
    name: str, message: str, status: int, arguments: list, debug: str
) -> None:
    assert errors.json2_error(OdooServerException(name, message), 19) == (
        status,
        {"name": name, "message": message, "arguments": arguments, "context": {}, "debug": debug},
    )


def test_our_own_python_errors_become_builtins_server_errors() -> None:
    shaped = errors.as_odoo_exception(KeyError("partner_id"))
    assert (shaped.name, shaped.message) == ("builtins.KeyError", "'partner_id'")
    assert errors.json2_error(shaped, 19)[0] == 500
    assert errors.xmlrpc_fault(shaped, 17, legacy=False).faultCode == 1
