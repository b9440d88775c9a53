"""Stopping on SIGTERM or SIGINT within a moment, from wherever the process is.

Meltano, Dagster and hotglue stop a job with SIGTERM, a person with Ctrl-C (SIGINT). Once
`install()` has set the handler, a signal is recorded and then:
- no new request goes out: `OdooClient` calls `check()` before each one, in every thread, so a
  prefetch, a retry or a probe loop ends at its next call;
- when the main thread is waiting on the network (a request, a retry's wait, a prefetched page:
  the places wrapped in `interruptible()`), `Stopped` is raised there at once;
- otherwise (the main thread is writing output) it is raised at the loop's next safe point
  (`check()`), so a half-written line never reaches the output.
The command then writes what it must (the tap its last STATE) and exits with `exit_code`
(128 + the signal's number, as a shell reports a process ended by that signal). A second signal
ends the process at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """Raised where the process stops on a signal.

    A BaseException like KeyboardInterrupt, so that no `except Exception` keeps a loop going.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        """128 + the signal's number: 143 for SIGTERM, 130 for SIGINT."""
        return 128 + self.signum


_requested = threading.Event()
_signum: int | None = None
_main_waits = 0  # how deep the main thread is in interruptible()


def install() -> None:
    """Handle SIGTERM and SIGINT as this module says (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        for signum in SIGNALS:
            signal.signal(signum, _handle)


def request_stop(signum: int = signal.SIGTERM) -> None:
    """Record a stop as the handler does (without raising): for tests and callers."""
    global _signum
    _signum = signum
    _requested.set()


def stop_requested() -> bool:
    """Whether a stop was asked for."""
    return _requested.is_set()


def check() -> None:
    """Raise Stopped when a stop was asked for: call it at safe points and before requests."""
    if _requested.is_set():
        raise Stopped(_signum or signal.SIGTERM)


def wait(seconds: float) -> None:
    """Sleep `seconds`, or raise Stopped as soon as a stop is asked for (any thread)."""
    if _requested.wait(seconds):
        check()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """A stretch where the main thread only waits on the network: a signal stops it at once."""
    global _main_waits
    check()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _main_waits += 1
    try:
        yield
    finally:
        _main_waits -= 1


def reset() -> None:
    """Forget a requested stop (tests running several commands in one process)."""
    global _signum
    _signum = None
    _requested.clear()


def _handle(signum: int, _frame: FrameType | None) -> None:
    if _requested.is_set():
        # A second signal: the caller insists. Flush what is written and end now.
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(128 + signum)
    request_stop(signum)
    if _main_waits > 0:
        raise Stopped(signum)
