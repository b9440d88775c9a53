"""The sandbox's Odoo engine: models, data and ORM calls, with no HTTP.

API (the protocol layer codes against exactly this)::

    eng = Engine(odoo_version=17, scale=1, db_path=None, seed=42, extra_models=0,
                 narrow_search_read=None)     # e.g. "x_custom.model+res.partner:ResPartner"
    eng.database            # "odoo17"
    eng.version_info        # common.version() answer of that Odoo version
    eng.users               # {"admin": {"uid", "password", "api_key"}, "demo", "integration"}
    eng.authenticate(login, secret) -> uid | None       # password or API key
    eng.uid_for_api_key(key) -> uid | None
    eng.execute(uid, model, method, args, kwargs)       # execute_kw semantics (kwargs["context"])
    eng.execute_named(uid, model, method, params)       # JSON-2: ids, context + named arguments
    eng.now() -> datetime                               # UTC; set eng.clock = callable to control
    eng.narrow_search_read  # {model: class}: search_read without **read_kwargs (versions.py)
    eng.declared_narrow     # callable answering more of those at call time (the fault plan's)
    eng.advance_clock(seconds)                          # move now() forward (running or frozen)

Every error is an `OdooServerException` carrying Odoo's exception name and exact message. Calls
are serialized by one lock; each call is one transaction whose start time is the `write_date` of
every row it writes (stored with microseconds, read back truncated to the second, as Odoo does).

Where things live: `registry` (models and fields from the recordings), `storage` (SQLite),
`domain` (domains to SQL), `orm` / `reading` / `relations` (ORM), `business` with `accounting`,
`orders`, `partners` (business rules), `security` (users and access), `generator` with `seed_*`
(seeded data), `values` (wire values).
"""

from __future__ import annotations

import inspect
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import (
    business,
    company_values,
    generator,
    integration,
    model_selector,
    translations,
)
from .env import CLASSIC, Env, normalize_ids
from .exceptions import (
    ACCESS_ERROR,
    MISSING_ERROR,
    TYPE_ERROR,
    USER_ERROR,
    VALUE_ERROR,
    OdooServerException,
)
from .orm import Orm
from .registry import RECORDINGS, Model, build_models
from .security import Security, make_users
from .seed_meta import ensure_bench_rows, write_ir_model
from .storage import Storage
from .values import db_timestamp
from .version_models import ensure_project_tags
from .versions import (
    narrow_search_read,
    narrow_search_read_models,
    parse_narrow,
    read_kwargs_consumer,
    search_v16,
)

NOT_FOUND = "werkzeug.exceptions.NotFound"
UNPROCESSABLE = "werkzeug.exceptions.UnprocessableEntity"
INSTALLED_LANGS = ("en_US", "fr_FR")
RECORD_METHODS = {"read", "write", "unlink", "copy", "exists", "has_access", "check_access"}
MODEL_METHODS = {
    "search",
    "search_read",
    "search_count",
    "create",
    "fields_get",
    "check_access_rights",
    "name_search",
    "name_create",
    "default_get",
}
# The access API by version: 17 has only check_access_rights; 18 adds has_access (bool) and
# check_access (raises AccessError, returns None) and deprecates check_access_rights, which then
# returns None instead of True when it does not raise; 19 makes check_access private
# (@api.private) and still has the deprecated check_access_rights (removed in saas-19.1).
ACCESS_METHODS_SINCE = {"has_access": 18, "check_access": 18}
PRIVATE_SINCE = {"check_access": 19}


