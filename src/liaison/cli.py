"""The `liaison` command line. Every read command takes `--json` for machines.

Exit codes: 0 done; 1 done, but some input lines were rejected (see `liaison quarantine`);
2 nothing done: a usage error or a hub error, explained on standard error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from liaison import (
    cli_analytics,  # noqa: F401 - registers export and analyse on `app`
    cli_audit,  # noqa: F401 - registers the audit commands on `app`
    cli_bus,  # noqa: F401 - registers publish and process (the NATS JetStream bus)
    cli_governance,  # noqa: F401 - registers policy, propose, silence, withdraw, proposals
    cli_maritime,  # noqa: F401 - registers the maritime commands on `app`
    cli_server,  # noqa: F401 - registers the token and serve commands on `app`
    render,
)
from liaison.audit.heads import default_key_path, load_or_create_key
from liaison.cli_common import (  # `app` is re-exported: liaison.cli:app is the entry point
    DbOption,
    JsonOption,
    RegionOption,
    app,
    err,
    fail,
    hub_session,
    open_input,
    out,
    print_json,
    progress_bar,
)
from liaison.codec import format_time, item_to_json
from liaison.config import parse_config, read_config_source
from liaison.demo import run_demo
from liaison.errors import LiaisonError
from liaison.hub import Hub, Progress
from liaison.ingest.ais_stream import AisSummary
from liaison.ingest.sniff import sniff
from liaison.policy.labels_io import (
    display_marking,
    label_from_json,
    label_from_short,
    label_from_xml,
    label_to_json,
    label_to_short,
    label_to_xml,
)
from liaison.policy.spif import default_policy_bytes, parse_spif
from liaison.storage.base import Rejection


@app.command()
def init(
    db: DbOption,
    config: Annotated[
        Path | None, typer.Option(help="hub.toml (default: the shipped demo)")
    ] = None,
    audit_key: Annotated[
        Path | None,
        typer.Option(
            help="The key that signs audit heads, made if missing (default: beside the store)."
        ),
    ] = None,
) -> None:
    """Create the store and record the configuration as policy version 1."""
    try:
        source = read_config_source(config)
        parse_config(source)  # every problem listed before the store file is even created
    except LiaisonError as exc:
        fail(exc)
    key_path = audit_key or default_key_path(db)
    with hub_session(db) as hub:
        version = hub.initialise(source)
        cfg = hub.config
        out.print(
            f"initialised {db}: policy version {version} from {source.name} "
            f"({len(cfg.partners)} partners, {len(cfg.agreements)} agreements, {len(cfg.feeds)} feeds, "
            f"policy {cfg.policy.name})",
            markup=False,
        )
        created = not key_path.exists()
        hub.audit.key = load_or_create_key(key_path)
        head = hub.audit.sign_head(hub.clock())
        out.print(
            f"audit log: {head.size} entries, root {head.root.hex()[:16]}..., signed with "
            f"{'the new' if created else 'the'} key {key_path} (keep it outside the database)",
            markup=False,
        )


@app.command()
def ingest(
    db: DbOption,
    feed: Annotated[str, typer.Option("--feed", help="The feed the input arrives on.")],
    files: Annotated[
        list[Path],
        typer.Argument(help="NMEA or JSON Lines files (plain or .gz); - for standard input."),
    ],
    region: RegionOption = None,
) -> None:
    """Store AIS (NMEA) or reports (JSON Lines), detected from the content; bad lines go to quarantine."""
    rejected = 0
    with hub_session(db) as hub:
        for path in files:
            with open_input(path) as stream:
                lines, kind = sniff(stream)
                unit = "messages" if kind == "nmea" else "lines"
                with progress_bar(str(path), unit) as progress:
                    summary_line, rejections, count = _ingest_one(
                        hub,
                        feed,
                        path,
                        lines,
                        nmea=kind == "nmea",
                        progress=progress,
                        region=region,
                    )
            for r in rejections:
                err.print(
                    f"{r.source}:{r.line}: rejected: {r.reason}", markup=False, highlight=False
                )
            if count > len(rejections):
                err.print(f"... and {count - len(rejections)} more: see `liaison quarantine`")
            out.print(f"{path}: {summary_line}", markup=False)
            rejected += count
    if rejected:
        raise typer.Exit(1)


def _ingest_one(
    hub: Hub,
    feed: str,
    path: Path,
    lines: Iterable[str],
    *,
    nmea: bool,
    progress: Progress,
    region: Path | None,
) -> tuple[str, list[Rejection], int]:
    """One file: (its summary line, the rejections to show, how many were rejected in all)."""
    if nmea:
        ais = hub.ingest_ais(feed, lines, str(path), progress=progress, region=region)
        return _ais_summary(ais), ais.rejections, ais.rejected
    reports = hub.ingest_reports(feed, lines, str(path), progress=progress)
    line = (
        f"{reports.stored} stored, {reports.duplicates} already stored, "
        f"{reports.rejected} rejected, {reports.releases} releases"
    )
    return line, reports.rejections, reports.rejected


def _ais_summary(s: AisSummary) -> str:
    events = ", ".join(f"{n} {t}" for t, n in sorted(s.events.items())) or "none"
    return (
        f"{s.lines} lines, {s.messages} messages, {s.positions} positions "
        f"({s.untimed} without time, {s.late} late), {s.rejected} rejected; "
        f"events: {events}; {s.releases} releases"
    )


@app.command()
def decide(
    db: DbOption,
    item_id: Annotated[str, typer.Argument(metavar="ITEM_ID")],
    partner: Annotated[str, typer.Argument(metavar="PARTNER")],
    as_json: JsonOption = False,
) -> None:
    """May PARTNER receive ITEM_ID? The decision with its reasons and obligations."""
    with hub_session(db) as hub:
        item, decision = hub.item(item_id), hub.decide(item_id, partner)
        if as_json:
            print_json(render.decision_json(item, partner, decision))
        else:
            out.print(
                render.decision_prose(item, partner, decision, hub.config.policy),
                markup=False,
                highlight=False,
            )


@app.command()
def explain(
    db: DbOption,
    item_id: Annotated[str, typer.Argument(metavar="ITEM_ID")],
    partner: Annotated[str, typer.Argument(metavar="PARTNER")],
    as_json: JsonOption = False,
) -> None:
    """The same decision as `decide`, in prose by default."""
    decide(db, item_id, partner, as_json)


@app.command()
def feed(
    db: DbOption,
    partner: Annotated[str, typer.Option("--partner", help="Whose feed.")],
    after: Annotated[int, typer.Option(help="Resume after this cursor.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """The items released to a partner, in order, with cursors and the payloads it may see."""
    with hub_session(db) as hub:
        page = hub.feed(partner, after, limit)
        if as_json:
            print_json(render.feed_json(page, hub.config.policy))
        else:
            out.print(render.feed_table(page, hub.config.policy))


@app.command()
def items(
    db: DbOption,
    after: Annotated[int, typer.Option(help="Resume after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """Every stored item (operators' view: unfiltered)."""
    with hub_session(db) as hub:
        rows = hub.store.items(after, limit)
        if as_json:
            print_json([{"seq": seq, **item_to_json(i)} for seq, i in rows])
            return
        policy = hub.config.policy
        for seq, i in rows:
            out.print(
                f"{seq:>6}  {i.id}  {i.kind}  {i.area}  {label_to_short(i.label, policy)}",
                markup=False,
                highlight=False,
            )


@app.command()
def quarantine(
    db: DbOption,
    feed: Annotated[str | None, typer.Option("--feed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    as_json: JsonOption = False,
) -> None:
    """Rejected input lines with their reasons."""
    with hub_session(db) as hub:
        rows = hub.store.rejections(feed, limit)
        if as_json:
            print_json(
                [
                    {
                        "feed": r.feed,
                        "source": r.source,
                        "line": r.line,
                        "reason": r.reason,
                        "raw": r.raw,
                        "at": format_time(r.at),
                    }
                    for r in rows
                ]
            )
            return
        for r in rows:
            out.print(f"{r.feed}  {r.source}:{r.line}: {r.reason}", markup=False, highlight=False)


@app.command()
def matrix(db: DbOption, as_json: JsonOption = False) -> None:
    """The release matrix: every stored item against every partner, with reasons."""
    with hub_session(db) as hub:
        stored = [i for _, i in hub.store.items(0, 10_000)]
        partners = [p.id for p in hub.config.partners]
        decide_item = hub.releaser.decide
        if as_json:
            print_json(render.matrix_json(stored, partners, decide_item))
            return
        out.print(render.matrix_table(stored, partners, decide_item, hub.config.policy))
        for line in render.denials_text(stored, partners, decide_item):
            out.print(line, markup=False, highlight=False)


@app.command()
def label(
    text: Annotated[str, typer.Argument(help="A label: short form, JSON, or 4774 XML.")],
    to: Annotated[str, typer.Option(help="short | json | xml | marking")] = "short",
) -> None:
    """Convert a label between the short form, JSON, STANAG 4774 XML and the display marking."""
    policy = parse_spif(default_policy_bytes(), "builtin policy")
    try:
        stripped = text.strip()
        if stripped.startswith("<"):
            parsed = label_from_xml(stripped, policy)
        elif stripped.startswith("{"):
            parsed = label_from_json(json.loads(stripped), policy)
        else:
            parsed = label_from_short(stripped, policy)
    except (LiaisonError, json.JSONDecodeError) as exc:
        fail(exc)
    writers = {
        "short": lambda: label_to_short(parsed, policy),
        "json": lambda: json.dumps(label_to_json(parsed)),
        "xml": lambda: label_to_xml(parsed, policy),
        "marking": lambda: display_marking(parsed, policy),
    }
    if to not in writers:
        fail(LiaisonError(f"--to must be one of {', '.join(writers)}"))
    sys.stdout.write(writers[to]().rstrip("\n") + "\n")


@app.command()
def demo(
    db: Annotated[Path | None, typer.Option("--db", help="Keep the demo hub in this file.")] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Serve the live web map with a simulated sea until Ctrl-C (make demo)."
        ),
    ] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="With --serve.")] = 8080,
    speed: Annotated[
        float, typer.Option(min=1, max=10_000, help="With --serve: simulated seconds per second.")
    ] = 60.0,
    stop_after: Annotated[
        float | None, typer.Option(min=1, help="With --serve: stop after this many seconds.")
    ] = None,
) -> None:
    """The demo: the release matrix with reasons, the maritime picture, two proposals decided;
    with --serve, the living web map on 127.0.0.1."""
    try:
        if serve:
            from liaison.demo_live import run_live_demo  # noqa: PLC0415 - the server's imports

            run_live_demo(out, db, port=port, speed=speed, stop_after_s=stop_after)
        else:
            run_demo(out, db)
    except LiaisonError as exc:
        fail(exc)


def main() -> None:
    app()


__all__ = ["app", "main"]
