"""HTML pages answered by Odoo (werkzeug) and by the proxies in front of hosted Odoo."""

from __future__ import annotations

import math

from odoo_sandbox.protocols.http import Response, html_response

NOT_FOUND_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.</p>\n"
)

NO_DATABASE_HTML = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>No database is selected and the requested URL was not found in the server-wide "
    "controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again."
    "</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)

UNSUPPORTED_JSON2_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
    "[&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is "
    "type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try again."
    "</p>\n"
)

INTERNAL_ERROR_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n"
)

BAD_REQUEST_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
    "<p>The browser (or proxy) sent a request that this server could not understand.</p>\n"
)

TOO_MANY_REQUESTS_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>429 Too Many Requests</title>\n"
    "<h1>Too Many Requests</h1>\n<p>This user has exceeded an allotted request count. Try again "
    "later.</p>\n"
)

MAINTENANCE_HTML = (
    "<!DOCTYPE html>\n<html>\n<head><title>Odoo is under maintenance</title></head>\n<body>\n"
    "<h1>Odoo is under maintenance</h1>\n<p>This database is being upgraded or restarted. "
    "Please try again in a few minutes.</p>\n</body>\n</html>\n"
)

PROXY_REASONS = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


def not_found() -> Response:
    """Werkzeug's 404 page, as Odoo answers an unknown route."""
    return html_response(NOT_FOUND_HTML, 404)


def bad_request() -> Response:
    """Werkzeug's 400 page, for a request the HTTP layer cannot read."""
    return html_response(BAD_REQUEST_HTML, 400)


def internal_error() -> Response:
    """Werkzeug's 500 page."""
    return html_response(INTERNAL_ERROR_HTML, 500)


def proxy_error(status: int) -> Response:
    """The nginx page a hosted Odoo's proxy answers when the workers are busy or restarting."""
    title = f"{status} {PROXY_REASONS[status]}"
    html = (
        f"<html>\n<head><title>{title}</title></head>\n<body>\n"
        f"<center><h1>{title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )
    response = html_response(html, status)
    response.server = "nginx"
    return response


def too_many_requests(retry_after: float) -> Response:
    """429 with Retry-After in whole seconds (HTTP allows no fractions: rounded up)."""
    seconds = max(0, math.ceil(retry_after))
    return html_response(TOO_MANY_REQUESTS_HTML, 429, [("Retry-After", str(seconds))])


def maintenance() -> Response:
    """503 page of a database being upgraded or restarted."""
    response = html_response(MAINTENANCE_HTML, 503, [("Retry-After", "60")])
    response.server = "nginx"
    return response
