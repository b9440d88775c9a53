"""Models the recordings lack, defined from Odoo's source: `project.tags` (a small model with a
narrow `search_read`, see versions.py) and its few seeded rows.

project.tags (addons/project: models/project.py on 16, models/project_tags.py from 17): `name`
Char('Name', required, translate), `color` Integer('Color', help below); `_order` is the default
"id" on 16 and "name" from 17. Its many2many fields `project_ids` and `task_ids` point at
project.project and project.task, which the sandbox does not have, so they are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .bulk import ANCHOR, insert_rows, magic
from .registry import Model, field_attrs
from .storage import quote
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine

PROJECT_TAGS = "project.tags"
COLOR_HELP = "Transparent tags are not visible in the kanban view of your projects and tasks."
SEEDED_TAGS = ("Internal", "External", "Bug", "Feature Request", "Urgent")


def project_tags_fields(version: int, magic_fields: dict) -> dict:
    """fields_get of project.tags on `version`."""
    fields = dict(magic_fields)
    fields["name"] = field_attrs("name", "char", "Name", version, required=True, translate=True)
    fields["color"] = field_attrs(
        "color", "integer", "Color", version, help=COLOR_HELP, aggregator="sum"
    )
    if version < 19:  # Odoo 19 renamed group_operator `aggregator` (registry.as_odoo19_attrs)
        fields["color"]["group_operator"] = fields["color"].pop("aggregator")
    return dict(sorted(fields.items()))


def add_version_models(
    models: dict[str, Model],
    version: int,
    magic_fields: dict,
    make_model: Callable[..., Model],
    next_id: int,
) -> int:
    """Add the models defined here to `models`; returns the next free ir.model id."""
    tags = make_model(
        PROJECT_TAGS, "Project Tags", project_tags_fields(version, magic_fields), next_id
    )
    tags.order = "id" if version < 17 else "name"
    models[PROJECT_TAGS] = tags
    return next_id + 1


def ensure_project_tags(engine: Engine) -> None:
    """A few project tags (kept when the database is reused)."""
    model = engine.models.get(PROJECT_TAGS)
    if model is None:
        return
    if engine.storage.execute(f"SELECT 1 FROM {quote(model.table)} LIMIT 1").fetchone():
        return
    stamp = db_timestamp(ANCHOR - timedelta(days=200))
    rows: list[dict[str, Any]] = [
        {"name": name, "color": index % 11 + 1, **magic(stamp)}
        for index, name in enumerate(SEEDED_TAGS)
    ]
    insert_rows(engine, PROJECT_TAGS, rows)
