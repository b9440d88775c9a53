"""Pages of `search_read` rows whose JSON is decoded when the rows are used, not on arrival.

A paging loop needs only the last id of a page to ask for the next one. Decoding a full page
(2,000 rows) takes about as long as the server takes to find the next one, so the client hands
out a full page undecoded, with its last id read from the end of the answer: the next request
goes out at once and the decoding overlaps the server's work instead of preceding it.

Finding that id is safe by construction, not by trust in the server's layout:
- Odoo writes every row with `id` first (`_read_format` starts each row as `{'id': ...}`), and a
  literal `{"id"` cannot occur inside a JSON string (its quote would be escaped), so each match is
  the start of an object;
- the match is decoded, and only counts when what follows it closes the document exactly as the
  last row of the answer is closed (`]}` after JSON-RPC's `result`, `]` for JSON-2): an object
  nested in a row is followed by its row's `}` too.
When any of this fails (another layout, a short page, an error answer), the answer is decoded at
once as usual.
"""

from __future__ import annotations

import json
from typing import Any

from odoo_client.errors import OdooError

_ROW_START = '{"id"'
_DECODER = json.JSONDecoder()
# Candidates tried from the end: a last row holding objects that start with "id" has a few.
_MAX_CANDIDATES = 16
_MAX_TAIL_CHARS = 64


class RowsPage:
    """One page of rows; `last_id` is known before the rows are decoded."""

    __slots__ = ("_member", "_rows", "_text", "last_id")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows: list[dict[str, Any]] | None = rows
        self._text: str | None = None
        self._member: str | None = None
        self.last_id: int | None = rows[-1].get("id") if rows else None

    @classmethod
    def deferred(cls, text: str, member: str | None, last_id: int) -> RowsPage:
        """A page still in JSON: the whole answer `text`, its rows under `member` (or the
        answer itself when None), and the id of its last row."""
        page = cls([])
        page._rows = None
        page._text = text
        page._member = member
        page.last_id = last_id
        return page

    @property
    def is_decoded(self) -> bool:
        """Whether the rows are Python objects already."""
        return self._rows is not None

    def may_be_full(self, page_size: int) -> bool:
        """Whether a next page may exist: a decoded page shorter than `page_size` was the last;
        an undecoded one was deferred only because it held at least `page_size` rows."""
        return self._rows is None or len(self._rows) >= page_size

    def rows(self) -> list[dict[str, Any]]:
        """The rows, decoded on first use."""
        if self._rows is None:
            answer = json.loads(self._text or "")
            if self._member is not None:
                if not isinstance(answer, dict) or "error" in answer:
                    raise OdooError("the server's answer changed its form mid-page")
                answer = answer.get(self._member)
            rows = answer if isinstance(answer, list) else []
            if not rows or rows[-1].get("id") != self.last_id:
                ends_with = rows[-1].get("id") if rows else None
                msg = (
                    f"odoo-client read a page's last id as {self.last_id!r}, but the page ends "
                    f"with {ends_with!r}: this is a bug in odoo-client; please report it."
                )
                raise OdooError(msg)
            self._rows, self._text = rows, None
        return self._rows


def deferred_page(text: str, member: str | None, min_rows: int) -> RowsPage | None:
    """`text` as an undecoded page when it holds at least `min_rows` rows and its last id can be
    read safely (see the module docstring), else None (decode it now)."""
    if min_rows < 1 or text.count(_ROW_START) < min_rows:
        return None  # a short page: decoding it tells exactly how many rows it has
    tail = "]}" if member is not None else "]"
    last_id = _last_row_id(text, tail)
    if last_id is None:
        return None
    return RowsPage.deferred(text, member, last_id)


def _last_row_id(text: str, tail: str) -> int | None:
    position = len(text)
    for _ in range(_MAX_CANDIDATES):
        position = text.rfind(_ROW_START, 0, position)
        if position < 0:
            return None
        try:
            row, end = _DECODER.raw_decode(text, position)
        except ValueError:
            continue
        rest = text[end : end + _MAX_TAIL_CHARS + 1]
        if len(rest) <= _MAX_TAIL_CHARS and "".join(rest.split()) == tail:
            row_id = row.get("id") if isinstance(row, dict) else None
            return row_id if type(row_id) is int else None
    return None
