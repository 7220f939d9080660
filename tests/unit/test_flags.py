"""Flag State from an MMSI (ITU MID table, ITU-R M.585 forms) and AIS ship-type text."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.errors import LiaisonError, TableError
from liaison.maritime.flags import Flag, flag_of, mid_of, mid_table, parse_mid_table, ship_type_text
from tests.conftest import shared_file

FID55 = "ais-nmea-type6-fid55.log.chk"  # gpsd's expected output: real traffic, many flags
SAMPLE = "sample.aivdm.js.chk"  # gpsd's scaled expected output for its sample.aivdm


@cache
def gpsd_messages(name: str) -> tuple[dict[str, Any], ...]:
    path = shared_file("ais", "gpsd", name)
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.startswith("{"))


def gpsd_message(name: str, mmsi: int, msg_type: int) -> dict[str, Any]:
    """The first message of that type from that MMSI in gpsd's expected output."""
    for message in gpsd_messages(name):
        if message.get("mmsi") == mmsi and message.get("type") == msg_type:
            return message
    raise AssertionError(f"no type {msg_type} message from {mmsi} in {name}")


# Ships whose flag their own type 5 message gives away: the call sign's ITU prefix (JA-JS Japan,
# W/N USA, B China, D7-D9 Korea, V7 Marshall Islands, D5 Liberia, 3E-3F Panama, M UK, UA-UI
# Russia, E6 Niue, CQ Portugal (Madeira's register), 9V Singapore) or the name (CG BERTHOLF,
# a US Coast Guard cutter) and destination (Sydney).
SHIPS = [
    (FID55, 431000932, "HOURIN NO.3", "JD2906", "JP", "Japan"),
    (FID55, 369890000, "CG BERTHOLF", "NBCQ", "US", "United States"),
    (FID55, 367300350, "THOR", "WDD8608", "US", "United States"),
    (FID55, 413204530, "XIN FENG 518", "BANR", "CN", "China"),
    (FID55, 441951000, "KOREX SPB NO.1", "D8BC", "KR", "Republic of Korea"),
    (FID55, 503046120, "CATHERINE HAMLIN", "", "AU", "Australia"),
    (FID55, 538005842, "AL NASRIYAH", "V7HL7", "MH", "Marshall Islands"),
    (FID55, 636015776, "NAVE CASSIOPEIA", "D5CT4", "LR", "Liberia"),
    (SAMPLE, 351759000, "EVER DIADEM", "3FOF8", "PA", "Panama"),
    (FID55, 232006214, "ALI CAT OF COWES", "MAOJ2", "GB", "United Kingdom"),
    (FID55, 273379670, "MAJOR CHAPICHEV", "UBNN3", "RU", "Russia"),
    (FID55, 542433110, "WIANDA", "E6PW2", "NU", "Niue"),
    (FID55, 255805867, "MSC ROMANE", "CQZN", "PT", "Madeira"),
    (FID55, 563550000, "ISOLDANA", "9VVW", "SG", "Singapore"),
]


