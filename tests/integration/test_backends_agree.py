"""The same hub on both backends behaves the same: the same input, under the same clock, gives
the same feeds, the same decisions and the same audit log, bit for bit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.ingest import ais_stream
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from tests.servers import PostgresServer

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def run(db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    # Batch ids are random (uuid4); here they are numbered, so that two runs can agree.
    numbers = itertools.count(1)
    monkeypatch.setattr(ais_stream, "_new_batch_id", lambda: f"positions--{next(numbers):08d}")
    hub = Hub.open(db, clock=lambda: NOW)
    try:
        load_demo(hub)
        for scenario, feed in (("miyako-transit", "jpn-ais"), ("rendezvous", "nato-ais")):
            lines = [line for _, line in nmea_lines(build_scenario(scenario, 1, load_region()))]
            hub.ingest_ais(feed, lines, f"{scenario}.nmea")
        hub.governance.submit(
            "JPN",
            'rationale = "r"\n[[amend_agreement]]\nid = "itpp-jpn"\nadd_kinds = ["event"]\n',
            NOW + timedelta(days=7),
        )
        feeds = {
            p.id: [
                (e.cursor, e.item.id, dict(e.payload)) for e in hub.feed(p.id, 0, 100_000).entries
            ]
            for p in hub.config.partners
        }
        size, root = hub.store.audit.root()
        return {
            "feeds": feeds,
            "events": [i.id for i, _ in hub.events()],
            "tracks": hub.store.tracks(),
            "proposals": hub.store.proposals(),
            "audit": (size, root.hex()),
        }
    finally:
        hub.close()


def test_sqlite_and_postgresql_agree(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite = run(str(tmp_path / "hub.db"), monkeypatch)
    postgres = run(postgres_server.database(), monkeypatch)
    assert sqlite["feeds"] == postgres["feeds"]
    assert sqlite["events"] == postgres["events"]
    assert sqlite["tracks"] == postgres["tracks"]
    assert sqlite["proposals"] == postgres["proposals"]
    assert sqlite["audit"] == postgres["audit"]  # every act, logged identically
