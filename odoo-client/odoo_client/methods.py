"""What the client knows about ORM methods: which only read, and their JSON-2 parameter names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

READ_ONLY_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "read",
        "read_group",
        "formatted_read_group",
        "web_read",
        "web_search_read",
        "web_read_group",
        "fields_get",
        "check_access_rights",
        "has_access",
        "check_access",
        "name_search",
        "name_get",
        "context_get",
        "default_get",
        "display_name_for",
        "get_available_models",
        "check_object_reference",
        "exists",
        "get_metadata",
        "get_views",
        "fields_view_get",
        "version",
        "login",
        "authenticate",
        "list",
        "server_version",
    }
)

# Positional parameters of common ORM methods in order; "ids" means the recordset itself.
JSON2_PARAMETERS: dict[str, tuple[str, ...]] = {
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "search_fetch": ("domain", "field_names", "offset", "limit", "order"),
    "read": ("ids", "fields", "load"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "web_read": ("ids", "specification"),
    "web_search_read": ("domain", "specification", "offset", "limit", "order", "count_limit"),
    "create": ("vals_list",),
    "write": ("ids", "vals"),
    "unlink": ("ids",),
    "copy": ("ids", "default"),
    "exists": ("ids",),
    "get_metadata": ("ids",),
    "fields_get": ("allfields", "attributes"),
    "check_access_rights": ("operation", "raise_exception"),
    "has_access": ("ids", "operation"),
    "check_access": ("ids", "operation"),
    "name_search": ("name", "domain", "operator", "limit"),
    "name_create": ("name",),
    "default_get": ("fields",),
    "context_get": (),
    # ir.model's model-selector methods (web module), the least-privilege user's catalog source
    "display_name_for": ("models",),
    "get_available_models": (),
    "check_object_reference": ("module", "xml_id", "raise_on_access_error"),
}


def is_read_only(method: str | None) -> bool:
    """Whether `method` only reads (safe to re-send when its answer was lost)."""
    return bool(method) and method in READ_ONLY_METHODS


def json2_body(
    model: str, method: str, args: Sequence[Any], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The named-argument body JSON-2 wants for `model.method(*args, **kwargs)`.

    Methods outside the table take the record ids as their only positional argument.
    """
    names = JSON2_PARAMETERS.get(method, ("ids",))
    if len(args) > len(names):
        raise TypeError(
            f"{model}.{method}: JSON-2 takes named arguments only; pass the arguments after "
            f"the first {len(names)} as keywords, e.g. call({model!r}, {method!r}, ids, "
            "name=value)."
        )
    body = dict(zip(names, args, strict=False))
    for name, value in kwargs.items():
        if name in body:
            raise TypeError(f"{model}.{method}: argument {name!r} given both by position and name.")
        body[name] = value
    return body
