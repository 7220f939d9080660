"""The streaming path's detectors over an exported archive, with Dask.

The work is split so that every event comes out as the streaming path finds it:

- transit and gap see one vessel at a time (its fix and its previous fix): the fixes are
  shuffled by (feed, MMSI) and each vessel runs through a picture of its own;
- encounter needs pairs: vessels are grouped into components of "may ever be near each other"
  (a grid join, `encounters.py`), and each component runs through one picture.

Every picture is the streaming path's own (`detect.py`), fed in time order with ties broken by
arrival order. Each feed is a picture of its own, as each feed's stream is. The events equal the
streaming path's when the archive is what one stream per feed stored, in time order within the
tracker's reorder window (10 minutes); beyond that the archive knows more than the stream did:
fixes that came too late for the stream (counted `late`, never detected on) are used here, and
an episode that spans two ingest runs is one episode here. Fixes that had no time of their own
(stamped with their time of receipt, kept from the detectors by the stream) cannot be told
apart in the archive: export a hub whose untimed count is 0 for exact agreement.

Schedulers: the address of a running Dask scheduler (tcp://HOST:PORT; its workers need this
package installed and the dataset at the same path); by default a LocalCluster of two
single-threaded worker processes, started and closed by the call; `synchronous` runs everything
in this process (tests, debugging).
"""

from __future__ import annotations

import importlib.resources
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import dask
import dask.dataframe as dd
import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type information
import pyarrow.fs as pafs  # type: ignore[import-untyped]  # pyarrow ships no type information

from liaison.analytics.detect import (
    DETECTORS,
    FIX_COLUMNS,
    RegionText,
    event_meta,
    group_events,
    make_detector,
    vessel_events,
)
from liaison.analytics.encounters import (
    KEY_COLUMNS,
    candidate_keys,
    components,
    grid,
    key_meta,
    pair_meta,
    pair_rows,
    probe_keys,
    probe_meta,
)
from liaison.analytics.export import FORMAT, MARKER
from liaison.codec import format_unix
from liaison.errors import InputError, RegionError
from liaison.maritime.detectors import EncounterDetector
from liaison.maritime.region import REGION_PACKAGE, REGION_RESOURCE, parse_region

SYNCHRONOUS = "synchronous"
LOCAL_WORKERS = 2  # this machine's cores; one thread each: the detectors hold the GIL
CONNECT_TIMEOUT_S = 10


def analyse(
    dataset: Path, detector: str, *, scheduler: str | None = None, region: Path | None = None
) -> list[dict[str, Any]]:
    """The events of one detector type over the exported archive at `dataset`, in time order:
    {type, mmsi, start, end, lat, lon, details, feed, sources}, as the hub stores events
    (times UTC ISO 8601, position to 1e-6 degrees)."""
    if detector not in DETECTORS:
        raise InputError(
            "--detector", f"unknown detector {detector!r} (one of: {', '.join(DETECTORS)})"
        )
    _check_export(dataset)
    text = region_text(region)
    # The day folders' files, not the folder: the export's own marker is no Parquet file.
    files = sorted(str(f) for f in dataset.glob("day=*/*.parquet"))
    if not files:
        return []  # an export of an empty store
    with dask_scheduler(scheduler):
        # Read with pyarrow's file system: dask's other reader resets pandas' index in place,
        # which pandas 3.1 warns is deprecated.
        fixes = dd.read_parquet(files, columns=FIX_COLUMNS, filesystem=pafs.LocalFileSystem())
        if detector == "encounter":
            found = _encounters(fixes, text)
        else:
            per_vessel = fixes.shuffle(on=["feed", "mmsi"])
            found = per_vessel.map_partitions(
                vessel_events, detector, text, meta=event_meta()
            ).compute()
    rows = sorted(found.to_dict("records"), key=_order)
    return [_event_json(row) for row in rows]


