"""Finding deleted rows: Odoo keeps no tombstones, so compare the ids present now with those before.

The ids a stream held at its last run are kept in its state as sorted, inclusive `[first, last]`
ranges: ids of a model are mostly dense, so 200,000 rows usually take a few dozen ranges.
"""

from __future__ import annotations

import typing as t


def to_ranges(ids: t.Iterable[int]) -> list[list[int]]:
    """Compress ids into sorted inclusive ranges: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    ranges: list[list[int]] = []
    for current in sorted(set(ids)):
        if ranges and current == ranges[-1][1] + 1:
            ranges[-1][1] = current
        else:
            ranges.append([current, current])
    return ranges


def iter_ranges(ranges: t.Iterable[t.Sequence[int]]) -> t.Iterator[int]:
    """Expand ranges back into ids, in order."""
    for first, last in ranges:
        yield from range(first, last + 1)


def vanished(previous: t.Iterable[t.Sequence[int]], current: t.Iterable[int]) -> list[int]:
    """Ids inside the previous ranges that are not among the current ids."""
    present = set(current)
    return [i for i in iter_ranges(previous) if i not in present]


def read_all_ids(
    search: t.Callable[[list, int], list[int]], domain: list, page_size: int
) -> list[int]:
    """Every id matching `domain`, read with keyset pages of `search(domain, limit)` by id."""
    ids: list[int] = []
    while True:
        page_domain = [*domain, ("id", ">", ids[-1])] if ids else domain
        page = search(page_domain, page_size)
        ids += page
        if len(page) < page_size:
            return ids
