"""Reliability of the real `target-odoo` command: every record exactly once under a busy, flaky
server (429 with Retry-After, 502, 503, dropped connections, answers lost after the work was done),
a SIGKILL mid-run and re-runs of the same input; and memory that does not grow with the records.

Exactly once is checked on the sandbox's engine, not on the target's word: one external id per
source record in the target's namespace, pointing at a record with the source's values, no record
without one, every invoice with its lines and its state.

Each test appends one JSON line of figures to the file named by RELIABILITY_FIGURES, when set.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from leaks import record_figures

from odoo_sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DATA = Path(__file__).parent / "data" / "target"
BIN = Path(sys.executable).parent
SCHEMAS = {
    message["stream"]: message
    for message in map(json.loads, (DATA / "unified.singer").read_text().splitlines())
    if message["type"] == "SCHEMA"
}
# ~5% of requests fail; Retry-After is sent in whole seconds (0.1 -> 1 s), like Odoo.sh's proxy
FAULTS = "error_rate=0.05,errors=429+502+503+drop+drop_after,retry_after=0.1,seed={seed}"
FAST_RETRIES = {
    "retry_initial_wait": 0.01,
    "retry_max_wait": 0.1,
    "max_retries": 10,
    "max_retry_time": 30,
}
KINDS = ("429", "502", "503", "drop", "drop_after")
MAX_RUNS = 5  # the killed run and the re-runs it takes until no record fails


@dataclass(frozen=True)
class Load:
    """Unified Customers, Vendors and Invoices (with lines) in one Singer file."""

    customers: int = 1000
    vendors: int = 1000
    invoices: int = 500
    lines: int = 5

    @property
    def total(self) -> int:
        return self.customers + self.vendors + self.invoices

    def write(self, path: Path) -> Path:
        messages = [SCHEMAS["Customers"]]
        messages += [self._record("Customers", i) for i in range(self.customers)]
        messages += [SCHEMAS["Vendors"]] if self.vendors else []
        messages += [self._record("Vendors", i) for i in range(self.vendors)]
        messages += [SCHEMAS["Invoices"]] if self.invoices else []
        messages += [self._record("Invoices", i) for i in range(self.invoices)]
        path.write_text("".join(json.dumps(message) + "\n" for message in messages))
        return path

    def _record(self, stream: str, i: int) -> dict:
        if stream == "Customers":
            record = {"id": f"C-{i}", "customerName": f"Rel Customer {i}"}
            record["emailAddress"] = f"c{i}@rel.example"
        elif stream == "Vendors":
            record = {"id": f"V-{i}", "vendorName": f"Rel Vendor {i}"}
            record["emailAddress"] = f"v{i}@rel.example"
        else:
            record = {
                "id": f"I-{i}",
                "invoiceNumber": f"REL/{i}",
                "customerId": f"C-{i % self.customers}",
                "status": "POSTED" if i % 2 else "DRAFT",
                "issueDate": "2026-01-05",
                "currency": "USD",
                "lineItems": [
                    {"description": d, "quantity": q, "unitPrice": p}
                    for d, q, p in self.invoice_lines(i)
                ],
            }
        return {"type": "RECORD", "stream": stream, "record": record}

    def invoice_lines(self, i: int) -> list[tuple[str, float, float]]:
        return [(f"I-{i} item {n}", n + 1.0, 10.0 * (n + 1) + i % 7) for n in range(self.lines)]

    def partners(self) -> dict[str, str]:
        """External id name -> partner name."""
        found = {f"Customers_C-{i}": f"Rel Customer {i}" for i in range(self.customers)}
        found.update({f"Vendors_V-{i}": f"Rel Vendor {i}" for i in range(self.vendors)})
        return found


@dataclass
class Tally:
    """What the database holds compared with the input."""

    expected: int
    lost: list[str] = field(default_factory=list)
    duplicates: int = 0
    wrong: list[str] = field(default_factory=list)


class Odoo:
    """Ground truth: reads straight from the sandbox engine as admin."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.engine = sandbox.engine
        self.uid = sandbox.engine.users["admin"]["uid"]

    def __call__(self, model: str, method: str, *args, **kwargs):
        kwargs.setdefault("context", {"active_test": False})
        return self.engine.execute(self.uid, model, method, list(args), kwargs)

    def rows(self, model: str, domain: list, fields: list[str]) -> list[dict]:
        return self(model, "search_read", domain, fields=fields, load=False)


