"""The HTTP API through httpx (FastAPI's TestClient): authentication, feeds, items, publishing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liaison import tokens
from liaison.api.app import create_app
from liaison.cli import app as cli
from liaison.demo import load_demo
from liaison.hub import Hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    h = Hub.open(tmp_path / "hub.db")
    load_demo(h)
    yield h
    h.close()


@pytest.fixture
def client(hub: Hub) -> TestClient:
    return TestClient(create_app(hub, max_body_bytes=4096))


def token(hub: Hub, holder: str, role: str = tokens.PARTNER) -> dict[str, str]:
    _, secret = tokens.issue(hub.store, holder, role, hub.clock())
    return {"Authorization": f"Bearer {secret}"}


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "policy_version": 1}


def test_wrong_missing_and_revoked_tokens_are_401_and_logged(
    hub: Hub, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "liaison.api")
    assert client.get("/api/v1/feed").status_code == 401
    assert (
        client.get("/api/v1/feed", headers={"Authorization": "Bearer lia_nope"}).status_code == 401
    )
    stored, secret = tokens.issue(hub.store, "USA", tokens.PARTNER, hub.clock())
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/feed", headers=headers).status_code == 200
    assert hub.store.revoke_token(stored.id, hub.clock())
    response = client.get("/api/v1/feed", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "revoked token"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert sum("401 GET /api/v1/feed" in r.message for r in caplog.records) == 3
    assert all(secret not in r.message for r in caplog.records)


def test_a_partner_reads_only_its_own_feed(
    hub: Hub, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "liaison.api")
    usa = token(hub, "USA")
    page = client.get("/api/v1/feed", headers=usa).json()
    allowed = {item.id for _, item in hub.store.items() if hub.releaser.decide(item, "USA").allowed}
    assert {e["item"]["id"] for e in page["items"]} == allowed
    assert page["partner"] == "USA"
    assert client.get("/api/v1/feed?partner=FRA", headers=usa).status_code == 403
    assert any("403 GET /api/v1/feed" in r.message for r in caplog.records)
    admin = token(hub, "ops", tokens.ADMIN)
    fra = client.get("/api/v1/feed?partner=FRA", headers=admin).json()
    assert {e["item"]["id"] for e in fra["items"]} == {
        item.id for _, item in hub.store.items() if hub.releaser.decide(item, "FRA").allowed
    }


def test_cursors_resume_exactly(hub: Hub, client: TestClient) -> None:
    usa = token(hub, "USA")
    whole = client.get("/api/v1/feed?limit=1000", headers=usa).json()
    cursors = [e["cursor"] for e in whole["items"]]
    assert cursors == sorted(cursors)
    assert client.get(f"/api/v1/feed?after={whole['next']}", headers=usa).json()["items"] == []
    middle = cursors[len(cursors) // 2]
    later = client.get(f"/api/v1/feed?after={middle}", headers=usa).json()
    assert [e["cursor"] for e in later["items"]] == [c for c in cursors if c > middle]
    paged, after = [], 0
    while True:
        page = client.get(f"/api/v1/feed?after={after}&limit=2", headers=usa).json()
        if not page["items"]:
            break
        paged += [e["cursor"] for e in page["items"]]
        after = page["next"]
    assert paged == cursors
    assert client.get("/api/v1/feed?after=-1", headers=usa).status_code == 422
    assert client.get("/api/v1/feed?after=abc", headers=usa).status_code == 422


def test_an_item_is_shown_only_to_whom_it_is_released(hub: Hub, client: TestClient) -> None:
    usa, nato = token(hub, "USA"), token(hub, "NATO")
    assert (
        client.get("/api/v1/items/jpn-position-1", headers=usa).json()["item"]["id"]
        == "jpn-position-1"
    )
    denied = client.get("/api/v1/items/jpn-position-1", headers=nato)
    unknown = client.get("/api/v1/items/no-such-item", headers=nato)
    assert denied.status_code == unknown.status_code == 404
    assert denied.json()["error"] == unknown.json()["error"] == "NotFound"


def test_publishing(hub: Hub, client: TestClient) -> None:
    usa = token(hub, "USA")
    body = {
        "title": "Contact",
        "body": "b",
        "label": "NATO RESTRICTED // REL TO USA, JPN",
        "area": "cyber-defence",
    }
    created = client.post("/api/v1/items", json=body, headers=usa)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert created.json()["stored"] is True
    assert hub.item(item_id).originators == frozenset({"USA"})
    assert (
        client.get(f"/api/v1/items/{item_id}", headers=token(hub, "JPN")).status_code == 200
    )  # jpn-usa
    again = client.post("/api/v1/items", json=body, headers=usa).json()
    assert (again["id"], again["duplicate"]) == (item_id, True)
    assert (
        client.post("/api/v1/items", json={**body, "feed": "jpn-reports"}, headers=usa).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/items", json={**body, "label": "NATO SECRET // REL TO XYZ"}, headers=usa
    )
    assert bad.status_code == 422
    assert "XYZ" in bad.json()["detail"]
    assert (
        client.post("/api/v1/items", json={**body, "colour": "red"}, headers=usa).status_code == 422
    )
    assert (
        client.post(
            "/api/v1/items",
            content=b"{not json",
            headers={**usa, "Content-Type": "application/json"},
        ).status_code
        == 422
    )
    huge = client.post("/api/v1/items", json={**body, "body": "x" * 10_000}, headers=usa)
    assert huge.status_code == 413


def test_decisions_are_for_operators(hub: Hub, client: TestClient) -> None:
    assert (
        client.get("/api/v1/decisions/jpn-report-1", headers=token(hub, "USA")).status_code == 403
    )
    got = client.get(
        "/api/v1/decisions/jpn-report-1", headers=token(hub, "ops", tokens.ADMIN)
    ).json()
    by_partner = {d["partner"]: d for d in got["decisions"]}
    assert by_partner["USA"]["allowed"] is True
    assert by_partner["FRA"]["reasons"] == ["no agreement in force between JPN and FRA"]


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {
        "/api/v1/feed",
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/decisions/{item_id}",
    } <= set(doc["paths"])
    assert client.get("/docs").status_code == 404  # its page would load scripts from a CDN


def test_token_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "hub.db"
    assert runner.invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    made = runner.invoke(cli, ["tokens", "create", "--db", str(db), "--partner", "JPN"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("lia_")
    listed = runner.invoke(cli, ["tokens", "list", "--db", str(db), "--json"])
    (row,) = __import__("json").loads(listed.stdout)
    assert row["holder"] == "JPN"
    assert secret not in listed.stdout
    assert tokens.digest(secret) not in listed.stdout
    assert runner.invoke(cli, ["tokens", "revoke", "--db", str(db), row["id"]]).exit_code == 0
    assert runner.invoke(cli, ["tokens", "revoke", "--db", str(db), row["id"]]).exit_code == 2
    assert (
        runner.invoke(cli, ["tokens", "create", "--db", str(db), "--partner", "XYZ"]).exit_code == 2
    )
    assert repr(tokens.Secret("lia_x")) == "'**********'"


def _sse_events(text: str) -> list[tuple[int, dict[str, object]]]:
    out = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if fields.get("event") == "release":
            out.append((int(fields["id"]), __import__("json").loads(fields["data"])))
    return out


def test_sse_streams_the_feed_and_resumes(hub: Hub, client: TestClient) -> None:
    usa = token(hub, "USA")
    pulled = client.get("/api/v1/feed?limit=1000", headers=usa).json()["items"]
    with client.stream("GET", "/api/v1/stream?until_idle=0.3", headers=usa) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _sse_events(response.read().decode())
    assert [e for _, e in events] == pulled
    middle = events[len(events) // 2][0]
    with client.stream(
        "GET", "/api/v1/stream?until_idle=0.3", headers={**usa, "Last-Event-ID": str(middle)}
    ) as response:
        resumed = _sse_events(response.read().decode())
    assert [c for c, _ in resumed] == [c for c, _ in events if c > middle]
    assert client.get("/api/v1/stream?partner=FRA&until_idle=0.1", headers=usa).status_code == 403
    bad = client.get("/api/v1/stream?until_idle=0.1", headers={**usa, "Last-Event-ID": "x"})
    assert bad.status_code == 422


def test_websocket_pushes_new_releases(hub: Hub, client: TestClient) -> None:
    usa = token(hub, "USA")
    pulled = client.get("/api/v1/feed?limit=1000", headers=usa).json()["items"]
    with client.websocket_connect("/api/v1/ws?after=0&until_idle=0.5", headers=usa) as ws:
        got = [ws.receive_json() for _ in pulled]
        assert [{k: v for k, v in m.items() if k != "type"} for m in got] == pulled
        # A report published now reaches the connected partner.
        published = client.post(
            "/api/v1/items",
            json={"title": "live", "label": "NATO RESTRICTED // REL TO USA"},
            headers=usa,
        ).json()["id"]
        pushed = ws.receive_json()
        assert pushed["item"]["id"] == published
    from starlette.websockets import WebSocketDisconnect  # noqa: PLC0415

    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/api/v1/ws", headers={"Authorization": "Bearer bad"}) as ws,
    ):
        ws.receive_json()


def test_events_geojson_is_the_callers_view(hub: Hub, client: TestClient) -> None:
    from liaison.maritime.region import load_region  # noqa: PLC0415
    from liaison.maritime.scenarios import build_scenario  # noqa: PLC0415
    from liaison.maritime.simulate import nmea_lines  # noqa: PLC0415

    lines = [line for _, line in nmea_lines(build_scenario("miyako-transit", 1, load_region()))]
    hub.ingest_ais("jpn-ais", lines, "miyako.nmea")
    usa = client.get("/api/v1/events.geojson", headers=token(hub, "USA"))
    assert usa.headers["content-type"].startswith("application/geo+json")
    collection = usa.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 3
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 120 < lon < 130
        assert 20 < lat < 30
        assert feature["properties"]["type"] == "transit"
    nato = client.get("/api/v1/events.geojson", headers=token(hub, "NATO")).json()
    assert nato["features"] == []  # itpp-jpn covers no events


def test_tracks_geojson_shows_only_released_positions(hub: Hub, client: TestClient) -> None:
    from liaison.maritime.region import load_region  # noqa: PLC0415
    from liaison.maritime.scenarios import build_scenario  # noqa: PLC0415
    from liaison.maritime.simulate import nmea_lines  # noqa: PLC0415

    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "miyako.nmea")
    usa = client.get("/api/v1/tracks.geojson", headers=token(hub, "USA")).json()
    assert {f["properties"]["mmsi"] for f in usa["features"]} == {v.mmsi for v in scenario.vessels}
    assert {f["properties"]["name"] for f in usa["features"]} == {"TAIZHOU", "NINGBO", "QIANDAOHU"}
    for feature in usa["features"]:
        last = hub.store.tracks("jpn-ais", feature["properties"]["mmsi"])[0]
        assert feature["geometry"]["coordinates"] == [last.lon, last.lat]
    for partner in ("NATO", "FRA", "KOR"):
        assert (
            client.get("/api/v1/tracks.geojson", headers=token(hub, partner)).json()["features"]
            == []
        )


def test_serve_runs_ais_listeners_and_commits_on_shutdown(hub: Hub) -> None:
    import socket  # noqa: PLC0415
    import time  # noqa: PLC0415

    from liaison.ingest.listener import Endpoints  # noqa: PLC0415
    from liaison.maritime.region import load_region  # noqa: PLC0415
    from liaison.maritime.scenarios import build_scenario  # noqa: PLC0415
    from liaison.maritime.simulate import nmea_lines  # noqa: PLC0415

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lines = [line for _, line in nmea_lines(build_scenario("miyako-transit", 1, load_region()))]
    singles = [line for line in lines if "!AIVDM,1,1," in line][:500]
    app = create_app(hub, listen=("jpn-ais", Endpoints(udp=[("127.0.0.1", port)])))
    with TestClient(app) as client, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        assert client.get("/api/v1/health").status_code == 200
        for line in singles:
            sender.sendto(line.encode() + b"\n", ("127.0.0.1", port))
        time.sleep(0.5)
    # Shutdown committed the last batch: every report is stored.
    assert sum(t.fixes for t in hub.store.tracks("jpn-ais")) == len(singles)
