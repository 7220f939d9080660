"""The audit log as its readers see it: signed heads, entries, and proofs anyone can check.

Whoever holds an entry (or only its leaf hash) and a signed head can check, with RFC 9162's
algorithms and the hub's public key, that the hub logged that entry; whoever kept an older head
can check that today's log extends it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison.audit import heads, merkle
from liaison.audit.entries import AuditRecord
from liaison.audit.heads import SignedHead
from liaison.errors import InputError, NotFound
from liaison.storage.base import Store


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    size: int
    leaf: bytes
    root: bytes
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "size": self.size,
            "leaf": self.leaf.hex(),
            "root": self.root.hex(),
            "proof": [h.hex() for h in self.path],
        }

    def verifies(self) -> bool:
        return merkle.verify_inclusion(self.leaf, self.index, self.size, self.path, self.root)


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root.hex(),
            "second_root": self.second_root.hex(),
            "proof": [h.hex() for h in self.path],
        }

    def verifies(self) -> bool:
        return merkle.verify_consistency(
            self.first, self.second, self.first_root, self.second_root, self.path
        )


class AuditLog:
    def __init__(self, store: Store, key: Ed25519PrivateKey | None = None) -> None:
        self.store = store
        self.key = key

    def sign_head(self, now: datetime) -> SignedHead:
        """A signed head of the log as it is now (a new one only if the log grew)."""
        if self.key is None:
            raise NotFound("this hub holds no audit signing key")
        size, root = self.store.audit.root()
        latest = self.latest_head()
        if latest is not None and latest.size == size:
            return latest
        head = heads.sign(self.key, size, root, now)
        self.store.add_head(head)
        return head

    def latest_head(self) -> SignedHead | None:
        found = self.store.audit.heads(1, latest=True)
        return found[0] if found else None

    def head_for(self, size: int | None, now: datetime) -> tuple[int, bytes]:
        """(size, root) a proof is made against: the given size, or the latest signed head
        (signed now if the log has grown and the hub can sign), or the log as it is."""
        if size is not None:
            return self.store.audit.root(size)
        if self.key is not None:
            head = self.sign_head(now)
            return head.size, head.root
        return self.store.audit.root()

    def inclusion(self, index: int, size: int) -> InclusionProof:
        if not 0 <= index < size:
            raise InputError("index", f"entry {index} is not in a log of {size} entries")
        _, root = self.store.audit.root(size)
        record = self.store.audit.record(index)
        path = merkle.inclusion_proof(index, size, self._prefetched(
            lambda node: merkle.inclusion_proof(index, size, node)
        ))  # fmt: skip
        return InclusionProof(index, size, record.leaf, root, tuple(path))

    def index_of(self, leaf_hex: str, partner: str | None = None) -> int:
        """Where an entry is, by its leaf hash: for a partner, among the entries it may hold."""
        try:
            leaf = bytes.fromhex(leaf_hex)
        except ValueError:
            raise InputError("leaf", "a leaf hash is 64 hexadecimal digits") from None
        # The partner's own entries first (indexed); then anywhere (a scan: a hash another
        # partner gave it, say — a hash reveals nothing).
        index = self.store.audit.index_of(leaf, partner)
        if index is None and partner is not None:
            index = self.store.audit.index_of(leaf)
        if index is None:
            raise NotFound(f"no audit entry with leaf hash {leaf_hex[:16]}...")
        return index

    def consistency(self, first: int, second: int) -> ConsistencyProof:
        if not 0 <= first <= second:
            raise InputError(
                "first", f"sizes must satisfy 0 <= first <= second, not {first}, {second}"
            )
        _, second_root = self.store.audit.root(second)
        _, first_root = self.store.audit.root(first)
        path = merkle.consistency_proof(first, second, self._prefetched(
            lambda node: merkle.consistency_proof(first, second, node)
        ))  # fmt: skip
        return ConsistencyProof(first, second, first_root, second_root, tuple(path))

    def _prefetched(self, proof: Callable[[merkle.NodeGetter], object]) -> merkle.NodeGetter:
        """A node getter holding every node `proof` will ask for, read in two queries: a dry
        run with stand-in hashes names them (which nodes a proof needs depends only on the
        sizes and the index, never on the hashes)."""
        wanted: list[tuple[int, int]] = []

        def record(level: int, index: int) -> bytes:
            wanted.append((level, index))
            return bytes(merkle.HASH_SIZE)

        proof(record)
        found = self.store.audit.nodes(wanted)

        def node(level: int, index: int) -> bytes:
            if (level, index) not in found:
                raise KeyError((level, index))
            return found[(level, index)]

        return node


def record_json(record: AuditRecord) -> dict[str, Any]:
    return {
        "index": record.index,
        "type": record.type,
        "entry": json.loads(record.body),
        "leaf": record.leaf.hex(),
    }
