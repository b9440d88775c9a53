"""What the steps of a batch share: the settings, one Item per source record, and the batch's
context (the connection, the stream's mapping, where identities are kept)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from odoo_client.errors import AccessDeniedError
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import StreamMapping
from target_odoo.record_values import PreparedRecord
from target_odoo.recovery import Unrecorded
from target_odoo.results import FAILED, Outcome
from target_odoo.rights import rights_message


@dataclass(frozen=True)
class WriteSettings:
    """The target settings that shape how a batch is written."""

    namespace: str = "singer"
    dry_run: bool = False
    posted_documents: str = "skip"
    delete_mode: str = "archive"
    switches: frozenset[str] = frozenset()  # boolean settings that are on (unless_setting)
    input_path: str | None = None  # the folder of attachment files (AttachmentRule.input_file)


@dataclass
class Item:
    """One source record on its way into Odoo."""

    record: dict
    outcome: Outcome
    name: str = ""
    deleted: bool = False
    prepared: PreparedRecord | None = None
    current: dict = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)

    def fail(self, error: str) -> None:
        """Mark the record failed with a reason."""
        self.outcome.status, self.outcome.error = FAILED, error

    @property
    def live(self) -> bool:
        """Still to be written: not failed, not superseded."""
        return self.outcome.status != FAILED and bool(self.name)


def error_text(error: Exception) -> str:
    """An Odoo error as a record's reason: which right is missing and who has it, for an
    access-rights refusal; Odoo's message otherwise."""
    if isinstance(error, AccessDeniedError):
        return rights_message(error)
    return str(error) or type(error).__name__


def mark(items: list[Item], status: str) -> None:
    """Give each item this status."""
    for item in items:
        item.outcome.status = status


@dataclass
class BatchContext:
    """The batch's surroundings, the same for every step."""

    client: Any
    mapping: StreamMapping
    external_ids: ExternalIds  # or identity.FieldIdentities (identities on the records)
    resolver: LookupResolver
    settings: WriteSettings
    unrecorded: Unrecorded

    @property
    def model(self) -> str:
        """The model the stream writes."""
        return self.mapping.model

    def locked_state(self, item: Item) -> str | None:
        """The state that locks the item's existing document (posted, confirmed), if any."""
        guard = self.mapping.locked_when
        if guard and item.current.get(guard.field) in guard.values:
            return item.current[guard.field]
        return None

    def states(self, items: list[Item], field_name: str) -> dict[int, Any]:
        """`field_name` of each item's Odoo record, read now (one call)."""
        rows = self.client.read(self.model, [i.outcome.odoo_id for i in items], [field_name])
        return {row["id"]: row[field_name] for row in rows}
