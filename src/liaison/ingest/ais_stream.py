"""An AIS stream into the hub: decode, track, detect, label, store, release, in batches.

Position reports are stored compactly: each committed batch becomes ONE item of kind `position`
(labelled and released like any item: one decision per partner per batch, not per message) and
its fixes go to the append-only `positions` table under that item's id. Events are items of kind
`event`, citing the position items they were found in, with those items' dominant label.

Time: a message's own time comes from its tag block or a vendor time stamp. Live sources stamp
untimed messages with their time of receipt; in a file that time means nothing, so untimed fixes
from files are stored but kept from the detectors (they would fake jumps and gaps).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from liaison.audit import entries
from liaison.codec import canonical_json, format_unix
from liaison.dissemination.releaser import Releaser
from liaison.dissemination.router import route
from liaison.errors import StoreUnavailable
from liaison.ingest.sniff import printable
from liaison.maritime.ais import AisDecoder, AisMessage, AisRejection
from liaison.maritime.detectors import Detector, Event
from liaison.maritime.nmea import Reason
from liaison.maritime.picture import POSITION_TYPES, Picture
from liaison.maritime.tracks import Fix
from liaison.maritime.vessels import VesselRegistry
from liaison.model.feeds import Feed
from liaison.model.items import Item
from liaison.policy.dominance import dominant_label
from liaison.policy.engine import Clock, ReleaseEngine
from liaison.storage.base import Batch, Rejection, Store, VesselTrack

SHOWN_REJECTIONS = 1000
FUTURE_TOLERANCE_S = 300.0
_EVENT_NAMESPACE = uuid.UUID("0b7e7f0e-8a51-4c0e-9a3f-6576656e7473")


@dataclass(slots=True)
class AisSummary:
    lines: int = 0
    messages: int = 0
    positions: int = 0
    untimed: int = 0
    late: int = 0
    events: Counter[str] = field(default_factory=Counter)
    releases: int = 0
    rejected: int = 0
    # The first rejections, to show; all of them are in the quarantine table. Capped so that a
    # stream of garbage cannot grow memory.
    rejections: list[Rejection] = field(default_factory=list)


class AisStream:
    def __init__(
        self,
        *,
        store: Store,
        engines: Callable[[], ReleaseEngine],
        feed: Feed,
        detectors: list[Detector],
        source: str,
        clock: Clock,
        live: bool = False,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.on_commit = on_commit
        # The engine of the current policy version, taken afresh for each batch: a proposal
        # that passes while a listener runs applies from the next batch on.
        self.engines = engines
        self.engine = engines()
        self.feed = feed
        self.source = source
        self.clock = clock
        self.live = live
        self.decoder = AisDecoder()
        self.vessels = VesselRegistry()
        self.picture = Picture(detectors)
        self.summary = AisSummary()
        self._fixes: list[Fix] = []
        self._events: list[Event] = []
        self._rejections: list[Rejection] = []
        self._touched: set[int] = set()
        self._said: set[int] = set()  # vessels whose static data arrived in this batch
        self._batch_id = _new_batch_id()
        self._unsure = False  # a commit failed: it may have gone through all the same
        self._offsets: dict[str, int] = {}  # of the pending batch, for whichever commit stores it

    # --- input -----------------------------------------------------------------------------

    def add(self, line: str, line_no: int) -> None:
        self.summary.lines += 1
        for out in self.decoder.feed(line, line_no):
            if isinstance(out, AisRejection):
                self._reject(out)
            else:
                self._message(out)

    def _message(self, msg: AisMessage) -> None:
        self.summary.messages += 1
        if msg.msg_type in (5, 19, 24):
            self.vessels.update(msg)
            self._touched.add(msg.mmsi)
            self._said.add(msg.mmsi)
        if msg.msg_type not in POSITION_TYPES or msg.lat is None or msg.lon is None:
            return
        timed = msg.time is not None
        now = self.clock().timestamp()
        when = msg.time.timestamp() if msg.time is not None else now
        if self.live and when > now + FUTURE_TOLERANCE_S:
            # A receiver whose clock runs ahead would drag the reorder window with it: every
            # later report would look late. Refused, with its reason, like any bad line.
            raw = "\n".join(msg.sentences)
            self._reject(AisRejection(msg.line_no, Reason.FUTURE_TIME, raw))
            return
        fix = Fix(msg.mmsi, when, msg.lat, msg.lon, msg.sog, msg.cog, msg.heading, self._batch_id)
        self._fixes.append(fix)
        self._touched.add(msg.mmsi)
        self.summary.positions += 1
        if timed or self.live:
            self._events += self.picture.add(fix)
        else:
            self.summary.untimed += 1

    def _reject(self, r: AisRejection) -> None:
        self._rejections.append(
            Rejection(
                self.feed.id, self.source, r.line_no, str(r.reason), printable(r.raw), self.clock()
            )
        )

    # --- output ----------------------------------------------------------------------------

    def close(self) -> AisSummary:
        """End of input: orphan fragments become rejections, open episodes become events."""
        for r in self.decoder.flush():
            self._reject(r)
        self._events += self.picture.finish()
        self.commit()
        return self.summary

    def commit(self, offsets: Mapping[str, int] | None = None) -> int:
        """Store what has arrived since the last commit, in one transaction (with `offsets`:
        how far bus consumers got). Returns releases made."""
        # Offsets given to a commit that failed belong to the same pending batch: whichever
        # commit stores it (a retry, or close) stores them with it.
        offsets = {**self._offsets, **(offsets or {})}
        self._offsets = offsets
        if not (self._fixes or self._events or self._rejections or self._touched):
            return 0
        if self._unsure and self.store.item_digest(self._batch_id) is not None:
            # The last attempt committed, and only its acknowledgement was lost.
            self._done()
            return 0
        now = self.clock()
        items: dict[str, Item] = {}
        if self._fixes or self._said:
            batch = self._position_item(self._fixes)
            items[batch.id] = batch
        self.engine = self.engines()
        releaser = Releaser(self.engine, lambda i: items.get(i) or self.store.item(i))
        for event in self._events:
            item = self._event_item(event, releaser)
            if self.store.item_digest(item.id) is None:
                items[item.id] = item
        routed = route(releaser, items.values(), now)
        releases = routed.releases
        audit = [
            entries.ingested(i, now, self._fixes)
            if i.kind == "position"
            else entries.derived(i, now)
            for i in items.values()
        ]
        try:
            self.store.commit(
                Batch(
                    list(items.values()), releases, self._rejections, self._fixes, self._tracks(),
                    audit + routed.decisions, offsets,
                )
            )  # fmt: skip
        except StoreUnavailable:
            # Nothing is dropped: the batch stays pending, and the next commit tries it again
            # (first asking whether this attempt in fact went through).
            self._unsure = True
            raise
        if releases and self.on_commit is not None:
            self.on_commit()
        self.summary.releases += len(releases)
        self._done()
        return len(releases)

    def _done(self) -> None:
        """The pending batch is stored: count it, and start the next."""
        for event in self._events:
            self.summary.events[event.type] += 1
        self.summary.rejected += len(self._rejections)
        room = SHOWN_REJECTIONS - len(self.summary.rejections)
        self.summary.rejections += self._rejections[: max(room, 0)]
        self.summary.late = self.picture.tracker.late
        self._fixes, self._events, self._rejections = [], [], []
        self._touched, self._said = set(), set()
        self._batch_id = _new_batch_id()
        self._unsure = False
        self._offsets = {}

    def _position_item(self, fixes: list[Fix]) -> Item:
        """The batch as an item: a summary of its fixes (stored beside it), and the static data
        (name, call sign, type) that arrived in it — a partner learns a vessel's name only from
        a batch released to it."""
        payload: dict[str, Any] = {"count": len(fixes), "vessels": len({f.mmsi for f in fixes})}
        end = self.clock().timestamp()
        if fixes:
            lats, lons = [f.lat for f in fixes], [f.lon for f in fixes]
            start, end = min(f.time for f in fixes), max(f.time for f in fixes)
            payload |= {
                "start": format_unix(start),
                "end": format_unix(end),
                "bbox": [min(lons), min(lats), max(lons), max(lats)],
            }
        statics = [self._static(m) for m in sorted(self._said)]
        if statics:
            payload["statics"] = statics
        return Item(
            self._batch_id, "position", frozenset({self.feed.originator}), self.feed.area,
            self.feed.label, _utc(end), payload, (), self.feed.id,
        )  # fmt: skip

    def _static(self, mmsi: int) -> dict[str, Any]:
        known = self.vessels.lookup(mmsi)
        if known is None:
            return {"mmsi": mmsi}
        said = {
            "name": known.name,
            "callsign": known.callsign,
            "imo": known.imo,
            "ship_type": known.ship_type,
        }
        return {"mmsi": mmsi} | {k: v for k, v in said.items() if v is not None}

    def _event_item(self, event: Event, releaser: Releaser) -> Item:
        sources = sorted(event.sources)
        found = [s for s in (releaser.lookup(i) for i in sources) if s is not None]
        label = dominant_label([s.label for s in found] or [self.feed.label], self.engine.policy)
        originators: frozenset[str] = frozenset().union(*(s.originators for s in found))
        payload: dict[str, Any] = {
            "type": event.type,
            "mmsi": list(event.mmsis),
            "names": [self._name(m) for m in event.mmsis],
            "start": format_unix(event.start),
            "end": format_unix(event.end),
            "position": {"lat": round(event.lat, 6), "lon": round(event.lon, 6)},
            **event.details,
        }
        key = canonical_json(
            [self.feed.id, event.type, event.mmsis, event.start, event.end, sources, event.details]
        )
        item_id = f"event--{uuid.uuid5(_EVENT_NAMESPACE, key)}"
        return Item(
            item_id, "event", originators or frozenset({self.feed.originator}), self.feed.area, label, _utc(event.end),
            payload, tuple(sources), self.feed.id,
        )  # fmt: skip

    def _name(self, mmsi: int) -> str | None:
        static = self.vessels.lookup(mmsi)
        return None if static is None else static.name

    def _tracks(self) -> list[VesselTrack]:
        """This batch's news per vessel: its newest fix (released or still in the reorder
        window) and how many fixes arrived; the store merges it with what it holds."""
        newest: dict[int, Fix] = {}
        counts: dict[int, int] = {}
        for f in self._fixes:
            counts[f.mmsi] = counts.get(f.mmsi, 0) + 1
            if f.mmsi not in newest or f.time >= newest[f.mmsi].time:
                newest[f.mmsi] = f
        out = []
        for mmsi in sorted(self._touched):
            track = self.picture.tracker.tracks.get(mmsi)
            candidates = [
                f for f in (newest.get(mmsi), track.last if track else None) if f is not None
            ]
            if not candidates:
                continue  # static data alone: kept until the vessel's first position
            last = max(candidates, key=lambda f: f.time)
            static = self.vessels.lookup(mmsi)
            out.append(
                VesselTrack(
                    feed=self.feed.id, mmsi=mmsi, time=last.time, lat=last.lat, lon=last.lon,
                    sog=last.sog, cog=last.cog, heading=last.heading, fixes=counts.get(mmsi, 0),
                    name=static.name if static else None,
                    callsign=static.callsign if static else None,
                    ship_type=static.ship_type if static else None,
                )
            )  # fmt: skip
        return out


def _new_batch_id() -> str:
    return f"positions--{uuid.uuid4()}"


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)
