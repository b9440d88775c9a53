"""Identities kept on the records (target_odoo.identity) and access-rights messages
(target_odoo.rights), against the in-memory Odoo of test_target_upsert with ir.model.data closed,
as it is to a least-privilege integration user."""

from __future__ import annotations

import logging

import pytest
from test_target_upsert import MAPPING, MemoryOdoo, customers, invoice

from odoo_client.errors import AccessDeniedError, ConfigurationError, ValidationError
from target_odoo.external_ids import ExternalIds
from target_odoo.identity import FieldIdentities, choose_identities
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import parse_mapping
from target_odoo.model_fields import fit_mapping
from target_odoo.rights import group_label, groups_named, rights_message
from target_odoo.upsert import BatchWriter, WriteSettings

LOGGER = logging.getLogger("test_target_identity")
PARTNER_CREATE = (
    "You are not allowed to create 'Contact' (res.partner) records.\n\nThis operation is allowed "
    "for the following groups:\n\t- Extra Rights/Contact Creation\n\t- Inventory/Administrator\n"
    "\t- Purchase/Administrator\n\t- Sales/Administrator\n\nContact your administrator to "
    "request access if necessary."
)


def least_privileged() -> MemoryOdoo:
    odoo = MemoryOdoo()
    odoo.closed = {"ir.model.data"}
    return odoo


def writers(odoo: MemoryOdoo, mapping=MAPPING, **settings):
    """A writer factory sharing one FieldIdentities, as the target's sinks do."""
    write_settings = WriteSettings(**settings)
    identities = FieldIdentities(odoo, write_settings.namespace, mapping)
    resolver = LookupResolver(odoo, identities, dry_run=write_settings.dry_run)

    def writer(stream: str) -> BatchWriter:
        fitted, _ = fit_mapping(mapping.for_stream(stream), lambda m: set(odoo.fields_get(m)))
        fitted = identities.fit(fitted, set(odoo.fields_get(fitted.model)))
        return BatchWriter(odoo, fitted, identities, resolver, write_settings)

    return writer


