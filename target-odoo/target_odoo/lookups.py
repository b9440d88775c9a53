"""Turn source values into many2one / many2many ids: batched per model and field, cached per run.

A record a lookup creates (a vendor named on a bill) is claimed by an external id made from its
create values, in module `<namespace>_lookup`. Two targets writing into one Odoo at once (the
partitions of one extraction) may both look for "ACME", find nothing and both create it; Odoo
keeps external ids unique, so only one claim is recorded. The other target deletes the record it
created and uses the claimed one, which is the one every later lookup by name finds too.
"""

from __future__ import annotations

import hashlib
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
CLAIM_MODULE_SUFFIX = "_lookup"  # claims live apart from the records' own external ids
# A claim held by a record since archived or deleted is removed and claimed again, once.
CLAIM_ROUNDS = 2

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


def claim_name(model: str, create_values: dict[str, Any]) -> str:
    """The external id name that claims the record created from `create_values`."""
    text = json.dumps([model, create_values], sort_keys=True, default=str)
    return f"{model.replace('.', '_')}_{hashlib.sha1(text.encode()).hexdigest()[:20]}"


def _match_target(match: Match) -> str:
    return (
        "xmlid:" + ",".join(match.external_id_streams) if match.external_id_streams else match.field
    )


class LookupResolver:
    """Resolve lookup requests of a whole batch in a few calls; found ids are cached for the run."""

    def __init__(self, client: Any, external_ids: ExternalIds, *, dry_run: bool = False) -> None:
        self.client = client
        self.external_ids = external_ids
        self.claims = ExternalIds(client, external_ids.namespace + CLAIM_MODULE_SUFFIX)
        self.dry_run = dry_run
        self._found: dict[tuple, int] = {}
        self._inactive: dict[tuple, int] = {}  # matches found only among archived records
        self._taken_over: set[int] = set()  # records other targets created while we did
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
            unclaimed = self._unclaimed(model, groups)
            if unclaimed:
                self._create_groups(model, unclaimed)

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
            ids = self._settle(model, groups, ids)  # type: ignore[arg-type]
        for res_id, same in zip(ids, groups, strict=True):
            for request in same:
                request.result, request.done = res_id, True
                request.created = res_id not in self._taken_over
                if res_id is not None:
                    self._remember(request, res_id)

    # Claims: one record per set of create values, whichever target created it first

    def _unclaimed(
        self, model: str, groups: list[list[LookupRequest]]
    ) -> list[list[LookupRequest]]:
        """The groups no active record claims yet; the others get the claiming record (one
        created by an earlier run, or by another target since our lookup, then renamed)."""
        names = [claim_name(model, same[0].create_values or {}) for same in groups]
        try:
            held = self._holders(model, names)
            active = self._active(model, set(held.values()))
        except OdooError as error:  # only a shortcut: creating settles the claims anyway
            _log.debug("reading the claims of %s: %s", model, error)
            return groups
        rest = []
        for name, same in zip(names, groups, strict=True):
            holder = held.get(name)
            if holder not in active:
                rest.append(same)
                continue
            for request in same:
                request.result, request.done = holder, True
                self._remember(request, holder)
        return rest

    def _settle(self, model: str, groups: list[list[LookupRequest]], ids: list[int]) -> list[int]:
        """Claim the records just created (one call); where another target claimed the same
        values first, its record replaces ours, which is deleted."""
        names = [claim_name(model, same[0].create_values or {}) for same in groups]
        try:
            self.claims.record(model, dict(zip(names, ids, strict=True)))
        except OdooError:  # a name is taken (or recording failed): settle them one by one
            return [self._settle_one(model, n, ours) for n, ours in zip(names, ids, strict=True)]
        return ids

    def _settle_one(self, model: str, name: str, ours: int) -> int:
        """Our record's id when our claim holds, else the id of the record that holds it."""
        error: OdooError | None = None
        for _ in range(CLAIM_ROUNDS):
            try:
                self.claims.record(model, {name: ours})
            except OdooError as refused:
                error = refused
            else:
                return ours
            try:
                holder = self._holders(model, [name]).get(name)
                if holder is None:
                    break  # not taken: recording failed for another reason
                if holder == ours:
                    return ours  # recorded after all (an answer lost on the way)
                if self._active(model, {holder}):
                    self._drop_ours(model, ours, holder)
                    return holder
                self._free_claim(model, name, holder)  # its record was archived or deleted since
            except OdooError as unreadable:
                error = unreadable
                break
        _log.warning(
            "%s id %s, created by a lookup, could not be claimed by the external id %s.%s (%s): "
            "another target creating the same record at this moment would keep its own",
            model,
            ours,
            self.claims.namespace,
            name,
            " ".join(str(error).split())[:300],
        )
        return ours

    def _holders(self, model: str, names: list[str]) -> dict[str, int]:
        """Claim name -> the record id it holds, as Odoo has it now (never from a cache: another
        target may have changed it a moment ago)."""
        rows = self.client.search_read(
            "ir.model.data",
            [("module", "=", self.claims.namespace), ("model", "=", model), ("name", "in", names)],
            ["name", "res_id"],
        )
        return {row["name"]: row["res_id"] for row in rows}

    def _active(self, model: str, ids: set[int]) -> set[int]:
        """The ids of `ids` that are active records (lookups never pick archived ones)."""
        if not ids:
            return set()
        rows = self.client.search_read(
            model, [("id", "in", sorted(ids))], ["id"], context=ACTIVE_ONLY
        )
        return {row["id"] for row in rows}

    def _drop_ours(self, model: str, ours: int, holder: int) -> None:
        """Delete the record we created, now that another target's stands for it."""
        self._taken_over.add(holder)
        _log.info(
            "%s id %s was created at the same moment by another run; using it and deleting "
            "ours (id %s)",
            model,
            holder,
            ours,
        )
        try:
            self.client.unlink(model, [ours])
        except OdooError as error:
            _log.warning(
                "%s id %s is a duplicate of id %s (created by a lookup at the same moment as "
                "another run's) and could not be deleted: %s; delete it in Odoo",
                model,
                ours,
                holder,
                " ".join(str(error).split())[:300],
            )

    def _free_claim(self, model: str, name: str, stale: int) -> None:
        """Remove the claim `name` if it still holds `stale` (not one another target just
        recorded), so that the next round can claim it."""
        ids = self.client.search(
            "ir.model.data",
            [
                ("module", "=", self.claims.namespace),
                ("model", "=", model),
                ("name", "=", name),
                ("res_id", "=", stale),
            ],
        )
        if not ids:
            return
        try:
            self.client.unlink("ir.model.data", ids)
        except OdooError as error:  # another target freed it first: the next round claims it
            _log.debug("freeing the claim %s of %s: %s", name, model, error)

    def _remember(self, request: LookupRequest, res_id: int) -> None:
        for match, key in zip(request.rule.matches, request.keys, strict=True):
            if key is not None and not match.external_id_streams:
                self._found[self._cache_key(request.rule, match, key)] = res_id
