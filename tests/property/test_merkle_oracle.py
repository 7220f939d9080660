"""The Merkle tree against an oracle written straight from RFC 9162's recursive definitions."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.audit.merkle import (
    Frontier,
    MemoryNodeTable,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- the oracle: RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH), §2.1.4.1 (PROOF, SUBPROOF), over
# leaf hashes, hashing with hashlib itself rather than through the module under test.


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return _node(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, b=True)


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


# --- trees: a log of `size` leaves, grown further so that proofs at a past size are asked of a
# table that also holds later nodes.


@st.composite
def logs(draw: st.DrawFn, max_size: int = 160) -> tuple[list[bytes], MemoryNodeTable]:
    size = draw(st.integers(1, max_size))
    salt = draw(st.binary(max_size=8))
    leaves = [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(size)]
    table = MemoryNodeTable()
    for leaf in leaves:
        table.append(leaf)
    return leaves, table


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=90))
def test_frontier_root_is_the_root_at_every_size(entries: list[bytes]) -> None:
    leaves = [leaf_hash(e) for e in entries]
    frontier = Frontier()
    assert frontier.root() == root([]) == mth([])
    for size, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.root() == root(leaves[:size])
    assert frontier.root() == mth(leaves)
    assert Frontier.from_bytes(frontier.to_bytes()).root() == mth(leaves)


@settings(max_examples=150, deadline=None)
@given(logs())
def test_frontier_emits_exactly_the_complete_subtrees(
    log: tuple[list[bytes], MemoryNodeTable],
) -> None:
    leaves, _ = log
    frontier, seen = Frontier(), set()
    for size, leaf in enumerate(leaves, start=1):
        for node in frontier.append(leaf):
            start = node.index << node.level
            assert (start + (1 << node.level)) == size  # completed by this very leaf
            assert node.hash == mth(leaves[start:size])
            seen.add((node.level, node.index))
    assert len(seen) == len(leaves) - len(leaves).bit_count()


@settings(max_examples=300, deadline=None)
@given(logs(), st.data())
def test_inclusion_proofs_are_the_rfc_path(
    log: tuple[list[bytes], MemoryNodeTable], data: st.DataObject
) -> None:
    leaves, table = log
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    got = inclusion_proof(index, size, table.node)
    assert got == path(index, leaves[:size])
    assert table.root(size) == mth(leaves[:size])
    assert verify_inclusion(leaves[index], index, size, got, table.root(size))


@settings(max_examples=300, deadline=None)
@given(logs(), st.data())
def test_consistency_proofs_are_the_rfc_proof(
    log: tuple[list[bytes], MemoryNodeTable], data: st.DataObject
) -> None:
    leaves, table = log
    new = data.draw(st.integers(1, len(leaves)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    got = consistency_proof(old, new, table.node)
    assert got == proof(old, leaves[:new])
    assert verify_consistency(old, new, mth(leaves[:old]), mth(leaves[:new]), got)


@settings(max_examples=200, deadline=None)
@given(logs(), st.data())
def test_a_flipped_bit_anywhere_fails(
    log: tuple[list[bytes], MemoryNodeTable], data: st.DataObject
) -> None:
    leaves, table = log
    new = data.draw(st.integers(2, max(2, len(leaves))), label="new")
    if new > len(leaves):
        return
    old = data.draw(st.integers(1, new - 1), label="old")
    r1, r2 = table.root(old), table.root(new)
    parts = [leaves[old], r2, *inclusion_proof(old, new, table.node)]
    which = data.draw(st.integers(0, len(parts) - 1), label="which")
    bit = data.draw(st.integers(0, 255), label="bit")
    parts[which] = bytes(
        b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(parts[which])
    )
    assert not verify_inclusion(parts[0], old, new, parts[2:], parts[1])
    parts = [r1, r2, *consistency_proof(old, new, table.node)]
    which = data.draw(st.integers(0, len(parts) - 1), label="which")
    parts[which] = bytes(
        b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(parts[which])
    )
    assert not verify_consistency(old, new, parts[0], parts[1], parts[2:])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 1 << 64),
    st.integers(0, 1 << 64),
    st.lists(st.binary(min_size=32, max_size=32), max_size=70),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
)
def test_random_proofs_fail(a: int, b: int, junk: list[bytes], h1: bytes, h2: bytes) -> None:
    if h1 != h2:  # a one-leaf tree's root is its leaf, with an empty proof
        assert not verify_inclusion(h1, a, b, junk, h2)
    if junk and a:  # with an empty proof, equal sizes and roots are rightly consistent
        assert not verify_consistency(a, b, h1, h2, junk)
