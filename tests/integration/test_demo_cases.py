"""The situation's cases, by name, on the shipped demo configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.config import ConfigSource, demo_config_text
from liaison.demo import load_demo
from liaison.hub import Hub
from liaison.policy.engine import Decision
from tests.conftest import shared_file


def decide(hub: Hub, item: str, partner: str) -> Decision:
    return hub.decide(item, partner)


def test_jpn_maritime_report_reaches_usa_and_nato(demo_hub: Hub) -> None:
    usa = decide(demo_hub, "jpn-report-1", "USA")
    assert usa.allowed
    assert usa.agreements == ("jpn-usa",)
    nato = decide(demo_hub, "jpn-report-1", "NATO")
    assert nato.allowed
    assert nato.agreements == ("itpp-jpn",)


def test_jpn_position_reaches_usa_and_not_nato(demo_hub: Hub) -> None:
    assert decide(demo_hub, "jpn-position-1", "USA").allowed
    nato = decide(demo_hub, "jpn-position-1", "NATO")
    assert not nato.allowed
    assert nato.reasons == (
        "agreement itpp-jpn between JPN and NATO does not cover kind position (it covers indicator, report)",
    )


def test_kor_cyber_report_reaches_nato_not_jpn(demo_hub: Hub) -> None:
    assert decide(demo_hub, "kor-cyber-1", "NATO").allowed
    jpn = decide(demo_hub, "kor-cyber-1", "JPN")
    assert not jpn.allowed
    assert jpn.reasons == ("no agreement in force between KOR and JPN",)


def test_usa_space_report_denied_to_jpn(demo_hub: Hub) -> None:
    jpn = decide(demo_hub, "usa-space-1", "JPN")
    assert not jpn.allowed
    assert jpn.reasons == ("agreement jpn-usa between USA and JPN does not cover area space",)


def test_item_above_the_agreements_maximum_is_denied(demo_hub: Hub) -> None:
    nato = decide(demo_hub, "jpn-report-2", "NATO")  # SECRET; itpp-jpn allows up to CONFIDENTIAL
    assert not nato.allowed
    assert nato.reasons == (
        "agreement itpp-jpn between JPN and NATO does not cover "
        "NATO SECRET // REL TO JPN, NATO, USA (it allows up to CONFIDENTIAL)",
    )
    assert decide(demo_hub, "jpn-report-2", "USA").allowed  # jpn-usa allows SECRET


def test_an_agreement_with_nato_does_not_reach_its_members(demo_hub: Hub) -> None:
    """FRA holds NATO in Releasable To, but JPN has no agreement with FRA."""
    fra = decide(demo_hub, "jpn-report-1", "FRA")
    assert not fra.allowed
    assert fra.reasons == ("no agreement in force between JPN and FRA",)


def test_restrictive_category_needs_every_value(demo_hub: Hub) -> None:
    assert decide(demo_hub, "nato-atomal-1", "USA").allowed
    fra = decide(demo_hub, "nato-atomal-1", "FRA")
    assert not fra.allowed
    assert fra.reasons == (
        "FRA does not hold ATOMAL (Additional Sensitivity), which the label requires",
    )


def test_clearance_and_agreement_reasons_are_all_given(demo_hub: Hub) -> None:
    kor = decide(demo_hub, "jpn-report-1", "KOR")
    assert kor.reasons == (
        "KOR is not among Releasable To JPN, NATO, USA",
        "no agreement in force between JPN and KOR",
    )


def test_originator_always_receives(demo_hub: Hub) -> None:
    for item, originator in [
        ("jpn-report-2", "JPN"),
        ("usa-space-1", "USA"),
        ("aus-report-1", "AUS"),
    ]:
        decision = decide(demo_hub, item, originator)
        assert decision.allowed
        assert decision.reasons == (f"{originator} is the originator of this item",)


def _matrix(hub: Hub) -> dict[tuple[str, str], tuple[bool, tuple[str, ...]]]:
    partners = [p.id for p in hub.config.partners]
    return {
        (item.id, p): (d.allowed, d.reasons)
        for _, item in hub.store.items()
        for p in partners
        for d in [hub.engine.decide(item, p)]
    }


def test_default_policy_decides_like_the_real_nato_spif(demo_hub: Hub, tmp_path: Path) -> None:
    real = shared_file("spif", "spiffing_nato-4774-policy.xml").read_bytes()
    hub = Hub.open(tmp_path / "real.db")
    try:
        load_demo(hub, ConfigSource(demo_config_text(), real, "demo with the real NATO SPIF"))
        ours, theirs = _matrix(demo_hub), _matrix(hub)
        assert len(ours) == 9 * 10
        assert theirs == ours
    finally:
        hub.close()


@pytest.mark.parametrize("partner", ["NATO", "USA", "FRA", "JPN", "KOR", "AUS", "NZL"])
def test_feed_holds_exactly_the_allowed_items(demo_hub: Hub, partner: str) -> None:
    released = {e.item.id for e in demo_hub.feed(partner, 0, 1000).entries}
    allowed = {
        item.id
        for _, item in demo_hub.store.items()
        if demo_hub.engine.decide(item, partner).allowed
    }
    assert released == allowed
