"""The Dagster code location without running it: settings from the environment, the steps and
their state ids, the job's shape (executor limit, retries), the schedule's skip, how one step runs
meltano (with a stand-in meltano), and `odoo-dagster bounds` against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import yaml
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, build_schedule_context
from test_tap_stop import wait_until

from odoo_dagster import meltano
from odoo_dagster.cli import suggest_cuts
from odoo_dagster.definitions import JOB, build_definitions
from odoo_dagster.plan import Step, prepare_env, steps
from odoo_dagster.settings import DEFAULT_MODELS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CUTS = {"account.move.line": [250000, 500000, 750000]}
SPANS = ["0_250000", "250000_500000", "500000_750000", "750000_up"]


def settings(**environ: str) -> Settings:
    return Settings.from_env(environ)


def test_the_default_models_are_the_ones_meltano_yml_selects() -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-odoo"]
    selected = {rule.split(".")[0] for rule in tap["select"]}
    assert {model.replace(".", "_") for model in DEFAULT_MODELS} == selected
    assert settings().models == DEFAULT_MODELS


def test_a_partitioned_model_is_one_step_per_range_with_its_own_state_id() -> None:
    planned = steps(settings(ODOO_MODELS="res.partner", ODOO_PARTITIONS=json.dumps(CUTS)))

    assert [(s.name, s.state_id_suffix, s.describe()) for s in planned] == [
        ("res_partner", "res_partner", "res.partner: every row"),
        ("account_move_line__0_250000", "account_move_line.0-250000",
         "account.move.line: ids 0 to 249999"),
        ("account_move_line__250000_500000", "account_move_line.250000-500000",
         "account.move.line: ids 250000 to 499999"),
        ("account_move_line__500000_750000", "account_move_line.500000-750000",
         "account.move.line: ids 500000 to 749999"),
        ("account_move_line__750000_up", "account_move_line.750000-up",
         "account.move.line: ids from 750000"),
    ]  # fmt: skip
    assert planned[1].env() == {
        "TAP_ODOO_MODELS": '["account.move.line"]',
        "TAP_ODOO__SELECT_FILTER": '["account_move_line"]',
        "TAP_ODOO_ID_RANGES": '{"account_move_line": [null, 250000]}',
    }
    assert json.loads(planned[4].env()["TAP_ODOO_ID_RANGES"]) == {
        "account_move_line": [750000, None]
    }
    assert "TAP_ODOO_ID_RANGES" not in planned[0].env()  # a whole model: no range


def test_the_ranges_are_the_same_whatever_the_data() -> None:
    """They come from the settings only: two plans of the same settings are equal."""
    environ = {"ODOO_PARTITIONS": json.dumps(CUTS)}
    assert steps(settings(**environ)) == steps(settings(**environ))


def test_the_prepare_step_selects_every_stream_and_reads_no_row() -> None:
    env = prepare_env(settings(ODOO_MODELS="res.partner,res.country"))
    assert json.loads(env["TAP_ODOO_MODELS"]) == ["res.partner", "res.country"]
    assert json.loads(env["TAP_ODOO__SELECT_FILTER"]) == ["res_partner", "res_country"]
    assert json.loads(env["TAP_ODOO_ID_RANGES"]) == {
        "res_partner": [None, 0],
        "res_country": [None, 0],
    }


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"ODOO_PARTITIONS": "{"}, "ODOO_PARTITIONS is not JSON"),
        ({"ODOO_PARTITIONS": "[1, 2]"}, "ODOO_PARTITIONS must be a JSON object"),
        ({"ODOO_PARTITIONS": '{"res.partner": [500, 100]}'}, "must rise, each once"),
        ({"ODOO_PARTITIONS": '{"res.partner": []}'}, "needs a list of positive ids"),
        ({"ODOO_PARTITIONS": '{"res.partner": [0, 5]}'}, "needs a list of positive ids"),
        ({"ODOO_PARALLEL": "0"}, "ODOO_PARALLEL must be at least 1"),
        ({"ODOO_PARALLEL": "two"}, "ODOO_PARALLEL must be a number"),
        ({"ODOO_RETRIES": "1.5"}, "ODOO_RETRIES must be a whole number"),
        ({"ODOO_MODELS": "res.partner, drop table;"}, "are not Odoo model names"),
        ({"ODOO_EXECUTOR": "threads"}, "ODOO_EXECUTOR must be one of multiprocess, k8s"),
    ],
)
def test_malformed_settings_are_named(environ: dict, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        settings(**environ)


def test_a_model_named_only_in_the_partitions_is_synced_too() -> None:
    assert settings(ODOO_MODELS="res.partner", ODOO_PARTITIONS=json.dumps(CUTS)).models == (
        "res.partner",
        "account.move.line",
    )


def test_the_job_runs_prepare_first_then_the_steps_side_by_side_with_retries() -> None:
    defs = build_definitions(
        settings(
            ODOO_MODELS="res.partner",
            ODOO_PARTITIONS=json.dumps(CUTS),
            ODOO_PARALLEL="3",
            ODOO_RETRIES="4",
            ODOO_RETRY_DELAY="5",
        )
    )
    job = defs.resolve_job_def(JOB)

    assert job.executor_def.name == "multiprocess"  # the code location's, the job has none
    executor = job.executor_def.config_schema.resolve_config({}).value["config"]
    assert executor["max_concurrent"] == 3
    assert sorted(node.name for node in job.nodes) == sorted(
        ["prepare_warehouse", "res_partner", *(f"account_move_line__{span}" for span in SPANS)]
    )
    structure = job.graph.dependency_structure
    for node in job.nodes:
        upstream = {
            handle.node_name for handle in structure.all_upstream_outputs_from_node(node.name)
        }
        assert upstream == (set() if node.name == "prepare_warehouse" else {"prepare_warehouse"})
        policy = node.definition.retry_policy
        assert (policy.max_retries, policy.delay) == (4, 5)
        assert node.definition.pool == "odoo"


def test_another_executor_needs_its_package(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dagster_k8s", None)  # not installed here anyway
    with pytest.raises(SettingsError, match="ODOO_EXECUTOR=k8s needs the dagster-k8s package"):
        build_definitions(settings(ODOO_EXECUTOR="k8s", ODOO_MODELS="res.country"))


def test_the_schedule_runs_every_30_minutes_and_skips_while_a_run_is_in_flight(tmp_path) -> None:
    defs = build_definitions(settings(ODOO_MODELS="res.country"))
    schedule = defs.resolve_schedule_def(f"{JOB}_schedule")
    assert schedule.cron_schedule == "*/30 * * * *"
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        first = schedule.evaluate_tick(build_schedule_context(instance=instance))
        assert first.run_requests
        assert len(first.run_requests) == 1
        instance.add_run(DagsterRun(job_name=JOB, run_id="r1", status=DagsterRunStatus.STARTED))
        second = schedule.evaluate_tick(build_schedule_context(instance=instance))
        assert not second.run_requests
        assert second.skip_message == f"run r1 of {JOB} is still in flight"


# One step, with a stand-in meltano that prints what the real one would and exits as told.


def fake_meltano(tmp_path: Path, exit_code: int) -> Path:
    script = tmp_path / "meltano"
    script.write_text(
        "#!/bin/sh\n"
        'echo "args: $*"\n'
        'echo "sys dir: $MELTANO_SYS_DIR_ROOT"\n'
        'ls "$MELTANO_SYS_DIR_ROOT"\n'
        'echo "range: $TAP_ODOO_ID_RANGES"\n'
        "echo '2026-01-01T00:00:00Z [info     ] tap-odoo     "
        "res_partner                      ok             250        2       0.4        0  -'\n"
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("extractors", "loaders", "run"):
        (root / ".meltano" / folder).mkdir(parents=True)
    return root


def step_settings(tmp_path: Path, exit_code: int) -> Settings:
    return settings(
        MELTANO_BIN=str(fake_meltano(tmp_path, exit_code)),
        MELTANO_PROJECT_ROOT=str(project(tmp_path)),
    )


def test_a_step_runs_meltano_in_a_system_folder_of_its_own(tmp_path, capfd) -> None:
    step = Step("res.partner", 250, 500, partitioned=True)
    chosen = step_settings(tmp_path, 0)

    result = meltano.run(chosen, step.state_id_suffix, step.env())

    printed = capfd.readouterr().err
    assert "args: run --state-id-suffix res_partner.250-500 --no-install tap-odoo " in printed
    assert 'range: {"res_partner": [250, 500]}' in printed
    private = printed.split("sys dir: ")[1].splitlines()[0]
    listed = printed.split(private)[1].splitlines()[1:3]
    assert listed == ["extractors", "loaders"]  # the plugins shared, `run` its own
    assert not Path(private).exists()  # removed after the step...
    assert (chosen.project_root / ".meltano" / "extractors").is_dir()  # ...not what it linked
    assert (result.rows, result.deleted) == ({"res_partner": 250}, {"res_partner": 2})


def test_the_prepare_step_runs_in_the_project_folder_and_may_install(tmp_path, capfd) -> None:
    chosen = step_settings(tmp_path, 0)
    meltano.run(chosen, "prepare", {}, full_refresh=True, save_state=False, install=True)
    printed = capfd.readouterr().err
    assert (
        "args: run --state-id-suffix prepare --full-refresh --no-state-update tap-odoo" in printed
    )
    assert "sys dir: \n" in printed


def test_a_failed_step_says_its_exit_code_and_last_lines(tmp_path) -> None:
    chosen = step_settings(tmp_path, 7)
    with pytest.raises(meltano.MeltanoRunError) as failed:
        meltano.run(chosen, "res_country", Step("res.country").env())
    assert failed.value.returncode == 7
    assert "exited 7; its last lines:" in str(failed.value)
    assert "res_partner                      ok" in failed.value.tail[-1]


def test_an_interrupted_step_leaves_no_process_of_its_meltano_behind(tmp_path) -> None:
    """meltano, its tap and its loader: the whole process group goes."""
    pids = tmp_path / "pids"
    script = f"sleep 300 & echo $! > {pids}; trap '' TERM; sleep 300"  # meltano ignoring TERM
    process = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    wait_until(lambda: pids.exists() and pids.read_text().strip(), "the child started")
    child = int(pids.read_text())

    meltano._stop(process, wait=0.5)

    assert process.returncode is not None
    wait_until(lambda: dead(child), "the child of the stand-in meltano is gone")


def dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE  # killed, not yet reaped
    except psutil.NoSuchProcess:
        return True


def test_bounds_split_the_rows_evenly(sandbox) -> None:
    from odoo_client import ConnectionSettings, OdooClient  # noqa: PLC0415

    client = OdooClient(ConnectionSettings.from_config(sandbox.settings))
    ids = sorted(client.search("res.partner", [], order="id asc"))
    cuts = suggest_cuts(client, "res.partner", 4)
    assert cuts == [ids[len(ids) * k // 4] for k in (1, 2, 3)]


def test_the_bounds_command_prints_what_odoo_partitions_takes(sandbox) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
    env.update({f"ODOO_{key.upper()}": sandbox.settings[key] for key in ("url", "database")})
    env.update(
        ODOO_USERNAME=sandbox.settings["username"], ODOO_PASSWORD=sandbox.settings["password"]
    )
    done = subprocess.run(
        [str(BIN / "odoo-dagster"), "bounds", "res.partner", "--partitions", "3"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ((model, cuts),) = json.loads(done.stdout).items()
    assert model == "res.partner"
    assert len(cuts) == 2
    parsed = settings(ODOO_PARTITIONS=done.stdout)
    assert [s.state_id_suffix for s in steps(parsed) if s.model == "res.partner"] == [
        f"res_partner.0-{cuts[0]}", f"res_partner.{cuts[0]}-{cuts[1]}", f"res_partner.{cuts[1]}-up"
    ]  # fmt: skip
