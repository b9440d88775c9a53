"""`id_ranges`: the partitions of one stream, each read by its own run with its own state, add up
to exactly one full run, and stay exact run after run (changes, new rows, deletions)."""

from __future__ import annotations

import pytest
from singer_run import run_tap
from test_tap_sync import admin_call, ground_truth, is_referenced, tap_config

pytestmark = pytest.mark.e2e

STREAM = "res_partner"


def partitions(sandbox, count: int) -> list[list[int | None]]:
    """`count` ranges splitting the partners' ids evenly; the last is open-ended."""
    ids = sorted(ground_truth(sandbox, "res.partner"))
    cuts = [ids[len(ids) * k // count] for k in range(1, count)]
    return [[lo, hi] for lo, hi in zip([None, *cuts], [*cuts, None], strict=True)]


def run_partitions(sandbox, ranges, states=None):
    """One tap run per range, each with its own state; (records per range, states)."""
    outputs = [
        run_tap(
            tap_config(sandbox, models=["res.partner"], id_ranges={STREAM: id_range}),
            state=states[index] if states else None,
        )
        for index, id_range in enumerate(ranges)
    ]
    return [out.records[STREAM] for out in outputs], [out.state for out in outputs]


def live(records: list[dict]) -> list[int]:
    return [r["id"] for r in records if not r.get("_sdc_deleted_at")]


def deleted(records: list[dict]) -> set[int]:
    return {r["id"] for r in records if r.get("_sdc_deleted_at")}


def inside(record_id: int, id_range: list[int | None]) -> bool:
    lo, hi = id_range
    return (lo is None or record_id >= lo) and (hi is None or record_id < hi)


def test_four_ranges_add_up_to_one_full_run_then_stay_exact(make_sandbox) -> None:
    sandbox = make_sandbox()
    ranges = partitions(sandbox, 4)
    records, states = run_partitions(sandbox, ranges)

    emitted = [i for part in records for i in live(part)]
    assert sorted(emitted) == sorted(ground_truth(sandbox, "res.partner"))  # no row twice
    for part, id_range in zip(records, ranges, strict=True):
        assert part
        assert all(inside(r["id"], id_range) for r in part)
    for state, id_range in zip(states, ranges, strict=True):
        assert state["bookmarks"][STREAM]["id_range"] == id_range

    ids = sorted(ground_truth(sandbox, "res.partner"))
    changed = [ids[5], ids[len(ids) // 2 + 3]]  # in the first and the third range
    gone = [i for i in ids if inside(i, ranges[1]) and not is_referenced(sandbox, i)][:2]
    gone += [i for i in reversed(ids) if inside(i, ranges[3]) and not is_referenced(sandbox, i)][:1]
    admin_call(sandbox, "res.partner", "write", changed, {"comment": "changed"})
    admin_call(sandbox, "res.partner", "unlink", gone)
    new = admin_call(sandbox, "res.partner", "create", [{"name": f"New {i}"} for i in range(3)])

    again, _ = run_partitions(sandbox, ranges, states)

    assert set(live(again[0])) == {changed[0]}
    assert set(live(again[2])) == {changed[1]}
    assert set(live(again[3])) == set(new)  # new ids land in the open-ended last range
    assert not live(again[1])
    assert [deleted(part) for part in again] == [
        set(),
        {i for i in gone if inside(i, ranges[1])},
        set(),
        {i for i in gone if inside(i, ranges[3])},
    ]


def test_a_state_written_for_another_range_stops_the_run(make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox()
    first = run_tap(tap_config(sandbox, models=["res.partner"], id_ranges={STREAM: [None, 500]}))
    config = tap_config(sandbox, models=["res.partner"], id_ranges={STREAM: [None, 400]})

    second = run_tap(config, state=first.state, check=False)

    assert second.returncode == 3
    assert second.stderr.strip().splitlines()[-1] == (
        "error: ConfigurationError: stream 'res_partner': the state given was written for ids 0 "
        "to 499 and id_ranges now says ids 0 to 399; its bookmark and ids do not apply (its ids "
        "would all look deleted). Give each range a state of its own (meltano run "
        "--state-id-suffix), or start this range over (--full-refresh)"
    )
    assert not second.records


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([10], "must be [first id, end id]"),
        (["1", 5], "must be [first id, end id]"),
        ([500, 400], "500 is not below 400: the range is empty"),
    ],
)
def test_a_malformed_range_is_refused_before_reading(sandbox, value, says) -> None:
    output = run_tap(
        tap_config(sandbox, models=["res.partner"], id_ranges={STREAM: value}), check=False
    )
    assert output.returncode == 3
    assert says in output.stderr.strip().splitlines()[-1]
    assert not output.records
