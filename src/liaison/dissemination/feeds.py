"""A partner's feed: its releases in cursor order, each payload sanitised as its agreement demands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liaison.model.items import Item
from liaison.policy.obligations import sanitise
from liaison.storage.base import Store


@dataclass(frozen=True, slots=True)
class FeedEntry:
    cursor: int
    item: Item
    payload: Mapping[
        str, Any
    ]  # what the partner may see: the sanitised copy where obligations apply
    agreements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeedPage:
    partner: str
    entries: tuple[FeedEntry, ...]
    next: int  # resume with after=next: every later release exactly once


def read_feed(store: Store, partner: str, after: int = 0, limit: int = 100) -> FeedPage:
    rows = store.feed(partner, after, limit)
    entries = tuple(
        FeedEntry(
            release.cursor,
            item,
            item.payload
            if release.obligations.empty
            else sanitise(item.payload, release.obligations),
            release.agreements,
        )
        for release, item in rows
    )
    return FeedPage(partner, entries, entries[-1].cursor if entries else after)
