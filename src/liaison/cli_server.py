"""Server commands: API tokens and `liaison serve`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from liaison import tokens
from liaison.cli_common import DbOption, JsonOption, app, fail, hub_session, out, print_json
from liaison.codec import format_time
from liaison.errors import LiaisonError, NotFound
from liaison.ingest.listener import Endpoints
from liaison.ingest.sources import parse_endpoint

tokens_app = typer.Typer(
    help="API tokens: one or more per partner, and operators' (admin) tokens.", no_args_is_help=True
)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def tokens_create(
    db: DbOption,
    partner: Annotated[str | None, typer.Option(help="The partner the token speaks for.")] = None,
    admin: Annotated[
        str | None, typer.Option(help="An operator's name: an admin token instead.")
    ] = None,
) -> None:
    """Issue a token and print it ONCE: only its hash is kept."""
    if (partner is None) == (admin is None):
        fail(LiaisonError("give exactly one of --partner P or --admin NAME"))
    with hub_session(db) as hub:
        if partner is not None and hub.config.partner(partner) is None:
            fail(NotFound(f"no partner {partner!r}"))
        holder, role = (
            (partner, tokens.PARTNER) if partner is not None else (str(admin), tokens.ADMIN)
        )
        stored, secret = tokens.issue(hub.store, holder, role, hub.clock())
        out.print(
            f"token {stored.id} for {role} {holder} (shown once, keep it safe):", markup=False
        )
        print(str(secret))


@tokens_app.command("revoke")
def tokens_revoke(
    db: DbOption, token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID")]
) -> None:
    """Revoke a token by its id (see `liaison tokens list`)."""
    with hub_session(db) as hub:
        if not hub.store.revoke_token(token_id, hub.clock()):
            fail(NotFound(f"no live token {token_id!r}"))
        out.print(f"revoked {token_id}", markup=False)


@tokens_app.command("list")
def tokens_list(db: DbOption, as_json: JsonOption = False) -> None:
    """Every token's id, holder, role and state (never the token)."""
    with hub_session(db) as hub:
        rows = [
            {
                "id": t.id,
                "holder": t.holder,
                "role": t.role,
                "created": format_time(t.created),
                "revoked": None if t.revoked is None else format_time(t.revoked),
            }
            for t in hub.store.tokens()
        ]
        if as_json:
            print_json(rows)
            return
        for r in rows:
            state = f"revoked {r['revoked']}" if r["revoked"] else "live"
            out.print(
                f"{r['id']}  {r['role']:7}  {r['holder']:8}  {r['created']}  {state}", markup=False
            )


@app.command()
def serve(
    db: DbOption,
    host: Annotated[str, typer.Option(help="Loopback unless told otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    listen_udp: Annotated[
        list[str] | None, typer.Option(help="HOST:PORT for AIS over UDP (repeatable).")
    ] = None,
    listen_tcp: Annotated[
        list[str] | None, typer.Option(help="HOST:PORT where receivers push AIS (repeatable).")
    ] = None,
    listen_feed: Annotated[
        str, typer.Option(help="The AIS feed the listeners' input arrives on.")
    ] = "jpn-ais",
    cot_port: Annotated[
        int | None, typer.Option(help="Serve Cursor on Target (TAK) on this TCP port.")
    ] = None,
    commit_ms: Annotated[
        int, typer.Option(min=1, max=60_000, help="Listeners commit a batch this often.")
    ] = 100,
    audit_key: Annotated[
        Path | None,
        typer.Option(help="The key that signs audit heads (default: <db>.audit-key)."),
    ] = None,
    simulate: Annotated[
        list[str] | None,
        typer.Option(help="FEED=SCENARIO: play a simulated scenario on a feed (repeatable)."),
    ] = None,
    speed: Annotated[
        float, typer.Option(min=0.1, max=100_000, help="Simulated seconds per second.")
    ] = 60.0,
    loop: Annotated[
        bool, typer.Option("--loop", help="Play the scenarios again and again (new vessels).")
    ] = False,
    bus: Annotated[
        str | None, typer.Option(help="nats://host:port: process --partition(s) of the bus here.")
    ] = None,
    partition: Annotated[
        list[int] | None,
        typer.Option(min=0, help="With --bus: a partition to process (repeatable)."),
    ] = None,
) -> None:
    """Serve the HTTP API and the web map, and AIS listeners and simulated feeds in the same
    process (stopping commits their last batch)."""
    from liaison.api.server import run_server  # noqa: PLC0415 - only the server needs it
    from liaison.hub import Hub  # noqa: PLC0415
    from liaison.ingest.replay import parse_simulation  # noqa: PLC0415

    try:
        endpoints = Endpoints(
            [parse_endpoint(e) for e in listen_udp or []],
            [parse_endpoint(e) for e in listen_tcp or []],
        )
        hub = Hub.open(db, audit_key=audit_key)
        if hub.config.feed(listen_feed) is None and (endpoints.udp or endpoints.tcp):
            raise NotFound(f"no feed {listen_feed!r} for the listeners")
        simulations = [parse_simulation(s) for s in simulate or []]
        for sim in simulations:
            if hub.config.feed(sim.feed) is None:
                raise NotFound(f"no feed {sim.feed!r} to simulate on")
    except LiaisonError as exc:
        fail(exc)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    listening = (listen_feed, endpoints) if endpoints.udp or endpoints.tcp else None
    try:
        run_server(
            hub, host, port, listen=listening, commit_s=commit_ms / 1000,
            cot=(host, cot_port) if cot_port is not None else None,
            simulate=simulations, speed=speed, loop=loop,
            bus=(bus, tuple(partition or ())) if bus is not None else None,
        )  # fmt: skip
    finally:
        hub.close()
