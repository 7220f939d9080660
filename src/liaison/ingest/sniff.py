"""Opening input files (plain or gzip) and telling NMEA from JSON Lines by their content."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TextIO, cast

Format = Literal["nmea", "jsonl"]
_GZIP_MAGIC = b"\x1f\x8b"


def open_text(path: Path) -> TextIO:
    """UTF-8 text with undecodable bytes kept (surrogateescape), gunzipped when it is gzip."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return cast(TextIO, gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape"))
    return path.open(encoding="utf-8", errors="surrogateescape")


def sniff(lines: Iterator[str] | TextIO) -> tuple[Iterator[str], Format]:
    """The format of the first meaningful line (JSON objects start with `{`); the lines, unconsumed."""
    head: list[str] = []
    found: Format = "nmea"
    for line in lines:
        head.append(line)
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        found = "jsonl" if text.startswith("{") else "nmea"
        break
    return itertools.chain(head, lines), found


def printable(line: str) -> str:
    """The raw line as storable text: undecodable bytes (kept as surrogates) shown as \\xNN."""
    raw = line.rstrip("\n").encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")
