"""The one exception the sandbox's ORM raises; the protocol layer turns it into Odoo's wire shapes.

`name` is the dotted class name a real Odoo reports in `data.name` (JSON-RPC), in the last line of
`faultString` (XML-RPC) and in `name` (JSON-2), e.g. "odoo.exceptions.AccessError" or
"builtins.ValueError". The protocol layer derives faultCode and HTTP status from it.
"""

from __future__ import annotations

ACCESS_DENIED = "odoo.exceptions.AccessDenied"
ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"
MISSING_ERROR = "odoo.exceptions.MissingError"
VALUE_ERROR = "builtins.ValueError"
TYPE_ERROR = "builtins.TypeError"
KEY_ERROR = "builtins.KeyError"
INDEX_ERROR = "builtins.IndexError"
ATTRIBUTE_ERROR = "builtins.AttributeError"
SESSION_EXPIRED = "odoo.http.SessionExpiredException"
SERIALIZATION_FAILURE = "psycopg2.errors.SerializationFailure"


class OdooServerException(Exception):
    """An error as Odoo would raise it: its dotted class name and its message."""

    def __init__(self, name: str, message: str, arguments: list | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.arguments = arguments if arguments is not None else [message]

    def __repr__(self) -> str:
        return f"OdooServerException({self.name!r}, {self.message!r})"
