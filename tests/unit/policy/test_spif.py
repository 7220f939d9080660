from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from liaison.errors import SpifError
from liaison.policy.labels_io import label_from_element
from liaison.policy.security_policy import SecurityPolicy, TagType
from liaison.policy.spif import default_policy_bytes, load_spif, parse_spif
from tests.conftest import shared_file

CLASSES = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]


def test_real_nato_spif_has_five_ordered_classifications(nato_spif: SecurityPolicy) -> None:
    assert nato_spif.name == "NATO"
    assert nato_spif.id == "1.3.26.1.3.1"
    assert [c.name for c in nato_spif.classifications] == CLASSES
    assert [nato_spif.rank(c) for c in CLASSES] == [1, 2, 3, 4, 5]


def test_real_nato_spif_tag_sets_and_their_types(nato_spif: SecurityPolicy) -> None:
    types = {t.name: t.tag_type for t in nato_spif.tag_sets}
    assert types == {
        "Additional Sensitivity": TagType.RESTRICTIVE,
        "Releasable To": TagType.PERMISSIVE,
        "Only": TagType.PERMISSIVE,
        "Administrative": TagType.INFORMATIVE,
        "Context": TagType.PERMISSIVE,
    }


def test_real_nato_spif_releasable_to_holds_the_partners(nato_spif: SecurityPolicy) -> None:
    rel = nato_spif.tag_set("Releasable To")
    names = {v.name for v in rel.values}
    assert {"JPN", "KOR", "AUS", "NZL", "NATO", "USA", "FRA"} <= names
    assert len(rel.values) == 90
    assert rel.value("JPN") is not None
    assert "TOP SECRET" in rel.value("JPN").excluded_classes  # type: ignore[union-attr]
    assert rel.qualifiers.prefix == "Releasable to "


def test_cosmic_marking_is_read(nato_spif: SecurityPolicy) -> None:
    top = nato_spif.classification("top secret")
    assert any(m.phrase == "COSMIC" and "replacePolicy" in m.codes for m in top.markings)


def test_label_embedded_in_the_real_spif_reads(nato_spif: SecurityPolicy) -> None:
    """The SPIF's own binding extension carries a 4774 label (lower-case names, as written)."""
    root = etree.parse(str(shared_file("spif", "spiffing_nato-4774-policy.xml")))
    ns = {"slab": "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"}
    (element,) = root.iterfind(".//slab:OriginatorConfidentialityLabel", ns)
    label = label_from_element(element, nato_spif)
    assert label.classification == "UNCLASSIFIED"
    assert label.values("Context") == frozenset({"NATO"})


@pytest.mark.parametrize(
    ("name", "policy_name", "classes"),
    [
        ("xmlspiforg_policy-nato.xml", "NATO", 4),
        ("spiffing_uk-demo.xml", "UK", 3),
        ("spiffing_tlp.xml", None, 4),
    ],
)
def test_other_real_spifs_load(name: str, policy_name: str | None, classes: int | None) -> None:
    policy = load_spif(shared_file("spif", name))
    if policy_name:
        assert policy.name == policy_name
    if classes:
        assert len(policy.classifications) == classes
    ranks = [c.hierarchy for c in policy.classifications]
    assert ranks == sorted(ranks)


def test_real_spif_with_an_unnamed_tag_set_is_rejected_clearly() -> None:
    """The Australian sample names one tag set "": the error says which file, element and line."""
    path = shared_file("spif", "xmlspiforg_policy-agimo.xml")
    with pytest.raises(SpifError) as info:
        load_spif(path)
    assert info.value.element == "securityCategoryTagSet"
    assert info.value.line == 183
    assert str(info.value).startswith(f"{path}:183:")


def test_default_policy_is_valid_spif_2_1() -> None:
    schema = etree.XMLSchema(etree.parse(str(shared_file("spif", "spif-21-fixed.xsd"))))
    document = etree.fromstring(default_policy_bytes())
    assert schema.validate(document), schema.error_log


def test_default_policy_content(policy: SecurityPolicy) -> None:
    assert [c.name for c in policy.classifications] == CLASSES
    rel = {v.name for v in policy.tag_set("Releasable To").values}
    assert len(rel) == 32 + 4 + 1  # members, Asia-Pacific partners, NATO
    assert {t.name: t.tag_type for t in policy.tag_sets} == {
        "Additional Sensitivity": TagType.RESTRICTIVE,
        "Releasable To": TagType.PERMISSIVE,
        "Only": TagType.PERMISSIVE,
        "Administrative": TagType.INFORMATIVE,
    }


# --- bad SPIFs: a clear error naming the file and the element ----------------------------------

GOOD = default_policy_bytes().decode()


def _bad(text: str) -> SpifError:
    with pytest.raises(SpifError) as info:
        parse_spif(text.encode(), "bad.xml")
    return info.value


def test_unknown_schema_version_names_file_and_element() -> None:
    error = _bad(GOOD.replace('schemaVersion="2.1"', 'schemaVersion="9.9"'))
    assert error.source == "bad.xml"
    assert error.element == "SPIF"
    assert "9.9" in str(error)
    assert str(error).startswith("bad.xml:")


def test_truncated_file_is_not_well_formed() -> None:
    error = _bad(GOOD[: len(GOOD) // 2])
    assert "not well-formed" in str(error)
    assert error.line is not None


def test_missing_attribute_names_the_element_and_line() -> None:
    error = _bad(GOOD.replace('<securityClassification name="SECRET"', "<securityClassification"))
    assert error.element == "securityClassification"
    assert "'name'" in str(error)
    assert error.line is not None
    assert error.line > 1


def test_unknown_tag_type() -> None:
    error = _bad(GOOD.replace('tagType="restrictive"', 'tagType="mandatory"'))
    assert error.element == "securityCategoryTag"
    assert "mandatory" in str(error)


def test_excluded_class_must_be_defined() -> None:
    error = _bad(
        GOOD.replace(
            "<excludedClass>RESTRICTED</excludedClass>", "<excludedClass>PINK</excludedClass>", 1
        )
    )
    assert error.element == "tagCategory"
    assert "PINK" in str(error)


def test_wrong_root_element() -> None:
    error = _bad('<?xml version="1.0"?><policy xmlns="urn:x"/>')
    assert error.element == "policy"


def test_duplicate_classification() -> None:
    error = _bad(GOOD.replace('name="RESTRICTED" lacv="2"', 'name="SECRET" lacv="2"'))
    assert "defined twice" in str(error)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED")
    text = GOOD.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE SPIF [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace('name="NATO" id="1.3.26.1.3.1"', 'name="&x;" id="1.3.26.1.3.1"')
    try:
        policy = parse_spif(text.encode(), "evil.xml")
    except SpifError:
        return
    assert "LEAKED" not in policy.name


def test_unreadable_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SpifError, match=r"missing\.xml"):
        load_spif(tmp_path / "missing.xml")
