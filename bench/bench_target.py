"""Benchmark target-odoo's writer against the sandbox: records/s batched vs one call per record.

    .venv/bin/python bench/bench_target.py [--partners 5000] [--invoices 1000] [--latency 0 30]

"Batched" is the target as shipped (batch_size 100: one external-id lookup, one create, one
external-id write per batch). "One per record" is batch_size 1, the way most targets write: a
lookup, a create and an external-id write for every record. With latency the per-record run
measures a sample (`--per-record-sample`, default 300; 0 = every record) since its rate does not
depend on the count: all 5,000 partners one by one at 30 ms take about 12 minutes. The table
says how many records each rate was measured on.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

from odoo_client import OdooClient
from odoo_client.settings import ConnectionSettings
from odoo_sandbox import Sandbox
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import load_mapping
from target_odoo.upsert import BatchWriter, WriteSettings

MAPPING = load_mapping()


def partners(count: int, run: str) -> list[dict]:
    """Unified Customers records."""
    return [
        {
            "id": f"{run}-C{i}",
            "customerName": f"Bench Customer {run} {i}",
            "emailAddress": f"c{i}@{run}.example.com",
            "phoneNumbers": [{"number": f"+32 9 {i:06d}"}],
            "addresses": [{"line1": f"{i} Bench Street", "city": "Ghent", "postalCode": "9000"}],
        }
        for i in range(count)
    ]


def invoices(count: int, run: str, customer: str) -> list[dict]:
    """Unified Invoices records with five lines each."""
    return [
        {
            "id": f"{run}-I{i}",
            "customerId": customer,
            "invoiceNumber": f"{run}/{i}",
            "issueDate": "2026-01-05",
            "currency": "USD",
            "lineItems": [
                {"description": f"Item {n}", "quantity": n + 1, "unitPrice": 10.0 * (n + 1)}
                for n in range(5)
            ],
        }
        for i in range(count)
    ]


def chunks(records: list[dict], size: int) -> Iterator[list[dict]]:
    """Batches of `size` records."""
    for start in range(0, len(records), size):
        yield records[start : start + size]


def rate(client: OdooClient, stream: str, records: list[dict], batch_size: int) -> float:
    """Records per second writing `records` through `stream`'s mapping."""
    external_ids = ExternalIds(client, "bench")
    writer = BatchWriter(
        client,
        MAPPING.for_stream(stream),
        external_ids,
        LookupResolver(client, external_ids),
        WriteSettings(namespace="bench"),
    )
    started = time.perf_counter()
    failed = 0
    for batch in chunks(records, batch_size):
        failed += sum(o.status == "failed" for o in writer.write(batch))
    elapsed = time.perf_counter() - started
    if failed:
        raise SystemExit(f"{failed} {stream} records failed; the benchmark would be meaningless")
    return len(records) / elapsed


def main() -> None:
    """Run every case and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--latency", type=int, nargs="+", default=[0, 30])
    parser.add_argument("--per-record-sample", type=int, default=300, help="0: every record")
    args = parser.parse_args()
    print("| case | latency | batched rec/s | one per record rec/s (records measured) | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    for latency in args.latency:
        with Sandbox(odoo_version=17, scale=1, faults=f"latency_ms={latency}") as sandbox:
            client = OdooClient(ConnectionSettings.from_config(sandbox.settings))
            rate(client, "Customers", partners(1, "seed"), 1)  # the customer invoices point at
            cases = [
                ("Customers", f"{args.partners} partners", partners, args.partners),
                ("Invoices", f"{args.invoices} invoices x 5 lines", None, args.invoices),
            ]
            for stream, label, make, count in cases:
                sample = count
                if latency and args.per_record_sample:
                    sample = min(count, args.per_record_sample)

                def build(n: int, run: str, make=make) -> list[dict]:
                    return make(n, run) if make else invoices(n, run, "seed-C0")

                batched = rate(client, stream, build(count, f"b{latency}"), 100)
                single = rate(client, stream, build(sample, f"s{latency}"), 1)
                print(
                    f"| {label} | {latency} ms | {batched:,.0f} | {single:,.0f} ({sample:,}) | "
                    f"{batched / single:.1f}x |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
