"""Relations written through their owner: x2many command tuples and stored related fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .env import Env, normalize_ids
from .exceptions import VALUE_ERROR, OdooServerException
from .registry import Field, Model
from .storage import chunks, quote

if TYPE_CHECKING:
    from .storage import Storage


class Relations:
    """x2many commands (0..6) and stored related fields such as
    account.move.line.parent_state = move_id.state (mixed into `Orm`)."""

    models: dict[str, Model]
    storage: Storage
    _related_stored: dict[str, list[tuple[Model, str, str, str]]]

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
