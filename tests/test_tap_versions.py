"""The README's "By hand" flow on Odoo 16, 17, 18 and 19: `tap-odoo --discover > catalog.json`,
then a sync of that whole default catalog, completes (exit 0) with exactly the sandbox's rows.

What each version brings that broke real runs: models ir.model lists whose every read fails
(unreadable_models.json: left out at discovery, each named once), and narrowed search_read
overrides (16's account.move.line, project.tags: read without `load`, many2one ids exact).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from singer_run import BIN, SingerOutput, parse_messages, write_json
from test_tap_sync_values import readable_models, stream_of, truth_rows

from odoo_sandbox.unreadable import unreadable_models

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VERSIONS = (16, 17, 18, 19)


@pytest.fixture(params=VERSIONS, ids=[f"odoo{v}" for v in VERSIONS])
def versioned(request):
    """The shared sandbox of each version."""
    name = "sandbox" if request.param == 17 else f"sandbox{request.param}"
    return request.getfixturevalue(name)


def admin(sandbox, model: str, method: str, args: list, fields: list[str]) -> list[dict]:
    engine = sandbox.engine
    return engine.execute(engine.users["admin"]["uid"], model, method, args, {"fields": fields})


def by_hand(sandbox, directory: Path) -> tuple[dict, SingerOutput, str]:
    """`tap-odoo --discover`, then `tap-odoo --catalog` with what it wrote."""
    secret = "api_key" if sandbox.odoo_version >= 19 else "password"
    config = {key: sandbox.settings[key] for key in ("url", "database", "username")}
    config_path = write_json(
        directory, "config.json", {**config, "password": sandbox.settings[secret]}
    )
    tap = str(BIN / "tap-odoo")
    discovered = subprocess.run(
        [tap, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert discovered.returncode == 0, discovered.stderr[-3000:]
    catalog_path = directory / "catalog.json"
    catalog_path.write_text(discovered.stdout)
    synced = subprocess.run(
        [tap, "--config", str(config_path), "--catalog", str(catalog_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = SingerOutput(stdout=synced.stdout, stderr=synced.stderr, returncode=synced.returncode)
    assert synced.returncode == 0, synced.stderr[-3000:]
    return json.loads(discovered.stdout), parse_messages(synced.stdout, output), discovered.stderr


def test_the_default_catalog_syncs_whole_with_exact_rows(versioned, tmp_path: Path) -> None:
    sandbox = versioned
    catalog, output, discovery_log = by_hand(sandbox, tmp_path)
    models = readable_models(sandbox)
    streams = {entry["stream"] for entry in catalog["streams"]}
    assert streams == {stream_of(model) for model in models}

    fields = ["model", "abstract"] if sandbox.odoo_version >= 19 else ["model"]
    rows = admin(sandbox, "ir.model", "search_read", [[]], fields)
    listed = {row["model"] for row in rows if not row.get("abstract")}  # 19 says which are
    # As recorded on real 16 to 19 (those of apps the sandbox has).
    unreadable = set(unreadable_models(sandbox.odoo_version)) & listed
    assert unreadable, "every version has models ir.model lists and no read serves"
    (warning,) = [line for line in discovery_log.splitlines() if "fails to read" in line]
    for model in unreadable:
        assert f"{model} (search: " in warning

    for model in models:
        emitted = [r["id"] for r in output.records.get(stream_of(model), [])]
        assert len(emitted) == len(set(emitted)), model
        assert set(emitted) == set(truth_rows(sandbox, model, ["id"])), model


def test_journal_items_of_odoo16_read_through_the_narrowed_search_read(sandbox16, tmp_path):
    _, output, _ = by_hand(sandbox16, tmp_path)
    assert "account.move.line.search_read does not take the keyword 'load'" in output.stderr
    fields = ["account_id", "move_id", "partner_id", "debit", "credit", "date"]
    truth = truth_rows(sandbox16, "account.move.line", fields)
    rows = {r["id"]: r for r in output.records["account_move_line"]}
    assert rows.keys() == truth.keys()
    for row_id, expected in truth.items():
        for name in fields:
            value = expected[name]
            assert rows[row_id][name] == (None if value is False else value), (row_id, name)
