"""Load benchmark of the real `target-odoo` command: does it slow down or grow as records pile up?

Writes `--records` (20,000) unified Customers records through `target-odoo` into a fresh sandbox
(Odoo 17, JSON-RPC, loopback, in this process) and samples, while it runs:
- throughput per `--window` (2,000) records, from the results file the target flushes after every
  batch (the time each multiple of the window was reached);
- the target process's RSS at each window boundary and its peak (psutil, every 20 ms).

A first run of one window's worth of records gives the peak RSS to compare with. It prints a
markdown table: rec/s and RSS per window, the last/first window rate ratio (a slow-down with the
record count shows below 1), the RSS ratio at the last window over the first, and both runs' peak
RSS. Ratios from one run, not absolute times: the 2 cores are shared.

    .venv/bin/python bench/bench_target_load.py [--records 20000] [--window 2000] [--batch-size 100]
        [--state-output hotglue|passthrough]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from odoo_sandbox import Sandbox

BIN = Path(sys.executable).parent
SCHEMA = {
    "type": "SCHEMA",
    "stream": "Customers",
    "key_properties": ["id"],
    "schema": {
        "type": "object",
        "properties": {
            "id": {"type": ["string", "null"]},
            "customerName": {"type": ["string", "null"]},
            "emailAddress": {"type": ["string", "null"]},
            "phoneNumbers": {"type": ["array", "null"], "items": {"type": "object"}},
            "addresses": {"type": ["array", "null"], "items": {"type": "object"}},
        },
    },
}


def write_input(path: Path, count: int, prefix: str) -> None:
    """A Singer file with `count` Customers records (keys and names start with `prefix`)."""
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(SCHEMA) + "\n")
        for i in range(count):
            record = {
                "id": f"{prefix}-{i}",
                "customerName": f"Load Customer {prefix} {i}",
                "emailAddress": f"c{i}@{prefix}.load.example.com",
                "phoneNumbers": [{"number": f"+32 9 {i:06d}"}],
                "addresses": [{"line1": f"{i} Load Street", "city": "Ghent", "postalCode": "9000"}],
            }
            message = {"type": "RECORD", "stream": "Customers", "record": record}
            out.write(json.dumps(message) + "\n")


@dataclass
class Sample:
    """What one monitored run saw."""

    returncode: int = 0
    seconds: float = 0.0
    peak_rss: int = 0
    # per window boundary k (k * window records done): (seconds since the first result, RSS)
    marks: list[tuple[float, int]] = field(default_factory=list)
    first_result_at: float = 0.0
    first_done: int = 0  # records already in the results file when they were first seen
    statuses: dict[str, int] = field(default_factory=dict)


def count_lines(path: Path) -> int:
    """Complete lines in the results file so far."""
    try:
        with path.open("rb") as handle:
            return handle.read().count(b"\n")
    except FileNotFoundError:
        return 0


def monitored_run(
    settings: dict, singer: Path, results: Path, window: int, batch_size: int, state_output: str
) -> Sample:
    """Run target-odoo on `singer`, sampling RSS and progress every 20 ms."""
    config = {key: settings[key] for key in ("url", "database", "username", "password")}
    config.update(results_path=str(results), batch_size=batch_size, state_output=state_output)
    config_path = results.with_suffix(".config.json")
    config_path.write_text(json.dumps(config))
    command = [str(BIN / "target-odoo"), "--config", str(config_path), "--input", str(singer)]
    sample = Sample()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched = psutil.Process(process.pid)
    next_mark = window
    while process.poll() is None:
        try:
            rss = watched.memory_info().rss
        except psutil.Error:
            break
        sample.peak_rss = max(sample.peak_rss, rss)
        done = count_lines(results)
        now = time.perf_counter()
        if done and not sample.first_result_at:
            sample.first_result_at, sample.first_done = now, done
        while done >= next_mark:
            sample.marks.append((now - sample.first_result_at, rss))
            next_mark += window
        time.sleep(0.02)
    sample.returncode = process.wait()
    sample.seconds = time.perf_counter() - started
    outcomes = [json.loads(line)["status"] for line in results.read_text().splitlines()]
    sample.statuses = {status: outcomes.count(status) for status in sorted(set(outcomes))}
    return sample


def table(sample: Sample, small: Sample, window: int, records: int) -> str:
    """The markdown report."""
    mib = 1024 * 1024
    lines = [
        "| records done | window rec/s | RSS MiB |",
        "| --- | --- | --- |",
    ]
    rates = []
    previous = 0.0
    for k, (at, rss) in enumerate(sample.marks, start=1):
        # the first window starts at the first result: before it is startup and connecting
        span = at - previous
        rate = (window if k > 1 else window - sample.first_done) / span if span else 0.0
        rates.append(rate)
        previous = at
        lines.append(f"| {k * window:,} | {rate:,.0f} | {rss / mib:.0f} |")
    first_rss, last_rss = sample.marks[0][1], sample.marks[-1][1]
    lines += [
        "",
        f"- {records:,} records in {sample.seconds:.1f} s (process start to exit), "
        f"outcomes {sample.statuses}, exit {sample.returncode}",
        f"- window rec/s: last / first {rates[-1] / rates[0]:.2f}, "
        f"min {min(rates):,.0f}, max {max(rates):,.0f}",
        f"- RSS while running, at {len(sample.marks) * window:,} / at {window:,} records: "
        f"{last_rss / first_rss:.2f} ({(last_rss - first_rss) / 1024 / (records - window):.2f} "
        "KiB per record)",
        f"- peak RSS (incl. the final state message): {records:,} records "
        f"{sample.peak_rss / mib:.0f} MiB, {window:,} records {small.peak_rss / mib:.0f} MiB, "
        f"ratio {sample.peak_rss / small.peak_rss:.2f}",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run once and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--window", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--state-output",
        default="hotglue",
        choices=["hotglue", "passthrough"],
        help="hotglue keeps every outcome for its state; passthrough (meltano) keeps counts only",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, Sandbox(odoo_version=17, scale=1) as sandbox:
        runs = {}
        for name, count in (("small", args.window), ("full", args.records)):
            singer = Path(directory) / f"{name}.singer"
            write_input(singer, count, prefix=name)
            results = Path(directory) / f"{name}.jsonl"
            runs[name] = sample = monitored_run(
                sandbox.settings, singer, results, args.window, args.batch_size, args.state_output
            )
            if sample.returncode != 0 or sample.statuses != {"created": count}:
                failed = f"the {name} run failed: {sample.statuses}, exit {sample.returncode}"
                raise SystemExit(failed)
        print(table(runs["full"], runs["small"], args.window, args.records))


if __name__ == "__main__":
    main()
