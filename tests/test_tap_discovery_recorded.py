"""Discovery against the recorded Odoo 17 answers, served by a small in-memory client.

The recorded ir.model lists 413 models; fields_get was recorded for 25 of them, and those are the
models this fake client lets the user read. Sandbox tests (test_tap_discovery.py) cover the real
protocol path; these pin the rules on real Odoo metadata.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from odoo_client import errors
from tap_odoo.discovery import (
    DISCOVERY_PROPERTIES,
    PROBE_IDS,
    StreamSpec,
    discover,
    referenced_first,
)
from tap_odoo.presets import HOTGLUE_STREAMS

RECORDINGS = Path(__file__).resolve().parent / "recordings" / "odoo17"

IR_MODEL = json.loads((RECORDINGS / "ir.model.search_read.json").read_text())
RECORDED = {
    path.name[len("fields_get.") : -len(".json")]: json.loads(path.read_text())
    for path in RECORDINGS.glob("fields_get.*.json")
}


class RecordedOdoo:
    """Answers ir.model, fields_get and the access check the way the recorded server did."""

    def __init__(self, version=(17, 0), *, methods=("check_access_rights",), latency=0.0):
        self.server_version_info = version
        self.methods = set(methods)
        self.latency = latency
        self.readable = set(RECORDED)
        self.calls: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.rows = [dict(row) for row in IR_MODEL["rows"]]
        self._lock = threading.Lock()

    def _enter(self, model: str, method: str) -> None:
        with self._lock:
            self.calls.append((model, method))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.latency)
        with self._lock:
            self.in_flight -= 1

    def fields_get(self, model, attributes=None):
        self._enter(model, "fields_get")
        if model == "ir.model":
            summary = IR_MODEL["ir.model_fields_get_summary"]
            if "abstract" in self.rows[0]:
                summary = {**summary, "abstract": {"type": "boolean"}}
            return summary
        if model not in RECORDED:  # listed by ir.model, fields not recorded: as if uninstalled
            raise errors.UnknownModelError(f"Object {model} doesn't exist")
        fields = RECORDED[model]
        return {
            name: {k: v for k, v in field.items() if not attributes or k in attributes}
            for name, field in fields.items()
        }

    def search_read(self, model, domain=None, fields=None, **kwargs):
        self._enter(model, "search_read")
        assert model == "ir.model"
        assert domain == []
        unknown = [f for f in fields if f not in self.rows[0]]
        if unknown:
            raise errors.UnknownFieldError(f"Invalid field {unknown[0]!r} on 'ir.model'")
        return [{k: row[k] for k in ["id", *fields]} for row in self.rows]

    repeated_ids: frozenset = frozenset()  # models answering like an SQL report

    def search(self, model, domain=None, limit=None, order=None):
        """Discovery's probe: the recorded models all read (search answered, distinct ids)."""
        self._enter(model, "search")
        assert (domain, limit, order) == ([], PROBE_IDS, "id")
        return [-4, -4, -4, 7] if model in self.repeated_ids else [1, 2, 3]

    def call(self, model, method, *args, **kwargs):
        self._enter(model, method)
        if method not in self.methods:
            raise errors.UnknownMethodError(f"The method '{model}.{method}' does not exist")
        if method == "check_access_rights":
            assert args == ("read",)
            assert kwargs == {"raise_exception": False}
        else:
            assert args == ([], "read")
        return model in self.readable


@pytest.fixture
def logger():
    return logging.getLogger("test_tap_discovery_recorded")


def by_name(specs: list[StreamSpec]) -> dict[str, StreamSpec]:
    return {spec.name: spec for spec in specs}


def stored_non_binary(model: str) -> set[str]:
    """Stored, non-binary fields of the recording."""
    return {
        name
        for name, field in RECORDED[model].items()
        if field.get("store") and field["type"] != "binary"
    }


def non_binary(model: str) -> set[str]:
    """The ground truth of a default schema: every non-binary field of the recording."""
    return {name for name, field in RECORDED[model].items() if field["type"] != "binary"}


