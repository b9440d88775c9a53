"""odoo_client settings and URL parsing: what people paste, what is rejected and how."""

from __future__ import annotations

import pytest

from odoo_client import ConnectionSettings, errors
from odoo_client.singer import CONNECTION_PROPERTIES
from odoo_client.url import parse_odoo_url

BASE = {"url": "acme.odoo.com", "username": "admin", "password": "s3cret-Passw0rd"}


@pytest.mark.parametrize(
    ("pasted", "port", "expected"),
    [
        ("acme.odoo.com", None, "https://acme.odoo.com"),
        ("  https://acme.odoo.com/  ", None, "https://acme.odoo.com"),
        ("https://acme.odoo.com/odoo/contacts", None, "https://acme.odoo.com"),
        (
            "https://acme.odoo.com/web#id=3&model=res.partner&view_type=form",
            None,
            "https://acme.odoo.com",
        ),
        ("http://host:8069/", None, "http://host:8069"),
        ("http://localhost:8069/web/login", None, "http://localhost:8069"),
        ("localhost", 8069, "http://localhost:8069"),
        ("localhost:8069", None, "http://localhost:8069"),
        ("192.168.1.20", "8069", "http://192.168.1.20:8069"),
        ("erp.example.com", 8443, "https://erp.example.com:8443"),
        ("HTTPS://ERP.Example.com:443/odoo", None, "https://erp.example.com"),
        ("http://[::1]:8069", None, "http://[::1]:8069"),
    ],
)
def test_pasted_urls_become_the_server_base(pasted: str, port: object, expected: str) -> None:
    assert parse_odoo_url(pasted, port).base == expected


def test_database_named_in_the_url_is_a_hint() -> None:
    parsed = parse_odoo_url("https://erp.example.com/web?db=acme_prod#action=12")
    assert (parsed.base, parsed.database_hint) == ("https://erp.example.com", "acme_prod")
    settings = ConnectionSettings.from_config({**BASE, "url": "https://erp.example.com/web?db=x1"})
    assert settings.database == "x1"
    explicit = {**BASE, "url": "https://erp.example.com/web?db=x1", "database": "x2"}
    assert ConnectionSettings.from_config(explicit).database == "x2"


@pytest.mark.parametrize(
    ("pasted", "port"),
    [
        ("", None),
        ("   ", None),
        ("not a url", None),
        ("ftp://acme.odoo.com", None),
        ("postgres://db:5432", None),
        ("http://", None),
        ("https://acme..odoo.com", None),
        ("https://-bad-.com", None),
        ("http://host:99999", None),
        ("999.1.1.1", None),
        ("acme.odoo.com", "eighty"),
        ("acme.odoo.com", 0),
        ("acme.odoo.com", 70000),
        (None, None),
        (42, None),
    ],
)
def test_bad_urls_are_rejected_with_an_example(pasted: object, port: object) -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        parse_odoo_url(pasted, port)
    assert caught.value.setting in ("url", "port")
    text = str(caught.value)
    assert "https://acme.odoo.com" in text or "8069" in text


def test_conflicting_ports_are_rejected() -> None:
    with pytest.raises(errors.ConfigurationError, match="port: 8070 contradicts") as caught:
        parse_odoo_url("http://host:8069", 8070)
    assert caught.value.setting == "port"
    assert parse_odoo_url("http://host:8069", 8069).base == "http://host:8069"


def test_credentials_in_the_url_are_rejected_without_echoing_them() -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        parse_odoo_url("https://admin:hunter2secret@acme.odoo.com")
    assert "hunter2secret" not in str(caught.value)
    assert caught.value.setting == "url"


def test_defaults_and_context() -> None:
    settings = ConnectionSettings.from_config(BASE)
    assert (settings.protocol, settings.timeout, settings.max_retries) == ("auto", 120.0, 8)
    assert (settings.max_retry_time, settings.verify_ssl, settings.database) == (600.0, True, None)
    assert settings.context() == {"active_test": False}
    full = ConnectionSettings.from_config(
        {
            **BASE,
            "lang": "fr_BE",
            "tz": "Europe/Brussels",
            "company_ids": [1, 3],
            "include_archived": False,
            "protocol": "JSON2",
            "timeout": "30",
            "max_retries": 0,
        }
    )
    assert full.context() == {
        "lang": "fr_BE",
        "tz": "Europe/Brussels",
        "allowed_company_ids": [1, 3],
    }
    assert (full.protocol, full.timeout, full.max_retries) == ("json2", 30.0, 0)
    assert ConnectionSettings.from_config({**BASE, "company_ids": "2, 4"}).company_ids == (2, 4)
    assert ConnectionSettings.from_config({**BASE, "verify_ssl": "false"}).verify_ssl is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("username", ""),
        ("username", None),
        ("password", ""),
        ("password", None),
        ("protocol", "soap"),
        ("timeout", 0),
        ("timeout", "fast"),
        ("timeout", True),
        ("max_retries", -1),
        ("max_retries", 2.5),
        ("max_retry_time", -5),
        ("verify_ssl", "maybe"),
        ("lang", "french"),
        ("lang", "EN_us"),
        ("tz", "Mars/Olympus"),
        ("company_ids", [1, "x"]),
        ("company_ids", [0]),
        ("include_archived", "perhaps"),
    ],
)
def test_bad_settings_name_the_setting(key: str, value: object) -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        ConnectionSettings.from_config({**BASE, key: value})
    assert caught.value.setting == key
    assert str(caught.value).startswith(f"{key}:")
    assert "s3cret-Passw0rd" not in str(caught.value)


@pytest.mark.parametrize("lang", ["en_US", "fr", "es_419", "sr@latin", "fil_PH"])
def test_odoo_language_codes_are_accepted(lang: str) -> None:
    assert ConnectionSettings.from_config({**BASE, "lang": lang}).lang == lang


def test_repr_masks_the_secret() -> None:
    settings = ConnectionSettings.from_config(BASE)
    assert "s3cret-Passw0rd" not in repr(settings)
    assert "password=***" in repr(settings)
    assert "s3cret-Passw0rd" not in str(settings)


def test_singer_properties_cover_every_setting_and_mark_the_secret() -> None:
    by_name = {prop.name: prop.to_dict()[prop.name] for prop in CONNECTION_PROPERTIES}
    expected = {
        "url",
        "port",
        "database",
        "username",
        "password",
        "protocol",
        "timeout",
        "max_retries",
        "max_retry_time",
        "verify_ssl",
        "user_agent",
        "lang",
        "tz",
        "company_ids",
        "include_archived",
    }
    assert set(by_name) == expected
    assert by_name["password"]["secret"] is True
    assert [name for name, schema in by_name.items() if schema.get("secret")] == ["password"]
    assert "API key" in by_name["password"]["description"]
    assert by_name["protocol"]["enum"] == ["auto", "xmlrpc", "jsonrpc", "json2", "websession"]
    assert by_name["url"]["examples"][0] == "https://acme.odoo.com"
