"""A simulated AIS feed played into the hub in real time, sped up: the demo's living picture.

The scenario's sentences go through the same AIS stream as a receiver's (decode, track, detect,
label, store, release, push); only their arrival is paced by the clock. Each pass of a looping
replay starts where the last one ended in simulated time, with the next seed (new vessels), so
tracks never run backwards and the detectors see one continuous sea.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from liaison.errors import InputError
from liaison.hub import Hub
from liaison.ingest.ais_stream import AisStream
from liaison.ingest.listener import close_patiently, commit_patiently
from liaison.maritime.region import Region, load_region
from liaison.maritime.scenarios import SCENARIOS, build_scenario
from liaison.maritime.simulate import nmea_lines

log = logging.getLogger("liaison.replay")
T = TypeVar("T")
PAUSE_S = 600.0  # simulated quiet between passes
YIELD_EVERY = 200  # sentences, at most, between two turns of the event loop


@dataclass(frozen=True, slots=True)
class Simulation:
    """A scenario played on one AIS feed: `FEED=SCENARIO` on the command line."""

    feed: str
    scenario: str
    seed: int = 1


def parse_simulation(text: str) -> Simulation:
    feed, sep, scenario = text.partition("=")
    known = [*SCENARIOS, "all"]
    if not sep or not feed or scenario not in known:
        raise InputError("--simulate", f"{text!r}: give FEED=SCENARIO, SCENARIO one of {', '.join(known)}")  # fmt: skip
    return Simulation(feed, scenario)


async def replay(
    hub: Hub,
    sim: Simulation,
    stop: asyncio.Event,
    *,
    speed: float,
    loop: bool = False,
    commit_s: float = 1.0,
    region: Path | None = None,
    wall: Callable[[], float] = time.time,
) -> int:
    """Play `sim` into the hub at `speed` simulated seconds per second until it ends (or, with
    `loop`, until `stop`); returns the sentences played. The first pass starts now."""
    shape = load_region(region)
    stream = hub.ais_stream(sim.feed, f"sim:{sim.scenario}", region=region)
    start, seed = _resume(hub, sim, wall())
    played = 0
    try:
        while not stop.is_set():
            # Building a pass takes a second or so: off the event loop, which serves partners.
            lines = await _unless_stopped(
                asyncio.to_thread(_pass_lines, sim, seed, shape, start), stop
            )
            if lines is None:
                break
            log.info("%s on %s: pass with seed %d, %d sentences", sim.scenario, sim.feed, seed, len(lines))  # fmt: skip
            played += await _pass(
                stream, lines, start=start, speed=speed, commit_s=commit_s, stop=stop
            )
            if not loop or not lines or await _stopped(stop, PAUSE_S / speed):
                break
            start, seed = lines[-1][0] + PAUSE_S, seed + 1
    finally:
        await close_patiently(stream)  # commits what is pending
    return played


def _resume(hub: Hub, sim: Simulation, now: float) -> tuple[float, int]:
    """Where a replay starts: now, or, on a feed that already holds fixes (a restarted server,
    a kept demo hub), after its newest fix, so that no track runs backwards; with a seed of its
    own then (new vessels)."""
    known = hub.store.tracks(sim.feed)
    if not known:
        return float(int(now)), sim.seed
    newest = max(t.time for t in known)
    return max(float(int(now)), newest + PAUSE_S), sim.seed + int(newest // 3600) % 100_000


def _pass_lines(sim: Simulation, seed: int, shape: Region, start: float) -> list[tuple[float, str]]:
    scenario = dataclasses.replace(build_scenario(sim.scenario, seed, shape), start=start)
    return nmea_lines(scenario, source=f"sim-{sim.feed}")


async def _pass(
    stream: AisStream,
    lines: list[tuple[float, str]],
    *,
    start: float,
    speed: float,
    commit_s: float,
    stop: asyncio.Event,
) -> int:
    """One pass: each sentence at its simulated time / speed after the pass began; what has
    arrived is committed every `commit_s`, as a receiver's listener would."""
    began = time.monotonic()
    last_commit, pending, count = began, 0, 0
    for when, line in lines:
        due = began + (when - start) / speed
        while True:
            now = time.monotonic()
            if pending and now - last_commit >= commit_s:
                await commit_patiently(stream)
                last_commit, pending = now, 0
            if now >= due:
                break
            wake = min(due, last_commit + commit_s) if pending else due
            if await _stopped(stop, wake - now):
                if pending:
                    await commit_patiently(stream)
                return count
        count += 1
        pending += 1
        stream.add(line, count)
        if count % YIELD_EVERY == 0:  # behind schedule nothing awaits: let the server answer
            await asyncio.sleep(0)
            if stop.is_set():
                break
    if pending:
        await commit_patiently(stream)
    return count


async def _unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """`work`'s result, or None if told to stop first (a thread then finishes unheeded)."""
    task = asyncio.ensure_future(work)
    told = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, told}, return_when=asyncio.FIRST_COMPLETED)
    told.cancel()
    return task.result() if task.done() else None


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`, or less if told to stop; True if told."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
    except TimeoutError:
        return False
    return True
