"""`odoo-dagster`: plan the partitions before the first run, and show the steps a run makes.

    odoo-dagster bounds account.move.line --partitions 4
        {"account.move.line": [251017, 502311, 753598]}      <- paste into ODOO_PARTITIONS
    odoo-dagster plan
        the steps, their id ranges and their meltano state ids, from the environment

`bounds` asks Odoo (ODOO_URL, ODOO_DATABASE, ODOO_USERNAME, ODOO_PASSWORD, the variables of
meltano.yml's `prod` environment, or `--config` with a tap-odoo config file) for the ids that
split the model's current rows evenly: one `search_count` and one id-only `search` per cut.
The cuts are then settings: the same at every run (the state of a range is only valid for that
range), the last range open-ended so that new rows land there. Re-plan only with new states.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from odoo_client import ConnectionSettings, OdooClient
from odoo_client.cli import run_cli
from odoo_dagster.plan import steps
from odoo_dagster.settings import Settings, SettingsError

ENV_CONNECTION = {
    "url": "ODOO_URL",
    "database": "ODOO_DATABASE",
    "username": "ODOO_USERNAME",
    "password": "ODOO_PASSWORD",
}


def suggest_cuts(client: OdooClient, model: str, partitions: int) -> list[int]:
    """Ids where ranges 2..N start so that each holds about the same number of rows today."""
    total = client.search_count(model, [])
    cuts = []
    for k in range(1, partitions):
        (cut,) = client.search(model, [], offset=total * k // partitions, limit=1, order="id asc")
        cuts.append(cut)
    return sorted(set(cuts))


def _connection(config_path: str | None) -> dict:
    if config_path:
        return json.loads(Path(config_path).read_text())
    return {key: os.environ[name] for key, name in ENV_CONNECTION.items() if os.environ.get(name)}


def _bounds(args: argparse.Namespace) -> None:
    if args.partitions < 2:
        sys.exit("error: --partitions must be 2 or more")
    client = OdooClient(ConnectionSettings.from_config(_connection(args.config)))
    client.authenticate()
    cuts = suggest_cuts(client, args.model, args.partitions)
    print(json.dumps({args.model: cuts}))


def _plan(_args: argparse.Namespace) -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        sys.exit(f"error: {error}")
    print(f"{'step (Dagster op)':<44} {'reads':<44} meltano state id suffix")
    for step in steps(settings):
        print(f"{step.name:<44} {step.describe():<44} {step.state_id_suffix}")
    print(f"{settings.parallel} at once, each retried {settings.retries} times")


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    parser = argparse.ArgumentParser(prog="odoo-dagster", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bounds = commands.add_parser("bounds", help="ids that split a model into even ranges")
    bounds.add_argument("model", help="an Odoo model, such as account.move.line")
    bounds.add_argument("--partitions", type=int, default=4, help="how many ranges (default 4)")
    bounds.add_argument("--config", help="a tap-odoo config file (default: ODOO_* variables)")
    bounds.set_defaults(run=_bounds)
    plan = commands.add_parser("plan", help="the steps of a run, from the environment")
    plan.set_defaults(run=_plan)
    args = parser.parse_args(argv)
    run_cli(args.run, args)


if __name__ == "__main__":
    main()
