"""The Singer SDK's standard tap tests, run against a real sandbox server.

The SDK builds its test class (and its per-stream parameters) when this module is imported, so the
sandbox starts at import time here instead of in a fixture.
"""

from __future__ import annotations

import atexit

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from odoo_sandbox import Sandbox
from tap_odoo.tap import TapOdoo

# Fields that are empty in every sampled row (e.g. account.move.auto_post_until) cannot have their
# type checked; the SDK warns about each, which is not a failure of the tap.
pytestmark = pytest.mark.filterwarnings("ignore:No records were available to test:UserWarning")

_SANDBOX = Sandbox(odoo_version=17, scale=1).start()
atexit.register(_SANDBOX.stop)

SAMPLE_CONFIG = {
    **{key: _SANDBOX.settings[key] for key in ("url", "database", "username", "password")},
    "models": ["res.partner", "res.country", "product.product", "account.move", "purchase.order"],
    "start_date": "2000-01-01T00:00:00Z",
}

TestTapOdoo = get_tap_test_class(
    tap_class=TapOdoo,
    config=SAMPLE_CONFIG,
    suite_config=SuiteConfig(max_records_limit=200),
)
