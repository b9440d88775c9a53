"""The engine stays fast enough that benchmarks of the tap measure the tap, not the sandbox."""

from __future__ import annotations

import statistics
import time

import pytest

from odoo_sandbox.engine import Engine

ADMIN = 2


@pytest.mark.slow
def test_keyset_pages_of_2000_partners_with_40_fields_are_fast():
    started = time.perf_counter()
    eng = Engine(scale=50)
    build = time.perf_counter() - started
    assert build < 30, f"scale 50 took {build:.1f}s to build"
    fields = [
        f.name
        for f in eng.models["res.partner"].fields.values()
        if f.is_column and f.type != "binary"
    ][:40]
    assert len(fields) == 40
    timings, last, seen = [], 0, 0
    for _ in range(10):
        started = time.perf_counter()
        rows = eng.execute(
            ADMIN,
            "res.partner",
            "search_read",
            [[("id", ">", last)]],
            {"fields": fields, "order": "id", "limit": 2000, "context": {"active_test": False}},
        )
        timings.append(time.perf_counter() - started)
        assert len(rows) == 2000
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
        assert rows[0]["id"] > last
        last = rows[-1]["id"]
        seen += len(rows)
    assert seen == 20000
    # ~50 ms on an idle machine; the margin absorbs CI load.
    assert statistics.median(timings) < 0.15, timings


def test_a_small_build_is_quick():
    started = time.perf_counter()
    Engine(scale=1)
    assert time.perf_counter() - started < 2.0
