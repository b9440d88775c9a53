"""Write one batch of one stream: idempotent upsert by external id, lines with their header,
business actions after, deletes; one outcome per source record."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from odoo_client.errors import AccessDeniedError, OdooError, WriteOutcomeUnknownError
from target_odoo.attachments import attach, source_attachments
from target_odoo.batch_order import split_self_references
from target_odoo.bounds import isolate, raise_if_run_ending
from target_odoo.compare import changed_values, same_lines
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import AfterAction, StreamMapping
from target_odoo.paths import read_path
from target_odoo.record_values import PreparedRecord, RecordError, prepare_record
from target_odoo.recovery import Unrecorded
from target_odoo.results import CREATED, DELETED, FAILED, UNCHANGED, UPDATED, Outcome, record_hash
from target_odoo.rights import is_access_rights_refusal, rights_message
from target_odoo.stopping import finishing
from target_odoo.transforms import apply_transform

LOST_ANSWER = (
    "Odoo's answer to the create was lost and the records it may have made could not be told "
    "apart; check for duplicates before re-running"
)
LOST_NOTHING_MADE = "Odoo's answer to the create was lost and nothing was created; re-run"
ADOPTED = (
    "found by its {what} (created by an earlier run that stopped before recording its external "
    "id); external id recorded"
)


@dataclass(frozen=True)
class WriteSettings:
    """The target settings that shape how a batch is written."""

    namespace: str = "singer"
    dry_run: bool = False
    posted_documents: str = "skip"
    delete_mode: str = "archive"


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


def _error_text(error: Exception) -> str:
    if isinstance(error, AccessDeniedError):  # which right is missing, and who has it
        return rights_message(error)
    return str(error) or type(error).__name__


class BatchWriter:
    """Writes batches of one stream by its mapping."""

    def __init__(
        self,
        client: Any,
        mapping: StreamMapping,
        external_ids: ExternalIds,  # or identity.FieldIdentities (identities on the records)
        resolver: LookupResolver,
        settings: WriteSettings,
        deferred: list[Item] | None = None,
    ) -> None:
        self.client = client
        self.deferred = deferred  # where `after_at_end` actions wait for the end of the input
        self.mapping = mapping
        self.external_ids = external_ids
        self.resolver = resolver
        self.settings = settings
        self.model = mapping.model
        self.unrecorded = Unrecorded(client, mapping, settings.namespace)
        # id(record) -> its item, and the records whose batch ran to the end: what a run that
        # ends mid-batch reports (unfinished.py)
        self.items: dict[int, Item] = {}
        self.completed: set[int] = set()

    # -- the batch, step by step ------------------------------------------------------------

    def write(self, records: list[dict]) -> list[Outcome]:
        """Write a batch; never raises for a bad record, only for an unusable connection.

        Records pointing at another record of the same batch (a contact's parent company) are
        written after it, so the lookup finds its external id.
        """
        first, later = split_self_references(records, self.mapping)
        if not later or not first:
            return self._write(records)
        done = {id(r): o for r, o in zip(first, self._write(first), strict=True)}
        done.update({id(r): o for r, o in zip(later, self.write(later), strict=True)})
        return [done[id(record)] for record in records]

    def _write(self, records: list[dict]) -> list[Outcome]:
        items = [self._item(record) for record in records]
        self._drop_superseded(items)
        self._resolve_lookups([i for i in items if i.live and not i.deleted])
        live = [i for i in items if i.live]
        existing = self.external_ids.find(self.model, [i.name for i in live])
        for item in live:
            item.outcome.odoo_id = existing.get(item.name)
            item.outcome.existing = item.outcome.odoo_id is not None
            problem = self.external_ids.problem(item.name)
            if problem:
                item.fail(problem)
        live = [i for i in live if i.live]
        self._delete([i for i in live if i.deleted])
        upserts = [i for i in live if not i.deleted]
        self._adopt_unrecorded([i for i in upserts if i.live and not i.outcome.existing])
        self._read_current([i for i in upserts if i.live and i.outcome.existing])
        self._update([i for i in upserts if i.live and i.outcome.existing])
        self._create([i for i in upserts if i.live and not i.outcome.existing])
        self._attach([i for i in upserts if i.live and i.outcome.odoo_id and i.files])
        self._clear_markers([i for i in upserts if i.live and i.outcome.odoo_id])
        written = [i for i in upserts if i.live and i.outcome.odoo_id]
        if self.mapping.after_at_end and self.deferred is not None:
            self.deferred.extend(self._waiting(written))
        else:
            for action in self.mapping.after:
                self._run_after(action, written)
        self.completed.update(id(item.record) for item in items)
        return [item.outcome for item in items]

    def _waiting(self, items: list[Item]) -> list[Item]:
        """The items an `after` action wants, kept light (the source fields its condition
        reads, the state its guard reads) with their own outcome: the record's is reported."""
        paths = {a.when.path for a in self.mapping.after if a.when}
        keep_all = any(not isinstance(path, str) for path in paths)
        waiting = []
        for item in items:
            if not any(self._wants(action, item) for action in self.mapping.after):
                continue
            record = item.record if keep_all else {p: item.record.get(p) for p in paths}
            waiting.append(
                Item(
                    record=record,
                    outcome=replace(item.outcome, status=UNCHANGED, note=None),
                    name=item.name,
                    current=dict(item.current),
                )
            )
        return waiting

    def run_deferred(self, items: list[Item]) -> list[Outcome]:
        """Run the `after` actions that waited for the end of the input; answer an outcome for
        each record an action failed on (the record's own outcome was reported when written)."""
        for action in self.mapping.after:
            self._run_after(action, [i for i in items if i.live])
        failed = [i.outcome for i in items if not i.outcome.success]
        for outcome in failed:
            outcome.note = "the record was written; this action ran at the end of the input"
        return failed

    def _item(self, record: dict) -> Item:
        key = read_path(record, self.mapping.key)
        outcome = Outcome(
            stream=self.mapping.stream,
            key=None if key is None else str(key),
            status=UNCHANGED,
            model=self.model,
            hash=record_hash(record),
            dry_run=self.settings.dry_run,
        )
        item = Item(
            record=record, outcome=outcome, deleted=record.get("_sdc_deleted_at") is not None
        )
        self.items[id(record)] = item
        if key in (None, ""):
            item.fail(f"no source key at {self.mapping.key!r}")
            return item
        skip = self.mapping.skip_when
        if skip and read_path(record, skip.path) in skip.values:
            item.outcome.note = self.mapping.skip_note
            return item  # no name: never written
        item.name = self.external_ids.identity_name(self.mapping.stream, key)
        if not item.deleted:
            try:
                item.prepared = prepare_record(record, self.mapping)
                if self.mapping.attachments:
                    item.files = source_attachments(record, self.mapping.attachments)
            except RecordError as error:
                item.fail(str(error))
        return item

    @staticmethod
    def _drop_superseded(items: list[Item]) -> None:
        last = {item.name: item for item in items if item.live}
        for item in items:
            if item.live and last[item.name] is not item:
                item.outcome.status = UNCHANGED
                item.outcome.note = "superseded by a later record with the same key in this batch"
                item.name = ""

    def _resolve_lookups(self, items: list[Item]) -> None:
        """Lookups first, then the records they create (a customer named on an invoice) only
        for records nothing else fails: a failed record leaves nothing behind."""
        requests = [r for item in items for r in item.prepared.lookup_requests()]
        self.resolver.resolve(requests, create=False)
        for item in items:
            error = item.prepared.lookup_error()
            if error:
                item.fail(error)
        ok = [item for item in items if item.live]
        self.resolver.create_missing([r for item in ok for r in item.prepared.lookup_requests()])
        for item in ok:
            error = item.prepared.lookup_error()
            if error:
                item.fail(error)

    # -- existing records -------------------------------------------------------------------

    def _fields_to_read(self) -> list[str]:
        names = set(self.mapping.fields) | set(self.mapping.constants) | set(self.mapping.lookups)
        names |= set(self.mapping.lines)
        if self.mapping.locked_when:
            names.add(self.mapping.locked_when.field)
        names |= {a.unless.field for a in self.mapping.after if a.unless}
        if self.mapping.marker:
            names.add(self.mapping.marker)
        return sorted(names)

    def _read_current(self, items: list[Item]) -> None:
        if not items:
            return
        try:
            rows = self.client.read(
                self.model, [i.outcome.odoo_id for i in items], self._fields_to_read()
            )
        except OdooError as error:
            raise_if_run_ending(error)
            for item in items:
                item.fail(f"reading the existing record failed: {_error_text(error)}")
            return
        by_id = {row["id"]: row for row in rows}
        dangling = [i for i in items if i.outcome.odoo_id not in by_id]
        for item in dangling:  # the record was deleted in Odoo: create it again
            item.outcome.odoo_id, item.outcome.existing = None, False
        if dangling and not self.settings.dry_run:
            self.external_ids.forget(self.model, [i.name for i in dangling])
        for item in items:
            item.current = by_id.get(item.outcome.odoo_id, {})
        self._read_current_lines([i for i in items if i.current])

    def _read_current_lines(self, items: list[Item]) -> None:
        for one2many, rule in self.mapping.lines.items():
            line_ids = [
                lid
                for i in items
                if one2many in i.prepared.lines
                for lid in i.current.get(one2many) or []
            ]
            if not line_ids:
                continue
            fields = sorted(set(rule.fields) | set(rule.constants) | set(rule.lookups))
            try:
                rows = {row["id"]: row for row in self.client.read(rule.model, line_ids, fields)}
            except OdooError as error:
                raise_if_run_ending(error)
                for item in items:
                    item.fail(f"reading the existing {one2many} failed: {_error_text(error)}")
                return
            for item in items:
                ids = item.current.get(one2many) or []
                item.current[one2many] = [rows[lid] for lid in ids if lid in rows]

    def _changes(self, item: Item) -> dict[str, Any]:
        changes = changed_values(item.prepared.header.resolved(), item.current)
        for one2many, lines in item.prepared.lines.items():
            desired = [line.resolved() for line in lines]
            current = item.current.get(one2many) or []
            if not same_lines(desired, current):
                changes[one2many] = [(2, row["id"]) for row in current] + [
                    (0, 0, vals) for vals in desired
                ]
        return changes

    def _locked_state(self, item: Item) -> str | None:
        guard = self.mapping.locked_when
        if guard and item.current.get(guard.field) in guard.values:
            return item.current[guard.field]
        return None

    def _update(self, items: list[Item]) -> None:
        groups: dict[str, list[Item]] = {}
        for item in items:
            changes = self._changes(item)
            if not changes:
                continue
            state = self._locked_state(item)
            if state is not None:
                message = f"{self.model} {item.outcome.odoo_id} is {state}: not rewritten"
                if self.settings.posted_documents == "fail":
                    item.fail(message + " (posted_documents=fail)")
                else:
                    item.outcome.note = message
                continue
            groups.setdefault(json.dumps(changes, sort_keys=True, default=str), []).append(item)
        for changes_json, same in groups.items():
            changes = json.loads(changes_json)
            if self.settings.dry_run:
                self._mark(same, "would_update")
                continue
            self._write_group(same, changes)

    def _write_group(self, items: list[Item], changes: dict) -> None:
        try:
            self.client.write(self.model, [i.outcome.odoo_id for i in items], changes)
            self._mark(items, UPDATED)
        except WriteOutcomeUnknownError:
            for item in items:
                item.fail("Odoo's answer to the update was lost; re-run to reconcile")
        except OdooError as error:
            raise_if_run_ending(error)
            if len(items) == 1 or is_access_rights_refusal(error):
                for item in items:
                    item.fail(_error_text(error))
                return
            # isolate the record Odoo refused
            isolate(items, f"{self.model}.write", error, lambda i: self._write_group([i], changes))

    # -- new records ------------------------------------------------------------------------

    def _create_values(self, item: Item) -> dict[str, Any]:
        vals = {**self.mapping.on_create, **item.prepared.header.resolved()}
        vals.update(self.external_ids.create_values(self.mapping.stream, item.name))
        if self.mapping.marker:
            vals[self.mapping.marker] = self.unrecorded.marker_value(item.name)
        for one2many, lines in item.prepared.lines.items():
            vals[one2many] = [(0, 0, line.resolved()) for line in lines]
        return vals

    def _identities(self, items: list[Item]) -> dict[str, tuple]:
        found = {}
        for item in items:
            identity = self.unrecorded.identity(item.name, self._create_values(item))
            if identity is not None:
                found[item.name] = identity
        return found

    def _adopt_unrecorded(self, items: list[Item]) -> None:
        """Records of ours without external id (a run stopped between create and external-id
        write) are adopted, then compared and updated like any existing record."""
        if not items or not self.unrecorded.enabled:
            return
        identities = self._identities(items)
        found = self.unrecorded.find(identities)  # refused (access rights): the run stops
        claims: dict[int, int] = {}
        for ids in found.values():
            for res_id in ids:
                claims[res_id] = claims.get(res_id, 0) + 1
        adopted = []
        for item in items:
            ids = found.get(item.name, [])
            if len(ids) > 1:
                what = self.unrecorded.describe(identities[item.name])
                item.fail(
                    f"{len(ids)} records of {self.model} created by this user carry {what} and "
                    f"have no external id (ids {ids}): keep one, give it the external id "
                    f"{self.unrecorded.marker_value(item.name)} or delete the others, and re-run"
                )
            elif ids and claims[ids[0]] == 1:  # a natural key two records share proves nothing
                item.outcome.odoo_id, item.outcome.existing = ids[0], True
                what = "marker" if self.mapping.marker else "natural key"
                item.outcome.note = ADOPTED.format(
                    what=f"{what} {self.unrecorded.describe(identities[item.name])}"
                )
                adopted.append(item)
        if adopted and not self.settings.dry_run:
            self._record_external_ids(adopted, adopting=True)

    def _create(self, items: list[Item]) -> None:
        if not items:
            return
        if self.settings.dry_run:
            self._mark(items, "would_create")
            return
        recognisable = self.unrecorded.enabled or self.external_ids.on_records
        floor = None if recognisable else self.unrecorded.highest_id()
        try:
            ids = self.client.create(self.model, [self._create_values(i) for i in items])
        except WriteOutcomeUnknownError:
            self._recover_lost_create(items, floor)
            return
        except OdooError as error:
            raise_if_run_ending(error)
            if len(items) == 1 or is_access_rights_refusal(error):  # the model refuses them all
                for item in items:
                    item.fail(_error_text(error))
                return
            # one bad record fails the whole call: isolate it
            isolate(items, f"{self.model}.create", error, lambda i: self._create([i]))
            return
        for item, res_id in zip(items, ids, strict=True):
            item.outcome.odoo_id = res_id
        self._mark(items, CREATED)
        with finishing(self.client):  # part of the create: runs even once stopping (the grace)
            self._record_external_ids(items)

    def _record_external_ids(self, items: list[Item], adopting: bool = False) -> None:
        try:
            self.external_ids.record(self.model, {i.name: i.outcome.odoo_id for i in items})
        except OdooError as error:  # even Odoo unavailable: the records fail, saying why
            how = "found" if adopting else "created"
            then = (
                f"a re-run finds it by its {', '.join(self.unrecorded.fields)} and adopts it"
                if self.unrecorded.enabled
                else "a re-run would create it again"
            )
            for item in items:
                item.fail(
                    f"{how} as {self.model} {item.outcome.odoo_id} but its external id was not "
                    f"recorded ({_error_text(error)}); {then}"
                )

    def _recover_lost_create(self, items: list[Item], floor: int | None) -> None:
        """A create whose answer was lost: adopt what it made, never send it blindly again."""
        try:
            if floor is None and self.external_ids.on_records:  # the create wrote the identity
                found_ids = self.external_ids.find(self.model, [i.name for i in items])
                ids = [found_ids.get(i.name) for i in items]
                made = any(ids)
            elif floor is None:
                identities = self._identities(items)
                found = self.unrecorded.find(identities)
                ids = [found[i.name][0] if len(found.get(i.name, [])) == 1 else None for i in items]
                made = any(found.values())
            else:
                wanted = [
                    {
                        k: v
                        for k, v in i.prepared.header.resolved().items()
                        if isinstance(v, (str, float))
                    }
                    for i in items
                ]
                matched = self.unrecorded.created_since(floor, wanted)
                made = matched is not None
                ids = matched or [None] * len(items)
        except AccessDeniedError:
            raise
        except OdooError as error:
            raise_if_run_ending(error)
            for item in items:
                item.fail(f"{LOST_ANSWER} (looking for them failed: {_error_text(error)})")
            return
        found_items = []
        for item, res_id in zip(items, ids, strict=True):
            if res_id is None:
                item.fail(LOST_ANSWER if made else LOST_NOTHING_MADE)
            else:
                item.outcome.odoo_id = res_id
                found_items.append(item)
        self._mark(found_items, CREATED)
        if found_items:
            self._record_external_ids(found_items)

    def _clear_markers(self, items: list[Item]) -> None:
        """The create marker has done its work once the external id is recorded: it is cleared
        before any `after` action, so a customer never sees it (Odoo prints invoice_origin as
        "Source" on the invoice). A marker a stopped run left behind is cleared by the next run
        that finds the record; a value that is not our marker is never touched."""
        marker = self.mapping.marker
        if not marker or self.settings.dry_run:
            return
        todo = [
            i
            for i in items
            if i.outcome.status == CREATED
            or i.current.get(marker) == self.unrecorded.marker_value(i.name)
        ]
        if not todo:
            return
        try:
            self.client.write(self.model, [i.outcome.odoo_id for i in todo], {marker: False})
        except OdooError as error:  # the record is written and recorded: note it, go on
            raise_if_run_ending(error)
            note = f"its marker {marker} was not cleared ({_error_text(error)}); the next run does"
            for item in todo:
                item.outcome.note = f"{item.outcome.note}; {note}" if item.outcome.note else note

    # -- after actions and deletes ----------------------------------------------------------

    def _wants(self, action: AfterAction, item: Item) -> bool:
        when = action.when
        if when is not None:
            value = read_path(item.record, when.path)
            try:
                value = apply_transform(when.transform, value)
            except ValueError:
                return False
            if value not in when.values:
                return False
        unless = action.unless
        return not (unless and item.current.get(unless.field) in unless.values)

    def _run_after(self, action: AfterAction, items: list[Item]) -> None:
        targets = [i for i in items if self._wants(action, i) and self._locked_state(i) is None]
        if not targets or self.settings.dry_run:
            return
        try:
            self.client.call(self.model, action.method, [i.outcome.odoo_id for i in targets])
        except WriteOutcomeUnknownError as error:
            self._settle_after(action, targets, error)  # never re-sent blindly
            return
        except OdooError as error:
            raise_if_run_ending(error)
            if len(targets) == 1:
                targets[0].fail(f"{action.method} failed: {_error_text(error)}")
                return
            # Odoo refused the call (rolled back): isolate the record
            what = f"{self.model}.{action.method}"
            isolate(targets, what, error, lambda i: self._run_after(action, [i]))
            return
        self._acted(targets)

    @staticmethod
    def _acted(items: list[Item]) -> None:
        for item in items:
            if item.outcome.status == UNCHANGED:
                item.outcome.status = UPDATED

    def _settle_after(self, action: AfterAction, items: list[Item], error: OdooError) -> None:
        """An action whose answer was lost: read the state back; records now in an `unless`
        state (posted, confirmed) were acted on, the others fail with "re-run"."""
        lost = f"{action.method}: Odoo's answer was lost ({_error_text(error)})"
        guard = action.unless
        if guard is None:
            for item in items:
                item.fail(f"{lost}; whether it ran is unknown: check the record in Odoo")
            return
        try:
            states = self._states(items, guard.field)
        except OdooError as read_error:
            raise_if_run_ending(read_error)
            for item in items:
                item.fail(
                    f"{lost} and reading {guard.field} back failed ({_error_text(read_error)}); "
                    "check the record in Odoo, a re-run does what is missing"
                )
            return
        done = [i for i in items if states.get(i.outcome.odoo_id) in guard.values]
        self._acted(done)
        for item in items:
            if all(item is not d for d in done):
                state = states.get(item.outcome.odoo_id)
                item.fail(f"{lost} and it did not happen ({guard.field} is {state!r}); re-run")

    def _attach(self, items: list[Item]) -> None:
        if not items or self.settings.dry_run:
            return
        try:
            attach(self.client, self.model, {i.outcome.odoo_id: i.files for i in items})
        except OdooError as error:
            raise_if_run_ending(error)
            for item in items:
                item.fail(f"attaching files failed: {_error_text(error)}")

    def _delete(self, items: list[Item]) -> None:
        present = [i for i in items if i.outcome.existing]
        for item in items:
            if not item.outcome.existing:
                item.outcome.note = "deleted in the source; not in Odoo"
        if not present:
            return
        if self.settings.dry_run:
            self._mark(present, "would_delete")
            return
        if self.settings.delete_mode == "unlink":
            self._unlink(present)
        elif self.mapping.has_active:
            archive = {"active": False}
            self._delete_call(
                present, "archive", lambda ids: self.client.write(self.model, ids, archive)
            )
        elif self.mapping.cancel:
            self._cancel(present)
        else:
            for item in present:
                item.fail(
                    f"delete (archive) failed: {self.model} has no 'active' field and no cancel "
                    f"action to archive it with; set delete_mode=unlink, or give stream "
                    f"{self.mapping.stream!r} a 'cancel' rule in the mapping"
                )

    def _unlink(self, items: list[Item]) -> None:
        rule = self.mapping.cancel
        if rule and rule.before_unlink:  # Odoo deletes orders only once cancelled
            items = self._cancel(items)
            for item in items:
                item.outcome.status = UNCHANGED
        hint = ""
        if rule and rule.before_unlink:
            hint = f"It is cancelled ({rule.method}) but still in Odoo."
        elif rule:
            hint = f"The record is kept (delete_mode=archive would cancel it with {rule.method})."
        done = self._delete_call(
            items, "unlink", lambda ids: self.client.unlink(self.model, ids), hint=hint
        )
        if done:
            self.external_ids.forget(self.model, [i.name for i in done])

    def _states(self, items: list[Item], field_name: str) -> dict[int, Any]:
        rows = self.client.read(self.model, [i.outcome.odoo_id for i in items], [field_name])
        return {row["id"]: row[field_name] for row in rows}

    def _cancel(self, items: list[Item]) -> list[Item]:
        """Archive by the model's cancel action; answer the items now cancelled."""
        rule = self.mapping.cancel
        guard = rule.done
        todo = items
        if guard:
            try:
                states = self._states(items, guard.field)
            except OdooError as error:
                raise_if_run_ending(error)
                for item in items:
                    item.fail(f"delete (archive) failed: reading {guard.field}: {error}")
                return []
            todo = []
            for item in items:
                state = states.get(item.outcome.odoo_id)
                if state in guard.values:
                    item.outcome.status = DELETED
                    item.outcome.note = f"already {state} in Odoo"
                else:
                    todo.append(item)
        what = f"archive: {rule.method}"
        self._delete_call(
            todo,
            what,
            lambda ids: self.client.call(self.model, rule.method, ids),
            settled=self._cancelled if guard else None,
        )
        return [i for i in items if i.outcome.status == DELETED]

    def _cancelled(self, items: list[Item]) -> list[Item]:
        """After a cancel call failed or lost its answer: the items Odoo cancelled anyway."""
        guard = self.mapping.cancel.done
        try:
            states = self._states(items, guard.field)
        except OdooError as error:
            raise_if_run_ending(error)
            return []
        return [i for i in items if states.get(i.outcome.odoo_id) in guard.values]

    def _delete_call(
        self,
        items: list[Item],
        what: str,
        action: Any,
        hint: str = "",
        settled: Any = None,
    ) -> list[Item]:
        """One call for all; Odoo refusing it, one by one. Answer the items deleted."""
        if not items:
            return []
        try:
            action([i.outcome.odoo_id for i in items])
        except OdooError as error:
            raise_if_run_ending(error)
            done = settled(items) if settled else []
            self._mark(done, DELETED)
            gone = {id(i) for i in done}
            rest = [i for i in items if id(i) not in gone]
            if isinstance(error, WriteOutcomeUnknownError) or len(rest) <= 1:
                text = f"delete ({what}) failed: {_error_text(error)}"
                if hint:
                    text = f"{text.rstrip('.')}. {hint}"
                for item in rest:
                    item.fail(text)
                return done
            isolate(
                rest,
                f"delete ({what}) of {self.model}",
                error,
                lambda i: done.extend(self._delete_call([i], what, action, hint, settled)),
            )
            return done
        self._mark(items, DELETED)
        return items

    @staticmethod
    def _mark(items: list[Item], status: str) -> None:
        for item in items:
            item.outcome.status = status
