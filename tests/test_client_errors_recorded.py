"""Error mapping checked against the answers recorded from real Odoo 17 and 19 servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_client import errors
from odoo_client.error_mapping import CallSite, map_odoo_error, map_xmlrpc_fault

SHARED = Path(__file__).resolve().parent / "recordings"
ODOO17 = SHARED / "odoo17"
ODOO19 = SHARED / "odoo19"


def _load(path: Path) -> object:
    return json.loads(path.read_text())


def _site(request_args: list | None) -> CallSite:
    model = method = None
    if request_args and len(request_args) > 4:
        model, method = request_args[3], request_args[4]
    return CallSite("http://odoo:8069", "admin", "odoo17", model, method)


JSONRPC_EXPECTED = {
    "access_error_create_res_partner": errors.AccessDeniedError,
    "access_error_read_account_move": errors.AccessDeniedError,
    "authenticate_unknown_db": errors.DatabaseNotFoundError,
    "bad_domain_operator": errors.ValidationError,
    "execute_kw_unknown_uid": errors.MissingRecordError,
    "execute_kw_wrong_password": errors.AuthenticationError,
    "invalid_selection_move_type": errors.ValidationError,
    "missing_error_write_999999": errors.MissingRecordError,
    "nonexistent_field_in_domain": errors.UnknownFieldError,
    "nonexistent_field_in_fields": errors.UnknownFieldError,
    "nonexistent_method": errors.UnknownMethodError,
    "nonexistent_model": errors.UnknownModelError,
    "private_method": errors.AccessDeniedError,
    "unlink_999999": errors.MissingRecordError,
    "user_error_unlink_admin_user": errors.ValidationError,
    "validation_error_recursive_partner": errors.ValidationError,
    "web_session_authenticate_wrong_password": errors.AuthenticationError,
    "wrong_arg_type": errors.ServerError,
}


@pytest.mark.parametrize("case", sorted(JSONRPC_EXPECTED))
def test_recorded_jsonrpc_errors_map_to_their_class(case: str) -> None:
    recorded = _load(ODOO17 / "jsonrpc_errors.json")["cases"][case]  # type: ignore[index]
    data = recorded["response"]["error"]["data"]
    error = map_odoo_error(
        data["name"], data["message"], _site(recorded["request"]["params"].get("args"))
    )
    assert type(error) is JSONRPC_EXPECTED[case]
    assert error.odoo_name == data["name"]
    assert error.odoo_message == data["message"]
    if isinstance(error, errors.DatabaseNotFoundError):
        assert "'no_such_db' does not exist" in str(error)
    else:
        assert data["message"].split("\n")[0].strip() in str(error)


def test_recorded_details_are_kept() -> None:
    cases = _load(ODOO17 / "jsonrpc_errors.json")["cases"]  # type: ignore[index]

    def mapped(case: str) -> errors.OdooError:
        data = cases[case]["response"]["error"]["data"]
        return map_odoo_error(
            data["name"], data["message"], _site(cases[case]["request"]["params"]["args"])
        )

    field_error = mapped("nonexistent_field_in_fields")
    assert (field_error.field, field_error.model) == ("no_such_field", "res.partner")
    assert "Studio" in str(field_error)
    assert mapped("nonexistent_field_in_domain").field == "no_such_field"
    assert mapped("nonexistent_model").model == "no.such.model"
    access = mapped("access_error_create_res_partner")
    assert (access.operation, access.model) == ("create", "res.partner")
    assert mapped("access_error_read_account_move").operation == "read"
    database = mapped("authenticate_unknown_db")
    assert database.database == "no_such_db"


XMLRPC_EXPECTED = {
    "access_error_create_res_partner": errors.AccessDeniedError,
    "access_error_read_account_move": errors.AccessDeniedError,
    "execute_kw_wrong_password": errors.AuthenticationError,
    "invalid_selection_move_type": errors.ValidationError,
    "legacy_endpoint_access_error": errors.AccessDeniedError,
    "legacy_endpoint_missing_error_write": errors.MissingRecordError,
    "legacy_endpoint_wrong_password": errors.AuthenticationError,
    "missing_error_write_999999": errors.MissingRecordError,
    "nonexistent_field_in_domain": errors.UnknownFieldError,
    "nonexistent_model": errors.UnknownModelError,
    "user_error_unlink_admin_user": errors.ValidationError,
    "validation_error_recursive_partner": errors.ValidationError,
}
XMLRPC_METHODS = {"invalid_selection_move_type": ("account.move", "create")}


@pytest.mark.parametrize("case", sorted(XMLRPC_EXPECTED))
def test_recorded_xmlrpc_faults_map_to_their_class(case: str) -> None:
    fault = _load(ODOO17 / "xmlrpc_faults.json")["faults"][case]  # type: ignore[index]
    model, method = XMLRPC_METHODS.get(case, ("res.partner", "write"))
    site = CallSite("http://odoo:8069", "admin", "odoo17", model, method)
    error = map_xmlrpc_fault(fault["faultCode"], fault["faultString"], site)
    assert type(error) is XMLRPC_EXPECTED[case]


def test_xmlrpc_fault_code_1_recovers_the_exception_line() -> None:
    fault = _load(ODOO17 / "xmlrpc_faults.json")["faults"]["invalid_selection_move_type"]  # type: ignore[index]
    site = CallSite("http://odoo:8069", "admin", "odoo17", "account.move", "create")
    error = map_xmlrpc_fault(fault["faultCode"], fault["faultString"], site)
    assert error.odoo_name == "builtins.ValueError"
    assert error.odoo_message == "Wrong value for account.move.move_type: 'bogus_type'"


JSON2_EXPECTED = {
    "wrong_api_key": errors.AuthenticationError,
    "missing_authorization": errors.AuthenticationError,
    "password_as_bearer_token": errors.AuthenticationError,
    "unknown_model": errors.UnknownModelError,
    "unknown_method": errors.UnknownMethodError,
    "private_method": errors.AccessDeniedError,
    "unknown_field_in_fields": errors.UnknownFieldError,
    "unknown_field_in_read": errors.UnknownFieldError,
    "bad_domain_unknown_field": errors.UnknownFieldError,
    "bad_domain_malformed": errors.ValidationError,
    "bad_domain_bad_operator": errors.ValidationError,
    "bad_domain_not_a_list": errors.ValidationError,
    "access_error_basic_user_search_read_account_move": errors.AccessDeniedError,
    "validation_error_partner_own_parent": errors.ValidationError,
    "missing_required_field_create": errors.ValidationError,
    "missing_record_write": errors.MissingRecordError,
    "unexpected_keyword_argument_strict_signature": errors.ValidationError,
    "usererror_post_already_posted_move": errors.ValidationError,
    "no_method_in_path": errors.UnknownMethodError,
}


@pytest.mark.parametrize("case", sorted(JSON2_EXPECTED))
def test_recorded_json2_errors_map_to_their_class(case: str) -> None:
    recorded = {entry["case"]: entry for entry in _load(ODOO19 / "10_json2_errors.json")}[case]  # type: ignore[union-attr]
    url = recorded["request"]["url"]
    model, _, method = url.split("/json/2/", 1)[1].partition("/")
    body = recorded["response"]["body"]
    site = CallSite("http://odoo:8070", "admin", "odoo19", model, method or None)
    error = map_odoo_error(
        body["name"], body["message"], site, status=recorded["response"]["status"]
    )
    assert type(error) is JSON2_EXPECTED[case]
    assert error.odoo_message == body["message"]


def test_json2_bad_key_says_to_rotate_it() -> None:
    site = CallSite("http://odoo:8070", "admin", "odoo19", "res.users", "context_get")
    error = map_odoo_error("werkzeug.exceptions.Unauthorized", "Invalid apikey", site, status=401)
    assert isinstance(error, errors.AuthenticationError)
    assert "3 months" in str(error)
    assert "New API Key" in str(error)


def test_concurrent_update_is_retryable_even_for_writes() -> None:
    site = CallSite("http://odoo:8069", "admin", "odoo17", "res.partner", "write")
    error = map_odoo_error(
        "psycopg2.errors.SerializationFailure",
        "could not serialize access due to concurrent update",
        site,
    )
    assert isinstance(error, errors.TransientError)
    assert error.may_have_run is False


def test_failing_computed_field_on_read_is_a_server_error_naming_the_field() -> None:
    site = CallSite("http://odoo:8069", "admin", "odoo17", "res.partner", "search_read")
    message = "Compute method failed to assign res.partner(7,).x_poison"
    error = map_odoo_error("builtins.ValueError", message, site)
    assert type(error) is errors.ServerError
    assert error.field == "x_poison"
    write_site = CallSite("http://odoo:8069", "admin", "odoo17", "res.partner", "write")
    assert (
        type(map_odoo_error("builtins.ValueError", message, write_site)) is errors.ValidationError
    )


def test_an_uninstalled_language_says_to_install_it_or_change_lang() -> None:
    recorded = _load(ODOO19 / "08_json2_context.json")["countries_lang_de_DE_not_installed"]  # type: ignore[index]
    body = recorded["response"]["body"]
    site = CallSite("http://odoo:8070", "admin", "odoo19", "res.country", "search_read")
    error = map_odoo_error(body["name"], body["message"], site, status=422)
    assert type(error) is errors.ValidationError
    assert str(error).startswith("Odoo rejected res.country.search_read: Invalid language code")
    assert "change lang" in str(error)
