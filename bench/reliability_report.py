"""The README's reliability table: run the reliability suite and tabulate what it recorded.

Runs `pytest tests/test_reliability_*.py` with RELIABILITY_FIGURES pointing at a scratch file (each
test appends one JSON line: faults injected by kind, runs, records expected, lost, duplicates),
then prints one markdown row per test. Every test of the suite is also scanned for leaked
secrets by tests/conftest.py: a leak fails the test, so a green run means none leaked.

    .venv/bin/python bench/reliability_report.py [pytest args...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "| test | faults injected | runs | records | lost | duplicates |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def faults_text(faults: dict) -> str:
    """`429: 1, drop: 3` from a kind -> count mapping (zeros left out)."""
    shown = [f"{kind}: {count}" for kind, count in sorted(faults.items()) if count]
    return ", ".join(shown) or "none"


def main(argv: list[str]) -> int:
    """Run the suite, print the table; the exit code is pytest's."""
    with tempfile.TemporaryDirectory() as directory:
        figures = Path(directory) / "figures.jsonl"
        command = [sys.executable, "-m", "pytest", "-q", *sorted(
            str(path.relative_to(ROOT)) for path in (ROOT / "tests").glob("test_reliability_*.py")
        ), *argv]  # fmt: skip
        env = {**os.environ, "RELIABILITY_FIGURES": str(figures)}
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        lines = figures.read_text().splitlines() if figures.exists() else []
    rows = [json.loads(line) for line in lines]
    print(HEADER)
    for row in rows:
        # A killed tap re-sends the rows after its last STATE (allowed); what counts is what a
        # target committed twice.
        duplicates = row.get("duplicates_committed", row["duplicates"])
        print(
            f"| {row['test']} | {faults_text(row.get('faults') or {})} | {row['runs']} | "
            f"{row['expected']} | {row['lost']} | {duplicates} |"
        )
    totals = {key: sum(row[key] for row in rows) for key in ("runs", "expected", "lost")}
    injected = sum(sum((row.get("faults") or {}).values()) for row in rows)
    print(
        f"\n{len(rows)} tests, {injected} faults injected, {totals['runs']} runs, "
        f"{totals['expected']} records, {totals['lost']} lost; pytest exit {result.returncode}"
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
