"""Every loop of target-odoo that talks to Odoo is bounded: driven against a sandbox that fails
the same way forever (`fail_always`), the sandbox receives at most the loop's bound of calls
(counted by the sandbox: `stats.received`, faulted requests included), and the run ends with one
clear error, or the records fail saying what to do.

Runs ending on an error go through the real command line (its exit code and last line); the
others run in this process, where the bounds (target_odoo.bounds) can be lowered to reach them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_reliability_target import BIN, SCHEMAS, Load, Odoo

from odoo_sandbox import Sandbox
from target_odoo import bounds
from target_odoo.target import TargetOdoo

pytestmark = pytest.mark.e2e

RETRIES = 2  # max_retries of every run here: a call is sent at most 3 times
SETTINGS = {
    "retry_initial_wait": 0.01,
    "retry_max_wait": 0.05,
    "max_retries": RETRIES,
    "max_retry_time": 60,
    "batch_size": 5,
}
INJECTED = "Odoo rejected {0}: Injected fault: {0} is refused (user_error)"


@pytest.fixture(autouse=True)
def _signal_handlers_restored() -> Iterator[None]:
    """Targets run in this process install their stop handlers: pytest's come back after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def record(stream: str, body: dict) -> dict:
    return {"type": "RECORD", "stream": stream, "record": body}


def customers(count: int, **extra) -> list[dict]:
    rows = [{"id": f"C-{i}", "customerName": f"Rel Customer {i}", **extra} for i in range(count)]
    return [SCHEMAS["Customers"], *(record("Customers", row) for row in rows)]


def invoices(count: int, **extra) -> list[dict]:
    """Invoices I-0.. of Load's shape (odd ones posted, 5 lines), for customers C-0.. that
    exist, with `extra` values."""
    with tempfile.TemporaryDirectory() as directory:
        written = Load(customers=count, vendors=0, invoices=count).write(Path(directory) / "in")
        messages = [json.loads(line) for line in written.read_text().splitlines()]
    for message in messages:
        if message["type"] == "RECORD":
            message["record"].update(extra)
    return [message for message in messages if message["stream"] == "Invoices"]


def config(sandbox: Sandbox, tmp_path: Path, **settings) -> dict:
    values = {key: sandbox.settings[key] for key in ("url", "database", "username", "password")}
    return {**values, **SETTINGS, "results_path": str(tmp_path / "results.jsonl"), **settings}


def run(sandbox: Sandbox, tmp_path: Path, messages: list[dict], **settings) -> dict[str, dict]:
    """Run the target in this process; answer the outcome of each record by key."""
    singer = tmp_path / "input.singer"
    singer.write_text("".join(json.dumps(m) + "\n" for m in messages))
    target = TargetOdoo(config=config(sandbox, tmp_path, **settings), validate_config=True)
    with singer.open() as lines:
        target.listen(file_input=lines)
    results = (tmp_path / "results.jsonl").read_text().splitlines()
    return {o["key"]: o for o in map(json.loads, results)}


