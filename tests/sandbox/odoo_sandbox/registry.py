"""Model definitions: which models exist, their fields (as `fields_get` answers them) and meta.

Fields come from the recorded `fields_get` answers shipped in `recordings/` (Odoo 19 recordings are
preferred for `--odoo-version 19` where one exists). A few models that were not recorded (abstract,
transient, report) and the synthetic benchmark models are built here.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).parent / "recordings"

RELATIONAL = ("many2one", "one2many", "many2many")
# Company-dependent fields (`company_dependent: true`, a value per company) live in `ir.property` up
# to Odoo 17 (`store: false` in fields_get) and in a column per field from Odoo 18 (`store: true`).
# The sandbox keeps their values per company in one table whatever the version (company_values.py).
COMPANY_DEPENDENT_STORED_SINCE = 18
MAGIC_FIELDS = ("create_date", "create_uid", "write_date", "write_uid")
# Types whose value lives in a column of the model's table.
COLUMN_TYPES = {
    "char": "TEXT",
    "text": "TEXT",
    "html": "TEXT",
    "selection": "TEXT",
    "date": "TEXT",
    "datetime": "TEXT",
    "binary": "TEXT",
    "reference": "TEXT",
    "json": "TEXT",
    "properties": "TEXT",
    "properties_definition": "TEXT",
    "integer": "INTEGER",
    "many2one": "INTEGER",
    "many2one_reference": "INTEGER",
    "boolean": "INTEGER",
    "float": "REAL",
    "monetary": "REAL",
}


@dataclass
class Field:
    """One field of a model, with its recorded `fields_get` attributes."""

    name: str
    type: str
    attrs: dict
    store: bool
    relation: str | None = None
    relation_field: str | None = None
    related: str | None = None
    groups: str | None = None
    company_dependent: bool = False

    @property
    def is_column(self) -> bool:
        return self.store and self.type in COLUMN_TYPES and not self.company_dependent

    @property
    def sql_type(self) -> str:
        return COLUMN_TYPES[self.type]


@dataclass
class Model:
    """A model: its name, description, table, fields and ordering."""

    name: str
    description: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"
    transient: bool = False
    abstract: bool = False
    readable: bool = True
    ir_id: int = 0
    columns: list[str] = field(default_factory=list)
    # Columns this version's API does not show but the sandbox's own bookkeeping writes.
    shadow: dict[str, Field] = field(default_factory=dict)
    unreadable: Any = None  # an unreadable.Unreadable: how searching or reading it fails

    @property
    def table(self) -> str:
        return self.name.replace(".", "_")

    @property
    def has_active(self) -> bool:
        f = self.fields.get("active")
        return bool(f and f.is_column and f.type == "boolean")

    def m2m_table(self, fname: str) -> str:
        return f"rel__{self.table}__{fname}"


# model -> (default _order, field giving the display name)
MODEL_META: dict[str, tuple[str, str]] = {
    "res.partner": ("complete_name ASC, id DESC", "complete_name"),
    "res.users": ("login", "name"),
    "res.company": ("sequence, name", "name"),
    "res.country": ("name", "name"),
    "res.currency": ("active desc, name", "name"),
    "res.partner.category": ("name", "name"),
    "product.product": ("default_code, id", "name"),
    "product.template": ("priority desc, name", "name"),
    "uom.uom": ("factor DESC, id", "name"),
    "account.account": ("code", "name"),
    "account.tax": ("sequence, id", "name"),
    "account.tax.group": ("sequence asc, id", "name"),
    "ir.attachment": ("id desc", "name"),
    "account.journal": ("sequence, type, code", "name"),
    "account.move": ("date desc, name desc, id desc", "name"),
    "account.move.line": ("date desc, move_name desc, id", "name"),
    "account.payment.term": ("sequence, id", "name"),
    "purchase.order": ("priority desc, id desc", "name"),
    "purchase.order.line": ("order_id, sequence, id", "name"),
    "sale.order": ("date_order desc, id desc", "name"),
    "sale.order.line": ("order_id, sequence, id", "name"),
    "stock.location": ("complete_name, id", "complete_name"),
    "stock.warehouse": ("sequence,id", "name"),
    "stock.quant": ("id", "id"),
    "product.supplierinfo": ("sequence, min_qty DESC, price, id", "partner_id"),
    "ir.model": ("model", "name"),
    "ir.model.fields": ("name", "name"),
    "ir.model.data": ("module, model, name", "name"),
}

# Models that discovery must skip: (model, description, transient, abstract).
NON_READABLE = [
    ("mail.thread", "Email Thread", False, True),
    ("mail.activity.mixin", "Activity Mixin", False, True),
    ("base.language.install", "Install Language", True, False),
    ("account.payment.register", "Pay", True, False),
    ("res.config.settings", "Config Settings", True, False),
]
REPORT_MODEL = "account.invoice.report"

CUSTOM_PARTNER_FIELDS = {
    "x_studio_customer_code": {"type": "char", "string": "Customer Code", "trim": True},
    "x_loyalty_tier": {
        "type": "selection",
        "string": "Loyalty Tier",
        "selection": [["bronze", "Bronze"], ["silver", "Silver"], ["gold", "Gold"]],
    },
}


@cache
def _load_json(path: str) -> object:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def recorded_models() -> list[str]:
    """Models whose Odoo 17 `fields_get` was recorded."""
    return sorted(p.stem for p in (RECORDINGS / "odoo17").glob("*.json") if p.stem[0] != "_")


def _recorded_fields(model: str, version: int) -> dict | None:
    if version >= 19:
        path = RECORDINGS / "odoo19" / f"{model}.json"
        if path.exists():
            return copy.deepcopy(_load_json(str(path)))
    path = RECORDINGS / "odoo17" / f"{model}.json"
    if not path.exists():
        return None
    fields = copy.deepcopy(_load_json(str(path)))
    return {name: as_version_attrs(attrs, version) for name, attrs in fields.items()}


def as_version_attrs(attrs: dict, version: int) -> dict:
    """Odoo 17 field attributes (the recordings) as another version answers them: the one place
    where attributes change with the version."""
    out = dict(attrs)
    if out.get("company_dependent"):
        stored = version >= COMPANY_DEPENDENT_STORED_SINCE
        out["store"] = out["sortable"] = stored  # as the recorded Odoo 19 res.partner shows
    if version >= 19:
        out = as_odoo19_attrs(out)
    return out


def as_odoo19_attrs(attrs: dict) -> dict:
    """Odoo 17 field attributes as Odoo 19 words them: `groupable` added, `group_operator`
    renamed `aggregator` on stored fields (as in the recorded res.partner of both versions)."""
    out = dict(attrs)
    operator = out.pop("group_operator", None)
    stored = bool(out.get("store"))
    if operator and stored:
        out["aggregator"] = operator
    out["groupable"] = stored and out.get("type") not in ("binary", "one2many")
    return dict(sorted(out.items()))


def field_attrs(name: str, ftype: str, string: str, version: int, **extra: object) -> dict:
    """Attributes of a plain field shaped like Odoo's `fields_get` (for synthesized fields)."""
    attrs = {
        "change_default": False,
        "company_dependent": False,
        "default_export_compatible": False,
        "depends": [],
        "exportable": True,
        "manual": False,
        "name": name,
        "readonly": False,
        "required": False,
        "searchable": True,
        "sortable": ftype not in ("one2many", "many2many", "binary"),
        "store": True,
        "string": string,
        "type": ftype,
    }
    if version >= 19:
        attrs["groupable"] = attrs["sortable"]
    if ftype in RELATIONAL:
        attrs.update(context={}, domain=[])
    if ftype in ("char", "text", "html"):
        attrs["translate"] = False
    if ftype == "char":
        attrs["trim"] = True
    attrs.update(extra)
    return dict(sorted(attrs.items()))


