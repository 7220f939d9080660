"""Check a store's audit log from scratch: leaves, nodes and signed heads recomputed from the
entries (read in pages), every act (item, release, policy, token, proposal, act on a proposal)
against its entry. A changed body shows at its entry; a changed leaf, a moved or inserted entry at
the lowest Merkle node over it that no longer matches, named by its first entry (of a level-1 node,
entries i and i+1: which one is not knowable). Past a missing entry the tree cannot be rebuilt."""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from liaison.audit import entries
from liaison.audit import heads as signing
from liaison.audit.entries import TYPES, AuditRecord, messages_root, payload_sha256
from liaison.audit.merkle import Frontier, Node, leaf_hash
from liaison.codec import format_time, item_digest
from liaison.errors import LiaisonError, NotFound
from liaison.governance.changes import parse_change
from liaison.model.items import Item
from liaison.policy.obligations import sanitise
from liaison.storage.base import Store

PAGE = 10_000


@dataclass(frozen=True, slots=True)
class Finding:
    index: int | None  # the audit entry concerned (None: not tied to one entry)
    what: str  # a sentence: what does not match, and where


@dataclass(frozen=True, slots=True)
class Report:
    entries: int  # rows in the log
    heads: int  # signed heads stored
    heads_checked: int  # signatures checked (none without a public key)
    root: bytes  # recomputed from the stored leaves
    findings: tuple[Finding, ...]  # by entry index; those tied to no entry last
    omitted: int = 0  # findings beyond `limit_findings`, not kept
    notes: tuple[str, ...] = ()  # what was not checked, and why (not findings)

    @property
    def ok(self) -> bool:
        return not self.findings and not self.omitted


class _Findings(list[tuple[tuple[int, int, int], Finding]]):  # a max-heap of negated keys
    """The `limit` findings with the lowest indices."""

    def __init__(self, limit: int) -> None:  # the list starts empty all the same
        self.limit, self.total = limit, 0

    def add(self, index: int | None, what: str) -> None:
        self.total += 1
        heapq.heappush(self, ((-(index is None), -(index or 0), -self.total), Finding(index, what)))
        if len(self) > self.limit:
            heapq.heappop(self)


class _Tree:
    """Rebuilds the tree over the stored leaves; checks the node table and the signed heads."""

    def __init__(self, store: Store, found: _Findings, heads: list[signing.SignedHead]) -> None:
        self.store, self.add, self.heads = store, found.add, heads
        self.frontier, self.pending = Frontier(), list[Node]()  # pending: nodes not yet compared
        self.broken: int | None = None  # the first missing entry
        self.run: list[int] | None = None  # start, end, level, index, nodes, missing
        self.next_head = self.good_head = 0  # good: the size of the last head that matched
        self.check_heads()

    def check_heads(self) -> None:
        while self.broken is None and self.next_head < len(self.heads):
            if (head := self.heads[self.next_head]).size > self.frontier.size:
                return
            self.next_head += 1
            if head.size == self.frontier.size and self.frontier.root() == head.root:
                self.good_head = head.size
            else:
                self.add(None, f"the signed head at size {head.size} ({format_time(head.time)}) "
                         f"does not match entries {self.good_head} to {head.size - 1}, or it changed")  # fmt: skip

    def check_nodes(self, broken: int | None = None) -> None:  # those completed since last time
        pending, self.pending = self.pending if self.broken is None else [], []
        self.broken = broken if self.broken is None else self.broken
        last = {n.level: n.index for n in pending}  # a level's nodes complete in index order
        first = {n.level: n.index for n in reversed(pending)}
        stored = {(level, i): h for level in last
                  for i, h in self.store.audit_nodes(level, first[level], last[level] + 1)}  # fmt: skip
        for n in (n for n in pending if stored.get((n.level, n.index)) != n.hash):
            start, end, run = n.index << n.level, (n.index + 1) << n.level, self.run
            if run is not None and start <= run[0]:
                continue  # an ancestor of the run's nodes: explained by them
            if run is not None and start <= run[1]:  # adjacent: the same run
                run[1], run[4] = max(run[1], end), run[4] + 1
                continue
            self.flush()
            self.run = [start, end, n.level, n.index, 1, int((n.level, n.index) not in stored)]

    def flush(self) -> None:
        if self.run is None:
            return
        start, end, level, index, count, missing = self.run
        span, node = f"entries {start} to {end - 1}", f"Merkle node ({level}, {index})"
        what = (f"the {node} over {span} is missing" if missing and count == 1 else f"{span} do "
                f"not hash to the {node}" + (f" and {count - 1} after it" if count > 1 else ""))  # fmt: skip
        self.add(start, f"{what}: entries were changed, moved, inserted or removed, or nodes")
        self.run = None

    def finish(self) -> list[str]:  # once every entry is read; notes on what went unchecked
        self.check_nodes()
        self.flush()
        size, left = self.frontier.size, self.heads[self.next_head :]
        if self.broken is not None:
            return [f"past entry {self.broken} the tree is lost: {len(left)} heads not checked"]
        for head in left:
            self.add(size, f"the signed head at size {head.size} covers entries the log no "
                     f"longer holds (from entry {size} on): they were removed")  # fmt: skip
        for level, count, low, high in self.store.audit_node_levels():
            want = size >> level if level > 0 else 0
            if (count, low, high) != (want, 0, want - 1):
                self.add(size if high >= want else None, f"the node table holds {count} nodes "
                         f"({low} to {high}) at level {level}, a log of {size} entries has {want}")  # fmt: skip
        return []


