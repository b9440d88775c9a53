"""The wire formats: XML-RPC, JSON-RPC (/jsonrpc), JSON-2 (/json/2, Odoo 19+) and web session.

Each protocol knows how to list databases, authenticate and execute one ORM call, and reduces
every error answer to Odoo's exception name and message for `error_mapping`.
"""

from __future__ import annotations

import itertools
import json
import threading
import xmlrpc.client
from collections.abc import Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from xml.parsers.expat import ExpatError

from odoo_client import errors
from odoo_client.error_mapping import (
    CallSite,
    database_not_found,
    flat,
    map_odoo_error,
    map_xmlrpc_fault,
)
from odoo_client.methods import json2_body
from odoo_client.pages import deferred_page
from odoo_client.transport import HttpAnswer, HttpTransport, not_odoo

_request_ids = itertools.count(1)
_NONE_RESULT = "cannot marshal None unless allow_none is enabled"
_BIG_INT_RESULT = "int exceeds XML-RPC limits"


class Protocol:
    """One way of talking to Odoo. Subclasses fill in the wire format."""

    name = "base"

    def __init__(self, transport: HttpTransport, username: str, secret: str) -> None:
        self.transport = transport
        self.username = username
        self._secret = secret
        self.database: str | None = None
        self.uid: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.transport.base_url!r}, user={self.username!r})"

    def site(self, model: str | None = None, method: str | None = None) -> CallSite:
        """Where a call happens, for error messages."""
        return CallSite(self.transport.base_url, self.username, self.database, model, method)

    def list_databases(self) -> list[str] | None:
        """The databases the server lists, or None when it does not say."""
        try:
            result = self._list_databases()
        except errors.OdooError:
            return None
        if isinstance(result, list) and all(isinstance(name, str) for name in result):
            return result
        return None

    def _list_databases(self) -> Any:
        return jsonrpc_post(self.transport, "/web/database/list", {}, self.site())

    def authenticate(self, database: str | None) -> int:
        """Log in; return the uid."""
        raise NotImplementedError

    def execute(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        *,
        defer_rows_from: int | None = None,
    ) -> Any:
        """Run `model.method(*args, **kwargs)` (kwargs hold the context) and return its result.

        With `defer_rows_from`, a JSON answer of at least that many rows may come back as an
        undecoded `RowsPage` (see odoo_client.pages); XML-RPC always decodes.
        """
        raise NotImplementedError

    def _refused(self, database: str | None) -> errors.AuthenticationError:
        return errors.AuthenticationError(
            f"Odoo at {self.transport.base_url} refused login {self.username!r} on database "
            f"{database!r}: the username or the password/API key is wrong (the URL and the "
            "database answered). With two-factor authentication, use an API key."
        )


class JsonRpcProtocol(Protocol):
    """POST /jsonrpc with services common/object/db (all versions up to 21)."""

    name = "jsonrpc"

    def _service(
        self,
        service: str,
        method: str,
        *args: Any,
        site: CallSite | None = None,
        defer_rows_from: int | None = None,
    ) -> Any:
        params = {"service": service, "method": method, "args": list(args)}
        return jsonrpc_post(
            self.transport, "/jsonrpc", params, site or self.site(), defer_rows_from=defer_rows_from
        )

    def _list_databases(self) -> Any:
        return self._service("db", "list")

    def authenticate(self, database: str | None) -> int:
        self.database = database
        uid = self._service("common", "authenticate", database, self.username, self._secret, {})
        if not uid:
            raise self._refused(database)
        self.uid = int(uid)
        return self.uid

    def execute(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        *,
        defer_rows_from: int | None = None,
    ) -> Any:
        call = [self.database, self.uid, self._secret, model, method, list(args), kwargs]
        site = self.site(model, method)
        return self._service(
            "object", "execute_kw", *call, site=site, defer_rows_from=defer_rows_from
        )


