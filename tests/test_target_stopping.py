"""The stop switch on its own: what a SIGTERM/SIGINT does depending on what the target is doing
(reads and waits abandoned at once, a write in flight given the grace, no new call after),
driven by calling its handlers directly; then with real signals in this process."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict

import pytest
from test_target_upsert import MemoryOdoo, customers, invoice, writer_for

from target_odoo.results import Outcome
from target_odoo.stopping import StoppableClient, Stopped, StopSwitch
from target_odoo.unfinished import batch_outcomes, deferred_outcomes
from target_odoo.upsert import Item


def test_a_signal_abandons_a_read_at_once() -> None:
    switch = StopSwitch()
    with pytest.raises(Stopped) as stopped, switch.calling("res.partner.search_read", True):
        switch._on_signal(signal.SIGTERM, None)
    assert stopped.value.where == "during res.partner.search_read"
    assert stopped.value.abandoned is None
    assert stopped.value.exit_code == 143


def test_a_write_in_flight_is_let_finish_and_no_call_starts_after() -> None:
    switch = StopSwitch()
    with switch.calling("res.partner.create", False):
        switch._on_signal(signal.SIGINT, None)  # no raise: the write may finish
    with pytest.raises(Stopped) as stopped:
        switch.check("ir.model.data.create")
    assert stopped.value.where == "before ir.model.data.create"
    assert stopped.value.exit_code == 130
    assert str(stopped.value) == "stopped by SIGINT before ir.model.data.create"


def test_the_step_finishing_a_write_may_run_within_the_grace_only() -> None:
    switch = StopSwitch()
    with switch.calling("res.partner.create", False):
        switch._on_signal(signal.SIGTERM, None)
    with switch.finishing_step():
        switch.check("ir.model.data.create")  # allowed: records the external ids just made
        switch._on_deadline(signal.SIGALRM, None)  # the grace ends between calls: no raise
        with pytest.raises(Stopped):
            switch.check("ir.model.data.search_read")


def test_the_grace_ending_abandons_the_write_in_flight() -> None:
    switch = StopSwitch(grace=2)
    with switch.calling("account.move.create", False):
        switch._on_signal(signal.SIGTERM, None)
        with pytest.raises(Stopped) as stopped:
            switch._on_deadline(signal.SIGALRM, None)
    assert stopped.value.abandoned == "account.move.create"
    assert stopped.value.where == (
        "during account.move.create, abandoned in flight (no answer within 2 s)"
    )


def test_a_second_signal_abandons_the_write_at_once() -> None:
    switch = StopSwitch()
    with switch.calling("account.move.action_post", False):
        switch._on_signal(signal.SIGTERM, None)
        with pytest.raises(Stopped) as stopped:
            switch._on_signal(signal.SIGTERM, None)
    assert "abandoned in flight (a second signal)" in stopped.value.where


def test_a_write_not_yet_sent_is_not_sent_and_not_called_abandoned() -> None:
    switch = StopSwitch()
    with switch.calling("res.partner.create", False):
        switch._on_signal(signal.SIGTERM, None)  # before the client sent it
        with pytest.raises(Stopped) as stopped, switch.attempt("res.partner.create", False):
            pass
    assert stopped.value.where == "before res.partner.create"
    assert stopped.value.abandoned is None


def test_a_retry_wait_is_abandoned_at_once_and_no_retry_is_sent() -> None:
    switch = StopSwitch()
    with switch.calling("res.partner.create", False):
        with pytest.raises(ConnectionError), switch.attempt("res.partner.create", False):
            raise ConnectionError("503")  # the attempt failed: a retry wait follows
        with pytest.raises(Stopped) as stopped:
            switch._on_signal(signal.SIGTERM, None)
    assert stopped.value.where == "while waiting to retry res.partner.create"
    with pytest.raises(Stopped):
        switch.check("res.partner.create")


def test_reading_the_input_is_abandoned_at_once_and_signals_after_the_stop_are_ignored() -> None:
    switch = StopSwitch()
    with pytest.raises(Stopped) as stopped, switch.reading_input():
        switch._on_signal(signal.SIGINT, None)
    assert stopped.value.where == "while reading the input"
    switch._on_signal(signal.SIGTERM, None)  # the report is being written: not interrupted
    switch._on_deadline(signal.SIGALRM, None)


def test_a_signal_between_calls_stops_before_the_next_one() -> None:
    switch = StopSwitch()
    switch._on_signal(signal.SIGTERM, None)
    assert switch.requested
    with pytest.raises(Stopped) as stopped, switch.reading_input():
        pass
    assert stopped.value.where == "before reading the next input line"


class Recorder:
    """A client that records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.attempt_guard = None
        self.settings = "kept"

    def create(self, model: str, vals_list: list) -> list[int]:
        self.calls.append(("create", model))
        return [1]

    def call(self, model: str, method: str, *args: object) -> bool:
        self.calls.append((method, model))
        return True


def test_the_client_refuses_calls_once_stopping_and_wires_the_attempt_guard() -> None:
    switch, odoo = StopSwitch(), Recorder()
    client = StoppableClient(odoo, switch)
    assert odoo.attempt_guard == switch.attempt
    assert client.settings == "kept"
    assert client.create("res.partner", [{}]) == [1]
    assert client.call("account.move", "action_post", [1]) is True
    switch._on_signal(signal.SIGTERM, None)
    with pytest.raises(Stopped) as stopped:
        client.call("account.move", "action_post", [1])
    assert stopped.value.where == "before account.move.action_post"
    assert odoo.calls == [("create", "res.partner"), ("action_post", "account.move")]


