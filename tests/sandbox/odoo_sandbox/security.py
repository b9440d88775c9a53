"""Users, credentials and access rules: admin sees everything, "demo" is a restricted internal user,
"integration" a least-privilege integration user (its rules live in `integration`).

The restricted user mirrors the recorded `lab_basic_user` (only base.group_user): no accounting,
purchase, sale or stock documents, cannot create or delete contacts, cannot modify users, and does
not see fields restricted to groups it lacks.
"""

from __future__ import annotations

import hashlib
import hmac
import random

from . import integration, unreadable
from .exceptions import ACCESS_ERROR, VALUE_ERROR, OdooServerException
from .registry import Model

ADMIN_UID = 2
DEMO_UID = 6
OPERATIONS = ("read", "write", "create", "unlink")
VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
DEMO_GROUPS = {"base.group_user", "base.group_no_one"}

# Groups Odoo lists in its AccessError, per model family and major version (from the recordings).
ACCOUNT_GROUPS = {
    17: [
        "Invoicing/Billing",
        "Invoicing/Billing Administrator",
        "Purchase/User",
        "Sales/User: Own Documents Only",
        "Technical/Show Accounting Features - Readonly",
        "User types/Portal",
    ],
    19: [
        "Accounting/Administrator",
        "Accounting/Invoicing",
        "Purchase/User",
        "Role / Portal",
        "Show Accounting Features - Readonly",
    ],
}
CONTACT_CREATE_GROUPS = [
    "Extra Rights/Contact Creation",
    "Inventory/Administrator",
    "Purchase/Administrator",
    "Sales/Administrator",
]
USER_GROUPS = {17: ["Administration/Access Rights"], 19: ["Access Rights"]}
FAMILY_GROUPS = {
    "purchase.": ["Purchase/User", "Purchase/Administrator"],
    "sale.": ["Sales/User: Own Documents Only", "Sales/User: All Documents", "Sales/Administrator"],
    "stock.": ["Inventory/User", "Inventory/Administrator"],
}
DENIED_FAMILIES = ("account.", "purchase.", "sale.", "stock.")


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def make_users(seed: int) -> dict[str, dict]:
    """Logins, uids, passwords and 40-hex-character API keys (deterministic per seed)."""
    rng = random.Random(f"users-{seed}")
    logins = ("admin", "demo", integration.LOGIN)
    keys = {login: _token(rng, 40) for login in logins}
    # Passwords unlike any login or word of the data, so tests can scan every output for them.
    words = random.Random(f"passwords-{seed}")
    uids = {"admin": ADMIN_UID, "demo": DEMO_UID, integration.LOGIN: integration.UID}
    return {
        login: {"uid": uids[login], "password": f"pw-{_token(words, 16)}", "api_key": keys[login]}
        for login in logins
    }


class Security:
    """Answers who a credential belongs to and what a uid may do."""

    def __init__(self, users: dict[str, dict], version: int) -> None:
        self.users = users
        self.version = version
        self._by_uid = {u["uid"]: login for login, u in users.items()}

    def authenticate(self, login: str, secret: str) -> int | None:
        user = self.users.get(login)
        if not user or not isinstance(secret, str):
            return None
        for candidate in (user["password"], user["api_key"]):
            if hmac.compare_digest(candidate.encode(), secret.encode()):
                return user["uid"]
        return None

    def uid_for_api_key(self, key: str) -> int | None:
        if not isinstance(key, str):
            return None
        digest = hashlib.sha256(key.encode()).digest()
        for user in self.users.values():
            if hmac.compare_digest(hashlib.sha256(user["api_key"].encode()).digest(), digest):
                return user["uid"]
        return None

    def known_uid(self, uid: object) -> bool:
        return uid in self._by_uid

    def is_admin(self, uid: int) -> bool:
        return uid == ADMIN_UID

    def user_groups(self, uid: int) -> set[str] | None:
        """None means every group (the admin, as recorded)."""
        if uid == integration.UID:
            return integration.GROUPS
        return None if self.is_admin(uid) else DEMO_GROUPS

    def field_visible(self, uid: int, groups: str | None) -> bool:
        if not groups:
            return True
        mine = self.user_groups(uid)
        if mine is None:
            return True
        return any(g.strip() in mine for g in groups.split(","))

    # ---- model access -------------------------------------------------------------------------
    def allowed(self, uid: int, model: Model, operation: str) -> bool:
        if operation not in OPERATIONS:
            raise OdooServerException(VALUE_ERROR, "Invalid access mode")
        if model.unreadable is not None:  # its module's own access rows (unreadable.py)
            return unreadable.allowed(model.unreadable, self.user_groups(uid), operation)
        if model.abstract or not model.readable:
            return False
        if uid == integration.UID:
            return integration.allowed(model, operation, self.version)
        if model.name == "account.invoice.report":
            return operation == "read" and self.is_admin(uid)
        if self.is_admin(uid):
            return True
        if model.name.startswith(DENIED_FAMILIES):
            return False
        if operation == "read":
            return True
        if model.name == "res.partner":
            return operation == "write"
        if model.name == "ir.attachment":  # base.group_user: full access (base's ACL)
            return True
        return model.transient

    def access_error(self, uid: int, model: Model, operation: str) -> OdooServerException:
        groups = integration.groups_with_access(model, operation, self.version)
        if groups is None:
            groups = self._groups_for(model, operation)
        head = (
            f"You are not allowed to {VERBS[operation]} '{model.description}' ({model.name}) "
            "records.\n\n"
        )
        if groups:
            body = "This operation is allowed for the following groups:\n" + "".join(
                f"\t- {g}\n" for g in groups
            )
        else:
            body = "No group currently allows this operation.\n"
        return OdooServerException(
            ACCESS_ERROR,
            head + body + "\nContact your administrator to request access if necessary.",
        )

    def _groups_for(self, model: Model, operation: str) -> list[str]:
        version = 19 if self.version >= 19 else 17
        if model.abstract or not model.readable or model.name == "account.invoice.report":
            return []
        if model.name.startswith("account."):
            return ACCOUNT_GROUPS[version]
        if model.name == "res.partner":
            return CONTACT_CREATE_GROUPS
        if model.name == "res.users":
            return USER_GROUPS[version]
        for prefix, groups in FAMILY_GROUPS.items():
            if model.name.startswith(prefix):
                return groups
        return ["Administration/Settings"] if version == 17 else ["Settings"]

    def check(self, uid: int, model: Model, operation: str) -> None:
        """Raise Odoo's AccessError unless `uid` may do `operation` on `model`."""
        if not self.allowed(uid, model, operation):
            raise self.access_error(uid, model, operation)

    def field_access_error(self, uid: int, model: Model, fnames: list[str]) -> OdooServerException:
        names = ", ".join(fnames)
        return OdooServerException(
            ACCESS_ERROR,
            f'You do not have enough rights to access the fields "{names}" on '
            f"{model.description} ({model.name}). Please contact your system administrator."
            f"\n\n(Operation: read, User: {uid})",
        )
