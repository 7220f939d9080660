"""What the web map reads: pages, classifications, whoami, the region, a partner's picture and
its position batches — each partner's exactly, under the same rules as the rest of the API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison import tokens
from liaison.api.app import create_app
from liaison.errors import InputError
from liaison.hub import Hub
from liaison.ingest.replay import Simulation, parse_simulation, replay
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from tests.conftest import bearer as auth
from tests.integration.test_leaks import _hub_with


@pytest.fixture
def hub(demo_hub: Hub) -> Hub:
    return demo_hub


@pytest.fixture
def client(hub: Hub) -> TestClient:
    return TestClient(create_app(hub))


def miyako(hub: Hub, seed: int = 1) -> set[int]:
    scenario = build_scenario("miyako-transit", seed, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "miyako.nmea")
    return {v.mmsi for v in scenario.vessels}


@pytest.mark.parametrize("path", ["/", "/governance", "/audit"])
def test_pages_are_served_with_a_strict_content_security_policy(
    client: TestClient, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src" not in csp  # scripts: same origin only
    assert "<script" in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text


def test_leaflet_and_the_base_map_are_served_from_the_hub(client: TestClient) -> None:
    script = client.get("/static/vendor/leaflet/leaflet.js")
    assert script.status_code == 200, "run `make web`: Leaflet is built from the npm registry"
    basemap = client.get("/static/vendor/basemap.geojson").json()
    names = {f["properties"]["name"] for f in basemap["features"]}
    assert {"Japan", "Taiwan", "China", "South Korea"} <= names
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_classifications_are_public_and_ordered(client: TestClient) -> None:
    got = client.get("/api/v1/classifications").json()
    names = [c["name"] for c in got["classifications"]]
    assert names == ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
    assert got["classifications"][0]["marking"] == "NATO UNCLASSIFIED"
    assert got["classifications"][-1]["marking"] == "COSMIC TOP SECRET"


def test_whoami(hub: Hub, client: TestClient) -> None:
    jpn = client.get("/api/v1/whoami", headers=auth(hub, "JPN")).json()
    assert (jpn["holder"], jpn["is_admin"], jpn["name"]) == ("JPN", False, "Japan")
    assert [p["id"] for p in jpn["partners"]] == ["JPN"]
    ops = client.get("/api/v1/whoami", headers=auth(hub, "ops", tokens.ADMIN)).json()
    assert ops["is_admin"]
    assert {p["id"] for p in ops["partners"]} == {p.id for p in hub.config.partners}
    assert client.get("/api/v1/whoami").status_code == 401


def test_the_region_has_its_zones_and_gates(client: TestClient) -> None:
    region = client.get("/api/v1/region.geojson")
    assert region.headers["content-type"].startswith("application/geo+json")
    features = region.json()["features"]
    zones = {f["properties"]["id"]: f for f in features if f["properties"]["role"] == "zone"}
    gates = {f["properties"]["id"]: f for f in features if f["properties"]["role"] == "gate"}
    assert set(zones) == {"senkaku-territorial-sea", "senkaku-contiguous-zone"}
    assert {"miyako-strait", "yonaguni-gap", "osumi-strait", "tsushima-strait-east"} <= set(gates)
    assert gates["miyako-strait"]["properties"]["positive_direction"] == "East China Sea -> Pacific"
    assert all("baseline_points" not in f["properties"] for f in features)


def test_the_picture_is_the_partners_releases(hub: Hub, client: TestClient) -> None:
    vessels = miyako(hub)
    usa = client.get("/api/v1/picture", headers=auth(hub, "USA")).json()
    assert usa["partner"] == "USA"
    assert usa["cursor"] == hub.feed("USA", 0, 100_000).next
    assert {v["mmsi"] for v in usa["vessels"]} == vessels
    # The latest fix of each vessel agrees with an independent reading of the same releases.
    # An independent reading of the same releases: every fix of every batch released to USA.
    batches = [e.item.id for e in hub.feed("USA", 0, 100_000).entries if e.item.kind == "position"]
    fixes = [f for b in batches for f in hub.store.positions(b)]
    latest = {f.mmsi: f for f in sorted(fixes, key=lambda f: f.time)}
    for v in usa["vessels"]:
        assert (v["lat"], v["lon"]) == (latest[v["mmsi"]].lat, latest[v["mmsi"]].lon)
        assert v["trail"][-1][:2] == [v["lon"], v["lat"]]
        assert 1 < len(v["trail"]) <= 40
        assert [p[2] for p in v["trail"]] == sorted(p[2] for p in v["trail"])
        assert v["marking"] == "NATO RESTRICTED Releasable to JPN, USA"
        assert v["flag"]["country"] == "China"
    assert {e["type"] for e in usa["events"]} == {"transit"}
    released = [
        e for e in hub.feed("USA", 0, 1000).entries if e.item.kind in {"report", "indicator"}
    ]
    assert released, "the demo reports include some for USA"
    assert [r["item"]["id"] for r in usa["reports"]] == [e.item.id for e in reversed(released)]
    assert {e["id"] for e in usa["events"]} == {i.id for i, _ in hub.events(None, "USA")}
    for partner in ("NATO", "KOR", "FRA"):
        seen = client.get("/api/v1/picture", headers=auth(hub, partner)).json()
        assert (seen["vessels"], seen["events"]) == ([], [])


def test_an_operator_sees_as_a_partner_and_a_partner_only_as_itself(
    hub: Hub, client: TestClient
) -> None:
    miyako(hub)
    ops = auth(hub, "ops", tokens.ADMIN)
    assert client.get("/api/v1/picture", headers=ops).status_code == 422
    as_usa = client.get("/api/v1/picture?partner=USA", headers=ops).json()
    usa = client.get("/api/v1/picture", headers=auth(hub, "USA")).json()
    assert as_usa == usa
    assert client.get("/api/v1/picture?partner=JPN", headers=auth(hub, "USA")).status_code == 403


def test_a_position_batch_is_shown_only_to_whom_it_is_released(
    hub: Hub, client: TestClient
) -> None:
    vessels = miyako(hub)
    batch = next(e for e in hub.feed("USA", 0, 1000).entries if e.item.kind == "position")
    got = client.get(f"/api/v1/items/{batch.item.id}/positions", headers=auth(hub, "USA")).json()
    assert got["item"] == batch.item.id
    fixes = hub.store.positions(batch.item.id)
    assert {v["mmsi"] for v in got["vessels"]} == {f.mmsi for f in fixes} <= vessels
    assert sum(min(len(v["trail"]), 40) for v in got["vessels"]) <= len(fixes)
    denied = client.get(f"/api/v1/items/{batch.item.id}/positions", headers=auth(hub, "NATO"))
    missing = client.get("/api/v1/items/positions--nothing/positions", headers=auth(hub, "NATO"))
    assert denied.status_code == missing.status_code == 404
    assert denied.json()["detail"].replace(batch.item.id, "X") == missing.json()["detail"].replace(
        "positions--nothing", "X"
    )


def test_the_picture_obeys_coarsening_and_stripping(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 30, tzinfo=UTC)]
    hub = _hub_with(tmp_path, "obligations = { position_precision_deg = 0.5 }\n", now)
    miyako(hub)
    _, usa = tokens.issue(hub.store, "USA", tokens.PARTNER, now[0])
    client = TestClient(create_app(hub))
    picture: dict[str, Any] = client.get(
        "/api/v1/picture", headers={"Authorization": f"Bearer {usa}"}
    ).json()
    assert picture["vessels"]
    points = [(v["lon"], v["lat"]) for v in picture["vessels"]]
    points += [(p[0], p[1]) for v in picture["vessels"] for p in v["trail"]]
    points += [(e["lon"], e["lat"]) for e in picture["events"]]
    for lon, lat in points:
        assert (lon * 2, lat * 2) == (int(lon * 2), int(lat * 2))
    hub.close()

    (tmp_path / "strip").mkdir()
    hub = _hub_with(tmp_path / "strip", 'obligations = { strip = ["mmsi"] }\n', now)
    miyako(hub)
    _, usa = tokens.issue(hub.store, "USA", tokens.PARTNER, now[0])
    client = TestClient(create_app(hub))
    picture = client.get("/api/v1/picture", headers={"Authorization": f"Bearer {usa}"}).json()
    assert picture["vessels"] == []  # no identity, no track
    assert all("mmsi" not in e["payload"] for e in picture["events"])
    hub.close()


def test_parse_simulation() -> None:
    assert parse_simulation("jpn-ais=miyako-transit") == Simulation("jpn-ais", "miyako-transit")
    for bad in ("jpn-ais", "=all", "jpn-ais=atlantis"):
        with pytest.raises(InputError, match="FEED=SCENARIO"):
            parse_simulation(bad)


def test_a_replay_plays_every_sentence_in_time_order_and_loops_forward(hub: Hub) -> None:
    expected = len(nmea_lines(build_scenario("miyako-transit", 1, load_region())))

    async def play(loop: bool, seconds: float | None) -> int:
        stop = asyncio.Event()
        if seconds is not None:
            asyncio.get_running_loop().call_later(seconds, stop.set)
        task = replay(
            hub, Simulation("jpn-ais", "miyako-transit"), stop, speed=1e6, loop=loop, commit_s=0.01
        )
        return await task

    assert asyncio.run(play(False, None)) == expected
    summary = hub.store.tracks("jpn-ais")
    assert len(summary) == 3
    looped = asyncio.run(play(True, 1.5))
    assert looped > expected  # a second pass, with new vessels, later in simulated time
    tracks = hub.store.tracks("jpn-ais")
    assert len(tracks) > 3
    positions = [
        f for _, i in hub.store.items_of_kind("position") for f in hub.store.positions(i.id)
    ]
    assert positions
    assert hub.store.rejections("jpn-ais") == []
