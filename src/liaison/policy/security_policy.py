"""A security policy as a SPIF defines it: classifications, category tag sets, marking data.

Loaded from XML by `liaison.policy.spif`; this module holds the types and the rules that need no
XML: ordering classifications and checking that a label means something under the policy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from liaison.errors import LabelError
from liaison.model.labels import Label, freeze_categories


class TagType(enum.StrEnum):
    """How a category constrains access (the SPIF access rule)."""

    RESTRICTIVE = "restrictive"  # the reader must hold every value
    PERMISSIVE = "permissive"  # the reader must hold at least one value
    INFORMATIVE = "informative"  # never denies


@dataclass(frozen=True, slots=True)
class Marking:
    """One `markingData` element: an optional phrase, its language and its marking codes."""

    phrase: str | None
    lang: str | None
    codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """Prefix, suffix and separator of a tag's display marking (`markingQualifier`)."""

    prefix: str = ""
    suffix: str = ""
    separator: str = ", "


@dataclass(frozen=True, slots=True)
class Classification:
    name: str
    lacv: int
    hierarchy: int
    markings: tuple[Marking, ...] = ()


@dataclass(frozen=True, slots=True)
class TagValue:
    name: str
    lacv: str
    tag_type: TagType
    markings: tuple[Marking, ...] = ()
    excluded_classes: frozenset[str] = frozenset()
    obsolete: bool = False


@dataclass(frozen=True, slots=True)
class TagSet:
    name: str
    id: str
    values: tuple[TagValue, ...]
    qualifiers: Qualifiers = Qualifiers()
    single_selection: bool = False
    _by_name: dict[str, TagValue] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {v.name.casefold(): v for v in self.values})

    @property
    def types(self) -> frozenset[TagType]:
        return frozenset(v.tag_type for v in self.values)

    @property
    def tag_type(self) -> TagType | None:
        """The tag set's type where all its values share one; None where tags of several mix."""
        types = self.types
        return next(iter(types)) if len(types) == 1 else None

    def value(self, name: str) -> TagValue | None:
        return self._by_name.get(name.casefold())

    def type_of(self, name: str) -> TagType:
        found = self.value(name)
        # An unknown value cannot pass check_label; were one to appear, treat it as the strictest.
        return found.tag_type if found is not None else TagType.RESTRICTIVE


@dataclass(frozen=True, slots=True)
class SecurityPolicy:
    name: str
    id: str
    classifications: tuple[Classification, ...]  # lowest first
    tag_sets: tuple[TagSet, ...]
    source: str = "<policy>"
    _classes: dict[str, Classification] = field(init=False, repr=False, compare=False)
    _sets: dict[str, TagSet] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_classes", {c.name.casefold(): c for c in self.classifications})
        object.__setattr__(self, "_sets", {t.name.casefold(): t for t in self.tag_sets})

    def classification(self, name: str) -> Classification:
        found = self._classes.get(name.strip().casefold())
        if found is None:
            known = ", ".join(c.name for c in self.classifications)
            raise LabelError(
                f"classification {name!r} is not defined by policy {self.name} (known: {known})"
            )
        return found

    def rank(self, classification: str) -> int:
        return self.classification(classification).hierarchy

    def tag_set(self, name: str) -> TagSet:
        found = self._sets.get(name.strip().casefold())
        if found is None:
            known = ", ".join(t.name for t in self.tag_sets)
            raise LabelError(
                f"tag set {name!r} is not defined by policy {self.name} (known: {known})"
            )
        return found

    def tag_value(self, tag_set: str, value: str) -> TagValue:
        found = self.tag_set(tag_set).value(value)
        if found is None:
            raise LabelError(
                f"value {value!r} is not defined in tag set {tag_set!r} of policy {self.name}"
            )
        return found

    def check_label(self, label: Label) -> Label:
        """The label in the policy's own spelling, or LabelError naming what is wrong.

        Empty restrictive and informative categories are dropped (they constrain nothing);
        an empty permissive category is kept, because it means "releasable to nobody".
        """
        if label.policy.strip().casefold() != self.name.casefold():
            raise LabelError(f"label is under policy {label.policy!r}, not {self.name!r}")
        classification = self.classification(label.classification)
        categories: dict[str, list[str]] = {}
        for set_name, values in label.categories:
            tag_set = self.tag_set(set_name)
            if tag_set.name in categories:
                # Two spellings of one tag set: merging or choosing would change the label.
                raise LabelError(f"tag set {tag_set.name!r} is given more than once")
            checked = [self._check_value(tag_set, v, classification) for v in sorted(values)]
            if tag_set.single_selection and len(checked) > 1:
                raise LabelError(f"tag set {tag_set.name!r} allows one value, got {len(checked)}")
            if checked or TagType.PERMISSIVE in tag_set.types:
                categories[tag_set.name] = [v.name for v in checked]
        return Label(self.name, classification.name, freeze_categories(categories))

    def _check_value(self, tag_set: TagSet, name: str, cls: Classification) -> TagValue:
        value = tag_set.value(name)
        if value is None:
            raise LabelError(
                f"value {name!r} is not defined in tag set {tag_set.name!r} of policy {self.name}"
            )
        if value.obsolete:
            raise LabelError(f"value {value.name!r} of tag set {tag_set.name!r} is obsolete")
        if cls.name in value.excluded_classes:
            raise LabelError(
                f"value {value.name!r} of tag set {tag_set.name!r} may not be used with "
                f"classification {cls.name}"
            )
        return value

    def values_of_type(
        self, label: Label, tag_type: TagType
    ) -> Iterable[tuple[str, frozenset[str]]]:
        """The label's values of one type, per tag set (a tag set may mix tag types)."""
        for set_name, values in label.categories:
            tag_set = self._sets[set_name.casefold()]
            typed = frozenset(v for v in values if tag_set.type_of(v) is tag_type)
            if typed or (
                tag_type is TagType.PERMISSIVE and not values and tag_type in tag_set.types
            ):
                yield set_name, typed
