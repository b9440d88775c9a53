"""Odoo's RPC services (common, db, object) shared by XML-RPC and /jsonrpc: `dispatch_rpc`."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from odoo_sandbox.exceptions import KEY_ERROR, OdooServerException
from odoo_sandbox.protocols.gateway import Gateway, access_denied


def _type_error(error: TypeError) -> OdooServerException:
    return OdooServerException("builtins.TypeError", str(error))


def _arity_error(name: str, error: TypeError) -> OdooServerException:
    """The TypeError Python raises for a bad call, worded as Python words it."""
    text = str(error)
    missing = re.fullmatch(r"missing a required argument: '(\w+)'", text)
    if missing:
        text = f"missing 1 required positional argument: '{missing[1]}'"
    return OdooServerException("builtins.TypeError", f"{name}() {text}")


def call_with(fn: Callable, name: str, params: list) -> Any:
    """Call `fn(*params)`, answering a wrong arity as the Python TypeError Odoo would raise."""
    try:
        inspect.signature(fn).bind(*params)
    except TypeError as error:
        raise _arity_error(name, error) from None
    return fn(*params)


def call_named(fn: Callable, name: str, params: dict) -> Any:
    """Call `fn(**params)` (a JSON route's params), answering a wrong arity as Python would."""
    try:
        inspect.signature(fn).bind(**params)
    except TypeError as error:
        raise _arity_error(name, error) from None
    return fn(**params)


def object_target(method: str, params: list) -> str | None:
    """`model.method` of an object-service call (for fault rules), when it can be seen."""
    if method in ("execute_kw", "execute") and len(params) >= 5:
        model, model_method = params[3], params[4]
        if isinstance(model, str) and isinstance(model_method, str):
            return f"{model}.{model_method}"
    return None


class Services:
    """`dispatch_rpc(service, method, params)` on top of a Gateway."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def dispatch(self, service: str, method: str, params: list) -> Any:
        """Run one RPC call; raises OdooServerException as Odoo would."""
        if service == "common":
            return self._common(method, params)
        if service == "db":
            return self._db(method, params)
        if service == "object":
            return self._object(method, params)
        raise OdooServerException(KEY_ERROR, repr(service))

    def _common(self, method: str, params: list) -> Any:
        gateway = self.gateway

        def version() -> dict:
            return gateway.engine.version_info

        def login(db: str, login: str, password: str) -> int | bool:
            return gateway.login(db, login, password)

        def authenticate(db: str, login: str, password: str, user_agent_env: dict) -> int | bool:
            return gateway.login(db, login, password)

        def about(extended: bool = False) -> Any:
            info = "See http://openerp.com"
            return [info, gateway.engine.version_info["server_version"]] if extended else info

        functions = {f.__name__: f for f in (version, login, authenticate, about)}
        if method not in functions:
            raise OdooServerException(KEY_ERROR, repr(f"exp_{method}"))
        return call_with(functions[method], f"exp_{method}", params)

    def _db(self, method: str, params: list) -> Any:
        gateway = self.gateway

        def list() -> list[str]:
            return [gateway.database]

        def server_version() -> str:
            return gateway.engine.version_info["server_version"]

        def db_exist(db_name: str) -> bool:
            return db_name == gateway.database

        def list_lang() -> list:
            return [["en_US", "English (US)"]]

        functions = {f.__name__: f for f in (list, server_version, db_exist, list_lang)}
        if method not in functions:
            # create, drop, dump, restore... need the master password
            raise access_denied()
        return call_with(functions[method], f"exp_{method}", params)

    def _object(self, method: str, params: list) -> Any:
        if method not in ("execute_kw", "execute"):
            raise OdooServerException("builtins.NameError", f"Method not available {method}")
        if len(params) < 3:
            raise OdooServerException("builtins.IndexError", "list index out of range")
        db, uid, secret = params[0], params[1], params[2]
        self.gateway.check_database(db)
        uid = self.gateway.check_user(uid, secret)
        gateway = self.gateway

        def execute_kw(model: str, method: str, args: list, kw: dict | None = None) -> Any:
            if not isinstance(args, list | tuple):
                message = f"argument after * must be an iterable, not {_tn(args)}"
                raise _type_error(TypeError(message))
            if kw is not None and not isinstance(kw, dict):
                raise _type_error(TypeError(f"argument after ** must be a mapping, not {_tn(kw)}"))
            return gateway.execute(uid, model, method, list(args), dict(kw or {}))

        def execute(model: str, method: str, *args: Any) -> Any:
            return gateway.execute(uid, model, method, list(args), {})

        fn = execute_kw if method == "execute_kw" else execute
        return call_with(fn, method, params[3:])


def _tn(value: object) -> str:
    return type(value).__name__
