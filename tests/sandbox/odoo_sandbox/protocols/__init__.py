"""The wire side of the sandbox: which route speaks which protocol.

`Router.prepare(request)` parses a request into a `Prepared` (the ORM call it will make and how to
run it), so the server can inject faults between parsing and running.
"""

from __future__ import annotations

import logging
import re
import threading

from odoo_sandbox.protocols import json2, jsonrpc, pages, xmlrpc
from odoo_sandbox.protocols.gateway import Gateway
from odoo_sandbox.protocols.http import Prepared, Request, Response, ready
from odoo_sandbox.protocols.services import Services
from odoo_sandbox.protocols.sessions import SessionStore
from odoo_sandbox.protocols.stats import Stats
from odoo_sandbox.protocols.web import WebRoutes
from odoo_sandbox.versions import JSON2_SINCE

__all__ = ["Gateway", "Prepared", "Request", "Response", "Router", "SessionStore", "Stats"]

_log = logging.getLogger("odoo_sandbox.rpc")
_XMLRPC_PATH = re.compile(r"/xmlrpc/(2/)?([A-Za-z_]+)")
DEPRECATION = (
    "The /xmlrpc, /xmlrpc/2 and /jsonrpc endpoints are deprecated in Odoo 19 and scheduled for "
    "removal in Odoo 20. Please report the problem to the client making the request."
)


class Router:
    """Maps a request to the protocol handler that answers it."""

    def __init__(self, gateway: Gateway, sessions: SessionStore) -> None:
        self.gateway = gateway
        self.services = Services(gateway)
        self.web = WebRoutes(gateway, sessions)
        self._warned = threading.Event()

    def prepare(self, request: Request) -> Prepared:
        """Parse `request`; never raises for a bad request (the Prepared answers it)."""
        path = request.path
        legacy_rpc = _XMLRPC_PATH.fullmatch(path)
        if legacy_rpc and request.method == "POST":
            self._warn_deprecated()
            return xmlrpc.prepare(request, self.services, legacy_rpc[2], legacy=not legacy_rpc[1])
        if path == "/jsonrpc" and request.method == "POST":
            self._warn_deprecated()
            return jsonrpc.prepare(request, self.services)
        if self.gateway.odoo_version >= JSON2_SINCE and (path + "/").startswith(json2.PREFIX):
            return json2.prepare(request, self.gateway)
        web = self.web.prepare(request)
        if web is not None:
            return web
        return ready(pages.not_found())

    def _warn_deprecated(self) -> None:
        if self.gateway.odoo_version >= 19 and not self._warned.is_set():
            self._warned.set()
            _log.warning(DEPRECATION)
