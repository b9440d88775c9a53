"""Find records this target created but never gave an external id: a run that stopped between
the `create` and the external-id write (a crash, a kill, a lost connection), or a `create`
whose answer was lost. Such a record is adopted (its external id recorded), never created twice.

Two ways to recognise one, per stream (mapping.json):
- `marker`: a free char field the create call fills with the external id
  (`invoice_origin = "singer.Invoices_INV-1"`), written in the same call, so the record carries
  its identity from its first instant (cleared once its external id is recorded: Odoo prints
  invoice_origin on the customer's invoice);
- `natural_key`: mapped fields whose values identify a record (a partner's `ref` = source id).

Either way only records created by this login that no external id of the namespace claims are
candidates; two candidates for one record, or one candidate for two records, are never guessed
between.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from target_odoo.compare import changed_values
from target_odoo.mapping import StreamMapping

WITH_ARCHIVED = {"active_test": False}


def _plain(value: Any) -> Any:
    """A many2one read as [id, name] compares as its id."""
    return value[0] if isinstance(value, list) and len(value) == 2 else value


class Unrecorded:
    """Searches a model for our records that have no external id."""

    def __init__(self, client: Any, mapping: StreamMapping, namespace: str) -> None:
        self.client = client
        self.mapping = mapping
        self.namespace = namespace
        self.model = mapping.model

    @property
    def enabled(self) -> bool:
        """Whether the stream has a marker or a natural key to recognise its records by."""
        return bool(self.mapping.marker or self.mapping.natural_key)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields that identify a record."""
        return (self.mapping.marker,) if self.mapping.marker else self.mapping.natural_key

    def marker_value(self, name: str) -> str:
        """What the marker field holds: the full external id."""
        return f"{self.namespace}.{name}"

    def describe(self, identity: tuple) -> str:
        """`invoice_origin='singer.Invoices_INV-1'`, for messages."""
        return ", ".join(f"{f}={v!r}" for f, v in zip(self.fields, identity, strict=True))

    def identity(self, name: str, vals: dict[str, Any]) -> tuple | None:
        """The values that identify the record named `name` with create values `vals` (None
        when a natural key value is missing: such a record cannot be recognised)."""
        if self.mapping.marker:
            return (self.marker_value(name),)
        values = tuple(vals.get(field) for field in self.mapping.natural_key)
        if any(value in (None, False, "") for value in values):
            return None
        return values

    def _uid(self) -> int | None:
        authenticate = getattr(self.client, "authenticate", None)
        return authenticate() if authenticate else None

    def _unclaimed(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        claimed = self.client.search_read(
            "ir.model.data",
            [("module", "=", self.namespace), ("model", "=", self.model), ("res_id", "in", ids)],
            ["res_id"],
        )
        return set(ids) - {row["res_id"] for row in claimed}

    def _ours(self, domain: list) -> list[tuple]:
        uid = self._uid()
        if uid is not None:
            domain = [*domain, ("create_uid", "=", uid)]
        return domain

    def find(self, identities: dict[str, tuple]) -> dict[str, list[int]]:
        """For each name, the ids of unclaimed records of ours carrying its identity."""
        if not identities:
            return {}
        domain = [
            (field, "in", sorted({identity[i] for identity in identities.values()}, key=str))
            for i, field in enumerate(self.fields)
        ]
        rows = self.client.search_read(
            self.model, self._ours(domain), list(self.fields), order="id", context=WITH_ARCHIVED
        )
        free = self._unclaimed([row["id"] for row in rows])
        by_identity: dict[tuple, list[int]] = defaultdict(list)
        for row in rows:
            if row["id"] in free:
                by_identity[tuple(_plain(row[f]) for f in self.fields)].append(row["id"])
        return {name: by_identity.get(identity, []) for name, identity in identities.items()}

    def highest_id(self) -> int:
        """The model's highest id, archived records included (before a create without a way to
        recognise its records)."""
        found = self.client.search(self.model, [], limit=1, order="id desc", context=WITH_ARCHIVED)
        return found[0] if found else 0

    def created_since(self, floor: int, wanted: list[dict[str, Any]]) -> list[int | None] | None:
        """After a lost create of records with values `wanted` (in order): the id of each, or
        None for one that cannot be told apart; None when nothing of ours was created.

        Candidates are records above `floor` created by this login and unclaimed, so records
        others created meanwhile are not taken for ours. Records with the same values are paired
        in id order (Odoo numbers a create's records in order) only when the counts agree.
        """
        made = self.client.search(
            self.model, self._ours([("id", ">", floor)]), order="id", context=WITH_ARCHIVED
        )
        free = sorted(self._unclaimed(made))
        if not free:
            return None
        names = sorted({k for w in wanted for k in w})
        rows = self.client.read(self.model, free, names) if names else [{"id": i} for i in free]
        rows.sort(key=lambda row: row["id"])
        groups: dict[int, list[int]] = defaultdict(list)
        for position, values in enumerate(wanted):
            groups[next(i for i, w in enumerate(wanted) if w == values)].append(position)
        result: list[int | None] = [None] * len(wanted)
        for first, positions in groups.items():
            matching = [row["id"] for row in rows if not changed_values(wanted[first], row)]
            if len(matching) == len(positions):
                for position, res_id in zip(positions, matching, strict=True):
                    result[position] = res_id
        return result
