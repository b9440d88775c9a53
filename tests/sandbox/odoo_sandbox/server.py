"""The sandbox's HTTP server: threads, keep-alive, Odoo-like headers, and fault injection.

`Sandbox` owns an engine, a FaultPlan, counters and a threading HTTP server; protocols live in
`odoo_sandbox.protocols`.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from odoo_sandbox.faults import Fault, FaultPlan
from odoo_sandbox.protocols import Gateway, Request, Response, Router, SessionStore, Stats, pages
from odoo_sandbox.protocols.http import Disconnect, http_date

_log = logging.getLogger("odoo_sandbox.server")
SERVER_HEADER = f"Werkzeug/2.2.2 Python/{platform.python_version()}"  # as recorded


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so no client talks to a stopped sandbox."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer
    _server_header = SERVER_HEADER

    def version_string(self) -> str:
        return self._server_header

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The tap uses the server's Date as its clock: follow the engine's clock.
        return http_date(self.server.sandbox.engine.now())

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        _log.debug("%s - %s", self.address_string(), format % args)

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        try:
            body = self._read_body()
        except ValueError:  # a malformed Content-Length or chunk size
            self.close_connection = True
            self._send(pages.bad_request())
            return
        request = Request(
            method=self.command,
            path=urlsplit(self.path).path,
            headers=self.headers,
            body=body,
            cookies=self._cookies(),
        )
        try:
            response = sandbox.respond(request)
        except Exception:  # the last guard: never a traceback page, never a hang
            _log.exception("unexpected error answering %s %s", self.command, request.path)
            response = pages.internal_error()
        if isinstance(response, Disconnect):
            self._drop(response.partial)
        else:
            self._send(response)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _cookies(self) -> dict[str, str]:
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in cookie.items()}

    def _send(self, response: Response) -> None:
        self._server_header = response.server or SERVER_HEADER
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(response.body)  # one write: headers and body together
        self.flush_headers()

    def _drop(self, partial_headers: bool) -> None:
        """Close the connection (after part of the headers: a worker killed mid-answer)."""
        partial = (
            f"HTTP/1.1 200 OK\r\nServer: {SERVER_HEADER}\r\n"
            "Content-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
        )
        self.close_connection = True
        try:
            if partial_headers:
                self.wfile.write(partial.encode())
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Sandbox:
    """An Odoo-compatible server on a free port, with seeded data and fault injection."""

    def __init__(
        self,
        odoo_version: int = 17,
        scale: int = 1,
        db_path: str | None = None,
        seed: int = 42,
        faults: str | FaultPlan | None = None,
        extra_models: int = 0,
        engine: Any = None,
        narrow_search_read: str | Iterable[str] | Mapping[str, str] | None = None,
    ) -> None:
        self.odoo_version = odoo_version
        self._engine_options = {
            "odoo_version": odoo_version,
            "scale": scale,
            "db_path": db_path,
            "seed": seed,
            "extra_models": extra_models,
            "narrow_search_read": narrow_search_read,
        }
        self._engine = engine
        self._faults = FaultPlan.parse(faults)
        self.stats = Stats()
        self.sessions = SessionStore(self._faults, self.stats)
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._router: Router | None = None

    @property
    def engine(self) -> Any:
        """The ORM behind the server (built on first use)."""
        if self._engine is None:
            from odoo_sandbox.engine import Engine  # noqa: PLC0415 - heavy: only when needed

            self._engine = Engine(**self._engine_options)
        if hasattr(self._engine, "declared_narrow"):  # narrow search_read from the fault plan
            self._engine.declared_narrow = self._faults.narrow_search_read_models
        return self._engine

    @property
    def faults(self) -> FaultPlan:
        """The live fault plan; assign a spec string or a FaultPlan to replace its settings."""
        return self._faults

    @faults.setter
    def faults(self, spec: str | FaultPlan | None) -> None:
        self._faults.reset()
        self._faults.configure(spec.to_spec() if isinstance(spec, FaultPlan) else spec)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        """Serve in background threads; returns once the port accepts connections."""
        if self._server is not None:
            return self
        gateway = Gateway(self.engine, self._faults, self.stats, self.odoo_version)
        self._router = Router(gateway, self.sessions)
        self._server = _HTTPServer((host, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"odoo-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        _log.info("odoo-sandbox %s serving %s on %s", self.odoo_version, self.database, self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, self._server = self._server, None
        self._faults.release()  # no request thread stays held by a block fault
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        close = getattr(self._engine, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port served."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:8069."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host = self._server.server_address[0]
        return f"http://{host}:{self.port}"

    @property
    def database(self) -> str:
        """The one database served."""
        return self.engine.database

    @property
    def users(self) -> dict:
        """{login: {"uid", "password", "api_key"}}: "admin", the restricted "demo" and the
        least-privilege "integration" (see `integration.py`)."""
        return self.engine.users

    @property
    def settings(self) -> dict:
        """Connection settings of the admin user: url, database, username, password, api_key."""
        return self.settings_for("admin")

    def settings_for(self, login: str) -> dict:
        """Connection settings of one user ("admin", "demo", "integration")."""
        user = self.users[login]
        return {
            "url": self.url,
            "database": self.database,
            "username": login,
            "password": user["password"],
            "api_key": user["api_key"],
        }

    @property
    def secrets(self) -> list[str]:
        """Every password and API key of this sandbox's users (for leak scans).

        Passwords are seeded random `pw-<16 hex>` tokens and API keys 40 hex characters, unlike
        any login or word of the data, so a scan finds only real leaks. A secret equal to a login
        would still be left out (the username appears in output legitimately).
        """
        found = []
        for login, user in self.users.items():
            found += [
                user[key]
                for key in ("password", "api_key")
                if user.get(key) and user[key] not in self.users and user[key] != login
            ]
        return found

    def respond(self, request: Request) -> Response | Disconnect:
        """Answer one request, injecting the planned faults."""
        if self._router is None:
            raise RuntimeError("the sandbox is not started")
        self.stats.count_request()
        prepared = self._router.prepare(request)
        if prepared.target:
            self.stats.count_received(prepared.target)
        if self._faults.latency_ms:
            time.sleep(self._faults.latency_seconds)
        fault = self._faults.draw(prepared.target)
        if fault is None:
            return prepared.run()
        self.stats.count_fault(fault.kind)
        _log.info("injecting fault %s on %s", fault.kind, prepared.target or request.path)
        if fault.kind == "drop_after":
            prepared.run()
            return Disconnect()
        if fault.kind == "block":
            self._faults.hold()
            return Disconnect(partial=False)  # never ran, as if lost in a stuck proxy
        if fault.kind == "block_after":
            response = prepared.run()
            self._faults.hold()
            return response
        if fault.kind == "block_before":
            self._faults.hold()
            return prepared.run()
        return _fault_response(fault)

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Sandbox(odoo_version={self.odoo_version}, {where})"


def _fault_response(fault: Fault) -> Response | Disconnect:
    if fault.kind in ("drop", "reset"):
        return Disconnect(partial=fault.kind == "drop")
    if fault.kind == "429":
        return pages.too_many_requests(fault.retry_after)
    if fault.kind == "maintenance":
        return pages.maintenance()
    return pages.proxy_error(int(fault.kind))
