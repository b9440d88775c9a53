"""Several target-odoo processes writing overlapping input into one Odoo at once (partitions of
one extraction, loaded side by side): a record that a lookup creates exists once.

Two processes each receive a bill from the vendor "ACME Concurrent Supplies", whom Odoo does not
know yet: each looks the vendor up, finds nothing and creates it. The sandbox holds both
`res.partner.create` calls (a "block_before" fault) until it has received the two, so both
processes are past their lookup before either creates: the race happens on every run, without
timing luck.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_tap_stop import wait_until
from test_target_cli import Odoo

from odoo_client import ConnectionSettings, OdooClient
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupRequest, LookupResolver
from target_odoo.mapping import load_mapping
from target_odoo.record_values import lookup_request

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
VENDOR = "ACME Concurrent Supplies"
BILL_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "vendorName": {"type": ["string", "null"]},
        "currency": {"type": ["string", "null"]},
        "issueDate": {"type": ["string", "null"], "format": "date"},
        "lineItems": {"type": ["array", "null"], "items": {"type": "object"}},
    },
}


def bills_input(path: Path, keys: list[str]) -> Path:
    """A Singer file with one bill per key, all from VENDOR."""
    lines = [{"type": "SCHEMA", "stream": "Bills", "schema": BILL_SCHEMA, "key_properties": ["id"]}]
    lines += [
        {
            "type": "RECORD",
            "stream": "Bills",
            "record": {
                "id": key,
                "vendorName": VENDOR,
                "currency": "EUR",
                "issueDate": "2026-03-01",
                "lineItems": [{"description": "Bolts", "quantity": 3, "unitPrice": 2.5}],
            },
        }
        for key in keys
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def start_target(sandbox, directory: Path, keys: list[str]) -> subprocess.Popen:
    """target-odoo on its own input, output to files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    config = {key: sandbox.settings[key] for key in ("url", "database", "username", "password")}
    config["results_path"] = str(directory / "results.jsonl")
    (directory / "config.json").write_text(json.dumps(config))
    singer = bills_input(directory / "in.singer", keys)
    command = [
        str(BIN / "target-odoo"),
        "--config",
        str(directory / "config.json"),
        "--input",
        str(singer),
    ]
    with (directory / "out.txt").open("wb") as out, (directory / "err.txt").open("wb") as err:
        return subprocess.Popen(command, stdout=out, stderr=err)


def finished(process: subprocess.Popen, directory: Path, secrets: list[str]) -> list[dict]:
    """Wait for the process; its outcomes. Fails on a non-zero exit or a secret in its output."""
    returncode = process.wait(timeout=120)
    printed = (directory / "out.txt").read_text() + (directory / "err.txt").read_text()
    assert not [secret for secret in secrets if secret in printed], "a secret was printed"
    assert returncode == 0, printed[-3000:]
    results = (directory / "results.jsonl").read_text().splitlines()
    return [json.loads(line) for line in results]