def plain_computed(model: str) -> set[str]:
    """Non-binary fields neither stored, related nor company-dependent: never selected by
    default."""
    return {
        name
        for name, field in RECORDED[model].items()
        if field["type"] != "binary"
        and not field.get("store")
        and not field.get("related")
        and not field.get("company_dependent")
    }


def test_one_stream_per_readable_model_with_its_label(logger):
    specs = discover(RecordedOdoo(), {}, logger)
    labels = {row["model"]: row["name"] for row in IR_MODEL["rows"]}
    assert [spec.name for spec in specs] == sorted(m.replace(".", "_") for m in RECORDED)
    for spec in specs:
        assert spec.name == spec.model.replace(".", "_")
        assert spec.description == labels[spec.model]
        assert spec.key_properties == ("id",)
        assert spec.domain == []


def test_schema_holds_every_non_binary_field_and_computed_ones_are_not_selected(logger):
    specs = by_name(discover(RecordedOdoo(), {}, logger))
    for model in RECORDED:
        spec = specs[model.replace(".", "_")]
        assert set(spec.schema["properties"]) == non_binary(model) | {"id"}, model
        assert set(spec.fields) == set(spec.schema["properties"])
        assert spec.unselected >= plain_computed(model), model
        # Stored and company-dependent fields are selected; related ones unless they end in a
        # computed field or go through an x2many (then they are computed too).
        for name in spec.unselected:
            field = RECORDED[model][name]
            assert not field.get("store"), (model, name)
            assert not field.get("company_dependent"), (model, name)
            assert spec.kinds[name].kind == "computed", (model, name)
    kinds = {
        name: {field: kind.kind for field, kind in specs[name].kinds.items()}
        for name in ("product_product", "stock_quant", "res_users", "res_partner")
    }
    product = kinds["product_product"]
    for name in ("name", "list_price", "type", "categ_id", "uom_id", "sale_ok", "seller_ids"):
        assert product[name] == "related", name
    assert product["standard_price"] == "company_dependent"
    for name in ("qty_available", "free_qty", "virtual_available", "lst_price", "display_name"):
        assert product[name] == "computed", name
        assert name in specs["product_product"].unselected
    assert product["location_id"] == "computed"  # related to the template's computed field
    assert kinds["stock_quant"]["warehouse_id"] == "related"
    assert kinds["stock_quant"]["available_quantity"] == "computed"
    assert kinds["res_users"]["name"] == kinds["res_users"]["email"] == "related"  # _inherits
    assert kinds["res_partner"]["credit_limit"] == "company_dependent"
    assert kinds["res_partner"]["activity_summary"] == "computed"  # related through a one2many
    partner = specs["res_partner"]
    assert partner.schema["properties"]["id"]["type"] == "integer"
    assert partner.schema["properties"]["country_id"]["type"] == ["integer", "null"]
    assert partner.fields["country_id"] == {
        "type": "many2one",
        "string": "Country",
        "store": True,
        "searchable": True,
        "relation": "res.country",
        "required": False,
        "readonly": False,
    }
    assert "credit" in partner.unselected  # computed: in the catalog, not selected
    assert "credit_limit" not in partner.unselected  # company-dependent: selected
    assert "image_128" not in partner.fields  # binary


def test_transient_and_unreadable_models_are_left_out_with_one_warning(logger, caplog):
    client = RecordedOdoo()
    with caplog.at_level(logging.INFO, logger=logger.name):
        specs = discover(client, {}, logger)
    models = {spec.model for spec in specs}
    transient = {row["model"] for row in IR_MODEL["rows"] if row["transient"]}
    assert not models & transient
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert message.startswith("Skipping 288 model(s) this user may not read: ")
    assert "mail.thread" in message
    assert "res.partner," not in message
    checked = [model for model, method in client.calls if method == "check_access_rights"]
    assert not set(checked) & transient  # transient models are not even asked about
    described = [model for model, method in client.calls if method == "fields_get"]
    # No fields_get of unreadable models, not even of those related fields go through (such a
    # field, product.product's cost_method through product.category, counts as computed): a
    # full discovery asks nothing more than before.
    assert sorted(described) == sorted(set(RECORDED) | {"ir.model"})


