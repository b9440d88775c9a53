"""meltano.yml declares each of our plugins' settings as the plugin itself does (`--about`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Settings every Singer SDK plugin has; meltano knows them from the `capabilities`.
SDK_SETTINGS = {
    "batch_config",
    "faker_config",
    "flattening_enabled",
    "flattening_max_depth",
    "flattening_max_key_length",
    "flattening_separator",
    "stream_map_config",
    "stream_maps",
    "add_record_metadata",
    "load_method",
    "batch_size_rows",
    "validate_records",
    "process_activate_version_messages",
}
KINDS = {"string", "integer", "decimal", "boolean", "array", "object", "options", "date_iso8601"}


def declared(kind: str, name: str) -> dict[str, dict]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    (plugin,) = [p for p in project["plugins"][kind] if p["name"] == name]
    return {setting["name"]: setting for setting in plugin["settings"]}


def about(executable: str) -> dict[str, dict]:
    result = subprocess.run(
        [str(BIN / executable), "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)["settings"]["properties"]


@pytest.mark.parametrize(("kind", "name"), [("extractors", "tap-odoo"), ("loaders", "target-odoo")])
def test_meltano_yml_declares_every_setting_with_a_description(kind: str, name: str) -> None:
    settings = declared(kind, name)
    properties = about(name)
    assert set(settings) == set(properties) - SDK_SETTINGS
    for setting_name, setting in settings.items():
        prop = properties[setting_name]
        assert setting.get("description"), setting_name
        assert setting["kind"] in KINDS, setting_name
        assert bool(setting.get("sensitive")) == bool(prop.get("secret")), setting_name
        if prop.get("enum"):
            assert [option["value"] for option in setting["options"]] == prop["enum"]


def test_tap_readme_settings_table_is_what_about_prints() -> None:
    result = subprocess.run(
        [str(BIN / "tap-odoo"), "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    readme = (ROOT / "tap-odoo" / "README.md").read_text()
    assert len(rows) > 30
    assert [row for row in rows if row not in readme] == []
