"""The policy demo: the situation's cases on the demo hub, as a release matrix with reasons."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from importlib import resources
from pathlib import Path

from rich.console import Console

from liaison import render
from liaison.config import ConfigSource, read_config_source
from liaison.hub import Hub

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
            stored = [i for _, i in hub.store.items(0, 1000)]
            partners = [p.id for p in config.partners]
            console.print(render.matrix_table(stored, partners, hub.releaser.decide, config.policy))
            console.print("Why, item by item:", style="bold")
            for line in render.denials_text(stored, partners, hub.releaser.decide):
                console.print("  " + line, highlight=False)
        finally:
            hub.close()
