"""The steps of one sync: a `prepare` step, then one step per model, or per id range of a
partitioned model. Each step is one `meltano run <extractor> <loader>` narrowed by environment
variables meltano passes to tap-odoo, with a state id of its own.

For `ODOO_PARTITIONS='{"account.move.line": [250000, 500000, 750000]}'` the model is read as

| step (Dagster op) | tap-odoo `id_ranges` | meltano state id suffix |
| --- | --- | --- |
| `account_move_line__0_250000` | `[null, 250000]` | `account_move_line.0-250000` |
| `account_move_line__250000_500000` | `[250000, 500000]` | `account_move_line.250000-500000` |
| `account_move_line__500000_750000` | `[500000, 750000]` | `account_move_line.500000-750000` |
| `account_move_line__750000_up` | `[750000, null]` | `account_move_line.750000-up` |

The state id is `<environment>:tap-odoo-to-target-postgres:<suffix>` (meltano's format).
Ranges come from the settings only, never from the data, so they are the same at every run and
each state stays with its range; the last one is open-ended and takes the new rows. The state id
names the range: other bounds are other states (tap-odoo also refuses a state written for
another range). A model not partitioned is one step, state id `...:<stream>`.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from odoo_dagster.settings import Settings

# A range that holds no id at all: the prepare step reads nothing, yet sends every SCHEMA.
NOTHING = [None, 0]


def stream_of(model: str) -> str:
    """tap-odoo's stream name for a model (`res.partner` -> `res_partner`)."""
    return model.replace(".", "_")


@dataclass(frozen=True)
class Step:
    """One `meltano run`: a whole model, or one id range of it (`first <= id < end`)."""

    model: str
    first: int | None = None
    end: int | None = None
    partitioned: bool = False

    @property
    def stream(self) -> str:
        return stream_of(self.model)

    @property
    def span(self) -> str:
        """`0-250000`, `750000-up`: the range as the state id and the op name show it."""
        return f"{self.first or 0}-{self.end if self.end is not None else 'up'}"

    @property
    def name(self) -> str:
        """The Dagster op name (letters, digits and underscores)."""
        if not self.partitioned:
            return self.stream
        return f"{self.stream}__{self.span.replace('-', '_')}"

    @property
    def state_id_suffix(self) -> str:
        """What `meltano run --state-id-suffix` gets: the stream, and the range when partitioned."""
        return f"{self.stream}.{self.span}" if self.partitioned else self.stream

    def describe(self) -> str:
        if not self.partitioned:
            return f"{self.model}: every row"
        if self.end is None:
            return f"{self.model}: ids from {self.first}"
        return f"{self.model}: ids {self.first or 0} to {self.end - 1}"

    def env(self) -> dict[str, str]:
        """The variables meltano turns into this step's tap-odoo settings and selection."""
        env = {
            # Discovery describes this model only (not every model of the database).
            "TAP_ODOO_MODELS": json.dumps([self.model]),
            # meltano.yml's `select` rules still apply, to this stream only.
            "TAP_ODOO__SELECT_FILTER": json.dumps([self.stream]),
        }
        if self.partitioned:
            env["TAP_ODOO_ID_RANGES"] = json.dumps({self.stream: [self.first, self.end]})
        return env


def steps(settings: Settings) -> list[Step]:
    """Every model's steps, in the order of the settings."""
    planned = []
    for model in settings.models:
        cuts = settings.partitions.get(model)
        if not cuts:
            planned.append(Step(model))
            continue
        bounds = [None, *cuts, None]
        planned += [
            Step(model, first, end, partitioned=True) for first, end in itertools.pairwise(bounds)
        ]
    return planned


def prepare_env(settings: Settings) -> dict[str, str]:
    """The prepare step: every model described and every stream selected, no row read.

    Its one `meltano run` brings Meltano's system database up to date (migrations), and the
    loader receives every SCHEMA and creates the schema, the tables and their new columns, all
    before the steps start side by side (two loaders creating one table at once: one fails).
    """
    streams = [stream_of(model) for model in settings.models]
    return {
        "TAP_ODOO_MODELS": json.dumps(list(settings.models)),
        "TAP_ODOO__SELECT_FILTER": json.dumps(streams),
        "TAP_ODOO_ID_RANGES": json.dumps(dict.fromkeys(streams, NOTHING)),
    }