@pytest.fixture
def installed() -> Iterator[StopSwitch]:
    """A switch handling this process's real signals; pytest's handlers are restored after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM)}
    switch = StopSwitch(grace=0.2)
    switch.install()
    yield switch
    switch.disarm()
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def read_forever_signalled(doing: AbstractContextManager) -> None:
    """Block on a read nothing ever answers, `doing` so, while SIGTERM is sent to us."""
    reader, writer = os.pipe()
    try:
        with doing:
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM)).start()
            os.read(reader, 1)
    finally:
        os.close(reader)
        os.close(writer)


def test_a_real_signal_ends_a_blocked_read_of_the_input(installed: StopSwitch) -> None:
    with pytest.raises(Stopped) as stopped:
        read_forever_signalled(installed.reading_input())
    assert stopped.value.where == "while reading the input"


def test_the_grace_timer_ends_a_write_that_never_answers(installed: StopSwitch) -> None:
    with pytest.raises(Stopped) as stopped:  # the signal lets it go on; SIGALRM ends it
        read_forever_signalled(installed.calling("res.partner.create", False))
    assert stopped.value.abandoned == "res.partner.create"
    assert "no answer within 0.2 s" in stopped.value.where


# ---- what a run that ends mid-batch reports (unfinished.py), with the in-memory Odoo ----------


class StopsOn(MemoryOdoo):
    """The in-memory Odoo; the run is stopped when `call` ("model.method") is sent."""

    def __init__(self, call: str, abandoned: bool) -> None:
        super().__init__()
        self.stop_at, self.abandoned = call, abandoned

    def _maybe_stop(self, model: str, method: str) -> None:
        if f"{model}.{method}" == self.stop_at:
            what = f"{model}.{method}"
            where = f"during {what}, abandoned in flight (no answer within 1.5 s)"
            raise Stopped(signal.SIGTERM, where, what if self.abandoned else None)

    def create(self, model, vals_list):
        self._maybe_stop(model, "create")
        return super().create(model, vals_list)

    def call(self, model, method, ids, **kwargs):
        self._maybe_stop(model, method)
        return super().call(model, method, ids, **kwargs)


def stopped_batch(odoo: MemoryOdoo, stream: str, records: list[dict]) -> list[dict]:
    writer = writer_for(odoo, stream)
    with pytest.raises(Stopped) as stopped:
        writer.write(records)
    outcomes = batch_outcomes(records, {}, writer, stopped.value, lambda r, why: None)
    return [asdict(outcome) for outcome in outcomes]


def test_records_created_whose_external_ids_were_not_recorded_say_how_a_rerun_adopts_them():
    odoo = StopsOn("ir.model.data.create", abandoned=True)

    outcomes = stopped_batch(odoo, "Customers", customers(2))

    assert [o["status"] for o in outcomes] == ["not_written", "not_written"]
    assert [o["odoo_id"] for o in outcomes] == [p["id"] for p in odoo.rows("res.partner")]
    assert outcomes[0]["error"] == (
        "not written: the run was stopped by SIGTERM during ir.model.data.create, abandoned in "
        f"flight (no answer within 1.5 s) (created as res.partner {outcomes[0]['odoo_id']} but "
        "its external id was not recorded; a re-run finds it by its ref and adopts it); run the "
        "same input again: the re-run compares each record with Odoo and writes only what is "
        "missing"
    )


def test_records_created_and_recorded_before_a_stop_say_so():
    odoo = StopsOn("account.move.action_post", abandoned=True)
    writer_for(odoo, "Customers").write(customers(1))

    outcomes = stopped_batch(odoo, "Invoices", [invoice("I-1", "C-0", status="POSTED")])

    (move,) = odoo.rows("account.move")
    assert outcomes[0]["status"] == "not_written"
    assert (
        f"(created as account.move {move['id']} and its external id recorded)"
        in (outcomes[0]["error"])
    )


def test_a_record_written_in_an_earlier_part_of_the_batch_keeps_its_outcome():
    odoo = StopsOn("", abandoned=False)
    writer = writer_for(odoo, "Customers")
    writer.write(customers(1))
    odoo.stop_at = "res.partner.create"
    more = customers(2)[1:]
    with pytest.raises(Stopped) as stopped:
        writer.write(more)

    first = writer.items[next(iter(writer.completed))].outcome
    outcomes = batch_outcomes(more, {}, writer, stopped.value, lambda r, why: None)

    assert first.status == "created"
    assert [o.status for o in outcomes] == ["not_written"]
    assert outcomes[0].error.startswith(
        "not written: the run was stopped by SIGTERM during res.partner.create"
    )


def test_deferred_actions_that_did_not_run_are_reported_not_written():
    waiting = [
        Item(record={}, outcome=Outcome("account_move", "1", "unchanged"), name="a"),
        Item(record={}, outcome=Outcome("account_move", "2", "updated"), name="b"),
        Item(record={}, outcome=Outcome("account_move", "3", "failed", error="refused"), name="c"),
    ]
    stop = Stopped(signal.SIGINT, "before account.move.action_post")

    reported = deferred_outcomes(waiting, stop)

    assert [(o.key, o.status) for o in reported] == [("1", "not_written"), ("3", "failed")]
    assert reported[0].error.startswith(
        "not finished: the record was written; its action at the end of the input did not run: "
        "the run was stopped by SIGINT before account.move.action_post"
    )
