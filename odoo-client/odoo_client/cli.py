"""Running a plugin's command line so that an Odoo failure ends as one clear line.

Exit codes (`OdooError.exit_code`):
  3  configuration (a setting is missing or wrong)
  4  authentication failed or the database does not exist
  5  access denied to a model/operation
  6  unknown model/field/method, rejected values, missing record
  7  server unavailable after retries, unreachable (nothing answered in this run), or not Odoo
  8  a write whose outcome is unknown (answer lost)
  1  any other Odoo error
  130, 143  stopped by SIGINT / SIGTERM (128 + the signal's number; see odoo_client.stopping)
The traceback is printed too when the log level is DEBUG (LOGLEVEL=DEBUG or a debug logger).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from odoo_client.errors import ConfigurationError, OdooError
from odoo_client.stopping import Stopped

T = TypeVar("T")


JSON_FILE_OPTIONS = ("--config", "--state", "--catalog", "--properties")


def run_cli(main: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `main(*args, **kwargs)`; an OdooError becomes one stderr line and `SystemExit`.

    The JSON files named on the command line are checked first, so a malformed one is named in
    that line instead of ending in the SDK's JSON traceback.
    """
    try:
        check_json_files(sys.argv[1:])
        return main(*args, **kwargs)
    except OdooError as error:
        if debug_enabled():
            traceback.print_exc(file=sys.stderr)
        print(f"error: {one_line(error)}", file=sys.stderr, flush=True)
        raise SystemExit(error.exit_code) from None
    except Stopped as stop:
        end_stopped(stop)


def end_stopped(stop: Stopped) -> NoReturn:
    """End the process after a stop signal: flush what was written, say so, exit 128 + signal.

    `os._exit`: a thread still waiting on Odoo (a prefetch, a retry's wait) is not waited for;
    it sends nothing more (odoo_client.stopping), and its answer is not wanted.
    """
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        print(f"stopped: {stop}; what was written before is complete", file=sys.stderr, flush=True)
    os._exit(stop.exit_code)


def one_line(error: OdooError) -> str:
    """The error's message on a single line, prefixed with its kind."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def debug_enabled() -> bool:
    """Whether tracebacks are wanted: LOGLEVEL=DEBUG or a root logger at DEBUG."""
    level = os.environ.get("LOGLEVEL", "").strip().upper()
    return level == "DEBUG" or logging.getLogger().isEnabledFor(logging.DEBUG)


def check_json_files(argv: Sequence[str]) -> None:
    """Raise ConfigurationError naming the first `--config/--state/--catalog` file that is not a
    readable JSON object (`--config ENV` is meltano's way of saying "from the environment")."""
    for option, value in _option_values(argv):
        if option not in JSON_FILE_OPTIONS or (option == "--config" and value == "ENV"):
            continue
        path = Path(value)
        try:
            parsed = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            msg = f"cannot read the {option[2:]} file {value}: {error.strerror or error}"
            raise ConfigurationError(msg, setting=option) from None
        except ValueError as error:
            msg = (
                f"the {option[2:]} file {value} is not valid JSON ({error}); "
                f"fix it, or run without {option}"
                + (" (a full sync from start_date)" if option == "--state" else "")
            )
            raise ConfigurationError(msg, setting=option) from None
        if not isinstance(parsed, dict):
            msg = (
                f"the {option[2:]} file {value} holds a JSON {type(parsed).__name__}, not an object"
            )
            raise ConfigurationError(msg, setting=option)


def _option_values(argv: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for index, argument in enumerate(argv):
        option, equals, value = argument.partition("=")
        if equals:
            pairs.append((option, value))
        elif index + 1 < len(argv):
            pairs.append((argument, argv[index + 1]))
    return pairs
