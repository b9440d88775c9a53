"""target_odoo.line_commands: how the lines of an existing record become one2many commands."""

from __future__ import annotations

import pytest

from target_odoo.line_commands import line_commands
from target_odoo.mapping import LinesRule, StateGuard
from target_odoo.record_values import RecordError

PAIRED = LinesRule(
    path="lines",
    model="purchase.order.line",
    match_by=("product_id",),
    always_write=("price_unit",),
    zero_when=StateGuard("state", ("purchase", "done")),
    zero={"product_qty": 0},
    not_below={"product_qty": "qty_received"},
    leave_when=StateGuard("display_type", ("line_section", "line_note")),
)
DRAFT, CONFIRMED = {"state": "draft"}, {"state": "purchase"}


def row(lid: int, product: int | bool, qty: float, price: float, **more) -> dict:
    """An existing line as Odoo's `read` answers it (many2one as [id, name])."""
    shown = [product, f"Product {product}"] if product else False
    extra = {"qty_received": 0.0, "display_type": False, **more}
    return {"id": lid, "product_id": shown, "product_qty": qty, "price_unit": price, **extra}


def want(product: int, qty: float, price: float) -> dict:
    return {"product_id": product, "product_qty": qty, "price_unit": price}


def test_unchanged_lines_need_no_command():
    current = [row(1, 3, 10, 80), row(2, 4, 3, 30)]

    assert (
        line_commands("order_line", PAIRED, [want(3, 10, 80), want(4, 3, 30)], current, {}) is None
    )


def test_changed_added_and_removed_lines_of_a_draft():
    current = [row(1, 3, 10, 80), row(2, 4, 3, 30), row(3, 1, 5, 10)]
    desired = [want(3, 12, 80), want(1, 5, 10), want(2, 2, 20)]

    commands = line_commands("order_line", PAIRED, desired, current, DRAFT)

    # the price goes with the quantity, though unchanged; product 4's line is removed
    assert commands == [
        (1, 1, {"product_qty": 12, "price_unit": 80}),
        (2, 2),
        (0, 0, want(2, 2, 20)),
    ]


def test_a_confirmed_order_zeroes_the_line_it_may_not_remove():
    current = [row(1, 3, 10, 80), row(2, 4, 3, 30), row(3, 4, 0, 25)]

    commands = line_commands("order_line", PAIRED, [want(3, 10, 80)], current, CONFIRMED)

    assert commands == [(1, 2, {"product_qty": 0, "price_unit": 30})]  # line 3 is at 0 already


def test_lines_of_one_product_pair_in_order_and_sections_are_left_alone():
    current = [row(1, 3, 1, 5), row(2, False, 0, 0, display_type="line_note"), row(3, 3, 2, 5)]

    commands = line_commands("order_line", PAIRED, [want(3, 1, 5), want(3, 4, 5)], current, DRAFT)

    assert commands == [(1, 3, {"product_qty": 4, "price_unit": 5})]


@pytest.mark.parametrize(
    ("desired", "header", "message"),
    [
        ([want(3, 5, 80)], CONFIRMED, r"line 1 \(Product 3\) has qty_received 8; its product_qty"),
        ([], CONFIRMED, r"line 1 \(Product 3\) is gone from the source but has qty_received 8"),
        ([], DRAFT, r"is gone from the source but has qty_received 8"),
    ],
)
def test_never_below_what_was_received(desired, header, message):
    current = [row(1, 3, 10, 80, qty_received=8.0)]

    with pytest.raises(RecordError, match=message):
        line_commands("order_line", PAIRED, desired, current, header)
    assert line_commands("order_line", PAIRED, [want(3, 8, 80)], current, header) == [
        (1, 1, {"product_qty": 8, "price_unit": 80})
    ]


def test_without_match_by_changed_lines_are_replaced():
    rule = LinesRule(path="lines", model="account.move.line")
    current = [{"id": 1, "name": "A", "quantity": 1.0}, {"id": 2, "name": "B", "quantity": 1.0}]
    desired = [{"name": "A", "quantity": 2.0}]

    assert line_commands("invoice_line_ids", rule, desired, current, {}) == [
        (2, 1),
        (2, 2),
        (0, 0, {"name": "A", "quantity": 2.0}),
    ]
    assert line_commands("invoice_line_ids", rule, [desired[0]], current[:1], {}) == [
        (2, 1),
        (0, 0, {"name": "A", "quantity": 2.0}),
    ]
