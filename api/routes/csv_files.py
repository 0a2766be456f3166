"""CSV import and export of members, employees and needs, for managers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response

from api.deps import ApplicationDep, Id, PrincipalDep, SessionDep, allow
from api.errors import COMMON_RESPONSES
from api.routes.common import links
from api.schemas import CsvReport
from api.scopes import group_scope
from scheduler.service import csv_io
from scheduler.service.access import Role
from scheduler.service.errors import FieldError, InvalidInput

router = APIRouter(prefix="/v1", tags=["csv"], responses=COMMON_RESPONSES)
Kind = Annotated[Literal["members", "employees", "needs"], Path()]


@router.get(
    "/groups/{group_id}/csv/{kind}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The CSV file"}},
    **allow(Role.manager, scope=group_scope),
)
def export_csv(group_id: Id, kind: Kind, session: SessionDep, principal: PrincipalDep) -> Response:
    """Members (one line per site), employees or needs as a CSV file."""
    return Response(
        csv_io.export_csv(session, group_id, kind),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{group_id}-{kind}.csv"'},
    )


@router.post(
    "/groups/{group_id}/csv/{kind}",
    openapi_extra={
        "x-roles": [Role.manager.value],
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
    dependencies=allow(Role.manager, scope=group_scope)["dependencies"],
)
async def import_csv(
    group_id: Id,
    kind: Kind,
    request: Request,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> CsvReport:
    """Import a CSV file: every line is checked first; any error stores nothing (422 by line)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([FieldError(("body",), "the file is not UTF-8 text")]) from None
    from starlette.concurrency import run_in_threadpool

    report = await run_in_threadpool(
        csv_io.import_csv,
        application.engine,
        application.clock,
        application.config,
        group_id,
        kind,
        text,
    )
    return CsvReport(
        kind=report.kind,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        planning=links(group_id, report.weeks),
    )
