"""Fault injection: the FaultPlan on its own, then every fault kind observed over the wire."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from odoo_sandbox import FaultPlan
from odoo_sandbox.faults import Fault

FULL_SPEC = (
    "error_rate=0.05,errors=429+502+503+504+drop,retry_after=2,latency_ms=30,"
    "poison_field=res.partner:x_poison+account.move:foo,session_ttl=50,html_maintenance=1,seed=7"
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
    assert plan.session_ttl == 50
    assert plan.html_maintenance is True
    assert plan.seed == 7


def test_spec_round_trips_through_to_spec() -> None:
    plan = FaultPlan(FULL_SPEC)
    again = FaultPlan(plan.to_spec())
    assert again.to_spec() == plan.to_spec()
    assert again.poison_fields == plan.poison_fields


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
