"""NMEA framing: each sentence parsed, or refused with the reason; tag blocks and vendor times."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import reduce
from operator import xor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.maritime.nmea import (
    Group,
    Reason,
    Refused,
    Sentence,
    checksum,
    parse_line,
    parse_sentence,
    parse_tag_block,
    split_sentences,
    unix_time,
)
from tests.conftest import shared_file

TYPE1 = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"


def sentence(text: str, **kwargs: bool) -> Sentence:
    parsed = parse_sentence(text, **kwargs)
    assert isinstance(parsed, Sentence), parsed
    return parsed


def refused(text: str) -> Reason:
    parsed = parse_sentence(text)
    assert isinstance(parsed, Refused), parsed
    return parsed.reason


def with_checksum(body: str) -> str:
    return f"{body}*{reduce(xor, body[1:].encode(), 0):02X}"


def tag(fields: str) -> str:
    return f"\\{fields}*{reduce(xor, fields.encode(), 0):02X}\\"


def test_a_plain_sentence() -> None:
    s = sentence(TYPE1)
    assert (s.talker, s.formatter, s.fragment_count, s.fragment_number) == ("AI", "VDM", 1, 1)
    assert (s.sequence_id, s.channel, s.fill_bits) == ("", "A", 0)
    assert s.payload == "15RTgt0PAso;90TKcjM8h6g208CQ"
    assert s.tag is None
    assert s.vendor_time is None
    assert s.raw == TYPE1


@pytest.mark.parametrize("talker", ["AI", "AB", "AN", "BS", "SA", "AR"])
@pytest.mark.parametrize("formatter", ["VDM", "VDO"])
def test_any_talker_and_own_ship_sentences(talker: str, formatter: str) -> None:
    s = sentence(
        with_checksum(
            f"!{talker}{formatter},2,1,7,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0"
        )
    )
    assert (s.talker, s.formatter, s.sequence_id, s.channel) == (talker, formatter, "7", "B")


def test_tag_block_time_source_and_group() -> None:
    s = sentence(tag("g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01") + TYPE1)
    assert s.tag is not None
    assert s.tag.time == datetime(2014, 12, 10, 0, 0, 1, tzinfo=UTC)
    assert s.tag.source == "rORBCOMM008"
    assert s.tag.group == Group(1, 2, "1604")


def test_tag_block_time_in_milliseconds() -> None:
    # gfw-ais-tools sample.nmea writes c: in milliseconds.
    s = sentence(tag("c:1599239526500,s:sdr-experiments") + TYPE1)
    assert s.tag is not None
    assert s.tag.time == datetime(2020, 9, 4, 17, 12, 6, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    "block",
    [
        "\\s:x,c:1418169601*00\\",  # wrong checksum
        "\\s:x,c:1418169601\\",  # no checksum
        tag("c:yesterday"),
        tag("g:2-1-7"),  # sentence 2 of 1
        tag("g:1-2"),
        tag("sx"),  # a field without its colon
        "\\s:x,c:1418169601*2",  # never closed
    ],
)
def test_unsound_tag_blocks_are_refused(block: str) -> None:
    assert refused(block + TYPE1) is Reason.BAD_TAG_BLOCK


def test_tag_checksum_can_be_waived_for_feeds_that_write_00() -> None:
    text = "\\c:1662052384,s:FM112*00\\" + TYPE1
    assert refused(text) is Reason.BAD_TAG_BLOCK
    s = sentence(text, tag_checksum=False)
    assert s.tag is not None
    assert s.tag.source == "FM112"


def test_group_id_is_text() -> None:
    # gfw-ais-tools' bad-tagblock-group.nmea: "-001" is not a number, but both parts carry it.
    block = parse_tag_block("g:1-2--001,c:1326055296*3C")
    assert block is not None
    assert block.group == Group(1, 2, "-001")


@pytest.mark.parametrize(
    ("trailer", "expected"),
    [
        (",1241544035", datetime(2009, 5, 5, 17, 20, 35, tzinfo=UTC)),
        (",b003669794,1272412827", datetime(2010, 4, 28, 0, 0, 27, tzinfo=UTC)),
        (
            ",d-109,S2105,t050056.00,T56.13718694,r003669946,1325394060,1325394001",
            datetime(2012, 1, 1, 5, 1, tzinfo=UTC),
        ),
        (",s36310,d-081,T59.01777335", None),
        (",12", None),  # a counter, not a time
        (",1599239526500", datetime(2020, 9, 4, 17, 12, 6, 500000, tzinfo=UTC)),
        ("'", None),  # line noise after a sound checksum: ignored
        ("\\x0d\\x0a", None),
    ],
)
def test_vendor_time_after_the_checksum(trailer: str, expected: datetime | None) -> None:
    assert sentence(TYPE1 + trailer).vendor_time == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", Reason.BAD_CHECKSUM),
        ("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0", Reason.BAD_CHECKSUM),
        ("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4", Reason.BAD_CHECKSUM),
        ("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*ZZ", Reason.BAD_CHECKSUM),
        (with_checksum("!AIVDM,1,2,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), Reason.MALFORMED),
        (with_checksum("!AIVDM,0,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), Reason.MALFORMED),
        (with_checksum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,6"), Reason.MALFORMED),
        (with_checksum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2~8CQ,0"), Reason.MALFORMED),
        (with_checksum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ"), Reason.MALFORMED),
        (with_checksum("!AIVDM,1,1,12,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), Reason.MALFORMED),
        ("!AIVDM,1,1,,B,,0*25", Reason.EMPTY_PAYLOAD),
        (
            "$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D",
            Reason.NOT_AIS,
        ),
        ("$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17", Reason.NOT_AIS),
        ("IamNotAnAisMessage1111", Reason.GARBAGE),
        ("AIVDM,2,2,1,B,00000000000,2*26", Reason.GARBAGE),
        ("53do3d800003TP7CK?8=9U=@4j0@D9E==T00001521o484d@04A3i1Eh88888888880", Reason.GARBAGE),
        ("!", Reason.GARBAGE),
    ],
)
def test_refusals_say_why(text: str, reason: Reason) -> None:
    assert refused(text) is reason


def test_blank_lines_give_nothing_and_comments_are_counted() -> None:
    assert parse_line("   \r\n") == []
    assert parse_line("# a comment\n") == [Refused(Reason.COMMENT, "# a comment")]


def test_joined_sentences_on_one_line_are_split() -> None:
    # gfw-ais-tools writes the parts of a multi-part message joined on one line.
    first = tag("s:a,c:1") + with_checksum(
        "!AIVDM,2,1,8,A,53l3sj42A590=5Q2220UHE:04=@Ttr222222221@9HH>46ii0=D532Dp?`1D,0"
    )
    second = tag("s:a,c:2") + with_checksum("!AIVDM,2,2,8,A,88888888888888,2")
    assert split_sentences(first + second) == [first, second]
    assert split_sentences(TYPE1 + TYPE1) == [TYPE1, TYPE1]
    assert [type(p) for p in parse_line(first + second)] == [Sentence, Sentence]


@given(st.text(max_size=300))
def test_checksum_is_the_xor_of_the_characters(text: str) -> None:
    ascii_text = text.encode("ascii", "replace").decode()
    assert checksum(ascii_text) == reduce(xor, ascii_text.encode(), 0)


@given(st.text(max_size=120))
def test_parsing_never_raises(text: str) -> None:
    for item in parse_line(text):
        assert isinstance(item, Sentence | Refused)


def test_unix_time_rejects_what_is_not_a_time() -> None:
    assert unix_time("1e400") is None
    assert unix_time("99999999999999999999") is None
    assert unix_time("abc") is None
    assert unix_time("0") == datetime(1970, 1, 1, tzinfo=UTC)


def test_gatehouse_file_every_line_accounted() -> None:
    lines = shared_file("ais", "pyais", "gatehouse.nmea").read_text().splitlines()
    reasons = [
        item.reason if isinstance(item, Refused) else "ais"
        for line in lines
        for item in parse_line(line)
    ]
    assert reasons.count("ais") == 4
    assert reasons.count(Reason.NOT_AIS) == 4  # the $PGHP lines
    assert reasons.count(Reason.COMMENT) == 1
    assert len(reasons) == sum(1 for line in lines if line.strip())
