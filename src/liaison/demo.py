"""The policy demo: the situation's cases on the demo hub, as a release matrix with reasons."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from importlib import resources
from pathlib import Path

from rich.console import Console

from liaison import render, render_maritime
from liaison.codec import canonical_json
from liaison.config import ConfigSource, read_config_source
from liaison.hub import Hub
from liaison.ingest.ais_stream import AisSummary
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines

DEMO_REPORTS = "demo-reports.jsonl"


def demo_reports() -> list[str]:
    return resources.files("liaison.data").joinpath(DEMO_REPORTS).read_text("utf-8").splitlines()


def load_demo(hub: Hub, source: ConfigSource | None = None) -> None:
    """Initialise `hub` (by default with the demo configuration) and ingest the demo reports."""
    hub.initialise(source or read_config_source(None))
    by_feed: dict[str, list[str]] = defaultdict(list)
    for line in demo_reports():
        originator = json.loads(line)["originators"][0]
        by_feed[f"{originator.lower()}-reports"].append(line)
    for feed_id, lines in by_feed.items():
        hub.ingest_reports(feed_id, lines, DEMO_REPORTS)


# Japan's picture around the Senkakus and the straits; the alliance's picture further north.
DEMO_AIS = {
    "jpn-ais": ("miyako-transit", "senkaku-patrol", "dark-vessel"),
    "nato-ais": ("rendezvous", "spoofed-identity", "background"),
}


def load_demo_picture(hub: Hub, workdir: Path, seed: int = 1) -> dict[str, AisSummary]:
    """Simulate the demo scenarios as NMEA files and ingest them on the demo's AIS feeds."""
    region = load_region()
    out = {}
    for feed_id, scenarios in DEMO_AIS.items():
        lines: list[tuple[float, str]] = []
        for name in scenarios:
            lines += nmea_lines(build_scenario(name, seed, region))
        lines.sort(key=lambda pair: pair[0])
        path = workdir / f"{feed_id}.nmea"
        path.write_text("".join(line + "\n" for _, line in lines), "ascii")
        with path.open(encoding="ascii") as stream:
            out[feed_id] = hub.ingest_ais(feed_id, stream, path.name)
    return out


def run_demo(console: Console, db: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="liaison-demo-") as tmp:
        path = db or Path(tmp) / "demo.db"
        hub = Hub.open(path)
        try:
            load_demo(hub)
            config = hub.config
            console.print(
                f"Liaison demo hub ({path}): policy {config.policy.name}, "
                f"{len(config.partners)} partners, agreements: "
                + ", ".join(a.id for a in config.agreements),
                highlight=False,
            )
            console.rule("1. Reports: who may receive what, and why")
            reports = [i for _, i in hub.store.items(0, 1000)]
            partners = [p.id for p in config.partners]
            console.print(
                render.matrix_table(reports, partners, hub.releaser.decide, config.policy)
            )
            for line in render.denials_text(reports, partners, hub.releaser.decide):
                console.print("  " + line, highlight=False)
            console.rule("2. The maritime picture: simulated AIS on jpn-ais and nato-ais")
            for feed_id, summary in load_demo_picture(hub, Path(tmp)).items():
                events = ", ".join(f"{n} {t}" for t, n in sorted(summary.events.items()))
                console.print(
                    f"{feed_id}: {summary.messages} messages, {summary.positions} positions, "
                    f"{summary.rejected} rejected; events: {events}",
                    highlight=False,
                )
            render_picture(console, hub)
        finally:
            hub.close()


def render_picture(console: Console, hub: Hub) -> None:
    """Per partner: what it received of the picture, its transit and zone events, what it was denied."""
    picture = [
        i for kind in ("position", "event") for _, i in hub.store.items_of_kind(kind, 0, 100_000)
    ]
    table = render_maritime.partner_picture_table(hub, picture)
    console.print(table)
    shown: dict[str, str] = {}
    for partner in (p.id for p in hub.config.partners):
        # What the partner is actually sent: the feed's copies, sanitised where agreements say so.
        copies = [
            e for e in hub.feed(partner, 0, 1_000_000).entries
            if e.item.kind == "event" and e.payload.get("type") in ("transit", "zone")
        ]  # fmt: skip
        if not copies:
            continue
        key = canonical_json([[e.item.id, dict(e.payload)] for e in copies])
        if key in shown:
            console.print(
                f"{partner} sees the same {len(copies)} transit and zone events as {shown[key]}."
            )
            continue
        shown[key] = partner
        console.print(f"{partner} sees {len(copies)} transit and zone events:", style="bold")
        for entry in copies:
            p = entry.payload
            names = ", ".join(n or "?" for n in p.get("names") or [])
            console.print(
                f"  {p.get('end')}  {names}: {render_maritime.event_summary(p)}", highlight=False
            )