@pytest.mark.parametrize(("chk", "mmsi", "name", "callsign", "alpha2", "country"), SHIPS)
def test_real_ships_from_gpsd_data(
    chk: str, mmsi: int, name: str, callsign: str, alpha2: str, country: str
) -> None:
    message = gpsd_message(chk, mmsi, 5)
    assert (message["shipname"], message["callsign"]) == (name, callsign)
    assert flag_of(mmsi) == Flag(mmsi // 1_000_000, alpha2, country)


# Stations in the special forms, from the same real traffic; the name or the position says where.
SPECIAL = [
    # 00MIDxxxx coast station: a DGNSS broadcast (type 17) from Tokyo Bay, 139.9 E 35.6 N
    (FID55, 4310302, 17, None, "JP"),
    (FID55, 2442000, 21, "NL COASTGUARD", "NL"),
    # 99MIDxxxx aids to navigation (type 21)
    (FID55, 993672000, 21, "MIAMI M", "US"),
    (FID55, 993032010, 21, "MXAK GUSTAVUS ASTA", "US"),  # MID 303, Alaska
    (FID55, 994401578, 21, "ORYUKDO", "KR"),  # off Busan
    (FID55, 995126029, 21, "AHAAHA ROCKS NORTH", "NZ"),
    (FID55, 997251500, 21, "SUPERBOYA ENAP", "CL"),
    (FID55, 992320812, 21, "BEAMER ROCK", "GB"),  # Firth of Forth
    # 111MIDxxx SAR aircraft (type 9) over the Minch, off Stornoway
    (SAMPLE, 111232511, 9, None, "GB"),
]


@pytest.mark.parametrize(("chk", "mmsi", "msg_type", "name", "alpha2"), SPECIAL)
def test_real_stations_of_special_forms(
    chk: str, mmsi: int, msg_type: int, name: str | None, alpha2: str
) -> None:
    message = gpsd_message(chk, mmsi, msg_type)
    assert message.get("name") == name
    flag = flag_of(mmsi)
    assert flag is not None
    assert flag.alpha2 == alpha2


def test_the_real_coast_and_sar_stations_are_where_their_flag_says() -> None:
    tokyo_bay = gpsd_message(FID55, 4310302, 17)  # unscaled: 1/10 minute
    assert (round(tokyo_bay["lon"] / 600, 1), round(tokyo_bay["lat"] / 600, 1)) == (139.9, 35.6)
    minch = gpsd_message(SAMPLE, 111232511, 9)
    assert 57.5 < minch["lat"] < 58.5
    assert -7.0 < minch["lon"] < -5.5


def test_real_mob_device_and_unallocated_aid_have_no_flag() -> None:
    assert gpsd_message(SAMPLE, 972158237, 4)["mmsi"] == 972158237  # 972: MOB device
    assert flag_of(972158237) is None
    assert gpsd_message(FID55, 998465010, 8)["mmsi"] == 998465010  # 99 846 5010: 846 is free
    assert mid_of(998465010) == 846
    assert flag_of(998465010) is None


@pytest.mark.parametrize(
    ("mmsi", "mid", "alpha2"),
    [
        (431123456, 431, "JP"),  # MIDxxxxxx ship station
        (36912345, 369, "US"),  # 0MIDxxxxx group of ship stations (036912345)
        (4120001, 412, "CN"),  # 00MIDxxxx coast station (004120001)
        (111503001, 503, "AU"),  # 111MIDxxx SAR aircraft
        (992771234, 277, "LT"),  # 99MIDxxxx aid to navigation
        (843212345, 432, "JP"),  # 8MIDxxxxx handheld VHF with DSC and GNSS
        (985121234, 512, "NZ"),  # 98MIDxxxx craft associated with a parent ship
        (574000001, 574, "VN"),
        (445123456, 445, "KP"),
        (477123456, 477, "HK"),
        (453123456, 453, "MO"),
        (416123456, 416, "TW"),
    ],
)
def test_every_form_finds_its_mid(mmsi: int, mid: int, alpha2: str) -> None:
    assert mid_of(mmsi) == mid
    flag = flag_of(mmsi)
    assert flag is not None
    assert (flag.mid, flag.alpha2) == (mid, alpha2)


@pytest.mark.parametrize(
    "mmsi",
    [
        970123456,  # AIS-SART
        972123456,  # MOB
        974123456,  # EPIRB-AIS
        970431001,  # a SART whose digits look like a Japanese MID still has no flag
        217123456,  # 217: not allocated
        600123456,  # 600: not allocated
        799123456,  # 799: not allocated
        261,  # 000000261: coast form, MID 000
        123456789,  # 1xx other than 111
        950000000,  # 9xx other than 970/972/974/98/99
        0,
        -431123456,
        1_000_000_000,
    ],
)
def test_no_flag(mmsi: int) -> None:
    assert flag_of(mmsi) is None


def test_970_972_974_carry_no_mid() -> None:
    assert [mid_of(m) for m in (970431001, 972431001, 974431001)] == [None, None, None]


ALLOCATED = sorted(mid_table())


@given(st.sampled_from(ALLOCATED), st.integers(0, 999_999))
def test_ship_station_mid_round_trips(mid: int, suffix: int) -> None:
    flag = flag_of(int(f"{mid}{suffix:06d}"))
    assert flag is not None
    assert flag.mid == mid


@given(st.sampled_from(ALLOCATED), st.integers(0, 9_999), st.integers(0, 99_999))
def test_group_coast_and_aid_forms_carry_the_same_mid(mid: int, four: int, five: int) -> None:
    ship = flag_of(int(f"{mid}{four:06d}"))
    forms = [f"0{mid}{five:05d}", f"00{mid}{four:04d}", f"99{mid}{four:04d}", f"98{mid}{four:04d}"]
    forms += [f"111{mid}{four % 1000:03d}", f"8{mid}{five:05d}"]
    assert {flag_of(int(form)) for form in forms} == {ship}


@given(st.integers(200, 799).filter(lambda m: m not in mid_table()), st.integers(0, 999_999))
def test_unallocated_mids_have_no_flag(mid: int, suffix: int) -> None:
    assert flag_of(int(f"{mid}{suffix:06d}")) is None
    assert flag_of(int(f"99{mid}{suffix % 10_000:04d}")) is None


# The ITU table, spot-checked: MIDs and the areas they are allocated to.
ITU_ALLOCATIONS = {
    "JP": [431, 432],
    "CN": [412, 413, 414],
    "TW": [416],
    "KR": [440, 441],
    "KP": [445],
    "HK": [477],
    "MO": [453],
    "AU": [503],
    "NZ": [512],
    "US": [303, 338, 366, 367, 368, 369],
    "FR": [226, 227, 228, 501],
    "GB": [232, 233, 234, 235],
    "DE": [211, 218],
    "LT": [277],
    "RU": [273],
    "ID": [525],
    "PH": [548],
    "VN": [574],
    "SG": [563, 564, 565, 566],
    "LR": [636, 637],
    "PA": [351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373, 374],
    "MH": [538],
    "MT": [215, 229, 248, 249, 256],
    "GR": [237, 239, 240, 241],
    "CY": [209, 210, 212],
    "BS": [308, 309, 311],
    "ME": [262],
    "RS": [279],
    "SH": [608, 665],
    "TF": [607, 618, 635],
}


def test_table_holds_the_itu_allocations() -> None:
    table = mid_table()
    for alpha2, mids in ITU_ALLOCATIONS.items():
        assert [table[mid].alpha2 for mid in mids] == [alpha2] * len(mids), alpha2
    every_mid_of = {
        code: sorted(m for m, f in table.items() if f.alpha2 == code)
        for code in ("JP", "CN", "KR", "US", "GB", "PA", "SG", "LR")
    }
    assert every_mid_of == {code: ITU_ALLOCATIONS[code] for code in every_mid_of}


def test_table_is_whole_and_well_formed() -> None:
    table = mid_table()
    assert len(table) == 292
    assert (min(table), max(table)) == (201, 775)
    assert all(flag.mid == mid for mid, flag in table.items())
    assert [mid for mid, flag in table.items() if flag.alpha2 is None] == [306]
    assert table[431].country == "Japan"
    assert table[306].country.startswith("Dutch Caribbean")
    for gap in (217, 221, 222, 223, 260, 280, 302, 313, 400, 402, 404, 500, 600, 700, 776):
        assert gap not in table


def test_table_is_read_once_and_read_only() -> None:
    assert mid_table() is mid_table()
    with pytest.raises(TypeError):
        mid_table()[217] = Flag(217, None, "Nowhere")  # type: ignore[index]


GOOD_HEADER = "# comment\nmid\talpha2\tcountry\n"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("# only a comment\n", 1, "no header line"),
        ("mid\tcountry\n", 1, "header line"),
        (GOOD_HEADER + "431\tJP\tJapan\n432\tJP\n", 4, "2 tab-separated fields"),
        (GOOD_HEADER + "431\tJP\tJapan\t\n", 3, "4 tab-separated fields"),
        (GOOD_HEADER + "43\tJP\tJapan\n", 3, "MID '43'"),
        (GOOD_HEADER + "131\tJP\tJapan\n", 3, "MID '131'"),
        (GOOD_HEADER + "431\tjp\tJapan\n", 3, "alpha2 'jp'"),
        (GOOD_HEADER + "431\tJPN\tJapan\n", 3, "alpha2 'JPN'"),
        (GOOD_HEADER + "431\tJP\t\n", 3, "country ''"),
        (GOOD_HEADER + "431\tJP\tJapan \n", 3, "country 'Japan '"),
        (GOOD_HEADER + "431\tJP\tJapan\n\n431\tJP\tJapan\n", 5, "MID 431 appears twice"),
    ],
)
def test_malformed_table_names_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(TableError) as caught:
        parse_mid_table(text, "mid.tsv")
    assert isinstance(caught.value, LiaisonError)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"mid.tsv:{line}: ")
    assert reason in str(caught.value)


