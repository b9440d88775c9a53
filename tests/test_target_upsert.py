"""BatchWriter against a small in-memory Odoo that counts calls: batching, idempotence, lines,
locks, actions, deletes, dry run. The sandbox tests (test_target_cli.py) cover the real wire."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from odoo_client.errors import AccessDeniedError, ValidationError, WriteOutcomeUnknownError
from target_odoo.external_ids import ExternalIds
from target_odoo.lookups import LookupResolver
from target_odoo.mapping import load_mapping
from target_odoo.model_fields import fit_mapping
from target_odoo.passthrough import passthrough_mapping
from target_odoo.upsert import BatchWriter, WriteSettings

ONE2MANY = {
    ("account.move", "invoice_line_ids"): ("account.move.line", "move_id"),
    ("purchase.order", "order_line"): ("purchase.order.line", "order_id"),
}
ACTIONS = {"action_post": "posted", "button_confirm": "purchase", "button_cancel": "cancel"}
POSTED_UNLINK = (
    "You can't delete a posted journal item. Don\u2019t play games with your accounting records; "
    "reset the journal entry to draft before deleting it."
)
PARTNER_FIELDS = {
    "id": {"type": "integer", "readonly": True, "store": True},
    "name": {"type": "char", "store": True},
    "email": {"type": "char", "store": True},
    "parent_id": {"type": "many2one", "relation": "res.partner", "store": True},
    "country_id": {"type": "many2one", "relation": "res.country", "store": True},
    "child_ids": {"type": "one2many", "relation": "res.partner", "store": True},
    "display_name": {"type": "char", "readonly": True, "store": False},
    "write_date": {"type": "datetime", "readonly": True, "store": True},
}


class MemoryOdoo:
    """Just enough of Odoo's ORM over RPC for the writer; `calls` counts (model, method)."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict]] = {}
        self.calls: Counter = Counter()
        self.next_id = 1
        self.refuse_names: set[str] = set()
        self.missing_fields: set[str] = set()
        self.lose_answer: str | None = None  # "create": the next create runs, its answer is lost
        self.uid = 2
        self.creators: dict[int, int] = {}  # id -> create_uid (ids are unique across models)
        self.crash_on: str | None = None  # "model.method": the process dies at that call
        self.intruder: dict | None = None  # created by another user right after a lost create
        self.closed: set[str] = set()  # "model" or "model.operation" this user may not touch
        for code, name in [("BE", "Belgium"), ("US", "United States")]:
            self._insert("res.country", {"code": code, "name": name})
        for name in ["EUR", "USD"]:
            self._insert("res.currency", {"name": name})
        self._insert("account.tax", {"name": "15%", "type_tax_use": "sale"})
        self._insert("account.tax", {"name": "15%", "type_tax_use": "purchase"})
        self._insert("product.product", {"name": "Desk", "default_code": "DESK"})

    def _insert(self, model: str, vals: dict) -> int:
        new_id, self.next_id = self.next_id, self.next_id + 1
        row = {"id": new_id}
        self.creators[new_id] = self.uid
        if model in ("account.move", "purchase.order"):
            row["state"] = "draft"
        self.tables.setdefault(model, {})[new_id] = row
        self._apply(model, new_id, vals)
        return new_id

    def _apply(self, model: str, rec_id: int, vals: dict) -> None:
        row = self.tables[model][rec_id]
        for name, value in vals.items():
            link = ONE2MANY.get((model, name))
            if link is None:
                many = isinstance(value, list) and value and isinstance(value[0], (list, tuple))
                row[name] = list(value[0][2]) if many else value
                continue
            line_model, inverse = link
            for command in value:
                if command[0] == 0:
                    self._insert(line_model, {**command[2], inverse: rec_id})
                elif command[0] == 2:
                    del self.tables[line_model][command[1]]

    def _match(self, row: dict, domain: list) -> bool:
        for name, op, value in domain:
            have = self.creators[row["id"]] if name == "create_uid" else row.get(name, False)
            if (op == "=" and have != value) or (op == "in" and have not in value):
                return False
            if op == ">" and not have > value:
                return False
        return True

    def authenticate(self) -> int:
        return self.uid

    def _found(self, model: str, domain: list, context: dict | None) -> list[dict]:
        """Rows matching `domain`; archived ones only with active_test False, as Odoo does."""
        active_test = (context or {}).get("active_test", True) is not False
        return [
            row
            for _, row in sorted(self.tables.get(model, {}).items())
            if self._match(row, domain) and not (active_test and row.get("active") is False)
        ]

    def search(self, model: str, domain: list, limit=None, order=None, context=None) -> list[int]:
        self.calls[(model, "search")] += 1
        self._check(model, "read")
        ids = [row["id"] for row in self._found(model, domain, context)]
        ids = ids[::-1] if order == "id desc" else ids
        return ids[:limit] if limit else ids

    def refused(self, model: str, operation: str) -> AccessDeniedError | None:
        """Odoo's AccessError when this user may not do `operation` on `model`."""
        if model not in self.closed and f"{model}.{operation}" not in self.closed:
            return None
        verb = {"read": "access", "write": "modify", "unlink": "delete"}.get(operation, operation)
        message = (
            f"You are not allowed to {verb} 'Records' ({model}) records.\n\nThis operation is "
            "allowed for the following groups:\n\t- Administration/Access Rights\n\nContact "
            "your administrator to request access if necessary."
        )
        return AccessDeniedError(
            f"may not {operation}", odoo_message=message, model=model, operation=operation
        )

    def _check(self, model: str, operation: str) -> None:
        error = self.refused(model, operation)
        if error is not None:
            raise error

    def search_read(self, model, domain, fields, offset=0, limit=None, order=None, context=None):
        self.calls[(model, "search_read")] += 1
        self._check(model, "read")
        rows = self._found(model, domain, context)
        return [{f: r.get(f, False) for f in ["id", *fields]} for r in rows]

    def read(self, model, ids, fields):
        self.calls[(model, "read")] += 1
        self._check(model, "read")
        rows = []
        for rec_id in ids:
            if rec_id in self.tables.get(model, {}):
                rows.append({f: self._value(model, rec_id, f) for f in ["id", *fields]})
        return rows

    def _value(self, model, rec_id, name):
        link = ONE2MANY.get((model, name))
        if link:
            line_model, inverse = link
            lines = self.tables.get(line_model, {})
            return [i for i, line in lines.items() if line.get(inverse) == rec_id]
        return copy.deepcopy(self.tables[model][rec_id].get(name, False))

    def create(self, model, vals_list):
        self.calls[(model, "create")] += 1
        self._check(model, "create")
        if self.crash_on == f"{model}.create":
            raise SystemExit("killed")
        for vals in vals_list:
            if vals.get("name") in self.refuse_names:
                raise ValidationError(f"refused name {vals['name']!r}")
        if self.lose_answer == "refuse":
            self.lose_answer = None
            raise WriteOutcomeUnknownError("connection dropped")
        ids = [self._insert(model, vals) for vals in vals_list]
        if self.lose_answer == "create":
            self.lose_answer = None
            if self.intruder:
                self.uid, mine = 99, self.uid
                self._insert(model, self.intruder)
                self.uid = mine
            raise WriteOutcomeUnknownError("connection dropped after sending")
        return ids

    def write(self, model, ids, vals):
        self.calls[(model, "write")] += 1
        self._check(model, "write")
        for rec_id in ids:
            self._apply(model, rec_id, vals)
        return True

    def unlink(self, model, ids):
        self.calls[(model, "unlink")] += 1
        self._check(model, "unlink")
        if any(self.tables[model][i].get("state") == "posted" for i in ids):
            raise ValidationError(POSTED_UNLINK)
        for rec_id in ids:
            del self.tables[model][rec_id]
        return True

    def fields_get(self, model, attributes=None):
        self.calls[(model, "fields_get")] += 1
        fields = {name: {"type": "char", "store": True} for name in mapped_fields(model)}
        if model in ("account.move", "purchase.order"):
            fields["state"] = {"type": "selection", "store": True}
        if model == "res.partner":
            fields.update(copy.deepcopy(PARTNER_FIELDS))
        return {k: v for k, v in fields.items() if f"{model}.{k}" not in self.missing_fields}

    def call(self, model, method, ids, **kwargs):
        self.calls[(model, method)] += 1
        if method == "check_access_rights":  # ids: the operation
            error = self.refused(model, ids)
            if error is not None and kwargs.get("raise_exception", True):
                raise error
            return error is None
        if self.lose_answer == f"{method} before":  # the connection drops before Odoo acts
            self.lose_answer = None
            raise WriteOutcomeUnknownError("connection dropped")
        for rec_id in ids:
            if self.tables[model][rec_id].get("state") == ACTIONS[method]:
                raise ValidationError(f"The entry (id {rec_id}) is already {ACTIONS[method]}.")
            self.tables[model][rec_id]["state"] = ACTIONS[method]
        if self.lose_answer == method:  # Odoo acted, its answer is lost
            self.lose_answer = None
            raise WriteOutcomeUnknownError("connection dropped after sending")
        return True

    def writes(self) -> int:
        return sum(n for (_, method), n in self.calls.items() if method in ("create", "write"))

    def rows(self, model: str) -> list[dict]:
        return list(self.tables.get(model, {}).values())


