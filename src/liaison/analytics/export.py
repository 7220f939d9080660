"""The archive of position fixes as a Parquet dataset, one Hive partition per UTC day.

    DIR/_liaison_export.json           what was exported: rows, days, the last storage sequence
    DIR/day=2026-11-28/part-0.parquet  mmsi, time, lat, lon, sog, cog, heading, source, feed, seq

For operators only: it is the hub's own archive, every feed's fixes, unfiltered by any
partner's releases or obligations. Hand it to no partner; a partner's view is its feed.

`time` stays UNIX seconds as float64, as the store keeps it, so that an analysis sees the very
numbers the streaming path saw; `seq` is the order fixes arrived in (ties in time are broken by
it, as the tracker breaks them). Fixes are read in pages (never the whole table at once) up to
the newest sequence when the export began, so that fixes stored meanwhile do not half appear,
and written in bounded memory (`day_files.py`); each day's files are in (mmsi, time) order.
The dataset is written beside DIR and moved into place when complete: an export that fails
leaves DIR as it was. DIR is made readable by its owner only (as `mkdtemp` makes it): keep it so.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information

from liaison.analytics.day_files import DayFiles
from liaison.errors import InputError
from liaison.storage.base import Store, StoredFix

MARKER = "_liaison_export.json"  # a leading "_": Parquet readers skip it
FORMAT = 1  # of the dataset: its columns and their meaning, as above
PAGE_ROWS = 50_000
DAY_S = 86_400

# The files' columns; the day is the folder's name (and a column again when read as Hive).
SCHEMA = pa.schema(
    [
        ("mmsi", pa.int64()),
        ("time", pa.float64()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("sog", pa.float64()),
        ("cog", pa.float64()),
        ("heading", pa.int32()),
        ("source", pa.string()),
        ("feed", pa.string()),
        ("seq", pa.int64()),
    ]
)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    rows: int
    days: tuple[str, ...]  # YYYY-MM-DD, in order
    last_seq: int  # the newest storage sequence exported (0: none)


def export_parquet(
    store: Store,
    target: Path,
    *,
    overwrite: bool = False,
    page_rows: int = PAGE_ROWS,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write every stored fix to `target`; refuse a non-empty `target` unless `overwrite` (and
    then only an earlier export). `progress` is told the rows of each page read."""
    _check_target(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, on the same file system, so that moving it into place is a rename.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
    try:
        last_seq = store.last_position_seq()
        files = DayFiles(staging, SCHEMA)
        rows = 0
        for page in _pages(store, last_seq, page_rows):
            for day, fixes in _by_day(page).items():
                files.add(day, _table(fixes))
            rows += len(page)
            if progress is not None:
                progress(len(page))
        files.close()
        summary = ExportSummary(rows, tuple(files.days), last_seq if rows else 0)
        marker = {
            "format": FORMAT,
            "rows": rows,
            "days": list(summary.days),
            "last_seq": summary.last_seq,
            "exported": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _pages(store: Store, last_seq: int, page_rows: int) -> Iterator[list[StoredFix]]:
    after: tuple[int, float, int] | None = None
    while page := store.fixes_page(after, page_rows, last_seq):
        yield page
        last = page[-1]
        after = (last.fix.mmsi, last.fix.time, last.seq)


def _by_day(page: list[StoredFix]) -> dict[str, list[StoredFix]]:
    names: dict[int, str] = {}  # a page holds few distinct days: each named once
    out: dict[str, list[StoredFix]] = {}
    for stored in page:
        n = int(stored.fix.time // DAY_S)
        day = names.get(n)
        if day is None:
            day = names[n] = datetime.fromtimestamp(n * DAY_S, UTC).strftime("%Y-%m-%d")
        out.setdefault(day, []).append(stored)
    return out


def _table(page: list[StoredFix]) -> pa.Table:
    fixes = [s.fix for s in page]
    columns = [
        [f.mmsi for f in fixes],
        [f.time for f in fixes],
        [f.lat for f in fixes],
        [f.lon for f in fixes],
        [f.sog for f in fixes],
        [f.cog for f in fixes],
        [f.heading for f in fixes],
        [f.source for f in fixes],
        [s.feed for s in page],
        [s.seq for s in page],
    ]
    return pa.Table.from_arrays(
        [pa.array(c, type=field.type) for c, field in zip(columns, SCHEMA, strict=True)],
        schema=SCHEMA,
    )


def _check_target(target: Path, overwrite: bool) -> None:
    if target.exists() and not target.is_dir():
        raise InputError("--parquet", f"{target} exists and is not a directory")
    if not target.exists() or not any(target.iterdir()):
        return
    if not overwrite:
        raise InputError(
            "--parquet", f"{target} is not empty: give an empty or new directory, or --overwrite"
        )
    if not (target / MARKER).is_file():
        # --overwrite deletes: only what an export wrote, never a directory that merely
        # happens to be named.
        raise InputError(
            "--parquet", f"{target} is not a Liaison export (no {MARKER}): refusing to replace it"
        )


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.replaced-{staging.name.rsplit('-', 1)[-1]}")
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old)
