"""Connection settings shared by tap-odoo and target-odoo: parsed, validated, secret-safe."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from odoo_client.errors import ConfigurationError
from odoo_client.url import OdooUrl, parse_odoo_url

PROTOCOLS = ("auto", "xmlrpc", "jsonrpc", "json2", "websession")
_LANG = re.compile(r"^[a-z]{2,3}(_([A-Z]{2}|\d{3}))?(@[a-z]+)?$")
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off", ""}


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to reach one Odoo database. `password` may be an API key."""

    url: str
    username: str
    password: str = field(repr=False)
    database: str | None = None
    protocol: str = "auto"
    timeout: float = 120.0
    max_retries: int = 8
    max_retry_time: float = 600.0
    retry_initial_wait: float = 1.0
    retry_max_wait: float = 60.0
    verify_ssl: bool = True
    user_agent: str = "odoo-singer"
    lang: str | None = None
    tz: str | None = None
    company_ids: tuple[int, ...] = ()
    include_archived: bool = True
    max_parallel_requests: int = 4

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ConnectionSettings:
        """Build settings from a tap/target config; raise ConfigurationError naming the setting."""
        parsed = parse_odoo_url(config.get("url"), config.get("port"))
        return cls(
            url=parsed.base,
            username=_required_text(config, "username", '"admin" or "api@acme.com"'),
            password=_required_secret(config),
            database=_optional_text(config, "database") or parsed.database_hint,
            protocol=_protocol(config.get("protocol")),
            timeout=_number(config, "timeout", 120.0),
            max_retries=_integer(config, "max_retries", 8, minimum=0),
            max_retry_time=_number(config, "max_retry_time", 600.0),
            retry_initial_wait=_number(config, "retry_initial_wait", 1.0),
            retry_max_wait=_number(config, "retry_max_wait", 60.0),
            verify_ssl=_boolean(config, "verify_ssl", True),
            user_agent=_optional_text(config, "user_agent") or "odoo-singer",
            lang=_lang(config.get("lang")),
            tz=_tz(config.get("tz")),
            company_ids=_company_ids(config.get("company_ids")),
            include_archived=_boolean(config, "include_archived", True),
            max_parallel_requests=_integer(config, "max_parallel_requests", 4, minimum=1),
        )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'password' else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"ConnectionSettings({shown})"

    @property
    def parsed_url(self) -> OdooUrl:
        """The URL split into its parts."""
        return parse_odoo_url(self.url)

    def context(self) -> dict[str, Any]:
        """The Odoo context these settings ask for (merged under every call's own context)."""
        context: dict[str, Any] = {}
        if self.lang:
            context["lang"] = self.lang
        if self.tz:
            context["tz"] = self.tz
        if self.company_ids:
            context["allowed_company_ids"] = list(self.company_ids)
        if self.include_archived:
            context["active_test"] = False
        return context


def _required_text(config: Mapping[str, Any], name: str, example: str) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"{name}: required, the Odoo login, such as {example}.", setting=name
        )
    return value.strip()


def _required_secret(config: Mapping[str, Any]) -> str:
    value = config.get("password")
    if not isinstance(value, str) or not value:
        raise ConfigurationError(
            "password: required, the user's password or (better) an API key created in "
            "Odoo under Preferences > Account Security > New API Key.",
            setting="password",
        )
    return value


def _optional_text(config: Mapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{name}: expected text, got {value!r}.", setting=name)
    return value.strip() or None


def _protocol(value: Any) -> str:
    text = (value or "auto").strip().lower() if isinstance(value, str) or value is None else value
    if text not in PROTOCOLS:
        raise ConfigurationError(
            f'protocol: expected one of {", ".join(PROTOCOLS)} (e.g. "auto"); got {value!r}.',
            setting="protocol",
        )
    return text


def _number(config: Mapping[str, Any], name: str, default: float) -> float:
    value = config.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not number > 0:
        raise ConfigurationError(
            f"{name}: expected a positive number of seconds, such as {default:g}; got {value!r}.",
            setting=name,
        )
    return number


def _integer(config: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = config.get(name)
    if value is None or value == "":
        return default
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < minimum:
        raise ConfigurationError(
            f"{name}: expected a whole number of at least {minimum}, such as {default}; "
            f"got {value!r}.",
            setting=name,
        )
    return int(text)


def _boolean(config: Mapping[str, Any], name: str, default: bool) -> bool:
    value = config.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{name}: expected true or false; got {value!r}.", setting=name)


def _lang(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _LANG.match(value.strip()):
        raise ConfigurationError(
            'lang: expected an Odoo language code such as "en_US", "fr_BE" or "fr"; '
            f"got {value!r}.",
            setting="lang",
        )
    return value.strip()


def _tz(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"tz: expected a time zone name; got {value!r}.", setting="tz")
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if zoneinfo.available_timezones():  # without a tz database, trust the user
            raise ConfigurationError(
                f'tz: expected a time zone name such as "Europe/Brussels" or "UTC"; got {value!r}.',
                setting="tz",
            ) from None
    return name


def _company_ids(value: Any) -> tuple[int, ...]:
    if value is None or value in ("", []):
        return ()
    items = value.split(",") if isinstance(value, str) else value
    try:
        ids = tuple(int(str(item).strip()) for item in items if not isinstance(item, bool))
        if len(ids) != len(list(items)) or any(i <= 0 for i in ids):
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"company_ids: expected a list of company ids such as [1, 2]; got {value!r}.",
            setting="company_ids",
        ) from None
    return ids
