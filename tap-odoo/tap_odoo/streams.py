"""The one stream class: reads an Odoo model page by page and keeps resumable Singer state.

State of a stream (under `bookmarks.<stream>`):
- `replication_key_value`: where the next run starts (`write_date >= value`), written when the
  stream completes: the server's clock when this run began, minus `lookback_minutes`.
- `resume`: while a run is under way, `{"since", "after_id", "run_started"}` after every page, so a
  run killed mid-stream starts again at the page after the last one it emitted.
- `ids`: with `detect_deletions`, the ids the stream held at the end of the last run, as ranges;
  ids gone since are emitted as `{"id": ..., "_sdc_deleted_at": ...}` records.

Why not bookmark the largest `write_date` read: Odoo reads it back truncated to the second and
stamps every row of one transaction with the transaction's start, so a value read says little about
what is still to come (see DESIGN.md, "write_date").
"""

from __future__ import annotations

import datetime as dt
import time
import typing as t

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import RecordMessage

from odoo_client import RowsPage, errors, stopping
from tap_odoo import id_ranges
from tap_odoo.deletions import pack_ranges, read_all_ids, to_ranges, unpack_ranges, vanished
from tap_odoo.field_kinds import CHANGE_MARKER, change_domain, per_company, tracked_via, untracked
from tap_odoo.isolation import MAX_PROBES_PER_STREAM, FieldIsolation, FieldIsolationError
from tap_odoo.output import PageBufferedWriter, record_envelope_end, record_prefix
from tap_odoo.paging import OFFSET, PageReader
from tap_odoo.schema import RELATION_NAME_SUFFIX, make_normalizer

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context, Record

    from tap_odoo.stream_specs import StreamSpec
    from tap_odoo.tap import TapOdoo

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
PROGRESS_EVERY_SECONDS = 10.0
ID_PAGE_SIZE = 50_000
DELETED_AT = "_sdc_deleted_at"


def to_odoo_datetime(value: dt.datetime) -> str:
    """Format an aware datetime the way Odoo's domains expect it (UTC, no zone)."""
    return value.astimezone(dt.timezone.utc).strftime(ODOO_DATETIME)


