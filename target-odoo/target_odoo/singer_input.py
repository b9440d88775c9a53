"""Reading the Singer input: a line the target cannot take stops the run with one clear message
that names the line's number and what to fix, after the records read before it are written.

The SDK's reader logs a traceback for a line that is not JSON and raises ValueError for an
unknown message type; here every such line becomes an `InvalidInputLine`, a record before its
stream's SCHEMA a `RecordsWithoutSchemaException`, a record without its key a
`MissingKeyPropertiesError`, a schema that is not JSON Schema an `InvalidJSONSchema` and a
stream without mapping a `MappingError`, each prefixed with `line N:`. Before raising,
`before_stop` (the target) writes and reports the records of the lines before.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from typing import IO, Any

from singer_sdk.exceptions import (
    InvalidJSONSchema,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.io_base import SingerMessageType, SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

from target_odoo.mapping import MappingError
from target_odoo.stopping import StopSwitch
from target_odoo.unfinished import RUN_ENDERS

MESSAGE_TYPES = tuple(kind.value for kind in SingerMessageType)
STOPPING = (
    InvalidInputLine,
    InvalidJSONSchema,
    RecordsWithoutSchemaException,
    MissingKeyPropertiesError,
    MappingError,
)
FIX = "fix the tap's output (or the input file) and run again"


def _message_type(message: Any) -> str:
    if not isinstance(message, dict):
        raise InvalidInputLine(
            f"JSON but not a Singer message (a {type(message).__name__}, not an object); {FIX}"
        )
    if "type" not in message:
        keys = ", ".join(sorted(map(str, message))) or "none"
        raise InvalidInputLine(
            f"no 'type' (keys: {keys}); every Singer message names its type, one of "
            f"{', '.join(MESSAGE_TYPES)}; {FIX}"
        )
    kind = message["type"]
    if kind not in MESSAGE_TYPES:
        raise InvalidInputLine(
            f"unknown message type {kind!r} (expected one of {', '.join(MESSAGE_TYPES)}); {FIX}"
        )
    _check_shape(kind, message)
    return kind


# message type -> (key, the type its value must have, what it is) the SDK relies on
SHAPES: dict[str, tuple[tuple[str, type | None, str], ...]] = {
    "SCHEMA": (("stream", str, "text"), ("schema", dict, "an object")),
    "RECORD": (("stream", str, "text"), ("record", dict, "an object")),
    "STATE": (("value", None, ""),),
    "ACTIVATE_VERSION": (("stream", str, "text"), ("version", None, "")),
    "BATCH": (
        ("stream", str, "text"),
        ("encoding", dict, "an object"),
        ("manifest", list, "a list"),
    ),
}


def _check_shape(kind: str, message: dict) -> None:
    """InvalidInputLine naming what a message lacks (never the message itself: it may be
    large and hold personal data)."""
    a = "an" if kind[0] in "AEIOU" else "a"
    for key, wanted, what in SHAPES[kind]:
        if key not in message:
            raise InvalidInputLine(f"{a} {kind} message without {key!r}; {FIX}")
        if wanted is not None and not isinstance(message[key], wanted):
            found = type(message[key]).__name__
            raise InvalidInputLine(
                f"{a} {kind} message whose {key!r} is not {what} ({found}); {FIX}"
            )
    if kind != "SCHEMA":
        return
    if not isinstance(message["schema"].get("properties"), dict):
        raise InvalidInputLine(f"a SCHEMA message whose schema has no 'properties' object; {FIX}")
    keys = message.get("key_properties")
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise InvalidInputLine(
            f"a SCHEMA message whose 'key_properties' is not a list of field names ({keys!r}); "
            f"{FIX}"
        )


class LineReader(SingerReader):
    """The SDK's reader, counting lines and stopping cleanly on one the target cannot take."""

    def __init__(self) -> None:
        super().__init__()
        self.line_number = 0
        self.before_stop: Callable[[Exception], None] | None = None
        self.stop_switch: StopSwitch | None = None  # a signal abandons reading at once
        self.on_end_early: Callable[[BaseException], None] | None = None

    def process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict], None]]
    ) -> Counter[str]:
        """Hand each message to its callback; raise the stopping error naming the line. A stop
        signal or an Odoo error ending the run is reported (`on_end_early`) and raised."""
        try:
            return self._process_lines(file_input, callbacks)
        except RUN_ENDERS as error:
            if self.on_end_early is not None:
                self.on_end_early(error)
            raise

    def _process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict], None]]
    ) -> Counter[str]:
        stats: dict[str, int] = defaultdict(int)
        lines = iter(file_input or self.default_input)
        self.line_number = 0
        switch = self.stop_switch
        while True:
            try:
                with nullcontext() if switch is None else switch.reading_input():
                    line = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError as error:
                self.line_number += 1
                self._stop(InvalidInputLine(f"not UTF-8 text ({error.reason}); {FIX}"), {})
            self.line_number += 1
            if not line.strip():
                continue  # a blank line carries nothing
            message: Any = {}
            try:
                message = self.deserialize_json(line)
                kind = _message_type(message)
                callbacks[kind](message)
            except STOPPING as error:
                self._stop(error, message)
            stats[kind] += 1
        return Counter(**stats)

    def _stop(self, error: Exception, message: Any) -> None:
        if isinstance(error, RecordsWithoutSchemaException):
            error = RecordsWithoutSchemaException(
                f"{message.get('type', 'RECORD')} message of stream {message.get('stream')!r} "
                "before the stream's SCHEMA message; the tap must send each stream's SCHEMA "
                f"before its records: {FIX}"
            )
        if isinstance(error, InvalidJSONSchema):  # the SDK's text goes on for pages
            reason = (str(error).splitlines() or [""])[0].removeprefix("Schema Validation Error: ")
            error = InvalidJSONSchema(
                f"the SCHEMA of stream {message.get('stream')!r} is not a valid JSON schema "
                f"({reason}); {FIX}"
            )
        text = " ".join(str(error).split())
        stopping = type(error)(f"line {self.line_number}: {text}")
        if self.before_stop is not None:
            self.before_stop(stopping)
        raise stopping from None

    def deserialize_json(self, line: str) -> dict:
        """The line's JSON; not JSON: InvalidInputLine (the SDK would log a traceback)."""
        try:
            return deserialize_json(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            raise InvalidInputLine(
                f"not JSON ({error.msg} at column {error.colno}); every input line must be "
                f"one Singer message; {FIX}"
            ) from None
