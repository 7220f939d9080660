"""Load an Open XML SPIF (Security Policy Information File, schema versions 1.0, 2.0 and 2.1).

Only what the hub uses is read: the policy id, classifications with their hierarchy and marking
data, and category tag sets with their values, types, excluded classifications and marking data.
Anything malformed raises `SpifError` naming the file, the element and its line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lxml import etree

from liaison.errors import SpifError
from liaison.policy.security_policy import (
    Classification,
    Marking,
    Qualifiers,
    SecurityPolicy,
    TagSet,
    TagType,
    TagValue,
)

NS = "http://www.xmlspif.org/spif"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUPPORTED_VERSIONS = frozenset({"1.0", "2.0", "2.1"})
DEFAULT_POLICY_RESOURCE = "nato-policy.xml"

_ENUM_TYPES = {"permissive": TagType.PERMISSIVE, "restrictive": TagType.RESTRICTIVE}
_TAG_TYPES = {
    "restrictive": TagType.RESTRICTIVE,
    "permissive": TagType.PERMISSIVE,
    "tagType7": TagType.INFORMATIVE,  # SPIF's free-form type: informative, never denies
    "informative": TagType.INFORMATIVE,
}

# No entities, no network, no DTD: a policy file is data, never instructions to fetch.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def load_spif(path: str | Path) -> SecurityPolicy:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpifError(str(path), "SPIF", f"cannot read file: {exc.strerror}") from exc
    return parse_spif(data, str(path))


def default_policy_bytes() -> bytes:
    """The hub's shipped policy (written for this project from public facts about NATO's)."""
    return resources.files("liaison.data").joinpath(DEFAULT_POLICY_RESOURCE).read_bytes()


def parse_spif(data: bytes, source: str = "<spif>") -> SecurityPolicy:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SpifError(source, "SPIF", f"not well-formed XML: {exc.msg}", exc.lineno) from exc
    return _SpifReader(source).policy(root)


class _SpifReader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, el: etree._Element, reason: str) -> SpifError:
        line = el.sourceline
        return SpifError(self.source, _local(el), reason, line if isinstance(line, int) else None)

    def attr(self, el: etree._Element, name: str) -> str:
        value = el.get(name)
        if value is None or not value.strip():
            raise self.fail(el, f"missing attribute {name!r}")
        return value.strip()

    def one(self, parent: etree._Element, tag: str) -> etree._Element:
        found = parent.find(_q(tag))
        if found is None:
            raise self.fail(parent, f"missing child element <{tag}>")
        return found

    def policy(self, root: etree._Element) -> SecurityPolicy:
        if root.tag != _q("SPIF"):
            raise self.fail(
                root, f"root element must be <SPIF> in namespace {NS}, found {root.tag}"
            )
        version = self.attr(root, "schemaVersion")
        if version not in SUPPORTED_VERSIONS:
            supported = ", ".join(sorted(SUPPORTED_VERSIONS))
            raise self.fail(root, f"unknown schemaVersion {version!r} (supported: {supported})")
        policy_id = self.one(root, "securityPolicyId")
        classes = self.classifications(self.one(root, "securityClassifications"))
        known = {c.name for c in classes}
        sets_el = root.find(_q("securityCategoryTagSets"))
        tag_sets = () if sets_el is None else self.tag_sets(sets_el, known)
        return SecurityPolicy(
            name=self.attr(policy_id, "name"),
            id=self.attr(policy_id, "id"),
            classifications=classes,
            tag_sets=tag_sets,
            source=self.source,
        )

    def classifications(self, parent: etree._Element) -> tuple[Classification, ...]:
        out: list[Classification] = []
        for el in parent.iterchildren(_q("securityClassification")):
            out.append(
                Classification(
                    name=self.attr(el, "name"),
                    lacv=self.integer(el, "lacv"),
                    hierarchy=self.integer(el, "hierarchy"),
                    markings=self.markings(el),
                )
            )
        if not out:
            raise self.fail(parent, "defines no securityClassification")
        self.unique(parent, [c.name for c in out], "classification")
        return tuple(sorted(out, key=lambda c: c.hierarchy))

    def integer(self, el: etree._Element, name: str) -> int:
        raw = self.attr(el, name)
        try:
            return int(raw)
        except ValueError:
            raise self.fail(el, f"attribute {name!r} must be an integer, got {raw!r}") from None

    def unique(self, el: etree._Element, names: list[str], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name.casefold() in seen:
                raise self.fail(el, f"{what} {name!r} is defined twice")
            seen.add(name.casefold())

    def markings(self, el: etree._Element) -> tuple[Marking, ...]:
        return tuple(
            Marking(
                phrase=m.get("phrase"),
                lang=m.get(XML_LANG),
                codes=frozenset((c.text or "").strip() for c in m.iterchildren(_q("code"))),
            )
            for m in el.iterchildren(_q("markingData"))
        )

    def tag_sets(self, parent: etree._Element, classes: set[str]) -> tuple[TagSet, ...]:
        out = [
            self.tag_set(el, classes) for el in parent.iterchildren(_q("securityCategoryTagSet"))
        ]
        self.unique(parent, [t.name for t in out], "tag set")
        return tuple(out)

    def tag_set(self, el: etree._Element, classes: set[str]) -> TagSet:
        values: list[TagValue] = []
        qualifiers = Qualifiers()
        single = False
        tags = list(el.iterchildren(_q("securityCategoryTag")))
        if not tags:
            raise self.fail(el, "defines no securityCategoryTag")
        for tag in tags:
            tag_type = self.tag_type(tag)
            single = single or tag.get("singleSelection") == "true"
            qualifiers = self.qualifiers(tag) or qualifiers
            values.extend(
                self.tag_value(v, tag_type, classes) for v in tag.iterchildren(_q("tagCategory"))
            )
        self.unique(el, [v.name for v in values], "tag category")
        return TagSet(
            name=self.attr(el, "name"),
            id=self.attr(el, "id"),
            values=tuple(values),
            qualifiers=qualifiers,
            single_selection=single,
        )

    def tag_type(self, tag: etree._Element) -> TagType:
        raw = self.attr(tag, "tagType")
        if raw == "enumerated":
            enum_type = self.attr(tag, "enumType")
            if enum_type not in _ENUM_TYPES:
                raise self.fail(tag, f"unknown enumType {enum_type!r}")
            return _ENUM_TYPES[enum_type]
        if raw not in _TAG_TYPES:
            raise self.fail(tag, f"unknown tagType {raw!r}")
        return _TAG_TYPES[raw]

    def tag_value(self, el: etree._Element, tag_type: TagType, classes: set[str]) -> TagValue:
        excluded = frozenset((x.text or "").strip() for x in el.iterchildren(_q("excludedClass")))
        unknown = excluded - classes
        if unknown:
            raise self.fail(
                el, f"excludedClass names undefined classification {sorted(unknown)[0]!r}"
            )
        return TagValue(
            name=self.attr(el, "name"),
            lacv=el.get("lacv", ""),
            tag_type=tag_type,
            markings=self.markings(el),
            excluded_classes=excluded,
            obsolete=el.get("obsolete") == "true",
        )

    def qualifiers(self, tag: etree._Element) -> Qualifiers | None:
        """Display qualifiers in the default language, from the first markingQualifier."""
        mq = tag.find(_q("markingQualifier"))
        if mq is None:
            return None
        parts = {"prefix": "", "suffix": "", "separator": ", "}
        for q in mq.iterchildren(_q("qualifier")):
            code = q.get("qualifierCode", "")
            if code in parts and q.get(XML_LANG) in (None, "en"):
                parts[code] = q.get("markingQualifier", "")
        return Qualifiers(**parts)
