"""Models whose `search_read` takes fewer keywords than Odoo's own (a narrow override).

Odoo 16's `account.move.line`, Odoo 17's `project.tags` and some custom modules override
`search_read(self, domain=None, fields=None, offset=0, limit=None, order=None)` without
`**read_kwargs`. Odoo then answers a `load=False` with "TypeError: AccountMoveLine.search_read()
got an unexpected keyword argument 'load'". The method's signature is at fault, not any field:
the client sends the call again without that keyword, once per model and client, and remembers
it. Without `load=False` Odoo returns many2one values as `[id, "display name"]`; `bare_ids` turns
them back into the ids the caller asked for.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from odoo_client import errors

_UNEXPECTED_KEYWORD = re.compile(r"got an unexpected keyword argument '(?P<name>\w+)'")
# call_kw takes `context` out of the keywords before calling the method: never at fault.
_NEVER_DROPPED = frozenset({"context"})


def rejected_keyword(error: errors.OdooError) -> str | None:
    """The keyword a server-side TypeError says the method does not take, if it says one."""
    for text in (error.odoo_message, error.message):
        if text and (found := _UNEXPECTED_KEYWORD.search(text)):
            return found.group("name")
    return None


def wants_bare_ids(keywords: dict[str, Any]) -> bool:
    """Whether the caller asked for many2one values as bare ids (`load` other than the default)."""
    return "load" in keywords and keywords["load"] != "_classic_read"


class NarrowMethods:
    """Per model, the `search_read` keywords this server refuses; says so once per model."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._refused: dict[str, frozenset[str]] = {}
        self._many2one: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()
        self._log = log

    def refused(self, model: str) -> frozenset[str]:
        """The keywords not to send to `model.search_read`."""
        return self._refused.get(model, frozenset())

    def learn(self, model: str, error: errors.OdooError, sent: Iterable[str]) -> bool:
        """Remember the keyword `error` rejects; False when the error is not about one we sent
        (then it is not this module's business)."""
        keyword = rejected_keyword(error)
        if keyword is None or keyword in _NEVER_DROPPED or keyword not in set(sent):
            return False
        with self._lock:
            known = self._refused.get(model, frozenset())
            if keyword in known:
                return True  # another thread learned it while this call was out
            self._refused[model] = known | {keyword}
        self._log(
            f"{model}.search_read does not take the keyword '{keyword}' on this server (a "
            "narrowed override of search_read): reading it without"
            + (", many2one names dropped on our side." if keyword == "load" else ".")
        )
        return True

    def bare_ids(
        self, model: str, rows: list[dict[str, Any]], fields_get: Callable[[], dict]
    ) -> list[dict[str, Any]]:
        """`rows` with each many2one `[id, "name"]` pair replaced by its id (in place)."""
        many2one = self._many2one.get(model)
        if many2one is None:
            described = fields_get()
            many2one = frozenset(
                name for name, field in described.items() if field.get("type") == "many2one"
            )
            self._many2one[model] = many2one
        for row in rows:
            for name in many2one.intersection(row):
                value = row[name]
                if isinstance(value, (list, tuple)) and value:
                    row[name] = value[0]
        return rows
