"""Templates and the route class of the pages: HTML answers, also for errors and redirects."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.web.i18n import Translator, negotiate
from api.web.security import SECURITY_HEADERS, Forbidden, LoginRequired, WebUser
from scheduler.service.errors import NotFound

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@cache
def environment() -> Environment:
    # StrictUndefined: a misspelt variable fails the test that renders it instead of
    # silently printing nothing on someone's phone.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def translator(request: Request) -> Translator:
    return Translator(negotiate(request))


def safe_next(target: str | None, default: str = "/app/") -> str:
    """A local page to go back to; anything else (another host, ``//evil``) gives ``default``."""
    if not target or not target.startswith("/app") or target.startswith("//") or "\\" in target:
        return default
    return target


def render(
    request: Request,
    template: str,
    *,
    user: WebUser | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the caller's language, with the security headers every page carries."""
    t = translator(request)
    # ``here`` is the page, quoted whole, for the language links' ``next`` parameter.
    html = (
        environment()
        .get_template(template)
        .render(t=t, lang=t.lang, user=user, here=quote(_here(request), safe="/"), **context)
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def redirect(url: str) -> RedirectResponse:
    """After a POST, the page to show (303: the browser follows with a GET)."""
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def error_page(request: Request, status_code: int, reason: str) -> HTMLResponse:
    return render(request, "error.html", user=None, status_code=status_code, reason=reason)


class WebRoute(APIRoute):
    """Routes whose failures are pages: login redirect, 403 and 404 in the reader's language.

    The API answers JSON to the same exceptions; a person on a phone needs a page instead.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                # After signing in, come back to the page; a form's target is no page to show.
                back = safe_next(_here(request)) if request.method == "GET" else "/app/"
                return redirect(f"/app/login?next={quote(back, safe='/')}")
            except Forbidden as error:
                return error_page(request, 403, error.reason)
            except NotFound:
                # Another tenant's object and a missing one look the same.
                return error_page(request, 404, "error.not_found")

        return page_handler


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")
