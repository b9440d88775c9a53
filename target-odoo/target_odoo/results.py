"""Per-record outcomes: the JSON-lines results file, the summary per stream, and the state
shape hotglue jobs read."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

CREATED, UPDATED, UNCHANGED, DELETED, FAILED = (
    "created",
    "updated",
    "unchanged",
    "deleted",
    "failed",
)
# Read but not (fully) written: the run stopped (a signal, Odoo unavailable) before this record's
# turn or in the middle of it. Not a success; a re-run of the same input writes it.
NOT_WRITTEN = "not_written"


def record_hash(record: dict) -> str:
    """A stable hash of a source record (metadata fields left out)."""
    clean = {k: v for k, v in record.items() if not k.startswith("_sdc_")}
    return hashlib.md5(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Outcome:
    """What happened to one source record."""

    stream: str
    key: str | None
    status: str
    odoo_id: int | None = None
    model: str | None = None
    error: str | None = None
    existing: bool = False
    hash: str | None = None
    dry_run: bool = False
    note: str | None = None

    @property
    def success(self) -> bool:
        """True unless the record failed or was not written."""
        return self.status not in (FAILED, NOT_WRITTEN)


class ResultsLog:
    """Collects outcomes; appends them to a JSON-lines file when a path is given.

    Each outcome is kept in memory only with `keep_outcomes` (the hotglue state lists them all);
    otherwise only counts per stream and status are, so memory stays flat however many records
    pass.
    """

    def __init__(self, path: str | None = None, *, keep_outcomes: bool = True) -> None:
        self._file: IO[str] | None = None
        if path:
            self._file = Path(path).open("w", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self._keep = keep_outcomes
        self.outcomes: dict[str, list[Outcome]] = defaultdict(list)
        self._counts: dict[str, Counter] = defaultdict(Counter)
        self.total = 0

    def add(self, outcomes: list[Outcome]) -> None:
        """Record outcomes (and write them out at once, so a crash keeps what was done)."""
        for outcome in outcomes:
            self._counts[outcome.stream][outcome.status] += 1
            self.total += 1
            if self._keep:
                self.outcomes[outcome.stream].append(outcome)
            if self._file:
                line = {k: v for k, v in asdict(outcome).items() if v is not None}
                self._file.write(json.dumps(line, sort_keys=True) + "\n")
        if self._file:
            self._file.flush()

    def close(self) -> None:
        """Close the results file."""
        if self._file:
            self._file.close()
            self._file = None

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per stream and status."""
        return {stream: dict(counts) for stream, counts in self._counts.items()}

    def hotglue_state(self) -> dict[str, Any]:
        """The state shape hotglue jobs read after a target run."""
        bookmarks = {
            stream: [
                {
                    "hash": o.hash,
                    "success": o.success,
                    "id": o.odoo_id,
                    "externalId": o.key,
                    "error": o.error,
                    "existing": o.existing,
                    "is_updated": o.status == UPDATED,
                }
                for o in outcomes
            ]
            for stream, outcomes in self.outcomes.items()
        }
        summary = {
            stream: {
                "success": sum(o.success for o in outcomes),
                "fail": sum(not o.success for o in outcomes),
                "existing": sum(o.existing for o in outcomes),
                "updated": sum(o.status == UPDATED for o in outcomes),
            }
            for stream, outcomes in self.outcomes.items()
        }
        return {"bookmarks": bookmarks, "summary": summary}
