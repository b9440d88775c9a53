"""Counters of what the sandbox served: ORM calls, injected faults, expired sessions."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """Thread-safe counters; read them directly or take a `snapshot()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to zero."""
        with self._lock:
            self.requests = 0
            self.calls: Counter[tuple[str, str]] = Counter()
            self.received: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.sessions_expired = 0

    def count_request(self) -> None:
        """One HTTP request received."""
        with self._lock:
            self.requests += 1

    def count_call(self, model: str, method: str) -> None:
        """One ORM call handed to the engine."""
        with self._lock:
            self.calls[(model, method)] += 1

    def count_received(self, target: str) -> None:
        """One request for an ORM call ("model.method") received, answered or faulted: what a
        client sent, however the sandbox answered (`calls` counts only the calls that ran)."""
        with self._lock:
            self.received[target] += 1

    def count_fault(self, kind: str) -> None:
        """One fault injected (kinds of faults.KINDS, plus "poison_field" and "latency")."""
        with self._lock:
            self.faults[kind] += 1

    def count_session_expired(self) -> None:
        """One web session ended by the session_ttl fault."""
        with self._lock:
            self.sessions_expired += 1

    def snapshot(self) -> dict:
        """A copy: requests, calls {"model.method": n}, received {"model.method": n} (faulted
        ones included), faults {kind: n}, sessions_expired."""
        with self._lock:
            return {
                "requests": self.requests,
                "calls": {f"{m}.{f}": n for (m, f), n in sorted(self.calls.items())},
                "received": dict(sorted(self.received.items())),
                "faults": dict(sorted(self.faults.items())),
                "sessions_expired": self.sessions_expired,
            }

    def __repr__(self) -> str:
        return f"Stats({self.snapshot()!r})"
