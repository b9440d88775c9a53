"""The `odoo-sandbox` command: one JSON line when ready, serves, stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import xmlrpc.client

import pytest

pytestmark = pytest.mark.e2e

READY_KEYS = {"url", "database", "username", "password", "api_key", "odoo_version"}


def start(*options: str) -> subprocess.Popen:
    """Run the command (as `python -m odoo_sandbox`, the console script's entry point)."""
    command = [sys.executable, "-m", "odoo_sandbox", "--port", "0", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen, signum: int) -> tuple[str, str]:
    """Send `signum`; the rest of stdout and stderr."""
    process.send_signal(signum)
    try:
        return process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_prints_one_json_line_serves_and_stops(signum: int) -> None:
    process = start("--odoo-version", "17", "--scale", "1", "--log-level", "WARNING")
    try:
        ready = json.loads(process.stdout.readline())
        assert set(ready) == READY_KEYS
        assert (ready["database"], ready["username"], ready["odoo_version"]) == (
            "odoo17",
            "admin",
            17,
        )
        assert ready["url"].startswith("http://127.0.0.1:")
        common = xmlrpc.client.ServerProxy(ready["url"] + "/xmlrpc/2/common")
        assert common.version()["server_serie"] == "17.0"
        uid = common.authenticate(ready["database"], "admin", ready["password"], {})
        assert uid == common.authenticate(ready["database"], "admin", ready["api_key"], {}) > 0
    finally:
        rest, errors = stop(process, signum)
    assert process.returncode == 0
    assert rest == ""  # exactly one line on stdout
    assert ready["password"] not in errors
    assert ready["api_key"] not in errors


def test_faults_option_applies() -> None:
    process = start("--faults", "html_maintenance=1", "--log-level", "WARNING")
    try:
        ready = json.loads(process.stdout.readline())
        with pytest.raises(xmlrpc.client.ProtocolError) as refused:
            xmlrpc.client.ServerProxy(ready["url"] + "/xmlrpc/2/common").version()
        assert refused.value.errcode == 503
    finally:
        stop(process, signal.SIGTERM)


def test_bad_faults_spec_exits_with_a_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "odoo_sandbox", "--faults", "bogus=1"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown fault setting 'bogus'" in result.stderr
