"""Retries and failures: injected faults recovered within the budget, writes never re-sent blindly,
authentication failing fast, bad servers named as such."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors
from odoo_sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """An own Odoo 17 sandbox: these tests inject faults and write records."""
    sandbox = Sandbox(odoo_version=17, scale=1).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _clean(sb: Sandbox) -> Iterator[None]:
    yield
    sb.faults.reset()
    sb.stats.reset()


def client_for(
    target: Sandbox | str, database: str | None = "odoo17", **overrides: object
) -> OdooClient:
    """A client of a sandbox (or of a bare URL), with tiny backoff waits."""
    sandbox = target if isinstance(target, Sandbox) else None
    config = {
        "url": sandbox.url if sandbox else target,
        "database": database,
        "username": "admin",
        "password": sandbox.users["admin"]["password"] if sandbox else "Unused-Passw0rd",
        "retry_initial_wait": 0.01,
        "retry_max_wait": 0.05,
        "max_retries": 4,
        **overrides,
    }
    return OdooClient(ConnectionSettings.from_config(config))


@pytest.fixture
def client(sb: Sandbox) -> OdooClient:
    """A connected client (the login is done before faults are injected)."""
    connected = client_for(sb)
    connected.authenticate()
    sb.stats.reset()
    return connected


def partners_named(client: OdooClient, name: str) -> list[int]:
    """Ids of partners with exactly this name (the ground truth after a lost answer)."""
    return client.search("res.partner", [["name", "=", name]])


def test_429_waits_as_long_as_retry_after_says(sb: Sandbox, client: OdooClient) -> None:
    sb.faults.fail_next("429", retry_after=1, when="res.partner.search_read")
    started = time.monotonic()
    rows = client.search_read("res.partner", [["id", "=", 1]], ["id"])
    assert rows == [{"id": 1}]
    assert time.monotonic() - started >= 1.0
    assert client.retries == 1
    assert sb.stats.snapshot()["faults"] == {"429": 1}


def test_503_is_retried_even_for_a_write(sb: Sandbox, client: OdooClient) -> None:
    name = f"after-503 {uuid.uuid4().hex[:8]}"
    sb.faults.fail_next("503", count=2, when="res.partner.create")
    ids = client.create("res.partner", [{"name": name}])
    assert partners_named(client, name) == ids
    assert client.retries == 2


@pytest.mark.parametrize("kind", ["502", "504", "drop", "drop_after"])
def test_reads_recover_from_lost_answers(sb: Sandbox, client: OdooClient, kind: str) -> None:
    sb.faults.fail_next(kind, count=2, when="res.partner.search_count")
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    assert client.retries == 2


@pytest.mark.parametrize(("kind", "ran"), [("drop_after", True), ("504", False), ("drop", False)])
def test_a_write_whose_answer_is_lost_is_not_resent(
    sb: Sandbox, client: OdooClient, kind: str, ran: bool
) -> None:
    name = f"lost-{kind} {uuid.uuid4().hex[:8]}"
    sb.faults.fail_next(kind, when="res.partner.create")
    with pytest.raises(errors.WriteOutcomeUnknownError, match="not sent again"):
        client.create("res.partner", [{"name": name}])
    assert client.retries == 0
    assert len(partners_named(client, name)) == (1 if ran else 0)


def test_the_retry_budget_ends_with_the_attempt_count(sb: Sandbox) -> None:
    client = client_for(sb, max_retries=2)
    client.authenticate()
    sb.faults.fail_next("503", count=10, when="res.partner.search_read")
    with pytest.raises(errors.ServerUnavailableError, match="gave up after 3 attempts") as caught:
        client.search_read("res.partner", [], ["id"], limit=1)
    assert caught.value.attempts == 3
    assert client.retries == 2


def test_the_total_retry_time_is_bounded(sb: Sandbox) -> None:
    client = client_for(sb, max_retries=50, max_retry_time=0.5, retry_initial_wait=0.1)
    client.authenticate()
    sb.faults.fail_next("502", count=1000, when="res.partner.search_read")
    started = time.monotonic()
    with pytest.raises(errors.ServerUnavailableError):
        client.search_read("res.partner", [], ["id"], limit=1)
    assert time.monotonic() - started < 2.0


def test_maintenance_page_ends_as_server_unavailable(sb: Sandbox) -> None:
    sb.faults.configure(html_maintenance=1)
    client = client_for(sb, max_retries=0)  # its Retry-After is long: no retry here
    with pytest.raises(errors.ServerUnavailableError, match=r"HTTP 503.*after 1 attempt\."):
        client.authenticate()


def test_web_session_expiry_renews_the_session(make_sandbox) -> None:
    sandbox = make_sandbox(odoo_version=17, faults="session_ttl=2")
    client = client_for(sandbox, protocol="websession")
    counts = [client.search_count("res.partner", [["id", "=", 1]]) for _ in range(7)]
    assert counts == [1] * 7
    assert sandbox.stats.snapshot()["sessions_expired"] == 3
    assert client.retries == 0


@pytest.mark.parametrize(
    ("protocol", "requests"), [("jsonrpc", 2), ("xmlrpc", 2), ("websession", 2)]
)
def test_authentication_failure_fails_fast(sb: Sandbox, protocol: str, requests: int) -> None:
    client = client_for(sb, protocol=protocol, password="Wrong-Secret-123")
    sb.stats.reset()
    with pytest.raises(errors.AuthenticationError) as caught:
        client.authenticate()
    assert sb.stats.snapshot()["requests"] == requests  # the version, then one login
    assert client.retries == 0
    assert "refused login 'admin' on database 'odoo17'" in str(caught.value)
    assert "password/API key is wrong" in str(caught.value)


def test_auto_on_19_tries_the_key_then_the_password_once_each(make_sandbox) -> None:
    sandbox = make_sandbox(odoo_version=19)
    client = client_for(sandbox, database="odoo19", password="Wrong-Secret-123")
    with pytest.raises(errors.AuthenticationError, match="both as an API key") as caught:
        client.authenticate()
    assert "3 months" in str(caught.value)
    assert sandbox.stats.snapshot()["requests"] == 3  # version, JSON-2 login, JSON-RPC login


def test_json2_bad_key_fails_fast_and_says_to_rotate_it(make_sandbox) -> None:
    sandbox = make_sandbox(odoo_version=19)
    client = client_for(
        sandbox.url, database="odoo19", password="Expired-Key-123", protocol="json2"
    )
    with pytest.raises(errors.AuthenticationError, match="3 months"):
        client.authenticate()
    assert sandbox.stats.snapshot()["requests"] == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nothing_listening_is_unavailable_after_retries() -> None:
    client = client_for(f"http://127.0.0.1:{_free_port()}", max_retries=2)
    with pytest.raises(errors.ServerUnavailableError, match="cannot connect") as caught:
        client.authenticate()
    assert caught.value.attempts == 3


class _HtmlPage(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b"<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 (http.server's names)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    """A web server that is not Odoo."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("protocol", ["auto", "jsonrpc", "xmlrpc", "json2", "websession"])
def test_a_web_server_that_is_not_odoo_is_named_as_such(html_server: str, protocol: str) -> None:
    client = client_for(html_server, protocol=protocol)
    with pytest.raises(errors.NotOdooServerError, match="Welcome to nginx") as caught:
        client.authenticate()
    assert caught.value.status == 200
    assert "check the url setting" in str(caught.value)


def test_a_refused_login_is_not_retried_by_other_threads(sb: Sandbox) -> None:
    client = client_for(sb, password="Wrong-Secret-123")
    sb.stats.reset()
    for _ in range(3):
        with pytest.raises(errors.AuthenticationError):
            client.search_count("res.partner")
    assert sb.stats.snapshot()["requests"] == 2


def test_https_to_a_plain_http_server_is_a_tls_error(sb: Sandbox) -> None:
    port = sb.url.rsplit(":", 1)[1]
    client = client_for(f"https://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(errors.NotOdooServerError, match="TLS check failed for https://127"):
        client.authenticate()
    assert client.retries == 0
