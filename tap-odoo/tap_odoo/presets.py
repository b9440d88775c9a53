"""The opt-in preset of stream names that hotglue jobs use (`use_hotglue_streams`).

Each preset is a named stream like the ones users declare under `streams`: a name, the Odoo model
it reads and the domain that narrows it, plus the fields the jobs read (`select`), which are
selected by default on top of the stored, related and company-dependent ones; a computed field
there (stock levels, display names) is selected too. A model whose app is not installed (no `mrp`
-> no bom) is left out at discovery time with a note; a field the database lacks is left out of
`select` quietly (fields differ between versions and apps).

The jobs' own filters are settings: `hotglue_warehouse_ids` (stock of those warehouses only) and
`hotglue_all_sell_orders` (every sell order, not only confirmed ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from singer_sdk import typing as th

INVOICE_MOVE_TYPES = ["out_invoice", "out_refund", "in_invoice", "in_refund"]
# Confirmed sell orders: `sale` (and `done`, locked, before Odoo 17); POS orders paid or later.
CONFIRMED_SALE_STATES = ["sale", "done"]
CONFIRMED_POS_STATES = ["paid", "done", "invoiced"]

PRESET_PROPERTIES: list[th.Property] = [
    th.Property(
        "hotglue_warehouse_ids",
        th.ArrayType(th.IntegerType),
        title="Hotglue: warehouses",
        description=(
            "With use_hotglue_streams: the `stock` stream reads the quants of these warehouses "
            "(stock.warehouse ids) only. Default: every warehouse."
        ),
        examples=[[1, 2]],
    ),
    th.Property(
        "hotglue_all_sell_orders",
        th.BooleanType,
        default=False,
        title="Hotglue: all sell orders",
        description=(
            "With use_hotglue_streams: `sale_orders`, `sale_order_line` and the POS streams read "
            "every order, quotations and cancelled ones included. Default: confirmed orders only "
            "(sale orders in state sale/done, POS orders paid/done/invoiced)."
        ),
    ),
]


@dataclass(frozen=True)
class NamedStream:
    """A stream the user (or a preset) names: a model, narrowed by a domain and a field list.

    `select`: fields selected by default besides the default ones (a preset's picks);
    `full_table`: read in full every run (no replication key)."""

    name: str
    model: str
    domain: list = field(default_factory=list)
    fields: tuple[str, ...] | None = None
    replication_key: str | None = None
    select: tuple[str, ...] = ()
    full_table: bool = False


_PARTNER_FIELDS = (
    "display_name",
    "name",
    "ref",
    "email",
    "email_normalized",
    "phone",
    "mobile",
    "vat",
    "is_company",
    "parent_id",
    "country_id",
    "customer_rank",
    "supplier_rank",
    "credit_limit",
    "property_payment_term_id",
    "active",
)
_MOVE_LINE_FIELDS = (
    "move_id",
    "product_id",
    "name",
    "quantity",
    "price_unit",
    "discount",
    "price_subtotal",
    "price_total",
    "account_id",
    "tax_ids",
    "product_uom_id",
    "display_type",
)
# What the hotglue jobs read, per stream: selected by default (computed ones included).
JOB_FIELDS: dict[str, tuple[str, ...]] = {
    # name in `lang`, prices, cost (of the first of `company_ids`), stock levels
    "products": (
        "name", "default_code", "barcode", "list_price", "lst_price", "standard_price",
        "qty_available", "free_qty", "virtual_available", "type", "detailed_type", "active",
        "product_tmpl_id", "seller_ids", "uom_id", "categ_id", "sale_ok", "purchase_ok",
    ),
    "customers": _PARTNER_FIELDS,
    "suppliers": _PARTNER_FIELDS,
    "sale_orders": (
        "name", "partner_id", "date_order", "commitment_date", "validity_date", "state",
        "amount_untaxed", "amount_tax", "amount_total", "currency_id", "warehouse_id",
        "order_line", "client_order_ref",
    ),
    "sale_order_line": (
        "order_id", "product_id", "name", "product_uom_qty", "qty_delivered", "qty_invoiced",
        "price_unit", "discount", "price_subtotal", "price_total", "state",
    ),
    "purchase_orders": (
        "name", "partner_id", "date_order", "date_approve", "date_planned", "state",
        "amount_untaxed", "amount_tax", "amount_total", "currency_id", "order_line", "partner_ref",
    ),
    "purchase_order_lines": (
        "order_id", "product_id", "name", "product_qty", "qty_received", "qty_invoiced",
        "price_unit", "price_subtotal", "price_total", "date_planned", "state",
    ),
    "stock": (
        "product_id", "product_tmpl_id", "location_id", "warehouse_id", "quantity",
        "reserved_quantity", "available_quantity", "company_id", "lot_id", "in_date",
    ),
    "product_suppliers": (
        "partner_id", "product_id", "product_tmpl_id", "product_name", "product_code", "delay",
        "min_qty", "price", "currency_id", "sequence", "company_id",
    ),
    "invoices_bills": (
        "name", "move_type", "partner_id", "invoice_date", "invoice_date_due", "state",
        "payment_state", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
        "currency_id", "invoice_line_ids", "ref", "invoice_origin",
    ),
    "invoice_bill_lines": _MOVE_LINE_FIELDS,
    "invoice_lines_all": _MOVE_LINE_FIELDS,
    "bom": ("product_tmpl_id", "product_id", "product_qty", "product_uom_id", "code", "type"),
    "bom_lines": ("bom_id", "product_id", "product_qty", "product_uom_id"),
    "sell_orders_pos": (
        "name", "pos_reference", "partner_id", "date_order", "state", "amount_tax",
        "amount_total", "amount_paid", "currency_id", "session_id", "lines",
    ),
    "sell_orders_pos_lines": (
        "order_id", "product_id", "full_product_name", "qty", "price_unit", "discount",
        "price_subtotal", "price_subtotal_incl",
    ),
}  # fmt: skip

_STREAMS: tuple[NamedStream, ...] = (
    # Stock levels are computed and change without write_date: products are read in full.
    NamedStream("products", "product.product", full_table=True),
    NamedStream("customers", "res.partner", [["customer_rank", ">", 0]]),
    NamedStream("suppliers", "res.partner", [["supplier_rank", ">", 0]]),
    NamedStream("sale_orders", "sale.order"),
    NamedStream("sale_order_line", "sale.order.line"),
    NamedStream("purchase_orders", "purchase.order"),
    NamedStream("purchase_order_lines", "purchase.order.line"),
    NamedStream("stock", "stock.quant", [["location_id.usage", "=", "internal"]]),
    NamedStream("warehouse", "stock.warehouse"),
    NamedStream("location", "stock.location"),
    NamedStream("product_suppliers", "product.supplierinfo"),
    NamedStream("companies", "res.company"),
    NamedStream("users", "res.users"),
    NamedStream("accounts", "account.account"),
    NamedStream("invoices_bills", "account.move", [["move_type", "in", INVOICE_MOVE_TYPES]]),
    NamedStream("bom", "mrp.bom"),
    NamedStream("bom_lines", "mrp.bom.line"),
    # The product lines of invoices and bills: no tax, receivable/payable, section or note lines.
    # `display_type` = "product" marks them since Odoo 16.
    NamedStream(
        "invoice_bill_lines",
        "account.move.line",
        [
            ["move_id.move_type", "in", INVOICE_MOVE_TYPES],
            ["display_type", "=", "product"],
        ],
    ),
    # Every journal item of an invoice or bill, tax and receivable/payable lines included.
    NamedStream(
        "invoice_lines_all", "account.move.line", [["move_id.move_type", "in", INVOICE_MOVE_TYPES]]
    ),
    # Point of Sale orders and their lines.
    NamedStream("sell_orders_pos", "pos.order"),
    NamedStream("sell_orders_pos_lines", "pos.order.line"),
)
HOTGLUE_STREAMS: tuple[NamedStream, ...] = tuple(
    replace(stream, select=JOB_FIELDS.get(stream.name, ())) for stream in _STREAMS
)

# Before Odoo 16 invoice lines had no "product" display type: they were the ones not excluded
# from the invoice tab.
_LEGACY_INVOICE_LINE_DOMAIN = [
    ["move_id.move_type", "in", INVOICE_MOVE_TYPES],
    ["exclude_from_invoice_tab", "=", False],
]


def hotglue_streams(
    server_version: tuple | None = None, settings: Mapping[str, Any] | None = None
) -> list[NamedStream]:
    """The hotglue preset, with the domains that fit the server's version and the settings."""
    major = major_version(server_version)
    settings = settings or {}
    warehouses = _ids(settings.get("hotglue_warehouse_ids"))
    confirmed_only = not settings.get("hotglue_all_sell_orders", False)
    extra: dict[str, list] = {}
    if warehouses:
        extra["stock"] = [["location_id.warehouse_id", "in", warehouses]]
    if confirmed_only:
        extra["sale_orders"] = [["state", "in", CONFIRMED_SALE_STATES]]
        extra["sale_order_line"] = [["order_id.state", "in", CONFIRMED_SALE_STATES]]
        extra["sell_orders_pos"] = [["state", "in", CONFIRMED_POS_STATES]]
        extra["sell_orders_pos_lines"] = [["order_id.state", "in", CONFIRMED_POS_STATES]]
    presets = []
    for preset in HOTGLUE_STREAMS:
        domain = list(preset.domain)
        if preset.name == "invoice_bill_lines" and major is not None and major < 16:
            domain = list(_LEGACY_INVOICE_LINE_DOMAIN)
        presets.append(replace(preset, domain=domain + extra.get(preset.name, [])))
    return presets


def _ids(value: Any) -> list[int]:
    if isinstance(value, str):  # a list given as text in an environment variable
        value = [part for part in value.strip("[] ").split(",") if part.strip()]
    if not isinstance(value, Sequence):
        return []
    return [int(v) for v in value]


def major_version(server_version: Any) -> int | None:
    """The major version of a `server_version_info` tuple such as (17, 0), or None."""
    try:
        return int(server_version[0])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
