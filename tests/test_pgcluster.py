"""tests/pgcluster.py on a machine without PostgreSQL: it installs Debian's package (the tests
that need PostgreSQL never skip), and a cluster it starts is gone after `stop()`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pgcluster
import pytest


class FakeApt:
    """Records the commands; the first `apt-get install` fails as on a machine without lists."""

    def __init__(self, installed: Path) -> None:
        self.commands: list[list[str]] = []
        self.installed = installed
        self.present = False

    def run(self, command: list[str], **_: object) -> subprocess.CompletedProcess:
        self.commands.append(command)
        failing = command[-1] == "postgresql" and len(self.commands) == 1
        if command[-1] == "postgresql" and not failing:
            self.present = True
        return subprocess.CompletedProcess(command, 100 if failing else 0, "", "")

    def bin_dir(self) -> Path | None:
        return self.installed if self.present else None


@pytest.mark.parametrize(("euid", "prefix"), [(0, []), (1000, ["sudo", "-n"])])
def test_missing_server_binaries_are_installed_with_apt_get(monkeypatch, euid, prefix) -> None:
    apt = FakeApt(Path("/usr/lib/postgresql/99/bin"))
    monkeypatch.setattr(pgcluster, "bin_dir", apt.bin_dir)
    monkeypatch.setattr(pgcluster.subprocess, "run", apt.run)
    monkeypatch.setattr(pgcluster.os, "geteuid", lambda: euid)
    monkeypatch.setattr(pgcluster.shutil, "which", lambda name: f"/usr/bin/{name}")

    assert pgcluster.install() == apt.installed
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    assert apt.commands == [install, [*prefix, "apt-get", "update"], install]


def test_a_cluster_accepts_connections_and_is_removed_when_stopped(tmp_path) -> None:
    cluster = pgcluster.PostgresCluster(tmp_path).start()
    try:
        cluster.create_database("warehouse")
        assert cluster.psql("warehouse", "select current_database()") == [["warehouse"]]
    finally:
        cluster.stop()
    assert not cluster.home.exists()
    assert not cluster.running
