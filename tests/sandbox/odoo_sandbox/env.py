"""Who runs an ORM call and with which context; helpers shared by the ORM modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .exceptions import MISSING_ERROR, VALUE_ERROR, OdooServerException
from .registry import Model

CLASSIC = "_classic_read"


@dataclass
class Env:
    """Who runs a call, with which context, and the call's transaction timestamp."""

    uid: int
    context: dict = field(default_factory=dict)
    timestamp: str = ""

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False

    def with_context(self, **values: Any) -> Env:
        return Env(self.uid, {**self.context, **values}, self.timestamp)


def missing_error(model: Model, ids: list[int], uid: int) -> OdooServerException:
    record = (
        f"{model.name}({', '.join(map(str, ids))},)"
        if len(ids) == 1
        else f"{model.name}({', '.join(map(str, ids))})"
    )
    return OdooServerException(
        MISSING_ERROR,
        f"Record does not exist or has been deleted.\n(Record: {record}, User: {uid})",
    )


def normalize_ids(ids: Any) -> list[int]:
    if ids is None or ids is False:
        return []
    if isinstance(ids, int) and not isinstance(ids, bool):
        return [ids]
    if isinstance(ids, (list, tuple)):
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise OdooServerException(VALUE_ERROR, f"Invalid ids: expected integers, got {i!r}")
            out.append(i)
        return out
    raise OdooServerException(VALUE_ERROR, f"Invalid ids: {ids!r}")
