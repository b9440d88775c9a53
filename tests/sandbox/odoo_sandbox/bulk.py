"""Bulk loading helpers shared by the seeders: import batches of write_dates and fast inserts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .storage import quote
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine

ANCHOR = datetime(2026, 1, 1, 9, 0, 0)


ADMIN = 2


class Stamps:
    """Import batches: consecutive rows share one write_date until the batch is full."""

    BATCH_SIZES = (1, 1, 3, 20, 200, 500)

    def __init__(self, rng: random.Random, start: datetime, span: timedelta, rows: int) -> None:
        self.rng = rng
        self.current = start
        self.left = 0
        self.sizes = [b for b in self.BATCH_SIZES if b <= max(1, rows // 10)]
        batches = max(1, rows * len(self.sizes) // sum(self.sizes))
        self.max_step = max(2, int(2 * span.total_seconds() / batches))

    def next(self) -> str:
        if self.left <= 0:
            self.current += timedelta(
                seconds=self.rng.randint(1, self.max_step),
                microseconds=self.rng.randint(1, 999_999),
            )
            self.left = self.rng.choice(self.sizes)
        self.left -= 1
        return db_timestamp(self.current)


def insert_rows(engine: Engine, model: str, rows: list[dict]) -> None:
    if not rows:
        return
    mdl = engine.models[model]
    keys = dict.fromkeys(k for r in rows for k in r)
    cols = [c for c in keys if (c in mdl.fields and mdl.fields[c].is_column) or c in mdl.shadow]
    engine.storage.insert_many(mdl.table, cols, ([r.get(c) for c in cols] for r in rows))


def link_rows(engine: Engine, model: str, fname: str, pairs: list[tuple[int, int]]) -> None:
    table = engine.models[model].m2m_table(fname)
    engine.storage.conn.executemany(
        f"INSERT OR IGNORE INTO {quote(table)} (id1, id2) VALUES (?, ?)", pairs
    )


def magic(stamp: str, uid: int = ADMIN) -> dict:
    return {"create_uid": uid, "create_date": stamp, "write_uid": uid, "write_date": stamp}
