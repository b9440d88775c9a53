"""Turn an OdooServerException into each protocol's error shape, from one table.

Every exception reaching the wire is first made an OdooServerException (`as_odoo_exception`), so an
unexpected Python error of ours still answers the way Odoo answers a server error.
"""

from __future__ import annotations

import logging
import xmlrpc.client
from dataclasses import dataclass

from odoo_sandbox import exceptions as exc_names
from odoo_sandbox.exceptions import OdooServerException

_log = logging.getLogger("odoo_sandbox.errors")


@dataclass(frozen=True)
class ErrorClass:
    """How one Odoo exception class shows on the wire."""

    # /xmlrpc/2: 1 application error, 2 warning, 3 access denied, 4 access error
    xmlrpc_fault_code: int
    json2_status: int
    legacy_label: str | None = None  # /xmlrpc (no /2): "warning -- <label>" fault codes


WERKZEUG = "werkzeug.exceptions."
REDIRECT_WARNING = "odoo.exceptions.RedirectWarning"

ERROR_CLASSES: dict[str, ErrorClass] = {
    exc_names.ACCESS_DENIED: ErrorClass(3, 401, "AccessDenied"),
    exc_names.ACCESS_ERROR: ErrorClass(4, 403, "AccessError"),
    exc_names.MISSING_ERROR: ErrorClass(2, 404, "MissingError"),
    exc_names.USER_ERROR: ErrorClass(2, 422, "UserError"),
    exc_names.VALIDATION_ERROR: ErrorClass(2, 422, "UserError"),
    REDIRECT_WARNING: ErrorClass(2, 422, "UserError"),
    exc_names.SESSION_EXPIRED: ErrorClass(1, 401),
    WERKZEUG + "BadRequest": ErrorClass(1, 400),
    WERKZEUG + "Unauthorized": ErrorClass(1, 401),
    WERKZEUG + "Forbidden": ErrorClass(1, 403),
    WERKZEUG + "NotFound": ErrorClass(1, 404),
    WERKZEUG + "UnsupportedMediaType": ErrorClass(1, 415),
    WERKZEUG + "UnprocessableEntity": ErrorClass(1, 422),
}
SERVER_ERROR = ErrorClass(1, 500)

HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


def error_class(name: str) -> ErrorClass:
    """The wire behaviour of an Odoo exception name (anything unknown is a server error)."""
    return ERROR_CLASSES.get(name, SERVER_ERROR)


def as_odoo_exception(error: BaseException) -> OdooServerException:
    """Our own unexpected errors become what Odoo reports for a Python error: `builtins.X`."""
    if isinstance(error, OdooServerException):
        return error
    _log.error("unexpected error in the sandbox", exc_info=error)
    cls = type(error)
    name = f"{cls.__module__}.{cls.__qualname__}"
    return OdooServerException(name, str(error))


def short_type(name: str) -> str:
    """Python prints builtins without their module: `builtins.ValueError` -> `ValueError`."""
    return name.removeprefix("builtins.")


def is_werkzeug(name: str) -> bool:
    """True for the HTTP exceptions Odoo's JSON-2 controller raises itself."""
    return name.startswith(WERKZEUG)


def werkzeug_text(error: OdooServerException) -> str:
    """`str()` of a werkzeug HTTPException: '404 Not Found: <description>'."""
    status = error_class(error.name).json2_status
    return f"{status} {HTTP_REASONS[status]}: {error.message}"


def exception_line(error: OdooServerException) -> str:
    """The final line of a traceback, `Type: message` (just `Type` without a message)."""
    text = werkzeug_text(error) if is_werkzeug(error.name) else error.message
    return f"{short_type(error.name)}: {text}" if text else short_type(error.name)


def debug_text(error: OdooServerException, odoo_version: int) -> str:
    """The `debug` member, cut as in the recordings (17: last traceback line; 19: first line)."""
    line = exception_line(error).rstrip("\n")
    if odoo_version >= 19:
        return line.split("\n", 1)[0]
    return "Traceback (most recent call last):\n  ...\n" + line.rsplit("\n", 1)[-1]


def serialize_exception(error: OdooServerException, odoo_version: int) -> dict:
    """Odoo's `serialize_exception`: {name, message, arguments, context, debug}."""
    arguments = list(error.arguments)
    if is_werkzeug(error.name):
        arguments = [error.message, error_class(error.name).json2_status]
    return {
        "name": error.name,
        "message": error.message,
        "arguments": arguments,
        "context": {},
        "debug": debug_text(error, odoo_version),
    }


def jsonrpc_error(error: OdooServerException, odoo_version: int) -> dict:
    """The `error` member of a JSON-RPC answer."""
    # 200 until 18.0; 0 from saas-18.1 (odoo/odoo#183902), as recorded on 19
    code, message = (200 if odoo_version < 19 else 0), "Odoo Server Error"
    if error.name == exc_names.SESSION_EXPIRED:
        code, message = 100, "Odoo Session Expired"
    elif error.name == WERKZEUG + "NotFound":
        code, message = 404, "404: Not Found"
    return {"code": code, "message": message, "data": serialize_exception(error, odoo_version)}


def xmlrpc_fault(
    error: OdooServerException, odoo_version: int, legacy: bool
) -> xmlrpc.client.Fault:
    """The Fault of /xmlrpc/2 (integer codes) or of the legacy /xmlrpc (string codes)."""
    kind = error_class(error.name)
    if legacy:
        if kind.legacy_label == "AccessDenied":
            return xmlrpc.client.Fault("AccessDenied", error.message)
        if kind.legacy_label:
            return xmlrpc.client.Fault(f"warning -- {kind.legacy_label}\n\n{error.message}", "")
        return xmlrpc.client.Fault(error.message, debug_text(error, 17))
    if kind.xmlrpc_fault_code == 1:
        return xmlrpc.client.Fault(1, debug_text(error, 17))
    return xmlrpc.client.Fault(kind.xmlrpc_fault_code, error.message)


def json2_error(error: OdooServerException, odoo_version: int) -> tuple[int, dict]:
    """HTTP status and body of a JSON-2 error."""
    return error_class(error.name).json2_status, serialize_exception(error, odoo_version)