MAPPING = load_mapping()


def mapped_fields(model: str) -> set[str]:
    """Every field the default mapping writes on `model` (what MemoryOdoo's fields_get knows)."""
    names: set[str] = set()
    for stream in MAPPING.streams.values():
        parts = [(stream.model, stream), *[(r.model, r) for r in stream.lines.values()]]
        for owner, rule in parts:
            if owner == model:
                names |= set(rule.fields) | set(rule.constants) | set(rule.lookups)
                names |= set(getattr(rule, "on_create", {})) | set(getattr(rule, "lines", {}))
                names |= {getattr(rule, "marker", None), getattr(rule, "identity_field", None)}
                names -= {None}
    return names


def writer_for(odoo: MemoryOdoo, stream: str, **settings) -> BatchWriter:
    write_settings = WriteSettings(**settings)
    external_ids = ExternalIds(odoo, write_settings.namespace)
    resolver = LookupResolver(odoo, external_ids, dry_run=write_settings.dry_run)
    mapping = MAPPING.for_stream(stream)
    if mapping.passthrough:
        fields = odoo.fields_get(mapping.model)
        mapping = passthrough_mapping(mapping, fields, fields, MAPPING.passthrough)
    else:  # as the sink does: fitted to the fields the database has (account.move: no active)
        mapping, _ = fit_mapping(mapping, lambda model: set(odoo.fields_get(model)))
    return BatchWriter(odoo, mapping, external_ids, resolver, write_settings)


