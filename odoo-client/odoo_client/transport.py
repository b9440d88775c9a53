"""HTTP for every protocol: one keep-alive session, timeouts, TLS, and failure classification.

Failures worth retrying become `TransientError`, telling whether the server may have run the
request: 429 and 503 mean it did not; a refused connection means it was never sent; 502, 504,
timeouts and dropped connections leave the outcome unknown.

The transport also remembers whether anything at its address has answered HTTP in this run (any
status, a proxy's 502 included). Until then a failure to reach the server is most likely a wrong
setting (a mistyped host or port, Odoo not running, a firewall), so it is marked `first_contact`
and the retry policy gives it a few seconds instead of its whole budget; and a connection must be
made within FIRST_CONNECT_TIMEOUT seconds.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    DecodeError,
    InsecureRequestWarning,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from odoo_client.errors import NotOdooServerError, TransientError

_NOT_RUN_STATUSES = {429, 503}
_MAYBE_RUN_STATUSES = {502, 504}
_MAX_RETRY_AFTER = 3600.0
# Seconds to open a connection until the server has answered once in this run (then `timeout`):
# a TCP connection to a live server takes milliseconds, a few lost SYNs included.
FIRST_CONNECT_TIMEOUT = 10.0
_log = logging.getLogger("odoo_client.http")


@dataclass(frozen=True)
class HttpAnswer:
    """The parts of an HTTP response the protocols need."""

    status: int
    content_type: str
    text: str
    url: str

    @property
    def is_json(self) -> bool:
        """Whether the body claims to be JSON."""
        return "json" in self.content_type

    def json(self) -> Any:
        """The body parsed as JSON, or NotOdooServerError when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            raise not_odoo(self, "answered with something that is not JSON") from None


