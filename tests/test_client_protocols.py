"""OdooClient against the sandbox over every protocol: login, reads, writes, mapped errors."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors
from odoo_sandbox import Sandbox

CASES = [
    (17, "auto", "password", "jsonrpc"),
    (17, "auto", "api_key", "jsonrpc"),
    (17, "jsonrpc", "api_key", "jsonrpc"),
    (17, "xmlrpc", "password", "xmlrpc"),
    (17, "xmlrpc", "api_key", "xmlrpc"),
    (17, "websession", "password", "websession"),
    (19, "auto", "api_key", "json2"),
    (19, "auto", "password", "jsonrpc"),
    (19, "json2", "api_key", "json2"),
    (19, "jsonrpc", "password", "jsonrpc"),
    (19, "xmlrpc", "api_key", "xmlrpc"),
    (19, "websession", "password", "websession"),
]


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[int, Sandbox]]:
    """Own sandboxes: these tests create and change records."""
    started = {version: Sandbox(odoo_version=version, scale=1).start() for version in (17, 19)}
    yield started
    for sandbox in started.values():
        sandbox.stop()


@pytest.fixture(autouse=True)
def _clean_faults(sandboxes: dict[int, Sandbox]) -> Iterator[None]:
    yield
    for sandbox in sandboxes.values():
        sandbox.faults.reset()
        sandbox.stats.reset()


def make_client(sandbox: Sandbox, user: str = "admin", **overrides: object) -> OdooClient:
    """A client for `user` of `sandbox`; `secret="api_key"` logs in with the API key."""
    secret = overrides.pop("secret", "password")
    config = {
        "url": sandbox.url,
        "database": sandbox.database,
        "username": user,
        "password": sandbox.users[user][secret],
        "retry_initial_wait": 0.01,
        "retry_max_wait": 0.05,
        **overrides,
    }
    return OdooClient(ConnectionSettings.from_config(config))


@pytest.mark.parametrize(("version", "protocol", "secret", "expected"), CASES)
def test_each_protocol_logs_in_reads_creates_and_writes(
    sandboxes: dict[int, Sandbox],
    wire: Callable[..., Any],
    version: int,
    protocol: str,
    secret: str,
    expected: str,
) -> None:
    sandbox = sandboxes[version]
    with make_client(sandbox, protocol=protocol, secret=secret) as client:
        assert client.authenticate() == sandbox.users["admin"]["uid"]
        assert client.protocol == expected
        assert client.server_version == f"{version}.0"
        assert client.server_version_info[0] == version
        assert client.database == sandbox.database

        domain = [["is_company", "=", True]]
        rows = client.search_read("res.partner", domain, ["name"], limit=5, order="id")
        truth = wire(sandbox).result(
            "res.partner", "search_read", [domain], {"fields": ["name"], "limit": 5, "order": "id"}
        )
        assert rows == truth
        assert len(rows) == 5
        assert [row["id"] for row in rows] == client.search(
            "res.partner", domain, limit=5, order="id"
        )
        assert client.search_count("res.partner", domain) >= 5

        name = f"client-test {protocol} {uuid.uuid4().hex[:8]}"
        ids = client.create("res.partner", [{"name": name}, {"name": name + " b"}])
        assert len(ids) == 2
        assert client.write("res.partner", ids[:1], {"email": "x@example.com"}) is True
        read = client.read("res.partner", ids, ["name", "email"])
        assert [(r["name"], r["email"]) for r in read] == [
            (name, "x@example.com"),
            (name + " b", False),
        ]
        assert client.unlink("res.partner", ids[1:]) is True
        assert client.search("res.partner", [["id", "in", ids]]) == ids[:1]
        assert client.last_server_time is not None
        assert client.last_server_time.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(("version", "protocol"), [(17, "jsonrpc"), (17, "xmlrpc"), (19, "json2")])
def test_errors_map_to_their_class_with_odoos_message(
    sandboxes: dict[int, Sandbox], version: int, protocol: str
) -> None:
    sandbox = sandboxes[version]
    client = make_client(sandbox, protocol=protocol, secret="api_key")
    with pytest.raises(errors.UnknownModelError) as unknown_model:
        client.search_read("no.such.model", [], ["name"])
    assert unknown_model.value.model == "no.such.model"
    assert unknown_model.value.odoo_message

    with pytest.raises(errors.UnknownFieldError) as unknown_field:
        client.search_read("res.partner", [], ["no_such_field"], limit=1)
    assert unknown_field.value.field == "no_such_field"
    assert "no_such_field" in unknown_field.value.odoo_message

    with pytest.raises(errors.MissingRecordError) as missing:
        client.write("res.partner", [99999999], {"name": "x"})
    assert "Record does not exist" in missing.value.odoo_message

    partner = client.search("res.partner", [["is_company", "=", True]], limit=1)
    with pytest.raises(errors.ValidationError) as invalid:
        client.write("res.partner", partner, {"parent_id": partner[0]})
    assert "recursive" in invalid.value.odoo_message

    with pytest.raises(errors.UnknownMethodError):
        client.call("res.partner", "no_such_method", partner)

    demo = make_client(sandbox, user="demo", protocol=protocol, secret="api_key")
    with pytest.raises(errors.AccessDeniedError) as denied:
        demo.create("res.partner", [{"name": "should fail"}])
    assert (denied.value.model, denied.value.operation) == ("res.partner", "create")
    assert "not allowed" in denied.value.odoo_message
    assert "'demo' may not create res.partner" in str(denied.value)


def test_context_settings_reach_the_server(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[17]
    client = make_client(sandbox)
    name = f"archived {uuid.uuid4().hex[:8]}"
    [archived] = client.create("res.partner", [{"name": name, "active": False}])
    assert client.search("res.partner", [["id", "=", archived]]) == [archived]
    strict = make_client(sandbox, include_archived=False)
    assert strict.search("res.partner", [["id", "=", archived]]) == []
    assert strict.search(
        "res.partner", [["id", "=", archived]], context={"active_test": False}
    ) == [archived]


def test_json2_turns_positional_arguments_into_named_ones(sandboxes: dict[int, Sandbox]) -> None:
    client = make_client(sandboxes[19], protocol="json2", secret="api_key")
    ids = client.call("res.partner", "search", [["is_company", "=", True]], 0, 3, "id desc")
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 3
    assert client.call("res.partner", "search_count", [["id", "in", ids]]) == 3
    rows = client.call("res.partner", "read", ids[:1], ["name"])
    assert list(rows[0]) == ["id", "name"]
    fields = client.call("res.partner", "fields_get", ["name"], ["type"])
    assert fields == {"name": {"type": "char"}}
    with pytest.raises(TypeError, match="named arguments only"):
        client.call("res.partner", "action_archive", ids, "extra")


def test_xmlrpc_refuses_integers_beyond_32_bits_clearly(sandboxes: dict[int, Sandbox]) -> None:
    client = make_client(sandboxes[17], protocol="xmlrpc")
    with pytest.raises(errors.XmlRpcLimitError, match="jsonrpc or json2"):
        client.read("res.partner", [2**31 + 5], ["name"])
    assert client.search_read("res.partner", [["id", "=", 1]], ["name"], limit=None)[0]["id"] == 1


def test_connection_report(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[19]
    report = make_client(sandbox, secret="api_key").check_connection()
    assert (report.server_version, report.protocol, report.database) == ("19.0", "json2", "odoo19")
    assert (report.username, report.uid, report.url) == ("admin", 2, sandbox.url)
    assert report.summary() == (
        f"Connected to Odoo 19.0 at {sandbox.url}: database odoo19, user admin (uid 2), "
        "protocol json2."
    )


def test_database_is_picked_when_the_server_lists_one(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[17]
    config = {"url": sandbox.url, "username": "admin", "password": sandbox.settings["password"]}
    client = OdooClient(ConnectionSettings.from_config(config))
    assert client.database == "odoo17"
    sandbox19 = sandboxes[19]
    key = sandbox19.users["admin"]["api_key"]
    config19 = {"url": sandbox19.url, "username": "admin", "password": key}
    client19 = OdooClient(ConnectionSettings.from_config(config19))
    assert (client19.database, client19.protocol) == ("odoo19", "json2")


def test_wrong_database_lists_the_available_ones(sandboxes: dict[int, Sandbox]) -> None:
    for version, protocol, secret in ((17, "jsonrpc", "password"), (19, "json2", "api_key")):
        client = make_client(sandboxes[version], protocol=protocol, secret=secret, database="nope")
        with pytest.raises(errors.DatabaseNotFoundError) as caught:
            client.authenticate()
        assert caught.value.database == "nope"
        assert caught.value.available == [f"odoo{version}"]
        assert f"The server offers: odoo{version}." in str(caught.value)


def test_one_authentication_for_many_threads(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[19]
    client = make_client(sandbox, secret="api_key")
    sandbox.stats.reset()
    models = ["res.partner", "res.country", "res.currency", "account.move"] * 3
    first_four_together = threading.Barrier(4)

    def describe(task: tuple[int, str]) -> int:
        index, model = task
        if index < 4:  # the first calls race to connect
            first_four_together.wait(timeout=10)
        return len(client.fields_get(model, attributes=["type"]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        sizes = list(pool.map(describe, enumerate(models)))
    assert all(size > 3 for size in sizes)
    stats = sandbox.stats.snapshot()
    assert stats["calls"]["res.users.context_get"] == 1
    assert stats["requests"] == 1 + 1 + len(models)


def test_json2_on_an_older_server_is_a_configuration_error(sandboxes: dict[int, Sandbox]) -> None:
    client = make_client(sandboxes[17], protocol="json2", secret="api_key")
    with pytest.raises(errors.ConfigurationError, match="json2 needs Odoo 19 or later") as caught:
        client.authenticate()
    assert caught.value.setting == "protocol"


def test_server_time_follows_the_servers_clock(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[17]
    client = make_client(sandbox)
    client.authenticate()
    frozen = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    sandbox.engine.clock = lambda: frozen
    try:
        client.search_count("res.partner", [["id", "=", 1]])
        assert client.last_server_time == frozen
    finally:
        sandbox.engine.clock = None


def test_a_field_failing_on_read_is_a_server_error_naming_it(sandboxes: dict[int, Sandbox]) -> None:
    sandbox = sandboxes[19]
    sandbox.faults.configure(poison_field="res.partner:email")
    for protocol in ("jsonrpc", "xmlrpc", "json2"):
        client = make_client(sandbox, protocol=protocol, secret="api_key")
        with pytest.raises(errors.ServerError) as caught:
            client.search_read("res.partner", [], ["name", "email"], limit=3)
        assert (caught.value.field, caught.value.model) == ("email", "res.partner")
        assert client.search_read("res.partner", [["id", "=", 1]], ["name"])[0]["id"] == 1
