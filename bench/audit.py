"""The audit log: durable appends per second, and inclusion proofs at 1,000,000 entries, beside
pymerkle (an independent RFC 6962 Merkle tree, in memory) measured in the same run.

Ours: entries appended to the SQLite store (WAL, synchronous=FULL) in batches of `--batch`
entries a transaction, each entry canonical JSON hashed into the tree, its completed nodes
written beside it — what `liaison ingest` does per committed batch. pymerkle: `append_entry`
on an InmemoryTree (not durable). Proofs: generation (reading O(log n) nodes from the store)
plus verification, medians over random indices. The last line is `ratio: X`: our durable
appends per second over pymerkle's (medians of per-chunk rates).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymerkle

from bench.machine import describe
from liaison.audit import entries, merkle
from liaison.audit.entries import Entry
from liaison.audit.log import AuditLog
from liaison.storage.sqlite import SqliteStore

T0 = datetime(2026, 11, 30, tzinfo=UTC)
PARTNERS = ("NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL")


def entry(n: int) -> Entry:
    """A `released` entry like those the hub writes for every release."""
    return entries.released(
        f"item-{n // 10}", PARTNERS[n % 10], cursor=n + 1,
        payload_sha256=f"{n:064x}", policy_version=1, at=T0 + timedelta(milliseconds=n),
    )  # fmt: skip


def ours(path: Path, total: int, batch: int, chunk: int) -> tuple[list[float], SqliteStore]:
    store = SqliteStore(path)
    rates = []
    done = 0
    while done < total:
        # The entries are made before the clock starts, as pymerkle's bytes are: what is timed
        # is serialising, hashing, the tree, the writes and the durable commits.
        batches = [
            [entry(n) for n in range(first, min(first + batch, total))]
            for first in range(done, min(done + chunk, total), batch)
        ]
        started = time.perf_counter()
        for logged in batches:
            store.log(logged)
        took = time.perf_counter() - started
        rates.append(min(chunk, total - done) / took)
        done += chunk
    return rates, store


def theirs(total: int, chunk: int) -> tuple[list[float], pymerkle.InmemoryTree]:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    rates = []
    for first in range(0, total, chunk):
        blobs = [entry(n).body() for n in range(first, min(first + chunk, total))]
        started = time.perf_counter()
        for blob in blobs:
            tree.append_entry(blob)
        rates.append(len(blobs) / (time.perf_counter() - started))
    return rates, tree


def our_proofs(store: SqliteStore, samples: int) -> list[float]:
    """What `GET /api/v1/audit/proof/inclusion` does (nodes fetched in two queries), then the
    partner's verification."""
    log = AuditLog(store)
    size, root = store.audit.root()
    rng = random.Random(9162)
    times = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = log.inclusion(index, size)
        ok = merkle.verify_inclusion(proof.leaf, index, size, proof.path, root)
        times.append(time.perf_counter() - started)
        assert ok
    return times


def their_proofs(tree: pymerkle.InmemoryTree, samples: int) -> list[float]:
    size = tree.get_size()
    root = tree.get_root(size)
    rng = random.Random(9162)
    times = []
    for _ in range(samples):
        index = rng.randrange(1, size + 1)
        started = time.perf_counter()
        proof = tree.prove_inclusion(index, size)
        pymerkle.verify_inclusion(tree.get_leaf(index), root, proof)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="our log's size")
    parser.add_argument("--peer-entries", type=int, default=100_000, help="pymerkle's tree size")
    parser.add_argument("--batch", type=int, default=1_000, help="entries per transaction")
    parser.add_argument("--samples", type=int, default=1_000, help="proofs timed")
    args = parser.parse_args()
    chunk = 50_000
    print(describe())
    with tempfile.TemporaryDirectory() as work:
        rates, store = ours(Path(work) / "audit.db", args.entries, args.batch, chunk)
        ours_rate = statistics.median(rates)
        print(
            f"ours:     {args.entries:,} durable appends, {args.batch} a transaction: "
            f"median {ours_rate:,.0f}/s ({1e6 / ours_rate:.2f} µs each), "
            f"min {min(rates):,.0f}/s, max {max(rates):,.0f}/s"
        )
        peer_rates, tree = theirs(args.peer_entries, chunk // 5)
        peer_rate = statistics.median(peer_rates)
        print(
            f"pymerkle: {args.peer_entries:,} appends in memory: median {peer_rate:,.0f}/s "
            f"({1e6 / peer_rate:.2f} µs each)"
        )
        mine = statistics.median(our_proofs(store, args.samples)) * 1e6
        store.close()
    peer = statistics.median(their_proofs(tree, args.samples)) * 1e6
    print(
        f"inclusion proof + verify, median of {args.samples}: ours {mine:.1f} µs at "
        f"{args.entries:,} entries (nodes read from SQLite), pymerkle {peer:.1f} µs at "
        f"{args.peer_entries:,} (in memory); pymerkle/ours {peer / mine:.2f}"
    )
    print(f"ratio: {ours_rate / peer_rate:.2f}")


if __name__ == "__main__":
    main()
