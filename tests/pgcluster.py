"""A throw-away PostgreSQL cluster for tests and benchmarks: Debian's server binaries, our port,
our data folder, stopped and removed at the end. Standard library only.

    python3 tests/pgcluster.py install   # what .ci/run does: the server binaries, when missing

    with PostgresCluster(base_dir) as pg:           # initdb + start on a free port
        pg.create_database("warehouse")
        pg.url("warehouse")                         # postgresql+psycopg://... (password inside)
        pg.env("warehouse")                         # PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE

Where the binaries are missing they are installed (`apt-get install -y postgresql`, as root or
through password-less sudo): the tests that need PostgreSQL never skip for want of it.

initdb and postgres refuse to run as root. Run as root, the cluster belongs to the `postgres`
user the Debian package creates (`runuser -u postgres`), and its data folder is a fresh folder
under the system's temporary directory, since pytest's own temporary folders (mode 0700, owned by
root) cannot be entered by that user. Run as anyone else, it is the caller's, under `base_dir`.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "odoo_singer"
PG_SERVICE_USER = "postgres"  # created by Debian's postgresql-common
START_ATTEMPTS = 3  # a free port can be taken by someone else between our check and the start
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


def bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (newest Debian version first), if any."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.insert(0, str(Path(on_path).resolve().parent))
    for candidate in candidates:
        if all((Path(candidate) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(candidate)
    return None


def install() -> Path:
    """The server binaries' folder, installing Debian's `postgresql` package when missing."""
    found = bin_dir()
    if found:
        return found
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise RuntimeError(
                "PostgreSQL's server binaries (initdb, pg_ctl) are missing and this user cannot "
                "install them: run `apt-get install -y postgresql` as root"
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, **APT_ENV}
    install_command = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    print("installing PostgreSQL: " + " ".join(install_command), file=sys.stderr, flush=True)
    done = subprocess.run(install_command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run([*prefix, "apt-get", "update"], env=env, capture_output=True, check=True)
        subprocess.run(install_command, env=env, capture_output=True, text=True, check=True)
    found = bin_dir()
    if found is None:
        raise RuntimeError("apt-get installed postgresql but initdb/pg_ctl are still not found")
    return found


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """One PostgreSQL cluster: `start()` creates and starts it, `stop()` stops and removes it."""

    def __init__(self, base_dir: Path) -> None:
        self.bin = install()
        self.as_root = os.geteuid() == 0
        self.owner = PG_SERVICE_USER if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        if self.as_root:
            self._ensure_service_user()
            self.home = Path(tempfile.mkdtemp(prefix="odoo-singer-pg-"))
        else:
            self.home = Path(base_dir) / "postgres"
            self.home.mkdir(parents=True, exist_ok=True)
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        self.user = SUPERUSER
        self.password = "pg-" + secrets.token_hex(12)
        self.host = "127.0.0.1"
        self.port = 0
        self.running = False

    # Life cycle

    def start(self) -> PostgresCluster:
        """initdb, then start on a free port; returns when it accepts connections."""
        if self.as_root:
            owner = pwd.getpwnam(self.owner)
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
        password_file = self.home / "pwfile"
        password_file.write_text(self.password + "\n")
        self._give(password_file)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={password_file}",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync",
            )  # fmt: skip
        finally:
            password_file.unlink()
        last_error = ""
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            options = (
                f"-p {self.port} -c listen_addresses={self.host} "
                f"-c unix_socket_directories={self.home} -c max_connections=200 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                "-w", "-t", "60", "start", check=False,
            )  # fmt: skip
            if started.returncode == 0:
                self.running = True
                return self
            last_error = started.stderr + self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Using it

    def create_database(self, name: str) -> None:
        """CREATE DATABASE `name` (owned by the superuser)."""
        self._run(
            "createdb", "-h", self.host, "-p", str(self.port), "-U", self.user, name,
            env={"PGPASSWORD": self.password},
        )  # fmt: skip

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL of `database` (holds the password: never print it)."""
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def env(self, database: str) -> dict[str, str]:
        """libpq's variables for `database` (what meltano.yml's target-postgres reads)."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": database,
        }

    def psql(self, database: str, sql: str) -> list[list[str]]:
        """Rows of a query, as text (psql -At)."""
        done = self._run(
            "psql", "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-c", sql,
            env={"PGPASSWORD": self.password},
        )  # fmt: skip
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    # Running the binaries as the cluster's owner

    def _ensure_service_user(self) -> None:
        try:
            pwd.getpwnam(self.owner)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", self.owner],
                check=True,
            )

    def _give(self, path: Path) -> None:
        if self.as_root:
            owner = pwd.getpwnam(self.owner)
            os.chown(path, owner.pw_uid, owner.pw_gid)
        path.chmod(0o600)

    def _run(
        self, tool: str, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        executable = self.bin / tool
        if not executable.exists():  # client tools live in /usr/bin on Debian
            executable = Path(shutil.which(tool) or tool)
        command = [str(executable), *args]
        if self.as_root:
            command = ["runuser", "-u", self.owner, "--", *command]
        done = subprocess.run(
            command,
            cwd="/",
            env={**os.environ, **(env or {}), "LC_ALL": "C"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python3 tests/pgcluster.py install")
    print(f"PostgreSQL server binaries: {install()}")
