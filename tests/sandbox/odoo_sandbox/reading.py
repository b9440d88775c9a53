"""Reading: turning stored rows into the values `read` answers (names, x2many, computed)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import business, company_values, computed, translations
from .env import CLASSIC, Env
from .registry import Field, Model
from .storage import chunks, quote
from .values import convert_column, empty_value, invalid_field

if TYPE_CHECKING:
    from .domain import DomainCompiler
    from .security import Security
    from .storage import Storage


class Reader:
    """The reading half of the ORM (mixed into `Orm`)."""

    models: dict[str, Model]
    storage: Storage
    security: Security
    domains: DomainCompiler
    version: int

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
            f"SELECT {select} FROM {self.source(model, domain)} WHERE {where} "
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
        lang = translations.target_lang(env)
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
                    values = convert_column(fld, values, bin_size)
                    if lang and translations.is_translated(fld):
                        values = translations.overlay(self.storage, model, fld, ids, values, lang)
                    converted.append(values)
            else:
                by_id = self.computed_values(env, model, fld, ids, classic)
                converted.append([by_id[i] for i in ids])
        keys = ("id", *fnames)
        return [dict(zip(keys, values, strict=True)) for values in zip(*converted, strict=True)]

    def computed_values(
        self, env: Env, model: Model, fld: Field, ids: list[int], classic: bool
    ) -> dict[int, Any]:
        """Values of a field that has no column: x2many, display_name, company-dependent,
        computed, related, or empty."""
        if fld.company_dependent:
            return company_values.read_values(self, env, model, fld, ids, classic)
        if fld.type == "one2many" and fld.related and not fld.store:  # product.seller_ids
            values = self.related_values(env, model, fld.related.split("."), ids, classic)
            if values is not None:
                return values
        if fld.type == "one2many":
            return self._one2many_values(env, model, fld, ids)
        if fld.type == "many2many" and fld.store:
            return self._many2many_values(model, fld, ids)
        if fld.name == "display_name":
            names = self.display_names(env, model, set(ids))
            return {i: names.get(i, False) for i in ids}
        if fld.name == "__last_update" and "write_date" in model.fields:  # Odoo 16
            rows = self.storage.select_by_ids(model.table, ["write_date", "create_date"], ids)
            stamps = {row[0]: row[1] or row[2] for row in rows}
            values = convert_column(model.fields["write_date"], [stamps.get(i) for i in ids], False)
            return dict(zip(ids, values, strict=True))
        special = business.computed_values(self, model, fld.name, ids)
        if special is None:
            special = computed.computed_values(self, env, model, fld.name, ids)
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
