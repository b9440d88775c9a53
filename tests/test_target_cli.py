"""The real `target-odoo` command against sandboxes: unified streams land with their lines and
states, re-runs change nothing, bad records fail alone, dry runs write nothing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from odoo_sandbox import Sandbox

pytestmark = pytest.mark.e2e

DATA = Path(__file__).parent / "data" / "target"
BIN = Path(sys.executable).parent


def run_target(connection: dict, tmp_path: Path, singer: Path | str, **settings) -> dict:
    """Run target-odoo on a .singer file; answer the hotglue state, results and stderr."""
    keys = ("url", "database", "username", "password")
    config = {key: connection[key] for key in keys if key in connection}
    results = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.jsonl"
    config.update(results_path=str(results), **settings)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    command = [str(BIN / "target-odoo"), "--config", str(config_path), "--input", str(singer)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    state_lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    outcomes = [json.loads(line) for line in results.read_text().splitlines()]
    return {"state": json.loads(state_lines[-1]), "outcomes": outcomes, "stderr": done.stderr}


def statuses(run: dict) -> dict[str, dict[str, str]]:
    """{stream: {key: status}} from the results file."""
    found: dict[str, dict[str, str]] = {}
    for outcome in run["outcomes"]:
        found.setdefault(outcome["stream"], {})[outcome["key"]] = outcome["status"]
    return found


class Odoo:
    """Ground truth: reads straight from the sandbox engine as admin."""

    def __init__(self, sandbox) -> None:
        self.engine = sandbox.engine
        self.uid = sandbox.engine.users["admin"]["uid"]

    def __call__(self, model: str, method: str, *args, **kwargs):
        return self.engine.execute(self.uid, model, method, list(args), kwargs)

    def one(self, model: str, domain: list, fields: list[str]) -> dict:
        rows = self(
            model, "search_read", domain, fields=fields, load=False, context={"active_test": False}
        )
        assert len(rows) == 1, (model, domain, rows)
        return rows[0]

    def xmlid(self, name: str) -> int:
        return self.one(
            "ir.model.data", [["module", "=", "singer"], ["name", "=", name]], ["res_id"]
        )["res_id"]

    def counts(self) -> dict[str, int]:
        models = [
            "res.partner",
            "account.move",
            "account.move.line",
            "purchase.order",
            "purchase.order.line",
            "account.tax",
            "ir.model.data",
        ]
        return {m: self(m, "search_count", [], context={"active_test": False}) for m in models}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One fresh sandbox with unified.singer written once; shared by the read-only tests."""
    sandbox = Sandbox(odoo_version=17, scale=1).start()
    tmp_path = tmp_path_factory.mktemp("target")
    run = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")
    yield sandbox, tmp_path, run
    sandbox.stop()


def test_every_unified_record_is_created(loaded):
    _, _, run = loaded

    assert statuses(run) == {
        "TaxRates": {"T-S21": "created", "T-P21": "created"},
        "Customers": {"C-1": "created", "C-2": "created", "C-3": "created"},
        "Vendors": {"V-1": "created", "V-2": "created"},
        "Invoices": {"INV-1": "created", "INV-2": "created", "CN-1": "created", "INV-3": "created"},
        "Bills": {"BILL-1": "created", "BILL-2": "created", "BILL-3": "created"},
        "BuyOrders": {"PO-1": "created", "PO-2": "created"},
        "PurchaseInvoices": {"PI-1": "created"},
        "Suppliers": {"S-1": "created"},
    }
    assert run["state"]["summary"]["Invoices"] == {
        "success": 4,
        "fail": 0,
        "existing": 0,
        "updated": 0,
    }
    first = run["state"]["bookmarks"]["Customers"][0]
    assert sorted(first) == [
        "error",
        "existing",
        "externalId",
        "hash",
        "id",
        "is_updated",
        "success",
    ]
    assert (first["externalId"], first["success"], first["error"]) == ("C-1", True, None)


def test_partners_have_the_source_values(loaded):
    sandbox, _, _ = loaded
    odoo = Odoo(sandbox)
    belgium = odoo.one("res.country", [["code", "=", "BE"]], ["id"])["id"]

    acme = odoo.one(
        "res.partner",
        [["id", "=", odoo.xmlid("Customers_C-1")]],
        [
            "name",
            "is_company",
            "email",
            "phone",
            "mobile",
            "street",
            "street2",
            "city",
            "zip",
            "country_id",
            "vat",
            "website",
            "ref",
            "customer_rank",
            "supplier_rank",
        ],
    )
    paper = odoo.one(
        "res.partner",
        [["id", "=", odoo.xmlid("Vendors_V-1")]],
        ["name", "country_id", "supplier_rank", "customer_rank"],
    )

    assert acme == {
        "id": acme["id"],
        "name": "Acme Corp",
        "is_company": True,
        "email": "billing@acme.example",
        "phone": "+32 9 123 45 67",
        "mobile": "+32 470 12 34 56",
        "street": "Kouter 1",
        "street2": "Floor 2",
        "city": "Ghent",
        "zip": "9000",
        "country_id": belgium,
        "vat": "BE0477472701",
        "website": "https://acme.example",
        "ref": "C-1",
        "customer_rank": 1,
        "supplier_rank": 0,
    }
    assert paper["country_id"] == belgium  # found by name
    assert (paper["supplier_rank"], paper["customer_rank"]) == (1, 0)


def test_invoices_and_bills_have_lines_taxes_and_states(loaded):
    sandbox, _, _ = loaded
    odoo = Odoo(sandbox)
    fields = [
        "move_type",
        "state",
        "partner_id",
        "currency_id",
        "invoice_date",
        "invoice_date_due",
        "ref",
        "invoice_line_ids",
    ]
    moves = {
        key: odoo.one("account.move", [["id", "=", odoo.xmlid(name)]], fields)
        for key, name in [
            ("INV-1", "Invoices_INV-1"),
            ("INV-2", "Invoices_INV-2"),
            ("CN-1", "Invoices_CN-1"),
            ("INV-3", "Invoices_INV-3"),
            ("BILL-1", "Bills_BILL-1"),
            ("BILL-2", "Bills_BILL-2"),
            ("BILL-3", "Bills_BILL-3"),
        ]
    }
    eur = odoo.one("res.currency", [["name", "=", "EUR"]], ["id"])["id"]
    sale_tax = odoo.xmlid("TaxRates_T-S21")

    assert {k: (m["move_type"], m["state"]) for k, m in moves.items()} == {
        "INV-1": ("out_invoice", "posted"),
        "INV-2": ("out_invoice", "draft"),
        "CN-1": ("out_refund", "posted"),
        "INV-3": ("out_invoice", "draft"),
        "BILL-1": ("in_invoice", "posted"),
        "BILL-2": ("in_invoice", "draft"),
        "BILL-3": ("in_refund", "posted"),
    }
    inv1 = moves["INV-1"]
    assert inv1["partner_id"] == odoo.xmlid("Customers_C-1")
    assert (inv1["currency_id"], inv1["invoice_date"], inv1["invoice_date_due"], inv1["ref"]) == (
        eur,
        "2026-01-05",
        "2026-02-04",
        "SO-1001",
    )
    lines = odoo(
        "account.move.line",
        "read",
        inv1["invoice_line_ids"],
        fields=["name", "quantity", "price_unit", "tax_ids"],
        load=False,
    )
    assert [(ln["name"], ln["quantity"], ln["price_unit"], ln["tax_ids"]) for ln in lines] == [
        ("Consulting", 10.0, 120.0, [sale_tax]),
        ("Travel", 1.0, 80.5, []),
    ]
    walk_in = odoo.one(
        "res.partner", [["id", "=", moves["INV-3"]["partner_id"]]], ["name", "customer_rank"]
    )
    assert (walk_in["name"], walk_in["customer_rank"]) == ("Walk-in Customer", 1)
    assert len(moves["BILL-2"]["invoice_line_ids"]) == 2
    terms = odoo.one(
        "account.move", [["id", "=", odoo.xmlid("Invoices_INV-2")]], ["invoice_payment_term_id"]
    )["invoice_payment_term_id"]
    assert terms == odoo.one("account.payment.term", [["name", "=", "30 Days"]], ["id"])["id"]


def test_tax_rates_have_their_rate_and_use(loaded):
    sandbox, _, _ = loaded
    odoo = Odoo(sandbox)
    fields = ["name", "amount", "amount_type", "type_tax_use", "description", "active"]

    sale = odoo.one("account.tax", [["id", "=", odoo.xmlid("TaxRates_T-S21")]], fields)
    purchase = odoo.one("account.tax", [["id", "=", odoo.xmlid("TaxRates_T-P21")]], fields)

    assert {k: v for k, v in sale.items() if k != "id"} == {
        "name": "VAT 21% (sales)",
        "amount": 21.0,
        "amount_type": "percent",
        "type_tax_use": "sale",
        "description": "S21",
        "active": True,
    }
    assert {k: v for k, v in purchase.items() if k != "id"} == {
        "name": "VAT 21% (purchases)",
        "amount": 21.0,
        "amount_type": "percent",
        "type_tax_use": "purchase",
        "description": "P21",
        "active": True,
    }


def test_documents_have_the_totals_and_taxes_of_their_lines(loaded):
    sandbox, _, _ = loaded
    odoo = Odoo(sandbox)
    totals = ["amount_untaxed", "amount_tax", "amount_total"]

    moves = {
        key: odoo.one("account.move", [["id", "=", odoo.xmlid(key)]], ["name", *totals])
        for key in [
            "Invoices_INV-1",
            "Invoices_INV-2",
            "Invoices_CN-1",
            "Bills_BILL-1",
            "Bills_BILL-2",
            "Bills_BILL-3",
        ]
    }
    orders = {
        key: odoo.one("purchase.order", [["id", "=", odoo.xmlid(key)]], totals)
        for key in ["BuyOrders_PO-1", "BuyOrders_PO-2"]
    }

    assert {k: tuple(m[t] for t in totals) for k, m in moves.items()} == {
        "Invoices_INV-1": (1280.5, 252.0, 1532.5),  # 10 x 120 at 21% + 80.5 untaxed
        "Invoices_INV-2": (599.88, 125.97, 725.85),  # 12 x 49.99 at 21%
        "Invoices_CN-1": (120.0, 25.2, 145.2),
        "Bills_BILL-1": (490.0, 102.9, 592.9),  # 20 x 24.5 at 21% (purchase tax)
        "Bills_BILL-2": (1440.0, 0.0, 1440.0),
        "Bills_BILL-3": (49.0, 10.29, 59.29),  # the credit note: 2 x 24.5 at 21%
    }
    assert moves["Bills_BILL-3"]["name"].startswith("RBILL/2026/01/")  # a vendor refund number
    assert {k: tuple(o[t] for t in totals) for k, o in orders.items()} == {
        "BuyOrders_PO-1": (195.0, 40.95, 235.95),
        "BuyOrders_PO-2": (224.0, 0.0, 224.0),
    }
    refund_lines = odoo(
        "account.move.line",
        "search_read",
        [["move_id", "=", odoo.xmlid("Bills_BILL-3")], ["display_type", "=", "product"]],
        fields=["name", "quantity", "price_unit", "tax_ids", "price_subtotal"],
        load=False,
    )
    assert [
        (ln["name"], ln["quantity"], ln["price_unit"], ln["tax_ids"], ln["price_subtotal"])
        for ln in refund_lines
    ] == [("A4 paper (returned)", 2.0, 24.5, [odoo.xmlid("TaxRates_T-P21")], 49.0)]


def test_purchase_orders_are_confirmed_as_the_source_says(loaded):
    sandbox, _, _ = loaded
    odoo = Odoo(sandbox)
    fields = ["state", "partner_id", "partner_ref", "date_order", "order_line"]
    po1 = odoo.one("purchase.order", [["id", "=", odoo.xmlid("BuyOrders_PO-1")]], fields)
    po2 = odoo.one("purchase.order", [["id", "=", odoo.xmlid("BuyOrders_PO-2")]], fields)

    assert (po1["state"], po1["partner_ref"], po1["date_order"]) == (
        "purchase",
        "REQ-55",
        "2026-01-04 09:30:00",
    )
    assert po1["partner_id"] == odoo.xmlid("Vendors_V-1")
    assert po2["state"] == "draft"
    pi1 = odoo.one("purchase.order", [["id", "=", odoo.xmlid("PurchaseInvoices_PI-1")]], fields)
    assert (pi1["state"], pi1["partner_id"]) == ("purchase", odoo.xmlid("Suppliers_S-1"))
    lines = odoo(
        "purchase.order.line",
        "read",
        po2["order_line"],
        fields=["name", "product_qty", "price_unit"],
    )
    assert [(ln["name"], ln["product_qty"], ln["price_unit"]) for ln in lines] == [
        ("Whiteboard", 1.0, 199.0),
        ("Markers", 10.0, 2.5),
    ]


def test_second_run_creates_and_updates_nothing(loaded):
    sandbox, tmp_path, _ = loaded
    odoo = Odoo(sandbox)
    before = odoo.counts()

    again = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")

    assert {s for stream in statuses(again).values() for s in stream.values()} == {"unchanged"}
    assert again["state"]["summary"]["Customers"] == {
        "success": 3,
        "fail": 0,
        "existing": 3,
        "updated": 0,
    }
    assert odoo.counts() == before


