"""Regression tests for ways a partner could have received what the rules deny.

Each was found by review and reproduced before it was fixed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from liaison.config import ConfigSource, demo_config_text
from liaison.errors import LabelError
from liaison.hub import Hub
from liaison.policy.labels_io import (
    NS_4774,
    display_marking,
    label_from_json,
    label_from_short,
    label_from_xml,
)
from liaison.policy.security_policy import SecurityPolicy
from liaison.policy.spif import default_policy_bytes


def test_a_tag_set_spelled_twice_is_refused_not_merged(policy: SecurityPolicy) -> None:
    data = {
        "classification": "SECRET",
        "categories": {
            "Additional Sensitivity": ["CRYPTO"],
            "additional sensitivity": ["ATOMAL"],
            "Releasable To": ["NATO", "USA"],
        },
    }
    with pytest.raises(LabelError, match="more than once"):
        label_from_json(data, policy)
    xml = f"""<ConfidentialityLabel xmlns="{NS_4774}"><ConfidentialityInformation>
      <PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>
      <Category TagName="ADDITIONAL SENSITIVITY" Type="RESTRICTIVE"><GenericValue>ATOMAL</GenericValue></Category>
      <Category TagName="Additional Sensitivity" Type="RESTRICTIVE"><GenericValue>CRYPTO</GenericValue></Category>
    </ConfidentialityInformation></ConfidentialityLabel>"""
    with pytest.raises(LabelError, match="more than once"):
        label_from_xml(xml, policy)


def test_a_4774_value_the_reader_does_not_understand_is_refused(policy: SecurityPolicy) -> None:
    def label(values: str) -> str:
        return f"""<ConfidentialityLabel xmlns="{NS_4774}"><ConfidentialityInformation>
          <PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>
          <Category TagName="Additional Sensitivity" Type="RESTRICTIVE">{values}</Category>
        </ConfidentialityInformation></ConfidentialityLabel>"""

    # IntegerValue carries the LACV: 1 is ATOMAL in the policy.
    assert label_from_xml(label("<IntegerValue>1</IntegerValue>"), policy).values(
        "Additional Sensitivity"
    ) == frozenset({"ATOMAL"})
    with pytest.raises(LabelError, match="LACV"):
        label_from_xml(label("<IntegerValue>77</IntegerValue>"), policy)
    with pytest.raises(LabelError, match="unsupported"):
        label_from_xml(label("<BitStringValue>1</BitStringValue>"), policy)
    stray = f"""<ConfidentialityLabel xmlns="{NS_4774}"><ConfidentialityInformation>
      <PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>
      <x:Category xmlns:x="urn:other" TagName="Additional Sensitivity"/>
    </ConfidentialityInformation></ConfidentialityLabel>"""
    with pytest.raises(LabelError, match="unsupported"):
        label_from_xml(stray, policy)


def test_releasable_to_nobody_is_shown_not_hidden(policy: SecurityPolicy) -> None:
    label = label_from_short("NATO SECRET // ATOMAL // REL TO NONE", policy)
    assert display_marking(label, policy) == "NATO SECRET ATOMAL Releasable to NONE"


def test_a_repeated_short_form_segment_is_refused(policy: SecurityPolicy) -> None:
    with pytest.raises(LabelError, match="more than once"):
        label_from_short("NATO SECRET // REL TO JPN // REL TO USA, NATO", policy)


def _hub_with(tmp_path: Path, extra: str, now: list[datetime]) -> Hub:
    text = demo_config_text().replace('id = "jpn-usa"\n', 'id = "jpn-usa"\n' + extra)
    hub = Hub.open(tmp_path / "hub.db", clock=lambda: now[0])
    hub.initialise(ConfigSource(text, default_policy_bytes(), "test"))
    return hub


def test_the_feed_withholds_what_an_expired_agreement_released(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 30, tzinfo=UTC)]
    hub = _hub_with(tmp_path, "in_force_until = 2026-12-01T00:00:00Z\n", now)
    line = json.dumps({"id": "jpn-1", "title": "t", "label": "NATO RESTRICTED // REL TO JPN, USA"})
    hub.ingest_reports("jpn-reports", [line], "x")
    assert [e.item.id for e in hub.feed("USA").entries] == ["jpn-1"]
    now[0] = datetime(2026, 12, 5, tzinfo=UTC)
    page = hub.feed("USA")
    assert page.entries == ()
    assert page.next > 0  # the withheld release is passed, so resuming never repeats it
    assert not hub.decide("jpn-1", "USA").allowed
    hub.close()


def test_citing_an_item_cannot_probe_or_launder_it(demo_hub: Hub) -> None:
    # USA may not see kor-cyber-1; citing it answers exactly as for an id that does not exist.
    probe = json.dumps({"id": "usa-probe", "title": "p", "sources": ["kor-cyber-1"]})
    guess = json.dumps({"id": "usa-guess", "title": "p", "sources": ["kor-secret-guess"]})
    summary = demo_hub.ingest_reports("usa-reports", [probe, guess], "probe.jsonl")
    assert [r.reason for r in summary.rejections] == [
        "source 'kor-cyber-1' is not stored",
        "source 'kor-secret-guess' is not stored",
    ]
    # USA may see jpn-position-1 (under jpn-usa); a USA report quoting it must not reach NATO,
    # which may not see JPN positions (itpp-jpn covers reports and indicators only).
    launder = json.dumps(
        {
            "id": "usa-launder",
            "kind": "report",
            "title": "quote",
            "label": "NATO RESTRICTED // REL TO JPN, NATO, USA",
            "sources": ["jpn-position-1"],
        }
    )
    assert demo_hub.ingest_reports("usa-reports", [launder], "l.jsonl").stored == 1
    nato = demo_hub.decide("usa-launder", "NATO")
    assert not nato.allowed
    assert nato.reasons[0].startswith("source jpn-position-1 may not be released to NATO")
    assert "usa-launder" not in {e.item.id for e in demo_hub.feed("NATO", 0, 1000).entries}
    assert demo_hub.decide("usa-launder", "USA").allowed


def test_a_co_originator_gets_no_free_pass(demo_hub: Hub) -> None:
    """USA's SECRET report citing a JPN report makes JPN a co-originator, but USA's content still
    reaches JPN only as the label and the agreements allow."""
    report = json.dumps(
        {
            "id": "usa-cites-jpn",
            "title": "t",
            "label": "NATO SECRET // REL TO USA",
            "sources": ["jpn-report-1"],
        }
    )
    assert demo_hub.ingest_reports("usa-reports", [report], "c.jsonl").stored == 1
    assert demo_hub.item("usa-cites-jpn").originators == frozenset({"JPN", "USA"})
    jpn = demo_hub.decide("usa-cites-jpn", "JPN")
    assert not jpn.allowed
    assert jpn.reasons == ("JPN is not among Releasable To USA",)
    usa = demo_hub.decide("usa-cites-jpn", "USA")
    assert usa.allowed
    assert usa.agreements == ("jpn-usa",)


def test_geojson_positions_obey_coarsening(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from liaison import tokens  # noqa: PLC0415
    from liaison.api.app import create_app  # noqa: PLC0415
    from liaison.maritime.region import load_region  # noqa: PLC0415
    from liaison.maritime.scenarios import build_scenario  # noqa: PLC0415
    from liaison.maritime.simulate import nmea_lines  # noqa: PLC0415

    now = [datetime(2026, 11, 30, tzinfo=UTC)]
    hub = _hub_with(tmp_path, "obligations = { position_precision_deg = 0.5 }\n", now)
    scenario = build_scenario("miyako-transit", 1, load_region())
    hub.ingest_ais("jpn-ais", [line for _, line in nmea_lines(scenario)], "m.nmea")
    _, usa = tokens.issue(hub.store, "USA", tokens.PARTNER, now[0])
    _, jpn = tokens.issue(hub.store, "JPN", tokens.PARTNER, now[0])
    client = TestClient(create_app(hub))
    for path in ("/api/v1/tracks.geojson", "/api/v1/events.geojson"):
        seen = client.get(path, headers={"Authorization": f"Bearer {usa}"}).json()["features"]
        assert seen
        for feature in seen:
            lon, lat = feature["geometry"]["coordinates"]
            assert (lon * 2) == int(lon * 2)
            assert (lat * 2) == int(lat * 2)
        # JPN originated the picture: it sees exact positions.
        exact = client.get(path, headers={"Authorization": f"Bearer {jpn}"}).json()["features"]
        assert any(
            (f["geometry"]["coordinates"][0] * 2) != int(f["geometry"]["coordinates"][0] * 2)
            for f in exact
        )
    hub.close()
