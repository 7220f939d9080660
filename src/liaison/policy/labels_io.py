"""Labels read and written as JSON, STANAG 4774 XML, the short form and the display marking.

Every reader checks the label against the policy, so a label naming a classification or value
the policy does not define never gets past the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from liaison.errors import LabelError
from liaison.model.labels import Label
from liaison.policy.security_policy import Marking, SecurityPolicy, TagSet, TagType

NS_4774 = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
_ROOTS = frozenset({"ConfidentialityLabel", "OriginatorConfidentialityLabel"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_SHORT_SEPARATOR = " // "
_REL_TO = "REL TO "
_NOBODY = "NONE"  # short form of an empty permissive category: releasable to nobody


# --- JSON -------------------------------------------------------------------------------------


def label_to_json(label: Label) -> dict[str, Any]:
    return {
        "policy": label.policy,
        "classification": label.classification,
        "categories": label.category_map(),
    }


def label_from_json(data: object, policy: SecurityPolicy) -> Label:
    if not isinstance(data, Mapping):
        raise LabelError(f"a label must be a JSON object, got {type(data).__name__}")
    unknown = set(data) - {"policy", "classification", "categories"}
    if unknown:
        raise LabelError(f"unknown label field(s): {', '.join(sorted(unknown))}")
    cls = data.get("classification")
    if not isinstance(cls, str):
        raise LabelError("label field 'classification' must be a string")
    pol = data.get("policy", policy.name)
    if not isinstance(pol, str):
        raise LabelError("label field 'policy' must be a string")
    cats = data.get("categories", {})
    if not isinstance(cats, Mapping):
        raise LabelError("label field 'categories' must be an object of tag set -> list of values")
    categories: dict[str, list[str]] = {}
    for name, values in cats.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise LabelError(f"label category {name!r} must be a list of strings")
        categories[name] = values
    return policy.check_label(Label.of(pol, cls, categories))


# --- STANAG 4774 XML ---------------------------------------------------------------------------


def label_to_xml(label: Label, policy: SecurityPolicy) -> str:
    """A `ConfidentialityLabel` element; values of each type go in their own `Category`."""
    root = etree.Element(f"{{{NS_4774}}}ConfidentialityLabel", nsmap={"slab": NS_4774})
    info = etree.SubElement(root, f"{{{NS_4774}}}ConfidentialityInformation")
    pid = etree.SubElement(info, f"{{{NS_4774}}}PolicyIdentifier", URI=f"urn:oid:{policy.id}")
    pid.text = label.policy
    etree.SubElement(info, f"{{{NS_4774}}}Classification").text = label.classification
    for tag_set in policy.tag_sets:
        values = label.values(tag_set.name)
        if values is None:
            continue
        for tag_type in sorted(tag_set.types):
            typed = sorted(v for v in values if tag_set.type_of(v) is tag_type)
            if not typed and not (tag_type is TagType.PERMISSIVE and not values):
                continue
            cat = etree.SubElement(
                info,
                f"{{{NS_4774}}}Category",
                TagName=tag_set.name,
                Type=tag_type.value.upper(),
                URI=f"urn:oid:{tag_set.id}",
            )
            for value in typed:
                etree.SubElement(cat, f"{{{NS_4774}}}GenericValue").text = value
    return etree.tostring(root, encoding="unicode", pretty_print=True)


def label_from_xml(data: str | bytes, policy: SecurityPolicy) -> Label:
    raw = data.encode() if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise LabelError(
            f"4774 label: not well-formed XML at line {exc.lineno}: {exc.msg}"
        ) from exc
    return label_from_element(root, policy)


def label_from_element(root: etree._Element, policy: SecurityPolicy) -> Label:
    name = etree.QName(root)
    if name.namespace != NS_4774 or name.localname not in _ROOTS:
        raise LabelError(
            f"4774 label: expected ConfidentialityLabel in {NS_4774}, found {root.tag}"
        )
    info = root.find(f"{{{NS_4774}}}ConfidentialityInformation")
    if info is None:
        raise LabelError("4774 label: missing <ConfidentialityInformation>")
    pol = _text(info, "PolicyIdentifier")
    cls = _text(info, "Classification")
    categories: dict[str, list[str]] = {}
    for child in info:
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local in _INFO_KNOWN and etree.QName(child).namespace == NS_4774:
            continue
        if local != "Category" or etree.QName(child).namespace != NS_4774:
            # An element we do not understand might restrict the label: refuse, never ignore.
            raise LabelError(
                f"4774 label: unsupported element {child.tag} at line {child.sourceline}"
            )
        tag_name = child.get("TagName")
        if not tag_name:
            raise LabelError(f"4774 label: <Category> at line {child.sourceline} has no TagName")
        categories.setdefault(tag_name, []).extend(_category_values(child, tag_name, policy))
    return policy.check_label(Label.of(pol, cls, categories))


_INFO_KNOWN = frozenset({"PolicyIdentifier", "Classification", "PrivacyMark"})


def _category_values(cat: etree._Element, tag_name: str, policy: SecurityPolicy) -> list[str]:
    """GenericValue names a value; IntegerValue gives its LACV. Anything else is refused."""
    out: list[str] = []
    for v in cat:
        local = etree.QName(v).localname if isinstance(v.tag, str) else ""
        text = (v.text or "").strip()
        if local == "GenericValue":
            out.append(text)
        elif local == "IntegerValue":
            out.append(_value_by_lacv(policy, tag_name, text))
        else:
            raise LabelError(
                f"4774 label: unsupported category value {v.tag} at line {v.sourceline}"
            )
    return out


def _value_by_lacv(policy: SecurityPolicy, tag_name: str, lacv: str) -> str:
    tag_set = policy.tag_set(tag_name)
    for value in tag_set.values:
        if value.lacv.isdigit() and lacv.isdigit() and int(value.lacv) == int(lacv):
            return value.name
    raise LabelError(f"4774 label: no value with LACV {lacv!r} in tag set {tag_set.name!r}")


def _text(parent: etree._Element, tag: str) -> str:
    el = parent.find(f"{{{NS_4774}}}{tag}")
    if el is None or not (el.text or "").strip():
        raise LabelError(f"4774 label: missing <{tag}>")
    return (el.text or "").strip()


# --- short form: NATO RESTRICTED // REL TO JPN, USA ----------------------------------------------


def label_to_short(label: Label, policy: SecurityPolicy) -> str:
    parts = [_classification_marking(label, policy)]
    for tag_set in policy.tag_sets:
        values = label.values(tag_set.name)
        if values is None:
            continue
        listed = ", ".join(sorted(values)) if values else _NOBODY
        if _is_releasable_to(tag_set):
            parts.append(_REL_TO + listed)
        elif tag_set.qualifiers.suffix.strip():
            parts.append(listed + tag_set.qualifiers.suffix.upper())
        elif tag_set.qualifiers.prefix.strip():
            parts.append(tag_set.qualifiers.prefix + listed)
        else:
            parts.append(listed)
    return _SHORT_SEPARATOR.join(parts)


def label_from_short(text: str, policy: SecurityPolicy) -> Label:
    segments = [s.strip() for s in text.split("//")]
    if not segments[0]:
        raise LabelError(f"short label {text!r}: missing policy and classification")
    pol, cls = _parse_classification(segments[0], policy)
    categories: dict[str, list[str]] = {}
    for segment in segments[1:]:
        tag_set, values = _parse_segment(segment, policy)
        if tag_set in categories:
            raise LabelError(f"short label {text!r}: tag set {tag_set!r} appears more than once")
        categories[tag_set] = values
    return policy.check_label(Label.of(pol, cls, categories))


def _is_releasable_to(tag_set: TagSet) -> bool:
    return tag_set.name.casefold() == "releasable to"


def _parse_classification(segment: str, policy: SecurityPolicy) -> tuple[str, str]:
    for c in policy.classifications:
        heads = [policy.name] + [m.phrase for m in c.markings if m.phrase and _replaces(m)]
        for head in heads:
            if segment.casefold() == f"{head} {c.name}".casefold():
                return policy.name, c.name
    raise LabelError(
        f"short label: {segment!r} is not '<policy> <classification>' under policy {policy.name}"
    )


def _parse_segment(segment: str, policy: SecurityPolicy) -> tuple[str, list[str]]:
    upper = segment.upper()
    if upper.startswith(_REL_TO):
        rel = next((t for t in policy.tag_sets if _is_releasable_to(t)), None)
        if rel is None:
            raise LabelError(f"short label: policy {policy.name} has no Releasable To tag set")
        return rel.name, _split(segment[len(_REL_TO) :])
    for tag_set in policy.tag_sets:
        suffix = tag_set.qualifiers.suffix.strip().upper()
        if suffix and upper.endswith(" " + suffix):
            return tag_set.name, _split(segment[: -len(suffix)])
        prefix = tag_set.qualifiers.prefix
        if prefix.strip() and segment.startswith(prefix):
            return tag_set.name, _split(segment[len(prefix) :])
    return _bare_values(segment, policy)


def _bare_values(segment: str, policy: SecurityPolicy) -> tuple[str, list[str]]:
    """Values named alone ("ATOMAL") belong to the one unqualified tag set that defines them."""
    values = _split(segment)
    bare = [t for t in policy.tag_sets if _unqualified(t)]
    if values:
        owners = {t.name for t in bare if all(t.value(v) is not None for v in values)}
    else:  # NONE: an empty permissive category
        owners = {t.name for t in bare if TagType.PERMISSIVE in t.types}
    if len(owners) != 1:
        what = "no" if not owners else "more than one"
        raise LabelError(
            f"short label: {segment!r} names values of {what} tag set of {policy.name}"
        )
    return owners.pop(), values


def _unqualified(tag_set: TagSet) -> bool:
    q = tag_set.qualifiers
    return not _is_releasable_to(tag_set) and not q.prefix.strip() and not q.suffix.strip()


def _split(listed: str) -> list[str]:
    values = [v.strip() for v in listed.split(",") if v.strip()]
    return [] if values == [_NOBODY] else values


# --- display marking from the SPIF's marking data ------------------------------------------------


def display_marking(label: Label, policy: SecurityPolicy) -> str:
    """The marking a person reads, e.g. `NATO RESTRICTED Releasable to JPN, USA`."""
    parts = [_classification_marking(label, policy)]
    for tag_set in policy.tag_sets:
        values = label.values(tag_set.name)
        if values is None:
            continue
        if not values:  # a permissive category naming nobody: say so, never hide it
            q = tag_set.qualifiers
            parts.append(q.prefix + _NOBODY + q.suffix)
            continue
        shown = [s for s in (_value_marking(tag_set, v) for v in sorted(values)) if s]
        if shown:
            q = tag_set.qualifiers
            parts.append(q.prefix + q.separator.join(shown) + q.suffix)
    return " ".join(p.strip() for p in parts if p.strip())


def _classification_marking(label: Label, policy: SecurityPolicy) -> str:
    return classification_marking(label.classification, policy)


def classification_marking(classification: str, policy: SecurityPolicy) -> str:
    """A classification as its marking reads, e.g. `NATO RESTRICTED` (a label banner's text)."""
    cls = policy.classification(classification)
    head = next((m.phrase for m in cls.markings if m.phrase and _replaces(m)), policy.name)
    return f"{head} {cls.name}"


def _value_marking(tag_set: TagSet, name: str) -> str:
    value = tag_set.value(name)
    if value is None:
        return name
    marking = _default_marking(value.markings)
    if marking is None:
        return value.name
    if "noMarkingDisplay" in marking.codes:
        return ""
    if marking.phrase:
        return marking.phrase
    return "" if "noNameDisplay" in marking.codes else value.name


def _default_marking(markings: tuple[Marking, ...]) -> Marking | None:
    return next((m for m in markings if m.lang in (None, "en")), None)


def _replaces(marking: Marking) -> bool:
    return "replacePolicy" in marking.codes and marking.lang in (None, "en")
