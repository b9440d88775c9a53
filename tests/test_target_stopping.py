"""The stop switch on its own: what a SIGTERM/SIGINT does depending on what the target is doing
(reads and waits abandoned at once, a write in flight given the grace, no new call after),
driven by calling its handlers directly; then with real signals in this process."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from target_odoo.stopping import StoppableClient, Stopped, StopSwitch


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
