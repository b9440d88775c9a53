"""Finding the fields that make Odoo fail on a read, with a bounded number of calls.

A computed field that raises, or a field a custom module broke, fails every `search_read` that
asks for it. The tap then reads the same page again without suspects until it knows which
fields fail, skips them with a warning, and goes on. It only does so when fields can be at fault:
- an error about the call itself (a keyword the method does not take) never starts it;
- the first probe reads the page with `id` alone: when that fails too, no field is at fault (a
  model without a table, a method that refuses every read) and the stream stops with that error;
- a field the error names is tried first; then the suspects are split in halves;
- it never concludes that every field fails (then the call is at fault: the stream stops);
- at most MAX_PROBES_PER_PAGE calls per failing page, MAX_PROBES_PER_STREAM per stream, and
  MAX_PROBE_SECONDS_PER_STREAM from its first probe: past them the stream stops with an error
  naming the suspects, to put in `ignore_fields`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

from odoo_client import errors
from odoo_client.narrow import rejected_keyword

MAX_PROBES_PER_PAGE = 24
MAX_PROBES_PER_STREAM = 60
MAX_PROBE_SECONDS_PER_STREAM = 600.0  # each probe may also retry; this bounds them all
_CALL_ERRORS = re.compile(
    r"unexpected keyword argument|positional argument|required (keyword|positional)",
)


class FieldIsolationError(errors.ServerError):
    """Reading a stream fails, and not because of a field the tap could leave out."""


def may_be_field_error(error: errors.ServerError) -> bool:
    """Whether a field the read asked for can have caused `error`."""
    text = error.odoo_message or error.message
    return rejected_keyword(error) is None and not _CALL_ERRORS.search(text)


class FieldIsolation:
    """Finds failing fields of one stream's reads, within the stream's call budget."""

    def __init__(self, model: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.model = model
        self.probes = 0  # calls made for this stream so far
        self.clock = clock
        self.started: float | None = None  # the clock at the stream's first probe

    def failing_fields(
        self,
        error: errors.ServerError,
        fields: Sequence[str],
        reads: Callable[[list[str]], bool],
    ) -> list[str]:
        """The fields among `fields` without which the read succeeds (at least one).

        `reads(subset)` makes the failing call again asking for `id` and `subset` only, and says
        whether it succeeded. Raises FieldIsolationError when no field is at fault or the budget
        is spent.
        """
        suspects = [name for name in fields if name != "id"]
        if not may_be_field_error(error) or not suspects:
            raise self._not_a_field(error, "the error is about the call, not a field")
        probe = _Probe(self, error, suspects, reads)
        if not probe([]):
            raise self._not_a_field(error, "the read fails with no field but id")
        named = [name for name in suspects if name == error.field or _names(error, name)]
        if (
            named
            and len(named) < len(suspects)
            and probe([name for name in suspects if name not in named])
        ):
            # The page reads without them, and failed with them: the culprits are among them.
            bad = named if len(named) == 1 else self._split(named, probe)
        else:
            bad = self._split(suspects, probe)
        if not bad:
            raise self._not_a_field(error, "every part of the field list reads on its own")
        if len(bad) == len(suspects) and len(suspects) > 1:
            raise self._not_a_field(error, "every field fails, so the call itself is at fault")
        return bad

    def _split(self, subset: list[str], probe: _Probe) -> list[str]:
        if not subset or probe(subset):
            return []
        if len(subset) == 1:
            return subset
        middle = len(subset) // 2
        return self._split(subset[:middle], probe) + self._split(subset[middle:], probe)

    def _not_a_field(self, error: errors.ServerError, why: str) -> FieldIsolationError:
        return FieldIsolationError(
            f"{error.message} (not a field the tap could skip: {why}).",
            model=self.model,
            method="search_read",
            odoo_name=error.odoo_name,
            odoo_message=error.odoo_message,
        )


class _Probe:
    """One failing page's probes, counted against the page's and the stream's limits."""

    def __init__(
        self,
        owner: FieldIsolation,
        error: errors.ServerError,
        suspects: list[str],
        reads: Callable[[list[str]], bool],
    ) -> None:
        self.owner = owner
        self.error = error
        self.suspects = suspects
        self.reads = reads
        self.calls = 0

    def __call__(self, subset: list[str]) -> bool:
        """Whether the page reads with `id` and `subset`."""
        owner = self.owner
        now = owner.clock()
        if owner.started is None:
            owner.started = now
        if (
            self.calls >= MAX_PROBES_PER_PAGE
            or owner.probes >= MAX_PROBES_PER_STREAM
            or now - owner.started > MAX_PROBE_SECONDS_PER_STREAM
        ):
            raise FieldIsolationError(
                f"{self.error.message} The tap stopped looking for the failing field(s) of "
                f"'{owner.model}' after {self.calls} calls on this page and {owner.probes} on "
                f"this stream in {now - owner.started:.0f} s (limits {MAX_PROBES_PER_PAGE}, "
                f"{MAX_PROBES_PER_STREAM} and {MAX_PROBE_SECONDS_PER_STREAM:.0f} s). "
                f"Suspects: {', '.join(self.suspects)}. Put the failing ones in ignore_fields, "
                "or deselect them.",
                model=owner.model,
                method="search_read",
                odoo_name=self.error.odoo_name,
                odoo_message=self.error.odoo_message,
            )
        self.calls += 1
        owner.probes += 1
        return self.reads(subset)


def _names(error: errors.ServerError, field: str) -> bool:
    """Whether the error's text names `field` as code does: 'field', "field" or .field."""
    text = f"{error.odoo_message or ''} {error.message}"
    quoted = rf"['\"]{re.escape(field)}['\"]|\.{re.escape(field)}(?!\w)"
    return re.search(quoted, text) is not None
