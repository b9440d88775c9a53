"""tap-odoo as a least-privilege integration user (no Settings, no Access Rights: ir.model is
closed to it). The catalog comes from what Odoo offers that user, with the same streams, schemas
and rules as the administrator's for the models both may read; a given catalog needs no model
list at all. Ground truth: the sandbox's registry, its call counters and its rows."""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path

import pytest
from singer_run import discover as discover_cli
from singer_run import parse_messages, run_tap, tap_command
from test_tap_discovery import (
    ABSTRACT,
    PRESET_STREAMS,
    TRANSIENT,
    access_checks,
    by_name,
    client_for,
)
from test_tap_sync import ground_truth, tap_config

from odoo_client import errors
from tap_odoo.discovery import discover

LOGGER = logging.getLogger("test_tap_least_privilege")
CLOSED = {"ir.model", "ir.model.fields", "ir.model.data"}


def offered(sandbox) -> set[str]:
    """The models the sandbox offers the integration user (its get_available_models)."""
    engine = sandbox.engine
    uid = engine.users["integration"]["uid"]
    rows = engine.execute(uid, "ir.model", "get_available_models", [], {})
    return {row["model"] for row in rows}


def catalog_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Catalog: ")]


@pytest.fixture(scope="module")
def catalogs(sandbox):
    """(admin's specs, integration user's specs) by stream name, default settings."""
    admin = by_name(discover(client_for(sandbox), {}, LOGGER))
    integration = by_name(discover(client_for(sandbox, "integration"), {}, LOGGER))
    return admin, integration


def test_the_same_streams_and_schemas_as_the_admin_for_the_models_both_read(sandbox, catalogs):
    admin, integration = catalogs
    models = sandbox.engine.models
    assert set(integration) == {
        name for name, spec in admin.items() if spec.model in offered(sandbox)
    }
    assert {"res_partner", "account_move", "purchase_order", "account_invoice_report"} <= set(
        integration
    )
    for name, spec in integration.items():
        theirs = admin[name]
        same = ("model", "description", "replication_key", "key_properties", "domain")
        assert [getattr(spec, a) for a in same] == [getattr(theirs, a) for a in same], name
        assert spec.company_field == theirs.company_field, name
        properties = spec.schema["properties"]
        assert properties == {
            k: v for k, v in theirs.schema["properties"].items() if k in properties
        }
        # Only fields behind a group the user lacks are missing (fields_get leaves them out).
        hidden = set(theirs.fields) - set(spec.fields)
        assert all(models[spec.model].fields[f].groups for f in hidden), (name, hidden)
    assert {"signup_type", "signup_expiration"} <= set(admin["res_partner"].fields) - set(
        integration["res_partner"].fields
    )


def test_wizards_mixins_and_the_closed_models_stay_out(sandbox, catalogs):
    _, integration = catalogs
    models = {spec.model for spec in integration.values()}
    assert not models & (set(TRANSIENT) | set(ABSTRACT) | CLOSED)
    # The user may open account.payment.register (a wizard of its Billing group): still out.
    engine = sandbox.engine
    uid = engine.users["integration"]["uid"]
    wizard = engine.execute(
        uid, "account.payment.register", "check_access_rights", ["read"], {"raise_exception": False}
    )
    assert wizard is True
    assert "account_payment_register" not in integration


def test_the_log_says_once_how_the_catalog_was_built_and_nothing_about_rights(sandbox, caplog):
    for login, start in (
        ("admin", "Catalog: models from ir.model ("),
        ("integration", "Catalog: models from ir.model.get_available_models ("),
    ):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger=LOGGER.name):
            discover(client_for(sandbox, login), {"models": ["res.partner"]}, LOGGER)
        messages = catalog_messages(caplog)
        assert len(messages) == 1, messages
        assert messages[0].startswith(start)
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_one_refused_ir_model_read_one_list_then_as_usual(sandbox):
    sandbox.stats.reset()
    specs = discover(client_for(sandbox, "integration"), {"models": ["res.*", "account.*"]}, LOGGER)
    calls = sandbox.stats.snapshot()["calls"]
    assert calls["ir.model.search_read"] == 1  # refused (AccessError): the only try
    assert calls["ir.model.get_available_models"] == 1
    described = {k[: -len(".fields_get")] for k in calls if k.endswith(".fields_get")}
    # The streams' models, and those their related fields are read through: each once.
    assert {spec.model for spec in specs} | {"ir.model"} <= described
    assert all(count == 1 for key, count in calls.items() if key.endswith(".fields_get"))
    assert set(access_checks(calls).values()) == {1}  # one access check per model, as for admin


def test_explicit_models_and_named_streams_meet_the_admins_rules(sandbox, caplog):
    config = {
        "models": ["res.partner", "account.move*", "ir.model.data"],
        "streams": [{"name": "vendors", "model": "res.partner"}],
    }
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        specs = by_name(discover(client_for(sandbox, "integration"), config, LOGGER))
    assert sorted(specs) == ["account_move", "account_move_line", "res_partner", "vendors"]
    # A model named without globs that it may not read: the usual warning, as for any user.
    warnings = [r.getMessage() for r in caplog.records if r.name == LOGGER.name]
    assert warnings == ["Skipping 1 model(s) this user may not read: ir.model.data."]
    missing = {"models": [], "streams": [{"name": "boms", "model": "mrp.bom"}]}
    with pytest.raises(errors.ConfigurationError, match=r"boms \(mrp\.bom\)"):
        discover(client_for(sandbox, "integration"), missing, LOGGER)


def test_the_hotglue_preset_as_the_integration_user(sandbox, caplog):
    config = {"models": [], "use_hotglue_streams": True}
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        specs = by_name(discover(client_for(sandbox, "integration"), config, LOGGER))
    assert sorted(specs) == PRESET_STREAMS
    left_out = "bom, bom_lines, sell_orders_pos, sell_orders_pos_lines"
    assert f"Preset streams left out because their app is not installed: {left_out}." in (
        caplog.text
    )


def test_a_given_catalog_needs_no_model_list(sandbox, odoo_user):
    client = client_for(sandbox, odoo_user)
    config = {"models": ["account.move", "res.partner"], "exclude_models": []}
    sandbox.stats.reset()
    specs = by_name(discover(client, config, LOGGER, required=["account.move", "res.partner"]))
    calls = sandbox.stats.snapshot()["calls"]
    assert sorted(specs) == ["account_move", "res_partner"]
    assert specs["res_partner"].description == "Contact"
    assert not [key for key in calls if key.startswith("ir.model.") and "display_name" not in key]
    assert calls["ir.model.display_name_for"] == 1
    with pytest.raises(errors.UnknownModelError, match=r"does not have .*: mrp\.bom"):
        discover(
            client, {"models": ["mrp.bom"], "exclude_models": []}, LOGGER, required=["mrp.bom"]
        )


def test_a_catalog_selecting_a_closed_model_stops_as_for_any_model(sandbox):
    client = client_for(sandbox, "integration")
    config = {"models": ["ir.model.data"], "exclude_models": []}
    with pytest.raises(errors.AccessDeniedError, match=r"may not read: ir\.model\.data"):
        discover(client, config, LOGGER, required=["ir.model.data"])


def test_odoo_19_over_json2_with_an_api_key(sandbox19):
    user = sandbox19.users["integration"]
    client = client_for(sandbox19, "integration", password=user["api_key"], protocol="json2")
    sandbox19.stats.reset()
    specs = by_name(discover(client, {"models": ["res.partner", "mail.*", "account.move"]}, LOGGER))
    assert sorted(specs) == ["account_move", "res_partner"]
    calls = sandbox19.stats.snapshot()["calls"]
    assert calls["ir.model.get_available_models"] == 1
    checks = access_checks(calls)
    # The streams' models, and those their related fields go through: each asked once.
    assert {"account.move.has_access", "res.partner.has_access"} <= set(checks)
    assert set(checks.values()) == {1}


class _Odoo16WithoutIrModel:
    """Just enough of a client: Odoo 16, ir.model refused, the model selector listing a wizard."""

    server_version_info = (16, 0, 0, "final", 0, "")

    def __init__(self, selector: bool = True) -> None:
        self.selector = selector

    def fields_get(self, model, attributes=None):
        if model == "ir.model":
            return {"model": {"type": "char"}, "transient": {"type": "boolean"}}
        return {"id": {"type": "integer", "store": True}, "name": {"type": "char", "store": True}}

    def search_read(self, model, domain, fields, **kwargs):
        raise errors.AccessDeniedError("refused", operation="read", model=model)

    def search(self, model, domain, limit=None, order=None):
        return [1]

    def call(self, model, method, *args, **kwargs):
        if method == "get_available_models" and self.selector:
            return [
                {"model": "res.partner", "display_name": "Contact"},
                {"model": "account.payment.register", "display_name": "Register Payment"},
            ]
        if method == "check_access_rights":
            return True
        raise errors.UnknownMethodError(f"The method '{model}.{method}' does not exist")


def test_odoo_16_lists_wizards_in_the_selector_and_the_log_says_so(caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        specs = by_name(discover(_Odoo16WithoutIrModel(), {}, LOGGER))
    assert sorted(specs) == ["account_payment_register", "res_partner"]
    (message,) = catalog_messages(caplog)
    assert "Odoo 16 lists the wizard (transient) models" in message
    assert "exclude_models" in message


def test_no_model_selector_and_no_ir_model_is_one_clear_access_error():
    with pytest.raises(errors.AccessDeniedError, match="'Access Rights' group"):
        discover(_Odoo16WithoutIrModel(selector=False), {}, LOGGER)


# The real command, as each user


def rows(sandbox, model: str, domain: list) -> set[int]:
    """Ids of the rows a domain holds (archived included), read as the admin."""
    engine = sandbox.engine
    found = engine.execute(
        engine.users["admin"]["uid"], model, "search", [domain], {"context": {"active_test": False}}
    )
    return set(found)


@pytest.mark.e2e
def test_discover_then_sync_the_preset_and_a_model_list(sandbox, odoo_user):
    preset = tap_config(sandbox, odoo_user, models=[], use_hotglue_streams=True)
    output = run_tap(preset)
    assert sorted(output.schemas) == PRESET_STREAMS
    assert set(output.ids("customers")) == rows(sandbox, "res.partner", [["customer_rank", ">", 0]])
    moves = [["move_type", "in", ["out_invoice", "out_refund", "in_invoice", "in_refund"]]]
    assert set(output.ids("invoices_bills")) == rows(sandbox, "account.move", moves)
    assert set(output.ids("purchase_orders")) == set(ground_truth(sandbox, "purchase.order"))

    models = ["res.partner", "account.move", "purchase.order.line"]
    config = tap_config(sandbox, odoo_user, models=models)
    catalog = discover_cli(config)  # what meltano does first, then it passes the catalog
    sandbox.stats.reset()
    with tempfile.TemporaryDirectory() as directory:
        command = tap_command(config, Path(directory), catalog, None)
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    output = parse_messages(done.stdout, type(output)())
    for model in models:
        assert set(output.ids(model.replace(".", "_"))) == set(ground_truth(sandbox, model))
    calls = sandbox.stats.snapshot()["calls"]
    assert not [key for key in calls if key.startswith(("ir.model.search", "ir.model.get_"))]
