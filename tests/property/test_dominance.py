"""dominant_label: never less restrictive than any input, releasability never widens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.errors import LabelError
from liaison.model.labels import Label
from liaison.model.partners import Clearance
from liaison.policy.dominance import dominant_label
from liaison.policy.security_policy import TagType
from liaison.policy.spif import default_policy_bytes, load_spif, parse_spif
from tests.conftest import shared_file
from tests.oracle import clearance_admits
from tests.strategies import clearances, labels

POLICY = parse_spif(default_policy_bytes(), "builtin")
LABELS = labels(POLICY)


def dom(*inputs: Label) -> Label:
    return dominant_label(inputs, POLICY)


@given(st.lists(LABELS, min_size=1, max_size=5))
def test_classification_is_the_highest(inputs: list[Label]) -> None:
    result = dom(*inputs)
    assert POLICY.rank(result.classification) == max(POLICY.rank(x.classification) for x in inputs)


@given(st.lists(LABELS, min_size=1, max_size=5))
def test_restrictive_and_informative_values_are_unions(inputs: list[Label]) -> None:
    result = dom(*inputs)
    for tag_type in (TagType.RESTRICTIVE, TagType.INFORMATIVE):
        got = dict(POLICY.values_of_type(result, tag_type))
        for x in inputs:
            for name, values in POLICY.values_of_type(x, tag_type):
                assert values <= got[name]


@given(st.lists(LABELS, min_size=1, max_size=5), clearances())
def test_releasability_never_widens(inputs: list[Label], clearance: Clearance) -> None:
    """Whoever may read the result may read every input."""
    if clearance_admits(POLICY, clearance, dom(*inputs)):
        assert all(clearance_admits(POLICY, clearance, x) for x in inputs)


@given(LABELS, LABELS)
def test_commutative(a: Label, b: Label) -> None:
    assert dom(a, b) == dom(b, a)


@given(LABELS, LABELS, LABELS)
def test_associative(a: Label, b: Label, c: Label) -> None:
    assert dom(dom(a, b), c) == dom(a, dom(b, c)) == dom(a, b, c)


@given(LABELS)
def test_idempotent(a: Label) -> None:
    assert dom(a) == a
    assert dom(a, a) == a


def test_permissive_intersection_and_dropping() -> None:
    a = Label.of("NATO", "RESTRICTED", {"Releasable To": ["JPN", "USA", "NATO"]})
    b = Label.of("NATO", "SECRET", {"Releasable To": ["USA", "NATO", "KOR"]})
    assert dom(a, b) == Label.of("NATO", "SECRET", {"Releasable To": ["USA", "NATO"]})
    # A source without the category: kept, naming nobody (dropping it would lift the restriction).
    c = Label.of("NATO", "RESTRICTED")
    assert dom(a, c).values("Releasable To") == frozenset()
    d = Label.of("NATO", "RESTRICTED", {"Releasable To": ["KOR"]})
    assert dom(a, d).values("Releasable To") == frozenset()


def test_mixed_tag_set_that_cannot_say_nobody_is_refused() -> None:
    """TLP's "Additional Information" mixes permissive and informative values."""
    tlp = load_spif(shared_file("spif", "spiffing_tlp.xml"))
    (tag_set,) = tlp.tag_sets
    assert len(tag_set.types) == 2
    eu = tlp.check_label(Label.of(tlp.name, "AMBER", {tag_set.name: ["EU"]}))
    foreign = tlp.check_label(Label.of(tlp.name, "AMBER", {tag_set.name: ["Foreign"]}))
    with pytest.raises(LabelError, match="empty permissive part"):
        dominant_label([eu, foreign], tlp)
    both = dominant_label([eu, eu], tlp)
    assert both == eu
