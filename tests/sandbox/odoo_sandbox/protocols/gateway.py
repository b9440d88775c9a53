"""The one door from the protocols to the engine: checks credentials, counts calls, poisons fields.

Every protocol calls the engine through a Gateway, so the stats, the poisoned fields and the
credential checks behave the same over XML-RPC, JSON-RPC, the web session and JSON-2.
"""

from __future__ import annotations

import time
from typing import Any

from odoo_sandbox.exceptions import (
    ACCESS_DENIED,
    MISSING_ERROR,
    USER_ERROR,
    VALUE_ERROR,
    OdooServerException,
)
from odoo_sandbox.faults import FaultPlan
from odoo_sandbox.protocols.stats import Stats

READ_METHODS = ("search_read", "read")
POISON_FIELD_DEFINITION = {
    "type": "char",
    "change_default": False,
    "company_dependent": False,
    "depends": [],
    "exportable": True,
    "groupable": False,
    "manual": True,
    "readonly": True,
    "required": False,
    "searchable": False,
    "sortable": False,
    "store": False,
    "translate": False,
    "trim": True,
}


def access_denied() -> OdooServerException:
    """Odoo's answer to a wrong password or API key."""
    return OdooServerException(ACCESS_DENIED, "Access Denied")


def _positional_or_named(args: list, kwargs: dict, index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


class Gateway:
    """Engine access for the protocol handlers."""

    def __init__(self, engine: Any, faults: FaultPlan, stats: Stats, odoo_version: int) -> None:
        self.engine = engine
        self.faults = faults
        self.stats = stats
        self.odoo_version = odoo_version

    @property
    def database(self) -> str:
        """The one database name this server serves."""
        return self.engine.database

    def check_database(self, db: object) -> None:
        """Odoo fails to connect to PostgreSQL for a database that does not exist."""
        if db != self.database:
            raise OdooServerException(
                "psycopg2.OperationalError",
                f'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "{db}" '
                "does not exist\n",
            )

    def login(self, db: object, login: object, secret: object) -> int | bool:
        """common.login / authenticate: the uid, or False (never an error) for bad credentials."""
        self.check_database(db)
        if not isinstance(login, str) or not isinstance(secret, str):
            return False
        return self.engine.authenticate(login, secret) or False

    def check_user(self, uid: object, secret: object) -> int:
        """The uid of an object-service call when its password or API key is right."""
        try:
            uid = int(uid)  # type: ignore[call-overload]
        except (TypeError, ValueError) as error:
            raise OdooServerException("builtins." + type(error).__name__, str(error)) from None
        login = next((name for name, u in self.engine.users.items() if u["uid"] == uid), None)
        if login is None:
            raise OdooServerException(
                MISSING_ERROR,
                "Record does not exist or has been deleted.\n"
                f"(Record: res.users({uid},), User: {uid})",
            )
        if not isinstance(secret, str) or self.engine.authenticate(login, secret) != uid:
            raise access_denied()
        return uid

    def uid_for_api_key(self, key: str) -> int | None:
        """The user of a JSON-2 bearer key."""
        return self.engine.uid_for_api_key(key)

    def execute(self, uid: int, model: str, method: str, args: list, kwargs: dict) -> Any:
        """An ORM call with positional args and keyword args (XML-RPC, JSON-RPC, call_kw)."""
        self.stats.count_call(model, method)
        self._raise_injected(model, method)
        poisoned = self.faults.poisoned(model)
        if poisoned and method in READ_METHODS:
            fields = _positional_or_named(args, kwargs, 1, "fields")
            first = args[0] if args else None
            page = {
                name: _positional_or_named(args, kwargs, index, name)
                for index, name in enumerate(("offset", "limit", "order"), start=2)
            }
            page["context"] = kwargs.get("context")
            self._raise_if_poisoned(uid, model, method, first, fields, poisoned, page)
            invented = self._invented(model, poisoned)
            kwargs = self._without_poison(kwargs, invented)
            args = self._args_without_poison(args, invented)
        result = self.engine.execute(uid, model, method, args, kwargs)
        self._row_latency(method, result)
        if poisoned and method == "fields_get":
            allfields = _positional_or_named(args, kwargs, 0, "allfields")
            attributes = _positional_or_named(args, kwargs, 1, "attributes")
            self._add_poison_definitions(result, poisoned, allfields, attributes)
        return result

    def _raise_injected(self, model: str, method: str) -> None:
        """A `user_error` fault: the call fails as Odoo refusing it (a UserError)."""
        fault = self.faults.draw_orm_error(f"{model}.{method}")
        if fault is not None:
            self.stats.count_fault(fault.kind)
            raise OdooServerException(
                USER_ERROR, f"Injected fault: {model}.{method} is refused (user_error)"
            )

    def execute_named(self, uid: int, model: str, method: str, params: dict) -> Any:
        """An ORM call with named arguments only (JSON-2)."""
        self.stats.count_call(model, method)
        self._raise_injected(model, method)
        poisoned = self.faults.poisoned(model)
        if poisoned and method in READ_METHODS:
            first = params.get("ids") if method == "read" else params.get("domain")
            fields = params.get("fields")
            page = {name: params.get(name) for name in ("offset", "limit", "order", "context")}
            self._raise_if_poisoned(uid, model, method, first, fields, poisoned, page)
            params = self._without_poison(params, self._invented(model, poisoned))
        result = self.engine.execute_named(uid, model, method, params)
        self._row_latency(method, result)
        if poisoned and method == "fields_get":
            self._add_poison_definitions(
                result, poisoned, params.get("allfields"), params.get("attributes")
            )
        return result

    def _row_latency(self, method: str, result: Any) -> None:
        """Sleep `row_latency_us` per row read: a real Odoo spends most of a page's time per row
        (computing, converting), without using this machine's CPU."""
        per_row = self.faults.row_latency_us
        if per_row and method in READ_METHODS and isinstance(result, list):
            time.sleep(len(result) * per_row / 1e6)

    def _raise_if_poisoned(
        self,
        uid: int,
        model: str,
        method: str,
        ids_or_domain: Any,
        fields: Any,
        poisoned: set,
        page: dict,
    ) -> None:
        """Fail as Odoo does when a read touches a poisoned field on a poisoned row.

        `page` holds the read's offset, limit, order and context; with `poison_ids` set only
        those rows fail, so a read of a page without them succeeds.
        """
        hit = sorted(poisoned if not fields else poisoned.intersection(fields))
        if not hit:
            return
        only = self.faults.poison_ids
        if method == "read":
            ids = ids_or_domain if isinstance(ids_or_domain, list) else [ids_or_domain]
        else:
            search: dict = {"context": page.get("context") or {}}
            if only:  # the rows this read returns
                search.update({k: page[k] for k in ("offset", "limit", "order") if page.get(k)})
            else:  # every row fails: one names the error
                search["limit"] = 1
            ids = self.engine.execute(uid, model, "search", [ids_or_domain or []], search)
        if only:
            ids = [i for i in ids if i in only]
        if not ids:
            return
        self.stats.count_fault("poison_field")
        # What a computed field whose compute method forgets a record raises on read.
        raise OdooServerException(
            VALUE_ERROR, f"Compute method failed to assign {model}({ids[0]},).{hit[0]}"
        )

    def _invented(self, model: str, poisoned: set) -> set:
        """Poisoned fields the model does not really have: left out of reads that succeed."""
        known = self.engine.models.get(model)
        return {name for name in poisoned if known is None or name not in known.fields}

    @staticmethod
    def _without_poison(named: dict, poisoned: set) -> dict:
        fields = named.get("fields")
        if not fields or not poisoned:
            return named
        kept = [f for f in fields if f not in poisoned]
        return {**named, "fields": kept or ["id"]}

    @staticmethod
    def _args_without_poison(args: list, poisoned: set) -> list:
        if len(args) < 2 or not args[1] or not poisoned:
            return args
        kept = [f for f in args[1] if f not in poisoned]
        return [args[0], kept or ["id"], *args[2:]]

    @staticmethod
    def _add_poison_definitions(
        result: Any, poisoned: set, allfields: Any, attributes: Any
    ) -> None:
        if not isinstance(result, dict):
            return
        for field in sorted(poisoned):
            if field in result or (allfields and field not in allfields):
                continue
            title = field.removeprefix("x_").replace("_", " ").title()
            definition = {**POISON_FIELD_DEFINITION, "name": field, "string": title}
            if attributes:
                definition = {k: v for k, v in definition.items() if k in attributes}
            result[field] = definition
