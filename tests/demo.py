"""`make demo`: extract Odoo into DuckDB with `meltano run`, then print the rows per stream.

Against the bundled sandbox unless ODOO_URL, ODOO_DATABASE, ODOO_USERNAME and ODOO_PASSWORD are set,
in which case it extracts from that Odoo (meltano environment `prod`).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
# meltano lets TARGET_DUCKDB_FILEPATH override the file meltano.yml names: count rows where
# they land.
DUCKDB_FILE = Path(os.environ.get("TARGET_DUCKDB_FILEPATH") or ROOT / "output" / "odoo.duckdb")
DUCKDB_SCHEMA = "odoo"
ODOO_SETTINGS = ("ODOO_URL", "ODOO_DATABASE", "ODOO_USERNAME", "ODOO_PASSWORD")


@contextlib.contextmanager
def sandbox(scale: int = 1):
    """Start `odoo-sandbox` on a free port and yield its settings (the one JSON line it prints)."""
    process = subprocess.Popen(
        [str(BIN / "odoo-sandbox"), "--port", "0", "--scale", str(scale)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            sys.exit("odoo-sandbox stopped before it was ready; see its messages above.")
        yield json.loads(line)
    finally:
        process.terminate()
        process.wait(timeout=30)


def meltano(*args: str, env: dict[str, str]) -> None:
    """Run one meltano command in the project, failing the demo if it fails."""
    result = subprocess.run([str(BIN / "meltano"), *args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"`meltano {' '.join(args)}` failed with exit code {result.returncode}.")


def extract(environment: str, env: dict[str, str]) -> None:
    """Install the two plugins the job needs and run the job."""
    DUCKDB_FILE.parent.mkdir(parents=True, exist_ok=True)
    DUCKDB_FILE.unlink(missing_ok=True)
    meltano("install", "tap-odoo", "target-duckdb", env=env)
    # The DuckDB file starts empty each time, so the state of an earlier run must not apply.
    meltano("--environment", environment, "run", "--full-refresh", "odoo-to-duckdb", env=env)


def rows_per_table(path: Path = DUCKDB_FILE, schema: str = DUCKDB_SCHEMA) -> dict[str, int]:
    """Count the rows of every table the loader wrote."""
    import duckdb  # noqa: PLC0415  (only the demo and its test need it)

    with duckdb.connect(str(path), read_only=True) as connection:
        (catalog,) = connection.execute("select current_database()").fetchone()
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = ? order by table_name",
                [catalog, schema],
            ).fetchall()
        ]
        return {
            table: connection.execute(
                f'select count(*) from "{catalog}"."{schema}"."{table}"'
            ).fetchone()[0]
            for table in tables
        }


def main() -> None:
    """Run the demo end to end."""
    env = dict(os.environ)
    if all(env.get(name) for name in ODOO_SETTINGS):
        print(f"Extracting from the Odoo at {env['ODOO_URL']} (meltano environment prod).")
        extract("prod", env)
    else:
        with sandbox() as settings:
            print(f"Extracting from the bundled Odoo sandbox at {settings['url']}.")
            env.update(
                SANDBOX_URL=settings["url"],
                SANDBOX_DATABASE=settings["database"],
                SANDBOX_USERNAME=settings["username"],
                SANDBOX_PASSWORD=settings["password"],
            )
            extract("dev", env)
    counts = rows_per_table()
    width = max(map(len, counts), default=10)
    print(f"\nRows loaded into {DUCKDB_FILE} (schema {DUCKDB_SCHEMA}):")
    for table, rows in counts.items():
        print(f"  {table:<{width}}  {rows:>8}")
    print(f"  {'total':<{width}}  {sum(counts.values()):>8}")


if __name__ == "__main__":
    main()
