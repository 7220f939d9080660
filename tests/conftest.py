"""Shared fixtures: the policies, the demo hub, and where the reference data lies."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from liaison import tokens
from liaison.config import HubConfig, parse_config, read_config_source
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.policy.security_policy import SecurityPolicy
from liaison.policy.spif import default_policy_bytes, load_spif, parse_spif
from tests.servers import (
    NatsServer,
    PostgresServer,
    Unavailable,
    remove,
    remove_nats,
    start_nats,
    start_postgres,
)

T = TypeVar("T")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NATO_SPIF = SHARED / "spif" / "spiffing_nato-4774-policy.xml"


def shared_file(*parts: str) -> Path:
    """A reference file; outside CI a test without it skips, in CI (CI=true) it fails."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"reference data {path} is absent: ../shared/data must lie beside the checkout"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def policy() -> SecurityPolicy:
    """The hub's own default policy."""
    return parse_spif(default_policy_bytes(), "builtin")


@pytest.fixture(scope="session")
def nato_spif() -> SecurityPolicy:
    """The real NATO SPIF (surevine/spiffing test data)."""
    return load_spif(shared_file("spif", "spiffing_nato-4774-policy.xml"))


@pytest.fixture(scope="session")
def demo_config() -> HubConfig:
    return parse_config(read_config_source(None))


@pytest.fixture
def demo_hub(tmp_path: Path) -> Iterator[Hub]:
    hub = Hub.open(tmp_path / "demo.db")
    load_demo(hub)
    yield hub
    hub.close()


def bearer(hub: Hub, holder: str, role: str = tokens.PARTNER) -> dict[str, str]:
    """The Authorization header of a new token for `holder` (a partner, or an operator)."""
    _, secret = tokens.issue(hub.store, holder, role, hub.clock())
    return {"Authorization": f"Bearer {secret}"}


def _started(start: Callable[[], T], what: str) -> T:
    try:
        return start()
    except Unavailable as exc:
        pytest.skip(f"needs {what}, and none can be had here: {exc}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster for the session (installed with apt when missing)."""
    server = _started(start_postgres, "a PostgreSQL server")
    yield server
    remove(server)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A cluster of one test's own, for a test that stops and starts it."""
    server = _started(start_postgres, "a PostgreSQL server")
    yield server
    remove(server)


@pytest.fixture
def nats_server() -> Iterator[NatsServer]:
    """nats-server with JetStream, of one test's own (installed with apt when missing)."""
    server = _started(start_nats, "nats-server with JetStream")
    yield server
    remove_nats(server)


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lies, once per backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.database()
