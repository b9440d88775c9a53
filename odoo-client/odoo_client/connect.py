"""Opening a connection: ask the version once, pick the protocol and database, log in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from odoo_client import errors
from odoo_client.error_mapping import CallSite, database_not_found
from odoo_client.protocols import PROTOCOL_CLASSES, Json2Protocol, Protocol, jsonrpc_post
from odoo_client.retry import RetryPolicy
from odoo_client.settings import ConnectionSettings
from odoo_client.transport import HttpTransport, not_odoo

JSON2_SINCE = 19
JSONRPC_REMOVED_IN = 22


@dataclass(frozen=True)
class Connection:
    """A logged-in protocol and what the server told about itself."""

    protocol: Protocol
    server_version: str
    server_version_info: tuple
    database: str | None
    uid: int


def open_connection(
    settings: ConnectionSettings,
    transport: HttpTransport,
    retry: RetryPolicy,
    logger: logging.Logger,
) -> Connection:
    """Connect as `settings` say; raise the precise OdooError when something is wrong."""

    def attempt(what: str, action: Any) -> Any:
        return retry.run(action, what=what, read_only=True)

    version, version_info = attempt("asking the server version", lambda: server_version(transport))
    major = version_info[0] if version_info and isinstance(version_info[0], int) else 0
    wanted = settings.protocol
    if wanted == "auto":
        wanted = "json2" if major >= JSON2_SINCE else "jsonrpc"
    if wanted == "json2" and 0 < major < JSON2_SINCE:
        raise errors.ConfigurationError(
            f"protocol: json2 needs Odoo {JSON2_SINCE} or later, and {settings.url} runs "
            f'{version}; set protocol to "auto" or "jsonrpc".',
            setting="protocol",
        )
    protocol = _make(wanted, settings, transport)
    database = attempt("listing databases", lambda: _pick_database(settings, protocol))
    try:
        uid = attempt("logging in", lambda: protocol.authenticate(database))
    except errors.AuthenticationError:
        if settings.protocol != "auto" or wanted != "json2":
            raise
        # JSON-2 takes API keys only: the secret may be a password, usable on the older routes.
        fallback = "websession" if major >= JSONRPC_REMOVED_IN else "jsonrpc"
        protocol = _make(fallback, settings, transport)
        database = database or database_named_by_host(settings)
        try:
            uid = attempt("logging in", lambda: protocol.authenticate(database))
        except errors.AuthenticationError:
            raise errors.AuthenticationError(
                f"Odoo {version} at {settings.url} refused {settings.username!r} both as an API "
                f"key (JSON-2) and as a password ({fallback}): the username or the secret is "
                "wrong, or the API key expired (keys last at most 3 months on Odoo 19 and "
                "later: create a new one under Preferences > Account Security)."
            ) from None
        logger.warning(
            "The password setting holds a password, not an API key: using %s, which Odoo 19 "
            "deprecates. Create an API key (Preferences > Account Security) to use JSON-2.",
            fallback,
        )
    except errors.DatabaseNotFoundError as error:
        raise database_not_found(
            protocol.site(), database, protocol.list_databases(), message=error.odoo_message
        ) from None
    logger.info(
        "Connected to Odoo %s at %s with %s (database %s, user %s, uid %s)",
        version,
        settings.url,
        protocol.name,
        database or "chosen by the server",
        settings.username,
        uid,
    )
    return Connection(protocol, version, tuple(version_info), database, uid)


def server_version(transport: HttpTransport) -> tuple[str, list]:
    """The server's version, asked on the web routes (every version has one of them)."""
    site = CallSite(transport.base_url, "", None)
    try:
        info = jsonrpc_post(transport, "/web/webclient/version_info", {}, site)
    except errors.NotOdooServerError as error:
        if error.status != 404:
            raise
        answer = transport.request("GET", "/web/version")
        if answer.status != 200 or not answer.is_json:
            raise not_odoo(answer, "does not say which Odoo version it runs") from None
        info = answer.json()
    if not isinstance(info, dict):
        raise errors.NotOdooServerError(f"{transport.base_url} gave no Odoo version.")
    version = info.get("server_version") or info.get("version")
    version_info = info.get("server_version_info") or info.get("version_info") or []
    if not isinstance(version, str):
        raise errors.NotOdooServerError(f"{transport.base_url} gave no Odoo version.")
    return version, list(version_info)


def _make(name: str, settings: ConnectionSettings, transport: HttpTransport) -> Protocol:
    return PROTOCOL_CLASSES[name](transport, settings.username, settings.password)


def _pick_database(settings: ConnectionSettings, protocol: Protocol) -> str | None:
    if settings.database:
        return settings.database
    available = protocol.list_databases()
    if available is not None and len(available) == 1:
        return available[0]
    if isinstance(protocol, Json2Protocol) and not available:
        return None  # the server picks the database from the host name
    if available:
        raise errors.ConfigurationError(
            f"database: required, the server at {settings.url} has several: "
            f"{', '.join(available)}.",
            setting="database",
        )
    return database_named_by_host(settings)


def database_named_by_host(settings: ConnectionSettings) -> str:
    """Odoo Online hides its database list; its database is named after the subdomain."""
    labels = settings.parsed_url.host.split(".")
    if len(labels) == 3 and labels[1:] == ["odoo", "com"]:
        return labels[0]
    raise errors.ConfigurationError(
        f"database: required, the server at {settings.url} does not list its databases; "
        'give its name (on Odoo Online often the subdomain: "acme" for acme.odoo.com).',
        setting="database",
    )
