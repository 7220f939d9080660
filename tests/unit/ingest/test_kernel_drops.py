"""Datagrams the kernel drops before the hub reads them are counted, not silently lost."""

from __future__ import annotations

import os
import socket

from liaison.ingest.sources import SourceStats, kernel_drops


def test_a_full_receive_buffer_shows_as_kernel_drops() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel's minimum
        receiver.bind(("127.0.0.1", 0))
        stats = SourceStats(udp_inodes=[os.fstat(receiver.fileno()).st_ino])
        assert stats.read_kernel_drops() == 0
        for _ in range(500):  # nobody reads: the buffer fills, the rest is dropped
            sender.sendto(
                b"!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26\n", receiver.getsockname()
            )
        dropped = stats.read_kernel_drops()
        assert dropped > 0
        assert dropped == kernel_drops(stats.udp_inodes)
        received = 0
        receiver.setblocking(False)
        try:
            while receiver.recv(2048):
                received += 1
        except BlockingIOError:
            pass
        assert received + dropped == 500


def test_no_sockets_no_table_is_zero() -> None:
    assert SourceStats().read_kernel_drops() == 0
    assert kernel_drops([1], tables=("/nonexistent/udp",)) == 0
