"""Static data per MMSI, merged from types 5, 19, 21 and 24 A/B."""

from __future__ import annotations

from datetime import UTC, datetime

from pyais import encode_dict

from liaison.maritime.ais import AisMessage, Dimensions, decode_lines
from liaison.maritime.nmea import checksum
from liaison.maritime.vessels import StaticData, VesselRegistry
from tests.conftest import shared_file

MMSI = 244660390


def decoded(data: dict[str, str | int | float], when: int | None = None) -> AisMessage:
    lines = encode_dict({"mmsi": MMSI, **data}, sentence_type="VDM")
    if when is not None:
        fields = f"c:{when}"
        lines = [f"\\{fields}*{checksum(fields):02X}\\{lines[0]}", *lines[1:]]
    (msg,) = [m for m in decode_lines(lines) if isinstance(m, AisMessage)]
    return msg


def test_class_b_parts_a_and_b_merge() -> None:
    registry = VesselRegistry()
    registry.update(decoded({"type": 24, "partno": 0, "shipname": "SASKIA"}))
    merged = registry.update(
        decoded(
            {
                "type": 24,
                "partno": 1,
                "ship_type": 37,
                "callsign": "SLGJ",
                "to_bow": 9,
                "to_stern": 10,
                "to_port": 3,
                "to_starboard": 3,
            }
        )
    )
    assert merged == registry.lookup(MMSI)
    assert merged == StaticData(MMSI, "SASKIA", "SLGJ", None, 37, Dimensions(9, 10, 3, 3))
    assert merged.dimensions is not None
    assert (merged.dimensions.length, merged.dimensions.beam) == (19, 6)


def test_type_5_gives_everything_and_later_parts_change_only_what_they_carry() -> None:
    registry = VesselRegistry()
    registry.update(
        decoded(
            {
                "type": 5,
                "shipname": "LAHRINGEN",
                "callsign": "PB4664",
                "imo": 9123456,
                "ship_type": 70,
                "to_bow": 100,
                "to_stern": 10,
                "to_port": 6,
                "to_starboard": 5,
            },
            when=1_600_000_000,
        )
    )
    after = registry.update(
        decoded({"type": 24, "partno": 0, "shipname": "NEW NAME"}, when=1_600_000_100)
    )
    assert after == StaticData(
        MMSI,
        "NEW NAME",
        "PB4664",
        9123456,
        70,
        Dimensions(100, 10, 6, 5),
        datetime.fromtimestamp(1_600_000_100, UTC),
    )


def test_an_older_message_only_fills_gaps() -> None:
    registry = VesselRegistry()
    registry.update(decoded({"type": 24, "partno": 0, "shipname": "CURRENT"}, when=2_000))
    stale = registry.update(
        decoded({"type": 5, "shipname": "OLD", "callsign": "ABC", "ship_type": 30}, when=1_000)
    )
    assert stale is not None
    assert (stale.name, stale.callsign, stale.ship_type) == ("CURRENT", "ABC", 30)
    assert stale.updated == datetime.fromtimestamp(2_000, UTC)


def test_position_reports_and_unknown_vessels() -> None:
    registry = VesselRegistry()
    assert registry.update(decoded({"type": 1, "lat": 25.7, "lon": 123.5})) is None
    assert registry.lookup(MMSI) is None
    assert MMSI not in registry
    assert len(registry) == 0
    registry.update(decoded({"type": 24, "partno": 0, "shipname": "X"}))
    assert MMSI in registry
    assert [v.mmsi for v in registry] == [MMSI]


def test_a_real_log_builds_a_registry() -> None:
    lines = (
        shared_file("ais", "gpsd", "ais_unpack_sixbit.log").read_text(encoding="utf-8").splitlines()
    )
    registry = VesselRegistry()
    for msg in decode_lines(lines):
        if isinstance(msg, AisMessage):
            registry.update(msg)
    lahringen = registry.lookup(244660390)
    assert lahringen is not None
    assert (lahringen.name, lahringen.callsign, lahringen.ship_type) == ("LAHRINGEN", "PB4664", 70)
    assert lahringen.dimensions == Dimensions(100, 10, 6, 5)