def customers(n: int) -> list[dict]:
    return [
        {
            "id": f"C-{i}",
            "customerName": f"Customer {i}",
            "emailAddress": f"c{i}@example.com",
            "addresses": [{"line1": f"{i} Main St", "city": "Ghent", "country": "BE"}],
        }
        for i in range(n)
    ]


def invoice(key: str, customer: str, status: str = "DRAFT", **extra) -> dict:
    return {
        "id": key,
        "invoiceNumber": f"N-{key}",
        "customerId": customer,
        "issueDate": "2026-01-05",
        "dueDate": "2026-02-04",
        "currency": "eur",
        "status": status,
        "lineItems": [
            {
                "sku": "DESK",
                "description": "Desk",
                "quantity": 2,
                "unitPrice": 100,
                "taxCode": "15%",
            },
            {"productName": "Consulting", "quantity": 1.5, "unitPrice": 80},
        ],
        **extra,
    }


def test_partners_are_created_in_one_call_and_second_run_changes_nothing():
    odoo = MemoryOdoo()
    outcomes = writer_for(odoo, "Customers").write(customers(5))

    assert [o.status for o in outcomes] == ["created"] * 5
    assert odoo.calls[("res.partner", "create")] == 1
    assert odoo.calls[("res.country", "search_read")] == 1
    assert odoo.calls[("ir.model.data", "create")] == 1
    partners = sorted(odoo.rows("res.partner"), key=lambda r: r["id"])
    belgium = next(r["id"] for r in odoo.rows("res.country") if r["code"] == "BE")
    assert partners[2] == {
        "id": partners[2]["id"],
        "name": "Customer 2",
        "email": "c2@example.com",
        "street": "2 Main St",
        "city": "Ghent",
        "country_id": belgium,
        "ref": "C-2",
        "is_company": True,
        "active": True,
        "customer_rank": 1,
    }
    names = sorted(r["name"] for r in odoo.rows("ir.model.data"))
    assert names == [f"Customers_C-{i}" for i in range(5)]

    before = odoo.writes()
    again = writer_for(odoo, "Customers").write(customers(5))
    assert [o.status for o in again] == ["unchanged"] * 5
    assert all(o.existing for o in again)
    assert odoo.writes() == before


