"""The kinds of field a catalog holds: what each costs to read, and what says when it changed.

Odoo's `fields_get` says `store: false` for three very different kinds of field:

- stored (`store: true`): a column; its value changes when the row is written (`write_date`).
- related (`related: "product_tmpl_id.name"`, every step a many2one, ending in a stored or
  company-dependent field): a join; its value changes when a row on the path is written: that
  row's `write_date` moves, not the child's.
- company_dependent (`company_dependent: true`; `ir.property` up to 17, stored from 18): a
  lookup; one value per company, changed by writing the row.
- computed (any other non-stored field): Python on every row; its value may change at any time,
  only its `depends` tell on what.

Related and company-dependent fields are selected by default like stored ones; computed ones are
in the catalog but not selected by default. For incremental reads, a field is *tracked* when its
value cannot change without the `write_date` of the row, or of a row it is read through (`via`:
the many2one paths such as `product_tmpl_id`), moving. Related fields are tracked through their
path; a computed field is tracked when all it `depends` on is (a quant's `available_quantity`
depends on its own `quantity` and `reserved_quantity`), and untracked when it declares nothing or
goes through a one2many or many2many (a product's `qty_available` depends on
`stock_move_ids.quantity`): an incremental read cannot see its changes.

Classifying a related field needs the fields of the models on its path: `classify_models` asks
`fields_get` of those it was not given (a few in a narrowed discovery, none in a full one), in
parallel, round after round until every path is resolved. A path through a model the user may
not read counts as computed and untracked: the tap could not ask for that model's changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

STORED = "stored"
RELATED = "related"
COMPANY_DEPENDENT = "company_dependent"
COMPUTED = "computed"
CHANGE_MARKER = "write_date"
MAX_EXPANSIONS = 20  # related paths through related fields, a guard against a cycle


@dataclass(frozen=True)
class FieldKind:
    """A field's kind; `via`: the many2one paths whose rows hold its value; `tracked`: a change of
    its value moves the `write_date` of the row or of a row on `via`."""

    kind: str
    via: tuple[str, ...] = ()
    tracked: bool = True
    per_company: bool = False  # company-dependent, or related to a company-dependent field

    @property
    def selected_by_default(self) -> bool:
        """Stored, related and company-dependent fields are; computed ones are not."""
        return self.kind != COMPUTED


UNTRACKED = FieldKind(COMPUTED, tracked=False)


@dataclass(frozen=True)
class _Need:
    """The fields of `model` are needed before a field can be classified."""

    model: str


@dataclass(frozen=True)
class _Path:
    """Where a dotted path ends: the model and field it reads, and the many2one steps on the
    way (each as a path from the start, `a`, `a.b`)."""

    model: str
    name: str
    via: tuple[str, ...]
    prefix: str


Fields = Mapping[str, Mapping[str, Any]]


class _Classifier:
    """Classifies fields of described models; returns `_Need` where a model is missing."""

    def __init__(self, described: Mapping[str, Fields | None]) -> None:
        self.described = described
        self.memo: dict[tuple[str, str], FieldKind] = {}
        self.busy: set[tuple[str, str]] = set()

    def kind(self, model: str, name: str) -> FieldKind | _Need:
        key = (model, name)
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:  # a field depending on itself, through others
            return UNTRACKED
        fields = self.described.get(model)
        field = (fields or {}).get(name)
        if field is None:  # a field this user may not see, or a model that is not there
            return UNTRACKED
        self.busy.add(key)
        try:
            found = self._kind(model, field)
        finally:
            self.busy.discard(key)
        if not isinstance(found, _Need):
            self.memo[key] = found
        return found

    def _kind(self, model: str, field: Mapping[str, Any]) -> FieldKind | _Need:
        if field.get("company_dependent"):
            return FieldKind(COMPANY_DEPENDENT, per_company=True)
        if field.get("store"):
            return FieldKind(STORED)
        related = field.get("related")
        if isinstance(related, str) and related:
            return self._related(model, related.split("."))
        return self._computed(model, field.get("depends"))

    def _related(self, model: str, segments: list[str]) -> FieldKind | _Need:
        path = self._walk(model, segments)
        if not isinstance(path, _Path):
            return path
        end = self.kind(path.model, path.name)
        if isinstance(end, _Need):
            return end
        via = path.via + tuple(path.prefix + step for step in end.via)
        if end.kind == COMPUTED:
            return FieldKind(COMPUTED, via, end.tracked)
        return FieldKind(RELATED, via, per_company=end.per_company)

    def _computed(self, model: str, depends: Any) -> FieldKind | _Need:
        if not isinstance(depends, list) or not depends:
            return UNTRACKED  # nothing declared: only reading it tells
        via: set[str] = set()
        for dependency in depends:
            if not isinstance(dependency, str) or not dependency:
                return UNTRACKED
            found = self._related(model, dependency.split("."))
            if isinstance(found, _Need) or not found.tracked:
                return found
            via.update(found.via)
        return FieldKind(COMPUTED, tuple(sorted(via)))

    def _walk(self, model: str, segments: list[str]) -> _Path | FieldKind | _Need:
        """Follow a dotted path through many2one steps; a step that is itself a non-stored
        related field is replaced by its own path. A step through anything else (x2many,
        computed or company-dependent many2one, a model without write_date) is untracked."""
        segments = list(segments)
        via: list[str] = []
        prefix = ""
        expansions = 0
        index = 0
        while True:
            fields = self.described.get(model)
            if fields is None:
                return _Need(model) if model not in self.described else UNTRACKED
            name = segments[index]
            field = fields.get(name)
            if field is None:
                return UNTRACKED
            if index == len(segments) - 1:
                return _Path(model, name, tuple(via), prefix)
            related = field.get("related")
            if not field.get("store") and isinstance(related, str) and related:
                expansions += 1
                if expansions > MAX_EXPANSIONS:
                    return UNTRACKED
                segments[index : index + 1] = related.split(".")
                continue
            if (
                field.get("type") != "many2one"
                or not field.get("store")
                or field.get("company_dependent")
            ):
                return UNTRACKED
            comodel = field.get("relation") or ""
            comodel_fields = self.described.get(comodel)
            if comodel_fields is None:
                return _Need(comodel) if comodel not in self.described else UNTRACKED
            marker = comodel_fields.get(CHANGE_MARKER) or {}
            if not marker.get("store"):
                return UNTRACKED
            via.append(prefix + name)
            prefix += name + "."
            model = comodel
            index += 1


def classify_models(
    described: Mapping[str, Fields],
    models: Iterable[str],
    describe: Callable[[str], Fields | None],
    max_parallel: int = 1,
    undescribed: Iterable[str] = (),
) -> dict[str, dict[str, FieldKind]]:
    """The kind of every field of `models` (described in `described`).

    `describe(model)` answers the fields of a model on a related path that neither `described`
    nor `undescribed` (models known to be unreadable) holds; None when it cannot, or when the
    user may not read the model (a domain through it could be refused): paths through such a
    model count as computed and untracked. Those models are asked in parallel, a round at a
    time.
    """
    known: dict[str, Fields | None] = {**dict.fromkeys(undescribed), **described}
    wanted = [model for model in models if model in described]
    while True:
        classifier = _Classifier(known)
        kinds: dict[str, dict[str, FieldKind]] = {}
        needed: set[str] = set()
        for model in wanted:
            kinds[model] = {}
            for name in known[model] or {}:
                found = classifier.kind(model, name)
                if isinstance(found, _Need):
                    needed.add(found.model)
                else:
                    kinds[model][name] = found
        if not needed:
            return kinds
        ordered = sorted(needed)
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(ordered)))) as pool:
            for model, fields in zip(ordered, pool.map(describe, ordered), strict=True):
                known[model] = fields


def change_domain(replication_key: str, since: str, via: Sequence[str]) -> list:
    """Rows written since `since`, or whose rows on `via` were: `write_date >= since` OR-ed with
    `<path>.write_date >= since` for each path (prefix notation)."""
    leaves = [(replication_key, ">=", since)]
    leaves += [(f"{path}.{CHANGE_MARKER}", ">=", since) for path in via]
    return ["|"] * (len(leaves) - 1) + leaves


def tracked_via(kinds: Mapping[str, FieldKind], names: Iterable[str]) -> tuple[str, ...]:
    """The paths whose `write_date` an incremental read of `names` must also look at."""
    return tuple(sorted({path for name in names if name in kinds for path in kinds[name].via}))


def untracked(kinds: Mapping[str, FieldKind], names: Iterable[str]) -> list[str]:
    """The fields among `names` whose changes no `write_date` shows."""
    return sorted(name for name in names if name in kinds and not kinds[name].tracked)


def per_company(kinds: Mapping[str, FieldKind], names: Iterable[str]) -> list[str]:
    """The fields among `names` whose value depends on the company the call runs in."""
    return sorted(name for name in names if name in kinds and kinds[name].per_company)
