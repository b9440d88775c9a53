"""`tap-odoo | target-odoo`: partners and invoices of one sandbox copied into another, their
relations (parent company, invoice partner) mapped through the external ids the target wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_target_cli import Odoo

from target_odoo.mapping import default_mapping_document

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def connection(sandbox) -> dict:
    return {key: sandbox.settings[key] for key in ("url", "database", "username", "password")}


MODELS = ["res.partner", "account.move", "account.move.line"]


def copy(source, target, tmp_path: Path, run: int) -> list[dict]:
    """Pipe tap-odoo (source) into target-odoo (target); answer the target's outcomes."""
    tap_config = {**connection(source), "models": MODELS}
    mapping = default_mapping_document()
    # The sandbox seeds partners in languages its create() then refuses; not our subject here.
    mapping["passthrough"]["skip_fields"].append("res.partner.lang")
    results = tmp_path / f"results{run}.jsonl"
    # Default batch size: tap-odoo sends res_partner before the account streams that point at
    # it, so every batch finds the partners it refers to already written.
    target_config = {**connection(target), "mapping": mapping, "results_path": str(results)}
    (tmp_path / "tap.json").write_text(json.dumps(tap_config))
    (tmp_path / "target.json").write_text(json.dumps(target_config))
    command = (
        f"{BIN / 'tap-odoo'} --config {tmp_path / 'tap.json'} | "
        f"{BIN / 'target-odoo'} --config {tmp_path / 'target.json'}"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in results.read_text().splitlines()]


def copied_ids(target, model: str) -> dict[int, int]:
    """Source id -> target id, from the external ids the target wrote (res_partner_<source id>)."""
    rows = Odoo(target)(
        "ir.model.data",
        "search_read",
        [["module", "=", "singer"], ["model", "=", model]],
        fields=["name", "res_id"],
    )
    return {int(row["name"].rsplit("_", 1)[1]): row["res_id"] for row in rows}


def entry(odoo, move_id: int) -> dict:
    """What a copy must keep of a move: state, totals, and its lines by kind, with accounts by
    code (ids differ between databases)."""
    move = odoo.one(
        "account.move",
        [["id", "=", move_id]],
        ["state", "amount_untaxed", "amount_tax", "amount_total"],
    )
    lines = odoo(
        "account.move.line",
        "search_read",
        [["move_id", "=", move_id]],
        load=False,
        fields=["display_type", "quantity", "price_unit", "account_id", "debit", "credit"],
    )
    codes = {
        row["id"]: row["code"]
        for row in odoo(
            "account.account",
            "read",
            sorted({line["account_id"] for line in lines if line["account_id"]}),
            fields=["code"],
        )
    }
    product = sorted(
        (line["quantity"], line["price_unit"], codes.get(line["account_id"]))
        for line in lines
        if line["display_type"] == "product"
    )
    balance = (sum(line["debit"] for line in lines), sum(line["credit"] for line in lines))
    del move["id"]
    return {**move, "product_lines": product, "balanced": round(balance[0] - balance[1], 2) == 0}


def assert_same_entries(src, dst, copies: dict[int, int]) -> None:
    posted = 0
    for source_id, target_id in copies.items():
        expected = entry(src, source_id)
        assert expected["product_lines"]
        assert entry(dst, target_id) == expected, source_id
        posted += expected["state"] == "posted"
    assert posted  # the sandbox seeds posted and draft moves


def test_partners_and_moves_are_copied_with_their_relations(make_sandbox, tmp_path):
    source, target = make_sandbox(odoo_version=17), make_sandbox(odoo_version=17, seed=7)
    src, dst = Odoo(source), Odoo(target)

    outcomes = copy(source, target, tmp_path, 0)

    partners = src(
        "res.partner",
        "search_read",
        [],
        fields=["name", "email", "parent_id"],
        load=False,
        context={"active_test": False},
    )
    moves = src(
        "account.move",
        "search_read",
        [],
        load=False,
        fields=["move_type", "partner_id", "invoice_date", "ref", "currency_id"],
    )
    lines = src("account.move.line", "search_read", [], load=False, fields=["display_type"])
    computed = [line for line in lines if line["display_type"] in ("tax", "payment_term")]
    assert computed
    assert {(o["stream"], o["status"]) for o in outcomes} == {
        ("res_partner", "created"),
        ("account_move", "created"),
        ("account_move_line", "created"),
        ("account_move_line", "unchanged"),  # tax and receivable/payable lines: Odoo's own
    }
    assert len(outcomes) == len(partners) + len(moves) + len(lines)
    skipped = [
        o for o in outcomes if o["stream"] == "account_move_line" and o["status"] != "created"
    ]
    assert sorted(int(o["key"]) for o in skipped) == sorted(line["id"] for line in computed)

    target_of = {model: copied_ids(target, model) for model in ("res.partner", "account.move")}
    partner_copy = target_of["res.partner"]
    source_of = {dst_id: src_id for src_id, dst_id in partner_copy.items()}
    children = [p for p in partners if p["parent_id"]]
    assert children
    for child in children:
        row = dst.one(
            "res.partner",
            [["id", "=", partner_copy[child["id"]]]],
            ["name", "email", "parent_id"],
        )
        assert (row["name"], row["email"]) == (child["name"], child["email"])
        assert source_of[row["parent_id"]] == child["parent_id"]
    for move in moves:
        row = dst.one(
            "account.move",
            [["id", "=", target_of["account.move"][move["id"]]]],
            ["move_type", "partner_id", "invoice_date", "ref", "currency_id"],
        )
        expected = {
            **move,
            "id": row["id"],
            "partner_id": partner_copy[move["partner_id"]] if move["partner_id"] else False,
        }
        assert row == expected
    assert_same_entries(src, dst, target_of["account.move"])

    again = copy(source, target, tmp_path, 1)
    assert {o["status"] for o in again} == {"unchanged"}