def run_cli(sandbox: Sandbox, tmp_path: Path, messages: list[dict], **settings):
    """Run the target command; answer (exit code, last stderr line, outcomes by key)."""
    singer = tmp_path / "input.singer"
    singer.write_text("".join(json.dumps(m) + "\n" for m in messages))
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config(sandbox, tmp_path, **settings)))
    command = [str(BIN / "target-odoo"), "--config", str(path), "--input", str(singer)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    results = (tmp_path / "results.jsonl").read_text().splitlines()
    last = done.stderr.strip().splitlines()[-1]
    return done.returncode, last, {o["key"]: o for o in map(json.loads, results)}


def received(sandbox: Sandbox) -> dict[str, int]:
    return sandbox.stats.snapshot()["received"]


def errors(outcomes: dict[str, dict]) -> set[str]:
    return {o.get("error") for o in outcomes.values()}


@pytest.fixture
def fresh(make_sandbox) -> Sandbox:
    return make_sandbox(odoo_version=17, scale=1)


# ---- one call: the client's retries; a server that stays down ends the run ------------------


def test_a_create_odoo_never_takes_is_sent_max_retries_plus_one_times(fresh, tmp_path) -> None:
    fresh.faults.fail_always("503", when="res.partner.create")

    code, last, outcomes = run_cli(fresh, tmp_path, customers(10))

    # was: 3 for the batch, then 3 for each of its 5 records alone, then the next batch
    assert received(fresh)["res.partner.create"] == RETRIES + 1
    assert code == 7
    assert last.startswith("error: ServerUnavailableError: res.partner.create: HTTP 503 ")
    assert last.endswith(
        f"gave up after {RETRIES + 1} attempts. The server is down, overloaded or restarting: "
        "try again later, or raise max_retries / max_retry_time."
    )
    assert {o["status"] for o in outcomes.values()} == {"not_written"}
    assert sorted(outcomes) == [f"C-{i}" for i in range(5)]  # the batch; the rest never read
    assert next(iter(errors(outcomes))).startswith(
        "not written: the run ended on ServerUnavailableError: res.partner.create: HTTP 503"
    )


def test_a_retry_wait_beyond_max_retry_time_is_not_waited(fresh, tmp_path) -> None:
    fresh.faults.fail_always("429", when="res.partner.create", retry_after=3600)

    code, last, _ = run_cli(fresh, tmp_path, customers(5), max_retries=100, max_retry_time=30)

    assert received(fresh)["res.partner.create"] == 1
    assert code == 7
    assert "asking to wait 3600 s, beyond max_retry_time; gave up after 1 attempt." in last


def test_max_retry_time_ends_retries_before_max_retries(fresh, tmp_path) -> None:
    fresh.faults.fail_always("503", when="res.partner.create")
    waits = {"retry_initial_wait": 0.05, "retry_max_wait": 0.05}

    code, last, _ = run_cli(
        fresh, tmp_path, customers(5), max_retries=100_000, max_retry_time=1, **waits
    )

    attempts = received(fresh)["res.partner.create"]
    assert 1 < attempts < 100_000  # about 1 s of 0-50 ms waits: the time bound ended it
    assert code == 7
    assert f"gave up after {attempts} attempts" in last


def test_a_lookup_odoo_never_answers_ends_the_run_at_the_first_batch(fresh, tmp_path) -> None:
    run(fresh, tmp_path, customers(10))
    fresh.stats.reset()
    fresh.faults.fail_always("503", when="res.currency.search_read")

    code, last, outcomes = run_cli(fresh, tmp_path, invoices(10))

    # was: every batch tried it (3 times each) and failed its invoices, exit 0
    assert received(fresh)["res.currency.search_read"] == RETRIES + 1
    assert code == 7
    assert last.startswith("error: ServerUnavailableError: res.currency.search_read: HTTP 503")
    assert {o["status"] for o in outcomes.values()} == {"not_written"}
    assert "account.move.create" not in received(fresh)


# ---- isolation: Odoo refuses a batch call, the records are sent one by one -----------------


@pytest.mark.parametrize(
    ("cap", "seconds", "per_batch", "alone"),
    [
        pytest.param(100, 300.0, 1 + 5, 5, id="each-record-alone"),
        pytest.param(2, 300.0, 1 + 2, 2, id="call-cap"),
        pytest.param(100, 0.0, 1, 0, id="time-budget-spent"),
    ],
)
def test_isolating_a_refused_create_is_bounded(
    fresh, tmp_path, monkeypatch, cap, seconds, per_batch, alone
) -> None:
    monkeypatch.setattr(bounds, "ISOLATION_MAX_CALLS", cap)
    monkeypatch.setattr(bounds, "ISOLATION_MAX_SECONDS", seconds)
    fresh.faults.fail_always("user_error", when="res.partner.create")

    outcomes = run(fresh, tmp_path, customers(10))

    assert received(fresh)["res.partner.create"] == 2 * per_batch
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    refused = INJECTED.format("res.partner.create")
    tried = [o for o in outcomes.values() if o["error"].startswith(refused)]
    left = [o for o in outcomes.values() if o["error"].startswith("not tried alone")]
    assert (len(tried), len(left)) == (2 * alone, 10 - 2 * alone)
    for outcome in left:
        assert outcome["error"] == (
            f"not tried alone: Odoo refused the batch's res.partner.create ({refused}) and "
            f"sending its records one by one stopped at its bound ({cap} calls or {seconds:g} "
            "s); fix the records Odoo refuses, or lower batch_size, and re-run"
        )


@pytest.mark.parametrize(("cap", "per_batch"), [(100, 1 + 5), (2, 1 + 2)])
def test_isolating_a_refused_update_is_bounded(fresh, tmp_path, monkeypatch, cap, per_batch):
    run(fresh, tmp_path, customers(5))
    monkeypatch.setattr(bounds, "ISOLATION_MAX_CALLS", cap)
    fresh.stats.reset()
    fresh.faults.fail_always("user_error", when="res.partner.write")

    outcomes = run(fresh, tmp_path, customers(5, emailAddress="changed@rel.example"))

    assert received(fresh)["res.partner.write"] == per_batch
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    assert sum(o["error"] == INJECTED.format("res.partner.write") for o in outcomes.values()) == (
        per_batch - 1
    )


@pytest.mark.parametrize(("cap", "calls"), [(100, (1 + 2) + (1 + 3)), (1, (1 + 1) + (1 + 1))])
def test_isolating_a_refused_action_is_bounded(fresh, tmp_path, monkeypatch, cap, calls) -> None:
    run(fresh, tmp_path, customers(10))
    monkeypatch.setattr(bounds, "ISOLATION_MAX_CALLS", cap)
    fresh.stats.reset()
    fresh.faults.fail_always("user_error", when="account.move.action_post")

    outcomes = run(fresh, tmp_path, invoices(10))  # I-1, I-3 | I-5, I-7, I-9 are posted

    assert received(fresh)["account.move.action_post"] == calls
    posted = [outcomes[f"I-{i}"] for i in (1, 3, 5, 7, 9)]
    assert {o["status"] for o in posted} == {"failed"}
    assert f"action_post failed: {INJECTED.format('account.move.action_post')}" in errors(outcomes)
    assert {outcomes[f"I-{i}"]["status"] for i in (0, 2, 4, 6, 8)} == {"created"}


# ---- recovery after a lost answer: never re-sent, state read back once ----------------------


def test_an_action_whose_answer_is_always_lost_is_sent_once_and_read_back_once(
    fresh, tmp_path
) -> None:
    run(fresh, tmp_path, customers(10))
    fresh.stats.reset()
    fresh.faults.fail_always("drop", when="account.move.action_post")  # never runs

    outcomes = run(fresh, tmp_path, invoices(10))

    assert received(fresh)["account.move.action_post"] == 2  # one per batch
    assert received(fresh)["account.move.read"] == 2  # its state read back, once per batch
    error = outcomes["I-1"]["error"]
    assert error.startswith("action_post: Odoo's answer was lost (")
    assert error.endswith("and it did not happen (state is 'draft'); re-run")


def test_a_create_whose_answer_is_always_lost_is_never_sent_again(fresh, tmp_path) -> None:
    run(fresh, tmp_path, customers(10))
    fresh.stats.reset()
    fresh.faults.fail_always("drop", when="account.move.create")

    outcomes = run(fresh, tmp_path, invoices(10))

    calls = received(fresh)
    assert calls["account.move.create"] == 2  # one per batch: never re-sent, never isolated
    assert calls["account.move.search_read"] == 2 * 2  # per batch: adoption, recovery
    assert errors(outcomes) == {
        "Odoo's answer to the create was lost and nothing was created; re-run"
    }


# ---- external-id bookkeeping and adoption ---------------------------------------------------


def test_an_external_id_write_always_lost_is_tried_twice_per_batch(fresh, tmp_path) -> None:
    fresh.faults.fail_always("drop", when="ir.model.data.create")

    outcomes = run(fresh, tmp_path, customers(10))

    calls = received(fresh)
    assert calls["ir.model.data.create"] == 2 * 2  # sent, looked for, sent once more: per batch
    assert calls["res.partner.create"] == 2
    error = outcomes["C-0"]["error"]
    assert error.startswith("created as res.partner ")
    assert error.endswith(
        "but its external id was not recorded (ir.model.data.create: connection dropped by "
        f"{fresh.url} mid-answer, after the request was sent. Odoo may or may not have done it; "
        "it is not sent again. Check whether it happened (e.g. by external id) before trying "
        "again.); a re-run finds it by its ref and adopts it"
    )


def test_adopting_records_a_stopped_run_left_is_bounded(fresh, tmp_path) -> None:
    odoo = Odoo(fresh)
    for i in range(5):  # created by a run killed before their external ids were written
        odoo("res.partner", "create", [{"name": f"Rel Customer {i}", "ref": f"C-{i}"}])
    fresh.faults.fail_always("drop", when="ir.model.data.create")

    outcomes = run(fresh, tmp_path, customers(5))

    calls = received(fresh)
    assert "res.partner.create" not in calls  # adopted, never created again
    assert calls["res.partner.search_read"] == 1  # by natural key, one call for the batch
    assert calls["ir.model.data.search_read"] <= 3  # known ids, unclaimed ones, after the loss
    assert calls["ir.model.data.create"] == 2
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    assert outcomes["C-0"]["error"].startswith("found as res.partner ")
    assert outcomes["C-0"]["error"].endswith("a re-run finds it by its ref and adopts it")


# ---- lookups ---------------------------------------------------------------------------------


def test_a_lookup_odoo_always_refuses_costs_one_call_per_batch(fresh, tmp_path) -> None:
    run(fresh, tmp_path, customers(10))
    fresh.stats.reset()
    fresh.faults.fail_always("user_error", when="res.currency.search_read")

    outcomes = run(fresh, tmp_path, invoices(10))

    assert received(fresh)["res.currency.search_read"] == 2
    assert "account.move.create" not in received(fresh)
    assert errors(outcomes) == {f"currency_id: {INJECTED.format('res.currency.search_read')}"}


def test_the_lookups_of_a_batch_stop_at_their_bound(fresh, tmp_path, monkeypatch) -> None:
    run(fresh, tmp_path, customers(10))
    monkeypatch.setattr(bounds, "LOOKUP_MAX_FETCHES", 1)
    fresh.stats.reset()

    outcomes = run(fresh, tmp_path, invoices(10))

    calls = received(fresh)  # the one fetch per batch: partners by external id
    assert not {"res.currency.search_read", "account.journal.search_read"} & set(calls)
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    assert errors(outcomes) == {
        "currency_id: not looked up: the lookups of this batch reached their bound (1 calls "
        "or 300 s); re-run (a smaller batch_size looks up fewer values)"
    }


@pytest.mark.parametrize(("cap", "per_batch"), [(100, 1 + 5), (2, 1 + 2)])
def test_isolating_records_a_lookup_creates_is_bounded(
    fresh, tmp_path, monkeypatch, cap, per_batch
) -> None:
    monkeypatch.setattr(bounds, "ISOLATION_MAX_CALLS", cap)
    fresh.faults.fail_always("user_error", when="res.partner.create")
    messages = [
        {**m, "record": {**m["record"], "customerId": None, "customerName": f"New Co {n}"}}
        if m["type"] == "RECORD"
        else m
        for n, m in enumerate(invoices(10))
    ]

    outcomes = run(fresh, tmp_path, messages)

    assert received(fresh)["res.partner.create"] == 2 * per_batch
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    refused = INJECTED.format("res.partner.create")
    assert f"partner_id: creating the res.partner failed: {refused}" in errors(outcomes)
    if cap < 5:
        assert any("partner_id: not tried alone" in e for e in errors(outcomes))


# ---- deletes ---------------------------------------------------------------------------------


def deleted(messages: list[dict]) -> list[dict]:
    stamp = "2026-11-22T08:00:00+00:00"
    return [
        {**m, "record": {**m["record"], "_sdc_deleted_at": stamp}} if m["type"] == "RECORD" else m
        for m in messages
    ]


@pytest.mark.parametrize(("cap", "per_batch"), [(100, 1 + 5), (2, 1 + 2)])
def test_isolating_a_refused_archive_is_bounded(fresh, tmp_path, monkeypatch, cap, per_batch):
    run(fresh, tmp_path, customers(5))
    monkeypatch.setattr(bounds, "ISOLATION_MAX_CALLS", cap)
    fresh.stats.reset()
    fresh.faults.fail_always("user_error", when="res.partner.write")

    outcomes = run(fresh, tmp_path, deleted(customers(5)))

    assert received(fresh)["res.partner.write"] == per_batch
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    refused = f"delete (archive) failed: {INJECTED.format('res.partner.write')}"
    assert sum(o["error"] == refused for o in outcomes.values()) == per_batch - 1


def test_a_cancel_whose_answer_is_always_lost_is_sent_once_and_read_back(fresh, tmp_path):
    run(fresh, tmp_path, customers(5))
    run(fresh, tmp_path, invoices(5, status="DRAFT"))
    fresh.stats.reset()
    fresh.faults.fail_always("drop", when="account.move.button_cancel")

    outcomes = run(fresh, tmp_path, deleted(invoices(5, status="DRAFT")))

    calls = received(fresh)
    assert calls["account.move.button_cancel"] == 1  # the batch's call; a lost answer: no more
    assert calls["account.move.read"] == 2  # the state before, and read back after the loss
    assert {o["status"] for o in outcomes.values()} == {"failed"}
    assert outcomes["I-0"]["error"].startswith(
        "delete (archive: button_cancel) failed: account.move.button_cancel: connection dropped"
    )
