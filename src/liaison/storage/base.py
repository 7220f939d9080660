"""The storage protocol: SQLite now (`liaison.storage.sqlite`), PostgreSQL later.

Items, releases and policy versions are append-only. Everything a call writes is committed before
it returns, in one transaction: a batch is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from liaison.config import ConfigSource
from liaison.model.agreements import Obligations
from liaison.model.items import Item


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: int
    source: ConfigSource
    created: datetime


@dataclass(frozen=True, slots=True)
class Release:
    """A decision to release an item to a partner, as recorded. `cursor` orders a partner's feed."""

    partner: str
    item_id: str
    policy_version: int
    obligations: Obligations
    agreements: tuple[str, ...]
    cursor: int = 0  # assigned by the store


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record the hub refused, kept with its reason so nothing is silently lost."""

    feed: str
    source: str
    line: int
    reason: str
    raw: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Batch:
    items: Sequence[Item] = ()
    releases: Sequence[Release] = ()
    rejections: Sequence[Rejection] = ()


class Store(Protocol):
    def add_policy_version(
        self, source: ConfigSource, created: datetime, expected: int | None = None
    ) -> int: ...

    def latest_policy(self) -> PolicyVersion | None: ...

    def policy_version(self, version: int) -> PolicyVersion: ...

    def commit(self, batch: Batch) -> None: ...

    def item(self, item_id: str) -> Item | None: ...

    def item_digest(self, item_id: str) -> str | None: ...

    def items(self, after: int = 0, limit: int = 1000) -> list[tuple[int, Item]]: ...

    def feed(self, partner: str, after: int, limit: int) -> list[tuple[Release, Item]]: ...

    def rejections(self, feed: str | None = None, limit: int = 1000) -> list[Rejection]: ...

    def close(self) -> None: ...
