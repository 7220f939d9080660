"""Merkle-tree hashing and proofs for an append-only log, as Certificate Transparency does them.

Hashing is RFC 6962's (RFC 9162 §2.1): leaf SHA-256(0x00 ‖ entry), node SHA-256(0x01 ‖ l ‖ r).
The tree is never held as objects: the store keeps the leaf hashes and a table of the complete
aligned subtrees, node (level, index) covering leaves [index·2^level, (index+1)·2^level), written
as `Frontier.append` yields them; proofs read O(log n) of them through a `NodeGetter`. The
verifiers are RFC 9162's step by step and share nothing with the generators but the hashing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_MAX_SIZE = 1 << 64  # tree sizes are uint64 in RFC 9162's structures

NodeGetter = Callable[[int, int], bytes]
"""`node(level, index)`: the root of the complete subtree over leaves
[index·2^level, (index+1)·2^level); level 0 is the leaf hashes. Raises KeyError if incomplete."""


def leaf_hash(entry: bytes) -> bytes:
    """MTH({entry}) = SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleLog(Protocol):
    """What proofs need of a log: its size and its leaf hashes by index (the store implements it)."""

    def size(self) -> int: ...

    def leaf_hashes(self, start: int, end: int) -> Sequence[bytes]: ...  # [start, end)


@dataclass(frozen=True, slots=True)
class Node:
    """A complete aligned subtree above the leaves, as the store's node table keeps it."""

    level: int
    index: int
    hash: bytes


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (RFC 9162 §2.1.1) in O(n): pairing level by level, an odd last node
    carried up unchanged, builds the RFC's tree. Apart from `Frontier`, so each checks the other."""
    level = list(leaves)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _fold(parts: Sequence[bytes]) -> bytes:
    """The root over complete subtrees given left to right, largest first: they nest rightwards."""
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = node_hash(part, result)
    return result


class Frontier:
    """The right edge: roots of the complete subtrees sized by the set bits of `size`, largest first.
    O(log n) hashes suffice to append and to give the root; the store persists `to_bytes()`."""

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        wrong = any(len(h) != HASH_SIZE for h in hashes)
        if wrong or not 0 <= size < _MAX_SIZE or len(hashes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} holds {size.bit_count()} hashes")
        self._size, self._hashes = size, list(hashes)

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> list[Node]:
        """Add a leaf hash; return the subtrees above the leaves that it completes, upwards (none
        for half of all appends, one on average, at most log n): the rows the store writes."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
        index, self._size = self._size, self._size + 1
        completed, level = [], 0
        # Each trailing one bit of the old size is a complete subtree on the edge waiting for a
        # right sibling of its own size: the new leaf merges with them as a binary counter carries.
        while index >> level & 1:
            leaf = node_hash(self._hashes.pop(), leaf)
            level += 1
            completed.append(Node(level, index >> level, leaf))
        self._hashes.append(leaf)
        return completed

    def root(self) -> bytes:
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def copy(self) -> Frontier:
        return Frontier(self._size, self._hashes)

    def to_bytes(self) -> bytes:
        """Size as 8 bytes big-endian, then the edge hashes, largest subtree first."""
        return self._size.to_bytes(8, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        if len(data) < 8:  # the constructor checks the rest
            raise ValueError(f"not a frontier: {len(data)} bytes")
        cut = range(8, len(data), HASH_SIZE)
        return cls(int.from_bytes(data[:8], "big"), [data[i : i + HASH_SIZE] for i in cut])

    @classmethod
    def from_nodes(cls, size: int, node: NodeGetter) -> Frontier:
        """The frontier at `size`, read from a node table, e.g. to check or rebuild a stored one."""
        return cls(size, _edge(0, size, node))


def _edge(start: int, size: int, node: NodeGetter) -> list[bytes]:
    """The complete subtrees making up leaves [start, start + size), largest first, for `_fold`.
    Needs start to be a multiple of the power of two at or above size, as every subtree of the
    RFC's split has it (a left part is a power of two, a right part begins at one)."""
    parts = []
    while size > 0:
        level = size.bit_length() - 1
        parts.append(node(level, start >> level))
        start, size = start + (1 << level), size - (1 << level)
    return parts


