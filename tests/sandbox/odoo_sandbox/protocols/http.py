"""The request and response values the protocol handlers exchange with the HTTP server."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import format_datetime

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    headers: Mapping[str, str]  # case-insensitive (an email.message.Message)
    body: bytes = b""
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str = "") -> str:
        """A header's value, or `default`."""
        value = self.headers.get(name)
        return default if value is None else value


@dataclass
class Response:
    """An answer ready to send: status, body, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str = HTML_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    server: str | None = None  # None: the sandbox's Werkzeug-like Server header


@dataclass(frozen=True)
class Disconnect:
    """Close the connection instead of answering; `partial` first sends part of the headers."""

    partial: bool = True


@dataclass
class Prepared:
    """A parsed request: its ORM call (`model.method`, for fault rules) and how to run it."""

    target: str | None
    run: Callable[[], Response]


def ready(response: Response) -> Prepared:
    """A request answered without calling the ORM (parse errors, version, 404...)."""
    return Prepared(target=None, run=lambda: response)


def http_date(moment: dt.datetime) -> str:
    """An HTTP date (`Sun, 22 Nov 2026 08:00:00 GMT`); a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return format_datetime(moment.astimezone(dt.timezone.utc), usegmt=True)


def json_default(value: object) -> object:
    """Like Odoo's json_default: dates as Odoo strings, bytes as text."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=json_default)


def dump_json(value: object) -> bytes:
    """Serialize like Odoo (UTF-8, not ASCII-escaped)."""
    return _ENCODER.encode(value).encode()


def json_response(value: object, status: int = 200, headers: list | None = None) -> Response:
    """A JSON answer with Odoo's headers."""
    extra = [("X-Content-Type-Options", "nosniff")] if status == 200 else []
    return Response(status, dump_json(value), JSON_TYPE, extra + list(headers or []))


def html_response(html: str, status: int, headers: list | None = None) -> Response:
    """An HTML page."""
    return Response(status, html.encode(), HTML_TYPE, list(headers or []))
