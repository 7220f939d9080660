"""Network sources of NMEA lines: UDP listener, TCP server (receivers push), TCP client (pull).

Each yields text lines into one asyncio queue; the queue is bounded, so a flood of input slows
the readers (TCP back-pressure) instead of growing memory. UDP cannot be slowed: datagrams that
find the queue full are counted as dropped, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from liaison.errors import InputError

QUEUE_LINES = 100_000
UDP_BUFFER_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)
class SourceStats:
    datagrams: int = 0
    connections: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)
    # Datagrams the kernel dropped before the hub could read them (its receive buffer was
    # full): invisible to the hub itself, so read from /proc/net/udp for our sockets.
    kernel_dropped: int = 0
    udp_inodes: list[int] = field(default_factory=list, repr=False)

    def read_kernel_drops(self) -> int:
        """Refresh `kernel_dropped` (Linux; elsewhere it stays 0) and return it."""
        if self.udp_inodes:
            self.kernel_dropped = kernel_drops(self.udp_inodes)
        return self.kernel_dropped


def kernel_drops(
    inodes: list[int], tables: tuple[str, ...] = ("/proc/net/udp", "/proc/net/udp6")
) -> int:
    """The `drops` counters of the UDP sockets with these inodes (the last column of each row)."""
    wanted = {str(i) for i in inodes}
    total = 0
    for table in tables:
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) >= 13 and cols[9] in wanted and cols[-1].isdigit():
                total += int(cols[-1])
    return total


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
    stats.udp_inodes.append(os.fstat(sock.fileno()).st_ino)
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
