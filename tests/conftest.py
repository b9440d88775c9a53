"""Shared fixtures: sandboxes to run against (see tests/sandbox/README.md).

- `sandbox` (session): an Odoo 17 sandbox at scale 1, shared by every test; do not change its data
  in ways other tests would notice (use `make_sandbox` for that).
- `sandbox19` (session): the same for Odoo 19 (JSON-2).
- `sandbox16`, `sandbox18` (session): the same for Odoo 16 and 18.
- `sandbox_settings`: a copy of `sandbox.settings` (url, database, username, password, api_key).
- `make_sandbox(**Sandbox kwargs)`: a fresh started sandbox, stopped when the test ends.
- `secrets_seen`: the passwords and API keys of every sandbox started so far (live list), for
  tests that scan output for leaks.
- `wire(sandbox, user="admin")`: a bare protocol client (requests + xmlrpc.client, not our
  odoo_client) for tests of the sandbox's wire behaviour.
- `odoo_user`: runs a test twice, as "admin" and as the least-privilege "integration" user
  (tests/sandbox/odoo_sandbox/integration.py); connect with `sandbox.settings_for(odoo_user)`.

Faults and counters of the shared sandboxes are reset after every test.

Every test is scanned for leaked secrets: what it printed and logged (pytest's captured sections)
and the output of every `subprocess.run` it made with captured output. A password or API key of
any sandbox started so far found there fails the test, naming where, never the secret. Tests of
things that print secrets by design (the sandbox's own ready line) say so with
`@pytest.mark.shows_secrets`.
"""

from __future__ import annotations

import subprocess
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from leaks import leaked_places, scrubbed

from odoo_sandbox import Sandbox

_SHARED: list[Sandbox] = []
_SECRETS: list[str] = []
_SUBPROCESS_OUTPUT: list[tuple[str, str]] = []  # (command, text) of the current test
_real_run = subprocess.run


def _scanned_run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess:
    """subprocess.run, keeping what the command printed for the leak scan."""
    result = _real_run(*args, **kwargs)
    command = args[0] if args else kwargs.get("args")
    name = str(command[0] if isinstance(command, (list, tuple)) and command else command)
    for text in (result.stdout, result.stderr):
        if text:
            decoded = text.decode(errors="replace") if isinstance(text, bytes) else text
            _SUBPROCESS_OUTPUT.append((name.rsplit("/", 1)[-1], decoded))
    return result


@pytest.fixture(autouse=True)
def _scan_subprocess_output(monkeypatch: pytest.MonkeyPatch) -> None:
    _SUBPROCESS_OUTPUT.clear()
    monkeypatch.setattr(subprocess, "run", _scanned_run)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Fail a passing test whose captured output or subprocess output holds a secret."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.passed or item.get_closest_marker("shows_secrets"):
        return
    places = [(title, text) for title, text in report.sections]
    places += [(f"output of {command}", text) for command, text in _SUBPROCESS_OUTPUT]
    leaks = leaked_places(places, _SECRETS)
    if leaks:
        report.outcome = "failed"
        report.longrepr = (
            f"a password or API key of a sandbox appeared in: {', '.join(leaks)} "
            "(shown below as ***)"
        )
        report.sections = [(title, scrubbed(text, _SECRETS)) for title, text in report.sections]


def _start(**kwargs: object) -> Sandbox:
    sandbox = Sandbox(**kwargs).start()  # type: ignore[arg-type]
    _SECRETS.extend(secret for secret in sandbox.secrets if secret not in _SECRETS)
    return sandbox


def _shared_sandbox(version: int) -> Iterator[Sandbox]:
    """A sandbox of `version` (scale 1) kept for the whole session and reset after each test."""
    shared = _start(odoo_version=version, scale=1)
    _SHARED.append(shared)
    yield shared
    shared.stop()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """An Odoo 17 sandbox (scale 1) shared by the whole test session."""
    yield from _shared_sandbox(17)


@pytest.fixture(scope="session")
def sandbox19() -> Iterator[Sandbox]:
    """An Odoo 19 sandbox (JSON-2 enabled) shared by the whole test session."""
    yield from _shared_sandbox(19)


@pytest.fixture(scope="session")
def sandbox16() -> Iterator[Sandbox]:
    """An Odoo 16 sandbox shared by the whole test session."""
    yield from _shared_sandbox(16)


