"""How a record's source identity is kept in Odoo: as an external id (ir.model.data), or on the
record itself, in a field the mapping names per stream (`identity_field`).

A least-privilege integration user (no Settings / Access Rights group) may neither read nor
create external ids. With `identity: field` (or `auto`, which chooses it for such a user, and
external ids for a user who may use them) every record carries its identity in its own
`identity_field` (partners `ref`, invoices and bills `payment_reference`, purchase orders
`origin`, or a custom `x_` field), written by the very `create` call that makes the record:

    <external_id_namespace>.<stream>:<source key>      e.g.  singer.Customers:C-1

The namespace is the source's (the `external_id_namespace` setting): a batch looks its records
up with one `search_read` per batch, `identity_field in [...]`, archived records included, and
matches only this namespace's values, so two sources writing the same model (each with its own
namespace) never take each other's records. A record created by a run killed right after its
`create` carries its identity already: the next run finds it by that search and updates it
instead of creating it again; no marker and no external id are needed. Several records
carrying one identity are never guessed between: the record fails and names them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from typing import Any

from odoo_client.errors import AccessDeniedError, ConfigurationError, OdooError
from target_odoo.external_ids import ExternalIds
from target_odoo.mapping import Mapping, StreamMapping
from target_odoo.rights import refusal, rights_message

IDENTITY_MODES = ("auto", "external_id", "field")
WITH_ARCHIVED = {"active_test": False}


class FieldIdentities:
    """Identities kept on the records: the same interface as `ExternalIds` (find, record,
    forget), plus `fit` (a stream's mapping without its identity field) and `problem`."""

    on_records = True

    def __init__(self, client: Any, namespace: str, mapping: Mapping) -> None:
        self.client = client
        self.namespace = namespace
        self.fields = {
            name: spec.identity_field
            for name, spec in mapping.streams.items()
            if spec.identity_field
        }
        self._problems: dict[str, str] = {}  # stream -> why its records cannot be identified
        self._models: dict[str, str] = {}
        self._cache: dict[tuple[str, str], int] = {}
        self._clashes: dict[tuple[str, str], list[int]] = {}

    def identity_name(self, stream: str, key: Any) -> str:
        """The value kept in the stream's identity field: `singer.Customers:C-1`."""
        return f"{self.namespace}.{stream}:{key}"

    def stream_of(self, name: str) -> str | None:
        """The stream an identity value belongs to (None: not this namespace's)."""
        prefix = f"{self.namespace}."
        if not name.startswith(prefix):
            return None
        rest = name[len(prefix) :]
        known = [s for s in (*self.fields, *self._problems) if rest.startswith(f"{s}:")]
        if known:
            return max(known, key=len)
        stream, sep, _ = rest.partition(":")
        return stream if sep else None

    def fit(self, mapping: StreamMapping, known_fields: set[str]) -> StreamMapping:
        """The stream's mapping for writing with field identities: the identity field is
        written by the target (its mapped value, if any, is not), and the external-id recovery
        (marker, natural key) is off. A stream that cannot be identified is remembered: its
        records fail with the reason (`problem`)."""
        field = mapping.identity_field
        self._models[mapping.stream] = mapping.model
        if not field:
            self._problems[mapping.stream] = self._unidentified(mapping)
            return mapping
        if field not in known_fields:
            self.fields.pop(mapping.stream, None)
            self._problems[mapping.stream] = (
                f"{mapping.model} has no field {field!r} (the identity_field of stream "
                f"{mapping.stream!r}, which holds each record's source identity since this user "
                "may not use external ids): create it in Odoo (a char field, Studio will do) or "
                "name another char field of the model"
            )
            return mapping
        self.fields[mapping.stream] = field

        def without(section: dict) -> dict:
            return {name: rule for name, rule in section.items() if name != field}

        return dataclasses.replace(
            mapping,
            fields=without(mapping.fields),
            constants=without(mapping.constants),
            on_create=without(mapping.on_create),
            lookups=without(mapping.lookups),
            marker=None,
            natural_key=(),
        )

    def create_values(self, stream: str, name: str) -> dict[str, str]:
        """What the create call writes so the record carries its identity from the start."""
        field = self.fields.get(stream)
        return {field: name} if field else {}

    def problem(self, name: str) -> str | None:
        """Why the record with this identity cannot be written, if it cannot."""
        stream = self.stream_of(name)
        if stream in self._problems:
            return self._problems[stream]
        if stream not in self.fields:
            return self._unidentified_stream(stream)
        model = self._models.get(stream, "")
        clash = self._clashes.get((model, name))
        if clash:
            return (
                f"{len(clash)} records of {model} carry {self.fields[stream]}={name!r} (ids "
                f"{clash}): keep one (archive or delete the others, or clear their "
                f"{self.fields[stream]}) and re-run"
            )
        return None

    def find(self, model: str, names: list[str]) -> dict[str, int]:
        """Map each name to the one record of `model` carrying it (one search per field)."""
        by_field: dict[str, list[str]] = defaultdict(list)
        for name in dict.fromkeys(names):
            field = self.fields.get(self.stream_of(name) or "")
            if field and (model, name) not in self._cache:
                by_field[field].append(name)
        for field, values in by_field.items():
            rows = self.client.search_read(
                model, [(field, "in", values)], [field], order="id", context=WITH_ARCHIVED
            )
            found: dict[str, list[int]] = defaultdict(list)
            for row in rows:
                found[row[field]].append(row["id"])
            for value in values:
                ids = found.get(value, [])
                if len(ids) == 1:
                    self._cache[(model, value)] = ids[0]
                    self._clashes.pop((model, value), None)
                elif ids:
                    self._clashes[(model, value)] = ids
        return {name: self._cache[(model, name)] for name in names if (model, name) in self._cache}

    def record(self, model: str, ids_by_name: dict[str, int]) -> None:
        """Nothing to write: the create call wrote the identity. Remembered for the run."""
        self._cache.update({(model, name): res_id for name, res_id in ids_by_name.items()})

    def forget(self, model: str, names: list[str]) -> None:
        """Records gone from Odoo: forgotten for the run (nothing is kept elsewhere)."""
        for name in names:
            self._cache.pop((model, name), None)

    def _unidentified(self, mapping: StreamMapping) -> str:
        missing = refusal(self.client, mapping.model, "create")
        if missing is not None:  # the first thing to grant
            return rights_message(missing, mapping.model, "create")
        return self._unidentified_stream(mapping.stream, mapping.model)

    def _unidentified_stream(self, stream: str | None, model: str | None = None) -> str:
        where = f"a char field of {model}" if model else "a char field of its model"
        return (
            f"stream {stream!r} names no identity_field in the mapping, and this user may not "
            f"use external ids (ir.model.data): name {where} that holds the source identity "
            'under "identity_field" (a custom x_ field will do), or grant "Administration: '
            'Access Rights" and use external ids'
        )


def choose_identities(
    client: Any, mode: str, namespace: str, mapping: Mapping, logger: logging.Logger
) -> ExternalIds | FieldIdentities:
    """The identities of this run, as the `identity` setting says; `auto` checks (two calls)
    whether this user may read and create external ids. Says once which it is."""
    if mode not in IDENTITY_MODES:
        raise ConfigurationError(
            f"identity must be one of {', '.join(IDENTITY_MODES)}, not {mode!r}",
            setting="identity",
        )
    refused = None if mode == "field" else _external_ids_refused(client)
    if mode == "external_id" and refused is not None:
        raise AccessDeniedError(
            "identity is external_id, but "
            + rights_message(refused, "ir.model.data")
            + ". Set identity to auto or field to keep identities on the records instead "
            "(see identity_field in the mapping).",
            operation=getattr(refused, "operation", None),
            model="ir.model.data",
        )
    if refused is None and mode != "field":
        logger.info(
            "Identity: external ids (ir.model.data, module %r)%s.",
            namespace,
            "" if mode == "external_id" else "; this user may use them (identity: auto)",
        )
        return ExternalIds(client, namespace)
    identities = FieldIdentities(client, namespace, mapping)
    kept = ", ".join(
        f"{stream} -> {mapping.streams[stream].model}.{field}"
        for stream, field in sorted(identities.fields.items())
    )
    why = "identity: field" if mode == "field" else "identity: auto; this user may not use them"
    logger.info(
        "Identity: kept on the records, '%s.<stream>:<source key>' in each stream's "
        "identity_field, not in external ids (%s): %s.",
        namespace,
        why,
        kept or "no stream names one",
    )
    return identities


def _external_ids_refused(client: Any) -> OdooError | None:
    for operation in ("read", "create"):
        missing = refusal(client, "ir.model.data", operation)
        if missing is not None:
            return missing
    return None
