"""Company-dependent fields: one value per record and company (cost, credit limit, accounts).

Odoo keeps them in `ir.property` up to 17 (`store: false` in fields_get) and in a column per field
from 18 (`store: true`, see `registry.COMPANY_DEPENDENT_STORED_SINCE`); on every version the value
read is the one of the company the call runs in: the first of `allowed_company_ids` in the
context, else the user's current company. A record without a value of its own for that company
reads the company's default (a row with res_id 0), else the field's empty value. The sandbox keeps
every version's values in one table, so only fields_get differs between versions.

Writing a company-dependent field is a `write` on the record: its `write_date` moves, as Odoo's
`write` stamps every record it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .env import Env
from .registry import Field, Model
from .storage import chunks
from .values import convert_column, empty_value, to_column

if TYPE_CHECKING:
    from .orm import Orm
    from .storage import Storage

TABLE = "_company_values"
DEFAULT_RECORD = 0  # res_id of a company's default value (ir.property without res_id)


def ensure_table(storage: Storage) -> None:
    """Create the table of company-dependent values (if missing)."""
    storage.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (model TEXT NOT NULL, field TEXT NOT NULL, "
        "res_id INTEGER NOT NULL, company_id INTEGER NOT NULL, value, "
        "PRIMARY KEY (model, field, company_id, res_id)) WITHOUT ROWID"
    )


def env_companies(orm: Orm, env: Env) -> list[int]:
    """The companies a call runs in: `allowed_company_ids`, else the user's current company."""
    allowed = env.context.get("allowed_company_ids")
    if isinstance(allowed, (list, tuple)):
        ids = [c for c in allowed if isinstance(c, int) and not isinstance(c, bool)]
        if ids:
            return ids
    row = orm.storage.execute("SELECT company_id FROM res_users WHERE id = ?", (env.uid,))
    found = row.fetchone()
    return [found[0] if found and found[0] else 1]


def read_values(
    orm: Orm, env: Env, model: Model, fld: Field, ids: list[int], classic: bool
) -> dict[int, Any]:
    """The values of one company-dependent field for the call's company, as `read` answers."""
    company = env_companies(orm, env)[0]
    found: dict[int, Any] = {}
    for part in chunks([DEFAULT_RECORD, *ids]):
        marks = ", ".join("?" * len(part))
        rows = orm.storage.execute(
            f"SELECT res_id, value FROM {TABLE} WHERE model = ? AND field = ? AND company_id = ? "
            f"AND res_id IN ({marks})",
            [model.name, fld.name, company, *part],
        )
        found.update(rows.fetchall())
    default = found.get(DEFAULT_RECORD)
    raw = [found.get(i, default) for i in ids]
    if fld.type == "many2one":
        values: list = [v or False for v in raw]
        if classic:
            comodel = orm.models.get(fld.relation or "")
            names = orm.display_names(env, comodel, {v for v in values if v})
            values = [[v, names.get(v, "")] if v else False for v in values]
    elif all(v is None for v in raw):
        empty = empty_value(fld)
        values = [empty] * len(ids)
    else:
        values = convert_column(fld, raw, False)
    return dict(zip(ids, values, strict=True))


def pop_values(model: Model, vals: dict) -> dict[str, Any]:
    """Take the company-dependent values out of `vals` (they are not columns)."""
    names = [name for name in vals if name in model.fields and model.fields[name].company_dependent]
    return {name: vals.pop(name) for name in names}


def write_values(
    orm: Orm, env: Env, model: Model, ids: Iterable[int], values: dict[str, Any]
) -> None:
    """Set company-dependent values of records for the call's company."""
    if not values:
        return
    company = env_companies(orm, env)[0]
    rows = [
        (model.name, name, rid, company, to_column(model, model.fields[name], value))
        for name, value in values.items()
        for rid in ids
    ]
    set_rows(orm.storage, rows)


def set_rows(storage: Storage, rows: Iterable[tuple[str, str, int, int, Any]]) -> None:
    """Store (model, field, res_id, company_id, column value) rows; res_id 0 is the default."""
    storage.conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE} (model, field, res_id, company_id, value) "
        "VALUES (?, ?, ?, ?, ?)",
        list(rows),
    )
