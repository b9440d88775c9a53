"""Rows describing the schema (ir.model, ir.model.fields) and the synthetic benchmark models."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .bulk import ANCHOR, insert_rows, magic
from .storage import quote
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine

# ---- synthetic benchmark models (x_bench.model_<i>): a few rows each ----
BENCH_VALUES = {
    "char": lambda i: f"value {i}",
    "text": lambda i: f"Some longer text {i}",
    "integer": lambda i: i * 7,
    "float": lambda i: i * 1.5,
    "monetary": lambda i: i * 10.25,
    "boolean": lambda i: i % 2,
    "date": lambda i: f"2025-0{i % 9 + 1}-1{i % 9}",
    "datetime": lambda i: f"2025-0{i % 9 + 1}-1{i % 9} 10:00:00.000000",
    "selection": lambda i: "ab"[i % 2],
    "many2one": lambda i: 8 + i,
}


def ensure_bench_rows(engine: Engine, rows_per_model: int = 5) -> None:
    """Give every synthetic benchmark model a few rows (kept when the database is reused)."""
    stamp = db_timestamp(ANCHOR - timedelta(days=30))
    for model in engine.models.values():
        if not model.name.startswith("x_bench."):
            continue
        if engine.storage.execute(f"SELECT 1 FROM {quote(model.table)} LIMIT 1").fetchone():
            continue
        rows = []
        for i in range(1, rows_per_model + 1):
            row = {"name": f"{model.name} #{i}", "currency_id": 2, **magic(stamp)}
            for fname, fld in model.fields.items():
                if fname.startswith("x_") and fld.type in BENCH_VALUES:
                    row[fname] = BENCH_VALUES[fld.type](i)
            rows.append(row)
        insert_rows(engine, model.name, rows)


# ---- ir.model / ir.model.fields (rebuilt at every start: extra_models may differ) ----
def write_ir_model(engine: Engine) -> None:
    """Rows of ir.model and ir.model.fields consistent with the registry's fields_get."""
    storage = engine.storage
    stamp = db_timestamp(ANCHOR - timedelta(days=366))
    storage.execute("DELETE FROM ir_model")
    storage.execute("DELETE FROM ir_model_fields")
    ir_model = engine.models["ir.model"]
    model_rows, field_rows = [], []
    field_id = 1
    for model in sorted(engine.models.values(), key=lambda m: m.ir_id):
        row = {
            "id": model.ir_id,
            "model": model.name,
            "name": model.description,
            "transient": model.transient,
            "abstract": model.abstract,
            "info": f"{model.description} ({model.name})",
            "state": "manual" if model.name.startswith("x_") else "base",
            "order": model.order,
            **magic(stamp),
        }
        model_rows.append(row)
        for fname, fld in model.fields.items():
            attrs = fld.attrs
            field_rows.append(
                {
                    "id": field_id,
                    "name": fname,
                    "model": model.name,
                    "model_id": model.ir_id,
                    "field_description": attrs.get("string", fname),
                    "ttype": fld.type,
                    "relation": fld.relation,
                    "relation_field": fld.relation_field,
                    "required": bool(attrs.get("required")),
                    "readonly": bool(attrs.get("readonly")),
                    "store": bool(attrs.get("store")),
                    "index": False,
                    "related": fld.related,
                    "compute": None,
                    "state": "manual" if fname.startswith("x_") else "base",
                    "help": attrs.get("help"),
                    "translate": bool(attrs.get("translate")),
                    "groups": None,
                    "selectable": True,
                    "copied": not attrs.get("readonly"),
                    "sanitize": False,
                    "on_delete": "set null" if fld.type == "many2one" else None,
                    "column1": None,
                    "column2": None,
                    "complete_name": f"{model.name}.{fname}",
                    "selection": json.dumps(attrs.get("selection"))
                    if isinstance(attrs.get("selection"), list)
                    else None,
                    **magic(stamp),
                }
            )
            field_id += 1
    _insert_known(engine, ir_model.name, model_rows)
    _insert_known(engine, "ir.model.fields", field_rows)


def _insert_known(engine: Engine, model: str, rows: list[dict[str, Any]]) -> None:
    """Insert only the keys that are columns of the model in this version."""
    mdl = engine.models[model]
    if not rows:
        return
    cols = [c for c in rows[0] if c in mdl.fields and mdl.fields[c].is_column]
    values = []
    for r in rows:
        values.append([_column_value(mdl.fields[c].type, r.get(c)) for c in cols])
    engine.storage.insert_many(mdl.table, cols, values)


def _column_value(ftype: str, value: Any) -> Any:
    if ftype == "boolean":
        return 1 if value else 0
    if ftype == "many2one" and isinstance(value, str):
        return None
    return value
