"""The real `meltano run tap-odoo target-duckdb` on the sandbox: every row lands exactly once."""

from __future__ import annotations

import os
import subprocess

import demo
import pytest
from test_tap_sync import ground_truth

ROOT = demo.ROOT

# The streams meltano.yml selects for the job (table name -> model).
STREAMS = {
    name.replace(".", "_"): name
    for name in (
        "res.partner", "res.country", "res.currency", "product.product", "product.template",
        "account.account", "account.tax", "account.journal", "account.move", "account.move.line",
        "purchase.order", "purchase.order.line", "sale.order", "sale.order.line",
    )
}  # fmt: skip


@pytest.mark.e2e
def test_meltano_run_lands_every_row_in_duckdb(sandbox, tmp_path, odoo_user) -> None:
    # As the admin and as the least-privilege integration user: meltano passes its catalog,
    # which needs no list of models (ir.model is closed to the integration user).
    settings = sandbox.settings_for(odoo_user)
    env = dict(os.environ)
    for name in ("ODOO_URL", "ODOO_DATABASE", "ODOO_USERNAME", "ODOO_PASSWORD"):
        env.pop(name, None)
    duckdb_file = tmp_path / "e2e.duckdb"
    env.update(
        SANDBOX_URL=settings["url"],
        SANDBOX_DATABASE=settings["database"],
        SANDBOX_USERNAME=settings["username"],
        SANDBOX_PASSWORD=settings["password"],
        TARGET_DUCKDB_FILEPATH=str(duckdb_file),
        # Small batches: target-duckdb with duckdb >= 1.3 loses the first row of every batch.
        TARGET_DUCKDB_BATCH_SIZE_ROWS="100",
    )
    meltano = [str(demo.BIN / "meltano")]
    install = subprocess.run(
        [*meltano, "install", "tap-odoo", "target-duckdb"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run(
        [*meltano, "--environment", "dev", "run", "--full-refresh", "tap-odoo", "target-duckdb"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-5000:]
    assert settings["password"] not in run.stdout + run.stderr

    counts = demo.rows_per_table(duckdb_file)
    for stream, model in STREAMS.items():
        assert counts[stream] == len(ground_truth(sandbox, model)), stream
    assert set(counts) == set(STREAMS)
    assert counts["res_partner"] > 1000


@pytest.mark.e2e
def test_the_demo_prints_rows_per_stream_and_where_they_are(sandbox, tmp_path) -> None:
    """`make demo` as a new user runs it (its own sandbox), minus the shared output folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "SANDBOX_"))}
    duckdb_file = tmp_path / "demo.duckdb"
    env["TARGET_DUCKDB_FILEPATH"] = str(duckdb_file)
    demo_script = ROOT / "tests" / "demo.py"
    result = subprocess.run(
        [str(demo.BIN / "python"), str(demo_script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = result.stdout[result.stdout.index("Rows loaded into") :].splitlines()
    assert report[0] == f"Rows loaded into {duckdb_file} (schema odoo):"
    printed = dict(line.split() for line in report[1:])
    counts = demo.rows_per_table(duckdb_file)
    assert set(printed) == set(STREAMS) | {"total"}
    assert {name: int(rows) for name, rows in printed.items() if name != "total"} == counts
    assert int(printed["total"]) == sum(counts.values()) > 1000
    # The demo's sandbox has the default seed, hence the same secrets as the shared one.
    for secret in sandbox.secrets:
        assert secret not in result.stdout + result.stderr