def test_a_changed_record_updates_only_itself_and_only_changed_fields():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(3))
    changed = customers(3)
    changed[1]["emailAddress"] = "new@example.com"
    writes_before = odoo.calls[("res.partner", "write")]

    outcomes = writer_for(odoo, "Customers").write(changed)

    assert [o.status for o in outcomes] == ["unchanged", "updated", "unchanged"]
    assert odoo.calls[("res.partner", "write")] == writes_before + 1
    row = odoo.tables["res.partner"][outcomes[1].odoo_id]
    assert row["email"] == "new@example.com"


def test_invoice_header_and_lines_land_in_one_create_and_posted_status_posts():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    outcomes = writer_for(odoo, "Invoices").write(
        [invoice("I-1", "C-0", "POSTED"), invoice("I-2", "C-0")]
    )

    assert [o.status for o in outcomes] == ["created", "created"]
    assert odoo.calls[("account.move", "create")] == 1
    assert odoo.calls[("account.move", "action_post")] == 1
    posted = odoo.tables["account.move"][outcomes[0].odoo_id]
    draft = odoo.tables["account.move"][outcomes[1].odoo_id]
    assert (posted["state"], draft["state"]) == ("posted", "draft")
    partner = outcomes[0] and next(r["id"] for r in odoo.rows("res.partner"))
    assert posted["partner_id"] == partner
    assert posted["move_type"] == "out_invoice"
    assert posted["invoice_date"] == "2026-01-05"
    lines = [r for r in odoo.rows("account.move.line") if r["move_id"] == posted["id"]]
    sale_tax = next(r["id"] for r in odoo.rows("account.tax") if r["type_tax_use"] == "sale")
    desk = next(r["id"] for r in odoo.rows("product.product"))
    assert [
        (ln.get("product_id"), ln["quantity"], ln["price_unit"], ln.get("tax_ids")) for ln in lines
    ] == [(desk, 2.0, 100.0, [sale_tax]), (None, 1.5, 80.0, None)]

    before = odoo.writes()
    again = writer_for(odoo, "Invoices").write(
        [invoice("I-1", "C-0", "POSTED"), invoice("I-2", "C-0")]
    )
    assert [o.status for o in again] == ["unchanged", "unchanged"]
    assert odoo.writes() == before


