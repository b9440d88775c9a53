"""Benchmark: tap-odoo discovery of a large database over a slow link.

Starts a sandbox in its own process (as a real server would be) with `--extra-models` synthetic
models on top of the recorded ones and `--latency-ms` added to every request, then times
`discover()`: the ir.model listing, one read-access check per model and one fields_get per
readable model, on `--parallel` threads. Prints a markdown table row per pool size: models
listed, streams, latency, pool size, seconds, calls.
Goal: 700 extra models at 30 ms in under 10 s.

    .venv/bin/python bench/bench_discovery.py [--extra-models 700] [--latency-ms 30] \\
        [--parallel 4 8]
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from odoo_client import ConnectionSettings, OdooClient
from tap_odoo.discovery import discover

HEADER = (
    "| models in ir.model | streams | protocol | latency (ms) | parallel | seconds | calls |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)
SANDBOX = Path(sys.executable).parent / "odoo-sandbox"


class CountingClient:
    """The client, counting the calls discovery makes (thread-safe)."""

    def __init__(self, client: OdooClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in ("call", "search_read", "fields_get"):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls += 1
            return attribute(*args, **kwargs)

        return counted


def run(extra_models: int, latency_ms: float, parallel: list[int], protocol: str) -> list[str]:
    """Time one discovery per pool size against a sandbox in its own process."""
    logger = logging.getLogger("bench_discovery")
    command = [
        str(SANDBOX),
        "--port=0",
        f"--extra-models={extra_models}",
        f"--faults=latency_ms={latency_ms:g}",
        "--log-level=ERROR",
    ]
    rows = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            settings = json.loads(server.stdout.readline())  # type: ignore[union-attr]
            client = OdooClient(ConnectionSettings.from_config({**settings, "protocol": protocol}))
            client.server_version_info  # noqa: B018 - connect and log in before the clock starts
            listed = len(client.search_read("ir.model", [], ["model"]))
            for threads in parallel:
                counting = CountingClient(client)
                started = time.perf_counter()
                specs = discover(counting, {"max_parallel_requests": threads}, logger)
                seconds = time.perf_counter() - started
                rows.append(
                    f"| {listed} | {len(specs)} | {protocol} | {latency_ms:g} | {threads} | "
                    f"{seconds:.2f} | {counting.calls} |"
                )
        finally:
            server.terminate()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-models", type=int, default=700)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--parallel", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--protocol", default="jsonrpc", choices=["jsonrpc", "xmlrpc"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    print(HEADER)
    for row in run(args.extra_models, args.latency_ms, args.parallel, args.protocol):
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
