"""Review of the web map's server side (picture, positions, replay): each test shows a problem
found by review, and fails until it is fixed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyais.encode import encode_dict

from liaison.api.app import create_app
from liaison.api.picture import picture_json
from liaison.codec import format_unix
from liaison.config import ConfigSource, demo_config_text
from liaison.hub import Hub
from liaison.ingest.replay import Simulation, replay
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines, tag_block
from liaison.maritime.tracks import Fix
from liaison.policy.spif import default_policy_bytes
from tests.conftest import bearer
from tests.integration.test_leaks import _hub_with

MMSI = 412_000_123  # MID 412: China
START = datetime(2026, 11, 30, tzinfo=UTC)


# --- helpers -------------------------------------------------------------------------------


def position(when: float, lat: float, lon: float, mmsi: int = MMSI) -> str:
    """One class A position report with its tag-block time."""
    msg: dict[str, str | int | float | bytes | bool] = {
        "type": 1,
        "mmsi": mmsi,
        "lat": lat,
        "lon": lon,
        "speed": 12.0,
        "course": 90.0,
        "heading": 90,
        "second": int(when) % 60,
    }
    (sentence,) = encode_dict(msg, talker_id="AI", sentence_type="VDM", radio_channel="A")
    return tag_block(when, "review") + sentence


def static(when: float, name: str, callsign: str, ship_type: int, mmsi: int = MMSI) -> list[str]:
    """A type 5 static and voyage report (two sentences, grouped in their tag blocks)."""
    msg: dict[str, str | int | float | bytes | bool] = {
        "type": 5,
        "mmsi": mmsi,
        "shipname": name,
        "callsign": callsign,
        "ship_type": ship_type,
    }
    sentences = encode_dict(msg, talker_id="AI", sentence_type="VDM", seq_id=1)
    total = len(sentences)
    return [
        tag_block(when, "review", f"{n}-{total}-7" if total > 1 else None) + s
        for n, s in enumerate(sentences, start=1)
    ]


def track(start: float, count: int, mmsi: int = MMSI) -> list[str]:
    """`count` reports a minute apart, eastward from the Miyako Strait."""
    return [
        position(start + 60 * i, 24.9 + 0.0001 * i, 125.5 + 0.001 * i, mmsi) for i in range(count)
    ]


def get(hub: Hub, path: str, holder: str = "USA") -> Any:
    response = TestClient(create_app(hub)).get(path, headers=bearer(hub, holder))
    assert response.status_code == 200, response.text
    return response.json()


def vessel(picture: dict[str, Any], mmsi: int = MMSI) -> dict[str, Any]:
    found: list[dict[str, Any]] = [v for v in picture["vessels"] if v.get("mmsi") == mmsi]
    assert len(found) == 1, found
    return found[0]


def add_version(hub: Hub, text: str, at: datetime) -> None:
    """A new policy version, as a passed proposal would make it."""
    hub.store.add_policy_version(ConfigSource(text, default_policy_bytes(), "review"), at)


@pytest.fixture
def clock() -> list[datetime]:
    return [START]


@pytest.fixture
def closing() -> Iterator[list[Hub]]:
    hubs: list[Hub] = []
    yield hubs
    for h in hubs:
        h.close()


def custom(tmp_path: Path, extra: str, clock: list[datetime], closing: list[Hub]) -> Hub:
    hub = _hub_with(tmp_path, extra, clock)
    closing.append(hub)
    return hub


# --- leaks -----------------------------------------------------------------------------------


def test_static_data_from_a_batch_not_released_is_not_shown(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    # The bilateral comes into force on 1 December. Before it, Japan's feed reports the vessel's
    # name, call sign and type: none of that is released to USA.
    hub = custom(tmp_path, "in_force_from = 2026-12-01T00:00:00Z\n", clock, closing)
    t0 = START.timestamp() - 600
    hub.ingest_ais("jpn-ais", static(t0, "SECRET HULL", "JX999", 35) + track(t0, 3), "before")
    assert [e for e in hub.feed("USA", 0, 1000).entries if e.item.kind == "position"] == []
    # After it, only positions: those are released.
    clock[0] = START + timedelta(days=2)
    t1 = clock[0].timestamp() - 600
    hub.ingest_ais("jpn-ais", track(t1, 3), "after")
    released = [e for e in hub.feed("USA", 0, 1000).entries if e.item.kind == "position"]
    assert len(released) == 1
    # No release to USA ever carried the static report, yet the picture and the batch show it.
    for seen in (
        vessel(get(hub, "/api/v1/picture")),
        vessel(get(hub, f"/api/v1/items/{released[0].item.id}/positions")),
    ):
        shown = [seen.get(k) for k in ("name", "callsign", "ship_type", "ship_type_text")]
        assert shown == [None, None, None, None]  # absent: the hub does not know, for USA


def test_stripping_ship_type_also_strips_its_text(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    hub = custom(tmp_path, 'obligations = { strip = ["ship_type"] }\n', clock, closing)
    t0 = START.timestamp() - 600
    hub.ingest_ais("jpn-ais", static(t0, "HULL", "JX1", 35) + track(t0, 3), "feed")
    seen = vessel(get(hub, "/api/v1/picture"))
    assert "ship_type" not in seen
    # "Military ops" is ship type 35 in words: the stripped field, spelled differently.
    assert seen.get("ship_type_text") is None


def test_an_agreement_that_strips_names_hides_them_from_the_picture_too(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    # `names` is the field the hub's own items carry vessel names in (events): an agreement
    # that strips it means the partner gets no vessel names.
    hub = custom(tmp_path, 'obligations = { strip = ["names"] }\n', clock, closing)
    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "miyako")
    picture = get(hub, "/api/v1/picture")
    assert picture["events"]
    assert all("names" not in e["payload"] for e in picture["events"])
    assert picture["vessels"]
    assert [v["name"] for v in picture["vessels"] if v.get("name")] == []


def test_a_trail_does_not_join_fixes_released_without_their_identity(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    # Under policy version 1, Japan's positions reach USA with the identity stripped: USA may
    # not tie those fixes to the vessel (their batch shows USA nothing, rightly).
    hub = custom(tmp_path, 'obligations = { strip = ["mmsi"] }\n', clock, closing)
    t0 = START.timestamp() - 3600
    hub.ingest_ais("jpn-ais", track(t0, 5), "v1")
    (anonymous,) = [e for e in hub.feed("USA", 0, 1000).entries if e.item.kind == "position"]
    assert get(hub, f"/api/v1/items/{anonymous.item.id}/positions")["vessels"] == []
    # Version 2 drops the obligation; later fixes are released with the identity.
    add_version(hub, demo_config_text(), clock[0])
    t1 = START.timestamp() - 600
    hub.ingest_ais("jpn-ais", track(t1, 3), "v2")
    seen = vessel(get(hub, "/api/v1/picture"))
    # The trail must hold only the fixes released with the identity (version 2's three).
    assert [p[2] for p in seen["trail"]] == [format_unix(t1 + 60 * i) for i in range(3)]


def test_the_pictures_events_obey_the_recorded_obligations(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    # Released under version 1 with positions coarsened to 0.5 degrees; version 2 drops the
    # obligation. What was released coarse stays coarse (the feed says so): the picture too.
    hub = custom(tmp_path, "obligations = { position_precision_deg = 0.5 }\n", clock, closing)
    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "miyako")
    add_version(hub, demo_config_text(), clock[0])
    feed = {
        e.item.id: e.payload["position"]
        for e in hub.feed("USA", 0, 10_000).entries
        if e.item.kind == "event"
    }
    assert feed
    for lat_lon in feed.values():
        assert (lat_lon["lat"] * 2, lat_lon["lon"] * 2) == (
            int(lat_lon["lat"] * 2),
            int(lat_lon["lon"] * 2),
        )
    picture = get(hub, "/api/v1/picture")
    shown = {e["id"]: {"lat": e["lat"], "lon": e["lon"]} for e in picture["events"]}
    assert shown == feed


def test_positions_of_an_unreleased_batch_leave_the_same_trace_as_a_missing_one(
    demo_hub: Hub,
) -> None:
    # A partner reads its own audit entries: a denial logged only for ids that exist tells it
    # which ids exist, though the answer itself (404) is the same.
    scenario = build_scenario("miyako-transit", 1, load_region())
    demo_hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "miyako")
    batch = next(i for _, i in demo_hub.store.items_of_kind("position"))
    client = TestClient(create_app(demo_hub))
    nato = bearer(demo_hub, "NATO")

    def own_entries() -> int:
        got = client.get("/api/v1/audit/entries?limit=10000", headers=nato).json()
        return len(got["entries"])

    before = own_entries()
    missing = client.get("/api/v1/items/positions--no-such-batch/positions", headers=nato)
    after_missing = own_entries()
    denied = client.get(f"/api/v1/items/{batch.id}/positions", headers=nato)
    after_denied = own_entries()
    assert missing.status_code == denied.status_code == 404
    assert after_denied - after_missing == after_missing - before


def test_asking_positions_of_a_released_report_is_not_logged_as_a_denial(
    demo_hub: Hub,
) -> None:
    report = next(
        e.item for e in demo_hub.feed("USA", 0, 1000).entries if e.item.kind != "position"
    )
    client = TestClient(create_app(demo_hub))
    usa = bearer(demo_hub, "USA")
    response = client.get(f"/api/v1/items/{report.id}/positions", headers=usa)
    assert response.status_code == 404  # not a position batch
    entries = client.get("/api/v1/audit/entries?limit=10000", headers=usa).json()["entries"]
    # The report IS released to USA: the log must not say otherwise.
    assert [e for e in entries if e["type"] == "denied"] == []


def test_the_tracks_geojson_obeys_an_agreement_that_strips_the_mmsi(
    tmp_path: Path, clock: list[datetime], closing: list[Hub]
) -> None:
    # Not new in this change (api/geojson.py), found while comparing it with the picture.
    hub = custom(tmp_path, 'obligations = { strip = ["mmsi"] }\n', clock, closing)
    t0 = START.timestamp() - 600
    hub.ingest_ais("jpn-ais", static(t0, "HULL", "JX1", 35) + track(t0, 3), "feed")
    # A fix whose identity is stripped cannot be joined into a track without it: the hub
    # shows no track at all rather than a pseudonymous one (deny by default).
    assert get(hub, "/api/v1/tracks.geojson")["features"] == []
    assert get(hub, "/api/v1/picture")["vessels"] == []


# --- the replay ------------------------------------------------------------------------------


def test_a_fast_replay_yields_to_the_event_loop_and_stops_when_told(demo_hub: Hub) -> None:
    # A pass's sentences are encoded (about 1 s for "all") and then, at a speed the hub cannot
    # keep up with, every sentence is already due: nothing awaits, so the server answers
    # nothing meanwhile and a stop waits for the whole pass (with --loop and a scenario slower
    # to play than its speed, for ever). `serve --speed` allows 100,000.
    async def play() -> tuple[float, float]:
        stop, done = asyncio.Event(), asyncio.Event()
        gaps: list[float] = []

        async def heartbeat() -> None:  # what the server's other tasks get of the loop
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.05)  # the heartbeat is running
        asyncio.get_running_loop().call_later(0.2, stop.set)
        began = time.monotonic()
        await replay(demo_hub, Simulation("jpn-ais", "all"), stop, speed=1e6, commit_s=0.05)
        took = time.monotonic() - began
        done.set()
        await beat
        return took, max(gaps, default=0.0)

    took, longest_stall = asyncio.run(play())
    assert longest_stall < 0.5, f"the event loop was blocked for {longest_stall:.1f} s"
    assert took < 1.0, f"told to stop after 0.2 s, the replay ran {took:.1f} s"


def test_a_restarted_replay_does_not_run_tracks_backwards(demo_hub: Hub) -> None:
    # `serve --simulate` (or `demo --serve --db`) restarted a minute later on the same store:
    # the first run's simulated time ran hours ahead of the wall clock; the second starts at
    # the wall clock again, with the same seed (the same vessels).
    wall = START.timestamp()

    async def play(at: float) -> None:
        stop = asyncio.Event()
        sim = Simulation("jpn-ais", "miyako-transit")
        await replay(demo_hub, sim, stop, speed=1e6, commit_s=0.05, wall=lambda: at)

    asyncio.run(play(wall))
    first = {i.id for _, i in demo_hub.store.items_of_kind("position", 0, 100_000)}
    asyncio.run(play(wall + 60))
    second = [
        i.id for _, i in demo_hub.store.items_of_kind("position", 0, 100_000) if i.id not in first
    ]
    assert second

    def fixes(ids: Iterable[str]) -> list[Fix]:
        return [f for i in ids for f in demo_hub.store.positions(i)]

    last_of_first = max(f.time for f in fixes(first))
    first_of_second = min(f.time for f in fixes(second))
    assert first_of_second > last_of_first, (
        f"the restarted replay begins {(last_of_first - first_of_second) / 3600:.1f} h "
        "before where the last run ended"
    )


# --- robustness --------------------------------------------------------------------------------


def test_the_picture_reads_a_bounded_number_of_fixes(
    demo_hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One vessel, one report a minute for four days: 5,760 fixes in two batches of a file
    # ingest. The picture shows at most 40 of them; it should not read them all (a hub with
    # 300 batches of 5,000 fixes reads 1.5 million per request, in the event loop).
    t0 = START.timestamp() - 4 * 86_400
    demo_hub.ingest_ais("jpn-ais", track(t0, 5_760), "long", batch_lines=3_000)
    read = 0
    positions = demo_hub.store.positions

    def counted(source: str) -> list[Fix]:
        nonlocal read
        got = positions(source)
        read += len(got)
        return got

    monkeypatch.setattr(demo_hub.store, "positions", counted)
    picture = picture_json(demo_hub, "USA")
    assert len(vessel(picture)["trail"]) == 40
    assert read <= 10 * 40, f"the picture read {read} fixes to show 40"
