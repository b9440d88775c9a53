"""External ids (ir.model.data) that make every write idempotent: module = namespace,
name = stream + source key."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from odoo_client.errors import WriteOutcomeUnknownError

_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


def external_id_name(stream: str, key: Any) -> str:
    """`Customers` + `C-1` -> `Customers_C-1`; unsafe characters get a hash suffix."""
    raw = f"{stream}_{key}"
    safe = _UNSAFE.sub("_", raw)
    if safe != raw:
        safe += "_" + hashlib.sha1(raw.encode()).hexdigest()[:8]
    return safe


class ExternalIds:
    """Find and record our external ids, a whole batch per call, cached for the run.

    `target_odoo.identity.FieldIdentities` answers the same calls for a user who may not use
    external ids (identities kept on the records)."""

    on_records = False

    def __init__(self, client: Any, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._cache: dict[tuple[str, str], int] = {}

    @staticmethod
    def identity_name(stream: str, key: Any) -> str:
        """The external id's name of a stream's record (module = namespace)."""
        return external_id_name(stream, key)

    @staticmethod
    def fit(mapping: Any, known_fields: set[str]) -> Any:
        """The mapping as it is: external ids need nothing of it."""
        return mapping

    @staticmethod
    def create_values(stream: str, name: str) -> dict[str, Any]:
        """Nothing: the external id is recorded after the create."""
        return {}

    @staticmethod
    def problem(name: str) -> str | None:
        """Nothing stops a record from having an external id."""
        return None

    def find(self, model: str, names: list[str]) -> dict[str, int]:
        """Map each known name to its record id (names not found are left out)."""
        wanted = sorted({name for name in names if (model, name) not in self._cache})
        if wanted:
            rows = self.client.search_read(
                "ir.model.data",
                [("module", "=", self.namespace), ("model", "=", model), ("name", "in", wanted)],
                ["name", "res_id"],
            )
            for row in rows:
                self._cache[(model, row["name"])] = row["res_id"]
        return {name: self._cache[(model, name)] for name in names if (model, name) in self._cache}

    def known(self, model: str, name: str) -> bool:
        """Whether this run found or recorded the external id (no call)."""
        return (model, name) in self._cache

    def forget(self, model: str, names: list[str]) -> None:
        """Delete external ids whose record no longer exists, so they can be recorded anew."""
        if not names:
            return
        ids = self.client.search(
            "ir.model.data",
            [("module", "=", self.namespace), ("model", "=", model), ("name", "in", names)],
        )
        if ids:
            self.client.unlink("ir.model.data", ids)
        for name in names:
            self._cache.pop((model, name), None)

    def record(self, model: str, ids_by_name: dict[str, int]) -> None:
        """Create the external ids of freshly created records in one call."""
        if not ids_by_name:
            return
        rows = [
            {
                "module": self.namespace,
                "model": model,
                "name": name,
                "res_id": res_id,
                "noupdate": True,
            }
            for name, res_id in ids_by_name.items()
        ]
        try:
            self.client.create("ir.model.data", rows)
        except WriteOutcomeUnknownError:
            # The answer was lost, not necessarily the write: look before writing again.
            found = self.find(model, list(ids_by_name))
            missing = [row for row in rows if row["name"] not in found]
            if missing:
                self.client.create("ir.model.data", missing)
        self._cache.update({(model, name): res_id for name, res_id in ids_by_name.items()})
