"""Order within a batch: records that point at another record of the same batch (a contact
at its company) go after it, so their lookup finds the external id just written."""

from __future__ import annotations

from target_odoo.mapping import StreamMapping
from target_odoo.paths import read_path


def _self_reference_paths(mapping: StreamMapping) -> list:
    return [
        match.path
        for rule in mapping.lookups.values()
        for match in rule.matches
        if mapping.stream in match.external_id_streams
    ]


def split_self_references(
    records: list[dict], mapping: StreamMapping
) -> tuple[list[dict], list[dict]]:
    """(records to write first, records that wait for one of them)."""
    paths = _self_reference_paths(mapping)
    if not paths:
        return records, []
    keys = {str(read_path(record, mapping.key)) for record in records}
    first, later = [], []
    for record in records:
        own = str(read_path(record, mapping.key))
        refs = []
        for path in paths:
            value = read_path(record, path)
            refs += value if isinstance(value, list) else [value]
        waits = any(str(ref) in keys and str(ref) != own for ref in refs if ref is not None)
        (later if waits else first).append(record)
    return first, later