def test_replication_key_is_write_date_unless_forced_full_table(logger):
    specs = by_name(discover(RecordedOdoo(), {"full_sync_streams": ["res_country"]}, logger))
    assert specs["res_partner"].replication_key == "write_date"
    assert specs["res_country"].replication_key is None


def test_model_without_stored_write_date_is_full_table(logger):
    country = dict(RECORDED["res.country"])
    country["write_date"] = {**country["write_date"], "store": False}
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(RECORDED, "res.country", country)
        specs = by_name(discover(RecordedOdoo(), {"models": ["res.country"]}, logger))
    assert specs["res_country"].replication_key is None


def test_globs_include_and_exclude(logger):
    config = {"models": ["res.*", "account.move*"], "exclude_models": ["res.partner.*"]}
    specs = discover(RecordedOdoo(), config, logger)
    assert [spec.name for spec in specs] == [
        "account_move",
        "account_move_line",
        "res_company",
        "res_country",
        "res_currency",
        "res_partner",
        "res_users",
    ]


def test_models_listed_by_name_only_describe_those_and_the_models_their_paths_go_through(
    logger,
):
    client = RecordedOdoo()
    specs = discover(client, {"models": ["res.partner", "sale.order"]}, logger)
    assert [spec.name for spec in specs] == ["res_partner", "sale_order"]
    described = [m for m, method in client.calls if method == "fields_get"]
    checked = [m for m, method in client.calls if method == "check_access_rights"]
    # ... and the models their related fields are read through (res.partner.country_code is
    # country_id.code), in one round after the first; the user must be able to read them
    assert described[:3] == ["ir.model", "res.partner", "sale.order"]
    assert sorted(described[3:]) == ["procurement.group", "res.company", "res.country"]
    assert sorted(checked) == ["res.company", "res.country", "res.partner", "sale.order"]
    full = by_name(discover(RecordedOdoo(), {}, logger))
    for spec in specs:  # the same kinds as when every model is described
        assert spec.kinds == full[spec.name].kinds


def test_a_glob_matching_nothing_is_reported(logger, caplog):
    with caplog.at_level(logging.WARNING, logger=logger.name):
        specs = discover(RecordedOdoo(), {"models": ["res.partner", "no.such.*"]}, logger)
    assert [spec.name for spec in specs] == ["res_partner"]
    assert "No model matches: no.such.*." in caplog.text


def test_include_computed_fields_and_binary_fields(logger):
    config = {
        "models": ["res.partner"],
        "include_computed_fields": True,
        "binary_fields": ["res.partner.image_128"],
    }
    partner = discover(RecordedOdoo(), config, logger)[0]
    fields = RECORDED["res.partner"]
    assert set(partner.fields) == non_binary("res.partner") | {"image_128"}
    assert partner.unselected == frozenset()  # every computed field selected
    assert partner.schema["properties"]["image_128"]["type"] == ["string", "null"]
    everything = discover(
        RecordedOdoo(), {"models": ["res.partner"], "binary_fields": ["*"]}, logger
    )[0]
    binary = {n for n, f in fields.items() if f["type"] == "binary"}
    computed_binary = {n for n in binary if not fields[n]["store"]}
    assert set(everything.fields) == non_binary("res.partner") | binary
    assert (
        everything.unselected - computed_binary
        == discover(RecordedOdoo(), {"models": ["res.partner"]}, logger)[0].unselected
    )
    assert computed_binary <= everything.unselected
    exact = discover(
        RecordedOdoo(),
        {"models": ["res.partner"], "binary_fields": ["res.partner.avatar_128"]},
        logger,
    )[0]
    assert "avatar_128" in exact.fields  # computed, but named: selected
    assert "avatar_128" not in exact.unselected


