"""Retries and failures: injected faults recovered within the budget, writes never re-sent blindly,
authentication failing fast, bad servers named as such.

The tests taking the `over` fixture run once per protocol the client speaks (xmlrpc, jsonrpc and
websession against Odoo 17, json2 against Odoo 19 with an API key).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors
from odoo_sandbox import Sandbox
from odoo_sandbox.faults import Fault
from odoo_sandbox.protocols.sessions import session_expired


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """An own Odoo 17 sandbox: these tests inject faults and write records."""
    sandbox = Sandbox(odoo_version=17, scale=1).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def sb19() -> Iterator[Sandbox]:
    """An own Odoo 19 sandbox, for JSON-2."""
    sandbox = Sandbox(odoo_version=19, scale=1).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _clean(sb: Sandbox, sb19: Sandbox) -> Iterator[None]:
    yield
    for sandbox in (sb, sb19):
        sandbox.faults.reset()
        sandbox.stats.reset()


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


# Every protocol ---------------------------------------------------------------------------------

PROTOCOLS = ("xmlrpc", "jsonrpc", "websession", "json2")
# Only the web routes have a session: /jsonrpc and /xmlrpc send the password with every call,
# JSON-2 a bearer API key.
SESSION_PROTOCOLS = frozenset({"websession"})
LOST_ANSWERS = ("502", "504", "drop", "reset", "drop_after")  # a write may have run
NOT_RUN = ("429", "503")  # the server says it did not run the request


@dataclass(frozen=True)
class Over:
    """One protocol and the sandbox speaking it."""

    protocol: str
    sandbox: Sandbox

    @property
    def secret_key(self) -> str:
        """Which of the admin's secrets this protocol logs in with."""
        return "api_key" if self.protocol == "json2" else "password"

    def client(self, **overrides: object) -> OdooClient:
        """A client on this protocol (not connected yet), with tiny backoff waits."""
        config: dict[str, object] = {
            "protocol": self.protocol,
            "password": self.sandbox.users["admin"][self.secret_key],
            **overrides,
        }
        return client_for(self.sandbox, database=self.sandbox.database, **config)

    def connected(self, **overrides: object) -> OdooClient:
        """A logged-in client; the sandbox's counters start from zero after the login."""
        connected = self.client(**overrides)
        connected.authenticate()
        assert connected.protocol == self.protocol
        self.sandbox.stats.reset()
        return connected

    def calls(self, target: str) -> int:
        """How many times the ORM ran `model.method` since the counters were reset."""
        return self.sandbox.stats.snapshot()["calls"].get(target, 0)


@pytest.fixture(params=PROTOCOLS)
def over(request: pytest.FixtureRequest, sb: Sandbox, sb19: Sandbox) -> Over:
    """Each protocol in turn, with the sandbox to use it on."""
    return Over(request.param, sb19 if request.param == "json2" else sb)


def fail_requests(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, plan: dict[int, str]) -> None:
    """Fail the n-th request the sandbox receives from now on with `plan[n]` (a fault kind).

    For requests `fail_next(when=...)` cannot aim at, having no ORM call: logins, the version.
    """
    real_draw = sandbox.faults.draw
    numbers = itertools.count(1)

    def draw(target: str | None) -> Fault | None:
        kind = plan.get(next(numbers))
        return Fault(kind, retry_after=0) if kind else real_draw(target)

    monkeypatch.setattr(sandbox.faults, "draw", draw)


@pytest.mark.parametrize("kind", [*NOT_RUN, *LOST_ANSWERS])
def test_every_protocol_retries_a_read(over: Over, kind: str) -> None:
    client = over.connected()
    over.sandbox.faults.fail_next(kind, count=2, retry_after=0, when="res.partner.search_read")
    assert client.search_read("res.partner", [["id", "=", 1]], ["id"]) == [{"id": 1}]
    assert client.retries == 2
    assert over.sandbox.stats.snapshot()["faults"] == {kind: 2}
    # Only drop_after lets the call run before the answer is lost.
    assert over.calls("res.partner.search_read") == (3 if kind == "drop_after" else 1)


def test_every_protocol_waits_as_long_as_retry_after_says(over: Over) -> None:
    client = over.connected()
    over.sandbox.faults.fail_next("429", retry_after=1, when="res.partner.search_count")
    started = time.monotonic()
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    waited = time.monotonic() - started
    assert 1.0 <= waited < 2.5  # the backoff alone waits at most 0.05 s here
    assert client.retries == 1


