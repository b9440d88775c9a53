"""tap-odoo: the Tap class, its settings and its command line."""

from __future__ import annotations

import sys
import typing as t
from functools import cached_property

from singer_sdk import Tap
from singer_sdk import typing as th

from odoo_client import ConnectionSettings, OdooClient, errors, stopping
from odoo_client.cli import run_cli
from odoo_client.errors import ConfigurationError
from odoo_client.singer import CONNECTION_PROPERTIES
from tap_odoo.discovery import DISCOVERY_PROPERTIES, discover, referenced_first
from tap_odoo.output import PageBufferedWriter
from tap_odoo.streams import OdooStream

SYNC_PROPERTIES = [
    th.Property(
        "start_date",
        th.DateTimeType,
        title="Start date",
        description=(
            "Rows last written before this moment are skipped on the first run of an incremental "
            "stream (`write_date >= start_date`). Later runs start from the saved bookmark."
        ),
        examples=["2024-01-01T00:00:00Z"],
    ),
    th.Property(
        "page_size",
        th.IntegerType,
        default=2000,
        title="Page size",
        description=(
            "Rows per `search_read` call. 2,000 keeps each call well under the 120 s that hosted "
            "Odoo allows a request while amortising the per-call latency; lower it for models with "
            "heavy fields."
        ),
    ),
    th.Property(
        "pagination",
        th.StringType,
        default="keyset",
        allowed_values=["keyset", "offset"],
        title="Pagination",
        description=(
            "`keyset` (default): each page is `id > last id seen`, ordered by id, so rows changed, "
            "added or deleted during the sync never make it skip a row. `offset`: classic "
            "offset/limit on an order ending with id; skips rows when rows leave the result while "
            "it reads (a warning is logged)."
        ),
    ),
    th.Property(
        "lookback_minutes",
        th.NumberType,
        default=5,
        title="Look-back (minutes)",
        description=(
            "Each incremental run re-reads rows written this many minutes before the previous "
            "run began. Odoo stamps `write_date` with the start of a transaction that may commit "
            "later; the look-back catches such rows. Rows may be emitted twice, never missed."
        ),
    ),
    th.Property(
        "prefetch",
        th.BooleanType,
        default=True,
        title="Prefetch",
        description="Fetch the next page while the current one is being emitted (one page ahead).",
    ),
    th.Property(
        "stream_domains",
        th.ObjectType(additional_properties=th.ArrayType(th.AnyType())),
        title="Extra domains per stream",
        description="Stream name -> an Odoo domain (prefix notation) added to what it reads.",
        examples=[{"res_partner": [["is_company", "=", True]]}],
    ),
    th.Property(
        "id_ranges",
        th.ObjectType(additional_properties=th.ArrayType(th.AnyType())),
        title="Id range per stream",
        description=(
            "Stream name -> [first id, end id]: read only the rows with first <= id < end (null: "
            "no bound). Partitions of a big stream read at once by separate runs, each with a "
            "state of its own; the state keeps its range and a run with another range stops."
        ),
        examples=[{"account_move_line": [250000, 500000]}],
    ),
    th.Property(
        "detect_deletions",
        th.BooleanType,
        default=True,
        title="Detect deletions",
        description=(
            "Odoo keeps no record of deleted rows: at the end of each run, read the ids present "
            "now (one id-only `search` per 50,000 rows) and emit `{id, _sdc_deleted_at}` for the "
            "ids present at the previous run and gone since. The ids are kept in the state as "
            "ranges. Rows that leave a stream's domain count as deleted from that stream."
        ),
    ),
    th.Property(
        "binary_content",
        th.BooleanType,
        default=False,
        title="Binary content",
        description=(
            "Emit the base64 content of the binary fields listed in `binary_fields`; by default "
            "only their size text (Odoo's `bin_size`) is read."
        ),
    ),
]


class StreamsFailedError(errors.OdooError):
    """Some streams failed on their own; the others completed with their rows and state."""

    exit_code = 9

    def __init__(self, failed: list[OdooStream], total: int) -> None:
        reasons = "; ".join(
            f"{stream.name} ({type(stream.failure).__name__}: {_flat(stream.failure)})"
            for stream in failed
        )
        super().__init__(
            f"{len(failed)} of {total} streams failed: {reasons}. The other streams completed "
            "and their rows and state are written; a re-run resumes the failed ones where they "
            "stopped. Deselect a stream that fails every time, or fix what its error names."
        )
        self.streams = [stream.name for stream in failed]


