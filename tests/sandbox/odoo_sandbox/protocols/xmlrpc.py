"""XML-RPC: /xmlrpc/2/<service> (integer fault codes) and the legacy /xmlrpc/<service>."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import xmlrpc.client
from typing import Any

from odoo_sandbox.exceptions import OdooServerException
from odoo_sandbox.protocols import errors, pages
from odoo_sandbox.protocols.http import XML_TYPE, Prepared, Request, Response, ready
from odoo_sandbox.protocols.services import Services, object_target

_log = logging.getLogger("odoo_sandbox.xmlrpc")
_XML_INVALID = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OdooMarshaller(xmlrpc.client.Marshaller):
    """Odoo's marshaller: no None, dates as strings, bytes as text."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_datetime(self, value: dt.datetime, write: Any) -> None:
        self.dump_unicode(value.strftime("%Y-%m-%d %H:%M:%S"), write)

    def dump_date(self, value: dt.date, write: Any) -> None:
        self.dump_unicode(value.strftime("%Y-%m-%d"), write)

    def dump_bytes(self, value: bytes, write: Any) -> None:
        self.dump_unicode("" if _XML_INVALID.search(value) else value.decode(), write)

    def dump_tuple(self, value: tuple, write: Any) -> None:
        self.dump_array(list(value), write)

    dispatch[dt.datetime] = dump_datetime
    dispatch[dt.date] = dump_date
    dispatch[bytes] = dump_bytes


def _envelope(data: str, odoo_version: int) -> bytes:
    if odoo_version >= 19:
        return f'<?xml version="1.0"?>\n<methodResponse>\n{data}\n</methodResponse>\n'.encode()
    return f"<?xml version='1.0'?>\n<methodResponse>\n{data}</methodResponse>\n".encode()


def dumps_result(result: Any, odoo_version: int) -> bytes:
    """A methodResponse; raises OdooServerException for what XML-RPC cannot carry."""
    try:
        data = OdooMarshaller("utf-8", allow_none=False).dumps((result,))
    except (OverflowError, TypeError) as error:
        raise OdooServerException("builtins." + type(error).__name__, str(error)) from None
    return _envelope(data, odoo_version)


def dumps_fault(fault: xmlrpc.client.Fault, odoo_version: int) -> bytes:
    """A methodResponse carrying a fault."""
    return _envelope(OdooMarshaller("utf-8", allow_none=False).dumps(fault), odoo_version)


def plain(value: Any) -> Any:
    """XML-RPC's Binary and DateTime as the base64 text and date string Odoo's fields take."""
    if isinstance(value, xmlrpc.client.Binary):
        return base64.b64encode(value.data).decode()
    if isinstance(value, xmlrpc.client.DateTime):
        moment = dt.datetime.strptime(value.value, "%Y%m%dT%H:%M:%S")
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def prepare(request: Request, services: Services, service: str, legacy: bool) -> Prepared:
    """Parse an XML-RPC call; the returned Prepared runs it."""
    version = services.gateway.odoo_version
    try:
        params, method = xmlrpc.client.loads(request.body)
    except Exception as error:
        _log.info("unreadable XML-RPC body: %s", type(error).__name__)
        return ready(pages.internal_error())
    params = plain(list(params))
    target = object_target(method, params) if service == "object" else None

    def run() -> Response:
        try:
            body = dumps_result(services.dispatch(service, method or "", params), version)
        except Exception as error:
            fault = errors.xmlrpc_fault(errors.as_odoo_exception(error), version, legacy)
            body = dumps_fault(fault, version)
        return Response(200, body, XML_TYPE)

    return Prepared(target, run)