def test_posted_invoice_is_never_rewritten():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    writer_for(odoo, "Invoices").write([invoice("I-1", "C-0", "POSTED")])
    changed = invoice("I-1", "C-0", "POSTED", dueDate="2026-03-01")
    before = odoo.writes()

    skipped = writer_for(odoo, "Invoices").write([changed])
    failed = writer_for(odoo, "Invoices", posted_documents="fail").write([changed])

    assert skipped[0].status == "unchanged"
    assert "is posted: not rewritten" in skipped[0].note
    assert failed[0].status == "failed"
    assert "posted_documents=fail" in failed[0].error
    assert odoo.writes() == before


def test_changed_draft_lines_are_replaced_in_one_write():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    first = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0")])
    changed = invoice("I-1", "C-0")
    changed["lineItems"][1]["unitPrice"] = 90

    writes = odoo.calls[("account.move", "write")]

    outcome = writer_for(odoo, "Invoices").write([changed])[0]

    assert outcome.status == "updated"
    assert odoo.calls[("account.move", "write")] - writes == 1
    lines = [r for r in odoo.rows("account.move.line") if r["move_id"] == first[0].odoo_id]
    assert [ln["price_unit"] for ln in lines] == [100.0, 90.0]


def test_invalid_records_fail_with_a_reason_and_the_others_land():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    records = [invoice(f"I-{i}", "C-0") for i in range(10)]
    records[2]["currency"] = "XXX"
    records[4]["issueDate"] = "31/12/2026"
    records[6]["lineItems"][0].pop("unitPrice")
    records[8]["lineItems"][0]["taxCode"] = "99%"

    outcomes = writer_for(odoo, "Invoices").write(records)

    failed = {o.key: o.error for o in outcomes if o.status == "failed"}
    assert sorted(failed) == ["I-2", "I-4", "I-6", "I-8"]
    assert "currency_id: no res.currency matches currency='XXX'" in failed["I-2"]
    assert "'invoice_date'" in failed["I-4"]
    assert "31/12/2026" in failed["I-4"]
    assert "lineItems[0]" in failed["I-6"]
    assert "price_unit" in failed["I-6"]
    assert "tax_ids" in failed["I-8"]
    assert "99%" in failed["I-8"]
    assert len(odoo.rows("account.move")) == 6


def test_a_record_odoo_refuses_fails_alone():
    odoo = MemoryOdoo()
    odoo.refuse_names = {"Customer 1"}

    outcomes = writer_for(odoo, "Customers").write(customers(3))

    assert [o.status for o in outcomes] == ["created", "failed", "created"]
    assert "refused name" in outcomes[1].error
    assert sorted(r["name"] for r in odoo.rows("ir.model.data")) == [
        "Customers_C-0",
        "Customers_C-2",
    ]


def test_unknown_customer_is_created_once_per_name():
    odoo = MemoryOdoo()
    records = [invoice("I-1", "NEW"), invoice("I-2", "NEW")]
    for record in records:
        record["customerName"] = "Walk-in Ltd"

    outcomes = writer_for(odoo, "Invoices").write(records)

    partners = odoo.rows("res.partner")
    assert [(p["name"], p["customer_rank"]) for p in partners] == [("Walk-in Ltd", 1)]
    moves = [odoo.tables["account.move"][o.odoo_id]["partner_id"] for o in outcomes]
    assert moves == [partners[0]["id"]] * 2


def test_dry_run_writes_nothing_but_reports():
    odoo = MemoryOdoo()

    outcomes = writer_for(odoo, "Customers", dry_run=True).write(customers(2))

    assert [o.status for o in outcomes] == ["would_create", "would_create"]
    assert odoo.writes() == 0


