"""Bad input through the real commands: malformed Singer lines, records that break their schema,
streams without a mapping, a broken mapping.json, wrong credentials, a URL that is not Odoo, Odoo
answering its maintenance page, a user with few rights.

Each must end with one clear `error: ...` line on stderr (no traceback) and the exit code of its
kind, or, for a record that fails alone, be reported in the results file while the records around
it are written exactly once. A run that stops leaves nothing unreported in Odoo, and the re-run of
the corrected input writes every record exactly once.

Exit codes (odoo_client.cli and target_odoo.target.cli): 0 done (failed records are in the
results), 2 the target's input or mapping, 3 settings, 4 login or database, 5 access rights,
6 unknown model/field/values, 7 server unavailable or not Odoo, 8 a write's answer lost.
"""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from leaks import record_figures

from odoo_sandbox import Sandbox

pytestmark = pytest.mark.e2e

DATA = Path(__file__).parent / "data" / "target"
BIN = Path(sys.executable).parent
CONNECTION = ("url", "database", "username", "password")
SCHEMAS = {
    message["stream"]: message
    for message in map(json.loads, (DATA / "unified.singer").read_text().splitlines())
    if message["type"] == "SCHEMA"
}
NAMESPACE = "badinput"


def schema(stream: str = "Customers") -> str:
    return json.dumps(SCHEMAS[stream])


def customer(i: int, **values) -> str:
    record = {"id": f"C-{i}", "customerName": f"Bad Input {i}", **values}
    return json.dumps({"type": "RECORD", "stream": "Customers", "record": record})


GOOD = [1, 2, 3, 4, 5, 6]  # the valid records of every input below


@dataclass
class Run:
    """One finished command."""

    returncode: int
    stdout: str
    stderr: str
    outcomes: list[dict]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]

    def status(self) -> dict[str, str]:
        return {o["key"]: o["status"] for o in self.outcomes}


def run(command: list[str], results: Path | None = None) -> Run:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    outcomes = []
    if results is not None and results.exists():
        outcomes = [json.loads(line) for line in results.read_text().splitlines()]
    return Run(done.returncode, done.stdout, done.stderr, outcomes)


def run_target(settings: dict, tmp_path: Path, lines: list[str] | Path, **config) -> Run:
    """target-odoo on these Singer lines (or file), results in a fresh file."""
    results = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.jsonl"
    config = {
        **{key: settings[key] for key in CONNECTION},
        "external_id_namespace": NAMESPACE,
        "results_path": str(results),
        **config,
    }
    config_path = tmp_path / "target.json"
    config_path.write_text(json.dumps(config))
    singer = lines
    if not isinstance(lines, Path):
        singer = tmp_path / "input.singer"
        singer.write_text("\n".join(lines) + "\n")
    command = [str(BIN / "target-odoo"), "--config", str(config_path), "--input", str(singer)]
    return run(command, results)


def run_tap(settings: dict, tmp_path: Path, catalog: dict | None = None, **config) -> Run:
    """tap-odoo sync of res.partner (or of `catalog`)."""
    config = {**{key: settings[key] for key in CONNECTION}, "models": ["res.partner"], **config}
    config_path = tmp_path / "tap.json"
    config_path.write_text(json.dumps(config))
    command = [str(BIN / "tap-odoo"), "--config", str(config_path)]
    if catalog is not None:
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        command += ["--catalog", str(catalog_path)]
    return run(command)


def written(sandbox: Sandbox) -> Counter:
    """Partners named like the records of these inputs, by name."""
    uid = sandbox.engine.users["admin"]["uid"]
    rows = sandbox.engine.execute(
        uid,
        "res.partner",
        "search_read",
        [[["name", "=like", "Bad Input %"]]],
        {"fields": ["name"], "context": {"active_test": False}},
    )
    return Counter(row["name"] for row in rows)


