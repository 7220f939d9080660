"""End-to-end AIS ingest (read, decode, track, detect, label, store) against pyais's own
read + assemble + decode of the same file, measured in one run.

Two inputs: the real sentences in ../shared/data/ais/ repeated to at least 80,000 messages, and
a simulated file of 1,000,000 messages. Each measurement runs in a fresh child process so its
peak RSS is its own. The last line is `ratio: X`, ours over pyais's (messages per second) on
the real data; the target is at least 0.5.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ais"
REAL_FILES = [
    "pyais/nmea_data_sample.txt",
    "gpsd/sample.aivdm",
    "libais/typeexamples.nmea",
    "libais/tagblock.nmea",
    "gfw-ais-tools/sample.nmea",
    "gfw-ais-tools/multi-part.nmea",
]
ROUNDS = 3


def build_real(path: Path, minimum: int = 80_000) -> int:
    lines = []
    for name in REAL_FILES:
        text = (SHARED / name).read_text("utf-8", "replace")
        lines += [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    copies = -(-minimum // len(lines))
    path.write_text("\n".join(lines * copies) + "\n", "utf-8")
    return len(lines) * copies


def build_simulated(path: Path, messages: int = 1_000_000) -> int:
    """The `all` scenario again and again, each run two days after the last, so time only moves on."""
    from liaison.maritime.region import load_region  # noqa: PLC0415 - only the parent needs it
    from liaison.maritime.scenarios import build_scenario  # noqa: PLC0415
    from liaison.maritime.simulate import nmea_lines  # noqa: PLC0415

    region = load_region()
    written = 0
    with path.open("w", encoding="ascii") as out:
        seed = 0
        while written < messages:
            scenario = build_scenario("all", seed, region)
            scenario.start += seed * 2 * 86_400
            for _, line in nmea_lines(scenario):
                out.write(line + "\n")
                written += 1
            seed += 1
    return written


def child(kind: str, path: str) -> None:
    """Run one measurement and print {seconds, messages, rss_mb} as JSON."""
    start = time.perf_counter()
    if kind == "pyais":
        from pyais import FileReaderStream  # noqa: PLC0415

        count = 0
        for msg in FileReaderStream(path):
            try:
                msg.decode()
            except Exception:
                continue
            count += 1
    else:
        from liaison.demo import load_demo  # noqa: PLC0415
        from liaison.hub import Hub  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            hub = Hub.open(Path(tmp) / "bench.db")
            load_demo(hub)
            start = time.perf_counter()
            with open(path, encoding="utf-8", errors="surrogateescape") as lines:
                summary = hub.ingest_ais("jpn-ais", lines, path)
            count = summary.messages
            hub.close()
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "messages": count, "rss_mb": rss_mb}))


def measure(kind: str, path: Path) -> dict[str, float]:
    runs = []
    for _ in range(ROUNDS):
        done = subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--child", kind, str(path)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    rate = statistics.median(r["messages"] / r["seconds"] for r in runs)
    return {"rate": rate, "messages": runs[0]["messages"], "rss_mb": max(r["rss_mb"] for r in runs)}


def main() -> int:
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        real, simulated = Path(tmp) / "real.nmea", Path(tmp) / "simulated.nmea"
        n_real = build_real(real)
        n_sim = build_simulated(simulated)
        print(
            f"inputs: real {n_real:,} lines ({real.stat().st_size / 1e6:.1f} MB), simulated {n_sim:,} lines"
        )
        results = {}
        for name, path in (("real", real), ("simulated", simulated)):
            for kind in ("pyais", "liaison"):
                r = results[(name, kind)] = measure(kind, path)
                print(
                    f"{name:9} {kind:8}: {r['rate']:>9,.0f} msg/s  ({r['messages']:,.0f} messages, "
                    f"peak RSS {r['rss_mb']:.0f} MB, median of {ROUNDS})"
                )
        sim_ratio = (
            results[("simulated", "liaison")]["rate"] / results[("simulated", "pyais")]["rate"]
        )
        print(f"simulated ratio (liaison / pyais): {sim_ratio:.2f}")
        print(
            "peak RSS liaison: real {:.0f} MB vs simulated {:.0f} MB (x{:.1f} messages)".format(
                results[("real", "liaison")]["rss_mb"], results[("simulated", "liaison")]["rss_mb"],
                n_sim / n_real,
            )
        )  # fmt: skip
        ratio = results[("real", "liaison")]["rate"] / results[("real", "pyais")]["rate"]
        print(f"target ratio >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}")
        print(f"ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
