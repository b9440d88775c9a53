"""Retry policy (built on `backoff`): exponential waits with full jitter, Retry-After honoured,
bounded tries and total time; a write whose outcome is unknown is never re-sent.

A server that has not answered once in this run (`TransientError.first_contact`) gets a short
budget instead, as its address is most likely wrong: with no connection at all (refused, unknown
host, unreachable) 3 attempts within about 3 s, after a timeout 2 attempts; then
ServerUnreachableError says what to check. Once it has answered (a proxy's 429/502/503 counts),
the whole budget applies, so a server restarting mid-run is waited for.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import backoff

from odoo_client.errors import (
    ServerUnavailableError,
    ServerUnreachableError,
    TransientError,
    WriteOutcomeUnknownError,
)

T = TypeVar("T")

# Attempts in all for a server that has not answered yet in this run, by kind of failure.
FIRST_CONTACT_TRIES = {"no_connection": 3, "timeout": 2}
# The longest wait between them; no "no_connection" attempt starts after FIRST_CONTACT_TIME s.
FIRST_CONTACT_WAIT = 1.0
FIRST_CONTACT_TIME = 3.0


def wait_times(initial: float, maximum: float) -> Generator[float, Any, None]:
    """Waits for `backoff`: Retry-After when the failure carries one, else full jitter.

    `backoff` sends each failure into the generator; it yields the seconds to wait.
    """
    attempt = 0
    failure = yield 0.0  # priming value, discarded by backoff
    while True:
        retry_after = getattr(failure, "retry_after", None)
        if retry_after is not None:
            delay = float(retry_after)
        elif getattr(failure, "first_contact", None):
            delay = min(FIRST_CONTACT_WAIT, initial * 2**attempt)
        else:
            delay = random.uniform(0.0, min(maximum, initial * 2**attempt))
        attempt += 1
        failure = yield delay


class RetryPolicy:
    """Runs calls with retries; counts them for run summaries."""

    def __init__(
        self,
        *,
        max_retries: int,
        max_retry_time: float,
        initial_wait: float,
        max_wait: float,
        logger: logging.Logger,
    ) -> None:
        self.max_retries = max_retries
        self.max_retry_time = max_retry_time
        self.initial_wait = initial_wait
        self.max_wait = max_wait
        self.logger = logger
        self.retries = 0
        self._count_lock = threading.Lock()

    def run(self, action: Callable[[], T], *, what: str, read_only: bool) -> T:
        """Run `action`, retrying transient failures.

        Raises ServerUnavailableError when the budget is spent, and WriteOutcomeUnknownError
        (without retrying) when a write may have run but its answer was lost.
        """
        attempts = 0
        started = time.monotonic()

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            return action()

        def unsafe_to_resend(failure: Exception) -> bool:
            return not read_only and getattr(failure, "may_have_run", True)

        def asks_too_long(failure: Exception) -> bool:
            wait = getattr(failure, "retry_after", None)
            return wait is not None and time.monotonic() - started + wait > self.max_retry_time

        def first_contact_spent(failure: Exception) -> bool:
            kind = getattr(failure, "first_contact", None)
            if kind is None:
                return False
            if attempts >= FIRST_CONTACT_TRIES.get(kind, 1):
                return True
            next_start = time.monotonic() - started + FIRST_CONTACT_WAIT
            return kind == "no_connection" and next_start > FIRST_CONTACT_TIME

        def give_up(failure: Exception) -> bool:
            return (
                unsafe_to_resend(failure) or asks_too_long(failure) or first_contact_spent(failure)
            )

        def log_retry(details: Any) -> None:
            with self._count_lock:
                self.retries += 1
            failure = details.get("exception")
            most = self.max_retries
            kind = getattr(failure, "first_contact", None)
            if kind is not None:
                most = min(most, FIRST_CONTACT_TRIES.get(kind, 1) - 1)
            self.logger.warning(
                "%s: %s; retry %d of %d in %.2f s",
                what,
                getattr(failure, "reason", failure),
                details.get("tries", attempts),
                most,
                details.get("wait", 0.0),
            )

        retrying = backoff.on_exception(
            wait_times,
            TransientError,
            max_tries=self.max_retries + 1,
            max_time=self.max_retry_time,
            jitter=None,
            giveup=give_up,
            on_backoff=log_retry,
            logger=None,
            initial=self.initial_wait,
            maximum=self.max_wait,
        )(attempt)
        try:
            return retrying()
        except TransientError as failure:
            if unsafe_to_resend(failure):
                raise WriteOutcomeUnknownError(
                    f"{what}: {failure.reason}, after the request was sent. Odoo may or may not "
                    "have done it; it is not sent again. Check whether it happened (e.g. by "
                    "external id) before trying again.",
                    odoo_name=failure.odoo_name,
                    odoo_message=failure.odoo_message,
                ) from None
            tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
            if failure.first_contact:
                raise ServerUnreachableError(
                    f"{what}: {failure.reason}; gave up after {tries}. {failure.hint or ''}",
                    attempts=attempts,
                ) from None
            if asks_too_long(failure):
                reason = (
                    f"{failure.reason}, asking to wait {failure.retry_after:g} s, beyond "
                    "max_retry_time"
                )
            else:
                reason = failure.reason
            raise ServerUnavailableError(
                f"{what}: {reason}; gave up after {tries}. The server is down, overloaded or "
                "restarting: try again later, or raise max_retries / max_retry_time.",
                attempts=attempts,
                odoo_name=failure.odoo_name,
                odoo_message=failure.odoo_message,
            ) from None
