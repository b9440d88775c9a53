"""The Dagster job on one machine: `dagster job execute` (multiprocess executor) loads a sandbox
into PostgreSQL, partners in 4 id ranges plus two small streams, 4 steps at once, Meltano's
states in PostgreSQL too; then again, incrementally, after rows were added, changed and deleted.

Every table must then hold exactly the server's rows: the live rows (`_sdc_deleted_at` null)
are the sandbox's ids, each once, and the deleted ones are flagged. One page read fails once
(a 502, the tap's own retries off): its step fails, Dagster retries it, and it resumes.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance
from pgcluster import PostgresCluster
from test_tap_sync import admin_call, ground_truth, is_referenced

from odoo_sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODELS = ["res.partner", "res.country", "res.currency"]
PARTITIONED = "res.partner"
STREAMS = [model.replace(".", "_") for model in MODELS]
JOB = "odoo_to_warehouse"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A PostgreSQL cluster of this module: database `warehouse`, and `meltano` for the states."""
    with PostgresCluster(tmp_path_factory.mktemp("pg")) as cluster:
        cluster.create_database("warehouse")
        cluster.create_database("meltano")
        yield cluster


@pytest.fixture(scope="module")
def odoo():
    """A sandbox of its own (the test changes its data): about 1,000 partners."""
    sandbox = Sandbox(odoo_version=17, scale=1).start()
    yield sandbox
    sandbox.stop()


def quartile_cuts(sandbox) -> list[int]:
    """Ids where the 2nd, 3rd and 4th quarter of the partners start (fixed for both runs)."""
    ids = sorted(ground_truth(sandbox, PARTITIONED))
    return [ids[len(ids) * k // 4] for k in (1, 2, 3)]


def job_env(sandbox, postgres, dagster_home: Path, cuts: list[int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "SANDBOX_", "PG"))}
    env.update(
        SANDBOX_URL=sandbox.settings["url"],
        SANDBOX_DATABASE=sandbox.settings["database"],
        SANDBOX_USERNAME=sandbox.settings["username"],
        SANDBOX_PASSWORD=sandbox.settings["password"],
        MELTANO_ENVIRONMENT="dev",
        MELTANO_DATABASE_URI=postgres.url("meltano"),
        DAGSTER_HOME=str(dagster_home),
        ODOO_MODELS=",".join(MODELS),
        ODOO_PARTITIONS=json.dumps({PARTITIONED: cuts}),
        ODOO_PARALLEL="4",
        ODOO_RETRIES="1",
        ODOO_RETRY_DELAY="0",
        TAP_ODOO_MAX_RETRIES="0",  # a 502 fails the step at once: Dagster's retry takes over
        **postgres.env("warehouse"),
    )
    return env


def execute_job(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [str(BIN / "dagster"), "job", "execute", "-m", "odoo_dagster.definitions", "-j", JOB]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def warehouse_ids(postgres, stream: str) -> tuple[list[int], set[int]]:
    """(ids of the live rows, with repeats if any; ids flagged deleted)."""
    rows = postgres.psql("warehouse", f'select id, _sdc_deleted_at is null from odoo."{stream}"')
    live = [int(row_id) for row_id, alive in rows if alive == "t"]
    return live, {int(row_id) for row_id, alive in rows if alive == "f"}


def assert_warehouse_is_the_server(sandbox, postgres) -> None:
    for model, stream in zip(MODELS, STREAMS, strict=True):
        live, _ = warehouse_ids(postgres, stream)
        assert sorted(live) == sorted(ground_truth(sandbox, model)), stream


def states(postgres) -> dict[str, dict]:
    rows = postgres.psql("meltano", "select state_id, completed_state from state")
    return {state_id: json.loads(value) for state_id, value in rows}


def dagster_history(dagster_home: Path) -> tuple[list[str], list[str]]:
    """(status of every run, oldest first; step keys Dagster retried), from the instance."""
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = list(reversed(instance.get_runs()))
        retried = [
            event.step_key
            for run in runs
            for event in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)
        ]
        return [run.status.value for run in runs], retried


def test_the_dagster_job_loads_partitions_into_postgresql_exactly(
    odoo, postgres, tmp_path, secrets_seen
):
    secrets_seen.extend(s for s in [*odoo.secrets, postgres.password] if s not in secrets_seen)
    install = subprocess.run(
        [str(BIN / "meltano"), "install", "extractor", "tap-odoo", "loader", "target-postgres"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    cuts = quartile_cuts(odoo)
    env = job_env(odoo, postgres, dagster_home, cuts)
    # The prepare step reads one (empty) page of partners; the next page read fails once.
    odoo.faults.fail_next("502", when="res.partner.search_read", skip=1)

    full = execute_job(env)

    assert full.returncode == 0, full.stderr[-6000:]
    assert_warehouse_is_the_server(odoo, postgres)
    statuses, retried = dagster_history(dagster_home)
    assert statuses == ["SUCCESS"]
    assert len(retried) == 1, retried
    assert retried[0].startswith("res_partner__")
    saved = states(postgres)
    suffixes = [f"{lo}-{hi}" for lo, hi in itertools.pairwise([0, *cuts, "up"])]
    expected_ids = {f"dev:tap-odoo-to-target-postgres:res_partner.{s}" for s in suffixes}
    expected_ids |= {"dev:tap-odoo-to-target-postgres:res_country"}
    expected_ids |= {"dev:tap-odoo-to-target-postgres:res_currency"}
    assert set(saved) == expected_ids
    last = saved[f"dev:tap-odoo-to-target-postgres:res_partner.{cuts[-1]}-up"]
    assert last["singer_state"]["bookmarks"]["res_partner"]["id_range"] == [cuts[-1], None]

    ids = sorted(ground_truth(odoo, PARTITIONED))
    changed = [ids[3], ids[len(ids) // 2 + 1], ids[-4]]
    gone = [i for i in ids[: len(ids) // 4] if not is_referenced(odoo, i)][:2]
    gone += [i for i in reversed(ids) if not is_referenced(odoo, i) and i not in changed][:1]
    admin_call(odoo, "res.partner", "write", changed, {"comment": "changed for the second run"})
    admin_call(odoo, "res.partner", "unlink", gone)
    new = admin_call(odoo, "res.partner", "create", [{"name": f"Added {i}"} for i in range(5)])

    incremental = execute_job(env)

    assert incremental.returncode == 0, incremental.stderr[-6000:]
    assert_warehouse_is_the_server(odoo, postgres)
    live, deleted = warehouse_ids(postgres, "res_partner")
    assert deleted == set(gone)
    assert set(new) <= set(live)
    comments = postgres.psql(
        "warehouse",
        "select id from odoo.res_partner where comment = 'changed for the second run'",
    )
    assert sorted(int(row_id) for (row_id,) in comments) == sorted(changed)
    # Incremental: the second run read only what changed (and the look-back window).
    assert "res_partner                      ok" in incremental.stderr
    assert dagster_history(dagster_home) == (["SUCCESS", "SUCCESS"], retried)
