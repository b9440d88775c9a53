"""Finding secrets in what a test printed, logged or got back from a command; and the reliability
figures tests record for the README (`record_figures`)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def leaked_places(places: list[tuple[str, str]], secrets: list[str]) -> list[str]:
    """Titles of the (title, text) places whose text holds one of `secrets`."""
    return sorted({title for title, text in places for secret in secrets if secret in text})


def leaked(text: str, secrets: list[str]) -> int:
    """How many secrets appear in `text` (a count: never the secrets themselves)."""
    return sum(1 for secret in secrets if secret and secret in text)


def scrubbed(text: str, secrets: list[str]) -> str:
    """`text` with every secret replaced by ***, safe to show in an assertion message."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def record_figures(test: str, **figures: object) -> None:
    """Append one JSON line of figures to $RELIABILITY_FIGURES, when it is set.

    Keys used by the report: faults (kind -> count), runs, expected, lost, duplicates.
    """
    target = os.environ.get("RELIABILITY_FIGURES")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"test": test, **figures}, sort_keys=True) + "\n")