@pytest.fixture(scope="session")
def sandbox18() -> Iterator[Sandbox]:
    """An Odoo 18 sandbox shared by the whole test session."""
    yield from _shared_sandbox(18)


@pytest.fixture(autouse=True)
def _reset_shared_sandboxes() -> Iterator[None]:
    """No test leaves faults configured (or counters running) on a shared sandbox."""
    yield
    for shared in _SHARED:
        shared.faults.reset()
        shared.stats.reset()


@pytest.fixture
def sandbox_settings(sandbox: Sandbox) -> dict:
    """Connection settings of the shared Odoo 17 sandbox (a copy: change it freely)."""
    return dict(sandbox.settings)


@pytest.fixture(params=["admin", "integration"])
def odoo_user(request: pytest.FixtureRequest) -> str:
    """The login a test connects as: the admin, then the least-privilege integration user (no
    Settings, no Access Rights: ir.model and ir.model.data are closed to it)."""
    return request.param


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Factory of fresh sandboxes, `make_sandbox(odoo_version=19, faults="...")`, stopped after."""
    made: list[Sandbox] = []

    def make(**kwargs: object) -> Sandbox:
        sandbox = _start(**kwargs)
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.stop()


@pytest.fixture
def secrets_seen() -> list[str]:
    """Passwords and API keys of every sandbox started in this session (grows as more start)."""
    return _SECRETS


class WireClient:
    """Raw calls to a sandbox over each protocol, answering the parsed bodies as they came."""

    def __init__(self, sandbox: Sandbox, user: str = "admin") -> None:
        self.sandbox = sandbox
        self.url = sandbox.url
        self.db = sandbox.database
        credentials = sandbox.users[user]
        self.uid, self.password = credentials["uid"], credentials["password"]
        self.api_key = credentials["api_key"]
        self.http = requests.Session()

    def post_json(self, path: str, params: dict, request_id: Any = 1) -> requests.Response:
        """POST a JSON-RPC envelope to `path`."""
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id}
        return self.http.post(self.url + path, json=body, timeout=30)

    def call(self, service: str, method: str, *args: Any) -> dict:
        """/jsonrpc call; the whole answer body."""
        params = {"service": service, "method": method, "args": list(args)}
        return self.post_json("/jsonrpc", params).json()

    def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None = None) -> dict:
        """/jsonrpc object.execute_kw as this user; the whole answer body."""
        call_args = [self.db, self.uid, self.password, model, method, args]
        return self.call("object", "execute_kw", *call_args, *([kwargs] if kwargs else []))

    def result(self, model: str, method: str, args: list, kwargs: dict | None = None) -> Any:
        """execute_kw's result; fails the test on an error answer."""
        body = self.execute_kw(model, method, args, kwargs)
        assert "error" not in body, body["error"]
        return body["result"]

    def xmlrpc(self, service: str, legacy: bool = False) -> xmlrpc.client.ServerProxy:
        """A stdlib XML-RPC proxy on /xmlrpc/2/<service> (or the legacy /xmlrpc/<service>)."""
        path = f"/xmlrpc/{service}" if legacy else f"/xmlrpc/2/{service}"
        return xmlrpc.client.ServerProxy(self.url + path)

    def login_session(self) -> dict:
        """/web/session/authenticate; keeps the session cookie in this client."""
        params = {"db": self.db, "login": "admin", "password": self.password}
        return self.post_json("/web/session/authenticate", params).json()

    def call_kw(self, model: str, method: str, args: list, kwargs: dict | None = None) -> dict:
        """/web/dataset/call_kw with this client's session cookie; the whole answer body."""
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        return self.post_json(f"/web/dataset/call_kw/{model}/{method}", params).json()

    def json2(
        self, model: str, method: str, body: Any, key: str | None = None, **headers: str
    ) -> requests.Response:
        """POST /json/2/<model>/<method> with a bearer key (this user's unless `key`)."""
        sent = {"Authorization": f"bearer {key or self.api_key}", "X-Odoo-Database": self.db}
        sent.update({name.replace("_", "-"): value for name, value in headers.items()})
        return self.http.post(f"{self.url}/json/2/{model}/{method}", json=body, headers=sent)


@pytest.fixture
def wire() -> Iterator[Callable[..., WireClient]]:
    """Factory `wire(sandbox, user="admin") -> WireClient`; its sessions close after the test."""
    clients: list[WireClient] = []

    def make(sandbox: Sandbox, user: str = "admin") -> WireClient:
        client = WireClient(sandbox, user)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.http.close()
