"""The detectors against the simulator's ground truth: precision and recall 1.0 on every scenario."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import SCENARIOS, build_scenario
from liaison.maritime.simulate import nmea_lines

TOLERANCE_S = 600.0  # a duration's ends: within one slow report interval or so


def _t(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _matches(truth: dict[str, Any], event: dict[str, Any]) -> bool:
    if truth["type"] != event["type"] or sorted(truth["mmsi"]) != sorted(event["mmsi"]):
        return False
    start, end = _t(event["start"]), _t(event["end"])
    if "time" in truth:  # an instant: it must lie between the two fixes that bracket it
        when = _t(truth["time"])
        if not start - 1 <= when <= end + 1:
            return False
    else:
        if (
            abs(start - _t(truth["start"])) > TOLERANCE_S
            or abs(end - _t(truth["end"])) > TOLERANCE_S
        ):
            return False
    for key in ("gate", "direction", "zone", "action", "likely_intentional"):
        if key in truth and truth[key] != event.get(key):
            return False
    return True


def _detect(
    tmp_path: Path, scenario: str, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    built = build_scenario(scenario, seed, load_region())
    hub = Hub.open(tmp_path / "hub.db")
    try:
        load_demo(hub)
        summary = hub.ingest_ais(
            "jpn-ais", [line for _, line in nmea_lines(built)], f"{scenario}.nmea"
        )
        assert summary.rejected == 0, summary.rejections[:3]
        assert summary.untimed == 0
        events = [dict(item.payload) for _, item in hub.store.items_of_kind("event", 0, 100_000)]
    finally:
        hub.close()
    return built.truth, events


@pytest.mark.parametrize("scenario", [*SCENARIOS, "all"])
def test_precision_and_recall_are_one(tmp_path: Path, scenario: str) -> None:
    truth, events = _detect(tmp_path, scenario, seed=1)
    unmatched_truth = [t for t in truth if not any(_matches(t, e) for e in events)]
    false_events = [e for e in events if not any(_matches(t, e) for t in truth)]
    assert unmatched_truth == [], "missed (recall < 1)"
    assert false_events == [], "false alarms (precision < 1)"
    assert len(events) == len(truth)


@pytest.mark.parametrize("seed", [2, 3])
def test_other_seeds(tmp_path: Path, seed: int) -> None:
    truth, events = _detect(tmp_path, "all", seed)
    assert sorted((e["type"], tuple(sorted(e["mmsi"]))) for e in events) == sorted(
        (t["type"], tuple(sorted(t["mmsi"]))) for t in truth
    )