def test_a_changed_record_updates_only_itself(loaded):
    sandbox, tmp_path, _ = loaded
    odoo = Odoo(sandbox)
    lines = (DATA / "unified.singer").read_text().splitlines()
    changed = []
    for line in lines:
        message = json.loads(line)
        if message.get("record", {}).get("id") == "C-2":
            message["record"]["emailAddress"] = "jane.doe@new.example"
        changed.append(json.dumps(message))
    singer = tmp_path / "changed.singer"
    singer.write_text("\n".join(changed) + "\n")

    run = run_target(sandbox.settings, tmp_path, singer)

    updated = [(o["stream"], o["key"]) for o in run["outcomes"] if o["status"] != "unchanged"]
    assert updated == [("Customers", "C-2")]
    jane = odoo.one("res.partner", [["id", "=", odoo.xmlid("Customers_C-2")]], ["email"])
    assert jane["email"] == "jane.doe@new.example"


def test_bad_records_fail_with_a_reason_and_the_rest_land(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)

    run = run_target(sandbox.settings, tmp_path, DATA / "invalid_invoices.singer")

    failed = {o["key"]: o["error"] for o in run["outcomes"] if o["status"] == "failed"}
    assert sorted(failed) == ["BULK-13", "BULK-23", "BULK-3", "BULK-33"]
    assert failed["BULK-3"].startswith("partner_id: no res.partner matches customerId='C-404'")
    assert failed["BULK-13"] == "currency_id: no res.currency matches currency='XYZ' (name)"
    assert "'invoice_date'" in failed["BULK-23"]
    assert "2026-02-30" in failed["BULK-23"]
    assert failed["BULK-33"] == (
        "lineItems[0]: field 'price_unit': required value missing at 'unitPrice'"
    )
    assert run["state"]["summary"]["Invoices"] == {
        "success": 36,
        "fail": 4,
        "existing": 0,
        "updated": 0,
    }
    assert Odoo(sandbox)("account.move", "search_count", [["ref", "=like", "B-%"]]) == 36


