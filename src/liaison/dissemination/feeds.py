"""A partner's feed: its releases in cursor order, each payload sanitised as its agreement demands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liaison.dissemination.releaser import Releaser
from liaison.model.agreements import Obligations
from liaison.model.items import Item
from liaison.policy.obligations import sanitise
from liaison.storage.base import Store


@dataclass(frozen=True, slots=True)
class FeedEntry:
    cursor: int
    item: Item
    # What the partner may see: the sanitised copy where obligations apply.
    payload: Mapping[str, Any]
    agreements: tuple[str, ...]
    released: datetime | None = None
    # Recorded and current obligations merged: what anything derived from the item (its
    # positions, say) must obey too.
    obligations: Obligations = field(default_factory=Obligations)


@dataclass(frozen=True, slots=True)
class FeedPage:
    partner: str
    entries: tuple[FeedEntry, ...]
    next: int  # resume with after=next: every later release exactly once


def read_feed(
    store: Store,
    releaser: Releaser,
    partner: str,
    at: datetime,
    *,
    after: int = 0,
    limit: int = 100,
    area: str | None = None,
    kinds: Sequence[str] | None = None,
    released_after: datetime | None = None,
    newest: bool = False,
) -> FeedPage:
    """Releases recorded for the partner, each decided again as of `at` before it is delivered.

    A release recorded under an agreement that has since left force is withheld (its cursor is
    still passed, so resuming never repeats it); the copy obeys both the recorded obligations
    and the current ones.
    """
    rows = store.feed(
        partner, after, limit, area=area, kinds=kinds, released_after=released_after, newest=newest
    )
    entries = []
    for release, item in rows:
        now = releaser.decide(item, partner, at)
        if not now.allowed:
            continue
        obligations = release.obligations.merge(now.obligations)
        payload = item.payload if obligations.empty else sanitise(item.payload, obligations)
        entries.append(
            FeedEntry(
                release.cursor, item, payload, release.agreements, release.released, obligations
            )
        )
    last = max((release.cursor for release, _ in rows), default=after)
    return FeedPage(partner, tuple(entries), last)
