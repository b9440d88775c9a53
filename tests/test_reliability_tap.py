"""Reliability of tap-odoo: a large sync through injected faults, and runs killed then resumed.

Both tests run the real `tap-odoo` command against the sandbox and compare what it delivered with
the sandbox's own rows (the ground truth). Every random choice is seeded. With RELIABILITY_FIGURES
set to a file path, each test appends one JSON line of figures (faults, runs, rows lost,
duplicates, retries) for the README's reliability table.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import signal
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from leaks import leaked, record_figures, scrubbed
from singer_run import run_tap, tap_command

from odoo_sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONNECTION_KEYS = ("url", "database", "username", "password")
# Short waits between retries: the faults are the point, not the backoff's patience.
FAST_RETRIES = {"retry_initial_wait": 0.05, "retry_max_wait": 0.5}

FAULT_SCALE = 50  # 50,005 partners
FAULT_PAGE_SIZE = 250  # ~200 pages: ~10 faults at 5%
FAULT_KINDS = ("429", "502", "503", "drop")
FAULT_RETRY_AFTER = 1  # seconds, the smallest Retry-After the sandbox sends other than 0
FAULT_SEED = 7

CRASH_SCALE = 20
CRASH_MODELS = ["res.partner", "account.move", "account.move.line", "product.product"]
CRASH_PAGE_SIZE = 500
CRASH_SEED = 11
CRASH_KILL_AFTER_LINES = (500, 7_000)  # each run is killed after reading this many lines
CRASH_MAX_RUNS = 15


# Helpers ---------------------------------------------------------------------------------------


def tap_config(sandbox: Sandbox, **settings: object) -> dict:
    """Connection settings of a sandbox plus tap settings."""
    return {key: sandbox.settings[key] for key in CONNECTION_KEYS} | FAST_RETRIES | settings


def stream_name(model: str) -> str:
    return model.replace(".", "_")


def true_ids(sandbox: Sandbox, model: str) -> set[int]:
    """Every id of a model as the sandbox's engine holds it (archived rows included)."""
    engine = sandbox.engine
    rows = engine.execute(
        engine.users["admin"]["uid"],
        model,
        "search_read",
        [[]],
        {"fields": ["id"], "context": {"active_test": False}},
    )
    return {row["id"] for row in rows}


def summary_retries(stderr: str) -> int | None:
    """The `retries: N` line of the tap's end summary."""
    found = re.findall(r"^retries: (\d+)$", stderr, flags=re.MULTILINE)
    return int(found[-1]) if found else None


def summary_rows(stderr: str, stream: str) -> int | None:
    """The rows column of one stream in the tap's end summary."""
    found = re.findall(
        rf"^{re.escape(stream)} +ok +(\d+) +\d+ +[\d.]+ ", stderr, flags=re.MULTILINE
    )
    return int(found[-1]) if found else None


# 1. Faults -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def large_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A scale-50 sandbox database file, generated once per session (~4 s)."""
    path = tmp_path_factory.mktemp("reliability") / f"odoo17-scale{FAULT_SCALE}.db"
    Sandbox(odoo_version=17, scale=FAULT_SCALE, db_path=str(path)).engine.storage.close()
    return str(path)