@pytest.mark.parametrize(("mode", "expected_rows"), [("archive", 2), ("unlink", 1)])
def test_deleted_records_are_archived_or_unlinked(mode, expected_rows):
    odoo = MemoryOdoo()
    created = writer_for(odoo, "Customers").write(customers(2))
    gone = {**customers(2)[0], "_sdc_deleted_at": "2026-11-22T08:00:00+00:00"}

    outcome = writer_for(odoo, "Customers", delete_mode=mode).write([gone])[0]

    assert outcome.status == "deleted"
    assert len(odoo.rows("res.partner")) == expected_rows
    if mode == "archive":
        assert odoo.tables["res.partner"][created[0].odoo_id]["active"] is False


def test_duplicate_keys_in_one_batch_write_the_last_version():
    odoo = MemoryOdoo()
    first, second = customers(1) * 2
    second = {**second, "customerName": "Renamed"}

    outcomes = writer_for(odoo, "Customers").write([first, second])

    assert [o.status for o in outcomes] == ["unchanged", "created"]
    assert [r["name"] for r in odoo.rows("res.partner")] == ["Renamed"]


def test_attachments_from_content_and_path_are_added_once(tmp_path):
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 scan")
    record = invoice(
        "I-1",
        "C-0",
        attachments=[
            {"name": "note.txt", "content": "aGVsbG8=", "mimetype": "text/plain"},
            {"path": str(pdf)},
        ],
    )

    outcome = writer_for(odoo, "Invoices").write([record])[0]
    writer_for(odoo, "Invoices").write([record])

    files = sorted(odoo.rows("ir.attachment"), key=lambda r: r["name"])
    assert [(f["name"], f["datas"], f["res_model"], f["res_id"]) for f in files] == [
        ("note.txt", "aGVsbG8=", "account.move", outcome.odoo_id),
        ("scan.pdf", "JVBERi0xLjQgc2Nhbg==", "account.move", outcome.odoo_id),
    ]


def test_unreadable_attachment_fails_the_record():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    record = invoice("I-1", "C-0", attachments=[{"path": "/nonexistent/x.pdf"}])

    outcome = writer_for(odoo, "Invoices").write([record])[0]

    assert outcome.status == "failed"
    assert outcome.error.startswith("attachments[0]: cannot read '/nonexistent/x.pdf'")
    assert odoo.rows("account.move") == []


def test_pass_through_copies_fields_and_maps_relations_through_external_ids():
    odoo = MemoryOdoo()
    belgium = next(r["id"] for r in odoo.rows("res.country") if r["code"] == "BE")
    source = [  # as tap-odoo emits them: the child first, its parent later in the same batch
        {
            "id": 8,
            "name": "Bob",
            "email": "bob@acme.example",
            "parent_id": 7,
            "country_id": belgium,
            "child_ids": [],
            "display_name": "Acme, Bob",
            "write_date": "2026-11-22T06:48:51+00:00",
        },
        {
            "id": 7,
            "name": "Acme",
            "email": None,
            "parent_id": None,
            "country_id": 999,
            "child_ids": [8],
            "display_name": "Acme",
            "write_date": "2026-11-22T06:48:51+00:00",
        },
    ]

    outcomes = writer_for(odoo, "res_partner").write(source)

    assert [o.status for o in outcomes] == ["created", "created"]
    bob, acme = (odoo.tables["res.partner"][o.odoo_id] for o in outcomes)
    assert acme == {"id": acme["id"], "name": "Acme"}  # country 999 is not in this database
    assert bob == {
        "id": bob["id"],
        "name": "Bob",
        "email": "bob@acme.example",
        "parent_id": acme["id"],
        "country_id": belgium,
    }
    assert sorted(r["name"] for r in odoo.rows("ir.model.data")) == [
        "res_partner_7",
        "res_partner_8",
    ]
    assert [o.status for o in writer_for(odoo, "res_partner").write(source)] == [
        "unchanged",
        "unchanged",
    ]


