"""The web client's routes: session login, call_kw with the session cookie, version and db list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from odoo_sandbox.exceptions import ACCESS_ERROR, OdooServerException
from odoo_sandbox.protocols import jsonrpc
from odoo_sandbox.protocols.gateway import Gateway, access_denied
from odoo_sandbox.protocols.http import (
    Prepared,
    Request,
    Response,
    http_date,
    json_response,
    ready,
)
from odoo_sandbox.protocols.services import call_named
from odoo_sandbox.protocols.sessions import COOKIE_MAX_AGE, COOKIE_NAME, SessionStore, WebSession

CALL_KW_PREFIX = "/web/dataset/call_kw"


def _session_cookie(session: WebSession, now: dt.datetime) -> tuple[str, str]:
    expires = http_date(now + dt.timedelta(seconds=COOKIE_MAX_AGE))
    return (
        "Set-Cookie",
        f"{COOKIE_NAME}={session.sid}; Expires={expires}; Max-Age={COOKIE_MAX_AGE}; "
        "HttpOnly; Path=/",
    )


class WebRoutes:
    """/web/... routes, served from a Gateway and a SessionStore."""

    def __init__(self, gateway: Gateway, sessions: SessionStore) -> None:
        self.gateway = gateway
        self.sessions = sessions

    @property
    def version(self) -> int:
        return self.gateway.odoo_version

    def prepare(self, request: Request) -> Prepared | None:
        """The Prepared call for a web route, or None when the path is not one."""
        path = request.path
        if path in ("/web/version", "/json/version") and self.version >= 19:
            info = self.gateway.engine.version_info
            body = {"version_info": info["server_version_info"], "version": info["server_version"]}
            return ready(json_response(body))
        handlers = {
            "/web/session/authenticate": self._authenticate,
            "/web/session/get_session_info": self._session_info_route,
            "/web/session/destroy": self._destroy,
            "/web/webclient/version_info": self._version_info,
            "/web/database/list": self._database_list,
        }
        if path in handlers:
            handler = handlers[path]
        elif path == CALL_KW_PREFIX or path.startswith(CALL_KW_PREFIX + "/"):
            handler = self._call_kw
        else:
            return None
        parsed = jsonrpc.parse(request)
        if isinstance(parsed, Response):
            return ready(parsed)
        request_id, params = parsed
        return handler(request, request_id, params)

    def _version_info(self, _request: Request, request_id: Any, _params: dict) -> Prepared:
        info = self.gateway.engine.version_info
        return ready(jsonrpc.answer(request_id, info))

    def _database_list(self, _request: Request, request_id: Any, _params: dict) -> Prepared:
        return ready(jsonrpc.answer(request_id, [self.gateway.database]))

    def _authenticate(self, _request: Request, request_id: Any, params: dict) -> Prepared:
        def run() -> Response:
            cookie: list = []

            def authenticate(
                db: str, login: str, password: str, base_location: str | None = None
            ) -> dict:
                if db != self.gateway.database:
                    raise OdooServerException(ACCESS_ERROR, "Database not found.")
                uid = self.gateway.login(db, login, password)
                if not uid:
                    raise access_denied()
                session = self.sessions.create(uid, login, db)
                cookie.append(_session_cookie(session, self.gateway.engine.now()))
                return self.session_info(uid, login)

            try:
                result = call_named(authenticate, "authenticate", params)
            except Exception as error:  # every error becomes a JSON-RPC error
                return jsonrpc.answer_error(request_id, error, self.version)
            return jsonrpc.answer(request_id, result, headers=cookie)

        return Prepared(None, run)

    def _session_info_route(self, request: Request, request_id: Any, _params: dict) -> Prepared:
        def run() -> Response:
            try:
                session = self.sessions.use(request.cookies.get(COOKIE_NAME))
            except OdooServerException as error:
                return jsonrpc.answer_error(None, error, self.version)
            return jsonrpc.answer(request_id, self.session_info(session.uid, session.login))

        return Prepared(None, run)

    def _destroy(self, request: Request, request_id: Any, _params: dict) -> Prepared:
        def run() -> Response:
            self.sessions.destroy(request.cookies.get(COOKIE_NAME))
            return jsonrpc.answer(request_id, None)

        return Prepared(None, run)

    def _call_kw(self, request: Request, request_id: Any, params: dict) -> Prepared:
        model, method = params.get("model"), params.get("method")
        target = f"{model}.{method}" if isinstance(model, str) and isinstance(method, str) else None

        def run() -> Response:
            try:
                session = self.sessions.use(request.cookies.get(COOKIE_NAME))
            except OdooServerException as error:
                return jsonrpc.answer_error(None, error, self.version)

            def call_kw(model: str, method: str, args: list, kwargs: dict, path: Any = None) -> Any:
                return self.gateway.execute(session.uid, model, method, list(args), dict(kwargs))

            return jsonrpc.run_call(
                request_id,
                self.version,
                lambda: call_named(call_kw, "call_kw", params),
            )

        return Prepared(target, run)

    def session_info(self, uid: int, login: str) -> dict:
        """What Odoo's ir.http.session_info() answers, with the recorded keys."""
        engine = self.gateway.engine
        info = engine.version_info
        admin_uid = engine.users.get("admin", {}).get("uid")
        user = self._user_preferences(uid)
        result = {
            "uid": uid,
            "is_admin": uid == admin_uid,
            "user_context": {"lang": user["lang"], "tz": user["tz"], "uid": uid},
            "db": self.gateway.database,
            "server_version": info["server_version"],
            "server_version_info": info["server_version_info"],
            "username": login,
            "user_companies": self._user_companies(uid),
        }
        if self.version >= 19:
            result.update(self._session_info_19(uid, uid == admin_uid, user))
        return result

    @staticmethod
    def _session_info_19(uid: int, is_admin: bool, user: dict) -> dict:
        """The keys Odoo 19 adds to session_info (recorded key set; plausible values)."""
        return {
            "active_ids_limit": 20000,
            "bundle_params": {"lang": user["lang"]},
            "can_insert_in_spreadsheet": False,
            "currencies": {"1": {"digits": [69, 2], "position": "before", "symbol": "$"}},
            "current_tour": None,
            "groups": {"base.group_allow_export": is_admin},
            "home_action_id": False,
            "iap_company_enrich": False,
            "is_internal_user": True,
            "is_public": False,
            "is_system": is_admin,
            "max_file_upload_size": 134217728,
            "name": user["name"],
            "partner_display_name": user["name"],
            "partner_id": user["partner_id"],
            "partner_write_date": "2026-01-01 00:00:00",
            "profile_collectors": None,
            "profile_params": None,
            "profile_session": None,
            "quick_login": True,
            "registry_hash": "0" * 64,
            "show_effect": True,
            "storeData": {},
            "support_url": "https://www.odoo.com/buy",
            "test_mode": False,
            "tour_enabled": False,
            "user_settings": {"id": uid, "user_id": {"id": uid}},
            "view_info": {},
            "web.base.url": "http://localhost:8069",
            "websocket_worker_version": "19.0-1",
        }

    def _user_preferences(self, uid: int) -> dict:
        user = {"lang": "en_US", "tz": "Europe/Brussels", "name": "", "partner_id": False}
        try:
            rows = self.gateway.engine.execute(
                uid, "res.users", "read", [[uid]], {"fields": ["lang", "tz", "name", "partner_id"]}
            )
        except Exception:  # preferences are cosmetic; defaults will do
            return user
        if rows:
            row = rows[0]
            user.update({k: row.get(k) or user[k] for k in ("lang", "tz", "name")})
            partner = row.get("partner_id")
            user["partner_id"] = partner[0] if isinstance(partner, list) else partner
        return user

    def _user_companies(self, uid: int) -> dict:
        try:
            rows = self.gateway.engine.execute(
                uid, "res.company", "search_read", [[]], {"fields": ["name", "parent_id"]}
            )
        except Exception:  # cosmetic; one default company will do
            rows = [{"id": 1, "name": "My Company", "parent_id": False, "sequence": 0}]
        companies = {
            str(row["id"]): {
                "id": row["id"],
                "name": row.get("name"),
                "sequence": row.get("sequence") or 0,
                "child_ids": [],
                "parent_id": row["parent_id"][0] if row.get("parent_id") else False,
            }
            for row in rows
        }
        current = min((row["id"] for row in rows), default=1)
        return {
            "current_company": current,
            "allowed_companies": companies,
            "disallowed_ancestor_companies": {},
        }