def test_large_sync_through_faults_and_an_expired_session(
    make_sandbox, large_db: str, secrets_seen: list[str]
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=FAULT_SCALE, db_path=large_db)
    truth = true_ids(sandbox, "res.partner")
    assert len(truth) >= 50_000
    pages = math.ceil(len(truth) / FAULT_PAGE_SIZE)
    # A web session lasts 2/3 of the pages: it expires exactly once, mid-stream.
    session_ttl = pages * 2 // 3
    sandbox.faults.configure(
        f"error_rate=0.05,errors={'+'.join(FAULT_KINDS)},retry_after={FAULT_RETRY_AFTER},"
        f"session_ttl={session_ttl},seed={FAULT_SEED}"
    )
    # websession: the protocol whose calls ride on a web session (/web/dataset/call_kw).
    config = tap_config(
        sandbox, models=["res.partner"], protocol="websession", page_size=FAULT_PAGE_SIZE
    )
    started = time.monotonic()
    output = run_tap(config, check=False)
    seconds = time.monotonic() - started
    stats = sandbox.stats.snapshot()
    sandbox.faults.reset()

    emitted = output.ids("res_partner")
    delivered = set(emitted)
    injected = {kind: stats["faults"].get(kind, 0) for kind in FAULT_KINDS}
    retries = summary_retries(output.stderr)
    record_figures(
        "tap: 50k-row sync, 5% faults + session expiry",
        faults=injected | {"session_expired": stats["sessions_expired"]},
        runs=1,
        expected=len(truth),
        lost=len(truth - delivered),
        duplicates=len(emitted) - len(delivered),
        retries=retries,
        seconds=round(seconds, 1),
    )

    assert output.returncode == 0, (
        f"tap-odoo exited {output.returncode}:\n{scrubbed(output.stderr[-3000:], secrets_seen)}"
    )
    assert all(injected.values()), f"the seed should inject every kind once at least: {injected}"
    assert stats["sessions_expired"] == 1, "the web session was meant to expire exactly once"
    assert len(emitted) == len(delivered), f"{len(emitted) - len(delivered)} rows emitted twice"
    deleted = [r["id"] for r in output.records["res_partner"] if r.get("_sdc_deleted_at")]
    assert not deleted, f"{len(deleted)} rows reported deleted; none was"
    assert delivered == truth, (
        f"{len(truth - delivered)} rows lost, {len(delivered - truth)} rows not in the sandbox"
    )
    assert summary_rows(output.stderr, "res_partner") == len(truth)
    # Each injected fault costs one retry (an expired session is renewed, not retried).
    assert retries == sum(injected.values()), f"summary says {retries} retries, {injected} faults"
    retry_lines = re.findall(r"; retry \d+ of \d+ in ([\d.]+) s$", output.stderr, re.MULTILINE)
    assert len(retry_lines) == retries
    # Retry-After is honoured: every 429 waited what the server asked for.
    after_429 = re.findall(r"HTTP 429 .*; retry \d+ of \d+ in ([\d.]+) s$", output.stderr, re.M)
    assert [float(wait) for wait in after_429] == [float(FAULT_RETRY_AFTER)] * injected["429"]
    assert leaked(output.stderr, secrets_seen) == 0, "a secret appears in the tap's stderr"


# 2. Crash and resume ---------------------------------------------------------------------------


@dataclass(repr=False)
class KilledRun:
    """What the harness (standing in for a target) read of one run before killing it."""

    completed: bool = False
    killed: bool = False
    returncode: int | None = None
    # Records followed by a STATE (what a target commits), per stream, in order.
    committed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # Records read after the last STATE: a target re-receives them from the resumed run.
    uncommitted: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # Ids emitted as deleted (`_sdc_deleted_at` set), per stream.
    deleted: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    last_state: dict | None = None
    stderr: str = ""

    def __repr__(self) -> str:
        rows = sum(len(ids) for ids in self.committed.values())
        return f"KilledRun(returncode={self.returncode}, committed rows={rows})"

    def emitted(self, stream: str) -> list[int]:
        return self.committed.get(stream, []) + self.uncommitted.get(stream, [])


def run_tap_killed(
    config: dict, state: dict | None, kill_after_lines: int, directory: Path
) -> KilledRun:
    """Run `tap-odoo`, SIGKILL it once `kill_after_lines` stdout lines were read (if it gets
    that far), and return what was read: records before/after the last STATE, and that STATE."""
    directory.mkdir(parents=True, exist_ok=True)
    command = tap_command(config, directory, None, state)
    run = KilledRun()
    pending: dict[str, list[int]] = defaultdict(list)
    with (directory / "stderr.txt").open("w+b") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        for lines, line in enumerate(process.stdout, start=1):
            message = json.loads(line)
            if message["type"] == "RECORD":
                record = message["record"]
                pending[message["stream"]].append(record["id"])
                if record.get("_sdc_deleted_at"):
                    run.deleted[message["stream"]].append(record["id"])
            elif message["type"] == "STATE":
                run.last_state = message["value"]
                for stream, ids in pending.items():
                    run.committed[stream] += ids
                pending.clear()
            if lines >= kill_after_lines:
                os.kill(process.pid, signal.SIGKILL)
                run.killed = True
                break
        process.stdout.close()
        run.returncode = process.wait(timeout=60)
        run.completed = not run.killed and run.returncode == 0
        stderr.seek(0)
        run.stderr = stderr.read().decode(errors="replace")
    if run.completed:  # a finished run delivered everything it wrote
        for stream, ids in pending.items():
            run.committed[stream] += ids
    else:
        run.uncommitted = pending
    return run


