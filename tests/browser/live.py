"""A real server for the browser: uvicorn on a free port, with the embedded planning pipeline.

The server runs the same app as ``partage api``; ``LocalBus`` relays the outbox and runs the
planner in this process, so a need submitted from a page really re-plans its week.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from api import create_app
from scheduler.service.local_bus import LocalBus, RetryPolicy
from tests.browser.world import Territory

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("PARTAGE_ARTIFACTS_DIR", REPO_ROOT / "artifacts")) / "screenshots"
CHROMIUM = os.environ.get("PARTAGE_CHROMIUM", "/usr/bin/chromium")
# Flags that keep a headless Chromium quiet and self-contained in CI and containers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@dataclass
class LiveServer:
    url: str
    world: Territory
    bus: LocalBus
    requests: list[str] = field(default_factory=list)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until the outbox is drained and no plan runs (after a change made from a page)."""
        assert self.bus.wait_idle(timeout), "the planning pipeline did not settle"


def chromium_path() -> str | None:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    return found


@contextmanager
def live_server(world: Territory) -> Iterator[LiveServer]:
    """uvicorn in a thread over ``world`` with a LocalBus; stopped (both) on exit."""
    application = world.application
    bus = LocalBus(
        application.bus,
        application.engine,
        application.clock,
        workers=2,
        poll_seconds=0.05,
        retry=RetryPolicy(delays=(0.2, 0.5), max_attempts=3, busy_delay=0.1, max_busy=200),
    )
    bus.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held until uvicorn takes the socket over
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(application), log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", world, bus)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        bus.stop(timeout=10)