class _Acts:  # what the entries say was done, to check against what the store holds
    def __init__(self, store: Store, found: _Findings) -> None:
        self.store, self.add = store, found.add
        self.items: dict[str, tuple[int, str, str | None]] = {}  # index, sha256, messages root
        self.decisions: dict[Any, tuple[int]] = {}  # items decided before an entry stored them
        # By (partner, cursor): the partner's own cursor (the hub's global one for entries
        # logged before per-partner cursors, up to `global_cursors_until`).
        self.releases: dict[tuple[str, int], tuple[int, str, str, str, int]] = {}
        self.policies: dict[int, tuple[int, str, str]] = {}  # by version
        self.tokens: dict[tuple[str, str], tuple[int, str, str]] = {}  # by (token, event)
        self.proposals: dict[str, tuple[int, dict[str, Any]]] = {}  # by id: index, body
        # The acts on proposals, by (proposal, act, member, version, time, reason): the indices
        # of the entries logging them, in log order (one act could in principle repeat).
        self.acts: dict[tuple[Any, ...], deque[int]] = defaultdict(deque)
        self._item: Item | None = None

    def entry(self, rec: AuditRecord) -> None:
        i, where = rec.index, f"entry {rec.index} ({rec.type})"
        if leaf_hash(rec.body) != rec.leaf:
            self.add(i, f"{where}: its body does not hash to its leaf: one of them was changed")
        try:
            data = json.loads(rec.body.decode("utf-8"))
            kind = data["type"]
            item = data["item"] if kind in ("ingested", "derived", "decided", "released") else None
            partner = data["partner"] if kind in ("decided", "released", "denied") else None
            partner = data["holder"] if kind == "token" and data["role"] == "partner" else partner
            if (rec.type, rec.item_id, rec.partner) != (kind, item, partner):
                self.add(i, f"{where}: its columns {(rec.type, rec.item_id, rec.partner)} do "
                         f"not match its body's {(kind, item, partner)}")  # fmt: skip
            if kind in ("ingested", "derived"):
                self._once(self.items, item, i, data["sha256"], data.get("messages_root"))
            elif kind == "decided" and item not in self.items:
                self.decisions.setdefault(item, (i,))
            elif kind == "released":
                sha, version = data["payload_sha256"], data["policy_version"]
                key = (partner, data["cursor"])
                self._once(self.releases, key, i, partner, item, sha, version)
            elif kind == "policy":
                self._once(self.policies, data["version"], i, data["config_sha256"], data["name"])
            elif kind == "token" and data["event"] in ("issued", "revoked"):
                key = (data["token"], data["event"])
                self._once(self.tokens, key, i, data["holder"], data["role"])
            elif kind == "proposal":
                self._once(self.proposals, data["proposal"], i, data)
            elif kind == "governance":
                act = (data["proposal"], data["act"], data["member"], data["version"])
                self.acts[(*act, data["time"], data["reason"])].append(i)
            elif kind not in TYPES or kind == "token":
                self.add(i, f"{where}: no act makes an entry of this type with these fields")
        except (KeyError, TypeError, ValueError) as exc:  # UnicodeError, JSONDecodeError too
            self.add(i, f"{where}: its body is malformed ({exc!r})")

    def _once(self, table: dict[Any, Any], key: object, i: int, *rest: object) -> None:
        if (first := table.setdefault(key, (i, *rest)))[0] != i:
            self.add(i, f"entry {i} logs {key!r} again; entry {first[0]} did first")

    def items_(self) -> None:
        after = 0
        while page := self.store.items(after, 1000):
            for after, item in page:  # `after`: the next page's cursor
                self.decisions.pop(item.id, None)
                if (logged := self.items.pop(item.id, None)) is None:
                    self.add(None, f"item {item.id} (seq {after}) has no ingested or derived entry")
                    continue
                i, sha, root = logged
                if sha != (digest := item_digest(item)):
                    self.add(i, f"entry {i} logs item {item.id} with sha256 {sha[:16]}…, "
                             f"the item stored hashes to {digest[:16]}…")  # fmt: skip
                if item.kind == "position" or root is not None:
                    fixes = self.store.positions(item.id)
                    if (got := messages_root(fixes).hex() if fixes else None) != root:
                        self.add(i, f"entry {i} logs the messages of item {item.id} as "
                                 f"{root}, its {len(fixes)} positions stored give {got}")  # fmt: skip

    def releases_(self) -> None:
        after, until = 0, self.store.global_cursors_until()
        while page := self.store.releases_page(after, PAGE):
            for r in page:
                after, what = r.seq, f"release {r.cursor} (item {r.item_id} to {r.partner})"
                logged_as = r.seq if r.seq <= until else r.cursor
                if (logged := self.releases.pop((r.partner, logged_as), None)) is None:
                    self.add(None, f"{what} has no released entry")
                    continue
                i, partner, item_id, sha, version = logged
                if (partner, item_id, version) != (r.partner, r.item_id, r.policy_version):
                    self.add(i, f"entry {i} logs release {r.cursor} as {item_id} to {partner} "
                             f"(policy {version}), not {what} (policy {r.policy_version})")  # fmt: skip
                    continue
                if self._item is None or self._item.id != r.item_id:  # releases of a batch
                    self._item = self.store.item(r.item_id)  # are adjacent
                payload = self._item.payload if self._item else {}
                if not r.obligations.empty:
                    payload = sanitise(payload, r.obligations)
                if sha != payload_sha256(payload):
                    self.add(i, f"entry {i} logs the payload of {what} as {sha[:16]}…, "
                             "the item and obligations stored give another")  # fmt: skip

    def policies_(self) -> None:
        latest = self.store.latest_policy()
        for version in range(1, (latest.version if latest else 0) + 1):
            logged, stored = self.policies.pop(version, None), None
            with contextlib.suppress(NotFound):
                source = self.store.policy_version(version).source
                digest = hashlib.sha256(source.text.encode() + b"\0" + source.spif).hexdigest()
                stored = (digest, source.name)
            if logged is None or logged[1:] != stored:
                self.add(logged and logged[0], f"policy version {version} " + ("has no entry"
                         if logged is None else f"is not stored as entry {logged[0]} logs it"))  # fmt: skip

    def tokens_(self) -> None:
        for t in self.store.tokens():
            for event, happened in (("issued", True), ("revoked", t.revoked is not None)):
                logged = self.tokens.pop((t.id, event), None)
                if logged is None and happened:
                    self.add(None, f"token {t.id} was {event}, no entry logs it")
                elif logged is not None and (logged[1:] != (t.holder, t.role) or not happened):
                    self.add(logged[0], f"entry {logged[0]} logs that token {t.id} of "
                             f"{logged[1]} ({logged[2]}) was {event}, unlike the store")  # fmt: skip

    def proposals_(self) -> None:
        for p in self.store.proposals():
            if (logged := self.proposals.pop(p.id, None)) is None:
                self.add(None, f"proposal {p.id} (by {p.proposer}) has no proposal entry")
                continue
            i, data = logged
            expected = json.loads(entries.proposal(p).body())
            differ = sorted(
                k for k in expected.keys() | data.keys() if expected.get(k) != data.get(k)
            )
            if differ:
                self.add(i, f"entry {i} logs proposal {p.id} with other {', '.join(differ)} than "
                         "the proposal stored")  # fmt: skip
            try:  # what is stored beside the change set must be read from it
                change = parse_change(p.change)
                derived = (change.rationale, change.apply_to_existing, change.touches)
            except LiaisonError:
                derived = None
            if derived != (p.rationale, p.apply_to_existing, p.touches):
                self.add(i, f"proposal {p.id} (entry {i}) does not hold together as stored: its "
                         "rationale, apply_to_existing or objects are not its change set's")  # fmt: skip

    def acts_(self) -> None:
        for n, a in enumerate(self.store.acts(), start=1):
            key = (a.proposal, a.kind.value, a.member, a.version, format_time(a.at), a.reason)
            if not (logged := self.acts.get(key)):
                self.add(None, f"act {n} on proposal {a.proposal} ({a.kind.value} by {a.member}"
                         f"{'' if a.version is None else f', version {a.version}'}) has no "
                         "governance entry")  # fmt: skip
                continue
            logged.popleft()

    def leftovers(self) -> None:  # acts logged that the store does not hold
        tables: list[tuple[str, dict[Any, Any]]] = [
            ("item", self.items), ("a decision on item", self.decisions),
            ("release", self.releases), ("policy version", self.policies), ("token", self.tokens),
            ("proposal", self.proposals)]  # fmt: skip
        for what, table in tables:
            for key, (i, *_) in table.items():
                self.add(i, f"entry {i} logs {what} {key}, which is not stored")
        for (proposal, act, member, version, *_), indices in self.acts.items():
            for i in indices:
                self.add(i, f"entry {i} logs {act} by {member} on proposal {proposal}"
                         f"{'' if version is None else f' (version {version})'}, which is not "
                         "stored")  # fmt: skip


