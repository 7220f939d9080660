"""The hub configuration: the shipped demo, every problem reported at once, sources and SPIF paths."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from liaison.config import (
    DEFAULT_AREAS,
    ConfigSource,
    HubConfig,
    parse_config,
    read_config_source,
)
from liaison.errors import ConfigError
from liaison.model import AgreementKind, Label, Obligations, PartnerKind
from liaison.policy.spif import default_policy_bytes

SIXTEEN_AREAS = (
    "maritime-security",
    "cyber-defence",
    "emerging-disruptive-technologies",
    "autonomous-systems",
    "space",
    "climate-security",
    "ukraine-support",
    "interoperability",
    "counter-terrorism",
    "non-proliferation",
    "resilience",
    "strategic-communications",
    "women-peace-security",
    "science-technology",
    "defence-capacity-building",
    "human-security",
)
PARTNERS = ("NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL")
MEMBERS = frozenset({"USA", "FRA", "GBR", "DEU", "LTU"})
ASIA_PACIFIC = frozenset({"JPN", "KOR", "AUS", "NZL"})

# A small valid configuration the tests below extend.
VALID = """
areas = ["maritime-security", "cyber-defence"]

[[partners]]
id = "NATO"
name = "North Atlantic Treaty Organization"
kind = "organisation"
members = ["USA"]
clearance = { classification = "TOP SECRET", categories = { "Releasable To" = ["NATO"] } }

[[partners]]
id = "USA"
name = "United States"
kind = "nation"
clearance = { classification = "SECRET", categories = { "Releasable To" = ["USA", "NATO"] } }

[[agreements]]
id = "nato-usa"
kind = "bilateral"
parties = ["NATO", "USA"]
areas = "all"
kinds = ["report", "position"]
max_classification = "CONFIDENTIAL"
in_force_from = 2026-01-01T00:00:00Z
in_force_until = 2027-01-01T09:00:00+09:00

[agreements.obligations]
strip = ["body", "sources"]
position_precision_deg = 1

