"""The composition root: builds the store, the policy and the release engine, and runs the acts.

Nothing global: a `Hub` is made from a store and a clock, and everything else comes from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison.audit import entries
from liaison.audit.heads import default_key_path, load_key
from liaison.audit.log import AuditLog
from liaison.codec import item_digest
from liaison.config import ConfigSource, HubConfig, parse_config
from liaison.dissemination.feeds import FeedPage, read_feed
from liaison.dissemination.releaser import Releaser
from liaison.dissemination.router import route
from liaison.errors import Conflict, InputError, LabelError, NotFound, NotInitialised
from liaison.governance.model import Proposal
from liaison.governance.procedure import Governance
from liaison.ingest.ais_stream import AisStream, AisSummary
from liaison.ingest.reports import ReportContext, parse_report
from liaison.ingest.sniff import printable
from liaison.maritime.detectors import default_detectors
from liaison.maritime.region import load_region
from liaison.model.feeds import Feed
from liaison.model.items import Item
from liaison.policy.dominance import dominant_label
from liaison.policy.engine import Clock, Decision, ReleaseEngine, utc_now
from liaison.policy.obligations import sanitise
from liaison.storage.base import Batch, PolicyVersion, Rejection, Store
from liaison.storage.open import open_store

Progress = Callable[[int, int], None]  # (records since the last call, rejections so far)


@dataclass(slots=True)
class IngestSummary:
    stored: int = 0
    duplicates: int = 0
    releases: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # of the items stored or found already stored

    @property
    def rejected(self) -> int:
        return len(self.rejections)


class Hub:
    def __init__(
        self, store: Store, clock: Clock = utc_now, audit_key: Ed25519PrivateKey | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.audit = AuditLog(store, audit_key)
        self._loaded: tuple[PolicyVersion, HubConfig, ReleaseEngine] | None = None
        self._watchers: list[Callable[[], None]] = []

    def watch(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` after every commit that releases something; returns the way to stop.

        Live streams wait on this instead of polling the store; the callback runs in the
        committing thread, so it must only hand the news over (e.g. call_soon_threadsafe)."""
        self._watchers.append(callback)
        return lambda: self._watchers.remove(callback)

    def notify(self) -> None:
        """Wake every watcher (after a commit; when the server stops)."""
        for callback in list(self._watchers):
            callback()

    @classmethod
    def open(cls, db: str | Path, clock: Clock = utc_now, audit_key: Path | None = None) -> Hub:
        """The hub on the store at `db`; it signs audit heads with the key file beside the store
        (`<db>.audit-key`, or `audit_key`) when there is one."""
        path = audit_key or default_key_path(db)
        key = load_key(path) if audit_key is not None or path.exists() else None
        return cls(open_store(db), clock, key)

    @property
    def governance(self) -> Governance:
        return Governance(self.store, self.clock, self._passed)

    def _passed(self, proposal: Proposal) -> None:
        """A proposal passed: with `apply_to_existing`, release the backlog under the new
        version (what was released before stays; nothing is recalled)."""
        if not proposal.apply_to_existing:
            return
        after = 0
        while page := self.store.items(after, 500):
            after = page[-1][0]
            items = [item for _, item in page]
            releaser = self.releaser
            now = self.clock()
            routed = route(releaser, items, now)
            new = [r for r in routed.releases if self.store.release(r.partner, r.item_id) is None]
            fresh = {(r.partner, r.item_id) for r in new}
            decided = [
                e for e in routed.decisions if (e.partner, e.item_id) in fresh
            ]  # the decisions that release something new
            if new:
                self.store.commit(Batch([], new, audit=decided))
                self.notify()

    def deny(self, partner: str, asked: str, reason: str) -> None:
        """Log that a partner asked for what it may not have (the refusal itself is the caller's)."""
        self.store.log([entries.denied(partner, asked, reason, self.clock())])

    def close(self) -> None:
        self.store.close()

    # --- policy -----------------------------------------------------------------------------

    def initialise(self, source: ConfigSource) -> int:
        """Store the configuration as policy version 1, after checking all of it."""
        parse_config(source)
        try:
            return self.store.add_policy_version(source, self.clock(), expected=1)
        except Conflict:
            current = self.store.latest_policy()
            version = current.version if current else "?"
            raise Conflict(f"the store is already initialised (policy version {version})") from None

    def _load(self) -> tuple[PolicyVersion, HubConfig, ReleaseEngine]:
        # A new policy version (a proposal passed, here or in another process) replaces the
        # whole triple at once: no decision ever sees half a change.
        if self._loaded is None or self._loaded[0].version != self.store.policy_head():
            version = self.store.latest_policy()
            if version is None:
                raise NotInitialised(
                    "the store holds no policy yet: run `liaison init --db PATH` first"
                )
            config = parse_config(version.source)
            engine = ReleaseEngine(
                config.policy, config.partners, config.agreements, version.version, self.clock
            )
            self._loaded = (version, config, engine)
        return self._loaded

    @property
    def config(self) -> HubConfig:
        return self._load()[1]

    @property
    def engine(self) -> ReleaseEngine:
        return self._load()[2]

    @property
    def policy_version(self) -> int:
        return self._load()[0].version

    # --- acts -------------------------------------------------------------------------------

    def ingest_reports(
        self,
        feed_id: str,
        lines: Iterable[str],
        source: str,
        batch_size: int = 500,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Store every good line, quarantine every bad one; each batch commits whole."""
        config = self.config
        feed = self._feed(feed_id)
        summary = IngestSummary()
        for chunk in _chunks(enumerate(lines, start=1), batch_size):
            items: dict[str, Item] = {}
            releaser = Releaser(self.engine, self._lookup(items))
            now = self.clock()
            ctx = ReportContext(
                feed, config.policy, config.areas, [p.id for p in config.partners], now
            )
            rejections: list[Rejection] = []
            for number, line in chunk:
                if not line.strip():
                    continue
                where = f"{source}:{number}"
                try:
                    report = parse_report(line, where, ctx)
                    item = self._derive(report.item, releaser, feed.originator)
                    if self._is_duplicate(item, report.timed, items, where):
                        summary.duplicates += 1
                    else:
                        items[item.id] = item
                    summary.ids.append(item.id)
                except InputError as exc:
                    rejections.append(
                        Rejection(feed_id, source, number, exc.reason, printable(line), now)
                    )
            routed = route(releaser, items.values(), now)
            releases = routed.releases
            audit = [entries.ingested(i, now) for i in items.values()] + routed.decisions
            self.store.commit(Batch(list(items.values()), releases, rejections, audit=audit))
            if releases:
                self.notify()
            summary.stored += len(items)
            summary.releases += len(releases)
            summary.rejections.extend(rejections)
            if progress is not None:
                progress(len(chunk), summary.rejected)
        return summary

    def ais_stream(
        self, feed_id: str, source: str, *, live: bool = False, region: Path | None = None
    ) -> AisStream:
        """A stream of NMEA lines on an AIS feed; call `add` per line, `commit` now and then, `close` at the end."""
        feed = self._feed(feed_id)
        return AisStream(
            store=self.store,
            engines=lambda: self.engine,
            feed=feed,
            detectors=default_detectors(load_region(region)),
            source=source,
            clock=self.clock,
            live=live,
            on_commit=self.notify,
        )

    def ingest_ais(
        self,
        feed_id: str,
        lines: Iterable[str],
        source: str,
        *,
        batch_lines: int = 5000,
        progress: Progress | None = None,
        region: Path | None = None,
    ) -> AisSummary:
        stream = self.ais_stream(feed_id, source, region=region)
        count = reported = 0
        for number, line in enumerate(lines, start=1):
            stream.add(line, number)
            count += 1
            if count >= batch_lines:
                stream.commit()
                count = 0
                if progress is not None:
                    progress(stream.summary.messages - reported, stream.summary.rejected)
                    reported = stream.summary.messages
        summary = stream.close()
        if progress is not None:
            progress(summary.messages - reported, summary.rejected)
        return summary

    def _feed(self, feed_id: str) -> Feed:
        config = self.config
        feed = config.feed(feed_id)
        if feed is None:
            raise NotFound(f"no feed {feed_id!r} (feeds: {', '.join(f.id for f in config.feeds)})")
        return feed

    def _lookup(self, pending: dict[str, Item]) -> Callable[[str], Item | None]:
        """Items of the batch being ingested first, then the store."""
        return lambda item_id: pending.get(item_id) or self.store.item(item_id)

    def _derive(self, item: Item, releaser: Releaser, originator: str) -> Item:
        """An item citing sources takes their dominant label and joins their originators.

        A source the feed's originator may not see is "not stored" to it: the same answer as
        for an id that does not exist, so citing cannot probe for items.
        """
        if not item.sources:
            return item
        found = []
        for source_id in item.sources:
            source = releaser.lookup(source_id)
            if source is None or not releaser.decide(source, originator).allowed:
                raise InputError("", f"source {source_id!r} is not stored")
            found.append(source)
        policy = self.config.policy
        try:
            label = dominant_label([item.label, *(s.label for s in found)], policy)
        except LabelError as exc:
            raise InputError("", str(exc)) from None
        originators = item.originators.union(*(s.originators for s in found))
        return replace(item, label=label, originators=originators)

    def _is_duplicate(self, item: Item, timed: bool, pending: dict[str, Item], where: str) -> bool:
        """The same id again: a duplicate if the content is the same, else a conflict."""
        first = pending.get(item.id) or self.store.item(item.id)
        if first is None:
            return False
        if not timed:
            # The same report without a time, read again later, differs only in its ingest time.
            item = replace(item, time=first.time)
        if item_digest(first) != item_digest(item):
            raise InputError(where, f"id {item.id!r} is already stored with different content")
        return True

    def item(self, item_id: str) -> Item:
        item = self.store.item(item_id)
        if item is None:
            raise NotFound(f"no item {item_id!r}")
        return item

    @property
    def releaser(self) -> Releaser:
        return Releaser(self.engine, self.store.item)

    def decide(self, item_id: str, partner: str) -> Decision:
        return self.releaser.decide(self.item(item_id), self._partner(partner))

    def feed(self, partner: str, after: int = 0, limit: int = 100) -> FeedPage:
        partner = self._partner(partner)
        return read_feed(self.store, self.releaser, partner, self.clock(), after=after, limit=limit)

    def events(
        self, event_type: str | None = None, partner: str | None = None, limit: int = 1000
    ) -> list[tuple[Item, Mapping[str, Any]]]:
        """Events, newest first; with `partner`, only those it may have now, as it sees them."""
        if partner is None:
            return [(item, item.payload) for _, item in self.store.events(event_type, None, limit)]
        partner = self._partner(partner)
        now = self.clock()
        out: list[tuple[Item, Mapping[str, Any]]] = []
        for _, item in self.store.events(event_type, partner, limit):
            decision = self.releaser.decide(item, partner, now)
            release = self.store.release(partner, item.id)
            if decision.allowed and release is not None:
                # The terms it was released under hold as well as today's (as in its feed).
                obligations = release.obligations.merge(decision.obligations)
                payload = item.payload if obligations.empty else sanitise(item.payload, obligations)
                out.append((item, payload))
        return out

    def _partner(self, partner: str) -> str:
        if self.config.partner(partner) is None:
            known = ", ".join(p.id for p in self.config.partners)
            raise NotFound(f"no partner {partner!r} (partners: {known})")
        return partner


def _chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for entry in numbered:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
