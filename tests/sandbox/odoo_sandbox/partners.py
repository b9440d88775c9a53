"""Contacts: the hierarchy (no cycles), complete_name and the commercial partner."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .orm import Orm

RECURSIVE_PARTNER = "You cannot create recursive Partner hierarchies."


def partner_descendants(orm: Orm, ids: list[int]) -> set[int]:
    """The partners `ids` and every contact below them."""
    found, frontier = set(ids), list(ids)
    while frontier:
        rows = orm.storage.pairs("SELECT id FROM res_partner WHERE parent_id IN ({in})", frontier)
        frontier = [r[0] for r in rows if r[0] not in found]
        found.update(frontier)
    return found


def refresh_partners(orm: Orm, ids: list[int]) -> None:
    """complete_name, commercial_partner_id and commercial_company_name of partners and of
    every contact below them (each from stored names, so the order does not matter)."""
    todo = partner_descendants(orm, ids)
    cache: dict[int, tuple] = {}

    def info(pid: int) -> tuple:
        if pid not in cache:
            row = orm.storage.execute(
                "SELECT id, name, parent_id, is_company, type, company_name FROM res_partner "
                "WHERE id = ?",
                (pid,),
            ).fetchone()
            cache[pid] = row
        return cache[pid]

    def commercial(pid: int, depth: int = 0) -> int:
        row = info(pid)
        if row is None or row[3] or not row[2] or depth > 50:
            return pid
        return commercial(row[2], depth + 1)

    for pid in todo:
        row = info(pid)
        if row is None:
            continue
        _, name, parent_id, is_company, _ptype, company_name = row
        comm = commercial(pid)
        comm_row = info(comm)
        comm_name = comm_row[1] if comm_row and comm_row[3] else company_name
        full = name or ""
        if (company_name or parent_id) and not is_company:
            parent_name = comm_name or (info(parent_id)[1] if parent_id and info(parent_id) else "")
            full = f"{parent_name}, {full}"
        orm.storage.execute(
            "UPDATE res_partner SET complete_name = ?, commercial_partner_id = ?, "
            "commercial_company_name = ? WHERE id = ?",
            (full.strip(), comm, comm_name or None, pid),
        )
