"""Network sources of NMEA lines: UDP listener, TCP server (receivers push), TCP client (pull).

Each yields text lines into one asyncio queue; the queue is bounded, so a flood of input slows
the readers (TCP back-pressure) instead of growing memory. UDP cannot be slowed: datagrams that
find the queue full are counted as dropped, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field

from liaison.errors import InputError

QUEUE_LINES = 100_000
UDP_BUFFER_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)
class SourceStats:
    datagrams: int = 0
    connections: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


def parse_endpoint(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(text, "expected HOST:PORT, e.g. 127.0.0.1:10110")
    return host.strip("[]"), int(port)


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "surrogateescape")
    return [line for line in text.splitlines() if line.strip()]


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[str], stats: SourceStats) -> None:
        self.queue = queue
        self.stats = stats

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.stats.datagrams += 1
        for line in _lines(data):
            try:
                self.queue.put_nowait(line)
            except asyncio.QueueFull:
                self.stats.dropped += 1


async def listen_udp(
    host: str, port: int, queue: asyncio.Queue[str], stats: SourceStats
) -> asyncio.DatagramTransport:
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    # Receivers send in bursts while a batch commits; a large kernel buffer holds the burst
    # (the kernel caps it at net.core.rmem_max) instead of dropping datagrams unseen.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER_BYTES)
    sock.bind((host, port))
    transport, _ = await loop.create_datagram_endpoint(lambda: _Udp(queue, stats), sock=sock)
    return transport


async def serve_tcp(
    host: str, port: int, queue: asyncio.Queue[str], stats: SourceStats
) -> asyncio.Server:
    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats.connections += 1
        try:
            await _pump(reader, queue)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(client, host, port)


async def connect_tcp(
    host: str, port: int, queue: asyncio.Queue[str], stats: SourceStats, retry_s: float = 2.0
) -> None:
    """Read an AIS feed's TCP stream, reconnecting with a pause when it drops, until cancelled."""
    while True:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            # The latest few reasons are enough to diagnose; a feed down for days must not grow memory.
            stats.errors[:] = [*stats.errors[-9:], f"connect {host}:{port}: {exc.strerror or exc}"]
            await asyncio.sleep(retry_s)
            continue
        stats.connections += 1
        try:
            await _pump(reader, queue)
        finally:
            writer.close()
        await asyncio.sleep(retry_s)


async def _pump(reader: asyncio.StreamReader, queue: asyncio.Queue[str]) -> None:
    while True:
        try:
            raw = await reader.readline()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            return  # an over-long line or a reset: drop the connection, keep the hub
        if not raw:
            return
        for line in _lines(raw):
            await queue.put(line)  # waits when full: TCP slows the sender
