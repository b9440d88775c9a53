"""A narrowed search_read override (Odoo 16 account.move.line, 17 project.tags, custom modules):
the client drops the keyword Odoo refuses, once per model, on every protocol, and hands back the
rows the caller asked for (many2one as bare ids with load=False). Calls counted by the sandbox."""

from __future__ import annotations

import logging

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors

PROTOCOLS = [(17, "jsonrpc"), (17, "xmlrpc"), (17, "websession"), (19, "json2")]


def client_for(sandbox, protocol: str) -> OdooClient:
    secret = "api_key" if protocol == "json2" else "password"
    config = {
        "url": sandbox.url,
        "database": sandbox.settings["database"],
        "username": sandbox.settings["username"],
        "password": sandbox.settings[secret],
        "protocol": protocol,
    }
    return OdooClient(ConnectionSettings.from_config(config))


def calls(sandbox, target: str) -> int:
    return sandbox.stats.snapshot()["calls"].get(target, 0)


@pytest.mark.parametrize(("version", "protocol"), PROTOCOLS)
def test_load_refused_once_then_bare_ids_on_every_call(make_sandbox, version, protocol, caplog):
    sandbox = make_sandbox(odoo_version=version, faults="narrow_search_read=res.partner:ResPartner")
    client = client_for(sandbox, protocol)
    with caplog.at_level(logging.INFO, logger="odoo_client"):
        first = client.search_read(
            "res.partner", [], ["country_id", "name"], limit=5, order="id", load=False
        )
        page = client.search_read_page(
            "res.partner", [], ["country_id"], limit=3, order="id", load=False
        )
        second = client.search_read(
            "res.partner", [], ["country_id"], limit=5, order="id", load=False
        )
    # The refused call, its retry without load, then one call each: no call refused twice.
    assert calls(sandbox, "res.partner.search_read") == 4
    notes = [r.getMessage() for r in caplog.records if "does not take the keyword" in r.message]
    assert notes == [
        "res.partner.search_read does not take the keyword 'load' on this server (a narrowed "
        "override of search_read): reading it without, many2one names dropped on our side."
    ]
    with_names = client.search_read("res.partner", [], ["country_id"], limit=5, order="id")
    for rows in (first, page.rows(), second):
        for row, named in zip(rows, with_names, strict=False):
            expected = named["country_id"][0] if named["country_id"] else False
            assert row["country_id"] == expected
    assert all(isinstance(row["name"], str) for row in first)


def test_a_model_taking_the_standard_call_costs_no_extra_call(make_sandbox):
    sandbox = make_sandbox(faults="narrow_search_read=res.partner:ResPartner")
    client = client_for(sandbox, "jsonrpc")
    client.search_read("res.country", [], ["name"], limit=5, load=False)
    assert calls(sandbox, "res.country.search_read") == 1


def test_other_server_errors_are_not_taken_for_a_refused_keyword(make_sandbox):
    sandbox = make_sandbox(faults="narrow_search_read=res.partner:ResPartner")
    client = client_for(sandbox, "jsonrpc")
    with pytest.raises(errors.OdooError):
        client.search_read("res.partner", [["no_such_field", "=", 1]], ["name"], load=False)
    # The keyword was refused first (learned), then the domain error is Odoo's own.
    with pytest.raises(errors.OdooError, match="no_such_field"):
        client.search_read("res.partner", [["no_such_field", "=", 1]], ["name"], load=False)
