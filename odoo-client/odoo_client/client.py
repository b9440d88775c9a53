"""OdooClient: the one object tap, target and tests use to talk to an Odoo database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from odoo_client import errors, stopping
from odoo_client.connect import Connection, open_connection
from odoo_client.methods import is_read_only
from odoo_client.narrow import NarrowMethods, wants_bare_ids
from odoo_client.pages import RowsPage
from odoo_client.retry import RetryPolicy
from odoo_client.settings import ConnectionSettings
from odoo_client.transport import HttpTransport

T = TypeVar("T")


@dataclass(frozen=True)
class ConnectionReport:
    """What a connection check found (for --test and "Test & Save")."""

    url: str
    server_version: str
    protocol: str
    database: str | None
    username: str
    uid: int

    def summary(self) -> str:
        """One line for people."""
        database = self.database or "(chosen by the server)"
        return (
            f"Connected to Odoo {self.server_version} at {self.url}: database {database}, "
            f"user {self.username} (uid {self.uid}), protocol {self.protocol}."
        )


class OdooClient:
    """Connects lazily on first use (version, protocol, database, login: once, thread-safe)."""

    def __init__(self, settings: ConnectionSettings, logger: logging.Logger | None = None) -> None:
        self.settings = settings
        self.logger = logger or logging.getLogger("odoo_client")
        self._transport = HttpTransport(
            settings.url,
            timeout=settings.timeout,
            verify_ssl=settings.verify_ssl,
            user_agent=settings.user_agent,
            # Discovery sends up to its own pool (6 by default) at once, prefetch one more.
            pool_size=max(settings.max_parallel_requests, 8),
        )
        self._retry = RetryPolicy(
            max_retries=settings.max_retries,
            max_retry_time=settings.max_retry_time,
            initial_wait=settings.retry_initial_wait,
            max_wait=settings.retry_max_wait,
            logger=self.logger,
        )
        self._narrow = NarrowMethods(self.logger.info)
        self._connection: Connection | None = None
        self._refusal: errors.OdooError | None = None
        self._connect_lock = threading.Lock()
        # Entered around each attempt of a call, retries included, as guard("model.method",
        # read_only): a program that is stopping refuses new attempts there (target-odoo).
        self.attempt_guard: Callable[[str, bool], AbstractContextManager[Any]] | None = None

    def __repr__(self) -> str:
        return f"OdooClient(url={self.settings.url!r}, username={self.settings.username!r})"

    def __enter__(self) -> OdooClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Connection ------------------------------------------------------------------------------

    def authenticate(self) -> int:
        """Connect if needed and return the uid."""
        return self._connected().uid

    def check_connection(self) -> ConnectionReport:
        """Connect (raising the precise error when it fails) and describe the connection."""
        connection = self._connected()
        return ConnectionReport(
            url=self.settings.url,
            server_version=connection.server_version,
            protocol=connection.protocol.name,
            database=connection.database,
            username=self.settings.username,
            uid=connection.uid,
        )

    @property
    def protocol(self) -> str:
        """The protocol in use: xmlrpc, jsonrpc, json2 or websession."""
        return self._connected().protocol.name

    @property
    def server_version(self) -> str:
        """The server's version, such as "17.0"."""
        return self._connected().server_version

    @property
    def server_version_info(self) -> tuple:
        """The server's version as a tuple, such as (17, 0, 0, "final", 0, "")."""
        return self._connected().server_version_info

    @property
    def database(self) -> str | None:
        """The database in use (None when the server picks it from the host name)."""
        return self._connected().database

    @property
    def last_server_time(self) -> datetime | None:
        """The server's clock (UTC) from the Date header of the latest answer."""
        return self._transport.last_server_time

    @property
    def retries(self) -> int:
        """How many retries this client made so far."""
        return self._retry.retries

    def close(self) -> None:
        """Release the HTTP connections."""
        self._transport.close()

    # Calls -----------------------------------------------------------------------------------

    def call(
        self,
        model: str,
        method: str,
        *args: Any,
        context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `model.method(*args, **kwargs)` with the settings' context under `context`."""
        return self._execute(model, method, args, kwargs, context)

    def _execute(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        context: dict[str, Any] | None,
        defer_rows_from: int | None = None,
    ) -> Any:
        merged = {**self.settings.context(), **(context or {})}
        if merged:
            kwargs["context"] = merged
        what, read_only, guard = f"{model}.{method}", is_read_only(method), self.attempt_guard
        with stopping.interruptible():
            connection = self._connected()

            def attempt() -> Any:
                stopping.check()  # each attempt, retries too: nothing new goes out once stopping
                with nullcontext() if guard is None else guard(what, read_only):
                    return connection.protocol.execute(
                        model, method, args, kwargs, defer_rows_from=defer_rows_from
                    )

            return self._guarded(attempt, what=what, read_only=read_only)

    def search_read(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        fields: Sequence[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **kw: Any,
    ) -> list[dict[str, Any]]:
        """Rows matching `domain`, with `fields` (all when None)."""
        options = _present(fields=fields, offset=offset, limit=limit, order=order)
        context = kw.pop("context", None)
        return self._search_read(model, list(domain or []), options, kw, context, None)

    def search_read_page(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        fields: Sequence[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: dict[str, Any] | None = None,
        **kw: Any,
    ) -> RowsPage:
        """`search_read` for a paging loop: a full page (`limit` rows) may come back undecoded,
        its `last_id` read from the answer's end, so the next page can be asked for while this
        one is decoded (see odoo_client.pages)."""
        options = _present(fields=fields, offset=offset, limit=limit, order=order)
        result = self._search_read(model, list(domain or []), options, kw, context, limit)
        return result if isinstance(result, RowsPage) else RowsPage(result)

    def _search_read(
        self,
        model: str,
        domain: list,
        options: dict[str, Any],
        keywords: dict[str, Any],
        context: dict[str, Any] | None,
        defer_rows_from: int | None,
    ) -> Any:
        """`search_read`, without the keywords a narrow override of it refuses (odoo_client.narrow):
        at most one extra call per refused keyword, once per model and client."""
        for _ in range(len(keywords) + 1):
            refused = self._narrow.refused(model)
            sent = {name: value for name, value in keywords.items() if name not in refused}
            deferred = None if refused else defer_rows_from  # pairs to rewrite: decode now
            try:
                result = self._execute(
                    model, "search_read", [domain], {**options, **sent}, context, deferred
                )
            except (errors.ServerError, errors.ValidationError) as error:
                # A TypeError over JSON-RPC/XML-RPC; JSON-2 binds the signature first: a 422.
                if self._narrow.learn(model, error, sent):
                    continue
                raise
            if "load" in refused and wants_bare_ids(keywords):
                result = self._narrow.bare_ids(
                    model, result, lambda: self.fields_get(model, attributes=["type"])
                )
            return result
        msg = f"{model}.search_read: refused every keyword sent"  # learn() returns False first
        raise errors.ServerError(msg, model=model, method="search_read")

    def search(
        self,
        model: str,
        domain: Sequence[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **kw: Any,
    ) -> list[int]:
        """Ids matching `domain`."""
        options = _present(offset=offset, limit=limit, order=order)
        return self.call(model, "search", list(domain or []), **options, **kw)

    def search_count(self, model: str, domain: Sequence[Any] | None = None, **kw: Any) -> int:
        """How many records match `domain`."""
        return int(self.call(model, "search_count", list(domain or []), **kw))

    def read(
        self, model: str, ids: Sequence[int], fields: Sequence[str] | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        """Rows of `ids` (missing ids are left out, as Odoo does)."""
        return self.call(model, "read", list(ids), **_present(fields=fields), **kw)

    def create(self, model: str, vals_list: Sequence[dict[str, Any]]) -> list[int]:
        """Create one record per dict; return their ids in order."""
        created = self.call(model, "create", [dict(vals) for vals in vals_list])
        return [created] if isinstance(created, int) else list(created)

    def write(self, model: str, ids: Sequence[int], vals: dict[str, Any]) -> bool:
        """Write `vals` on every record of `ids`."""
        return bool(self.call(model, "write", list(ids), vals))

    def unlink(self, model: str, ids: Sequence[int]) -> bool:
        """Delete the records of `ids`."""
        return bool(self.call(model, "unlink", list(ids)))

    def fields_get(
        self, model: str, attributes: Sequence[str] | None = None, **kw: Any
    ) -> dict[str, dict[str, Any]]:
        """The model's fields as the user may see them."""
        options = {"attributes": list(attributes)} if attributes is not None else {}
        return self.call(model, "fields_get", **options, **kw)

    # Internals -------------------------------------------------------------------------------

    def _connected(self) -> Connection:
        connection = self._connection
        if connection is not None:
            return connection
        with self._connect_lock:
            if self._refusal is not None:
                raise self._refusal  # a refused login is not tried again by every thread
            if self._connection is None:
                try:
                    stopping.check()
                    self._connection = self._guarded(
                        lambda: open_connection(
                            self.settings, self._transport, self._retry, self.logger
                        ),
                        what="connecting",
                        read_only=True,
                        retry=False,
                    )
                except (errors.AuthenticationError, errors.ConfigurationError) as refusal:
                    self._refusal = refusal
                    raise
            return self._connection

    def _guarded(
        self, action: Callable[[], T], *, what: str, read_only: bool, retry: bool = True
    ) -> T:
        try:
            if not retry:
                return action()
            return self._retry.run(action, what=what, read_only=read_only)
        except errors.SessionExpired:
            raise errors.AuthenticationError(
                f"{what}: Odoo says the session expired; check the login settings."
            ) from None
        except errors.OdooError as error:
            if self.settings.password != self.settings.username:
                error.scrub(self.settings.password)
            raise


def _present(**options: Any) -> dict[str, Any]:
    """Keep the options that say something (Odoo's defaults cover the rest)."""
    return {
        name: list(value) if name == "fields" else value
        for name, value in options.items()
        if value is not None and not (name == "offset" and value == 0)
    }
