"""The pages' security: the API key in a cookie, CSRF tokens, and response headers.

- Logging in checks an API key and stores it in the ``partage_key`` cookie: HttpOnly (scripts
  never see it), SameSite=Lax (other sites' forms and fetches do not carry it), Secure when the
  page is served over HTTPS, limited to ``/app``. Every request checks the key again, so a
  revoked key logs its pages out at once.
- Every form carries a CSRF token. Signed in, it is an HMAC of the key (a per-session token
  that needs no server state, and that a page of another site can neither read nor compute).
  The login form, before any session exists, uses a double-submit token: a random value in a
  short-lived cookie and in the form, compared on POST. On top, a POST whose ``Origin`` names
  another site, or whose ``Sec-Fetch-Site`` says cross-site, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from api.deps import SessionDep
from scheduler import models as m
from scheduler.service import access
from scheduler.service.access import Principal, Role

KEY_COOKIE = "partage_key"
LOGIN_CSRF_COOKIE = "partage_login_csrf"
COOKIE_PATH = "/app"
SESSION_SECONDS = 14 * 24 * 3600  # a phone stays signed in for two weeks, then asks again
CSRF_FIELD = "csrf"

# Pages hold personal data: no caching (shared phones), no framing, scripts and styles from
# this origin only (so no inline script or style attribute anywhere in the templates).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class LoginRequired(Exception):
    """No valid key in the cookie: the page sends the browser to the login form."""


class Forbidden(Exception):
    """Signed in, but this page is for another role (or the CSRF check failed)."""

    def __init__(self, reason: str = "error.forbidden") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebUser:
    """The signed-in caller: their principal, a display name, and their CSRF token."""

    principal: Principal
    name: str
    csrf: str

    @property
    def role(self) -> Role:
        return self.principal.role


def csrf_token(key: str) -> str:
    """The session's CSRF token, derived from its key (stable while the key is)."""
    return hmac.new(key.encode(), b"partage-web-csrf", hashlib.sha256).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given), expected)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_key_cookie(response: Response, request: Request, key: str) -> None:
    response.set_cookie(
        KEY_COOKIE,
        key,
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_key_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        KEY_COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=is_https(request)
    )


def set_login_csrf(response: Response, request: Request, token: str) -> None:
    """The login form's double-submit token, also kept in a short-lived cookie."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def cross_site(request: Request) -> bool:
    """Whether the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Browsers send Origin on every POST; "null" comes from sandboxed or privacy contexts,
        # which the token check still covers.
        return False
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() != host.lower()


def display_name(session: Session, principal: Principal) -> str:
    """Who the key acts for, in words (the subject's name, never another tenant's)."""
    row: m.Group | m.Member | m.Employee | None
    if principal.role == Role.manager:
        row = session.get(m.Group, principal.subject_id)
        return row.name if row else principal.subject_id
    if principal.role == Role.member:
        row = session.get(m.Member, principal.subject_id)
        return row.name if row else principal.subject_id
    row = session.get(m.Employee, principal.subject_id)
    return f"{row.first_name} {row.last_name}" if row else principal.subject_id


def current_user(request: Request, session: SessionDep) -> WebUser:
    """The caller of a page, from the key cookie; LoginRequired when missing or revoked."""
    key = request.cookies.get(KEY_COOKIE)
    principal = access.verify_key(session, key) if key else None
    if key is None or principal is None:
        raise LoginRequired
    return WebUser(principal, display_name(session, principal), csrf_token(key))


UserDep = Annotated[WebUser, Depends(current_user)]


class RoleGate:
    """A dependency letting only ``roles`` in (a page of another role answers 403)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    def __call__(self, user: UserDep) -> WebUser:
        if user.role not in self.roles:
            raise Forbidden("error.wrong_role")
        return user


async def check_csrf(request: Request, user: UserDep) -> WebUser:
    """For every POST of a signed-in page: same-site origin and the session's token."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if cross_site(request) or not same_token(token if isinstance(token, str) else None, user.csrf):
        raise Forbidden("error.csrf")
    return user


CsrfUserDep = Annotated[WebUser, Depends(check_csrf)]
ManagerDep = Annotated[WebUser, Depends(RoleGate(Role.manager))]
MemberDep = Annotated[WebUser, Depends(RoleGate(Role.member))]
EmployeeDep = Annotated[WebUser, Depends(RoleGate(Role.employee))]