[[feeds]]
id = "usa-reports"
originator = "USA"
area = "cyber-defence"
label = { policy = "NATO", classification = "CONFIDENTIAL", categories = { "Releasable To" = ["USA", "NATO"] } }
kind = "indicator"
"""


def parse(text: str, name: str = "test.toml") -> HubConfig:
    return parse_config(ConfigSource(text, default_policy_bytes(), name))


# --- the shipped demo ---------------------------------------------------------------------------


def test_demo_partners_in_order(demo_config: HubConfig) -> None:
    assert tuple(p.id for p in demo_config.partners) == PARTNERS


def test_demo_nato_is_an_organisation_with_five_members(demo_config: HubConfig) -> None:
    nato = demo_config.partner("NATO")
    assert nato is not None
    assert nato.kind is PartnerKind.ORGANISATION
    assert nato.members == MEMBERS
    assert nato.clearance.classification == "TOP SECRET"
    assert nato.clearance.holds("Releasable To") == {"NATO"}


@pytest.mark.parametrize("partner_id", PARTNERS[1:])
def test_demo_nation_clearances(demo_config: HubConfig, partner_id: str) -> None:
    partner = demo_config.partner(partner_id)
    assert partner is not None
    assert partner.kind is PartnerKind.NATION
    assert partner.members == frozenset()
    assert partner.clearance.classification == "SECRET"
    releasable = partner.clearance.holds("Releasable To")
    # Its own code; NATO as well for a member nation, and only for a member nation.
    expected = {partner_id, "NATO"} if partner_id in MEMBERS else {partner_id}
    assert releasable == expected
    assert partner.clearance.holds("Only") == expected


def test_demo_atomal_is_held_by_nato_usa_and_gbr_only(demo_config: HubConfig) -> None:
    holders = {
        p.id
        for p in demo_config.partners
        if "ATOMAL" in p.clearance.holds("Additional Sensitivity")
    }
    assert holders == {"NATO", "USA", "GBR"}


def test_demo_agreements_are_exactly_these(demo_config: HubConfig) -> None:
    assert [a.id for a in demo_config.agreements] == [
        "alliance",
        "itpp-jpn",
        "itpp-kor",
        "itpp-aus",
        "itpp-nzl",
        "jpn-usa",
    ]


@pytest.mark.parametrize(
    ("agreement_id", "kind", "parties", "areas", "kinds", "top"),
    [
        (
            "alliance",
            AgreementKind.MULTILATERAL,
            {"NATO", *MEMBERS},
            set(SIXTEEN_AREAS),
            None,
            "SECRET",
        ),
        (
            "itpp-jpn",
            AgreementKind.ITPP,
            {"NATO", "JPN"},
            set(SIXTEEN_AREAS),
            {"report", "indicator"},
            "CONFIDENTIAL",
        ),
        (
            "itpp-kor",
            AgreementKind.ITPP,
            {"NATO", "KOR"},
            {
                "cyber-defence",
                "non-proliferation",
                "emerging-disruptive-technologies",
                "interoperability",
            },
            {"report", "indicator"},
            "CONFIDENTIAL",
        ),
        (
            "itpp-aus",
            AgreementKind.ITPP,
            {"NATO", "AUS"},
            {"maritime-security", "cyber-defence", "interoperability", "resilience"},
            {"report", "indicator"},
            "RESTRICTED",
        ),
        (
            "itpp-nzl",
            AgreementKind.ITPP,
            {"NATO", "NZL"},
            {"maritime-security", "cyber-defence", "interoperability", "resilience"},
            {"report", "indicator"},
            "RESTRICTED",
        ),
        (
            "jpn-usa",
            AgreementKind.BILATERAL,
            {"JPN", "USA"},
            {"maritime-security", "cyber-defence", "non-proliferation"},
            None,
            "SECRET",
        ),
    ],
)
def test_demo_agreement_terms(
    demo_config: HubConfig,
    agreement_id: str,
    kind: AgreementKind,
    parties: set[str],
    areas: set[str],
    kinds: set[str] | None,
    top: str,
) -> None:
    (agreement,) = [a for a in demo_config.agreements if a.id == agreement_id]
    assert agreement.kind is kind
    assert agreement.parties == parties
    assert agreement.areas == areas
    assert agreement.kinds == (None if kinds is None else frozenset(kinds))
    assert agreement.max_classification == top
    assert agreement.in_force_from is None
    assert agreement.in_force_until is None
    assert agreement.obligations == Obligations()
    assert agreement.obligations.empty


def test_demo_no_agreement_names_a_member_with_an_asia_pacific_partner_but_jpn_usa(
    demo_config: HubConfig,
) -> None:
    crossing = [
        a.id for a in demo_config.agreements if a.parties & MEMBERS and a.parties & ASIA_PACIFIC
    ]
    assert crossing == ["jpn-usa"]


def test_demo_one_report_feed_per_partner(demo_config: HubConfig) -> None:
    assert [f.id for f in demo_config.feeds] == [
        *(f"{p.lower()}-reports" for p in PARTNERS),
        "jpn-ais",
        "nato-ais",
    ]
    for partner_id in PARTNERS:
        feed = demo_config.feed(f"{partner_id.lower()}-reports")
        assert feed is not None
        assert feed.originator == partner_id
        assert feed.area == "maritime-security"
        assert feed.kind == "report"
        assert feed.label == Label.of("NATO", "RESTRICTED", {"Releasable To": [partner_id]})


def test_demo_areas_are_the_sixteen_defaults(demo_config: HubConfig) -> None:
    assert demo_config.areas == SIXTEEN_AREAS
    assert DEFAULT_AREAS == SIXTEEN_AREAS
    assert demo_config.policy.name == "NATO"


def test_areas_default_to_the_sixteen_when_omitted() -> None:
    text = VALID.replace('areas = ["maritime-security", "cyber-defence"]\n', "", 1)
    config = parse(text)
    assert config.areas == SIXTEEN_AREAS
    (agreement,) = config.agreements
    assert agreement.areas == set(SIXTEEN_AREAS)  # "all" means the configured areas


def test_demo_source_names_the_builtin_resource() -> None:
    source = read_config_source(None)
    assert source.name == "<builtin demo-hub.toml>"
    assert source.spif == default_policy_bytes()
    assert "[[agreements]]" in source.text


# --- a valid configuration in detail ------------------------------------------------------------


def test_obligations_and_in_force_dates_parse() -> None:
    config = parse(VALID)
    (agreement,) = config.agreements
    assert agreement.obligations == Obligations(frozenset({"body", "sources"}), 1.0)
    assert isinstance(agreement.obligations.position_precision_deg, float)
    assert agreement.kinds == frozenset({"report", "position"})
    assert agreement.areas == {"maritime-security", "cyber-defence"}
    assert agreement.in_force_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert agreement.in_force_until == datetime(2027, 1, 1, tzinfo=UTC)  # 09:00 at +09:00
    for instant in (agreement.in_force_from, agreement.in_force_until):
        assert instant is not None
        assert instant.tzinfo is not None
        assert instant.utcoffset() is not None
    assert agreement.in_force(datetime(2026, 6, 1, tzinfo=UTC))
    assert not agreement.in_force(datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    assert not agreement.in_force(datetime(2027, 1, 1, tzinfo=UTC))  # until is exclusive


def test_feed_label_in_json_form_and_kind() -> None:
    config = parse(VALID)
    feed = config.feed("usa-reports")
    assert feed is not None
    assert feed.label == Label.of("NATO", "CONFIDENTIAL", {"Releasable To": ["USA", "NATO"]})
    assert feed.kind == "indicator"
    assert feed.area == "cyber-defence"
    assert config.feed("nope") is None
    assert config.partner("nope") is None


def test_obligations_default_to_none() -> None:
    text = VALID.replace(
        '[agreements.obligations]\nstrip = ["body", "sources"]\nposition_precision_deg = 1\n', ""
    )
    (agreement,) = parse(text).agreements
    assert agreement.obligations == Obligations(frozenset(), None)
    assert agreement.obligations.empty


# --- every problem at once ----------------------------------------------------------------------

INVALID = """
colour = "blue"
areas = ["maritime-security", "cyber-defence", "cyber-defence"]

