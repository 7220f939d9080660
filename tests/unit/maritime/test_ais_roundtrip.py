"""Round trip against an independent oracle: what pyais's encoder was given.

Random type 1, 5, 18 and 24 messages are encoded (some with tag blocks, multi-part ones
interleaved), garbage lines and copies with broken checksums are mixed in: every message comes
out exactly once with the encoded fields, and every bad line is a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from itertools import product
from operator import xor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyais import encode_dict

from liaison.maritime.ais import (
    DECODED,
    AisDecoder,
    AisMessage,
    AisRejection,
    Dimensions,
    decode_lines,
)

NAME = (
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
CALLSIGN = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=7)
MMSI = st.integers(200_000_000, 799_999_999)  # not 98xxxxxxx: no auxiliary craft
SHIP_TYPE = st.sampled_from([30, 31, 35, 36, 37, 52, 60, 70, 80, 90, 99])
DIMENSIONS = st.builds(
    Dimensions, st.integers(1, 511), st.integers(1, 511), st.integers(1, 63), st.integers(1, 63)
)
# Each multi-part message gets its own (talker, channel, sequence id) so that groups can interleave.
GROUP_KEYS = list(product(["AI", "AB", "BS"], ["A", "B"], "0123456789"))


@dataclass(frozen=True)
class Encoded:
    fields: dict[str, Any]  # what we expect back, in AisMessage's terms
    data: dict[str, Any]  # what pyais's encoder is given


def tenths(k: int) -> float:
    # pyais's encoder truncates v * 10 to an int: k / 10 * 10 can land just under k.
    return (k + 0.25) / 10


@st.composite
def kinematic(draw: st.DrawFn, msg_type: int) -> Encoded:
    mmsi = draw(MMSI)
    lat_n = draw(st.integers(-90 * 600_000, 90 * 600_000) | st.just(91 * 600_000))
    lon_n = draw(st.integers(-180 * 600_000, 180 * 600_000) | st.just(181 * 600_000))
    speed = draw(st.integers(0, 1023))
    course = draw(st.integers(0, 3600))
    heading = draw(st.integers(0, 359) | st.just(511))
    data = {
        "type": msg_type, "mmsi": mmsi, "lat": lat_n / 600_000, "lon": lon_n / 600_000,
        "speed": tenths(speed), "course": tenths(course), "heading": heading,
    }  # fmt: skip
    unavailable = lat_n == 91 * 600_000 or lon_n == 181 * 600_000
    fields = {
        "mmsi": mmsi,
        "lat": None if unavailable else lat_n / 600_000,
        "lon": None if unavailable else lon_n / 600_000,
        "sog": None if speed == 1023 else speed / 10,
        "cog": None if course == 3600 else course / 10,
        "heading": None if heading == 511 else heading,
    }
    if msg_type == 1:
        data["status"] = fields["nav_status"] = draw(st.integers(0, 15))
    return Encoded(fields, data)


@st.composite
def static(draw: st.DrawFn) -> Encoded:
    mmsi, name, callsign, ship_type = draw(MMSI), draw(NAME), draw(CALLSIGN), draw(SHIP_TYPE)
    imo, dims = draw(st.integers(1, 2**30 - 1)), draw(DIMENSIONS)
    data = {
        "type": 5, "mmsi": mmsi, "shipname": name, "callsign": callsign, "ship_type": ship_type,
        "imo": imo, **{k: getattr(dims, k) for k in ("to_bow", "to_stern", "to_port", "to_starboard")},
    }  # fmt: skip
    fields = {"mmsi": mmsi, "name": name, "callsign": callsign, "ship_type": ship_type, "imo": imo}
    return Encoded({**fields, "dimensions": dims}, data)


@st.composite
def static_report(draw: st.DrawFn) -> Encoded:
    mmsi = draw(MMSI)
    if draw(st.booleans()):
        name = draw(NAME)
        return Encoded(
            {"mmsi": mmsi, "part": 0, "name": name},
            {"type": 24, "mmsi": mmsi, "partno": 0, "shipname": name},
        )
    callsign, ship_type, dims = draw(CALLSIGN), draw(SHIP_TYPE), draw(DIMENSIONS)
    data = {
        "type": 24, "mmsi": mmsi, "partno": 1, "callsign": callsign, "ship_type": ship_type,
        **{k: getattr(dims, k) for k in ("to_bow", "to_stern", "to_port", "to_starboard")},
    }  # fmt: skip
    return Encoded(
        {"mmsi": mmsi, "part": 1, "callsign": callsign, "ship_type": ship_type, "dimensions": dims},
        data,
    )


MESSAGES = st.one_of(kinematic(1), kinematic(18), static(), static_report())


def tag(fields: str) -> str:
    return f"\\{fields}*{reduce(xor, fields.encode(), 0):02X}\\"


def corrupt(sentence: str) -> str:
    """The same sentence with a checksum that is wrong by one bit."""
    body, check = sentence.rsplit("*", 1)
    return f"{body}*{int(check, 16) ^ 1:02X}"


Planned = tuple[Encoded, list[str], dict[str, Any]]  # a message, its sentences, its tag fields


@st.composite
def planned(draw: st.DrawFn, i: int, key: tuple[str, str, str]) -> Planned:
    msg = draw(MESSAGES)
    talker, channel, seq = key
    formatter = draw(st.sampled_from(["VDM", "VDO"]))
    sentences = encode_dict(
        msg.data, talker_id=talker, sentence_type=formatter, radio_channel=channel, seq_id=seq
    )
    mode = draw(st.sampled_from(["none", "first", "group"]))
    if mode == "none":
        return msg, sentences, {"time": None, "source": None}
    when = draw(st.integers(1_000_000_000, 2_000_000_000))
    head, n = f"s:rx{i},c:{when}", len(sentences)
    if mode == "group":
        sentences = [
            tag(f"g:{k}-{n}-{i}" + ("," + head if k == 1 else "")) + s
            for k, s in enumerate(sentences, 1)
        ]
    else:
        sentences = [tag(head) + sentences[0], *sentences[1:]]
    return msg, sentences, {"time": datetime.fromtimestamp(when, UTC), "source": f"rx{i}"}


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[str], list[tuple[Planned, tuple[int, ...]]], set[int]]:
    """(lines, [(planned message, its line numbers)], the numbers of the bad lines)."""
    keys = draw(st.permutations(GROUP_KEYS))
    plan = [draw(planned(i, keys[i])) for i in range(draw(st.integers(1, 12)))]
    bad = draw(st.lists(st.text(min_size=1, max_size=60).filter(str.strip), max_size=5))
    bad += [
        corrupt(draw(st.sampled_from(p[1])))
        for p in draw(st.lists(st.sampled_from(plan), max_size=4))
    ]
    # Interleave: each message's sentences stay in order; bad lines go anywhere.
    queues = [list(p[1]) for p in plan] + [[b] for b in bad]
    numbers: list[list[int]] = [[] for _ in queues]
    lines: list[str] = []
    while any(queues):
        live = [i for i, q in enumerate(queues) if q]
        pick = live[draw(st.integers(0, len(live) - 1))]
        lines.append(queues[pick].pop(0))
        numbers[pick].append(len(lines))
    good = [(p, tuple(numbers[i])) for i, p in enumerate(plan)]
    return lines, good, {n for ns in numbers[len(plan) :] for n in ns}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_every_encoded_message_comes_back_once(
    stream: tuple[list[str], list[tuple[Planned, tuple[int, ...]]], set[int]],
) -> None:
    lines, good, bad = stream
    decoder = AisDecoder()
    outcomes = list(decode_lines(lines, decoder))
    by_lines = {o.line_nos: o for o in outcomes if isinstance(o, AisMessage)}
    assert len(by_lines) == len(good) == decoder.stats[DECODED]
    for (msg, sentences, expect), line_nos in good:
        got = by_lines[line_nos]
        assert got.msg_type == msg.data["type"]
        assert got.sentences == tuple(sentences)
        for key, want in {**msg.fields, **expect}.items():
            if isinstance(want, float):
                assert getattr(got, key) == pytest.approx(want, abs=1e-6), key
            else:
                assert getattr(got, key) == want, key
    assert {o.line_no for o in outcomes if isinstance(o, AisRejection)} == bad
