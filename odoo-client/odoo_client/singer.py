"""The connection settings as Singer SDK properties: tap and target splat them into their config."""

from __future__ import annotations

from singer_sdk import typing as th

from odoo_client.settings import PROTOCOLS

CONNECTION_PROPERTIES: list[th.Property] = [
    th.Property(
        "url",
        th.StringType,
        required=True,
        title="Odoo URL",
        description="The address you open Odoo with; paths such as /odoo/contacts are ignored.",
        examples=["https://acme.odoo.com", "http://localhost:8069"],
    ),
    th.Property(
        "port",
        th.IntegerType,
        title="Port",
        description="Port, when not in the URL (Odoo's own default is 8069).",
        examples=[8069],
    ),
    th.Property(
        "database",
        th.StringType,
        title="Database",
        description="Database name; may be left out when the server offers exactly one.",
        examples=["acme"],
    ),
    th.Property(
        "username",
        th.StringType,
        required=True,
        title="Username",
        description="The Odoo login of the user to connect as.",
        examples=["admin", "api@acme.com"],
    ),
    th.Property(
        "password",
        th.StringType,
        required=True,
        secret=True,
        title="Password or API key",
        description=(
            "The user's password or, better, an API key (Preferences > Account Security > New "
            "API Key). Odoo 19+ JSON-2 needs an API key; keys last at most 3 months there."
        ),
    ),
    th.Property(
        "protocol",
        th.StringType,
        default="auto",
        allowed_values=list(PROTOCOLS),
        title="Protocol",
        description=(
            "auto: JSON-2 on Odoo 19+ with an API key, else JSON-RPC. xmlrpc, jsonrpc, json2 or "
            "websession (the web client's routes) to force one."
        ),
    ),
    th.Property(
        "timeout",
        th.NumberType,
        default=120,
        title="Request timeout",
        description="Seconds to wait for each answer (hosted Odoo stops requests after 120 s).",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=8,
        title="Max retries",
        description="Retries of a failed request (429, 502, 503, 504, timeouts, dropped links).",
    ),
    th.Property(
        "max_retry_time",
        th.NumberType,
        default=600,
        title="Max retry time",
        description="Seconds after which a failing request is given up, retries included.",
    ),
    th.Property(
        "verify_ssl",
        th.BooleanType,
        default=True,
        title="Verify TLS certificates",
        description="Turn off only for a server you trust with a self-signed certificate.",
    ),
    th.Property(
        "user_agent",
        th.StringType,
        default="odoo-singer",
        title="User agent",
        description="User-Agent header sent with every request.",
    ),
    th.Property(
        "lang",
        th.StringType,
        title="Language",
        description="Language of translated values and labels (installed in Odoo).",
        examples=["en_US", "fr_BE"],
    ),
    th.Property(
        "tz",
        th.StringType,
        title="Time zone",
        description="Time zone in the context (datetimes read are UTC whatever it is).",
        examples=["Europe/Brussels"],
    ),
    th.Property(
        "company_ids",
        th.ArrayType(th.IntegerType),
        title="Companies",
        description="Allowed companies (they decide company-dependent values); default: user's.",
        examples=[[1, 2]],
    ),
    th.Property(
        "include_archived",
        th.BooleanType,
        default=True,
        title="Include archived records",
        description="Read archived (active = false) records too.",
    ),
]