def test_relation_names_add_a_name_property_per_many2one(logger):
    config = {"models": ["purchase.order"], "relation_names": True}
    order = discover(RecordedOdoo(), config, logger)[0]
    many2one = {
        n
        for n in non_binary("purchase.order")
        if RECORDED["purchase.order"][n]["type"] == "many2one"
    }
    derived = {name for name in order.schema["properties"] if name not in order.fields}
    assert derived == {f"{name}_name" for name in many2one}
    assert order.schema["properties"]["partner_id_name"] == {
        "type": ["string", "null"],
        "description": "Vendor (display name)",
    }


def test_ignore_fields(logger):
    config = {"models": ["res.partner"], "ignore_fields": {"res.partner": ["email", "phone"]}}
    partner = discover(RecordedOdoo(), config, logger)[0]
    assert set(partner.fields) == non_binary("res.partner") - {"email", "phone"}


def test_named_stream_narrows_model_and_fields(logger):
    config = {
        "models": [],
        "streams": [
            {
                "name": "customers",
                "model": "res.partner",
                "domain": [["customer_rank", ">", 0]],
                "fields": ["name", "email"],
            }
        ],
    }
    specs = discover(RecordedOdoo(), config, logger)
    assert len(specs) == 1
    customers = specs[0]
    assert (customers.name, customers.model) == ("customers", "res.partner")
    assert customers.domain == [["customer_rank", ">", 0]]
    assert list(customers.fields) == ["id", "email", "name", "write_date"]
    assert customers.replication_key == "write_date"
    assert customers.description == "Contact"


def test_named_streams_come_on_top_of_model_streams(logger):
    config = {"models": ["res.country"], "streams": [{"name": "vendors", "model": "res.partner"}]}
    specs = by_name(discover(RecordedOdoo(), config, logger))
    assert sorted(specs) == ["res_country", "vendors"]
    assert set(specs["vendors"].fields) == non_binary("res.partner")


def test_named_stream_with_unknown_fields_names_them_and_the_model(logger):
    config = {
        "models": [],
        "streams": [{"name": "c", "model": "res.partner", "fields": ["name", "nope", "x_gone"]}],
    }
    with pytest.raises(errors.ConfigurationError) as caught:
        discover(RecordedOdoo(), config, logger)
    message = str(caught.value)
    assert "'nope', 'x_gone'" in message
    assert "res.partner" in message
    assert "'name'" not in message


def test_named_stream_on_a_missing_model_is_a_configuration_error(logger):
    config = {"streams": [{"name": "boms", "model": "mrp.bom"}]}
    with pytest.raises(errors.ConfigurationError, match=r"boms \(mrp\.bom\)"):
        discover(RecordedOdoo(), config, logger)


def test_named_stream_replication_key_must_be_a_stored_date(logger):
    config = {
        "models": [],
        "streams": [{"name": "c", "model": "res.partner", "replication_key": "name"}],
    }
    with pytest.raises(errors.ConfigurationError, match="replication_key 'name'"):
        discover(RecordedOdoo(), config, logger)
    config["streams"][0]["replication_key"] = "create_date"
    assert discover(RecordedOdoo(), config, logger)[0].replication_key == "create_date"


def test_hotglue_preset_leaves_out_apps_not_installed_with_one_note(logger, caplog):
    with caplog.at_level(logging.INFO, logger=logger.name):
        specs = by_name(
            discover(RecordedOdoo(), {"use_hotglue_streams": True, "models": []}, logger)
        )
    installed = [p.name for p in HOTGLUE_STREAMS if p.model in RECORDED]
    assert sorted(specs) == sorted(installed)
    assert "bom" not in specs
    assert specs["customers"].model == "res.partner"
    assert specs["customers"].domain == [["customer_rank", ">", 0]]
    assert specs["invoices_bills"].model == "account.move"
    assert specs["invoice_lines_all"].model == "account.move.line"
    notes = [r.getMessage() for r in caplog.records if "not installed" in r.getMessage()]
    assert notes == [
        "Preset streams left out because their app is not installed: bom, bom_lines, "
        "sell_orders_pos, sell_orders_pos_lines."
    ]


