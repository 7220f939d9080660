"""How encounters are split for parallel work without changing a single event.

Encounters need pairs of vessels, so they cannot be split by vessel; split by space or time
cells instead and an episode that drifts across a cell edge, or lasts past a window's end, is
cut or found twice. But the encounter detector is pairwise: the episode of vessels A and B
depends on the fixes of A and B alone, in their common time order (another vessel near them
opens episodes of its own, and changes nothing of theirs). So vessels are grouped into the
connected components of the graph "may ever be near each other", and each component is run
through the detector whole, in one picture: every pair that can meet is in one component, and
runs with every fix of both vessels in the order the stream had them.

"May be near" is a cheap superset of the detector's own test, found with a grid join: a pair
of fixes that can both be slow (reported speed under the limit, or no reported speed: the
implied one might be), in neighbouring cells of the detector's size and neighbouring time
buckets of its time skew. A superset only merges components (more work in one task, never a
different event). A harbour full of slow vessels is one large component: that one task is as
large as the harbour, the rest of the archive still spreads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type information

from liaison.maritime.detectors import EncounterDetector

KEY_COLUMNS = ["feed", "bucket", "row", "col"]


def grid(detector: EncounterDetector) -> tuple[float, float, float]:
    """(cell in degrees, time bucket in seconds, speed limit in knots) for this detector."""
    # Buckets a little wider than the skew: two fixes at most the skew apart are then in the
    # same or adjacent buckets even where the division rounds.
    return detector.cell_deg, max(detector.max_time_skew_s, 1.0) * 1.01, detector.max_speed_kn


def candidate_keys(part: pd.DataFrame, cell: float, bucket: float, slow_kn: float) -> pd.DataFrame:
    """The distinct (feed, mmsi, bucket, row, col) of the fixes that may be slow."""
    may_be_slow = part[part["sog"].isna() | (part["sog"] < slow_kn)]
    keys = pd.DataFrame(
        {
            "feed": may_be_slow["feed"].astype("object"),
            "mmsi": may_be_slow["mmsi"].astype("int64"),
            "bucket": np.floor(may_be_slow["time"] / bucket).astype("int64"),
            "row": np.floor(may_be_slow["lat"] / cell).astype("int64"),
            "col": np.floor(may_be_slow["lon"] / cell).astype("int64"),
        }
    )
    return keys.drop_duplicates()


def key_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feed": pd.Series([], dtype="object"),
            "mmsi": pd.Series([], dtype="int64"),
            "bucket": pd.Series([], dtype="int64"),
            "row": pd.Series([], dtype="int64"),
            "col": pd.Series([], dtype="int64"),
        }
    )


def probe_keys(keys: pd.DataFrame, cell: float) -> pd.DataFrame:
    """Every key moved to each of its neighbouring buckets and cells, as `near` (its vessel):
    joined with the keys on (feed, bucket, row, col), they give the vessels that may be near."""
    reach = _reach(keys["row"].to_numpy(), cell)
    frames = [probe_meta()]
    for r in np.unique(reach):
        some = keys[reach == r]
        offsets = np.array(
            [(db, dr, dc) for db in (-1, 0, 1) for dr in (-1, 0, 1) for dc in range(-r, r + 1)],
            dtype="int64",
        )
        n = len(offsets)
        frames.append(
            pd.DataFrame(
                {
                    "feed": np.repeat(some["feed"].to_numpy(dtype=object), n),
                    "bucket": np.repeat(some["bucket"].to_numpy(), n) + np.tile(offsets[:, 0], len(some)),
                    "row": np.repeat(some["row"].to_numpy(), n) + np.tile(offsets[:, 1], len(some)),
                    "col": np.repeat(some["col"].to_numpy(), n) + np.tile(offsets[:, 2], len(some)),
                    "near": np.repeat(some["mmsi"].to_numpy(), n),
                }
            )
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def probe_meta() -> pd.DataFrame:
    meta = key_meta().rename(columns={"mmsi": "near"})
    return meta[["feed", "bucket", "row", "col", "near"]]


def _reach(rows: np.ndarray, cell: float) -> np.ndarray:
    """Columns to look along a row either way: at least the detector's own reach anywhere in
    the row (cells narrow east-west with latitude), plus one for rounding."""
    widest = np.maximum(np.abs(rows * cell), np.abs((rows + 1) * cell))
    cos = np.maximum(np.cos(np.radians(np.minimum(widest, 90.0))), 0.01)
    return (np.ceil(0.55 / cos) + 1).astype("int64")


def pair_rows(joined: pd.DataFrame) -> pd.DataFrame:
    """(feed, a, b), a < b, from probes joined with keys: each pair of distinct vessels once."""
    apart = joined[joined["near"] != joined["mmsi"]]
    pairs = pd.DataFrame(
        {
            "feed": apart["feed"].astype("object"),
            "a": np.minimum(apart["near"], apart["mmsi"]).astype("int64"),
            "b": np.maximum(apart["near"], apart["mmsi"]).astype("int64"),
        }
    )
    return pairs.drop_duplicates()


def pair_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feed": pd.Series([], dtype="object"),
            "a": pd.Series([], dtype="int64"),
            "b": pd.Series([], dtype="int64"),
        }
    )


def components(pairs: pd.DataFrame) -> pd.DataFrame:
    """(feed, mmsi, group): the connected components of the pairs, per feed; vessels in no pair
    are left out (they meet nobody). Union-find, in the client: pairs are few beside fixes."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(v: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(v, v) != v:
            parent[v] = parent[parent[v]]  # path halving keeps the trees flat
            v = parent[v]
        return v

    for feed, a, b in pairs[["feed", "a", "b"]].itertuples(index=False):
        ra, rb = root((str(feed), int(a))), root((str(feed), int(b)))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({root(v) for v in parent})
    number = {r: n for n, r in enumerate(roots)}
    members = sorted(parent)
    return pd.DataFrame(
        {
            "feed": pd.Series([f for f, _ in members], dtype="object"),
            "mmsi": pd.Series([m for _, m in members], dtype="int64"),
            "group": pd.Series([number[root(v)] for v in members], dtype="int64"),
        }
    )
