"""The worker side of an analysis: fixes out of a data frame partition, through the streaming
path's own `Picture` and detectors, events out as rows.

Nothing here is re-implemented: a group of fixes (one vessel's, or one group of vessels that
may meet) is fed to a fresh `Picture` in time order, ties broken by storage sequence (the order
the tracker breaks them in, arrival order), then `finish`ed, exactly as `AisStream` does with a
stream. The detectors come from `default_detectors`, so their thresholds are the hub's.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type information

from liaison.codec import canonical_json
from liaison.maritime.detectors import Detector, Event, default_detectors
from liaison.maritime.picture import Picture
from liaison.maritime.region import Region, parse_region
from liaison.maritime.tracks import Fix

DETECTORS = ("transit", "gap", "encounter")
FIX_COLUMNS = ["mmsi", "time", "lat", "lon", "sog", "cog", "heading", "source", "feed", "seq"]
EVENT_COLUMNS = ["feed", "type", "mmsi", "start", "end", "lat", "lon", "sources", "details"]


@dataclass(frozen=True, slots=True)
class RegionText:
    """The region as its GeoJSON text: what workers parse, with the streaming path's parser, so
    that they hold the very same zones and gates (and no file path has to exist on them)."""

    data: bytes
    source: str


def make_detector(name: str, region: RegionText) -> Detector:
    """A fresh detector of the hub's configuration, picked by its event type."""
    found = [d for d in default_detectors(_region(region)) if d.type == name]
    if len(found) != 1:
        raise ValueError(f"no detector of type {name!r}")
    return found[0]


@functools.lru_cache(maxsize=4)
def _region(region: RegionText) -> Region:
    # Parsed once per worker process and region, not once per partition.
    return parse_region(region.data, region.source)


def event_meta() -> pd.DataFrame:
    """The (empty) frame of events every partition returns: Dask's `meta`."""
    return pd.DataFrame(
        {
            "feed": pd.Series([], dtype="object"),
            "type": pd.Series([], dtype="object"),
            "mmsi": pd.Series([], dtype="object"),
            "start": pd.Series([], dtype="float64"),
            "end": pd.Series([], dtype="float64"),
            "lat": pd.Series([], dtype="float64"),
            "lon": pd.Series([], dtype="float64"),
            "sources": pd.Series([], dtype="object"),
            "details": pd.Series([], dtype="object"),
        }
    )


def vessel_events(part: pd.DataFrame, detector: str, region: RegionText) -> pd.DataFrame:
    """Events of every vessel in the partition, each vessel (per feed) a picture of its own:
    for transit and gap a vessel's events depend on its own fixes only."""
    return run_groups(part, ["feed", "mmsi"], lambda: make_detector(detector, region))


def group_events(part: pd.DataFrame, detector: str, region: RegionText) -> pd.DataFrame:
    """Events of every group (column `group`) in the partition, each group a picture of its own."""
    return run_groups(part, ["group"], lambda: make_detector(detector, region))


def run_groups(part: pd.DataFrame, keys: list[str], make: Callable[[], Detector]) -> pd.DataFrame:
    """Each group of rows (by `keys`) through a picture of its own with a fresh detector."""
    rows: list[dict[str, Any]] = []
    ordered = part.sort_values([*keys, "time", "seq"], kind="stable")
    for _, fixes in ordered.groupby(keys, sort=False, observed=True):
        feed = str(fixes["feed"].iloc[0])
        picture = Picture([make()])
        events = [e for fix in frame_fixes(fixes) for e in picture.add(fix)]
        events += picture.finish()
        rows += [event_row(feed, e) for e in events]
    if not rows:
        return event_meta()
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def frame_fixes(frame: pd.DataFrame) -> Iterator[Fix]:
    """The frame's rows as fixes, in the frame's order; missing speeds, courses and headings
    (NaN or NA in a frame) are None again, as in the store."""
    columns = [frame[c].tolist() for c in FIX_COLUMNS[:8]]
    for mmsi, time, lat, lon, sog, cog, heading, source in zip(*columns, strict=True):
        yield Fix(
            int(mmsi), float(time), float(lat), float(lon), _number(sog), _number(cog),
            None if _missing(heading) else int(heading), str(source),
        )  # fmt: skip


def event_row(feed: str, event: Event) -> dict[str, Any]:
    return {
        "feed": feed,
        "type": event.type,
        "mmsi": json.dumps(list(event.mmsis)),
        "start": event.start,
        "end": event.end,
        "lat": event.lat,
        "lon": event.lon,
        "sources": json.dumps(sorted(event.sources)),
        # As the hub stores an event's details: canonical JSON.
        "details": canonical_json(dict(event.details)),
    }


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value: object) -> float | None:
    return None if _missing(value) else float(value)  # type: ignore[arg-type]  # checked above
