"""Finding deleted rows: Odoo keeps no tombstones, so compare the ids present now with those before.

The ids a stream held at its last run are kept in its state as sorted, inclusive `[first, last]`
ranges: ids of a model are mostly dense, so 200,000 rows usually take a few dozen ranges. A sparse
stream (a domain picking one row in three) can need a range per row, and the whole state is
written after every page, so the ranges are stored packed: gaps and lengths as varints, zlib,
base64 (`"z:..."`), about a tenth of their JSON size. Plain JSON lists are still read.
"""

from __future__ import annotations

import base64
import typing as t
import zlib

from odoo_client import errors

PACKED_PREFIX = "z:"
# SQL-view models may have ids <= 0 (purchase.bill.union, on real Odoo 16 to 19): then the first
# range's start is stored zigzag-encoded, under this prefix; "z:" states stay as they were.
SIGNED_PREFIX = "zs:"


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
        if ids and page and page[0] <= ids[-1]:
            # Each page must move past the last: a server ignoring the domain would loop forever.
            msg = (
                f"Odoo answered ids from {page[0]} when asked for ids after {ids[-1]}: the model "
                "ignores the domain (a custom search override?). Set detect_deletions to false."
            )
            raise errors.ServerError(msg)
        ids += page
        if len(page) < page_size:
            return ids


def pack_ranges(ranges: t.Sequence[t.Sequence[int]]) -> str:
    """Ranges as compact text: per range, the gap since the last one and its length, as varints."""
    raw = bytearray()
    signed = bool(ranges) and ranges[0][0] < 0
    previous_last = 0
    for index, (first, last) in enumerate(ranges):
        gap = first - previous_last
        _append_varint(raw, _zigzag(gap) if signed and index == 0 else gap)
        _append_varint(raw, last - first)
        previous_last = last
    prefix = SIGNED_PREFIX if signed else PACKED_PREFIX
    return prefix + base64.b64encode(zlib.compress(bytes(raw), 9)).decode("ascii")


def unpack_ranges(value: str | t.Sequence[t.Sequence[int]] | None) -> list[list[int]]:
    """Ranges from `pack_ranges` text, or from the plain `[[first, last], ...]` of older states."""
    if not value:
        return []
    if not isinstance(value, str):
        return [[int(first), int(last)] for first, last in value]
    signed = value.startswith(SIGNED_PREFIX)
    if not signed and not value.startswith(PACKED_PREFIX):
        msg = f"id ranges in the state are neither a list nor {PACKED_PREFIX!r} text"
        raise ValueError(msg)
    prefix = SIGNED_PREFIX if signed else PACKED_PREFIX
    raw = zlib.decompress(base64.b64decode(value[len(prefix) :]))
    numbers, number, shift = [], 0, 0
    for byte in raw:
        number |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        numbers.append(number)
        number, shift = 0, 0
    if signed and numbers:
        numbers[0] = _unzigzag(numbers[0])
    ranges, previous_last = [], 0
    for gap, length in zip(numbers[::2], numbers[1::2], strict=True):
        first = previous_last + gap
        ranges.append([first, first + length])
        previous_last = first + length
    return ranges


def _append_varint(raw: bytearray, number: int) -> None:
    while number >= 0x80:
        raw.append((number & 0x7F) | 0x80)
        number >>= 7
    raw.append(number)


def _zigzag(number: int) -> int:
    """A signed int as an unsigned one: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ..."""
    return number * 2 if number >= 0 else -number * 2 - 1


def _unzigzag(number: int) -> int:
    return number // 2 if number % 2 == 0 else -(number + 1) // 2