class HttpTransport:
    """Sends requests to one server; remembers the server's clock from the Date header."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        verify_ssl: bool,
        user_agent: str,
        pool_size: int,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.verify = verify_ssl
        if not verify_ssl:
            # Said once here rather than as a warning on every request.
            urllib3.disable_warnings(InsecureRequestWarning)
            _log.warning("TLS certificates of %s are not verified (verify_ssl is off)", base_url)
        self.session.headers["User-Agent"] = user_agent
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(pool_size, 1))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.last_server_time: datetime | None = None
        self._clock_lock = threading.Lock()
        # Whether anything at base_url answered HTTP in this run; never goes back to False.
        self.answered = False
        parts = urlsplit(base_url)
        self.host = parts.hostname or base_url
        self.port = parts.port or (443 if parts.scheme == "https" else 80)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpAnswer:
        """Send one request; raise TransientError for retryable failures."""
        all_headers = dict(headers or {})
        if content_type:
            all_headers["Content-Type"] = content_type
        url = self.base_url + path
        started = time.monotonic()
        first_contact = not self.answered
        connect_timeout = self.timeout
        if first_contact:
            connect_timeout = min(self.timeout, FIRST_CONNECT_TIMEOUT)
        try:
            # The body is read below in one call, not in requests' 10 KB chunks: a tap thread
            # reading a page while another thread runs Python then waits for the GIL a few
            # times per page instead of ~300 times (measured: a 3 MB page took 4 times as long).
            response = self.session.request(
                method,
                url,
                data=body,
                headers=all_headers,
                timeout=(connect_timeout, self.timeout),
                stream=True,
            )
            self.answered = True
            content = self._read_body(response, url)
        except requests.exceptions.SSLError as exc:
            raise NotOdooServerError(
                f"TLS check failed for {self.base_url}: {_first_line(exc)}. Fix the certificate, "
                "or set verify_ssl to false for a server you trust."
            ) from None
        except requests.exceptions.ConnectTimeout:
            if first_contact:
                raise self._unreached(
                    f"no connection within {connect_timeout:g} s",
                    kind="timeout",
                    may_have_run=False,
                ) from None
            raise TransientError(
                f"no connection to {self.base_url} (timeout)", may_have_run=False
            ) from None
        except requests.exceptions.Timeout:
            if first_contact:
                raise self._unreached(
                    f"connected, but no answer within {self.timeout:g} s",
                    kind="timeout",
                    may_have_run=True,
                ) from None
            raise TransientError(
                f"no answer within {self.timeout:g} s from {url}", may_have_run=True
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise TransientError(
                f"connection dropped by {self.base_url} mid-answer", may_have_run=True
            ) from None
        except requests.exceptions.ConnectionError as exc:
            never_sent = _was_never_sent(exc)
            if first_contact:
                raise self._unreached(
                    _why_unreached(exc) if never_sent else "connection closed without an answer",
                    kind="dns" if _cause(exc, NameResolutionError) else "no_connection",
                    may_have_run=not never_sent,
                ) from None
            what = "cannot connect to" if never_sent else "connection dropped by"
            raise TransientError(f"{what} {self.base_url}", may_have_run=not never_sent) from None
        self._remember_clock(response)
        _log.debug(
            "%s %s -> %s in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        encoding = response.encoding
        if encoding is None or "json" in response.headers.get("Content-Type", ""):
            encoding = "utf-8"  # JSON is UTF-8; spares requests' slow guessing
        try:
            text = content.decode(encoding, errors="replace")
        except LookupError:
            text = content.decode("utf-8", errors="replace")
        answer = HttpAnswer(
            status=response.status_code,
            content_type=response.headers.get("Content-Type", "").lower(),
            text=text,
            url=url,
        )
        if response.status_code in _NOT_RUN_STATUSES | _MAYBE_RUN_STATUSES:
            title = _html_title(answer.text)
            raise TransientError(
                f"HTTP {response.status_code} from {url}" + (f" ({title})" if title else ""),
                may_have_run=response.status_code in _MAYBE_RUN_STATUSES,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return answer

    def _unreached(self, why: str, *, kind: str, may_have_run: bool) -> TransientError:
        """A failure to reach a server that has not answered yet in this run, saying what to
        check. `kind`: "no_connection" (refused, unreachable, closed unanswered), "dns" or
        "timeout"."""
        where = f"{self.base_url} (host {self.host}, port {self.port})"
        if kind == "dns":
            check = (
                f"check the host name in the url setting ({self.host!r}), and that this "
                "machine can resolve it (DNS, VPN, network)"
            )
        else:
            check = (
                f"check the url and port settings, that Odoo runs at {self.host} and listens on "
                f"port {self.port}, and that no firewall blocks that port"
            )
        return TransientError(
            f"cannot reach {where}: {why}",
            may_have_run=may_have_run,
            first_contact="timeout" if kind == "timeout" else "no_connection",
            hint=f"Nothing has answered there in this run: {check}.",
        )

    def _read_body(self, response: requests.Response, url: str) -> bytes:
        """The whole body (decompressed); the connection goes back to the pool once it is read."""
        try:
            return response.raw.read(decode_content=True)
        except ReadTimeoutError:
            response.close()
            raise TransientError(
                f"no answer within {self.timeout:g} s from {url}", may_have_run=True
            ) from None
        except (ProtocolError, DecodeError, OSError):
            response.close()
            raise TransientError(
                f"connection dropped by {self.base_url} mid-answer", may_have_run=True
            ) from None

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def _remember_clock(self, response: requests.Response) -> None:
        stamp = response.headers.get("Date")
        if not stamp:
            return
        try:
            when = email.utils.parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            return
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        with self._clock_lock:
            self.last_server_time = when.astimezone(timezone.utc)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def not_odoo(answer: HttpAnswer, what: str) -> NotOdooServerError:
    """The error for an answer that did not come from Odoo's API."""
    title = _html_title(answer.text)
    shown = f" ({title})" if title else ""
    return NotOdooServerError(
        f"{answer.url} {what}: HTTP {answer.status}{shown}. This is not an Odoo API answer: "
        "check the url setting (the address you open Odoo with, such as https://acme.odoo.com), "
        "or wait if the server is under maintenance.",
        status=answer.status,
    )


def _html_title(text: str) -> str:
    lower = text.lower()
    start = lower.find("<title>")
    end = lower.find("</title>")
    if start == -1 or end <= start:
        return ""
    return " ".join(text[start + 7 : end].split())[:120]


def _was_never_sent(exc: BaseException) -> bool:
    return _cause(exc, NewConnectionError) is not None


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: dict[int, BaseException] = {}
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen[id(current)] = current
        pending.extend(
            [current.__cause__, current.__context__, getattr(current, "reason", None)]
            + [arg for arg in current.args if isinstance(arg, BaseException)]
        )
    return list(seen.values())


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((cause for cause in _causes(exc) if isinstance(cause, kind)), None)


def _why_unreached(exc: BaseException) -> str:
    """Why no connection was made, in a few words ("connection refused", ...)."""
    if _cause(exc, NameResolutionError):
        return "the host name does not resolve"
    if _cause(exc, ConnectionRefusedError):
        return "connection refused"
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.strerror:
            return str(cause.strerror).lower()  # "network is unreachable", ...
    return "no connection"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
