"""Graceful shutdown of `liaison serve`: live clients are told, with the cursor to resume from,
and the process exits promptly instead of waiting for their streams."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.integration.processes import free_port, liaison, start_server


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_live_clients_are_told_and_the_server_stops(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "hub.db"
    liaison("init", "--db", db)
    reports = tmp_path / "reports.jsonl"
    reports.write_text(
        "".join(json.dumps({"title": f"report {n}", "body": "Miyako"}) + "\n" for n in range(5))
    )
    liaison("ingest", "--db", db, "--feed", "jpn-reports", reports)
    token = liaison("tokens", "create", "--db", db, "--partner", "JPN").strip().splitlines()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(db, port, log)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        sse_lines: list[str] = []
        ws_messages: list[dict[str, object]] = []
        ws_close: list[int | None] = []
        connected = threading.Barrier(3)

        def read_sse() -> None:
            with httpx.stream("GET", f"{base}/api/v1/stream", headers=auth, timeout=30) as r:
                connected.wait()
                sse_lines.extend(r.iter_lines())

        def read_ws() -> None:
            with connect(f"ws://127.0.0.1:{port}/api/v1/ws", additional_headers=auth) as ws:
                connected.wait()
                try:
                    while True:
                        ws_messages.append(json.loads(ws.recv(timeout=30)))
                except ConnectionClosed as closed:
                    ws_close.append(closed.rcvd.code if closed.rcvd else None)

        readers = [threading.Thread(target=read_sse), threading.Thread(target=read_ws)]
        for reader in readers:
            reader.start()
        connected.wait(timeout=10)
        time.sleep(0.5)  # both have had the backlog
        started = time.monotonic()
        server.send_signal(sig)
        for reader in readers:
            reader.join(timeout=15)
        # uvicorn re-raises the signal once it has shut down cleanly: the exit says why it stopped.
        assert server.wait(timeout=15) in {0, -sig, 128 + sig}, log.read_text()
        assert time.monotonic() - started < 10
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    releases = [json.loads(line[6:]) for line in sse_lines if line.startswith('data: {"cursor')]
    last = max(r["cursor"] for r in releases)
    assert "event: shutdown" in sse_lines
    notice = json.loads(sse_lines[sse_lines.index("event: shutdown") + 1][6:])
    assert notice["resume_after"] == last
    assert ws_messages[-1] == {"type": "shutdown", "resume_after": last}
    assert ws_close == [1001]
