"""Noninterference (issue 13, "Done when"): what partner P reads does not depend on what is
withheld from it.

For any two hub states that differ only in items withheld from P (and so in releases to other
partners), every read response to P is byte-identical: status, headers and body of the feed
(whole and paged), each item (released, withheld, unknown: one 404), the picture, tracks and
events GeoJSON, whoami, the SSE and WebSocket first pages, and TAXII collections, objects,
manifest and versions with their `next` values. Global cursors failed this: a gap in P's
cursors counted the releases to others in between.

Audit entries are not compared: their indices and the signed heads number the whole log (all
partners' entries), which the audit log's own design must answer for (issue 13 items 2, 3).
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from unittest.mock import patch

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison import tokens
from liaison.api.app import create_app
from liaison.config import read_config_source
from liaison.hub import Hub
from liaison.ingest import ais_stream
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from liaison.storage.base import StoredToken
from liaison.storage.open import open_store

P = "USA"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = "lia_noninterference-test-token-of-usa"
TAXII = {"Accept": "application/taxii+json;version=2.1"}

# (feed, label, area): each released to P (checked), and each withheld from it (checked).
SEEN = (
    ("jpn-reports", "NATO RESTRICTED // REL TO USA, JPN", "maritime-security"),
    ("jpn-reports", "NATO RESTRICTED // REL TO USA, JPN", "cyber-defence"),
    ("usa-reports", "NATO RESTRICTED // REL TO USA", "cyber-defence"),
    ("fra-reports", "NATO RESTRICTED // REL TO FRA, USA", "maritime-security"),
)
WITHHELD = (
    ("jpn-reports", "NATO RESTRICTED // REL TO JPN", "maritime-security"),
    ("jpn-reports", "NATO RESTRICTED // REL TO JPN", "cyber-defence"),
    ("kor-reports", "NATO RESTRICTED // REL TO KOR", "cyber-defence"),
    ("fra-reports", "NATO RESTRICTED // REL TO FRA", "maritime-security"),
    ("gbr-reports", "NATO SECRET // REL TO GBR, FRA", "cyber-defence"),
)


def _clock() -> datetime:
    return NOW


@cache
def _template() -> Path:
    """A hub with the demo policy, P's token and a real AIS picture (positions and events
    released to P): copied for every example, so that each state starts alike."""
    path = Path(tempfile.mkdtemp(prefix="noninterference-")) / "template.db"
    counter = itertools.count(1)
    # Batch ids are random in a hub; here they are numbered, so that the two states' copies
    # of the same picture are byte-identical (no withheld positions are made: nothing skews it).
    with patch.object(ais_stream, "_new_batch_id", lambda: f"positions--{next(counter)}"):
        hub = Hub(open_store(path), _clock)
        hub.initialise(read_config_source(None))
        token = StoredToken("tok-usa", P, tokens.PARTNER, tokens.digest(SECRET), NOW)
        hub.store.add_token(token)
        lines = nmea_lines(build_scenario("miyako-transit", 1, load_region()))
        hub.ingest_ais("jpn-ais", [line for _, line in lines], "miyako.nmea")
        hub.close()
    with sqlite3.connect(path) as db:  # one file to copy: the WAL folded in
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@dataclass(frozen=True)
class Report:
    feed: str
    label: str
    area: str
    title: str

    def line(self) -> str:
        return json.dumps({"title": self.title, "label": self.label, "area": self.area})


@st.composite
def states(draw: st.DrawFn) -> tuple[list[Report], list[Report]]:
    """Two histories of the same reports seen by P, each with its own withheld reports
    interleaved."""
    seen = draw(st.lists(st.sampled_from(SEEN), min_size=1, max_size=5))
    shown = [Report(f, lab, a, f"seen {n}") for n, (f, lab, a) in enumerate(seen)]
    histories = []
    for state in ("a", "b"):
        history: list[Report] = []
        for n, report in enumerate([*shown, None]):
            hidden = draw(st.lists(st.sampled_from(WITHHELD), max_size=3))
            history += [
                Report(f, lab, a, f"withheld {state} {n}.{m}")
                for m, (f, lab, a) in enumerate(hidden)
            ]
            if report is not None:
                history.append(report)
        histories.append(history)
    return histories[0], histories[1]


def _build(path: Path, history: list[Report]) -> tuple[Hub, dict[str, str]]:
    """The hub after `history`; the id of each report by its title."""
    shutil.copy(_template(), path)
    hub = Hub(open_store(path), _clock)
    ids = {}
    for report in history:
        summary = hub.ingest_reports(report.feed, [report.line()], "test")
        assert not summary.rejections, summary.rejections
        ids[report.title] = summary.ids[0]
        released = hub.store.release(P, summary.ids[0]) is not None
        assert released == report.title.startswith("seen"), (report, released)
    return hub, ids


def _responses(client: TestClient, asked: list[str]) -> Iterator[tuple[str, object]]:
    """Every read response to P, in one order: (what, (status, headers, body))."""
    auth = {"Authorization": f"Bearer {SECRET}"}

    def get(url: str, **headers: str) -> tuple[int, list[tuple[str, str]], bytes]:
        got = client.get(url, headers={**auth, **headers})
        return got.status_code, sorted(got.headers.items()), got.content

    for url in (
        "/api/v1/feed?limit=1000",
        "/api/v1/feed?after=1&limit=2",
        "/api/v1/feed?after=3&limit=3",
        "/api/v1/picture",
        "/api/v1/tracks.geojson",
        "/api/v1/events.geojson",
        "/api/v1/whoami",
        "/api/v1/stream?until_idle=0.05",
        "/api/v1/stream?after=2&until_idle=0.05",
    ):
        yield url, get(url)
    for item_id in asked:
        yield f"item {item_id}", get(f"/api/v1/items/{item_id}")
    with client.websocket_connect("/api/v1/ws?after=0&until_idle=0.05", headers=auth) as ws:
        messages = []
        while (message := ws.receive())["type"] != "websocket.close":
            messages.append(message.get("text"))
        yield "ws", messages
    yield from _taxii(get)


def _taxii(get: object) -> Iterator[tuple[str, object]]:
    root = "/taxii2/liaison/collections/"
    collections = get(root, **TAXII)  # type: ignore[operator]
    yield root, collections
    for found in json.loads(collections[2])["collections"]:
        if not found["can_read"]:
            continue
        base = f"{root}{found['id']}/"
        for what in ("objects", "manifest"):
            url = f"{base}{what}/?limit=2"
            while True:
                page = get(url, **TAXII)  # type: ignore[operator]
                yield url, page
                body = json.loads(page[2]) if page[0] == 200 else {}
                if what == "objects":
                    for obj in body.get("objects", [])[:1]:
                        versions = f"{base}objects/{obj['id']}/versions/"
                        yield versions, get(versions, **TAXII)  # type: ignore[operator]
                if "next" not in body:
                    break
                url = f"{base}{what}/?limit=2&next={body['next']}"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(states())
def test_responses_to_a_partner_do_not_depend_on_what_it_is_withheld(
    tmp_path: Path, case: tuple[list[Report], list[Report]]
) -> None:
    """Issue 13 "Done when" (and item 12): two hub states that differ only in what is withheld
    from P give P byte-identical answers on every read channel."""
    first, second = case
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    hub_a, ids_a = _build(folder / "a.db", first)
    hub_b, ids_b = _build(folder / "b.db", second)
    try:
        withheld = [i for t, i in {**ids_a, **ids_b}.items() if t.startswith("withheld")]
        seen = sorted({i for t, i in ids_a.items() if t.startswith("seen")})
        asked = [*seen, *sorted(withheld), "no-such-item"]
        # No lifespan (no `with`): nothing runs beside the requests to write to the states.
        a, b = TestClient(create_app(hub_a)), TestClient(create_app(hub_b))
        # The premise: P reads its feed, the reports it is shown among the AIS picture's batches.
        feed = a.get("/api/v1/feed?limit=1000", headers={"Authorization": f"Bearer {SECRET}"})
        assert set(seen) <= {e["item"]["id"] for e in feed.json()["items"]}
        for (what, got_a), (_, got_b) in zip(
            _responses(a, asked), _responses(b, asked), strict=True
        ):
            assert got_a == got_b, f"{what} differs between the two states"
    finally:
        hub_a.close()
        hub_b.close()


@pytest.fixture(autouse=True, scope="module")
def _cleanup() -> Iterator[None]:
    yield
    if _template.cache_info().currsize:
        shutil.rmtree(_template().parent, ignore_errors=True)
        _template.cache_clear()
