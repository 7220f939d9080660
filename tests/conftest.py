"""Shared fixtures: the policies, the demo hub, and where the reference data lies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from liaison import tokens
from liaison.config import HubConfig, parse_config, read_config_source
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.policy.security_policy import SecurityPolicy
from liaison.policy.spif import default_policy_bytes, load_spif, parse_spif
from tests.servers import PostgresServer, Unavailable, remove, start_postgres

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster for the session (installed with apt when missing)."""
    try:
        server = start_postgres()
    except Unavailable as exc:
        pytest.skip(f"needs a PostgreSQL server, and none can be had here: {exc}")
    yield server
    remove(server)


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lies, once per backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.database()
