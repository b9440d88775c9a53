"""What differs between the Odoo versions the sandbox answers as (16 to 19), from Odoo's source.

Narrow `search_read` overrides: some models override `search_read(self, domain=None, fields=None,
offset=0, limit=None, order=None)` without the `**read_kwargs` of `BaseModel.search_read`, so an
extra keyword (`load=False`, `load='_classic_read'`) raises Python's TypeError on the server, worded
with the overriding class: "AccountMoveLine.search_read() got an unexpected keyword argument
'load'". `context` is not affected: `call_kw` takes it off the keywords before calling the method.

- `account.move.line`, class `AccountMoveLine`: Odoo 16 only (addons/account/models/
  account_move_line.py; from 17 the override moved to `search_fetch`). The TypeError is recorded
  from a real Odoo 16 in ../shared/unreadable_models.json.
- `project.tags`, class `ProjectTags`: Odoo 16 (addons/project/models/project.py), 17 and 18
  (project_tags.py), and 19 (project_tags.py, Domain-era) all keep the narrow signature.

Custom modules do this too: declare more with `Engine(narrow_search_read=...)`,
`Sandbox(narrow_search_read=...)` or the fault spec `narrow_search_read=model+model:ClassName`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

VERSIONS = (16, 17, 18, 19)
JSON2_SINCE = 19  # /json/2 answers from 19; before, the route is a 404 page

# model -> (class name in Odoo's source, versions whose class has the narrow signature)
NARROW_SEARCH_READ: dict[str, tuple[str, frozenset[int]]] = {
    "account.move.line": ("AccountMoveLine", frozenset({16})),
    "project.tags": ("ProjectTags", frozenset({16, 17, 18, 19})),
}


def narrow_search_read_models(version: int) -> dict[str, str]:
    """{model: class name} of the models whose `search_read` is narrow on this Odoo version."""
    return {
        model: class_name
        for model, (class_name, versions) in NARROW_SEARCH_READ.items()
        if version in versions
    }


def class_name_of(model: str) -> str:
    """The class name Odoo's convention gives a model: `x_custom.model` -> `XCustomModel`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", model) if part)


def parse_narrow(spec: str | Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """{model: class name} from `model+model:ClassName` or an iterable / mapping of the same."""
    if not spec:
        return {}
    if isinstance(spec, Mapping):
        return {str(model): str(name) for model, name in spec.items()}
    items = spec.split("+") if isinstance(spec, str) else list(spec)
    out: dict[str, str] = {}
    for item in filter(None, (str(i).strip() for i in items)):
        model, _, class_name = item.partition(":")
        if not model:
            raise ValueError(f"narrow_search_read wants model or model:ClassName, got {item!r}")
        out[model] = class_name or class_name_of(model)
    return out


@cache
def narrow_search_read(class_name: str, base: Callable[..., Any]) -> Callable[..., Any]:
    """`search_read` of a class that overrides it without `**read_kwargs` and calls `base`."""

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None):
        return base(self, domain, fields, offset, limit, order)

    qualname = f"{class_name}.search_read"
    search_read.__qualname__ = qualname  # Python names the function by it in a TypeError
    code = search_read.__code__
    if hasattr(code, "co_qualname"):
        search_read.__code__ = code.replace(co_qualname=qualname)
    return search_read


def search_v16(self, domain, offset=0, limit=None, order=None, count=False):
    """Odoo 16's `search` still takes `count=True` (the number of matches; offset, limit and
    order ignored), removed in 17 (odoo/models.py of 16.0)."""
    if count:
        return self.search_count(domain)
    return self.search(domain, offset, limit, order)


search_v16.__qualname__ = "BaseModel.search"


def read_kwargs_consumer(version: int) -> str:
    """Which method receives `search_read`'s extra keywords: 16 passes them to `read`, 17 on to
    `_read_format` (so an unknown one is that method's TypeError)."""
    return "BaseModel.read" if version < 17 else "BaseModel._read_format"
