"""The living demo (`make demo`): the demo hub served on loopback with the web map, a simulated
sea played in real time (sped up), a proposal circulating, and a token for everyone."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from liaison import tokens
from liaison.api.server import run_server
from liaison.audit.heads import default_key_path, load_or_create_key
from liaison.demo import TOKYO_CHANNEL, load_demo
from liaison.hub import Hub
from liaison.ingest.replay import Simulation

# Japan's picture of the straits and the Senkakus on its own feed; the alliance's background
# traffic on NATO's. Who sees which is the agreements' business: that is the point.
SIMULATIONS = (Simulation("jpn-ais", "all"), Simulation("nato-ais", "background", seed=7))
OPERATOR = "duty-officer"
CIRCULATING = timedelta(minutes=30)


def run_live_demo(
    console: Console,
    db: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    speed: float = 60.0,
    stop_after_s: float | None = None,
) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-demo-") as tmp:
        path = db or Path(tmp) / "demo.db"
        load_or_create_key(default_key_path(path))  # the audit page shows signed heads
        hub = Hub.open(path)
        try:
            fresh = hub.store.latest_policy() is None
            if fresh:
                load_demo(hub)
                deadline = hub.clock() + CIRCULATING
                hub.governance.submit("JPN", TOKYO_CHANNEL, deadline)
            issued = issue_tokens(hub)
            show_welcome(console, path, f"http://{host}:{port}/", speed, issued)
            run_server(
                hub, host, port, simulate=SIMULATIONS, speed=speed, loop=True,
                stop_after_s=stop_after_s,
            )  # fmt: skip
        finally:
            hub.close()


def issue_tokens(hub: Hub) -> list[tuple[str, str, str]]:
    """(role, holder, secret): an operator's token and one per partner, new each run (only
    their hashes are kept, so a kept demo hub cannot show the old ones again)."""
    now = hub.clock()
    issued = []
    _, secret = tokens.issue(hub.store, OPERATOR, tokens.ADMIN, now)
    issued.append(("operator", OPERATOR, str(secret)))
    for partner in hub.config.partners:
        _, secret = tokens.issue(hub.store, partner.id, tokens.PARTNER, now)
        issued.append(("partner", partner.id, str(secret)))
    return issued


def show_welcome(
    console: Console,
    db: Path,
    url: str,
    speed: float,
    issued: list[tuple[str, str, str]],
) -> None:
    console.rule("Liaison demo: the live maritime picture")
    console.print(
        f"Open [bold]{url}[/bold] and sign in with a token below (paste it; it stays in the tab).\n"
        f"The sea is simulated at {speed:g}x real time: transits of the Miyako and Yonaguni "
        "straits, patrols in the Senkaku zones, a rendezvous, a dark vessel, a spoofed "
        "identity, background traffic; again and again with new vessels.\n"
        "Sign in as JPN and as NATO to see what each may see; as the operator, pick "
        "'See as' and click a vessel to read every partner's decision and why.\n"
        f"Governance: {url}governance (a proposal is circulating)   Audit: {url}audit\n"
        f"Hub: {db}   Stop with Ctrl-C.",
        highlight=False,
    )
    table = Table(title="Demo tokens (shown once)")
    for column in ("role", "who", "token"):
        table.add_column(column)
    for role, holder, secret in issued:
        table.add_row(role, holder, secret)
    console.print(table)
