"""What every `liaison` command shares: the app, the consoles, options, errors, progress."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

from liaison.errors import LiaisonError
from liaison.hub import Hub, Progress
from liaison.ingest.sniff import open_text

app = typer.Typer(
    help="Liaison: a coalition information-sharing hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Tables stay readable when piped: wide enough for the release matrix.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)  # error lists stay one problem a line

RegionOption = Annotated[
    Path | None,
    typer.Option("--region", help="A region GeoJSON (default: the shipped East China Sea)."),
]
DbOption = Annotated[
    str,
    typer.Option(
        "--db", help="The hub's store: a SQLite file, or postgresql://user@host:port/database."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@contextmanager
def hub_session(db: str | Path, *, decide_proposals: bool = True) -> Iterator[Hub]:
    """The hub on `db`, closed afterwards. First, proposals whose deadline has come are decided
    (a passed one applied as a new policy version), so that no command acts on a stale policy."""
    try:
        hub = Hub.open(db)
    except LiaisonError as exc:
        fail(exc)
    try:
        if decide_proposals:
            hub.governance.tick()
        yield hub
    except LiaisonError as exc:
        fail(exc)
    finally:
        hub.close()


def fail(exc: Exception) -> NoReturn:
    # Messages quote input (ids, field names, paths): never read them as markup.
    err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
    raise typer.Exit(2)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@contextmanager
def progress_bar(name: str, unit: str = "lines") -> Iterator[Progress]:
    """Records (lines, or decoded messages) per second and rejections so far, on a terminal;
    nothing when piped."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} " + unit),
        TaskProgressColumn(show_speed=True),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(name, total=None)

        def advance(lines: int, rejected: int) -> None:
            bar.update(task, advance=lines, description=f"{name} ({rejected} rejected)")

        yield advance


@contextmanager
def open_input(path: Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdin
        return
    try:
        # surrogateescape keeps undecodable bytes, so the line is rejected by name, not mangled.
        stream = open_text(path)
    except OSError as exc:
        fail(LiaisonError(f"{path}: cannot read: {exc.strerror}"))
    with stream:
        yield stream


def stop_on_signals() -> asyncio.Event:
    """An event set by Ctrl-C or SIGTERM (call inside the running loop): how a long-running
    command is told to finish its last batch and stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
