"""run_cli: an Odoo failure ends as one line on stderr with a documented exit code."""

from __future__ import annotations

import logging

import click
import pytest

from odoo_client import errors
from odoo_client.cli import run_cli


def _raiser(error: Exception):
    def main() -> None:
        raise error

    return main


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ConfigurationError("url is empty: give the address", setting="url"), 3),
        (errors.AuthenticationError("Odoo refused login 'admin'"), 4),
        (errors.DatabaseNotFoundError("Database 'x' does not exist", database="x"), 4),
        (errors.AccessDeniedError("User 'demo' may not create res.partner records"), 5),
        (errors.UnknownFieldError("Field 'x_foo' does not exist", field="x_foo"), 6),
        (errors.ValidationError("Odoo rejected res.partner.write:\nrecursive"), 6),
        (errors.ServerUnavailableError("gave up after 9 attempts", attempts=9), 7),
        (errors.NotOdooServerError("not an Odoo API answer", status=200), 7),
        (errors.WriteOutcomeUnknownError("res.partner.create: answer lost"), 8),
        (errors.ServerError("Odoo failed on res.partner.read"), 1),
    ],
)
def test_odoo_errors_end_as_one_line_and_an_exit_code(
    error: errors.OdooError, code: int, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.delenv("LOGLEVEL", raising=False)
    with pytest.raises(SystemExit) as exited:
        run_cli(_raiser(error))
    assert exited.value.code == code
    err = capsys.readouterr().err
    assert err == f"error: {type(error).__name__}: {' '.join(str(error).split())}\n"
    assert "Traceback" not in err


def test_traceback_only_at_debug_level(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("LOGLEVEL", "debug")
    with pytest.raises(SystemExit):
        run_cli(_raiser(errors.ServerError("boom")))
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("error: ServerError: boom")
    monkeypatch.delenv("LOGLEVEL")
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        with pytest.raises(SystemExit):
            run_cli(_raiser(errors.ServerError("boom")))
    finally:
        root.setLevel(old)
    assert "Traceback" in capsys.readouterr().err


def test_other_exceptions_and_success_pass_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(lambda x: x * 2, 21) == 42
    with pytest.raises(KeyError):
        run_cli(_raiser(KeyError("a bug keeps its traceback")))


def test_a_click_command_in_standalone_mode(capsys: pytest.CaptureFixture[str]) -> None:
    @click.command()
    def main() -> None:
        raise errors.AuthenticationError("Odoo refused login 'admin'")

    with pytest.raises(SystemExit) as exited:
        run_cli(main, args=[], standalone_mode=True)
    assert exited.value.code == 4
    assert capsys.readouterr().err == "error: AuthenticationError: Odoo refused login 'admin'\n"
