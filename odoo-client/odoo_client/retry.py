"""Retry policy (built on `backoff`): exponential waits with full jitter, Retry-After honoured,
bounded tries and total time; a write whose outcome is unknown is never re-sent."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import backoff

from odoo_client.errors import ServerUnavailableError, TransientError, WriteOutcomeUnknownError

T = TypeVar("T")


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

        def give_up(failure: Exception) -> bool:
            return unsafe_to_resend(failure) or asks_too_long(failure)

        def log_retry(details: Any) -> None:
            with self._count_lock:
                self.retries += 1
            failure = details.get("exception")
            self.logger.warning(
                "%s: %s; retry %d of %d in %.2f s",
                what,
                getattr(failure, "reason", failure),
                details.get("tries", attempts),
                self.max_retries,
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
            if asks_too_long(failure):
                reason = (
                    f"{failure.reason}, asking to wait {failure.retry_after:g} s, beyond "
                    "max_retry_time"
                )
            else:
                reason = failure.reason
            raise ServerUnavailableError(
                f"{what}: {reason}; gave up after {attempts} attempt"
                f"{'s' if attempts != 1 else ''}. The server is down, overloaded or "
                "restarting: try again later, or raise max_retries / max_retry_time.",
                attempts=attempts,
                odoo_name=failure.odoo_name,
                odoo_message=failure.odoo_message,
            ) from None
