"""The maritime commands end to end: simulate, ingest (plain, gzip, stdin), events, tracks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from liaison.cli import app

runner = CliRunner()


def run(*args: str | Path, stdin: str | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], input=stdin)


def ok_json(*args: str | Path) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "all.nmea"
    result = run("simulate", "--scenario", "all", "--seed", "1", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_simulate_writes_nmea_and_truth(simulated: Path) -> None:
    truth = json.loads(simulated.with_suffix(".truth.json").read_text())
    assert truth["scenario"] == "all"
    assert {e["type"] for e in truth["events"]} == {
        "transit",
        "zone",
        "gap",
        "encounter",
        "loitering",
        "jump",
    }
    first = simulated.read_text().splitlines()[0]
    assert first.startswith("\\c:")
    assert "!AIVDM" in first


def test_ingest_detects_and_lists_events(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    gz = tmp_path / "all.nmea.gz"
    gz.write_bytes(gzip.compress(simulated.read_bytes()))
    result = run("ingest", "--db", db, "--feed", "jpn-ais", gz)
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stdout
    truth = json.loads(simulated.with_suffix(".truth.json").read_text())["events"]
    events = ok_json("events", "--db", db, "--json")
    assert len(events) == len(truth)
    transits = ok_json("events", "--db", db, "--type", "transit", "--json")
    assert {e["payload"]["direction"] for e in transits} == {"East China Sea -> Pacific"}
    assert all(e["kind"] == "event" and e["feed"] == "jpn-ais" for e in transits)
    # jpn-ais is released to USA (jpn-usa covers all kinds) and not to NATO (itpp-jpn does not).
    assert len(ok_json("events", "--db", db, "--partner", "USA", "--json")) == len(truth)
    assert ok_json("events", "--db", db, "--partner", "NATO", "--json") == []
    assert run("events", "--db", db, "--type", "parade").exit_code == 2


def test_tracks(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    assert (
        run("ingest", "--db", db, "--feed", "nato-ais", "-", stdin=simulated.read_text()).exit_code
        == 0
    )
    tracks = ok_json("tracks", "--db", db, "--json")
    assert len(tracks) == 19
    taizhou = next(t for t in tracks if t["name"] == "TAIZHOU")
    one = ok_json("tracks", "--db", db, "--mmsi", str(taizhou["mmsi"]), "--json")
    assert len(one) == 1
    positions = one[0]["positions"]
    assert len(positions) == one[0]["fixes"]
    assert [p["time"] for p in positions] == sorted(p["time"] for p in positions)


def test_bad_nmea_lines_are_quarantined_and_good_ones_kept(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    good = [line for line in simulated.read_text().splitlines() if "!AIVDM,1,1," in line][:50]
    mixed = tmp_path / "mixed.nmea"
    mixed.write_text("\n".join([good[0], "garbage here", good[1][:-2] + "00", *good[2:]]) + "\n")
    result = run("ingest", "--db", db, "--feed", "jpn-ais", mixed)
    assert result.exit_code == 1
    rejected = ok_json("quarantine", "--db", db, "--json")
    assert [r["line"] for r in rejected] == [2, 3]
    assert all(r["reason"] for r in rejected)


def test_undecodable_bytes_in_nmea_are_quarantined(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    good = [line for line in simulated.read_text().splitlines() if "!AIVDM,1,1," in line][:3]
    bad = tmp_path / "bad.nmea"
    bad.write_bytes(
        b"\n".join([good[0].encode(), b"!AIVDM,1,1,,A,\xff\xfe,0*00", good[1].encode()]) + b"\n"
    )
    result = run("ingest", "--db", db, "--feed", "jpn-ais", bad)
    assert result.exit_code == 1
    (rejection,) = ok_json("quarantine", "--db", db, "--json")
    assert rejection["line"] == 2
    assert "\\xff\\xfe" in rejection["raw"]
    assert len(ok_json("tracks", "--db", db, "--json")) >= 1


def test_events_filters_come_before_the_limit(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    assert run("ingest", "--db", db, "--feed", "jpn-ais", simulated).exit_code == 0
    jumps = ok_json("events", "--db", db, "--type", "jump", "--limit", "1", "--json")
    assert [e["payload"]["type"] for e in jumps] == ["jump"]
    newest = ok_json("events", "--db", db, "--limit", "3", "--json")
    every = ok_json("events", "--db", db, "--json")
    assert newest == every[:3]
    assert [e["time"] for e in every] == sorted((e["time"] for e in every), reverse=True)
    assert len(ok_json("events", "--db", db, "--partner", "USA", "--limit", "2", "--json")) == 2


def test_tracks_move_only_forward_and_count_every_fix(tmp_path: Path, simulated: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("init", "--db", db).exit_code == 0
    lines = simulated.read_text().splitlines()
    early, late = tmp_path / "early.nmea", tmp_path / "late.nmea"
    middle = len(lines) // 2
    while "!AIVDM,2,2," in lines[middle]:  # keep multi-part groups whole
        middle += 1
    early.write_text("\n".join(lines[:middle]) + "\n")
    late.write_text("\n".join(lines[middle:]) + "\n")
    assert run("ingest", "--db", db, "--feed", "jpn-ais", late).exit_code == 0
    after_late = {t["mmsi"]: t for t in ok_json("tracks", "--db", db, "--json")}
    assert run("ingest", "--db", db, "--feed", "jpn-ais", early).exit_code == 0
    tracks = ok_json("tracks", "--db", db, "--json")
    for t in tracks:
        if t["mmsi"] in after_late:
            assert t["time"] == after_late[t["mmsi"]]["time"]  # the earlier file moved nothing back
        history = ok_json("tracks", "--db", db, "--mmsi", str(t["mmsi"]), "--json")[0]["positions"]
        assert t["fixes"] == len(history)
