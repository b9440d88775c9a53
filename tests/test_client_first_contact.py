"""A server that has never answered in this run fails within seconds; one that answered is waited
for with the whole retry budget (issue 13, "fail fast on a server that never answered").

Attempts are counted where the client sends them (a wrapper around its transport's `request`, or
a fake `requests` session raising what `requests` raises), never by the clock; the elapsed-time
bounds are only a safety net.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest
import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from odoo_client import ConnectionSettings, OdooClient, errors, retry
from odoo_client.transport import FIRST_CONNECT_TIMEOUT, HttpTransport
from odoo_sandbox import Sandbox

SECRET = "Unused-Passw0rd-4711"


def closed_port() -> int:
    """A port where nothing listens: bound, read, closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_for(url: str, **overrides: object) -> OdooClient:
    """A client with the default retry budget (8 retries, 1 s initial wait) unless overridden."""
    config = {"url": url, "database": "odoo17", "username": "admin", "password": SECRET}
    return OdooClient(ConnectionSettings.from_config({**config, **overrides}))


def count_requests(client: OdooClient) -> list[str]:
    """Paths the client's transport is asked to send, filled as it sends them."""
    sent: list[str] = []
    transport = client._transport
    real = transport.request

    def counted(method: str, path: str, **kwargs: object):
        sent.append(path)
        return real(method, path, **kwargs)

    transport.request = counted  # type: ignore[method-assign]
    return sent


def fake_session(client: OdooClient, failure: Callable[[], Exception]) -> list[dict]:
    """Make every request of the client's session raise `failure()`; returns the calls' kwargs."""
    calls: list[dict] = []

    def request(method: str, url: str, **kwargs: object):
        calls.append(kwargs)
        raise failure()

    client._transport.session.request = request  # type: ignore[method-assign]
    return calls


def _connection_error(reason: Exception) -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(reason)


# -- never answered: refused, unknown host, timeouts -----------------------------------------------


def test_nothing_listening_fails_within_seconds_naming_host_and_port() -> None:
    port = closed_port()
    client = client_for(f"http://127.0.0.1:{port}")  # max_retries 8, as users have it
    sent = count_requests(client)
    started = time.monotonic()

    with pytest.raises(errors.ServerUnreachableError) as caught:
        client.authenticate()

    assert len(sent) == 3 == caught.value.attempts
    assert client.retries == 2
    message = str(caught.value)
    assert f"cannot reach http://127.0.0.1:{port} (host 127.0.0.1, port {port})" in message
    assert "connection refused; gave up after 3 attempts" in message
    for check in ("url and port settings", "Odoo runs at 127.0.0.1", f"port {port}", "firewall"):
        assert check in message
    assert SECRET not in message
    # Still "server unavailable" for callers and for the exit code.
    assert isinstance(caught.value, errors.ServerUnavailableError)
    assert caught.value.exit_code == 7
    assert time.monotonic() - started < 15  # safety net: 2 waits of 1 s in fact


def test_an_unknown_host_fails_fast_and_says_to_check_the_host_name() -> None:
    client = client_for("https://acme-typo.example.com", retry_initial_wait=0.01)
    calls = fake_session(
        client,
        lambda: _connection_error(
            NameResolutionError("acme-typo.example.com", None, OSError("Name or service unknown"))
        ),
    )

    with pytest.raises(errors.ServerUnreachableError) as caught:
        client.authenticate()

    assert len(calls) == 3 == caught.value.attempts
    message = str(caught.value)
    assert "(host acme-typo.example.com, port 443): the host name does not resolve" in message
    assert "check the host name in the url setting ('acme-typo.example.com')" in message


def _unreachable_network() -> requests.exceptions.ConnectionError:
    """What requests raises when the route to the host is missing (urllib3 wraps the OSError)."""
    try:
        try:
            raise OSError(101, "Network is unreachable")
        except OSError as cause:
            raise NewConnectionError(None, "Failed to establish a new connection") from cause  # type: ignore[arg-type]
    except NewConnectionError as error:
        return _connection_error(error)


def test_an_unreachable_network_fails_fast_saying_so() -> None:
    client = client_for("http://10.1.2.3:8069", retry_initial_wait=0.01)
    calls = fake_session(client, _unreachable_network)

    with pytest.raises(errors.ServerUnreachableError) as caught:
        client.authenticate()

    assert len(calls) == 3 == caught.value.attempts
    assert "(host 10.1.2.3, port 8069): network is unreachable;" in str(caught.value)


