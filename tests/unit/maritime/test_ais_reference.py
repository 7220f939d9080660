"""Decoding checked against peers' expected outputs: gpsd's regression files and libais's pairs.

For every message both decode, position, course, speed, heading, name and ship type agree.
gpsd's `*.log.chk` echoes each sentence, then prints what it decoded, then repeats its last
report after unrelated sentences: only the first report after an AIS sentence is taken. gpsd
reports a type 24 once it has both parts, on part B, with part A's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liaison.maritime.ais import AisMessage, decode_lines
from liaison.maritime.vessels import VesselRegistry
from tests.conftest import shared_file

POSITION_TYPES = {1, 2, 3, 4, 9, 11, 17, 18, 19, 21, 27}
NAMED_TYPES = {5, 19, 21, 24}
TYPED_TYPES = {5, 19, 24}
ABSENT = object()
# The gpsd that wrote libais's typeexamples.json printed six-bit '_' as '-' and "'" as '`'; the
# standard table (and today's gpsd) has '_' and "'", as we do.
OLD_GPSD_TEXT = str.maketrans("_'", "-`")


def gpsd_reports(chk: Path) -> list[dict[str, Any]]:
    echoes = ".log" in chk.name  # the *.log.chk files echo their input; sample.aivdm's do not
    reports: list[dict[str, Any]] = []
    fresh = True
    for line in chk.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("class") == "AIS" and (fresh or not echoes):
                reports.append(record)
            fresh = False
        else:
            fresh = line.startswith("!")
    return reports


def expected(r: dict[str, Any]) -> dict[str, Any]:
    """gpsd's values in our units, None for its "not available" codes, ABSENT if not given."""
    t, scaled = r["type"], r["scaled"]
    out: dict[str, Any] = dict.fromkeys(
        ("lat", "lon", "sog", "cog", "heading", "name", "ship_type"), ABSENT
    )
    if t in POSITION_TYPES and "lat" in r:
        per_degree = 1 if scaled else (600 if t in (17, 27) else 600_000)
        lat, lon = r["lat"] / per_degree, r["lon"] / per_degree
        out["lat"], out["lon"] = (lat, lon) if abs(lat) <= 90 and abs(lon) <= 180 else (None, None)
    if t in POSITION_TYPES and "speed" in r:
        speed = float(r["speed"])
        if t == 27:
            out["sog"] = None if speed >= 63 else speed
        elif t == 9:
            out["sog"] = None if speed >= 1023 else speed
        else:
            speed = speed if scaled else speed / 10
            out["sog"] = None if speed >= 102.3 else speed
    if t in POSITION_TYPES and "course" in r:
        course = float(r["course"]) if scaled or t == 27 else r["course"] / 10
        out["cog"] = None if course >= 360 else course
    if t in POSITION_TYPES and "heading" in r:
        out["heading"] = None if r["heading"] >= 360 else r["heading"]
    name = r.get("shipname", r.get("name"))
    if t in NAMED_TYPES and name is not None:
        out["name"] = name.strip(" @") or None
    if t in TYPED_TYPES and "shiptype" in r:
        out["ship_type"] = r["shiptype"] or None
    return out


def disagreements(
    ours: AisMessage, r: dict[str, Any], name: str | None, tol: float = 1e-5, old_gpsd: bool = False
) -> list[str]:
    want = expected(r)
    if r["scaled"]:
        # gpsd rounds scaled type 17 positions to 0.1 deg and type 27 to 1e-4 (their resolution).
        tol = {17: 0.06, 27: 6e-5}.get(ours.msg_type, tol)
    got = {"lat": ours.lat, "lon": ours.lon, "sog": ours.sog, "cog": ours.cog}
    bad = [
        f"{key}: ours {got[key]} gpsd {want[key]}"
        for key, limit in (("lat", tol), ("lon", tol), ("sog", 0.051), ("cog", 0.051))
        if want[key] is not ABSENT and not _close(got[key], want[key], limit)
    ]
    if want["heading"] is not ABSENT and ours.heading != want["heading"]:
        bad.append(f"heading: ours {ours.heading} gpsd {want['heading']}")
    if want["name"] is not ABSENT and (name or "").translate(OLD_GPSD_TEXT if old_gpsd else {}) != (
        want["name"] or ""
    ):
        bad.append(f"name: ours {name!r} gpsd {want['name']!r}")
    if want["ship_type"] is not ABSENT and ours.ship_type != want["ship_type"]:
        bad.append(f"ship type: ours {ours.ship_type} gpsd {want['ship_type']}")
    return bad


def _close(a: float | None, b: float | None, tol: float) -> bool:
    return a is b if a is None or b is None else abs(a - b) <= tol


def paired(log: Path, chk: Path) -> Iterator[tuple[AisMessage, dict[str, Any], str | None]]:
    """(ours, gpsd's, the name to compare) for each gpsd report, matched by type and MMSI in order."""
    vessels = VesselRegistry()
    ours: list[tuple[AisMessage, str | None]] = []
    for msg in decode_lines(log.read_text(encoding="utf-8", errors="replace").splitlines()):
        if isinstance(msg, AisMessage):
            static = vessels.update(msg)
            # gpsd names a type 24 report (part B) after the part A it saw before.
            ours.append((msg, static.name if msg.msg_type == 24 and static else msg.name))
    used = [False] * len(ours)
    for report in gpsd_reports(chk):
        key = (report["type"], report["mmsi"])
        for i, (msg, name) in enumerate(ours):
            if not used[i] and (msg.msg_type, msg.mmsi) == key and msg.part in (None, 1):
                used[i] = True
                yield msg, report, name
                break


