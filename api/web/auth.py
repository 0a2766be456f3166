"""Signing in and out with an API key, the language switch, the start page and static files."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import FileResponse, Response

from api.deps import SessionDep
from api.web.forms import text
from api.web.i18n import LANG_COOKIE, LANGUAGES
from api.web.rendering import STATIC, WebRoute, error_page, redirect, render, safe_next
from api.web.security import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    CsrfUserDep,
    UserDep,
    clear_key_cookie,
    cross_site,
    is_https,
    same_token,
    set_key_cookie,
    set_login_csrf,
)
from scheduler.service import access
from scheduler.service.access import Role
from scheduler.service.errors import NotFound

router = APIRouter(prefix="/app", route_class=WebRoute, include_in_schema=False)

HOME = {Role.manager: "/app/grid", Role.member: "/app/needs", Role.employee: "/app/week"}
STATIC_FILES = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
NextParam = Annotated[str | None, Query(alias="next", max_length=500)]


@router.get("/")
def home(user: UserDep) -> Response:
    """Each role's own page."""
    return redirect(HOME[user.role])


def _login_page(
    request: Request, next_page: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        user=None,
        status_code=status_code,
        next_page=safe_next(next_page),
        error=error,
        login_csrf=token,
    )
    set_login_csrf(response, request, token)
    return response


@router.get("/login")
def login_form(request: Request, next_page: NextParam = None) -> Response:
    """The sign-in form: one field, the API key the group gave you."""
    return _login_page(request, next_page or "/app/")


@router.post("/login")
async def login(request: Request, session: SessionDep) -> Response:
    """Check the key, then keep it in the HttpOnly cookie and go to the role's page."""
    form = await request.form()
    next_page = safe_next(text(form, "next", limit=500))
    token = text(form, "csrf", limit=100)
    if cross_site(request) or not same_token(token, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_page(request, next_page, error="login.expired", status_code=403)
    key = text(form, "key", limit=200)
    principal = access.verify_key(session, key) if key else None
    if principal is None:
        return _login_page(request, next_page, error="login.bad_key", status_code=401)
    target = next_page if next_page != "/app/" else HOME[principal.role]
    response = redirect(target)
    set_key_cookie(response, request, key)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
def logout(request: Request, user: CsrfUserDep) -> Response:
    """Forget the key on this browser (the key itself stays valid: revoke it to end it)."""
    response = redirect("/app/login")
    clear_key_cookie(response, request)
    return response


@router.get("/lang/{lang}")
def switch_language(
    request: Request,
    lang: Annotated[str, Path(pattern=r"^[a-z]{2}$")],
    next_page: NextParam = None,
) -> Response:
    """Remember the chosen language and go back to the page (a link, so it needs no form)."""
    if lang not in LANGUAGES:
        return error_page(request, 404, "error.not_found")
    response = redirect(safe_next(next_page))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return response


@router.get("/static/{name}")
def static(name: Annotated[str, Path(max_length=40)]) -> Response:
    """The pages' stylesheet, script and icon (a fixed list: no path ever reaches the disk)."""
    media = STATIC_FILES.get(name)
    if media is None:
        raise NotFound("file", name)
    return FileResponse(
        STATIC / name, media_type=media, headers={"Cache-Control": "public, max-age=3600"}
    )