def _magic_fields(version: int) -> dict:
    out = {
        "id": field_attrs("id", "integer", "ID", version, readonly=True),
        "display_name": field_attrs(
            "display_name",
            "char",
            "Display Name",
            version,
            store=False,
            readonly=True,
            searchable=False,
            sortable=False,
        ),
        "create_date": field_attrs("create_date", "datetime", "Created on", version, readonly=True),
        "create_uid": field_attrs(
            "create_uid", "many2one", "Created by", version, readonly=True, relation="res.users"
        ),
        "write_date": field_attrs(
            "write_date", "datetime", "Last Updated on", version, readonly=True
        ),
        "write_uid": field_attrs(
            "write_uid", "many2one", "Last Updated by", version, readonly=True, relation="res.users"
        ),
    }
    return out


def _ir_model_fields(version: int) -> dict:
    recorded = _recorded_fields("ir.model", 19)
    if version >= 19:
        return recorded
    summary = _load_json(str(RECORDINGS / "odoo17" / "_ir_model_summary.json"))
    out = {}
    for name, info in summary.items():
        if name in recorded:
            attrs = {k: v for k, v in recorded[name].items() if k != "groupable"}
        else:
            attrs = field_attrs(name, info["type"], info["string"], version, store=info["store"])
        out[name] = attrs
    return out


