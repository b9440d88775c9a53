"""Running a plugin's command line so that an Odoo failure ends as one clear line.

Exit codes (`OdooError.exit_code`):
  3  configuration (a setting is missing or wrong)
  4  authentication failed or the database does not exist
  5  access denied to a model/operation
  6  unknown model/field/method, rejected values, missing record
  7  server unavailable after retries, or not an Odoo server
  8  a write whose outcome is unknown (answer lost)
  1  any other Odoo error
The traceback is printed too when the log level is DEBUG (LOGLEVEL=DEBUG or a debug logger).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from odoo_client.errors import OdooError

T = TypeVar("T")


def run_cli(main: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `main(*args, **kwargs)`; an OdooError becomes one stderr line and `SystemExit`."""
    try:
        return main(*args, **kwargs)
    except OdooError as error:
        if debug_enabled():
            traceback.print_exc(file=sys.stderr)
        print(f"error: {one_line(error)}", file=sys.stderr, flush=True)
        raise SystemExit(error.exit_code) from None


def one_line(error: OdooError) -> str:
    """The error's message on a single line, prefixed with its kind."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def debug_enabled() -> bool:
    """Whether tracebacks are wanted: LOGLEVEL=DEBUG or a root logger at DEBUG."""
    level = os.environ.get("LOGLEVEL", "").strip().upper()
    return level == "DEBUG" or logging.getLogger().isEnabledFor(logging.DEBUG)
