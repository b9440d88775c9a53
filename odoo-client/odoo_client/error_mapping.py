"""Turn Odoo's error answers (any protocol) into the client's exception classes.

Every protocol reduces an error to Odoo's dotted exception name and its message (plus the HTTP
status on JSON-2); `map_odoo_error` decides the class and writes what the user must do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from odoo_client import errors
from odoo_client.methods import is_read_only

SESSION_EXPIRED = "odoo.http.SessionExpiredException"
_RETRYABLE_NAMES = ("SerializationFailure", "TransactionRollbackError", "LockNotAvailable")
_RETRYABLE_TEXT = ("could not serialize access", "concurrent update", "deadlock detected")
_VALIDATION_NAMES = (
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.RedirectWarning",
    "werkzeug.exceptions.UnprocessableEntity",
    "werkzeug.exceptions.BadRequest",
)
# Bad values a write sends; on a read the same names mean the server itself failed
# (e.g. a computed field that raises), which callers isolate as ServerError.
_WRITE_VALUE_NAMES = ("builtins.ValueError", "psycopg2.")
_FAILED_FIELD = re.compile(r"\(\d*,?\)\.(?P<field>\w+)")
_UNKNOWN_MODEL = (
    re.compile(r"Object (?P<model>\S+) doesn't exist"),
    re.compile(r"the model '(?P<model>[^']+)' does not exist", re.IGNORECASE),
)
_UNKNOWN_METHOD = re.compile(r"The method '(?P<method>[^']+)' does not exist")
_UNKNOWN_FIELD = (
    re.compile(r"Invalid field '(?P<field>[^']+)' on (?:model )?'(?P<model>[^']+)'"),
    re.compile(r"Invalid field (?P<model>[\w.]+)\.(?P<field>\w+) in "),
    re.compile(r"unknown fields?:? '?(?P<field>[\w.]+)'?", re.IGNORECASE),
)
_BAD_DOMAIN = re.compile(
    r"Invalid (leaf|operator|domain)|malformed domain|argument type for domain", re.IGNORECASE
)
_MISSING_DATABASE = re.compile(r'database "(?P<db>[^"]+)" does not exist')
_NOT_ALLOWED = re.compile(r"You are not allowed to (?P<op>\w+)")
_NO_DATABASE_PAGE = "No database is selected"
_OPERATIONS = {
    "create": "create",
    "write": "modify",
    "unlink": "delete",
    "copy": "create",
}
_LANG_HINT = (
    ". The lang setting (or the call's context) names a language this database has not "
    "installed: install it in Odoo (Settings > Languages) or change lang."
)
_EXPIRY_HINT = (
    "API keys last at most 3 months on Odoo 19 and later: if this key worked before, it "
    "expired; create a new one under Preferences > Account Security > New API Key and put it "
    "in the password setting."
)


@dataclass(frozen=True)
class CallSite:
    """Where an error happened, for messages: never holds the secret."""

    url: str
    username: str
    database: str | None
    model: str | None = None
    method: str | None = None


def map_odoo_error(
    name: str | None,
    message: str,
    site: CallSite,
    *,
    status: int | None = None,
) -> Exception:
    """The exception for Odoo error `name` with `message` (an OdooError or an internal one)."""
    name = name or ""
    text = flat(message)
    common = {"odoo_name": name or None, "odoo_message": message, "model": site.model}
    common["method"] = site.method
    if name == SESSION_EXPIRED:
        return errors.SessionExpired(text)
    if any(part in name for part in _RETRYABLE_NAMES) or any(
        part in message.lower() for part in _RETRYABLE_TEXT
    ):
        return errors.TransientError(
            f"Odoo reported a concurrent update ({text})",
            may_have_run=False,
            odoo_name=name,
            odoo_message=message,
        )
    if name == "odoo.exceptions.AccessDenied" or status == 401:
        return errors.AuthenticationError(_login_refused(site, text, status), **common)
    if database := _MISSING_DATABASE.search(message):
        return database_not_found(site, database.group("db"), None, name=name, message=message)
    if model_match := _first_match(_UNKNOWN_MODEL, message):
        model = model_match.group("model")
        return errors.UnknownModelError(
            f"Model {model!r} is not installed on database {_db(site)} ({text}). Install the app "
            "that provides it, or fix the model name.",
            **{**common, "model": model},
        )
    if name == "odoo.exceptions.AccessError":
        operation = _operation(site.method, message)
        return errors.AccessDeniedError(
            f"User {site.username!r} may not {operation} {site.model or 'these'} records: {text} "
            "Ask an Odoo administrator for this access, or leave this model out.",
            operation=operation,
            **common,
        )
    if name == "odoo.exceptions.MissingError":
        return errors.MissingRecordError(
            f"{_where(site)}: the record does not exist or was deleted ({text}).", **common
        )
    if field_match := _first_match(_UNKNOWN_FIELD, message):
        field = field_match.group("field")
        model = field_match.groupdict().get("model") or site.model
        return errors.UnknownFieldError(
            f"Field {field!r} does not exist on {model} for user {site.username!r} ({text}). "
            "Custom fields (x_..., e.g. made with Studio) may be missing on this database, and "
            "fields restricted to groups the user lacks are hidden: remove the field from the "
            "selection or give the user the group.",
            field=field,
            **{**common, "model": model},
        )
    if _UNKNOWN_METHOD.search(message) or (
        name == "werkzeug.exceptions.NotFound" and status == 404
    ):
        return errors.UnknownMethodError(
            f"{site.model} has no public method {site.method!r} ({text}).", **common
        )
    if _BAD_DOMAIN.search(message):
        return errors.ValidationError(
            f"Odoo rejected the domain of {_where(site)}: {text} Domains are lists of "
            "(field, operator, value) triples joined by '&', '|', '!'.",
            **common,
        )
    if name.startswith(_VALIDATION_NAMES) or (
        name.startswith(_WRITE_VALUE_NAMES) and not is_read_only(site.method)
    ):
        hint = _LANG_HINT if "Invalid language code" in message else ""
        return errors.ValidationError(f"Odoo rejected {_where(site)}: {text}{hint}", **common)
    label = f"{name}: {text}" if name else text
    failed_field = _FAILED_FIELD.search(message)
    return errors.ServerError(
        f"Odoo failed on {_where(site)}: {label}",
        field=failed_field.group("field") if failed_field else None,
        **common,
    )


def map_xmlrpc_fault(fault_code: object, fault_string: str, site: CallSite) -> Exception:
    """The exception for an XML-RPC fault (Odoo codes: 1 any, 2 user, 3 denied, 4 access)."""
    name, message = xmlrpc_fault_parts(fault_code, fault_string)
    return map_odoo_error(name, message, site)


def xmlrpc_fault_parts(fault_code: object, fault_string: str) -> tuple[str, str]:
    """Odoo's exception name and message, recovered from an XML-RPC fault."""
    if isinstance(fault_code, str):  # legacy /xmlrpc: "warning -- AccessError\n\nmessage"
        head, _, rest = fault_code.partition("\n\n")
        kind = head.replace("warning --", "").strip()
        if kind == "AccessDenied":
            return "odoo.exceptions.AccessDenied", fault_string or kind
        return f"odoo.exceptions.{kind}", rest or fault_string
    if fault_code == 3:
        return "odoo.exceptions.AccessDenied", fault_string
    if fault_code == 4:
        return "odoo.exceptions.AccessError", fault_string
    if fault_code == 2:
        if fault_string.startswith("Record does not exist or has been deleted"):
            return "odoo.exceptions.MissingError", fault_string
        return "odoo.exceptions.UserError", fault_string
    return _last_exception_line(fault_string)


