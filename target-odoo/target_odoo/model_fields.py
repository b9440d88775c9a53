"""Fit a mapping to the database: fields the model lacks (Odoo 19 dropped res.partner.mobile,
an app is not installed) are left out with one warning instead of failing every record; numbers
are rounded to the decimals Odoo keeps of their field (fields_get `digits`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection

from target_odoo.mapping import LinesRule, StateGuard, StreamMapping


def _keep(names: dict, known: set[str], model: str, dropped: list[str]) -> dict:
    kept = {}
    for name, value in names.items():
        if name in known:
            kept[name] = value
        else:
            dropped.append(f"{model}.{name}")
    return kept


def digits_of(info: Collection[str]) -> dict[str, int]:
    """Decimals Odoo keeps per float field (`digits` [precision, scale] of fields_get)."""
    if not isinstance(info, dict):
        return {}
    found = {}
    for name, attrs in info.items():
        digits = attrs.get("digits") if isinstance(attrs, dict) else None
        if isinstance(digits, (list, tuple)) and len(digits) == 2:
            found[name] = int(digits[1])
    return found


def _guard(guard: StateGuard | None, known: set[str]) -> StateGuard | None:
    return guard if guard is None or guard.field in known else None


def _fit_lines(
    rule: LinesRule, info: Collection[str], header: set[str], dropped: list[str]
) -> LinesRule:
    known = set(info)
    match_by = rule.match_by if all(name in known for name in rule.match_by) else ()
    return dataclasses.replace(
        rule,
        fields=_keep(rule.fields, known, rule.model, dropped),
        constants=_keep(rule.constants, known, rule.model, dropped),
        lookups=_keep(rule.lookups, known, rule.model, dropped),
        match_by=match_by,
        always_write=tuple(name for name in rule.always_write if name in known),
        zero={name: value for name, value in rule.zero.items() if name in known},
        zero_when=_guard(rule.zero_when, header),
        not_below={k: v for k, v in rule.not_below.items() if k in known and v in known},
        leave_when=_guard(rule.leave_when, known),
        digits=digits_of(info),
    )


def fit_mapping(
    mapping: StreamMapping, fields_of: Callable[[str], Collection[str]]
) -> tuple[StreamMapping, list[str]]:
    """The mapping without fields its models lack, and the `model.field` names left out.
    `fields_of(model)` answers the model's field names, or fields_get's answer (names with
    their attributes: `digits` is then kept for rounding)."""
    dropped: list[str] = []
    info = fields_of(mapping.model)
    known = set(info)
    lines = {
        name: _fit_lines(rule, fields_of(rule.model), known, dropped)
        for name, rule in _keep(mapping.lines, known, mapping.model, dropped).items()
    }
    marker = mapping.marker
    if marker and marker not in known:
        dropped.append(f"{mapping.model}.{marker}")
        marker = None
    natural_key = mapping.natural_key
    if any(name not in known for name in natural_key):
        natural_key = ()
    fitted = dataclasses.replace(
        mapping,
        marker=marker,
        natural_key=natural_key,
        has_active="active" in known,
        fields=_keep(mapping.fields, known, mapping.model, dropped),
        constants=_keep(mapping.constants, known, mapping.model, dropped),
        on_create=_keep(mapping.on_create, known, mapping.model, dropped),
        lookups=_keep(mapping.lookups, known, mapping.model, dropped),
        lines=lines,
        digits=digits_of(info),
    )
    return fitted, dropped
