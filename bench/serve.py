"""Serving: live push latency under a fixed AIS rate, and TAXII pages beside medallion.

Part 1. A fresh demo hub serves its API with uvicorn, and its AIS listener (UDP, feed nato-ais)
runs in the server's event loop as under `liaison serve --listen-udp`. Ten partners connect
(five over SSE, five over WebSocket, all in one client process); a sender process then sends the
simulated `all` scenario (copies two days apart, all in the past), one NMEA line a datagram, at
a fixed rate, recording each line's send time (CLOCK_MONOTONIC, shared by the processes). Each
fix the hub commits is traced to its line by (MMSI, time), and each release a client receives to
the commit that made it. Latency per message: a position report's line sent -> a client holds
the release carrying it. Latency per release: the newest line of its batch sent -> a client
holds it. A second, shorter run at a lower rate shows the figures when the server keeps up.

Part 2. One partner's TAXII collection, paged by one client (requests, keep-alive) from Liaison
(uvicorn) and from medallion (the OASIS reference server, memory backend, werkzeug) loaded with
exactly the objects, and date_added, Liaison serves; each server runs in its own process. The
collection is kept to a few hundred objects: medallion's first page filters and sorts the whole
collection in nested loops, so its time grows as the square of the collection (about 50 s a
page at 2,000 objects on a 2-core machine); `--taxii-reports` makes it larger.

The last line is `ratio: X`: medallion's page time over ours (medians), the smallest ratio over
the kinds of page measured (first, deep, filtered); the target is at least 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import requests
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import connect as ws_connect

from bench import serve_medallion
from bench.machine import describe
from liaison import tokens
from liaison.api.app import create_app
from liaison.demo import load_demo
from liaison.dissemination import taxii
from liaison.hub import Hub
from liaison.ingest.ais_stream import AisStream
from liaison.ingest.listener import Endpoints
from liaison.maritime.ais import AisDecoder, AisMessage
from liaison.maritime.picture import POSITION_TYPES
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines
from liaison.maritime.tracks import Fix
from liaison.model.items import Item
from liaison.storage.base import Batch

PARTNERS = ["NATO", "USA", "FRA", "GBR", "DEU", "LTU", "JPN", "KOR", "AUS", "NZL"]
SSE = PARTNERS[0::2]  # NATO FRA DEU JPN AUS
WS = PARTNERS[1::2]  # USA GBR LTU KOR NZL
LIVE_FEED = "nato-ais"
OTHER_FEED = "jpn-ais"
HOST = "127.0.0.1"
TWO_DAYS = 2 * 86_400
TARGET_S = 0.100
TAXII_PARTNER = "USA"
TAXII_AREA = "maritime-security"
PAGE = 100
MEDALLION_BUDGET_S = 10.0  # per kind of page: medallion's first page costs O(objects^2)
MEDALLION_MIN = 5
_TAG = re.compile(r"^\\c:([0-9]+),([^*\\]*)\*[0-9A-Fa-f]{2}\\")


# --- shared ----------------------------------------------------------------------------------


def timed_position(out: object) -> int | None:
    """The UNIX second of a decoded position report that carries its own time (what the hub
    stores as a fix a partner can be traced to); None for anything else."""
    if (
        isinstance(out, AisMessage)
        and out.msg_type in POSITION_TYPES
        and out.lat is not None
        and out.lon is not None
        and out.time is not None
    ):
        return int(out.time.timestamp())
    return None


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def pct(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values sorted ascending."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def spread(values: Sequence[float]) -> str:
    """p50/p90/p99/max of latencies, or a dash for none."""
    if not values:
        return "-"
    v = sorted(values)
    return (
        f"p50 {ms(pct(v, 50)):>9}  p90 {ms(pct(v, 90)):>9}  p99 {ms(pct(v, 99)):>9}  "
        f"max {ms(v[-1]):>9}  (n={len(v):,})"
    )


@contextlib.contextmanager
def serving_in_thread(app: FastAPI, port: int) -> Iterator[int]:
    """uvicorn in a thread of this process, as the integration tests run it; gives the thread's
    native id (its CPU time is in /proc)."""
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("uvicorn did not start")
    try:
        yield thread.native_id or 0
    finally:
        server.should_exit = True
        thread.join(30)


@dataclass(frozen=True)
class CpuSample:
    """CPU accounting at one moment: the machine's, this process's, a child's, a thread's."""

    wall: float
    machine_busy: float  # seconds of CPU busy, all cores
    own: float  # this process and its children already waited for
    child: float  # the client process
    thread_run: float  # the server's thread: running
    thread_wait: float  # the server's thread: runnable, waiting for a CPU

    @classmethod
    def take(cls, thread: int, child: int) -> CpuSample:
        tick = os.sysconf("SC_CLK_TCK")
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(cpu) - cpu[3] - cpu[4]) / tick  # all but idle and iowait
        own = sum(
            r.ru_utime + r.ru_stime
            for r in (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
        )
        stat = Path(f"/proc/{child}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        run_ns, wait_ns, _ = Path(f"/proc/self/task/{thread}/schedstat").read_text().split()
        return cls(
            time.monotonic(), busy, own, (int(fields[11]) + int(fields[12])) / tick,
            int(run_ns) / 1e9, int(wait_ns) / 1e9,
        )  # fmt: skip

    def until(self, later: CpuSample) -> str:
        wall = later.wall - self.wall
        ours = (later.own - self.own) + (later.child - self.child)
        busy = later.machine_busy - self.machine_busy
        return (
            f"the server's thread (one event loop: UDP, decode, track, detect, commit, push, "
            f"HTTP) ran {(later.thread_run - self.thread_run) / wall:.0%} of a core and waited "
            f"for a core {(later.thread_wait - self.thread_wait) / wall:.0%} of the time; the "
            f"machine was busy {busy / wall:.0%} of one core ({os.cpu_count()} cores), this "
            f"benchmark's processes {ours / wall:.0%}, others {max(busy - ours, 0) / wall:.0%}"
        )


def udp_receive_errors() -> int:
    """The kernel's count of UDP datagrams dropped because a receive buffer was full."""
    rows = [
        r.split() for r in Path("/proc/net/snmp").read_text().splitlines() if r.startswith("Udp:")
    ]
    if len(rows) < 2 or "RcvbufErrors" not in rows[0]:
        return 0
    return int(rows[1][rows[0].index("RcvbufErrors")])