class TapOdoo(Tap):
    """Singer tap for Odoo: every readable model (custom and Studio `x_` fields included) as a
    stream discovered at run time, read with `search_read` page by page, incrementally on
    `write_date`, resumable after every page. Speaks JSON-2 (Odoo 19+), JSON-RPC and XML-RPC.
    """

    name = "tap-odoo"
    package_name = "tap-odoo"
    message_writer_class = PageBufferedWriter

    config_jsonschema = th.PropertiesList(
        *CONNECTION_PROPERTIES,
        *DISCOVERY_PROPERTIES,
        *SYNC_PROPERTIES,
    ).to_dict()

    @cached_property
    def client(self) -> OdooClient:
        """The one connection every stream of this run shares."""
        return OdooClient(ConnectionSettings.from_config(self.config), logger=self.logger)

    def discover_streams(self) -> list[OdooStream]:
        """One stream per readable model, or only the catalog's selected ones when given."""
        config = dict(self.config)
        models = self._models_selected_in_input_catalog()
        if models is not None:
            # Skip listing and describing the models the catalog leaves out: meltano passes a
            # catalog on every run, and fields_get of hundreds of models is most of the cost.
            config["models"] = models
            config["exclude_models"] = []
        specs = discover(self.client, config, self.logger, required=models or ())
        return [OdooStream(self, spec) for spec in specs]

    def load_streams(self) -> list[OdooStream]:  # type: ignore[override]
        """The streams, each after those its many2one fields point to (the SDK orders by name).

        A target resolving relations as it writes (target-odoo copying a database) then meets
        the partner before the invoice that points at it.
        """
        streams = {stream.spec.name: stream for stream in super().load_streams()}
        return [streams[spec.name] for spec in referenced_first([s.spec for s in streams.values()])]

    def _models_selected_in_input_catalog(self) -> list[str] | None:
        catalog = self.input_catalog
        if catalog is None:
            return None
        models = set()
        for entry in catalog.values():
            selected = entry.metadata.root.selected
            if selected is False:
                continue
            if not entry.table:
                return None  # a catalog we did not write: describe everything
            models.add(entry.table)
        return sorted(models)

    def load_state(self, state: dict[str, t.Any]) -> None:
        """The SDK's, once the state is known to be a tap's: `bookmarks` of objects per stream."""
        bookmarks = state.get("bookmarks") or {}
        problem = None
        if not isinstance(bookmarks, dict):
            problem = f"its bookmarks are a JSON {type(bookmarks).__name__}"
        else:
            for stream, bookmark in bookmarks.items():
                if not isinstance(bookmark, dict):
                    kind = type(bookmark).__name__
                    problem = f"the bookmark of stream '{stream}' is a JSON {kind}"
                    break
        if problem:
            msg = (
                f"the state given is not a tap state: {problem}, not an object. A target's "
                "results may have been saved as this tap's state (target-odoo with state_output "
                "'hotglue' does that: use 'passthrough' with meltano). Fix or remove the state."
            )
            raise ConfigurationError(msg, setting="state")
        super().load_state(state)

    def _setup_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop the sync within a moment with its last STATE written
        (odoo_client.stopping), where the SDK's handler waited for work in flight."""
        stopping.install()

    def sync_all(self) -> None:  # type: ignore[misc]
        """Sync every selected stream, then print a summary table on stderr.

        A stream that fails on its own (tap_odoo.streams.OdooStream.sync) does not stop the
        others; once they are done, StreamsFailedError names each failed stream and why.
        """
        try:
            super().sync_all()
        except stopping.Stopped:
            # The state as of the last page emitted (each page's STATE follows its records).
            self._state_writer.write_state(self.state)
            raise
        finally:
            self._print_summary()
        failed = [s for s in self.streams.values() if isinstance(s, OdooStream) and s.failure]
        if failed:
            raise StreamsFailedError(
                failed, total=sum(1 for s in self.streams.values() if s.selected)
            )

    @classmethod
    def cb_test(cls, ctx: t.Any, param: t.Any, value: str) -> None:
        """`--test`: connect, describe the database, and say what was found (reads no rows).

        `--test=schema` keeps the SDK's behaviour (write every stream's SCHEMA).
        """
        if value != "all":
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config")
        tap = cls(config=config.config, parse_env_config=config.parse_env, validate_config=True)
        print(tap.client.check_connection().summary(), file=sys.stderr, flush=True)
        ctx.exit()

    def _print_summary(self) -> None:
        streams = [s for s in self.streams.values() if isinstance(s, OdooStream) and s.selected]
        if not streams:
            return
        lines = [
            f"{'stream':<32} {'status':<7} {'rows':>10} {'deleted':>8} {'seconds':>9} "
            f"{'retries':>8}  skipped fields"
        ]
        for stream in streams:
            skipped = ", ".join(sorted(stream.skipped_fields)) or "-"
            status = stream.status
            lines.append(
                f"{stream.name:<32} {status:<7} {stream.rows_emitted:>10} "
                f"{stream.rows_deleted:>8} {stream.seconds:>9.1f} {stream.retries:>8}  {skipped}"
            )
        lines.append(f"retries: {self.client.retries}")  # discovery's included
        print("\n".join(lines), file=sys.stderr, flush=True)


def _flat(error: object) -> str:
    return " ".join(str(error).split())


def cli() -> t.Any:
    """Console entry point: the SDK's CLI, with Odoo errors shown as one clear line."""
    return run_cli(TapOdoo.cli)


if __name__ == "__main__":
    cli()