def root_at(size: int, node: NodeGetter) -> bytes:
    """MTH of the first `size` leaves, from O(log size) node reads."""
    if not 0 <= size < _MAX_SIZE:
        raise ValueError(f"no tree has size {size}")
    return _fold(_edge(0, size, node)) if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, node: NodeGetter) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), nearest the leaf first."""
    if not 0 <= index < size < _MAX_SIZE:
        raise ValueError(f"no leaf {index} in a tree of size {size}")
    path, start, n = [], 0, size
    # The RFC's recursion walked downwards; every sibling but at most one (the first right one
    # off a ragged edge) is a complete subtree, so this is O(log n) node reads.
    while n > 1:
        k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n (§2.1.1)
        if index - start < k:
            path.append(_fold(_edge(start + k, n - k, node)))
            n = k
        else:
            path.append(_fold(_edge(start, k, node)))
            start, n = start + k, n - k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, node: NodeGetter) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1); empty if old_size is 0 or new_size."""
    if not 0 <= old_size <= new_size < _MAX_SIZE:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    path, start, m, n, whole = [], 0, old_size, new_size, True
    # SUBPROOF(m, D[start:start + n], b) unrolled. b (`whole`) holds while start is 0: if m
    # reaches n there, the old tree is this very subtree and the verifier has its root already.
    while m != n:
        k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n (§2.1.1)
        if m <= k:
            path.append(_fold(_edge(start + k, n - k, node)))
            n = k
        else:
            path.append(_fold(_edge(start, k, node)))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        path.append(_fold(_edge(start, m, node)))
    path.reverse()
    return path


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _MAX_SIZE


def _as_path(proof: object) -> list[bytes] | None:
    # Garbage of any type makes a verifier return False, never raise.
    if isinstance(proof, bytes | str) or not isinstance(proof, Sequence):
        return None
    path = list(proof)
    return path if all(_is_hash(p) for p in path) else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: is the leaf hash (not the entry) `leaf` at `index` in the tree of
    `size` whose root is `root`? False for any malformed argument."""
    path = _as_path(proof)
    if path is None or not (_is_hash(leaf) and _is_hash(root)):
        return False
    if not (_is_size(index) and _is_size(size)) or index >= size:  # step 1
        return False
    fn, sn, r = index, size - 1, leaf  # steps 2-3
    for p in path:  # step 4
        if sn == 0:  # 4a: the proof is longer than the tree is deep
            return False
        # 4b: r is a right child, p its left sibling; or r is the last node of its level, which
        # rises unchanged (ii) until it is a right child
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1  # 4c
    return sn == 0 and hmac.compare_digest(r, root)  # step 5


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does the tree (new_size, new_root) extend (old_size, old_root)? Beyond
    the RFC's 0 < old < new, a tree extends itself and the empty tree (EMPTY_ROOT), both with an
    empty proof. False for any malformed argument."""
    path = _as_path(proof)
    if path is None or not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    if not (_is_size(old_size) and _is_size(new_size)) or old_size > new_size:
        return False
    if old_size == 0 and not hmac.compare_digest(old_root, EMPTY_ROOT):
        return False
    if old_size in (0, new_size):  # outside the RFC's 0 < old < new: nothing to prove
        return not path and (old_size == 0 < new_size or hmac.compare_digest(old_root, new_root))
    if not path:  # step 1
        return False
    if old_size & (old_size - 1) == 0:  # step 2: the old tree is a complete left subtree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4: skip the levels where the old tree's last node is a right child
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            return False
        if fn & 1 or fn == sn:  # 6b: c is a left sibling on both the old and the new path
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:  # iii: as in inclusion
                fn, sn = fn >> 1, sn >> 1
        else:  # c lies right of the old tree: only the new root covers it
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1  # 6c
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


class MemoryNodeTable:
    """The reference node table, in memory: every complete aligned subtree, one list per level,
    filled from a Frontier's appends. It is a `MerkleLog`, and `node` is its `NodeGetter`; a store
    does the same with a table keyed (level, index)."""

    def __init__(self) -> None:
        self._frontier = Frontier()
        self._levels: list[list[bytes]] = [[]]  # level 0: the leaf hashes

    def append(self, leaf: bytes) -> None:
        completed = self._frontier.append(leaf)
        self._levels[0].append(leaf)
        for node in completed:
            if node.level == len(self._levels):
                self._levels.append([])
            # A level's subtrees complete in index order, so its list index is the node index.
            self._levels[node.level].append(node.hash)

    def size(self) -> int:
        return self._frontier.size

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        if not 0 <= start <= end <= self.size():
            raise IndexError(f"no leaves [{start}, {end}) in a log of size {self.size()}")
        return self._levels[0][start:end]

    def node(self, level: int, index: int) -> bytes:
        if 0 <= level < len(self._levels) and 0 <= index < len(self._levels[level]):
            return self._levels[level][index]
        raise KeyError((level, index))

    def root(self, size: int | None = None) -> bytes:
        """The root now, from the frontier, or at an earlier size, from the table."""
        return self._frontier.root() if size is None else root_at(size, self.node)
