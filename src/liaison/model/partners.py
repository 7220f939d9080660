"""Partners (nations and organisations) and the clearances they hold."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from liaison.model.labels import Categories, freeze_categories


class PartnerKind(enum.StrEnum):
    NATION = "nation"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True)
class Clearance:
    """The highest classification a partner may receive and the category values it holds."""

    classification: str
    categories: Categories = ()

    @classmethod
    def of(cls, classification: str, categories: Mapping[str, Iterable[str]]) -> Clearance:
        return cls(classification, freeze_categories(categories))

    def holds(self, tag_set: str) -> frozenset[str]:
        for name, values in self.categories:
            if name == tag_set:
                return values
        return frozenset()


@dataclass(frozen=True, slots=True)
class Partner:
    """A party to the hub.

    `members` is informative only: an organisation's members gain nothing from its agreements.
    Every release rests on an agreement that names the receiving partner itself.
    """

    id: str
    name: str
    kind: PartnerKind
    clearance: Clearance
    members: frozenset[str] = frozenset()
