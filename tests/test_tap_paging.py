"""PageReader on its own: the paging arithmetic and the one-page-ahead prefetch."""

from __future__ import annotations

import gc
import json
import random
import threading

import pytest

from odoo_client import RowsPage, errors
from odoo_client.pages import deferred_page
from tap_odoo.deletions import (
    iter_ranges,
    pack_ranges,
    read_all_ids,
    to_ranges,
    unpack_ranges,
    vanished,
)
from tap_odoo.paging import KEYSET, OFFSET, PAGING_GC_THRESHOLD, PageReader, PageRequest


class Table:
    """A list of rows with ids that answers `search_read` the way Odoo does for `id > n` domains."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = sorted(ids)
        self.calls: list[tuple[list, int, int, str]] = []
        self.lock = threading.Lock()

    def fetch(self, domain: list, offset: int, limit: int, order: str) -> list[dict]:
        with self.lock:
            self.calls.append((domain, offset, limit, order))
            after = max((value for (field, _, value) in domain if field == "id"), default=None)
            rows = [{"id": i} for i in self.ids if after is None or i > after]
            return rows[offset : offset + limit]


@pytest.mark.parametrize("mode", [KEYSET, OFFSET])
@pytest.mark.parametrize("prefetch", [True, False])
def test_reads_every_row_once_in_id_order(mode: str, prefetch: bool) -> None:
    table = Table(list(range(1, 1002, 2)))  # 501 rows: the last page is short
    reader = PageReader(table.fetch, domain=[], page_size=50, mode=mode, prefetch=prefetch)
    pages = list(reader)
    assert [len(p) for p in pages] == [50] * 10 + [1]
    assert [row["id"] for page in pages for row in page] == table.ids
    assert all(order == "id asc" for (*_, order) in table.calls)


def test_keyset_keeps_offset_zero_and_asks_after_last_id() -> None:
    table = Table(list(range(1, 101)))
    list(PageReader(table.fetch, domain=[("active", "=", True)], page_size=40, mode=KEYSET))
    assert [(domain, offset) for domain, offset, _, _ in table.calls] == [
        ([("active", "=", True)], 0),
        ([("active", "=", True), ("id", ">", 40)], 0),
        ([("active", "=", True), ("id", ">", 80)], 0),
    ]


def test_exact_multiple_of_page_size_ends_with_an_empty_page() -> None:
    table = Table(list(range(1, 101)))
    pages = list(PageReader(table.fetch, domain=[], page_size=50, mode=KEYSET))
    assert [len(p) for p in pages] == [50, 50]
    assert len(table.calls) == 3  # the third call answers [] and ends the loop


def test_keyset_survives_deletions_between_pages_where_offset_skips() -> None:
    def read_while_deleting(mode: str) -> list[int]:
        table = Table(list(range(1, 101)))
        seen: list[int] = []
        for page in PageReader(table.fetch, domain=[], page_size=10, mode=mode, prefetch=False):
            seen += [row["id"] for row in page]
            # While the sync runs, someone deletes the two oldest rows (already read).
            del table.ids[:2]
        return seen

    assert read_while_deleting(KEYSET) == list(range(1, 101))
    skipped = set(range(1, 101)) - set(read_while_deleting(OFFSET))
    assert len(skipped) > 10, "offset paging skips rows when earlier rows vanish"


class LoggedPage(RowsPage):
    """A RowsPage that notes when it is decoded."""

    __slots__ = ("events", "number")

    def rows(self) -> list[dict]:
        if not self.is_decoded:
            self.events.append(f"decoded {self.number}")
        return super().rows()


class JsonTable(Table):
    """A Table answering as the client does over JSON-RPC: full pages undecoded."""

    def __init__(self, ids: list[int], events: list[str]) -> None:
        super().__init__(ids)
        self.events = events

    def fetch(self, domain: list, offset: int, limit: int, order: str) -> RowsPage:
        rows = super().fetch(domain, offset, limit, order)
        text = json.dumps({"jsonrpc": "2.0", "id": 1, "result": rows})
        found = deferred_page(text, "result", limit)
        page = LoggedPage.deferred(text, "result", found.last_id) if found else LoggedPage(rows)
        page.events, page.number = self.events, len(self.calls)
        return page


class NotingReader(PageReader):
    """Notes "asked N" when the prefetch thread starts on page N: the moment the reader waits for
    before decoding the page before it. (Noted inside `fetch`, a few steps later on the prefetch
    thread, the order raced with the decoding thread: about 1 run in 1,000 with a short switch
    interval.)"""

    def __init__(self, table: JsonTable, **kwargs: object) -> None:
        super().__init__(table.fetch, **kwargs)  # type: ignore[arg-type]
        self.table = table

    def _get_started(self, request: PageRequest, started: threading.Event) -> RowsPage:
        # Page N's answer is in before page N+1 is submitted: N calls made so far.
        self.table.events.append(f"asked {len(self.table.calls) + 1}")
        return super()._get_started(request, started)


@pytest.mark.parametrize("mode", [KEYSET, OFFSET])
def test_undecoded_pages_are_read_completely_and_the_next_is_asked_for_before_decoding(
    mode: str,
) -> None:
    events: list[str] = []
    table = JsonTable(list(range(1, 1002, 2)), events)
    pages = list(NotingReader(table, domain=[], page_size=50, mode=mode))
    assert [row["id"] for page in pages for row in page] == table.ids
    if mode == KEYSET:
        # Page N+1 is requested from page N's last id before page N is decoded.
        for number in range(1, 11):
            assert events.index(f"asked {number + 1}") < events.index(f"decoded {number}")
    else:
        # Offset paging needs each page's exact length first: pages are decoded as they come.
        assert "decoded 1" in events
        assert events.index("decoded 1") < events.index("asked 2")


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="pagination must be"):
        PageReader(lambda *a: [], domain=[], page_size=10, mode="cursor")
    with pytest.raises(ValueError, match="page_size must be a positive integer"):
        PageReader(lambda *a: [], domain=[], page_size=0)


def test_id_ranges_round_trip_and_find_vanished_ids() -> None:
    ids = [1, 2, 3, 7, 9, 10, 11, 20]
    ranges = to_ranges(ids)
    assert ranges == [[1, 3], [7, 7], [9, 11], [20, 20]]
    assert list(iter_ranges(ranges)) == ids
    assert vanished(ranges, [1, 3, 9, 10, 11, 20, 21]) == [2, 7]
    assert to_ranges([]) == []


def test_read_all_ids_pages_by_id() -> None:
    table = Table(list(range(1, 251)))

    def search(domain: list, limit: int) -> list[int]:
        return [row["id"] for row in table.fetch(domain, 0, limit, "id asc")]

    assert read_all_ids(search, [], 100) == list(range(1, 251))
    assert len(table.calls) == 3


def test_packed_ranges_round_trip_and_stay_small() -> None:
    rng = random.Random(5)
    sparse = to_ranges(rng.sample(range(1, 300_000), 100_000))  # about a range per row
    packed = pack_ranges(sparse)
    assert packed.startswith("z:")
    assert unpack_ranges(packed) == sparse
    assert len(packed) * 10 < len(json.dumps(sparse))
    assert unpack_ranges(pack_ranges([[1, 200_000]])) == [[1, 200_000]]
    assert unpack_ranges(pack_ranges([])) == []
    huge = [[2**40, 2**40 + 5], [2**41, 2**41]]
    assert unpack_ranges(pack_ranges(huge)) == huge


def test_plain_range_lists_of_older_states_are_still_read() -> None:
    assert unpack_ranges([[1, 3], [7, 7]]) == [[1, 3], [7, 7]]
    assert unpack_ranges(None) == []
    with pytest.raises(ValueError, match="neither a list nor"):
        unpack_ranges("1-3,7")


def test_collections_are_rarer_while_pages_are_read_and_restored_after() -> None:
    before = gc.get_threshold()
    table = Table(list(range(1, 301)))
    seen = []
    for _ in PageReader(table.fetch, domain=[], page_size=100):
        seen.append(gc.get_threshold()[0])
    assert seen == [PAGING_GC_THRESHOLD] * 3
    assert gc.get_threshold() == before
    reader = iter(PageReader(table.fetch, domain=[], page_size=100))
    next(reader)
    reader.close()  # a sync that stops early restores it too
    assert gc.get_threshold() == before


def test_a_server_ignoring_the_keyset_domain_stops_the_reader() -> None:
    calls = []

    def same_page(domain, offset, limit, order):
        calls.append(domain)
        return [{"id": i} for i in range(1, limit + 1)]  # ignores `id > last`

    reader = PageReader(same_page, domain=[], page_size=10, mode=KEYSET, prefetch=False)
    with pytest.raises(errors.ServerError, match="ignores the domain"):
        list(reader)
    assert len(calls) == 2


def test_a_server_ignoring_the_domain_stops_the_id_scan() -> None:
    calls = []

    def same_ids(domain, limit):
        calls.append(domain)
        return list(range(1, limit + 1))

    with pytest.raises(errors.ServerError, match="detect_deletions"):
        read_all_ids(same_ids, [], 10)
    assert len(calls) == 2


@pytest.mark.parametrize("prefetch", [True, False])
def test_ids_of_zero_and_below_are_read_once_like_any_other(prefetch: bool) -> None:
    # SQL-view models (purchase.bill.union on real Odoo 16 to 19) have ids <= 0; a page may end
    # at id 0 exactly, which must not read as "no page yet".
    table = Table(list(range(-9, 11)))  # 20 rows, the second page ends at 0
    reader = PageReader(table.fetch, domain=[], page_size=5, mode=KEYSET, prefetch=prefetch)
    assert [row["id"] for page in reader for row in page] == table.ids
    assert table.calls[2][0] == [("id", ">", 0)]  # after the page that ended at 0


def test_a_resumed_reader_starts_after_a_negative_id() -> None:
    table = Table(list(range(-9, 11)))
    reader = PageReader(table.fetch, domain=[], page_size=5, mode=KEYSET, after_id=-3)
    assert [row["id"] for page in reader for row in page] == list(range(-2, 11))


@pytest.mark.parametrize("prefetch", [True, False])
def test_repeated_ids_stop_the_reader_before_a_row_is_lost(prefetch: bool) -> None:
    # report.stock.quantity on real Odoo answers thousands of rows sharing ids: `id > last`
    # would skip the rest of a shared id, and no target could key them.
    table = Table([1, 2, 3, 3, 3, 4, 5, 6])
    reader = PageReader(table.fetch, domain=[], page_size=4, mode=KEYSET, prefetch=prefetch)
    with pytest.raises(errors.ServerError, match="ids are not unique"):
        list(reader)


def test_packed_ranges_hold_ids_of_zero_and_below() -> None:
    for ids in ([-10, -9, -3, 0, 1, 2, 5], [-1], [-300, -299, 7], [0, 4], [1, 2, 3]):
        ranges = to_ranges(ids)
        packed = pack_ranges(ranges)
        assert unpack_ranges(packed) == ranges
        assert packed.startswith("zs:" if ids[0] < 0 else "z:")
    assert vanished(unpack_ranges(pack_ranges(to_ranges([-5, -4, 0]))), [-5, 0]) == [-4]
