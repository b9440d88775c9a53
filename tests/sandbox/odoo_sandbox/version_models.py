"""Models and fields as a version has them where the (Odoo 17 and 19) recordings do not say, from
Odoo's source: `project.tags` (a small model with a narrow `search_read`, see versions.py) and its
seeded rows, the models that fail when read (unreadable.py), and the fields Odoo 16 has
differently.

Odoo 16 (odoo/models.py, addons/base/models/res_partner.py, addons/account/models/
account_move_line.py of 16.0):
- every non-abstract model has the computed magic field `__last_update` ("Last Modified on":
  write_date or create_date), gone from 17;
- res.partner's `display_name` is stored (`store=True`, the partner's `_order` field); the
  sandbox still computes it, and keeps 17's `complete_name` beside it;
- account.move.line has `tax_audit` and `discount_percentage`, and not yet `invoice_date`,
  `payment_date`, `cogs_origin_id`, `tax_calculation_rounding_method` nor the
  `discount_allocation_*` fields (analytic.mixin's fields are there). Columns the sandbox's own
  bookkeeping writes (invoice_date) stay in storage as `Model.shadow`, unseen by the API.

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
from .registry import Field, Model, field_attrs
from .storage import quote
from .unreadable import field_specs, unreadable_models
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


ODOO16_DROPPED = {
    "account.move.line": (
        "cogs_origin_id",
        "discount_allocation_dirty",
        "discount_allocation_key",
        "discount_allocation_needed",
        "invoice_date",
        "payment_date",
        "tax_calculation_rounding_method",
    ),
}
# res.partner.display_name on 16: fields.Char(compute='_compute_display_name', recursive=True,
# store=True, index=True) with @api.depends as below.
PARTNER_DISPLAY_NAME_16 = {
    "depends": [
        "is_company",
        "name",
        "parent_id.display_name",
        "type",
        "company_name",
        "commercial_company_name",
    ],
    "searchable": True,
    "sortable": True,
    "store": True,
}
TAX_AUDIT_HELP = (
    "Computed field, listing the tax grids impacted by this line, and the amount it applies to "
    "each of them."
)


def _odoo16_added(version: int) -> dict[str, dict[str, dict]]:
    return {
        "account.move.line": {
            "tax_audit": field_attrs(
                "tax_audit", "char", "Tax Audit String", version, help=TAX_AUDIT_HELP, readonly=True
            ),
            "discount_percentage": field_attrs(
                "discount_percentage",
                "float",
                "Discount Percentage",
                version,
                group_operator="sum",
            ),
        },
    }


def last_update_attrs(version: int) -> dict:
    """Odoo 16's `__last_update` as fields_get describes it."""
    return field_attrs(
        "__last_update",
        "datetime",
        "Last Modified on",
        version,
        depends=["create_date", "write_date"],
        readonly=True,
        searchable=False,
        sortable=False,
        store=False,
    )


def adapt_fields(model: Model, version: int, make_field: Callable[[str, dict], Field]) -> None:
    """Change a model built from the recordings into what `version` has."""
    if version != 16:
        return
    for fname in ODOO16_DROPPED.get(model.name, ()):
        fld = model.fields.pop(fname, None)
        if fld is not None and fld.is_column:
            model.shadow[fname] = fld
    for fname, attrs in _odoo16_added(version).get(model.name, {}).items():
        model.fields[fname] = make_field(fname, attrs)
    if model.name == "res.partner" and "display_name" in model.fields:
        shown = model.fields["display_name"]
        shown.attrs = {**shown.attrs, **PARTNER_DISPLAY_NAME_16}
    if not model.abstract and "id" in model.fields:
        model.fields["__last_update"] = make_field("__last_update", last_update_attrs(version))
    model.fields = dict(sorted(model.fields.items()))
    model.columns = [f.name for f in model.fields.values() if f.is_column]


def add_version_models(
    models: dict[str, Model],
    version: int,
    magic_fields: dict,
    make_model: Callable[..., Model],
    ir_rows: dict[str, dict],
) -> None:
    """Add project.tags and this version's unreadable models to `models`."""
    next_id = max(model.ir_id for model in models.values()) + 1
    tags = make_model(
        PROJECT_TAGS, "Project Tags", project_tags_fields(version, magic_fields), next_id
    )
    tags.order = "id" if version < 17 else "name"
    models[PROJECT_TAGS] = tags
    for name, broken in unreadable_models(version).items():
        next_id += 1
        raw = {} if broken.abstract else {k: magic_fields[k] for k in ("id", "display_name")}
        for fname, ftype, string, extra in field_specs(name):
            raw[fname] = field_attrs(fname, ftype, string, version, **extra)
        ir_id = ir_rows.get(name, {}).get("id", next_id)
        model = make_model(name, broken.description, dict(sorted(raw.items())), ir_id)
        model.abstract = broken.abstract
        model.unreadable = broken
        models[name] = model


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
