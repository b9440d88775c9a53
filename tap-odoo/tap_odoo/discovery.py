"""Discovery: the catalog of an Odoo database, built at run time from its models and fields_get.

The models come from ir.model, or from what Odoo offers a user who may not read it
(`tap_odoo.model_list`).

One stream per readable, non-transient, non-abstract model (`res.partner` -> `res_partner`), plus
the named streams a user declares (`streams`) or the hotglue preset (`use_hotglue_streams`).
Per model: one read-access check, then one `fields_get` asking only the attributes used here;
both run on a small bounded thread pool (`max_parallel_requests`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from singer_sdk import typing as th

from odoo_client import errors
from tap_odoo.field_kinds import classify_models
from tap_odoo.model_list import list_models, literal_names
from tap_odoo.presets import PRESET_PROPERTIES, NamedStream, hotglue_streams, major_version
from tap_odoo.stream_specs import (
    KEPT_ATTRIBUTES,
    StreamSpec,
    model_stream,
    named_stream,
)

# The attributes stream specs keep, and those that tell a non-stored field's kind
# (field_kinds.py), used once and not kept.
FIELD_ATTRIBUTES = [*KEPT_ATTRIBUTES, "related", "company_dependent", "depends"]
# Six: discovery of 700 models at 30 ms a call takes ~8.5 s (four: ~13 s; bench/RESULTS.md), while
# a pool this size still leaves a hosted Odoo's workers free for its users.
DEFAULT_MAX_PARALLEL_REQUESTS = 6
# Discovery's probe reads this many ids per model (on the primary key's index): enough to see the
# repeated ids of an SQL report (report.stock.quantity repeats every id on real 16-19), which no
# stream could page or key on.
PROBE_IDS = 50

DISCOVERY_PROPERTIES: list[th.Property] = [
    th.Property(
        "models",
        th.ArrayType(th.StringType),
        title="Models",
        description=(
            "Glob patterns of the models to make streams of (one stream per model). Default: every "
            "readable model. An empty list leaves only the named and preset streams."
        ),
        examples=[["res.partner", "account.move*", "sale.*"]],
    ),
    th.Property(
        "exclude_models",
        th.ArrayType(th.StringType),
        title="Excluded models",
        description="Glob patterns of models left out of the catalog (named streams excepted).",
        examples=[["mail.*", "bus.*", "ir.*"]],
    ),
    th.Property(
        "streams",
        th.ArrayType(
            th.ObjectType(
                th.Property("name", th.StringType, required=True, description="Stream name."),
                th.Property("model", th.StringType, required=True, description="Odoo model."),
                th.Property(
                    "domain",
                    th.ArrayType(th.AnyType()),
                    description="Odoo domain (prefix notation) the stream reads.",
                ),
                th.Property(
                    "fields",
                    th.ArrayType(th.StringType),
                    description="Fields to read (id and the replication key are always added).",
                ),
                th.Property(
                    "replication_key",
                    th.StringType,
                    description="A stored date/datetime field (default write_date when stored).",
                ),
            )
        ),
        title="Named streams",
        description=(
            "Streams you name yourself: a model narrowed by a domain and a field list. A named "
            "stream replaces the model's own stream if it takes the same name."
        ),
        examples=[
            [
                {
                    "name": "customers",
                    "model": "res.partner",
                    "domain": [["customer_rank", ">", 0]],
                    "fields": ["name", "email", "country_id"],
                }
            ]
        ],
    ),
    th.Property(
        "use_hotglue_streams",
        th.BooleanType,
        default=False,
        title="Hotglue stream names",
        description=(
            "Add the streams hotglue jobs use (products, customers, sale_orders, invoices_bills, "
            "...) mapped to their Odoo models and domains, with the fields those jobs read "
            "selected. Streams whose app is not installed are left out with a note."
        ),
    ),
    *PRESET_PROPERTIES,
    th.Property(
        "include_computed_fields",
        th.BooleanType,
        default=False,
        title="Include computed fields",
        description=(
            "Select every computed (non-stored, non-related, not company-dependent) field by "
            "default. They are always in the catalog, unselected: select the ones you want. Odoo "
            "computes them in Python on every read (slow), and their values change without "
            "write_date changing (see README, Field kinds)."
        ),
    ),
    th.Property(
        "binary_fields",
        th.ArrayType(th.StringType),
        title="Binary fields",
        description=(
            "Binary and image fields to emit, as `model.field` (globs allowed) or `*` for all. "
            "Default: none."
        ),
        examples=[["res.partner.image_128"], ["*"]],
    ),
    th.Property(
        "full_sync_streams",
        th.ArrayType(th.StringType),
        title="Full-table streams",
        description="Stream names always read in full (FULL_TABLE), even with a write_date.",
        examples=[["res_currency_rate"]],
    ),
    th.Property(
        "relation_names",
        th.BooleanType,
        default=False,
        title="Relation names",
        description=(
            "Add a `<field>_name` string property with the display name of every many2one "
            "(Odoo computes the names on every read)."
        ),
    ),
    th.Property(
        "max_parallel_requests",
        th.IntegerType,
        default=DEFAULT_MAX_PARALLEL_REQUESTS,
        title="Parallel requests",
        description=(
            "How many requests discovery sends at once. Hosted Odoo throttles bursts: keep it "
            "small."
        ),
    ),
    th.Property(
        "ignore_fields",
        th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
        title="Ignored fields",
        description="Model -> field names never requested (fields that fail or are not wanted).",
        examples=[{"res.partner": ["image_1920", "message_ids"]}],
    ),
]


@dataclass(frozen=True)
class _Settings:
    """The discovery settings, read once with their defaults."""

    models: tuple[str, ...] | None
    exclude_models: tuple[str, ...]
    named: tuple[NamedStream, ...]
    presets: bool
    include_computed: bool
    binary_fields: tuple[str, ...]
    full_sync: frozenset[str]
    relation_names: bool
    max_parallel: int
    ignore_fields: Mapping[str, Sequence[str]]
    preset_filters: Mapping[str, Any]  # hotglue_warehouse_ids, hotglue_all_sell_orders

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> _Settings:
        models = config.get("models")
        return cls(
            models=None if models is None else tuple(_strings(models, "models")),
            exclude_models=tuple(_strings(config.get("exclude_models"), "exclude_models")),
            named=tuple(_named_streams(config.get("streams"))),
            presets=bool(config.get("use_hotglue_streams", False)),
            include_computed=bool(config.get("include_computed_fields", False)),
            binary_fields=tuple(_strings(config.get("binary_fields"), "binary_fields")),
            full_sync=frozenset(_strings(config.get("full_sync_streams"), "full_sync_streams")),
            relation_names=bool(config.get("relation_names", False)),
            max_parallel=max(
                1, int(config.get("max_parallel_requests") or DEFAULT_MAX_PARALLEL_REQUESTS)
            ),
            ignore_fields=_json_text(config.get("ignore_fields")) or {},
            preset_filters={
                key: _json_text(config.get(key))
                for key in ("hotglue_warehouse_ids", "hotglue_all_sell_orders")
            },
        )


def discover(
    client: Any,
    config: Mapping[str, Any],
    logger: logging.Logger,
    required: Collection[str] = (),
) -> list[StreamSpec]:
    """Describe the database: one StreamSpec per readable model and per named stream.

    Unreadable models are left out with one warning listing them; so are preset streams whose
    app is not installed (one note). A named stream on a missing model, or naming fields the
    model does not have, raises `errors.ConfigurationError`. The `required` models (those a
    catalog selects) are never left out quietly: one the database lacks raises
    `errors.UnknownModelError`, one the user may not read `errors.AccessDeniedError`.
    """
    settings = _Settings.from_config(config)
    named = _named_with_presets(settings, client)
    catalog_models = list_models(
        client,
        logger,
        required=required,
        named={s.model for s in named} | set(literal_names(settings.models)),
        from_ir_model=_list_models,
        can_read=ReadAccessChecker(client),
    )
    labels = dict(catalog_models)
    absent = sorted(set(required) - set(labels))
    if absent:
        raise errors.UnknownModelError(
            "The catalog selects models this database does not have (app uninstalled?): "
            f"{', '.join(absent)}. Deselect their streams or run --discover again."
        )

    model_streams = _select_models(labels, settings, logger)
    named_models = {stream.model for stream in named}

    missing_presets = sorted(
        s.name for s in named if s.model not in labels and s.name in _preset_names(settings)
    )
    if missing_presets:
        logger.info(
            "Preset streams left out because their app is not installed: %s.",
            ", ".join(missing_presets),
        )
    unknown_named = [s for s in named if s.model not in labels and s.name not in missing_presets]
    if unknown_named:
        raise errors.ConfigurationError(
            "Named streams on models this database does not have: "
            + ", ".join(f"{s.name} ({s.model})" for s in unknown_named)
            + ". Check the model names under `streams`.",
            setting="streams",
        )

    wanted = sorted(set(model_streams) | (named_models & set(labels)))
    described, unreadable, failed = _describe_models(
        client, wanted, settings.max_parallel, probed=set(wanted) - set(required)
    )
    denied = sorted(set(required) & set(unreadable))
    if denied:
        raise errors.AccessDeniedError(
            "The catalog selects models this user may not read: "
            f"{', '.join(denied)}. Ask an Odoo administrator for read access (a group that "
            "grants it), or deselect their streams.",
            operation="read",
            model=denied[0],
        )
    if unreadable:
        logger.warning(
            "Skipping %d model(s) this user may not read: %s.",
            len(unreadable),
            ", ".join(sorted(unreadable)),
        )
    if failed:
        logger.warning(
            "Skipping %d model(s) the server fails to read (no table, or a read refused by "
            "design); add them to exclude_models to skip this check: %s.",
            len(failed),
            "; ".join(f"{model} ({reason})" for model, reason in sorted(failed.items())),
        )
    kinds = classify_models(
        described,
        wanted,
        _fields_of_model(client),
        settings.max_parallel,
        undescribed=[*unreadable, *failed],
    )

    specs: dict[str, StreamSpec] = {}
    for model in model_streams:
        if model in described:
            spec = model_stream(model, labels[model], described[model], kinds[model], settings)
            if spec.name in specs:
                logger.warning(
                    "Models '%s' and '%s' both make stream '%s': keeping '%s'; declare the "
                    "other under `streams` with a name of its own.",
                    specs[spec.name].model,
                    model,
                    spec.name,
                    specs[spec.name].model,
                )
                continue
            specs[spec.name] = spec
    for stream in named:
        if stream.model in described:
            specs[stream.name] = named_stream(
                stream, labels[stream.model], described[stream.model], kinds[stream.model], settings
            )
    return [specs[name] for name in sorted(specs)]


def referenced_first(specs: Sequence[StreamSpec]) -> list[StreamSpec]:
    """The specs ordered so that a stream comes after the streams its many2one fields (selected
    by default) point to (res_partner before account_move before account_move_line); by name
    where nothing decides.
    A cycle (res_company <-> res_partner) is broken at the stream with the fewest unmet ones."""
    by_model: dict[str, list[StreamSpec]] = {}
    for spec in specs:
        by_model.setdefault(spec.model, []).append(spec)
    needs = {
        spec.name: {
            other.name
            for name, field in spec.fields.items()
            if field.get("type") == "many2one" and name not in spec.unselected
            for other in by_model.get(field.get("relation") or "", ())
            if other.name != spec.name
        }
        for spec in specs
    }
    ordered: list[StreamSpec] = []
    done: set[str] = set()
    waiting = sorted(specs, key=lambda spec: spec.name)
    while waiting:
        ready = next((s for s in waiting if needs[s.name] <= done), None)
        if ready is None:  # a cycle: break it where the fewest references are still unmet
            ready = min(waiting, key=lambda spec: (len(needs[spec.name] - done), spec.name))
        ordered.append(ready)
        done.add(ready.name)
        waiting.remove(ready)
    return ordered


# Listing and selecting models


def _list_models(client: Any) -> list[tuple[str, str]]:
    """(model, label) of every non-transient, non-abstract model, in ir.model's order."""
    columns = ["model", "name", "transient"]
    ir_model_fields = client.fields_get("ir.model", attributes=["type"])
    if "abstract" in ir_model_fields:  # Odoo 19 has it; Odoo 17 does not
        columns.append("abstract")
    rows = client.search_read("ir.model", [], columns)
    return [
        (row["model"], row.get("name") or row["model"])
        for row in rows
        if not row.get("transient") and not row.get("abstract")
    ]