class XmlRpcProtocol(JsonRpcProtocol):
    """POST /xmlrpc/2/<service> (all versions up to 21); None and big integers handled.

    The same services as JSON-RPC, in another envelope.
    """

    name = "xmlrpc"

    def _service(
        self,
        service: str,
        method: str,
        *args: Any,
        site: CallSite | None = None,
        defer_rows_from: int | None = None,  # XML-RPC answers are decoded at once
    ) -> Any:
        site = site or self.site()
        try:
            body = xmlrpc.client.dumps(tuple(args), method, allow_none=True, encoding="utf-8")
        except OverflowError:
            raise _too_big(site, "one of the values sent is larger") from None
        answer = self.transport.request(
            "POST", f"/xmlrpc/2/{service}", body=body.encode(), content_type="text/xml"
        )
        if answer.status != 200 or "xml" not in answer.content_type:
            raise not_odoo(answer, "has no Odoo XML-RPC endpoint")
        try:
            result, _ = xmlrpc.client.loads(answer.text, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            if _NONE_RESULT in fault.faultString:
                return None  # the method ran and returned None, which Odoo cannot marshal
            if _BIG_INT_RESULT in fault.faultString:
                raise _too_big(site, "the call ran, but its answer holds a larger one") from None
            raise map_xmlrpc_fault(fault.faultCode, fault.faultString, site) from None
        except (ExpatError, xmlrpc.client.ResponseError):
            raise not_odoo(answer, "answered with something that is not XML-RPC") from None
        return result[0] if result else None


def _too_big(site: CallSite, which: str) -> errors.XmlRpcLimitError:
    return errors.XmlRpcLimitError(
        f"{site.model}.{site.method}: XML-RPC cannot carry integers beyond 2**31-1 and {which}. "
        "Set protocol to jsonrpc or json2.",
        model=site.model,
        method=site.method,
    )


class Json2Protocol(Protocol):
    """POST /json/2/<model>/<method> with a bearer API key and named arguments (Odoo 19+)."""

    name = "json2"

    def authenticate(self, database: str | None) -> int:
        self.database = database
        context = self.execute("res.users", "context_get", (), {})
        uid = context.get("uid") if isinstance(context, dict) else None
        if not isinstance(uid, int):
            raise errors.ServerError(
                "res.users.context_get answered without a uid; this server's JSON-2 API is not "
                "usable: set protocol to jsonrpc."
            )
        self.uid = uid
        return uid

    def execute(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        *,
        defer_rows_from: int | None = None,
    ) -> Any:
        site = self.site(model, method)
        headers = {"Authorization": f"bearer {self._secret}"}
        if self.database:
            headers["X-Odoo-Database"] = self.database
        body = dumps(json2_body(model, method, args, kwargs))
        answer = self.transport.request(
            "POST",
            f"/json/2/{model}/{method}",
            body=body,
            content_type="application/json",
            headers=headers,
        )
        if answer.status == 200 and answer.is_json:
            if defer_rows_from:
                page = deferred_page(answer.text, None, defer_rows_from)
                if page is not None:
                    return page
            return answer.json()
        if answer.is_json:
            payload = answer.json()
            if isinstance(payload, dict) and "name" in payload:
                raise map_odoo_error(
                    payload.get("name"), str(payload.get("message", "")), site, status=answer.status
                )
        if answer.status == 404 and "No database is selected" in answer.text:
            raise database_not_found(site, self.database, None, message=flat(answer.text[:300]))
        raise not_odoo(answer, "has no usable JSON-2 API (Odoo 19 or later)")


class WebSessionProtocol(Protocol):
    """The web client's routes: /web/session/authenticate + /web/dataset/call_kw (cookie).

    Not part of the XML-RPC/JSON-RPC deprecation. An expired session is renewed once per call.
    """

    name = "websession"

    def __init__(self, transport: HttpTransport, username: str, secret: str) -> None:
        super().__init__(transport, username, secret)
        self._login_lock = threading.Lock()
        self._session_generation = 0

    def authenticate(self, database: str | None) -> int:
        self.database = database
        params = {"db": database, "login": self.username, "password": self._secret}
        try:
            info = jsonrpc_post(self.transport, "/web/session/authenticate", params, self.site())
        except errors.AuthenticationError:
            raise self._refused(database) from None
        uid = info.get("uid") if isinstance(info, dict) else None
        if not uid:
            raise self._refused(database)
        self.uid = int(uid)
        self._session_generation += 1
        return self.uid

    def execute(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        *,
        defer_rows_from: int | None = None,
    ) -> Any:
        generation = self._session_generation
        call = (model, method, args, kwargs, defer_rows_from)
        try:
            return self._call_kw(*call)
        except errors.SessionExpired:
            # Odoo checks the session before running anything: re-sending is safe.
            with self._login_lock:
                if generation == self._session_generation:
                    self._renew_session()
            try:
                return self._call_kw(*call)
            except errors.SessionExpired:
                raise errors.AuthenticationError(
                    f"Odoo at {self.transport.base_url} ended the web session of "
                    f"{self.username!r} again right after a new login; use protocol jsonrpc "
                    "or json2."
                ) from None

    def _renew_session(self) -> None:
        """Log in again. The call it serves never ran, so a lost login answer makes the whole
        call safe to retry, even a write."""
        try:
            self.authenticate(self.database)
        except errors.TransientError as error:
            error.may_have_run = False
            raise

    def _call_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        defer_rows_from: int | None,
    ) -> Any:
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        path = f"/web/dataset/call_kw/{model}/{method}"
        site = self.site(model, method)
        return jsonrpc_post(self.transport, path, params, site, defer_rows_from=defer_rows_from)


