from __future__ import annotations

import pytest
from hypothesis import given
from lxml import etree

from liaison.errors import LabelError
from liaison.model.labels import Label
from liaison.policy.labels_io import (
    NS_4774,
    display_marking,
    label_from_json,
    label_from_short,
    label_from_xml,
    label_to_json,
    label_to_short,
    label_to_xml,
)
from liaison.policy.security_policy import SecurityPolicy
from liaison.policy.spif import default_policy_bytes, parse_spif
from tests.strategies import labels

POLICY = parse_spif(default_policy_bytes(), "builtin")


def test_json_shape_of_the_issue(policy: SecurityPolicy) -> None:
    data = {
        "policy": "NATO",
        "classification": "RESTRICTED",
        "categories": {"Releasable To": ["JPN", "USA"]},
    }
    label = label_from_json(data, policy)
    assert label == Label.of("NATO", "RESTRICTED", {"Releasable To": ["USA", "JPN"]})
    assert label_to_json(label) == data


@pytest.mark.parametrize(
    ("short", "expected"),
    [
        (
            "NATO RESTRICTED // REL TO JPN, USA",
            Label.of("NATO", "RESTRICTED", {"Releasable To": ["JPN", "USA"]}),
        ),
        (
            "NATO SECRET // ATOMAL // REL TO NATO",
            Label.of(
                "NATO", "SECRET", {"Additional Sensitivity": ["ATOMAL"], "Releasable To": ["NATO"]}
            ),
        ),
        ("COSMIC TOP SECRET", Label.of("NATO", "TOP SECRET")),
        ("nato unclassified", Label.of("NATO", "UNCLASSIFIED")),
        ("NATO SECRET // USA, GBR ONLY", Label.of("NATO", "SECRET", {"Only": ["USA", "GBR"]})),
        (
            "NATO CONFIDENTIAL // - STAFF",
            Label.of("NATO", "CONFIDENTIAL", {"Administrative": ["STAFF"]}),
        ),
        (
            "NATO CONFIDENTIAL // REL TO NONE",
            Label.of("NATO", "CONFIDENTIAL", {"Releasable To": []}),
        ),
    ],
)
def test_short_forms(policy: SecurityPolicy, short: str, expected: Label) -> None:
    assert label_from_short(short, policy) == expected


def test_short_form_writes_the_issue_examples(policy: SecurityPolicy) -> None:
    label = Label.of(
        "NATO", "SECRET", {"Additional Sensitivity": ["ATOMAL"], "Releasable To": ["NATO"]}
    )
    assert label_to_short(label, policy) == "NATO SECRET // ATOMAL // REL TO NATO"
    label = Label.of("NATO", "RESTRICTED", {"Releasable To": ["USA", "JPN"]})
    assert label_to_short(label, policy) == "NATO RESTRICTED // REL TO JPN, USA"
    assert label_to_short(Label.of("NATO", "TOP SECRET"), policy) == "COSMIC TOP SECRET"


def test_display_marking_from_marking_data(
    policy: SecurityPolicy, nato_spif: SecurityPolicy
) -> None:
    label = Label.of("NATO", "RESTRICTED", {"Releasable To": ["JPN", "USA"]})
    assert display_marking(label, policy) == "NATO RESTRICTED Releasable to JPN, USA"
    # The real SPIF has a phrase per nation, and marks NATO itself with noMarkingDisplay.
    assert (
        display_marking(label, nato_spif)
        == "NATO RESTRICTED Releasable to Japan, United States of America"
    )
    nato_only = Label.of("NATO", "SECRET", {"Releasable To": ["NATO"]})
    assert display_marking(nato_only, nato_spif) == "NATO SECRET"
    assert display_marking(Label.of("NATO", "TOP SECRET"), nato_spif) == "COSMIC TOP SECRET"


def test_xml_is_stanag_4774(policy: SecurityPolicy) -> None:
    label = label_from_short("NATO SECRET // ATOMAL // REL TO JPN, NATO", policy)
    root = etree.fromstring(label_to_xml(label, policy).encode())
    ns = {"s": NS_4774}
    assert root.tag == f"{{{NS_4774}}}ConfidentialityLabel"
    assert root.findtext("s:ConfidentialityInformation/s:PolicyIdentifier", namespaces=ns) == "NATO"
    assert root.findtext("s:ConfidentialityInformation/s:Classification", namespaces=ns) == "SECRET"
    cats = {
        c.get("TagName"): (c.get("Type"), [v.text for v in c])
        for c in root.iterfind("s:ConfidentialityInformation/s:Category", ns)
    }
    assert cats == {
        "Additional Sensitivity": ("RESTRICTIVE", ["ATOMAL"]),
        "Releasable To": ("PERMISSIVE", ["JPN", "NATO"]),
    }


@given(labels(POLICY))
def test_round_trips(label: Label) -> None:
    assert label_from_json(label_to_json(label), POLICY) == label
    assert label_from_xml(label_to_xml(label, POLICY), POLICY) == label
    assert label_from_short(label_to_short(label, POLICY), POLICY) == label


@pytest.mark.parametrize(
    ("short", "named"),
    [
        ("NATO ULTRA", "ULTRA"),
        ("NATO RESTRICTED // REL TO JPN, XYZ", "XYZ"),
        ("NATO RESTRICTED // ATOMAL", "ATOMAL"),  # excluded below CONFIDENTIAL
        ("NATO SECRET // BANANA", "BANANA"),
        ("EU SECRET", "EU SECRET"),
        ("COSMIC TOP SECRET // REL TO JPN", "JPN"),  # nations are excluded at TOP SECRET
    ],
)
def test_unknown_names_are_rejected_by_name(policy: SecurityPolicy, short: str, named: str) -> None:
    with pytest.raises(LabelError, match=named):
        label_from_short(short, policy)


def test_json_rejections_name_the_problem(policy: SecurityPolicy) -> None:
    with pytest.raises(LabelError, match="PINK"):
        label_from_json({"classification": "PINK"}, policy)
    with pytest.raises(LabelError, match="Eyes Only"):
        label_from_json({"classification": "SECRET", "categories": {"Eyes Only": ["USA"]}}, policy)
    with pytest.raises(LabelError, match="colour"):
        label_from_json({"classification": "SECRET", "colour": "red"}, policy)
    with pytest.raises(LabelError, match="policy"):
        label_from_json({"policy": "EU", "classification": "SECRET"}, policy)
    with pytest.raises(LabelError, match="list of strings"):
        label_from_json(
            {"classification": "SECRET", "categories": {"Releasable To": "JPN"}}, policy
        )


def test_xml_rejections(policy: SecurityPolicy) -> None:
    with pytest.raises(LabelError, match="well-formed"):
        label_from_xml("<slab:ConfidentialityLabel", policy)
    with pytest.raises(LabelError, match="ConfidentialityLabel"):
        label_from_xml("<label/>", policy)
    bad = f'<ConfidentialityLabel xmlns="{NS_4774}"><ConfidentialityInformation><PolicyIdentifier>NATO</PolicyIdentifier></ConfidentialityInformation></ConfidentialityLabel>'
    with pytest.raises(LabelError, match="Classification"):
        label_from_xml(bad, policy)
