"""SIGTERM / SIGINT stop the real `target-odoo` command within a couple of seconds, wherever it
is: during a create the server holds, during a retry wait. It writes nothing more, reports the
records it read and did not write as not_written, emits no state covering them, exits 128 + the
signal's number, and a re-run of the same input writes every record exactly once.

Each signal is sent once the sandbox holds the call to interrupt (`wait_held`) or the target has
said it waits (its retry log line): states, never a sleep. The waits for the process to end are
generous; what makes them meaningful is stated next to each (a call that never answers, a
60 s retry wait, a 120 s grace).
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from leaks import leaked_places
from test_reliability_target import BIN, Load, Odoo, tally

from odoo_sandbox import Sandbox

pytestmark = pytest.mark.e2e

FAST_RETRIES = {"retry_initial_wait": 0.01, "retry_max_wait": 0.1, "max_retries": 3}
ENDS_WITHIN = 30  # seconds; generous: the target's own bound is the 1.5 s grace


class Running:
    """target-odoo running in the background, its stderr lines collected as they come."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.stderr: list[str] = []
        self.stdout = ""
        self._seen = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read_stderr, daemon=True),
            threading.Thread(target=self._read_stdout, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            with self._seen:
                self.stderr.append(line)
                self._seen.notify_all()

    def _read_stdout(self) -> None:
        self.stdout = self.process.stdout.read()

    def wait_for(self, text: str, timeout: float = 60) -> bool:
        """Wait until a stderr line contains `text`."""
        with self._seen:
            return self._seen.wait_for(
                lambda: any(text in line for line in self.stderr), timeout=timeout
            )

    def end(self, timeout: float) -> int:
        """The exit code, once the process ended (TimeoutExpired when it does not)."""
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=30)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def running():
    """Start target-odoo commands; any still running at the end is killed."""
    started: list[Running] = []

    def start(command: list[str]) -> Running:
        started.append(Running(command))
        return started[-1]

    yield start
    for run in started:
        run.kill()


def write_input(load: Load, path: Path, every: int) -> Path:
    """The load's messages with a STATE after every `every` records (a tap's bookmarks)."""
    load.write(path)
    lines, records = [], 0
    for line in path.read_text().splitlines():
        lines.append(line)
        if json.loads(line)["type"] == "RECORD":
            records += 1
            if records % every == 0:
                state = {"type": "STATE", "value": {"bookmarks": {"records": records}}}
                lines.append(json.dumps(state))
    path.write_text("\n".join(lines) + "\n")
    return path


def config(sandbox: Sandbox, tmp_path: Path, **settings) -> tuple[Path, Path]:
    """target-odoo config file and results path."""
    values = {key: sandbox.settings[key] for key in ("url", "database", "username", "password")}
    results = tmp_path / "results.jsonl"
    values.update(FAST_RETRIES, batch_size=5, results_path=str(results), **settings)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(values))
    return path, results


def command(config_path: Path, singer: Path) -> list[str]:
    return [str(BIN / "target-odoo"), "--config", str(config_path), "--input", str(singer)]


def outcomes(results: Path) -> dict[str, dict]:
    """key -> outcome of the last run."""
    return {o["key"]: o for o in map(json.loads, results.read_text().splitlines())}