[[partners]]
id = "NATO"
name = "NATO"
kind = "organisation"
clearance = { classification = "SECRET", categories = { "Releasable To" = ["NATO"] } }

[[partners]]
id = "JPN"
name = "Japan"
kind = "nation"
clearance = { classification = "SECRET", categories = { "Releasable To" = ["JPN", "ATLANTIS"] } }

[[partners]]
id = "JPN"
name = "Japan again"
kind = "nation"
clearance = { classification = "SECRET" }

[[agreements]]
id = "a1"
kind = "itpp"
parties = ["NATO", "MARS"]
areas = ["maritime-security", "basket-weaving"]
kinds = ["report", "rumour"]
max_classification = "ULTRA SECRET"
in_force_from = 2026-01-01T00:00:00

[agreements.obligations]
strip = ["body"]
position_precision_deg = 200
redact = true

[[agreements]]
id = "a2"
kind = "bilateral"
parties = ["NATO", "JPN"]
areas = "all"
max_classification = "SECRET"
in_force_from = 2026-06-01T00:00:00Z
in_force_until = 2026-01-01T00:00:00Z

[[feeds]]
id = "f1"
originator = "KOR"
area = "maritime-security"
label = "NATO RESTRICTED // REL TO LEMURIA"
"""

EXPECTED_PROBLEMS = {
    "unknown top-level key": "unknown top-level key 'colour'",
    "duplicate area": "area 'cyber-defence' is defined more than once",
    "duplicate partner id": "partner id 'JPN' is defined more than once",
    "unknown tag value in a clearance": (
        "partner JPN: clearance: value 'ATLANTIS' is not defined in tag set 'Releasable To'"
    ),
    "unknown partner in an agreement": "agreement a1: party 'MARS' is not a partner",
    "unknown area": "agreement a1: area 'basket-weaving' is not in the areas of cooperation",
    "unknown kind": "agreement a1: kind of information 'rumour' is unknown",
    "unknown classification": "agreement a1: max_classification: classification 'ULTRA SECRET'",
    "naive in_force_from": "agreement a1: in_force_from: must be a date-time with a UTC offset",
    "bad precision": "agreement a1: obligations: position_precision_deg must be a number in (0, 90]",
    "unknown obligation": "agreement a1: obligations: unknown key 'redact'",
    "until before from": "agreement a2: in_force_until is not after in_force_from",
    "feed with unknown originator": "feed f1: originator 'KOR' is not a partner",
    "feed with an invalid label": "feed f1: label: value 'LEMURIA'",
}


def test_every_problem_is_reported_in_one_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(INVALID, "bad.toml")
    error = caught.value
    assert error.source == "bad.toml"
    missing = {
        what: text
        for what, text in EXPECTED_PROBLEMS.items()
        if not any(text in problem for problem in error.problems)
    }
    assert missing == {}, f"not reported: {missing}; reported: {error.problems}"
    assert len(error.problems) == len(EXPECTED_PROBLEMS)
    message = str(error)
    assert message.startswith(
        f"bad.toml: invalid configuration ({len(EXPECTED_PROBLEMS)} problems)"
    )
    assert all(f"  - {problem}" in message for problem in error.problems)


def test_a_valid_config_has_no_problems_but_one_change_makes_one() -> None:
    parse(VALID)  # the base case is valid: the problems above come from the changes
    with pytest.raises(ConfigError) as caught:
        parse(VALID.replace('max_classification = "CONFIDENTIAL"', 'max_classification = "X"'))
    assert len(caught.value.problems) == 1
    assert "max_classification" in caught.value.problems[0]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('kind = "bilateral"', 'kind = "treaty"', "kind 'treaty' is not one of"),
        ('kind = "bilateral"', 'kind = "itpp"', None),
        ('parties = ["NATO", "USA"]', 'parties = ["USA"]', "needs at least two parties"),
        ("position_precision_deg = 1", "position_precision_deg = 0", "position_precision_deg"),
        ("position_precision_deg = 1", "position_precision_deg = true", "position_precision_deg"),
        ('strip = ["body", "sources"]', 'strip = "body"', "strip: must be a list of strings"),
        ('members = ["USA"]', 'members = ["USA", "CAN"]', "member 'CAN' is not a partner"),
        ('kind = "indicator"', 'kind = "gossip"', "feed usa-reports: kind 'gossip' is unknown"),
        ('area = "cyber-defence"', 'area = "space"', "feed usa-reports: area 'space'"),
        ('id = "usa-reports"', 'id = "usa reports!"', "feeds[1]: 'id' must be a short name"),
    ],
)
def test_single_problems(old: str, new: str, expected: str | None) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    if expected is None:
        parse(text)
        return
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert any(expected in p for p in caught.value.problems), caught.value.problems


# --- sources: TOML syntax, SPIF paths -----------------------------------------------------------


def test_invalid_toml_names_the_source() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("areas = [", "broken.toml")
    assert caught.value.source == "broken.toml"
    (problem,) = caught.value.problems
    assert problem.startswith("not valid TOML")
    assert str(caught.value).startswith("broken.toml: ")


def test_invalid_toml_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text("[[partners]\nid = 1\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_config_source(path)
    assert caught.value.source == str(path)
    assert str(path) in str(caught.value)
    assert "not valid TOML" in str(caught.value)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as caught:
        read_config_source(path)
    assert caught.value.source == str(path)
    assert "cannot read" in caught.value.problems[0]


def test_spif_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    spif = default_policy_bytes()
    (folder / "x.xml").write_bytes(spif)
    config_path = folder / "hub.toml"
    config_path.write_text(VALID + '\n[policy]\nspif = "x.xml"\n', "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the config's folder: the path must not be read from here

    source = read_config_source(config_path)

    assert source.spif == spif
    assert source.name == str(config_path)
    assert source.text == config_path.read_text("utf-8")
    config = parse_config(source)
    assert config.policy.name == "NATO"
    assert [p.id for p in config.partners] == ["NATO", "USA"]


def test_spif_path_reads_the_named_file_not_the_builtin(tmp_path: Path) -> None:
    (tmp_path / "x.xml").write_bytes(b"<not-a-spif/>")
    config_path = tmp_path / "hub.toml"
    config_path.write_text('[policy]\nspif = "x.xml"\n', "utf-8")
    source = read_config_source(config_path)
    assert source.spif == b"<not-a-spif/>"


def test_missing_spif_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    config_path = tmp_path / "hub.toml"
    config_path.write_text(VALID + '\n[policy]\nspif = "policies/missing.xml"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_config_source(config_path)
    assert caught.value.source == str(config_path)
    (problem,) = caught.value.problems
    assert "policy.spif" in problem
    assert str(tmp_path / "policies" / "missing.xml") in problem


def test_spif_must_be_a_string(tmp_path: Path) -> None:
    config_path = tmp_path / "hub.toml"
    config_path.write_text("[policy]\nspif = 3\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_config_source(config_path)
    assert "policy.spif must be 'builtin' or a path" in caught.value.problems[0]


def test_policy_table_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text('policy = "builtin"\n' + VALID, "utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        read_config_source(path)
    path.write_text(VALID + '\n[policy]\nspf = "x.xml"\n', "utf-8")
    with pytest.raises(ConfigError, match="unknown key 'spf'"):
        read_config_source(path)


def test_demo_ais_feeds(demo_config: HubConfig) -> None:
    jpn, nato = demo_config.feed("jpn-ais"), demo_config.feed("nato-ais")
    assert jpn is not None
    assert nato is not None
    assert (jpn.originator, jpn.kind, jpn.area) == ("JPN", "position", "maritime-security")
    assert jpn.label == Label.of("NATO", "RESTRICTED", {"Releasable To": ["JPN", "USA"]})
    assert (nato.originator, nato.kind) == ("NATO", "position")
    assert nato.label == Label.of(
        "NATO", "RESTRICTED", {"Releasable To": ["NATO", "JPN", "KOR", "AUS", "NZL"]}
    )
