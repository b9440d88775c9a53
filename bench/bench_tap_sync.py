"""Benchmark of tap-odoo's sync on the sandbox: ratios measured in one run, not absolute times.

For each server and model:
- tap / bare loop: `tap-odoo` (writing Singer messages to /dev/null) over a bare client loop that
  reads the same pages with the same fields (goal <= 1.10: the tap adds little to server time);
  "tap s" is the whole process (Python start-up, discovery and count included), "sync s" the
  SDK's own timer of the stream. Bare loop and tap run in turns, `--repeats` times; the table
  holds the median of each (ratios of medians);
- naive / tap: the naive way other connectors read (every field incl. computed ones, many2one names,
  offset paging, no prefetch) over the tap's defaults;
- peak RSS of the tap at 20,000 and at 200,000 partners (goal: within 20%: memory does not grow with
  the row count).

Servers: the sandbox as fast as it goes (0 ms), with 30 ms added per call (a hosted Odoo's round
trip), and, on `--small-scale` data, with the time the recorded Odoo 17 took per row read
(`row_latency_us`, from tests/recordings/odoo17/timing.search_read.res.partner.json): the bare
sandbox serves a page ~30 times faster than that Odoo did, on the same 2 cores as the tap.

Partners are read at `--scale` (200: 200,000 partners), journal items at `--line-scale` (600:
about 200,000 lines), so that both syncs last long enough for start-up to be a small part; their
rows read stored fields only (a catalog selecting them), as every stream did before related and
company-dependent fields came into the catalog.

Field kinds (tap-odoo/README.md): product.product on a database of `--products` products (a
template each, a cost per company, stock in two warehouses), read three ways, the bare loop
reading the same fields each time: stored fields; stored, related and company-dependent fields
(kinds 1+2, the default selection); and every field (1+2+3, computed ones too).

Usage: .venv/bin/python bench/bench_tap_sync.py [--scale 200] [--line-scale 600] [--repeats 3]
       .venv/bin/python bench/bench_tap_sync.py --only field-kinds  (product rows, stored partners)
The generated databases are cached in bench/.cache/ so later runs skip the data generation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CACHE = ROOT / "bench" / ".cache"
CONNECTION_KEYS = ("url", "database", "username", "password")


RECORDED_TIMING = ROOT / "tests" / "recordings" / "odoo17" / "timing.search_read.res.partner.json"


def recorded_row_latency_us() -> float:
    """Microseconds per row the recorded Odoo 17 took for stored, non-binary partner fields."""
    timing = json.loads(RECORDED_TIMING.read_text())["jsonrpc_stored_nonbinary_fields"]
    return timing["median_s"] / timing["rows"] * 1e6


@contextlib.contextmanager
def sandbox(scale: int, latency_ms: int, row_latency_us: float = 0, db: Path | None = None):
    """A sandbox process on a free port, its data persisted in the cache folder."""
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN / "odoo-sandbox"),
        "--port", "0",
        "--scale", str(scale),
        "--db", str(db or CACHE / f"scale{scale}.sqlite"),
    ]  # fmt: skip
    faults = [f"latency_ms={latency_ms}"] if latency_ms else []
    faults += [f"row_latency_us={row_latency_us:.0f}"] if row_latency_us else []
    if faults:
        command += ["--faults", ",".join(faults)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=60)


def timed_tap(config: dict, catalog: dict | None = None) -> tuple[float, int, float]:
    """Run tap-odoo to completion; return (wall seconds, peak RSS in MiB, sync seconds)."""
    with tempfile.TemporaryDirectory() as directory:
        config_path = Path(directory) / "config.json"
        config_path.write_text(json.dumps(config))
        extra = []
        if catalog is not None:
            catalog_path = Path(directory) / "catalog.json"
            catalog_path.write_text(json.dumps(catalog))
            extra = ["--catalog", str(catalog_path)]
        runner = (
            "import resource, subprocess, sys, time\n"
            "start = time.perf_counter()\n"
            "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,"
            " text=True, check=True)\n"
            "print(time.perf_counter() - start, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.stderr.write(done.stderr)\n"
        )
        command = [str(BIN / "tap-odoo"), "--config", str(config_path), *extra]
        result = subprocess.run(
            [sys.executable, "-c", runner, *command], capture_output=True, text=True, check=True
        )
    seconds, rss_kib = result.stdout.split()
    sync = re.findall(r'"metric":"sync_duration","value":([0-9.]+)', result.stderr)
    return float(seconds), int(rss_kib) // 1024, sum(map(float, sync))


def bare_loop(settings: dict, model: str, fields: list[str], page_size: int) -> tuple[float, int]:
    """Read every row with keyset pages and the same fields, doing nothing else."""
    from odoo_client import ConnectionSettings, OdooClient  # noqa: PLC0415

    client = OdooClient(ConnectionSettings.from_config(settings))
    client.authenticate()
    start = time.perf_counter()
    rows, after = 0, 0
    while True:
        domain = [("id", ">", after)] if after else []
        page = client.search_read(
            model, domain, fields, limit=page_size, order="id asc", load=False,
            context={"bin_size": True},
        )  # fmt: skip
        rows += len(page)
        if len(page) < page_size:
            return time.perf_counter() - start, rows
        after = page[-1]["id"]


# Which fields a row reads, by field kind (tap-odoo/README.md, "Field kinds"): stored ones only
# (what every stream read before related, company-dependent and computed fields came into the
# catalog), the default selection (stored, related, company-dependent), or every field.
SELECTIONS = {
    "stored": ("stored",),
    "1+2": ("stored", "related", "company_dependent"),
    "1+2+3": ("stored", "related", "company_dependent", "computed"),
}


def catalog_and_fields(settings: dict, model: str, selection: str) -> tuple[dict, list[str]]:
    """A catalog selecting the fields of `model` of the selection's kinds, and those fields."""
    from odoo_client import ConnectionSettings, OdooClient  # noqa: PLC0415
    from tap_odoo.discovery import discover  # noqa: PLC0415

    client = OdooClient(ConnectionSettings.from_config(settings))
    (spec,) = discover(client, {"models": [model]}, logging.getLogger("bench"))
    kinds = SELECTIONS[selection]
    fields = sorted(name for name, kind in spec.kinds.items() if kind.kind in kinds)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "config.json"
        path.write_text(json.dumps({**settings, "models": [model]}))
        result = subprocess.run(
            [str(BIN / "tap-odoo"), "--config", str(path), "--discover"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    catalog = json.loads(result.stdout)
    for item in catalog["streams"][0]["metadata"]:
        if len(item["breadcrumb"]) == 2:
            item["metadata"]["selected"] = item["breadcrumb"][1] in fields
    return catalog, [name for name in fields if name != "id"]


def measure(
    settings: dict, model: str, page_size: int, repeats: int, selection: str = "stored"
) -> dict[str, float]:
    """Bare loop and tap in turns, then the naive way once; medians of the repeated runs."""
    catalog, fields = catalog_and_fields(settings, model, selection)
    base = {**settings, "models": [model], "page_size": page_size, "detect_deletions": False}
    bare, tap, sync = [], [], []
    for _ in range(repeats):
        bare_s, rows = bare_loop(settings, model, fields, page_size)
        tap_s, _, sync_s = timed_tap(base, catalog)
        bare.append(bare_s)
        tap.append(tap_s)
        sync.append(sync_s)
    naive = {
        **base,
        "include_computed_fields": True,
        "relation_names": True,
        "pagination": "offset",
        "prefetch": False,
    }
    naive_s, _, _ = timed_tap(naive)
    return {
        "rows": rows,
        "fields": len(fields) + 1,
        "bare": statistics.median(bare),
        "tap": statistics.median(tap),
        "sync": statistics.median(sync),
        "naive": naive_s,
    }


def products_db(count: int) -> Path:
    """A scale-1 database with `count` products (a template each, a cost in both companies, stock
    in both warehouses, French names), built once into the cache folder."""
    from odoo_sandbox import company_values, translations  # noqa: PLC0415
    from odoo_sandbox.bulk import ANCHOR, insert_rows, magic  # noqa: PLC0415
    from odoo_sandbox.engine import Engine  # noqa: PLC0415
    from odoo_sandbox.values import db_timestamp  # noqa: PLC0415

    path = CACHE / f"products{count}.sqlite"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    engine = Engine(odoo_version=17, scale=1, db_path=str(path))
    first = engine.storage.execute("SELECT MAX(id) FROM product_template").fetchone()[0] + 1
    ids = range(first, count + 1)
    stamp = magic(db_timestamp(ANCHOR))
    with engine.storage.lock:
        engine.storage.begin()
        templates = [
            {"id": i, "name": f"Bench product {i}", "default_code": f"BENCH_{i:06d}",
             "list_price": float(i % 900 + 5), "type": "product", "detailed_type": "product",
             "sale_ok": True, "purchase_ok": True, "uom_id": 1, "uom_po_id": 1, "active": True,
             "priority": "0", "sequence": 1, **stamp}
            for i in ids
        ]  # fmt: skip
        insert_rows(engine, "product.template", templates)
        variants = [
            {"id": i, "product_tmpl_id": i, "default_code": f"BENCH_{i:06d}", "active": True,
             "barcode": f"{5500000000000 + i}", **stamp}
            for i in ids
        ]  # fmt: skip
        insert_rows(engine, "product.product", variants)
        quants = [
            {"product_id": i, "location_id": location, "quantity": float(i % 97),
             "reserved_quantity": float(i % 3), "company_id": company, **stamp}
            for i in ids
            for location, company in ((8, 1), (10, 2))
        ]  # fmt: skip
        insert_rows(engine, "stock.quant", quants)
        costs = [
            ("product.product", "standard_price", i, company, float(i % 500) * company)
            for i in ids
            for company in (1, 2)
        ]
        company_values.set_rows(engine.storage, costs)
        names = [("product.template", "name", i, "fr_FR", f"Produit {i}") for i in ids]
        translations.set_rows(engine.storage, names)
        engine.storage.commit()
    return path


def main() -> None:
    """Run every measurement and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=200)
    parser.add_argument("--line-scale", type=int, default=600)
    parser.add_argument("--small-scale", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument(
        "--only",
        choices=["all", "field-kinds"],
        default="all",
        help="field-kinds: only the product.product rows and a stored res.partner row",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / (
        "RESULTS-tap-sync.md" if args.only == "all" else "RESULTS-field-kinds.md"
    )

    lines = [
        "| server | model | fields | rows | sandbox pages/s | bare loop s | tap s | tap/bare | "
        "sync s | sync/bare | naive s | naive/tap |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    per_row = recorded_row_latency_us()
    products = products_db(args.products)
    kinds = [("product.product", 1, products, selection) for selection in SELECTIONS]
    big = [("res.partner", args.scale, None, "stored")]
    if args.only == "all":
        big.append(("account.move.line", args.line_scale, None, "stored"))
    small = [("res.partner", args.small_scale, None, "stored")]
    small.append(("account.move.line", args.small_scale, None, "stored"))
    servers = [
        ("0 ms", big + kinds, 0, 0.0, args.repeats),
        ("30 ms per call", (big if args.only == "all" else []) + kinds, 30, 0.0, args.repeats),
    ]
    if args.only == "all":
        servers.append((f"recorded Odoo 17 per-row time ({per_row:.0f} us)", small, 0, per_row, 1))
    for label, models, latency, row_latency, repeats in servers:
        for model, scale, db, selection in models:
            with sandbox(scale, latency, row_latency, db) as running:
                settings = {key: running[key] for key in CONNECTION_KEYS}
                m = measure(settings, model, args.page_size, repeats, selection)
            pages_per_s = m["rows"] / args.page_size / m["bare"]
            lines.append(
                f"| {label} | {model} | {selection} ({m['fields']}) | {m['rows']} | "
                f"{pages_per_s:.1f} | {m['bare']:.2f} | {m['tap']:.2f} | "
                f"{m['tap'] / m['bare']:.2f} | {m['sync']:.2f} | {m['sync'] / m['bare']:.2f} | "
                f"{m['naive']:.2f} | {m['naive'] / m['tap']:.2f} |"
            )
            print(lines[-1], flush=True)
    if args.only != "all":
        text = "\n".join(["# tap-odoo sync benchmark: field kinds", "", *lines, ""])
        out.write_text(text)
        print(text)
        return

    memory = ["", "| partners | tap peak RSS MiB |", "| --- | --- |"]
    rss = {}
    for scale in (args.small_scale, args.scale):
        with sandbox(scale, 0) as running:
            settings = {key: running[key] for key in CONNECTION_KEYS}
            _, rss[scale], _ = timed_tap({**settings, "models": ["res.partner"]})
            memory.append(f"| {scale * 1000} | {rss[scale]} |")
    memory.append(
        f"\nPeak RSS ratio {args.scale * 1000} / {args.small_scale * 1000} partners: "
        f"{rss[args.scale] / rss[args.small_scale]:.2f} (goal <= 1.20)"
    )
    text = "\n".join(["# tap-odoo sync benchmark", "", *lines, *memory, ""])
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
