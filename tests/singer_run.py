"""Run the real `tap-odoo` command as a user would and read back its Singer messages."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class SingerOutput:
    """What one tap run wrote: records per stream, every STATE, stderr and the exit code."""

    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    states: list[dict] = field(default_factory=list)
    schemas: dict[str, dict] = field(default_factory=dict)
    stderr: str = ""
    stdout: str = ""
    returncode: int = 0

    @property
    def state(self) -> dict | None:
        """The last STATE message's value."""
        return self.states[-1] if self.states else None

    def ids(self, stream: str) -> list[int]:
        """Ids of the records emitted for one stream, in order."""
        return [record["id"] for record in self.records.get(stream, [])]


def parse_messages(text: str, output: SingerOutput) -> SingerOutput:
    """Fill `output` from Singer messages, one JSON object per line."""
    for line in text.splitlines():
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message["type"]
        if kind == "RECORD":
            output.records[message["stream"]].append(message["record"])
        elif kind == "STATE":
            output.states.append(message["value"])
        elif kind == "SCHEMA":
            output.schemas[message["stream"]] = message["schema"]
    return output


def write_json(directory: Path, name: str, value: object) -> Path:
    """Write a JSON file for a CLI argument."""
    path = directory / name
    path.write_text(json.dumps(value))
    return path


def tap_command(config: dict, directory: Path, catalog=None, state=None, *extra: str) -> list[str]:
    """The `tap-odoo` command line for these inputs, files written into `directory`."""
    command = [str(BIN / "tap-odoo"), "--config", str(write_json(directory, "config.json", config))]
    if catalog is not None:
        command += ["--catalog", str(write_json(directory, "catalog.json", catalog))]
    if state is not None:
        command += ["--state", str(write_json(directory, "state.json", state))]
    return command + list(extra)


def run_tap(
    config: dict, *, catalog: dict | None = None, state: dict | None = None, check: bool = True
) -> SingerOutput:
    """Run `tap-odoo` to completion and parse what it wrote."""
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory), catalog, state)
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    output = SingerOutput(stderr=result.stderr, stdout=result.stdout, returncode=result.returncode)
    if check and result.returncode != 0:
        msg = f"tap-odoo exited {result.returncode}:\n{result.stderr[-4000:]}"
        raise AssertionError(msg)
    return parse_messages(result.stdout, output) if result.returncode == 0 else output


def discover(config: dict) -> dict:
    """Run `tap-odoo --discover` and return the catalog."""
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory), None, None, "--discover")
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        msg = f"tap-odoo --discover exited {result.returncode}:\n{result.stderr[-4000:]}"
        raise AssertionError(msg)
    return json.loads(result.stdout)


def select_only(catalog: dict, streams: set[str]) -> dict:
    """Mark the named streams selected and every other stream deselected."""
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog
