"""Discovery against the sandbox, over the real client and protocols.

Ground truth: the recorded Odoo 17 `fields_get` answers (../shared/odoo17), the sandbox's own
model registry (which models are transient, abstract, readable) and its call counters.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from odoo_client import ConnectionSettings, OdooClient, errors
from tap_odoo.discovery import FIELD_ATTRIBUTES, StreamSpec, discover
from tap_odoo.schema import field_schema

RECORDINGS = Path(__file__).resolve().parent / "recordings" / "odoo17"
RECORDED_MODELS = sorted(
    path.name[len("fields_get.") : -len(".json")] for path in RECORDINGS.glob("fields_get.*.json")
)
TRANSIENT = ["base.language.install", "account.payment.register", "res.config.settings"]
ABSTRACT = ["mail.thread", "mail.activity.mixin"]
CUSTOM_FIELDS = ["x_studio_customer_code", "x_loyalty_tier"]
LOGGER = logging.getLogger("test_tap_discovery")

# The hotglue preset's streams on the sandbox (no Manufacturing, no Point of Sale).
PRESET_STREAMS = [
    "accounts",
    "companies",
    "customers",
    "invoice_bill_lines",
    "invoice_lines_all",
    "invoices_bills",
    "location",
    "product_suppliers",
    "products",
    "purchase_order_lines",
    "purchase_orders",
    "sale_order_line",
    "sale_orders",
    "stock",
    "suppliers",
    "users",
    "warehouse",
]


def client_for(sandbox, login: str = "admin", **settings) -> OdooClient:
    user = sandbox.users[login]
    config = {**sandbox.settings, "username": login, "password": user["password"], **settings}
    return OdooClient(ConnectionSettings.from_config(config))


def access_checks(calls: dict[str, int]) -> dict[str, int]:
    """The read-access checks among a sandbox's call counters."""
    return {k: n for k, n in calls.items() if k.endswith((".has_access", ".check_access_rights"))}


def by_name(specs: list[StreamSpec]) -> dict[str, StreamSpec]:
    return {spec.name: spec for spec in specs}


def recorded_fields(model: str) -> dict[str, dict]:
    return json.loads((RECORDINGS / f"fields_get.{model}.json").read_text())


def expected_properties(model: str) -> dict[str, dict]:
    """What the schema of a recorded model must be: its non-binary fields, mapped."""
    return {
        name: field_schema(name, field)
        for name, field in recorded_fields(model).items()
        if field["type"] != "binary"
    }


@pytest.fixture(scope="module")
def admin_catalog(sandbox) -> dict[str, StreamSpec]:
    return by_name(discover(client_for(sandbox), {}, LOGGER))


def test_recorded_models_have_their_recorded_fields_and_types(admin_catalog):
    assert len(RECORDED_MODELS) == 25
    for model in RECORDED_MODELS:
        spec = admin_catalog[model.replace(".", "_")]
        assert spec.model == model
        properties = dict(spec.schema["properties"])
        if model == "res.partner":
            for name in CUSTOM_FIELDS:
                properties.pop(name)
        assert properties == expected_properties(model), model
        assert spec.replication_key == "write_date", model
        assert spec.key_properties == ("id",)


def test_transient_abstract_and_unreadable_models_are_absent(admin_catalog):
    models = {spec.model for spec in admin_catalog.values()}
    assert not models & set(TRANSIENT)
    assert not models & set(ABSTRACT)


def test_a_report_model_without_write_date_is_full_table(admin_catalog):
    report = admin_catalog["account_invoice_report"]
    assert report.replication_key is None
    assert "write_date" not in report.fields
    assert report.description == "Invoices Statistics"


def test_studio_fields_are_in_the_catalog(admin_catalog):
    properties = admin_catalog["res_partner"].schema["properties"]
    assert properties["x_studio_customer_code"] == {
        "type": ["string", "null"],
        "description": "Customer Code.",
    }
    assert properties["x_loyalty_tier"] == {
        "type": ["string", "null"],
        "description": "Loyalty Tier. Values: bronze (Bronze), silver (Silver), gold (Gold).",
    }


def test_only_the_needed_attributes_are_kept(admin_catalog):
    for spec in admin_catalog.values():
        for field in spec.fields.values():
            assert set(field) <= set(FIELD_ATTRIBUTES)


def test_calls_one_fields_get_per_readable_model(sandbox):
    sandbox.stats.reset()
    specs = discover(client_for(sandbox), {"models": ["res.*", "mail.*", "account.*"]}, LOGGER)
    calls = sandbox.stats.snapshot()["calls"]
    described = {k[: -len(".fields_get")] for k in calls if k.endswith(".fields_get")}
    streams = {spec.model for spec in specs}
    # The streams' models, and those their related fields are read through (product.product
    # for account.move.line's product_uom_category_id, ...; models the sandbox lacks, such as
    # mail.alias, answer an error): each once.
    through = described - streams - {"ir.model"}
    assert {"product.product", "product.template", "uom.uom"} <= through
    # Described, then left out: a model whose probe fails (recorded on real Odoo 17).
    assert "res.users.apikeys.show" in through
    assert all(count == 1 for key, count in calls.items() if key.endswith(".fields_get"))
    probed = {k[: -len(".search")] for k, n in calls.items() if k.endswith(".search") and n == 1}
    assert streams | {"res.users.apikeys.show"} <= probed  # one probe per model of the catalog
    checks = access_checks(calls)
    checked = sorted(k.rsplit(".", 1)[0] for k in checks)
    assert "mail.thread" in checked  # asked, and refused
    assert not set(checked) & set(TRANSIENT)  # never asked
    # Odoo 17 has no has_access: the tap asks check_access_rights only, once per model.
    assert all(key.endswith(".check_access_rights") for key in checks)
    assert set(checks.values()) == {1}


def test_restricted_user_gets_a_smaller_catalog_and_one_warning(sandbox, admin_catalog, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        specs = by_name(discover(client_for(sandbox, "demo"), {}, LOGGER))
    assert set(specs) < set(admin_catalog)
    denied = ("account_", "purchase_", "sale_", "stock_")
    assert not [name for name in specs if name.startswith(denied)]
    assert "res_partner" in specs
    # Stored fields behind a group the restricted user lacks (base.group_erp_manager):
    behind_group = {"signup_type", "signup_expiration"}
    assert behind_group <= set(admin_catalog["res_partner"].fields)
    assert not behind_group & set(specs["res_partner"].fields)
    warnings = [r.getMessage() for r in caplog.records if "may not read" in r.getMessage()]
    assert len(warnings) == 1
    assert "account.move" in warnings[0]
    assert "sale.order" in warnings[0]


def test_globs_and_named_streams(sandbox):
    config = {
        "models": ["res.partner*", "account.move*"],
        "exclude_models": ["account.move.line"],
        "streams": [
            {
                "name": "customers",
                "model": "res.partner",
                "domain": [["customer_rank", ">", 0]],
                "fields": ["name", "x_loyalty_tier"],
            }
        ],
    }
    specs = by_name(discover(client_for(sandbox), config, LOGGER))
    assert sorted(specs) == ["account_move", "customers", "res_partner", "res_partner_category"]
    customers = specs["customers"]
    assert customers.model == "res.partner"
    assert list(customers.schema["properties"]) == ["id", "name", "write_date", "x_loyalty_tier"]
    assert customers.domain == [["customer_rank", ">", 0]]


def test_named_stream_with_an_unknown_field(sandbox):
    config = {"models": [], "streams": [{"name": "c", "model": "res.partner", "fields": ["zz"]}]}
    with pytest.raises(errors.ConfigurationError, match=r"'res\.partner' has no field\(s\) 'zz'"):
        discover(client_for(sandbox), config, LOGGER)


def test_hotglue_preset_on_the_sandbox(sandbox, caplog):
    config = {"models": [], "use_hotglue_streams": True, "full_sync_streams": ["stock"]}
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        specs = by_name(discover(client_for(sandbox), config, LOGGER))
    assert sorted(specs) == PRESET_STREAMS
    assert specs["stock"].replication_key is None
    assert specs["customers"].replication_key == "write_date"
    assert specs["products"].replication_key is None  # stock levels: read in full
    assert "bom, bom_lines, sell_orders_pos, sell_orders_pos_lines" in caplog.text


def test_odoo_19_over_json2(sandbox19):
    client = client_for(sandbox19, password=sandbox19.settings["api_key"], protocol="json2")
    sandbox19.stats.reset()
    specs = by_name(discover(client, {"models": ["res.partner", "mail.*", "account.move"]}, LOGGER))
    assert sorted(specs) == ["account_move", "res_partner"]
    calls = sandbox19.stats.snapshot()["calls"]
    # ir.model has `abstract` on 19: the mixins are dropped before any access check.
    assert not [key for key in calls if key.startswith("mail.")]
    # On 18+ read access is asked with has_access, once per model (the streams' and those their
    # related fields go through: res.company, res.country, ...); check_access_rights never.
    checks = access_checks(calls)
    assert {"account.move.has_access", "res.partner.has_access"} <= set(checks)
    assert {"res.company.has_access", "res.country.has_access"} <= set(checks)
    assert all(key.endswith(".has_access") and n == 1 for key, n in checks.items())
    partner_id = specs["res_partner"].schema["properties"]["id"]
    assert partner_id == {"type": "integer", "description": "ID."}


def test_odoo_18_checks_access_with_has_access(make_sandbox):
    sandbox18 = make_sandbox(odoo_version=18)
    client = client_for(sandbox18, "demo")
    specs = by_name(discover(client, {"models": ["res.partner", "account.move", "mail.*"]}, LOGGER))
    assert sorted(specs) == ["res_partner"]  # account.move refused to demo, mixins abstract
    checks = access_checks(sandbox18.stats.snapshot()["calls"])
    assert checks
    assert all(key.endswith(".has_access") for key in checks)
    assert checks["account.move.has_access"] == 1


class _ClaimsOdoo18(OdooClient):
    """A client that takes the server for Odoo 18 (as a wrong or missing version would)."""

    @property
    def server_version_info(self) -> tuple:
        return (18, 0, 0, "final", 0, "")


def test_a_server_without_has_access_falls_back_to_check_access_rights(sandbox):
    # Odoo 17 has no has_access: asked first (the version suggests 18), it fails once with
    # AttributeError, then check_access_rights answers that model and every later one.
    user = sandbox.users["admin"]
    config = {**sandbox.settings, "password": user["password"]}
    client = _ClaimsOdoo18(ConnectionSettings.from_config(config))
    sandbox.stats.reset()
    specs = by_name(discover(client, {"models": ["res.partner", "account.move"]}, LOGGER))
    assert sorted(specs) == ["account_move", "res_partner"]
    checks = access_checks(sandbox.stats.snapshot()["calls"])
    # Tried once by each checker: the streams' models', and the one for the models their
    # related fields go through (res.company, res.country, ...), each asked once.
    assert sum(n for k, n in checks.items() if k.endswith(".has_access")) == 2
    rights = {k: n for k, n in checks.items() if k.endswith(".check_access_rights")}
    assert {"res.partner.check_access_rights", "account.move.check_access_rights"} < set(rights)
    assert set(rights.values()) == {1}
