"""The README's rights tables ("The Odoo user to connect as") are true: every row whose group the
recorded least-privilege integration user has is allowed to it, every other row is refused with
Odoo naming that group; on the sandbox's copy of that user and on the recorded answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from odoo_sandbox import OdooServerException
from target_odoo.rights import group_label, groups_named

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests/recordings/odoo17/least_privilege.json").read_text())
# The recorded user's groups, as the README names them.
HELD = {
    "Internal User",
    "Contact Creation",
    "Invoicing: Billing",
    "Purchase: User",
    "Sales: User: All Documents",
    "Inventory: User",
}


def rows(table: str) -> list[tuple[list[str], list[str], str]]:
    """(models, operations, group) of each row of the README table after `**<table>**`."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"**{table}**")
    found = []
    for line in text[start:].splitlines()[1:]:
        if found and not line.startswith("|"):
            break
        if not line.startswith("|") or line.startswith(("| ---", "| streams")):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        models = re.findall(r"`([a-z_.]+)`", cells[1])
        operations = [op.strip() for op in cells[2].split(",")]
        group = cells[3].split(" (")[0]
        found.append((models, operations, group))
    return found


ALL_ROWS = [("Reading", *row) for row in rows("Reading")] + [
    ("Writing", *row) for row in rows("Writing")
]


def test_the_tables_are_there():
    assert len(rows("Reading")) == 5
    assert len(rows("Writing")) == 8
    assert {group for *_, group in ALL_ROWS} >= {"Contact Creation", "Access Rights"}


def _names(group: str, listed: list[str]) -> bool:
    return any(group_label(g) == group or g.rsplit("/", 1)[-1] == group for g in listed)


@pytest.mark.parametrize(("table", "models", "operations", "group"), ALL_ROWS)
def test_each_row_holds_for_the_integration_user(sandbox, table, models, operations, group):
    engine = sandbox.engine
    uid = engine.users["integration"]["uid"]
    for model in [model for model in models if model in engine.models]:
        allowed = {
            operation: engine.execute(
                uid, model, "check_access_rights", [operation], {"raise_exception": False}
            )
            for operation in operations
        }
        if group in HELD:
            assert all(answer is True for answer in allowed.values()), (model, allowed)
            continue
        refused = [operation for operation, answer in allowed.items() if not answer]
        assert refused, (model, allowed)  # a group it lacks: something is refused
        for operation in refused:  # ... and Odoo names the group that would allow it
            with pytest.raises(OdooServerException) as error:
                engine.execute(uid, model, "check_access_rights", [operation], {})
            assert _names(group, groups_named(error.value.message)), error.value.message


@pytest.mark.parametrize(("table", "models", "operations", "group"), ALL_ROWS)
def test_each_row_agrees_with_the_recorded_answers(table, models, operations, group):
    for operation in ("read", "create"):
        recorded = RECORDED[f"check_access_rights.{operation}"]
        for model in models:
            if operation in operations and recorded.get(model) is not None:
                assert recorded[model] is (group in HELD), (model, operation)