def test_a_user_stream_overrides_the_preset_of_the_same_name(logger):
    config = {
        "models": [],
        "use_hotglue_streams": True,
        "streams": [{"name": "customers", "model": "res.partner", "domain": [["id", "=", 1]]}],
    }
    specs = by_name(discover(RecordedOdoo(), config, logger))
    assert specs["customers"].domain == [["id", "=", 1]]


def test_abstract_models_are_dropped_when_ir_model_has_the_field(logger):
    client = RecordedOdoo()
    for row in client.rows:
        row["abstract"] = row["model"] == "res.country"
    client.readable.add("res.country")
    specs = by_name(discover(client, {"models": ["res.*"]}, logger))
    assert "res_country" not in specs
    assert "res_partner" in specs


@pytest.mark.parametrize(
    ("version", "methods", "expected_method"),
    [
        ((17, 0), ("check_access_rights",), "check_access_rights"),
        ((19, 0), ("has_access",), "has_access"),
        ((19, 0), ("check_access_rights",), "check_access_rights"),  # falls back once
        ((16, 0), ("has_access",), "has_access"),
    ],
)
def test_read_access_is_checked_with_the_method_the_server_has(
    logger, version, methods, expected_method
):
    client = RecordedOdoo(version, methods=methods)
    specs = discover(client, {"models": ["res.*", "mail.thread"]}, logger)
    assert [spec.name for spec in specs] == [
        "res_company",
        "res_country",
        "res_currency",
        "res_partner",
        "res_partner_category",
        "res_users",
    ]
    candidates = [
        row["model"]
        for row in IR_MODEL["rows"]
        if not row["transient"]
        and (row["model"].startswith("res.") or row["model"] == "mail.thread")
    ]
    asked = [
        method for _model, method in client.calls if method not in ("fields_get", "search_read")
    ]
    other = ({"has_access", "check_access_rights"} - {expected_method}).pop()
    # Every candidate, and the models res.company's related fields go through (account.move for
    # account_opening_date, ...) before they are classified
    through = {model for model, method in client.calls if method == expected_method}
    through -= set(candidates)
    assert through == {"account.move"}  # recorded; mail.alias.domain is not (fields_get fails)
    assert asked.count(expected_method) == len(candidates) + len(through)
    first_tried = "has_access" if version[0] >= 18 else "check_access_rights"
    # Tried once by each of the two checkers (the models' and the related paths'), then never
    assert asked.count(other) == (2 if other == first_tried else 0)


def test_default_pool_has_six_threads(logger):
    client = RecordedOdoo(latency=0.01)
    discover(client, {}, logger)
    assert client.most_in_flight == 6


def test_calls_run_on_a_bounded_pool(logger):
    client = RecordedOdoo(latency=0.01)
    started = time.monotonic()
    discover(client, {"max_parallel_requests": 3}, logger)
    elapsed = time.monotonic() - started
    assert client.most_in_flight == 3
    sequential = len(client.calls) * 0.01
    assert elapsed < sequential / 2


def test_settings_are_declared_with_title_and_description():
    names = [prop.name for prop in DISCOVERY_PROPERTIES]
    assert names == [
        "models",
        "exclude_models",
        "streams",
        "use_hotglue_streams",
        "hotglue_warehouse_ids",
        "hotglue_all_sell_orders",
        "include_computed_fields",
        "binary_fields",
        "full_sync_streams",
        "relation_names",
        "max_parallel_requests",
        "ignore_fields",
    ]
    for prop in DISCOVERY_PROPERTIES:
        schema = prop.to_dict()[prop.name]
        assert schema.get("title"), prop.name
        assert schema.get("description"), prop.name


def test_named_stream_fields_may_name_computed_and_binary_fields(logger):
    config = {
        "models": [],
        "streams": [{"name": "c", "model": "res.partner", "fields": ["credit", "image_128"]}],
    }
    spec = discover(RecordedOdoo(), config, logger)[0]
    assert list(spec.fields) == ["id", "credit", "image_128", "write_date"]
    assert spec.schema["properties"]["credit"]["type"] == ["number", "null"]


