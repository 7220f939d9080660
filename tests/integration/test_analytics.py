"""Historical analytics: the archive exported to Parquet, and the detectors run over it with
Dask, give exactly the events the streaming path stored from the same input."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as pds  # type: ignore[import-untyped]  # pyarrow ships no type information
import pytest
from typer.testing import CliRunner, Result

from liaison.analytics import analyse as analyse_module
from liaison.analytics.analyse import SYNCHRONOUS, analyse
from liaison.analytics.export import MARKER, export_parquet
from liaison.cli import app
from liaison.codec import canonical_json
from liaison.demo import load_demo
from liaison.errors import InputError
from liaison.hub import Hub
from liaison.maritime.geo import azimuth_deg, destination
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import LatLon, Leg, Scenario, Vessel, nmea_lines

DETECTORS = ("transit", "gap", "encounter")
HOUR = 3600.0
runner = CliRunner()
EventKey = tuple[Any, ...]


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def harbour() -> Scenario:
    """Vessels lying near each other at overlapping times, in a chain (A near B near C, A not
    near C), a pair that meets twice, a pair still together when the input ends, and a transit
    in a vessel's last minutes (its crossing is released only when the input ends): encounters
    of several pairs sharing vessels, which the analysis must group without cutting or doubling
    any, and episodes only `finish` closes."""
    here = (27.6, 124.6)
    a, b = here, destination(*here, 0.0, 250.0)
    c, d = destination(*here, 0.0, 480.0), destination(*here, 90.0, 300.0)
    far = destination(*here, 45.0, 8_000.0)
    last = destination(*here, 135.0, 8_000.0)
    away = destination(*here, 200.0, 20_000.0)

    def lying(mmsi: int, spot: LatLon, depart: float, hold_h: float, leave: bool = True) -> Vessel:
        start = destination(*spot, 300.0, 15_000.0)
        legs = [Leg(spot, 10.0), Leg(None, 0.5, hold_h * HOUR)]
        legs += [Leg(away, 10.0)] if leave else []
        return Vessel(mmsi, f"HARBOUR {mmsi % 100}", 70, start, legs, depart=depart)

    twice = Vessel(
        412_700_099, "TWICE", 70, destination(*far, 300.0, 15_000.0),
        [Leg(far, 10.0), Leg(None, 0.5, 2.5 * HOUR), Leg(destination(*far, 0, 6_000), 10.0),
         Leg(far, 10.0), Leg(None, 0.5, 2.5 * HOUR), Leg(away, 10.0)],
    )  # fmt: skip
    gate = load_region().gate("miyako-strait")
    one, other = gate.points[0], gate.points[-1]
    middle = destination(
        one.lat, one.lon, azimuth_deg(one.lat, one.lon, other.lat, other.lon), 20_000
    )
    across = azimuth_deg(one.lat, one.lon, other.lat, other.lon) + 90
    late = Vessel(
        412_700_098, "LATE", 70, destination(middle.lat, middle.lon, across + 180, 30_000),
        [Leg(destination(middle.lat, middle.lon, across, 800), 16.0)], depart=8 * HOUR,
    )  # fmt: skip
    return Scenario(
        "harbour",
        [
            lying(412_700_001, a, 0.0, 6.0),
            lying(412_700_002, b, 1_800.0, 4.0),
            lying(412_700_003, c, 3_600.0, 4.0),
            lying(412_700_004, d, 900.0, 3.0),
            lying(412_700_005, far, 0.0, 9.0),
            twice,
            lying(412_700_006, last, 0.0, 12.0, leave=False),
            lying(412_700_007, destination(*last, 90.0, 150.0), 600.0, 12.0, leave=False),
            late,
        ],
        [],
    )


@dataclass(frozen=True, slots=True)
class Archive:
    db: Path
    parquet: Path
    stored: dict[str, list[EventKey]]  # the streaming path's events, per type
    fixes: list[tuple[Any, ...]]  # every stored fix, read per position item
    days: tuple[str, ...]


def _stored_key(feed: str | None, sources: tuple[str, ...], payload: dict[str, Any]) -> EventKey:
    details = {
        k: v
        for k, v in payload.items()
        if k not in ("type", "mmsi", "names", "start", "end", "position")
    }
    position = payload["position"]
    return (
        feed, payload["type"], tuple(payload["mmsi"]), payload["start"], payload["end"],
        position["lat"], position["lon"], canonical_json(details), sources,
    )  # fmt: skip


def _analysed_key(event: dict[str, Any]) -> EventKey:
    return (
        event["feed"], event["type"], tuple(event["mmsi"]), event["start"], event["end"],
        round(event["lat"], 6), round(event["lon"], 6), canonical_json(event["details"]),
        tuple(event["sources"]),
    )  # fmt: skip


def _build(folder: Path, name: str) -> Archive:
    region = load_region()
    scenario = harbour() if name == "harbour" else build_scenario(name, 1, region)
    inputs = [("jpn-ais", scenario)]
    if name == "all":
        # The same vessels on a second feed: each feed is a picture of its own, in the stream
        # and in the analysis alike; and every fix has a twin of the same vessel and time,
        # which paging must neither lose nor repeat where a page ends between the two.
        inputs.append(("nato-ais", scenario))
    hub = Hub.open(folder / "hub.db")
    try:
        load_demo(hub)
        for feed, sc in inputs:
            ais = hub.ingest_ais(feed, [line for _, line in nmea_lines(sc)], f"{name}.nmea")
            assert (ais.rejected, ais.untimed, ais.late) == (0, 0, 0)
        stored: dict[str, list[EventKey]] = {d: [] for d in DETECTORS}
        for _, item in hub.store.items_of_kind("event", 0, 100_000):
            payload = dict(item.payload)
            if payload["type"] in stored:
                stored[payload["type"]].append(_stored_key(item.feed, item.sources, payload))
        fixes = [
            (item.feed, f.mmsi, f.time, f.lat, f.lon, f.sog, f.cog, f.heading, f.source)
            for _, item in hub.store.items_of_kind("position", 0, 100_000)
            for f in hub.store.positions(item.id)
        ]
        # Small pages: many page boundaries, each a chance to lose or repeat a fix.
        summary = export_parquet(hub.store, folder / "parquet", page_rows=97)
    finally:
        hub.close()
    assert summary.rows == len(fixes)
    return Archive(
        folder / "hub.db",
        folder / "parquet",
        {k: sorted(v) for k, v in stored.items()},
        sorted(fixes, key=repr),
        summary.days,
    )


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Archive]:
    built: dict[str, Archive] = {}

    def archive(name: str) -> Archive:
        if name not in built:
            built[name] = _build(tmp_path_factory.mktemp(name), name)
        return built[name]

    return archive


# Each scenario with the events it must hold, so that an equality of two empty lists cannot pass
# for agreement.
EXPECTED = {
    "miyako-transit": {"transit"},
    "dark-vessel": {"gap"},
    "rendezvous": {"encounter"},
    "harbour": {"encounter", "transit"},
    "all": {"transit", "gap", "encounter"},
}


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_analysis_equals_the_streaming_path(
    archives: Callable[[str], Archive], scenario: str, detector: str
) -> None:
    archive = archives(scenario)
    found = analyse(archive.parquet, detector, scheduler=SYNCHRONOUS)
    assert {e["type"] for e in found} <= {detector}
    assert sorted(_analysed_key(e) for e in found) == archive.stored[detector]
    if detector in EXPECTED[scenario]:
        assert archive.stored[detector], f"{scenario} should hold {detector} events"


def test_encounters_of_pairs_sharing_vessels(archives: Callable[[str], Archive]) -> None:
    stored = archives("harbour").stored["encounter"]
    pairs = [key[2] for key in stored]
    assert len(pairs) >= 4
    assert len({m for pair in pairs for m in pair}) >= 4
    assert len(pairs) > len(set(pairs)), "a pair that met twice has two encounters"
    assert (412_700_006, 412_700_007) in pairs, "together when the input ends: closed by finish"
    transits = archives("harbour").stored["transit"]
    assert [key[2] for key in transits] == [(412_700_098,)], "crossed in its last minutes"


def test_every_fix_exported_once_partitioned_by_utc_day(
    archives: Callable[[str], Archive],
) -> None:
    archive = archives("all")  # its dark vessel's track runs past midnight
    assert archive.days == ("2026-11-28", "2026-11-29")
    folders = sorted(p.name for p in archive.parquet.iterdir() if p.is_dir())
    assert folders == ["day=2026-11-28", "day=2026-11-29"]
    for folder in folders:
        assert [p.name for p in (archive.parquet / folder).glob("part-*.parquet")]
    table = pds.dataset(archive.parquet, format="parquet", partitioning="hive").to_table()
    rows = table.to_pylist()
    exported = sorted(
        (r["feed"], r["mmsi"], r["time"], r["lat"], r["lon"], r["sog"], r["cog"], r["heading"],
         r["source"])
        for r in rows
    )  # fmt: skip
    assert exported == sorted(archive.fixes)
    assert len({r["seq"] for r in rows}) == len(rows)
    for r in rows:
        assert str(r["day"]) == _utc_day(r["time"])
    marker = json.loads((archive.parquet / MARKER).read_text())
    assert (marker["rows"], marker["days"]) == (len(rows), list(archive.days))


def _utc_day(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def test_either_store_exports_and_agrees(store_location: str, tmp_path: Path) -> None:
    """The store's paged read is SQL that SQLite and PostgreSQL (positions partitioned by day
    there) both run: the same export, the same gaps as the stream, on either."""
    hub = Hub.open(store_location)
    try:
        load_demo(hub)
        lines = [line for _, line in nmea_lines(build_scenario("dark-vessel", 1, load_region()))]
        positions = hub.ingest_ais("jpn-ais", lines, "dark-vessel.nmea").positions
        stored = sorted(
            _stored_key(item.feed, item.sources, dict(item.payload))
            for _, item in hub.store.items_of_kind("event", 0, 1000)
            if item.payload["type"] == "gap"
        )
        summary = export_parquet(hub.store, tmp_path / "parquet", page_rows=50)
    finally:
        hub.close()
    assert (summary.rows, summary.days) == (positions, ("2026-11-28", "2026-11-29"))
    found = analyse(tmp_path / "parquet", "gap", scheduler=SYNCHRONOUS)
    assert stored
    assert sorted(_analysed_key(e) for e in found) == stored


def test_export_refuses_a_non_empty_directory(
    archives: Callable[[str], Archive], tmp_path: Path
) -> None:
    db = archives("rendezvous").db
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    result = run("export", "--db", db, "--parquet", other)
    assert result.exit_code == 2
    assert "is not empty" in result.output
    result = run("export", "--db", db, "--parquet", other, "--overwrite")
    assert result.exit_code == 2
    assert "not a Liaison export" in result.output
    assert (other / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]  # no staging left behind

    target = tmp_path / "export"
    first = run("export", "--db", db, "--parquet", target)
    assert first.exit_code == 0, first.output
    assert "fixes in 1 days (2026-11-28 to 2026-11-28)" in first.stdout
    again = run("export", "--db", db, "--parquet", target)
    assert again.exit_code == 2
    assert "is not empty" in again.output
    replaced = run("export", "--db", db, "--parquet", target, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert replaced.stdout == first.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "notes"]


def test_overwrite_leaves_no_stale_day(archives: Callable[[str], Archive], tmp_path: Path) -> None:
    target = tmp_path / "export"
    assert run("export", "--db", archives("dark-vessel").db, "--parquet", target).exit_code == 0
    result = run("export", "--db", archives("rendezvous").db, "--parquet", target, "--overwrite")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "day=2026-11-28"]


def test_an_empty_store_exports_nothing(tmp_path: Path) -> None:
    hub = Hub.open(tmp_path / "hub.db")
    load_demo(hub)
    hub.close()
    result = run("export", "--db", tmp_path / "hub.db", "--parquet", tmp_path / "empty")
    assert result.exit_code == 0, result.output
    assert "0 fixes in 0 days written" in result.stdout
    assert [p.name for p in (tmp_path / "empty").iterdir()] == [MARKER]
    for detector in DETECTORS:
        assert analyse(tmp_path / "empty", detector, scheduler=SYNCHRONOUS) == []


def test_no_store_no_export(tmp_path: Path) -> None:
    result = run("export", "--db", tmp_path / "typo.db", "--parquet", tmp_path / "out")
    assert result.exit_code == 2
    assert "no store there" in result.output
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("detector", ["loitering", "Transit", "", "gap,encounter"])
def test_a_bad_detector_is_refused(archives: Callable[[str], Archive], detector: str) -> None:
    parquet = archives("rendezvous").parquet
    result = run("analyse", "--parquet", parquet, "--detector", detector, "--dask", SYNCHRONOUS)
    assert result.exit_code == 2
    assert f"unknown detector {detector!r} (one of: transit, gap, encounter)" in result.output
    with pytest.raises(InputError, match="unknown detector"):
        analyse(parquet, detector, scheduler=SYNCHRONOUS)


def test_analyse_refuses_what_is_no_export(tmp_path: Path) -> None:
    result = run("analyse", "--parquet", tmp_path, "--detector", "gap", "--dask", SYNCHRONOUS)
    assert result.exit_code == 2
    assert "is not a Liaison export" in result.output


def test_an_unreachable_scheduler_is_an_error(
    archives: Callable[[str], Archive], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyse_module, "CONNECT_TIMEOUT_S", 1)
    parquet = archives("rendezvous").parquet
    result = run(
        "analyse", "--parquet", parquet, "--detector", "gap", "--dask", "tcp://127.0.0.1:9"
    )
    assert result.exit_code == 2
    assert "cannot reach a Dask scheduler at tcp://127.0.0.1:9" in result.output


def test_cli_on_a_local_cluster(archives: Callable[[str], Archive], tmp_path: Path) -> None:
    """The default scheduler: a LocalCluster of worker processes, started and closed by the
    command (the one slow test); its events, as JSON Lines, are the stream's."""
    archive = archives("all")
    out = tmp_path / "encounters.jsonl"
    result = run("analyse", "--parquet", archive.parquet, "--detector", "encounter", "--out", out)
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(_analysed_key(e) for e in found) == archive.stored["encounter"]
    assert len(found) == 2  # the rendezvous, on each of two feeds
    assert all(e["lat"] == round(e["lat"], 6) for e in found), "as the hub stores positions"
    assert list(found[0]) == [
        "type", "mmsi", "start", "end", "lat", "lon", "details", "feed", "sources",
    ]  # fmt: skip


def test_cli_to_standard_output(archives: Callable[[str], Archive]) -> None:
    archive = archives("all")
    result = run(
        "analyse", "--parquet", archive.parquet, "--detector", "gap", "--dask", "synchronous"
    )
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(_analysed_key(e) for e in found) == archive.stored["gap"]
    assert "2 gap events" in result.stderr  # the dark vessel, on each of two feeds
