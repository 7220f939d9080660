"""Governance over HTTP: partners propose and act as themselves, operators only read, refusals
are logged as denied, and a proposal that passes (at its deadline, decided by the server's own
tick, or when every member concurs) is the policy the next releases are decided under."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison import tokens
from liaison.api.app import create_app
from liaison.demo import DemoClock, load_demo
from liaison.hub import Hub
from tests.conftest import bearer as auth

KOREA = """\
rationale = "Korea joins maritime-security reporting."
apply_to_existing = {backlog}

[[amend_agreement]]
id = "itpp-kor"
add_areas = ["maritime-security"]
"""
TOKYO = """\
rationale = "Open the Tokyo tracking channel."

[[amend_agreement]]
id = "itpp-jpn"
add_kinds = ["position", "track", "event"]
"""
KOREA_BODY = ["DEU", "FRA", "GBR", "KOR", "LTU", "USA"]
BASE = "/api/v1/governance/proposals"


@pytest.fixture
def clock() -> DemoClock:
    return DemoClock()


@pytest.fixture
def hub(tmp_path: Path, clock: DemoClock) -> Iterator[Hub]:
    h = Hub.open(tmp_path / "hub.db", clock=clock)
    load_demo(h)
    yield h
    h.close()


@pytest.fixture
def client(hub: Hub) -> TestClient:
    return TestClient(create_app(hub))


def korea(backlog: bool = False) -> str:
    return KOREA.format(backlog="true" if backlog else "false")


def propose(client: TestClient, headers: dict[str, str], change: str, **extra: Any) -> Any:
    response = client.post(
        BASE, json={"change": change, "deadline": "7d", **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def denied(hub: Hub, partner: str) -> list[dict[str, Any]]:
    return [
        json.loads(r.body)
        for r in hub.store.audit.records(0, 100_000, partner)
        if r.type == "denied"
    ]


def feed_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    page = client.get("/api/v1/feed?limit=10000", headers=headers).json()
    return [e["item"]["id"] for e in page["items"]]


def test_a_partner_proposes_as_itself_and_every_partner_reads_the_record(
    hub: Hub, client: TestClient
) -> None:
    kor, aus = auth(hub, "KOR"), auth(hub, "AUS")
    p = propose(client, kor, korea())
    assert p["id"] == "P-1"
    assert p["proposer"] == "KOR"
    assert p["state"] == "circulating"
    assert p["body"] == KOREA_BODY
    assert p["touches"] == ["agreement:itpp-kor"]
    assert 6 * 86_400 < p["seconds_left"] <= 7 * 86_400
    span = datetime.fromisoformat(p["deadline"]) - datetime.fromisoformat(p["created"])
    assert timedelta(days=7) - timedelta(seconds=5) < span <= timedelta(days=7)
    # AUS governs nothing here, yet reads every proposal with its acts: partners are delegations.
    listed = client.get(BASE, headers=aus).json()["proposals"]
    assert [(q["id"], [a["kind"] for a in q["acts"]]) for q in listed] == [("P-1", ["submitted"])]
    assert client.get(f"{BASE}/P-1", headers=aus).json() == listed[0]
    assert client.get(f"{BASE}/P-9", headers=aus).status_code == 404
    assert client.get(BASE).status_code == 401


def test_a_non_member_is_refused_403_and_logged_as_denied(
    hub: Hub, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "liaison.api")
    propose(client, auth(hub, "KOR"), korea())
    nzl = auth(hub, "NZL")
    refused = client.post(f"{BASE}/P-1/concur", headers=nzl)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("NZL is not a member of the body governing P-1")
    assert client.post(f"{BASE}/P-1/break", json={"reason": "no"}, headers=nzl).status_code == 403
    jpn = auth(hub, "JPN")  # a partner, but not of itpp-kor; nor may it propose a change to it
    response = client.post(BASE, json={"change": korea(), "deadline": "7d"}, headers=jpn)
    assert response.status_code == 403
    assert client.post(f"{BASE}/P-1/withdraw", headers=auth(hub, "USA")).status_code == 403
    assert [d["asked"] for d in denied(hub, "NZL")] == [
        "concur with P-1",
        "break silence on P-1",
    ]
    assert [d["asked"] for d in denied(hub, "JPN")] == ["propose a change"]
    assert [d["asked"] for d in denied(hub, "USA")] == ["withdraw P-1"]
    assert "only the proposer (KOR)" in denied(hub, "USA")[0]["reason"]
    assert any(
        "403 POST /api/v1/governance/proposals/P-1/concur" in r.message for r in caplog.records
    )
    # Nothing the refused members did is on the proposal's record.
    (p,) = client.get(BASE, headers=nzl).json()["proposals"]
    assert [a["kind"] for a in p["acts"]] == ["submitted"]


def test_an_operator_reads_but_never_acts_as_a_member(hub: Hub, client: TestClient) -> None:
    admin = auth(hub, "ops", tokens.ADMIN)
    response = client.post(BASE, json={"change": korea(), "deadline": "7d"}, headers=admin)
    assert response.status_code == 403
    assert "operators do not act as members" in response.json()["detail"]
    propose(client, auth(hub, "KOR"), korea())
    for act in ("concur", "withdraw"):
        assert client.post(f"{BASE}/P-1/{act}", headers=admin).status_code == 403
    assert client.post(f"{BASE}/P-1/break", json={"reason": "x"}, headers=admin).status_code == 403
    (p,) = client.get(BASE, headers=admin).json()["proposals"]
    assert p["state"] == "circulating"
    assert [a["kind"] for a in p["acts"]] == ["submitted"]


def test_one_break_fails_it_and_the_record_says_who_and_why(hub: Hub, client: TestClient) -> None:
    propose(client, auth(hub, "JPN"), TOKYO)
    usa, fra = auth(hub, "USA"), auth(hub, "FRA")
    assert (
        client.post(f"{BASE}/P-1/concur", json={"reason": "fine"}, headers=usa).status_code == 200
    )
    assert client.post(f"{BASE}/P-1/break", json={}, headers=fra).status_code == 422
    assert client.post(f"{BASE}/P-1/break", json={"reason": ""}, headers=fra).status_code == 422
    broke = client.post(f"{BASE}/P-1/break", json={"reason": "obligations first"}, headers=fra)
    assert broke.status_code == 200
    p = broke.json()
    assert p["state"] == "failed"
    assert p["concurred"] == ["USA"]
    assert p["broke_silence"] == [{"member": "FRA", "reason": "obligations first"}]
    assert p["outcome"]["kind"] == "break"
    assert p["outcome"]["member"] == "FRA"
    assert [(a["kind"], a["member"], a["reason"]) for a in p["acts"]] == [
        ("submitted", "JPN", ""),
        ("concur", "USA", "fine"),
        ("break", "FRA", "obligations first"),
    ]
    late = client.post(f"{BASE}/P-1/concur", headers=auth(hub, "GBR"))
    assert late.status_code == 409
    assert hub.policy_version == 1


def test_bad_proposals_are_refused_with_the_reason(hub: Hub, client: TestClient) -> None:
    kor = auth(hub, "KOR")

    def refused(body: dict[str, Any]) -> tuple[int, str]:
        response = client.post(BASE, json=body, headers=kor)
        return response.status_code, response.json()["detail"]

    assert refused({"change": korea(), "deadline": "whenever"})[0] == 422
    assert refused({"change": korea(), "deadline": "2020-01-01T00:00:00Z"})[0] == 422
    code, detail = refused(
        {"change": "rationale = 'x'\n[[add_area]]\nname = 'space'\n", "deadline": "7d"}
    )
    assert code == 422
    assert "'space' is already an area of cooperation" in detail
    assert refused({"change": korea(), "deadline": "7d", "extra": 1})[0] == 422
    propose(client, kor, korea())
    assert refused({"change": korea(), "deadline": "7d"})[0] == 409  # P-1 decides itpp-kor first
    amended = propose(client, kor, korea(backlog=True), amends="P-1")
    assert amended["supersedes"] == "P-1"
    assert [p["state"] for p in client.get(BASE, headers=kor).json()["proposals"]] == [
        "superseded",
        "circulating",
    ]


def test_the_server_passes_it_at_the_deadline_and_new_items_are_decided_under_it(
    hub: Hub, clock: DemoClock, tmp_path: Path
) -> None:
    woken = threading.Event()
    stop_watching = hub.watch(woken.set)
    kor, nato = auth(hub, "KOR"), auth(hub, "NATO")
    with TestClient(create_app(hub, decide_every_s=0.02)) as client:
        propose(client, kor, korea())
        assert client.post(f"{BASE}/P-1/concur", headers=auth(hub, "USA")).status_code == 200
        assert "nato-maritime-1" not in feed_ids(client, kor)
        time.sleep(0.1)
        assert not woken.is_set()
        clock.advance(timedelta(days=7, seconds=1))
        # The server's own tick decides it: watched through a second connection, no request.
        other = Hub.open(tmp_path / "hub.db")
        try:
            for _ in range(250):
                if other.store.policy_head() == 2:
                    break
                time.sleep(0.02)
            assert other.store.policy_head() == 2
        finally:
            other.close()
        assert woken.wait(5)
        p = client.get(f"{BASE}/P-1", headers=kor).json()
        assert p["state"] == "passed"
        assert p["policy_version"] == 2
        assert client.get("/api/v1/health").json()["policy_version"] == 2
        # A NATO maritime report published now reaches KOR under version 2; the one stored
        # before does not (apply_to_existing was false).
        report = {
            "id": "nato-maritime-2", "area": "maritime-security", "title": "Tankers again",
            "label": "NATO RESTRICTED // REL TO NATO, KOR",
        }  # fmt: skip
        assert client.post("/api/v1/items", json=report, headers=nato).json()["releases"] >= 1
        got = feed_ids(client, kor)
        assert "nato-maritime-2" in got
        assert "nato-maritime-1" not in got
    release = hub.store.release("KOR", "nato-maritime-2")
    assert release is not None
    assert release.policy_version == 2
    stop_watching()


def test_every_member_concurring_passes_it_at_once_and_releases_the_backlog(
    hub: Hub, client: TestClient
) -> None:
    kor = auth(hub, "KOR")
    propose(client, kor, korea(backlog=True))
    assert "nato-maritime-1" not in feed_ids(client, kor)
    for member in ("USA", "FRA", "GBR", "DEU"):
        step = client.post(f"{BASE}/P-1/concur", headers=auth(hub, member)).json()
        assert step["state"] == "circulating"
    last = client.post(f"{BASE}/P-1/concur", headers=auth(hub, "LTU")).json()
    assert last["state"] == "passed"
    assert last["policy_version"] == 2
    assert last["concurred"] == ["DEU", "FRA", "GBR", "LTU", "USA"]
    assert "nato-maritime-1" in feed_ids(client, kor)  # apply_to_existing: the backlog too
    release = hub.store.release("KOR", "nato-maritime-1")
    assert release is not None
    assert release.policy_version == 2
