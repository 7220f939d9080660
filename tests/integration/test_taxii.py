"""TAXII 2.1, driven by the real client `taxii2-client` against the hub served by uvicorn; every
object served is checked with the OASIS `stix2-validator`. Each partner's collections hold exactly
what the release engine allows it, nothing more."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import uvicorn
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import Server, as_pages

from liaison import tokens
from liaison.api.app import create_app
from liaison.demo import load_demo
from liaison.dissemination.taxii import TAXII_KINDS
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines

TAXII = "application/taxii+json;version=2.1"
OPTIONS = ValidationOptions(version="2.1")


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class Served:
    def __init__(self, hub: Hub, secrets: dict[str, str], url: str) -> None:
        self.hub = hub
        self.secrets = secrets
        self.url = url

    def server(self, partner: str) -> Server:
        return Server(f"{self.url}/taxii2/", auth=Bearer(self.secrets[partner]))

    def get(self, path: str, partner: str, **headers: str) -> requests.Response:
        sent = {"Accept": TAXII, "Authorization": f"Bearer {self.secrets[partner]}", **headers}
        return requests.get(self.url + path, headers=sent, timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    hub = Hub.open(tmp_path_factory.mktemp("taxii") / "hub.db")
    load_demo(hub)
    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "m.nmea")
    secrets = {
        p: str(tokens.issue(hub.store, p, tokens.PARTNER, hub.clock())[1])
        for p in ("JPN", "USA", "NATO", "KOR")
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(hub, max_body_bytes=64 * 1024), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield Served(hub, secrets, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
        hub.close()


def _everything(served: Served, partner: str, per_request: int) -> dict[str, list[dict[str, Any]]]:
    """Every object of every readable collection, page by page, by collection title."""
    root = served.server(partner).api_roots[0]
    out: dict[str, list[dict[str, Any]]] = {}
    for collection in root.collections:
        if not collection.can_read:
            continue
        objects: list[dict[str, Any]] = []
        for envelope in as_pages(collection.get_objects, per_request=per_request):
            page = envelope.get("objects", [])
            assert len(page) <= per_request
            objects += page
        out[collection.title] = objects
    return out


def _item_ids(objects: list[dict[str, Any]]) -> set[str]:
    return {
        ref["external_id"]
        for o in objects
        for ref in o.get("external_references", [])
        if ref.get("source_name") == "liaison"
    }


def _allowed(hub: Hub, partner: str) -> set[str]:
    allowed = set()
    after = 0
    while page := hub.store.items(after, 1000):
        for seq, item in page:
            after = seq
            if item.kind in TAXII_KINDS and hub.decide(item.id, partner).allowed:
                allowed.add(item.id)
    return allowed


@pytest.mark.parametrize("partner", ["JPN", "USA", "NATO", "KOR"])
def test_each_partner_reads_exactly_its_releases(served: Served, partner: str) -> None:
    got = _everything(served, partner, per_request=3)
    every = [o for objects in got.values() for o in objects]
    seen = _item_ids(every)
    assert seen == _allowed(served.hub, partner)
    for obj in every:
        result = validate_instance(obj, OPTIONS)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
    # Paging in threes gives what one big page gives, in the same order, each item's objects
    # once (its creator and markings come again on each page that needs them).
    whole = _everything(served, partner, per_request=10_000)
    for title, objects in got.items():
        assert _primaries(objects) == _primaries(whole[title])
        assert {(o["id"], o.get("modified", o["created"])) for o in objects} == {
            (o["id"], o.get("modified", o["created"])) for o in whole[title]
        }
        ids = [o["id"] for o in whole[title]]
        assert len(ids) == len(set(ids))
        for obj in objects:  # everything an object refers to is served with it
            refs = [obj.get("created_by_ref"), *obj.get("object_marking_refs", [])]
            assert set(filter(None, refs)) <= set(ids)


def _primaries(objects: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in objects if o.get("external_references")]


def test_what_each_partner_sees_differs_as_the_agreements_say(served: Served) -> None:
    jpn = _item_ids([o for objs in _everything(served, "JPN", 100).values() for o in objs])
    nato = _item_ids([o for objs in _everything(served, "NATO", 100).values() for o in objs])
    usa = _item_ids([o for objs in _everything(served, "USA", 100).values() for o in objs])
    events = {i for i in jpn if i.startswith("event--")}
    assert events, "JPN sees the transit events it originated"
    assert events <= usa  # jpn-usa covers maritime events
    assert not events & nato  # itpp-jpn: no real-time positions, tracks or events
    assert "jpn-report-1" in nato
    assert "usa-space-1" not in nato


def test_filters_manifest_versions_and_single_objects(served: Served) -> None:
    root = served.server("USA").api_roots[0]
    maritime = next(c for c in root.collections if c.title.startswith("maritime-security"))
    reports = maritime.get_objects(type="report")["objects"]
    assert reports
    assert {o["type"] for o in reports} == {"report"}
    manifest = maritime.get_manifest()
    everything = maritime.get_objects(limit=10_000)["objects"]
    assert [m["id"] for m in manifest["objects"]] == [o["id"] for o in everything[:100]]
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest["objects"])
    first = everything[0]
    assert maritime.get_object(first["id"])["objects"] == [first]
    assert maritime.object_versions(first["id"])["versions"] == [first["modified"]]
    assert maritime.get_objects(added_after="2999-01-01T00:00:00Z").get("objects", []) == []
    by_version = maritime.get_objects(id=first["id"], version=first["modified"])["objects"]
    assert by_version == [first]
    response = served.get(f"/taxii2/liaison/collections/{maritime.id}/objects/?limit=2", "USA")
    assert response.headers["Content-Type"] == TAXII
    assert "X-TAXII-Date-Added-First" in response.headers
    assert response.json()["more"] is True


def test_inbox_add_objects_and_status(served: Served) -> None:
    root = served.server("JPN").api_roots[0]
    inbox = next(c for c in root.collections if c.can_write)
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--5e8b0d77-3d2b-4b2b-9a3c-0d6f1a0c1a01",
        "created": "2026-11-29T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "NATO RESTRICTED // REL TO JPN, USA"},
    }
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--1b2a3c4d-0000-4000-8000-000000000001",
        "created": "2026-11-29T01:00:00.000Z",
        "modified": "2026-11-29T01:00:00.000Z",
        "name": "Survey ship loiters west of Yonaguni",
        "description": "A survey ship held station for six hours.",
        "published": "2026-11-29T01:00:00.000Z",
        "report_types": ["threat-report"],
        "object_refs": ["identity--1b2a3c4d-0000-4000-8000-000000000002"],
        "object_marking_refs": [marking["id"]],
    }
    broken = {"type": "report", "spec_version": "2.1", "id": "report--not-a-uuid"}
    status = inbox.add_objects({"objects": [marking, report, broken]})
    assert status.status == "complete"
    assert (status.success_count, status.failure_count) == (2, 1)
    assert [s["id"] for s in status.successes] == [marking["id"], report["id"]]
    assert "report--not-a-uuid" in json.dumps(status.failures)
    status.refresh()  # the status endpoint answers for the poster
    assert status.total_count == 3
    other = served.get(f"/taxii2/liaison/status/{status.id}/", "USA")
    assert other.status_code == 404
    # Released by the hub's rules: USA (jpn-usa, REL TO USA) sees it; NATO does not.
    usa = _item_ids([o for objs in _everything(served, "USA", 100).values() for o in objs])
    nato = _item_ids([o for objs in _everything(served, "NATO", 100).values() for o in objs])
    assert report["id"] in usa
    assert report["id"] not in nato


def test_refusals_are_taxii_errors(served: Served) -> None:
    url = served.url + "/taxii2/"
    wrong = requests.get(url, headers={"Accept": TAXII, "Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401
    assert wrong.headers["Content-Type"] == TAXII
    assert wrong.json()["http_status"] == "401"
    assert served.get("/taxii2/", "JPN", Accept="application/xml").status_code == 406
    root = served.server("JPN").api_roots[0]
    inbox = next(c for c in root.collections if c.can_write)
    readable = next(c for c in root.collections if c.can_read)
    assert served.get(f"/taxii2/liaison/collections/{inbox.id}/objects/", "JPN").status_code == 403
    assert served.get("/taxii2/liaison/collections/nope/", "JPN").status_code == 404
    bad_next = served.get(f"/taxii2/liaison/collections/{readable.id}/objects/?next=x", "JPN")
    assert bad_next.status_code == 422
    assert "next" in bad_next.json()["description"]
    post = f"{served.url}/taxii2/liaison/collections/{inbox.id}/objects/"
    auth = {"Authorization": f"Bearer {served.secrets['JPN']}", "Accept": TAXII}
    assert (
        requests.post(
            post, data=b"{}", headers={**auth, "Content-Type": "text/plain"}, timeout=5
        ).status_code
        == 415
    )
    not_json = requests.post(post, data=b"{", headers={**auth, "Content-Type": TAXII}, timeout=5)
    assert not_json.status_code == 422
    huge = requests.post(
        post, data=b"x" * (65 * 1024), headers={**auth, "Content-Type": TAXII}, timeout=5
    )
    assert huge.status_code == 413
    chunked = requests.post(
        post,
        data=iter([b"x" * 40_000, b"x" * 40_000]),
        headers={**auth, "Content-Type": TAXII},
        timeout=5,
    )
    assert chunked.status_code == 413
    read_only = f"{served.url}/taxii2/liaison/collections/{readable.id}/objects/"
    assert (
        requests.post(
            read_only, data=b'{"objects": []}', headers={**auth, "Content-Type": TAXII}, timeout=5
        ).status_code
        == 403
    )
    # Basic auth with the token as the password works too (clients that speak only Basic).
    basic = requests.get(
        url, headers={"Accept": TAXII}, auth=("JPN", served.secrets["JPN"]), timeout=5
    )
    assert basic.status_code == 200
    assert basic.json()["api_roots"]