def _records(store: Store, found: _Findings, tree: _Tree) -> Iterator[AuditRecord]:
    """The entries in order, in pages; missing ones and unreadable ones (skipped) are found."""
    after, size = 0, PAGE  # after: the next entry's index
    while True:
        try:
            page = store.audit.records(after, size)
        except Exception as exc:  # a row the store cannot read back: found one by one
            if size == 1:
                if after >= store.audit.size():
                    raise  # not a row: the store itself
                found.add(after, f"entry {after} cannot be read ({exc})")
                tree.check_nodes(broken=after)
                after += 1
            size = 1
            continue
        for rec in page:
            if rec.index > after:
                found.add(after, f"entry {after} is missing, and any after it up to entry "
                          f"{rec.index}, the next one stored")  # fmt: skip
                tree.check_nodes(broken=after)
            after = rec.index + 1
            yield rec
        if not page:
            return
        tree.check_nodes()
        size = PAGE


def verify_store(
    store: Store, public: Ed25519PublicKey | None, *, limit_findings: int = 100
) -> Report:
    """Recompute the audit log of `store`; check its nodes, heads (signed: with `public`), acts."""
    found = _Findings(limit_findings)
    heads = store.audit.heads(limit=1 << 62)
    for head in (h for h in heads if public is not None and not signing.verify(public, h)):
        found.add(None, f"the signed head at size {head.size} ({format_time(head.time)}) "
                      "does not verify with the public key given")  # fmt: skip
    tree, acts = _Tree(store, found, heads), _Acts(store, found)
    for rec in _records(store, found, tree):
        acts.entry(rec)  # finds a leaf of the wrong size, padded below
        tree.pending += tree.frontier.append(rec.leaf[:32].ljust(32, b"\0"))
        tree.check_heads()
    notes = tree.finish()
    try:
        for check in (
            acts.items_, acts.releases_, acts.policies_, acts.tokens_, acts.proposals_, acts.acts_,
            acts.leftovers,
        ):  # fmt: skip
            check()
    except Exception as exc:  # a row rewritten by hand: the checks end here
        found.add(None, f"the {check.__name__[:-1]} stored cannot be read back ({exc!r})")
    if public is None and heads:
        notes.append(f"no public key: the signatures of {len(heads)} heads were not checked")
    findings = tuple(f for _, f in sorted(found, reverse=True))
    checked = len(heads) if public is not None else 0
    omitted, root = found.total - len(findings), tree.frontier.root()  # over the rows read
    return Report(tree.frontier.size, len(heads), checked, root, findings, omitted, tuple(notes))