PROTOCOL_CLASSES: dict[str, type[Protocol]] = {
    cls.name: cls for cls in (JsonRpcProtocol, XmlRpcProtocol, Json2Protocol, WebSessionProtocol)
}


def jsonrpc_post(
    transport: HttpTransport,
    path: str,
    params: dict[str, Any],
    site: CallSite,
    *,
    defer_rows_from: int | None = None,
) -> Any:
    """POST a JSON-RPC 2.0 envelope; return `result` or raise the mapped error.

    With `defer_rows_from`, a result of at least that many rows may be an undecoded RowsPage.
    """
    envelope = {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(_request_ids)}
    answer = transport.request("POST", path, body=dumps(envelope), content_type="application/json")
    if defer_rows_from and answer.status == 200 and answer.is_json:
        page = deferred_page(answer.text, "result", defer_rows_from)
        if page is not None:
            return page
    payload = _jsonrpc_payload(answer, path)
    error = payload.get("error")
    if error is None:
        return payload.get("result")
    data = error.get("data") or {} if isinstance(error, dict) else {}
    if isinstance(error, dict) and error.get("code") == 100:
        raise errors.SessionExpired(str(data.get("message", "Session expired")))
    message = data.get("message") or (error.get("message") if isinstance(error, dict) else "")
    raise map_odoo_error(data.get("name"), str(message or error), site)


def _jsonrpc_payload(answer: HttpAnswer, path: str) -> dict[str, Any]:
    if answer.status == 404:
        raise not_odoo(answer, f"has no Odoo JSON-RPC route {path}")
    if answer.status != 200 or not answer.is_json:
        raise not_odoo(answer, "did not answer like Odoo")
    payload = answer.json()
    if not isinstance(payload, dict) or not ({"result", "error"} & payload.keys()):
        raise not_odoo(answer, "answered JSON that is not JSON-RPC")
    return payload


def dumps(value: Any) -> bytes:
    """JSON for Odoo: datetimes as "YYYY-MM-DD HH:MM:SS", dates ISO, Decimals as numbers."""
    return json.dumps(value, default=_odoo_json_default, ensure_ascii=False).encode()


def _odoo_json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Odoo")
