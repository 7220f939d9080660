"""The encounter grid join (liaison.analytics.encounters) finds every pair of fixes the encounter
detector could pair, wherever they lie on the grid: the superset that lets an analysis run
each group of vessels apart and still find every encounter the stream finds."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type information
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from liaison.analytics.detect import event_row, frame_fixes, run_groups
from liaison.analytics.encounters import (
    KEY_COLUMNS,
    candidate_keys,
    components,
    grid,
    pair_rows,
    probe_keys,
)
from liaison.maritime.detectors import EncounterDetector
from liaison.maritime.geo import destination, distance_m
from liaison.maritime.picture import Picture


@settings(max_examples=100, deadline=None)
@given(
    lat=st.floats(-85.0, 85.0),
    lon=st.floats(-179.0, 179.0),
    azimuth=st.floats(0.0, 360.0),
    metres=st.floats(0.0, 500.0),
    dt=st.floats(-600.0, 600.0),
    t0=st.floats(1.7e9, 1.9e9),
)
def test_every_pair_the_detector_can_pair_is_a_candidate(
    lat: float, lon: float, azimuth: float, metres: float, dt: float, t0: float
) -> None:
    """The grid join finds every pair of slow fixes within the detector's distance and time
    skew, wherever they lie on the grid (the superset `encounters.py` relies on)."""
    detector = EncounterDetector()
    there = destination(lat, lon, azimuth, metres)
    assume(distance_m(lat, lon, there.lat, there.lon) <= detector.max_distance_m)
    fixes = pd.DataFrame(
        {
            "feed": ["f", "f", "f"],
            "mmsi": [1, 2, 3],
            "time": [t0, t0 + dt, t0],
            "lat": [lat, there.lat, lat],
            "lon": [lon, there.lon, lon],
            "sog": [0.5, None, 2.0],  # no speed may be slow; 2 kn is not slow
        }
    )
    cell, bucket, slow_kn = grid(detector)
    keys = candidate_keys(fixes, cell, bucket, slow_kn)
    pairs = pair_rows(probe_keys(keys, cell).merge(keys, on=KEY_COLUMNS))
    assert list(pairs.itertuples(index=False, name=None)) == [("f", 1, 2)]
    assert components(pairs)["group"].tolist() == [0, 0]


USUALLY = st.integers(0, 29).map(lambda k: k < 29)  # True but one time in thirty


@st.composite
def drifting_vessels(draw: st.DrawFn) -> pd.DataFrame:
    """A few vessels drifting for hours in a box 400 m a side (corner to corner more than the
    500 m of an encounter), mostly slow, now and then fast or silent, some reporting no speed:
    pairs come together, drift apart, meet again. Reports fall on whole minutes, so vessels
    often report at the same time: their arrival order (`seq`) then decides, as in the stream."""
    rows = []
    for n in range(draw(st.integers(2, 6))):
        t = 60.0 * draw(st.integers(0, 60))
        lat, lon = draw(st.floats(27.0, 27.0036)), draw(st.floats(124.0, 124.004))
        for _ in range(draw(st.integers(20, 80))):
            t += draw(st.sampled_from([60.0, 180.0, 300.0, 420.0])) if draw(USUALLY) else 1500.0
            lat = min(max(lat + draw(st.floats(-0.0003, 0.0003)), 27.0), 27.0036)
            lon = min(max(lon + draw(st.floats(-0.0003, 0.0003)), 124.0), 124.004)
            sog = draw(st.sampled_from([0.3, 1.5, 1.9, None])) if draw(USUALLY) else 6.0
            rows.append((n + 1, 1.79e9 + t, lat, lon, sog, f"positions--{n}"))
    draw(st.randoms()).shuffle(rows)  # the order reports of the same time arrived in
    rows.sort(key=lambda row: row[1])
    frame = pd.DataFrame(rows, columns=["mmsi", "time", "lat", "lon", "sog", "source"])
    frame["feed"], frame["cog"], frame["heading"] = "f", None, None
    frame["seq"] = range(len(frame))
    return frame


@settings(max_examples=60, deadline=None)
@given(fixes=drifting_vessels())
def test_components_run_apart_find_what_one_picture_finds(fixes: pd.DataFrame) -> None:
    """The encounter detector over every vessel in one picture (the stream) finds exactly what it
    finds run over each component of possible pairs apart (the analysis). Episodes of a quarter
    of an hour count here, so that many are found, opened and closed in every example."""

    def detector() -> EncounterDetector:
        return EncounterDetector(min_duration_h=0.25)

    whole = Picture([detector()])
    streamed = [e for f in frame_fixes(fixes) for e in whole.add(f)] + whole.finish()
    cell, bucket, slow_kn = grid(detector())
    keys = candidate_keys(fixes, cell, bucket, slow_kn)
    groups = components(pair_rows(probe_keys(keys, cell).merge(keys, on=KEY_COLUMNS)))
    apart = run_groups(fixes.merge(groups, on=["feed", "mmsi"]), ["group"], detector)
    assert sorted(apart.to_dict("records"), key=repr) == sorted(
        (event_row("f", e) for e in streamed), key=repr
    )