def tally(sandbox: Sandbox, load: Load, namespace: str = "singer") -> Tally:
    """Every source record once, with its values; counts of what is missing or extra."""
    odoo = Odoo(sandbox)
    result = Tally(expected=load.total)
    xmlids = {
        row["name"]: row["res_id"]
        for row in odoo.rows("ir.model.data", [["module", "=", namespace]], ["name", "res_id"])
    }
    partners = odoo.rows("res.partner", [["name", "=like", "Rel %"]], ["name"])
    partner_ids: dict[str, set[int]] = {}
    for row in partners:
        partner_ids.setdefault(row["name"], set()).add(row["id"])
    expected = load.partners()
    for name, partner in expected.items():
        ids = partner_ids.get(partner, set())
        if name not in xmlids or not ids:
            result.lost.append(name)
        elif xmlids[name] not in ids:
            result.wrong.append(f"{name} points at {xmlids[name]}, not at {partner!r}")
        result.duplicates += max(0, len(ids) - 1)
    wanted = set(expected.values())
    result.duplicates += sum(len(ids) for name, ids in partner_ids.items() if name not in wanted)

    moves = odoo.rows(
        "account.move",
        [["ref", "=like", "REL/%"]],
        ["ref", "state", "partner_id", "invoice_line_ids"],
    )
    by_ref = Counter(move["ref"] for move in moves)
    result.duplicates += sum(n - 1 for n in by_ref.values() if n > 1)
    refs = {f"REL/{i}" for i in range(load.invoices)}
    result.duplicates += sum(n for ref, n in by_ref.items() if ref not in refs)
    lines = {
        row["id"]: (row["name"], row["quantity"], row["price_unit"])
        for row in odoo.rows(
            "account.move.line",
            [["move_id.ref", "=like", "REL/%"]],
            ["name", "quantity", "price_unit"],
        )
    }
    moves_by_ref = {move["ref"]: move for move in moves}
    for i in range(load.invoices):
        name, move = f"Invoices_I-{i}", moves_by_ref.get(f"REL/{i}")
        if name not in xmlids or move is None:
            result.lost.append(name)
            continue
        if xmlids[name] != move["id"] and by_ref[move["ref"]] == 1:
            result.wrong.append(f"{name} points at {xmlids[name]}, not at move {move['id']}")
        got = sorted(lines.get(line_id) for line_id in move["invoice_line_ids"])
        if got != sorted(load.invoice_lines(i)):
            result.wrong.append(f"{name} has lines {got}")
        state = "posted" if i % 2 else "draft"
        if move["state"] != state:
            result.wrong.append(f"{name} is {move['state']}, not {state}")
        if move["partner_id"] != xmlids.get(f"Customers_C-{i % load.customers}"):
            result.wrong.append(f"{name} has partner {move['partner_id']}")
    known = set(expected) | {f"Invoices_I-{i}" for i in range(load.invoices)}
    result.wrong += [f"unexpected external id {name}" for name in sorted(set(xmlids) - known)]
    return result


def record_tally(test: str, faults: dict, runs: int, found: Tally) -> None:
    """The reliability figures of one target test (see leaks.record_figures)."""
    record_figures(
        test,
        faults=faults,
        runs=runs,
        expected=found.expected,
        lost=len(found.lost),
        duplicates=found.duplicates,
    )


class KillSwitch:
    """SIGKILLs the target from inside the sandbox when Odoo receives the `nth` `call`
    ("model.method"): before running it (no write of the target is in flight), or after running
    it and before answering (a write whose outcome the target never learns)."""

    def __init__(self, sandbox: Sandbox, call: str, nth: int, *, after_running: bool) -> None:
        self.engine = sandbox.engine
        self.real = sandbox.engine.execute
        self.call, self.nth, self.after_running = call, nth, after_running
        self.process: subprocess.Popen | None = None
        self.seen = 0
        self.fired = False
        self.external_ids_at_kill = 0
        self.engine.execute = self._execute  # the gateway calls engine.execute per ORM call

    def _execute(self, uid, model, method, args, kwargs):
        if self.process is None or self.fired or f"{model}.{method}" != self.call:
            return self.real(uid, model, method, args, kwargs)
        self.seen += 1
        if self.seen != self.nth:
            return self.real(uid, model, method, args, kwargs)
        self.fired = True
        if not self.after_running:
            self._kill()
        result = self.real(uid, model, method, args, kwargs)
        if self.after_running:
            self._kill()
        return result

    def _kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        uid = self.engine.users["admin"]["uid"]
        self.external_ids_at_kill = self.real(uid, "ir.model.data", "search_count", [[]], {})

    def remove(self) -> None:
        self.process = None
        del self.engine.execute


