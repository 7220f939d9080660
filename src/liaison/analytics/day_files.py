"""Writing rows into a Parquet dataset of one Hive partition per UTC day, in bounded memory.

Rows arrive in pages that each touch many days (the store is read in vessel order). Each day's
rows wait in a buffer until they fill a row group; when all buffers together hold more than
`max_buffered` rows, the fullest is written early (a smaller row group, never more memory). At
most `max_open` files are open at once: a day whose file is closed for another's continues in a
new part file (`part-1.parquet`, ...), as does a day whose file reached `max_rows_per_file`.
pyarrow's own dataset writer was tried first: it held every row until the end.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]


class DayFiles:
    def __init__(
        self,
        root: Path,
        schema: pa.Schema,
        *,
        row_group_rows: int = 65_536,
        max_buffered: int = 1_000_000,
        max_open: int = 256,
        max_rows_per_file: int = 4_000_000,
    ) -> None:
        self.root = root
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.max_buffered = max_buffered
        self.max_open = max_open
        self.max_rows_per_file = max_rows_per_file
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered: dict[str, int] = {}
        self._open: OrderedDict[str, tuple[pq.ParquetWriter, int]] = OrderedDict()  # LRU first
        self._parts: dict[str, int] = {}  # the next part number of each day

    @property
    def days(self) -> list[str]:
        return sorted(self._parts.keys() | self._buffers.keys())

    def add(self, day: str, table: pa.Table) -> None:
        """Rows of one day (`table` of `schema`)."""
        self._buffers.setdefault(day, []).append(table)
        self._buffered[day] = self._buffered.get(day, 0) + table.num_rows
        if self._buffered[day] >= self.row_group_rows:
            self._flush(day)
        while sum(self._buffered.values()) > self.max_buffered:
            self._flush(max(self._buffered, key=self._buffered.__getitem__))

    def close(self) -> None:
        """Write what is buffered and close every file."""
        for day in sorted(self._buffers):
            self._flush(day)
        while self._open:
            _, (writer, _) = self._open.popitem(last=False)
            writer.close()

    def _flush(self, day: str) -> None:
        table = pa.concat_tables(self._buffers.pop(day))
        del self._buffered[day]
        while table.num_rows:
            writer, written = self._writer(day)
            room = self.max_rows_per_file - written
            head, table = table.slice(0, room), table.slice(room)
            writer.write_table(head, row_group_size=self.row_group_rows)
            self._open[day] = (writer, written + head.num_rows)
            if written + head.num_rows >= self.max_rows_per_file:
                self._close(day)

    def _writer(self, day: str) -> tuple[pq.ParquetWriter, int]:
        if day in self._open:
            self._open.move_to_end(day)
            return self._open[day]
        if len(self._open) >= self.max_open:
            self._close(next(iter(self._open)))
        part = self._parts.get(day, 0)
        self._parts[day] = part + 1
        folder = self.root / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        opened = (pq.ParquetWriter(folder / f"part-{part}.parquet", self.schema), 0)
        self._open[day] = opened
        return opened

    def _close(self, day: str) -> None:
        writer, _ = self._open.pop(day)
        writer.close()
