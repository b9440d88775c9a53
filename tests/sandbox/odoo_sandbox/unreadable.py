"""Models that ir.model lists and access rules let the admin read, but that fail when searched or
read, per Odoo version: a model with no table, or a `_search` that refuses by design.

Which models fail on which version, and the error each raises, are recorded from real Odoo 16 to
19 databases in recordings/unreadable_models.json (a copy of ../shared/unreadable_models.json).
What the recording does not say comes from Odoo's source of that version:

- publisher_warranty.contract (mail/models/update.py), res.users.apikeys.show
  (base/models/res_users.py), account.move.send (18: account/models/account_move_send.py),
  calendar.alarm_manager (calendar/models/calendar_alarm_manager.py) are AbstractModels: no table,
  so every search and every read of ids is PostgreSQL's UndefinedTable; `fields_get` answers
  their few declared fields (none, or `id` and `key` for the API key) and no magic fields; 19's
  ir.model says `abstract: true` for them.
- account.root and account.code.mapping (18, 19: `_auto = False`, `_table_query = '0'`) raise
  from `_search` unless the domain names ids or accounts (18.0 code raises UserError for
  account.root, the recorded 18 database NotImplementedError; the recording wins). `search_count`,
  `search`, `search_read` and `name_search` fail; `read` of ids is no search and is left alone.
- hr.employee.skill.history.report (19, hr_skills: a `BaseModel` over an SQL view without an `id`
  column): `SELECT COUNT(*)` works, anything selecting `id` (search, search_read, read) fails.
- Access: the ir.model.access rows of each model's module (group -> operations); the recording
  says the admin may read every one of them.

The error text is the recorded one for every failing call (the recording cut PostgreSQL's "LINE 1"
to the query of `search_count`; a real `search_read` quotes its own query there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .exceptions import OdooServerException

RECORDING = Path(__file__).parent / "recordings" / "unreadable_models.json"
SEARCHES = frozenset({"search", "search_count", "search_read", "name_search"})
TABLELESS = SEARCHES | {"read"}
SELECTS_ID = frozenset({"search", "search_read", "name_search", "read"})
ACCOUNT_READERS = {"account.group_account_readonly": "r", "account.group_account_manager": "r"}


@dataclass(frozen=True)
class Unreadable:
    """How one model fails on one version."""

    model: str
    description: str
    error_name: str  # e.g. "psycopg2.errors.UndefinedTable"
    message: str
    fails: frozenset[str]  # ORM methods that raise it (read only when given ids)
    abstract: bool  # an AbstractModel: no magic fields, ir.model.abstract on 19
    access: dict[str, str]  # group ("" = everyone) -> operations, "r", "w", "c", "u"

    def error(self) -> OdooServerException:
        """The exception a failing call raises."""
        return OdooServerException(self.error_name, self.message)


# model -> (its _description, the calls that fail, whether it is an AbstractModel)
SOURCE_FACTS: dict[str, tuple[str, frozenset[str], bool]] = {
    "publisher_warranty.contract": ("Publisher Warranty Contract", TABLELESS, True),
    "res.users.apikeys.show": ("Show API Key", TABLELESS, True),
    "account.move.send": ("Account Move Send", TABLELESS, True),
    "calendar.alarm_manager": ("Event Alarm Manager", TABLELESS, True),
    "account.root": ("Account codes first 2 digits", SEARCHES, False),
    "account.code.mapping": ("Mapping of account codes per company", SEARCHES, False),
    "hr.employee.skill.history.report": ("Employee Skills Report", SELECTS_ID, True),
}


def access_rows(model: str, version: int) -> dict[str, str]:
    """ir.model.access of `model` on `version` (group -> operations)."""
    rows = {
        # mail/security/ir.model.access.csv: no group on 16, base.group_system from 17
        "publisher_warranty.contract": {"" if version < 17 else "base.group_system": "rwcu"},
        # base/security/ir.model.access.csv: employees read and create
        "res.users.apikeys.show": {"base.group_user": "rc"},
        # calendar/security/ir.model.access.csv
        "calendar.alarm_manager": {"base.group_user": "rwcu"},
        "account.root": ACCOUNT_READERS,
        "account.code.mapping": {
            "account.group_account_readonly": "r",
            "account.group_account_manager": "rw",
        },
    }
    # account.move.send (18) and the hr_skills report: no row found; the admin reads (recorded)
    return rows.get(model, {"base.group_system": "r"})


def field_specs(model: str) -> list[tuple[str, str, str, dict]]:
    """(name, type, string, extra attributes) of the fields a model declares in its source
    (a non-abstract model also has the magic `id` and `display_name`)."""
    computed = {"store": False, "readonly": True, "searchable": False, "sortable": False}
    specs: dict[str, list[tuple[str, str, str, dict]]] = {
        "res.users.apikeys.show": [
            ("id", "integer", "ID", {"readonly": True}),
            ("key", "char", "Key", {"readonly": True}),
        ],
        "account.root": [
            ("name", "char", "Name", computed),
            ("parent_id", "many2one", "Parent", {**computed, "relation": "account.root"}),
        ],
        "account.code.mapping": [
            (
                "account_id",
                "many2one",
                "Account",
                {**computed, "searchable": True, "relation": "account.account"},
            ),
            ("company_id", "many2one", "Company", {**computed, "relation": "res.company"}),
            ("code", "char", "Code", {**computed, "readonly": False}),
        ],
        "hr.employee.skill.history.report": [
            ("employee_id", "many2one", "Employee", {"readonly": True, "relation": "hr.employee"}),
            ("date", "date", "Date", {}),
            ("skill_id", "many2one", "Skill", {"readonly": True, "relation": "hr.skill"}),
            (
                "skill_type_id",
                "many2one",
                "Skill Type",
                {"readonly": True, "relation": "hr.skill.type"},
            ),
            ("level_progress", "float", "Level Progress", {"readonly": True}),
        ],
    }
    return specs.get(model, [])


@cache
def _recorded() -> dict[str, dict[str, str]]:
    with open(RECORDING, encoding="utf-8") as fh:
        return json.load(fh)["unreadable_models"]


def unreadable_models(version: int) -> dict[str, Unreadable]:
    """The models that fail on `version`, as recorded."""
    out = {}
    for model, text in _recorded().get(f"ODOO{version}", {}).items():
        name, _, message = text.partition(": ")
        description, fails, abstract = SOURCE_FACTS[model]
        out[model] = Unreadable(
            model, description, name, message, fails, abstract, access_rows(model, version)
        )
    return out


def allowed(broken: Unreadable, groups: set[str] | None, operation: str) -> bool:
    """Whether a user with `groups` (None: every group, the admin) may do `operation`."""
    letter = {"read": "r", "write": "w", "create": "c", "unlink": "u"}[operation]
    return any(
        letter in ops
        for group, ops in broken.access.items()
        if groups is None or not group or group in groups
    )
