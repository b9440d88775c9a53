"""The one sink: every stream is written by its mapping, a batch at a time."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import InvalidRecord, MissingKeyPropertiesError
from singer_sdk.sinks import BatchSink
from singer_sdk.sinks.core import JSONSchemaValidator

from target_odoo.mapping import StreamMapping
from target_odoo.model_fields import fit_mapping
from target_odoo.passthrough import passthrough_mapping
from target_odoo.results import FAILED, Outcome, record_hash
from target_odoo.unfinished import RUN_ENDERS, batch_outcomes, deferred_outcomes, record_outcome
from target_odoo.upsert import BatchWriter

if TYPE_CHECKING:
    from target_odoo.target import TargetOdoo


def _drop_formats(spec: Any) -> None:
    if isinstance(spec, dict):
        spec.pop("format", None)
        for alternative in spec.get("anyOf", []) + spec.get("oneOf", []):
            _drop_formats(alternative)


class TargetWriteError(Exception):
    """A record failed and `on_error` is `fail`."""


class OdooSink(BatchSink):
    """Writes one stream into its Odoo model through the mapping."""

    def __init__(self, target: TargetOdoo, stream_name: str, schema: dict, key_properties: Any):
        super().__init__(target, stream_name, schema, key_properties)
        self.odoo_target = target
        target.mapping.for_stream(stream_name)  # an unmapped stream stops at its SCHEMA
        # We convert dates ourselves, per field, and report a bad one on its record instead of
        # letting the SDK stop the whole run.
        for spec in self.schema.get("properties", {}).values():
            _drop_formats(spec)
        self._record_validator = JSONSchemaValidator(self.schema, validate_formats=False)
        self._deferred: list[Any] = []  # records whose `after` action waits for the input's end

    @property
    def reported_name(self) -> str:
        """The stream's name in outcomes and identities: its mapping's (`BuyOrders` for an
        input stream `buyorders`; hotglue's targets match stream names in any case)."""
        return self.odoo_target.mapping.canonical(self.stream_name)

    @property
    def include_sdc_metadata_properties(self) -> bool:
        """Always on: `_sdc_deleted_at` must reach the sink for deletes to work."""
        return True

    @property
    def max_size(self) -> int:
        """Records per batch (the `batch_size` setting)."""
        return int(self.config.get("batch_size") or 100)

    def get_validator(self) -> None:
        """None: records are validated in process_batch, so a bad one fails alone."""
        return

    @cached_property
    def stream_mapping(self) -> StreamMapping:
        """The stream's mapping fitted to the database's models (pass-through ones built
        from the model's fields) and to the way identities are kept (target.external_ids)."""
        mapping = self._fitted_mapping()
        known = set(self.odoo_target.fields_info(mapping.model))
        return self.odoo_target.external_ids.fit(mapping, known)

    def _fitted_mapping(self) -> StreamMapping:
        mapping = self.odoo_target.mapping.for_stream(self.stream_name)
        if mapping.passthrough:
            return passthrough_mapping(
                mapping,
                self.schema.get("properties", {}),
                self.odoo_target.fields_info(mapping.model),
                self.odoo_target.mapping.passthrough,
            )
        fitted, dropped = fit_mapping(mapping, self.odoo_target.fields_info)
        if dropped:
            self.logger.warning(
                "Stream %s: fields this database does not have are not written: %s",
                self.stream_name,
                ", ".join(dropped),
            )
        return fitted

    @cached_property
    def depends_on(self) -> set[str]:
        """Streams whose records this stream's lookups refer to: drained before this one."""
        mapping = self.stream_mapping
        rules = list(mapping.lookups.values())
        rules += [rule for lines in mapping.lines.values() for rule in lines.lookups.values()]
        names = {s for rule in rules for m in rule.matches for s in m.external_id_streams}
        names.discard(self.reported_name)
        return names

    def _singer_validate_message(self, record: dict) -> None:
        """A record without a key property stops the run, on one line naming the stream, the
        missing key and the record's own fields (not the `_sdc_` metadata the SDK adds)."""
        missing = [key for key in self.key_properties if key not in record]
        if not missing:
            return
        own = sorted(key for key in record if not key.startswith("_sdc_"))
        plural = "y" if len(missing) == 1 else "ies"
        raise MissingKeyPropertiesError(
            f"stream {self.stream_name!r}: a record without its key propert{plural} "
            f"{', '.join(map(repr, missing))} (the SCHEMA's key_properties: "
            f"{list(self.key_properties)}); the record has {', '.join(own) or 'no fields'}. "
            "Send the key in every record, or fix the stream's key_properties"
        )

    def _invalid(self, record: dict) -> Outcome | None:
        if not self.config.get("validate_records", True):
            return None
        try:
            self._record_validator.validate(record)
        except InvalidRecord as error:
            key = record.get("externalId", record.get("id"))
            return Outcome(
                stream=self.reported_name,
                key=None if key is None else str(key),
                status=FAILED,
                model=self.stream_mapping.model,
                error=f"record does not match the stream schema: {error}",
                hash=record_hash(record),
            )
        return None

    def _writer(self) -> BatchWriter:
        return BatchWriter(
            self.odoo_target.client,
            self.stream_mapping,
            self.odoo_target.external_ids,
            self.odoo_target.resolver,
            self.odoo_target.write_settings,
            deferred=self._deferred,
        )

    def clean_up(self) -> None:
        """At the end of the input, once every sink is drained (a move's lines are in): the
        business actions of pass-through streams (post the moves the source had posted)."""
        super().clean_up()
        if not self._deferred:
            return
        failed = self._writer().run_deferred(self._deferred)  # kept until done: see unwritten()
        self._deferred = []
        self.odoo_target.results.add(failed)
        self.odoo_target.log_failures(self.reported_name, failed)
        if failed and self.config.get("on_error") == "fail":
            first = failed[0]
            raise TargetWriteError(
                f"stream {self.stream_name!r}, record {first.key!r}: {first.error} "
                f"(on_error=fail; {len(failed)} failed at the end of the input)"
            )

    def _not_written(self, record: dict, why: str) -> Outcome:
        mapping = self.odoo_target.mapping.for_stream(self.stream_name)
        return record_outcome(mapping.stream, mapping.model, mapping.key, record, why)

    def unwritten(self, error: BaseException) -> list[Outcome]:
        """When the run ends early: outcomes of the records read but not yet in a batch, and of
        the written records whose action waited for the end of the input."""
        pending = (self._pending_batch or {}).get("records", [])
        self._pending_batch = None
        outcomes = batch_outcomes(pending, {}, None, error, self._not_written)
        outcomes += deferred_outcomes(self._deferred, error)
        self._deferred = []
        return outcomes

    def process_batch(self, context: dict) -> None:
        """Write the batch; record every outcome; stop only when `on_error` is `fail`. When the
        run ends in the middle (a stop signal, Odoo unavailable), every record of the batch is
        reported (not_written when not written to the end) before the error goes on."""
        records = context.get("records", [])
        writer, invalid = None, []
        try:
            self.odoo_target.drain_streams(self.depends_on, requester=self.stream_name)
            invalid = [(i, o) for i, o in ((r, self._invalid(r)) for r in records) if o]
            bad_ids = {id(r) for r, _ in invalid}
            writer = self._writer()
            outcomes = [o for _, o in invalid]
            outcomes += writer.write([r for r in records if id(r) not in bad_ids])
        except RUN_ENDERS as error:
            known = {id(r): o for r, o in invalid}
            ended = batch_outcomes(records, known, writer, error, self._not_written)
            self.odoo_target.results.add(ended)
            self.odoo_target.log_failures(self.reported_name, ended)
            self.tally_record_written(sum(o.success for o in ended))
            raise
        self.odoo_target.results.add(outcomes)
        self.odoo_target.log_failures(self.reported_name, outcomes)
        self.tally_record_written(sum(o.success for o in outcomes))
        failed = [o for o in outcomes if not o.success]
        if failed and self.config.get("on_error") == "fail":
            first = failed[0]
            raise TargetWriteError(
                f"stream {self.stream_name!r}, record {first.key!r}: {first.error} "
                f"(on_error=fail; {len(failed)} failed in this batch)"
            )
