"""Files attached to written records (ir.attachment), from base64 content or a local path."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from target_odoo.mapping import AttachmentRule
from target_odoo.paths import read_list, read_path
from target_odoo.record_values import RecordError


def _staged_file(item: Any, rule: AttachmentRule, input_path: str | None) -> Path | None:
    """The file hotglue staged for an item in the `input_path` folder (`{id}_{name}`)."""
    if not rule.input_file or not isinstance(item, dict):
        return None
    try:
        name = rule.input_file.format_map(item)
    except (KeyError, ValueError, IndexError):
        return None
    if Path(name).name != name or name in (".", ".."):
        raise RecordError(f"attachment file {name!r} is not a file name in input_path")
    return Path(input_path or ".") / name


def source_attachments(
    record: dict, rule: AttachmentRule, input_path: str | None = None
) -> tuple[list[dict[str, str]], list[str]]:
    """The files a record carries (name, base64 `datas`, optional mimetype), and what could not
    be attached: staged files (`input_file`) missing from `input_path`, as notes."""
    try:
        items = read_list(record, rule.path) or []
    except ValueError as error:
        raise RecordError(f"attachments from {error}") from None
    files, missing = [], []
    for position, item in enumerate(items):
        where = f"{rule.path}[{position}]"
        name = read_path(item, rule.name)
        content = read_path(item, rule.content)
        local = read_path(item, rule.file)
        staged = _staged_file(item, rule, input_path) if not (content or local) else None
        if staged is not None:
            if not staged.is_file():
                folder = str(staged.parent)
                missing.append(f"{where}: no file {staged.name!r} in input_path {folder!r}")
                continue
            local, name = str(staged), staged.name
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
    return files, missing


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
