"""The ORM core: search, create, write, unlink over the SQLite storage, as Odoo does them.

`Orm` works on model definitions and ids; `Env` carries who calls and with which context. Reading
lives in `reading`, x2many commands and stored related fields in `relations`; business rules
(totals, sequences, constraints) plug in through `business`.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from . import business, company_values, translations
from .domain import DomainCompiler
from .env import Env, missing_error
from .exceptions import VALUE_ERROR, OdooServerException
from .reading import Reader
from .registry import Model
from .relations import Relations
from .storage import Storage, chunks, indexed_columns, quote
from .values import invalid_field, to_column

if TYPE_CHECKING:
    from .security import Security

ORDER_RE = re.compile(
    r"^(\s*([a-z0-9:_]+|\"[a-z0-9:_]+\")(\.id)?(\s+(desc|asc))?(\s+(nulls)\s+(first|last))?\s*(,|$))+(?<!,)$",
    re.I,
)

# Operators that compile to subqueries (which may use indexes of their own).
SUBQUERY_OPERATORS = {"child_of", "parent_of", "any", "not any"}


class Orm(Reader, Relations):
    """Data operations on every model of one sandbox database."""

    def __init__(
        self, models: dict[str, Model], storage: Storage, security: Security, version: int
    ) -> None:
        self.models = models
        self.storage = storage
        self.security = security
        self.version = version
        self.domains = DomainCompiler(models, version)
        self._related_stored = self._collect_related_stored()

    def where(self, env: Env, model: Model, domain: Any) -> tuple[str, list]:
        return self.domains.compile(model, domain, env.active_test)

    def source(self, model: Model, domain: Any) -> str:
        """The FROM of a search on `model` (as m0), once `where` accepted the domain.

        When the domain filters only on columns without an index, SQLite (which keeps no
        statistics on them) may walk the index of the ORDER BY column instead, to skip a sort:
        a random read of every row, ~2 s at 1,000,000 partners for a domain on email in the
        default order (complete_name) where a scan and a sort of the matches take ~0.3 s. No
        index could serve such a domain, so the scan is asked for (NOT INDEXED). An empty domain
        (or one on `active` only) still reads the order's index; any other is left to SQLite.
        """
        table = f"{quote(model.table)} AS m0"
        # Constant leaves filter nothing, and `active` leaves match most rows (like the active
        # test): neither is a reason to scan.
        leaves = [
            t
            for t in self.domains.normalize(domain)
            if isinstance(t, tuple) and len(t) == 3 and isinstance(t[0], str) and t[0] != "active"
        ]
        if leaves and not any(self._may_use_index(model, leaf) for leaf in leaves):
            return f"{table} NOT INDEXED"
        return table

    def _may_use_index(self, model: Model, leaf: tuple) -> bool:
        path = leaf[0].split(".")
        field = model.fields.get(path[0])
        if len(path) > 1 or field is None or not field.is_column or field.name == "id":
            return True  # subqueries, ids, fields computed from others: let SQLite choose
        operator = leaf[1].lower() if isinstance(leaf[1], str) else leaf[1]
        return operator in SUBQUERY_OPERATORS or field.name in indexed_columns(model)

    def order_by(self, model: Model, order: str | None) -> str:
        """SQL ORDER BY for Odoo's `order` text: validated, Postgres null ordering, ends with id."""
        spec = order or model.order
        if not isinstance(spec, str) or not ORDER_RE.match(spec):
            raise OdooServerException(
                VALUE_ERROR,
                f'Invalid "order" specified ({spec}). A valid "order" specification is a '
                "comma-separated list of valid field names (optionally followed by asc/desc for "
                "the direction)",
            )
        terms, seen_id = [], False
        for part in spec.split(","):
            words = part.split()
            fname = words[0].strip('"')
            if fname.endswith(".id"):
                fname = fname[:-3]
            desc = len(words) > 1 and words[1].lower() == "desc"
            nulls = ""
            if len(words) >= 4 and words[-2].lower() == "nulls":
                nulls = f" NULLS {words[-1].upper()}"
            fld = model.fields.get(fname)
            if fld is None:
                raise OdooServerException(
                    VALUE_ERROR, f"Invalid field {fname!r} on model {model.name!r}"
                )
            if not fld.is_column:
                raise OdooServerException(
                    VALUE_ERROR,
                    f"Cannot convert {model.name}.{fname} to SQL because it is not stored",
                )
            expr = f"m0.{quote(fname)}"
            if fld.type == "many2one" and fld.relation in self.models:
                comodel = self.models[fld.relation]
                rec = comodel.fields.get(comodel.rec_name)
                if rec is not None and rec.is_column and rec.type != "many2one":
                    expr = (
                        f"(SELECT c.{quote(rec.name)} FROM {quote(comodel.table)} AS c "
                        f"WHERE c.id = m0.{quote(fname)})"
                    )
            elif fld.type == "boolean":
                expr = f"COALESCE({expr}, 0)"
            direction = "DESC" if desc else "ASC"
            terms.append(
                f"{expr} {direction}{nulls or (' NULLS FIRST' if desc else ' NULLS LAST')}"
            )
            seen_id = seen_id or fname == "id"
        if not seen_id:
            terms.append("m0.id ASC")
        return ", ".join(terms)

    def search_ids(
        self,
        env: Env,
        model: Model,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        where, params = self.where(env, model, domain)
        sql = (
            f"SELECT m0.id FROM {self.source(model, domain)} WHERE {where} "
            f"ORDER BY {self.order_by(model, order)} LIMIT ? OFFSET ?"
        )
        rows = self.storage.execute(sql, [*params, *self._limit(limit, offset)])
        return [r[0] for r in rows]

    @staticmethod
    def _limit(limit: Any, offset: Any) -> list[int]:
        lim = int(limit) if limit else -1  # Odoo treats limit=0 as no limit
        return [lim, int(offset or 0)]

    def search_count(self, env: Env, model: Model, domain: Any, limit: int | None = None) -> int:
        where, params = self.where(env, model, domain)
        if limit:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(model.table)} WHERE {where} LIMIT ?)"
            params = [*params, int(limit)]
        else:
            sql = f"SELECT COUNT(*) FROM {quote(model.table)} WHERE {where}"
        return self.storage.execute(sql, params).fetchone()[0]

    def existing(self, model: Model, ids: list[int]) -> set[int]:
        return self.storage.existing_ids(model.table, ids)

    def ensure_exist(self, env: Env, model: Model, ids: list[int]) -> None:
        found = self.existing(model, ids)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            raise missing_error(model, missing, env.uid)

    def split_vals(self, model: Model, vals: dict) -> tuple[dict, dict]:
        """Column values and x2many commands of a `vals` dict, converted and checked."""
        if not isinstance(vals, dict):
            raise OdooServerException(
                "builtins.TypeError", f"'{type(vals).__name__}' object is not a mapping"
            )
        columns, relations = {}, {}
        for fname, value in vals.items():
            fld = model.fields.get(fname)
            if fld is None:
                raise invalid_field(model, fname, self.version)
            if fname == "id":
                continue
            if fld.type in ("one2many", "many2many"):
                relations[fname] = value
            elif fld.is_column:
                columns[fname] = to_column(model, fld, value)
        return columns, relations

    def create(self, env: Env, model: Model, vals_list: list[dict]) -> list[int]:
        nested = env.with_context(**{business.PARENT_RECOMPUTES: True})
        ids = []
        for given in vals_list:
            if not isinstance(given, dict):
                raise OdooServerException(
                    "builtins.TypeError", f"'{type(given).__name__}' object is not a mapping"
                )
            prepared = business.prepare_create(self, env, model, dict(given))
            vals = {**self.defaults(env, model, prepared), **prepared}
            per_company = company_values.pop_values(model, vals)
            columns, relations = self.split_vals(model, vals)
            business.check_required(self, model, columns)
            stamp = {
                "create_uid": env.uid,
                "create_date": env.timestamp,
                "write_uid": env.uid,
                "write_date": env.timestamp,
            }
            for key, value in stamp.items():
                if key in model.fields and model.fields[key].is_column:
                    columns[key] = value
            self._fill_related_stored(model, columns)
            try:
                new_id = self.storage.insert(model.table, columns)
            except sqlite3.IntegrityError as exc:
                raise business.integrity_error(model, columns, exc) from None
            company_values.write_values(self, env, model, [new_id], per_company)
            for fname, commands in relations.items():
                self.apply_commands(nested, model, new_id, model.fields[fname], commands)
            ids.append(new_id)
        if ids:
            business.after_change(self, env, model, ids, set().union(*vals_list), created=True)
        return ids

    def defaults(self, env: Env, model: Model, vals: dict) -> dict:
        out = {}
        for fname, value in business.defaults(self, env, model).items():
            if fname not in vals and fname in model.fields:
                out[fname] = value() if callable(value) else value
        if model.has_active and "active" not in vals:
            out["active"] = True
        for key, value in env.context.items():
            if key.startswith("default_") and key[8:] in model.fields and key[8:] not in vals:
                out[key[8:]] = value
        return out

    def write(self, env: Env, model: Model, ids: list[int], vals: dict, check: bool = True) -> None:
        nested = env.with_context(**{business.PARENT_RECOMPUTES: True})
        if check:
            self.ensure_exist(env, model, ids)
            business.check_write(self, env, model, ids, vals)
        vals = dict(vals)
        per_company = company_values.pop_values(model, vals)
        translated = translations.pop_values(env, model, vals)
        columns, relations = self.split_vals(model, vals)
        for key, value in (("write_uid", env.uid), ("write_date", env.timestamp)):
            if key in model.fields and model.fields[key].is_column:
                columns[key] = value
        try:
            self.storage.update(model.table, ids, columns)
        except sqlite3.IntegrityError as exc:
            raise business.integrity_error(model, columns, exc) from None
        company_values.write_values(self, env, model, ids, per_company)
        translations.write_values(self.storage, env, model, ids, translated)
        for fname, commands in relations.items():
            for rid in ids:
                self.apply_commands(nested, model, rid, model.fields[fname], commands)
        self._propagate_related(model, ids, set(columns))
        business.after_change(self, env, model, ids, set(vals), created=False)

    def unlink(self, env: Env, model: Model, ids: list[int]) -> None:
        ids = list(dict.fromkeys(ids))
        self.ensure_exist(env, model, ids)
        business.check_unlink(self, env, model, ids)
        self.delete_rows(env, model, ids)

    def delete_rows(self, env: Env, model: Model, ids: list[int]) -> None:
        """Delete rows with their cascaded children, many2many links and dangling references."""
        if not ids:
            return
        for fld in model.fields.values():
            if fld.type == "one2many" and fld.relation in self.models:
                comodel = self.models[fld.relation]
                inverse = comodel.fields.get(fld.relation_field or "")
                if inverse is not None and inverse.is_column and inverse.attrs.get("required"):
                    children = [
                        r[0]
                        for r in self.storage.pairs(
                            f"SELECT id FROM {quote(comodel.table)} "
                            f"WHERE {quote(inverse.name)} IN ({{in}})",
                            ids,
                        )
                    ]
                    self.delete_rows(env, comodel, children)
            if fld.type == "many2many" and fld.store:
                self.storage.delete(model.m2m_table(fld.name), ids, "id1")
        self.storage.delete(model.table, ids)
        for other in self.models.values():
            for fld in other.fields.values():
                if fld.relation != model.name:
                    continue
                if fld.type == "many2one" and fld.is_column:
                    for part in chunks(ids):
                        self.storage.execute(
                            f"UPDATE {quote(other.table)} SET {quote(fld.name)} = NULL "
                            f"WHERE {quote(fld.name)} IN ({', '.join('?' * len(part))})",
                            part,
                        )
                elif fld.type == "many2many" and fld.store:
                    self.storage.delete(other.m2m_table(fld.name), ids, "id2")
        business.after_unlink(self, env, model, ids)
