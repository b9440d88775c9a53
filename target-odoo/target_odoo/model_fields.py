"""Fit a mapping to the database: fields the model lacks (Odoo 19 dropped res.partner.mobile,
an app is not installed) are left out with one warning instead of failing every record."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from target_odoo.mapping import LinesRule, StreamMapping


def _keep(names: dict, known: set[str], model: str, dropped: list[str]) -> dict:
    kept = {}
    for name, value in names.items():
        if name in known:
            kept[name] = value
        else:
            dropped.append(f"{model}.{name}")
    return kept


def _fit_lines(rule: LinesRule, known: set[str], dropped: list[str]) -> LinesRule:
    return dataclasses.replace(
        rule,
        fields=_keep(rule.fields, known, rule.model, dropped),
        constants=_keep(rule.constants, known, rule.model, dropped),
        lookups=_keep(rule.lookups, known, rule.model, dropped),
    )


def fit_mapping(
    mapping: StreamMapping, fields_of: Callable[[str], set[str]]
) -> tuple[StreamMapping, list[str]]:
    """The mapping without fields its models lack, and the `model.field` names left out."""
    dropped: list[str] = []
    known = fields_of(mapping.model)
    lines = {
        name: _fit_lines(rule, fields_of(rule.model), dropped)
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
    )
    return fitted, dropped