def _synthetic_models(version: int) -> dict[str, tuple[str, dict]]:
    """Models not recorded: abstract/transient ones and a read-only SQL-view-like report."""
    out: dict[str, tuple[str, dict]] = {}
    for model, desc, _transient, _abstract in NON_READABLE:
        fields = {k: v for k, v in _magic_fields(version).items()}
        fields["name"] = field_attrs("name", "char", "Name", version)
        out[model] = (desc, dict(sorted(fields.items())))
    m2o = {"relation": "res.partner"}
    report = {
        "id": field_attrs("id", "integer", "ID", version, readonly=True),
        "display_name": _magic_fields(version)["display_name"],
        "move_id": field_attrs(
            "move_id", "many2one", "Journal Entry", version, readonly=True, relation="account.move"
        ),
        "partner_id": field_attrs(
            "partner_id", "many2one", "Partner", version, readonly=True, **m2o
        ),
        "invoice_date": field_attrs("invoice_date", "date", "Invoice Date", version, readonly=True),
        "move_type": field_attrs(
            "move_type",
            "selection",
            "Type",
            version,
            readonly=True,
            selection=[
                ["out_invoice", "Customer Invoice"],
                ["in_invoice", "Vendor Bill"],
                ["out_refund", "Customer Credit Note"],
                ["in_refund", "Vendor Credit Note"],
            ],
        ),
        "state": field_attrs(
            "state",
            "selection",
            "Invoice Status",
            version,
            readonly=True,
            selection=[["draft", "Draft"], ["posted", "Open"], ["cancel", "Cancelled"]],
        ),
        "price_subtotal": field_attrs(
            "price_subtotal",
            "monetary",
            "Untaxed Amount",
            version,
            readonly=True,
            currency_field="currency_id",
        ),
        "currency_id": field_attrs(
            "currency_id", "many2one", "Currency", version, readonly=True, relation="res.currency"
        ),
    }
    out[REPORT_MODEL] = ("Invoices Statistics", dict(sorted(report.items())))
    out["ir.attachment"] = ("Attachment", _attachment_fields(version))
    out["account.tax.group"] = ("Tax Group", _tax_group_fields(version))
    return out


def _attachment_fields(version: int) -> dict:
    """ir.attachment as Odoo 17's base/models/ir_attachment.py declares it (the fields clients
    write and read; `datas` is kept in the table here, in the filestore in Odoo)."""
    fields = dict(_magic_fields(version))
    ro = {"readonly": True}
    specs = [
        ("name", "char", "Name", {"required": True}),
        ("description", "text", "Description", {}),
        ("res_model", "char", "Resource Model", ro),
        ("res_field", "char", "Resource Field", ro),
        ("res_id", "many2one_reference", "Resource ID", {**ro, "model_field": "res_model"}),
        ("company_id", "many2one", "Company", {"relation": "res.company"}),
        ("type", "selection", "Type", {"required": True, "selection": ATTACHMENT_TYPES}),
        ("url", "char", "Url", {}),
        ("public", "boolean", "Is public document", {}),
        ("datas", "binary", "File Content (base64)", {}),
        ("file_size", "integer", "File Size", ro),
        ("checksum", "char", "Checksum/SHA1", ro),
        ("mimetype", "char", "Mime Type", ro),
    ]
    for name, ftype, string, extra in specs:
        fields[name] = field_attrs(name, ftype, string, version, **extra)
    return dict(sorted(fields.items()))


ATTACHMENT_TYPES = [["url", "URL"], ["binary", "File"]]


def _tax_group_fields(version: int) -> dict:
    """account.tax.group as Odoo 17's account/models/account_tax.py declares it."""
    fields = dict(_magic_fields(version))
    account = {"relation": "account.account"}
    specs = [
        ("name", "char", "Name", {"required": True, "translate": True}),
        ("sequence", "integer", "Sequence", {}),
        ("company_id", "many2one", "Company", {"required": True, "relation": "res.company"}),
        ("country_id", "many2one", "Country", {"relation": "res.country"}),
        ("tax_payable_account_id", "many2one", "Tax Payable Account", account),
        ("tax_receivable_account_id", "many2one", "Tax Receivable Account", account),
        ("advance_tax_payment_account_id", "many2one", "Tax Advance Account", account),
        ("preceding_subtotal", "char", "Preceding Subtotal", {}),
    ]
    for name, ftype, string, extra in specs:
        fields[name] = field_attrs(name, ftype, string, version, **extra)
    return dict(sorted(fields.items()))