class BaseModel:
    """The RPC-callable methods, with Odoo's Python signatures (so arity errors read the same)."""

    def __init__(self, engine: Engine, env: Env, model: Model, ids: list[int]) -> None:
        self._engine = engine
        self._env = env
        self._model = model
        self._ids = ids
        self._orm = engine.orm

    def _check(self, operation: str) -> None:
        self._engine.security.check(self._env.uid, self._model, operation)

    def _check_read(self, method: str, order: str | None = None) -> None:
        """Read access, then the failure of a model that cannot be read (unreadable.py)."""
        self._check("read")
        broken = self._model.unreadable
        if broken is not None and broken.abstract and order and _orders_by_id(order):
            # An AbstractModel has no `id` to order by: Odoo checks the order before any SQL
            # (seen on real 16, 17 and 18 for publisher_warranty.contract, account.move.send).
            raise OdooServerException(
                VALUE_ERROR, f"Invalid field 'id' on model '{self._model.name}'"
            )
        if broken is not None and method in broken.fails and (method != "read" or self._ids):
            raise broken.error()

    def search(self, domain, offset=0, limit=None, order=None):
        self._check_read("search", order)
        return self._orm.search_ids(self._env, self._model, domain, offset, limit, order)

    def search_count(self, domain, limit=None):
        self._check_read("search_count")
        return self._orm.search_count(self._env, self._model, domain, limit)

    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        self._check_read("search_read", order)
        load = _read_format_load(read_kwargs, self._engine.version)
        fnames = self._orm.check_fields(self._env, self._model, fields)
        return self._orm.search_read(
            self._env, self._model, domain or [], fnames, offset, limit, order, load
        )

    def read(self, fields=None, load=CLASSIC):
        self._check_read("read")
        fnames = self._orm.check_fields(self._env, self._model, fields)
        return self._orm.read(self._env, self._model, self._ids, fnames, load)

    def create(self, vals_list):
        self._check("create")
        single = isinstance(vals_list, dict)
        ids = self._orm.create(
            self._env, self._model, [vals_list] if single else list(vals_list or [])
        )
        if single and not self._engine.named_call:
            return ids[0]
        return ids

    def write(self, vals):
        self._check("write")
        self._orm.write(self._env, self._model, self._ids, vals)
        return True

    def unlink(self):
        self._check("unlink")
        self._orm.unlink(self._env, self._model, self._ids)
        return True

    def copy(self, default=None):
        self._check("create")
        new_ids = [
            self._engine.copy_record(self._env, self._model, rid, default or {})
            for rid in self._ids
        ]
        if self._engine.named_call:
            return new_ids
        return new_ids[0] if len(new_ids) == 1 else new_ids

    def exists(self):
        found = self._orm.existing(self._model, self._ids)
        return [i for i in self._ids if i in found]

    def fields_get(self, allfields=None, attributes=None):
        return self._engine.fields_get(self._env, self._model, allfields, attributes)

    def check_access_rights(self, operation, raise_exception=True):
        if self._engine.security.allowed(self._env.uid, self._model, operation):
            # 18+: `return self.browse().check_access(operation)`, which returns None
            return True if self._engine.version < 18 or not raise_exception else None
        if raise_exception:
            raise self._engine.security.access_error(self._env.uid, self._model, operation)
        return False

    def has_access(self, operation):
        return self._engine.security.allowed(self._env.uid, self._model, operation)

    def check_access(self, operation):
        if not self._engine.security.allowed(self._env.uid, self._model, operation):
            raise self._engine.security.access_error(self._env.uid, self._model, operation)

    def name_search(self, name="", args=None, operator="ilike", limit=100):
        return self._name_search(name, args, operator, limit)

    def _name_search(self, name, domain, operator, limit):
        self._check_read("name_search")
        model = self._model
        rec = "complete_name" if model.name == "res.partner" else model.rec_name
        leaf = [(rec, operator, name)] if name or operator not in ("ilike", "like") else []
        ids = self._orm.search_ids(self._env, model, [*leaf, *(domain or [])], 0, limit, None)
        names = self._orm.display_names(self._env, model, set(ids))
        return [[i, names.get(i, "")] for i in ids]

    def name_create(self, name):
        self._check("create")
        rec = self._model.rec_name if self._model.rec_name != "complete_name" else "name"
        new_id = self._orm.create(self._env, self._model, [{rec: name}])[0]
        return [new_id, self._orm.display_names(self._env, self._model, {new_id})[new_id]]

    def default_get(self, fields_list):
        return self._engine.default_get(self._env, self._model, fields_list)

    def context_get(self):
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self._env.uid}


def _name_search_v19(self, name="", domain=None, operator="ilike", limit=100):
    return self._name_search(name, domain, operator, limit)


def _default_get_v19(self, fields):
    return self._engine.default_get(self._env, self._model, fields)


_name_search_v19.__qualname__ = "BaseModel.name_search"
_default_get_v19.__qualname__ = "BaseModel.default_get"


