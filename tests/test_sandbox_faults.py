"""Fault injection: the FaultPlan on its own, then every fault kind observed over the wire."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
import requests

from odoo_sandbox import FaultPlan, Sandbox
from odoo_sandbox.faults import Fault

FULL_SPEC = (
    "error_rate=0.05,errors=429+502+503+504+drop,retry_after=2,latency_ms=30,"
    "poison_field=res.partner:x_poison+account.move:foo,poison_ids=9+3,session_ttl=50,"
    "html_maintenance=1,seed=7"
)


# ---- the plan ------------------------------------------------------------------------------


def test_spec_sets_every_setting() -> None:
    plan = FaultPlan(FULL_SPEC)
    assert plan.error_rate == 0.05
    assert plan.errors == ("429", "502", "503", "504", "drop")
    assert plan.retry_after == 2.0
    assert plan.latency_ms == 30.0
    assert plan.poison_fields == {("res.partner", "x_poison"), ("account.move", "foo")}
    assert plan.poisoned("res.partner") == {"x_poison"}
    assert plan.poison_ids == {3, 9}
    assert plan.session_ttl == 50
    assert plan.html_maintenance is True
    assert plan.seed == 7


def test_spec_round_trips_through_to_spec() -> None:
    plan = FaultPlan(FULL_SPEC)
    again = FaultPlan(plan.to_spec())
    assert again.to_spec() == plan.to_spec()
    assert again.poison_fields == plan.poison_fields
    assert again.poison_ids == plan.poison_ids


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("error_rat=0.1", "unknown fault setting 'error_rat'"),
        ("errors=429+418", "unknown fault kind '418'"),
        ("poison_field=res.partner", "poison_field wants model:field"),
        ("error_rate=2", "error_rate must be between 0 and 1"),
        ("latency_ms", "wants key=value"),
    ],
)
def test_bad_spec_says_what_is_wrong(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        FaultPlan(spec)


def test_draws_repeat_for_a_seed() -> None:
    first = FaultPlan("error_rate=0.3,errors=502+503,seed=11")
    second = FaultPlan("error_rate=0.3,errors=502+503,seed=11")
    draws = [first.draw("res.partner.read") for _ in range(200)]
    assert draws == [second.draw("res.partner.read") for _ in range(200)]
    kinds = [fault.kind for fault in draws if fault]
    assert set(kinds) == {"502", "503"}
    assert 35 <= len(kinds) <= 85  # ~30 % of 200


def test_rate_zero_and_one() -> None:
    never, always = FaultPlan("error_rate=0"), FaultPlan("error_rate=1,errors=504")
    assert [never.draw(None) for _ in range(50)] == [None] * 50
    assert {always.draw(None).kind for _ in range(50)} == {"504"}


def test_fail_next_counts_and_filters_by_model_method() -> None:
    plan = FaultPlan()
    plan.fail_next("503", count=2, when="res.partner.create", retry_after=4)
    assert plan.draw(None) is None
    assert plan.draw("res.partner.write") is None
    assert plan.draw("res.partner.bank.create") is None
    assert plan.draw("res.partner.create") == plan.draw("res.partner.create") == Fault("503", 4)
    assert plan.draw("res.partner.create") is None
    assert plan.pending() == 0


def test_fail_next_returns_its_kind_and_retry_after() -> None:
    plan = FaultPlan("retry_after=9")
    plan.fail_next("429", when="res.partner")
    plan.fail_next("502")
    assert plan.draw("account.move.read").kind == "502"
    fault = plan.draw("res.partner.search_read")
    assert (fault.kind, fault.retry_after) == ("429", 9.0)
    assert plan.draw("res.partner.search_read") is None


def test_fail_next_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'teapot'"):
        FaultPlan().fail_next("teapot")


def test_reset_forgets_settings_and_queued_failures() -> None:
    plan = FaultPlan(FULL_SPEC)
    plan.fail_next("drop", count=3)
    plan.reset()
    assert plan.draw("res.partner.read") is None
    assert plan.pending() == 0
    assert plan.to_spec() == FaultPlan().to_spec()


def test_fail_next_is_exact_under_threads() -> None:
    plan = FaultPlan()
    plan.fail_next("502", count=100)
    hits: list[int] = []

    def worker() -> None:
        hits.append(sum(1 for _ in range(50) if plan.draw("res.partner.read")))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(hits) == 100


def test_configure_takes_keywords_and_the_sandbox_setter_replaces_settings() -> None:
    plan = FaultPlan().configure(error_rate=0.5, errors=["502", "drop"], session_ttl=4)
    assert (plan.error_rate, plan.errors, plan.session_ttl) == (0.5, ("502", "drop"), 4)
    sandbox = Sandbox(faults=plan)
    assert sandbox.faults is plan
    sandbox.faults = "latency_ms=5"
    assert sandbox.faults is plan
    assert (plan.error_rate, plan.session_ttl, plan.latency_ms) == (0.0, None, 5.0)


# ---- over the wire -------------------------------------------------------------------------

DROPPED = requests.exceptions.ChunkedEncodingError  # "Response ended prematurely"


def count_partners(client, name: str) -> int:
    """search_count of partners named `name`, archived ones included."""
    domain = [["name", "=", name]]
    return client.result(
        "res.partner", "search_count", [domain], {"context": {"active_test": False}}
    )


def test_429_carries_retry_after_then_the_next_call_works(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_next("429", retry_after=3)
    refused = client.post_json("/jsonrpc", {"service": "common", "method": "version", "args": []})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3"
    assert "<title>429 Too Many Requests</title>" in refused.text
    assert client.call("common", "version")["result"]["server_serie"] == "17.0"
    assert sandbox.stats.faults["429"] == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_proxy_errors_answer_nginx_pages(sandbox, wire, status: int) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_next(str(status))
    answer = client.post_json("/jsonrpc", {"service": "common", "method": "version", "args": []})
    assert answer.status_code == status
    assert answer.headers["Server"] == "nginx"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<center><h1>{status} " in answer.text
    assert sandbox.stats.faults[str(status)] == 1


def test_drop_closes_the_connection_before_the_call_runs(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    client = wire(fresh)
    fresh.faults.fail_next("drop", when="res.partner.create")
    with pytest.raises(DROPPED):
        client.execute_kw("res.partner", "create", [{"name": "Dropped Before"}])
    assert count_partners(client, "Dropped Before") == 0
    assert fresh.stats.faults["drop"] == 1


def test_drop_after_runs_the_write_but_the_client_never_hears(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    client = wire(fresh)
    fresh.faults.fail_next("drop_after", when="res.partner.create")
    with pytest.raises(DROPPED):
        client.execute_kw("res.partner", "create", [{"name": "Outcome Unknown"}])
    assert count_partners(client, "Outcome Unknown") == 1
    assert fresh.stats.faults["drop_after"] == 1


def test_reset_closes_without_a_byte(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_next("reset")
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection aborted"):
        client.call("db", "list")
    assert client.call("db", "list")["result"] == [sandbox.database]
    assert sandbox.stats.faults["reset"] == 1


def test_drop_over_xmlrpc(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_next("drop")
    with pytest.raises(http.client.IncompleteRead):
        client.xmlrpc("common").version()


def test_when_filter_spares_other_calls(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_next("503", when="res.partner.search_count")
    assert "result" in client.call("common", "version")
    assert "result" in client.execute_kw("res.partner", "search", [[]], {"limit": 1})
    hit = client.post_json(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [client.db, client.uid, client.password, "res.partner", "search_count", [[]]],
        },
    )
    assert hit.status_code == 503
    assert sandbox.stats.faults == {"503": 1}


def test_seeded_error_rate_fails_the_calls_the_plan_predicts(sandbox, wire) -> None:
    client = wire(sandbox)
    spec = "error_rate=0.4,errors=502,seed=5"
    twin = FaultPlan(spec)
    predicted = [twin.draw(None) is not None for _ in range(30)]
    sandbox.faults.configure(spec)
    params = {"service": "common", "method": "version", "args": []}
    failed = [client.post_json("/jsonrpc", params).status_code == 502 for _ in range(30)]
    assert failed == predicted
    assert sandbox.stats.faults["502"] == sum(predicted) > 0


def test_latency_is_added_to_each_request(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.configure("latency_ms=150")
    started = time.perf_counter()
    client.call("common", "version")
    assert time.perf_counter() - started >= 0.15


def test_html_maintenance_answers_every_route(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.configure("html_maintenance=1")
    for answer in (
        client.post_json("/jsonrpc", {"service": "common", "method": "version", "args": []}),
        client.http.get(sandbox.url + "/web/login"),
        client.post_json("/web/webclient/version_info", {}),
    ):
        assert answer.status_code == 503
        assert "<title>Odoo is under maintenance</title>" in answer.text
    sandbox.faults.reset()
    assert client.call("common", "version")["result"]["server_version"] == "17.0"


def test_poisoned_field_is_listed_and_fails_only_when_read(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.configure("poison_field=res.partner:x_poison")
    fields = client.result("res.partner", "fields_get", [], {"attributes": ["type", "string"]})
    assert fields["x_poison"] == {"type": "char", "string": "Poison"}
    rows = client.result("res.partner", "search_read", [[]], {"fields": ["name"], "limit": 2})
    assert len(rows) == 2
    for kwargs in ({"fields": ["name", "x_poison"], "limit": 2}, {"limit": 1}):
        error = client.execute_kw("res.partner", "search_read", [[]], kwargs)["error"]
        assert error["code"] == 200
        assert error["data"]["name"] == "builtins.ValueError"
        assert error["data"]["message"].startswith("Compute method failed to assign res.partner(")
        assert error["data"]["message"].endswith(",).x_poison")
    ids = [rows[0]["id"]]
    error = client.execute_kw("res.partner", "read", [ids, ["x_poison"]])["error"]
    assert (
        error["data"]["message"]
        == f"Compute method failed to assign res.partner({ids[0]},).x_poison"
    )
    assert sandbox.stats.faults["poison_field"] == 3


def test_sessions_expire_after_session_ttl_calls(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.configure("session_ttl=3")
    assert client.login_session()["result"]["uid"] == client.uid
    for _ in range(3):
        assert isinstance(client.call_kw("res.partner", "search_count", [[]])["result"], int)
    expired = client.call_kw("res.partner", "search_count", [[]])
    assert expired["error"]["code"] == 100
    assert expired["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    assert sandbox.stats.sessions_expired == 1
    client.login_session()
    assert "result" in client.call_kw("res.partner", "search_count", [[]])


def test_stats_count_calls_per_model_and_method(sandbox, wire) -> None:
    client = wire(sandbox)
    client.result("res.partner", "search_count", [[]])
    client.result("res.partner", "search_count", [[["is_company", "=", True]]])
    client.result("res.country", "search", [[]], {"limit": 1})
    assert sandbox.stats.calls == {
        ("res.partner", "search_count"): 2,
        ("res.country", "search"): 1,
    }
    assert sandbox.stats.snapshot()["calls"] == {
        "res.country.search": 1,
        "res.partner.search_count": 2,
    }


def test_faults_given_at_start_apply(make_sandbox, wire) -> None:
    fresh = make_sandbox(faults="error_rate=1,errors=504")
    answer = wire(fresh).post_json("/web/webclient/version_info", {})
    assert answer.status_code == 504


def test_poisoned_existing_field_over_json2(sandbox19, wire) -> None:
    client = wire(sandbox19)
    sandbox19.faults.configure("poison_field=res.partner:email")
    fields = client.json2("res.partner", "fields_get", {"attributes": ["type"]}).json()
    assert fields["email"] == {"type": "char"}
    ok = client.json2("res.partner", "search_read", {"domain": [], "fields": ["name"], "limit": 1})
    assert ok.status_code == 200
    failed = client.json2(
        "res.partner", "search_read", {"domain": [], "fields": ["name", "email"], "limit": 1}
    )
    assert failed.status_code == 500
    body = failed.json()
    assert body["name"] == "builtins.ValueError"
    assert (
        body["message"]
        == f"Compute method failed to assign res.partner({ok.json()[0]['id']},).email"
    )
    assert sandbox19.stats.faults == {"poison_field": 1}


def test_poison_ids_make_only_reads_of_those_rows_fail(sandbox, wire) -> None:
    client = wire(sandbox)
    ids = client.result("res.partner", "search", [[]], {"order": "id asc", "limit": 6})
    sandbox.faults.configure(poison_field="res.partner:email", poison_ids=str(ids[4]))
    domain = [("id", "in", ids)]
    for offset, limit, fails in ((0, 3, False), (3, 3, True), (0, 0, True), (5, 1, False)):
        kwargs = {"fields": ["email"], "offset": offset, "order": "id asc"}
        if limit:
            kwargs["limit"] = limit
        body = client.execute_kw("res.partner", "search_read", [domain], kwargs)
        assert ("error" in body) is fails, (offset, limit)
        if fails:
            assert body["error"]["data"]["message"].startswith(
                f"Compute method failed to assign res.partner({ids[4]},)"
            )
    assert "error" not in client.execute_kw("res.partner", "read", [ids[:4], ["email"]])
    assert "error" in client.execute_kw("res.partner", "read", [ids, ["email"]])


def test_row_latency_grows_with_the_rows_a_read_returns(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.configure(row_latency_us=2000)
    assert "row_latency_us=2000" in sandbox.faults.to_spec()
    timings = {}
    for limit in (1, 200):
        started = time.perf_counter()
        rows = client.result("res.partner", "search_read", [[]], {"fields": ["id"], "limit": limit})
        timings[limit] = time.perf_counter() - started
        assert len(rows) == limit
    assert timings[200] >= 0.4  # 200 rows x 2 ms
    assert timings[1] < timings[200] / 10
    started = time.perf_counter()
    client.result("res.partner", "search_count", [[]])  # not a read of rows: no added time
    assert time.perf_counter() - started < 0.2
