"""The decoder: multi-part assembly, rejections with reasons, bounded memory, and a round trip.

Every non-blank line ends as part of exactly one message or as a rejection; nothing raises.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime
from functools import reduce
from operator import xor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.maritime.ais import (
    DECODED,
    AisDecoder,
    AisMessage,
    AisRejection,
    Dimensions,
    Outcome,
    _new_message,
    decode_lines,
)
from liaison.maritime.nmea import Reason
from tests.conftest import shared_file

TYPE1 = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
TYPE5 = (
    "!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E",
    "!AIVDM,2,2,3,B,1@0000000000000,2*55",
)


def sealed(body: str) -> str:
    """`body` (from `!` up to the fill bits) with its checksum."""
    return f"{body}*{reduce(xor, body[1:].encode(), 0):02X}"


def tag(fields: str) -> str:
    return f"\\{fields}*{reduce(xor, fields.encode(), 0):02X}\\"


def run(lines: list[str], decoder: AisDecoder | None = None) -> list[Outcome]:
    return list(decode_lines(lines, decoder))


def messages(outcomes: list[Outcome]) -> list[AisMessage]:
    return [o for o in outcomes if isinstance(o, AisMessage)]


def reasons(outcomes: list[Outcome]) -> dict[int, Reason]:
    return {o.line_no: o.reason for o in outcomes if isinstance(o, AisRejection)}


# --- single sentences -----------------------------------------------------------------------


def test_a_position_report() -> None:
    (msg,) = messages(run([TYPE1]))
    assert (msg.msg_type, msg.mmsi, msg.nav_status, msg.heading) == (1, 371798000, 0, 215)
    assert msg.lat == pytest.approx(48.38163, abs=1e-5)
    assert msg.lon == pytest.approx(-123.39538, abs=1e-5)
    assert (msg.sog, msg.cog) == (12.3, 224.0)
    assert (msg.line_no, msg.line_nos, msg.sentences) == (1, (1,), (TYPE1,))
    assert msg.time is None
    assert msg.fields["mmsi"] == 371798000
    assert msg.name is None
    assert msg.dimensions is None


def test_not_available_values_are_none() -> None:
    # lat 91, lon 181, speed 102.3, course 360, heading 511: what a transponder without GPS sends.
    (msg,) = messages(run([sealed("!AIVDM,1,1,,A,11mg=5OP?w<tSF0l4Q@>4?v1P000,0")]))
    assert (msg.lat, msg.lon, msg.sog, msg.cog, msg.heading) == (None, None, None, None, None)


def test_a_message_is_a_frozen_value() -> None:
    (msg,) = messages(run([TYPE1]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.lat = 0.0  # type: ignore[misc]
    values = [getattr(msg, f.name) for f in dataclasses.fields(AisMessage)]
    assert AisMessage(*values) == msg == _new_message(*values)
    assert hash(msg) == hash(AisMessage(*values))
    assert dataclasses.replace(msg, lat=1.0).lat == 1.0


def test_tag_block_and_vendor_times() -> None:
    tagged = tag("s:rORBCOMM104,c:1418172113") + TYPE1
    stamped = TYPE1 + ",b003669794,1272412827"
    first, second = messages(run([tagged, stamped]))
    assert (first.time, first.source) == (
        datetime(2014, 12, 10, 0, 41, 53, tzinfo=UTC),
        "rORBCOMM104",
    )
    assert (second.time, second.source) == (datetime(2010, 4, 28, 0, 0, 27, tzinfo=UTC), None)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208C,0*7B", Reason.BAD_CHECKSUM),
        (sealed("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208C,0"), Reason.WRONG_BIT_COUNT),
        (sealed("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ0,0"), Reason.WRONG_BIT_COUNT),
        (sealed("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,5"), Reason.WRONG_BIT_COUNT),
        (sealed("!AIVDM,1,1,,A,05RTgt0PAso;90TKcjM8h6g208CQ,0"), Reason.UNSUPPORTED_TYPE),
        (sealed("!AIVDM,1,1,,A,w5RTgt0PAso;90TKcjM8h6g208CQ,0"), Reason.UNSUPPORTED_TYPE),
        (sealed("!AIVDM,1,1,,A,H1mg=5H00000000000000000000,0"), Reason.UNDECODABLE),  # part 2
        (sealed("!AIVDM,1,1,,A,H1mg=5DU000000012300000H00000,0"), Reason.WRONG_BIT_COUNT),
        ("!AIVDM,1,1,,B,,0*25", Reason.EMPTY_PAYLOAD),
        ("garbage", Reason.GARBAGE),
        ("# comment", Reason.COMMENT),
        ("$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D", Reason.NOT_AIS),
    ],
)
def test_rejections_carry_their_reason(line: str, reason: Reason) -> None:
    decoder = AisDecoder()
    outcomes = run(["", TYPE1, line, TYPE1], decoder)
    assert reasons(outcomes) == {3: reason}
    assert [m.line_no for m in messages(outcomes)] == [2, 4]  # the good lines around it survive
    assert decoder.stats == Counter({DECODED: 2, reason: 1})


def test_a_type_24_part_a_padded_to_whole_characters_decodes() -> None:
    # 162 bits: 160 plus the 2 bits a sender left as payload instead of fill (ais-18-27.log).
    (msg,) = messages(run(["!AIVDM,1,1,,A,H3KLehQ=DtddT00000000000000,0*5F"]))
    assert (msg.msg_type, msg.part, msg.name) == (24, 0, "SUOKKI")


# --- multi-part assembly --------------------------------------------------------------------


def test_a_two_part_message() -> None:
    (msg,) = messages(run(list(TYPE5)))
    # The example in gpsd's AIVDM/AIVDO protocol decoding guide.
    assert (msg.msg_type, msg.mmsi, msg.name, msg.callsign) == (
        5,
        369190000,
        "MT.MITCHELL",
        "WDA9674",
    )
    assert (msg.imo, msg.ship_type, msg.dimensions) == (6710932, 99, Dimensions(90, 90, 10, 10))
    assert (msg.line_nos, msg.sentences) == ((1, 2), TYPE5)


def test_parts_split_across_calls_and_interleaved() -> None:
    other = tuple(s.replace(",3,B,", ",4,B,", 1) for s in TYPE5)
    other = tuple(sealed(s.rsplit("*", 1)[0]) for s in other)
    decoder = AisDecoder()
    assert decoder.feed(TYPE5[0], 1) == []
    assert decoder.feed(other[0], 2) == []
    assert [m.line_no for m in decoder.feed(TYPE1, 3) if isinstance(m, AisMessage)] == [3]
    assert decoder.pending == 2
    (second,) = decoder.feed(other[1], 4)
    (first,) = decoder.feed(TYPE5[1], 5)
    assert isinstance(first, AisMessage)
    assert isinstance(second, AisMessage)
    assert (first.line_nos, second.line_nos) == ((1, 5), (2, 4))
    assert decoder.flush() == []


def test_an_empty_sequence_id_groups_too() -> None:
    parts = [sealed(s.rsplit("*", 1)[0].replace(",3,B,", ",,B,", 1)) for s in TYPE5]
    assert [m.line_nos for m in messages(run(parts))] == [(1, 2)]


def test_fragments_out_of_order_or_twice_are_orphans() -> None:
    assert reasons(run([TYPE5[1], TYPE5[0]])) == {
        1: Reason.ORPHAN_FRAGMENT,
        2: Reason.ORPHAN_FRAGMENT,
    }
    # A second first fragment with the same sequence id: the first group can never complete.
    outcomes = run([TYPE5[0], TYPE5[0], TYPE5[1], TYPE5[1]])
    assert reasons(outcomes) == {1: Reason.ORPHAN_FRAGMENT, 4: Reason.ORPHAN_FRAGMENT}
    assert [m.line_nos for m in messages(outcomes)] == [(2, 3)]


def test_a_bad_fragment_orphans_its_group_but_nothing_else() -> None:
    corrupt = TYPE5[1].replace("*55", "*56")
    outcomes = run([TYPE5[0], TYPE1, corrupt, TYPE1])
    assert reasons(outcomes) == {3: Reason.BAD_CHECKSUM, 1: Reason.ORPHAN_FRAGMENT}
    assert [m.line_no for m in messages(outcomes)] == [2, 4]


def test_tag_block_groups_keep_apart_groups_with_the_same_sequence_id() -> None:
    a = [tag(f"g:{n}-2-11,s:one,c:1600000000") + s for n, s in enumerate(TYPE5, 1)]
    b = [tag(f"g:{n}-2-12") + s for n, s in enumerate(TYPE5, 1)]
    first, second = messages(run([a[0], b[0], b[1], a[1]]))
    assert (first.line_nos, first.source) == ((2, 3), None)
    assert (second.line_nos, second.source) == ((1, 4), "one")
    assert second.time == datetime.fromtimestamp(1600000000, UTC)


def test_memory_is_bounded_by_age_and_count() -> None:
    decoder = AisDecoder(max_pending=3, max_age=10)
    starts = [tag(f"g:1-2-{i}") + TYPE5[0] for i in range(50)]
    seen: list[Outcome] = []
    for n, line in enumerate(starts, 1):
        seen += decoder.feed(line, n)
        assert decoder.pending <= 3
    assert len(seen) == 47
    assert all(isinstance(o, AisRejection) and o.reason is Reason.ORPHAN_FRAGMENT for o in seen)
    for n in range(51, 62):
        seen += decoder.feed(TYPE1, n)
    assert decoder.pending == 0  # too old: evicted while the stream went on
    assert sorted(o.line_no for o in seen if isinstance(o, AisRejection)) == list(range(1, 51))


def test_lines_joined_on_one_line_assemble() -> None:
    (msg,) = messages(run([TYPE5[0] + TYPE5[1]]))
    assert msg.line_nos == (1, 1)


# --- real bad input -------------------------------------------------------------------------

GFW = [
    "bad-tagblock-group.nmea", "bad-type5.nmea", "ee-multiline.nmea", "errors.nmea",
    "mixed_types.nmea", "multi-part.nmea", "sample.nmea", "spire-test.nmea",
    "type1-bad-bitcount.nmea", "type8.nmea",
]  # fmt: skip


@pytest.mark.parametrize("name", GFW)
def test_every_line_of_the_bad_input_corpus_is_accounted_for(name: str) -> None:
    lines = shared_file("ais", "gfw-ais-tools", name).read_text(encoding="utf-8").splitlines()
    outcomes = run(lines)
    covered = [
        n for o in outcomes for n in (o.line_nos if isinstance(o, AisMessage) else (o.line_no,))
    ]
    non_empty = [n for n, line in enumerate(lines, 1) if line.strip()]
    assert sorted(set(covered)) == non_empty
    joined = {n for n, line in enumerate(lines, 1) if line.count("!") > 1}
    assert sorted(n for n in covered if n not in joined) == [
        n for n in non_empty if n not in joined
    ]
    assert all(isinstance(o.reason, Reason) for o in outcomes if isinstance(o, AisRejection))


def gfw(name: str, **options: bool) -> list[Outcome]:
    path = shared_file("ais", "gfw-ais-tools", name)
    return run(Path(path).read_text(encoding="utf-8").splitlines(), AisDecoder(**options))


def test_gfw_errors_truncated_and_overlong_payloads() -> None:
    outcomes = gfw("errors.nmea")
    assert reasons(outcomes) == {
        1: Reason.WRONG_BIT_COUNT,  # 186 bits for a type 3
        2: Reason.BAD_CHECKSUM,  # the same sentence cut short
        3: Reason.WRONG_BIT_COUNT,
        4: Reason.BAD_CHECKSUM,
    }
    (msg,) = messages(outcomes)
    assert (msg.line_no, msg.mmsi, msg.source) == (5, 205252690, "rMT694")


def test_gfw_type1_bad_bitcount() -> None:
    assert reasons(gfw("type1-bad-bitcount.nmea")) == dict.fromkeys(
        range(1, 13), Reason.WRONG_BIT_COUNT
    )


def test_gfw_groups_and_millisecond_times() -> None:
    assert [m.line_nos for m in messages(gfw("bad-tagblock-group.nmea"))] == [(1, 2)]
    multiline = messages(gfw("ee-multiline.nmea"))
    assert [m.line_nos for m in multiline if m.msg_type == 5] == [(2, 3), (6, 7)]
    assert all(m.source == "66" and m.time is not None for m in multiline)
    times = [m.time for m in messages(gfw("sample.nmea"))]
    assert times[0] == datetime(2020, 9, 4, 17, 12, 6, 500000, tzinfo=UTC)
    assert len(messages(gfw("multi-part.nmea"))) == 43
    assert len(messages(gfw("mixed_types.nmea"))) == 99


def test_gfw_bad_type5_and_spire() -> None:
    bad = gfw("bad-type5.nmea")
    assert reasons(bad) == {
        1: Reason.ORPHAN_FRAGMENT,  # !ABVDM then !AIVDM: two receivers, not one message
        2: Reason.WRONG_BIT_COUNT,
        3: Reason.WRONG_BIT_COUNT,
        5: Reason.GARBAGE,  # bare payloads
        6: Reason.GARBAGE,
        7: Reason.GARBAGE,
    }
    assert set(reasons(gfw("spire-test.nmea")).values()) == {Reason.BAD_TAG_BLOCK}
    waived = gfw("spire-test.nmea", tag_checksum=False)
    assert [m.line_nos for m in messages(waived)] == [(1, 1)]
    # Line 2's second part says g:2-1-1; its first part is then an orphan.
    assert sorted((o.line_no, o.reason) for o in waived if isinstance(o, AisRejection)) == [
        (2, Reason.BAD_TAG_BLOCK),
        (2, Reason.ORPHAN_FRAGMENT),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "gpsd/ais-18-27.log", "gpsd/ais-nmea-type6-fid55.log", "gpsd/ais-nmea.log",
        "gpsd/ais-raw-messages.log", "gpsd/ais_unpack_sixbit.log", "gpsd/sample.aivdm",
        "libais/test.aivdm", "libais/typeexamples.nmea", "libais/tagblock.nmea",
        "pyais/nmea_data_sample.txt", "pyais/gatehouse.nmea", "pyais/timestamped.ais",
        "pyais/mixed.txt", "pyais/sample.ais", "pyais/messages.ais", "pyais/ais_test_messages",
    ],
)  # fmt: skip
def test_every_line_of_every_shared_file_is_accounted_for(name: str) -> None:
    lines = (
        shared_file("ais", *name.split("/"))
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
    )
    outcomes = run(lines)
    covered = {
        n for o in outcomes for n in (o.line_nos if isinstance(o, AisMessage) else (o.line_no,))
    }
    assert covered == {n for n, line in enumerate(lines, 1) if line.strip()}
    assert messages(outcomes)


@given(st.lists(st.text(max_size=90), max_size=20))
def test_arbitrary_text_never_raises_and_is_all_accounted(lines: list[str]) -> None:
    outcomes = run(lines)
    covered = {
        n for o in outcomes for n in (o.line_nos if isinstance(o, AisMessage) else (o.line_no,))
    }
    assert covered == {n for n, line in enumerate(lines, 1) if line.strip()}
