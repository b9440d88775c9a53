"""How fast the sandbox serves 2,000-partner pages over JSON-RPC (printed, not asserted).

Run with `pytest tests/test_sandbox_protocols_perf.py -s -m slow` to see the figure; the result
goes into tests/sandbox/README.md.
"""

from __future__ import annotations

import time

import pytest

PAGE = 2000
FIELDS = ["name", "email", "phone", "is_company", "country_id", "parent_id", "write_date", "active"]


@pytest.mark.slow
def test_search_read_pages_per_second_at_scale_20(make_sandbox, wire) -> None:
    fresh = make_sandbox(odoo_version=17, scale=20)
    client = wire(fresh)
    context = {"active_test": False}
    total = client.result("res.partner", "search_count", [[]], {"context": context})
    seen: list[int] = []
    pages = 0
    started = time.perf_counter()
    while True:
        domain = [["id", ">", seen[-1]]] if seen else []
        kwargs = {"fields": FIELDS, "limit": PAGE, "order": "id", "context": context}
        rows = client.result("res.partner", "search_read", [domain], kwargs)
        if not rows:
            break
        pages += 1
        seen += [row["id"] for row in rows]
    elapsed = time.perf_counter() - started
    print(
        f"\nsandbox JSON-RPC search_read: {total} partners, {pages} pages of {PAGE} "
        f"({len(FIELDS)} fields) in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s, "
        f"{len(seen) / elapsed:,.0f} rows/s"
    )
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)
