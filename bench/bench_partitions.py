"""Benchmark of partitioned extraction on Dagster: 1,000,000 partners into PostgreSQL.

Against a sandbox at scale 1000 (1,000,000 res.partner rows; built once and cached in
bench/.cache/scale1000.sqlite, copied for each run since the run changes it) with
`--latency-ms` (30) added to every call, and a PostgreSQL cluster of its own
(tests/pgcluster.py):

1. the Dagster job (`dagster job execute`, odoo-dagster) with res.partner in 1, 2 and 4
   partitions (`ODOO_PARALLEL` = partitions, cuts from `odoo-dagster bounds`), each from an
   empty warehouse and an empty Meltano system database: wall time, rows loaded, rows/s, the
   time of the longest partition step and of the prepare step (from Dagster's step stats), and
   whether the table holds exactly the server's ids; and the CPU seconds each part used (the
   job's processes: dagster, meltano, tap-odoo, target-postgres; the sandbox; PostgreSQL), whose
   sum over the wall time says how many cores were busy;
2. correctness with the largest partition count: after the full run, rows are added, changed and
   deleted on the server, the job runs again (incremental); the live rows must be the server's
   ids, the deleted ones flagged, the changed ones changed; counts per table;
3. the sandbox serving N clients at once (N = 1, 2, 4, 8 processes, each reading keyset pages
   of its own id range): pages/s with 30 ms per call, and with the time the recorded Odoo 17
   took per row (`row_latency_us`, a sleep: the server's own work done elsewhere, as on an Odoo
   with N workers on cores of its own).

Writes bench/RESULTS-partitions.md. Usage (most of an hour on 2 shared cores):

    nice -n 10 .venv/bin/python bench/bench_partitions.py [--scale 1000] [--partitions 1 2 4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import PostgresCluster  # noqa: E402

from odoo_client import ConnectionSettings, OdooClient  # noqa: E402
from odoo_dagster.cli import suggest_cuts  # noqa: E402

MODEL, STREAM = "res.partner", "res_partner"
CONNECTION_KEYS = ("url", "database", "username", "password")
JOB = "odoo_to_warehouse"
RECORDED_TIMING = ROOT / "tests" / "recordings" / "odoo17" / "timing.search_read.res.partner.json"
TREND_FIELDS = ["name", "email", "phone", "is_company", "country_id", "parent_id", "write_date"]


@contextlib.contextmanager
def sandbox(db: Path, scale: int, faults: str):
    """A sandbox process on a free port serving `db` (built at `scale` when missing)."""
    command = [str(BIN / "odoo-sandbox"), "--port", "0", "--scale", str(scale), "--db", str(db)]
    command += ["--faults", faults] if faults else []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        yield {**json.loads(process.stdout.readline()), "pid": process.pid}
    finally:
        process.terminate()
        process.wait(timeout=120)


def client_for(settings: dict) -> OdooClient:
    client = OdooClient(ConnectionSettings.from_config(settings))
    client.authenticate()
    return client


def server_ids(settings: dict) -> set[int]:
    return set(client_for(settings).search(MODEL, [], order="id asc"))


def job_env(settings: dict, pg: PostgresCluster, home: Path, partitions: int, cuts) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "SANDBOX_", "PG"))}
    env.update(
        SANDBOX_URL=settings["url"],
        SANDBOX_DATABASE=settings["database"],
        SANDBOX_USERNAME=settings["username"],
        SANDBOX_PASSWORD=settings["password"],
        MELTANO_ENVIRONMENT="dev",
        MELTANO_DATABASE_URI=pg.url("meltano"),
        DAGSTER_HOME=str(home),
        ODOO_MODELS=MODEL,
        ODOO_PARALLEL=str(partitions),
        ODOO_RETRIES="0",
        **pg.env("warehouse"),
    )
    if cuts:
        env["ODOO_PARTITIONS"] = json.dumps({MODEL: cuts})
    return env


def run_job(env: dict) -> tuple[float, float]:
    """Run the job to its end: (wall seconds, CPU seconds of its processes and their children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "dagster"), "job", "execute", "-m", "odoo_dagster.definitions", "-j", JOB],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        _, stderr = process.communicate()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # an interrupted benchmark leaves nothing
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit(f"the job failed:\n{stderr[-4000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu


def cpu_of(pid: int, with_children: bool = False) -> float:
    """CPU seconds a process used so far (and its waited-for children: PostgreSQL's backends)."""
    times = psutil.Process(pid).cpu_times()
    total = times.user + times.system
    return total + (times.children_user + times.children_system if with_children else 0)


def postmaster(pg: PostgresCluster) -> int:
    return int((pg.data / "postmaster.pid").read_text().split()[0])


def step_seconds(home: Path) -> dict[str, float]:
    """Seconds of each step of the latest run, from Dagster's step stats."""
    from dagster import DagsterInstance  # noqa: PLC0415

    with DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_runs(limit=1)[0]
        return {
            stat.step_key: stat.end_time - stat.start_time
            for stat in instance.get_run_step_stats(run.run_id)
            if stat.end_time and stat.start_time
        }


def warehouse(pg: PostgresCluster) -> tuple[list[int], set[int]]:
    """(live ids, repeats kept; ids flagged deleted) of the partners table."""
    rows = pg.psql("warehouse", f'select id, _sdc_deleted_at is null from odoo."{STREAM}"')
    live = [int(i) for i, alive in rows if alive == "t"]
    return live, {int(i) for i, alive in rows if alive == "f"}


def fresh_databases(pg: PostgresCluster) -> None:
    for name in ("warehouse", "meltano"):
        pg.psql("postgres", f"drop database if exists {name}")
        pg.create_database(name)


def measure_partitions(args, pg: PostgresCluster, db: Path) -> tuple[list[str], list[str]]:
    rows_out, correctness = [], []
    with sandbox(db, args.scale, f"latency_ms={args.latency_ms}") as running:
        settings = {key: running[key] for key in CONNECTION_KEYS}
        truth = server_ids(settings)
        for partitions in args.partitions:
            fresh_databases(pg)
            home = Path(tempfile.mkdtemp(prefix="dagster-home-"))
            (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
            cuts = suggest_cuts(client_for(settings), MODEL, partitions) if partitions > 1 else []
            env = job_env(settings, pg, home, partitions, cuts)
            server_cpu, pg_cpu = cpu_of(running["pid"]), cpu_of(postmaster(pg), True)
            seconds, job_cpu = run_job(env)
            server_cpu = cpu_of(running["pid"]) - server_cpu
            pg_cpu = cpu_of(postmaster(pg), True) - pg_cpu
            steps = step_seconds(home)
            live, _ = warehouse(pg)
            exact = sorted(live) == sorted(truth)
            longest = max(v for k, v in steps.items() if k != "prepare_warehouse")
            cores = (job_cpu + server_cpu + pg_cpu) / seconds
            rows_out.append(
                f"| {partitions} | {len(live):,} | {seconds:.0f} | {len(live) / seconds:,.0f} | "
                f"{steps.get('prepare_warehouse', 0):.0f} | {longest:.0f} | "
                f"{job_cpu:.0f} / {server_cpu:.0f} / {pg_cpu:.0f} | {cores:.2f} | "
                f"{'yes' if exact else 'NO'} |"
            )
            print(rows_out[-1], flush=True)
            if partitions == max(args.partitions):
                correctness = incremental_check(settings, pg, env, truth, partitions)
            shutil.rmtree(home, ignore_errors=True)
    return rows_out, correctness


def incremental_check(settings, pg, env, truth: set[int], partitions: int) -> list[str]:
    """Add, change and delete rows on the server, run again, compare."""
    client = client_for(settings)
    ids = sorted(truth)
    step = len(ids) // 1000
    changed = ids[::step][:1000]  # spread over every partition
    referenced = set()
    for model in ("account.move", "purchase.order", "sale.order", "res.users"):
        rows = client.search_read(
            model, [], ["partner_id"], load=False, context={"active_test": False}
        )
        referenced |= {row["partner_id"] for row in rows if row.get("partner_id")}
    parents = client.search_read(MODEL, [("parent_id", "!=", False)], ["parent_id"], load=False)
    referenced |= {row["parent_id"] for row in parents}
    deletable = [i for i in ids[step // 2 :: step] if i not in referenced and i not in changed]
    deleted = deletable[:500]
    client.write(MODEL, changed, {"comment": "changed by bench_partitions"})
    client.unlink(MODEL, deleted)
    added = client.create(MODEL, [{"name": f"Added by bench {i}"} for i in range(1000)])
    now = server_ids(settings)
    seconds, _ = run_job(env)
    live, flagged = warehouse(pg)
    changed_rows = pg.psql(
        "warehouse",
        f"select count(*) from odoo.{STREAM} where comment = 'changed by bench_partitions'",
    )[0][0]
    checks = {
        "live rows = server's ids (each once)": sorted(live) == sorted(now),
        "deleted rows flagged (`_sdc_deleted_at`)": flagged == set(deleted),
        "changed rows changed": int(changed_rows) == len(changed),
        "added rows present": set(added) <= set(live),
    }
    lines = [
        f"After the full run with {partitions} partitions: {len(added):,} partners added, "
        f"{len(changed):,} changed, {len(deleted):,} deleted on the server; the incremental run "
        f"took {seconds:.0f} s.",
        "",
        "| table | server rows | live rows in PostgreSQL | flagged deleted | check |",
        "| --- | --- | --- | --- | --- |",
        f"| {STREAM} | {len(now):,} | {len(live):,} | {len(flagged):,} | "
        + ("all hold" if all(checks.values()) else "FAILED: " + ", ".join(
            name for name, ok in checks.items() if not ok)) + " |",
    ]  # fmt: skip
    lines += ["", *(f"- {name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())]
    print("\n".join(lines), flush=True)
    return lines


def _read_pages(job: tuple[dict, int, int, int]) -> int:
    settings, after, pages, page_size = job
    client = client_for(settings)
    read = 0
    for _ in range(pages):
        rows = client.search_read(
            MODEL, [("id", ">", after)], TREND_FIELDS, limit=page_size, order="id asc", load=False
        )
        if not rows:
            break
        read += 1
        after = rows[-1]["id"]
    return read


def trend(settings: dict, clients: int, pages: int, page_size: int, spread: int) -> float:
    """Pages/s with `clients` processes at once, each on its own id range."""
    jobs = [(settings, k * spread, pages, page_size) for k in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        start = time.perf_counter()
        total = sum(pool.map(_read_pages, jobs))
        return total / (time.perf_counter() - start)


def measure_trend(args, db: Path) -> list[str]:
    timing = json.loads(RECORDED_TIMING.read_text())["jsonrpc_stored_nonbinary_fields"]
    per_row = timing["median_s"] / timing["rows"] * 1e6
    servers = [
        (f"{args.latency_ms} ms per call, pages of 2,000",
         f"latency_ms={args.latency_ms}", 2000, 8),
        (f"recorded Odoo 17 time per row ({per_row:.0f} us), pages of 200",
         f"row_latency_us={per_row:.0f}", 200, 6),
    ]  # fmt: skip
    lines = ["| server | clients at once | pages/s | speed-up |", "| --- | --- | --- | --- |"]
    for label, faults, page_size, pages in servers:
        with sandbox(db, args.scale, faults) as running:
            settings = {key: running[key] for key in CONNECTION_KEYS}
            ids = client_for(settings).search(MODEL, [], order="id asc")
            spread = ids[len(ids) // 8] - ids[0]  # 8 clients, each on its own eighth
            base = None
            for clients in (1, 2, 4, 8):
                rate = trend(settings, clients, pages, min(page_size, spread // pages), spread)
                base = base or rate
                lines.append(f"| {label} | {clients} | {rate:.1f} | {rate / base:.2f} |")
                print(lines[-1], flush=True)
    return lines


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so that every `finally` stops what it started


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupted)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS-partitions.md")
    args = parser.parse_args()

    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"scale{args.scale}.sqlite"
    if not cached.exists():
        print(f"building {cached} (once)", flush=True)
        with sandbox(cached, args.scale, ""):
            pass
    install = [
        str(BIN / "meltano"),
        "install",
        "extractor",
        "tap-odoo",
        "loader",
        "target-postgres",
    ]
    subprocess.run(install, cwd=ROOT, capture_output=True, check=True)

    with tempfile.TemporaryDirectory(prefix="bench-partitions-") as scratch:
        db = Path(scratch) / "odoo.sqlite"
        shutil.copyfile(cached, db)
        with PostgresCluster(Path(scratch)) as pg:
            rows, correctness = measure_partitions(args, pg, db)
        trend_lines = measure_trend(args, db)

    text = "\n".join([
        "# Partitions on Dagster (bench_partitions.py)", "",
        f"res.partner at scale {args.scale}, {args.latency_ms} ms added per call, into "
        "PostgreSQL; `dagster job execute`, ODOO_PARALLEL = partitions.", "",
        "| partitions (= steps at once) | rows loaded | wall s | rows/s | prepare s | "
        "longest partition s | CPU s: job / sandbox / PostgreSQL | cores busy | "
        "table = server's ids |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows, "", *correctness, "", "## The sandbox serving clients at once", "",
        *trend_lines, "",
    ])  # fmt: skip
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