def parse_timestamp(value: str) -> dt.datetime:
    """Parse an RFC 3339 or Odoo datetime text; a value without a zone is UTC."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


class OdooStream(Stream):
    """One Odoo model (or a user-declared slice of one) as a Singer stream."""

    # Our bookmark advances per page, from the server's clock, not per record: the SDK's own
    # per-record bookmarking (and its sort check, which a look-back window trips by design) is off.
    is_sorted = False
    check_sorted = False
    # Rows leave `make_normalizer` already in their schema's types, holding only selected fields
    # (see `_requested_fields`, `_unwanted_keys`): the SDK's per-value conformance pass
    # would only repeat that work, and it was half of the tap's CPU time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: TapOdoo, spec: StreamSpec) -> None:
        self.detect_deletions = bool(tap.config.get("detect_deletions", True))
        schema = spec.schema
        if self.detect_deletions:
            deleted_at = {"type": ["string", "null"], "format": "date-time"}
            schema = {**schema, "properties": {**schema["properties"], DELETED_AT: deleted_at}}
        super().__init__(tap, schema=schema, name=spec.name)
        self.spec = spec
        self.primary_keys = list(spec.key_properties)
        full_table = spec.name in (tap.config.get("full_sync_streams") or [])
        self.replication_key = None if full_table else spec.replication_key
        self.id_range = id_ranges.stream_id_range(tap.config, spec.name)
        self._tap_odoo = tap
        self.skipped_fields: set[str] = set(tap.config.get("ignore_fields", {}).get(spec.model, []))
        self._isolation = FieldIsolation(spec.model)
        self.failure: Exception | None = None
        self.status = "not run"  # then running, ok, FAILED or stopped (the end-of-run summary)
        self.rows_emitted = 0
        self.rows_deleted = 0
        self.retries = 0
        self.seconds = 0.0
        self._direct_writer: tuple[PageBufferedWriter, str] | None = None
        self._envelope_end = "}\n"
        self._time_extracted: dt.datetime | None = None

    @property
    def model(self) -> str:
        """The Odoo model this stream reads."""
        return self.spec.model

    @property
    def _singer_catalog_entry(self):
        entry = super()._singer_catalog_entry
        entry.table = self.spec.model  # where `--catalog` finds the model again
        return entry

    @property
    def metadata(self):
        """The SDK's metadata; when this tap builds it (no input catalog), each property says
        whether it is selected by default: computed fields are not (field_kinds.py)."""
        built = self._metadata is not None
        metadata = super().metadata
        catalog = self._tap_input_catalog
        if built or (catalog is not None and catalog.get_stream(self.tap_stream_id)):
            return metadata
        for breadcrumb, entry in metadata.items():
            if len(breadcrumb) == 2 and entry.inclusion != entry.InclusionType.AUTOMATIC:
                entry.selected_by_default = breadcrumb[1] not in self.spec.unselected
        return metadata

    def apply_catalog(self, catalog) -> None:
        """The SDK's, plus: a stream the catalog sets to FULL_TABLE (Meltano's
        `metadata: {<stream>: {replication-method: FULL_TABLE}}`) or that `full_sync_streams`
        names is read in full, whatever replication key the catalog names."""
        super().apply_catalog(catalog)
        full_sync = self.name in (self.config.get("full_sync_streams") or [])
        if full_sync or str(self.forced_replication_method or "").upper() == "FULL_TABLE":
            self.replication_key = None

    # What to read

    def _selected(self, name: str) -> bool:
        return self.mask.get(("properties", name), True)

    def _display_names(self) -> dict[str, str]:
        """many2one field -> its `<field>_name` key, for the names this run emits."""
        if not self.config.get("relation_names"):
            return {}
        properties = self.schema["properties"]
        return {
            name: name + RELATION_NAME_SUFFIX
            for name, field in self.spec.fields.items()
            if field.get("type") == "many2one"
            and name + RELATION_NAME_SUFFIX not in self.spec.fields
            and name + RELATION_NAME_SUFFIX in properties
            and self._selected(name + RELATION_NAME_SUFFIX)
        }

    def _requested_fields(self) -> list[str]:
        wanted = {name for name in self.spec.fields if self._selected(name)}
        wanted |= set(self._display_names())  # a selected name needs its many2one read
        wanted -= self.skipped_fields
        wanted.add("id")
        if self.replication_key:
            wanted.add(self.replication_key)
        return sorted(wanted)

    def _unwanted_keys(self) -> list[str]:
        """Keys the normalizer emits that the catalog does not want: a many2one read only for
        its display name, a `<many2one>_name` the catalog lacks or deselects."""
        if not self.config.get("relation_names"):
            return []
        names = self._display_names()
        unwanted = [name for name in names if not self._selected(name)]
        for name, field in self.spec.fields.items():
            derived = name + RELATION_NAME_SUFFIX
            if (
                field.get("type") == "many2one"
                and name not in names
                and derived not in self.spec.fields
            ):
                unwanted.append(derived)
        return unwanted

    def _base_domain(self) -> list:
        config = self.config
        domain = list(self.spec.domain)
        domain += (config.get("stream_domains") or {}).get(self.name, [])
        domain += id_ranges.id_range_domain(self.id_range)
        company_ids = config.get("company_ids")
        company = self.spec.company_field
        if company_ids and company:
            domain += ["|", (company, "=", False), (company, "in", list(company_ids))]
        return domain

    def _read_kwargs(self) -> dict:
        kwargs: dict[str, t.Any] = {}
        if not self.config.get("relation_names"):
            kwargs["load"] = False  # bare many2one ids: no display-name work on the server
        if not self.config.get("binary_content"):
            kwargs["context"] = {"bin_size": True}
        return kwargs

    # Where to start

    def _start(self) -> tuple[dt.datetime | None, int | None, dt.datetime | None]:
        """Return (write_date lower bound, id to resume after or None, run start of a resumed
        run). Ids may be 0 or negative (SQL-view models): None, not 0, says "from the start"."""
        state = self.stream_state
        resume = state.get("resume")
        if resume:
            since = parse_timestamp(resume["since"]) if resume.get("since") else None
            run_started = parse_timestamp(resume["run_started"])
            after = resume.get("after_id")
            return since, None if after is None else int(after), run_started
        if not self.replication_key:
            return None, None, None
        bookmark = state.get("replication_key_value")
        if bookmark:
            return parse_timestamp(bookmark), None, None
        start_date = self.config.get("start_date")
        return (parse_timestamp(start_date) if start_date else None), None, None

    def _server_now(self) -> dt.datetime:
        """The server's clock (HTTP Date of the latest answer); ours if it sent none."""
        server_time = self._tap_odoo.client.last_server_time
        if server_time is None:
            self.logger.warning(
                "The server sent no Date header: using this machine's clock for the bookmark of "
                "'%s'; keep lookback_minutes larger than the clock difference.",
                self.name,
            )
            return dt.datetime.now(dt.timezone.utc)
        return server_time

    # Reading

    def _fetch(self, domain: list, offset: int, limit: int, order: str) -> RowsPage:
        """One page; a field that makes the server fail is found, skipped and the page read
        again (tap_odoo.isolation: bounded, and only when a field can be at fault)."""
        client = self._tap_odoo.client
        # Each round skips at least one more field, within the isolation's call budget.
        for _ in range(MAX_PROBES_PER_STREAM + 1):
            fields = self._requested_fields()
            try:
                return client.search_read_page(
                    self.model,
                    domain,
                    fields,
                    offset=offset,
                    limit=limit,
                    order=order,
                    **self._read_kwargs(),
                )
            except errors.ServerError as error:
                bad = self._isolation.failing_fields(
                    error, fields, self._page_reader(domain, offset, limit, order)
                )
            for name in bad:
                self.logger.warning(
                    "Skipping field '%s' of model '%s': the server fails when reading it "
                    "(add it to ignore_fields to skip this check).",
                    name,
                    self.model,
                )
            self.skipped_fields.update(bad)
        msg = f"Reading '{self.model}' kept failing after {MAX_PROBES_PER_STREAM} fields skipped."
        raise FieldIsolationError(msg, model=self.model, method="search_read")

    def _page_reader(
        self, domain: list, offset: int, limit: int, order: str
    ) -> t.Callable[[list[str]], bool]:
        """Whether the failing page reads with `id` and a subset of its fields."""
        client = self._tap_odoo.client
        page = {"offset": offset, "limit": limit, "order": order, **self._read_kwargs()}

        def reads(subset: list[str]) -> bool:
            try:
                client.search_read(self.model, domain, ["id", *subset], **page)
            except errors.ServerError:
                return False
            return True

        return reads

    def sync(self, context: Context | None = None) -> None:
        """The SDK's sync; an error that concerns this stream only is kept in `failure` instead
        of ending the run (its rows so far and its last STATE stand; a re-run resumes it).
        Errors no other stream would escape (login, server down, settings) still end it."""
        self.status = "running"
        try:
            super().sync(context)
        except stopping.Stopped:
            self.status = "stopped"
            raise
        except errors.RUN_ENDING_ERRORS:
            self.status = "FAILED"
            raise
        except errors.OdooError as error:
            self._failed(error)
        except Exception as error:  # an answer nobody foresaw: it concerns this stream only
            self.logger.exception(
                "Stream '%s' met an unexpected error (a bug: please report it with this traceback)",
                self.name,
            )
            self._failed(error)
        else:
            self.status = "ok"

    def _failed(self, error: Exception) -> None:
        self.status = "FAILED"
        self.failure = error
        self.logger.error(
            "Stream '%s' failed and is left for the next run; the other streams go on: %s",
            self.name,
            " ".join(str(error).split()),
        )

    def _changed_since(self, since: dt.datetime) -> list:
        """The domain of rows changed since `since`: `write_date >= since`, OR-ed with the
        `write_date` of the rows that selected related fields are read through (a renamed
        template changes its variants' name, not their write_date)."""
        bound = to_odoo_datetime(since)
        via = ()
        if self.replication_key == CHANGE_MARKER:
            via = tracked_via(self.spec.kinds, self._requested_fields())
        return change_domain(self.replication_key or CHANGE_MARKER, bound, via)

    def _explain_field_kinds(self) -> None:
        """Warn once per run when an incremental read cannot see some selected fields change;
        say which company the company-dependent values are read for when several are allowed."""
        requested = self._requested_fields()
        blind = untracked(self.spec.kinds, requested)
        if self.replication_key and blind:
            self.logger.warning(
                "Stream '%s' reads computed fields whose changes leave write_date as it is (%s): "
                "an incremental run misses rows where only they changed. To read the stream in "
                "full every run, list it in full_sync_streams (or set its replication-method "
                "to FULL_TABLE), or deselect these fields.",
                self.name,
                ", ".join(blind),
            )
        companies = list(self._tap_odoo.client.settings.company_ids)  # parsed as the client does
        per_company_fields = per_company(self.spec.kinds, requested)
        if len(companies) > 1 and per_company_fields:
            self.logger.info(
                "Stream '%s': company-dependent fields (%s) hold the values of company %s, the "
                "first of company_ids; run once per company for each company's values.",
                self.name,
                ", ".join(per_company_fields),
                companies[0],
            )

    def get_records(self, context: Context | None) -> t.Iterable[Record]:
        """Read the model page by page, saving a resume point after each page."""
        id_ranges.check_state_range(self.stream_state, self.id_range, self.name)
        if self.id_range is not None:
            self.stream_state[id_ranges.STATE_KEY] = id_ranges.saved_range(self.id_range)
        since, after_id, run_started = self._start()
        domain = self._base_domain()
        if since is not None and self.replication_key:
            domain += self._changed_since(since)
        self._explain_field_kinds()

        client = self._tap_odoo.client
        retries_before = client.retries
        try:
            yield from self._read_pages(since, after_id, run_started, domain)
        finally:
            # Streams sync one after another, so the client's retries meanwhile are this one's.
            self.retries += client.retries - retries_before

    def _read_pages(
        self,
        since: dt.datetime | None,
        after_id: int | None,
        run_started: dt.datetime | None,
        domain: list,
    ) -> t.Iterator[Record]:
        """The rows of `domain` after `after_id`, then the deletions; completes the stream."""
        config = self.config
        client = self._tap_odoo.client
        total = client.search_count(self.model, domain)
        if run_started is None:
            run_started = self._server_now()  # read right after search_count: before any page
        if after_id is not None:
            self.logger.info("Resuming '%s' after id %s.", self.name, after_id)

        mode = config.get("pagination", "keyset")
        if mode == OFFSET:
            self.logger.warning(
                "Stream '%s' uses offset pagination: rows deleted or moved out of the domain "
                "while it reads make later pages skip rows. Prefer pagination 'keyset'.",
                self.name,
            )
        if mode == OFFSET and after_id is not None:  # a resumed offset run starts after it too
            domain, after_id = [*domain, ("id", ">", after_id)], None
        reader = PageReader(
            self._fetch,
            domain=domain,
            after_id=after_id,
            page_size=int(config.get("page_size", 2000)),
            mode=mode,
            prefetch=config.get("prefetch", True),
        )
        normalize = make_normalizer(self.spec.fields, bool(config.get("relation_names")))
        unwanted = self._unwanted_keys()
        progress = _Progress(self, total)
        started = time.monotonic()
        alive = {DELETED_AT: None} if self.detect_deletions else {}
        self._direct_writer = self._find_direct_writer()
        for page in reader:
            self._extracted_now()
            for row in page:
                record = normalize(row)
                record.update(alive)
                for key in unwanted:
                    record.pop(key, None)
                yield record
            self.rows_emitted += len(page)
            self._save_resume_point(since, page[-1]["id"], run_started)
            progress.page_done(len(page))
            stopping.check()  # a safe point: the page and its STATE are out
        if self.detect_deletions:
            yield from self._deleted_records(self._base_domain())
        self.seconds += time.monotonic() - started
        self._complete(run_started)
        progress.done()

    def _deleted_records(self, domain: list) -> t.Iterator[Record]:
        """Rows present at the last run and gone now (one id-only search per 50,000 rows)."""
        client = self._tap_odoo.client

        def search(page_domain: list, limit: int) -> list[int]:
            return client.search(self.model, page_domain, limit=limit, order="id asc")

        current = read_all_ids(search, domain, ID_PAGE_SIZE)
        previous = unpack_ranges(self.stream_state.get("ids"))
        if previous:
            deleted_at = self._server_now().isoformat()
            self._extracted_now()
            for record_id in vanished(previous, current):
                self.rows_deleted += 1
                yield {"id": record_id, DELETED_AT: deleted_at}
        # Only now: a run stopped while emitting them finds the same deletions next time.
        self.stream_state["ids"] = pack_ranges(to_ranges(current))

    # Writing

    def _find_direct_writer(self) -> tuple[PageBufferedWriter, str] | None:
        """The writer and line prefix for writing records straight out, when nothing maps them.

        Stream maps (aliases, filters, flattening) and a writer other than ours take the SDK's
        path, which builds a RecordMessage per row: a quarter of the tap's time per row.
        """
        writer = self._tap_odoo.message_writer
        maps = self.stream_maps
        if not isinstance(writer, PageBufferedWriter) or len(maps) != 1:
            return None
        (stream_map,) = maps
        if type(stream_map) is not SameRecordTransform:
            return None
        if stream_map.flattening_options and stream_map.flattening_enabled:
            return None
        return writer, record_prefix(stream_map.stream_alias)

    def _extracted_now(self) -> None:
        """Stamp the records that follow (one page) with the time they were extracted."""
        now = dt.datetime.now(dt.timezone.utc)
        self._envelope_end = record_envelope_end(self._stream_version, now)
        self._time_extracted = now

    def _write_record_message(self, record: Record) -> None:
        direct = self._direct_writer
        if direct is None:
            super()._write_record_message(record)
            return
        writer, prefix = direct
        writer.write_record(prefix, record, self._envelope_end)
        self.state_manager.is_flushed = False

    def generate_child_contexts(
        self, record: Record, context: Context | None
    ) -> t.Iterable[Context | None]:
        """None: Odoo streams have no child streams (the SDK's default costs a call per row)."""
        if self.child_streams:
            return super().generate_child_contexts(record, context)
        return ()

    def _generate_record_messages(self, record: Record) -> t.Iterator[RecordMessage]:
        """The SDK's RECORD messages, without its per-record pass over the selection mask.

        Records hold only selected fields already (see the class attributes), and that pass cost
        a dict copy and a mask lookup per field of every row. Stream maps still apply.
        """
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=self._time_extracted,
                )

    # State

    def _save_resume_point(
        self, since: dt.datetime | None, after_id: int, run_started: dt.datetime
    ) -> None:
        self.stream_state["resume"] = {
            "since": since.isoformat() if since else None,
            "after_id": after_id,
            "run_started": run_started.isoformat(),
        }
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _complete(self, run_started: dt.datetime) -> None:
        state = self.stream_state
        state.pop("resume", None)
        if self.replication_key:
            lookback = dt.timedelta(minutes=float(self.config.get("lookback_minutes", 5)))
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = (run_started - lookback).isoformat()
        self.state_manager.is_flushed = False

    def _increment_stream_state(self, latest_record: Record, *, context: Context | None = None):
        """Per-record bookmarks are not used: see the module docstring."""


class _Progress:
    """Rows done / total, rate and time left for one stream, logged at most every few seconds."""

    def __init__(self, stream: OdooStream, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done_rows = 0
        self.started = time.monotonic()
        self.last_log = self.started

    def page_done(self, rows: int) -> None:
        self.done_rows += rows
        now = time.monotonic()
        if now - self.last_log >= PROGRESS_EVERY_SECONDS:
            self.last_log = now
            self._log(now)

    def _log(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done_rows / elapsed
        left = max(self.total - self.done_rows, 0)
        eta = f"{left / rate:.0f} s" if rate > 0 else "unknown"
        self.stream.logger.info(
            "%s: %d / %d rows, %.0f rows/s, time left %s",
            self.stream.name,
            self.done_rows,
            self.total,
            rate,
            eta,
        )

    def done(self) -> None:
        self._log(time.monotonic())
