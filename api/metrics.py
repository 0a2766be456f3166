"""Request latency for Prometheus, and the ``/metrics`` route."""

from __future__ import annotations

import secrets
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.metrics import API_REQUEST_SECONDS

UNMATCHED = "<unmatched>"  # any path no route knows: one series, whatever scanners try

router = APIRouter(tags=["health"])


class RequestLatency:
    """Observes ``partage_api_request_seconds`` by method, route template and status.

    The route is the template (``/v1/needs/{need_id}``), never the raw path, so the number of
    series stays bounded. A request that raises counts as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            API_REQUEST_SECONDS.labels(
                method=scope["method"], route=template, status=str(status)
            ).observe(time.perf_counter() - started)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics (text format); with ``PARTAGE_API_METRICS_TOKEN`` set, a bearer token."""
    token = request.app.state.api_settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(given.encode(), token.encode()):
            return Response("metrics need the metrics token\n", 401, media_type="text/plain")
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
