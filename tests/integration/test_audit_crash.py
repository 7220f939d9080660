"""Crash consistency of the audit log: a hub killed with SIGKILL in the middle of its writes
leaves a store where every act has its entry and every entry its act, and that takes more."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from liaison.audit import heads
from liaison.audit.verify import verify_store
from liaison.config import read_config_source
from liaison.hub import Hub
from liaison.storage.sqlite import SqliteStore

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="kills the process with SIGKILL, which Windows does not have"
)

# Reports and AIS batches, small batches, as fast as the store takes them; a head now and then.
CHILD = """
import itertools, json, sys
from datetime import UTC, datetime
from liaison.hub import Hub
from liaison.maritime.region import load_region
from liaison.maritime.scenarios import build_scenario
from liaison.maritime.simulate import nmea_lines

db, run = sys.argv[1], int(sys.argv[2])
hub = Hub.open(db)
lines = [line for _, line in nmea_lines(build_scenario("miyako-transit", run, load_region()))]
print("ready", flush=True)
for n in itertools.count():
    report = {
        "id": f"crash-{run}-{n}", "kind": "report", "area": "maritime-security",
        "originators": ["JPN"], "label": "NATO RESTRICTED // REL TO JPN, NATO, USA",
        "time": "2026-11-28T02:10:00Z", "title": f"report {n} of run {run}", "body": "-",
    }
    hub.ingest_reports("jpn-reports", [json.dumps(report)], "crash.jsonl")
    start = n * 60 % len(lines)
    hub.ingest_ais("jpn-ais", lines[start : start + 60], "crash.nmea", batch_lines=20)
    if n % 5 == 0:
        hub.audit.sign_head(datetime.now(UTC))
"""


def entries_in(db: Path) -> int:
    with closing(SqliteStore(db)) as store:
        return store.audit.size()


def test_kill_9_leaves_acts_and_entries_matching(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    key = heads.load_or_create_key(heads.default_key_path(db))
    hub = Hub.open(db)
    hub.initialise(read_config_source(None))
    hub.close()
    script = tmp_path / "child.py"
    script.write_text(CHILD, "utf-8")
    delays = random.Random(9162)
    sizes = [entries_in(db)]
    for run in range(5):
        child = subprocess.Popen(
            [sys.executable, str(script), str(db), str(run)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready == "ready\n", child.communicate()[1]
        time.sleep(delays.uniform(0.05, 0.8))
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate()
        assert child.returncode == -signal.SIGKILL, err

        with closing(SqliteStore(db)) as store:
            report = verify_store(store, key.public_key())
        assert report.ok, (run, report.findings, report.notes)
        sizes.append(report.entries)

        # The store takes more after the crash, and still verifies.
        hub = Hub.open(db)
        line = {"id": f"after-{run}", "kind": "report", "area": "maritime-security",
                "originators": ["JPN"], "label": "NATO RESTRICTED // REL TO JPN, NATO, USA",
                "time": "2026-11-28T02:10:00Z", "title": "after the crash", "body": "-"}  # fmt: skip
        assert hub.ingest_reports("jpn-reports", [json.dumps(line)], "after.jsonl").stored == 1
        hub.audit.sign_head(hub.clock())
        hub.close()
        with closing(SqliteStore(db)) as store:
            after = verify_store(store, key.public_key())
        assert after.ok, (run, after.findings)
        assert after.entries > report.entries
    # The children did write before they died: the log grew by more than the writes after.
    assert sizes[-1] - sizes[0] > 5 * 10, sizes
