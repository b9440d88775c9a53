"""`tap-odoo` on the command line, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from singer_run import discover, tap_command
from test_tap_sync import tap_config


def test_discover_describes_the_sandbox(sandbox, odoo_user) -> None:
    catalog = discover(tap_config(sandbox, odoo_user))
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    partner = streams["res_partner"]
    assert partner["table_name"] == "res.partner"
    assert partner["key_properties"] == ["id"]
    assert partner["replication_key"] == "write_date"
    assert partner["schema"]["properties"]["id"]["type"] == "integer"
    assert "x_studio_customer_code" in partner["schema"]["properties"]


def test_about_json_lists_the_settings_and_hides_no_secret(sandbox, tmp_path) -> None:
    secret = "about-secret-7f3a9c"
    config = tap_config(sandbox) | {"password": secret}
    command = tap_command(config, tmp_path, None, None, "--about", "--format=json")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    about = json.loads(result.stdout)
    assert about["name"] == "tap-odoo"
    properties = about["settings"]["properties"]
    for setting in ("url", "database", "username", "password", "page_size", "pagination"):
        assert setting in properties, setting
    assert properties["password"].get("secret") is True
    assert secret not in result.stdout + result.stderr


def test_wrong_password_ends_with_one_clear_line(sandbox) -> None:
    config = tap_config(sandbox) | {"password": "not-the-password"}
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory), None, None, "--discover")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert "authentication" in last_line.lower() or "password" in last_line.lower()
    assert "not-the-password" not in result.stderr + result.stdout


def test_connection_test_says_what_it_found(sandbox, tmp_path) -> None:
    command = tap_command(tap_config(sandbox), tmp_path, None, None, "--test")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Connected to Odoo 17.0" in result.stderr
    assert "database odoo17, user admin" in result.stderr
    assert '"type": "RECORD"' not in result.stdout


BAD_FILES = {
    "malformed state": ("--state", "{bad", "the state file", "is not valid JSON"),
    "state not an object": ("--state", "[1, 2]", "the state file", "holds a JSON list"),
    "malformed catalog": ("--catalog", '{"streams": [', "the catalog file", "is not valid JSON"),
    "hotglue results as state": (
        "--state",
        json.dumps({"bookmarks": {"Customers": [{"hash": "h", "success": True}]}}),
        "bookmark of stream 'Customers' is a JSON list",
        "state_output",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_input_files_end_with_one_line_naming_the_file(sandbox, tmp_path, case) -> None:
    option, content, *expected = BAD_FILES[case]
    path = tmp_path / "input.json"
    path.write_text(content)
    command = [*tap_command(tap_config(sandbox), tmp_path, None, None), option, str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 3, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ConfigurationError: ")
    for text in expected:
        assert text in last
    assert result.stdout == ""


def test_a_config_file_that_is_missing_is_named(tmp_path) -> None:
    command = tap_command({}, tmp_path, None, None)
    command[command.index("--config") + 1] = str(tmp_path / "missing.json")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"error: ConfigurationError: cannot read the config file {tmp_path / 'missing.json'}: "
        "No such file or directory"
    )


def test_a_selected_stream_on_a_model_the_database_lacks_stops_the_run(sandbox, tmp_path) -> None:
    config = tap_config(sandbox, models=["res.country"])
    catalog = discover(config)
    (entry,) = catalog["streams"]
    gone = json.loads(json.dumps(entry))
    gone.update(tap_stream_id="mrp_bom", stream="mrp_bom", table_name="mrp.bom")
    catalog["streams"].append(gone)
    command = tap_command(config, tmp_path, catalog, None)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 6, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1] == (
        "error: UnknownModelError: The catalog selects models this database does not have (app "
        "uninstalled?): mrp.bom. Deselect their streams or run --discover again."
    )
    assert '"type":"RECORD"' not in result.stdout
