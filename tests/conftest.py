"""Shared fixtures: sandboxes to run against (see tests/sandbox/README.md).

- `sandbox` (session): an Odoo 17 sandbox at scale 1, shared by every test; do not change its data
  in ways other tests would notice (use `make_sandbox` for that).
- `sandbox19` (session): the same for Odoo 19 (JSON-2).
- `sandbox_settings`: a copy of `sandbox.settings` (url, database, username, password, api_key).
- `make_sandbox(**Sandbox kwargs)`: a fresh started sandbox, stopped when the test ends.
- `secrets_seen`: the passwords and API keys of every sandbox started so far (live list), for
  tests that scan output for leaks.

Faults and counters of the shared sandboxes are reset after every test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from odoo_sandbox import Sandbox

_SHARED: list[Sandbox] = []
_SECRETS: list[str] = []


def _start(**kwargs: object) -> Sandbox:
    sandbox = Sandbox(**kwargs).start()  # type: ignore[arg-type]
    _SECRETS.extend(secret for secret in sandbox.secrets if secret not in _SECRETS)
    return sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """An Odoo 17 sandbox (scale 1) shared by the whole test session."""
    shared = _start(odoo_version=17, scale=1)
    _SHARED.append(shared)
    yield shared
    shared.stop()


@pytest.fixture(scope="session")
def sandbox19() -> Iterator[Sandbox]:
    """An Odoo 19 sandbox (JSON-2 enabled) shared by the whole test session."""
    shared = _start(odoo_version=19, scale=1)
    _SHARED.append(shared)
    yield shared
    shared.stop()


@pytest.fixture(autouse=True)
def _reset_shared_sandboxes() -> Iterator[None]:
    """No test leaves faults configured (or counters running) on a shared sandbox."""
    yield
    for shared in _SHARED:
        shared.faults.reset()
        shared.stats.reset()


@pytest.fixture
def sandbox_settings(sandbox: Sandbox) -> dict:
    """Connection settings of the shared Odoo 17 sandbox (a copy: change it freely)."""
    return dict(sandbox.settings)


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Factory of fresh sandboxes, `make_sandbox(odoo_version=19, faults="...")`, stopped after."""
    made: list[Sandbox] = []

    def make(**kwargs: object) -> Sandbox:
        sandbox = _start(**kwargs)
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.stop()


@pytest.fixture
def secrets_seen() -> list[str]:
    """Passwords and API keys of every sandbox started in this session (grows as more start)."""
    return _SECRETS
