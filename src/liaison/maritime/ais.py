"""AIS decoding: lines of NMEA in, `AisMessage`s or counted `AisRejection`s out.

    decoder = AisDecoder()
    for line_no, line in enumerate(lines, 1):
        for outcome in decoder.feed(line, line_no): ...
    for rejection in decoder.flush(): ...

Every non-blank line ends as part of exactly one message or as a rejection with a `Reason`;
nothing raises. Fragments of a multi-part message are assembled per (talker, channel, sequence
id, fragment count, tag-block group id), in order; a fragment that arrives out of order or twice,
or a group that never completes, is an `orphan fragment`. pyais decodes the assembled payload.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyais import bit_vector
from pyais.messages import ANY_MESSAGE, MSG_CLASS

from liaison.maritime.ais_fields import (
    EXACT_BITS,
    EXTRACT,
    PART_B_BITS,
    SIXBIT,
    Dimensions,
    check_length,
    nothing,
)
from liaison.maritime.nmea import Reason, Refused, Sentence, parse_line, parse_sentence

__all__ = [
    "DECODED",
    "AisDecoder",
    "AisMessage",
    "AisRejection",
    "Dimensions",
    "Outcome",
    "decode_lines",
]

DECODED = "decoded"  # the stats key of decoded messages; rejections count under their Reason


@dataclass(frozen=True, slots=True)
class AisMessage:
    """One decoded AIS message. Units: degrees, knots; None where the sender said n/a."""

    msg_type: int
    mmsi: int
    time: datetime | None  # tag block `c:`, else a vendor time after the checksum (UTC)
    source: str | None  # tag block `s:`
    lat: float | None
    lon: float | None
    sog: float | None
    cog: float | None
    heading: int | None
    nav_status: int | None
    name: str | None
    callsign: str | None
    imo: int | None
    ship_type: int | None
    part: int | None  # type 24: 0 = part A (name), 1 = part B (type, call sign, size)
    dimensions: Dimensions | None
    line_no: int  # of the last fragment
    line_nos: tuple[int, ...]  # of every fragment, in fragment order
    sentences: tuple[str, ...]
    decoded: ANY_MESSAGE = field(repr=False, compare=False)

    @property
    def fields(self) -> dict[str, Any]:
        """Everything pyais decoded. Built on demand: it costs more than the rest of decoding."""
        return self.decoded.asdict()


# A frozen dataclass's `__init__` stores each of its twenty fields through `object.__setattr__`:
# about 5 of the 35 µs a position report took. A plain slots dataclass with the same fields has the
# same memory layout and fills them with ordinary stores; Python allows `__class__` assignment
# between classes of identical layout, so what comes out is an ordinary, frozen AisMessage.
_AisMessageDraft = dataclasses.make_dataclass(
    "_AisMessageDraft", [(f.name, f.type) for f in dataclasses.fields(AisMessage)], slots=True
)


def _new_message(*values: Any) -> AisMessage:
    draft = _AisMessageDraft(*values)
    draft.__class__ = AisMessage
    return draft  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class AisRejection:
    line_no: int
    reason: Reason
    raw: str


Outcome = AisMessage | AisRejection


@dataclass(slots=True)
class _Pending:
    """A multi-part message still waiting for fragments (internal, so mutable)."""

    started: int  # decoder clock at its first fragment
    sentences: list[Sentence]
    line_nos: list[int]


class AisDecoder:
    """Decodes one input stream. Keep one per stream: pending fragments are per stream.

    Memory is bounded: at most `max_pending` incomplete groups, none older than `max_age`
    lines; an evicted group's lines come back as `orphan fragment` rejections.
    `tag_checksum=False` accepts tag blocks with a wrong checksum (Spire writes `*00`).
    """

    def __init__(
        self, *, max_pending: int = 1000, max_age: int = 1000, tag_checksum: bool = True
    ) -> None:
        self._max_pending = max_pending
        self._max_age = max_age
        self._tag_checksum = tag_checksum
        self._pending: dict[tuple[str, str, str, int, str | None], _Pending] = {}
        self._clock = 0  # non-blank lines fed: the age of a pending group is counted in these
        self._evict_at = 0  # no group can be too old before this clock
        self._decoded = 0
        self._rejected: Counter[str] = Counter()

    @property
    def stats(self) -> Counter[str]:
        """Outcomes so far: `decoded` messages, and rejected lines by `Reason`."""
        return Counter({DECODED: self._decoded, **self._rejected})

    @property
    def pending(self) -> int:
        """Incomplete multi-part groups held."""
        return len(self._pending)

    def feed(self, line: str, line_no: int) -> list[Outcome]:
        """What this line completes or refuses (and any group evicted as too old)."""
        out: list[Outcome] = []
        text = line.strip()
        if not text:
            return out
        self._clock += 1
        if self._pending and self._clock >= self._evict_at:
            self._evict_old(out)
        try:
            if text[0] == "#" or text.count("!") + text.count("$") > 1:
                items = parse_line(text, tag_checksum=self._tag_checksum)
            else:  # one sentence: the usual case, kept short
                items = [parse_sentence(text, tag_checksum=self._tag_checksum)]
            for item in items:
                if type(item) is not Sentence:
                    assert isinstance(item, Refused)
                    out.append(self._reject(line_no, item.reason, item.raw))
                elif item.fragment_count == 1:
                    self._decode_single(item, line_no, out)
                else:
                    self._fragment(item, line_no, out)
        except Exception:  # the contract: no line stops the stream
            out.append(self._reject(line_no, Reason.UNDECODABLE, text))
        return out

    def flush(self) -> list[AisRejection]:
        """End of stream: every incomplete group is an orphan."""
        out: list[Outcome] = []
        for group in self._pending.values():
            self._orphan(group, out)
        self._pending.clear()
        return [o for o in out if isinstance(o, AisRejection)]

    def _fragment(self, s: Sentence, line_no: int, out: list[Outcome]) -> None:
        group_id = s.tag.group.id if s.tag is not None and s.tag.group is not None else None
        key = (s.talker, s.channel, s.sequence_id, s.fragment_count, group_id)
        pending = self._pending.get(key)
        if s.fragment_number == 1:
            if pending is not None:  # its sequence id is reused: it can never complete
                del self._pending[key]
                self._orphan(pending, out)
            elif len(self._pending) >= self._max_pending:
                self._orphan(self._pending.pop(next(iter(self._pending))), out)
            if not self._pending:
                self._evict_at = self._clock + self._max_age
            self._pending[key] = _Pending(self._clock, [s], [line_no])
            return
        if pending is None or len(pending.sentences) + 1 != s.fragment_number:
            out.append(self._reject(line_no, Reason.ORPHAN_FRAGMENT, s.raw))
            return
        pending.sentences.append(s)
        pending.line_nos.append(line_no)
        if s.fragment_number == s.fragment_count:
            del self._pending[key]
            self._decode_group(tuple(pending.sentences), tuple(pending.line_nos), out)

    def _evict_old(self, out: list[Outcome]) -> None:
        # Insertion order is start order, so the oldest group is always first.
        limit = self._clock - self._max_age
        while self._pending:
            key, group = next(iter(self._pending.items()))
            if group.started > limit:
                self._evict_at = group.started + self._max_age
                return
            del self._pending[key]
            self._orphan(group, out)

    def _orphan(self, group: _Pending, out: list[Outcome]) -> None:
        for line_no, s in zip(group.line_nos, group.sentences, strict=True):
            out.append(self._reject(line_no, Reason.ORPHAN_FRAGMENT, s.raw))

    def _reject(self, line_no: int, reason: Reason, raw: str) -> AisRejection:
        self._rejected[reason] += 1
        return AisRejection(line_no, reason, raw)

    def _decode_single(self, s: Sentence, line_no: int, out: list[Outcome]) -> None:
        tag = s.tag
        when, source = (tag.time or s.vendor_time, tag.source) if tag else (s.vendor_time, None)
        self._decode(s.payload, s.fill_bits, (s,), (line_no,), out, when=when, source=source)

    def _decode_group(
        self, parts: tuple[Sentence, ...], line_nos: tuple[int, ...], out: list[Outcome]
    ) -> None:
        when = source = None
        for s in parts:  # a group's time and source may ride on any of its fragments
            if s.tag is not None:
                when = when or s.tag.time
                source = source or s.tag.source
            when = when or s.vendor_time
        payload = "".join(s.payload for s in parts)
        self._decode(payload, parts[-1].fill_bits, parts, line_nos, out, when=when, source=source)

    def _decode(
        self,
        payload: str,
        fill_bits: int,
        parts: tuple[Sentence, ...],
        line_nos: tuple[int, ...],
        out: list[Outcome],
        *,
        when: datetime | None,
        source: str | None,
    ) -> None:
        msg_type = SIXBIT[payload[0]]
        bits = len(payload) * 6 - fill_bits
        allowed = EXACT_BITS.get(msg_type)
        if allowed is not None:  # the common types: inline, as this runs for every message
            reason = None if bits in allowed else Reason.WRONG_BIT_COUNT
        else:
            reason = check_length(msg_type, bits)
        if reason is None:
            try:
                vector = bit_vector(payload.encode(), fill_bits)
                p: Any = MSG_CLASS[msg_type].from_vector(vector)
                if msg_type == 24 and p.partno == 1 and bits not in PART_B_BITS:
                    reason = Reason.WRONG_BIT_COUNT
                else:
                    raws = tuple(s.raw for s in parts)
                    fields = EXTRACT.get(msg_type, nothing)(p, vector)
                    out.append(
                        _new_message(
                            msg_type, p.mmsi, when, source, *fields, line_nos[-1], line_nos, raws, p
                        )
                    )
                    self._decoded += 1
                    return
            except Exception:  # pyais raises many kinds: each is one bad message
                reason = Reason.UNDECODABLE
        for line_no, s in zip(line_nos, parts, strict=True):
            out.append(self._reject(line_no, reason, s.raw))


def decode_lines(lines: Iterable[str], decoder: AisDecoder | None = None) -> Iterator[Outcome]:
    """Every outcome of a whole stream, lines numbered from 1, orphans flushed at the end."""
    decoder = decoder or AisDecoder()
    for line_no, line in enumerate(lines, 1):
        yield from decoder.feed(line, line_no)
    yield from decoder.flush()
