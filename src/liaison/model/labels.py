"""The confidentiality label: policy, classification and security categories.

A `Label` is a plain value. Whether its names exist, and how classifications order, is the
policy's business (`liaison.policy.spif.SecurityPolicy.check_label`); reading and writing it as
JSON, STANAG 4774 XML and markings lives in `liaison.policy.labels_io`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Categories = tuple[tuple[str, frozenset[str]], ...]


def freeze_categories(categories: Mapping[str, Iterable[str]]) -> Categories:
    """Sorted by tag-set name, so that equal labels are equal tuples."""
    return tuple(sorted((name, frozenset(values)) for name, values in categories.items()))


@dataclass(frozen=True, slots=True)
class Label:
    policy: str
    classification: str
    categories: Categories = ()
    # Labels are cache keys on the release engine's hot path: hash once, not per lookup.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.policy, self.classification, self.categories)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def of(
        cls,
        policy: str,
        classification: str,
        categories: Mapping[str, Iterable[str]] | None = None,
    ) -> Label:
        return cls(policy, classification, freeze_categories(categories or {}))

    def values(self, tag_set: str) -> frozenset[str] | None:
        """The label's values in one tag set; None where the label does not carry that tag set."""
        for name, values in self.categories:
            if name == tag_set:
                return values
        return None

    def category_map(self) -> dict[str, list[str]]:
        return {name: sorted(values) for name, values in self.categories}