def test_auto_chooses_by_what_the_user_may_do_and_says_so(caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        admin = choose_identities(MemoryOdoo(), "auto", "singer", MAPPING, LOGGER)
        integration = choose_identities(least_privileged(), "auto", "singer", MAPPING, LOGGER)
    assert isinstance(admin, ExternalIds)
    assert isinstance(integration, FieldIdentities)
    said = [r.getMessage() for r in caplog.records]
    assert said[0] == (
        "Identity: external ids (ir.model.data, module 'singer'); this user may use them "
        "(identity: auto)."
    )
    assert said[1].startswith(
        "Identity: kept on the records, 'singer.<stream>:<source key>' in each stream's "
        "identity_field, not in external ids (identity: auto; this user may not use them): "
        "Bills -> account.move.payment_reference, BuyOrders -> purchase.order.origin, "
        "Customers -> res.partner.ref,"
    )
    with pytest.raises(AccessDeniedError, match=r"identity is external_id, but ir\.model\.data"):
        choose_identities(least_privileged(), "external_id", "singer", MAPPING, LOGGER)
    with pytest.raises(ConfigurationError, match="identity must be one of"):
        choose_identities(MemoryOdoo(), "sometimes", "singer", MAPPING, LOGGER)


def test_records_carry_their_identity_and_a_rerun_finds_them_in_one_search():
    odoo = least_privileged()
    writer = writers(odoo)
    created = writer("Customers").write(customers(3))
    assert [o.status for o in created] == ["created"] * 3
    assert sorted(r["ref"] for r in odoo.rows("res.partner")) == [
        "singer.Customers:C-0",
        "singer.Customers:C-1",
        "singer.Customers:C-2",
    ]
    assert odoo.calls[("res.partner", "create")] == 1

    odoo.calls.clear()
    again = writers(odoo)("Customers").write(customers(3))  # a new run: nothing cached
    assert [o.status for o in again] == ["unchanged"] * 3
    assert odoo.calls[("res.partner", "search_read")] == 1  # the batch's one identity search
    assert odoo.writes() == 0
    assert not [key for key in odoo.calls if key[0] == "ir.model.data"]


def test_lookups_by_external_id_find_the_other_streams_records_by_identity():
    odoo = least_privileged()
    writer = writers(odoo)
    writer("Customers").write(customers(2))
    (outcome,) = writer("Invoices").write([invoice("I-1", "C-1", status="POSTED")])
    assert outcome.status == "created"
    move = odoo.rows("account.move")[0]
    c1 = next(r["id"] for r in odoo.rows("res.partner") if r["ref"] == "singer.Customers:C-1")
    assert move["partner_id"] == c1
    assert move["payment_reference"] == "singer.Invoices:I-1"
    assert move["state"] == "posted"
    assert not move.get("invoice_origin")  # no marker: the identity does its work


def test_a_lost_create_is_found_by_identity_not_repeated():
    odoo = least_privileged()
    odoo.lose_answer = "create"
    outcomes = writers(odoo)("Customers").write(customers(3))
    assert [o.status for o in outcomes] == ["created"] * 3
    assert len(odoo.rows("res.partner")) == 3
    nothing = least_privileged()
    nothing.lose_answer = "refuse"
    lost = writers(nothing)("Customers").write(customers(2))
    assert [o.error for o in lost] == [
        "Odoo's answer to the create was lost and nothing was created; re-run"
    ] * 2


def test_a_run_killed_after_its_create_is_found_by_the_next_run(monkeypatch):
    odoo = least_privileged()
    writers(odoo)("Customers").write(customers(1))

    def killed(*args, **kwargs):  # the call after the create (action_post): the process dies
        raise SystemExit("killed")

    monkeypatch.setattr(odoo, "call", killed)
    writer = writers(odoo)("Invoices")
    with pytest.raises(SystemExit):
        writer.write([invoice("I-1", "C-0", status="POSTED")])
    monkeypatch.undo()
    assert len(odoo.rows("account.move")) == 1
    assert odoo.rows("account.move")[0]["state"] == "draft"  # killed before action_post

    (outcome,) = writers(odoo)("Invoices").write([invoice("I-1", "C-0", status="POSTED")])

    assert (outcome.status, outcome.existing) == ("updated", True)  # found, then posted
    assert len(odoo.rows("account.move")) == 1
    assert odoo.rows("account.move")[0]["state"] == "posted"


def test_two_records_carrying_one_identity_are_never_guessed_between():
    odoo = least_privileged()
    writers(odoo)("Customers").write(customers(1))
    copy_id = odoo._insert("res.partner", {"name": "Copy", "ref": "singer.Customers:C-0"})
    (outcome,) = writers(odoo)("Customers").write(customers(1))
    assert outcome.status == "failed"
    assert outcome.error == (
        f"2 records of res.partner carry ref='singer.Customers:C-0' (ids [{copy_id - 1}, "
        f"{copy_id}]): keep one (archive or delete the others, or clear their ref) and re-run"
    )


def test_another_namespace_or_a_hand_made_ref_is_not_ours():
    odoo = least_privileged()
    odoo._insert("res.partner", {"name": "By hand", "ref": "C-0"})
    writers(odoo, namespace="shop")("Customers").write(customers(1))
    outcomes = writers(odoo, namespace="crm")("Customers").write(customers(1))
    assert [o.status for o in outcomes] == ["created"]
    refs = sorted(r["ref"] for r in odoo.rows("res.partner"))
    assert refs == ["C-0", "crm.Customers:C-0", "shop.Customers:C-0"]


def test_a_stream_without_identity_field_fails_with_the_first_thing_to_fix():
    odoo = least_privileged()
    odoo.closed |= {"account.tax.create"}
    tax = {"id": "T-1", "name": "VAT 6%", "rate": 6, "type": "sale"}
    (refused,) = writers(odoo)("TaxRates").write([tax])
    assert refused.error.startswith(
        'account.tax create: grant "Administration: Access Rights"; Odoo: You are not allowed '
        "to create 'Records' (account.tax) records"
    )
    allowed = least_privileged()
    (unidentified,) = writers(allowed)("TaxRates").write([tax])
    assert unidentified.error.startswith(
        "stream 'TaxRates' names no identity_field in the mapping, and this user may not use "
        "external ids (ir.model.data): name a char field of account.tax"
    )
    assert not [r for r in allowed.rows("account.tax") if r["name"] == "VAT 6%"]


def test_an_identity_field_the_model_lacks_is_named():
    document = {
        "streams": {
            "Customers": {
                "model": "res.partner",
                "identity_field": "x_singer_id",
                "fields": {"name": "customerName"},
            }
        }
    }
    (outcome,) = writers(least_privileged(), parse_mapping(document))("Customers").write(
        customers(1)
    )
    assert outcome.error.startswith(
        "res.partner has no field 'x_singer_id' (the identity_field of stream 'Customers'"
    )


def test_deletes_find_their_records_by_identity():
    odoo = least_privileged()
    writers(odoo)("Customers").write(customers(2))
    gone = {**customers(2)[1], "_sdc_deleted_at": "2026-01-10T00:00:00Z"}
    outcomes = writers(odoo)("Customers").write([gone])
    assert [o.status for o in outcomes] == ["deleted"]
    archived = next(r for r in odoo.rows("res.partner") if r["ref"] == "singer.Customers:C-1")
    assert archived["active"] is False


def test_a_model_refusing_creates_fails_the_batch_in_one_call_naming_the_right():
    odoo = least_privileged()
    odoo.closed |= {"res.partner.create"}
    odoo.refused = lambda model, operation, base=odoo.refused: (  # Odoo's own words
        AccessDeniedError("refused", odoo_message=PARTNER_CREATE, model=model, operation=operation)
        if (model, operation) == ("res.partner", "create")
        else base(model, operation)
    )
    outcomes = writers(odoo)("Customers").write(customers(3))
    assert odoo.calls[("res.partner", "create")] == 1  # not retried record by record
    assert {o.error for o in outcomes} == {
        'res.partner create: grant "Contact Creation" (or: Inventory: Administrator, Purchase: '
        "Administrator, Sales: Administrator); Odoo: You are not allowed to create 'Contact' "
        "(res.partner) records"
    }


def test_rights_messages():
    assert groups_named(PARTNER_CREATE) == [
        "Extra Rights/Contact Creation",
        "Inventory/Administrator",
        "Purchase/Administrator",
        "Sales/Administrator",
    ]
    assert group_label("Extra Rights/Contact Creation") == "Contact Creation"
    assert group_label("Purchase/User") == "Purchase: User"
    assert group_label("Access Rights") == "Access Rights"
    other = ValidationError("Odoo rejected res.partner.create: bad value")
    assert rights_message(other) == "Odoo rejected res.partner.create: bad value"
    rule = AccessDeniedError(
        "may not", odoo_message="Due to security restrictions, you are not allowed to access"
    )
    assert rights_message(rule) == "may not"  # a record rule, not an access right
