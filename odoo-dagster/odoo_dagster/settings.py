"""What the code location runs, from the environment (read when Dagster loads the code location,
and again in each step's process).

- `ODOO_MODELS` (default: the models meltano.yml selects): Odoo models to sync, comma-separated,
  one step each;
- `ODOO_PARTITIONS` (none): JSON `{"model": [cut, cut, ...]}`: that model is read as id ranges,
  one step each: `id < cut1`, `cut1 <= id < cut2`, ..., `id >= last cut`;
- `ODOO_PARALLEL` (2): steps running at once; each sends one request at a time to Odoo;
- `ODOO_RETRIES` (2): retries of a failed step (it resumes from its last saved state);
- `ODOO_RETRY_DELAY` (60): seconds before the first retry (doubling, with jitter);
- `ODOO_SCHEDULE` (`*/30 * * * *`): cron of the schedule;
- `ODOO_EXECUTOR` (`multiprocess`): how steps run: `multiprocess` (one process per step on this
  machine), `k8s` (one Kubernetes pod per step, needs dagster-k8s), `docker` (one container per
  step, needs dagster-docker), `celery` (Celery workers, needs dagster-celery; the number of
  workers then bounds the steps at once);
- `ODOO_POOL` (`odoo`): the Dagster concurrency pool of every step: a limit set on the instance
  (`dagster instance concurrency set odoo 4`) holds across all runs and executors, e.g. one
  pool per Odoo database when several code locations sync several databases;
- `ODOO_EXTRACTOR`, `ODOO_LOADER` (`tap-odoo`, `target-postgres`): the plugins each step runs;
- `MELTANO_PROJECT_ROOT` (the repository holding this package, else the current folder): where
  meltano.yml is;
- `MELTANO_BIN` (`meltano` next to this Python, else on PATH): the meltano command.

Meltano's own variables pass through to every step: `MELTANO_ENVIRONMENT` (which meltano.yml
environment, hence the state ids' prefix), `MELTANO_DATABASE_URI` (the system database where the
states live: PostgreSQL, so steps on different machines share them), and the plugins' settings.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

# The models meltano.yml's `select` names for tap-odoo (tests/test_dagster_plan.py keeps the two
# lists equal).
DEFAULT_MODELS = (
    "res.partner", "res.country", "res.currency", "product.product", "product.template",
    "account.account", "account.tax", "account.journal", "account.move", "account.move.line",
    "purchase.order", "purchase.order.line", "sale.order", "sale.order.line",
)  # fmt: skip
DEFAULT_PARALLEL = 2
DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY = 60.0
DEFAULT_SCHEDULE = "*/30 * * * *"
EXECUTORS = ("multiprocess", "k8s", "docker", "celery")


class SettingsError(ValueError):
    """An environment variable of the code location is malformed; the message names it."""


def _project_root(environ: t.Mapping[str, str]) -> Path:
    if environ.get("MELTANO_PROJECT_ROOT"):
        return Path(environ["MELTANO_PROJECT_ROOT"])
    repository = Path(__file__).resolve().parents[2]
    return repository if (repository / "meltano.yml").exists() else Path.cwd()


def _meltano(environ: t.Mapping[str, str]) -> str:
    if environ.get("MELTANO_BIN"):
        return environ["MELTANO_BIN"]
    beside = Path(sys.executable).parent / "meltano"
    return str(beside) if beside.exists() else shutil.which("meltano") or "meltano"


def _number(environ: t.Mapping[str, str], name: str, default: float, low: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {text!r}") from None
    if value < low:
        raise SettingsError(f"{name} must be at least {low:g}, not {text!r}")
    return value


def _integer(environ: t.Mapping[str, str], name: str, default: int, low: int) -> int:
    value = _number(environ, name, default, low)
    if value != int(value):
        raise SettingsError(f"{name} must be a whole number, not {environ[name]!r}")
    return int(value)


def _models(environ: t.Mapping[str, str]) -> tuple[str, ...]:
    text = environ.get("ODOO_MODELS", "").strip()
    if not text:
        return DEFAULT_MODELS
    models = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    bad = [model for model in models if not model.replace(".", "").replace("_", "").isalnum()]
    if bad:
        raise SettingsError(f"ODOO_MODELS: {bad} are not Odoo model names (such as res.partner)")
    return models


def _partitions(environ: t.Mapping[str, str]) -> dict[str, tuple[int, ...]]:
    text = environ.get("ODOO_PARTITIONS", "").strip()
    if not text:
        return {}
    example = '{"account.move.line": [250000, 500000, 750000]}'
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"ODOO_PARTITIONS is not JSON ({error}); e.g. {example}") from None
    if not isinstance(value, dict):
        raise SettingsError(f"ODOO_PARTITIONS must be a JSON object such as {example}")
    partitions = {}
    for model, cuts in value.items():
        if not (
            isinstance(cuts, list)
            and cuts
            and all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in cuts)
        ):
            raise SettingsError(
                f"ODOO_PARTITIONS: {model!r} needs a list of positive ids where ranges start "
                f"(such as {example}), not {cuts!r}"
            )
        if sorted(set(cuts)) != cuts:
            raise SettingsError(
                f"ODOO_PARTITIONS: the ids of {model!r} must rise, each once: {cuts!r}"
            )
        partitions[model] = tuple(cuts)
    return partitions


def _executor(environ: t.Mapping[str, str]) -> str:
    name = environ.get("ODOO_EXECUTOR", "").strip() or "multiprocess"
    if name not in EXECUTORS:
        raise SettingsError(f"ODOO_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {name!r}")
    return name


@dataclass(frozen=True)
class Settings:
    """The code location's settings; `from_env()` reads them."""

    models: tuple[str, ...] = DEFAULT_MODELS
    partitions: dict[str, tuple[int, ...]] = field(default_factory=dict)
    parallel: int = DEFAULT_PARALLEL
    retries: int = DEFAULT_RETRIES
    retry_delay: float = DEFAULT_RETRY_DELAY
    schedule: str = DEFAULT_SCHEDULE
    executor: str = "multiprocess"
    pool: str = "odoo"
    extractor: str = "tap-odoo"
    loader: str = "target-postgres"
    project_root: Path = Path()
    meltano: str = "meltano"

    @classmethod
    def from_env(cls, environ: t.Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: this process's environment)."""
        environ = os.environ if environ is None else environ
        partitions = _partitions(environ)
        models = _models(environ)
        models += tuple(model for model in partitions if model not in models)
        return cls(
            models=models,
            partitions=partitions,
            parallel=_integer(environ, "ODOO_PARALLEL", DEFAULT_PARALLEL, 1),
            retries=_integer(environ, "ODOO_RETRIES", DEFAULT_RETRIES, 0),
            retry_delay=_number(environ, "ODOO_RETRY_DELAY", DEFAULT_RETRY_DELAY, 0),
            schedule=environ.get("ODOO_SCHEDULE", "").strip() or DEFAULT_SCHEDULE,
            executor=_executor(environ),
            pool=environ.get("ODOO_POOL", "").strip() or "odoo",
            extractor=environ.get("ODOO_EXTRACTOR", "").strip() or "tap-odoo",
            loader=environ.get("ODOO_LOADER", "").strip() or "target-postgres",
            project_root=_project_root(environ),
            meltano=_meltano(environ),
        )
