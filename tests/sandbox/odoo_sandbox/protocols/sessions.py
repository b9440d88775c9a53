"""Web sessions of /web/session/authenticate, ended by the `session_ttl` fault after N calls."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from odoo_sandbox.exceptions import SESSION_EXPIRED, OdooServerException
from odoo_sandbox.faults import FaultPlan
from odoo_sandbox.protocols.stats import Stats

COOKIE_NAME = "session_id"
COOKIE_MAX_AGE = 604800  # a week, as Odoo


@dataclass
class WebSession:
    """One logged-in browser-like session."""

    sid: str
    uid: int
    login: str
    db: str
    calls: int = 0


def session_expired() -> OdooServerException:
    """What Odoo raises for a call without a valid session."""
    return OdooServerException(SESSION_EXPIRED, "Session expired")


class SessionStore:
    """Sessions by id; thread-safe."""

    def __init__(self, faults: FaultPlan, stats: Stats) -> None:
        self._faults = faults
        self._stats = stats
        self._lock = threading.Lock()
        self._sessions: dict[str, WebSession] = {}

    def create(self, uid: int, login: str, db: str) -> WebSession:
        """A new session for an authenticated user."""
        session = WebSession(secrets.token_hex(20), uid, login, db)
        with self._lock:
            self._sessions[session.sid] = session
        return session

    def use(self, sid: str | None) -> WebSession:
        """The session of one call; raises Odoo's SessionExpired when unknown or past its TTL."""
        ttl = self._faults.session_ttl
        with self._lock:
            session = self._sessions.get(sid or "")
            if session is None:
                raise session_expired()
            if ttl is not None and session.calls >= ttl:
                del self._sessions[session.sid]
                self._stats.count_session_expired()
                raise session_expired()
            session.calls += 1
            return session

    def destroy(self, sid: str | None) -> None:
        """Log a session out."""
        with self._lock:
            self._sessions.pop(sid or "", None)

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
