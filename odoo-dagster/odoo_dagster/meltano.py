"""Running one step: `meltano run --state-id-suffix <step> <extractor> <loader>` in the project.

Meltano 4 writes each run's catalog and state files to `.meltano/run/<plugin>/` under fixed
names (`tap.properties.json`, `state.json`): two runs of tap-odoo at once in one project would
read each other's. So a step running beside others gets a Meltano system folder of its own
(`MELTANO_SYS_DIR_ROOT`): a temporary folder whose entries link to the project's `.meltano/`
(the installed plugins, a SQLite system database if one is used) except `run/`, its own. The
prepare step runs alone, in the project's folder, and may install missing plugins there.

Its output goes on to this process's stderr (Dagster keeps it as the step's log) and the last
lines are kept for the failure message. tap-odoo's summary table gives the rows and deletions
per stream. meltano runs in a process group of its own with its tap and loader: a stop (Dagster
terminating the run) sends SIGTERM to the group, as Ctrl-C in a terminal would (the tap writes
its last state and exits 143, meltano marks its job ended), and SIGKILL to whatever is left of
it after STOP_WAIT seconds or once meltano has ended. Nothing of a step outlives it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from odoo_dagster.settings import Settings

TAIL_LINES = 40
STOP_WAIT = 60.0  # seconds meltano gets to stop after SIGTERM
# tap-odoo's summary line per stream, as meltano relays it (its own log prefix first).
SUMMARY = re.compile(
    r"tap-odoo\s+(?P<stream>\w+)\s+(?P<status>ok|FAILED)\s+(?P<rows>\d+)\s+(?P<deleted>\d+)\s"
)


class MeltanoRunError(RuntimeError):
    """`meltano run` failed; the message holds its exit code and last lines."""

    def __init__(self, command: list[str], returncode: int, tail: list[str]) -> None:
        self.returncode = returncode
        self.tail = tail
        super().__init__(
            f"`{' '.join(command[1:])}` exited {returncode}; its last lines:\n" + "\n".join(tail)
        )


@dataclass
class RunResult:
    """What one `meltano run` did, from its output."""

    command: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)


def command(
    settings: Settings,
    state_id_suffix: str,
    *,
    full_refresh: bool = False,
    save_state: bool = True,
    install: bool = False,
) -> list[str]:
    """The meltano command line of one step."""
    line = [settings.meltano, "run", "--state-id-suffix", state_id_suffix]
    line += ["--full-refresh"] if full_refresh else []
    line += [] if save_state else ["--no-state-update"]
    # Steps run side by side: only the prepare step may install a missing plugin.
    line += [] if install else ["--no-install"]
    return [*line, settings.extractor, settings.loader]


@contextlib.contextmanager
def private_sys_dir(settings: Settings, label: str) -> Iterator[Path]:
    """A Meltano system folder sharing the project's plugins, with a `run/` of its own."""
    shared = Path(os.environ.get("MELTANO_SYS_DIR_ROOT") or settings.project_root / ".meltano")
    private = Path(tempfile.mkdtemp(prefix=f"meltano-{label}-"))
    try:
        if shared.is_dir():
            for entry in shared.iterdir():
                if entry.name != "run":
                    (private / entry.name).symlink_to(entry.resolve())
        yield private
    finally:
        shutil.rmtree(private, ignore_errors=True)  # removes the links, not what they point to


def run(
    settings: Settings,
    state_id_suffix: str,
    env: dict[str, str],
    *,
    full_refresh: bool = False,
    save_state: bool = True,
    install: bool = False,
) -> RunResult:
    """Run one step to its end; MeltanoRunError when meltano fails.

    With `install` (the prepare step, alone) it runs in the project's own `.meltano/`,
    otherwise in a private system folder (see the module's docstring).
    """
    if install:
        return _run(settings, state_id_suffix, env, full_refresh, save_state, install)
    with private_sys_dir(settings, state_id_suffix) as sys_dir:
        env = {**env, "MELTANO_SYS_DIR_ROOT": str(sys_dir)}
        return _run(settings, state_id_suffix, env, full_refresh, save_state, install)


def _run(
    settings: Settings,
    state_id_suffix: str,
    env: dict[str, str],
    full_refresh: bool,
    save_state: bool,
    install: bool,
) -> RunResult:
    line = command(
        settings,
        state_id_suffix,
        full_refresh=full_refresh,
        save_state=save_state,
        install=install,
    )
    result = RunResult(command=line)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(
        line,
        cwd=settings.project_root,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: meltano, the tap, the loader
    )
    try:
        assert process.stdout is not None
        for text in process.stdout:
            sys.stderr.write(text)
            tail.append(text.rstrip("\n"))
            summary = SUMMARY.search(text)
            if summary:
                result.rows[summary["stream"]] = int(summary["rows"])
                result.deleted[summary["stream"]] = int(summary["deleted"])
        returncode = process.wait()
    finally:
        _stop(process)
    if returncode != 0:
        raise MeltanoRunError(line, returncode, list(tail))
    return result


def _stop(process: subprocess.Popen, wait: float = STOP_WAIT) -> None:
    """If meltano still runs (this step was interrupted): SIGTERM to its process group, then
    SIGKILL to what is left of the group once meltano ended or after `wait` seconds."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    _signal_group(process.pid, signal.SIGKILL)  # a tap or loader left behind, if any
    process.wait()


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)
