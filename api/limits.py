"""Request body limits, enforced before any route reads the body."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = {b"POST", b"PUT", b"PATCH", "POST", "PUT", "PATCH"}


class BodyLimit:
    """Answers 413 past ``max_bytes`` (``csv_bytes`` for CSV uploads), 422 for NUL characters.

    The body is buffered whole (it is small by construction) and replayed to the app. NUL
    characters are refused here because PostgreSQL cannot store them in text: without this,
    a stray ``\\u0000`` in a name would be a 500 instead of a clear 422.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, csv_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.csv_bytes = csv_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        is_csv = b"csv" in headers.get(b"content-type", b"")
        limit = self.csv_bytes if is_csv else self.max_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, {"detail": f"body larger than {limit} bytes"})
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(send, 413, {"detail": f"body larger than {limit} bytes"})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\x00" in body or b"\\u0000" in body:
            await _answer(
                send,
                422,
                {
                    "detail": [
                        {
                            "loc": ["body"],
                            "msg": "text may not contain NUL characters",
                            "type": "value_error",
                        }
                    ]
                },
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _answer(send: Send, status: int, content: object) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
