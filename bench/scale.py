"""Scale-out: ingest throughput and ingest -> delivery latency with 1, 2 and 4 hub processes on
PostgreSQL + NATS JetStream, beside the embedded default (one process, SQLite), on one machine.

Input. The simulated `all` scenario, one copy per seed (different seeds, different vessels),
each copy two days after the last and all of them in the past (tag-block times moved by whole
minutes, as bench/serve.py does); one NMEA line a datagram, over UDP on loopback, to feed
jpn-ais. Each position report is known by (MMSI, second) (the few collisions, a spoofed
identity's two transmitters in one second, are traced to the first line), and each line's send
time is recorded (CLOCK_MONOTONIC, shared by every process on the machine). Every setup gets
the same input.

Setups, each with a fresh demo hub (`liaison init`) of its own:
  embedded    `liaison serve --db hub.db --listen-udp ... --commit-ms 100`: one process
              receives, decodes, tracks, detects, labels, stores, releases and serves.
  PG + NATS   one PostgreSQL cluster (a fresh database per N) and a fresh nats-server
              (JetStream, file store) per N; `liaison publish --partitions 4 --udp ...`
              receives the datagrams and publishes each message to its vessel's partition; N
              `liaison serve --bus --partition ...` processes split the 4 partitions
              (N=1: all four, N=2: two each, N=4: one each).
One partner (USA) holds a Server-Sent Events stream (`/api/v1/stream`, a client in its own
process) on one serve process: with N > 1 most batches are committed by another process and
reach it through PostgreSQL NOTIFY, as a deployment's partners would.

Two phases per setup.
  latency     a fixed offered rate (--rate lines/s, below every setup's capacity) for
              --seconds. Latency per release = the partner holds a position release - the
              send time of the newest line in its batch (the batch's fixes are read from the
              store afterwards and traced to their lines by (MMSI, second)); p50 and p99 over
              every release of the phase.
  throughput  a flood: lines as fast as the hub keeps up, with at most --window position
              reports sent but not yet stored (a closed loop: UDP cannot push back, and a
              sender that outruns the hub only measures the kernel's drops). The store is
              polled (read-only, `count(*)` of positions, every 50 ms); throughput = fixes
              stored / (first line sent -> the poll that finds them all). Run --repeats times
              on fresh seeds; the median is reported, with the spread.
Ratios are against the embedded setup of the same run. CPU per process during each phase (in
% of one core, from /proc) says who was busy, and what the rest of the machine took: every
process (hubs, publisher, PostgreSQL, nats-server, the partner, this driver, and anything else
running) shares the cores. Hub CPU per fix (every hub-side process's CPU during a flood over
the fixes it stored) is the cost of a fix, whatever else the machine was doing.

Durability is like for like where it can be: SQLite commits with synchronous=FULL and this
PostgreSQL cluster runs with fsync, synchronous_commit and full_page_writes on (the tests'
cluster turns them off; --pg-no-fsync does too). JetStream's file store acknowledges before
its data is synced to disk (nats-server syncs every 2 minutes by default).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import select
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from tests.servers import (
    PostgresServer,
    free_port,
    remove,
    remove_nats,
    start_nats,
    start_postgres,
)

from bench.machine import describe
from bench.serve import pct, retag, timed_position
from liaison.maritime.ais import AisDecoder, AisMessage
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines

HOST = "127.0.0.1"
FEED = "jpn-ais"
PARTNER = "USA"
PARTITIONS = 4
TWO_DAYS = 2 * 86_400
POLL_S = 0.05  # the store's count, while waiting
QUIET_S = 8.0  # no fix stored for this long: the rest was lost
LIMIT_S = 180.0  # a phase gives up after this long
ROOT = Path(__file__).resolve().parents[1]


# --- the input -------------------------------------------------------------------------------


@dataclass
class Sea:
    """Every line of the run, in send order; the phases are slices of it."""

    lines: list[bytes] = field(default_factory=list)
    where: dict[tuple[int, int], int] = field(default_factory=dict)  # (MMSI, second) -> line
    upto: array[int] = field(default_factory=lambda: array("q", [0]))  # reports in lines[:n]
    starts: list[int] = field(default_factory=list)  # where each copy begins
    messages: int = 0  # AIS messages (one bus message each)
    collisions: int = 0  # a (MMSI, second) seen twice: traced to its first line only

    def reports(self, lo: int, hi: int) -> int:
        return self.upto[hi] - self.upto[lo]


def build_sea(seeds: Sequence[int]) -> Sea:
    """The `all` scenario once per seed, copy k two days after copy k-1, the last an hour ago."""
    region = load_region()
    bases = [[line for _, line in nmea_lines(build_scenario("all", s, region))] for s in seeds]
    newest = max(int(retag_time(line)) for base in bases for line in base[-50:])
    latest_shift = (int(time.time()) - 3600 - newest) // 60 * 60  # the AIS second field stays true
    sea = Sea()
    for k, base in enumerate(bases):
        shift = latest_shift - (len(bases) - 1 - k) * TWO_DAYS
        decoder = AisDecoder()
        first = len(sea.lines)
        sea.starts.append(first)
        report_at: set[int] = set()
        for n, line in enumerate(base):
            for out in decoder.feed(line, n):
                sea.messages += 1
                when = timed_position(out)
                if when is not None and isinstance(out, AisMessage):
                    key = (out.mmsi, when + shift)
                    if key in sea.where:
                        sea.collisions += 1
                    else:
                        sea.where[key] = first + out.line_no
                    report_at.add(out.line_no)
        sea.messages += len(decoder.flush())
        for n, line in enumerate(base):
            sea.lines.append(retag(line, shift).encode("ascii"))
            sea.upto.append(sea.upto[-1] + (n in report_at))
    return sea


def retag_time(line: str) -> float:
    """The `c:` time of a line's tag block."""
    return float(line.split("c:", 1)[1].split(",", 1)[0].split("*", 1)[0])


