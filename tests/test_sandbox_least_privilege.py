"""The sandbox's least-privilege integration user answers as the recorded `lab_integration` did
(recordings/odoo17/least_privilege.json, recordings/odoo19/least_privilege.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_sandbox import OdooServerException

RECORDINGS = Path(__file__).resolve().parent / "recordings"
RECORDED = {
    version: json.loads((RECORDINGS / f"odoo{version}" / "least_privilege.json").read_text())
    for version in (17, 19)
}


@pytest.fixture(params=[17, 19], ids=["odoo17", "odoo19"])
def shared(request, sandbox, sandbox19):
    """(recorded answers, sandbox) for one version."""
    return RECORDED[request.param], {17: sandbox, 19: sandbox19}[request.param]


def as_integration(sandbox, model: str, method: str, *args, **kwargs):
    engine = sandbox.engine
    return engine.execute(engine.users["integration"]["uid"], model, method, list(args), kwargs)


def test_the_closed_models_answer_the_recorded_errors_over_json_rpc(shared, wire):
    recorded, sandbox = shared
    client = wire(sandbox, "integration")
    calls = {
        "ir.model.search_read": ("ir.model", "search_read", [[]], {"fields": ["model"]}),
        "ir.model.fields.search_read": ("ir.model.fields", "search_read", [[]], {"limit": 1}),
        "ir.model.data.search_read": ("ir.model.data", "search_read", [[]], {"limit": 1}),
        "ir.model.data.create": (
            "ir.model.data",
            "create",
            [{"module": "singer", "name": "x", "model": "res.partner", "res_id": 1}],
            None,
        ),
    }
    for key, (model, method, args, kwargs) in calls.items():
        error = client.execute_kw(model, method, args, kwargs)["error"]
        expected = recorded[key]["error"]
        assert error["code"] == expected["code"], key
        for part in ("name", "message", "arguments"):
            assert error["data"][part] == expected["data"][part], (key, part)


def test_the_model_selector_lists_what_was_recorded(shared):
    recorded, sandbox = shared
    listed = as_integration(sandbox, "ir.model", "get_available_models")
    recorded_models = {row["model"] for row in recorded["ir.model.get_available_models"]["result"]}
    listed_models = {row["model"] for row in listed}
    # The sandbox has fewer models than the recorded databases: every one it lists was listed
    # there, and every recorded one it has is listed (its wizards and mixins are not).
    assert listed_models <= recorded_models
    assert listed_models == recorded_models & set(sandbox.engine.models)
    assert {"res.partner", "account.move", "purchase.order", "account.invoice.report"} <= (
        listed_models
    )
    for model in ("ir.model", "ir.model.data", "account.payment.register", "mail.thread"):
        assert model not in listed_models


def test_display_name_for_and_check_object_reference(shared):
    recorded, sandbox = shared
    asked = ["res.partner", "account.move", "purchase.order", "no.such.model"]
    answer = as_integration(sandbox, "ir.model", "display_name_for", asked)
    assert answer == recorded["ir.model.display_name_for"]["result"]
    reference = as_integration(
        sandbox, "ir.model.data", "check_object_reference", "base", "main_company"
    )
    assert reference == recorded["ir.model.data.check_object_reference"]["result"]
    # A wizard the user may open is left out like an unreadable model: its own name as label.
    wizard = as_integration(sandbox, "ir.model", "display_name_for", ["account.payment.register"])
    assert wizard == [
        {"display_name": "account.payment.register", "model": "account.payment.register"}
    ]


def test_access_checks_answer_as_recorded(shared):
    recorded, sandbox = shared
    checks = {"read": recorded["check_access_rights.read"]}
    checks["create"] = recorded["check_access_rights.create"]
    assert (
        as_integration(sandbox, "ir.model", "check_access_rights", "read", raise_exception=False)
        is (recorded["ir.model.check_access_rights.read"]["result"])
    )
    for operation, answers in checks.items():
        for model, expected in answers.items():
            if expected is None:  # not installed there (mrp.bom), nor here
                assert model not in sandbox.engine.models
                continue
            answer = as_integration(
                sandbox, model, "check_access_rights", operation, raise_exception=False
            )
            assert bool(answer) is expected, (operation, model)


def test_fields_behind_groups_it_lacks_are_hidden_as_recorded(sandbox):
    fields = as_integration(sandbox, "res.partner", "fields_get", attributes=["type"])
    custom = [name for name in fields if name.startswith("x_")]  # the sandbox's Studio fields
    assert len(fields) - len(custom) == RECORDED[17]["res.partner.fields_get.count"]


def test_refusals_name_the_groups_that_would_allow_them(sandbox):
    engine = sandbox.engine
    uid = engine.users["integration"]["uid"]
    with pytest.raises(OdooServerException) as refused:
        engine.execute(uid, "account.tax", "create", [{"name": "T", "amount": 1}], {})
    assert refused.value.name == "odoo.exceptions.AccessError"
    assert refused.value.message.startswith(
        "You are not allowed to create 'Tax' (account.tax) records.\n\nThis operation is allowed "
        "for the following groups:\n\t- Invoicing/Billing Administrator\n"
    )
    partner = engine.execute(
        uid, "res.partner", "create", [{"name": "Made by the integration"}], {}
    )
    row = engine.execute(uid, "res.partner", "read", [partner, ["create_uid"]], {"load": None})[0]
    assert row["create_uid"] == uid
