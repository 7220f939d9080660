"""Historical analytics commands: export (the archive to Parquet), analyse (detectors with Dask)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from liaison.cli_common import (
    DbOption,
    RegionOption,
    app,
    err,
    fail,
    hub_session,
    out,
    progress_bar,
)
from liaison.errors import LiaisonError, NotFound
from liaison.storage.open import is_database_url

ParquetOption = Annotated[
    Path, typer.Option("--parquet", help="The dataset: a directory of day=YYYY-MM-DD folders.")
]


@app.command()
def export(
    db: DbOption,
    parquet: ParquetOption,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an earlier export in the directory.")
    ] = False,
) -> None:
    """Export every stored position fix to Parquet, a folder per UTC day, for `liaison analyse`.

    For operators only: the hub's own archive, every feed, unfiltered by partners' releases.
    """
    # The analytics stack (pyarrow, Dask) loads only for these commands, not for every command.
    from liaison.analytics.export import export_parquet  # noqa: PLC0415

    if not is_database_url(db) and not Path(db).is_file():
        fail(NotFound(f"{db}: no store there"))  # opening it would make an empty one
    with hub_session(db, decide_proposals=False) as hub, progress_bar("exporting", "fixes") as bar:
        summary = export_parquet(
            hub.store, parquet, overwrite=overwrite, progress=lambda rows: bar(rows, 0)
        )
    days = f" ({summary.days[0]} to {summary.days[-1]})" if summary.days else ""
    out.print(
        f"{summary.rows} fixes in {len(summary.days)} days{days} written to {parquet}",
        markup=False,
    )


@app.command()
def analyse(
    parquet: ParquetOption,
    detector: Annotated[str, typer.Option("--detector", help="transit | gap | encounter")],
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="A running Dask scheduler, tcp://HOST:PORT (default: a local cluster of two "
            "worker processes; `synchronous`: all in this process).",
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the events here (default: standard output).")
    ] = None,
    region: RegionOption = None,
) -> None:
    """Run a detector over an export with Dask: the events the streaming path finds, as JSON Lines
    (type, mmsi, start, end, lat, lon, details, feed, sources)."""
    from liaison.analytics.analyse import analyse as run_analysis  # noqa: PLC0415
    from liaison.analytics.analyse import write_jsonl  # noqa: PLC0415

    try:
        events = run_analysis(parquet, detector, scheduler=dask_address, region=region)
    except LiaisonError as exc:
        fail(exc)
    if out_file is None:
        write_jsonl(events, sys.stdout)
    else:
        try:
            with out_file.open("w", encoding="utf-8") as stream:
                write_jsonl(events, stream)
        except OSError as exc:
            fail(LiaisonError(f"{out_file}: cannot write: {exc.strerror or exc}"))
    err.print(f"{len(events)} {detector} events", markup=False)
