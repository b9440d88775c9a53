"""SQLite storage: one table per model, one column per stored field, one table per many2many.

The engine serializes access with one lock; SQLite runs in autocommit-free mode and each engine call
commits once, so every row written by one call shares that call's transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence

from .registry import Model

# Many2one columns worth an index (dotted domains, one2many reads, joins of the generator's data).
INDEXED_M2O = {
    "parent_id",
    "partner_id",
    "country_id",
    "move_id",
    "order_id",
    "product_id",
    "product_tmpl_id",
    "commercial_partner_id",
    "journal_id",
    "model_id",
    "user_id",
}
INDEXED_COLUMNS = {"write_date", "sequence_prefix"}
# Columns Odoo indexes (index=True) where the generated data is large: lookups by name, reference
# or tax id, and the default order (complete_name) stay index searches at 1,000,000 partners.
INDEXED_BY_MODEL = {"res.partner": {"name", "complete_name", "ref", "vat", "company_id"}}
# Orders that are not index-friendly in SQLite: booleans sort as COALESCE(...), many2one as their
# comodel's name.
UNORDERED_TYPES = {"boolean", "many2one"}
CHUNK = 900


def quote(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def indexed_columns(model: Model) -> set[str]:
    """The columns of `model` with an index (besides id): write_date, the linking many2one
    columns, the leading column of the model's default order and a few columns Odoo indexes."""
    wanted = INDEXED_COLUMNS | INDEXED_BY_MODEL.get(model.name, set())
    leading = model.fields.get(model.order.split(",")[0].split()[0].strip('"'))
    if leading is not None and leading.name != "id" and leading.type not in UNORDERED_TYPES:
        wanted = wanted | {leading.name}
    return {
        fname
        for fname in model.columns
        if fname in wanted or (model.fields[fname].type == "many2one" and fname in INDEXED_M2O)
    }


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """Slices of `values` small enough for one SQL IN (...) list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Storage:
    """An SQLite database holding the rows of every model."""

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.lock = threading.RLock()
        self.conn.execute("PRAGMA case_sensitive_like = ON")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -200000")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        if path:
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA mmap_size = 1073741824")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS _sandbox_meta (key TEXT PRIMARY KEY, value TEXT)"
        )

    # ---- schema -------------------------------------------------------------------------------
    def has_table(self, table: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return row is not None

    def create_model(self, model: Model) -> None:
        """Create the table and many2many tables of a model (if missing)."""
        cols = ["id INTEGER PRIMARY KEY AUTOINCREMENT"]
        for fname in model.columns:
            if fname != "id":
                cols.append(f"{quote(fname)} {model.fields[fname].sql_type}")
        cols += [f"{quote(fname)} {fld.sql_type}" for fname, fld in model.shadow.items()]
        table = quote(model.table)
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})")
        for field in model.fields.values():
            if field.type == "many2many" and field.store:
                rel = quote(model.m2m_table(field.name))
                self.conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {rel} "
                    "(id1 INTEGER NOT NULL, id2 INTEGER NOT NULL, PRIMARY KEY (id1, id2)) "
                    "WITHOUT ROWID"
                )

    def create_indexes(self, model: Model) -> None:
        """Indexes on `indexed_columns(model)` and many2many reverse keys (created after a bulk
        load, which is faster than maintaining them during it)."""
        table = quote(model.table)
        for fname in sorted(indexed_columns(model)):
            self.conn.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(f'{model.table}__{fname}')} "
                f"ON {table} ({quote(fname)})"
            )
        for field in model.fields.values():
            if field.type == "many2many" and field.store:
                rel = model.m2m_table(field.name)
                self.conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {quote(rel + '__id2')} ON {quote(rel)} (id2)"
                )

    # ---- meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM _sandbox_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO _sandbox_meta (key, value) VALUES (?, ?)", (key, value)
        )

    # ---- rows ---------------------------------------------------------------------------------
    def insert(self, table: str, row: dict) -> int:
        cols = list(row)
        if not cols:
            cur = self.conn.execute(f"INSERT INTO {quote(table)} DEFAULT VALUES")
            return cur.lastrowid
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"VALUES ({', '.join('?' * len(cols))})"
        )
        cur = self.conn.execute(sql, [row[c] for c in cols])
        return cur.lastrowid

    def insert_many(self, table: str, cols: list[str], rows: Iterable[Sequence]) -> None:
        """Bulk insert (the generator's fast path)."""
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"VALUES ({', '.join('?' * len(cols))})"
        )
        self.conn.executemany(sql, rows)

    def update(self, table: str, ids: Sequence[int], values: dict) -> None:
        if not values or not ids:
            return
        cols = list(values)
        assign = ", ".join(f"{quote(c)} = ?" for c in cols)
        params = [values[c] for c in cols]
        for part in chunks(list(ids)):
            self.conn.execute(
                f"UPDATE {quote(table)} SET {assign} WHERE id IN ({', '.join('?' * len(part))})",
                [*params, *part],
            )

    def delete(self, table: str, ids: Sequence[int], column: str = "id") -> None:
        for part in chunks(list(ids)):
            marks = ", ".join("?" * len(part))
            self.conn.execute(
                f"DELETE FROM {quote(table)} WHERE {quote(column)} IN ({marks})", list(part)
            )

    def existing_ids(self, table: str, ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for part in chunks(list(ids)):
            rows = self.conn.execute(
                f"SELECT id FROM {quote(table)} WHERE id IN ({', '.join('?' * len(part))})",
                list(part),
            )
            found.update(r[0] for r in rows)
        return found

    def select_by_ids(self, table: str, columns: list[str], ids: Sequence[int]) -> list[tuple]:
        """Rows (id first, then `columns`) of the given ids, in no particular order."""
        out: list[tuple] = []
        select = ", ".join(["id", *map(quote, columns)])
        for part in chunks(list(ids)):
            out.extend(
                self.conn.execute(
                    f"SELECT {select} FROM {quote(table)} "
                    f"WHERE id IN ({', '.join('?' * len(part))})",
                    list(part),
                )
            )
        return out

    def pairs(self, sql_template: str, keys: Sequence[int]) -> list[tuple]:
        """Run a query with one `{in}` placeholder over chunks of keys."""
        out: list[tuple] = []
        for part in chunks(list(keys)):
            out.extend(
                self.conn.execute(sql_template.format(**{"in": ", ".join("?" * len(part))}), part)
            )
        return out

    def execute(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
