"""Turn source values into many2one / many2many ids: batched per model and field, cached per run."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from odoo_client.errors import OdooError, WriteOutcomeUnknownError
from target_odoo.bounds import (
    Budget,
    isolation_budget,
    lookup_budget,
    not_isolated,
    raise_if_run_ending,
)
from target_odoo.external_ids import ExternalIds
from target_odoo.mapping import LookupRule, Match
from target_odoo.rights import is_access_rights_refusal, rights_message

_log = logging.getLogger("target_odoo.lookups")
EMPTIED_WARNINGS = 20  # per lookup label: the first ones are named, later ones only counted

# Lookups see what Odoo's UI offers: active records only, whatever `include_archived` (a tap
# setting) puts in the connection's context. Archived matches are looked for only to say so.
ACTIVE_ONLY = {"active_test": True}
WITH_ARCHIVED = {"active_test": False}


@dataclass
class LookupRequest:
    """One lookup of one record: the source value for each match, and what it resolved to."""

    label: str
    rule: LookupRule
    keys: list[Any]
    create_values: dict[str, Any] | None = None
    create_error: str | None = None
    result: Any = None
    error: str | None = None
    created: bool = False
    done: bool = False
    inactive: list[tuple[Match, Any, int]] = field(default_factory=list)

    def describe(self) -> str:
        """The source values tried, for error messages."""
        tried = [
            f"{match.path}={key!r} ({'external id' if match.external_id_streams else match.field})"
            for match, key in zip(self.rule.matches, self.keys, strict=True)
            if key is not None
        ]
        return ", ".join(tried)


def _match_target(match: Match) -> str:
    return (
        "xmlid:" + ",".join(match.external_id_streams) if match.external_id_streams else match.field
    )


class LookupResolver:
    """Resolve lookup requests of a whole batch in a few calls; found ids are cached for the run."""

    def __init__(self, client: Any, external_ids: ExternalIds, *, dry_run: bool = False) -> None:
        self.client = client
        self.external_ids = external_ids
        self.dry_run = dry_run
        self._found: dict[tuple, int] = {}
        self._inactive: dict[tuple, int] = {}  # matches found only among archived records
        self.emptied: Counter[str] = Counter()  # values given but matching nothing, left empty

    def resolve(self, requests: list[LookupRequest], *, create: bool = True) -> None:
        """Fill `result` (an id, a list of ids, or None) or `error` of every request.

        With `create=False` records a lookup would create stay pending (`done` False) for
        `create_missing`, so a record failing for another reason creates nothing.
        """
        rounds = max((len(request.rule.matches) for request in requests), default=0)
        budget = lookup_budget()
        for index in range(rounds):
            pending = [r for r in requests if not r.done and index < len(r.keys)]
            pending = [r for r in pending if r.keys[index] is not None]
            self._run_round(pending, index, budget)
        missing = [r for r in requests if not r.done]
        if not create:
            missing = [r for r in missing if not self._creates(r)]
        self._handle_missing(missing)

    def create_missing(self, requests: list[LookupRequest]) -> None:
        """Create what the pending requests of `resolve(create=False)` ask for."""
        self._handle_missing([r for r in requests if not r.done])

    @staticmethod
    def _creates(request: LookupRequest) -> bool:
        return request.rule.on_missing == "create" and bool(request.create_values)

    def _cache_key(self, rule: LookupRule, match: Match, value: Any) -> tuple:
        return (rule.model, _match_target(match), json.dumps(rule.domain), json.dumps(value))

    def _run_round(self, requests: list[LookupRequest], index: int, budget: Budget) -> None:
        groups: dict[tuple, set] = defaultdict(set)
        rules: dict[tuple, LookupRule] = {}
        for request in requests:
            match = request.rule.matches[index]
            group = (request.rule.model, _match_target(match), json.dumps(request.rule.domain))
            rules.setdefault(group, request.rule)
            for value in self._values(request, index):
                if self._cache_key(request.rule, match, value) not in self._found:
                    groups[group].add(json.dumps(value))
        refused: dict[tuple, str] = {}
        for group, values in groups.items():
            rule = rules[group]
            match = next(m for m in rule.matches if _match_target(m) == group[1])
            if not budget.allows():
                refused[group] = (
                    f"not looked up: the lookups of this batch reached their bound "
                    f"({budget.describe()}); re-run (a smaller batch_size looks up fewer values)"
                )
                continue
            try:
                self._fetch(rule, match, sorted((json.loads(v) for v in values), key=str))
            except OdooError as error:  # e.g. a lookup field this database does not have
                raise_if_run_ending(error)
                refused[group] = rights_message(error, rule.model, "read")
        for request in requests:
            group = (
                request.rule.model,
                _match_target(request.rule.matches[index]),
                json.dumps(request.rule.domain),
            )
            if group in refused:
                request.error, request.done = f"{request.label}: {refused[group]}", True
            else:
                self._assign(request, index)

    @staticmethod
    def _values(request: LookupRequest, index: int) -> list:
        key = request.keys[index]
        return list(key) if request.rule.many else [key]

    def _fetch(self, rule: LookupRule, match: Match, values: list) -> None:
        if match.external_id_streams:
            names = {
                self.external_ids.identity_name(stream, value): value
                for value in values
                for stream in match.external_id_streams
            }
            for name, res_id in self.external_ids.find(rule.model, list(names)).items():
                self._found.setdefault(self._cache_key(rule, match, names[name]), res_id)
            return
        extra = [tuple(leaf) for leaf in rule.domain]
        rows = self.client.search_read(
            rule.model,
            [(match.field, "in", values), *extra],
            ["id", match.field],
            order="id",
            context=ACTIVE_ONLY,
        )
        for row in rows:  # the oldest active match wins
            self._found.setdefault(self._cache_key(rule, match, row[match.field]), row["id"])
        missing = [v for v in values if self._cache_key(rule, match, v) not in self._found]
        if not missing:
            return
        rows = self.client.search_read(
            rule.model,
            [(match.field, "in", missing), *extra],
            ["id", match.field],
            order="id",
            context=WITH_ARCHIVED,
        )
        for row in rows:
            self._inactive.setdefault(self._cache_key(rule, match, row[match.field]), row["id"])

    def _assign(self, request: LookupRequest, index: int) -> None:
        match = request.rule.matches[index]
        found = [
            self._found.get(self._cache_key(request.rule, match, value))
            for value in self._values(request, index)
        ]
        archived = {
            json.dumps(value): self._inactive[key]
            for value in self._values(request, index)
            if (key := self._cache_key(request.rule, match, value)) in self._inactive
        }
        if request.rule.many:
            missing = [
                v for v, res_id in zip(request.keys[index], found, strict=True) if res_id is None
            ]
            if missing and not archived and index + 1 < len(request.rule.matches):
                return  # the next match (pass-through: the same id for base data) tries them all
            request.result = [res_id for res_id in found if res_id is not None]
            request.done = True
            inactive = [v for v in missing if json.dumps(v) in archived]
            if inactive:
                request.inactive = [(match, v, archived[json.dumps(v)]) for v in inactive]
                request.error = self._inactive_error(request)
            elif missing and request.rule.on_missing != "empty":
                by = match.field or "external id"
                request.error = f"{request.label}: no {request.rule.model} with {by} in {missing!r}"
        elif found[0] is not None:
            request.result = found[0]
            request.done = True
        elif archived:
            value = request.keys[index]
            request.inactive.append((match, value, archived[json.dumps(value)]))

    def _warn_emptied(self, request: LookupRequest) -> None:
        """Say so when a value was given but matched nothing: the field is written empty."""
        self.emptied[request.label] += 1
        if self.emptied[request.label] <= EMPTIED_WARNINGS:
            _log.warning(
                "%s: no %s matches %s; left empty (the lookup's on_missing is 'empty')%s",
                request.label,
                request.rule.model,
                request.describe(),
                " (further ones only counted)"
                if self.emptied[request.label] == EMPTIED_WARNINGS
                else "",
            )

    @staticmethod
    def _inactive_error(request: LookupRequest) -> str:
        found = ", ".join(
            f"{value!r} (id {res_id}, by {match.field})"
            for match, value, res_id in request.inactive
        )
        return (
            f"{request.label}: {request.rule.model} {found} is not active in Odoo (archived): "
            "activate it there, or send an active one"
        )

    def _handle_missing(self, requests: list[LookupRequest]) -> None:
        to_create: dict[str, list[LookupRequest]] = defaultdict(list)
        for request in requests:
            if request.inactive and request.rule.on_missing != "create":
                # Found, but archived: never written silently, nor left empty (a passthrough
                # currency left empty would become the company's).
                request.error, request.done = self._inactive_error(request), True
                continue
            if request.rule.on_missing == "empty":
                request.result = None
                if any(key is not None for key in request.keys):
                    self._warn_emptied(request)
            elif request.rule.on_missing == "create" and request.create_values:
                to_create[
                    json.dumps(
                        [request.rule.model, request.create_values], sort_keys=True, default=str
                    )
                ].append(request)
                continue
            else:
                request.error = (
                    f"{request.label}: no {request.rule.model} matches {request.describe()}"
                )
                if request.create_error:
                    request.error += f"; cannot create one: {request.create_error}"
            request.done = True
        if to_create:
            self._create(to_create)

    def _create(self, to_create: dict[str, list[LookupRequest]]) -> None:
        by_model: dict[str, list[list[LookupRequest]]] = defaultdict(list)
        for same in to_create.values():
            by_model[same[0].rule.model].append(same)
        for model, groups in by_model.items():
            self._create_groups(model, groups)

    def _create_groups(self, model: str, groups: list[list[LookupRequest]]) -> None:
        """One create for all missing records; Odoo refusing it, one by one to isolate."""
        if self.dry_run:
            ids: list[int | None] = [None] * len(groups)
        else:
            vals = [{**g[0].rule.create_constants, **g[0].create_values} for g in groups]
            try:
                ids = list(self.client.create(model, vals))
            except OdooError as error:
                raise_if_run_ending(error)
                if (
                    len(groups) > 1
                    and not isinstance(error, WriteOutcomeUnknownError)
                    and not is_access_rights_refusal(error)
                ):
                    budget = isolation_budget(f"{model}.create")
                    for same in groups:
                        if budget.allows():
                            self._create_groups(model, [same])
                            continue
                        for request in same:
                            request.error = f"{request.label}: {not_isolated(budget, error)}"
                            request.done = True
                    return
                for request in (r for same in groups for r in same):
                    reason = rights_message(error, model, "create")
                    request.error = f"{request.label}: creating the {model} failed: {reason}"
                    request.done = True
                return
        for res_id, same in zip(ids, groups, strict=True):
            for request in same:
                request.result, request.created, request.done = res_id, True, True
                if res_id is not None:
                    self._remember(request, res_id)

    def _remember(self, request: LookupRequest, res_id: int) -> None:
        for match, key in zip(request.rule.matches, request.keys, strict=True):
            if key is not None and not match.external_id_streams:
                self._found[self._cache_key(request.rule, match, key)] = res_id
