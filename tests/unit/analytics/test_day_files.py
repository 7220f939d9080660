"""DayFiles: a day per folder, rows in the order given, memory bounded by its limits."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from liaison.analytics.day_files import DayFiles

SCHEMA = pa.schema([("n", pa.int64())])


def rows(start: int, count: int) -> pa.Table:
    return pa.table({"n": list(range(start, start + count))}, schema=SCHEMA)


def read(root: Path) -> dict[str, list[list[int]]]:
    """Each day's part files, in part order, as their rows."""
    out: dict[str, list[list[int]]] = {}
    for folder in sorted(root.iterdir()):
        parts = sorted(folder.glob("part-*.parquet"), key=lambda p: int(p.stem.split("-")[1]))
        day = folder.name.removeprefix("day=")
        out[day] = [pq.read_table(p).column("n").to_pylist() for p in parts]
    return out


def test_rows_of_each_day_in_their_folder_in_order(tmp_path: Path) -> None:
    files = DayFiles(tmp_path, SCHEMA, row_group_rows=4)
    files.add("2026-11-28", rows(0, 3))
    files.add("2026-11-29", rows(100, 5))
    files.add("2026-11-28", rows(3, 6))
    files.close()
    assert read(tmp_path) == {"2026-11-28": [list(range(9))], "2026-11-29": [list(range(100, 105))]}
    assert files.days == ["2026-11-28", "2026-11-29"]
    groups = pq.ParquetFile(tmp_path / "day=2026-11-28" / "part-0.parquet").metadata
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == [4, 4, 1]


def test_a_day_continues_in_a_new_part_when_its_file_is_full(tmp_path: Path) -> None:
    files = DayFiles(tmp_path, SCHEMA, row_group_rows=2, max_rows_per_file=5)
    files.add("2026-11-28", rows(0, 12))
    files.close()
    assert read(tmp_path) == {"2026-11-28": [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]}


def test_open_files_and_buffered_rows_are_bounded(tmp_path: Path) -> None:
    files = DayFiles(tmp_path, SCHEMA, row_group_rows=100, max_buffered=10, max_open=2)
    for round_ in range(3):
        for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
            files.add(day, rows(round_ * 10, 4))
            assert sum(files._buffered.values()) <= 10
            assert len(files._open) <= 2
    files.close()
    found = read(tmp_path)
    for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
        assert [n for part in found[day] for n in part] == [
            0,
            1,
            2,
            3,
            10,
            11,
            12,
            13,
            20,
            21,
            22,
            23,
        ]
    assert any(len(parts) > 1 for parts in found.values()), "a closed day went on in a new part"