@pytest.mark.parametrize("page", ["429", "maintenance"])
def test_every_protocol_gives_up_when_retry_after_is_beyond_the_budget(
    over: Over, page: str
) -> None:
    client = over.connected(max_retry_time=5)
    over.sandbox.faults.fail_next(page, retry_after=30, when="res.partner.search_count")
    wanted = 30 if page == "429" else 60  # the maintenance page says 60 s
    started = time.monotonic()
    with pytest.raises(
        errors.ServerUnavailableError, match=rf"asking to wait {wanted} s, beyond max_retry_time"
    ) as caught:
        client.search_count("res.partner")
    assert time.monotonic() - started < 1.0  # not waited for in vain
    assert caught.value.attempts == 1
    assert client.retries == 0


@pytest.mark.parametrize("kind", NOT_RUN)
def test_every_protocol_resends_a_write_the_server_did_not_run(over: Over, kind: str) -> None:
    client = over.connected()
    name = f"after-{kind}-{over.protocol} {uuid.uuid4().hex[:8]}"
    over.sandbox.faults.fail_next(kind, count=2, retry_after=0, when="res.partner.create")
    ids = client.create("res.partner", [{"name": name}])
    assert partners_named(client, name) == ids
    assert client.retries == 2
    assert over.calls("res.partner.create") == 1


@pytest.mark.parametrize("kind", LOST_ANSWERS)
def test_every_protocol_never_resends_a_write_whose_answer_is_lost(over: Over, kind: str) -> None:
    client = over.connected()
    name = f"lost-{kind}-{over.protocol} {uuid.uuid4().hex[:8]}"
    over.sandbox.faults.fail_next(kind, when="res.partner.create")
    with pytest.raises(errors.WriteOutcomeUnknownError, match="not sent again"):
        client.create("res.partner", [{"name": name}])
    assert client.retries == 0
    ran = kind == "drop_after"
    assert over.sandbox.stats.snapshot()["requests"] == 1  # sent once, never again
    assert over.calls("res.partner.create") == (1 if ran else 0)
    assert len(partners_named(client, name)) == (1 if ran else 0)


def test_every_protocol_reports_a_dropped_write_as_unknown_outcome(over: Over) -> None:
    client = over.connected()
    [partner] = client.create("res.partner", [{"name": f"to-rename {uuid.uuid4().hex[:8]}"}])
    renamed = f"renamed-{over.protocol} {uuid.uuid4().hex[:8]}"
    over.sandbox.stats.reset()
    over.sandbox.faults.fail_next("drop_after", when="res.partner.write")
    with pytest.raises(errors.WriteOutcomeUnknownError, match=r"res\.partner\.write"):
        client.write("res.partner", [partner], {"name": renamed})
    assert over.calls("res.partner.write") == 1
    assert partners_named(client, renamed) == [partner]  # it did run, once
    assert client.retries == 0


def test_every_protocol_recovers_a_read_within_the_budget(over: Over) -> None:
    client = over.connected(max_retries=5)
    for kind in ("502", "drop", "reset", "504", "503"):  # used in this order
        over.sandbox.faults.fail_next(kind, when="res.partner.search")
    assert client.search("res.partner", [["id", "=", 1]]) == [1]
    assert client.retries == 5
    assert over.sandbox.faults.pending() == 0
    # The count goes on over the calls, for the run summary.
    over.sandbox.faults.fail_next("drop", when="res.partner.read")
    assert client.read("res.partner", [1], ["id"]) == [{"id": 1}]
    assert client.retries == 6


def test_every_protocol_ends_the_budget_with_the_attempt_count(over: Over) -> None:
    client = over.connected(max_retries=2)
    over.sandbox.faults.fail_next("reset", count=10, when="res.partner.search_read")
    with pytest.raises(errors.ServerUnavailableError, match="gave up after 3 attempts") as caught:
        client.search_read("res.partner", [], ["id"], limit=1)
    assert caught.value.attempts == 3
    assert client.retries == 2
    assert over.sandbox.faults.pending() == 7


