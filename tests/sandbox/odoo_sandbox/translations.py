"""Translated fields (`translate: true` in fields_get, such as a product's name): one value per
language.

Odoo 16+ stores them as `{"en_US": ..., "fr_FR": ...}` and reads the value of the context's `lang`,
falling back to en_US. The sandbox keeps the en_US value in the model's column and the other
languages here; reading with another `lang` takes its translation where there is one. Writing with
another `lang` sets that language's value only; creating sets the value for every language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import Field, Model
from .storage import chunks

if TYPE_CHECKING:
    from .env import Env
    from .storage import Storage

TABLE = "_translations"
SOURCE_LANG = "en_US"


def ensure_table(storage: Storage) -> None:
    """Create the table of translations (if missing)."""
    storage.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (model TEXT NOT NULL, field TEXT NOT NULL, "
        "res_id INTEGER NOT NULL, lang TEXT NOT NULL, value TEXT, "
        "PRIMARY KEY (model, field, lang, res_id)) WITHOUT ROWID"
    )


def is_translated(fld: Field) -> bool:
    return bool(fld.attrs.get("translate")) and fld.type in ("char", "text", "html")


def target_lang(env: Env) -> str | None:
    """The context's language when it is not the source language, else None."""
    lang = env.context.get("lang")
    return lang if isinstance(lang, str) and lang and lang != SOURCE_LANG else None


def overlay(
    storage: Storage, model: Model, fld: Field, ids: list[int], values: list, lang: str
) -> list:
    """`values` (of `ids`, in order) with the translations into `lang` put in."""
    found: dict[int, str] = {}
    for part in chunks(ids):
        rows = storage.execute(
            f"SELECT res_id, value FROM {TABLE} WHERE model = ? AND field = ? AND lang = ? "
            f"AND res_id IN ({', '.join('?' * len(part))})",
            [model.name, fld.name, lang, *part],
        )
        found.update(rows.fetchall())
    if not found:
        return values
    return [found.get(i, v) or v for i, v in zip(ids, values, strict=True)]


def pop_values(env: Env, model: Model, vals: dict) -> dict[str, Any]:
    """Take the translated values out of `vals` when writing in another language."""
    if target_lang(env) is None:
        return {}
    names = [name for name in vals if name in model.fields and is_translated(model.fields[name])]
    return {name: vals.pop(name) for name in names}


def write_values(storage: Storage, env: Env, model: Model, ids: list[int], values: dict) -> None:
    """Set the translations of `values` into the context's language."""
    lang = target_lang(env)
    if not values or lang is None:
        return
    set_rows(
        storage,
        [
            (model.name, name, rid, lang, None if value is False else str(value))
            for name, value in values.items()
            for rid in ids
        ],
    )


def set_rows(storage: Storage, rows: list[tuple[str, str, int, str, str | None]]) -> None:
    """Store (model, field, res_id, lang, value) rows."""
    storage.conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE} (model, field, res_id, lang, value) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )
