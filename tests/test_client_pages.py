"""Undecoded pages: the last id read from the end of an answer, and the rows decoded later.

The last id decides which page the tap asks for next, so a wrong one would skip or repeat rows:
every layout that could fool the search must either give the right id or decline (decode now).
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from odoo_client import ConnectionSettings, OdooClient, RowsPage, errors
from odoo_client.pages import deferred_page
from odoo_sandbox import Sandbox

ODOO_STYLE = {}  # json.dumps defaults: ", " and ": ", as Odoo's own JSON-RPC answers
COMPACT = {"separators": (",", ":")}


def jsonrpc_answer(rows: list[dict], **dump_options: Any) -> str:
    """A JSON-RPC success answer, keys in the order Odoo writes them (result last)."""
    return json.dumps({"jsonrpc": "2.0", "id": 7, "result": rows}, **dump_options)


def rows_of(count: int, **extra: Any) -> list[dict]:
    return [
        {"id": 10 + 3 * n, "name": f"Row {n}", "active": n % 2 == 0, **extra} for n in range(count)
    ]


@pytest.mark.parametrize("options", [ODOO_STYLE, COMPACT], ids=["odoo-style", "compact"])
def test_a_full_page_is_deferred_with_its_last_id_and_decodes_to_the_same_rows(options) -> None:
    rows = rows_of(5)
    page = deferred_page(jsonrpc_answer(rows, **options), "result", min_rows=5)
    assert page is not None
    assert not page.is_decoded
    assert page.last_id == rows[-1]["id"]
    assert page.may_be_full(5)
    assert page.rows() == rows
    assert page.is_decoded


def test_json2_answers_are_the_rows_themselves() -> None:
    rows = rows_of(4)
    page = deferred_page(json.dumps(rows), None, min_rows=4)
    assert page is not None
    assert page.last_id == rows[-1]["id"]
    assert page.rows() == rows
    assert deferred_page(json.dumps(rows), "result", min_rows=4) is None  # no envelope: declined


def test_objects_nested_in_the_last_row_are_not_taken_for_it() -> None:
    rows = rows_of(3)
    rows[-1]["x_json"] = {"id": 999, "children": [{"id": 998}, {"id": 997}]}
    rows[-1]["x_list"] = [{"id": 996}]
    for options in (ODOO_STYLE, COMPACT):
        page = deferred_page(jsonrpc_answer(rows, **options), "result", min_rows=3)
        assert page is not None
        assert page.last_id == rows[-1]["id"]
        assert page.rows() == rows


def test_text_that_looks_like_a_row_inside_a_string_is_not_taken_for_one() -> None:
    rows = rows_of(3)
    rows[-1]["comment"] = 'ends like a page: {"id": 12345}]} and \\"{"id": 1}'
    rows[-1]["note"] = "\\"
    page = deferred_page(jsonrpc_answer(rows), "result", min_rows=3)
    assert page is not None
    assert page.last_id == rows[-1]["id"]
    assert page.rows() == rows


@pytest.mark.parametrize(
    "text",
    [
        jsonrpc_answer(rows_of(2)),  # fewer rows than a page: decoded now, its length is exact
        json.dumps({"jsonrpc": "2.0", "id": 1, "result": []}),
        json.dumps({"result": rows_of(3), "id": 1, "jsonrpc": "2.0"}),  # result not last
        jsonrpc_answer([{"name": "id not first", "id": n} for n in range(3)]),
        json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"data": {"arguments": rows_of(3)}}}),
        jsonrpc_answer([*rows_of(2), {"id": "not an integer"}]),
        jsonrpc_answer(rows_of(3))[:-2],  # cut short
    ],
    ids=["short", "empty", "result-first", "id-not-first", "error", "text-id", "truncated"],
)
def test_anything_else_is_declined_so_it_is_decoded_at_once(text: str) -> None:
    assert deferred_page(text, "result", min_rows=3) is None


def test_nested_ids_may_make_a_short_page_look_full_which_costs_one_more_request_only() -> None:
    rows = rows_of(2, x_json={"id": 1})  # 2 rows, 4 objects starting with "id"
    page = deferred_page(jsonrpc_answer(rows), "result", min_rows=3)
    assert page is not None
    assert page.may_be_full(3)
    assert page.rows() == rows
    assert not page.may_be_full(3)  # decoded: its true length says it was the last


def test_a_decoded_page_says_whether_it_was_the_last() -> None:
    assert RowsPage(rows_of(3)).may_be_full(3)
    assert not RowsPage(rows_of(2)).may_be_full(3)
    assert RowsPage([]).last_id is None
    assert RowsPage(rows_of(2)).last_id == 13


def test_a_wrong_last_id_fails_loudly_instead_of_skipping_rows() -> None:
    page = RowsPage.deferred(jsonrpc_answer(rows_of(3)), "result", last_id=10)
    with pytest.raises(errors.OdooError, match="bug in odoo-client"):
        page.rows()


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([False, True, None])
    if kind == 1:
        return rng.randrange(-(10**6), 10**6)
    if kind == 2:
        return rng.random() * 1000
    if kind in (3, 4):
        alphabet = string.ascii_letters + '{}[]":,\\ é😀' + "\n"
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        return rng.choice([text, '{"id": 5}', '"}]}', "\\", '{"id"'])
    if kind in (5, 6):
        value = {"id": rng.randrange(10**6)} if rng.random() < 0.6 else {}
        value.update({f"k{n}": _random_value(rng, depth + 1) for n in range(rng.randrange(3))})
        return value
    return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_random_pages_give_the_right_last_id_or_are_declined() -> None:
    rng = random.Random(20261202)
    deferred = odoo_layouts = 0
    for case in range(600):
        count = rng.randrange(1, 6)
        rows = [
            {
                "id": 1 + 2 * n + case,
                **{f"f{k}": _random_value(rng) for k in range(rng.randrange(5))},
            }
            for n in range(count)
        ]
        options = rng.choice([ODOO_STYLE, COMPACT, {"ensure_ascii": False}, {"indent": 1}])
        wrapped = rng.random() < 0.7
        text = jsonrpc_answer(rows, **options) if wrapped else json.dumps(rows, **options)
        page = deferred_page(text, "result" if wrapped else None, min_rows=count)
        if page is None:
            continue
        deferred += 1
        assert page.last_id == rows[-1]["id"], text
        assert page.rows() == rows
    assert deferred > 0.95 * odoo_layouts  # the layouts Odoo writes are nearly always deferred


@pytest.fixture(scope="module")
def sandboxes():
    started = {version: Sandbox(odoo_version=version, scale=1).start() for version in (17, 19)}
    yield started
    for sandbox in started.values():
        sandbox.stop()


@pytest.mark.parametrize(
    ("version", "protocol", "deferred"),
    [(17, "jsonrpc", True), (17, "websession", True), (17, "xmlrpc", False), (19, "json2", True)],
)
def test_search_read_page_reads_what_search_read_reads_over_every_protocol(
    sandboxes, version: int, protocol: str, deferred: bool
) -> None:
    sandbox = sandboxes[version]
    secret = "api_key" if protocol == "json2" else "password"
    config = {
        "url": sandbox.url,
        "database": sandbox.database,
        "username": "admin",
        "password": sandbox.users["admin"][secret],
        "protocol": protocol,
    }
    with OdooClient(ConnectionSettings.from_config(config)) as client:
        domain = [("id", ">", 3)]
        fields = ["name", "parent_id", "category_id", "write_date", "active"]
        expected = client.search_read("res.partner", domain, fields, limit=7, order="id asc")
        page = client.search_read_page("res.partner", domain, fields, limit=7, order="id asc")
        assert page.is_decoded is not deferred
        assert page.last_id == expected[-1]["id"]
        assert page.rows() == expected
        short = client.search_read_page("res.partner", [("id", "<", 3)], fields, limit=7)
        assert short.is_decoded
        assert not short.may_be_full(7)
