"""JSON-2 (Odoo 19+): POST /json/2/<model>/<method>, bearer key, named arguments, HTTP statuses."""

from __future__ import annotations

import json

from odoo_sandbox.exceptions import ACCESS_ERROR, OdooServerException
from odoo_sandbox.protocols import errors, pages
from odoo_sandbox.protocols.gateway import Gateway
from odoo_sandbox.protocols.http import (
    Prepared,
    Request,
    Response,
    html_response,
    json_response,
    ready,
)

PREFIX = "/json/2/"
NOT_AUTHENTICATED = "User not authenticated, use an API Key with a Bearer Authorization header."


def _werkzeug(kind: str, message: str) -> OdooServerException:
    return OdooServerException(errors.WERKZEUG + kind, message)


def error_response(error: BaseException, odoo_version: int) -> Response:
    """A JSON-2 error: {name, message, arguments, context, debug} with its HTTP status."""
    odoo_error = errors.as_odoo_exception(error)
    status, body = errors.json2_error(odoo_error, odoo_version)
    headers = [("WWW-Authenticate", "Bearer ")] if status == 401 else []
    response = json_response(body, status, headers)
    return response


def _mimetype(request: Request) -> str:
    return request.header("Content-Type").split(";", 1)[0].strip().lower()


def prepare(request: Request, gateway: Gateway) -> Prepared:
    """Check database, route, content type, key and body; the returned Prepared runs the call."""
    version = gateway.odoo_version
    database = request.header("X-Odoo-Database")
    if database and database != gateway.database:
        return ready(html_response(pages.NO_DATABASE_HTML, 404))
    parts = request.path[len(PREFIX) :].split("/")
    if request.method != "POST" or len(parts) != 2 or not all(parts):
        not_found = _werkzeug("NotFound", "Did you mean POST /json/2/<model>/<method>?")
        return ready(error_response(not_found, version))
    model, method = parts
    if request.body and _mimetype(request) != "application/json":
        return ready(
            html_response(pages.UNSUPPORTED_JSON2_HTML, 415, [("Accept", "application/json")])
        )
    scheme, _, key = request.header("Authorization").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return ready(error_response(_werkzeug("Unauthorized", NOT_AUTHENTICATED), version))
    uid = gateway.uid_for_api_key(key.strip())
    if not uid:
        return ready(error_response(_werkzeug("Unauthorized", "Invalid apikey"), version))
    try:
        params = json.loads(request.body.decode("utf-8")) if request.body.strip() else {}
    except ValueError as error:
        bad = _werkzeug("BadRequest", f"could not parse the body as json: {error}")
        return ready(error_response(bad, version))
    if not isinstance(params, dict):
        bad = _werkzeug("BadRequest", "could not parse the body as json: not a JSON object")
        return ready(error_response(bad, version))
    if method.startswith("_"):
        private = OdooServerException(
            ACCESS_ERROR,
            f"Private methods (such as '{model}.{method}') cannot be called remotely.",
        )
        return ready(error_response(private, version))

    def run() -> Response:
        try:
            result = gateway.execute_named(uid, model, method, params)
        except Exception as error:  # the engine's errors, and ours as Odoo's 500
            return error_response(error, version)
        return json_response(result)

    return Prepared(f"{model}.{method}", run)