def test_list_settings_given_as_json_text(logger):
    config = {
        "models": '["res.partner", "res.country"]',
        "exclude_models": "res.country",
        "streams": '[{"name": "c", "model": "res.currency", "fields": ["name"]}]',
        "ignore_fields": '{"res.partner": ["email"]}',
    }
    specs = by_name(discover(RecordedOdoo(), config, logger))
    assert sorted(specs) == ["c", "res_partner"]
    assert "email" not in specs["res_partner"].fields


def test_two_models_with_one_stream_name_keep_the_first_with_a_warning(logger, caplog):
    client = RecordedOdoo()
    client.rows.append({"id": 9999, "model": "res_partner", "name": "Clash", "transient": False})
    clash = dict(RECORDED["res.country"])
    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.WARNING, logger.name):
        patch.setitem(RECORDED, "res_partner", clash)
        client.readable.add("res_partner")
        specs = by_name(discover(client, {"models": ["res?partner"]}, logger))
    assert specs["res_partner"].model == "res.partner"
    assert "both make stream 'res_partner'" in caplog.text


class FailingFieldsGet(RecordedOdoo):
    """fields_get fails on two models: one with a server error, one with an access error."""

    def fields_get(self, model, attributes=None):
        if model == "res.country":
            raise errors.ServerError("KeyError: 'broken_compute'")
        if model == "res.currency":
            raise errors.AccessDeniedError("You are not allowed to access 'Currency'")
        return super().fields_get(model, attributes)


def test_a_model_whose_fields_get_fails_is_skipped_with_a_warning(logger, caplog):
    with caplog.at_level(logging.WARNING, logger=logger.name):
        specs = discover(FailingFieldsGet(), {"models": ["res.c*", "res.partner"]}, logger)
    assert [spec.name for spec in specs] == ["res_company", "res_partner"]
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "the server fails to read" in m
        and "res.country (fields_get: KeyError: 'broken_compute')" in m
        for m in messages
    )
    assert any("may not read" in m and "res.currency" in m for m in messages)


def test_company_field_is_found_stored_or_related(logger):
    specs = by_name(discover(RecordedOdoo(), {}, logger))
    assert specs["res_partner"].company_field == "company_id"  # stored
    assert specs["product_product"].company_field == "company_id"  # related, not stored
    assert specs["product_product"].kinds["company_id"].kind == "related"
    assert specs["res_country"].company_field is None


def test_streams_come_after_the_streams_they_point_to(logger):
    specs = discover(
        RecordedOdoo(),
        {"models": ["res.partner", "account.move", "account.move.line", "res.country"]},
        logger,
    )
    order = [spec.name for spec in referenced_first(specs)]
    assert sorted(order) == sorted(spec.name for spec in specs)
    assert order.index("res_country") < order.index("res_partner")
    assert order.index("res_partner") < order.index("account_move")
    assert order.index("account_move") < order.index("account_move_line")


def test_a_reference_cycle_is_broken_not_dropped():
    def spec(name: str, *relations: str) -> StreamSpec:
        fields = {f"f{i}": {"type": "many2one", "relation": r} for i, r in enumerate(relations)}
        return StreamSpec(name.replace(".", "_"), name, {}, fields, [], None, name)

    specs = [spec("b.b", "a.a"), spec("a.a", "b.b", "c.c"), spec("c.c"), spec("d.d", "b.b")]
    order = [s.model for s in referenced_first(specs)]
    assert order[0] == "c.c"  # refers to nothing
    assert order.index("b.b") < order.index("d.d")
    assert sorted(order) == ["a.a", "b.b", "c.c", "d.d"]


def test_a_model_whose_ids_repeat_is_left_out_naming_the_id(logger, caplog):
    odoo = RecordedOdoo()
    odoo.repeated_ids = frozenset({"res.country"})
    with caplog.at_level(logging.WARNING, logger=logger.name):
        specs = discover(odoo, {"models": ["res.country", "res.partner"]}, logger)
    assert [spec.name for spec in specs] == ["res_partner"]
    assert "res.country (search: ids are not unique (an SQL report: id -4 repeats))" in caplog.text
