"""Faults for bounded-loop and stop tests: a call failing forever (`fail_always`), an Odoo
UserError from the ORM call itself (`user_error`), a request held until released (`block`,
`block_after`), and `stats.received`, which counts faulted requests too."""

from __future__ import annotations

import threading

import pytest
import requests

from odoo_sandbox import FaultPlan


def count_partners(client, name: str) -> int:
    """search_count of partners named `name`, archived ones included."""
    domain = [["name", "=", name]]
    return client.result(
        "res.partner", "search_count", [domain], {"context": {"active_test": False}}
    )


def test_fail_always_never_runs_out_and_received_counts_what_failed(sandbox, wire) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_always("503", when="res.partner.search_count")

    args = [client.db, client.uid, client.password, "res.partner", "search_count", [[]]]
    params = {"service": "object", "method": "execute_kw", "args": args}
    answers = [client.post_json("/jsonrpc", params).status_code for _ in range(5)]
    client.result("res.partner", "search", [[]], {"limit": 1})

    snapshot = sandbox.stats.snapshot()
    assert answers == [503] * 5
    assert snapshot["received"] == {"res.partner.search": 1, "res.partner.search_count": 5}
    assert snapshot["calls"] == {"res.partner.search": 1}  # the faulted ones never ran
    assert snapshot["faults"] == {"503": 5}


def test_user_error_is_odoo_refusing_the_call(sandbox, wire, sandbox19) -> None:
    client = wire(sandbox)
    sandbox.faults.fail_always("user_error", when="res.partner.create")

    body = client.execute_kw("res.partner", "create", [{"name": "Refused Always"}])
    again = client.execute_kw("res.partner", "create", [{"name": "Refused Always"}])

    assert body["error"]["data"]["name"] == "odoo.exceptions.UserError"
    assert "res.partner.create is refused (user_error)" in body["error"]["data"]["message"]
    assert again["error"]["data"]["name"] == "odoo.exceptions.UserError"
    assert count_partners(client, "Refused Always") == 0
    assert sandbox.stats.snapshot()["calls"]["res.partner.create"] == 2
    assert sandbox.stats.snapshot()["received"]["res.partner.create"] == 2
    assert sandbox.stats.faults["user_error"] == 2

    sandbox19.faults.fail_always("user_error", when="res.partner.create")
    refused = wire(sandbox19).json2("res.partner", "create", {"vals_list": [{"name": "X"}]})
    assert refused.status_code == 422
    assert refused.json()["name"] == "odoo.exceptions.UserError"


def test_user_error_rules_are_not_transport_faults() -> None:
    plan = FaultPlan()
    plan.fail_next("user_error", count=2, when="res.partner.write")
    assert plan.draw("res.partner.write") is None  # the HTTP layer lets it through
    assert plan.draw_orm_error("res.partner.create") is None
    assert plan.draw_orm_error("res.partner.write").kind == "user_error"
    assert plan.draw_orm_error("res.partner.write").kind == "user_error"
    assert plan.draw_orm_error("res.partner.write") is None


def test_skip_lets_the_first_matching_requests_through() -> None:
    plan = FaultPlan()
    plan.fail_next("503", when="res.partner.create", skip=2)
    plan.fail_next("user_error", when="res.partner.write", skip=1)
    assert plan.draw("res.partner.read") is None
    assert plan.draw("res.partner.create") is None
    assert plan.draw("res.partner.create") is None
    assert plan.draw("res.partner.create").kind == "503"
    assert plan.draw("res.partner.create") is None
    assert plan.draw_orm_error("res.partner.write") is None
    assert plan.draw_orm_error("res.partner.write").kind == "user_error"


@pytest.mark.parametrize("kind", ["block", "block_after", "user_error"])
def test_random_errors_cannot_hold_or_refuse(kind: str) -> None:
    with pytest.raises(ValueError, match=f"unknown fault kind '{kind}'"):
        FaultPlan(f"error_rate=0.1,errors=502+{kind}")


def _create_in_thread(client, name: str) -> tuple[threading.Thread, list]:
    outcome: list = []

    def create() -> None:
        try:
            outcome.append(client.execute_kw("res.partner", "create", [{"name": name}]))
        except requests.RequestException as error:
            outcome.append(error)

    thread = threading.Thread(target=create, daemon=True)
    thread.start()
    return thread, outcome


def test_block_holds_the_call_then_drops_it_without_running_it(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    fresh.faults.fail_next("block", when="res.partner.create")
    thread, outcome = _create_in_thread(wire(fresh), "Held Before")

    assert fresh.faults.wait_held(1, timeout=30)
    assert fresh.stats.snapshot()["received"] == {"res.partner.create": 1}
    assert thread.is_alive()  # still waiting for its answer
    fresh.faults.release()
    thread.join(timeout=30)

    assert isinstance(outcome[0], requests.exceptions.ConnectionError)
    assert count_partners(wire(fresh), "Held Before") == 0
    assert fresh.stats.faults["block"] == 1
    assert fresh.faults.held == 0


def test_block_after_runs_the_call_and_holds_its_answer(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    fresh.faults.fail_next("block_after", when="res.partner.create")
    thread, outcome = _create_in_thread(wire(fresh), "Held After")

    assert fresh.faults.wait_held(1, timeout=30)
    assert count_partners(wire(fresh), "Held After") == 1  # done, not yet answered
    assert not outcome
    fresh.faults.release()
    thread.join(timeout=30)

    assert isinstance(outcome[0]["result"], int)


def test_block_before_holds_the_call_then_runs_it(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    fresh.faults.fail_next("block_before", when="res.partner.create")
    thread, outcome = _create_in_thread(wire(fresh), "Held Before")

    assert fresh.faults.wait_held(1, timeout=30)
    assert count_partners(wire(fresh), "Held Before") == 0  # held, not yet run
    fresh.faults.release()
    thread.join(timeout=30)

    assert isinstance(outcome[0]["result"], int)
    assert count_partners(wire(fresh), "Held Before") == 1


def test_reset_releases_held_requests(make_sandbox, wire) -> None:
    fresh = make_sandbox()
    fresh.faults.fail_next("block", when="res.partner.create")
    thread, _ = _create_in_thread(wire(fresh), "Held Reset")
    assert fresh.faults.wait_held(1, timeout=30)

    fresh.faults.reset()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert fresh.faults.wait_held(1, timeout=0) is False
