"""Fault injection: which requests fail, how, and how slowly the server answers.

A FaultPlan is parsed from a spec such as
`error_rate=0.05,errors=429+502+503+504+drop,retry_after=1,latency_ms=30,
poison_field=res.partner:x_poison,poison_ids=7+42,session_ttl=50,html_maintenance=1,seed=7`
and can be changed while the server runs (every method takes the plan's lock).

`narrow_search_read=x_custom.model+res.partner:ResPartner` is not a failure of the network but of a
module: those models' `search_read` lacks `**read_kwargs`, as some of Odoo's own (versions.py), so
`load=...` raises "ResPartner.search_read() got an unexpected keyword argument 'load'".

Tests also queue rules on calls: `fail_next(kind, count, when="model.method")`, or
`fail_always(kind, when)` for a server that fails the same way forever; `block` / `block_after`
hold a request until `release()` (`wait_held()` tells when the server has it), `user_error`
makes the ORM call itself raise an Odoo UserError.
"""

from __future__ import annotations

import random
import sys
import threading
from dataclasses import dataclass

from odoo_sandbox.versions import parse_narrow

STATUS_KINDS = ("429", "502", "503", "504")
# Held until `release()`: `block` then closes the connection without running the call, as a
# request lost in a stuck proxy; `block_after` runs the call and holds its answer; `block_before`
# holds the request, then runs it and answers (calls that must meet in the server at once).
HOLD_KINDS = ("block", "block_after", "block_before")
# Raised by the ORM call itself (the call is counted in stats.calls): an Odoo UserError.
ORM_KINDS = ("user_error",)
KINDS = (*STATUS_KINDS, "drop", "drop_after", "reset", "maintenance", *HOLD_KINDS, *ORM_KINDS)
RANDOM_KINDS = tuple(kind for kind in KINDS if kind not in HOLD_KINDS + ORM_KINDS)
FOREVER = sys.maxsize  # `fail_always`: a rule that never runs out
DEFAULT_ERRORS = ("429", "502", "503", "504", "drop")
SPEC_KEYS = (
    "error_rate",
    "errors",
    "retry_after",
    "latency_ms",
    "row_latency_us",
    "poison_field",
    "poison_ids",
    "session_ttl",
    "html_maintenance",
    "narrow_search_read",
    "seed",
)


@dataclass(frozen=True)
class Fault:
    """One injected failure: `kind` is one of KINDS."""

    kind: str
    retry_after: float = 1.0


@dataclass
class _Rule:
    kind: str
    remaining: int
    retry_after: float | None
    when: str | None
    skip: int = 0  # matching requests let through before the rule applies

    def matches(self, target: str | None) -> bool:
        if self.when is None:
            return True
        if target is None:
            return False
        return self.when in (target, target.rsplit(".", 1)[0])


def _check_kind(kind: str, known: tuple[str, ...] = KINDS) -> str:
    if kind not in known:
        raise ValueError(f"unknown fault kind {kind!r}; known kinds: {', '.join(known)}")
    return kind


def _parse_poison(text: str) -> set[tuple[str, str]]:
    pairs = set()
    for item in filter(None, text.split("+")):
        model, sep, field = item.partition(":")
        if not sep or not model or not field:
            raise ValueError(f"poison_field wants model:field, got {item!r}")
        pairs.add((model, field))
    return pairs


