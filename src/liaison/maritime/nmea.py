"""NMEA 0183 framing for AIS: one line in, its sentences out, or the reason it was refused.

    [\\g:1-2-1604,s:station,c:1418169601*hh\\]!AIVDM,2,1,6,A,<payload>,0*hh[,vendor...,1325394060]

A line holds one sentence, or several glued together (`\\tag\\!AIVDM...\\tag\\!AIVDM...`, the
joined multi-part form some archives write). The NMEA 4.10 tag block gives the receiver time
(`c:`, unix seconds, or milliseconds when above 1e11), the source station (`s:`) and the group
(`g:number-total-id`). Some loggers put fields after the checksum instead (USCG, gpsd logs); the
first all-digit one is the unix time. Nothing here decodes the payload: see `ais.py`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache, reduce
from operator import xor
from typing import NamedTuple


class Reason(StrEnum):
    """Why a line (or a sentence in it) gives no message."""

    GARBAGE = "garbage"  # not an NMEA sentence at all
    COMMENT = "comment"  # `#` lines of gpsd and pyais logs
    NOT_AIS = "not AIS"  # a sound NMEA sentence of another kind ($GPGGA, $PGHP ...)
    BAD_CHECKSUM = "bad checksum"
    BAD_TAG_BLOCK = "bad tag block"
    MALFORMED = "malformed sentence"  # checksum fine, fields are not an AIS sentence
    EMPTY_PAYLOAD = "empty payload"
    ORPHAN_FRAGMENT = "orphan fragment"
    WRONG_BIT_COUNT = "wrong bit count"
    UNSUPPORTED_TYPE = "unsupported message type"
    UNDECODABLE = "undecodable"  # pyais refused a payload of the right length
    FUTURE_TIME = "time in the future"  # live input stamped ahead of the hub's clock


class Group(NamedTuple):
    """A tag block `g:` field: sentence `number` of `total` in group `id`."""

    number: int
    total: int
    id: str


class TagBlock(NamedTuple):
    time: datetime | None
    source: str | None
    group: Group | None


# NamedTuples rather than frozen dataclasses: one is built per input line, and a tuple is
# several times cheaper to build; they are just as immutable.
class Sentence(NamedTuple):
    """One AIS sentence (`!xxVDM` / `!xxVDO`) whose checksums and fields are sound."""

    talker: str  # "AI", "AB", "BS", ...
    formatter: str  # "VDM" (others' messages) or "VDO" (own ship)
    fragment_count: int
    fragment_number: int
    sequence_id: str  # "" or "0".."9"
    channel: str
    payload: str
    fill_bits: int
    tag: TagBlock | None
    vendor_time: datetime | None  # a unix time written after the checksum
    raw: str


class Refused(NamedTuple):
    reason: Reason
    raw: str


_AIS_FORMATTERS = frozenset({"VDM", "VDO"})
# A sound AIS sentence in one pass; the six-bit armour is '0'..'W' and '`'..'w'. Anything that
# does not match goes to `_diagnose`, which says why.
_AIS_SENTENCE = re.compile(
    r"[!$]([A-Z]{2})(VD[MO]),([1-9]),([1-9]),([0-9]?),([^,*]?),([0-W`-w]*),([0-5])\*([0-9A-Fa-f]{2})"
)
_DIGIT = {str(d): d for d in range(10)}
_HEX_VALUE = {
    f"{a}{b}": int(a + b, 16) for a in "0123456789ABCDEFabcdef" for b in "0123456789ABCDEFabcdef"
}
_TAG_FIELD = re.compile(r"[A-Za-z]:")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_MASK_256 = (1 << 256) - 1
_MASK_128 = (1 << 128) - 1
_MASK_64 = (1 << 64) - 1
# `$GPGGA,`, `$PGHP,` (proprietary), `!AIALR,`: a sentence start and an address field.
_NMEA_ADDRESS = re.compile(r"[!$][A-Z][A-Z0-9]{1,5},")
# A logger's unix time: nine digits or more (from 1973); short numbers there are counters.
_DIGITS = re.compile(r"\d{9,}(?:\.\d*)?")
# Above this a `c:` or vendor time is milliseconds (1e11 s is the year 5138).
_MILLIS_ABOVE = 1e11


def parse_line(line: str, *, tag_checksum: bool = True) -> list[Sentence | Refused]:
    """Every sentence of one line, each parsed or refused; [] for a blank line.

    `tag_checksum=False` accepts tag blocks whose checksum is wrong (Spire writes `*00`).
    """
    text = line.strip()
    if not text:
        return []
    if text[0] == "#":
        return [Refused(Reason.COMMENT, text)]
    if text.count("!") + text.count("$") <= 1:  # one sentence: the usual case, kept short
        return [parse_sentence(text, tag_checksum=tag_checksum)]
    return [parse_sentence(part, tag_checksum=tag_checksum) for part in split_sentences(text)]


def split_sentences(text: str) -> list[str]:
    """Cut a line at each tag block or sentence start: `!` and `\\` never occur in a payload."""
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i > start:
                parts.append(text[start:i])
                start = i
            close = text.find("\\", i + 1)
            if close < 0:
                break
            i = close + 2  # past the closing backslash and the start mark it is glued to
            continue
        if char in "!$" and i > start:
            parts.append(text[start:i])
            start = i
        i += 1
    parts.append(text[start:])
    return parts


def parse_sentence(text: str, *, tag_checksum: bool = True) -> Sentence | Refused:
    """One `[\\tag\\]!xxVDM,...*hh[,...]` sentence, stripped of line ends."""
    tag: TagBlock | None = None
    body = text
    if text[:1] == "\\":
        close = text.find("\\", 1)
        tag = parse_tag_block(text[1:close], check=tag_checksum) if close > 0 else None
        if tag is None:
            return Refused(Reason.BAD_TAG_BLOCK, text)
        body = text[close + 1 :]
    match = _AIS_SENTENCE.match(body)
    if match is None:
        return Refused(_diagnose(body), text)
    talker, formatter, count, number, seq, channel, payload, fill, check = match.groups()
    if _HEX_VALUE[check] != checksum(body[1 : match.end(8)]):
        return Refused(Reason.BAD_CHECKSUM, text)
    if number > count:
        return Refused(Reason.MALFORMED, text)
    if not payload:
        return Refused(Reason.EMPTY_PAYLOAD, text)
    # Fields after the checksum are a logger's (USCG, gpsd); other trailing bytes are line noise
    # that the checksum shows did not touch the sentence.
    trailer = body[match.end() :]
    when = _vendor_time(trailer) if trailer[:1] == "," else None
    digit = _DIGIT
    return Sentence(
        talker,
        formatter,
        digit[count],
        digit[number],
        seq,
        channel,
        payload,
        digit[fill],
        tag,
        when,
        text,
    )


def _diagnose(body: str) -> Reason:
    """Why a sentence is not a sound AIS sentence (the slow path: bad lines only)."""
    if body[:1] not in ("!", "$"):
        return Reason.GARBAGE
    if body[3:6] not in _AIS_FORMATTERS or body[6:7] != ",":
        return Reason.NOT_AIS if _NMEA_ADDRESS.match(body) else Reason.GARBAGE
    star = body.find("*")
    if star < 0 or not _HEX2.match(body, star + 1):
        return Reason.BAD_CHECKSUM
    if int(body[star + 1 : star + 3], 16) != checksum(body[1:star]):
        return Reason.BAD_CHECKSUM
    return Reason.MALFORMED


def parse_tag_block(text: str, *, check: bool = True) -> TagBlock | None:
    """The fields of a tag block (without its backslashes), or None when it is unsound."""
    star = text.rfind("*")
    if star < 0 or not _HEX2.fullmatch(text, star + 1) or not text.isascii():
        return None
    if check and int(text[star + 1 :], 16) != checksum(text[:star]):
        return None
    when: datetime | None = None
    source: str | None = None
    group: Group | None = None
    for field in text[:star].split(","):
        if not _TAG_FIELD.match(field):
            return None
        key, value = field[0], field[2:]
        if key == "c":
            when = unix_time(value)
            if when is None:
                return None
        elif key == "s":
            source = value
        elif key == "g":
            group = _group(value)
            if group is None:
                return None
    return TagBlock(when, source, group)


def _group(value: str) -> Group | None:
    # The id is kept as text: archives write ids such as "-001" that are not numbers.
    parts = value.split("-", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        return None
    number, total = int(parts[0]), int(parts[1])
    if not 1 <= number <= total:
        return None
    return Group(number, total, parts[2])


def _vendor_time(trailer: str) -> datetime | None:
    for field in trailer[1:].split(","):
        if _DIGITS.fullmatch(field):
            return unix_time(field)
    return None


@lru_cache(maxsize=4096)
def unix_time(text: str) -> datetime | None:
    """`c:` or vendor seconds (milliseconds above 1e11) as UTC; None if not a time."""
    # Cached: a feed repeats the same second on many consecutive lines.
    try:
        value = float(text)
        if value > _MILLIS_ABOVE:
            value /= 1000.0
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def checksum(text: str) -> int:
    """NMEA checksum: the XOR of every character between the start mark and the `*`."""
    data = text.encode("ascii", "replace")
    if len(data) > 64:
        return reduce(xor, data, 0)
    # Folding one big integer in halves XORs all the bytes in eighteen integer operations instead
    # of one Python call per character: this is the costliest step of parsing a sound sentence.
    n = int.from_bytes(data)
    n = (n >> 256) ^ (n & _MASK_256)
    n = (n >> 128) ^ (n & _MASK_128)
    n = (n >> 64) ^ (n & _MASK_64)
    n = (n >> 32) ^ (n & 0xFFFFFFFF)
    n = (n >> 16) ^ (n & 0xFFFF)
    return (n >> 8) ^ (n & 0xFF)