def rerun_writes_each_record_once(sandbox: Sandbox, config_path: Path, singer: Path, load: Load):
    done = subprocess.run(
        command(config_path, singer), capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = tally(sandbox, load)
    assert (found.lost, found.duplicates, found.wrong) == ([], 0, [])
    return done


def no_secrets(run: Running, secrets: list[str]) -> None:
    places = [("stderr", "".join(run.stderr)), ("stdout", run.stdout)]
    assert leaked_places(places, secrets) == []


def test_sigterm_during_a_create_odoo_never_answers(
    make_sandbox, tmp_path, running, secrets_seen
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=15, vendors=0, invoices=0)
    singer = write_input(load, tmp_path / "load.singer", every=5)
    config_path, results = config(sandbox, tmp_path, state_output="passthrough")
    # the second batch's create is held and never runs (a request stuck in a proxy)
    sandbox.faults.fail_next("block", when="res.partner.create", skip=1)

    run = running(command(config_path, singer))
    assert sandbox.faults.wait_held(1, timeout=60)
    seen = sandbox.stats.snapshot()["received"]
    run.process.send_signal(signal.SIGTERM)
    code = run.end(timeout=ENDS_WITHIN)  # only the grace can end it: the create never answers

    assert code == 128 + signal.SIGTERM
    assert sandbox.stats.snapshot()["received"] == seen  # no call started after the signal
    assert seen["res.partner.create"] == 2
    last = run.stderr[-1]
    assert last.startswith(
        "error: Stopped: stopped by SIGTERM during res.partner.create, abandoned in flight "
        "(no answer within 1.5 s); 5 records written, 5 read and not written"
    ), last
    assert "run the same input again" in last
    by_key = outcomes(results)
    assert [by_key[f"C-{i}"]["status"] for i in range(10)] == ["created"] * 5 + ["not_written"] * 5
    assert by_key["C-7"]["error"].startswith(
        "not written: the run was stopped by SIGTERM during res.partner.create, abandoned in "
        "flight (no answer within 1.5 s) (Odoo may have created it before the call was "
        "abandoned; a re-run finds it by its ref and adopts it)"
    )
    assert "C-12" not in by_key  # never read
    assert run.stdout == ""  # no state: the tap's bookmarks cover records not written
    no_secrets(run, secrets_seen)

    sandbox.faults.release()  # the held create is dropped without running
    rerun_writes_each_record_once(sandbox, config_path, singer, load)
    again = outcomes(results)
    assert [again[f"C-{i}"]["status"] for i in range(15)] == ["unchanged"] * 5 + ["created"] * 10


def test_sigint_during_a_create_odoo_ran_but_never_answered(
    make_sandbox, tmp_path, running, secrets_seen
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=5, vendors=0, invoices=10)
    singer = write_input(load, tmp_path / "load.singer", every=5)
    config_path, results = config(sandbox, tmp_path)  # state_output: hotglue
    # the first batch of invoices is created (with its marker), its answer held
    sandbox.faults.fail_next("block_after", when="account.move.create")

    run = running(command(config_path, singer))
    assert sandbox.faults.wait_held(1, timeout=60)
    seen = sandbox.stats.snapshot()["received"]
    run.process.send_signal(signal.SIGINT)
    code = run.end(timeout=ENDS_WITHIN)  # only the grace can end it: the answer never comes

    assert code == 128 + signal.SIGINT
    assert sandbox.stats.snapshot()["received"] == seen
    by_key = outcomes(results)
    assert {by_key[f"C-{i}"]["status"] for i in range(5)} == {"created"}
    assert {by_key[f"I-{i}"]["status"] for i in range(5)} == {"not_written"}
    assert "a re-run finds it by its invoice_origin and adopts it" in by_key["I-0"]["error"]
    state = json.loads(run.stdout.splitlines()[-1])  # hotglue: the results, not bookmarks
    assert state["summary"]["Invoices"]["success"] == 0
    assert {entry["success"] for entry in state["bookmarks"]["Invoices"]} == {False}
    odoo = Odoo(sandbox)
    made = odoo.rows("account.move", [["ref", "=like", "REL/%"]], ["invoice_origin"])
    assert sorted(m["invoice_origin"] for m in made) == [f"singer.Invoices_I-{i}" for i in range(5)]
    no_secrets(run, secrets_seen)

    sandbox.faults.release()
    rerun_writes_each_record_once(sandbox, config_path, singer, load)
    again = outcomes(results)
    assert again["I-0"]["note"].startswith("found by its marker invoice_origin=")  # adopted
    assert {again[f"I-{i}"]["status"] for i in range(5, 10)} == {"created"}


def test_sigterm_during_a_retry_wait(make_sandbox, tmp_path, running, secrets_seen) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=10, vendors=0, invoices=0)
    singer = write_input(load, tmp_path / "load.singer", every=5)
    config_path, results = config(sandbox, tmp_path, max_retry_time=600)
    sandbox.faults.fail_always("429", when="res.partner.create", retry_after=60)

    run = running(command(config_path, singer))
    assert run.wait_for("res.partner.create: HTTP 429")
    assert run.wait_for("retry 1 of 3 in 60.00 s")  # the target now waits 60 s
    run.process.send_signal(signal.SIGTERM)
    code = run.end(timeout=ENDS_WITHIN)  # well under the 60 s wait: the wait was cut

    assert code == 128 + signal.SIGTERM
    assert sandbox.stats.snapshot()["received"]["res.partner.create"] == 1  # no retry sent
    assert run.stderr[-1].startswith(
        "error: Stopped: stopped by SIGTERM while waiting to retry res.partner.create; "
        "0 records written, 5 read and not written"
    )
    assert {o["status"] for o in outcomes(results).values()} == {"not_written"}
    no_secrets(run, secrets_seen)

    sandbox.faults.reset()
    rerun_writes_each_record_once(sandbox, config_path, singer, load)