def test_two_targets_creating_the_same_vendor_make_one_partner(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    assert odoo("res.partner", "search_count", [["name", "=", VENDOR]]) == 0
    sandbox.faults.fail_next("block_before", count=2, when="res.partner.create")

    first = start_target(sandbox, tmp_path / "a", ["BILL-A1", "BILL-A2"])
    second = start_target(sandbox, tmp_path / "b", ["BILL-B1"])
    try:
        wait_until(
            lambda: (
                sandbox.stats.snapshot()["faults"].get("block_before", 0) == 2
                or first.poll() is not None
                or second.poll() is not None
            ),
            "both targets sent their res.partner.create",
        )
        assert first.poll() is None, "the first target ended before creating"
        assert second.poll() is None, "the second target ended before creating"
    finally:
        sandbox.faults.release()
    outcomes = finished(first, tmp_path / "a", sandbox.secrets)
    outcomes += finished(second, tmp_path / "b", sandbox.secrets)

    assert sorted((o["key"], o["status"]) for o in outcomes) == [
        ("BILL-A1", "created"),
        ("BILL-A2", "created"),
        ("BILL-B1", "created"),
    ]
    vendors = odoo(
        "res.partner", "search_read", [["name", "=", VENDOR]], fields=["id"],
        context={"active_test": False},
    )  # fmt: skip
    assert len(vendors) == 1, f"{len(vendors)} partners named {VENDOR!r}: {vendors}"
    bills = odoo(
        "account.move", "search_read", [["id", "in", [o["odoo_id"] for o in outcomes]]],
        fields=["partner_id"], load=False,
    )  # fmt: skip
    assert {bill["partner_id"] for bill in bills} == {vendors[0]["id"]}
    assert sandbox.stats.snapshot()["calls"]["res.partner.create"] == 2  # the race did happen
    claims = odoo(
        "ir.model.data", "search_read", [["module", "=", "singer_lookup"]],
        fields=["model", "res_id"],
    )  # fmt: skip
    assert [(c["model"], c["res_id"]) for c in claims] == [("res.partner", vendors[0]["id"])]
    logs = (tmp_path / "a" / "err.txt").read_text() + (tmp_path / "b" / "err.txt").read_text()
    assert "was created at the same moment by another run; using it and deleting ours" in logs


# The claim in one process, without the race: what a claim left by an earlier run does.


def vendor_lookup(sandbox) -> tuple[LookupResolver, Callable[[str], LookupRequest]]:
    """A resolver on its own connection, and requests for the Bills vendor lookup."""
    client = OdooClient(ConnectionSettings.from_config(sandbox.settings))
    client.authenticate()
    resolver = LookupResolver(client, ExternalIds(client, "singer"))
    rule = load_mapping().for_stream("Bills").lookups["partner_id"]

    def request(name: str) -> LookupRequest:
        made = lookup_request({"vendorName": name}, "partner_id", rule)
        assert made is not None
        return made

    return resolver, request


def resolved(resolver: LookupResolver, request: LookupRequest) -> LookupRequest:
    resolver.resolve([request])
    assert request.done
    assert request.error is None, request.error
    return request


def test_a_claim_held_by_an_archived_record_passes_to_the_new_one(make_sandbox):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    resolver, request = vendor_lookup(sandbox)
    first = resolved(resolver, request(VENDOR))
    assert first.created
    odoo("res.partner", "write", [first.result], {"active": False})

    again, request = vendor_lookup(sandbox)  # a later run: lookups see active partners only
    second = resolved(again, request(VENDOR))

    assert second.created
    assert second.result != first.result
    claim = odoo.one("ir.model.data", [["module", "=", "singer_lookup"]], ["res_id"])
    assert claim["res_id"] == second.result
    assert odoo("res.partner", "search_count", [["id", "=", first.result]]) == 0  # archived


def test_a_claim_held_by_a_deleted_record_passes_to_the_new_one(make_sandbox):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    resolver, request = vendor_lookup(sandbox)
    first = resolved(resolver, request(VENDOR))
    odoo("res.partner", "unlink", [first.result])

    again, request = vendor_lookup(sandbox)
    second = resolved(again, request(VENDOR))

    assert second.created
    claim = odoo.one("ir.model.data", [["module", "=", "singer_lookup"]], ["res_id"])
    assert claim["res_id"] == second.result


def test_a_record_renamed_in_odoo_still_stands_for_the_values_it_was_created_from(make_sandbox):
    """The name search finds nothing, but the claim names the record created for these values:
    it is used, and nothing is created."""
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    resolver, request = vendor_lookup(sandbox)
    first = resolved(resolver, request(VENDOR))
    odoo("res.partner", "write", [first.result], {"name": "ACME (renamed in Odoo)"})

    again, request = vendor_lookup(sandbox)
    second = resolved(again, request(VENDOR))

    assert second.result == first.result
    assert not second.created
    assert odoo("res.partner", "search_count", [["name", "=", VENDOR]]) == 0
    assert sandbox.stats.snapshot()["calls"]["res.partner.create"] == 1
