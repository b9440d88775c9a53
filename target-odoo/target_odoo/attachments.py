"""Files attached to written records (ir.attachment), from base64 content or a local path."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from target_odoo.mapping import AttachmentRule
from target_odoo.paths import read_list, read_path
from target_odoo.record_values import RecordError


def source_attachments(record: dict, rule: AttachmentRule) -> list[dict[str, str]]:
    """The files a record carries: name, base64 `datas`, optional mimetype."""
    try:
        items = read_list(record, rule.path) or []
    except ValueError as error:
        raise RecordError(f"attachments from {error}") from None
    files = []
    for position, item in enumerate(items):
        where = f"{rule.path}[{position}]"
        name = read_path(item, rule.name)
        content = read_path(item, rule.content)
        local = read_path(item, rule.file)
        if content:
            try:
                base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise RecordError(f"{where}: {rule.content!r} is not base64") from None
        elif local:
            try:
                content = base64.b64encode(Path(local).read_bytes()).decode()
            except OSError as error:
                raise RecordError(f"{where}: cannot read {local!r}: {error.strerror}") from None
            name = name or Path(local).name
        else:
            raise RecordError(f"{where}: neither {rule.content!r} nor {rule.file!r} given")
        if not name:
            raise RecordError(f"{where}: no file name at {rule.name!r}")
        entry = {"name": str(name), "datas": content}
        mimetype = read_path(item, rule.mimetype)
        if mimetype:
            entry["mimetype"] = str(mimetype)
        files.append(entry)
    return files


def attach(client: Any, model: str, files_by_id: dict[int, list[dict]]) -> None:
    """Create the files not yet attached (by name) to each record, in one call."""
    wanted = {res_id: files for res_id, files in files_by_id.items() if files}
    if not wanted:
        return
    present = client.search_read(
        "ir.attachment",
        [("res_model", "=", model), ("res_id", "in", sorted(wanted))],
        ["res_id", "name"],
    )
    seen = {(row["res_id"], row["name"]) for row in present}
    new = [
        {**file, "res_model": model, "res_id": res_id}
        for res_id, files in wanted.items()
        for file in files
        if (res_id, file["name"]) not in seen
    ]
    if new:
        client.create("ir.attachment", new)
