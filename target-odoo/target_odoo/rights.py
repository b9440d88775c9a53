"""Access rights: which right a refused write needs, said the way an administrator grants it.

Odoo's AccessError for a missing access right names the groups that have it ("You are not
allowed to create 'Contact' (res.partner) records. This operation is allowed for the following
groups: - Extra Rights/Contact Creation - Inventory/Administrator ..."). A record it fails reads
`res.partner create: grant "Contact Creation" (or Inventory: Administrator, ...); Odoo: ...`:
the least powerful group first, named as the user form shows it (Extra Rights are check boxes
named after the group; applications are "Application: level").
"""

from __future__ import annotations

import re
from typing import Any

from odoo_client.errors import AccessDeniedError, OdooError, UnknownMethodError

# Odoo's own words for the operation ("You are not allowed to modify ...") -> the ORM's.
_OPERATIONS = {"access": "read", "read": "read", "modify": "write", "write": "write"}
_OPERATIONS.update({"create": "create", "delete": "unlink", "unlink": "unlink"})
_HEAD = re.compile(r"You are not allowed to (?P<op>\w+) '[^']*' \((?P<model>[\w.]+)\) records")
_POWERFUL = ("Administrator", "Manager", "Settings", "Access Rights", "Portal", "Public")


def is_access_rights_refusal(error: Exception) -> bool:
    """True for Odoo refusing an operation on a whole model (an access right, not a record
    rule): every record of the call would be refused alike."""
    return isinstance(error, AccessDeniedError) and bool(_HEAD.search(error.odoo_message or ""))


def groups_named(message: str) -> list[str]:
    """The groups an AccessError lists as allowed, in Odoo's order."""
    _, found, rest = message.partition("allowed for the following groups:")
    if not found:
        return []
    groups = []
    for raw in rest.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            groups.append(line[2:].strip())
        elif groups and line:
            break
    return groups


def group_label(group: str) -> str:
    """`Extra Rights/Contact Creation` -> `Contact Creation`; `Purchase/User` -> `Purchase:
    User`; a group without application (Odoo 19's `Access Rights`) as it is."""
    application, sep, name = group.partition("/")
    if not sep:
        return group.strip()
    if application.strip() in ("Extra Rights", "Technical"):
        return name.strip()
    return f"{application.strip()}: {name.strip()}"


def least_powerful_first(groups: list[str]) -> list[str]:
    """The groups, those granting the fewest other rights first (Odoo's order otherwise)."""
    return sorted(groups, key=lambda group: any(word in group for word in _POWERFUL))


def rights_message(error: OdooError, model: str | None = None, operation: str | None = None) -> str:
    """`res.partner create: grant "Contact Creation"; Odoo: You are not allowed ...` for an
    access-rights refusal; Odoo's own message for any other error."""
    text = " ".join((str(error) or type(error).__name__).split())
    odoo_message = getattr(error, "odoo_message", None) or ""
    head = _HEAD.search(odoo_message)
    if head is None:
        return text
    model = model or head.group("model")
    operation = operation or _OPERATIONS.get(head.group("op"), head.group("op"))
    groups = least_powerful_first(groups_named(odoo_message))
    if groups:
        need = f'grant "{group_label(groups[0])}"'
        if len(groups) > 1:
            need += f" (or: {', '.join(group_label(g) for g in groups[1:])})"
    else:
        need = "no group allows it (Odoo says so); an administrator must do it"
    return f"{model} {operation}: {need}; Odoo: {head.group(0)}"


def refusal(client: Any, model: str, operation: str) -> OdooError | None:
    """None when this user may do `operation` on `model` (access rights only, one call);
    otherwise the error saying so: Odoo's AccessError, which names the groups that may."""
    try:
        answer = client.call(model, "check_access_rights", operation)
    except AccessDeniedError as error:
        return error
    except UnknownMethodError:  # Odoo saas-19.1 and later: has_access (a bool) only
        answer = client.call(model, "has_access", [], operation)
    if answer is False:
        return AccessDeniedError(
            f"{model} {operation}: this user may not (ask an Odoo administrator for the right)",
            operation=operation,
            model=model,
        )
    return None
