"""SIGTERM and SIGINT stop tap-odoo within a couple of seconds from anywhere, its last STATE
written, and nothing more sent to Odoo; a run resumed from that STATE delivers every row.

Each test holds the sandbox on the call it wants to interrupt (a "block" fault, or a Retry-After
the tap waits out), waits until the sandbox has received that call (its stats, not a sleep),
then signals the tap.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from singer_run import SingerOutput, parse_messages, run_tap, tap_command

pytestmark = pytest.mark.e2e

CONNECTION_KEYS = ("url", "database", "username", "password")
STOP_WITHIN = 2.0  # seconds the issue allows
PROCESS_WAIT = 30.0  # the test's own safety net, far above STOP_WITHIN


def tap_config(sandbox, **settings: object) -> dict:
    return {key: sandbox.settings[key] for key in CONNECTION_KEYS} | settings


def partner_ids(sandbox) -> set[int]:
    engine = sandbox.engine
    uid = engine.users["admin"]["uid"]
    return set(
        engine.execute(uid, "res.partner", "search", [[]], {"context": {"active_test": False}})
    )


def wait_until(condition, what: str, limit: float = PROCESS_WAIT) -> None:
    """Poll until `condition()` holds (the premise of the test), failing after `limit` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def stopped_run(
    sandbox, config: dict, directory: Path, fault: str, what: str, signum=signal.SIGTERM
) -> SingerOutput:
    """Start tap-odoo, wait until the sandbox has injected `fault` (the call to interrupt),
    send `signum`; check the tap ended within STOP_WITHIN with 128 + signum and sent nothing
    after the signal; return what it wrote."""
    directory.mkdir(parents=True, exist_ok=True)
    out_path, err_path = directory / "out.singer", directory / "err.txt"

    def injected() -> bool:
        return sandbox.stats.snapshot()["faults"].get(fault, 0) >= 1

    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(tap_command(config, directory), stdout=out, stderr=err)
        try:
            wait_until(lambda: injected() or process.poll() is not None, what)
            assert process.poll() is None, f"the tap ended before: {what}"
            requests_at_signal = sandbox.stats.snapshot()["requests"]
            signalled = time.monotonic()
            process.send_signal(signum)
            returncode = process.wait(timeout=PROCESS_WAIT)
            seconds = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
            sandbox.faults.release()
    stderr = err_path.read_text(errors="replace")
    assert returncode == 128 + signum, stderr[-2000:]
    assert seconds < STOP_WITHIN
    # Requests are counted as they arrive (a held one was counted before the signal).
    assert sandbox.stats.snapshot()["requests"] == requests_at_signal, "a request after the signal"
    assert f"stopped: stopped by {signal.Signals(signum).name}" in stderr
    output = SingerOutput(stdout=out_path.read_text(), stderr=stderr, returncode=returncode)
    return parse_messages(output.stdout, output)


def assert_resumes_to_every_row(sandbox, config: dict, first: SingerOutput) -> None:
    """Records the first run covered by its last STATE, plus a run resumed from it: every
    partner, and none twice."""
    covered: list[int] = []
    pending: list[int] = []
    for line in first.stdout.splitlines():
        message = json.loads(line)  # a half-written line would fail here
        if message["type"] == "RECORD" and message["record"].get("_sdc_deleted_at") is None:
            pending.append(message["record"]["id"])
        elif message["type"] == "STATE":
            covered += pending
            pending = []
    assert first.state is not None, "no STATE written"
    assert not pending, "records after the last STATE"
    second = run_tap(config, state=first.state)
    delivered = covered + second.ids("res_partner")
    assert sorted(delivered) == sorted(partner_ids(sandbox))


def test_sigterm_during_a_retry_wait(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox()
    config = tap_config(sandbox, models=["res.partner"], page_size=200, prefetch=False)
    # The third page answers 503 asking to wait 60 s: the tap's main thread waits it out.
    target = "res.partner.search_read"
    sandbox.faults.fail_next("503", count=1, retry_after=60, when=target, skip=2)
    output = stopped_run(sandbox, config, tmp_path, "503", "a 503 asking to wait 60 s")
    assert len(output.ids("res_partner")) == 400
    assert_resumes_to_every_row(sandbox, config, output)


def test_sigterm_while_a_prefetched_page_is_in_flight(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox()
    config = tap_config(sandbox, models=["res.partner"], page_size=100)
    target = "res.partner.search_read"
    sandbox.faults.fail_next("block", count=1, when=target, skip=3)
    output = stopped_run(sandbox, config, tmp_path, "block", "the fourth page held by the server")
    assert len(output.ids("res_partner")) == 300  # the three pages read, each with its STATE
    assert_resumes_to_every_row(sandbox, config, output)


def test_sigint_inside_the_field_isolation_loop(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox()
    sandbox.faults.configure(poison_field="res.partner:comment")
    # Call 1 is the page that fails on `comment`; call 2, the first probe, is held.
    target = "res.partner.search_read"
    sandbox.faults.fail_next("block", count=1, when=target, skip=1)
    config = tap_config(sandbox, models=["res.partner"], page_size=100)
    what = "a probe of the isolation loop held by the server"
    output = stopped_run(sandbox, config, tmp_path, "block", what, signum=signal.SIGINT)
    assert output.ids("res_partner") == []
    sandbox.faults.configure(poison_field="")
    assert_resumes_to_every_row(sandbox, config, output)