def test_a_connect_timeout_is_tried_twice_with_a_short_connect_timeout() -> None:
    client = client_for("http://10.1.2.3:8069", timeout=120, retry_initial_wait=0.01)
    calls = fake_session(client, lambda: requests.exceptions.ConnectTimeout("timed out"))

    with pytest.raises(errors.ServerUnreachableError) as caught:
        client.authenticate()

    assert len(calls) == 2 == caught.value.attempts
    # connect within FIRST_CONNECT_TIMEOUT s, read within the timeout setting
    assert [call["timeout"] for call in calls] == [(FIRST_CONNECT_TIMEOUT, 120.0)] * 2
    message = str(caught.value)
    assert "(host 10.1.2.3, port 8069): no connection within 10 s" in message
    assert "firewall" in message


def test_a_server_that_accepts_but_never_answers_is_tried_twice() -> None:
    client = client_for("http://odoo.internal:8069", timeout=30, retry_initial_wait=0.01)
    calls = fake_session(client, lambda: requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(errors.ServerUnreachableError, match="no answer within 30 s") as caught:
        client.authenticate()

    assert len(calls) == 2 == caught.value.attempts


def test_a_connection_closed_without_any_answer_fails_fast() -> None:
    client = client_for("http://odoo.internal:5432", retry_initial_wait=0.01)
    calls = fake_session(
        client,
        lambda: _connection_error(ConnectionResetError(104, "Connection reset by peer")),
    )

    with pytest.raises(errors.ServerUnreachableError, match="closed without an answer") as caught:
        client.authenticate()

    assert len(calls) == 3 == caught.value.attempts
    assert "port 5432" in str(caught.value)


def test_max_retries_still_caps_the_first_contact_attempts() -> None:
    client = client_for(f"http://127.0.0.1:{closed_port()}", max_retries=0)
    sent = count_requests(client)
    with pytest.raises(errors.ServerUnreachableError, match="gave up after 1 attempt\\."):
        client.authenticate()
    assert len(sent) == 1


def test_no_first_contact_attempt_starts_after_the_time_bound(monkeypatch) -> None:
    monkeypatch.setattr(retry, "FIRST_CONTACT_TIME", 0.0)
    client = client_for(f"http://127.0.0.1:{closed_port()}")
    sent = count_requests(client)
    with pytest.raises(errors.ServerUnreachableError, match="gave up after 1 attempt\\."):
        client.authenticate()
    assert len(sent) == 1


# -- answered once: the whole budget -----------------------------------------------------------


def test_a_server_that_answered_then_refuses_is_retried_with_the_whole_budget(
    make_sandbox,
) -> None:
    own_sandbox = make_sandbox(odoo_version=17, scale=1)  # this test stops it
    client = client_for(
        own_sandbox.url,
        password=own_sandbox.users["admin"]["password"],
        max_retries=5,
        retry_initial_wait=0.01,
        retry_max_wait=0.02,
    )
    client.authenticate()
    url = own_sandbox.url
    own_sandbox.stop()  # a restart mid-run: nothing listens on its port now
    sent = count_requests(client)

    with pytest.raises(errors.ServerUnavailableError) as caught:
        client.search_count("res.partner", [])

    assert type(caught.value) is errors.ServerUnavailableError  # not "unreachable"
    assert len(sent) == 6 == caught.value.attempts  # max_retries + 1, as before
    assert f"cannot connect to {url}; gave up after 6 attempts" in str(caught.value)
    assert "try again later" in str(caught.value)


def test_a_proxys_503_before_odoo_answers_is_an_answer_and_retried_as_before(
    sandbox: Sandbox,
) -> None:
    client = client_for(
        sandbox.url,
        password=sandbox.users["admin"]["password"],
        max_retries=5,
        retry_initial_wait=0.01,
        retry_max_wait=0.02,
    )
    sent = count_requests(client)
    sandbox.faults.fail_next("503", count=4)  # the first four requests, the version's included

    assert client.authenticate() == sandbox.users["admin"]["uid"]

    assert client.retries == 4  # more than a first contact's 3 attempts
    assert sent[:5] == ["/web/webclient/version_info"] * 5


def test_the_transport_marks_only_failures_before_any_answer() -> None:
    transport = HttpTransport(
        f"http://127.0.0.1:{closed_port()}",
        timeout=5,
        verify_ssl=True,
        user_agent="test",
        pool_size=1,
    )
    with pytest.raises(errors.TransientError) as before:
        transport.request("GET", "/web/version")
    transport.answered = True  # as after any HTTP answer
    with pytest.raises(errors.TransientError) as after:
        transport.request("GET", "/web/version")
    transport.close()

    assert before.value.first_contact == "no_connection"
    assert before.value.may_have_run is False
    assert after.value.first_contact is None
    assert after.value.reason == f"cannot connect to {transport.base_url}"