@pytest.mark.parametrize("kind", ["502", "503", "drop", "reset"])
def test_every_protocol_retries_a_lost_login(
    over: Over, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    client = over.client()
    fail_requests(monkeypatch, over.sandbox, {2: kind})  # the version, then the login
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    assert client.retries == 1
    assert over.sandbox.stats.snapshot()["requests"] == 4


def test_every_protocol_fails_fast_on_a_refused_login(over: Over) -> None:
    client = over.client(password="Wrong-Secret-123")
    with pytest.raises(errors.AuthenticationError):
        client.authenticate()
    assert over.sandbox.stats.snapshot()["requests"] == 2  # the version, then one login
    with pytest.raises(errors.AuthenticationError):
        client.search_count("res.partner")  # not tried again
    assert over.sandbox.stats.snapshot()["requests"] == 2
    assert client.retries == 0


def test_every_protocol_fails_fast_when_the_secret_is_revoked_mid_run(over: Over) -> None:
    client = over.connected()
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1  # the web session's call
    admin = over.sandbox.users["admin"]
    secret = admin[over.secret_key]
    admin[over.secret_key] = "Revoked-Secret-456"
    try:
        # The sandbox keeps existing web sessions when a password changes: end this one.
        over.sandbox.faults.configure(session_ttl=1)
        over.sandbox.stats.reset()
        with pytest.raises(errors.AuthenticationError):
            client.search_count("res.partner")
        # One call; on websession the call plus one new login, refused.
        assert over.sandbox.stats.snapshot()["requests"] == (
            2 if over.protocol in SESSION_PROTOCOLS else 1
        )
        assert client.retries == 0
    finally:
        admin[over.secret_key] = secret


def test_session_expiry_re_authenticates_only_where_there_is_a_session(over: Over) -> None:
    client = over.connected()
    over.sandbox.faults.configure(session_ttl=2)
    counts = [client.search_count("res.partner", [["id", "=", 1]]) for _ in range(7)]
    assert counts == [1] * 7
    snapshot = over.sandbox.stats.snapshot()
    if over.protocol in SESSION_PROTOCOLS:
        # Calls 3, 5 and 7 find the session ended: each is answered by one login and re-sent.
        assert snapshot["sessions_expired"] == 3
        assert snapshot["requests"] == 7 + 3 * 2
    else:
        assert snapshot["sessions_expired"] == 0
        assert snapshot["requests"] == 7
    assert snapshot["calls"]["res.partner.search_count"] == 7
    assert client.retries == 0


def test_session_expiry_resends_a_write_exactly_once(over: Over) -> None:
    client = over.connected()
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    over.sandbox.faults.configure(session_ttl=1)  # the session has had its one call
    name = f"after-expiry-{over.protocol} {uuid.uuid4().hex[:8]}"
    ids = client.create("res.partner", [{"name": name}])
    assert over.calls("res.partner.create") == 1
    assert over.sandbox.stats.snapshot()["sessions_expired"] == (
        1 if over.protocol in SESSION_PROTOCOLS else 0
    )
    over.sandbox.faults.configure(session_ttl=0)
    assert partners_named(client, name) == ids


def test_web_session_re_authenticates_once_then_says_so(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Over("websession", sb).connected()

    def always_expired(sid: str | None) -> None:
        raise session_expired()

    monkeypatch.setattr(sb.sessions, "use", always_expired)
    with pytest.raises(errors.AuthenticationError, match="again right after a new login"):
        client.search_count("res.partner")
    assert sb.stats.snapshot()["requests"] == 3  # the call, one login, the call again
    assert client.retries == 0


def expiring_web_session(sb: Sandbox) -> OdooClient:
    """A web-session client whose session expires at its next call (counters reset)."""
    client = Over("websession", sb).connected()
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    sb.faults.configure(session_ttl=1)
    sb.stats.reset()
    return client


@pytest.mark.parametrize("kind", ["503", "502", "drop"])
def test_web_session_renewal_retries_a_lost_login_on_a_read(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    client = expiring_web_session(sb)
    fail_requests(monkeypatch, sb, {2: kind})  # the expired call, then the new login
    assert client.search_count("res.partner", [["id", "=", 1]]) == 1
    assert client.retries == 1
    assert sb.stats.snapshot()["calls"]["res.partner.search_count"] == 1


@pytest.mark.parametrize("kind", ["503", "502", "drop"])
def test_web_session_renewal_retries_a_lost_login_on_a_write(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    client = expiring_web_session(sb)
    fail_requests(monkeypatch, sb, {2: kind})  # the expired create, then the new login
    name = f"relogin-{kind} {uuid.uuid4().hex[:8]}"
    # The create never ran (the session had expired) and a login is safe to re-send.
    ids = client.create("res.partner", [{"name": name}])
    assert sb.stats.snapshot()["calls"]["res.partner.create"] == 1
    assert client.retries == 1
    sb.faults.configure(session_ttl=0)
    assert partners_named(client, name) == ids


@pytest.mark.parametrize("kind", ["503", "drop_after"])
def test_web_session_renewal_then_the_resent_write_follows_the_write_rules(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    client = expiring_web_session(sb)
    fail_requests(monkeypatch, sb, {3: kind})  # the expired create, the login, the create again
    name = f"resent-{kind} {uuid.uuid4().hex[:8]}"
    if kind == "drop_after":
        with pytest.raises(errors.WriteOutcomeUnknownError, match="not sent again"):
            client.create("res.partner", [{"name": name}])
        assert client.retries == 0
    else:
        client.create("res.partner", [{"name": name}])
        assert client.retries == 1
    assert sb.stats.snapshot()["calls"]["res.partner.create"] == 1
    sb.faults.configure(session_ttl=0)
    assert len(partners_named(client, name)) == 1
