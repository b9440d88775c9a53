"""Every error path of the client, run with known secrets: none may leak into logs or errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors
from odoo_client.cli import run_cli
from odoo_sandbox import Sandbox

WRONG_SECRET = "Wr0ng-Secret-7f3a9c"


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[int, Sandbox]]:
    """Own sandboxes (faults are injected)."""
    started = {version: Sandbox(odoo_version=version, scale=1).start() for version in (17, 19)}
    yield started
    for sandbox in started.values():
        sandbox.stop()


def _config(sandbox: Sandbox, secret: str, **overrides: Any) -> dict[str, Any]:
    return {
        "url": sandbox.url,
        "database": sandbox.database,
        "username": "admin",
        "password": secret,
        "retry_initial_wait": 0.01,
        "retry_max_wait": 0.02,
        "max_retries": 1,
        **overrides,
    }


def _client(sandbox: Sandbox, secret: str, **overrides: Any) -> OdooClient:
    return OdooClient(
        ConnectionSettings.from_config(_config(sandbox, secret, **overrides)),
        logger=logging.getLogger("test-client"),
    )


def _error_paths(sandboxes: dict[int, Sandbox]) -> list[tuple[str, Callable[[], Any]]]:
    s17, s19 = sandboxes[17], sandboxes[19]
    key17 = s17.users["admin"]["api_key"]
    key19 = s19.users["admin"]["api_key"]
    paths: list[tuple[str, Callable[[], Any]]] = []
    for protocol in ("jsonrpc", "xmlrpc", "websession"):
        paths.append(
            (f"wrong secret {protocol}", _client(s17, WRONG_SECRET, protocol=protocol).authenticate)
        )
    paths += [
        ("wrong key json2", _client(s19, WRONG_SECRET, protocol="json2").authenticate),
        ("wrong secret auto 19", _client(s19, WRONG_SECRET).authenticate),
        ("wrong database", _client(s17, key17, database="nope").authenticate),
        ("wrong database json2", _client(s19, key19, database="nope").authenticate),
        ("bad config", lambda: ConnectionSettings.from_config(_config(s17, key17, timeout="x"))),
        (
            "url with credentials",
            lambda: ConnectionSettings.from_config(
                _config(s17, key17, url=f"https://admin:{key17}@acme.odoo.com")
            ),
        ),
    ]
    for version in (17, 19):
        sandbox = sandboxes[version]
        for protocol in ("jsonrpc", "xmlrpc", "websession") + (("json2",) if version == 19 else ()):
            kind = "password" if protocol in ("jsonrpc", "websession") else "api_key"
            key = sandbox.users["admin"][kind]
            client = _client(sandbox, key, protocol=protocol)
            demo = _client(sandbox, sandbox.users["demo"][kind], protocol=protocol, username="demo")
            tag = f"{version} {protocol}"
            paths += [
                (f"unknown model {tag}", lambda c=client: c.search_read("no.model", [])),
                (f"unknown field {tag}", lambda c=client: c.read("res.partner", [1], ["nope"])),
                (
                    f"secret in a domain {tag}",
                    lambda c=client, k=key: c.search_read(
                        "res.partner", [["no_such_field", "=", k]]
                    ),
                ),
                (
                    f"secret as a value {tag}",
                    lambda c=client, k=key: c.create("res.partner", [{"name": "x", "type": k}]),
                ),
                (f"missing record {tag}", lambda c=client: c.write("res.partner", [9999999], {})),
                (
                    f"validation {tag}",
                    lambda c=client: c.write("res.partner", [1], {"parent_id": 1}),
                ),
                (f"access denied {tag}", lambda c=demo: c.create("res.partner", [{"name": "x"}])),
                (
                    f"unavailable {tag}",
                    lambda c=client, sb=sandbox: _with_fault(
                        sb, "503", 5, lambda: c.search_count("res.partner")
                    ),
                ),
                (
                    f"write outcome unknown {tag}",
                    lambda c=client, sb=sandbox: _with_fault(
                        sb, "drop_after", 1, lambda: c.create("res.partner", [{"name": "lost"}])
                    ),
                ),
            ]
    paths.append(("poisoned field", lambda: _poisoned(s17, _client(s17, key17))))
    paths.append(
        (
            "xmlrpc int limit",
            lambda: _client(s17, key17, protocol="xmlrpc").read("res.partner", [2**40]),
        )
    )
    return paths


def _poisoned(sandbox: Sandbox, client: OdooClient) -> Any:
    sandbox.faults.configure(poison_field="res.partner:email")
    try:
        return client.search_read("res.partner", [], ["email"], limit=1)
    finally:
        sandbox.faults.reset()


def _with_fault(sandbox: Sandbox, kind: str, count: int, action: Callable[[], Any]) -> Any:
    sandbox.faults.fail_next(kind, count=count, when="res.partner")
    try:
        return action()
    finally:
        sandbox.faults.reset()


def test_no_secret_leaks_on_any_error_path(
    sandboxes: dict[int, Sandbox],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [WRONG_SECRET] + [
        user[field]
        for sb in sandboxes.values()
        for user in sb.users.values()
        for field in ("api_key", "password")
    ]
    seen: dict[str, type] = {}
    texts: list[str] = []
    for label, action in _error_paths(sandboxes):
        with pytest.raises(errors.OdooError) as caught:
            action()
        error = caught.value
        seen[label] = type(error)
        texts += [str(error), repr(error), str(error.args), str(error.odoo_message)]
    with pytest.raises(SystemExit) as exited:
        run_cli(_client(sandboxes[17], WRONG_SECRET).authenticate)
    assert exited.value.code == 4
    captured = capsys.readouterr()
    everything = "\n".join([*texts, caplog.text, captured.out, captured.err])
    for secret in secrets:
        assert secret not in everything
    assert "error: AuthenticationError" in captured.err
    expected_kinds = {
        errors.AuthenticationError,
        errors.DatabaseNotFoundError,
        errors.ConfigurationError,
        errors.UnknownModelError,
        errors.UnknownFieldError,
        errors.ValidationError,
        errors.MissingRecordError,
        errors.AccessDeniedError,
        errors.ServerUnavailableError,
        errors.WriteOutcomeUnknownError,
        errors.XmlRpcLimitError,
        errors.ServerError,
    }
    assert expected_kinds <= set(seen.values())
    assert seen["secret in a domain 19 json2"] is errors.UnknownFieldError