def test_dry_run_writes_nothing(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    before = odoo.counts()

    run = run_target(sandbox.settings, tmp_path, DATA / "unified.singer", dry_run=True)

    assert odoo.counts() == before
    assert statuses(run)["Customers"] == {
        "C-1": "would_create",
        "C-2": "would_create",
        "C-3": "would_create",
    }


def test_odoo19_over_json2_with_an_api_key(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=19, scale=1)
    keyed = {**sandbox.settings, "password": sandbox.settings["api_key"]}

    first = run_target(keyed, tmp_path, DATA / "unified.singer")
    again = run_target(keyed, tmp_path, DATA / "unified.singer")

    assert {s for stream in statuses(first).values() for s in stream.values()} == {"created"}
    assert {s for stream in statuses(again).values() for s in stream.values()} == {"unchanged"}
    assert "not written: res.partner.mobile" in first["stderr"]  # Odoo 19 dropped the field
    odoo = Odoo(sandbox)
    posted = odoo.one("account.move", [["id", "=", odoo.xmlid("Invoices_INV-1")]], ["state"])
    assert posted["state"] == "posted"


def test_lost_answers_and_busy_server_still_write_each_record_once(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    sandbox.faults.fail_next("drop_after", when="res.partner.create")  # created, answer lost
    sandbox.faults.fail_next("drop_after", when="ir.model.data.create")
    sandbox.faults.fail_next("503", count=2, retry_after=0, when="account.move.create")
    odoo = Odoo(sandbox)

    run = run_target(sandbox.settings, tmp_path, DATA / "unified.singer")

    assert {s for stream in statuses(run).values() for s in stream.values()} == {"created"}
    for name in ["Acme Corp", "Jane Doe", "Globex", "Paper Supplies Ltd", "Walk-in Customer"]:
        assert odoo("res.partner", "search_count", [["name", "=", name]]) == 1, name
    moves = odoo("account.move", "search_count", [["ref", "in", ["SO-1001", "SO-1002"]]])
    assert moves == 2
    assert sandbox.stats.snapshot()["faults"] == {"503": 2, "drop_after": 2}


def test_deleted_source_records_are_archived_then_unlinked(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    odoo = Odoo(sandbox)
    lines = (DATA / "unified.singer").read_text().splitlines()
    customers = [line for line in lines if '"stream": "Customers"' in line]
    run_target(sandbox.settings, tmp_path, DATA / "unified.singer")
    globex = odoo.xmlid("Customers_C-3")
    jane = odoo.xmlid("Customers_C-2")
    deleted = []
    for line in customers:
        message = json.loads(line)
        if message["type"] == "RECORD" and message["record"]["id"] in ("C-2", "C-3"):
            message["record"]["_sdc_deleted_at"] = "2026-11-22T08:00:00+00:00"
        deleted.append(json.dumps(message))
    singer = tmp_path / "deleted.singer"
    singer.write_text("\n".join(deleted) + "\n")

    archived = run_target(sandbox.settings, tmp_path, singer)
    active = odoo("res.partner", "read", [jane, globex], fields=["active"])
    unlinked = run_target(sandbox.settings, tmp_path, singer, delete_mode="unlink")

    assert statuses(archived)["Customers"] == {
        "C-1": "unchanged",
        "C-2": "deleted",
        "C-3": "deleted",
    }
    assert [row["active"] for row in active] == [False, False]
    assert statuses(unlinked)["Customers"]["C-3"] == "deleted"
    assert (
        odoo("res.partner", "search_count", [["id", "=", globex]], context={"active_test": False})
        == 0
    )


def test_wrong_password_is_one_line_and_no_secret_is_printed(sandbox, tmp_path, secrets_seen):
    wrong = "not-the-password-4711"
    config = {
        **{k: sandbox.settings[k] for k in ("url", "database", "username")},
        "password": wrong,
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    command = [
        str(BIN / "target-odoo"),
        "--config",
        str(config_path),
        "--input",
        str(DATA / "unified.singer"),
    ]

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 4
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: AuthenticationError")
    for secret in [wrong, *secrets_seen]:
        assert secret not in done.stderr + done.stdout


def test_on_error_fail_stops_with_one_line(make_sandbox, tmp_path):
    sandbox = make_sandbox(odoo_version=17, scale=1)
    config = {
        **{k: sandbox.settings[k] for k in ("url", "database", "username", "password")},
        "on_error": "fail",
        "batch_size": 10,
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    command = [
        str(BIN / "target-odoo"),
        "--config",
        str(config_path),
        "--input",
        str(DATA / "invalid_invoices.singer"),
    ]

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "error: TargetWriteError: stream 'Invoices', record 'BULK-3': partner_id: no res.partner "
        "matches customerId='C-404' (external id), customerId='C-404' (ref); cannot create one: "
        "field 'name': required value missing at 'customerName' (on_error=fail; 1 failed in "
        "this batch)"
    )
    # the batch with the failure was written up to Odoo's answer; later batches were not
    assert Odoo(sandbox)("account.move", "search_count", [["ref", "=like", "B-%"]]) == 9


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


START_UP_CASES = [
    pytest.param({"lang": "french"}, 3, "ConfigurationError: lang", id="lang-malformed"),
    pytest.param({"port": 70000}, 3, "ConfigurationError: port", id="port-out-of-range"),
    pytest.param({"port": 8069}, 3, "contradicts the port", id="port-contradicts-url"),
    pytest.param({"url": "closed"}, 7, "ServerUnreachableError", id="nothing-listens"),
    pytest.param({"password": "wrong-4711"}, 4, "AuthenticationError", id="wrong-password"),
    pytest.param(
        {"lang": "de_DE", "odoo": 19}, 6, "Invalid language code", id="lang-not-installed-19"
    ),
]


@pytest.mark.parametrize(("change", "code", "needle"), START_UP_CASES)
def test_wrong_connection_settings_stop_before_the_input_is_read(
    sandbox, sandbox19, tmp_path, change, code, needle
):
    change = dict(change)
    odoo = sandbox19 if change.pop("odoo", 17) == 19 else sandbox
    config = {k: odoo.settings[k] for k in ("url", "database", "username", "password")}
    config.update(max_retry_time=2, retry_initial_wait=0.01, retry_max_wait=0.1, **change)
    if config["url"] == "closed":
        config["url"] = f"http://127.0.0.1:{_closed_port()}"
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    stderr = tmp_path / "stderr.txt"

    # stdin stays open and empty: a target that read it before connecting would wait forever
    with stderr.open("w") as err:
        target = subprocess.Popen(
            [str(BIN / "target-odoo"), "--config", str(config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            returncode = target.wait(timeout=60)
        finally:
            target.kill()
            target.stdin.close()
            target.wait()

    lines = stderr.read_text().splitlines()
    assert returncode == code, lines[-5:]
    assert lines[-1].startswith("error: "), lines[-5:]
    assert needle in lines[-1]
    assert "Traceback" not in "\n".join(lines)


def test_about_and_help_stay_offline(tmp_path):
    config_path = tmp_path / "config.json"
    unreachable = {"url": f"http://127.0.0.1:{_closed_port()}", "username": "a", "password": "b"}
    config_path.write_text(json.dumps(unreachable))

    for option in ("--about", "--help"):
        done = subprocess.run(
            [str(BIN / "target-odoo"), "--config", str(config_path), option],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "error:" not in done.stderr