def write_config(sandbox: Sandbox, tmp_path: Path, **settings) -> tuple[Path, Path]:
    """target-odoo config with fast retries; answers (config path, results path)."""
    config = {key: sandbox.settings[key] for key in ("url", "database", "username", "password")}
    results = tmp_path / "results.jsonl"
    config.update(FAST_RETRIES, results_path=str(results), **settings)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path, results


def target(config: Path, singer: Path) -> list[str]:
    return [str(BIN / "target-odoo"), "--config", str(config), "--input", str(singer)]


def failed_outcomes(results: Path) -> list[dict]:
    outcomes = [json.loads(line) for line in results.read_text().splitlines()]
    return [o for o in outcomes if o["status"] == "failed"]


def run_killed_then_rerun(
    sandbox: Sandbox, switch: KillSwitch, load: Load, tmp_path: Path, **settings
) -> tuple[list[subprocess.CompletedProcess], Path]:
    """The killed run, then re-runs of the same input until one has no failed record; answers
    the runs and the results file of the last one."""
    config, results = write_config(sandbox, tmp_path, **settings)
    singer = load.write(tmp_path / "load.singer")
    process = subprocess.Popen(
        target(config, singer), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    switch.process = process
    _, stderr = process.communicate(timeout=120)
    runs = [subprocess.CompletedProcess(process.args, process.returncode, "", stderr)]
    switch.remove()
    while len(runs) < MAX_RUNS:
        done = subprocess.run(
            target(config, singer), capture_output=True, text=True, timeout=120, check=False
        )
        runs.append(done)
        if done.returncode != 0 or not failed_outcomes(results):
            break
    return runs, results


def test_flaky_server_and_a_kill_between_calls_write_every_record_once(make_sandbox, tmp_path):
    # Seed 7: 44 faults of every kind over 3 runs. Seeds 2, 8 and 10 of the same plan also lose
    # both answers to one external-id write: the bug pinned by
    # test_two_lost_answers_to_the_external_id_write_do_not_duplicate below.
    sandbox = make_sandbox(odoo_version=17, scale=1, faults=FAULTS.format(seed=7))
    # SIGKILL while the target reads the external ids of a batch of invoices: no write in flight
    switch = KillSwitch(sandbox, "ir.model.data.search_read", 100, after_running=False)
    load = Load()
    baseline = Odoo(sandbox)("ir.model.data", "search_count", [])

    started = time.monotonic()
    runs, results = run_killed_then_rerun(sandbox, switch, load, tmp_path, batch_size=25)
    seconds = time.monotonic() - started

    found = tally(sandbox, load)
    faults = {**sandbox.stats.snapshot()["faults"], "sigkill": int(switch.fired)}
    record_tally("target_flaky_server_and_kill_between_calls", faults, len(runs), found)
    assert switch.fired, "the target finished before the kill: kill earlier"
    assert runs[0].returncode == -signal.SIGKILL
    # killed mid-run: during the invoices (2,000 partners and their external ids are in)
    at_kill = switch.external_ids_at_kill - baseline
    assert 2000 < at_kill < load.total, at_kill
    assert [run.returncode for run in runs[1:]] == [0] * (len(runs) - 1), runs[-1].stderr[-2000:]
    assert failed_outcomes(results) == [], f"records still failing after {len(runs)} runs"
    assert (found.lost, found.duplicates, found.wrong) == ([], 0, [])
    assert all(faults.get(kind) for kind in KINDS), faults  # each kind happened
    assert sum(faults[kind] for kind in KINDS) >= 30
    assert seconds < 90


def test_a_kill_while_odoo_runs_a_create_does_not_duplicate_on_rerun(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    # SIGKILL after Odoo created the 4th batch of partners, before it answered
    switch = KillSwitch(sandbox, "res.partner.create", 4, after_running=True)
    load = Load(customers=200, vendors=0, invoices=50)

    runs, _ = run_killed_then_rerun(sandbox, switch, load, tmp_path, batch_size=25)

    found = tally(sandbox, load)
    faults = {"sigkill": int(switch.fired)}
    record_tally("target_kill_while_odoo_runs_a_create", faults, len(runs), found)
    assert switch.fired
    assert [run.returncode for run in runs] == [-signal.SIGKILL] + [0] * (len(runs) - 1)
    assert (found.lost, found.wrong) == ([], [])
    assert found.duplicates == 0  # was 25 before the create marker: the batch the killed run sent


def test_two_lost_answers_to_the_external_id_write_do_not_duplicate(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    # the sandbox answers 502 without running the call; the target cannot know that
    sandbox.faults.fail_next("502", count=2, when="ir.model.data.create")
    load = Load(customers=200, vendors=0, invoices=0)
    config, _ = write_config(sandbox, tmp_path, batch_size=25)
    singer = load.write(tmp_path / "load.singer")

    runs = []
    for _ in range(2):
        runs.append(subprocess.run(target(config, singer), capture_output=True, check=False))
    found = tally(sandbox, load)

    record_tally(
        "target_two_lost_external_id_writes",
        sandbox.stats.snapshot()["faults"],
        len(runs),
        found,
    )
    assert [run.returncode for run in runs] == [0, 0]
    assert (found.lost, found.wrong) == ([], [])
    assert found.duplicates == 0  # was 25 before the create marker: the unrecorded batch


def rss_when_done(
    command: list[str], results: Path, marks: list[int]
) -> tuple[int, dict[int, int]]:
    """Run `command`; the target's RSS when the results file reached each mark (records)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched = psutil.Process(process.pid)
    seen: dict[int, int] = {}
    while process.poll() is None:
        try:
            rss = watched.memory_info().rss
        except psutil.Error:
            break
        done = results.read_bytes().count(b"\n") if results.exists() else 0
        for mark in marks:
            if done >= mark and mark not in seen:
                seen[mark] = rss
        time.sleep(0.02)
    return process.wait(), seen


def test_memory_does_not_grow_with_the_record_count(make_sandbox, tmp_path):
    # Each record keeps ~0.5 KiB (its outcome, for the final state message and the summary):
    # about +2-4 MiB between 1,000 and 3,500 records on ~50 MiB. A target holding on to records,
    # batches or answers grows several KiB per record and passes 1.25.
    sandbox = make_sandbox(odoo_version=17, scale=1)
    load = Load(customers=4000, vendors=0, invoices=0)
    config, results = write_config(sandbox, tmp_path)
    singer = load.write(tmp_path / "load.singer")

    returncode, rss = rss_when_done(target(config, singer), results, [1000, 3500])

    found = tally(sandbox, load)
    record_tally("target_memory_4000_records", {}, 1, found)
    assert returncode == 0
    assert sorted(rss) == [1000, 3500], "the run ended before RSS was sampled"
    assert (found.lost, found.duplicates, found.wrong) == ([], 0, [])
    mib = {mark: f"{value / 2**20:.1f} MiB" for mark, value in rss.items()}
    assert rss[3500] / rss[1000] < 1.25, mib


def test_a_lost_answer_to_action_post_reports_the_invoices_written(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    sandbox.faults.fail_next("drop_after", when="account.move.action_post")  # posted, answer lost
    load = Load(customers=10, vendors=0, invoices=10)
    config, results = write_config(sandbox, tmp_path)
    singer = load.write(tmp_path / "load.singer")

    done = subprocess.run(target(config, singer), capture_output=True, check=False)

    found = tally(sandbox, load)
    record_tally("target_lost_action_post_answer", sandbox.stats.snapshot()["faults"], 1, found)
    assert done.returncode == 0
    assert (found.lost, found.duplicates, found.wrong) == ([], 0, [])
    assert failed_outcomes(results) == []  # was: the 5 posted invoices, "already posted"
    assert sandbox.stats.snapshot()["calls"]["account.move.action_post"] == 1  # was: 6