def assert_one_clear_line(done: Run, code: int, *needles: str) -> None:
    """One `error:` line, the last one, naming what to fix; no traceback; the exit code."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(done.errors) == 1, done.stderr[-3000:]
    assert done.stderr.rstrip().splitlines()[-1] == done.errors[0]
    for needle in needles:
        assert needle.lower() in done.errors[0].lower(), (needle, done.errors[0])
    assert done.returncode == code, done.errors[0]


@pytest.fixture
def figures(request) -> Callable[..., None]:
    """figures(faults, runs, expected, lost, duplicates): one JSON line to RELIABILITY_FIGURES."""

    def record(faults: dict, runs: int, expected: int, lost: int, duplicates: int) -> None:
        record_figures(
            f"bad_input_{request.node.name.removeprefix('test_')}",
            faults=faults,
            runs=runs,
            expected=expected,
            lost=lost,
            duplicates=duplicates,
        )

    return record


def tally(sandbox: Sandbox) -> tuple[int, int]:
    """(valid records missing, duplicates or records that should not be there)."""
    names = written(sandbox)
    wanted = {f"Bad Input {i}" for i in GOOD}
    lost = sum(1 for name in wanted if not names[name])
    extra = sum(n - 1 if name in wanted else n for name, n in names.items())
    return lost, extra


# -- input that stops the run -------------------------------------------------------------------

WIDGETS = json.dumps(
    {
        "type": "SCHEMA",
        "stream": "Widgets",
        "key_properties": ["id"],
        "schema": {"type": "object", "properties": {"id": {"type": "string"}}},
    }
)
WIDGET = json.dumps({"type": "RECORD", "stream": "Widgets", "record": {"id": "W-1"}})
NO_KEY = json.dumps(
    {"type": "RECORD", "stream": "Customers", "record": {"customerName": "Bad Input 9"}}
)


def _around(*bad: str) -> tuple[list[str], list[str]]:
    """(input with the bad lines between good records, the corrected input)."""
    head = [schema(), *(customer(i) for i in GOOD[:3])]
    tail = [customer(i) for i in GOOD[3:]]
    return [*head, *bad, *tail], [*head, *tail]


STOPPING = [
    pytest.param(
        *_around('{"type": "RECORD", "stream": "Customers", "record": {"id": "C-9",'),
        ("JSON",),
        id="line-not-json",
    ),
    pytest.param(
        *_around('{"type": "FOO", "stream": "Customers"}'),
        ("FOO",),
        id="unknown-message-type",
    ),
    pytest.param(
        [customer(1), schema(), *(customer(i) for i in GOOD[1:])],
        [schema(), *(customer(i) for i in GOOD)],
        ("Customers", "schema"),
        id="record-before-schema",
    ),
    pytest.param(
        *_around(WIDGETS, WIDGET),
        ("'Widgets'", "mapping.json"),
        id="stream-without-mapping",
    ),
    pytest.param(
        *_around(NO_KEY),
        ("Customers", "'id'"),
        id="record-without-its-key",
    ),
]


@pytest.mark.parametrize(("bad", "fixed", "needles"), STOPPING)
def test_input_that_stops_the_run(make_sandbox, tmp_path, figures, bad, fixed, needles):
    sandbox = make_sandbox(odoo_version=17, scale=1)

    stopped = run_target(sandbox.settings, tmp_path, bad)
    reported = {o["key"] for o in stopped.outcomes if o["status"] == "created"}
    names_after_stop = written(sandbox)
    again = run_target(sandbox.settings, tmp_path, fixed)
    lost, duplicates = tally(sandbox)

    figures({}, 2, len(GOOD), lost, duplicates)
    # nothing was written that the results file does not report, nothing twice
    assert set(names_after_stop) == {f"Bad Input {key.removeprefix('C-')}" for key in reported}
    assert again.returncode == 0, again.stderr[-3000:]
    assert (lost, duplicates) == (0, 0)
    assert sorted(again.status()) == sorted(f"C-{i}" for i in GOOD)
    assert_one_clear_line(stopped, 2, *needles)


# -- records that fail alone --------------------------------------------------------------------

SCHEMA_VIOLATIONS = [
    pytest.param(customer(9, customerName=42), "42 is not of type", id="number-for-a-string"),
    pytest.param(customer(9, isCompany="yes"), "'yes' is not of type", id="text-for-a-boolean"),
    pytest.param(customer(9, addresses={"city": "Ghent"}), "is not of type", id="object-for-list"),
]


@pytest.mark.parametrize(("bad", "reason"), SCHEMA_VIOLATIONS)
def test_a_record_breaking_its_schema_fails_alone(make_sandbox, tmp_path, figures, bad, reason):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    lines, _ = _around(bad)

    first = run_target(sandbox.settings, tmp_path, lines)
    again = run_target(sandbox.settings, tmp_path, lines)
    lost, duplicates = tally(sandbox)

    figures({}, 2, len(GOOD), lost, duplicates)
    assert "Traceback" not in first.stderr
    assert (first.returncode, first.errors) == (0, [])
    assert first.status() == {**{f"C-{i}": "created" for i in GOOD}, "C-9": "failed"}
    error = next(o["error"] for o in first.outcomes if o["key"] == "C-9")
    assert error.startswith("record does not match the stream schema")
    assert reason in error
    assert 'Stream Customers: {"created": 6, "failed": 1}' in first.stderr
    assert again.status() == {**{f"C-{i}": "unchanged" for i in GOOD}, "C-9": "failed"}
    assert (lost, duplicates) == (0, 0)


# -- a broken mapping.json ----------------------------------------------------------------------

CUSTOMERS = {"model": "res.partner", "fields": {"name": "customerName"}}
BAD_MAPPINGS = [
    pytest.param(
        {
            "streams": {
                "Customers": {
                    **CUSTOMERS,
                    "lookups": {
                        "country_id": {
                            "model": "res.country",
                            "match": [{"path": "country", "field": "code"}],
                            "on_missing": "sometimes",
                        }
                    },
                }
            }
        },
        ("stream 'Customers'", "lookups.country_id.on_missing", "'sometimes' is not one of"),
        id="value-not-allowed",
    ),
    pytest.param(
        {"streams": {"Customers": {"model": "res.partner", "feilds": {"name": "customerName"}}}},
        ("stream 'Customers'", "'feilds' was unexpected"),
        id="misspelt-key",
    ),
    pytest.param(
        {"streams": {"Customers": {**CUSTOMERS, "fields": {"state": "status"}}}},
        ("stream 'Customers'", "fields.state", "use 'after'"),
        id="state-written",
    ),
    pytest.param('{"streams": {', ("is not valid JSON", "line 1"), id="not-json"),
    pytest.param(None, ("mapping file not found",), id="missing-file"),
]


@pytest.mark.parametrize(("mapping", "needles"), BAD_MAPPINGS)
def test_a_broken_mapping_stops_before_writing(make_sandbox, tmp_path, figures, mapping, needles):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    path = tmp_path / "mapping.json"
    if mapping is not None:
        path.write_text(mapping if isinstance(mapping, str) else json.dumps(mapping))
    lines, _ = _around()

    done = run_target(sandbox.settings, tmp_path, lines, mapping=str(path))

    figures({}, 1, 0, 0, sum(written(sandbox).values()))
    assert_one_clear_line(done, 2, "MappingError", *needles)
    assert written(sandbox) == Counter()
    assert sandbox.stats.snapshot()["requests"] == 0  # stopped before connecting


# -- connection and rights ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def not_odoo(tmp_path_factory) -> Iterator[str]:
    """A plain local web server with one page: what a wrong URL points at."""
    root = tmp_path_factory.mktemp("www")
    (root / "index.html").write_text("<html><head><title>Acme</title></head><body>Hi</body></html>")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def admin_catalog(sandbox: Sandbox, tmp_path: Path, model: str) -> dict:
    """The catalog an admin discovers for `model`, with its stream selected."""
    done = run(
        [
            str(BIN / "tap-odoo"),
            "--config",
            str(_write(tmp_path / "admin.json", {**sandbox.settings, "models": [model]})),
            "--discover",
        ]
    )
    catalog = json.loads(done.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = True
    return catalog


def _write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value))
    return path


# case -> (exit code, words of the message), the same through both command lines.
BOTH_CLIS = {
    "wrong-password": (4, ("AuthenticationError", "refused login 'admin'", "password")),
    "not-odoo": (7, ("NotOdooServerError", "did not answer like Odoo", "url setting")),
    "maintenance": (7, ("ServerUnavailableError", "maintenance", "try again later")),
}
CONNECTION_CASES = [
    pytest.param(case, cli, code, needles, id=f"{case}-{cli}")
    for case, (code, needles) in BOTH_CLIS.items()
    for cli in ("target", "tap")
] + [
    # case, cli, exit code, words of the message
    pytest.param(
        "restricted-read",
        "target",
        0,
        ('account.tax create: grant "Invoicing: Billing Administrator"',),
        id="restricted-read-target",
    ),
    pytest.param(
        "restricted-read", "tap", 5, ("AccessDeniedError", "account.move"), id="restricted-read-tap"
    ),
    pytest.param(
        "restricted-create",
        "target",
        0,
        ('res.partner create: grant "Contact Creation"',),
        id="restricted-create-target",
    ),
]


@pytest.mark.parametrize(("case", "cli", "code", "needles"), CONNECTION_CASES)
def test_connection_problems_are_one_clear_line(
    make_sandbox, not_odoo, secrets_seen, tmp_path, figures, case, cli, code, needles
):
    faults = "html_maintenance=1" if case == "maintenance" else None
    sandbox = make_sandbox(odoo_version=17, scale=1, faults=faults)
    settings = dict(sandbox.settings)
    extra: dict = {"max_retry_time": 5, "retry_initial_wait": 0.01, "retry_max_wait": 0.1}
    wrong = "not-the-password-4711"
    if case == "wrong-password":
        settings["password"] = wrong
    elif case == "not-odoo":
        settings["url"] = not_odoo
    elif case.startswith("restricted"):
        settings.update(username="demo", password=sandbox.users["demo"]["password"])
    catalog = None
    if cli == "tap" and case == "restricted-read":
        catalog = admin_catalog(sandbox, tmp_path, "account.move")
    singer = _around()[0] if case == "restricted-create" else DATA / "unified.singer"
    sandbox.stats.reset()

    if cli == "target":
        done = run_target(settings, tmp_path, singer, **extra)
    else:
        done = run_tap(settings, tmp_path, catalog, **extra)

    figures(sandbox.stats.snapshot()["faults"], 1, 0, 0, sum(written(sandbox).values()))
    for secret in [wrong, *secrets_seen]:
        assert secret not in done.stdout + done.stderr
    assert '"type": "RECORD"' not in done.stdout
    assert '"type":"RECORD"' not in done.stdout
    assert written(sandbox) == Counter()
    if case == "restricted-create":
        # Rights missing for the records only: each fails naming the right, the run goes on.
        assert {o["status"] for o in done.outcomes} == {"failed"}
        assert all(needles[0] in o["error"] for o in done.outcomes)
        assert done.returncode == code
        assert any(needles[0] in line for line in done.stderr.splitlines())
        return
    if case == "restricted-read" and cli == "target":
        # demo may use no accounting model, nor create partners or external ids: the records
        # fail naming the right each lacks first (the invoices: their partner); nothing lands.
        assert {o["status"] for o in done.outcomes} == {"failed"}
        errors = [(o["stream"], o["error"]) for o in done.outcomes]
        for stream, right in (("TaxRates", needles[0]), ("Customers", "res.partner create")):
            assert all(error.startswith(right) for s, error in errors if s == stream), stream
        assert done.returncode == code
        return
    assert_one_clear_line(done, code, *needles)


# A mistyped port: nothing has ever answered there, so both commands stop within seconds (three
# quick attempts, not the eight retries with backoff a server that went away mid-run gets).
NOTHING_LISTENS_COMMANDS = {
    "tap-discover": lambda config: [str(BIN / "tap-odoo"), "--config", config, "--discover"],
    "target": lambda config: [str(BIN / "target-odoo"), "--config", config],
}


@pytest.mark.parametrize("cli", NOTHING_LISTENS_COMMANDS)
def test_nothing_listening_stops_within_seconds_naming_host_and_port(tmp_path, cli):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = {  # the default retry settings: max_retries 8, first wait 1 s
        "url": f"http://127.0.0.1:{port}",
        "database": "odoo17",
        "username": "admin",
        "password": "Unused-Passw0rd-4711",
    }
    config_path = _write(tmp_path / "config.json", config)

    done = subprocess.run(
        NOTHING_LISTENS_COMMANDS[cli](str(config_path)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,  # safety net: about 3 s in fact
        check=False,
    )

    assert_one_clear_line(
        Run(done.returncode, done.stdout, done.stderr, []),
        7,
        "ServerUnreachableError",
        f"http://127.0.0.1:{port} (host 127.0.0.1, port {port}): connection refused",
        "gave up after 3 attempts",
        "check the url and port settings",
        "firewall",
    )
    retries = [line for line in done.stderr.splitlines() if "retry " in line]
    assert [line.split("; retry ")[1][:6] for line in retries] == ["1 of 2", "2 of 2"]
    assert '"type": "RECORD"' not in done.stdout