def database_not_found(
    site: CallSite,
    database: str | None,
    available: Sequence[str] | None,
    *,
    name: str | None = None,
    message: str | None = None,
) -> errors.DatabaseNotFoundError:
    """The error for a database the server does not have, listing the ones it offers."""
    if available:
        offered = f"The server offers: {', '.join(available)}."
    elif available is not None:
        offered = "The server lists no database."
    else:
        offered = "The server does not list its databases; ask its administrator for the name."
    return errors.DatabaseNotFoundError(
        f"Database {database!r} does not exist on {site.url} (or the server hides it). "
        f"{offered} Fix the database setting.",
        database=database,
        available=available,
        odoo_name=name,
        odoo_message=message,
    )


def flat(message: str) -> str:
    """Odoo's message on one line."""
    return " ".join(str(message).split())


def _login_refused(site: CallSite, text: str, status: int | None) -> str:
    if status == 401:
        return (
            f"Odoo at {site.url} refused the API key of {site.username!r} ({text}): the key is "
            f"wrong, revoked or expired, or the password setting holds a password. {_EXPIRY_HINT}"
        )
    return (
        f"Odoo at {site.url} refused login {site.username!r} on database {_db(site)} ({text}): "
        "the username or the password/API key is wrong (the URL and the database answered). "
        "With two-factor authentication, use an API key instead of the password."
    )


def _operation(method: str | None, message: str) -> str:
    if found := _NOT_ALLOWED.search(message):
        word = found.group("op")
        return "read" if word == "access" else word
    return _OPERATIONS.get(method or "", "read" if method else "use")


def _last_exception_line(text: str) -> tuple[str, str]:
    lines = text.strip().splitlines()
    for index in range(len(lines) - 1, -1, -1):
        head, sep, rest = lines[index].partition(": ")
        if sep and re.fullmatch(r"[A-Za-z_][\w.]*", head) and not head.startswith("File"):
            message = "\n".join([rest, *lines[index + 1 :]])
            return (head if "." in head else f"builtins.{head}"), message
    return "", text


def _first_match(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        if found := pattern.search(text):
            return found
    return None


def _where(site: CallSite) -> str:
    if site.model and site.method:
        return f"{site.model}.{site.method}"
    return site.model or site.method or site.url


def _db(site: CallSite) -> str:
    return repr(site.database) if site.database else "(chosen by the server)"