BENCH_TYPES = [
    "char",
    "integer",
    "float",
    "boolean",
    "date",
    "datetime",
    "text",
    "selection",
    "many2one",
    "monetary",
]


def _bench_model(index: int, version: int) -> dict:
    fields = _magic_fields(version)
    fields["name"] = field_attrs("name", "char", "Name", version)
    for i in range(34):
        ftype = BENCH_TYPES[i % len(BENCH_TYPES)]
        extra: dict = {}
        if ftype == "selection":
            extra["selection"] = [["a", "A"], ["b", "B"]]
        elif ftype == "many2one":
            extra["relation"] = "res.partner"
        elif ftype == "monetary":
            extra["currency_field"] = "currency_id"
        fields[f"x_{ftype}_{i}"] = field_attrs(
            f"x_{ftype}_{i}", ftype, f"X {ftype} {i}", version, manual=True, **extra
        )
    fields["currency_id"] = field_attrs(
        "currency_id", "many2one", "Currency", version, relation="res.currency"
    )
    return dict(sorted(fields.items()))


def _make_field(name: str, attrs: dict) -> Field:
    return Field(
        name=name,
        type=attrs.get("type", "char"),
        attrs=attrs,
        store=bool(attrs.get("store", False)) or name == "id",
        relation=attrs.get("relation"),
        relation_field=attrs.get("relation_field"),
        related=attrs.get("related") if isinstance(attrs.get("related"), str) else None,
        groups=attrs.get("groups"),
        company_dependent=bool(attrs.get("company_dependent")),
    )


def _make_model(name: str, desc: str, raw: dict, ir_id: int, **kw: object) -> Model:
    fields = {k: _make_field(k, v) for k, v in raw.items()}
    order, rec_name = MODEL_META.get(name, ("id", "name"))
    if rec_name not in fields:
        rec_name = "name" if "name" in fields else "id"
    model = Model(name=name, description=desc, fields=fields, rec_name=rec_name, ir_id=ir_id, **kw)
    keys = []
    for part in order.split(","):
        fname = part.split()[0]
        if fname in fields and fields[fname].is_column:
            keys.append(part.strip())
    model.order = ", ".join(keys) or "id"
    model.columns = [f.name for f in fields.values() if f.is_column]
    return model


def build_models(version: int, extra_models: int = 0) -> dict[str, Model]:
    """All models of the sandbox for an Odoo major version."""
    names = _load_json(str(RECORDINGS / "odoo17" / "_ir_model_rows.json"))
    models: dict[str, Model] = {}
    next_id = 1000
    for model in recorded_models():
        raw = _recorded_fields(model, version)
        if raw is None:
            continue
        if model == "res.partner":
            for fname, spec in CUSTOM_PARTNER_FIELDS.items():
                extra = {k: v for k, v in spec.items() if k not in ("type", "string")}
                raw[fname] = field_attrs(
                    fname, spec["type"], spec["string"], version, manual=True, **extra
                )
        row = names.get(model, {})
        models[model] = _make_model(model, row.get("name", model), raw, row.get("id", next_id))
        next_id += 1
    models["ir.model"] = _make_model(
        "ir.model", "Models", _ir_model_fields(version), names["ir.model"]["id"]
    )
    synthetic = _synthetic_models(version)
    flags = {m: (t, a) for m, _d, t, a in NON_READABLE}
    for model, (desc, raw) in synthetic.items():
        transient, abstract = flags.get(model, (False, False))
        row = names.get(model, {})
        models[model] = _make_model(
            model,
            row.get("name", desc),
            raw,
            row.get("id", next_id),
            transient=transient,
            abstract=abstract,
            readable=not abstract,
        )
        next_id += 1
    from .version_models import adapt_fields, add_version_models  # noqa: PLC0415 - imports this

    add_version_models(models, version, _magic_fields(version), _make_model, names)
    for i in range(extra_models):
        name = f"x_bench.model_{i}"
        models[name] = _make_model(name, f"Bench Model {i}", _bench_model(i, version), 5000 + i)
    for model in models.values():
        adapt_fields(model, version, _make_field)
    return models