def test_well_formed_table_parses() -> None:
    table = parse_mid_table(GOOD_HEADER + "431\tJP\tJapan\n306\t\tDutch Caribbean\n")
    assert dict(table) == {431: Flag(431, "JP", "Japan"), 306: Flag(306, None, "Dutch Caribbean")}


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (30, "Fishing"),
        (35, "Military ops"),
        (52, "Tug"),
        (55, "Law enforcement"),
        (60, "Passenger"),
        (70, "Cargo"),
        (80, "Tanker"),
        (71, "Cargo, hazardous category A"),
        (84, "Tanker, hazardous category D"),
        (89, "Tanker, no additional information"),
        (40, "HSC"),
        (26, "WIG, reserved"),
        (1, "Reserved"),
        (19, "Reserved"),
        (39, "Reserved"),
        (0, None),
        (None, None),
        (256, None),
        (-1, None),
    ],
)
def test_ship_type_text(code: int | None, text: str | None) -> None:
    assert ship_type_text(code) == text


# gpsd words a few types its own way; everywhere else its text and ours say the same.
GPSD_OWN_WORDING = {20: "Wing in ground (WIG)", 32: "length exceeds 200m", 40: "(HSC)", 54: "Anti-"}


def _gpsd_words(text: str) -> str:
    text = text.lower().replace(" - all ships of this type", "").replace(" - ", ", ")
    return text.replace("reserved for future use", "reserved")


def test_ship_type_text_agrees_with_gpsd() -> None:
    pairs = {
        (m["shiptype"], m["shiptype_text"])
        for chk in (SAMPLE, FID55, "ais-nmea.log.chk", "ais_unpack_sixbit.log.chk")
        for m in gpsd_messages(chk)
        if "shiptype_text" in m and 0 < m["shiptype"] <= 99
    }
    compared = 0
    for code, gpsd_text in sorted(pairs):
        ours = ship_type_text(code)
        assert ours is not None
        if code in GPSD_OWN_WORDING:
            assert GPSD_OWN_WORDING[code] in gpsd_text
            continue
        assert ours.lower() == _gpsd_words(gpsd_text), code
        compared += 1
    assert compared >= 10