def test_killed_runs_resume_until_every_row_is_delivered_once(
    make_sandbox, tmp_path: Path, secrets_seen: list[str]
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=CRASH_SCALE)
    truth = {stream_name(model): true_ids(sandbox, model) for model in CRASH_MODELS}
    config = tap_config(sandbox, models=CRASH_MODELS, page_size=CRASH_PAGE_SIZE)
    rng = random.Random(CRASH_SEED)

    state: dict | None = None
    runs: list[KilledRun] = []
    committed: dict[str, Counter] = {stream: Counter() for stream in truth}
    emitted_total = 0
    restarts: list[str] = []  # "stream (run n)" for each stream that went back to its start
    resumed_mid_stream = 0
    started = time.monotonic()
    while len(runs) < CRASH_MAX_RUNS:
        kill_after = rng.randint(*CRASH_KILL_AFTER_LINES)
        run = run_tap_killed(config, state, kill_after, tmp_path / f"run{len(runs)}")
        runs.append(run)
        tail = scrubbed(run.stderr[-3000:], secrets_seen)
        assert run.completed or run.killed, f"run {len(runs)} exited {run.returncode}:\n{tail}"
        bookmarks = (state or {}).get("bookmarks", {})
        for stream in truth:
            emitted = run.emitted(stream)
            emitted_total += len(emitted)
            committed[stream].update(run.committed.get(stream, []))
            bookmark = bookmarks.get(stream, {})
            after_id = bookmark.get("resume", {}).get("after_id")
            if after_id:
                resumed_mid_stream += 1
                if emitted and min(emitted) <= after_id:
                    restarts.append(f"{stream} (run {len(runs)}, resume after id {after_id})")
            elif bookmark.get("replication_key_value") and emitted:
                # Done in an earlier run: data written a year ago is not in its look-back.
                restarts.append(f"{stream} (run {len(runs)}, already complete)")
        if run.completed:
            break
        assert run.last_state is not None, f"run {len(runs)} was killed before any STATE"
        state = run.last_state
    seconds = time.monotonic() - started

    kills = sum(1 for run in runs if run.killed)
    expected = sum(len(ids) for ids in truth.values())
    lost = {stream: len(truth[stream] - set(committed[stream])) for stream in truth}
    extra = {stream: len(set(committed[stream]) - truth[stream]) for stream in truth}
    delivered_twice = {
        stream: sum(n - 1 for n in counts.values() if n > 1) for stream, counts in committed.items()
    }
    unique = sum(len(set(counts)) for counts in committed.values())
    record_figures(
        "tap: multi-stream sync, SIGKILL and resume",
        faults={"sigkill": kills},
        runs=len(runs),
        expected=expected,
        lost=sum(lost.values()),
        duplicates=emitted_total - unique,
        duplicates_committed=sum(delivered_twice.values()),
        retries=summary_retries(runs[-1].stderr),
        seconds=round(seconds, 1),
    )

    assert not restarts, f"streams re-read from their start after a kill: {restarts}"
    completed = runs[-1].completed
    assert completed, f"no run completed in {CRASH_MAX_RUNS} runs"
    assert kills >= 3, f"the seed should kill several runs, killed {kills}"
    assert resumed_mid_stream >= 2, "the kills should land in the middle of streams"
    assert not any(lost.values()), f"rows lost per stream: {lost}"
    assert not any(extra.values()), f"rows not in the sandbox per stream: {extra}"
    deleted = {stream: len(ids) for run in runs for stream, ids in run.deleted.items() if ids}
    assert not deleted, f"rows reported deleted (none was): {deleted}"
    # Resuming after the last STATE's id: what was committed before a kill is never sent again.
    assert not any(delivered_twice.values()), f"committed rows sent twice: {delivered_twice}"
    final = runs[-1]
    for stream in truth:
        # The final run's summary counts what it emitted itself.
        assert summary_rows(final.stderr, stream) == len(final.emitted(stream)), stream
    assert final.last_state is not None
    assert not any("resume" in value for value in final.last_state["bookmarks"].values())
