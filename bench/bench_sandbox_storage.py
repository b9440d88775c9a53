"""Benchmark of the sandbox's storage at 1,000,000 partners: does it stay fast deep in the table?

Builds (once) a sandbox database at scale 1000 (1,000,000 res.partner rows, plus the documents
that scale brings), cached in bench/.cache/scale1000.sqlite (the file bench_tap_sync.py uses for
that scale), then measures on it:

- keyset `search_read` pages of 2,000 partners (8 fields, `id > last`, order id) at the start,
  the middle and the end of the id range: pages/s in the engine (ORM + SQLite, no HTTP) and over
  JSON-RPC (what a client sees); one offset page at the middle for contrast;
- `search_count` of every partner (active ones, as Odoo counts by default, and all);
- domains on an indexed field against the same kind of domain on a field without one
  (write_date vs create_date, which hold the same values in the seeded data; parent_id and ref
  vs email), a keyset page with Odoo's default active filter, and the first page in the
  default order, each with the plan SQLite chose (`EXPLAIN QUERY PLAN` of the call's main
  statement). Labels say whether Odoo 17 itself indexes the field.

Every figure is the median of several runs (the first run of each is dropped as a warm-up).
Prints markdown tables. Usage (a few minutes the first time, to build the database):

    nice -n 10 .venv/bin/python bench/bench_sandbox_storage.py [--scale 1000] [--runs 5] [--db F]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT / "tests" / "sandbox"))

from odoo_sandbox import Sandbox  # noqa: E402
from odoo_sandbox.engine import Engine  # noqa: E402

PAGE = 2000
PAGES_PER_SPOT = 5
FIELDS = ["name", "email", "phone", "is_company", "country_id", "parent_id", "write_date", "active"]
ALL = {"active_test": False}
MODEL = "res.partner"


def median_ms(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of `runs` calls (after one warm-up call), in ms, and the last result."""
    result = run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


class Calls:
    """execute_kw calls as the admin, in the engine and over JSON-RPC; SQL of the last call."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.engine: Engine = sandbox.engine
        self.uid = sandbox.users["admin"]["uid"]
        self.settings = sandbox.settings
        self.http = requests.Session()
        self.statements: list[str] = []
        self.engine.storage.conn.set_trace_callback(self.statements.append)

    def engine_call(self, method: str, args: list, kwargs: dict) -> Any:
        return self.engine.execute(self.uid, MODEL, method, args, kwargs)

    def first_value(self, field: str, order: str, domain: list | None = None, offset: int = 0):
        """`field` of the first partner in that order (archived ones included)."""
        kwargs = {"fields": [field], "limit": 1, "offset": offset, "order": order, "context": ALL}
        return self.engine_call("search_read", [domain or []], kwargs)[0][field]

    def rpc_call(self, method: str, args: list, kwargs: dict) -> Any:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.settings["database"],
                    self.uid,
                    self.settings["password"],
                    MODEL,
                    method,
                    args,
                    kwargs,
                ],
            },
        }
        answer = self.http.post(self.settings["url"] + "/jsonrpc", json=body, timeout=600).json()
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def plan(self, method: str, args: list, kwargs: dict) -> str:
        """SQLite's plan for the first statement of the call that reads the partner table."""
        self.statements.clear()
        self.engine_call(method, args, kwargs)
        main = next(
            s
            for s in self.statements
            if s.lstrip().upper().startswith("SELECT") and '"res_partner"' in s
        )
        rows = self.engine.storage.conn.execute(f"EXPLAIN QUERY PLAN {main}").fetchall()
        return "; ".join(row[-1] for row in rows)


def keyset_pages(call: Callable, after: int, pages: int) -> tuple[int, int]:
    """`pages` consecutive keyset pages from `id > after`: (pages read, last id)."""
    read = 0
    for _ in range(pages):
        kwargs = {"fields": FIELDS, "limit": PAGE, "order": "id", "context": ALL}
        rows = call("search_read", [[["id", ">", after]]], kwargs)
        if not rows:
            break
        read += 1
        after = rows[-1]["id"]
    return read, after


def pages_per_second(call: Callable, after: int, runs: int) -> float:
    rates = []
    keyset_pages(call, after, 1)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        read, _ = keyset_pages(call, after, PAGES_PER_SPOT)
        rates.append(read / (time.perf_counter() - start))
    return statistics.median(rates)