# (input, gpsd's output, how many messages both decode at least): the counts are what this
# decoder compares today; a drop means a regression in decoding or in matching.
GPSD_FILES = [
    ("ais-18-27.log", "ais-18-27.log.chk", 138),
    ("ais-nmea-type6-fid55.log", "ais-nmea-type6-fid55.log.chk", 1264),
    ("ais-nmea.log", "ais-nmea.log.chk", 166),
    ("ais-raw-messages.log", "ais-raw-messages.log.chk", 108),
    ("ais_unpack_sixbit.log", "ais_unpack_sixbit.log.chk", 12),
    ("sample.aivdm", "sample.aivdm.js.chk", 96),
    ("sample.aivdm", "sample.aivdm.ju.chk", 96),
]


@pytest.mark.parametrize(("log", "chk", "at_least"), GPSD_FILES)
def test_agrees_with_gpsd(log: str, chk: str, at_least: int) -> None:
    pairs = list(paired(shared_file("ais", "gpsd", log), shared_file("ais", "gpsd", chk)))
    problems = [
        f"line {msg.line_no} type {msg.msg_type} mmsi {msg.mmsi}: {bad}"
        for msg, report, name in pairs
        if (bad := disagreements(msg, report, name))
    ]
    print(f"{log} vs {chk}: {len(pairs)} messages compared")
    assert not problems, "\n".join(problems)
    assert len(pairs) >= at_least, f"only {len(pairs)} messages compared"


def test_type_17_positions_are_degrees_like_gpsd() -> None:
    # pyais gives a type 17's raw tenths of a minute over ten: 8393.6 where gpsd gives 13.989 deg.
    log = shared_file("ais", "gpsd", "ais-nmea-type6-fid55.log")
    chk = shared_file("ais", "gpsd", "ais-nmea-type6-fid55.log.chk")
    dgnss = [(m, r) for m, r, _ in paired(log, chk) if m.msg_type == 17]
    assert len(dgnss) == 5
    for msg, report in dgnss:
        assert msg.lon == pytest.approx(report["lon"] / 600)
        assert msg.lat == pytest.approx(report["lat"] / 600)
        assert msg.fields["lon"] == pytest.approx(report["lon"] / 10)  # the pitfall, still there


def test_agrees_with_libais_type_examples() -> None:
    lines = shared_file("ais", "libais", "typeexamples.nmea").read_text().splitlines()
    wanted = [
        json.loads(line)
        for line in shared_file("ais", "libais", "typeexamples.json").read_text().splitlines()
    ]
    outcomes = list(decode_lines(lines))
    ours = [m for m in outcomes if isinstance(m, AisMessage)]
    assert len(ours) == len(outcomes) == len(wanted) == 26
    for msg, report in zip(ours, wanted, strict=True):
        assert (msg.msg_type, msg.mmsi) == (report["type"], report["mmsi"])
        # This file's gpsd scaled a type 9's speed by 1/10; it is whole knots (ITU-R M.1371, and
        # gpsd's own newer sample.aivdm.js.chk, compared above).
        want = {k: v for k, v in report.items() if not (msg.msg_type == 9 and k == "speed")}
        # libais's JSON holds 32-bit floats: up to 1e-5 degree of rounding at 180 degrees.
        bad = disagreements(msg, want, msg.name, tol=5e-5, old_gpsd=True)
        assert not bad, f"line {msg.line_no}: {bad}"
    # libais's vendor fields: the logger time follows the station id.
    assert ours[0].time is not None
    assert int(ours[0].time.timestamp()) == 1325394060


def test_agrees_with_libais_tag_blocks() -> None:
    lines = shared_file("ais", "libais", "tagblock.nmea").read_text().splitlines()
    wanted = [
        json.loads(line)
        for line in shared_file("ais", "libais", "tagblock.json").read_text().splitlines()
    ]
    ours = [m for m in decode_lines(lines) if isinstance(m, AisMessage)]
    assert len(ours) == len(wanted) == 4
    for msg, report in zip(ours, wanted, strict=True):
        assert (msg.msg_type, msg.mmsi) == (report["type"], report["mmsi"])
        assert msg.source == report["tagblock_station"]
        assert msg.time is not None
        assert msg.time.isoformat().replace("+00:00", "") == report["tagblock_timestamp"].replace(
            ".000000Z", ""
        )
        assert not disagreements(msg, report, msg.name, tol=5e-5)  # 32-bit floats again
    # The type 5 is the 2-part `g:` group 1604, split by another station's sentence.
    assert ours[1].msg_type == 5
    assert ours[1].line_nos == (1, 3)
    assert ours[1].name == "ROSINANTE"
    assert ours[1].callsign == "XPD5019"
