"""SIGTERM and SIGINT stop the target within a couple of seconds, from anywhere.

The Singer SDK's own handlers drain every sink (whole batches written, however long that takes)
and exit 0. Here a signal:

- abandons at once what only reads or waits: an Odoo read, a retry wait, reading the input;
- lets a write in flight finish within the grace (`stop_grace_seconds`, default
  STOP_GRACE_SECONDS), then abandons it (records an abandoned create made carry their create
  marker or natural key: the next run adopts them);
- lets the external-id write of records just created run within the same grace: it is part of
  the create (`finishing`);
- never lets another call start (a retry neither).

`Stopped` then goes up: the sink reports the batch's records not written, the target the
records it read and did not write (no state covering them), and the command exits
128 + the signal's number. A second signal abandons whatever is in flight at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import FrameType
from typing import Any

from odoo_client.methods import is_read_only

STOP_GRACE_SECONDS = 1.5  # default of the stop_grace_seconds setting
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# What the target is doing, as the signal handler sees it.
PYTHON, READING, WRITING, WAITING, INPUT = "python", "reading", "writing", "waiting", "input"
INTERRUPTIBLE = frozenset({READING, WAITING, INPUT})  # abandoned at once: nothing is lost
ORM_METHODS = frozenset(
    {"call", "search_read", "search", "search_count", "read", "create", "write", "unlink"}
    | {"fields_get", "authenticate"}
)


class Stopped(BaseException):
    """The run was stopped by a signal. A BaseException, so no `except Exception` keeps it."""

    def __init__(self, signum: int, where: str, abandoned: str | None = None) -> None:
        super().__init__(signum, where)
        self.signum = signum
        self.where = where
        self.abandoned = abandoned  # the write in flight left unanswered ("model.method")
        self.detail = ""  # what the run did, filled in by the target's report

    @property
    def signal_name(self) -> str:
        """SIGTERM, SIGINT, ..."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + self.signum

    def __str__(self) -> str:
        text = f"stopped by {self.signal_name} {self.where}"
        return f"{text}; {self.detail}" if self.detail else text


class StopSwitch:
    """Catches SIGTERM/SIGINT and decides, from what the target is doing, when to raise."""

    def __init__(
        self, grace: float = STOP_GRACE_SECONDS, logger: logging.Logger | None = None
    ) -> None:
        self.grace = grace
        self.logger = logger or logging.getLogger("target_odoo.stopping")
        self.signum: int | None = None
        self.mode = PYTHON
        self.what = ""
        self.finishing = 0
        self.expired = False
        self.raised = False
        self.installed = False

    def install(self) -> None:
        """Handle the stop signals (and the grace timer's SIGALRM); main thread only."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)
        signal.signal(signal.SIGALRM, self._on_deadline)
        self.installed = True

    @property
    def requested(self) -> bool:
        """Whether a stop signal came."""
        return self.signum is not None

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        again = self.signum is not None
        if not again:
            self.signum = signum
            if self.installed:
                signal.setitimer(signal.ITIMER_REAL, max(self.grace, 0.001))
            self.logger.warning(
                "%s received: writing nothing more; a write in flight gets %g s to finish, "
                "then the run stops (a second signal stops it at once)",
                signal.Signals(signum).name,
                self.grace,
            )
        if self.raised:
            return  # already on the way out
        if again or self.mode in INTERRUPTIBLE:
            raise self._stop(cause="a second signal" if again else "")

    def _on_deadline(self, _signum: int, _frame: FrameType | None) -> None:
        if self.signum is None or self.raised:
            return
        self.expired = True  # no call starts any more, not even one finishing a step
        if self.mode != PYTHON:
            raise self._stop(cause=f"no answer within {self.grace:g} s")

    def _stop(self, before: str | None = None, cause: str = "") -> Stopped:
        self.raised = True
        self.disarm()
        abandoned = self.what if self.mode == WRITING and before is None else None
        if before is not None:
            where = f"before {before}"
        elif self.mode == INPUT:
            where = "while reading the input"
        elif self.mode == WAITING:
            where = f"while waiting to retry {self.what}"
        elif self.mode == READING:
            where = f"during {self.what}"
        elif abandoned:
            where = f"during {self.what}, abandoned in flight ({cause})"
        else:
            where = "between calls"
        self.mode = PYTHON
        return Stopped(self.signum or signal.SIGTERM, where, abandoned)

    def disarm(self) -> None:
        """Cancel the grace timer."""
        if self.installed:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def check(self, what: str) -> None:
        """Before a call (or an input line): raise Stopped once a signal came, unless the call
        finishes the current step and the grace is not over."""
        if self.signum is None:
            return
        if self.finishing and not self.expired and not self.raised:
            return
        raise self._stop(before=what)

    @contextmanager
    def calling(self, what: str, read_only: bool) -> Iterator[None]:
        """Around one Odoo call (all its attempts and retry waits)."""
        self.check(what)
        previous = (self.mode, self.what)
        self.mode, self.what = (READING if read_only else WRITING), what
        try:
            yield
        finally:
            self.mode, self.what = previous

    @contextmanager
    def attempt(self, what: str, read_only: bool) -> Iterator[None]:
        """Around each HTTP attempt of a call (odoo_client's `attempt_guard`): none starts once
        stopping; after a failed one a retry wait may follow, which a signal ends at once."""
        self.check(what)
        self.mode, self.what = (READING if read_only else WRITING), what
        try:
            yield
        except BaseException:
            self.mode = WAITING
            raise
        self.mode = PYTHON  # the answer is in hand: let it reach the target

    @contextmanager
    def reading_input(self) -> Iterator[None]:
        """Around reading one input line: a signal abandons the read at once."""
        self.check("reading the next input line")
        previous = (self.mode, self.what)
        self.mode, self.what = INPUT, "reading the input"
        try:
            yield
        finally:
            self.mode, self.what = previous

    @contextmanager
    def finishing_step(self) -> Iterator[None]:
        """Calls that complete a write already made (recording the external ids of records just
        created) may still start once stopping, within the grace."""
        self.finishing += 1
        try:
            yield
        finally:
            self.finishing -= 1


_current = StopSwitch()


def current() -> StopSwitch:
    """The process's stop switch (signals are per process)."""
    return _current


def fresh(grace: float = STOP_GRACE_SECONDS) -> StopSwitch:
    """A new switch for a new run (a test process runs several), now the current one."""
    global _current
    _current = StopSwitch(grace)
    return _current


def finishing(client: Any) -> AbstractContextManager[Any]:
    """`StopSwitch.finishing_step` of the client's switch (a client without one: nothing)."""
    switch = getattr(client, "stop_switch", None)
    return switch.finishing_step() if isinstance(switch, StopSwitch) else nullcontext()


class StoppableClient:
    """The Odoo client with each call checked and marked for the stop switch; every other
    attribute is the client's own."""

    def __init__(self, client: Any, switch: StopSwitch) -> None:
        self.client = client
        self.stop_switch = switch
        if hasattr(client, "attempt_guard"):
            client.attempt_guard = switch.attempt

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.client, name)
        if name not in ORM_METHODS or not callable(value):
            return value

        def guarded(*args: Any, **kwargs: Any) -> Any:
            method = name
            if name == "call":
                method = args[1] if len(args) > 1 else kwargs.get("method", name)
            model = args[0] if args else kwargs.get("model")
            what = "logging in" if name == "authenticate" else f"{model}.{method}"
            with self.stop_switch.calling(what, is_read_only(method)):
                return value(*args, **kwargs)

        return guarded

    def __repr__(self) -> str:
        return f"StoppableClient({self.client!r})"
