"""The least-privilege integration user, "integration", as recorded for `lab_integration`.

`recordings/odoo17/_least_privilege.json` and `recordings/odoo19/_least_privilege.json` (copies of
../shared/odoo*/least_privilege.json) hold what real Odoo 17 and 19 answered an internal user with
Purchase: User, Invoicing (Billing), Sales: All Documents, Inventory: User and Contact Creation,
and no Settings or Access Rights group. This user follows them:

- it may read exactly the models its recorded `ir.model.get_available_models()` lists (plus the
  wizards its groups open, which that method never lists, and custom `x_` models), so `ir.model`,
  `ir.model.fields` and `ir.model.data` are closed to it, for reading and creating alike;
- it writes what its groups let it write in Odoo 17's `ir.model.access.csv` files (contacts,
  invoices and bills, purchase orders, sale orders, quants), not taxes nor products;
- it sees the fields of its groups only (res.partner: 163 fields on Odoo 17, as recorded);
- Odoo's AccessError for what it may not do names the groups Odoo would name.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from .bulk import ANCHOR, insert_rows, link_rows, magic
from .registry import RECORDINGS, Model
from .values import db_timestamp

if TYPE_CHECKING:
    from .engine import Engine

LOGIN = "integration"
UID = 7
PARTNER_ID = 5  # free among the base partners (1-4, 7); generated partners start at 8
NAME = "Integration (API)"

# The groups' xml ids (what `groups` attributes of fields name), Odoo 17; 19 has no Technical
# Features among the recorded groups, and no recorded field depends on it.
GROUPS = frozenset(
    {
        "base.group_user",
        "base.group_partner_manager",  # Extra Rights / Contact Creation
        "account.group_account_invoice",  # Invoicing / Billing
        "purchase.group_purchase_user",
        "sales_team.group_sale_salesman",
        "sales_team.group_sale_salesman_all_leads",
        "stock.group_stock_user",
        "stock.group_production_lot",
        "product.group_product_variant",
        "mail.group_mail_template_editor",
        "sale_management.group_sale_order_template",
    }
)

# Operations beyond read, from Odoo 17's ir.model.access.csv files for the groups above.
WRITES = {
    "res.partner": {"write", "create", "unlink"},  # base.group_partner_manager
    "res.partner.category": {"write", "create", "unlink"},
    "account.move": {"write", "create", "unlink"},  # account.group_account_invoice
    "account.move.line": {"write", "create", "unlink"},
    "purchase.order": {"write", "create", "unlink"},  # purchase.group_purchase_user
    "purchase.order.line": {"write", "create", "unlink"},
    "sale.order": {"write", "create"},  # sales_team.group_sale_salesman
    "sale.order.line": {"write", "create", "unlink"},
    "stock.quant": {"write", "create"},  # stock.group_stock_user
    "ir.attachment": {"write", "create", "unlink"},  # base.group_user
}
# Wizards its groups may open (account.group_account_invoice on account.payment.register);
# get_available_models never lists wizards.
TRANSIENT_ACCESS = {"account.payment.register": {"read", "write", "create"}}

# The groups Odoo names in the AccessError for what this user may not do (ordered as Odoo
# orders them: by application, then group name). Odoo 17 names; Odoo 19 where they differ.
_ACCESS_RIGHTS = {17: ["Administration/Access Rights"], 19: ["Access Rights"]}
_TAX_MANAGERS = {17: ["Invoicing/Billing Administrator"], 19: ["Accounting/Administrator"]}
_PRODUCT_MANAGERS = {
    17: [
        "Administration/Settings",
        "Inventory/Administrator",
        "Invoicing/Billing Administrator",
        "Purchase/Administrator",
        "Sales/Administrator",
    ],
    19: [
        "Accounting/Administrator",
        "Inventory/Administrator",
        "Purchase/Administrator",
        "Sales/Administrator",
        "Settings",
    ],
}
GROUPS_WITH_ACCESS = {
    "ir.model": _ACCESS_RIGHTS,
    "ir.model.fields": _ACCESS_RIGHTS,
    "ir.model.data": _ACCESS_RIGHTS,
    "account.tax": _TAX_MANAGERS,
    "product.product": _PRODUCT_MANAGERS,
    "product.template": _PRODUCT_MANAGERS,
}


def _recorded_version(version: int) -> int:
    return 19 if version >= 19 else 17


@cache
def recording(version: int) -> dict:
    """The recorded least-privilege answers of Odoo 17 (used for 16-18) or 19."""
    folder = f"odoo{_recorded_version(version)}"
    with open(RECORDINGS / folder / "_least_privilege.json", encoding="utf-8") as fh:
        return json.load(fh)


@cache
def readable_models(version: int) -> frozenset[str]:
    """The models the recorded `get_available_models()` lists for this user."""
    answer = recording(version)["ir.model.get_available_models"]["result"]
    return frozenset(row["model"] for row in answer)


def allowed(model: Model, operation: str, version: int) -> bool:
    """Whether the integration user may do `operation` on `model` (ACLs only)."""
    if model.transient:
        return operation in TRANSIENT_ACCESS.get(model.name, set())
    if model.name in readable_models(version) or model.name.startswith("x_"):
        return operation == "read" or operation in WRITES.get(model.name, set())
    return False


def groups_with_access(model: Model, operation: str, version: int) -> list[str] | None:
    """The groups Odoo names when this user is refused `operation` on `model`; None: the
    sandbox's usual families decide."""
    if operation == "read" and model.name in readable_models(version):
        return None
    by_version = GROUPS_WITH_ACCESS.get(model.name)
    return by_version[_recorded_version(version)] if by_version else None


def ensure_user(engine: Engine) -> None:
    """Give the database the integration user and its partner (kept when the file is reused)."""
    storage = engine.storage
    if storage.execute("SELECT 1 FROM res_users WHERE id = ?", (UID,)).fetchone():
        return
    stamp = db_timestamp(ANCHOR - timedelta(days=365))
    if not storage.execute("SELECT 1 FROM res_partner WHERE id = ?", (PARTNER_ID,)).fetchone():
        partner = {
            "id": PARTNER_ID,
            "name": NAME,
            "complete_name": NAME,
            "email": "integration@yourcompany.example.com",
            "type": "contact",
            "lang": "en_US",
            "active": True,
            "is_company": False,
            "customer_rank": 0,
            "supplier_rank": 0,
            "commercial_partner_id": PARTNER_ID,
            "company_id": None,
            **magic(stamp),
        }
        insert_rows(engine, "res.partner", [partner])
    user = {
        "id": UID,
        "login": LOGIN,
        "partner_id": PARTNER_ID,
        "company_id": 1,
        "active": True,
        "share": False,
        **magic(stamp),
    }
    insert_rows(engine, "res.users", [user])
    link_rows(engine, "res.users", "company_ids", [(UID, 1)])
