"""The ORM core: search, read, create, write, unlink over the SQLite storage, as Odoo does them.

`Orm` works on model definitions and ids; `Env` carries who calls and with which context. Business
rules (totals, sequences, constraints) plug in through `business`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import business
from .domain import DomainCompiler
from .exceptions import MISSING_ERROR, VALIDATION_ERROR, VALUE_ERROR, OdooServerException
from .registry import Field, Model
from .storage import Storage, chunks, quote
from .values import convert_column, empty_value, invalid_field, to_column

if TYPE_CHECKING:
    from .security import Security

ORDER_RE = re.compile(
    r"^(\s*([a-z0-9:_]+|\"[a-z0-9:_]+\")(\.id)?(\s+(desc|asc))?(\s+(nulls)\s+(first|last))?\s*(,|$))+(?<!,)$",
    re.I,
)
CLASSIC = "_classic_read"


@dataclass
class Env:
    """Who runs a call, with which context, and the call's transaction timestamp."""

    uid: int
    context: dict = field(default_factory=dict)
    timestamp: str = ""

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False

    def with_context(self, **values: Any) -> Env:
        return Env(self.uid, {**self.context, **values}, self.timestamp)


def missing_error(model: Model, ids: list[int], uid: int) -> OdooServerException:
    record = (
        f"{model.name}({', '.join(map(str, ids))},)"
        if len(ids) == 1
        else f"{model.name}({', '.join(map(str, ids))})"
    )
    return OdooServerException(
        MISSING_ERROR,
        f"Record does not exist or has been deleted.\n(Record: {record}, User: {uid})",
    )


def normalize_ids(ids: Any) -> list[int]:
    if ids is None or ids is False:
        return []
    if isinstance(ids, int) and not isinstance(ids, bool):
        return [ids]
    if isinstance(ids, (list, tuple)):
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise OdooServerException(VALUE_ERROR, f"Invalid ids: expected integers, got {i!r}")
            out.append(i)
        return out
    raise OdooServerException(VALUE_ERROR, f"Invalid ids: {ids!r}")


