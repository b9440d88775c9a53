"""tap-odoo's message writer: the SDK's bytes, faster, and a flush only where resuming needs one."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math

import pytest
from singer_sdk.singerlib import RecordMessage, SchemaMessage, StateMessage
from singer_sdk.singerlib.encoding.simple import SimpleSingerWriter

from tap_odoo.output import PageBufferedWriter, record_envelope_end, record_prefix

MESSAGES = [
    RecordMessage(
        stream="res_partner",
        record={
            "id": 7,
            "name": "Zoë Café 😀",
            "credit_limit": 0.1 + 0.2,
            "big": 1e20,
            "category_id": [1, 2],
            "parent_id": None,
            "active": False,
            "x_studio_json": {"nested": [1, "two", None]},
        },
        version=3,
        time_extracted=dt.datetime(2026, 12, 2, 5, 0, 1, 123456, tzinfo=dt.timezone.utc),
    ),
    RecordMessage(stream="s", record={"nan": math.nan, "inf": math.inf, "n": 1}),
    StateMessage(value={"bookmarks": {"res_partner": {"resume": {"after_id": 2000}}}}),
    SchemaMessage(
        stream="res_partner",
        schema={"type": "object", "properties": {"id": {"type": "integer"}}},
        key_properties=["id"],
        bookmark_properties=["write_date"],
    ),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: type(message).__name__)
def test_messages_are_encoded_exactly_as_the_sdk_encodes_them(message) -> None:
    assert PageBufferedWriter().serialize_message(message) == (
        SimpleSingerWriter().serialize_message(message)
    )


def test_nan_is_written_as_null_not_as_invalid_json() -> None:
    line = PageBufferedWriter().serialize_message(MESSAGES[1])
    assert line == '{"type":"RECORD","stream":"s","record":{"nan":null,"inf":null,"n":1}}'


class CountingStdout(io.StringIO):
    """A stdout that counts its flushes."""

    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_records_are_buffered_and_every_other_message_is_flushed(monkeypatch) -> None:
    stdout = CountingStdout()
    monkeypatch.setattr("sys.stdout", stdout)
    writer = PageBufferedWriter()
    for _ in range(3):
        writer.write_message(MESSAGES[0])
    assert stdout.flushes == 0
    writer.write_message(MESSAGES[2])  # the STATE after a page pushes the page's records out
    assert stdout.flushes == 1
    writer.write_message(MESSAGES[3])
    assert stdout.flushes == 2
    assert stdout.getvalue().count("\n") == 5


def direct_line(message: RecordMessage, stdout) -> str:
    """What `write_record` writes for `message` to `stdout`."""
    writer = PageBufferedWriter()
    prefix = record_prefix(message.stream)
    end = record_envelope_end(message.version, message.time_extracted)
    with contextlib.redirect_stdout(stdout):
        writer.write_record(prefix, message.record, end)
    stdout.flush()
    return stdout.getvalue() if isinstance(stdout, io.StringIO) else stdout.buffer.getvalue()


@pytest.mark.parametrize("message", MESSAGES[:2], ids=["unicode", "nan"])
def test_direct_records_are_the_sdks_bytes_where_stdout_is_not_utf8(message) -> None:
    assert (
        direct_line(message, io.StringIO()) == SimpleSingerWriter().format_message(message) + "\n"
    )


def utf8_stdout(errors: str = "strict") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors)


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])
def test_direct_records_carry_text_as_utf8_and_parse_to_the_sdks_message(errors) -> None:
    message = MESSAGES[0]
    written = direct_line(message, utf8_stdout(errors))
    assert "Zoë Café 😀".encode() in written  # not \\u escapes: half the encoding time
    expected = SimpleSingerWriter().format_message(message)
    assert json.loads(written.decode()) == json.loads(expected)
    assert written.endswith(b"\n")
    assert written.count(b"\n") == 1


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])
def test_a_lone_surrogate_is_escaped_never_written_as_invalid_utf8(errors) -> None:
    message = RecordMessage(stream="s", record={"id": 1, "name": "half \udc80 a pair"})
    written = direct_line(message, utf8_stdout(errors))
    written.decode("utf-8")  # strict: the line is valid UTF-8
    assert b"\\udc80" in written
    assert json.loads(written) == {"type": "RECORD", "stream": "s", "record": message.record}