class FaultPlan:
    """What to inject; thread-safe and changeable at run time."""

    def __init__(self, spec: str | None = None, **settings: object) -> None:
        self._lock = threading.Lock()
        self._released = threading.Event()  # cleared while a hold rule waits for release()
        self._released.set()
        self._held_changed = threading.Condition()
        self.held = 0  # requests a block fault holds now
        self._set_defaults()
        self.configure(spec, **settings)

    def _set_defaults(self) -> None:
        self.error_rate = 0.0
        self.errors: tuple[str, ...] = DEFAULT_ERRORS
        self.retry_after = 1.0
        self.latency_ms = 0.0
        self.row_latency_us = 0.0  # per row a read returns: how a real server's cost grows
        self.poison_fields: set[tuple[str, str]] = set()
        self.poison_ids: frozenset[int] = frozenset()  # empty: poisoned on every row
        self.session_ttl: int | None = None
        self.html_maintenance = False
        self.narrow_search_read: dict[str, str] = {}  # model -> class name
        self.seed = 0
        self._random = random.Random(0)
        self._rules: list[_Rule] = []

    @classmethod
    def parse(cls, spec: str | FaultPlan | None) -> FaultPlan:
        """A plan from a spec string (an existing plan is returned as is)."""
        return spec if isinstance(spec, FaultPlan) else cls(spec)

    def configure(self, spec: str | None = None, **settings: object) -> FaultPlan:
        """Change settings from a spec string and/or keywords named like the spec keys."""
        values: dict[str, object] = {}
        for item in filter(None, (spec or "").replace(" ", "").split(",")):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"fault setting {item!r} wants key=value")
            values[key] = value
        values.update(settings)
        with self._lock:
            for key, value in values.items():
                self._apply(key, value)
        return self

    def _apply(self, key: str, value: object) -> None:
        if key == "error_rate":
            rate = float(value)  # type: ignore[arg-type]
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"error_rate must be between 0 and 1, got {rate}")
            self.error_rate = rate
        elif key == "errors":
            kinds = value.split("+") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
            self.errors = tuple(_check_kind(str(kind), RANDOM_KINDS) for kind in kinds if kind)
        elif key == "retry_after":
            self.retry_after = float(value)  # type: ignore[arg-type]
        elif key == "latency_ms":
            self.latency_ms = float(value)  # type: ignore[arg-type]
        elif key == "row_latency_us":
            self.row_latency_us = float(value)  # type: ignore[arg-type]
        elif key in ("poison_field", "poison_fields"):
            pairs = _parse_poison(value) if isinstance(value, str) else set(value)  # type: ignore[call-overload]
            self.poison_fields = pairs
        elif key == "poison_ids":
            ids = value.split("+") if isinstance(value, str) else value
            self.poison_ids = frozenset(int(i) for i in ids if i != "")  # type: ignore[union-attr]
        elif key == "session_ttl":
            self.session_ttl = int(value) if value not in (None, "", 0, "0") else None  # type: ignore[call-overload]
        elif key == "html_maintenance":
            self.html_maintenance = str(value).lower() in ("1", "true", "yes", "on")
        elif key == "narrow_search_read":
            self.narrow_search_read = parse_narrow(value)  # type: ignore[arg-type]
        elif key == "seed":
            self.seed = int(value)  # type: ignore[call-overload]
            self._random = random.Random(self.seed)
        else:
            raise ValueError(f"unknown fault setting {key!r}; known: {', '.join(SPEC_KEYS)}")

    def fail_next(
        self,
        kind: str,
        count: int = 1,
        retry_after: float | None = None,
        when: str | None = None,
        skip: int = 0,
    ) -> None:
        """Make the next `count` matching requests fail with `kind`.

        `when` = "model.method" (or just "model") limits the rule to those ORM calls; `skip`
        lets that many matching requests through first (block the 2nd create: skip=1).
        """
        rule = _Rule(_check_kind(kind), count, retry_after, when, skip)
        with self._lock:
            if kind in HOLD_KINDS:
                self._released.clear()
            self._rules.append(rule)

    def fail_always(self, kind: str, when: str, retry_after: float | None = None) -> None:
        """Make every request to `when` ("model.method" or "model") fail with `kind`, forever
        (until `reset()`): a server that fails the same way however often it is asked."""
        self.fail_next(kind, count=FOREVER, retry_after=retry_after, when=when)

    def hold(self) -> None:
        """Block the calling request thread until `release()` (or `reset()`)."""
        with self._held_changed:
            self.held += 1
            self._held_changed.notify_all()
        try:
            self._released.wait()
        finally:
            with self._held_changed:
                self.held -= 1
                self._held_changed.notify_all()

    def wait_held(self, count: int = 1, timeout: float = 60.0) -> bool:
        """Wait until `count` requests are held by block faults (a test's "the server has the
        call now"); False if that did not happen within `timeout` seconds."""
        with self._held_changed:
            return self._held_changed.wait_for(lambda: self.held >= count, timeout=timeout)

    def release(self) -> None:
        """Let every request held by a `block` / `block_after` fault go on."""
        self._released.set()

    def reset(self) -> None:
        """No faults at all, as a fresh plan (held requests are released)."""
        with self._lock:
            self._set_defaults()
        self.release()

    def draw_orm_error(self, target: str) -> Fault | None:
        """The ORM-level fault (`user_error`) for one call, if a rule asks for it."""
        with self._lock:
            for rule in self._rules:
                if rule.kind in ORM_KINDS and rule.remaining > 0 and rule.matches(target):
                    if rule.skip > 0:
                        rule.skip -= 1
                        continue
                    rule.remaining -= 1
                    self._rules = [r for r in self._rules if r.remaining > 0]
                    return Fault(rule.kind)
        return None

    def draw(self, target: str | None) -> Fault | None:
        """The fault for one request (`target` = "model.method" of its ORM call), if any."""
        with self._lock:
            if self.html_maintenance:
                return Fault("maintenance")
            for rule in self._rules:
                if rule.kind in ORM_KINDS:
                    continue  # drawn by the gateway, when the ORM call runs
                if rule.remaining > 0 and rule.matches(target):
                    if rule.skip > 0:
                        rule.skip -= 1
                        continue
                    rule.remaining -= 1
                    self._rules = [r for r in self._rules if r.remaining > 0]
                    retry = self.retry_after if rule.retry_after is None else rule.retry_after
                    return Fault(rule.kind, retry)
            if self.error_rate and self.errors and self._random.random() < self.error_rate:
                return Fault(self._random.choice(self.errors), self.retry_after)
        return None

    def pending(self) -> int:
        """How many one-shot failures are still queued."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def poisoned(self, model: str) -> set[str]:
        """Fields of `model` that fail when read."""
        with self._lock:
            return {field for name, field in self.poison_fields if name == model}

    def narrow_search_read_models(self) -> dict[str, str]:
        """{model: class name} of the models declared with a narrow `search_read`."""
        with self._lock:
            return dict(self.narrow_search_read)

    @property
    def latency_seconds(self) -> float:
        """Delay added to every request."""
        return self.latency_ms / 1000.0

    def to_spec(self) -> str:
        """The settings as a spec string (queued one-shot failures are not part of it)."""
        with self._lock:
            parts = []
            if self.error_rate:
                parts += [f"error_rate={self.error_rate:g}", "errors=" + "+".join(self.errors)]
            parts.append(f"retry_after={self.retry_after:g}")
            if self.latency_ms:
                parts.append(f"latency_ms={self.latency_ms:g}")
            if self.row_latency_us:
                parts.append(f"row_latency_us={self.row_latency_us:g}")
            if self.poison_fields:
                pairs = "+".join(f"{m}:{f}" for m, f in sorted(self.poison_fields))
                parts.append(f"poison_field={pairs}")
            if self.poison_ids:
                parts.append("poison_ids=" + "+".join(str(i) for i in sorted(self.poison_ids)))
            if self.session_ttl:
                parts.append(f"session_ttl={self.session_ttl}")
            if self.html_maintenance:
                parts.append("html_maintenance=1")
            if self.narrow_search_read:
                narrow = "+".join(f"{m}:{c}" for m, c in sorted(self.narrow_search_read.items()))
                parts.append(f"narrow_search_read={narrow}")
            parts.append(f"seed={self.seed}")
            return ",".join(parts)

    def __repr__(self) -> str:
        return f"FaultPlan({self.to_spec()!r})"
