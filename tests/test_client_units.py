"""Pieces of odoo_client that need no server: waits, Retry-After, JSON-2 bodies, retry policy."""

from __future__ import annotations

import logging
import random
import xmlrpc.client
from datetime import datetime, timezone

import pytest

from odoo_client import ConnectionSettings, errors
from odoo_client.connect import database_named_by_host
from odoo_client.methods import is_read_only, json2_body
from odoo_client.protocols import XmlRpcProtocol
from odoo_client.retry import RetryPolicy, wait_times
from odoo_client.transport import HttpAnswer, parse_retry_after


def _waits(failures: list[object], initial: float = 1.0, maximum: float = 60.0) -> list[float]:
    generator = wait_times(initial, maximum)
    generator.send(None)
    return [generator.send(failure) for failure in failures]


def test_waits_grow_exponentially_with_full_jitter() -> None:
    random.seed(7)
    plain = errors.TransientError("x", may_have_run=False)
    samples = [_waits([plain] * 8, initial=1.0, maximum=20.0) for _ in range(300)]
    for attempt, cap in enumerate([1, 2, 4, 8, 16, 20, 20, 20]):
        column = [sample[attempt] for sample in samples]
        assert all(0.0 <= wait <= cap for wait in column)
        assert max(column) > cap * 0.9  # full jitter reaches the cap ...
        assert min(column) < cap * 0.1  # ... and goes down to zero


def test_retry_after_is_used_as_is() -> None:
    told = errors.TransientError("429", may_have_run=False, retry_after=7.0)
    plain = errors.TransientError("503", may_have_run=False)
    waits = _waits([told, plain, told], initial=0.001, maximum=0.002)
    assert waits[0] == 7.0
    assert waits[1] <= 0.002
    assert waits[2] == 7.0


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 22, 8, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("5", now) == 5.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("Sun, 22 Nov 2026 08:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sun, 22 Nov 2026 07:59:00 GMT", now) == 0.0
    assert parse_retry_after("999999", now) == 3600.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "body"),
    [
        (
            "search_read",
            ([["a", "=", 1]], ["name"], 10, 5, "id"),
            {},
            {
                "domain": [["a", "=", 1]],
                "fields": ["name"],
                "offset": 10,
                "limit": 5,
                "order": "id",
            },
        ),
        (
            "search_read",
            ([],),
            {"fields": ["name"], "load": None},
            {"domain": [], "fields": ["name"], "load": None},
        ),
        (
            "search",
            ([], 0, 3, "id desc"),
            {},
            {"domain": [], "offset": 0, "limit": 3, "order": "id desc"},
        ),
        ("search_count", ([], 5), {}, {"domain": [], "limit": 5}),
        (
            "read",
            ([1, 2], ["name"]),
            {"load": None},
            {"ids": [1, 2], "fields": ["name"], "load": None},
        ),
        ("create", ([{"name": "a"}],), {}, {"vals_list": [{"name": "a"}]}),
        ("write", ([1], {"name": "b"}), {}, {"ids": [1], "vals": {"name": "b"}}),
        ("unlink", ([1],), {}, {"ids": [1]}),
        ("copy", ([4],), {"default": {"name": "c"}}, {"ids": [4], "default": {"name": "c"}}),
        ("fields_get", (), {"attributes": ["type"]}, {"attributes": ["type"]}),
        (
            "check_access_rights",
            ("read",),
            {"raise_exception": False},
            {"operation": "read", "raise_exception": False},
        ),
        ("has_access", ([], "read"), {}, {"ids": [], "operation": "read"}),
        ("name_search", ("Deco",), {"limit": 5}, {"name": "Deco", "limit": 5}),
        ("action_post", ([58],), {}, {"ids": [58]}),
        (
            "button_confirm",
            ([12],),
            {"context": {"lang": "fr_FR"}},
            {"ids": [12], "context": {"lang": "fr_FR"}},
        ),
        ("context_get", (), {}, {}),
    ],
)
def test_json2_bodies_use_the_methods_parameter_names(
    method: str, args: tuple, kwargs: dict, body: dict
) -> None:
    assert json2_body("res.partner", method, args, kwargs) == body


def test_json2_body_refuses_what_it_cannot_name() -> None:
    with pytest.raises(TypeError, match="named arguments only"):
        json2_body("account.move", "action_post", ([1], "extra"), {})
    with pytest.raises(TypeError, match="both by position and name"):
        json2_body("res.partner", "search", ([],), {"domain": []})


def test_read_only_methods() -> None:
    assert all(
        map(
            is_read_only,
            [
                "search_read",
                "read",
                "fields_get",
                "name_search",
                "check_access_rights",
                "context_get",
                "search_count",
            ],
        )
    )
    assert not any(
        map(
            is_read_only,
            ["create", "write", "unlink", "action_post", "copy", "button_confirm", None, ""],
        )
    )


def _policy(**overrides: float) -> RetryPolicy:
    options = {
        "max_retries": 3,
        "max_retry_time": 5.0,
        "initial_wait": 0.001,
        "max_wait": 0.002,
        **overrides,
    }
    return RetryPolicy(logger=logging.getLogger("test-retry"), **options)  # type: ignore[arg-type]


