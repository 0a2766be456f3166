"""Dependencies every route shares: the application, a read session, the caller, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session, SQLModel

from api.cache import TimedLRU
from api.settings import ApiSettings
from scheduler.bootstrap import Application
from scheduler.service import access
from scheduler.service.access import Principal, Role
from scheduler.service.errors import NotFound

Row = TypeVar("Row", bound=SQLModel)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, and those hops, not the work, dominated a roster read under load. Those that
# touch the database stay `def`: blocking the event loop on a pool checkout can deadlock it.
async def get_application(request: Request) -> Application:
    return request.app.state.application  # type: ignore[no-any-return]


async def get_api_settings(request: Request) -> ApiSettings:
    return request.app.state.api_settings  # type: ignore[no-any-return]


ApplicationDep = Annotated[Application, Depends(get_application)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]


async def get_session(application: ApplicationDep) -> AsyncIterator[Session]:
    """A session for reading; writes go through the message bus or a unit of work.

    Creating a session connects nothing: its first query, in the route's thread, takes a
    connection from the pool, so the event loop never waits on the pool.
    """
    session = Session(application.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="or `X-API-Key: <key>`")


# A verified key is trusted for this long without asking the database again: a key revoked
# through this process is forgotten at once, one revoked elsewhere within these seconds.
KEY_CACHE_SECONDS = 5.0
_verified_keys: TimedLRU[Principal] = TimedLRU(max_entries=50_000, ttl_seconds=KEY_CACHE_SECONDS)


def forget_verified_keys() -> None:
    """Drop every cached key verification (called when a key is revoked)."""
    _verified_keys.clear()


def _verify(application: Application, key: str) -> Principal | None:
    with Session(application.engine) as session:
        return access.verify_key(session, key)


async def authenticate(
    application: ApplicationDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Principal:
    key = bearer.credentials if bearer is not None else header
    principal = None
    if key:
        fingerprint = access.digest(key)
        principal = _verified_keys.get(fingerprint)
        if principal is None:
            principal = await run_in_threadpool(_verify, application, key)
            if principal is not None:
                _verified_keys.put(fingerprint, principal)
    if principal is None:
        raise HTTPException(
            401, "missing, unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticate)]


class _RoleGate:
    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles

    async def __call__(self, principal: PrincipalDep) -> None:
        # Decided on the role alone, before looking anything up: a 403 tells nothing of
        # whether the object exists.
        if principal.role not in self.roles:
            allowed = ", ".join(r.value for r in self.roles)
            raise HTTPException(403, f"a {principal.role.value} key may not do this ({allowed})")


def allow(*roles: Role, scope: Any = None) -> dict[str, Any]:
    """Route options: which roles may call it (403 otherwise, shown in OpenAPI as ``x-roles``)
    and the tenancy check of the object its path names (404 when not the caller's)."""
    dependencies = [Depends(_RoleGate(roles))]
    if scope is not None:
        dependencies.append(Depends(scope))
    return {"dependencies": dependencies, "openapi_extra": {"x-roles": [r.value for r in roles]}}


def visible(row: Row | None, principal: Principal, rule: Any, kind: str, ident: str) -> Row:
    """``row`` if it exists and the caller may see it; 404 alike otherwise."""
    if row is None or not rule(principal, row):
        raise NotFound(kind, ident)
    return row


# Path parameters share one pattern, so a stray character is a 422, never a database error.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"  # scheduler.scenario.common.Id
Id = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
MAX_PAGE_SIZE = 200


class Paging:
    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset


async def paging(
    settings: ApiSettingsDep,
    limit: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Paging:
    return Paging(min(limit or settings.default_page_size, MAX_PAGE_SIZE), offset)


PagingDep = Annotated[Paging, Depends(paging)]