def test_a_create_whose_answer_was_lost_is_found_not_repeated():
    odoo = MemoryOdoo()
    odoo.lose_answer = "create"

    outcomes = writer_for(odoo, "Customers").write(customers(3))

    assert [o.status for o in outcomes] == ["created"] * 3
    assert len(odoo.rows("res.partner")) == 3
    assert sorted(r["name"] for r in odoo.rows("ir.model.data")) == [
        "Customers_C-0",
        "Customers_C-1",
        "Customers_C-2",
    ]
    assert [o.status for o in writer_for(odoo, "Customers").write(customers(3))] == [
        "unchanged"
    ] * 3


def test_a_lost_create_that_made_nothing_says_so():
    odoo = MemoryOdoo()
    odoo.lose_answer = "refuse"

    outcomes = writer_for(odoo, "Customers").write(customers(2))

    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert (
        outcomes[0].error == "Odoo's answer to the create was lost and nothing was created; re-run"
    )
    assert odoo.rows("res.partner") == []


def test_a_lookup_odoo_refuses_fails_its_records_not_the_batch():
    odoo = MemoryOdoo()
    records = [invoice("I-1", "NEW", customerName="Refused Ltd"), invoice("I-2", "NEW2")]
    records[1]["customerName"] = "Fine Ltd"
    odoo.refuse_names = {"Refused Ltd"}

    outcomes = writer_for(odoo, "Invoices").write(records)

    assert [o.status for o in outcomes] == ["failed", "created"]
    assert outcomes[0].error == (
        "partner_id: creating the res.partner failed: refused name 'Refused Ltd'"
    )


def test_a_model_without_active_or_cancel_action_fails_archive_deletes_clearly():
    odoo = MemoryOdoo()
    mapping = load_mapping({"streams": {"Docs": {"model": "x.doc", "fields": {"name": "name"}}}})
    fitted, _ = fit_mapping(mapping.for_stream("Docs"), lambda model: {"name"})
    settings = WriteSettings()
    external_ids = ExternalIds(odoo, settings.namespace)

    def writer() -> BatchWriter:
        return BatchWriter(odoo, fitted, external_ids, LookupResolver(odoo, external_ids), settings)

    writer().write([{"id": "D-1", "name": "Doc"}])

    (outcome,) = writer().write([{"id": "D-1", "name": "Doc", "_sdc_deleted_at": "2026-11-22"}])

    assert outcome.status == "failed"
    assert outcome.error == (
        "delete (archive) failed: x.doc has no 'active' field and no cancel action to archive it "
        "with; set delete_mode=unlink, or give stream 'Docs' a 'cancel' rule in the mapping"
    )
    assert odoo.calls[("x.doc", "write")] == 0


@pytest.mark.parametrize("stream", ["Customers", "Invoices"])
def test_a_run_killed_between_create_and_external_id_does_not_duplicate(stream):
    odoo = MemoryOdoo()
    if stream == "Invoices":
        writer_for(odoo, "Customers").write(customers(1))
    model = "res.partner" if stream == "Customers" else "account.move"
    records = customers(2) if stream == "Customers" else [invoice("I-1", "C-0")]
    odoo.crash_on = "ir.model.data.create"
    with pytest.raises(SystemExit):
        writer_for(odoo, stream).write(copy.deepcopy(records))
    odoo.crash_on = None
    count = len(odoo.rows(model))
    assert count == (2 if stream == "Customers" else 1)

    outcomes = writer_for(odoo, stream).write(copy.deepcopy(records))

    assert len(odoo.rows(model)) == count  # adopted, not created again
    assert {o.status for o in outcomes} == {"unchanged"}
    assert all(o.existing and o.note.startswith("found by its") for o in outcomes)
    again = writer_for(odoo, stream).write(copy.deepcopy(records))
    assert [(o.status, o.note) for o in again] == [("unchanged", None)] * len(records)


