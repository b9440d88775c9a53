"""JSON-RPC: the request envelope shared by every type="json" route, and the /jsonrpc route."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from odoo_sandbox.protocols import errors
from odoo_sandbox.protocols.http import (
    HTML_TYPE,
    Prepared,
    Request,
    Response,
    json_response,
    ready,
)
from odoo_sandbox.protocols.services import Services, object_target

JSON_MIMETYPES = ("application/json", "application/json-rpc")


def unsupported_media_type(path: str) -> Response:
    """Odoo's 415 for a JSON route called without a JSON content type."""
    html = (
        "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
        "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
        f"[&#39;http&#39;] but &#39;{path}&#39; is type=&#39;json&#39;.<br><br>Please verify "
        "the Content-Type request header and try again.</p>\n"
    )
    return Response(415, html.encode(), HTML_TYPE, [("Accept", "application/json")])


def parse(request: Request) -> tuple[Any, dict] | Response:
    """(request id, params) of a JSON-RPC body, or the answer Odoo gives to a bad one."""
    mimetype = request.header("Content-Type").split(";", 1)[0].strip().lower()
    if mimetype not in JSON_MIMETYPES:
        return unsupported_media_type(request.path)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except ValueError:
        return Response(400, b"Invalid JSON data", HTML_TYPE)
    if not isinstance(payload, dict):
        return Response(400, b"Invalid JSON-RPC data", HTML_TYPE)
    params = payload.get("params")
    return payload.get("id"), params if isinstance(params, dict) else {}


def answer(request_id: Any, result: Any, headers: list | None = None) -> Response:
    """A JSON-RPC success."""
    return json_response({"jsonrpc": "2.0", "id": request_id, "result": result}, headers=headers)


def answer_error(request_id: Any, error: BaseException, odoo_version: int) -> Response:
    """A JSON-RPC error, HTTP 200 as in Odoo."""
    odoo_error = errors.as_odoo_exception(error)
    error_member = errors.jsonrpc_error(odoo_error, odoo_version)
    body = {"jsonrpc": "2.0", "id": request_id, "error": error_member}
    response = json_response(body)
    response.headers = []  # Odoo sends no nosniff header with errors
    return response


def run_call(
    request_id: Any, odoo_version: int, call: Callable[[], Any], headers: list | None = None
) -> Response:
    """Run `call` and answer its result or its error."""
    try:
        return answer(request_id, call(), headers)
    except Exception as error:
        return answer_error(request_id, error, odoo_version)


def prepare(request: Request, services: Services) -> Prepared:
    """/jsonrpc: {"service", "method", "args"}."""
    parsed = parse(request)
    if isinstance(parsed, Response):
        return ready(parsed)
    request_id, params = parsed
    service, method = params.get("service"), params.get("method")
    args = params.get("args")
    args = list(args) if isinstance(args, list | tuple) else []
    target = object_target(method, args) if service == "object" else None
    version = services.gateway.odoo_version
    return Prepared(
        target,
        lambda: run_call(request_id, version, lambda: services.dispatch(service, method, args)),
    )
