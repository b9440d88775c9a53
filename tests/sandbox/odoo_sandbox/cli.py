"""`odoo-sandbox`: serve the sandbox and print one JSON line with the connection settings."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from types import FrameType

from odoo_sandbox.faults import FaultPlan
from odoo_sandbox.server import Sandbox
from odoo_sandbox.versions import VERSIONS


def build_parser() -> argparse.ArgumentParser:
    """The command's options."""
    parser = argparse.ArgumentParser(
        prog="odoo-sandbox",
        description="An Odoo-compatible server (XML-RPC, JSON-RPC, JSON-2) for tests and demos. "
        "Prints one JSON line with url, database, username, password and api_key once ready.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8069, help="port (default 8069; 0 = free port)")
    parser.add_argument("--odoo-version", type=int, choices=VERSIONS, default=17)
    parser.add_argument("--scale", type=int, default=1, help="size of the generated data")
    parser.add_argument("--db", dest="db_path", default=None, help="SQLite file to persist data")
    parser.add_argument(
        "--faults",
        default=None,
        help="fault spec, e.g. error_rate=0.05,errors=429+502+drop,latency_ms=30,session_ttl=50",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the data generator")
    parser.add_argument("--extra-models", type=int, default=0, help="additional generated models")
    parser.add_argument("--log-level", default="INFO", help="stderr log level (default INFO)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or SIGINT."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        faults = FaultPlan(args.faults)
    except ValueError as error:
        print(f"odoo-sandbox: --faults: {error}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("odoo_sandbox").info("signal %s: stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    sandbox = Sandbox(
        odoo_version=args.odoo_version,
        scale=args.scale,
        db_path=args.db_path,
        seed=args.seed,
        faults=faults,
        extra_models=args.extra_models,
    )
    try:
        sandbox.start(host=args.host, port=args.port)
    except OSError as error:
        print(f"odoo-sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        ready = {**sandbox.settings, "odoo_version": args.odoo_version}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        while not stopping.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
