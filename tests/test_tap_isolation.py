"""Field isolation (tap_odoo.isolation): only for errors a field can cause, and bounded.

`reads(subset)` stands for the page read again with `id` and `subset`; the tests count its calls.
The sandbox-level tests (a poisoned field found through the real CLI) are in test_tap_sync.py;
those of models no field can save, in test_tap_bounded.py.
"""

from __future__ import annotations

import pytest

from odoo_client import errors
from tap_odoo.isolation import (
    MAX_PROBE_SECONDS_PER_STREAM,
    MAX_PROBES_PER_PAGE,
    MAX_PROBES_PER_STREAM,
    FieldIsolation,
    FieldIsolationError,
    may_be_field_error,
)

FIELDS = ["id", *[f"field_{n:02d}" for n in range(40)]]


def server_error(message: str, field: str | None = None) -> errors.ServerError:
    return errors.ServerError(
        f"Odoo failed on x.search_read: {message}", field=field, odoo_message=message
    )


class Reads:
    """A page that fails while it asks for any of `bad` (or always, with `always`)."""

    def __init__(self, bad: set[str] = frozenset(), *, always: bool = False) -> None:
        self.bad = set(bad)
        self.always = always
        self.calls: list[list[str]] = []

    def __call__(self, subset: list[str]) -> bool:
        self.calls.append(list(subset))
        return not self.always and not (self.bad & set(subset))


def test_one_failing_field_among_forty_is_found_within_the_page_limit() -> None:
    reads = Reads({"field_17"})
    bad = FieldIsolation("x").failing_fields(server_error("KeyError: 'oops'"), FIELDS, reads)
    assert bad == ["field_17"]
    assert len(reads.calls) <= 2 * 6 + 1  # id alone, then two halves per level
    assert reads.calls[0] == []  # the call with no field but id comes first


def test_a_field_the_error_names_is_tried_first() -> None:
    reads = Reads({"field_30"})
    error = server_error("ValueError: Wrong value for x.field_30: 'abc'")
    bad = FieldIsolation("x").failing_fields(error, FIELDS, reads)
    assert bad == ["field_30"]
    assert len(reads.calls) == 2  # id alone, then everything but field_30


def test_an_error_about_the_call_never_starts_isolation() -> None:
    reads = Reads(always=True)
    error = server_error(
        "TypeError: AccountMoveLine.search_read() got an unexpected keyword argument 'load'"
    )
    assert not may_be_field_error(error)
    with pytest.raises(FieldIsolationError, match="about the call, not a field"):
        FieldIsolation("x").failing_fields(error, FIELDS, reads)
    assert reads.calls == []


def test_a_read_that_fails_with_id_alone_stops_after_one_call() -> None:
    reads = Reads(always=True)
    error = server_error('psycopg2.errors.UndefinedTable: relation "x" does not exist')
    with pytest.raises(FieldIsolationError, match="fails with no field but id") as raised:
        FieldIsolation("x").failing_fields(error, FIELDS, reads)
    assert reads.calls == [[]]
    assert "UndefinedTable" in str(raised.value)


def test_every_field_failing_means_the_call_is_at_fault() -> None:
    fields = ["id", "a", "b", "c"]
    reads = Reads({"a", "b", "c"})
    with pytest.raises(FieldIsolationError, match="every field fails"):
        FieldIsolation("x").failing_fields(server_error("KeyError: 'k'"), fields, reads)
    assert len(reads.calls) <= MAX_PROBES_PER_PAGE


def test_many_failing_fields_stop_at_the_page_limit_naming_the_suspects() -> None:
    reads = Reads({f"field_{n:02d}" for n in range(0, 40, 3)})  # 14 of 40
    with pytest.raises(FieldIsolationError, match="ignore_fields") as raised:
        FieldIsolation("x").failing_fields(server_error("KeyError: 'k'"), FIELDS, reads)
    assert len(reads.calls) == MAX_PROBES_PER_PAGE
    assert "field_39" in str(raised.value)


def test_the_stream_limit_holds_across_pages() -> None:
    isolation = FieldIsolation("x")
    reads = Reads()
    pages = 0

    def one_page_per_failing_field() -> None:
        nonlocal pages
        for field in FIELDS[1:]:
            pages += 1
            reads.bad = {field}
            isolation.failing_fields(server_error("KeyError: 'k'"), FIELDS, reads)

    with pytest.raises(FieldIsolationError, match=f"limits {MAX_PROBES_PER_PAGE}, "):
        one_page_per_failing_field()
    assert len(reads.calls) == MAX_PROBES_PER_STREAM
    assert pages < len(FIELDS) - 1


def test_the_stream_time_budget_holds_whatever_the_call_count() -> None:
    now = [0.0]
    isolation = FieldIsolation("x", clock=lambda: now[0])

    class SlowReads(Reads):
        def __call__(self, subset: list[str]) -> bool:
            now[0] += MAX_PROBE_SECONDS_PER_STREAM / 3  # each probe waited out its retries
            return super().__call__(subset)

    reads = SlowReads({"field_17"})
    with pytest.raises(FieldIsolationError, match="in 800 s"):
        isolation.failing_fields(server_error("KeyError: 'k'"), FIELDS, reads)
    assert len(reads.calls) == 4  # the clock starts at the first probe; the fifth is refused