# --- processes -------------------------------------------------------------------------------


def stop(proc: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it lingers: only this process, by its pid."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spawn(
    stack: contextlib.ExitStack, args: Sequence[str | Path], log: Path, cwd: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, *map(str, args)], stdout=out, stderr=subprocess.STDOUT, cwd=cwd
        )
    stack.callback(stop, proc)
    return proc


def liaison(tmp: Path, *args: str | Path) -> str:
    """One CLI command to completion (in the run's folder: nothing lands in the repository)."""
    done = subprocess.run(
        [sys.executable, "-m", "liaison", *map(str, args)],
        capture_output=True, text=True, cwd=tmp, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"liaison {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"{log.stem} did not start: {log.read_text(errors='replace')[-2000:]}"
            )
        time.sleep(0.05)


def healthy(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(f"http://{HOST}:{port}/api/v1/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    return check


def udp_bound(port: int) -> Callable[[], bool]:
    """Someone listens on this loopback UDP port (read from /proc: no probe that could race)."""
    wanted = f"0100007F:{port:04X}"

    def check() -> bool:
        rows = Path("/proc/net/udp").read_text().splitlines()[1:]
        return any(row.split()[1] == wanted for row in rows)

    return check


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def udp_receive_errors() -> int:
    """The kernel's count of datagrams dropped for a full receive buffer (the whole machine)."""
    rows = [r.split() for r in Path("/proc/net/snmp").read_text().splitlines() if r.startswith("Udp:")]  # fmt: skip
    if len(rows) < 2 or "RcvbufErrors" not in rows[0]:
        return 0
    return int(rows[1][rows[0].index("RcvbufErrors")])


# --- CPU -------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
                    out.append(int(entry.name))
    return out


def machine_busy() -> float:
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")


def postgres_pids(pg: PostgresServer) -> list[int]:
    try:
        master = int((pg.root / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return []
    return [master, *children_of(master)]


@dataclass
class Cpu:
    """CPU seconds per role (a role may be several processes) at one moment."""

    wall: float
    busy: float
    by_role: dict[str, float]

    @classmethod
    def take(cls, roles: dict[str, list[int]]) -> Cpu:
        return cls(
            time.monotonic(),
            machine_busy(),
            {r: sum(cpu_seconds(p) for p in pids) for r, pids in roles.items()},
        )

    def hub_seconds(self, later: Cpu) -> float:
        return sum(
            later.by_role[r] - self.by_role.get(r, 0.0)
            for r in later.by_role
            if r not in ("partner", "driver")
        )

    def until(self, later: Cpu) -> str:
        wall = later.wall - self.wall
        parts = [
            f"{role} {(later.by_role[role] - self.by_role.get(role, 0.0)) / wall:.0%}"
            for role in later.by_role
        ]
        ours = sum(later.by_role[r] - self.by_role.get(r, 0.0) for r in later.by_role)
        others = max(0.0, later.busy - self.busy - ours)
        cores = os.cpu_count() or 1
        return (
            f"{', '.join(parts)}; other processes on the machine {others / wall:.0%}; machine "
            f"busy {(later.busy - self.busy) / wall:.0%} (of {cores * 100}%)"
        )


# --- the store, read-only --------------------------------------------------------------------


class Probe:
    """The hub's positions table, read-only: a count while running, the fixes afterwards."""

    def __init__(self, db: str) -> None:
        self._pg: psycopg.Connection[Any] | None = None
        self._lite: sqlite3.Connection | None = None
        if db.startswith("postgresql://"):
            self._pg = psycopg.connect(db, autocommit=True)
        else:
            self._lite = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self._pg is not None:
            return list(self._pg.execute(sql.encode()).fetchall())
        assert self._lite is not None
        return list(self._lite.execute(sql).fetchall())

    def count(self) -> int:
        return int(self._rows("SELECT count(*) FROM positions")[0][0])

    def fixes(self) -> dict[str, list[tuple[int, int]]]:
        """Each batch's fixes as (MMSI, second)."""
        out: dict[str, list[tuple[int, int]]] = {}
        for source, mmsi, when in self._rows("SELECT source, mmsi, time FROM positions"):
            out.setdefault(str(source), []).append((int(mmsi), round(float(when))))
        return out

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
        if self._lite is not None:
            self._lite.close()


# --- the partner -----------------------------------------------------------------------------


async def _listen(url: str, token: str, after: int, out: str) -> None:
    got: list[tuple[float, str, str]] = []

    async def read() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            httpx.AsyncClient(timeout=None) as http,
            http.stream("GET", f"{url}/api/v1/stream?after={after}", headers=headers) as r,
        ):
            r.raise_for_status()
            print("ready", flush=True)
            event = ""
            async for line in r.aiter_lines():
                if line.startswith("data:") and event == "release":
                    now = time.monotonic()
                    item = json.loads(line[5:])["item"]
                    got.append((now, item["id"], item["kind"]))
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif not line:
                    event = ""

    task = asyncio.create_task(read())
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the parent: stop
    failed = task.exception() if task.done() else None
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    Path(out).write_text(json.dumps(got), "utf-8")
    if failed is not None:
        raise RuntimeError(f"the stream stopped early: {failed!r}")


def child_sse(url: str, token: str, after: str, out: str) -> None:
    asyncio.run(_listen(url, token, int(after), out))


class Partner:
    """The SSE client in its own process: started, then stopped with what it received."""

    def __init__(self, stack: contextlib.ExitStack, tmp: Path, url: str, token: str, after: int) -> None:  # fmt: skip
        self.out = tmp / "received.json"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.scale", "--child", "sse", url, token, str(after), str(self.out)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        stack.callback(stop, self.proc)
        assert self.proc.stdout is not None
        opened, _, _ = select.select([self.proc.stdout], [], [], 30)
        if not opened or self.proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("the partner's stream did not open")

    def received(self) -> list[tuple[float, str, str]]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"stop\n")
        self.proc.stdin.flush()
        if self.proc.wait(30) != 0:
            raise RuntimeError("the partner's client failed")
        return [(float(t), str(i), str(k)) for t, i, k in json.loads(self.out.read_text())]


# --- setups ----------------------------------------------------------------------------------


@dataclass
class Setup:
    name: str
    hubs: int  # hub processes (serve); the bus setups add one ingest process
    db: str
    udp_port: int
    roles: Callable[[], dict[str, list[int]]]  # pids per role, for the CPU figures
    partner: Partner


def cursor_now(port: int, token: str) -> int:
    """The partner's cursor now: the stream starts after the demo's own releases."""
    after = 0
    while True:
        body = httpx.get(
            f"http://{HOST}:{port}/api/v1/feed", params={"after": after, "limit": 10_000},
            headers={"Authorization": f"Bearer {token}"}, timeout=30,
        ).json()  # fmt: skip
        if not body["items"]:
            return after
        after = int(body["next"])


def hub_db(tmp: Path, db: str) -> str:
    key = tmp / "hub.audit-key"
    liaison(tmp, "init", "--db", db, "--audit-key", key)
    return liaison(tmp, "tokens", "create", "--db", db, "--partner", PARTNER).strip().splitlines()[-1]  # fmt: skip


def start_embedded(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    db = str(tmp / "hub.db")
    token = hub_db(tmp, db)
    port, udp = free_port(), free_udp_port()
    log = tmp / "serve.log"
    proc = spawn(
        stack,
        ["-m", "liaison", "serve", "--db", db, "--port", str(port), "--listen-udp",
         f"{HOST}:{udp}", "--listen-feed", FEED, "--commit-ms", "100",
         "--audit-key", tmp / "hub.audit-key"],
        log, tmp,
    )  # fmt: skip
    wait_until(healthy(port), proc, log)
    wait_until(udp_bound(udp), proc, log)
    partner = Partner(stack, tmp, f"http://{HOST}:{port}", token, cursor_now(port, token))
    return Setup(
        "embedded (SQLite)", 1, db, udp,
        lambda: {"serve": [proc.pid], "partner": [partner.proc.pid], "driver": [os.getpid()]},
        partner,
    )  # fmt: skip


def split(partitions: int, processes: int) -> list[list[int]]:
    return [list(range(partitions))[k::processes] for k in range(processes)]


def start_bus(stack: contextlib.ExitStack, tmp: Path, pg: PostgresServer, processes: int) -> Setup:
    nats = start_nats()
    stack.callback(remove_nats, nats)
    db = pg.database()
    token = hub_db(tmp, db)
    serves: list[subprocess.Popen[bytes]] = []
    ports = []
    for k, parts in enumerate(split(PARTITIONS, processes)):
        port = free_port()
        log = tmp / f"serve{k}.log"
        partitions = [a for p in parts for a in ("--partition", str(p))]
        serve = ["-m", "liaison", "serve", "--db", db, "--port", str(port), "--bus", nats.url]
        key = ["--audit-key", str(tmp / "hub.audit-key")]
        serves.append(spawn(stack, [*serve, *key, *partitions], log, tmp))
        ports.append((port, log))
    for proc, (port, log) in zip(serves, ports, strict=True):
        wait_until(healthy(port), proc, log)
    udp = free_udp_port()
    log = tmp / "publish.log"
    publisher = spawn(
        stack,
        ["-m", "liaison", "publish", "--bus", nats.url, "--feed", FEED,
         "--partitions", str(PARTITIONS), "--udp", f"{HOST}:{udp}"],
        log, tmp,
    )  # fmt: skip
    wait_until(udp_bound(udp), publisher, log)
    partner = Partner(stack, tmp, f"http://{HOST}:{ports[0][0]}", token, cursor_now(ports[0][0], token))  # fmt: skip

    def roles() -> dict[str, list[int]]:
        return {
            "publish": [publisher.pid],
            **{f"serve{k}": [p.pid] for k, p in enumerate(serves)},
            "postgres": postgres_pids(pg),
            "nats": [nats.process.pid] if nats.process is not None else [],
            "partner": [partner.proc.pid],
            "driver": [os.getpid()],
        }

    return Setup("PostgreSQL + NATS", processes, db, udp, roles, partner)


def start_cluster(fsync: bool) -> PostgresServer:
    """The tests' throwaway cluster, restarted durable (like SQLite's synchronous=FULL) unless
    told otherwise."""
    pg = start_postgres()
    if fsync:
        pg.stop()
        options = (
            f"-p {pg.port} -k {pg.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        )
        done = pg.ctl("-o", options, "-l", str(pg.root / "server.log"), "-w", "start")
        if done.returncode != 0:
            remove(pg)
            raise RuntimeError(f"PostgreSQL did not restart: {done.stderr}")
    return pg


# --- a phase ---------------------------------------------------------------------------------


@dataclass
class Phase:
    lo: int  # lines[lo:hi] were sent
    hi: int
    expected: int  # position reports among them
    stored: int
    first_sent: float
    last_sent: float
    all_stored: float  # the poll that found them all (or the last progress)
    drops: int  # kernel UDP receive-buffer drops, machine-wide
    cpu: str
    hub_cpu: float  # CPU seconds of the hub's side: every process but the partner and the driver

    @property
    def seconds(self) -> float:
        return self.all_stored - self.first_sent

    @property
    def throughput(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else math.nan


def send(
    setup: Setup, sea: Sea, sent: array[float], lo: int, hi: int, probe: Probe,
    *, rate: float | None, window: int,
) -> Phase:  # fmt: skip
    """lines[lo:hi] as datagrams, paced to `rate` or kept within `window` unstored reports;
    then wait until every report is stored (or none has been for QUIET_S)."""
    base = probe.count()
    expected = sea.reports(lo, hi)
    drops = udp_receive_errors()
    before = Cpu.take(setup.roles())
    stored, progress = 0, time.monotonic()
    last_poll = 0.0

    def poll() -> None:
        nonlocal stored, progress, last_poll
        last_poll = time.monotonic()
        now_stored = probe.count() - base
        if now_stored != stored:
            stored, progress = now_stored, last_poll

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((HOST, setup.udp_port))
        start = time.monotonic()
        for n in range(lo, hi):
            if rate is not None:
                ahead = start + (n - lo) / rate - time.monotonic()
                if ahead > 0.0005:
                    time.sleep(ahead)
            else:
                while sea.reports(lo, n) - stored > window:
                    if time.monotonic() - progress > QUIET_S:
                        raise RuntimeError(f"{setup.name}: nothing stored for {QUIET_S:g} s")
                    if time.monotonic() - last_poll >= POLL_S / 5:
                        poll()
                    else:
                        time.sleep(0.002)
            sock.send(sea.lines[n])
            sent[n] = time.monotonic()
    progress = time.monotonic()
    while stored < expected:
        now = time.monotonic()
        if now - progress > QUIET_S or now - start > LIMIT_S:
            break
        time.sleep(max(0.0, last_poll + POLL_S - now))
        poll()
    after = Cpu.take(setup.roles())
    return Phase(
        lo, hi, expected, stored, sent[lo], sent[hi - 1], progress,
        udp_receive_errors() - drops, before.until(after), before.hub_seconds(after),
    )  # fmt: skip


# --- a setup's run ---------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    hubs: int
    latency: Phase
    floods: list[Phase]
    per_release: list[float]  # latency phase: the newest line of each batch
    per_fix: list[float]  # latency phase: every fix of each batch
    flood_release: list[float]  # under the flood (bounded by the window)
    releases: int  # position releases the partner received
    untraced: int  # position releases not traced to a line of this run
    empty: int  # position releases with no fixes (a batch of vessel statics only)
    fixes_delivered: int  # fixes in the position releases received
    fixes_stored: int

    @property
    def lines(self) -> int:
        return sum(p.hi - p.lo for p in self.floods)

    @property
    def throughput(self) -> float:
        return statistics.median(p.throughput for p in self.floods)

    @property
    def stored(self) -> int:
        return sum(p.stored for p in self.floods)

    @property
    def cpu_per_fix(self) -> float:
        return statistics.median(
            p.hub_cpu / p.stored if p.stored else math.nan for p in self.floods
        )


def run_setup(
    setup: Setup, sea: Sea, slices: list[tuple[int, int]], args: argparse.Namespace
) -> Result:
    sent = array("d", [math.nan]) * len(sea.lines)
    probe = Probe(setup.db)
    try:
        (llo, lhi), *flood_slices = slices
        latency = send(setup, sea, sent, llo, lhi, probe, rate=args.rate, window=0)
        time.sleep(1.0)  # a quiet moment between the phases
        floods = [
            send(setup, sea, sent, lo, hi, probe, rate=None, window=args.window)
            for lo, hi in flood_slices
        ]
        time.sleep(1.5)  # the last releases reach the partner (polls are 0.25 s apart)
        got = setup.partner.received()
        fixes = probe.fixes()
    finally:
        probe.close()
    per_release: list[float] = []
    per_fix: list[float] = []
    flood_release: list[float] = []
    releases = untraced = empty = delivered = 0
    for at, item_id, kind in got:
        if kind != "position":
            continue
        releases += 1
        if not fixes.get(item_id):
            empty += 1
            continue
        lines = [sea.where.get(key) for key in fixes[item_id]]
        traced = [n for n in lines if n is not None and not math.isnan(sent[n])]
        if not traced:
            untraced += 1
            continue
        delivered += len(lines)
        newest = max(traced)
        if llo <= newest < lhi:
            per_release.append(at - sent[newest])
            per_fix.extend(at - sent[n] for n in traced)
        else:
            flood_release.append(at - sent[newest])
    return Result(
        setup.name, setup.hubs, latency, floods, sorted(per_release), sorted(per_fix),
        sorted(flood_release),
        releases, untraced, empty, delivered, sum(len(v) for v in fixes.values()),
    )  # fmt: skip


# --- the report ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if not math.isnan(seconds) else "-"


def quantile(values: Sequence[float], q: float) -> float:
    return pct(values, q) if values else math.nan


def processes(r: Result) -> str:
    return "1" if r.name.startswith("embedded") else f"{r.hubs} + 1"


def table(results: list[Result]) -> list[str]:
    base = results[0]
    head = (
        "setup", "processes", "lines", "fixes stored", "fixes/s", "hub CPU ms/fix",
        "p50 ms", "p99 ms", "p50/fix ms", "fixes/s vs emb.", "p50 vs emb.",
    )  # fmt: skip
    rows = [head]
    for r in results:
        p50 = quantile(r.per_release, 50)
        rows.append(
            (
                r.name, processes(r), f"{r.lines:,}", f"{r.stored:,}", f"{r.throughput:,.0f}",
                f"{r.cpu_per_fix * 1000:.2f}", ms(p50), ms(quantile(r.per_release, 99)),
                ms(quantile(r.per_fix, 50)), f"{r.throughput / base.throughput:.2f}",
                f"{p50 / quantile(base.per_release, 50):.2f}",
            )
        )  # fmt: skip
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(widths[c]) if c == 0 else cell.rjust(widths[c]) for c, cell in enumerate(row)
        ]
        out.append("  " + " | ".join(cells))
        if n == 0:
            out.append("  " + "-+-".join("-" * w for w in widths))
    return out


def spread(values: Sequence[float]) -> str:
    return (
        f"(n={len(values):,}) p50 {ms(quantile(values, 50))} p90 {ms(quantile(values, 90))} "
        f"p99 {ms(quantile(values, 99))} max {ms(quantile(values, 100))} ms"
    )


def details(r: Result) -> list[str]:
    lat = r.latency
    rate = (lat.hi - lat.lo - 1) / (lat.last_sent - lat.first_sent)
    out = [
        f"  {r.name}, {processes(r)} process{'es' if processes(r) != '1' else ''}:",
        f"    latency phase: {lat.hi - lat.lo:,} lines at {rate:,.0f}/s, {lat.stored:,} of "
        f"{lat.expected:,} reports stored, kernel UDP drops {lat.drops}",
        f"      per release (newest line of the batch) {spread(r.per_release)}",
        f"      per fix (every line of the batch)      {spread(r.per_fix)}",
        f"      CPU (of one core): {lat.cpu}",
    ]
    for k, p in enumerate(r.floods):
        lost = f", {p.expected - p.stored:,} NOT STORED" if p.stored < p.expected else ""
        out.append(
            f"    flood {k + 1}: {p.hi - p.lo:,} lines, {p.stored:,} of {p.expected:,} reports "
            f"stored{lost} in {p.seconds:.2f} s = {p.throughput:,.0f} fixes/s "
            f"({(p.hi - p.lo) / p.seconds:,.0f} lines/s; sending took "
            f"{p.last_sent - p.first_sent:.2f} s); kernel UDP drops {p.drops}; hub CPU "
            f"{p.hub_cpu * 1000 / max(p.stored, 1):.2f} ms a fix"
        )
        out.append(f"      CPU (of one core): {p.cpu}")
    rates = [p.throughput for p in r.floods]
    if len(rates) > 1:
        out.append(
            f"    throughput over {len(rates)} floods: median {statistics.median(rates):,.0f}, "
            f"min {min(rates):,.0f}, max {max(rates):,.0f} fixes/s"
        )
    out.append(
        "    under the floods (set by the window, not a floor): per release "
        + spread(r.flood_release)
    )
    sent_reports = lat.expected + sum(p.expected for p in r.floods)
    out.append(
        f"    the partner received {r.releases:,} position releases carrying "
        f"{r.fixes_delivered:,} fixes; {r.fixes_stored:,} stored of {sent_reports:,} sent"
        + (f"; {r.empty} releases carry no fixes (vessel statics only)" if r.empty else "")
        + (f"; {r.untraced} releases NOT traced to a line" if r.untraced else "")
    )
    return out


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (a few thousand lines)")
    parser.add_argument("--rate", type=float, default=400.0, help="latency phase lines/s (400)")
    parser.add_argument("--seconds", type=float, default=12.0, help="latency phase length (12)")
    parser.add_argument("--seeds", type=int, default=3, help="scenario copies a flood (3)")
    parser.add_argument("--repeats", type=int, default=3, help="floods a setup (3)")
    parser.add_argument("--window", type=int, default=3000, help="reports in flight (3000)")
    parser.add_argument("--processes", default="1,2,4", help="hub processes on the bus (1,2,4)")
    parser.add_argument("--pg-no-fsync", action="store_true", help="the tests' fast cluster")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C: every server and process started is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.seeds, args.repeats, args.seconds = 1, 1, 5.0
    counts = [int(n) for n in args.processes.split(",")]
    started = time.monotonic()
    print(describe())
    latency_lines = round(args.rate * args.seconds)
    per_seed = 6_000  # about one copy of the scenario
    latency_seeds = -(-latency_lines // per_seed)
    # Every setup gets the same input, on a store of its own; each phase copies of its own,
    # later than the phase before (nothing is "late" behind earlier input).
    sea = build_sea(range(1, 1 + latency_seeds + args.seeds * args.repeats))
    bounds = [*sea.starts, len(sea.lines)]
    latency_slice = (0, min(latency_lines, bounds[latency_seeds]))
    flood_slices = [
        (bounds[latency_seeds + r * args.seeds], bounds[latency_seeds + (r + 1) * args.seeds])
        for r in range(args.repeats)
    ]
    print(
        f"input: the `all` scenario, {len(sea.starts)} seeds, one copy each two days apart "
        f"({len(sea.lines):,} lines, {sea.upto[-1]:,} position reports, {sea.messages:,} AIS "
        f"messages), the same for every setup: {latency_slice[1]:,} lines at {args.rate:,.0f}/s "
        f"for the latency, then {args.repeats} flood(s) of {args.seeds} seeds "
        f"({', '.join(f'{hi - lo:,}' for lo, hi in flood_slices)} lines) with at most "
        f"{args.window:,} reports in flight"
        + (f"; {sea.collisions} (MMSI, second) collisions" if sea.collisions else "")
    )
    print(
        f"{os.cpu_count()} cores: every process below (hubs, publisher, PostgreSQL, nats-server, "
        "the partner's client, this driver) shares them; with 4 hub processes they contend, "
        "and the figures say so"
    )
    results: list[Result] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp_,
        contextlib.ExitStack() as outer,
    ):
        tmp = Path(tmp_)
        pg = start_cluster(fsync=not args.pg_no_fsync)
        outer.callback(remove, pg)
        print(
            f"PostgreSQL {pg.bin.parent.name} ({'fsync off' if args.pg_no_fsync else 'fsync on'}); "
            f"{nats_version()}; SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL)"
        )
        names = ["embedded", *(f"bus{n}" for n in counts)]
        for k, name in enumerate(names):
            folder = tmp / name
            folder.mkdir()
            with contextlib.ExitStack() as stack:
                setup = (
                    start_embedded(stack, folder)
                    if name == "embedded"
                    else start_bus(stack, folder, pg, counts[k - 1])
                )
                result = run_setup(setup, sea, [latency_slice, *flood_slices], args)
            results.append(result)
            print(
                f"  done: {result.name}, {processes(result)} ({time.monotonic() - started:.0f} s)",
                flush=True,
            )
    print()
    print(
        f"ingest throughput (flood: median of {args.repeats}) and ingest -> delivery latency "
        f"per position release at {args.rate:,.0f} lines/s; processes = hub processes (+ the "
        "ingest process on the bus); ratios against embedded"
    )
    for line in table(results):
        print(line)
    print(
        "  fixes/s: fixes stored / (first line sent -> all stored) in a flood, median of the "
        "floods; hub CPU ms/fix: CPU of every hub-side process (serve, publish, PostgreSQL, "
        "nats-server) per fix stored in a flood, median (the cost of a fix, whatever else the "
        f"machine does); p50/p99: per position release at {args.rate:,.0f} lines/s, the partner "
        "holds it - the newest line of its batch was sent; p50/fix: the same for every fix of "
        "the batch (what batching adds)"
    )
    for r in results[1:]:
        print(
            f"  ratio {r.name} with {r.hubs} hub process{'es' if r.hubs > 1 else ''} / embedded: "
            f"throughput {r.throughput / results[0].throughput:.2f}, CPU a fix "
            f"{r.cpu_per_fix / results[0].cpu_per_fix:.2f}, latency p50 "
            f"{quantile(r.per_release, 50) / quantile(results[0].per_release, 50):.2f}, p99 "
            f"{quantile(r.per_release, 99) / quantile(results[0].per_release, 99):.2f}"
        )
    print()
    for r in results:
        for line in details(r):
            print(line)
    print(f"wall time: {time.monotonic() - started:.0f} s")
    return 0


def nats_version() -> str:
    done = subprocess.run(["nats-server", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "nats-server"


CHILDREN: dict[str, Callable[..., None]] = {"sse": child_sse}

if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](*sys.argv[3:])
    else:
        try:
            sys.exit(main())
        except KeyboardInterrupt:  # everything started has been stopped on the way here
            print("interrupted", file=sys.stderr)
            sys.exit(130)
