"""Maritime commands: listen (network AIS), events, tracks, simulate."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated

import typer

from liaison.cli_common import (
    DbOption,
    JsonOption,
    RegionOption,
    app,
    err,
    fail,
    hub_session,
    out,
    print_json,
    stop_on_signals,
)
from liaison.codec import item_to_json
from liaison.errors import LiaisonError
from liaison.ingest.listener import Endpoints
from liaison.ingest.listener import listen as run_listener
from liaison.ingest.sources import parse_endpoint
from liaison.maritime.detectors import EVENT_TYPES
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import SCENARIOS, build_scenario
from liaison.maritime.simulate import nmea_lines
from liaison.render_maritime import events_table, track_json, tracks_table

Endpoint = Annotated[list[str] | None, typer.Option(help="HOST:PORT (repeatable)")]


@app.command()
def listen(
    db: DbOption,
    feed: Annotated[str, typer.Option("--feed", help="The AIS feed the input arrives on.")],
    udp: Endpoint = None,
    tcp: Endpoint = None,
    connect: Endpoint = None,
    region: RegionOption = None,
) -> None:
    """Receive AIS until stopped: --udp and --tcp listen (receivers push), --connect pulls a TCP feed."""
    try:
        endpoints = Endpoints(
            [parse_endpoint(e) for e in udp or []],
            [parse_endpoint(e) for e in tcp or []],
            [parse_endpoint(e) for e in connect or []],
        )
    except LiaisonError as exc:
        fail(exc)
    if not (endpoints.udp or endpoints.tcp or endpoints.connect):
        fail(LiaisonError("give at least one of --udp, --tcp or --connect HOST:PORT"))
    with hub_session(db) as hub:
        stream = hub.ais_stream(feed, endpoints.describe(), live=True, region=region)

        async def main() -> None:
            stop = stop_on_signals()
            err.print(
                f"listening on {endpoints.describe()} for feed {feed} (Ctrl-C stops)", markup=False
            )
            started = time.monotonic()

            def report(summary: object, stats: object) -> None:
                s = stream.summary
                rate = s.messages / max(time.monotonic() - started, 1e-9)
                err.print(
                    f"{s.messages} messages ({rate:,.0f}/s), {s.positions} positions, "
                    f"{s.rejected} rejected, {sum(s.events.values())} events, {s.releases} releases",
                    markup=False,
                )

            summary, stats = await run_listener(stream, endpoints, stop, on_commit=report)
            out.print(
                f"stopped: {summary.messages} messages, {summary.rejected} rejected, "
                f"{sum(summary.events.values())} events, {stats.dropped} lines dropped (queue full), "
                f"{stats.read_kernel_drops()} datagrams dropped by the kernel (receive buffer full)",
                markup=False,
            )

        asyncio.run(main())


@app.command()
def events(
    db: DbOption,
    type_: Annotated[str | None, typer.Option("--type", help="|".join(EVENT_TYPES))] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="Only what this partner may see.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    as_json: JsonOption = False,
) -> None:
    """Detected events, newest first (transits, zone entries and exits, gaps, encounters, loitering, jumps)."""
    if type_ is not None and type_ not in EVENT_TYPES:
        fail(LiaisonError(f"--type must be one of {', '.join(EVENT_TYPES)}"))
    with hub_session(db) as hub:
        found = hub.events(type_, partner, limit)
        if as_json:
            print_json([item_to_json(item, payload) for item, payload in found])
        else:
            out.print(events_table(found, partner))


@app.command()
def tracks(
    db: DbOption,
    mmsi: Annotated[int | None, typer.Option(help="One vessel, with its positions.")] = None,
    feed: Annotated[str | None, typer.Option("--feed")] = None,
    as_json: JsonOption = False,
) -> None:
    """Vessel tracks: the latest state per vessel and feed (operators' view); --mmsi adds the history."""
    with hub_session(db) as hub:
        rows = hub.store.tracks(feed, mmsi)
        history = hub.store.track_history(mmsi, feed) if mmsi is not None else None
        if as_json:
            print_json([track_json(t, history) for t in rows])
        else:
            out.print(tracks_table(rows, history))


@app.command()
def simulate(
    scenario: Annotated[str, typer.Option(help=" | ".join([*SCENARIOS, "all"]))],
    out_file: Annotated[
        Path, typer.Option("--out", help="The NMEA file to write; truth goes beside it.")
    ],
    seed: Annotated[int, typer.Option()] = 1,
    speedup: Annotated[
        float, typer.Option(help="Pace the writing: simulated seconds per second (0: at once).")
    ] = 0.0,
    region: RegionOption = None,
) -> None:
    """Write a scenario as real NMEA (tag-block time stamps) and its ground truth (FILE.truth.json)."""
    try:
        built = build_scenario(scenario, seed, load_region(region))
    except LiaisonError as exc:
        fail(exc)
    lines = nmea_lines(built)
    truth_path = out_file.with_suffix(".truth.json")
    started, first = time.monotonic(), (lines[0][0] if lines else 0.0)
    with out_file.open("w", encoding="ascii") as stream:
        for when, line in lines:
            if speedup > 0:
                delay = (when - first) / speedup - (time.monotonic() - started)
                if delay > 0:
                    time.sleep(delay)
                    stream.flush()
            stream.write(line + "\n")
    truth = {
        "scenario": scenario,
        "seed": seed,
        "vessels": len(built.vessels),
        "events": built.truth,
    }
    truth_path.write_text(json.dumps(truth, indent=2) + "\n", "utf-8")
    out.print(
        f"{out_file}: {len(lines)} sentences from {len(built.vessels)} vessels; "
        f"ground truth: {len(built.truth)} events in {truth_path}",
        markup=False,
    )
