"""The bus commands: `publish` (ingest onto NATS JetStream) and `process` (a partition's
messages into the store). `serve --bus URL --partition K` runs processors inside a server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from liaison.cli_common import DbOption, app, err, fail, hub_session, out, stop_on_signals
from liaison.errors import LiaisonError
from liaison.ingest.listener import Endpoints
from liaison.ingest.sources import parse_endpoint

BusOption = Annotated[str, typer.Option("--bus", help="The NATS server: nats://host:port.")]


@app.command()
def publish(
    bus: BusOption,
    feed: Annotated[str, typer.Option("--feed", help="The AIS feed the input arrives on.")],
    partitions: Annotated[int, typer.Option(min=1, max=1024, help="Partitions (by MMSI).")] = 4,
    udp: Annotated[list[str] | None, typer.Option(help="HOST:PORT for AIS over UDP.")] = None,
    tcp: Annotated[
        list[str] | None, typer.Option(help="HOST:PORT where receivers push AIS.")
    ] = None,
    file: Annotated[Path | None, typer.Argument(help="Publish this NMEA file and stop.")] = None,
) -> None:
    """Ingest onto the bus: each AIS message to its vessel's partition (nothing is stored here:
    `liaison process` or `serve --bus` does that)."""
    from liaison.bus.publish import listen_to_bus, publish_lines  # noqa: PLC0415 - nats only here

    try:
        endpoints = Endpoints(
            [parse_endpoint(e) for e in udp or []], [parse_endpoint(e) for e in tcp or []]
        )
    except LiaisonError as exc:
        fail(exc)
    if (file is None) == (not (endpoints.udp or endpoints.tcp)):
        fail(LiaisonError("give a FILE, or --udp/--tcp HOST:PORT to listen on (not both)"))

    async def main() -> None:
        if file is not None:
            with file.open(encoding="utf-8", errors="replace") as lines:
                counts = await publish_lines(
                    bus, feed, partitions, (line.rstrip("\n") for line in lines)
                )
        else:
            err.print(f"publishing {endpoints.describe()} to {bus} (Ctrl-C stops)", markup=False)
            counts = await listen_to_bus(bus, feed, partitions, endpoints, stop_on_signals())
        out.print(
            f"published {counts.messages} messages from {counts.lines} lines "
            f"({counts.refused} refused, sent on for quarantine) to {partitions} partitions",
            markup=False,
        )

    asyncio.run(main())


@app.command()
def process(
    db: DbOption,
    bus: BusOption,
    partition: Annotated[list[int], typer.Option(min=0, help="The partition(s) to process.")],
) -> None:
    """Consume partitions of the bus into the store until stopped: detect, label, store,
    release. Any process may run any partition; each is consumed durably, so a restarted or
    another process goes on where the last acknowledgement left it."""
    from liaison.bus.process import process_partition  # noqa: PLC0415

    with hub_session(db) as hub:

        async def main() -> None:
            stop = stop_on_signals()
            err.print(f"processing partitions {partition} of {bus} (Ctrl-C stops)", markup=False)
            done = await asyncio.gather(*(process_partition(hub, bus, p, stop) for p in partition))
            for p, counts in zip(partition, done, strict=True):
                out.print(
                    f"partition {p}: {counts.messages} messages in {counts.commits} commits, "
                    f"{counts.skipped} redelivered and skipped",
                    markup=False,
                )

        asyncio.run(main())