def test_a_write_answering_within_the_grace_finishes_with_its_external_ids(
    make_sandbox, tmp_path, running, secrets_seen
) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=15, vendors=0, invoices=0)
    singer = write_input(load, tmp_path / "load.singer", every=5)
    config_path, results = config(sandbox, tmp_path, stop_grace_seconds=120)
    sandbox.faults.fail_next("block_after", when="res.partner.create", skip=1)

    run = running(command(config_path, singer))
    assert sandbox.faults.wait_held(1, timeout=60)
    run.process.send_signal(signal.SIGTERM)
    assert run.wait_for("SIGTERM received")  # the target knows before the answer comes
    sandbox.faults.release()
    code = run.end(timeout=ENDS_WITHIN)  # the grace (120 s) is not what ends it

    assert code == 128 + signal.SIGTERM
    received = sandbox.stats.snapshot()["received"]
    assert received["res.partner.create"] == 2
    assert received["ir.model.data.create"] == 2  # the second: finishing the create in flight
    by_key = outcomes(results)
    assert [by_key[f"C-{i}"]["status"] for i in range(10)] == ["created"] * 10
    assert "C-10" not in by_key  # never read
    assert Odoo(sandbox)("ir.model.data", "search_count", [["module", "=", "singer"]]) == 10
    assert run.stderr[-1].startswith(
        "error: Stopped: stopped by SIGTERM before reading the next input line; "
        "10 records written, 0 read and not written"
    )
    no_secrets(run, secrets_seen)

    rerun_writes_each_record_once(sandbox, config_path, singer, load)


def test_a_second_signal_abandons_the_write_at_once(make_sandbox, tmp_path, running) -> None:
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=10, vendors=0, invoices=0)
    singer = write_input(load, tmp_path / "load.singer", every=5)
    config_path, results = config(sandbox, tmp_path, stop_grace_seconds=120)
    sandbox.faults.fail_next("block", when="res.partner.create")

    run = running(command(config_path, singer))
    assert sandbox.faults.wait_held(1, timeout=60)
    run.process.send_signal(signal.SIGTERM)
    assert run.wait_for("SIGTERM received")
    run.process.send_signal(signal.SIGTERM)
    code = run.end(timeout=ENDS_WITHIN)  # the grace is 120 s and the create never answers

    assert code == 128 + signal.SIGTERM
    assert "abandoned in flight (a second signal)" in run.stderr[-1]
    assert {o["status"] for o in outcomes(results).values()} == {"not_written"}