def _failing(failures: list[Exception], result: object = "ok"):
    calls = []

    def action() -> object:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return result

    return action, calls


def test_policy_retries_reads_until_success_and_counts() -> None:
    policy = _policy()
    action, calls = _failing([errors.TransientError("drop", may_have_run=True)] * 3)
    assert policy.run(action, what="res.partner.read", read_only=True) == "ok"
    assert (len(calls), policy.retries) == (4, 3)


def test_policy_gives_up_with_the_attempt_count() -> None:
    policy = _policy(max_retries=2)
    action, calls = _failing([errors.TransientError("HTTP 503", may_have_run=False)] * 5)
    with pytest.raises(errors.ServerUnavailableError, match="HTTP 503; gave up after 3") as caught:
        policy.run(action, what="res.partner.read", read_only=True)
    assert (caught.value.attempts, len(calls)) == (3, 3)


def test_policy_resends_a_write_only_when_it_surely_did_not_run() -> None:
    policy = _policy()
    action, calls = _failing([errors.TransientError("HTTP 429", may_have_run=False)])
    assert policy.run(action, what="res.partner.create", read_only=False) == "ok"
    assert len(calls) == 2
    action, calls = _failing([errors.TransientError("HTTP 502", may_have_run=True)])
    with pytest.raises(errors.WriteOutcomeUnknownError, match=r"res\.partner\.create: HTTP 502"):
        policy.run(action, what="res.partner.create", read_only=False)
    assert len(calls) == 1


def test_policy_gives_a_server_that_never_answered_a_short_budget() -> None:
    def unreached(kind: str) -> errors.TransientError:
        return errors.TransientError(
            f"cannot reach http://odoo:8069: {kind}",
            may_have_run=False,
            first_contact=kind,
            hint="Nothing has answered there in this run: check the url.",
        )

    for kind, attempts in (("no_connection", 3), ("timeout", 2)):
        policy = _policy(max_retries=8)
        action, calls = _failing([unreached(kind)] * 9)
        with pytest.raises(errors.ServerUnreachableError, match="check the url") as caught:
            policy.run(action, what="asking the server version", read_only=True)
        assert (len(calls), caught.value.attempts, policy.retries) == (
            attempts,
            attempts,
            attempts - 1,
        )
    # Once something answered (a proxy's 503), the whole budget applies again.
    policy = _policy(max_retries=8)
    answered = [errors.TransientError("HTTP 503", may_have_run=False)] * 6
    action, calls = _failing([unreached("no_connection"), *answered])
    assert policy.run(action, what="asking the server version", read_only=True) == "ok"
    assert len(calls) == 8


def test_policy_never_retries_odoo_errors() -> None:
    policy = _policy()
    action, calls = _failing([errors.AuthenticationError("refused")])
    with pytest.raises(errors.AuthenticationError):
        policy.run(action, what="login", read_only=True)
    assert (len(calls), policy.retries) == (1, 0)


class _CannedTransport:
    """Answers every request with one XML-RPC body."""

    base_url = "http://odoo:8069"

    def __init__(self, body: str) -> None:
        self.body = body

    def request(self, method: str, path: str, **kwargs: object) -> HttpAnswer:
        return HttpAnswer(200, "text/xml; charset=utf-8", self.body, self.base_url + path)


def _xmlrpc_fault_body(text: str) -> str:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(1, f"Traceback ...\n{text}"))


def test_xmlrpc_none_result_is_none_and_big_int_result_is_explained() -> None:
    none = XmlRpcProtocol(
        _CannedTransport(  # type: ignore[arg-type]
            _xmlrpc_fault_body("TypeError: cannot marshal None unless allow_none is enabled")
        ),
        "admin",
        "key",
    )
    assert none.execute("account.move", "action_post", [[1]], {}) is None
    big = XmlRpcProtocol(
        _CannedTransport(_xmlrpc_fault_body("OverflowError: int exceeds XML-RPC limits")),  # type: ignore[arg-type]
        "admin",
        "key",
    )
    with pytest.raises(errors.XmlRpcLimitError, match="the call ran, but its answer"):
        big.execute("res.partner", "search_read", [[]], {})


def test_a_retry_after_beyond_the_time_budget_gives_up_at_once() -> None:
    policy = _policy(max_retry_time=2.0)
    action, calls = _failing(
        [errors.TransientError("HTTP 429", may_have_run=False, retry_after=30)]
    )
    with pytest.raises(errors.ServerUnavailableError, match="wait 30 s, beyond max_retry_time"):
        policy.run(action, what="res.partner.read", read_only=True)
    assert len(calls) == 1


def test_odoo_online_database_is_named_after_the_subdomain() -> None:
    def settings(url: str) -> ConnectionSettings:
        return ConnectionSettings.from_config({"url": url, "username": "u", "password": "p"})

    assert database_named_by_host(settings("https://acme.odoo.com/odoo")) == "acme"
    for url in ("https://erp.example.com", "https://odoo.com", "https://a.b.odoo.com"):
        with pytest.raises(errors.ConfigurationError, match="does not list its databases"):
            database_named_by_host(settings(url))
