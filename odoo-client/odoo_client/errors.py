"""Exceptions named after what the user must do; each keeps Odoo's own message.

Every class carries `exit_code`, the process exit status `odoo_client.cli.run_cli` ends with.
`str(error)` is one paragraph: what went wrong, Odoo's words, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence


class OdooError(Exception):
    """Base of every error the client raises."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        odoo_name: str | None = None,
        odoo_message: str | None = None,
        model: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.odoo_name = odoo_name
        self.odoo_message = odoo_message
        self.model = model
        self.method = method

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def scrub(self, secret: str | None) -> OdooError:
        """Remove a secret from every text this error carries (defence in depth)."""
        if secret:
            self.message = self.message.replace(secret, "***")
            if self.odoo_message:
                self.odoo_message = self.odoo_message.replace(secret, "***")
            self.args = (self.message,)
        return self


class ConfigurationError(OdooError):
    """A setting is missing or malformed; `setting` names it."""

    exit_code = 3

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class AuthenticationError(OdooError):
    """Odoo refused the login: URL, database, username or password/API key is wrong."""

    exit_code = 4


class DatabaseNotFoundError(OdooError):
    """The database does not exist on this server (or the server hides it)."""

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        database: str | None = None,
        available: Sequence[str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.database = database
        self.available = list(available) if available is not None else None


class AccessDeniedError(OdooError):
    """The user may not do this operation on this model."""

    exit_code = 5

    def __init__(self, message: str, *, operation: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.operation = operation


class UnknownModelError(OdooError):
    """The model is not installed on this database."""

    exit_code = 6


class UnknownMethodError(OdooError):
    """The model has no such public method."""

    exit_code = 6


class UnknownFieldError(OdooError):
    """A field is not on the model (or hidden from this user); `field` names it."""

    exit_code = 6

    def __init__(self, message: str, *, field: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.field = field


class ValidationError(OdooError):
    """Odoo rejected the values or the action (UserError, ValidationError, bad value)."""

    exit_code = 6


class XmlRpcLimitError(ValidationError):
    """A value XML-RPC cannot carry (an integer beyond 32 bits)."""


class MissingRecordError(OdooError):
    """The record does not exist (deleted, or never existed)."""

    exit_code = 6


class ServerUnavailableError(OdooError):
    """The server kept failing or did not answer, after all retries."""

    exit_code = 7

    def __init__(self, message: str, *, attempts: int = 1, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.attempts = attempts


class ServerUnreachableError(ServerUnavailableError):
    """Nothing at the URL has answered in this run (connection refused, unknown host, timeout):
    most likely a wrong url or port, Odoo not running, or a firewall. Given up within seconds."""


class NotOdooServerError(OdooError):
    """The URL answered, but not like Odoo (HTML page, proxy, wrong address)."""

    exit_code = 7

    def __init__(self, message: str, *, status: int | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.status = status


class WriteOutcomeUnknownError(OdooError):
    """A write was sent but its answer was lost: it may or may not have happened.

    Never re-sent blindly; the caller checks (e.g. by external id) before trying again.
    """

    exit_code = 8


class ServerError(OdooError):
    """Any other error Odoo reported (e.g. a computed field failing on read)."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.field = field


# Errors no model, record or field is to blame for: every later call would meet them too, so they
# end a run instead of failing one stream or one record after another.
RUN_ENDING_ERRORS: tuple[type[OdooError], ...] = (
    AuthenticationError,
    DatabaseNotFoundError,
    ConfigurationError,
    ServerUnavailableError,
    NotOdooServerError,
)


class TransientError(Exception):
    """Internal: a failure worth retrying. Never escapes the client.

    `may_have_run` is False only when the server surely did not execute the request
    (429, 503, connection refused, a rolled-back serialization failure).

    `first_contact` is set when nothing at the URL has answered yet in this run: "no_connection"
    (refused, unknown host, unreachable, closed without an answer) or "timeout". The retry policy
    gives these a short budget; `hint` says what to check when it gives up.
    """

    def __init__(
        self,
        reason: str,
        *,
        may_have_run: bool,
        retry_after: float | None = None,
        odoo_name: str | None = None,
        odoo_message: str | None = None,
        first_contact: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.may_have_run = may_have_run
        self.retry_after = retry_after
        self.first_contact = first_contact
        self.hint = hint
        self.odoo_name = odoo_name
        self.odoo_message = odoo_message


class SessionExpired(Exception):
    """Internal: the web session is gone; the caller re-authenticates once."""


__all__ = [
    "RUN_ENDING_ERRORS",
    "AccessDeniedError",
    "AuthenticationError",
    "ConfigurationError",
    "DatabaseNotFoundError",
    "MissingRecordError",
    "NotOdooServerError",
    "OdooError",
    "ServerError",
    "ServerUnavailableError",
    "ServerUnreachableError",
    "UnknownFieldError",
    "UnknownMethodError",
    "UnknownModelError",
    "ValidationError",
    "WriteOutcomeUnknownError",
    "XmlRpcLimitError",
]
