"""The sandbox engine's ORM: domains, ordering, values, the write_date trap, x2many commands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from odoo_sandbox.engine import Engine
from odoo_sandbox.exceptions import OdooServerException

ADMIN = 2


@pytest.fixture(scope="module")
def eng() -> Engine:
    return Engine()


@pytest.fixture
def fresh() -> Engine:
    return Engine()


def call(eng: Engine, model: str, method: str, *args, **kwargs):
    return eng.execute(ADMIN, model, method, list(args), kwargs)


def error_of(eng: Engine, model: str, method: str, *args, uid: int = ADMIN, **kwargs):
    with pytest.raises(OdooServerException) as info:
        eng.execute(uid, model, method, list(args), kwargs)
    return info.value.name, info.value.message


def rows_sql(eng: Engine, sql: str, params=()) -> list[tuple]:
    return eng.storage.execute(sql, params).fetchall()


# ---- domains ------------------------------------------------------------------------------------
def test_domain_operators_match_sql_ground_truth(eng):
    ctx = {"active_test": False}
    cases = [
        ([("is_company", "=", True)], "is_company = 1"),
        ([("parent_id", "=", False)], "parent_id IS NULL"),
        ([("parent_id", "!=", False)], "parent_id IS NOT NULL"),
        ([("id", "in", [8, 9, 10, 99999])], "id IN (8, 9, 10)"),
        ([("id", "not in", [8, 9])], "id NOT IN (8, 9)"),
        ([("id", ">", 100), ("id", "<=", 120)], "id > 100 AND id <= 120"),
        (["|", ("id", "<", 10), ("id", ">=", 1000)], "id < 10 OR id >= 1000"),
        (["!", ("is_company", "=", True)], "NOT COALESCE(is_company, 0)"),
        ([("name", "ilike", "acme")], "LOWER(name) LIKE '%acme%'"),
        ([("name", "like", "Acme")], "name GLOB '*Acme*'"),
        ([("name", "not ilike", "acme")], "LOWER(name) NOT LIKE '%acme%'"),
        ([("name", "=like", "Acme%")], "name GLOB 'Acme*'"),
        ([("name", "=ilike", "acme%")], "LOWER(name) LIKE 'acme%'"),
        ([("email", "=", False)], "email IS NULL"),
        ([("country_id.code", "=", "BE")], "country_id = 20"),
        (
            [("parent_id.country_id.code", "=", "DE")],
            "parent_id IN (SELECT id FROM res_partner WHERE country_id = 57)",
        ),
        (
            [("category_id", "in", [1])],
            "id IN (SELECT id1 FROM rel__res_partner__category_id WHERE id2 = 1)",
        ),
        (
            [("category_id", "=", False)],
            "id NOT IN (SELECT id1 FROM rel__res_partner__category_id)",
        ),
        (
            [("child_ids", "!=", False)],
            "id IN (SELECT parent_id FROM res_partner WHERE active = 1 AND parent_id IS NOT NULL)",
        ),
    ]
    for domain, where in cases:
        expected = [
            r[0] for r in rows_sql(eng, f"SELECT id FROM res_partner WHERE {where} ORDER BY id")
        ]
        got = call(eng, "res.partner", "search", domain, order="id", context=ctx)
        assert got == expected, domain
        assert expected, f"ground truth for {domain} should not be empty"


def test_active_test_hides_archived_rows_unless_disabled(eng):
    archived = rows_sql(eng, "SELECT COUNT(*) FROM res_partner WHERE active = 0")[0][0]
    total = rows_sql(eng, "SELECT COUNT(*) FROM res_partner")[0][0]
    assert archived > 0
    assert call(eng, "res.partner", "search_count", []) == total - archived
    assert call(eng, "res.partner", "search_count", [], context={"active_test": False}) == total
    assert call(eng, "res.partner", "search_count", [("active", "=", False)]) == archived


def test_search_count_limit(eng):
    assert call(eng, "res.partner", "search_count", [], limit=5) == 5


@pytest.mark.parametrize(
    ("domain", "name", "message"),
    [
        (
            [("name", "bogus_op", "x")],
            "builtins.ValueError",
            "Invalid leaf ('name', 'bogus_op', 'x')",
        ),
        (
            [("no_such_field", "=", 1)],
            "builtins.ValueError",
            "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)",
        ),
        ("name = x", "builtins.IndexError", "string index out of range"),
        (["name", "=", "x"], "builtins.IndexError", "string index out of range"),
    ],
)
def test_bad_domains_answer_odoo17_errors(eng, domain, name, message):
    assert error_of(eng, "res.partner", "search_count", domain) == (name, message)


def test_bad_domains_answer_odoo19_errors():
    eng19 = Engine(odoo_version=19)
    cases = [
        (
            [("name", "~~", "x")],
            "builtins.ValueError",
            "Invalid operator in condition ('name', '~~', 'x')",
        ),
        (
            ["|", ["name", "=", "x"]],
            "builtins.ValueError",
            "Domain() malformed domain ['|', ['name', '=', 'x']]",
        ),
        ("name = x", "builtins.TypeError", "Domain() invalid argument type for domain: 'name = x'"),
        (
            [("no_such_field", "=", 1)],
            "builtins.ValueError",
            "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)",
        ),
    ]
    for domain, name, message in cases:
        with pytest.raises(OdooServerException) as info:
            eng19.execute_named(ADMIN, "res.partner", "search_count", {"domain": domain})
        assert (info.value.name, info.value.message) == (name, message)


# ---- ordering -----------------------------------------------------------------------------------
def test_order_multiple_keys_and_total_order(eng):
    got = call(
        eng,
        "res.partner",
        "search_read",
        [],
        fields=["country_id", "name"],
        order="country_id desc, name",
        context={"active_test": False},
    )
    ids = [r["id"] for r in got]
    expected = [
        r[0]
        for r in rows_sql(
            eng,
            "SELECT p.id FROM res_partner p LEFT JOIN res_country c ON c.id = p.country_id "
            "ORDER BY c.name DESC NULLS FIRST, p.name ASC NULLS LAST, p.id",
        )
    ]
    assert ids == expected


def test_default_order_is_model_order(eng):
    got = call(eng, "res.partner", "search", [], limit=50)
    expected = [
        r[0]
        for r in rows_sql(
            eng,
            "SELECT id FROM res_partner WHERE active = 1 "
            "ORDER BY complete_name ASC NULLS LAST, id DESC LIMIT 50",
        )
    ]
    assert got == expected


def test_offset_paging_over_a_tied_order_neither_skips_nor_repeats(eng):
    seen = []
    for offset in range(0, 300, 50):
        page = call(
            eng,
            "res.partner",
            "search_read",
            [],
            fields=["write_date"],
            order="write_date",
            offset=offset,
            limit=50,
        )
        seen += [r["id"] for r in page]
    assert len(seen) == len(set(seen)) == 300


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("display_name", "Cannot convert res.partner.display_name to SQL because it is not stored"),
        ("nope", "Invalid field 'nope' on model 'res.partner'"),
        (
            "name; drop table x",
            'Invalid "order" specified (name; drop table x). A valid "order" '
            "specification is a comma-separated list of valid field names (optionally followed by "
            "asc/desc for the direction)",
        ),
    ],
)
def test_bad_order_is_refused(eng, order, message):
    assert error_of(eng, "res.partner", "search", [], order=order) == (
        "builtins.ValueError",
        message,
    )


def partner_search_sql(eng: Engine, domain: list, **kwargs) -> str:
    """The statement a search_read of partners runs (default order unless `order` is given)."""
    statements: list[str] = []
    eng.storage.conn.set_trace_callback(statements.append)
    try:
        call(eng, "res.partner", "search_read", domain, fields=["name"], **kwargs)
    finally:
        eng.storage.conn.set_trace_callback(None)
    return next(s for s in statements if s.startswith('SELECT m0.id, m0."name" FROM "res_partner"'))


def plan_of(eng: Engine, sql: str) -> str:
    return "; ".join(row[-1] for row in rows_sql(eng, f"EXPLAIN QUERY PLAN {sql}"))


def test_partner_lookups_and_the_default_order_use_indexes(eng):
    from odoo_sandbox.storage import indexed_columns  # noqa: PLC0415

    columns = indexed_columns(eng.models["res.partner"])
    assert {"complete_name", "name", "ref", "vat", "parent_id", "write_date"} <= columns
    assert "email" not in columns
    assert "USING INDEX res_partner__complete_name" in plan_of(eng, partner_search_sql(eng, []))
    assert "USING INDEX res_partner__ref" in plan_of(
        eng, partner_search_sql(eng, [("ref", "=", "C000010")])
    )


@pytest.mark.parametrize(
    ("domain", "scans"),
    [
        ([("email", "=", "a@example.com")], True),  # no index could serve it: scan, then sort
        ([("email", "ilike", "a"), ("city", "=", "Ghent")], True),
        ([], False),  # the default order's index
        ([("active", "=", False)], False),
        ([(1, "=", 1)], False),
        ([("ref", "=", "C000010")], False),
        ([("email", "=", "a@example.com"), ("parent_id", "=", 9)], False),
        (["|", ("email", "=", "a@example.com"), ("id", "=", 9)], False),
        ([("parent_id.name", "=", "x")], False),
        ([("category_id", "in", [1])], False),
        ([("display_name", "ilike", "x")], False),
    ],
)
def test_a_domain_without_an_indexed_field_scans_instead_of_walking_the_order_index(
    eng, domain, scans
):
    sql = partner_search_sql(eng, domain)
    assert ('"res_partner" AS m0 NOT INDEXED' in sql) is scans
    unhinted = sql.replace(" NOT INDEXED", "")
    assert rows_sql(eng, sql) == rows_sql(eng, unhinted)  # the same rows in the same order


# ---- values -------------------------------------------------------------------------------------
def test_value_shapes_classic_and_bare_load(eng):
    pid = rows_sql(
        eng,
        "SELECT id FROM res_partner WHERE parent_id IS NOT NULL AND email IS "
        "NULL AND country_id IS NOT NULL LIMIT 1",
    )[0][0]
    parent, country = rows_sql(
        eng, "SELECT parent_id, country_id FROM res_partner WHERE id = ?", (pid,)
    )[0]
    fields = [
        "parent_id",
        "country_id",
        "email",
        "category_id",
        "write_date",
        "is_company",
        "color",
        "credit_limit",
        "date",
        "display_name",
    ]
    classic = call(eng, "res.partner", "read", [pid], fields)[0]
    bare = call(eng, "res.partner", "read", [pid], fields, load=False)[0]
    parent_name = rows_sql(eng, "SELECT complete_name FROM res_partner WHERE id = ?", (parent,))
    assert classic["parent_id"] == [parent, parent_name[0][0]]
    assert classic["country_id"][0] == country
    assert isinstance(classic["country_id"][1], str)
    assert bare["parent_id"] == parent
    assert bare["country_id"] == country
    assert classic["email"] is False
    assert classic["date"] is False
    assert isinstance(classic["category_id"], list)
    assert classic["is_company"] is False
    assert isinstance(classic["color"], int)
    assert isinstance(classic["credit_limit"], float)
    assert len(classic["write_date"]) == 19
    assert classic["write_date"][10] == " "
    assert list(classic) == ["id", *fields]


def test_bin_size_answers_a_size_text(eng):
    pid = rows_sql(eng, "SELECT id FROM res_partner WHERE image_128 IS NOT NULL LIMIT 1")[0][0]
    raw = call(eng, "res.partner", "read", [pid], ["image_128"])[0]["image_128"]
    sized = call(eng, "res.partner", "read", [pid], ["image_128"], context={"bin_size": True})[0][
        "image_128"
    ]
    assert raw.startswith("iVBOR")
    assert sized == "70.00 bytes"


def test_read_missing_ids_is_empty_and_keeps_order(eng):
    assert call(eng, "res.partner", "read", [999999], ["name"]) == []
    got = call(eng, "res.partner", "read", [9, 999999, 8], ["name"])
    assert [r["id"] for r in got] == [9, 8]


def test_related_and_computed_non_stored_fields(eng):
    product = call(eng, "product.product", "read", [1], ["name", "list_price", "display_name"])[0]
    template = call(eng, "product.template", "read", [1], ["name", "list_price", "default_code"])[0]
    assert product["name"] == template["name"]
    assert product["list_price"] == template["list_price"]
    assert product["display_name"] == f"[{template['default_code']}] {template['name']}"


# ---- the write_date trap ------------------------------------------------------------------------
def test_write_date_trap(fresh):
    fresh.clock = lambda: datetime(2026, 11, 22, 6, 58, 19, 357197)
    ids = call(fresh, "res.partner", "create", [{"name": f"P{i}"} for i in range(5)])
    rows = call(fresh, "res.partner", "read", ids, ["write_date"])
    assert {r["write_date"] for r in rows} == {"2026-11-22 06:58:19"}
    stored = {
        r[0]
        for r in rows_sql(
            fresh, f"SELECT write_date FROM res_partner WHERE id IN ({', '.join(map(str, ids))})"
        )
    }
    assert stored == {"2026-11-22 06:58:19.357197"}
    value = rows[0]["write_date"]
    assert call(fresh, "res.partner", "search_count", [("write_date", "=", value)]) == 0
    assert sorted(call(fresh, "res.partner", "search", [("write_date", ">", value)])) == ids
    assert (
        call(
            fresh,
            "res.partner",
            "search_count",
            [("write_date", ">=", value), ("write_date", "<", "2026-11-22 06:58:20")],
        )
        == 5
    )


def test_advance_clock_moves_a_frozen_or_running_clock_forward(fresh):
    fresh.clock = lambda: datetime(2026, 11, 22, 6, 58, 19)
    fresh.advance_clock(90)
    assert fresh.now() == datetime(2026, 11, 22, 6, 59, 49)
    pid = call(fresh, "res.partner", "create", {"name": "Later"})
    assert call(fresh, "res.partner", "read", [pid], ["write_date"])[0]["write_date"] == (
        "2026-11-22 06:59:49"
    )
    fresh.clock = None  # the real clock, still 90 s ahead
    assert fresh.now() - datetime.now(timezone.utc).replace(tzinfo=None) >= timedelta(seconds=89)


def test_magic_fields_set_by_server(fresh):
    fresh.clock = lambda: datetime(2026, 3, 1, 10, 0, 0, 1)
    pid = call(fresh, "res.partner", "create", {"name": "Magic"})
    fresh.clock = lambda: datetime(2026, 3, 2, 11, 0, 0, 1)
    demo = fresh.users["demo"]["uid"]
    fresh.execute(demo, "res.partner", "write", [[pid], {"phone": "1"}], {})
    row = call(
        fresh,
        "res.partner",
        "read",
        [pid],
        ["create_date", "write_date", "create_uid", "write_uid"],
        load=False,
    )[0]
    assert row == {
        "id": pid,
        "create_date": "2026-03-01 10:00:00",
        "write_date": "2026-03-02 11:00:00",
        "create_uid": ADMIN,
        "write_uid": demo,
    }


# ---- create / write / unlink / x2many ------------------------------------------------------------
def test_create_single_and_list(fresh):
    one = call(fresh, "res.partner", "create", {"name": "Solo"})
    many = call(fresh, "res.partner", "create", [{"name": "A"}, {"name": "B"}])
    assert isinstance(one, int)
    assert many == [one + 1, one + 2]
    named = fresh.execute_named(ADMIN, "res.partner", "create", {"vals_list": {"name": "C"}})
    assert named == [one + 3]


def test_x2many_commands(fresh):
    pid = call(
        fresh,
        "res.partner",
        "create",
        {"name": "Tagged", "category_id": [(0, 0, {"name": "New tag"}), (4, 1), (4, 2)]},
    )

    def tags():
        return call(fresh, "res.partner", "read", [pid], ["category_id"])[0]["category_id"]

    new_tag = max(tags())
    assert tags() == [1, 2, new_tag]
    call(fresh, "res.partner", "write", [pid], {"category_id": [(3, 1)]})
    assert tags() == [2, new_tag]
    call(fresh, "res.partner", "write", [pid], {"category_id": [(6, 0, [3, 4])]})
    assert tags() == [3, 4]
    call(fresh, "res.partner", "write", [pid], {"category_id": [(5,)]})
    assert tags() == []
    call(fresh, "res.partner", "write", [pid], {"category_id": [5, 6]})
    assert tags() == [5, 6]
    call(
        fresh, "res.partner", "write", [pid], {"category_id": [(1, 5, {"name": "Renamed"}), (2, 6)]}
    )
    assert tags() == [5]
    assert call(fresh, "res.partner.category", "read", [5], ["name"])[0]["name"] == "Renamed"
    assert call(fresh, "res.partner.category", "read", [6], ["name"]) == []
    child = call(fresh, "res.partner", "create", {"name": "Kid"})
    call(
        fresh, "res.partner", "write", [pid], {"child_ids": [(4, child), (0, 0, {"name": "Kid 2"})]}
    )
    kids = call(fresh, "res.partner", "read", [pid], ["child_ids"])[0]["child_ids"]
    assert child in kids
    assert len(kids) == 2
    names = call(fresh, "res.partner", "read", kids, ["complete_name"])
    assert sorted(r["complete_name"] for r in names) == ["Tagged, Kid", "Tagged, Kid 2"]


def test_write_and_unlink_missing_records(eng):
    message = "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)"
    assert error_of(eng, "res.partner", "write", [999999], {"name": "x"}) == (
        "odoo.exceptions.MissingError",
        message,
    )
    assert error_of(eng, "res.partner", "unlink", [999999]) == (
        "odoo.exceptions.MissingError",
        message,
    )


def test_unlink_removes_rows_and_references(fresh):
    parent = call(fresh, "res.partner", "create", {"name": "Parent Co", "is_company": True})
    child = call(fresh, "res.partner", "create", {"name": "Child", "parent_id": parent})
    assert call(fresh, "res.partner", "unlink", [parent]) is True
    assert call(fresh, "res.partner", "read", [parent], ["name"]) == []
    assert call(fresh, "res.partner", "read", [child], ["parent_id"])[0]["parent_id"] is False
    again = call(fresh, "res.partner", "create", {"name": "Next"})
    assert again > child


def test_validation_messages(eng):
    assert error_of(eng, "res.partner", "create", {"email": "a@b.c"}) == (
        "odoo.exceptions.ValidationError",
        "The operation cannot be completed: Contacts require a name",
    )
    assert error_of(eng, "account.move", "create", {"move_type": "bogus"}) == (
        "builtins.ValueError",
        "Wrong value for account.move.move_type: 'bogus'",
    )
    assert error_of(eng, "account.move", "create", {"date": "31/12/2026"}) == (
        "builtins.ValueError",
        "time data '31/12/2026' does not match format '%Y-%m-%d'",
    )
    assert error_of(eng, "res.partner", "create", {"name": "x", "nope": 1}) == (
        "builtins.ValueError",
        "Invalid field 'nope' on model 'res.partner'",
    )


def test_external_ids_unique(fresh):
    vals = {"module": "recorder", "name": "vendor_1", "model": "res.partner", "res_id": 9}
    xid = call(fresh, "ir.model.data", "create", vals)
    assert call(
        fresh,
        "ir.model.data",
        "search_read",
        [("module", "=", "recorder")],
        fields=["name", "model", "res_id", "noupdate"],
    ) == [{"id": xid, "name": "vendor_1", "model": "res.partner", "res_id": 9, "noupdate": False}]
    assert error_of(fresh, "ir.model.data", "create", vals) == (
        "odoo.exceptions.ValidationError",
        "The operation cannot be completed: duplicate key value violates unique constraint "
        '"ir_model_data_module_name_uniq_index"\nDETAIL:  Key (module, name)=(recorder, '
        "vendor_1) already exists.\n",
    )


def test_a_failed_call_rolls_back(fresh):
    before = call(fresh, "res.partner", "search_count", [])
    with pytest.raises(OdooServerException):
        call(fresh, "res.partner", "create", [{"name": "ok"}, {"email": "no name"}])
    assert call(fresh, "res.partner", "search_count", []) == before


# ---- RPC surface -------------------------------------------------------------------------------
def test_rpc_errors(eng):
    assert error_of(eng, "res.partner", "no_such_method", []) == (
        "builtins.AttributeError",
        "The method 'no_such_method' does not exist on the model 'res.partner'",
    )
    assert error_of(eng, "no.such.model", "search_read", []) == (
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    )
    assert error_of(eng, "res.partner", "_compute_display_name", [1]) == (
        "odoo.exceptions.AccessError",
        "Private methods (such as _compute_display_name) cannot be called remotely.",
    )
    assert error_of(eng, "res.partner", "search_count") == (
        "builtins.TypeError",
        "BaseModel.search_count() missing 1 required positional argument: 'domain'",
    )
    assert error_of(eng, "res.partner", "search_read", [], bogus=1) == (
        "builtins.TypeError",
        "BaseModel._read_format() got an unexpected keyword argument 'bogus'",
    )
    assert error_of(eng, "res.partner", "search_count", [], uid=999) == (
        "odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)",
    )


def test_named_calls_odoo19_errors():
    eng19 = Engine(odoo_version=19)

    def named_error(model, method, params):
        with pytest.raises(OdooServerException) as info:
            eng19.execute_named(ADMIN, model, method, params)
        return info.value.name, info.value.message

    assert named_error("no.such.model", "search_read", {"domain": []}) == (
        "werkzeug.exceptions.NotFound",
        "the model 'no.such.model' does not exist",
    )
    assert named_error("res.partner", "no_such_method", {}) == (
        "werkzeug.exceptions.NotFound",
        "The method 'res.partner.no_such_method' does not exist",
    )
    assert named_error("res.partner", "_search", {"domain": []}) == (
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner._search') cannot be called remotely.",
    )
    assert named_error("res.partner", "search_count", {"domain": [], "no_such_kwarg": 1}) == (
        "werkzeug.exceptions.UnprocessableEntity",
        "got an unexpected keyword argument 'no_such_kwarg'",
    )
    assert named_error("res.partner", "write", {"ids": [1]}) == (
        "werkzeug.exceptions.UnprocessableEntity",
        "missing a required argument: 'vals'",
    )
    assert named_error("res.partner", "search_read", {"ids": [1], "domain": []}) == (
        "werkzeug.exceptions.UnprocessableEntity",
        "cannot call res.partner.search_read with ids",
    )
    assert named_error("res.partner", "search_read", {"domain": [], "no_such_kwarg": 1}) == (
        "builtins.TypeError",
        "BaseModel._read_format() got an unexpected keyword argument 'no_such_kwarg'",
    )
    assert named_error("res.partner", "read", {"ids": [1], "fields": ["no_such_field"]}) == (
        "builtins.ValueError",
        "Invalid field 'no_such_field' on 'res.partner'",
    )
    assert eng19.execute_named(
        ADMIN, "res.partner", "read", {"ids": 1, "fields": ["name"], "load": None}
    ) == [{"id": 1, "name": "My Company (San Francisco)"}]
    copy = eng19.execute_named(ADMIN, "res.partner", "copy", {"ids": [3]})
    assert isinstance(copy, list)
    assert len(copy) == 1


def test_name_search_and_name_create(fresh):
    pid, name = call(fresh, "res.partner", "name_create", "Zebra Unique Ltd")
    assert name == "Zebra Unique Ltd"
    assert call(fresh, "res.partner", "name_search", "zebra unique") == [[pid, name]]
    assert call(fresh, "res.partner", "default_get", ["type", "active", "lang"]) == {
        "type": "contact",
        "active": True,
        "lang": "en_US",
    }


def test_context_get_and_version(eng):
    assert call(eng, "res.users", "context_get") == {
        "lang": "en_US",
        "tz": "Europe/Brussels",
        "uid": ADMIN,
    }
    assert eng.database == "odoo17"
    assert eng.version_info["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert Engine(odoo_version=18).version_info["server_serie"] == "18.0"


def test_context_language_check_on_odoo19():
    eng19 = Engine(odoo_version=19)
    with pytest.raises(OdooServerException) as info:
        eng19.execute_named(
            ADMIN,
            "res.country",
            "search_read",
            {"domain": [], "fields": ["name"], "context": {"lang": "de_DE"}},
        )
    assert (info.value.name, info.value.message) == (
        "odoo.exceptions.UserError",
        "Invalid language code: de_DE",
    )
    assert (
        eng19.execute_named(
            ADMIN, "res.country", "search_count", {"domain": [], "context": {"lang": "en_US"}}
        )
        == 10
    )


ACCESS_CALLS = [  # (method, args, kwargs) of execute_kw calls checking read access
    ("has_access", [[], "read"], {}),
    ("check_access", [[], "read"], {}),
    ("check_access_rights", ["read"], {}),
    ("check_access_rights", ["read"], {"raise_exception": False}),
]
PRIVATE = (
    "odoo.exceptions.AccessError",
    "Private methods (such as 'account.move.check_access') cannot be called remotely.",
)
MISSING = "builtins.AttributeError"
DENIED = "odoo.exceptions.AccessError"


@pytest.mark.parametrize(
    ("version", "admin", "demo"),
    [
        # 17: only check_access_rights
        (17, [MISSING, MISSING, True, True], [MISSING, MISSING, DENIED, False]),
        # 18: has_access and check_access (None when allowed), check_access_rights deprecated
        # (it returns check_access's None when it does not raise)
        (18, [True, None, None, True], [False, DENIED, DENIED, False]),
        # 19: check_access is @api.private; check_access_rights still there (gone in saas-19.1)
        (19, [True, PRIVATE, None, True], [False, PRIVATE, DENIED, False]),
    ],
)
def test_access_check_methods_follow_the_version(version, admin, demo):
    eng = Engine(odoo_version=version)
    for uid, expected in ((ADMIN, admin), (eng.users["demo"]["uid"], demo)):
        answers = []
        for method, args, kwargs in ACCESS_CALLS:
            try:
                answers.append(eng.execute(uid, "account.move", method, args, kwargs))
            except OdooServerException as error:
                answer = (error.name, error.message)
                answers.append(answer if answer == PRIVATE else error.name)
        assert answers == expected, (version, uid)
    if version == 19:  # JSON-2: named arguments
        call19 = eng.execute_named
        assert call19(ADMIN, "mail.thread", "has_access", {"ids": [], "operation": "read"}) is False
        assert call19(ADMIN, "account.move", "has_access", {"ids": [], "operation": "read"})
        with pytest.raises(OdooServerException) as info:
            call19(ADMIN, "account.move", "check_access", {"ids": [], "operation": "read"})
        assert (info.value.name, info.value.message) == PRIVATE


def test_computed_fields_clients_read(eng):
    xid = call(
        eng,
        "ir.model.data",
        "search_read",
        [("module", "=", "base"), ("name", "=", "main_partner")],
        fields=["complete_name", "reference"],
    )
    assert xid[0]["complete_name"] == "base.main_partner"
    assert xid[0]["reference"] == "res.partner,1"
    row = call(eng, "res.partner", "read", [1, 3], ["email_formatted", "company_type"])
    assert row[0] == {
        "id": 1,
        "email_formatted": '"My Company (San Francisco)" <info@yourcompany.com>',
        "company_type": "company",
    }
    assert row[1]["company_type"] == "person"


def test_datetime_compared_with_a_date_and_whole_seconds(fresh):
    fresh.clock = lambda: datetime(2026, 5, 4, 23, 59, 59, 500000)
    late = call(fresh, "res.partner", "create", {"name": "Late"})
    fresh.clock = lambda: datetime(2026, 5, 5, 0, 0, 0)
    midnight = call(fresh, "res.partner", "create", {"name": "Midnight"})
    stored = rows_sql(fresh, "SELECT write_date FROM res_partner WHERE id = ?", (midnight,))
    assert stored == [("2026-05-05 00:00:00",)]
    assert call(fresh, "res.partner", "search", [("write_date", "=", "2026-05-05 00:00:00")]) == [
        midnight
    ]
    both = ("id", "in", [late, midnight])
    # Like PostgreSQL: 23:59:59.5 is after the '23:59:59' Odoo puts on a date for '<=' and '>'.
    assert call(fresh, "res.partner", "search", [("write_date", "<=", "2026-05-04"), both]) == []
    assert call(
        fresh, "res.partner", "search", [("write_date", ">", "2026-05-04"), both], order="id"
    ) == [late, midnight]
    assert call(fresh, "res.partner", "search", [("write_date", ">=", "2026-05-05"), both]) == [
        midnight
    ]
    assert len(call(fresh, "res.country", "search", [], limit=0)) == 10


def test_hierarchy_any_and_optional_operators(eng):
    company = rows_sql(
        eng,
        "SELECT parent_id FROM res_partner WHERE parent_id IS NOT NULL "
        "GROUP BY parent_id ORDER BY COUNT(*) DESC LIMIT 1",
    )[0][0]
    children = [
        r[0] for r in rows_sql(eng, "SELECT id FROM res_partner WHERE parent_id = ?", (company,))
    ]
    ctx = {"active_test": False}
    got = call(eng, "res.partner", "search", [("id", "child_of", company)], order="id", context=ctx)
    assert got == sorted([company, *children])
    assert call(
        eng, "res.partner", "search", [("id", "parent_of", children[0])], order="id", context=ctx
    ) == sorted([company, children[0]])
    with_tags = call(
        eng,
        "res.partner",
        "search",
        [("category_id", "any", [("name", "=", "Prospects")])],
        context=ctx,
    )
    assert sorted(with_tags) == call(
        eng,
        "res.partner",
        "search",
        [("category_id.name", "=", "Prospects")],
        order="id",
        context=ctx,
    )
    assert call(eng, "res.partner", "search_count", [("email", "=?", False)], context=ctx) == call(
        eng, "res.partner", "search_count", [], context=ctx
    )
    posted = call(
        eng, "account.move", "search", [("line_ids", "any", [("display_type", "=", "tax")])]
    )
    expected = rows_sql(
        eng, "SELECT DISTINCT move_id FROM account_move_line WHERE display_type = 'tax'"
    )
    assert sorted(posted) == sorted(r[0] for r in expected)