def _read_format_load(read_kwargs: dict, version: int) -> Any:
    """search_read hands its extra keyword arguments to _read_format(fnames, load=...)."""
    extra = [k for k in read_kwargs if k != "load"]
    if extra:
        method = read_kwargs_consumer(version)
        raise OdooServerException(
            TYPE_ERROR, f"{method}() got an unexpected keyword argument '{extra[0]}'"
        )
    return read_kwargs.get("load", CLASSIC)


def _business_method(name: str, func: Callable) -> Callable:
    def method(self: BaseModel) -> Any:
        self._check("write")
        return func(self._orm, self._env, self._model, self._ids)

    method.__name__ = name
    method.__qualname__ = f"BaseModel.{name}"
    return method


class Engine:
    """An Odoo database in SQLite: models, seeded data, users, and RPC calls on them."""

    def __init__(
        self,
        odoo_version: int = 17,
        scale: int = 1,
        db_path: str | None = None,
        seed: int = 42,
        extra_models: int = 0,
        narrow_search_read: str | Iterable[str] | Mapping[str, str] | None = None,
    ) -> None:
        self.version = int(odoo_version)
        self.narrow_search_read = {
            **narrow_search_read_models(self.version),
            **parse_narrow(narrow_search_read),
        }
        self.declared_narrow: Callable[[], Mapping[str, str]] = dict
        self.clock: Callable[[], datetime] | None = None
        self.clock_offset = timedelta(0)
        self.named_call = False
        self.models = build_models(self.version, extra_models)
        self.storage = Storage(db_path)
        built = self.storage.get_meta("built")
        if built and json.loads(built).get("version", self.version) != self.version:
            raise ValueError(
                f"{db_path} holds an Odoo {json.loads(built)['version']} database; "
                f"use another --db for Odoo {self.version}"
            )
        stored_users = self.storage.get_meta("users")
        # A database built before a user existed gets it (the stored users win).
        users = make_users(seed) | (json.loads(stored_users) if stored_users else {})
        self.security = Security(users, self.version)
        self.orm = Orm(self.models, self.storage, self.security, self.version)
        for model in self.models.values():
            self.storage.create_model(model)
        company_values.ensure_table(self.storage)
        translations.ensure_table(self.storage)
        self.storage.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS ir_model_data_module_name_uniq_index "
            "ON ir_model_data (module, name)"
        )
        with self.storage.lock:
            self.storage.begin()
            if built is None:
                generator.generate(self, scale=scale, seed=seed)
                meta = {"scale": scale, "seed": seed, "version": self.version}
                self.storage.set_meta("built", json.dumps(meta))
                self.storage.set_meta("users", json.dumps(users))
            for model in self.models.values():
                self.storage.create_indexes(model)
            write_ir_model(self)
            ensure_bench_rows(self)
            ensure_project_tags(self)
            integration.ensure_user(self)
            self.storage.commit()

    # ---- identity -----------------------------------------------------------------------------
    @property
    def database(self) -> str:
        return f"odoo{self.version}"

    @property
    def version_info(self) -> dict:
        with open(RECORDINGS / "versions.json", encoding="utf-8") as fh:
            versions = json.load(fh)
        if str(self.version) in versions:
            return versions[str(self.version)]
        info = dict(versions["17"])
        serie = f"{self.version}.0"
        info.update(
            server_serie=serie,
            server_version=serie,
            server_version_info=[self.version, 0, 0, "final", 0, ""],
        )
        return info

    @property
    def users(self) -> dict:
        return self.security.users

    def authenticate(self, login: str, secret: str) -> int | None:
        return self.security.authenticate(login, secret)

    def uid_for_api_key(self, key: str) -> int | None:
        return self.security.uid_for_api_key(key)

    def now(self) -> datetime:
        """The engine's clock, UTC (naive datetimes are taken as UTC), plus `clock_offset`."""
        value = self.clock() if self.clock else datetime.now(timezone.utc)
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the clock forward (write_date of what it writes next, and the HTTP Date header):
        for tests whose premise is that time passed, e.g. between two runs of the tap, whose
        clock is that header, to the second."""
        with self.storage.lock:
            self.clock_offset += timedelta(seconds=seconds)

    # ---- calls --------------------------------------------------------------------------------
    def execute(
        self, uid: int, model: str, method: str, args: list | None, kwargs: dict | None
    ) -> Any:
        """One execute_kw call: positional `args`, keyword `kwargs` (with `context`)."""
        args = list(args or [])
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None) or {}
        return self._run(uid, model, method, context, lambda call: call(args, kwargs), named=False)

    def execute_named(self, uid: int, model: str, method: str, params: dict | None) -> Any:
        """One JSON-2 call: `ids`, `context` and the method's own argument names."""
        params = dict(params or {})
        ids = params.pop("ids", None)
        context = params.pop("context", None) or {}
        return self._run(
            uid, model, method, context, lambda call: call(None, params, ids), named=True
        )

    def _run(
        self, uid: int, model_name: str, method: str, context: dict, invoke: Callable, named: bool
    ) -> Any:
        with self.storage.lock:
            self.named_call = named
            env = Env(
                uid,
                dict(context) if isinstance(context, dict) else {},
                db_timestamp(self.now()),
            )
            self.storage.begin()
            try:
                self._check_uid(uid)
                self._check_lang(env.context.get("lang"))
                model = self._resolve(model_name, method, named)
                result = invoke(lambda *a: self._call(env, model, method, named, *a))
                self.storage.commit()
                return result
            except OdooServerException:
                self.storage.rollback()
                raise
            except RecursionError:
                self.storage.rollback()
                raise OdooServerException(
                    "builtins.RecursionError", "maximum recursion depth exceeded"
                ) from None
            except (
                sqlite3.Error,
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                AttributeError,
                OverflowError,
            ) as exc:
                self.storage.rollback()
                raise OdooServerException(f"builtins.{_builtin_name(exc)}", str(exc)) from None
            finally:
                self.named_call = False

    def _check_uid(self, uid: Any) -> None:
        if not self.security.known_uid(uid):
            raise OdooServerException(
                MISSING_ERROR,
                f"Record does not exist or has been deleted.\n(Record: res.users({uid},), "
                f"User: {uid})",
            )

    def _check_lang(self, lang: Any) -> None:
        """Odoo 19 refuses a context language that is not installed (Odoo 17 ignores it)."""
        if self.version >= 19 and lang and lang not in INSTALLED_LANGS:
            raise OdooServerException(USER_ERROR, f"Invalid language code: {lang}")

    def _resolve(self, model_name: str, method: str, named: bool) -> Model:
        private = isinstance(method, str) and self.version >= PRIVATE_SINCE.get(method, 99)
        if not isinstance(method, str) or method.startswith("_") or private:
            if named or self.version >= 19:
                message = (
                    f"Private methods (such as '{model_name}.{method}') cannot be called remotely."
                )
            else:
                message = f"Private methods (such as {method}) cannot be called remotely."
            raise OdooServerException(ACCESS_ERROR, message)
        model = self.models.get(model_name) if isinstance(model_name, str) else None
        if model is None:
            if named:
                raise OdooServerException(
                    NOT_FOUND,
                    f"the model '{model_name}' does not exist",
                    [f"the model '{model_name}' does not exist", 404],
                )
            raise OdooServerException(USER_ERROR, f"Object {model_name} doesn't exist")
        if self._function(model, method) is None:
            if named:
                msg = f"The method '{model_name}.{method}' does not exist"
                raise OdooServerException(NOT_FOUND, msg, [msg, 404])
            raise OdooServerException(
                "builtins.AttributeError",
                f"The method '{method}' does not exist on the model '{model_name}'",
            )
        return model

    def _function(self, model: Model, method: str) -> Callable | None:
        selector = model_selector.method_of(model, method, self.version)
        if selector is not None:
            return selector
        business_methods = business.methods_of(model)
        if method in business_methods:
            return _business_method(method, business_methods[method])
        if method == "context_get":
            return BaseModel.context_get if model.name == "res.users" else None
        if method == "search" and self.version < 17:
            return search_v16
        if method == "search_read":
            narrow = self.narrow_class(model.name)
            if narrow:
                return narrow_search_read(narrow, BaseModel.search_read)
        if self.version >= 19 and method == "name_search":
            return _name_search_v19
        if self.version >= 19 and method == "default_get":
            return _default_get_v19
        if self.version < ACCESS_METHODS_SINCE.get(method, 0):
            return None
        if method in MODEL_METHODS or method in RECORD_METHODS:
            return getattr(BaseModel, method)
        return None

    def narrow_class(self, model: str) -> str | None:
        """The class whose `search_read` lacks `**read_kwargs` on `model`, if any."""
        return self.narrow_search_read.get(model) or self.declared_narrow().get(model)

    def _is_record_method(self, model: Model, method: str) -> bool:
        return method in RECORD_METHODS or method in business.methods_of(model)

    def _call(
        self,
        env: Env,
        model: Model,
        method: str,
        named: bool,
        args: list | None,
        kwargs: dict,
        ids: Any = None,
    ) -> Any:
        func = self._function(model, method)
        record_method = self._is_record_method(model, method)
        if named:
            if ids is not None and not record_method:
                msg = f"cannot call {model.name}.{method} with ids"
                raise OdooServerException(UNPROCESSABLE, msg, [msg, 422])
            record_ids = normalize_ids(ids) if record_method else []
            positional: list = []
        else:
            positional = list(args or [])
            record_ids = []
            if record_method:
                if not positional:
                    raise OdooServerException("builtins.IndexError", "list index out of range")
                raw_ids = positional.pop(0)
                if isinstance(raw_ids, str):
                    raise _text_ids_error(model, raw_ids)
                record_ids = normalize_ids(raw_ids)
        instance = BaseModel(self, env, model, record_ids)
        try:
            inspect.signature(func).bind(instance, *positional, **kwargs)
        except TypeError as exc:
            if named:
                raise OdooServerException(UNPROCESSABLE, str(exc), [str(exc), 422]) from None
            try:
                func(instance, *positional, **kwargs)
            except TypeError as call_exc:
                raise OdooServerException(TYPE_ERROR, str(call_exc)) from None
            raise OdooServerException(TYPE_ERROR, str(exc)) from None
        return func(instance, *positional, **kwargs)

    # ---- helpers used by BaseModel -----------------------------------------------------------
    def fields_get(self, env: Env, model: Model, allfields: Any, attributes: Any) -> dict:
        wanted = set(allfields) if allfields else None
        attrs = set(attributes) if attributes else None
        out = {}
        for name, fld in model.fields.items():
            if wanted is not None and name not in wanted:
                continue
            if not self.security.field_visible(env.uid, fld.groups):
                continue
            if attrs is None:
                out[name] = dict(fld.attrs)
            else:
                out[name] = {k: v for k, v in fld.attrs.items() if k in attrs}
        return out

    def default_get(self, env: Env, model: Model, fields_list: Any) -> dict:
        values = self.orm.defaults(env, model, {})
        wanted = list(fields_list or [])
        out = {}
        for fname in wanted:
            if fname in values:
                value = values[fname]
                out[fname] = False if value is None else value
        return out

    def copy_record(self, env: Env, model: Model, rid: int, default: dict) -> int:
        self.orm.ensure_exist(env, model, [rid])
        vals = self.orm.copyable_values(model, rid)
        vals = business.prepare_copy(self.orm, model, rid, vals, default)
        return self.orm.create(env, model, [{**vals, **default}])[0]


def _text_ids_error(model: Model, ids: str) -> OdooServerException:
    """Odoo browses a string as its characters; PostgreSQL then rejects them as ids."""
    chars = list(ids) or [""]
    shown = ", ".join(f"'{c}'" for c in chars[:2]) + (", ..." if len(chars) > 2 else ")")
    line = f'LINE 1: ... FROM "{model.table}" WHERE ("{model.table}"."id" IN ({shown}'
    caret = " " * (line.index("('") + 1) + "^"
    message = f'invalid input syntax for type integer: "{chars[0]}"\n{line}\n{caret}\n'
    return OdooServerException("psycopg2.errors.InvalidTextRepresentation", message)


def _builtin_name(exc: Exception) -> str:
    if isinstance(exc, sqlite3.Error):
        return "ValueError"
    return type(exc).__name__


__all__ = ["VALUE_ERROR", "Engine", "Path"]


def _orders_by_id(order: str) -> bool:
    """Whether an order clause ("id", "name, id desc") names the `id` column."""
    return any(part.split()[0] == "id" for part in order.split(",") if part.split())
