"""A plain, independent reading of DESIGN.md's release rules, for property tests.

Written from the prose, not from the engine: no caching, no compilation, no shared helpers.
"""

from __future__ import annotations

from datetime import datetime

from liaison.model.agreements import Agreement
from liaison.model.items import Item
from liaison.model.labels import Label
from liaison.model.partners import Clearance
from liaison.policy.security_policy import SecurityPolicy, TagType


def clearance_admits(policy: SecurityPolicy, clearance: Clearance, label: Label) -> bool:
    """The SPIF access rule."""
    if policy.rank(clearance.classification) < policy.rank(label.classification):
        return False
    for tag_set_name, values in label.categories:
        tag_set = policy.tag_set(tag_set_name)
        held = clearance.holds(tag_set.name)
        permissive_values = set()
        has_permissive_part = False
        for value in values:
            value_type = tag_set.value(value).tag_type  # type: ignore[union-attr]
            if value_type == TagType.RESTRICTIVE and value not in held:
                return False
            if value_type == TagType.PERMISSIVE:
                has_permissive_part = True
                permissive_values.add(value)
        if not values and TagType.PERMISSIVE in tag_set.types:
            has_permissive_part = True  # a permissive category naming nobody
        if has_permissive_part and not (permissive_values & held):
            return False
    return True


def may_release(
    policy: SecurityPolicy,
    clearances: dict[str, Clearance],
    agreements: list[Agreement],
    item: Item,
    partner: str,
    at: datetime,
) -> bool:
    if not item.originators:
        return False
    if item.originators == {partner}:
        return True
    if not clearance_admits(policy, clearances[partner], item.label):
        return False
    for originator in item.originators:
        if originator == partner:
            continue
        ok = False
        for a in agreements:
            if originator not in a.parties or partner not in a.parties:
                continue
            if a.in_force_from is not None and at < a.in_force_from:
                continue
            if a.in_force_until is not None and at >= a.in_force_until:
                continue
            if item.area not in a.areas:
                continue
            if a.kinds is not None and item.kind not in a.kinds:
                continue
            if policy.rank(item.label.classification) > policy.rank(a.max_classification):
                continue
            ok = True
        if not ok:
            return False
    return True
