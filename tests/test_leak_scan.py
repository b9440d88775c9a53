"""The leak scan every test goes through (tests/conftest.py) finds secrets and hides them."""

from __future__ import annotations

import subprocess
import sys

from leaks import leaked_places, scrubbed

SECRETS = ["pw-0123456789abcdef", "a3b9d69a8717a8606c932fb00458f6abc26688af"]


def test_places_holding_a_secret_are_named() -> None:
    places = [
        ("Captured stdout call", "connected as admin\n"),
        ("Captured log call", "WARNING key a3b9d69a8717a8606c932fb00458f6abc26688af used"),
        ("output of tap-odoo", "error: password pw-0123456789abcdef refused"),
        ("output of target-odoo", "fine"),
    ]
    assert leaked_places(places, SECRETS) == ["Captured log call", "output of tap-odoo"]
    assert leaked_places(places[:1], SECRETS) == []


def test_scrubbed_text_keeps_no_secret() -> None:
    text = "pw-0123456789abcdef and a3b9d69a8717a8606c932fb00458f6abc26688af"
    assert scrubbed(text, SECRETS) == "*** and ***"


def test_subprocess_output_is_kept_for_the_scan(sandbox) -> None:
    import conftest  # noqa: PLC0415  (the fixture's own record of this test's commands)

    command = [sys.executable, "-c", "print('harmless')"]
    subprocess.run(command, capture_output=True, text=True, check=True)
    assert conftest._SUBPROCESS_OUTPUT[-1] == (sys.executable.rsplit("/", 1)[-1], "harmless\n")
    assert sandbox.settings["api_key"] in conftest._SECRETS