# --- part 1: the stream ----------------------------------------------------------------------


def retag(line: str, shift: int) -> str:
    """The line with its tag block's `c:` time moved by `shift` seconds (checksum redone)."""
    m = _TAG.match(line)
    if m is None:
        raise ValueError(f"no tag block: {line[:40]}")
    body = f"c:{int(m[1]) + shift},{m[2]}"
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    return f"\\{body}*{checksum:02X}\\{line[m.end() :]}"


@dataclass
class Stream:
    lines: list[str]
    # (MMSI, time) of each position report -> its line numbers (0-based, in send order)
    where: dict[tuple[int, int], list[int]]
    positions: int


def build_stream(base: Sequence[str], count: int) -> Stream:
    """`count` lines: the scenario again and again, each copy two days after the last, all in
    the past (the live listener refuses fixes more than 5 minutes ahead of its clock)."""
    decoder = AisDecoder()
    reports: list[tuple[int, int, int]] = []  # (line in the copy, MMSI, unix second)
    for n, line in enumerate(base):
        for out in decoder.feed(line, n):
            when = timed_position(out)
            if when is not None and isinstance(out, AisMessage):
                reports.append((out.line_no, out.mmsi, when))
    newest = max(int(m[1]) for m in (_TAG.match(line) for line in base) if m is not None)
    copies = -(-count // len(base))
    latest_shift = (int(time.time()) - 3600 - newest) // 60 * 60  # the AIS second field stays true
    lines: list[str] = []
    where: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k in range(copies):
        shift = latest_shift - (copies - 1 - k) * TWO_DAYS
        first = k * len(base)
        lines += [retag(line, shift) for line in base[: count - first]]
        for n, mmsi, second in reports:
            if first + n < count:
                where[(mmsi, second + shift)].append(first + n)
    return Stream(lines, dict(where), sum(len(v) for v in where.values()))


@dataclass
class Commit:
    begin: float  # the stream's commit called: the listener found a batch due
    start: float  # the store's commit called: items, releases and audit entries made
    end: float  # the store's commit returned
    done: float  # the stream's commit returned: the live streams have been told
    items: list[str]
    kinds: Counter[str]
    fixes: Sequence[Fix]


class CommitLog:
    """Times every commit of the live AIS stream (monotonic clock) and keeps what it held: the
    benchmark's only instruments inside the server, wrappers around the stream's `commit` and
    the store's."""

    def __init__(self, hub: Hub) -> None:
        self.commits: list[Commit] = []
        begun = [math.nan]
        store_commit = hub.store.commit

        def commit(batch: Batch) -> None:
            start = time.monotonic()
            store_commit(batch)
            end = time.monotonic()
            self.commits.append(
                Commit(
                    begun[0], start, end, math.nan, [i.id for i in batch.items],
                    Counter(i.kind for i in batch.items), batch.positions,
                )
            )  # fmt: skip

        make_stream = hub.ais_stream

        def ais_stream(
            feed_id: str, source: str, *, live: bool = False, region: Path | None = None
        ) -> AisStream:
            stream = make_stream(feed_id, source, live=live, region=region)
            stream_commit = stream.commit

            def timed(offsets: Mapping[str, int] | None = None) -> int:
                begun[0] = time.monotonic()
                made = stream_commit(offsets)
                if self.commits and self.commits[-1].begin == begun[0]:
                    self.commits[-1].done = time.monotonic()
                return made

            stream.commit = timed  # type: ignore[method-assign]
            return stream

        hub.store.commit = commit  # type: ignore[method-assign]
        hub.ais_stream = ais_stream  # type: ignore[method-assign]


# --- part 1: child processes -----------------------------------------------------------------


def child_sender(path: str, rate: float, port: int, out: str) -> None:
    """Send each line as one datagram, paced to `rate` lines/s; record each send time."""
    lines = [line.encode("ascii") for line in Path(path).read_text("ascii").splitlines()]
    sent = array("d", bytes(8 * len(lines)))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((HOST, port))
        start = time.monotonic()
        for n, line in enumerate(lines):
            ahead = start + n / rate - time.monotonic()
            if ahead > 0.0005:
                time.sleep(ahead)
            sock.send(line)
            sent[n] = time.monotonic()
    Path(out).write_bytes(sent.tobytes())
    print(json.dumps({"sent": len(lines), "seconds": sent[-1] - sent[0]}))


Received = list[tuple[str, str, float, str, str]]  # partner, transport, time, item id, kind


async def _sse(url: str, client: dict[str, Any], got: Received, ready: Callable[[], None]) -> None:
    partner = client["partner"]
    headers = {"Authorization": f"Bearer {client['token']}"}
    async with (
        httpx.AsyncClient(timeout=None) as http,
        http.stream("GET", f"{url}/api/v1/stream?after={client['after']}", headers=headers) as r,
    ):
        r.raise_for_status()
        ready()
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("data:") and event == "release":
                now = time.monotonic()
                item = json.loads(line[5:])["item"]
                got.append((partner, "sse", now, item["id"], item["kind"]))
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif not line:
                event = ""


async def _ws(url: str, client: dict[str, Any], got: Received, ready: Callable[[], None]) -> None:
    partner = client["partner"]
    headers = {"Authorization": f"Bearer {client['token']}"}
    ws_url = url.replace("http://", "ws://") + f"/api/v1/ws?after={client['after']}"
    async with ws_connect(ws_url, additional_headers=headers, max_size=None) as socket_:
        ready()
        async for message in socket_:
            now = time.monotonic()
            data = json.loads(message)
            if data.get("type") == "release":
                item = data["item"]
                got.append((partner, "ws", now, item["id"], item["kind"]))


async def _clients(config: dict[str, Any]) -> Received:
    got: Received = []
    connected = asyncio.Event()
    waiting = len(config["clients"])

    def ready() -> None:
        nonlocal waiting
        waiting -= 1
        if waiting == 0:
            connected.set()

    tasks = [
        asyncio.create_task(
            (_sse if c["transport"] == "sse" else _ws)(config["url"], c, got, ready)
        )
        for c in config["clients"]
    ]
    wait_ready = asyncio.create_task(connected.wait())
    await asyncio.wait([wait_ready, *tasks], timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if not connected.is_set():
        for t in tasks:
            if t.done() and t.exception() is not None:
                raise RuntimeError(f"a client failed: {t.exception()!r}")
        raise RuntimeError("the clients did not all connect")
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the parent: stop
    failed = [t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception()]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if failed:
        raise RuntimeError(f"a client stopped early: {failed[0]!r}")
    return got


def child_clients(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text("utf-8"))
    got = asyncio.run(_clients(config))
    Path(config["out"]).write_text(json.dumps(got), "utf-8")


# --- part 1: the run -------------------------------------------------------------------------


def settle(log: CommitLog, positions: int, quiet_s: float = 2.5, limit_s: float = 60.0) -> None:
    """Wait until every position report sent is committed, or none has been for `quiet_s` (the
    kernel may have dropped some); then a moment for the last releases to reach the clients."""
    deadline = time.monotonic() + limit_s
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        stored = sum(len(c.fixes) for c in list(log.commits))
        if stored >= positions:
            break
        if stored != seen:
            seen, since = stored, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            break
        time.sleep(0.1)
    time.sleep(1.0)


def receivers(hub: Hub, feed_id: str = LIVE_FEED) -> tuple[list[str], dict[str, str]]:
    """Who may receive a feed's position items under the demo's agreements, and why not."""
    feed = hub.config.feed(feed_id)
    assert feed is not None
    probe = Item(
        "positions--probe", "position", frozenset({feed.originator}), feed.area, feed.label,
        datetime.now(UTC), {}, (), feed.id,
    )  # fmt: skip
    allowed, denied = [], {}
    for partner in PARTNERS:
        decision = hub.releaser.decide(probe, partner)
        if decision.allowed:
            allowed.append(partner)
        else:
            denied[partner] = decision.reasons[0] if decision.reasons else "denied"
    return allowed, denied


@dataclass
class LiveRun:
    stream: Stream
    sent: array[float]
    got: Received
    commits: list[Commit]
    drops: int
    cpu: str  # where the CPU went while sending
    allowed: list[str]
    denied: dict[str, str]
    other: list[str]  # who would receive jpn-ais, the demo's other AIS feed


def run_live(base: Sequence[str], seconds: float, rate: float, tmp: Path) -> LiveRun:
    tmp.mkdir(parents=True, exist_ok=True)
    stream = build_stream(base, round(seconds * rate))
    lines_path = tmp / "stream.nmea"
    lines_path.write_text("".join(line + "\n" for line in stream.lines), "ascii")
    hub = Hub.open(tmp / "live.db")
    try:
        load_demo(hub)
        allowed, denied = receivers(hub)
        other = receivers(hub, OTHER_FEED)[0]
        clients = [
            {
                "partner": p,
                "transport": "sse" if p in SSE else "ws",
                "token": str(tokens.issue(hub.store, p, tokens.PARTNER, hub.clock())[1]),
                "after": hub.feed(p, 0, 1_000_000).next,  # from now on: not the demo's backlog
            }
            for p in PARTNERS
        ]
        log = CommitLog(hub)
        http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
        app = create_app(hub, listen=(LIVE_FEED, Endpoints(udp=[(HOST, udp_port)], tcp=[])))
        received_path, sent_path = tmp / "received.json", tmp / "sent.bin"
        config = {
            "url": f"http://{HOST}:{http_port}",
            "clients": clients,
            "out": str(received_path),
        }
        (tmp / "clients.json").write_text(json.dumps(config), "utf-8")
        with serving_in_thread(app, http_port) as server_thread:
            listeners = subprocess.Popen(
                [sys.executable, "-m", "bench.serve", "--child", "clients", str(tmp / "clients.json")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert listeners.stdin is not None
            assert listeners.stdout is not None
            try:
                if listeners.stdout.readline().strip() != "ready":
                    raise RuntimeError("the client process did not connect its clients")
                drops_before = udp_receive_errors()
                before = CpuSample.take(server_thread, listeners.pid)
                subprocess.run(
                    [sys.executable, "-m", "bench.serve", "--child", "sender", str(lines_path),
                     str(rate), str(udp_port), str(sent_path)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                cpu = before.until(CpuSample.take(server_thread, listeners.pid))
                settle(log, stream.positions)
                drops = udp_receive_errors() - drops_before
                listeners.stdin.write("stop\n")
                listeners.stdin.flush()
                listeners.wait(30)
            finally:
                if listeners.poll() is None:
                    listeners.kill()
            if listeners.returncode != 0:
                raise RuntimeError("the client process failed")
        sent = array("d")
        sent.frombytes(sent_path.read_bytes())
        got: Received = [
            (str(p), str(t), float(at), str(i), str(k))
            for p, t, at, i, k in json.loads(received_path.read_text("utf-8"))
        ]
        return LiveRun(stream, sent, got, log.commits, drops, cpu, allowed, denied, other)
    finally:
        hub.close()


@dataclass
class Figures:
    """The run's latencies in steady state: all but the last position batch, which holds the
    stream's tail and waits for the listener's 1 s timer once lines stop (reported apart)."""

    span: float  # first line sent -> last line sent
    per_message: dict[str, list[float]]  # by transport
    per_release: dict[str, list[float]]
    tail: list[float]  # per release, the last batch
    lag: list[float]  # newest line of a batch sent -> its commit begins, batch by batch
    prepare: list[float]  # commit begins -> store transaction begins
    store: list[float]  # the store's transaction
    push: list[float]  # the commit returned -> a client has the release
    deliveries: Counter[str]  # by partner
    by_kind: Counter[str]
    unknown: int  # releases not traced to a commit of this run
    per_batch: list[int]  # fixes
    unmatched: int
    events: int
    fixes_out: int  # fixes in the position releases received, summed over partners

    def all(self, which: dict[str, list[float]]) -> list[float]:
        return which["sse"] + which["ws"]


def analyse(run: LiveRun) -> Figures:
    """Each fix committed -> the send time of its line, via (MMSI, time), unique in the stream;
    each release received -> the commit that made it."""
    sent = run.sent
    queues = {k: list(v) for k, v in run.stream.where.items()}
    of_item: dict[str, Commit] = {}
    newest: dict[int, float] = {}
    sends: dict[int, list[float]] = {}
    unmatched = 0
    for c in run.commits:
        for item_id in c.items:
            of_item[item_id] = c
        times = []
        for f in c.fixes:
            found = queues.get((f.mmsi, int(f.time)))
            if found:
                times.append(sent[found.pop(0)])
            else:
                unmatched += 1
        if times:
            newest[id(c)], sends[id(c)] = max(times), times
    batches = [c for c in run.commits if id(c) in newest]
    last = id(batches[-1]) if batches else None
    per_message: dict[str, list[float]] = {"sse": [], "ws": []}
    per_release: dict[str, list[float]] = {"sse": [], "ws": []}
    tail: list[float] = []
    push: list[float] = []
    deliveries: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    unknown = fixes_out = 0
    for partner, transport, at, item_id, kind in run.got:
        deliveries[partner] += 1
        by_kind[kind] += 1
        made = of_item.get(item_id)
        if made is None or id(made) not in newest:
            unknown += 1
            continue
        if kind == "position":
            fixes_out += len(sends[id(made)])
        if id(made) == last:
            tail.append(at - newest[id(made)])
            continue
        per_release[transport].append(at - newest[id(made)])
        push.append(at - made.done)
        if kind == "position":
            per_message[transport] += [at - s for s in sends[id(made)]]
    return Figures(
        span=sent[-1] - sent[0],
        per_message=per_message,
        per_release=per_release,
        tail=tail,
        lag=[c.begin - newest[id(c)] for c in batches],
        prepare=sorted(c.start - c.begin for c in batches),
        store=sorted(c.end - c.start for c in batches),
        push=sorted(push),
        deliveries=deliveries,
        by_kind=by_kind,
        unknown=unknown,
        per_batch=[len(c.fixes) for c in batches],
        unmatched=unmatched,
        events=sum(c.kinds["event"] for c in run.commits),
        fixes_out=fixes_out,
    )


def median(values: Sequence[float]) -> str:
    return ms(statistics.median(values)) if values else "-"


def verdict(values: list[float]) -> str:
    if not values:
        return "no deliveries"
    p99 = pct(sorted(values), 99)
    return f"{'met' if p99 < TARGET_S else 'NOT met'} (p99 {ms(p99)})"


def report_live(run: LiveRun, seconds: float, rate: float) -> None:
    stream, sent, f = run.stream, run.sent, analyse(run)
    print(
        f"live: demo hub, feed {LIVE_FEED} over UDP on loopback (one NMEA line a datagram), "
        f"asked {rate:,.0f} lines/s for {seconds:g} s; the listener runs in the server's event "
        "loop (as `liaison serve --listen-udp`) and commits every 1 s or 5,000 lines"
    )
    print(
        f"  processes: hub + uvicorn + listener (this process, one event loop), sender (1), "
        f"10 clients (1 asyncio process); {os.cpu_count()} cores shared by all of them"
    )
    print(
        f"  clients: SSE (httpx) {' '.join(SSE)}; WebSocket (websockets) {' '.join(WS)}; "
        f"{LIVE_FEED}'s positions and events may go to {len(run.allowed)} of 10: "
        f"{' '.join(run.allowed)}"
    )
    for partner, why in run.denied.items():
        print(f"    withheld from {partner}: {why}")
    print(f"    ({OTHER_FEED}, the demo's other AIS feed, would reach {' '.join(run.other)} only)")
    stored = sum(f.per_batch)
    print(
        f"  sent: {len(sent):,} lines ({stream.positions:,} position reports) in {f.span:.2f} s "
        f"= {(len(sent) - 1) / f.span:,.0f} lines/s; kernel UDP receive-buffer drops during the "
        f"run: {run.drops}"
    )
    print(
        f"  committed: {len(f.per_batch)} position batches, {stored:,} fixes "
        f"({stream.positions - stored:,} sent but not stored, {f.unmatched} not matched to a "
        f"line), {f.events} events (gaps between copies of the scenario among them); fixes a "
        f"batch: median {statistics.median(f.per_batch or [0]):,.0f}"
    )
    total = sum(f.deliveries.values())
    others = f", {f.unknown} not from this run" if f.unknown else ""
    print(
        f"  deliveries: {total:,} releases ({f.by_kind['position']:,} position batches, "
        f"{f.by_kind['event']:,} events{others}) = {total / f.span:,.1f} deliveries/s; "
        f"{f.fixes_out / f.span:,.0f} fixes/s reached partners (a position release carries its "
        "batch's count, time span and box, not the fixes)"
    )
    print(
        "  per partner: "
        + ", ".join(f"{p} {f.deliveries[p]}" for p in PARTNERS)
        + f"  ({sum(1 for p in PARTNERS if f.deliveries[p])} of 10 received something)"
    )
    print(
        "  latency per message = time a client receives the release holding a position report "
        "- time that report's line was sent (one value per report per partner):"
    )
    for transport, name in (("sse", "SSE"), ("ws", "WebSocket")):
        print(f"    {name:10}: {spread(f.per_message[transport])}")
    print(f"    {'all':10}: {spread(f.all(f.per_message))}")
    print(
        "  latency per release = time a client receives a release - send time of the newest "
        "line committed with it (the freshest report it carries; events too):"
    )
    for transport, name in (("sse", "SSE"), ("ws", "WebSocket")):
        print(f"    {name:10}: {spread(f.per_release[transport])}")
    print(f"    {'all':10}: {spread(f.all(f.per_release))}")
    print(
        f"  (not in the figures above: the last batch, the stream's tail, which waits for the "
        f"listener's 1 s timer once lines stop: per release {spread(f.tail)})"
    )
    print(f"  while sending: {run.cpu}")
    print(
        "  newest line sent -> its batch's commit begins, batch by batch: "
        + " ".join(f"{x * 1000:.0f}" for x in f.lag)
        + " ms"
    )
    print(
        f"  where a release's time goes (medians): newest line sent -> commit begins "
        f"{median(f.lag[:-1])}; making items, releases, audit entries {median(f.prepare)}; "
        f"store transaction {median(f.store)} (max {ms(max(f.store, default=math.nan))}); "
        f"commit returns -> client has it {median(f.push)} (p99 {ms(pct(f.push or [math.nan], 99))})"
    )
    print(
        f"  target p99 < 100 ms at {rate:,.0f} msg/s with 10 partners: per message "
        f"{verdict(f.all(f.per_message))}; per release {verdict(f.all(f.per_release))}"
    )


def report_floor(run: LiveRun, seconds: float, rate: float) -> None:
    """The same, shorter and slower: what the latency is when the server keeps up."""
    f = analyse(run)
    print(
        f"  again at {rate:,.0f} lines/s for {seconds:g} s ({sum(f.deliveries.values()) / f.span:,.1f} "
        f"deliveries/s, kernel drops {run.drops}):"
    )
    print(f"    per message: {spread(f.all(f.per_message))}")
    print(f"    per release: {spread(f.all(f.per_release))}")
    print(
        f"    medians: newest line sent -> commit begins {median(f.lag[:-1])}; making items, "
        f"releases, audit entries {median(f.prepare)}; store transaction {median(f.store)}; "
        f"commit returns -> client has it {median(f.push)}"
    )
    print(f"    while sending: {run.cpu}")
    print(
        f"    target p99 < 100 ms: per message {verdict(f.all(f.per_message))}; per release "
        f"{verdict(f.all(f.per_release))}"
    )


# --- part 2: TAXII -----------------------------------------------------------------------------


def child_taxii_server(db: str, port: int) -> None:
    """Liaison's API for an existing hub, with uvicorn, until terminated."""
    hub = Hub.open(db)
    try:
        uvicorn.run(create_app(hub), host=HOST, port=port, log_level="warning")
    finally:
        hub.close()


def report_lines(count: int) -> dict[str, list[str]]:
    """`count` reports on four feeds, each releasable to NATO and USA."""
    feeds = ["nato-reports", "gbr-reports", "fra-reports", "usa-reports"]
    out: dict[str, list[str]] = defaultdict(list)
    for n in range(count):
        feed = feeds[n % len(feeds)]
        origin = feed.split("-")[0].upper()
        rel = ", ".join(dict.fromkeys(["NATO", "USA", origin]))
        out[feed].append(
            json.dumps(
                {
                    "id": f"bench-report-{n}",
                    "title": f"Contact report {n}: vessel of interest sighted",
                    "body": "A merchant vessel loitered near the cable route for three hours "
                    f"before heading north-east; sighting {n} of the series.",
                    "time": f"2026-11-29T{n // 60 % 24:02d}:{n % 60:02d}:00Z",
                    "label": f"NATO RESTRICTED // REL TO {rel}",
                }
            )
        )
    return out


@contextlib.contextmanager
def process(args: list[str], log: Path, ready_url: str, **get: Any) -> Iterator[None]:
    """A server process, until its `ready_url` answers 200; terminated (by its pid) at the end."""
    with log.open("wb") as errors:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(ready_url, timeout=5, **get).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[2:4]} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


Get = Callable[[dict[str, str]], tuple[float, dict[str, Any]]]


def getter(session: requests.Session, url: str) -> Get:
    def get(params: dict[str, str]) -> tuple[float, dict[str, Any]]:
        start = time.perf_counter()
        response = session.get(url, params=params, timeout=600)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return elapsed, body

    return get


def repeat(get: Get, params: dict[str, str], reps: int, budget: float | None = None) -> list[float]:
    get(params)  # once untimed: connections and caches warm
    out: list[float] = []
    start = time.perf_counter()
    while len(out) < reps:
        if (
            budget is not None
            and len(out) >= MEDALLION_MIN
            and time.perf_counter() - start > budget
        ):
            break
        out.append(get(params)[0])
    return out


def walk(get: Get, first: dict[str, str]) -> tuple[list[float], list[dict[str, Any]]]:
    """Every page of the collection, following `next`: each request's time and body."""
    times, bodies = [], []
    params = dict(first)
    while True:
        elapsed, body = get(params)
        times.append(elapsed)
        bodies.append(body)
        if not body.get("more"):
            return times, bodies
        params = {**first, "next": body["next"]}


def run_taxii(base: Sequence[str], n_reports: int, reps: int, tmp: Path) -> float:
    hub = Hub.open(tmp / "taxii.db")
    try:
        load_demo(hub)
        for feed, lines in report_lines(n_reports).items():
            hub.ingest_reports(feed, lines, "bench")
        events = hub.ingest_ais(LIVE_FEED, base, "all.nmea").events
        secret = str(tokens.issue(hub.store, TAXII_PARTNER, tokens.PARTNER, hub.clock())[1])
    finally:
        hub.close()
    collection = {
        "id": taxii.collection_id(f"area:{TAXII_AREA}"),
        "title": f"{TAXII_AREA} ({TAXII_PARTNER})",
    }
    ours_port, theirs_port = free_port(), free_port()
    ours_base = f"http://{HOST}:{ours_port}"
    headers = {"Accept": serve_medallion.TAXII_MEDIA}
    ours = requests.Session()
    ours.headers.update({**headers, "Authorization": f"Bearer {secret}"})
    ours_url = f"{ours_base}/taxii2/liaison/collections/{collection['id']}/objects/"
    with process(
        [
            sys.executable,
            "-m",
            "bench.serve",
            "--child",
            "taxii-server",
            str(tmp / "taxii.db"),
            str(ours_port),
        ],
        tmp / "liaison.log",
        f"{ours_base}/api/v1/health",
    ):
        get_ours = getter(ours, ours_url)
        get_ours_manifest = getter(ours, ours_url.replace("/objects/", "/manifest/"))
        objects = _collect(get_ours, get_ours_manifest)
        theirs_base = f"http://{HOST}:{theirs_port}"
        config = serve_medallion.write_config(tmp, theirs_port, collection, objects, PAGE)
        theirs = requests.Session()
        theirs.headers.update(headers)
        theirs.auth = (serve_medallion.USER, serve_medallion.PASSWORD)
        theirs_url = serve_medallion.collection_url(theirs_base, collection["id"])
        with process(
            [sys.executable, "-m", "bench.serve_medallion", str(config), str(theirs_port)],
            tmp / "medallion.log", f"{theirs_base}/taxii2/", headers=headers,
            auth=(serve_medallion.USER, serve_medallion.PASSWORD),
        ):  # fmt: skip
            get_theirs = getter(theirs, theirs_url)
            return _compare(get_ours, get_theirs, objects, events, n_reports, reps)


def _collect(get: Get, get_manifest_: Get) -> list[tuple[dict[str, Any], str]]:
    added: dict[tuple[str, str], str] = {}
    for body in walk(get_manifest_, {"limit": "10000"})[1]:
        for m in body.get("objects", []):
            added.setdefault((m["id"], m["version"]), m["date_added"])
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for body in walk(get, {"limit": "10000"})[1]:
        for obj in body.get("objects", []):
            seen.setdefault((obj["id"], taxii.version_of(obj)), obj)
    return [(obj, added[key]) for key, obj in seen.items()]


def _compare(
    get_ours: Get,
    get_theirs: Get,
    objects: list[tuple[dict[str, Any], str]],
    events: Counter[str],
    n_reports: int,
    reps: int,
) -> float:
    types = Counter(obj["type"] for obj, _ in objects)
    print(
        f"TAXII: {TAXII_PARTNER}'s {TAXII_AREA} collection after {n_reports:,} reports and the "
        f"`all` scenario on {LIVE_FEED} ({sum(events.values())} events): {len(objects):,} objects ("
        + ", ".join(f"{n} {t}" for t, n in types.most_common())
        + f"), loaded as they are into medallion with their date_added; pages of {PAGE}"
    )
    print(
        f"  liaison: uvicorn {uvicorn.__version__} (h11), own process; medallion 3.0.0 memory "
        "backend: werkzeug make_server (threaded), own process; client: one requests.Session "
        "each (keep-alive), loopback; time = request sent -> body read"
    )
    first = {"limit": str(PAGE)}
    filtered = {"limit": str(PAGE), "match[type]": "report"}
    _, our_pages = walk(get_ours, first)
    _, their_pages = walk(get_theirs, first)
    ours_ids = {o["id"] for o in our_pages[0]["objects"]}
    theirs_ids = {o["id"] for o in their_pages[0]["objects"]}
    print(
        f"  a walk in pages of {PAGE}: liaison {len(our_pages)} pages "
        f"({sum(len(p.get('objects', [])) for p in our_pages):,} objects: creators and markings "
        f"come again on each page that needs them), medallion {len(their_pages)} pages "
        f"({sum(len(p.get('objects', [])) for p in their_pages):,} objects); first pages share "
        f"{len(ours_ids & theirs_ids)} of {len(ours_ids)} ids"
    )
    print(
        "  `next`: Liaison's token is stateless (the query runs again from a cursor), so its "
        "last full page is asked again and again; medallion's is a session holding what the "
        "first request filtered and sorted, consumed page by page, so each of its walks opens "
        "one (a first request with limit=1, not timed) and times every full page after it"
    )
    full = [i for i, p in enumerate(our_pages) if len(p.get("objects", [])) == PAGE]
    deepest = full[-1] if full and full[-1] > 0 else len(our_pages) - 1
    deep_ours = {**first, "next": our_pages[deepest - 1]["next"]} if deepest > 0 else first

    series: dict[str, tuple[list[float], list[float]]] = {}
    series["first page"] = (
        repeat(get_ours, first, reps),
        repeat(get_theirs, first, reps, MEDALLION_BUDGET_S),
    )
    series["deep page (next)"] = (
        repeat(get_ours, deep_ours, reps),
        _medallion_deep(get_theirs, first, reps),
    )
    series["filtered: match[type]=report"] = (
        repeat(get_ours, filtered, reps),
        repeat(get_theirs, filtered, reps, MEDALLION_BUDGET_S),
    )
    walks_ours = [sum(walk(get_ours, first)[0]) / len(our_pages) for _ in range(5)]
    walks_theirs = [sum(walk(get_theirs, first)[0]) / len(their_pages) for _ in range(3)]
    ratios = {}
    for name, (a, b) in series.items():
        ratios[name] = statistics.median(b) / statistics.median(a)
        print(f"  {name}:")
        print(
            f"    liaison  : median {ms(statistics.median(a)):>9}  p99 {ms(pct(sorted(a), 99)):>9}  (n={len(a)})"
        )
        print(
            f"    medallion: median {ms(statistics.median(b)):>9}  p99 {ms(pct(sorted(b), 99)):>9}  (n={len(b)})"
        )
        print(f"    ratio (medallion / liaison): {ratios[name]:.2f}")
    print(
        f"  whole collection page by page (mean per page over a walk, median of walks): liaison "
        f"{ms(statistics.median(walks_ours))}, medallion {ms(statistics.median(walks_theirs))}; "
        f"ratio {statistics.median(walks_theirs) / statistics.median(walks_ours):.2f}"
    )
    worst = min(ratios, key=lambda k: ratios[k])
    print(
        f"target at least as fast as medallion (ratio >= 1 on every kind of page): "
        f"{'met' if ratios[worst] >= 1 else 'NOT met'} (smallest: {worst})"
    )
    return ratios[worst]


def _medallion_deep(get: Get, first: dict[str, str], reps: int) -> list[float]:
    out: list[float] = []
    start = time.perf_counter()
    while len(out) < reps and (
        len(out) < MEDALLION_MIN or time.perf_counter() - start < MEDALLION_BUDGET_S
    ):
        _, body = get({**first, "limit": "1"})
        while body.get("more"):
            elapsed, body = get({**first, "next": body["next"]})
            if len(body.get("objects", [])) == int(first["limit"]):
                out.append(elapsed)
    return out


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to send (15)")
    parser.add_argument("--rate", type=float, default=5000.0, help="NMEA lines a second (5000)")
    parser.add_argument(
        "--floor-rate", type=float, default=1000.0,
        help="a second, shorter live run at this rate (1000; 0: none)",
    )  # fmt: skip
    parser.add_argument("--floor-seconds", type=float, default=6.0, help="its length (6)")
    parser.add_argument("--reps", type=int, default=200, help="requests a kind of TAXII page (200)")
    parser.add_argument(
        "--taxii-reports", type=int, default=200,
        help="reports in the TAXII collection (200; medallion's first page grows as the square)",
    )  # fmt: skip
    args = parser.parse_args()
    print(describe())
    base = [line for _, line in nmea_lines(build_scenario("all", 1, load_region()))]
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        report_live(run_live(base, args.seconds, args.rate, Path(tmp)), args.seconds, args.rate)
        if args.floor_rate > 0:
            floor = run_live(base, args.floor_seconds, args.floor_rate, Path(tmp) / "floor")
            report_floor(floor, args.floor_seconds, args.floor_rate)
        ratio = run_taxii(base, args.taxii_reports, args.reps, Path(tmp))
    print(f"ratio: {ratio:.2f}")
    return 0


CHILDREN: dict[str, Callable[..., None]] = {
    "sender": lambda path, rate, port, out: child_sender(path, float(rate), int(port), out),
    "clients": child_clients,
    "taxii-server": lambda db, port: child_taxii_server(db, int(port)),
}


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](*sys.argv[3:])
    else:
        sys.exit(main())
