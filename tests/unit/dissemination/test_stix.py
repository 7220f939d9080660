"""STIX 2.1 out and in: every object the hub emits is valid STIX (stix2-validator, strict, and
stix2.parse), ids are stable, markings are referenced, and what partners send in becomes report
lines or failures that say where and why."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import stix2  # type: ignore[import-untyped, unused-ignore]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2validator import (  # type: ignore[import-untyped, unused-ignore]
    ValidationOptions,
    validate_instance,
)

from liaison.config import HubConfig
from liaison.dissemination.stix import (
    FIXED_TIME,
    TLP2,
    identity,
    item_to_stix,
    primary_stix_id,
    shared_objects,
    statement_marking,
    stix_id,
    tlp_marking,
)
from liaison.dissemination.stix_inbox import InboundFailure, InboundObject, read_envelope
from liaison.errors import ConfigError, InputError
from liaison.ingest.reports import ReportContext, parse_report
from liaison.model.items import Item
from liaison.model.labels import Label
from liaison.policy.labels_io import label_to_short
from liaison.policy.spif import default_policy_bytes, parse_spif

POLICY = parse_spif(default_policy_bytes(), "builtin")
LABEL = Label.of("NATO", "RESTRICTED", {"Releasable To": ["JPN", "USA"]})
MARKING = label_to_short(LABEL, POLICY)  # "NATO RESTRICTED // REL TO JPN, USA"
WHEN = datetime(2026, 11, 28, 3, 4, 5, 678901, tzinfo=UTC)
STAMP = "2026-11-28T03:04:05.678Z"
# Strict: warnings are errors, no custom types or properties. The one check left out is
# uuid-check: STIX says SDO ids SHOULD be UUIDv4, and the hub's are UUIDv5 on purpose (stable).
STRICT = ValidationOptions(
    version="2.1", strict=True, strict_types=True, strict_properties=True, disabled="uuid-check"
)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
EVENTS: dict[str, dict[str, Any]] = {
    "transit": {"gate": "miyako", "gate_name": "Miyako Strait", "direction": "northbound"},
    "zone": {"zone": "cz-east", "action": "entry", "inferred": True},
    "gap": {"duration_h": 7.5, "likely_intentional": True},
    "encounter": {"duration_h": 3.2, "closest_m": 48},
    "loitering": {"duration_h": 12.0},
    "jump": {"distance_nm": 140.2, "implied_speed_kn": None},
}


def make_item(
    kind: str,
    payload: Mapping[str, Any],
    item_id: str = "report--1",
    sources: Sequence[str] = (),
    when: datetime = WHEN,
) -> Item:
    return Item(
        item_id, kind, frozenset({"USA", "JPN"}), "maritime-security", LABEL, when, payload,
        tuple(sources), "jpn-reports",
    )  # fmt: skip


def event_payload(kind: str, vessels: int = 1) -> dict[str, Any]:
    mmsi = [412000001 + n for n in range(vessels)]
    return {
        "type": kind,
        "mmsi": mmsi,
        "names": ["HAI YANG 1", None][:vessels] + [None] * (vessels - 2),
        "start": "2026-11-27T23:00:00Z",
        "end": "2026-11-28T03:04:05Z",
        "position": {"lat": 24.9, "lon": 125.6},
        **EVENTS[kind],
    }


def assert_valid(objects: Sequence[Mapping[str, Any]]) -> None:
    assert objects
    for obj in objects:
        results = validate_instance(dict(obj), STRICT)
        assert results.is_valid, [str(e) for e in results.errors]
        stix2.parse(dict(obj), allow_custom=False)  # raises on anything stix2 refuses


def assert_item_objects(objects: Sequence[Mapping[str, Any]], item: Item) -> None:
    """What every object of an item carries: time, creator, markings; the primary one first."""
    assert_valid(objects)
    for obj in objects:
        assert obj["spec_version"] == "2.1"
        assert TIMESTAMP.match(obj["modified"])
        assert obj["created_by_ref"] == identity("JPN")["id"]  # first originator, sorted
        assert obj["object_marking_refs"][0] == statement_marking(MARKING)["id"]
    assert objects[0]["external_references"] == [{"source_name": "liaison", "external_id": item.id}]
    assert all("external_references" not in o for o in objects[1:])
    assert len({o["id"] for o in objects}) == len(objects)


# --- outbound -----------------------------------------------------------------------------------


def test_tlp2_ids_are_the_published_ones() -> None:
    assert dict(TLP2) == TLP2_IDS


@pytest.mark.parametrize("tlp", sorted(TLP2_IDS))
def test_tlp2_marking_objects_are_the_published_ones(tlp: str) -> None:
    obj = tlp_marking(tlp)
    assert obj["id"] == TLP2_IDS[tlp]
    assert obj["name"] == f"TLP:{tlp.upper()}"
    assert obj["created"] == "2022-10-01T00:00:00.000Z"
    ext = obj["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]
    assert ext == {"extension_type": "property-extension", "tlp_2_0": tlp}
    assert_valid([obj])


def test_statement_marking_and_identity_are_valid_and_stable() -> None:
    marking = statement_marking(MARKING)
    assert marking == statement_marking(MARKING)
    assert marking["definition"] == {"statement": MARKING}
    assert marking["name"] == MARKING
    assert marking["created"] == FIXED_TIME
    assert statement_marking("NATO SECRET")["id"] != marking["id"]
    jpn = identity("JPN")
    assert jpn["identity_class"] == "organization"
    assert jpn["id"] == identity("JPN")["id"] != identity("KOR")["id"]
    assert_valid([marking, jpn])


def test_stix_id_is_name_based() -> None:
    assert stix_id("report", "r1") == stix_id("report", "r1")
    assert stix_id("report", "r1").startswith("report--")
    assert uuid.UUID(stix_id("report", "r1").split("--")[1]).version == 5
    assert stix_id("report", "r1") != stix_id("report", "r2")


def test_a_report() -> None:
    item = make_item("report", {"title": "Dark transit", "body": "Seen twice.\nNo AIS."})
    objects = item_to_stix(item, item.payload, MARKING)
    assert_item_objects(objects, item)
    [report] = objects
    assert report["type"] == "report"
    assert report["id"] == primary_stix_id(item.id, "report")
    assert (report["name"], report["description"]) == ("Dark transit", "Seen twice.\nNo AIS.")
    assert report["created"] == report["modified"] == report["published"] == STAMP
    assert report["report_types"] == ["threat-report"]
    # STIX wants a non-empty object_refs: without sources it names the creator.
    assert report["object_refs"] == [identity("JPN")["id"]]
    assert report["object_marking_refs"] == [statement_marking(MARKING)["id"]]


@pytest.mark.parametrize("tlp", sorted(TLP2_IDS))
def test_tlp_is_a_second_marking(tlp: str) -> None:
    item = make_item("report", {"title": "t"})
    for obj in item_to_stix(item, item.payload, MARKING, tlp):
        assert obj["object_marking_refs"] == [statement_marking(MARKING)["id"], TLP2_IDS[tlp]]


def test_an_unknown_tlp_is_a_config_error() -> None:
    item = make_item("report", {"title": "t"})
    with pytest.raises(ConfigError, match="TLP 'white'"):
        item_to_stix(item, item.payload, MARKING, "white")


def test_report_sources_name_their_primary_objects() -> None:
    sources = ["event--e1", "positions--p1", "r0", "indicator--i1", "track-7"]
    item = make_item("report", {"title": "t"}, sources=sources)
    [report] = item_to_stix(item, item.payload, MARKING)
    assert report["object_refs"] == [
        primary_stix_id("event--e1", "event"),
        primary_stix_id("r0", None),
        primary_stix_id("indicator--i1", "indicator"),
        primary_stix_id("track-7", None),
    ]
    assert report["object_refs"][0].startswith("sighting--")  # an event's primary object
    assert primary_stix_id("r0", None) == primary_stix_id("r0", "report") == stix_id("report", "r0")
    # Kinds the caller knows win over the ids' prefixes; positions and tracks have no object.
    known = {"r0": "indicator", "track-7": "track"}
    [report] = item_to_stix(item, item.payload, MARKING, source_kinds=known)
    assert primary_stix_id("r0", "indicator") in report["object_refs"]
    assert primary_stix_id("track-7", None) not in report["object_refs"]
    assert_valid([report])


def test_a_sanitised_report_without_title_or_body() -> None:
    item = make_item("report", {"title": "secret title", "body": "b"})
    [report] = item_to_stix(item, {}, MARKING)  # the partner's copy: both stripped
    assert report["name"] == item.id
    assert "description" not in report
    assert_item_objects([report], item)


def test_an_indicator_with_a_pattern() -> None:
    payload = {
        "title": "C2 server",
        "body": "Beacons every 60 s.",
        "pattern": "[ipv4-addr:value = '198.51.100.7']",
        "valid_from": "2026-11-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00+01:00",
        "indicator_types": ["malicious-activity"],
    }
    item = make_item("indicator", payload, "indicator--7")
    objects = item_to_stix(item, item.payload, MARKING, "amber")
    assert_item_objects(objects, item)
    [ind] = objects
    assert ind["type"] == "indicator"
    assert ind["id"] == primary_stix_id(item.id, "indicator")
    assert (ind["name"], ind["description"]) == ("C2 server", "Beacons every 60 s.")
    assert (ind["pattern"], ind["pattern_type"]) == (payload["pattern"], "stix")
    assert ind["valid_from"] == "2026-11-01T00:00:00.000Z"
    assert ind["valid_until"] == "2026-12-31T23:00:00.000Z"
    assert ind["indicator_types"] == ["malicious-activity"]


def test_an_indicator_without_body_or_valid_from() -> None:
    payload = {"title": "t", "pattern": "[domain-name:value = 'evil.example']"}
    item = make_item("indicator", payload, "indicator--8")
    [ind] = item_to_stix(item, item.payload, MARKING)
    assert ind["valid_from"] == STAMP
    assert ind["description"] == "t"  # the validator wants both name and description
    assert_item_objects([ind], item)


def test_an_indicator_without_a_pattern_is_a_report() -> None:
    item = make_item("indicator", {"title": "t", "body": "b"}, "indicator--9")
    [report] = item_to_stix(item, item.payload, MARKING)
    assert report["type"] == "report"
    assert report["report_types"] == ["indicator"]
    # Same UUID as the indicator it would be with its pattern.
    assert report["id"].split("--")[1] == primary_stix_id(item.id, "indicator").split("--")[1]
    assert_item_objects([report], item)


def test_an_invalid_stix_pattern_is_told_in_a_report() -> None:
    payload = {"title": "t", "body": "b", "pattern": "[ipv4-addr:value = '1.2.3.4'"}
    item = make_item("indicator", payload, "indicator--10")
    [report] = item_to_stix(item, item.payload, MARKING)
    assert report["type"] == "report"
    assert report["description"] == "b\n\npattern (stix): [ipv4-addr:value = '1.2.3.4'"
    assert_item_objects([report], item)


def test_a_snort_pattern_is_passed_as_given() -> None:
    rule = 'alert tcp any any -> any 80 (msg:"x"; sid:1;)'
    item = make_item("indicator", {"title": "t", "pattern": rule, "pattern_type": "snort"}, "i11")
    [ind] = item_to_stix(item, item.payload, MARKING)
    assert (ind["type"], ind["pattern_type"]) == ("indicator", "snort")
    assert_item_objects([ind], item)


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_each_event_type(kind: str) -> None:
    vessels = 2 if kind == "encounter" else 1
    item = make_item("event", event_payload(kind, vessels), f"event--{kind}")
    objects = item_to_stix(item, item.payload, MARKING, "green")
    assert_item_objects(objects, item)
    types = [o["type"] for o in objects]
    assert types == ["sighting"] * vessels + ["identity"] * vessels + ["location"]
    sightings, vessel_ids, location = objects[:vessels], objects[vessels:-1], objects[-1]
    assert sightings[0]["id"] == primary_stix_id(item.id, "event")
    assert [s["sighting_of_ref"] for s in sightings] == [v["id"] for v in vessel_ids]
    assert vessel_ids[0]["name"] == "MMSI 412000001 (HAI YANG 1)"
    assert all(v["identity_class"] == "unknown" and v["roles"] == ["vessel"] for v in vessel_ids)
    assert location["name"] == f"{kind} at 24.90N 125.60E"
    assert (location["latitude"], location["longitude"]) == (24.9, 125.6)
    for s in sightings:
        assert s["where_sighted_refs"] == [location["id"]]
        assert (s["first_seen"], s["last_seen"]) == (
            "2026-11-27T23:00:00.000Z",
            "2026-11-28T03:04:05.000Z",
        )
        assert s["count"] == 1
        assert s["description"].startswith(f"{kind} of MMSI 412000001 (HAI YANG 1)")
        assert "\n" not in s["description"]
        for key in EVENTS[kind]:
            assert f"{key}: " in s["description"]


def test_a_sanitised_event_without_position_or_names() -> None:
    payload = event_payload("encounter", 2)
    del payload["position"], payload["names"]
    item = make_item("event", payload, "event--e2")
    objects = item_to_stix(item, payload, MARKING)
    assert_item_objects(objects, item)
    assert [o["type"] for o in objects] == ["sighting", "sighting", "identity", "identity"]
    assert all("where_sighted_refs" not in o for o in objects)
    assert objects[2]["name"] == "MMSI 412000001"


def test_a_coarsened_position_as_strings_still_places_the_event() -> None:
    payload = {**event_payload("gap"), "position": {"lat": "-33.5", "lon": "-70.25"}}
    item = make_item("event", payload, "event--e3")
    objects = item_to_stix(item, payload, MARKING)
    assert objects[-1]["name"] == "gap at 33.50S 70.25W"
    assert_item_objects(objects, item)


@pytest.mark.parametrize(
    "position", [{"lat": 24.9}, {"lat": 91.0, "lon": 0}, {"lat": "x", "lon": 1}, [1, 2], None]
)
def test_a_position_that_is_not_one_gives_no_location(position: object) -> None:
    payload = {**event_payload("zone"), "position": position}
    item = make_item("event", payload, "event--e4")
    objects = item_to_stix(item, payload, MARKING)
    assert [o["type"] for o in objects] == ["sighting", "identity"]
    assert_item_objects(objects, item)


def test_an_event_whose_vessels_are_stripped_is_a_report() -> None:
    payload = event_payload("loitering")
    del payload["mmsi"]
    item = make_item("event", payload, "event--e5")
    objects = item_to_stix(item, payload, MARKING)
    assert [o["type"] for o in objects] == ["report", "location"]
    assert objects[0]["object_refs"] == [objects[1]["id"]]
    assert objects[0]["name"].startswith("loitering from 2026-11-27T23:00:00Z")
    assert_item_objects(objects, item)


def test_event_times_out_of_order_or_unreadable() -> None:
    payload = {**event_payload("gap"), "start": "2026-11-28T05:00:00Z", "end": "yesterday"}
    item = make_item("event", payload, "event--e6")
    [sighting, *_] = item_to_stix(item, payload, MARKING)
    assert (sighting["first_seen"], sighting["last_seen"]) == (STAMP, "2026-11-28T05:00:00.000Z")


def test_ids_are_stable_and_every_object_has_one_version() -> None:
    a = make_item("event", event_payload("transit"), "event--a")
    b = make_item(
        "event", event_payload("loitering"), "event--b", when=datetime(2026, 12, 1, tzinfo=UTC)
    )
    first = item_to_stix(a, a.payload, MARKING)
    assert first == item_to_stix(a, a.payload, MARKING)
    # Another partner's sanitised copy keeps the ids.
    coarse = {**a.payload, "position": {"lat": 24.0, "lon": 125.0}}
    assert [o["id"] for o in item_to_stix(a, coarse, "NATO UNCLASSIFIED")] == [
        o["id"] for o in first
    ]
    second = item_to_stix(b, b.payload, MARKING)
    # The same vessel in another event is another identity (named alike): no object the hub
    # serves ever needs a second version, so TAXII's first/last/all are all the same object.
    assert second[1]["id"] != first[1]["id"]
    assert second[1]["name"] == first[1]["name"]
    assert second[0]["id"] != first[0]["id"]
    assert first[1]["created"] == first[1]["modified"] == STAMP
    assert second[1]["created"] == second[1]["modified"] == "2026-12-01T00:00:00.000Z"


@pytest.mark.parametrize("kind", ["position", "track"])
def test_positions_and_tracks_are_not_served_over_taxii(kind: str) -> None:
    item = make_item(kind, {"count": 3, "bbox": [1, 2, 3, 4]}, f"{kind}s--1")
    assert item_to_stix(item, item.payload, MARKING) == []


def test_an_item_and_its_shared_objects_refer_to_nothing_outside() -> None:
    items = [
        make_item("report", {"title": "t"}),
        make_item("event", event_payload("encounter", 2), "event--x"),
        make_item(
            "indicator", {"title": "t", "pattern": "[url:value = 'http://x.example/']"}, "i1"
        ),
    ]
    for item in items:
        objects = item_to_stix(item, item.payload, MARKING, "red")
        shared = shared_objects(item, MARKING, "red")
        assert_valid(shared)
        ids = {o["id"] for o in [*objects, *shared]}
        assert set(_refs(objects)) <= ids


def _refs(value: object) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key.endswith("_ref") and isinstance(inner, str):
                yield inner
            elif key.endswith("_refs") and isinstance(inner, list):
                yield from inner
            else:
                yield from _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs(inner)


# --- outbound, any input --------------------------------------------------------------------------

times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
coordinates = st.floats(allow_nan=False) | st.text(max_size=6) | st.none()


@st.composite
def event_payloads(draw: st.DrawFn) -> dict[str, Any]:
    full: dict[str, Any] = {
        "type": draw(st.sampled_from(sorted(EVENTS)) | st.text(max_size=12)),
        "mmsi": draw(st.lists(st.integers(0, 999_999_999) | st.text(max_size=9), max_size=3)),
        "names": draw(st.lists(st.none() | st.text(max_size=20), max_size=3)),
        "start": draw(times.map(lambda t: t.isoformat()) | st.text(max_size=10)),
        "end": draw(times.map(lambda t: t.isoformat()) | st.text(max_size=10)),
        "position": {"lat": draw(coordinates), "lon": draw(coordinates)},
        **draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)),
    }
    keep = draw(st.sets(st.sampled_from(sorted(full))))  # obligations may strip any key
    return {k: v for k, v in full.items() if k in keep}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.text(), times, st.sampled_from([None, *TLP2_IDS]), st.text(min_size=1))
def test_any_report_or_indicator_is_valid_stix(
    title: str, body: str, when: datetime, tlp: str | None, marking: str
) -> None:
    for item in (
        make_item("report", {"title": title, "body": body}, when=when),
        make_item("indicator", {"title": title, "body": body}, "i1", when=when),
        make_item(
            "indicator",
            {"title": title, "body": body, "pattern": "[file:name = 'a.exe']"},
            "i2",
            when=when,
        ),
    ):
        objects = item_to_stix(item, item.payload, marking, tlp)
        assert_valid([*objects, statement_marking(marking)])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_payloads(), times)
def test_any_event_payload_is_valid_stix(payload: dict[str, Any], when: datetime) -> None:
    item = make_item("event", payload, "event--any", when=when)
    objects = item_to_stix(item, payload, MARKING, "amber+strict")
    assert_valid(objects)
    assert objects[0]["id"].split("--")[1] == primary_stix_id(item.id, "event").split("--")[1]


# --- inbound ------------------------------------------------------------------------------------

TLP_LABELS = {"green": "NATO UNCLASSIFIED", "amber": "NATO RESTRICTED // REL TO JPN, USA"}


@pytest.fixture(scope="module")
def ctx(demo_config: HubConfig) -> ReportContext:
    feed = demo_config.feed("jpn-reports")
    assert feed is not None
    return ReportContext(
        feed, demo_config.policy, demo_config.areas, [p.id for p in demo_config.partners], WHEN
    )


def read(
    objects: list[Any], unknown: str = "default"
) -> tuple[list[InboundObject], list[InboundFailure]]:
    return read_envelope({"objects": objects}, POLICY, TLP_LABELS, unknown)


def report_obj(n: int, refs: Sequence[str] = (), **extra: Any) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.UUID(int=n, version=4)}",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-02T10:00:00.123Z",
        "name": f"report {n}",
        "description": "body",
        "published": "2026-11-01T10:00:00Z",
        "object_refs": [f"identity--{uuid.UUID(int=1, version=4)}"],
        "object_marking_refs": list(refs),
        **extra,
    }


def test_round_trip_of_a_report(ctx: ReportContext) -> None:
    item = make_item("report", {"title": "Dark transit 🚢", "body": "Seen twice.\nNo AIS."})
    objects = [
        *shared_objects(item, MARKING, "amber"),
        *item_to_stix(item, item.payload, MARKING, "amber"),
    ]
    accepted, failures = read_envelope(
        {"type": "bundle", "objects": objects}, POLICY, TLP_LABELS, "reject"
    )
    # The creator's identity and the markings are context, neither items nor failures; the
    # markings label the report.
    assert failures == []
    [inbound] = accepted
    assert inbound.stix_id == objects[-1]["id"]
    assert inbound.version == STAMP
    assert inbound.report["label"] == MARKING
    back = parse_report(json.dumps(inbound.report), "taxii:0", ctx).item
    assert (back.payload["title"], back.payload["body"]) == (
        "Dark transit 🚢",
        "Seen twice.\nNo AIS.",
    )
    assert back.label == LABEL
    assert back.id == inbound.stix_id
    assert back.time == datetime(2026, 11, 28, 3, 4, 5, 678000, tzinfo=UTC)


def test_an_indicator_comes_in_with_its_pattern_in_the_body(ctx: ReportContext) -> None:
    item = make_item(
        "indicator", {"title": "C2", "body": "b", "pattern": "[ipv4-addr:value = '1.2.3.4']"}, "i1"
    )
    objects = [statement_marking(MARKING), *item_to_stix(item, item.payload, MARKING)]
    [inbound], failures = read(objects, "reject")
    assert failures == []
    assert inbound.report["kind"] == "indicator"
    assert inbound.report["body"] == "b\n\npattern (stix): [ipv4-addr:value = '1.2.3.4']"
    assert parse_report(json.dumps(inbound.report), "taxii:0", ctx).item.kind == "indicator"


def test_a_note_comes_in_as_a_report(ctx: ReportContext) -> None:
    note = {
        "type": "note",
        "spec_version": "2.1",
        "id": f"note--{uuid.UUID(int=9, version=4)}",
        "created": "2026-11-01T10:00:00Z",
        "modified": "2026-11-01T10:00:00Z",
        "content": "\n  First line.\nSecond line.",
        "object_refs": [report_obj(1)["id"], f"identity--{uuid.UUID(int=1, version=4)}"],
    }
    [inbound], failures = read([note])
    assert failures == []
    assert inbound.report["kind"] == "report"
    assert inbound.report["title"] == "First line."
    assert inbound.report["sources"] == [report_obj(1)["id"]]  # what the hub could hold
    assert "label" not in inbound.report
    assert inbound.version == "2026-11-01T10:00:00.000Z"  # stix2 keeps created/modified to ms
    assert parse_report(json.dumps(inbound.report), "taxii:0", ctx).item.sources == (
        report_obj(1)["id"],
    )


def test_invalid_objects_fail_and_their_neighbours_are_kept() -> None:
    no_name = report_obj(2)
    del no_name["name"]
    objects: list[Any] = [
        report_obj(1),
        no_name,
        report_obj(3, created="yesterday"),
        {**report_obj(4), "type": "malware", "id": f"malware--{uuid.UUID(int=4, version=4)}"},
        "not an object",
        report_obj(5, x_custom=1),
        {k: v for k, v in report_obj(6).items() if k != "spec_version"},
        report_obj(7, revoked=True),
        report_obj(8),
    ]
    accepted, failures = read(objects)
    assert [a.report["title"] for a in accepted] == ["report 1", "report 8"]
    messages = [f.message for f in failures]
    assert len(messages) == 7
    assert messages[0].startswith(f"object 1 ({no_name['id']}): not a valid STIX 2.1 report")
    assert "name" in messages[0]
    assert messages[1].startswith("object 2 (report--")
    assert "created" in messages[1]
    assert messages[2].startswith("object 3 (malware--")
    assert "type malware is not accepted by the hub (report, note, indicator)" in messages[2]
    assert messages[3] == "object 4 (None): a STIX object must be a JSON object, got str"
    assert messages[4].startswith("object 5 (")
    assert "x_custom" in messages[4]
    assert "spec_version must be '2.1'" in messages[5]
    assert "revoked" in messages[6]
    assert failures[1].version == "2026-11-02T10:00:00.123Z"
    assert failures[3].stix_id is None


def test_markings_give_the_label() -> None:
    statement = statement_marking("NATO SECRET // REL TO USA")
    objects = [
        statement,
        report_obj(1, [statement["id"]]),
        report_obj(2, [TLP2_IDS["green"]]),
        report_obj(3, [stix2.TLP_AMBER.id]),  # TLP 1.0 reads like TLP 2.0
        # Two markings giving the same label agree.
        report_obj(4, [TLP2_IDS["amber"], statement_marking(MARKING)["id"]]),
        statement_marking(MARKING),
        report_obj(5, granular_markings=[{"marking_ref": statement["id"], "selectors": ["name"]}]),
    ]
    accepted, failures = read(objects, "reject")
    assert failures == []
    assert [a.report["label"] for a in accepted] == [
        "NATO SECRET // REL TO USA",
        "NATO UNCLASSIFIED",
        MARKING,
        MARKING,
        "NATO SECRET // REL TO USA",
    ]


def test_markings_that_disagree_are_refused() -> None:
    statement = statement_marking("NATO SECRET")
    objects = [statement, report_obj(1, [statement["id"], TLP2_IDS["green"]]), report_obj(2)]
    accepted, [failure] = read(objects)
    assert [a.report["title"] for a in accepted] == ["report 2"]
    assert failure.message.startswith(f"object 1 ({report_obj(1)['id']}): markings disagree")
    assert statement["id"] in failure.message
    assert TLP2_IDS["green"] in failure.message


@pytest.mark.parametrize(
    ("refs", "why"),
    [
        ([], "no marking gives a label"),
        ([TLP2_IDS["red"]], "TLP:RED has no configured label"),
        ([f"marking-definition--{uuid.UUID(int=5, version=4)}"], "not defined in this envelope"),
        ([statement_marking("COMPANY CONFIDENTIAL")["id"]], "statement is not a label"),
    ],
)
def test_unknown_markings_reject_or_default(refs: list[str], why: str) -> None:
    objects = [statement_marking("COMPANY CONFIDENTIAL"), report_obj(1, refs)]
    [accepted], failures = read(objects, "default")
    assert failures == []
    assert "label" not in accepted.report  # the feed's default label applies
    accepted_none, [failure] = read(objects, "reject")
    assert accepted_none == []
    assert why in failure.message
    for ref in refs:
        assert ref in failure.message


def test_an_unknown_marking_beside_a_known_one_defaults_to_the_known() -> None:
    objects = [report_obj(1, [TLP2_IDS["green"], TLP2_IDS["red"]])]
    [accepted], _ = read(objects, "default")
    assert accepted.report["label"] == "NATO UNCLASSIFIED"
    assert read(objects, "reject")[0] == []


def test_a_bundle_and_bad_envelopes() -> None:
    accepted, _ = read_envelope(
        {"type": "bundle", "id": "bundle--x", "objects": [report_obj(1)]}, POLICY, {}, "default"
    )
    assert len(accepted) == 1
    assert read_envelope({}, POLICY, {}, "default") == ([], [])
    with pytest.raises(InputError, match="objects must be a list"):
        read_envelope({"objects": {"a": 1}}, POLICY, {}, "default")
    with pytest.raises(InputError, match="expected a TAXII envelope or bundle"):
        read_envelope(report_obj(1), POLICY, {}, "default")
    with pytest.raises(ConfigError, match="unknown_markings"):
        read_envelope({"objects": []}, POLICY, {}, "ignore")


def test_inbound_ids_are_hub_item_ids(ctx: ReportContext) -> None:
    objects = [report_obj(1), {**report_obj(2), "name": "   "}]
    accepted, _ = read(objects)
    for inbound in accepted:
        assert parse_report(json.dumps(inbound.report), "taxii:0", ctx).item.id == inbound.stix_id
    assert accepted[1].report["title"] == accepted[1].stix_id  # a blank name: the id stands in


stix_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["report", "note", "indicator", "marking-definition", "malware"])},
    optional={
        "spec_version": st.sampled_from(["2.1", "2.0"]),
        "id": st.text(max_size=50),
        "created": st.text(max_size=30),
        "name": json_values,
        "object_refs": json_values,
        "object_marking_refs": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(stix_like | json_values | st.builds(report_obj, st.integers(1, 50)), max_size=6))
def test_any_envelope_gives_objects_or_failures_never_a_crash(objects: list[Any]) -> None:
    accepted, failures = read(objects)
    markings = sum(isinstance(o, dict) and o.get("type") == "marking-definition" for o in objects)
    assert len(objects) - markings <= len(accepted) + len(failures) <= len(objects)
    for failure in failures:
        assert failure.message.startswith("object ")
