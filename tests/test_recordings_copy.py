"""The recordings the tests check the sandbox against are the ones real Odoo servers answered."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "recordings"
SOURCE = Path(__file__).resolve().parents[2] / "shared"


@pytest.mark.parametrize("version", ["odoo17", "odoo19"])
def test_recordings_are_present(version: str) -> None:
    assert len(list((HERE / version).glob("*.json"))) > 10


@pytest.mark.skipif(not SOURCE.is_dir(), reason="../shared (the recordings' source) not beside it")
@pytest.mark.parametrize("version", ["odoo17", "odoo19"])
def test_copy_equals_the_shared_recordings(version: str) -> None:
    source = {path.name: path.read_bytes() for path in (SOURCE / version).iterdir()}
    copy = {path.name: path.read_bytes() for path in (HERE / version).iterdir()}
    assert sorted(copy) == sorted(source)
    assert [name for name in source if copy[name] != source[name]] == []