def _select_models(
    labels: Mapping[str, str], settings: _Settings, logger: logging.Logger
) -> list[str]:
    include = ("*",) if settings.models is None else settings.models
    selected = []
    for model in labels:
        if _matches(model, include) and not _matches(model, settings.exclude_models):
            selected.append(model)
    unmatched = [p for p in include if not any(fnmatchcase(m, p) for m in labels)]
    if unmatched:
        logger.warning("No model matches: %s.", ", ".join(unmatched))
    return selected


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def _named_with_presets(settings: _Settings, client: Any) -> list[NamedStream]:
    streams: dict[str, NamedStream] = {}
    if settings.presets:
        version = getattr(client, "server_version_info", None)
        presets = hotglue_streams(version, settings.preset_filters)
        streams.update((preset.name, preset) for preset in presets)
    streams.update((stream.name, stream) for stream in settings.named)  # the user's win
    return list(streams.values())


def _preset_names(settings: _Settings) -> set[str]:
    if not settings.presets:
        return set()
    user_names = {stream.name for stream in settings.named}
    return {preset.name for preset in hotglue_streams()} - user_names


# Describing models


class ReadAccessChecker:
    """Asks Odoo whether this user may read a model, with the method the server has.

    Odoo up to 17 has `check_access_rights(operation, raise_exception=False)`; 18 adds
    `has_access(operation)` and deprecates the former, which later versions drop. The first
    check tries the method the server's version suggests, then the other; the one that answered
    is used for every later model.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        major = major_version(getattr(client, "server_version_info", None))
        self._candidates = ["check_access_rights", "has_access"]
        if major is not None and major >= 18:
            self._candidates.reverse()
        self._method: str | None = None
        self._lock = threading.Lock()

    def __call__(self, model: str) -> bool:
        """True when the user may read `model`."""
        if self._method is None:
            with self._lock:  # the first check finds the method; the others wait for it
                if self._method is None:
                    return self._probe(model)
        return bool(self._ask(self._method, model))

    def _probe(self, model: str) -> bool:
        for method in self._candidates:
            try:
                answer = self._ask(method, model)
            except errors.UnknownMethodError:
                continue
            self._method = method
            return bool(answer)
        raise errors.UnknownMethodError(
            "The server offers no way to check read access "
            "(neither has_access nor check_access_rights).",
            model=model,
        )

    def _ask(self, method: str, model: str) -> Any:
        if method == "has_access":
            return self._client.call(model, "has_access", [], "read")
        return self._client.call(model, "check_access_rights", "read", raise_exception=False)


def _describe_models(
    client: Any, models: Sequence[str], max_parallel: int, probed: Collection[str] = ()
) -> tuple[dict[str, dict], list[str], dict[str, str]]:
    """fields_get of every readable model; also the unreadable ones and the ones that failed.

    The `probed` models are also searched once (PROBE_IDS ids, on the primary key's index): Odoo
    lists models whose every read fails (no table, NotImplementedError, a UserError by design;
    see DESIGN.md) and SQL reports whose ids repeat, and such a model must not become a stream
    that fails the run.
    """
    can_read = ReadAccessChecker(client)

    def describe(model: str) -> dict | str | None:
        method = "fields_get"
        try:
            if not can_read(model):
                return None
            fields = client.fields_get(model, attributes=FIELD_ATTRIBUTES)
            if model in probed:
                method = "search"
                ids = client.search(model, [], limit=PROBE_IDS, order="id")
                if len(set(ids)) < len(ids):
                    return (
                        f"search: ids are not unique (an SQL report: id {_repeated(ids)} repeats)"
                    )
            return fields
        except errors.AccessDeniedError:
            return None
        except errors.RUN_ENDING_ERRORS:
            raise
        except errors.OdooError as error:  # about this model only (real 16-18 answer an
            # AbstractModel's `order="id"` with "Invalid field 'id'": an UnknownFieldError)
            return f"{method}: {_first_line(error)}"

    described: dict[str, dict] = {}
    unreadable: list[str] = []
    failed: dict[str, str] = {}
    if not models:
        return described, unreadable, failed
    with ThreadPoolExecutor(max_workers=min(max_parallel, len(models))) as pool:
        for model, answer in zip(models, pool.map(describe, models), strict=True):
            if answer is None:
                unreadable.append(model)
            elif isinstance(answer, str):
                failed[model] = answer
            else:
                described[model] = answer
    return described, unreadable, failed


def _repeated(ids: list[int]) -> int | None:
    """The first id that occurs twice in `ids`, if any."""
    seen: set[int] = set()
    for record_id in ids:
        if record_id in seen:
            return record_id
        seen.add(record_id)
    return None


def _first_line(error: errors.OdooError) -> str:
    """Odoo's own message when it sent one (its first line), else the client's."""
    text = (error.odoo_message or "").strip() or str(error)
    name = (error.odoo_name or "").rsplit(".", 1)[-1]
    first = text.splitlines()[0].strip() if text else ""
    return f"{name}: {first}" if name and not first.startswith(name) else first


# Building streams


def _fields_of_model(client: Any):
    """`fields_get` of a model a related path goes through; None when it cannot be described or
    the user may not read it (Odoo refuses a domain through it), as `_describe_models` leaves
    such models out. fields_get first: a model that is not there fails there, before the
    access check learns which method the server has."""
    can_read = ReadAccessChecker(client)

    def describe(model: str) -> dict | None:
        try:
            fields = client.fields_get(model, attributes=FIELD_ATTRIBUTES)
            return fields if can_read(model) else None
        except errors.OdooError:
            return None

    return describe


# Reading settings


def _json_text(value: Any) -> Any:
    """A list or object given as JSON text (an environment variable, a CLI flag) is parsed."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _strings(value: Any, setting: str) -> list[str]:
    value = _json_text(value)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise errors.ConfigurationError(f"`{setting}` must be a list of strings.", setting=setting)
    return list(value)


def _named_streams(value: Any) -> list[NamedStream]:
    value = _json_text(value)
    if not value:
        return []
    if not isinstance(value, (list, tuple)):
        raise errors.ConfigurationError("`streams` must be a list of objects.", setting="streams")
    streams = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not item.get("name") or not item.get("model"):
            raise errors.ConfigurationError(
                f"`streams[{index}]` needs at least a `name` and a `model`.", setting="streams"
            )
        fields = item.get("fields")
        streams.append(
            NamedStream(
                name=str(item["name"]),
                model=str(item["model"]),
                domain=list(item.get("domain") or []),
                fields=None if fields is None else tuple(_strings(fields, "streams.fields")),
                replication_key=item.get("replication_key") or None,
            )
        )
    return streams
