"""Turn the address a person pastes into the base URL of an Odoo server."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from odoo_client.errors import ConfigurationError

URL_EXAMPLE = '"https://acme.odoo.com" or "http://localhost:8069"'
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PLAIN_HTTP_PORTS = {8069, 8070, 8071, 8072, 80}


@dataclass(frozen=True)
class OdooUrl:
    """A normalized server address: scheme://host[:port], plus a database named in the URL."""

    base: str
    host: str
    database_hint: str | None = None


def parse_odoo_url(raw: object, port: object = None) -> OdooUrl:
    """Normalize `raw` (e.g. `acme.odoo.com`, `https://acme.odoo.com/odoo/contacts`).

    Paths, queries and fragments are dropped; `?db=name` is kept as a database hint.
    Raises ConfigurationError with an example when `raw` is not a web address.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise _url_error("is empty")
    text = raw.strip()
    if any(ch.isspace() for ch in text):
        raise _url_error("contains spaces", text)
    explicit_port = _parse_port(port)
    has_scheme = "://" in text
    parts = urlsplit(text if has_scheme else "//" + text)
    if has_scheme and parts.scheme.lower() not in ("http", "https"):
        raise _url_error(f"uses {parts.scheme}://, not http:// or https://", text)
    if "@" in parts.netloc:
        # Never echo the text: it may hold a password.
        raise ConfigurationError(
            "url: remove the login and password from the address; put them in the "
            f"username and password settings. Example: {URL_EXAMPLE}.",
            setting="url",
        )
    host = (parts.hostname or "").rstrip(".")
    try:
        url_port = parts.port
    except ValueError:
        raise _url_error("has an invalid port", text) from None
    if not _valid_host(host):
        raise _url_error("has no valid host name", text)
    if url_port and explicit_port and url_port != explicit_port:
        raise ConfigurationError(
            f"port: {explicit_port} contradicts the port {url_port} in url {text!r}; "
            "keep one of them.",
            setting="port",
        )
    final_port = url_port or explicit_port
    scheme = parts.scheme.lower() if has_scheme else _guess_scheme(host, final_port)
    default_port = 443 if scheme == "https" else 80
    shown_host = f"[{host}]" if ":" in host else host.lower()
    netloc = shown_host if final_port in (None, default_port) else f"{shown_host}:{final_port}"
    return OdooUrl(base=f"{scheme}://{netloc}", host=host.lower(), database_hint=_db_hint(parts))


def _parse_port(port: object) -> int | None:
    if port is None or port == "":
        return None
    text = str(port).strip()
    if not text.isdigit() or not 0 < int(text) < 65536 or isinstance(port, bool):
        raise ConfigurationError(
            f"port: expected a number between 1 and 65535, such as 8069; got {port!r}.",
            setting="port",
        )
    return int(text)


def _valid_host(host: str) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    if labels[-1].isdigit():  # looks like a broken IPv4 address
        return False
    return all(_HOST_LABEL.match(label) for label in labels)


def _guess_scheme(host: str, port: int | None) -> str:
    if port in _PLAIN_HTTP_PORTS or host == "localhost" or "." not in host:
        return "http"
    try:
        return "http" if ipaddress.ip_address(host).is_private else "https"
    except ValueError:
        return "https"


def _db_hint(parts: object) -> str | None:
    for text in (parts.query, parts.fragment):  # type: ignore[attr-defined]
        values = parse_qs(text).get("db")
        if values and values[0].strip():
            return values[0].strip()
    return None


def _url_error(problem: str, text: str | None = None) -> ConfigurationError:
    got = f" (got {text!r})" if text is not None else ""
    return ConfigurationError(
        f"url {problem}{got}: give the address of your Odoo, such as {URL_EXAMPLE}.",
        setting="url",
    )
