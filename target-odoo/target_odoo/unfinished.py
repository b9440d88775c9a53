"""What a run that ends early reports: every record it read and did not write to the end gets
the status `not_written`, saying what was done and what a re-run does, so no record is lost
silently nor counted as written.

A run ends early on a stop signal (`Stopped`) or on an Odoo error no record is to blame for
(Odoo unavailable after the retries, the login refused, ...), wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from odoo_client.errors import OdooError
from target_odoo.paths import read_path
from target_odoo.results import CREATED, DELETED, NOT_WRITTEN, UNCHANGED, Outcome, record_hash
from target_odoo.stopping import Stopped

if TYPE_CHECKING:
    from target_odoo.upsert import BatchWriter, Item

RUN_ENDERS = (Stopped, OdooError)
RERUN = (
    "run the same input again: the re-run compares each record with Odoo and writes only "
    "what is missing"
)
REASON_LENGTH = 300


def interruption(error: BaseException) -> str:
    """Why the run ended, for the outcomes of the records it did not write."""
    if isinstance(error, Stopped):
        return f"the run was stopped by {error.signal_name} {error.where}"
    text = " ".join(str(error).split())
    if len(text) > REASON_LENGTH:
        text = text[: REASON_LENGTH - 3] + "..."
    return f"the run ended on {type(error).__name__}: {text}"


def _adoption_hint(writer: BatchWriter) -> str:
    if writer.unrecorded.enabled:
        return f"a re-run finds it by its {', '.join(writer.unrecorded.fields)} and adopts it"
    return "a re-run cannot tell it apart and may create it again: check for a duplicate"


def _what_was_done(writer: BatchWriter, item: Item, abandoned: str | None) -> str:
    model, res_id = writer.model, item.outcome.odoo_id
    if item.outcome.status == CREATED and res_id:
        if writer.external_ids.known(model, item.name):
            return f" (created as {model} {res_id} and its external id recorded)"
        return (
            f" (created as {model} {res_id} but its external id was not recorded; "
            f"{_adoption_hint(writer)})"
        )
    if abandoned == f"{model}.create" and not item.outcome.existing:
        return (
            f" (Odoo may have created it before the call was abandoned; {_adoption_hint(writer)})"
        )
    if res_id and abandoned:
        return f" (Odoo may or may not have run {abandoned} on {model} {res_id})"
    return ""


def mark_unfinished(writer: BatchWriter, error: BaseException) -> None:
    """Mark the records of the writer's batch in progress that were not written to the end."""
    reason = interruption(error)
    abandoned = error.abandoned if isinstance(error, Stopped) else None
    for key, item in writer.items.items():
        outcome = item.outcome
        if key in writer.completed or not item.live or outcome.status in (DELETED, NOT_WRITTEN):
            continue
        done = _what_was_done(writer, item, abandoned)
        outcome.status, outcome.error = NOT_WRITTEN, f"not written: {reason}{done}; {RERUN}"


def record_outcome(
    stream: str, model: str | None, key_path: Any, record: dict, why: str
) -> Outcome:
    """The not_written outcome of a record the writer never took up."""
    key = read_path(record, key_path) if key_path else None
    return Outcome(
        stream=stream,
        key=None if key is None else str(key),
        status=NOT_WRITTEN,
        model=model,
        error=f"not written: {why}; {RERUN}",
        hash=record_hash(record),
    )


def batch_outcomes(
    records: Iterable[dict],
    known: dict[int, Outcome],
    writer: BatchWriter | None,
    error: BaseException,
    describe: Any,
) -> list[Outcome]:
    """One outcome per record of a batch the run ended in: its own when it has one (invalid,
    written before the end, marked by `mark_unfinished`), else not_written (`describe(record,
    why)` builds it)."""
    if writer is not None:
        mark_unfinished(writer, error)
        known = {**{k: i.outcome for k, i in writer.items.items()}, **known}
    why = interruption(error)
    return [known.get(id(record)) or describe(record, why) for record in records]


def deferred_outcomes(items: Iterable[Item], error: BaseException) -> list[Outcome]:
    """Second outcomes of written records whose `after` action waited for the end of the
    input and did not run (or failed) before the run ended."""
    reason = interruption(error)
    outcomes = []
    for item in items:
        if item.outcome.status == UNCHANGED:
            item.outcome.status = NOT_WRITTEN
            item.outcome.error = (
                f"not finished: the record was written; its action at the end of the input did "
                f"not run: {reason}; {RERUN}"
            )
        if not item.outcome.success:
            outcomes.append(item.outcome)
    return outcomes
