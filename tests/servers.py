"""Real servers for the tests: a throwaway PostgreSQL cluster and a NATS JetStream server on
free loopback ports.

Debian's PostgreSQL is installed with apt when it is missing (CI runs as root); the cluster is
made with `initdb` in a temporary folder (as the `postgres` user when the tests run as root:
initdb refuses root), started with `pg_ctl`, and stopped and removed afterwards. Each test gets
a database of its own. Where none of that is possible the tests skip, saying why.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PG_PACKAGE = "postgresql"


class Unavailable(Exception):
    """A server cannot be had on this machine; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def apt_install(*packages: str) -> None:
    if shutil.which("apt-get") is None:
        raise Unavailable(f"no apt-get on this machine to install {' '.join(packages)}")
    if os.geteuid() != 0:
        raise Unavailable(f"not root: cannot apt-get install {' '.join(packages)}")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    done = subprocess.run(
        install, capture_output=True, text=True, env=env, timeout=1200, check=False
    )
    if done.returncode != 0:  # perhaps a stale package list: refresh it once
        subprocess.run(
            ["apt-get", "update"], capture_output=True, env=env, timeout=600, check=False
        )
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=1200, check=False)  # fmt: skip
    if done.returncode != 0:
        raise Unavailable(f"apt-get install {' '.join(packages)} failed: {done.stderr[-500:]}")


def pg_bin() -> Path:
    """The folder of PostgreSQL's server programs (the newest installed)."""
    for attempt in range(2):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if found:
            return Path(found[-1]).parent
        if attempt == 0:
            apt_install(PG_PACKAGE)
    raise Unavailable("PostgreSQL's initdb is not under /usr/lib/postgresql after installing it")


@dataclass
class PostgresServer:
    """A running throwaway cluster; `database()` makes a fresh database and returns its URL."""

    root: Path
    port: int
    bin: Path
    as_user: list[str]
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        name = f"t{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}".encode())
        return self.url(name)

    def ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), *args],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            # A throwaway cluster: durability is not what these tests test (the store's own
            # transactions are); fsync off makes each test's database quick to make.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        done = self.ctl("-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        if done.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise Unavailable(f"pg_ctl start failed: {done.stderr} {log}")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "-w", "stop")


def start_postgres() -> PostgresServer:
    bin_dir = pg_bin()
    root = Path(tempfile.mkdtemp(prefix="liaison-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        if shutil.which("runuser") is None:
            raise Unavailable(
                "running as root without runuser: cannot start PostgreSQL as postgres"
            )
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    init = subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
         "--auth=trust", "--locale=C.UTF-8", "--encoding=UTF8"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        raise Unavailable(f"initdb failed: {init.stderr[-1000:]}")
    server = PostgresServer(root, free_port(), bin_dir, as_user)
    server.start()
    return server


def remove(server: PostgresServer) -> None:
    server.stop("immediate")
    shutil.rmtree(server.root, ignore_errors=True)


@dataclass
class NatsServer:
    """nats-server with JetStream on a free loopback port, its store in a folder of its own
    (so that a restart keeps the streams and the consumers' positions)."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        with (self.root / "server.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.root / "js")],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise Unavailable(
            f"nats-server did not start: {(self.root / 'server.log').read_text()[-1000:]}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def start_nats() -> NatsServer:
    if shutil.which("nats-server") is None:
        apt_install("nats-server")
    if shutil.which("nats-server") is None:
        raise Unavailable("nats-server is not on the PATH after installing it")
    server = NatsServer(Path(tempfile.mkdtemp(prefix="liaison-nats-")), free_port())
    server.start()
    return server


def remove_nats(server: NatsServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
