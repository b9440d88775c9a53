"""Bounds of the target's loops that talk to Odoo: a cap on calls and a time budget each.

One call is bounded by odoo_client (`max_retries` + 1 attempts, retry waits within
`max_retry_time`, each attempt within `timeout`). The loops around calls are bounded here:

- isolation: Odoo refused a batch call (create, write, an `after` action, a delete, a record
  a lookup creates); the records are sent one by one to find the refused one, at most
  ISOLATION_MAX_CALLS calls within ISOLATION_MAX_SECONDS per refused call. Records not tried
  alone then fail, saying so.
- lookups: one fetch (one or two `search_read`) per model, field and domain of a batch, at most
  LOOKUP_MAX_FETCHES within LOOKUP_MAX_SECONDS per batch; the lookups left fail their records.

An error that is not about a record (Odoo unavailable after the retries, not an Odoo server,
the login refused, a wrong setting) is never isolated nor swallowed by a loop: it ends the run
(exit 7, 4 or 3), so a server that fails the same way forever costs one call's retries, not one
per record or per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from odoo_client.errors import RUN_ENDING_ERRORS, OdooError

ISOLATION_MAX_CALLS = 100  # the default batch_size: a default batch is always isolated fully
ISOLATION_MAX_SECONDS = 300.0
LOOKUP_MAX_FETCHES = 100  # a mapping has a few dozen (model, field, domain) at most
LOOKUP_MAX_SECONDS = 300.0


class Failable(Protocol):
    """What isolation sends alone: a record that can fail with a reason."""

    def fail(self, error: str) -> None:
        """Mark it failed."""


T = TypeVar("T", bound=Failable)


def raise_if_run_ending(error: OdooError) -> None:
    """Re-raise an error no record is to blame for (it ends the run); return otherwise."""
    if isinstance(error, RUN_ENDING_ERRORS):
        raise error


@dataclass
class Budget:
    """A cap on calls and seconds for one loop, counted from its creation."""

    what: str
    calls: int
    seconds: float
    used: int = 0
    started: float = field(default_factory=time.monotonic)

    def allows(self) -> bool:
        """Whether one more call fits; it is counted when it does."""
        if self.used >= self.calls or time.monotonic() - self.started >= self.seconds:
            return False
        self.used += 1
        return True

    def describe(self) -> str:
        """The bound, for messages."""
        return f"{self.calls} calls or {self.seconds:g} s"


def isolation_budget(what: str) -> Budget:
    """The budget for sending one by one the records of a batch call Odoo refused."""
    return Budget(what, ISOLATION_MAX_CALLS, ISOLATION_MAX_SECONDS)


def not_isolated(budget: Budget, error: Exception) -> str:
    """The error of a record left out when isolating stopped at its bound."""
    text = " ".join(str(error).split()) or type(error).__name__
    return (
        f"not tried alone: Odoo refused the batch's {budget.what} ({text}) and sending its "
        f"records one by one stopped at its bound ({budget.describe()}); fix the records Odoo "
        "refuses, or lower batch_size, and re-run"
    )


def isolate(items: Iterable[T], what: str, error: Exception, alone: Callable[[T], Any]) -> None:
    """Send each item alone (`alone(item)`) within the isolation budget of `what`; the items
    left fail (`item.fail(text)`) saying the batch was refused and why they were not tried."""
    budget = isolation_budget(what)
    for item in items:
        if budget.allows():
            alone(item)
        else:
            item.fail(not_isolated(budget, error))


def lookup_budget() -> Budget:
    """The budget of one batch's lookups."""
    return Budget("lookups", LOOKUP_MAX_FETCHES, LOOKUP_MAX_SECONDS)
