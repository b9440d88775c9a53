"""The Dagster code location: job `odoo_to_warehouse` and its schedule, built from the settings
in the environment (odoo_dagster.settings).

    prepare_warehouse ──> res_partner
                     ├──> account_move_line__0_250000
                     ├──> account_move_line__250000_500000   (ODOO_PARALLEL at once,
                     ├──> ...                                 each retried ODOO_RETRIES times)
                     └──> account_move_line__750000_up

Every op runs one `meltano run` (odoo_dagster.meltano) with its own state id; the steps after
`prepare_warehouse` are independent of each other. The code location's executor is Dagster's
multiprocess executor with `max_concurrent = ODOO_PARALLEL` (one process per step on this
machine), or with ODOO_EXECUTOR the Kubernetes or Docker executor with the same limit (one pod
or container per step) or Celery's; the job itself does not change. Every step is in the
concurrency pool ODOO_POOL, whose limit, set on the instance, holds across runs and executors.

Run config: `resources: {meltano_runs: {config: {full_refresh: true}}}` reads every step in
full. (No `from __future__ import annotations` here: Dagster reads the ops' annotations.)
"""

from dagster import (
    AssetMaterialization,
    Backoff,
    ConfigurableResource,
    DagsterRunStatus,
    DefaultScheduleStatus,
    Definitions,
    ExecutorDefinition,
    Failure,
    In,
    Jitter,
    JobDefinition,
    Nothing,
    OpDefinition,
    OpExecutionContext,
    Out,
    RetryPolicy,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    job,
    multiprocess_executor,
    op,
    schedule,
)

from odoo_dagster import meltano
from odoo_dagster.plan import Step, prepare_env, steps
from odoo_dagster.settings import Settings, SettingsError

JOB = "odoo_to_warehouse"
IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


class MeltanoRuns(ConfigurableResource):
    """How the steps run meltano in this run (run config `resources.meltano.config`)."""

    full_refresh: bool = False  # ignore the saved states: read every step from the start


def _failure(error: meltano.MeltanoRunError, what: str) -> Failure:
    return Failure(
        description=f"{what}: {error}",
        metadata={"exit code": error.returncode},
    )


def _prepare_op(settings: Settings) -> OpDefinition:
    @op(
        name="prepare_warehouse",
        out=Out(Nothing),
        pool=settings.pool,
        retry_policy=_retry_policy(settings),
        description=(
            "One meltano run reading no row: migrates Meltano's system database and lets the "
            "loader create its schema, tables and new columns before the steps run side by side."
        ),
    )
    def prepare_warehouse(context: OpExecutionContext) -> None:
        try:
            meltano.run(
                settings,
                "prepare",
                prepare_env(settings),
                full_refresh=True,
                save_state=False,
                install=True,
            )
        except meltano.MeltanoRunError as error:
            raise _failure(error, "preparing the warehouse failed") from error
        context.log.info("tables ready for %s", ", ".join(settings.models))

    return prepare_warehouse


def _step_op(settings: Settings, step: Step) -> OpDefinition:
    @op(
        name=step.name,
        ins={"ready": In(Nothing)},
        out=Out(Nothing),
        pool=settings.pool,
        retry_policy=_retry_policy(settings),
        description=f"meltano run {settings.extractor} {settings.loader}: {step.describe()}",
        tags={"odoo/model": step.model, "odoo/state_id_suffix": step.state_id_suffix},
    )
    def run_step(context: OpExecutionContext, meltano_runs: MeltanoRuns) -> None:
        try:
            result = meltano.run(
                settings,
                step.state_id_suffix,
                step.env(),
                full_refresh=meltano_runs.full_refresh,
            )
        except meltano.MeltanoRunError as error:
            raise _failure(error, step.describe()) from error
        for stream, rows in result.rows.items():
            context.log_event(
                AssetMaterialization(
                    asset_key=["odoo", stream],
                    description=step.describe(),
                    metadata={
                        "rows": rows,
                        "deleted": result.deleted.get(stream, 0),
                        "state id suffix": step.state_id_suffix,
                    },
                )
            )

    return run_step


def _retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_retries=settings.retries,
        delay=settings.retry_delay,
        backoff=Backoff.EXPONENTIAL,
        jitter=Jitter.PLUS_MINUS,
    )


def build_job(settings: Settings) -> JobDefinition:
    """The job: prepare, then every step, at most ODOO_PARALLEL at once."""
    prepare = _prepare_op(settings)
    step_ops = [_step_op(settings, step) for step in steps(settings)]

    @job(
        name=JOB,
        resource_defs={"meltano_runs": MeltanoRuns()},
        description=(
            f"Odoo -> {settings.loader} with meltano: {len(step_ops)} steps, "
            f"{settings.parallel} at once."
        ),
    )
    def odoo_to_warehouse() -> None:
        ready = prepare()
        for step_op in step_ops:
            step_op(ready)

    return odoo_to_warehouse


def build_schedule(odoo_job: JobDefinition, settings: Settings):
    """Every 30 minutes (ODOO_SCHEDULE), skipped while the previous run is still in flight."""

    @schedule(
        name=f"{JOB}_schedule",
        job=odoo_job,
        cron_schedule=settings.schedule,
        default_status=DefaultScheduleStatus.STOPPED,
        description="Runs the sync; a tick while the previous run is still going is skipped.",
    )
    def odoo_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        in_flight = context.instance.get_run_records(
            filters=RunsFilter(job_name=JOB, statuses=IN_FLIGHT), limit=1
        )
        if in_flight:
            run_id = in_flight[0].dagster_run.run_id
            return SkipReason(f"run {run_id} of {JOB} is still in flight")
        return RunRequest()

    return odoo_schedule


def build_executor(settings: Settings) -> ExecutorDefinition:
    """ODOO_EXECUTOR's executor, running at most ODOO_PARALLEL steps of a run at once."""
    limit = {"max_concurrent": settings.parallel}
    if settings.executor == "multiprocess":
        return multiprocess_executor.configured(limit)
    package = {"k8s": "dagster_k8s", "docker": "dagster_docker", "celery": "dagster_celery"}
    module = package[settings.executor]
    try:
        integration = __import__(module)
    except ImportError:
        msg = (
            f"ODOO_EXECUTOR={settings.executor} needs the {module.replace('_', '-')} package "
            "(the same version line as dagster) installed in the code location's image"
        )
        raise SettingsError(msg) from None
    if settings.executor == "k8s":
        return integration.k8s_job_executor.configured(limit)
    if settings.executor == "docker":
        return integration.docker_executor.configured(limit)
    return integration.celery_executor  # its workers bound the steps at once


def build_definitions(settings: Settings | None = None) -> Definitions:
    """Job, schedule and executor from `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    odoo_job = build_job(settings)
    return Definitions(
        jobs=[odoo_job],
        schedules=[build_schedule(odoo_job, settings)],
        executor=build_executor(settings),
    )


defs = build_definitions()