def build(scale: int, db: str | None) -> tuple[Engine, float | None, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = Path(db) if db else CACHE / f"scale{scale}.sqlite"
    existed = path.exists()
    start = time.perf_counter()
    engine = Engine(odoo_version=17, scale=scale, db_path=str(path))
    seconds = None if existed else time.perf_counter() - start
    return engine, seconds, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000, help="partners = 1000 * scale")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--db", help="database file (default: bench/.cache/scale<N>.sqlite)")
    options = parser.parse_args()
    runs = options.runs

    engine, built_in, path = build(options.scale, options.db)
    with Sandbox(engine=engine) as sandbox:
        calls = Calls(sandbox)
        first, last = (calls.first_value("id", order) for order in ("id", "id desc"))
        total = calls.engine_call("search_count", [[]], {"context": ALL})
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
        how = f"built in {built_in:.0f} s" if built_in is not None else "reused from the cache"
        print(
            f"\n{total:,} partners (ids {first:,}..{last:,}), {path.name} "
            f"{size_mb:,.0f} MB, {how}; median of {runs} runs\n"
        )

        # Pages start after the row at that position (by id): the first, the middle one, and the
        # one that leaves exactly PAGES_PER_SPOT full pages.
        middle = calls.first_value("id", "id", offset=total // 2)
        spots = [
            ("start", first - 1),
            ("middle", middle),
            ("end", calls.first_value("id", "id", offset=total - PAGE * PAGES_PER_SPOT - 1)),
        ]
        print(f"Keyset search_read, pages of {PAGE:,} partners ({len(FIELDS)} fields):\n")
        print("| where | from id | engine pages/s | JSON-RPC pages/s |")
        print("| --- | --- | --- | --- |")
        for label, after in spots:
            in_engine = pages_per_second(calls.engine_call, after, runs)
            over_rpc = pages_per_second(calls.rpc_call, after, runs)
            print(f"| {label} | > {after:,} | {in_engine:.1f} | {over_rpc:.1f} |")
        offset_kwargs = {
            "fields": FIELDS,
            "limit": PAGE,
            "offset": total // 2,
            "order": "id",
            "context": ALL,
        }
        ms, _ = median_ms(lambda: calls.engine_call("search_read", [[]], offset_kwargs), runs)
        print(f"| middle, offset paging | offset {total // 2:,} | {1000 / ms:.1f} | |")

        recent = calls.first_value("write_date", "write_date desc", offset=total // 100)
        past_middle = [["id", ">", middle]]
        company = calls.first_value("id", "id", [["is_company", "=", True], *past_middle])
        ref = calls.first_value("ref", "id", [["ref", "!=", False], *past_middle])
        email = calls.first_value("email", "id", [["email", "!=", False], *past_middle])
        page = {"fields": FIELDS, "limit": PAGE}
        # (label, method, domain, kwargs); "Odoo:" says whether Odoo 17 indexes the field.
        queries = [
            ("search_count [] (active only, Odoo's default)", "search_count", [], {}),
            ("search_count [] (active_test=False)", "search_count", [], {"context": ALL}),
            (
                "search_read id > middle, 2,000 by id (active only)",
                "search_read",
                past_middle,
                {**page, "order": "id"},
            ),
            (
                f"search_count write_date > {recent} (Odoo: no index)",
                "search_count",
                [["write_date", ">", recent]],
                {"context": ALL},
            ),
            (
                f"search_count create_date > {recent} (Odoo: no index)",
                "search_count",
                [["create_date", ">", recent]],
                {"context": ALL},
            ),
            (
                "search_read write_date > ..., 2,000 by write_date",
                "search_read",
                [["write_date", ">", recent]],
                {**page, "order": "write_date, id", "context": ALL},
            ),
            (
                "search_read create_date > ..., 2,000 by create_date",
                "search_read",
                [["create_date", ">", recent]],
                {**page, "order": "create_date, id", "context": ALL},
            ),
            (
                f"search_read parent_id = {company} (Odoo: index)",
                "search_read",
                [["parent_id", "=", company]],
                {"fields": FIELDS, "context": ALL},
            ),
            (
                f"search_read ref = {ref!r} (Odoo: index)",
                "search_read",
                [["ref", "=", ref]],
                {"fields": FIELDS, "context": ALL},
            ),
            (
                f"search_read email = {email!r} (Odoo: no index)",
                "search_read",
                [["email", "=", email]],
                {"fields": FIELDS, "context": ALL},
            ),
            (
                "search_read [], first 80 in the default order (complete_name; Odoo: index)",
                "search_read",
                [],
                {"fields": FIELDS, "limit": 80},
            ),
        ]
        print("\nQueries (in the engine):\n")
        print("| query | rows | ms | SQLite plan |")
        print("| --- | --- | --- | --- |")
        for label, method, domain, kwargs in queries:
            ms, result = median_ms(
                lambda m=method, d=domain, k=kwargs: calls.engine_call(m, [d], k), runs
            )
            rows = result if isinstance(result, int) else len(result)
            plan = calls.plan(method, [domain], kwargs)
            print(f"| {label} | {rows:,} | {ms:.1f} | {plan} |")


if __name__ == "__main__":
    main()
