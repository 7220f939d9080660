"""TAXII 2.1 collections: what each partner may read, as STIX 2.1 objects, page by page.

A partner sees one read-only collection per area of cooperation it may receive in, and one
write-only inbox. A collection's objects are the partner's own releases in that area (reports,
indicators and maritime events; positions and tracks go by GeoJSON, CoT and the feeds), each
decided again at delivery and mapped from the partner's sanitised copy. `date_added` is the time
of the release, so `added_after` means "released to me after".

Pages are cut at release boundaries where possible; the `next` token is `<cursor>.<skip>`:
resume after that release cursor, skipping that many matching objects of the next release
(one release may map to more objects than the client's `limit`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liaison.config import HubConfig
from liaison.dissemination.feeds import FeedEntry, read_feed
from liaison.dissemination.releaser import Releaser
from liaison.dissemination.stix import item_to_stix, shared_objects
from liaison.errors import InputError, NotFound
from liaison.policy.labels_io import label_to_short
from liaison.storage.base import Store

TAXII_KINDS = ("report", "indicator", "event")
STIX_MEDIA = "application/stix+json;version=2.1"
SCAN = 500  # releases read per store query at most (a page's first query reads limit + 1)
MAX_SCAN = 20_000  # releases examined per request at most; beyond, `more` with a `next`
_NAMESPACE = uuid.UUID("0c7e4c3e-6f1d-4f0a-9d5e-7461786969aa")
_NEXT = re.compile(r"^([0-9]{1,18})\.([0-9]{1,9})$")
_SELECTORS = ("first", "last", "all")


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    title: str
    description: str
    area: str | None  # None: the inbox
    can_read: bool
    can_write: bool

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": [STIX_MEDIA],
        }


@dataclass(frozen=True, slots=True)
class Match:
    """The `match[...]` filters; None: no filter on that property."""

    types: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    versions: frozenset[str] = frozenset({"last"})
    spec_versions: frozenset[str] | None = None

    def accepts(self, obj: Mapping[str, Any]) -> bool:
        if self.types is not None and obj.get("type") not in self.types:
            return False
        if self.ids is not None and obj.get("id") not in self.ids:
            return False
        if self.spec_versions is not None and obj.get("spec_version") not in self.spec_versions:
            return False
        # Every object the hub serves has exactly one version (items are immutable), so it is
        # its own first, last and all; a timestamp selects it only if it is that version.
        return bool(self.versions & set(_SELECTORS)) or version_of(obj) in self.versions


@dataclass(frozen=True, slots=True)
class Record:
    object: Mapping[str, Any]
    date_added: datetime

    @property
    def version(self) -> str:
        return version_of(self.object)


@dataclass(frozen=True, slots=True)
class Page:
    records: tuple[Record, ...]
    more: bool
    next: str | None


def collection_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


def collections(config: HubConfig, partner: str) -> list[Collection]:
    """The areas the partner may receive in (its agreements' areas, its own feeds' areas)."""
    areas: set[str] = {f.area for f in config.feeds if f.originator == partner}
    for agreement in config.agreements:
        if partner in agreement.parties:
            areas |= set(agreement.areas)
    out = [
        Collection(
            collection_id(f"area:{area}"),
            f"{area} ({partner})",
            f"Reports, indicators and maritime events in {area} released to {partner}.",
            area,
            can_read=True,
            can_write=False,
        )
        for area in config.areas
        if area in areas
    ]
    out.append(
        Collection(
            collection_id("inbox"),
            f"Inbox ({partner})",
            f"STIX 2.1 objects {partner} publishes to the hub: labelled from their markings, "
            "released by the hub's rules.",
            None,
            can_read=False,
            can_write=True,
        )
    )
    return out


def find_collection(config: HubConfig, partner: str, wanted: str) -> Collection:
    found = next((c for c in collections(config, partner) if c.id == wanted), None)
    if found is None:
        raise NotFound(f"no collection {wanted!r} for {partner}")
    return found


def parse_next(token: str | None) -> tuple[int, int]:
    if token is None:
        return 0, 0
    m = _NEXT.match(token)
    if m is None:
        raise InputError("next", "not a token this server gave (expected <cursor>.<skip>)")
    return int(m[1]), int(m[2])


def version_of(obj: Mapping[str, Any]) -> str:
    return str(obj.get("modified") or obj.get("created") or "")


def objects(
    store: Store,
    releaser: Releaser,
    config: HubConfig,
    partner: str,
    collection: Collection,
    *,
    at: datetime,
    added_after: datetime | None,
    match: Match,
    limit: int,
    next_token: str | None,
) -> Page:
    """One page of the collection's objects, oldest release first."""
    area = collection.area
    if area is None:
        raise NotFound(f"collection {collection.id} is an inbox: it is written, not read")
    after, skip = parse_next(next_token)
    out: list[Record] = []
    sent: set[tuple[str, str]] = set()
    scan = min(limit + 1, SCAN)  # most releases give one object: read about a page's worth
    for _ in range(0, MAX_SCAN, SCAN):
        start = after
        page = read_feed(
            store, releaser, partner, at, after=after, limit=scan, area=area, kinds=TAXII_KINDS,
            released_after=added_after,
        )  # fmt: skip
        scan = SCAN
        if page.next == start:  # the store had nothing after `start`
            return Page(tuple(out), False, None)
        for entry in page.entries:
            # The creator's identity and the marking definitions go with each item, once a page.
            found = [
                (n, o)
                for n, o in enumerate(o for o in _stix(entry, config) if match.accepts(o))
                if n >= skip and (o["id"], version_of(o)) not in sent
            ]
            skip = 0
            room = limit - len(out)
            if len(found) > room:
                # This release does not fit whole: resume inside it.
                out += [Record(o, _added(entry)) for _, o in found[:room]]
                return Page(tuple(out), True, f"{after}.{found[room - 1][0] + 1}")
            out += [Record(o, _added(entry)) for _, o in found]
            sent |= {(o["id"], version_of(o)) for _, o in found}
            after = entry.cursor
            if len(out) == limit:
                more = bool(
                    store.feed(
                        partner, after, 1, area=area, kinds=TAXII_KINDS, released_after=added_after
                    )
                )
                return Page(tuple(out), more, f"{after}.0" if more else None)
        after = page.next  # past releases withheld at delivery, too
    # Examined enough for one request: the client asks again from here.
    return Page(tuple(out), True, f"{after}.0")


def _added(entry: FeedEntry) -> datetime:
    if entry.released is None:  # every release the store returns has its time
        raise NotFound(f"release of {entry.item.id} has no release time")
    return entry.released


def _stix(entry: FeedEntry, config: HubConfig) -> list[dict[str, Any]]:
    """The item's objects, after what they refer to (its creator, its markings)."""
    item = entry.item
    objects = item_to_stix(
        item,
        entry.payload,
        marking := label_to_short(item.label, config.policy),
        tlp := config.taxii.tlp_for(item.label),
    )
    return [*shared_objects(item, marking, tlp), *objects] if objects else []
