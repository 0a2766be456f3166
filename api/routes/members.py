"""Members (adhérents) and their sites."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session, col, select

from api.deps import ApplicationDep, Id, PagingDep, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.routes.common import page
from api.schemas import MemberPublic, Page, SitePublic
from api.scopes import group_scope, member_scope, site_scope
from scheduler import models as m
from scheduler.scenario import schema as s
from scheduler.service import access, csv_io
from scheduler.service.access import Role
from scheduler.service.batch import one_transaction
from scheduler.service.errors import FieldError, InvalidInput

router = APIRouter(prefix="/v1", tags=["members"], responses=COMMON_RESPONSES)


def member_public(session: Session, member: m.Member) -> MemberPublic:
    sites = session.exec(
        select(m.Site).where(m.Site.member_id == member.id).order_by(col(m.Site.position))
    ).all()
    return MemberPublic(
        id=member.id,
        group_id=member.group_id,
        name=member.name,
        siret=member.siret,
        sites=[SitePublic.model_validate(x) for x in sites],
    )


def visible_member(session: Session, principal: access.Principal, member_id: str) -> m.Member:
    return visible(
        session.get(m.Member, member_id), principal, access.sees_member, "member", member_id
    )


@router.get("/groups/{group_id}/members", **allow(Role.manager, Role.member, scope=group_scope))
def list_members(
    group_id: Id, session: SessionDep, principal: PrincipalDep, paging: PagingDep
) -> Page[MemberPublic]:
    """A manager lists the group's members; a member sees itself."""
    query = select(m.Member).where(m.Member.group_id == group_id)
    if principal.role == Role.member:
        query = query.where(m.Member.id == principal.subject_id)
    rows, total = page(session, query.order_by(col(m.Member.position), col(m.Member.id)), paging)
    return Page(
        items=[member_public(session, x) for x in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.put("/groups/{group_id}/members/{member_id}", **allow(Role.manager, scope=group_scope))
def put_member(
    group_id: Id,
    member_id: Id,
    member: s.Member,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> MemberPublic:
    """Create or replace a member and its sites (sites left out are kept)."""
    stored = session.get(m.Member, member_id)
    if stored is not None:
        visible_member(session, principal, member_id)
    if member.id != member_id:
        raise InvalidInput([FieldError(("id",), "must be the id of the URL")])
    with one_transaction(application.engine, application.clock) as uow:
        group = uow.session.get(m.Group, group_id)
        assert group is not None
        conflicts = csv_io._member_conflicts(uow.session, group, {member.id: member})
        if conflicts:
            raise InvalidInput([FieldError(("id",), e.reason) for e in conflicts])
        csv_io.upsert_member(uow.session, group, member)
        uow.commit_all()
    session.expire_all()
    return member_public(session, visible_member(session, principal, member_id))


@router.get("/members/{member_id}", **allow(Role.manager, Role.member, scope=member_scope))
def get_member(member_id: Id, session: SessionDep, principal: PrincipalDep) -> MemberPublic:
    return member_public(session, visible_member(session, principal, member_id))


@router.get("/members/{member_id}/sites", **allow(Role.manager, Role.member, scope=member_scope))
def list_sites(member_id: Id, session: SessionDep, principal: PrincipalDep) -> list[SitePublic]:
    return member_public(session, visible_member(session, principal, member_id)).sites


@router.get("/sites/{site_id}", **allow(Role.manager, Role.member, scope=site_scope))
def get_site(site_id: Id, session: SessionDep, principal: PrincipalDep) -> SitePublic:
    site = session.get(m.Site, site_id)
    member = session.get(m.Member, site.member_id) if site else None
    if site is None or member is None or not access.sees_site(principal, site, member):
        raise access.NotFound("site", site_id)
    return SitePublic.model_validate(site)
