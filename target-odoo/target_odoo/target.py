"""target-odoo: Singer records into Odoo, by mapping.json, idempotently."""

from __future__ import annotations

import json
import signal
import sys
from collections import Counter
from functools import cached_property
from typing import Any

from singer_sdk import typing as th
from singer_sdk.exceptions import (
    InvalidJSONSchema,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.target_base import Target

from odoo_client import ConnectionSettings, OdooClient
from odoo_client.cli import run_cli
from odoo_client.singer import CONNECTION_PROPERTIES
from target_odoo import stopping
from target_odoo.external_ids import ExternalIds
from target_odoo.identity import IDENTITY_MODES, FieldIdentities, choose_identities
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import Mapping, MappingError, load_mapping
from target_odoo.results import FAILED, NOT_WRITTEN, Outcome, ResultsLog
from target_odoo.singer_input import LineReader
from target_odoo.sinks import OdooSink, TargetWriteError
from target_odoo.stopping import StoppableClient, Stopped
from target_odoo.transforms import to_boolean
from target_odoo.unfinished import RUN_ENDERS, interruption
from target_odoo.upsert import WriteSettings

FIELD_ATTRIBUTES = ["type", "relation", "readonly", "store", "required", "digits"]
LOGGED_FAILURES = 20  # failed records logged per stream; every one is in the results file
LOGGED_ERROR_LENGTH = 500
# What ends the run with exit code 2 (the input or the mapping); Odoo's errors have their own.
STOPPING_ERRORS = (
    MappingError,
    TargetWriteError,
    InvalidInputLine,
    InvalidJSONSchema,
    RecordsWithoutSchemaException,
    MissingKeyPropertiesError,
)

SETTINGS = th.PropertiesList(
    *CONNECTION_PROPERTIES,
    th.Property(
        "mapping",
        th.CustomType({"type": ["string", "object"]}),
        title="Mapping",
        description=(
            "Stream -> Odoo model rules (see mapping.schema.json): a path to a JSON file or an "
            "inline object. Default: the mapping shipped with the package (hotglue's unified "
            "streams, and pass-through for streams named like a model, e.g. res_partner)."
        ),
    ),
    th.Property(
        "external_id_namespace",
        th.StringType,
        default="singer",
        title="External id namespace",
        description=(
            "The source's namespace: the ir.model.data module of the external ids this target "
            "writes, or the prefix of the identities it keeps on records (identity: field). Give "
            "each source writing the same models its own."
        ),
    ),
    th.Property(
        "identity",
        th.StringType,
        default="auto",
        allowed_values=list(IDENTITY_MODES),
        title="Identity",
        description=(
            "How each written record keeps its source identity, so a re-run writes nothing "
            "twice: external_id (ir.model.data, module external_id_namespace); field (in the "
            "stream's identity_field of the mapping, as <namespace>.<stream>:<key>: for users "
            "without the Access Rights group, who may not use ir.model.data); auto (default): "
            "external ids when this user may read and create them, else field."
        ),
    ),
    th.Property(
        "batch_size",
        th.IntegerType,
        default=100,
        title="Batch size",
        description="Records written per batch (one lookup, one create, one read per batch).",
    ),
    th.Property(
        "on_error",
        th.StringType,
        default="continue",
        allowed_values=["continue", "fail"],
        title="On error",
        description="continue: report a failed record and write the others; fail: stop the run.",
    ),
    th.Property(
        "dry_run",
        th.BooleanType,
        default=False,
        title="Dry run",
        description="Validate, resolve lookups and report what would happen; write nothing.",
    ),
    th.Property(
        "results_path",
        th.StringType,
        title="Results file",
        description="Where to write one JSON line per record: stream, key, status, Odoo id, error.",
    ),
    th.Property(
        "posted_documents",
        th.StringType,
        default="skip",
        allowed_values=["skip", "fail"],
        title="Posted documents",
        description=(
            "A changed source record whose Odoo document is locked (posted invoice, confirmed "
            "order): skip = report it unchanged with a note; fail = report it failed."
        ),
    ),
    th.Property(
        "delete_mode",
        th.StringType,
        default="archive",
        allowed_values=["archive", "unlink"],
        title="Delete mode",
        description=(
            "Records with _sdc_deleted_at: archive (active = False; documents without active, "
            "such as invoices and purchase orders, are cancelled) or unlink them."
        ),
    ),
    th.Property(
        "stop_grace_seconds",
        th.NumberType,
        default=1.5,
        title="Stop grace",
        description=(
            "On SIGTERM/SIGINT: seconds a write in flight may take to finish (and record the "
            "external ids of the records it created) before it is abandoned and the run stops."
        ),
    ),
    th.Property(
        "export_buy_orders_as_draft",
        th.BooleanType,
        default=False,
        title="Export buy orders as draft",
        description=(
            "target-odoo-v3's setting: buy orders (BuyOrders, PurchaseInvoices) are written as "
            "requests for quotation and not confirmed (button_confirm is not called). An order "
            "already confirmed stays confirmed."
        ),
    ),
    th.Property(
        "input_path",
        th.StringType,
        title="Input path",
        description=(
            "target-odoo-v3's setting: the folder where hotglue stages attachment files, named "
            "<id>_<name> after the attachment items of Invoices and Bills (default: the current "
            "folder)."
        ),
    ),
    th.Property(
        "verify_ref",
        th.BooleanType,
        default=False,
        title="Verify ref (accepted, no effect)",
        description=(
            "target-odoo-v3's setting, accepted so its jobs' configs still validate; it has no "
            "effect: v3 only logged a warning when an invoice with the same ref existed and "
            "created it anyway. Here a record sent again is found by its identity and updated."
        ),
    ),
    th.Property(
        "db",
        th.StringType,
        title="Database (v3's name)",
        description="target-odoo-v3's name for `database`; used when `database` is not set.",
    ),
    th.Property(
        "state_output",
        th.StringType,
        default="hotglue",
        allowed_values=["hotglue", "passthrough"],
        title="State output",
        description=(
            "hotglue: emit the per-record results shape hotglue jobs read; passthrough: emit the "
            "tap's own state. Meltano stores the target's state as the tap's: use passthrough "
            "there (meltano.yml sets it)."
        ),
    ),
)


def _on(value: Any) -> bool:
    """A boolean setting's value, also when given as text ("true") by an orchestrator."""
    try:
        return to_boolean(value) if value is not None else False
    except ValueError:
        return False


class TargetOdoo(Target):
    """Singer target for Odoo: mapping.json-driven, idempotent upserts by external id (or, for a
    user who may not use external ids, by an identity field on each record)."""

    name = "target-odoo"
    config_jsonschema = SETTINGS.to_dict()
    default_sink_class = OdooSink
    message_reader_class = LineReader

    def __init__(self, *args: Any, client: Any = None, **kwargs: Any) -> None:
        """Validate the mapping, then the connection settings, then log in: each stops the run
        before any input is read. `client` replaces the Odoo connection (tests)."""
        super().__init__(*args, **kwargs)
        self.max_parallelism = 1  # one database, one writer: no parallel bursts
        self._streams_draining: set[str] = set()
        self._emitted_count = -1
        self._fields_info: dict[str, dict[str, dict]] = {}
        self._failures: Counter[str] = Counter()
        self._ended_early = False
        _ = self.mapping
        if client is not None:
            self.__dict__["client"] = StoppableClient(client, self.stop_switch)
        uid = self.client.authenticate()  # a wrong url, port or login: one line, before stdin
        if self.config.get("lang"):  # Odoo 19 refuses a language it has not installed
            self.client.search_count("res.users", [("id", "=", uid)])
        _ = self.external_ids  # identity: auto decides here, and says so once
        if isinstance(self.message_reader, LineReader):
            self.message_reader.before_stop = self.stop_reading
            self.message_reader.stop_switch = self.stop_switch
            self.message_reader.on_end_early = self.end_early

    def _setup_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop the run within a couple of seconds (stopping.py), instead of the
        SDK's handlers that write every pending batch and exit 0."""
        grace = self.config.get("stop_grace_seconds")
        self.stop_switch = stopping.fresh(stopping.STOP_GRACE_SECONDS if grace is None else grace)
        self.stop_switch.install()

    @cached_property
    def mapping(self) -> Mapping:
        """The validated mapping for this run."""
        return load_mapping(self.config.get("mapping"))

    @cached_property
    def client(self) -> Any:
        """The Odoo connection for this run (an OdooClient whose calls the stop switch sees).
        `include_archived` is a tap setting: the target keeps Odoo's default context (active
        records only) and asks for archived ones where it means to (reading its own records
        back)."""
        config = {**self.config, "include_archived": False}
        if not config.get("database") and config.get("db"):  # target-odoo-v3's name for it
            config["database"] = config["db"]
        return StoppableClient(OdooClient(ConnectionSettings.from_config(config)), self.stop_switch)

    @cached_property
    def write_settings(self) -> WriteSettings:
        """The settings that shape writes."""
        switches = {name for name in self.mapping.switches() if _on(self.config.get(name))}
        return WriteSettings(
            namespace=self.config.get("external_id_namespace") or "singer",
            dry_run=bool(self.config.get("dry_run")),
            posted_documents=self.config.get("posted_documents") or "skip",
            delete_mode=self.config.get("delete_mode") or "archive",
            switches=frozenset(switches),
            input_path=self.config.get("input_path") or None,
        )

    @cached_property
    def external_ids(self) -> ExternalIds | FieldIdentities:
        """Where records keep their identity this run: external ids of the namespace, or a
        field of each record (`identity` setting; target_odoo.identity)."""
        return choose_identities(
            self.client,
            self.config.get("identity") or "auto",
            self.write_settings.namespace,
            self.mapping,
            self.logger,
        )

    @cached_property
    def resolver(self) -> LookupResolver:
        """Lookups, cached for the run."""
        return LookupResolver(self.client, self.external_ids, dry_run=self.write_settings.dry_run)

    @cached_property
    def results(self) -> ResultsLog:
        """Per-record outcomes of this run."""
        keep = self.config.get("state_output") != "passthrough"  # the hotglue state lists them
        return ResultsLog(self.config.get("results_path"), keep_outcomes=keep)

    def fields_info(self, model: str) -> dict[str, dict]:
        """fields_get of `model` (type, relation, readonly, store, required), once per run."""
        if model not in self._fields_info:
            self._fields_info[model] = self.client.fields_get(model, FIELD_ATTRIBUTES)
        return self._fields_info[model]

    def log_failures(self, stream: str, outcomes: list[Outcome]) -> None:
        """Log why records failed: the first LOGGED_FAILURES of each stream, at WARNING."""
        for outcome in outcomes:
            if outcome.status != FAILED:  # not_written ones are counted in the summary
                continue
            self._failures[stream] += 1
            if self._failures[stream] > LOGGED_FAILURES:
                continue
            error = " ".join(str(outcome.error).split())
            if len(error) > LOGGED_ERROR_LENGTH:
                error = error[: LOGGED_ERROR_LENGTH - 3] + "..."
            key = "without source key" if outcome.key is None else repr(outcome.key)
            self.logger.warning("Stream %s: record %s failed: %s", stream, key, error)

    def stop_reading(self, error: Exception) -> None:
        """A line the target cannot take: write the records of the lines before it and report
        them (results file, state, summary); the reader then raises `error`."""
        pending = sum(sink.current_size for sink in self._sinks_active.values())
        self.logger.warning(
            "The input stops at a line the target cannot take (%s); writing the %d records "
            "read before it, then stopping",
            type(error).__name__,
            pending,
        )
        self.process_endofpipe()

    def _process_activate_version_message(self, message_dict: dict) -> None:
        self._stream_known(message_dict)
        super()._process_activate_version_message(message_dict)

    def _process_batch_message(self, message_dict: dict) -> None:
        self._stream_known(message_dict)
        super()._process_batch_message(message_dict)

    def _stream_known(self, message_dict: dict) -> None:
        if message_dict["stream"] not in self.mapper.stream_maps:
            raise RecordsWithoutSchemaException(message_dict["stream"])

    def drain_streams(self, streams: set[str], requester: str) -> None:
        """Write pending records of `streams` before `requester`'s batch looks them up."""
        added = requester not in self._streams_draining
        self._streams_draining.add(requester)
        try:
            wanted = {self.mapping.canonical(stream) for stream in streams}
            active = [
                name
                for name in sorted(self._sinks_active)
                if self.mapping.canonical(name) in wanted
            ]
            for stream in active:
                if stream not in self._streams_draining and self.sink_exists(stream):
                    self._streams_draining.add(stream)
                    try:
                        self.drain_one(self.get_sink(stream))
                    finally:
                        self._streams_draining.discard(stream)
        finally:
            if added:
                self._streams_draining.discard(requester)

    def _write_state_message(self, state: dict) -> None:
        if self.config.get("state_output") == "passthrough":
            super()._write_state_message(state)
        else:
            self._write_results_state()

    def _write_results_state(self) -> None:
        sys.stdout.write(json.dumps(self.results.hotglue_state()) + "\n")
        sys.stdout.flush()
        self._emitted_count = self.results.total

    def process_endofpipe(self) -> None:
        """Drain every sink, emit the results state, log the summary per stream."""
        try:
            super().process_endofpipe()
        except RUN_ENDERS as error:
            self.end_early(error)
            raise
        done = self.results.total
        if self.config.get("state_output") != "passthrough" and self._emitted_count != done:
            self._write_results_state()
        self._log_summary()

    def end_early(self, error: BaseException) -> None:
        """The run ends before the end of the input (a stop signal, an Odoo error no record is
        to blame for): report the records read and not written (not_written), the hotglue
        results state (never the tap's state: it covers records not written), the summary."""
        if self._ended_early:
            return
        self._ended_early = True
        self.stop_switch.disarm()
        sinks = [*self._sinks_active.values(), *self._sinks_to_clear]
        for sink in sinks:
            if isinstance(sink, OdooSink):
                outcomes = sink.unwritten(error)
                self.results.add(outcomes)
                self.log_failures(sink.stream_name, outcomes)
        if self.config.get("state_output") != "passthrough":
            self._write_results_state()
        counts: Counter[str] = Counter()
        for stream_counts in self.results.summary().values():
            counts.update(stream_counts)
        missing = counts[NOT_WRITTEN]
        written = sum(counts.values()) - missing - counts[FAILED]
        detail = f"{written} records written, {missing} read and not written"
        if missing:
            detail += " (not_written in the results file): run the same input again to write them"
        self.logger.warning("The run ends early: %s; %s", interruption(error), detail)
        if isinstance(error, Stopped):
            error.detail = detail
        self._log_summary()

    def _log_summary(self) -> None:
        for stream, counts in sorted(self.results.summary().items()):
            self.logger.info("Stream %s: %s", stream, json.dumps(counts, sort_keys=True))
            if self._failures[stream] > LOGGED_FAILURES:
                self.logger.warning(
                    "Stream %s: %d failed records (the first %d are logged above)",
                    stream,
                    self._failures[stream],
                    LOGGED_FAILURES,
                )
        path = self.config.get("results_path")
        if path:
            self.logger.info("Outcome of every record (one JSON line each): %s", path)
        elif self._failures:
            self.logger.info("Set results_path to keep every record's outcome in a file")
        self.results.close()


def cli() -> Any:
    """Console entry point: the SDK's CLI; Odoo errors (exit 3-8), and a bad mapping, a bad
    input line and a record failing with on_error=fail (exit 2) each end as one stderr line;
    SIGTERM / SIGINT end the run with 128 + the signal's number."""
    try:
        result = run_cli(TargetOdoo.cli)
    except STOPPING_ERRORS as error:
        text = " ".join(str(error).split())
        print(f"error: {type(error).__name__}: {text}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    except Stopped as stop:
        print(f"error: Stopped: {stop}", file=sys.stderr, flush=True)
        raise SystemExit(stop.exit_code) from None
    switch = stopping.current()
    if switch.signum is not None:  # it came once nothing was left to stop: all was written
        switch.disarm()
        name = signal.Signals(switch.signum).name
        print(f"error: Stopped: {name} received as the run ended", file=sys.stderr, flush=True)
        raise SystemExit(128 + switch.signum)
    return result


if __name__ == "__main__":
    cli()
