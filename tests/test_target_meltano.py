"""target-odoo under Meltano: Meltano stores the loader's last STATE line as the extractor's
state, so meltano.yml makes target-odoo pass the tap's state through (its default, the hotglue
results shape, would be fed to tap-odoo on the next run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MELTANO = Path(sys.executable).parent / "meltano"


@pytest.mark.e2e
def test_meltano_configures_target_odoo_to_pass_the_taps_state_through():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "TARGET_ODOO_"))}
    env.update(
        SANDBOX_URL="http://127.0.0.1:9",
        SANDBOX_DATABASE="db",
        SANDBOX_USERNAME="admin",
        SANDBOX_PASSWORD="not-used",
    )

    done = subprocess.run(
        [str(MELTANO), "--environment", "dev", "config", "print", "target-odoo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    config = json.loads(done.stdout)
    assert config["state_output"] == "passthrough"
    assert config["url"] == "http://127.0.0.1:9"  # the environment's settings still apply