class Orm:
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

    # ---- searching ----------------------------------------------------------------------------
    def where(self, env: Env, model: Model, domain: Any) -> tuple[str, list]:
        return self.domains.compile(model, domain, env.active_test)

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
            f"SELECT m0.id FROM {quote(model.table)} AS m0 WHERE {where} "
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

    # ---- reading ------------------------------------------------------------------------------
    def readable_fields(self, env: Env, model: Model) -> list[str]:
        return [
            f.name for f in model.fields.values() if self.security.field_visible(env.uid, f.groups)
        ]

    def check_fields(self, env: Env, model: Model, fnames: Any) -> list[str]:
        """The field names to read: all visible ones when none given, else validated."""
        if not fnames:
            return self.readable_fields(env, model)
        if isinstance(fnames, str):
            fnames = [fnames]
        out, hidden = [], []
        for fname in fnames:
            fld = model.fields.get(fname) if isinstance(fname, str) else None
            if fld is None:
                raise invalid_field(model, str(fname), self.version)
            if not self.security.field_visible(env.uid, fld.groups):
                hidden.append(fname)
            if fname != "id" and fname not in out:
                out.append(fname)
        if hidden:
            raise self.security.field_access_error(env.uid, model, hidden)
        return out

    def search_read(
        self,
        env: Env,
        model: Model,
        domain: Any,
        fnames: list[str],
        offset: int,
        limit: int | None,
        order: str | None,
        load: Any,
    ) -> list[dict]:
        columns = [f for f in fnames if model.fields[f].is_column]
        where, params = self.where(env, model, domain)
        select = ", ".join(["m0.id", *(f"m0.{quote(c)}" for c in columns)])
        sql = (
            f"SELECT {select} FROM {quote(model.table)} AS m0 WHERE {where} "
            f"ORDER BY {self.order_by(model, order)} LIMIT ? OFFSET ?"
        )
        rows = self.storage.execute(sql, [*params, *self._limit(limit, offset)]).fetchall()
        return self.format_rows(env, model, rows, columns, fnames, load)

    def read(
        self, env: Env, model: Model, ids: list[int], fnames: list[str], load: Any
    ) -> list[dict]:
        columns = [f for f in fnames if model.fields[f].is_column]
        rows = self.storage.select_by_ids(model.table, columns, ids)
        by_id = {r[0]: r for r in rows}
        ordered, seen = [], set()
        for i in ids:
            if i in by_id and i not in seen:
                seen.add(i)
                ordered.append(by_id[i])
        return self.format_rows(env, model, ordered, columns, fnames, load)

    def format_rows(
        self,
        env: Env,
        model: Model,
        rows: list[tuple],
        columns: list[str],
        fnames: list[str],
        load: Any,
    ) -> list[dict]:
        """Turn stored rows (id first, then `columns`) into the dicts `read` answers."""
        if not rows:
            return []
        classic = load == CLASSIC
        bin_size = bool(env.context.get("bin_size"))
        position = {c: i + 1 for i, c in enumerate(columns)}
        stored = list(zip(*rows, strict=True))
        ids = list(stored[0])
        converted: list[list] = [ids]
        for fname in fnames:
            fld = model.fields[fname]
            if fld.is_column:
                values = stored[position[fname]]
                if fld.type == "many2one" and classic:
                    comodel = self.models.get(fld.relation or "")
                    names = self.display_names(env, comodel, {v for v in values if v})
                    converted.append([[v, names.get(v, "")] if v else False for v in values])
                else:
                    converted.append(convert_column(fld, values, bin_size))
            else:
                by_id = self.computed_values(env, model, fld, ids, classic)
                converted.append([by_id[i] for i in ids])
        keys = ("id", *fnames)
        return [dict(zip(keys, values, strict=True)) for values in zip(*converted, strict=True)]

    def computed_values(
        self, env: Env, model: Model, fld: Field, ids: list[int], classic: bool
    ) -> dict[int, Any]:
        """Values of a field that has no column: x2many, display_name, related, or empty."""
        if fld.type == "one2many":
            return self._one2many_values(env, model, fld, ids)
        if fld.type == "many2many" and fld.store:
            return self._many2many_values(model, fld, ids)
        if fld.name == "display_name":
            names = self.display_names(env, model, set(ids))
            return {i: names.get(i, False) for i in ids}
        special = business.computed_values(self, model, fld.name, ids)
        if special is not None:
            return special
        if fld.related:
            values = self.related_values(env, model, fld.related.split("."), ids, classic)
            if values is not None:
                return values
        empty = empty_value(fld)
        return {i: (list(empty) if isinstance(empty, list) else empty) for i in ids}

    def related_values(
        self, env: Env, model: Model, path: list[str], ids: list[int], classic: bool
    ) -> dict[int, Any] | None:
        first = model.fields.get(path[0])
        if first is None:
            return None
        if len(path) == 1:
            rows = self.read(
                env.with_context(active_test=False),
                model,
                ids,
                [first.name],
                CLASSIC if classic else False,
            )
            got = {r["id"]: r[first.name] for r in rows}
            return {i: got.get(i, empty_value(first)) for i in ids}
        comodel = self.models.get(first.relation or "")
        if first.type != "many2one" or not first.is_column or comodel is None:
            return None
        links = dict(self.storage.select_by_ids(model.table, [first.name], ids))
        targets = sorted({v for v in links.values() if v})
        last = self._last_field(comodel, path[1:])
        sub = self.related_values(env, comodel, path[1:], targets, classic) if targets else {}
        if sub is None:
            return None
        empty = empty_value(last) if last else False
        return {i: sub.get(links.get(i), empty) if links.get(i) else empty for i in ids}

    def _last_field(self, model: Model, path: list[str]) -> Field | None:
        for i, name in enumerate(path):
            fld = model.fields.get(name)
            if fld is None:
                return None
            if i == len(path) - 1:
                return fld
            model = self.models.get(fld.relation or "")
            if model is None:
                return None
        return None

    def _one2many_values(
        self, env: Env, model: Model, fld: Field, ids: list[int]
    ) -> dict[int, list]:
        out: dict[int, list] = {i: [] for i in ids}
        comodel = self.models.get(fld.relation or "")
        inverse = fld.relation_field
        if (
            comodel is None
            or not inverse
            or inverse not in comodel.fields
            or not comodel.fields[inverse].is_column
        ):
            return out
        domain = fld.attrs.get("domain")
        where, params = self.domains.compile(
            comodel, domain if isinstance(domain, list) else [], env.active_test
        )
        order = self.order_by(comodel, None)
        col = quote(inverse)
        for part in chunks(ids):
            sql = (
                f"SELECT m0.{col}, m0.id FROM {quote(comodel.table)} AS m0 "
                f"WHERE m0.{col} IN ({', '.join('?' * len(part))}) AND ({where}) "
                f"ORDER BY {order}"
            )
            for parent, child in self.storage.execute(sql, [*part, *params]):
                out[parent].append(child)
        return out

    def _many2many_values(self, model: Model, fld: Field, ids: list[int]) -> dict[int, list]:
        out: dict[int, list] = {i: [] for i in ids}
        rel = quote(model.m2m_table(fld.name))
        rows = self.storage.pairs(
            f"SELECT id1, id2 FROM {rel} WHERE id1 IN ({{in}}) ORDER BY id1, id2", ids
        )
        for a, b in rows:
            out[a].append(b)
        return out

    def display_names(self, env: Env, model: Model | None, ids: set[int]) -> dict[int, str]:
        """display_name of many records at once (one query per model, not one per record)."""
        if model is None or not ids:
            return {}
        special = business.display_names(self, env, model, sorted(ids))
        if special is not None:
            return special
        rec = model.fields.get(model.rec_name)
        if rec is None or rec.name == "id":
            return {i: f"{model.name},{i}" for i in ids}
        if rec.is_column and rec.type != "many2one":
            rows = self.storage.select_by_ids(model.table, [rec.name], list(ids))
            return {i: (v if v else f"{model.name},{i}") for i, v in rows}
        if rec.type == "many2one" and rec.is_column:
            rows = self.storage.select_by_ids(model.table, [rec.name], list(ids))
            names = self.display_names(
                env, self.models.get(rec.relation or ""), {v for _, v in rows if v}
            )
            return {i: names.get(v, "") for i, v in rows}
        if rec.related:
            values = self.related_values(env, model, rec.related.split("."), list(ids), True)
            if values is not None:
                return {i: (v or "") for i, v in values.items()}
        return {i: f"{model.name},{i}" for i in ids}

    def copyable_values(self, model: Model, rid: int) -> dict:
        """Stored values `copy` carries over (computed ones are recomputed after create)."""
        skip = {"id", "create_date", "create_uid", "write_date", "write_uid"}
        columns = [c for c in model.columns if c not in skip]
        row = self.storage.select_by_ids(model.table, columns, [rid])[0]
        vals: dict[str, Any] = {}
        for fname, stored in zip(columns, row[1:], strict=True):
            fld = model.fields[fname]
            if stored is None or fld.related:
                continue
            if fld.type == "boolean":
                vals[fname] = bool(stored)
            elif fld.type in ("json", "properties"):
                vals[fname] = json.loads(stored)
            else:
                vals[fname] = stored
        for fld in model.fields.values():
            if fld.type == "many2many" and fld.store:
                linked = self._many2many_values(model, fld, [rid])[rid]
                if linked:
                    vals[fld.name] = [(6, 0, linked)]
        return vals

    # ---- writing ------------------------------------------------------------------------------
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
        columns, relations = self.split_vals(model, vals)
        for key, value in (("write_uid", env.uid), ("write_date", env.timestamp)):
            if key in model.fields and model.fields[key].is_column:
                columns[key] = value
        try:
            self.storage.update(model.table, ids, columns)
        except sqlite3.IntegrityError as exc:
            raise business.integrity_error(model, columns, exc) from None
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

    # ---- x2many commands ----------------------------------------------------------------------
    def apply_commands(self, env: Env, model: Model, rid: int, fld: Field, commands: Any) -> None:
        comodel = self.models.get(fld.relation or "")
        if comodel is None or commands is False or commands is None:
            return
        if not isinstance(commands, (list, tuple)):
            raise OdooServerException(
                VALUE_ERROR, f"Wrong value for {model.name}.{fld.name}: {commands!r}"
            )
        if fld.type == "many2many" and all(isinstance(c, int) for c in commands):
            commands = [(6, 0, list(commands))]
        for command in commands:
            if not isinstance(command, (list, tuple)) or not command:
                raise OdooServerException(
                    VALUE_ERROR, f"Wrong value for {model.name}.{fld.name}: {commands!r}"
                )
            self._apply_command(env, model, rid, fld, comodel, list(command))

    def _apply_command(
        self, env: Env, model: Model, rid: int, fld: Field, comodel: Model, command: list
    ) -> None:
        code = command[0]
        arg = command[1] if len(command) > 1 else None
        vals = command[2] if len(command) > 2 else None
        o2m = fld.type == "one2many"
        inverse = fld.relation_field
        if code == 0:
            vals = dict(vals or {})
            if o2m:
                vals[inverse] = rid
            new_ids = self.create(env, comodel, [vals])
            if not o2m:
                self._link(model, fld, rid, new_ids)
        elif code == 1:
            self.write(env, comodel, [arg], dict(vals or {}))
        elif code == 2:
            self.unlink(env, comodel, [arg])
        elif code == 3:
            if o2m:
                self._o2m_release(env, comodel, inverse, [arg])
            else:
                self.storage.execute(
                    f"DELETE FROM {quote(model.m2m_table(fld.name))} WHERE id1 = ? AND id2 = ?",
                    (rid, arg),
                )
        elif code == 4:
            if o2m:
                self.write(env, comodel, [arg], {inverse: rid})
            else:
                self._link(model, fld, rid, [arg])
        elif code == 5:
            if o2m:
                current = self._o2m_children(comodel, inverse, rid)
                self._o2m_release(env, comodel, inverse, current)
            else:
                self.storage.delete(model.m2m_table(fld.name), [rid], "id1")
        elif code == 6:
            ids = normalize_ids(vals if vals is not None else [])
            if o2m:
                current = self._o2m_children(comodel, inverse, rid)
                self._o2m_release(env, comodel, inverse, [i for i in current if i not in ids])
                if ids:
                    self.write(env, comodel, ids, {inverse: rid})
            else:
                self.storage.delete(model.m2m_table(fld.name), [rid], "id1")
                self._link(model, fld, rid, ids)
        else:
            raise OdooServerException(VALUE_ERROR, f"Unknown command {code!r}")

    def _link(self, model: Model, fld: Field, rid: int, ids: list[int]) -> None:
        self.storage.conn.executemany(
            f"INSERT OR IGNORE INTO {quote(model.m2m_table(fld.name))} (id1, id2) VALUES (?, ?)",
            [(rid, i) for i in ids],
        )

    def _o2m_children(self, comodel: Model, inverse: str, rid: int) -> list[int]:
        rows = self.storage.execute(
            f"SELECT id FROM {quote(comodel.table)} WHERE {quote(inverse)} = ?", (rid,)
        )
        return [r[0] for r in rows]

    def _o2m_release(self, env: Env, comodel: Model, inverse: str, ids: list[int]) -> None:
        if not ids:
            return
        if comodel.fields[inverse].attrs.get("required"):
            self.unlink(env, comodel, ids)
        else:
            self.write(env, comodel, ids, {inverse: False})

    # ---- stored related fields (e.g. account.move.line.parent_state = move_id.state) ----------
    def _collect_related_stored(self) -> dict[str, list[tuple[Model, str, str, str]]]:
        """target model -> [(model, field, many2one, target field)] for 2-step stored related."""
        out: dict[str, list[tuple[Model, str, str, str]]] = {}
        for model in self.models.values():
            for fld in model.fields.values():
                if not (fld.is_column and fld.related) or fld.related.count(".") != 1:
                    continue
                link, target_field = fld.related.split(".")
                link_field = model.fields.get(link)
                if link_field is None or link_field.type != "many2one" or not link_field.is_column:
                    continue
                target = self.models.get(link_field.relation or "")
                if (
                    target is None
                    or target_field not in target.fields
                    or not target.fields[target_field].is_column
                ):
                    continue
                out.setdefault(target.name, []).append((model, fld.name, link, target_field))
        return out

    def _fill_related_stored(self, model: Model, columns: dict) -> None:
        for target_name, entries in self._related_stored.items():
            for owner, fname, link, target_field in entries:
                if owner is model and columns.get(link) and fname not in columns:
                    row = self.storage.execute(
                        f"SELECT {quote(target_field)} FROM {quote(self.models[target_name].table)}"
                        " WHERE id = ?",
                        (columns[link],),
                    ).fetchone()
                    if row:
                        columns[fname] = row[0]

    def _propagate_related(self, model: Model, ids: list[int], changed: set[str]) -> None:
        for owner, fname, link, target_field in self._related_stored.get(model.name, []):
            if target_field not in changed:
                continue
            for part in chunks(ids):
                marks = ", ".join("?" * len(part))
                source = (
                    f"SELECT t.{quote(target_field)} FROM {quote(model.table)} AS t "
                    f"WHERE t.id = {quote(owner.table)}.{quote(link)}"
                )
                self.storage.execute(
                    f"UPDATE {quote(owner.table)} SET {quote(fname)} = ({source}) "
                    f"WHERE {quote(link)} IN ({marks})",
                    part,
                )
        for fname in changed:
            fld = model.fields.get(fname)
            if fld is not None and fld.type == "many2one":
                for owner, rel_field, link, _target in self._related_stored.get(
                    fld.relation or "", []
                ):
                    if owner is model and link == fname:
                        self.refresh_related(model, ids, rel_field)

    def refresh_related(self, model: Model, ids: list[int], fname: str) -> None:
        for target_name, entries in self._related_stored.items():
            for owner, rel_field, link, target_field in entries:
                if owner is model and rel_field == fname:
                    target = self.models[target_name]
                    for part in chunks(ids):
                        self.storage.execute(
                            f"UPDATE {quote(model.table)} SET {quote(fname)} = (SELECT "
                            f"t.{quote(target_field)} FROM {quote(target.table)} AS t WHERE "
                            f"t.id = {quote(model.table)}.{quote(link)}) "
                            f"WHERE id IN ({', '.join('?' * len(part))})",
                            part,
                        )

    def validation_error(self, message: str) -> OdooServerException:
        return OdooServerException(VALIDATION_ERROR, message)
