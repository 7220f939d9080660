"""Hypothesis strategies for labels and clearances under the hub's default policy."""

from __future__ import annotations

from hypothesis import strategies as st

from liaison.model.labels import Label
from liaison.model.partners import Clearance
from liaison.policy.security_policy import SecurityPolicy, TagType

# A small alphabet makes overlaps (and so interesting intersections) likely.
NATIONS = ["NATO", "USA", "FRA", "JPN", "KOR", "AUS", "NZL"]
SENSITIVITY = ["ATOMAL", "CRYPTO", "SIOP", "BOHEMIA"]
ADMIN = ["STAFF", "MEDICAL"]
CLASSES = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]


def _subset(values: list[str], min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=min_size, max_size=len(values), unique=True)


@st.composite
def labels(draw: st.DrawFn, policy: SecurityPolicy) -> Label:
    """Valid labels: values that an SPIF excludes for the drawn classification are left out."""
    cls = draw(st.sampled_from(CLASSES))
    categories: dict[str, list[str]] = {}
    for tag_set, pool in (
        ("Additional Sensitivity", SENSITIVITY),
        ("Releasable To", NATIONS),
        ("Only", NATIONS),
        ("Administrative", ADMIN),
    ):
        if not draw(st.booleans()):
            continue
        allowed = [v for v in pool if cls not in policy.tag_value(tag_set, v).excluded_classes]
        permissive = TagType.PERMISSIVE in policy.tag_set(tag_set).types
        values = draw(_subset(allowed, min_size=0 if permissive else 1)) if allowed else []
        if values or permissive:
            categories[tag_set] = values
    return policy.check_label(Label.of("NATO", cls, categories))


@st.composite
def clearances(draw: st.DrawFn) -> Clearance:
    return Clearance.of(
        draw(st.sampled_from(CLASSES)),
        {
            "Releasable To": draw(_subset(NATIONS)),
            "Only": draw(_subset(NATIONS)),
            "Additional Sensitivity": draw(_subset(SENSITIVITY)),
        },
    )
