"""Running webhooks in a process: deliveries recorded from events, and a sender loop.

``WebhookDispatcher`` is the one place that wires ``scheduler.service.webhooks`` into a running
process, whatever carries the events:

- embedded mode: ``LocalBus(..., webhooks=WebhookDispatcher(app))`` subscribes ``record`` to the
  relayed ``roster.*`` events and starts and stops the sender loop with the bus;
- RabbitMQ mode: the worker's ``<ns>.webhooks`` consumer calls ``record`` (and acks once it
  returned, i.e. committed) and the worker runs ``start()`` / ``stop()`` around it.

The sender loop calls ``send_due`` every ``interval`` seconds, and at once after an event queued
deliveries, with one ``httpx_poster`` for the process (connections kept alive).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Self

from scheduler.messages.events import Event
from scheduler.service import webhooks

if TYPE_CHECKING:
    from scheduler.bootstrap import Application
    from scheduler.service.local_bus import LocalBus

log = logging.getLogger(__name__)


class WebhookDispatcher:
    """Records deliveries from events and sends the due ones from a background thread."""

    def __init__(
        self,
        app: Application,
        *,
        allow_private: bool | None = None,
        interval: float = 2.0,
        policy: webhooks.RetryPolicy | None = None,
        poster: webhooks.Poster | None = None,
    ) -> None:
        self.app = app
        # PARTAGE_WEBHOOKS_ALLOW_PRIVATE unless told otherwise.
        self.allow_private = (
            app.settings.webhooks_allow_private if allow_private is None else allow_private
        )
        self.interval = interval
        self.policy = policy or webhooks.RetryPolicy()
        self._poster = poster
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ from events

    def record(self, event: Event) -> int:
        """Queue the deliveries ``event`` causes (committed, idempotent); raises on failure."""
        if event.type not in webhooks.EVENT_TYPES:
            return 0
        with self.app.uow() as uow:
            created = webhooks.record_deliveries(uow, event)
        if created:
            log.info("%s %s: %d webhook delivery(ies) queued", event.type, event.event_id, created)
            self._wake.set()
        return created

    def attach(self, bus: LocalBus) -> Self:
        """Record deliveries for the events ``bus`` relays (call before ``bus.start()``)."""
        bus.subscribe(self._on_relayed, webhooks.EVENT_TYPES)
        return self

    def _on_relayed(self, event: Event) -> None:
        # On the relay thread: a failure is logged, never raised into the relay. (The embedded
        # mode keeps no message across failures: that event's deliveries are lost.)
        try:
            self.record(event)
        except Exception:
            log.exception("cannot record webhook deliveries for %s %s", event.type, event.event_id)

    # ------------------------------------------------------------------ sending

    @property
    def poster(self) -> webhooks.Poster:
        if self._poster is None:
            self._poster = webhooks.httpx_poster(allow_private=self.allow_private)
        return self._poster

    def send_once(self) -> dict[str, int]:
        """One pass of the sender: every due delivery POSTed once; never raises."""
        try:
            counts = webhooks.send_due(self.app.uow, self.poster, policy=self.policy)
        except Exception:
            log.exception("webhook sender pass failed")
            return {}
        if any(counts.values()):
            log.info("webhooks sent: %s", counts)
        return counts

    def start(self) -> None:
        """Start the sender loop (a daemon thread); starting twice does nothing."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="webhook-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the sender loop after the delivery it is POSTing, if any."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.send_once()
            self._wake.wait(self.interval)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
