"""The opt-in preset of stream names that hotglue jobs use (`use_hotglue_streams`).

Each preset is a named stream like the ones users declare under `streams`: a name, the Odoo model
it reads and the domain that narrows it. A model whose app is not installed (no `mrp` -> no bom)
is left out at discovery time with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INVOICE_MOVE_TYPES = ["out_invoice", "out_refund", "in_invoice", "in_refund"]


@dataclass(frozen=True)
class NamedStream:
    """A stream the user (or a preset) names: a model, narrowed by a domain and a field list."""

    name: str
    model: str
    domain: list = field(default_factory=list)
    fields: tuple[str, ...] | None = None
    replication_key: str | None = None


HOTGLUE_STREAMS: tuple[NamedStream, ...] = (
    NamedStream("products", "product.product"),
    NamedStream("customers", "res.partner", [["customer_rank", ">", 0]]),
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
)

# Before Odoo 16 invoice lines had no "product" display type: they were the ones not excluded
# from the invoice tab.
_LEGACY_INVOICE_LINE_DOMAIN = [
    ["move_id.move_type", "in", INVOICE_MOVE_TYPES],
    ["exclude_from_invoice_tab", "=", False],
]


def hotglue_streams(server_version: tuple | None = None) -> list[NamedStream]:
    """The hotglue preset, with the domains that fit the server's version."""
    major = major_version(server_version)
    presets = list(HOTGLUE_STREAMS)
    if major is not None and major < 16:
        presets = [
            NamedStream(p.name, p.model, _LEGACY_INVOICE_LINE_DOMAIN)
            if p.name == "invoice_bill_lines"
            else p
            for p in presets
        ]
    return presets


def major_version(server_version: Any) -> int | None:
    """The major version of a `server_version_info` tuple such as (17, 0), or None."""
    try:
        return int(server_version[0])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