def _encounters(fixes: dd.DataFrame, text: RegionText) -> pd.DataFrame:
    detector = make_detector("encounter", text)
    if not isinstance(detector, EncounterDetector):  # pragma: no cover - default_detectors' own
        raise TypeError(f"expected an EncounterDetector, got {type(detector).__name__}")
    cell, bucket, slow_kn = grid(detector)
    # dask's DataFrame methods carry no annotations: each call below is unchecked, its
    # result Any.
    keys = fixes.map_partitions(  # type: ignore[no-untyped-call]
        candidate_keys, cell, bucket, slow_kn, meta=key_meta()
    ).drop_duplicates()
    probes = keys.map_partitions(probe_keys, cell, meta=probe_meta())
    joined = probes.merge(keys, on=KEY_COLUMNS)
    pairs = joined.map_partitions(pair_rows, meta=pair_meta()).drop_duplicates().compute()
    groups = components(pairs)
    if groups.empty:
        return event_meta()
    # Joined on `feed`: of the same type on both sides (Dask makes a frame's text its own type).
    small = dd.from_pandas(groups, npartitions=1).astype(  # type: ignore[no-untyped-call]
        {"feed": fixes.dtypes["feed"]}
    )
    members = fixes.merge(small, on=["feed", "mmsi"], how="inner")  # type: ignore[no-untyped-call]
    return (
        members.shuffle(on="group")
        .map_partitions(group_events, "encounter", text, meta=event_meta())
        .compute()
    )


def _check_export(dataset: Path) -> None:
    try:
        marker = json.loads((dataset / MARKER).read_text(encoding="utf-8"))
    except OSError:
        raise InputError("--parquet", f"{dataset} is not a Liaison export (no {MARKER})") from None
    except ValueError as exc:
        raise InputError("--parquet", f"{dataset / MARKER} is not JSON: {exc}") from None
    if not isinstance(marker, dict) or marker.get("format") != FORMAT:
        found = marker.get("format") if isinstance(marker, dict) else None
        raise InputError(
            "--parquet", f"{dataset} is an export of format {found!r}; this hub reads {FORMAT}"
        )


def region_text(path: Path | None) -> RegionText:
    """The region's GeoJSON, read as `load_region` reads it, and checked here (a bad file is
    an error now, not in every worker)."""
    if path is None:
        resource = importlib.resources.files(REGION_PACKAGE).joinpath(REGION_RESOURCE)
        text = RegionText(resource.read_bytes(), f"{REGION_PACKAGE}/{REGION_RESOURCE}")
    else:
        try:
            text = RegionText(path.read_bytes(), str(path))
        except OSError as exc:
            raise RegionError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    parse_region(text.data, text.source)
    return text


@contextmanager
def dask_scheduler(address: str | None) -> Iterator[None]:
    """Dask's computations inside the block run on `address` (see the module's docstring)."""
    if address == SYNCHRONOUS:
        with dask.config.set(scheduler="synchronous"):
            yield
        return
    # distributed is imported only when used: the synchronous path needs none of it.
    from distributed import Client, LocalCluster  # noqa: PLC0415

    if address is None:
        with (
            # distributed's constructors carry no annotations.
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster),  # type: ignore[no-untyped-call]
        ):  # fmt: skip
            yield
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError("--dask", f"cannot reach a Dask scheduler at {address}: {exc}") from exc
    with client:
        yield


def _event_json(row: dict[str, Any]) -> dict[str, Any]:
    # Python floats before rounding: numpy's round is not Python's, and the hub rounds with
    # Python's.
    return {
        "type": str(row["type"]),
        "mmsi": json.loads(row["mmsi"]),
        "start": format_unix(float(row["start"])),
        "end": format_unix(float(row["end"])),
        "lat": round(float(row["lat"]), 6),  # as the hub stores an event's position
        "lon": round(float(row["lon"]), 6),
        "details": json.loads(row["details"]),
        "feed": str(row["feed"]),
        "sources": json.loads(row["sources"]),
    }


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    # By the numbers: ISO text sorts 10.5Z before 10Z.
    return (float(row["start"]), float(row["end"]), str(row["type"]), str(row["feed"]),
            str(row["mmsi"]), str(row["details"]))  # fmt: skip


def write_jsonl(events: list[dict[str, Any]], stream: TextIO) -> None:
    for event in events:
        stream.write(json.dumps(event, ensure_ascii=False) + "\n")