def test_a_lost_create_is_matched_even_when_someone_else_created_records_meanwhile():
    odoo = MemoryOdoo()
    odoo.lose_answer = "create"
    odoo.intruder = {"name": "Bob"}  # another user's record, created right after ours
    source = [{"id": 7, "name": "Bob"}, {"id": 8, "name": "Alice"}]

    outcomes = writer_for(odoo, "res_partner").write(source)

    assert [o.status for o in outcomes] == ["created", "created"]
    bobs = [r["id"] for r in odoo.rows("res.partner") if r["name"] == "Bob"]
    assert len(bobs) == 2
    assert outcomes[0].odoo_id == min(bobs)  # ours, not the intruder's
    assert {r["res_id"] for r in odoo.rows("ir.model.data")} == {o.odoo_id for o in outcomes}


def test_archived_matches_are_never_used_and_say_why():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    desk = next(r["id"] for r in odoo.rows("product.product"))
    odoo.tables["product.product"][desk]["active"] = False
    odoo._insert("res.partner", {"name": "Old Ltd", "active": False})
    records = [invoice("I-1", "C-0"), invoice("I-2", "NEW", customerName="Old Ltd")]
    records[1]["lineItems"] = records[1]["lineItems"][1:]

    outcomes = writer_for(odoo, "Invoices").write(records)

    assert outcomes[0].status == "failed"
    assert outcomes[0].error == (
        f"product_id: product.product 'DESK' (id {desk}, by default_code) is not active in Odoo "
        "(archived): activate it there, or send an active one"
    )
    assert outcomes[1].status == "created"  # a new active partner, not the archived namesake
    partner = odoo.tables["account.move"][outcomes[1].odoo_id]["partner_id"]
    assert odoo.tables["res.partner"][partner] == {
        "id": partner,
        "name": "Old Ltd",
        "customer_rank": 1,
    }


def test_the_create_marker_is_cleared_once_the_external_id_is_recorded():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))

    created = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0", "POSTED")])[0]

    move = odoo.tables["account.move"][created.odoo_id]
    assert (created.status, move["state"], move["invoice_origin"]) == ("created", "posted", False)
    # one write call clears the markers of the batch
    assert odoo.calls[("account.move", "write")] == 1


def test_a_marker_left_by_a_stopped_run_is_cleared_by_the_next_one():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    first = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0"), invoice("I-2", "C-0")])
    left, mine = (odoo.tables["account.move"][o.odoo_id] for o in first)
    left["invoice_origin"] = "singer.Invoices_I-1"  # the run stopped before clearing it
    mine["invoice_origin"] = "SO-42"  # someone set it in Odoo: not ours to clear

    again = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0"), invoice("I-2", "C-0")])

    assert [o.status for o in again] == ["unchanged", "unchanged"]
    assert (left["invoice_origin"], mine["invoice_origin"]) == (False, "SO-42")


def test_a_lost_answer_to_action_post_is_read_back_not_sent_again():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    odoo.lose_answer = "action_post"  # posted, answer lost

    outcomes = writer_for(odoo, "Invoices").write(
        [invoice("I-1", "C-0", "POSTED"), invoice("I-2", "C-0", "POSTED")]
    )

    assert [(o.status, o.error) for o in outcomes] == [("created", None), ("created", None)]
    assert odoo.calls[("account.move", "action_post")] == 1
    assert {r["state"] for r in odoo.rows("account.move")} == {"posted"}


def test_an_action_post_lost_before_odoo_acted_fails_with_re_run_and_the_re_run_posts():
    odoo = MemoryOdoo()
    writer_for(odoo, "Customers").write(customers(1))
    odoo.lose_answer = "action_post before"

    lost = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0", "POSTED")])[0]
    again = writer_for(odoo, "Invoices").write([invoice("I-1", "C-0", "POSTED")])[0]

    assert lost.status == "failed"
    assert "action_post: Odoo's answer was lost" in lost.error
    assert "it did not happen (state is 'draft'); re-run" in lost.error
    assert (again.status, again.error) == ("updated", None)
    assert odoo.calls[("account.move", "action_post")] == 2
    assert odoo.rows("account.move")[0]["state"] == "posted"
