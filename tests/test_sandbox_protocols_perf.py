"""How fast the sandbox serves 2,000-partner pages over JSON-RPC (printed, not asserted).

Run with `pytest tests/test_sandbox_protocols_perf.py -s -m slow` to see the figure; the result
goes into tests/sandbox/README.md.
"""

from __future__ import annotations

import statistics
import time

import pytest

PAGE = 2000
SWEEPS = 3
FIELDS = ["name", "email", "phone", "is_company", "country_id", "parent_id", "write_date", "active"]


def sweep(client) -> tuple[list[int], int, float]:
    """Every partner by keyset pages on id: (ids in order, pages, seconds)."""
    seen: list[int] = []
    pages = 0
    started = time.perf_counter()
    while True:
        domain = [["id", ">", seen[-1]]] if seen else []
        kwargs = {"fields": FIELDS, "limit": PAGE, "order": "id", "context": {"active_test": False}}
        rows = client.result("res.partner", "search_read", [domain], kwargs)
        if not rows:
            return seen, pages, time.perf_counter() - started
        pages += 1
        seen += [row["id"] for row in rows]


@pytest.mark.slow
def test_search_read_pages_per_second_at_scale_20(make_sandbox, wire) -> None:
    client = wire(make_sandbox(odoo_version=17, scale=20))
    total = client.result("res.partner", "search_count", [[]], {"context": {"active_test": False}})
    rates = []
    for _ in range(SWEEPS):
        seen, pages, seconds = sweep(client)
        assert len(seen) == len(set(seen)) == total
        assert seen == sorted(seen)
        rates.append(pages / seconds)
    print(
        f"\nsandbox JSON-RPC search_read: {total} partners in pages of {PAGE} ({len(FIELDS)} "
        f"fields): median {statistics.median(rates):.1f} pages/s, best {max(rates):.1f} pages/s "
        f"({max(rates) * PAGE:,.0f} rows/s) over {SWEEPS} sweeps"
    )
