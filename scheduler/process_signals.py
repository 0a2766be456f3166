"""SIGTERM and SIGINT for the long-running processes (worker, relay, scheduler).

Two things could go wrong with a plain handler that logged and set the stop event:
- it was installed after the metrics port opened, so a SIGTERM sent once the process answered
  could still take its inherited action: kill the process with no clean stop, or nothing at
  all where the parent ignored it;
- it ran in the main thread between two bytecodes, wherever that thread was, including inside
  the stop event's own lock.

So ``install()`` runs first, and the handler itself does nothing: CPython's C-level handler
writes the signal's number to a wakeup socket, whichever thread the kernel chose (native
threads such as OpenBLAS's, started at import, never block signals), and one thread of ours
reads it and calls the stop. A signal sent between ``install()`` and ``listen()`` waits in the
socket. Blocking the signals and calling ``sigwait()`` would need every thread, native ones
included, to start after the mask; that cannot be promised once numpy is imported.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_wakeup: tuple[socket.socket, socket.socket] | None = None


def _noted(_number: int, _frame: FrameType | None) -> None:
    # The C-level handler has already written the number to the wakeup socket.
    return None


def install() -> None:
    """Catch SIGTERM and SIGINT from now on; call it from the main thread, before the process
    can be seen (metrics port, health file). Idempotent."""
    global _wakeup
    if _wakeup is not None:
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)  # set_wakeup_fd's requirement: the C handler never waits
    for number in STOP_SIGNALS:
        signal.signal(number, _noted)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    _wakeup = (reader, writer)  # kept for the process's life: the writer's fd is the wakeup fd


def listen(stop: Callable[[], None], *, what: str = "stopping") -> threading.Thread:
    """Call ``stop`` on a thread of its own at each SIGTERM or SIGINT, pending ones first (once
    per process).

    ``stop`` must be safe to call more than once: a second signal calls it again.
    """
    install()
    assert _wakeup is not None
    reader = _wakeup[0]

    def wait() -> None:
        while data := reader.recv(64):  # empty only once the writer is closed
            for number in data:
                if number not in STOP_SIGNALS:
                    continue
                name = signal.Signals(number).name
                log.info("received %s: %s", name, what)
                try:
                    stop()
                except Exception:  # the thread must outlive a failed stop: the next signal retries
                    log.exception("stopping on %s failed", name)

    thread = threading.Thread(target=wait, name="stop-signals", daemon=True)
    thread.start()
    return thread
