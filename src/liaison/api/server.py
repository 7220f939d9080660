"""Running the hub's server: uvicorn, with a shutdown that tells live clients first."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn

from liaison.api.app import create_app
from liaison.api.live import Closing
from liaison.hub import Hub


def run_server(
    hub: Hub, host: str, port: int, *, stop_after_s: float | None = None, **app_options: Any
) -> None:
    """Serve until SIGINT/SIGTERM (or `stop_after_s`); `app_options` go to `create_app`."""
    closing = Closing()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if stop_after_s is not None:
                asyncio.get_running_loop().call_later(stop_after_s, self._stop)

        def _stop(self) -> None:
            self.should_exit = True

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # Live clients are told first, with their resume cursor, and given a moment to
            # receive it; then uvicorn closes connections and runs the app's shutdown (the
            # listeners commit their last batch).
            closing.set()
            hub.notify()
            for _ in range(40):
                if closing.open == 0:
                    break
                await asyncio.sleep(0.05)
            await super().shutdown(sockets)

    app = create_app(hub, closing=closing, **app_options)
    Server(uvicorn.Config(app, host=host, port=port, log_level="info")).run()
