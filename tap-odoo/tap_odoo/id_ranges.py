"""Partitions of a stream by id: `id_ranges` = {stream: [first, end]} reads `first <= id < end`.

Ids never change, so a row belongs to one range for life: separate processes reading the ranges
of one stream at once emit each row exactly once between them, and each range's deletions are
found among its own ids. `end` may be null (the last range: every id from `first` on, new rows
included), and so may `first` (from the first id).

A range's state (bookmark, resume point, ids seen) is only valid for that range: reading another
range with it would report every id outside the new range as deleted. The state therefore keeps
the range it was written for, and a run whose range differs stops before reading.
"""

from __future__ import annotations

import typing as t

from odoo_client.errors import ConfigurationError

IdRange = tuple[int | None, int | None]
STATE_KEY = "id_range"


def _bound(value: t.Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def stream_id_range(config: t.Mapping[str, t.Any], stream: str) -> IdRange | None:
    """The configured range of `stream`, checked; None when the stream is read whole."""
    ranges = config.get("id_ranges") or {}
    if stream not in ranges:
        return None
    value = ranges[stream]
    if not (isinstance(value, list) and len(value) == 2 and all(map(_bound, value))):
        msg = (
            f"id_ranges of stream '{stream}' must be [first id, end id] (integers; end or first "
            f"may be null for no bound), not {value!r}"
        )
        raise ConfigurationError(msg, setting="id_ranges")
    first, end = value
    if first is not None and end is not None and first >= end:
        msg = f"id_ranges of stream '{stream}': {first} is not below {end}: the range is empty"
        raise ConfigurationError(msg, setting="id_ranges")
    return first, end


def id_range_domain(id_range: IdRange | None) -> list[tuple[str, str, int]]:
    """The domain leaves that keep a range's rows."""
    if id_range is None:
        return []
    first, end = id_range
    leaves = [("id", ">=", first)] if first is not None else []
    return leaves + ([("id", "<", end)] if end is not None else [])


def describe(id_range: IdRange | None) -> str:
    """`ids 250000 to 499999`, `ids from 750000`, or `every id`."""
    if id_range is None or id_range == (None, None):
        return "every id"
    first, end = id_range
    if end is None:
        return f"ids from {first}"
    return f"ids {first or 0} to {end - 1}"


def check_state_range(state: t.Mapping[str, t.Any], id_range: IdRange | None, stream: str) -> None:
    """Stop when the stream's state was written for another range than the one configured."""
    if not any(key in state for key in (STATE_KEY, "resume", "replication_key_value", "ids")):
        return  # nothing read yet: any range may start
    saved = state.get(STATE_KEY)
    saved_range = tuple(saved) if saved is not None else None
    if saved_range == (id_range or None):
        return
    msg = (
        f"stream '{stream}': the state given was written for {describe(saved_range)} "  # type: ignore[arg-type]
        f"and id_ranges now says {describe(id_range)}; its bookmark and ids do not apply (its "
        "ids would all look deleted). Give each range a state of its own (meltano run "
        "--state-id-suffix), or start this range over (--full-refresh)"
    )
    raise ConfigurationError(msg, setting="id_ranges")


def saved_range(id_range: IdRange | None) -> list[int | None] | None:
    """What the state keeps of the range (None: the stream is read whole)."""
    return list(id_range) if id_range is not None else None
