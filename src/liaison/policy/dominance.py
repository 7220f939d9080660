"""The dominant label of several sources (ADatP-4774.1), for items derived from them."""

from __future__ import annotations

from collections.abc import Iterable

from liaison.errors import LabelError
from liaison.model.labels import Label, freeze_categories
from liaison.policy.security_policy import SecurityPolicy, TagType


def dominant_label(labels: Iterable[Label], policy: SecurityPolicy) -> Label:
    """A label at least as restrictive as every input; releasability only ever narrows.

    - classification: the highest;
    - restrictive and informative values: the union;
    - permissive values, per tag set: the intersection. Where a source lacks the tag set or the
      intersection is empty, the tag set is kept with no values, which nobody holds: then only
      the originators receive the item. (Dropping the tag set instead would lift the restriction.)
    """
    labels = list(labels)
    if not labels:
        raise LabelError("dominant_label needs at least one label")
    for label in labels:
        if label.policy != policy.name:
            raise LabelError(
                f"cannot combine labels of policies {label.policy!r} and {policy.name!r}"
            )
    top = max(labels, key=lambda lab: policy.rank(lab.classification))
    merged: dict[str, set[str]] = {}
    for tag_type in (TagType.RESTRICTIVE, TagType.INFORMATIVE):
        for label in labels:
            for name, values in policy.values_of_type(label, tag_type):
                merged.setdefault(name, set()).update(values)
    for name, common in _permissive_intersection(labels, policy).items():
        if not common and merged.get(name):
            # A tag set mixing tag types cannot say "permissive: nobody" beside other values;
            # refuse the derivation rather than lift the restriction.
            raise LabelError(
                f"cannot combine labels: tag set {name!r} would need an empty permissive part "
                "beside restrictive or informative values"
            )
        merged.setdefault(name, set()).update(common)
    return Label(policy.name, top.classification, freeze_categories(merged))


def _permissive_intersection(labels: list[Label], policy: SecurityPolicy) -> dict[str, set[str]]:
    per_label = [dict(policy.values_of_type(label, TagType.PERMISSIVE)) for label in labels]
    names = {name for values in per_label for name in values}
    out: dict[str, set[str]] = {}
    for name in names:
        common: set[str] | None = None
        for values in per_label:
            mine = values.get(name, frozenset())
            common = set(mine) if common is None else common & mine
        out[name] = common or set()
    return out
